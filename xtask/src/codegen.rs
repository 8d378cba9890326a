//! `codegen` and `generate`: thin wrappers over the generator library.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clientgen::diag::{Diagnostic, Severity};
use clientgen::{Generated, write};

fn report(diagnostics: &[Diagnostic]) {
    for diagnostic in diagnostics {
        eprintln!("{diagnostic}");
    }
}

fn summary(generated: &Generated) -> String {
    generated
        .apis
        .iter()
        .map(|api| format!("{}: {} operations, {} types", api.module, api.operations.len(), api.types.len()))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Regenerates `generated/` from `specs/`; with `check`, fails when it is stale.
pub fn codegen(root: &Path, check: bool) -> Result<(), String> {
    let started = Instant::now();
    let generated = clientgen::generate_project(root).map_err(|errors| {
        report(&errors);
        format!("codegen failed with {} error(s); generated/ was left as it was", errors.len())
    })?;
    let warnings = generated.warnings.iter().filter(|d| d.severity == Severity::Warning).count();
    if std::env::var_os("CODEGEN_VERBOSE").is_some() {
        report(&generated.warnings);
    }
    let out = clientgen::generated_dir(root);
    let stale =
        write::stale_files(&out, &generated.files).map_err(|e| format!("cannot read {}: {e}", out.display()))?;
    if check {
        if stale.is_empty() {
            eprintln!("generated/ is up to date ({})", summary(&generated));
            return Ok(());
        }
        return Err(format!(
            "generated/ is stale; run `cargo xtask codegen` and commit the result:\n  {}",
            stale.join("\n  ")
        ));
    }
    if stale.is_empty() {
        eprintln!("generated/ unchanged ({}; {warnings} warning(s))", summary(&generated));
        return Ok(());
    }
    write::write_tree(&out, &generated.files).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    for file in &stale {
        eprintln!("  updated generated/{file}");
    }
    eprintln!(
        "generated/ written in {} ms ({}; {warnings} warning(s), CODEGEN_VERBOSE=1 shows them)",
        started.elapsed().as_millis(),
        summary(&generated)
    );
    Ok(())
}

/// `generate <spec> --out <dir> --name <name>`.
pub fn generate(args: &[String]) -> Result<(), String> {
    let mut spec = None;
    let mut out = None;
    let mut name = None;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--out" => out = iter.next().map(PathBuf::from),
            "--name" => name = iter.next().cloned(),
            other if spec.is_none() && !other.starts_with("--") => spec = Some(PathBuf::from(other)),
            other => return Err(format!("unexpected argument `{other}`")),
        }
    }
    let usage = "usage: cargo xtask generate <spec-file> --out <dir> --name <crate-name>";
    let (Some(spec), Some(out), Some(name)) = (spec, out, name) else {
        return Err(usage.into());
    };
    let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        return Err(format!("`{name}` is not a valid crate name"));
    }
    let started = Instant::now();
    let generated = clientgen::generate_standalone(&spec, &name).map_err(|errors| {
        report(&errors);
        format!("generation failed with {} error(s); {} was left as it was", errors.len(), out.display())
    })?;
    report(&generated.warnings);
    write::write_tree(&out, &generated.files).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    eprintln!(
        "wrote {} ({} files, {}) in {} ms",
        out.display(),
        generated.files.len(),
        summary(&generated),
        started.elapsed().as_millis()
    );
    Ok(())
}

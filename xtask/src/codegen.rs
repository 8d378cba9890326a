//! `codegen` and `generate`: thin wrappers over the generator library.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clientgen::diag::{Diagnostic, Severity};
use clientgen::{Config, Generated, Options, Source, write};

/// Prints diagnostics, those that say the same thing at several places once.
fn report(diagnostics: &[Diagnostic]) {
    for group in clientgen::diag::grouped(diagnostics) {
        eprintln!("{group}");
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

/// One crate that `codegen` owns: where it goes and what it should contain.
struct Target {
    shown: String,
    out: PathBuf,
    generated: Generated,
}

/// The project's crate from `specs/`, then one crate per fixture document in
/// `generator/tests/fixtures/` (each compiled and tested as a workspace member).
fn targets(root: &Path) -> Result<Vec<Target>, String> {
    let failed = |errors: Vec<Diagnostic>| {
        report(&errors);
        format!("codegen failed with {} error(s); nothing was written", errors.len())
    };
    let config = Config::load(&root.join("specs/codegen.toml")).map_err(|d| failed(vec![d]))?;
    let mut targets = vec![Target {
        shown: "generated/".into(),
        out: clientgen::generated_dir(root),
        generated: clientgen::generate_project(root, &config).map_err(failed)?,
    }];
    for spec in clientgen::fixture_specs(root).map_err(|e| format!("cannot list fixtures: {e}"))? {
        let stem = spec.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let relative = spec.strip_prefix(root).unwrap_or(&spec).to_path_buf();
        let sidecar = spec.with_extension("toml");
        let mut options = Options::new(&format!("fixture-{stem}"));
        if sidecar.is_file() {
            options = options.settings(Config::load(&sidecar).map_err(|d| failed(vec![d]))?.into_api());
        }
        // Named by the path relative to the project: output and messages do not depend on
        // where the project is checked out.
        let source = Source::file(&spec).shown_as(relative.display().to_string());
        let generated = clientgen::generate(source, &options).map_err(failed)?;
        let out = root.join("fixtures").join(&stem);
        targets.push(Target { shown: format!("fixtures/{stem}/"), out, generated });
    }
    Ok(targets)
}

/// Regenerates `generated/` (and the fixture crates); with `check`, fails when any is stale.
/// Everything is generated before anything is written, so a failure leaves every tree as it was.
pub fn codegen(root: &Path, check: bool) -> Result<(), String> {
    let started = Instant::now();
    let targets = targets(root)?;
    let verbose = std::env::var_os("CODEGEN_VERBOSE").is_some();
    let mut stale_targets = Vec::new();
    for target in &targets {
        if verbose {
            report(&target.generated.warnings);
        }
        let stale = write::stale_files(&target.out, &target.generated.files)
            .map_err(|e| format!("cannot read {}: {e}", target.out.display()))?;
        stale_targets.push(stale);
    }
    let warnings: usize =
        targets.iter().map(|t| t.generated.warnings.iter().filter(|d| d.severity == Severity::Warning).count()).sum();
    let product = summary(&targets[0].generated);
    if check {
        let unclean: Vec<&Diagnostic> = targets.iter().flat_map(|t| t.generated.overlay_warnings()).collect();
        if !unclean.is_empty() {
            report(&unclean.into_iter().cloned().collect::<Vec<_>>());
            return Err("an overlay no longer applies cleanly; update or remove the action named above".into());
        }
        let stale: Vec<String> = targets
            .iter()
            .zip(&stale_targets)
            .flat_map(|(t, files)| files.iter().map(move |f| format!("{}{f}", t.shown)))
            .collect();
        if stale.is_empty() {
            eprintln!("generated/ and {} fixture crate(s) are up to date ({product})", targets.len() - 1);
            return Ok(());
        }
        return Err(format!(
            "generated code is stale; run `cargo xtask codegen` and commit the result:\n  {}",
            stale.join("\n  ")
        ));
    }
    for (target, stale) in targets.iter().zip(&stale_targets) {
        if stale.is_empty() {
            continue;
        }
        write::write_tree(&target.out, &target.generated.files)
            .map_err(|e| format!("cannot write {}: {e}", target.out.display()))?;
        for file in stale {
            eprintln!("  updated {}{file}", target.shown);
        }
    }
    eprintln!(
        "codegen done in {} ms ({product}; {} fixture crate(s); {warnings} warning(s), CODEGEN_VERBOSE=1 shows them)",
        started.elapsed().as_millis(),
        targets.len() - 1
    );
    Ok(())
}

/// `generate <spec> --out <dir> --name <name>`.
pub fn generate(args: &[String]) -> Result<(), String> {
    let mut spec = None;
    let mut out = None;
    let mut name = None;
    let mut config = None;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--out" => out = iter.next().map(PathBuf::from),
            "--name" => name = iter.next().cloned(),
            "--config" => config = iter.next().map(PathBuf::from),
            other if spec.is_none() && !other.starts_with("--") => spec = Some(PathBuf::from(other)),
            other => return Err(format!("unexpected argument `{other}`")),
        }
    }
    let usage = "usage: cargo xtask generate <spec-file> --out <dir> --name <crate-name> [--config <settings.toml>]";
    let (Some(spec), Some(out), Some(name)) = (spec, out, name) else {
        return Err(usage.into());
    };
    let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        return Err(format!("`{name}` is not a valid crate name"));
    }
    let started = Instant::now();
    let mut options = Options::new(&name);
    if let Some(path) = config {
        options = options.settings(Config::load(&path).map_err(|d| d.to_string())?.into_api());
    }
    let generated = clientgen::generate(Source::file(&spec), &options).map_err(|errors| {
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

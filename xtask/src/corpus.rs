//! `corpus`: generate and `cargo check` a client for every real-world document in the corpus.
//!
//! Each document becomes one crate of a scratch workspace under `target/corpus/`; all of them
//! are checked with the project's own target dir and lock file, so dependencies build once.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use clientgen::Source;
use clientgen::diag::Severity;

/// Documents CI checks: small to mid-sized, chosen to cover the hard constructs between them
/// (3.1 normalisation, discriminators, multipart, form bodies, big integers, dereferenced and
/// bundled styles, odd references) while fitting the CI budget.
pub const CI_SUBSET: &[&str] = &[
    "oxide-propolis-server.json",
    "okta-oauth-minimal.yaml",
    "pagerduty-events-v2.json",
    "vonage-verify.yaml",
    "vonage-number-insight.yaml",
    "hubspot-crm-contacts-v3.json",
    "typesense-openapi.yaml",
    "qdrant-openapi.json",
    "lob-api-bundled.yaml",
    "openapi-3.1/resend.yaml",
    "openapi-3.1/xero-webhooks.yaml",
    "openapi-3.1/figma-openapi.yaml",
    "swagger-2.0/portainer.yaml",
    "swagger-2.0/argo-workflows.json",
];

/// Vendor-published documents beside the corpus (`../apis/vendor-documents`), checked with it.
const VENDOR_DOCUMENTS: &str = "../apis/vendor-documents";

#[derive(Default)]
struct Row {
    document: String,
    crate_name: String,
    operations: usize,
    types: usize,
    lines: usize,
    generate_ms: u128,
    errors: usize,
    warnings: usize,
    outcome: Outcome,
    check_ms: u128,
    compiler_warnings: BTreeMap<String, usize>,
    first_error: Option<String>,
    /// Generator warnings by kind (the message with its specifics taken out).
    warning_kinds: BTreeMap<String, usize>,
}

#[derive(Default, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    #[default]
    Pending,
    Panicked,
    GenerateFailed,
    CheckFailed,
    Passed,
}

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Outcome::Pending => "not checked",
            Outcome::Panicked => "PANIC",
            Outcome::GenerateFailed => "generate failed",
            Outcome::CheckFailed => "check failed",
            Outcome::Passed => "ok",
        }
    }
}

/// Where the corpus lives: `$CORPUS_DIR`, else `../shared/corpus` beside the project.
pub fn corpus_dir(root: &Path) -> PathBuf {
    std::env::var_os("CORPUS_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("../shared/corpus"))
}

fn documents(corpus: &Path) -> Result<Vec<String>, String> {
    let mut found = Vec::new();
    for sub in ["", "openapi-3.1", "swagger-2.0", VENDOR_DOCUMENTS] {
        let dir = corpus.join(sub);
        if !sub.is_empty() && !dir.is_dir() {
            continue;
        }
        let entries = fs::read_dir(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_spec = [".json", ".yaml", ".yml"].iter().any(|ext| name.ends_with(ext));
            if is_spec && entry.path().is_file() && is_api_document(&entry.path()) {
                found.push(if sub.is_empty() { name } else { format!("{sub}/{name}") });
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Whether a file is an API description (it declares `openapi` or `swagger`), not another
/// JSON or YAML file kept beside the documents (a JSON Schema, a manifest).
fn is_api_document(path: &Path) -> bool {
    declared_version(path).is_some()
}

/// The version field an API document declares: `("swagger", "2.0")`, `("openapi", "3.1.0")`.
pub fn declared_version(path: &Path) -> Option<(&'static str, String)> {
    let tree = clientgen::load::parse_tree(&fs::read_to_string(path).ok()?).ok()?;
    ["swagger", "openapi"]
        .into_iter()
        .find_map(|field| tree.get(field).map(|v| (field, v.as_str().map_or_else(|| v.to_string(), str::to_owned))))
}

/// Writes a generated crate's files below `dir` (a scratch folder under `target/`).
pub fn write_files(dir: &Path, files: &clientgen::render::Files) -> Result<(), String> {
    for (relative, text) in files {
        let path = dir.join(relative);
        path.parent()
            .map_or(Ok(()), fs::create_dir_all)
            .and_then(|()| fs::write(&path, text))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

fn crate_name(document: &str) -> String {
    let stem = document.rsplit('/').next().unwrap_or(document);
    let stem = stem.rsplit_once('.').map_or(stem, |(s, _)| s);
    let slug: String =
        stem.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    format!("corpus-{}", slug.trim_matches('-'))
}

struct Options {
    filters: Vec<String>,
    ci: bool,
    keep_going: bool,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options { filters: Vec::new(), ci: false, keep_going: true };
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--filter" => options.filters.push(iter.next().ok_or("--filter needs a substring")?.clone()),
            "--ci" => options.ci = true,
            "--fail-fast" => options.keep_going = false,
            other => return Err(format!("unexpected argument `{other}`")),
        }
    }
    Ok(options)
}

pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let options = parse(args)?;
    let corpus = corpus_dir(root);
    if !corpus.is_dir() {
        return Err(format!("no corpus at {} (set CORPUS_DIR)", corpus.display()));
    }
    let mut selected = documents(&corpus)?;
    if options.ci {
        selected.retain(|d| CI_SUBSET.contains(&d.as_str()));
    }
    if !options.filters.is_empty() {
        selected.retain(|d| options.filters.iter().any(|f| d.contains(f.as_str())));
    }
    if selected.is_empty() {
        return Err("no corpus document matches".into());
    }
    let full_run = !options.ci && options.filters.is_empty();

    let workspace = root.join("target/corpus");
    let _ = fs::remove_dir_all(&workspace);
    fs::create_dir_all(&workspace).map_err(|e| format!("cannot create {}: {e}", workspace.display()))?;

    let total = selected.len();
    let mut rows = Vec::new();
    eprintln!("==> generating {total} document(s) into {}", workspace.display());
    for (index, document) in selected.iter().enumerate() {
        let row = generate_one(&corpus, &workspace, document);
        eprintln!(
            "[{}/{total}] generate {document}: {} ({} ops, {} types, {} lines, {} ms)",
            index + 1,
            if row.outcome == Outcome::Pending { "ok" } else { row.outcome.label() },
            row.operations,
            row.types,
            row.lines,
            row.generate_ms
        );
        if let Some(error) = &row.first_error {
            eprintln!("    {error}");
        }
        rows.push(row);
    }

    write_workspace(root, &workspace, &rows)?;
    // The project's target dir, so dependencies built for `generated/` are reused;
    // `CORPUS_TARGET_DIR` keeps a long run from locking the one a developer is using.
    let target_dir = std::env::var_os("CORPUS_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    eprintln!("==> building dependencies once");
    let first = rows.iter().find(|r| r.outcome == Outcome::Pending).map(|r| r.crate_name.clone());
    if let Some(first) = first {
        // Dependencies only: `cargo check` of the first crate builds them; its own time is then
        // measured again below with the dependencies fresh.
        let _ = check(&cargo, &workspace, &target_dir, &first);
        let lib = workspace.join(&first).join("src/lib.rs");
        let text = fs::read(&lib).map_err(|e| format!("cannot read {}: {e}", lib.display()))?;
        fs::write(&lib, text).map_err(|e| format!("cannot touch {}: {e}", lib.display()))?;
    }
    let checkable = rows.iter().filter(|r| r.outcome == Outcome::Pending).count();
    let mut checked = 0;
    for row in rows.iter_mut().filter(|r| r.outcome == Outcome::Pending) {
        checked += 1;
        let started = Instant::now();
        let result = check(&cargo, &workspace, &target_dir, &row.crate_name)?;
        row.check_ms = started.elapsed().as_millis();
        row.compiler_warnings = result.warnings;
        if result.success {
            row.outcome = Outcome::Passed;
        } else {
            row.outcome = Outcome::CheckFailed;
            row.first_error = result.first_error;
        }
        eprintln!(
            "[{checked}/{checkable}] cargo check {}: {} in {:.1} s{}",
            row.document,
            row.outcome.label(),
            row.check_ms as f64 / 1000.0,
            warning_summary(&row.compiler_warnings).map(|w| format!(" ({w})")).unwrap_or_default()
        );
        if let Some(error) = &row.first_error {
            eprintln!("    {error}");
        }
        if !options.keep_going && row.outcome != Outcome::Passed {
            break;
        }
    }

    let report = render_report(&rows, full_run);
    println!("{report}");
    let report_path = if full_run { root.join("docs/corpus.md") } else { workspace.join("report.md") };
    if let Some(parent) = report_path.parent() {
        fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    fs::write(&report_path, &report).map_err(|e| format!("cannot write {}: {e}", report_path.display()))?;
    eprintln!("report written to {}", report_path.display());

    let failed: Vec<_> = rows.iter().filter(|r| r.outcome != Outcome::Passed).collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} of {total} document(s) failed: {}",
            failed.len(),
            failed.iter().map(|r| format!("{} ({})", r.document, r.outcome.label())).collect::<Vec<_>>().join(", ")
        ))
    }
}

fn generate_one(corpus: &Path, workspace: &Path, document: &str) -> Row {
    let mut row = Row { document: document.to_owned(), crate_name: crate_name(document), ..Row::default() };
    let spec = corpus.join(document);
    let started = Instant::now();
    let result = catch_unwind(AssertUnwindSafe(|| {
        clientgen::generate(Source::file(&spec), &clientgen::Options::new(&row.crate_name))
    }));
    row.generate_ms = started.elapsed().as_millis();
    let generated = match result {
        Err(panic) => {
            row.outcome = Outcome::Panicked;
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            row.first_error = Some(format!("panic: {message}"));
            return row;
        }
        Ok(Err(diagnostics)) => {
            row.outcome = Outcome::GenerateFailed;
            row.errors = diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
            row.first_error = diagnostics.first().map(ToString::to_string);
            return row;
        }
        Ok(Ok(generated)) => generated,
    };
    for diagnostic in &generated.warnings {
        *row.warning_kinds.entry(warning_kind(&diagnostic.message)).or_insert(0) += 1;
        match diagnostic.severity {
            Severity::Error => row.errors += 1,
            Severity::Warning => row.warnings += 1,
        }
    }
    let api = &generated.apis[0];
    row.operations = api.operations.len();
    row.types = api.types.len();
    row.lines =
        generated.files.iter().filter(|(path, _)| path.ends_with(".rs")).map(|(_, text)| text.lines().count()).sum();
    if let Err(error) = write_files(&workspace.join(&row.crate_name), &generated.files) {
        row.outcome = Outcome::GenerateFailed;
        row.first_error = Some(error);
    }
    row
}

/// The scratch workspace: every generated crate, with the project's lock file and profiles so
/// that dependencies are the ones already built for `generated/`.
fn write_workspace(root: &Path, workspace: &Path, rows: &[Row]) -> Result<(), String> {
    let members: Vec<String> =
        rows.iter().filter(|r| r.outcome == Outcome::Pending).map(|r| format!("    \"{}\",", r.crate_name)).collect();
    let manifest = format!(
        "[workspace]\nresolver = \"3\"\nmembers = [\n{}\n]\n\n[profile.dev]\ndebug = 1\n\n[profile.dev.package.\"*\"]\ndebug = 0\n",
        members.join("\n")
    );
    fs::write(workspace.join("Cargo.toml"), manifest).map_err(|e| format!("cannot write workspace manifest: {e}"))?;
    if let Ok(lock) = fs::read(root.join("Cargo.lock")) {
        fs::write(workspace.join("Cargo.lock"), lock).map_err(|e| format!("cannot copy Cargo.lock: {e}"))?;
    }
    Ok(())
}

struct CheckResult {
    success: bool,
    warnings: BTreeMap<String, usize>,
    first_error: Option<String>,
}

fn check(cargo: &str, workspace: &Path, target_dir: &Path, package: &str) -> Result<CheckResult, String> {
    let output = Command::new(cargo)
        // With the test kit and the command line: their code per operation is checked on
        // every document too.
        .args(["check", "--quiet", "--message-format=json", "-p", package, "--features", "mock,cli"])
        .current_dir(workspace)
        .env("CARGO_TARGET_DIR", target_dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot start cargo: {e}"))?;
    let mut warnings = BTreeMap::new();
    let mut first_error = None;
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        if message["reason"] != "compiler-message"
            || message["package_id"].as_str().is_none_or(|id| !id.contains(package))
        {
            continue;
        }
        let diagnostic = &message["message"];
        let code = diagnostic["code"]["code"].as_str().unwrap_or("other").to_owned();
        match diagnostic["level"].as_str() {
            Some("warning") if !diagnostic["message"].as_str().unwrap_or("").contains("warnings emitted") => {
                *warnings.entry(code).or_insert(0) += 1;
            }
            Some("error") if first_error.is_none() => {
                let rendered = diagnostic["rendered"].as_str().unwrap_or("").lines().take(12).collect::<Vec<_>>();
                first_error = Some(rendered.join("\n    "));
            }
            _ => {}
        }
    }
    if !output.status.success() && first_error.is_none() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        first_error = Some(stderr.lines().take(12).collect::<Vec<_>>().join("\n    "));
    }
    Ok(CheckResult { success: output.status.success(), warnings, first_error })
}

/// A diagnostic message with the names in backticks taken out, so that messages of one kind
/// group together.
fn warning_kind(message: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in message.chars() {
        match c {
            '`' if !inside => {
                inside = true;
                out.push_str("`…");
            }
            '`' => {
                inside = false;
                out.push('`');
            }
            _ if inside => {}
            _ => out.push(c),
        }
    }
    out
}

fn warning_summary(warnings: &BTreeMap<String, usize>) -> Option<String> {
    if warnings.is_empty() {
        return None;
    }
    Some(warnings.iter().map(|(code, n)| format!("{n}× {code}")).collect::<Vec<_>>().join(", "))
}

fn render_report(rows: &[Row], full_run: bool) -> String {
    let mut out = String::new();
    let passed = rows.iter().filter(|r| r.outcome == Outcome::Passed).count();
    let _ = writeln!(out, "# Corpus report\n");
    let _ = writeln!(
        out,
        "`cargo xtask corpus`{}: every document generated by `clientgen::generate` and `cargo check`ed \
         with its test kit and command line (features `mock` and `cli`) in one scratch workspace with a shared target dir (dependencies prebuilt; check times are the \
         generated crate alone).\n",
        if full_run { "" } else { " (subset)" }
    );
    let _ = writeln!(out, "**{passed} of {} documents generate and compile.**\n", rows.len());
    let _ = writeln!(
        out,
        "| document | operations | types | generated lines | generate ms | diagnostics (error/warning) | check | check s | rustc warnings |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---|---|---:|---|");
    for row in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {}/{} | {} | {:.1} | {} |",
            row.document,
            row.operations,
            row.types,
            row.lines,
            row.generate_ms,
            row.errors,
            row.warnings,
            row.outcome.label(),
            row.check_ms as f64 / 1000.0,
            warning_summary(&row.compiler_warnings).unwrap_or_else(|| "none".into())
        );
    }
    let lines: usize = rows.iter().map(|r| r.lines).sum();
    let ops: usize = rows.iter().map(|r| r.operations).sum();
    let check: u128 = rows.iter().map(|r| r.check_ms).sum();
    let _ = writeln!(
        out,
        "\nTotals: {ops} operations, {lines} generated lines, {:.1} s of `cargo check` for the generated crates.",
        check as f64 / 1000.0
    );
    let mut kinds: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for row in rows {
        for (kind, count) in &row.warning_kinds {
            let entry = kinds.entry(kind.as_str()).or_default();
            entry.0 += count;
            entry.1 += 1;
        }
    }
    if !kinds.is_empty() {
        let _ = writeln!(out, "\n## Generator warnings by kind\n");
        let _ = writeln!(out, "Each is a construct simplified with a working fallback; none stops generation.\n");
        let _ = writeln!(out, "| warning | count | documents |");
        let _ = writeln!(out, "|---|---:|---:|");
        let mut sorted: Vec<_> = kinds.into_iter().collect();
        sorted.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(b.0)));
        for (kind, (count, documents)) in sorted {
            let _ = writeln!(out, "| {} | {count} | {documents} |", kind.replace('|', "\\|"));
        }
    }
    out
}

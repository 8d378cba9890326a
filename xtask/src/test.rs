//! `test`: every check CI runs, in order, stopping at the first failure.

use std::path::Path;
use std::process::Command;

fn run_step(root: &Path, title: &str, program: &str, args: &[&str]) -> Result<(), String> {
    eprintln!("==> {title}");
    let status = Command::new(program)
        .args(args)
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot start `{program}`: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("step failed: {title}")) }
}

pub fn run(root: &Path) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // generated/ and fixtures/ are formatted by prettyplease, not rustfmt: check the hand-written crates.
    run_step(
        root,
        "format",
        &cargo,
        &["fmt", "-p", "openapi-clientgen", "-p", "xtask", "-p", "conformance", "-p", "bench", "--check"],
    )?;
    eprintln!("==> generated code is up to date");
    crate::codegen::codegen(root, true)?;
    // Every feature: API modules that are off by default are checked and tested too.
    run_step(
        root,
        "clippy",
        &cargo,
        &["clippy", "--workspace", "--all-targets", "--all-features", "--", "-D", "warnings"],
    )?;
    // The OAuth2 tests drive a real authorization server (fixtures/oauth2/tests/oidc_provider.rs).
    crate::conformance::npm_project(root, "oidc-provider", Path::new("node_modules/oidc-provider"))?;
    run_step(root, "tests", &cargo, &["test", "--workspace", "--all-targets", "--all-features"])?;
    run_step(root, "doc tests", &cargo, &["test", "--workspace", "--doc", "--all-features"])?;
    // Spec prose becomes rustdoc: it must never break `cargo doc`.
    eprintln!("==> rustdoc of the generated crates, warnings denied");
    let status = Command::new(&cargo)
        .args(["doc", "--no-deps", "--quiet", "--all-features", "-p", "secops-clients", "-p", "fixture-types"])
        .args(["-p", "fixture-runtime"])
        .args(["-p", "fixture-openapi31", "-p", "fixture-swagger2", "-p", "fixture-hostile"])
        .env("RUSTDOCFLAGS", "-D warnings")
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run cargo doc: {e}"))?;
    if !status.success() {
        return Err("step failed: rustdoc".into());
    }
    run_step(root, "validate specs", "bash", &["scripts/validate-specs.sh"])?;
    eprintln!("==> conformance against Stoplight Prism");
    crate::conformance::run(root)?;
    eprintln!("==> a client from Jupyter Server's own Swagger 2.0 document against a real Jupyter Server");
    crate::jupyter::run(root)?;
    eprintln!("==> Swagger 2.0: direct generation against swagger2openapi's conversion");
    crate::crosscheck::run(root)?;
    eprintln!("==> compile-fuzzing: 30 random documents (the long run: `cargo xtask fuzz --docs 500 --seed <n>`)");
    crate::fuzz::run(root, &["--docs".into(), "30".into(), "--seed".into(), "2026".into()])?;
    let corpus = crate::corpus::corpus_dir(root);
    if corpus.is_dir() {
        eprintln!("==> corpus subset (the full run: `cargo xtask corpus`)");
        crate::corpus::run(root, &["--ci".to_owned()])?;
    } else if std::env::var_os("REQUIRE_CORPUS").is_some() {
        return Err(format!("no corpus at {} and REQUIRE_CORPUS is set (CI)", corpus.display()));
    } else {
        eprintln!("==> SKIPPED the corpus subset: no corpus at {} (set CORPUS_DIR)", corpus.display());
    }
    eprintln!("==> all checks passed");
    Ok(())
}

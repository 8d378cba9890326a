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
    // generated/ is formatted by prettyplease, not rustfmt: check the hand-written crates.
    run_step(root, "format", &cargo, &["fmt", "-p", "openapi-clientgen", "-p", "xtask", "--check"])?;
    crate::codegen::codegen(root, true)?;
    run_step(root, "clippy", &cargo, &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"])?;
    run_step(root, "tests", &cargo, &["test", "--workspace", "--all-targets"])?;
    run_step(root, "validate specs", "bash", &["scripts/validate-specs.sh"])?;
    eprintln!("==> all checks passed");
    Ok(())
}

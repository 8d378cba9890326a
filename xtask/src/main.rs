//! `cargo xtask <command>`: the project's tasks. See `cargo xtask help`.

mod bench;
mod change;
mod codegen;
mod conformance;
mod corpus;
mod crosscheck;
mod fuzz;
mod jupyter;
mod test;

use std::path::{Path, PathBuf};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::process::ExitCode;

const HELP: &str = "\
cargo xtask <command>

Commands:
  codegen [--check]                              regenerate generated/ from specs/ (check: fail if stale)
  generate <spec-file> --out <dir> --name <name> [--config <toml>]
                                                 write a standalone crate for any OpenAPI document
  bench [console]                                benchmarks against progenitor and plain reqwest; writes BENCHMARKS.md
                                                 (console: the console module's check times alone, printed)
  conformance                                    every operation and example against Stoplight Prism (installed on demand)
  corpus [--ci] [--filter <s>]... [--fail-fast]     generate and `cargo check` every corpus document; report to docs/corpus.md
  crosscheck                                     Swagger 2.0 documents: direct generation against swagger2openapi's conversion
  fuzz [--docs N] [--seed S]                     random valid documents generated and `cargo check`ed together
  jupyter                                        a client generated from Jupyter Server's own 2.0 document against a real server
  diff <old> <new> [--format markdown|json] [--config <toml>]
                                                 the API change report between two documents
  update-spec <api> [--from <path-or-url>]       replace a vendored document, regenerate, bump the version, record the change
  test                                           everything CI checks: fmt, clippy, codegen --check, tests, spec validation
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => codegen::codegen(&project_root(), args.iter().any(|a| a == "--check")),
        Some("generate") => codegen::generate(&args[1..]),
        Some("bench") => bench::bench(&project_root(), &args[1..]),
        Some("bench-codegen") => bench::codegen_timings(&project_root(), &args[1..]),
        Some("conformance") => conformance::run(&project_root()),
        Some("corpus") => corpus::run(&project_root(), &args[1..]),
        Some("jupyter") => jupyter::run(&project_root()),
        Some("crosscheck") => crosscheck::run(&project_root()),
        Some("fuzz") => fuzz::run(&project_root(), &args[1..]),
        Some("diff") => change::diff(&args[1..]),
        Some("update-spec") => change::update_spec(&project_root(), &args[1..]),
        Some("test") => test::run(&project_root()),
        Some("help" | "--help" | "-h") | None => {
            print!("{HELP}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{HELP}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (the parent of this crate).
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."))
}

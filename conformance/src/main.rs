//! Conformance of the generated clients against an independent mock (Stoplight Prism).
//!
//! `conformance check --root <project> --api <module>=<base-url>...` calls every operation
//! the generator finds in `specs/` with realistic arguments: once plainly (the request must
//! be accepted and the answer must decode), once per documented error status (asked for with
//! Prism's `Prefer: code=<status>`; the typed error must decode), and with `--dynamic <runs>`
//! that many times against Prism's random, schema-valid answers.
//!
//! `conformance hostile` serves the endpoints the examples use the way a real server may
//! behave on a bad day: each route throttles its first request (429 or 503 with
//! `Retry-After`), answers carry enum values and fields the spec does not list. It prints
//! `READY <url>` and serves until its standard input closes.
//!
//! `cargo xtask conformance` starts Prism and runs both; see the README.

/// Sets Prism's `Prefer` header when a status is asked for.
macro_rules! prefer {
    ($builder:expr, $expect:expr) => {{
        let builder = $builder;
        match $expect {
            Expect::Error { status, .. } => builder.header("Prefer", format!("code={status}")),
            Expect::Success => builder,
        }
    }};
}

mod calls;
mod defects;
mod generated;
mod hostile;
mod judge;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use clientgen::ir::{ResponseBody, StatusMatch};

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("check") => check(&args[1..]).await,
        Some("hostile") => hostile::serve().await,
        _ => Err(
            "usage: conformance check --root <dir> --api <module>=<url>... [--dynamic <runs>] | conformance hostile"
                .into(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// What one call is asked to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// A documented success that decodes.
    Success,
    /// The given error status, decoding into the documented error type when `typed`.
    Error { status: u16, typed: bool },
}

/// Why a call did not pass.
#[derive(Debug)]
pub enum Failure {
    /// Anything but a failed decode, described.
    Plain(String),
    /// A success answer that did not decode: where, and the answer itself.
    Decode { path: String, body: Vec<u8>, message: String },
}

/// The vendor documents as their overlays correct them (what Prism serves), by module, for
/// naming their defects.
fn documents(
    root: &std::path::Path,
    config: &clientgen::Config,
) -> Result<BTreeMap<String, serde_json::Value>, String> {
    let mut documents = BTreeMap::new();
    for api in &config.apis {
        let path = root.join("specs").join(&api.spec);
        let tree = clientgen::corrected_document(&path, api)
            .map_err(|errors| errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))?;
        documents.insert(api.module.clone(), tree);
    }
    Ok(documents)
}

async fn check(args: &[String]) -> Result<(), String> {
    let mut root = PathBuf::from(".");
    let mut urls = BTreeMap::new();
    let mut dynamic = None;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--root" => root = PathBuf::from(iter.next().ok_or("--root needs a folder")?),
            "--api" => {
                let value = iter.next().ok_or("--api needs <module>=<url>")?;
                let (module, url) = value.split_once('=').ok_or("--api needs <module>=<url>")?;
                urls.insert(module.to_owned(), url.to_owned());
            }
            "--dynamic" => {
                dynamic = Some(iter.next().and_then(|n| n.parse::<u32>().ok()).ok_or("--dynamic needs a number")?)
            }
            other => return Err(format!("unexpected argument `{other}`")),
        }
    }
    let config = clientgen::Config::load(&root.join("specs/codegen.toml")).map_err(|d| d.to_string())?;
    let generated = clientgen::generate_project(&root, &config)
        .map_err(|errors| errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))?;
    let documents = documents(&root, &config)?;
    let (mut passed, mut failed, mut defects) = (0, 0, 0);
    for api in &generated.apis {
        let Some(url) = urls.get(&api.module) else {
            // Every API is checked unless the caller names which.
            if urls.is_empty() {
                return Err(format!("no --api {}=<url> given", api.module));
            }
            continue;
        };
        let clients = calls::Clients::new(&api.module, url)?;
        for op in &api.operations {
            let mut plan: Vec<(String, Expect)> = Vec::new();
            match dynamic {
                Some(runs) => plan.extend((1..=runs).map(|run| (format!("dynamic run {run}"), Expect::Success))),
                None => {
                    plan.push(("success".into(), Expect::Success));
                    for response in &op.errors {
                        if let StatusMatch::Code(status) = response.status {
                            let typed = matches!(response.body, Some(ResponseBody::Json(_)));
                            plan.push((format!("error {status}"), Expect::Error { status, typed }));
                        }
                    }
                }
            }
            for (label, expect) in plan {
                let outcome = clients.call(&op.wire_id, expect).await;
                match outcome {
                    Ok(detail) => {
                        passed += 1;
                        println!("PASS {} {} [{label}]: {detail}", api.module, op.wire_id);
                    }
                    Err(failure) => {
                        let document = &documents[&api.module];
                        let (defect, problem) = match failure {
                            Failure::Decode { path, body, message } => {
                                (defects::example_defect(api, document, op, &path, &body), message)
                            }
                            Failure::Plain(problem) => match expect {
                                Expect::Error { status, .. } => (defects::media_defect(document, op, status), problem),
                                Expect::Success => (None, problem),
                            },
                        };
                        match defect {
                            Some(defect) => {
                                defects += 1;
                                println!("DOCUMENT DEFECT {} {} [{label}]: {defect}", api.module, op.wire_id);
                            }
                            None => {
                                failed += 1;
                                println!("FAIL {} {} [{label}]: {problem}", api.module, op.wire_id);
                            }
                        }
                    }
                }
            }
        }
    }
    println!("{passed} passed, {failed} failed, {defects} document defect(s) named");
    if failed == 0 { Ok(()) } else { Err(format!("{failed} conformance check(s) failed")) }
}

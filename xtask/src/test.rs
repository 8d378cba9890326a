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

/// What the tests need from Debian's packages, each with the command that tells whether it is
/// there: OpenSSL's headers for the `native-tls` build, and etcd, the real Go server of
/// `fixtures/etcd/tests`.
const DEBIAN_PACKAGES: &[(&str, &[&str], &[&str])] = &[
    ("libssl-dev pkg-config", &["pkg-config", "--exists", "openssl"], &["libssl-dev", "pkg-config"]),
    ("etcd-server", &["etcd", "--version"], &["etcd-server"]),
];

/// Installs the Debian packages the tests need that the machine lacks (apt-get, through sudo
/// unless this is root); nothing installed by hand has to survive to a fresh machine.
fn debian_packages() -> Result<(), String> {
    let present =
        |probe: &[&str]| Command::new(probe[0]).args(&probe[1..]).output().is_ok_and(|output| output.status.success());
    let missing: Vec<&str> = DEBIAN_PACKAGES
        .iter()
        .filter(|(_, probe, _)| !present(probe))
        .flat_map(|(_, _, packages)| packages.iter().copied())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("==> installing {} (apt-get)", missing.join(" "));
    let root_user = Command::new("id").arg("-u").output().is_ok_and(|output| output.stdout.starts_with(b"0"));
    let apt = |args: &[&str]| {
        let mut command = if root_user { Command::new("apt-get") } else { Command::new("sudo") };
        if !root_user {
            command.arg("apt-get");
        }
        command.args(args).env("DEBIAN_FRONTEND", "noninteractive").status().is_ok_and(|status| status.success())
    };
    let install: Vec<&str> = ["install", "-y", "-q"].into_iter().chain(missing.iter().copied()).collect();
    if apt(&install) || (apt(&["update", "-q"]) && apt(&install)) {
        Ok(())
    } else {
        Err(format!("cannot install {} with apt-get; install them and run again", missing.join(" ")))
    }
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
    debian_packages()?;
    // Every feature: API modules that are off by default are checked and tested too.
    run_step(
        root,
        "clippy",
        &cargo,
        &["clippy", "--workspace", "--all-targets", "--all-features", "--", "-D", "warnings"],
    )?;
    features_alone(root, &cargo)?;
    // The OAuth2 tests drive a real authorization server (fixtures/oauth2/tests/oidc_provider.rs).
    crate::conformance::npm_project(root, "oidc-provider", Path::new("node_modules/oidc-provider"))?;
    run_step(root, "tests", &cargo, &["test", "--workspace", "--all-targets", "--all-features"])?;
    run_step(root, "doc tests", &cargo, &["test", "--workspace", "--doc", "--all-features"])?;
    // Spec prose becomes rustdoc: it must never break `cargo doc`.
    eprintln!("==> rustdoc of the generated crates and their runtime crates, warnings denied");
    let crates = [
        "secops-clients",
        "fixture-types",
        "fixture-runtime",
        "fixture-etcd",
        "fixture-oauth2",
        "fixture-openapi31",
        "fixture-swagger2",
        "fixture-hostile",
    ];
    let packages: Vec<String> =
        crates.iter().flat_map(|name| [(*name).to_owned(), format!("{name}-runtime")]).collect();
    let status = Command::new(&cargo)
        .args(["doc", "--no-deps", "--quiet", "--all-features"])
        .args(packages.iter().flat_map(|name| ["-p", name.as_str()]))
        .env("RUSTDOCFLAGS", "-D warnings")
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run cargo doc: {e}"))?;
    if !status.success() {
        return Err("step failed: rustdoc".into());
    }
    // The documents as corrected: the InsightVM v4 file as Rapid7 publishes it is invalid
    // (its region parameter), which the overlay corrects. The Security Console's Swagger 2.0
    // document is left out: its example values contradict its schemas (see specs/README.md).
    let corrected = crate::conformance::corrected_documents(root)?;
    let mut validated: Vec<String> = vec!["scripts/validate-specs.sh".into()];
    validated.extend(
        corrected
            .iter()
            .filter(|(module, _)| module != "insightvm_console")
            .map(|(_, path)| path.display().to_string()),
    );
    let validated: Vec<&str> = validated.iter().map(String::as_str).collect();
    run_step(root, "validate specs", "bash", &validated)?;
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

/// The generated crate with no API, each API alone, and every tag feature alone (and each
/// API's client without any), with and without the command line, warnings denied: a type one
/// tag needs and another does not is gated for both, and runtime code only APIs call is not
/// left unused.
fn features_alone(root: &Path, cargo: &str) -> Result<(), String> {
    let config = clientgen::Config::load(&root.join("specs/codegen.toml")).map_err(|d| d.to_string())?;
    let generated = clientgen::generate_project(root, &config)
        .map_err(|errors| errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))?;
    let mut alone = vec![String::new(), "mock".to_owned()];
    for api in &generated.apis {
        alone.push(api.module.clone());
        if api.tag_features {
            alone.push(clientgen::naming::client_feature(&api.module));
            alone.extend(clientgen::render::tag_features(api));
        }
    }
    // Each alone, and with the command line, whose table names each tag's operations.
    for feature in alone.iter().flat_map(|feature| [feature.clone(), with_cli(feature)]) {
        eprintln!("==> `cargo check` with `{feature}` alone");
        // Warnings read from the output: a RUSTFLAGS of its own would rebuild every
        // dependency.
        let output = Command::new(cargo)
            .args(["check", "--quiet", "-p", "secops-clients", "--no-default-features", "--features", &feature])
            .current_dir(root)
            .output()
            .map_err(|e| format!("cannot run cargo check: {e}"))?;
        let messages = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() || messages.contains("warning") {
            return Err(format!("step failed: `{feature}` alone:\n{messages}"));
        }
    }
    Ok(())
}

fn with_cli(feature: &str) -> String {
    if feature.is_empty() { "cli".to_owned() } else { format!("{feature},cli") }
}

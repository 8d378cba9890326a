//! Section 2: what the generated code costs its users at every `cargo check`, per operation,
//! against the other Rust generators on the same documents: progenitor, openapi-to-rust
//! and oas3-gen, on oxide-nexus (193 operations) and on GitHub's REST API (1,223).
//!
//! Every generator is installed from crates.io at a pinned version into `.tools/`, GitHub's
//! document from the npm registry (`@octokit/openapi`, MIT). A generator that fails on a
//! document, or whose output does not compile, is reported as such with its first error and
//! left out of that document's comparison.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use clientgen::Source;

use super::{Budget, Samples, Setup, cargo, rust_lines, timed, touch};

/// A generator compared against ours, installed with `cargo install`.
pub(super) struct Peer {
    pub name: &'static str,
    krate: &'static str,
    pub version: &'static str,
    binary: &'static str,
    /// Writes a crate called `package` for `document` into `out`.
    generate: fn(&Path, &Path, &Path, &str) -> Result<(), String>,
}

pub(super) const PROGENITOR: Peer = Peer {
    name: "progenitor",
    krate: "cargo-progenitor",
    version: "0.15.1",
    binary: "cargo-progenitor",
    generate: progenitor,
};

const PEERS: [Peer; 3] = [
    PROGENITOR,
    Peer {
        name: "openapi-to-rust",
        krate: "openapi-to-rust",
        version: "0.23.0",
        binary: "openapi-to-rust",
        generate: openapi_to_rust,
    },
    Peer { name: "oas3-gen", krate: "oas3-gen", version: "0.29.0", binary: "oas3-gen", generate: oas3_gen },
];

/// How long a check may take: about four times ours on GitHub's document (openapi-to-rust's
/// crate for it was still being checked after 15 minutes).
const CHECK_LIMIT_S: u32 = 300;

/// GitHub's REST API document, from the npm package Octokit publishes it in.
const GITHUB_PACKAGE: &str = "@octokit/openapi@23.0.2";
const GITHUB_DOCUMENT: &str = "package/generated/api.github.com.json";

/// The crates oas3-gen's output names (it writes no manifest; the versions are its own
/// dependencies' at 0.29.0).
const OAS3_GEN_DEPENDENCIES: &str = r#"oas3-gen-support = "0.29"
anyhow = "1"
http = "1"
indexmap = { version = "2", features = ["serde"] }
regex = "1"
reqwest = { version = "0.13", default-features = false, features = ["json", "query", "rustls", "stream", "multipart", "form"] }
serde = { version = "1", features = ["derive"] }
serde_html_form = "0.2"
serde_json = "1"
serde_with = "3"
chrono = { version = "0.4", features = ["serde"] }
uuid = { version = "1", features = ["serde"] }
validator = { version = "0.20", features = ["derive"] }
"#;

/// The peer's binary, installed into `.tools/<crate>` on first use.
pub(super) fn install(root: &Path, peer: &Peer) -> Result<PathBuf, String> {
    let tools = root.join(".tools").join(peer.krate);
    let binary = tools.join("bin").join(peer.binary);
    if !binary.exists() {
        eprintln!("==> installing {} {} into {}", peer.krate, peer.version, tools.display());
        super::run(
            Command::new(cargo())
                .args(["install", peer.krate, "--locked", "--version", peer.version, "--root"])
                .arg(&tools),
            &format!("cargo install {}", peer.krate),
        )?;
    }
    Ok(binary)
}

/// GitHub's document, fetched from the npm registry into `.tools/` on first use.
fn github_document(root: &Path) -> Result<PathBuf, String> {
    let folder = root.join(".tools/octokit-openapi");
    let document = folder.join(GITHUB_DOCUMENT);
    if !document.is_file() {
        eprintln!("==> fetching {GITHUB_PACKAGE} (GitHub's REST API document) from the npm registry");
        fs::create_dir_all(&folder).map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
        let packed = super::run(
            Command::new("npm").args(["pack", "--silent", GITHUB_PACKAGE]).current_dir(&folder),
            "npm pack",
        )?;
        super::run(
            Command::new("tar").arg("xzf").arg(packed.trim()).current_dir(&folder),
            "tar xzf (the npm package)",
        )?;
    }
    Ok(document)
}

fn progenitor(binary: &Path, document: &Path, out: &Path, package: &str) -> Result<(), String> {
    super::run(
        Command::new(binary).args(["progenitor", "-i"]).arg(document).arg("-o").arg(out).args([
            "-n",
            package,
            "-v",
            "0.1.0",
            "--interface",
            "builder",
        ]),
        "cargo progenitor",
    )
    .map(drop)
}

fn openapi_to_rust(binary: &Path, document: &Path, out: &Path, package: &str) -> Result<(), String> {
    let src = out.join("src");
    super::run(
        Command::new(binary)
            .arg("generate")
            .arg(document)
            .arg("--output-dir")
            .arg(&src)
            .args(["--module-name", &package.replace('-', "_")]),
        "openapi-to-rust generate",
    )?;
    // It writes a module and the dependencies it needs, not a crate.
    let dependencies = fs::read_to_string(src.join("REQUIRED_DEPS.toml"))
        .map_err(|e| format!("openapi-to-rust wrote no REQUIRED_DEPS.toml: {e}"))?;
    module_as_crate(out, package, &dependencies.replace("[dependencies]", ""))
}

fn oas3_gen(binary: &Path, document: &Path, out: &Path, package: &str) -> Result<(), String> {
    super::run(
        Command::new(binary)
            .args(["generate", "client-mod", "--color", "never", "-i"])
            .arg(document)
            .arg("-o")
            .arg(out.join("src")),
        "oas3-gen generate",
    )?;
    module_as_crate(out, package, OAS3_GEN_DEPENDENCIES)
}

/// Makes the module a generator wrote into `out/src` (`mod.rs`) a crate.
fn module_as_crate(out: &Path, package: &str, dependencies: &str) -> Result<(), String> {
    let src = out.join("src");
    fs::rename(src.join("mod.rs"), src.join("lib.rs")).map_err(|e| format!("no mod.rs in {}: {e}", src.display()))?;
    let manifest = format!(
        "[package]\nname = \"{package}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\n{dependencies}"
    );
    fs::write(out.join("Cargo.toml"), manifest).map_err(|e| format!("cannot write {}: {e}", out.display()))
}

/// One document's comparison: each tool's crate and its check times, round by round.
pub(super) struct Document {
    name: &'static str,
    operations: f64,
    rounds: usize,
    /// Ours first, then each peer whose output compiles: (tool, lines, check seconds).
    tools: Vec<(String, usize, Samples)>,
    /// The peers that did not get that far, with why.
    failed: Vec<(String, String)>,
}

/// Both documents, each tool's crate checked in rounds taking turns.
pub(super) fn measure(setup: &Setup) -> Result<Vec<Document>, String> {
    let peers: Vec<(&Peer, PathBuf)> =
        PEERS.iter().map(|peer| install(&setup.root, peer).map(|binary| (peer, binary))).collect::<Result<_, _>>()?;
    let github = github_document(&setup.root)?;
    // Each check of GitHub's crates takes minutes; one round of it per run.
    let documents = [
        ("oxide-nexus", "oxide-nexus.json", setup.nexus.clone(), super::PAIRS),
        ("github", "GitHub's api.github.com.json", github, 1),
    ];
    let mut measured = Vec::new();
    for (stem, name, document, rounds) in documents {
        eprintln!("==> 2. cargo check per operation: {name}");
        measured.push(measure_document(setup, &peers, (stem, name), &document, rounds)?);
    }
    Ok(measured)
}

fn measure_document(
    setup: &Setup,
    peers: &[(&Peer, PathBuf)],
    (stem, name): (&str, &'static str),
    document: &Path,
    rounds: usize,
) -> Result<Document, String> {
    let text = fs::read_to_string(document).map_err(|e| format!("cannot read {}: {e}", document.display()))?;
    let operations = clientgen::lower_document(Source::text(&text, name), &Default::default())
        .map(|(api, _)| api.operations.len() as f64)
        .map_err(|_| format!("{name} does not lower"))?;
    let workspace = setup.work.join("peers").join(stem);
    let _ = fs::remove_dir_all(&workspace);
    fs::create_dir_all(&workspace).map_err(|e| e.to_string())?;
    let ours = format!("{stem}-ours");
    super::run(
        Command::new(&setup.ours)
            .arg("generate")
            .arg(document)
            .arg("--out")
            .arg(workspace.join("ours"))
            .args(["--name", &ours]),
        "our generator",
    )?;
    let mut crates = vec![("ours".to_owned(), ours)];
    let mut failed = Vec::new();
    for (peer, binary) in peers {
        let package = format!("{stem}-{}", peer.name);
        match (peer.generate)(binary, document, &workspace.join(peer.name), &package) {
            Ok(()) => crates.push((peer.name.to_owned(), package)),
            Err(error) => failed.push((peer.name.to_owned(), format!("does not generate: {}", first_line(&error)))),
        }
    }
    let folders: Vec<String> = crates.iter().map(|(tool, _)| format!("\"{tool}\"")).collect();
    fs::write(
        workspace.join("Cargo.toml"),
        format!("[workspace]\nresolver = \"3\"\nmembers = [{}]\n\n[profile.dev]\ndebug = 0\n", folders.join(", ")),
    )
    .map_err(|e| e.to_string())?;
    // Dependencies first, and whether each compiles at all.
    let mut compiling = Vec::new();
    for (tool, package) in crates {
        match check(setup, &workspace, &package) {
            Ok(_) => compiling.push((tool, package)),
            Err(_) if tool == "ours" => return Err(format!("our crate for {name} does not compile")),
            Err(error) => failed.push((tool, format!("does not compile: {}", first_error(&error)))),
        }
    }
    let mut samples = vec![Samples::default(); compiling.len()];
    for round in 0..rounds {
        for turn in 0..compiling.len() {
            let which = (round + turn) % compiling.len();
            let (tool, package) = &compiling[which];
            touch(&workspace.join(tool).join("src/lib.rs"))?;
            samples[which].0.push(check(setup, &workspace, package)?);
        }
    }
    let tools = compiling
        .into_iter()
        .zip(samples)
        .map(|((tool, _), samples)| {
            let lines = rust_lines(&workspace.join(&tool).join("src"));
            (tool, lines, samples)
        })
        .collect();
    Ok(Document { name, operations, rounds, tools, failed })
}

/// `cargo check` of one crate of a peers workspace, whole (not incremental); the output of
/// one that fails is the error. A check is stopped after [`CHECK_LIMIT_S`] seconds.
fn check(setup: &Setup, workspace: &Path, package: &str) -> Result<f64, String> {
    let started = std::time::Instant::now();
    let mut command = super::cargo_check(&setup.work, workspace, package, Some(CHECK_LIMIT_S));
    timed(&mut command, &format!("cargo check -p {package}")).map_err(|error| {
        if started.elapsed().as_secs() >= u64::from(CHECK_LIMIT_S) {
            format!("its check had not finished after {CHECK_LIMIT_S} s")
        } else {
            error
        }
    })
}

/// The first line of what a failed tool said (after `run`'s "… failed:" heading), or of a
/// panic, its message.
fn first_line(text: &str) -> String {
    let mut lines = text.lines().map(str::trim).filter(|line| !line.is_empty() && !line.ends_with("failed:"));
    let first = lines.next().unwrap_or("(no output)");
    // A panic's message is on the line after `thread 'main' panicked at …:`.
    if first.starts_with("thread ") && first.contains("panicked") {
        return format!("panicked: {}", lines.next().unwrap_or(first));
    }
    first.to_owned()
}

/// The first compiler error of a failed check, and how many there were.
fn first_error(output: &str) -> String {
    let errors: Vec<&str> = output.lines().filter(|line| line.contains("error[") || line.contains(": error")).collect();
    match errors.first() {
        Some(first) => format!("{} error(s), the first: `{}`", errors.len(), first.trim()),
        None => first_line(output),
    }
}

impl Document {
    fn tool(&self, name: &str) -> Option<&(String, usize, Samples)> {
        self.tools.iter().find(|(tool, _, _)| tool == name)
    }

    /// Ours ÷ `peer` per operation, per round (the same operations on both sides).
    fn ratio(&self, peer: &str) -> Option<Samples> {
        Some(self.tool("ours")?.2.ratios(&self.tool(peer)?.2))
    }

    pub(super) fn markdown(&self) -> String {
        let mut md = format!(
            "### {} ({:.0} operations), {} round(s)\n\n| generator | lines | lines/op | check s | check ms/op | ours ÷ it, per round |\n\
             |---|---:|---:|---:|---:|---:|\n",
            self.name, self.operations, self.rounds
        );
        for (tool, lines, samples) in &self.tools {
            let per_op = Samples(samples.0.iter().map(|s| s * 1000.0 / self.operations).collect());
            let ratio = self.ratio(tool).filter(|_| tool != "ours").map_or("".into(), |r| r.show(2, "×"));
            let label =
                PEERS.iter().find(|p| p.name == tool).map_or("ours".into(), |p| format!("{} {}", p.name, p.version));
            let _ = writeln!(
                md,
                "| {label} | {lines} | {:.0} | {} | {} | {ratio} |",
                *lines as f64 / self.operations,
                samples.show(2, ""),
                per_op.show(1, ""),
            );
        }
        for (tool, why) in &self.failed {
            let _ = writeln!(md, "| {tool} | | | {why} | | |");
        }
        md
    }
}

/// The budget: ours against progenitor on oxide-nexus, per operation.
pub(super) fn budget(documents: &[Document]) -> Budget {
    let ratio = documents.first().and_then(|d| d.ratio("progenitor")).unwrap_or_default();
    Budget {
        name: "`cargo check` per operation vs progenitor builder style (oxide-nexus)",
        measured: ratio.show(2, "×"),
        limit: "≤ 0.25×".into(),
        pass: ratio.median() <= 0.25,
    }
}

pub(super) fn markdown(documents: &[Document]) -> String {
    let mut md = String::from(
        "## 2. Generated code cost per operation, against the other generators\n\n`cargo check` of each generated \
         crate alone (dependencies prebuilt, sources touched, not incremental), the tools taking turns round by \
         round; ours with its builder style, progenitor with `--interface builder`, openapi-to-rust and oas3-gen \
         as their command lines generate a client. A runtime library is a dependency, prebuilt like the others: \
         ours is the runtime crate written beside the generated one, progenitor's is `progenitor-client`; the lines \
         counted are the generated crate's own. A check of GitHub's crates takes minutes, so it is one round per \
         run (its spread is across runs, not within one).\n\n",
    );
    for document in documents {
        let _ = writeln!(md, "{}", document.markdown());
    }
    md
}

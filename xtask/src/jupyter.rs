//! `jupyter`: a client generated at test time from the Swagger 2.0 document that Jupyter
//! Server ships inside its package, driving a real Jupyter Server on loopback.
//!
//! Installs the pinned server (`conformance/jupyter/requirements.txt`) into a virtual
//! environment under `target/jupyter/`, generates the crate from the installed `api.yaml`
//! with `conformance/jupyter/settings.toml`, adds `conformance/jupyter/live.rs` as its test,
//! starts `jupyter server` with a random token and a scratch root folder, runs the test, and
//! stops the server by its PID.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use clientgen::{Options, Source};

use crate::conformance::{Running, free_port, target_dir, wait_for_port};

const CRATE: &str = "jupyter-client";

pub fn run(root: &Path) -> Result<(), String> {
    let work = target_dir(root).join("jupyter");
    let python = install(root, &work)?;
    let document = api_document(&python)?;
    eprintln!("==> generating a client from {}", document.display());
    let workspace = work.join("workspace");
    generate(root, &document, &workspace)?;

    let token = format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
    let (_server, url) = start_server(&work, &python, &token)?;
    eprintln!("==> driving Jupyter Server at {url}");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["test", "--quiet", "-p", CRATE, "--test", "live"])
        .current_dir(&workspace)
        .env("CARGO_TARGET_DIR", target_dir(root))
        .env("JUPYTER_URL", &url)
        .env("JUPYTER_TOKEN", &token)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() { Ok(()) } else { Err("the Jupyter Server test failed".into()) }
}

/// The virtual environment's Python, with the pinned packages installed (once per pin).
fn install(root: &Path, work: &Path) -> Result<PathBuf, String> {
    let requirements = root.join("conformance/jupyter/requirements.txt");
    let wanted =
        fs::read_to_string(&requirements).map_err(|e| format!("cannot read {}: {e}", requirements.display()))?;
    let venv = work.join("venv");
    let python = venv.join("bin/python");
    let marker = venv.join("installed-requirements.txt");
    if fs::read_to_string(&marker).is_ok_and(|installed| installed == wanted) && python.exists() {
        return Ok(python);
    }
    eprintln!("==> installing Jupyter Server into {} (pip)", venv.display());
    let _ = fs::remove_dir_all(&venv);
    fs::create_dir_all(work).map_err(|e| e.to_string())?;
    run_quiet(Command::new("python3").args(["-m", "venv"]).arg(&venv), "python3 -m venv")?;
    run_quiet(
        Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r"])
            .arg(&requirements),
        "pip install",
    )?;
    fs::write(&marker, wanted).map_err(|e| e.to_string())?;
    Ok(python)
}

fn run_quiet(command: &mut Command, what: &str) -> Result<(), String> {
    let status = command.stdin(Stdio::null()).status().map_err(|e| format!("cannot run {what}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("{what} failed ({status})")) }
}

/// Where the installed package keeps its API document.
fn api_document(python: &Path) -> Result<PathBuf, String> {
    let output = Command::new(python)
        .args(["-c", "import jupyter_server, os; print(os.path.join(os.path.dirname(jupyter_server.__file__), 'services', 'api', 'api.yaml'))"])
        .output()
        .map_err(|e| format!("cannot run the virtual environment's python: {e}"))?;
    let path = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    if output.status.success() && path.is_file() {
        Ok(path)
    } else {
        Err(format!("jupyter_server ships no api.yaml where expected ({})", path.display()))
    }
}

/// The generated crate, with the live test, in a scratch workspace sharing the project's lock.
fn generate(root: &Path, document: &Path, workspace: &Path) -> Result<(), String> {
    let settings =
        clientgen::Config::load(&root.join("conformance/jupyter/settings.toml")).map_err(|d| d.to_string())?.into_api();
    let generated = clientgen::generate(Source::file(document), &Options::new(CRATE).settings(settings))
        .map_err(|errors| errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))?;
    for warning in &generated.warnings {
        eprintln!("{warning}");
    }
    let _ = fs::remove_dir_all(workspace);
    let out = workspace.join(CRATE);
    crate::corpus::write_files(&out, &generated.files)?;
    fs::create_dir_all(out.join("tests")).map_err(|e| e.to_string())?;
    fs::copy(root.join("conformance/jupyter/live.rs"), out.join("tests/live.rs")).map_err(|e| e.to_string())?;
    fs::write(workspace.join("Cargo.toml"), format!("[workspace]\nresolver = \"3\"\nmembers = [\"{CRATE}\"]\n"))
        .map_err(|e| e.to_string())?;
    fs::copy(root.join("Cargo.lock"), workspace.join("Cargo.lock")).map_err(|e| e.to_string())?;
    Ok(())
}

/// `jupyter server` on a free loopback port with `token`, its files in a scratch folder and
/// its configuration, data and runtime folders under `work` (nothing of the user's is read).
fn start_server(work: &Path, python: &Path, token: &str) -> Result<(Running, String), String> {
    let port = free_port()?;
    let notebooks = work.join("root");
    let _ = fs::remove_dir_all(&notebooks);
    for dir in [&notebooks, &work.join("config"), &work.join("data"), &work.join("runtime")] {
        fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    let log_path = work.join("server.log");
    let log = fs::File::create(&log_path).map_err(|e| e.to_string())?;
    let child = Command::new(python)
        .args(["-m", "jupyter_server", "--ServerApp.ip=127.0.0.1", "--ServerApp.open_browser=False"])
        .arg(format!("--ServerApp.port={port}"))
        .arg("--ServerApp.port_retries=0")
        // CI machines run as root; the server refuses that unless told.
        .arg("--ServerApp.allow_root=True")
        .arg(format!("--IdentityProvider.token={token}"))
        .arg(format!("--ServerApp.root_dir={}", notebooks.display()))
        .env("JUPYTER_CONFIG_DIR", work.join("config"))
        .env("JUPYTER_DATA_DIR", work.join("data"))
        .env("JUPYTER_RUNTIME_DIR", work.join("runtime"))
        .env("IPYTHONDIR", work.join("config"))
        .stdin(Stdio::null())
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log)
        .spawn()
        .map_err(|e| format!("cannot start jupyter server: {e}"))?;
    let mut running = Running { name: "jupyter server".into(), child, _stdin: None };
    eprintln!("    started {} (pid {}) on port {port}", running.name, running.child.id());
    wait_for_port(port, &mut running, &log_path)?;
    Ok((running, format!("http://127.0.0.1:{port}")))
}

//! `conformance`: the generated clients against an independent mock (Stoplight Prism), and
//! the examples against Prism and against a server on a bad day.

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

/// Runs of Prism's dynamic mode per operation.
const DYNAMIC_RUNS: &str = "5";

/// A child process stopped (by its PID) when dropped, whatever happened meanwhile.
pub struct Running {
    pub name: String,
    pub child: Child,
    pub _stdin: Option<ChildStdin>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        eprintln!("    stopped {} (pid {})", self.name, self.child.id());
    }
}

pub fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"))
}

/// Prism, pinned by `tools/prism/package-lock.json`, installed there when missing.
fn prism(root: &Path) -> Result<PathBuf, String> {
    npm_tool(root, "prism", "prism")
}

/// The command `bin` of the npm project `tools/<tool>`, pinned by its `package-lock.json`
/// and installed there (`npm ci`) when missing.
pub fn npm_tool(root: &Path, tool: &str, bin: &str) -> Result<PathBuf, String> {
    npm_project(root, tool, &Path::new("node_modules/.bin").join(bin))
}

/// The npm project `tools/<tool>`, installed (`npm ci`, pinned by its `package-lock.json`)
/// unless `installed` (a path inside it) exists; the path of `installed`.
pub fn npm_project(root: &Path, tool: &str, installed: &Path) -> Result<PathBuf, String> {
    let dir = root.join("tools").join(tool);
    let path = dir.join(installed);
    if !path.exists() {
        eprintln!("==> installing tools/{tool} (npm ci)");
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir)
            .status()
            .map_err(|e| format!("cannot run npm (is Node.js installed?): {e}"))?;
        if !status.success() || !path.exists() {
            return Err(format!("npm ci in tools/{tool} failed"));
        }
    }
    Ok(path)
}

pub fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

pub fn wait_for_port(port: u16, process: &mut Running, log: &Path) -> Result<(), String> {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(90) {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        if let Ok(Some(status)) = process.child.try_wait() {
            let output = std::fs::read_to_string(log).unwrap_or_default();
            return Err(format!("{} exited ({status}) before listening:\n{output}", process.name));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Err(format!("{} did not listen on port {port} within 90 s", process.name))
}

/// Starts `prism mock` for one spec; returns the process and its base URL.
fn start_prism(
    root: &Path,
    prism: &Path,
    module: &str,
    spec: &Path,
    dynamic: bool,
) -> Result<(Running, String), String> {
    let port = free_port()?;
    let logs = target_dir(root).join("conformance");
    std::fs::create_dir_all(&logs).map_err(|e| e.to_string())?;
    let log_path = logs.join(format!("prism-{module}{}.log", if dynamic { "-dynamic" } else { "" }));
    let log = std::fs::File::create(&log_path).map_err(|e| e.to_string())?;
    let mut command = Command::new(prism);
    command.args(["mock", "--host", "127.0.0.1", "--port", &port.to_string()]);
    if dynamic {
        command.arg("--dynamic");
    }
    command.arg(spec);
    let child = command
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log)
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start Prism: {e}"))?;
    let mut running =
        Running { name: format!("prism {module}{}", if dynamic { " --dynamic" } else { "" }), child, _stdin: None };
    eprintln!("    started {} (pid {}) on port {port}", running.name, running.child.id());
    wait_for_port(port, &mut running, &log_path)?;
    Ok((running, format!("http://127.0.0.1:{port}")))
}

/// `(module, base URL)` of each API's server.
type Urls = Vec<(String, String)>;

/// Each vendored document as its overlays correct it, written where Prism can read it: the
/// module and the file. The vendor's file itself stays as published.
pub fn corrected_documents(root: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let config = clientgen::config::Config::load(&root.join("specs/codegen.toml")).map_err(|d| d.to_string())?;
    let folder = target_dir(root).join("conformance/documents");
    std::fs::create_dir_all(&folder).map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    let mut documents = Vec::new();
    for api in &config.apis {
        let tree = clientgen::corrected_document(&root.join("specs").join(&api.spec), api)
            .map_err(|errors| errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))?;
        let path = folder.join(format!("{}.json", api.module));
        let text = serde_json::to_string_pretty(&tree).map_err(|e| e.to_string())?;
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        documents.push((api.module.clone(), path));
    }
    Ok(documents)
}

/// One Prism per vendored document; the processes and where each API is served.
fn start_mocks(root: &Path, prism: &Path, dynamic: bool) -> Result<(Vec<Running>, Urls), String> {
    let mut running = Vec::new();
    let mut urls = Vec::new();
    for (module, spec) in corrected_documents(root)? {
        let (process, url) = start_prism(root, prism, &module, &spec, dynamic)?;
        running.push(process);
        urls.push((module, url));
    }
    Ok((running, urls))
}

fn url_of<'u>(urls: &'u [(String, String)], module: &str) -> &'u str {
    urls.iter().find(|(m, _)| m == module).map(|(_, url)| url.as_str()).unwrap_or_default()
}

fn run_checks(root: &Path, urls: &[(String, String)], dynamic: bool) -> Result<(), String> {
    let bin = target_dir(root).join("debug/conformance");
    let mut command = Command::new(bin);
    command.args(["check", "--root"]).arg(root);
    for (module, url) in urls {
        command.args(["--api", &format!("{module}={url}")]);
    }
    if dynamic {
        command.args(["--dynamic", DYNAMIC_RUNS]);
    }
    let status = command.status().map_err(|e| format!("cannot run the conformance checks: {e}"))?;
    if status.success() { Ok(()) } else { Err("conformance checks failed".into()) }
}

/// The examples, each with the arguments a user would give. The Security Console's two run
/// against the hostile server only: Prism's static answers are the document's own examples,
/// which contradict its schemas (the checks name them), and its dynamic answers count pages
/// and report states at random, so neither makes a run that ends.
fn examples(root: &Path, with_console: bool) -> Vec<(&'static str, Vec<String>)> {
    let out = target_dir(root).join("conformance/inventory.csv");
    let report = target_dir(root).join("conformance/report.gz");
    let mut examples = vec![
        ("invicti_list_targets", vec![]),
        ("invicti_upload_and_link", vec![root.join("specs/invicti.yaml").display().to_string()]),
        ("invicti_export_csv", vec![out.display().to_string()]),
        ("insightvm_critical_assets", vec![]),
        ("insightvm_scan_and_wait", vec!["f5f1e1a6-4d1b-4b1d-9a51-0a1b2c3d4e5f-default-asset-7".into()]),
    ];
    if with_console {
        examples.push(("insightvm_console_sites", vec![]));
        examples.push(("insightvm_console_report", vec!["17".into(), report.display().to_string()]));
    }
    examples
}

fn run_examples(root: &Path, urls: &[(String, String)], against: &str) -> Result<(usize, usize), String> {
    let (mut passed, mut failed) = (0, 0);
    let with_console = !url_of(urls, "insightvm_console").is_empty();
    for (name, args) in examples(root, with_console) {
        let bin = target_dir(root).join("debug/examples").join(name);
        let output = Command::new(&bin)
            .args(&args)
            .env("INVICTI_BASE_URL", url_of(urls, "invicti"))
            .env("INVICTI_API_KEY", "conformance-invicti-key")
            .env("INSIGHTVM_BASE_URL", url_of(urls, "insightvm"))
            .env("INSIGHTVM_API_KEY", "conformance-insightvm-key")
            .env("INSIGHTVM_SCAN_TIMEOUT_SECS", "60")
            .env("INSIGHTVM_CONSOLE_URL", url_of(urls, "insightvm_console"))
            .env("INSIGHTVM_CONSOLE_USER", "conformance")
            .env("INSIGHTVM_CONSOLE_PASSWORD", "conformance-password")
            .env("INSIGHTVM_CONSOLE_TOKEN", "123456")
            .env("INSIGHTVM_CONSOLE_REPORT_TIMEOUT_SECS", "60")
            .output()
            .map_err(|e| format!("cannot run example {name}: {e}"))?;
        let lines = String::from_utf8_lossy(&output.stdout).lines().count();
        if output.status.success() {
            passed += 1;
            println!("PASS example {name} against {against}: {lines} line(s) on stdout");
        } else {
            failed += 1;
            println!(
                "FAIL example {name} against {against}: {}\n{}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
    Ok((passed, failed))
}

/// The conformance tool's own server on a bad day; returns it and its URL.
fn start_hostile(root: &Path) -> Result<(Running, String), String> {
    let bin = target_dir(root).join("debug/conformance");
    let mut child = Command::new(bin)
        .arg("hostile")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the hostile server: {e}"))?;
    let stdin = child.stdin.take();
    let stdout = child.stdout.take().ok_or("no stdout from the hostile server")?;
    let mut running = Running { name: "hostile server".into(), child, _stdin: stdin };
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).map_err(|e| e.to_string())?;
    let url = line.strip_prefix("READY ").map(|u| u.trim().to_owned()).ok_or_else(|| {
        let _ = running.child.kill();
        format!("the hostile server did not start: {line}")
    })?;
    eprintln!("    started hostile server (pid {}) at {url}", running.child.id());
    Ok((running, url))
}

pub fn run(root: &Path) -> Result<(), String> {
    let prism = prism(root)?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    eprintln!("==> building the conformance tool and the examples");
    let status = Command::new(&cargo)
        .args([
            "build",
            "--quiet",
            "-p",
            "conformance",
            "-p",
            "secops-clients",
            "--examples",
            "--bins",
            "--all-features",
        ])
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("building the conformance tool failed".into());
    }
    let mut failures = Vec::new();

    eprintln!("==> every operation against Prism (static answers, then each documented error status)");
    {
        let (_mocks, urls) = start_mocks(root, &prism, false)?;
        if let Err(e) = run_checks(root, &urls, false) {
            failures.push(e);
        }
        eprintln!("==> the examples against Prism");
        let without_console: Vec<(String, String)> =
            urls.iter().filter(|(module, _)| module != "insightvm_console").cloned().collect();
        let (passed, failed) = run_examples(root, &without_console, "Prism")?;
        println!("examples against Prism: {passed} passed, {failed} failed");
        if failed > 0 {
            failures.push(format!("{failed} example(s) failed against Prism"));
        }
    }

    eprintln!("==> every operation against Prism's dynamic mode ({DYNAMIC_RUNS} random answers each)");
    {
        let (_mocks, urls) = start_mocks(root, &prism, true)?;
        if let Err(e) = run_checks(root, &urls, true) {
            failures.push(e);
        }
    }

    eprintln!("==> the examples against a server that throttles and sends values the spec does not list");
    {
        let (_hostile, url) = start_hostile(root)?;
        let modules = corrected_documents(root)?.into_iter().map(|(module, _)| module);
        let urls: Vec<(String, String)> = modules.map(|module| (module, url.clone())).collect();
        let (passed, failed) = run_examples(root, &urls, "the hostile server")?;
        println!("examples against the hostile server: {passed} passed, {failed} failed");
        if failed > 0 {
            failures.push(format!("{failed} example(s) failed against the hostile server"));
        }
    }

    if failures.is_empty() { Ok(()) } else { Err(failures.join("; ")) }
}

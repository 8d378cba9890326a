//! `bench`: codegen speed, generated-code compile cost, client throughput and memory, each
//! measured beside its reference in the same run; writes BENCHMARKS.md.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::corpus::corpus_dir;

/// Large corpus documents timed besides the vendored specs.
const LARGE: &[&str] = &["oxide-nexus.json", "stripe-spec3.yaml", "datadog-v2.yaml", "box-openapi.json"];
const PROGENITOR_VERSION: &str = "0.14.0";

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

fn run(command: &mut Command, what: &str) -> Result<String, String> {
    let output = command.output().map_err(|e| format!("cannot run {what}: {e}"))?;
    if !output.status.success() {
        return Err(format!("{what} failed:\n{}", String::from_utf8_lossy(&output.stderr)));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn timed(command: &mut Command, what: &str) -> Result<f64, String> {
    let started = Instant::now();
    run(command, what)?;
    Ok(started.elapsed().as_secs_f64())
}

/// `bench-codegen`: in-process codegen medians, run by the release build of this binary.
pub fn codegen_timings(root: &Path) -> Result<(), String> {
    let mut samples = Vec::new();
    for _ in 0..11 {
        let started = Instant::now();
        clientgen::generate_project(root).map_err(|e| format!("{e:?}"))?;
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    println!("vendored\t{:.1}", median(samples));
    let corpus = corpus_dir(root);
    for name in LARGE {
        let path = corpus.join(name);
        let mut samples = Vec::new();
        for _ in 0..5 {
            let started = Instant::now();
            clientgen::generate_standalone(&path, "bench-client").map_err(|e| format!("{name}: {e:?}"))?;
            samples.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        println!("{name}\t{:.1}", median(samples));
    }
    Ok(())
}

fn rust_lines(dir: &Path) -> usize {
    let mut total = 0;
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                total += rust_lines(&path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                total += fs::read_to_string(&path).map(|t| t.lines().count()).unwrap_or(0);
            }
        }
    }
    total
}

fn json_field(line: &str, key: &str) -> f64 {
    let value: serde_json::Value = serde_json::from_str(line.trim()).unwrap_or_default();
    value[key].as_f64().unwrap_or(f64::NAN)
}

struct Budget {
    name: &'static str,
    measured: String,
    limit: String,
    pass: bool,
}

pub fn bench(root: &Path) -> Result<(), String> {
    let corpus = corpus_dir(root);
    let nexus = corpus.join("oxide-nexus.json");
    if !nexus.is_file() {
        return Err(format!("no corpus at {} (set CORPUS_DIR)", corpus.display()));
    }
    let work = root.join("target/bench");
    let _ = fs::remove_dir_all(&work);
    fs::create_dir_all(&work).map_err(|e| e.to_string())?;

    eprintln!("==> release builds of the generator CLI and the runtime benchmarks");
    run(
        Command::new(cargo()).args(["build", "--release", "--quiet", "-p", "xtask", "-p", "bench"]).current_dir(root),
        "cargo build --release",
    )?;
    let ours = root.join("target/release/xtask");

    let tools = root.join(".tools/progenitor");
    let progenitor = tools.join("bin/cargo-progenitor");
    if !progenitor.exists() {
        eprintln!("==> installing cargo-progenitor {PROGENITOR_VERSION} into .tools/progenitor (the reference)");
        run(
            Command::new(cargo())
                .args(["install", "cargo-progenitor", "--locked", "--version", PROGENITOR_VERSION, "--root"])
                .arg(&tools),
            "cargo install cargo-progenitor",
        )?;
    }

    eprintln!("==> 1. codegen wall time");
    let timings = run(Command::new(&ours).arg("bench-codegen").current_dir(root), "bench-codegen")?;
    let timings: Vec<(String, f64)> = timings
        .lines()
        .filter_map(|l| l.split_once('\t').and_then(|(n, v)| v.parse().ok().map(|v| (n.to_owned(), v))))
        .collect();
    let vendored_ms = timings.iter().find(|(n, _)| n == "vendored").map(|t| t.1).unwrap_or(f64::NAN);

    // End to end, process to process, on nexus: read, generate, format, write.
    let ours_out = work.join("ws/ours");
    let theirs_out = work.join("ws/progenitor");
    let (mut ours_s, mut theirs_s) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        ours_s.push(timed(
            Command::new(&ours).arg("generate").arg(&nexus).arg("--out").arg(&ours_out).args(["--name", "nexus-ours"]),
            "our generator",
        )?);
        let _ = fs::remove_dir_all(&theirs_out);
        theirs_s.push(timed(
            Command::new(&progenitor).args(["progenitor", "-i"]).arg(&nexus).arg("-o").arg(&theirs_out).args([
                "-n",
                "nexus-progenitor",
                "-v",
                "0.1.0",
                "--interface",
                "builder",
            ]),
            "cargo progenitor",
        )?);
    }
    let (ours_e2e, theirs_e2e) = (median(ours_s), median(theirs_s));

    eprintln!("==> 2. generated code cost on oxide-nexus");
    fs::write(
        work.join("ws/Cargo.toml"),
        "[workspace]\nresolver = \"3\"\nmembers = [\"ours\", \"progenitor\"]\n\n[profile.dev]\ndebug = 0\n",
    )
    .map_err(|e| e.to_string())?;
    let nexus_text = fs::read_to_string(&nexus).map_err(|e| format!("cannot read {}: {e}", nexus.display()))?;
    let operations = clientgen::lower_text(&nexus_text, "oxide-nexus.json", &Default::default())
        .map(|(api, _)| api.operations.len() as f64)
        .map_err(|_| "oxide-nexus.json does not lower".to_owned())?;
    let target = work.join("target");
    let check = |package: &str| -> Result<f64, String> {
        timed(
            Command::new(cargo())
                .args(["check", "--quiet", "-p", package])
                .current_dir(work.join("ws"))
                // The whole crate is checked each time, as on a clean build of a user's project.
                .env("CARGO_INCREMENTAL", "0")
                .env("CARGO_TARGET_DIR", &target),
            &format!("cargo check -p {package}"),
        )
    };
    // Dependencies first, then the crates alone, alternating, after touching their sources.
    check("nexus-ours")?;
    check("nexus-progenitor")?;
    let (mut ours_check, mut theirs_check) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        touch(&ours_out.join("src/lib.rs"))?;
        ours_check.push(check("nexus-ours")?);
        touch(&theirs_out.join("src/lib.rs"))?;
        theirs_check.push(check("nexus-progenitor")?);
    }
    let (ours_check, theirs_check) = (median(ours_check), median(theirs_check));
    let (ours_lines, theirs_lines) = (rust_lines(&ours_out.join("src")), rust_lines(&theirs_out.join("src")));

    eprintln!("==> 3-5. decode, pagination, request overhead (release)");
    let bench_bin = root.join("target/release/bench");
    let decode = run(Command::new(&bench_bin).arg("decode"), "bench decode")?;
    let small = run(Command::new(&bench_bin).args(["paginate", "10000"]), "bench paginate 10000")?;
    let large = run(Command::new(&bench_bin).args(["paginate", "100000"]), "bench paginate 100000")?;
    let overhead = run(Command::new(&bench_bin).args(["overhead", "10000"]), "bench overhead")?;

    let rss_delta_mb = (json_field(&large, "peak_rss_kb") - json_field(&small, "peak_rss_kb")) / 1024.0;
    let check_ratio = (ours_check / operations) / (theirs_check / operations);
    let budgets = vec![
        Budget {
            name: "codegen of both vendored specs",
            measured: format!("{vendored_ms:.0} ms"),
            limit: "< 150 ms".into(),
            pass: vendored_ms < 150.0,
        },
        Budget {
            name: "codegen of oxide-nexus vs progenitor (end to end)",
            measured: format!("{ours_e2e:.2} s vs {theirs_e2e:.2} s ({:.2}×)", ours_e2e / theirs_e2e),
            limit: "≤ 1.00×".into(),
            pass: ours_e2e <= theirs_e2e,
        },
        Budget {
            name: "`cargo check` per operation vs progenitor builder style",
            measured: format!("{check_ratio:.2}×"),
            limit: "≤ 0.50×".into(),
            pass: check_ratio <= 0.5,
        },
        Budget {
            name: "decode throughput vs hand-written struct",
            measured: format!("{:.3}×", json_field(&decode, "ratio")),
            limit: "≥ 0.95×".into(),
            pass: json_field(&decode, "ratio") >= 0.95,
        },
        Budget {
            name: "peak RSS, 100k vs 10k streamed assets",
            measured: format!("{rss_delta_mb:+.1} MB"),
            limit: "< 10 MB".into(),
            pass: rss_delta_mb < 10.0,
        },
        Budget {
            name: "request overhead vs raw reqwest",
            measured: format!("{:.3}×", json_field(&overhead, "ratio")),
            limit: "≤ 1.05×".into(),
            pass: json_field(&overhead, "ratio") <= 1.05,
        },
    ];

    let mut md = String::new();
    let _ = writeln!(md, "# Benchmarks\n");
    let _ = writeln!(
        md,
        "Reproduce with `cargo xtask bench` (needs the corpus beside the project, or `CORPUS_DIR`; installs \
         cargo-progenitor {PROGENITOR_VERSION} into `.tools/progenitor` on first use). Every comparison below was \
         measured side by side in one run on the same machine; ratios matter more than absolute figures on a shared \
         machine.\n"
    );
    let _ = writeln!(md, "Machine: {}.\n", machine());
    let _ = writeln!(md, "## Budgets\n\n| budget | measured | limit | result |\n|---|---|---|---|");
    for b in &budgets {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} |",
            b.name,
            b.measured,
            b.limit,
            if b.pass { "pass" } else { "**FAIL**" }
        );
    }
    let _ = writeln!(md, "\n## 1. Codegen wall time\n");
    let _ = writeln!(md, "In process (load, lower, render, format; no writing), release build, median:\n");
    let _ = writeln!(md, "| input | ms |\n|---|---:|");
    for (name, ms) in &timings {
        let label = if name == "vendored" { "both vendored specs (`cargo xtask codegen`)" } else { name.as_str() };
        let _ = writeln!(md, "| {label} | {ms:.0} |");
    }
    let _ = writeln!(
        md,
        "\nEnd to end on `oxide-nexus.json` (process start, read, generate, format, write; median of 5):\n\n\
         | tool | seconds |\n|---|---:|\n| ours (`xtask generate`, release) | {ours_e2e:.2} |\n\
         | progenitor {PROGENITOR_VERSION} (`cargo progenitor --interface builder`) | {theirs_e2e:.2} |\n"
    );
    let _ = writeln!(md, "## 2. Generated code cost on oxide-nexus ({operations:.0} operations)\n");
    let _ = writeln!(
        md,
        "`cargo check` of the generated crate alone (dependencies prebuilt, sources touched, not incremental, median of 5):\n\n\
         | | lines | lines/op | check s | check ms/op |\n|---|---:|---:|---:|---:|\n\
         | ours (builder style) | {ours_lines} | {:.0} | {ours_check:.2} | {:.1} |\n\
         | progenitor (builder style) | {theirs_lines} | {:.0} | {theirs_check:.2} | {:.1} |\n\nRatio per operation: {check_ratio:.2}×.\n",
        ours_lines as f64 / operations,
        ours_check * 1000.0 / operations,
        theirs_lines as f64 / operations,
        theirs_check * 1000.0 / operations,
    );
    let _ = writeln!(
        md,
        "## 3. Decode throughput\n\nA deterministic 500-asset InsightVM search page ({:.2} MB, findings, tags, identifiers) \
         through the client's own decode path, against `reqwest`'s `.json()` into a minimal hand-written struct of the \
         same fields (median of 15 rounds of 40 decodes):\n\n| | MB/s |\n|---|---:|\n| generated model | {:.0} |\n\
         | hand-written struct | {:.0} |\n\nRatio: {:.3}.\n",
        json_field(&decode, "page_bytes") / 1e6,
        json_field(&decode, "generated_mb_s"),
        json_field(&decode, "hand_written_mb_s"),
        json_field(&decode, "ratio"),
    );
    let _ = writeln!(
        md,
        "## 4. Pagination\n\n`search_assets().size(500).into_stream()` against a loopback hyper server (pages built on \
         the fly); each total in its own process:\n\n| assets | items/s | peak RSS MB |\n|---:|---:|---:|\n\
         | 10,000 | {:.0} | {:.1} |\n| 100,000 | {:.0} | {:.1} |\n\nPeak RSS difference: {rss_delta_mb:+.1} MB.\n",
        json_field(&small, "items_per_s"),
        json_field(&small, "peak_rss_kb") / 1024.0,
        json_field(&large, "items_per_s"),
        json_field(&large, "peak_rss_kb") / 1024.0,
    );
    let _ = writeln!(
        md,
        "## 5. Request overhead\n\n10,000 sequential small requests (`GET /v4/integration/scan/{{id}}`, decoded), the \
         generated client and plain `reqwest` (same header, same decode into a small struct) in 20 rounds of 500 each, \
         taking turns at going first, against one loopback hyper server (median per round):\n\n| | µs/request |\n|---|---:|\n\
         | generated client | {:.1} |\n| raw reqwest | {:.1} |\n\nRatio: {:.3} (median of the 20 rounds' ratios).",
        json_field(&overhead, "generated_us"),
        json_field(&overhead, "reqwest_us"),
        json_field(&overhead, "ratio"),
    );
    fs::write(root.join("BENCHMARKS.md"), &md).map_err(|e| format!("cannot write BENCHMARKS.md: {e}"))?;
    println!("{md}");
    let failed: Vec<&str> = budgets.iter().filter(|b| !b.pass).map(|b| b.name).collect();
    if failed.is_empty() { Ok(()) } else { Err(format!("budgets not met: {}", failed.join("; "))) }
}

fn touch(path: &PathBuf) -> Result<(), String> {
    let text = fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    fs::write(path, text).map_err(|e| format!("cannot touch {}: {e}", path.display()))
}

fn machine() -> String {
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let memory = fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| t.lines().next().and_then(|l| l.split_whitespace().nth(1)).and_then(|kb| kb.parse::<f64>().ok()))
        .map(|kb| format!("{:.0} GiB", kb / 1024.0 / 1024.0))
        .unwrap_or_default();
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    format!("{cpu}, {cores} cores, {memory}, {}", rustc.unwrap_or_default())
}

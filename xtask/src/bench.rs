//! `bench`: codegen speed, generated-code compile cost, client throughput and memory, each
//! measured beside its reference in the same run; writes BENCHMARKS.md.
//!
//! Method: a comparison is measured in pairs, the two sides taking turns, at least
//! [`PAIRS`] times; each pair gives one ratio, and the verdict is on the median ratio
//! (reported with the smallest and largest), so one disturbed pair on this shared machine
//! cannot flip a budget.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use clientgen::{Options, Source};

use crate::corpus::corpus_dir;

mod peers;

/// Large corpus documents timed besides the vendored specs.
const LARGE: &[&str] = &["oxide-nexus.json", "stripe-spec3.yaml", "datadog-v2.yaml", "box-openapi.json"];
const PROGENITOR_VERSION: &str = peers::PROGENITOR.version;
/// Paired runs per comparison.
const PAIRS: usize = 7;

/// The commit whose generated crate issue 29 measured (the console module's share 4.98 s
/// then): its goal, the module's check at most half of that, is judged against that crate
/// checked in the same run, not against a figure from another day of this machine.
const CONSOLE_FILED_AT: &str = "8efd47be899f1b577d8ed3f049f2f96a6fda41a0";

/// The module goal: its share of the check against the same share at [`CONSOLE_FILED_AT`].
const CONSOLE_MODULE_LIMIT: f64 = 0.5;
/// The in-process codegen budgets, in billions of instructions: the former 600 ms (stripe)
/// and 300 ms (vendored) at the quiet machine's 11.9 G instructions per second, rounded down.
const STRIPE_LIMIT_G: f64 = 7.0;
const VENDORED_LIMIT_G: f64 = 3.5;

/// Measurements of one quantity.
#[derive(Debug, Clone, Default)]
struct Samples(Vec<f64>);

impl Samples {
    fn median(&self) -> f64 {
        let mut values = self.0.clone();
        values.sort_by(f64::total_cmp);
        values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
    }

    fn min(&self) -> f64 {
        self.0.iter().copied().fold(f64::INFINITY, f64::min)
    }

    fn max(&self) -> f64 {
        self.0.iter().copied().fold(f64::NEG_INFINITY, f64::max)
    }

    /// Each pair's ratio `self / other`.
    fn ratios(&self, other: &Samples) -> Samples {
        Samples(self.0.iter().zip(&other.0).map(|(a, b)| a / b).collect())
    }

    /// `median (min–max)` with `digits` decimals and `unit` after each figure.
    fn show(&self, digits: usize, unit: &str) -> String {
        format!("{:.digits$}{unit} ({:.digits$}–{:.digits$}{unit})", self.median(), self.min(), self.max())
    }
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

/// Instructions (billions) that one in-process generation executes, all threads together,
/// counted by valgrind's callgrind: `bench-codegen` with `args`. Unlike a time, the count
/// is the same whatever else the machine is doing (two counts differ by about 0.02%).
fn instructions(setup: &Setup, args: &[&str]) -> Result<f64, String> {
    let output = Command::new("valgrind")
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        .arg(&setup.ours)
        .arg("bench-codegen")
        .args(args)
        .current_dir(&setup.root)
        .output()
        .map_err(|e| format!("cannot run valgrind ({e}): install it with `apt-get install valgrind`"))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!("bench-codegen {} under callgrind failed:\n{stderr}", args.join(" ")));
    }
    // The summary line: `==1234== I   refs:      6,427,093,620`.
    stderr
        .lines()
        .find_map(|line| line.split_once("I   refs:").map(|(_, count)| count.trim().replace(',', "")))
        .and_then(|count| count.parse::<f64>().ok())
        .map(|count| count / 1e9)
        .ok_or_else(|| format!("no instruction count in callgrind's output:\n{stderr}"))
}

/// Runs `a` then `b` (then `b` then `a`, taking turns at going first) [`PAIRS`] times.
fn paired(
    mut a: impl FnMut() -> Result<f64, String>,
    mut b: impl FnMut() -> Result<f64, String>,
) -> Result<(Samples, Samples), String> {
    let (mut first, mut second) = (Samples::default(), Samples::default());
    for round in 0..PAIRS {
        if round % 2 == 0 {
            first.0.push(a()?);
            second.0.push(b()?);
        } else {
            second.0.push(b()?);
            first.0.push(a()?);
        }
    }
    Ok((first, second))
}

/// `bench-codegen`: in-process codegen times (ms), run by the release build of this
/// binary: one line per input, name then every sample. `--once <spec>` and
/// `--once-vendored` generate once and print nothing, for counting instructions.
pub fn codegen_timings(root: &Path, args: &[String]) -> Result<(), String> {
    match args {
        [flag] if flag == "--once-vendored" => {
            let config = project_settings(root)?;
            return clientgen::generate_project(root, &config).map(drop).map_err(|e| format!("{e:?}"));
        }
        [flag, spec] if flag == "--once" => {
            return clientgen::generate(Source::file(Path::new(spec)), &Options::new("bench-client"))
                .map(drop)
                .map_err(|e| format!("{spec}: {e:?}"));
        }
        _ => {}
    }
    let config = project_settings(root)?;
    let mut samples = Vec::new();
    for _ in 0..11 {
        let started = Instant::now();
        clientgen::generate_project(root, &config).map_err(|e| format!("{e:?}"))?;
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    print_samples("vendored", &samples);
    let corpus = corpus_dir(root);
    for name in LARGE {
        let path = corpus.join(name);
        let mut samples = Vec::new();
        for _ in 0..PAIRS {
            let started = Instant::now();
            clientgen::generate(Source::file(&path), &Options::new("bench-client"))
                .map_err(|e| format!("{name}: {e:?}"))?;
            samples.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        print_samples(name, &samples);
    }
    Ok(())
}

fn print_samples(name: &str, samples: &[f64]) {
    let figures: Vec<String> = samples.iter().map(|s| format!("{s:.1}")).collect();
    println!("{name}\t{}", figures.join("\t"));
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

/// A ratio reported by the `bench` binary: median with the smallest and largest round.
fn json_ratio(line: &str) -> String {
    format!(
        "{:.3}× ({:.3}–{:.3}×)",
        json_field(line, "ratio"),
        json_field(line, "ratio_min"),
        json_field(line, "ratio_max")
    )
}

struct Budget {
    name: &'static str,
    measured: String,
    limit: String,
    pass: bool,
}

/// Where the bench works and what it compares against.
struct Setup {
    root: PathBuf,
    work: PathBuf,
    nexus: PathBuf,
    ours: PathBuf,
    progenitor: PathBuf,
}

/// `cargo xtask bench [console]`: every section, written to BENCHMARKS.md; or section 3
/// alone, printed.
pub fn bench(root: &Path, args: &[String]) -> Result<(), String> {
    match args {
        [] => every_section(root),
        [section] if section == "console" => console_alone(root),
        _ => Err("usage: cargo xtask bench [console]".into()),
    }
}

/// Section 3 alone, printed with its budget, BENCHMARKS.md left as it is: to try a change
/// to the generated code against the console module's check time in minutes, not the hour
/// every section takes.
/// It needs neither the release builds nor the peers, only the bench's work directory.
fn console_alone(root: &Path) -> Result<(), String> {
    let work = fresh_work(root)?;
    prepare_secops(root, &work)?;
    eprintln!("==> 3. the InsightVM console module's check time");
    let console = console_section(root, &work)?;
    println!("{}", console.markdown);
    let budgets = console.budgets();
    for budget in &budgets {
        println!("{}: {} (budget {})", budget.name, budget.measured, budget.limit);
    }
    verdict(&budgets)
}

fn every_section(root: &Path) -> Result<(), String> {
    let setup = prepare(root)?;
    eprintln!("==> 1. codegen time");
    let codegen = codegen_section(&setup)?;
    let peers = peers::measure(&setup)?;
    prepare_secops(root, &setup.work)?;
    eprintln!("==> 3. the InsightVM console module's check time");
    let console = console_section(root, &setup.work)?;
    eprintln!("==> 4-6. decode, pagination, request overhead (release)");
    let client = client_section(&setup)?;

    let mut budgets = codegen.budgets();
    budgets.push(peers::budget(&peers));
    budgets.extend(console.budgets());
    budgets.extend(client.budgets());
    let md = report(&budgets, &[codegen.markdown(), peers::markdown(&peers), console.markdown, client.markdown()]);
    fs::write(root.join("BENCHMARKS.md"), &md).map_err(|e| format!("cannot write BENCHMARKS.md: {e}"))?;
    println!("{md}");
    verdict(&budgets)
}

/// Whether every budget passed; the error names the ones that did not.
fn verdict(budgets: &[Budget]) -> Result<(), String> {
    let failed: Vec<&str> = budgets.iter().filter(|b| !b.pass).map(|b| b.name).collect();
    if failed.is_empty() { Ok(()) } else { Err(format!("budgets not met: {}", failed.join("; "))) }
}

/// The bench's work directory, emptied (the previous run's workspaces and targets).
fn fresh_work(root: &Path) -> Result<PathBuf, String> {
    let work = root.join("target/bench");
    let _ = fs::remove_dir_all(&work);
    fs::create_dir_all(work.join("ws")).map_err(|e| e.to_string())?;
    Ok(work)
}

/// Release builds of ours and of the benchmarks; progenitor installed on first use.
fn prepare(root: &Path) -> Result<Setup, String> {
    let nexus = corpus_dir(root).join("oxide-nexus.json");
    if !nexus.is_file() {
        return Err(format!("no corpus at {} (set CORPUS_DIR)", corpus_dir(root).display()));
    }
    let work = fresh_work(root)?;
    eprintln!("==> release builds of the generator CLI and the runtime benchmarks");
    run(
        Command::new(cargo()).args(["build", "--release", "--quiet", "-p", "xtask", "-p", "bench"]).current_dir(root),
        "cargo build --release",
    )?;
    let progenitor = peers::install(root, &peers::PROGENITOR)?;
    Ok(Setup { root: root.to_owned(), ours: root.join("target/release/xtask"), work, nexus, progenitor })
}

struct Codegen {
    /// Input → in-process samples (ms).
    timings: Vec<(String, Samples)>,
    /// Instructions (billions) of one generation under callgrind, counted twice each.
    stripe_instructions: Samples,
    vendored_instructions: Samples,
    ours_e2e: Samples,
    theirs_e2e: Samples,
}

fn codegen_section(setup: &Setup) -> Result<Codegen, String> {
    let output = run(Command::new(&setup.ours).arg("bench-codegen").current_dir(&setup.root), "bench-codegen")?;
    let timings = output
        .lines()
        .filter_map(|line| {
            let mut fields = line.split('\t');
            let name = fields.next()?.to_owned();
            Some((name, Samples(fields.filter_map(|v| v.parse().ok()).collect())))
        })
        .collect();
    // End to end, process to process, on nexus: read, generate, format, write.
    let (ours_out, theirs_out) = (setup.work.join("ws/ours"), setup.work.join("ws/progenitor"));
    let (ours_e2e, theirs_e2e) = paired(
        || {
            timed(
                Command::new(&setup.ours)
                    .arg("generate")
                    .arg(&setup.nexus)
                    .arg("--out")
                    .arg(&ours_out)
                    .args(["--name", "nexus-ours"]),
                "our generator",
            )
        },
        || {
            let _ = fs::remove_dir_all(&theirs_out);
            timed(
                Command::new(&setup.progenitor)
                    .args(["progenitor", "-i"])
                    .arg(&setup.nexus)
                    .arg("-o")
                    .arg(&theirs_out)
                    .args(["-n", "nexus-progenitor", "-v", "0.1.0", "--interface", "builder"]),
                "cargo progenitor",
            )
        },
    )?;
    eprintln!("==> 1b. codegen instructions (callgrind)");
    let stripe = corpus_dir(&setup.root).join("stripe-spec3.yaml");
    let stripe_arg = stripe.to_string_lossy().into_owned();
    let mut stripe_instructions = Samples::default();
    let mut vendored_instructions = Samples::default();
    for _ in 0..2 {
        stripe_instructions.0.push(instructions(setup, &["--once", &stripe_arg])?);
        vendored_instructions.0.push(instructions(setup, &["--once-vendored"])?);
    }
    Ok(Codegen { timings, stripe_instructions, vendored_instructions, ours_e2e, theirs_e2e })
}

impl Codegen {
    fn timing(&self, name: &str) -> Samples {
        self.timings.iter().find(|(n, _)| n == name).map(|(_, s)| s.clone()).unwrap_or_default()
    }

    fn budgets(&self) -> Vec<Budget> {
        let vendored = self.timing("vendored");
        let stripe = self.timing("stripe-spec3.yaml");
        let ratio = self.ours_e2e.ratios(&self.theirs_e2e);
        vec![
            Budget {
                name: "codegen of oxide-nexus vs progenitor (end to end)",
                measured: ratio.show(2, "×"),
                limit: "≤ 0.20×".into(),
                pass: ratio.median() <= 0.2,
            },
            instruction_budget(
                "codegen of stripe-spec3.yaml in process, instructions (600 ms at the quiet rate)",
                &self.stripe_instructions,
                &stripe,
                STRIPE_LIMIT_G,
            ),
            instruction_budget(
                "codegen of the vendored specs (3 APIs, 348 operations) in process, instructions (300 ms at the quiet rate)",
                &self.vendored_instructions,
                &vendored,
                VENDORED_LIMIT_G,
            ),
        ]
    }

    fn markdown(&self) -> String {
        let mut md = String::from(
            "## 1. Codegen time and instructions\n\nIn process (load, lower, render, format; no writing), release build; \
             median (min–max) of 11 runs for the vendored specs, 7 for the others:\n\n| input | ms |\n|---|---:|\n",
        );
        for (name, samples) in &self.timings {
            let label = if name == "vendored" { "the vendored specs (`cargo xtask codegen`)" } else { name.as_str() };
            let _ = writeln!(md, "| {label} | {} |", samples.show(0, ""));
        }
        let _ = write!(
            md,
            "\nEnd to end on `oxide-nexus.json` (process start, read, generate, format, write), {PAIRS} paired runs:\n\n\
             | tool | seconds |\n|---|---:|\n| ours (`xtask generate`, release) | {} |\n\
             | progenitor {PROGENITOR_VERSION} (`cargo progenitor --interface builder`) | {} |\n\nRatio per pair: {}.\n",
            self.ours_e2e.show(3, ""),
            self.theirs_e2e.show(3, ""),
            self.ours_e2e.ratios(&self.theirs_e2e).show(2, "×"),
        );
        let _ = write!(
            md,
            "\nInstructions of one generation in process, all threads together, counted by valgrind's callgrind, \
             twice each: stripe {}, the vendored specs {}. The two in-process budgets are judged on these counts: \
             on this shared machine the same binary's wall time moved by up to 1.8× between back-to-back runs \
             (stripe 540, 841 and 941 ms, with oxide-nexus as a control at 45, 74 and 82 ms), while a count \
             repeats to about 0.02%. Each limit ({STRIPE_LIMIT_G:.1} G, {VENDORED_LIMIT_G:.1} G) is the former \
             wall-time budget (600 ms, 300 ms) at the rate both workloads ran at on a quiet machine, 11.9 G \
             instructions per second on the 2 cores (stripe: 6.43 G in 540 ms; the vendored specs: 1.76 G in \
             145 ms), rounded down. The wall times above are measured and reported as before.\n",
            self.stripe_instructions.show(2, " G"),
            self.vendored_instructions.show(2, " G"),
        );
        md
    }
}

/// A budget on instruction counts (billions), judged on the largest, with the wall time
/// (ms) beside them.
fn instruction_budget(name: &'static str, counts: &Samples, wall: &Samples, limit: f64) -> Budget {
    Budget {
        name,
        measured: format!("{} ({} in wall time)", counts.show(2, " G"), wall.show(0, " ms")),
        limit: format!("≤ {limit:.1} G"),
        pass: counts.max() <= limit,
    }
}

/// The workspace of section 3: this project's generated crate.
fn prepare_secops(root: &Path, work: &Path) -> Result<(), String> {
    copy_tree(&root.join("generated"), &work.join("ws/secops"))?;
    fs::write(work.join("ws/Cargo.toml"), BENCH_WORKSPACE).map_err(|e| e.to_string())
}

/// The manifest of a bench workspace holding a generated crate in `secops/`.
const BENCH_WORKSPACE: &str = "[workspace]\nresolver = \"3\"\nmembers = [\"secops\"]\n\n[profile.dev]\ndebug = 0\n";

/// The generated crate as it was at [`CONSOLE_FILED_AT`], with that commit's lock file, in
/// `work/filed/ws/secops` (its own target directory: its dependencies are other versions).
fn prepare_filed(root: &Path, work: &Path) -> Result<PathBuf, String> {
    let filed = work.join("filed");
    let tar = work.join("filed.tar");
    let archive = Command::new("git")
        .args(["archive", "--format=tar", "-o"])
        .arg(&tar)
        .args([CONSOLE_FILED_AT, "generated"])
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run git archive: {e}"))?;
    if !archive.status.success() {
        return Err(format!(
            "the generated crate of commit {CONSOLE_FILED_AT} (the console module's reference) is not in this \
             clone's history (a shallow clone? fetch it with `git fetch --unshallow`): {}",
            String::from_utf8_lossy(&archive.stderr).trim()
        ));
    }
    fs::create_dir_all(filed.join("ws")).map_err(|e| e.to_string())?;
    run(Command::new("tar").arg("-xf").arg(&tar).current_dir(filed.join("ws")), "tar -x")?;
    fs::rename(filed.join("ws/generated"), filed.join("ws/secops")).map_err(|e| e.to_string())?;
    let lock = run(
        Command::new("git").args(["show", &format!("{CONSOLE_FILED_AT}:Cargo.lock")]).current_dir(root),
        "git show Cargo.lock",
    )?;
    fs::write(filed.join("ws/Cargo.lock"), lock).map_err(|e| e.to_string())?;
    fs::write(filed.join("ws/Cargo.toml"), BENCH_WORKSPACE).map_err(|e| e.to_string())?;
    Ok(filed)
}

/// `cargo check` of one package of the bench workspace with these arguments, whole crate
/// (not incremental).
fn check_args(work: &Path, package: &str, arguments: &[&str]) -> Result<f64, String> {
    let mut command = cargo_check(work, &work.join("ws"), package, None);
    timed(command.args(arguments), &format!("cargo check -p {package}"))
}

/// The command that checks `package` of the workspace at `workspace` alone, whole (not
/// incremental), into the bench's shared target directory; stopped after `limit_s`
/// seconds when given.
fn cargo_check(work: &Path, workspace: &Path, package: &str, limit_s: Option<u32>) -> Command {
    let mut command = match limit_s {
        Some(limit) => {
            let mut timeout = Command::new("timeout");
            timeout.arg(limit.to_string()).arg(cargo());
            timeout
        }
        None => Command::new(cargo()),
    };
    command
        .args(["check", "--quiet", "--message-format", "short", "-p", package])
        .current_dir(workspace)
        .env("CARGO_INCREMENTAL", "0")
        .env("CARGO_TARGET_DIR", work.join("target"));
    command
}

/// One `cargo check` the console section times: the work directory whose `ws/` holds the
/// crate (the bench's, or the filed crate's) and the arguments.
struct Check<'a> {
    work: &'a Path,
    arguments: &'a [&'a str],
}

/// `cargo check` of this project's generated crate (no default features) with the whole
/// console module, with one of its tags alone (the 13 operations of `report`, and `site`, its
/// largest with 84), and without it; and of the crate as it was when issue 29 was filed
/// ([`CONSOLE_FILED_AT`], default features) with and without the module: the six taking
/// turns, so each round gives the module's share now and then side by side.
fn console_section(root: &Path, work: &Path) -> Result<Console, String> {
    let filed = prepare_filed(root, work)?;
    let checks = [
        Check { work, arguments: &["--no-default-features", "--features", "insightvm_console"] },
        Check { work, arguments: &["--no-default-features", "--features", "insightvm_console-report"] },
        Check { work, arguments: &["--no-default-features", "--features", "insightvm_console-site"] },
        Check { work, arguments: &["--no-default-features"] },
        Check { work: &filed, arguments: &["--features", "insightvm_console"] },
        Check { work: &filed, arguments: &[] },
    ];
    // Dependencies built before the rounds.
    for check in [&checks[0], &checks[4]] {
        check_args(check.work, "secops-clients", check.arguments)?;
    }
    let mut samples: [Samples; 6] = Default::default();
    for round in 0..PAIRS {
        for turn in 0..checks.len() {
            let which = (round + turn) % checks.len();
            let check = &checks[which];
            touch(&check.work.join("ws/secops/src/lib.rs"))?;
            samples[which].0.push(check_args(check.work, "secops-clients", check.arguments)?);
        }
    }
    let [whole, report, site, none, filed_whole, filed_none] = samples;
    Ok(Console::from_rounds(root, ConsoleRounds { whole, report, site, none, filed_whole, filed_none }))
}

/// The console section's check times (seconds), one sample per round each.
struct ConsoleRounds {
    whole: Samples,
    report: Samples,
    site: Samples,
    none: Samples,
    filed_whole: Samples,
    filed_none: Samples,
}

/// Per round, `(a - b) / (c - d)`.
fn ratio_of_differences(a: &Samples, b: &Samples, c: &Samples, d: &Samples) -> Samples {
    Samples((0..a.0.len()).map(|i| (a.0[i] - b.0[i]) / (c.0[i] - d.0[i])).collect())
}

/// The console section and its budgets.
struct Console {
    markdown: String,
    report_share: Samples,
    /// The module's share now against its share at [`CONSOLE_FILED_AT`], per round.
    against_filed: Samples,
}

impl Console {
    fn from_rounds(root: &Path, rounds: ConsoleRounds) -> Self {
        let ConsoleRounds { whole, report, site, none, filed_whole, filed_none } = rounds;
        let report_share = ratio_of_differences(&report, &none, &whole, &none);
        let site_share = ratio_of_differences(&site, &none, &whole, &none);
        let against_filed = ratio_of_differences(&whole, &none, &filed_whole, &filed_none);
        let difference = |a: &Samples, b: &Samples| Samples(a.0.iter().zip(&b.0).map(|(a, b)| a - b).collect());
        let operations = rust_files(&root.join("generated/src/insightvm_console/operations")).saturating_sub(1);
        let lines = lines_of(&root.join("generated/src/insightvm_console"));
        let short = &CONSOLE_FILED_AT[..8];
        let markdown = format!(
            "## 3. The InsightVM console module\n\n`cargo check` of `generated/` without default features \
             (dependencies prebuilt, sources touched, not incremental), and of the generated crate of commit `{short}` \
             (when issue 29 was filed, default features, its own dependencies), {PAIRS} rounds taking turns:\n\n\
             | crate | features | check s |\n|---|---|---:|\n\
             | now | `insightvm_console` ({operations} operations, 20 tags) | {} |\n\
             | now | `insightvm_console-report` alone (13 operations) | {} |\n\
             | now | `insightvm_console-site` alone (84 operations) | {} |\n\
             | now | none | {} |\n\
             | `{short}` | default + `insightvm_console` | {} |\n\
             | `{short}` | default | {} |\n\n\
             The module's share: {} s ({:.1} ms per operation; {lines} generated lines, {:.0} per operation); at \
             `{short}`: {} s. Now against then, per round: {}. A tag's share of the module's, per round: `report` {}, \
             `site` {}.\n",
            whole.show(2, ""),
            report.show(2, ""),
            site.show(2, ""),
            none.show(2, ""),
            filed_whole.show(2, ""),
            filed_none.show(2, ""),
            difference(&whole, &none).show(2, ""),
            (whole.median() - none.median()) * 1000.0 / operations.max(1) as f64,
            lines as f64 / operations.max(1) as f64,
            difference(&filed_whole, &filed_none).show(2, ""),
            against_filed.show(2, "×"),
            report_share.show(2, "×"),
            site_share.show(2, "×"),
        );
        Console { markdown, report_share, against_filed }
    }

    fn budgets(&self) -> [Budget; 2] {
        let module = Budget {
            name: "`cargo check` of the console module vs the module when issue 29 was filed (same run)",
            measured: self.against_filed.show(2, "×"),
            limit: format!("≤ {CONSOLE_MODULE_LIMIT:.2}×"),
            pass: self.against_filed.median() <= CONSOLE_MODULE_LIMIT,
        };
        let tag = Budget {
            name: "`cargo check` of one console tag (report, 13 of 329 operations) vs the whole module",
            measured: self.report_share.show(2, "×"),
            limit: "≤ 0.15×".into(),
            pass: self.report_share.median() <= 0.15,
        };
        [module, tag]
    }
}

/// The lines of the Rust files under `dir`.
fn lines_of(dir: &Path) -> usize {
    let mut total = 0;
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in fs::read_dir(&folder).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|x| x == "rs") {
                total += fs::read_to_string(&path).map(|text| text.lines().count()).unwrap_or(0);
            }
        }
    }
    total
}

fn rust_files(dir: &Path) -> usize {
    fs::read_dir(dir)
        .map(|entries| entries.flatten().filter(|e| e.path().extension().is_some_and(|x| x == "rs")).count())
        .unwrap_or(0)
}

struct Client {
    decode: String,
    small: String,
    large: String,
    overhead: String,
}

fn client_section(setup: &Setup) -> Result<Client, String> {
    let bench = setup.root.join("target/release/bench");
    Ok(Client {
        decode: run(Command::new(&bench).arg("decode"), "bench decode")?,
        small: run(Command::new(&bench).args(["paginate", "10000"]), "bench paginate 10000")?,
        large: run(Command::new(&bench).args(["paginate", "100000"]), "bench paginate 100000")?,
        overhead: run(Command::new(&bench).args(["overhead", "10000"]), "bench overhead")?,
    })
}

impl Client {
    fn rss_delta_mb(&self) -> f64 {
        (json_field(&self.large, "peak_rss_kb") - json_field(&self.small, "peak_rss_kb")) / 1024.0
    }

    fn budgets(&self) -> Vec<Budget> {
        vec![
            Budget {
                name: "decode throughput vs hand-written struct",
                measured: json_ratio(&self.decode),
                limit: "≥ 0.95×".into(),
                pass: json_field(&self.decode, "ratio") >= 0.95,
            },
            Budget {
                name: "peak RSS, 100k vs 10k streamed assets",
                measured: format!("{:+.1} MB", self.rss_delta_mb()),
                limit: "< 10 MB".into(),
                pass: self.rss_delta_mb() < 10.0,
            },
            Budget {
                name: "request overhead vs raw reqwest",
                measured: json_ratio(&self.overhead),
                limit: "≤ 1.03×".into(),
                pass: json_field(&self.overhead, "ratio") <= 1.03,
            },
        ]
    }

    fn markdown(&self) -> String {
        format!(
            "## 4. Decode throughput\n\nA deterministic 500-asset InsightVM search page ({:.2} MB, findings, tags, \
             identifiers) through the client's own decode path (from the answer as the runtime holds it), against \
             `serde_json::from_slice` into a minimal hand-written struct of the same fields with serde's derive; \
             15 rounds of 40 pairs, the two taking turns decode by decode:\n\n| | MB/s |\n|---|---:|\n\
             | generated model | {:.0} |\n| hand-written struct | {:.0} |\n\nRatio per round: {}.\n\n\
             ## 5. Pagination\n\n`search_assets().size(500).into_stream()` against a loopback hyper server (pages \
             built on the fly); each total in its own process:\n\n| assets | items/s | peak RSS MB |\n|---:|---:|---:|\n\
             | 10,000 | {:.0} | {:.1} |\n| 100,000 | {:.0} | {:.1} |\n\nPeak RSS difference: {:+.1} MB.\n\n\
             ## 6. Request overhead\n\n10,000 sequential small requests (`GET /v4/integration/scan/{{id}}`, decoded), \
             the generated client and plain `reqwest` (same header, same decode into a small struct) in 20 rounds of \
             500 pairs, taking turns request by request, against one loopback hyper server:\n\n| | µs/request |\n|---|---:|\n\
             | generated client | {:.1} |\n| raw reqwest | {:.1} |\n\nRatio per round: {}.",
            json_field(&self.decode, "page_bytes") / 1e6,
            json_field(&self.decode, "generated_mb_s"),
            json_field(&self.decode, "hand_written_mb_s"),
            json_ratio(&self.decode),
            json_field(&self.small, "items_per_s"),
            json_field(&self.small, "peak_rss_kb") / 1024.0,
            json_field(&self.large, "items_per_s"),
            json_field(&self.large, "peak_rss_kb") / 1024.0,
            self.rss_delta_mb(),
            json_field(&self.overhead, "generated_us"),
            json_field(&self.overhead, "reqwest_us"),
            json_ratio(&self.overhead),
        )
    }
}

fn report(budgets: &[Budget], sections: &[String]) -> String {
    let mut md = String::from("# Benchmarks\n\n");
    let _ = writeln!(
        md,
        "Reproduce with `cargo xtask bench` (needs the corpus beside the project, or `CORPUS_DIR`; installs \
         cargo-progenitor {PROGENITOR_VERSION}, openapi-to-rust and oas3-gen into `.tools/` on first use, and \
         fetches GitHub's REST API document from the npm registry). Every comparison was measured \
         side by side in one run on the same machine, in pairs taking turns; a figure is the median with the \
         smallest and largest in brackets, and a budget's verdict is on the median of the pairs' ratios. The \
         two in-process codegen budgets are instruction counts (section 1 says why), judged on the larger of two \
         counts.\n"
    );
    let _ = writeln!(md, "Machine: {}.\n", machine());
    let _ = writeln!(md, "## Budgets\n\n| budget | measured | limit | result |\n|---|---|---|---|");
    for b in budgets {
        let result = if b.pass { "pass" } else { "**FAIL**" };
        let _ = writeln!(md, "| {} | {} | {} | {result} |", b.name, b.measured, b.limit);
    }
    for section in sections {
        let _ = write!(md, "\n{section}\n");
    }
    md
}

/// Copies the files of `from` into `to`, leaving out build output.
fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let entries = fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    for entry in entries.flatten() {
        let (path, target) = (entry.path(), to.join(entry.file_name()));
        if path.is_dir() {
            if entry.file_name() != "target" {
                copy_tree(&path, &target)?;
            }
        } else {
            fs::copy(&path, &target).map_err(|e| format!("cannot copy {}: {e}", path.display()))?;
        }
    }
    Ok(())
}

fn touch(path: &Path) -> Result<(), String> {
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

/// The project's settings (`specs/codegen.toml`).
fn project_settings(root: &Path) -> Result<clientgen::Config, String> {
    clientgen::Config::load(&root.join("specs/codegen.toml")).map_err(|d| d.to_string())
}

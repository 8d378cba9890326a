//! Runtime benchmarks of the generated crate, each against the best plain alternative in the
//! same process and run. `cargo xtask bench` runs them in release mode and writes
//! BENCHMARKS.md; each subcommand prints one JSON line of results.
//!
//! - `decode`: a 500-asset InsightVM search page decoded through the client's own decode path
//!   (from the answer as the runtime hands it over), against `serde_json::from_slice` into a
//!   minimal hand-written struct of the same fields with serde's derive.
//! - `paginate <total>`: `total` assets streamed through `search_assets().into_stream()` from
//!   a loopback server at 500 per page; items/s and the process's peak RSS.
//! - `overhead <requests>`: sequential small requests through the generated client against
//!   plain `reqwest` with the same header and decode, taking turns request by request.
//! - `overhead-one generated|reqwest <requests>`: one side of `overhead` alone, untimed, for
//!   a profiler.

mod data;
mod server;

use std::time::{Duration, Instant};

use secops_clients::insightvm::{self, ApiKey, Client};
use serde::Deserialize;

// The measured client runs alone on this thread; servers run on threads of their own.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("decode") => decode().await,
        Some("paginate") => paginate(args.get(1).and_then(|n| n.parse().ok()).unwrap_or(10_000)).await,
        Some("overhead") => overhead(args.get(1).and_then(|n| n.parse().ok()).unwrap_or(10_000)).await,
        Some("overhead-one") if matches!(args.get(1).map(String::as_str), Some("generated" | "reqwest")) => {
            let generated = args[1] == "generated";
            overhead_one(generated, args.get(2).and_then(|n| n.parse().ok()).unwrap_or(1000)).await;
        }
        _ => {
            eprintln!(
                "usage: bench decode | paginate <total> | overhead <requests> | overhead-one generated|reqwest <requests>"
            );
            std::process::exit(2);
        }
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// `"ratio":median,"ratio_min":…,"ratio_max":…` of paired rounds' ratios.
fn ratio_fields(ratios: &[f64]) -> String {
    let min = ratios.iter().copied().fold(f64::INFINITY, f64::min);
    let max = ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("\"ratio\":{:.3},\"ratio_min\":{min:.3},\"ratio_max\":{max:.3}", median(ratios.to_vec()))
}

/// An answer with `body`, as the runtime hands it to the operation's reader.
fn response(body: &bytes::Bytes) -> secops_clients::runtime::Answer {
    secops_clients::runtime::Answer::new(http::StatusCode::OK, http::HeaderMap::new(), body.clone())
}

async fn decode() {
    let body = bytes::Bytes::from(data::asset_page_json(500, 0, Some("next")));
    let megabytes = body.len() as f64 / 1e6;
    let iterations = 40;
    let (mut generated, mut hand) = (Vec::new(), Vec::new());
    for _ in 0..15 {
        // Decode by decode the two take turns (each going first in every other pair), so a
        // disturbance of the shared machine lands on both sides of the same round.
        let (mut generated_time, mut hand_time) = (Duration::ZERO, Duration::ZERO);
        for pair in 0..iterations {
            for side in [pair % 2, 1 - pair % 2] {
                let started = Instant::now();
                if side == 0 {
                    let page = secops_clients::runtime::json::<insightvm::types::PagedResourcesAssetSummary, ()>(
                        response(&body),
                    );
                    let page = page.expect("the generated model decodes the page");
                    generated_time += started.elapsed();
                    assert_eq!(page.data.as_ref().map(Vec::len), Some(500));
                } else {
                    let page: data::HandPage =
                        serde_json::from_slice(&body).expect("the hand-written struct decodes the page");
                    hand_time += started.elapsed();
                    assert_eq!(page.data.len(), 500);
                }
            }
        }
        generated.push(megabytes * iterations as f64 / generated_time.as_secs_f64());
        hand.push(megabytes * iterations as f64 / hand_time.as_secs_f64());
    }
    // Each round's pair gives one ratio: a disturbed round moves one ratio, not the median.
    let ratios: Vec<f64> = generated.iter().zip(&hand).map(|(g, h)| g / h).collect();
    let (generated, hand) = (median(generated), median(hand));
    println!(
        "{{\"page_bytes\":{},\"generated_mb_s\":{generated:.1},\"hand_written_mb_s\":{hand:.1},{}}}",
        body.len(),
        ratio_fields(&ratios)
    );
}

fn peak_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

async fn paginate(total: usize) {
    use futures::TryStreamExt;
    let address = server::start_asset_pages(total).await;
    let client = Client::builder(ApiKey::new("bench")).base_url(format!("http://{address}")).build().unwrap();
    let started = Instant::now();
    let mut stream = client.search_assets().size(500).into_stream();
    let mut count = 0usize;
    while let Some(asset) = stream.try_next().await.expect("every page decodes") {
        count += asset.id.len().min(1);
    }
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!(count, total, "every asset arrives once");
    println!(
        "{{\"items\":{count},\"seconds\":{elapsed:.3},\"items_per_s\":{:.0},\"peak_rss_kb\":{}}}",
        count as f64 / elapsed,
        peak_rss_kb()
    );
}

/// What a hand-written client would decode the server's scan into: the fields it sends, with
/// the types the generated model gives them, so that both sides decode the same.
#[derive(Deserialize)]
#[allow(dead_code)]
struct HandScan {
    id: String,
    name: Option<String>,
    status: Option<String>,
    started: Option<chrono::DateTime<chrono::Utc>>,
}

/// The scan every overhead request fetches.
const SCAN_ID: &str = "3fa85f64";

/// The server of the overhead comparison, its base URL, and the two clients, sending the
/// same bytes: the same User-Agent, key and Accept header, and the same timeout.
async fn overhead_sides() -> (String, Client, reqwest::Client) {
    let address = server::start_small_answers().await;
    let base = format!("http://{address}");
    let client = Client::builder(ApiKey::new("bench"))
        .base_url(&base)
        .user_agent("bench-agent/1")
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let raw = reqwest::Client::builder().user_agent("bench-agent/1").timeout(Duration::from_secs(30)).build().unwrap();
    (base, client, raw)
}

/// One request through the generated client.
async fn generated_request(client: &Client, id: &str) {
    let scan = client.get_scan(id).send().await.unwrap();
    assert_eq!(scan.id, id);
}

/// The same request through plain `reqwest`, decoded into the hand-written struct.
async fn raw_request(raw: &reqwest::Client, base: &str, id: &str) {
    let scan: HandScan = raw
        .get(format!("{base}/v4/integration/scan/{id}"))
        .header("X-Api-Key", "bench")
        .header("accept", "application/json")
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(scan.id, id);
}

async fn overhead(requests: usize) {
    let (base, client, raw) = overhead_sides().await;
    let rounds = 20;
    let per_round = (requests / rounds).max(1);
    let (mut generated, mut plain) = (Vec::new(), Vec::new());
    // Warm both connections first.
    generated_request(&client, SCAN_ID).await;
    raw_request(&raw, &base, SCAN_ID).await;
    for _ in 0..rounds {
        // Request by request the two take turns (each going first in every other pair), so
        // a disturbance of the shared machine lands on both sides of the same round.
        let (mut generated_total, mut plain_total) = (Duration::ZERO, Duration::ZERO);
        for pair in 0..per_round {
            for side in [pair % 2, 1 - pair % 2] {
                let started = Instant::now();
                if side == 0 {
                    generated_request(&client, SCAN_ID).await;
                    generated_total += started.elapsed();
                } else {
                    raw_request(&raw, &base, SCAN_ID).await;
                    plain_total += started.elapsed();
                }
            }
        }
        generated.push(generated_total.as_secs_f64() * 1e6 / per_round as f64);
        plain.push(plain_total.as_secs_f64() * 1e6 / per_round as f64);
    }
    // The ratio of each round's pair, then the median: one disturbed round cannot move it.
    let ratios: Vec<f64> = generated.iter().zip(&plain).map(|(g, p)| g / p).collect();
    println!(
        "{{\"requests\":{},\"generated_us\":{:.1},\"reqwest_us\":{:.1},{}}}",
        per_round * rounds,
        median(generated),
        median(plain),
        ratio_fields(&ratios)
    );
}

/// The requests of `overhead` through one side only (the generated client, or plain
/// `reqwest`), untimed: for a profiler (`valgrind --tool=callgrind` counts each side's
/// instructions).
async fn overhead_one(generated: bool, requests: usize) {
    let (base, client, raw) = overhead_sides().await;
    for _ in 0..requests {
        if generated {
            generated_request(&client, SCAN_ID).await;
        } else {
            raw_request(&raw, &base, SCAN_ID).await;
        }
    }
}

//! Starts an InsightVM scan of the given assets and polls it, with backoff, until it ends.
//!
//! ```text
//! cargo run --example insightvm_scan_and_wait -- <asset-id>...
//! ```
//!
//! Configuration: `INSIGHTVM_BASE_URL` (or `INSIGHTVM_REGION`) and `INSIGHTVM_API_KEY`;
//! `INSIGHTVM_SCAN_TIMEOUT_SECS` bounds the wait (default 3600). The scan status is free
//! text in the API: a scan has ended when it reports a finish time or a final status.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use secops_clients::insightvm::{Client, types};

/// Statuses that mean the scan will not change any more (compared ignoring case).
const FINAL: &[&str] = &["success", "successful", "finished", "completed", "stopped", "failed", "error", "aborted"];

#[tokio::main]
async fn main() -> ExitCode {
    let assets: Vec<String> = std::env::args().skip(1).collect();
    if assets.is_empty() {
        eprintln!("usage: insightvm_scan_and_wait <asset-id>...");
        return ExitCode::from(2);
    }
    let client = match Client::from_env() {
        Ok(client) => client,
        Err(error) => {
            eprintln!("configuration: {error}");
            return ExitCode::from(2);
        }
    };
    let limit = std::env::var("INSIGHTVM_SCAN_TIMEOUT_SECS").ok().and_then(|v| v.parse().ok()).unwrap_or(3600);
    let request = types::ScanForm {
        name: Some(format!("scan of {} asset(s)", assets.len())),
        asset_ids: Some(assets),
        ..Default::default()
    };
    let started = match client.start_scan(request).send().await {
        Ok(started) => started.into_body(),
        Err(error) => {
            eprintln!("starting the scan failed: {error}");
            return ExitCode::FAILURE;
        }
    };
    for unscanned in started.unscanned_assets.iter().flatten() {
        eprintln!(
            "not scanned: {} ({})",
            unscanned.id.as_deref().unwrap_or("?"),
            unscanned.reason.as_deref().unwrap_or("no reason given")
        );
    }
    let Some(scan_id) = started.scans.iter().flatten().next().map(|scan| scan.id.clone()) else {
        eprintln!("the server started no scan");
        return ExitCode::FAILURE;
    };
    eprintln!("scan {scan_id} started");

    let deadline = Instant::now() + Duration::from_secs(limit);
    let mut wait = Duration::from_secs(1);
    loop {
        match client.get_scan(scan_id.clone()).send().await {
            Ok(scan) => {
                let status = scan.status.clone().unwrap_or_else(|| "unknown".into());
                let ended = scan.finished.is_some() || FINAL.iter().any(|s| status.eq_ignore_ascii_case(s));
                if ended {
                    println!("scan {scan_id} ended: {status}");
                    return ExitCode::SUCCESS;
                }
                eprintln!("scan {scan_id}: {status}");
            }
            Err(error) => eprintln!("polling scan {scan_id} failed ({error}); trying again"),
        }
        if Instant::now() + wait > deadline {
            eprintln!("scan {scan_id} did not end within {limit} s");
            return ExitCode::FAILURE;
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_secs(30));
    }
}

//! InsightVM assets with critical vulnerabilities, across all pages, as a table: one asset
//! per line with its id.
//!
//! ```text
//! INSIGHTVM_REGION=eu INSIGHTVM_API_KEY=... cargo run --example insightvm_critical_assets
//! ```
//!
//! Configuration: `INSIGHTVM_BASE_URL` (or `INSIGHTVM_REGION`: us, us2, us3, eu, ca, au, ap,
//! aps2, me1) and `INSIGHTVM_API_KEY`.

use std::process::ExitCode;

use futures::TryStreamExt;
use secops_clients::insightvm::{Client, types};

#[tokio::main]
async fn main() -> ExitCode {
    let client = match Client::from_env() {
        Ok(client) => client,
        Err(error) => {
            eprintln!("configuration: {error}");
            return ExitCode::from(2);
        }
    };
    let criteria = types::AssetVulnerabilityQueryResource {
        asset: Some("asset.criticalVulnerabilities > 0".into()),
        vulnerability: None,
    };
    let mut assets = client.search_assets().size(500).sort(["risk_score,DESC"]).body(criteria).into_stream();
    println!("{:<48} {:<32} {:<16} {:>8} {:>12}", "ID", "HOST", "IP", "CRITICAL", "RISK");
    let mut shown = 0u64;
    loop {
        match assets.try_next().await {
            Ok(Some(asset)) => {
                // The filter runs on the server; check again so that the table never lies.
                let critical = asset.critical_vulnerabilities.unwrap_or(0);
                if critical <= 0 {
                    continue;
                }
                shown += 1;
                println!(
                    "{:<48} {:<32} {:<16} {:>8} {:>12.1}",
                    asset.id,
                    asset.host_name.as_deref().unwrap_or("-"),
                    asset.ip.as_deref().unwrap_or("-"),
                    critical,
                    asset.risk_score.unwrap_or(0.0)
                );
            }
            Ok(None) => break,
            Err(error) => {
                eprintln!("searching assets failed after {shown}: {error}");
                return ExitCode::FAILURE;
            }
        }
    }
    eprintln!("{shown} assets with critical vulnerabilities");
    ExitCode::SUCCESS
}

//! Every site of an InsightVM Security Console with its risk score and asset count,
//! streamed across pages (500 sites a page), one tab-separated line per site.
//!
//! ```text
//! cargo run --features insightvm_console --example insightvm_console_sites
//! ```
//!
//! Configuration: `INSIGHTVM_CONSOLE_URL` (e.g. `https://console.example:3780`),
//! `INSIGHTVM_CONSOLE_USER`, `INSIGHTVM_CONSOLE_PASSWORD`; `INSIGHTVM_CONSOLE_TOKEN` for
//! consoles with two-factor authentication; `INSIGHTVM_CONSOLE_CA_CERT`, a PEM file, for a
//! console with a private-CA or self-signed certificate.

use std::process::ExitCode;

use futures::TryStreamExt;
use secops_clients::insightvm_console::Client;

#[tokio::main]
async fn main() -> ExitCode {
    let client = match Client::from_env() {
        Ok(client) => client,
        Err(error) => {
            eprintln!("configuration: {error}");
            return ExitCode::from(2);
        }
    };
    let mut sites = client.get_sites().size(500).sort(["name,ASC"]).into_stream();
    println!("id\tname\trisk_score\tassets");
    let mut count = 0;
    loop {
        match sites.try_next().await {
            Ok(Some(site)) => {
                count += 1;
                println!(
                    "{}\t{}\t{}\t{}",
                    site.id.map_or_else(|| "-".to_owned(), |id| id.to_string()),
                    site.name.as_deref().unwrap_or("-"),
                    site.risk_score.map_or_else(|| "-".to_owned(), |score| format!("{score:.0}")),
                    site.assets.map_or_else(|| "-".to_owned(), |assets| assets.to_string()),
                );
            }
            Ok(None) => break,
            Err(error) => {
                eprintln!("listing sites failed after {count} site(s): {error}");
                return ExitCode::FAILURE;
            }
        }
    }
    eprintln!("{count} site(s)");
    ExitCode::SUCCESS
}

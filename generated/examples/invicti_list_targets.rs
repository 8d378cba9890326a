//! Every Invicti API target, streamed across pages: one JSON object per line on stdout, a
//! progress line on stderr.
//!
//! ```text
//! INVICTI_HOST=eu.invicti.example INVICTI_API_KEY=... cargo run --example invicti_list_targets > targets.jsonl
//! ```
//!
//! Configuration: `INVICTI_BASE_URL` (or `INVICTI_HOST`) and `INVICTI_API_KEY`. Throttling
//! (429/503 with `Retry-After`) is retried by the client; unknown enum values and new fields
//! are kept, not rejected.

use std::io::Write;
use std::process::ExitCode;

use futures::TryStreamExt;
use secops_clients::invicti::Client;

#[tokio::main]
async fn main() -> ExitCode {
    let client = match Client::from_env() {
        Ok(client) => client,
        Err(error) => {
            eprintln!("configuration: {error}");
            return ExitCode::from(2);
        }
    };
    let mut targets = client.list_api_targets().limit(100).into_stream();
    let mut stdout = std::io::stdout().lock();
    let mut count = 0u64;
    loop {
        match targets.try_next().await {
            Ok(Some(target)) => {
                count += 1;
                let line = serde_json::to_string(&target).expect("an API target always serialises");
                if writeln!(stdout, "{line}").is_err() {
                    return ExitCode::FAILURE; // stdout closed (e.g. `| head`)
                }
                if count.is_multiple_of(100) {
                    eprintln!("… {count} API targets");
                }
            }
            Ok(None) => break,
            Err(error) => {
                eprintln!("listing API targets failed after {count}: {error}");
                return ExitCode::FAILURE;
            }
        }
    }
    eprintln!("{count} API targets listed");
    ExitCode::SUCCESS
}

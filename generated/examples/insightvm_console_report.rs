//! Generates a report on an InsightVM Security Console, polls the new report instance with
//! backoff until it completes, and streams its output to a file (never held in memory).
//!
//! ```text
//! cargo run --features insightvm_console --example insightvm_console_report -- <report-id> <output-file>
//! ```
//!
//! Configuration: `INSIGHTVM_CONSOLE_URL`, `INSIGHTVM_CONSOLE_USER`,
//! `INSIGHTVM_CONSOLE_PASSWORD`, optionally `INSIGHTVM_CONSOLE_TOKEN` and
//! `INSIGHTVM_CONSOLE_CA_CERT` (see `insightvm_console_sites`);
//! `INSIGHTVM_CONSOLE_REPORT_TIMEOUT_SECS` bounds the wait (default 3600).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use secops_clients::insightvm_console::{Client, types::ReportInstanceStatus};

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(report), Some(output)) = (args.first().and_then(|id| id.parse::<i32>().ok()), args.get(1)) else {
        eprintln!("usage: insightvm_console_report <report-id> <output-file>");
        return ExitCode::from(2);
    };
    let client = match Client::from_env() {
        Ok(client) => client,
        Err(error) => {
            eprintln!("configuration: {error}");
            return ExitCode::from(2);
        }
    };
    let limit = std::env::var("INSIGHTVM_CONSOLE_REPORT_TIMEOUT_SECS").ok().and_then(|v| v.parse().ok()).unwrap_or(3600);
    let instance = match client.generate_report(report).send().await {
        Ok(generated) => match generated.id {
            Some(instance) => instance.to_string(),
            None => {
                eprintln!("the console started a generation but did not say which");
                return ExitCode::FAILURE;
            }
        },
        Err(error) => {
            eprintln!("generating report {report} failed: {error}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("report {report}: generating instance {instance}");

    let deadline = Instant::now() + Duration::from_secs(limit);
    let mut wait = Duration::from_secs(1);
    loop {
        match client.get_report_instance(report, instance.as_str().into()).send().await {
            Ok(state) => match &state.status {
                Some(ReportInstanceStatus::Complete) => break,
                Some(status @ (ReportInstanceStatus::Failed | ReportInstanceStatus::Aborted)) => {
                    eprintln!("report {report} instance {instance} ended: {status}");
                    return ExitCode::FAILURE;
                }
                status => eprintln!(
                    "report {report} instance {instance}: {}",
                    status.as_ref().map_or_else(|| "no status yet".to_owned(), ToString::to_string)
                ),
            },
            Err(error) => eprintln!("polling report {report} failed ({error}); trying again"),
        }
        if Instant::now() + wait > deadline {
            eprintln!("report {report} instance {instance} did not complete within {limit} s");
            return ExitCode::FAILURE;
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_secs(30));
    }

    let download = match client.download_report(report, instance.as_str().into()).send().await {
        Ok(download) => download.into_body(),
        Err(error) => {
            eprintln!("downloading report {report} instance {instance} failed: {error}");
            return ExitCode::FAILURE;
        }
    };
    let file = match tokio::fs::File::create(output).await {
        Ok(file) => file,
        Err(error) => {
            eprintln!("cannot create {output}: {error}");
            return ExitCode::FAILURE;
        }
    };
    match download.write_to(file).await {
        Ok(bytes) => {
            println!("report {report} instance {instance}: {bytes} bytes written to {output}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("writing {output} failed: {error}");
            ExitCode::FAILURE
        }
    }
}

//! Exports the Invicti API inventory as CSV, streamed to a file without holding it in memory.
//!
//! ```text
//! cargo run --example invicti_export_csv -- inventory.csv
//! ```
//!
//! Configuration: `INVICTI_BASE_URL` (or `INVICTI_HOST`) and `INVICTI_API_KEY`.

use std::process::ExitCode;

use secops_clients::invicti::{Client, types};

#[tokio::main]
async fn main() -> ExitCode {
    let path = std::env::args().nth(1).unwrap_or_else(|| "inventory.csv".to_owned());
    let client = match Client::from_env() {
        Ok(client) => client,
        Err(error) => {
            eprintln!("configuration: {error}");
            return ExitCode::from(2);
        }
    };
    let request = types::ExportRequest::new(types::ExportRequestExportType::Targets, types::ExportRequestFormat::Csv);
    let export = match client.export_inventory(request).send().await {
        Ok(export) => export,
        Err(error) => {
            eprintln!("export failed: {error}");
            return ExitCode::FAILURE;
        }
    };
    let file = match tokio::fs::File::create(&path).await {
        Ok(file) => file,
        Err(error) => {
            eprintln!("cannot create {path}: {error}");
            return ExitCode::FAILURE;
        }
    };
    match export.into_body().write_to(file).await {
        Ok(bytes) => {
            eprintln!("wrote {bytes} bytes of CSV to {path}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("export interrupted: {error}");
            ExitCode::FAILURE
        }
    }
}

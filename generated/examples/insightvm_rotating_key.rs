//! InsightVM scan engines with an API key that rotates: the key is read from a file (a
//! secret mounted by a vault agent, say) when a call first needs it, again every five
//! minutes, and again at once if the platform answers 401 because the key changed.
//!
//! ```text
//! INSIGHTVM_REGION=eu INSIGHTVM_API_KEY_FILE=/run/secrets/insightvm cargo run --example insightvm_rotating_key
//! ```

use std::process::ExitCode;
use std::time::Duration;

use futures::TryStreamExt;
use secops_clients::insightvm::{ApiKey, Client, Region};
use secops_clients::runtime::{FnSource, Token, TokenError};

#[tokio::main]
async fn main() -> ExitCode {
    let (Some(file), region) = (std::env::var_os("INSIGHTVM_API_KEY_FILE"), std::env::var("INSIGHTVM_REGION")) else {
        eprintln!("configuration: set INSIGHTVM_API_KEY_FILE (and INSIGHTVM_REGION)");
        return ExitCode::from(2);
    };
    let region = region
        .ok()
        .and_then(|name| Region::ALL.iter().copied().find(|region| region.as_str().eq_ignore_ascii_case(&name)))
        .unwrap_or(Region::Us);
    let key_from_file = FnSource(move || {
        let file = file.clone();
        async move {
            let key = tokio::fs::read_to_string(&file).await.map_err(|error| TokenError::Source(error.to_string()))?;
            Ok(Token::new(ApiKey::new(key.trim())).expires_in(Duration::from_secs(300)))
        }
    });
    // The constructor's key is replaced by the source before any call is sent.
    let client = match Client::builder(ApiKey::new("")).region(region).api_key_source(key_from_file).build() {
        Ok(client) => client,
        Err(error) => {
            eprintln!("configuration: {error}");
            return ExitCode::from(2);
        }
    };
    let mut engines = client.list_scan_engines().into_stream();
    loop {
        match engines.try_next().await {
            Ok(Some(engine)) => println!("{}\t{}", engine.id, engine.name.as_deref().unwrap_or("-")),
            Ok(None) => return ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::FAILURE;
            }
        }
    }
}

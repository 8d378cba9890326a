//! Uploads an OpenAPI document to create an Invicti API target, then links that target to a
//! DAST scan target.
//!
//! ```text
//! cargo run --example invicti_upload_and_link -- petstore.yaml [https://dast-target.example.com]
//! ```
//!
//! The second argument is the base URL of the DAST scan target; without it, the new API
//! target's first alternative URL is used. Configuration: `INVICTI_BASE_URL` (or
//! `INVICTI_HOST`) and `INVICTI_API_KEY`.

use std::process::ExitCode;

use secops_clients::File;
use secops_clients::invicti::{Client, types};

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: invicti_upload_and_link <openapi-file> [dast-target-base-url]");
        return ExitCode::from(2);
    };
    let dast_url = args.next();
    let client = match Client::from_env() {
        Ok(client) => client,
        Err(error) => {
            eprintln!("configuration: {error}");
            return ExitCode::from(2);
        }
    };
    let file = match File::from_path(&path).await {
        Ok(file) => file,
        Err(error) => {
            eprintln!("cannot read {path}: {error}");
            return ExitCode::from(2);
        }
    };
    let is_yaml = path.ends_with(".yaml") || path.ends_with(".yml");
    let file = file.content_type(if is_yaml { "application/yaml" } else { "application/json" });
    let format = if std::fs::read_to_string(&path).is_ok_and(|text| text.contains("swagger")) {
        types::DefinitionFormatInput::Openapi2
    } else {
        types::DefinitionFormatInput::Openapi3
    };
    let target = match client.create_api_target_from_definition(format, "provided", "manual-upload", file).send().await
    {
        Ok(target) => target.into_body(),
        Err(error) => {
            eprintln!("upload failed: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!("created API target {} ({})", target.id, target.name);

    let Some(base_url) = dast_url.or_else(|| target.alternative_urls.iter().flatten().next().cloned()) else {
        eprintln!("the API target has no URL to link; pass the DAST target's base URL as the second argument");
        return ExitCode::from(2);
    };
    match client.link_api_target(types::LinkRequest::new(target.id.clone(), base_url.clone())).send().await {
        Ok(link) => {
            let link = link.into_body();
            println!(
                "linked {} to DAST target {} at {base_url}",
                target.id,
                link.remote_target_id.as_deref().unwrap_or("(assigned by Invicti)")
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("link failed: {error}");
            ExitCode::FAILURE
        }
    }
}

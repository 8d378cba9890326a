//! The command line against the Invicti API Hub mock (features `cli` and `mock`): a
//! download to a file, an upload from one, a JSON body from a file and flags.

#[path = "common/cli.rs"]
mod cli;

use cli::{Scratch, pairs, secops};
use secops_clients::invicti::mock::MockServer;
use secops_clients::invicti::types;
use secops_clients::runtime::mock::Reply;

const KEY: &str = "invicti-token-that-must-never-print";

fn env(server: &MockServer) -> Vec<(&'static str, String)> {
    vec![("INVICTI_BASE_URL", server.uri()), ("INVICTI_API_KEY", KEY.to_owned())]
}


#[tokio::test(flavor = "multi_thread")]
async fn a_download_goes_to_its_output_file_and_never_replaces_one_unasked() {
    let server = MockServer::start().await;
    let csv = "name,operations\npetstore,19\n".repeat(2000);
    server.export_inventory().respond(Reply::bytes(200, csv.clone(), "text/csv")).await;
    let home = Scratch::new();
    let env = env(&server);
    let output = home.path().join("inventory.csv").to_string_lossy().into_owned();
    let export = ["invicti", "export", "export-inventory", "--export-type", "targets", "--format", "csv", "--output", output.as_str()];

    let run = secops(&export, &pairs(&env), &home, b"").await;
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&output).unwrap(), csv);
    assert!(run.stdout.is_empty());

    // The file is there now: it stays as it is unless --force says otherwise.
    std::fs::write(&output, "mine").unwrap();
    let run = secops(&export, &pairs(&env), &home, b"").await;
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&output).unwrap(), "mine");
    let run = secops(&[&export[..], &["--force"]].concat(), &pairs(&env), &home, b"").await;
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&output).unwrap(), csv);
    // Nothing else was left beside it.
    assert_eq!(std::fs::read_dir(home.path()).unwrap().count(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_download_leaves_the_output_as_it_was() {
    let server = MockServer::start().await;
    let refusal = types::ErrorResponse { message: Some("export quota reached".into()), ..Default::default() };
    server.export_inventory().respond(Reply::json(400, &refusal)).await;
    let home = Scratch::new();
    let env = env(&server);
    let output = home.path().join("inventory.csv").to_string_lossy().into_owned();

    let run = secops(&["invicti", "export", "export-inventory", "--export-type", "targets", "--format", "json", "-o", &output], &pairs(&env), &home, b"").await;

    assert_eq!(run.status, 3);
    assert!(run.stderr.contains("export quota reached"), "{}", run.stderr);
    assert_eq!(std::fs::read_dir(home.path()).unwrap().count(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_upload_sends_the_file_as_its_part() {
    let server = MockServer::start().await;
    let uploads = server.upload_api_definition().query("format", "OpenAPI3").respond(Reply::empty(201)).await;
    let home = Scratch::new();
    let env = env(&server);
    let definition = home.file("petstore.yaml", b"openapi: 3.0.3\ninfo: {title: Petstore}\n");

    let run = secops(
        &["invicti", "definitions", "upload-api-definition", "--format", "OpenAPI3", "--body", &definition],
        &pairs(&env),
        &home,
        b"",
    )
    .await;

    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    let parts = uploads.last().parts();
    assert_eq!(parts.len(), 1);
    assert_eq!((parts[0].name.as_str(), parts[0].file_name.as_deref()), ("body", Some("petstore.yaml")));
    assert_eq!(&parts[0].body[..], b"openapi: 3.0.3\ninfo: {title: Petstore}\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_from_a_file_takes_the_field_flags_on_top() {
    let server = MockServer::start().await;
    let link = types::ApiTargetLink { id: Some("l-1".into()), ..Default::default() };
    let links = server.link_api_target().ok(&link).await;
    let home = Scratch::new();
    let env = env(&server);
    let body = home.file("link.json", br#"{"apiTargetId": "t-1", "baseUrl": "https://old.example"}"#);
    let at = format!("@{body}");

    let run = secops(
        &["invicti", "links", "link-api-target", "--body", &at, "--base-url", "https://api.example", "--remote-target-id", "st-7"],
        &pairs(&env),
        &home,
        b"",
    )
    .await;

    assert_eq!(run.status, 0, "{}", run.stderr);
    let sent: types::LinkRequest = links.last().json().unwrap();
    assert_eq!(sent.api_target_id, "t-1");
    assert_eq!(sent.base_url, "https://api.example");
    assert_eq!(sent.remote_target_id.as_deref(), Some("st-7"));
    let printed: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(printed["id"], "l-1");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_missing_a_required_field_is_refused_before_sending() {
    let server = MockServer::start().await;
    let home = Scratch::new();
    let env = env(&server);

    let run = secops(&["invicti", "links", "link-api-target", "--api-target-id", "t-1"], &pairs(&env), &home, b"").await;

    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("missing field `baseUrl` (give --base-url)"), "{}", run.stderr);
    assert!(server.calls().await.is_empty());
}

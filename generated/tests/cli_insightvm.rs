//! The command line against the InsightVM Cloud API's mock (features `cli` and `mock`):
//! pages, errors and their exit statuses, the dry run, configuration, `schema`.

#[path = "common/cli.rs"]
mod cli;

use cli::{Scratch, pairs, secops};
use secops_clients::insightvm::mock::MockServer;
use secops_clients::insightvm::types;
use secops_clients::runtime::mock::Reply;

const KEY: &str = "k3y-that-must-never-print";

fn env(server: &MockServer) -> [(&'static str, String); 2] {
    [("INSIGHTVM_BASE_URL", server.uri()), ("INSIGHTVM_API_KEY", KEY.to_owned())]
}


fn asset(id: &str) -> types::AssetSummary {
    types::AssetSummary { host_name: Some(format!("{id}.example")), ..types::AssetSummary::new(id) }
}

fn asset_page(ids: &[&str], cursor: Option<&str>) -> types::PagedResourcesAssetSummary {
    types::PagedResourcesAssetSummary {
        data: Some(ids.iter().map(|id| asset(id)).collect()),
        metadata: Some(types::CursorPageMetadata { cursor: cursor.map(Into::into), ..Default::default() }),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn all_prints_every_item_of_every_page_as_json_lines() {
    let server = MockServer::start().await;
    server.search_assets().matching(|call| call.query("cursor").is_empty()).ok(&asset_page(&["a-1", "a-2"], Some("c2"))).await;
    server.search_assets().query("cursor", "c2").ok(&asset_page(&["a-3"], None)).await;
    let home = Scratch::new();
    let env = env(&server);

    let run = secops(
        &["insightvm", "asset", "search-assets", "--all", "--size", "2", "--asset", "risk_score > 100"],
        &pairs(&env),
        &home,
        b"",
    )
    .await;

    assert_eq!(run.status, 0, "{}", run.stderr);
    let ids: Vec<String> = run.json_lines().iter().map(|item| item["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids, ["a-1", "a-2", "a-3"]);
    let calls = server.calls().await;
    assert_eq!(calls.len(), 2);
    // The field flag went into the JSON body, the size into the query of every page.
    assert_eq!(calls[0].json::<serde_json::Value>().unwrap(), serde_json::json!({ "asset": "risk_score > 100" }));
    assert!(calls.iter().all(|call| call.query("size") == ["2"]));
}

#[tokio::test(flavor = "multi_thread")]
async fn one_page_prints_the_answer_as_the_server_sent_it() {
    let server = MockServer::start().await;
    // A field the document does not describe still reaches the user.
    let body = serde_json::json!({ "data": [{ "id": "a-1", "futureField": 7 }], "metadata": {} });
    server.search_assets().respond(Reply::json(200, &body)).await;
    let home = Scratch::new();
    let env = env(&server);

    let run = secops(&["insightvm", "asset", "search-assets"], &pairs(&env), &home, b"").await;

    assert_eq!(run.status, 0, "{}", run.stderr);
    let printed: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(printed, body);
    // Not a terminal: compact, one line.
    assert_eq!(run.stdout.lines().count(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn verbose_shows_the_request_and_the_status_without_the_key() {
    let server = MockServer::start().await;
    server.search_assets().ok(&asset_page(&["a-1"], None)).await;
    let home = Scratch::new();
    let env = env(&server);

    let run = secops(&["--verbose", "insightvm", "asset", "search-assets", "--size", "1"], &pairs(&env), &home, b"").await;

    assert_eq!(run.status, 0, "{}", run.stderr);
    let request = format!("> POST {}/v4/integration/assets?size=1", server.uri());
    assert!(run.stderr.lines().any(|line| line == request), "{}", run.stderr);
    assert!(run.stderr.contains("> x-api-key: <redacted>"), "{}", run.stderr);
    assert!(run.stderr.lines().any(|line| line == "< 200 OK"), "{}", run.stderr);
    assert!(!run.stdout.contains(KEY) && !run.stderr.contains(KEY));
    // The answer still goes to standard output alone.
    assert_eq!(serde_json::from_str::<serde_json::Value>(&run.stdout).unwrap()["data"][0]["id"], "a-1");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_error_status_exits_3_with_one_line_or_json() {
    let server = MockServer::start().await;
    let refusal = types::Error { message: Some("scan\nnot found".into()), status: Some(404), ..Default::default() };
    server.stop_scan().path("id", "s-9").respond(Reply::json(404, &refusal)).await;
    let home = Scratch::new();
    let env = env(&server);

    let run = secops(&["insightvm", "scan", "stop-scan", "s-9"], &pairs(&env), &home, b"").await;
    assert_eq!(run.status, 3);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("HTTP 404 Not Found: scan not found"), "{}", run.stderr);
    assert!(run.stdout.is_empty());

    let run = secops(&["--json-errors", "insightvm", "scan", "stop-scan", "s-9"], &pairs(&env), &home, b"").await;
    assert_eq!(run.status, 3);
    let error: serde_json::Value = serde_json::from_str(run.stderr.trim()).unwrap();
    assert_eq!(error["error"]["kind"], "api");
    assert_eq!(error["error"]["status"], 404);
    assert_eq!(error["error"]["body"]["message"], "scan\nnot found");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_the_document_does_not_describe_exits_5() {
    let server = MockServer::start().await;
    server.get_asset().respond(Reply::raw(200, "<html>maintenance</html>").header("content-type", "text/html")).await;
    let home = Scratch::new();
    let env = env(&server);

    let run = secops(&["insightvm", "asset", "get-asset", "a-1"], &pairs(&env), &home, b"").await;

    assert_eq!(run.status, 5, "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn no_server_exits_4() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let home = Scratch::new();
    let url = format!("http://127.0.0.1:{port}");

    let run = secops(
        &["--retries", "0", "insightvm", "health", "health"],
        &[("INSIGHTVM_BASE_URL", &url), ("INSIGHTVM_API_KEY", KEY)],
        &home,
        b"",
    )
    .await;

    assert_eq!(run.status, 4, "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn inputs_the_command_or_the_client_refuses_exit_2() {
    let server = MockServer::start().await;
    let home = Scratch::new();
    let env = env(&server);
    for args in [
        // A required argument left out, a value not in the document's list, a number that is not one.
        &["insightvm", "asset", "get-asset"][..],
        &["insightvm", "--region", "mars", "health", "health"],
        &["insightvm", "asset", "search-assets", "--size", "many"],
        // A path value that would address another resource.
        &["insightvm", "asset", "get-asset", ".."],
    ] {
        let run = secops(args, &pairs(&env), &home, b"").await;
        assert_eq!(run.status, 2, "{args:?}: {}", run.stderr);
    }
    // With --json-errors, a usage error is one JSON object too.
    let run = secops(&["--json-errors", "insightvm", "asset", "get-asset"], &pairs(&env), &home, b"").await;
    assert_eq!(run.status, 2);
    let error: serde_json::Value = serde_json::from_str(run.stderr.trim()).unwrap();
    assert_eq!(error["error"]["kind"], "usage");
    assert!(error["error"]["message"].as_str().unwrap().contains("<id>"), "{error}");
    assert!(server.calls().await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_prints_the_request_with_the_key_redacted_and_sends_nothing() {
    let server = MockServer::start().await;
    let home = Scratch::new();
    let env = env(&server);

    let run = secops(
        &["--dry-run", "--verbose", "insightvm", "asset", "search-assets", "--size", "5", "--body", "-"],
        &pairs(&env),
        &home,
        br#"{"vulnerability": "cvss_score >= 9"}"#,
    )
    .await;

    assert_eq!(run.status, 0, "{}", run.stderr);
    let mut lines = run.stdout.lines();
    assert_eq!(lines.next(), Some(format!("POST {}/v4/integration/assets?size=5", server.uri()).as_str()));
    assert!(run.stdout.contains("x-api-key: <redacted>"), "{}", run.stdout);
    assert!(run.stdout.ends_with("{\"vulnerability\":\"cvss_score >= 9\"}\n"), "{}", run.stdout);
    assert!(!run.stdout.contains(KEY) && !run.stderr.contains(KEY));
    assert!(run.stderr.contains("> x-api-key: <redacted>"), "{}", run.stderr);
    assert!(server.calls().await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_flag_wins_over_the_environment_which_wins_over_the_config_file() {
    let (file_server, env_server, flag_server) = (MockServer::start().await, MockServer::start().await, MockServer::start().await);
    for server in [&file_server, &env_server, &flag_server] {
        server.health().ok(&types::CompositeHealthSummary::default()).await;
    }
    let home = Scratch::new();
    let key = home.file("key", format!("{KEY}\n").as_bytes());
    let config = home.file(
        "config.toml",
        format!("[insightvm]\nbase_url = \"{}\"\napi_key = \"{KEY}\"\n", file_server.uri()).as_bytes(),
    );
    let base = ["--config", config.as_str(), "insightvm"];
    let health = ["health", "health"];

    let from_file = secops(&[&base[..], &health].concat(), &[], &home, b"").await;
    let env_url = env_server.uri();
    let from_env = secops(&[&base[..], &health].concat(), &[("INSIGHTVM_BASE_URL", &env_url)], &home, b"").await;
    let flag_url = flag_server.uri();
    let flags = [&base[..], &["--base-url", &flag_url, "--api-key-file", &key], &health].concat();
    let from_flag = secops(&flags, &[("INSIGHTVM_BASE_URL", &env_url)], &home, b"").await;

    for run in [&from_file, &from_env, &from_flag] {
        assert_eq!(run.status, 0, "{}", run.stderr);
    }
    assert_eq!(file_server.calls().await.len(), 1);
    assert_eq!(env_server.calls().await.len(), 1);
    assert_eq!(flag_server.calls().await.len(), 1);
    // The file holds a key and others may read it.
    assert!(from_file.stderr.contains("chmod 600"), "{}", from_file.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn configuration_errors_exit_1_and_name_what_is_missing() {
    let home = Scratch::new();
    let run = secops(&["insightvm", "health", "health"], &[("INSIGHTVM_BASE_URL", "http://127.0.0.1:1")], &home, b"").await;
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("INSIGHTVM_API_KEY"), "{}", run.stderr);

    let config = home.file("bad.toml", b"[insightvm]\napi_kee = \"x\"\n");
    let run = secops(&["--config", &config, "insightvm", "health", "health"], &[], &home, b"").await;
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("has no key `api_kee`") && run.stderr.contains("api_key"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn schema_prints_an_operations_inputs_and_answer_for_scripts() {
    let home = Scratch::new();
    let run = secops(&["schema", "insightvm", "search-assets"], &[], &home, b"").await;

    assert_eq!(run.status, 0, "{}", run.stderr);
    let schema: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(schema["command"], "secops insightvm asset search-assets");
    assert_eq!(schema["method"], "POST");
    let size = schema["inputs"].as_array().unwrap().iter().find(|input| input["flag"] == "--size").unwrap();
    assert_eq!(size["in"], "query");
    assert_eq!(size["schema"]["type"], "integer");
    // A body field's schema comes from the body type's definition.
    let asset = schema["inputs"].as_array().unwrap().iter().find(|input| input["flag"] == "--asset").unwrap();
    assert_eq!((asset["in"].as_str(), asset["schema"]["type"].as_str()), (Some("field"), Some("string")));
    assert_eq!(schema["body"]["schema"]["$ref"], "#/definitions/AssetVulnerabilityQueryResource");
    assert!(schema["definitions"]["AssetVulnerabilityQueryResource"]["properties"]["asset"].is_object());
    assert_eq!(schema["pages"]["item"]["$ref"], "#/definitions/AssetSummary");
    assert!(schema["definitions"]["AssetSummary"].is_object());

    // By operationId too; an unknown name is a usage error.
    let run = secops(&["schema", "insightvm", "searchIntegrationAssets"], &[], &home, b"").await;
    assert_eq!(run.status, 0);
    let run = secops(&["schema", "insightvm", "search-everything"], &[], &home, b"").await;
    assert_eq!(run.status, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn completions_cover_every_operation_and_enum_value() {
    let home = Scratch::new();
    let run = secops(&["completions", "bash"], &[], &home, b"").await;

    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.contains("search-assets"));
    assert!(run.stdout.contains("us2"), "the region's values are completed");
}

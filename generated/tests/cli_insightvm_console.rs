//! The command line against the InsightVM Security Console's mock (features `cli`, `mock`
//! and `insightvm_console`): Basic credentials from the config file and standard input,
//! page numbers with `--all`, a path value from the document's list.

#[path = "common/cli.rs"]
mod cli;

use cli::{Scratch, secops};
use secops_clients::insightvm_console::mock::MockServer;
use secops_clients::insightvm_console::types;

const PASSWORD: &str = "console-password-never-printed";

fn scan(id: i64, engine: i32) -> types::GlobalScan {
    types::GlobalScan { id: Some(id), engine_id: Some(engine), ..Default::default() }
}

fn page(scans: Vec<types::GlobalScan>, number: i64) -> types::PageOfGlobalScan {
    let page = types::PageInfo { number: Some(number), total_pages: Some(2), ..Default::default() };
    types::PageOfGlobalScan { resources: Some(scans), page: Some(page), ..Default::default() }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_active_scan_of_every_page_with_credentials_from_the_config_file() {
    let server = MockServer::start().await;
    let active = server.get_scans().query("active", "true");
    active.matching(|call| call.query("page").is_empty()).ok(&page(vec![scan(1, 7), scan(2, 8)], 0)).await;
    server.get_scans().query("active", "true").query("page", 1).ok(&page(vec![scan(3, 7)], 1)).await;
    let home = Scratch::new();
    let config = home.file(
        "config.toml",
        format!("[insightvm_console]\nurl = \"{}\"\nuser = \"nxadmin\"\npassword = \"{PASSWORD}\"\n", server.uri())
            .as_bytes(),
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
    }

    let run = secops(
        &["--config", &config, "insightvm-console", "scan", "get-scans", "--active", "true", "--all"],
        &[],
        &home,
        b"",
    )
    .await;

    assert_eq!(run.status, 0, "{}", run.stderr);
    let ids: Vec<i64> = run.json_lines().iter().map(|scan| scan["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [1, 2, 3]);
    // Readable by its owner alone: no warning.
    #[cfg(unix)]
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let calls = server.calls().await;
    assert!(calls.iter().all(|call| call.header("authorization") == Some("<redacted>")));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_password_from_standard_input_and_a_path_value_from_the_documents_list() {
    let server = MockServer::start().await;
    let pauses = server.set_scan_status().path("id", 42).path("status", "pause").ok(&types::Links::default()).await;
    let home = Scratch::new();
    let url = server.uri();

    let run = secops(
        &["insightvm-console", "--user", "nxadmin", "--password-file", "-", "scan", "set-scan-status", "42", "pause"],
        &[("INSIGHTVM_CONSOLE_URL", &url)],
        &home,
        format!("{PASSWORD}\n").as_bytes(),
    )
    .await;

    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(pauses.calls().len(), 1);
    assert!(!run.stdout.contains(PASSWORD) && !run.stderr.contains(PASSWORD));

    // A status the document does not list is refused before anything is sent.
    let run = secops(
        &["insightvm-console", "--user", "nxadmin", "--password-file", "-", "scan", "set-scan-status", "42", "explode"],
        &[("INSIGHTVM_CONSOLE_URL", &url)],
        &home,
        PASSWORD.as_bytes(),
    )
    .await;
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("pause"), "the values are listed: {}", run.stderr);
    assert_eq!(server.calls().await.len(), 1);
}

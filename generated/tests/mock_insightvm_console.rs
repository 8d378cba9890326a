//! An InsightVM console automation as a user writes it, tested with the kit alone (features
//! `mock` and `insightvm_console`): pause every active scan on one engine before its
//! maintenance window.

use futures::TryStreamExt;
use secops_clients::insightvm_console::mock::MockServer;
use secops_clients::insightvm_console::{ApiKey, Client, types};

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// Pauses the active scans running on engine `engine`; returns their ids.
async fn pause_scans_on_engine(client: &Client, engine: i32) -> Result<Vec<i64>, Failure> {
    let active: Vec<types::GlobalScan> =
        client.get_scans().active(types::GetScansActive::True).into_stream().try_collect().await?;
    let mut paused = Vec::new();
    for id in active.iter().filter(|scan| scan.engine_id == Some(engine)).filter_map(|scan| scan.id) {
        client.set_scan_status(id, types::SetScanStatusStatus::Pause).send().await?;
        paused.push(id);
    }
    Ok(paused)
}

fn scan(id: i64, engine: i32) -> types::GlobalScan {
    types::GlobalScan { id: Some(id), engine_id: Some(engine), ..Default::default() }
}

fn page(scans: Vec<types::GlobalScan>, number: i64) -> types::PageOfGlobalScan {
    let page = types::PageInfo { number: Some(number), total_pages: Some(2), ..Default::default() };
    types::PageOfGlobalScan { resources: Some(scans), page: Some(page), ..Default::default() }
}

#[tokio::test]
async fn only_the_engines_active_scans_are_paused() {
    let server = MockServer::start().await;
    let active = server.get_scans().query("active", "true");
    active.matching(|call| call.query("page").is_empty()).ok(&page(vec![scan(1, 7), scan(2, 8)], 0)).await;
    server.get_scans().query("active", "true").query("page", 1).ok(&page(vec![scan(3, 7)], 1)).await;
    let pauses = server.set_scan_status().path("status", "pause").times(2).ok(&types::Links::default()).await;
    let client = Client::builder("admin", ApiKey::new("secret")).base_url(server.uri()).build().unwrap();

    assert_eq!(pause_scans_on_engine(&client, 7).await.unwrap(), [1, 3]);
    let paths: Vec<String> = pauses.calls().iter().map(|call| call.url.path().to_owned()).collect();
    assert_eq!(paths, ["/api/3/scans/1/pause", "/api/3/scans/3/pause"]);
    assert_eq!(pauses.last().header("authorization"), Some("<redacted>"));
}

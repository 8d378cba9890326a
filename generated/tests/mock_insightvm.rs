//! An InsightVM automation as a user writes it, tested with the kit alone (feature `mock`):
//! stop every running scan.

use futures::TryStreamExt;
use secops_clients::insightvm::mock::MockServer;
use secops_clients::insightvm::{ApiKey, Client, Error, types};
use secops_clients::runtime::mock::Reply;

/// Stops every scan that is running; returns the ids it stopped.
async fn stop_running_scans(client: &Client) -> Result<Vec<String>, Error<types::Error>> {
    let scans: Vec<types::ScanResource> = client.list_scans().size(2).into_stream().try_collect().await?;
    let mut stopped = Vec::new();
    for scan in scans.into_iter().filter(|scan| scan.status.as_deref() == Some("Running")) {
        client.stop_scan(scan.id.as_str()).send().await?;
        stopped.push(scan.id);
    }
    Ok(stopped)
}

fn scan(id: &str, status: &str) -> types::ScanResource {
    types::ScanResource { status: Some(status.into()), ..types::ScanResource::new(id) }
}

fn page(scans: Vec<types::ScanResource>, number: i64) -> types::PagedResourcesScanResource {
    let metadata = types::CursorPageMetadata { number: Some(number), total_pages: Some(2), ..Default::default() };
    types::PagedResourcesScanResource { data: Some(scans), metadata: Some(metadata), ..Default::default() }
}

#[tokio::test]
async fn every_running_scan_on_every_page_is_stopped() {
    let server = MockServer::start().await;
    let first = page(vec![scan("s-1", "Running"), scan("s-2", "Finished")], 0);
    let second = page(vec![scan("s-3", "Running")], 1);
    server.list_scans().matching(|call| call.query("page").is_empty()).ok(&first).await;
    server.list_scans().query("page", 1).ok(&second).await;
    let stops = server.stop_scan().times(2).respond(Reply::empty(202)).await;
    let client = Client::builder(ApiKey::new("key")).base_url(server.uri()).build().unwrap();

    assert_eq!(stop_running_scans(&client).await.unwrap(), ["s-1", "s-3"]);
    let paths: Vec<String> = stops.calls().iter().map(|call| call.url.path().to_owned()).collect();
    assert_eq!(paths, ["/v4/integration/scan/s-1/stop", "/v4/integration/scan/s-3/stop"]);
}

#[tokio::test]
async fn a_refused_stop_is_the_typed_error() {
    let server = MockServer::start().await;
    server.list_scans().ok(&types::PagedResourcesScanResource {
        data: Some(vec![scan("s-1", "Running")]),
        ..Default::default()
    })
    .await;
    let refusal = types::Error { message: Some("scan not found".into()), status: Some(404), ..Default::default() };
    server.stop_scan().path("id", "s-1").respond(Reply::json(404, &refusal)).await;
    let client = Client::builder(ApiKey::new("key")).base_url(server.uri()).build().unwrap();

    let Err(Error::Api(error)) = stop_running_scans(&client).await else { panic!("the 404 is an API error") };
    assert_eq!(error.error().and_then(|e| e.message.as_deref()), Some("scan not found"));
}

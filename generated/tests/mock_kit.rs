//! The test kit (feature `mock`), each way of matching and answering, through the real
//! generated Invicti client over loopback.

use std::time::Duration;

use futures::TryStreamExt;
use secops_clients::invicti::mock::{self, MockServer};
use secops_clients::invicti::{ApiKey, Client, Error, File, RetryPolicy, types};
use secops_clients::runtime::mock::Reply;

fn client(server: &MockServer) -> Client {
    Client::builder(ApiKey::new("jwt-secret")).base_url(server.uri()).build().unwrap()
}

fn target(id: &str) -> types::ApiTarget {
    types::ApiTarget::new(id, format!("API {id}"))
}

fn details(id: &str) -> types::ApiTargetDetails {
    types::ApiTargetDetails::new(target(id))
}

fn not_found() -> types::ErrorResponse {
    types::ErrorResponse { status: Some(404), title: Some("Not Found".into()), ..Default::default() }
}

#[tokio::test]
async fn path_values_choose_the_answer_and_calls_are_recorded() {
    let server = MockServer::start().await;
    let one = server.get_api_target().path("apiTargetId", "t 1").ok(&details("t 1")).await;
    server.get_api_target().path("apiTargetId", "t-2").respond(Reply::json(404, &not_found())).await;
    let client = client(&server);

    let found = client.get_api_target("t 1").send().await.unwrap();
    assert_eq!(found.body().target.name, "API t 1");
    let missing = client.get_api_target("t-2").send().await.unwrap_err();
    let Error::Api(error) = missing else { panic!("an API error, got {missing:?}") };
    assert_eq!(error.status().as_u16(), 404);
    assert_eq!(error.error(), Some(&not_found()), "the typed error decodes as the client reads it");

    assert_eq!(one.calls().len(), 1);
    assert_eq!(one.last().url.path(), "/api/apihub/v1/inventory/api-targets/t%201");
    assert_eq!(one.last().header("x-auth"), Some("<redacted>"), "credentials never show");
    assert_eq!(server.calls().await.len(), 2);
}

#[tokio::test]
async fn query_header_and_predicate_narrow_the_calls() {
    let server = MockServer::start().await;
    let page = types::ApiTargetList::new(vec![target("a")], 1);
    let searched = server
        .list_api_targets()
        .query("search", "billing")
        .header("accept", "application/json")
        .matching(|call| call.query("limit") == ["5"])
        .times(1)
        .ok(&page)
        .await;
    let client = client(&server);
    let listed = client.list_api_targets().search("billing").limit(5).send().await.unwrap();
    assert_eq!(listed.body().targets[0].id, "a");
    // Another search matches no mock: the server answers 404, which the client reports.
    assert!(client.list_api_targets().search("other").send().await.is_err());
    assert_eq!(searched.last().query("search"), ["billing"]);
}

#[tokio::test]
async fn a_typed_body_matches_the_request_body() {
    let server = MockServer::start().await;
    let request = types::LinkRequest::new("t-1", "https://api.example.com");
    let link = types::ApiTargetLink { id: Some("l-1".into()), ..Default::default() };
    let linked = server.link_api_target().body(&request).ok(&link).await;
    let client = client(&server);
    assert_eq!(client.link_api_target(request.clone()).send().await.unwrap().body().id.as_deref(), Some("l-1"));
    let other = types::LinkRequest::new("t-2", "https://api.example.com");
    assert!(client.link_api_target(other).send().await.is_err(), "another body is not this mock's");
    assert_eq!(linked.last().json::<types::LinkRequest>().unwrap(), request);
}

#[tokio::test]
async fn answers_in_turn_a_429_then_success_is_retried_after_retry_after() {
    let server = MockServer::start().await;
    let mounted = server
        .get_api_target()
        .respond_in_turn([Reply::too_many_requests(0), Reply::json(200, &details("t-1"))])
        .await;
    let client = Client::builder(ApiKey::new("k"))
        .base_url(server.uri())
        .retry(RetryPolicy::default().initial_backoff(Duration::from_millis(1)))
        .build()
        .unwrap();
    assert_eq!(client.get_api_target("t-1").send().await.unwrap().body().target.id, "t-1");
    assert_eq!(mounted.calls().len(), 2, "the 429, then the retry");
}

#[tokio::test]
async fn a_delay_past_the_timeout_times_the_call_out() {
    let server = MockServer::start().await;
    server.get_api_target().respond(Reply::json(200, &details("slow")).delay(Duration::from_secs(5))).await;
    let client = Client::builder(ApiKey::new("k"))
        .base_url(server.uri())
        .timeout(Duration::from_millis(100))
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();
    let error = client.get_api_target("slow").send().await.unwrap_err();
    assert!(matches!(error, Error::Timeout(_)), "got {error:?}");
}

#[tokio::test]
async fn raw_bytes_reach_the_client_unchecked() {
    let server = MockServer::start().await;
    server.get_api_target().respond(Reply::raw(200, "<html>proxy login</html>")).await;
    let error = client(&server).get_api_target("t").send().await.unwrap_err();
    assert!(matches!(error, Error::Decode(_)), "got {error:?}");
}

#[tokio::test]
#[should_panic(expected = "getApiTarget: the reply with status 200 is not what the document says")]
async fn a_documented_answer_that_does_not_decode_is_refused_when_written() {
    let server = MockServer::start().await;
    // `ApiTargetDetails` requires `target`.
    server.get_api_target().respond(Reply::json(200, &serde_json::json!({ "id": "t" }))).await;
}

#[tokio::test]
#[should_panic(expected = "it does not read as the error the operation documents")]
async fn a_documented_error_that_does_not_decode_is_refused_when_written() {
    let server = MockServer::start().await;
    server.get_api_target().respond(Reply::json(404, &serde_json::json!(["not", "an", "object"]))).await;
}

#[tokio::test]
async fn pages_by_cursor_and_a_streamed_download() {
    let server = MockServer::start().await;
    let mut first = types::ApiTargetList::new(vec![target("a"), target("b")], 3);
    first.next_page = Some("2".into());
    server.list_api_targets().matching(|call| call.query("cursor").is_empty()).ok(&first).await;
    server.list_api_targets().query("cursor", "2").ok(&types::ApiTargetList::new(vec![target("c")], 3)).await;
    server.export_inventory().respond(Reply::bytes(200, "id,name\na,API a\n", "text/csv")).await;
    let client = client(&server);

    let ids: Vec<String> =
        client.list_api_targets().into_stream().map_ok(|target| target.id).try_collect().await.unwrap();
    assert_eq!(ids, ["a", "b", "c"]);
    let request = types::ExportRequest::new(types::ExportRequestExportType::Targets, types::ExportRequestFormat::Csv);
    let csv = client.export_inventory(request).send().await.unwrap().into_body().collect().await.unwrap();
    assert_eq!(&csv[..], b"id,name\na,API a\n");
}

#[tokio::test]
async fn an_upload_shows_its_parts() {
    let server = MockServer::start().await;
    let upload = server.upload_api_definition().query("format", "openapi3").respond(Reply::empty(200)).await;
    let file = File::from_bytes("api.yaml", "openapi: 3.0.0\n");
    client(&server).upload_api_definition("openapi3", file).name("Billing").send().await.unwrap();
    let parts = upload.last().parts();
    let file = parts.iter().find(|part| part.file_name.is_some()).expect("a file part");
    assert_eq!((file.file_name.as_deref(), &file.body[..]), (Some("api.yaml"), &b"openapi: 3.0.0\n"[..]));
}

#[tokio::test]
async fn capture_shows_the_request_without_a_server() {
    let builder = Client::builder(ApiKey::new("jwt-secret"));
    let request = types::LinkRequest::new("t-1", "https://api.example.com");
    let sent = mock::capture(builder, |client| client.link_api_target(request).send()).await;
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.url.path(), "/api/apihub/v1/inventory/links");
    assert_eq!(sent.header("x-auth"), Some("<redacted>"));
    assert!(!format!("{sent:?}").contains("jwt-secret"), "the key never shows: {sent:?}");
    let body: serde_json::Value = sent.json().unwrap();
    assert_eq!(body, serde_json::json!({ "apiTargetId": "t-1", "baseUrl": "https://api.example.com" }));
}

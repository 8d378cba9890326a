//! The InsightVM client over real HTTP against a loopback mock server.

use futures::TryStreamExt;
use secops_clients::insightvm::{self, ApiKey, Client, Error, RetryPolicy, types};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder(ApiKey::new("r7-secret-key"))
        .base_url(server.uri())
        .retry(RetryPolicy::default().initial_backoff(std::time::Duration::from_millis(1)))
        .build()
        .unwrap()
}

fn asset(id: &str) -> serde_json::Value {
    json!({
        "id": id, "type": "guest", "host_name": "db-1", "risk_score": 5656,
        "unique_identifiers": {"id": "abc", "source": "R7 Agent"},
        "new": [{"vulnerability_id": "v1", "status": "SOME_NEW_STATUS", "check_id": null}]
    })
}

#[tokio::test]
async fn search_assets_sends_paging_sorts_key_and_body_and_decodes_the_page() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v4/integration/assets"))
        .and(query_param("size", "2"))
        .and(query_param("sort", "id,ASC"))
        .and(query_param("sort", "risk_score,DESC"))
        .and(header("X-Api-Key", "r7-secret-key"))
        .and(body_json(json!({"asset": "critical_vulnerabilities > 0"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [asset("a-1")],
            "metadata": {"number": 0, "size": 2, "totalResources": 1, "totalPages": 1, "cursor": null},
            "links": []
        })))
        .expect(1)
        .mount(&server)
        .await;

    let page = client(&server)
        .search_assets()
        .size(2)
        .sort(["id,ASC", "risk_score,DESC"])
        .body(types::AssetVulnerabilityQueryResource {
            asset: Some("critical_vulnerabilities > 0".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    let assets = page.data.as_ref().unwrap();
    assert_eq!(assets[0].id, "a-1");
    assert_eq!(assets[0].type_, Some(types::AssetSummaryType::Guest));
    assert_eq!(assets[0].risk_score, Some(5656.0));
    // One object instead of an array: both shapes decode.
    assert!(matches!(assets[0].unique_identifiers, Some(types::AssetSummaryUniqueIdentifiers::UniqueIdSummary(_))));
    // A status the spec does not list survives as Unknown.
    let finding = &assets[0].new.as_ref().unwrap()[0];
    assert_eq!(finding.status, Some(types::AssetVulnerabilityResultSummaryStatus::Unknown("SOME_NEW_STATUS".into())));
    assert_eq!(page.status(), 200);
}

#[tokio::test]
async fn search_assets_stream_follows_the_cursor_lazily_across_three_pages() {
    let server = MockServer::start().await;
    for (page, cursor, next) in
        [(None, None, Some("c1")), (Some("1"), Some("c1"), Some("c2")), (Some("2"), Some("c2"), None)]
    {
        let mut mock = Mock::given(method("POST")).and(path("/v4/integration/assets"));
        if let (Some(page), Some(cursor)) = (page, cursor) {
            mock = mock.and(query_param("page", page)).and(query_param("cursor", cursor));
        }
        let id = format!("asset-{}", page.unwrap_or("0"));
        mock.respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [asset(&id)],
            "metadata": {"number": 0, "size": 1, "totalResources": 3, "totalPages": 3, "cursor": next}
        })))
        .with_priority(if cursor.is_some() { 1 } else { 5 })
        .mount(&server)
        .await;
    }
    let mut stream = client(&server).search_assets().size(1).into_stream();
    let first = stream.try_next().await.unwrap().unwrap();
    assert_eq!(first.id, "asset-0");
    // Lazy: only the first page has been requested so far.
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    let rest: Vec<_> = stream.try_collect().await.unwrap();
    let ids: Vec<_> = rest.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["asset-1", "asset-2"]);
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn get_scan_404_is_a_typed_api_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v4/integration/scan/no%20such%2Fscan"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({
            "status": 404, "message": "The requested resource does not exist.", "localized_message": null
        })))
        .mount(&server)
        .await;
    match client(&server).get_scan("no such/scan").send().await {
        Err(Error::Api(error)) => {
            assert_eq!(error.status(), 404);
            assert_eq!(error.error().unwrap().message.as_deref(), Some("The requested resource does not exist."));
            assert_eq!(error.message(), "The requested resource does not exist.");
        }
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn send_with_reads_any_answer_another_way() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v4/integration/scan/s-1"))
        .respond_with(ResponseTemplate::new(503).set_body_string("not JSON at all"))
        .expect(1)
        .mount(&server)
        .await;
    // The raw body of a typed operation, whatever its status (one attempt: a 503 is retried).
    let client = Client::builder(ApiKey::new("r7-secret-key"))
        .base_url(server.uri())
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();
    let answer = client
        .get_scan("s-1")
        .send_with(|_, answer| secops_clients::runtime::bytes::<()>(answer))
        .await
        .unwrap();
    assert_eq!(answer.status(), 503);
    assert_eq!(answer.body().as_ref(), b"not JSON at all");
}

#[tokio::test]
async fn engine_configuration_removal_sends_a_body_on_delete() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/v4/integration/scan/engine/e-1/configuration"))
        .and(body_json(json!({"properties": ["com.rapid7.exampleProperty1"]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"message": "removed"})))
        .expect(1)
        .mount(&server)
        .await;
    let body = types::RemoveScanEngineConfigurationProperty::new(vec!["com.rapid7.exampleProperty1".into()]);
    let reply = client(&server).remove_scan_engine_configuration("e-1", body).send().await.unwrap();
    assert_eq!(reply.message.as_deref(), Some("removed"));
}

#[tokio::test]
async fn retry_safe_search_is_retried_after_503_but_start_scan_is_not() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v4/integration/vulnerabilities"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "0"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v4/integration/vulnerabilities"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": [{"id": "7-zip-cve-2008-6536", "severity": "severe"}]})),
        )
        .with_priority(2)
        .mount(&server)
        .await;
    // A plain 503 may have come after the scan started: not sent twice.
    Mock::given(method("POST"))
        .and(path("/v4/integration/scan"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;

    let client = client(&server);
    let page = client.search_vulnerabilities().send().await.unwrap();
    assert_eq!(page.data.as_ref().unwrap()[0].severity, Some(types::VulnerabilitySummarySeverity::Severe));
    let started = client.start_scan(types::ScanForm::default()).send().await;
    assert_eq!(started.unwrap_err().status().map(|s| s.as_u16()), Some(503));
}

#[tokio::test]
async fn a_throttled_start_scan_is_sent_again_because_the_server_did_not_act_on_it() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v4/integration/scan"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v4/integration/scan"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"scans": [{"id": "scan-1"}]})))
        .with_priority(2)
        .mount(&server)
        .await;
    let started = client(&server).start_scan(types::ScanForm::default()).send().await.unwrap();
    assert_eq!(started.status(), 200);
    assert_eq!(started.scans.as_ref().unwrap()[0].id, "scan-1");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn region_selects_the_host_and_the_key_never_prints() {
    let client = Client::new(insightvm::Region::Eu, ApiKey::new("r7-secret-key")).unwrap();
    assert_eq!(client.base_url(), "https://eu.api.insight.rapid7.com/vm");
    assert!(!format!("{client:?}").contains("r7-secret-key"));
    assert!(!format!("{:?}", ApiKey::new("r7-secret-key")).contains("r7-secret-key"));
}

#[test]
fn a_request_builder_debugs_as_its_inputs_type_and_options_without_the_key() {
    let client = Client::new(insightvm::Region::Eu, ApiKey::new("r7-secret-key")).unwrap();
    let builder = client.get_scan("scan-77").timeout(std::time::Duration::from_secs(9));
    let shown = format!("{builder:?}");
    assert!(shown.starts_with("RequestBuilder { inputs: \"GetScanInput\""), "{shown}");
    assert!(shown.contains("timeout: Some(9s)"), "{shown}");
    assert!(shown.ends_with(", .. }"), "{shown}");
    assert!(!shown.contains("r7-secret-key") && !shown.contains("scan-77"), "{shown}");
}

#[test]
fn required_inputs_of_text_aliases_and_string_enums_take_their_text() {
    // `VulnerabilityId = String` and `AssetKey = String`: text, as a plain string field is.
    let vulnerability = types::VulnerabilitySummary::new("7-zip-cve-2008-6536");
    assert_eq!(vulnerability.id, "7-zip-cve-2008-6536");
    let property = types::ScanEngineConfigurationPropertyInput::new("proxy.host", String::from("10.1.2.3"));
    assert_eq!((property.name.as_str(), property.value.as_str()), ("proxy.host", "10.1.2.3"));
}

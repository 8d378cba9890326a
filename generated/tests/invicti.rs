//! The Invicti client over real HTTP against a loopback mock server.

use futures::TryStreamExt;
use secops_clients::invicti::{ApiKey, Client, Error, File, types};
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder(ApiKey::new("jwt-secret")).base_url(server.uri()).build().unwrap()
}

fn target(id: &str) -> serde_json::Value {
    json!({
        "id": id, "name": "My API", "alternativeUrls": ["http://api.example.com"],
        "definitions": [{"id": "d", "source": {"mode": "Provided", "origin": "Manually uploaded"},
                         "format": "Openapi3", "name": "", "url": null, "sourceName": null}],
        "definitionFormat": "Asyncapi", "createdAt": "2025-11-15T10:30:00Z", "lastScanned": null,
        "vulnerabilityCounts": null, "links": [], "annotations": [], "apiCredentialId": null
    })
}

#[tokio::test]
async fn list_api_targets_streams_every_page_by_cursor() {
    let server = MockServer::start().await;
    for (cursor, next) in [("0", Some("20")), ("20", Some("40")), ("40", None)] {
        Mock::given(method("GET"))
            .and(path("/api/apihub/v1/inventory/api-targets"))
            .and(query_param("cursor", cursor))
            .and(query_param("limit", "20"))
            .and(header("X-Auth", "jwt-secret"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "targets": [target(&format!("t-{cursor}"))], "totalCount": 3, "nextPage": next, "previousPage": null
            })))
            .expect(1)
            .mount(&server)
            .await;
    }
    let targets: Vec<_> =
        client(&server).list_api_targets().limit(20).cursor("0").into_stream().try_collect().await.unwrap();
    let ids: Vec<_> = targets.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["t-0", "t-20", "t-40"]);
    assert_eq!(targets[0].definition_format, Some(types::DefinitionFormat::Unknown("Asyncapi".into())));
    assert_eq!(targets[0].definitions.as_ref().unwrap()[0].format, Some(types::DefinitionFormat::Openapi3));
    assert_eq!(targets[0].last_scanned, None);
}

#[tokio::test]
async fn create_from_definition_uploads_multipart_with_query() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/apihub/v1/inventory/api-targets/create-from-definition"))
        .and(query_param("format", "openapi3"))
        .and(query_param("mode", "provided"))
        .and(query_param("origin", "manual-upload"))
        .respond_with(ResponseTemplate::new(200).set_body_json(target("new-target")))
        .expect(1)
        .mount(&server)
        .await;
    let created = client(&server)
        .create_api_target_from_definition(
            types::DefinitionFormatInput::Openapi3,
            "provided",
            "manual-upload",
            File::from_bytes("petstore.yaml", "openapi: 3.0.3\n").content_type("application/yaml"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.id, "new-target");
    let requests: Vec<Request> = server.received_requests().await.unwrap();
    let content_type = requests[0].headers.get("content-type").unwrap().to_str().unwrap().to_owned();
    assert!(content_type.starts_with("multipart/form-data; boundary="), "{content_type}");
    let body = String::from_utf8_lossy(&requests[0].body).into_owned();
    assert!(body.contains("name=\"body\"; filename=\"petstore.yaml\""), "{body}");
    assert!(
        body.contains("Content-Type: application/yaml") || body.contains("content-type: application/yaml"),
        "{body}"
    );
    assert!(body.contains("openapi: 3.0.3"), "{body}");
}

#[tokio::test]
async fn export_streams_the_file_to_disk() {
    let server = MockServer::start().await;
    let csv = "id,name\n".to_owned() + &"t,My API\n".repeat(10_000);
    Mock::given(method("POST"))
        .and(path("/api/apihub/v1/inventory/export"))
        .and(wiremock::matchers::body_json(json!({"exportType": "targets", "format": "csv"})))
        .respond_with(ResponseTemplate::new(200).set_body_raw(csv.clone(), "application/octet-stream"))
        .mount(&server)
        .await;
    let request = types::ExportRequest::new(types::ExportRequestExportType::Targets, types::ExportRequestFormat::Csv);
    let export = client(&server).export_inventory(request).send().await.unwrap();
    let target = std::env::temp_dir().join(format!("inventory-{}.csv", std::process::id()));
    let written = export.into_body().write_to(tokio::fs::File::create(&target).await.unwrap()).await.unwrap();
    assert_eq!(written, csv.len() as u64);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), csv);
    std::fs::remove_file(target).unwrap();
}

#[tokio::test]
async fn a_body_that_does_not_match_names_the_json_path() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/apihub/v1/inventory/api-targets/t-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "target": {"id": "t-1", "name": "x", "operationsCount": "many"}
        })))
        .mount(&server)
        .await;
    match client(&server).get_api_target("t-1").send().await {
        Err(Error::Decode(error)) => assert_eq!(error.path(), "target.operationsCount"),
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn undocumented_status_keeps_status_and_raw_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/apihub/v1/inventory/links"))
        .respond_with(ResponseTemplate::new(418).set_body_string("teapot"))
        .mount(&server)
        .await;
    let link = types::LinkRequest::new("t-1", "https://petstore.example");
    match client(&server).link_api_target(link).send().await {
        Err(Error::Api(error)) => {
            assert_eq!(error.status(), 418);
            assert!(error.error().is_none());
            assert_eq!(error.body().as_ref(), b"teapot");
        }
        other => panic!("expected an API error, got {other:?}"),
    }
}

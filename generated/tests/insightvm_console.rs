//! The InsightVM Security Console client (Swagger 2.0 document) over real HTTP and HTTPS on
//! loopback: Basic credentials and the two-factor token on every call, paging by
//! `page.totalPages`, repeated `sort`, streamed report downloads, documented errors, and
//! extra CA certificates for consoles with a private CA.

mod common;

use futures::TryStreamExt;
use secops_clients::insightvm_console::{ApiKey, BuildError, Client, Error, RetryPolicy, types};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder("nxadmin", ApiKey::new("console-password"))
        .base_url(server.uri())
        .retry(RetryPolicy::default().initial_backoff(std::time::Duration::from_millis(1)))
        .build()
        .unwrap()
}

fn site(id: i32, name: &str) -> serde_json::Value {
    json!({"id": id, "name": name, "riskScore": 1234.5, "assets": 7, "type": "static", "links": []})
}

fn page(number: i32, total_pages: i32, sites: Vec<serde_json::Value>) -> serde_json::Value {
    json!({
        "resources": sites,
        "page": {"number": number, "size": 2, "totalPages": total_pages, "totalResources": 3},
        "links": [{"href": "https://console/api/3/sites", "rel": "self"}]
    })
}

/// `Basic base64(nxadmin:console-password)`.
const BASIC: &str = "Basic bnhhZG1pbjpjb25zb2xlLXBhc3N3b3Jk";

#[tokio::test]
async fn every_call_carries_basic_credentials_and_the_token_only_when_set() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/3/administration/info"))
        .and(header("authorization", BASIC))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"version": {"semantic": "6.6.200"}})))
        .expect(2)
        .mount(&server)
        .await;

    client(&server).get_info().send().await.unwrap();
    let with_token = Client::builder("nxadmin", ApiKey::new("console-password"))
        .base_url(server.uri())
        .token(ApiKey::new("123456"))
        .build()
        .unwrap();
    with_token.get_info().send().await.unwrap();

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[0].headers.get("token"), None, "no token unless the user sets one");
    assert_eq!(requests[1].headers.get("token").unwrap(), "123456");
    // Neither the password nor the token prints.
    let shown = format!("{with_token:?}");
    assert!(!shown.contains("console-password") && !shown.contains("123456"), "{shown}");
}

#[tokio::test]
async fn sites_stream_page_by_page_until_the_total_page_count_with_repeated_sort() {
    let server = MockServer::start().await;
    // The first request leaves `page` to the server's default (0); the next ones count up.
    Mock::given(method("GET"))
        .and(path("/api/3/sites"))
        .and(query_param("page", "1"))
        .and(query_param("size", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(1, 2, vec![site(3, "hq")])))
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/sites"))
        .and(query_param("size", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(0, 2, vec![site(1, "dmz"), site(2, "lab")])))
        .with_priority(2)
        .expect(1)
        .mount(&server)
        .await;
    let sites: Vec<types::Site> = client(&server)
        .get_sites()
        .size(2)
        .sort(["name,ASC", "riskScore,DESC"])
        .into_stream()
        .try_collect()
        .await
        .unwrap();

    let names: Vec<_> = sites.iter().map(|s| s.name.as_deref().unwrap()).collect();
    assert_eq!(names, ["dmz", "lab", "hq"]);
    assert_eq!((sites[0].risk_score, sites[0].assets), (Some(1234.5), Some(7)));
    let first = &server.received_requests().await.unwrap()[0];
    let sorts: Vec<_> = first.url.query_pairs().filter(|(k, _)| k == "sort").map(|(_, v)| v.into_owned()).collect();
    assert_eq!(sorts, ["name,ASC", "riskScore,DESC"], "collectionFormat multi: one `sort` per value");
    assert!(first.url.query_pairs().all(|(k, _)| k != "page"));
}

#[tokio::test]
async fn report_output_streams_to_a_file_and_a_missing_report_is_its_documented_error() {
    let server = MockServer::start().await;
    let output: Vec<u8> = (0..2_000_000u32).map(|i| (i % 251) as u8).collect();
    Mock::given(method("GET"))
        .and(path("/api/3/reports/42/history/7/output"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(output.clone(), "application/octet-stream"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/reports/404/history/latest/output"))
        .respond_with(ResponseTemplate::new(404).set_body_raw(
            json!({"status": "404", "message": "report not found", "links": []}).to_string(),
            "application/json;charset=UTF-8",
        ))
        .mount(&server)
        .await;

    let dir = std::env::temp_dir().join(format!("console-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("report.gz");
    let download = client(&server).download_report(42, "7".into()).send().await.unwrap();
    let written = download.into_body().write_to(tokio::fs::File::create(&file).await.unwrap()).await.unwrap();
    assert_eq!(written, output.len() as u64);
    assert_eq!(std::fs::read(&file).unwrap(), output);
    std::fs::remove_dir_all(&dir).unwrap();

    let latest = types::DownloadReportInstance::Latest;
    match client(&server).download_report(404, latest).send().await {
        Err(Error::Api(error)) => {
            assert_eq!(error.status(), 404);
            let documented = format!("{:?}", error.error());
            assert!(documented.contains("report not found"), "{documented}");
        }
        other => panic!("expected the documented 404, got {other:?}"),
    }
}

/// A one-connection HTTPS server on loopback with a certificate for `localhost` signed by the
/// test CA in `tests/tls/`; it answers one request with a JSON body.
async fn tls_console() -> (String, tokio::task::JoinHandle<()>) {
    let acceptor = common::localhost_acceptor();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let Ok(mut tls) = acceptor.accept(tcp).await else { continue };
            let mut request = [0u8; 4096];
            let _ = tls.read(&mut request).await;
            let body = r#"{"version":{"semantic":"6.6.200"}}"#;
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = tls.write_all(answer.as_bytes()).await;
            let _ = tls.shutdown().await;
        }
    });
    (format!("https://localhost:{port}"), task)
}

#[tokio::test]
async fn a_private_ca_is_trusted_only_when_given_and_verification_is_never_skipped_by_default() {
    let (url, server) = tls_console().await;
    let builder = || Client::builder("nxadmin", ApiKey::new("pw")).base_url(url.clone()).retry(RetryPolicy::disabled());

    let default = builder().build().unwrap();
    match default.get_info().send().await {
        Err(Error::Transport(_)) => {}
        other => panic!("an unknown CA must be refused, got {other:?}"),
    }
    let trusting = builder().add_root_certificates_pem(include_bytes!("tls/ca.pem").to_vec()).build().unwrap();
    trusting.get_info().send().await.expect("the added CA is trusted");
    let reckless = builder().danger_accept_invalid_certificates().build().unwrap();
    reckless.get_info().send().await.expect("the explicit opt-in skips verification");

    let garbage = builder().add_root_certificates_pem(b"not a certificate".to_vec()).build();
    assert!(matches!(garbage, Err(BuildError::Certificate(_))), "{garbage:?}");
    let ca = include_bytes!("tls/ca.pem").to_vec();
    let with_http = builder().add_root_certificates_pem(ca).http_client(reqwest::Client::new()).build();
    assert!(matches!(with_http, Err(BuildError::TlsWithHttpClient)));
    server.abort();
}

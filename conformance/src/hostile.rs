//! A server on a bad day, for the examples: every route throttles its first request, and
//! answers carry enum values and fields the spec does not list. It serves the routes of all
//! three APIs' examples at once (their paths do not overlap).

use std::io::BufRead;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Answers the first request with a throttle, then with `then`.
struct ThrottleOnce {
    seen: Arc<AtomicUsize>,
    status: u16,
    then: ResponseTemplate,
}

impl Respond for ThrottleOnce {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        if self.seen.fetch_add(1, Ordering::SeqCst) == 0 {
            ResponseTemplate::new(self.status).insert_header("Retry-After", "1")
        } else {
            self.then.clone()
        }
    }
}

fn throttled(status: u16, then: ResponseTemplate) -> ThrottleOnce {
    ThrottleOnce { seen: Arc::new(AtomicUsize::new(0)), status, then }
}

fn json(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

fn target(id: &str) -> Value {
    json!({
        "id": id, "name": format!("API {id}"), "alternativeUrls": ["https://api.example.com"],
        "definitionFormat": "AsyncApi3", "createdAt": "2026-01-02T03:04:05Z", "lastScanned": null,
        "definitions": [], "links": [], "annotations": [], "apiCredentialId": null,
        "riskLevel": "Elevated", "labels": {"team": "payments"}
    })
}

fn asset(id: &str, critical: i64) -> Value {
    json!({
        "id": id, "host_name": format!("{id}.corp.example"), "ip": "10.0.0.7", "type": "container-host",
        "os_family": "Linux", "risk_score": 12345.5, "critical_vulnerabilities": critical,
        "severe_vulnerabilities": 3, "total_vulnerabilities": critical + 3, "cloud_provider": "on-prem",
        "tags": [{"name": "prod", "type": "criticality-tag"}]
    })
}

/// Mounts the routes the five examples use.
async fn mount(server: &MockServer) {
    // Invicti: targets over three pages by cursor.
    let pages = [(None, Some("p2")), (Some("p2"), Some("p3")), (Some("p3"), None)];
    for (index, (cursor, next)) in pages.into_iter().enumerate() {
        let body = json!({
            "targets": [target(&format!("t{}a", index + 1)), target(&format!("t{}b", index + 1))],
            "totalCount": 6, "nextPage": next, "previousPage": null, "serverHint": "extra"
        });
        let mock = Mock::given(method("GET")).and(path("/api/apihub/v1/inventory/api-targets"));
        let mock = match cursor {
            Some(cursor) => mock.and(query_param("cursor", cursor)),
            None => mock.and(query_param_is_missing("cursor")),
        };
        mock.respond_with(throttled(429, json(body))).mount(server).await;
    }
    Mock::given(method("POST"))
        .and(path("/api/apihub/v1/inventory/api-targets/create-from-definition"))
        .respond_with(throttled(429, json(target("t-new"))))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/apihub/v1/inventory/links"))
        .respond_with(throttled(
            503,
            json(json!({"id": "link-1", "apiTargetId": "t-new", "remoteTargetId": "dast-9", "status": "Pending"})),
        ))
        .mount(server)
        .await;
    let csv = "id,name,url\nt1,Payments,https://pay.example.com\nt2,Orders,https://orders.example.com\n";
    Mock::given(method("POST"))
        .and(path("/api/apihub/v1/inventory/export"))
        .respond_with(throttled(
            503,
            ResponseTemplate::new(200).set_body_raw(csv.as_bytes().to_vec(), "application/octet-stream"),
        ))
        .mount(server)
        .await;

    // InsightVM: assets over two pages by cursor, then an empty cursor.
    let asset_pages =
        [(None, Some("c2"), vec![asset("a1", 4), asset("a2", 1)]), (Some("c2"), None, vec![asset("a3", 9)])];
    for (cursor, next, data) in asset_pages {
        let body = json!({"data": data, "metadata": {"cursor": next, "number": 0, "size": 500, "totalResources": 3}, "links": []});
        let mock = Mock::given(method("POST")).and(path("/v4/integration/assets"));
        let mock = match cursor {
            Some(cursor) => mock.and(query_param("cursor", cursor)),
            None => mock.and(query_param_is_missing("cursor")),
        };
        mock.respond_with(throttled(429, json(body))).mount(server).await;
    }
    Mock::given(method("POST"))
        .and(path("/v4/integration/scan"))
        .respond_with(throttled(
            429,
            ResponseTemplate::new(202).set_body_json(json!({"scans": [{"id": "scan-77", "status": "Queued"}]})),
        ))
        .mount(server)
        .await;
    // The scan is running twice, then finishes with a status the spec never lists.
    let polls = Arc::new(AtomicUsize::new(0));
    Mock::given(method("GET"))
        .and(path_regex("^/v4/integration/scan/[^/]+$"))
        .respond_with(ScanProgress { polls })
        .mount(server)
        .await;
}

fn site(id: i64, name: &str) -> Value {
    json!({
        "id": id, "name": name, "riskScore": 48213.25, "assets": id * 10, "type": "agent-managed",
        "importance": "high", "links": [{"href": "https://console.example:3780/api/3/sites", "rel": "self"}],
        "newConsoleField": {"nested": true}
    })
}

/// The Security Console routes of its two examples: sites over two pages counted by
/// `page.totalPages`, a report generated, polled (queued, running, complete) and downloaded.
async fn mount_console(server: &MockServer) {
    let pages = [(0, vec![site(1, "DMZ"), site(2, "Lab")]), (1, vec![site(3, "HQ")])];
    for (number, sites) in pages {
        let body = json!({
            "resources": sites,
            "page": {"number": number, "size": 500, "totalPages": 2, "totalResources": 3},
            "links": []
        });
        let mock = Mock::given(method("GET")).and(path("/api/3/sites"));
        let mock =
            if number == 0 { mock.and(query_param_is_missing("page")) } else { mock.and(query_param("page", "1")) };
        mock.respond_with(throttled(503, json(body))).mount(server).await;
    }
    Mock::given(method("POST"))
        .and(path("/api/3/reports/17/generate"))
        .respond_with(throttled(429, json(json!({"id": 5, "links": []}))))
        .mount(server)
        .await;
    let polls = Arc::new(AtomicUsize::new(0));
    Mock::given(method("GET"))
        .and(path("/api/3/reports/17/history/5"))
        .respond_with(ReportProgress { polls })
        .mount(server)
        .await;
    let output: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
    Mock::given(method("GET"))
        .and(path("/api/3/reports/17/history/5/output"))
        .respond_with(throttled(503, ResponseTemplate::new(200).set_body_raw(output, "application/octet-stream")))
        .mount(server)
        .await;
}

/// A report instance that is queued (a status the document does not list), running, then
/// complete.
struct ReportProgress {
    polls: Arc<AtomicUsize>,
}

impl Respond for ReportProgress {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let status = match self.polls.fetch_add(1, Ordering::SeqCst) {
            0 => "queued",
            1 => "running",
            _ => "complete",
        };
        json(
            json!({"id": 5, "status": status, "generated": "2026-01-02T03:04:05Z", "size": {"bytes": 300000}, "links": []}),
        )
    }
}

struct ScanProgress {
    polls: Arc<AtomicUsize>,
}

impl Respond for ScanProgress {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        match self.polls.fetch_add(1, Ordering::SeqCst) {
            0 => ResponseTemplate::new(503).insert_header("Retry-After", "1"),
            1 | 2 => {
                json(json!({"id": "scan-77", "status": "Running", "started": "2026-01-02T03:04:05Z", "progress": 40}))
            }
            _ => json(json!({
                "id": "scan-77", "status": "Finished-Partially", "started": "2026-01-02T03:04:05Z",
                "finished": "2026-01-02T03:09:05Z", "progress": 100
            })),
        }
    }
}

pub async fn serve() -> Result<(), String> {
    let server = MockServer::start().await;
    mount(&server).await;
    mount_console(&server).await;
    println!("READY {}", server.uri());
    // Serve until whoever started us closes our standard input (or kills us).
    tokio::task::spawn_blocking(|| {
        let stdin = std::io::stdin();
        for _ in stdin.lock().lines() {}
    })
    .await
    .map_err(|e| e.to_string())?;
    Ok(())
}

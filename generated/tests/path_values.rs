//! Path values stay in their segment: through generated operations of every API, against a
//! loopback server that records the raw request line (no URL parser between the client and
//! the record), a value that would address another resource is refused before anything is
//! sent, and every other value arrives as exactly one segment.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A server that records the request line of every request and answers each with 404.
struct RawServer {
    base: String,
    lines: Arc<Mutex<Vec<String>>>,
}

impl RawServer {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let lines = Arc::new(Mutex::new(Vec::new()));
        let record = lines.clone();
        tokio::spawn(async move {
            loop {
                let (mut socket, _) = listener.accept().await.unwrap();
                let record = record.clone();
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut chunk = [0u8; 4096];
                    while !head.windows(4).any(|window| window == b"\r\n\r\n") {
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(read) => head.extend_from_slice(&chunk[..read]),
                        }
                    }
                    let head = String::from_utf8_lossy(&head);
                    record.lock().unwrap().push(head.lines().next().unwrap_or_default().to_owned());
                    let answer = "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
                    let _ = socket.write_all(answer.as_bytes()).await;
                });
            }
        });
        Self { base, lines }
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.lines.lock().unwrap())
    }
}

/// Values that would address another resource: empty, and `.` or `..` however spelled.
const REFUSED: [&str; 11] = ["", ".", "..", "%2e", "%2E", ".%2e", "%2E.", "%2e%2E", "%252e", "%252E%252e", "%25252e."];

/// Values that are data, with the one segment each must become.
const ACCEPTED: [(&str, &str); 12] = [
    ("s-1", "s-1"),
    ("...", "..."),
    ("a/b", "a%2Fb"),
    ("../x", "..%2Fx"),
    ("..;", "..%3B"),
    ("..\\", "..%5C"),
    ("x?y=1#z", "x%3Fy=1%23z"),
    ("%2e%2e%2fetc", "%252e%252e%252fetc"),
    (". ", ".%20"),
    ("a b", "a%20b"),
    ("ü", "%C3%BC"),
    ("%", "%25"),
];

fn assert_refused<E: std::fmt::Debug>(result: Result<impl std::fmt::Debug, E>, name: &str, value: &str) {
    let error = format!("{:?}", result.expect_err(value));
    assert!(error.starts_with("InvalidRequest("), "{value:?}: {error}");
    assert!(error.contains(&format!("`{name}`")), "{value:?} must be refused naming `{name}`: {error}");
}

#[cfg(feature = "insightvm")]
#[tokio::test]
async fn insightvm_scan_ids_stay_in_their_segment() {
    use secops_clients::insightvm::{ApiKey, Client, Error};
    let server = RawServer::start().await;
    let client = Client::builder(ApiKey::new("key")).base_url(format!("{}/vm", server.base)).build().unwrap();
    for value in REFUSED {
        let stop = client.stop_scan(value).send().await;
        assert!(matches!(&stop, Err(error) if !error.server_may_have_acted()), "{value:?}: {stop:?}");
        assert_refused(stop, "id", value);
        assert_refused(client.get_scan(value).send().await, "id", value);
    }
    assert_eq!(server.take(), Vec::<String>::new(), "a refused value sends nothing");
    for (value, segment) in ACCEPTED {
        let answer = client.stop_scan(value).send().await;
        assert!(matches!(answer, Err(Error::Api(_) | Error::Decode(_))), "{value:?}: {answer:?}");
        let _ = client.get_scan(value).send().await;
        assert_eq!(
            server.take(),
            [
                format!("POST /vm/v4/integration/scan/{segment}/stop HTTP/1.1"),
                format!("GET /vm/v4/integration/scan/{segment} HTTP/1.1"),
            ],
            "{value:?}"
        );
    }
}

#[cfg(feature = "invicti")]
#[tokio::test]
async fn invicti_target_ids_stay_in_their_segment() {
    use secops_clients::invicti::{ApiKey, Client};
    let server = RawServer::start().await;
    let client = Client::builder(ApiKey::new("jwt")).base_url(&server.base).build().unwrap();
    for value in REFUSED {
        assert_refused(client.get_api_target(value).send().await, "apiTargetId", value);
    }
    assert_eq!(server.take(), Vec::<String>::new(), "a refused value sends nothing");
    for (value, segment) in ACCEPTED {
        let _ = client.get_api_target(value).send().await;
        assert_eq!(server.take(), [format!("GET /api/apihub/v1/inventory/api-targets/{segment} HTTP/1.1")]);
    }
}

#[cfg(feature = "insightvm_console")]
#[tokio::test]
async fn console_open_enum_path_values_stay_in_their_segment() {
    use secops_clients::insightvm_console::{ApiKey, Client, types::DeleteReportInstanceInstance as Instance};
    let server = RawServer::start().await;
    let client = Client::builder("nxadmin", ApiKey::new("pw")).base_url(&server.base).build().unwrap();
    for value in REFUSED {
        let deleted = client.delete_report_instance(7, Instance::from(value)).send().await;
        assert_refused(deleted, "instance", value);
    }
    assert_eq!(server.take(), Vec::<String>::new(), "a refused value sends nothing");
    for (value, segment) in ACCEPTED {
        let _ = client.delete_report_instance(7, Instance::from(value)).send().await;
        assert_eq!(server.take(), [format!("DELETE /api/3/reports/7/history/{segment} HTTP/1.1")]);
    }
    let _ = client.delete_report_instance(7, Instance::Latest).send().await;
    assert_eq!(server.take(), ["DELETE /api/3/reports/7/history/latest HTTP/1.1"]);
}

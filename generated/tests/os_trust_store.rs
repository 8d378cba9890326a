//! An on-premises host whose CA is installed in the operating system's trust store is
//! trusted without a PEM file: the client verifies with the platform's verifier (rustls), or
//! with OpenSSL under the `native-tls` feature. The trust store is pointed at the test CA the
//! way OpenSSL-style stores are located, `SSL_CERT_FILE`, before anything reads it; this file
//! holds one test so that nothing else in its process sees the variable.

mod common;

use secops_clients::invicti::{ApiKey, Client, Error, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// An HTTPS server on loopback with a certificate for `localhost` signed by the test CA; it
/// answers every request 404 with a JSON body.
async fn tls_server() -> String {
    let acceptor = common::localhost_acceptor();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let Ok(mut tls) = acceptor.accept(tcp).await else { continue };
            let mut request = [0u8; 4096];
            let _ = tls.read(&mut request).await;
            let body = r#"{"message":"no such target"}"#;
            let answer = format!(
                "HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = tls.write_all(answer.as_bytes()).await;
            let _ = tls.shutdown().await;
        }
    });
    format!("https://localhost:{port}")
}

#[test]
fn a_ca_in_the_operating_systems_trust_store_is_trusted_without_a_pem_file() {
    let ca = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tls/ca.pem");
    // SAFETY: set before the runtime or any other thread starts; nothing reads the
    // environment concurrently in this single-test process.
    unsafe { std::env::set_var("SSL_CERT_FILE", &ca) };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let url = tls_server().await;
        let client = Client::builder(ApiKey::new("key")).base_url(url).retry(RetryPolicy::disabled()).build().unwrap();
        match client.get_api_target("t-1").send().await {
            Err(Error::Api(error)) => assert_eq!(error.status(), 404, "the TLS handshake went through"),
            other => panic!("the CA in the trust store must be trusted, got {other:?}"),
        }
    });
}

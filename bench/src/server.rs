//! Minimal loopback HTTP servers (hyper), so that the client side dominates what is measured.

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// Serves `answer` on a loopback port from a thread and runtime of its own, so that the
/// server never competes with the measured client for its runtime's scheduler.
async fn serve<F>(answer: F) -> SocketAddr
where
    F: Fn(&Request<Incoming>) -> Bytes + Send + Sync + Clone + 'static,
{
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let address = listener.local_addr().expect("a bound address");
    listener.set_nonblocking(true).expect("a non-blocking listener");
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a server runtime");
        runtime.block_on(async move {
            let listener = TcpListener::from_std(listener).expect("a tokio listener");
            loop {
                let Ok((socket, _)) = listener.accept().await else { continue };
                let answer = answer.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request: Request<Incoming>| {
                        let body = answer(&request);
                        async move {
                            Ok::<_, Infallible>(
                                Response::builder()
                                    .header("content-type", "application/json")
                                    .body(Full::new(body))
                                    .expect("a valid response"),
                            )
                        }
                    });
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(socket), service).await;
                });
            }
        });
    });
    address
}

/// The asset search, `total` assets in pages of 500, the cursor being the next offset.
pub async fn start_asset_pages(total: usize) -> SocketAddr {
    serve(move |request| {
        let offset: usize = request
            .uri()
            .query()
            .and_then(|q| q.split('&').find_map(|pair| pair.strip_prefix("cursor=")))
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let count = 500.min(total.saturating_sub(offset));
        let next = offset + count;
        let cursor = (next < total).then(|| next.to_string());
        Bytes::from(crate::data::asset_page_json(count, offset, cursor.as_deref()))
    })
    .await
}

/// A small scan object for any path.
pub async fn start_small_answers() -> SocketAddr {
    let body = Bytes::from_static(
        br#"{"id":"3fa85f64","name":"nightly","status":"Running","started":"2026-01-02T03:04:05Z"}"#,
    );
    serve(move |_| body.clone()).await
}

//! What a request sends, as a test or a person should see it: [`Call`], with the
//! credentials among its headers and query redacted, and [`Capture`], which keeps what a
//! client's call sends through its request hook. The test kit (feature `mock`) and the
//! command line's `--dry-run` and `--verbose` (feature `cli`) show requests through it.

use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex};

use bytes::Bytes;

/// The headers whose values a [`Call`] shows as `<redacted>` in every API: they carry
/// credentials.
const SECRET_HEADERS: &[&str] = &["authorization", "proxy-authorization", "cookie", "set-cookie"];

/// Where an API sends its credentials besides `Authorization`: header names and query
/// parameter names, whose values a [`Call`] shows as `<redacted>`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Secrets {
    /// Header names (any case).
    pub headers: &'static [&'static str],
    /// Query parameter names.
    pub query: &'static [&'static str],
}

/// One request as the server received it (or as a call would have sent it, from
/// [`Capture`]). Credentials are redacted from [`headers`](Call::headers) and `Debug`.
#[derive(Clone)]
pub struct Call {
    /// The method, `GET`, `POST`…
    pub method: String,
    /// The whole URL, query included (a credential in the query as `<redacted>`).
    pub url: reqwest::Url,
    headers: Vec<(String, String)>,
    /// The body as sent.
    pub body: Bytes,
}

impl Call {
    /// A call with the credentials among its headers and query redacted.
    pub(crate) fn new<'a>(
        method: &str,
        url: &reqwest::Url,
        headers: impl Iterator<Item = (&'a str, &'a [u8])>,
        body: Bytes,
        secrets: Secrets,
    ) -> Self {
        let mut url = url.clone();
        if url.query_pairs().any(|(name, _)| secrets.query.contains(&name.as_ref())) {
            let pairs: Vec<(String, String)> = url
                .query_pairs()
                .map(|(name, value)| {
                    let hidden = secrets.query.contains(&name.as_ref());
                    (name.into_owned(), if hidden { "<redacted>".to_owned() } else { value.into_owned() })
                })
                .collect();
            url.query_pairs_mut().clear().extend_pairs(pairs);
        }
        Self { method: method.to_owned(), url, headers: redacted(headers, secrets.headers), body }
    }

    /// What `request` sends (a streamed body, a multipart form, shows as empty).
    pub(crate) fn of(request: &reqwest::Request, secrets: Secrets) -> Self {
        let headers = request.headers().iter().map(|(name, value)| (name.as_str(), value.as_bytes()));
        let body = request.body().and_then(|body| body.as_bytes()).map(Bytes::copy_from_slice).unwrap_or_default();
        Self::new(request.method().as_str(), request.url(), headers, body, secrets)
    }

    /// The headers, names in lower case, credentials as `<redacted>`.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The first value of header `name` (any case); a credential reads `<redacted>`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The values of query parameter `name`, decoded, in order.
    pub fn query(&self, name: &str) -> Vec<String> {
        self.url.query_pairs().filter(|(n, _)| n == name).map(|(_, v)| v.into_owned()).collect()
    }

    /// The body read as JSON into `T` (the operation's body type, or `serde_json::Value`).
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }

    /// The parts of a `multipart/form-data` body: each part's name, file name and bytes.
    pub fn parts(&self) -> Vec<Part> {
        let boundary = self.header("content-type").and_then(|value| {
            let (_, boundary) = value.split_once("boundary=")?;
            Some(boundary.split(';').next().unwrap_or(boundary).trim_matches('"').to_owned())
        });
        boundary.map(|boundary| parts(&self.body, &boundary)).unwrap_or_default()
    }
}

impl fmt::Debug for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("method", &self.method)
            .field("url", &self.url.as_str())
            .field("headers", &self.headers)
            .field("body", &String::from_utf8_lossy(&self.body))
            .finish()
    }
}

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The form field's name.
    pub name: String,
    /// The file name, for a file part.
    pub file_name: Option<String>,
    /// The part's `Content-Type`, when it has one.
    pub content_type: Option<String>,
    /// The part's bytes.
    pub body: Bytes,
}

/// The parts of a multipart body with `boundary` (RFC 7578); what does not parse is left out.
fn parts(body: &[u8], boundary: &str) -> Vec<Part> {
    let delimiter = format!("--{boundary}");
    let mut found = Vec::new();
    let mut rest = body;
    while let Some(start) = find(rest, delimiter.as_bytes()) {
        rest = &rest[start + delimiter.len()..];
        if rest.starts_with(b"--") {
            break;
        }
        let Some(head_end) = find(rest, b"\r\n\r\n") else { break };
        let head = String::from_utf8_lossy(&rest[..head_end]).into_owned();
        let content = &rest[head_end + 4..];
        let Some(end) = find(content, format!("\r\n{delimiter}").as_bytes()) else { break };
        let disposition = head.lines().find(|line| line.to_ascii_lowercase().starts_with("content-disposition"));
        let parameter = |key: &str| {
            disposition.and_then(|line| {
                let (_, value) = line.split_once(&format!("{key}=\""))?;
                value.split_once('"').map(|(value, _)| value.to_owned())
            })
        };
        let content_type = head
            .lines()
            .find_map(|line| line.split_once(':').filter(|(name, _)| name.trim().eq_ignore_ascii_case("content-type")))
            .map(|(_, value)| value.trim().to_owned());
        if let Some(name) = parameter("name") {
            let body = Bytes::copy_from_slice(&content[..end]);
            found.push(Part { name, file_name: parameter("filename"), content_type, body });
        }
        rest = &content[end + 2..];
    }
    found
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

fn redacted<'a>(headers: impl Iterator<Item = (&'a str, &'a [u8])>, secret: &[&str]) -> Vec<(String, String)> {
    headers
        .map(|(name, value)| {
            let name = name.to_ascii_lowercase();
            let hidden = SECRET_HEADERS.contains(&name.as_str()) || secret.iter().any(|s| s.eq_ignore_ascii_case(&name));
            let value = if hidden { "<redacted>".to_owned() } else { String::from_utf8_lossy(value).into_owned() };
            (name, value)
        })
        .collect()
}



/// What a call sends, seen without any server: the request as it would leave (method, URL,
/// headers with credentials redacted, body). Each API's `mock::capture` builds a client
/// for it: base URL [`Capture::BASE_URL`], where nothing listens, no retries, and
/// [`hook`](Capture::hook) as its request hook.
#[derive(Clone)]
pub struct Capture {
    slot: Arc<Mutex<Option<Call>>>,
    secrets: Secrets,
}

impl Capture {
    /// The base URL of a capturing client: the discard port on loopback.
    pub const BASE_URL: &'static str = "http://127.0.0.1:9";

    /// A capture for an API with these `secrets`.
    pub fn new(secrets: Secrets) -> Self {
        Self { slot: Arc::default(), secrets }
    }

    /// The request hook that keeps what the request sends.
    pub fn hook(&self) -> impl Fn(&mut reqwest::Request) + Send + Sync + 'static {
        let Capture { slot, secrets } = self.clone();
        move |request: &mut reqwest::Request| {
            let call = Call::of(request, secrets);
            if let Ok(mut slot) = slot.lock() {
                *slot = Some(call);
            }
        }
    }

    /// What the last request sent, taken out.
    pub fn take(&self) -> Option<Call> {
        self.slot.lock().ok().and_then(|mut slot| slot.take())
    }

    /// Runs `call` (it fails: nothing answers) and returns what it sent.
    ///
    /// # Panics
    /// When the call sent nothing: it failed before (an input the client refuses).
    pub async fn run<F: Future>(self, call: F) -> Call {
        let _ = call.await;
        self.take().expect("the call sent no request: it failed before sending (see its error)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_parts_are_read_with_their_names() {
        let body = b"--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"api.yaml\"\r\nContent-Type: application/yaml\r\n\r\nopenapi: 3.0.0\r\n--xyz\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--xyz--\r\n";
        let found = parts(body, "xyz");
        assert_eq!(found.len(), 2);
        assert_eq!((found[0].name.as_str(), found[0].file_name.as_deref()), ("file", Some("api.yaml")));
        assert_eq!(found[0].body, Bytes::from_static(b"openapi: 3.0.0"));
        assert_eq!((found[1].name.as_str(), &found[1].body[..]), ("note", &b"hi"[..]));
    }

    #[test]
    fn credentials_in_the_query_are_redacted() {
        let url = reqwest::Url::parse("http://127.0.0.1/a?api_key=s3cret&page=2").unwrap();
        let secrets = Secrets { headers: &[], query: &["api_key"] };
        let call = Call::new("GET", &url, std::iter::empty(), Bytes::new(), secrets);
        assert_eq!(call.query("api_key"), ["<redacted>"]);
        assert_eq!(call.query("page"), ["2"]);
        assert!(!format!("{call:?}").contains("s3cret"));
    }

    #[test]
    fn credentials_are_redacted() {
        let headers = [("Authorization", &b"Bearer x"[..]), ("X-Api-Key", b"k"), ("Accept", b"*/*")];
        let shown = redacted(headers.into_iter(), &["x-api-key"]);
        assert_eq!(shown[0].1, "<redacted>");
        assert_eq!(shown[1].1, "<redacted>");
        assert_eq!(shown[2].1, "*/*");
    }
}

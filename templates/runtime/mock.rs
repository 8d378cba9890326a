//! The test kit (feature `mock`): a mock server on loopback, programmed per operation with
//! the operation's own types, and a capture of what a call sends without any server.
//!
//! Each API's `mock::MockServer` wraps [`MockServer`] and has one method per operation,
//! which returns a [`When`] typed with the operation's body, success and error types. The
//! server is `wiremock`'s; this module adds what the document knows: which requests are
//! the operation's (method and path template), and whether an answer is one the operation
//! documents. A JSON or empty answer is read by the operation's own reader when it is
//! mounted, so an answer the client would refuse fails the test where it is written, with
//! the reason, not later at the call.

use std::fmt;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::error::Error;
use super::request::OperationInfo;
pub use super::response::Reader;
use super::response::Answer;
pub use super::capture::{Call, Capture, Part, Secrets};


/// A mock server on loopback. Dropping it checks every [`When::times`] expectation.
pub struct MockServer {
    server: wiremock::MockServer,
    /// Where the API sends credentials (redacted in [`Call`]s).
    secrets: Secrets,
}

impl MockServer {
    /// Starts a server on a free loopback port for an API with these `secrets`.
    pub async fn start(secrets: Secrets) -> Self {
        Self { server: wiremock::MockServer::start().await, secrets }
    }

    /// The server's base URL (`http://127.0.0.1:port`), for a client's `base_url`.
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// Every request the server received, in order.
    pub async fn calls(&self) -> Vec<Call> {
        let requests = self.server.received_requests().await.unwrap_or_default();
        requests.iter().map(|request| received(request, self.secrets)).collect()
    }

    /// The requests of `operation`, to be matched further and answered.
    pub fn when<B, T, E>(&self, operation: &'static OperationInfo, read: Reader<T, E>) -> When<'_, B, T, E> {
        When { server: self, operation, read, conditions: Vec::new(), times: None, types: PhantomData }
    }
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer").field("uri", &self.server.uri()).finish()
    }
}

/// A request the server received, as a [`Call`].
fn received(request: &wiremock::Request, secrets: Secrets) -> Call {
    let headers = request.headers.iter().map(|(name, value)| (name.as_str(), value.as_bytes()));
    let body = Bytes::from(request.body.clone());
    Call::new(request.method.as_str(), &request.url, headers, body, secrets)
}

/// A condition on a call.
type Condition = Arc<dyn Fn(&Call) -> bool + Send + Sync>;

/// The requests of one operation that a mock answers: built with the operation's method on
/// an API's `mock::MockServer`, narrowed by its inputs, then answered with
/// [`respond`](When::respond) or [`respond_in_turn`](When::respond_in_turn).
///
/// `B` is the operation's body type, `T` its success type and `E` its error type.
#[must_use = "a mock answers nothing until it is mounted with `respond`"]
pub struct When<'a, B, T, E> {
    server: &'a MockServer,
    operation: &'static OperationInfo,
    read: Reader<T, E>,
    conditions: Vec<Condition>,
    times: Option<u64>,
    types: PhantomData<fn(B) -> (T, E)>,
}

impl<B, T, E> When<'_, B, T, E> {
    /// Only calls whose path parameter `name` (as the document names it) is `value`.
    pub fn path(self, name: &str, value: impl fmt::Display) -> Self {
        let (template, name, value) = (self.operation.path, name.to_owned(), value.to_string());
        self.matching(move |call| path_value(template, call.url.path(), &name).is_some_and(|v| v == value))
    }

    /// Only calls whose query parameter `name` has `value` (among its values).
    pub fn query(self, name: &str, value: impl fmt::Display) -> Self {
        let (name, value) = (name.to_owned(), value.to_string());
        self.matching(move |call| call.query(&name).contains(&value))
    }

    /// Only calls with header `name` set to `value` (credentials cannot be matched).
    pub fn header(self, name: &str, value: &str) -> Self {
        let (name, value) = (name.to_owned(), value.to_owned());
        self.matching(move |call| call.header(&name) == Some(value.as_str()))
    }

    /// Only calls for which `condition` holds.
    pub fn matching(mut self, condition: impl Fn(&Call) -> bool + Send + Sync + 'static) -> Self {
        self.conditions.push(Arc::new(condition));
        self
    }

    /// Expects exactly `count` matching calls; the server checks it when dropped.
    pub fn times(mut self, count: u64) -> Self {
        self.times = Some(count);
        self
    }

    /// Answers every matching call with `reply`.
    ///
    /// # Panics
    /// When the operation documents `reply`'s status and its body is not what the document
    /// says for it: the client would not read it either.
    pub async fn respond(self, reply: Reply) -> Mounted {
        self.respond_in_turn([reply]).await
    }

    /// Answers matching calls with `replies` in turn, the last one from then on: pages of a
    /// listing, a `429` before a success.
    ///
    /// # Panics
    /// As [`respond`](When::respond), for each reply; and when `replies` is empty.
    pub async fn respond_in_turn(self, replies: impl IntoIterator<Item = Reply>) -> Mounted {
        let replies: Vec<Reply> = replies.into_iter().collect();
        assert!(!replies.is_empty(), "{}: respond_in_turn needs at least one reply", self.operation.id);
        for reply in &replies {
            self.check(reply);
        }
        let calls = Arc::new(Mutex::new(Vec::new()));
        let secrets = self.server.secrets;
        let matcher = Matcher { operation: self.operation, conditions: self.conditions.into(), secrets };
        let last = replies.len() - 1;
        for (index, reply) in replies.into_iter().enumerate() {
            let answer = Answering { template: reply.template(), calls: calls.clone(), secrets };
            let mut mock = wiremock::Mock::given(matcher.clone()).respond_with(answer).named(self.operation.id);
            if index < last {
                mock = mock.up_to_n_times(1);
            }
            if let Some(count) = self.times.filter(|_| index == 0) {
                mock = mock.expect(count);
            }
            self.server.server.register(mock).await;
        }
        Mounted { calls }
    }

    /// Refuses a documented answer the operation's reader would not read as documented.
    fn check(&self, reply: &Reply) {
        let status = reply.status.as_u16();
        if reply.raw || !(self.operation.succeeds_with(status) || self.operation.documents_error(status)) {
            return;
        }
        if self.operation.streams.iter().any(|(low, high)| (*low..=*high).contains(&reply.status.as_u16())) {
            return;
        }
        let answer = Answer::new(reply.status, reply.headers.clone(), reply.body.clone());
        let refused = match (self.read)(self.operation, answer) {
            Ok(_) => None,
            Err(Error::Api(error)) if error.error().is_some() => None,
            Err(Error::Api(_)) => Some("it does not read as the error the operation documents for it".to_owned()),
            Err(error) => Some(error.to_string()),
        };
        if let Some(why) = refused {
            panic!(
                "{}: the reply with status {} is not what the document says the operation answers: {why}",
                self.operation.id,
                reply.status.as_u16()
            );
        }
    }
}

impl<B: serde::Serialize, T, E> When<'_, B, T, E> {
    /// Only calls whose body is `body` (as JSON, or as a form for a form body).
    pub fn body(self, body: &B) -> Self {
        let json = serde_json::to_value(body).expect("the body serialises");
        let form = serde_urlencoded::to_string(body).ok();
        self.matching(move |call| {
            let is_form = call.header("content-type").is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
            if is_form {
                let sent: Vec<(String, String)> = serde_urlencoded::from_bytes(&call.body).unwrap_or_default();
                form.as_deref().is_some_and(|form| serde_urlencoded::from_str::<Vec<(String, String)>>(form).ok() == Some(sent))
            } else {
                call.json::<serde_json::Value>().is_ok_and(|sent| sent == json)
            }
        })
    }
}

impl<B, T: serde::Serialize, E> When<'_, B, T, E> {
    /// Answers every matching call with `body` and the operation's first documented
    /// success status.
    pub async fn ok(self, body: &T) -> Mounted {
        let status = self.operation.success.first().map_or(200, |(low, _)| *low);
        self.respond(Reply::json(status, body)).await
    }
}

/// The calls a mounted mock answered, to check afterwards.
#[derive(Debug, Clone)]
pub struct Mounted {
    calls: Arc<Mutex<Vec<Call>>>,
}

impl Mounted {
    /// The calls this mock answered, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().map(|calls| calls.clone()).unwrap_or_default()
    }

    /// The last call this mock answered.
    ///
    /// # Panics
    /// When it answered none.
    pub fn last(&self) -> Call {
        self.calls().pop().expect("the mock was not called")
    }
}

/// Which requests a mock answers: the operation's method and path, and the conditions.
#[derive(Clone)]
struct Matcher {
    operation: &'static OperationInfo,
    conditions: Arc<[Condition]>,
    secrets: Secrets,
}

/// One reply of a mock, keeping each call it answers.
struct Answering {
    template: wiremock::ResponseTemplate,
    calls: Arc<Mutex<Vec<Call>>>,
    secrets: Secrets,
}

impl wiremock::Respond for Answering {
    fn respond(&self, request: &wiremock::Request) -> wiremock::ResponseTemplate {
        let call = received(request, self.secrets);
        self.calls.lock().map(|mut calls| calls.push(call)).ok();
        self.template.clone()
    }
}

impl wiremock::Match for Matcher {
    fn matches(&self, request: &wiremock::Request) -> bool {
        if request.method.as_str() != self.operation.method.as_str()
            || !matches_template(self.operation.path, request.url.path())
        {
            return false;
        }
        if self.conditions.is_empty() {
            return true;
        }
        let call = received(request, self.secrets);
        self.conditions.iter().all(|condition| condition(&call))
    }
}

/// Whether `path` ends with the segments of `template` (after the client's base path).
fn matches_template(template: &str, path: &str) -> bool {
    let (template, path) = (segments(template), segments(path));
    path.len() >= template.len()
        && template.iter().zip(&path[path.len() - template.len()..]).all(|(t, p)| segment_value(t, p).is_some())
}

fn segments(path: &str) -> Vec<&str> {
    path.trim_matches('/').split('/').collect()
}

/// The value a template segment (`{id}`, `{id}.json`, `v1`) takes in `segment`, percent
/// decoded: the whole segment for a literal that matches.
fn segment_value(template: &str, segment: &str) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(segment).decode_utf8_lossy().into_owned();
    match (template.find('{'), template.rfind('}')) {
        (Some(open), Some(close)) if open < close => {
            let (prefix, suffix) = (&template[..open], &template[close + 1..]);
            let value = decoded.strip_prefix(prefix)?.strip_suffix(suffix)?;
            (!value.is_empty()).then(|| value.to_owned())
        }
        _ => (template == decoded).then_some(decoded),
    }
}

/// The value of path parameter `name` in `path`, matched against `template`.
fn path_value(template: &str, path: &str, name: &str) -> Option<String> {
    let (template, path) = (segments(template), segments(path));
    let offset = path.len().checked_sub(template.len())?;
    let placeholder = format!("{{{name}}}");
    let index = template.iter().position(|segment| segment.contains(&placeholder))?;
    segment_value(template[index], path[offset + index])
}

/// One answer of a mock: a status, headers and a body, after an optional delay.
#[derive(Debug, Clone)]
pub struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    delay: Option<Duration>,
    /// Not checked against the document ([`Reply::raw`]).
    raw: bool,
}

impl Reply {
    fn new(status: u16, body: Bytes) -> Self {
        let status = StatusCode::from_u16(status).unwrap_or_else(|_| panic!("{status} is not an HTTP status"));
        Self { status, headers: HeaderMap::new(), body, delay: None, raw: false }
    }

    /// `body` as JSON with `status`, serialised as the client reads it (the generated
    /// types' own wire names, enums and nulls).
    pub fn json(status: u16, body: &impl serde::Serialize) -> Self {
        let bytes = serde_json::to_vec(body).expect("the body serialises");
        Self::new(status, Bytes::from(bytes)).header("content-type", "application/json")
    }

    /// `status` without a body.
    pub fn empty(status: u16) -> Self {
        Self::new(status, Bytes::new())
    }

    /// `bytes` with `status` and `content_type`: a download, or a text answer.
    pub fn bytes(status: u16, bytes: impl Into<Bytes>, content_type: &str) -> Self {
        Self::new(status, bytes.into()).header("content-type", content_type)
    }

    /// `bytes` with `status`, not checked against the document: for the answers a server
    /// sends that the document does not describe (a proxy's HTML page, a truncated body).
    pub fn raw(status: u16, bytes: impl Into<Bytes>) -> Self {
        Self { raw: true, ..Self::new(status, bytes.into()) }
    }

    /// `429 Too Many Requests` asking to wait `seconds` (`Retry-After`).
    pub fn too_many_requests(seconds: u64) -> Self {
        Self::empty(429).header("retry-after", &seconds.to_string())
    }

    /// Adds a header.
    ///
    /// # Panics
    /// When the name or value is not a valid header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        let name = HeaderName::try_from(name).unwrap_or_else(|_| panic!("{name:?} is not a header name"));
        let value = HeaderValue::try_from(value).unwrap_or_else(|_| panic!("{value:?} is not a header value"));
        self.headers.append(name, value);
        self
    }

    /// Answers only after `delay`: past a client's timeout, the call times out.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    fn template(self) -> wiremock::ResponseTemplate {
        let mut template = wiremock::ResponseTemplate::new(self.status.as_u16());
        for (name, value) in &self.headers {
            template = template.append_header(name.clone(), value.clone());
        }
        let content_type = self.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
        template = template.set_body_raw(self.body.to_vec(), content_type);
        match self.delay {
            Some(delay) => template.set_delay(delay),
            None => template,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_the_end_of_a_path_and_give_their_values() {
        assert!(matches_template("/v4/integration/assets/{id}", "/vm/v4/integration/assets/a%2Fb"));
        assert!(!matches_template("/v4/integration/assets/{id}", "/vm/v4/integration/assets"));
        assert!(!matches_template("/v4/integration/assets/{id}", "/v4/integration/sites/7"));
        assert_eq!(path_value("/files/{name}.json", "/api/files/report%20one.json", "name").as_deref(), Some("report one"));
        assert_eq!(path_value("/a/{id}", "/a/", "id"), None);
    }
}

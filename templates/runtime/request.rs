//! What an operation sends: path, query, headers and body, kept replayable for retries.

use std::borrow::Cow;
use std::fmt;
use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use super::retry::RetryPolicy;

/// What the runtime knows about an operation, fixed at code generation time.
#[derive(Debug)]
pub struct OperationInfo {
    /// The spec's operationId.
    pub id: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path template, e.g. `/v4/integration/assets/{id}`.
    pub path: &'static str,
    /// Safe to send twice: an idempotent method, or a POST the codegen config marks as read-only.
    pub retry_safe: bool,
    /// The security schemes the operation accepts (empty: no credentials).
    pub security: &'static [&'static str],
    /// The statuses whose answer the operation hands over as a stream, not read into memory.
    pub streams: Statuses,
    /// The statuses that succeed, as inclusive ranges (`(200, 200)`, `(200, 299)` for `2XX`).
    pub success: Statuses,
    /// The error statuses whose body is the operation's one documented error type
    /// (`(0, 999)` for `default`).
    pub errors: Statuses,
}

/// The HTTP method of an operation.
///
/// The runtime's own, not `reqwest::Method` (convert with `From`): a plain `Copy` enum lets
/// each operation's [`OperationInfo`] be a constant the compiler promotes to a `'static`
/// reference, where `reqwest::Method`, which may own an extension's name, needs a `static`
/// item per operation, dearer to check (1.5% of the console module's, by callgrind's count).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl Method {
    /// The method as it goes on the wire (`GET`).
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<Method> for reqwest::Method {
    fn from(method: Method) -> Self {
        match method {
            Method::Get => reqwest::Method::GET,
            Method::Put => reqwest::Method::PUT,
            Method::Post => reqwest::Method::POST,
            Method::Delete => reqwest::Method::DELETE,
            Method::Options => reqwest::Method::OPTIONS,
            Method::Head => reqwest::Method::HEAD,
            Method::Patch => reqwest::Method::PATCH,
            Method::Trace => reqwest::Method::TRACE,
        }
    }
}

/// Statuses as inclusive ranges.
pub type Statuses = &'static [(u16, u16)];

impl OperationInfo {
    /// Whether `status` is one the operation succeeds with.
    pub(crate) fn succeeds_with(&self, status: u16) -> bool {
        within(self.success, status)
    }

    /// Whether `status` is an error whose body is the operation's documented error type.
    pub(crate) fn documents_error(&self, status: u16) -> bool {
        within(self.errors, status)
    }
}

fn within(statuses: Statuses, status: u16) -> bool {
    statuses.iter().any(|(low, high)| (*low..=*high).contains(&status))
}

/// Turns a parameter value into the text that goes on the wire.
pub trait ParamValue {
    /// The wire text of the value.
    fn to_param(&self) -> Cow<'_, str>;
}

impl ParamValue for str {
    fn to_param(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl ParamValue for String {
    fn to_param(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl ParamValue for bool {
    fn to_param(&self) -> Cow<'_, str> {
        Cow::Borrowed(if *self { "true" } else { "false" })
    }
}

macro_rules! display_param {
    ($($ty:ty),*) => {
        $(impl ParamValue for $ty {
            fn to_param(&self) -> Cow<'_, str> {
                Cow::Owned(self.to_string())
            }
        })*
    };
}

display_param!(i8, i16, i32, i64, i128, u8, u16, u32, u64, u128, f32, f64, chrono::NaiveDate, uuid::Uuid);

impl ParamValue for chrono::DateTime<chrono::Utc> {
    fn to_param(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
    }
}

impl ParamValue for serde_json::Value {
    fn to_param(&self) -> Cow<'_, str> {
        match self {
            serde_json::Value::String(text) => Cow::Borrowed(text),
            other => Cow::Owned(other.to_string()),
        }
    }
}

impl<T: ParamValue + ?Sized> ParamValue for &T {
    fn to_param(&self) -> Cow<'_, str> {
        (**self).to_param()
    }
}

/// Characters escaped inside one path segment: everything outside RFC 3986 `pchar`, and `;`,
/// which Java servlet containers read as the start of path parameters (`..;` is `..` there).
const PATH_SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b';')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Percent-encodes the value of the path parameter `name` so that it is exactly one segment
/// of the path it fills.
///
/// A value that would address another resource is refused: the empty value (`/scans/` is the
/// collection, not a scan) and the dot segments `.` and `..` in any spelling a URL parser or
/// a server resolves (`%2e`, `.%2E`, and the same percent-encoded again), which would take the
/// request to the parent resource.
#[doc(hidden)]
pub fn path_segment(name: &str, value: &(impl ParamValue + ?Sized)) -> Result<String, String> {
    let text = value.to_param();
    if text.is_empty() {
        return Err(format!("path parameter `{name}` is empty, which would address another resource"));
    }
    if is_dot_segment(&text) {
        return Err(format!("path parameter `{name}` is `{text}`, a dot segment that would address another resource"));
    }
    Ok(utf8_percent_encode(&text, PATH_SEGMENT).to_string())
}

/// Whether `text`, percent-decoded as often as it holds an escape, is `.` or `..`.
fn is_dot_segment(text: &str) -> bool {
    let mut text = Cow::Borrowed(text.as_bytes());
    loop {
        if matches!(&*text, b"." | b"..") {
            return true;
        }
        // Only `.` and escapes can decode to a dot segment; anything else is data.
        if !text.iter().all(|byte| matches!(byte, b'.' | b'%' | b'0'..=b'9' | b'a'..=b'f' | b'A'..=b'F')) {
            return false;
        }
        let decoded: Vec<u8> = percent_encoding::percent_decode(&text).collect();
        if decoded == *text {
            return false;
        }
        text = Cow::Owned(decoded);
    }
}

/// How a structured query parameter is spelled: OpenAPI's `style` with `explode`.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `style: form, explode: true` (the default): `name=a&name=b`, objects as `key=value`.
    FormExploded,
    /// `style: form, explode: false`: `name=a,b`, objects as `name=key,value`.
    Form,
    /// `style: spaceDelimited`: `name=a%20b`.
    SpaceDelimited,
    /// `style: pipeDelimited`: `name=a|b`.
    PipeDelimited,
    /// Swagger 2.0 `collectionFormat: tsv`: `name=a%09b`.
    TabDelimited,
    /// `style: deepObject`: `name[key]=value`.
    DeepObject,
}

impl Style {
    fn separator(self) -> &'static str {
        match self {
            Style::SpaceDelimited => " ",
            Style::PipeDelimited => "|",
            Style::TabDelimited => "\t",
            _ => ",",
        }
    }
}

/// The wire text of one JSON value inside a parameter: strings bare, the rest as JSON.
fn wire_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Spells a structured path, header or cookie value in OpenAPI's `simple` style: arrays and
/// objects become comma-separated lists (`a,b`, `key,value,...`).
#[doc(hidden)]
pub fn simple_value<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, String> {
    let value = serde_json::to_value(value).map_err(|error| format!("cannot encode a parameter: {error}"))?;
    Ok(match value {
        serde_json::Value::Array(items) => items.iter().map(wire_text).collect::<Vec<_>>().join(","),
        serde_json::Value::Object(fields) => fields
            .iter()
            .filter(|(_, item)| !item.is_null())
            .flat_map(|(key, item)| [key.clone(), wire_text(item)])
            .collect::<Vec<_>>()
            .join(","),
        serde_json::Value::Null => String::new(),
        scalar => wire_text(&scalar),
    })
}

/// A parameter's value as JSON text (a parameter the document serialises by
/// `content: application/json`).
#[doc(hidden)]
pub fn json_text<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, String> {
    serde_json::to_string(value).map_err(|error| format!("cannot encode a parameter as JSON: {error}"))
}

/// A request body, kept as bytes so a retry can send it again.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub enum Body {
    /// Bytes with their media type (JSON, form, text, octet-stream).
    Bytes { content_type: Cow<'static, str>, bytes: Bytes },
    /// A `multipart/form-data` body.
    Multipart(Multipart),
}

/// A `multipart/form-data` body.
#[doc(hidden)]
#[derive(Debug, Clone, Default)]
pub struct Multipart {
    parts: Vec<(Cow<'static, str>, Part)>,
}

#[derive(Debug, Clone)]
enum Part {
    Text(String),
    File(File),
}

impl Multipart {
    /// An empty form.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a text field.
    pub fn text(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.parts.push((Cow::Borrowed(name), Part::Text(value.into())));
        self
    }

    /// Adds a file field.
    pub fn file(mut self, name: &'static str, file: File) -> Self {
        self.parts.push((Cow::Borrowed(name), Part::File(file)));
        self
    }

    /// Whether the form can be sent again (no part is a one-shot stream).
    fn is_replayable(&self) -> bool {
        self.parts.iter().all(|(_, part)| !matches!(part, Part::File(File { content: FileContent::Stream { .. }, .. })))
    }

    fn to_form(&self) -> Result<reqwest::multipart::Form, String> {
        let mut form = reqwest::multipart::Form::new();
        for (name, part) in &self.parts {
            form = match part {
                Part::Text(text) => form.text(name.clone(), text.clone()),
                Part::File(file) => {
                    let part = match &file.content {
                        FileContent::Bytes(bytes) => reqwest::multipart::Part::stream(bytes.clone()),
                        FileContent::Stream { body, len } => {
                            let body = body
                                .lock()
                                .map_err(|_| "the upload stream is poisoned".to_owned())?
                                .take()
                                .ok_or_else(|| format!("the stream of part `{name}` was already sent once"))?;
                            match len {
                                Some(len) => reqwest::multipart::Part::stream_with_length(body, *len),
                                None => reqwest::multipart::Part::stream(body),
                            }
                        }
                    };
                    let mut part = part.file_name(file.file_name.clone());
                    if let Some(content_type) = &file.content_type {
                        part = part.mime_str(content_type).map_err(|error| error.to_string())?;
                    }
                    form.part(name.clone(), part)
                }
            };
        }
        Ok(form)
    }
}

/// A file to upload: its content, file name and media type.
#[derive(Debug, Clone)]
pub struct File {
    content: FileContent,
    file_name: String,
    content_type: Option<String>,
}

#[derive(Clone)]
enum FileContent {
    /// In memory: can be sent again on a retry.
    Bytes(Bytes),
    /// Read once as it is sent; a request carrying one is never retried.
    Stream { body: std::sync::Arc<std::sync::Mutex<Option<reqwest::Body>>>, len: Option<u64> },
}

impl std::fmt::Debug for FileContent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Bytes(bytes) => write!(f, "Bytes({} bytes)", bytes.len()),
            Self::Stream { len, .. } => write!(f, "Stream({len:?} bytes)"),
        }
    }
}

impl File {
    /// A file from bytes in memory.
    pub fn from_bytes(file_name: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        Self { content: FileContent::Bytes(bytes.into()), file_name: file_name.into(), content_type: None }
    }

    /// Reads a file from disk; the upload is named after it.
    pub async fn from_path(path: impl AsRef<Path>) -> std::io::Result<Self> {
        let path = path.as_ref();
        let bytes = tokio::fs::read(path).await?;
        let file_name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| "upload".to_owned());
        Ok(Self::from_bytes(file_name, bytes))
    }

    /// A file whose content arrives as a stream of chunks (a large file, data produced on
    /// the fly), sent without holding it in memory. `len`, when known, is sent as the part's
    /// length. A stream can be sent only once, so a request that carries one is never retried.
    pub fn from_stream<S>(file_name: impl Into<String>, stream: S, len: Option<u64>) -> Self
    where
        S: futures::TryStream + Send + 'static,
        S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
        Bytes: From<S::Ok>,
    {
        let body = reqwest::Body::wrap_stream(stream);
        Self {
            content: FileContent::Stream { body: std::sync::Arc::new(std::sync::Mutex::new(Some(body))), len },
            file_name: file_name.into(),
            content_type: None,
        }
    }

    /// Sets the media type of the part (for example `application/yaml`).
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The file name sent with the part.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The size in bytes, when known.
    pub fn len(&self) -> Option<u64> {
        match &self.content {
            FileContent::Bytes(bytes) => Some(bytes.len() as u64),
            FileContent::Stream { len, .. } => *len,
        }
    }

    /// Whether the file is known to be empty.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }
}

/// Per-call settings that override the client's.
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    /// The time allowed for each attempt.
    pub timeout: Option<Duration>,
    /// The retry policy of this call.
    pub retry: Option<RetryPolicy>,
    /// Extra headers for this call.
    pub headers: Vec<(String, String)>,
    /// The time allowed for the whole call, retries and waits included.
    pub deadline: Option<Duration>,
    /// Replaces the request's URL (a `next` link from a previous page).
    pub url: Option<String>,
    /// Replaces the body with raw bytes of another media type the operation accepts.
    pub raw_body: Option<(String, Bytes)>,
    /// The largest answer read into memory for this call (default: the client's).
    pub max_body_size: Option<u64>,
    /// Sends no token from a source: the call that fetches one (a login).
    pub(crate) without_tokens: bool,
}

impl CallOptions {
    /// Sends this call without the tokens of token sources (a login's own call).
    #[doc(hidden)]
    pub fn without_tokens(&mut self) {
        self.without_tokens = true;
    }
}

/// Turns one operation's inputs into its request (path, query, headers, body, accepted
/// media type); an error says which input cannot be sent. Each operation's input
/// implements it; the builder's `send` goes through it.
#[doc(hidden)]
pub trait Encode {
    /// The request for these inputs.
    fn encode(self) -> Result<Request, String>;
}

/// The options of a call that sets none.
static NO_OPTIONS: CallOptions = CallOptions {
    timeout: None,
    retry: None,
    headers: Vec::new(),
    deadline: None,
    url: None,
    raw_body: None,
    max_body_size: None,
    without_tokens: false,
};

/// One request, assembled by an operation and executed by [`ClientCore`](super::ClientCore).
#[derive(Debug)]
#[doc(hidden)]
pub struct Request {
    pub(crate) operation: &'static OperationInfo,
    pub(crate) path: String,
    pub(crate) query: Vec<(Cow<'static, str>, String)>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Option<Body>,
    pub(crate) accept: Option<&'static str>,
    /// This call's options; `None` keeps the client's.
    pub(crate) options: Option<Box<CallOptions>>,
    /// Whether the answers the operation streams are handed over unread.
    pub(crate) stream: bool,
}

impl Request {
    /// A request for `operation` at `path` (path parameters already encoded).
    pub fn new(operation: &'static OperationInfo, path: String) -> Self {
        Self {
            operation,
            path,
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            accept: None,
            options: None,
            stream: false,
        }
    }

    /// Adds `name=value` to the query string.
    pub fn query(&mut self, name: &'static str, value: &(impl ParamValue + ?Sized)) {
        self.query.push((Cow::Borrowed(name), value.to_param().into_owned()));
    }

    /// Adds an optional query parameter when it is set.
    pub fn query_opt<T: ParamValue>(&mut self, name: &'static str, value: Option<&T>) {
        if let Some(value) = value {
            self.query(name, value);
        }
    }

    /// Adds an array as `name=a&name=b` (`style: form`, `explode: true`).
    pub fn query_exploded<T: ParamValue>(&mut self, name: &'static str, values: &[T]) {
        for value in values {
            self.query(name, value);
        }
    }

    /// Adds an array joined by `separator` (`,` for form, `%20` for space-, `|` for pipe-delimited).
    pub fn query_joined<T: ParamValue>(&mut self, name: &'static str, values: &[T], separator: &str) {
        let joined: Vec<_> = values.iter().map(ParamValue::to_param).collect();
        self.query.push((Cow::Borrowed(name), joined.join(separator)));
    }

    /// Adds a structured value (an object, an enum, a map, an array of them) spelled in `style`.
    ///
    /// Objects follow OpenAPI's rules: `form` exploded sends each property as its own
    /// `key=value`, `form` not exploded sends `name=key,value,...`, `deepObject` sends
    /// `name[key]=value` (nested objects nest the brackets; arrays repeat the key). Null values
    /// and absent properties are left out.
    pub fn query_value<T: serde::Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
        style: Style,
    ) -> Result<(), String> {
        let value =
            serde_json::to_value(value).map_err(|error| format!("cannot encode query parameter `{name}`: {error}"))?;
        match (value, style) {
            (serde_json::Value::Null, _) => {}
            (serde_json::Value::Array(items), Style::FormExploded | Style::DeepObject) => {
                for item in items.iter().filter(|item| !item.is_null()) {
                    self.query.push((Cow::Borrowed(name), wire_text(item)));
                }
            }
            (serde_json::Value::Array(items), style) => {
                let joined: Vec<String> = items.iter().map(wire_text).collect();
                self.query.push((Cow::Borrowed(name), joined.join(style.separator())));
            }
            (serde_json::Value::Object(fields), Style::DeepObject) => self.deep_object(name.to_owned(), fields),
            (serde_json::Value::Object(fields), Style::FormExploded) => {
                for (key, item) in fields.into_iter().filter(|(_, item)| !item.is_null()) {
                    self.query.push((Cow::Owned(key), wire_text(&item)));
                }
            }
            (serde_json::Value::Object(fields), style) => {
                let pairs: Vec<String> = fields
                    .iter()
                    .filter(|(_, item)| !item.is_null())
                    .flat_map(|(key, item)| [key.clone(), wire_text(item)])
                    .collect();
                self.query.push((Cow::Borrowed(name), pairs.join(style.separator())));
            }
            (scalar, _) => self.query.push((Cow::Borrowed(name), wire_text(&scalar))),
        }
        Ok(())
    }

    fn deep_object(&mut self, prefix: String, fields: serde_json::Map<String, serde_json::Value>) {
        for (key, item) in fields {
            let name = format!("{prefix}[{key}]");
            match item {
                serde_json::Value::Null => {}
                serde_json::Value::Object(inner) => self.deep_object(name, inner),
                serde_json::Value::Array(items) => {
                    for item in items.iter().filter(|item| !item.is_null()) {
                        self.query.push((Cow::Owned(name.clone()), wire_text(item)));
                    }
                }
                scalar => self.query.push((Cow::Owned(name), wire_text(&scalar))),
            }
        }
    }

    /// Adds a request header.
    pub fn header(&mut self, name: &str, value: &(impl ParamValue + ?Sized)) {
        self.headers.push((name.to_owned(), value.to_param().into_owned()));
    }

    /// Sets a JSON body.
    pub fn json<T: serde::Serialize + ?Sized>(&mut self, body: &T) -> Result<(), String> {
        self.json_as("application/json", body)
    }

    /// Sets a JSON body sent with another JSON media type (`application/merge-patch+json`...).
    pub fn json_as<T: serde::Serialize + ?Sized>(&mut self, content_type: &'static str, body: &T) -> Result<(), String> {
        let bytes = serde_json::to_vec(body).map_err(|error| format!("cannot encode the body: {error}"))?;
        self.body = Some(Body::Bytes { content_type: Cow::Borrowed(content_type), bytes: bytes.into() });
        Ok(())
    }

    /// Sets a body of raw bytes with its media type.
    pub fn bytes(&mut self, content_type: &'static str, bytes: impl Into<Bytes>) {
        self.body = Some(Body::Bytes { content_type: Cow::Borrowed(content_type), bytes: bytes.into() });
    }

    /// Sets a `multipart/form-data` body.
    pub fn multipart(&mut self, form: Multipart) {
        self.body = Some(Body::Multipart(form));
    }

    /// Sets the `Accept` header.
    pub fn accept(&mut self, media_type: &'static str) {
        self.accept = Some(media_type);
    }

    /// The request with per-call options applied; `stream`: whether the answers the
    /// operation streams are handed over unread.
    #[doc(hidden)]
    pub fn with_options(mut self, options: Option<Box<CallOptions>>, stream: bool) -> Self {
        self.options = options;
        self.stream = stream;
        self
    }

    /// The operation this request calls.
    pub fn operation(&self) -> &'static OperationInfo {
        self.operation
    }

    /// This call's options (none set: every one `None`, the client's apply).
    pub(crate) fn options(&self) -> &CallOptions {
        self.options.as_deref().unwrap_or(&NO_OPTIONS)
    }

    /// Whether the answer with `status` is handed over unread, to be streamed.
    pub(crate) fn streams(&self, status: u16) -> bool {
        self.stream && within(self.operation.streams, status)
    }

    /// Whether the request can be sent again (its body is not a one-shot stream).
    pub(crate) fn is_replayable(&self) -> bool {
        match &self.body {
            Some(Body::Multipart(form)) if self.options().raw_body.is_none() => form.is_replayable(),
            _ => true,
        }
    }

    pub(crate) fn attach_body(&self, request: reqwest::RequestBuilder) -> Result<reqwest::RequestBuilder, String> {
        if let Some((content_type, bytes)) = &self.options().raw_body {
            return Ok(request.header(reqwest::header::CONTENT_TYPE, content_type.as_str()).body(bytes.clone()));
        }
        Ok(match &self.body {
            None => request,
            Some(Body::Bytes { content_type, bytes }) => request
                .header(reqwest::header::CONTENT_TYPE, content_type.as_ref())
                .body(bytes.clone()),
            Some(Body::Multipart(form)) => request.multipart(form.to_form()?),
        })
    }
}

//! The error of every operation.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use super::nulls::NullAsEmpty;

/// Why an operation failed.
///
/// `E` is the operation's documented error body: decoded into [`ApiError::error`] when the
/// server answers with a status the spec documents.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error<E = serde_json::Value> {
    /// The server answered with a status that is not a success.
    #[error("{0}")]
    Api(Box<ApiError<E>>),
    /// The request never got a complete answer: connection, TLS or protocol failure.
    #[error("transport error: {0}")]
    Transport(#[source] reqwest::Error),
    /// No answer within the configured time.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// A success answer whose body does not match the spec.
    #[error("{0}")]
    Decode(DecodeError),
    /// A credential could not be obtained: a token endpoint refused the client or could not
    /// be reached, a login failed. Nothing was sent to the operation.
    #[error("{0}")]
    Credential(super::tokens::TokenError),
    /// The request could not be built (an invalid base URL or header value, say).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// A redirect that was not followed: too many in a row, or one that would send a
    /// streamed body again. The text names the target without its query.
    #[error("redirect not followed: {0}")]
    Redirect(String),
    /// An answer larger than the client reads into memory (see `max_body_size`); streamed
    /// downloads have no limit.
    #[error("the answer is larger than the limit of {limit} bytes read into memory")]
    BodyTooLarge { limit: u64 },
}

impl<E> Error<E> {
    /// Whether the server may have acted on the request: false only when it cannot have
    /// (the request was never sent, or was refused before it left this client). A call
    /// that is not safe to repeat is not retried when this is true; check before repeating it.
    pub fn server_may_have_acted(&self) -> bool {
        match self {
            Self::Transport(error) => !error.is_connect() && !error.is_builder(),
            Self::InvalidRequest(_) | Self::Credential(_) => false,
            _ => true,
        }
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Api(error) => Some(error.status),
            Self::Decode(error) => Some(error.status),
            _ => None,
        }
    }
}

/// A non-success answer, with everything the server sent.
pub struct ApiError<E> {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) error: Option<E>,
}

impl<E> ApiError<E> {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers (request ids, rate limits, `Retry-After`).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The raw response body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The body decoded as the error the spec documents for this status, if it is one.
    pub fn error(&self) -> Option<&E> {
        self.error.as_ref()
    }

    /// Takes the decoded error body.
    pub fn into_error(self) -> Option<E> {
        self.error
    }

    /// A human-readable message from the body: the first of the string fields `message`,
    /// `detail`, `error_description`, `error` or `title`, else the body text itself.
    pub fn message(&self) -> String {
        if let Ok(serde_json::Value::Object(fields)) = serde_json::from_slice(&self.body) {
            for key in ["message", "detail", "error_description", "error", "title"] {
                if let Some(serde_json::Value::String(text)) = fields.get(key) {
                    return text.clone();
                }
            }
        }
        snippet(&self.body)
    }
}

impl<E> fmt::Debug for ApiError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("body", &snippet(&self.body))
            .field("decoded", &self.error.is_some())
            .finish()
    }
}

impl<E> fmt::Display for ApiError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}: {}", self.status, self.message())
    }
}

/// A body that does not decode into the type the spec gives it.
#[derive(Debug)]
pub struct DecodeError {
    pub(crate) status: StatusCode,
    pub(crate) path: String,
    pub(crate) message: String,
    pub(crate) snippet: String,
    pub(crate) body: Bytes,
}

impl DecodeError {
    /// Where in the body decoding failed, as a JSON path such as `data[3].risk_score`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What serde reported.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The start of the body.
    pub fn snippet(&self) -> &str {
        &self.snippet
    }

    /// The whole body as received.
    pub fn body(&self) -> &Bytes {
        &self.body
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not decode the HTTP {} body at `{}`: {} (body starts: {})",
            self.status, self.path, self.message, self.snippet
        )
    }
}

impl std::error::Error for DecodeError {}

const SNIPPET_LEN: usize = 200;

/// The first characters of a body, for messages.
pub(crate) fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut end = text.len().min(SNIPPET_LEN);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut out = text[..end].trim().to_owned();
    if end < text.len() {
        out.push('…');
    }
    out
}

/// Decodes a JSON body, naming the path that failed.
///
/// The body is decoded at full speed first; only when that fails is it decoded again,
/// reading `null` where a collection stands as an empty one (see [`NullAsEmpty`]) and
/// tracking the path, to say where it does not match.
pub(crate) fn decode_json<T: serde::de::DeserializeOwned>(
    status: StatusCode,
    body: &[u8],
) -> Result<T, DecodeError> {
    // An empty body stands for JSON `null`, so that `Option` and `()` bodies decode.
    let body = if body.iter().all(u8::is_ascii_whitespace) { b"null".as_slice() } else { body };
    serde_json::from_slice(body).or_else(|_| decode_again(status, body))
}

/// Decodes `body` again with null collections read as empty, tracking the path. Out of
/// line: it runs only for a body that failed.
#[cold]
#[inline(never)]
fn decode_again<T: serde::de::DeserializeOwned>(status: StatusCode, body: &[u8]) -> Result<T, DecodeError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let error = match serde_path_to_error::deserialize::<_, T>(NullAsEmpty(&mut deserializer)) {
        Ok(value) => match deserializer.end() {
            Ok(()) => return Ok(value),
            Err(error) => return Err(decode_error(status, String::new(), error.to_string(), body)),
        },
        Err(error) => error,
    };
    Err(decode_error(status, error.path().to_string(), error.inner().to_string(), body))
}

fn decode_error(status: StatusCode, path: String, message: String, body: &[u8]) -> DecodeError {
    DecodeError { status, path, message, snippet: snippet(body), body: Bytes::copy_from_slice(body) }
}

/// A client could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The base URL does not parse as an absolute http(s) URL.
    #[error("invalid base URL `{url}`: {reason}")]
    BaseUrl { url: String, reason: String },
    /// A default header name or value is not valid HTTP.
    #[error("invalid header `{0}`")]
    Header(String),
    /// The HTTP client (TLS setup) could not be created.
    #[error("cannot create the HTTP client: {0}")]
    Http(#[source] reqwest::Error),
    /// CA certificates given to the client are not PEM certificates.
    #[error("invalid CA certificate: {0}")]
    Certificate(String),
    /// Certificate settings were given together with a prepared `reqwest::Client`, which
    /// has its own.
    #[error("TLS settings cannot be combined with a prepared HTTP client; configure that client instead")]
    TlsWithHttpClient,
    /// Credentials would travel unencrypted: the base URL is plain `http://` to a host that
    /// is not this machine. Use `https://`, or opt in with
    /// `danger_allow_credentials_over_plain_http()`.
    #[error(
        "refusing to send credentials over plain HTTP to `{0}`: use https, or opt in with `danger_allow_credentials_over_plain_http()`"
    )]
    PlainHttpCredentials(String),
}

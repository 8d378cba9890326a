//! What an operation returns: the decoded body with the status and headers beside it.

use std::ops::Deref;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::stream::{BoxStream, Stream, StreamExt};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::error::{ApiError, Error, decode_json};
use super::request::OperationInfo;

/// The answer to one call, on its way: what an operation's `send` returns. Boxed so that
/// each operation's `send` is a plain function (the async machinery is compiled once, in
/// the runtime), and `Send + 'static`, ready for `tokio::spawn`.
pub type ResponseFuture<T, E> = Pin<Box<dyn Future<Output = Result<Response<T>, Error<E>>> + Send + 'static>>;

/// A successful answer: the decoded body, with the status and headers beside it.
///
/// Dereferences to the body, so `response.field` reads the body's field.
#[derive(Debug, Clone)]
pub struct Response<T> {
    status: StatusCode,
    headers: HeaderMap,
    body: T,
}

impl<T> Response<T> {
    pub(crate) fn new(status: StatusCode, headers: HeaderMap, body: T) -> Self {
        Self { status, headers, body }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers (request ids, rate limits).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The decoded body.
    pub fn body(&self) -> &T {
        &self.body
    }

    /// Takes the decoded body.
    pub fn into_body(self) -> T {
        self.body
    }

    /// Turns the body into another value, keeping status and headers.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response { status: self.status, headers: self.headers, body: f(self.body) }
    }
}

impl<T> Deref for Response<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.body
    }
}

/// An operation's reader: how its `send` turns an answer into its result.
#[cfg(any(feature = "mock", feature = "cli"))]
pub type Reader<T, E> = fn(&'static OperationInfo, Answer) -> Result<Response<T>, Error<E>>;

/// An answer as the runtime hands it to an operation's reader: the status and headers, and
/// the body, read whole within the attempt, or (for an answer the operation streams) still
/// to come.
#[derive(Debug)]
pub struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: AnswerBody,
}

#[derive(Debug)]
enum AnswerBody {
    Read(Bytes),
    /// To be streamed (boxed: most answers are read, and every move of an answer copies it).
    Unread(Box<reqwest::Response>),
}

impl Answer {
    /// An answer whose body has been read.
    pub fn new(status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        Self { status, headers, body: AnswerBody::Read(body) }
    }

    /// The answer of `response` with its body read into memory, at most `limit` bytes.
    #[expect(clippy::manual_async_fn, reason = "an `async fn` would hold `response` twice in its state")]
    pub(crate) fn read<E>(mut response: reqwest::Response, limit: u64) -> impl Future<Output = Result<Self, Error<E>>> {
        async move {
            let body = read_body(&mut response, limit).await?;
            Ok(Self::new(response.status(), std::mem::take(response.headers_mut()), body))
        }
    }

    /// An answer whose body is still to come from `response`, to be streamed (with no limit).
    pub(crate) fn unread(mut response: reqwest::Response) -> Self {
        let headers = std::mem::take(response.headers_mut());
        Self { status: response.status(), headers, body: AnswerBody::Unread(Box::new(response)) }
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body, when it has been read (a streamed one has not).
    #[cfg(feature = "cli")]
    pub(crate) fn bytes(&self) -> Bytes {
        match &self.body {
            AnswerBody::Read(body) => body.clone(),
            AnswerBody::Unread(_) => Bytes::new(),
        }
    }
}

/// The parts of an answer whose body has been read.
fn read_all<E>(answer: Answer) -> Result<(StatusCode, HeaderMap, Bytes), Error<E>> {
    match answer.body {
        AnswerBody::Read(body) => Ok((answer.status, answer.headers, body)),
        // Only the runtime leaves a body unread, for an answer the operation's `send` hands
        // over with `stream`: another reader never sees one.
        AnswerBody::Unread(_) => Err(Error::InvalidRequest(format!(
            "the answer with status {} is streamed: read it with `runtime::stream`",
            answer.status
        ))),
    }
}

/// Reads a body into memory, at most `limit` bytes.
async fn read_body<E>(response: &mut reqwest::Response, limit: u64) -> Result<Bytes, Error<E>> {
    if response.content_length().is_some_and(|length| length > limit) {
        return Err(Error::BodyTooLarge { limit });
    }
    // A body that arrives in one chunk (most answers) is kept as it came, without a copy.
    let mut single: Option<Bytes> = None;
    let mut joined = bytes::BytesMut::new();
    // The URL may carry a credential in its query: never keep it in the error.
    while let Some(chunk) = response.chunk().await.map_err(|error| Error::Transport(error.without_url()))? {
        let read = single.as_ref().map_or(0, Bytes::len) + joined.len() + chunk.len();
        if read as u64 > limit {
            return Err(Error::BodyTooLarge { limit });
        }
        match single.take() {
            None if joined.is_empty() => single = Some(chunk),
            Some(first) => {
                joined.extend_from_slice(&first);
                joined.extend_from_slice(&chunk);
            }
            None => joined.extend_from_slice(&chunk),
        }
    }
    Ok(single.unwrap_or_else(|| joined.freeze()))
}

/// Decodes a JSON body.
pub fn json<T: serde::de::DeserializeOwned, E>(answer: Answer) -> Result<Response<T>, Error<E>> {
    let (status, headers, body) = read_all(answer)?;
    let value = decode_json(status, &body).map_err(Error::Decode)?;
    Ok(Response::new(status, headers, value))
}

/// Reads a text body.
pub fn text<E>(answer: Answer) -> Result<Response<String>, Error<E>> {
    let (status, headers, body) = read_all(answer)?;
    Ok(Response::new(status, headers, String::from_utf8_lossy(&body).into_owned()))
}

/// The body whole, as bytes.
pub fn bytes<E>(answer: Answer) -> Result<Response<Bytes>, Error<E>> {
    let (status, headers, body) = read_all(answer)?;
    Ok(Response::new(status, headers, body))
}

/// Drops the body of an answer that has none worth reading.
pub fn empty<E>(answer: Answer) -> Result<Response<()>, Error<E>> {
    Ok(Response::new(answer.status, answer.headers, ()))
}

/// Hands the body over as a stream: still to come for an answer the operation streams,
/// otherwise the body read.
pub fn stream<E>(answer: Answer) -> Result<Response<ByteStream>, Error<E>> {
    let inner = match answer.body {
        AnswerBody::Unread(response) => response.bytes_stream().boxed(),
        AnswerBody::Read(body) => futures::stream::once(async move { Ok(body) }).boxed(),
    };
    Ok(Response::new(answer.status, answer.headers, ByteStream { inner }))
}

/// Builds the error for a non-success answer; `documented` says whether the spec gives
/// this status a body of type `E`.
#[doc(hidden)]
pub fn api_error<E: serde::de::DeserializeOwned>(answer: Answer, documented: bool) -> Error<E> {
    api_error_by(answer, |status, body| if documented { decode_body(status, body) } else { None })
}

/// Reads a JSON success, or the documented error, by the operation's statuses.
pub fn read_json<T, E>(operation: &OperationInfo, answer: Answer) -> Result<Response<T>, Error<E>>
where
    T: serde::de::DeserializeOwned,
    E: serde::de::DeserializeOwned,
{
    finish(operation, answer, json)
}

/// Reads an answer whose success has no body, or the documented error, by the operation's
/// statuses.
pub fn read_empty<E>(operation: &OperationInfo, answer: Answer) -> Result<Response<()>, Error<E>>
where
    E: serde::de::DeserializeOwned,
{
    finish(operation, answer, empty)
}

/// An operation's documented error bodies, told apart by the status they came with. The
/// generated enums implement it with the runtime's `by_status!` macro.
#[doc(hidden)]
pub trait ByStatus: Sized {
    /// The body of an answer with `status`, when the status is documented and the body
    /// decodes as documented.
    fn read(status: StatusCode, body: &[u8]) -> Option<Self>;
}

/// Implements [`ByStatus`] for an enum of error bodies: each status (or range) reads the
/// body into its variant; `; _ => Variant` takes every other status (a `default` answer).
#[macro_export]
#[doc(hidden)]
macro_rules! by_status {
    ($name:ident { $($status:pat => $variant:ident),* $(,)? }) => {
        impl $crate::__private::ByStatus for $name {
            fn read(status: reqwest::StatusCode, body: &[u8]) -> Option<Self> {
                match status.as_u16() {
                    $($status => $crate::__private::decode_body(status, body).map(Self::$variant),)*
                    _ => None,
                }
            }
        }
    };
    ($name:ident { $($status:pat => $variant:ident),* ; _ => $fallback:ident }) => {
        impl $crate::__private::ByStatus for $name {
            fn read(status: reqwest::StatusCode, body: &[u8]) -> Option<Self> {
                match status.as_u16() {
                    $($status => $crate::__private::decode_body(status, body).map(Self::$variant),)*
                    _ => $crate::__private::decode_body(status, body).map(Self::$fallback),
                }
            }
        }
    };
}


/// Reads a JSON success, or an error body by its status ([`ByStatus`]).
#[doc(hidden)]
pub fn read_json_by_status<T, E>(operation: &OperationInfo, answer: Answer) -> Result<Response<T>, Error<E>>
where
    T: serde::de::DeserializeOwned,
    E: ByStatus,
{
    finish_by(operation, answer, json, E::read)
}

/// Reads an answer whose success has no body, or an error body by its status ([`ByStatus`]).
#[doc(hidden)]
pub fn read_empty_by_status<E: ByStatus>(operation: &OperationInfo, answer: Answer) -> Result<Response<()>, Error<E>> {
    finish_by(operation, answer, empty, E::read)
}

/// Reads `answer` by what `operation` expects: the success body with `read`, otherwise
/// the error (decoded when the status is one with a documented error body).
///
/// A 2xx the document does not list (a 202 where it says 200, as servers drift from their
/// documents) is read as the success too: the server says it acted, and the body must still
/// decode as the documented one, or the call fails with a decode error that shows it.
fn finish<T, E: serde::de::DeserializeOwned>(
    operation: &OperationInfo,
    answer: Answer,
    read: fn(Answer) -> Result<Response<T>, Error<E>>,
) -> Result<Response<T>, Error<E>> {
    finish_by(operation, answer, read, |status, body| {
        if operation.documents_error(status.as_u16()) { decode_body(status, body) } else { None }
    })
}

/// [`finish`], with the error body read by `error`.
fn finish_by<T, E>(
    operation: &OperationInfo,
    answer: Answer,
    read: fn(Answer) -> Result<Response<T>, Error<E>>,
    error: impl FnOnce(StatusCode, &[u8]) -> Option<E>,
) -> Result<Response<T>, Error<E>> {
    let status = answer.status().as_u16();
    // A documented success first: the common case asks nothing more.
    if operation.succeeds_with(status) || (answer.status().is_success() && !operation.documents_error(status)) {
        read(answer)
    } else {
        Err(api_error_by(answer, error))
    }
}

/// The error of a non-success answer whose body type depends on the status: `decode` picks
/// the type from the status and decodes the body (see [`decode_body`]).
#[doc(hidden)]
pub fn api_error_by<E>(answer: Answer, decode: impl FnOnce(StatusCode, &[u8]) -> Option<E>) -> Error<E> {
    let (status, headers, body) = match read_all::<E>(answer) {
        Ok(parts) => parts,
        Err(error) => return error,
    };
    let error = decode(status, &body);
    Error::Api(Box::new(ApiError { status, headers, body, error }))
}

/// Decodes an error body as `T`, or `None` when it is not one.
#[doc(hidden)]
pub fn decode_body<T: serde::de::DeserializeOwned>(status: StatusCode, body: &[u8]) -> Option<T> {
    decode_json(status, body).ok()
}

/// A response body delivered piece by piece, never held whole in memory.
pub struct ByteStream {
    inner: BoxStream<'static, reqwest::Result<Bytes>>,
}

impl std::fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ByteStream")
    }
}

impl ByteStream {
    /// Copies the whole body into `writer` and flushes it; returns the number of bytes.
    pub async fn write_to<W: AsyncWrite + Unpin>(mut self, mut writer: W) -> std::io::Result<u64> {
        let mut written = 0u64;
        while let Some(chunk) = self.inner.next().await {
            let chunk = chunk.map_err(std::io::Error::other)?;
            writer.write_all(&chunk).await?;
            written += chunk.len() as u64;
        }
        writer.flush().await?;
        Ok(written)
    }

    /// Reads the whole body into memory.
    pub async fn collect(mut self) -> Result<Bytes, reqwest::Error> {
        let mut all = bytes::BytesMut::new();
        while let Some(chunk) = self.inner.next().await {
            all.extend_from_slice(&chunk?);
        }
        Ok(all.freeze())
    }
}

impl Stream for ByteStream {
    type Item = reqwest::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

//! The request builder every operation shares: the operation's own inputs beside the
//! options of one call. Generated code adds only each operation's setters and `send`.

use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;

use super::client::ClientCore;
use super::error::Error;
use super::request::{CallOptions, OperationInfo, Request};
use super::response::{Answer, Response};
use super::retry::RetryPolicy;

/// Turns one operation's inputs into its request (path, query, headers, body, accepted
/// media type); an error says which input cannot be sent. Each operation's input
/// implements it; the builder's `send` goes through it.
pub trait Encode {
    /// The request for these inputs.
    fn encode(self) -> Result<Request, String>;
}

/// A request to one operation, being prepared: `I` holds the operation's inputs, set
/// through the operation's own methods; the methods here set options of this call only.
/// Nothing is sent until `.send()`.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent with `.send()`"]
pub struct RequestBuilder<I> {
    pub(crate) core: ClientCore,
    pub(crate) input: I,
    pub(crate) options: CallOptions,
}

impl<I> RequestBuilder<I> {
    /// Sets the time allowed for each attempt of this call.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = Some(timeout);
        self
    }

    /// Sets the retry policy of this call.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.options.retry = Some(retry);
        self
    }

    /// Adds a header to this call.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the time allowed for the whole call, retries and their waits included.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.options.deadline = Some(deadline);
        self
    }

    /// Sets the largest answer this call reads into memory (default: the client's).
    pub fn max_body_size(mut self, bytes: u64) -> Self {
        self.options.max_body_size = Some(bytes);
        self
    }

    /// Sends `bytes` with `content_type` as the body, instead of the typed body: for the
    /// media types the typed API does not cover (each operation's docs list the ones it
    /// accepts).
    pub fn raw_body(mut self, content_type: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        self.options.raw_body = Some((content_type.into(), bytes.into()));
        self
    }
}

/// The answer to one call, on its way: what an operation's `send` returns. Boxed so that
/// each operation's `send` is a plain function (the async machinery is compiled once, here),
/// and `Send + 'static`, ready for `tokio::spawn`.
pub type ResponseFuture<T, E> = Pin<Box<dyn Future<Output = Result<Response<T>, Error<E>>> + Send + 'static>>;

impl<I: Encode + Send + 'static> RequestBuilder<I> {
    /// Sends the request, with this call's options, and reads the final answer with `read`
    /// (given the operation, to read by its statuses). Each operation's `send` is this with
    /// the operation's own reader; call it to read an answer another way (with
    /// `runtime::bytes`, the raw body of any operation, whatever its status).
    pub fn send_with<T, E, F>(
        self,
        read: impl FnOnce(&'static OperationInfo, Answer) -> F + Send + 'static,
    ) -> ResponseFuture<T, E>
    where
        T: Send + 'static,
        E: Send + 'static,
        F: Future<Output = Result<Response<T>, Error<E>>> + Send,
    {
        Box::pin(async move {
            let Self { core, input, options } = self;
            let request = input.encode().map_err(Error::InvalidRequest)?.with_options(options);
            let operation = request.operation;
            read(operation, core.execute(request).await?).await
        })
    }
}

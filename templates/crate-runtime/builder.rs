//! The request builder every operation shares: the operation's own inputs beside the
//! options of one call. Generated code adds only each operation's setters and `send`, as
//! methods of this type: that is why it lives in this crate and not in the runtime crate
//! (Rust lets only the crate that defines a type add methods to it).

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use futures::FutureExt;

use super::{Answer, CallOptions, ClientCore, Encode, Error, OperationInfo, Response, ResponseFuture, RetryPolicy};

/// A request to one operation, being prepared: `I` holds the operation's inputs, set
/// through the operation's own methods; the methods here set options of this call only.
/// Nothing is sent until `.send()`.
///
/// Its `Debug` shows the operation's inputs type, the client and this call's options, not
/// the inputs' values (the caller's own arguments): a derived `Debug` on every operation's
/// inputs was 3% of the console module's check (callgrind's instruction count).
#[derive(Clone)]
#[must_use = "a request does nothing until it is sent with `.send()`"]
pub struct RequestBuilder<I> {
    pub(crate) core: ClientCore,
    pub(crate) input: I,
    /// This call's options; `None` (most calls) keeps the client's.
    pub(crate) options: Option<Box<CallOptions>>,
}

impl<I> RequestBuilder<I> {
    /// Sets the time allowed for each attempt of this call.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        set(&mut self.options).timeout = Some(timeout);
        self
    }

    /// Sets the retry policy of this call.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        set(&mut self.options).retry = Some(retry);
        self
    }

    /// Adds a header to this call. It replaces a header of the same name the client sends
    /// with every call, a default header or a credential (`Authorization` here sends this
    /// value instead of the client's); set twice, both values go.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        set(&mut self.options).headers.push((name.into(), value.into()));
        self
    }

    /// Sets the time allowed for the whole call, retries and their waits included.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        set(&mut self.options).deadline = Some(deadline);
        self
    }

    /// Sets the largest answer this call reads into memory (default: the client's).
    pub fn max_body_size(mut self, bytes: u64) -> Self {
        set(&mut self.options).max_body_size = Some(bytes);
        self
    }

    /// Sends `bytes` with `content_type` as the body, instead of the typed body: for the
    /// media types the typed API does not cover (each operation's docs list the ones it
    /// accepts).
    pub fn raw_body(mut self, content_type: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        set(&mut self.options).raw_body = Some((content_type.into(), bytes.into()));
        self
    }

    /// Sends this call without the tokens of token sources: the login call a source makes
    /// to get one (it would otherwise wait for itself).
    // The allow: only a crate whose settings declare a login calls it.
    #[allow(dead_code)]
    pub(crate) fn without_tokens(mut self) -> Self {
        set(&mut self.options).without_tokens();
        self
    }

    /// Sends this request to `link` (absolute, or relative to the base URL) instead of the
    /// operation's path, with the query `link` carries: to resume a listing paged by links
    /// at the page that failed, with the link the page before it gave. Credentials and
    /// default headers still go only to the client's origin.
    pub fn resume_at(mut self, link: impl Into<String>) -> Self {
        set(&mut self.options).url = Some(link.into());
        self
    }
}

impl<I> fmt::Debug for RequestBuilder<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inputs = std::any::type_name::<I>();
        f.debug_struct("RequestBuilder")
            .field("inputs", &inputs.rsplit("::").next().unwrap_or(inputs))
            .field("core", &self.core)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// The options of a call, created when one is first set: a call without any carries none.
pub(crate) fn set(options: &mut Option<Box<CallOptions>>) -> &mut CallOptions {
    options.get_or_insert_with(Box::default)
}

impl<I: Encode> RequestBuilder<I> {
    /// Sends the request, with this call's options, and reads the final answer with `read`
    /// (given the operation, to read by its statuses), once its body has been read whole.
    /// Each operation's `send` is this with the operation's own reader; call it to read an
    /// answer another way (with `runtime::bytes`, the raw body of any operation, whatever
    /// its status, a download included, within the call's `max_body_size`).
    pub fn send_with<T, E, R>(self, read: R) -> ResponseFuture<T, E>
    where
        T: Send + 'static,
        E: Send + 'static,
        R: FnOnce(&'static OperationInfo, Answer) -> Result<Response<T>, Error<E>> + Send + 'static,
    {
        self.send_reading(false, read)
    }

    /// [`send_with`](Self::send_with) for an operation that streams some answers
    /// (`OperationInfo::streams`, a download): those reach `read` unread, to be handed over
    /// with `runtime::stream` (another reader given one returns an error).
    pub fn send_streaming_with<T, E, R>(self, read: R) -> ResponseFuture<T, E>
    where
        T: Send + 'static,
        E: Send + 'static,
        R: FnOnce(&'static OperationInfo, Answer) -> Result<Response<T>, Error<E>> + Send + 'static,
    {
        self.send_reading(true, read)
    }

    /// The request is encoded here, when the call is made; the future holds only what the
    /// exchange needs.
    fn send_reading<T, E, R>(self, stream: bool, read: R) -> ResponseFuture<T, E>
    where
        T: Send + 'static,
        E: Send + 'static,
        R: FnOnce(&'static OperationInfo, Answer) -> Result<Response<T>, Error<E>> + Send + 'static,
    {
        let Self { core, input, options } = self;
        let request = match input.encode() {
            Ok(request) => request.with_options(options, stream),
            Err(reason) => return Box::pin(std::future::ready(Err(Error::InvalidRequest(reason)))),
        };
        let operation = request.operation();
        // `map` reads the answer where the exchange left it: an `async` block awaiting the
        // exchange's future would hold it twice.
        Box::pin(core.execute(request).map(move |answer| read_answer(read, operation, answer)))
    }
}

/// Reads the final answer of a call.
// Out of line: inlined, the reader's decoding would widen the frame under which every poll
// of the exchange runs.
#[inline(never)]
fn read_answer<T, E, R>(
    read: R,
    operation: &'static OperationInfo,
    answer: Result<Answer, Error<E>>,
) -> Result<Response<T>, Error<E>>
where
    R: FnOnce(&'static OperationInfo, Answer) -> Result<Response<T>, Error<E>>,
{
    read(operation, answer?)
}

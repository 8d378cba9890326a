//! The shared client: configuration, credentials, retries, timeouts and tracing.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, COOKIE, HeaderMap, HeaderName, HeaderValue};
use tracing::Instrument;

use super::auth::{ApiKey, Credential};
use super::error::BuildError;
use super::error::Error;
use super::pacing::{Pacing, RateLimit};
use super::request::{OperationInfo, Request};
use super::response::Answer;
use super::retry::{RetryPolicy, is_retryable_status, retry_after};
use super::tokens::{FetchContext, Place, TokenCache, TokenError, TokenSource};

/// A function that may adjust every request just before it is sent.
pub type RequestHook = Arc<dyn Fn(&mut reqwest::Request) + Send + Sync>;

/// Settings shared by every API client; each API's `ClientBuilder` fills it in.
#[derive(Clone)]
#[doc(hidden)]
pub struct ClientConfig {
    base_url: String,
    credentials: Vec<(&'static str, Credential)>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    retry: RetryPolicy,
    user_agent: String,
    headers: Vec<(String, String)>,
    hook: Option<RequestHook>,
    http: Option<reqwest::Client>,
    /// Extra trusted CA certificates, as PEM text.
    root_certificates: Vec<Vec<u8>>,
    accept_invalid_certificates: bool,
    allow_plain_http_credentials: bool,
    max_body_size: u64,
    rate_limit: Option<RateLimit>,
}

/// The largest body read into memory by default (JSON, text, error answers): 64 MiB.
/// Streamed downloads have no limit.
pub const DEFAULT_MAX_BODY_SIZE: u64 = 64 * 1024 * 1024;

/// The longest chain of redirects one attempt follows.
pub const MAX_REDIRECTS: usize = 10;

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("credentials", &self.credentials)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .finish_non_exhaustive()
    }
}

impl ClientConfig {
    /// Settings for `base_url`, with the given `User-Agent`.
    pub fn new(base_url: impl Into<String>, user_agent: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            credentials: Vec::new(),
            timeout: Some(Duration::from_secs(60)),
            connect_timeout: Some(Duration::from_secs(10)),
            retry: RetryPolicy::default(),
            user_agent: user_agent.into(),
            headers: Vec::new(),
            hook: None,
            http: None,
            root_certificates: Vec::new(),
            accept_invalid_certificates: false,
            allow_plain_http_credentials: false,
            max_body_size: DEFAULT_MAX_BODY_SIZE,
            rate_limit: None,
        }
    }

    /// Limits how fast the client (and its clones) sends: every attempt waits its turn.
    pub fn set_rate_limit(&mut self, limit: Option<RateLimit>) {
        self.rate_limit = limit;
    }

    /// Allows credentials over plain `http://` to a host that is not this machine (an
    /// explicit, dangerous opt-in).
    pub fn danger_allow_credentials_over_plain_http(&mut self) {
        self.allow_plain_http_credentials = true;
    }

    /// Sets the largest body read into memory (streamed downloads have no limit).
    pub fn set_max_body_size(&mut self, bytes: u64) {
        self.max_body_size = bytes;
    }

    /// Also trusts the CA certificates of a PEM bundle.
    pub fn add_root_certificates_pem(&mut self, pem: Vec<u8>) {
        self.root_certificates.push(pem);
    }

    /// Accepts any certificate (an explicit, dangerous opt-in).
    pub fn danger_accept_invalid_certificates(&mut self) {
        self.accept_invalid_certificates = true;
    }

    /// Replaces the base URL.
    pub fn set_base_url(&mut self, base_url: impl Into<String>) {
        self.base_url = base_url.into();
    }

    /// Sets the credential for the security scheme `scheme`.
    pub fn set_credential(&mut self, scheme: &'static str, credential: Credential) {
        self.credentials.retain(|(name, _)| *name != scheme);
        self.credentials.push((scheme, credential));
    }

    /// Sets the source of the token for the security scheme `scheme`, sent as `place` says:
    /// the runtime fetches it, keeps it for the client and its clones, and fetches again
    /// ahead of its expiry or after a 401.
    pub fn set_token_source(&mut self, scheme: &'static str, place: Place, source: impl TokenSource) {
        self.set_credential(scheme, Credential::from_source(place, source));
    }

    /// Sets the time allowed for each attempt (`None`: no limit).
    pub fn set_timeout(&mut self, timeout: Option<Duration>) {
        self.timeout = timeout;
    }

    /// Sets the time allowed to open a connection.
    pub fn set_connect_timeout(&mut self, timeout: Option<Duration>) {
        self.connect_timeout = timeout;
    }

    /// Sets the retry policy.
    pub fn set_retry(&mut self, retry: RetryPolicy) {
        self.retry = retry;
    }

    /// Sets the `User-Agent` header.
    pub fn set_user_agent(&mut self, user_agent: impl Into<String>) {
        self.user_agent = user_agent.into();
    }

    /// Adds a header to every request (a call that sets one of the same name sends its own).
    pub fn add_header(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.headers.push((name.into(), value.into()));
    }

    /// Puts a placeholder where each token from a source (an OAuth2 grant, a login) would go,
    /// so that no token is fetched: for a dry run, whose requests leave nothing either.
    #[cfg(feature = "cli")]
    pub(crate) fn without_token_fetches(&mut self) {
        let placeholder = ApiKey::new("<not fetched in a dry run>");
        for (_, credential) in &mut self.credentials {
            if let Credential::Token(token) = credential {
                *credential = Credential::placed(token.place, &placeholder);
            }
        }
    }

    /// Runs `hook` on every request just before it is sent.
    pub fn set_request_hook(&mut self, hook: RequestHook) {
        self.hook = Some(hook);
    }

    /// Uses a prepared `reqwest::Client` (proxy, custom TLS roots; build it without redirects,
    /// `Policy::none()`, so that credentials stay with their origin); the timeouts and
    /// `User-Agent` set here then come from that client.
    pub fn set_http_client(&mut self, client: reqwest::Client) {
        self.http = Some(client);
    }

    /// Checks the settings and builds the client core.
    pub fn build(self) -> Result<ClientCore, BuildError> {
        let base_url = self.base_url.trim_end_matches('/').to_owned();
        let (base, origin) = match reqwest::Url::parse(&base_url) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => {
                let plain = url.scheme() == "http" && !is_loopback(&url);
                if plain && !self.credentials.is_empty() && !self.allow_plain_http_credentials {
                    return Err(BuildError::PlainHttpCredentials(base_url));
                }
                let origin = Origin::of(&url);
                (url, origin)
            }
            Ok(_) => {
                return Err(BuildError::BaseUrl { url: base_url, reason: "not an http(s) URL".into() });
            }
            Err(error) => return Err(BuildError::BaseUrl { url: base_url, reason: error.to_string() }),
        };
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| BuildError::Header(name.clone()))?;
            let value = HeaderValue::from_str(value).map_err(|_| BuildError::Header(name.to_string()))?;
            headers.append(name, value);
        }
        let tls_settings = !self.root_certificates.is_empty() || self.accept_invalid_certificates;
        let http = match self.http {
            Some(_) if tls_settings => return Err(BuildError::TlsWithHttpClient),
            Some(client) => client,
            None => {
                // Redirects are followed by the runtime, which knows where credentials may go.
                let mut builder = reqwest::Client::builder()
                    .user_agent(self.user_agent)
                    .redirect(reqwest::redirect::Policy::none())
                    .tls_version_min(reqwest::tls::Version::TLS_1_2);
                #[cfg(feature = "native-tls")]
                {
                    builder = builder.tls_backend_native();
                }
                if let Some(timeout) = self.connect_timeout {
                    builder = builder.connect_timeout(timeout);
                }
                for pem in &self.root_certificates {
                    let certificates = reqwest::Certificate::from_pem_bundle(pem)
                        .map_err(|error| BuildError::Certificate(error.to_string()))?;
                    if certificates.is_empty() {
                        return Err(BuildError::Certificate("no PEM certificate found (`-----BEGIN CERTIFICATE-----`)".into()));
                    }
                    for certificate in certificates {
                        builder = builder.tls_certs_merge([certificate]);
                    }
                }
                if self.accept_invalid_certificates {
                    tracing::warn!("TLS certificate verification is off for this client");
                    builder = builder.tls_danger_accept_invalid_certs(true);
                }
                builder.build().map_err(BuildError::Http)?
            }
        };
        let has_tokens = self.credentials.iter().any(|(_, credential)| matches!(credential, Credential::Token(_)));
        Ok(ClientCore {
            inner: Arc::new(Inner {
                has_tokens,
                http,
                base_url,
                base,
                origin,
                max_body_size: self.max_body_size,
                credentials: self.credentials,
                timeout: self.timeout,
                retry: self.retry,
                headers,
                hook: self.hook,
                pacing: Pacing::new(self.rate_limit),
            }),
        })
    }
}

/// The part of every API client that sends requests. Cheap to clone.
#[derive(Clone)]
#[doc(hidden)]
pub struct ClientCore {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    /// `base_url` parsed once: a request's URL is it with the operation's path appended.
    base: reqwest::Url,
    /// Where credentials may go: the scheme, host and port of the base URL.
    origin: Origin,
    max_body_size: u64,
    credentials: Vec<(&'static str, Credential)>,
    /// Whether a credential is a token from a source (resolved before each attempt).
    has_tokens: bool,
    timeout: Option<Duration>,
    retry: RetryPolicy,
    headers: HeaderMap,
    hook: Option<RequestHook>,
    /// The pause the server asked for and the client's own rate limit.
    pacing: Pacing,
}

impl std::fmt::Debug for ClientCore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("credentials", &self.inner.credentials)
            .finish_non_exhaustive()
    }
}

impl ClientCore {
    /// The base URL every path is appended to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Sends `request`, retrying as the policy allows, and returns the final answer
    /// whatever its status.
    ///
    /// The future owns everything it needs (a clone of this client and the request, each held
    /// once: an `async fn` would keep its arguments twice in its state).
    pub fn execute<E>(&self, request: Request) -> impl Future<Output = Result<Answer, Error<E>>> + use<E> {
        let core = self.clone();
        async move {
            let started = Instant::now();
            let call = Call {
                operation: request.operation,
                retry: request.options().retry.as_ref().unwrap_or(&core.inner.retry),
                replayable: request.is_replayable(),
                started,
                deadline: request.options().deadline.map(|limit| (started + limit, limit)),
            };
            let mut attempt = 1;
            // A 401 to a call that sent a token replaces the token once and sends again.
            let mut replaced_tokens = false;
            loop {
                // Boxed: a pause is rare, and its timer would otherwise widen the state every
                // call keeps across its awaits.
                while let Some(wait) = core.inner.pacing.wait(call.patience()) {
                    Box::pin(tokio::time::sleep(wait)).await;
                }
                let tokens = if core.inner.has_tokens && !request.options().without_tokens {
                    Box::pin(core.tokens(request.operation)).await.map_err(Error::Credential)?
                } else {
                    Vec::new()
                };
                let span = attempt_span(call.operation, attempt);
                // The outcome lives in this block only, so the state kept across the wait
                // before a retry does not hold it.
                let wait = {
                    let sent = Instant::now();
                    let remaining = call.deadline.map(|(at, _)| at.saturating_duration_since(sent));
                    let mut outcome = core.attempt(&request, &tokens, remaining).instrument(span.clone()).await;
                    core.note_pause(&request, &outcome);
                    // `None`: replace the tokens and send again, outside the retry policy.
                    if !tokens.is_empty() && !replaced_tokens && is_unauthorized(&outcome) {
                        tracing::debug!(parent: &span, "401 with a token: replacing it and sending again");
                        None
                    } else {
                        match call.next_wait(attempt, &span, sent, &mut outcome) {
                            Some(wait) => Some(wait),
                            None => return outcome,
                        }
                    }
                };
                let Some(wait) = wait else {
                    replaced_tokens = true;
                    Box::pin(core.replace_tokens(&tokens)).await.map_err(Error::Credential)?;
                    continue;
                };
                tracing::debug!(parent: &span, wait_ms = wait.as_millis() as u64, "retrying");
                tokio::time::sleep(wait).await;
                attempt += 1;
            }
        }
    }

    /// Keeps the pause a 429 or 503 answer from the client's origin asks for with
    /// `Retry-After`, for every call of the client.
    #[inline(never)]
    fn note_pause<E>(&self, request: &Request, outcome: &Result<Answer, Error<E>>) {
        let Ok(answer) = outcome else { return };
        if !matches!(answer.status().as_u16(), 429 | 503) {
            return;
        }
        let Some(wait) = retry_after(answer.headers()) else { return };
        let inner = &*self.inner;
        let to_origin = match &request.options().url {
            Some(link) => inner.base.join(link).is_ok_and(|url| inner.origin.holds(&url)),
            None => true,
        };
        if to_origin {
            inner.pacing.pause(wait);
        }
    }

    /// One attempt: the request, the redirects it leads to, and (unless the answer is one
    /// the call streams) the whole body, read within the attempt's time so that a body cut
    /// short or stalled is a failed attempt like any other.
    async fn attempt<E>(
        &self,
        request: &Request,
        tokens: &[HeldToken],
        remaining: Option<Duration>,
    ) -> Result<Answer, Error<E>> {
        let inner = &*self.inner;
        let timeout = match (request.options().timeout.or(inner.timeout), remaining) {
            (Some(each), Some(left)) => Some(each.min(left)),
            (each, left) => each.or(left),
        };
        let work = async {
            // The response moves into its read: inside this block, it is not kept beside the
            // read in the future's state.
            let reading = {
                let response = self.send_following_redirects(request, tokens, timeout).await?;
                if request.streams(response.status().as_u16()) {
                    return Ok(Answer::unread(response));
                }
                Answer::read(response, request.options().max_body_size.unwrap_or(inner.max_body_size))
            };
            reading.await
        };
        match timeout {
            Some(limit) => tokio::time::timeout(limit, work).await.unwrap_or(Err(Error::Timeout(limit))),
            None => work.await,
        }
    }

    /// Sends the request and follows redirects itself: credentials, default and per-call
    /// headers go only to the origin the client was configured with, never to another host,
    /// port or scheme; 303 (and 301/302 after a POST) continue as GET without the body.
    async fn send_following_redirects<E>(
        &self,
        request: &Request,
        tokens: &[HeldToken],
        timeout: Option<Duration>,
    ) -> Result<reqwest::Response, Error<E>> {
        let inner = &*self.inner;
        let mut url = match &request.options().url {
            // A link from the server: absolute, or relative to the base URL.
            Some(link) => match inner.base.join(link) {
                Ok(url) => url,
                Err(error) => return Err(Error::InvalidRequest(format!("invalid link `{link}`: {error}"))),
            },
            None => under(&inner.base, &request.path),
        };
        let mut method = reqwest::Method::from(request.operation.method);
        let mut with_body = true;
        for hop in 0..=MAX_REDIRECTS {
            let sending = {
                let hop = Hop { method: &method, first: hop == 0, with_body, tokens };
                let mut http_request = self.build_request(request, hop, url)?;
                if request.stream {
                    // A streamed body is read after this attempt returns: the limit covers it too.
                    *http_request.timeout_mut() = timeout;
                }
                inner.http.execute(http_request)
            };
            let response = match sending.await {
                Ok(response) => response,
                Err(error) if error.is_timeout() => return Err(Error::Timeout(timeout.unwrap_or_default())),
                // The URL may carry a credential in its query: never keep it in the error.
                Err(error) => return Err(Error::Transport(error.without_url())),
            };
            let Some(next) = redirect_target(&response) else { return Ok(response) };
            let status = response.status().as_u16();
            if status == 303 || (matches!(status, 301 | 302) && method == reqwest::Method::POST) {
                method = reqwest::Method::GET;
                with_body = false;
            } else if with_body && !request.is_replayable() {
                return Err(Error::Redirect(format!(
                    "{status} to {}: the body was a stream and cannot be sent again",
                    shown(&next)
                )));
            }
            let trusted = inner.origin.holds(&next);
            tracing::debug!(status, to = %shown(&next), credentials = trusted, "following a redirect");
            url = next;
        }
        Err(Error::Redirect(format!("more than {MAX_REDIRECTS} redirects, the last to {}", shown(&url))))
    }

    /// The HTTP request for one hop. Credentials, default and per-call headers only for the
    /// configured origin; the query parameters only on the first hop (a redirect names its
    /// own).
    // Kept out of line: inlined, its temporaries would widen the stack frame of every poll
    // of the exchange.
    #[inline(never)]
    fn build_request<E>(&self, request: &Request, hop: Hop<'_>, url: reqwest::Url) -> Result<reqwest::Request, Error<E>> {
        let Hop { method, first, with_body, tokens } = hop;
        let inner = &*self.inner;
        let trusted = inner.origin.holds(&url);
        let mut builder = inner.http.request(method.clone(), url);
        if first && !request.query.is_empty() && request.options().url.is_none() {
            builder = builder.query(&request.query);
        }
        if let Some(accept) = request.accept {
            builder = builder.header(ACCEPT, accept);
        }
        if trusted {
            if !inner.headers.is_empty() {
                builder = builder.headers(inner.headers.clone());
            }
            for (scheme, credential) in &inner.credentials {
                if request.operation.security.contains(scheme) {
                    builder = credential.apply(builder);
                }
            }
            for token in tokens {
                builder = Credential::placed(token.place, &token.value).apply(builder);
            }
        }
        if with_body {
            builder = request.attach_body(builder).map_err(Error::InvalidRequest)?;
        }
        let mut http_request = builder.build().map_err(|error| Error::InvalidRequest(error.to_string()))?;
        if trusted {
            set_call_headers(http_request.headers_mut(), request).map_err(Error::InvalidRequest)?;
        }
        join_cookies(http_request.headers_mut());
        if let Some(hook) = &inner.hook {
            hook(&mut http_request);
        }
        Ok(http_request)
    }
}

/// A call's own headers (its header parameters, then those set with `.header`): a name the
/// call sets replaces what the client sends under it for every call, a default header or a
/// credential, so one field goes and not two; a name the call sets twice goes twice, and its
/// cookies go beside the client's.
fn set_call_headers(headers: &mut HeaderMap, request: &Request) -> Result<(), String> {
    let mut set: Vec<HeaderName> = Vec::new();
    for (name, value) in request.headers.iter().chain(&request.options().headers) {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| format!("`{name}` is not a header name"))?;
        let value = HeaderValue::from_str(value)
            .map_err(|_| format!("the value of header `{name}` holds characters a header cannot carry"))?;
        if name == COOKIE || set.contains(&name) {
            headers.append(name, value);
        } else {
            headers.insert(name.clone(), value);
            set.push(name);
        }
    }
    Ok(())
}

/// One `Cookie` field for every cookie a request carries (its cookie parameters, a cookie
/// credential): RFC 6265 lets a client send no more than one, and servers that read only the
/// first would miss the rest.
fn join_cookies(headers: &mut HeaderMap) {
    let cookies: Vec<HeaderValue> = headers.get_all(COOKIE).iter().cloned().collect();
    if cookies.len() < 2 {
        return;
    }
    let joined: Vec<u8> = cookies.iter().map(HeaderValue::as_bytes).collect::<Vec<_>>().join(&b"; "[..]);
    if let Ok(mut value) = HeaderValue::from_bytes(&joined) {
        value.set_sensitive(cookies.iter().any(HeaderValue::is_sensitive));
        headers.insert(COOKIE, value);
    }
}

/// A token an attempt sends: its value, where it goes, and the cache it came from.
struct HeldToken {
    cache: Arc<TokenCache>,
    place: Place,
    value: ApiKey,
}

/// What one hop of an attempt sends beside the request: its method, whether it is the
/// first (the query goes only there) and carries the body, and the tokens.
#[derive(Clone, Copy)]
struct Hop<'a> {
    method: &'a reqwest::Method,
    first: bool,
    with_body: bool,
    tokens: &'a [HeldToken],
}

impl ClientCore {
    /// What a source-backed credential's fetch is given.
    fn fetch_context(&self) -> FetchContext<'_> {
        FetchContext { http: &self.inner.http, base_url: &self.inner.base, client: self }
    }

    /// The current token of every source-backed scheme `operation` uses.
    async fn tokens(&self, operation: &OperationInfo) -> Result<Vec<HeldToken>, TokenError> {
        let mut tokens = Vec::new();
        for (scheme, credential) in &self.inner.credentials {
            if let Credential::Token(token) = credential
                && operation.security.contains(scheme)
            {
                let value = token.cache.current(self.fetch_context()).await?;
                tokens.push(HeldToken { cache: token.cache.clone(), place: token.place, value });
            }
        }
        Ok(tokens)
    }

    /// Replaces the tokens a 401 answer refused (once, however many calls met it).
    async fn replace_tokens(&self, tokens: &[HeldToken]) -> Result<(), TokenError> {
        for token in tokens {
            token.cache.replace(&token.value, self.fetch_context()).await?;
        }
        Ok(())
    }
}

/// Whether an attempt was answered 401.
fn is_unauthorized<E>(outcome: &Result<Answer, Error<E>>) -> bool {
    matches!(outcome, Ok(answer) if answer.status().as_u16() == 401)
}

/// What a call keeps from one attempt to the next.
struct Call<'a> {
    operation: &'static OperationInfo,
    retry: &'a RetryPolicy,
    /// Whether the body can be sent again.
    replayable: bool,
    started: Instant,
    /// When the whole call must end, and the limit that set it.
    deadline: Option<(Instant, Duration)>,
}

impl Call<'_> {
    /// The longest wait for the server's pause this call accepts before an attempt: what
    /// its retry policy would wait, and no later than its deadline.
    fn patience(&self) -> Duration {
        let longest = self.retry.longest_wait();
        match self.deadline {
            Some((at, _)) => longest.min(at.saturating_duration_since(Instant::now())),
            None => longest,
        }
    }

    /// Records how attempt `attempt` (sent at `sent`) went on its span, and decides whether
    /// to send the request again: the wait before the next attempt, or `None` when
    /// `outcome` is the call's (made final in place: see [`final_outcome`]).
    // Out of line: the frame of every poll of the call holds only what lives across its awaits.
    #[inline(never)]
    fn next_wait<E>(
        &self,
        attempt: u32,
        span: &tracing::Span,
        sent: Instant,
        outcome: &mut Result<Answer, Error<E>>,
    ) -> Option<Duration> {
        span.record("elapsed_ms", sent.elapsed().as_millis() as u64);
        if let Ok(response) = outcome {
            span.record("status", response.status().as_u16());
        }
        let wait = self.retry_wait(attempt, outcome);
        if wait.is_none() {
            final_outcome(outcome, self.deadline);
        }
        wait
    }

    /// The wait before sending attempt `attempt` again, if its outcome and the policy allow
    /// another.
    fn retry_wait<E>(&self, attempt: u32, outcome: &Result<Answer, Error<E>>) -> Option<Duration> {
        let (wait, unprocessed) = retry_grounds(outcome)?;
        if !(self.replayable && (self.operation.retry_safe || unprocessed)) {
            return None;
        }
        // The policy says when the attempts are spent.
        let wait = self.retry.next_wait(attempt, self.started.elapsed(), wait)?;
        // A wait that would pass the call's deadline ends the call now.
        self.deadline.is_none_or(|(at, _)| Instant::now() + wait < at).then_some(wait)
    }
}

/// The span of one attempt; its status and time are recorded when the answer comes.
// Out of line: the span's fields would otherwise widen the frame of every poll of the call.
#[inline(never)]
fn attempt_span(operation: &OperationInfo, attempt: u32) -> tracing::Span {
    tracing::debug_span!(
        "http.request",
        operation = operation.id,
        method = %operation.method,
        path = operation.path,
        attempt,
        status = tracing::field::Empty,
        elapsed_ms = tracing::field::Empty,
    )
}

/// Scheme, host and port: where a credential may be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Origin {
    scheme: String,
    host: String,
    port: Option<u16>,
}

impl Origin {
    fn of(url: &reqwest::Url) -> Self {
        Self {
            scheme: url.scheme().to_owned(),
            host: url.host_str().unwrap_or_default().to_ascii_lowercase(),
            port: url.port_or_known_default(),
        }
    }

    /// Whether `url` is at this origin (compared in place: this runs on every request).
    fn holds(&self, url: &reqwest::Url) -> bool {
        url.scheme() == self.scheme
            && url.host_str().unwrap_or_default().eq_ignore_ascii_case(&self.host)
            && url.port_or_known_default() == self.port
    }
}

/// Whether `url` names this machine (plain HTTP is fine there).
pub(crate) fn is_loopback(url: &reqwest::Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || bare.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Whether an outcome may be sent again, and on what grounds: the wait the server asked
/// for, and whether it says it did not act on the request (429, or a Retry-After on 503) or
/// never received it (no connection), which makes sending again safe for any operation;
/// `None` for an outcome that is final.
fn retry_grounds<E>(outcome: &Result<Answer, Error<E>>) -> Option<(Option<Duration>, bool)> {
    match outcome {
        Ok(response) => {
            let status = response.status();
            if !is_retryable_status(status) {
                return None;
            }
            let wait = retry_after(response.headers());
            Some((wait, status.as_u16() == 429 || (status.as_u16() == 503 && wait.is_some())))
        }
        Err(Error::Transport(error)) if error.is_connect() => Some((None, true)),
        // A connection reset before the answer, a body cut short or stalled: the server may
        // have acted, so only a retry-safe call is sent again.
        Err(Error::Transport(_) | Error::Timeout(_)) => Some((None, false)),
        Err(_) => None,
    }
}

/// Makes `outcome` the one a call ends with: a timeout once the call's deadline
/// `(at, limit)` has passed reports the deadline's limit, not the attempt's.
fn final_outcome<E>(outcome: &mut Result<Answer, Error<E>>, deadline: Option<(Instant, Duration)>) {
    if let (Err(Error::Timeout(limit)), Some((at, deadline_limit))) = (outcome, deadline)
        && Instant::now() >= at
    {
        *limit = deadline_limit;
    }
}

/// The URL of `path` (already percent-encoded) under `base`: only the path is parsed, not
/// the scheme and host again, and whatever `path` holds stays in the path.
fn under(base: &reqwest::Url, path: &str) -> reqwest::Url {
    let mut url = base.clone();
    match base.path().trim_end_matches('/') {
        "" => url.set_path(path),
        prefix => url.set_path(&format!("{prefix}{path}")),
    }
    url
}

/// Where a redirect answer points, resolved against the URL that answered.
fn redirect_target(response: &reqwest::Response) -> Option<reqwest::Url> {
    if !matches!(response.status().as_u16(), 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let location = response.headers().get(reqwest::header::LOCATION)?.to_str().ok()?;
    response.url().join(location).ok()
}

/// A URL as errors and traces show it: without its query or user info, which may carry
/// credentials.
fn shown(url: &reqwest::Url) -> String {
    let port = url.port().map(|port| format!(":{port}")).unwrap_or_default();
    format!("{}://{}{port}{}", url.scheme(), url.host_str().unwrap_or_default(), url.path())
}

/// The setters every API's `ClientBuilder` has, for its `impl` block: they set the builder's
/// `config` (a [`ClientConfig`]). One definition here instead of a copy in every API.
#[macro_export]
#[doc(hidden)]
macro_rules! builder_settings {
    () => {
        /// Sets the time allowed for each attempt (default 60 s); `None` for no limit.
        pub fn timeout(mut self, timeout: impl Into<Option<std::time::Duration>>) -> Self {
            self.config.set_timeout(timeout.into());
            self
        }

        /// Sets the time allowed to open a connection (default 10 s).
        pub fn connect_timeout(mut self, timeout: impl Into<Option<std::time::Duration>>) -> Self {
            self.config.set_connect_timeout(timeout.into());
            self
        }

        /// Sets the retry policy (default: 3 attempts with jittered exponential backoff).
        pub fn retry(mut self, retry: $crate::RetryPolicy) -> Self {
            self.config.set_retry(retry);
            self
        }

        /// Limits how fast this client and its clones send (default: no limit; see
        /// [`RateLimit`]($crate::RateLimit)). Whatever the limit, a 429 or 503 answer
        /// with `Retry-After` pauses every call of the client until the time the server named
        /// has passed.
        pub fn rate_limit(mut self, limit: $crate::RateLimit) -> Self {
            self.config.set_rate_limit(Some(limit));
            self
        }

        /// Sets the `User-Agent` (default `<crate>/<version>`).
        pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
            self.config.set_user_agent(user_agent);
            self
        }

        /// Adds a header to every request; a call that sets a header of the same name (a
        /// parameter, or `.header` on its request) sends its own instead.
        pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
            self.config.add_header(name, value);
            self
        }

        /// Runs `hook` on every request just before it is sent.
        pub fn request_hook(mut self, hook: impl Fn(&mut reqwest::Request) + Send + Sync + 'static) -> Self {
            self.config.set_request_hook(std::sync::Arc::new(hook));
            self
        }

        /// Uses a prepared `reqwest::Client` (proxies, custom TLS roots). Build it with
        /// `.redirect(reqwest::redirect::Policy::none())`: a client that follows redirects
        /// itself would carry API-key headers to whatever host a redirect names, where the
        /// runtime sends credentials only to the configured origin.
        pub fn http_client(mut self, client: reqwest::Client) -> Self {
            self.config.set_http_client(client);
            self
        }

        /// Also trusts the CA certificates in `pem` (one or more PEM blocks), for hosts
        /// with a private CA or a self-signed certificate; the system roots stay trusted.
        pub fn add_root_certificates_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
            self.config.add_root_certificates_pem(pem.into());
            self
        }

        /// **Dangerous:** accepts any TLS certificate, so anyone on the network path can
        /// read and change the traffic, credentials included. Prefer
        /// [`add_root_certificates_pem`](Self::add_root_certificates_pem); use this only
        /// against a test host you control.
        pub fn danger_accept_invalid_certificates(mut self) -> Self {
            self.config.danger_accept_invalid_certificates();
            self
        }

        /// **Dangerous:** allows credentials over plain `http://` to a host that is not
        /// this machine, where anyone on the network path can read them. Without it,
        /// `build()` refuses such a client (loopback hosts are always allowed).
        pub fn danger_allow_credentials_over_plain_http(mut self) -> Self {
            self.config.danger_allow_credentials_over_plain_http();
            self
        }

        /// Sets the largest answer read into memory (default 64 MiB); a larger one fails
        /// with `Error::BodyTooLarge`. Streamed downloads have no limit.
        pub fn max_body_size(mut self, bytes: u64) -> Self {
            self.config.set_max_body_size(bytes);
            self
        }
    };
}


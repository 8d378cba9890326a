//! Credentials that change while the client lives: tokens from an OAuth2 token endpoint,
//! from a login call, or from a source of the user's (a vault, a file that rotates).
//!
//! A [`TokenSource`] fetches a token; the runtime keeps it, shared by the client's clones,
//! and fetches again ahead of its expiry. However many calls wait, one fetch runs at a
//! time (single flight), and a call that meets a refresh in progress waits for its
//! result instead of starting another. A 401 answer to a call that sent a token makes the
//! runtime replace that token once and send the call once more: the server did not act on
//! a 401. Tokens never appear in `Debug`, `Display`, tracing or errors.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::secret::ApiKey;

/// A token a source fetched, and how long it lasts (`None`: until the server rejects it).
#[derive(Clone)]
pub struct Token {
    value: ApiKey,
    pub(crate) expires_in: Option<Duration>,
}

impl Token {
    /// A token that lasts until the server rejects it.
    pub fn new(value: ApiKey) -> Self {
        Self { value, expires_in: None }
    }

    /// The token lasts `lifetime` from now; it is fetched again shortly before.
    pub fn expires_in(mut self, lifetime: Duration) -> Self {
        self.expires_in = Some(lifetime);
        self
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token").field("value", &self.value).field("expires_in", &self.expires_in).finish()
    }
}

/// What a source is given to fetch a token with: the client's own HTTP client (its TLS
/// settings and timeouts, no redirects) and the base URL the client was built for.
#[derive(Debug, Clone, Copy)]
pub struct FetchContext<'a> {
    /// The client's HTTP client.
    pub http: &'a reqwest::Client,
    /// The client's base URL.
    pub base_url: &'a reqwest::Url,
    /// The client itself, for a source that calls one of its operations (a login); held
    /// opaque so that this module does not depend on the client's.
    pub(crate) client: &'a (dyn std::any::Any + Send + Sync),
}

/// The future a source returns.
pub type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<Token, TokenError>> + Send + 'a>>;

/// Where a credential that changes comes from. Implement it to plug in a vault or a file
/// that rotates; the runtime calls [`fetch`](Self::fetch) one call at a time per client.
pub trait TokenSource: Send + Sync + 'static {
    /// A fresh token.
    fn fetch<'a>(&'a self, context: FetchContext<'a>) -> TokenFuture<'a>;
}

/// A token could not be obtained.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The authorization server refused the request (RFC 6749 section 5.2): `code` is its
    /// error code (`invalid_client`, `invalid_scope`...).
    #[error("the token endpoint refused the request ({status}): {code}{}", description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    Refused { status: u16, code: String, description: Option<String> },
    /// A login call failed.
    #[error("the login call failed: {0}")]
    Login(String),
    /// The token endpoint could not be reached, or its answer is not a token.
    #[error("cannot get a token: {0}")]
    Unavailable(String),
    /// A setting makes fetching a token unsafe or impossible (a token URL over plain HTTP).
    #[error("cannot get a token: {0}")]
    Config(String),
    /// A source of the user's failed.
    #[error("the token source failed: {0}")]
    Source(String),
}

/// Where a token goes in a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// A header, the token after `prefix` (`""` for the bare token).
    Header { name: &'static str, prefix: &'static str },
    /// A query parameter.
    Query(&'static str),
    /// A cookie.
    Cookie(&'static str),
}

/// The token of one scheme, kept for a client and its clones.
pub(crate) struct TokenCache {
    source: Box<dyn TokenSource>,
    current: Mutex<Option<Held>>,
    /// Held while a fetch runs: one at a time.
    fetching: tokio::sync::Mutex<()>,
}

/// A token held, and when to fetch the next.
#[derive(Clone)]
struct Held {
    value: ApiKey,
    renew_at: Option<Instant>,
}

impl Held {
    fn fresh(&self) -> bool {
        self.renew_at.is_none_or(|at| Instant::now() < at)
    }
}

/// How long before its expiry a token is replaced: a tenth of its lifetime, at most 30 s,
/// so that a call does not leave with a token that expires on the way.
fn margin(lifetime: Duration) -> Duration {
    (lifetime / 10).min(Duration::from_secs(30))
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenCache(***)")
    }
}

impl TokenCache {
    pub(crate) fn new(source: Box<dyn TokenSource>) -> Arc<Self> {
        Arc::new(Self { source, current: Mutex::new(None), fetching: tokio::sync::Mutex::new(()) })
    }

    fn held(&self) -> Option<Held> {
        self.current.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// The token to send now: the one held while it is fresh, else a new one.
    pub(crate) async fn current(&self, context: FetchContext<'_>) -> Result<ApiKey, TokenError> {
        if let Some(held) = self.held().filter(Held::fresh) {
            return Ok(held.value);
        }
        let _turn = self.fetching.lock().await;
        // Another call may have fetched while this one waited for its turn.
        if let Some(held) = self.held().filter(Held::fresh) {
            return Ok(held.value);
        }
        self.fetch(context).await
    }

    /// A token in place of `rejected`, which the server answered 401 to: a new one, unless
    /// another call has replaced it already.
    pub(crate) async fn replace(&self, rejected: &ApiKey, context: FetchContext<'_>) -> Result<ApiKey, TokenError> {
        let _turn = self.fetching.lock().await;
        if let Some(held) = self.held().filter(|held| held.value != *rejected && held.fresh()) {
            return Ok(held.value);
        }
        self.fetch(context).await
    }

    async fn fetch(&self, context: FetchContext<'_>) -> Result<ApiKey, TokenError> {
        tracing::debug!("fetching a token");
        let token = self.source.fetch(context).await?;
        let renew_at = token.expires_in.map(|lifetime| Instant::now() + lifetime - margin(lifetime));
        let held = Held { value: token.value, renew_at };
        *self.current.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(held.clone());
        Ok(held.value)
    }
}

/// A boxed source that calls `fetch` for each token: for sources written as a closure.
pub struct FnSource<F>(pub F);

impl<F, Fut> TokenSource for FnSource<F>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Token, TokenError>> + Send + 'static,
{
    fn fetch<'a>(&'a self, _: FetchContext<'a>) -> TokenFuture<'a> {
        Box::pin((self.0)())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn context() -> (reqwest::Client, reqwest::Url) {
        (reqwest::Client::new(), reqwest::Url::parse("http://127.0.0.1/").unwrap())
    }

    #[tokio::test]
    async fn one_fetch_serves_every_waiting_call_and_a_rejected_token_is_replaced_once() {
        let fetches = Arc::new(AtomicUsize::new(0));
        let counted = fetches.clone();
        let cache = TokenCache::new(Box::new(FnSource(move || {
            let n = counted.fetch_add(1, Ordering::SeqCst);
            async move {
                tokio::time::sleep(Duration::from_millis(20)).await;
                Ok(Token::new(ApiKey::new(format!("token-{n}"))).expires_in(Duration::from_secs(600)))
            }
        })));
        let (http, base) = context();
        let context = FetchContext { http: &http, base_url: &base, client: &() };
        let tokens = futures::future::join_all((0..50).map(|_| cache.current(context))).await;
        assert!(tokens.iter().all(|token| token.as_ref().unwrap().expose() == "token-0"));
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        let rejected = ApiKey::new("token-0");
        let replaced = futures::future::join_all((0..10).map(|_| cache.replace(&rejected, context))).await;
        assert!(replaced.iter().all(|token| token.as_ref().unwrap().expose() == "token-1"));
        assert_eq!(fetches.load(Ordering::SeqCst), 2, "ten calls that met one 401 replace the token once");
    }

    #[test]
    fn a_token_is_replaced_ahead_of_its_expiry() {
        assert_eq!(margin(Duration::from_secs(60)), Duration::from_secs(6));
        assert_eq!(margin(Duration::from_secs(3600)), Duration::from_secs(30));
        let held = Held { value: ApiKey::new("t"), renew_at: Some(Instant::now()) };
        assert!(!held.fresh());
    }
}

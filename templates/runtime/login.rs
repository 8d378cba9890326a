//! Tokens from a login operation: the client calls the API's own login (declared in the
//! settings) when a call first needs the token, again when it expires or a call is
//! answered 401, one login at a time (see `tokens`). The login's own credentials are a
//! body like any other, never shown.

use std::time::Duration;

use super::response::ResponseFuture;
use super::client::ClientCore;
use super::secret::ApiKey;
use super::tokens::{FetchContext, Token, TokenError, TokenFuture, TokenSource};

/// A login call and where its answer holds the token.
pub struct Login<F> {
    call: F,
    token_path: &'static str,
    expires_in_path: Option<&'static str>,
    lifetime: Option<Duration>,
}

impl<F> Login<F> {
    /// A login made by `call` (the generated operation, sent without tokens); the token at
    /// the dotted `token_path` of its answer, its lifetime in seconds at `expires_in_path`
    /// when the answer says, else `lifetime` when the settings say.
    pub fn new(
        call: F,
        token_path: &'static str,
        expires_in_path: Option<&'static str>,
        lifetime: Option<Duration>,
    ) -> Self {
        Self { call, token_path, expires_in_path, lifetime }
    }
}

impl<F, T, E> TokenSource for Login<F>
where
    F: Fn(&ClientCore) -> ResponseFuture<T, E> + Send + Sync + 'static,
    T: serde::Serialize + Send + 'static,
    E: std::fmt::Debug + Send + 'static,
{
    fn fetch<'a>(&'a self, context: FetchContext<'a>) -> TokenFuture<'a> {
        Box::pin(async move {
            let core = context
                .client
                .downcast_ref::<ClientCore>()
                .ok_or_else(|| TokenError::Login("a login needs the client it logs in for".into()))?;
            let answer = (self.call)(core).await.map_err(|error| TokenError::Login(error.to_string()))?;
            let answer = serde_json::to_value(answer.body()).map_err(|error| TokenError::Login(error.to_string()))?;
            let token = at(&answer, self.token_path)
                .and_then(serde_json::Value::as_str)
                .filter(|token| !token.is_empty())
                .ok_or_else(|| TokenError::Login(format!("the answer has no token at `{}`", self.token_path)))?;
            let lifetime = self
                .expires_in_path
                .and_then(|path| at(&answer, path))
                .and_then(|seconds| seconds.as_u64().or_else(|| seconds.as_str()?.trim().parse().ok()))
                .map(Duration::from_secs)
                .or(self.lifetime);
            let token = Token::new(ApiKey::new(token));
            Ok(match lifetime {
                Some(lifetime) => token.expires_in(lifetime),
                None => token,
            })
        })
    }
}

/// The value at a dotted path of `value`.
fn at<'v>(value: &'v serde_json::Value, dotted: &str) -> Option<&'v serde_json::Value> {
    dotted.split('.').try_fold(value, |value, key| value.get(key))
}

//! OAuth2 client credentials (RFC 6749 section 4.4): a client id and secret exchanged at the
//! token URL for a bearer token that expires, refreshed by the runtime (see `tokens`).
//!
//! Written here rather than with the `oauth2` crate: the exchange is one form POST, and it
//! must go through the client's own HTTP client (its TLS settings, no redirects) under the
//! runtime's rules for where a secret may go; the crate brings its own HTTP abstraction.

use std::time::Duration;

use reqwest::header::ACCEPT;

use super::secret::ApiKey;
use super::tokens::{FetchContext, Token, TokenError, TokenFuture, TokenSource};

/// How the client authenticates at the token endpoint (RFC 6749 section 2.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientAuth {
    /// HTTP Basic with the form-encoded id and secret (the default, which every server
    /// must accept).
    #[default]
    Basic,
    /// `client_id` and `client_secret` in the form body.
    Body,
}

/// The OAuth2 client credentials grant: the token URL, the client's id and secret, the
/// scopes asked for, and the extra form fields some vendors want (`audience`).
///
/// A relative token URL is resolved against the client's base URL. A token URL at the same
/// origin as the server the document names follows the client to the origin it was
/// configured for (the region a user picked); [`token_url`](Self::token_url) overrides
/// both. The secret goes only to the token URL, over HTTPS unless that is this machine.
#[derive(Clone)]
pub struct ClientCredentials {
    token_url: String,
    client_id: String,
    client_secret: ApiKey,
    scopes: Vec<String>,
    auth: ClientAuth,
    form: Vec<(String, String)>,
    documented_server: Option<String>,
    fixed_url: bool,
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

impl ClientCredentials {
    /// The grant for `client_id` and `client_secret` at `token_url`.
    pub fn new(token_url: impl Into<String>, client_id: impl Into<String>, client_secret: ApiKey) -> Self {
        Self {
            token_url: token_url.into(),
            client_id: client_id.into(),
            client_secret,
            scopes: Vec::new(),
            auth: ClientAuth::default(),
            form: Vec::new(),
            documented_server: None,
            fixed_url: false,
        }
    }

    /// Asks for these scopes (default: none, the server's default).
    pub fn scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// How the client authenticates (default: HTTP Basic).
    pub fn client_auth(mut self, auth: ClientAuth) -> Self {
        self.auth = auth;
        self
    }

    /// Adds a form field to the token request (`audience`, `resource`).
    pub fn form_field(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.form.push((name.into(), value.into()));
        self
    }

    /// Gets tokens from `url` exactly, whatever base URL the client has.
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = url.into();
        self.fixed_url = true;
        self
    }

    /// The server the document names: a token URL at its origin follows the client's base
    /// URL to another origin (another region).
    pub fn documented_server(mut self, url: impl Into<String>) -> Self {
        self.documented_server = Some(url.into());
        self
    }

    /// Where tokens come from, for a client at `base`.
    fn endpoint(&self, base: &reqwest::Url) -> Result<reqwest::Url, TokenError> {
        let parsed =
            if self.token_url.contains("://") { reqwest::Url::parse(&self.token_url) } else { base.join(&self.token_url) };
        let mut url =
            parsed.map_err(|error| TokenError::Config(format!("invalid token URL `{}`: {error}", self.token_url)))?;
        let documented = self.documented_server.as_deref().and_then(|server| reqwest::Url::parse(server).ok());
        if let Some(documented) = documented.filter(|_| !self.fixed_url)
            && same_origin(&documented, &url)
            && !same_origin(&documented, base)
        {
            // `set_host` and `set_port` cannot fail on an http(s) URL with a host.
            let _ = url.set_scheme(base.scheme());
            let _ = url.set_host(base.host_str());
            let _ = url.set_port(base.port());
        }
        let plain = url.scheme() != "https" && !super::client::is_loopback(&url);
        if plain || !matches!(url.scheme(), "http" | "https") {
            return Err(TokenError::Config(format!(
                "refusing to send the client secret to `{}`: a token URL must be https (or this machine)",
                url.origin().ascii_serialization()
            )));
        }
        Ok(url)
    }

    async fn exchange(&self, context: FetchContext<'_>) -> Result<Token, TokenError> {
        let url = self.endpoint(context.base_url)?;
        let mut form: Vec<(&str, &str)> = vec![("grant_type", "client_credentials")];
        let scope = self.scopes.join(" ");
        if !scope.is_empty() {
            form.push(("scope", &scope));
        }
        if self.auth == ClientAuth::Body {
            form.push(("client_id", &self.client_id));
            form.push(("client_secret", self.client_secret.expose()));
        }
        form.extend(self.form.iter().map(|(name, value)| (name.as_str(), value.as_str())));
        let mut request = context.http.post(url).header(ACCEPT, "application/json").form(&form);
        if self.auth == ClientAuth::Basic {
            let encode = |text: &str| percent_encoding::utf8_percent_encode(text, FORM).to_string();
            request = request.basic_auth(encode(&self.client_id), Some(encode(self.client_secret.expose())));
        }
        let response = request
            .send()
            .await
            .map_err(|error| TokenError::Unavailable(format!("the token endpoint: {}", error.without_url())))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|error| TokenError::Unavailable(format!("the token endpoint's answer: {}", error.without_url())))?;
        if !status.is_success() {
            return Err(refused(status.as_u16(), &body));
        }
        token(&body)
    }
}

impl TokenSource for ClientCredentials {
    fn fetch<'a>(&'a self, context: FetchContext<'a>) -> TokenFuture<'a> {
        Box::pin(self.exchange(context))
    }
}

/// What `application/x-www-form-urlencoded` escapes, as RFC 6749 wants the id and secret
/// encoded before HTTP Basic: everything but letters, digits and `-._*`.
const FORM: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'*');

fn same_origin(a: &reqwest::Url, b: &reqwest::Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str().unwrap_or_default().eq_ignore_ascii_case(b.host_str().unwrap_or_default())
        && a.port_or_known_default() == b.port_or_known_default()
}

/// The error of a refused token request: the server's RFC 6749 error code, or its status.
fn refused(status: u16, body: &[u8]) -> TokenError {
    #[derive(serde::Deserialize)]
    struct Refusal {
        error: String,
        error_description: Option<String>,
    }
    match serde_json::from_slice::<Refusal>(body) {
        Ok(refusal) => TokenError::Refused { status, code: refusal.error, description: refusal.error_description },
        Err(_) => TokenError::Unavailable(format!("the token endpoint answered HTTP {status}")),
    }
}

/// The token of a successful answer (`access_token`, `expires_in` as a number or text).
fn token(body: &[u8]) -> Result<Token, TokenError> {
    let answer: serde_json::Value = serde_json::from_slice(body)
        .map_err(|_| TokenError::Unavailable("the token endpoint's answer is not JSON".into()))?;
    let Some(access) = answer.get("access_token").and_then(serde_json::Value::as_str) else {
        return Err(TokenError::Unavailable("the token endpoint's answer has no `access_token`".into()));
    };
    let token = Token::new(ApiKey::new(access));
    let lifetime = match answer.get("expires_in") {
        Some(serde_json::Value::Number(seconds)) => seconds.as_u64(),
        Some(serde_json::Value::String(seconds)) => seconds.trim().parse().ok(),
        _ => None,
    };
    Ok(match lifetime {
        Some(seconds) => token.expires_in(Duration::from_secs(seconds)),
        None => token,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(url: &str) -> ClientCredentials {
        ClientCredentials::new(url, "id", ApiKey::new("secret"))
    }

    #[test]
    fn the_token_url_resolves_against_the_client_and_follows_its_region() {
        let eu = reqwest::Url::parse("https://eu.api.example.com/vm").unwrap();
        let endpoint = |grant: ClientCredentials| grant.endpoint(&eu).map(|url| url.to_string());
        assert_eq!(endpoint(grant("/oauth/token")).unwrap(), "https://eu.api.example.com/oauth/token");
        let regional = grant("https://us.api.example.com/oauth/token").documented_server("https://us.api.example.com/vm");
        assert_eq!(endpoint(regional.clone()).unwrap(), "https://eu.api.example.com/oauth/token");
        assert_eq!(
            endpoint(regional.token_url("https://us.api.example.com/oauth/token")).unwrap(),
            "https://us.api.example.com/oauth/token",
            "an explicit token URL stays"
        );
        let elsewhere = grant("https://login.example.net/token").documented_server("https://us.api.example.com/vm");
        assert_eq!(endpoint(elsewhere).unwrap(), "https://login.example.net/token");
        assert!(matches!(endpoint(grant("http://login.example.net/token")), Err(TokenError::Config(_))));
        let local = reqwest::Url::parse("http://127.0.0.1:8080/").unwrap();
        assert!(grant("http://127.0.0.1:9/token").endpoint(&local).is_ok(), "plain HTTP on loopback");
    }

    #[test]
    fn answers_read_as_tokens_or_as_the_servers_refusal() {
        let token = token(br#"{"access_token": "abc", "token_type": "Bearer", "expires_in": "300"}"#).unwrap();
        assert_eq!(token.expires_in, Some(Duration::from_secs(300)));
        let refusal = refused(401, br#"{"error": "invalid_client", "error_description": "bad secret"}"#);
        assert_eq!(refusal.to_string(), "the token endpoint refused the request (401): invalid_client: bad secret");
        assert!(matches!(refused(502, b"<html>"), TokenError::Unavailable(_)));
    }
}

//! Credentials: how each security scheme sends its secret, and the configuration read from
//! the environment.

use std::fmt;
use std::sync::Arc;

pub use super::secret::{ApiKey, MissingEnvVar};
use super::tokens::{Place, TokenCache, TokenSource};

/// A client could not be configured from the environment. Messages name variables, never
/// the value of a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EnvError {
    /// A variable is unset or empty (the text says which, and any alternative).
    #[error("missing configuration: set the environment variable {0}")]
    Missing(String),
    /// A variable holds a value the API does not accept.
    #[error("environment variable `{variable}` is `{value}`; expected one of: {expected}")]
    Invalid { variable: String, value: String, expected: String },
    /// The settings do not make a client (a malformed base URL, say).
    #[error(transparent)]
    Build(#[from] super::error::BuildError),
}

impl From<MissingEnvVar> for EnvError {
    fn from(missing: MissingEnvVar) -> Self {
        Self::Missing(format!("`{}`", missing.0))
    }
}

/// The value of a non-secret variable, when set and not empty.
#[doc(hidden)]
pub fn optional_env(variable: &str) -> Option<String> {
    super::variables::read(variable)
}

/// The contents of the PEM file named by `variable`, when it is set.
#[doc(hidden)]
pub fn pem_from_env(variable: &str) -> Result<Option<Vec<u8>>, EnvError> {
    let Some(path) = optional_env(variable) else { return Ok(None) };
    std::fs::read(&path).map(Some).map_err(|error| EnvError::Invalid {
        variable: variable.to_owned(),
        value: path,
        expected: format!("the path of a readable PEM file ({error})"),
    })
}

/// The value of `variable`; when it is missing, the error names `alternative` as well.
#[doc(hidden)]
pub fn required_env(variable: &str, alternative: &str) -> Result<String, EnvError> {
    optional_env(variable).ok_or_else(|| EnvError::Missing(format!("`{alternative}` or `{variable}`")))
}

/// How a security scheme of the API sends its credential.
#[derive(Clone)]
pub enum Credential {
    /// An API key in a request header.
    Header { name: &'static str, key: ApiKey },
    /// An API key in the query string.
    Query { name: &'static str, key: ApiKey },
    /// An API key in a cookie.
    Cookie { name: &'static str, key: ApiKey },
    /// `Authorization: Bearer <token>`.
    Bearer(ApiKey),
    /// `Authorization: Basic <user:password>`.
    Basic { username: String, password: ApiKey },
    /// A token from a source, fetched and refreshed by the runtime (see
    /// [`from_source`](Self::from_source)).
    Token(SourcedToken),
}

/// A token from a [`TokenSource`], kept for a client and its clones, and where it goes.
#[derive(Clone)]
pub struct SourcedToken {
    pub(crate) place: Place,
    pub(crate) cache: Arc<TokenCache>,
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Header { name, .. } => write!(f, "Header({name}: ***)"),
            Self::Query { name, .. } => write!(f, "Query({name}=***)"),
            Self::Cookie { name, .. } => write!(f, "Cookie({name}=***)"),
            Self::Bearer(_) => f.write_str("Bearer(***)"),
            Self::Basic { username, .. } => write!(f, "Basic({username}:***)"),
            Self::Token(token) => write!(f, "Token({:?}: ***)", token.place),
        }
    }
}

impl Credential {
    pub(crate) fn apply(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            Self::Header { name, key } => request.header(*name, sensitive(key.expose())),
            Self::Query { name, key } => request.query(&[(*name, key.expose())]),
            Self::Cookie { name, key } => {
                request.header(reqwest::header::COOKIE, sensitive(&format!("{name}={}", key.expose())))
            }
            Self::Bearer(token) => request.bearer_auth(token.expose()),
            Self::Basic { username, password } => request.basic_auth(username, Some(password.expose())),
            // Resolved to a fixed credential for each attempt (see `ClientCore::tokens`).
            Self::Token(_) => request,
        }
    }

    /// The fixed credential that sends `token` as `place` says.
    pub(crate) fn placed(place: Place, token: &ApiKey) -> Self {
        match place {
            Place::Bearer => Self::Bearer(token.clone()),
            Place::Header { name, prefix: "" } => Self::Header { name, key: token.clone() },
            Place::Header { name, prefix } => Self::Header { name, key: ApiKey::new(format!("{prefix}{}", token.expose())) },
            Place::Query(name) => Self::Query { name, key: token.clone() },
            Place::Cookie(name) => Self::Cookie { name, key: token.clone() },
        }
    }

    /// A credential whose token comes from `source`, sent as `place` says.
    pub fn from_source(place: Place, source: impl TokenSource) -> Self {
        Self::Token(SourcedToken { place, cache: TokenCache::new(Box::new(source)) })
    }
}

/// A header value marked sensitive, so HTTP internals never print it.
fn sensitive(value: &str) -> reqwest::header::HeaderValue {
    match reqwest::header::HeaderValue::from_str(value) {
        Ok(mut header) => {
            header.set_sensitive(true);
            header
        }
        // A key with control characters cannot be sent; an empty value makes the
        // server answer 401, which is the honest outcome.
        Err(_) => reqwest::header::HeaderValue::from_static(""),
    }
}

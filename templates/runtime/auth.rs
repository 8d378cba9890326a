//! Credentials: secrets that never show up in `Debug`, `Display` or logs.

use std::fmt;

/// A secret credential (API key or token).
///
/// `Debug` and `Display` print `ApiKey(***)`, so a key cannot leak through logging,
/// `{:?}` formatting or error messages. Read it back only with [`ApiKey::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// Reads the secret from an environment variable.
    ///
    /// The error names the variable, never its value.
    pub fn from_env(variable: &str) -> Result<Self, MissingEnvVar> {
        match std::env::var(variable) {
            Ok(value) if !value.trim().is_empty() => Ok(Self(value.trim().to_owned())),
            _ => Err(MissingEnvVar(variable.to_owned())),
        }
    }

    /// The secret itself, for code that must hand it on.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for ApiKey {
    fn from(secret: String) -> Self {
        Self(secret)
    }
}

impl From<&str> for ApiKey {
    fn from(secret: &str) -> Self {
        Self(secret.to_owned())
    }
}

/// An environment variable that should hold a credential is unset or empty.
#[derive(Debug, Clone, thiserror::Error)]
#[error("environment variable `{0}` is not set (or is empty)")]
pub struct MissingEnvVar(pub String);

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
    Build(#[from] super::client::BuildError),
}

impl From<MissingEnvVar> for EnvError {
    fn from(missing: MissingEnvVar) -> Self {
        Self::Missing(format!("`{}`", missing.0))
    }
}

/// The value of a non-secret variable, when set and not empty.
pub fn optional_env(variable: &str) -> Option<String> {
    std::env::var(variable).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// The contents of the PEM file named by `variable`, when it is set.
pub fn pem_from_env(variable: &str) -> Result<Option<Vec<u8>>, EnvError> {
    let Some(path) = optional_env(variable) else { return Ok(None) };
    std::fs::read(&path).map(Some).map_err(|error| EnvError::Invalid {
        variable: variable.to_owned(),
        value: path,
        expected: format!("the path of a readable PEM file ({error})"),
    })
}

/// The value of `variable`; when it is missing, the error names `alternative` as well.
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
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Header { name, .. } => write!(f, "Header({name}: ***)"),
            Self::Query { name, .. } => write!(f, "Query({name}=***)"),
            Self::Cookie { name, .. } => write!(f, "Cookie({name}=***)"),
            Self::Bearer(_) => f.write_str("Bearer(***)"),
            Self::Basic { username, .. } => write!(f, "Basic({username}:***)"),
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
        }
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

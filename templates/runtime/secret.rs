//! Secrets that never show up in `Debug`, `Display` or logs.

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
        match super::variables::read(variable) {
            Some(value) => Ok(Self(value)),
            None => Err(MissingEnvVar(variable.to_owned())),
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

//! The hand-written runtime every generated API shares: request execution, retries,
//! timeouts, credentials, errors and pagination. Generated code only wires operations
//! into it.
//!
//! What users name is public: the errors, credentials and token sources, `RetryPolicy`,
//! `RateLimit`, `Response`, `ByteStream`, `File`, `RequestBuilder` and its `CallOptions`,
//! and the readers `send_with` takes (`json`, `bytes`, `text`, `stream`, `empty`, with
//! `Answer` and `OperationInfo`). The rest is hidden from the docs: the plumbing only
//! generated code calls and what a public signature must mention (`Encode`, `Request`, the
//! client's core). It stays public because every crate gets the whole runtime, and what one
//! crate's APIs do not call would otherwise be dead code.

mod auth;
mod builder;
#[cfg(any(feature = "mock", feature = "cli"))]
#[doc(hidden)]
pub mod capture;
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod cli;
mod client;
#[doc(hidden)]
pub mod codec;
#[doc(hidden)]
pub mod enums;
mod error;
mod login;
#[cfg(feature = "mock")]
pub mod mock;
mod nulls;
mod oauth2;
mod pacing;
#[doc(hidden)]
pub mod pagination;
mod request;
mod response;
mod retry;
mod secret;
mod tokens;
mod variables;

#[doc(hidden)]
pub use auth::{optional_env, pem_from_env, required_env};
pub use auth::{ApiKey, Credential, EnvError, MissingEnvVar};
pub use codec::Base64;
pub use builder::{Encode, RequestBuilder, ResponseFuture};
#[allow(unused_imports)]
pub(crate) use client::builder_settings;
pub use client::{ClientConfig, ClientCore, RequestHook};
pub use error::{ApiError, BuildError, DecodeError, Error};
pub use request::{
    Body, CallOptions, File, Multipart, OperationInfo, ParamValue, Request, Statuses, Style, json_text, path_segment,
    simple_value,
};
// A crate whose APIs document no errors by status never calls it.
#[allow(unused_imports)]
pub(crate) use response::by_status;
pub use response::{Answer, ByteStream, Response, bytes, empty, json, read_empty, read_json, stream, text};
#[doc(hidden)]
pub use response::{ByStatus, api_error, api_error_by, decode_body, read_empty_by_status, read_json_by_status};
pub use login::Login;
pub use oauth2::{ClientAuth, ClientCredentials};
pub use pacing::RateLimit;
pub use retry::RetryPolicy;
pub use tokens::{FetchContext, FnSource, Place, Token, TokenError, TokenFuture, TokenSource};

//! The hand-written runtime every generated API shares: request execution, retries,
//! timeouts, credentials, errors and pagination. Generated code only wires operations
//! into it.
//!
//! A crate of its own beside the generated one, so that it is compiled once, as a
//! dependency, and not again with every change to the APIs' code. The generated crate's
//! `runtime` module re-exports it, with the request builder (which the generated
//! operations add their methods to, and so must live in their crate).
//!
//! What users name is listed in that module's docs. The rest is hidden from the docs where
//! it is defined (a glob re-export does not carry a re-export's `doc(hidden)`): the plumbing
//! only generated code calls and what a public signature must mention (`Encode`, `Request`,
//! the client's core).

#![forbid(unsafe_code)]

mod auth;
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

// Hidden from the docs where they are defined: a re-export's `doc(hidden)` does not carry
// through the generated crate's glob re-export.
pub use auth::{optional_env, pem_from_env, required_env};
pub use auth::{ApiKey, Credential, EnvError, MissingEnvVar};
pub use codec::Base64;
pub use client::{ClientConfig, ClientCore, RequestHook};
pub use error::{ApiError, BuildError, DecodeError, Error};
pub use request::{
    Body, CallOptions, Encode, File, Multipart, OperationInfo, ParamValue, Request, Statuses, Style, json_text,
    path_segment, simple_value,
};
pub use response::{
    Answer, ByteStream, Response, ResponseFuture, bytes, empty, json, read_empty, read_json, stream, text,
};
pub use response::{ByStatus, api_error, api_error_by, decode_body, read_empty_by_status, read_json_by_status};
pub use login::Login;
pub use oauth2::{ClientAuth, ClientCredentials};
pub use pacing::RateLimit;
pub use retry::RetryPolicy;
pub use tokens::{FetchContext, FnSource, Place, Token, TokenError, TokenFuture, TokenSource};

//! The hand-written runtime every generated API shares: request execution, retries,
//! timeouts, credentials, errors and pagination. Generated code only wires operations
//! into it.

mod auth;
mod builder;
mod client;
pub mod codec;
pub mod enums;
mod error;
mod login;
mod nulls;
mod oauth2;
mod pacing;
pub mod pagination;
mod request;
mod response;
mod retry;
mod secret;
mod tokens;

pub use auth::{ApiKey, Credential, EnvError, MissingEnvVar, optional_env, pem_from_env, required_env};
pub use codec::Base64;
pub use builder::{Encode, RequestBuilder, ResponseFuture};
pub(crate) use client::builder_settings;
pub use client::{ClientConfig, ClientCore, RequestHook};
pub use error::{ApiError, BuildError, DecodeError, Error};
pub use request::{
    Body, CallOptions, File, Multipart, OperationInfo, ParamValue, Request, Statuses, Style, path_segment, simple_value,
};
// A crate whose APIs document no errors by status never calls it.
#[allow(unused_imports)]
pub(crate) use response::by_status;
pub use response::{
    Answer, ByStatus, ByteStream, Response, api_error, api_error_by, bytes, decode_body, empty, json, read_empty,
    read_empty_by_status, read_json, read_json_by_status, stream, text,
};
pub use login::Login;
pub use oauth2::{ClientAuth, ClientCredentials};
pub use pacing::RateLimit;
pub use retry::RetryPolicy;
pub use tokens::{FetchContext, FnSource, Place, Token, TokenError, TokenFuture, TokenSource};

//! The hand-written runtime every generated API shares: request execution, retries,
//! timeouts, credentials, errors and pagination. Generated code only wires operations
//! into it.

mod auth;
mod client;
pub mod codec;
mod error;
pub mod pagination;
mod request;
mod response;
mod retry;

pub use auth::{ApiKey, Credential, EnvError, MissingEnvVar, optional_env, pem_from_env, required_env};
pub use codec::Base64;
pub use client::{BuildError, ClientConfig, ClientCore, RequestHook, call_empty, call_json};
pub use error::{ApiError, DecodeError, Error};
pub use request::{
    Body, CallOptions, File, Multipart, OperationInfo, ParamValue, Request, Style, path_segment, simple_value,
};
pub use response::{
    ByteStream, Plan, Response, Statuses, api_error, api_error_by, bytes, decode_body, empty, json, stream, text,
};
pub use retry::RetryPolicy;

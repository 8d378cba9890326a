//! The hand-written runtime every generated API shares: request execution, retries,
//! timeouts, credentials, errors and pagination. Generated code only wires operations
//! into it.
//!
//! A crate of its own beside the generated one, so that it is compiled once, as a
//! dependency, and not again with every change to the APIs' code. The generated crate's
//! `runtime` module re-exports it, with the request builder (which the generated
//! operations add their methods to, and so must live in their crate).
//!
//! What users name is exported at the root, and listed in that module's docs. The
//! plumbing only generated code calls (the request encoding, the readers by status, the
//! struct and enum codecs, the pagination streams' parts, the command line's and the test
//! kit's parts) is in one module, [`__private`], hidden from the docs: no part of the API,
//! it changes with the generator. The generated crate's `runtime` module re-exports it
//! crate-private, so its users do not reach it there either. The macros generated code
//! calls are at the root, hidden, since `macro_export` puts them there.

#![forbid(unsafe_code)]

mod auth;
#[cfg(any(feature = "mock", feature = "cli"))]
mod capture;
#[cfg(feature = "cli")]
mod cli;
mod client;
mod codec;
mod enums;
mod error;
mod login;
#[cfg(feature = "mock")]
pub mod mock;
mod nulls;
mod oauth2;
mod pacing;
mod pagination;
mod request;
mod response;
mod retry;
mod secret;
mod tokens;
mod variables;

pub use auth::{ApiKey, Credential, EnvError, MissingEnvVar};
pub use client::RequestHook;
pub use codec::Base64;
pub use error::{ApiError, BuildError, DecodeError, Error};
pub use login::Login;
pub use oauth2::{ClientAuth, ClientCredentials};
pub use pacing::RateLimit;
pub use pagination::{Items, Pages};
pub use request::{CallOptions, File, Method, OperationInfo, ParamValue, Statuses};
pub use response::{Answer, ByteStream, Response, ResponseFuture, bytes, empty, json, read_empty, read_json, stream, text};
pub use retry::RetryPolicy;
pub use tokens::{FetchContext, FnSource, Place, Token, TokenError, TokenFuture, TokenSource};

/// Plumbing: what only generated code calls. Not part of the API; it changes with the
/// generator.
#[doc(hidden)]
pub mod __private {
    pub use crate::auth::{optional_env, pem_from_env, required_env};
    pub use crate::client::{ClientConfig, ClientCore};
    pub use crate::request::{Body, Encode, Multipart, Request, Style, json_text, path_segment, simple_value};
    pub use crate::response::{
        ByStatus, api_error, api_error_by, decode_body, read_empty_by_status, read_json_by_status,
    };
    pub use crate::{builder_settings, by_status};

    /// Command-line plumbing: each API's subcommand is a table of its operations.
    #[cfg(feature = "cli")]
    pub mod cli {
        pub use crate::cli::*;
    }

    /// What a call sent and received, for the test kit and the command line's dry runs.
    #[cfg(any(feature = "mock", feature = "cli"))]
    pub mod capture {
        pub use crate::capture::*;
    }

    /// The struct and union codecs generated types implement.
    pub mod codec {
        pub use crate::codec::*;
    }

    /// String enums' codec.
    pub mod enums {
        pub use crate::enums::*;
    }

    /// The parts of the page streams that the generated pagination names.
    pub mod pagination {
        pub use crate::pagination::*;
    }
}

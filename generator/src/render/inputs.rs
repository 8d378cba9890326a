//! What an operation's inputs (parameters, body) add to its file: filled by
//! `parameters` and `bodies`, laid out by `operations`.

use proc_macro2::TokenStream;

/// What an operation's inputs (parameters, body) add to its file.
#[derive(Default)]
pub(super) struct Inputs {
    /// Fields of the input struct.
    pub fields: Vec<TokenStream>,
    /// Their values in the builder's constructor.
    pub inits: Vec<TokenStream>,
    /// Methods of the builder that set optional inputs.
    pub setters: Vec<TokenStream>,
    /// Statements of `encode` that put the inputs on the request.
    pub encode: Vec<TokenStream>,
    /// Items declared beside the builder (a multipart form).
    pub items: Vec<TokenStream>,
}

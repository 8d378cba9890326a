//! Responses → what `send` returns: the success type (an enum by status when statuses
//! return different bodies), the error type (an enum by status when error bodies differ),
//! and the statuses the runtime reads an answer by.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::docs::{doc_attrs, paragraphs};
use super::{status_pattern, type_tokens};
use crate::ir::*;

/// An operation's `send` method and the types it declares beside the builder.
pub(super) struct SendMethod {
    pub method: TokenStream,
    pub success_ty: TokenStream,
    pub error_ty: TokenStream,
    pub items: Vec<TokenStream>,
    /// The function `send` reads the answer with.
    pub reader: Reader,
}

/// Where an operation's reader is.
pub(super) enum Reader {
    /// The runtime's function of this name.
    Runtime(TokenStream),
    /// The operation file's own `read`, a match on the status.
    Local,
}

/// The statuses of `op` the runtime reads an answer by, as `(low, high)` literals.
pub(super) struct StatusLists {
    /// The successes (any 2XX when none is documented).
    pub success: Vec<TokenStream>,
    /// The errors with a JSON body.
    pub errors: Vec<TokenStream>,
    /// The statuses whose answer `send` streams: those the match in `send` reads with
    /// `runtime::stream` (an earlier arm takes precedence over a later, wider one).
    pub streams: Vec<TokenStream>,
}

pub(super) fn statuses(op: &Operation) -> StatusLists {
    let pair = |(low, high): (u16, u16)| {
        let (low, high) = (Literal::u16_unsuffixed(low), Literal::u16_unsuffixed(high));
        quote! { (#low, #high) }
    };
    let success = if op.success.is_empty() {
        vec![pair(StatusMatch::Range(2).range())]
    } else {
        op.success.iter().map(|r| pair(r.status.range())).collect()
    };
    let errors = op
        .errors
        .iter()
        .filter(|r| matches!(r.body, Some(ResponseBody::Json(_))))
        .map(|r| pair(r.status.range()))
        .collect();
    let streams = streamed_ranges(op).into_iter().map(pair).collect();
    StatusLists { success, errors, streams }
}

/// The status ranges of the binary successes, less the statuses an earlier success claims.
fn streamed_ranges(op: &Operation) -> Vec<(u16, u16)> {
    let mut claimed: Vec<(u16, u16)> = Vec::new();
    let mut streamed = Vec::new();
    for response in &op.success {
        let range = response.status.range();
        if matches!(response.body, Some(ResponseBody::Binary)) {
            let mut pieces = vec![range];
            for taken in &claimed {
                pieces = pieces.into_iter().flat_map(|piece| subtract(piece, *taken)).collect();
            }
            streamed.extend(pieces);
        }
        claimed.push(range);
    }
    streamed
}

/// The parts of the inclusive range `from` outside `taken`.
fn subtract(from: (u16, u16), taken: (u16, u16)) -> Vec<(u16, u16)> {
    if taken.1 < from.0 || taken.0 > from.1 {
        return vec![from];
    }
    let below = (taken.0 > from.0).then(|| (from.0, taken.0 - 1));
    let above = (taken.1 < from.1).then(|| (taken.1 + 1, from.1));
    below.into_iter().chain(above).collect()
}

/// `send`: a call into the runtime when it can read the answer by the operation's statuses
/// alone (one JSON or empty success shape, at most one error type), otherwise a match on
/// the status; `streams`: whether the operation streams some answers
/// ([`StatusLists::streams`] is not empty).
pub(super) fn send(op: &Operation, streams: bool) -> SendMethod {
    let success = success_shape(op);
    let error = error_shape(op);
    let (success_ty, error_ty) = (&success.ty, &error.ty);
    let runtime_call = match (success_bodies(op).as_slice(), op.error_body_types().len()) {
        ([] | [None], 0 | 1) => Some(quote! { read_empty }),
        ([Some(ResponseBody::Json(_))], 0 | 1) => Some(quote! { read_json }),
        ([] | [None], _) => Some(quote! { read_empty_by_status }),
        ([Some(ResponseBody::Json(_))], _) => Some(quote! { read_json_by_status }),
        _ => None,
    };
    let mut items = Vec::new();
    let method = match &runtime_call {
        Some(read) => quote! {
            /// Sends the request and decodes the answer.
            pub fn send(self) -> runtime::ResponseFuture<#success_ty, #error_ty> {
                self.send_with(runtime::#read)
            }
        },
        None => {
            let (success_arms, error_arms) = (&success.arms, &error.arms);
            // The runtime hands over unread only the answers a streaming send asks for.
            let send_with = if streams {
                quote! { send_streaming_with }
            } else {
                quote! { send_with }
            };
            items.push(quote! {
                /// Reads an answer of the operation by its status.
                pub(crate) fn read(
                    _: &'static OperationInfo,
                    response: runtime::Answer,
                ) -> Result<runtime::Response<#success_ty>, runtime::Error<#error_ty>> {
                    match response.status().as_u16() {
                        #(#success_arms)*
                        #error_arms
                    }
                }
            });
            quote! {
                /// Sends the request and decodes the answer.
                pub fn send(self) -> runtime::ResponseFuture<#success_ty, #error_ty> {
                    self.#send_with(read)
                }
            }
        }
    };
    items.extend([success.item, error.item].into_iter().flatten());
    let reader = runtime_call.map_or(Reader::Local, Reader::Runtime);
    SendMethod { method, success_ty: success.ty, error_ty: error.ty, items, reader }
}

/// An operation's types and reader as a module beside the API's `operations` and `types`
/// names them (the API's `mock` and `cli`, which import both).
pub(super) struct Seen {
    /// The success type (an enum by status is declared in the operation's file).
    pub success: TokenStream,
    pub error: TokenStream,
    /// The function `send` reads the answer with.
    pub reader: TokenStream,
}

/// How the module `operations::<module>` (the file of `op`) is seen from beside it.
pub(super) fn seen_from_api(op: &Operation, module: &str) -> Seen {
    let send = send(op, false);
    let success = match public_types(op).first() {
        Some(name) => {
            let name = format_ident!("{}", name);
            quote! { operations::#name }
        }
        None => send.success_ty.clone(),
    };
    let module = format_ident!("{}", module);
    let reader = match &send.reader {
        Reader::Runtime(name) => quote! { runtime::#name },
        Reader::Local => quote! { operations::#module::read },
    };
    Seen { success, error: send.error_ty, reader }
}

/// The distinct success bodies of an operation, in status order (`None`: no body).
pub(super) fn success_bodies(op: &Operation) -> Vec<Option<&ResponseBody>> {
    let mut shapes: Vec<Option<&ResponseBody>> = op.success.iter().map(|r| r.body.as_ref()).collect();
    shapes.dedup();
    shapes
}

/// Whether the operation answers success with bytes alone: a download.
pub(super) fn is_download(op: &Operation) -> bool {
    matches!(success_bodies(op).as_slice(), [Some(ResponseBody::Binary)])
}

/// The public types of an operation's file beside its builder: the enum of its successes
/// by status (its errors by status are a type of the API's `types`).
pub(super) fn public_types(op: &Operation) -> Vec<&str> {
    let mut names = Vec::new();
    if success_bodies(op).len() > 1 {
        names.push(op.companion_types.response.as_str());
    }
    names
}

fn body_reader(body: Option<&ResponseBody>) -> (TokenStream, TokenStream) {
    match body {
        None => (quote! { () }, quote! { runtime::empty(response) }),
        Some(ResponseBody::Json(ty)) => (type_tokens(ty, true), quote! { runtime::json(response) }),
        Some(ResponseBody::Text) => (quote! { String }, quote! { runtime::text(response) }),
        Some(ResponseBody::Binary) => (quote! { runtime::ByteStream }, quote! { runtime::stream(response) }),
    }
}

fn status_docs(response: &Response) -> TokenStream {
    doc_attrs(&paragraphs(&[Some(&format!("Status {}.", response.status.label())), response.description.as_deref()]))
}

/// What a successful call returns, and the match arms that read it.
struct Shape {
    ty: TokenStream,
    arms: Vec<TokenStream>,
    /// An enum declared beside the builder when statuses return different bodies.
    item: Option<TokenStream>,
}

fn success_shape(op: &Operation) -> Shape {
    let shapes = success_bodies(op);
    if op.success.is_empty() || shapes.len() == 1 {
        let (ty, read) = body_reader(shapes.first().copied().flatten());
        let patterns: Vec<_> = op.success.iter().filter_map(|r| status_pattern(r.status, &[])).collect();
        let pattern = if patterns.is_empty() {
            quote! { 200..=299 }
        } else {
            quote! { #(#patterns)|* }
        };
        return Shape { ty, arms: vec![quote! { #pattern => #read, }], item: None };
    }
    let enum_name = format_ident!("{}", op.companion_types.response);
    let mut variants = Vec::new();
    let mut arms = Vec::new();
    let statuses: Vec<StatusMatch> = op.success.iter().map(|r| r.status).collect();
    for response in &op.success {
        let variant = format_ident!("{}", crate::naming::success_variant(response.status));
        let (ty, read) = body_reader(response.body.as_ref());
        let docs = status_docs(response);
        variants.push(quote! { #docs #variant(#ty), });
        if let Some(pattern) = status_pattern(response.status, &statuses) {
            arms.push(
                quote! { #pattern => #read.map(|response: runtime::Response<#ty>| response.map(#enum_name::#variant)), },
            );
        }
    }
    let docs = doc_attrs(&format!("What [`{}`] returns, by status.", op.type_name));
    let item = quote! {
        #docs
        #[derive(Debug)]
        pub enum #enum_name { #(#variants)* }
    };
    Shape { ty: quote! { #enum_name }, arms, item: Some(item) }
}

/// The error type of an operation and the match arm that builds it.
struct ErrorShape {
    ty: TokenStream,
    arms: TokenStream,
    item: Option<TokenStream>,
}

/// One error type per operation: the documented body type when every documented error
/// status shares it, else an enum with a variant per status. Statuses the spec does not
/// document (or whose body does not decode) keep status, headers and raw body in
/// [`ApiError`](crate::runtime::ApiError) with no decoded error.
fn error_shape(op: &Operation) -> ErrorShape {
    let documented = op.documented_errors();
    match op.error_body_types().as_slice() {
        [] => ErrorShape {
            ty: quote! { serde_json::Value },
            arms: quote! { _ => Err(runtime::api_error(response, false)), },
            item: None,
        },
        [only] => {
            let has_default = documented.iter().any(|(r, _)| r.status == StatusMatch::Default);
            let patterns = documented.iter().filter_map(|(r, _)| status_pattern(r.status, &[]));
            let arms = if has_default {
                quote! { _ => Err(runtime::api_error(response, true)), }
            } else {
                quote! {
                    #(#patterns)|* => Err(runtime::api_error(response, true)),
                    _ => Err(runtime::api_error(response, false)),
                }
            };
            ErrorShape { ty: type_tokens(only, true), arms, item: None }
        }
        _ => error_enum(op),
    }
}

/// Error bodies of several types: the operation's enum of them by status, a type of the
/// API's `types` (shared by the operations whose errors are the same), read by the runtime.
fn error_enum(op: &Operation) -> ErrorShape {
    let name = format_ident!("{}", op.companion_types.error);
    ErrorShape {
        ty: quote! { types::#name },
        arms: quote! { _ => Err(runtime::api_error_by(response, <types::#name as runtime::ByStatus>::read)), },
        item: None,
    }
}

#[cfg(test)]
mod tests {
    use super::subtract;

    #[test]
    fn subtracting_a_status_range_keeps_what_lies_outside_it() {
        assert_eq!(subtract((200, 299), (200, 200)), vec![(201, 299)]);
        assert_eq!(subtract((200, 299), (206, 206)), vec![(200, 205), (207, 299)]);
        assert_eq!(subtract((200, 299), (299, 299)), vec![(200, 298)]);
        assert_eq!(subtract((200, 200), (200, 299)), vec![]);
        assert_eq!(subtract((200, 200), (300, 399)), vec![(200, 200)]);
        assert_eq!(subtract((0, 999), (200, 299)), vec![(0, 199), (300, 999)]);
    }
}

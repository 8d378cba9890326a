//! Parameters → fields of an operation's input, arguments or setters of its builder, and
//! the statements that put them on the request; the path with its parameters encoded.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::docs::{doc_attrs, paragraphs};
use super::inputs::Inputs;
use super::{ident, type_tokens};
use crate::ir::*;
use crate::naming::{Registry, scope};

/// Whether values of `ty` go on the wire through `ParamValue` (no serialisation needed).
pub(super) fn is_scalar(ty: &TypeRef) -> bool {
    matches!(
        ty,
        TypeRef::Bool
            | TypeRef::Int(_)
            | TypeRef::IntText(_)
            | TypeRef::Float(_)
            | TypeRef::String
            | TypeRef::DateTime
            | TypeRef::Date
            | TypeRef::Uuid
    )
}

/// The client method's arguments for the required parameters of `op`: name and type.
pub(super) fn arguments(op: &Operation) -> impl Iterator<Item = (Ident, TokenStream)> + '_ {
    op.params.iter().filter(|param| param.required).map(|param| {
        let name = ident(&param.rust_name);
        let (arg_ty, _) = setter_input(&param.ty, &name);
        (name, arg_ty)
    })
}

/// Adds every parameter of `op` to `inputs`: required ones are set from the client
/// method's [`arguments`], optional ones by setters.
pub(super) fn add(op: &Operation, inputs: &mut Inputs) {
    for param in &op.params {
        let name = ident(&param.rust_name);
        let inner = type_tokens(&param.ty, true);
        if param.required {
            inputs.fields.push(quote! { #name: #inner, });
            let (_, convert) = setter_input(&param.ty, &name);
            inputs.inits.push(if name == convert.to_string() {
                quote! { #name }
            } else {
                quote! { #name: #convert }
            });
        } else {
            inputs.fields.push(quote! { #name: Option<#inner>, });
            inputs.inits.push(quote! { #name: None });
            inputs.setters.push(setter(param, &name));
        }
        inputs.encode.extend(encode(param));
    }
}

fn setter(param: &Param, name: &Ident) -> TokenStream {
    let value = format_ident!("value");
    let (arg_ty, convert) = setter_input(&param.ty, &value);
    let docs = doc_attrs(&docs(param));
    quote! {
        #docs
        pub fn #name(mut self, value: #arg_ty) -> Self {
            self.input.#name = Some(#convert);
            self
        }
    }
}

/// Setter argument type and how it becomes the stored value.
pub(super) fn setter_input(ty: &TypeRef, value: &Ident) -> (TokenStream, TokenStream) {
    match ty {
        TypeRef::String => (quote! { impl Into<String> }, quote! { #value.into() }),
        TypeRef::Array(item) if **item == TypeRef::String => (
            quote! { impl IntoIterator<Item = impl Into<String>> },
            quote! { #value.into_iter().map(Into::into).collect() },
        ),
        TypeRef::Array(item) => {
            let item = type_tokens(item, true);
            (quote! { impl IntoIterator<Item = #item> }, quote! { #value.into_iter().collect() })
        }
        other => (type_tokens(other, true), quote! { #value }),
    }
}

fn docs(param: &Param) -> String {
    let json = if param.style == ParamStyle::Json { ", as JSON text" } else { "" };
    let sent = format!("Sent as the {} parameter `{}`{json}.", param.location.as_str(), param.wire_name);
    let default = param.default.as_ref().map(|default| format!("The server's default: `{default}`."));
    paragraphs(&[param.description.as_deref(), Some(&sent), default.as_deref()])
}

/// The statement of `encode` that puts a query, header or cookie parameter on the request
/// (path parameters are part of the path).
fn encode(param: &Param) -> Option<TokenStream> {
    let name = ident(&param.rust_name);
    let wire = &param.wire_name;
    let access = if param.required {
        quote! { Some(&self.#name) }
    } else {
        quote! { self.#name.as_ref() }
    };
    if param.style == ParamStyle::Json {
        return json_encode(param);
    }
    Some(match (param.location, &param.ty) {
        (ParamLocation::Path, _) => return None,
        (ParamLocation::Query, ty) if is_scalar(ty) => quote! { request.query_opt(#wire, #access); },
        (ParamLocation::Query, TypeRef::Array(item)) if is_scalar(item) => match separator(param.style) {
            None => quote! { if let Some(values) = #access { request.query_exploded(#wire, values); } },
            Some(separator) => {
                quote! { if let Some(values) = #access { request.query_joined(#wire, values, #separator); } }
            }
        },
        (ParamLocation::Query, _) => {
            let style = style_variant(param.style);
            quote! {
                if let Some(value) = #access {
                    request.query_value(#wire, value, runtime::Style::#style)?;
                }
            }
        }
        (ParamLocation::Header, ty) if is_scalar(ty) => {
            quote! { if let Some(value) = #access { request.header(#wire, value); } }
        }
        (ParamLocation::Header, _) => quote! {
            if let Some(value) = #access {
                request.header(#wire, &runtime::simple_value(value)?);
            }
        },
        (ParamLocation::Cookie, _) => quote! {
            if let Some(value) = #access {
                let value = runtime::simple_value(value)?;
                request.header("cookie", &format!("{}={}", #wire, value));
            }
        },
    })
}

/// The statement for a parameter sent as JSON text (`content: application/json`).
fn json_encode(param: &Param) -> Option<TokenStream> {
    let wire = &param.wire_name;
    let put = match param.location {
        ParamLocation::Path => return None,
        ParamLocation::Query => quote! { request.query_opt(#wire, Some(&runtime::json_text(value)?)); },
        ParamLocation::Header => quote! { request.header(#wire, &runtime::json_text(value)?); },
        ParamLocation::Cookie => {
            quote! { request.header("cookie", &format!("{}={}", #wire, runtime::json_text(value)?)); }
        }
    };
    let name = ident(&param.rust_name);
    Some(if param.required {
        quote! { { let value = &self.#name; #put } }
    } else {
        quote! { if let Some(value) = self.#name.as_ref() { #put } }
    })
}

/// How an array of scalars is joined in one query value (`None`: one pair per item).
fn separator(style: ParamStyle) -> Option<&'static str> {
    match style {
        ParamStyle::Form { explode: true } | ParamStyle::DeepObject => None,
        ParamStyle::SpaceDelimited => Some(" "),
        ParamStyle::PipeDelimited => Some("|"),
        ParamStyle::TabDelimited => Some("\t"),
        // JSON text is one value (`encode` sends it before asking).
        ParamStyle::Form { explode: false } | ParamStyle::Simple | ParamStyle::Json => Some(","),
    }
}

fn style_variant(style: ParamStyle) -> Ident {
    format_ident!(
        "{}",
        match style {
            ParamStyle::Form { explode: true } => "FormExploded",
            ParamStyle::Form { explode: false } | ParamStyle::Simple | ParamStyle::Json => "Form",
            ParamStyle::SpaceDelimited => "SpaceDelimited",
            ParamStyle::PipeDelimited => "PipeDelimited",
            ParamStyle::TabDelimited => "TabDelimited",
            ParamStyle::DeepObject => "DeepObject",
        }
    )
}

/// The path, with parameters percent-encoded into their segments (refused where a value
/// would leave its segment): a local per path
/// parameter (named after it, unless that is a name `encode` uses itself), then the path
/// as a format string that names them.
pub(super) fn path_expr(op: &Operation) -> (Vec<TokenStream>, TokenStream) {
    let mut locals = Registry::with_reserved(scope::ENCODE);
    let mut format_string = String::new();
    let mut segments = Vec::new();
    for part in &op.path {
        match part {
            PathPart::Literal(text) => format_string.push_str(&text.replace('{', "{{").replace('}', "}}")),
            PathPart::Param(index) => {
                let param = &op.params[*index];
                let name = ident(&param.rust_name);
                let local = locals.claim(&param.rust_name);
                format_string.push_str(&format!("{{{local}}}"));
                let local = format_ident!("{}", local);
                let wire = &param.wire_name;
                segments.push(if param.style == ParamStyle::Json {
                    quote! { let #local = runtime::path_segment(#wire, &runtime::json_text(&self.#name)?)?; }
                } else if is_scalar(&param.ty) {
                    quote! { let #local = runtime::path_segment(#wire, &self.#name)?; }
                } else {
                    quote! { let #local = runtime::path_segment(#wire, &runtime::simple_value(&self.#name)?)?; }
                });
            }
        }
    }
    let path = if segments.is_empty() {
        quote! { #format_string.to_owned() }
    } else {
        quote! { format!(#format_string) }
    };
    (segments, path)
}

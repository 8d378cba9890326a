//! Request bodies → the `body` input (an argument when required, else a setter) and the
//! statements that encode it; a multipart body → a form struct set part by part.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::docs::{doc_attrs, paragraphs};
use super::inputs::Inputs;
use super::{ident, type_tokens};
use crate::ir::*;

/// The client method's arguments for the body of `op`, when it is required, or for its
/// required parts: name and type.
pub(super) fn arguments(op: &Operation) -> Vec<(Ident, TokenStream)> {
    match op.body.as_ref() {
        Some(RequestBody { kind: BodyKind::Multipart(parts), .. }) => {
            parts.iter().filter(|part| part.required).map(part_argument).collect()
        }
        Some(body) if body.required => vec![(format_ident!("body"), stored_type(&body.kind))],
        _ => Vec::new(),
    }
}

/// Adds the request body of `op`, if it has one, to `inputs`; a required one is set from
/// the client method's [`arguments`].
pub(super) fn add(op: &Operation, inputs: &mut Inputs) {
    let Some(body) = &op.body else { return };
    if let BodyKind::Multipart(parts) = &body.kind {
        return add_form(op, parts, inputs);
    }
    let stored = stored_type(&body.kind);
    if body.required {
        let encode = encode(body, quote! { self.body });
        inputs.fields.push(quote! { body: #stored, });
        inputs.inits.push(quote! { body });
        inputs.encode.push(encode);
    } else {
        let encode = encode(body, quote! { body });
        let docs =
            doc_attrs(&paragraphs(&[body.description.as_deref(), Some(&format!("Sent as `{}`.", body.media_type))]));
        inputs.fields.push(quote! { body: Option<#stored>, });
        inputs.inits.push(quote! { body: None });
        inputs.setters.push(quote! {
            #docs
            pub fn body(mut self, body: #stored) -> Self {
                self.input.body = Some(body);
                self
            }
        });
        inputs.encode.push(quote! { if let Some(body) = self.body { #encode } });
    }
}

fn stored_type(kind: &BodyKind) -> TokenStream {
    match kind {
        BodyKind::Json(ty) | BodyKind::Form(ty) => type_tokens(ty, true),
        BodyKind::Text => quote! { String },
        BodyKind::Binary | BodyKind::Multipart(_) => quote! { bytes::Bytes },
    }
}

/// The statement that sets the (non-multipart) body `value` on the request.
fn encode(body: &RequestBody, value: TokenStream) -> TokenStream {
    let media = &body.media_type;
    match &body.kind {
        BodyKind::Json(_) if media == "application/json" => quote! { request.json(&#value)?; },
        BodyKind::Json(_) => quote! { request.json_as(#media, &#value)?; },
        BodyKind::Form(_) => quote! {
            let encoded = serde_urlencoded::to_string(&#value).map_err(|error| error.to_string())?;
            request.bytes(#media, encoded);
        },
        BodyKind::Text | BodyKind::Binary | BodyKind::Multipart(_) => quote! { request.bytes(#media, #value); },
    }
}

/// A required part's argument of the client method, or an optional part's setter's
/// argument: name and type.
fn part_argument(part: &MultipartField) -> (Ident, TokenStream) {
    let arg_ty = if part.is_file {
        quote! { runtime::File }
    } else {
        quote! { impl Into<String> }
    };
    (ident(&part.rust_name), arg_ty)
}

/// How a part's argument or setter `value` becomes the value stored in the form.
fn part_value(part: &MultipartField, value: &Ident) -> TokenStream {
    if part.is_file {
        quote! { #value }
    } else {
        quote! { #value.into() }
    }
}

/// A multipart body: a form struct beside the builder, required parts from arguments of
/// the client method, the others from setters.
fn add_form(op: &Operation, parts: &[MultipartField], inputs: &mut Inputs) {
    let form_name = format_ident!("{}", op.companion_types.form);
    let mut required = Vec::new();
    for part in parts {
        let name = ident(&part.rust_name);
        if part.required {
            let value = part_value(part, &name);
            required.push(quote! { #name: Some(#value) });
        } else {
            inputs.setters.push(part_setter(part));
        }
    }
    let rest = if parts.iter().all(|p| p.required) {
        quote! {}
    } else {
        quote! { ..Default::default() }
    };
    inputs.fields.push(quote! { body: #form_name, });
    inputs.inits.push(quote! { body: #form_name { #(#required,)* #rest } });
    let adds = parts.iter().map(|part| {
        let name = ident(&part.rust_name);
        let wire = &part.wire_name;
        if part.is_file {
            quote! { if let Some(file) = self.body.#name { form = form.file(#wire, file); } }
        } else {
            quote! { if let Some(text) = self.body.#name { form = form.text(#wire, text); } }
        }
    });
    inputs.encode.push(quote! {
        let mut form = runtime::Multipart::new();
        #(#adds)*
        request.multipart(form);
    });
    inputs.items.push(form_struct(op, parts));
}

fn part_setter(part: &MultipartField) -> TokenStream {
    let name = ident(&part.rust_name);
    let docs = doc_attrs(&paragraphs(&[
        part.description.as_deref(),
        Some(&format!("Sets the form field `{}`.", part.wire_name)),
    ]));
    let (_, arg_ty) = part_argument(part);
    let value = part_value(part, &format_ident!("value"));
    quote! {
        #docs
        pub fn #name(mut self, value: #arg_ty) -> Self {
            self.input.body.#name = Some(#value);
            self
        }
    }
}

fn form_struct(op: &Operation, parts: &[MultipartField]) -> TokenStream {
    let form_name = format_ident!("{}", op.companion_types.form);
    let docs = doc_attrs(&format!("The `multipart/form-data` fields of [`{}`].", op.type_name));
    let fields = parts.iter().map(|part| {
        let name = ident(&part.rust_name);
        let ty = if part.is_file {
            quote! { runtime::File }
        } else {
            quote! { String }
        };
        let required = if part.required { ", required" } else { "" };
        let docs = doc_attrs(&paragraphs(&[
            part.description.as_deref(),
            Some(&format!("Form field `{}`{required}.", part.wire_name)),
        ]));
        quote! { #docs pub #name: Option<#ty>, }
    });
    quote! {
        #docs
        #[derive(Debug, Clone, Default)]
        pub struct #form_name { #(#fields)* }
    }
}

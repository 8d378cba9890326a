//! Operations → one file each: a request builder, its `send`, and pagination streams.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::{doc_attrs, paragraphs};
use super::{ident, type_tokens};
use crate::ir::*;

/// What a successful call returns, and how the body is read.
struct SuccessShape {
    ty: TokenStream,
    arms: Vec<TokenStream>,
    /// An enum declared beside the builder when statuses return different bodies.
    extra: TokenStream,
}

fn body_reader(body: Option<&ResponseBody>) -> (TokenStream, TokenStream) {
    match body {
        None => (quote! { () }, quote! { runtime::empty(response).await }),
        Some(ResponseBody::Json(ty)) => (type_tokens(ty, true), quote! { runtime::json(response).await }),
        Some(ResponseBody::Text) => (quote! { String }, quote! { runtime::text(response).await }),
        Some(ResponseBody::Binary) => (quote! { runtime::ByteStream }, quote! { runtime::stream(response) }),
    }
}

/// Whether values of `ty` go on the wire through `ParamValue` (no serialisation needed).
fn is_scalar(ty: &TypeRef) -> bool {
    matches!(
        ty,
        TypeRef::Bool
            | TypeRef::Int(_)
            | TypeRef::Float(_)
            | TypeRef::String
            | TypeRef::DateTime
            | TypeRef::Date
            | TypeRef::Uuid
    )
}

fn status_pattern(status: StatusMatch) -> TokenStream {
    match status {
        StatusMatch::Code(code) => quote! { #code },
        StatusMatch::Range(_) => {
            let (low, high) = status_range(status);
            quote! { #low..=#high }
        }
        StatusMatch::Default => quote! { _ },
    }
}

fn variant_for(status: StatusMatch) -> String {
    match status {
        StatusMatch::Code(200) => "Ok".into(),
        StatusMatch::Code(201) => "Created".into(),
        StatusMatch::Code(202) => "Accepted".into(),
        StatusMatch::Code(203) => "NonAuthoritative".into(),
        StatusMatch::Code(204) => "NoContent".into(),
        StatusMatch::Code(206) => "PartialContent".into(),
        StatusMatch::Code(code) => format!("Status{code}"),
        StatusMatch::Range(range) => format!("Status{range}xx"),
        StatusMatch::Default => "Other".into(),
    }
}

/// The distinct success bodies of an operation, in status order (`None`: no body).
fn success_bodies(op: &Operation) -> Vec<Option<&ResponseBody>> {
    let mut shapes: Vec<Option<&ResponseBody>> = op.success.iter().map(|r| r.body.as_ref()).collect();
    shapes.dedup();
    shapes
}

/// The distinct types of an operation's JSON error bodies, sorted.
fn error_body_types(op: &Operation) -> Vec<&TypeRef> {
    let mut types: Vec<&TypeRef> = op
        .errors
        .iter()
        .filter_map(|r| match &r.body {
            Some(ResponseBody::Json(ty)) => Some(ty),
            _ => None,
        })
        .collect();
    types.sort();
    types.dedup();
    types
}

fn success_shape(op: &Operation) -> SuccessShape {
    let shapes = success_bodies(op);
    if op.success.is_empty() {
        let (ty, read) = body_reader(None);
        return SuccessShape { ty, arms: vec![quote! { 200..=299 => #read, }], extra: quote! {} };
    }
    if shapes.len() == 1 {
        let (ty, read) = body_reader(shapes[0]);
        let patterns = op.success.iter().map(|r| status_pattern(r.status));
        return SuccessShape { ty, arms: vec![quote! { #(#patterns)|* => #read, }], extra: quote! {} };
    }
    let enum_name = format_ident!("{}", op.companion_types.response);
    let mut variants = Vec::new();
    let mut arms = Vec::new();
    for response in &op.success {
        let variant = format_ident!("{}", variant_for(response.status));
        let (ty, read) = body_reader(response.body.as_ref());
        let pattern = status_pattern(response.status);
        let docs = doc_attrs(&paragraphs(&[
            Some(&format!("Status {}.", status_label(response.status))),
            response.description.as_deref(),
        ]));
        variants.push(quote! { #docs #variant(#ty), });
        arms.push(
            quote! { #pattern => #read.map(|response: runtime::Response<#ty>| response.map(#enum_name::#variant)), },
        );
    }
    let docs = doc_attrs(&format!("What [`{}`] returns, by status.", op.type_name));
    SuccessShape {
        ty: quote! { #enum_name },
        arms,
        extra: quote! {
            #docs
            #[derive(Debug)]
            pub enum #enum_name { #(#variants)* }
        },
    }
}

fn status_label(status: StatusMatch) -> String {
    match status {
        StatusMatch::Code(code) => code.to_string(),
        StatusMatch::Range(range) => format!("{range}XX"),
        StatusMatch::Default => "default".into(),
    }
}

/// The error type of an operation, the match arms that build it, and any enum it needs.
struct ErrorShape {
    ty: TokenStream,
    arms: TokenStream,
    extra: TokenStream,
}

fn error_variant(status: StatusMatch) -> String {
    match status {
        StatusMatch::Code(400) => "BadRequest".into(),
        StatusMatch::Code(401) => "Unauthorized".into(),
        StatusMatch::Code(403) => "Forbidden".into(),
        StatusMatch::Code(404) => "NotFound".into(),
        StatusMatch::Code(405) => "MethodNotAllowed".into(),
        StatusMatch::Code(409) => "Conflict".into(),
        StatusMatch::Code(410) => "Gone".into(),
        StatusMatch::Code(412) => "PreconditionFailed".into(),
        StatusMatch::Code(413) => "PayloadTooLarge".into(),
        StatusMatch::Code(415) => "UnsupportedMediaType".into(),
        StatusMatch::Code(422) => "UnprocessableEntity".into(),
        StatusMatch::Code(429) => "TooManyRequests".into(),
        StatusMatch::Code(500) => "InternalServerError".into(),
        StatusMatch::Code(502) => "BadGateway".into(),
        StatusMatch::Code(503) => "ServiceUnavailable".into(),
        StatusMatch::Code(504) => "GatewayTimeout".into(),
        other => variant_for(other),
    }
}

/// One error type per operation: the documented body type when every documented error
/// status shares it, else an enum with a variant per status. Statuses the spec does not
/// document (or whose body does not decode) keep status, headers and raw body in
/// [`ApiError`](crate::runtime::ApiError) with no decoded error.
fn error_shape(op: &Operation) -> ErrorShape {
    let documented: Vec<(&Response, &TypeRef)> = op
        .errors
        .iter()
        .filter_map(|r| match &r.body {
            Some(ResponseBody::Json(ty)) => Some((r, ty)),
            _ => None,
        })
        .collect();
    let types = error_body_types(op);
    let has_default = documented.iter().any(|(r, _)| r.status == StatusMatch::Default);
    let patterns: Vec<TokenStream> = documented
        .iter()
        .filter(|(r, _)| r.status != StatusMatch::Default)
        .map(|(r, _)| status_pattern(r.status))
        .collect();
    match types.as_slice() {
        [] => ErrorShape {
            ty: quote! { serde_json::Value },
            arms: quote! { _ => Err(runtime::api_error(response, false).await), },
            extra: quote! {},
        },
        [only] => {
            let arms = if has_default {
                quote! { _ => Err(runtime::api_error(response, true).await), }
            } else {
                quote! {
                    #(#patterns)|* => Err(runtime::api_error(response, true).await),
                    _ => Err(runtime::api_error(response, false).await),
                }
            };
            ErrorShape { ty: type_tokens(only, true), arms, extra: quote! {} }
        }
        _ => {
            let name = format_ident!("{}", op.companion_types.error);
            let mut variant_names = crate::naming::Registry::default();
            let mut variants = Vec::new();
            let mut decoders = Vec::new();
            let mut default_decoder = None;
            for (response, ty) in &documented {
                let variant = format_ident!("{}", variant_names.claim(&error_variant(response.status)));
                let ty = type_tokens(ty, true);
                let docs = doc_attrs(&paragraphs(&[
                    Some(&format!("Status {}.", status_label(response.status))),
                    response.description.as_deref(),
                ]));
                variants.push(quote! { #docs #variant(#ty), });
                let decode = quote! { runtime::decode_body(status, body).map(#name::#variant) };
                match response.status {
                    StatusMatch::Default => default_decoder = Some(decode),
                    other => {
                        let pattern = status_pattern(other);
                        decoders.push(quote! { #pattern => #decode, });
                    }
                }
            }
            let fallback = default_decoder.unwrap_or_else(|| quote! { None });
            let docs = doc_attrs(&format!(
                "The documented error bodies of [`{}`], by status. Read it with [`ApiError::error`](crate::runtime::ApiError::error).",
                op.type_name
            ));
            ErrorShape {
                ty: quote! { #name },
                arms: quote! {
                    _ => Err(runtime::api_error_by(response, |status, body| match status.as_u16() {
                        #(#decoders)*
                        _ => #fallback,
                    }).await),
                },
                extra: quote! {
                    #docs
                    #[derive(Debug, Clone, PartialEq)]
                    pub enum #name { #(#variants)* }
                },
            }
        }
    }
}

/// Setter argument type and how it becomes the stored value.
fn setter_input(ty: &TypeRef, value: &proc_macro2::Ident) -> (TokenStream, TokenStream) {
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

fn param_docs(param: &Param) -> String {
    let mut parts = vec![param.description.clone()];
    let location = match param.location {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
    };
    parts.push(Some(format!("Sent as the {location} parameter `{}`.", param.wire_name)));
    if let Some(default) = &param.default {
        parts.push(Some(format!("The server's default: `{default}`.")));
    }
    let refs: Vec<Option<&str>> = parts.iter().map(|p| p.as_deref()).collect();
    paragraphs(&refs)
}

/// Inclusive status ranges.
type StatusRanges = Vec<(u16, u16)>;

fn status_range(status: StatusMatch) -> (u16, u16) {
    match status {
        StatusMatch::Code(code) => (code, code),
        StatusMatch::Range(range) => (range * 100, range * 100 + 99),
        StatusMatch::Default => (0, 999),
    }
}

/// The runtime call and status ranges of an operation whose answer a static plan can read:
/// a single success shape that is JSON or empty, and at most one error body type.
fn plan(op: &Operation) -> Option<(proc_macro2::Ident, StatusRanges, StatusRanges)> {
    let shapes = success_bodies(op);
    let call = match shapes.as_slice() {
        [] | [None] => format_ident!("call_empty"),
        [Some(ResponseBody::Json(_))] => format_ident!("call_json"),
        _ => return None,
    };
    let error_types = error_body_types(op);
    if error_types.len() > 1 {
        return None;
    }
    let success = if op.success.is_empty() {
        vec![(200, 299)]
    } else {
        op.success.iter().map(|r| status_range(r.status)).collect()
    };
    let errors = op
        .errors
        .iter()
        .filter(|r| matches!(r.body, Some(ResponseBody::Json(_))))
        .map(|r| status_range(r.status))
        .collect();
    Some((call, success, errors))
}

/// The public types of an operation's file: its builder and the companions it needs.
pub fn public_types(op: &Operation) -> Vec<&str> {
    let mut names = vec![op.type_name.as_str()];
    let shapes = success_bodies(op);
    if shapes.len() > 1 {
        names.push(&op.companion_types.response);
    }
    let error_types = error_body_types(op);
    if error_types.len() > 1 {
        names.push(&op.companion_types.error);
    }
    if op.body.as_ref().is_some_and(|b| matches!(b.kind, BodyKind::Multipart(_))) {
        names.push(&op.companion_types.form);
    }
    names
}

/// One operation: its file, and its method on the client (gathered in one `impl` block).
pub struct RenderedOperation {
    pub file: TokenStream,
    pub method: TokenStream,
}

/// Renders one operation.
pub fn render_operation(op: &Operation) -> RenderedOperation {
    let builder = format_ident!("{}", op.type_name);
    let method_name = ident(&op.rust_name);
    let method_const = format_ident!("{}", op.method.as_str());
    let wire_id = &op.wire_id;
    let path_template = &op.path_template;
    let retry_safe = op.retry_safe;
    let security = &op.security;

    let signature = format!("`{} {}`", op.method.as_str(), op.path_template);
    let mut doc_parts: Vec<Option<&str>> = vec![op.summary.as_deref(), op.description.as_deref()];
    let signature_line = format!("{signature} (operation `{}`).", op.wire_id);
    doc_parts.push(Some(&signature_line));
    let deprecated_note = "**Deprecated** by the API.";
    if op.deprecated {
        doc_parts.push(Some(deprecated_note));
    }
    let op_docs = paragraphs(&doc_parts);
    let builder_docs = doc_attrs(&format!(
        "Request builder for {signature}: set options, then `.send()`.\n\nCreated by [`Client::{}`].",
        op.rust_name
    ));
    let method_docs = doc_attrs(&op_docs);
    let deprecated = if op.deprecated {
        quote! { #[deprecated = "deprecated by the API"] }
    } else {
        quote! {}
    };

    // Required inputs are arguments of the client method; optional ones are setters.
    let mut fields = Vec::new();
    let mut args = Vec::new();
    let mut arg_names: Vec<proc_macro2::Ident> = Vec::new();
    let mut inits = Vec::new();
    let mut setters = Vec::new();
    let mut apply = Vec::new();
    for param in &op.params {
        let name = ident(&param.rust_name);
        let inner = type_tokens(&param.ty, true);
        let wire = &param.wire_name;
        let value = format_ident!("value");
        if param.required {
            fields.push(quote! { #name: #inner, });
            let (arg_ty, convert) = setter_input(&param.ty, &name);
            args.push(quote! { #name: #arg_ty });
            arg_names.push(name.clone());
            inits.push(if name == convert.to_string() {
                quote! { #name }
            } else {
                quote! { #name: #convert }
            });
        } else {
            fields.push(quote! { #name: Option<#inner>, });
            inits.push(quote! { #name: None });
            let (arg_ty, convert) = setter_input(&param.ty, &value);
            let docs = doc_attrs(&param_docs(param));
            setters.push(quote! {
                #docs
                pub fn #name(mut self, value: #arg_ty) -> Self {
                    self.#name = Some(#convert);
                    self
                }
            });
        }
        let access = if param.required {
            quote! { Some(&self.#name) }
        } else {
            quote! { self.#name.as_ref() }
        };
        let statement = match (param.location, &param.ty) {
            (ParamLocation::Path, _) => continue,
            (ParamLocation::Query, ty) if is_scalar(ty) => quote! { request.query_opt(#wire, #access); },
            (ParamLocation::Query, TypeRef::Array(item)) if is_scalar(item) => match param.style {
                ParamStyle::Form { explode: true } | ParamStyle::DeepObject => {
                    quote! { if let Some(values) = #access { request.query_exploded(#wire, values); } }
                }
                style => {
                    let separator = match style {
                        ParamStyle::SpaceDelimited => " ",
                        ParamStyle::PipeDelimited => "|",
                        ParamStyle::TabDelimited => "\t",
                        _ => ",",
                    };
                    quote! { if let Some(values) = #access { request.query_joined(#wire, values, #separator); } }
                }
            },
            (ParamLocation::Query, _) => {
                let style = match param.style {
                    ParamStyle::Form { explode: true } => quote! { FormExploded },
                    ParamStyle::Form { explode: false } | ParamStyle::Simple => quote! { Form },
                    ParamStyle::SpaceDelimited => quote! { SpaceDelimited },
                    ParamStyle::PipeDelimited => quote! { PipeDelimited },
                    ParamStyle::TabDelimited => quote! { TabDelimited },
                    ParamStyle::DeepObject => quote! { DeepObject },
                };
                quote! {
                    if let Some(value) = #access {
                        request.query_value(#wire, value, runtime::Style::#style).map_err(Error::InvalidRequest)?;
                    }
                }
            }
            (ParamLocation::Header, ty) if is_scalar(ty) => {
                quote! { if let Some(value) = #access { request.header(#wire, value); } }
            }
            (ParamLocation::Header, _) => quote! {
                if let Some(value) = #access {
                    request.header(#wire, &runtime::simple_value(value).map_err(Error::InvalidRequest)?);
                }
            },
            (ParamLocation::Cookie, _) => quote! {
                if let Some(value) = #access {
                    let value = runtime::simple_value(value).map_err(Error::InvalidRequest)?;
                    request.header("cookie", &format!("{}={}", #wire, value));
                }
            },
        };
        apply.push(statement);
    }

    // The path, with parameters percent-encoded into their segments.
    let mut format_string = String::new();
    let mut format_args = Vec::new();
    for part in &op.path {
        match part {
            PathPart::Literal(text) => format_string.push_str(&text.replace('{', "{{").replace('}', "}}")),
            PathPart::Param(index) => {
                format_string.push_str("{}");
                let name = ident(&op.params[*index].rust_name);
                let param = &op.params[*index];
                format_args.push(if is_scalar(&param.ty) {
                    quote! { runtime::path_segment(&self.#name) }
                } else {
                    quote! { runtime::path_segment(&runtime::simple_value(&self.#name).map_err(Error::InvalidRequest)?) }
                });
            }
        }
    }
    let path_expr = if format_args.is_empty() {
        quote! { #format_string.to_owned() }
    } else {
        quote! { format!(#format_string, #(#format_args),*) }
    };

    let mut multipart_init = None;
    if let Some(body) = &op.body {
        let (stored, body_apply, body_setter) = match &body.kind {
            BodyKind::Json(ty) => {
                let ty = type_tokens(ty, true);
                let media = &body.media_type;
                let encode = if media == "application/json" {
                    quote! { request.json(body).map_err(Error::InvalidRequest)?; }
                } else {
                    quote! { request.json_as(#media, body).map_err(Error::InvalidRequest)?; }
                };
                (ty, encode, None)
            }
            BodyKind::Form(ty) => {
                let ty = type_tokens(ty, true);
                let media = &body.media_type;
                (
                    ty,
                    quote! {
                        let encoded = serde_urlencoded::to_string(body).map_err(|error| Error::InvalidRequest(error.to_string()))?;
                        request.bytes(#media, encoded);
                    },
                    None,
                )
            }
            BodyKind::Text => {
                let media = &body.media_type;
                (quote! { String }, quote! { request.bytes(#media, body.clone()); }, None)
            }
            BodyKind::Binary => {
                let media = &body.media_type;
                (quote! { bytes::Bytes }, quote! { request.bytes(#media, body.clone()); }, None)
            }
            BodyKind::Multipart(parts) => {
                let adds = parts.iter().map(|part| {
                    let name = ident(&part.rust_name);
                    let wire = &part.wire_name;
                    if part.is_file {
                        quote! { if let Some(file) = &body.#name { form = form.file(#wire, file.clone()); } }
                    } else {
                        quote! { if let Some(text) = &body.#name { form = form.text(#wire, text.clone()); } }
                    }
                });
                let part_fields = parts.iter().map(|part| {
                    let name = ident(&part.rust_name);
                    let ty = if part.is_file {
                        quote! { runtime::File }
                    } else {
                        quote! { String }
                    };
                    let docs = doc_attrs(&paragraphs(&[
                        part.description.as_deref(),
                        Some(&format!(
                            "Form field `{}`{}.",
                            part.wire_name,
                            if part.required { ", required" } else { "" }
                        )),
                    ]));
                    quote! { #docs pub #name: Option<#ty>, }
                });
                let form_name = format_ident!("{}", op.companion_types.form);
                let form_docs = doc_attrs(&format!("The `multipart/form-data` fields of [`{}`].", op.type_name));
                let file_setters = parts.iter().filter(|p| !p.required).map(|part| {
                    let name = ident(&part.rust_name);
                    let docs = doc_attrs(&paragraphs(&[part.description.as_deref(), Some(&format!("Sets the form field `{}`.", part.wire_name))]));
                    if part.is_file {
                        quote! { #docs pub fn #name(mut self, file: runtime::File) -> Self { self.body.#name = Some(file); self } }
                    } else {
                        quote! { #docs pub fn #name(mut self, value: impl Into<String>) -> Self { self.body.#name = Some(value.into()); self } }
                    }
                });
                let form_struct = quote! {
                    #form_docs
                    #[derive(Debug, Clone, Default)]
                    pub struct #form_name { #(#part_fields)* }
                };
                // Required parts are arguments of the client method; the rest are setters.
                let mut required_sets = Vec::new();
                for part in parts.iter().filter(|p| p.required) {
                    let name = ident(&part.rust_name);
                    if part.is_file {
                        args.push(quote! { #name: runtime::File });
                        arg_names.push(name.clone());
                        required_sets.push(quote! { #name: Some(#name) });
                    } else {
                        args.push(quote! { #name: impl Into<String> });
                        arg_names.push(name.clone());
                        required_sets.push(quote! { #name: Some(#name.into()) });
                    }
                }
                let rest = if parts.iter().all(|p| p.required) {
                    quote! {}
                } else {
                    quote! { ..Default::default() }
                };
                multipart_init = Some(quote! { body: #form_name { #(#required_sets,)* #rest } });
                (
                    quote! { #form_name },
                    quote! {
                        let mut form = runtime::Multipart::new();
                        #(#adds)*
                        request.multipart(form);
                    },
                    Some((form_struct, quote! { #(#file_setters)* })),
                )
            }
        };
        let body_docs =
            doc_attrs(&paragraphs(&[body.description.as_deref(), Some(&format!("Sent as `{}`.", body.media_type))]));
        match body_setter {
            Some((form_struct, form_setters)) => {
                // Multipart fields are set one by one.
                fields.push(quote! { body: #stored, });
                inits.push(multipart_init.take().unwrap_or_else(|| quote! { body: Default::default() }));
                setters.push(form_setters);
                apply.push(quote! { { let body = &self.body; #body_apply } });
                return finish(
                    op,
                    OperationParts {
                        builder,
                        method_name,
                        method_const,
                        wire_id,
                        path_template,
                        retry_safe,
                        security,
                        method_docs,
                        builder_docs,
                        deprecated,
                        fields,
                        args,
                        arg_names,
                        inits,
                        setters,
                        apply,
                        path_expr,
                        extra: form_struct,
                    },
                );
            }
            None if body.required => {
                fields.push(quote! { body: #stored, });
                args.push(quote! { body: #stored });
                arg_names.push(format_ident!("body"));
                inits.push(quote! { body });
                apply.push(quote! { { let body = &self.body; #body_apply } });
            }
            None => {
                fields.push(quote! { body: Option<#stored>, });
                inits.push(quote! { body: None });
                setters.push(quote! {
                    #body_docs
                    pub fn body(mut self, body: #stored) -> Self {
                        self.body = Some(body);
                        self
                    }
                });
                apply.push(quote! { if let Some(body) = &self.body { #body_apply } });
            }
        }
    }
    finish(
        op,
        OperationParts {
            builder,
            method_name,
            method_const,
            wire_id,
            path_template,
            retry_safe,
            security,
            method_docs,
            builder_docs,
            deprecated,
            fields,
            args,
            arg_names,
            inits,
            setters,
            apply,
            path_expr,
            extra: quote! {},
        },
    )
}

struct OperationParts<'a> {
    builder: proc_macro2::Ident,
    method_name: proc_macro2::Ident,
    method_const: proc_macro2::Ident,
    wire_id: &'a str,
    path_template: &'a str,
    retry_safe: bool,
    security: &'a [String],
    method_docs: TokenStream,
    builder_docs: TokenStream,
    deprecated: TokenStream,
    fields: Vec<TokenStream>,
    args: Vec<TokenStream>,
    arg_names: Vec<proc_macro2::Ident>,
    inits: Vec<TokenStream>,
    setters: Vec<TokenStream>,
    apply: Vec<TokenStream>,
    path_expr: TokenStream,
    extra: TokenStream,
}

fn finish(op: &Operation, parts: OperationParts<'_>) -> RenderedOperation {
    let OperationParts {
        builder,
        method_name,
        method_const,
        wire_id,
        path_template,
        retry_safe,
        security,
        method_docs,
        builder_docs,
        deprecated,
        fields,
        args,
        arg_names,
        inits,
        setters,
        apply,
        path_expr,
        extra,
    } = parts;
    let success = success_shape(op);
    let success_ty = &success.ty;
    let success_arms = &success.arms;
    let success_extra = &success.extra;
    let ErrorShape { ty: error_ty, arms: error_arms, extra: error_extra } = error_shape(op);
    // A streamed success is handed over unread; everything else is read within the attempt.
    let streams = op.success.iter().any(|r| matches!(r.body, Some(ResponseBody::Binary)));
    let accept = op.success.iter().find_map(|r| match &r.body {
        Some(ResponseBody::Json(_)) => Some("application/json"),
        _ => None,
    });
    let accept = accept.map(|media| quote! { request.accept(#media); });
    let pagination = op.pagination.as_ref().map(|p| render_pagination(op, p, success_ty, &error_ty));
    let raw_body = op.body.as_ref().map(|body| {
        let mut accepted = vec![format!("`{}` (the typed body)", body.media_type)];
        accepted.extend(body.alternatives.iter().map(|m| format!("`{m}`")));
        let docs = doc_attrs(&format!(
            "Sends `bytes` as the body with `content_type` instead of the typed body: for the media types \
             the typed API does not cover. The operation accepts {}.",
            accepted.join(", ")
        ));
        quote! {
            #docs
            pub fn raw_body(mut self, content_type: impl Into<String>, bytes: impl Into<bytes::Bytes>) -> Self {
                self.options.raw_body = Some((content_type.into(), bytes.into()));
                self
            }
        }
    });

    let build = quote! {
        let mut request = Request::new(&OPERATION, #path_expr);
        #(#apply)*
        #accept
        request.options(self.options);
    };
    // Most operations: one JSON (or empty) success and one error type. A generic runtime
    // function reads their answer from a static plan, so these operations hold no async code.
    let send = match plan(op) {
        Some((call, success, errors)) => {
            let success = success.iter().map(|(low, high)| quote! { (#low, #high) });
            let errors = errors.iter().map(|(low, high)| quote! { (#low, #high) });
            quote! {
                /// Sends the request and decodes the answer.
                pub fn send(
                    self,
                ) -> impl std::future::Future<Output = Result<Response<#success_ty>, Error<#error_ty>>>
                {
                    static PLAN: runtime::Plan = runtime::Plan { success: &[#(#success),*], errors: &[#(#errors),*] };
                    let core = self.client.core.clone();
                    runtime::#call(core, self.into_request(), &PLAN)
                }

                fn into_request(self) -> Result<Request, Error<#error_ty>> {
                    #build
                    Ok(request)
                }
            }
        }
        None => quote! {
            /// Sends the request and decodes the answer.
            pub async fn send(self) -> Result<Response<#success_ty>, Error<#error_ty>> {
                #build
                let response = self.client.core.execute(request).await?;
                match response.status().as_u16() {
                    #(#success_arms)*
                    #error_arms
                }
            }
        },
    };

    let method = quote! {
        #method_docs
        #deprecated
        pub fn #method_name(&self, #(#args),*) -> #builder {
            #builder::new(self.clone(), #(#arg_names),*)
        }
    };
    let file = quote! {
        use std::time::Duration;

        use crate::runtime::{self, CallOptions, Error, OperationInfo, Request, Response, RetryPolicy};

        use super::super::Client;
        #[allow(unused_imports)]
        use super::super::types;

        static OPERATION: OperationInfo = OperationInfo {
            id: #wire_id,
            method: reqwest::Method::#method_const,
            path: #path_template,
            retry_safe: #retry_safe,
            security: &[#(#security),*],
            streams: #streams,
        };

        #builder_docs
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until it is sent with `.send()`"]
        pub struct #builder {
            client: Client,
            #(#fields)*
            options: CallOptions,
        }

        impl #builder {
            pub(super) fn new(client: Client, #(#args),*) -> Self {
                Self { client, #(#inits,)* options: CallOptions::default() }
            }

            #(#setters)*

            /// Sets the time allowed for each attempt of this call.
            pub fn timeout(mut self, timeout: Duration) -> Self {
                self.options.timeout = Some(timeout);
                self
            }

            /// Sets the retry policy of this call.
            pub fn retry(mut self, retry: RetryPolicy) -> Self {
                self.options.retry = Some(retry);
                self
            }

            /// Adds a header to this call.
            pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
                self.options.headers.push((name.into(), value.into()));
                self
            }

            /// Sets the time allowed for the whole call, retries and their waits included.
            pub fn deadline(mut self, deadline: Duration) -> Self {
                self.options.deadline = Some(deadline);
                self
            }

            /// Sets the largest answer this call reads into memory (default: the client's).
            pub fn max_body_size(mut self, bytes: u64) -> Self {
                self.options.max_body_size = Some(bytes);
                self
            }

            #raw_body

            #send

            #pagination
        }

        #success_extra
        #error_extra
        #extra
    };
    RenderedOperation { file, method }
}

/// Field accesses on `&page` that give a borrowed value, `?` on each optional step.
/// With `as_ref`, the result is a reference even when the last field is required.
fn borrowed_access(root: TokenStream, path: &FieldPath, as_ref: bool) -> TokenStream {
    let mut expr = root;
    let last = path.steps.len().saturating_sub(1);
    for (index, step) in path.steps.iter().enumerate() {
        let name = ident(&step.rust_name);
        expr = if step.optional {
            quote! { #expr.#name.as_ref()? }
        } else if index == last && as_ref {
            quote! { &#expr.#name }
        } else {
            quote! { #expr.#name }
        };
    }
    expr
}

/// Moves the item vector out of an owned page.
fn owned_items(path: &FieldPath) -> TokenStream {
    let mut expr = quote! { page };
    let mut is_option = false;
    for step in &path.steps {
        let name = ident(&step.rust_name);
        expr = match (is_option, step.optional) {
            (false, _) => quote! { #expr.#name },
            (true, true) => quote! { #expr.and_then(|value| value.#name) },
            (true, false) => quote! { #expr.map(|value| value.#name) },
        };
        is_option = is_option || step.optional;
    }
    if is_option {
        quote! { #expr.unwrap_or_default() }
    } else {
        expr
    }
}

fn render_pagination(
    op: &Operation,
    pagination: &Pagination,
    page_ty: &TokenStream,
    error_ty: &TokenStream,
) -> TokenStream {
    let item_ty = type_tokens(&pagination.item_type, true);
    let items_ref = borrowed_access(quote! { page }, &pagination.items, false);
    let advance = match &pagination.kind {
        PaginationKind::Cursor { param, next, page_param } => {
            let cursor = ident(&op.params[*param].rust_name);
            let value = borrowed_access(quote! { page }, next, true);
            let page_step = page_param.map(|index| {
                let page = ident(&op.params[index].rust_name);
                quote! { next.#page = Some(request.#page.unwrap_or_default() + 1); }
            });
            quote! {
                let cursor = #value;
                // A server that hands back the cursor it was given would loop forever.
                if request.#cursor.as_ref() == Some(cursor) {
                    runtime::pagination::stalled(OPERATION.id);
                    return None;
                }
                let mut next = request.clone();
                next.#cursor = Some(cursor.clone());
                #page_step
                Some(next)
            }
        }
        PaginationKind::PageNumber { param, start, total_pages } => {
            let page = ident(&op.params[*param].rust_name);
            let start = proc_macro2::Literal::i64_unsuffixed(*start);
            let limit = total_pages.as_ref().map(|path| {
                let total = borrowed_access(quote! { page }, path, true);
                quote! {
                    if !runtime::pagination::has_next_page(current, #start, #total) {
                        return None;
                    }
                }
            });
            quote! {
                let current = request.#page.unwrap_or(#start);
                #limit
                let mut next = request.clone();
                next.#page = Some(current + 1);
                Some(next)
            }
        }
        PaginationKind::Offset { param, limit } => {
            let offset = ident(&op.params[*param].rust_name);
            let short_page = limit.map(|index| {
                let limit = ident(&op.params[index].rust_name);
                quote! {
                    if runtime::pagination::is_short_page(count, request.#limit) {
                        return None;
                    }
                }
            });
            quote! {
                let count = #items_ref.len();
                #short_page
                let mut next = request.clone();
                next.#offset = Some(runtime::pagination::advance_offset(request.#offset.unwrap_or_default(), count)?);
                Some(next)
            }
        }
        PaginationKind::NextLink { next } => {
            let link = borrowed_access(quote! { page }, next, true);
            quote! {
                let link = #link;
                if request.options.url.as_deref() == Some(link.as_str()) {
                    runtime::pagination::stalled(OPERATION.id);
                    return None;
                }
                let mut next = request.clone();
                next.options.url = Some(link.to_string());
                Some(next)
            }
        }
    };
    let items_owned = owned_items(&pagination.items);
    quote! {
        /// Every page, fetched lazily: a page is requested only when the stream is polled
        /// past the previous one. The stream ends after the last page or an empty page.
        pub fn into_pages(self) -> futures::stream::BoxStream<'static, Result<Response<#page_ty>, Error<#error_ty>>> {
            runtime::pagination::pages(
                self,
                |request: &Self| request.clone().send(),
                |request: &Self, page: &#page_ty| {
                    if #items_ref.is_empty() {
                        return None;
                    }
                    #advance
                },
            )
        }

        /// Every item of every page, fetched lazily one page at a time.
        pub fn into_stream(self) -> futures::stream::BoxStream<'static, Result<#item_ty, Error<#error_ty>>> {
            runtime::pagination::items(self.into_pages(), |page| #items_owned)
        }
    }
}

//! One operation → [`Operation`]: its parameters in wire order with their styles, its
//! request body, and its responses split into successes and errors.

use openapiv3::{
    MediaType, Parameter, ParameterSchemaOrContent, PathStyle, QueryStyle, ReferenceOr, RequestBody as OaBody,
    StatusCode,
};

use super::schema::{Naming, Src, TypeLowerer};
use super::servers::has_unbalanced_braces;
use crate::config::ApiConfig;
use crate::diag::{Diagnostics, join};
use crate::ir::*;
use crate::load::is_json;
use crate::naming::{Registry, camel, compose, scope, snake};

/// Where an operation stands in the document.
pub(super) struct OperationSrc<'d> {
    pub path: &'d str,
    pub method: Method,
    pub operation: &'d openapiv3::Operation,
    pub path_params: &'d [ReferenceOr<Parameter>],
    pub pointer: &'d str,
}

/// The registries an operation's names are claimed from.
pub(super) struct Scopes<'r> {
    /// Methods of the client.
    pub methods: &'r mut Registry,
    /// Types of the operations module.
    pub operation_types: &'r mut Registry,
}

pub(super) fn lower_operation(
    src: OperationSrc<'_>,
    doc: &openapiv3::OpenAPI,
    config: &ApiConfig,
    types: &mut TypeLowerer<'_>,
    scopes: Scopes<'_>,
) -> Operation {
    let OperationSrc { path, method, operation, pointer, .. } = src;
    let wire_id =
        operation.operation_id.clone().unwrap_or_else(|| format!("{} {path}", method.as_str().to_lowercase()));
    let wanted = config.rename.operations.get(&wire_id).cloned().unwrap_or_else(|| snake(&wire_id));
    let rust_name = scopes.methods.claim(&wanted);
    // Unique among the types (the docs link both) and in the operation files' scope.
    let type_name = types.claim_in_both(scopes.operation_types, &camel(&rust_name));

    let (path_parts, template_params) = parse_path(path);
    if has_unbalanced_braces(path) {
        types.diags.warn(pointer, "the path has a `{` or `}` without its pair; that part is sent as written");
    }
    if let Some(own) = &operation.security {
        warn_undeclared_schemes(own, &join(pointer, "security"), doc, types.diags);
    }
    let requirements = operation.security.as_ref().or(doc.security.as_ref());
    let mut sources = parameter_sources(&src, types);
    drop_reserved_headers(&mut sources, sends_authorization(requirements, doc), types);
    let params = lower_params(&sources, &template_params, pointer, &type_name, types);
    let path = path_parts
        .into_iter()
        .map(|part| match part {
            RawPart::Literal(text) => PathPart::Literal(text),
            RawPart::Param(name) => {
                let index = params.iter().position(|p| p.location == ParamLocation::Path && p.wire_name == name);
                PathPart::Param(index.unwrap_or_default())
            }
        })
        .collect();
    let body = operation.request_body.as_ref().and_then(|body| request_body(body, pointer, &type_name, &params, types));
    let (success, errors) = lower_responses(operation, pointer, &type_name, types);
    let mut security: Vec<String> = Vec::new();
    for scheme in requirements.into_iter().flatten().flat_map(|req| req.keys()) {
        if !security.contains(scheme) {
            security.push(scheme.clone());
        }
    }
    // Requirements are alternatives: a scheme is needed when every one names it (`{}`, the
    // empty one, makes every scheme optional).
    let requires: Vec<String> = match requirements.and_then(|reqs| reqs.split_first()) {
        Some((first, rest)) => {
            first.keys().filter(|scheme| rest.iter().all(|req| req.contains_key(*scheme))).cloned().collect()
        }
        None => Vec::new(),
    };

    Operation {
        pointer: pointer.to_owned(),
        wire_id,
        rust_name,
        type_name,
        companion_types: CompanionTypes::default(),
        method,
        path,
        path_template: src.path.to_owned(),
        summary: operation.summary.clone(),
        description: operation.description.clone(),
        tags: operation.tags.clone(),
        deprecated: operation.deprecated,
        params,
        body,
        success,
        errors,
        security,
        requires,
        retry_safe: method.is_idempotent(),
        pagination: None,
    }
}

/// The operation's parameters with their pointers: path-level ones, overridden by the
/// operation's own of the same name (in any case, for a header) and location.
fn parameter_sources(src: &OperationSrc<'_>, types: &mut TypeLowerer<'_>) -> Vec<(Parameter, String)> {
    let mut sources: Vec<(Parameter, String)> = Vec::new();
    for (list, base) in [
        (src.path_params, join(&join("/paths", src.path), "parameters")),
        (&src.operation.parameters[..], join(src.pointer, "parameters")),
    ] {
        for (index, param) in list.iter().enumerate() {
            let at = join(&base, &index.to_string());
            let Some(param) = types.item_or_warn(param, &at, "parameter", "; skipped") else { continue };
            // A header's name is case-insensitive (`X-Id` at the path overridden by `x-id`).
            let key = |p: &Parameter| {
                let name = &p.parameter_data_ref().name;
                let name = if matches!(p, Parameter::Header { .. }) { name.to_ascii_lowercase() } else { name.clone() };
                (name, std::mem::discriminant(p))
            };
            sources.retain(|(existing, _)| key(existing) != key(&param));
            sources.push((param, at));
        }
    }
    sources
}

/// Header parameters OpenAPI says to ignore, which would go out twice beside the client's
/// own: `Accept` and `Content-Type` (the operation's media types set them), and
/// `Authorization` where the operation's security already sends a credential there. An
/// `Authorization` parameter of an operation without such a scheme is how some documents
/// describe their credential: it stays.
fn drop_reserved_headers(
    sources: &mut Vec<(Parameter, String)>,
    authorization_taken: bool,
    types: &mut TypeLowerer<'_>,
) {
    sources.retain(|(param, at)| {
        let name = &param.parameter_data_ref().name;
        let reserved = matches!(param, Parameter::Header { .. })
            && (name.eq_ignore_ascii_case("accept")
                || name.eq_ignore_ascii_case("content-type")
                || (authorization_taken && name.eq_ignore_ascii_case("authorization")));
        if reserved {
            let why = if name.eq_ignore_ascii_case("authorization") {
                "the operation's security scheme sends it"
            } else {
                "the client sets it from the operation's media types"
            };
            types.diags.warn(at, format!("header parameter `{name}` ignored, as OpenAPI requires: {why}"));
        }
        !reserved
    });
}

/// A warning for each scheme `requirements` (at `at`) names that the document does not
/// declare: no credential can be set for it, so none is sent.
pub(super) fn warn_undeclared_schemes(
    requirements: &[openapiv3::SecurityRequirement],
    at: &str,
    doc: &openapiv3::OpenAPI,
    diags: &mut Diagnostics,
) {
    let declared = doc.components.as_ref().map(|c| &c.security_schemes);
    for (index, requirement) in requirements.iter().enumerate() {
        for name in requirement.keys().filter(|name| !declared.is_some_and(|d| d.contains_key(*name))) {
            diags.warn(
                &join(&join(at, &index.to_string()), name),
                format!(
                    "security scheme `{name}` is not declared in `components.securitySchemes`; nothing is sent for it"
                ),
            );
        }
    }
}

/// Whether one of the security schemes the operation may use puts its credential in
/// `Authorization`: HTTP auth, OAuth2, OpenID Connect, or an API key in that header.
fn sends_authorization(requirements: Option<&Vec<openapiv3::SecurityRequirement>>, doc: &openapiv3::OpenAPI) -> bool {
    let Some(requirements) = requirements else { return false };
    let schemes = doc.components.as_ref().map(|c| &c.security_schemes);
    requirements.iter().flat_map(|requirement| requirement.keys()).any(|name| {
        match schemes.and_then(|schemes| schemes.get(name)) {
            Some(ReferenceOr::Item(openapiv3::SecurityScheme::APIKey { location, name, .. })) => {
                matches!(location, openapiv3::APIKeyLocation::Header) && name.eq_ignore_ascii_case("authorization")
            }
            Some(ReferenceOr::Item(_)) => true,
            _ => false,
        }
    })
}

/// Path parameters in template order (a template name with no declaration is a string),
/// then query, header, cookie in document order.
fn lower_params(
    sources: &[(Parameter, String)],
    template_params: &[String],
    pointer: &str,
    type_name: &str,
    types: &mut TypeLowerer<'_>,
) -> Vec<Param> {
    // Parameters become fields and setters of the request builder.
    let mut names = Registry::with_reserved(&[scope::REQUEST_BUILDER_FIELDS, scope::REQUEST_BUILDER_METHODS].concat());
    let mut ordered: Vec<&(Parameter, String)> = Vec::new();
    for name in template_params {
        match sources.iter().find(|(p, _)| matches!(p, Parameter::Path { .. }) && &p.parameter_data_ref().name == name)
        {
            Some(found) => ordered.push(found),
            None => types.diags.warn(pointer, format!("path parameter `{name}` is not declared; taken as a string")),
        }
    }
    for location in [ParamLocation::Query, ParamLocation::Header, ParamLocation::Cookie] {
        ordered.extend(sources.iter().filter(|(p, _)| location_of(p) == location));
    }
    let mut params = Vec::new();
    for name in template_params {
        if !ordered.iter().any(|(p, _)| &p.parameter_data_ref().name == name) {
            params.push(Param {
                rust_name: names.claim(&snake(name)),
                wire_name: name.clone(),
                location: ParamLocation::Path,
                required: true,
                ty: TypeRef::String,
                style: ParamStyle::Simple,
                description: None,
                default: None,
                pointer: pointer.to_owned(),
            });
        }
    }
    for (param, at) in ordered {
        let rust_name = names.claim(&snake(&param.parameter_data_ref().name));
        params.push(lower_param(param, at, rust_name, type_name, types));
    }
    params
}

fn lower_param(param: &Parameter, at: &str, rust_name: String, type_name: &str, types: &mut TypeLowerer<'_>) -> Param {
    let data = param.parameter_data_ref();
    let location = location_of(param);
    let hint = compose(type_name, &camel(&data.name));
    let (ty, default, style) = match &data.format {
        ParameterSchemaOrContent::Schema(schema) => {
            let default = match schema {
                ReferenceOr::Item(schema) => schema.schema_data.default.as_ref().map(|v| v.to_string()),
                ReferenceOr::Reference { .. } => None,
            };
            let ty = types.lower(Src::from(schema), &join(at, "schema"), Naming::Hint(hint));
            (ty, default, param_style(param, at, types))
        }
        ParameterSchemaOrContent::Content(content) => {
            let (ty, style) = content_param(content, at, hint, types);
            (ty, None, style)
        }
    };
    let ty = match ty {
        TypeRef::Nullable(inner) => *inner,
        other => other,
    };
    let ty = types.text_alias_as_text(ty);
    Param {
        rust_name,
        wire_name: data.name.clone(),
        location,
        required: data.required || location == ParamLocation::Path,
        ty,
        style,
        description: data.description.clone(),
        default,
        pointer: at.to_owned(),
    }
}

/// The type and style of a parameter serialised by `content` (one media type): JSON text of
/// its schema's type for a JSON media type, otherwise the text as given.
fn content_param(
    content: &indexmap::IndexMap<String, MediaType>,
    at: &str,
    hint: String,
    types: &mut TypeLowerer<'_>,
) -> (TypeRef, ParamStyle) {
    let Some((media_type, media)) = content.first() else {
        types.diags.warn(&join(at, "content"), "`content` lists no media type; the value is sent as text");
        return (TypeRef::String, ParamStyle::Simple);
    };
    let pointer = join(&join(at, "content"), media_type);
    match &media.schema {
        Some(schema) if is_json(media_type) => {
            (types.lower(Src::from(schema), &join(&pointer, "schema"), Naming::Hint(hint)), ParamStyle::Json)
        }
        _ if is_json(media_type) || media_type.starts_with("text/") => (TypeRef::String, ParamStyle::Simple),
        _ => {
            types.diags.warn(&pointer, format!("a parameter serialised as `{media_type}` is sent as the text given"));
            (TypeRef::String, ParamStyle::Simple)
        }
    }
}

fn param_style(param: &Parameter, at: &str, types: &mut TypeLowerer<'_>) -> ParamStyle {
    let data = param.parameter_data_ref();
    let tab_delimited = data.extensions.get("x-collection-format").and_then(|v| v.as_str()) == Some("tsv");
    match param {
        // Swagger 2.0 `collectionFormat: tsv`, which the converter keeps as an extension.
        Parameter::Query { .. } if tab_delimited => ParamStyle::TabDelimited,
        Parameter::Query { style: QueryStyle::SpaceDelimited, .. } => ParamStyle::SpaceDelimited,
        Parameter::Query { style: QueryStyle::PipeDelimited, .. } => ParamStyle::PipeDelimited,
        Parameter::Query { style: QueryStyle::Form, .. } | Parameter::Cookie { .. } => {
            ParamStyle::Form { explode: data.explode.unwrap_or(true) }
        }
        Parameter::Query { style: QueryStyle::DeepObject, .. } => ParamStyle::DeepObject,
        Parameter::Path { style: style @ (PathStyle::Matrix | PathStyle::Label), .. } => {
            let style = if matches!(style, PathStyle::Matrix) { "matrix" } else { "label" };
            types.diags.warn(at, format!("path style `{style}` is not supported; the value is sent as `simple`"));
            ParamStyle::Simple
        }
        Parameter::Path { .. } | Parameter::Header { .. } => ParamStyle::Simple,
    }
}

fn request_body(
    body: &ReferenceOr<OaBody>,
    pointer: &str,
    type_name: &str,
    params: &[Param],
    types: &mut TypeLowerer<'_>,
) -> Option<RequestBody> {
    let at = join(pointer, "requestBody");
    let body = types.item_or_warn(body, &at, "request body", "; left out")?;
    // Multipart parts become setters beside the parameters' (and fields of their own form);
    // a multipart body has no `body` setter, its parts are set one by one.
    // Required parts are also arguments of the builder's `new`, beside its `core`.
    let methods: Vec<&str> =
        scope::REQUEST_BUILDER_METHODS.iter().copied().filter(|m| *m != "body").chain(["core"]).collect();
    let mut setters = Registry::with_reserved(&methods);
    params.iter().for_each(|param| {
        setters.claim(&param.rust_name);
    });
    lower_body(&body, &at, type_name, types, &mut setters)
}

/// Successes (2xx) and errors, each in status order; 1xx and 3xx are left to the runtime.
fn lower_responses(
    operation: &openapiv3::Operation,
    pointer: &str,
    type_name: &str,
    types: &mut TypeLowerer<'_>,
) -> (Vec<Response>, Vec<Response>) {
    let mut success = Vec::new();
    let mut errors = Vec::new();
    let responses_at = join(pointer, "responses");
    let entries = operation
        .responses
        .responses
        .iter()
        .map(|(status, response)| match status {
            StatusCode::Code(code) => (StatusMatch::Code(*code), response),
            StatusCode::Range(range) => (StatusMatch::Range(*range), response),
        })
        .chain(operation.responses.default.as_ref().map(|r| (StatusMatch::Default, r)));
    for (status, response) in entries {
        let at = join(&responses_at, &status.label());
        let response = types.item_or_warn(response, &at, "response", "; its body is kept raw").unwrap_or_default();
        let is_success = match status {
            StatusMatch::Code(code) => (200..300).contains(&code),
            StatusMatch::Range(range) => range == 2,
            StatusMatch::Default => false,
        };
        let body =
            lower_response_body(&response.content, &at, &compose(type_name, &body_suffix(status, is_success)), types);
        let lowered =
            Response { status, description: Some(response.description.clone()).filter(|d| !d.is_empty()), body };
        match status {
            StatusMatch::Code(code) if (100..200).contains(&code) || (300..400).contains(&code) => {}
            _ if is_success => success.push(lowered),
            _ => errors.push(lowered),
        }
    }
    success.sort_by_key(|r| r.status);
    errors.sort_by_key(|r| r.status);
    (success, errors)
}

/// The suffix of the name of a response body's inline type.
fn body_suffix(status: StatusMatch, is_success: bool) -> String {
    match status {
        StatusMatch::Code(code) if is_success => {
            format!("Response{}", if code == 200 { String::new() } else { code.to_string() })
        }
        StatusMatch::Code(code) => format!("Error{code}"),
        StatusMatch::Range(range) => format!("Response{range}xx"),
        StatusMatch::Default => "ErrorDefault".into(),
    }
}

fn location_of(param: &Parameter) -> ParamLocation {
    match param {
        Parameter::Path { .. } => ParamLocation::Path,
        Parameter::Query { .. } => ParamLocation::Query,
        Parameter::Header { .. } => ParamLocation::Header,
        Parameter::Cookie { .. } => ParamLocation::Cookie,
    }
}

enum RawPart {
    Literal(String),
    Param(String),
}

/// Splits `/a/{id}/b` into literal text and parameter names.
fn parse_path(path: &str) -> (Vec<RawPart>, Vec<String>) {
    let mut parts = Vec::new();
    let mut names = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else { break };
        if open > 0 {
            parts.push(RawPart::Literal(rest[..open].to_owned()));
        }
        let name = rest[open + 1..close].to_owned();
        // A name given twice is one parameter, sent in both places.
        if !names.contains(&name) {
            names.push(name.clone());
        }
        parts.push(RawPart::Param(name));
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        parts.push(RawPart::Literal(rest.to_owned()));
    }
    (parts, names)
}

fn lower_body(
    body: &OaBody,
    pointer: &str,
    type_name: &str,
    types: &mut TypeLowerer<'_>,
    names: &mut Registry,
) -> Option<RequestBody> {
    let pick = body
        .content
        .iter()
        .find(|(media, _)| is_json(media))
        .or_else(|| body.content.iter().find(|(media, _)| media.starts_with("multipart/form-data")))
        .or_else(|| body.content.iter().find(|(media, _)| media.starts_with("application/x-www-form-urlencoded")))
        .or_else(|| body.content.iter().find(|(media, _)| media.starts_with("text/plain")))
        .or_else(|| body.content.first());
    let (media_type, content) = pick?;
    let at = join(&join(pointer, "content"), media_type);
    let hint = compose(type_name, "Body");
    let kind = if is_json(media_type) {
        BodyKind::Json(lower_media_schema(content, &at, &hint, types))
    } else if media_type.starts_with("multipart/form-data") {
        BodyKind::Multipart(multipart_fields(content, &at, types, names))
    } else if media_type.starts_with("application/x-www-form-urlencoded") {
        BodyKind::Form(lower_media_schema(content, &at, &hint, types))
    } else if media_type.starts_with("text/") {
        BodyKind::Text
    } else {
        BodyKind::Binary
    };
    Some(RequestBody {
        required: body.required,
        description: body.description.clone(),
        media_type: media_type.clone(),
        kind,
        alternatives: body.content.keys().filter(|m| *m != media_type).cloned().collect(),
    })
}

fn lower_media_schema(content: &MediaType, pointer: &str, hint: &str, types: &mut TypeLowerer<'_>) -> TypeRef {
    match &content.schema {
        Some(schema) => types.lower(Src::from(schema), &join(pointer, "schema"), Naming::Hint(hint.to_owned())),
        None => TypeRef::Json,
    }
}

fn multipart_fields(
    content: &MediaType,
    pointer: &str,
    types: &mut TypeLowerer<'_>,
    names: &mut Registry,
) -> Vec<MultipartField> {
    let at = join(pointer, "schema");
    let Some(schema) = content.schema.as_ref().and_then(|schema| types.item_or_warn(schema, &at, "form schema", ""))
    else {
        return Vec::new();
    };
    let (properties, required) = match &schema.schema_kind {
        openapiv3::SchemaKind::Type(openapiv3::Type::Object(object)) => (&object.properties, &object.required),
        openapiv3::SchemaKind::Any(any) => (&any.properties, &any.required),
        _ => {
            types.diags.warn(&at, "a multipart body that is not an object: sent as one file part named `file`");
            return vec![MultipartField {
                rust_name: names.claim("file"),
                wire_name: "file".into(),
                required: true,
                is_file: true,
                description: None,
            }];
        }
    };
    // Form fields become setters on the builder, beside the parameters' (`names`).
    properties
        .iter()
        .map(|(name, property)| {
            let is_file = match property {
                ReferenceOr::Item(schema) => is_binary(schema),
                ReferenceOr::Reference { reference } => types
                    .resolver
                    .resolve::<openapiv3::Schema>(reference)
                    .map(|(schema, _)| is_binary(&schema))
                    .unwrap_or(false),
            };
            let description = match property {
                ReferenceOr::Item(schema) => schema.schema_data.description.clone(),
                ReferenceOr::Reference { .. } => None,
            };
            MultipartField {
                rust_name: names.claim(&snake(name)),
                wire_name: name.clone(),
                required: required.contains(name),
                is_file,
                description,
            }
        })
        .collect()
}

fn is_binary(schema: &openapiv3::Schema) -> bool {
    match &schema.schema_kind {
        openapiv3::SchemaKind::Type(openapiv3::Type::String(string)) => matches!(
            string.format,
            openapiv3::VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::Binary | openapiv3::StringFormat::Byte)
        ),
        openapiv3::SchemaKind::Type(openapiv3::Type::Array(array)) => match &array.items {
            Some(ReferenceOr::Item(item)) => is_binary(item),
            _ => false,
        },
        openapiv3::SchemaKind::Any(any) => matches!(any.format.as_deref(), Some("binary")),
        _ => false,
    }
}

fn lower_response_body(
    content: &indexmap::IndexMap<String, MediaType>,
    pointer: &str,
    hint: &str,
    types: &mut TypeLowerer<'_>,
) -> Option<ResponseBody> {
    if content.is_empty() {
        return None;
    }
    let content_at = join(pointer, "content");
    if let Some((media_type, media)) = content.iter().find(|(media, _)| is_json(media)) {
        let ty = lower_media_schema(media, &join(&content_at, media_type), hint, types);
        return Some(match ty {
            TypeRef::Binary => ResponseBody::Binary,
            ty => ResponseBody::Json(ty),
        });
    }
    let (media_type, media) = content.first()?;
    if media_type.starts_with("text/") {
        let is_file =
            media.schema.as_ref().is_some_and(|s| matches!(s, ReferenceOr::Item(schema) if is_binary(schema)));
        return Some(if is_file { ResponseBody::Binary } else { ResponseBody::Text });
    }
    if media_type.contains("xml") {
        types.diags.warn(&content_at, "XML responses are returned as text");
        return Some(ResponseBody::Text);
    }
    Some(ResponseBody::Binary)
}

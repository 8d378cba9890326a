//! Lowering: an OpenAPI document plus its codegen config → [`Api`](crate::ir::Api).
//!
//! The only module that reads openapiv3 types. Problems become diagnostics with the
//! document's JSON pointer, and a fallback keeps the rest of the document usable.

mod schema;

use std::collections::BTreeMap;

use openapiv3::{
    APIKeyLocation, MediaType, Parameter, ParameterSchemaOrContent, PathStyle, QueryStyle, ReferenceOr,
    RequestBody as OaBody, Response as OaResponse, SecurityScheme as OaScheme, StatusCode,
};

use crate::config::{ApiConfig, PaginationConfig};
use crate::diag::{Diagnostics, join};
use crate::ir::*;
use crate::load::{LoadedSpec, is_json};
use crate::naming::{Registry, camel, compose, snake};
pub use schema::enum_variants;

use crate::naming::scope;
use schema::{Naming, Src, TypeLowerer};

/// Lowers a loaded document.
pub fn lower(spec: &LoadedSpec, config: &ApiConfig, diags: &mut Diagnostics) -> Api {
    let doc = &spec.doc;
    let mut types = TypeLowerer::new(&spec.raw, diags);
    if let Some(components) = &doc.components {
        types.lower_components(&components.schemas);
    }
    // Server variables and security schemes share the client builder's scope.
    let mut builder_scope = Registry::with_reserved(scope::CLIENT_BUILDER);
    let mut security_schemes = lower_security_schemes(doc, &mut types, &mut builder_scope);
    let servers = if config.user_base_url { Vec::new() } else { lower_servers(&doc.servers, &mut builder_scope) };
    let mut operations = Vec::new();
    let mut method_names = Registry::with_reserved(scope::CLIENT);
    // Names an operation file uses unqualified.
    let mut op_scope = Registry::with_reserved(scope::OPERATION_FILE);
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    for (path, item) in &doc.paths.paths {
        let item_pointer = join("/paths", path);
        let item = match item {
            ReferenceOr::Item(item) => item.clone(),
            ReferenceOr::Reference { reference } => match types.resolver.resolve::<openapiv3::PathItem>(reference) {
                Ok((item, _)) => item,
                Err((_, message)) => {
                    types.diags.warn(&item_pointer, format!("cannot resolve the path item: {message}; skipped"));
                    continue;
                }
            },
        };
        for (method_name, operation) in item.iter() {
            let Some(method) = method_of(method_name) else { continue };
            let pointer = join(&item_pointer, method_name);
            let op = lower_operation(
                OperationSrc { path, method, operation, path_params: &item.parameters, pointer: &pointer },
                doc,
                config,
                &mut types,
                &mut method_names,
                &mut op_scope,
            );
            ids.insert(op.wire_id.clone(), operations.len());
            operations.push(op);
        }
    }
    correct_security(config, &mut security_schemes, &mut operations, &mut builder_scope, types.diags);
    apply_operation_settings(config, &mut operations, &ids, &mut types);
    let sent: Vec<&TypeRef> = operations
        .iter()
        .filter_map(|op| match op.body.as_ref().map(|b| &b.kind) {
            Some(BodyKind::Json(ty)) => Some(ty),
            _ => None,
        })
        .collect();
    types.mark_sent(&sent);
    // Companion types are claimed once every builder has its name.
    for op in &mut operations {
        op.companion_types = CompanionTypes {
            response: op_scope.claim(&compose(&op.type_name, "Response")),
            error: op_scope.claim(&compose(&op.type_name, "Error")),
            form: op_scope.claim(&compose(&op.type_name, "Form")),
            input: op_scope.claim(&compose(&op.type_name, "Input")),
        };
    }
    types.box_cycles();
    types.box_large_variants();
    let mut api = Api {
        module: config.module.clone(),
        title: doc.info.title.clone(),
        version: doc.info.version.clone(),
        description: doc.info.description.clone(),
        base_url_env: config
            .base_url_env
            .clone()
            .unwrap_or_else(|| format!("{}_BASE_URL", config.module.to_uppercase())),
        servers,
        security_schemes,
        operations,
        types: types.types.into_values().collect(),
    };
    api.map_pointers(|pointer| types.diags.original(pointer));
    api
}

/// What the codegen config says of operations by operationId: pagination (named, then by
/// rule), retry-safe POSTs, renames. An id the document does not have is an error.
fn apply_operation_settings(
    config: &ApiConfig,
    operations: &mut [Operation],
    ids: &BTreeMap<String, usize>,
    types: &mut TypeLowerer<'_>,
) {
    let missing = |section: &str, id: &str| {
        (format!("codegen config: api `{}` {section}", config.module), format!("no operation `{id}` in the document"))
    };
    for (id, pagination) in &config.pagination {
        let at = format!("codegen config: api `{}` pagination.{id}", config.module);
        match ids.get(id) {
            Some(&op) => match lower_pagination(&operations[op], pagination, types) {
                Ok(p) => operations[op].pagination = Some(p),
                Err(message) => types.diags.error(&at, message, None),
            },
            None => types.diags.error(&at, format!("no operation `{id}` in the document"), None),
        }
    }
    if let Some(rule) = &config.paginate_matching {
        for op in operations.iter_mut().filter(|op| !config.pagination.contains_key(&op.wire_id)) {
            // A rule, not a promise: operations it does not fit stay plain calls.
            op.pagination = lower_pagination(op, rule, types).ok();
        }
    }
    for id in &config.retry_safe {
        match ids.get(id) {
            Some(&op) => operations[op].retry_safe = true,
            None => {
                let (at, message) = missing("retry_safe", id);
                types.diags.error(&at, message, None);
            }
        }
    }
    for id in config.rename.operations.keys().filter(|id| !ids.contains_key(*id)) {
        let (at, message) = missing("rename.operations", id);
        types.diags.error(&at, message, None);
    }
}

fn method_of(name: &str) -> Option<Method> {
    Some(match name {
        "get" => Method::Get,
        "put" => Method::Put,
        "post" => Method::Post,
        "delete" => Method::Delete,
        "options" => Method::Options,
        "head" => Method::Head,
        "patch" => Method::Patch,
        "trace" => Method::Trace,
        _ => return None,
    })
}

fn lower_servers(servers: &[openapiv3::Server], builder_scope: &mut Registry) -> Vec<Server> {
    // Enums of server variables are items of the module root.
    let mut module_scope = Registry::with_reserved(scope::API_MODULE);
    servers
        .iter()
        .enumerate()
        .map(|(index, server)| {
            // Server variables are fields and setters of the one builder.
            let variables = server
                .variables
                .iter()
                .flatten()
                .map(|(name, variable)| {
                    let values: Vec<&str> = variable.enumeration.iter().map(String::as_str).collect();
                    ServerVariable {
                        wire_name: name.clone(),
                        rust_name: builder_scope.claim(&snake(name)),
                        type_name: module_scope.claim(&camel(name)),
                        default: variable.default.clone(),
                        values: enum_variants(&values),
                        description: variable.description.clone(),
                    }
                })
                .collect();
            Server {
                url: server.url.clone(),
                description: server.description.clone(),
                variables,
                pointer: format!("/servers/{index}"),
            }
        })
        .collect()
}

fn lower_security_schemes(
    doc: &openapiv3::OpenAPI,
    types: &mut TypeLowerer<'_>,
    names: &mut Registry,
) -> Vec<SecurityScheme> {
    let mut schemes = Vec::new();
    let Some(components) = &doc.components else { return schemes };
    for (name, scheme) in &components.security_schemes {
        let pointer = join("/components/securitySchemes", name);
        let scheme = match scheme {
            ReferenceOr::Item(scheme) => scheme.clone(),
            ReferenceOr::Reference { reference } => match types.resolver.resolve::<OaScheme>(reference) {
                Ok((scheme, _)) => scheme,
                Err((_, message)) => {
                    types.diags.warn(&pointer, format!("cannot resolve the security scheme: {message}"));
                    continue;
                }
            },
        };
        let (kind, description) = match scheme {
            OaScheme::APIKey { location, name: param, description, .. } => {
                let location = match location {
                    APIKeyLocation::Header => ParamLocation::Header,
                    APIKeyLocation::Query => ParamLocation::Query,
                    APIKeyLocation::Cookie => ParamLocation::Cookie,
                };
                (SecurityKind::ApiKey { location, name: param }, description)
            }
            OaScheme::HTTP { scheme: http, description, .. } if http.eq_ignore_ascii_case("bearer") => {
                (SecurityKind::Bearer, description)
            }
            OaScheme::HTTP { scheme: http, description, .. } if http.eq_ignore_ascii_case("basic") => {
                (SecurityKind::Basic, description)
            }
            // OAuth 2 and OpenID Connect end in a bearer token; obtaining it is the caller's part.
            OaScheme::OAuth2 { description, .. } | OaScheme::OpenIDConnect { description, .. } => {
                (SecurityKind::Bearer, description)
            }
            OaScheme::HTTP { scheme: http, .. } => {
                types
                    .diags
                    .warn(&pointer, format!("HTTP auth scheme `{http}` is not supported; requests go without it"));
                continue;
            }
        };
        schemes.push(SecurityScheme {
            wire_name: name.clone(),
            rust_name: names.claim(&snake(name)),
            kind,
            description,
            optional: false,
            pointer,
        });
    }
    schemes
}

/// Applies the codegen config's corrections to the document's security: schemes every
/// operation requires, and optional credential headers the document does not declare.
fn correct_security(
    config: &ApiConfig,
    schemes: &mut Vec<SecurityScheme>,
    operations: &mut [Operation],
    names: &mut Registry,
    diags: &mut Diagnostics,
) {
    let at = format!("codegen config: api `{}` security", config.module);
    for name in &config.security.require {
        if !schemes.iter().any(|s| &s.wire_name == name) {
            diags.error(&at, format!("`require` names `{name}`, which the document does not declare"), None);
        }
    }
    for extra in &config.security.extra_headers {
        if schemes.iter().any(|s| s.wire_name == extra.name) {
            diags.error(&at, format!("extra header `{}` has the name of a declared scheme", extra.name), None);
            continue;
        }
        schemes.push(SecurityScheme {
            wire_name: extra.name.clone(),
            rust_name: names.claim(&snake(&extra.name)),
            kind: SecurityKind::ApiKey { location: ParamLocation::Header, name: extra.header.clone() },
            description: extra.description.clone(),
            optional: true,
            pointer: format!("{at}.extra_headers"),
        });
    }
    for op in operations {
        if !config.security.require.is_empty() {
            op.security = config.security.require.clone();
        }
        op.security.extend(config.security.extra_headers.iter().map(|extra| extra.name.clone()));
    }
}

struct OperationSrc<'d> {
    path: &'d str,
    method: Method,
    operation: &'d openapiv3::Operation,
    path_params: &'d [ReferenceOr<Parameter>],
    pointer: &'d str,
}

fn lower_operation(
    src: OperationSrc<'_>,
    doc: &openapiv3::OpenAPI,
    config: &ApiConfig,
    types: &mut TypeLowerer<'_>,
    method_names: &mut Registry,
    op_scope: &mut Registry,
) -> Operation {
    let OperationSrc { path, method, operation, path_params, pointer } = src;
    let wire_id =
        operation.operation_id.clone().unwrap_or_else(|| format!("{} {path}", method.as_str().to_lowercase()));
    let wanted = config.rename.operations.get(&wire_id).cloned().unwrap_or_else(|| snake(&wire_id));
    let rust_name = method_names.claim(&wanted);
    // Unique among the types (the docs link both) and in the operation files' scope.
    let type_name = types.claim_in_both(op_scope, &camel(&rust_name));
    let companion_types = CompanionTypes::default();

    // Operation parameters override path-level ones with the same name and location.
    let mut sources: Vec<(Parameter, String)> = Vec::new();
    for (list, base) in [
        (path_params, join(&join("/paths", path), "parameters")),
        (&operation.parameters[..], join(pointer, "parameters")),
    ] {
        for (index, param) in list.iter().enumerate() {
            let at = join(&base, &index.to_string());
            let param = match param {
                ReferenceOr::Item(param) => param.clone(),
                ReferenceOr::Reference { reference } => match types.resolver.resolve::<Parameter>(reference) {
                    Ok((param, _)) => param,
                    Err((_, message)) => {
                        types.diags.warn(&at, format!("cannot resolve the parameter: {message}; skipped"));
                        continue;
                    }
                },
            };
            let key = |p: &Parameter| (p.parameter_data_ref().name.clone(), std::mem::discriminant(p));
            sources.retain(|(existing, _)| key(existing) != key(&param));
            sources.push((param, at));
        }
    }
    let (path_parts, template_params) = parse_path(path);
    let mut params: Vec<Param> = Vec::new();
    // Parameters become fields and setters of the request builder.
    let mut names = Registry::with_reserved(&[scope::REQUEST_BUILDER_FIELDS, scope::REQUEST_BUILDER_METHODS].concat());
    // Path parameters in template order, then query, header, cookie in document order.
    let mut ordered: Vec<&(Parameter, String)> = Vec::new();
    for name in &template_params {
        match sources.iter().find(|(p, _)| matches!(p, Parameter::Path { .. }) && &p.parameter_data_ref().name == name)
        {
            Some(found) => ordered.push(found),
            None => types.diags.warn(pointer, format!("path parameter `{name}` is not declared; taken as a string")),
        }
    }
    for location in [ParamLocation::Query, ParamLocation::Header, ParamLocation::Cookie] {
        ordered.extend(sources.iter().filter(|(p, _)| location_of(p) == location));
    }
    for name in &template_params {
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
        let data = param.parameter_data_ref();
        let location = location_of(param);
        let hint = compose(&type_name, &camel(&data.name));
        let (ty, default) = match &data.format {
            ParameterSchemaOrContent::Schema(schema) => {
                let default = match schema {
                    ReferenceOr::Item(schema) => schema.schema_data.default.as_ref().map(|v| v.to_string()),
                    ReferenceOr::Reference { .. } => None,
                };
                (types.lower(Src::from(schema), &join(at, "schema"), Naming::Hint(hint)), default)
            }
            ParameterSchemaOrContent::Content(_) => {
                types.diags.warn(at, "parameters serialised by `content` are sent as plain strings");
                (TypeRef::String, None)
            }
        };
        let ty = match ty {
            TypeRef::Nullable(inner) => *inner,
            other => other,
        };
        let tab_delimited = data.extensions.get("x-collection-format").and_then(|v| v.as_str()) == Some("tsv");
        let style = match param {
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
        };
        params.push(Param {
            rust_name: names.claim(&snake(&data.name)),
            wire_name: data.name.clone(),
            location,
            required: data.required || location == ParamLocation::Path,
            ty,
            style,
            description: data.description.clone(),
            default,
            pointer: at.clone(),
        });
    }
    let path_parts = path_parts
        .into_iter()
        .map(|part| match part {
            RawPart::Literal(text) => PathPart::Literal(text),
            RawPart::Param(name) => {
                let index = params.iter().position(|p| p.location == ParamLocation::Path && p.wire_name == name);
                PathPart::Param(index.unwrap_or_default())
            }
        })
        .collect();

    let body = operation.request_body.as_ref().and_then(|body| {
        let at = join(pointer, "requestBody");
        let body = match body {
            ReferenceOr::Item(body) => body.clone(),
            ReferenceOr::Reference { reference } => match types.resolver.resolve::<OaBody>(reference) {
                Ok((body, _)) => body,
                Err((_, message)) => {
                    types.diags.warn(&at, format!("cannot resolve the request body: {message}; left out"));
                    return None;
                }
            },
        };
        // Multipart parts become setters beside the parameters' (and fields of their own form);
        // a multipart body has no `body` setter, its parts are set one by one.
        // Required parts are also arguments of the builder's `new`, beside its `core`.
        let methods: Vec<&str> =
            scope::REQUEST_BUILDER_METHODS.iter().copied().filter(|m| *m != "body").chain(["core"]).collect();
        let mut setters = Registry::with_reserved(&methods);
        params.iter().for_each(|param| {
            setters.claim(&param.rust_name);
        });
        lower_body(&body, &at, &type_name, types, &mut setters)
    });

    let mut success = Vec::new();
    let mut errors = Vec::new();
    let responses_at = join(pointer, "responses");
    let entries = operation
        .responses
        .responses
        .iter()
        .map(|(status, response)| {
            let (status, token) = match status {
                StatusCode::Code(code) => (StatusMatch::Code(*code), code.to_string()),
                StatusCode::Range(range) => (StatusMatch::Range(*range), format!("{range}XX")),
            };
            (status, token, response)
        })
        .chain(operation.responses.default.as_ref().map(|r| (StatusMatch::Default, "default".to_owned(), r)));
    for (status, token, response) in entries {
        let at = join(&responses_at, &token);
        let response = match response {
            ReferenceOr::Item(response) => response.clone(),
            ReferenceOr::Reference { reference } => match types.resolver.resolve::<OaResponse>(reference) {
                Ok((response, _)) => response,
                Err((_, message)) => {
                    types.diags.warn(&at, format!("cannot resolve the response: {message}; its body is kept raw"));
                    OaResponse::default()
                }
            },
        };
        let is_success = match status {
            StatusMatch::Code(code) => (200..300).contains(&code),
            StatusMatch::Range(range) => range == 2,
            StatusMatch::Default => false,
        };
        let suffix = match status {
            StatusMatch::Code(code) if is_success => {
                format!("Response{}", if code == 200 { String::new() } else { code.to_string() })
            }
            StatusMatch::Code(code) => format!("Error{code}"),
            StatusMatch::Range(range) => format!("Response{range}xx"),
            StatusMatch::Default => "ErrorDefault".into(),
        };
        let body = lower_response_body(&response.content, &at, &compose(&type_name, &suffix), types);
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

    let requirements = operation.security.as_ref().or(doc.security.as_ref());
    let mut security: Vec<String> =
        requirements.map(|reqs| reqs.iter().flat_map(|req| req.keys().cloned()).collect()).unwrap_or_default();
    security.dedup();

    Operation {
        pointer: pointer.to_owned(),
        wire_id,
        rust_name,
        type_name,
        companion_types,
        method,
        path: path_parts,
        path_template: path.to_owned(),
        summary: operation.summary.clone(),
        description: operation.description.clone(),
        tags: operation.tags.clone(),
        deprecated: operation.deprecated,
        params,
        body,
        success,
        errors,
        security,
        retry_safe: method.is_idempotent(),
        pagination: None,
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
        names.push(name.clone());
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
    let schema = match &content.schema {
        Some(ReferenceOr::Item(schema)) => schema.clone(),
        Some(ReferenceOr::Reference { reference }) => match types.resolver.resolve::<openapiv3::Schema>(reference) {
            Ok((schema, _)) => schema,
            Err((_, message)) => {
                types.diags.warn(&at, format!("cannot resolve the form schema: {message}"));
                return Vec::new();
            }
        },
        None => return Vec::new(),
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

/// Resolves a config path (`metadata.cursor`) to field accesses on the response type.
fn field_path(types: &TypeLowerer<'_>, root: &TypeRef, dotted: &str) -> Result<(FieldPath, TypeRef), String> {
    let mut steps = Vec::new();
    let mut current = root.clone();
    for wire in dotted.split('.') {
        let name = match &current {
            TypeRef::Named(name) => name.clone(),
            TypeRef::Nullable(inner) | TypeRef::Boxed(inner) => match &**inner {
                TypeRef::Named(name) => name.clone(),
                other => return Err(format!("`{dotted}`: `{wire}` is inside a {other:?}, not an object")),
            },
            other => return Err(format!("`{dotted}`: `{wire}` is inside a {other:?}, not an object")),
        };
        let def = types.types.get(&name).ok_or_else(|| format!("`{dotted}`: type `{name}` not found"))?;
        let TypeKind::Struct(body) = &def.kind else {
            return Err(format!("`{dotted}`: `{name}` is not an object"));
        };
        let field = body
            .fields
            .iter()
            .find(|f| f.wire_name == wire)
            .ok_or_else(|| format!("`{dotted}`: `{name}` has no field `{wire}`"))?;
        steps.push(FieldStep { rust_name: field.rust_name.clone(), optional: !field.required || field.nullable });
        current = field.ty.clone();
    }
    Ok((FieldPath { steps }, current))
}

fn lower_pagination(op: &Operation, config: &PaginationConfig, types: &TypeLowerer<'_>) -> Result<Pagination, String> {
    let page_type = match op.success.iter().find_map(|r| r.body.as_ref()) {
        Some(ResponseBody::Json(ty)) => ty.clone(),
        _ => return Err(format!("`{}` has no JSON success body to paginate", op.wire_id)),
    };
    let param = |wire: &str| -> Result<usize, String> {
        op.params
            .iter()
            .position(|p| p.wire_name == wire && p.location == ParamLocation::Query && !p.required)
            .ok_or_else(|| format!("`{}` has no optional query parameter `{wire}`", op.wire_id))
    };
    let items_path = config.items();
    let (items, items_type) = field_path(types, &page_type, items_path)?;
    let TypeRef::Array(item_type) = items_type else {
        return Err(format!("`{items_path}` is not an array"));
    };
    let kind = match config {
        PaginationConfig::Cursor { cursor_param, cursor_path, page_param, .. } => {
            let (next, _) = field_path(types, &page_type, cursor_path)?;
            PaginationKind::Cursor {
                param: param(cursor_param)?,
                next,
                page_param: page_param.as_deref().map(param).transpose()?,
            }
        }
        PaginationConfig::PageNumber { page_param, start, total_pages_path, .. } => PaginationKind::PageNumber {
            param: param(page_param)?,
            start: *start,
            total_pages: total_pages_path
                .as_deref()
                .map(|p| field_path(types, &page_type, p).map(|(f, _)| f))
                .transpose()?,
        },
        PaginationConfig::Offset { offset_param, limit_param, .. } => PaginationKind::Offset {
            param: param(offset_param)?,
            limit: limit_param.as_deref().map(param).transpose()?,
        },
        PaginationConfig::NextLink { next_path, .. } => {
            PaginationKind::NextLink { next: field_path(types, &page_type, next_path)?.0 }
        }
    };
    Ok(Pagination { kind, items, item_type: *item_type })
}

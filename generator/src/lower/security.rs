//! Security schemes → [`SecurityScheme`]: how each sends its credential, which the client
//! cannot go without, and what the settings add (a value prefix, OAuth2 scopes, headers the
//! document does not declare).

use openapiv3::{APIKeyLocation, OAuth2Flows, SecurityScheme as OaScheme};

use super::schema::TypeLowerer;
use crate::config::{ApiConfig, ClientAuthSetting, SchemeSettings};
use crate::diag::{Diagnostics, join};
use crate::ir::*;
use crate::naming::{Registry, snake};

/// The document's schemes, with the settings' corrections; a header name that is not a
/// valid HTTP field name is an error naming its pointer.
pub(super) fn lower_security_schemes(
    doc: &openapiv3::OpenAPI,
    config: &ApiConfig,
    types: &mut TypeLowerer<'_>,
    names: &mut Registry,
) -> Vec<SecurityScheme> {
    let mut schemes = Vec::new();
    let Some(components) = &doc.components else { return schemes };
    for (name, scheme) in &components.security_schemes {
        let pointer = join("/components/securitySchemes", name);
        let Some(scheme) = types.item_or_warn(scheme, &pointer, "security scheme", "") else { continue };
        let settings = config.security.schemes.get(name).cloned().unwrap_or_default();
        let Some((kind, description)) = scheme_kind(&scheme, &settings, doc, &pointer, types.diags) else { continue };
        let rust_name = names.claim(&snake(name));
        let source_setter = (kind != SecurityKind::Basic).then(|| names.claim(&format!("{rust_name}_source")));
        schemes.push(SecurityScheme {
            wire_name: name.clone(),
            rust_name,
            kind,
            description,
            optional: false,
            pointer,
            source_setter,
        });
    }
    for name in config.security.schemes.keys().filter(|name| !components.security_schemes.contains_key(*name)) {
        let at = format!("codegen config: api `{}` security.schemes", config.module);
        types.diags.error(&at, format!("`{name}` is not a security scheme of the document"), None);
    }
    schemes
}

/// How a scheme sends its credential, and its description; `None` (with a diagnostic) for
/// one the client cannot send.
fn scheme_kind(
    scheme: &OaScheme,
    settings: &SchemeSettings,
    doc: &openapiv3::OpenAPI,
    pointer: &str,
    diags: &mut Diagnostics,
) -> Option<(SecurityKind, Option<String>)> {
    let prefix = settings.prefix.clone().unwrap_or_default();
    let (kind, description) = match scheme {
        OaScheme::APIKey { location, name, description, .. } => {
            let location = match location {
                APIKeyLocation::Header => ParamLocation::Header,
                APIKeyLocation::Query => ParamLocation::Query,
                APIKeyLocation::Cookie => ParamLocation::Cookie,
            };
            if location == ParamLocation::Header && !is_field_name(name) {
                diags.error(
                    &join(pointer, "name"),
                    format!("`{name}` is not a valid HTTP header name, so no request could carry this credential"),
                    Some("correct the name with an overlay; a value prefix such as `Bearer ` is the scheme's `prefix` setting"),
                );
                return None;
            }
            (SecurityKind::ApiKey { location, name: name.clone(), prefix }, description)
        }
        OaScheme::HTTP { scheme: http, description, .. } if http.eq_ignore_ascii_case("bearer") => {
            (SecurityKind::Bearer, description)
        }
        OaScheme::HTTP { scheme: http, description, .. } if http.eq_ignore_ascii_case("basic") => {
            (SecurityKind::Basic, description)
        }
        OaScheme::OAuth2 { flows, description, .. } => match client_credentials(flows, settings, doc) {
            Some(flow) => (SecurityKind::ClientCredentials(flow), description),
            // Other flows involve a person; the token they end in is the caller's to give.
            None => (SecurityKind::Bearer, description),
        },
        OaScheme::OpenIDConnect { description, .. } => (SecurityKind::Bearer, description),
        OaScheme::HTTP { scheme: http, .. } => {
            diags.warn(pointer, format!("HTTP auth scheme `{http}` is not supported; requests go without it"));
            return None;
        }
    };
    Some((kind, description.clone()))
}

/// The client credentials flow of an OAuth2 scheme, with its settings.
fn client_credentials(
    flows: &OAuth2Flows,
    settings: &SchemeSettings,
    doc: &openapiv3::OpenAPI,
) -> Option<ClientCredentialsFlow> {
    let flow = flows.client_credentials.as_ref()?;
    Some(ClientCredentialsFlow {
        token_url: flow.token_url.clone(),
        // Not when a variable it uses is undeclared: a host with `{` in it is no origin.
        documented_server: doc.servers.first().and_then(|server| {
            let defaults = server.variables.iter().flatten().map(|(name, v)| (name.as_str(), v.default.as_str()));
            let url = crate::ir::with_defaults(&server.url, defaults);
            (!url.contains('{')).then_some(url)
        }),
        scopes: settings.scopes.clone(),
        auth_in_body: settings.client_auth == Some(ClientAuthSetting::Body),
        form: settings.form.iter().map(|(name, value)| (name.clone(), value.clone())).collect(),
    })
}

/// Whether `name` is a valid HTTP field name (RFC 9110 `token`).
pub(crate) fn is_field_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Applies the codegen config's corrections to the document's security: schemes every
/// operation requires, and optional credential headers the document does not declare.
/// Constructors ask only for what every operation needs: a scheme some operation can go
/// without (it has another alternative, `{}`, or no security) is optional, set on the builder.
pub(super) fn correct_security(
    config: &ApiConfig,
    schemes: &mut Vec<SecurityScheme>,
    operations: &mut [Operation],
    names: &mut Registry,
    diags: &mut Diagnostics,
) {
    for scheme in schemes.iter_mut() {
        scheme.optional = !operations.iter().all(|op| op.requires.contains(&scheme.wire_name));
    }
    let at = format!("codegen config: api `{}` security", config.module);
    for name in &config.security.require {
        match schemes.iter_mut().find(|s| &s.wire_name == name) {
            Some(scheme) => scheme.optional = false,
            None => diags.error(&at, format!("`require` names `{name}`, which the document does not declare"), None),
        }
    }
    for extra in &config.security.extra_headers {
        if schemes.iter().any(|s| s.wire_name == extra.name) {
            diags.error(&at, format!("extra header `{}` has the name of a declared scheme", extra.name), None);
            continue;
        }
        if !is_field_name(&extra.header) {
            diags.error(
                &at,
                format!("extra header `{}`: `{}` is not a valid HTTP header name", extra.name, extra.header),
                None,
            );
            continue;
        }
        let rust_name = names.claim(&snake(&extra.name));
        let source_setter = Some(names.claim(&format!("{rust_name}_source")));
        schemes.push(SecurityScheme {
            wire_name: extra.name.clone(),
            rust_name,
            kind: SecurityKind::ApiKey {
                location: ParamLocation::Header,
                name: extra.header.clone(),
                prefix: String::new(),
            },
            description: extra.description.clone(),
            optional: true,
            pointer: format!("{at}.extra_headers"),
            source_setter,
        });
    }
    for op in operations {
        if !config.security.require.is_empty() {
            op.security = config.security.require.clone();
            op.requires = config.security.require.clone();
        }
        op.security.extend(config.security.extra_headers.iter().map(|extra| extra.name.clone()));
    }
}

/// The login the settings declare: its operation (whose only required input is a JSON
/// body) and the scheme its token feeds; an error naming the setting otherwise.
pub(super) fn lower_login(
    config: &ApiConfig,
    schemes: &[SecurityScheme],
    operations: &[Operation],
    names: &mut Registry,
    diags: &mut Diagnostics,
) -> Option<Login> {
    let login = config.login.as_ref()?;
    let at = format!("codegen config: api `{}` login", config.module);
    let Some(op) = operations.iter().find(|op| op.wire_id == login.operation) else {
        diags.error(&at, format!("no operation `{}` in the document", login.operation), None);
        return None;
    };
    let body = match op.body.as_ref().map(|body| &body.kind) {
        Some(BodyKind::Json(ty)) if op.params.iter().all(|param| !param.required) => ty.clone(),
        _ => {
            diags.error(&at, format!("`{}` must take a JSON body and no required parameter", login.operation), None);
            return None;
        }
    };
    match schemes.iter().find(|scheme| scheme.wire_name == login.scheme) {
        Some(scheme) if scheme.source_setter.is_some() => {}
        Some(_) => {
            diags.error(&at, format!("`{}` is HTTP Basic, which a token cannot feed", login.scheme), None);
            return None;
        }
        None => {
            diags.error(&at, format!("`{}` is not a security scheme of the document", login.scheme), None);
            return None;
        }
    }
    Some(Login {
        setter: names.claim("login"),
        operation: op.rust_name.clone(),
        body,
        scheme: login.scheme.clone(),
        token_path: login.token.clone(),
        expires_in_path: login.expires_in.clone(),
        lifetime_seconds: login.lifetime_seconds,
    })
}

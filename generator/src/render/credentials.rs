//! Credentials in the client and its builder: the constructor's arguments for the scheme
//! every operation needs, a setter per other scheme, a setter per scheme that takes a token
//! source, and how `from_env` reads each.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::docs::{doc_attrs, paragraphs};
use super::ident;
use crate::ir::*;

/// The scheme `new` and `builder` take a credential for: the one the API requires.
pub(super) fn primary_scheme(api: &Api) -> Option<&SecurityScheme> {
    let mut required = api.security_schemes.iter().filter(|s| !s.optional);
    match (required.next(), required.next()) {
        (Some(only), None) => Some(only),
        _ => None,
    }
}

/// The names of a scheme's credential arguments: the principal it has (a user, a client
/// id), and the secret.
pub(super) struct ArgNames {
    pub principal: Option<&'static str>,
    pub secret: &'static str,
}

pub(super) fn arg_names(scheme: &SecurityScheme) -> ArgNames {
    match scheme.kind {
        SecurityKind::Basic => ArgNames { principal: Some("username"), secret: "password" },
        SecurityKind::ClientCredentials(_) => ArgNames { principal: Some("client_id"), secret: "client_secret" },
        _ => ArgNames { principal: None, secret: "api_key" },
    }
}

/// The arguments that carry a scheme's credential, and the names passed on.
pub(super) fn credential_args(scheme: &SecurityScheme) -> (TokenStream, TokenStream) {
    let ArgNames { principal, secret } = arg_names(scheme);
    let secret = format_ident!("{secret}");
    match principal.map(|name| format_ident!("{name}")) {
        Some(principal) => {
            (quote! { #principal: impl Into<String>, #secret: runtime::ApiKey }, quote! { #principal, #secret })
        }
        None => (quote! { #secret: runtime::ApiKey }, quote! { #secret }),
    }
}

/// The credential a scheme stores, from its arguments (named as [`arg_names`] says).
pub(super) fn credential_expr(scheme: &SecurityScheme) -> TokenStream {
    let ArgNames { principal, secret } = arg_names(scheme);
    let key = format_ident!("{secret}");
    let principal = principal.map(|name| format_ident!("{name}"));
    match &scheme.kind {
        SecurityKind::ApiKey { location: ParamLocation::Query, name, .. } => {
            quote! { runtime::Credential::Query { name: #name, key: #key } }
        }
        SecurityKind::ApiKey { location: ParamLocation::Cookie, name, .. } => {
            quote! { runtime::Credential::Cookie { name: #name, key: #key } }
        }
        SecurityKind::ApiKey { name, prefix, .. } if prefix.is_empty() => {
            quote! { runtime::Credential::Header { name: #name, key: #key } }
        }
        SecurityKind::ApiKey { name, prefix, .. } => quote! {
            runtime::Credential::Header { name: #name, key: runtime::ApiKey::new(format!("{}{}", #prefix, #key.expose())) }
        },
        SecurityKind::Bearer => quote! { runtime::Credential::Bearer(#key) },
        // The secret's argument is `password` (see `arg_names`).
        SecurityKind::Basic => quote! { runtime::Credential::Basic { username: #principal.into(), password } },
        SecurityKind::ClientCredentials(flow) => {
            let grant = client_credentials(flow, principal.as_ref(), &key);
            quote! { runtime::Credential::from_source(runtime::Place::Bearer, #grant) }
        }
    }
}

/// The OAuth2 grant of a client credentials flow, with what the document and the settings
/// say of it.
fn client_credentials(flow: &ClientCredentialsFlow, client_id: Option<&Ident>, secret: &Ident) -> TokenStream {
    let token_url = &flow.token_url;
    let server = flow.documented_server.as_ref().map(|server| quote! { .documented_server(#server) });
    let scopes = &flow.scopes;
    let scopes = (!scopes.is_empty()).then(|| quote! { .scopes([#(#scopes),*]) });
    let auth = flow.auth_in_body.then(|| quote! { .client_auth(runtime::ClientAuth::Body) });
    let form = flow.form.iter().map(|(name, value)| quote! { .form_field(#name, #value) });
    quote! {
        runtime::ClientCredentials::new(#token_url, #client_id, #secret) #server #scopes #auth #(#form)*
    }
}

/// Where a token from a source goes, for a scheme that takes one.
fn place(scheme: &SecurityScheme) -> Option<TokenStream> {
    Some(match &scheme.kind {
        SecurityKind::ApiKey { location: ParamLocation::Query, name, .. } => quote! { runtime::Place::Query(#name) },
        SecurityKind::ApiKey { location: ParamLocation::Cookie, name, .. } => quote! { runtime::Place::Cookie(#name) },
        SecurityKind::ApiKey { name, prefix, .. } => quote! { runtime::Place::Header { name: #name, prefix: #prefix } },
        SecurityKind::Bearer | SecurityKind::ClientCredentials(_) => quote! { runtime::Place::Bearer },
        SecurityKind::Basic => return None,
    })
}

/// The credential of the one required scheme, an argument of `new` and `builder`: the
/// arguments, the names passed on, and the statements that set it on the config.
pub(super) struct PrimaryCredential {
    pub args: TokenStream,
    pub names: TokenStream,
    pub apply: TokenStream,
}

pub(super) fn primary_credential(primary: Option<&SecurityScheme>) -> PrimaryCredential {
    let Some(scheme) = primary else {
        return PrimaryCredential { args: quote! {}, names: quote! {}, apply: quote! {} };
    };
    let wire = &scheme.wire_name;
    let (args, names) = credential_args(scheme);
    let credential = credential_expr(scheme);
    PrimaryCredential { args, names, apply: quote! { config.set_credential(#wire, #credential); } }
}

/// Setters of the builder: one per scheme but the primary one, which takes its credential,
/// and one per scheme that can take a token source.
pub(super) fn scheme_setters(api: &Api, primary: Option<&SecurityScheme>) -> Vec<TokenStream> {
    let fixed = api
        .security_schemes
        .iter()
        .filter(|scheme| primary.is_none_or(|primary| primary.wire_name != scheme.wire_name))
        .map(fixed_setter);
    let sources = api.security_schemes.iter().filter_map(source_setter);
    fixed.chain(sources).chain(login_setter(api)).collect()
}

/// The setter that makes the client log in for its token (from the settings' `login`).
fn login_setter(api: &Api) -> Option<TokenStream> {
    let login = api.login.as_ref()?;
    let scheme = api.security_schemes.iter().find(|scheme| scheme.wire_name == login.scheme)?;
    let place = place(scheme)?;
    let (setter, operation) = (ident(&login.setter), ident(&login.operation));
    let body = super::type_tokens(&login.body, true);
    let wire = &scheme.wire_name;
    let token = &login.token_path;
    let expires_in = match &login.expires_in_path {
        Some(path) => quote! { Some(#path) },
        None => quote! { None },
    };
    let lifetime = match login.lifetime_seconds {
        Some(seconds) => {
            let seconds = proc_macro2::Literal::u64_unsuffixed(seconds);
            quote! { Some(std::time::Duration::from_secs(#seconds)) }
        }
        None => quote! { None },
    };
    let docs = doc_attrs(&paragraphs(&[Some(&format!(
        "Logs in with `body` through `Client::{operation}` when a call first needs the `{wire}` \
         credential, and again when the token expires or a call is answered 401: one login at a \
         time for this client and its clones. The token is read from `{token}` of the answer."
    ))]));
    Some(quote! {
        #docs
        pub fn #setter(mut self, body: #body) -> Self {
            let login = move |core: &runtime::ClientCore| {
                Client { core: core.clone() }.#operation(body.clone()).without_tokens().send()
            };
            self.config.set_token_source(#wire, #place, runtime::Login::new(login, #token, #expires_in, #lifetime));
            self
        }
    })
}

fn fixed_setter(scheme: &SecurityScheme) -> TokenStream {
    let name = ident(&scheme.rust_name);
    let wire = &scheme.wire_name;
    let what = match scheme.kind {
        SecurityKind::ClientCredentials(_) => "the OAuth2 client of",
        _ => "the credential of",
    };
    let docs = doc_attrs(&paragraphs(&[
        scheme.description.as_deref(),
        Some(&format!("Sets {what} the `{wire}` security scheme.")),
    ]));
    let (args, _) = credential_args(scheme);
    let credential = credential_expr(scheme);
    quote! {
        #docs
        pub fn #name(mut self, #args) -> Self {
            self.config.set_credential(#wire, #credential);
            self
        }
    }
}

fn source_setter(scheme: &SecurityScheme) -> Option<TokenStream> {
    let name = ident(scheme.source_setter.as_deref()?);
    let place = place(scheme)?;
    let wire = &scheme.wire_name;
    let docs = doc_attrs(&paragraphs(&[Some(&format!(
        "Takes the credential of the `{wire}` security scheme from `source` (a vault, a file that \
         rotates, a login) instead of a fixed value, replacing any given before: fetched when a call \
         first needs it, kept for this client and its clones, fetched again ahead of its expiry and \
         once after a 401."
    ))]));
    Some(quote! {
        #docs
        pub fn #name(mut self, source: impl runtime::TokenSource) -> Self {
            self.config.set_token_source(#wire, #place, source);
            self
        }
    })
}

/// The environment variables of a credential (`<API>_API_KEY`; a principal's and a secret's
/// for Basic and OAuth2 clients), from the module's prefix.
pub(super) fn credential_vars(prefix: &str, scheme: &SecurityScheme, primary: bool) -> (Option<String>, String) {
    let stem = if primary {
        prefix.to_owned()
    } else {
        format!("{prefix}_{}", scheme.rust_name.trim_end_matches('_').to_uppercase())
    };
    match scheme.kind {
        SecurityKind::Basic => (Some(format!("{stem}_USER")), format!("{stem}_PASSWORD")),
        SecurityKind::ClientCredentials(_) => (Some(format!("{stem}_CLIENT_ID")), format!("{stem}_CLIENT_SECRET")),
        _ if primary => (None, format!("{stem}_API_KEY")),
        _ => (None, stem),
    }
}

/// How `from_env` sets an optional scheme's credential when its variables (`vars`, from
/// [`credential_vars`]) are set.
pub(super) fn optional_from_env(scheme: &SecurityScheme, vars: &(Option<String>, String)) -> TokenStream {
    let setter = ident(&scheme.rust_name);
    match vars {
        (Some(principal), secret) => quote! {
            if let (Some(principal), Some(secret)) = (runtime::optional_env(#principal), runtime::optional_env(#secret)) {
                builder = builder.#setter(principal, runtime::ApiKey::new(secret));
            }
        },
        (None, secret) => quote! {
            if let Some(secret) = runtime::optional_env(#secret) {
                builder = builder.#setter(runtime::ApiKey::new(secret));
            }
        },
    }
}

/// The names of the headers or query parameters (`place`) the API's keys go in
/// (`Authorization` and cookies are always redacted).
pub(super) fn secret_names(api: &Api, place: ParamLocation) -> Vec<String> {
    let mut names: Vec<String> = api
        .security_schemes
        .iter()
        .filter_map(|scheme| match &scheme.kind {
            SecurityKind::ApiKey { location, name, .. } if *location == place => Some(match place {
                ParamLocation::Header => name.to_ascii_lowercase(),
                _ => name.clone(),
            }),
            _ => None,
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// `SECRETS`: where the API sends credentials besides `Authorization`, redacted wherever a
/// request is shown (the test kit, the command line's `--verbose` and `--dry-run`).
pub(super) fn secrets_const(api: &Api) -> TokenStream {
    let (headers, query) = (secret_names(api, ParamLocation::Header), secret_names(api, ParamLocation::Query));
    quote! {
        /// Where this API sends credentials (besides `Authorization`), redacted wherever a
        /// request is shown.
        #[cfg(any(feature = "mock", feature = "cli"))]
        const SECRETS: runtime::capture::Secrets = runtime::capture::Secrets {
            headers: &[#(#headers),*],
            query: &[#(#query),*],
        };
    }
}

//! An API's module root: server variables, `Client` and `ClientBuilder`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::credentials::{
    ArgNames, PrimaryCredential, arg_names, credential_args, credential_vars, optional_from_env, primary_credential,
    primary_scheme, scheme_setters, secrets_const,
};
use super::docs::{doc_attrs, inner_doc_attrs, paragraphs};
use super::ident;
use crate::ir::{Api, SecurityKind, SecurityScheme, Server, ServerVariable};

fn variable_enum(variable: &ServerVariable) -> TokenStream {
    let name = format_ident!("{}", variable.type_name);
    let idents: Vec<_> = variable.values.iter().map(|v| format_ident!("{}", v.rust_name)).collect();
    let wires: Vec<_> = variable.values.iter().map(|v| v.wire_value.as_str()).collect();
    let default_index = variable.values.iter().position(|v| v.wire_value == variable.default).unwrap_or(0);
    let default_marks = (0..idents.len()).map(|i| {
        if i == default_index {
            quote! { #[default] }
        } else {
            quote! {}
        }
    });
    let docs = doc_attrs(&paragraphs(&[
        variable.description.as_deref(),
        Some(&format!("The `{}` server variable; the default is `{}`.", variable.wire_name, variable.default)),
    ]));
    let variant_docs = wires.iter().map(|w| format!(" `{w}`"));
    quote! {
        #docs
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        #[non_exhaustive]
        pub enum #name {
            #( #[doc = #variant_docs] #default_marks #idents, )*
        }

        impl #name {
            /// Every value, in the spec's order.
            pub const ALL: &'static [Self] = &[#(Self::#idents),*];

            /// The value as it goes into the URL.
            pub fn as_str(self) -> &'static str {
                match self {
                    #( Self::#idents => #wires, )*
                }
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    }
}

/// The environment variables `Client::from_env` reads, named once for its code, its docs
/// and the command line: `<API>_BASE_URL` (or the settings' name), one per server variable
/// (`<API>_REGION`), the required credential's (`<API>_API_KEY`; Basic: `<API>_USER` and
/// `<API>_PASSWORD`), each optional scheme's (`<API>_<SCHEME>`), and the PEM file of extra CA
/// certificates (`<API>_CA_CERT`).
pub(super) struct EnvNames {
    pub base_url: String,
    /// One per server variable, in order.
    pub servers: Vec<String>,
    /// The required credential: its principal's (a user, a client id) and its secret's.
    pub primary: Option<(Option<String>, String)>,
    /// Each optional scheme's: its principal's and its secret's.
    pub optional: Vec<(Option<String>, String)>,
    pub ca_cert: String,
}

pub(super) fn env_names(api: &Api) -> EnvNames {
    let prefix = api.module.to_uppercase();
    let server = absolute_server(api);
    let variables: &[ServerVariable] = server.map(|s| s.variables.as_slice()).unwrap_or_default();
    EnvNames {
        base_url: api.base_url_env.clone(),
        servers: variables
            .iter()
            .map(|v| format!("{prefix}_{}", v.rust_name.trim_end_matches('_').to_uppercase()))
            .collect(),
        primary: primary_scheme(api).map(|scheme| credential_vars(&prefix, scheme, true)),
        optional: api
            .security_schemes
            .iter()
            .filter(|s| s.optional)
            .map(|scheme| credential_vars(&prefix, scheme, false))
            .collect(),
        ca_cert: format!("{prefix}_CA_CERT"),
    }
}

/// Whether the client has `from_env`: when its credentials come from one required scheme
/// (or none is required).
pub(super) fn has_from_env(api: &Api) -> bool {
    primary_scheme(api).is_some() || api.security_schemes.iter().all(|s| s.optional)
}

/// The server the client's URL comes from: the first with an absolute URL.
pub(super) fn absolute_server(api: &Api) -> Option<&Server> {
    api.servers.iter().find(|s| s.is_absolute())
}

/// `Client::from_env`, and the builder it builds (which the command line also sets up).
fn from_env(api: &Api, server_variables: Option<&[ServerVariable]>, primary: Option<&SecurityScheme>) -> TokenStream {
    let names = env_names(api);
    let base_var = names.base_url.as_str();
    let server = env_server(base_var, server_variables, &names.servers);
    let (credential, builder, credential_doc) = match (primary, &names.primary) {
        (Some(scheme), Some((principal_var, secret_var))) => {
            let (_, args) = credential_args(scheme);
            let ArgNames { principal, secret } = arg_names(scheme);
            let secret_ident = quote::format_ident!("{secret}");
            let read_principal = principal.zip(principal_var.as_ref()).map(|(name, var)| {
                let name = quote::format_ident!("{name}");
                quote! { let #name = runtime::required_env(#var, #var)?; }
            });
            let doc = match (principal_var, &scheme.kind) {
                (Some(var), SecurityKind::Basic) => {
                    format!("; the user from `{var}` and the password from `{secret_var}`")
                }
                (Some(var), _) => format!("; the client id from `{var}` and the secret from `{secret_var}`"),
                (None, _) => format!("; the key from `{secret_var}`"),
            };
            (
                quote! {
                    #read_principal
                    let #secret_ident = runtime::ApiKey::from_env(#secret_var)?;
                },
                quote! { Self::builder(#args) },
                doc,
            )
        }
        _ => (quote! {}, quote! { Self::builder() }, String::new()),
    };
    let optional_schemes = api.security_schemes.iter().filter(|s| s.optional);
    let optional_sets: Vec<TokenStream> =
        optional_schemes.zip(&names.optional).map(|(scheme, vars)| optional_from_env(scheme, vars)).collect();
    let ca_var = &names.ca_cert;
    let source = if names.servers.is_empty() {
        format!("`{base_var}`")
    } else {
        format!(
            "`{base_var}`, or else {}",
            names.servers.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(" and ")
        )
    };
    let optional_doc = names
        .optional
        .iter()
        .flat_map(|(principal, secret)| principal.iter().chain([secret]))
        .map(|v| format!(", `{v}` when set"))
        .collect::<String>();
    let docs = doc_attrs(&paragraphs(&[
        Some("A client configured from the environment."),
        Some(&format!(
            "The server comes from {source}{credential_doc}{optional_doc}; extra CA certificates \
             (PEM) from the file `{ca_var}` when set. Errors name the variable, never a secret value."
        )),
    ]));
    quote! {
        #docs
        pub fn from_env() -> Result<Self, runtime::EnvError> {
            Ok(Self::builder_from_env()?.build()?)
        }

        /// The builder [`from_env`](Self::from_env) builds.
        pub(crate) fn builder_from_env() -> Result<ClientBuilder, runtime::EnvError> {
            #credential
            let mut builder = #builder;
            #server
            #(#optional_sets)*
            if let Some(pem) = runtime::pem_from_env(#ca_var)? {
                builder = builder.add_root_certificates_pem(pem);
            }
            Ok(builder)
        }
    }
}

/// The statements of `from_env` that choose the server.
fn env_server(base_var: &str, server_variables: Option<&[ServerVariable]>, var_names: &[String]) -> TokenStream {
    let variables = server_variables.unwrap_or_default();
    let server_sets = variables.iter().zip(var_names).map(|(v, env)| {
        let name = ident(&v.rust_name);
        if v.values.is_empty() {
            quote! { builder = builder.#name(runtime::required_env(#env, #base_var)?); }
        } else {
            let ty = format_ident!("{}", v.type_name);
            quote! {
                let value = runtime::required_env(#env, #base_var)?;
                let parsed = #ty::ALL.iter().find(|v| v.as_str().eq_ignore_ascii_case(value.trim())).copied();
                builder = builder.#name(parsed.ok_or_else(|| runtime::EnvError::Invalid {
                    variable: #env.to_owned(),
                    value,
                    expected: #ty::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", "),
                })?);
            }
        }
    });
    match server_variables {
        // No absolute server in the spec: the base URL must be given.
        None => quote! {
            let url = runtime::optional_env(#base_var).ok_or_else(|| runtime::EnvError::Missing(format!("`{}`", #base_var)))?;
            builder = builder.base_url(url);
        },
        Some([]) => quote! {
            if let Some(url) = runtime::optional_env(#base_var) {
                builder = builder.base_url(url);
            }
        },
        Some(_) => quote! {
            match runtime::optional_env(#base_var) {
                Some(url) => builder = builder.base_url(url),
                None => { #(#server_sets)* }
            }
        },
    }
}

/// What the server variables add to the builder: fields, their defaults, setters, and the
/// substitutions into the server URL.
#[derive(Default)]
struct VariableParts {
    fields: Vec<TokenStream>,
    inits: Vec<TokenStream>,
    setters: Vec<TokenStream>,
    substitutions: Vec<TokenStream>,
}

fn variable_parts(variables: &[ServerVariable]) -> VariableParts {
    let mut parts = VariableParts::default();
    for v in variables {
        let name = ident(&v.rust_name);
        let placeholder = format!("{{{}}}", v.wire_name);
        let docs = doc_attrs(&paragraphs(&[
            v.description.as_deref(),
            Some(&format!("Sets the `{}` server variable.", v.wire_name)),
        ]));
        if v.values.is_empty() {
            let default = &v.default;
            parts.fields.push(quote! { #name: String, });
            parts.inits.push(quote! { #name: #default.to_owned(), });
            parts.setters.push(
                quote! { #docs pub fn #name(mut self, value: impl Into<String>) -> Self { self.#name = value.into(); self } },
            );
            parts.substitutions.push(quote! { .replace(#placeholder, &self.#name) });
        } else {
            let ty = format_ident!("{}", v.type_name);
            parts.fields.push(quote! { #name: #ty, });
            parts.inits.push(quote! { #name: Default::default(), });
            parts
                .setters
                .push(quote! { #docs pub fn #name(mut self, value: #ty) -> Self { self.#name = value; self } });
            parts.substitutions.push(quote! { .replace(#placeholder, self.#name.as_str()) });
        }
    }
    parts
}

/// `Client::new`: the enum server variables (or a base URL when the spec has no absolute
/// server), then the primary credential.
fn client_new(server: Option<&Server>, variables: &[ServerVariable], credential: &PrimaryCredential) -> TokenStream {
    let key_names = &credential.names;
    let (mut args, body, docs) = match server {
        Some(server) => {
            let enum_vars: Vec<_> = variables.iter().filter(|v| !v.values.is_empty()).collect();
            let args: Vec<_> = enum_vars
                .iter()
                .map(|v| {
                    let (name, ty) = (ident(&v.rust_name), format_ident!("{}", v.type_name));
                    quote! { #name: #ty }
                })
                .collect();
            let sets = enum_vars.iter().map(|v| {
                let name = ident(&v.rust_name);
                quote! { .#name(#name) }
            });
            let url = &server.url;
            (
                args,
                quote! { Self::builder(#key_names) #(#sets)* .build() },
                format!("A client for `{url}` with default settings."),
            )
        }
        None => (
            vec![quote! { base_url: impl Into<String> }],
            quote! { Self::builder(#key_names).base_url(base_url).build() },
            "A client for the API at `base_url` (the spec names no absolute server).".to_owned(),
        ),
    };
    if !credential.args.is_empty() {
        args.push(credential.args.clone());
    }
    let docs = doc_attrs(&docs);
    quote! {
        #docs
        pub fn new(#(#args),*) -> Result<Self, BuildError> {
            #body
        }
    }
}

/// An API's module root: its docs, server-variable enums, `Client` and `ClientBuilder`.
pub fn render_module(api: &Api) -> TokenStream {
    let module_doc = inner_doc_attrs(&paragraphs(&[
        Some(&format!("# {} (version {})", api.title, api.version)),
        api.description.as_deref(),
        Some("Start with [`Client`]; each operation is a method on it that returns a request builder."),
    ]));
    let server = absolute_server(api);
    let variables: &[ServerVariable] = server.map(|s| s.variables.as_slice()).unwrap_or_default();
    let enums: Vec<_> = variables.iter().filter(|v| !v.values.is_empty()).map(variable_enum).collect();
    let primary = primary_scheme(api);
    let client = render_client(api, server, variables, primary);
    let builder = render_builder(api, server, variables, primary);
    let secrets = secrets_const(api);
    quote! {
        #module_doc

        #[cfg(feature = "cli")]
        pub(crate) mod cli;
        #[cfg(feature = "mock")]
        pub mod mock;
        pub mod operations;
        pub mod types;


        use crate::runtime;
        pub use crate::runtime::{ApiError, ApiKey, BuildError, ByteStream, EnvError, Error, File, RateLimit, Response, RetryPolicy};

        #(#enums)*

        #client

        #builder

        #secrets
    }
}

fn render_client(
    api: &Api,
    server: Option<&Server>,
    variables: &[ServerVariable],
    primary: Option<&SecurityScheme>,
) -> TokenStream {
    let credential = primary_credential(primary);
    let new = client_new(server, variables, &credential);
    let from_env = if has_from_env(api) {
        from_env(api, server.map(|_| variables), primary)
    } else {
        quote! {}
    };
    let user_agent: TokenStream =
        "concat!(env!(\"CARGO_PKG_NAME\"), \"/\", env!(\"CARGO_PKG_VERSION\"))".parse().unwrap_or_default();
    // The primary credential is set on the config before the builder holds it.
    let config_binding = if primary.is_some() {
        quote! { mut config }
    } else {
        quote! { config }
    };
    let PrimaryCredential { args: key_arg, apply: key_apply, .. } = credential;
    let var_inits = variable_parts(variables).inits;
    quote! {
        /// The client of this API: cheap to clone, safe to share between tasks.
        #[derive(Debug, Clone)]
        pub struct Client {
            pub(crate) core: runtime::ClientCore,
        }

        impl Client {
            #new

            #from_env

            /// A builder to set the server, timeouts, retries and headers.
            pub fn builder(#key_arg) -> ClientBuilder {
                let #config_binding = runtime::ClientConfig::new(String::new(), #user_agent);
                #key_apply
                ClientBuilder { config, base_url: None, #(#var_inits)* }
            }

            /// The base URL requests go to.
            pub fn base_url(&self) -> &str {
                self.core.base_url()
            }
        }
    }
}

fn render_builder(
    api: &Api,
    server: Option<&Server>,
    variables: &[ServerVariable],
    primary: Option<&SecurityScheme>,
) -> TokenStream {
    let VariableParts { fields, setters, substitutions, .. } = variable_parts(variables);
    let scheme_setters = scheme_setters(api, primary);
    let url_expr = match server {
        Some(server) => {
            let url = &server.url;
            quote! { self.base_url.unwrap_or_else(|| #url.to_owned() #(#substitutions)*) }
        }
        None => quote! { self.base_url.unwrap_or_default() },
    };
    quote! {
        /// Settings of a [`Client`].
        #[derive(Debug, Clone)]
        #[must_use = "a builder does nothing until `.build()`"]
        pub struct ClientBuilder {
            config: runtime::ClientConfig,
            base_url: Option<String>,
            #(#fields)*
        }

        impl ClientBuilder {
            #(#setters)*
            #(#scheme_setters)*

            /// Sends requests to this base URL instead (a proxy, a mock, an on-premises host).
            pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
                self.base_url = Some(base_url.into());
                self
            }

            // The setters every API's builder has (their names are in `naming::scope`).
            crate::runtime::builder_settings!();

            /// Builds the client.
            pub fn build(self) -> Result<Client, BuildError> {
                let mut config = self.config;
                config.set_base_url(#url_expr);
                Ok(Client { core: config.build()? })
            }
        }
    }
}

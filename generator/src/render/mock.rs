//! An API's test kit → its `mock` module (feature `mock`): a mock server with one method
//! per operation, typed with the operation's body, success and error types, and `capture`.
//! The behaviour is the runtime's (`runtime::mock`); this holds what each operation adds.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::{doc_attrs, inner_doc_attrs};
use super::responses::{self, Seen};
use super::{features, ident, type_tokens};
use crate::ir::*;

/// The module `mock.rs` of an API whose operations live in `entries` (module, operation).
pub(super) fn render_mock_module(api: &Api, entries: &[(String, &Operation)]) -> TokenStream {
    let module_doc = inner_doc_attrs(&format!(
        "Tests without the {title} server (feature `mock`): [`MockServer`] answers on loopback \
         as each operation documents, and [`capture`] shows what a call sends.\n\n\
         A `MockServer` has a method per operation, named as the [`Client`](super::Client)'s; it \
         takes the operation's own types, so an answer that the client would not read as the \
         document says fails the test where it is written.",
        title = api.title
    ));
    let methods: Vec<TokenStream> = entries.iter().map(|(module, op)| operation_method(api, module, op)).collect();
    let methods = quote! { #(#methods)* };
    // Only what the methods name (none for a document without operations); with tag
    // features, a combination may enable no method that names them.
    let unused = api.tag_features.then(|| quote! { #[allow(unused_imports)] });
    let api_module = ident(&api.module);
    let uses_types = super::mentions(&methods, "types").then(|| quote! { #unused use crate::#api_module::types; });
    let uses_operations = (!entries.is_empty()).then(|| {
        quote! {
            #unused use crate::#api_module::operations;
            #unused use crate::runtime::mock::When;
        }
    });
    quote! {
        #module_doc

        #uses_operations
        #uses_types
        use crate::runtime;

        /// A mock of this API on a loopback port: point a [`Client`](super::Client) at
        /// [`uri`](MockServer::uri), then program each operation the test calls.
        /// Dropping it checks the expected call counts (`times`).
        #[derive(Debug)]
        pub struct MockServer(runtime::mock::MockServer);

        impl MockServer {
            /// Starts a server on a free loopback port.
            pub async fn start() -> Self {
                Self(runtime::mock::MockServer::start(super::SECRETS).await)
            }

            /// Its base URL, for `Client::builder(..).base_url(..)`.
            pub fn uri(&self) -> String {
                self.0.uri()
            }

            /// Every request it received, in order, credentials redacted.
            pub async fn calls(&self) -> Vec<runtime::mock::Call> {
                self.0.calls().await
            }

            #methods
        }

        /// What `call` sends, without any server: the method, URL, headers (credentials
        /// redacted) and body of its request. `builder` holds the credentials and settings;
        /// its base URL and retries are replaced.
        ///
        /// # Panics
        /// When the call sends nothing (it failed before: an input the client refuses).
        pub async fn capture<F, Fut>(builder: super::ClientBuilder, call: F) -> runtime::mock::Call
        where
            F: FnOnce(super::Client) -> Fut,
            Fut: std::future::Future,
        {
            let capture = runtime::mock::Capture::new(super::SECRETS);
            let client = builder
                .base_url(runtime::mock::Capture::BASE_URL)
                .retry(runtime::RetryPolicy::disabled())
                .request_hook(capture.hook())
                .build()
                .expect("the capturing client builds");
            capture.run(call(client)).await
        }
    }
}

/// The mock server's method for one operation.
fn operation_method(api: &Api, module: &str, op: &Operation) -> TokenStream {
    let gate = features::operation_feature(api, op).map(|feature| quote! { #[cfg(feature = #feature)] });
    let Seen { success, error, reader } = responses::seen_from_api(op, module);
    let body = match op.body.as_ref().map(|body| &body.kind) {
        Some(BodyKind::Json(ty) | BodyKind::Form(ty)) => type_tokens(ty, true),
        _ => quote! { () },
    };
    let module = format_ident!("{}", module);
    let name = ident(&op.rust_name);
    let docs = doc_attrs(&format!(
        "The calls of `{} {}`, [`Client::{}`](super::Client::{}).",
        op.method.as_str(),
        op.path_template,
        op.rust_name,
        op.rust_name
    ));
    quote! {
        #docs
        #gate
        pub fn #name(&self) -> When<'_, #body, #success, #error> {
            self.0.when(operations::#module::operation(), #reader)
        }
    }
}

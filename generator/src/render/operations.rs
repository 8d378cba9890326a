//! Operations → one file each: the operation's static description, its input struct, the
//! methods it adds to the runtime's request builder (setters, `send`, pagination), and
//! its method on the client. Parameters, bodies, responses and pagination each have their
//! own module; this one puts their parts together.

use std::collections::BTreeSet;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::docs::{doc_attrs, paragraphs};
use super::inputs::Inputs;
use super::types::collect_names;
use super::{bodies, ident, pagination, parameters, responses};
use crate::ir::*;

/// The public types of an operation's file: its builder, its input and the companions it
/// needs.
pub fn public_types(op: &Operation) -> Vec<&str> {
    let mut names = vec![op.type_name.as_str(), op.companion_types.input.as_str()];
    names.extend(responses::public_types(op));
    if op.body.as_ref().is_some_and(|b| matches!(b.kind, BodyKind::Multipart(_))) {
        names.push(&op.companion_types.form);
    }
    names
}

/// The client method's arguments: the operation's required inputs, in order.
fn arguments(op: &Operation) -> (Vec<Ident>, Vec<TokenStream>) {
    parameters::arguments(op).chain(bodies::arguments(op)).unzip()
}

fn inputs(op: &Operation) -> Inputs {
    let mut inputs = Inputs::default();
    parameters::add(op, &mut inputs);
    bodies::add(op, &mut inputs);
    inputs
}

/// The file of one operation of the API in module `module`.
pub fn render_operation(module: &str, op: &Operation) -> TokenStream {
    let inputs = inputs(op);
    let statuses = responses::statuses(op);
    let send = responses::send(op, !statuses.streams.is_empty());
    let pagination = op.pagination.as_ref().map(|p| pagination::render(op, p, &send.success_ty, &send.error_ty));
    let builder = format_ident!("{}", op.type_name);
    let input = format_ident!("{}", op.companion_types.input);
    let (args, arg_types) = arguments(op);
    let uses_types = uses_types(op).then(|| {
        let module = ident(module);
        quote! { use crate::#module::types; }
    });
    let info = operation_info(op, statuses);
    let builder_docs = builder_docs(module, op);
    let input_docs = doc_attrs(&format!("The inputs of [`{builder}`], set through its methods."));
    let encode = encode(op, &inputs.encode);
    let Inputs { fields, inits, setters, items, .. } = inputs;
    let send_method = &send.method;
    let answer_items = &send.items;
    quote! {
        #uses_types
        use crate::runtime::{self, OperationInfo, Request};

        #info

        #builder_docs
        pub type #builder = runtime::RequestBuilder<#input>;

        #input_docs
        #[derive(Clone)]
        #[doc(hidden)]
        pub struct #input {
            #(#fields)*
        }

        impl #builder {
            pub(super) fn new(core: runtime::ClientCore, #(#args: #arg_types),*) -> Self {
                let input = #input { #(#inits),* };
                Self { core, input, options: None }
            }

            #(#setters)*

            #send_method

            #pagination
        }

        #encode

        #(#answer_items)*

        #(#items)*
    }
}

/// `operation()`: what the runtime knows about the operation, a constant promoted to
/// `'static` (cheaper to check than a `static` item; see `runtime::Method`).
fn operation_info(op: &Operation, statuses: responses::StatusLists) -> TokenStream {
    let (id, path, retry_safe, security) = (&op.wire_id, &op.path_template, op.retry_safe, &op.security);
    let method = format_ident!("{}", heck::ToUpperCamelCase::to_upper_camel_case(op.method.as_str()));
    let responses::StatusLists { success, errors, streams } = statuses;
    quote! {
        /// What the runtime knows about the operation.
        pub(crate) fn operation() -> &'static OperationInfo {
            &OperationInfo {
                id: #id,
                method: runtime::Method::#method,
                path: #path,
                retry_safe: #retry_safe,
                security: &[#(#security),*],
                streams: &[#(#streams),*],
                success: &[#(#success),*],
                errors: &[#(#errors),*],
            }
        }
    }
}

fn builder_docs(module: &str, op: &Operation) -> TokenStream {
    let created_by = format!("Created by [`Client::{0}`](crate::{module}::Client::{0}).", op.rust_name);
    let raw_body = op.body.as_ref().filter(|body| !body.alternatives.is_empty()).map(|body| {
        let others: Vec<String> = body.alternatives.iter().map(|m| format!("`{m}`")).collect();
        format!(
            "Besides `{}` (the typed body), the operation accepts {}: send those with \
             [`raw_body`](runtime::RequestBuilder::raw_body).",
            body.media_type,
            others.join(", ")
        )
    });
    let summary =
        format!("Request builder for `{} {}`: set inputs, then `.send()`.", op.method.as_str(), op.path_template);
    // Written here, not taken from the spec: no escaping, so the links work.
    let text = [Some(summary), Some(created_by), raw_body].into_iter().flatten().collect::<Vec<_>>().join("\n\n");
    doc_attrs(&text)
}

/// `encode`: the request of the operation from its inputs.
fn encode(op: &Operation, statements: &[TokenStream]) -> TokenStream {
    let input = format_ident!("{}", op.companion_types.input);
    let (segments, path) = parameters::path_expr(op);
    let accept = op.success.iter().find_map(|r| match &r.body {
        Some(ResponseBody::Json(_)) => Some(quote! { request.accept("application/json"); }),
        _ => None,
    });
    let body = if statements.is_empty() && accept.is_none() {
        quote! {
            #(#segments)*
            Ok(Request::new(operation(), #path))
        }
    } else {
        quote! {
            #(#segments)*
            let mut request = Request::new(operation(), #path);
            #(#statements)*
            #accept
            Ok(request)
        }
    };
    quote! {
        impl runtime::Encode for #input {
            fn encode(self) -> Result<Request, String> {
                #body
            }
        }
    }
}

/// The operation's method on the client (all of them go in one `impl` block).
pub fn client_method(op: &Operation) -> TokenStream {
    let (args, arg_types) = arguments(op);
    let builder = format_ident!("{}", op.type_name);
    let name = ident(&op.rust_name);
    let signature = format!("`{} {}` (operation `{}`).", op.method.as_str(), op.path_template, op.wire_id);
    let deprecated_note = op.deprecated.then_some("**Deprecated** by the API.");
    let docs =
        doc_attrs(&paragraphs(&[op.summary.as_deref(), op.description.as_deref(), Some(&signature), deprecated_note]));
    let deprecated = op.deprecated.then(|| quote! { #[deprecated = "deprecated by the API"] });
    quote! {
        #docs
        #deprecated
        pub fn #name(&self, #(#args: #arg_types),*) -> #builder {
            #builder::new(self.core.clone(), #(#args),*)
        }
    }
}

/// Whether the operation's file names a type of the API's `types` module.
fn uses_types(op: &Operation) -> bool {
    let mut names = BTreeSet::new();
    let mut note = |ty: &TypeRef| collect_names(ty, &mut names);
    op.type_refs().into_iter().for_each(&mut note);
    if let Some(pagination) = &op.pagination {
        note(&pagination.item_type);
    }
    // Errors of several types are a type of `types`, whatever types their bodies are.
    !names.is_empty() || op.errors_by_status()
}

//! Writes one call per operation of the APIs too large to call by hand (the Security Console
//! has 329): `$OUT_DIR/generated_calls.rs`, from the same IR the client was generated from.
//! Required inputs get values built from their types (the samples below) and go through
//! serde into the client's own types, so a call compiles only if the client offers exactly
//! that operation with exactly those required arguments.

use std::collections::BTreeSet;
use std::path::Path;

use clientgen::ir::{Api, BodyKind, Operation, ResponseBody, TypeKind, TypeRef};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::{Value, json};

/// The APIs whose calls are written here, not by hand in `src/calls.rs`.
const GENERATED: &[&str] = &["insightvm_console"];

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest).parent().expect("the conformance crate sits in the workspace");
    println!("cargo::rerun-if-changed={}", root.join("specs").display());
    let config = clientgen::Config::load(&root.join("specs/codegen.toml")).unwrap_or_else(|error| panic!("{error}"));
    let generated = clientgen::generate_project(root, &config).unwrap_or_else(|errors| {
        panic!("codegen failed: {}", errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))
    });
    let functions = generated.apis.iter().filter(|api| GENERATED.contains(&api.module.as_str())).map(api_calls);
    let code = quote! { #(#functions)* }.to_string().replace("crate :: runtime", "secops_clients :: runtime");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("generated_calls.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}

/// `async fn <module>_call(client, id, expect)`: a match over every operation.
fn api_calls(api: &Api) -> TokenStream {
    let module = format_ident!("{}", api.module);
    let function = format_ident!("{}_call", api.module);
    let arms = api.operations.iter().map(|op| {
        let id = &op.wire_id;
        let call = operation_call(api, op);
        let success = op.success.iter().find_map(|r| r.body.as_ref());
        let judge = match success {
            Some(ResponseBody::Binary) => quote! { judge_stream },
            _ => quote! { judge_decoded },
        };
        // The client asks for JSON only when the success is JSON; a mock asked for an
        // error of such an operation is told that errors are wanted as JSON.
        let prefer = match success {
            Some(ResponseBody::Json(_)) | None => quote! { prefer },
            _ => quote! { prefer_json_error },
        };
        quote! { #id => #judge(#prefer!(#call, expect).send().await, expect).await, }
    });
    quote! {
        /// Calls operation `id` of the generated client with sample inputs and judges the answer.
        pub async fn #function(
            client: &secops_clients::#module::Client,
            id: &str,
            expect: Expect,
        ) -> Result<String, crate::Failure> {
            #[allow(unused_imports)]
            use secops_clients::#module::types;
            match id {
                #(#arms)*
                other => Err(crate::Failure::Plain(format!("no generated call for operation `{other}`"))),
            }
        }
    }
}

/// `client.<method>(<required arguments>)`.
fn operation_call(api: &Api, op: &Operation) -> TokenStream {
    let method = format_ident!("{}", op.rust_name);
    let mut args: Vec<TokenStream> =
        op.params.iter().filter(|p| p.required).map(|p| typed_sample(api, &p.ty)).collect();
    match op.body.as_ref().map(|b| (&b.kind, b.required)) {
        Some((BodyKind::Json(ty) | BodyKind::Form(ty), true)) => args.push(typed_sample(api, ty)),
        Some((BodyKind::Text, true)) => args.push(quote! { String::from("conformance") }),
        Some((BodyKind::Binary, true)) => args.push(quote! { bytes::Bytes::from_static(b"conformance") }),
        Some((BodyKind::Multipart(parts), _)) => {
            for part in parts.iter().filter(|p| p.required) {
                args.push(if part.is_file {
                    quote! { secops_clients::File::from_bytes("conformance.txt", "conformance") }
                } else {
                    quote! { String::from("conformance") }
                });
            }
        }
        _ => {}
    }
    quote! { client.#method(#(#args),*) }
}

/// An expression of the Rust type of `ty` holding a sample value, through serde.
fn typed_sample(api: &Api, ty: &TypeRef) -> TokenStream {
    let rust = clientgen::render::type_tokens(ty, true);
    let text = sample(api, ty, &mut BTreeSet::new()).to_string();
    quote! { sample::<#rust>(#text) }
}

/// A JSON value of type `ty`: required fields only, first enum values, first union variant.
fn sample(api: &Api, ty: &TypeRef, seen: &mut BTreeSet<String>) -> Value {
    match ty {
        TypeRef::Bool => json!(true),
        TypeRef::Int(_) | TypeRef::IntText(_) => json!(1),
        TypeRef::Float(_) => json!(1.5),
        TypeRef::String | TypeRef::Binary => json!("conformance"),
        TypeRef::DateTime => json!("2024-01-01T00:00:00Z"),
        TypeRef::Date => json!("2024-01-01"),
        TypeRef::Uuid => json!("3fa85f64-5717-4562-b3fc-2c963f66afa6"),
        TypeRef::Base64 => json!("Y29uZm9ybWFuY2U="),
        TypeRef::Json | TypeRef::Map(_) => json!({}),
        TypeRef::Array(item) => json!([sample(api, item, seen)]),
        TypeRef::Nullable(inner) | TypeRef::Boxed(inner) => sample(api, inner, seen),
        TypeRef::Named(name) => named_sample(api, name, seen),
    }
}

fn named_sample(api: &Api, name: &str, seen: &mut BTreeSet<String>) -> Value {
    let Some(def) = api.types.iter().find(|t| t.name == name) else { return json!({}) };
    // A required cycle cannot be written out; the innermost level is left empty.
    if !seen.insert(name.to_owned()) {
        return json!({});
    }
    let value = match &def.kind {
        TypeKind::Struct(body) => Value::Object(
            body.fields
                .iter()
                .filter(|f| f.required)
                .map(|f| (f.wire_name.clone(), sample(api, &f.ty, seen)))
                .collect(),
        ),
        TypeKind::Enum(variants) => variants.first().map_or(json!("conformance"), |v| json!(v.wire_value)),
        TypeKind::Union(union) => match union.variants.first() {
            Some(variant) => {
                let mut content = variant.ty.as_ref().map_or(json!({}), |ty| sample(api, ty, seen));
                if let (Some(tag), Some(value), Some(object)) =
                    (&union.tag_property, variant.tags.first(), content.as_object_mut())
                {
                    object.insert(tag.clone(), json!(value));
                }
                content
            }
            None => json!({}),
        },
        TypeKind::Alias(inner) => sample(api, inner, seen),
        // Errors by status are answers, never sent.
        TypeKind::ByStatus(_) => json!({}),
    };
    seen.remove(name);
    value
}

//! Every name the renderer gives itself in a scope is declared in `naming::scope`, so the
//! registries that name spec-derived items can keep clear of it. Checked on the rendered
//! files of the hostile-names fixture and the vendored APIs: each method the generated code
//! defines on `Client`, `ClientBuilder` or a request builder is either a fixed name of that
//! scope or a name the IR handed out there.

use std::collections::BTreeSet;
use std::path::Path;

use clientgen::ir::{Api, BodyKind};
use clientgen::naming::scope;

fn root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// `(type the impl is for, method names)` of every inherent impl in a file.
fn impl_methods(text: &str) -> Vec<(String, Vec<String>)> {
    let file = syn::parse_file(text).expect("generated files parse");
    file.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Impl(block) if block.trait_.is_none() => {
                let syn::Type::Path(path) = &*block.self_ty else { return None };
                let name = path.path.segments.last()?.ident.to_string();
                let methods = block
                    .items
                    .iter()
                    .filter_map(|item| match item {
                        syn::ImplItem::Fn(function) => Some(function.sig.ident.to_string()),
                        _ => None,
                    })
                    .collect();
                Some((name, methods))
            }
            _ => None,
        })
        .collect()
}

fn check(api: &Api, files: &clientgen::render::Files) {
    let base = format!("src/{}/", api.module);
    let client: BTreeSet<String> = scope::CLIENT
        .iter()
        .map(|s| (*s).to_owned())
        .chain(api.operations.iter().map(|op| op.rust_name.clone()))
        .collect();
    let builder: BTreeSet<String> = scope::CLIENT_BUILDER
        .iter()
        .map(|s| (*s).to_owned())
        .chain(api.security_schemes.iter().map(|s| s.rust_name.clone()))
        .chain(api.security_schemes.iter().filter_map(|s| s.source_setter.clone()))
        .chain(api.login.iter().map(|login| login.setter.clone()))
        .chain(api.servers.iter().flat_map(|s| s.variables.iter().map(|v| v.rust_name.clone())))
        .collect();
    for (path, text) in files.iter().filter(|(path, _)| path.starts_with(&base) && path.ends_with(".rs")) {
        for (ty, methods) in impl_methods(text) {
            let allowed: BTreeSet<String> = match ty.as_str() {
                "Client" => client.clone(),
                "ClientBuilder" => builder.clone(),
                _ => match api.operations.iter().find(|op| op.type_name == ty) {
                    Some(op) => {
                        let mut names: BTreeSet<String> =
                            scope::REQUEST_BUILDER_METHODS.iter().map(|s| (*s).to_owned()).collect();
                        names.extend(op.params.iter().map(|p| p.rust_name.clone()));
                        if let Some(BodyKind::Multipart(parts)) = op.body.as_ref().map(|b| &b.kind) {
                            names.extend(parts.iter().map(|p| p.rust_name.clone()));
                        }
                        names
                    }
                    None => continue,
                },
            };
            for method in methods {
                assert!(allowed.contains(&method), "{path}: `{ty}::{method}` is not declared in naming::scope");
            }
        }
    }
}

/// The runtime's `RequestBuilder` methods sit beside every operation's setters, so each is
/// declared in the request builder's scope.
#[test]
fn every_method_of_the_runtime_request_builder_is_declared() {
    let source = std::fs::read_to_string(root().join("templates/crate-runtime/builder.rs")).unwrap();
    let methods: Vec<String> = impl_methods(&source)
        .into_iter()
        .filter(|(ty, _)| ty == "RequestBuilder")
        .flat_map(|(_, methods)| methods)
        .collect();
    assert!(methods.len() >= 7, "the runtime's request builder has its methods: {methods:?}");
    for method in methods {
        assert!(
            scope::REQUEST_BUILDER_METHODS.contains(&method.as_str()),
            "`RequestBuilder::{method}` is not declared"
        );
    }
}

/// The setters every API's builder gets from the runtime's `builder_settings!` sit beside the
/// server-variable and credential setters, so each is declared in the builder's scope.
#[test]
fn every_setter_the_runtime_gives_every_client_builder_is_declared() {
    let source = std::fs::read_to_string(root().join("templates/runtime/client.rs")).unwrap();
    let start = source.find("macro_rules! builder_settings").expect("the runtime defines builder_settings!");
    let setters: Vec<&str> = source[start..]
        .lines()
        .filter_map(|line| line.trim().strip_prefix("pub fn "))
        .filter_map(|rest| rest.split('(').next())
        .collect();
    assert!(setters.len() >= 10, "the macro has its setters: {setters:?}");
    for setter in setters {
        assert!(scope::CLIENT_BUILDER.contains(&setter), "`ClientBuilder::{setter}` is not declared");
    }
}

#[test]
fn every_fixed_name_the_renderer_emits_is_declared_for_its_scope() {
    let fixture = root().join("generator/tests/fixtures/hostile.yaml");
    let hostile = clientgen::generate(clientgen::Source::file(&fixture), &clientgen::Options::new("fixture-hostile"))
        .unwrap_or_else(|e| panic!("{} does not generate: {e:?}", fixture.display()));
    check(&hostile.apis[0], &hostile.files);
    let settings = clientgen::Config::load(&root().join("specs/codegen.toml")).unwrap();
    let project = clientgen::generate_project(&root(), &settings).unwrap();
    for api in &project.apis {
        check(api, &project.files);
    }
}

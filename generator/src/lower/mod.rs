//! Lowering: an OpenAPI document plus its codegen config → [`Api`](crate::ir::Api).
//!
//! The only module that reads openapiv3 types. Problems become diagnostics with the
//! document's JSON pointer, and a fallback keeps the rest of the document usable.

mod operation;
mod pagination;
mod schema;
mod security;
mod selection;
mod servers;

use std::collections::BTreeMap;

use crate::config::ApiConfig;
use crate::diag::{Diagnostics, join};
use crate::ir::*;
use crate::load::LoadedSpec;
use crate::naming::{Registry, compose};
pub use schema::{enum_variants, merge_identical};

use crate::naming::scope;
use operation::{OperationSrc, Scopes, lower_operation};
use pagination::lower_pagination;
use schema::TypeLowerer;
use security::{correct_security, lower_login, lower_security_schemes};
use servers::{lower_servers, misplaced_path_parameters, warn_misplaced_parameters};

/// Lowers a loaded document; its diagnostics are placed where their text came from, and the
/// IR's pointers point into the document as written.
pub fn lower(spec: &LoadedSpec, config: &ApiConfig, diags: &mut Diagnostics) -> Api {
    let start = diags.items.len();
    let mut api = lower_positions(spec, config, diags);
    spec.origins.place_loaded(&mut diags.items[start..], &spec.file);
    api.map_pointers(|pointer| spec.origins.original(pointer));
    api
}

/// Lowers a loaded document, with pointers into it as loaded.
/// An operationId the document gives twice: the operations keep apart by their Rust names,
/// and the settings that name the id reach the first.
fn warn_repeated_id(first: &Operation, again: &Operation, diags: &mut Diagnostics) {
    diags.warn(
        &join(&again.pointer, "operationId"),
        format!(
            "operationId `{}` is also the id of {}; this operation is `{}` in Rust, and settings naming the id apply to the first (`{}`)",
            again.wire_id, first.pointer, again.rust_name, first.rust_name
        ),
    );
}

fn lower_positions(spec: &LoadedSpec, config: &ApiConfig, diags: &mut Diagnostics) -> Api {
    let doc = &spec.doc;
    let mut types = TypeLowerer::new(spec, diags);
    if let Some(components) = &doc.components {
        types.lower_components(&components.schemas);
    }
    // Server variables and security schemes share the client builder's scope.
    let mut builder_scope = Registry::with_reserved(scope::CLIENT_BUILDER);
    let mut security_schemes = lower_security_schemes(doc, config, &mut types, &mut builder_scope);
    if let Some(requirements) = &doc.security {
        operation::warn_undeclared_schemes(requirements, "/security", doc, types.diags);
    }
    let misplaced = misplaced_path_parameters(doc, &types);
    let servers =
        if config.user_base_url { Vec::new() } else { lower_servers(doc, &misplaced, &mut builder_scope, &mut types) };
    warn_misplaced_parameters(&misplaced, &servers, &mut types);
    let mut operations = Vec::new();
    let mut method_names = Registry::with_reserved(scope::CLIENT);
    // Names an operation file uses unqualified.
    let mut op_scope = Registry::with_reserved(scope::OPERATION_FILE);
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    let mut selector = selection::Selector::new(&config.select);
    let mut unselected = Vec::new();
    for (path, item) in &doc.paths.paths {
        let item_pointer = join("/paths", path);
        let Some(item) = types.item_or_warn(item, &item_pointer, "path item", "; skipped") else { continue };
        for (method_name, operation) in item.iter() {
            let Some(method) = method_of(method_name) else { continue };
            let id = operation.operation_id.clone().unwrap_or_else(|| format!("{method_name} {path}"));
            let pointer = join(&item_pointer, method_name);
            if !selector.keeps(&id, &operation.tags, path) {
                unselected.push(LeftOut { wire_id: id, route: format!("{} {path}", method.as_str()), pointer });
                continue;
            }
            let op = lower_operation(
                OperationSrc { path, method, operation, path_params: &item.parameters, pointer: &pointer },
                doc,
                config,
                &mut types,
                Scopes { methods: &mut method_names, operation_types: &mut op_scope },
            );
            match ids.get(&op.wire_id) {
                Some(&first) => warn_repeated_id(&operations[first], &op, types.diags),
                None => {
                    ids.insert(op.wire_id.clone(), operations.len());
                }
            }
            operations.push(op);
        }
    }
    selector.report(&config.module, types.diags);
    correct_security(config, &mut security_schemes, &mut operations, &mut builder_scope, types.diags);
    let login = lower_login(config, &security_schemes, &operations, &mut builder_scope, types.diags);
    apply_operation_settings(config, &mut operations, &ids, selector.all_ids(), &mut types);
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
        // Free among the types too: `operations::XResponse` beside `types::XResponse` reads
        // as one type and is two.
        let mut claim = |suffix: &str| types.claim_in_both(&mut op_scope, &compose(&op.type_name, suffix));
        op.companion_types = CompanionTypes {
            response: claim("Response"),
            error: claim("Error"),
            form: claim("Form"),
            input: claim("Input"),
        };
        if let Some(errors) = errors_by_status(op) {
            types.types.insert(errors.name.clone(), errors);
        }
    }
    if config.select.is_active() {
        selection::keep_reached(&operations, &mut types.types);
    }
    types.box_cycles();
    types.box_large_variants();
    Api {
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
        login,
        tag_features: config.tag_features,
        unselected: {
            unselected.sort();
            unselected
        },
    }
}

/// What the codegen config says of operations by operationId: pagination (named, then by
/// rule), retry-safe POSTs, renames. An id the document does not have is an error.
/// Settings of operations the document has but the selection leaves out (in `all_ids`, not
/// in `ids`) are not used.
fn apply_operation_settings(
    config: &ApiConfig,
    operations: &mut [Operation],
    ids: &BTreeMap<String, usize>,
    all_ids: &std::collections::BTreeSet<String>,
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
            None if all_ids.contains(id) => {}
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
            None if all_ids.contains(id) => {}
            None => {
                let (at, message) = missing("retry_safe", id);
                types.diags.error(&at, message, None);
            }
        }
    }
    for id in config.rename.operations.keys().filter(|id| !ids.contains_key(*id) && !all_ids.contains(*id)) {
        let (at, message) = missing("rename.operations", id);
        types.diags.error(&at, message, None);
    }
}

/// An operation's documented error bodies as a type of their own, when they are of more
/// than one type: an enum by status (operations with the same errors then share one).
fn errors_by_status(op: &Operation) -> Option<TypeDef> {
    if !op.errors_by_status() {
        return None;
    }
    let mut names = Registry::default();
    let variants = op
        .documented_errors()
        .into_iter()
        .map(|(response, ty)| StatusVariant {
            rust_name: names.claim(&crate::naming::error_variant(response.status)),
            status: response.status,
            ty: ty.clone(),
            description: response.description.clone(),
        })
        .collect();
    Some(TypeDef {
        name: op.companion_types.error.clone(),
        description: Some(
            "The documented error bodies of an operation, by status. Read one with \
             [`ApiError::error`](crate::runtime::ApiError::error)."
                .into(),
        ),
        origin: join(&op.pointer, "responses"),
        kind: TypeKind::ByStatus(variants),
    })
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

#[cfg(test)]
mod tests {
    use crate::config::ApiConfig;
    use crate::diag::Diagnostic;
    use crate::ir::Api;

    fn lowered(document: &str) -> (Api, Vec<Diagnostic>) {
        let config = ApiConfig { module: "api".into(), ..ApiConfig::default() };
        crate::lower_document(crate::Source::text(document, "doc.yaml"), &config).unwrap()
    }

    #[test]
    fn a_repeated_operation_id_is_a_warning_at_the_second_and_both_operations_stay() {
        let document = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get: {operationId: getA, responses: {'204': {description: ok}}}\n  /b:\n    delete: {operationId: getA, responses: {'204': {description: ok}}}\n";
        let (api, warnings) = lowered(document);
        let names: Vec<&str> = api.operations.iter().map(|op| op.rust_name.as_str()).collect();
        assert_eq!(names, ["get_a", "get_a2"]);
        let repeated: Vec<_> =
            warnings.iter().filter(|w| w.message.contains("is also the id of /paths/~1a/get")).collect();
        assert_eq!(repeated.len(), 1, "{warnings:?}");
        assert_eq!(repeated[0].pointer, "/paths/~1b/delete/operationId");
    }

    #[test]
    fn header_parameters_the_client_sets_itself_are_ignored() {
        let document = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\ncomponents:\n  securitySchemes:\n    bearer: {type: http, scheme: bearer}\npaths:\n  /a:\n    get:\n      security: [{bearer: []}]\n      parameters:\n        - {name: Authorization, in: header, schema: {type: string}}\n        - {name: accept, in: header, schema: {type: string}}\n        - {name: Content-Type, in: header, schema: {type: string}}\n        - {name: X-Trace, in: header, schema: {type: string}}\n      responses: {'204': {description: ok}}\n  /b:\n    get:\n      parameters: [{name: Authorization, in: header, required: true, schema: {type: string}}]\n      responses: {'204': {description: ok}}\n";
        let (api, warnings) = lowered(document);
        let names =
            |index: usize| -> Vec<&str> { api.operations[index].params.iter().map(|p| p.wire_name.as_str()).collect() };
        assert_eq!(names(0), ["X-Trace"]);
        // Without a scheme that sends it, `Authorization` is how the document asks for the credential.
        assert_eq!(names(1), ["Authorization"]);
        let ignored: Vec<&str> = warnings
            .iter()
            .filter(|w| w.message.contains("ignored, as OpenAPI requires"))
            .map(|w| w.pointer.as_str())
            .collect();
        assert_eq!(
            ignored,
            ["/paths/~1a/get/parameters/0", "/paths/~1a/get/parameters/1", "/paths/~1a/get/parameters/2"]
        );
    }

    #[test]
    fn an_operations_header_parameter_overrides_the_paths_in_any_case() {
        let document = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    parameters: [{name: X-Id, in: header, schema: {type: string}}, {name: id, in: query, schema: {type: string}}]\n    get:\n      parameters: [{name: x-id, in: header, schema: {type: integer}}, {name: ID, in: query, schema: {type: string}}]\n      responses: {'204': {description: ok}}\n";
        let (api, _) = lowered(document);
        let params: Vec<&str> = api.operations[0].params.iter().map(|p| p.wire_name.as_str()).collect();
        // Query names keep their case: `id` and `ID` are two parameters.
        assert_eq!(params, ["id", "ID", "x-id"]);
    }

    #[test]
    fn template_slips_and_undeclared_schemes_are_warnings_and_a_repeated_name_is_one_parameter() {
        let document = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\nservers: [{url: 'https://h/{v'}]\nsecurity: [{nowhere: []}]\ncomponents:\n  securitySchemes:\n    key: {type: apiKey, in: header, name: X-Key}\npaths:\n  /a/{id}/b/{id}:\n    get:\n      security: [{key: []}, {ghost: []}, {key: []}]\n      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]\n      responses: {'204': {description: ok}}\n  /c/{id:\n    get: {responses: {'204': {description: ok}}}\n";
        let (api, warnings) = lowered(document);
        let params: Vec<&str> = api.operations[0].params.iter().map(|p| p.wire_name.as_str()).collect();
        assert_eq!(params, ["id"]);
        assert_eq!(api.operations[0].security, ["key", "ghost"]);
        let pointers: Vec<&str> = warnings.iter().map(|w| w.pointer.as_str()).collect();
        for expected in [
            "/security/0/nowhere",
            "/paths/~1a~1{id}~1b~1{id}/get/security/1/ghost",
            "/servers/0/url",
            "/paths/~1c~1{id/get",
        ] {
            assert!(pointers.contains(&expected), "no warning at {expected}: {warnings:?}");
        }
    }

    #[test]
    fn a_discriminator_mapping_to_no_variant_is_a_warning_at_its_entry() {
        let document = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    Pet:\n      oneOf: [{$ref: '#/components/schemas/Cat'}]\n      discriminator: {propertyName: kind, mapping: {cat: '#/components/schemas/Cat', bird: '#/components/schemas/Bird'}}\n    Cat: {type: object, properties: {kind: {type: string}}}\n";
        let (_, warnings) = lowered(document);
        let stray: Vec<&str> = warnings
            .iter()
            .filter(|w| w.message.contains("not one of the variants"))
            .map(|w| w.pointer.as_str())
            .collect();
        assert_eq!(stray, ["/components/schemas/Pet/discriminator/mapping/bird"]);
    }
}

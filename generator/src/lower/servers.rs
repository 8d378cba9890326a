//! Servers: base URL templates and their variables, which become settings of the client.
//!
//! A vendor document may use a variable in a server URL without declaring it, and declare it
//! instead as a parameter `in: path` of operations whose paths do not contain it (invalid
//! OpenAPI, seen in Rapid7's InsightVM v4 document). The parameter then stands for the server
//! variable: its values and default become the variable's, and the operations do not take it.

use openapiv3::{Parameter, ParameterSchemaOrContent, ReferenceOr, SchemaKind, Type};

use crate::diag::join;
use crate::ir::{Server, ServerVariable};
use crate::naming::{Registry, camel, scope, snake};

use super::enum_variants;
use super::schema::TypeLowerer;

/// Lowers the document's servers. A server whose URL uses a variable that nothing declares
/// is left out (with a warning): the client then needs a base URL from its user.
/// `misplaced` holds the document's parameters `in: path` whose paths lack them (see
/// [`misplaced_path_parameters`]).
pub(super) fn lower_servers(
    doc: &openapiv3::OpenAPI,
    misplaced: &[Misplaced],
    builder_scope: &mut Registry,
    types: &mut TypeLowerer<'_>,
) -> Vec<Server> {
    // Enums of server variables are items of the module root, named apart from the types
    // and the operations' builders too: the docs show all three, and one name for two types
    // misleads.
    let mut module_scope = Registry::with_reserved(scope::API_MODULE);
    let mut servers = Vec::new();
    for (index, server) in doc.servers.iter().enumerate() {
        let pointer = format!("/servers/{index}");
        let declared = server.variables.iter().flatten();
        let mut variables: Vec<ServerVariable> = declared
            .map(|(name, variable)| {
                let values: Vec<&str> = variable.enumeration.iter().map(String::as_str).collect();
                ServerVariable {
                    wire_name: name.clone(),
                    // Server variables are fields and setters of the one builder.
                    rust_name: builder_scope.claim(&snake(name)),
                    type_name: types.claim_in_both(&mut module_scope, &camel(name)),
                    default: variable.default.clone(),
                    values: enum_variants(&values),
                    description: variable.description.clone(),
                }
            })
            .collect();
        if has_unbalanced_braces(&server.url) {
            types
                .diags
                .warn(&format!("{pointer}/url"), "the URL has a `{` or `}` without its pair; it is used as written");
        }
        let mut usable = true;
        for name in template_names(&server.url) {
            if variables.iter().any(|v| v.wire_name == name) {
                continue;
            }
            match variable_from_parameter(misplaced, &name, types) {
                Some(found) => variables.push(ServerVariable {
                    rust_name: builder_scope.claim(&snake(&name)),
                    type_name: types.claim_in_both(&mut module_scope, &camel(&name)),
                    ..found
                }),
                None => {
                    types.diags.warn(
                        &join(&pointer, "url"),
                        format!(
                            "the URL uses `{{{name}}}` but declares no such variable: it is not used as the default \
                             server, and the client needs a base URL"
                        ),
                    );
                    usable = false;
                }
            }
        }
        if usable {
            servers.push(Server {
                url: server.url.clone(),
                description: server.description.clone(),
                variables,
                pointer,
            });
        }
    }
    servers
}

/// The `{name}`s of a URL or path template, in order.
pub(super) fn template_names(template: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else { break };
        names.push(rest[open + 1..close].to_owned());
        rest = &rest[close + 1..];
    }
    names
}

/// Whether a URL or path template has a `{` without its `}` (or the other way round, or one
/// inside another): what is left is sent as written, and the document most likely meant a
/// variable there.
pub(super) fn has_unbalanced_braces(template: &str) -> bool {
    let mut open = false;
    for c in template.chars() {
        match c {
            '{' if open => return true,
            '}' if !open => return true,
            '{' | '}' => open = !open,
            _ => {}
        }
    }
    open
}

/// The variable an undeclared server variable `name` is, from the first parameter `in: path`
/// called `name` whose path does not contain it (names and scope left for the caller).
fn variable_from_parameter(misplaced: &[Misplaced], name: &str, types: &TypeLowerer<'_>) -> Option<ServerVariable> {
    let (_, param) = misplaced.iter().find(|(_, p)| p.name == name)?;
    let (values, default) = match &param.format {
        ParameterSchemaOrContent::Schema(schema) => string_values(schema, types),
        ParameterSchemaOrContent::Content(_) => (Vec::new(), None),
    };
    // A server variable needs a value; without a listed default the first value is it.
    let default = default.or_else(|| values.first().cloned()).unwrap_or_default();
    let values: Vec<&str> = values.iter().map(String::as_str).collect();
    Some(ServerVariable {
        wire_name: name.to_owned(),
        rust_name: String::new(),
        type_name: String::new(),
        default,
        values: enum_variants(&values),
        description: param.description.clone(),
    })
}

/// Warns once per name about parameters `in: path` whose paths do not contain them: the
/// operations do not take them (they would have nowhere to go).
pub(super) fn warn_misplaced_parameters(misplaced: &[Misplaced], servers: &[Server], types: &mut TypeLowerer<'_>) {
    let mut by_name: Vec<(&str, &str, usize)> = Vec::new();
    for (at, param) in misplaced {
        match by_name.iter_mut().find(|(name, ..)| *name == param.name) {
            Some((_, _, count)) => *count += 1,
            None => by_name.push((&param.name, at, 1)),
        }
    }
    for (name, at, count) in by_name {
        let variable = servers.iter().flat_map(|s| &s.variables).find(|v| v.wire_name == name);
        let whose = if count == 1 {
            "its path has".to_owned()
        } else {
            format!("it and {} more like it: their paths have", count - 1)
        };
        let message = match variable {
            Some(variable) => format!(
                "`{name}` is declared `in: path`, but {whose} no `{{{name}}}`; the server URL has: it is that server \
                 variable, a setting of the client (`{}`, default `{}`), not an input of the operations",
                variable.rust_name, variable.default
            ),
            None => format!("`{name}` is declared `in: path`, but {whose} no `{{{name}}}`: ignored"),
        };
        types.diags.warn(at, message);
    }
}

/// Every parameter `in: path` (of a path item or an operation) whose path does not contain
/// it, with its pointer, in document order.
pub(super) fn misplaced_path_parameters(doc: &openapiv3::OpenAPI, types: &TypeLowerer<'_>) -> Vec<Misplaced> {
    let mut found = Vec::new();
    for (path, item) in &doc.paths.paths {
        let ReferenceOr::Item(item) = item else { continue };
        let in_path = template_names(path);
        let item_at = join("/paths", path);
        let lists = std::iter::once((join(&item_at, "parameters"), &item.parameters)).chain(
            item.iter().map(|(method, operation)| (join(&join(&item_at, method), "parameters"), &operation.parameters)),
        );
        for (base, list) in lists {
            for (index, param) in list.iter().enumerate() {
                let param = match param {
                    ReferenceOr::Item(param) => Some(param.clone()),
                    ReferenceOr::Reference { reference } => {
                        types.resolver.resolve::<Parameter>(reference).ok().map(|(p, _)| p)
                    }
                };
                if let Some(Parameter::Path { parameter_data, .. }) = param
                    && !in_path.contains(&parameter_data.name)
                {
                    found.push((join(&base, &index.to_string()), parameter_data));
                }
            }
        }
    }
    found
}

/// A parameter `in: path` whose path does not contain it, with its pointer.
pub(super) type Misplaced = (String, openapiv3::ParameterData);

/// The listed string values and the default of a parameter's schema (references followed).
fn string_values(schema: &ReferenceOr<openapiv3::Schema>, types: &TypeLowerer<'_>) -> (Vec<String>, Option<String>) {
    let schema = match schema {
        ReferenceOr::Item(schema) => schema.clone(),
        ReferenceOr::Reference { reference } => match types.resolver.resolve_schema(reference) {
            Ok((schema, _)) => schema.into_owned(),
            Err(_) => return (Vec::new(), None),
        },
    };
    let default = schema.schema_data.default.as_ref().and_then(|v| v.as_str()).map(str::to_owned);
    let values = match &schema.schema_kind {
        SchemaKind::Type(Type::String(string)) => string.enumeration.iter().flatten().cloned().collect(),
        _ => Vec::new(),
    };
    (values, default)
}

#[cfg(test)]
mod tests {
    use crate::config::ApiConfig;
    use crate::diag::Diagnostic;
    use crate::ir::Api;

    fn lowered(servers: &str, parameters: &str) -> (Api, Vec<Diagnostic>) {
        let text = format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\n{servers}\npaths:\n  /health:\n    get:\n      \
             parameters: {parameters}\n      responses: {{'200': {{description: ok}}}}\n  /items/{{id}}:\n    \
             parameters: [{{name: id, in: path, required: true, schema: {{type: string}}}}]\n    get:\n      \
             parameters: {parameters}\n      responses: {{'200': {{description: ok}}}}\n\
             components:\n  schemas:\n    Region: {{type: string, enum: [us, eu, ap]}}\n"
        );
        let config = ApiConfig { module: "api".into(), ..ApiConfig::default() };
        crate::lower_document(crate::Source::text(&text, "doc.yaml"), &config).unwrap()
    }

    const REGION_PARAMETER: &str =
        "[{name: region, in: path, required: true, schema: {$ref: '#/components/schemas/Region'}}]";

    #[test]
    fn a_server_variable_declared_only_as_misplaced_path_parameters_is_the_clients_setting() {
        let (api, warnings) = lowered("servers: [{url: 'https://{region}.example.com/v1'}]", REGION_PARAMETER);
        let [server] = api.servers.as_slice() else { panic!("{:?}", api.servers) };
        let [variable] = server.variables.as_slice() else { panic!("{:?}", server.variables) };
        assert_eq!((variable.wire_name.as_str(), variable.default.as_str()), ("region", "us"));
        let values: Vec<&str> = variable.values.iter().map(|v| v.wire_value.as_str()).collect();
        assert_eq!(values, ["us", "eu", "ap"]);
        // No operation takes it: it has nowhere to go in their paths.
        assert!(api.operations.iter().all(|op| op.params.iter().all(|p| p.wire_name != "region")));
        let [warning] = warnings.as_slice() else { panic!("{warnings:?}") };
        assert_eq!(warning.pointer, "/paths/~1health/get/parameters/0");
        assert!(
            warning.message.contains("it and 1 more like it") && warning.message.contains("default `us`"),
            "{}",
            warning.message
        );
    }

    #[test]
    fn an_undeclared_server_variable_leaves_the_server_out_and_a_misplaced_parameter_is_named() {
        let (api, warnings) = lowered("servers: [{url: 'https://{tenant}.example.com'}]", REGION_PARAMETER);
        assert!(api.servers.is_empty(), "{:?}", api.servers);
        let placed: Vec<(&str, bool)> = warnings
            .iter()
            .map(|w| (w.pointer.as_str(), w.message.contains("ignored") || w.message.contains("base URL")))
            .collect();
        assert_eq!(placed, [("/servers/0/url", true), ("/paths/~1health/get/parameters/0", true)]);
    }

    #[test]
    fn a_declared_variable_keeps_its_declaration_and_the_parameter_names_it() {
        let (api, warnings) = lowered(
            "servers: [{url: 'https://{region}.example.com', variables: {region: {default: eu, enum: [eu, us]}}}]",
            REGION_PARAMETER,
        );
        assert_eq!(api.servers[0].variables[0].default, "eu");
        assert_eq!(api.servers[0].variables[0].values.len(), 2);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].message.contains("default `eu`"), "{}", warnings[0].message);
    }
}

//! Which positions of a document are the specification's objects, which are maps of names,
//! and which are data. Every walk that looks for `$ref` asks here, so that a `$ref` key
//! inside an example, a default, an enum value or an extension (SCIM payloads carry
//! `"$ref": "https://..."` as data) is never taken for a reference, resolved, bundled or
//! rewritten.

use serde_json::{Map, Value};

use crate::diag::BUNDLED;

/// Members whose value is a map from names the document chooses (a property, a path, a
/// status, a media type, a component) to objects of the specification. In such a map a key
/// such as `default`, `example` or `x-id` is a name, not a field.
const NAME_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
    "paths",
    "webhooks",
    "pathItems",
    "schemas",
    "responses",
    "parameters",
    "requestBodies",
    "headers",
    "securitySchemes",
    "securityDefinitions",
    "links",
    "callbacks",
    "content",
    "encoding",
    "variables",
    BUNDLED,
];

/// Members of the specification's objects whose value is data: an example, a default, the
/// values of an enum or a const, an Example Object's `value`, an extension.
const DATA_FIELDS: &[&str] = &["example", "default", "enum", "const", "value"];

/// Members where text belongs; a `$ref` there to a file that is not JSON or YAML (a
/// Markdown page) stands for that file's text.
pub const TEXT_FIELDS: &[&str] = &["description", "summary", "title"];

/// How the members of an object are read, from the member it is the value of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// An object of the specification (or one whose kind is not known): its members are
    /// fields, some of which hold data.
    Object,
    /// A map of names: every member is an object of the specification. (A list is never
    /// one: the items of every list the specification defines are its objects.)
    Names,
}

impl Context {
    /// The context of the value of member `key` of an object read in this context.
    pub fn of_member(self, key: &str) -> Context {
        if self == Context::Object && is_name_map(key) { Context::Names } else { Context::Object }
    }
}

fn is_name_map(key: &str) -> bool {
    NAME_MAPS.contains(&key)
}

/// Whether the value of member `key` of an object read in `context` is data, not to be
/// looked into for references. Swagger 2.0 `examples` (by media type) are data; 3.x
/// `examples` are a map of Example Objects, except in a schema, where they are a list.
pub fn is_data(context: Context, key: &str, value: &Value, swagger2: bool) -> bool {
    if context == Context::Names {
        return false;
    }
    if key == "examples" {
        return swagger2 || value.is_array();
    }
    (key.starts_with("x-") && key != BUNDLED) || DATA_FIELDS.contains(&key)
}

/// Whether `value` is a reference where a map of names stands (`components.schemas` as one
/// `$ref` to an index file): an object whose `$ref` member is text.
pub fn map_reference(value: &Value) -> Option<&str> {
    value.get("$ref").and_then(Value::as_str)
}

/// Whether the document is Swagger 2.0 (its `swagger` member), for [`is_data`].
pub fn is_swagger2(document: &Value) -> bool {
    document.get("swagger").is_some()
}

/// Whether a `$ref` in reference position anywhere in `value` (read in `context`) names
/// what `wanted` accepts. One pass over each object's entries: looking `$ref` up by key
/// would hash it in every object of the tree.
pub fn any_ref(value: &Value, context: Context, swagger2: bool, wanted: &dyn Fn(&str) -> bool) -> bool {
    match value {
        Value::Object(map) => any_ref_in(map, context, swagger2, wanted),
        Value::Array(items) => items.iter().any(|item| any_ref(item, Context::Object, swagger2, wanted)),
        _ => false,
    }
}

fn any_ref_in(map: &Map<String, Value>, context: Context, swagger2: bool, wanted: &dyn Fn(&str) -> bool) -> bool {
    map.iter().any(|(key, item)| match item {
        // In a map of names too: there it stands for the whole map (see [`map_reference`]).
        Value::String(reference) => key == "$ref" && wanted(reference),
        Value::Object(_) | Value::Array(_) => {
            !is_data(context, key, item, swagger2) && any_ref(item, context.of_member(key), swagger2, wanted)
        }
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn references_in_data_positions_are_not_seen() {
        let found = |value: &Value| any_ref(value, Context::Object, false, &|_| true);
        assert!(!found(&json!({"example": {"$ref": "https://scim.example.com/Users/1"}})));
        assert!(!found(&json!({"x-sample": {"$ref": "a.yaml"}, "default": {"$ref": "b"}, "enum": [{"$ref": "c"}]})));
        assert!(!found(&json!({"examples": [{"$ref": "d"}]})), "a schema's examples are a list of values");
        assert!(found(&json!({"examples": {"one": {"$ref": "#/components/examples/One"}}})));
        assert!(!found(&json!({"examples": {"one": {"value": {"$ref": "e"}}}})), "an Example Object's value");
        assert!(!any_ref(&json!({"examples": {"application/json": {"$ref": "f"}}}), Context::Object, true, &|_| true));
        // Names that look like data fields are names inside a map of names.
        assert!(found(&json!({"properties": {"example": {"$ref": "#/components/schemas/E"}}})));
        assert!(found(&json!({"responses": {"default": {"$ref": "#/components/responses/Error"}}})));
        assert!(found(&json!({"properties": {"x-id": {"$ref": "#/components/schemas/Id"}}})));
        assert!(found(&json!({"x-bundled": {"a.yaml": {"$ref": "b.yaml"}}})));
        // A property named `$ref` is a schema, not a reference.
        assert!(!found(&json!({"properties": {"$ref": {"type": "string"}}})));
    }
}

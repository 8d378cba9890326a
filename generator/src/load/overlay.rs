//! OpenAPI Overlays (1.0.0, and 1.1.0's `copy`): corrections to a vendor document kept in
//! their own files, applied in order to the document as read, before any version conversion,
//! so the vendored file stays byte-identical and a vendor update keeps the corrections.
//!
//! Targets are RFC 9535 JSONPath expressions (`serde_json_path`). An action that matches
//! nothing is a warning naming the overlay file and the action.

use serde_json::{Map, Value};
use serde_json_path::JsonPath;

use super::origins::Origins;
use crate::diag::{Diagnostic, Diagnostics, Severity};

/// Applies the overlay `text` (YAML or JSON; `shown_as` names it in diagnostics) to `doc`,
/// noting in `origins` which parts its actions wrote. Returns false, with an error, when the
/// overlay itself is malformed.
pub fn apply(doc: &mut Value, text: &str, shown_as: &str, origins: &mut Origins, diags: &mut Diagnostics) -> bool {
    let overlay = match super::parse_tree(text) {
        Ok(overlay) => overlay,
        Err(error) => {
            report(
                diags,
                shown_as,
                Severity::Error,
                String::new(),
                format!("the overlay is not valid YAML or JSON: {error}"),
            );
            return false;
        }
    };
    match overlay.get("overlay").and_then(Value::as_str) {
        Some(version) if version.starts_with("1.0") || version.starts_with("1.1") => {}
        other => {
            let found = other.map_or("no `overlay` version".to_owned(), |v| format!("version `{v}`"));
            report(
                diags,
                shown_as,
                Severity::Error,
                "/overlay".into(),
                format!("not an OpenAPI Overlay 1.0 or 1.1 document ({found})"),
            );
            return false;
        }
    }
    let Some(actions) = overlay.get("actions").and_then(Value::as_array) else {
        report(diags, shown_as, Severity::Error, "/actions".into(), "the overlay has no `actions` list".into());
        return false;
    };
    let mut sound = true;
    for (index, action) in actions.iter().enumerate() {
        let at = format!("/actions/{index}");
        record_provenance(doc, action, &at, shown_as, origins);
        match apply_action(doc, action) {
            Ok(0) => report(
                diags,
                shown_as,
                Severity::Warning,
                format!("{at}/target"),
                "the action's target matches nothing".into(),
            ),
            Ok(_) => {}
            Err(message) => {
                report(diags, shown_as, Severity::Error, at, message);
                sound = false;
            }
        }
    }
    sound
}

/// Notes, before an `update` action applies, which parts of `doc` its text will write: each
/// key it sets on each target, so a later diagnostic there names the overlay action.
fn record_provenance(doc: &Value, action: &Value, at: &str, file: &str, origins: &mut Origins) {
    let (Some(target), Some(Value::Object(update))) =
        (action.get("target").and_then(Value::as_str), action.get("update"))
    else {
        return;
    };
    let Ok(path) = JsonPath::parse(target) else { return };
    for location in path.query_located(doc).locations() {
        let pointer = location.to_json_pointer();
        if doc.pointer(&pointer).is_some_and(Value::is_object) {
            for key in update.keys() {
                let token = crate::diag::pointer_token(key);
                origins.record_overlaid(format!("{pointer}/{token}"), file, format!("{at}/update/{token}"));
            }
        }
    }
}

/// What one overlay action does to a document: how many nodes its target matches, and
/// whether applying it changes anything (an action that matches but changes nothing is no
/// longer needed: the document already says it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionEffect {
    /// Pointer of the action in its overlay (`/actions/2`).
    pub pointer: String,
    pub target: String,
    pub description: Option<String>,
    pub matched: usize,
    pub changed: bool,
}

/// Applies the overlay `text` to a copy of `doc` action by action and reports each action's
/// effect; an error when the overlay is malformed.
pub fn effects(doc: &Value, text: &str) -> Result<Vec<ActionEffect>, String> {
    let overlay = super::parse_tree(text).map_err(|e| format!("the overlay is not valid YAML or JSON: {e}"))?;
    let actions = overlay.get("actions").and_then(Value::as_array).ok_or("the overlay has no `actions` list")?;
    let mut current = doc.clone();
    let mut found = Vec::new();
    for (index, action) in actions.iter().enumerate() {
        let before = current.clone();
        let matched = apply_action(&mut current, action).map_err(|e| format!("/actions/{index}: {e}"))?;
        found.push(ActionEffect {
            pointer: format!("/actions/{index}"),
            target: action.get("target").and_then(Value::as_str).unwrap_or_default().to_owned(),
            description: action.get("description").and_then(Value::as_str).map(str::to_owned),
            matched,
            changed: current != before,
        });
    }
    Ok(found)
}

/// A diagnostic in the overlay file itself.
fn report(diags: &mut Diagnostics, file: &str, severity: Severity, pointer: String, message: String) {
    diags.items.push(Diagnostic { severity, file: file.to_owned(), pointer, message, hint: None });
}

/// Applies one action; the number of nodes it touched.
fn apply_action(doc: &mut Value, action: &Value) -> Result<usize, String> {
    let target = action.get("target").and_then(Value::as_str).ok_or("the action has no `target`")?;
    let path = JsonPath::parse(target).map_err(|e| format!("`{target}` is not a JSONPath (RFC 9535): {e}"))?;
    let mut pointers: Vec<String> =
        path.query_located(doc).locations().map(|location| location.to_json_pointer()).collect();
    if action.get("remove").and_then(Value::as_bool) == Some(true) {
        // Later siblings first, so earlier array indexes stay valid (by index, not by text:
        // `/10` sorts before `/9` as text).
        pointers.sort_by(|a, b| pointer_order(b).cmp(&pointer_order(a)));
        for pointer in &pointers {
            remove(doc, pointer);
        }
        return Ok(pointers.len());
    }
    let update = match (action.get("update"), action.get("copy").and_then(Value::as_str)) {
        (Some(update), _) => update.clone(),
        (None, Some(source)) => copied(doc, source)?,
        (None, None) => return Err("the action has neither `update`, `copy` nor `remove: true`".into()),
    };
    for pointer in &pointers {
        if let Some(node) = doc.pointer_mut(pointer) {
            merge(node, &update);
        }
    }
    Ok(pointers.len())
}

/// A pointer's tokens with array indexes as numbers, for ordering siblings by position.
fn pointer_order(pointer: &str) -> Vec<(u64, &str)> {
    pointer.split('/').map(|token| token.parse::<u64>().map_or((u64::MAX, token), |index| (index, ""))).collect()
}

/// The value a `copy` action's source selects (exactly one node).
fn copied(doc: &Value, source: &str) -> Result<Value, String> {
    let path = JsonPath::parse(source).map_err(|e| format!("`{source}` is not a JSONPath (RFC 9535): {e}"))?;
    let nodes = path.query(doc).all();
    match nodes.as_slice() {
        [one] => Ok((*one).clone()),
        other => Err(format!("the `copy` source `{source}` selects {} nodes; it must select one", other.len())),
    }
}

/// Merges `update` into `node`: objects property by property (recursively), an array target
/// gets the value appended, anything else is replaced.
fn merge(node: &mut Value, update: &Value) {
    match (node, update) {
        (Value::Object(target), Value::Object(changes)) => merge_objects(target, changes),
        (Value::Array(items), value) => items.push(value.clone()),
        (node, value) => *node = value.clone(),
    }
}

fn merge_objects(target: &mut Map<String, Value>, changes: &Map<String, Value>) {
    for (key, value) in changes {
        match (target.get_mut(key), value) {
            (Some(Value::Object(inner)), Value::Object(changes)) => merge_objects(inner, changes),
            _ => {
                target.insert(key.clone(), value.clone());
            }
        }
    }
}

fn remove(doc: &mut Value, pointer: &str) {
    let Some((parent, last)) = pointer.rsplit_once('/') else { return };
    let key = last.replace("~1", "/").replace("~0", "~");
    match doc.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.remove(&key);
        }
        Some(Value::Array(items)) => {
            if let Ok(index) = key.parse::<usize>()
                && index < items.len()
            {
                items.remove(index);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(doc: &mut Value, overlay: &str) -> Diagnostics {
        run_with(doc, overlay, &mut Origins::default())
    }

    fn run_with(doc: &mut Value, overlay: &str, origins: &mut Origins) -> Diagnostics {
        let mut diags = Diagnostics::new("spec.yaml");
        apply(doc, overlay, "fix.overlay.yaml", origins, &mut diags);
        diags
    }

    #[test]
    fn update_merges_objects_appends_to_arrays_and_remove_deletes() {
        let mut doc = json!({"definitions": {"A": {"type": "object", "required": ["x", "y"], "properties": {"x": {"type": "string"}, "y": {"type": "string"}}}}, "tags": []});
        let overlay = r#"
overlay: 1.0.0
info: {title: fixes, version: 1.0.0}
actions:
  - target: $.definitions.A.properties.x
    update: {x-nullable: true}
  - target: $.definitions.A.properties.y.type
    remove: true
  - target: $.tags
    update: {name: extra}
  - target: $.definitions.A.required[?@ == 'y']
    remove: true
"#;
        let diags = run(&mut doc, overlay);
        assert!(diags.items.is_empty(), "{:?}", diags.items);
        assert_eq!(doc["definitions"]["A"]["properties"]["x"], json!({"type": "string", "x-nullable": true}));
        assert_eq!(doc["definitions"]["A"]["properties"]["y"], json!({}));
        assert_eq!(doc["definitions"]["A"]["required"], json!(["x"]));
        assert_eq!(doc["tags"], json!([{"name": "extra"}]));
    }

    #[test]
    fn removing_many_items_of_one_array_removes_exactly_those() {
        let items: Vec<Value> =
            (0..12).map(|i| json!({"name": if i % 3 == 1 { "region" } else { "other" }, "i": i})).collect();
        let mut doc = json!({"parameters": items});
        let overlay = "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - {target: \"$.parameters[?@.name == 'region']\", remove: true}\n";
        let diags = run(&mut doc, overlay);
        assert!(diags.items.is_empty(), "{:?}", diags.items);
        let left: Vec<i64> = doc["parameters"].as_array().unwrap().iter().map(|p| p["i"].as_i64().unwrap()).collect();
        assert_eq!(left, [0, 2, 3, 5, 6, 8, 9, 11]);
    }

    #[test]
    fn copy_takes_one_node_and_a_target_matching_nothing_warns_at_the_action() {
        let mut doc = json!({"a": {"k": 1}, "b": {}});
        let overlay = "overlay: 1.1.0\ninfo: {title: t, version: '1'}\nactions:\n  - {target: '$.b', copy: '$.a'}\n  - {target: '$.missing', update: {}}\n";
        let diags = run(&mut doc, overlay);
        assert_eq!(doc["b"], json!({"k": 1}));
        assert_eq!(diags.items.len(), 1);
        assert_eq!(
            (diags.items[0].file.as_str(), diags.items[0].pointer.as_str()),
            ("fix.overlay.yaml", "/actions/1/target")
        );
        assert_eq!(diags.items[0].severity, Severity::Warning);
    }

    #[test]
    fn a_diagnostic_about_text_an_overlay_wrote_names_the_overlay_action() {
        let mut doc = json!({"components": {"schemas": {"A": {"type": "object"}}}});
        let overlay = "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - {target: '$.components.schemas.A', update: {properties: {n: {type: integer}}}}\n";
        let mut origins = Origins::default();
        let mut diags = run_with(&mut doc, overlay, &mut origins);
        diags.warn("/components/schemas/A/properties/n/type", "something about n");
        diags.warn("/components/schemas/A/type", "something about A");
        origins.place_written(&mut diags.items, "spec.yaml");
        let placed: Vec<(&str, &str)> = diags.items.iter().map(|d| (d.file.as_str(), d.pointer.as_str())).collect();
        assert_eq!(
            placed,
            [("fix.overlay.yaml", "/actions/0/update/properties/n/type"), ("spec.yaml", "/components/schemas/A/type")]
        );
    }

    #[test]
    fn a_malformed_overlay_is_an_error_in_the_overlay_file() {
        let mut doc = json!({});
        for (overlay, pointer) in [
            ("openapi: 3.0.0\n", "/overlay"),
            ("overlay: 1.0.0\nactions:\n  - {target: '$[', update: {}}\n", "/actions/0"),
            ("overlay: 1.0.0\nactions:\n  - {target: '$'}\n", "/actions/0"),
        ] {
            let diags = run(&mut doc, overlay);
            assert!(diags.has_errors(), "{overlay}");
            assert_eq!(diags.items[0].file, "fix.overlay.yaml");
            assert_eq!(diags.items[0].pointer, pointer, "{:?}", diags.items);
        }
    }
}

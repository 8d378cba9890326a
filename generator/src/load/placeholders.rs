//! Text a vendor's build forgot to fill in: a description, title or summary made only of
//! template placeholders (`${assetsummary.title}, ${asset.summary.title}`) says nothing to
//! a reader, and as a title it would name types. Such text is left out, with one warning.

use serde_json::{Map, Value};

use super::positions::{self, Context, TEXT_FIELDS};
use crate::diag::{Diagnostics, join};

/// Removes every text member of the document's objects that holds only placeholders.
pub fn drop_unfilled(doc: &mut Value, diags: &mut Diagnostics) {
    let swagger2 = positions::is_swagger2(doc);
    let mut found = Found::default();
    walk(doc, Context::Object, swagger2, String::new(), &mut found);
    if let Some((first, example)) = found.first {
        let more = match found.count {
            1 => String::new(),
            n => format!(" (and {} more texts like it)", n - 1),
        };
        diags.warn(&first, format!("`{example}` is an unfilled template placeholder, left out of the docs{more}"));
    }
}

#[derive(Default)]
struct Found {
    count: usize,
    /// The first one's pointer and text.
    first: Option<(String, String)>,
}

fn walk(value: &mut Value, context: Context, swagger2: bool, at: String, found: &mut Found) {
    match value {
        Value::Object(map) => walk_object(map, context, swagger2, &at, found),
        Value::Array(items) => {
            for (index, item) in items.iter_mut().enumerate() {
                walk(item, Context::Object, swagger2, join(&at, &index.to_string()), found);
            }
        }
        _ => {}
    }
}

fn walk_object(map: &mut Map<String, Value>, context: Context, swagger2: bool, at: &str, found: &mut Found) {
    if context == Context::Object {
        let unfilled: Vec<String> = TEXT_FIELDS
            .iter()
            .filter(|field| map.get(**field).and_then(Value::as_str).is_some_and(only_placeholders))
            .map(|field| (*field).to_owned())
            .collect();
        for field in unfilled {
            if let Some(Value::String(text)) = map.remove(&field) {
                found.count += 1;
                found.first.get_or_insert_with(|| (join(at, &field), text));
            }
        }
    }
    for (key, item) in map.iter_mut() {
        if !positions::is_data(context, key, item, swagger2) {
            walk(item, context.of_member(key), swagger2, join(at, key), found);
        }
    }
}

/// Whether `text` is one or more `${...}` placeholders and nothing else but separators.
fn only_placeholders(text: &str) -> bool {
    let mut rest = text.trim();
    let mut any = false;
    while let Some(after) = rest.strip_prefix("${") {
        let Some(close) = after.find('}') else { return false };
        any = true;
        rest = after[close + 1..].trim_start_matches(|c: char| c == ',' || c == ';' || c.is_whitespace());
    }
    any && rest.is_empty()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_text_made_of_placeholders_is_dropped_with_one_warning() {
        let mut doc = json!({"components": {"schemas": {"AssetKey": {
            "title": "${assetkey.title}, ${asset.key.title}",
            "description": "The asset's key (see ${docs.url}).",
            "properties": {
                "description": {"description": "${assetkey.description}", "example": {"description": "${kept}"}},
                "id": {"summary": " ${a.b} ", "title": "$100 fee"}
            }
        }}}});
        let mut diags = Diagnostics::new("doc.json");
        drop_unfilled(&mut doc, &mut diags);
        let schema = &doc["components"]["schemas"]["AssetKey"];
        assert_eq!(schema.get("title"), None);
        assert_eq!(schema["description"], "The asset's key (see ${docs.url}).");
        // A property called `description` is a name; the example is data.
        assert_eq!(schema["properties"]["description"], json!({"example": {"description": "${kept}"}}));
        assert_eq!(schema["properties"]["id"], json!({"title": "$100 fee"}));
        let [warning] = diags.items.as_slice() else { panic!("{:?}", diags.items) };
        assert_eq!(warning.pointer, "/components/schemas/AssetKey/title");
        assert!(warning.message.contains("and 2 more"), "{}", warning.message);
    }
}

//! Choosing what to generate: the operations a [`Selection`] keeps, and the types they reach.

use std::collections::BTreeSet;

use crate::config::Selection;
use crate::diag::Diagnostics;
use crate::ir::{Operation, TypeDef};

/// Decides operation by operation, remembering which entries of the selection matched.
pub(super) struct Selector<'s> {
    selection: &'s Selection,
    /// Entries of each list (by list name and index) that matched an operation.
    matched: BTreeSet<(&'static str, usize)>,
    /// Every operationId of the document, kept or not.
    ids: BTreeSet<String>,
}

impl<'s> Selector<'s> {
    pub fn new(selection: &'s Selection) -> Self {
        Self { selection, matched: BTreeSet::new(), ids: BTreeSet::new() }
    }

    /// Whether the operation `id` (tags `tags`, path `path`) is generated.
    pub fn keeps(&mut self, id: &str, tags: &[String], path: &str) -> bool {
        self.ids.insert(id.to_owned());
        let s = self.selection;
        let includes = [("operations", &s.operations), ("tags", &s.tags), ("paths", &s.paths)];
        let included = includes.iter().all(|(_, list)| list.is_empty()) | {
            let mut any = false;
            for (name, list) in includes {
                any |= self.note(name, list, id, tags, path);
            }
            any
        };
        let excludes = [
            ("exclude_operations", &s.exclude_operations),
            ("exclude_tags", &s.exclude_tags),
            ("exclude_paths", &s.exclude_paths),
        ];
        let mut excluded = false;
        for (name, list) in excludes {
            excluded |= self.note(name, list, id, tags, path);
        }
        included && !excluded
    }

    /// Whether an entry of `list` names the operation; notes which did.
    fn note(&mut self, name: &'static str, list: &[String], id: &str, tags: &[String], path: &str) -> bool {
        let mut any = false;
        for (index, entry) in list.iter().enumerate() {
            let hit = match name {
                "operations" | "exclude_operations" => entry == id,
                "tags" | "exclude_tags" => tags.contains(entry),
                _ => path_matches(entry, path),
            };
            if hit {
                self.matched.insert((name, index));
                any = true;
            }
        }
        any
    }

    /// Every operationId of the document, selected or not.
    pub fn all_ids(&self) -> &BTreeSet<String> {
        &self.ids
    }

    /// The settings' entries that named nothing: an operationId the document lacks is an
    /// error (as elsewhere in the settings), a tag or path pattern that matches nothing a
    /// warning.
    pub fn report(&self, module: &str, diags: &mut Diagnostics) {
        let s = self.selection;
        let lists = [
            ("operations", &s.operations),
            ("tags", &s.tags),
            ("paths", &s.paths),
            ("exclude_operations", &s.exclude_operations),
            ("exclude_tags", &s.exclude_tags),
            ("exclude_paths", &s.exclude_paths),
        ];
        for (name, list) in lists {
            for (index, entry) in list.iter().enumerate() {
                let at = format!("codegen config: api `{module}` select.{name}");
                if name.ends_with("operations") && !self.ids.contains(entry) {
                    diags.error(&at, format!("no operation `{entry}` in the document"), None);
                } else if !self.matched.contains(&(name, index)) && !name.ends_with("operations") {
                    diags.warn(&at, format!("`{entry}` matches no operation"));
                }
            }
        }
    }
}

/// Whether `path` matches `pattern` segment by segment (`*`: one segment or any text inside
/// one; `**`: any number of segments).
pub(super) fn path_matches(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.trim_matches('/').split('/').collect();
    let path: Vec<&str> = path.trim_matches('/').split('/').collect();
    segments_match(&pattern, &path)
}

fn segments_match(pattern: &[&str], path: &[&str]) -> bool {
    match (pattern.first(), path.first()) {
        (None, None) => true,
        (Some(&"**"), _) => (0..=path.len()).any(|skip| segments_match(&pattern[1..], &path[skip..])),
        (Some(segment), Some(actual)) => segment_matches(segment, actual) && segments_match(&pattern[1..], &path[1..]),
        _ => false,
    }
}

/// One segment against a pattern where `*` stands for any text.
fn segment_matches(pattern: &str, actual: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == actual,
        Some((head, tail)) => {
            actual.starts_with(head)
                && (0..=actual.len() - head.len())
                    .filter(|&skip| actual.is_char_boundary(head.len() + skip))
                    .any(|skip| segment_matches(tail, &actual[head.len() + skip..]))
        }
    }
}

/// The types the operations reach (their inputs, bodies and answers, and what those
/// contain); the others are dropped.
pub(super) fn keep_reached(operations: &[Operation], types: &mut std::collections::BTreeMap<String, TypeDef>) {
    let reached: BTreeSet<String> = operations
        .iter()
        .flat_map(|op| op.reached_types(|name| types.get(name).map(|def| &def.kind)))
        .map(str::to_owned)
        .collect();
    types.retain(|name, _| reached.contains(name));
}

#[cfg(test)]
mod tests {
    use super::path_matches;
    use crate::config::{ApiConfig, Selection};

    const DOCUMENT: &str = r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /sites:
    get:
      operationId: listSites
      tags: [Site]
      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/SitePage'}}}}}
  /sites/{id}:
    get:
      operationId: getSite
      tags: [Site]
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Site'}}}}
        '404': {description: gone, content: {application/json: {schema: {$ref: '#/components/schemas/NotFound'}}}}
        '500': {description: broken, content: {application/json: {schema: {$ref: '#/components/schemas/Failure'}}}}
  /reports:
    post:
      operationId: createReport
      tags: [Report]
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Report'}}}}
      responses: {'201': {description: made}}
components:
  schemas:
    SitePage: {type: object, properties: {items: {type: array, items: {$ref: '#/components/schemas/Site'}}}}
    Site: {type: object, properties: {owner: {$ref: '#/components/schemas/Owner'}}}
    Owner: {type: object, properties: {name: {type: string}}}
    NotFound: {type: object, properties: {message: {type: string}}}
    Failure: {type: object, properties: {code: {type: integer}}}
    Report: {type: object, properties: {format: {type: string}}}
    Unused: {type: object, properties: {x: {type: string}}}
"#;

    fn lowered(select: Selection) -> (Vec<String>, Vec<String>, Vec<crate::diag::Diagnostic>) {
        let config = ApiConfig { module: "api".into(), select, ..ApiConfig::default() };
        let (api, warnings) = crate::lower_document(crate::Source::text(DOCUMENT, "doc.yaml"), &config).unwrap();
        let ops = api.operations.iter().map(|op| op.wire_id.clone()).collect();
        let types = api.types.iter().map(|t| t.name.clone()).collect();
        (ops, types, warnings)
    }

    #[test]
    fn a_selection_keeps_the_operations_it_names_and_the_types_they_reach() {
        let (ops, types, warnings) = lowered(Selection { tags: vec!["Site".into()], ..Selection::default() });
        assert_eq!(ops, ["listSites", "getSite"]);
        assert_eq!(types, ["Failure", "GetSiteError", "NotFound", "Owner", "Site", "SitePage"], "{warnings:?}");
        let (ops, types, _) = lowered(Selection {
            paths: vec!["/sites/**".into(), "/reports".into()],
            exclude_operations: vec!["getSite".into()],
            ..Selection::default()
        });
        assert_eq!(ops, ["listSites", "createReport"]);
        assert_eq!(types, ["Owner", "Report", "Site", "SitePage"]);
        // Without a selection, every schema is generated.
        let (ops, types, _) = lowered(Selection::default());
        assert_eq!((ops.len(), types.contains(&"Unused".to_owned())), (3, true));
    }

    #[test]
    fn an_unknown_operation_is_an_error_and_a_tag_that_matches_nothing_a_warning() {
        let config = ApiConfig {
            module: "api".into(),
            select: Selection {
                operations: vec!["getSite".into(), "nope".into()],
                tags: vec!["Nothing".into()],
                ..Selection::default()
            },
            ..ApiConfig::default()
        };
        let errors = crate::lower_document(crate::Source::text(DOCUMENT, "doc.yaml"), &config).unwrap_err();
        let messages: Vec<&str> = errors.iter().map(|d| d.message.as_str()).collect();
        assert!(messages.contains(&"no operation `nope` in the document"), "{messages:?}");
        assert!(messages.contains(&"`Nothing` matches no operation"), "{messages:?}");
    }

    #[test]
    fn path_patterns_match_segment_by_segment() {
        assert!(path_matches("/api/3/sites/**", "/api/3/sites/{id}/assets"));
        assert!(path_matches("/api/3/sites/**", "/api/3/sites"));
        assert!(path_matches("/api/3/*/{id}", "/api/3/assets/{id}"));
        assert!(path_matches("/api/3/report*", "/api/3/reports"));
        assert!(!path_matches("/api/3/sites/*", "/api/3/sites/{id}/assets"));
        assert!(!path_matches("/api/3/sites", "/api/3/site"));
        assert!(path_matches("**/health", "/admin/health"));
    }
}

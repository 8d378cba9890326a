//! Documents split over several files: every `$ref` to a relative file (JSON or YAML, whole
//! or with a `#/fragment`, nested, in cycles) is loaded once and bundled into the root
//! document under `x-bundled/<path relative to the root document>`, and the reference made
//! local. Diagnostics about bundled parts name the file they come from. References to
//! http(s) URLs are refused: generation needs no network.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

pub use crate::diag::{BUNDLED as SECTION, bundled_origin as origin};
use crate::diag::{Diagnostic, Diagnostics, Severity, join, pointer_token};

/// Files found so far: canonical path → key (the path relative to the root's folder).
struct Bundler<'d> {
    root_dir: PathBuf,
    keys: BTreeMap<PathBuf, String>,
    pending: Vec<(PathBuf, String)>,
    diags: &'d mut Diagnostics,
    sound: bool,
}

/// Bundles the files `document` (read from `path`) refers to; false, with errors naming the
/// file and pointer, when one cannot be read.
pub fn bundle(document: &mut Value, path: &Path, diags: &mut Diagnostics) -> bool {
    if !has_file_refs(document) {
        return true;
    }
    let root_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut bundler =
        Bundler { root_dir: root_dir.clone(), keys: BTreeMap::new(), pending: Vec::new(), diags, sound: true };
    let shown = bundler.diags.file.clone();
    bundler.rewrite(document, &root_dir, None, &shown, "");
    let mut bundled = Map::new();
    while let Some((file, key)) = bundler.pending.pop() {
        let shown = format!("{}", file.strip_prefix(&bundler.root_dir).unwrap_or(&file).display());
        let text = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(error) => {
                bundler.error(&shown, "", format!("cannot read the referenced file: {error}"));
                continue;
            }
        };
        let mut tree = match super::parse_tree(&text) {
            Ok(tree) => tree,
            Err(error) => {
                bundler.error(&shown, "", format!("the referenced file is not valid YAML or JSON: {error}"));
                continue;
            }
        };
        let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
        bundler.rewrite(&mut tree, &dir, Some(&key), &shown, "");
        bundled.insert(key, tree);
    }
    let sound = bundler.sound;
    if let Some(root) = document.as_object_mut() {
        root.insert(SECTION.into(), Value::Object(bundled));
    }
    sound
}

fn has_file_refs(value: &Value) -> bool {
    match value {
        Value::Object(map) => {
            map.get("$ref").and_then(Value::as_str).is_some_and(|r| !r.starts_with('#'))
                || map.values().any(has_file_refs)
        }
        Value::Array(items) => items.iter().any(has_file_refs),
        _ => false,
    }
}

impl Bundler<'_> {
    fn error(&mut self, file: &str, pointer: &str, message: String) {
        self.sound = false;
        let hint = None;
        self.diags.items.push(Diagnostic {
            severity: Severity::Error,
            file: file.to_owned(),
            pointer: pointer.to_owned(),
            message,
            hint,
        });
    }

    /// Rewrites the references in `value` (part of the file `shown`, bundled as `key`, or the
    /// root when `None`) into local ones, queueing the files they name.
    fn rewrite(&mut self, value: &mut Value, dir: &Path, key: Option<&str>, shown: &str, pointer: &str) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(reference)) = map.get_mut("$ref") {
                    match self.local(reference, dir, key) {
                        Ok(local) => *reference = local,
                        Err(message) => self.error(shown, &join(pointer, "$ref"), message),
                    }
                }
                for (name, child) in map.iter_mut().filter(|(name, _)| *name != "$ref") {
                    self.rewrite(child, dir, key, shown, &join(pointer, name));
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter_mut().enumerate() {
                    self.rewrite(item, dir, key, shown, &join(pointer, &index.to_string()));
                }
            }
            _ => {}
        }
    }

    /// The local form of `reference` found in the file bundled as `key` (or the root).
    fn local(&mut self, reference: &str, dir: &Path, key: Option<&str>) -> Result<String, String> {
        let (file, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        if file.is_empty() {
            // A reference inside a bundled file to that same file.
            return Ok(match key {
                Some(key) => format!("#/{SECTION}/{}{fragment}", pointer_token(key)),
                None => reference.to_owned(),
            });
        }
        if file.starts_with("http://") || file.starts_with("https://") {
            return Err(format!("`{reference}` refers to a URL; only files beside the document are read (no network)"));
        }
        let path = dir.join(file);
        let canonical =
            path.canonicalize().map_err(|error| format!("`{reference}`: cannot read {}: {error}", path.display()))?;
        let key = match self.keys.get(&canonical) {
            Some(key) => key.clone(),
            None => {
                let key = relative_key(&canonical, &self.root_dir);
                self.keys.insert(canonical.clone(), key.clone());
                self.pending.push((canonical, key.clone()));
                key
            }
        };
        Ok(format!("#/{SECTION}/{}{fragment}", pointer_token(&key)))
    }
}

/// A file's key: its path relative to the root document's folder (`/`-separated), or its
/// absolute path when it lies elsewhere.
fn relative_key(file: &Path, root_dir: &Path) -> String {
    let root = root_dir.canonicalize().unwrap_or_else(|_| root_dir.to_path_buf());
    let relative = file.strip_prefix(&root).unwrap_or(file);
    relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::super::load_file;
    use super::*;

    fn scratch(files: &[(&str, &str)]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("clientgen-bundle-{}-{}", files.len(), std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (name, text) in files {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    #[test]
    fn relative_files_nested_and_in_cycles_are_bundled_once() {
        let dir = scratch(&[
            (
                "api.yaml",
                "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n    get:\n      parameters: [{$ref: 'common/params.json#/limit'}]\n      responses:\n        '200': {description: ok, content: {application/json: {schema: {$ref: 'schemas/pet.yaml'}}}}\n",
            ),
            ("common/params.json", r#"{"limit": {"name": "limit", "in": "query", "schema": {"type": "integer"}}}"#),
            ("schemas/pet.yaml", "type: object\nproperties:\n  owner: {$ref: 'owner.yaml#/Owner'}\n"),
            (
                "schemas/owner.yaml",
                "Owner:\n  type: object\n  properties:\n    pets: {type: array, items: {$ref: 'pet.yaml'}}\n    self: {$ref: '#/Owner'}\n",
            ),
        ]);
        let mut diags = Diagnostics::new("api.yaml");
        let spec = load_file(&dir.join("api.yaml"), &mut diags).unwrap_or_else(|| panic!("{:?}", diags.items));
        let bundled = &spec.raw[SECTION];
        assert_eq!(bundled.as_object().unwrap().len(), 3, "{bundled:#}");
        assert_eq!(spec.raw["paths"]["/pets"]["get"]["parameters"][0]["$ref"], "#/x-bundled/common~1params.json/limit");
        assert_eq!(
            bundled["schemas/owner.yaml"]["Owner"]["properties"]["pets"]["items"]["$ref"],
            "#/x-bundled/schemas~1pet.yaml"
        );
        assert_eq!(
            bundled["schemas/owner.yaml"]["Owner"]["properties"]["self"]["$ref"],
            "#/x-bundled/schemas~1owner.yaml/Owner"
        );
        let config = crate::config::ApiConfig { module: "m".into(), ..Default::default() };
        let api = crate::lower::lower(&spec, &config, &mut diags);
        assert!(
            api.types.iter().any(|t| t.name == "Owner"),
            "{:?}",
            api.types.iter().map(|t| &t.name).collect::<Vec<_>>()
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_missing_file_or_a_url_is_an_error_naming_the_file_that_refers_to_it() {
        let dir = scratch(&[
            (
                "api.yaml",
                "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A: {$ref: 'a.yaml'}\n",
            ),
            (
                "a.yaml",
                "type: object\nproperties:\n  b: {$ref: 'missing.yaml#/B'}\n  c: {$ref: 'https://example.com/c.yaml'}\n",
            ),
        ]);
        let mut diags = Diagnostics::new("api.yaml");
        assert!(load_file(&dir.join("api.yaml"), &mut diags).is_none());
        let at: Vec<(&str, &str)> = diags.items.iter().map(|d| (d.file.as_str(), d.pointer.as_str())).collect();
        assert!(at.contains(&("a.yaml", "/properties/b/$ref")), "{:?}", diags.items);
        assert!(at.contains(&("a.yaml", "/properties/c/$ref")), "{:?}", diags.items);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn pointers_into_bundled_files_name_the_file() {
        assert_eq!(
            origin("/x-bundled/schemas~1pet.yaml/properties/a"),
            Some(("schemas/pet.yaml".into(), "/properties/a".into()))
        );
        assert_eq!(origin("/x-bundled/pet.yaml"), Some(("pet.yaml".into(), String::new())));
        assert_eq!(origin("/components/schemas/A"), None);
    }
}

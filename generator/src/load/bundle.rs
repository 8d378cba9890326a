//! Documents split over several files: every `$ref` to a relative file (JSON or YAML, whole
//! or with a `#/fragment`, nested, in cycles) is loaded once and bundled into the root
//! document under `x-bundled/<path relative to the root document>`, and the reference made
//! local. Diagnostics about bundled parts name the file they come from. A reference to an
//! http(s) URL is fetched only when the API's settings allow its prefix (`remote_refs`):
//! by default generation needs no network.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::positions::{self, Context};
pub use crate::diag::{BUNDLED as SECTION, bundled_origin as origin};
use crate::diag::{Diagnostic, Diagnostics, Severity, join, pointer_token};

/// Where a bundled document comes from, and what its own relative references are relative to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Source {
    File(PathBuf),
    Url(url::Url),
}

/// Sources found so far (each with its key: the path relative to the root's folder, or the URL).
struct Bundler<'d> {
    root_dir: PathBuf,
    remote: &'d [String],
    keys: BTreeMap<Source, String>,
    pending: Vec<(Source, String)>,
    diags: &'d mut Diagnostics,
    sound: bool,
    swagger2: bool,
}

/// Bundles the files (and allowed URLs) `document`, read from `path`, refers to; false, with
/// errors naming the file and pointer, when one cannot be read or is not allowed.
pub fn bundle(document: &mut Value, path: &Path, remote: &[String], diags: &mut Diagnostics) -> bool {
    let swagger2 = positions::is_swagger2(document);
    if !positions::any_ref(document, Context::Object, swagger2, &|reference| !reference.starts_with('#')) {
        return true;
    }
    let root_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut bundler = Bundler {
        root_dir: root_dir.clone(),
        remote,
        keys: BTreeMap::new(),
        pending: Vec::new(),
        diags,
        sound: true,
        swagger2,
    };
    let shown = bundler.diags.file.clone();
    let at = Place { source: &Source::File(path.to_path_buf()), key: None, shown: &shown };
    bundler.rewrite(document, &at, Context::Object, "");
    let mut bundled = Map::new();
    while let Some((source, key)) = bundler.pending.pop() {
        let text = match read(&source) {
            Ok(text) => text,
            Err(error) => {
                bundler.error(&key, "", format!("cannot read the referenced document: {error}"));
                continue;
            }
        };
        let mut tree = match super::parse_tree(&text) {
            Ok(tree) => tree,
            Err(error) => {
                bundler.error(&key, "", format!("the referenced document is not valid YAML or JSON: {error}"));
                continue;
            }
        };
        let at = Place { source: &source, key: Some(&key), shown: &key };
        bundler.rewrite(&mut tree, &at, Context::Object, "");
        bundled.insert(key, tree);
    }
    let sound = bundler.sound;
    if let Some(root) = document.as_object_mut() {
        root.insert(SECTION.into(), Value::Object(bundled));
    }
    sound
}

/// Resolves every reference that stands for a whole map of names (`components.schemas` as
/// one `$ref` to an index file, which the common bundlers accept): the map becomes a copy of
/// what the reference names, with a warning naming it. Runs after bundling, when every
/// reference is local; a map that names another such map is resolved in the next round.
pub fn resolve_map_refs(document: &mut Value, diags: &mut Diagnostics) {
    let swagger2 = positions::is_swagger2(document);
    for _ in 0..MAX_MAP_ROUNDS {
        let mut found = Vec::new();
        find_map_refs(document, Context::Object, &mut Vec::new(), swagger2, &mut found);
        if found.is_empty() {
            return;
        }
        for (pointer, reference) in found {
            let target = super::local_pointer(&reference).ok().and_then(|local| document.pointer(&local)).cloned();
            let resolved = match target {
                Some(map @ Value::Object(_)) => {
                    diags.warn(
                        &pointer,
                        format!("a map given as one `$ref` ({reference}) is resolved to the map it names"),
                    );
                    map
                }
                _ => {
                    diags.warn(
                        &pointer,
                        format!("a map given as one `$ref` ({reference}) names no map; it is left empty"),
                    );
                    Value::Object(Map::new())
                }
            };
            if let Some(slot) = document.pointer_mut(&pointer) {
                *slot = resolved;
            }
        }
    }
    diags.warn(
        "",
        format!("maps given as `$ref` still name other maps after {MAX_MAP_ROUNDS} rounds; left as they are"),
    );
}

/// How many times a map given as a `$ref` may name another (a cycle ends here).
const MAX_MAP_ROUNDS: usize = 8;

/// The pointer and reference of every map of names given as one `$ref`. The path is kept
/// as borrowed tokens and joined only for what is found: this walk visits every node.
fn find_map_refs<'v>(
    value: &'v Value,
    context: Context,
    path: &mut Vec<Cow<'v, str>>,
    swagger2: bool,
    found: &mut Vec<(String, String)>,
) {
    if context == Context::Names
        && let Some(reference) = positions::map_reference(value)
    {
        let pointer = path.iter().fold(String::new(), |pointer, token| join(&pointer, token));
        found.push((pointer, reference.to_owned()));
        return;
    }
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter().filter(|(_, child)| child.is_object() || child.is_array()) {
                if !positions::is_data(context, key, child, swagger2) {
                    path.push(Cow::Borrowed(key));
                    find_map_refs(child, context.of_member(key), path, swagger2, found);
                    path.pop();
                }
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate().filter(|(_, item)| item.is_object() || item.is_array()) {
                path.push(Cow::Owned(index.to_string()));
                find_map_refs(item, Context::Object, path, swagger2, found);
                path.pop();
            }
        }
        _ => {}
    }
}

fn read(source: &Source) -> Result<String, String> {
    match source {
        Source::File(path) => std::fs::read_to_string(path).map_err(|e| e.to_string()),
        Source::Url(url) => ureq::get(url.as_str())
            .timeout(std::time::Duration::from_secs(30))
            .call()
            .map_err(|e| e.to_string())?
            .into_string()
            .map_err(|e| e.to_string()),
    }
}

impl Bundler<'_> {
    /// An error in `file` (the root document as its diagnostics name it, or a bundled
    /// document by its key: relative to the root's folder, or a URL).
    fn error(&mut self, file: &str, pointer: &str, message: String) {
        self.sound = false;
        let file =
            if file == self.diags.file || file.contains("://") { file.to_owned() } else { self.diags.beside(file) };
        let pointer = pointer.to_owned();
        self.diags.items.push(Diagnostic { severity: Severity::Error, file, pointer, message, hint: None });
    }

    /// An advisory in `file`, which names it as [`error`](Self::error) does.
    fn warn(&mut self, file: &str, pointer: &str, message: String) {
        let file =
            if file == self.diags.file || file.contains("://") { file.to_owned() } else { self.diags.beside(file) };
        let pointer = pointer.to_owned();
        self.diags.items.push(Diagnostic { severity: Severity::Warning, file, pointer, message, hint: None });
    }

    /// Rewrites the references in `value` (read in `context`, at `pointer` of the document
    /// `at` names) into local ones, queueing what they name. Data is left as it is; a
    /// reference where text belongs is replaced by the text it names.
    fn rewrite(&mut self, value: &mut Value, at: &Place, context: Context, pointer: &str) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(reference)) = map.get_mut("$ref") {
                    let target = reference.split('#').next().unwrap_or_default();
                    if !target.is_empty() && !is_structured(target) {
                        let message = format!(
                            "`{reference}` is not a JSON or YAML document, and text does not belong here; \
                             the reference is left out (an empty object takes its place)"
                        );
                        self.warn(at.shown, &join(pointer, "$ref"), message);
                        *value = Value::Object(Map::new());
                        return;
                    }
                    match self.local(reference, at) {
                        Ok(local) => *reference = local,
                        Err(message) => self.error(at.shown, &join(pointer, "$ref"), message),
                    }
                }
                for (name, child) in map.iter_mut() {
                    if name == "$ref" || positions::is_data(context, name, child, self.swagger2) {
                        continue;
                    }
                    let child_pointer = join(pointer, name);
                    if context == Context::Object
                        && positions::TEXT_FIELDS.contains(&name.as_str())
                        && let Some(reference) = positions::map_reference(child).map(str::to_owned)
                    {
                        *child = self.text(&reference, at, &child_pointer);
                        continue;
                    }
                    self.rewrite(child, at, context.of_member(name), &child_pointer);
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter_mut().enumerate() {
                    self.rewrite(item, at, Context::Object, &join(pointer, &index.to_string()));
                }
            }
            _ => {}
        }
    }

    /// The text a `$ref` where text belongs (a `description`) names: a Markdown or text
    /// file as it is, a JSON or YAML file holding a string as that string. Documentation
    /// never fails a run: what cannot be read is a warning, and the text is left empty.
    fn text(&mut self, reference: &str, at: &Place, pointer: &str) -> Value {
        let (target, _) = reference.split_once('#').unwrap_or((reference, ""));
        let read = if target.is_empty() {
            Err("a reference inside the document where text belongs is not followed".to_owned())
        } else {
            self.resolve(target, at.source).and_then(|source| read(&source))
        };
        match read {
            // A JSON or YAML file holding one string stands for that string.
            Ok(text) => match is_structured(target).then(|| super::parse_tree(&text)) {
                Some(Ok(Value::String(parsed))) => Value::String(parsed),
                _ => Value::String(text),
            },
            Err(message) => {
                self.warn(at.shown, pointer, format!("`{reference}`: {message}; the text is left empty"));
                Value::String(String::new())
            }
        }
    }

    /// The local form of `reference` found in `source` (bundled as `key`, or the root).
    fn local(&mut self, reference: &str, at: &Place) -> Result<String, String> {
        let (source, key) = (at.source, at.key);
        let (target, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        if target.is_empty() {
            // A reference inside a bundled document to that same document.
            return Ok(match key {
                Some(key) => format!("#/{SECTION}/{}{fragment}", pointer_token(key)),
                None => reference.to_owned(),
            });
        }
        let found = self.resolve(target, source).map_err(|message| format!("`{reference}`: {message}"))?;
        let key = match self.keys.get(&found) {
            Some(key) => key.clone(),
            None => {
                let key = match &found {
                    Source::File(path) => relative_key(path, &self.root_dir),
                    Source::Url(url) => url.to_string(),
                };
                self.keys.insert(found.clone(), key.clone());
                self.pending.push((found, key.clone()));
                key
            }
        };
        Ok(format!("#/{SECTION}/{}{fragment}", pointer_token(&key)))
    }

    /// What `target` names, seen from `source`: a file beside it, or a URL (absolute, or
    /// relative to a remote `source`) whose prefix the settings allow.
    fn resolve(&self, target: &str, source: &Source) -> Result<Source, String> {
        let url = match source {
            Source::Url(base) => Some(base.join(target).map_err(|e| e.to_string())?),
            Source::File(_) if target.starts_with("http://") || target.starts_with("https://") => {
                Some(url::Url::parse(target).map_err(|e| e.to_string())?)
            }
            Source::File(_) => None,
        };
        match (url, source) {
            (Some(url), _) if self.remote.iter().any(|prefix| url.as_str().starts_with(prefix.as_str())) => {
                Ok(Source::Url(url))
            }
            (Some(url), _) => Err(format!(
                "refers to {url}; documents on the network are fetched only from prefixes the settings list in `remote_refs`"
            )),
            (None, Source::File(path)) => {
                let dir = path.parent().unwrap_or(Path::new(""));
                let file = dir.join(target);
                file.canonicalize().map(Source::File).map_err(|e| format!("cannot read {}: {e}", file.display()))
            }
            (None, Source::Url(_)) => Err("cannot resolve a file reference inside a remote document".into()),
        }
    }
}

/// Where a walk of [`Bundler::rewrite`] is: the document's source, its key in the bundle
/// (`None` for the root) and its name in diagnostics.
struct Place<'p> {
    source: &'p Source,
    key: Option<&'p str>,
    shown: &'p str,
}

/// Whether a referenced file is JSON or YAML by its name; other files (Markdown, text)
/// can only stand where text belongs.
fn is_structured(target: &str) -> bool {
    let path = target.split(['?', '#']).next().unwrap_or(target).to_ascii_lowercase();
    [".json", ".yaml", ".yml"].iter().any(|extension| path.ends_with(extension))
        || !path.rsplit('/').next().unwrap_or("").contains('.')
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
    use super::super::{LoadedSpec, Source, load};
    use super::*;

    fn load_file(path: &Path, diags: &mut Diagnostics) -> Option<LoadedSpec> {
        load(&Source::file(path), &[], &[], diags)
    }

    /// A folder of its own for each test (tests run in parallel), holding `files`.
    fn scratch(files: &[(&str, &str)]) -> PathBuf {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("clientgen-bundle-{n}-{}", std::process::id()));
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
        assert!(diags.items.iter().any(|d| d.message.contains("remote_refs")), "{:?}", diags.items);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn references_in_data_are_data_and_maps_and_texts_given_as_references_are_resolved() {
        let dir = scratch(&[
            (
                "api.yaml",
                "openapi: 3.0.3\ninfo: {title: t, version: '1', description: {$ref: 'docs/intro.md'}}\npaths:\n  /users:\n    get:\n      description: {$ref: 'docs/missing.md'}\n      responses:\n        '200':\n          description: ok\n          content:\n            application/scim+json:\n              schema: {$ref: '#/components/schemas/User'}\n              example: {id: '1', manager: {$ref: 'https://scim.example.com/Users/2', value: '2'}}\ncomponents:\n  schemas: {$ref: 'schemas/index.yaml'}\n  parameters: {$ref: 'parameters.yaml'}\n  responses: {$ref: 'responses.yaml'}\n",
            ),
            ("docs/intro.md", "# Users\n\nThe *SCIM* directory.\n"),
            (
                "schemas/index.yaml",
                "User:\n  type: object\n  properties:\n    id: {type: string}\n    manager: {$ref: 'manager.yaml'}\n  x-sample: {$ref: 'not-a-file.yaml'}\n",
            ),
            (
                "schemas/manager.yaml",
                "type: object\nproperties:\n  $ref: {type: string, default: {$ref: 'nope'}}\n  value: {type: string}\n",
            ),
            ("parameters.yaml", "Limit: {name: limit, in: query, schema: {type: integer}}\n"),
            ("responses.yaml", "Gone: {description: gone}\n"),
        ]);
        let mut diags = Diagnostics::new("api.yaml");
        let spec = load_file(&dir.join("api.yaml"), &mut diags).unwrap_or_else(|| panic!("{:?}", diags.items));
        assert!(!diags.has_errors(), "{:?}", diags.items);
        let raw = &spec.raw;
        assert_eq!(raw["info"]["description"], "# Users\n\nThe *SCIM* directory.\n");
        assert_eq!(raw["paths"]["/users"]["get"]["description"], "");
        let example = &raw["paths"]["/users"]["get"]["responses"]["200"]["content"]["application/scim+json"]["example"];
        assert_eq!(example["manager"]["$ref"], "https://scim.example.com/Users/2", "data is never rewritten");
        assert_eq!(raw["components"]["schemas"]["User"]["x-sample"]["$ref"], "not-a-file.yaml");
        assert!(raw["components"]["parameters"]["Limit"].is_object());
        assert_eq!(raw["components"]["responses"]["Gone"]["description"], "gone");
        let manager = &raw[SECTION]["schemas/manager.yaml"];
        assert_eq!(manager["properties"]["$ref"]["default"]["$ref"], "nope", "a property named $ref, a default");
        let warned: Vec<&str> = diags.items.iter().map(|d| d.pointer.as_str()).collect();
        for pointer in
            ["/components/schemas", "/components/parameters", "/components/responses", "/paths/~1users/get/description"]
        {
            assert!(warned.contains(&pointer), "a warning names {pointer}: {:?}", diags.items);
        }
        let config = crate::config::ApiConfig { module: "m".into(), ..Default::default() };
        let api = crate::lower::lower(&spec, &config, &mut diags);
        assert!(
            api.types.iter().any(|t| t.name == "User"),
            "{:?}",
            api.types.iter().map(|t| &t.name).collect::<Vec<_>>()
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_markdown_file_where_an_object_belongs_is_a_warning_with_the_choice_made() {
        let dir = scratch(&[
            (
                "api.yaml",
                "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A: {$ref: 'a.md'}\n",
            ),
            ("a.md", "# not a schema\n"),
        ]);
        let mut diags = Diagnostics::new("api.yaml");
        let spec = load_file(&dir.join("api.yaml"), &mut diags).unwrap_or_else(|| panic!("{:?}", diags.items));
        assert_eq!(spec.raw["components"]["schemas"]["A"], serde_json::json!({}));
        assert!(
            diags.items.iter().any(|d| d.pointer == "/components/schemas/A/$ref" && d.message.contains("left out"))
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    /// Serves `body` for every request over HTTP on loopback; returns the base URL.
    fn serve(body: &'static str) -> String {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            for mut socket in listener.incoming().flatten() {
                let mut request = [0u8; 2048];
                let _ = socket.read(&mut request);
                let head = format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", body.len());
                let _ = socket.write_all(head.as_bytes()).and_then(|()| socket.write_all(body.as_bytes()));
            }
        });
        format!("http://{address}/")
    }

    #[test]
    fn a_url_is_fetched_only_under_a_prefix_the_settings_allow() {
        let base = serve("Remote:\n  type: object\n  properties:\n    id: {type: string}\n");
        let root = format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n    A: {{$ref: '{base}schemas.yaml#/Remote'}}\n"
        );
        let dir = scratch(&[("remote.yaml", root.as_str())]);
        let mut diags = Diagnostics::new("remote.yaml");
        assert!(load_file(&dir.join("remote.yaml"), &mut diags).is_none(), "not allowed by default");
        let mut diags = Diagnostics::new("remote.yaml");
        let spec = load(&Source::file(&dir.join("remote.yaml")), &[], std::slice::from_ref(&base), &mut diags)
            .unwrap_or_else(|| panic!("{:?}", diags.items));
        let key = format!("{base}schemas.yaml");
        assert_eq!(spec.raw[SECTION][key.as_str()]["Remote"]["properties"]["id"]["type"], "string");
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

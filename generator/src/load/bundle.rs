//! Documents split over several files: every `$ref` to a relative file (JSON or YAML, whole
//! or with a `#/fragment`, nested, in cycles) is loaded once and bundled into the root
//! document under `x-bundled/<path relative to the root document>`, and the reference made
//! local. Diagnostics about bundled parts name the file they come from. A reference to an
//! http(s) URL is fetched only when the API's settings allow its prefix (`remote_refs`):
//! by default generation needs no network.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

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
}

/// Bundles the files (and allowed URLs) `document`, read from `path`, refers to; false, with
/// errors naming the file and pointer, when one cannot be read or is not allowed.
pub fn bundle(document: &mut Value, path: &Path, remote: &[String], diags: &mut Diagnostics) -> bool {
    if !super::any_ref(document, &|reference| !reference.starts_with('#')) {
        return true;
    }
    let root_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut bundler =
        Bundler { root_dir: root_dir.clone(), remote, keys: BTreeMap::new(), pending: Vec::new(), diags, sound: true };
    let shown = bundler.diags.file.clone();
    bundler.rewrite(document, &Source::File(path.to_path_buf()), None, &shown, "");
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
        bundler.rewrite(&mut tree, &source, Some(&key), &key, "");
        bundled.insert(key, tree);
    }
    let sound = bundler.sound;
    if let Some(root) = document.as_object_mut() {
        root.insert(SECTION.into(), Value::Object(bundled));
    }
    sound
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

    /// Rewrites the references in `value` (part of `source`, bundled as `key`, or the root
    /// when `None`; named `shown` in diagnostics) into local ones, queueing what they name.
    fn rewrite(&mut self, value: &mut Value, source: &Source, key: Option<&str>, shown: &str, pointer: &str) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(reference)) = map.get_mut("$ref") {
                    match self.local(reference, source, key) {
                        Ok(local) => *reference = local,
                        Err(message) => self.error(shown, &join(pointer, "$ref"), message),
                    }
                }
                for (name, child) in map.iter_mut().filter(|(name, _)| *name != "$ref") {
                    self.rewrite(child, source, key, shown, &join(pointer, name));
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter_mut().enumerate() {
                    self.rewrite(item, source, key, shown, &join(pointer, &index.to_string()));
                }
            }
            _ => {}
        }
    }

    /// The local form of `reference` found in `source` (bundled as `key`, or the root).
    fn local(&mut self, reference: &str, source: &Source, key: Option<&str>) -> Result<String, String> {
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
        assert!(diags.items.iter().any(|d| d.message.contains("remote_refs")), "{:?}", diags.items);
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
        let spec = super::super::load_file_with(&dir.join("remote.yaml"), &[], std::slice::from_ref(&base), &mut diags)
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

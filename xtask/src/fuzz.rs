//! `fuzz --docs N --seed S`: compile-fuzzing. Writes N random, valid API documents (OpenAPI
//! 3.0, 3.1 and Swagger 2.0) that mix the hard constructs (names from a hostile alphabet,
//! unions with and without discriminators, allOf chains, recursion, nullable and optional
//! mixes, every parameter location and style, multipart and form bodies, several media types
//! and statuses), generates a crate from each and `cargo check`s them all in one workspace.
//! A failure prints the document's seed and path, so it can become a fixture.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use clientgen::Source;
use serde_json::{Map, Value, json};

use crate::conformance::target_dir;

/// Names that have broken generated code somewhere: Rust keywords, prelude and std names,
/// names the generated code uses itself, names that differ only by case or punctuation,
/// empty, numeric and non-ASCII names.
const HOSTILE: &[&str] = &[
    "type",
    "self",
    "Self",
    "super",
    "crate",
    "loop",
    "match",
    "await",
    "box",
    "ref",
    "mod",
    "fn",
    "impl",
    "const",
    "Option",
    "Result",
    "Some",
    "None",
    "Ok",
    "Err",
    "Vec",
    "String",
    "Box",
    "Default",
    "Value",
    "Error",
    "Response",
    "Client",
    "new",
    "builder",
    "from_env",
    "base_url",
    "build",
    "config",
    "timeout",
    "retry",
    "header",
    "deadline",
    "send",
    "body",
    "options",
    "client",
    "into_request",
    "send_with",
    "send_streaming_with",
    "send_reading",
    "core",
    "input",
    "encode",
    "into_stream",
    "into_pages",
    "raw_body",
    "max_body_size",
    "as_str",
    "ALL",
    "Unknown",
    "unknown",
    "name",
    "file",
    "id",
    "Id",
    "ID",
    "i-d",
    "i_d",
    "a.b",
    "a b",
    "",
    "1",
    "2fa",
    "_",
    "-",
    "é",
    "名前",
    "x-name",
    "$ref",
    "additional_properties",
    "value",
    "values",
    // The operations and types modules' own names, and crates the generated code names by
    // path: an operation or schema so named once became a module that shadowed them.
    "types",
    "runtime",
    "operations",
    "std",
    "serde",
    "reqwest",
    "chrono",
    "uuid",
    "futures",
    // Types an operation's companions could be named (`type` answers with `TypeResponse`).
    "TypeResponse",
    "sendError",
];

/// A small seeded generator of documents.
struct Gen {
    rng: fastrand::Rng,
}

impl Gen {
    fn name(&mut self) -> String {
        if self.rng.u8(0..3) == 0 {
            format!("{}{}", HOSTILE[self.rng.usize(0..HOSTILE.len())], self.rng.u8(0..3))
        } else {
            HOSTILE[self.rng.usize(0..HOSTILE.len())].to_owned()
        }
    }

    /// Between `low` and `high` (exclusive) distinct names.
    fn some_names(&mut self, low: usize, high: usize) -> Vec<String> {
        let count = self.rng.usize(low..high);
        self.names(count)
    }

    /// Distinct names (the document's own maps need distinct keys).
    fn names(&mut self, count: usize) -> Vec<String> {
        let mut names = BTreeSet::new();
        while names.len() < count {
            names.insert(self.name());
        }
        let mut names: Vec<String> = names.into_iter().collect();
        self.rng.shuffle(&mut names);
        names
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.rng.usize(0..items.len())]
    }

    /// A schema for a value: scalars, enums, arrays, maps, references to `components`, inline
    /// objects, unions; `depth` bounds inline nesting.
    fn schema(&mut self, refs: &[String], depth: u32, version: Version) -> Value {
        let choice = if depth > 2 { self.rng.u8(0..6) } else { self.rng.u8(0..12) };
        let mut schema = match choice {
            0 => json!({"type": "string"}),
            1 => json!({"type": "integer", "format": self.pick(&["int32", "int64"])}),
            2 => json!({"type": "number"}),
            3 => json!({"type": "boolean"}),
            4 => json!({"type": "string", "format": self.pick(&["date-time", "date", "uuid", "byte"])}),
            5 if !refs.is_empty() => json!({"$ref": version.reference(&self.pick(refs).clone())}),
            5 | 6 => {
                let values = self.some_names(1, 5);
                json!({"type": "string", "enum": values})
            }
            7 => json!({"type": "array", "items": self.schema(refs, depth + 1, version)}),
            8 => json!({"type": "object", "additionalProperties": self.schema(refs, depth + 1, version)}),
            9 => self.object(refs, depth + 1, version),
            10 if version != Version::Swagger2 && refs.len() >= 2 => self.union(refs, version),
            _ => json!({"type": "object"}),
        };
        if self.rng.u8(0..4) == 0 && schema.get("$ref").is_none() {
            version.make_nullable(&mut schema);
        }
        schema
    }

    fn object(&mut self, refs: &[String], depth: u32, version: Version) -> Value {
        let names = self.some_names(0, 6);
        let mut properties = Map::new();
        let mut required = Vec::new();
        for name in names {
            if self.rng.bool() {
                required.push(json!(name));
            }
            properties.insert(name, self.schema(refs, depth, version));
        }
        let mut object = json!({"type": "object", "properties": properties});
        if !required.is_empty() {
            object["required"] = Value::Array(required);
        }
        object
    }

    /// `oneOf`/`anyOf` of referenced objects, with or without a discriminator.
    fn union(&mut self, refs: &[String], version: Version) -> Value {
        let mut variants: Vec<String> = (0..self.rng.usize(2..4)).map(|_| self.pick(refs).clone()).collect();
        variants.sort();
        variants.dedup();
        let list: Vec<Value> = variants.iter().map(|r| json!({"$ref": version.reference(r)})).collect();
        let keyword = if self.rng.bool() { "oneOf" } else { "anyOf" };
        let mut union = json!({ keyword: list });
        if self.rng.bool() {
            union["discriminator"] = json!({"propertyName": self.name()});
        }
        union
    }

    /// Component schemas: objects (some recursive), allOf chains, enums, unions.
    fn components(&mut self, version: Version) -> Map<String, Value> {
        let names = self.some_names(2, 8);
        let mut schemas = Map::new();
        for (index, name) in names.iter().enumerate() {
            let earlier = &names[..index];
            let schema = match self.rng.u8(0..6) {
                // Recursion: a property that refers to the schema itself.
                0 => {
                    let mut object = self.object(earlier, 1, version);
                    object["properties"][self.name()] = json!({"$ref": version.reference(name)});
                    object
                }
                1 if !earlier.is_empty() => {
                    json!({"allOf": [{"$ref": version.reference(&self.pick(earlier).clone())}, self.object(earlier, 1, version)]})
                }
                2 if version != Version::Swagger2 && earlier.len() >= 2 => self.union(earlier, version),
                3 => json!({"type": "string", "enum": self.some_names(1, 6)}),
                _ => self.object(earlier, 1, version),
            };
            schemas.insert(name.clone(), schema);
        }
        schemas
    }

    fn operation(&mut self, refs: &[String], path_params: &[String], version: Version) -> Value {
        let mut parameters: Vec<Value> = path_params
            .iter()
            .map(|name| version.parameter(name, "path", true, json!({"type": "string"}), None))
            .collect();
        let names = self.some_names(0, 5);
        for name in names.iter().filter(|n| !path_params.contains(n)) {
            let location = *self.pick(&["query", "header", "query", "cookie"]);
            let location = if version == Version::Swagger2 && location == "cookie" { "query" } else { location };
            let array = self.rng.u8(0..3) == 0;
            let schema = if array {
                json!({"type": "array", "items": {"type": self.pick(&["string", "integer"])}})
            } else {
                json!({"type": self.pick(&["string", "integer", "boolean"])})
            };
            let style = array.then(|| *self.pick(&["form", "spaceDelimited", "pipeDelimited", "multi", "tsv"]));
            let required = self.rng.u8(0..3) == 0;
            parameters.push(version.parameter(name, location, required, schema, style));
        }
        let mut operation = json!({"operationId": self.name(), "parameters": parameters});
        let body = match self.rng.u8(0..5) {
            0 | 1 => Some(("application/json", self.schema(refs, 1, version))),
            2 => {
                let mut form = self.object(&[], 2, version);
                if let Some(properties) = form["properties"].as_object_mut() {
                    properties.insert(self.name(), json!({"type": "string", "format": "binary"}));
                }
                Some(("multipart/form-data", form))
            }
            3 => Some(("application/x-www-form-urlencoded", self.object(&[], 2, version))),
            _ => None,
        };
        if let Some((media, schema)) = body {
            version.body(&mut operation, media, schema, self.rng.bool());
        }
        let mut responses = Map::new();
        for status in ["200", "201", "204", "400", "404", "default"] {
            if self.rng.u8(0..3) != 0 {
                continue;
            }
            let media = *self.pick(&[
                "application/json",
                "application/json;charset=UTF-8",
                "text/plain",
                "application/octet-stream",
            ]);
            let schema = match media {
                "text/plain" => json!({"type": "string"}),
                "application/octet-stream" => json!({"type": "string", "format": "binary"}),
                _ => self.schema(refs, 1, version),
            };
            let answer = if status == "204" { json!({"description": "none"}) } else { version.response(media, schema) };
            responses.insert(status.to_owned(), answer);
        }
        if responses.is_empty() {
            responses.insert("200".into(), json!({"description": "ok"}));
        }
        operation["responses"] = Value::Object(responses);
        operation
    }

    fn document(&mut self, version: Version) -> Value {
        let schemas = self.components(version);
        let refs: Vec<String> = schemas.keys().cloned().collect();
        let mut paths = Map::new();
        for index in 0..self.rng.usize(1..6) {
            let path_params = self.some_names(0, 3);
            let template: String = path_params.iter().enumerate().map(|(i, p)| format!("/s{i}/{{{p}}}")).collect();
            let mut item = Map::new();
            for method in ["get", "post", "put", "patch", "delete"] {
                if self.rng.u8(0..3) == 0 || (method == "get" && item.is_empty()) {
                    item.insert(method.to_owned(), self.operation(&refs, &path_params, version));
                }
            }
            paths.insert(format!("/p{index}{template}"), Value::Object(item));
        }
        version.wrap(paths, schemas, self.name())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    OpenApi30,
    OpenApi31,
    Swagger2,
}

impl Version {
    fn reference(self, name: &str) -> String {
        let escaped = name.replace('~', "~0").replace('/', "~1");
        match self {
            Version::Swagger2 => format!("#/definitions/{escaped}"),
            _ => format!("#/components/schemas/{escaped}"),
        }
    }

    fn make_nullable(self, schema: &mut Value) {
        match (self, schema.get("type").cloned()) {
            (Version::OpenApi31, Some(kind)) => schema["type"] = json!([kind, "null"]),
            (Version::OpenApi30, _) => schema["nullable"] = json!(true),
            (Version::Swagger2, _) => schema["x-nullable"] = json!(true),
            _ => {}
        }
    }

    fn parameter(self, name: &str, location: &str, required: bool, schema: Value, style: Option<&str>) -> Value {
        match self {
            Version::Swagger2 => {
                let mut parameter = json!({"name": name, "in": location, "required": required});
                if let Some(object) = schema.as_object() {
                    for (key, value) in object {
                        parameter[key.as_str()] = value.clone();
                    }
                }
                if let Some(style) = style {
                    let format = match style {
                        "spaceDelimited" => "ssv",
                        "pipeDelimited" => "pipes",
                        "form" => "csv",
                        other => other,
                    };
                    parameter["collectionFormat"] = json!(format);
                }
                parameter
            }
            _ => {
                let mut parameter = json!({"name": name, "in": location, "required": required, "schema": schema});
                match style {
                    Some("multi") | None => {}
                    Some("tsv") => parameter["explode"] = json!(false),
                    Some(_) if location != "query" => {}
                    Some(style) => {
                        parameter["style"] = json!(style);
                        parameter["explode"] = json!(false);
                    }
                }
                parameter
            }
        }
    }

    fn body(self, operation: &mut Value, media: &str, schema: Value, required: bool) {
        match self {
            Version::Swagger2 if media == "application/json" => {
                let body = json!({"name": "body", "in": "body", "required": required, "schema": schema});
                if let Some(list) = operation["parameters"].as_array_mut() {
                    list.push(body);
                }
            }
            Version::Swagger2 => {
                operation["consumes"] = json!([media]);
                let properties = schema["properties"].as_object().cloned().unwrap_or_default();
                let used: Vec<String> = operation["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|p| p["name"].as_str().map(str::to_owned))
                    .collect();
                for (name, property) in properties.into_iter().filter(|(name, _)| !used.contains(name)) {
                    let kind = if property["format"] == "binary" { "file" } else { "string" };
                    let field = json!({"name": name, "in": "formData", "type": kind});
                    if let Some(list) = operation["parameters"].as_array_mut() {
                        list.push(field);
                    }
                }
            }
            _ => operation["requestBody"] = json!({"required": required, "content": {media: {"schema": schema}}}),
        }
    }

    fn response(self, media: &str, schema: Value) -> Value {
        match self {
            Version::Swagger2 => json!({"description": "answer", "schema": schema}),
            _ => json!({"description": "answer", "content": {media: {"schema": schema}}}),
        }
    }

    fn wrap(self, paths: Map<String, Value>, schemas: Map<String, Value>, title: String) -> Value {
        let info = json!({"title": format!("fuzz {title}"), "version": "1.0"});
        match self {
            Version::Swagger2 => json!({
                "swagger": "2.0", "info": info, "host": "api.example.com", "basePath": "/v1",
                "produces": ["application/json"], "paths": paths, "definitions": schemas
            }),
            Version::OpenApi30 => json!({
                "openapi": "3.0.3", "info": info, "servers": [{"url": "https://api.example.com/v1"}],
                "paths": paths, "components": {"schemas": schemas}
            }),
            Version::OpenApi31 => json!({
                "openapi": "3.1.0", "info": info, "servers": [{"url": "https://api.example.com/v1"}],
                "paths": paths, "components": {"schemas": schemas}
            }),
        }
    }
}

struct Options {
    docs: usize,
    seed: u64,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options { docs: 20, seed: 1 };
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let value = iter.next().ok_or(format!("{arg} needs a number"))?;
        let number = value.parse::<u64>().map_err(|_| format!("{arg} needs a number, not `{value}`"))?;
        match arg.as_str() {
            "--docs" => options.docs = number as usize,
            "--seed" => options.seed = number,
            other => return Err(format!("unexpected argument `{other}`")),
        }
    }
    Ok(options)
}

/// The seed of document `index` of a run: each document can be made again on its own.
fn document_seed(run: u64, index: usize) -> u64 {
    run.wrapping_mul(1_000_003).wrapping_add(index as u64)
}

pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let options = parse(args)?;
    let work = target_dir(root).join("fuzz");
    let _ = fs::remove_dir_all(&work);
    fs::create_dir_all(work.join("docs")).map_err(|e| e.to_string())?;
    let mut members = Vec::new();
    let mut failures = Vec::new();
    for index in 0..options.docs {
        let seed = document_seed(options.seed, index);
        let mut generator = Gen { rng: fastrand::Rng::with_seed(seed) };
        let version = *generator.pick(&[Version::OpenApi30, Version::OpenApi31, Version::Swagger2]);
        let document = generator.document(version);
        let path = work.join("docs").join(format!("fuzz-{seed}.json"));
        let text = serde_json::to_string_pretty(&document).map_err(|e| e.to_string())?;
        fs::write(&path, text).map_err(|e| e.to_string())?;
        let name = format!("fuzz-{seed}");
        match clientgen::generate(Source::file(&path), &clientgen::Options::new(&name)) {
            Ok(generated) => {
                crate::corpus::write_files(&work.join(&name), &generated.files)?;
                members.push((name, path));
            }
            Err(errors) => failures.push(format!(
                "seed {seed} ({}): generation failed: {}",
                path.display(),
                errors.first().map(ToString::to_string).unwrap_or_default()
            )),
        }
    }
    eprintln!("==> {} of {} documents generated; cargo check of them all", members.len(), options.docs);
    failures.extend(check_all(root, &work, &members)?);
    if failures.is_empty() {
        eprintln!("fuzz: {} documents (seed {}) generate and compile with no warning", options.docs, options.seed);
        Ok(())
    } else {
        Err(format!("fuzz found {} failing document(s):\n{}", failures.len(), failures.join("\n")))
    }
}

/// `cargo check` of every crate in one workspace; the documents whose crate has an error or a
/// warning.
fn check_all(root: &Path, work: &Path, members: &[(String, PathBuf)]) -> Result<Vec<String>, String> {
    if members.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = members.iter().map(|(name, _)| format!("\"{name}\"")).collect();
    let manifest = format!("[workspace]\nresolver = \"3\"\nmembers = [{}]\n", list.join(", "));
    fs::write(work.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    fs::copy(root.join("Cargo.lock"), work.join("Cargo.lock")).map_err(|e| e.to_string())?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["check", "--workspace", "--keep-going", "--quiet", "--message-format=json"])
        .current_dir(work)
        .env("CARGO_TARGET_DIR", target_dir(root))
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot start cargo: {e}"))?;
    let mut failing = BTreeSet::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<Value>(line) else { continue };
        let level = message["message"]["level"].as_str().unwrap_or_default();
        if message["reason"] != "compiler-message" || !matches!(level, "error" | "warning") {
            continue;
        }
        let package = message["package_id"].as_str().unwrap_or_default();
        if let Some((name, path)) = members
            .iter()
            .find(|(name, _)| package.contains(&format!("/{name}#")) || package.contains(&format!("{name}@")))
        {
            let rendered = message["message"]["rendered"].as_str().unwrap_or_default();
            let first = rendered.lines().take(3).collect::<Vec<_>>().join(" | ");
            failing.insert(format!("{name} ({}): {level}: {first}", path.display()));
        }
    }
    if failing.is_empty() && !output.status.success() {
        return Err(format!("cargo check failed:\n{}", String::from_utf8_lossy(&output.stderr)));
    }
    Ok(failing.into_iter().collect())
}

//! Swagger 2.0 → OpenAPI 3.0, as a JSON tree the rest of the loader reads like any 3.0
//! document, with a [`PointerMap`] back to the 2.0 document so that every diagnostic points
//! into the file the user gave.
//!
//! No maintained Rust crate converts 2.0 (see ARCHITECTURE.md), so this module does, walking
//! only the positions the 2.0 specification defines: a keyword is rewritten where a schema,
//! parameter or response stands, never inside `example`, `default`, `enum` or an extension.
//! Parts of the document that are invalid (two body parameters, `formData` beside a body, a
//! `$ref` to nothing) become warnings naming the 2.0 pointer and the choice made.

use serde_json::{Map, Value, json};

use crate::diag::{Diagnostics, PointerMap, join};

/// The 3.0 document and where its parts came from.
pub struct Converted {
    pub doc: Value,
    pub origin: PointerMap,
}

/// Converts a Swagger 2.0 document; `None` when it cannot become a client (errors in `diags`).
pub fn convert(src: &Value, diags: &mut Diagnostics) -> Option<Converted> {
    let root = src.as_object()?;
    if !check_structure(root, diags) {
        return None;
    }
    let mut converter = Converter {
        root,
        diags,
        origin: PointerMap::default(),
        consumes: media_list(root.get("consumes")),
        produces: media_list(root.get("produces")),
    };
    let doc = converter.document();
    Some(Converted { doc, origin: converter.origin })
}

/// What must hold before converting: `paths` and its items are objects, no definition is a
/// chain of references that returns to itself.
fn check_structure(root: &Map<String, Value>, diags: &mut Diagnostics) -> bool {
    let mut sound = true;
    match root.get("paths") {
        None | Some(Value::Object(_)) => {}
        Some(_) => {
            diags.error("/paths", "`paths` is not an object", Some("`paths` maps each path to its operations"));
            sound = false;
        }
    }
    for (path, item) in root.get("paths").and_then(Value::as_object).into_iter().flatten() {
        if !item.is_object() {
            let hint = "a path item maps HTTP methods to operations";
            diags.error(&join("/paths", path), format!("the path item of `{path}` is not an object"), Some(hint));
            sound = false;
        }
    }
    let definitions = root.get("definitions").and_then(Value::as_object);
    for name in definitions.into_iter().flat_map(Map::keys) {
        if let Some(cycle) = reference_cycle(root, name) {
            let hint = "a definition must end in a schema; a recursive type refers to itself from a property";
            diags.error(
                &join("/definitions", name),
                format!("the definition is a cycle of references: {}", cycle.join(" → ")),
                Some(hint),
            );
            sound = false;
        }
    }
    sound
}

/// The chain of names when definition `name` is a bare `$ref` that leads back to itself.
fn reference_cycle(root: &Map<String, Value>, name: &str) -> Option<Vec<String>> {
    let definitions = root.get("definitions")?.as_object()?;
    let mut chain = vec![name.to_owned()];
    let mut current = definitions.get(name)?;
    while let Some(next) = current.get("$ref").and_then(Value::as_str).and_then(definition_name) {
        if next == name {
            chain.push(next);
            return Some(chain);
        }
        if chain.contains(&next) {
            // A cycle further on; it is reported at its own definitions.
            return None;
        }
        current = definitions.get(&next)?;
        chain.push(next);
    }
    None
}

/// `#/definitions/Name` → `Name` (pointer escapes and percent escapes undone).
fn definition_name(reference: &str) -> Option<String> {
    let rest = reference.strip_prefix("#/definitions/")?;
    Some(super::percent_decode(rest).replace("~1", "/").replace("~0", "~"))
}

/// A `consumes`/`produces` list, trimmed (vendors write `" multipart/form-data"`).
fn media_list(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|media| media.trim().to_owned())
        .filter(|media| !media.is_empty())
        .collect()
}

/// The parameter fields that describe a value (2.0 puts them on the parameter itself; 3.0
/// in its `schema`).
const VALUE_KEYWORDS: &[&str] = &[
    "type",
    "format",
    "items",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "enum",
    "multipleOf",
    "x-nullable",
    "x-isnullable",
];

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch"];

struct Converter<'a> {
    root: &'a Map<String, Value>,
    diags: &'a mut Diagnostics,
    origin: PointerMap,
    consumes: Vec<String>,
    produces: Vec<String>,
}

/// Where a parameter goes in 3.0.
enum Placed {
    /// A path, query, header or cookie parameter.
    Parameter(Value),
    /// The request body (`in: body`), with its schema.
    Body(Map<String, Value>),
    /// A form field (`in: formData`).
    FormField(Map<String, Value>),
}

/// A 2.0 parameter after references: the object, and where it stands in the 2.0 document.
struct SourceParam {
    value: Map<String, Value>,
    pointer: String,
}

impl<'a> Converter<'a> {
    fn document(&mut self) -> Value {
        let mut doc = Map::new();
        doc.insert("openapi".into(), json!("3.0.3"));
        doc.insert("info".into(), self.info());
        let servers = self.servers();
        for index in 0..servers.len() {
            let origin = if self.root.contains_key("host") { "/host" } else { "/basePath" };
            self.origin.insert(format!("/servers/{index}"), origin.into());
        }
        if !servers.is_empty() {
            doc.insert("servers".into(), Value::Array(servers));
        }
        for key in ["tags", "externalDocs", "security"] {
            if let Some(value) = self.root.get(key) {
                doc.insert(key.into(), value.clone());
            }
        }
        doc.insert("paths".into(), Value::Object(self.paths()));
        doc.insert("components".into(), Value::Object(self.components()));
        copy_extensions(self.root, &mut doc);
        Value::Object(doc)
    }

    /// `info` as 3.0 reads it: a license without the `name` 2.0 requires is left out.
    fn info(&mut self) -> Value {
        let mut info = self.root.get("info").and_then(Value::as_object).cloned().unwrap_or_default();
        if info.get("license").is_some_and(|license| license.get("name").and_then(Value::as_str).is_none()) {
            self.diags.warn("/info/license", "the license has no `name`; left out");
            info.remove("license");
        }
        Value::Object(info)
    }

    /// `basePath` without its trailing `/`; one that does not start with `/` (which 2.0
    /// requires) gets one, with a warning, rather than running into the host's port.
    fn base_path(&mut self) -> String {
        let base_path = self.root.get("basePath").and_then(Value::as_str).unwrap_or("").trim_end_matches('/');
        if base_path.is_empty() || base_path.starts_with('/') {
            return base_path.to_owned();
        }
        self.diags.warn("/basePath", format!("`basePath` must start with `/`; read as `/{base_path}`"));
        format!("/{base_path}")
    }

    /// `host` as 2.0 defines it (a name and an optional port), from what documents put
    /// there: a scheme before it (`https://`) is taken as the scheme when `schemes` names
    /// none, and a path after it goes before `basePath`; both with a warning.
    fn host(&mut self) -> Option<(Option<&'static str>, String, String)> {
        let raw = self.root.get("host").and_then(Value::as_str)?.trim_end_matches('/');
        let (scheme, rest) = match raw.split_once("://") {
            Some((scheme, rest)) => {
                self.diags.warn("/host", format!("`host` holds a scheme (`{scheme}://`), which belongs in `schemes`"));
                (Some(if scheme.eq_ignore_ascii_case("http") { "http" } else { "https" }), rest)
            }
            None => (None, raw),
        };
        let (host, path) = match rest.split_once('/') {
            Some((host, path)) => {
                self.diags.warn("/host", format!("`host` holds a path (`/{path}`), read as the start of `basePath`"));
                (host, format!("/{path}"))
            }
            None => (rest, String::new()),
        };
        Some((scheme, host.to_owned(), path))
    }

    /// `schemes` × `host` + `basePath`; https first. No host: a relative server, so the user
    /// gives the base URL.
    fn servers(&mut self) -> Vec<Value> {
        let base_path = self.base_path();
        let Some((scheme, host, host_path)) = self.host() else {
            return if base_path.is_empty() { Vec::new() } else { vec![json!({ "url": base_path })] };
        };
        let base_path = format!("{host_path}{base_path}");
        let mut schemes: Vec<&str> = self
            .root
            .get("schemes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter(|scheme| matches!(*scheme, "http" | "https"))
            .collect();
        if schemes.is_empty() {
            schemes.push(scheme.unwrap_or("https"));
        }
        schemes.sort_by_key(|scheme| *scheme != "https");
        schemes.dedup();
        schemes.iter().map(|scheme| json!({ "url": format!("{scheme}://{host}{base_path}") })).collect()
    }

    fn components(&mut self) -> Map<String, Value> {
        let mut components = Map::new();
        if let Some(definitions) = self.root.get("definitions").and_then(Value::as_object) {
            let schemas = definitions.iter().map(|(name, schema)| (name.clone(), convert_schema(schema))).collect();
            components.insert("schemas".into(), Value::Object(schemas));
            self.origin.insert("/components/schemas".into(), "/definitions".into());
        }
        if let Some(definitions) = self.root.get("securityDefinitions").and_then(Value::as_object) {
            let mut schemes = Map::new();
            for (name, scheme) in definitions {
                let at = join("/securityDefinitions", name);
                match security_scheme(scheme) {
                    Ok(converted) => {
                        schemes.insert(name.clone(), converted);
                        self.origin.insert(join("/components/securitySchemes", name), at);
                    }
                    Err(message) => self.diags.warn(&at, format!("{message}; the scheme is left out")),
                }
            }
            components.insert("securitySchemes".into(), Value::Object(schemes));
        }
        components
    }

    fn paths(&mut self) -> Map<String, Value> {
        let mut paths = Map::new();
        let Some(items) = self.root.get("paths").and_then(Value::as_object) else { return paths };
        for (path, item) in items {
            let Some(item) = item.as_object() else { continue };
            if path.starts_with("x-") {
                continue;
            }
            let item_pointer = join("/paths", path);
            if item.contains_key("$ref") {
                self.diags.warn(&item_pointer, "a path item `$ref` is not supported in Swagger 2.0 input; skipped");
                continue;
            }
            let shared = self.source_params(item.get("parameters"), &join(&item_pointer, "parameters"));
            let mut converted = Map::new();
            for (method, operation) in item {
                let op_pointer = join(&item_pointer, method);
                if !METHODS.contains(&method.as_str()) {
                    if method.starts_with("x-") {
                        converted.insert(method.clone(), operation.clone());
                    }
                    continue;
                }
                match operation.as_object() {
                    Some(operation) => {
                        let op = self.operation(operation, &shared, &op_pointer);
                        converted.insert(method.clone(), Value::Object(op));
                    }
                    None => self.diags.warn(&op_pointer, "the operation is not an object; skipped"),
                }
            }
            paths.insert(path.clone(), Value::Object(converted));
        }
        paths
    }

    /// A parameter list with references followed; unresolvable entries are warned and dropped.
    fn source_params(&mut self, list: Option<&Value>, pointer: &str) -> Vec<SourceParam> {
        let Some(list) = list else { return Vec::new() };
        let Some(list) = list.as_array() else {
            self.diags.warn(pointer, "`parameters` is not a list; ignored");
            return Vec::new();
        };
        let mut found = Vec::new();
        for (index, param) in list.iter().enumerate() {
            let at = join(pointer, &index.to_string());
            match self.follow(param, "#/parameters/") {
                Ok((Value::Object(value), origin)) => {
                    found.push(SourceParam { value: value.clone(), pointer: origin.unwrap_or(at) })
                }
                Ok(_) => self.diags.warn(&at, "the parameter is not an object; skipped"),
                Err(message) => self.diags.warn(&at, format!("{message}; the parameter is skipped")),
            }
        }
        found
    }

    /// Follows a `$ref` to a top-level section (`#/parameters/`, `#/responses/`); the value
    /// and, when it was a reference, the pointer of its target.
    fn follow<'v>(&self, value: &'v Value, section: &str) -> Result<(&'v Value, Option<String>), String>
    where
        'a: 'v,
    {
        let Some(reference) = value.get("$ref").and_then(Value::as_str) else { return Ok((value, None)) };
        if !reference.starts_with(section) {
            return Err(format!("`{reference}` does not point into `{}`", section.trim_start_matches('#')));
        }
        let pointer = super::percent_decode(&reference[1..]);
        match pointer_into(self.root, &pointer) {
            Some(target) if target.get("$ref").is_some() => Err(format!("`{reference}` points at another reference")),
            Some(target) => Ok((target, Some(pointer))),
            None => Err(format!("`{reference}` points at nothing")),
        }
    }

    fn operation(
        &mut self,
        operation: &Map<String, Value>,
        shared: &[SourceParam],
        pointer: &str,
    ) -> Map<String, Value> {
        let mut op = Map::new();
        for key in ["tags", "summary", "description", "externalDocs", "operationId", "deprecated", "security"] {
            if let Some(value) = operation.get(key) {
                op.insert(key.into(), value.clone());
            }
        }
        copy_extensions(operation, &mut op);
        let consumes = operation.get("consumes").map(|v| media_list(Some(v))).unwrap_or_else(|| self.consumes.clone());
        let produces = operation.get("produces").map(|v| media_list(Some(v))).unwrap_or_else(|| self.produces.clone());

        let own = self.source_params(operation.get("parameters"), &join(pointer, "parameters"));
        let params = merge_params(shared, own);
        let mut plain = Vec::new();
        let mut body: Option<(Map<String, Value>, String)> = None;
        let mut form: Vec<(Map<String, Value>, String)> = Vec::new();
        for param in params {
            match self.place(&param) {
                Some(Placed::Parameter(value)) => {
                    let at = join(&join(pointer, "parameters"), &plain.len().to_string());
                    self.origin.insert(join(&at, "schema"), param.pointer.clone());
                    self.origin.insert(at, param.pointer.clone());
                    plain.push(value);
                }
                Some(Placed::Body(value)) => match &body {
                    Some((_, first)) => self.diags.warn(
                        &param.pointer,
                        format!("a second body parameter; the first one (`{first}`) is the request body, this one is ignored"),
                    ),
                    None => body = Some((value, param.pointer.clone())),
                },
                Some(Placed::FormField(value)) => form.push((value, param.pointer.clone())),
                None => {}
            }
        }
        if !plain.is_empty() {
            op.insert("parameters".into(), Value::Array(plain));
        }
        let body_at = join(pointer, "requestBody");
        match (body, form.is_empty()) {
            (Some((body, origin)), form_empty) => {
                if !form_empty {
                    self.diags.warn(
                        &form[0].1,
                        "`formData` parameters beside a body parameter; the body parameter is the request body, the form fields are ignored",
                    );
                }
                op.insert("requestBody".into(), self.json_body(&body, &consumes, &body_at, &origin));
            }
            (None, false) => {
                op.insert("requestBody".into(), self.form_body(&form, &consumes, &body_at));
            }
            (None, true) => {}
        }
        let responses = self.responses(operation.get("responses"), &produces, &join(pointer, "responses"));
        op.insert("responses".into(), Value::Object(responses));
        op
    }

    /// Decides where one 2.0 parameter goes; `None` (with a warning) when it cannot be used.
    fn place(&mut self, param: &SourceParam) -> Option<Placed> {
        let value = &param.value;
        let location = value.get("in").and_then(Value::as_str).unwrap_or_default();
        let Some(name) = value.get("name").and_then(Value::as_str) else {
            self.diags.warn(&param.pointer, "the parameter has no `name`; skipped");
            return None;
        };
        match location {
            "body" => Some(Placed::Body(value.clone())),
            "formData" => Some(Placed::FormField(value.clone())),
            "path" | "query" | "header" => {
                let mut converted = Map::new();
                converted.insert("name".into(), json!(name));
                converted.insert("in".into(), json!(location));
                for key in ["description", "required", "deprecated"] {
                    if let Some(v) = value.get(key) {
                        converted.insert(key.into(), v.clone());
                    }
                }
                if location == "path" {
                    converted.insert("required".into(), json!(true));
                }
                if location == "query"
                    && let Some(allow) = value.get("allowEmptyValue")
                {
                    converted.insert("allowEmptyValue".into(), allow.clone());
                }
                if value.get("type").and_then(Value::as_str) == Some("array") {
                    self.collection_style(value, location, &param.pointer, &mut converted);
                }
                converted.insert("schema".into(), value_schema(value));
                copy_extensions(value, &mut converted);
                Some(Placed::Parameter(Value::Object(converted)))
            }
            other => {
                self.diags
                    .warn(&param.pointer, format!("parameter location `{other}` is not part of Swagger 2.0; skipped"));
                None
            }
        }
    }

    /// `collectionFormat` → `style` + `explode`. `tsv` has no 3.0 style: it is kept as the
    /// `x-collection-format` extension, which lowering reads.
    fn collection_style(&mut self, value: &Map<String, Value>, location: &str, at: &str, out: &mut Map<String, Value>) {
        let format = value.get("collectionFormat").and_then(Value::as_str).unwrap_or("csv");
        let (style, explode) = match (location, format) {
            ("query", "csv") => ("form", false),
            ("query", "multi") => ("form", true),
            ("query", "ssv") => ("spaceDelimited", false),
            ("query", "pipes") => ("pipeDelimited", false),
            ("query", "tsv") => {
                out.insert("x-collection-format".into(), json!("tsv"));
                ("form", false)
            }
            (_, "csv") => ("simple", false),
            (_, other) => {
                let choice = format!(
                    "`collectionFormat: {other}` is not supported in {location}; the values are sent comma-separated"
                );
                self.diags.warn(&join(at, "collectionFormat"), choice);
                ("simple", false)
            }
        };
        out.insert("style".into(), json!(style));
        out.insert("explode".into(), json!(explode));
    }

    /// `in: body` → a request body with the schema under each media type `consumes` names.
    fn json_body(&mut self, param: &Map<String, Value>, consumes: &[String], at: &str, origin: &str) -> Value {
        let schema = param.get("schema").map(convert_schema).unwrap_or_else(|| json!({}));
        let mut media: Vec<&str> =
            consumes.iter().map(String::as_str).filter(|m| !is_form_media(m)).collect::<Vec<_>>();
        if media.is_empty() {
            media.push("application/json");
        }
        let mut content = Map::new();
        for media_type in media {
            let content_at = join(&join(at, "content"), media_type);
            self.origin.insert(join(&content_at, "schema"), join(origin, "schema"));
            content.insert(media_type.to_owned(), json!({ "schema": schema }));
        }
        self.origin.insert(at.to_owned(), origin.to_owned());
        let mut body = Map::new();
        if let Some(description) = param.get("description") {
            body.insert("description".into(), description.clone());
        }
        body.insert("required".into(), json!(param.get("required").and_then(Value::as_bool).unwrap_or(false)));
        body.insert("content".into(), Value::Object(content));
        copy_extensions(param, &mut body);
        Value::Object(body)
    }

    /// `in: formData` → one object schema, sent as multipart when `consumes` says so or a
    /// field is a file, else URL-encoded.
    fn form_body(&mut self, fields: &[(Map<String, Value>, String)], consumes: &[String], at: &str) -> Value {
        let has_file = fields.iter().any(|(field, _)| field.get("type").and_then(Value::as_str) == Some("file"));
        let multipart = consumes.iter().any(|m| m.starts_with("multipart/form-data"));
        let urlencoded = consumes.iter().any(|m| m.starts_with("application/x-www-form-urlencoded"));
        let media_type = if multipart || has_file || !urlencoded {
            "multipart/form-data"
        } else {
            "application/x-www-form-urlencoded"
        };
        let schema_at = join(&join(&join(at, "content"), media_type), "schema");
        let mut properties = Map::new();
        let mut required = Vec::new();
        for (field, origin) in fields {
            let Some(name) = field.get("name").and_then(Value::as_str) else { continue };
            let mut schema = value_schema(field);
            if let (Some(description), Some(object)) = (field.get("description"), schema.as_object_mut()) {
                object.insert("description".into(), description.clone());
            }
            if field.get("required").and_then(Value::as_bool) == Some(true) {
                required.push(json!(name));
            }
            self.origin.insert(join(&join(&schema_at, "properties"), name), origin.clone());
            properties.insert(name.to_owned(), schema);
        }
        self.origin.insert(at.to_owned(), fields[0].1.clone());
        let mut schema = json!({ "type": "object", "properties": properties });
        if !required.is_empty() {
            schema["required"] = Value::Array(required.clone());
        }
        json!({
            "required": !required.is_empty(),
            "content": { media_type: { "schema": schema } },
        })
    }

    fn responses(&mut self, responses: Option<&Value>, produces: &[String], pointer: &str) -> Map<String, Value> {
        let mut converted = Map::new();
        let Some(responses) = responses.and_then(Value::as_object) else {
            converted.insert("default".into(), json!({ "description": "" }));
            return converted;
        };
        for (status, response) in responses {
            if status.starts_with("x-") {
                converted.insert(status.clone(), response.clone());
                continue;
            }
            let at = join(pointer, status);
            let (response, origin) = match self.follow(response, "#/responses/") {
                Ok((response, origin)) => (response, origin.unwrap_or_else(|| at.clone())),
                Err(message) => {
                    self.diags.warn(&at, format!("{message}; the response is taken as having no body"));
                    converted.insert(status.clone(), json!({ "description": "" }));
                    continue;
                }
            };
            self.origin.insert(at.clone(), origin.clone());
            let converted_response = self.response(response, produces, &at, &origin);
            converted.insert(status.clone(), converted_response);
        }
        if converted.keys().all(|key| key.starts_with("x-")) {
            converted.insert("default".into(), json!({ "description": "" }));
        }
        converted
    }

    /// A response: `schema` under each media type `produces` names (a `file` schema becomes
    /// a binary download), headers with their schema, examples by media type.
    fn response(&mut self, response: &Value, produces: &[String], at: &str, origin: &str) -> Value {
        let mut converted = Map::new();
        let description = response.get("description").cloned().unwrap_or_else(|| json!(""));
        converted.insert("description".into(), description);
        if let Some(schema) = response.get("schema") {
            let (schema, media) = response_media(schema, produces);
            let examples = response.get("examples").and_then(Value::as_object);
            let mut content = Map::new();
            for media_type in media {
                let content_at = join(&join(at, "content"), &media_type);
                self.origin.insert(join(&content_at, "schema"), join(origin, "schema"));
                let mut entry = Map::new();
                entry.insert("schema".into(), schema.clone());
                if let Some(example) = examples.and_then(|e| e.get(&media_type)) {
                    entry.insert("example".into(), example.clone());
                }
                content.insert(media_type, Value::Object(entry));
            }
            converted.insert("content".into(), Value::Object(content));
        }
        if let Some(headers) = response.get("headers").and_then(Value::as_object) {
            let mut out = Map::new();
            for (name, header) in headers {
                let Some(header) = header.as_object() else { continue };
                let mut entry = Map::new();
                if let Some(description) = header.get("description") {
                    entry.insert("description".into(), description.clone());
                }
                entry.insert("schema".into(), value_schema(header));
                self.origin
                    .insert(join(&join(&join(at, "headers"), name), "schema"), join(&join(origin, "headers"), name));
                out.insert(name.clone(), Value::Object(entry));
            }
            converted.insert("headers".into(), Value::Object(out));
        }
        if let Some(response) = response.as_object() {
            copy_extensions(response, &mut converted);
        }
        Value::Object(converted)
    }
}

/// The schema and media types of one response. 2.0 lists `produces` per operation, not per
/// response: a file or byte-string answer takes the binary media types the operation
/// produces (it is a download, read as bytes), any other answer the JSON ones, so errors
/// are decoded while the success streams. No preference applies: every listed type.
fn response_media(schema: &Value, produces: &[String]) -> (Value, Vec<String>) {
    let converted = convert_schema(schema);
    if produces.is_empty() {
        return (converted, vec!["application/json".to_owned()]);
    }
    let (json_media, other_media): (Vec<String>, Vec<String>) =
        produces.iter().cloned().partition(|media| super::is_json(media));
    let file_like = converted.get("type").and_then(Value::as_str) == Some("string")
        && matches!(converted.get("format").and_then(Value::as_str), Some("binary" | "byte"));
    match (file_like, json_media.is_empty(), other_media.is_empty()) {
        (true, _, false) => {
            let mut bytes = converted;
            bytes["format"] = json!("binary");
            (bytes, other_media)
        }
        (false, false, _) => (converted, json_media),
        _ => (converted, produces.to_vec()),
    }
}

/// Operation parameters override path-level ones with the same name and location.
fn merge_params(shared: &[SourceParam], own: Vec<SourceParam>) -> Vec<SourceParam> {
    let key = |p: &SourceParam| (p.value.get("name").cloned(), p.value.get("in").cloned());
    let mut merged: Vec<SourceParam> = shared
        .iter()
        .filter(|s| !own.iter().any(|o| key(o) == key(s)))
        .map(|s| SourceParam { value: s.value.clone(), pointer: s.pointer.clone() })
        .collect();
    merged.extend(own);
    merged
}

fn is_form_media(media: &str) -> bool {
    media.starts_with("multipart/form-data") || media.starts_with("application/x-www-form-urlencoded")
}

/// The schema of a non-body parameter, header or `items` object: its value keywords, with
/// nested `items` converted the same way.
fn value_schema(value: &Map<String, Value>) -> Value {
    let mut schema = Map::new();
    for key in VALUE_KEYWORDS {
        if let Some(v) = value.get(*key) {
            schema.insert((*key).into(), v.clone());
        }
    }
    if let Some(items) = value.get("items").and_then(Value::as_object) {
        schema.insert("items".into(), value_schema(items));
    }
    finish_schema(&mut schema);
    Value::Object(schema)
}

/// Rewrites a 2.0 schema into 3.0 shapes, recursing only into schema positions.
pub fn convert_schema(schema: &Value) -> Value {
    let Some(object) = schema.as_object() else { return schema.clone() };
    let mut out = Map::new();
    for (key, value) in object {
        let converted = match key.as_str() {
            "$ref" => value.as_str().map(|r| json!(reference(r))).unwrap_or_else(|| value.clone()),
            "items" | "additionalProperties" | "not" if value.is_object() => convert_schema(value),
            "items" => match value.as_array().and_then(|items| items.first()) {
                // A tuple: 3.0 has none; its first item stands for all.
                Some(first) => convert_schema(first),
                None => value.clone(),
            },
            "properties" => match value.as_object() {
                Some(properties) => {
                    Value::Object(properties.iter().map(|(name, p)| (name.clone(), convert_schema(p))).collect())
                }
                None => value.clone(),
            },
            "allOf" | "anyOf" | "oneOf" => match value.as_array() {
                Some(list) => Value::Array(list.iter().map(convert_schema).collect()),
                None => value.clone(),
            },
            // 2.0 names the property; 3.0 wraps it in an object.
            "discriminator" if value.is_string() => json!({ "propertyName": value }),
            _ => value.clone(),
        };
        out.insert(key.clone(), converted);
    }
    finish_schema(&mut out);
    Value::Object(out)
}

/// What 2.0 says with other words: `type: file` is binary, `x-nullable` is `nullable`.
fn finish_schema(schema: &mut Map<String, Value>) {
    if schema.get("type").and_then(Value::as_str) == Some("file") {
        schema.insert("type".into(), json!("string"));
        schema.insert("format".into(), json!("binary"));
    }
    let nullable = ["x-nullable", "x-isnullable"].iter().any(|key| schema.get(*key) == Some(&Value::Bool(true)));
    if nullable {
        schema.insert("nullable".into(), json!(true));
    }
}

/// A schema reference in 3.0 terms.
fn reference(reference: &str) -> String {
    match reference.strip_prefix("#/definitions/") {
        Some(name) => format!("#/components/schemas/{name}"),
        None => reference.to_owned(),
    }
}

/// A 2.0 security definition as a 3.0 security scheme.
fn security_scheme(scheme: &Value) -> Result<Value, String> {
    let kind = scheme.get("type").and_then(Value::as_str).unwrap_or_default();
    let mut out = match kind {
        "basic" => json!({ "type": "http", "scheme": "basic" }),
        "apiKey" => {
            let name = scheme.get("name").and_then(Value::as_str).ok_or("an apiKey scheme without `name`")?;
            let location = scheme.get("in").and_then(Value::as_str).ok_or("an apiKey scheme without `in`")?;
            json!({ "type": "apiKey", "name": name, "in": location })
        }
        "oauth2" => {
            let flow = scheme.get("flow").and_then(Value::as_str).unwrap_or_default();
            let name = match flow {
                "implicit" => "implicit",
                "password" => "password",
                "application" => "clientCredentials",
                "accessCode" => "authorizationCode",
                other => return Err(format!("unknown OAuth 2 flow `{other}`")),
            };
            let mut details = Map::new();
            for (from, to) in [("authorizationUrl", "authorizationUrl"), ("tokenUrl", "tokenUrl")] {
                if let Some(url) = scheme.get(from) {
                    details.insert(to.into(), url.clone());
                }
            }
            details.insert("scopes".into(), scheme.get("scopes").cloned().unwrap_or_else(|| json!({})));
            json!({ "type": "oauth2", "flows": { name: details } })
        }
        other => return Err(format!("unknown security scheme type `{other}`")),
    };
    if let (Some(description), Some(object)) = (scheme.get("description"), out.as_object_mut()) {
        object.insert("description".into(), description.clone());
    }
    if let (Some(source), Some(object)) = (scheme.as_object(), out.as_object_mut()) {
        copy_extensions(source, object);
    }
    Ok(out)
}

fn copy_extensions(from: &Map<String, Value>, to: &mut Map<String, Value>) {
    for (key, value) in from {
        if key.starts_with("x-") && !to.contains_key(key) {
            to.insert(key.clone(), value.clone());
        }
    }
}

/// The value at a decoded JSON pointer below the root object.
fn pointer_into<'v>(root: &'v Map<String, Value>, pointer: &str) -> Option<&'v Value> {
    let mut tokens = pointer.strip_prefix('/')?.split('/').map(|t| t.replace("~1", "/").replace("~0", "~"));
    let first = tokens.next()?;
    let mut current = root.get(&first)?;
    for token in tokens {
        current = match current {
            Value::Object(map) => map.get(&token)?,
            Value::Array(items) => items.get(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(current)
}

/// Operations and definitions of a converted document that do not fit the model (a bound
/// written as a list, say): an operation is left out, a definition becomes any JSON value,
/// each with a warning, so one bad part never refuses the whole document. Runs after
/// normalisation, which repairs what it can first (integer bounds beyond 64 bits).
pub fn leave_out_unfit(doc: &mut Value, diags: &mut Diagnostics) {
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else { continue };
            let unfit: Vec<(String, String)> = item
                .iter()
                .filter(|(method, _)| METHODS.contains(&method.as_str()))
                .filter_map(|(method, op)| {
                    super::deserialize_at::<openapiv3::Operation>(op, "").err().map(|(_, m)| (method.clone(), m))
                })
                .collect();
            for (method, message) in unfit {
                let at = join(&join("/paths", path), &method);
                diags.warn(&at, format!("the operation does not fit the Swagger 2.0 model ({message}); skipped"));
                item.remove(&method);
            }
        }
    }
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        for (name, schema) in schemas.iter_mut() {
            if let Err((at, message)) = super::deserialize_at::<openapiv3::Schema>(schema, "") {
                let pointer = format!("{}{at}", join("/components/schemas", name));
                diags.warn(
                    &pointer,
                    format!("the definition does not fit the model ({message}); taken as any JSON value"),
                );
                *schema = json!({});
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::LoadedSpec;
    use crate::diag::{Diagnostics, Severity};
    use serde_json::{Value, json};

    fn load(text: &str) -> (Option<LoadedSpec>, Diagnostics) {
        let mut diags = Diagnostics::new("two.yaml");
        (super::super::load(&super::super::Source::text(text, "doc"), &[], &[], &mut diags), diags)
    }

    fn converted(text: &str) -> (Value, Diagnostics) {
        let (spec, diags) = load(text);
        let spec = spec.unwrap_or_else(|| panic!("{:?}", diags.items));
        (spec.raw, diags)
    }

    const HEAD: &str = "swagger: '2.0'\ninfo: {title: t, version: '1'}\n";

    #[test]
    fn host_base_path_and_schemes_become_servers_https_first() {
        let (doc, _) =
            converted(&format!("{HEAD}host: h.example:3780\nbasePath: /api/3/\nschemes: [http, https]\npaths: {{}}\n"));
        assert_eq!(
            doc["servers"],
            json!([{"url": "https://h.example:3780/api/3"}, {"url": "http://h.example:3780/api/3"}])
        );
        let (doc, _) = converted(&format!("{HEAD}basePath: /api\npaths: {{}}\n"));
        assert_eq!(doc["servers"], json!([{"url": "/api"}]), "no host: a relative server");
    }

    #[test]
    fn a_host_with_a_scheme_or_a_path_and_a_base_path_without_its_slash_still_make_a_url() {
        let (doc, diags) = converted(&format!("{HEAD}host: h.example:8443\nbasePath: v2\npaths: {{}}\n"));
        assert_eq!(doc["servers"], json!([{"url": "https://h.example:8443/v2"}]));
        assert_eq!(diags.items[0].pointer, "/basePath", "{:?}", diags.items);
        let (doc, diags) = converted(&format!("{HEAD}host: http://h.example/api/\nbasePath: /v1\npaths: {{}}\n"));
        assert_eq!(doc["servers"], json!([{"url": "http://h.example/api/v1"}]));
        assert_eq!(diags.items.iter().filter(|d| d.pointer == "/host").count(), 2, "{:?}", diags.items);
        // `schemes` wins over the scheme written into `host`.
        let (doc, _) = converted(&format!("{HEAD}host: http://h.example\nschemes: [https]\npaths: {{}}\n"));
        assert_eq!(doc["servers"], json!([{"url": "https://h.example"}]));
    }

    #[test]
    fn parameters_take_their_schema_and_collection_style() {
        let text = format!(
            "{HEAD}paths:\n  /a/{{id}}:\n    get:\n      parameters:\n        - {{name: body, in: body, schema: {{type: object}}}}\n        - {{name: id, in: path, type: string}}\n        - {{name: sort, in: query, type: array, items: {{type: string}}, collectionFormat: multi}}\n        - {{name: ids, in: query, type: array, items: {{type: integer}}}}\n        - {{name: t, in: query, type: array, items: {{type: string}}, collectionFormat: tsv}}\n        - {{name: p, in: query, type: array, items: {{type: string}}, collectionFormat: pipes, default: [a]}}\n      responses: {{'200': {{description: ok}}}}\n"
        );
        let (doc, _) = converted(&text);
        let params = &doc["paths"]["/a/{id}"]["get"]["parameters"];
        assert_eq!(params[0], json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}));
        assert_eq!((&params[1]["style"], &params[1]["explode"]), (&json!("form"), &json!(true)));
        assert_eq!((&params[2]["style"], &params[2]["explode"]), (&json!("form"), &json!(false)));
        assert_eq!(params[3]["x-collection-format"], json!("tsv"));
        assert_eq!(params[4]["style"], json!("pipeDelimited"));
        assert_eq!(params[4]["schema"]["default"], json!(["a"]));
    }

    #[test]
    fn bodies_forms_and_files_follow_consumes_and_produces() {
        let text = format!(
            "{HEAD}consumes: [application/json]\nproduces: ['application/json;charset=UTF-8']\npaths:\n  /up:\n    post:\n      consumes: [multipart/form-data]\n      parameters:\n        - {{name: file, in: formData, type: file, required: true}}\n        - {{name: note, in: formData, type: string, description: why}}\n      responses:\n        '200': {{description: ok, schema: {{type: file}}}}\n  /form:\n    post:\n      consumes: [application/x-www-form-urlencoded]\n      parameters: [{{name: a, in: formData, type: integer}}]\n      responses: {{'204': {{description: none}}}}\n  /json:\n    put:\n      parameters: [{{name: b, in: body, required: true, schema: {{$ref: '#/definitions/B'}}}}]\n      responses: {{'200': {{description: ok, schema: {{$ref: '#/definitions/B'}}, headers: {{X-Total: {{type: integer}}}}}}}}\ndefinitions:\n  B: {{type: object}}\n"
        );
        let (doc, _) = converted(&text);
        let up = &doc["paths"]["/up"]["post"];
        let form = &up["requestBody"]["content"]["multipart/form-data"]["schema"];
        assert_eq!(form["properties"]["file"], json!({"type": "string", "format": "binary"}));
        assert_eq!(form["properties"]["note"]["description"], json!("why"));
        assert_eq!(form["required"], json!(["file"]));
        let download = &up["responses"]["200"]["content"]["application/json;charset=UTF-8"]["schema"];
        assert_eq!(download, &json!({"type": "string", "format": "binary"}));
        assert!(
            doc["paths"]["/form"]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"].is_object()
        );
        let put = &doc["paths"]["/json"]["put"];
        assert_eq!(put["requestBody"]["required"], json!(true));
        assert_eq!(
            put["requestBody"]["content"]["application/json"]["schema"]["$ref"],
            json!("#/components/schemas/B")
        );
        let ok = &put["responses"]["200"];
        assert_eq!(ok["headers"]["X-Total"]["schema"], json!({"type": "integer"}));
    }

    #[test]
    fn a_byte_string_answer_beside_json_errors_is_a_download() {
        let text = format!(
            "{HEAD}produces: [application/octet-stream, 'application/json;charset=UTF-8']\npaths:\n  /out:\n    get:\n      responses:\n        '200': {{description: ok, schema: {{type: string, format: byte}}}}\n        '404': {{description: no, schema: {{type: object}}}}\n"
        );
        let (doc, _) = converted(&text);
        let responses = &doc["paths"]["/out"]["get"]["responses"];
        assert_eq!(
            responses["200"]["content"],
            json!({"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}})
        );
        assert_eq!(
            responses["404"]["content"],
            json!({"application/json;charset=UTF-8": {"schema": {"type": "object"}}})
        );
    }

    #[test]
    fn schemas_convert_only_in_schema_positions() {
        let text = format!(
            "{HEAD}paths: {{}}\ndefinitions:\n  'PageOf«Asset»':\n    type: object\n    discriminator: kind\n    properties:\n      kind: {{type: string}}\n      discriminator: {{type: string, example: {{type: file, x-nullable: true}}}}\n      next: {{$ref: '#/definitions/PageOf«Asset»', x-nullable: true}}\n      blob: {{type: file}}\n"
        );
        let (doc, diags) = converted(&text);
        assert!(diags.items.is_empty(), "{:?}", diags.items);
        let schema = &doc["components"]["schemas"]["PageOf«Asset»"];
        assert_eq!(schema["discriminator"], json!({"propertyName": "kind"}));
        assert_eq!(schema["properties"]["discriminator"]["type"], json!("string"), "a property named like a keyword");
        assert_eq!(schema["properties"]["discriminator"]["example"], json!({"type": "file", "x-nullable": true}));
        assert_eq!(schema["properties"]["next"]["$ref"], json!("#/components/schemas/PageOf«Asset»"));
        assert_eq!(schema["properties"]["next"]["nullable"], json!(true));
        assert_eq!(schema["properties"]["blob"]["format"], json!("binary"));
    }

    #[test]
    fn security_definitions_become_schemes_with_every_oauth_flow() {
        let text = format!(
            "{HEAD}paths: {{}}\nsecurityDefinitions:\n  b: {{type: basic}}\n  k: {{type: apiKey, name: X-Key, in: header}}\n  i: {{type: oauth2, flow: implicit, authorizationUrl: 'https://a', scopes: {{}}}}\n  p: {{type: oauth2, flow: password, tokenUrl: 'https://t', scopes: {{}}}}\n  c: {{type: oauth2, flow: application, tokenUrl: 'https://t', scopes: {{}}}}\n  a: {{type: oauth2, flow: accessCode, authorizationUrl: 'https://a', tokenUrl: 'https://t', scopes: {{r: read}}}}\n"
        );
        let (doc, _) = converted(&text);
        let schemes = &doc["components"]["securitySchemes"];
        assert_eq!(schemes["b"], json!({"type": "http", "scheme": "basic"}));
        assert_eq!(schemes["k"], json!({"type": "apiKey", "name": "X-Key", "in": "header"}));
        assert!(schemes["i"]["flows"]["implicit"]["authorizationUrl"].is_string());
        assert!(schemes["p"]["flows"]["password"]["tokenUrl"].is_string());
        assert!(schemes["c"]["flows"]["clientCredentials"]["tokenUrl"].is_string());
        assert_eq!(schemes["a"]["flows"]["authorizationCode"]["scopes"], json!({"r": "read"}));
    }

    #[test]
    fn invalid_parts_warn_at_their_swagger_pointer_and_the_rest_generates() {
        let text = format!(
            "{HEAD}paths:\n  /a:\n    post:\n      parameters:\n        - {{name: one, in: body, schema: {{type: object}}}}\n        - {{name: two, in: body, schema: {{type: string}}}}\n        - {{name: f, in: formData, type: string}}\n        - {{$ref: '#/parameters/missing'}}\n      responses: {{'200': {{$ref: '#/responses/gone'}}}}\n    get: 7\n"
        );
        let (doc, diags) = converted(&text);
        let at: Vec<&str> = diags.items.iter().map(|d| d.pointer.as_str()).collect();
        assert_eq!(
            at,
            [
                "/paths/~1a/post/parameters/3",
                "/paths/~1a/post/parameters/1",
                "/paths/~1a/post/parameters/2",
                "/paths/~1a/post/responses/200",
                "/paths/~1a/get",
            ],
            "{:?}",
            diags.items
        );
        assert!(diags.items.iter().all(|d| d.severity == Severity::Warning));
        assert!(diags.items[1].message.contains("`/paths/~1a/post/parameters/0`"));
        assert_eq!(
            doc["paths"]["/a"]["post"]["requestBody"]["content"]["application/json"]["schema"]["type"],
            json!("object")
        );
    }

    #[test]
    fn an_operation_or_definition_that_does_not_fit_is_left_out_with_a_warning() {
        let text = format!(
            "{HEAD}paths:\n  /a:\n    get:\n      parameters: [{{name: q, in: query, type: string, maxLength: [1]}}]\n      responses: {{'200': {{description: ok}}}}\n  /b:\n    get:\n      responses: {{'200': {{description: ok, schema: {{$ref: '#/definitions/Bad'}}}}}}\ndefinitions:\n  Bad: {{type: object, required: 5}}\n"
        );
        let (doc, diags) = converted(&text);
        let at: Vec<&str> = diags.items.iter().map(|d| d.pointer.as_str()).collect();
        assert!(at.contains(&"/paths/~1a/get"), "{:?}", diags.items);
        assert!(at.iter().any(|p| p.starts_with("/definitions/Bad")), "{:?}", diags.items);
        assert!(diags.items.iter().all(|d| d.severity == Severity::Warning));
        assert!(doc["paths"]["/a"].get("get").is_none());
        assert_eq!(doc["components"]["schemas"]["Bad"], json!({}));
    }

    #[test]
    fn broken_structure_is_one_error_naming_the_pointer() {
        for (text, pointer) in [
            (format!("{HEAD}paths: [1]\n"), "/paths"),
            (format!("{HEAD}paths:\n  /a: 7\n"), "/paths/~1a"),
            (
                format!(
                    "{HEAD}paths: {{}}\ndefinitions:\n  A: {{$ref: '#/definitions/B'}}\n  B: {{$ref: '#/definitions/A'}}\n"
                ),
                "/definitions/A",
            ),
        ] {
            let (spec, diags) = load(&text);
            assert!(spec.is_none(), "{text}");
            assert_eq!(diags.items[0].severity, Severity::Error);
            assert_eq!(diags.items[0].pointer, pointer, "{:?}", diags.items);
        }
    }

    #[test]
    fn lowering_diagnostics_and_ir_pointers_point_into_the_swagger_document() {
        let text = format!(
            "{HEAD}paths:\n  /a:\n    get:\n      operationId: getA\n      parameters:\n        - {{name: body, in: body, schema: {{type: object}}}}\n        - {{name: q, in: query, type: string, format: date}}\n      responses: {{'200': {{description: ok, schema: {{$ref: '#/definitions/A'}}}}}}\ndefinitions:\n  A:\n    type: object\n    properties:\n      n: {{$ref: '#/definitions/Missing'}}\n"
        );
        let config = crate::config::ApiConfig { module: "m".into(), ..Default::default() };
        let (api, warnings) = crate::lower_document(crate::Source::text(&text, "two.yaml"), &config).unwrap();
        let op = &api.operations[0];
        assert_eq!(op.params[0].pointer, "/paths/~1a/get/parameters/1");
        let a = api.types.iter().find(|t| t.name == "A").unwrap();
        assert_eq!(a.origin, "/definitions/A");
        assert!(warnings.iter().any(|w| w.pointer.starts_with("/definitions/A/properties/n")), "{warnings:?}");
    }
}

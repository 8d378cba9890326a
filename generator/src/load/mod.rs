//! Loading: read a YAML or JSON document, normalise its version, resolve references.

pub mod bundle;
mod origins;
pub mod overlay;
mod placeholders;
pub mod positions;
mod swagger2;

use std::borrow::Cow;
use std::path::Path;

use openapiv3::{ReferenceOr, Schema};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::diag::{BUNDLED, Diagnostics, join};
pub use origins::Origins;
use positions::Context;

/// A document to read: from a file (whose `$ref`s to other files are bundled) or from text,
/// and the name diagnostics give it.
#[derive(Debug, Clone)]
pub struct Source<'a> {
    input: Input<'a>,
    shown_as: String,
}

#[derive(Debug, Clone, Copy)]
enum Input<'a> {
    File(&'a Path),
    Text(&'a str),
}

impl<'a> Source<'a> {
    /// The document in the file at `path`, named by its path.
    pub fn file(path: &'a Path) -> Self {
        Self { input: Input::File(path), shown_as: path.display().to_string() }
    }

    /// A document given as text, named `shown_as` in diagnostics.
    pub fn text(text: &'a str, shown_as: &str) -> Self {
        Self { input: Input::Text(text), shown_as: shown_as.to_owned() }
    }

    /// Names the document `name` in diagnostics (a path relative to the project, say).
    pub fn shown_as(mut self, name: impl Into<String>) -> Self {
        self.shown_as = name.into();
        self
    }

    /// The name diagnostics give the document.
    pub fn name(&self) -> &str {
        &self.shown_as
    }
}

/// A document as read: the raw JSON tree (for pointers and references), the typed model,
/// every file it was read from and where each of its positions came from.
#[derive(Debug)]
pub struct LoadedSpec {
    /// The file name shown in diagnostics.
    pub file: String,
    pub raw: Value,
    pub doc: openapiv3::OpenAPI,
    /// The version the document declared (`2.0`, `3.0.3`, `3.1.0`).
    pub declared_version: String,
    /// The files it was read from: the document, its overlays, the files and URLs bundled.
    pub sources: Vec<SourceFile>,
    /// Where each position came from; places diagnostics about it.
    pub origins: Origins,
}

/// A file a document was read from, as diagnostics name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub role: Role,
    pub shown_as: String,
}

/// What a file is to the document read from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The document itself.
    Document,
    /// A correction applied to it as it is read.
    Overlay,
    /// A file beside it that a `$ref` names, bundled in.
    Bundled,
    /// A URL under an allowed prefix that a `$ref` names, bundled in.
    Remote,
}

/// An overlay to apply to a document as it is read.
#[derive(Debug, Clone)]
pub struct Overlay {
    pub text: String,
    /// The file name shown in diagnostics.
    pub shown_as: String,
}

/// Whether a media type is JSON (`application/json`, `+json`, parameters like `;charset=`).
pub fn is_json(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || essence.ends_with("+json")
}

/// Reads YAML or JSON text into a JSON tree, before any OpenAPI checks.
pub fn parse_tree(text: &str) -> Result<Value, String> {
    // JSON is YAML, but the JSON parser is much faster on the large vendor documents.
    if text.trim_start().starts_with('{') {
        serde_json::from_str(text).map_err(|e| e.to_string())
    } else {
        serde_yaml::from_str::<YamlTree>(text).map(|tree| tree.0).map_err(|e| e.to_string())
    }
}

/// Reads a document: parses it, applies `overlays` in order, bundles the documents it refers
/// to (files beside a document read from a file; URLs only under the `remote` prefixes),
/// converts or normalises its version and builds the typed model. Problems go to `diags`,
/// placed where their text came from; `None` when the document cannot be used.
pub fn load(
    source: &Source<'_>,
    overlays: &[Overlay],
    remote: &[String],
    diags: &mut Diagnostics,
) -> Option<LoadedSpec> {
    let start = diags.items.len();
    // Diagnostics name the document as the sink does.
    let file = diags.file.clone();
    let mut origins = Origins::default();
    let written = read_tree(source, overlays, remote, &mut origins, diags);
    let converted = written.and_then(|tree| convert(tree, &mut origins, diags));
    // Everything so far is about the document as written; from here, the converted one.
    origins.place_written(&mut diags.items[start..], &file);
    let placed = diags.items.len();
    let modelled = converted.and_then(|(raw, version)| model(raw, version, diags));
    origins.place_loaded(&mut diags.items[placed..], &file);
    let (raw, doc, declared_version) = modelled?;
    let sources = source_files(&file, overlays, &raw, diags);
    Some(LoadedSpec { file, raw, doc, declared_version, sources, origins })
}

/// The document's tree with its overlays applied and the files it refers to bundled, before
/// any version conversion.
fn read_tree(
    source: &Source<'_>,
    overlays: &[Overlay],
    remote: &[String],
    origins: &mut Origins,
    diags: &mut Diagnostics,
) -> Option<Value> {
    let text = match source.input {
        Input::File(path) => match std::fs::read_to_string(path) {
            Ok(text) => Cow::Owned(text),
            Err(error) => {
                diags.error("", format!("cannot read the document: {error}"), None);
                return None;
            }
        },
        Input::Text(text) => Cow::Borrowed(text),
    };
    let mut raw = match parse_tree(&text) {
        Ok(value) => value,
        Err(error) => {
            diags.error("", format!("not valid YAML or JSON: {error}"), None);
            return None;
        }
    };
    for item in overlays {
        if !overlay::apply(&mut raw, &item.text, &item.shown_as, origins, diags) {
            return None;
        }
    }
    if let Input::File(path) = source.input
        && !bundle::bundle(&mut raw, path, remote, diags)
    {
        return None;
    }
    bundle::resolve_map_refs(&mut raw, diags);
    if !raw.is_object() {
        diags.error("", "the document is not an object", Some("an OpenAPI document is a mapping at the top level"));
        return None;
    }
    // Before conversion: what a reference into a vendor's section names is then converted
    // and normalised where it lands, like any part of the document.
    inline_foreign_refs(&mut raw, diags);
    placeholders::drop_unfilled(&mut raw, diags);
    Some(raw)
}

/// The files the document was read from.
fn source_files(file: &str, overlays: &[Overlay], raw: &Value, diags: &Diagnostics) -> Vec<SourceFile> {
    let mut files = vec![SourceFile { role: Role::Document, shown_as: file.to_owned() }];
    files.extend(overlays.iter().map(|o| SourceFile { role: Role::Overlay, shown_as: o.shown_as.clone() }));
    for key in raw.get(BUNDLED).and_then(Value::as_object).into_iter().flat_map(|bundled| bundled.keys()) {
        let role = if key.contains("://") { Role::Remote } else { Role::Bundled };
        files.push(SourceFile { role, shown_as: diags.beside(key) });
    }
    files
}

/// The typed model of the document in 3.0 shapes, with the version it declared.
fn model(
    mut raw: Value,
    declared_version: String,
    diags: &mut Diagnostics,
) -> Option<(Value, openapiv3::OpenAPI, String)> {
    // 3.1 constructs are rewritten into 3.0 shapes; a converted 2.0 document has a few the
    // 3.0 model cannot hold.
    let swagger2 = declared_version == "2.0";
    normalise(&mut raw, !swagger2, diags);
    if swagger2 {
        swagger2::leave_out_unfit(&mut raw, diags);
    }
    if let Some(root) = raw.as_object_mut() {
        // The typed model is the 3.0 one; 3.1 constructs were rewritten on conversion.
        root.insert("openapi".into(), Value::String("3.0.3".into()));
        root.entry("paths").or_insert_with(|| Value::Object(Default::default()));
        if let Some(info) = root.get_mut("info").and_then(Value::as_object_mut) {
            info.entry("version").or_insert_with(|| Value::String("0.0.0".into()));
            info.entry("title").or_insert_with(|| Value::String("API".into()));
        }
    }
    match typed_model(&mut raw) {
        Ok(doc) => Some((raw, doc, declared_version)),
        Err((pointer, message)) => {
            let (pointer, message) = refine(&raw, pointer, message);
            diags.error(&pointer, format!("does not match the OpenAPI model: {message}"), None);
            None
        }
    }
}

/// The typed model of a document in 3.0 shapes, or the pointer and message of what does not
/// fit it. The paths, most of a large document, are read on another core than the rest.
fn typed_model(raw: &mut Value) -> Result<openapiv3::OpenAPI, (String, String)> {
    let empty = || Value::Object(Default::default());
    let paths = raw.get_mut("paths").map(|paths| std::mem::replace(paths, empty())).unwrap_or_else(empty);
    let (doc, typed_paths) = rayon::join(
        || deserialize_at::<openapiv3::OpenAPI>(raw, ""),
        || deserialize_at::<openapiv3::Paths>(&paths, "/paths"),
    );
    if let Some(slot) = raw.get_mut("paths") {
        *slot = paths;
    }
    let mut doc = doc?;
    doc.paths = typed_paths?;
    Ok(doc)
}

/// Converts a 2.0 document into the 3.0 shapes, recording in `origins` where its positions
/// moved; a 3.x document stays as it is. With the version the document declared, or `None`
/// (with an error) for one this tool does not read.
fn convert(raw: Value, origins: &mut Origins, diags: &mut Diagnostics) -> Option<(Value, String)> {
    let root = raw.as_object()?;
    let (swagger, openapi) = (root.get("swagger"), root.get("openapi"));
    let supported = Some("supported: Swagger 2.0, OpenAPI 3.0.x and 3.1.x");
    match (swagger, openapi) {
        (Some(swagger), _) if swagger.as_str() == Some("2.0") => {
            let converted = swagger2::convert(&raw, diags)?;
            origins.set_converted(converted.origin);
            Some((converted.doc, "2.0".to_owned()))
        }
        (Some(swagger), _) => {
            diags.error("/swagger", format!("unsupported Swagger version `{}`", display(swagger)), supported);
            None
        }
        (None, Some(version)) => match version.as_str() {
            Some(version) if version.starts_with("3.0") || version.starts_with("3.1") => {
                let version = version.to_owned();
                Some((raw, version))
            }
            _ => {
                diags.error("/openapi", format!("unsupported OpenAPI version `{}`", display(version)), supported);
                None
            }
        },
        (None, None) => {
            diags.error(
                "",
                "neither an `openapi` nor a `swagger` version field",
                Some("is this an OpenAPI document? It starts with `openapi: 3.x.y` or `swagger: \"2.0\"`"),
            );
            None
        }
    }
}

/// A JSON tree read from YAML. Unlike `serde_json::Value` it accepts integers written beyond
/// 64 bits (vendors write `maximum: 18446744073709551615000`), keeping them as floats;
/// normalisation then decides what to do with them. Keys that are not strings (`200:`,
/// `true:`) become their text.
struct YamlTree(Value);

impl<'de> serde::Deserialize<'de> for YamlTree {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TreeVisitor).map(YamlTree)
    }
}

struct TreeVisitor;

impl<'de> serde::de::Visitor<'de> for TreeVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(i64::try_from(v).map(Value::from).unwrap_or_else(|_| float(v as f64)))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(u64::try_from(v).map(Value::from).unwrap_or_else(|_| float(v as f64)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(TreeVisitor)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(YamlTree(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut fields = serde_json::Map::new();
        while let Some((YamlTree(key), YamlTree(value))) = map.next_entry()? {
            let key = match key {
                Value::String(text) => text,
                other => other.to_string(),
            };
            fields.insert(key, value);
        }
        Ok(Value::Object(fields))
    }
    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        // A YAML tag (`!foo value`): keep the value, drop the tag.
        use serde::de::VariantAccess;
        let (_tag, variant): (String, _) = data.variant()?;
        variant.newtype_variant::<YamlTree>().map(|tree| tree.0)
    }
}

fn float(v: f64) -> Value {
    serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
}

/// serde loses the path inside flattened maps (`paths`, `responses`); find the entry that
/// fails by deserializing the entries one by one.
fn refine(raw: &Value, pointer: String, message: String) -> (String, String) {
    use openapiv3::{Operation, PathItem, ReferenceOr, Response};
    if pointer != "/paths" && !(pointer.starts_with("/paths/") && pointer.matches('/').count() == 3) {
        return (pointer, message);
    }
    let Some(paths) = raw.get("paths").and_then(Value::as_object) else { return (pointer, message) };
    for (path, item) in paths {
        let item_pointer = join("/paths", path);
        if deserialize_at::<ReferenceOr<PathItem>>(item, &item_pointer).is_ok() {
            continue;
        }
        for method in ["get", "put", "post", "delete", "options", "head", "patch", "trace"] {
            let Some(operation) = item.get(method) else { continue };
            let op_pointer = join(&item_pointer, method);
            if let Err(found) = deserialize_at::<Operation>(operation, &op_pointer) {
                if let Some(responses) = operation.get("responses").and_then(Value::as_object) {
                    for (status, response) in responses {
                        let at = join(&join(&op_pointer, "responses"), status);
                        if let Err(inner) = deserialize_at::<ReferenceOr<Response>>(response, &at) {
                            return inner;
                        }
                    }
                    if !responses.is_empty() {
                        return found;
                    }
                }
                if operation.get("responses").is_some_and(|r| !r.is_object()) {
                    return (join(&op_pointer, "responses"), message);
                }
                return found;
            }
        }
        return (item_pointer, message);
    }
    (pointer, message)
}

fn display(value: &Value) -> String {
    value.as_str().map(str::to_owned).unwrap_or_else(|| value.to_string())
}

/// Deserializes `value`; on failure names the JSON pointer (below `base`) that did not fit.
pub fn deserialize_at<T: DeserializeOwned>(value: &Value, base: &str) -> Result<T, (String, String)> {
    // Tracking the path costs a string per key: only a value that fails is read again with it.
    if let Ok(parsed) = T::deserialize(value) {
        return Ok(parsed);
    }
    serde_path_to_error::deserialize(value).map_err(|error| {
        let mut pointer = base.to_owned();
        for segment in error.path().iter() {
            use serde_path_to_error::Segment;
            match segment {
                Segment::Seq { index } => pointer = join(&pointer, &index.to_string()),
                Segment::Map { key } | Segment::Enum { variant: key } => pointer = join(&pointer, key),
                Segment::Unknown => {}
            }
        }
        (pointer, error.inner().to_string())
    })
}

/// The component sections OpenAPI defines; a `$ref` elsewhere under `#/components/` points at
/// a vendor's own section (Lob's `mediaTypes`), which the typed model cannot hold.
const COMPONENT_SECTIONS: &[&str] = &[
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
];

/// The top-level sections a reference may point into (3.x, Swagger 2.0, and the bundle).
const ROOT_SECTIONS: &[&str] =
    &["components", "paths", "webhooks", "definitions", "parameters", "responses", "securityDefinitions", BUNDLED];

/// Whether `reference` points into a section the model does not have: a vendor's own
/// component section (Lob's `#/components/mediaTypes`) or a top-level extension (grpc-gateway's
/// `#/x-stream-definitions`).
fn is_foreign_ref(reference: &str) -> bool {
    let Some(path) = reference.strip_prefix("#/") else { return false };
    let mut segments = path.split('/');
    match segments.next() {
        Some("components") => segments.next().is_some_and(|section| !COMPONENT_SECTIONS.contains(&section)),
        Some(section) => !ROOT_SECTIONS.contains(&section),
        None => false,
    }
}

/// Replaces references into sections the model does not have (see [`is_foreign_ref`]) by a
/// copy of their target, so the object lands where the model expects it (a media type, a
/// header, a schema).
fn inline_foreign_refs(root: &mut Value, diags: &mut Diagnostics) {
    let swagger2 = positions::is_swagger2(root);
    if positions::any_ref(root, Context::Object, swagger2, &is_foreign_ref) {
        let source = root.clone();
        let mut inliner = Inliner { source: &source, swagger2, diags };
        inliner.walk(root, Context::Object, "", 0);
    }
}

/// Replaces references into non-standard component sections by a copy of their target.
struct Inliner<'a> {
    source: &'a Value,
    swagger2: bool,
    diags: &'a mut Diagnostics,
}

impl Inliner<'_> {
    fn walk(&mut self, value: &mut Value, context: Context, pointer: &str, depth: usize) {
        if context == Context::Object
            && let Value::Object(map) = value
            && let Some(reference) = map.get("$ref").and_then(Value::as_str).filter(|r| is_foreign_ref(r))
        {
            let reference = reference.to_owned();
            match self.source.pointer(&reference[1..]) {
                Some(_) if depth >= 16 => {
                    self.diags.warn(pointer, format!("`{reference}` is nested too deeply to inline; left as is"));
                }
                Some(target) => {
                    *value = target.clone();
                    self.walk(value, context, pointer, depth + 1);
                }
                None => self.diags.warn(pointer, format!("`{reference}` points at nothing")),
            }
            return;
        }
        match value {
            Value::Object(map) => {
                for (key, item) in map.iter_mut() {
                    if !positions::is_data(context, key, item, self.swagger2) {
                        self.walk(item, context.of_member(key), &join(pointer, key), depth);
                    }
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter_mut().enumerate() {
                    self.walk(item, Context::Object, &format!("{pointer}/{index}"), depth);
                }
            }
            _ => {}
        }
    }
}

/// Rewrites what the 3.0 model cannot hold into what it can, keeping the meaning, where a
/// schema stands and nowhere else: a property named `const` or `type`, an example value or an
/// extension is never touched. `openapi3` enables the rewrites of 3.1 shapes (`type` arrays
/// with `null`, `const`, numeric exclusive bounds, `examples`, boolean schemas); Swagger 2.0
/// input, already converted schema by schema, only has its integer bounds checked.
fn normalise(document: &mut Value, openapi3: bool, diags: &mut Diagnostics) {
    walk_document(document, Context::Object, "", openapi3, diags);
}

/// Outside schemas: the value of every `schema` member, and every entry of
/// `components.schemas`, is a schema; data (examples, defaults, extensions) is not looked
/// into, and in a map of names every member is walked, whatever its name (a header called
/// `x-rate-limit`, a response called `default`).
fn walk_document(value: &mut Value, context: Context, pointer: &str, openapi3: bool, diags: &mut Diagnostics) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                // Values, not schemas: examples, defaults, extensions (`positions` knows which;
                // a converted 2.0 document may keep 2.0 `examples`, which are data).
                if positions::is_data(context, key, child, !openapi3) {
                    continue;
                }
                // In a map of names, `schema` is a name (a header called so), not a schema.
                let is_schema = context == Context::Object && key == "schema";
                // A scalar holds nothing to walk into, but `schema: true` is a schema (3.1).
                if !is_schema && is_scalar(child) {
                    continue;
                }
                let at = join(pointer, key);
                if is_schema {
                    normalise_schema(child, &at, openapi3, diags);
                } else if key == "schemas" && pointer == "/components" {
                    normalise_each(child, &at, openapi3, diags);
                } else {
                    walk_document(child, context.of_member(key), &at, openapi3, diags);
                }
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter_mut().enumerate().filter(|(_, item)| !is_scalar(item)) {
                walk_document(item, Context::Object, &join(pointer, &index.to_string()), openapi3, diags);
            }
        }
        _ => {}
    }
}

/// Whether `value` holds nothing to walk into.
fn is_scalar(value: &Value) -> bool {
    !(value.is_object() || value.is_array())
}

/// Every value of a map of schemas (`properties`, `$defs`...) or every item of a list of them.
fn normalise_each(value: &mut Value, pointer: &str, openapi3: bool, diags: &mut Diagnostics) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                normalise_schema(child, &join(pointer, key), openapi3, diags);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter_mut().enumerate() {
                normalise_schema(item, &join(pointer, &index.to_string()), openapi3, diags);
            }
        }
        _ => {}
    }
}

/// One schema, then its subschemas (and only those).
fn normalise_schema(value: &mut Value, pointer: &str, openapi3: bool, diags: &mut Diagnostics) {
    if openapi3 && let Value::Bool(accepts) = value {
        // Boolean schemas (3.1): `true` accepts anything, `false` nothing.
        *value = if *accepts { serde_json::json!({}) } else { serde_json::json!({ "not": {} }) };
    }
    let Value::Object(map) = value else { return };
    if openapi3 {
        normalise_31_shapes(map);
    }
    check_integer_bounds(map, pointer, diags);
    for (key, child) in map.iter_mut() {
        let at = || join(pointer, key);
        match key.as_str() {
            "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas" => {
                normalise_each(child, &at(), openapi3, diags)
            }
            "allOf" | "anyOf" | "oneOf" | "prefixItems" => normalise_each(child, &at(), openapi3, diags),
            // `additionalProperties: true/false` is valid 3.0 as it is.
            "additionalProperties" if child.is_boolean() => {}
            "items"
            | "additionalProperties"
            | "not"
            | "if"
            | "then"
            | "else"
            | "contains"
            | "propertyNames"
            | "unevaluatedProperties"
            | "unevaluatedItems"
            | "additionalItems" => normalise_schema(child, &at(), openapi3, diags),
            _ => {}
        }
    }
}

/// 3.1 `type` arrays with `null`, `const`, numeric exclusive bounds, `examples` arrays,
/// `contentEncoding: base64` (3.0's `format: byte`).
fn normalise_31_shapes(map: &mut serde_json::Map<String, Value>) {
    let base64 = map.get("contentEncoding").and_then(Value::as_str).is_some_and(|e| e.eq_ignore_ascii_case("base64"));
    if base64 && !map.contains_key("format") {
        map.insert("format".into(), Value::String("byte".into()));
    }
    if let Some(Value::Array(types)) = map.get("type").filter(|kind| kind.is_array()).cloned() {
        let mut kinds: Vec<Value> = types.into_iter().filter(|t| t.as_str() != Some("null")).collect();
        let had_null = map.get("type").and_then(Value::as_array).is_some_and(|t| t.len() != kinds.len());
        if had_null {
            map.insert("nullable".into(), Value::Bool(true));
        }
        match kinds.len() {
            0 => {
                map.remove("type");
            }
            1 => {
                map.insert("type".into(), kinds.remove(0));
            }
            _ => {
                // Several types: a union of each.
                map.remove("type");
                let variants = kinds.into_iter().map(|kind| serde_json::json!({ "type": kind })).collect();
                map.insert("anyOf".into(), Value::Array(variants));
            }
        }
    }
    if map.get("type").and_then(Value::as_str) == Some("null") {
        map.remove("type");
        map.insert("nullable".into(), Value::Bool(true));
    }
    if let Some(constant) = map.remove("const") {
        map.insert("enum".into(), Value::Array(vec![constant]));
    }
    for (bound, flag) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
        if let Some(number) = map.get(bound).filter(|v| v.is_number()).cloned() {
            map.insert(flag.into(), number);
            map.insert(bound.into(), Value::Bool(true));
        }
    }
    if let Some(Value::Array(_)) = map.get("examples") {
        map.remove("examples");
    }
}

/// Integer bounds beyond 64 bits (or fractional) are dropped with a warning.
fn check_integer_bounds(map: &mut serde_json::Map<String, Value>, pointer: &str, diags: &mut Diagnostics) {
    if map.get("type").and_then(Value::as_str) != Some("integer") {
        return;
    }
    for bound in ["minimum", "maximum", "multipleOf"] {
        let fits = |v: &Value| v.is_i64() || v.as_u64().is_some_and(|n| i64::try_from(n).is_ok());
        if map.get(bound).is_some_and(|v| !fits(v)) {
            map.remove(bound);
            diags.warn(&join(pointer, bound), "integer bound beyond 64 bits (or fractional) ignored");
        }
    }
}

/// Follows local `$ref`s through the raw document.
pub struct Resolver<'a> {
    raw: &'a Value,
    /// The document's components as already read into the typed model.
    components: Option<&'a openapiv3::Components>,
}

impl<'a> Resolver<'a> {
    pub fn new(raw: &'a Value) -> Self {
        Self { raw, components: None }
    }

    /// A resolver that takes the component schemas of `spec` as read, without reading them
    /// again from the raw document.
    pub fn of(spec: &'a LoadedSpec) -> Self {
        Self { raw: &spec.raw, components: spec.doc.components.as_ref() }
    }

    /// The value a `#/...` reference points to, after following chained references,
    /// with its pointer.
    pub fn lookup(&self, reference: &str) -> Result<(&'a Value, String), String> {
        let mut pointer = local_pointer(reference)?;
        for _ in 0..32 {
            let target = self.raw.pointer(&pointer).ok_or_else(|| format!("`{reference}` points to nothing"))?;
            match target.get("$ref").and_then(Value::as_str) {
                Some(next) => pointer = local_pointer(next)?,
                None => return Ok((target, pointer)),
            }
        }
        Err(format!("`{reference}` is part of a reference cycle"))
    }

    /// Resolves a reference and deserializes what it points to.
    pub fn resolve<T: DeserializeOwned>(&self, reference: &str) -> Result<(T, String), (String, String)> {
        let (value, pointer) = self.lookup(reference).map_err(|message| (String::new(), message))?;
        let parsed = deserialize_at(value, &pointer)?;
        Ok((parsed, pointer))
    }

    /// Resolves a reference to a schema. A component schema is borrowed from the typed
    /// model; anything else is read from the raw document.
    pub fn resolve_schema(&self, reference: &str) -> Result<(Cow<'a, Schema>, String), (String, String)> {
        let (value, pointer) = self.lookup(reference).map_err(|message| (String::new(), message))?;
        if let Some(name) = pointer.strip_prefix("/components/schemas/")
            && !name.contains(['/', '~'])
            && let Some(ReferenceOr::Item(schema)) = self.components.and_then(|c| c.schemas.get(name))
        {
            return Ok((Cow::Borrowed(schema), pointer));
        }
        let parsed = deserialize_at(value, &pointer)?;
        Ok((Cow::Owned(parsed), pointer))
    }
}

pub(crate) fn local_pointer(reference: &str) -> Result<String, String> {
    match reference.strip_prefix('#') {
        Some(pointer) => Ok(percent_decode(pointer)),
        None => Err(format!("`{reference}` is not a local reference; only `#/...` references are supported")),
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(byte) = u8::from_str_radix(&text[i + 1..i + 3], 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> (Option<LoadedSpec>, Diagnostics) {
        let mut diags = Diagnostics::new("test.yaml");
        (super::load(&super::Source::text(text, "doc"), &[], &[], &mut diags), diags)
    }

    #[test]
    fn other_versions_are_refused_naming_the_field() {
        let (spec, diags) = load("swagger: '1.2'\ninfo: {title: t, version: '1'}\npaths: {}\n");
        assert!(spec.is_none());
        assert_eq!(diags.items[0].pointer, "/swagger");
        assert!(diags.items[0].message.contains("`1.2`"), "{:?}", diags.items);
        let (spec, diags) = load("openapi: 2.5.0\ninfo: {title: t, version: '1'}\npaths: {}\n");
        assert!(spec.is_none());
        assert_eq!(diags.items[0].pointer, "/openapi");
        let (spec, diags) = load("info: {title: t, version: '1'}\npaths: {}\n");
        assert!(spec.is_none());
        assert_eq!(diags.items[0].pointer, "");
        assert!(diags.items[0].message.contains("`swagger`"), "{:?}", diags.items);
    }

    #[test]
    fn model_mismatch_names_the_pointer() {
        let (spec, diags) =
            load("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: 7\n");
        assert!(spec.is_none());
        assert_eq!(diags.items[0].pointer, "/paths/~1a/get/responses", "{:?}", diags.items);
    }

    #[test]
    fn openapi_31_type_arrays_become_nullable() {
        let text = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n    A: {type: [string, 'null'], const: x}\n";
        let (spec, diags) = load(text);
        assert!(!diags.has_errors(), "{:?}", diags.items);
        let raw = spec.unwrap().raw;
        assert_eq!(raw.pointer("/components/schemas/A/nullable"), Some(&Value::Bool(true)));
        assert_eq!(raw.pointer("/components/schemas/A/enum/0"), Some(&Value::String("x".into())));
    }

    #[test]
    fn openapi_31_base64_content_is_3_0s_byte_format() {
        let text = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n    A: {type: string, contentEncoding: base64}\n    B: {type: string, contentEncoding: base64, format: password}\n    C: {type: string, contentEncoding: base32}\n";
        let (spec, diags) = load(text);
        assert!(!diags.has_errors(), "{:?}", diags.items);
        let raw = spec.unwrap().raw;
        assert_eq!(raw.pointer("/components/schemas/A/format"), Some(&Value::String("byte".into())));
        assert_eq!(raw.pointer("/components/schemas/B/format"), Some(&Value::String("password".into())));
        assert_eq!(raw.pointer("/components/schemas/C/format"), None);
    }

    #[test]
    fn schemas_under_names_that_look_like_data_are_normalised_too() {
        let text = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        default:\n          description: d\n          headers:\n            x-rate-limit: {schema: {type: [integer, 'null']}}\n          content: {application/json: {schema: {type: [string, 'null']}}}\n";
        let (spec, diags) = load(text);
        assert!(!diags.has_errors(), "{:?}", diags.items);
        let raw = spec.unwrap().raw;
        let response = "/paths/~1a/get/responses/default";
        assert_eq!(raw.pointer(&format!("{response}/headers/x-rate-limit/schema/nullable")), Some(&Value::Bool(true)));
        assert_eq!(
            raw.pointer(&format!("{response}/content/application~1json/schema/nullable")),
            Some(&Value::Bool(true))
        );
    }

    #[test]
    fn keywords_are_rewritten_only_where_a_schema_stands() {
        let text = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A:\n      type: object\n      properties:\n        const: {type: [string, 'null']}\n        type: {type: string, example: {type: [a, b], const: 1}}\n      example: {const: [1], type: [x]}\n      x-meta: {const: 1}\n";
        let (spec, diags) = load(text);
        assert!(!diags.has_errors(), "{:?}", diags.items);
        let raw = spec.unwrap().raw;
        let a = &raw["components"]["schemas"]["A"];
        assert_eq!(a["properties"]["const"], serde_json::json!({"type": "string", "nullable": true}));
        assert_eq!(a["properties"]["type"]["example"], serde_json::json!({"type": ["a", "b"], "const": 1}));
        assert_eq!(a["example"], serde_json::json!({"const": [1], "type": ["x"]}));
        assert_eq!(a["x-meta"], serde_json::json!({"const": 1}));
    }

    #[test]
    fn references_resolve_through_chains_and_escapes() {
        let raw = serde_json::json!({"a": {"$ref": "#/b~1c"}, "b/c": {"x": 1}});
        let resolver = Resolver::new(&raw);
        let (value, pointer) = resolver.lookup("#/a").unwrap();
        assert_eq!(value["x"], 1);
        assert_eq!(pointer, "/b~1c");
        assert!(resolver.lookup("#/missing").is_err());
        assert!(resolver.lookup("other.yaml#/a").is_err());
    }
}

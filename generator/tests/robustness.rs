//! The generator never panics and never hangs, whatever it is fed: mutated real documents
//! (the vendored specs, the fixtures and, when present, the corpus) and arbitrary YAML/JSON.
//!
//! Mutations are drawn from a seeded generator, so a failure names a seed that reproduces it.
//! `ROBUSTNESS_CASES` raises the number of cases per seed document (default 40).

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

/// A small deterministic generator (xorshift64*), enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Values that have broken generators before: wrong types, huge numbers, self references,
/// dangling references, empty names, keywords.
fn nasty(rng: &mut Rng, pointers: &[String]) -> Value {
    match rng.below(16) {
        0 => Value::Null,
        1 => json!(true),
        2 => json!(-1),
        3 => json!(1e300),
        4 => json!(""),
        5 => json!("type"),
        6 => json!([]),
        7 => json!({}),
        8 => json!({"$ref": pointers[rng.below(pointers.len())]}),
        9 => json!({"$ref": "#/components/schemas/DoesNotExist"}),
        10 => json!({"$ref": "https://example.com/remote.yaml#/x"}),
        11 => json!({"type": ["string", "null", "integer"], "enum": [null, "a", "A", 1]}),
        12 => json!({"oneOf": [{"$ref": pointers[rng.below(pointers.len())]}, {"type": "null"}],
                     "discriminator": {"propertyName": "kind", "mapping": {"x": "#/nowhere"}}}),
        13 => json!({"allOf": [{"$ref": pointers[rng.below(pointers.len())]}, {"type": "string"}]}),
        14 => json!({"type": "object", "additionalProperties": {"$ref": pointers[rng.below(pointers.len())]},
                     "properties": {"": {}, "additional_properties": {}, "Self": {}, "1x": {}}}),
        _ => json!({"type": "integer", "format": "int8", "minimum": 1e40, "maximum": -1e40}),
    }
}

/// Every node of the tree, by JSON pointer.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                pointers(item, format!("{at}/{}", key.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                pointers(item, format!("{at}/{index}"), out);
            }
        }
        _ => {}
    }
}

fn mutate(doc: &Value, rng: &mut Rng) -> Value {
    let mut doc = doc.clone();
    let mut nodes = Vec::new();
    pointers(&doc, String::new(), &mut nodes);
    let refs: Vec<String> = nodes.iter().map(|p| format!("#{p}")).collect();
    for _ in 0..1 + rng.below(4) {
        let target = nodes[1 + rng.below(nodes.len() - 1)].clone();
        let Some(node) = doc.pointer_mut(&target) else { continue };
        match rng.below(4) {
            // Replace the node.
            0 | 1 => *node = nasty(rng, &refs),
            // Drop a key or an item.
            2 => match node {
                Value::Object(map) if !map.is_empty() => {
                    let key = map.keys().nth(rng.below(map.len())).cloned().unwrap();
                    map.remove(&key);
                }
                Value::Array(items) if !items.is_empty() => {
                    items.remove(rng.below(items.len()));
                }
                other => *other = Value::Null,
            },
            // Graft another part of the document here (cycles, wrong shapes).
            _ => {
                let source = nodes[rng.below(nodes.len())].clone();
                if !target.starts_with(&source)
                    && let Some(graft) = doc.pointer(&source).cloned()
                    && let Some(node) = doc.pointer_mut(&target)
                {
                    *node = graft;
                }
            }
        }
    }
    doc
}

/// Runs the whole pipeline (load, lower, render) on `text` in a thread; fails on a panic or
/// when it takes longer than a minute.
fn survives(text: String, label: &str) {
    let (done, result) = mpsc::channel();
    std::thread::spawn(move || {
        let outcome = std::panic::catch_unwind(|| {
            let _ = clientgen::generate(
                clientgen::Source::text(&text, "fuzz.yaml"),
                &clientgen::Options::new("fuzz-client"),
            );
        });
        let _ = done.send(outcome.is_ok());
    });
    match result.recv_timeout(Duration::from_secs(60)) {
        Ok(true) => {}
        Ok(false) => panic!("the generator panicked on {label}"),
        Err(_) => panic!("the generator hung on {label}"),
    }
}

fn seed_documents() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let mut docs = vec![root.join("specs/invicti.yaml"), root.join("specs/insightvm-cloud-v4.json")];
    docs.extend(clientgen::fixture_specs(&root).unwrap());
    // Small real documents, when the corpus is beside the project.
    let corpus = std::env::var_os("CORPUS_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("../shared/corpus"));
    for name in
        ["oxide-propolis-server.json", "pagerduty-events-v2.json", "vonage-verify.yaml", "openapi-3.1/resend.yaml"]
    {
        if corpus.join(name).is_file() {
            docs.push(corpus.join(name));
        }
    }
    docs
}

#[test]
fn mutated_documents_never_panic_or_hang() {
    let cases: u64 = std::env::var("ROBUSTNESS_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(40);
    for path in seed_documents() {
        let text = std::fs::read_to_string(&path).unwrap();
        let doc: Value = clientgen::load::parse_tree(&text).unwrap();
        for seed in 1..=cases {
            let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
            let mutated = mutate(&doc, &mut rng);
            survives(serde_json::to_string(&mutated).unwrap(), &format!("{} mutated with seed {seed}", path.display()));
        }
    }
}

#[test]
fn arbitrary_text_never_panics() {
    let mut rng = Rng(0xDEAD_BEEF);
    let fragments = [
        "openapi: 3.1.0\n",
        "openapi: 3.0.0\n",
        "swagger: '2.0'\n",
        "{",
        "}",
        "[",
        "]",
        ":",
        "- ",
        "paths:\n",
        "  /x/{id}:\n",
        "    get: {}\n",
        "components: {schemas: {A: {$ref: '#/components/schemas/A'}}}\n",
        "info: {title: t, version: v}\n",
        "\"\\u0000\"",
        "&a [*a]\n",
        "*a\n",
        "!!binary aGk=\n",
        "1e999\n",
        "99999999999999999999999999\n",
        "\t",
        "\u{feff}",
        "ünïcödé: ✓\n",
        "? [a]\n: b\n",
    ];
    for case in 0..300 {
        let mut text = String::new();
        for _ in 0..rng.below(12) {
            text.push_str(fragments[rng.below(fragments.len())]);
        }
        survives(text, &format!("arbitrary text case {case}"));
    }
}

#[test]
fn self_referencing_and_mutually_referencing_schemas_terminate() {
    let doc = json!({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {"responses": {"200": {"description": "ok",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}}}}},
        "components": {"schemas": {
            "A": {"$ref": "#/components/schemas/B"},
            "B": {"$ref": "#/components/schemas/A"},
            "C": {"allOf": [{"$ref": "#/components/schemas/C"}]},
            "D": {"oneOf": [{"$ref": "#/components/schemas/D"}, {"$ref": "#/components/schemas/E"}]},
            "E": {"type": "object", "properties": {"d": {"$ref": "#/components/schemas/D"}}},
            "F": {"$ref": "#/components/schemas/F/properties/x", "properties": {"x": {"$ref": "#/components/schemas/F"}}}
        }}
    });
    survives(doc.to_string(), "reference cycles");
}

//! The API change report: one fixture pair per change class (a base document and an edit of
//! it), and snapshots of the reports for the two real version pairs of the corpus.

use std::path::{Path, PathBuf};

use clientgen::config::{ApiConfig, PaginationConfig, Selection};
use clientgen::diff::{Bump, Change, Impact, Report};
use serde_json::{Value, json};

fn base() -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {"title": "Pets", "version": "1"},
        "servers": [{"url": "https://{region}.pets.example/v1",
                     "variables": {"region": {"default": "us", "enum": ["us", "eu"]}}}],
        "components": {
            "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}},
            "schemas": {
                "Pet": {"type": "object", "required": ["id", "name"], "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "tag": {"type": "string"},
                    "status": {"$ref": "#/components/schemas/Status"},
                    "owner": {"type": "string", "nullable": true}
                }},
                "NewPet": {"type": "object", "required": ["name"], "properties": {
                    "name": {"type": "string"},
                    "tag": {"type": "string"}
                }},
                "Status": {"type": "string", "enum": ["available", "sold"]},
                "Page": {"type": "object", "properties": {
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}},
                    "next": {"type": "string", "nullable": true}
                }}
            }
        },
        "security": [{"key": []}],
        "paths": {
            "/pets": {
                "get": {"operationId": "listPets", "description": "Lists pets.", "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                    {"name": "cursor", "in": "query", "schema": {"type": "string"}}
                ], "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Page"}}}}}},
                "post": {"operationId": "createPet", "requestBody": {"required": true, "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/NewPet"}}}},
                    "responses": {"201": {"description": "created", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Pet"}}}}}}
            },
            "/pets/{id}": {
                "get": {"operationId": "getPet", "parameters": [
                    {"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}
                ], "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Pet"}}}}}},
                "delete": {"operationId": "deletePet", "parameters": [
                    {"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}
                ], "responses": {"204": {"description": "gone"}}}
            }
        }
    })
}

fn config() -> ApiConfig {
    ApiConfig { module: "pets".into(), ..ApiConfig::default() }
}

fn report_with(config: &ApiConfig, edit: impl FnOnce(&mut Value)) -> Report {
    let old = base();
    let mut new = base();
    edit(&mut new);
    let (old_api, _) =
        clientgen::lower_document(clientgen::Source::text(&old.to_string(), "old.json"), config).unwrap();
    let (new_api, _) =
        clientgen::lower_document(clientgen::Source::text(&new.to_string(), "new.json"), config).unwrap();
    clientgen::diff::diff(&old_api, &new_api, "old.json", "new.json")
}

fn report(edit: impl FnOnce(&mut Value)) -> Report {
    report_with(&config(), edit)
}

fn at<'v>(doc: &'v mut Value, pointer: &str) -> &'v mut Value {
    doc.pointer_mut(pointer).unwrap_or_else(|| panic!("no {pointer} in the fixture"))
}

/// The one change of `kind` in the report, checked for impact, Rust item and pointers.
#[track_caller]
fn expect<'r>(report: &'r Report, kind: &str, impact: Impact, rust_item: &str) -> &'r Change {
    let found: Vec<&Change> =
        report.changes.iter().filter(|c| c.kind.as_str() == kind && c.rust_item == rust_item).collect();
    assert_eq!(found.len(), 1, "expected one `{kind}` on `{rust_item}` in:\n{}", report.to_markdown());
    assert_eq!(found[0].impact, impact, "{}", report.to_markdown());
    assert!(found[0].old_pointer.is_some() || found[0].new_pointer.is_some(), "{kind} names no pointer");
    found[0]
}

#[test]
fn identical_documents_report_nothing() {
    let report = report(|_| {});
    assert!(report.changes.is_empty(), "{}", report.to_markdown());
    assert_eq!(report.bump, Bump::None);
}

#[test]
fn operations_added_removed_renamed_and_moved() {
    let added = report(|d| {
        at(d, "/paths")["/pets/{id}/photo"] =
            json!({"get": {"operationId": "getPhoto", "responses": {"200": {"description": "ok"}}}});
    });
    let change = expect(&added, "operation-added", Impact::Additive, "pets::Client::get_photo");
    assert_eq!(change.new_pointer.as_deref(), Some("/paths/~1pets~1{id}~1photo/get"));
    assert_eq!(added.bump, Bump::Minor);

    let removed = report(|d| {
        at(d, "/paths/~1pets~1{id}").as_object_mut().unwrap().remove("delete");
    });
    let change = expect(&removed, "operation-removed", Impact::Breaking, "pets::Client::delete_pet");
    assert_eq!(change.old_pointer.as_deref(), Some("/paths/~1pets~1{id}/delete"));
    assert_eq!(removed.bump, Bump::Major);

    let renamed = report(|d| at(d, "/paths/~1pets~1{id}/get")["operationId"] = json!("fetchPet"));
    expect(&renamed, "operation-renamed", Impact::Breaking, "pets::Client::fetch_pet");

    let moved = report(|d| {
        let op = at(d, "/paths/~1pets~1{id}").as_object_mut().unwrap().remove("delete").unwrap();
        at(d, "/paths/~1pets~1{id}")["post"] = op;
    });
    expect(&moved, "operation-moved", Impact::Breaking, "pets::Client::delete_pet");
}

#[test]
fn a_selection_reports_what_it_generates_and_tells_of_new_operations_it_leaves_out() {
    let selection = Selection { operations: vec!["listPets".into(), "getPet".into()], ..Selection::default() };
    let config = ApiConfig { select: selection, ..config() };
    let report = report_with(&config, |d| {
        // An operation outside the selection, and a type only it reaches, change: nothing to report.
        at(d, "/paths/~1pets~1{id}/delete")["parameters"][0]["schema"] = json!({"type": "string"});
        at(d, "/components/schemas/NewPet")["required"] = json!(["name", "tag"]);
        at(d, "/paths")["/pets/{id}/photo"] =
            json!({"get": {"operationId": "getPhoto", "responses": {"200": {"description": "ok"}}}});
    });
    let change = expect(&report, "operation-not-selected", Impact::Docs, "pets::Client");
    assert!(change.message.contains("`getPhoto` (`GET /pets/{id}/photo`)"), "{}", change.message);
    assert_eq!(change.new_pointer.as_deref(), Some("/paths/~1pets~1{id}~1photo/get"));
    assert_eq!(report.changes.len(), 1, "{}", report.to_markdown());
    assert_eq!(report.bump, Bump::Patch);
}

#[test]
fn an_operation_the_selection_no_longer_keeps_is_removed_and_says_why() {
    let tagged = |tag: &str| {
        let mut doc = base();
        at(&mut doc, "/paths/~1pets/get")["tags"] = json!(["pets"]);
        at(&mut doc, "/paths/~1pets/post")["tags"] = json!([tag]);
        doc
    };
    let config = ApiConfig { select: Selection { tags: vec!["pets".into()], ..Selection::default() }, ..config() };
    let lower = |doc: Value, name: &str| {
        clientgen::lower_document(clientgen::Source::text(&doc.to_string(), name), &config).unwrap().0
    };
    let report =
        clientgen::diff::diff(&lower(tagged("pets"), "old.json"), &lower(tagged("admin"), "new.json"), "old", "new");

    let change = expect(&report, "operation-removed", Impact::Breaking, "pets::Client::create_pet");
    assert!(
        change.message.ends_with("still in the document, but the selection now leaves it out"),
        "{}",
        change.message
    );
    assert!(!report.changes.iter().any(|c| c.kind.as_str() == "operation-not-selected"), "{}", report.to_markdown());
}

#[test]
fn parameters_by_requiredness_and_type() {
    let optional = report(|d| {
        at(d, "/paths/~1pets/get/parameters")
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "q", "in": "query", "schema": {"type": "string"}}));
    });
    let change = expect(&optional, "parameter-added", Impact::Additive, "pets::Client::list_pets.q()");
    assert_eq!(change.new_pointer.as_deref(), Some("/paths/~1pets/get/parameters/2"));

    let required = report(|d| {
        at(d, "/paths/~1pets/get/parameters")
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "owner", "in": "query", "required": true, "schema": {"type": "string"}}));
    });
    expect(&required, "parameter-added", Impact::Breaking, "pets::Client::list_pets");

    let removed = report(|d| {
        at(d, "/paths/~1pets/get/parameters").as_array_mut().unwrap().remove(0);
    });
    let change = expect(&removed, "parameter-removed", Impact::Breaking, "pets::Client::list_pets.limit()");
    assert_eq!(change.old_pointer.as_deref(), Some("/paths/~1pets/get/parameters/0"));

    let retyped = report(|d| at(d, "/paths/~1pets/get/parameters/0/schema")["type"] = json!("string"));
    let change = expect(&retyped, "type-changed", Impact::Breaking, "pets::Client::list_pets.limit()");
    assert!(change.message.contains("`i64` to `String`"), "{}", change.message);

    let now_required = report(|d| at(d, "/paths/~1pets/get/parameters/0")["required"] = json!(true));
    expect(&now_required, "parameter-required-changed", Impact::Breaking, "pets::Client::list_pets");
}

#[test]
fn request_fields_break_when_they_must_be_filled_in() {
    let optional = report(|d| at(d, "/components/schemas/NewPet/properties")["age"] = json!({"type": "integer"}));
    let change = expect(&optional, "field-added", Impact::Additive, "pets::types::NewPet::age");
    assert_eq!(change.new_pointer.as_deref(), Some("/components/schemas/NewPet/properties/age"));
    assert!(change.message.contains("(sent)"));

    let required = report(|d| {
        at(d, "/components/schemas/NewPet/properties")["age"] = json!({"type": "integer"});
        at(d, "/components/schemas/NewPet/required").as_array_mut().unwrap().push(json!("age"));
    });
    expect(&required, "field-added", Impact::Breaking, "pets::types::NewPet::age");

    let now_required =
        report(|d| at(d, "/components/schemas/NewPet/required").as_array_mut().unwrap().push(json!("tag")));
    let change = expect(&now_required, "field-required-changed", Impact::Breaking, "pets::types::NewPet::tag");
    assert!(change.message.contains("sends"), "{}", change.message);

    let retyped = report(|d| at(d, "/components/schemas/NewPet/properties/tag")["type"] = json!("integer"));
    expect(&retyped, "type-changed", Impact::Breaking, "pets::types::NewPet::tag");
}

#[test]
fn response_fields_break_when_they_may_go_missing() {
    let added = report(|d| at(d, "/components/schemas/Pet/properties")["age"] = json!({"type": "integer"}));
    let change = expect(&added, "field-added", Impact::Additive, "pets::types::Pet::age");
    assert!(change.message.contains("(received)"));

    let removed = report(|d| {
        at(d, "/components/schemas/Pet/properties").as_object_mut().unwrap().shift_remove("tag");
    });
    let change = expect(&removed, "field-removed", Impact::Breaking, "pets::types::Pet::tag");
    assert_eq!(change.old_pointer.as_deref(), Some("/components/schemas/Pet/properties/tag"));

    let optional = report(|d| at(d, "/components/schemas/Pet")["required"] = json!(["id"]));
    let change = expect(&optional, "field-required-changed", Impact::Breaking, "pets::types::Pet::name");
    assert!(change.message.contains("may now be absent"), "{}", change.message);

    let nullable = report(|d| at(d, "/components/schemas/Pet/properties/name")["nullable"] = json!(true));
    expect(&nullable, "field-nullable-changed", Impact::Breaking, "pets::types::Pet::name");

    let never_null = report(|d| {
        at(d, "/components/schemas/Pet/properties/owner").as_object_mut().unwrap().remove("nullable");
    });
    expect(&never_null, "field-nullable-changed", Impact::Breaking, "pets::types::Pet::owner");
}

#[test]
fn enum_values_added_are_additive_and_removed_are_breaking() {
    let added = report(|d| at(d, "/components/schemas/Status/enum").as_array_mut().unwrap().push(json!("pending")));
    let change = expect(&added, "enum-value-added", Impact::Additive, "pets::types::Status");
    assert!(change.message.contains("`pending`"));
    assert_eq!(added.bump, Bump::Minor);

    let removed = report(|d| {
        at(d, "/components/schemas/Status/enum").as_array_mut().unwrap().remove(1);
    });
    let change = expect(&removed, "enum-value-removed", Impact::Breaking, "pets::types::Status");
    assert!(change.message.contains("`sold`"));
}

#[test]
fn union_variants_added_and_their_content_changed() {
    let with_event = |variants: Value| {
        let mut doc = base();
        at(&mut doc, "/components/schemas").as_object_mut().unwrap().insert("Event".into(), json!({"oneOf": variants}));
        doc
    };
    let tag = |value: &str| json!({"type": "string", "enum": [value]});
    let old = with_event(json!([
        {"type": "object", "required": ["kind"], "properties": {"kind": tag("ping")}},
        {"type": "object", "required": ["kind", "value"], "properties": {"kind": tag("note"), "value": {"type": "string"}}}
    ]));
    let new = with_event(json!([
        {"type": "object", "required": ["kind", "value"], "properties": {"kind": tag("ping"), "value": {"type": "integer"}}},
        {"type": "object", "required": ["kind", "value"], "properties": {"kind": tag("note"), "value": {"type": "string"}}},
        {"type": "object", "required": ["kind"], "properties": {"kind": tag("alert")}}
    ]));
    let (old_api, _) =
        clientgen::lower_document(clientgen::Source::text(&old.to_string(), "old.json"), &config()).unwrap();
    let (new_api, _) =
        clientgen::lower_document(clientgen::Source::text(&new.to_string(), "new.json"), &config()).unwrap();
    let report = clientgen::diff::diff(&old_api, &new_api, "old.json", "new.json");
    // A tagged union keeps unknown tags, so a new variant is additive; a variant that starts
    // carrying content changes how it is built and matched.
    expect(&report, "union-variants-changed", Impact::Additive, "pets::types::Event");
    expect(&report, "union-variant-content-changed", Impact::Breaking, "pets::types::Event::Ping");
    assert_eq!(report.changes.len(), 2, "{}", report.to_markdown());
}

#[test]
fn servers_security_and_pagination() {
    let region = report(|d| at(d, "/servers/0/variables/region/enum").as_array_mut().unwrap().push(json!("ap")));
    expect(&region, "server-value-added", Impact::Additive, "pets::Region");
    let dropped = report(|d| {
        at(d, "/servers/0/variables/region/enum").as_array_mut().unwrap().remove(1);
    });
    expect(&dropped, "server-value-removed", Impact::Breaking, "pets::Region");
    let moved = report(|d| at(d, "/servers/0")["url"] = json!("https://api.pets.example/v2"));
    expect(&moved, "server-changed", Impact::Breaking, "pets::ClientBuilder");

    let scheme =
        report(|d| at(d, "/components/securitySchemes")["token"] = json!({"type": "http", "scheme": "bearer"}));
    expect(&scheme, "security-scheme-added", Impact::Additive, "pets::ClientBuilder");
    let gone = report(|d| {
        at(d, "/components/securitySchemes").as_object_mut().unwrap().remove("key");
        d.as_object_mut().unwrap().remove("security");
    });
    expect(&gone, "security-scheme-removed", Impact::Breaking, "pets::ClientBuilder");

    // The same settings on both sides: pagination breaks when the page shape loses its cursor.
    let mut paged = config();
    paged.pagination.insert(
        "listPets".into(),
        PaginationConfig::Cursor {
            items: "items".into(),
            cursor_param: "cursor".into(),
            cursor_path: Some("next".into()),
            cursor_header: None,
            page_param: None,
        },
    );
    let old = base();
    let mut new = base();
    at(&mut new, "/components/schemas/Page/properties").as_object_mut().unwrap().shift_remove("next");
    assert!(clientgen::lower_document(clientgen::Source::text(&old.to_string(), "old.json"), &paged).is_ok());
    let errors = clientgen::lower_document(clientgen::Source::text(&new.to_string(), "new.json"), &paged).unwrap_err();
    assert!(errors.iter().any(|d| d.message.contains("next")), "{errors:?}");
    // Without the setting, the lost field is a plain response change.
    let unpaged = report(|d| {
        at(d, "/components/schemas/Page/properties").as_object_mut().unwrap().shift_remove("next");
    });
    expect(&unpaged, "field-removed", Impact::Breaking, "pets::types::Page::next");
    let now_paged = report_with(&paged, |_| {});
    assert!(now_paged.changes.is_empty());
}

#[test]
fn documentation_only_changes_are_a_patch() {
    let report = report(|d| at(d, "/paths/~1pets/get")["description"] = json!("Lists every pet."));
    expect(&report, "operation-docs", Impact::Docs, "pets::Client::list_pets");
    assert_eq!(report.bump, Bump::Patch);
    let json: Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["bump"], "patch");
    assert_eq!(json["changes"][0]["impact"], "docs");
}

fn corpus() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let dir = std::env::var_os("CORPUS_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("../shared/corpus"));
    dir.join("versions").is_dir().then_some(dir)
}

/// Compares a report with its committed snapshot; `UPDATE_SNAPSHOTS=1` rewrites it.
fn check_snapshot(name: &str, old: &str, new: &str) {
    let Some(corpus) = corpus() else {
        // CI sets REQUIRE_CORPUS: there a missing corpus is a failure, never a silent pass.
        assert!(
            std::env::var_os("REQUIRE_CORPUS").is_none(),
            "no corpus beside the project, and REQUIRE_CORPUS is set"
        );
        eprintln!("SKIPPED {name}: no corpus beside the project (set CORPUS_DIR)");
        return;
    };
    let labels = (format!("versions/{old}"), format!("versions/{new}"));
    let config = ApiConfig { module: "api".into(), ..ApiConfig::default() };
    let (old_path, new_path) = (corpus.join("versions").join(old), corpus.join("versions").join(new));
    let report = clientgen::diff_documents(
        clientgen::Source::file(&old_path).shown_as(labels.0.as_str()),
        clientgen::Source::file(&new_path).shown_as(labels.1.as_str()),
        &config,
    )
    .unwrap();
    let rendered = report.to_markdown();
    let snapshot = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots").join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&snapshot, &rendered).unwrap();
    }
    let expected = std::fs::read_to_string(&snapshot).unwrap_or_default();
    assert!(rendered == expected, "the {name} report changed; review it and run with UPDATE_SNAPSHOTS=1:\n{rendered}");
}

#[test]
fn typesense_a_year_apart_matches_its_reviewed_snapshot() {
    check_snapshot("typesense.md", "typesense-openapi.09eefc0.yaml", "typesense-openapi.24facda.yaml");
}

#[test]
fn twilio_verify_ten_months_apart_matches_its_reviewed_snapshot() {
    check_snapshot("twilio-verify.md", "twilio-verify_v2.80b5b01.json", "twilio-verify_v2.d50069b.json");
}

//! The pipeline on real files: the checked-in crate is current, and bad input changes nothing.

use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// A project's settings, `specs/codegen.toml`.
fn settings(project: &Path) -> clientgen::Config {
    clientgen::Config::load(&project.join("specs/codegen.toml")).unwrap()
}

#[test]
fn generated_crate_is_up_to_date() {
    let generated = clientgen::generate_project(&root(), &settings(&root()))
        .unwrap_or_else(|errors| panic!("codegen failed: {errors:#?}"));
    let stale = clientgen::write::stale_files(&clientgen::generated_dir(&root()), &generated.files).unwrap();
    assert!(stale.is_empty(), "generated/ is stale; run `cargo xtask codegen`:\n{}", stale.join("\n"));
}

#[test]
fn generation_is_byte_identical_across_runs() {
    let first = clientgen::generate_project(&root(), &settings(&root())).unwrap().files;
    let second = clientgen::generate_project(&root(), &settings(&root())).unwrap().files;
    assert_eq!(first, second);
}

#[test]
fn every_api_exposes_every_operation() {
    let generated = clientgen::generate_project(&root(), &settings(&root())).unwrap();
    let counts: Vec<(String, usize)> = generated.apis.iter().map(|a| (a.module.clone(), a.operations.len())).collect();
    assert_eq!(
        counts,
        [("invicti".to_owned(), 6), ("insightvm".to_owned(), 13), ("insightvm_console".to_owned(), 329)]
    );
    // The console's page/size collections stream by `paginate_matching`: every operation with
    // a `page` parameter whose answer carries `page.totalPages` (getSolutions answers
    // without a page count and stays a plain call).
    let console = &generated.apis[2];
    let paged: Vec<&str> =
        console.operations.iter().filter(|op| op.pagination.is_some()).map(|op| op.wire_id.as_str()).collect();
    assert_eq!(paged.len(), 42, "{paged:?}");
    assert!(!paged.contains(&"getSolutions"));
}

/// A scratch project whose one API document is `spec` (named `name`), with a previous
/// `generated/src/lib.rs` that a failed run must leave alone.
fn broken_project(tag: &str, name: &str, spec: &str) -> std::path::PathBuf {
    let project = std::env::temp_dir().join(format!("clientgen-{tag}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&project);
    fs::create_dir_all(project.join("specs")).unwrap();
    fs::create_dir_all(project.join("generated/src")).unwrap();
    fs::write(project.join("generated/src/lib.rs"), "// previous output\n").unwrap();
    let config = format!("[crate]\nname = \"x\"\nversion = \"0.1.0\"\n\n[[api]]\nmodule = \"x\"\nspec = \"{name}\"\n");
    fs::write(project.join("specs/codegen.toml"), config).unwrap();
    fs::write(project.join("specs").join(name), spec).unwrap();
    project
}

fn assert_untouched(project: &Path) {
    assert_eq!(fs::read_to_string(project.join("generated/src/lib.rs")).unwrap(), "// previous output\n");
    fs::remove_dir_all(project).unwrap();
}

#[test]
fn a_broken_swagger_document_names_its_pointer_and_writes_nothing() {
    let spec = r##"{"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {},
        "definitions": {"A": {"$ref": "#/definitions/B"}, "B": {"$ref": "#/definitions/A"}}}"##;
    let project = broken_project("broken2", "x.json", spec);
    let errors = clientgen::generate_project(&project, &settings(&project)).unwrap_err();
    assert_eq!((errors[0].file.as_str(), errors[0].pointer.as_str()), ("specs/x.json", "/definitions/A"), "{errors:?}");
    assert_untouched(&project);
}

#[test]
fn a_broken_spec_is_reported_with_file_and_pointer_and_writes_nothing() {
    let spec = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200': {description: 5, content: 3}\n";
    let project = broken_project("broken", "x.yaml", spec);
    let errors = clientgen::generate_project(&project, &settings(&project)).unwrap_err();
    assert_eq!(errors[0].file, "specs/x.yaml");
    assert!(errors[0].pointer.starts_with("/paths/~1a/get/responses/200"), "{errors:?}");
    assert_untouched(&project);
}

#[test]
fn pagination_config_naming_a_missing_field_is_an_error() {
    let project = std::env::temp_dir().join(format!("clientgen-pagination-{}", std::process::id()));
    let _ = fs::remove_dir_all(&project);
    fs::create_dir_all(project.join("specs")).unwrap();
    fs::copy(root().join("specs/invicti.yaml"), project.join("specs/invicti.yaml")).unwrap();
    fs::write(
        project.join("specs/codegen.toml"),
        "[crate]\nname = \"x\"\nversion = \"0.1.0\"\n\n[[api]]\nmodule = \"invicti\"\nspec = \"invicti.yaml\"\n\n\
         [api.pagination.listApiTargets]\nkind = \"cursor\"\nitems = \"targets\"\ncursor_param = \"cursor\"\ncursor_path = \"next\"\n",
    )
    .unwrap();
    let errors = clientgen::generate_project(&project, &settings(&project)).unwrap_err();
    assert!(errors[0].message.contains("has no field `next`"), "{errors:?}");
    fs::remove_dir_all(project).unwrap();
}

#[test]
fn an_overlay_corrects_the_document_as_read_and_one_that_no_longer_applies_is_named() {
    let dir = std::env::temp_dir().join(format!("clientgen-overlay-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    fs::write(
        dir.join("api.yaml"),
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A: {type: object, required: [n], properties: {n: {type: integer}}}\n",
    )
    .unwrap();
    fs::write(
        dir.join("fix.overlay.yaml"),
        "overlay: 1.0.0\ninfo: {title: fixes, version: '1'}\nactions:\n  - target: $.components.schemas.A.properties.n\n    update: {nullable: true}\n  - target: $.components.schemas.Gone\n    remove: true\n",
    )
    .unwrap();
    fs::write(dir.join("settings.toml"), "overlays = [\"fix.overlay.yaml\"]\n").unwrap();
    let settings = clientgen::Config::load(&dir.join("settings.toml")).unwrap().into_api();
    let options = clientgen::Options::new("x").settings(settings);
    let generated = clientgen::generate(clientgen::Source::file(&dir.join("api.yaml")), &options).unwrap();
    let a = generated.apis[0].types.iter().find(|t| t.name == "A").unwrap();
    let clientgen::ir::TypeKind::Struct(body) = &a.kind else { panic!("A is a struct") };
    assert!(body.fields[0].nullable, "the overlay made `n` nullable");
    let unclean = generated.overlay_warnings();
    assert_eq!(unclean.len(), 1, "{:?}", generated.warnings);
    assert_eq!(unclean[0].pointer, "/actions/1/target");
    assert!(unclean[0].file.ends_with("fix.overlay.yaml"));
    fs::remove_dir_all(dir).unwrap();
}

//! Turns OpenAPI documents into typed async Rust clients.
//!
//! The pipeline has one module per concern:
//! [`load`] (read, normalise versions, resolve references) → [`lower`] (OpenAPI → [`ir`],
//! with [`diag`]nostics) → [`render`] (IR → Rust through `quote` and `prettyplease`, whole
//! files through minijinja templates) → [`write`] (compare, check, swap in).

pub mod config;
pub mod diag;
pub mod diff;
pub mod ir;
pub mod load;
pub mod lower;
pub mod naming;
pub mod render;
pub mod write;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use config::{ApiConfig, Config};
use diag::{Diagnostic, Diagnostics, Severity};
use ir::Api;
use render::{ApiInfo, CrateInfo, Files, GatedTarget};

/// The result of generating: the files, with the warnings met on the way.
#[derive(Debug)]
pub struct Generated {
    pub files: Files,
    pub apis: Vec<Api>,
    pub warnings: Vec<Diagnostic>,
}

/// Loads and lowers one document; errors stop it, warnings are returned.
pub fn lower_document(
    path: &Path,
    shown_as: &str,
    config: &ApiConfig,
) -> Result<(Api, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut diags = Diagnostics::new(shown_as);
    let overlays = read_overlays(config)?;
    let Some(spec) = load::load_file_with(path, &overlays, &config.remote_refs, &mut diags) else {
        return Err(diags.items);
    };
    let api = lower::lower(&spec, config, &mut diags);
    drop_aside(spec);
    if diags.has_errors() { Err(diags.items) } else { Ok((api, diags.items)) }
}

/// Drops `value` on a thread of its own: freeing a large document's trees takes a while,
/// and nothing waits for it. Where no thread can be started, it is dropped here.
fn drop_aside<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new().name("drop".into()).spawn(move || drop(value));
}

/// The overlay files an API's config lists, read from its config's folder.
fn read_overlays(config: &ApiConfig) -> Result<Vec<load::Overlay>, Vec<Diagnostic>> {
    config
        .overlay_paths()
        .into_iter()
        .map(|path| {
            let shown_as = path.display().to_string();
            std::fs::read_to_string(&path).map(|text| load::Overlay { text, shown_as: shown_as.clone() }).map_err(
                |error| {
                    vec![Diagnostic {
                        severity: Severity::Error,
                        file: shown_as,
                        pointer: String::new(),
                        message: format!("cannot read the overlay: {error}"),
                        hint: None,
                    }]
                },
            )
        })
        .collect()
}

/// The document at `path` as its API's overlays correct it, before anything else reads it
/// (no bundling, no version conversion): what a mock server should serve, and where the
/// document's own defects are named.
pub fn corrected_document(path: &Path, config: &ApiConfig) -> Result<serde_json::Value, Vec<Diagnostic>> {
    let shown = path.display().to_string();
    let text =
        std::fs::read_to_string(path).map_err(|e| render_error(format!("cannot read the document: {e}"), &shown))?;
    let mut tree = load::parse_tree(&text).map_err(|e| render_error(format!("not valid YAML or JSON: {e}"), &shown))?;
    let mut diags = Diagnostics::new(&shown);
    for overlay in read_overlays(config)? {
        load::overlay::apply(&mut tree, &overlay.text, &overlay.shown_as, &mut diags);
    }
    if diags.has_errors() { Err(diags.items) } else { Ok(tree) }
}

/// Loads and lowers the text of a document (`shown_as` names it in diagnostics).
pub fn lower_text(text: &str, shown_as: &str, config: &ApiConfig) -> Result<(Api, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut diags = Diagnostics::new(shown_as);
    let Some(spec) = load::load_str(text, &mut diags) else {
        return Err(diags.items);
    };
    let api = lower::lower(&spec, config, &mut diags);
    drop_aside(spec);
    if diags.has_errors() { Err(diags.items) } else { Ok((api, diags.items)) }
}

/// Generates a standalone crate named `name` from the text of a document (`shown_as` names
/// it in diagnostics).
pub fn generate_from_text(text: &str, shown_as: &str, name: &str) -> Result<Generated, Vec<Diagnostic>> {
    let config = standalone_config(name, shown_as);
    let (api, warnings) = lower_text(text, shown_as, &config)?;
    standalone_crate(name, api, &config, warnings)
}

fn standalone_config(name: &str, shown_as: &str) -> ApiConfig {
    let module = naming::snake(name);
    let module = if module == "runtime" { "api".to_owned() } else { module };
    ApiConfig { module, spec: shown_as.to_owned(), ..ApiConfig::default() }
}

fn standalone_crate(
    name: &str,
    mut api: Api,
    config: &ApiConfig,
    warnings: Vec<Diagnostic>,
) -> Result<Generated, Vec<Diagnostic>> {
    lower::merge_identical(&mut api);
    let description = format!("Typed async client for {}.", api.title.replace('"', "'"));
    let info = crate_info(name, "0.1.0", &description, std::slice::from_ref(&api), std::slice::from_ref(config));
    let files = render::render_crate(&info, std::slice::from_ref(&api)).map_err(|m| render_error(m, &config.spec))?;
    Ok(Generated { files, apis: vec![api], warnings })
}

fn crate_info(name: &str, version: &str, description: &str, apis: &[Api], configs: &[ApiConfig]) -> CrateInfo {
    CrateInfo {
        name: name.to_owned(),
        version: version.to_owned(),
        description: description.to_owned(),
        apis: apis
            .iter()
            .zip(configs)
            .map(|(api, config)| ApiInfo {
                module: api.module.clone(),
                title: api.title.clone(),
                version: api.version.clone(),
                operations: api.operations.len(),
                types: api.types.len(),
                source_url: config.source_url.clone(),
                optional_feature: config.optional_feature,
            })
            .collect(),
        gated_targets: Vec::new(),
    }
}

/// The hand-written examples and tests in `crate_dir` named after an API whose feature is
/// off by default (`<module>.rs`, `<module>_*.rs`): they build only with that feature.
fn gated_targets(crate_dir: &Path, configs: &[ApiConfig]) -> Vec<GatedTarget> {
    let mut targets = Vec::new();
    for (kind, folder) in [("example", "examples"), ("test", "tests")] {
        let Ok(entries) = std::fs::read_dir(crate_dir.join(folder)) else { continue };
        let mut names: Vec<String> = entries
            .flatten()
            .filter_map(|entry| entry.file_name().to_str()?.strip_suffix(".rs").map(str::to_owned))
            .collect();
        names.sort();
        for name in names {
            let owner = configs
                .iter()
                .filter(|c| c.optional_feature)
                .find(|c| name == c.module || name.strip_prefix(&c.module).is_some_and(|rest| rest.starts_with('_')));
            if let Some(config) = owner {
                targets.push(GatedTarget { kind: kind.to_owned(), name, feature: config.module.clone() });
            }
        }
    }
    targets
}

fn render_error(message: String, file: &str) -> Vec<Diagnostic> {
    vec![Diagnostic { severity: Severity::Error, file: file.to_owned(), pointer: String::new(), message, hint: None }]
}

/// The warnings about overlays (an action that matches nothing): with `codegen --check`, an
/// overlay that no longer applies cleanly fails the check.
pub fn overlay_warnings<'d>(warnings: &'d [Diagnostic], configs: &[ApiConfig]) -> Vec<&'d Diagnostic> {
    let overlays: Vec<String> =
        configs.iter().flat_map(ApiConfig::overlay_paths).map(|path| path.display().to_string()).collect();
    warnings.iter().filter(|warning| overlays.contains(&warning.file)).collect()
}

/// Generates the project's crate from `specs/codegen.toml` under `root`.
pub fn generate_project(root: &Path) -> Result<Generated, Vec<Diagnostic>> {
    let config_path = root.join("specs/codegen.toml");
    let config = Config::load(&config_path).map_err(|d| vec![d])?;
    generate_project_with(root, &config, &BTreeMap::new())
}

/// Generates the project's crate from `config`, reading each API's document from `specs/`
/// unless `replaced` gives another file for its module (a candidate update, not yet in place).
pub fn generate_project_with(
    root: &Path,
    config: &Config,
    replaced: &BTreeMap<String, PathBuf>,
) -> Result<Generated, Vec<Diagnostic>> {
    let mut apis = Vec::new();
    let mut warnings = Vec::new();
    let mut errors = Vec::new();
    for api_config in &config.apis {
        let shown = format!("specs/{}", api_config.spec);
        let path =
            replaced.get(&api_config.module).cloned().unwrap_or_else(|| root.join("specs").join(&api_config.spec));
        match lower_document(&path, &shown, api_config) {
            Ok((api, found)) => {
                apis.push(api);
                warnings.extend(found);
            }
            Err(found) => errors.extend(found),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    apis.iter_mut().for_each(lower::merge_identical);
    let description = config.krate.description.clone().unwrap_or_else(|| "Typed API clients.".into());
    let mut info = crate_info(&config.krate.name, &config.krate.version, &description, &apis, &config.apis);
    info.gated_targets = gated_targets(&generated_dir(root), &config.apis);
    let files = render::render_crate(&info, &apis).map_err(|m| render_error(m, "templates/"))?;
    Ok(Generated { files, apis, warnings })
}

/// Generates a standalone crate named `name` for any document.
pub fn generate_standalone(spec: &Path, name: &str) -> Result<Generated, Vec<Diagnostic>> {
    generate_standalone_at(Path::new("."), spec, name, None)
}

/// Like [`generate_standalone`], for a `spec` path relative to `base`: diagnostics show the
/// relative path, so output and messages do not depend on where the project is checked out.
///
/// `settings` carries what the document cannot say (pagination, retry-safe POSTs, renames),
/// as read by [`ApiConfig::load_standalone`].
pub fn generate_standalone_at(
    base: &Path,
    spec: &Path,
    name: &str,
    settings: Option<ApiConfig>,
) -> Result<Generated, Vec<Diagnostic>> {
    let shown = spec.display().to_string();
    let defaults = standalone_config(name, &shown);
    let config = match settings {
        Some(settings) => ApiConfig { module: defaults.module, spec: defaults.spec, ..settings },
        None => defaults,
    };
    let (api, warnings) = lower_document(&base.join(spec), &shown, &config)?;
    standalone_crate(name, api, &config, warnings)
}

/// The fixture documents under `generator/tests/fixtures/`, sorted: one construct family each,
/// generated into `fixtures/<stem>/` and compiled with the workspace. A `<stem>.toml` beside
/// a document holds its settings (see [`generate_standalone_at`]).
pub fn fixture_specs(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut specs: Vec<PathBuf> = std::fs::read_dir(root.join("generator/tests/fixtures"))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml" || ext == "json"))
        .collect();
    specs.sort();
    Ok(specs)
}

/// The change report between two documents of one API, lowered with the same `config`
/// (module name, pagination...). Either document failing to load or lower is an error.
pub fn diff_documents(
    old: (&Path, &str),
    new: (&Path, &str),
    config: &ApiConfig,
) -> Result<diff::Report, Vec<Diagnostic>> {
    let (old_api, _) = lower_document(old.0, old.1, config)?;
    let (new_api, _) = lower_document(new.0, new.1, config)?;
    Ok(diff::diff(&old_api, &new_api, old.1, new.1))
}

/// The folder of the project's generated crate.
pub fn generated_dir(root: &Path) -> PathBuf {
    root.join("generated")
}

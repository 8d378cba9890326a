//! Turns OpenAPI documents into typed async Rust clients.
//!
//! The pipeline has one module per concern:
//! [`load`] (read, apply overlays, bundle, normalise versions; the document keeps where each
//! part came from) → [`lower`] (OpenAPI → [`ir`], with [`diag`]nostics) → [`render`] (IR →
//! Rust through `quote` and `prettyplease`, whole files through minijinja templates) →
//! [`write`] (compare, check, swap in).
//!
//! The front door is small: [`generate`] turns one document, from a file or from text, into
//! a crate; [`generate_project`] turns a settings file's APIs into one crate;
//! [`lower_document`] stops at the IR. A `build.rs` that generates a client into `OUT_DIR`:
//!
//! ```no_run
//! use std::path::Path;
//!
//! use clientgen::{Options, Source, generate};
//!
//! let out = std::env::var("OUT_DIR").unwrap();
//! let spec = Path::new("openapi.yaml");
//! println!("cargo::rerun-if-changed={}", spec.display());
//! let generated = generate(Source::file(spec), &Options::new("my-api")).unwrap_or_else(|errors| {
//!     panic!("{}", errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))
//! });
//! clientgen::write::write_tree(Path::new(&out).join("my-api").as_path(), &generated.files).unwrap();
//! ```

pub mod config;
pub mod diag;
pub mod diff;
pub mod ir;
pub mod load;
pub mod lower;
pub mod naming;
pub mod render;
pub mod write;

use std::path::{Path, PathBuf};

pub use config::{ApiConfig, Config};
use diag::{Diagnostic, Diagnostics, Severity};
use ir::Api;
pub use load::Source;
use load::{Role, SourceFile};
use render::{ApiInfo, CrateInfo, Files, GatedTarget};

/// The result of generating: the files, with the warnings met on the way.
#[derive(Debug)]
pub struct Generated {
    pub files: Files,
    pub apis: Vec<Api>,
    pub warnings: Vec<Diagnostic>,
    /// Every file the documents were read from (documents, overlays, bundled files).
    pub sources: Vec<SourceFile>,
}

impl Generated {
    /// The warnings about overlays (an action that matches nothing): `codegen --check` fails
    /// on them, as an overlay that no longer applies cleanly needs its owner's attention.
    pub fn overlay_warnings(&self) -> Vec<&Diagnostic> {
        let overlays: Vec<&str> =
            self.sources.iter().filter(|s| s.role == Role::Overlay).map(|s| s.shown_as.as_str()).collect();
        self.warnings.iter().filter(|w| overlays.contains(&w.file.as_str())).collect()
    }
}

/// How to generate a crate from one document: its name and the settings the document
/// cannot carry (pagination, retry-safe POSTs, renames, overlays; see [`ApiConfig`]).
#[derive(Debug, Clone)]
pub struct Options {
    /// The crate's name; the API's module is the name in snake case.
    pub name: String,
    pub settings: ApiConfig,
}

impl Options {
    /// A crate named `name`, with default settings.
    pub fn new(name: &str) -> Self {
        Self { name: name.to_owned(), settings: ApiConfig::default() }
    }

    /// With `settings`, as [`Config::load`] reads them from a settings file.
    pub fn settings(mut self, settings: ApiConfig) -> Self {
        self.settings = settings;
        self
    }

    /// The settings with the module the crate's name gives.
    fn api_settings(&self, source: &Source<'_>) -> ApiConfig {
        let module = naming::file_module(&self.name);
        let module = if module == "runtime" { "api".to_owned() } else { module };
        ApiConfig { module, spec: source.name().to_owned(), ..self.settings.clone() }
    }
}

/// Generates a crate from one document, read from a file or given as text.
pub fn generate(source: Source<'_>, options: &Options) -> Result<Generated, Vec<Diagnostic>> {
    let settings = options.api_settings(&source);
    let (mut api, warnings, sources) = load_and_lower(&source, &settings)?;
    lower::merge_identical(&mut api);
    let description = format!("Typed async client for {}.", api.title.replace('"', "'"));
    let apis = std::slice::from_ref(&api);
    let names = CrateNames { name: &options.name, version: "0.1.0", description: &description, program: &options.name };
    let info = crate_info(&names, apis, std::slice::from_ref(&settings));
    let files = render::render_crate(&info, apis).map_err(|m| render_error(m, &settings.spec))?;
    Ok(Generated { files, apis: vec![api], warnings, sources })
}

/// Loads and lowers one document with `settings`; errors stop it, warnings are returned.
pub fn lower_document(source: Source<'_>, settings: &ApiConfig) -> Result<(Api, Vec<Diagnostic>), Vec<Diagnostic>> {
    load_and_lower(&source, settings).map(|(api, warnings, _)| (api, warnings))
}

/// Generates the project's crate under `root` from its settings (`specs/codegen.toml`, read
/// by [`Config::load`]): one module per API, each document read from `specs/` (an API whose
/// `spec` is an absolute path is read from there: a candidate update, not yet in place).
pub fn generate_project(root: &Path, config: &Config) -> Result<Generated, Vec<Diagnostic>> {
    let mut apis = Vec::new();
    let mut warnings = Vec::new();
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for settings in &config.apis {
        let path = root.join("specs").join(&settings.spec);
        let shown = if Path::new(&settings.spec).is_absolute() {
            settings.spec.clone()
        } else {
            format!("specs/{}", settings.spec)
        };
        match load_and_lower(&Source::file(&path).shown_as(shown), settings) {
            Ok((api, found, read)) => {
                apis.push(api);
                warnings.extend(found);
                sources.extend(read);
            }
            Err(found) => errors.extend(found),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    apis.iter_mut().for_each(lower::merge_identical);
    let description = config.krate.description.clone().unwrap_or_else(|| "Typed API clients.".into());
    let names = CrateNames {
        name: &config.krate.name,
        version: &config.krate.version,
        description: &description,
        program: config.krate.program.as_deref().unwrap_or(&config.krate.name),
    };
    let mut info = crate_info(&names, &apis, &config.apis);
    info.gated_targets = gated_targets(&generated_dir(root), &config.apis);
    for api in &mut info.apis {
        let test = generated_dir(root).join(format!("tests/mock_{}.rs", api.module));
        api.mock_test = std::fs::read_to_string(test).ok();
    }
    let files = render::render_crate(&info, &apis).map_err(|m| render_error(m, "templates/"))?;
    Ok(Generated { files, apis, warnings, sources })
}

/// The change report between two documents of one API, lowered with the same `settings`
/// (module name, pagination, overlays...). Either document failing to load or lower is an
/// error.
pub fn diff_documents(old: Source<'_>, new: Source<'_>, settings: &ApiConfig) -> Result<diff::Report, Vec<Diagnostic>> {
    let (old_label, new_label) = (old.name().to_owned(), new.name().to_owned());
    let (old_api, _) = lower_document(old, settings)?;
    let (new_api, _) = lower_document(new, settings)?;
    Ok(diff::diff(&old_api, &new_api, &old_label, &new_label))
}

/// The document at `path` as its API's overlays correct it, before anything else reads it
/// (no bundling, no version conversion): what a mock server should serve, and where the
/// document's own defects are named.
pub fn corrected_document(path: &Path, settings: &ApiConfig) -> Result<serde_json::Value, Vec<Diagnostic>> {
    let shown = path.display().to_string();
    let text =
        std::fs::read_to_string(path).map_err(|e| render_error(format!("cannot read the document: {e}"), &shown))?;
    let mut tree = load::parse_tree(&text).map_err(|e| render_error(format!("not valid YAML or JSON: {e}"), &shown))?;
    let mut diags = Diagnostics::new(&shown);
    let mut origins = load::Origins::default();
    for overlay in read_overlays(settings)? {
        load::overlay::apply(&mut tree, &overlay.text, &overlay.shown_as, &mut origins, &mut diags);
    }
    if diags.has_errors() { Err(diags.items) } else { Ok(tree) }
}

/// The one way a document is read and lowered: its overlays read, the document loaded (its
/// diagnostics placed where their text came from), lowered to the IR.
fn load_and_lower(
    source: &Source<'_>,
    settings: &ApiConfig,
) -> Result<(Api, Vec<Diagnostic>, Vec<SourceFile>), Vec<Diagnostic>> {
    let mut diags = Diagnostics::new(source.name());
    let overlays = read_overlays(settings)?;
    let Some(spec) = load::load(source, &overlays, &settings.remote_refs, &mut diags) else {
        return Err(diags.items);
    };
    let api = lower::lower(&spec, settings, &mut diags);
    let sources = spec.sources.clone();
    drop_aside(spec);
    if diags.has_errors() { Err(diags.items) } else { Ok((api, diags.items, sources)) }
}

/// Drops `value` on a thread of its own: freeing a large document's trees takes a while,
/// and nothing waits for it. Where no thread can be started, it is dropped here.
fn drop_aside<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new().name("drop".into()).spawn(move || drop(value));
}

/// The overlay files an API's settings list, read from the settings' folder.
fn read_overlays(settings: &ApiConfig) -> Result<Vec<load::Overlay>, Vec<Diagnostic>> {
    settings
        .overlay_paths()
        .into_iter()
        .map(|path| {
            let shown_as = path.display().to_string();
            std::fs::read_to_string(&path)
                .map(|text| load::Overlay { text, shown_as: shown_as.clone() })
                .map_err(|error| render_error(format!("cannot read the overlay: {error}"), &shown_as))
        })
        .collect()
}

/// What names the generated crate: its package, version, description and program.
struct CrateNames<'a> {
    name: &'a str,
    version: &'a str,
    description: &'a str,
    /// The command line's binary.
    program: &'a str,
}

fn crate_info(names: &CrateNames<'_>, apis: &[Api], configs: &[ApiConfig]) -> CrateInfo {
    let mut commands = naming::Registry::with_reserved(naming::scope::CLI_PROGRAM);
    let lib_name = names.name.replace('-', "_");
    CrateInfo {
        name: names.name.to_owned(),
        runtime_name: format!("{}-runtime", names.name),
        runtime_lib: format!("{lib_name}_runtime"),
        lib_name,
        program: names.program.to_owned(),
        version: names.version.to_owned(),
        description: names.description.to_owned(),
        apis: apis
            .iter()
            .zip(configs)
            .map(|(api, config)| ApiInfo {
                module: api.module.clone(),
                command: commands.claim(&naming::kebab(&api.module)),
                title: api.title.clone(),
                version: api.version.clone(),
                operations: api.operations.len(),
                types: api.types.len(),
                source_url: config.source_url.clone(),
                optional_feature: config.optional_feature,
                module_feature: if config.tag_features {
                    naming::client_feature(&api.module)
                } else {
                    api.module.clone()
                },
                tag_features: render::tag_features(api),
                mock_test: None,
            })
            .collect(),
        gated_targets: Vec::new(),
    }
}

/// The hand-written examples and tests in `crate_dir` that need features off by default:
/// those named after an API whose feature is off by default (`<module>.rs`, `<module>_*.rs`)
/// need it, tests of the test kit (`mock_*.rs`) need `mock`, and tests of the command line
/// (`cli_*.rs`) `cli` and `mock` (and an API's feature when the rest of the name is the API's).
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
            let (mut features, rest) = match (name.strip_prefix("mock_"), name.strip_prefix("cli_")) {
                (Some(rest), _) => (vec!["mock".to_owned()], rest),
                // The command line's tests run it against the test kit's servers.
                (_, Some(rest)) => (vec!["cli".to_owned(), "mock".to_owned()], rest),
                _ => (Vec::new(), name.as_str()),
            };
            let owner = configs
                .iter()
                .filter(|c| c.optional_feature)
                .find(|c| rest == c.module || rest.strip_prefix(&c.module).is_some_and(|rest| rest.starts_with('_')));
            features.extend(owner.map(|config| config.module.clone()));
            if !features.is_empty() {
                targets.push(GatedTarget { kind: kind.to_owned(), name, features });
            }
        }
    }
    targets
}

fn render_error(message: String, file: &str) -> Vec<Diagnostic> {
    vec![Diagnostic { severity: Severity::Error, file: file.to_owned(), pointer: String::new(), message, hint: None }]
}

/// The fixture documents under `generator/tests/fixtures/`, sorted: one construct family each,
/// generated into `fixtures/<stem>/` and compiled with the workspace. A `<stem>.toml` beside
/// a document holds its settings (read by [`Config::load`]).
pub fn fixture_specs(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut specs: Vec<PathBuf> = std::fs::read_dir(root.join("generator/tests/fixtures"))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml" || ext == "json"))
        .collect();
    specs.sort();
    Ok(specs)
}

/// The folder of the project's generated crate.
pub fn generated_dir(root: &Path) -> PathBuf {
    root.join("generated")
}

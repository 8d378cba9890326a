//! `diff` and `update-spec`: what a new version of a document changes for users of the
//! generated crate, and replacing a vendored document with it.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use clientgen::config::{ApiConfig, Config};
use clientgen::diag::Diagnostic;
use clientgen::diff::{Bump, Report};
use clientgen::{Source, write};

fn failed(errors: &[Diagnostic]) -> String {
    clientgen::diag::grouped(errors).iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}

/// `diff <old> <new> [--format markdown|json] [--config <settings.toml>]`.
pub fn diff(args: &[String]) -> Result<(), String> {
    let usage = "usage: cargo xtask diff <old-spec> <new-spec> [--format markdown|json] [--config <settings.toml>]";
    let mut files = Vec::new();
    let mut json = false;
    let mut config = ApiConfig { module: "api".into(), ..ApiConfig::default() };
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--format" => match iter.next().map(String::as_str) {
                Some("json") => json = true,
                Some("markdown" | "md") => json = false,
                _ => return Err(usage.into()),
            },
            "--config" => {
                let path = iter.next().ok_or(usage)?;
                let settings = Config::load(Path::new(path)).map_err(|d| d.to_string())?.into_api();
                config = ApiConfig { module: "api".into(), ..settings };
            }
            other if !other.starts_with("--") => files.push(PathBuf::from(other)),
            other => return Err(format!("unexpected argument `{other}`\n{usage}")),
        }
    }
    let [old, new] = files.as_slice() else { return Err(usage.into()) };
    let report = clientgen::diff_documents(Source::file(old), Source::file(new), &config).map_err(|e| failed(&e))?;
    print!("{}", if json { report.to_json() + "\n" } else { report.to_markdown() });
    Ok(())
}

/// `update-spec <name> [--from <path-or-url>]`.
pub fn update_spec(root: &Path, args: &[String]) -> Result<(), String> {
    let usage = "usage: cargo xtask update-spec <api-module> [--from <path-or-url>]";
    let mut name = None;
    let mut from = None;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--from" => from = Some(iter.next().ok_or(usage)?.clone()),
            other if !other.starts_with("--") && name.is_none() => name = Some(other.to_owned()),
            other => return Err(format!("unexpected argument `{other}`\n{usage}")),
        }
    }
    let name = name.ok_or(usage)?;
    let outcome = update(root, &name, from.as_deref())?;
    eprint!("{}{}", outcome.report.to_markdown(), outcome.overlays);
    eprintln!(
        "specs/{} updated; crate version {} → {}; generated/ regenerated; report added to generated/CHANGELOG.md",
        outcome.spec_file, outcome.old_version, outcome.new_version
    );
    Ok(())
}

pub struct Updated {
    pub report: Report,
    /// What the overlays do to the new document (Markdown; empty without overlays).
    pub overlays: String,
    pub spec_file: String,
    pub old_version: String,
    pub new_version: String,
}

/// Replaces the document of API `name`, regenerates and records the change. Everything is
/// prepared and checked first; nothing is written unless all of it succeeded.
pub fn update(root: &Path, name: &str, from: Option<&str>) -> Result<Updated, String> {
    let config_path = root.join("specs/codegen.toml");
    let config = Config::load(&config_path).map_err(|d| d.to_string())?;
    let api = config
        .apis
        .iter()
        .find(|api| api.module == name || Path::new(&api.spec).file_stem().is_some_and(|stem| stem == name))
        .ok_or_else(|| {
            let known: Vec<&str> = config.apis.iter().map(|a| a.module.as_str()).collect();
            format!("no API `{name}` in specs/codegen.toml (known: {})", known.join(", "))
        })?
        .clone();
    let source = match from {
        Some(source) => source.to_owned(),
        None => api.source_url.clone().ok_or_else(|| {
            format!("API `{}` has no `source_url` in specs/codegen.toml; pass --from <path-or-url>", api.module)
        })?,
    };
    let text = fetch(&source)?;

    // Stored byte for byte as the vendor publishes it (JSON or YAML, Swagger 2.0 or OpenAPI 3),
    // so the vendored file is the vendor's and corrections stay in their own layer.
    clientgen::load::parse_tree(&text).map_err(|e| format!("{source} is not valid YAML or JSON: {e}"))?;
    let readable = text;
    let staging = root.join("target/update-spec");
    fs::create_dir_all(&staging).map_err(|e| format!("cannot create {}: {e}", staging.display()))?;
    let candidate = staging.join(&api.spec);
    fs::write(&candidate, &readable).map_err(|e| format!("cannot write {}: {e}", candidate.display()))?;

    let vendored = root.join("specs").join(&api.spec);
    let old_label = format!("specs/{} (vendored)", api.spec);
    let new_label = source.clone();
    let (old, new) = (Source::file(&vendored).shown_as(old_label), Source::file(&candidate).shown_as(new_label));
    let report = clientgen::diff_documents(old, new, &api)
        .map_err(|e| format!("the new document is not usable; nothing was changed:\n{}", failed(&e)))?;

    let old_version = config.krate.version.clone();
    let new_version = bump(&old_version, report.bump)?;
    let config_text = fs::read_to_string(&config_path).map_err(|e| format!("cannot read specs/codegen.toml: {e}"))?;
    let new_config_text = set_crate_version(&config_text, &new_version)?;
    let mut new_config = config.clone();
    new_config.krate.version = new_version.clone();
    // The candidate, not yet in place, stands for the API's document.
    let absolute =
        std::path::absolute(&candidate).map_err(|e| format!("cannot resolve {}: {e}", candidate.display()))?;
    for settings in new_config.apis.iter_mut().filter(|settings| settings.module == api.module) {
        settings.spec = absolute.display().to_string();
    }
    let generated = clientgen::generate_project(root, &new_config)
        .map_err(|e| format!("the new document does not generate; nothing was changed:\n{}", failed(&e)))?;

    let overlays = overlay_report(&api, &readable)?;
    let changelog_path = clientgen::generated_dir(root).join("CHANGELOG.md");
    let changelog = fs::read_to_string(&changelog_path).unwrap_or_default();
    let entry = format!("## {new_version}: `{}` updated\n\n{}{overlays}", api.module, demote(&report.to_markdown()));
    let new_changelog = prepend_entry(&changelog, &entry);

    // Everything is ready: write it.
    write::write_tree(&clientgen::generated_dir(root), &generated.files)
        .map_err(|e| format!("cannot write generated/: {e}"))?;
    fs::write(&vendored, readable).map_err(|e| format!("cannot write {}: {e}", vendored.display()))?;
    fs::write(&config_path, new_config_text).map_err(|e| format!("cannot write specs/codegen.toml: {e}"))?;
    fs::write(&changelog_path, new_changelog).map_err(|e| format!("cannot write {}: {e}", changelog_path.display()))?;
    let _ = fs::remove_file(&candidate);
    Ok(Updated { report, spec_file: api.spec, old_version, new_version, overlays })
}

/// What the API's overlays do to the vendor's new document: the corrections that no longer
/// apply (their target is gone: the vendor changed that part) and the ones no longer needed
/// (they change nothing: the vendor fixed it). Markdown, empty when there are no overlays.
fn overlay_report(api: &ApiConfig, new_text: &str) -> Result<String, String> {
    let paths = api.overlay_paths();
    if paths.is_empty() {
        return Ok(String::new());
    }
    let document = clientgen::load::parse_tree(new_text)?;
    let mut broken = Vec::new();
    let mut fixed = Vec::new();
    let mut kept = 0;
    for path in paths {
        let shown = path.strip_prefix(&api.overlay_dir).unwrap_or(&path).display().to_string();
        let text = fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        for effect in clientgen::load::overlay::effects(&document, &text).map_err(|e| format!("{shown}: {e}"))? {
            let why = effect.description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default();
            let line = format!("- `{shown}#{}` `{}`{why}", effect.pointer, effect.target);
            match (effect.matched, effect.changed) {
                (0, _) => broken.push(line),
                (_, false) => fixed.push(line),
                _ => kept += 1,
            }
        }
    }
    let mut out = String::from("### Overlays\n\n");
    let _ = writeln!(out, "{kept} correction(s) still apply.\n");
    if !broken.is_empty() {
        let _ = writeln!(
            out,
            "No longer apply (the vendor changed what they correct; update or remove them, `codegen --check` fails until then):\n\n{}\n",
            broken.join("\n")
        );
    }
    if !fixed.is_empty() {
        let _ = writeln!(
            out,
            "No longer needed (the vendor's document already says this; remove them):\n\n{}\n",
            fixed.join("\n")
        );
    }
    Ok(out)
}

/// Reads a document from a file or an http(s) URL.
fn fetch(source: &str) -> Result<String, String> {
    if source.starts_with("http://") || source.starts_with("https://") {
        let response = ureq::get(source)
            .timeout(std::time::Duration::from_secs(60))
            .call()
            .map_err(|e| format!("cannot download {source}: {e}"))?;
        response.into_string().map_err(|e| format!("cannot read {source}: {e}"))
    } else {
        fs::read_to_string(source).map_err(|e| format!("cannot read {source}: {e}"))
    }
}

/// The next version for a change of class `bump`, following Cargo's semver rules: below
/// 1.0.0 the minor number is the breaking one, so breaking bumps 0.y and the rest bump 0.y.z.
pub fn bump(version: &str, bump: Bump) -> Result<String, String> {
    let parts: Vec<u64> = version
        .split('.')
        .map(|p| p.parse::<u64>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("crate version `{version}` is not MAJOR.MINOR.PATCH"))?;
    let [major, minor, patch] = parts.as_slice() else {
        return Err(format!("crate version `{version}` is not MAJOR.MINOR.PATCH"));
    };
    let (major, minor, patch) = (*major, *minor, *patch);
    Ok(match (bump, major) {
        (Bump::None, _) => version.to_owned(),
        (Bump::Major, 0) => format!("0.{}.0", minor + 1),
        (Bump::Major, _) => format!("{}.0.0", major + 1),
        (Bump::Minor, 0) | (Bump::Patch, _) => format!("{major}.{minor}.{}", patch + 1),
        (Bump::Minor, _) => format!("{major}.{}.0", minor + 1),
    })
}

/// Rewrites `version = "..."` in the `[crate]` table, leaving the rest of the file as written.
fn set_crate_version(text: &str, version: &str) -> Result<String, String> {
    let mut in_crate = false;
    let mut done = false;
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            in_crate = trimmed == "[crate]";
        }
        if in_crate && !done && trimmed.starts_with("version") && trimmed.contains('=') {
            out.push_str(&format!("version = \"{version}\"\n"));
            done = true;
        } else {
            out.push_str(line);
        }
    }
    if done { Ok(out) } else { Err("specs/codegen.toml has no `version` in its [crate] table".into()) }
}

/// Turns the report's `##`/`###` headings into `###`/`####` under a changelog entry.
fn demote(markdown: &str) -> String {
    markdown
        .lines()
        .filter(|line| !line.starts_with("## "))
        .map(|line| if line.starts_with("### ") { format!("#{line}") } else { line.to_owned() })
        .collect::<Vec<_>>()
        .join("\n")
        .trim_start()
        .to_owned()
}

/// Adds an entry under the changelog's title, newest first.
fn prepend_entry(changelog: &str, entry: &str) -> String {
    let title = "# Changelog\n\nAPI changes recorded by `cargo xtask update-spec`, newest first.\n\n";
    let rest = changelog.strip_prefix(title).unwrap_or(changelog);
    format!("{title}{}\n{rest}", entry.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    #[test]
    fn versions_follow_cargo_semver() {
        assert_eq!(bump("0.1.0", Bump::Major).unwrap(), "0.2.0");
        assert_eq!(bump("0.1.0", Bump::Minor).unwrap(), "0.1.1");
        assert_eq!(bump("0.1.3", Bump::Patch).unwrap(), "0.1.4");
        assert_eq!(bump("1.2.3", Bump::Major).unwrap(), "2.0.0");
        assert_eq!(bump("1.2.3", Bump::Minor).unwrap(), "1.3.0");
        assert_eq!(bump("1.2.3", Bump::Patch).unwrap(), "1.2.4");
        assert_eq!(bump("1.2.3", Bump::None).unwrap(), "1.2.3");
        assert!(bump("1.2", Bump::Patch).is_err());
    }

    #[test]
    fn only_the_crate_version_line_changes() {
        let text = "# c\n[crate]\nname = \"x\"\nversion = \"0.1.0\"\n\n[[api]]\nversion = \"keep\"\n";
        assert_eq!(
            set_crate_version(text, "0.2.0").unwrap(),
            "# c\n[crate]\nname = \"x\"\nversion = \"0.2.0\"\n\n[[api]]\nversion = \"keep\"\n"
        );
    }

    /// A copy of the project's specs in a scratch root.
    fn scratch_project(tag: &str) -> PathBuf {
        let root = std::env::temp_dir().join(format!("xtask-update-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(root.join("specs")).unwrap();
        let project = crate::project_root();
        for entry in fs::read_dir(project.join("specs")).unwrap().flatten() {
            fs::copy(entry.path(), root.join("specs").join(entry.file_name())).unwrap();
        }
        root
    }

    /// Serves `body` once over HTTP on loopback; returns the URL.
    fn serve_once(body: String) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let (mut socket, _) = listener.accept().unwrap();
            let mut request = [0u8; 2048];
            let _ = socket.read(&mut request).unwrap();
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/yaml\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            socket.write_all(head.as_bytes()).unwrap();
            socket.write_all(body.as_bytes()).unwrap();
        });
        format!("http://{address}/insightvm-api-v4.json")
    }

    /// The vendored InsightVM v4 document, parsed, and a change made to it.
    fn next_insightvm_release(root: &Path, change: impl FnOnce(&mut serde_json::Value)) -> serde_json::Value {
        let original = fs::read_to_string(root.join("specs/insightvm-cloud-v4.json")).unwrap();
        let mut tree = clientgen::load::parse_tree(&original).unwrap();
        change(&mut tree);
        tree
    }

    #[test]
    fn update_from_a_url_regenerates_bumps_and_records_the_change() {
        let root = scratch_project("url");
        // A realistic release: an asset type added, a response field removed, a parameter
        // made required.
        let tree = next_insightvm_release(&root, |tree| {
            let asset = tree.pointer_mut("/components/schemas/AssetSummary/properties").unwrap();
            asset["type"]["enum"].as_array_mut().unwrap().push("container".into());
            asset.as_object_mut().unwrap().shift_remove("os_name").expect("the edit removes an existing field");
            let params = tree.pointer_mut("/paths/~1v4~1integration~1assets/post/parameters").unwrap();
            let size =
                params.as_array_mut().unwrap().iter_mut().find(|p| p["name"] == "size").expect("assets take size");
            size["required"] = true.into();
        });
        let url = serve_once(serde_json::to_string_pretty(&tree).unwrap());

        let updated = update(&root, "insightvm", Some(&url)).unwrap();
        assert_eq!(updated.report.bump, Bump::Major);
        assert_eq!((updated.old_version.as_str(), updated.new_version.as_str()), ("0.1.0", "0.2.0"));
        let kinds: Vec<&str> = updated.report.changes.iter().map(|c| c.kind.as_str()).collect();
        for kind in ["enum-value-added", "field-removed", "parameter-required-changed"] {
            assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
        }
        let codegen = fs::read_to_string(root.join("specs/codegen.toml")).unwrap();
        assert!(codegen.contains("version = \"0.2.0\""));
        let changelog = fs::read_to_string(root.join("generated/CHANGELOG.md")).unwrap();
        assert!(changelog.contains("## 0.2.0: `insightvm` updated") && changelog.contains("os_name"), "{changelog}");
        let manifest = fs::read_to_string(root.join("generated/Cargo.toml")).unwrap();
        assert!(manifest.contains("version = \"0.2.0\""));
        let types = fs::read_to_string(root.join("generated/src/insightvm/types/asset_summary_type.rs")).unwrap();
        assert!(types.contains("\"container\""), "the new asset type is not in the generated client");
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn the_vendors_document_as_published_updates_to_itself_with_every_correction_needed() {
        let root = scratch_project("same");
        let source = crate::project_root().join("specs/insightvm-cloud-v4.json");
        let before = fs::read(root.join("specs/insightvm-cloud-v4.json")).unwrap();
        let updated = update(&root, "insightvm", Some(source.to_str().unwrap())).unwrap();
        assert!(updated.report.changes.is_empty(), "{}", updated.report.to_markdown());
        assert_eq!(fs::read(root.join("specs/insightvm-cloud-v4.json")).unwrap(), before, "stored byte for byte");
        // Every action of the overlay still finds its target and changes it.
        let overlay = fs::read_to_string(root.join("specs/insightvm-cloud-v4.overlay.yaml")).unwrap();
        let actions = clientgen::load::parse_tree(&overlay).unwrap()["actions"].as_array().unwrap().len();
        assert!(updated.overlays.contains(&format!("{actions} correction(s) still apply.")), "{}", updated.overlays);
        assert!(!updated.overlays.contains("No longer"), "{}", updated.overlays);
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn a_swagger_2_update_is_stored_byte_for_byte_and_reported_with_its_own_pointers() {
        let root = scratch_project("swagger2");
        let original = fs::read_to_string(root.join("specs/insightvm-console-v3.json")).unwrap();
        let mut tree: serde_json::Value = serde_json::from_str(&original).unwrap();
        let paths = tree.pointer_mut("/paths").unwrap().as_object_mut().unwrap();
        paths.shift_remove("/api/3/administration/info").expect("the console has getInfo");
        // Compact JSON, unlike the vendor's: the stored file must be these very bytes.
        let published = serde_json::to_string(&tree).unwrap();
        let url = serve_once(published.clone());

        let updated = update(&root, "insightvm_console", Some(&url)).unwrap();
        assert_eq!(updated.report.bump, Bump::Major);
        let removed =
            updated.report.changes.iter().find(|c| c.kind.as_str() == "operation-removed").expect("getInfo removed");
        assert!(format!("{removed:?}").contains("/paths/~1api~13~1administration~1info/get"), "{removed:?}");
        assert_eq!(fs::read_to_string(root.join("specs/insightvm-console-v3.json")).unwrap(), published);
        assert!(!root.join("generated/src/insightvm_console/operations/get_info.rs").exists());
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn an_update_reports_the_corrections_the_vendor_fixed_and_the_ones_it_broke() {
        let root = scratch_project("overlays");
        // The vendor's next release declares the cursor nullable itself (the project's
        // correction is no longer needed) and renames the engine's `lastRetrieved` to the
        // spelling of its examples (the correction typing it no longer applies).
        let tree = next_insightvm_release(&root, |tree| {
            let cursor = tree.pointer_mut("/components/schemas/CursorPageMetadata/properties/cursor").unwrap();
            cursor["type"] = serde_json::json!(["string", "null"]);
            let configuration = tree
                .pointer_mut("/components/schemas/ScanEngineConfiguration/properties")
                .unwrap()
                .as_object_mut()
                .unwrap();
            let retrieved = configuration.shift_remove("lastRetrieved").unwrap();
            configuration.insert("last_retrieved".into(), retrieved);
        });
        let next = root.join("next.json");
        fs::write(&next, serde_json::to_string_pretty(&tree).unwrap()).unwrap();

        let updated = update(&root, "insightvm", Some(next.to_str().unwrap())).unwrap();
        let report = format!("{}{}", updated.report.to_markdown(), updated.overlays)
            .replace(next.to_str().unwrap(), "next.json");
        let snapshot = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/snapshots/update_spec_overlays.md");
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            fs::write(&snapshot, &report).unwrap();
        }
        assert_eq!(
            report,
            fs::read_to_string(&snapshot).unwrap(),
            "the report changed; review it and run with UPDATE_SNAPSHOTS=1"
        );
        let changelog = fs::read_to_string(root.join("generated/CHANGELOG.md")).unwrap();
        assert!(changelog.contains("No longer needed") && changelog.contains("No longer apply"), "{changelog}");
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn an_invalid_document_changes_nothing() {
        let root = scratch_project("invalid");
        let before = fs::read_to_string(root.join("specs/invicti.yaml")).unwrap();
        let broken = root.join("broken.yaml");
        fs::write(
            &broken,
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n      responses: 7\n",
        )
        .unwrap();
        let error = update(&root, "invicti", Some(broken.to_str().unwrap())).err().unwrap();
        assert!(error.contains("nothing was changed") && error.contains("/paths/~1x/get"), "{error}");
        assert_eq!(fs::read_to_string(root.join("specs/invicti.yaml")).unwrap(), before);
        assert!(fs::read_to_string(root.join("specs/codegen.toml")).unwrap().contains("version = \"0.1.0\""));
        assert!(!root.join("generated").exists());
        let _ = fs::remove_dir_all(&root);
    }
}

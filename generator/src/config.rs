//! The codegen config (`specs/codegen.toml`): what a vendor document cannot say.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::diag::{Diagnostic, Diagnostics};

/// The whole config file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(rename = "crate")]
    pub krate: CrateConfig,
    #[serde(rename = "api", default)]
    pub apis: Vec<ApiConfig>,
}

/// The generated crate.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrateConfig {
    pub name: String,
    pub version: String,
    #[serde(default)]
    pub description: Option<String>,
    /// The command line's binary (feature `cli`); the crate's name when not set.
    #[serde(default)]
    pub program: Option<String>,
}

/// One API: a document, its module, and the facts the document lacks.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiConfig {
    /// Module and cargo feature name.
    #[serde(default)]
    pub module: String,
    /// Document path, relative to the config file.
    #[serde(default)]
    pub spec: String,
    /// Where the vendor publishes the document.
    #[serde(default)]
    pub source_url: Option<String>,
    /// operationIds of POST (or PATCH) operations that only read and may be retried.
    #[serde(default)]
    pub retry_safe: Vec<String>,
    #[serde(default)]
    pub rename: Renames,
    /// Pagination by operationId.
    #[serde(default)]
    pub pagination: BTreeMap<String, PaginationConfig>,
    /// Pagination for every operation it fits (the parameters exist, the paths lead to an
    /// array and a page count), unless `pagination` names the operation.
    #[serde(default)]
    pub paginate_matching: Option<PaginationConfig>,
    /// The module's cargo feature is off by default (people who do not use the API do not
    /// pay its compile time).
    #[serde(default)]
    pub optional_feature: bool,
    /// The document's server is a placeholder (`localhost`): every client names its own
    /// base URL.
    #[serde(default)]
    pub user_base_url: bool,
    /// The variable `Client::from_env` reads the base URL from (default `<MODULE>_BASE_URL`).
    #[serde(default)]
    pub base_url_env: Option<String>,
    /// Tokens from a login operation of the API.
    #[serde(default)]
    pub login: Option<LoginConfig>,
    /// Corrections to the security the document declares.
    #[serde(default)]
    pub security: SecurityConfig,
    /// OpenAPI Overlay files applied in order to the document as read (paths relative to the
    /// config file): corrections that survive a vendor update of the document.
    #[serde(default)]
    pub overlays: Vec<String>,
    /// URL prefixes under which `$ref`s may fetch documents from the network (default none:
    /// generation needs no network; a reference elsewhere is an error).
    #[serde(default)]
    pub remote_refs: Vec<String>,
    /// A cargo feature per tag inside the module (`<module>-<tag>`), so users compile only
    /// the operations they use; the module's own feature still enables them all.
    #[serde(default)]
    pub tag_features: bool,
    /// Which operations to generate (default: every one); types no generated operation
    /// reaches are then left out.
    #[serde(default)]
    pub select: Selection,
    /// The folder `overlays` are relative to (set when the config is read).
    #[serde(skip)]
    pub overlay_dir: std::path::PathBuf,
}

/// Which operations of a document to generate. An operation is kept when every include list
/// is empty or one of them names it (its operationId, one of its tags, or a path pattern its
/// path matches), and no exclude list names it. Path patterns match segment by segment: `*`
/// stands for one segment (or, inside a segment, any text), `**` for any number of them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Selection {
    #[serde(default)]
    pub operations: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub paths: Vec<String>,
    #[serde(default)]
    pub exclude_operations: Vec<String>,
    #[serde(default)]
    pub exclude_tags: Vec<String>,
    #[serde(default)]
    pub exclude_paths: Vec<String>,
}

impl Selection {
    /// Whether it selects anything less than the whole document.
    pub fn is_active(&self) -> bool {
        [&self.operations, &self.tags, &self.paths, &self.exclude_operations, &self.exclude_tags, &self.exclude_paths]
            .iter()
            .any(|list| !list.is_empty())
    }
}

/// Security the document gets wrong: schemes it declares but does not require, and
/// credentials it does not declare at all.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityConfig {
    /// Schemes (names from the document) every operation requires, whatever it declares.
    #[serde(default)]
    pub require: Vec<String>,
    /// Headers the document does not declare that carry an optional credential, sent on
    /// every operation once the user sets them (a two-factor token).
    #[serde(default)]
    pub extra_headers: Vec<ExtraHeader>,
    /// What the document cannot say about a scheme, by its name in the document.
    #[serde(default)]
    pub schemes: BTreeMap<String, SchemeSettings>,
}

/// A login operation that answers a token for a security scheme (`POST /login` answering
/// `{"token": ..., "expire": ...}`): the client logs in when a call first needs the token.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginConfig {
    /// The login's operationId; its only input is its JSON body.
    pub operation: String,
    /// The scheme (its name in the document) the token is sent as.
    pub scheme: String,
    /// The dotted path of the token in the login's answer.
    pub token: String,
    /// The dotted path of the token's lifetime in seconds, when the answer gives it.
    #[serde(default)]
    pub expires_in: Option<String>,
    /// The token's lifetime in seconds, when the answer does not give it.
    #[serde(default)]
    pub lifetime_seconds: Option<u64>,
}

/// Settings of one security scheme.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemeSettings {
    /// What goes before the credential in its header (`"Bearer "` for a Swagger 2.0 `apiKey`
    /// in `Authorization`), so users pass the bare token.
    #[serde(default)]
    pub prefix: Option<String>,
    /// OAuth2 client credentials: the scopes asked for.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// OAuth2 client credentials: how the client authenticates, `basic` (default) or `body`.
    #[serde(default)]
    pub client_auth: Option<ClientAuthSetting>,
    /// OAuth2 client credentials: extra form fields of the token request (`audience`).
    #[serde(default)]
    pub form: BTreeMap<String, String>,
}

/// How an OAuth2 client authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientAuthSetting {
    Basic,
    Body,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraHeader {
    /// The scheme's name (also the setter's and the environment variable's).
    pub name: String,
    /// The header that carries the credential.
    pub header: String,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Renames {
    /// operationId → Rust method name.
    #[serde(default)]
    pub operations: BTreeMap<String, String>,
}

/// How to move from page to page. Paths are dotted wire names into the response body
/// (`items` empty or left out: the body is the list itself); headers are named as sent.
/// Where a value may come from the body or a header, exactly one of the two is given.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum PaginationConfig {
    /// Send back a token from the last page: from the body (`cursor_path`) or a header
    /// (`cursor_header`).
    Cursor {
        #[serde(default)]
        items: String,
        cursor_param: String,
        #[serde(default)]
        cursor_path: Option<String>,
        #[serde(default)]
        cursor_header: Option<String>,
        #[serde(default)]
        page_param: Option<String>,
    },
    /// Count pages up from `start`, up to the page count the body (`total_pages_path`) or a
    /// header (`total_pages_header`) gives, when one does.
    PageNumber {
        #[serde(default)]
        items: String,
        page_param: String,
        #[serde(default)]
        start: i64,
        #[serde(default)]
        total_pages_path: Option<String>,
        #[serde(default)]
        total_pages_header: Option<String>,
    },
    /// Skip the items already seen: the offset grows by the size of each page; a page
    /// shorter than `limit_param` (when set), an empty one, or reaching the item count the
    /// body (`total_path`) or a header (`total_header`, `X-Total-Count`) gives ends.
    Offset {
        #[serde(default)]
        items: String,
        offset_param: String,
        #[serde(default)]
        limit_param: Option<String>,
        #[serde(default)]
        total_path: Option<String>,
        #[serde(default)]
        total_header: Option<String>,
    },
    /// Follow a URL for the next page (absolute or relative; none ends): from the body
    /// (`next_path`) or a header (`next_header`): `Link` is read as RFC 8288 (`rel="next"`),
    /// any other header as holding the URL itself.
    NextLink {
        #[serde(default)]
        items: String,
        #[serde(default)]
        next_path: Option<String>,
        #[serde(default)]
        next_header: Option<String>,
    },
}

impl PaginationConfig {
    /// The dotted path to the page's items (empty: the body is the list).
    pub fn items(&self) -> &str {
        match self {
            Self::Cursor { items, .. }
            | Self::PageNumber { items, .. }
            | Self::Offset { items, .. }
            | Self::NextLink { items, .. } => items,
        }
    }
}

impl ApiConfig {
    /// The overlay files, in the order they apply, as diagnostics name them.
    pub fn overlay_paths(&self) -> Vec<std::path::PathBuf> {
        self.overlays.iter().map(|name| self.overlay_dir.join(name)).collect()
    }
}

impl Config {
    /// Reads a settings file: the project's (`[crate]` and `[[api]]` entries, as
    /// `specs/codegen.toml`), or one document's (the fields of one `[[api]]` entry at the top
    /// level, beside a document generated on its own), which gives one API with no module
    /// and no document named. The one place settings are read.
    pub fn load(path: &Path) -> Result<Self, Diagnostic> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|error| {
            let mut diags = Diagnostics::new(&file);
            diags.error("", format!("cannot read the settings: {error}"), None);
            diags.items.remove(0)
        })?;
        let project = toml::from_str::<toml::Table>(&text)
            .map(|table| table.contains_key("crate") || table.contains_key("api"))
            .unwrap_or(true);
        let mut config = if project { Self::parse(&text, &file)? } else { Self::parse_one(&text, &file)? };
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        for api in &mut config.apis {
            api.overlay_dir = dir.clone();
        }
        Ok(config)
    }

    /// The settings of the one API a one-document settings file gives (default settings for
    /// a project file with no API).
    pub fn into_api(mut self) -> ApiConfig {
        if self.apis.is_empty() { ApiConfig::default() } else { self.apis.swap_remove(0) }
    }

    /// One document's settings, as a project of one API.
    fn parse_one(text: &str, file: &str) -> Result<Self, Diagnostic> {
        let api = toml::from_str::<ApiConfig>(text).map_err(|error| {
            let location = error.span().map(|span| line_of(text, span.start)).unwrap_or_default();
            let mut diags = Diagnostics::new(file);
            diags.error(&location, format!("invalid settings: {}", error.message()), None);
            diags.items.remove(0)
        })?;
        let krate = CrateConfig { name: String::new(), version: "0.1.0".into(), description: None, program: None };
        Ok(Self { krate, apis: vec![api] })
    }

    pub fn parse(text: &str, file: &str) -> Result<Self, Diagnostic> {
        let mut diags = Diagnostics::new(file);
        match toml::from_str::<Config>(text) {
            Ok(config) => {
                let mut modules = std::collections::BTreeSet::new();
                for (index, api) in config.apis.iter().enumerate() {
                    if !crate::naming::is_module_name(&api.module) || api.module == "runtime" {
                        diags.error(
                            &format!("/api/{index}/module"),
                            format!("module name `{}` is not a usable Rust module name", api.module),
                            Some(&format!(
                                "use lower-case letters, digits and `_` (at most {} of them), not a keyword or `runtime`",
                                crate::naming::FILE_MODULE_MAX
                            )),
                        );
                    } else if !modules.insert(api.module.clone()) {
                        diags.error(
                            &format!("/api/{index}/module"),
                            format!("module `{}` appears twice", api.module),
                            None,
                        );
                    }
                }
                match diags.items.into_iter().next() {
                    Some(problem) => Err(problem),
                    None => Ok(config),
                }
            }
            Err(error) => {
                let location = error.span().map(|span| line_of(text, span.start)).unwrap_or_default();
                diags.error(&location, format!("invalid codegen config: {}", error.message()), None);
                Err(diags.items.remove(0))
            }
        }
    }
}

fn line_of(text: &str, offset: usize) -> String {
    let line = text[..offset.min(text.len())].matches('\n').count() + 1;
    format!("line {line}")
}

//! Rust names from wire names: case conversion, keyword escapes, collision-free registries.

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

use crate::ir::StatusMatch;

mod transliteration;

/// Words Rust reserves (strict and reserved keywords of edition 2024).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod",
    "move", "mut", "override", "priv", "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait",
    "true", "try", "type", "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Type names the generated `types` modules use unqualified, so a schema may not take them.
const RESERVED_TYPES: &[&str] = &[
    "Self",
    "String",
    "Option",
    "Some",
    "None",
    "Vec",
    "Box",
    "Result",
    "Ok",
    "Err",
    "Default",
    "BTreeMap",
    "Serialize",
    "Deserialize",
    "Deserializer",
    "Serializer",
    "Value",
    "DateTime",
    "Utc",
    "NaiveDate",
];

/// Whether the generated `types` modules use `name` unqualified, so no schema may take it.
pub fn is_reserved_type(name: &str) -> bool {
    RESERVED_TYPES.contains(&name)
}

/// The names the renderer itself gives, per scope of the generated code. A spec-derived name
/// in one of these scopes is claimed from a [`Registry`] seeded with its list, so it can never
/// collide with one of these; the renderer's tests check that every fixed name it emits in a
/// scope is listed here.
pub mod scope {
    /// Methods of an API's `Client` (operations become methods beside these).
    /// The methods of an API's `mock::MockServer` are here too (`start`, `uri`, `calls`): it
    /// has a method per operation, named as the client's.
    pub const CLIENT: &[&str] = &[
        "new",
        "builder",
        "from_env",
        "builder_from_env",
        "base_url",
        "core",
        "clone",
        "fmt",
        "eq",
        "hash",
        "start",
        "uri",
        "calls",
    ];

    /// Items of an API's module root: its own types, the runtime's re-exports and its
    /// submodules (server-variable enums become types beside these).
    pub const API_MODULE: &[&str] = &[
        "Client",
        "ClientBuilder",
        "ApiError",
        "ApiKey",
        "BuildError",
        "ByteStream",
        "EnvError",
        "Error",
        "File",
        "RateLimit",
        "Response",
        "RetryPolicy",
        "Duration",
        "runtime",
        "operations",
        "types",
        "mock",
        "cli",
        "SECRETS",
    ];

    /// Fields and methods of an API's `ClientBuilder` (server variables and security schemes
    /// become fields and setters beside these).
    pub const CLIENT_BUILDER: &[&str] = &[
        "config",
        "base_url",
        "timeout",
        "connect_timeout",
        "retry",
        "rate_limit",
        "user_agent",
        "default_header",
        "request_hook",
        "http_client",
        "add_root_certificates_pem",
        "danger_accept_invalid_certificates",
        "danger_allow_credentials_over_plain_http",
        "max_body_size",
        "build",
        "clone",
        "fmt",
    ];

    /// Fields of an operation's input struct and arguments of its builder's constructor
    /// (parameters become both beside these); the runtime's request builder holds `core`,
    /// `input` and `options`.
    pub const REQUEST_BUILDER_FIELDS: &[&str] = &["core", "input", "options", "body"];

    /// Methods of an operation's request builder: its own (parameters and multipart parts
    /// become setters beside these; `body` sets a JSON, form, text or byte body) and those
    /// of the runtime's `RequestBuilder` (checked against `templates/crate-runtime/builder.rs`).
    pub const REQUEST_BUILDER_METHODS: &[&str] = &[
        "new",
        "body",
        "send",
        "send_with",
        "send_streaming_with",
        "send_reading",
        "timeout",
        "retry",
        "header",
        "deadline",
        "max_body_size",
        "raw_body",
        "resume_at",
        "without_tokens",
        "into_stream",
        "into_pages",
        "clone",
        "fmt",
    ];

    /// Locals of an operation's `encode` (path parameters become locals beside these), and
    /// the file's `operation()` it calls.
    pub const ENCODE: &[&str] = &["request", "value", "values", "body", "form", "file", "text", "operation"];

    /// Locals of a struct's decoder (`Fields::read_fields`): fields become locals beside
    /// these.
    pub const STRUCT_DECODER: &[&str] = &["map", "field", "key", "additional_properties", "deserializer"];

    /// Module names inside an API's `operations` and `types` modules (a file per operation
    /// or type, named after it): what those modules and their files name unqualified (their
    /// siblings, the runtime) and every crate the generated code names by path, which a
    /// module of the same name would shadow or make ambiguous.
    pub const SUBMODULES: &[&str] = &[
        "mod",
        "types",
        "runtime",
        "operations",
        "std",
        "core",
        "alloc",
        "reqwest",
        "serde",
        "serde_json",
        "chrono",
        "uuid",
        "bytes",
        "futures",
        "http",
        "tokio",
        "tracing",
        "base64",
        "percent_encoding",
    ];

    /// The command line's own commands, beside which each API is a subcommand.
    pub const CLI_PROGRAM: &[&str] = &["schema", "completions", "help"];

    /// Inside an API's subcommand: its tag groups (and operations without a tag) beside
    /// `help`.
    pub const CLI_API: &[&str] = &["help"];

    /// The flags of an operation's command: the program's global ones (inputs become flags
    /// beside these, and beside those the command line adds to some commands: `body`, `all`,
    /// `output` and `force`).
    pub const CLI_FLAGS: &[&str] =
        &["help", "version", "config", "timeout", "retries", "verbose", "dry-run", "json-errors"];

    /// What an API's `cli` module names unqualified (a function per operation beside these).
    pub const CLI_FILE: &[&str] =
        &["connect", "runtime", "types", "operations", "Client", "Args", "Failure", "Run", "COMMANDS"];

    /// What an operation's file names unqualified: its imports and its `operation()`.
    pub const OPERATION_FILE: &[&str] =
        &["Error", "Request", "Response", "OperationInfo", "operation", "runtime", "types", "read"];
}

/// The variant of a success answer with `status` (`Ok`, `Created`, `Status207`).
pub fn success_variant(status: StatusMatch) -> String {
    match status {
        StatusMatch::Code(200) => "Ok".into(),
        StatusMatch::Code(201) => "Created".into(),
        StatusMatch::Code(202) => "Accepted".into(),
        StatusMatch::Code(203) => "NonAuthoritative".into(),
        StatusMatch::Code(204) => "NoContent".into(),
        StatusMatch::Code(206) => "PartialContent".into(),
        StatusMatch::Code(code) => format!("Status{code}"),
        StatusMatch::Range(range) => format!("Status{range}xx"),
        StatusMatch::Default => "Other".into(),
    }
}

/// The variant of an error answer with `status` (`NotFound`, `Status418`, `Other`).
pub fn error_variant(status: StatusMatch) -> String {
    match status {
        StatusMatch::Code(400) => "BadRequest".into(),
        StatusMatch::Code(401) => "Unauthorized".into(),
        StatusMatch::Code(403) => "Forbidden".into(),
        StatusMatch::Code(404) => "NotFound".into(),
        StatusMatch::Code(405) => "MethodNotAllowed".into(),
        StatusMatch::Code(409) => "Conflict".into(),
        StatusMatch::Code(410) => "Gone".into(),
        StatusMatch::Code(412) => "PreconditionFailed".into(),
        StatusMatch::Code(413) => "PayloadTooLarge".into(),
        StatusMatch::Code(415) => "UnsupportedMediaType".into(),
        StatusMatch::Code(422) => "UnprocessableEntity".into(),
        StatusMatch::Code(429) => "TooManyRequests".into(),
        StatusMatch::Code(500) => "InternalServerError".into(),
        StatusMatch::Code(502) => "BadGateway".into(),
        StatusMatch::Code(503) => "ServiceUnavailable".into(),
        StatusMatch::Code(504) => "GatewayTimeout".into(),
        other => success_variant(other),
    }
}

/// A command-line name: words in lower case joined by `-` (`search-assets`).
pub fn kebab(raw: &str) -> String {
    use heck::ToKebabCase;
    raw.trim_matches('_').to_kebab_case()
}

/// The cargo feature of the operations tagged `tag` in API `module`, when the API has one
/// feature per tag (`insightvm_console-asset-group`).
pub fn tag_feature(module: &str, tag: &str) -> String {
    use heck::ToKebabCase;
    format!("{module}-{}", tag.to_kebab_case())
}

/// The cargo feature of an API's module without any operation (what every tag feature of
/// the API enables).
pub fn client_feature(module: &str) -> String {
    format!("{module}-client")
}

/// Spells symbols that would otherwise vanish from an identifier.
fn spell_symbols(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        let word = match c {
            '>' => " gt ",
            '<' => " lt ",
            '=' => " eq ",
            '!' => " not ",
            '+' => " plus ",
            '*' => " star ",
            '&' => " and ",
            '|' => " or ",
            '%' => " percent ",
            '@' => " at ",
            '#' => " hash ",
            '$' => " dollar ",
            '~' => " tilde ",
            '^' => " caret ",
            '?' => " question ",
            _ => {
                out.push(if c.is_alphanumeric() { c } else { ' ' });
                continue;
            }
        };
        out.push_str(word);
    }
    out
}

fn only_symbols(raw: &str) -> bool {
    !raw.chars().any(char::is_alphanumeric)
}

/// Identifier characters only; keeps letters and digits, turns the rest into word breaks.
fn words(raw: &str) -> String {
    // Symbols are spelled only when they carry the meaning (`>=`, `-`), not inside names.
    if only_symbols(raw) {
        spell_symbols(raw)
    } else {
        transliteration::to_ascii(raw).chars().map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect()
    }
}

fn ascii_ident(name: String) -> String {
    // Identifiers are ASCII for readers and tools (and a module name must be): what
    // transliteration could not spell is dropped.
    name.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').collect()
}

/// `snake_case` for fields, parameters and methods; never empty, never a keyword.
pub fn snake(raw: &str) -> String {
    let mut name = ascii_ident(words(raw).to_snake_case());
    if name.is_empty() {
        name = if raw == "-" { "minus".into() } else { "value".into() };
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    if KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// The longest module name the generator gives a file of its own (a type's, an
/// operation's). File systems refuse a name over 255 bytes and some tools a long path, while
/// a document's names have no limit; the Rust names inside the file keep every word.
pub const FILE_MODULE_MAX: usize = 80;

/// The module (and file) name for `raw`: [`snake`], [`shortened`] to [`FILE_MODULE_MAX`].
/// Two names cut alike are told apart by the registry that claims them.
pub fn file_module(raw: &str) -> String {
    shortened(&snake(raw), FILE_MODULE_MAX)
}

/// `name` within `longest` bytes: cut before a word (an upper-case letter or a `_`), keeping
/// the last word (`…Response`, `…_item`), which tells what the name is; inside a word only
/// when no word starts in the second half.
pub fn shortened(name: &str, longest: usize) -> String {
    if name.len() <= longest {
        return name.to_owned();
    }
    let words: Vec<usize> = name
        .char_indices()
        .filter(|&(at, c)| at > 0 && (c.is_ascii_uppercase() || c == '_'))
        .map(|(at, _)| at)
        .collect();
    let last = words.last().copied().filter(|&at| name.len() - at <= longest / 4).unwrap_or(name.len());
    let room = longest - (name.len() - last);
    let head = match words.iter().copied().rfind(|&at| at <= room) {
        Some(at) if at >= room / 2 => at,
        _ => (0..=room).rev().find(|&at| name.is_char_boundary(at)).unwrap_or(0),
    };
    format!("{}{}", name[..head].trim_end_matches('_'), &name[last..])
}

/// Whether `name` can be an API's module as it is: lower-case letters, digits and `_`, not
/// starting with a digit, not a keyword, and short enough for a folder name.
pub fn is_module_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= FILE_MODULE_MAX
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && !KEYWORDS.contains(&name)
}

/// `UpperCamelCase` for types and variants; never empty, never a keyword.
pub fn camel(raw: &str) -> String {
    let mut name = ascii_ident(words(raw).to_upper_camel_case());
    if name.is_empty() {
        name = if raw.is_empty() { "Empty".into() } else { "Value".into() };
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    if KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// A type name made of a type name and a suffix (`GetThing` + `Response`): the stem's keyword
/// escape goes (`Self_` + `Item` is `SelfItem`, which is camel case; `Self_Item` is not).
pub fn compose(stem: &str, suffix: &str) -> String {
    if suffix.is_empty() {
        return stem.to_owned();
    }
    match stem.trim_end_matches('_') {
        "" => format!("{stem}{suffix}"),
        trimmed => format!("{trimmed}{suffix}"),
    }
}

/// `wanted`, then numbered alternatives: `name2`, `name3`; `v1_2` after a digit; `Self2`
/// (not `Self_2`, which is not camel case) after a keyword escape.
fn candidates(wanted: &str) -> impl Iterator<Item = String> + '_ {
    let stem = match wanted.trim_end_matches('_') {
        "" => wanted,
        trimmed => trimmed,
    };
    let separator = if stem.ends_with(|c: char| c.is_ascii_digit()) { "_" } else { "" };
    std::iter::once(wanted.to_owned()).chain((2..).map(move |n| format!("{stem}{separator}{n}")))
}

/// A set of names in one scope; `claim` hands out the wanted name or the next free `name2`, `name3`...
#[derive(Debug, Default, Clone)]
pub struct Registry {
    taken: BTreeSet<String>,
    /// The longest name handed out (before a `2`, `3`... suffix), where names become files.
    longest: Option<usize>,
}

/// The longest type name the generator gives: rustdoc writes a page per type named after it
/// (`struct.<Name>.html`), and file systems refuse names over 255 bytes. Stripe's longest
/// composed name is 150 characters.
pub const TYPE_NAME_MAX: usize = 200;

impl Registry {
    pub fn with_reserved(names: &[&str]) -> Self {
        Self { taken: names.iter().map(|n| (*n).to_owned()).collect(), longest: None }
    }

    /// A registry for type names, each at most [`TYPE_NAME_MAX`] long.
    pub fn for_types() -> Self {
        Self { longest: Some(TYPE_NAME_MAX), ..Self::with_reserved(RESERVED_TYPES) }
    }

    /// `wanted`, [`shortened`] to the registry's longest.
    fn bounded(&self, wanted: &str) -> String {
        match self.longest {
            Some(longest) => shortened(wanted, longest),
            None => wanted.to_owned(),
        }
    }

    pub fn claim(&mut self, wanted: &str) -> String {
        let wanted = self.bounded(wanted);
        let name = candidates(&wanted)
            .find(|candidate| !self.taken.contains(candidate))
            .expect("an unbounded range always yields a free name");
        self.taken.insert(name.clone());
        name
    }

    /// Claims a name free in both `self` and `other` (two scopes a name must be unique in).
    pub fn claim_in_both(&mut self, other: &mut Registry, wanted: &str) -> String {
        let wanted = self.bounded(wanted);
        let name = candidates(&wanted)
            .find(|candidate| !self.taken.contains(candidate) && !other.taken.contains(candidate))
            .expect("an unbounded range always yields a free name");
        self.taken.insert(name.clone());
        other.taken.insert(name.clone());
        name
    }

    /// Takes `name` out of use without handing it out.
    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(name.to_owned());
    }

    pub fn contains(&self, name: &str) -> bool {
        self.taken.contains(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_of_other_alphabets_are_spelled_not_dropped() {
        assert_eq!(snake("größe"), "grosse");
        assert_eq!(snake("café_au_lait"), "cafe_au_lait");
        assert_eq!(camel("Ärger"), "Arger");
        assert_eq!(snake("имя"), "imia");
        assert_eq!(camel("名前"), "Value");
    }

    #[test]
    fn type_names_are_bounded_and_cut_before_a_word() {
        let mut types = Registry::for_types();
        let long = "ThatGoesOn".repeat(40);
        let first = types.claim(&format!("{long}Response"));
        assert!(first.len() <= TYPE_NAME_MAX && first.ends_with("GoesOnResponse"), "{first}");
        // Names cut to the same words are told apart.
        let second = types.claim(&format!("{long}ThatResponse"));
        assert_eq!(second, format!("{first}2"));
        let one_word = types.claim(&"X".repeat(300));
        assert_eq!(one_word.len(), TYPE_NAME_MAX);
        // Other registries (fields, methods) are not bounded: their names make no files.
        assert_eq!(Registry::default().claim(&long), long);
    }

    #[test]
    fn file_modules_are_bounded_and_cut_before_a_word() {
        assert_eq!(file_module("getThing"), "get_thing");
        let long = format!("{}Item", "VeryLongName".repeat(40));
        let module = file_module(&long);
        assert!(module.len() <= FILE_MODULE_MAX, "{module}");
        // Whole words kept, the last one too.
        assert!(module.starts_with("very_long_name_very_long_name") && module.ends_with("_name_item"), "{module}");
        assert!(snake(&long).starts_with(module.trim_end_matches("_item")), "{module}");
        // One word longer than the limit is cut inside it.
        let word = "x".repeat(300);
        assert_eq!(file_module(&word), "x".repeat(FILE_MODULE_MAX));
    }

    #[test]
    fn names_are_rust_identifiers() {
        assert_eq!(snake("includeSame"), "include_same");
        assert_eq!(snake("type"), "type_");
        assert_eq!(snake("2fa"), "_2fa");
        assert_eq!(snake("X-Api-Key"), "x_api_key");
        assert_eq!(camel("OUT-OF-SERVICE"), "OutOfService");
        assert_eq!(camel(">="), "GtEq");
        assert_eq!(camel(""), "Empty");
        assert_eq!(camel("self"), "Self_");
        assert_eq!(camel("platform-eu.invicti.com"), "PlatformEuInvictiCom");
    }

    #[test]
    fn registry_hands_out_distinct_names() {
        let mut registry = Registry::for_types();
        assert_eq!(registry.claim("Asset"), "Asset");
        assert_eq!(registry.claim("Asset"), "Asset2");
        assert_eq!(registry.claim("String"), "String2");
        assert_eq!(registry.claim("V1"), "V1");
        assert_eq!(registry.claim("V1"), "V1_2");
        assert_eq!(registry.claim("Self_"), "Self_");
        assert_eq!(registry.claim("Self_"), "Self2");
        assert_eq!(registry.claim("_"), "_");
        assert_eq!(registry.claim("_"), "_2");
    }
}

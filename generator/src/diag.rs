//! Diagnostics: problems found in an input, as values that name where they are.

use std::collections::BTreeMap;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Something was simplified (a fallback type); the output still works.
    Warning,
    /// The input cannot be turned into a client.
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The input file.
    pub file: String,
    /// JSON pointer into that file (`/paths/~1assets/post`), or empty for the whole file.
    pub pointer: String,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{level}: {}\n  --> {}#{}", self.message, self.file, self.pointer)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  = hint: {hint}")?;
        }
        Ok(())
    }
}

/// Diagnostics that say the same thing (severity, file, message and hint) at several places,
/// shown once: with how often, and the first few places.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grouped<'d> {
    /// The first of them.
    pub first: &'d Diagnostic,
    /// Where each of them is, in the order they were found.
    pub pointers: Vec<&'d str>,
}

/// How many places a group names before it only counts the rest.
const PLACES_SHOWN: usize = 3;

/// Groups `items` that say the same thing, in the order their first was found.
pub fn grouped(items: &[Diagnostic]) -> Vec<Grouped<'_>> {
    let mut groups: Vec<Grouped<'_>> = Vec::new();
    let mut index: std::collections::HashMap<(Severity, &str, &str, Option<&str>), usize> = Default::default();
    for item in items {
        let key = (item.severity, item.file.as_str(), item.message.as_str(), item.hint.as_deref());
        match index.get(&key) {
            Some(&at) => groups[at].pointers.push(&item.pointer),
            None => {
                index.insert(key, groups.len());
                groups.push(Grouped { first: item, pointers: vec![&item.pointer] });
            }
        }
    }
    groups
}

impl fmt::Display for Grouped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let first = self.first;
        if self.pointers.len() == 1 {
            return first.fmt(f);
        }
        let level = match first.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{level}: {} ({} places)", first.message, self.pointers.len())?;
        for pointer in self.pointers.iter().take(PLACES_SHOWN) {
            write!(f, "\n  --> {}#{pointer}", first.file)?;
        }
        if self.pointers.len() > PLACES_SHOWN {
            write!(f, "\n  = and {} more", self.pointers.len() - PLACES_SHOWN)?;
        }
        if let Some(hint) = &first.hint {
            write!(f, "\n  = hint: {hint}")?;
        }
        Ok(())
    }
}

/// Diagnostics collected while working on one file.
/// The diagnostics met while reading and lowering one document (named `file`). Where a
/// position came from (a converted document, an overlay, a bundled file) travels with the
/// document (`load::Origins`), which places these once they are collected.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    pub file: String,
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new(file: impl Into<String>) -> Self {
        Self { file: file.into(), items: Vec::new() }
    }

    pub fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        self.push(Severity::Warning, pointer, message.into(), None);
    }

    pub fn error(&mut self, pointer: &str, message: impl Into<String>, hint: Option<&str>) {
        self.push(Severity::Error, pointer, message.into(), hint.map(str::to_owned));
    }

    fn push(&mut self, severity: Severity, pointer: &str, message: String, hint: Option<String>) {
        let (file, pointer) = (self.file.clone(), pointer.to_owned());
        self.items.push(Diagnostic { severity, file, pointer, message, hint });
    }

    /// How diagnostics name a file given relative to this one's folder.
    pub fn beside(&self, relative: &str) -> String {
        beside(&self.file, relative)
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.items.iter().filter(|d| d.severity == severity).count()
    }
}

/// How diagnostics name a file given relative to the folder of `file` (a URL as it is).
pub fn beside(file: &str, relative: &str) -> String {
    if relative.contains("://") {
        return relative.to_owned();
    }
    let dir = std::path::Path::new(file).parent().unwrap_or(std::path::Path::new(""));
    dir.join(relative).display().to_string()
}

/// The section of a document that holds the files it refers to, bundled at load time.
pub const BUNDLED: &str = "x-bundled";

/// The file and pointer a pointer into a bundled document stands for, when it points into a
/// bundled file (`/x-bundled/schemas~1pet.yaml/Pet` → `schemas/pet.yaml`, `/Pet`).
pub fn bundled_origin(pointer: &str) -> Option<(String, String)> {
    let rest = pointer.strip_prefix(&format!("/{BUNDLED}/"))?;
    let (token, inner) = rest.split_once('/').map_or((rest, String::new()), |(t, i)| (t, format!("/{i}")));
    Some((token.replace("~1", "/").replace("~0", "~"), inner))
}

/// Escapes one JSON pointer token (RFC 6901).
pub fn pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Extends a pointer by one token.
pub fn join(pointer: &str, token: &str) -> String {
    let mut joined = String::with_capacity(pointer.len() + 1 + token.len());
    joined.push_str(pointer);
    joined.push('/');
    if token.contains(['~', '/']) {
        joined.push_str(&pointer_token(token));
    } else {
        joined.push_str(token);
    }
    joined
}

/// Where the parts of a converted document came from: converted pointer prefixes mapped to
/// pointers in the original document. A pointer is mapped by its longest mapped prefix (whole
/// tokens only), the rest of it kept; unmapped pointers are the same in both documents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PointerMap {
    entries: BTreeMap<String, String>,
}

impl PointerMap {
    /// Records that what stands at `converted` came from `original`.
    pub fn insert(&mut self, converted: String, original: String) {
        if converted != original {
            self.entries.insert(converted, original);
        }
    }

    /// The original pointer of `converted`. Text that is not a pointer (a config location)
    /// is returned as it is.
    pub fn original(&self, converted: &str) -> String {
        let mut prefix = converted;
        loop {
            if let Some(original) = self.entries.get(prefix) {
                return format!("{original}{}", &converted[prefix.len()..]);
            }
            match prefix.rfind('/') {
                Some(cut) if cut > 0 || prefix.len() > 1 => prefix = &prefix[..cut],
                _ => return converted.to_owned(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_map_by_their_longest_prefix_of_whole_tokens() {
        let mut map = PointerMap::default();
        map.insert("/components/schemas".into(), "/definitions".into());
        map.insert("/paths/~1a/get/parameters/0".into(), "/paths/~1a/get/parameters/2".into());
        map.insert("/paths/~1a/get/parameters/0/schema".into(), "/paths/~1a/get/parameters/2".into());
        assert_eq!(map.original("/components/schemas/A/properties/b"), "/definitions/A/properties/b");
        assert_eq!(map.original("/paths/~1a/get/parameters/0/schema/items"), "/paths/~1a/get/parameters/2/items");
        assert_eq!(map.original("/paths/~1a/get/parameters/01"), "/paths/~1a/get/parameters/01");
        assert_eq!(map.original("/paths/~1a/get/responses"), "/paths/~1a/get/responses");
        assert_eq!(map.original("codegen config: api `x`"), "codegen config: api `x`");
        assert_eq!(map.original(""), "");
    }

    #[test]
    fn diagnostics_that_repeat_are_one_line_with_the_count_and_the_first_places() {
        let mut diags = Diagnostics::new("api.yaml");
        for index in 0..5 {
            diags.warn(&format!("/components/schemas/S{index}/maximum"), "integer bound beyond 64 bits ignored");
        }
        diags.warn("/paths", "something else");
        let groups = grouped(&diags.items);
        assert_eq!(groups.len(), 2);
        assert_eq!(
            groups[0].to_string(),
            "warning: integer bound beyond 64 bits ignored (5 places)\n  --> api.yaml#/components/schemas/S0/maximum\n  --> api.yaml#/components/schemas/S1/maximum\n  --> api.yaml#/components/schemas/S2/maximum\n  = and 2 more"
        );
        assert_eq!(groups[1].to_string(), diags.items[5].to_string(), "one place reads as before");
    }
}

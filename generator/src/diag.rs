//! Diagnostics: problems found in an input, as values that name where they are.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
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

/// Diagnostics collected while working on one file.
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
        self.items.push(Diagnostic { severity, file: self.file.clone(), pointer: pointer.to_owned(), message, hint });
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.items.iter().filter(|d| d.severity == severity).count()
    }
}

/// Escapes one JSON pointer token (RFC 6901).
pub fn pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Extends a pointer by one token.
pub fn join(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", pointer_token(token))
}

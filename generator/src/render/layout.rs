//! Blank lines between items, as a person leaves them: `prettyplease` prints items back to
//! back, so this pass separates each item from the one before it at the same depth, while
//! a run of `use` or `mod` declarations stays together.

/// What an item line starts; runs of the same declaration kind stay unseparated.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Use,
    PubUse,
    Mod,
    Other,
}

/// The kind of item `line` (trimmed) starts, or `None` when it starts none. A macro call is
/// an item where items stand (`among_items`: the top level, an `impl`, a `trait` or a
/// `mod`); inside a function it is a statement.
fn item_start(line: &str, among_items: bool) -> Option<Kind> {
    if among_items && is_macro_call(line) {
        return Some(Kind::Other);
    }
    if line.starts_with("use ") {
        return Some(Kind::Use);
    }
    if line.starts_with("pub use ") || line.starts_with("pub(crate) use ") {
        return Some(Kind::PubUse);
    }
    if line.starts_with("mod ") || line.starts_with("pub mod ") {
        return Some(Kind::Mod);
    }
    const STARTS: &[&str] = &[
        "///",
        "// ",
        "#[",
        "fn ",
        "async fn ",
        "impl",
        "struct ",
        "enum ",
        "static ",
        "const ",
        "type ",
        "trait ",
        "pub(super) ",
        "pub(crate) ",
        "pub ",
    ];
    STARTS.iter().any(|start| line.starts_with(start)).then_some(Kind::Other)
}

/// Whether the block `line` opens (or whose header it starts) holds items: an `impl`, a
/// `trait`, a `mod`.
fn opens_items(line: &str) -> bool {
    let line = line.strip_prefix("pub ").or_else(|| line.strip_prefix("pub(crate) ")).unwrap_or(line);
    ["impl", "unsafe impl", "trait ", "unsafe trait ", "mod "].iter().any(|start| line.starts_with(start))
}

/// Whether `line` starts with a path and `!(`: a macro call. Reads no further than the path,
/// so a long doc line costs one character.
fn is_macro_call(line: &str) -> bool {
    let path = line.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(line.len());
    line[path..].starts_with("!(")
}

/// A line without its indentation, and the indentation's width.
fn split_indent(line: &str) -> (&str, usize) {
    let trimmed = line.trim_start();
    (trimmed, line.len() - trimmed.len())
}

/// `text` with a blank line before every item that follows the end of another item at the
/// same indentation, and after the module's inner docs.
pub fn separate_items(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    // The line before, without its indentation, and that indentation.
    let mut previous: Option<(&str, usize)> = None;
    // The kind of the last item started at each indentation.
    let mut last_kind: Vec<Option<Kind>> = Vec::new();
    // The open blocks, by the indentation of the line that opened them, and whether they
    // hold items; and whether the header being read (at its indentation) opens such a block.
    let mut blocks: Vec<(usize, bool)> = Vec::new();
    let mut header: Option<(usize, bool)> = None;
    for line in text.split_terminator('\n') {
        let (trimmed, depth) = split_indent(line);
        if last_kind.len() <= depth {
            last_kind.resize(depth + 1, None);
        }
        while blocks.last().is_some_and(|&(open, _)| open >= depth && !trimmed.is_empty()) {
            blocks.pop();
        }
        let among_items = blocks.last().is_none_or(|&(_, items)| items);
        let starts = item_start(trimmed, among_items);
        if starts.is_some() && !trimmed.starts_with("//") && !trimmed.starts_with("#[") {
            header = Some((depth, opens_items(trimmed)));
        }
        if trimmed.ends_with('{') {
            let items = header.is_some_and(|(at, items)| at == depth && items);
            blocks.push((depth, items));
            header = None;
        }
        if let (Some(kind), Some((before, before_depth))) = (starts, previous) {
            let ends_item =
                before_depth == depth && (before.ends_with('}') || before.ends_with(';')) && !before.starts_with("//");
            let same_run = kind != Kind::Other && last_kind[depth] == Some(kind);
            let after_inner_docs = before.starts_with("//!") && !trimmed.starts_with("//!");
            if (ends_item && !same_run) || after_inner_docs {
                out.push('\n');
            }
        }
        if starts.is_some() {
            last_kind[depth] = starts;
        }
        out.push_str(line);
        out.push('\n');
        previous = Some((trimmed, depth));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::separate_items;

    #[test]
    fn items_are_separated_and_runs_of_declarations_kept_together() {
        let printed = "//! Docs.\nmod a;\nmod b;\npub use a::A;\nuse crate::{\n    x,\n};\nuse y;\n\
                       static S: u8 = 1;\n/// Doc `{}`;\n/// more.\n#[derive(Debug)]\npub struct T {\n    \
                       a: u8,\n    /// b\n    b: u8,\n}\nimpl T {\n    fn f() {\n        let x = 1;\n        \
                       if x == 1 {}\n    }\n    fn g() {}\n    crate::n!();\n}\ncrate::m!(T);\n";
        let expected = "//! Docs.\n\nmod a;\nmod b;\n\npub use a::A;\n\nuse crate::{\n    x,\n};\nuse y;\n\n\
                        static S: u8 = 1;\n\n/// Doc `{}`;\n/// more.\n#[derive(Debug)]\npub struct T {\n    \
                        a: u8,\n    /// b\n    b: u8,\n}\n\nimpl T {\n    fn f() {\n        let x = 1;\n        \
                        if x == 1 {}\n    }\n\n    fn g() {}\n\n    crate::n!();\n}\n\ncrate::m!(T);\n";
        assert_eq!(separate_items(printed), expected);
    }
}

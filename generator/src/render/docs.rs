//! Spec prose → rustdoc that renders well and never breaks `cargo doc` or doc tests.

use std::borrow::Cow;

use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// Rewrites Markdown from a spec so rustdoc takes it as prose: code blocks become `text`
/// blocks (they are not Rust), indentation that would start a code block is dropped,
/// and brackets, angle brackets and bare URLs are escaped.
pub fn sanitize(text: &str) -> String {
    let text = if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(text)
    };
    let mut out = String::with_capacity(text.len());
    let mut in_fence = false;
    // The indentation that continues the list item being read (its marker's width): a line
    // that follows it without a blank line belongs to it, and Markdown wants it indented.
    let mut item_indent = 0;
    // Runs of blank lines collapse to one, and none is kept at either end.
    let mut blank_pending = false;
    let mut push = |out: &mut String, line: &str| {
        if line.is_empty() {
            blank_pending = !out.is_empty();
            return;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        if blank_pending {
            out.push('\n');
            blank_pending = false;
        }
        out.push_str(line);
    };
    for raw in text.lines() {
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            push(&mut out, if in_fence { "```text" } else { "```" });
        } else if in_fence {
            push(&mut out, line);
        } else if trimmed.is_empty() {
            item_indent = 0;
            push(&mut out, trimmed);
        } else if list_marker_width(trimmed) > 0 {
            item_indent = list_marker_width(trimmed);
            push(&mut out, &escape_prose(trimmed));
        } else if item_indent > 0 {
            push(&mut out, &format!("{:item_indent$}{}", "", escape_prose(trimmed)));
        } else {
            push(&mut out, &escape_prose(trimmed));
        }
    }
    if in_fence {
        push(&mut out, "```");
    }
    out
}

fn escape_prose(line: &str) -> Cow<'_, str> {
    // Most lines have nothing to escape.
    if !line.bytes().any(|b| matches!(b, b'`' | b'[' | b']' | b'<' | b'>' | b'\\' | b'#')) && !line.contains("http") {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len() + 8);
    let mut in_code = false;
    let mut rest = line;
    while !rest.is_empty() {
        // Text up to the next character that may need escaping goes as it is.
        let plain = rest.find(['`', '[', ']', '<', '>', '\\', '#', 'h']).unwrap_or(rest.len());
        out.push_str(&rest[..plain]);
        rest = &rest[plain..];
        let Some(c) = rest.chars().next() else { break };
        if c == '`' {
            in_code = !in_code;
            out.push(c);
        } else if in_code {
            out.push(c);
        } else if let Some(url_len) = url_at(rest) {
            out.push('<');
            out.push_str(&rest[..url_len]);
            out.push('>');
            rest = &rest[url_len..];
            continue;
        } else {
            match c {
                '[' | ']' => {
                    out.push('\\');
                    out.push(c);
                }
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '\\' => out.push_str("\\\\"),
                '#' if out.trim().is_empty() => out.push_str("\\#"),
                _ => out.push(c),
            }
        }
        rest = &rest[c.len_utf8()..];
    }
    if in_code {
        // An unclosed code span would swallow what follows.
        out.push('`');
    }
    Cow::Owned(out)
}

fn url_at(text: &str) -> Option<usize> {
    if !(text.starts_with("http://") || text.starts_with("https://")) {
        return None;
    }
    let end = text
        .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`' | ')' | ']' | '[' | '('))
        .unwrap_or(text.len());
    let url = text[..end].trim_end_matches(['.', ',', ';', ':']);
    Some(url.len())
}

/// The longest doc line wrapping leaves, indentation and `/// ` aside.
const WIDTH: usize = 90;

/// Wraps the prose lines of Markdown `text` longer than [`WIDTH`] at spaces. Code blocks,
/// tables and headings stay as they are, list items keep their indentation, and no line
/// is made to start with something Markdown would read as the start of a new block.
fn wrap(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_fence = false;
    for line in text.lines() {
        if line.starts_with("```") || line.starts_with("~~~") {
            in_fence = !in_fence;
        }
        if in_fence || line.len() <= WIDTH || line.starts_with('|') || line.starts_with('#') {
            out.push(line.to_owned());
            continue;
        }
        // A list item's own line, or a line that continues it (indented by `sanitize`).
        let leading = line.len() - line.trim_start().len();
        let indent = " ".repeat(list_marker_width(line).max(leading));
        let mut wrapped: Vec<String> = Vec::new();
        for piece in wrap_line(line, indent.len()) {
            match wrapped.last_mut() {
                Some(last) if starts_block(piece) => {
                    last.push(' ');
                    last.push_str(piece);
                }
                Some(_) => wrapped.push(format!("{indent}{piece}")),
                None => wrapped.push(piece.to_owned()),
            }
        }
        out.extend(wrapped);
    }
    out
}

/// `line` cut at spaces into pieces that fit [`WIDTH`] columns, the first taken as it
/// starts the line and the others as they follow `indent` columns of indentation: each
/// piece takes words while the next still fits (first fit); a word wider than the line
/// stays whole. The spaces where a line is cut go. A character counts one column, two
/// from U+1100 (where East Asian wide scripts begin).
///
/// `textwrap` does the same, and more (hyphenation, Unicode line breaking, ANSI colours);
/// doc text is the largest part of a document, and on stripe that generality took 148 M
/// instructions of the 292 M that rendering its doc lines took (see ARCHITECTURE.md).
fn wrap_line(line: &str, indent: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    // The piece being filled: where it starts, where its last word ends, and its width
    // with the spaces after that word.
    let (mut start, mut end, mut width) = (0, 0, 0);
    let mut rest = line;
    while !rest.is_empty() {
        let at = line.len() - rest.len();
        let word = &rest[..rest.find(' ').unwrap_or(rest.len())];
        let after = &rest[word.len()..];
        rest = after.trim_start_matches(' ');
        let spaces = after.len() - rest.len();
        let fits = if pieces.is_empty() { WIDTH } else { WIDTH.saturating_sub(indent) };
        let columns = columns(word);
        if at > start && width + columns > fits {
            pieces.push(&line[start..end]);
            (start, width) = (at, 0);
        }
        end = at + word.len();
        width += columns + spaces;
    }
    pieces.push(&line[start..end]);
    pieces
}

/// The columns `text` takes: one per character, two from U+1100.
fn columns(text: &str) -> usize {
    if text.is_ascii() { text.len() } else { text.chars().map(|c| if c < '\u{1100}' { 1 } else { 2 }).sum() }
}

/// The width of a list item's marker (`- `, `12. `), or 0.
fn list_marker_width(line: &str) -> usize {
    if line.starts_with("- ") || line.starts_with("* ") || line.starts_with("+ ") {
        return 2;
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    let rest = &line[digits..];
    if digits > 0 && (rest.starts_with(". ") || rest.starts_with(") ")) { digits + 2 } else { 0 }
}

/// Whether a line starting with `text` would open a block (heading, list, quote, table,
/// fence, HTML, setext underline) instead of continuing a paragraph.
fn starts_block(text: &str) -> bool {
    let first = text.chars().next().unwrap_or(' ');
    matches!(first, '#' | '>' | '-' | '+' | '*' | '=' | '|' | '<' | '`' | '~') || list_marker_width(text) > 0
}

/// `#[doc]` attributes for a block of prose (outer: `///`).
pub fn doc_attrs(text: &str) -> TokenStream {
    let lines = doc_lines(text);
    quote! { #( #[doc = #lines] )* }
}

/// `#![doc]` attributes (inner: `//!`).
pub fn inner_doc_attrs(text: &str) -> TokenStream {
    let lines = doc_lines(text);
    quote! { #( #![doc = #lines] )* }
}

/// The wrapped lines of `text` as raw string literals, each after the space that follows
/// `///`. Raw, because the formatter reads every string literal back character by
/// character to undo escapes, and doc text is most of the bytes it reads.
fn doc_lines(text: &str) -> Vec<Literal> {
    wrap(text).iter().map(|line| raw_string(if line.is_empty() { "" } else { " " }, line)).collect()
}

/// `prefix` and `text` as one raw string literal (`r"…"`, with as many `#` as it needs).
pub(super) fn raw_string(prefix: &str, text: &str) -> Literal {
    let hashes = "#".repeat(longest_hash_run_after_quote(text) + usize::from(text.contains('"')));
    let source = format!("r{hashes}\"{prefix}{text}\"{hashes}");
    // Sanitised prose has no carriage return, the one character a raw string cannot hold.
    source.parse().unwrap_or_else(|_| Literal::string(&format!("{prefix}{text}")))
}

/// The longest run of `#` right after a `"` in `text` (0 if none).
fn longest_hash_run_after_quote(text: &str) -> usize {
    text.split('"').skip(1).map(|after| after.len() - after.trim_start_matches('#').len()).max().unwrap_or(0)
}

/// Joins optional paragraphs into one sanitized doc text.
pub fn paragraphs(parts: &[Option<&str>]) -> String {
    parts.iter().flatten().map(|p| sanitize(p)).filter(|p| !p.is_empty()).collect::<Vec<_>>().join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_that_continue_a_list_item_are_indented_under_it() {
        let text = sanitize(
            "MultiOp consists of:\n1. A list of tests called guard. Each test\nchecks a single entry.\n2. A list of operations\n\nAfter the list.",
        );
        assert_eq!(
            text,
            "MultiOp consists of:\n1. A list of tests called guard. Each test\n   checks a single entry.\n2. A list of operations\n\nAfter the list."
        );
        let long = format!("- {}\ncontinued", "word ".repeat(30));
        let lines = wrap(&sanitize(&long));
        assert!(lines[1..].iter().all(|line| line.starts_with("  ") && !line.starts_with("   ")), "{lines:?}");
    }

    #[test]
    fn lines_are_cut_at_spaces_first_fit_and_wide_characters_count_twice() {
        // 18 words of 4 letters and a space: 90 columns hold 18 of them, the last space cut.
        let words = "word ".repeat(25);
        let pieces = wrap_line(words.trim_end(), 2);
        assert_eq!(pieces, [&words[..89], &words[90..124]]);
        assert!(pieces.iter().all(|piece| !piece.starts_with(' ') && !piece.ends_with(' ')));
        // After the first line, the indentation's columns are taken from the width.
        let short_words = "ab ".repeat(60);
        let pieces = wrap_line(&short_words, 30);
        assert_eq!(pieces.iter().map(|piece| piece.len()).collect::<Vec<_>>(), [89, 59, 29]);
        // Leading spaces stay on the first piece; a word wider than the line stays whole.
        let long = format!("  a {} tail", "x".repeat(100));
        assert_eq!(wrap_line(&long, 0), ["  a", &long[4..104], "tail"]);
        // 45 wide characters fill a line.
        let wide = format!("{} {}", "字".repeat(45), "字");
        assert_eq!(wrap_line(&wide, 0), ["字".repeat(45).as_str(), "字"]);
    }

    #[test]
    fn long_prose_wraps_without_starting_a_block_and_the_rest_stays() {
        let long = format!("{} - not a list, #1 not a heading", "word ".repeat(17).trim_end());
        let item = format!("- {}", "item ".repeat(20).trim_end());
        let table = format!("| {} |", "cell ".repeat(20).trim_end());
        let code = format!("```text\n{}\n```", "code ".repeat(20).trim_end());
        let lines = wrap(&[long.as_str(), item.as_str(), table.as_str(), code.as_str()].join("\n"));
        let words = "word ".repeat(17);
        let items = "item ".repeat(17);
        let expected = [
            format!("{words}- not"),
            "a list, #1 not a heading".to_owned(),
            items.trim_end().replacen("item", "- item", 1),
            "  item item item".to_owned(),
            table,
            "```text".to_owned(),
            "code ".repeat(20).trim_end().to_owned(),
            "```".to_owned(),
        ];
        assert_eq!(lines, expected);
        // Only spaces break a line: a URL or a word with hyphens stays whole.
        let url = "<https://github.com/OAI/OpenAPI-Specification/blob/main/versions/3.0.3.md#schema-object>";
        let linked = format!("{} see {url} for the rules", "word ".repeat(6));
        assert!(wrap(&linked).iter().any(|line| line.contains(url)), "{:#?}", wrap(&linked));
    }

    #[test]
    fn code_is_never_a_doctest_and_prose_is_escaped() {
        let doc =
            sanitize("Use `a<b>`:\n```\nlet x = 1;\n```\nSee [docs] at https://x.io/a. <b>bold</b>\n    indented");
        assert_eq!(
            doc,
            "Use `a<b>`:\n```text\nlet x = 1;\n```\nSee \\[docs\\] at <https://x.io/a>. &lt;b&gt;bold&lt;/b&gt;\nindented"
        );
    }
}

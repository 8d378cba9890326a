//! No import circles: in the generator, the runtime it copies into every crate, the
//! conformance tool and the xtask, no two modules name each other through `crate::` or
//! `super::` paths, directly or around a longer loop. A circle means neither side can be
//! read, changed or moved without the other; what both need belongs in a module of its own.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// The modules of the crate whose root folder is `dir`, by path (`render::operations`; the
/// root is ``), with their source outside `#[cfg(test)]` modules.
fn modules(dir: &Path) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            if path.extension().is_none_or(|ext| ext != "rs") {
                continue;
            }
            let relative = path.strip_prefix(dir).unwrap().with_extension("");
            let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
            if parts.last().is_some_and(|last| last == "mod" || last == "lib" || last == "main") {
                parts.pop();
            }
            let source = std::fs::read_to_string(&path).unwrap();
            let source = match source.find("#[cfg(test)]\nmod tests") {
                Some(cut) => source[..cut].to_owned(),
                None => source,
            };
            found.insert(parts.join("::"), source);
        }
    }
    found
}

/// Every `crate::...` and `super::...` path in `source`, with one level of `{a, b}` groups
/// spelled out.
fn paths(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    let bytes = source.as_bytes();
    for (start, _) in source.char_indices() {
        let rest = &source[start..];
        let at_word_start = start == 0 || !(bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_');
        if !at_word_start || !(rest.starts_with("crate::") || rest.starts_with("super::")) {
            continue;
        }
        let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':')).unwrap_or(rest.len());
        let head = rest[..end].trim_end_matches(':');
        if rest[end..].starts_with('{') && rest[..end].ends_with("::") {
            let group = &rest[end + 1..rest[end..].find('}').map_or(rest.len(), |close| end + close)];
            for item in group.split(',') {
                let item = item.split(" as ").next().unwrap_or_default().trim();
                match item {
                    "" => {}
                    "self" => found.push(head.to_owned()),
                    item => found.push(format!("{head}::{item}")),
                }
            }
        } else {
            found.push(head.to_owned());
        }
    }
    found
}

/// Which module each module names, ancestors left out (a module always sits in its parent).
fn graph(modules: &BTreeMap<String, String>) -> BTreeMap<&str, BTreeSet<&str>> {
    let mut edges = BTreeMap::new();
    for (name, source) in modules {
        let parent: Vec<&str> = name.split("::").filter(|p| !p.is_empty()).collect();
        let parent = &parent[..parent.len().saturating_sub(1)];
        let mut targets = BTreeSet::new();
        for path in paths(source) {
            let mut tokens: Vec<&str> = path.split("::").collect();
            let mut base: Vec<&str> = if tokens[0] == "crate" { Vec::new() } else { parent.to_vec() };
            tokens.remove(0);
            while tokens.first() == Some(&"super") {
                base.pop();
                tokens.remove(0);
            }
            for length in (1..=tokens.len()).rev() {
                let candidate = [&base[..], &tokens[..length]].concat().join("::");
                if let Some((target, _)) = modules.get_key_value(&candidate) {
                    let ancestor = name.starts_with(&format!("{candidate}::")) || candidate == *name;
                    if !ancestor {
                        targets.insert(target.as_str());
                    }
                    break;
                }
            }
        }
        edges.insert(name.as_str(), targets);
    }
    edges
}

/// The strongly connected components of more than one module (Tarjan).
fn circles<'m>(graph: &BTreeMap<&'m str, BTreeSet<&'m str>>) -> Vec<Vec<&'m str>> {
    struct Walk<'m, 'g> {
        graph: &'g BTreeMap<&'m str, BTreeSet<&'m str>>,
        index: BTreeMap<&'m str, usize>,
        low: BTreeMap<&'m str, usize>,
        stack: Vec<&'m str>,
        found: Vec<Vec<&'m str>>,
    }
    impl<'m> Walk<'m, '_> {
        fn visit(&mut self, node: &'m str) {
            let number = self.index.len();
            self.index.insert(node, number);
            self.low.insert(node, number);
            self.stack.push(node);
            for &next in self.graph.get(node).into_iter().flatten() {
                if !self.index.contains_key(next) {
                    self.visit(next);
                    let low = self.low[node].min(self.low[next]);
                    self.low.insert(node, low);
                } else if self.stack.contains(&next) {
                    let low = self.low[node].min(self.index[next]);
                    self.low.insert(node, low);
                }
            }
            if self.low[node] == self.index[node] {
                let mut component = Vec::new();
                while let Some(top) = self.stack.pop() {
                    component.push(top);
                    if top == node {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort_unstable();
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk { graph, index: BTreeMap::new(), low: BTreeMap::new(), stack: Vec::new(), found: Vec::new() };
    for &node in graph.keys() {
        if !walk.index.contains_key(node) {
            walk.visit(node);
        }
    }
    walk.found
}

#[test]
fn no_module_of_the_generator_the_runtime_the_conformance_tool_or_the_xtask_imports_in_a_circle() {
    for crate_dir in ["generator/src", "templates/runtime", "conformance/src", "xtask/src"] {
        let modules = modules(&root().join(crate_dir));
        assert!(modules.len() > 3, "{crate_dir}: too few modules found");
        let found = circles(&graph(&modules));
        assert!(found.is_empty(), "{crate_dir}: modules that import each other: {found:?}");
    }
}

#[test]
fn the_check_finds_a_circle_through_grouped_and_parent_relative_imports() {
    let modules: BTreeMap<String, String> = [
        ("", "mod render;"),
        ("render", "mod a; mod b; mod c;"),
        ("render::a", "use super::{b, docs};\nfn f() { crate::ir::x(); }"),
        ("render::b", "use super::c::Thing;"),
        ("render::c", "fn g() -> crate::render::a::Item { todo!() }"),
        ("ir", ""),
    ]
    .into_iter()
    .map(|(name, source)| (name.to_owned(), source.to_owned()))
    .collect();
    assert_eq!(circles(&graph(&modules)), [vec!["render::a", "render::b", "render::c"]]);
}

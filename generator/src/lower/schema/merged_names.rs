//! The name a group of merged types goes by. [`merge_identical`](super::merge_identical)
//! finds the groups in name order; the name the others become aliases of is then chosen by
//! what it tells the reader, the same on every run: a component's name over a name made
//! from an operation (`Record` over `GetRecordResponse`), then the words every name of the
//! group ends with (`Error400` for `BatchError400` and `CreateError400`), then the shortest.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::ir::{Api, TypeDef, TypeKind, TypeRef};

/// Gives each group of merged types (`aliases` maps a merged type to the one it merged
/// into) its most telling name; every name of the group stays, as an alias. Types are found
/// through an index by name: stripe has thousands of groups among thousands of types.
pub fn name_groups(api: &mut Api, aliases: &HashMap<String, String>) {
    let mut groups: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for member in aliases.keys() {
        let root = root_of(member, aliases);
        groups.entry(root.to_owned()).or_insert_with(|| BTreeSet::from([root.to_owned()])).insert(member.clone());
    }
    if groups.is_empty() {
        return;
    }
    let index: HashMap<String, usize> = api.types.iter().enumerate().map(|(at, def)| (def.name.clone(), at)).collect();
    let mut taken = taken_names(api);
    let mut added = Vec::new();
    for (canonical, names) in groups {
        let Some(best) = best_name(api, &index, &names, &taken) else { continue };
        if best != canonical {
            added.extend(rename_group(api, &index, &canonical, &best, &names));
            taken.insert(best);
        }
    }
    if !added.is_empty() {
        api.types.extend(added);
        api.types.sort_by(|a, b| a.name.cmp(&b.name));
    }
}

/// The type `name` merged into, through merges of merges.
fn root_of<'a>(mut name: &'a str, aliases: &'a HashMap<String, String>) -> &'a str {
    for _ in 0..=aliases.len() {
        match aliases.get(name) {
            Some(next) => name = next,
            None => break,
        }
    }
    name
}

/// Every name a type could collide with: the types' own, and the names of the operations'
/// builders and companions, which are claimed among the types too.
fn taken_names(api: &Api) -> HashSet<String> {
    let types = api.types.iter().map(|def| def.name.clone());
    let operations = api.operations.iter().flat_map(|op| {
        let companions = &op.companion_types;
        [&op.type_name, &companions.response, &companions.error, &companions.form, &companions.input].map(String::clone)
    });
    types.chain(operations).collect()
}

/// The group's most telling name (`None` when the group is not found whole).
fn best_name(
    api: &Api,
    index: &HashMap<String, usize>,
    names: &BTreeSet<String>,
    taken: &HashSet<String>,
) -> Option<String> {
    let defs: Vec<&TypeDef> =
        names.iter().map(|name| index.get(name).map(|&at| &api.types[at])).collect::<Option<_>>()?;
    let shortest = |names: &mut dyn Iterator<Item = &String>| names.min_by_key(|name| (name.len(), *name)).cloned();
    if let Some(component) = shortest(&mut defs.iter().filter(|def| is_component(&def.origin)).map(|def| &def.name)) {
        return Some(component);
    }
    match common_stem(names) {
        Some(stem) if names.contains(&stem) || (!taken.contains(&stem) && !crate::naming::is_reserved_type(&stem)) => {
            Some(stem)
        }
        _ => shortest(&mut names.iter()),
    }
}

/// Whether a type comes from a schema the document names itself (`/components/schemas/X`,
/// Swagger 2.0 `/definitions/X`), not one made inline under an operation.
fn is_component(origin: &str) -> bool {
    let segments: Vec<&str> = origin.split('/').collect();
    matches!(segments.as_slice(), ["", "components", "schemas", _] | ["", "definitions", _])
}

/// The words every name ends with (`Error400` for `BatchError400` and `CreateError400`),
/// when they make a telling type name.
fn common_stem(names: &BTreeSet<String>) -> Option<String> {
    let split: Vec<Vec<&str>> = names.iter().map(|name| words(name)).collect();
    let first = split.first()?;
    let mut common = 0;
    while common < first.len()
        && split
            .iter()
            .all(|words| words.len() > common && words[words.len() - 1 - common] == first[first.len() - 1 - common])
    {
        common += 1;
    }
    let stem_words = &first[first.len() - common..];
    // A stem tells something when it holds a word (`Error400`, not `V2`), and is more than
    // one short generic word (`Type`, `Status`: every group of kinds and states ends so).
    let is_word = |word: &&str| word.len() >= 3 && word.chars().all(char::is_alphabetic);
    let distinct: BTreeSet<&str> = stem_words.iter().copied().collect();
    let telling = match distinct.len() {
        0 => false,
        // `StatusStatus` says no more than `Status`.
        1 => distinct.first().is_some_and(|only| is_word(only) && only.len() >= 7),
        _ => stem_words.iter().any(is_word),
    };
    let stem: String = stem_words.concat();
    (telling && stem.starts_with(|c: char| c.is_ascii_uppercase())).then_some(stem)
}

/// A type name's words: a new one at each capital after a small letter or digit, and where
/// digits start or end.
fn words(name: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start = 0;
    let mut previous: Option<char> = None;
    for (at, c) in name.char_indices() {
        if let Some(before) = previous {
            let boundary = (c.is_uppercase() && (before.is_lowercase() || before.is_ascii_digit()))
                || (c.is_ascii_digit() != before.is_ascii_digit());
            if boundary {
                words.push(&name[start..at]);
                start = at;
            }
        }
        previous = Some(c);
    }
    words.push(&name[start..]);
    words
}

/// Makes `best` the group's type: it takes the shape, and every other name of the group
/// becomes an alias of it. A name the group does not have yet (a common stem) is returned as
/// a new type, for the caller to add.
fn rename_group(
    api: &mut Api,
    index: &HashMap<String, usize>,
    canonical: &str,
    best: &str,
    names: &BTreeSet<String>,
) -> Option<TypeDef> {
    let &home = index.get(canonical)?;
    let alias = TypeKind::Alias(TypeRef::Named(best.to_owned()));
    let kind = std::mem::replace(&mut api.types[home].kind, alias.clone());
    for name in names.iter().filter(|name| *name != best && *name != canonical) {
        if let Some(&at) = index.get(name) {
            api.types[at].kind = alias.clone();
        }
    }
    match index.get(best) {
        Some(&at) => {
            api.types[at].kind = kind;
            None
        }
        None => {
            let def = &api.types[home];
            Some(TypeDef {
                name: best.to_owned(),
                description: def.description.clone(),
                origin: def.origin.clone(),
                kind,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    #[test]
    fn a_common_stem_is_the_words_every_name_ends_with() {
        assert_eq!(common_stem(&set(&["BatchError400", "CreateError400"])).as_deref(), Some("Error400"));
        assert_eq!(common_stem(&set(&["CreateUserBody", "UpdateUserBody"])).as_deref(), Some("UserBody"));
        assert_eq!(common_stem(&set(&["Alpha", "Beta"])), None);
        assert_eq!(common_stem(&set(&["GetV2", "ListV2"])), None, "a stem holds a word");
        assert_eq!(common_stem(&set(&["AgentType", "PolicyItemType"])), None, "one short generic word");
        assert_eq!(common_stem(&set(&["ScanStatus", "GlobalScanStatus"])).as_deref(), Some("ScanStatus"));
        assert_eq!(common_stem(&set(&["SetOverrideStatusStatus", "UpdateExceptionStatusStatus"])), None);
        assert_eq!(
            common_stem(&set(&["MatchedSolutionConfidence", "SolutionMatchConfidence"])).as_deref(),
            Some("Confidence")
        );
        assert_eq!(words("HTTPError2fa"), ["HTTPError", "2", "fa"]);
    }

    #[test]
    fn components_are_told_from_inline_schemas() {
        assert!(is_component("/components/schemas/Record"));
        assert!(is_component("/definitions/Record"));
        assert!(!is_component("/components/schemas/Record/properties/a"));
        assert!(!is_component("/paths/~1records/get/responses/200/content/application~1json/schema"));
    }
}

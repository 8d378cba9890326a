//! Cargo features per tag (when an API's settings ask for them): the feature each operation
//! sits behind (its first tag's), and the features each type is needed by (those of the
//! operations that reach it), so any combination of features compiles only what it uses.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Api, Operation, TypeKind};
use crate::naming::tag_feature;

/// The feature an operation sits behind; `None` when it is always there (the API has no tag
/// features, or the operation no tag).
pub(super) fn operation_feature(api: &Api, op: &Operation) -> Option<String> {
    if !api.tag_features {
        return None;
    }
    op.tags.first().map(|tag| tag_feature(&api.module, tag))
}

/// Every tag feature of the API, sorted.
pub fn tag_features(api: &Api) -> Vec<String> {
    let features: BTreeSet<String> = api.operations.iter().filter_map(|op| operation_feature(api, op)).collect();
    features.into_iter().collect()
}

/// When a type is compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Need {
    /// Always: an operation without a feature reaches it (or the API has no tag features).
    Always,
    /// With any of these features.
    Any(BTreeSet<String>),
}

/// When each named type is needed, by name. Types no operation reaches are needed with the
/// API's own feature, which enables every tag.
pub(super) fn type_needs(api: &Api) -> BTreeMap<&str, Need> {
    let mut needs: BTreeMap<&str, Need> = BTreeMap::new();
    if !api.tag_features {
        return needs;
    }
    let by_name: BTreeMap<&str, &TypeKind> = api.types.iter().map(|t| (t.name.as_str(), &t.kind)).collect();
    for op in &api.operations {
        let feature = operation_feature(api, op);
        for name in op.reached_types(|name| by_name.get(name).copied()) {
            let need = needs.entry(name).or_insert_with(|| Need::Any(BTreeSet::new()));
            match (&feature, &mut *need) {
                (None, _) => *need = Need::Always,
                (Some(feature), Need::Any(features)) => {
                    features.insert(feature.clone());
                }
                (Some(_), Need::Always) => {}
            }
        }
    }
    for def in &api.types {
        needs.entry(def.name.as_str()).or_insert_with(|| Need::Any(BTreeSet::from([api.module.clone()])));
    }
    needs
}

/// What a group of types (a file: a type and its aliases) needs: what any of them does.
pub(super) fn group_need<'n>(needs: &BTreeMap<&str, Need>, names: impl Iterator<Item = &'n str>) -> Need {
    let mut features = BTreeSet::new();
    for name in names {
        match needs.get(name) {
            None | Some(Need::Always) => return Need::Always,
            Some(Need::Any(some)) => features.extend(some.iter().cloned()),
        }
    }
    Need::Any(features)
}

/// `#[cfg(...)]` for a need (nothing when always needed).
pub(super) fn cfg(need: &Need) -> TokenStream {
    match need {
        Need::Always => quote! {},
        Need::Any(features) if features.len() == 1 => {
            let feature = features.iter().next();
            quote! { #[cfg(feature = #feature)] }
        }
        Need::Any(features) => {
            let features = features.iter();
            quote! { #[cfg(any(#(feature = #features),*))] }
        }
    }
}

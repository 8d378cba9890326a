//! Passes over the lowered type graph: recursion boxed, large union variants boxed, the
//! types a client sends marked, and repeated types merged.

use std::hash::BuildHasher;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::ir::Api;

use super::*;

impl TypeLowerer<'_> {
    /// Boxes the fields that make a type contain itself by value.
    pub(in crate::lower) fn box_cycles(&mut self) {
        let names: Vec<String> = self.types.keys().cloned().collect();
        let component = self.cycle_components(&names);
        for name in &names {
            let name = name.as_str();
            // Only a type on a cycle can contain itself.
            if !component.contains_key(name) {
                continue;
            }
            let Some(def) = self.types.get(name) else { continue };
            let mut kind = def.kind.clone();
            let mut changed = false;
            match &mut kind {
                TypeKind::Struct(body) => {
                    for field in &mut body.fields {
                        if let Some(target) = by_value_target(&field.ty)
                            && self.reaches(target, name, &component, &mut FxHashSet::default())
                        {
                            field.ty = TypeRef::Boxed(Box::new(field.ty.clone()));
                            changed = true;
                        }
                    }
                }
                TypeKind::Union(union) => {
                    for ty in union.variants.iter_mut().filter_map(|v| v.ty.as_mut()) {
                        if let Some(target) = by_value_target(ty)
                            && self.reaches(target, name, &component, &mut FxHashSet::default())
                        {
                            *ty = TypeRef::Boxed(Box::new(ty.clone()));
                            changed = true;
                        }
                    }
                }
                TypeKind::Alias(ty) => {
                    if let Some(target) = by_value_target(ty)
                        && self.reaches(target, name, &component, &mut FxHashSet::default())
                    {
                        *ty = TypeRef::Json;
                        changed = true;
                        self.diags
                            .warn(&def.origin, format!("`{name}` is an alias of itself; taken as any JSON value"));
                    }
                }
                // Built from one status's body, never nested in one: not on a cycle of values.
                TypeKind::Enum(_) | TypeKind::ByStatus(_) => {}
            }
            if changed && let Some(def) = self.types.get_mut(name) {
                def.kind = kind;
            }
        }
    }

    /// For each type of `names` that lies on a cycle of by-value references (through other
    /// types or to itself), the number of its strongly connected component.
    fn cycle_components(&self, names: &[String]) -> FxHashMap<String, usize> {
        let mut graph = petgraph::Graph::<(), ()>::with_capacity(names.len(), names.len());
        let nodes: HashMap<&str, petgraph::graph::NodeIndex> =
            names.iter().map(|name| (name.as_str(), graph.add_node(()))).collect();
        for (name, def) in &self.types {
            for target in def.kind.members().into_iter().filter_map(by_value_target) {
                if let (Some(&from), Some(&to)) = (nodes.get(name.as_str()), nodes.get(target)) {
                    graph.add_edge(from, to, ());
                }
            }
        }
        let mut component = FxHashMap::default();
        for (number, members) in petgraph::algo::tarjan_scc(&graph).into_iter().enumerate() {
            let on_cycle = members.len() > 1 || graph.contains_edge(members[0], members[0]);
            for node in members.into_iter().filter(|_| on_cycle) {
                component.insert(names[node.index()].clone(), number);
            }
        }
        component
    }

    /// Puts the large variants of every union behind a pointer: an enum is as large as its
    /// largest variant, so one big struct beside small variants would make every value big
    /// (clippy's `large_enum_variant`). Runs after [`Self::box_cycles`].
    pub(in crate::lower) fn box_large_variants(&mut self) {
        /// Variants estimated above this many bytes are boxed; the rest stay inline, so no
        /// two variants differ by more than clippy's 200-byte threshold.
        const LARGE: usize = 128;
        let names: Vec<String> = self.types.keys().cloned().collect();
        for name in names {
            let Some(TypeKind::Union(union)) = self.types.get(&name).map(|def| &def.kind) else { continue };
            let large: Vec<usize> = union
                .variants
                .iter()
                .enumerate()
                .filter(|(_, v)| v.ty.as_ref().is_some_and(|ty| self.inline_size(ty, 0, LARGE) > LARGE))
                .map(|(index, _)| index)
                .collect();
            if large.is_empty() {
                continue;
            }
            if let Some(TypeKind::Union(union)) = self.types.get_mut(&name).map(|def| &mut def.kind) {
                for index in large {
                    if let Some(ty) = union.variants[index].ty.as_mut() {
                        *ty = TypeRef::Boxed(Box::new(ty.clone()));
                    }
                }
            }
        }
    }

    /// A generous estimate of the bytes a value of `ty` takes inline: exact up to `cap`, and
    /// past it only known to be larger (the caller asks whether a value is large, so the
    /// sum over a big object's fields stops there).
    fn inline_size(&self, ty: &TypeRef, depth: usize, cap: usize) -> usize {
        match ty {
            TypeRef::Bool
            | TypeRef::Int(_)
            | TypeRef::IntText(_)
            | TypeRef::Float(_)
            | TypeRef::Date
            | TypeRef::Boxed(_) => 8,
            TypeRef::DateTime | TypeRef::Uuid => 16,
            TypeRef::String | TypeRef::Binary | TypeRef::Base64 | TypeRef::Array(_) | TypeRef::Map(_) => 24,
            TypeRef::Json => 32,
            TypeRef::Nullable(inner) => self.inline_size(inner, depth, cap.saturating_sub(8)) + 8,
            // Deeper than this, the estimate is already far past any threshold.
            TypeRef::Named(_) if depth > 8 => 256,
            TypeRef::Named(name) => match self.types.get(name).map(|def| &def.kind) {
                Some(TypeKind::Struct(body)) => {
                    let mut total = if body.additional.is_some() { 24 } else { 0 };
                    for field in &body.fields {
                        let option = if field.required && !field.nullable { 0 } else { 8 };
                        total += option + self.inline_size(&field.ty, depth + 1, cap.saturating_sub(total + option));
                        if total > cap {
                            break;
                        }
                    }
                    total
                }
                Some(TypeKind::Union(union)) => {
                    let mut largest = 0;
                    for ty in union.variants.iter().filter_map(|v| v.ty.as_ref()) {
                        largest = largest.max(self.inline_size(ty, depth + 1, cap.saturating_sub(8)));
                        if 8 + largest > cap {
                            break;
                        }
                    }
                    8 + largest
                }
                Some(TypeKind::Alias(inner)) => self.inline_size(inner, depth + 1, cap),
                Some(TypeKind::Enum(_) | TypeKind::ByStatus(_)) | None => 24,
            },
        }
    }

    /// Marks the optional nullable fields of every type reachable from `roots` (the request
    /// bodies) as able to send an explicit null.
    pub(in crate::lower) fn mark_sent(&mut self, roots: &[&TypeRef]) {
        let mut pending: Vec<String> = Vec::new();
        for root in roots {
            collect_named(root, &mut pending);
        }
        let mut seen = BTreeSet::new();
        while let Some(name) = pending.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            let Some(def) = self.types.get_mut(&name) else { continue };
            match &mut def.kind {
                TypeKind::Struct(body) => {
                    for field in &mut body.fields {
                        field.send_null = !field.required && field.nullable;
                        collect_named(&field.ty, &mut pending);
                    }
                    if let Some(additional) = &body.additional {
                        collect_named(additional, &mut pending);
                    }
                }
                TypeKind::Union(union) => {
                    union.variants.iter().filter_map(|v| v.ty.as_ref()).for_each(|ty| collect_named(ty, &mut pending))
                }
                TypeKind::Alias(ty) => collect_named(ty, &mut pending),
                TypeKind::Enum(_) | TypeKind::ByStatus(_) => {}
            }
        }
    }

    /// Whether `from` contains `target` by value (not behind a `Vec`, map or `Box`), on the
    /// graph as boxed so far. Only the types of `target`'s strongly connected `component` can
    /// lead back to it, so the search stays among them.
    fn reaches<'s>(
        &'s self,
        from: &'s str,
        target: &str,
        component: &FxHashMap<String, usize>,
        seen: &mut FxHashSet<&'s str>,
    ) -> bool {
        if from == target {
            return true;
        }
        if component.get(target).is_none_or(|c| component.get(from) != Some(c)) || !seen.insert(from) {
            return false;
        }
        let Some(def) = self.types.get(from) else { return false };
        def.kind
            .members()
            .into_iter()
            .filter_map(by_value_target)
            .any(|next| self.reaches(next, target, component, seen))
    }
}

/// Makes every type with the same shape and docs as one before it (in name order) an alias
/// of one type of the group, named as `merged_names` decides. Documents repeat an inline enum or object under each operation that uses it
/// (Stripe's spend-control categories, 300 values, six times over); each copy would be
/// another type to compile. Shapes are compared with the types they name taken through the
/// aliases found so far, so objects made of merged parts merge in the next pass. The
/// aliases keep every name the document gives, so code written against any of them still
/// compiles; the change report compares documents before this pass, by the names they give.
pub fn merge_identical(api: &mut Api) {
    let mut aliases: HashMap<String, String> = HashMap::new();
    let mut shapes = Shapes::default();
    // Every type is compared once; after that only those whose shape names a type merged in
    // the pass before, as their shape is all that changed.
    let mut compare: Vec<usize> = (0..api.types.len()).collect();
    while !compare.is_empty() {
        let merged = shapes.pass(api, &compare, &aliases);
        compare.clear();
        for (index, canonical) in merged {
            let canonical = api.types[canonical].name.clone();
            let def = &mut api.types[index];
            def.kind = TypeKind::Alias(TypeRef::Named(canonical.clone()));
            compare.extend(shapes.mentioned_by.get(&def.name).into_iter().flatten());
            aliases.insert(def.name.clone(), canonical);
        }
        compare.sort_unstable();
        compare.dedup();
    }
    super::merged_names::name_groups(api, &aliases);
}

/// A type's shape and docs: two types with the same key are the same type.
type ShapeKey = (TypeKind, Option<String>);

/// The shapes of the types that are not aliases, as [`merge_identical`] last compared them.
#[derive(Default)]
struct Shapes {
    /// The key of each type last compared that is not an alias, with its hash, by index.
    keys: FxHashMap<usize, (u64, ShapeKey)>,
    /// The types that have a key, by the key's hash; no two have the same key.
    by_hash: FxHashMap<u64, Vec<usize>>,
    /// The types whose shape names a type: compared again when that one merges.
    mentioned_by: FxHashMap<String, Vec<usize>>,
}

impl Shapes {
    /// Compares the types at `indices` (ascending) with every other type, as if all were
    /// compared in name order: the pairs (merged, canonical) found.
    fn pass(&mut self, api: &Api, indices: &[usize], aliases: &HashMap<String, String>) -> Vec<(usize, usize)> {
        // The old keys go first, so that none is compared against a shape about to change.
        for index in indices {
            self.forget(*index);
        }
        // The shapes are built on every core; the comparison is in name order.
        let keys: Vec<Option<(u64, ShapeKey)>> = indices
            .par_iter()
            .map(|&index| {
                let def = &api.types[index];
                let alias = matches!(def.kind, TypeKind::Alias(_));
                (!alias).then(|| {
                    let key = (shape(&def.kind, aliases), def.description.clone());
                    (rustc_hash::FxBuildHasher.hash_one(&key), key)
                })
            })
            .collect();
        let mut merged = Vec::new();
        for (&index, key) in indices.iter().zip(keys) {
            let Some((hash, key)) = key else { continue };
            for name in key.0.parts().into_iter().filter_map(TypeRef::named_type) {
                self.mentioned_by.entry(name.to_owned()).or_default().push(index);
            }
            match self.owner(hash, &key) {
                Some(same) if same < index => merged.push((index, same)),
                // A type later in name order, unchanged since its last comparison, merges into
                // this one.
                Some(later) => {
                    self.forget(later);
                    self.keep(index, hash, key);
                    merged.push((later, index));
                }
                None => self.keep(index, hash, key),
            }
        }
        merged
    }

    /// The type that has `key`.
    fn owner(&self, hash: u64, key: &ShapeKey) -> Option<usize> {
        let same = |index: &usize| self.keys.get(index).is_some_and(|(_, kept)| kept == key);
        self.by_hash.get(&hash)?.iter().copied().find(same)
    }

    fn keep(&mut self, index: usize, hash: u64, key: ShapeKey) {
        self.by_hash.entry(hash).or_default().push(index);
        self.keys.insert(index, (hash, key));
    }

    fn forget(&mut self, index: usize) {
        if let Some((hash, _)) = self.keys.remove(&index)
            && let Some(owners) = self.by_hash.get_mut(&hash)
        {
            owners.retain(|owner| *owner != index);
        }
    }
}

/// A type's shape: without where its parts stand in the document, and with the merged
/// types it names replaced by the ones they merged into.
fn shape(kind: &TypeKind, aliases: &HashMap<String, String>) -> TypeKind {
    let mut shape = kind.clone();
    match &mut shape {
        TypeKind::Struct(body) => {
            for field in &mut body.fields {
                field.pointer.clear();
                resolve(&mut field.ty, aliases);
            }
            if let Some(additional) = &mut body.additional {
                resolve(additional, aliases);
            }
        }
        TypeKind::Union(union) => {
            union.variants.iter_mut().filter_map(|v| v.ty.as_mut()).for_each(|ty| resolve(ty, aliases))
        }
        TypeKind::Alias(ty) => resolve(ty, aliases),
        TypeKind::ByStatus(variants) => variants.iter_mut().for_each(|v| resolve(&mut v.ty, aliases)),
        TypeKind::Enum(_) => {}
    }
    shape
}

/// Replaces every merged type `ty` names with the type it merged into.
fn resolve(ty: &mut TypeRef, aliases: &HashMap<String, String>) {
    match ty {
        TypeRef::Named(name) => {
            while let Some(canonical) = aliases.get(name.as_str()) {
                *name = canonical.clone();
            }
        }
        TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) | TypeRef::Boxed(inner) => {
            resolve(inner, aliases)
        }
        _ => {}
    }
}

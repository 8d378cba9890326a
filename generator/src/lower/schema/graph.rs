//! Passes over the lowered type graph: recursion boxed, large union variants boxed, the
//! types a client sends marked, and repeated types merged.

use std::collections::hash_map::Entry;

use crate::ir::Api;

use super::*;

impl TypeLowerer<'_> {
    /// Boxes the fields that make a type contain itself by value.
    pub(in crate::lower) fn box_cycles(&mut self) {
        let names: Vec<String> = self.types.keys().cloned().collect();
        for name in names {
            let Some(def) = self.types.get(&name) else { continue };
            let mut kind = def.kind.clone();
            let mut changed = false;
            match &mut kind {
                TypeKind::Struct(body) => {
                    for field in &mut body.fields {
                        if let Some(target) = by_value_target(&field.ty)
                            && self.reaches(target, &name, &mut BTreeSet::new())
                        {
                            field.ty = TypeRef::Boxed(Box::new(field.ty.clone()));
                            changed = true;
                        }
                    }
                }
                TypeKind::Union(union) => {
                    for ty in union.variants.iter_mut().filter_map(|v| v.ty.as_mut()) {
                        if let Some(target) = by_value_target(ty)
                            && self.reaches(target, &name, &mut BTreeSet::new())
                        {
                            *ty = TypeRef::Boxed(Box::new(ty.clone()));
                            changed = true;
                        }
                    }
                }
                TypeKind::Alias(ty) => {
                    if let Some(target) = by_value_target(ty)
                        && self.reaches(target, &name, &mut BTreeSet::new())
                    {
                        *ty = TypeRef::Json;
                        changed = true;
                        self.diags
                            .warn(&def.origin, format!("`{name}` is an alias of itself; taken as any JSON value"));
                    }
                }
                TypeKind::Enum(_) => {}
            }
            if changed && let Some(def) = self.types.get_mut(&name) {
                def.kind = kind;
            }
        }
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
                .filter(|(_, v)| v.ty.as_ref().is_some_and(|ty| self.inline_size(ty, 0) > LARGE))
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

    /// A generous estimate of the bytes a value of `ty` takes inline.
    fn inline_size(&self, ty: &TypeRef, depth: usize) -> usize {
        match ty {
            TypeRef::Bool | TypeRef::Int(_) | TypeRef::Float(_) | TypeRef::Date | TypeRef::Boxed(_) => 8,
            TypeRef::DateTime | TypeRef::Uuid => 16,
            TypeRef::String | TypeRef::Binary | TypeRef::Base64 | TypeRef::Array(_) | TypeRef::Map(_) => 24,
            TypeRef::Json => 32,
            TypeRef::Nullable(inner) => self.inline_size(inner, depth) + 8,
            // Deeper than this, the estimate is already far past any threshold.
            TypeRef::Named(_) if depth > 8 => 256,
            TypeRef::Named(name) => match self.types.get(name).map(|def| &def.kind) {
                Some(TypeKind::Struct(body)) => {
                    let fields: usize = body
                        .fields
                        .iter()
                        .map(|f| self.inline_size(&f.ty, depth + 1) + if f.required && !f.nullable { 0 } else { 8 })
                        .sum();
                    fields + if body.additional.is_some() { 24 } else { 0 }
                }
                Some(TypeKind::Union(union)) => {
                    let variants = union.variants.iter().filter_map(|v| v.ty.as_ref());
                    8 + variants.map(|ty| self.inline_size(ty, depth + 1)).max().unwrap_or(0)
                }
                Some(TypeKind::Alias(inner)) => self.inline_size(inner, depth + 1),
                Some(TypeKind::Enum(_)) | None => 24,
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
                TypeKind::Enum(_) => {}
            }
        }
    }

    /// Whether `from` contains `target` by value (not behind a `Vec`, map or `Box`).
    fn reaches(&self, from: &str, target: &str, seen: &mut BTreeSet<String>) -> bool {
        if from == target {
            return true;
        }
        if !seen.insert(from.to_owned()) {
            return false;
        }
        let Some(def) = self.types.get(from) else { return false };
        let edges: Vec<&TypeRef> = match &def.kind {
            TypeKind::Struct(body) => body.fields.iter().map(|f| &f.ty).collect(),
            TypeKind::Union(union) => union.variants.iter().filter_map(|v| v.ty.as_ref()).collect(),
            TypeKind::Alias(ty) => vec![ty],
            TypeKind::Enum(_) => vec![],
        };
        edges.into_iter().filter_map(by_value_target).any(|next| self.reaches(next, target, seen))
    }
}

/// Makes every type with the same shape and docs as one before it (in name order) an alias
/// of that one. Documents repeat an inline enum or object under each operation that uses it
/// (Stripe's spend-control categories, 300 values, six times over); each copy would be
/// another type to compile. Shapes are compared with the types they name taken through the
/// aliases found so far, so objects made of merged parts merge in the next pass. The
/// aliases keep every name the document gives, so code written against any of them still
/// compiles; the change report compares documents before this pass, by the names they give.
pub fn merge_identical(api: &mut Api) {
    let mut aliases: HashMap<String, String> = HashMap::new();
    loop {
        let mut first: HashMap<(TypeKind, Option<String>), usize> = HashMap::new();
        let mut merged = Vec::new();
        for (index, def) in api.types.iter().enumerate() {
            if matches!(def.kind, TypeKind::Alias(_)) {
                continue;
            }
            match first.entry((shape(&def.kind, &aliases), def.description.clone())) {
                Entry::Occupied(same) => merged.push((index, *same.get())),
                Entry::Vacant(new) => {
                    new.insert(index);
                }
            }
        }
        if merged.is_empty() {
            return;
        }
        for (index, canonical) in merged {
            let canonical = api.types[canonical].name.clone();
            let def = &mut api.types[index];
            def.kind = TypeKind::Alias(TypeRef::Named(canonical.clone()));
            aliases.insert(def.name.clone(), canonical);
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

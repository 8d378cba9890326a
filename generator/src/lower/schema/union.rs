//! Union inference: `oneOf`/`anyOf` → a union tagged by a discriminator, by a tag every
//! variant implies, or untagged; a union of string enums → one enum.

use super::*;

impl<'a> TypeLowerer<'a> {
    pub(super) fn lower_union(
        &mut self,
        variants: &[ReferenceOr<Schema>],
        pointer: &str,
        naming: Naming,
        description: Option<String>,
        discriminator: Option<&openapiv3::Discriminator>,
    ) -> TypeRef {
        // The type is the schema holding the `oneOf`, not the list.
        let origin = pointer.strip_suffix("/oneOf").or_else(|| pointer.strip_suffix("/anyOf")).unwrap_or(pointer);
        // Each variant's schema, references resolved once; `None` for a null variant.
        let schemas: Vec<Option<Cow<'_, Schema>>> =
            variants.iter().map(|v| if is_null_schema(v) { None } else { self.resolved(v) }).collect();
        let unresolved = variants.iter().zip(&schemas).any(|(v, s)| s.is_none() && !is_null_schema(v));
        if discriminator.is_none()
            && !unresolved
            && let Some(values) = enum_union_values(&schemas)
        {
            return self.lower_enum_union(values, origin, &naming, description);
        }
        let (tag_property, tags) = self.union_tags(variants, &schemas, discriminator, unresolved, origin);
        let tagged = tag_property.is_some();
        let content_property = tag_property.as_deref().and_then(|tag| adjacent_content(variants, tag));
        let base = hint_of(&naming).to_owned();
        let mut lowered: Vec<Lowered> = Vec::new();
        let mut nullable = false;
        for ((index, variant), tags) in variants.iter().enumerate().zip(tags) {
            if is_null_schema(variant) {
                nullable = true;
                continue;
            }
            let at = join(pointer, &index.to_string());
            let shape = VariantShape {
                tag_property: tag_property.as_deref(),
                content_property: content_property.as_deref(),
                base: &base,
            };
            let (ty, name, description) = self.lower_variant(variant, index, &tags, &at, shape, &mut nullable);
            // Variants named by their type and of one type are one variant with several tags.
            match lowered.iter_mut().find(|seen| name.is_none() && seen.name.is_none() && seen.ty == ty) {
                Some(seen) => seen.tags.extend(tags),
                None => lowered.push(Lowered { ty, name, description, tags }),
            }
        }
        let ty = match lowered.as_mut_slice() {
            [] => TypeRef::Json,
            [Lowered { ty: Some(only), .. }] if !tagged => {
                let only = std::mem::replace(only, TypeRef::Json);
                match naming {
                    // A named one-variant union is an alias of that variant.
                    Naming::Exact(name) => {
                        self.ensure_named(&name, only, pointer, description);
                        TypeRef::Named(name)
                    }
                    Naming::Hint(_) => only,
                }
            }
            _ => {
                let name = self.name_for(&naming);
                let variants = union_variants(lowered, tagged);
                let union = Union { variants, tag_property, content_property };
                self.insert(&name, origin, description, TypeKind::Union(union));
                TypeRef::Named(name)
            }
        };
        if nullable { TypeRef::Nullable(Box::new(ty)) } else { ty }
    }

    /// The property that tags the union (the discriminator's, or one every variant implies)
    /// when it names every variant, and each variant's tags.
    fn union_tags(
        &mut self,
        variants: &[ReferenceOr<Schema>],
        schemas: &[Option<Cow<'_, Schema>>],
        discriminator: Option<&openapiv3::Discriminator>,
        unresolved: bool,
        origin: &str,
    ) -> (Option<String>, Vec<Vec<String>>) {
        let at = join(origin, "discriminator");
        let implicit = match discriminator {
            Some(_) => None,
            None if unresolved => None,
            None => self.implicit_tag(schemas),
        };
        let tag_property = discriminator.map(|d| d.property_name.as_str()).or(implicit.as_deref());
        let mapping = discriminator.map(|d| &d.mapping);
        let tags: Vec<Vec<String>> = variants
            .iter()
            .zip(schemas)
            .map(|(variant, schema)| match tag_property {
                Some(property) if !is_null_schema(variant) => {
                    self.tags_of(variant, schema.as_deref(), property, mapping)
                }
                _ => Vec::new(),
            })
            .collect();
        self.warn_stray_mapping(variants, mapping, &at);
        let tagged =
            tag_property.is_some() && variants.iter().zip(&tags).all(|(v, tags)| is_null_schema(v) || !tags.is_empty());
        if discriminator.is_some() && !tagged && variants.iter().any(|v| !is_null_schema(v)) {
            self.diags.warn(&at, "the discriminator does not name every variant; variants are tried in order");
        }
        (tag_property.filter(|_| tagged).map(str::to_owned), tags)
    }

    /// One variant's type (none for a tag alone), its name when the union names it, and its
    /// docs. A nullable variant makes the union nullable instead (`nullable`).
    fn lower_variant(
        &mut self,
        variant: &ReferenceOr<Schema>,
        index: usize,
        tags: &[String],
        at: &str,
        shape: VariantShape<'_>,
        nullable: &mut bool,
    ) -> (Option<TypeRef>, Option<String>, Option<String>) {
        // An inline variant of a tagged union leaves its tag to the union, and is named by it.
        let stripped = match (shape.tag_property, variant) {
            (Some(property), ReferenceOr::Item(schema)) => without_property(schema, property),
            _ => None,
        };
        let Some(rest) = &stripped else {
            let ty = self.lower(Src::from(variant), at, Naming::Hint(compose(shape.base, &format!("Variant{index}"))));
            return (Some(strip_nullable(ty, nullable)), None, None);
        };
        let name = match camel(&tags[0]) {
            name if name.is_empty() => format!("Variant{index}"),
            name => name,
        };
        let hint = Naming::Hint(compose(shape.base, &name));
        let content = shape.content_property.and_then(|c| Some((c, object_parts(rest)?.properties.get(c)?)));
        let ty = match content {
            // The content's own type; a nullable one stays `Option` inside the variant.
            Some((property, schema)) => {
                Some(self.lower(Src::from(schema), &join(&join(at, "properties"), property), hint))
            }
            None if is_empty_object(rest) => None,
            None => Some(strip_nullable(self.lower(Src::Inline(rest), at, hint), nullable)),
        };
        (ty, Some(name), rest.schema_data.description.clone())
    }

    /// A union of string enums as one open enum (each value with its own description), or as
    /// a plain string when it only adds the empty string to any text.
    fn lower_enum_union(
        &mut self,
        values: EnumUnion,
        origin: &str,
        naming: &Naming,
        description: Option<String>,
    ) -> TypeRef {
        let ty = if values.any_text && values.values.iter().all(|(wire, _)| wire.is_empty()) {
            TypeRef::String
        } else {
            let name = self.name_for(naming);
            let wires: Vec<&str> = values.values.iter().map(|(wire, _)| wire.as_str()).collect();
            let mut variants = enum_variants(&wires);
            for (variant, (_, doc)) in variants.iter_mut().zip(&values.values) {
                variant.description = doc.clone();
            }
            self.insert(&name, origin, description, TypeKind::Enum(variants));
            TypeRef::Named(name)
        };
        if values.nullable { TypeRef::Nullable(Box::new(ty)) } else { ty }
    }

    /// The schema a union variant stands for, resolving a reference.
    fn resolved<'v>(&self, variant: &'v ReferenceOr<Schema>) -> Option<Cow<'v, Schema>>
    where
        'a: 'v,
    {
        match variant {
            ReferenceOr::Reference { reference } => self.resolver.resolve_schema(reference).ok().map(|(s, _)| s),
            ReferenceOr::Item(schema) => Some(Cow::Borrowed(schema)),
        }
    }

    /// A property that tells the variants apart although the spec names no discriminator:
    /// every variant is an object that requires it, as a one-value string enum, each with
    /// its own value.
    fn implicit_tag(&self, schemas: &[Option<Cow<'_, Schema>>]) -> Option<String> {
        let schemas: Vec<&Schema> = schemas.iter().flatten().map(|s| s.as_ref()).collect();
        if schemas.len() < 2 {
            return None;
        }
        let first = object_parts(schemas[0])?;
        'candidates: for property in first.properties.keys() {
            let mut seen = BTreeSet::new();
            for schema in &schemas {
                let requires = object_parts(schema).is_some_and(|parts| parts.required.contains(property));
                let fresh = requires && self.single_tag(schema, property).is_some_and(|tag| seen.insert(tag));
                if !fresh {
                    continue 'candidates;
                }
            }
            return Some(property.clone());
        }
        None
    }

    /// The one value a variant's `property` can take, when its schema is a one-value enum.
    fn single_tag(&self, schema: &Schema, property: &str) -> Option<String> {
        let property = match object_parts(schema)?.properties.get(property)? {
            ReferenceOr::Reference { reference } => self.resolver.resolve_schema(reference).ok()?.0,
            ReferenceOr::Item(schema) => Cow::Borrowed(schema.as_ref()),
        };
        match string_enum(&property)?.as_slice() {
            [Some(only)] => Some(only.clone()),
            _ => None,
        }
    }

    /// A warning for each discriminator mapping entry that selects none of the variants: a
    /// value it names is kept as an unknown variant.
    fn warn_stray_mapping(
        &mut self,
        variants: &[ReferenceOr<Schema>],
        mapping: Option<&IndexMap<String, String>>,
        at: &str,
    ) {
        for (value, target) in mapping.into_iter().flatten() {
            let selects = variants.iter().any(|variant| match variant {
                ReferenceOr::Reference { reference } => {
                    reference == target || reference.rsplit('/').next() == Some(target.as_str())
                }
                ReferenceOr::Item(_) => false,
            });
            if !selects {
                self.diags.warn(
                    &join(&join(at, "mapping"), value),
                    format!("`{target}` is not one of the variants; a `{value}` is kept as an unknown value"),
                );
            }
        }
    }

    /// The tag values that select `variant` (whose schema is `schema`): for a reference, the
    /// mapping's entries that point at it, else the one value its schema allows, else its
    /// schema name; for an inline variant, the one value its schema allows.
    fn tags_of(
        &self,
        variant: &ReferenceOr<Schema>,
        schema: Option<&Schema>,
        property: &str,
        mapping: Option<&IndexMap<String, String>>,
    ) -> Vec<String> {
        let own = schema.and_then(|schema| self.single_tag(schema, property));
        let ReferenceOr::Reference { reference } = variant else { return own.into_iter().collect() };
        let name = reference.rsplit('/').next().unwrap_or(reference);
        let mut tags: Vec<String> = mapping
            .into_iter()
            .flatten()
            .filter(|(_, target)| *target == reference || target.as_str() == name)
            .map(|(value, _)| value.clone())
            .collect();
        if tags.is_empty() {
            tags.push(own.unwrap_or_else(|| name.to_owned()));
        }
        tags
    }
}

/// The values of a union of string enums, with each value's description.
struct EnumUnion {
    values: Vec<(String, Option<String>)>,
    nullable: bool,
    /// One variant is any string.
    any_text: bool,
}

/// The values of a union of string enums (at least two variants, at least one of them an
/// enum), from each variant's schema (`None`: a null variant); a variant that is any string
/// adds nothing, since the enum keeps unknown values (the common "one of these, or any other
/// string" shape).
fn enum_union_values(schemas: &[Option<Cow<'_, Schema>>]) -> Option<EnumUnion> {
    let mut union = EnumUnion { values: Vec::new(), nullable: false, any_text: false };
    let mut enums = 0;
    for schema in schemas {
        let Some(schema) = schema else {
            union.nullable = true;
            continue;
        };
        union.nullable |= schema.schema_data.nullable;
        if is_plain_string(schema) {
            union.any_text = true;
            continue;
        }
        let listed = string_enum(schema)?;
        enums += 1;
        union.nullable |= listed.iter().any(Option::is_none);
        let strings: Vec<String> = listed.into_iter().flatten().collect();
        let doc = if strings.len() == 1 { schema.schema_data.description.clone() } else { None };
        for wire in strings {
            if !union.values.iter().any(|(seen, _)| *seen == wire) {
                union.values.push((wire, doc.clone()));
            }
        }
    }
    let variants = schemas.iter().flatten().count();
    (enums >= 1 && variants >= 2 && !union.values.is_empty()).then_some(union)
}

/// An object schema without one of its properties, or `None` when it has no such property.
fn without_property(schema: &Schema, property: &str) -> Option<Schema> {
    let mut rest = schema.clone();
    let (properties, required) = match &mut rest.schema_kind {
        SchemaKind::Type(Type::Object(object)) => (&mut object.properties, &mut object.required),
        SchemaKind::Any(any) => (&mut any.properties, &mut any.required),
        _ => return None,
    };
    properties.shift_remove(property)?;
    required.retain(|name| name != property);
    Some(rest)
}

/// The property that holds every variant's content beside the tag: each variant is inline
/// and, without its tag, has nothing else but this one required property (or nothing).
fn adjacent_content(variants: &[ReferenceOr<Schema>], tag: &str) -> Option<String> {
    let mut content: Option<String> = None;
    for variant in variants.iter().filter(|v| !is_null_schema(v)) {
        let ReferenceOr::Item(schema) = variant else { return None };
        let rest = without_property(schema, tag)?;
        if is_empty_object(&rest) {
            continue;
        }
        let parts = object_parts(&rest)?;
        let [(name, _)] = parts.properties.iter().collect::<Vec<_>>()[..] else { return None };
        let closed = parts.additional.is_none();
        if !closed || !parts.required.contains(name) || content.as_ref().is_some_and(|seen| seen != name) {
            return None;
        }
        content = Some(name.clone());
    }
    content
}

/// What every variant of one union shares.
#[derive(Clone, Copy)]
struct VariantShape<'a> {
    tag_property: Option<&'a str>,
    content_property: Option<&'a str>,
    /// The union's name hint, the stem of inline variants' names.
    base: &'a str,
}

/// The union's variants, named: a tagged union keeps unclaimed tags in an `Unknown`
/// variant, so no variant takes that name.
fn union_variants(lowered: Vec<Lowered>, tagged: bool) -> Vec<UnionVariant> {
    let mut variant_names = if tagged { Registry::with_reserved(&["Unknown"]) } else { Registry::default() };
    lowered
        .into_iter()
        .map(|Lowered { ty, name, description, mut tags }| {
            tags.dedup();
            let wanted = match (name, &ty) {
                (Some(name), _) => name,
                (None, Some(ty)) => variant_name(ty),
                (None, None) => "Variant".to_owned(),
            };
            let rust_name = variant_names.claim(&wanted);
            UnionVariant { rust_name, ty, description, tags: if tagged { tags } else { Vec::new() } }
        })
        .collect()
}

//! Schemas → named Rust types and type references.

mod graph;
mod merged_names;
mod union;
pub use graph::merge_identical;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, IntegerFormat, NumberFormat, ReferenceOr, Schema, SchemaKind, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};
use serde_json::Value;

use crate::diag::{Diagnostics, join};
use crate::ir::{EnumVariant, Field, FloatKind, IntKind, Struct, TypeDef, TypeKind, TypeRef, Union, UnionVariant};
use crate::load::{LoadedSpec, Resolver};
use crate::naming::{Registry, camel, compose, snake};

const COMPONENT_PREFIX: &str = "#/components/schemas/";
/// Deeper than this, a schema is taken as `serde_json::Value` (guards against hostile input).
const MAX_DEPTH: usize = 64;

/// How an inline schema that needs a type gets its name.
#[derive(Debug, Clone)]
pub enum Naming {
    /// This exact name, already claimed.
    Exact(String),
    /// A name derived from the context, claimed on use.
    Hint(String),
}

/// A schema to lower: a reference or an inline schema.
#[derive(Debug, Clone)]
pub enum Src<'s> {
    Ref(&'s str),
    Inline(&'s Schema),
}

impl<'s> From<&'s ReferenceOr<Schema>> for Src<'s> {
    fn from(schema: &'s ReferenceOr<Schema>) -> Self {
        match schema {
            ReferenceOr::Reference { reference } => Src::Ref(reference),
            ReferenceOr::Item(schema) => Src::Inline(schema),
        }
    }
}

impl<'s> From<&'s ReferenceOr<Box<Schema>>> for Src<'s> {
    fn from(schema: &'s ReferenceOr<Box<Schema>>) -> Self {
        match schema {
            ReferenceOr::Reference { reference } => Src::Ref(reference),
            ReferenceOr::Item(schema) => Src::Inline(schema),
        }
    }
}

/// Turns schemas into [`TypeDef`]s, collecting them by name.
pub struct TypeLowerer<'a> {
    pub resolver: Resolver<'a>,
    pub diags: &'a mut Diagnostics,
    names: Registry,
    /// Component schema name → Rust type name.
    components: BTreeMap<String, String>,
    /// Non-component references already lowered, by pointer.
    inner_refs: HashMap<String, TypeRef>,
    /// The variants of each list of enum values lowered so far (documents repeat a list
    /// under every operation that uses it), by the values joined with NUL.
    variants: HashMap<String, Vec<EnumVariant>>,
    pub types: BTreeMap<String, TypeDef>,
    depth: usize,
}

impl<'a> TypeLowerer<'a> {
    pub fn new(spec: &'a LoadedSpec, diags: &'a mut Diagnostics) -> Self {
        Self {
            resolver: Resolver::of(spec),
            diags,
            names: Registry::for_types(),
            components: BTreeMap::new(),
            inner_refs: HashMap::new(),
            variants: HashMap::new(),
            types: BTreeMap::new(),
            depth: 0,
        }
    }

    /// The item, or what its `$ref` points to. A reference that does not resolve is a
    /// warning at `at`: "cannot resolve the `what`", then `fallback` (what happens instead,
    /// e.g. `"; skipped"`), and `None`.
    pub fn item_or_warn<T: serde::de::DeserializeOwned + Clone>(
        &mut self,
        item: &ReferenceOr<T>,
        at: &str,
        what: &str,
        fallback: &str,
    ) -> Option<T> {
        match item {
            ReferenceOr::Item(item) => Some(item.clone()),
            ReferenceOr::Reference { reference } => match self.resolver.resolve::<T>(reference) {
                Ok((item, _)) => Some(item),
                Err((_, message)) => {
                    self.diags.warn(at, format!("cannot resolve the {what}: {message}{fallback}"));
                    None
                }
            },
        }
    }

    /// Reserves a type name derived from `wanted`.
    pub fn claim(&mut self, wanted: &str) -> String {
        self.names.claim(&camel(wanted))
    }

    /// Reserves a type name that must also be free in `other`.
    pub fn claim_in_both(&mut self, other: &mut Registry, wanted: &str) -> String {
        self.names.claim_in_both(other, wanted)
    }

    /// `ty`, or `String` when it names an alias of text (`AssetKey = String`): an input
    /// then takes anything that converts into a `String`, as plain text inputs do.
    pub fn text_alias_as_text(&self, ty: TypeRef) -> TypeRef {
        let mut current = &ty;
        for _ in 0..8 {
            match current {
                TypeRef::Named(name) => match self.types.get(name).map(|def| &def.kind) {
                    Some(TypeKind::Alias(target)) => current = target,
                    _ => return ty,
                },
                TypeRef::String => return TypeRef::String,
                _ => return ty,
            }
        }
        ty
    }

    /// Names every component schema, then lowers each.
    pub fn lower_components(&mut self, schemas: &IndexMap<String, ReferenceOr<Schema>>) {
        let mut sorted: Vec<&String> = schemas.keys().collect();
        sorted.sort();
        for name in &sorted {
            let rust = self.claim(name);
            self.components.insert((*name).clone(), rust);
        }
        for name in sorted {
            let rust = self.components[name].clone();
            let pointer = join("/components/schemas", name);
            let ty = self.lower(Src::from(&schemas[name]), &pointer, Naming::Exact(rust.clone()));
            self.ensure_named(&rust, ty, &pointer, None);
        }
    }

    /// Makes sure a type called `name` exists: when lowering produced another shape
    /// (a primitive, an array, a reference), `name` becomes an alias of it.
    fn ensure_named(&mut self, name: &str, ty: TypeRef, pointer: &str, description: Option<String>) {
        if self.types.contains_key(name) {
            return;
        }
        let target = match ty {
            TypeRef::Nullable(inner) => *inner,
            other => other,
        };
        if target == TypeRef::Named(name.to_owned()) {
            // A schema that refers only to itself: nothing to alias.
            self.diags.warn(pointer, "the schema only refers to itself; it is taken as any JSON value");
            self.insert(name, pointer, description, TypeKind::Alias(TypeRef::Json));
            return;
        }
        self.insert(name, pointer, description, TypeKind::Alias(target));
    }

    fn insert(&mut self, name: &str, pointer: &str, description: Option<String>, kind: TypeKind) {
        self.types
            .insert(name.to_owned(), TypeDef { name: name.to_owned(), description, origin: pointer.to_owned(), kind });
    }

    fn name_for(&mut self, naming: &Naming) -> String {
        match naming {
            Naming::Exact(name) => name.clone(),
            Naming::Hint(hint) => self.names.claim(hint),
        }
    }

    /// Lowers a schema found at `pointer`; a nullable schema yields [`TypeRef::Nullable`].
    pub fn lower(&mut self, src: Src<'_>, pointer: &str, naming: Naming) -> TypeRef {
        if self.depth >= MAX_DEPTH {
            self.diags.warn(pointer, "schema nested too deeply; taken as any JSON value");
            return TypeRef::Json;
        }
        self.depth += 1;
        let ty = match src {
            Src::Ref(reference) => self.lower_ref(reference, pointer, naming),
            Src::Inline(schema) => self.lower_schema(schema, pointer, naming),
        };
        self.depth -= 1;
        ty
    }

    /// The variants of a string enum with `values`.
    fn variants(&mut self, values: &[&str]) -> Vec<EnumVariant> {
        self.variants.entry(values.join("\0")).or_insert_with(|| enum_variants(values)).clone()
    }

    fn lower_ref(&mut self, reference: &str, pointer: &str, naming: Naming) -> TypeRef {
        if let Some(name) = reference.strip_prefix(COMPONENT_PREFIX)
            && let Some(rust) = self.components.get(name).cloned()
        {
            let target = self.resolver.lookup(reference).ok().map(|(value, _)| value);
            let nullable = target.and_then(|v| v.get("nullable")).and_then(Value::as_bool).unwrap_or(false);
            let named = TypeRef::Named(rust);
            return if nullable { TypeRef::Nullable(Box::new(named)) } else { named };
        }
        if let Some(known) = self.inner_refs.get(reference) {
            return known.clone();
        }
        match self.resolver.resolve_schema(reference) {
            Ok((schema, target_pointer)) => {
                // A schema inside another one: give it a name from where it lives.
                let wanted = match &naming {
                    Naming::Exact(name) => name.clone(),
                    Naming::Hint(_) => camel(&pointer_name(&target_pointer)),
                };
                let name = match naming {
                    Naming::Exact(name) => name,
                    Naming::Hint(_) => self.names.claim(&wanted),
                };
                self.inner_refs.insert(reference.to_owned(), TypeRef::Named(name.clone()));
                let ty = self.lower_schema(&schema, &target_pointer, Naming::Exact(name.clone()));
                let description = schema.schema_data.description.clone();
                self.ensure_named(&name, ty.clone(), &target_pointer, description);
                let named = TypeRef::Named(name);
                let result = if schema.schema_data.nullable { TypeRef::Nullable(Box::new(named)) } else { named };
                self.inner_refs.insert(reference.to_owned(), result.clone());
                result
            }
            Err((at, message)) => {
                let at = if at.is_empty() { pointer.to_owned() } else { at };
                self.diags.warn(&at, format!("cannot resolve `{reference}`: {message}; taken as any JSON value"));
                TypeRef::Json
            }
        }
    }

    fn lower_schema(&mut self, schema: &Schema, pointer: &str, naming: Naming) -> TypeRef {
        let data = &schema.schema_data;
        let description = data.description.clone().or_else(|| data.title.clone());
        let ty = match &schema.schema_kind {
            SchemaKind::Type(Type::String(string)) => {
                let values: Vec<&str> = string.enumeration.iter().flatten().map(String::as_str).collect();
                if values.is_empty() {
                    string_format(&string.format)
                } else {
                    let name = self.name_for(&naming);
                    let variants = self.variants(&values);
                    self.insert(&name, pointer, description, TypeKind::Enum(variants));
                    TypeRef::Named(name)
                }
            }
            SchemaKind::Type(Type::Integer(integer)) => TypeRef::Int(match &integer.format {
                VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => IntKind::I32,
                VariantOrUnknownOrEmpty::Unknown(format) if format == "uint32" => IntKind::U32,
                VariantOrUnknownOrEmpty::Unknown(format) if format == "uint64" => IntKind::U64,
                _ => IntKind::I64,
            }),
            SchemaKind::Type(Type::Number(number)) => TypeRef::Float(match &number.format {
                VariantOrUnknownOrEmpty::Item(NumberFormat::Float) => FloatKind::F32,
                _ => FloatKind::F64,
            }),
            SchemaKind::Type(Type::Boolean(_)) => TypeRef::Bool,
            SchemaKind::Type(Type::Array(array)) => {
                let item_naming = Naming::Hint(compose(hint_of(&naming), "Item"));
                let item = match &array.items {
                    Some(items) => self.lower(Src::from(items), &join(pointer, "items"), item_naming),
                    None => TypeRef::Json,
                };
                TypeRef::Array(Box::new(item))
            }
            SchemaKind::Type(Type::Object(object)) => {
                let properties: Vec<Property> = object
                    .properties
                    .iter()
                    .map(|(name, schema)| Property {
                        name: name.clone(),
                        schema: owned(schema),
                        pointer: join(&join(pointer, "properties"), name),
                    })
                    .collect();
                let required: BTreeSet<String> = object.required.iter().cloned().collect();
                self.lower_object(
                    properties,
                    required,
                    object.additional_properties.as_ref(),
                    pointer,
                    naming,
                    description,
                )
            }
            SchemaKind::OneOf { one_of } => {
                self.lower_union(one_of, &join(pointer, "oneOf"), naming, description, data.discriminator.as_ref())
            }
            SchemaKind::AnyOf { any_of } => {
                self.lower_union(any_of, &join(pointer, "anyOf"), naming, description, data.discriminator.as_ref())
            }
            SchemaKind::AllOf { all_of } => self.lower_all_of(all_of, pointer, naming, description),
            SchemaKind::Not { .. } => {
                self.diags.warn(pointer, "`not` schemas have no Rust equivalent; taken as any JSON value");
                TypeRef::Json
            }
            SchemaKind::Any(any) => self.lower_any(any, pointer, naming, description, data.discriminator.as_ref()),
        };
        if data.nullable && !matches!(ty, TypeRef::Nullable(_)) { TypeRef::Nullable(Box::new(ty)) } else { ty }
    }

    fn lower_any(
        &mut self,
        any: &openapiv3::AnySchema,
        pointer: &str,
        naming: Naming,
        description: Option<String>,
        discriminator: Option<&openapiv3::Discriminator>,
    ) -> TypeRef {
        if !any.all_of.is_empty() {
            let mut parts = any.all_of.clone();
            if !any.properties.is_empty() {
                parts.push(ReferenceOr::Item(Schema {
                    schema_data: Default::default(),
                    schema_kind: SchemaKind::Type(Type::Object(openapiv3::ObjectType {
                        properties: any.properties.clone(),
                        required: any.required.clone(),
                        additional_properties: any.additional_properties.clone(),
                        ..Default::default()
                    })),
                }));
            }
            return self.lower_all_of(&parts, pointer, naming, description);
        }
        if !any.one_of.is_empty() {
            return self.lower_union(&any.one_of, &join(pointer, "oneOf"), naming, description, discriminator);
        }
        if !any.any_of.is_empty() {
            return self.lower_union(&any.any_of, &join(pointer, "anyOf"), naming, description, discriminator);
        }
        let typ = any.typ.as_deref();
        if !any.properties.is_empty() || typ == Some("object") || any.additional_properties.is_some() {
            let properties = any
                .properties
                .iter()
                .map(|(name, schema)| Property {
                    name: name.clone(),
                    schema: owned(schema),
                    pointer: join(&join(pointer, "properties"), name),
                })
                .collect();
            let required = any.required.iter().cloned().collect();
            return self.lower_object(
                properties,
                required,
                any.additional_properties.as_ref(),
                pointer,
                naming,
                description,
            );
        }
        if let Some(items) = &any.items {
            let item_naming = Naming::Hint(compose(hint_of(&naming), "Item"));
            return TypeRef::Array(Box::new(self.lower(Src::from(items), &join(pointer, "items"), item_naming)));
        }
        let strings: Vec<&str> = any.enumeration.iter().filter_map(Value::as_str).collect();
        if !strings.is_empty() && strings.len() == any.enumeration.iter().filter(|v| !v.is_null()).count() {
            let name = self.name_for(&naming);
            let variants = self.variants(&strings);
            self.insert(&name, pointer, description, TypeKind::Enum(variants));
            return TypeRef::Named(name);
        }
        match typ {
            Some("string") => match any.format.as_deref() {
                Some("date-time") => TypeRef::DateTime,
                Some("date") => TypeRef::Date,
                Some("binary") => TypeRef::Binary,
                Some("uuid") => TypeRef::Uuid,
                Some("byte") => TypeRef::Base64,
                _ => TypeRef::String,
            },
            Some("integer") => {
                TypeRef::Int(if any.format.as_deref() == Some("int32") { IntKind::I32 } else { IntKind::I64 })
            }
            Some("number") => TypeRef::Float(FloatKind::F64),
            Some("boolean") => TypeRef::Bool,
            Some("array") => TypeRef::Array(Box::new(TypeRef::Json)),
            _ => TypeRef::Json,
        }
    }

    fn lower_object(
        &mut self,
        properties: Vec<Property>,
        required: BTreeSet<String>,
        additional: Option<&AdditionalProperties>,
        pointer: &str,
        naming: Naming,
        description: Option<String>,
    ) -> TypeRef {
        let additional_type = match additional {
            None | Some(AdditionalProperties::Any(false)) => None,
            Some(AdditionalProperties::Any(true)) => Some(TypeRef::Json),
            Some(AdditionalProperties::Schema(schema)) => {
                let hint = Naming::Hint(compose(hint_of(&naming), "Value"));
                Some(self.lower(Src::from(schema.as_ref()), &join(pointer, "additionalProperties"), hint))
            }
        };
        if properties.is_empty() {
            // A map, or an object the spec says nothing more about.
            return TypeRef::Map(Box::new(additional_type.unwrap_or(TypeRef::Json)));
        }
        let name = self.name_for(&naming);
        // The renderer adds `additional_properties` for extra properties: keep that name free.
        let mut field_names = if additional_type.is_some() {
            Registry::with_reserved(&["additional_properties"])
        } else {
            Registry::default()
        };
        let mut fields = Vec::with_capacity(properties.len());
        for property in &properties {
            let hint = Naming::Hint(compose(&name, &camel(&property.name)));
            let ty = self.lower(Src::from(&property.schema), &property.pointer, hint);
            let (ty, nullable) = match ty {
                TypeRef::Nullable(inner) => (*inner, true),
                other => (other, false),
            };
            let field_description = match &property.schema {
                ReferenceOr::Item(schema) => schema.schema_data.description.clone(),
                ReferenceOr::Reference { .. } => None,
            };
            // A read-only property is absent from requests, a write-only one from responses:
            // neither can be required of both.
            let (one_way, default) = match &property.schema {
                ReferenceOr::Item(schema) => (
                    schema.schema_data.read_only || schema.schema_data.write_only,
                    schema.schema_data.default.as_ref().map(Value::to_string),
                ),
                ReferenceOr::Reference { .. } => (false, None),
            };
            fields.push(Field {
                rust_name: field_names.claim(&snake(&property.name)),
                wire_name: property.name.clone(),
                ty,
                required: required.contains(&property.name) && !one_way,
                nullable,
                send_null: false,
                description: field_description,
                default,
                pointer: property.pointer.clone(),
            });
        }
        self.insert(&name, pointer, description, TypeKind::Struct(Struct { fields, additional: additional_type }));
        TypeRef::Named(name)
    }

    fn lower_all_of(
        &mut self,
        parts: &[ReferenceOr<Schema>],
        pointer: &str,
        naming: Naming,
        description: Option<String>,
    ) -> TypeRef {
        if parts.len() == 1 {
            return self.lower(Src::from(&parts[0]), &join(&join(pointer, "allOf"), "0"), naming);
        }
        let mut merged = Merged::default();
        for (index, part) in parts.iter().enumerate() {
            self.collect_parts(part, &join(&join(pointer, "allOf"), &index.to_string()), &mut merged, 0);
        }
        if merged.properties.is_empty()
            && merged.additional.is_none()
            && let Some(single) = merged.non_object.pop()
        {
            return self.lower(Src::Inline(&single.0), &single.1, naming);
        }
        let mut seen = BTreeSet::new();
        // A later part redefines a property: keep the last definition.
        let mut properties: Vec<Property> =
            merged.properties.into_iter().rev().filter(|p| seen.insert(p.name.clone())).collect();
        properties.reverse();
        let description = description.or(merged.description);
        self.lower_object(properties, merged.required, merged.additional.as_ref(), pointer, naming, description)
    }

    fn collect_parts(&mut self, part: &ReferenceOr<Schema>, pointer: &str, merged: &mut Merged, depth: usize) {
        if depth > 16 {
            self.diags.warn(pointer, "allOf nested too deeply; the rest is left out");
            return;
        }
        let (schema, pointer) = match part {
            ReferenceOr::Reference { reference } => match self.resolver.resolve_schema(reference) {
                Ok(found) => found,
                Err((_, message)) => {
                    self.diags.warn(pointer, format!("cannot resolve `{reference}`: {message}"));
                    return;
                }
            },
            ReferenceOr::Item(schema) => (Cow::Borrowed(schema), pointer.to_owned()),
        };
        if merged.description.is_none() {
            merged.description = schema.schema_data.description.clone();
        }
        let (properties, required, additional) = match &schema.schema_kind {
            SchemaKind::AllOf { all_of } => {
                for (index, inner) in all_of.iter().enumerate() {
                    self.collect_parts(inner, &join(&join(&pointer, "allOf"), &index.to_string()), merged, depth + 1);
                }
                return;
            }
            SchemaKind::Type(Type::Object(object)) => {
                (&object.properties, &object.required, &object.additional_properties)
            }
            SchemaKind::Any(any) if !any.properties.is_empty() || any.typ.as_deref() == Some("object") => {
                for (index, inner) in any.all_of.iter().enumerate() {
                    self.collect_parts(inner, &join(&join(&pointer, "allOf"), &index.to_string()), merged, depth + 1);
                }
                (&any.properties, &any.required, &any.additional_properties)
            }
            SchemaKind::Any(any) if !any.all_of.is_empty() => {
                for (index, inner) in any.all_of.iter().enumerate() {
                    self.collect_parts(inner, &join(&join(&pointer, "allOf"), &index.to_string()), merged, depth + 1);
                }
                return;
            }
            SchemaKind::Any(any) if any.typ.is_none() && any.one_of.is_empty() && any.any_of.is_empty() => return,
            _ => {
                merged.non_object.push((schema.into_owned(), pointer));
                return;
            }
        };
        for (name, property) in properties {
            merged.properties.push(Property {
                name: name.clone(),
                schema: owned(property),
                pointer: join(&join(&pointer, "properties"), name),
            });
        }
        merged.required.extend(required.iter().cloned());
        if additional.is_some() {
            merged.additional = additional.clone();
        }
    }
}

#[derive(Default)]
struct Merged {
    properties: Vec<Property>,
    required: BTreeSet<String>,
    additional: Option<AdditionalProperties>,
    description: Option<String>,
    non_object: Vec<(Schema, String)>,
}

/// A union variant on its way to the IR.
struct Lowered {
    ty: Option<TypeRef>,
    /// The name its tag gives it; `None` to name it from its type.
    name: Option<String>,
    description: Option<String>,
    tags: Vec<String>,
}

/// The parts of an object schema that tell its shape.
struct ObjectParts<'s> {
    properties: &'s IndexMap<String, ReferenceOr<Box<Schema>>>,
    required: &'s [String],
    additional: Option<&'s AdditionalProperties>,
}

/// The properties, required names and extra-property rule of an object schema (`type:
/// object`, or an untyped schema that is not a combination).
fn object_parts(schema: &Schema) -> Option<ObjectParts<'_>> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(object)) => Some(ObjectParts {
            properties: &object.properties,
            required: &object.required,
            additional: object.additional_properties.as_ref(),
        }),
        SchemaKind::Any(any) if any.one_of.is_empty() && any.all_of.is_empty() && any.any_of.is_empty() => {
            Some(ObjectParts {
                properties: &any.properties,
                required: &any.required,
                additional: any.additional_properties.as_ref(),
            })
        }
        _ => None,
    }
}

/// The values of a string enum schema (`None` for a listed null).
fn string_enum(schema: &Schema) -> Option<Vec<Option<String>>> {
    let values: Vec<Option<String>> = match &schema.schema_kind {
        SchemaKind::Type(Type::String(string)) => string.enumeration.clone(),
        SchemaKind::Any(any) if matches!(any.typ.as_deref(), None | Some("string")) && any.properties.is_empty() => any
            .enumeration
            .iter()
            .map(|v| match v {
                Value::Null => Some(None),
                Value::String(s) => Some(Some(s.clone())),
                _ => None,
            })
            .collect::<Option<_>>()?,
        _ => return None,
    };
    values.iter().any(Option::is_some).then_some(values)
}

/// A string schema with no enum and no format: any text.
fn is_plain_string(schema: &Schema) -> bool {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(string)) => {
            string.enumeration.is_empty() && matches!(string.format, VariantOrUnknownOrEmpty::Empty)
        }
        SchemaKind::Any(any) => {
            any.typ.as_deref() == Some("string") && any.enumeration.is_empty() && any.format.is_none()
        }
        _ => false,
    }
}

/// A variant's type without its nullability, which goes to the whole union.
fn strip_nullable(ty: TypeRef, nullable: &mut bool) -> TypeRef {
    match ty {
        TypeRef::Nullable(inner) => {
            *nullable = true;
            *inner
        }
        other => other,
    }
}

/// An object schema with no properties left and no room for others.
fn is_empty_object(schema: &Schema) -> bool {
    object_parts(schema).is_some_and(|parts| {
        parts.properties.is_empty() && matches!(parts.additional, None | Some(AdditionalProperties::Any(false)))
    })
}

struct Property {
    name: String,
    schema: ReferenceOr<Schema>,
    pointer: String,
}

fn collect_named(ty: &TypeRef, into: &mut Vec<String>) {
    into.extend(ty.named_type().map(str::to_owned));
}

fn owned(schema: &ReferenceOr<Box<Schema>>) -> ReferenceOr<Schema> {
    match schema {
        ReferenceOr::Reference { reference } => ReferenceOr::Reference { reference: reference.clone() },
        ReferenceOr::Item(schema) => ReferenceOr::Item((**schema).clone()),
    }
}

fn by_value_target(ty: &TypeRef) -> Option<&str> {
    match ty {
        TypeRef::Named(name) => Some(name),
        TypeRef::Nullable(inner) => by_value_target(inner),
        _ => None,
    }
}

fn is_null_schema(schema: &ReferenceOr<Schema>) -> bool {
    match schema {
        ReferenceOr::Item(schema) => match &schema.schema_kind {
            SchemaKind::Any(any) => {
                schema.schema_data.nullable
                    && any.typ.is_none()
                    && any.properties.is_empty()
                    && any.items.is_none()
                    && any.one_of.is_empty()
                    && any.all_of.is_empty()
                    && any.any_of.is_empty()
                    && any.enumeration.iter().all(Value::is_null)
            }
            _ => false,
        },
        ReferenceOr::Reference { .. } => false,
    }
}

fn string_format(format: &VariantOrUnknownOrEmpty<StringFormat>) -> TypeRef {
    match format {
        VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => TypeRef::DateTime,
        VariantOrUnknownOrEmpty::Item(StringFormat::Date) => TypeRef::Date,
        VariantOrUnknownOrEmpty::Item(StringFormat::Binary) => TypeRef::Binary,
        VariantOrUnknownOrEmpty::Item(StringFormat::Byte) => TypeRef::Base64,
        VariantOrUnknownOrEmpty::Unknown(format) if format == "uuid" => TypeRef::Uuid,
        VariantOrUnknownOrEmpty::Unknown(format) => match format.as_str() {
            "int64" => TypeRef::IntText(IntKind::I64),
            "uint64" => TypeRef::IntText(IntKind::U64),
            "int32" => TypeRef::IntText(IntKind::I32),
            "uint32" => TypeRef::IntText(IntKind::U32),
            _ => TypeRef::String,
        },
        _ => TypeRef::String,
    }
}

fn hint_of(naming: &Naming) -> &str {
    match naming {
        Naming::Exact(name) | Naming::Hint(name) => name,
    }
}

/// A readable name from the end of a pointer (`/components/schemas/Tag/allOf/0` → `Tag allOf 0`).
fn pointer_name(pointer: &str) -> String {
    // A schema from another file: named by its place in that file, or by the file's name.
    if let Some((file, inner)) = crate::diag::bundled_origin(pointer) {
        return if inner.is_empty() {
            std::path::Path::new(&file).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or(file)
        } else {
            pointer_name(&inner)
        };
    }
    let tokens: Vec<&str> = pointer.split('/').filter(|t| !t.is_empty()).collect();
    let start = tokens.iter().position(|t| *t == "schemas").map(|i| i + 1).unwrap_or(tokens.len().saturating_sub(3));
    tokens[start..].iter().map(|t| t.replace("~1", "/").replace("~0", "~")).collect::<Vec<_>>().join(" ")
}

/// Variant names for enum values: distinct even when values differ only in case or
/// punctuation, and independent of the order the spec lists them in.
pub fn enum_variants(values: &[&str]) -> Vec<EnumVariant> {
    let mut seen = HashSet::new();
    let unique: Vec<&str> = values.iter().copied().filter(|value| seen.insert(*value)).collect();
    let mut by_wire: Vec<&str> = unique.clone();
    by_wire.sort();
    // `Unknown` is the variant that keeps values the spec does not list.
    let mut registry = Registry::with_reserved(&["Unknown"]);
    let mut names: HashMap<&str, String> = HashMap::new();
    for value in by_wire {
        let mut wanted = camel(value);
        if wanted == "Unknown" {
            wanted = "UnknownValue".into();
        }
        names.insert(value, registry.claim(&wanted));
    }
    unique
        .into_iter()
        .map(|value| EnumVariant { rust_name: names[value].clone(), wire_value: value.to_owned(), description: None })
        .collect()
}

fn variant_name(ty: &TypeRef) -> String {
    match ty {
        TypeRef::Named(name) => name.clone(),
        TypeRef::Array(item) => format!("{}List", variant_name(item)),
        TypeRef::Map(value) => format!("{}Map", variant_name(value)),
        TypeRef::Bool => "Boolean".into(),
        TypeRef::Int(_) | TypeRef::IntText(_) => "Integer".into(),
        TypeRef::Float(_) => "Number".into(),
        TypeRef::String => "String".into(),
        TypeRef::DateTime => "DateTime".into(),
        TypeRef::Date => "Date".into(),
        TypeRef::Binary => "Binary".into(),
        TypeRef::Uuid => "Uuid".into(),
        TypeRef::Base64 => "Bytes".into(),
        TypeRef::Json => "Value".into(),
        TypeRef::Nullable(inner) | TypeRef::Boxed(inner) => variant_name(inner),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colliding_enum_values_get_stable_distinct_names() {
        let names =
            |values: &[&str]| -> Vec<String> { enum_variants(values).into_iter().map(|v| v.rust_name).collect() };
        assert_eq!(names(&["asc", "ASC"]), vec!["Asc2", "Asc"]);
        assert_eq!(names(&["ASC", "asc"]), vec!["Asc", "Asc2"]);
        assert_eq!(names(&[">", ">="]), vec!["Gt", "GtEq"]);
        assert_eq!(names(&["unknown", "UP"]), vec!["UnknownValue", "Up"]);
    }
}

//! Named types → one Rust file each.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::{doc_attrs, paragraphs};
use super::{ident, status_pattern, type_tokens};
use crate::ir::{EnumVariant, Field, StatusMatch, StatusVariant, Struct, TypeDef, TypeKind, TypeRef, Union};
use crate::naming::{Registry, scope};

/// The items of one type's file.
/// The file of a type: its definition, then the aliases that name it (`beside`).
pub fn render_type(def: &TypeDef, beside: &[&TypeDef]) -> TokenStream {
    let items = std::iter::once(def).chain(beside.iter().copied()).map(render_item);
    let uses = sibling_uses(def, beside);
    quote! {
        #uses
        #(#items)*
    }
}

/// One type's definition with its docs.
fn render_item(def: &TypeDef) -> TokenStream {
    let origin = match def.kind {
        TypeKind::ByStatus(_) => format!("Responses: `{}`", def.origin),
        _ => format!("Schema: `{}`", def.origin),
    };
    let doc = paragraphs(&[def.description.as_deref(), Some(&origin)]);
    let docs = doc_attrs(&doc);
    let name = format_ident!("{}", def.name);
    let body = match &def.kind {
        TypeKind::Struct(body) => render_struct(&name, body),
        TypeKind::Enum(variants) => render_enum(&name, variants),
        TypeKind::Union(union) => render_union(&name, union),
        TypeKind::Alias(target) => {
            let target = type_tokens(target, false);
            quote! { pub type #name = #target; }
        }
        TypeKind::ByStatus(variants) => render_by_status(&name, variants),
    };
    quote! {
        #docs
        #body
    }
}

/// Error bodies by status: the enum, and the runtime's `by_status!` that reads one from an
/// answer's status and body (a `default` response's variant takes every other status).
fn render_by_status(name: &proc_macro2::Ident, variants: &[StatusVariant]) -> TokenStream {
    let mut items = Vec::new();
    let mut arms = Vec::new();
    let mut fallback = None;
    let statuses: Vec<StatusMatch> = variants.iter().map(|v| v.status).collect();
    for variant in variants {
        let variant_name = format_ident!("{}", variant.rust_name);
        let ty = type_tokens(&variant.ty, false);
        let docs = doc_attrs(&paragraphs(&[
            Some(&format!("Status {}.", variant.status.label())),
            variant.description.as_deref(),
        ]));
        items.push(quote! { #docs #variant_name(#ty), });
        if variant.status == StatusMatch::Default {
            fallback = Some(variant_name);
        } else if let Some(pattern) = status_pattern(variant.status, &statuses) {
            arms.push(quote! { #pattern => #variant_name });
        }
    }
    let fallback = fallback.map(|variant| quote! { ; _ => #variant });
    quote! {
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name { #(#items)* }

        crate::runtime::by_status!(#name { #(#arms),* #fallback });
    }
}

/// `use super::{A, B};` for the sibling types a file's types mention (`def` and the
/// aliases `beside` it), and what their serde code needs.
fn sibling_uses(def: &TypeDef, beside: &[&TypeDef]) -> TokenStream {
    let mut names = BTreeSet::new();
    for item in std::iter::once(def).chain(beside.iter().copied()) {
        for ty in item.kind.parts() {
            collect_names(ty, &mut names);
        }
    }
    for item in std::iter::once(def).chain(beside.iter().copied()) {
        names.remove(&item.name);
    }
    let serde = match &def.kind {
        TypeKind::Struct(_) => quote! { use crate::runtime::codec; },
        TypeKind::Union(union) if union.tag_property.is_none() => quote! { use serde::{Deserialize, Serialize}; },
        TypeKind::Union(_) => quote! {},
        TypeKind::Enum(_) | TypeKind::Alias(_) | TypeKind::ByStatus(_) => quote! {},
    };
    let names: Vec<_> = names.iter().map(|n| format_ident!("{}", n)).collect();
    if names.is_empty() {
        serde
    } else {
        quote! { #serde use super::{ #(#names),* }; }
    }
}

pub fn collect_names(ty: &TypeRef, names: &mut BTreeSet<String>) {
    names.extend(ty.named_type().map(str::to_owned));
}

/// Whether `Default` can be derived: every field may be absent.
fn all_optional(body: &Struct) -> bool {
    body.fields.iter().all(|f| !f.required || f.nullable)
}

fn render_struct(name: &proc_macro2::Ident, body: &Struct) -> TokenStream {
    let mut fields: Vec<TokenStream> = body.fields.iter().map(struct_field).collect();
    if let Some(additional) = &body.additional {
        let value = type_tokens(additional, false);
        fields.push(quote! {
            /// Properties beyond the ones listed above.
            pub additional_properties: std::collections::BTreeMap<String, #value>,
        });
    }
    let default_derive = if all_optional(body) {
        quote! { Default, }
    } else {
        quote! {}
    };
    let constructor = constructor(name, body);
    let codec = codec(name, body);
    quote! {
        #[derive(Clone, PartialEq, #default_derive)]
        pub struct #name {
            #(#fields)*
        }
        #constructor
        #codec
    }
}

/// The Rust type of a field: `Option` when it may be absent or null, `Option<Option<_>>`
/// when a client must be able to send an explicit null.
fn field_type(field: &Field) -> TokenStream {
    let inner = type_tokens(&field.ty, false);
    if field.send_null {
        quote! { Option<Option<#inner>> }
    } else if is_optional(field) {
        quote! { Option<#inner> }
    } else {
        inner
    }
}

fn is_optional(field: &Field) -> bool {
    !field.required || field.nullable
}

/// A field's declaration: docs, name and type.
fn struct_field(field: &Field) -> TokenStream {
    let default = field.default.as_ref().map(|d| format!("Default: `{}`.", d.replace('`', "'")));
    let docs = doc_attrs(&paragraphs(&[field.description.as_deref(), default.as_deref()]));
    let (field_ident, ty) = (ident(&field.rust_name), field_type(field));
    quote! { #docs pub #field_ident: #ty, }
}

/// `new` with the required fields as arguments, when there are any.
fn constructor(name: &proc_macro2::Ident, body: &Struct) -> Option<TokenStream> {
    let mut args = Vec::new();
    let mut inits = Vec::new();
    for field in &body.fields {
        let field_ident = ident(&field.rust_name);
        if is_optional(field) {
            inits.push(quote! { #field_ident: None });
        } else if matches!(field.ty, TypeRef::String | TypeRef::Named(_)) {
            // Text, and a named type: an alias of text (`AssetKey = String`) takes `&str`
            // like text does, a string enum its wire value, any other type itself.
            let ty = type_tokens(&field.ty, false);
            args.push(quote! { #field_ident: impl Into<#ty> });
            inits.push(quote! { #field_ident: #field_ident.into() });
        } else {
            let ty = type_tokens(&field.ty, false);
            args.push(quote! { #field_ident: #ty });
            inits.push(quote! { #field_ident });
        }
    }
    if body.additional.is_some() {
        inits.push(quote! { additional_properties: Default::default() });
    }
    (!args.is_empty()).then(|| {
        quote! {
            impl #name {
                /// A value with the required fields set and every optional field empty.
                pub fn new(#(#args),*) -> Self {
                    Self { #(#inits),* }
                }
            }
        }
    })
}

/// The struct's `codec::Fields`, which the runtime's `via_fields!` turns into its
/// `Deserialize`, `Serialize` and `Debug` (see `runtime::codec::Fields` for why not
/// derived): the field names, the decoder and the writer.
fn codec(name: &proc_macro2::Ident, body: &Struct) -> TokenStream {
    let wires = body.fields.iter().map(|f| f.wire_name.as_str());
    let decoder = decoder(body);
    let writer = writer(body);
    quote! {
        impl codec::Fields for #name {
            const FIELDS: &'static [&'static str] = &[#(#wires),*];

            #decoder

            #writer
        }

        codec::via_fields!(#name);
    }
}

/// `write_fields`: a line per field into the sink (the serializer's map, or the `Debug`
/// view), optional ones left out of the map when empty. The sink keeps the first error:
/// no `?` per field, whose desugaring is most of a line's type-checking.
fn writer(body: &Struct) -> TokenStream {
    let writes = body.fields.iter().map(|field| {
        let (field_ident, wire) = (ident(&field.rust_name), &field.wire_name);
        match (field.required, carries_int_text(&field.ty)) {
            (true, false) => quote! { out.field(#wire, &self.#field_ident); },
            (false, false) => quote! { out.optional(#wire, &self.#field_ident); },
            (true, true) => quote! { out.text(#wire, &self.#field_ident); },
            (false, true) => quote! { out.optional_text(#wire, &self.#field_ident); },
        }
    });
    let extra = body.additional.as_ref().map(|_| quote! { out.extra(&self.additional_properties); });
    let out = if body.fields.is_empty() && body.additional.is_none() {
        quote! { _ }
    } else {
        quote! { out }
    };
    quote! {
        fn write_fields<W: codec::FieldSink>(&self, #out: &mut W) {
            #(#writes)*
            #extra
        }
    }
}

/// Whether a field's value holds integers the wire carries as text (read and written through
/// the runtime's `codec::IntText`), directly or inside lists, maps and nullables.
fn carries_int_text(ty: &TypeRef) -> bool {
    match ty {
        TypeRef::IntText(_) => true,
        TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => carries_int_text(inner),
        _ => false,
    }
}

/// The decoder's local for a field: its own name, unless that is only underscores and
/// digits (`_1`), which reads as a placeholder.
fn local_name(field: &str) -> String {
    if field.trim_start_matches('_').chars().all(|c| c.is_ascii_digit()) {
        format!("value{field}")
    } else {
        field.to_owned()
    }
}

/// `read_fields`: a loop over the keys that reads each field's value where the struct
/// keeps it until the end.
fn decoder(body: &Struct) -> TokenStream {
    let wires: Vec<&str> = body.fields.iter().map(|f| f.wire_name.as_str()).collect();
    let Reading { setup, reads, others, finish } =
        if all_optional(body) { into_default(body) } else { through_locals(body) };
    let keeps_others = body.additional.is_some();
    let keep = quote! { #others.insert(key.into_owned(), map.value()?); };
    let fields = quote! { #(#wires => #reads,)* };
    let read_loop = match (wires.is_empty(), keeps_others) {
        (true, false) => quote! {
            while map.next_key()?.is_some() {
                map.skip()?;
            }
        },
        (true, true) => quote! { while let Some(key) = map.next_key()? { #keep } },
        // One `?` for the whole match, not one per field: each is a desugared match with
        // trait calls to type-check and borrow-check.
        (false, false) => quote! {
            while let Some(key) = map.next_key()? {
                match &*key { #fields _ => map.skip(), }?;
            }
        },
        (false, true) => quote! {
            while let Some(key) = map.next_key()? {
                match &*key { #fields _ => { #keep Ok(()) } }?;
            }
        },
    };
    quote! {
        fn read_fields<'de, A: serde::de::MapAccess<'de>>(map: &mut codec::FieldReader<'de, A>) -> Result<Self, codec::Stop> {
            #setup
            #read_loop
            #finish
        }
    }
}

/// How a decoder keeps what it reads: set up before the loop, each field's read, where the
/// properties beyond the fields go, and the value made at the end.
struct Reading {
    setup: TokenStream,
    reads: Vec<TokenStream>,
    others: TokenStream,
    finish: TokenStream,
}

/// A struct whose fields may all be absent reads straight into its `Default` value: no
/// local per field and nothing to check at the end, so less to type-check.
fn into_default(body: &Struct) -> Reading {
    let reads = body
        .fields
        .iter()
        .enumerate()
        .map(|(index, field)| {
            let field_ident = ident(&field.rust_name);
            read_call(index, field, quote! { this.#field_ident })
        })
        .collect();
    let binding = if body.fields.is_empty() && body.additional.is_none() {
        quote! { this }
    } else {
        quote! { mut this }
    };
    Reading {
        setup: quote! { let #binding = Self::default(); },
        reads,
        others: quote! { this.additional_properties },
        finish: quote! { Ok(this) },
    }
}

/// Any other struct: one local per field, filled by the loop, then checked. An optional
/// field's local is the field's own `Option`, filled as [`into_default`] fills a field, so
/// it goes into the value as it is.
fn through_locals(body: &Struct) -> Reading {
    let mut locals = Registry::with_reserved(scope::STRUCT_DECODER);
    let slots: Vec<_> =
        body.fields.iter().map(|f| format_ident!("{}", locals.claim(&local_name(&f.rust_name)))).collect();
    let reads = body
        .fields
        .iter()
        .zip(&slots)
        .enumerate()
        .map(|(index, (field, slot))| read_call(index, field, quote! { #slot }))
        .collect();
    // A required field is checked by a `let … else`, cheaper to type-check than a `?`.
    let checks = body.fields.iter().zip(&slots).filter(|(field, _)| !field.send_null && !is_optional(field)).map(
        |(field, slot)| {
            let wire = &field.wire_name;
            quote! { let Some(#slot) = #slot else { return Err(map.missing(#wire)); }; }
        },
    );
    let inits = body.fields.iter().zip(&slots).map(|(field, slot)| {
        let field_ident = ident(&field.rust_name);
        if field_ident == *slot {
            quote! { #field_ident }
        } else {
            quote! { #field_ident: #slot }
        }
    });
    let additional =
        body.additional.as_ref().map(|_| quote! { let mut additional_properties = std::collections::BTreeMap::new(); });
    let additional_init = body.additional.as_ref().map(|_| quote! { additional_properties, });
    Reading {
        setup: quote! { #(let mut #slots = None;)* #additional },
        reads,
        others: quote! { additional_properties },
        finish: quote! { #(#checks)* Ok(Self { #(#inits,)* #additional_init }) },
    }
}

/// The read of field number `index` into `slot`, in the loop over the keys. An optional
/// field is filled as the `Option` it is kept in (`None` for `null`); a required one, or one
/// that keeps an explicit null apart (`send_null`: `Some(None)` for a `null` sent), is read
/// into a slot that stores what it reads.
fn read_call(index: usize, field: &Field, slot: TokenStream) -> TokenStream {
    let index = proc_macro2::Literal::usize_unsuffixed(index);
    let fills = is_optional(field) && !field.send_null;
    match (fills, carries_int_text(&field.ty)) {
        (true, false) => quote! { map.fill(#index, &mut #slot) },
        (true, true) => quote! { map.fill_text(#index, &mut #slot) },
        (false, false) => quote! { map.read(#index, &mut #slot) },
        (false, true) => quote! { map.read_text(#index, &mut #slot) },
    }
}

fn render_enum(name: &proc_macro2::Ident, variants: &[EnumVariant]) -> TokenStream {
    let idents: Vec<_> = variants.iter().map(|v| format_ident!("{}", v.rust_name)).collect();
    let wires: Vec<_> = variants.iter().map(|v| v.wire_value.as_str()).collect();
    let docs = variants.iter().map(|v| {
        let wire = if v.wire_value.is_empty() {
            "The empty string.".to_owned()
        } else {
            format!("`{}`", v.wire_value.replace('`', "'"))
        };
        doc_attrs(&paragraphs(&[v.description.as_deref(), Some(&wire)]))
    });
    quote! {
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #( #docs #idents, )*
            /// A value the spec does not list, kept as sent.
            Unknown(String),
        }

        impl #name {
            /// The value as it goes on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#idents => #wires, )*
                    Self::Unknown(value) => value,
                }
            }
        }

        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #( #wires => Self::#idents, )*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        crate::runtime::enums::string_enum!(#name);
    }
}

fn render_union(name: &proc_macro2::Ident, union: &Union) -> TokenStream {
    let Some(property) = &union.tag_property else { return untagged_union(name, union) };
    let tagged = tagged_variants(union, property);
    let reads = tag_arms(&tagged.by_tag, &tagged.decoders);
    let TaggedVariants { variants, writes, .. } = tagged;
    let unknown_docs = format!(" A `{property}` this client does not know (or none), kept as sent.");
    quote! {
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name {
            #(#variants)*
            #[doc = #unknown_docs]
            Unknown(serde_json::Value),
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    #(#writes)*
                    Self::Unknown(value) => serde::Serialize::serialize(value, serializer),
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let (tag, value) = crate::runtime::codec::read_tagged(deserializer, #property)?;
                match tag.as_deref() {
                    #(#reads)*
                    _ => Ok(Self::Unknown(value)),
                }
            }
        }
    }
}

fn untagged_union(name: &proc_macro2::Ident, union: &Union) -> TokenStream {
    let arms = union.variants.iter().map(|variant| {
        let ident = format_ident!("{}", variant.rust_name);
        let docs = doc_attrs(&paragraphs(&[variant.description.as_deref()]));
        match &variant.ty {
            Some(ty) => {
                let ty = type_tokens(ty, false);
                quote! { #docs #ident(#ty), }
            }
            None => quote! { #docs #ident, },
        }
    });
    quote! {
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(untagged)]
        pub enum #name {
            #(#arms)*
        }
    }
}

/// The variants of a tagged union, how each is written and read, and which variants each
/// tag may select (in order).
struct TaggedVariants<'u> {
    variants: Vec<TokenStream>,
    writes: Vec<TokenStream>,
    decoders: Vec<TokenStream>,
    by_tag: Vec<(&'u String, Vec<usize>)>,
}

fn tagged_variants<'u>(union: &'u Union, property: &str) -> TaggedVariants<'u> {
    let mut out = TaggedVariants { variants: Vec::new(), writes: Vec::new(), decoders: Vec::new(), by_tag: Vec::new() };
    for (index, variant) in union.variants.iter().enumerate() {
        let ident = format_ident!("{}", variant.rust_name);
        let tags = &variant.tags;
        let listed = tags.iter().map(|t| format!("`{}`", t.replace('`', "'"))).collect::<Vec<_>>().join(" or ");
        let selected = match (&union.content_property, &variant.ty) {
            (Some(content), Some(_)) => format!("`{property}` is {listed}; the content is `{content}`."),
            _ => format!("`{property}` is {listed}."),
        };
        let docs = doc_attrs(&paragraphs(&[variant.description.as_deref(), Some(&selected)]));
        let first = &tags[0];
        for tag in tags {
            match out.by_tag.iter_mut().find(|(seen, _)| *seen == tag) {
                Some((_, candidates)) => candidates.push(index),
                None => out.by_tag.push((tag, vec![index])),
            }
        }
        let (write, decode) = match (&variant.ty, &union.content_property) {
            (Some(_), Some(content)) => (
                quote! { Self::#ident(value) => crate::runtime::codec::write_adjacent(serializer, #property, #first, #content, value), },
                quote! { crate::runtime::codec::decode_content(value, #content).map(Self::#ident) },
            ),
            (Some(_), None) => (
                quote! { Self::#ident(value) => crate::runtime::codec::write_tagged(serializer, #property, #first, value), },
                quote! { crate::runtime::codec::decode_variant(value).map(Self::#ident) },
            ),
            (None, _) => (
                quote! { Self::#ident => crate::runtime::codec::write_tag(serializer, #property, #first), },
                quote! { Ok(Self::#ident) },
            ),
        };
        out.variants.push(match &variant.ty {
            Some(ty) => {
                let ty = type_tokens(ty, false);
                quote! { #docs #ident(#ty), }
            }
            None => quote! { #docs #ident, },
        });
        out.writes.push(write);
        out.decoders.push(decode);
    }
    out
}

/// The match arms of `deserialize`: tags that select the same variants share an arm; a
/// tag that several variants claim tries them in order.
fn tag_arms(by_tag: &[(&String, Vec<usize>)], decoders: &[TokenStream]) -> Vec<TokenStream> {
    let mut arms: Vec<(Vec<&String>, &Vec<usize>)> = Vec::new();
    for (tag, candidates) in by_tag {
        match arms.iter_mut().find(|(_, seen)| *seen == candidates) {
            Some((tags, _)) => tags.push(tag),
            None => arms.push((vec![tag], candidates)),
        }
    }
    arms.iter()
        .map(|(tags, candidates)| {
            let (last, earlier) = candidates.split_last().expect("every tag selects a variant");
            let mut chain = decoders[*last].clone();
            for index in earlier.iter().rev() {
                let attempt = &decoders[*index];
                chain = quote! {{
                    let attempt: Result<Self, D::Error> = { let value = value.clone(); #attempt };
                    attempt.or_else(|_| #chain)
                }};
            }
            quote! { Some(#(#tags)|*) => #chain, }
        })
        .collect()
}

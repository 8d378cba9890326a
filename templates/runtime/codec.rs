//! Wire formats that serde does not spell out by itself: base64 bytes, explicit nulls and
//! discriminated unions; and the decoding every generated struct shares.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::de::Error as _;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::nulls::NullAsEmpty;

/// Bytes that travel as base64 text (`format: byte`).
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Base64(pub Vec<u8>);

impl Base64 {
    /// The decoded bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The decoded bytes, owned.
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

impl From<Vec<u8>> for Base64 {
    fn from(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
}

impl From<&[u8]> for Base64 {
    fn from(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }
}

impl fmt::Debug for Base64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Base64({} bytes)", self.0.len())
    }
}

impl Serialize for Base64 {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Base64 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        // Servers differ in padding and alphabet: accept the standard and URL-safe forms.
        let trimmed = text.trim_end_matches('=');
        base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(trimmed)
            .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(trimmed))
            .map(Base64)
            .map_err(|error| D::Error::custom(format!("invalid base64: {error}")))
    }
}

/// Where a struct's [`Fields::write_fields`] puts its fields, in order: the map that
/// serializes it ([`write_struct`]) or the `Debug` view of it ([`debug_struct`]). One
/// method per kind of field, so a struct's writing is a line per field, without `?`.
pub trait FieldSink {
    /// A field that is always sent (a required one, `null` included).
    fn field<T: Serialize + fmt::Debug + ?Sized>(&mut self, name: &str, value: &T);

    /// An optional field: not sent when it is `None`.
    fn optional<T: Serialize + fmt::Debug>(&mut self, name: &str, value: &Option<T>);

    /// A field whose integers travel as text (see [`IntText`]), always sent.
    fn text<T: IntText + fmt::Debug>(&mut self, name: &str, value: &T);

    /// An optional field whose integers travel as text: not sent when it is `None`.
    fn optional_text<T: IntText + fmt::Debug>(&mut self, name: &str, value: &Option<T>);

    /// The properties kept beside the fixed fields.
    fn extra<T: Serialize + fmt::Debug>(&mut self, properties: &BTreeMap<String, T>);
}

/// Writes a struct as a map, field by field. Written per struct instead of derived for the
/// same reason as [`Fields`]; absent optional fields are left out, so the length is not
/// known up front. The first error is kept and returned at the end (the fields after it
/// are not written).
struct FieldWriter<M: SerializeMap> {
    map: M,
    error: Option<M::Error>,
}

/// A generated struct's `Serialize`: its fields written to the serializer's map.
pub fn write_struct<T: Fields, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    let mut writer = FieldWriter { map: serializer.serialize_map(None)?, error: None };
    value.write_fields(&mut writer);
    match writer.error {
        Some(error) => Err(error),
        None => writer.map.end(),
    }
}

impl<M: SerializeMap> FieldWriter<M> {
    fn entry<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) {
        if self.error.is_none()
            && let Err(error) = self.map.serialize_entry(name, value)
        {
            self.error = Some(error);
        }
    }
}

impl<M: SerializeMap> FieldSink for FieldWriter<M> {
    fn field<T: Serialize + fmt::Debug + ?Sized>(&mut self, name: &str, value: &T) {
        self.entry(name, value);
    }

    fn optional<T: Serialize + fmt::Debug>(&mut self, name: &str, value: &Option<T>) {
        if let Some(value) = value {
            self.entry(name, value);
        }
    }

    fn text<T: IntText + fmt::Debug>(&mut self, name: &str, value: &T) {
        self.entry(name, &AsText(value));
    }

    fn optional_text<T: IntText + fmt::Debug>(&mut self, name: &str, value: &Option<T>) {
        if let Some(value) = value {
            self.entry(name, &AsText(value));
        }
    }

    fn extra<T: Serialize + fmt::Debug>(&mut self, properties: &BTreeMap<String, T>) {
        for (name, value) in properties {
            self.entry(name, value);
        }
    }
}

/// A generated struct's `Debug`: `Name { field: value, .. }` as derived, every field shown
/// (`None` included) under its name on the wire, the extra properties after them.
///
/// Not derived: a derived `Debug` is a second body per struct to type-check beside the one
/// that serializes it, about 3% of the console module's check (callgrind's instruction
/// count); this one is the same [`Fields::write_fields`] that serializes.
pub fn debug_struct<T: Fields>(value: &T, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let mut view = DebugFields(f.debug_struct(name));
    value.write_fields(&mut view);
    view.0.finish()
}

struct DebugFields<'a, 'b>(fmt::DebugStruct<'a, 'b>);

impl FieldSink for DebugFields<'_, '_> {
    fn field<T: Serialize + fmt::Debug + ?Sized>(&mut self, name: &str, value: &T) {
        self.0.field(name, &value);
    }

    fn optional<T: Serialize + fmt::Debug>(&mut self, name: &str, value: &Option<T>) {
        self.0.field(name, value);
    }

    fn text<T: IntText + fmt::Debug>(&mut self, name: &str, value: &T) {
        self.0.field(name, value);
    }

    fn optional_text<T: IntText + fmt::Debug>(&mut self, name: &str, value: &Option<T>) {
        self.0.field(name, value);
    }

    fn extra<T: Serialize + fmt::Debug>(&mut self, properties: &BTreeMap<String, T>) {
        for (name, value) in properties {
            self.0.field(name, value);
        }
    }
}

/// A struct read from a map and written to one by name: each generated struct implements it
/// with a loop over the keys that puts every value in its field, and a line per field that
/// writes it; [`via_fields!`] turns them into the struct's `Deserialize`, `Serialize` and
/// `Debug`.
///
/// Written per struct instead of derived: serde's derive also emits a sequence visitor and
/// a field-name enum with its own `Deserialize` for every struct, about three times the
/// code to type-check, and JSON never uses either.
pub trait Fields: Sized {
    /// The field names on the wire, for formats that ask for them up front and to name a
    /// field sent twice.
    const FIELDS: &'static [&'static str];

    /// Reads the fields from `map`. On failure the error waits in `map`; the decoder sees
    /// only [`Stop`], a type that names no type parameter (see there why).
    fn read_fields<'de, A: MapAccess<'de>>(map: &mut FieldReader<'de, A>) -> Result<Self, Stop>;

    /// Writes the fields, in order, to `out`.
    fn write_fields<W: FieldSink>(&self, out: &mut W);
}

/// A generated struct's `Deserialize`: its [`Fields::read_fields`].
pub fn read_struct<'de, T: Fields, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    deserializer.deserialize_struct(std::any::type_name::<T>(), T::FIELDS, StructVisitor(PhantomData))
}

/// The name of struct `T` without its module path, for error messages (only they pay for
/// the search).
fn struct_name<T>() -> &'static str {
    let path = std::any::type_name::<T>();
    path.rsplit("::").next().unwrap_or(path)
}

/// Implements `Deserialize`, `Serialize` and `Debug` for a struct through its [`Fields`],
/// the same way for every struct.
#[macro_export]
#[doc(hidden)]
macro_rules! via_fields {
    ($name:ident) => {
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::__private::codec::read_struct(deserializer)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                $crate::__private::codec::write_struct(self, serializer)
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                $crate::__private::codec::debug_struct(self, stringify!($name), f)
            }
        }
    };
}

#[doc(hidden)]
pub use crate::via_fields;

struct StructVisitor<T>(PhantomData<T>);

impl<'de, T: Fields> Visitor<'de> for StructVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an object (struct {})", struct_name::<T>())
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        let mut reader = FieldReader { map, fields: T::FIELDS, seen: Seen::for_fields(T::FIELDS.len()), error: None };
        T::read_fields(&mut reader).map_err(|Stop| {
            reader.error.unwrap_or_else(|| A::Error::custom("a struct's decoding stopped without an error"))
        })
    }
}

/// A struct's decoding stopped: the error that stopped it waits in its [`FieldReader`], and
/// the visitor returns it.
///
/// Why not the map's own error type: every read in a struct's decoder returns this result,
/// and one that names an associated type of a type parameter (`A::Error`) is dearer to
/// type-check and borrow-check in each of them than a plain type.
#[derive(Debug)]
pub struct Stop;

/// The keys and values of a struct's map, read in turn: [`next_key`](Self::next_key) gives
/// each key, which the struct matches against its field names, then [`read`](Self::read) or
/// [`skip`](Self::skip) takes its value.
pub struct FieldReader<'de, A: MapAccess<'de>> {
    map: A,
    /// The struct's field names, by index: they name a field sent twice.
    fields: &'static [&'static str],
    /// The fields [`fill`](Self::fill) has read, by index.
    seen: Seen,
    /// The error that stopped the decoding.
    error: Option<A::Error>,
}

/// A set of field indexes: a bit each, on the stack up to 128 fields.
enum Seen {
    Few(u128),
    Many(Vec<bool>),
}

impl Seen {
    fn for_fields(count: usize) -> Self {
        if count <= 128 { Seen::Few(0) } else { Seen::Many(vec![false; count]) }
    }

    /// Adds `index`; false when it was there already.
    fn insert(&mut self, index: usize) -> bool {
        match self {
            Seen::Few(bits) => {
                let bit = 1u128 << index;
                let new = *bits & bit == 0;
                *bits |= bit;
                new
            }
            Seen::Many(seen) => !std::mem::replace(&mut seen[index], true),
        }
    }
}

impl<'de, A: MapAccess<'de>> FieldReader<'de, A> {
    /// The next key, `None` at the end. It borrows from the input where the input allows
    /// (JSON read from bytes, keys without escapes), so matching it costs no allocation.
    pub fn next_key(&mut self) -> Result<Option<Cow<'de, str>>, Stop> {
        self.map.next_key_seed(Key).map_err(|error| self.stop(error))
    }

    /// Reads the value of field `index` (of [`Fields::FIELDS`]) into `slot`, `None` for
    /// `null`; a field sent twice is an error. An optional field is read this way, into the
    /// field itself when the struct starts from its `Default` value, else into the local that
    /// becomes the field.
    pub fn fill<T: Deserialize<'de>>(&mut self, index: usize, slot: &mut Option<T>) -> Result<(), Stop> {
        if !self.seen.insert(index) {
            return Err(self.duplicate(index));
        }
        *slot = self.map.next_value().map_err(|error| self.stop(error))?;
        Ok(())
    }

    /// [`fill`](Self::fill) for a field whose integers travel as text (see [`IntText`]).
    pub fn fill_text<T: IntText>(&mut self, index: usize, slot: &mut Option<T>) -> Result<(), Stop> {
        if !self.seen.insert(index) {
            return Err(self.duplicate(index));
        }
        *slot = self.map.next_value::<Text<Option<T>>>().map_err(|error| self.stop(error))?.0;
        Ok(())
    }

    /// Reads the value of field `index` into `slot`, which holds it until the struct is made;
    /// a field sent twice is an error.
    pub fn read<T: Deserialize<'de>>(&mut self, index: usize, slot: &mut Option<T>) -> Result<(), Stop> {
        if slot.is_some() {
            return Err(self.duplicate(index));
        }
        *slot = Some(self.map.next_value().map_err(|error| self.stop(error))?);
        Ok(())
    }

    /// [`read`](Self::read) for a field whose integers travel as text (see [`IntText`]).
    pub fn read_text<T: IntText>(&mut self, index: usize, slot: &mut Option<T>) -> Result<(), Stop> {
        if slot.is_some() {
            return Err(self.duplicate(index));
        }
        *slot = Some(self.map.next_value::<Text<T>>().map_err(|error| self.stop(error))?.0);
        Ok(())
    }

    /// Reads the value of the key just read, whatever it is.
    pub fn value<T: Deserialize<'de>>(&mut self) -> Result<T, Stop> {
        self.map.next_value().map_err(|error| self.stop(error))
    }

    /// Skips the value of a key the struct does not have.
    pub fn skip(&mut self) -> Result<(), Stop> {
        self.map.next_value::<IgnoredAny>().map(drop).map_err(|error| self.stop(error))
    }

    /// Stops the decoding for a required field the input lacks.
    #[cold]
    pub fn missing(&mut self, name: &'static str) -> Stop {
        self.stop(A::Error::missing_field(name))
    }

    /// Stops the decoding for field `index` sent twice.
    #[cold]
    fn duplicate(&mut self, index: usize) -> Stop {
        let error = match self.fields.get(index) {
            Some(name) => A::Error::duplicate_field(name),
            None => A::Error::custom("a field was sent twice"),
        };
        self.stop(error)
    }

    /// Keeps `error` for the visitor and stops the decoding.
    #[cold]
    fn stop(&mut self, error: A::Error) -> Stop {
        self.error = Some(error);
        Stop
    }
}

/// Reads a map key as text, borrowed from the input where it can be.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a property name")
    }

    fn visit_borrowed_str<E: serde::de::Error>(self, key: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(key))
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(key.to_owned()))
    }

    fn visit_string<E: serde::de::Error>(self, key: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(key))
    }

    fn visit_borrowed_bytes<E: serde::de::Error>(self, key: &'de [u8]) -> Result<Self::Value, E> {
        Ok(String::from_utf8_lossy(key))
    }

    fn visit_bytes<E: serde::de::Error>(self, key: &[u8]) -> Result<Self::Value, E> {
        Ok(Cow::Owned(String::from_utf8_lossy(key).into_owned()))
    }
}

/// Reads a discriminated union: the whole value, and the text of its tag property.
pub fn read_tagged<'de, D: Deserializer<'de>>(
    deserializer: D,
    property: &str,
) -> Result<(Option<String>, serde_json::Value), D::Error> {
    let value = serde_json::Value::deserialize(deserializer)?;
    let tag = value.get(property).and_then(serde_json::Value::as_str).map(str::to_owned);
    Ok((tag, value))
}

/// Decodes the variant a tag selected.
pub fn decode_variant<T: serde::de::DeserializeOwned, E: serde::de::Error>(value: serde_json::Value) -> Result<T, E> {
    from_value(value).map_err(E::custom)
}

/// Decodes a value buffered for a union, reading `null` where a collection stands as an
/// empty one (as [`decode_json`](super::error) does for a whole body) when the plain
/// decoding fails.
fn from_value<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, serde_json::Error> {
    match T::deserialize(&value) {
        Ok(decoded) => Ok(decoded),
        Err(error) => T::deserialize(NullAsEmpty(&value)).map_err(|_| error),
    }
}

/// Decodes the content of an adjacently tagged variant (`{"type": "…", "value": …}`); an
/// absent content decodes as `null`.
pub fn decode_content<T: serde::de::DeserializeOwned, E: serde::de::Error>(
    mut value: serde_json::Value,
    property: &str,
) -> Result<T, E> {
    let content = value.get_mut(property).map(serde_json::Value::take).unwrap_or_default();
    from_value(content).map_err(|error| E::custom(format!("`{property}`: {error}")))
}

/// Writes an adjacently tagged variant: the tag and the content side by side.
pub fn write_adjacent<S: Serializer, T: Serialize>(
    serializer: S,
    property: &str,
    tag: &str,
    content_property: &str,
    content: &T,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap as _;
    let mut map = serializer.serialize_map(Some(2))?;
    map.serialize_entry(property, tag)?;
    map.serialize_entry(content_property, content)?;
    map.end()
}

/// Writes a variant of a discriminated union that carries nothing but its tag.
pub fn write_tag<S: Serializer>(serializer: S, property: &str, tag: &str) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap as _;
    let mut map = serializer.serialize_map(Some(1))?;
    map.serialize_entry(property, tag)?;
    map.end()
}

/// Writes a variant of a discriminated union, adding the tag property when the variant's own
/// fields do not carry it.
pub fn write_tagged<S: Serializer, T: Serialize>(
    serializer: S,
    property: &str,
    tag: &str,
    variant: &T,
) -> Result<S::Ok, S::Error> {
    use serde::ser::Error as _;
    let mut value = serde_json::to_value(variant).map_err(S::Error::custom)?;
    if let serde_json::Value::Object(fields) = &mut value {
        fields.entry(property).or_insert_with(|| serde_json::Value::String(tag.to_owned()));
    }
    value.serialize(serializer)
}

/// Integers the wire carries as JSON text (`"revision": "42"`): what the document declares
/// as `type: string` with `format: int64` (or `uint64`, `int32`, `uint32`), as gRPC gateways
/// and others send 64-bit integers. Such fields are integers in Rust, written as text and
/// read from text or a number; the trait reaches them inside options, lists and maps.
pub trait IntText: Sized {
    /// Writes the value with its integers as text.
    fn write_text<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error>;

    /// Reads the value, its integers from text or numbers.
    fn read_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;
}

macro_rules! int_text {
    ($($ty:ty),*) => {
        $(impl IntText for $ty {
            fn write_text<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }

            fn read_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_any(IntVisitor(PhantomData))
            }
        })*
    };
}

int_text!(i32, i64, u32, u64);

/// Reads an integer of type `T` from text or from a number.
struct IntVisitor<T>(PhantomData<T>);

impl<T> IntVisitor<T> {
    fn fit<W: TryInto<T> + fmt::Display + Copy, E: serde::de::Error>(value: W) -> Result<T, E> {
        value.try_into().map_err(|_| E::custom(format!("{value} is out of range for {}", std::any::type_name::<T>())))
    }
}

impl<T: std::str::FromStr + TryFrom<i64> + TryFrom<u64>> Visitor<'_> for IntVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an integer ({}), as text or a number", std::any::type_name::<T>())
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<T, E> {
        text.trim().parse().map_err(|_| E::invalid_value(serde::de::Unexpected::Str(text), &self))
    }

    fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<T, E> {
        Self::fit(value)
    }

    fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<T, E> {
        Self::fit(value)
    }
}

impl<T: IntText> IntText for Option<T> {
    fn write_text<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Some(value) => value.write_text(serializer),
            None => serializer.serialize_none(),
        }
    }

    fn read_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<Text<T>>::deserialize(deserializer).map(|value| value.map(|text| text.0))
    }
}

impl<T: IntText> IntText for Vec<T> {
    fn write_text<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter().map(AsText))
    }

    fn read_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::<Text<T>>::deserialize(deserializer).map(|items| items.into_iter().map(|text| text.0).collect())
    }
}

impl<T: IntText> IntText for BTreeMap<String, T> {
    fn write_text<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter().map(|(key, value)| (key, AsText(value))))
    }

    fn read_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        BTreeMap::<String, Text<T>>::deserialize(deserializer)
            .map(|map| map.into_iter().map(|(key, text)| (key, text.0)).collect())
    }
}

/// A value written with [`IntText`].
pub struct AsText<'a, T>(pub &'a T);

impl<T: IntText> Serialize for AsText<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.write_text(serializer)
    }
}

/// A value read with [`IntText`].
pub struct Text<T>(pub T);

impl<'de, T: IntText> Deserialize<'de> for Text<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::read_text(deserializer).map(Text)
    }
}

//! Wire formats that serde does not spell out by itself: base64 bytes, explicit nulls and
//! discriminated unions.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

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

/// For `Option<Option<T>>` fields: a present `null` becomes `Some(None)`, an absent field
/// (with `#[serde(default)]`) stays `None`.
pub fn explicit_null<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
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
    serde_json::from_value(value).map_err(E::custom)
}

/// Decodes the content of an adjacently tagged variant (`{"type": "…", "value": …}`); an
/// absent content decodes as `null`.
pub fn decode_content<T: serde::de::DeserializeOwned, E: serde::de::Error>(
    mut value: serde_json::Value,
    property: &str,
) -> Result<T, E> {
    let content = value.get_mut(property).map(serde_json::Value::take).unwrap_or_default();
    serde_json::from_value(content).map_err(|error| E::custom(format!("`{property}`: {error}")))
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

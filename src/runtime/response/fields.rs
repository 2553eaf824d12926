//! What the `Deserialize` and `Serialize` impls of the generated structs
//! call.
//!
//! `tapis-codegen` writes those impls itself (codegen's
//! `postprocess/serde_impls.rs`) instead of deriving them: for a struct that
//! keeps unknown keys (`#[serde(flatten)] extra`), serde's derive writes a
//! key enum, a key visitor with a dozen `visit_*` methods and a wrapper type
//! per tolerant field, which made reading types the largest part of the
//! crate's compile time. The written impl is one visitor whose `visit_map`
//! matches each key as text and reads its value in place, with these
//! helpers. It reads exactly what the derive read (same fields, same
//! defaults, same errors: `missing field`, `duplicate field`, an absent
//! `Option` as `None`), and each unknown key goes straight into `extra`.
//! String enums' written `Deserialize` reads its value with [`text`].

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::Deserialize;

/// A key of a JSON object: borrowed from the input when it can be.
#[doc(hidden)]
pub struct Key<'de>(Cow<'de, str>);

impl Key<'_> {
    #[doc(hidden)]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    #[doc(hidden)]
    pub fn into_string(self) -> String {
        self.0.into_owned()
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // An identifier, as the derive asks for: what serde_path_to_error
        // records as the path segment.
        deserializer
            .deserialize_identifier(TextVisitor("a field name"))
            .map(Key)
    }
}

/// The value of a string enum, as text (borrowed from the input when it
/// can be); `expecting` names the enum in the error for anything that is
/// not a string. The generated `Deserialize` of a string enum matches it
/// against its values, and keeps any other text as `Unknown`.
#[doc(hidden)]
pub fn text<'de, D: Deserializer<'de>>(
    deserializer: D,
    expecting: &'static str,
) -> Result<Cow<'de, str>, D::Error> {
    deserializer.deserialize_str(TextVisitor(expecting))
}

/// Reads text; says what it expected (`.0`) when it finds something else.
struct TextVisitor(&'static str);

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.0)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
        match std::str::from_utf8(v) {
            Ok(s) => self.visit_str(s),
            Err(_) => Err(E::invalid_value(de::Unexpected::Bytes(v), &self)),
        }
    }
}

/// Reads the value of `field` into `slot` with `seed` (`PhantomData::<T>`
/// for a plain `T`); a field that comes a second time in one object is an
/// error, as with the derive (checked before its value is read). One call
/// per key keeps the generated `visit_map` small.
#[doc(hidden)]
pub fn read<'de, A, S>(
    map: &mut A,
    slot: &mut Option<S::Value>,
    field: &'static str,
    seed: S,
) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
    S: DeserializeSeed<'de>,
{
    if slot.is_some() {
        return Err(de::Error::duplicate_field(field));
    }
    *slot = Some(map.next_value_seed(seed)?);
    Ok(())
}

/// Reads the value of a key the struct does not declare into `unknown`
/// (later its `extra`).
#[doc(hidden)]
pub fn unknown<'de, A: MapAccess<'de>>(
    map: &mut A,
    unknown: &mut serde_json::Map<String, serde_json::Value>,
    key: Key<'de>,
) -> Result<(), A::Error> {
    let value = map.next_value::<serde_json::Value>()?;
    unknown.insert(key.into_string(), value);
    Ok(())
}

/// The value of a field without a default: what was read, else `None`
/// for an `Option` (or any type that reads `null` as a value) and
/// otherwise the error `missing field`, exactly as serde's derive decides.
#[doc(hidden)]
pub fn take<'de, T: Deserialize<'de>, E: de::Error>(
    slot: Option<T>,
    field: &'static str,
) -> Result<T, E> {
    match slot {
        Some(value) => Ok(value),
        None => T::deserialize(Missing(field, PhantomData)),
    }
}

/// The value of a field read by a tolerant helper and without a default:
/// what was read, else `missing field` (the derive cannot run a
/// `deserialize_with` function without a value).
#[doc(hidden)]
pub fn required<T, E: de::Error>(slot: Option<T>, field: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(field))
}

/// Writes the `extra` entries after the declared fields, as the derive's
/// `#[serde(flatten)]` did.
#[doc(hidden)]
pub fn write_extra<M: SerializeMap>(map: &mut M, extra: &crate::Extra) -> Result<(), M::Error> {
    for (key, value) in extra.iter() {
        map.serialize_entry(key, value)?;
    }
    Ok(())
}

/// A deserializer with nothing in it: it can only say "none".
struct Missing<E>(&'static str, PhantomData<E>);

impl<'de, E: de::Error> Deserializer<'de> for Missing<E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, E> {
        Err(E::missing_field(self.0))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_none()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_absent_option_is_none_and_anything_else_is_missing() {
        let none: Option<u8> = take::<_, serde_json::Error>(None, "a").unwrap();
        assert_eq!(none, None);
        let read: Option<u8> = take::<_, serde_json::Error>(Some(Some(3)), "a").unwrap();
        assert_eq!(read, Some(3));
        let err = take::<String, serde_json::Error>(None, "name").unwrap_err();
        assert_eq!(err.to_string(), "missing field `name`");
        let err = take::<Vec<u8>, serde_json::Error>(None, "list").unwrap_err();
        assert_eq!(err.to_string(), "missing field `list`");
        // A tolerant field without a default is missing even as an `Option`.
        let err = required::<Option<u8>, serde_json::Error>(None, "port").unwrap_err();
        assert_eq!(err.to_string(), "missing field `port`");
    }

    #[test]
    fn keys_borrow_where_they_can() {
        let text = r#"["plain", "esc\u0061ped"]"#;
        let keys: Vec<Key<'_>> = serde_json::from_str(text).unwrap();
        let kinds: Vec<(&str, bool)> = keys
            .iter()
            .map(|k| (k.as_str(), matches!(k.0, Cow::Borrowed(_))))
            .collect();
        assert_eq!(kinds, [("plain", true), ("escaped", false)]);
        assert!(serde_json::from_str::<Key<'_>>("3").is_err());
    }

    #[test]
    fn text_borrows_where_it_can_and_names_what_it_expected() {
        fn read(json: &str) -> serde_json::Result<Cow<'_, str>> {
            text(
                &mut serde_json::Deserializer::from_str(json),
                "a string (a `Kind`)",
            )
        }
        assert!(matches!(read(r#""LINUX""#), Ok(Cow::Borrowed("LINUX"))));
        assert!(matches!(read(r#""L\u0049NUX""#), Ok(Cow::Owned(s)) if s == "LINUX"));
        let err = read("5").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid type: integer `5`, expected a string (a `Kind`) at line 1 column 1"
        );
        assert!(read("null").is_err());
    }
}

//! How generated types read what real servers send ("tolerant reader").
//!
//! Generated fields name these helpers in `#[serde(deserialize_with)]`
//! (see `codegen/src/postprocess/tolerant.rs`); the structs whose serde
//! impls codegen writes out call them as seeds (`OptScalarSeed`...; see
//! [`super::fields`]). The rules, which the README documents too:
//!
//! - `null` where a collection (list, map) or a required value is declared
//!   reads as its default (empty list, `""`, `0`, `false`, `Unknown("")`);
//!   an optional value reads as `None`;
//! - `""` as an envelope's optional `result` where a list or an object is
//!   declared reads as `None` ([`opt_or_blank`]);
//! - a scalar that drifted between server versions reads where its meaning
//!   is clear: a number or boolean where text is declared reads as its JSON
//!   text (`1` → `"1"`, `true` → `"true"`); `"true"`/`"false"` (any case)
//!   and the numbers `0`/`1` where a boolean is declared; a numeric string
//!   where a number is declared (`"42"` → `42`), and a float without
//!   fraction where an integer is (`3.0` → `3`). Anything else (`"abc"` for
//!   a number, `2` for a boolean, a list for text) is still an error naming
//!   its JSON path.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

/// `null` or absent → `T::default()`.
#[doc(hidden)]
pub fn or_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// A scalar with drift tolerance; `null` → default.
#[doc(hidden)]
pub fn scalar<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Scalar,
{
    Ok(deserializer
        .deserialize_any(ScalarVisitor::<T>(PhantomData))?
        .unwrap_or_default())
}

/// An optional scalar with drift tolerance; `null` → `None`.
#[doc(hidden)]
pub fn opt_scalar<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Scalar,
{
    deserializer.deserialize_any(ScalarVisitor::<T>(PhantomData))
}

/// An envelope's optional `result` (a list or an object): `null` and the
/// empty text `""` → `None`. Flask services answer "nothing" as
/// `result=''` (streams: `utils.ok(result='', msg='Roles not found')`,
/// tapis-project/streams-api `service/controllers.py`); anything else is
/// read as `T`, lists and objects straight from the deserializer (nothing
/// is buffered), other values as `T` would read them.
#[doc(hidden)]
pub fn opt_or_blank<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    deserializer.deserialize_any(OrBlankVisitor::<T>(PhantomData))
}

struct OrBlankVisitor<T>(PhantomData<fn() -> T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for OrBlankVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a result, `null` or `\"\"`")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<T>, D::Error> {
        opt_or_blank(deserializer)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<T>, E> {
        if v.is_empty() {
            return Ok(None);
        }
        T::deserialize(de::value::StrDeserializer::new(v)).map(Some)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Option<T>, E> {
        if v.is_empty() {
            return Ok(None);
        }
        T::deserialize(de::value::BorrowedStrDeserializer::new(v)).map(Some)
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Option<T>, E> {
        if v.is_empty() {
            return Ok(None);
        }
        T::deserialize(de::value::StringDeserializer::new(v)).map(Some)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Option<T>, E> {
        T::deserialize(de::value::BoolDeserializer::new(v)).map(Some)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<T>, E> {
        T::deserialize(de::value::I64Deserializer::new(v)).map(Some)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<T>, E> {
        T::deserialize(de::value::U64Deserializer::new(v)).map(Some)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Option<T>, E> {
        T::deserialize(de::value::F64Deserializer::new(v)).map(Some)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Option<T>, A::Error> {
        T::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Some)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Option<T>, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Some)
    }
}

/// The helpers above as seeds, for the `Deserialize` impls codegen writes
/// (see [`super::fields`]): `map.next_value_seed(OptScalarSeed::<i64>::NEW)`
/// reads a value as `opt_scalar` would.
macro_rules! seeds {
    ($($(#[$doc:meta])* $seed:ident: $helper:ident -> $value:ty where $bound:path;)*) => {$(
        $(#[$doc])*
        #[doc(hidden)]
        pub struct $seed<T>(PhantomData<fn() -> T>);

        impl<T> $seed<T> {
            #[doc(hidden)]
            pub const NEW: Self = Self(PhantomData);
        }

        impl<'de, T: $bound> de::DeserializeSeed<'de> for $seed<T> {
            type Value = $value;

            fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<$value, D::Error> {
                $helper(deserializer)
            }
        }
    )*};
}

/// Reads like [`or_default`] (a `T` that is also `Deserialize`).
#[doc(hidden)]
pub trait Defaulted<'de>: Deserialize<'de> + Default {}
impl<'de, T: Deserialize<'de> + Default> Defaulted<'de> for T {}

seeds! {
    /// [`opt_scalar`] as a seed.
    OptScalarSeed: opt_scalar -> Option<T> where Scalar;
    /// [`scalar`] as a seed.
    ScalarSeed: scalar -> T where Scalar;
    /// [`or_default`] as a seed.
    OrDefaultSeed: or_default -> T where Defaulted<'de>;
    /// [`opt_or_blank`] as a seed.
    OptOrBlankSeed: opt_or_blank -> Option<T> where Deserialize<'de>;
}

/// A JSON scalar as read, before it becomes the declared type.
#[derive(Clone, Copy)]
#[doc(hidden)]
pub enum Raw<'a> {
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    Str(&'a str),
}

/// A declared scalar type and the values it accepts.
#[doc(hidden)]
pub trait Scalar: Sized + Default {
    /// What the type is called in errors.
    const EXPECTED: &'static str;
    /// The value `raw` stands for, if its meaning is clear.
    fn from_raw(raw: Raw<'_>) -> Option<Self>;
    /// Text that is already owned (saves a copy for `String`).
    fn from_string(s: String) -> Option<Self> {
        Self::from_raw(Raw::Str(&s))
    }
}

impl Scalar for String {
    const EXPECTED: &'static str = "text";
    fn from_raw(raw: Raw<'_>) -> Option<Self> {
        Some(match raw {
            Raw::Str(s) => s.to_owned(),
            Raw::Bool(b) => b.to_string(),
            Raw::I64(n) => n.to_string(),
            Raw::U64(n) => n.to_string(),
            Raw::F64(n) => serde_json::Number::from_f64(n)?.to_string(),
        })
    }
    fn from_string(s: String) -> Option<Self> {
        Some(s)
    }
}

impl Scalar for bool {
    const EXPECTED: &'static str = "a boolean";
    fn from_raw(raw: Raw<'_>) -> Option<Self> {
        match raw {
            Raw::Bool(b) => Some(b),
            Raw::I64(0) | Raw::U64(0) => Some(false),
            Raw::I64(1) | Raw::U64(1) => Some(true),
            Raw::Str(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Raw::Str(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }
}

macro_rules! integer_scalar {
    ($($t:ty),*) => {$(
        impl Scalar for $t {
            const EXPECTED: &'static str = concat!("an integer (", stringify!($t), ")");
            fn from_raw(raw: Raw<'_>) -> Option<Self> {
                match raw {
                    Raw::I64(n) => <$t>::try_from(n).ok(),
                    Raw::U64(n) => <$t>::try_from(n).ok(),
                    // Only whole numbers inside the type's range.
                    Raw::F64(f) if f.fract() == 0.0 && f >= <$t>::MIN as f64 && f <= <$t>::MAX as f64 => {
                        Some(f as $t)
                    }
                    Raw::Str(s) => s.parse().ok(),
                    _ => None,
                }
            }
        }
    )*};
}
integer_scalar!(i8, i16, i32, i64, u8, u16, u32, u64);

macro_rules! float_scalar {
    ($($t:ty),*) => {$(
        impl Scalar for $t {
            const EXPECTED: &'static str = "a number";
            fn from_raw(raw: Raw<'_>) -> Option<Self> {
                match raw {
                    Raw::I64(n) => Some(n as $t),
                    Raw::U64(n) => Some(n as $t),
                    Raw::F64(f) => Some(f as $t),
                    Raw::Str(s) => s.parse().ok().filter(|f: &$t| f.is_finite()),
                    Raw::Bool(_) => None,
                }
            }
        }
    )*};
}
float_scalar!(f32, f64);

struct ScalarVisitor<T>(PhantomData<T>);

impl<T: Scalar> ScalarVisitor<T> {
    fn take<E: de::Error>(raw: Raw<'_>, unexpected: de::Unexpected<'_>) -> Result<Option<T>, E> {
        T::from_raw(raw)
            .map(Some)
            .ok_or_else(|| E::invalid_value(unexpected, &T::EXPECTED))
    }
}

impl<'de, T: Scalar> Visitor<'de> for ScalarVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(T::EXPECTED)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Self::take(Raw::Bool(v), de::Unexpected::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Self::take(Raw::I64(v), de::Unexpected::Signed(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Self::take(Raw::U64(v), de::Unexpected::Unsigned(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Self::take(Raw::F64(v), de::Unexpected::Float(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Self::take(Raw::Str(v), de::Unexpected::Str(v))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        match T::from_string(v) {
            Some(t) => Ok(Some(t)),
            None => Err(E::invalid_type(de::Unexpected::Other("text"), &T::EXPECTED)),
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, Deserialize, PartialEq, Default)]
    struct S {
        #[serde(default, deserialize_with = "scalar")]
        text: String,
        #[serde(default, deserialize_with = "scalar")]
        flag: bool,
        #[serde(default, deserialize_with = "scalar")]
        count: i32,
        #[serde(default, deserialize_with = "opt_scalar")]
        ratio: Option<f64>,
        #[serde(default, deserialize_with = "or_default")]
        list: Vec<String>,
    }

    fn read(v: serde_json::Value) -> Result<S, String> {
        serde_json::from_value(v).map_err(|e| e.to_string())
    }

    #[test]
    fn drift_reads_where_the_meaning_is_clear() {
        let s =
            read(json!({"text": 7, "flag": "TRUE", "count": "42", "ratio": "0.5", "list": null}))
                .unwrap();
        assert_eq!(
            s,
            S {
                text: "7".into(),
                flag: true,
                count: 42,
                ratio: Some(0.5),
                list: vec![]
            }
        );
        let s = read(json!({"text": true, "flag": 0, "count": 3.0, "ratio": 1})).unwrap();
        assert_eq!(
            (s.text.as_str(), s.flag, s.count, s.ratio),
            ("true", false, 3, Some(1.0))
        );
        let s = read(json!({"text": null, "flag": null, "count": null, "ratio": null})).unwrap();
        assert_eq!(s, S::default());
        assert_eq!(read(json!({})).unwrap(), S::default());
    }

    #[test]
    fn unclear_values_are_still_errors() {
        for bad in [
            json!({"count": "abc"}),
            json!({"count": 3.5}),
            json!({"count": 1e20}),
            json!({"flag": 2}),
            json!({"flag": "yes"}),
            json!({"text": [1]}),
            json!({"text": {"a": 1}}),
            json!({"ratio": "NaN"}),
        ] {
            assert!(read(bad.clone()).is_err(), "{bad} read");
        }
    }

    #[test]
    fn a_blank_or_null_result_is_none_and_any_other_is_read_as_declared() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Obj {
            a: i64,
        }
        #[derive(serde::Deserialize, Debug)]
        struct ListEnvelope {
            #[serde(default, deserialize_with = "super::opt_or_blank")]
            result: Option<Vec<i64>>,
        }
        #[derive(serde::Deserialize, Debug)]
        struct ObjEnvelope {
            #[serde(default, deserialize_with = "super::opt_or_blank")]
            result: Option<Obj>,
        }
        let list = |json: &str| serde_json::from_str::<ListEnvelope>(json).map(|e| e.result);
        let object = |json: &str| serde_json::from_str::<ObjEnvelope>(json).map(|e| e.result);
        assert_eq!(list(r#"{"result": ""}"#).unwrap(), None);
        assert_eq!(list(r#"{"result": null}"#).unwrap(), None);
        assert_eq!(list(r#"{}"#).unwrap(), None);
        assert_eq!(list(r#"{"result": []}"#).unwrap(), Some(vec![]));
        assert_eq!(list(r#"{"result": [1, 2]}"#).unwrap(), Some(vec![1, 2]));
        assert_eq!(object(r#"{"result": ""}"#).unwrap(), None);
        assert_eq!(
            object(r#"{"result": {"a": 1}}"#).unwrap(),
            Some(Obj { a: 1 })
        );
        // From a reader too (owned, not borrowed, text).
        let from_reader: ListEnvelope = serde_json::from_reader(&br#"{"result": ""}"#[..]).unwrap();
        assert_eq!(from_reader.result, None);
        // Anything else is what the declared type makes of it.
        for bad in [
            r#"{"result": "x"}"#,
            r#"{"result": 1}"#,
            r#"{"result": true}"#,
            r#"{"result": {"a": 1}}"#,
        ] {
            let e = list(bad).unwrap_err().to_string();
            assert!(e.contains("expected a sequence"), "{bad}: {e}");
        }
        let e = object(r#"{"result": 5}"#).unwrap_err().to_string();
        assert!(e.contains("expected struct Obj"), "{e}");
        let e = object(r#"{"result": {"a": "x"}}"#).unwrap_err().to_string();
        assert!(
            e.contains("invalid type: string \"x\", expected i64"),
            "{e}"
        );
    }
}

//! [`Extra`]: the properties of a response object that its spec does not
//! declare.

use std::fmt;
use std::ops::{Deref, DerefMut};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Properties a server sent that the spec of the object does not declare
/// (newer servers add fields; some specs omit fields every server sends).
/// Every generated object type has one, in its `extra` field, so nothing the
/// server sent is lost: it serialises back in place, and it reads like a
/// `serde_json::Map`.
///
/// Its `Debug` hides the values of secret-looking keys (`password`,
/// `token`, `secret`, `key`...), as the rest of the crate does.
///
/// ```
/// let system: tapis::systems::types::TapisSystem = serde_json::from_value(
///     serde_json::json!({"id": "s1", "systemType": "LINUX", "newField": 3}),
/// ).unwrap();
/// assert_eq!(system.extra["newField"], 3);
/// ```
#[derive(Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Extra(pub Map<String, Value>);

thread_local! {
    /// Set while a request body given as JSON is checked: undeclared keys
    /// are then an error rather than extras (a typo must not be sent).
    static STRICT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `decode` with undeclared keys refused (see
/// [`crate::request::body_from_json`]). Decoding is synchronous, so the
/// flag never leaks to another decode on this thread.
#[doc(hidden)]
pub fn refusing_extras<T>(decode: impl FnOnce() -> T) -> T {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            STRICT.with(|s| s.set(self.0));
        }
    }
    let _reset = Reset(STRICT.with(|s| s.replace(true)));
    decode()
}

impl<'de> Deserialize<'de> for Extra {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::from_unknown(Map::<String, Value>::deserialize(deserializer)?)
    }
}

impl Extra {
    /// The keys an object had that its type does not declare; an error
    /// while a request body is checked (see [`refusing_extras`]). The
    /// generated `Deserialize` impls collect them (see
    /// [`super::fields`]).
    #[doc(hidden)]
    pub fn from_unknown<E: serde::de::Error>(map: Map<String, Value>) -> Result<Self, E> {
        if !map.is_empty() && STRICT.with(std::cell::Cell::get) {
            let keys: Vec<String> = map.keys().map(|k| format!("`{k}`")).collect();
            return Err(serde::de::Error::custom(format!(
                "the type has no field {}",
                keys.join(", ")
            )));
        }
        Ok(Extra(map))
    }

    /// The map of extra properties.
    pub fn into_map(self) -> Map<String, Value> {
        self.0
    }
}

impl Deref for Extra {
    type Target = Map<String, Value>;

    fn deref(&self) -> &Map<String, Value> {
        &self.0
    }
}

impl DerefMut for Extra {
    fn deref_mut(&mut self) -> &mut Map<String, Value> {
        &mut self.0
    }
}

impl From<Map<String, Value>> for Extra {
    fn from(map: Map<String, Value>) -> Self {
        Extra(map)
    }
}

impl fmt::Debug for Extra {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = Value::Object(self.0.clone());
        crate::error::redact_json(&mut shown);
        match shown {
            Value::Object(map) => f.debug_map().entries(map.iter()).finish(),
            _ => Ok(()),
        }
    }
}

// Generated types that derive `Hash` or `Ord` hold an `Extra` too: extras
// take part through their JSON text (key order included).
impl std::hash::Hash for Extra {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for (k, v) in &self.0 {
            k.hash(state);
            v.to_string().hash(state);
        }
    }
}

impl PartialOrd for Extra {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Extra {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let text = |e: &Extra| Value::Object(e.0.clone()).to_string();
        text(self).cmp(&text(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn debug_hides_secrets() {
        let Value::Object(map) = json!({"a": 1, "password": "pw", "n": {"refresh_token": "t"}})
        else {
            unreachable!()
        };
        let shown = format!("{:?}", Extra(map));
        assert!(shown.contains("\"a\""), "{shown}");
        assert!(!shown.contains("pw") && !shown.contains("\"t\""), "{shown}");
    }
}

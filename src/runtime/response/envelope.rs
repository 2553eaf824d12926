//! The Tapis envelope: `{status, message, result, version, metadata}`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A response type shaped as a Tapis envelope. Code generation
/// (`codegen/src/postprocess/envelope.rs`) implements it for every generated
/// response type that has a `result` field; the envelope schemas that lack
/// `metadata` get one by normalisation, so the paging counts are never
/// dropped.
pub trait Envelope {
    /// The type of `result`; its default is what a null result reads as.
    type Result: Default;

    /// `result`, if present and not null.
    fn result(&self) -> Option<&Self::Result>;

    /// Takes `result` out, if present and not null.
    fn take_result(self) -> Option<Self::Result>;

    /// `status`, `message`, `version` and `metadata`.
    fn envelope_info(&self) -> EnvelopeInfo;
}

/// The parts of an envelope around `result`.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct EnvelopeInfo {
    /// `success` or `error`.
    pub status: Option<String>,
    /// The service's message.
    pub message: Option<String>,
    /// The service's version.
    pub version: Option<String>,
    /// Paging counts and anything else the service put in `metadata`.
    pub metadata: Metadata,
}

/// An envelope's `metadata`. Counts are `-1` where the service did not
/// compute them (`totalCount` without `computeTotal=true`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct Metadata {
    /// All records matching the query (`totalCount`).
    pub total_count: Option<i64>,
    /// Records in this response (`recordCount`).
    pub record_count: Option<i64>,
    /// The limit applied (`recordLimit`).
    pub record_limit: Option<i64>,
    /// Records skipped (`recordsSkipped`).
    pub records_skipped: Option<i64>,
    /// The sort applied (`orderBy`).
    pub order_by: Option<String>,
    /// The `startAfter` value applied.
    pub start_after: Option<String>,
    /// Every other metadata field.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// Builds an [`EnvelopeInfo`] from the fields of a generated envelope,
/// whatever their declared types (string enums, numbers, free-form maps).
#[doc(hidden)]
pub fn envelope_info<S, M, V, D>(status: &S, message: &M, version: &V, metadata: &D) -> EnvelopeInfo
where
    S: Serialize + ?Sized,
    M: Serialize + ?Sized,
    V: Serialize + ?Sized,
    D: Serialize + ?Sized,
{
    fn text<X: Serialize + ?Sized>(x: &X) -> Option<String> {
        match serde_json::to_value(x).ok()? {
            Value::Null => None,
            Value::String(s) => Some(s),
            other => Some(other.to_string()),
        }
    }
    let metadata = match serde_json::to_value(metadata) {
        Ok(v @ Value::Object(_)) => serde_json::from_value(v).unwrap_or_default(),
        _ => Metadata::default(),
    };
    EnvelopeInfo {
        status: text(status),
        message: text(message),
        version: text(version),
        metadata,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn metadata_keeps_counts_and_the_rest() {
        let info = envelope_info(
            "success",
            &Some("ok"),
            &json!(2),
            &json!({"totalCount": -1, "recordCount": 2, "recordLimit": 100, "orderBy": "id(asc)", "extra": [1]}),
        );
        assert_eq!(info.status.as_deref(), Some("success"));
        assert_eq!(info.version.as_deref(), Some("2"));
        assert_eq!(info.metadata.total_count, Some(-1));
        assert_eq!(info.metadata.record_count, Some(2));
        assert_eq!(info.metadata.order_by.as_deref(), Some("id(asc)"));
        assert_eq!(info.metadata.other["extra"], json!([1]));
        assert_eq!(
            envelope_info(&(), &(), &(), &()).metadata,
            Metadata::default()
        );
    }
}

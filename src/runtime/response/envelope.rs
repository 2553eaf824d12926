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

/// Builds an [`EnvelopeInfo`] from the parts of a generated envelope, each
/// already text or JSON: the generated `Envelope` impls clone the parts
/// declared as text and pass the others through [`envelope_part`].
/// (Not generic: one copy serves every envelope type.)
#[doc(hidden)]
pub fn envelope_info(
    status: Option<String>,
    message: Option<String>,
    version: Option<String>,
    metadata: Option<Value>,
) -> EnvelopeInfo {
    let metadata = match metadata {
        Some(v @ Value::Object(_)) => serde_json::from_value(v).unwrap_or_default(),
        _ => Metadata::default(),
    };
    EnvelopeInfo {
        status,
        message,
        version,
        metadata,
    }
}

/// An envelope part of a declared type that is not text (a string enum, a
/// number, a metadata struct) as JSON; null is `None`.
#[doc(hidden)]
pub fn envelope_part<X: Serialize + ?Sized>(part: &X) -> Option<Value> {
    serde_json::to_value(part).ok().filter(|v| !v.is_null())
}

/// An [`envelope_part`] as text: a string as it is, anything else as JSON.
#[doc(hidden)]
pub fn envelope_text(part: Option<Value>) -> Option<String> {
    match part? {
        Value::String(s) => Some(s),
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn metadata_keeps_counts_and_the_rest() {
        let metadata = json!({"totalCount": -1, "recordCount": 2, "recordLimit": 100, "orderBy": "id(asc)", "extra": [1]});
        let info = envelope_info(
            Some("success".into()),
            Some("ok".into()),
            envelope_text(envelope_part(&json!(2))),
            envelope_part(&metadata),
        );
        assert_eq!(info.status.as_deref(), Some("success"));
        assert_eq!(info.version.as_deref(), Some("2"));
        assert_eq!(info.metadata.total_count, Some(-1));
        assert_eq!(info.metadata.record_count, Some(2));
        assert_eq!(info.metadata.order_by.as_deref(), Some("id(asc)"));
        assert_eq!(info.metadata.other["extra"], json!([1]));
        assert_eq!(
            envelope_info(None, None, None, None).metadata,
            Metadata::default()
        );
        // Metadata that is not an object (a list, null) reads as none.
        assert_eq!(
            envelope_info(None, None, None, Some(json!([1]))).metadata,
            Metadata::default()
        );
    }

    #[test]
    fn parts_read_as_text_or_json() {
        #[derive(Serialize)]
        enum Status {
            #[serde(rename = "success")]
            Success,
        }
        assert_eq!(
            envelope_text(envelope_part(&Some(Status::Success))).as_deref(),
            Some("success")
        );
        assert_eq!(envelope_text(envelope_part(&None::<Status>)), None);
        assert_eq!(
            envelope_text(envelope_part(&json!({"a": 1}))).as_deref(),
            Some(r#"{"a":1}"#)
        );
        assert_eq!(envelope_part(&()), None);
    }
}

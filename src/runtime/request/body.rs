//! Request bodies given as JSON (`.body_json(json!(..))` on every operation
//! with a JSON body): checked against the operation's body type before
//! anything is sent.

use serde::de::DeserializeOwned;

/// Decodes `value` as the body type `T` of operation `op`, refusing keys `T`
/// does not declare (at any depth): a misspelt key would otherwise travel as
/// an extra property and the server would ignore it. The error names the
/// JSON path and the problem; it surfaces as [`crate::Error::InvalidInput`]
/// when the call is sent, before anything goes out.
#[doc(hidden)]
pub fn body_from_json<T: DeserializeOwned>(
    op: &str,
    value: serde_json::Value,
) -> Result<T, String> {
    crate::response::refusing_extras(|| serde_path_to_error::deserialize::<_, T>(value)).map_err(
        |e| {
            let path = e.path().to_string();
            let at = if path == "." {
                String::new()
            } else {
                format!(" at `{path}`")
            };
            // serde quotes the offending value: never a secret's, nor a
            // token anywhere.
            let field = path.rsplit('.').next().unwrap_or_default();
            let field = field.split('[').next().unwrap_or_default();
            let why = if crate::error::is_secret_name(field) {
                "the value is not what the type declares (not shown: a secret)".to_string()
            } else {
                crate::error::redact_jwts(&e.into_inner().to_string())
            };
            format!(
                "{op}: the JSON body does not match `{}`{at}: {why}",
                short_type_name::<T>()
            )
        },
    )
}

/// `ReqPostSystem` for `tapis::systems::types::ReqPostSystem`.
fn short_type_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    full.rsplit("::").next().unwrap_or(full)
}

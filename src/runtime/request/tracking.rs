//! The `X-Tapis-Tracking-ID` header, validated as tapipy does.

use crate::Error;

/// The header's canonical spelling on the wire.
#[doc(hidden)]
pub const TRACKING_HEADER: &str = "X-Tapis-Tracking-ID";

/// Whether a header name given by the caller means the tracking id:
/// `X-Tapis-Tracking-ID` or `x_tapis_tracking_id`, in any case.
#[doc(hidden)]
pub fn is_tracking_header(name: &str) -> bool {
    name.len() == TRACKING_HEADER.len()
        && name
            .bytes()
            .zip(TRACKING_HEADER.bytes())
            .all(|(a, b)| a.eq_ignore_ascii_case(&b) || (a == b'_' && b == b'-'))
}

/// Checks a tracking id `namespace.id`: ASCII, at most 126 characters,
/// exactly one `.` and not at either end, namespace of `[A-Za-z0-9_]`, id
/// of `[A-Za-z0-9-]`. The error names the rule that failed.
pub fn validate_tracking_id(value: &str) -> Result<(), Error> {
    let fail = |rule: &str| {
        Err(Error::InvalidInput(format!(
            "tracking id `{value}`: {rule}"
        )))
    };
    if !value.is_ascii() {
        return fail("must be ASCII");
    }
    if value.len() > 126 {
        return fail(&format!(
            "must be at most 126 characters (it has {})",
            value.len()
        ));
    }
    if value.bytes().filter(|b| *b == b'.').count() != 1 {
        return fail("must contain exactly one `.` between the namespace and the id");
    }
    if value.starts_with('.') || value.ends_with('.') {
        return fail("must not start or end with `.`");
    }
    let (namespace, id) = value.split_once('.').unwrap_or_default();
    if !namespace
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return fail("the namespace (before `.`) may contain only letters, digits and `_`");
    }
    if !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return fail("the id (after `.`) may contain only letters, digits and `-`");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_spellings() {
        for name in [
            "X-Tapis-Tracking-ID",
            "x-tapis-tracking-id",
            "x_tapis_tracking_id",
            "X_TAPIS_TRACKING_ID",
        ] {
            assert!(is_tracking_header(name), "{name}");
        }
        assert!(!is_tracking_header("X-Tapis-Tracking"));
        assert!(!is_tracking_header("X-Tapis-Tracking-IDs"));
    }
}

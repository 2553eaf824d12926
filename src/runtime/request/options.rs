//! Per-call settings: extra headers and query parameters, tracking id,
//! timeout, retry policy and debug capture.

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};

use super::tracking::{is_tracking_header, validate_tracking_id, TRACKING_HEADER};
use crate::error::is_secret_name;
use crate::{DebugCapture, Error, RetryPolicy};

/// Settings for one call, on top of the client's. Every operation builder
/// has the same methods (`.tapis_header(..)`, `.tapis_query(..)`,
/// `.tracking_id(..)`, `.timeout(..)`, `.retry_policy(..)`,
/// `.debug_capture(..)`); a prepared `CallOptions` can be applied to any
/// builder with `.call_options(..)`.
///
/// Values are checked when the call is sent; a bad one fails the call with
/// [`Error::InvalidInput`] and nothing is sent.
///
/// ```no_run
/// # async fn demo(t: tapis::Tapis) -> Result<(), tapis::Error> {
/// // GET /v3/systems?limit=10&owner.eq=jdoe&enabled.eq=true
/// let mine = t
///     .systems()
///     .get_systems()
///     .limit(10)
///     .tapis_query("owner.eq", "jdoe")
///     .tapis_query("enabled.eq", "true")
///     .tracking_id("mygateway.run-42")
///     .send()
///     .await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Default)]
#[must_use]
pub struct CallOptions {
    headers: Vec<(String, String)>,
    query: Vec<(String, String)>,
    tracking_id: Option<String>,
    timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    capture: Option<DebugCapture>,
    /// Send without the client's token (public endpoints the SDK itself
    /// reads, such as `/v3/tenants`).
    anonymous: bool,
}

impl fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values may be credentials: only names are shown.
        let headers: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        let query: Vec<(&str, &str)> = self
            .query
            .iter()
            .map(|(k, v)| {
                let v = if is_secret_name(k) { "REDACTED" } else { v };
                (k.as_str(), v)
            })
            .collect();
        f.debug_struct("CallOptions")
            .field("headers", &headers)
            .field("query", &query)
            .field("tracking_id", &self.tracking_id)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("capture", &self.capture.is_some())
            .finish()
    }
}

impl CallOptions {
    /// No extra settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a header to the call (tapipy's `_tapis_headers`). It replaces a
    /// header of the same name set by the SDK or the operation (the access
    /// token included); giving a name twice sends it twice.
    /// `X-Tapis-Tracking-ID` (or `x_tapis_tracking_id`, any case) is the
    /// tracking id and is validated like [`CallOptions::tracking_id`].
    pub fn tapis_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Adds several headers; see [`CallOptions::tapis_header`].
    pub fn tapis_headers<K, V>(mut self, headers: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<String>,
    {
        self.headers
            .extend(headers.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// Adds a query parameter (tapipy's `_tapis_query_parameters`), sent
    /// after the operation's own parameters, in the order given; a name may
    /// repeat. This is how Tapis search filters are written:
    /// `.tapis_query("owner.eq", "jdoe")`,
    /// `.tapis_query("search", "(id.like.my*)~(enabled.eq.true)")`.
    pub fn tapis_query(mut self, name: impl Into<String>, value: impl ToString) -> Self {
        self.query.push((name.into(), value.to_string()));
        self
    }

    /// Adds several query parameters; see [`CallOptions::tapis_query`].
    pub fn tapis_query_params<K, V>(mut self, params: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: ToString,
    {
        self.query
            .extend(params.into_iter().map(|(k, v)| (k.into(), v.to_string())));
        self
    }

    /// Sets `X-Tapis-Tracking-ID` to `namespace.id`: ASCII, at most 126
    /// characters, exactly one `.` and not at either end, a namespace of
    /// letters, digits and `_`, an id of letters, digits and `-`.
    pub fn tracking_id(mut self, id: impl Into<String>) -> Self {
        self.tracking_id = Some(id.into());
        self
    }

    /// Makes this call on behalf of `user` in `tenant` (service accounts):
    /// `X-Tapis-User` and `X-Tapis-Tenant`, replacing the client's.
    pub fn on_behalf_of(self, user: impl Into<String>, tenant: impl Into<String>) -> Self {
        self.tapis_header("X-Tapis-User", user)
            .tapis_header("X-Tapis-Tenant", tenant)
    }

    /// The call's total timeout, if any.
    #[doc(hidden)]
    pub fn call_timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// A total timeout for this call: obtaining or refreshing the token,
    /// every attempt and the waits between them; each attempt is bounded by
    /// it too, body included. Running out is [`crate::Error::Timeout`] (or a
    /// network timeout when it runs out inside an exchange).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The retry policy of this call, instead of the client's.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Records what this call sends and receives in `capture`.
    pub fn debug_capture(mut self, capture: &DebugCapture) -> Self {
        self.capture = Some(capture.clone());
        self
    }

    /// Adds `other`'s headers and query parameters after these; its tracking
    /// id, timeout, retry policy and capture replace these when set.
    pub fn merge(mut self, other: CallOptions) -> Self {
        self.headers.extend(other.headers);
        self.query.extend(other.query);
        self.tracking_id = other.tracking_id.or(self.tracking_id);
        self.timeout = other.timeout.or(self.timeout);
        self.retry = other.retry.or(self.retry);
        self.capture = other.capture.or(self.capture);
        self.anonymous |= other.anonymous;
        self
    }

    /// The retry policy this call replaces the client's with, if any.
    #[doc(hidden)]
    pub fn retry(&self) -> Option<&RetryPolicy> {
        self.retry.as_ref()
    }

    /// The capture this call's exchanges are recorded into, if any.
    #[doc(hidden)]
    pub fn capture(&self) -> Option<&DebugCapture> {
        self.capture.as_ref()
    }

    /// Sends without the client's token (a public endpoint the SDK reads
    /// itself, such as `/v3/tenants`, answers even when the token expired).
    #[doc(hidden)]
    pub fn anonymous(mut self) -> Self {
        self.anonymous = true;
        self
    }

    /// Whether the call goes without the client's token.
    #[doc(hidden)]
    pub fn is_anonymous(&self) -> bool {
        self.anonymous
    }

    /// Whether nothing is set.
    #[doc(hidden)]
    pub fn is_empty(&self) -> bool {
        self.headers.is_empty()
            && self.query.is_empty()
            && self.tracking_id.is_none()
            && self.timeout.is_none()
            && self.retry.is_none()
            && self.capture.is_none()
            && !self.anonymous
    }

    /// These settings as a client's defaults under a call's own `call`:
    /// like [`merge`](Self::merge), except that a header the call sets
    /// replaces the default of that name (any case), and a call acting on
    /// behalf of someone (`X-Tapis-User` or `X-Tapis-Tenant`) replaces both
    /// defaults, never mixing a user from one with a tenant from the other.
    #[doc(hidden)]
    pub fn beneath(mut self, call: CallOptions) -> CallOptions {
        let is_obo = |n: &str| {
            n.eq_ignore_ascii_case("x-tapis-user") || n.eq_ignore_ascii_case("x-tapis-tenant")
        };
        let call_obo = call.headers.iter().any(|(n, _)| is_obo(n));
        self.headers.retain(|(name, _)| {
            let replaced = (call_obo && is_obo(name))
                || call
                    .headers
                    .iter()
                    .any(|(n, _)| n.eq_ignore_ascii_case(name));
            !replaced
        });
        self.merge(call)
    }

    /// Checks every value and applies them to `request`.
    #[doc(hidden)]
    pub fn apply(&self, request: &mut reqwest::Request) -> Result<(), Error> {
        let mut tracking = self.tracking_id.as_deref();
        let mut extra = Vec::new();
        for (name, value) in &self.headers {
            if is_tracking_header(name) {
                if tracking.is_some() {
                    return Err(Error::InvalidInput(
                        "the tracking id is given twice (as `tracking_id` and as a header, \
                         or as two headers); give it once"
                            .into(),
                    ));
                }
                tracking = Some(value);
                continue;
            }
            let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                Error::InvalidInput(format!("`{name}` is not a valid HTTP header name"))
            })?;
            let mut value = HeaderValue::from_str(value).map_err(|_| {
                Error::InvalidInput(format!(
                    "the value of header `{name}` contains characters not allowed in HTTP headers"
                ))
            })?;
            if is_secret_name(name) {
                value.set_sensitive(true);
            }
            extra.push((header, value));
        }
        if let Some(id) = tracking {
            validate_tracking_id(id)?;
            extra.push((
                HeaderName::from_static("x-tapis-tracking-id"),
                HeaderValue::from_str(id).map_err(|_| {
                    Error::InvalidInput(format!("`{TRACKING_HEADER}` value is not a header value"))
                })?,
            ));
        }
        if self.query.iter().any(|(k, _)| k.is_empty()) {
            return Err(Error::InvalidInput(
                "a query parameter has an empty name".into(),
            ));
        }

        // Per-call headers replace same-named ones already on the request.
        let headers = request.headers_mut();
        for (name, _) in &extra {
            headers.remove(name);
        }
        for (name, value) in extra {
            headers.append(name, value);
        }
        if !self.query.is_empty() {
            request
                .url_mut()
                .query_pairs_mut()
                .extend_pairs(&self.query);
        }
        if let Some(timeout) = self.timeout {
            *request.timeout_mut() = Some(timeout);
        }
        Ok(())
    }
}

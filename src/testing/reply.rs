//! Answers: what the stateful core returns and what tests register.

use std::time::Duration;

use bytes::Bytes;
use serde_json::{json, Value};

use super::routes::{match_template, Matched};

/// The `version` field of the server's envelopes.
const VERSION: &str = "testing";

/// An HTTP answer, possibly delayed or broken on purpose.
///
/// ```
/// use std::time::Duration;
/// use tapis::testing::Reply;
///
/// let slow = Reply::envelope(serde_json::json!([])).delay(Duration::from_millis(200));
/// let cut = Reply::bytes(200, "application/octet-stream", vec![0u8; 1000]).truncate_at(10);
/// let gone = Reply::drop_connection();
/// ```
#[derive(Debug, Clone)]
pub struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Bytes,
    pub(crate) delay: Option<Duration>,
    pub(crate) fault: Option<Fault>,
}

/// A broken answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// Close the connection without answering.
    Drop,
    /// Announce the whole body, send this many bytes, close.
    TruncateAt(usize),
    /// Send the headers and this many bytes, then nothing, ever.
    StallAfter(usize),
    /// Never answer.
    Stall,
}

impl Reply {
    /// A JSON answer.
    pub fn json(status: u16, body: &Value) -> Self {
        Self::bytes(status, "application/json", body.to_string())
    }

    /// A raw answer.
    pub fn bytes(status: u16, content_type: &str, body: impl Into<Bytes>) -> Self {
        Self {
            status,
            headers: vec![("content-type".to_string(), content_type.to_string())],
            body: body.into(),
            delay: None,
            fault: None,
        }
    }

    /// 200 with a success envelope around `result`.
    pub fn envelope(result: Value) -> Self {
        Self::envelope_with_metadata(result, json!({}))
    }

    /// 200 with a success envelope around `result` and `metadata` (paging
    /// counts such as `totalCount`).
    pub fn envelope_with_metadata(result: Value, metadata: Value) -> Self {
        Self::json(
            200,
            &json!({"status": "success", "message": "ok", "result": result,
                    "version": VERSION, "metadata": metadata}),
        )
    }

    /// An error envelope (`status: "error"`) with `message`.
    pub fn error(status: u16, message: &str) -> Self {
        Self::json(
            status,
            &json!({"status": "error", "message": message, "result": null,
                    "version": VERSION, "metadata": {}}),
        )
    }

    /// Closes the connection without answering.
    pub fn drop_connection() -> Self {
        Self::error(500, "").fault(Fault::Drop)
    }

    /// Never answers (until the server is dropped).
    pub fn stall() -> Self {
        Self::error(500, "").fault(Fault::Stall)
    }

    /// Replaces the status.
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers
            .push((name.to_ascii_lowercase(), value.to_string()));
        self
    }

    /// Waits this long before answering.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    /// Announces the whole body (`Content-Length`) but closes the connection
    /// after `n` bytes of it.
    pub fn truncate_at(self, n: usize) -> Self {
        self.fault(Fault::TruncateAt(n))
    }

    /// Sends the headers and `n` bytes of the body, then stalls.
    pub fn stall_after(self, n: usize) -> Self {
        self.fault(Fault::StallAfter(n))
    }

    fn fault(mut self, fault: Fault) -> Self {
        self.fault = Some(fault);
        self
    }

    /// A success envelope with a message, as the core answers.
    pub(crate) fn ok(message: &str, result: Value) -> Self {
        Self::ok_with_status(200, message, result)
    }

    pub(crate) fn ok_with_status(status: u16, message: &str, result: Value) -> Self {
        Self::json(
            status,
            &json!({"status": "success", "message": message, "result": result,
                    "version": VERSION, "metadata": {}}),
        )
    }
}

/// What a registered answer applies to.
#[derive(Debug, Clone)]
pub(crate) enum Matcher {
    Operation { service: String, id: String },
    Route { method: String, template: String },
}

impl Matcher {
    fn matches(&self, method: &str, path: &str, matched: Option<&Matched>) -> bool {
        match self {
            Matcher::Operation { service, id } => {
                matched.is_some_and(|m| m.operation.service == service && m.operation.id == id)
            }
            Matcher::Route {
                method: m,
                template,
            } => m == method && match_template(template, path).is_some(),
        }
    }
}

/// A registered answer.
#[derive(Debug, Clone)]
pub(crate) struct Stub {
    pub matcher: Matcher,
    pub reply: Reply,
    /// How many more requests it answers; `None`: all.
    pub remaining: Option<usize>,
}

/// The answer registered last that matches and is not used up, counting
/// the use.
pub(crate) fn take(
    stubs: &mut [Stub],
    method: &str,
    path: &str,
    matched: Option<&Matched>,
) -> Option<Reply> {
    let stub = stubs
        .iter_mut()
        .rev()
        .find(|s| s.remaining != Some(0) && s.matcher.matches(method, path, matched))?;
    if let Some(n) = &mut stub.remaining {
        *n -= 1;
    }
    Some(stub.reply.clone())
}

//! Turning a 2xx `reqwest::Response` into a [`Response`].

use bytes::Bytes;
use serde::de::DeserializeOwned;

use super::Response;
use crate::transport::RequestLine;
use crate::Error;

/// A body the transport read whole before handing the response on (so that
/// an answer cut off mid-body could be sent for again), kept in the
/// response's extensions.
#[derive(Clone)]
#[doc(hidden)]
pub struct Prefetched(pub Bytes);

/// Reads the whole body of `response` under its cap
/// (`TapisBuilder::max_body_size`); a connection that breaks off is
/// [`crate::error::NetworkErrorKind::BodyInterrupted`].
#[doc(hidden)]
pub async fn read_whole(
    response: &mut reqwest::Response,
    line: &RequestLine,
) -> Result<Bytes, Error> {
    let limit = response
        .extensions()
        .get::<crate::transport::BodyLimit>()
        .map_or(crate::transport::DEFAULT_BODY_LIMIT, |l| l.0);
    crate::auth::read_capped(response, limit)
        .await
        .map_err(|e| match e {
            Some(e) => Error::network_body(&line.method, &line.url, e),
            None => Error::invalid_response_without_body(
                response.status(),
                format!(
                    "the body is longer than {limit} bytes, the most read into memory \
                     (TapisBuilder::max_body_size)"
                ),
                None,
            ),
        })
}

/// Reads the whole body (or takes the one the transport read).
///
/// Not an `async fn`, and the reading boxed: most JSON answers were read by
/// the transport, and the future of every call holds this one, so it holds
/// only the answer (an `async fn` would keep a second copy of the response,
/// rust-lang/rust#62958).
#[doc(hidden)]
pub fn read_body(
    mut response: reqwest::Response,
) -> impl std::future::Future<Output = Result<Response<Bytes>, Error>> + Send {
    let read = match response.extensions_mut().remove::<Prefetched>() {
        Some(Prefetched(body)) => Ok(answer_of(body, &mut response)),
        None => Err(Box::pin(read_unread(response))),
    };
    async move {
        match read {
            Ok(read) => Ok(read),
            Err(reading) => reading.await,
        }
    }
}

/// `body` with the status and headers of `response` (taken, not copied:
/// the body is read).
fn answer_of(body: Bytes, response: &mut reqwest::Response) -> Response<Bytes> {
    Response::new(
        body,
        response.status(),
        std::mem::take(response.headers_mut()),
    )
}

/// Reads the body of a response the transport did not read.
async fn read_unread(mut response: reqwest::Response) -> Result<Response<Bytes>, Error> {
    let line = RequestLine::of(&response);
    let body = read_whole(&mut response, &line).await?;
    Ok(answer_of(body, &mut response))
}

/// Decodes a JSON body whatever its content type says
/// (`application/json; charset=utf-8` included). An empty body (meta answers
/// some creates with an empty 201) decodes as `null`, or as `{}` for a type
/// that needs an object (an envelope comes back with its fields unset).
/// The body as received stays on the response ([`Response::raw_body`]).
#[doc(hidden)]
pub fn decode_json<T: DeserializeOwned>(
    response: reqwest::Response,
) -> impl std::future::Future<Output = Result<Response<T>, Error>> + Send {
    let read = read_body(response);
    async move { decode(read.await?) }
}

/// [`decode_json`] of a body already read.
fn decode<T: DeserializeOwned>(read: Response<Bytes>) -> Result<Response<T>, Error> {
    let Response {
        body,
        status,
        headers,
        ..
    } = read;
    let decoded = if body.iter().all(u8::is_ascii_whitespace) {
        serde_json::from_slice::<T>(b"null").or_else(|_| serde_json::from_slice(b"{}"))
    } else {
        serde_json::from_slice(&body)
    };
    match decoded {
        Ok(value) => Ok(Response::new(value, status, headers).with_raw(body)),
        Err(e) => Err(decode_error::<T>(status, &body, e)),
    }
}

/// The error for a body that does not decode as `T`: decoding runs once
/// more, tracking where it is, so the error names the JSON path of the
/// failure (the fast path on success pays nothing for it).
#[doc(hidden)]
pub fn decode_error<T: DeserializeOwned>(
    status: reqwest::StatusCode,
    body: &Bytes,
    first: serde_json::Error,
) -> Error {
    let mut de = serde_json::Deserializer::from_slice(body);
    let (path, source) = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Err(e) => (Some(e.path().to_string()), e.into_inner()),
        Ok(_) => (None, first),
    };
    // serde quotes offending values: a token in the body must reach neither
    // the message nor the source.
    let message = crate::error::redact_jwts(&source.to_string());
    let mut error = Error::invalid_response(
        status,
        format!("the body is not the JSON the operation declares: {message}"),
        body,
        Some(message.into()),
    );
    if let Error::InvalidResponse { path: p, .. } = &mut error {
        *p = path;
    }
    error
}

/// A body-less success.
#[doc(hidden)]
pub fn empty(response: reqwest::Response) -> Response<()> {
    Response::new((), response.status(), response.headers().clone())
}

/// The typed answer of a call under way (every generated `send()` with a
/// JSON answer, and every `send_json()`): one generic function instead of
/// one `async fn` per operation.
#[doc(hidden)]
pub async fn answer_json<T: DeserializeOwned>(
    pending: crate::transport::Pending<'_>,
) -> Result<Response<T>, Error> {
    let response = pending.await?;
    decode(read_body(response).await?)
}

/// [`answer_json`] for an operation that declares some 2xx statuses
/// without a body (`empty`): those read as `T`'s default.
#[doc(hidden)]
pub async fn answer_json_or_default<T: DeserializeOwned + Default>(
    pending: crate::transport::Pending<'_>,
    empty: &'static [u16],
) -> Result<Response<T>, Error> {
    let response = pending.await?;
    if let Some(default) = empty_answer(&response, empty) {
        return Ok(default);
    }
    decode_json(response).await
}

/// `T`'s default as the answer, when `response`'s status is one of those
/// declared without a body (`empty`).
fn empty_answer<T: Default>(response: &reqwest::Response, empty: &[u16]) -> Option<Response<T>> {
    empty
        .contains(&response.status().as_u16())
        .then(|| Response::new(T::default(), response.status(), response.headers().clone()))
}

/// [`answer_json`] for an answer in the Tapis envelope: a 2xx whose
/// envelope says `"status": "error"` is an [`Error::Api`] carrying the
/// envelope's message, not an answer.
///
/// Some services refuse a call with a success status: streams' Flask views
/// `return utils.error(result='', msg=...)` (tapis-project/streams-api,
/// `service/controllers.py`: granting or revoking a role, archives,
/// transfers), which Flask sends as `200 OK` with `"status": "error"` and
/// `"result": ""`. Read as the declared answer that is either a decoding
/// error naming the wrong `result` (the server's message hidden in the
/// body) or, where `""` reads as an absent result, an answer that says
/// nothing went wrong. Only the top-level `status` of an envelope counts:
/// the generated operations whose answer is not an envelope (meta's
/// documents, which may hold a `status` of their own) never get here, and
/// `.send_json()` returns any 2xx body as it is.
///
/// Every call's future is moved whole (`tests/client.rs`,
/// `a_call_future_stays_small`): the body the transport read is checked
/// and decoded without another `await`, and only the rare body not yet
/// read is awaited, boxed, with the request line its error needs.
#[doc(hidden)]
pub async fn answer_envelope<T: DeserializeOwned>(
    pending: crate::transport::Pending<'_>,
) -> Result<Response<T>, Error> {
    let response = pending.await?;
    decode(read_envelope(response).await?)
}

/// [`answer_envelope`]'s reading of `response`, shaped as [`read_body`]:
/// a plain function whose future is ready at once for a body the transport
/// read, refused if its envelope says `error`.
fn read_envelope(
    mut response: reqwest::Response,
) -> impl std::future::Future<Output = Result<Response<Bytes>, Error>> + Send {
    let read = match response.extensions_mut().remove::<Prefetched>() {
        Some(Prefetched(body)) => {
            let read = answer_of(body, &mut response);
            Ok(refuse_error_envelope(read, || RequestLine::of(&response)))
        }
        None => Err(Box::pin(read_unread_envelope(response))),
    };
    async move {
        match read {
            Ok(read) => read,
            Err(reading) => reading.await,
        }
    }
}

/// Reads the body of an envelope the transport did not read, refused if
/// it says `error`.
async fn read_unread_envelope(response: reqwest::Response) -> Result<Response<Bytes>, Error> {
    let line = RequestLine::of(&response);
    refuse_error_envelope(read_unread(response).await?, || line)
}

/// [`answer_envelope`] for an operation that declares some 2xx statuses
/// without a body (`empty`): those read as `T`'s default.
#[doc(hidden)]
pub async fn answer_envelope_or_default<T: DeserializeOwned + Default>(
    pending: crate::transport::Pending<'_>,
    empty: &'static [u16],
) -> Result<Response<T>, Error> {
    let response = pending.await?;
    if let Some(default) = empty_answer(&response, empty) {
        return Ok(default);
    }
    decode(read_envelope(response).await?)
}

/// `read`, unless its envelope's `status` is `error`: then the
/// [`Error::Api`] of that body (for the request `line` names, taken only
/// then), whether or not it would decode as the declared answer.
fn refuse_error_envelope(
    read: Response<Bytes>,
    line: impl FnOnce() -> RequestLine,
) -> Result<Response<Bytes>, Error> {
    if says_error(read.body()) {
        let line = line();
        return Err(Error::api(
            read.status(),
            &line.method,
            &line.url,
            read.body(),
        ));
    }
    Ok(read)
}

/// Whether `body` is a JSON object whose `status` is the text `error`
/// (`error`, `Error` or `ERROR`). Most bodies do not hold that text at all
/// and pay a fast scan; the others are read once more, for their top-level
/// `status` only.
fn says_error(body: &[u8]) -> bool {
    const TEXTS: [&str; 3] = ["error", "Error", "ERROR"];
    const QUOTED: [&[u8]; 3] = [b"\"error\"", b"\"Error\"", b"\"ERROR\""];
    if !QUOTED
        .iter()
        .any(|quoted| memchr::memmem::find(body, quoted).is_some())
    {
        return false;
    }
    #[derive(serde::Deserialize)]
    struct Status {
        status: Option<serde_json::Value>,
    }
    matches!(
        serde_json::from_slice::<Status>(body),
        Ok(Status { status: Some(serde_json::Value::String(s)) }) if TEXTS.contains(&s.as_str())
    )
}

/// The answer of a call that declares no body.
#[doc(hidden)]
pub async fn answer_empty(pending: crate::transport::Pending<'_>) -> Result<Response<()>, Error> {
    Ok(empty(pending.await?))
}

/// The answer of a download: the body, not yet read.
#[doc(hidden)]
pub async fn answer_download(
    pending: crate::transport::Pending<'_>,
) -> Result<Response<crate::Download>, Error> {
    Ok(crate::transfer::download(pending.await?))
}

#[cfg(test)]
mod tests {
    use super::says_error;

    #[test]
    fn only_a_top_level_error_status_says_error() {
        for body in [
            &br#"{"status":"error","message":"Cannot grant role for self","result":""}"#[..],
            br#"{"result": null, "status" : "ERROR"}"#,
            br#" {"message":"x","status":"Error","version":"dev","metadata":{}} "#,
        ] {
            assert!(says_error(body), "{}", String::from_utf8_lossy(body));
        }
        for body in [
            &br#"{"status":"success","message":"no \"error\" here","result":{"status":"error"}}"#[..],
            br#"{"status":"200","result":[{"status":"error"}]}"#,
            br#"[{"status":"error"}]"#,
            br#""error""#,
            br#"{"status":["error"]}"#,
            br#"{"status":"error","status":"error"}"#,
            br#"{"status":"errors"}"#,
            br#"{"status":"eRrOr"}"#,
            b"",
            b"not json \"error\"",
        ] {
            assert!(!says_error(body), "{}", String::from_utf8_lossy(body));
        }
    }
}

//! The send loop every operation goes through: per-call options, the token,
//! hooks, retries, tracing, capture, and error statuses turned into
//! [`Error::Api`].

use std::time::Instant;

use bytes::Bytes;
use reqwest::{Method, Response};
use tracing::{field, Span};
use url::Url;

use super::{ClientContext, Exchange, Operation, RetryPolicy, TOKEN_HEADER};
use crate::auth::{Session, Token, TOKEN_PATH};
use crate::error::Error;
use crate::request::CallOptions;

/// How much of an error body is read (enough for any Tapis envelope; an
/// endless body cannot exhaust memory).
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// The method and URL of the request a response answers, kept in the
/// extensions of a response whose body is still to be read, so that body
/// errors can name them (an answer the transport read whole needs none).
#[derive(Clone)]
#[doc(hidden)]
pub struct RequestLine {
    pub method: Method,
    pub url: Url,
}

impl RequestLine {
    #[doc(hidden)]
    pub fn of(response: &Response) -> RequestLine {
        response
            .extensions()
            .get::<RequestLine>()
            .cloned()
            .unwrap_or_else(|| RequestLine {
                method: Method::GET,
                url: response.url().clone(),
            })
    }
}

/// The longest URL sent (the HTTP client's own limit is 65,534 bytes).
const MAX_URL_LEN: usize = 65_000;

/// A generated operation's request, built and checked, not yet sent: what
/// its builder's `prepare()` returns (synchronously: every argument's
/// conversion, the path, the query, the body), for [`start`] to send.
#[doc(hidden)]
pub struct Prepared<'a> {
    pub context: &'a ClientContext,
    pub operation: &'static Operation,
    pub request: reqwest::RequestBuilder,
    pub options: CallOptions,
}

/// The exchange of one call under way: the successful response, or the
/// error. Boxed once per call: every operation's future is this one type,
/// so no operation has a state machine of its own to compile.
#[doc(hidden)]
pub type Pending<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Response, Error>> + Send + 'a>>;

/// Sends a prepared request with [`execute`] (or reports why it could not
/// be prepared, without sending anything).
#[doc(hidden)]
pub fn start(prepared: Result<Prepared<'_>, Error>) -> Pending<'_> {
    let Prepared {
        context,
        operation: op,
        request,
        options,
    } = match prepared {
        Ok(prepared) => prepared,
        Err(e) => return Box::pin(std::future::ready(Err(e))),
    };
    let (http, request) = request.build_split();
    match request {
        Ok(request) => execute(context, http, op, request, options),
        Err(e) => Box::pin(std::future::ready(Err(Error::InvalidInput(format!(
            "{}.{}: cannot build the request: {}",
            op.service,
            op.id,
            e.without_url()
        ))))),
    }
}

/// Sends `request` under `options`: a 2xx response is returned for the
/// caller to decode; anything else becomes an error, after the retries the
/// policy allows.
///
/// Everything that can be done before the first `await` is done here, not
/// in the future: the future is boxed and moved whole on every call, and
/// each byte of it is written to fresh memory, so it holds only what the
/// exchange needs (measured: per-call cache misses, BENCHMARKS.md).
#[doc(hidden)]
pub fn execute<'a>(
    shared: &'a ClientContext,
    http: reqwest::Client,
    op: &'a Operation,
    mut request: reqwest::Request,
    options: CallOptions,
) -> Pending<'a> {
    // The client's defaults (on-behalf-of...) under the call's own.
    let options = match shared.defaults() {
        Some(defaults) => defaults.clone().beneath(options),
        None => options,
    };
    // Everything the caller gave is checked before anything is sent.
    if let Err(e) = check(op, &mut request, &options) {
        return Box::pin(std::future::ready(Err(e)));
    }
    // The span is made when the call is first polled, under the subscriber
    // of whoever awaits it, as it was when this was an `async fn`.
    let raw_path = op.path.is_empty().then(|| request.url().path().to_owned());
    let method = request.method().clone();
    let Some(after) = options.call_timeout() else {
        let calls = attempts(shared, http, op, request, options);
        return Box::pin(InSpan::new(calls, op, method, raw_path));
    };
    // The whole call, a token refresh and retries included.
    let url = request.url().clone();
    let calls = attempts(shared, http, op, request, options);
    let method_for_error = method.clone();
    let timed = async move {
        tokio::time::timeout(after, calls)
            .await
            .unwrap_or_else(|_| {
                let e = Error::Timeout {
                    method: method_for_error,
                    url: crate::error::redacted_url(&url),
                    after,
                };
                tracing::debug!(error = %e, "call failed");
                Err(e)
            })
    };
    Box::pin(InSpan::new(timed, op, method, raw_path))
}

pin_project_lite::pin_project! {
    /// A call's future inside its `tapis.call` span, entered on every
    /// poll. The span is made at the first poll, not with the future: the
    /// subscriber that counts is the one of whoever awaits the call.
    struct InSpan<'a, F> {
        #[pin]
        inner: F,
        span: Option<Span>,
        op: &'a Operation,
        method: Method,
        // A raw request's path (it has no path template).
        raw_path: Option<String>,
    }
}

impl<'a, F> InSpan<'a, F> {
    fn new(inner: F, op: &'a Operation, method: Method, raw_path: Option<String>) -> Self {
        InSpan {
            inner,
            span: None,
            op,
            method,
            raw_path,
        }
    }
}

impl<F: std::future::Future> std::future::Future for InSpan<'_, F> {
    type Output = F::Output;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<F::Output> {
        let this = self.project();
        let (op, method, raw_path) = (*this.op, &*this.method, this.raw_path.as_deref());
        let span = this.span.get_or_insert_with(|| {
            tracing::info_span!(
                "tapis.call",
                service = op.service,
                operation = op.id,
                method = %method,
                path = raw_path.unwrap_or(op.path),
                status = field::Empty,
                attempts = field::Empty,
                duration_ms = field::Empty,
            )
        });
        let _entered = span.enter();
        this.inner.poll(cx)
    }
}

/// Applies `options` to `request` and checks what would fail inside the
/// HTTP client or at the server for reasons the caller should hear first.
fn check(
    op: &Operation,
    request: &mut reqwest::Request,
    options: &CallOptions,
) -> Result<(), Error> {
    options.apply(request)?;
    // A URL longer than an HTTP request line can carry fails inside the
    // HTTP client with an opaque error: say so before anything is sent.
    if request.url().as_str().len() > MAX_URL_LEN {
        return Err(Error::InvalidInput(format!(
            "{}.{}: the URL is {} bytes long, more than the {MAX_URL_LEN} an HTTP request can \
             carry (a path or query parameter is too long)",
            op.service,
            op.id,
            request.url().as_str().len()
        )));
    }
    // A POST, PUT or PATCH without a body (systems `deleteSystem`, apps
    // `enableApp`...) says so: some front ends answer 411 without a length.
    if request.body().is_none()
        && matches!(
            *request.method(),
            reqwest::Method::POST | reqwest::Method::PUT | reqwest::Method::PATCH
        )
    {
        *request.body_mut() = Some(reqwest::Body::from(bytes::Bytes::new()));
        request
            .headers_mut()
            .entry(reqwest::header::CONTENT_LENGTH)
            .or_insert(reqwest::header::HeaderValue::from_static("0"));
    }
    Ok(())
}

/// The session of a routed service call (`None`: the client's own).
#[cfg(feature = "service")]
async fn route(
    shared: &ClientContext,
    request: &mut reqwest::Request,
) -> Result<Option<std::sync::Arc<Session>>, Error> {
    match shared.routes() {
        // Boxed: it may wait for a directory refresh, which plain calls
        // should not carry in their future.
        Some(routes) => Box::pin(routes.apply(request)).await,
        None => Ok(None),
    }
}

#[cfg(not(feature = "service"))]
async fn route(
    _: &ClientContext,
    _: &mut reqwest::Request,
) -> Result<Option<std::sync::Arc<Session>>, Error> {
    Ok(None)
}

/// Records the call's duration on its span when the call ends, however it
/// ends (a timeout drops it mid-way).
struct Timer {
    span: Span,
    started: Instant,
}

impl Drop for Timer {
    fn drop(&mut self) {
        let millis = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.span.record("duration_ms", millis);
    }
}

/// The attempts of one call, inside its span.
///
/// Not an `async fn`: an `async fn` keeps a second copy of each argument
/// in its future (rust-lang/rust#62958), and the request alone is 264
/// bytes; an `async move` block uses the captured arguments in place.
#[allow(clippy::manual_async_fn)] // on purpose, see above
fn attempts<'a>(
    shared: &'a ClientContext,
    http: reqwest::Client,
    op: &'a Operation,
    mut request: reqwest::Request,
    options: CallOptions,
) -> impl std::future::Future<Output = Result<Response, Error>> + Send + 'a {
    async move {
        let timer = Timer {
            span: Span::current(),
            started: Instant::now(),
        };
        let result = 'call: {
            // A service account with a directory: the call's site decides
            // its base URL and which of the account's tokens it carries.
            let routed = match route(shared, &mut request).await {
                Ok(routed) => routed,
                Err(e) => break 'call Err(e),
            };
            let session = routed.as_deref().unwrap_or(shared.session());
            let policy = options.retry().unwrap_or(shared.retry_policy());
            let line = RequestLine {
                method: request.method().clone(),
                url: request.url().clone(),
            };
            let may_retry = policy.allows(&line.method);
            // A token given for this call only is not the session's to
            // refresh; the token endpoint itself works without one.
            let own_token = options.is_anonymous() || request.headers().contains_key(TOKEN_HEADER);
            let token_endpoint = line.url.path().ends_with(TOKEN_PATH);
            let mut refreshed_after_401 = false;
            let mut attempt = 0u32;
            loop {
                attempt += 1;
                timer.span.record("attempts", attempt);
                let used = if own_token {
                    None
                } else if let Some(token) = session.usable_token() {
                    put_token(&mut request, &token);
                    Some(token)
                } else {
                    // Boxed: waiting for a refresh is rare, and its state
                    // would enlarge every call's future.
                    match Box::pin(authorize(session, &mut request, token_endpoint)).await {
                        Ok(used) => used,
                        Err(e) => break 'call Err(e),
                    }
                };
                let may_refresh = used.is_some()
                    && !token_endpoint
                    && !refreshed_after_401
                    && session.can_refresh();
                let retry_left = may_retry && attempt <= policy.retries();
                // A copy for the next attempt; a streamed body cannot be
                // replayed, so such a request is sent once.
                let next = if retry_left || may_refresh {
                    request.try_clone()
                } else {
                    None
                };
                for hook in shared.pre_hooks() {
                    hook(op, &mut request);
                }
                let exchange = options.capture().map(|_| {
                    Box::new(Exchange::request(
                        format!("{}.{}", op.service, op.id),
                        attempt,
                        &request,
                    ))
                });
                let outcome = match http.execute(request).await {
                    Ok(mut response) => {
                        shared.body_limit().attach(&mut response);
                        for hook in shared.post_hooks() {
                            hook(op, &response);
                        }
                        timer.span.record("status", response.status().as_u16());
                        if response.status().is_success() && exchange.is_none() {
                            if !(op.whole_answer && retry_left && next.is_some()) {
                                // For errors while the caller reads the body.
                                response.extensions_mut().insert(line.clone());
                                break 'call Ok(response);
                            }
                            // Read here, where an answer cut off mid-body can
                            // be asked for again (the decode takes the bytes
                            // read).
                            match Box::pin(prefetch(&mut response, &line)).await {
                                Ok(()) => break 'call Ok(response),
                                Err(e) => Err(e),
                            }
                        } else {
                            // reqwest follows same-origin redirects itself;
                            // one it stopped leads elsewhere and is followed
                            // without secrets.
                            if super::redirect::is_redirect(&response) {
                                let copy = next.as_ref().and_then(reqwest::Request::try_clone);
                                response = match Box::pin(super::redirect::follow(
                                    &http,
                                    line.url.clone(),
                                    response,
                                    copy,
                                ))
                                .await
                                {
                                    Ok(response) => response,
                                    Err(e) => break 'call Err(e),
                                };
                                response.extensions_mut().insert(line.clone());
                                shared.body_limit().attach(&mut response);
                                if response.status().is_success() && exchange.is_none() {
                                    break 'call Ok(response);
                                }
                            }
                            Ok(response)
                        }
                    }
                    Err(e) => Err(Error::network(&line.method, &line.url, e)),
                };
                // Everything but a plain success is handled apart, in a
                // boxed future: its state (sleeps, a token refresh, error
                // bodies, capture) would otherwise enlarge every call's
                // future.
                let step = Attempt {
                    number: attempt,
                    retry_left,
                    may_refresh,
                    used,
                    next,
                    exchange,
                };
                match Box::pin(after_attempt(
                    &options, policy, session, &line, step, outcome,
                ))
                .await
                {
                    Next::Again {
                        request: again,
                        refreshed,
                    } => {
                        refreshed_after_401 |= refreshed;
                        request = again;
                    }
                    Next::Done(result) => break 'call result,
                }
            }
        };
        if let Err(e) = &result {
            tracing::debug!(error = %e, "call failed");
        }
        result
    }
}

/// Puts `token` on `request` as the Tapis token header.
fn put_token(request: &mut reqwest::Request, token: &Token) {
    request
        .headers_mut()
        .insert(TOKEN_HEADER, token.header().clone());
}
/// What an attempt leaves for [`after_attempt`].
struct Attempt {
    number: u32,
    retry_left: bool,
    may_refresh: bool,
    /// The session's token the request carried.
    used: Option<Token>,
    /// The copy to send again, when one was allowed.
    next: Option<reqwest::Request>,
    /// Boxed: captured exchanges are rare, and the attempt loop's future
    /// would otherwise carry one.
    exchange: Option<Box<Exchange>>,
}

/// After an attempt: send again, or the call's outcome.
enum Next {
    Again {
        request: reqwest::Request,
        /// Whether the token was refreshed after a 401.
        refreshed: bool,
    },
    Done(Result<Response, Error>),
}

/// Decides what follows an attempt that did not plainly succeed: a network
/// error or error status retried as the policy allows, a 401 answered by
/// one refresh of the session's token, capture of the exchange, or the
/// error.
async fn after_attempt(
    options: &CallOptions,
    policy: &RetryPolicy,
    session: &Session,
    line: &RequestLine,
    step: Attempt,
    outcome: Result<Response, Error>,
) -> Next {
    let (attempt, next, exchange) = (step.number, step.next, step.exchange);
    let response = match outcome {
        Ok(response) => response,
        Err(error) => {
            if let (Some(capture), Some(mut ex)) = (options.capture(), exchange) {
                ex.error = Some(error.to_string());
                capture.record(*ex);
            }
            let kind = match &error {
                Error::Network { kind, .. } => Some(*kind),
                _ => None,
            };
            let next = next.filter(|_| step.retry_left);
            if let (Some(next), Some(kind)) = (next, kind) {
                if policy.retries_network(kind) {
                    if let Some(delay) = policy.delay(attempt, None) {
                        tracing::debug!(attempt, error = %error, delay_ms = delay.as_millis() as u64, "retrying");
                        tokio::time::sleep(delay).await;
                        return Next::Again {
                            request: next,
                            refreshed: false,
                        };
                    }
                }
            }
            return Next::Done(Err(error));
        }
    };
    let status = response.status();

    if status.is_success() {
        if let (Some(capture), Some(mut ex)) = (options.capture(), exchange) {
            return Next::Done(buffered(response, line).await.map(|(rebuilt, body)| {
                ex.response(status, rebuilt.headers(), &body);
                capture.record(*ex);
                rebuilt
            }));
        }
        let mut response = response;
        response.extensions_mut().insert(line.clone());
        return Next::Done(Ok(response));
    }

    // A 401 with the session's token: refresh once and send again.
    if status == reqwest::StatusCode::UNAUTHORIZED && step.may_refresh {
        if let Some(next) = next {
            tracing::debug!(attempt, "401: refreshing the token and sending again");
            if let Err(e) = session.refresh(step.used.as_ref()).await {
                return Next::Done(Err(e));
            }
            return Next::Again {
                request: next,
                refreshed: true,
            };
        }
    }

    let next = next.filter(|_| step.retry_left);
    if let Some(next) = next.filter(|_| policy.retries_status(status)) {
        if let Some(delay) = policy.delay(attempt, Some(response.headers())) {
            if let (Some(capture), Some(mut ex)) = (options.capture(), exchange) {
                let headers = response.headers().clone();
                let body = read_limited(response).await;
                ex.response(status, &headers, &body);
                capture.record(*ex);
            }
            tracing::debug!(
                attempt,
                status = status.as_u16(),
                delay_ms = delay.as_millis() as u64,
                "retrying"
            );
            tokio::time::sleep(delay).await;
            return Next::Again {
                request: next,
                refreshed: false,
            };
        }
    }

    let headers = response.headers().clone();
    let body = read_limited(response).await;
    if let (Some(capture), Some(mut ex)) = (options.capture(), exchange) {
        ex.response(status, &headers, &body);
        capture.record(*ex);
    }
    Next::Done(Err(Error::api(status, &line.method, &line.url, &body)))
}

/// Reads a successful JSON answer whole into the response's extensions
/// ([`crate::response::read_body`] takes it from there).
async fn prefetch(response: &mut Response, line: &RequestLine) -> Result<(), Error> {
    let body = crate::response::read_whole(response, line).await?;
    response
        .extensions_mut()
        .insert(crate::response::Prefetched(body));
    Ok(())
}

/// Reads at most [`ERROR_BODY_LIMIT`] bytes of an error body; a body that
/// breaks off keeps what arrived.
async fn read_limited(mut response: Response) -> Vec<u8> {
    let mut body = Vec::new();
    while body.len() < ERROR_BODY_LIMIT {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            _ => break,
        }
    }
    body.truncate(ERROR_BODY_LIMIT);
    body
}

/// Reads a whole response body and gives back an equivalent response that
/// serves it from memory (for capture).
async fn buffered(response: Response, line: &RequestLine) -> Result<(Response, Bytes), Error> {
    let status = response.status();
    let version = response.version();
    let headers = response.headers().clone();
    let body = response
        .bytes()
        .await
        .map_err(|e| Error::network(&line.method, &line.url, e))?;
    let mut rebuilt = http::Response::new(reqwest::Body::from(body.clone()));
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    rebuilt.extensions_mut().insert(line.clone());
    Ok((Response::from(rebuilt), body))
}

/// Puts the session's access token on `request` (refreshing it first when
/// it is about to expire) and returns it. On the token endpoint a token is
/// optional: when none can be had, the request goes without.
async fn authorize(
    session: &Session,
    request: &mut reqwest::Request,
    optional: bool,
) -> Result<Option<Token>, Error> {
    match session.token_for_request().await {
        Ok(Some(token)) => {
            put_token(request, &token);
            Ok(Some(token))
        }
        Ok(None) => Ok(None),
        Err(_) if optional => {
            request.headers_mut().remove(TOKEN_HEADER);
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

//! Serving HTTP: accepting connections, recording requests, choosing an
//! answer and sending it (faults included).

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_util::{stream, StreamExt as _};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt as _, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper_util::rt::TokioIo;

use super::record::RecordedRequest;
use super::reply::{self, Fault, Reply, Stub};
use super::routes::{self, Matched};
use super::{auth, core, lock, Config};

/// Everything the server knows.
pub(crate) struct State {
    pub config: Config,
    pub keys: auth::Keys,
    pub url: String,
    pub stubs: Mutex<Vec<Stub>>,
    pub requests: Mutex<Vec<RecordedRequest>>,
    pub data: Mutex<core::Data>,
}

/// The accept loop; dropping it stops the server and closes every
/// connection (they are tasks of a set the loop owns).
pub(crate) struct Serving(tokio::task::JoinHandle<()>);

impl Drop for Serving {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A connection closed on purpose ([`Reply::drop_connection`], a truncated
/// body).
#[derive(Debug)]
pub(crate) struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by the test server")
    }
}

impl std::error::Error for Dropped {}

type Body = BoxBody<Bytes, Dropped>;

pub(crate) fn serve(listener: tokio::net::TcpListener, state: Arc<State>) -> Serving {
    Serving(tokio::spawn(async move {
        let mut connections = tokio::task::JoinSet::new();
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                Err(_) => {
                    // Out of file descriptors, usually: wait instead of spinning.
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                    continue;
                }
            };
            let _ = stream.set_nodelay(true);
            let state = state.clone();
            connections.spawn(async move {
                let service =
                    hyper::service::service_fn(move |request| handle(state.clone(), request));
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
            while connections.try_join_next().is_some() {}
        }
    }))
}

async fn handle(
    state: Arc<State>,
    request: hyper::Request<Incoming>,
) -> Result<hyper::Response<Body>, Dropped> {
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .map_err(|_| Dropped)?;
    let method = parts.method.as_str().to_string();
    let path = parts.uri.path().to_string();
    let query = parts
        .uri
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let matched = routes::find(&method, &path);
    let recorded = RecordedRequest {
        method,
        path,
        query,
        headers: parts.headers,
        body,
        operation: matched.as_ref().map(|m| m.operation.clone()),
    };
    lock(&state.requests).push(recorded.clone());
    let reply = answer(&state, &recorded, matched.as_ref()).await;
    send(reply).await
}

/// Public operations: no token needed.
fn is_public(matched: Option<&Matched>) -> bool {
    matched.is_some_and(|m| {
        matches!(
            (m.operation.service, m.operation.id),
            ("authenticator", "create_token")
                | (
                    "tenants",
                    "list_tenants" | "get_tenant" | "list_sites" | "get_site"
                )
        )
    })
}

/// The token check, then a registered answer, then the stateful core.
async fn answer(state: &State, request: &RecordedRequest, matched: Option<&Matched>) -> Reply {
    // The Tokens API's service tokens (served whether or not this build
    // has the `tokens` service): HTTP Basic auth, no token.
    let service_tokens = request.method == "POST" && request.path == "/v3/tokens";
    let user = if is_public(matched) || service_tokens {
        None
    } else {
        match auth::authenticate(state, &request.headers) {
            Ok(user) => Some(user),
            Err(reply) => return reply,
        }
    };
    let stub = reply::take(
        &mut lock(&state.stubs),
        &request.method,
        &request.path,
        matched,
    );
    if let Some(reply) = stub {
        return reply;
    }
    if service_tokens {
        return auth::service_token_endpoint(state, &request.headers, &request.body);
    }
    match matched {
        Some(m) => core::dispatch(state, request, m, user.as_deref()).await,
        None => Reply::error(
            404,
            &format!(
                "no Tapis operation serves {} {}",
                request.method, request.path
            ),
        ),
    }
}

async fn send(reply: Reply) -> Result<hyper::Response<Body>, Dropped> {
    if let Some(delay) = reply.delay {
        tokio::time::sleep(delay).await;
    }
    let len = reply.body.len();
    let body: Body = match reply.fault {
        None => Full::new(reply.body)
            .map_err(|e: Infallible| match e {})
            .boxed(),
        Some(Fault::Drop) => return Err(Dropped),
        Some(Fault::Stall) => std::future::pending().await,
        Some(Fault::TruncateAt(n)) => {
            let part = reply.body.slice(..n.min(len));
            let frames = stream::iter([Ok(Frame::data(part)), Err(Dropped)]);
            http_body_util::BodyExt::boxed(StreamBody::new(frames))
        }
        Some(Fault::StallAfter(n)) => {
            let part = reply.body.slice(..n.min(len));
            let frames = stream::iter([Ok(Frame::data(part))]).chain(stream::pending());
            http_body_util::BodyExt::boxed(StreamBody::new(frames))
        }
    };
    let mut response = hyper::Response::builder().status(reply.status);
    for (name, value) in &reply.headers {
        response = response.header(name, value);
    }
    if reply.fault.is_some() {
        // The whole body is announced, so the client knows it is cut short.
        response = response.header(http::header::CONTENT_LENGTH, len);
    }
    Ok(response.body(body).unwrap_or_else(|e| {
        let message = format!("the registered reply cannot be sent: {e}");
        hyper::Response::builder()
            .status(500)
            .body(
                Full::new(Bytes::from(message))
                    .map_err(|e: Infallible| match e {})
                    .boxed(),
            )
            .unwrap_or_default()
    }))
}

//! A `tower` layer that authenticates every request of a service (axum,
//! tonic, hyper...): the [`Identity`] goes into the request's extensions;
//! a request that fails is answered 401 (503 if the tenants cannot be
//! loaded) with a Tapis error envelope, without reaching the service.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::{AuthError, Authenticator, Identity};

/// Authenticates every request with an [`Authenticator`], except on the
/// public paths given with [`AuthLayer::public_path`].
///
/// ```no_run
/// # async fn demo(auth: tapis::service::Authenticator) {
/// use axum::{routing::get, Router};
/// use tapis::service::{AuthLayer, Identity};
///
/// let app: Router = Router::new()
///     .route("/hello", get(|who: Identity| async move { format!("hello {}", who.request_username) }))
///     .route("/healthz", get(|| async { "ok" }))
///     .layer(AuthLayer::new(auth).public_path("/healthz"));
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct AuthLayer {
    auth: Authenticator,
    public: Arc<Vec<String>>,
}

impl AuthLayer {
    /// Authenticates with `auth`.
    pub fn new(auth: Authenticator) -> Self {
        AuthLayer {
            auth,
            public: Arc::new(Vec::new()),
        }
    }

    /// Lets requests to `path` through without a token (no [`Identity`] in
    /// their extensions). A path ending in `/*` exempts everything under
    /// it (`/docs/*`); any other is matched exactly.
    #[must_use]
    pub fn public_path(mut self, path: impl Into<String>) -> Self {
        Arc::make_mut(&mut self.public).push(path.into());
        self
    }

    fn is_public(&self, path: &str) -> bool {
        self.public.iter().any(|p| match p.strip_suffix("/*") {
            Some(prefix) => path == prefix || path.starts_with(&format!("{prefix}/")),
            None => path == p,
        })
    }
}

impl<S> tower_layer::Layer<S> for AuthLayer {
    type Service = AuthService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        AuthService {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service [`AuthLayer`] wraps around another.
#[derive(Clone, Debug)]
pub struct AuthService<S> {
    inner: S,
    layer: AuthLayer,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, B, R> tower_service::Service<http::Request<B>> for AuthService<S>
where
    S: tower_service::Service<http::Request<B>, Response = http::Response<R>>
        + Clone
        + Send
        + 'static,
    S::Future: Send,
    B: Send + 'static,
    R: From<String>,
{
    type Response = http::Response<R>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
        // The service that was polled ready serves this request; a clone
        // takes its place for the next (tower's usual pattern).
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let layer = self.layer.clone();
        Box::pin(async move {
            if layer.is_public(request.uri().path()) {
                return inner.call(request).await;
            }
            match layer
                .auth
                .authenticate_request(request.uri(), request.headers())
                .await
            {
                Ok(identity) => {
                    request.extensions_mut().insert(identity);
                    inner.call(request).await
                }
                Err(e) => {
                    tracing::debug!(error = %e, path = request.uri().path(), "request not authenticated");
                    Ok(error_response(&e))
                }
            }
        })
    }
}

/// The answer to a request that failed authentication: a Tapis error
/// envelope (`{"status": "error", "message": .., "result": null, ..}`).
pub fn error_response<R: From<String>>(error: &AuthError) -> http::Response<R> {
    let body = serde_json::json!({
        "status": "error",
        "message": error.to_string(),
        "result": null,
        "version": concat!("tapis-rust/", env!("CARGO_PKG_VERSION")),
        "metadata": {},
    });
    let mut response = http::Response::new(R::from(body.to_string()));
    *response.status_mut() = error.status();
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

/// The identity a request was authenticated as, from its extensions.
pub fn identity_of<B>(request: &http::Request<B>) -> Option<&Identity> {
    request.extensions().get::<Identity>()
}

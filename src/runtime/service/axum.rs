//! The [`Identity`] as an axum extractor (feature `axum`), for handlers
//! behind an [`AuthLayer`](super::AuthLayer).

use super::Identity;

/// Takes the identity [`AuthLayer`](super::AuthLayer) put into the request.
/// A handler that asks for it on a route the layer does not cover (or a
/// public path) answers 500: the service is configured wrongly, and no
/// request is let through unauthenticated. Use `Option<Identity>` on public
/// routes.
impl<S: Send + Sync> axum_core::extract::FromRequestParts<S> for Identity {
    type Rejection = axum_core::response::Response;

    async fn from_request_parts(
        parts: &mut http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Identity>().cloned().ok_or_else(|| {
            let mut response = axum_core::response::Response::new(axum_core::body::Body::from(
                serde_json::json!({
                    "status": "error",
                    "message": "no Tapis identity: this route is not behind tapis::service::AuthLayer",
                    "result": null,
                    "version": concat!("tapis-rust/", env!("CARGO_PKG_VERSION")),
                    "metadata": {},
                })
                .to_string(),
            ));
            *response.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
            response
        })
    }
}

/// `Option<Identity>`: `None` on a public path.
impl<S: Send + Sync> axum_core::extract::OptionalFromRequestParts<S> for Identity {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut http::request::Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<Identity>().cloned())
    }
}

//! The web: HTML pages rendered on the server (they work without
//! JavaScript), the JSON API under `/api/v1` with its OpenAPI document,
//! sessions, CSRF and security headers. Handlers are thin: parse, call the
//! app, render.

mod api;
mod charts;
mod ctx;
mod error;
mod format;
mod i18n;
mod pages;
mod render;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::middleware;
use dingdian_app::App;
use std::sync::Arc;

pub use api::ROUTES as API_ROUTES;
pub use api::openapi::document as openapi_document;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub templates: Arc<minijinja::Environment<'static>>,
    pub config: WebConfig,
}

/// How the web is served.
#[derive(Debug, Clone, Copy, Default)]
pub struct WebConfig {
    /// Set the `Secure` flag on cookies (when served over TLS).
    pub secure_cookies: bool,
    /// The demo data is loaded: the sign-in page says where the accounts are.
    pub demo: bool,
}

/// Largest request body accepted (uploads included).
pub const MAX_BODY_BYTES: usize = 50 * 1024 * 1024;

pub fn router(app: App, config: WebConfig) -> Router {
    let state = AppState {
        app,
        templates: Arc::new(render::environment()),
        config,
    };
    Router::new()
        .merge(pages::routes())
        .nest("/api/v1", api::routes())
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

/// Security headers on every answer: a CSP without inline script, no
/// framing, no MIME sniffing, no caching of pages that hold data.
async fn security_headers(
    req: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    let is_asset = req.uri().path().starts_with("/assets/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !is_asset {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// Serves until Ctrl-C.
pub async fn serve(
    app: App,
    config: WebConfig,
    listener: tokio::net::TcpListener,
) -> std::io::Result<()> {
    let service = router(app, config).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}

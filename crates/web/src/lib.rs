//! The web: HTML pages rendered on the server (they work without
//! JavaScript), the JSON API under `/api/v1` with its OpenAPI document,
//! sessions, CSRF and security headers. Handlers are thin: parse, call the
//! app, render.

mod api;
mod audit_text;
mod charts;
mod csrf;
mod ctx;
mod error;
mod format;
mod i18n;
mod limits;
mod pages;
mod render;
// issue 12: reminders
mod scheduler;
// issue 13: printed reports
pub mod print;
mod shipped_text;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, header};
use axum::middleware;
use dingdian_app::App;
use std::path::Path;
use std::sync::Arc;

pub use api::openapi::document as openapi_document;
pub use api::openapi::routes as api_routes;
pub use limits::{Rate, RateLimits};
pub use scheduler::spawn_reminders;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub templates: Arc<minijinja::Environment<'static>>,
    pub config: WebConfig,
    limiters: Arc<limits::Limiters>,
}

/// How the web is served.
#[derive(Debug, Clone, Copy)]
pub struct WebConfig {
    /// Served over TLS: answers carry HSTS and cookies are `Secure`. Never
    /// set for plain HTTP, where HSTS would be a lie the browser remembers.
    pub tls: bool,
    /// The demo data is loaded: the sign-in page says where the accounts are.
    pub demo: bool,
    /// Requests allowed per client on sign-in and on the API.
    pub limits: RateLimits,
    /// Largest request body accepted (uploads included).
    pub max_body_bytes: usize,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            tls: false,
            demo: false,
            limits: RateLimits::default(),
            max_body_bytes: MAX_BODY_BYTES,
        }
    }
}

/// Largest request body accepted by default (uploads included).
pub const MAX_BODY_BYTES: usize = 50 * 1024 * 1024;

pub fn router(app: App, config: WebConfig) -> Router {
    let state = AppState {
        app,
        templates: Arc::new(render::environment()),
        config,
        limiters: Arc::new(limits::Limiters::new(config.limits)),
    };
    // The last layer added runs first: headers go on every answer, even a
    // refusal by the size or rate guard.
    Router::new()
        .merge(pages::routes())
        .nest("/api/v1", api::routes())
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .layer(middleware::from_fn_with_state(state.clone(), limits::guard))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security_headers,
        ))
        .with_state(state)
}

/// Security headers on every answer: a CSP without inline script, no
/// framing, no MIME sniffing, no caching of pages that hold data, and HSTS
/// when (and only when) served over TLS.
async fn security_headers(
    State(state): State<AppState>,
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
    if state.config.tls {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    res
}

/// The certificate and key (PEM files) for serving over TLS.
pub type TlsConfig = axum_server::tls_rustls::RustlsConfig;

/// Reads the certificate chain and private key (PEM). The error says, in
/// Chinese and English, which file is missing or what is wrong with them.
pub async fn load_tls(cert: &Path, key: &Path) -> Result<TlsConfig, String> {
    let read = |path: &Path, zh: &'static str, en: &'static str| {
        let path = path.to_path_buf();
        async move {
            tokio::fs::read(&path).await.map_err(|e| {
                format!(
                    "无法读取{zh}文件 {p}：{e} / cannot read the {en} file {p}: {e}",
                    p = path.display()
                )
            })
        }
    };
    let cert_pem = read(cert, "证书", "certificate").await?;
    let key_pem = read(key, "私钥", "private key").await?;
    if !String::from_utf8_lossy(&cert_pem).contains("-----BEGIN CERTIFICATE-----") {
        return Err(format!(
            "证书文件 {p} 不是 PEM 格式的证书（应含 BEGIN CERTIFICATE）/ the certificate file {p} holds no PEM certificate (BEGIN CERTIFICATE)",
            p = cert.display()
        ));
    }
    TlsConfig::from_pem(cert_pem, key_pem).await.map_err(|e| {
        format!(
            "证书或私钥无效（应为 PEM 格式、且私钥与证书配对）：{e} / the certificate or private key is not valid (PEM, and the key must match the certificate): {e}",
        )
    })
}

/// Serves until Ctrl-C: over TLS when `tls` is given (set
/// `config.tls` to match), else plain HTTP.
pub async fn serve(
    app: App,
    config: WebConfig,
    listener: std::net::TcpListener,
    tls: Option<TlsConfig>,
) -> std::io::Result<()> {
    let service = router(app, config).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let handle = axum_server::Handle::new();
    let stop = handle.clone();
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        stop.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
    });
    match tls {
        Some(tls) => {
            axum_server::from_tcp_rustls(listener, tls)?
                .handle(handle)
                .serve(service)
                .await
        }
        None => {
            axum_server::from_tcp(listener)?
                .handle(handle)
                .serve(service)
                .await
        }
    }
}

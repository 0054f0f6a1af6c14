//! How app errors reach a person (an HTML page) or a program (JSON). The
//! system's own failures are logged, never shown: no SQL or stack traces.
//! Page handlers answer errors with `PageError`, API handlers with `ApiError`.

use crate::csrf::SignedIn;
use axum::Json;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use dingdian_app::AppError;

pub fn status(e: &AppError) -> StatusCode {
    match e {
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
        AppError::Locked(_) => StatusCode::LOCKED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::Store(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// An error answered as JSON: `{"error": {"code", "message", "fields"}}`.
pub struct ApiError {
    pub error: AppError,
    pub lang: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.error.is_system() {
            tracing::error!("system failure: {}", self.error);
        }
        let body = crate::api::ErrorAnswer::new(&self.error, &self.lang, false);
        (status(&self.error), Json(body)).into_response()
    }
}

/// A page that could not be served: answered with the error's status and
/// drawn inside the frame (by `frame_errors`) in the reader's language.
pub struct PageError(pub AppError);

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError(e)
    }
}

/// What `frame_errors` needs to draw a `PageError`: the message in both
/// languages (the reader's is known only there).
#[derive(Clone)]
struct Failure {
    zh: String,
    en: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if let AppError::Store(e) = &self.0 {
            tracing::error!("system failure: {e}");
        }
        let failure = Failure {
            zh: self.0.message("zh"),
            en: self.0.message("en"),
        };
        // Outside a signed-in page (no frame to draw in) both languages show.
        let body = Html(format!(
            "<!doctype html><meta charset=utf-8><title>{status}</title><p>{} / {}</p>",
            html_escape(&failure.zh),
            html_escape(&failure.en),
            status = status(&self.0).as_u16(),
        ));
        let mut res = (status(&self.0), body).into_response();
        res.extensions_mut().insert(failure);
        res
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Draws every `PageError` of a signed-in page inside the frame, in the
/// reader's language, with the status it came with.
pub async fn frame_errors(mut req: Request, next: Next) -> Response {
    let slot = SignedIn::default();
    req.extensions_mut().insert(slot.clone());
    let mut res = next.run(req).await;
    let Some(failure) = res.extensions_mut().remove::<Failure>() else {
        return res;
    };
    let Some((state, pc)) = slot.get() else {
        return res;
    };
    let message = if pc.lang == "en" {
        failure.en
    } else {
        failure.zh
    };
    crate::render::page_with_status(
        state,
        pc,
        res.status(),
        "error.html",
        &crate::i18n::t(&pc.lang, "error"),
        vec![],
        minijinja::context! { message },
    )
    .await
}

//! How app errors reach a person (an HTML page) or a program (JSON). The
//! system's own failures are logged, never shown: no SQL or stack traces.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use dingdian_app::AppError;
use serde_json::json;

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
        let fields: Vec<_> = match &self.error {
            AppError::Invalid(errs) => errs
                .iter()
                .map(|f| {
                    json!({
                        "row": f.row,
                        "field": f.field,
                        "value": f.value,
                        "code": f.msg.code,
                        "message": f.msg.text(&self.lang),
                    })
                })
                .collect(),
            _ => Vec::new(),
        };
        let body = json!({"error": {"code": self.error.code(), "message": self.error.message(&self.lang), "fields": fields}});
        (status(&self.error), Json(body)).into_response()
    }
}

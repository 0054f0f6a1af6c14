//! How the API answers: JSON with a status, lists as `{items, total}`,
//! errors as `{"error": {"code", "message", "fields"}}`, and the JSON
//! bodies it reads. The types here are what is serialised, so the OpenAPI
//! document describes exactly these answers.

use crate::ctx::{ApiCtx, blocking};
use crate::error::ApiError;
use axum::Json;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use dingdian_app::AppError;
use dingdian_app::registry::ImportError;
use dingdian_core::role::Action;
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

pub(super) type ApiResult = Result<Response, ApiError>;

/// A page of a list and the whole count.
#[derive(Serialize, ToSchema)]
pub(super) struct List<T> {
    pub items: Vec<T>,
    /// Items of the whole list, not only of this page.
    pub total: i64,
}

/// An error answer.
#[derive(Serialize, ToSchema)]
pub(crate) struct ErrorAnswer {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct ErrorDetail {
    pub code: String,
    /// In the request's language (Accept-Language).
    pub message: String,
    /// What was wrong, one item per problem.
    pub fields: Vec<Problem>,
}

/// One problem of a request: for a form or JSON body a field, for a file
/// import (registry, statistics) the import shape of interfaces.md.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub(crate) enum Problem {
    Field(FieldProblem),
    Import(ImportError),
}

#[derive(Serialize, ToSchema)]
pub(crate) struct FieldProblem {
    pub row: Option<usize>,
    pub field: String,
    pub value: String,
    pub code: String,
    pub message: String,
}

impl ErrorAnswer {
    /// The answer to `error`, its problems in the import shape or not.
    pub(crate) fn new(error: &AppError, lang: &str, import: bool) -> ErrorAnswer {
        let fields = match error {
            AppError::Invalid(errs) => errs
                .iter()
                .map(|f| match import {
                    true => Problem::Import(ImportError::new(f, lang)),
                    false => Problem::Field(FieldProblem {
                        row: f.row,
                        field: f.field.clone(),
                        value: f.value.clone(),
                        code: f.msg.code.clone(),
                        message: f.msg.text(lang).to_string(),
                    }),
                })
                .collect(),
            _ => Vec::new(),
        };
        let (code, message) = (error.code().to_string(), error.message(lang).to_string());
        ErrorAnswer {
            error: ErrorDetail {
                code,
                message,
                fields,
            },
        }
    }
}

pub(super) fn ok<T: Serialize>(v: T) -> ApiResult {
    Ok(Json(v).into_response())
}

pub(super) fn created<T: Serialize>(v: T) -> ApiResult {
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

pub(super) fn list<T: Serialize>(items: Vec<T>, total: i64) -> ApiResult {
    ok(List { items, total })
}

/// A whole list, not paged.
pub(super) fn all<T: Serialize>(items: Vec<T>) -> ApiResult {
    let total = items.len() as i64;
    list(items, total)
}

pub(super) fn body<T: DeserializeOwned>(bytes: &Bytes, lang: &str) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| ApiError {
        error: AppError::invalid(
            "body",
            "",
            "bad_json",
            format!("请求体不是有效的 JSON：{e}"),
            format!("the body is not valid JSON of the expected shape: {e}"),
        ),
        lang: lang.to_string(),
    })
}

/// The JSON body of a request that needs `action`: the permission is
/// checked first, so a role that may not do this gets 403 whatever it sent.
pub(super) fn body_for<T: DeserializeOwned>(
    c: &ApiCtx,
    action: Action,
    bytes: &Bytes,
) -> Result<T, ApiError> {
    c.actor.require(action).map_err(|e| c.err(e))?;
    body(bytes, &c.lang)
}

pub(super) async fn run<T: Send + 'static>(
    c: &ApiCtx,
    f: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, ApiError> {
    blocking(f).await.map_err(|e| c.err(e))
}

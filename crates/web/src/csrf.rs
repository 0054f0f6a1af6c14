//! Forms that change something carry the session's CSRF token. The
//! extractors here check it before a handler runs, so no handler can forget
//! it: `CsrfForm<T>` for ordinary forms (read into the form struct `T`),
//! `CsrfUpload` for file uploads.

use crate::AppState;
use crate::ctx::{PageCtx, constant_time_eq};
use crate::error::PageError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::Extensions;
use dingdian_app::AppError;
use dingdian_core::{FieldError, Msg};
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// The signed-in context of a page request, filled in when the handler's
/// `PageCtx` (or `AccountCtx`) is read: the form extractors take the
/// session's token from it, and a `PageError` is drawn inside its frame.
#[derive(Clone, Default)]
pub struct SignedIn(Arc<OnceLock<(AppState, PageCtx)>>);

impl SignedIn {
    pub fn set(extensions: &Extensions, state: &AppState, pc: &PageCtx) {
        if let Some(slot) = extensions.get::<SignedIn>() {
            let _ = slot.0.set((state.clone(), pc.clone()));
        }
    }

    pub fn get(&self) -> Option<&(AppState, PageCtx)> {
        self.0.get()
    }
}

fn csrf_error() -> AppError {
    AppError::Forbidden(Msg::new(
        "csrf",
        "表单已失效（可能来自其他网站或页面已过期），请刷新页面后重试",
        "the form has expired or did not come from this site: reload the page and try again",
    ))
}

/// Refuses a token that is not this request's session's (no session, no
/// token, or another one).
fn check(extensions: &Extensions, sent: &str) -> Result<(), PageError> {
    let session = extensions
        .get::<SignedIn>()
        .and_then(SignedIn::get)
        .map(|(_, pc)| pc.csrf.as_str());
    match session {
        Some(token) if !sent.is_empty() && constant_time_eq(sent.as_bytes(), token.as_bytes()) => {
            Ok(())
        }
        _ => Err(PageError(csrf_error())),
    }
}

fn bad_form(detail: String) -> PageError {
    PageError(AppError::invalid(
        "form",
        "",
        "bad_form",
        format!("表单无法读取：{detail}"),
        format!("the form could not be read: {detail}"),
    ))
}

/// A URL-encoded form whose `_csrf` field is the session's token, read
/// into `T` (fields absent from the form take `T`'s defaults).
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, PageError> {
        let extensions = req.extensions().clone();
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|e| bad_form(e.body_text()))?;
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&body).map_err(|e| bad_form(e.to_string()))?;
        let sent = pairs
            .iter()
            .find(|(k, _)| k == "_csrf")
            .map(|(_, v)| v.as_str());
        check(&extensions, sent.unwrap_or(""))?;
        serde_urlencoded::from_bytes(&body)
            .map(CsrfForm)
            .map_err(|e| bad_form(e.to_string()))
    }
}

/// An uploaded file with the form's other fields.
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub fields: HashMap<String, String>,
}

impl Upload {
    /// A tick box: ticked when sent as true, on, 1 or yes.
    pub fn checked(&self, name: &str) -> bool {
        matches!(
            self.fields.get(name).map(String::as_str),
            Some("true" | "on" | "1" | "yes")
        )
    }
}

/// A file upload whose `_csrf` field is the session's token. A forged or
/// missing token is refused before anything else; an upload that cannot
/// be used (unreadable, no file, not a table) is left to the handler, which
/// shows it on its page.
pub struct CsrfUpload(pub Result<Upload, AppError>);

impl FromRequest<AppState> for CsrfUpload {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, PageError> {
        checked_upload(req, state, usable).await.map(CsrfUpload)
    }
}

/// A multipart form whose `_csrf` field is the session's token, its file
/// kept by `keep` (which may refuse it).
async fn checked_upload(
    req: Request,
    state: &AppState,
    keep: fn(Upload) -> Result<Upload, AppError>,
) -> Result<Result<Upload, AppError>, PageError> {
    let extensions = req.extensions().clone();
    // A body that is no multipart form carries no token either.
    let mp = Multipart::from_request(req, state)
        .await
        .map_err(|_| PageError(csrf_error()))?;
    let (up, failed) = read_parts(mp).await;
    match (up.fields.get("_csrf"), failed) {
        // The token came before the stream broke: checked all the same.
        (Some(sent), failed) => {
            check(&extensions, sent)?;
            Ok(failed.map_or_else(|| keep(up), Err))
        }
        // Nothing is written for a broken upload; its page says why.
        (None, Some(e)) => Ok(Err(e)),
        (None, None) => Err(PageError(csrf_error())),
    }
}

/// A file upload of any kind whose `_csrf` field is the session's token:
/// the app judges the file by its content (attachments).
pub struct CsrfFile(pub Result<Upload, AppError>);

impl FromRequest<AppState> for CsrfFile {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, PageError> {
        checked_upload(req, state, some_file).await.map(CsrfFile)
    }
}

fn some_file(up: Upload) -> Result<Upload, AppError> {
    if up.file_name.is_empty() && up.bytes.is_empty() {
        return Err(AppError::Invalid(vec![FieldError::required("file")]));
    }
    Ok(up)
}

fn bad_upload(m: String) -> AppError {
    AppError::invalid(
        "file",
        "",
        "bad_upload",
        format!("上传失败：{m}"),
        format!("the upload failed: {m}"),
    )
}

/// The parts of a multipart form, as far as they could be read, and the
/// failure that stopped reading.
async fn read_parts(mut mp: Multipart) -> (Upload, Option<AppError>) {
    let mut up = Upload {
        file_name: String::new(),
        bytes: Vec::new(),
        fields: HashMap::new(),
    };
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => return (up, None),
            Err(e) => return (up, Some(bad_upload(e.to_string()))),
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            up.file_name = field.file_name().unwrap_or("upload").to_string();
            match field.bytes().await {
                Ok(b) => up.bytes = b.to_vec(),
                Err(e) => return (up, Some(bad_upload(e.to_string()))),
            }
        } else {
            match field.text().await {
                Ok(text) => {
                    up.fields.insert(name, text);
                }
                Err(e) => return (up, Some(bad_upload(e.to_string()))),
            }
        }
    }
}

/// The upload if it holds a file the table reader takes (CSV, xlsx, text,
/// or no extension): refused at once rather than by a job that fails later.
fn usable(up: Upload) -> Result<Upload, AppError> {
    if up.file_name.is_empty() {
        return Err(AppError::Invalid(vec![FieldError::required("file")]));
    }
    let lower = up.file_name.to_ascii_lowercase();
    let tabular =
        [".csv", ".xlsx", ".txt"].iter().any(|e| lower.ends_with(e)) || !lower.contains('.');
    if !tabular {
        return Err(AppError::invalid(
            "file",
            up.file_name,
            "bad_file_type",
            "只接受 CSV（.csv）或 Excel（.xlsx）文件",
            "only CSV (.csv) and Excel (.xlsx) files are accepted",
        ));
    }
    Ok(up)
}

/// A form that carries nothing but the token (a button).
#[derive(serde::Deserialize)]
pub struct Button {}

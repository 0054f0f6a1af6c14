//! The one error type of the use cases; the web maps each variant to an
//! HTTP status, the CLI to an exit code.

use dingdian_core::{FieldError, Msg};
use dingdian_store::StoreError;
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum AppError {
    /// The input was invalid; every problem is listed. Nothing was written.
    Invalid(Vec<FieldError>),
    /// Not signed in, wrong credentials, or a second factor is needed.
    Unauthorized(Msg),
    /// The account is locked after repeated failures.
    Locked(Msg),
    /// The role or scope does not reach this.
    Forbidden(Msg),
    /// No such record (or the caller may not know it exists).
    NotFound(Msg),
    /// The request conflicts with the record's state (illegal transition,
    /// duplicate, immutable plan).
    Conflict(Msg),
    /// The database failed; details go to the log, not to the user.
    Store(StoreError),
    /// The system failed outside the database (password hashing, csv or
    /// xlsx writing, cryptography, a worker task); details go to the log.
    Internal(String),
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;

impl AppError {
    pub fn code(&self) -> &str {
        match self {
            AppError::Invalid(_) => "invalid",
            AppError::Unauthorized(m)
            | AppError::Locked(m)
            | AppError::Forbidden(m)
            | AppError::NotFound(m)
            | AppError::Conflict(m) => &m.code,
            AppError::Store(StoreError::DiskFull(_)) => "disk_full",
            AppError::Store(_) | AppError::Internal(_) => "internal",
        }
    }

    /// The message for the user in `lang`, naming every bad field.
    pub fn message(&self, lang: &str) -> String {
        match self {
            AppError::Invalid(errors) => errors
                .iter()
                .map(|e| describe_field_error(e, lang))
                .collect::<Vec<_>>()
                .join(if lang == "en" { "; " } else { "；" }),
            AppError::Unauthorized(m)
            | AppError::Locked(m)
            | AppError::Forbidden(m)
            | AppError::NotFound(m)
            | AppError::Conflict(m) => m.text(lang).to_string(),
            AppError::Store(StoreError::DiskFull(_)) => {
                if lang == "en" {
                    "the disk is full: nothing was written; tell the administrator to free space, then try again".into()
                } else {
                    "磁盘已满，未写入任何数据：请联系管理员释放空间后重试".into()
                }
            }
            AppError::Store(_) | AppError::Internal(_) => {
                if lang == "en" {
                    "the system failed; please try again or tell the administrator".into()
                } else {
                    "系统错误，请重试或联系管理员".into()
                }
            }
        }
    }

    /// The system failed because the disk is full (see [`StoreError::DiskFull`]).
    pub fn is_disk_full(&self) -> bool {
        matches!(self, AppError::Store(StoreError::DiskFull(_)))
    }

    /// A failure outside the database: `what` failed with `e` (logged).
    pub fn internal(what: &str, e: impl fmt::Display) -> AppError {
        AppError::Internal(format!("{what}: {e}"))
    }

    /// Whether the system itself failed (logged, never shown in detail).
    pub fn is_system(&self) -> bool {
        matches!(self, AppError::Store(_) | AppError::Internal(_))
    }

    /// Work handed to another thread died there: the system failed.
    pub fn task_failed(cause: impl fmt::Display) -> AppError {
        AppError::internal("task failed", cause)
    }

    pub fn not_found(what_zh: &str, what_en: &str) -> AppError {
        AppError::NotFound(Msg::new(
            "not_found",
            format!("{what_zh}不存在"),
            format!("no such {what_en}"),
        ))
    }

    pub fn invalid(
        field: &str,
        value: impl Into<String>,
        code: &str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> AppError {
        AppError::Invalid(vec![FieldError::new(field, value, Msg::new(code, zh, en))])
    }
}

/// "第 3 行 name：必填项不能为空" / "row 3, name: is required".
pub fn describe_field_error(e: &FieldError, lang: &str) -> String {
    let value = if e.value.is_empty() {
        String::new()
    } else {
        format!(" “{}”", e.value)
    };
    match (lang, e.row) {
        ("en", Some(r)) => format!("row {r}, {}{value}: {}", e.field, e.msg.en),
        ("en", None) => format!("{}{value}: {}", e.field, e.msg.en),
        (_, Some(r)) => format!("第 {r} 行 {}{value}：{}", e.field, e.msg.zh),
        (_, None) => format!("{}{value}：{}", e.field, e.msg.zh),
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppError::Store(e) => write!(f, "{e}"),
            AppError::Internal(m) => write!(f, "internal: {m}"),
            _ => write!(f, "{}", self.message("en")),
        }
    }
}

impl std::error::Error for AppError {}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        AppError::Store(e)
    }
}

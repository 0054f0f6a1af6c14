//! Reading the query string and the path: every bad value is a 422 (or a
//! 404 for a record id) naming the parameter, never a silent correction.

use crate::AppState;
use crate::ctx::accept_lang;
use crate::error::ApiError;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use dingdian_app::{AppError, Page};
use std::collections::HashMap;
use utoipa::IntoParams;

pub(super) type Q = HashMap<String, String>;

/// The paging of every list route.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct PageParams {
    /// The page, from 1 (default 1).
    #[param(minimum = 1, maximum = 2147483647)]
    page: Option<u32>,
    /// Items per page, from 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    per_page: Option<u32>,
}

/// A query value, trimmed; empty is absent.
pub(super) fn qv<'a>(q: &'a Q, k: &str) -> Option<&'a str> {
    q.get(k).map(|s| s.trim()).filter(|s| !s.is_empty())
}

/// What a refused value is told: the 422's texts, and how much of the
/// value the answer repeats.
struct Refusal {
    zh: String,
    en: String,
    shown: usize,
}

/// A query value that must parse; a bad one is a 422 naming it.
pub(super) fn parsed<T>(
    q: &Q,
    k: &str,
    parse: impl Fn(&str) -> Option<T>,
    lang: &str,
) -> Result<Option<T>, ApiError> {
    let refusal = Refusal {
        zh: "参数值无效".into(),
        en: "is not a valid value for this parameter".into(),
        shown: usize::MAX,
    };
    checked(q, k, parse, refusal, lang)
}

fn checked<T>(
    q: &Q,
    k: &str,
    parse: impl Fn(&str) -> Option<T>,
    refusal: Refusal,
    lang: &str,
) -> Result<Option<T>, ApiError> {
    let Some(v) = qv(q, k) else {
        return Ok(None);
    };
    parse(v).map(Some).ok_or_else(|| ApiError {
        error: AppError::invalid(
            k,
            v.chars().take(refusal.shown).collect::<String>(),
            "bad_parameter",
            refusal.zh,
            refusal.en,
        ),
        lang: lang.to_string(),
    })
}

/// The page a list route is asked for. `page` is a whole number from 1,
/// `per_page` from 1 to [`Page::MAX_PER_PAGE`]; anything else (`-1`, `0`,
/// `100000`, a number too large for the server) is a 422 naming the
/// parameter. Absent or empty: the defaults (1 and 50).
pub(super) fn page(q: &Q, lang: &str) -> Result<Page, ApiError> {
    let number = |k: &str, max: u32| {
        let whole = |v: &str| {
            (v.len() <= 10 && v.bytes().all(|b| b.is_ascii_digit()))
                .then(|| v.parse::<u64>().ok())
                .flatten()
                .filter(|n| (1..=max as u64).contains(n))
                .map(|n| n as u32)
        };
        let refusal = Refusal {
            zh: format!("应为 1 到 {max} 之间的整数"),
            en: format!("must be a whole number from 1 to {max}"),
            shown: 20,
        };
        checked(q, k, whole, refusal, lang)
    };
    let p = PageParams {
        page: number("page", i32::MAX as u32)?,
        per_page: number("per_page", Page::MAX_PER_PAGE)?,
    };
    Ok(Page::new(p.page, p.per_page))
}

/// A numeric record id from the path. Anything else names no record: a
/// JSON 404 like every other error (not axum's plain-text 400).
pub(crate) struct Id(pub(crate) i64);

impl FromRequestParts<AppState> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let raw = Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(raw)| raw)
            .unwrap_or_default();
        raw.trim().parse().map(Id).map_err(|_| ApiError {
            error: AppError::not_found("记录", "record"),
            lang: accept_lang(parts),
        })
    }
}

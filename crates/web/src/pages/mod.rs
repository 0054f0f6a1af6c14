//! The HTML pages. Every list pages, searches and exports to xlsx; every
//! form is read by `CsrfForm` or `CsrfUpload` (which check its CSRF token)
//! and shows errors under the fields; every error answers as a `PageError`.

mod account;
pub(crate) mod admin;
mod areas;
mod assistance;
mod home;
mod households;
pub(crate) mod indicators;
mod inspections;
mod ledger;
mod letters;
// issue 12: leader visits and reminders
mod inbox;
mod leader_visits;
mod overview;
// issue 13: printed reports and the public page
mod plans;
mod print;
mod projects;
mod public;
mod records;
mod registry;
mod report_calendar;
mod reports;
mod secondments;
// issue 13: the annual assessment
mod assessments;
mod session;
mod units;
mod villages;
// issue 13: part B, return-risk monitoring
mod monitoring;

// issue 13: departmental cross-checks and the exit check
mod alerts;

// issue 14: the county map
pub(crate) mod map;

use crate::AppState;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use dingdian_app::AppError;
use dingdian_app::Page;
use minijinja::context;
use serde::Serialize;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assets/style.css", get(style))
        .merge(session::routes())
        .merge(home::routes())
        .merge(areas::routes())
        .merge(units::routes())
        .merge(plans::routes())
        .merge(overview::routes())
        .merge(indicators::routes())
        // issue 11: the funds ledger
        .merge(ledger::routes())
        .merge(registry::routes())
        .merge(admin::routes())
        .merge(account::routes())
        // issue 11: assistance plans and projects
        .merge(assistance::routes())
        .merge(projects::routes())
        .merge(records::routes())
        .merge(letters::routes())
        // issue 12: secondments, inspections and rectification
        .merge(secondments::routes())
        .merge(inspections::routes())
        // issue 12: the reporting calendar and reports
        .merge(reports::routes())
        // issue 12: villages and households
        .merge(villages::routes())
        .merge(households::routes())
        // issue 12: leader visits and reminders
        .merge(leader_visits::routes())
        .merge(inbox::routes())
        // issue 13: the annual assessment
        .merge(assessments::routes())
        // issue 13: return-risk monitoring
        .merge(monitoring::routes())
        // issue 13: printed reports and the public page
        .merge(print::routes())
        .merge(public::routes())
        // issue 13: departmental cross-checks and the exit check
        .merge(alerts::routes())
        // issue 14: the county map
        .merge(map::routes())
        .fallback(not_found)
        .layer(axum::middleware::from_fn(crate::error::frame_errors))
}

async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../assets/style.css"),
    )
        .into_response()
}

async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, axum::response::Html("<!doctype html><meta charset=utf-8><title>404</title><h1>404</h1><p>页面不存在 / No such page. <a href=\"/\">工作台 / Start</a></p>")).into_response()
}

pub type Query = HashMap<String, String>;

/// A query value, trimmed; empty counts as absent.
pub fn q<'a>(query: &'a Query, key: &str) -> Option<&'a str> {
    query.get(key).map(|s| s.trim()).filter(|s| !s.is_empty())
}

/// The county list's name in the reader's language (its code when the
/// list is unknown).
pub fn list_name(lists: &[dingdian_core::area::CountyList], code: &str, lang: &str) -> String {
    lists
        .iter()
        .find(|l| l.code == code)
        .map(|l| {
            if lang == "en" {
                l.name_en.clone()
            } else {
                l.name_zh.clone()
            }
        })
        .unwrap_or_else(|| code.to_string())
}

pub fn page_of(query: &Query) -> Page {
    Page::new(
        q(query, "page").and_then(|p| p.parse().ok()),
        q(query, "per_page").and_then(|p| p.parse().ok()),
    )
}

pub fn wants_xlsx(query: &Query) -> bool {
    q(query, "format") == Some("xlsx")
}

/// Paging links that keep the filter.
#[derive(Serialize)]
pub struct ListNav {
    pub total: i64,
    pub page: u32,
    pub pages: u32,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub export: Option<String>,
}

fn href(path: &str, query: &Query, set: &[(&str, String)]) -> String {
    let mut pairs: Vec<(String, String)> = query
        .iter()
        .filter(|(k, v)| !v.is_empty() && !set.iter().any(|(s, _)| s == k) && k.as_str() != "done")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    pairs.extend(set.iter().map(|(k, v)| (k.to_string(), v.clone())));
    pairs.sort();
    let qs: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", urlencoding::encode(k), urlencoding::encode(v)))
        .collect();
    if qs.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", qs.join("&"))
    }
}

pub fn list_nav(path: &str, query: &Query, page: Page, total: i64, exportable: bool) -> ListNav {
    let pages = ((total.max(0) as u64).div_ceil(page.per_page as u64)).max(1) as u32;
    ListNav {
        total,
        page: page.page,
        pages,
        prev: (page.page > 1).then(|| href(path, query, &[("page", (page.page - 1).to_string())])),
        next: (page.page < pages)
            .then(|| href(path, query, &[("page", (page.page + 1).to_string())])),
        export: exportable.then(|| href(path, query, &[("format", "xlsx".into())])),
    }
}

pub fn xlsx_response(name: &str, bytes: Vec<u8>) -> Response {
    let date = dingdian_core::time::today().format("%Y%m%d");
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}-{date}.xlsx\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// Field errors keyed by field, for showing under each field.
pub fn field_errors(e: &AppError, lang: &str) -> HashMap<String, String> {
    match e {
        AppError::Invalid(errs) => {
            let mut m = HashMap::new();
            for f in errs {
                m.entry(f.field.clone())
                    .or_insert_with(|| f.msg.text(lang).to_string());
            }
            m
        }
        _ => HashMap::new(),
    }
}

/// Import errors as table rows (row, column, value, message).
pub fn error_rows(e: &AppError, lang: &str) -> Vec<minijinja::Value> {
    match e {
        AppError::Invalid(errs) => errs
            .iter()
            .map(|f| context! { row => f.row, field => f.field.clone(), value => f.value.clone(), message => f.msg.text(lang) })
            .collect(),
        _ => Vec::new(),
    }
}

/// The message shown above a form or an import.
pub fn error_message(e: &AppError, lang: &str) -> String {
    match e {
        AppError::Invalid(_) => crate::i18n::t(lang, "form_has_errors"),
        other => other.message(lang),
    }
}

/// A redirect after a successful POST, with the message key.
pub fn done(to: &str, what: &str) -> Response {
    let sep = if to.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{to}{sep}done={what}")).into_response()
}

/// The lineage of an area as breadcrumbs, nation first.
pub fn area_crumbs(lang: &str, lineage: &[(String, String)]) -> Vec<(String, String)> {
    let mut crumbs = vec![(
        "/areas?level=province".to_string(),
        if lang == "en" {
            "China".to_string()
        } else {
            "全国".to_string()
        },
    )];
    crumbs.extend(lineage.iter().map(|(code, name)| {
        let short = dingdian_core::area::short_area_name(code, name);
        (format!("/areas/{code}"), short)
    }));
    crumbs
}

/// A county list's completeness as the `list_completeness` macro shows
/// it: the name in the page's language, members against the declared
/// total, and each province marked when it falls short.
pub fn list_view(l: &dingdian_core::area::ListCompleteness, lang: &str) -> minijinja::Value {
    use dingdian_core::area::ListCompleteness;
    let provinces: Vec<minijinja::Value> = l
        .provinces
        .iter()
        .map(|p| {
            minijinja::context! {
                name => p.name.clone(),
                declared => p.declared,
                members => p.members,
                short => ListCompleteness::short(p),
            }
        })
        .collect();
    minijinja::context! {
        code => l.code.clone(),
        name => if lang == "en" { l.name_en.clone() } else { l.name_zh.clone() },
        members => l.members,
        declared_total => l.declared_total,
        missing => l.missing(),
        partial => ListCompleteness::partial(l.declared_total, l.members, false),
        provinces,
    }
}

/// Where the key-county list here differs from the shipped one, in the
/// reader's language: both counts, then the counties added or removed
/// (up to ten names each), so that a page counting 192 and a note saying
/// 191 do not disagree silently.
pub fn key_list_origin_text(lang: &str, o: &dingdian_app::areas::ListOrigin) -> String {
    let names = |list: &[(String, String)]| {
        let mut shown: Vec<String> = list
            .iter()
            .take(10)
            .map(|(code, name)| format!("{name} {code}"))
            .collect();
        if list.len() > 10 {
            shown.push(
                crate::i18n::t(lang, "and_n_more").replace("{n}", &(list.len() - 10).to_string()),
            );
        }
        shown.join(if lang == "en" { ", " } else { "、" })
    };
    let mut out = crate::i18n::t(lang, "key_list_origin")
        .replace("{shipped}", &o.shipped_counties.to_string())
        .replace("{shipped_p}", &o.shipped_provinces.to_string())
        .replace("{n}", &o.counties.to_string())
        .replace("{p}", &o.provinces.to_string());
    for (key, list) in [
        ("key_list_added", &o.added),
        ("key_list_removed", &o.removed),
    ] {
        if !list.is_empty() {
            out.push(' ');
            out.push_str(&crate::i18n::t(lang, key).replace("{names}", &names(list)));
        }
    }
    out
}

//! An import job's progress page and the rejected rows of a finished one.

use super::card_href;
use super::imports::import_error_rows;
use crate::AppState;
use crate::ctx::{PageCtx, blocking};
use crate::error::PageError;
use crate::format::thousands;
use crate::i18n::t;
use crate::render;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use dingdian_app::AppError;
use dingdian_app::jobs::JobState;
use dingdian_app::registry::{ImportError, REGISTRY_COLUMNS};
use dingdian_core::FieldError;
use dingdian_core::role::Action;
use minijinja::context;

/// The errors of a job's result: the report's `errors` (rows skipped) or
/// the list of errors (the import failed), each in the import shape
/// (`row`, `column`, `value`, `code`, `message`, `message_en`).
fn job_errors(j: &JobState) -> Vec<FieldError> {
    let list = match &j.result {
        Some(serde_json::Value::Array(a)) => a.clone(),
        Some(serde_json::Value::Object(o)) => o
            .get("errors")
            .and_then(|e| e.as_array())
            .cloned()
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    list.into_iter()
        .filter_map(|e| serde_json::from_value::<ImportError>(e).ok())
        .map(|e| e.to_field_error())
        .collect()
}

/// The counties a finished import left much smaller than their previous
/// year (the report's `smaller_than_before`), one line each.
fn smaller_than_before(r: &serde_json::Value, lang: &str) -> Vec<String> {
    let list: Vec<dingdian_app::shrink::SmallerThanBefore> = r
        .get("smaller_than_before")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default();
    list.iter()
        .map(|s| {
            t(lang, "smaller_than_before_row")
                .replace("{county}", &s.county_name)
                .replace("{code}", &s.county_code)
                .replace("{year}", &s.year.to_string())
                .replace("{n}", &thousands(s.members as i64))
                .replace("{prev_year}", &s.previous_year.to_string())
                .replace("{prev}", &thousands(s.previous_members as i64))
        })
        .collect()
}

/// The half of a "中文 / English" message in the user's language.
fn message_in(text: &str, lang: &str) -> String {
    match text.split_once(" / ") {
        Some((zh, en)) => if lang == "en" { en } else { zh }.trim().to_string(),
        None => text.to_string(),
    }
}

/// The import's identity warnings (household numbers registered the year
/// before with another village or head), as the job page lists them.
fn identity_changes(result: Option<&serde_json::Value>, lang: &str) -> Option<minijinja::Value> {
    let x = result?.get("identity_changes")?;
    let count = x.get("count").and_then(|v| v.as_u64()).unwrap_or(0);
    if count == 0 {
        return None;
    }
    let rows: Vec<minijinja::Value> = x
        .get("listed")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
        .map(|c| {
            let s = |k: &str| c.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
            let b = |k: &str| c.get(k).and_then(|v| v.as_bool()).unwrap_or(false);
            let year = c.get("year").and_then(|v| v.as_i64()).unwrap_or(0);
            let mut what = Vec::new();
            if b("other_county") {
                what.push(t(lang, "identity_other_county"));
            } else if b("village_changed") {
                what.push(format!(
                    "{} {} → {}",
                    t(lang, "identity_village_changed"),
                    s("previous_village_code"),
                    s("village_code")
                ));
            }
            if b("head_changed") {
                what.push(t(lang, "identity_head_changed"));
            }
            context! {
                year,
                previous_year => c.get("previous_year").and_then(|v| v.as_i64()),
                household => s("household_id"),
                href => card_href(year as i32, &s("household_id")),
                what => what.join(lang_separator(lang)),
            }
        })
        .collect();
    let more = count.saturating_sub(rows.len() as u64);
    Some(context! { count, more, rows })
}

fn lang_separator(lang: &str) -> &'static str {
    if lang == "en" { "; " } else { "；" }
}

pub(super) async fn job(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.trim().parse::<i64>() else {
        return PageError(AppError::not_found("任务", "job")).into_response();
    };
    let app = state.app.clone();
    let actor = pc.actor.clone();
    let j = match blocking(move || app.job(&actor, id)).await {
        Ok(j) => j,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = pc.lang.as_str();
    let report = match (&j.status[..], &j.result) {
        ("succeeded", Some(r)) => Some(context! {
            households => r.get("households").and_then(|v| v.as_u64()).unwrap_or(0),
            members => r.get("members").and_then(|v| v.as_u64()).unwrap_or(0),
            rejected => r.get("rejected").and_then(|v| v.as_u64()).unwrap_or(0),
            dry_run => r.get("dry_run").and_then(|v| v.as_bool()).unwrap_or(false),
            rejects_href => (r.get("rejected").and_then(|v| v.as_u64()).unwrap_or(0) > 0
                && pc.actor.role.may(Action::ImportRegistry))
                .then(|| format!("/jobs/{}/rejects.csv", j.id)),
            duplicates_elsewhere => r.get("duplicates_elsewhere").and_then(|v| v.as_u64()).unwrap_or(0),
            flagged => r.get("flagged").and_then(|v| v.as_bool()).unwrap_or(false),
            smaller_than_before => smaller_than_before(r, lang),
        }),
        _ => None,
    };
    let errors = job_errors(&j);
    let running = j.status == "running";
    let ctx = context! {
        job => context! {
            id => j.id,
            status => j.status.clone(),
            phase => j.phase.clone(),
            done => thousands(j.done as i64),
            total => thousands(j.total as i64),
            percent => j.percent(),
            message => j.message.as_deref().map(|m| message_in(m, lang)),
        },
        running,
        report,
        identity => identity_changes(j.result.as_ref().filter(|_| j.status == "succeeded"), lang),
        // A job keeps the first errors only; the count covers them all.
        error_count => errors.len() as u64 + j.errors_omitted,
        errors_listed => (j.errors_omitted > 0).then_some(errors.len()),
        error_rows => import_error_rows(&errors, REGISTRY_COLUMNS, lang),
        can_import => pc.actor.role.may(Action::ImportRegistry),
    };
    let title = format!("{} #{}", t(lang, "job"), j.id);
    let crumbs = vec![
        ("/registry/import".into(), t(lang, "nav_registry_import")),
        (String::new(), title.clone()),
    ];
    render::page(&state, &pc, "job.html", &title, crumbs, ctx).await
}

/// `GET /jobs/{id}/rejects.csv`: the rejected rows of a finished import,
/// as the CLI writes them (UTF-8 CSV with BOM, `错误`/`error` last). For
/// whoever may follow the job; audited.
pub(super) async fn job_rejects(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.trim().parse::<i64>() else {
        return PageError(AppError::not_found("任务", "job")).into_response();
    };
    let app = state.app.clone();
    let actor = pc.actor.clone();
    match blocking(move || app.job_rejects(&actor, id)).await {
        Ok((name, bytes)) => (
            [
                (
                    axum::http::header::CONTENT_TYPE,
                    "text/csv; charset=utf-8".to_string(),
                ),
                (
                    axum::http::header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"rejects.csv\"; filename*=UTF-8''{}",
                        urlencoding::encode(&name)
                    ),
                ),
                (axum::http::header::CACHE_CONTROL, "no-store".to_string()),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => PageError(e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::column_label;
    use super::*;

    #[test]
    fn messages_in_the_users_language() {
        assert_eq!(
            message_in("导入失败 / the import failed", "en"),
            "the import failed"
        );
        assert_eq!(message_in("导入失败 / the import failed", "zh"), "导入失败");
        assert_eq!(message_in("plain", "en"), "plain");
    }

    #[test]
    fn job_errors_come_from_a_failure_or_a_report() {
        let failed = JobState {
            id: 1,
            kind: "registry_import".into(),
            status: "failed".into(),
            phase: "validate".into(),
            done: 1,
            total: 1,
            message: None,
            errors_omitted: 0,
            result: Some(
                serde_json::json!([{"row": 3, "column": "id_number", "value": "1", "code": "id_length", "message": "长度", "message_en": "length"}]),
            ),
            username: "u".into(),
            county: None,
        };
        let e = job_errors(&failed);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].row, Some(3));
        assert_eq!(e[0].msg.text("en"), "length");
        assert_eq!(e[0].msg.text("zh"), "长度");
        assert_eq!(
            (e[0].field.as_str(), e[0].msg.code.as_str()),
            ("id_number", "id_length")
        );
        assert_eq!(
            column_label(REGISTRY_COLUMNS, "id_number", "zh"),
            "证件号码"
        );
        let ok = JobState {
            status: "succeeded".into(),
            result: Some(
                serde_json::json!({"households": 2, "members": 5, "rejected": 0, "errors": [], "dry_run": false}),
            ),
            ..failed
        };
        assert!(job_errors(&ok).is_empty());
    }
}

//! Departmental cross-checks: the alert files with the import form and a
//! template to fill in, one file's rows with what each became, the
//! correction tasks with their closing form; and the exit check.

use super::{
    Query, done, error_message, error_rows, list_nav, page_of, q, wants_xlsx, xlsx_response,
};
use crate::AppState;
use crate::csrf::{CsrfForm, CsrfUpload};
use crate::ctx::{PageCtx, blocking};
use crate::error::PageError;
use crate::i18n::t;
use crate::render;
use axum::Router;
use axum::extract::{Path, Query as Q, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use dingdian_app::AppError;
use dingdian_app::alerts::ALERT_FILE_COLUMNS;
use dingdian_app::tabular::{self, Cell};
use dingdian_core::alerts::{
    AlertFileFilter, AlertOutcome, AlertRowRecord, AlertSource, CorrectionFilter, CorrectionStatus,
    CorrectionTask, reason_msg,
};
use dingdian_core::role::Action;
use dingdian_core::time;
use minijinja::{Value, context};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/alerts", get(list).post(upload))
        .route("/alerts/template.xlsx", get(template))
        .route("/alerts/{id}", get(show))
        .route("/corrections", get(corrections))
        .route("/corrections/{id}/transition", post(close))
        .route("/registry/exit-check", get(exit_check))
}

fn zh_en(lang: &str, zh: &'static str, en: &'static str) -> &'static str {
    if lang == "en" { en } else { zh }
}

fn sources(lang: &str) -> Vec<Value> {
    AlertSource::ALL
        .iter()
        .map(|s| {
            let events: Vec<&str> = s.events().iter().map(|e| zh_en(lang, e.zh(), e.en())).collect();
            context! { code => s.code(), text => zh_en(lang, s.zh(), s.en()), events => events.join(" / ") }
        })
        .collect()
}

fn file_filter(query: &Query) -> AlertFileFilter {
    AlertFileFilter {
        county_code: q(query, "county").map(str::to_string),
        source: q(query, "source").and_then(AlertSource::from_code),
        q: q(query, "q").map(str::to_string),
    }
}

async fn list(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    list_page(&state, &pc, &query, None).await
}

/// The files, the import form for a county officer, and the error of a
/// refused upload.
async fn list_page(
    state: &AppState,
    pc: &PageCtx,
    query: &Query,
    error: Option<AppError>,
) -> Response {
    let f = file_filter(query);
    let (app, actor, page) = (state.app.clone(), pc.actor.clone(), page_of(query));
    if wants_xlsx(query) {
        return match blocking(move || app.export_alert_files(&actor, &f)).await {
            Ok(bytes) => xlsx_response("alerts", bytes),
            Err(e) => PageError(e).into_response(),
        };
    }
    let f2 = f.clone();
    let (items, total) = match blocking(move || app.alert_files(&actor, &f2, page)).await {
        Ok(r) => r,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = pc.lang.as_str();
    let status = error.as_ref().map_or(StatusCode::OK, crate::error::status);
    let rows: Vec<Value> = items
        .iter()
        .map(|f| context! { f => f, source_text => zh_en(lang, f.source.zh(), f.source.en()), at => time::show_ts(f.imported_at) })
        .collect();
    let ctx = context! {
        items => rows,
        sources => sources(lang),
        list => list_nav("/alerts", query, page, total, true),
        may_import => pc.actor.role.may(Action::ImportAlerts),
        columns => ALERT_FILE_COLUMNS.iter().map(|c| if lang == "en" { c.en } else { c.zh }).collect::<Vec<_>>(),
        error => error.as_ref().map(|e| error_message(e, lang)),
        error_rows => error.as_ref().map(|e| error_rows(e, lang)).unwrap_or_default(),
        f => context! {
            q => f.q.unwrap_or_default(),
            county => f.county_code.unwrap_or_default(),
            source => f.source.map(|s| s.code()).unwrap_or(""),
        },
    };
    let title = t(lang, "nav_alerts");
    render::page_with_status(state, pc, status, "alerts.html", &title, vec![], ctx).await
}

async fn upload(
    State(state): State<AppState>,
    pc: PageCtx,
    Q(query): Q<Query>,
    CsrfUpload(up): CsrfUpload,
) -> Response {
    let up = match up {
        Ok(u) => u,
        Err(e) => return list_page(&state, &pc, &query, Some(e)).await,
    };
    let source = up
        .fields
        .get("source")
        .and_then(|s| AlertSource::from_code(s));
    let Some(source) = source else {
        let e = AppError::invalid(
            "source",
            "",
            "required",
            "请选择发送数据的部门",
            "choose the department that sent the file",
        );
        return list_page(&state, &pc, &query, Some(e)).await;
    };
    let county = pc.actor.scope.county().unwrap_or("").to_string();
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let r = blocking(move || {
        app.import_alerts(
            &actor,
            &county,
            source,
            &up.file_name,
            &up.bytes,
            time::today(),
        )
    })
    .await;
    match r {
        Ok(r) if r.repeated => done(&format!("/alerts/{}", r.file_id), "alert_repeated"),
        Ok(r) => done(&format!("/alerts/{}", r.file_id), "alert_imported"),
        Err(e @ AppError::Invalid(_)) => list_page(&state, &pc, &query, Some(e)).await,
        Err(e) => PageError(e).into_response(),
    }
}

/// The file to fill in: the columns and one example row per department
/// (the number is an example, valid but of no one).
async fn template(_: PageCtx) -> Response {
    let headers: Vec<String> = ALERT_FILE_COLUMNS
        .iter()
        .map(|c| c.zh.to_string())
        .collect();
    let first = "62302319800101001";
    let id = format!(
        "{first}{}",
        dingdian_core::registry::check_digit(first).unwrap_or('0')
    );
    let example: Vec<Vec<Cell>> = vec![
        vec![
            id.clone().into(),
            "高额自付医疗费用".into(),
            "2016-05-01".into(),
            "25000.00".into(),
            "623023".into(),
        ],
        vec![
            id.into(),
            "死亡".into(),
            "2016-06-01".into(),
            Cell::Empty,
            Cell::Empty,
        ],
    ];
    match tabular::write_xlsx("alerts", &headers, &example) {
        Ok(bytes) => xlsx_response("alerts-template", bytes),
        Err(e) => PageError(e).into_response(),
    }
}

fn row_view(r: &AlertRowRecord, lang: &str) -> Value {
    let event =
        dingdian_core::alerts::AlertEvent::from_code(&r.event).map(|e| zh_en(lang, e.zh(), e.en()));
    let reason = r
        .reason
        .as_deref()
        .map(|c| reason_msg(c).text(lang).to_string());
    context! {
        r => r,
        event_text => event.unwrap_or(""),
        outcome_text => zh_en(lang, r.outcome.zh(), r.outcome.en()),
        matched => matches!(r.outcome, AlertOutcome::Flagged | AlertOutcome::Correction),
        reason,
    }
}

async fn show(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    Q(query): Q<Query>,
) -> Response {
    let (app, actor, page) = (state.app.clone(), pc.actor.clone(), page_of(&query));
    let (file, rows, total) = match blocking(move || app.alert_file(&actor, id, page)).await {
        Ok(r) => r,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = pc.lang.as_str();
    let ctx = context! {
        file => file,
        source_text => zh_en(lang, file.source.zh(), file.source.en()),
        at => time::show_ts(file.imported_at),
        rows => rows.iter().map(|r| row_view(r, lang)).collect::<Vec<_>>(),
        list => list_nav(&format!("/alerts/{id}"), &query, page, total, false),
    };
    let title = format!("{} · {}", t(lang, "alert_file"), file.file_name);
    let crumbs = vec![
        ("/alerts".to_string(), t(lang, "nav_alerts")),
        (String::new(), title.clone()),
    ];
    render::page(&state, &pc, "alert.html", &title, crumbs, ctx).await
}

fn correction_view(c: &CorrectionTask, lang: &str) -> Value {
    context! {
        c => c,
        source_text => zh_en(lang, c.source.zh(), c.source.en()),
        task_text => zh_en(lang, c.task.zh(), c.task.en()),
        status_text => zh_en(lang, c.status.zh(), c.status.en()),
        open => c.status == CorrectionStatus::Open,
    }
}

async fn corrections(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    let f = CorrectionFilter {
        county_code: q(&query, "county").map(str::to_string),
        status: q(&query, "status").and_then(CorrectionStatus::from_code),
        q: q(&query, "q").map(str::to_string),
    };
    let (app, actor, page) = (state.app.clone(), pc.actor.clone(), page_of(&query));
    if wants_xlsx(&query) {
        return match blocking(move || app.export_corrections(&actor, &f)).await {
            Ok(bytes) => xlsx_response("corrections", bytes),
            Err(e) => PageError(e).into_response(),
        };
    }
    let f2 = f.clone();
    let (items, total) = match blocking(move || app.corrections(&actor, &f2, page)).await {
        Ok(r) => r,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = pc.lang.as_str();
    let ctx = context! {
        items => items.iter().map(|c| correction_view(c, lang)).collect::<Vec<_>>(),
        statuses => CorrectionStatus::ALL.iter().map(|s| context! { code => s.code(), text => zh_en(lang, s.zh(), s.en()) }).collect::<Vec<_>>(),
        list => list_nav("/corrections", &query, page, total, true),
        may_close => pc.actor.role.may(Action::ImportAlerts),
        f => context! {
            q => f.q.unwrap_or_default(),
            county => f.county_code.unwrap_or_default(),
            status => f.status.map(|s| s.code()).unwrap_or(""),
        },
    };
    let title = t(lang, "nav_corrections");
    render::page(&state, &pc, "corrections.html", &title, vec![], ctx).await
}

#[derive(Deserialize)]
struct CloseForm {
    to: String,
    #[serde(default)]
    note: String,
}

async fn close(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<CloseForm>,
) -> Response {
    let Some(to) = CorrectionStatus::from_code(&form.to) else {
        return PageError(AppError::invalid(
            "to",
            "",
            "bad_transition",
            "应为已更正或无需更正",
            "must be done or dismissed",
        ))
        .into_response();
    };
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    match blocking(move || app.close_correction(&actor, id, to, &form.note)).await {
        Ok(_) => done("/corrections", "correction_closed"),
        Err(e) => PageError(e).into_response(),
    }
}

async fn exit_check(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    let asked = q(&query, "year").and_then(|y| y.parse::<i32>().ok());
    let county = q(&query, "county")
        .map(str::to_string)
        .or_else(|| pc.actor.scope.county().map(str::to_string));
    let (app, actor, page) = (state.app.clone(), pc.actor.clone(), page_of(&query));
    let c2 = county.clone();
    let xlsx = wants_xlsx(&query);
    // Without a year: the latest the registry holds.
    let r = blocking(move || {
        let year = match asked {
            Some(y) => y,
            None => app
                .registry_years(&actor)?
                .into_iter()
                .max()
                .unwrap_or(2016),
        };
        if xlsx {
            let bytes = app.export_exit_check(&actor, c2.as_deref(), year)?;
            return Ok((year, Err(bytes)));
        }
        Ok::<_, AppError>((year, Ok(app.exit_check(&actor, c2.as_deref(), year, page)?)))
    })
    .await;
    let (year, (items, total)) = match r {
        Ok((_, Err(bytes))) => return xlsx_response("exit-check", bytes),
        Ok((year, Ok(found))) => (year, found),
        Err(e) => return PageError(e).into_response(),
    };
    let lang = pc.lang.as_str();
    let ctx = context! {
        items => items.iter().map(|r| context! {
            r => r,
            reasons => r.reasons.iter().map(|m| if lang == "en" { m.message_en.clone() } else { m.message.clone() }).collect::<Vec<_>>(),
        }).collect::<Vec<_>>(),
        list => list_nav("/registry/exit-check", &query, page, total, true),
        total,
        f => context! { year, county => county.unwrap_or_default() },
    };
    let title = t(lang, "nav_exit_check");
    render::page(&state, &pc, "exit_check.html", &title, vec![], ctx).await
}

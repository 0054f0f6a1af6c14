//! Reports: the list (overdue in red, filters, paging, xlsx), the report
//! page where its author writes and submits it (the sections save as they
//! are typed through `/assets/report-draft.js`, and by the save button
//! without script) and its unit accepts or returns it, the year's calendar
//! and punctuality with its charts.

use super::assistance::{Form, fv};
use super::{
    Query, done, error_message, error_rows, list_nav, page_of, q, wants_xlsx, xlsx_response,
};
use crate::AppState;
use crate::csrf::{CsrfFile, CsrfForm};
use crate::ctx::{PageCtx, blocking};
use crate::error::PageError;
use crate::i18n::t;
use crate::render;
use axum::Json;
use axum::Router;
use axum::extract::{Path, Query as Q, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use dingdian_app::AppError;
use dingdian_app::reports::{Decision, ReportDetail};
use dingdian_core::report::{
    ALL_REPORT_KINDS, ALL_REPORT_STATUSES, Report, ReportFilter, ReportKind, ReportPeriod,
    ReportStatus, Sections, StatusFilter,
};
use dingdian_core::time;
use minijinja::{Value, context};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assets/report-draft.js", get(script))
        .route("/reports", get(list))
        .route(
            "/reports/calendar",
            get(super::report_calendar::show).post(super::report_calendar::set),
        )
        .route(
            "/reports/punctuality",
            get(super::report_calendar::punctuality),
        )
        .route("/reports/{id}", get(show))
        .route("/reports/{id}/draft", post(autosave))
        .route("/reports/{id}/save", post(save))
        .route("/reports/{id}/submit", post(submit))
        .route("/reports/{id}/review", post(review))
        .route("/reports/{id}/attachments", post(attach))
        .route("/reports/{id}/attachments/{aid}", get(download))
}

async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../assets/report-draft.js"),
    )
        .into_response()
}

pub(super) fn kind_text(k: ReportKind, lang: &str) -> &'static str {
    if lang == "en" { k.en() } else { k.zh() }
}

fn status_text(s: ReportStatus, lang: &str) -> &'static str {
    if lang == "en" { s.en() } else { s.zh() }
}

fn row(r: &Report, lang: &str, today: chrono::NaiveDate) -> Value {
    context! {
        r => context! {
            id => r.id, period => r.period.to_string(), unit_name => r.unit_name.clone(),
            county_name => r.county_name.clone(), author => r.author.clone(), due => r.due.to_string(),
            status => r.status.code(), submitted_at => r.submitted_at,
        },
        kind_text => kind_text(r.kind, lang),
        status_text => status_text(r.status, lang),
        overdue => r.overdue(today),
    }
}

fn filter_of(query: &Query) -> ReportFilter {
    ReportFilter {
        unit_id: q(query, "unit").and_then(|v| v.parse().ok()),
        county_code: q(query, "county").map(str::to_string),
        kind: q(query, "kind").and_then(ReportKind::from_code),
        period: q(query, "period").and_then(ReportPeriod::parse),
        status: q(query, "status").and_then(StatusFilter::from_code),
        year: q(query, "year").and_then(|v| v.parse().ok()),
        q: q(query, "q").map(|s| s.chars().take(100).collect()),
    }
}

async fn list(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    let f = filter_of(&query);
    let today = time::today();
    let (app, actor, page) = (state.app.clone(), pc.actor.clone(), page_of(&query));
    if wants_xlsx(&query) {
        return match blocking(move || app.export_reports(&actor, &f, today)).await {
            Ok(bytes) => xlsx_response("reports", bytes),
            Err(e) => PageError(e).into_response(),
        };
    }
    let f2 = f.clone();
    let (items, total) = match blocking(move || app.list_reports(&actor, &f2, today, page)).await {
        Ok(r) => r,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = pc.lang.as_str();
    let mut statuses: Vec<Value> = ALL_REPORT_STATUSES
        .iter()
        .map(|s| context! { code => s.code(), text => status_text(*s, lang) })
        .collect();
    statuses.push(context! { code => "overdue", text => t(lang, "rp_overdue") });
    let ctx = context! {
        items => items.iter().map(|r| row(r, lang, today)).collect::<Vec<_>>(),
        statuses,
        kinds => ALL_REPORT_KINDS.iter().map(|k| context! { code => k.code(), text => kind_text(*k, lang) }).collect::<Vec<_>>(),
        list => list_nav("/reports", &query, page, total, true),
        f => context! {
            q => f.q.unwrap_or_default(),
            kind => f.kind.map(|k| k.code()).unwrap_or(""),
            period => f.period.map(|p| p.to_string()).unwrap_or_default(),
            status => q(&query, "status").unwrap_or(""),
        },
    };
    let title = t(lang, "nav_reports");
    render::page(&state, &pc, "reports.html", &title, vec![], ctx).await
}

fn detail_ctx(d: &ReportDetail, lang: &str) -> Value {
    let r = &d.report;
    context! {
        report => row(r, lang, time::today()),
        revision => r.revision,
        sections => r.sections.clone(),
        f => d.figures.clone(),
        figures_frozen => d.figures_frozen,
        returned_comment => d.returned_comment.clone(),
        history => d.transitions.iter().map(|h| context! {
            from => h.from.map(|s| status_text(s, lang)), to => status_text(h.to, lang),
            display_name => h.display_name.clone(), at => h.at, comment => h.reason.clone(),
        }).collect::<Vec<_>>(),
        attachments => d.attachments.iter().map(|a| context! { id => a.id, file_name => a.file_name.clone(), size => a.size, display_name => a.display_name.clone(), at => a.at }).collect::<Vec<_>>(),
        may_write => d.may_write,
        may_review => d.may_review,
        county => r.county_name.clone(),
    }
}

async fn show_page(
    state: &AppState,
    pc: &PageCtx,
    id: i64,
    error: Option<AppError>,
    typed: Option<Sections>,
) -> Response {
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let d = match blocking(move || app.report_detail(&actor, id, time::today())).await {
        Ok(d) => d,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = pc.lang.as_str();
    let status = error.as_ref().map_or(StatusCode::OK, crate::error::status);
    let title = format!("{} {}", kind_text(d.report.kind, lang), d.report.period);
    let ctx = context! {
        d => detail_ctx(&d, lang),
        // What the writer typed, kept when a save or submission failed.
        typed => typed.unwrap_or_else(|| d.report.sections.clone()),
        error => error.as_ref().map(|e| error_message(e, lang)),
        error_rows => error.as_ref().map(|e| error_rows(e, lang)).unwrap_or_default(),
    };
    let crumbs = vec![
        ("/reports".into(), t(lang, "nav_reports")),
        (String::new(), title.clone()),
    ];
    render::page_with_status(state, pc, status, "report.html", &title, crumbs, ctx).await
}

async fn show(State(state): State<AppState>, pc: PageCtx, Path(id): Path<i64>) -> Response {
    show_page(&state, &pc, id, None, None).await
}

fn sections_of(form: &Form) -> Sections {
    Sections {
        work_done: fv(form, "work_done").into(),
        problems: fv(form, "problems").into(),
        next_steps: fv(form, "next_steps").into(),
    }
}

fn revision_of(form: &Form) -> i64 {
    fv(form, "revision").parse().unwrap_or(-1)
}

/// The page's script saves as the writer types: JSON `{revision}`, or the
/// error (409 `stale_revision` when another save came first).
async fn autosave(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<Form>,
) -> Response {
    let (s, rev) = (sections_of(&form), revision_of(&form));
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    match blocking(move || app.save_report_draft(&actor, id, &s, rev)).await {
        Ok(revision) => Json(serde_json::json!({ "revision": revision })).into_response(),
        Err(e) => {
            let body = crate::api::ErrorAnswer::new(&e, &pc.lang, false);
            (crate::error::status(&e), Json(body)).into_response()
        }
    }
}

async fn after(
    state: &AppState,
    pc: &PageCtx,
    id: i64,
    r: Result<(), AppError>,
    what: &str,
    typed: Option<Sections>,
) -> Response {
    match r {
        Ok(()) => done(&format!("/reports/{id}"), what),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_) | AppError::Forbidden(_))) => {
            show_page(state, pc, id, Some(e), typed).await
        }
        Err(e) => PageError(e).into_response(),
    }
}

async fn save(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<Form>,
) -> Response {
    let (s, rev) = (sections_of(&form), revision_of(&form));
    let (app, actor, typed) = (state.app.clone(), pc.actor.clone(), s.clone());
    let r = blocking(move || app.save_report_draft(&actor, id, &s, rev).map(|_| ())).await;
    after(&state, &pc, id, r, "saved", Some(typed)).await
}

async fn submit(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<Form>,
) -> Response {
    let (s, rev) = (sections_of(&form), revision_of(&form));
    let (app, actor, typed) = (state.app.clone(), pc.actor.clone(), s.clone());
    let r = blocking(move || app.submit_report(&actor, id, Some(&s), rev, time::today())).await;
    after(&state, &pc, id, r, "report_submitted", Some(typed)).await
}

async fn review(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<Form>,
) -> Response {
    let decision = match fv(&form, "decision") {
        "accept" => Decision::Accept,
        _ => Decision::Return,
    };
    let comment = fv(&form, "comment").to_string();
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let r =
        blocking(move || app.review_report(&actor, id, decision, Some(&comment), time::today()))
            .await;
    after(&state, &pc, id, r, "report_reviewed", None).await
}

async fn attach(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    CsrfFile(upload): CsrfFile,
) -> Response {
    let up = match upload {
        Ok(up) => up,
        Err(e) => return after(&state, &pc, id, Err(e), "attached", None).await,
    };
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let r = blocking(move || {
        app.add_report_attachment(&actor, id, &up.file_name, &up.bytes)
            .map(|_| ())
    })
    .await;
    after(&state, &pc, id, r, "attached", None).await
}

/// An attachment as a download of the type its content showed.
async fn download(
    State(state): State<AppState>,
    pc: PageCtx,
    Path((id, aid)): Path<(i64, i64)>,
) -> Response {
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    match blocking(move || app.report_attachment(&actor, id, aid)).await {
        Ok((a, bytes)) => crate::api::attachment_response(&a.media_type, &a.file_name, bytes),
        Err(e) => PageError(e).into_response(),
    }
}

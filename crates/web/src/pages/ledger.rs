//! The funds ledger's pages: the entries (filters, search, paging, xlsx
//! and IATI downloads, the unit's posting form, a reverse button per
//! entry, the office's reallocation form) and the balances with the chart
//! of funds by source and year.

use super::{Query, done, error_message, field_errors, list_nav, page_of, q};
use crate::AppState;
use crate::charts::{self, ValueBar};
use crate::csrf::CsrfForm;
use crate::ctx::{PageCtx, blocking};
use crate::error::PageError;
use crate::i18n::t;
use crate::render;
use axum::Router;
use axum::extract::{Path, Query as Q, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use dingdian_app::ledger_export::LedgerFormat;
use dingdian_app::{AppError, Page};
use dingdian_core::area::CountyCode;
use dingdian_core::ledger::{EntryKind, FundSource, LedgerEntryInput, LedgerFilter};
use dingdian_core::role::Action;
use minijinja::context;
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ledger", get(list).post(create))
        .route("/ledger/{id}/reverse", post(reverse))
        .route("/ledger/balances", get(balances))
}

fn filter_of(query: &Query) -> LedgerFilter {
    LedgerFilter {
        unit_id: q(query, "unit").and_then(|s| s.parse().ok()),
        county_code: q(query, "county")
            .and_then(CountyCode::parse)
            .map(String::from),
        project_id: q(query, "project").and_then(|s| s.parse().ok()),
        kind: q(query, "kind").and_then(EntryKind::parse),
        source: q(query, "source").and_then(FundSource::parse),
        year: q(query, "year").and_then(|s| s.parse().ok()),
        q: q(query, "q").map(str::to_string),
    }
}

/// The filter as the form shows it back.
fn filter_view(f: &LedgerFilter) -> minijinja::Value {
    context! {
        unit => f.unit_id.map(|u| u.to_string()).unwrap_or_default(),
        county => f.county_code.clone().unwrap_or_default(),
        project => f.project_id.map(|p| p.to_string()).unwrap_or_default(),
        kind => f.kind.map(|k| k.as_str()).unwrap_or(""),
        source => f.source.map(|s| s.as_str()).unwrap_or(""),
        year => f.year.map(|y| y.to_string()).unwrap_or_default(),
        q => f.q.clone().unwrap_or_default(),
    }
}

/// The posting and reallocation forms, as typed: every field text, so
/// that a bad one comes back to the form with its message.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
struct EntryForm {
    kind: String,
    unit_id: String,
    county_code: String,
    source: String,
    donor: String,
    project_id: String,
    to_project_id: String,
    amount_yuan: String,
    date: String,
    document_no: String,
    note: String,
}

fn optional_id(s: &str) -> Option<i64> {
    s.trim().parse().ok()
}

impl EntryForm {
    fn input(&self) -> LedgerEntryInput {
        LedgerEntryInput {
            kind: self.kind.clone(),
            unit_id: optional_id(&self.unit_id),
            county_code: self.county_code.clone(),
            source: self.source.clone(),
            donor: self.donor.clone(),
            project_id: optional_id(&self.project_id),
            to_project_id: optional_id(&self.to_project_id),
            amount_fen: None,
            amount_yuan: self.amount_yuan.clone(),
            date: self.date.clone(),
            document_no: self.document_no.clone(),
            note: self.note.clone(),
            reverses: None,
        }
    }
}

fn download(name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let date = dingdian_core::time::today().format("%Y%m%d");
    let disposition = format!("attachment; filename=\"{name}-{date}\"");
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

async fn list(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    let f = filter_of(&query);
    let format = q(&query, "format").and_then(LedgerFormat::parse);
    if let Some(format) = format {
        let (app, actor) = (state.app.clone(), pc.actor.clone());
        return match blocking(move || app.export_ledger(&actor, &f, format)).await {
            Ok(bytes) if format == LedgerFormat::Iati => {
                download("ledger-iati.xml", "application/xml; charset=utf-8", bytes)
            }
            Ok(bytes) => download(
                "ledger.xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                bytes,
            ),
            Err(e) => PageError(e).into_response(),
        };
    }
    let form = EntryForm {
        unit_id: pc
            .actor
            .scope
            .unit()
            .map(|u| u.to_string())
            .unwrap_or_default(),
        date: dingdian_core::time::today().to_string(),
        ..Default::default()
    };
    list_page(&state, &pc, &query, StatusCode::OK, form, None).await
}

/// The entries page, with the forms (kept as typed after a refusal).
async fn list_page(
    state: &AppState,
    pc: &PageCtx,
    query: &Query,
    status: StatusCode,
    form: EntryForm,
    error: Option<AppError>,
) -> Response {
    let f = filter_of(query);
    let page = page_of(query);
    let (app, actor, f2) = (state.app.clone(), pc.actor.clone(), f.clone());
    let read = blocking(move || {
        let entries = app.ledger_entries(&actor, &f2, page)?;
        let projects = app.ledger_projects(&actor, &LedgerFilter::default())?;
        Ok((entries, projects))
    })
    .await;
    let ((items, total), projects) = match read {
        Ok(r) => r,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = &pc.lang;
    let errors = error
        .as_ref()
        .map(|e| field_errors(e, lang))
        .unwrap_or_default();
    let ctx = context! {
        items,
        projects => projects.iter().map(|p| context! { id => p.id, name => p.name.clone(), county_code => p.county_code.clone(), unit_id => p.unit_id }).collect::<Vec<_>>(),
        kinds => EntryKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
        sources => FundSource::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        can_post => pc.actor.role.may(Action::PostLedger),
        can_reallocate => pc.actor.role.may(Action::ReallocateEarmarks),
        form,
        errors,
        error => error.as_ref().map(|e| error_message(e, lang)),
        list => list_nav("/ledger", query, page, total, true),
        iati => iati_href(query),
        f => filter_view(&f),
    };
    let title = t(lang, "nav_ledger");
    render::page_with_status(state, pc, status, "ledger.html", &title, vec![], ctx).await
}

/// The IATI download of the list as filtered.
fn iati_href(query: &Query) -> String {
    list_nav("/ledger", query, Page::new(None, None), 0, true)
        .export
        .unwrap_or_default()
        .replace("format=xlsx", "format=iati")
}

async fn create(
    State(state): State<AppState>,
    pc: PageCtx,
    Q(query): Q<Query>,
    CsrfForm(form): CsrfForm<EntryForm>,
) -> Response {
    let (app, actor, input) = (state.app.clone(), pc.actor.clone(), form.input());
    match blocking(move || app.post_entry(&actor, &input)).await {
        Ok(_) => done("/ledger", "ledger_posted"),
        Err(e @ AppError::Invalid(_)) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            list_page(&state, &pc, &query, status, form, Some(e)).await
        }
        Err(e) => PageError(e).into_response(),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReverseForm {
    note: String,
}

async fn reverse(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ReverseForm>,
) -> Response {
    let input = LedgerEntryInput {
        kind: "reversal".into(),
        reverses: Some(id),
        date: dingdian_core::time::today().to_string(),
        note: form.note,
        ..Default::default()
    };
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    match blocking(move || app.post_entry(&actor, &input)).await {
        Ok(_) => done("/ledger", "ledger_reversed"),
        Err(e) => PageError(e).into_response(),
    }
}

async fn balances(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    let f = filter_of(&query);
    let (app, actor, f2) = (state.app.clone(), pc.actor.clone(), f.clone());
    let read = blocking(move || {
        Ok((
            app.ledger_balances(&actor, &f2)?,
            app.ledger_receipts_by_year(&actor, &f2)?,
        ))
    })
    .await;
    let (items, years) = match read {
        Ok(r) => r,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = &pc.lang;
    let sum = |g: fn(&dingdian_core::ledger::Balance) -> i64| items.iter().map(g).sum::<i64>();
    let totals = context! {
        received => sum(|b| b.received_fen),
        committed => sum(|b| b.committed_fen),
        disbursed => sum(|b| b.disbursed_fen),
        spent => sum(|b| b.spent_fen),
        available => sum(|b| b.available_fen),
    };
    let bars: Vec<ValueBar> = years
        .iter()
        .map(|(year, source, fen)| ValueBar {
            label: format!(
                "{year} {}",
                t(lang, &format!("ledger_source_{}", source.as_str()))
            ),
            href: None,
            value: dingdian_core::Fen::new(*fen).yuan(),
            text: dingdian_core::Fen::new(*fen).to_string(),
        })
        .collect();
    let chart = (!bars.is_empty()).then(|| {
        let caption = format!(
            "{} {}",
            t(lang, "ledger_chart_caption"),
            dingdian_core::time::today()
        );
        charts::value_bars(
            &t(lang, "ledger_chart_title"),
            &bars,
            &t(lang, "ledger_yuan"),
            &caption,
        )
    });
    let ctx = context! { items, totals, chart, f => filter_view(&f) };
    let crumbs = vec![
        ("/ledger".into(), t(lang, "nav_ledger")),
        (String::new(), t(lang, "nav_ledger_balances")),
    ];
    render::page(
        &state,
        &pc,
        "ledger_balances.html",
        &t(lang, "nav_ledger_balances"),
        crumbs,
        ctx,
    )
    .await
}

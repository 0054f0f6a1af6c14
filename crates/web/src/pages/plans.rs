//! Pairing plans: list, create, edit, the workflow buttons, pairings,
//! consultation, coverage exceptions, versions and their difference; the
//! pairing list and the coverage page.

use super::{
    Query, done, error_message, error_rows, field_errors, list_nav, page_of, q, wants_xlsx,
    xlsx_response,
};
use crate::AppState;
use crate::csrf::{Button, CsrfForm, CsrfUpload};
use crate::ctx::{PageCtx, blocking};
use crate::error::PageError;
use crate::i18n::t;
use crate::render;
use axum::Router;
use axum::extract::{Path, Query as Q, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use dingdian_app::plans::{PAIRING_COLUMNS, PairingInput, PairingPlanInput};
use dingdian_app::tabular::{self, Encoding};
use dingdian_app::{AppError, Page};
use dingdian_core::plan::{ALL_PLAN_STATUSES, PairingPlanKind, PairingPlanStatus};
use dingdian_core::query::{PairingFilter, PairingPlanFilter};
use dingdian_core::role::{Action, Scope};
use minijinja::context;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/plans", get(list).post(create))
        .route("/plans/new", get(new_form))
        .route("/plans/template.xlsx", get(template))
        .route("/plans/{id}", get(show))
        .route("/plans/{id}/edit", get(edit_form).post(update))
        .route("/plans/{id}/diff", get(diff))
        .route("/plans/{id}/transition", post(transition))
        .route("/plans/{id}/pairings", post(add_pairing))
        .route("/plans/{id}/pairings/{pid}/delete", post(remove_pairing))
        .route("/plans/{id}/import", post(import))
        .route("/plans/{id}/feedback", post(feedback))
        .route("/plans/{id}/exceptions", post(exception))
        .route("/plans/{id}/exceptions/import", post(import_exceptions))
        .route("/plans/{id}/uncovered.xlsx", get(uncovered_xlsx))
        .route("/plans/{id}/version", post(new_version))
        .route("/plans/{id}/derive", post(derive))
        .route("/pairings", get(pairings))
        .route("/coverage", get(coverage))
}

/// The pairing form on the plan page, shown again after a failed action
/// (`open_uncovered` keeps the uncovered counties open after an error in
/// them, so the message is beside its rows).
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
struct PairingForm {
    unit_id: String,
    county_code: String,
    role: String,
    start: String,
    end: String,
    note: String,
    #[serde(skip_deserializing)]
    open_uncovered: bool,
}

/// A plan's own fields (new or edited).
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
struct PlanForm {
    name: String,
    kind: String,
    parent_id: String,
    county_list: String,
    period_start: String,
    period_end: String,
    note: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TransitionForm {
    to: String,
    confirm: String,
    reason: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct FeedbackForm {
    kind: String,
    text: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ExceptionForm {
    county_code: String,
    reason: String,
}

fn statuses() -> Vec<&'static str> {
    ALL_PLAN_STATUSES.iter().map(|s| s.as_str()).collect()
}

fn plans_crumb(lang: &str) -> (String, String) {
    ("/plans".into(), t(lang, "nav_plans"))
}

async fn list(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    let f = PairingPlanFilter {
        status: q(&query, "status").and_then(PairingPlanStatus::parse),
        kind: q(&query, "kind").and_then(PairingPlanKind::parse),
        q: q(&query, "q").map(str::to_string),
    };
    let page = page_of(&query);
    let app = state.app.clone();
    let actor = pc.actor.clone();
    if wants_xlsx(&query) {
        return match blocking(move || app.export_plans(&actor, &f)).await {
            Ok(bytes) => xlsx_response("plans", bytes),
            Err(e) => PageError(e).into_response(),
        };
    }
    let f2 = f.clone();
    match blocking(move || app.list_plans(&actor, &f2, page)).await {
        Ok((items, total)) => {
            let ctx = context! {
                items,
                statuses => statuses(),
                can_create => pc.actor.role.may(Action::EditPlans),
                list => list_nav("/plans", &query, page, total, true),
                f => context! { q => f.q.unwrap_or_default(), status => f.status.map(|s| s.as_str()).unwrap_or(""), kind => f.kind.map(|k| k.as_str()).unwrap_or("") },
            };
            render::page(
                &state,
                &pc,
                "plans.html",
                &t(&pc.lang, "nav_plans"),
                vec![],
                ctx,
            )
            .await
        }
        Err(e) => PageError(e).into_response(),
    }
}

/// Pairings shown per page on the plan page.
const PAIRINGS_PER_PAGE: u32 = 50;

/// The plan's pairings that match the filter text (county or unit, name
/// or code), and the page of them to show.
fn filter_pairings(
    all: Vec<dingdian_core::plan::Pairing>,
    pq: &str,
    page: Page,
) -> (Vec<dingdian_core::plan::Pairing>, i64) {
    let pq = pq.trim();
    let matching: Vec<_> = all
        .into_iter()
        .filter(|p| {
            pq.is_empty()
                || p.county_code.contains(pq)
                || p.county_name.contains(pq)
                || p.unit_name.contains(pq)
                || p.unit_id.to_string() == pq
        })
        .collect();
    let total = matching.len() as i64;
    let skip = (page.page.saturating_sub(1) * page.per_page) as usize;
    let shown = matching
        .into_iter()
        .skip(skip)
        .take(page.per_page as usize)
        .collect();
    (shown, total)
}

/// The plan page, optionally with an error from a failed action on it.
async fn show_with(
    state: &AppState,
    pc: &PageCtx,
    id: i64,
    status: StatusCode,
    error: Option<AppError>,
    form: PairingForm,
) -> Response {
    show_page(state, pc, id, status, error, form, &Query::new()).await
}

/// What the plan page shows besides the plan: the units to pair (when it
/// is editable), the county lists, and the coverage with whether it is
/// over the whole period (an undecided plan) or today.
type PlanData = (
    dingdian_app::plans::PairingPlanDetail,
    Vec<dingdian_core::unit::Unit>,
    Option<(dingdian_core::coverage::Coverage, bool)>,
    Vec<dingdian_core::area::CountyList>,
    Option<dingdian_core::area::ListCompleteness>,
);

fn plan_data(
    app: &dingdian_app::App,
    actor: &dingdian_app::Actor,
    id: i64,
) -> Result<PlanData, AppError> {
    let d = app.plan_detail(actor, id)?;
    let units = if d.editable {
        app.list_units(actor, &Default::default(), Page::all())?.0
    } else {
        Vec::new()
    };
    let lists = app.county_lists(actor).unwrap_or_default();
    // The office, the reviewer and the inspector see the plan's coverage.
    let sees_all = actor.role.may(Action::ReadPlans) && actor.scope == Scope::All;
    let coverage = if sees_all && d.plan.kind == PairingPlanKind::Overall {
        if d.plan.status.is_decided() {
            Some((app.plan_coverage(actor, id, None)?, false))
        } else {
            Some((app.plan_period_coverage(actor, id)?, true))
        }
    } else {
        None
    };
    // How complete the plan's county list is, for those who read areas.
    let completeness = if actor.role.may(Action::ReadAreas) {
        Some(app.list_completeness(actor, &d.plan.county_list)?)
    } else {
        None
    };
    Ok((d, units, coverage, lists, completeness))
}

/// The workflow buttons, the coverage exceptions by county and the units
/// the plan pairs, as the plan page shows them.
type PlanParts = (
    Vec<minijinja::Value>,
    HashMap<String, String>,
    Vec<(i64, String)>,
);

fn plan_parts(d: &dingdian_app::plans::PairingPlanDetail) -> PlanParts {
    let buttons = d
        .next
        .iter()
        .map(|tr| context! { to => tr.to.as_str(), needs_reason => tr.needs_reason, irreversible => matches!(tr.to, PairingPlanStatus::Approved | PairingPlanStatus::Active) })
        .collect();
    let exceptions = d
        .exceptions
        .iter()
        .map(|e| (e.county_code.clone(), e.reason.clone()))
        .collect();
    let mut plan_units: Vec<(i64, String)> = d
        .pairings
        .iter()
        .map(|p| (p.unit_id, p.unit_name.clone()))
        .collect();
    plan_units.sort();
    plan_units.dedup();
    (buttons, exceptions, plan_units)
}

async fn show_page(
    state: &AppState,
    pc: &PageCtx,
    id: i64,
    status: StatusCode,
    error: Option<AppError>,
    form: PairingForm,
    query: &Query,
) -> Response {
    let app = state.app.clone();
    let actor = pc.actor.clone();
    let result = blocking(move || plan_data(&app, &actor, id)).await;
    let (d, units, coverage, lists, completeness) = match result {
        Ok(r) => r,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = pc.lang.as_str();
    let (buttons, exceptions, plan_units) = plan_parts(&d);
    let is_office = pc.actor.role.may(Action::EditPlans);
    let coverage_label = coverage.as_ref().map(|(_, throughout)| {
        if *throughout {
            format!("{} — {}", d.plan.period_start, d.plan.period_end)
        } else {
            dingdian_core::time::today().to_string()
        }
    });
    let pq = q(query, "pq").unwrap_or("").to_string();
    let page = Page::new(
        q(query, "page").and_then(|p| p.parse().ok()),
        Some(PAIRINGS_PER_PAGE),
    );
    let (pairings, pairings_total) = filter_pairings(d.pairings, &pq, page);
    let ctx = context! {
        plan => d.plan.clone(),
        county_list_name => super::list_name(&lists, &d.plan.county_list, lang),
        completeness => completeness.as_ref().map(|l| super::list_view(l, lang)),
        pairings,
        pairings_total,
        pairings_nav => list_nav(&format!("/plans/{id}"), query, page, pairings_total, false),
        pq,
        feedback_answered => d.feedback_counts.0,
        feedback_total => d.feedback_counts.1,
        can_accept => d.can_accept,
        transitions => d.transitions.iter().map(|h| context! { from => h.from.map(|s| s.as_str()), to => h.to.as_str(), display_name => h.display_name.clone(), at => h.at, reason => h.reason.as_deref().map(|r| dingdian_core::plan::reason_text(r, lang)) }).collect::<Vec<_>>(),
        feedback => d.feedback.iter().map(|f| context! { unit_name => f.unit_name.clone(), kind => f.kind.clone(), text => f.text.clone(), at => f.at }).collect::<Vec<_>>(),
        exceptions,
        buttons,
        editable => d.editable,
        can_give_feedback => d.can_give_feedback,
        can_version => is_office && (d.plan.status.is_decided() || d.plan.status == PairingPlanStatus::Returned),
        can_derive => is_office && d.plan.kind == PairingPlanKind::Overall && d.plan.status.is_decided(),
        can_except => is_office && matches!(d.plan.status, PairingPlanStatus::Draft | PairingPlanStatus::Consultation | PairingPlanStatus::Returned),
        later_versions => d.later_versions.iter().map(|(i, v, s)| (i, v, s.as_str())).collect::<Vec<_>>(),
        units => units.iter().map(|u| context! { id => u.id, name => u.name.clone() }).collect::<Vec<_>>(),
        plan_units,
        coverage => coverage.map(|(c, _)| c),
        coverage_label,
        scoped => pc.actor.scope != Scope::All,
        error => error.as_ref().map(|e| error_message(e, lang)),
        error_rows => error.as_ref().filter(|e| matches!(e, AppError::Invalid(v) if v.iter().any(|f| f.row.is_some()))).map(|e| error_rows(e, lang)).unwrap_or_default(),
        errors => error.as_ref().map(|e| field_errors(e, lang)).unwrap_or_default(),
        form,
    };
    let title = d.plan.name.clone();
    let crumbs = vec![
        plans_crumb(lang),
        (String::new(), format!("#{} {}", d.plan.id, title)),
    ];
    render::page_with_status(state, pc, status, "plan.html", &title, crumbs, ctx).await
}

async fn show(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    Q(query): Q<Query>,
) -> Response {
    show_page(
        &state,
        &pc,
        id,
        StatusCode::OK,
        None,
        PairingForm::default(),
        &query,
    )
    .await
}

/// After an action on a plan: back to the plan with a message, or the
/// plan page again with the error (input kept).
async fn after(
    state: &AppState,
    pc: &PageCtx,
    id: i64,
    result: Result<(), AppError>,
    what: &str,
    form: PairingForm,
) -> Response {
    match result {
        Ok(()) => done(&format!("/plans/{id}"), what),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let status = crate::error::status(&e);
            show_with(state, pc, id, status, Some(e), form).await
        }
        Err(e) => PageError(e).into_response(),
    }
}

async fn transition(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<TransitionForm>,
) -> Response {
    let to = form.to.clone();
    if matches!(
        PairingPlanStatus::parse(&to),
        Some(PairingPlanStatus::Approved | PairingPlanStatus::Active)
    ) && form.confirm != "yes"
    {
        let e = AppError::invalid(
            "confirm",
            "",
            "confirm_required",
            "此操作不可撤销，请勾选“我已确认”",
            "this cannot be undone: tick \"I confirm\"",
        );
        return show_with(
            &state,
            &pc,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(e),
            PairingForm::default(),
        )
        .await;
    }
    let reason = form.reason;
    let app = state.app.clone();
    let actor = pc.actor.clone();
    let r = blocking(move || {
        app.transition_plan(&actor, id, &to, Some(&reason))
            .map(|_| ())
    })
    .await;
    after(&state, &pc, id, r, "transition", PairingForm::default()).await
}

async fn add_pairing(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<PairingForm>,
) -> Response {
    let input = PairingInput {
        unit_id: form.unit_id.trim().parse().ok(),
        county_code: form.county_code.clone(),
        role: form.role.clone(),
        start: form.start.clone(),
        end: form.end.clone(),
        note: form.note.clone(),
    };
    let app = state.app.clone();
    let actor = pc.actor.clone();
    let r = blocking(move || app.add_pairing(&actor, id, &input).map(|_| ())).await;
    after(&state, &pc, id, r, "saved", form).await
}

async fn remove_pairing(
    State(state): State<AppState>,
    pc: PageCtx,
    Path((id, pid)): Path<(i64, i64)>,
    _: CsrfForm<Button>,
) -> Response {
    let app = state.app.clone();
    let actor = pc.actor.clone();
    let r = blocking(move || app.remove_pairing(&actor, id, pid)).await;
    after(&state, &pc, id, r, "deleted", PairingForm::default()).await
}

async fn import(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    CsrfUpload(up): CsrfUpload,
) -> Response {
    let up = match up {
        Ok(u) => u,
        Err(e) => {
            return show_with(
                &state,
                &pc,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(e),
                PairingForm::default(),
            )
            .await;
        }
    };
    let app = state.app.clone();
    let actor = pc.actor.clone();
    let r = blocking(move || {
        app.import_pairings(&actor, id, &up.file_name, &up.bytes, Encoding::Auto)
            .map(|_| ())
    })
    .await;
    after(&state, &pc, id, r, "imported", PairingForm::default()).await
}

async fn feedback(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<FeedbackForm>,
) -> Response {
    let (kind, text) = (form.kind, form.text);
    let app = state.app.clone();
    let actor = pc.actor.clone();
    let r = blocking(move || app.give_feedback(&actor, id, &kind, &text)).await;
    after(&state, &pc, id, r, "feedback", PairingForm::default()).await
}

async fn exception(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ExceptionForm>,
) -> Response {
    let (county, reason) = (form.county_code, form.reason);
    let app = state.app.clone();
    let actor = pc.actor.clone();
    let r = blocking(move || app.record_coverage_exception(&actor, id, &county, &reason)).await;
    after(&state, &pc, id, r, "saved", uncovered_open()).await
}

/// The page state that keeps the uncovered counties open.
fn uncovered_open() -> PairingForm {
    PairingForm {
        open_uncovered: true,
        ..Default::default()
    }
}

/// Reasons for uncovered counties from a CSV or xlsx file.
async fn import_exceptions(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    CsrfUpload(up): CsrfUpload,
) -> Response {
    let up = match up {
        Ok(u) => u,
        Err(e) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return show_with(&state, &pc, id, status, Some(e), uncovered_open()).await;
        }
    };
    let app = state.app.clone();
    let actor = pc.actor.clone();
    let r = blocking(move || {
        app.import_coverage_exceptions(&actor, id, &up.file_name, &up.bytes, Encoding::Auto)
            .map(|_| ())
    })
    .await;
    after(&state, &pc, id, r, "imported", uncovered_open()).await
}

/// The plan's uncovered counties as a reasons file to fill in: county
/// code, name and the reason recorded so far.
async fn uncovered_xlsx(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
) -> Response {
    let app = state.app.clone();
    let actor = pc.actor.clone();
    let r = blocking(move || {
        let d = app.plan_detail(&actor, id)?;
        let cov = app.plan_period_coverage(&actor, id)?;
        let reasons: HashMap<String, String> = d
            .exceptions
            .into_iter()
            .map(|e| (e.county_code, e.reason))
            .collect();
        let rows: Vec<Vec<tabular::Cell>> = cov
            .uncovered
            .iter()
            .map(|u| {
                vec![
                    u.code.clone().into(),
                    u.name.clone().into(),
                    reasons.get(&u.code).cloned().unwrap_or_default().into(),
                ]
            })
            .collect();
        let headers: Vec<String> = dingdian_app::plan_exceptions::EXCEPTION_COLUMNS
            .iter()
            .map(|c| c.zh.to_string())
            .collect();
        let export = dingdian_app::PageExport::Uncovered { plan_id: id };
        app.export_page(&actor, export, &headers, &rows)
    })
    .await;
    match r {
        Ok(bytes) => xlsx_response(&format!("plan-{id}-uncovered"), bytes),
        Err(e) => PageError(e).into_response(),
    }
}

async fn new_version(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    _: CsrfForm<Button>,
) -> Response {
    let app = state.app.clone();
    let actor = pc.actor.clone();
    match blocking(move || app.new_plan_version(&actor, id)).await {
        Ok(new_id) => done(&format!("/plans/{new_id}"), "version"),
        Err(e) => after(&state, &pc, id, Err(e), "", PairingForm::default()).await,
    }
}

async fn derive(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    // The units come from a multiple select: the same field repeated.
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Response {
    let units: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "units")
        .filter_map(|(_, u)| u.parse().ok())
        .collect();
    let name = pairs
        .iter()
        .find(|(k, _)| k == "name")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let app = state.app.clone();
    let actor = pc.actor.clone();
    match blocking(move || app.derive_specific_plan(&actor, id, &name, &units)).await {
        Ok(new_id) => done(&format!("/plans/{new_id}"), "created"),
        Err(e) => after(&state, &pc, id, Err(e), "", PairingForm::default()).await,
    }
}

async fn form_page(
    state: &AppState,
    pc: &PageCtx,
    status: StatusCode,
    editing: Option<i64>,
    form: PlanForm,
    error: Option<AppError>,
) -> Response {
    let app = state.app.clone();
    let actor = pc.actor.clone();
    let data = blocking(move || {
        actor.require(Action::EditPlans)?;
        let lists = app.county_lists(&actor)?;
        let overall = app
            .list_plans(
                &actor,
                &PairingPlanFilter {
                    kind: Some(PairingPlanKind::Overall),
                    ..Default::default()
                },
                Page::all(),
            )?
            .0;
        Ok((lists, overall))
    })
    .await;
    let (lists, overall) = match data {
        Ok(d) => d,
        Err(e) => return PageError(e).into_response(),
    };
    let title = t(
        &pc.lang,
        if editing.is_some() {
            "edit_plan"
        } else {
            "new_plan"
        },
    );
    let (action, cancel) = match editing {
        Some(id) => (format!("/plans/{id}/edit"), format!("/plans/{id}")),
        None => ("/plans".to_string(), "/plans".to_string()),
    };
    let ctx = context! {
        action, cancel, form,
        creating => editing.is_none(),
        lists => lists.iter().map(|l| context! { code => l.code.clone(), name_zh => l.name_zh.clone(), name_en => l.name_en.clone() }).collect::<Vec<_>>(),
        overall_plans => overall,
        errors => error.as_ref().map(|e| field_errors(e, &pc.lang)).unwrap_or_default(),
    };
    let crumbs = vec![plans_crumb(&pc.lang), (String::new(), title.clone())];
    render::page_with_status(state, pc, status, "plan_form.html", &title, crumbs, ctx).await
}

async fn new_form(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    let mut form = PlanForm {
        county_list: dingdian_core::area::KEY_2012.to_string(),
        ..Default::default()
    };
    if let Some(p) = q(&query, "parent") {
        form.kind = "specific".into();
        form.parent_id = p.into();
    }
    form_page(&state, &pc, StatusCode::OK, None, form, None).await
}

fn plan_input(form: &PlanForm) -> PairingPlanInput {
    PairingPlanInput {
        name: form.name.clone(),
        kind: form.kind.clone(),
        parent_id: form.parent_id.trim().parse().ok(),
        county_list: form.county_list.clone(),
        period_start: form.period_start.clone(),
        period_end: form.period_end.clone(),
        note: form.note.clone(),
    }
}

async fn create(
    State(state): State<AppState>,
    pc: PageCtx,
    CsrfForm(form): CsrfForm<PlanForm>,
) -> Response {
    let input = plan_input(&form);
    let app = state.app.clone();
    let actor = pc.actor.clone();
    match blocking(move || app.create_plan(&actor, &input)).await {
        Ok(id) => done(&format!("/plans/{id}"), "created"),
        Err(e @ AppError::Invalid(_)) => {
            form_page(
                &state,
                &pc,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                form,
                Some(e),
            )
            .await
        }
        Err(e) => PageError(e).into_response(),
    }
}

async fn edit_form(State(state): State<AppState>, pc: PageCtx, Path(id): Path<i64>) -> Response {
    let app = state.app.clone();
    let actor = pc.actor.clone();
    match blocking(move || app.get_plan(&actor, id)).await {
        Ok(p) => {
            let form = PlanForm {
                name: p.name,
                county_list: p.county_list,
                period_start: p.period_start.to_string(),
                period_end: p.period_end.to_string(),
                note: p.note.unwrap_or_default(),
                ..Default::default()
            };
            form_page(&state, &pc, StatusCode::OK, Some(id), form, None).await
        }
        Err(e) => PageError(e).into_response(),
    }
}

async fn update(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<PlanForm>,
) -> Response {
    let input = plan_input(&form);
    let app = state.app.clone();
    let actor = pc.actor.clone();
    match blocking(move || app.update_plan(&actor, id, &input)).await {
        Ok(()) => done(&format!("/plans/{id}"), "saved"),
        Err(e @ AppError::Invalid(_)) => {
            form_page(
                &state,
                &pc,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(id),
                form,
                Some(e),
            )
            .await
        }
        Err(e) => after(&state, &pc, id, Err(e), "", PairingForm::default()).await,
    }
}

async fn diff(State(state): State<AppState>, pc: PageCtx, Path(id): Path<i64>) -> Response {
    let app = state.app.clone();
    let actor = pc.actor.clone();
    let result =
        blocking(move || Ok((app.get_plan(&actor, id)?, app.plan_diff(&actor, id)?))).await;
    match result {
        Ok((plan, Some((prev, d, names)))) => {
            let names: HashMap<String, String> =
                names.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
            let ctx = context! { plan => plan.clone(), prev, empty => d.is_empty(), added => d.added, removed => d.removed, changed => d.changed, names };
            let crumbs = vec![
                plans_crumb(&pc.lang),
                (format!("/plans/{id}"), format!("#{id} {}", plan.name)),
                (String::new(), t(&pc.lang, "diff_title")),
            ];
            render::page(
                &state,
                &pc,
                "plan_diff.html",
                &t(&pc.lang, "diff_title"),
                crumbs,
                ctx,
            )
            .await
        }
        Ok((_, None)) => {
            PageError(AppError::not_found("上一版本", "previous version")).into_response()
        }
        Err(e) => PageError(e).into_response(),
    }
}

/// For signed-in users only (the `PageCtx`).
async fn template(_: PageCtx) -> Response {
    let headers: Vec<String> = PAIRING_COLUMNS.iter().map(|c| c.zh.to_string()).collect();
    let example = vec![vec![
        "中共中央组织部".into(),
        "623023".into(),
        "舟曲县".into(),
        "lead".into(),
        "".into(),
        "".into(),
        "".into(),
    ]];
    match tabular::write_xlsx("pairings", &headers, &example) {
        Ok(bytes) => xlsx_response("pairings-template", bytes),
        Err(e) => PageError(e).into_response(),
    }
}

async fn pairings(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    let f = PairingFilter {
        plan_id: q(&query, "plan").and_then(|p| p.parse().ok()),
        unit_id: q(&query, "unit").and_then(|p| p.parse().ok()),
        county_code: q(&query, "county").map(str::to_string),
        active_on: q(&query, "active_on").and_then(dingdian_core::time::parse_date),
        plan_statuses: Vec::new(),
        q: q(&query, "q").map(str::to_string),
    };
    let page = page_of(&query);
    let app = state.app.clone();
    let actor = pc.actor.clone();
    if wants_xlsx(&query) {
        return match blocking(move || app.export_pairings(&actor, &f)).await {
            Ok(bytes) => xlsx_response("pairings", bytes),
            Err(e) => PageError(e).into_response(),
        };
    }
    let f2 = f.clone();
    match blocking(move || {
        Ok((
            app.list_pairings(&actor, &f2, page)?,
            app.list_plans(&actor, &PairingPlanFilter::default(), Page::all())?
                .0,
        ))
    })
    .await
    {
        Ok(((items, total), plans)) => {
            let ctx = context! {
                items, plans,
                list => list_nav("/pairings", &query, page, total, true),
                f => context! {
                    q => f.q.unwrap_or_default(),
                    plan => f.plan_id.map(|p| p.to_string()).unwrap_or_default(),
                    county => f.county_code.unwrap_or_default(),
                    active_on => f.active_on.map(|d| d.to_string()).unwrap_or_default(),
                },
            };
            render::page(
                &state,
                &pc,
                "pairings.html",
                &t(&pc.lang, "nav_pairings"),
                vec![],
                ctx,
            )
            .await
        }
        Err(e) => PageError(e).into_response(),
    }
}

async fn coverage(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    let on = q(&query, "on").and_then(dingdian_core::time::parse_date);
    let plan_id: Option<i64> = q(&query, "plan").and_then(|p| p.parse().ok());
    let app = state.app.clone();
    let actor = pc.actor.clone();
    let lang = pc.lang.clone();
    let result = blocking(move || {
        let plans = app
            .list_plans(
                &actor,
                &PairingPlanFilter {
                    kind: Some(PairingPlanKind::Overall),
                    ..Default::default()
                },
                Page::all(),
            )?
            .0;
        let plan = match plan_id {
            Some(id) => Some(app.get_plan(&actor, id)?),
            None => app.current_overall_plan(&actor, on)?,
        };
        let data = match &plan {
            Some(p) => Some((
                app.plan_coverage(&actor, p.id, on)?,
                super::home::coverage_chart(&app, &actor, p, &lang, on)?,
            )),
            None => None,
        };
        // The shipped key-county list, and what this database changed in it.
        let origin = match &plan {
            Some(p) if p.county_list == dingdian_core::area::KEY_2012 => Some(
                super::key_list_origin_text(&lang, &app.key_list_origin(&actor)?),
            ),
            _ => None,
        };
        let completeness = match &plan {
            Some(p) => Some(app.list_completeness(&actor, &p.county_list)?),
            None => None,
        };
        Ok((plans, plan, data, (origin, completeness)))
    })
    .await;
    match result {
        Ok((plans, plan, data, (origin, completeness))) => {
            let (coverage, chart) = data
                .map(|(c, s)| (Some(c), Some(s)))
                .unwrap_or((None, None));
            let ctx = context! {
                plans, plan, coverage, chart,
                completeness => completeness.as_ref().map(|l| super::list_view(l, &pc.lang)),
                list_origin => origin,
                on => on.unwrap_or_else(dingdian_core::time::today).to_string(),
            };
            render::page(
                &state,
                &pc,
                "coverage.html",
                &t(&pc.lang, "coverage"),
                vec![],
                ctx,
            )
            .await
        }
        Err(e) => PageError(e).into_response(),
    }
}

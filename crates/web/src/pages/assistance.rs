//! Assistance plans: the list with its filters and export, the plan page
//! with its measures, villages, households, history, the difference from
//! the version it revises and the workflow's buttons, and the forms to
//! draft, change and revise a plan.

use super::{
    Query, done, error_message, error_rows, list_nav, page_of, q, wants_xlsx, xlsx_response,
};
use crate::AppState;
use crate::csrf::{Button, CsrfForm};
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
use dingdian_app::assistance_plans::AssistancePlanDetail;
use dingdian_core::assistance::{
    ALL_ASSISTANCE_PLAN_STATUSES, ALL_MEASURE_CATEGORIES, AssistancePlan, AssistancePlanFilter,
    AssistancePlanInput, AssistancePlanStatus, Measure, MeasureCategory, MeasureInput,
};
use dingdian_core::role::Action;
use dingdian_core::{Fen, FieldError};
use minijinja::{Value, context};
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assistance-plans", get(list).post(create))
        .route("/assistance-plans/new", get(new_form))
        .route("/assistance-plans/{id}", get(show))
        .route("/assistance-plans/{id}/edit", get(edit_form).post(update))
        .route("/assistance-plans/{id}/transition", post(transition))
        .route("/assistance-plans/{id}/version", post(new_version))
}

/// How many measure rows the form offers.
const MEASURE_ROWS: usize = 8;

pub(super) type Form = HashMap<String, String>;

/// A form value, trimmed ("" when absent).
pub(super) fn fv<'a>(form: &'a Form, key: &str) -> &'a str {
    form.get(key).map(|s| s.trim()).unwrap_or("")
}

/// The form with every field the template reads (`{}` in a row field
/// stands for the row's number) (the template is strict:
/// a field never sent is empty, not undefined).
pub(super) fn complete(mut form: Form, fields: &[&str], rows: usize, row_fields: &[&str]) -> Form {
    let row_keys = (0..rows).flat_map(|i| {
        row_fields
            .iter()
            .map(move |f| f.replace("{}", &i.to_string()))
    });
    for key in fields.iter().map(|f| f.to_string()).chain(row_keys) {
        form.entry(key).or_default();
    }
    form
}

/// Codes typed into a text area, one or more per line.
pub(super) fn codes_of(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；'))
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// An amount typed in yuan as whole fen; a bad one adds an error.
pub(super) fn yuan_field(field: &str, text: &str, e: &mut Vec<FieldError>) -> Option<i64> {
    if text.trim().is_empty() {
        return None;
    }
    match dingdian_core::registry::parse_yuan(text.trim(), false) {
        Ok(f) => Some(f.get()),
        Err(m) => {
            e.push(FieldError::new(field, text.trim(), m));
            None
        }
    }
}

pub(super) fn category_text(c: MeasureCategory, lang: &str) -> &'static str {
    if lang == "en" { c.en() } else { c.zh() }
}

pub(super) fn categories(lang: &str) -> Vec<Value> {
    ALL_MEASURE_CATEGORIES
        .iter()
        .map(|c| context! { code => c.code(), text => category_text(*c, lang) })
        .collect()
}

fn status_text(s: AssistancePlanStatus, lang: &str) -> &'static str {
    if lang == "en" { s.en() } else { s.zh() }
}

fn statuses(lang: &str) -> Vec<Value> {
    ALL_ASSISTANCE_PLAN_STATUSES
        .iter()
        .map(|s| context! { code => s.code(), text => status_text(*s, lang) })
        .collect()
}

fn crumb(lang: &str) -> (String, String) {
    ("/assistance-plans".into(), t(lang, "nav_assistance_plans"))
}

fn plan_row(p: &AssistancePlan, lang: &str) -> Value {
    context! { p => p, status_text => status_text(p.status, lang) }
}

async fn list(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    let f = AssistancePlanFilter {
        unit_id: q(&query, "unit").and_then(|v| v.parse().ok()),
        county_code: q(&query, "county").map(str::to_string),
        status: q(&query, "status").and_then(AssistancePlanStatus::from_code),
        q: q(&query, "q").map(str::to_string),
    };
    let (app, actor, page) = (state.app.clone(), pc.actor.clone(), page_of(&query));
    if wants_xlsx(&query) {
        return match blocking(move || app.export_assistance_plans(&actor, &f)).await {
            Ok(bytes) => xlsx_response("assistance-plans", bytes),
            Err(e) => PageError(e).into_response(),
        };
    }
    let f2 = f.clone();
    let (items, total) = match blocking(move || app.list_assistance_plans(&actor, &f2, page)).await
    {
        Ok(r) => r,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = pc.lang.as_str();
    let ctx = context! {
        items => items.iter().map(|p| plan_row(p, lang)).collect::<Vec<_>>(),
        statuses => statuses(lang),
        can_create => pc.actor.role.may(Action::EditAssistancePlans),
        list => list_nav("/assistance-plans", &query, page, total, true),
        f => context! {
            q => f.q.unwrap_or_default(),
            unit => f.unit_id.map(|u| u.to_string()).unwrap_or_default(),
            county => f.county_code.unwrap_or_default(),
            status => f.status.map(|s| s.code()).unwrap_or(""),
        },
    };
    let title = t(lang, "nav_assistance_plans");
    render::page(&state, &pc, "assistance_plans.html", &title, vec![], ctx).await
}

/// The form's fields as the app takes them; amounts typed in yuan that
/// are not amounts are the form's own errors.
fn plan_input(form: &Form) -> Result<AssistancePlanInput, Vec<FieldError>> {
    let mut e = Vec::new();
    let measures = (0..MEASURE_ROWS)
        .filter_map(|i| {
            let (cat, desc) = (
                fv(form, &format!("m{i}_category")),
                fv(form, &format!("m{i}_description")),
            );
            let budget = fv(form, &format!("m{i}_budget"));
            if cat.is_empty() && desc.is_empty() && budget.is_empty() {
                return None;
            }
            let budget_fen = yuan_field(&format!("measures[{i}].budget"), budget, &mut e);
            Some(MeasureInput {
                category: cat.into(),
                description: desc.into(),
                budget_fen,
            })
        })
        .collect();
    let input = AssistancePlanInput {
        county_code: fv(form, "county_code").into(),
        name: fv(form, "name").into(),
        period_start: fv(form, "period_start").into(),
        period_end: fv(form, "period_end").into(),
        goals: fv(form, "goals").into(),
        villages: codes_of(fv(form, "villages")),
        households: codes_of(fv(form, "households")),
        measures,
    };
    if e.is_empty() { Ok(input) } else { Err(e) }
}

/// The form filled from a stored plan (editing).
fn form_of(d: &AssistancePlanDetail) -> Form {
    let p = &d.plan;
    let mut form: Form = [
        ("county_code", p.county_code.clone()),
        ("name", p.name.clone()),
        ("period_start", p.period_start.to_string()),
        ("period_end", p.period_end.to_string()),
        ("goals", p.goals.clone()),
        ("villages", d.fields.villages.join("\n")),
        ("households", d.fields.households.join("\n")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    for (i, m) in d.fields.measures.iter().enumerate() {
        form.insert(format!("m{i}_category"), m.category.code().into());
        form.insert(format!("m{i}_description"), m.description.clone());
        let budget = m.budget_fen.map(|f| f.to_yuan_text()).unwrap_or_default();
        form.insert(format!("m{i}_budget"), budget);
    }
    form
}

async fn form_page(
    state: &AppState,
    pc: &PageCtx,
    editing: Option<i64>,
    form: Form,
    error: Option<AppError>,
) -> Response {
    let lang = pc.lang.as_str();
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    // The counties the unit is paired with, offered in the form.
    let counties = blocking(move || {
        let f = dingdian_core::query::PairingFilter {
            unit_id: actor.scope.unit(),
            ..Default::default()
        };
        app.list_pairings(&actor, &f, dingdian_app::Page::all())
    })
    .await
    .map(|(p, _)| p)
    .unwrap_or_default();
    let mut county_options: Vec<(String, String)> = counties
        .into_iter()
        .map(|p| (p.county_code, p.county_name))
        .collect();
    county_options.sort();
    county_options.dedup();
    let (title, action) = match editing {
        Some(id) => (
            t(lang, "edit_assistance_plan"),
            format!("/assistance-plans/{id}/edit"),
        ),
        None => (
            t(lang, "new_assistance_plan"),
            "/assistance-plans".to_string(),
        ),
    };
    let status = error.as_ref().map_or(StatusCode::OK, crate::error::status);
    let fields = [
        "county_code",
        "name",
        "period_start",
        "period_end",
        "goals",
        "villages",
        "households",
    ];
    let form = complete(
        form,
        &fields,
        MEASURE_ROWS,
        &["m{}_category", "m{}_description", "m{}_budget"],
    );
    let ctx = context! {
        title => title.clone(),
        action,
        editing => editing.is_some(),
        county_options,
        categories => categories(lang),
        rows => (0..MEASURE_ROWS).collect::<Vec<_>>(),
        error => error.as_ref().map(|e| error_message(e, lang)),
        error_rows => error.as_ref().map(|e| error_rows(e, lang)).unwrap_or_default(),
        form,
    };
    let crumbs = vec![crumb(lang), (String::new(), title.clone())];
    render::page_with_status(
        state,
        pc,
        status,
        "assistance_form.html",
        &title,
        crumbs,
        ctx,
    )
    .await
}

async fn new_form(State(state): State<AppState>, pc: PageCtx) -> Response {
    if let Err(e) = pc.actor.require(Action::EditAssistancePlans) {
        return PageError(e).into_response();
    }
    form_page(&state, &pc, None, Form::new(), None).await
}

/// Saves a new (`None`) or changed plan from the form.
async fn save(state: AppState, pc: PageCtx, editing: Option<i64>, form: Form) -> Response {
    let input = match plan_input(&form) {
        Ok(i) => i,
        Err(e) => return form_page(&state, &pc, editing, form, Some(AppError::Invalid(e))).await,
    };
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let r = blocking(move || match editing {
        Some(id) => app.update_assistance_plan(&actor, id, &input).map(|_| id),
        None => app.create_assistance_plan(&actor, &input),
    })
    .await;
    match r {
        Ok(id) => done(
            &format!("/assistance-plans/{id}"),
            if editing.is_some() {
                "saved"
            } else {
                "created"
            },
        ),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            form_page(&state, &pc, editing, form, Some(e)).await
        }
        Err(e) => PageError(e).into_response(),
    }
}

async fn create(
    State(state): State<AppState>,
    pc: PageCtx,
    CsrfForm(form): CsrfForm<Form>,
) -> Response {
    if let Err(e) = pc.actor.require(Action::EditAssistancePlans) {
        return PageError(e).into_response();
    }
    save(state, pc, None, form).await
}

async fn edit_form(State(state): State<AppState>, pc: PageCtx, Path(id): Path<i64>) -> Response {
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    match blocking(move || app.assistance_plan_detail(&actor, id)).await {
        Ok(d) if d.may_edit => form_page(&state, &pc, Some(id), form_of(&d), None).await,
        Ok(_) => PageError(AppError::Forbidden(dingdian_core::Msg::new(
            "plan_not_editable",
            "此规划现在不能修改",
            "this plan cannot be changed now",
        )))
        .into_response(),
        Err(e) => PageError(e).into_response(),
    }
}

async fn update(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<Form>,
) -> Response {
    save(state, pc, Some(id), form).await
}

fn measure_row(m: &Measure, lang: &str) -> Value {
    context! {
        category => category_text(m.category, lang),
        description => m.description.clone(),
        budget => m.budget_fen.map(Fen::to_yuan_text),
    }
}

/// The difference from the previous version as the page shows it.
fn diff_ctx(d: &AssistancePlanDetail, lang: &str) -> Option<Value> {
    let (prev, diff) = d.previous.as_ref()?;
    let rows = |ms: &[Measure]| ms.iter().map(|m| measure_row(m, lang)).collect::<Vec<_>>();
    Some(context! {
        prev_id => prev.id,
        prev_version => prev.version,
        empty => diff.is_empty(),
        fields => diff.fields.iter().map(|(f, b, a)| context! { field => t(lang, &format!("ap_field_{f}")), before => b, after => a }).collect::<Vec<_>>(),
        villages_added => diff.villages_added.clone(),
        villages_removed => diff.villages_removed.clone(),
        households_added => diff.households_added.clone(),
        households_removed => diff.households_removed.clone(),
        measures_added => rows(&diff.measures_added),
        measures_removed => rows(&diff.measures_removed),
        measures_changed => diff.measures_changed.iter().map(|(b, a)| context! { before => measure_row(b, lang), after => measure_row(a, lang) }).collect::<Vec<_>>(),
    })
}

async fn show_page(state: &AppState, pc: &PageCtx, id: i64, error: Option<AppError>) -> Response {
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let d = match blocking(move || app.assistance_plan_detail(&actor, id)).await {
        Ok(d) => d,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = pc.lang.as_str();
    let status = error.as_ref().map_or(StatusCode::OK, crate::error::status);
    let ctx = context! {
        plan => d.plan.clone(),
        status_text => status_text(d.plan.status, lang),
        measures => d.fields.measures.iter().map(|m| measure_row(m, lang)).collect::<Vec<_>>(),
        villages => d.villages.clone(),
        households => d.fields.households.clone(),
        transitions => d.transitions.iter().map(|h| context! {
            from => h.from.map(|s| status_text(s, lang)),
            to => status_text(h.to, lang),
            display_name => h.display_name.clone(),
            at => h.at,
            reason => h.reason.as_deref().map(|r| dingdian_core::plan::reason_text(r, lang)),
        }).collect::<Vec<_>>(),
        buttons => d.next.iter().map(|s| context! { to => s.to.code(), text => t(lang, &format!("ap_do_{}", s.to.code())), needs_reason => s.needs_reason }).collect::<Vec<_>>(),
        diff => diff_ctx(&d, lang),
        later_versions => d.later_versions.iter().map(|(i, v, s)| context! { id => i, version => v, status_text => status_text(*s, lang) }).collect::<Vec<_>>(),
        projects => d.projects.iter().map(|p| super::projects::project_row(p, lang)).collect::<Vec<_>>(),
        may_edit => d.may_edit,
        may_new_version => d.may_new_version,
        may_add_project => d.may_add_project,
        error => error.as_ref().map(|e| error_message(e, lang)),
        error_rows => error.as_ref().map(|e| error_rows(e, lang)).unwrap_or_default(),
    };
    let title = d.plan.name.clone();
    let crumbs = vec![
        crumb(lang),
        (String::new(), format!("#{} {title}", d.plan.id)),
    ];
    render::page_with_status(
        state,
        pc,
        status,
        "assistance_plan.html",
        &title,
        crumbs,
        ctx,
    )
    .await
}

async fn show(State(state): State<AppState>, pc: PageCtx, Path(id): Path<i64>) -> Response {
    show_page(&state, &pc, id, None).await
}

/// After an action on the plan page: back with a message, or the page
/// again with the refusal.
async fn after(
    state: &AppState,
    pc: &PageCtx,
    id: i64,
    r: Result<String, AppError>,
    what: &str,
) -> Response {
    match r {
        Ok(to) => done(&to, what),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            show_page(state, pc, id, Some(e)).await
        }
        Err(e) => PageError(e).into_response(),
    }
}

async fn transition(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<Form>,
) -> Response {
    let (to, reason) = (fv(&form, "to").to_string(), fv(&form, "reason").to_string());
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let r = blocking(move || {
        app.transition_assistance_plan(&actor, id, &to, Some(&reason))
            .map(|_| format!("/assistance-plans/{id}"))
    })
    .await;
    after(&state, &pc, id, r, "transition").await
}

async fn new_version(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<Button>,
) -> Response {
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let r = blocking(move || {
        app.new_assistance_plan_version(&actor, id)
            .map(|v| format!("/assistance-plans/{v}"))
    })
    .await;
    after(&state, &pc, id, r, "version").await
}

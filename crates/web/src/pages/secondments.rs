//! Secondments: the list with its filters, export and the chart of cadres
//! serving by county; the form of the unit; one secondment with its
//! history, the buttons its role may press and the cadre account; each
//! pairing's continuity.

use super::assistance::{Form, complete, fv};
use super::{
    Query, done, error_message, error_rows, list_nav, page_of, q, wants_xlsx, xlsx_response,
};
use crate::AppState;
use crate::charts::{self, ValueBar};
use crate::csrf::CsrfForm;
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
use dingdian_app::secondments::SecondmentView;
use dingdian_core::role::Action;
use dingdian_core::secondment::{
    Secondment, SecondmentFilter, SecondmentInput, SecondmentRole, SecondmentStatus,
};
use dingdian_core::time;
use minijinja::{Value, context};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/secondments", get(list).post(create))
        .route("/secondments/new", get(new_form))
        .route("/secondments/continuity", get(continuity))
        .route("/secondments/{id}", get(show))
        .route("/secondments/{id}/edit", get(edit_form).post(update))
        .route("/secondments/{id}/transition", post(transition))
        .route("/secondments/{id}/account", post(link_account))
}

const FIELDS: [&str; 10] = [
    "person_name",
    "person_rank",
    "contact",
    "county_code",
    "village_code",
    "post",
    "role",
    "batch",
    "start",
    "planned_end",
];

fn text<T: Copy>(
    v: T,
    lang: &str,
    zh: fn(T) -> &'static str,
    en: fn(T) -> &'static str,
) -> &'static str {
    if lang == "en" { en(v) } else { zh(v) }
}

fn row(s: &Secondment, lang: &str) -> Value {
    context! {
        s => s,
        role_text => text(s.role, lang, SecondmentRole::zh, SecondmentRole::en),
        status_text => text(s.status, lang, SecondmentStatus::zh, SecondmentStatus::en),
    }
}

fn crumb(lang: &str) -> (String, String) {
    ("/secondments".into(), t(lang, "nav_secondments"))
}

fn filter(query: &Query) -> SecondmentFilter {
    SecondmentFilter {
        unit_id: q(query, "unit").and_then(|v| v.parse().ok()),
        county_code: q(query, "county").map(str::to_string),
        status: q(query, "status").and_then(SecondmentStatus::from_code),
        batch: q(query, "batch").and_then(|v| v.parse().ok()),
        without_account: q(query, "without_account").is_some(),
        q: q(query, "q").map(str::to_string),
    }
}

/// Cadres serving today by county, longest bar first.
fn serving_chart(rows: &[(String, i64)], lang: &str) -> Option<String> {
    if rows.is_empty() {
        return None;
    }
    let bars: Vec<ValueBar> = rows
        .iter()
        .map(|(name, n)| ValueBar {
            label: name.clone(),
            href: None,
            value: *n as f64,
            text: n.to_string(),
        })
        .collect();
    let caption = format!("{} {}", t(lang, "dc_as_of"), time::today());
    Some(charts::value_bars(
        &t(lang, "chart_serving_by_county"),
        &bars,
        &t(lang, "axis_people"),
        &caption,
    ))
}

async fn list(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    let f = filter(&query);
    let (app, actor, page) = (state.app.clone(), pc.actor.clone(), page_of(&query));
    if wants_xlsx(&query) {
        return match blocking(move || app.export_secondments(&actor, &f)).await {
            Ok(bytes) => xlsx_response("secondments", bytes),
            Err(e) => PageError(e).into_response(),
        };
    }
    let f2 = f.clone();
    let r = blocking(move || {
        let chart = app.serving_by_county(&actor, time::today())?;
        Ok::<_, AppError>((app.list_secondments(&actor, &f2, page)?, chart))
    })
    .await;
    let ((items, total), chart) = match r {
        Ok(r) => r,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = pc.lang.as_str();
    let ctx = context! {
        items => items.iter().map(|s| row(s, lang)).collect::<Vec<_>>(),
        statuses => SecondmentStatus::ALL.iter().map(|s| context! { code => s.code(), text => text(*s, lang, SecondmentStatus::zh, SecondmentStatus::en) }).collect::<Vec<_>>(),
        list => list_nav("/secondments", &query, page, total, true),
        chart => serving_chart(&chart, lang),
        may_create => pc.actor.role.may(Action::EditSecondments),
        f => context! {
            q => f.q.unwrap_or_default(),
            unit => f.unit_id.map(|u| u.to_string()).unwrap_or_default(),
            county => f.county_code.unwrap_or_default(),
            status => f.status.map(|s| s.code()).unwrap_or(""),
            batch => f.batch.map(|b| b.to_string()).unwrap_or_default(),
            without_account => f.without_account,
        },
    };
    let title = t(lang, "nav_secondments");
    render::page(&state, &pc, "secondments.html", &title, vec![], ctx).await
}

fn input_of(form: &Form) -> SecondmentInput {
    let g = |k: &str| fv(form, k).to_string();
    SecondmentInput {
        person_name: g("person_name"),
        person_rank: g("person_rank"),
        contact: g("contact"),
        county_code: g("county_code"),
        village_code: g("village_code"),
        post: g("post"),
        role: g("role"),
        batch: g("batch"),
        start: g("start"),
        planned_end: g("planned_end"),
    }
}

fn form_of(s: &Secondment) -> Form {
    [
        ("person_name", s.person_name.clone()),
        ("person_rank", s.person_rank.clone()),
        ("contact", s.contact.clone()),
        ("county_code", s.county_code.clone()),
        ("village_code", s.village_code.clone().unwrap_or_default()),
        ("post", s.post.clone()),
        ("role", s.role.code().to_string()),
        ("batch", s.batch.to_string()),
        ("start", s.start.to_string()),
        ("planned_end", s.planned_end.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

async fn form_page(
    state: &AppState,
    pc: &PageCtx,
    editing: Option<i64>,
    form: Form,
    error: Option<AppError>,
) -> Response {
    let lang = pc.lang.as_str();
    let (title, action) = match editing {
        Some(id) => (t(lang, "sm_edit"), format!("/secondments/{id}/edit")),
        None => (t(lang, "sm_new"), "/secondments".to_string()),
    };
    let status = error.as_ref().map_or(StatusCode::OK, crate::error::status);
    let ctx = context! {
        title => title.clone(),
        action,
        roles => SecondmentRole::ALL.iter().map(|r| context! { code => r.code(), text => text(*r, lang, SecondmentRole::zh, SecondmentRole::en) }).collect::<Vec<_>>(),
        error => error.as_ref().map(|e| error_message(e, lang)),
        error_rows => error.as_ref().map(|e| error_rows(e, lang)).unwrap_or_default(),
        form => complete(form, &FIELDS, 0, &[]),
    };
    let crumbs = vec![crumb(lang), (String::new(), title.clone())];
    render::page_with_status(
        state,
        pc,
        status,
        "secondment_form.html",
        &title,
        crumbs,
        ctx,
    )
    .await
}

async fn new_form(State(state): State<AppState>, pc: PageCtx) -> Response {
    if let Err(e) = pc.actor.require(Action::EditSecondments) {
        return PageError(e).into_response();
    }
    let mut form = Form::new();
    form.insert("batch".into(), "1".into());
    form_page(&state, &pc, None, form, None).await
}

async fn save(state: AppState, pc: PageCtx, editing: Option<i64>, form: Form) -> Response {
    let input = input_of(&form);
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let r = blocking(move || match editing {
        Some(id) => app.update_secondment(&actor, id, &input).map(|_| id),
        None => app.create_secondment(&actor, &input),
    })
    .await;
    match r {
        Ok(id) => done(
            &format!("/secondments/{id}"),
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
    save(state, pc, None, form).await
}

async fn edit_form(State(state): State<AppState>, pc: PageCtx, Path(id): Path<i64>) -> Response {
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    match blocking(move || app.get_secondment(&actor, id)).await {
        Ok(v) if v.may_edit => form_page(&state, &pc, Some(id), form_of(&v.secondment), None).await,
        Ok(_) => PageError(AppError::Forbidden(dingdian_core::Msg::new(
            "secondment_state",
            "此挂职记录现在不能修改",
            "this secondment cannot be changed now",
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

fn detail_ctx(v: &SecondmentView, lang: &str) -> Value {
    let status = |s| text(s, lang, SecondmentStatus::zh, SecondmentStatus::en);
    context! {
        s => row(&v.secondment, lang),
        transitions => v.transitions.iter().map(|h| context! {
            from => h.from.map(status),
            to => status(h.to),
            display_name => h.display_name.clone(),
            at => h.at,
            reason => h.reason.clone(),
        }).collect::<Vec<_>>(),
        buttons => v.steps.iter().map(|s| context! {
            to => s.to.code(),
            text => t(lang, &format!("sm_do_{}", s.to.code())),
            needs_reason => s.needs_reason,
            sets_end => s.sets_end,
        }).collect::<Vec<_>>(),
        accounts => v.accounts.clone(),
        may_edit => v.may_edit,
        today => time::today().to_string(),
    }
}

async fn show_page(state: &AppState, pc: &PageCtx, id: i64, error: Option<AppError>) -> Response {
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let v = match blocking(move || app.get_secondment(&actor, id)).await {
        Ok(v) => v,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = pc.lang.as_str();
    let status = error.as_ref().map_or(StatusCode::OK, crate::error::status);
    let ctx = context! {
        d => detail_ctx(&v, lang),
        error => error.as_ref().map(|e| error_message(e, lang)),
        error_rows => error.as_ref().map(|e| error_rows(e, lang)).unwrap_or_default(),
    };
    let title = v.secondment.person_name.clone();
    let crumbs = vec![crumb(lang), (String::new(), title.clone())];
    render::page_with_status(state, pc, status, "secondment.html", &title, crumbs, ctx).await
}

async fn show(State(state): State<AppState>, pc: PageCtx, Path(id): Path<i64>) -> Response {
    show_page(&state, &pc, id, None).await
}

async fn after(state: &AppState, pc: &PageCtx, id: i64, r: Result<(), AppError>) -> Response {
    match r {
        Ok(()) => done(&format!("/secondments/{id}"), "saved"),
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
    let (to, reason, end) = (
        fv(&form, "to").to_string(),
        fv(&form, "reason").to_string(),
        fv(&form, "end").to_string(),
    );
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let r = blocking(move || {
        app.transition_secondment(&actor, id, &to, Some(&reason), Some(&end))
            .map(|_| ())
    })
    .await;
    after(&state, &pc, id, r).await
}

async fn link_account(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<Form>,
) -> Response {
    let user = fv(&form, "user_id").parse::<i64>().ok();
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let r = blocking(move || app.link_secondment_account(&actor, id, user)).await;
    after(&state, &pc, id, r).await
}

async fn continuity(State(state): State<AppState>, pc: PageCtx) -> Response {
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let today = time::today();
    let items = match blocking(move || app.secondment_continuity(&actor, today)).await {
        Ok(v) => v,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = pc.lang.as_str();
    let ctx = context! { items => items, today => today.to_string() };
    let title = t(lang, "sm_continuity");
    let crumbs = vec![crumb(lang), (String::new(), title.clone())];
    render::page(
        &state,
        &pc,
        "secondment_continuity.html",
        &title,
        crumbs,
        ctx,
    )
    .await
}

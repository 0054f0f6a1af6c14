//! Projects: the list by status with its export, the project page with
//! its timeline of dated steps, progress, outputs planned and achieved,
//! beneficiaries (ID numbers masked) and attachments, and the forms of the
//! unit and the county.

use super::assistance::{Form, categories, category_text, codes_of, complete, fv, yuan_field};
use super::{
    Query, done, error_message, error_rows, list_nav, page_of, q, wants_xlsx, xlsx_response,
};
use crate::AppState;
use crate::csrf::{CsrfFile, CsrfForm};
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
use dingdian_app::projects::ProjectDetail;
use dingdian_core::project::{
    ALL_PROJECT_STATUSES, OutputInput, Project, ProjectFilter, ProjectInput, ProjectStatus,
    milli_text,
};
use dingdian_core::role::Action;
use dingdian_core::time;
use minijinja::{Value, context};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/projects", get(list).post(create))
        .route("/projects/new", get(new_form))
        .route("/projects/{id}", get(show))
        .route("/projects/{id}/edit", get(edit_form).post(update))
        .route("/projects/{id}/transition", post(transition))
        .route("/projects/{id}/progress", post(progress))
        .route("/projects/{id}/outputs/{oid}", post(output))
        .route("/projects/{id}/attachments", post(attach))
        .route("/projects/{id}/attachments/{aid}", get(download))
}

/// How many output rows the form offers.
const OUTPUT_ROWS: usize = 5;

fn status_text(s: ProjectStatus, lang: &str) -> &'static str {
    if lang == "en" { s.en() } else { s.zh() }
}

/// A project as a list row shows it.
pub(super) fn project_row(p: &Project, lang: &str) -> Value {
    context! {
        p => p,
        status_text => status_text(p.status, lang),
        category_text => category_text(p.category, lang),
        budget => p.budget_fen.to_yuan_text(),
    }
}

fn crumb(lang: &str) -> (String, String) {
    ("/projects".into(), t(lang, "nav_projects"))
}

async fn list(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    let f = ProjectFilter {
        plan_id: q(&query, "plan").and_then(|v| v.parse().ok()),
        unit_id: q(&query, "unit").and_then(|v| v.parse().ok()),
        county_code: q(&query, "county").map(str::to_string),
        status: q(&query, "status").and_then(ProjectStatus::from_code),
        q: q(&query, "q").map(str::to_string),
    };
    let (app, actor, page) = (state.app.clone(), pc.actor.clone(), page_of(&query));
    if wants_xlsx(&query) {
        return match blocking(move || app.export_projects(&actor, &f)).await {
            Ok(bytes) => xlsx_response("projects", bytes),
            Err(e) => PageError(e).into_response(),
        };
    }
    let f2 = f.clone();
    let (items, total) = match blocking(move || app.list_projects(&actor, &f2, page)).await {
        Ok(r) => r,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = pc.lang.as_str();
    let ctx = context! {
        items => items.iter().map(|p| project_row(p, lang)).collect::<Vec<_>>(),
        statuses => ALL_PROJECT_STATUSES.iter().map(|s| context! { code => s.code(), text => status_text(*s, lang) }).collect::<Vec<_>>(),
        list => list_nav("/projects", &query, page, total, true),
        f => context! {
            q => f.q.unwrap_or_default(),
            unit => f.unit_id.map(|u| u.to_string()).unwrap_or_default(),
            county => f.county_code.unwrap_or_default(),
            status => f.status.map(|s| s.code()).unwrap_or(""),
        },
    };
    let title = t(lang, "nav_projects");
    render::page(&state, &pc, "projects.html", &title, vec![], ctx).await
}

fn project_input(form: &Form) -> Result<ProjectInput, Vec<dingdian_core::FieldError>> {
    let mut e = Vec::new();
    let budget_fen = yuan_field("budget_fen", fv(form, "budget"), &mut e);
    let outputs = (0..OUTPUT_ROWS)
        .map(|i| {
            let g = |k: &str| fv(form, &format!("o{i}_{k}")).to_string();
            OutputInput {
                name: g("name"),
                measure: g("measure"),
                planned: g("planned"),
            }
        })
        .filter(|o| !(o.name.is_empty() && o.measure.is_empty() && o.planned.is_empty()))
        .collect();
    let input = ProjectInput {
        plan_id: fv(form, "plan_id").parse().ok(),
        name: fv(form, "name").into(),
        category: fv(form, "category").into(),
        description: fv(form, "description").into(),
        villages: codes_of(fv(form, "villages")),
        budget_fen,
        start_date: fv(form, "start_date").into(),
        end_date: fv(form, "end_date").into(),
        implementer: fv(form, "implementer").into(),
        outputs,
        households: codes_of(fv(form, "households")),
    };
    if e.is_empty() { Ok(input) } else { Err(e) }
}

fn form_of(d: &ProjectDetail) -> Form {
    let p = &d.project;
    let mut form: Form = [
        ("plan_id", p.plan_id.to_string()),
        ("name", p.name.clone()),
        ("category", p.category.code().to_string()),
        ("description", p.description.clone().unwrap_or_default()),
        (
            "villages",
            d.villages
                .iter()
                .map(|(c, _)| c.clone())
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        ("budget", p.budget_fen.to_yuan_text()),
        ("start_date", p.start_date.to_string()),
        ("end_date", p.end_date.to_string()),
        ("implementer", p.implementer.clone()),
        (
            "households",
            d.beneficiaries
                .iter()
                .map(|b| b.household_id.clone())
                .collect::<Vec<_>>()
                .join("\n"),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    for (i, o) in d.outputs.iter().enumerate() {
        form.insert(format!("o{i}_name"), o.name.clone());
        form.insert(format!("o{i}_measure"), o.measure.clone());
        form.insert(format!("o{i}_planned"), milli_text(o.planned_milli));
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
    let (title, action) = match editing {
        Some(id) => (t(lang, "edit_project"), format!("/projects/{id}/edit")),
        None => (t(lang, "new_project"), "/projects".to_string()),
    };
    let status = error.as_ref().map_or(StatusCode::OK, crate::error::status);
    let fields = [
        "plan_id",
        "name",
        "category",
        "description",
        "villages",
        "budget",
        "start_date",
        "end_date",
        "implementer",
        "households",
    ];
    let form = complete(
        form,
        &fields,
        OUTPUT_ROWS,
        &["o{}_name", "o{}_measure", "o{}_planned"],
    );
    let ctx = context! {
        title => title.clone(),
        action,
        categories => categories(lang),
        rows => (0..OUTPUT_ROWS).collect::<Vec<_>>(),
        error => error.as_ref().map(|e| error_message(e, lang)),
        error_rows => error.as_ref().map(|e| error_rows(e, lang)).unwrap_or_default(),
        form,
    };
    let crumbs = vec![crumb(lang), (String::new(), title.clone())];
    render::page_with_status(state, pc, status, "project_form.html", &title, crumbs, ctx).await
}

async fn new_form(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    if let Err(e) = pc.actor.require(Action::EditProjects) {
        return PageError(e).into_response();
    }
    let mut form = Form::new();
    form.insert("plan_id".into(), q(&query, "plan").unwrap_or("").into());
    form_page(&state, &pc, None, form, None).await
}

/// Saves a new (`None`) or changed project from the form.
async fn save(state: AppState, pc: PageCtx, editing: Option<i64>, form: Form) -> Response {
    let input = match project_input(&form) {
        Ok(i) => i,
        Err(e) => return form_page(&state, &pc, editing, form, Some(AppError::Invalid(e))).await,
    };
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let r = blocking(move || match editing {
        Some(id) => app.update_project(&actor, id, &input).map(|_| id),
        None => app.create_project(&actor, &input),
    })
    .await;
    match r {
        Ok(id) => done(
            &format!("/projects/{id}"),
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
    if let Err(e) = pc.actor.require(Action::EditProjects) {
        return PageError(e).into_response();
    }
    save(state, pc, None, form).await
}

async fn edit_form(State(state): State<AppState>, pc: PageCtx, Path(id): Path<i64>) -> Response {
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    match blocking(move || app.project_detail(&actor, id)).await {
        Ok(d) if d.may_edit => form_page(&state, &pc, Some(id), form_of(&d), None).await,
        Ok(_) => PageError(AppError::Forbidden(dingdian_core::Msg::new(
            "project_state",
            "此项目现在不能修改",
            "this project cannot be changed now",
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

fn detail_ctx(d: &ProjectDetail, lang: &str) -> Value {
    context! {
        project => project_row(&d.project, lang),
        plan => d.plan.clone(),
        villages => d.villages.clone(),
        outputs => d.outputs.iter().map(|o| context! { id => o.id, name => o.name.clone(), measure => o.measure.clone(), planned => milli_text(o.planned_milli), achieved => milli_text(o.achieved_milli) }).collect::<Vec<_>>(),
        beneficiaries => d.beneficiaries.clone(),
        transitions => d.transitions.iter().map(|h| context! {
            from => h.from.map(|s| status_text(s, lang)),
            to => status_text(h.to, lang),
            on_date => h.on_date.map(|d| d.to_string()),
            display_name => h.display_name.clone(),
            at => h.at,
            reason => h.reason.clone(),
        }).collect::<Vec<_>>(),
        progress => d.progress.iter().map(|p| context! { on_date => p.on_date.to_string(), text => p.text.clone(), display_name => p.display_name.clone() }).collect::<Vec<_>>(),
        attachments => d.attachments.iter().map(|a| context! { id => a.id, file_name => a.file_name.clone(), media_type => a.media_type.clone(), size => a.size, caption => a.caption.clone(), display_name => a.display_name.clone(), at => a.at }).collect::<Vec<_>>(),
        buttons => d.next.iter().map(|s| context! { to => s.to.code(), text => t(lang, &format!("pj_do_{}", s.to.code())), needs_reason => s.needs_reason }).collect::<Vec<_>>(),
        may_edit => d.may_edit,
        may_report => d.may_report,
        today => time::today().to_string(),
    }
}

async fn show_page(state: &AppState, pc: &PageCtx, id: i64, error: Option<AppError>) -> Response {
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let d = match blocking(move || app.project_detail(&actor, id)).await {
        Ok(d) => d,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = pc.lang.as_str();
    let status = error.as_ref().map_or(StatusCode::OK, crate::error::status);
    let ctx = context! {
        d => detail_ctx(&d, lang),
        error => error.as_ref().map(|e| error_message(e, lang)),
        error_rows => error.as_ref().map(|e| error_rows(e, lang)).unwrap_or_default(),
    };
    let title = d.project.name.clone();
    let crumbs = vec![
        crumb(lang),
        (String::new(), format!("#{} {title}", d.project.id)),
    ];
    render::page_with_status(state, pc, status, "project.html", &title, crumbs, ctx).await
}

async fn show(State(state): State<AppState>, pc: PageCtx, Path(id): Path<i64>) -> Response {
    show_page(&state, &pc, id, None).await
}

async fn after(
    state: &AppState,
    pc: &PageCtx,
    id: i64,
    r: Result<(), AppError>,
    what: &str,
) -> Response {
    match r {
        Ok(()) => done(&format!("/projects/{id}"), what),
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
    let (to, on) = (
        fv(&form, "to").to_string(),
        fv(&form, "on_date").to_string(),
    );
    let reason = fv(&form, "reason").to_string();
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let r = blocking(move || {
        app.transition_project(&actor, id, &to, &on, Some(&reason))
            .map(|_| ())
    })
    .await;
    after(&state, &pc, id, r, "project_step").await
}

async fn progress(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<Form>,
) -> Response {
    let (on, text) = (
        fv(&form, "on_date").to_string(),
        fv(&form, "text").to_string(),
    );
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let r = blocking(move || app.add_project_progress(&actor, id, &on, &text)).await;
    after(&state, &pc, id, r, "saved").await
}

async fn output(
    State(state): State<AppState>,
    pc: PageCtx,
    Path((id, oid)): Path<(i64, i64)>,
    CsrfForm(form): CsrfForm<Form>,
) -> Response {
    let achieved = fv(&form, "achieved").to_string();
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let r = blocking(move || app.set_output_achieved(&actor, id, oid, &achieved)).await;
    after(&state, &pc, id, r, "saved").await
}

async fn attach(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    CsrfFile(upload): CsrfFile,
) -> Response {
    let up = match upload {
        Ok(up) => up,
        Err(e) => return after(&state, &pc, id, Err(e), "saved").await,
    };
    let caption = up.fields.get("caption").cloned();
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let r = blocking(move || {
        app.add_project_attachment(&actor, id, &up.file_name, caption.as_deref(), &up.bytes)
            .map(|_| ())
    })
    .await;
    after(&state, &pc, id, r, "attached").await
}

/// An attachment as a download of the type its content showed, never
/// rendered as a page.
async fn download(
    State(state): State<AppState>,
    pc: PageCtx,
    Path((id, aid)): Path<(i64, i64)>,
) -> Response {
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    match blocking(move || app.project_attachment(&actor, id, aid)).await {
        Ok((a, bytes)) => crate::api::attachment_response(&a.media_type, &a.file_name, bytes),
        Err(e) => PageError(e).into_response(),
    }
}

//! The poor villages of a county with their work teams (search, paging,
//! xlsx), and for a county officer the forms that mark a village poor and
//! add a team member. Each village is a card, so the page reads on a phone.

use super::{
    Query, done, error_message, field_errors, list_nav, page_of, q, wants_xlsx, xlsx_response,
};
use crate::AppState;
use crate::csrf::CsrfForm;
use crate::ctx::{PageCtx, blocking};
use crate::error::PageError;
use crate::i18n::t;
use crate::render;
use axum::Router;
use axum::extract::{Query as Q, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use dingdian_app::village_teams::{SecondmentChoice, VillageChoice};
use dingdian_app::{Actor, App, AppError};
use dingdian_core::role::Action;
use dingdian_core::time;
use dingdian_core::village_team::{PoorVillage, TeamMemberInput};
use minijinja::context;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/villages", get(list))
        .route("/villages/mark", post(mark))
        .route("/villages/members", post(add_member))
}

/// What the county officer's forms offer: the county's villages and the
/// secondments to it. Empty for everyone else.
struct Choices {
    villages: Vec<VillageChoice>,
    secondments: Vec<SecondmentChoice>,
}

fn choices(app: &App, actor: &Actor) -> dingdian_app::Result<Choices> {
    if !actor.role.may(Action::AssignHelpers) {
        return Ok(Choices {
            villages: Vec::new(),
            secondments: Vec::new(),
        });
    }
    Ok(Choices {
        villages: app.county_villages(actor)?,
        secondments: app.county_secondments(actor)?,
    })
}

fn village_view(v: &PoorVillage, lang: &str) -> minijinja::Value {
    let team: Vec<minijinja::Value> = v
        .team
        .iter()
        .map(|m| {
            context! {
                role => t(lang, &format!("team_role_{}", m.role.as_str())),
                first => m.role.as_str() == "first_secretary",
                name => m.person_name.clone(),
                post => m.post.clone(),
                unit => m.unit_name.clone(),
                from => m.from_date.to_string(),
                to => m.to_date.map(|d| d.to_string()),
            }
        })
        .collect();
    context! {
        code => v.village_code.clone(),
        name => dingdian_core::area::short_village_name(&v.village_name),
        county => v.county_code.clone(),
        team,
    }
}

/// The page, with a form's error and values when a post was refused.
async fn page(
    state: &AppState,
    pc: &PageCtx,
    query: Query,
    refused: Option<(AppError, serde_json::Value)>,
) -> Response {
    let page = page_of(&query);
    let county = q(&query, "county").map(str::to_string);
    let text = q(&query, "q").map(str::to_string);
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let (c2, t2) = (county.clone(), text.clone());
    let out = blocking(move || {
        let listed = app.poor_villages(&actor, (c2.as_deref(), t2.as_deref()), page)?;
        Ok((listed, choices(&app, &actor)?))
    })
    .await;
    let ((villages, total), choices) = match out {
        Ok(r) => r,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = pc.lang.as_str();
    let (status, error, errors, values) = match refused {
        Some((e, values)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(error_message(&e, lang)),
            field_errors(&e, lang),
            values,
        ),
        None => (
            StatusCode::OK,
            None,
            Default::default(),
            serde_json::json!(TeamMemberInput::default()),
        ),
    };
    let village_options: Vec<(String, String, bool)> = choices
        .villages
        .iter()
        .map(|v| {
            (
                v.code.clone(),
                dingdian_core::area::short_village_name(&v.name),
                v.poor,
            )
        })
        .collect();
    let secondments: Vec<(i64, String)> = choices
        .secondments
        .iter()
        .map(|s| {
            (
                s.id,
                format!("{}（{}，{}）", s.person_name, s.post, s.unit_name),
            )
        })
        .collect();
    let ctx = context! {
        villages => villages.iter().map(|v| village_view(v, lang)).collect::<Vec<_>>(),
        list => list_nav("/villages", &query, page, total, true),
        f => context! { q => text.unwrap_or_default(), county => county.unwrap_or_default() },
        may_edit => pc.actor.role.may(Action::AssignHelpers),
        village_options, secondments, error, errors, values,
    };
    let title = t(lang, "nav_villages");
    render::page_with_status(state, pc, status, "villages.html", &title, vec![], ctx).await
}

async fn list(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    if wants_xlsx(&query) {
        let county = q(&query, "county").map(str::to_string);
        let text = q(&query, "q").map(str::to_string);
        let (app, actor) = (state.app.clone(), pc.actor.clone());
        let out = blocking(move || {
            app.export_poor_villages(&actor, (county.as_deref(), text.as_deref()))
        })
        .await;
        return match out {
            Ok(bytes) => xlsx_response("villages", bytes),
            Err(e) => PageError(e).into_response(),
        };
    }
    page(&state, &pc, query, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MarkForm {
    village_code: String,
    /// "1" marks, anything else unmarks.
    poor: String,
}

async fn mark(
    State(state): State<AppState>,
    pc: PageCtx,
    CsrfForm(form): CsrfForm<MarkForm>,
) -> Response {
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let poor = form.poor == "1";
    let out = blocking(move || app.set_poor_village(&actor, &form.village_code, poor)).await;
    match out {
        Ok(()) => done("/villages", "saved"),
        Err(e @ AppError::Invalid(_)) | Err(e @ AppError::Conflict(_)) => {
            page(
                &state,
                &pc,
                Query::new(),
                Some((e, serde_json::json!(TeamMemberInput::default()))),
            )
            .await
        }
        Err(e) => PageError(e).into_response(),
    }
}

async fn add_member(
    State(state): State<AppState>,
    pc: PageCtx,
    CsrfForm(input): CsrfForm<TeamMemberInput>,
) -> Response {
    let (app, actor, i) = (state.app.clone(), pc.actor.clone(), input.clone());
    let out = blocking(move || app.add_team_member(&actor, &i, time::today())).await;
    match out {
        Ok(_) => done("/villages", "created"),
        Err(e @ AppError::Invalid(_)) => {
            page(
                &state,
                &pc,
                Query::new(),
                Some((e, serde_json::json!(input))),
            )
            .await
        }
        Err(e) => PageError(e).into_response(),
    }
}

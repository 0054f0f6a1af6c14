//! Areas, county attributes and county lists.

use super::{
    Query, area_crumbs, done, error_message, error_rows, field_errors, list_nav, page_of, q,
    wants_xlsx, xlsx_response,
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
use dingdian_app::tabular::Cell;
use dingdian_app::{AppError, Page};
use dingdian_core::area::{CountyAttributes, Level};
use dingdian_core::area::{CountyList, KEY_2012};
use dingdian_core::query::{AreaFilter, PairingFilter};
use dingdian_core::role::{Action, Scope};
use minijinja::context;
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/areas", get(list))
        .route("/areas/{code}", get(show).post(update))
        .route("/county-lists", get(county_lists).post(create_county_list))
        .route("/county-lists/{code}/import", post(import_county_list))
}

fn filter(query: &Query) -> AreaFilter {
    AreaFilter {
        level: Some(
            q(query, "level")
                .and_then(Level::parse)
                .unwrap_or(Level::County),
        ),
        parent: q(query, "parent").map(str::to_string),
        province: q(query, "province")
            .filter(|p| p.len() == 2)
            .map(str::to_string),
        key: (q(query, "key") == Some("true")).then_some(true),
        list: q(query, "list").map(str::to_string),
        q: q(query, "q").map(str::to_string),
    }
}

/// The areas as an xlsx file, their attributes in the reader's language.
async fn areas_xlsx(
    state: &AppState,
    pc: &PageCtx,
    items: &[dingdian_core::area::Area],
) -> Response {
    let lang = pc.lang.as_str();
    let headers: Vec<String> = [
        "area_code",
        "area_name",
        "level",
        "western",
        "key_county",
        "poor_county",
        "old_revolutionary",
        "ethnic",
        "border",
        "contiguous_area",
        "exit_year",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect();
    let yes = |b: bool| Cell::from(if b { t(lang, "yes") } else { String::new() });
    let rows: Vec<Vec<Cell>> = items
        .iter()
        .map(|a| {
            let at = a.attributes.clone().unwrap_or_default();
            vec![
                a.code.clone().into(),
                a.name.clone().into(),
                t(lang, &format!("level_{}", a.level.as_str())).into(),
                yes(a.western),
                yes(at.key_county),
                yes(at.poor_county),
                yes(at.old_revolutionary),
                yes(at.ethnic),
                yes(at.border),
                at.contiguous_area.into(),
                at.exit_year.map(|y| y as i64).into(),
            ]
        })
        .collect();
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let export = dingdian_app::PageExport::Areas;
    match blocking(move || app.export_page(&actor, export, &headers, &rows)).await {
        Ok(bytes) => xlsx_response("areas", bytes),
        Err(e) => PageError(e).into_response(),
    }
}

async fn list(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    let f = filter(&query);
    let page = page_of(&query);
    let app = state.app.clone();
    let actor = pc.actor.clone();
    let xlsx = wants_xlsx(&query);
    let f2 = f.clone();
    let result = blocking(move || {
        let (items, total) = app.list_areas(&actor, &f2, if xlsx { Page::all() } else { page })?;
        let provinces = app
            .list_areas(
                &actor,
                &AreaFilter {
                    level: Some(Level::Province),
                    ..Default::default()
                },
                Page::all(),
            )?
            .0;
        let partial = f2.key == Some(true) || f2.list.as_deref() == Some(KEY_2012);
        let origin = if partial && !xlsx {
            Some(app.key_list_origin(&actor)?)
        } else {
            None
        };
        // The list the page is filtered by says how complete it is.
        let list = f2.list.clone().or(partial.then(|| KEY_2012.to_string()));
        let completeness = match list {
            Some(code) if !xlsx && app.county_lists(&actor)?.iter().any(|l| l.code == code) => {
                Some(app.list_completeness(&actor, &code)?)
            }
            _ => None,
        };
        Ok((items, total, provinces, (origin, completeness)))
    })
    .await;
    let (items, total, provinces, (origin, completeness)) = match result {
        Ok(r) => r,
        Err(e) => return PageError(e).into_response(),
    };
    if xlsx {
        return areas_xlsx(&state, &pc, &items).await;
    }
    let provinces: Vec<(String, String)> =
        provinces.into_iter().map(|a| (a.code, a.name)).collect();
    let ctx = context! {
        items,
        provinces,
        list => list_nav("/areas", &query, page, total, true),
        completeness => completeness.as_ref().map(|l| super::list_view(l, &pc.lang)),
        list_origin => origin.as_ref().map(|o| super::key_list_origin_text(&pc.lang, o)),
        f => context! {
            level => f.level.map(|l| l.as_str()),
            province => f.province.clone().unwrap_or_default(),
            key => if f.key == Some(true) { "true" } else { "" },
            q => f.q.clone().unwrap_or_default(),
        },
    };
    render::page(
        &state,
        &pc,
        "areas.html",
        &t(&pc.lang, "nav_areas"),
        vec![],
        ctx,
    )
    .await
}

async fn show_with(
    state: &AppState,
    pc: &PageCtx,
    code: String,
    query: &Query,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    let app = state.app.clone();
    let actor = pc.actor.clone();
    let page = page_of(query);
    let code2 = code.clone();
    let result = blocking(move || {
        let area = app.get_area(&actor, &code2)?;
        let lineage = app.area_lineage(&actor, &code2)?;
        let children = if area.level < Level::Village {
            Some(app.list_areas(
                &actor,
                &AreaFilter {
                    parent: Some(code2.clone()),
                    level: None,
                    ..Default::default()
                },
                page,
            )?)
        } else {
            None
        };
        let pairings = if area.level == Level::County && actor.role.may(Action::ReadPlans) {
            let f = PairingFilter {
                county_code: Some(code2.clone()),
                plan_statuses: vec![dingdian_core::plan::PairingPlanStatus::Active],
                ..Default::default()
            };
            Some(app.list_pairings(&actor, &f, Page::all())?.0)
        } else {
            None
        };
        Ok((area, lineage, children, pairings))
    })
    .await;
    match result {
        Ok((area, lineage, children, pairings)) => {
            let (children, total) = children.unwrap_or_default();
            let ctx = context! {
                list => list_nav(&format!("/areas/{code}"), query, page, total, false),
                can_edit => pc.actor.role.may(Action::EditAreas) && pc.actor.scope == Scope::All,
                error,
                area, children, pairings,
            };
            let crumbs = area_crumbs(&pc.lang, &lineage);
            let title = lineage.last().map(|l| l.1.clone()).unwrap_or_default();
            render::page_with_status(state, pc, status, "area.html", &title, crumbs, ctx).await
        }
        Err(e) => PageError(e).into_response(),
    }
}

async fn show(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(code): Path<String>,
    Q(query): Q<Query>,
) -> Response {
    show_with(&state, &pc, code, &query, StatusCode::OK, None).await
}

/// A county's attributes; a tick box is "true" when ticked.
#[derive(Deserialize, Default)]
#[serde(default)]
struct CountyForm {
    key_county: String,
    poor_county: String,
    old_revolutionary: String,
    ethnic: String,
    border: String,
    contiguous_area: String,
    exit_year: String,
}

async fn update(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<CountyForm>,
) -> Response {
    let flag = |v: &str| v == "true";
    let exit_year = form.exit_year.trim();
    let parsed_year = if exit_year.is_empty() {
        Ok(None)
    } else {
        exit_year.parse::<i32>().map(Some)
    };
    let Ok(exit_year_value) = parsed_year else {
        let e = AppError::invalid(
            "exit_year",
            exit_year,
            "bad_year",
            "摘帽年度应为四位年份",
            "the exit year must be a four-digit year",
        );
        return show_with(
            &state,
            &pc,
            code,
            &Query::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(e.message(&pc.lang)),
        )
        .await;
    };
    let attrs = CountyAttributes {
        key_county: flag(&form.key_county),
        poor_county: flag(&form.poor_county),
        old_revolutionary: flag(&form.old_revolutionary),
        ethnic: flag(&form.ethnic),
        border: flag(&form.border),
        contiguous_area: Some(form.contiguous_area.trim().to_string()).filter(|s| !s.is_empty()),
        exit_year: exit_year_value,
    };
    let app = state.app.clone();
    let actor = pc.actor.clone();
    let c = code.clone();
    match blocking(move || app.update_county(&actor, &c, &attrs)).await {
        Ok(()) => done(&format!("/areas/{code}"), "saved"),
        Err(e @ AppError::Invalid(_)) => {
            show_with(
                &state,
                &pc,
                code,
                &Query::new(),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(e.message(&pc.lang)),
            )
            .await
        }
        Err(e) => PageError(e).into_response(),
    }
}

/// A new county list.
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
struct CountyListForm {
    code: String,
    name_zh: String,
    name_en: String,
    start_year: String,
    end_year: String,
}

async fn county_lists_page(
    state: &AppState,
    pc: &PageCtx,
    status: StatusCode,
    error: Option<AppError>,
    form: CountyListForm,
) -> Response {
    let app = state.app.clone();
    let actor = pc.actor.clone();
    let fetched = blocking(move || {
        Ok((
            app.county_lists(&actor)?,
            app.key_list_origin(&actor)?,
            app.lists_completeness(&actor)?,
        ))
    });
    match fetched.await {
        Ok((lists, origin, completeness)) => {
            let origin = super::key_list_origin_text(&pc.lang, &origin);
            let lists: Vec<_> = lists
                .into_iter()
                .map(|l| {
                    let origin = (l.code == KEY_2012).then(|| origin.clone());
                    let completeness = completeness
                        .iter()
                        .find(|c| c.code == l.code)
                        .map(|c| super::list_view(c, &pc.lang));
                    context! { code => l.code, name_zh => l.name_zh, name_en => l.name_en, start_year => l.start_year, end_year => l.end_year, partial => l.partial, note => l.note.as_deref().map(|n| crate::shipped_text::note_text(&pc.lang, n)), members => l.members, origin, completeness }
                })
                .collect();
            let ctx = context! {
                lists,
                can_edit => pc.actor.role.may(Action::EditAreas),
                error => error.as_ref().map(|e| error_message(e, &pc.lang)),
                error_rows => error.as_ref().map(|e| error_rows(e, &pc.lang)).unwrap_or_default(),
                errors => error.as_ref().map(|e| field_errors(e, &pc.lang)).unwrap_or_default(),
                form,
            };
            render::page_with_status(
                state,
                pc,
                status,
                "county_lists.html",
                &t(&pc.lang, "nav_county_lists"),
                vec![],
                ctx,
            )
            .await
        }
        Err(e) => PageError(e).into_response(),
    }
}

async fn county_lists(State(state): State<AppState>, pc: PageCtx) -> Response {
    county_lists_page(&state, &pc, StatusCode::OK, None, CountyListForm::default()).await
}

async fn create_county_list(
    State(state): State<AppState>,
    pc: PageCtx,
    CsrfForm(form): CsrfForm<CountyListForm>,
) -> Response {
    let year = |v: &str| v.trim().parse::<i64>().ok();
    let list = CountyList {
        code: form.code.clone(),
        name_zh: form.name_zh.clone(),
        name_en: form.name_en.clone(),
        start_year: year(&form.start_year).unwrap_or(0),
        end_year: year(&form.end_year),
        partial: false,
        note: None,
        members: 0,
    };
    let app = state.app.clone();
    let actor = pc.actor.clone();
    match blocking(move || app.create_county_list(&actor, &list)).await {
        Ok(()) => done("/county-lists", "created"),
        Err(e @ AppError::Invalid(_)) => {
            county_lists_page(&state, &pc, StatusCode::UNPROCESSABLE_ENTITY, Some(e), form).await
        }
        Err(e) => PageError(e).into_response(),
    }
}

async fn import_county_list(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(code): Path<String>,
    CsrfUpload(up): CsrfUpload,
) -> Response {
    let up = match up {
        Ok(u) => u,
        Err(e) => {
            return county_lists_page(
                &state,
                &pc,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(e),
                CountyListForm::default(),
            )
            .await;
        }
    };
    let app = state.app.clone();
    let actor = pc.actor.clone();
    match blocking(move || app.import_county_list(&actor, &code, &up.file_name, &up.bytes)).await {
        Ok(_) => done("/county-lists", "imported"),
        Err(e @ AppError::Invalid(_)) => {
            county_lists_page(
                &state,
                &pc,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(e),
                CountyListForm::default(),
            )
            .await
        }
        Err(e) => PageError(e).into_response(),
    }
}

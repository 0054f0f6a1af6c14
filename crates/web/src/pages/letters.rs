//! Responsibility letters: everyone in scope sees each letter's progress
//! against its targets and against the share of the year gone (red when
//! behind); the office sets targets and sees the letters behind, furthest
//! first; a unit signs its own.

use super::{Query, done, field_errors, list_nav, page_of, q, wants_xlsx, xlsx_response};
use crate::AppState;
use crate::charts::progress_bar;
use crate::csrf::CsrfForm;
use crate::ctx::{PageCtx, blocking};
use crate::error::PageError;
use crate::format::thousands;
use crate::i18n::t;
use crate::render;
use axum::Router;
use axum::extract::{Path, Query as Q, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Datelike;
use dingdian_app::letters::{BEHIND_MARGIN, LetterView};
use dingdian_app::{AppError, Page};
use dingdian_core::Fen;
use dingdian_core::letter::{ALL_INDICATORS, LetterFilter, LetterIndicator, LetterInput};
use dingdian_core::period::Period;
use dingdian_core::query::UnitFilter;
use dingdian_core::role::Action;
use minijinja::context;
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/letters", get(list).post(set))
        .route("/letters/{id}/sign", post(sign))
}

/// The office's target form, money in yuan.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct LetterForm {
    unit_id: String,
    county_code: String,
    year: String,
    direct_funds: String,
    introduced_funds: String,
    cadres_trained: String,
    technicians_trained: String,
    products_bought: String,
    products_sold: String,
    leaders_trained: String,
}

impl LetterForm {
    fn input(&self) -> LetterInput {
        let v = |i: LetterIndicator| match i {
            LetterIndicator::DirectFunds => &self.direct_funds,
            LetterIndicator::IntroducedFunds => &self.introduced_funds,
            LetterIndicator::CadresTrained => &self.cadres_trained,
            LetterIndicator::TechniciansTrained => &self.technicians_trained,
            LetterIndicator::ProductsBought => &self.products_bought,
            LetterIndicator::ProductsSold => &self.products_sold,
            LetterIndicator::LeadersTrained => &self.leaders_trained,
        };
        LetterInput {
            unit_id: self.unit_id.trim().parse().ok(),
            county_code: self.county_code.clone(),
            year: self.year.clone(),
            targets: ALL_INDICATORS
                .into_iter()
                .map(|i| (i.as_str().to_string(), v(i).clone()))
                .collect(),
        }
    }
}

fn figure(i: LetterIndicator, v: i64) -> String {
    if i.is_money() {
        Fen::new(v).to_yuan_text()
    } else {
        thousands(v)
    }
}

/// The form's indicators: those of the period of the year it names (of
/// this year while it names none), in that period's words, and any other
/// the form was sent with, so that its refusal shows beside it.
fn form_indicators(form: &LetterForm, lang: &str) -> Vec<(&'static str, &'static str, bool)> {
    let year = form
        .year
        .trim()
        .parse()
        .unwrap_or_else(|_| dingdian_core::time::today().year());
    let period = Period::of_year(year);
    let sent = form.input().targets;
    ALL_INDICATORS
        .into_iter()
        .filter(|i| {
            LetterIndicator::of_period(period).contains(i)
                || sent
                    .iter()
                    .any(|(k, v)| k == i.as_str() && !v.trim().is_empty())
        })
        .map(|i| (i.as_str(), i.name_in(period, lang), i.is_money()))
        .collect()
}

/// A letter as the page shows it.
#[derive(Serialize)]
struct Shown {
    id: i64,
    unit_name: String,
    county: String,
    year: i32,
    signed: bool,
    signed_on: Option<String>,
    behind: bool,
    behind_pct: i64,
    share_pct: i64,
    can_sign: bool,
    bars: Vec<(String, String)>,
}

fn shown(lang: &str, v: LetterView) -> Shown {
    let period = Period::of_year(v.letter.year);
    let bars = v
        .progress
        .iter()
        .map(|p| {
            let label = p.indicator.name_in(period, lang);
            let text = format!(
                "{} / {} ({:.0}%)",
                figure(p.indicator, p.actual),
                figure(p.indicator, p.target),
                p.completion() * 100.0
            );
            let behind = p.behind_by(v.year_share) >= BEHIND_MARGIN;
            (
                label.to_string(),
                progress_bar(p.completion(), v.year_share, behind, &text),
            )
        })
        .collect();
    Shown {
        id: v.letter.id,
        unit_name: v.letter.unit_name,
        county: v
            .letter
            .county_name
            .unwrap_or_else(|| t(lang, "all_counties")),
        year: v.letter.year,
        signed: v.letter.status == dingdian_core::letter::LetterStatus::Signed,
        signed_on: v.letter.signed_on.map(|d| d.to_string()),
        behind: v.behind,
        behind_pct: (v.behind_by * 100.0).round() as i64,
        share_pct: (v.year_share * 100.0).round() as i64,
        can_sign: v.can_sign,
        bars,
    }
}

fn filter_of(query: &Query) -> LetterFilter {
    LetterFilter {
        year: Some(
            q(query, "year")
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| dingdian_core::time::today().year()),
        ),
        q: q(query, "q").map(str::to_string),
        ..Default::default()
    }
}

/// What the page needs from the app: the letters, the office's list of
/// letters behind and the units to choose from.
type Loaded = (Vec<LetterView>, i64, Vec<LetterView>, Vec<(i64, String)>);

fn load(
    app: &dingdian_app::App,
    actor: &dingdian_app::Actor,
    f: &LetterFilter,
    page: Page,
) -> dingdian_app::Result<Loaded> {
    let (views, total) = app.letters(actor, f, page)?;
    let office = actor.role.may(Action::SetLetterTargets);
    let (behind, units) = if office {
        let units = app
            .list_units(actor, &UnitFilter::default(), Page::all())?
            .0;
        let year = f
            .year
            .unwrap_or_else(|| dingdian_core::time::today().year());
        (
            app.letters_behind(actor, year)?,
            units.into_iter().map(|u| (u.id, u.name)).collect(),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    Ok((views, total, behind, units))
}

async fn list(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    let f = filter_of(&query);
    if wants_xlsx(&query) {
        let (app, actor) = (state.app.clone(), pc.actor.clone());
        return match blocking(move || app.export_letters(&actor, &f)).await {
            Ok(bytes) => xlsx_response("letters", bytes),
            Err(e) => PageError(e).into_response(),
        };
    }
    let form = LetterForm {
        year: f.year.map(|y| y.to_string()).unwrap_or_default(),
        ..Default::default()
    };
    letters_page(&state, &pc, &query, form, None).await
}

async fn letters_page(
    state: &AppState,
    pc: &PageCtx,
    query: &Query,
    form: LetterForm,
    error: Option<AppError>,
) -> Response {
    let f = filter_of(query);
    let page = page_of(query);
    let (app, actor, f2) = (state.app.clone(), pc.actor.clone(), f.clone());
    let (views, total, behind, units) = match blocking(move || load(&app, &actor, &f2, page)).await
    {
        Ok(l) => l,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = pc.lang.as_str();
    let errors = error
        .as_ref()
        .map(|e| field_errors(e, lang))
        .unwrap_or_default();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let ctx = context! {
        letters => views.into_iter().map(|v| shown(lang, v)).collect::<Vec<_>>(),
        behind => behind.into_iter().map(|v| shown(lang, v)).collect::<Vec<_>>(),
        units,
        can_set => pc.actor.role.may(Action::SetLetterTargets),
        indicators => form_indicators(&form, lang),
        form => minijinja::Value::from_serialize(&form),
        errors,
        today => dingdian_core::time::today().to_string(),
        list => list_nav("/letters", query, page, total, true),
        f => context! { year => f.year.map(|y| y.to_string()).unwrap_or_default(), q => f.q.unwrap_or_default() },
    };
    render::page_with_status(
        state,
        pc,
        status,
        "letters.html",
        &t(lang, "nav_letters"),
        vec![],
        ctx,
    )
    .await
}

async fn set(
    State(state): State<AppState>,
    pc: PageCtx,
    CsrfForm(form): CsrfForm<LetterForm>,
) -> Response {
    let (app, actor, input) = (state.app.clone(), pc.actor.clone(), form.input());
    match blocking(move || app.set_letter(&actor, &input, true)).await {
        Ok(_) => done(
            &format!("/letters?year={}", urlencoding::encode(form.year.trim())),
            "saved",
        ),
        Err(e @ AppError::Invalid(_)) => {
            let mut query = Query::new();
            query.insert("year".into(), form.year.clone());
            letters_page(&state, &pc, &query, form, Some(e)).await
        }
        Err(e) => PageError(e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct SignForm {
    #[serde(default)]
    signed_on: String,
}

async fn sign(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<SignForm>,
) -> Response {
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    match blocking(move || app.sign_letter(&actor, id, &form.signed_on)).await {
        Ok(()) => done("/letters", "signed"),
        Err(e) => PageError(e).into_response(),
    }
}

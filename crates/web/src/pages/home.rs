//! The start page (工作台): to-dos first, key figures, the coverage chart.

use crate::AppState;
use crate::charts::{self, Bar};
use crate::ctx::{PageCtx, blocking};
use crate::error::PageError;
use crate::i18n::t;
use crate::render;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use dingdian_app::todo::{Todo, TodoReason};
use dingdian_app::{Actor, App, AppError, Page};
use dingdian_core::pairing_work::{PairingWork, WorkFilter};
use dingdian_core::plan::{PairingPlan, PairingPlanStatus};
use dingdian_core::query::PairingFilter;
use dingdian_core::role::{Action, Role};
use minijinja::context;
use serde::Serialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(home))
}

#[derive(Serialize)]
struct TodoItem {
    href: String,
    text: String,
    status: &'static str,
}

#[derive(Serialize)]
struct TodoGroup {
    label: String,
    items: Vec<TodoItem>,
}

#[derive(Serialize)]
struct Figure {
    label: String,
    value: String,
    note: Option<String>,
}

/// An unread reminder on the start page.
#[derive(Serialize)]
struct Reminder {
    href: String,
    text: String,
    due: Option<String>,
    overdue: bool,
}

struct Home {
    /// The unread reminders (what is due soon or overdue), the newest few,
    /// and how many there are.
    reminders: (Vec<Reminder>, i64),
    todos: Option<Vec<TodoGroup>>,
    /// The pairings' work, largest first, and how many pairings there are.
    work: Option<(Vec<PairingWork>, i64)>,
    figures: Vec<Figure>,
    plan: Option<PairingPlan>,
    chart: Option<String>,
}

fn group(lang: &str, todo: Todo) -> TodoGroup {
    let key = match todo.reason {
        TodoReason::Returned => "todo_returned",
        TodoReason::Consultation => "todo_consultation",
        TodoReason::Drafts => "todo_drafts",
        TodoReason::Review => "todo_review",
        TodoReason::Feedback => "todo_feedback",
    };
    TodoGroup {
        label: t(lang, key),
        items: todo
            .plans
            .into_iter()
            .map(|p| TodoItem {
                href: format!("/plans/{}", p.id),
                text: format!("{} v{}", p.name, p.version),
                status: p.status.as_str(),
            })
            .collect(),
    }
}

/// Reminders shown on the start page; the inbox has the rest.
const HOME_REMINDERS: u32 = 8;

fn reminders(app: &App, actor: &Actor, lang: &str) -> Result<(Vec<Reminder>, i64), AppError> {
    let first = Page::new(Some(1), Some(HOME_REMINDERS));
    let (items, total) = app.inbox(actor, true, first)?;
    let items = items
        .into_iter()
        .map(|r| Reminder {
            href: r.link,
            text: r.message.text(lang).to_string(),
            due: r.due.map(|d| d.to_string()),
            overdue: r.overdue,
        })
        .collect();
    Ok((items, total))
}

/// Pairings shown on the start page; the overview has the rest.
const HOME_WORK_ROWS: u32 = 10;

fn build(app: &App, actor: &Actor, lang: &str) -> Result<Home, AppError> {
    let mut home = Home {
        reminders: reminders(app, actor, lang)?,
        todos: None,
        work: None,
        figures: Vec::new(),
        plan: None,
        chart: None,
    };
    // A role that reads no plans has neither to-dos nor figures.
    let Some(todos) = app.todos(actor)? else {
        return Ok(home);
    };
    home.todos = Some(todos.into_iter().map(|g| group(lang, g)).collect());
    if actor.role.may(Action::ReadAssistance) {
        let first = Page::new(Some(1), Some(HOME_WORK_ROWS));
        home.work = Some(app.pairing_work(actor, &WorkFilter::default(), first)?);
    }
    home.figures = pairing_figures(app, actor, lang)?;
    if let Some(plan) = app.current_overall_plan(actor, None)? {
        if actor.scope == dingdian_core::role::Scope::All {
            // The national figures come first.
            let mut figures = national_figures(app, actor, &plan, lang)?;
            figures.append(&mut home.figures);
            home.figures = figures;
            home.chart = Some(coverage_chart(app, actor, &plan, lang, None)?);
        }
        home.plan = Some(plan);
    }
    Ok(home)
}

/// The pairings in force today, and the counties (or units) they reach.
fn pairing_figures(app: &App, actor: &Actor, lang: &str) -> Result<Vec<Figure>, AppError> {
    let today = dingdian_core::time::today();
    let in_force = PairingFilter {
        active_on: Some(today),
        plan_statuses: vec![PairingPlanStatus::Active],
        ..Default::default()
    };
    let pairings_today = app.list_pairings(actor, &in_force, Page::all())?.0;
    let distinct = |mut v: Vec<String>| {
        v.sort();
        v.dedup();
        v.len().to_string()
    };
    let mut figures = Vec::new();
    let mine = match actor.role {
        Role::Unit | Role::Cadre => Some((
            "fig_my_counties",
            distinct(
                pairings_today
                    .iter()
                    .map(|p| p.county_code.clone())
                    .collect(),
            ),
        )),
        Role::County => Some((
            "fig_my_units",
            distinct(
                pairings_today
                    .iter()
                    .map(|p| p.unit_id.to_string())
                    .collect(),
            ),
        )),
        _ => None,
    };
    figures.extend(mine.map(|(key, value)| Figure {
        label: t(lang, key),
        value,
        note: None,
    }));
    figures.push(Figure {
        label: t(lang, "fig_pairings"),
        value: crate::format::thousands(pairings_today.len() as i64),
        note: Some(today.to_string()),
    });
    Ok(figures)
}

/// The key counties of the current overall plan, how many are covered, and
/// the units: what the national roles see first.
fn national_figures(
    app: &App,
    actor: &Actor,
    plan: &PairingPlan,
    lang: &str,
) -> Result<Vec<Figure>, AppError> {
    let cov = app.plan_coverage(actor, plan.id, None)?;
    let units = app
        .list_units(actor, &Default::default(), Page::new(Some(1), Some(1)))?
        .1;
    let share = match cov.key_counties {
        0 => 0.0,
        n => 100.0 * cov.covered as f64 / n as f64,
    };
    Ok(vec![
        Figure {
            label: t(lang, "fig_key_counties"),
            value: cov.key_counties.to_string(),
            note: Some(super::list_name(
                &app.county_lists(actor).unwrap_or_default(),
                &plan.county_list,
                lang,
            )),
        },
        Figure {
            label: t(lang, "fig_covered"),
            value: cov.covered.to_string(),
            note: Some(crate::format::percent(Some(share))),
        },
        Figure {
            label: t(lang, "fig_units"),
            value: units.to_string(),
            note: None,
        },
    ])
}

/// The coverage-by-province chart of a plan on a day.
pub fn coverage_chart(
    app: &App,
    actor: &Actor,
    plan: &PairingPlan,
    lang: &str,
    on: Option<chrono::NaiveDate>,
) -> Result<String, AppError> {
    let day = on.unwrap_or_else(dingdian_core::time::today);
    let rows = app.coverage_by_province(actor, plan.id, Some(day))?;
    let bars: Vec<Bar> = rows
        .into_iter()
        .map(|r| Bar {
            label: r.name,
            href: Some(format!("/areas?level=county&province={}&key=true", r.code)),
            value: r.covered,
            total: r.key_counties,
        })
        .collect();
    let caption = format!(
        "{}：{} #{} · {} {}",
        t(lang, "source"),
        t(lang, "plan"),
        plan.id,
        t(lang, "coverage_on"),
        day
    );
    Ok(charts::coverage_bars(
        &t(lang, "coverage_by_province"),
        &bars,
        &t(lang, "fig_covered"),
        &t(lang, "fig_key_counties"),
        &caption,
    ))
}

async fn home(State(state): State<AppState>, pc: PageCtx) -> Response {
    let app = state.app.clone();
    let (actor, lang) = (pc.actor.clone(), pc.lang.clone());
    match blocking(move || build(&app, &actor, &lang)).await {
        Ok(h) => {
            let show_plan = h.todos.is_some();
            let ctx = context! {
                reminders => h.reminders.0,
                reminders_total => h.reminders.1,
                todos => h.todos,
                work => h.work.as_ref().map(|w| &w.0),
                work_total => h.work.as_ref().map(|w| w.1),
                figures => h.figures,
                plan => h.plan,
                chart => h.chart,
                show_plan,
                admin_note => pc.actor.role.is_admin_duty(),
            };
            render::page(
                &state,
                &pc,
                "home.html",
                &t(&pc.lang, "nav_home"),
                vec![],
                ctx,
            )
            .await
        }
        Err(e) => PageError(e).into_response(),
    }
}

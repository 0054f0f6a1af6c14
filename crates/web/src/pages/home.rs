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
use dingdian_app::{Actor, App, AppError, Page};
use dingdian_core::plan::{PairingPlan, PairingPlanStatus};
use dingdian_core::role::{Action, Role};
use dingdian_store::plans::{PairingFilter, PairingPlanFilter};
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

struct Home {
    todos: Option<Vec<TodoGroup>>,
    figures: Vec<Figure>,
    plan: Option<PairingPlan>,
    chart: Option<String>,
}

fn plans_in(
    app: &App,
    actor: &Actor,
    status: PairingPlanStatus,
) -> Result<Vec<PairingPlan>, AppError> {
    Ok(app
        .list_plans(
            actor,
            &PairingPlanFilter {
                status: Some(status),
                ..Default::default()
            },
            Page::new(Some(1), Some(20)),
        )?
        .0)
}

fn group(lang: &str, key: &str, plans: Vec<PairingPlan>) -> Option<TodoGroup> {
    (!plans.is_empty()).then(|| TodoGroup {
        label: t(lang, key),
        items: plans
            .into_iter()
            .map(|p| TodoItem {
                href: format!("/plans/{}", p.id),
                text: format!("{} v{}", p.name, p.version),
                status: p.status.as_str(),
            })
            .collect(),
    })
}

fn build(app: &App, actor: &Actor, lang: &str) -> Result<Home, AppError> {
    let mut home = Home {
        todos: None,
        figures: Vec::new(),
        plan: None,
        chart: None,
    };
    if !actor.role.may(Action::ReadPlans) {
        return Ok(home);
    }
    let mut todos = Vec::new();
    match actor.role {
        Role::Office => {
            todos.extend(group(
                lang,
                "todo_returned",
                plans_in(app, actor, PairingPlanStatus::Returned)?,
            ));
            todos.extend(group(
                lang,
                "todo_consultation",
                plans_in(app, actor, PairingPlanStatus::Consultation)?,
            ));
            todos.extend(group(
                lang,
                "todo_drafts",
                plans_in(app, actor, PairingPlanStatus::Draft)?,
            ));
        }
        Role::Reviewer => todos.extend(group(
            lang,
            "todo_review",
            plans_in(app, actor, PairingPlanStatus::Submitted)?,
        )),
        Role::Unit => {
            let unit = actor.scope.unit();
            let mut waiting = Vec::new();
            for p in plans_in(app, actor, PairingPlanStatus::Consultation)? {
                let answered = app
                    .plan_detail(actor, p.id)?
                    .feedback
                    .iter()
                    .any(|f| Some(f.unit_id) == unit);
                if !answered {
                    waiting.push(p);
                }
            }
            todos.extend(group(lang, "todo_feedback", waiting));
        }
        _ => {}
    }
    home.todos = Some(todos);

    let today = dingdian_core::time::today();
    let in_force = PairingFilter {
        active_on: Some(today),
        plan_statuses: vec![PairingPlanStatus::Active],
        ..Default::default()
    };
    let pairings_today = app.list_pairings(actor, &in_force, Page::all())?.0;
    match actor.role {
        Role::Unit | Role::Cadre => {
            let mut counties: Vec<&str> = pairings_today
                .iter()
                .map(|p| p.county_code.as_str())
                .collect();
            counties.sort();
            counties.dedup();
            home.figures.push(Figure {
                label: t(lang, "fig_my_counties"),
                value: counties.len().to_string(),
                note: None,
            });
        }
        Role::County => {
            let mut units: Vec<i64> = pairings_today.iter().map(|p| p.unit_id).collect();
            units.sort();
            units.dedup();
            home.figures.push(Figure {
                label: t(lang, "fig_my_units"),
                value: units.len().to_string(),
                note: None,
            });
        }
        _ => {}
    }
    home.figures.push(Figure {
        label: t(lang, "fig_pairings"),
        value: crate::format::thousands(pairings_today.len() as i64),
        note: Some(today.to_string()),
    });

    if let Some(plan) = app.current_overall_plan(actor, None)? {
        if actor.scope == dingdian_core::role::Scope::All {
            let cov = app.plan_coverage(actor, plan.id, None)?;
            let units = app
                .list_units(actor, &Default::default(), Page::new(Some(1), Some(1)))?
                .1;
            home.figures.insert(
                0,
                Figure {
                    label: t(lang, "fig_key_counties"),
                    value: cov.key_counties.to_string(),
                    note: Some(super::list_name(
                        &app.county_lists(actor).unwrap_or_default(),
                        &plan.county_list,
                        lang,
                    )),
                },
            );
            home.figures.insert(
                1,
                Figure {
                    label: t(lang, "fig_covered"),
                    value: cov.covered.to_string(),
                    note: Some(crate::format::percent(Some(if cov.key_counties == 0 {
                        0.0
                    } else {
                        100.0 * cov.covered as f64 / cov.key_counties as f64
                    }))),
                },
            );
            home.figures.insert(
                2,
                Figure {
                    label: t(lang, "fig_units"),
                    value: units.to_string(),
                    note: None,
                },
            );
            home.chart = Some(coverage_chart(app, actor, &plan, lang, None)?);
        }
        home.plan = Some(plan);
    }
    Ok(home)
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
            let ctx = context! {
                todos => h.todos,
                figures => h.figures,
                plan => h.plan,
                chart => h.chart,
                show_plan => pc.actor.role.may(Action::ReadPlans),
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

//! The reporting calendar of a year (every kind and period with its due
//! date; the office sets it) and punctuality: each unit's on-time rate and
//! overdue count as charts, late and missing reports per unit and person.

use super::assistance::{Form, fv};
use super::reports::kind_text;
use super::{Query, done, error_message, error_rows, q};
use crate::AppState;
use crate::charts::{self, ValueBar};
use crate::csrf::CsrfForm;
use crate::ctx::{PageCtx, blocking};
use crate::error::PageError;
use crate::i18n::t;
use crate::render;
use axum::extract::{Query as Q, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use dingdian_app::AppError;
use dingdian_app::report_punctuality::Punctuality;
use dingdian_core::report::{CalendarInput, ReportCalendar};
use dingdian_core::role::Action;
use dingdian_core::time;
use minijinja::context;

/// The year asked for, or this year; bounded to the calendar's range.
fn year_of(query: &Query) -> i32 {
    let this = time::today().year();
    q(query, "year")
        .and_then(|v| v.parse().ok())
        .filter(|y| (2000..=this + 1).contains(y))
        .unwrap_or(this)
}

async fn calendar_page(
    state: &AppState,
    pc: &PageCtx,
    year: i32,
    form: Form,
    error: Option<AppError>,
) -> Response {
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let stored = match blocking(move || app.report_calendar(&actor, year)).await {
        Ok(c) => c,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = pc.lang.as_str();
    let shown = stored.unwrap_or_else(|| ReportCalendar::default_for(year));
    let this = time::today().year();
    let ctx = context! {
        year,
        years => (2016..=this + 1).rev().collect::<Vec<_>>(),
        set => stored.is_some(),
        calendar => shown,
        schedule => shown.schedule().into_iter().map(|(k, p, due)| context! {
            kind => kind_text(k, lang), code => k.code(), period => p.to_string(), due => due.to_string(),
        }).collect::<Vec<_>>(),
        may_set => pc.actor.role.may(Action::SetReportCalendar),
        form => context! {
            quarterly_due_days => form.get("quarterly_due_days").cloned().unwrap_or_else(|| shown.quarterly_due_days.to_string()),
            year_end_due => form.get("year_end_due").cloned().unwrap_or_else(|| shown.year_end_due.to_string()),
            annual_summary_due => form.get("annual_summary_due").cloned().unwrap_or_else(|| shown.annual_summary_due.to_string()),
        },
        error => error.as_ref().map(|e| error_message(e, lang)),
        error_rows => error.as_ref().map(|e| error_rows(e, lang)).unwrap_or_default(),
    };
    let status = error.as_ref().map_or(StatusCode::OK, crate::error::status);
    let title = t(lang, "nav_report_calendar");
    let crumbs = vec![
        ("/reports".into(), t(lang, "nav_reports")),
        (String::new(), title.clone()),
    ];
    render::page_with_status(
        state,
        pc,
        status,
        "report_calendar.html",
        &title,
        crumbs,
        ctx,
    )
    .await
}

pub(super) async fn show(
    State(state): State<AppState>,
    pc: PageCtx,
    Q(query): Q<Query>,
) -> Response {
    calendar_page(&state, &pc, year_of(&query), Form::new(), None).await
}

pub(super) async fn set(
    State(state): State<AppState>,
    pc: PageCtx,
    CsrfForm(form): CsrfForm<Form>,
) -> Response {
    let year: i32 = fv(&form, "year").parse().unwrap_or(0);
    let input = CalendarInput {
        quarterly_due_days: fv(&form, "quarterly_due_days").into(),
        year_end_due: fv(&form, "year_end_due").into(),
        annual_summary_due: fv(&form, "annual_summary_due").into(),
    };
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    match blocking(move || app.set_report_calendar(&actor, year, &input, time::today())).await {
        Ok(_) => done(&format!("/reports/calendar?year={year}"), "saved"),
        Err(e @ AppError::Invalid(_)) => calendar_page(&state, &pc, year, form, Some(e)).await,
        Err(e) => PageError(e).into_response(),
    }
}

/// The two charts: on-time rate and overdue reports, by unit.
fn charts_of(p: &Punctuality, lang: &str, year: i32) -> (String, String) {
    let caption = format!(
        "{}: {} · {}",
        t(lang, "chart_source"),
        t(lang, "rp_chart_caption"),
        time::today()
    );
    let rate: Vec<ValueBar> = p
        .units
        .iter()
        .map(|u| {
            let pct = u.tally.on_time_permille.unwrap_or(0) as f64 / 10.0;
            ValueBar {
                label: u.unit_name.clone(),
                href: Some(format!("/reports?unit={}&year={year}", u.unit_id)),
                value: pct,
                text: format!("{pct:.1}%"),
            }
        })
        .collect();
    let overdue: Vec<ValueBar> = p
        .units
        .iter()
        .map(|u| ValueBar {
            label: u.unit_name.clone(),
            href: Some(format!("/reports?unit={}&status=overdue", u.unit_id)),
            value: u.tally.overdue as f64,
            text: u.tally.overdue.to_string(),
        })
        .collect();
    (
        charts::value_bars(&t(lang, "rp_chart_rate"), &rate, "%", &caption),
        charts::value_bars(
            &t(lang, "rp_chart_overdue"),
            &overdue,
            &t(lang, "rp_axis_reports"),
            &caption,
        ),
    )
}

pub(super) async fn punctuality(
    State(state): State<AppState>,
    pc: PageCtx,
    Q(query): Q<Query>,
) -> Response {
    let year = year_of(&query);
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let p = match blocking(move || app.report_punctuality(&actor, Some(year), time::today())).await
    {
        Ok(p) => p,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = pc.lang.as_str();
    let (rate_chart, overdue_chart) = charts_of(&p, lang, year);
    let this = time::today().year();
    let ctx = context! {
        year,
        years => (2016..=this).rev().collect::<Vec<_>>(),
        p,
        rate_chart,
        overdue_chart,
    };
    let title = t(lang, "nav_report_punctuality");
    let crumbs = vec![
        ("/reports".into(), t(lang, "nav_reports")),
        (String::new(), title.clone()),
    ];
    render::page(&state, &pc, "report_punctuality.html", &title, crumbs, ctx).await
}

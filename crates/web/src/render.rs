//! Templates (compiled into the binary) and the frame every page shares:
//! top bar, menu by role, breadcrumbs, messages.

use crate::AppState;
use crate::ctx::PageCtx;
use crate::i18n;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use dingdian_core::assistance::AssistancePlanStatus;
use dingdian_core::period::Period;
use dingdian_core::plan::PairingPlanStatus;
use dingdian_core::role::{Action, Role, Scope};
use dingdian_core::unit::UnitKind;
use minijinja::value::Kwargs;
use minijinja::{Environment, State, UndefinedBehavior, Value, context};
use serde::Serialize;

pub const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    ("login.html", include_str!("../templates/login.html")),
    ("error.html", include_str!("../templates/error.html")),
    ("home.html", include_str!("../templates/home.html")),
    ("areas.html", include_str!("../templates/areas.html")),
    ("area.html", include_str!("../templates/area.html")),
    (
        "county_lists.html",
        include_str!("../templates/county_lists.html"),
    ),
    ("units.html", include_str!("../templates/units.html")),
    ("overview.html", include_str!("../templates/overview.html")),
    ("unit.html", include_str!("../templates/unit.html")),
    (
        "unit_form.html",
        include_str!("../templates/unit_form.html"),
    ),
    (
        "unit_import.html",
        include_str!("../templates/unit_import.html"),
    ),
    ("plans.html", include_str!("../templates/plans.html")),
    ("plan.html", include_str!("../templates/plan.html")),
    (
        "plan_form.html",
        include_str!("../templates/plan_form.html"),
    ),
    (
        "plan_diff.html",
        include_str!("../templates/plan_diff.html"),
    ),
    ("pairings.html", include_str!("../templates/pairings.html")),
    ("coverage.html", include_str!("../templates/coverage.html")),
    ("users.html", include_str!("../templates/users.html")),
    ("user.html", include_str!("../templates/user.html")),
    ("account.html", include_str!("../templates/account.html")),
    ("audit.html", include_str!("../templates/audit.html")),
    // issue 11: the funds ledger
    ("ledger.html", include_str!("../templates/ledger.html")),
    (
        "ledger_balances.html",
        include_str!("../templates/ledger_balances.html"),
    ),
    (
        "indicators.html",
        include_str!("../templates/indicators.html"),
    ),
    ("registry.html", include_str!("../templates/registry.html")),
    (
        "registry_search.html",
        include_str!("../templates/registry_search.html"),
    ),
    (
        "household.html",
        include_str!("../templates/household.html"),
    ),
    (
        "registry_import.html",
        include_str!("../templates/registry_import.html"),
    ),
    ("job.html", include_str!("../templates/job.html")),
    (
        "poverty_lines.html",
        include_str!("../templates/poverty_lines.html"),
    ),
    // issue 11: assistance plans and projects
    (
        "assistance_plans.html",
        include_str!("../templates/assistance_plans.html"),
    ),
    (
        "assistance_plan.html",
        include_str!("../templates/assistance_plan.html"),
    ),
    (
        "assistance_form.html",
        include_str!("../templates/assistance_form.html"),
    ),
    ("projects.html", include_str!("../templates/projects.html")),
    ("project.html", include_str!("../templates/project.html")),
    (
        "project_form.html",
        include_str!("../templates/project_form.html"),
    ),
    ("records.html", include_str!("../templates/records.html")),
    (
        "record_form.html",
        include_str!("../templates/record_form.html"),
    ),
    (
        "record_import.html",
        include_str!("../templates/record_import.html"),
    ),
    ("letters.html", include_str!("../templates/letters.html")),
    // issue 12: secondments, inspections and rectification
    (
        "secondments.html",
        include_str!("../templates/secondments.html"),
    ),
    (
        "secondment.html",
        include_str!("../templates/secondment.html"),
    ),
    (
        "secondment_form.html",
        include_str!("../templates/secondment_form.html"),
    ),
    (
        "secondment_continuity.html",
        include_str!("../templates/secondment_continuity.html"),
    ),
    (
        "inspections.html",
        include_str!("../templates/inspections.html"),
    ),
    (
        "inspection.html",
        include_str!("../templates/inspection.html"),
    ),
    (
        "inspection_form.html",
        include_str!("../templates/inspection_form.html"),
    ),
    (
        "inspection_frequency.html",
        include_str!("../templates/inspection_frequency.html"),
    ),
    (
        "rectifications.html",
        include_str!("../templates/rectifications.html"),
    ),
    (
        "rectification.html",
        include_str!("../templates/rectification.html"),
    ),
    // issue 12: the reporting calendar and reports
    ("reports.html", include_str!("../templates/reports.html")),
    ("report.html", include_str!("../templates/report.html")),
    (
        "report_calendar.html",
        include_str!("../templates/report_calendar.html"),
    ),
    (
        "report_punctuality.html",
        include_str!("../templates/report_punctuality.html"),
    ),
    // issue 12: villages and households
    ("villages.html", include_str!("../templates/villages.html")),
    (
        "help_list.html",
        include_str!("../templates/help_list.html"),
    ),
    // issue 12: leader visits and reminders
    (
        "leader_visits.html",
        include_str!("../templates/leader_visits.html"),
    ),
    (
        "leader_visit_form.html",
        include_str!("../templates/leader_visit_form.html"),
    ),
    (
        "leader_visits_missing.html",
        include_str!("../templates/leader_visits_missing.html"),
    ),
    ("inbox.html", include_str!("../templates/inbox.html")),
    // issue 13: the annual assessment
    (
        "assessments.html",
        include_str!("../templates/assessments.html"),
    ),
    (
        "assessment.html",
        include_str!("../templates/assessment.html"),
    ),
    (
        "assessment_rules.html",
        include_str!("../templates/assessment_rules.html"),
    ),
    // issue 13: return-risk monitoring
    (
        "monitoring.html",
        include_str!("../templates/monitoring.html"),
    ),
    (
        "monitoring_case.html",
        include_str!("../templates/monitoring_case.html"),
    ),
    (
        "monitoring_flag.html",
        include_str!("../templates/monitoring_flag.html"),
    ),
    (
        "monitoring_thresholds.html",
        include_str!("../templates/monitoring_thresholds.html"),
    ),
    // issue 13: printed reports and the public page
    ("print.html", include_str!("../templates/print.html")),
    ("public.html", include_str!("../templates/public.html")),
    ("publish.html", include_str!("../templates/publish.html")),
    // issue 13: departmental cross-checks and the exit check
    ("alerts.html", include_str!("../templates/alerts.html")),
    ("alert.html", include_str!("../templates/alert.html")),
    (
        "corrections.html",
        include_str!("../templates/corrections.html"),
    ),
    (
        "exit_check.html",
        include_str!("../templates/exit_check.html"),
    ),
    // issue 14: the county map
    ("map.html", include_str!("../templates/map.html")),
];

fn lang_of(state: &State) -> String {
    state
        .lookup("lang")
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "zh".into())
}

/// The period of the page: the one its `era_period` names (see [`era`]),
/// else today's.
fn period_of(state: &State) -> Period {
    state
        .lookup("era_period")
        .and_then(|v| v.as_str().and_then(Period::parse))
        .unwrap_or_else(|| Period::of_date(dingdian_core::time::today()))
}

/// The words of a page's period: `era` (read as `{{ era.programme }}`)
/// and `era_period` (which `t` fills `{era.…}` placeholders from), for
/// the year in view; a page without one speaks in today's words.
pub fn era(year: Option<i32>, lang: &str) -> Value {
    let period = year.map_or_else(
        || Period::of_date(dingdian_core::time::today()),
        Period::of_year,
    );
    context! {
        era => Value::from_serialize(period.words(lang)),
        era_period => period.as_str(),
    }
}

/// `t("key", n=3)`: the message in the page's language, `{n}` and the
/// period's words (`{era.programme}`, …) filled in.
fn t(state: &State, key: &str, kwargs: Kwargs) -> Result<String, minijinja::Error> {
    let lang = lang_of(state);
    let mut s = period_of(state).words(&lang).fill(&i18n::t(&lang, key));
    for k in kwargs.args() {
        let v: Value = kwargs.get(k)?;
        s = s.replace(&format!("{{{k}}}"), &v.to_string());
    }
    Ok(s)
}

fn plan_status(state: &State, code: &str) -> String {
    match PairingPlanStatus::parse(code) {
        Some(s) if lang_of(state) == "en" => s.en().into(),
        Some(s) => s.zh().into(),
        None => code.into(),
    }
}

fn assistance_status(state: &State, code: &str) -> String {
    match AssistancePlanStatus::from_code(code) {
        Some(s) if lang_of(state) == "en" => s.en().into(),
        Some(s) => s.zh().into(),
        None => code.into(),
    }
}

fn unit_kind(state: &State, code: &str) -> String {
    match UnitKind::parse(code) {
        Some(k) if lang_of(state) == "en" => k.en().into(),
        Some(k) => k.zh().into(),
        None => code.into(),
    }
}

fn role_name(state: &State, code: &str) -> String {
    match Role::parse(code) {
        Some(r) if lang_of(state) == "en" => r.en().into(),
        Some(r) => r.zh().into(),
        None => code.into(),
    }
}

pub fn environment() -> Environment<'static> {
    i18n::load();
    let mut env = Environment::new();
    // A variable a handler forgot is an error (a 500 that tests catch), not
    // an empty space on the page.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    for (name, src) in TEMPLATES {
        env.add_template(name, src).expect("templates compile");
    }
    env.add_function("t", t);
    env.add_function("plan_status", plan_status);
    env.add_function("assistance_status", assistance_status);
    env.add_function("unit_kind", unit_kind);
    env.add_function("role_name", role_name);
    env.add_filter("ts", |ts: i64| dingdian_core::time::show_ts(ts));
    env.add_filter("num", |n: i64| crate::format::thousands(n));
    env.add_filter("fen", |f: i64| crate::format::fen(f));
    env.add_filter("yuan", |fen: i64| dingdian_core::Fen::new(fen).to_string());
    // A village's short name in lists (`{{ a.name|short_area(a.code) }}`).
    env.add_filter("short_area", |name: String, code: String| {
        dingdian_core::area::short_area_name(&code, &name)
    });
    env.add_filter("urlencode_q", |s: String| {
        urlencoding::encode(&s).into_owned()
    });
    env
}

#[derive(Serialize)]
struct NavItem {
    href: &'static str,
    label: String,
    active: bool,
}

#[derive(Serialize)]
struct NavGroup {
    label: String,
    items: Vec<NavItem>,
}

/// A menu item: its link, its label's key and who may open it.
type MenuItem = (&'static str, &'static str, fn(Role) -> bool);

/// The menu by module (the group label's key, "" for none).
const MENU: &[(&str, &[MenuItem])] = &[
    ("", &[("/", "nav_home", |_| true)]),
    (
        "nav_pairing",
        &[
            ("/plans", "nav_plans", |r| r.may(Action::ReadPlans)),
            ("/pairings", "nav_pairings", |r| r.may(Action::ReadPlans)),
            ("/coverage", "nav_coverage", |r| r.may(Action::ReadPlans)),
        ],
    ),
    // issue 11: assistance plans and projects
    (
        "nav_assistance",
        &[
            ("/overview", "nav_overview", |r| {
                r.may(Action::ReadAssistance)
            }),
            ("/assistance-plans", "nav_assistance_plans", |r| {
                r.may(Action::ReadAssistance)
            }),
            ("/projects", "nav_projects", |r| {
                r.may(Action::ReadAssistance)
            }),
        ],
    ),
    (
        "nav_registry",
        &[
            ("/registry", "nav_households", |r| {
                r.may(Action::ReadRegistry)
            }),
            ("/registry/import", "nav_registry_import", |r| {
                r.may(Action::ImportRegistry)
            }),
            ("/poverty-lines", "nav_poverty_lines", |r| {
                r.may(Action::ReadRegistry) || r.may(Action::ReadIndicators)
            }),
            // issue 13: the household exit check
            ("/registry/exit-check", "nav_exit_check", |r| {
                r.may(Action::ReadRegistry)
            }),
        ],
    ),
    // issue 11: the funds ledger
    (
        "nav_funds",
        &[
            ("/ledger", "nav_ledger", |r| r.may(Action::ReadAssistance)),
            ("/ledger/balances", "nav_ledger_balances", |r| {
                r.may(Action::ReadAssistance)
            }),
        ],
    ),
    (
        "nav_stats",
        &[
            ("/indicators", "nav_indicators", |r| {
                r.may(Action::ReadIndicators)
            }),
            // issue 14: the county map
            ("/map", "nav_map", |r| r.may(Action::ReadIndicators)),
        ],
    ),
    (
        "nav_base",
        &[
            ("/units", "nav_units", |r| r.may(Action::ReadUnits)),
            ("/areas", "nav_areas", |r| r.may(Action::ReadAreas)),
            ("/county-lists", "nav_county_lists", |r| {
                r.may(Action::ReadAreas)
            }),
        ],
    ),
    (
        "nav_work_records",
        &[
            ("/records/trainings", "nav_trainings", |r| {
                r.may(Action::ReadAssistance)
            }),
            ("/records/labour", "nav_labour", |r| {
                r.may(Action::ReadAssistance)
            }),
            ("/records/consumption", "nav_consumption", |r| {
                r.may(Action::ReadAssistance)
            }),
            ("/letters", "nav_letters", |r| r.may(Action::ReadAssistance)),
        ],
    ),
    // issue 12: the discipline of designated assistance
    (
        "nav_discipline",
        &[
            ("/reports", "nav_reports", |r| r.may(Action::ReadAssistance)),
            ("/reports/calendar", "nav_report_calendar", |r| {
                r.may(Action::ReadAssistance)
            }),
            ("/reports/punctuality", "nav_report_punctuality", |r| {
                r.may(Action::ReadAssistance)
            }),
            ("/secondments", "nav_secondments", |r| {
                r.may(Action::ReadAssistance)
            }),
            ("/inspections", "nav_inspections", |r| {
                r.may(Action::ReadAssistance)
            }),
            ("/rectifications", "nav_rectifications", |r| {
                r.may(Action::ReadAssistance)
            }),
            ("/leader-visits", "nav_leader_visits", |r| {
                r.may(Action::ReadAssistance)
            }),
            ("/leader-visits/missing", "nav_visits_missing", |r| {
                r.may(Action::ReadAssistance)
            }),
        ],
    ),
    // issue 12: villages and households
    (
        "nav_villages_group",
        &[
            ("/villages", "nav_villages", |r| {
                r.may(Action::ReadAssistance)
            }),
            ("/households/without-helper", "nav_without_helper", |r| {
                r.may(Action::AssignHelpers)
            }),
            ("/helpers/unvisited", "nav_unvisited", |r| {
                r.may(Action::AssignHelpers)
            }),
        ],
    ),
    // issue 13: the annual assessment
    (
        "nav_assessment_group",
        &[
            ("/assessments", "nav_assessments", |r| {
                r.may(Action::ReadAssistance)
            }),
            ("/assessments/rules", "nav_assessment_rules", |r| {
                r.may(Action::ReadAssistance)
            }),
        ],
    ),
    // issue 13: return-risk monitoring and the departmental cross-checks
    (
        "nav_monitoring_group",
        &[
            ("/monitoring", "nav_monitoring", |r| {
                r.may(Action::ReadRegistry)
            }),
            ("/monitoring/new", "mo_flag", |r| {
                r.may(Action::FlagHouseholds)
            }),
            ("/monitoring/thresholds", "mo_thresholds", |r| {
                r.may(Action::SetMonitoringThresholds)
            }),
            ("/alerts", "nav_alerts", |r| r.may(Action::ReadRegistry)),
            ("/corrections", "nav_corrections", |r| {
                r.may(Action::ReadRegistry)
            }),
        ],
    ),
    // issue 13: printed reports and the public page
    (
        "nav_reports_print",
        &[
            ("/print/national", "nav_print_national", |r| {
                matches!(r, Role::Office | Role::Reviewer | Role::Inspector)
            }),
            ("/publish", "nav_publish", |r| {
                r.may(Action::PublishAggregates)
            }),
            ("/public", "nav_public", |r| r.may(Action::ReadIndicators)),
        ],
    ),
    (
        "nav_admin",
        &[
            ("/users", "nav_users", |r| r.may(Action::ListAccounts)),
            ("/audit", "nav_audit", |r| r.may(Action::ReadAudit)),
        ],
    ),
];

/// The menu by module, showing only what the role may open.
fn nav(role: Role, lang: &str, path: &str) -> Vec<NavGroup> {
    let active = |href: &str| {
        if href == "/" {
            path == "/" || path.starts_with("/?")
        } else {
            path.starts_with(href)
        }
    };
    let mut groups: Vec<NavGroup> = MENU
        .iter()
        .map(|(label, items)| NavGroup {
            label: if label.is_empty() {
                String::new()
            } else {
                i18n::t(lang, label)
            },
            items: items
                .iter()
                .filter(|(_, _, may)| may(role))
                .map(|(href, key, _)| NavItem {
                    href,
                    label: i18n::t(lang, key),
                    active: active(href),
                })
                .collect(),
        })
        .filter(|g| !g.items.is_empty())
        .collect();
    keep_longest(&mut groups);
    groups
}

/// Only the most specific item is active (/registry/import, not also /registry).
fn keep_longest(groups: &mut [NavGroup]) {
    let longest = groups
        .iter()
        .flat_map(|g| &g.items)
        .filter(|i| i.active)
        .map(|i| i.href.len())
        .max();
    for i in groups.iter_mut().flat_map(|g| g.items.iter_mut()) {
        i.active = i.active && Some(i.href.len()) == longest;
    }
}

/// The scope shown in the top bar: the unit's and/or county's name.
async fn scope_label(state: &AppState, actor: &dingdian_app::Actor) -> String {
    if actor.scope == Scope::All {
        return String::new();
    }
    let app = state.app.clone();
    let actor = actor.clone();
    tokio::task::spawn_blocking(move || app.scope_label(&actor).unwrap_or_default())
        .await
        .unwrap_or_default()
}

/// The count of unread reminders in the top bar (0 when it cannot be read:
/// the page itself still shows).
async fn unread_reminders(state: &AppState, actor: &dingdian_app::Actor) -> i64 {
    let app = state.app.clone();
    let actor = actor.clone();
    tokio::task::spawn_blocking(move || app.unread_reminders(&actor).unwrap_or_default())
        .await
        .unwrap_or_default()
}

/// Renders a signed-in page inside the frame.
pub async fn page(
    state: &AppState,
    pc: &PageCtx,
    template: &str,
    title: &str,
    crumbs: Vec<(String, String)>,
    extra: Value,
) -> Response {
    page_with_status(state, pc, StatusCode::OK, template, title, crumbs, extra).await
}

pub async fn page_with_status(
    state: &AppState,
    pc: &PageCtx,
    status: StatusCode,
    template: &str,
    title: &str,
    crumbs: Vec<(String, String)>,
    extra: Value,
) -> Response {
    let lang = pc.lang.as_str();
    let done = pc
        .path
        .split_once('?')
        .and_then(|(_, q)| q.split('&').find_map(|kv| kv.strip_prefix("done=")));
    let flash = done.map(|d| i18n::t(lang, &format!("done_{d}")));
    let user = context! {
        name => pc.actor.display_name.clone(),
        username => pc.actor.username.clone(),
        role => if lang == "en" { pc.actor.role.en() } else { pc.actor.role.zh() },
        role_code => pc.actor.role.as_str(),
        scope => scope_label(state, &pc.actor).await,
        unread => unread_reminders(state, &pc.actor).await,
    };
    let ctx = context! {
        lang => lang,
        csrf => pc.csrf.clone(),
        path => pc.path.clone(),
        title => title,
        user => user,
        nav => nav(pc.actor.role, lang, &pc.path),
        crumbs => crumbs,
        flash => flash,
        // A later map wins: a page's own `era` over today's.
        ..minijinja::value::merge_maps([era(None, lang), extra])
    };
    render(state, status, template, ctx)
}

pub fn render(state: &AppState, status: StatusCode, template: &str, ctx: Value) -> Response {
    match state
        .templates
        .get_template(template)
        .and_then(|t| t.render(ctx))
    {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!("template {template}: {e:#}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html("<h1>500</h1><p>页面渲染失败 / the page failed to render</p>".to_string()),
            )
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles() {
        let env = environment();
        for (name, _) in TEMPLATES {
            assert!(env.get_template(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn menu_shows_only_what_the_role_may_open() {
        let hrefs = |r: Role| {
            nav(r, "zh", "/")
                .into_iter()
                .flat_map(|g| g.items)
                .map(|i| i.href)
                .collect::<Vec<_>>()
        };
        assert!(hrefs(Role::Auditor).contains(&"/audit"));
        assert!(!hrefs(Role::Auditor).contains(&"/units"));
        assert!(!hrefs(Role::Admin).contains(&"/plans"));
        assert!(hrefs(Role::Office).contains(&"/plans"));
        assert!(!hrefs(Role::Office).contains(&"/users"));
        // The registry and the indicators.
        for r in [Role::Office, Role::County] {
            for h in [
                "/registry",
                "/registry/import",
                "/poverty-lines",
                "/indicators",
            ] {
                assert!(hrefs(r).contains(&h), "{r:?} {h}");
            }
        }
        assert!(hrefs(Role::Inspector).contains(&"/registry"));
        assert!(!hrefs(Role::Inspector).contains(&"/registry/import"));
        assert!(hrefs(Role::Unit).contains(&"/indicators"));
        assert!(!hrefs(Role::Unit).contains(&"/registry"));
        assert!(!hrefs(Role::Admin).contains(&"/indicators"));
        assert!(!hrefs(Role::Auditor).contains(&"/poverty-lines"));
    }

    #[test]
    fn only_the_most_specific_menu_item_is_active() {
        let active = |path: &str| {
            nav(Role::Office, "zh", path)
                .into_iter()
                .flat_map(|g| g.items)
                .filter(|i| i.active)
                .map(|i| i.href)
                .collect::<Vec<_>>()
        };
        assert_eq!(active("/registry/import"), vec!["/registry/import"]);
        assert_eq!(active("/registry?area=623023"), vec!["/registry"]);
        assert_eq!(active("/registry/2014/A1"), vec!["/registry"]);
        assert_eq!(active("/units/3"), vec!["/units"]);
        assert_eq!(active("/"), vec!["/"]);
    }
}

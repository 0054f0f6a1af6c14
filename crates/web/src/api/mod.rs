//! The JSON API under `/api/v1`, one module per idea. Each handler carries
//! its `#[utoipa::path]`: the table below is the one source of the router,
//! the OpenAPI document and the route list tests walk.

mod accounts;
mod answers;
mod areas;
mod assistance;
mod audit;
mod households;
mod imports;
mod indicators;
mod inspections;
mod ledger;
mod letters;
pub mod openapi;
mod pairing_work;
mod plans;
mod query;
mod records;
mod registry;
mod reports;
mod secondments;
mod session;
mod units;

// issue 12: leader visits and reminders
mod inbox;
mod leader_visits;
// issue 13: part B, return-risk monitoring
mod monitoring;
// issue 14: part D, monitoring of all rural households
mod rural;

// issue 13: the annual assessment
mod assessments;
// issue 13: the public page
mod public;

// issue 13: departmental cross-checks and the exit check
mod alerts;

// issue 14: the county map
pub(crate) mod map;

pub(crate) use answers::ErrorAnswer;
pub(crate) use assistance::attachment_response;

use crate::AppState;
use crate::error::ApiError;
use axum::Router;
use dingdian_app::AppError;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Every route with its handler, in the order of the guide.
fn table() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(session::login))
        .routes(routes!(session::logout))
        .routes(routes!(session::health))
        .routes(routes!(areas::list_areas))
        .routes(routes!(areas::get_area, areas::update_area))
        .routes(routes!(units::list_units, units::create_unit))
        .routes(routes!(units::get_unit, units::update_unit))
        .routes(routes!(plans::list_plans, plans::create_plan))
        .routes(routes!(plans::get_plan))
        .routes(routes!(plans::transition_plan))
        .routes(routes!(plans::plan_coverage))
        .routes(routes!(plans::plan_pairings, plans::add_pairing))
        .routes(routes!(plans::list_pairings))
        .routes(routes!(pairing_work::pairing_work))
        .routes(routes!(indicators::indicators))
        .routes(routes!(registry::households))
        .routes(routes!(registry::poverty_lines))
        .routes(routes!(imports::import_registry))
        .routes(routes!(imports::import_statistics))
        .routes(routes!(imports::job))
        .routes(routes!(records::list_trainings, records::create_training))
        .routes(routes!(
            records::list_labour_transfers,
            records::create_labour_transfer
        ))
        .routes(routes!(
            records::list_consumption,
            records::create_consumption
        ))
        .routes(routes!(records::summary))
        .routes(routes!(letters::list_letters, letters::set_letter))
        .routes(routes!(letters::sign_letter))
        .routes(routes!(accounts::change_password))
        .routes(routes!(accounts::list_users, accounts::create_user))
        .routes(routes!(accounts::assign_role))
        .routes(routes!(accounts::set_active))
        .routes(routes!(accounts::unlock))
        .routes(routes!(accounts::reset_password))
        .routes(routes!(accounts::reset_second_factor))
        .routes(routes!(audit::list_audit))
        .routes(routes!(audit::verify_audit))
        // issue 11: the assistance work
        .merge(assistance_work())
        // issue 12: the discipline of designated assistance
        .merge(discipline())
        // issue 13: the annual assessment
        .merge(assessment_routes())
        // issue 13: the published aggregates (no token)
        .routes(routes!(public::aggregates))
        // issue 13: departmental cross-checks and the exit check
        .merge(cross_checks())
        // issue 14: the county map
        .routes(routes!(map::county_map))
        // issue 14: part D, monitoring of all rural households
        .routes(routes!(rural::create_rural_household))
        .routes(routes!(rural::get_rural_household))
        .routes(routes!(openapi::openapi_json))
}

/// Issue 11's routes: assistance plans and projects, the funds ledger.
fn assistance_work() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(
            assistance::list_assistance_plans,
            assistance::create_assistance_plan
        ))
        .routes(routes!(assistance::get_assistance_plan))
        .routes(routes!(assistance::transition_assistance_plan))
        .routes(routes!(
            assistance::list_projects,
            assistance::create_project
        ))
        .routes(routes!(assistance::get_project))
        .routes(routes!(assistance::transition_project))
        .routes(routes!(assistance::add_progress))
        .routes(routes!(
            assistance::list_attachments,
            assistance::upload_attachment
        ))
        .routes(routes!(assistance::download_attachment))
        .routes(routes!(ledger::list_entries, ledger::post_entry))
        .routes(routes!(ledger::balances))
}

/// Issue 12's routes: secondments, inspections and rectification, reports
/// and their calendar, villages and households, leader visits, the inbox.
fn discipline() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(
            secondments::list_secondments,
            secondments::create_secondment
        ))
        .routes(routes!(secondments::continuity))
        .routes(routes!(secondments::get_secondment))
        .routes(routes!(secondments::transition_secondment))
        .routes(routes!(
            inspections::list_inspections,
            inspections::create_inspection
        ))
        .routes(routes!(inspections::frequency))
        .routes(routes!(inspections::get_inspection))
        .routes(routes!(inspections::list_rectifications))
        .routes(routes!(inspections::transition_rectification))
        // issue 12: the reporting calendar and reports
        .routes(routes!(reports::list_reports, reports::start_report))
        .routes(routes!(reports::punctuality))
        .routes(routes!(reports::get_report))
        .routes(routes!(reports::save_draft))
        .routes(routes!(reports::submit))
        .routes(routes!(reports::review))
        .routes(routes!(reports::upload))
        .routes(routes!(reports::get_calendar, reports::put_calendar))
        // issue 12: villages and households
        .routes(routes!(households::list_villages, households::mark_village))
        .routes(routes!(households::add_team_member))
        .routes(routes!(households::assign_helper))
        .routes(routes!(households::add_measure))
        .routes(routes!(households::record_visit))
        .routes(routes!(households::assistance))
        .routes(routes!(households::without_helper))
        .routes(routes!(households::unvisited))
        // issue 12: leader visits and reminders
        .routes(routes!(
            leader_visits::list_visits,
            leader_visits::create_visit
        ))
        .routes(routes!(leader_visits::missing_visits))
        .routes(routes!(leader_visits::get_visit))
        .routes(routes!(inbox::inbox))
        .routes(routes!(inbox::mark_read))
        // issue 13: return-risk monitoring
        .routes(routes!(
            monitoring::list_monitoring,
            monitoring::flag_household
        ))
        .routes(routes!(monitoring::monitoring_counts))
        .routes(routes!(monitoring::scan_registry))
        .routes(routes!(monitoring::get_monitored))
        .routes(routes!(monitoring::transition_monitored))
        .routes(routes!(monitoring::add_monitoring_measure))
        .routes(routes!(
            monitoring::get_monitoring_threshold,
            monitoring::put_monitoring_threshold
        ))
}

/// Issue 13's routes of the annual assessment.
fn assessment_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(assessments::list_assessments))
        .routes(routes!(assessments::open_year))
        .routes(routes!(assessments::publish_year))
        .routes(routes!(assessments::rankings))
        .routes(routes!(assessments::get_assessment))
        .routes(routes!(assessments::transition_assessment))
        .routes(routes!(assessments::enter_score))
        .routes(routes!(assessments::self_report))
        .routes(routes!(assessments::get_rules, assessments::put_rules))
}

/// Issue 13's departmental cross-checks, correction tasks and exit check.
fn cross_checks() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(alerts::list_alert_files, alerts::import_alerts))
        .routes(routes!(alerts::get_alert_file))
        .routes(routes!(alerts::list_corrections))
        .routes(routes!(alerts::transition_correction))
        .routes(routes!(alerts::exit_check))
}

pub fn routes() -> Router<AppState> {
    let (router, _) = table().split_for_parts();
    router.fallback(|| async {
        ApiError {
            error: AppError::not_found("接口", "API route"),
            lang: "zh".into(),
        }
    })
}

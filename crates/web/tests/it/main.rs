//! The web crate's integration tests, one binary (one link step) for all
//! of them; each file below is one module.

mod common;

mod access_matrix;
mod api;
mod assistance_pages;
mod audit_web;
mod browser;
mod hardening;
mod hostile_uploads;
mod households_pages;
mod identity_web;
mod import_echo;
mod indicators_pages;
mod ledger_pages;
mod overview_pages;
mod pages;
mod plan_pages;
mod records_pages;
mod registry_identity_web;
mod registry_web;
mod report_browser;
mod reports_pages;
mod scope_api;

// issue 12: secondments, inspections and rectification
mod discipline_pages;
// issue 12: leader visits and reminders
mod assessment_pages;
mod visits_pages;
// issue 13: part B, return-risk monitoring
mod monitoring_web;
// issue 13: printed reports and the public page
mod print_pages;
mod report_pdf;

// issue 13: departmental cross-checks and the exit check
mod alerts_pages;

// issue 14: the county map
mod map_browser;
mod map_web;
// issue 14: part C, periods and county lists
mod era_pages;
mod letters_eras;
mod rural_web;

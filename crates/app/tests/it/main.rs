//! The app crate's integration tests, one binary (one link step) for all
//! of them; each file below is one module.

mod common;

mod assistance;
mod audit_chain;
mod backup;
mod coverage;
mod demo;
mod households;
mod identity;
mod import_hardening;
mod import_jobs;
mod indicators_completeness;
mod key_rotation;
mod ledger;
mod letters;
mod pairing_work;
mod plan_workflow;
mod records;
mod registry;
mod registry_extended;
mod registry_identity;
mod reports;
mod scope;
mod units_and_auth;

// issue 12: secondments, inspections and rectification
mod inspections;
mod secondments;
// issue 12: leader visits and reminders
mod leader_visits;
mod reminders;

// issue 13: return-risk monitoring (the shared flag write)
mod assessments;
mod monitoring_flag;
mod rural;
// issue 13: part B, return-risk monitoring
mod monitoring;
// issue 13: printed reports and the public page
mod printed_reports;

// issue 13: departmental cross-checks and the exit check
mod alerts;

// issue 14: the county map
mod county_map;
// issue 14: part C, the county lists of each period
mod county_lists;

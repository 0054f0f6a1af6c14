//! The database. SQLite (a single file, the default) and PostgreSQL behind
//! one API: [`Store`] hands out a [`Conn`] inside a transaction, and the
//! repository modules write their SQL once against it. Every read that
//! returns scoped data takes the caller's [`Scope`](dingdian_core::role::Scope).

mod db;
mod migrate;
mod postgres_backend;
mod row;
mod scope;
mod sqlite_backend;

pub mod analytics;
pub mod areas;
pub mod audit;
pub mod backup;
pub mod jobs;
pub mod ledger;
pub mod letters;
pub mod pairing_work;
pub mod plans;
pub mod records;
pub mod reference;
pub mod registry;
pub mod sessions;
pub mod units;
pub mod users;

// issue 11: assistance plans and projects
pub mod assistance_plans;
pub mod attachments;
pub mod projects;

// issue 12: secondments, inspections and rectification
pub mod inspections;
pub mod secondments;
// issue 12: villages and households
pub mod household_help;
pub mod village_teams;
// issue 12: leader visits and reminders
pub mod leader_visits;
pub mod reminders;

pub use db::{Backend, Conn, Page, Store, StoreError, Value};
pub use migrate::latest as schema_version;
pub use row::{FromRow, FromValue, Row};

// issue 12: the reporting calendar and reports
pub mod report_figures;
pub mod reports;

// issue 13: assessment and return-risk monitoring
pub mod assessments;
pub mod monitoring;
// issue 13: departmental cross-checks and the household exit check
pub mod alerts;
pub mod exit_check;
// issue 13: printed reports and the public page
pub mod printed_reports;
pub mod public_aggregates;
// issue 14: part D, monitoring of all rural households
pub mod rural;

//! The domain of designated assistance: types with their invariants and the
//! rules that govern them. No I/O, no async, no SQL.

pub mod area;
pub mod audit;
pub mod coverage;
pub mod crypto;
pub mod error;
pub mod indicators;
pub mod lang;
pub mod ledger;
pub mod letter;
pub mod map;
pub mod money;
pub mod pairing_input;
pub mod pairing_work;
pub mod period;
pub mod plan;
pub mod plan_input;
pub mod query;
pub mod records;
pub mod registry;
pub mod role;
pub mod time;
pub mod totp;
pub mod unit;
pub mod user;
pub mod year;

// issue 11: assistance plans and projects
pub mod assistance;
pub mod attachment;
pub mod project;

// issue 12: secondments, inspections and rectification
pub mod inspection;
pub mod secondment;
// issue 12: villages and households
pub mod household_help;
pub mod village_team;
// issue 12: leader visits and reminders
pub mod leader_visit;
pub mod reminder;

pub use error::{FieldError, Msg};
pub use money::Fen;
pub use query::Page;
pub use year::Year;

// issue 12: the reporting calendar and reports
pub mod report;

// issue 13: assessment and return-risk monitoring
pub mod assessment;
pub mod assessment_score;
pub mod monitoring;
// issue 13: departmental cross-checks and the household exit check
pub mod alerts;
pub mod exit_check;
// issue 13: printed reports and the public page
pub mod public_aggregate;
// issue 14: part D
pub mod rural;

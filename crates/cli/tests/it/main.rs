//! The cli crate's integration tests, one binary (one link step) for all
//! of them; each file below is one module.

mod cli;
mod csv_injection;
mod discipline_cli;
mod gen_registry;
mod indicators_cli;
mod ledger_cli;
mod ops;
mod records_cli;
mod registry_cli;
// issue 13: printed reports
mod report_cli;

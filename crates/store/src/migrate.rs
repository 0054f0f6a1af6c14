//! Migrations, one folder per backend, applied in order on first use.

use crate::db::{Backend, Conn, Result};
use crate::params;

const SQLITE: &[(i64, &str)] = &[
    (1, include_str!("../migrations/sqlite/0001_foundation.sql")),
    (2, include_str!("../migrations/sqlite/0002_registry.sql")),
    (
        3,
        include_str!("../migrations/sqlite/0003_registry_version.sql"),
    ),
    (4, include_str!("../migrations/sqlite/0004_audit_chain.sql")),
    (5, include_str!("../migrations/sqlite/0005_identity.sql")),
    (
        6,
        include_str!("../migrations/sqlite/0006_registry_extended.sql"),
    ),
    (
        7,
        include_str!("../migrations/sqlite/0007_import_speed.sql"),
    ),
    (8, include_str!("../migrations/sqlite/0008_name_index.sql")),
    (
        9,
        include_str!("../migrations/sqlite/0009_job_errors_omitted.sql"),
    ),
    (10, include_str!("../migrations/sqlite/0010_access.sql")),
    (
        11,
        include_str!("../migrations/sqlite/0011_household_id.sql"),
    ),
    (12, include_str!("../migrations/sqlite/0012_assistance.sql")),
    (
        14,
        include_str!("../migrations/sqlite/0014_ledger_append_only.sql"),
    ),
    (15, include_str!("../migrations/sqlite/0015_discipline.sql")),
    (
        16,
        include_str!("../migrations/sqlite/0016_villages_households.sql"),
    ),
    (17, include_str!("../migrations/sqlite/0017_reminders.sql")),
    (
        18,
        include_str!("../migrations/sqlite/0018_assessment_monitoring.sql"),
    ),
    (
        19,
        include_str!("../migrations/sqlite/0019_rural_monitoring.sql"),
    ),
    (
        20,
        include_str!("../migrations/sqlite/0020_county_list_completeness.sql"),
    ),
];
const POSTGRES: &[(i64, &str)] = &[
    (
        1,
        include_str!("../migrations/postgres/0001_foundation.sql"),
    ),
    (2, include_str!("../migrations/postgres/0002_registry.sql")),
    (
        3,
        include_str!("../migrations/postgres/0003_registry_version.sql"),
    ),
    (
        4,
        include_str!("../migrations/postgres/0004_audit_chain.sql"),
    ),
    (5, include_str!("../migrations/postgres/0005_identity.sql")),
    (
        6,
        include_str!("../migrations/postgres/0006_registry_extended.sql"),
    ),
    (
        7,
        include_str!("../migrations/postgres/0007_import_speed.sql"),
    ),
    (
        8,
        include_str!("../migrations/postgres/0008_name_index.sql"),
    ),
    (
        9,
        include_str!("../migrations/postgres/0009_job_errors_omitted.sql"),
    ),
    (10, include_str!("../migrations/postgres/0010_access.sql")),
    (
        11,
        include_str!("../migrations/postgres/0011_household_id.sql"),
    ),
    (
        12,
        include_str!("../migrations/postgres/0012_assistance.sql"),
    ),
    (
        14,
        include_str!("../migrations/postgres/0014_ledger_append_only.sql"),
    ),
    (
        15,
        include_str!("../migrations/postgres/0015_discipline.sql"),
    ),
    (
        16,
        include_str!("../migrations/postgres/0016_villages_households.sql"),
    ),
    (
        17,
        include_str!("../migrations/postgres/0017_reminders.sql"),
    ),
    (
        18,
        include_str!("../migrations/postgres/0018_assessment_monitoring.sql"),
    ),
    (
        19,
        include_str!("../migrations/postgres/0019_rural_monitoring.sql"),
    ),
    (
        20,
        include_str!("../migrations/postgres/0020_county_list_completeness.sql"),
    ),
];

/// Steps in Rust that run right after a migration's SQL, in the same
/// transaction, for what SQL cannot compute (SM3).
const AFTER: &[(i64, Step)] = &[(4, crate::audit::seal_existing)];
type Step = fn(&mut dyn Conn) -> Result<()>;

/// The newest schema version this build knows (backups record theirs).
pub fn latest() -> i64 {
    SQLITE
        .iter()
        .chain(POSTGRES)
        .map(|(v, _)| *v)
        .max()
        .unwrap_or(0)
}

/// The schema version of the database behind `c`.
pub fn current(c: &mut dyn Conn) -> Result<i64> {
    c.query_i64(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        &[],
    )
}

pub fn run(c: &mut dyn Conn) -> Result<()> {
    let migrations = match c.backend() {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => {
            // Two servers starting at once must not migrate twice.
            c.batch("SELECT pg_advisory_xact_lock(7240001)")?;
            POSTGRES
        }
    };
    c.batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    )?;
    // Every version not yet applied, not just those above the newest: a
    // database made by a build that had a later migration but not an
    // earlier one (parallel branches) still gets the earlier one.
    let done: std::collections::HashSet<i64> = c
        .query("SELECT version FROM schema_migrations", &[])?
        .iter()
        .map(|r| r.get("version"))
        .collect::<Result<_>>()?;
    for (version, sql) in migrations.iter().filter(|(v, _)| !done.contains(v)) {
        c.batch(sql)?;
        for (_, step) in AFTER.iter().filter(|(v, _)| v == version) {
            step(c)?;
        }
        c.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
            params![*version, dingdian_core::time::now_ts()],
        )?;
    }
    Ok(())
}

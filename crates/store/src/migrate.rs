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
    (
        6,
        include_str!("../migrations/sqlite/0006_registry_extended.sql"),
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
        6,
        include_str!("../migrations/postgres/0006_registry_extended.sql"),
    ),
];

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
    let done = c.query_i64(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        &[],
    )?;
    for (version, sql) in migrations.iter().filter(|(v, _)| *v > done) {
        c.batch(sql)?;
        c.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
            params![*version, dingdian_core::time::now_ts()],
        )?;
    }
    Ok(())
}

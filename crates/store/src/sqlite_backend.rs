//! SQLite: one file in WAL mode, a small pool of connections.

use crate::db::{Backend, Conn, Result, StoreError, Value};
use crate::row::Row;
use r2d2::ManageConnection;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{ErrorCode, TransactionBehavior};
use std::sync::Arc;

pub struct Manager {
    path: String,
}

impl r2d2::ManageConnection for Manager {
    type Connection = rusqlite::Connection;
    type Error = rusqlite::Error;

    fn connect(&self) -> Result<rusqlite::Connection, rusqlite::Error> {
        let c = rusqlite::Connection::open(&self.path)?;
        c.busy_timeout(std::time::Duration::from_secs(30))?;
        c.execute_batch(
            // 16 KB pages (taken by a new file only, before WAL mode): the
            // registry's indexes are shallower and an import writes a third
            // fewer pages than with the default 4 KB (benches/README.md).
            // Up to 256 MB of page cache, taken only as pages are touched: a
            // large import keeps its dirty pages instead of spilling them to
            // the log and reading them back (30 % of the write time).
            // synchronous = FULL: WAL is synced at every commit, so a
            // committed import, ledger entry or audit record survives a power
            // cut (NORMAL could lose the last commits). An import is one
            // transaction, so this is one sync more per import, not per row.
            "PRAGMA page_size = 16384; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -262144;",
        )?;
        Ok(c)
    }

    fn is_valid(&self, c: &mut rusqlite::Connection) -> Result<(), rusqlite::Error> {
        c.execute_batch("SELECT 1")
    }

    fn has_broken(&self, _: &mut rusqlite::Connection) -> bool {
        false
    }
}

pub fn pool(path: &str) -> Result<r2d2::Pool<Manager>> {
    if path.is_empty() {
        return Err(StoreError::Config("sqlite:// needs a file path".into()));
    }
    let manager = Manager {
        path: path.to_string(),
    };
    // One connection first, alone: on a new file it sets the page size and
    // WAL mode, which need the file to themselves. The pool's connections,
    // opened in parallel, then find both already set.
    manager
        .connect()
        .map_err(|e| StoreError::Db(format!("cannot open SQLite database {path}: {e}")))?;
    r2d2::Pool::builder()
        .max_size(8)
        .connection_timeout(crate::db::CONNECTION_TIMEOUT)
        .build(manager)
        .map_err(|e| StoreError::Db(format!("cannot open SQLite database {path}: {e}")))
}

pub fn in_transaction<T, E: From<StoreError>>(
    pool: &r2d2::Pool<Manager>,
    mode: crate::db::Mode,
    f: impl FnOnce(&mut dyn Conn) -> Result<T, E>,
) -> Result<T, E> {
    let write = mode.writes();
    let mut conn = pool.get().map_err(|e| StoreError::Db(e.to_string()))?;
    // Writers take the lock up front so that two writers never deadlock on
    // upgrading a read lock.
    let behavior = if write {
        TransactionBehavior::Immediate
    } else {
        TransactionBehavior::Deferred
    };
    let tx = conn.transaction_with_behavior(behavior).map_err(map_err)?;
    let mut c = SqliteConn { tx: &tx };
    let out = f(&mut c)?;
    if mode == crate::db::Mode::DryRun {
        tx.rollback().map_err(map_err)?;
    } else {
        tx.commit().map_err(map_err)?;
    }
    Ok(out)
}

struct SqliteConn<'a> {
    tx: &'a rusqlite::Transaction<'a>,
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(v) => ToSqlOutput::Borrowed(ValueRef::Integer(*v)),
            Value::Real(v) => ToSqlOutput::Borrowed(ValueRef::Real(*v)),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Bool(b) => ToSqlOutput::Borrowed(ValueRef::Integer(*b as i64)),
            Value::Blob(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
        })
    }
}

pub(crate) fn map_err(e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, msg) = &e
        && f.code == ErrorCode::ConstraintViolation
    {
        let m = msg.clone().unwrap_or_default();
        // SQLITE_CONSTRAINT_FOREIGNKEY = 787
        return if f.extended_code == 787 {
            StoreError::ForeignKey(m)
        } else {
            StoreError::Unique(m)
        };
    }
    if let rusqlite::Error::SqliteFailure(f, _) = &e
        && f.code == ErrorCode::DiskFull
    {
        return StoreError::DiskFull(e.to_string());
    }
    StoreError::Db(e.to_string())
}

/// The column names of a prepared statement, shared by its rows.
pub(crate) fn column_names(stmt: &rusqlite::Statement<'_>) -> Arc<[String]> {
    stmt.column_names().iter().map(|c| c.to_string()).collect()
}

/// One row's values, in column order.
pub(crate) fn read_values(row: &rusqlite::Row<'_>, n: usize) -> rusqlite::Result<Vec<Value>> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        out.push(match row.get_ref(i)? {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(v) => Value::Int(v),
            ValueRef::Real(v) => Value::Real(v),
            ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Blob(b) => Value::Blob(b.to_vec()),
        });
    }
    Ok(out)
}

impl Conn for SqliteConn<'_> {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        let mut stmt = self.tx.prepare_cached(sql).map_err(map_err)?;
        let names = column_names(&stmt);
        let rows = stmt
            .query_map(rusqlite::params_from_iter(params.iter()), |r| {
                Ok(Row::new(names.clone(), read_values(r, names.len())?))
            })
            .map_err(map_err)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(map_err)
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        let mut stmt = self.tx.prepare_cached(sql).map_err(map_err)?;
        stmt.execute(rusqlite::params_from_iter(params.iter()))
            .map(|n| n as u64)
            .map_err(map_err)
    }

    fn batch(&mut self, sql: &str) -> Result<()> {
        self.tx.execute_batch(sql).map_err(map_err)
    }

    fn insert_rows(&mut self, table: &str, columns: &[&str], rows: &[Vec<Value>]) -> Result<u64> {
        let marks = vec!["?"; columns.len()].join(", ");
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES ({marks})",
            columns.join(", ")
        );
        let mut stmt = self.tx.prepare_cached(&sql).map_err(map_err)?;
        for row in rows {
            stmt.execute(rusqlite::params_from_iter(row.iter()))
                .map_err(map_err)?;
        }
        Ok(rows.len() as u64)
    }

    fn query_each(
        &mut self,
        sql: &str,
        params: &[Value],
        f: &mut dyn FnMut(Row) -> Result<bool>,
    ) -> Result<()> {
        let mut stmt = self.tx.prepare(sql).map_err(map_err)?;
        let names = column_names(&stmt);
        let mut rows = stmt
            .query(rusqlite::params_from_iter(params.iter()))
            .map_err(map_err)?;
        while let Some(r) = rows.next().map_err(map_err)? {
            let values = read_values(r, names.len()).map_err(map_err)?;
            if !f(Row::new(names.clone(), values))? {
                break;
            }
        }
        Ok(())
    }
}

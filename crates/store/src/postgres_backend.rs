//! PostgreSQL: the production and scale-out engine.

use crate::db::{Backend, Conn, Result, StoreError, Value};
use crate::row::Row;
use bytes::BytesMut;
use postgres::error::SqlState;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{IsolationLevel, NoTls};
use r2d2_postgres::PostgresConnectionManager;
use std::error::Error;
use std::str::FromStr;
use std::sync::Arc;

pub type Manager = PostgresConnectionManager<NoTls>;

pub fn pool(url: &str) -> Result<r2d2::Pool<Manager>> {
    let mut config = postgres::Config::from_str(url)
        .map_err(|e| StoreError::Config(format!("bad PostgreSQL URL: {e}")))?;
    // A server that is down or unreachable fails a request within seconds
    // instead of holding it (r2d2's default wait is 30 s).
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(crate::db::CONNECTION_TIMEOUT);
    }
    r2d2::Pool::builder()
        .max_size(16)
        .connection_timeout(crate::db::CONNECTION_TIMEOUT)
        .build(PostgresConnectionManager::new(config, NoTls))
        .map_err(|e| StoreError::Db(format!("cannot connect to PostgreSQL: {e}")))
}

pub fn in_transaction<T, E: From<StoreError>>(
    pool: &r2d2::Pool<Manager>,
    mode: crate::db::Mode,
    f: impl FnOnce(&mut dyn Conn) -> Result<T, E>,
) -> Result<T, E> {
    let mut client = pool.get().map_err(|e| StoreError::Db(e.to_string()))?;
    let mut tx = client.build_transaction().read_only(!mode.writes());
    if mode == crate::db::Mode::Snapshot {
        tx = tx.isolation_level(IsolationLevel::RepeatableRead);
    }
    let mut tx = tx.start().map_err(map_err)?;
    let out = f(&mut PgConn { tx: &mut tx })?;
    if mode == crate::db::Mode::DryRun {
        tx.rollback().map_err(map_err)?;
    } else {
        tx.commit().map_err(map_err)?;
    }
    Ok(out)
}

struct PgConn<'a, 'b> {
    tx: &'a mut postgres::Transaction<'b>,
}

fn map_err(e: postgres::Error) -> StoreError {
    match e.code() {
        Some(c) if *c == SqlState::UNIQUE_VIOLATION => StoreError::Unique(e.to_string()),
        Some(c) if *c == SqlState::FOREIGN_KEY_VIOLATION => StoreError::ForeignKey(e.to_string()),
        Some(c) if *c == SqlState::DISK_FULL => StoreError::DiskFull(e.to_string()),
        _ => StoreError::Db(match e.as_db_error() {
            Some(db) => db.message().to_string(),
            None => e.to_string(),
        }),
    }
}

/// Numbers `?` placeholders as `$1, $2, …`, leaving quoted text alone.
pub fn number_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    let mut quoted = false;
    for ch in sql.chars() {
        match ch {
            '\'' => {
                quoted = !quoted;
                out.push(ch);
            }
            '?' if !quoted => {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            }
            _ => out.push(ch),
        }
    }
    out
}

/// What a parameter's conversion refuses: a value that does not fit the
/// column it is bound to, which a plain cast would silently change.
type ToSqlResult = Result<IsNull, Box<dyn Error + Sync + Send>>;

fn does_not_fit(v: impl std::fmt::Display, ty: &Type) -> ToSqlResult {
    Err(format!("the value {v} does not fit a {ty} column").into())
}

fn int_to_sql(v: i64, ty: &Type, out: &mut BytesMut) -> ToSqlResult {
    match *ty {
        Type::INT8 => v.to_sql(ty, out),
        Type::INT4 => match i32::try_from(v) {
            Ok(n) => n.to_sql(ty, out),
            Err(_) => does_not_fit(v, ty),
        },
        Type::INT2 => match i16::try_from(v) {
            Ok(n) => n.to_sql(ty, out),
            Err(_) => does_not_fit(v, ty),
        },
        // Exact up to 2^53; beyond that a float would round the integer.
        Type::FLOAT8 if (v as f64) as i64 == v && v.unsigned_abs() <= 1 << 53 => {
            (v as f64).to_sql(ty, out)
        }
        Type::BOOL if v == 0 || v == 1 => (v == 1).to_sql(ty, out),
        Type::TEXT | Type::VARCHAR => v.to_string().to_sql(ty, out),
        _ => does_not_fit(v, ty),
    }
}

impl ToSql for Value {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> ToSqlResult {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) => int_to_sql(*v, ty, out),
            Value::Real(v) if *ty == Type::FLOAT8 => v.to_sql(ty, out),
            Value::Real(v) => does_not_fit(v, ty),
            // PostgreSQL text cannot hold NUL. Validation refuses control
            // characters in what is stored; a NUL left in a search term
            // becomes U+FFFD here rather than a failed query.
            Value::Text(s) if s.contains('\0') => s.replace('\0', "\u{FFFD}").to_sql(ty, out),
            Value::Text(s) => s.to_sql(ty, out),
            Value::Bool(b) if *ty == Type::BOOL => b.to_sql(ty, out),
            Value::Bool(b) => int_to_sql(i64::from(*b), ty, out),
            Value::Blob(b) => b.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// The column names of a result, shared by its rows.
fn column_names(row: &postgres::Row) -> Arc<[String]> {
    row.columns().iter().map(|c| c.name().to_string()).collect()
}

fn read_row(row: &postgres::Row, names: &Arc<[String]>) -> Result<Row> {
    let mut out = Vec::with_capacity(row.len());
    for (i, col) in row.columns().iter().enumerate() {
        let v = match *col.type_() {
            Type::INT8 => row.try_get::<_, Option<i64>>(i).map(|v| v.map(Value::Int)),
            Type::INT4 => row
                .try_get::<_, Option<i32>>(i)
                .map(|v| v.map(|v| Value::Int(v.into()))),
            Type::INT2 => row
                .try_get::<_, Option<i16>>(i)
                .map(|v| v.map(|v| Value::Int(v.into()))),
            Type::BOOL => row
                .try_get::<_, Option<bool>>(i)
                .map(|v| v.map(Value::Bool)),
            Type::FLOAT8 => row.try_get::<_, Option<f64>>(i).map(|v| v.map(Value::Real)),
            Type::FLOAT4 => row
                .try_get::<_, Option<f32>>(i)
                .map(|v| v.map(|v| Value::Real(v.into()))),
            Type::BYTEA => row
                .try_get::<_, Option<Vec<u8>>>(i)
                .map(|v| v.map(Value::Blob)),
            _ => row
                .try_get::<_, Option<String>>(i)
                .map(|v| v.map(Value::Text)),
        };
        // A type the store does not read (NUMERIC, say) is refused, not a panic.
        let v = v.map_err(|e| {
            StoreError::Data(format!(
                "column {} of type {}: {e}",
                col.name(),
                col.type_()
            ))
        })?;
        out.push(v.unwrap_or(Value::Null));
    }
    Ok(Row::new(names.clone(), out))
}

fn refs(params: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

impl Conn for PgConn<'_, '_> {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        let rows = self
            .tx
            .query(&number_placeholders(sql), &refs(params))
            .map_err(map_err)?;
        let Some(first) = rows.first() else {
            return Ok(Vec::new());
        };
        let names = column_names(first);
        rows.iter().map(|r| read_row(r, &names)).collect()
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        self.tx
            .execute(&number_placeholders(sql), &refs(params))
            .map_err(map_err)
    }

    fn batch(&mut self, sql: &str) -> Result<()> {
        self.tx.batch_execute(sql).map_err(map_err)
    }

    fn insert_rows(&mut self, table: &str, columns: &[&str], rows: &[Vec<Value>]) -> Result<u64> {
        // Multi-row VALUES, kept under PostgreSQL's 65 535 parameters.
        let per_chunk = (60_000 / columns.len().max(1)).clamp(1, 1000);
        for chunk in rows.chunks(per_chunk) {
            let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
            let mut n = 0;
            for (r, _) in chunk.iter().enumerate() {
                if r > 0 {
                    sql.push_str(", ");
                }
                sql.push('(');
                for c in 0..columns.len() {
                    if c > 0 {
                        sql.push_str(", ");
                    }
                    n += 1;
                    sql.push_str(&format!("${n}"));
                }
                sql.push(')');
            }
            let params: Vec<&(dyn ToSql + Sync)> = chunk
                .iter()
                .flatten()
                .map(|p| p as &(dyn ToSql + Sync))
                .collect();
            self.tx.execute(&sql, &params).map_err(map_err)?;
        }
        Ok(rows.len() as u64)
    }

    fn query_each(
        &mut self,
        sql: &str,
        params: &[Value],
        f: &mut dyn FnMut(Row) -> Result<bool>,
    ) -> Result<()> {
        let mut rows = self
            .tx
            .query_raw(
                &number_placeholders(sql),
                params.iter().map(|p| p as &dyn ToSql),
            )
            .map_err(map_err)?;
        let mut names = None;
        while let Some(row) = rows.next().map_err(map_err)? {
            let names = names.get_or_insert_with(|| column_names(&row));
            if !f(read_row(&row, names)?)? {
                break;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::number_placeholders;
    use crate::Value;
    use bytes::BytesMut;
    use postgres::types::{ToSql, Type};

    fn send(v: Value, ty: Type) -> bool {
        v.to_sql(&ty, &mut BytesMut::new()).is_ok()
    }

    #[test]
    fn a_value_that_does_not_fit_its_column_is_refused() {
        assert!(send(Value::Int(32_767), Type::INT2));
        assert!(!send(Value::Int(32_768), Type::INT2), "no wrap to -32768");
        assert!(send(Value::Int(i64::from(i32::MIN)), Type::INT4));
        assert!(!send(Value::Int(1 << 40), Type::INT4));
        assert!(send(Value::Int(1 << 40), Type::INT8));
        assert!(
            !send(Value::Int(2), Type::BOOL),
            "only 0 and 1 are booleans"
        );
        assert!(send(Value::Bool(true), Type::INT2));
        assert!(!send(Value::Int((1 << 53) + 1), Type::FLOAT8));
        assert!(!send(Value::Real(1.5), Type::INT8));
        assert!(!send(Value::Int(1), Type::BYTEA));
    }

    #[test]
    fn numbers_placeholders_outside_quotes() {
        assert_eq!(
            number_placeholders("SELECT ? , '?' , ? WHERE a = '?x' AND b = ?"),
            "SELECT $1 , '?' , $2 WHERE a = '?x' AND b = $3"
        );
    }
}

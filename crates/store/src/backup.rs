//! Backup and restore of the whole database, for either backend.
//!
//! A backup is itself a SQLite file: every table of the database copied as
//! it is stored (the ID numbers and names of members stay SM4 ciphertext;
//! the key is not in the file), read inside one snapshot so that the copy
//! is consistent while writers go on. Beside the tables it holds
//! `dingdian_backup` (format, schema version, source backend, time, the key
//! ids that sealed the registry) and `dingdian_backup_tables` (each table,
//! its columns and its row count).
//!
//! Not copied: `schema_migrations` (the restoring build migrates the target
//! itself and the version is recorded instead) and `sessions` (sign-ins do
//! not survive a restore).
//!
//! A restore loads such a file into a database of either backend: it
//! clears the target's tables, copies the backup's in the order their
//! foreign keys need, and moves PostgreSQL's identity sequences past the
//! copied ids, all in the caller's one transaction.

use crate::db::{Backend, Conn, Result, StoreError, Value};
use crate::row::Row;
use crate::{migrate, params, sqlite_backend};
use std::path::{Path, PathBuf};

/// The layout of the backup file; a restore refuses other formats.
pub const FORMAT: i64 = 1;

const META: &str = "dingdian_backup";
const TABLES: &str = "dingdian_backup_tables";
/// Tables a backup leaves out (see the module documentation).
const NOT_COPIED: &[&str] = &["schema_migrations", "sessions"];
/// Tables that hold rows in every fresh database: the reference data loaded
/// on first use and the counters migrations create.
const PRESET: &[&str] = &[
    "areas",
    "county_lists",
    "county_list_members",
    "county_list_provinces",
    "poverty_lines",
    "registry_version",
    "schema_migrations",
];
/// Rows per insert batch when restoring.
const BATCH: usize = 2000;

/// One copied table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCopy {
    pub name: String,
    pub columns: Vec<String>,
    pub rows: u64,
}

/// What a backup file says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupInfo {
    pub format: i64,
    /// The schema version of the database it was taken from.
    pub schema_version: i64,
    /// `sqlite` or `postgres`.
    pub source: String,
    /// UTC seconds.
    pub created_at: i64,
    /// Key ids of the personal-data key(s) that sealed the registry rows.
    pub key_ids: Vec<String>,
    pub tables: Vec<TableCopy>,
}

impl BackupInfo {
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }
}

/// Progress of a long copy: table, rows done, rows in the table.
pub type Progress<'a> = &'a mut dyn FnMut(&str, u64, u64);

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn file_err(path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError::Db(format!("{}: {e}", path.display()))
}

// ---- the catalog, per backend -------------------------------------------

/// The one text column of a catalog query (its name differs by backend).
fn strings(rows: Vec<Row>) -> Result<Vec<String>> {
    rows.iter().map(Row::single).collect()
}

/// The database's own tables, by name.
fn tables(c: &mut dyn Conn) -> Result<Vec<String>> {
    let sql = match c.backend() {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1"
        }
    };
    strings(c.query(sql, &[])?)
}

fn columns(c: &mut dyn Conn, table: &str) -> Result<Vec<String>> {
    let sql = match c.backend() {
        Backend::Sqlite => "SELECT name FROM pragma_table_info(?) ORDER BY cid",
        Backend::Postgres => {
            "SELECT CAST(column_name AS TEXT) FROM information_schema.columns WHERE table_schema = current_schema() AND CAST(table_name AS TEXT) = ? ORDER BY ordinal_position"
        }
    };
    strings(c.query(sql, params![table])?)
}

fn primary_key(c: &mut dyn Conn, table: &str) -> Result<Vec<String>> {
    let sql = match c.backend() {
        Backend::Sqlite => "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk",
        Backend::Postgres => {
            "SELECT CAST(a.attname AS TEXT) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) \
             WHERE i.indrelid = to_regclass(?) AND i.indisprimary ORDER BY array_position(CAST(i.indkey AS INT2[]), a.attnum)"
        }
    };
    strings(c.query(sql, params![quote(table)])?)
}

/// The other tables `table`'s foreign keys point at.
fn references(c: &mut dyn Conn, table: &str) -> Result<Vec<String>> {
    let (sql, arg) = match c.backend() {
        Backend::Sqlite => (
            "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?)",
            table.to_string(),
        ),
        Backend::Postgres => (
            "SELECT DISTINCT CAST(confrelid AS REGCLASS)::TEXT FROM pg_constraint WHERE contype = 'f' AND conrelid = to_regclass(?)",
            quote(table),
        ),
    };
    Ok(strings(c.query(sql, params![arg])?)?
        .into_iter()
        .map(|t| t.trim_matches('"').to_string())
        .filter(|t| t != table)
        .collect())
}

/// Tables in an order where each comes after those it references.
fn dependency_order(c: &mut dyn Conn, names: &[String]) -> Result<Vec<String>> {
    let mut pending: Vec<(String, Vec<String>)> = Vec::new();
    for t in names {
        let refs = references(c, t)?
            .into_iter()
            .filter(|r| names.contains(r))
            .collect();
        pending.push((t.clone(), refs));
    }
    let mut order: Vec<String> = Vec::with_capacity(names.len());
    while !pending.is_empty() {
        let ready: Vec<String> = pending
            .iter()
            .filter(|(_, refs)| refs.iter().all(|r| order.contains(r)))
            .map(|(t, _)| t.clone())
            .collect();
        if ready.is_empty() {
            let left: Vec<&str> = pending.iter().map(|(t, _)| t.as_str()).collect();
            return Err(StoreError::Config(format!(
                "the foreign keys of these tables form a cycle: {}",
                left.join(", ")
            )));
        }
        pending.retain(|(t, _)| !ready.contains(t));
        order.extend(ready);
    }
    Ok(order)
}

/// The key ids that sealed the registry's personal data.
fn sealed_key_ids(c: &mut dyn Conn) -> Result<Vec<String>> {
    strings(c.query("SELECT DISTINCT key_id FROM members ORDER BY key_id", &[])?)
}

// ---- backup -------------------------------------------------------------

/// Copies the database behind `c` into a new SQLite file at `out`. `c`
/// must be a snapshot read ([`crate::Store::read_snapshot`]). The file is
/// written beside `out` under a temporary name and renamed into place only
/// when complete, so a failed backup never looks like a good one.
pub fn write(c: &mut dyn Conn, out: &Path, progress: Progress) -> Result<BackupInfo> {
    let tmp = PathBuf::from(format!("{}.partial", out.display()));
    let _ = std::fs::remove_file(&tmp);
    let result = write_file(c, &tmp, progress);
    match result {
        Ok(info) => {
            std::fs::rename(&tmp, out)
                .map_err(|e| StoreError::from_io(&out.display().to_string(), &e))?;
            Ok(info)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

fn write_file(c: &mut dyn Conn, path: &Path, progress: Progress) -> Result<BackupInfo> {
    let mut file = rusqlite::Connection::open(path).map_err(|e| file_err(path, e))?;
    let tx = file.transaction().map_err(sqlite_backend::map_err)?;
    let mut info = BackupInfo {
        format: FORMAT,
        schema_version: migrate::current(c)?,
        source: match c.backend() {
            Backend::Sqlite => "sqlite".into(),
            Backend::Postgres => "postgres".into(),
        },
        created_at: dingdian_core::time::now_ts(),
        key_ids: sealed_key_ids(c)?,
        tables: Vec::new(),
    };
    tx.execute_batch(&format!(
        "CREATE TABLE {META} (key TEXT PRIMARY KEY, value TEXT NOT NULL);
         CREATE TABLE {TABLES} (position INTEGER PRIMARY KEY, name TEXT NOT NULL, columns TEXT NOT NULL, rows INTEGER NOT NULL);"
    ))
    .map_err(sqlite_backend::map_err)?;
    for table in tables(c)?
        .into_iter()
        .filter(|t| !NOT_COPIED.contains(&t.as_str()))
    {
        let copy = copy_table(c, &tx, table, progress)?;
        tx.execute(
            &format!("INSERT INTO {TABLES} (position, name, columns, rows) VALUES (?, ?, ?, ?)"),
            rusqlite::params![
                info.tables.len() as i64,
                copy.name,
                copy.columns.join(","),
                copy.rows as i64
            ],
        )
        .map_err(sqlite_backend::map_err)?;
        info.tables.push(copy);
    }
    write_meta(&tx, &info)?;
    tx.commit().map_err(sqlite_backend::map_err)?;
    file.close().map_err(|(_, e)| file_err(path, e))?;
    Ok(info)
}

/// Copies one table of the database into the backup file, as stored.
fn copy_table(
    c: &mut dyn Conn,
    tx: &rusqlite::Transaction,
    table: String,
    progress: Progress,
) -> Result<TableCopy> {
    let cols = columns(c, &table)?;
    let total = c
        .query_i64(&format!("SELECT COUNT(*) FROM {}", quote(&table)), &[])?
        .max(0) as u64;
    let quoted: Vec<String> = cols.iter().map(|c| quote(c)).collect();
    // Untyped columns keep every value exactly as read.
    tx.execute_batch(&format!(
        "CREATE TABLE {} ({})",
        quote(&table),
        quoted.join(", ")
    ))
    .map_err(sqlite_backend::map_err)?;
    // Primary-key order puts a parent row (an overall plan) before the
    // rows that point at it, as the restore's inserts need.
    let pk: Vec<String> = primary_key(c, &table)?.iter().map(|c| quote(c)).collect();
    let order = if pk.is_empty() {
        String::new()
    } else {
        format!(" ORDER BY {}", pk.join(", "))
    };
    let mut insert = tx
        .prepare(&format!(
            "INSERT INTO {} VALUES ({})",
            quote(&table),
            vec!["?"; cols.len()].join(", ")
        ))
        .map_err(sqlite_backend::map_err)?;
    let mut done = 0u64;
    progress(&table, 0, total);
    c.query_each(
        &format!("SELECT {} FROM {}{order}", quoted.join(", "), quote(&table)),
        &[],
        &mut |row| {
            insert
                .execute(rusqlite::params_from_iter(row.into_values().iter()))
                .map_err(sqlite_backend::map_err)?;
            done += 1;
            if done.is_multiple_of(10_000) {
                progress(&table, done, total.max(done));
            }
            Ok(true)
        },
    )?;
    progress(&table, done, done);
    Ok(TableCopy {
        name: table,
        columns: cols,
        rows: done,
    })
}

/// What the backup says about itself, beside the tables.
fn write_meta(tx: &rusqlite::Transaction, info: &BackupInfo) -> Result<()> {
    let meta: [(&str, String); 6] = [
        ("format", info.format.to_string()),
        ("schema_version", info.schema_version.to_string()),
        ("source", info.source.clone()),
        ("created_at", info.created_at.to_string()),
        ("key_ids", info.key_ids.join(",")),
        ("dingdian_version", env!("CARGO_PKG_VERSION").to_string()),
    ];
    for (k, v) in meta {
        tx.execute(
            &format!("INSERT INTO {META} (key, value) VALUES (?, ?)"),
            rusqlite::params![k, v],
        )
        .map_err(sqlite_backend::map_err)?;
    }
    Ok(())
}

// ---- restore ------------------------------------------------------------

/// A backup file opened for restoring.
pub struct BackupFile {
    conn: rusqlite::Connection,
    pub info: BackupInfo,
}

impl BackupFile {
    /// Opens a backup read-only and reads what it says about itself. A file
    /// that is not a dingdian backup is a [`StoreError::Config`].
    pub fn open(path: &Path) -> Result<BackupFile> {
        let not_backup = |why: String| {
            StoreError::Config(format!(
                "{} is not a dingdian backup ({why})",
                path.display()
            ))
        };
        if !path.is_file() {
            return Err(not_backup("no such file".into()));
        }
        let conn =
            rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .map_err(|e| not_backup(e.to_string()))?;
        let meta: Vec<(String, String)> = conn
            .prepare(&format!("SELECT key, value FROM {META}"))
            .and_then(|mut s| {
                s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<_>>()
            })
            .map_err(|e| not_backup(e.to_string()))?;
        let get = |k: &str| {
            meta.iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .ok_or_else(|| not_backup(format!("{k} missing")))
        };
        let int = |k: &str| -> Result<i64> {
            get(k)?
                .parse()
                .map_err(|_| not_backup(format!("{k} is not a number")))
        };
        let tables = conn
            .prepare(&format!(
                "SELECT name, columns, rows FROM {TABLES} ORDER BY position"
            ))
            .and_then(|mut s| {
                s.query_map([], |r| {
                    let cols: String = r.get(1)?;
                    Ok(TableCopy {
                        name: r.get(0)?,
                        columns: cols.split(',').map(str::to_string).collect(),
                        rows: r.get::<_, i64>(2)?.max(0) as u64,
                    })
                })?
                .collect::<rusqlite::Result<_>>()
            })
            .map_err(|e| not_backup(e.to_string()))?;
        let info = BackupInfo {
            format: int("format")?,
            schema_version: int("schema_version")?,
            source: get("source")?,
            created_at: int("created_at")?,
            key_ids: get("key_ids")?
                .split(',')
                .filter(|k| !k.is_empty())
                .map(str::to_string)
                .collect(),
            tables,
        };
        Ok(BackupFile { conn, info })
    }
}

/// Tables of the target that hold rows a fresh database does not have,
/// with their row counts: a restore over them needs `--force`.
pub fn occupied_tables(c: &mut dyn Conn) -> Result<Vec<(String, i64)>> {
    let mut out = Vec::new();
    for t in tables(c)? {
        if PRESET.contains(&t.as_str()) {
            continue;
        }
        let n = c.query_i64(&format!("SELECT COUNT(*) FROM {}", quote(&t)), &[])?;
        if n > 0 {
            out.push((t, n));
        }
    }
    Ok(out)
}

/// Empties a table, lifting its triggers for the moment (the audit log's
/// append-only guard) and putting them back in the same transaction.
fn clear(c: &mut dyn Conn, table: &str) -> Result<()> {
    let q = quote(table);
    match c.backend() {
        Backend::Sqlite => {
            let triggers = c.query(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
                params![table],
            )?;
            for t in &triggers {
                c.batch(&format!(
                    "DROP TRIGGER {}",
                    quote(&t.get::<String>("name")?)
                ))?;
            }
            c.execute(&format!("DELETE FROM {q}"), &[])?;
            for t in &triggers {
                c.batch(&t.get::<String>("sql")?)?;
            }
        }
        Backend::Postgres => {
            let guarded = c.query_i64(
                "SELECT COUNT(*) FROM pg_trigger WHERE tgrelid = to_regclass(?) AND NOT tgisinternal",
                params![q.clone()],
            )? > 0;
            if guarded {
                c.batch(&format!("ALTER TABLE {q} DISABLE TRIGGER USER"))?;
            }
            c.execute(&format!("DELETE FROM {q}"), &[])?;
            if guarded {
                c.batch(&format!("ALTER TABLE {q} ENABLE TRIGGER USER"))?;
            }
        }
    }
    Ok(())
}

/// Replaces everything in the target behind `c` with the backup's tables,
/// inside the caller's transaction. The caller has checked the format,
/// the schema version and the key.
pub fn restore(c: &mut dyn Conn, file: &BackupFile, progress: Progress) -> Result<Vec<TableCopy>> {
    let target: Vec<String> = tables(c)?
        .into_iter()
        .filter(|t| t != "schema_migrations")
        .collect();
    for t in &file.info.tables {
        if !target.contains(&t.name) {
            return Err(StoreError::Config(format!(
                "the backup's table {} does not exist in this database",
                t.name
            )));
        }
    }
    let order = dependency_order(c, &target)?;
    for t in order.iter().rev() {
        clear(c, t)?;
    }
    let mut copied = Vec::new();
    for name in &order {
        let Some(t) = file.info.tables.iter().find(|t| &t.name == name) else {
            continue;
        };
        let have = columns(c, name)?;
        let renamed: Vec<&str> = t
            .columns
            .iter()
            .map(|col| renamed_column(file.info.schema_version, name, col))
            .collect();
        if let Some(col) = renamed.iter().find(|col| !have.iter().any(|h| h == *col)) {
            return Err(StoreError::Config(format!(
                "the backup's column {name}.{col} does not exist in this database"
            )));
        }
        let quoted: Vec<String> = renamed.iter().map(|c| quote(c)).collect();
        let cols: Vec<&str> = quoted.iter().map(String::as_str).collect();
        let source: Vec<String> = t.columns.iter().map(|c| quote(c)).collect();
        let mut stmt = file
            .conn
            .prepare(&format!(
                "SELECT {} FROM {} ORDER BY rowid",
                source.join(", "),
                quote(name)
            ))
            .map_err(sqlite_backend::map_err)?;
        let mut rows = stmt.query([]).map_err(sqlite_backend::map_err)?;
        let mut batch: Vec<Vec<Value>> = Vec::with_capacity(BATCH);
        let mut done = 0u64;
        progress(name, 0, t.rows);
        loop {
            let row = rows.next().map_err(sqlite_backend::map_err)?;
            if let Some(r) = row {
                batch.push(
                    sqlite_backend::read_values(r, cols.len()).map_err(sqlite_backend::map_err)?,
                );
            }
            if batch.len() == BATCH || (row.is_none() && !batch.is_empty()) {
                done += c.insert_rows(&quote(name), &cols, &batch)?;
                batch.clear();
                progress(name, done, t.rows.max(done));
            }
            if row.is_none() {
                break;
            }
        }
        copied.push(TableCopy {
            name: name.clone(),
            columns: t.columns.clone(),
            rows: done,
        });
    }
    if c.backend() == Backend::Postgres {
        reset_sequences(c, &order)?;
    }
    Ok(copied)
}

/// Columns a later migration renamed: (schema version that renamed it,
/// table, old name, new name). A backup taken before that version is read
/// under the new name.
const RENAMED: &[(i64, &str, &str, &str)] = &[
    (11, "households", "household_code", "household_id"),
    (11, "members", "household_code", "household_id"),
];

fn renamed_column<'a>(backup_version: i64, table: &str, column: &'a str) -> &'a str {
    RENAMED
        .iter()
        .find(|(v, t, old, _)| backup_version < *v && *t == table && *old == column)
        .map_or(column, |(_, _, _, new)| new)
}

/// Moves each identity sequence past the largest id copied in, so the next
/// insert does not collide with a restored row.
fn reset_sequences(c: &mut dyn Conn, tables: &[String]) -> Result<()> {
    for t in tables {
        let identity = strings(c.query(
            "SELECT CAST(column_name AS TEXT) FROM information_schema.columns WHERE table_schema = current_schema() AND CAST(table_name AS TEXT) = ? AND is_identity = 'YES'",
            params![t.clone()],
        )?)?;
        for col in identity {
            c.query(
                &format!(
                    "SELECT setval(pg_get_serial_sequence(?, ?), COALESCE((SELECT MAX({}) FROM {}), 0) + 1, false)",
                    quote(&col),
                    quote(t)
                ),
                params![quote(t), col.clone()],
            )?;
        }
    }
    Ok(())
}

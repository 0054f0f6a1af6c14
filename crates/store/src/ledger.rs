//! The funds ledger: entries (append-only, migration 0014 refuses UPDATE
//! and DELETE), balances as sums grouped in SQL, and the per-pairing lock
//! a posting takes before it reads the balances it checks.

use crate::db::{Backend, Conn, Page, Result, Value};
use crate::params;
use crate::row::{FromRow, Row};
use crate::scope::on_pairing;
use dingdian_core::ledger::{
    Balance, EntryKind, FundSource, LedgerEntry, LedgerFilter, Level, NewEntry, Posting, Sums,
};
use dingdian_core::role::Scope;
use std::collections::BTreeMap;

fn kind(s: String) -> Option<EntryKind> {
    EntryKind::parse(&s)
}

fn source(s: String) -> Option<FundSource> {
    FundSource::parse(&s)
}

const ENTRY_COLUMNS: &str = "e.id, e.kind, e.unit_id, u.name AS unit_name, e.county_code, a.name AS county_name, e.source, e.donor, e.project_id, p.name AS project_name, e.to_project_id, e.amount_fen, e.entry_date, e.document_no, e.note, e.reverses, rv.id AS reversed_by, e.username, e.at";

const ENTRY_FROM: &str = " FROM ledger_entries e JOIN units u ON u.id = e.unit_id JOIN areas a ON a.code = e.county_code LEFT JOIN projects p ON p.id = e.project_id LEFT JOIN ledger_entries rv ON rv.reverses = e.id";

impl FromRow for LedgerEntry {
    const TABLE: &'static str = "ledger_entries";
    fn from_row(r: &Row) -> Result<LedgerEntry> {
        Ok(LedgerEntry {
            id: r.get("id")?,
            kind: r.decode("kind", kind)?,
            unit_id: r.get("unit_id")?,
            unit_name: r.get("unit_name")?,
            county_code: r.get("county_code")?,
            county_name: r.get("county_name")?,
            source: r.decode("source", source)?,
            donor: r.get("donor")?,
            project_id: r.get("project_id")?,
            project_name: r.get("project_name")?,
            to_project_id: r.get("to_project_id")?,
            amount_fen: r.get("amount_fen")?,
            date: r.get("entry_date")?,
            document_no: r.get("document_no")?,
            note: r.get("note")?,
            reverses: r.get("reverses")?,
            reversed_by: r.get("reversed_by")?,
            username: r.get("username")?,
            at: r.get("at")?,
        })
    }
}

impl FromRow for Posting {
    const TABLE: &'static str = "ledger_entries";
    fn from_row(r: &Row) -> Result<Posting> {
        Ok(Posting {
            id: r.get("id")?,
            kind: r.decode("kind", kind)?,
            unit_id: r.get("unit_id")?,
            county_code: r.get("county_code")?,
            source: r.decode("source", source)?,
            project_id: r.get("project_id")?,
            to_project_id: r.get("to_project_id")?,
            amount_fen: r.get("amount_fen")?,
            reverses: r.get("reverses")?,
        })
    }
}

/// The pairing and project filters, shared by entries and balances.
fn pairing_filter(f: &LedgerFilter, alias: &str, p: &mut Vec<Value>) -> String {
    let mut w = String::new();
    if let Some(u) = f.unit_id {
        w.push_str(&format!(" AND {alias}.unit_id = ?"));
        p.push(u.into());
    }
    if let Some(c) = &f.county_code {
        w.push_str(&format!(" AND {alias}.county_code = ?"));
        p.push(c.as_str().into());
    }
    if let Some(pr) = f.project_id {
        w.push_str(&format!(" AND {alias}.project_id = ?"));
        p.push(pr.into());
    }
    if let Some(s) = f.source {
        w.push_str(&format!(" AND {alias}.source = ?"));
        p.push(s.as_str().into());
    }
    w
}

fn entry_conditions(scope: &Scope, f: &LedgerFilter, p: &mut Vec<Value>) -> String {
    let mut w = String::from(" WHERE 1 = 1");
    w.push_str(&on_pairing("e", scope, p));
    w.push_str(&pairing_filter(f, "e", p));
    if let Some(k) = f.kind {
        w.push_str(" AND e.kind = ?");
        p.push(k.as_str().into());
    }
    if let Some(y) = f.year {
        w.push_str(" AND e.entry_date >= ? AND e.entry_date <= ?");
        p.push(format!("{y:04}-01-01").into());
        p.push(format!("{y:04}-12-31").into());
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        w.push_str(" AND (e.document_no LIKE ? OR e.note LIKE ? OR e.donor LIKE ?)");
        let like = format!("%{q}%");
        p.extend([like.clone().into(), like.clone().into(), like.into()]);
    }
    w
}

/// The entries the scope reaches and the filter finds, newest first, and
/// how many there are.
pub fn list(
    c: &mut dyn Conn,
    scope: &Scope,
    f: &LedgerFilter,
    page: Page,
) -> Result<(Vec<LedgerEntry>, i64)> {
    let mut p = Vec::new();
    let w = entry_conditions(scope, f, &mut p);
    let total = c.query_i64(&format!("SELECT COUNT(*) FROM ledger_entries e{w}"), &p)?;
    p.push(page.limit().into());
    p.push(page.offset().into());
    let items = c.query_as(
        &format!("SELECT {ENTRY_COLUMNS}{ENTRY_FROM}{w} ORDER BY e.entry_date DESC, e.id DESC LIMIT ? OFFSET ?"),
        &p,
    )?;
    Ok((items, total))
}

/// One entry, if the scope reaches it.
pub fn get(c: &mut dyn Conn, scope: &Scope, id: i64) -> Result<Option<LedgerEntry>> {
    let mut p = vec![Value::from(id)];
    let w = on_pairing("e", scope, &mut p);
    c.query_one_as(
        &format!("SELECT {ENTRY_COLUMNS}{ENTRY_FROM} WHERE e.id = ?{w}"),
        &p,
    )
}

/// Takes the pairing's lock for the rest of the transaction, so that
/// postings to one pairing run one after the other: on PostgreSQL a row
/// lock on its `ledger_accounts` row; on SQLite every write transaction
/// already holds the database's one write lock from its start (`BEGIN
/// IMMEDIATE`), and the row is only recorded.
pub fn lock_pairing(c: &mut dyn Conn, unit_id: i64, county_code: &str) -> Result<()> {
    c.execute(
        "INSERT INTO ledger_accounts (unit_id, county_code) VALUES (?, ?) ON CONFLICT DO NOTHING",
        params![unit_id, county_code],
    )?;
    if c.backend() == Backend::Postgres {
        c.query(
            "SELECT unit_id FROM ledger_accounts WHERE unit_id = ? AND county_code = ? FOR UPDATE",
            params![unit_id, county_code],
        )?;
    }
    Ok(())
}

/// Every entry of a pairing, as postings (what [`dingdian_core::ledger::check`] reads).
pub fn pairing_postings(c: &mut dyn Conn, unit_id: i64, county_code: &str) -> Result<Vec<Posting>> {
    c.query_as(
        "SELECT id, kind, unit_id, county_code, source, project_id, to_project_id, amount_fen, reverses FROM ledger_entries WHERE unit_id = ? AND county_code = ? ORDER BY id",
        params![unit_id, county_code],
    )
}

/// Stores a checked entry; `user_id` is `None` for the operator at the
/// command line.
pub fn insert(
    c: &mut dyn Conn,
    e: &NewEntry,
    (user_id, username): (Option<i64>, &str),
    at: i64,
) -> Result<i64> {
    let p = &e.posting;
    c.query_i64(
        "INSERT INTO ledger_entries (kind, unit_id, county_code, source, donor, project_id, to_project_id, amount_fen, entry_date, document_no, note, reverses, user_id, username, at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        params![
            p.kind.as_str(),
            p.unit_id,
            p.county_code.as_str(),
            p.source.as_str(),
            e.donor.clone(),
            p.project_id,
            p.to_project_id,
            p.amount_fen,
            e.date,
            e.document_no.clone(),
            e.note.clone(),
            p.reverses,
            user_id,
            username,
            at
        ],
    )
}

/// Each entry's movement at its level, signed: a reversal counts as minus
/// the entry it undoes (and acts as that entry's kind), a reallocation as
/// minus at the project it leaves; its plus at the project it reaches is
/// the second part of the union.
const MOVES: &str = "SELECT e.unit_id, e.county_code, e.source, e.project_id, COALESCE(o.kind, e.kind) AS kind, \
     (CASE WHEN e.kind = 'reversal' THEN -1 ELSE 1 END) * (CASE WHEN COALESCE(o.kind, e.kind) = 'reallocation' THEN -1 ELSE 1 END) * e.amount_fen AS amount \
     FROM ledger_entries e LEFT JOIN ledger_entries o ON o.id = e.reverses \
     UNION ALL \
     SELECT e.unit_id, e.county_code, e.source, e.to_project_id, 'reallocation', \
     (CASE WHEN e.kind = 'reversal' THEN -1 ELSE 1 END) * e.amount_fen \
     FROM ledger_entries e WHERE e.to_project_id IS NOT NULL";

/// The balances the scope reaches, per unit, county, source and project
/// (see `dingdian_core::ledger` for each figure), summed by the database.
pub fn balances(c: &mut dyn Conn, scope: &Scope, f: &LedgerFilter) -> Result<Vec<Balance>> {
    let mut p = Vec::new();
    let mut w = String::from(" WHERE 1 = 1");
    w.push_str(&on_pairing("m", scope, &mut p));
    w.push_str(&pairing_filter(f, "m", &mut p));
    let sql = format!(
        "SELECT m.unit_id, m.county_code, m.source, m.project_id, \
         CAST(SUM(CASE WHEN m.kind IN ('receipt', 'reallocation') THEN m.amount ELSE 0 END) AS BIGINT) AS received, \
         CAST(SUM(CASE WHEN m.kind = 'commitment' THEN m.amount ELSE 0 END) AS BIGINT) AS committed, \
         CAST(SUM(CASE WHEN m.kind = 'disbursement' THEN m.amount ELSE 0 END) AS BIGINT) AS disbursed, \
         CAST(SUM(CASE WHEN m.kind = 'expenditure' THEN m.amount ELSE 0 END) AS BIGINT) AS spent \
         FROM ({MOVES}) m{w} GROUP BY m.unit_id, m.county_code, m.source, m.project_id"
    );
    let mut levels: BTreeMap<Level, Sums> = BTreeMap::new();
    for r in c.query(&sql, &p)? {
        let key = (
            r.get("unit_id")?,
            r.get("county_code")?,
            r.decode("source", source)?,
            r.get("project_id")?,
        );
        let sums = Sums {
            received: r.get("received")?,
            committed: r.get("committed")?,
            disbursed: r.get("disbursed")?,
            spent: r.get("spent")?,
        };
        levels.insert(key, sums);
    }
    Ok(dingdian_core::ledger::balances_of(&levels))
}

/// Receipts per year and source, each in the year of its date and left
/// out when reversed (whenever the reversal was posted): the funds chart,
/// and the rule the letters' "direct funds received in year Y" follow.
pub fn receipts_by_year(
    c: &mut dyn Conn,
    scope: &Scope,
    f: &LedgerFilter,
) -> Result<Vec<(i32, FundSource, i64)>> {
    let mut p = Vec::new();
    let mut w = String::from(
        " WHERE e.kind = 'receipt' AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses = e.id)",
    );
    w.push_str(&on_pairing("e", scope, &mut p));
    w.push_str(&pairing_filter(f, "e", &mut p));
    let rows = c.query(
        &format!(
            "SELECT SUBSTR(e.entry_date, 1, 4) AS year, e.source, CAST(SUM(e.amount_fen) AS BIGINT) AS fen FROM ledger_entries e{w} \
             GROUP BY SUBSTR(e.entry_date, 1, 4), e.source ORDER BY year, e.source"
        ),
        &p,
    )?;
    rows.iter()
        .map(|r| {
            let year: String = r.get("year")?;
            let year = year.parse().map_err(|_| {
                crate::StoreError::Data(format!("ledger_entries.entry_date: year {year:?}"))
            })?;
            Ok((year, r.decode("source", source)?, r.get("fen")?))
        })
        .collect()
}

/// A project as the ledger checks it: its pairing and status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFacts {
    pub id: i64,
    pub unit_id: i64,
    pub county_code: String,
    pub name: String,
    pub status: String,
}

impl FromRow for ProjectFacts {
    const TABLE: &'static str = "projects";
    fn from_row(r: &Row) -> Result<ProjectFacts> {
        Ok(ProjectFacts {
            id: r.get("id")?,
            unit_id: r.get("unit_id")?,
            county_code: r.get("county_code")?,
            name: r.get("name")?,
            status: r.get("status")?,
        })
    }
}

/// The project, whoever's it is (the caller compares its pairing).
pub fn project(c: &mut dyn Conn, id: i64) -> Result<Option<ProjectFacts>> {
    c.query_one_as(
        "SELECT id, unit_id, county_code, name, status FROM projects WHERE id = ?",
        params![id],
    )
}

/// The projects of the scope (for the forms' choices and the IATI export).
pub fn projects(c: &mut dyn Conn, scope: &Scope, f: &LedgerFilter) -> Result<Vec<ProjectFacts>> {
    let mut p = Vec::new();
    let mut w = String::from(" WHERE 1 = 1");
    w.push_str(&on_pairing("e", scope, &mut p));
    if let Some(u) = f.unit_id {
        w.push_str(" AND e.unit_id = ?");
        p.push(u.into());
    }
    if let Some(county) = &f.county_code {
        w.push_str(" AND e.county_code = ?");
        p.push(county.as_str().into());
    }
    c.query_as(
        &format!("SELECT e.id, e.unit_id, e.county_code, e.name, e.status FROM projects e{w} ORDER BY e.id"),
        &p,
    )
}

/// Whether the unit is paired with the county in some pairing plan.
pub fn pairing_exists(c: &mut dyn Conn, unit_id: i64, county_code: &str) -> Result<bool> {
    Ok(c.query_i64(
        "SELECT COUNT(*) FROM pairings WHERE unit_id = ? AND county_code = ?",
        params![unit_id, county_code],
    )? > 0)
}

//! What each pairing has done, summed in one query from the projects, the
//! ledger and the work records (see `core::pairing_work`).

use crate::db::{Conn, Result, Value};
use crate::row::{FromRow, Row};
use crate::scope::on_pairing;
use dingdian_core::Fen;
use dingdian_core::pairing_work::{PairingWork, ProjectCounts, WorkFilter};
use dingdian_core::role::Scope;

impl FromRow for PairingWork {
    const TABLE: &'static str = "pairings";
    fn from_row(r: &Row) -> Result<PairingWork> {
        let fen = |c: &str| r.get::<i64>(c).map(Fen::new);
        Ok(PairingWork {
            unit_id: r.get("unit_id")?,
            unit_name: r.get("unit_name")?,
            county_code: r.get("county_code")?,
            county_name: r.get("county_name")?,
            plan_status: r.get("plan_status")?,
            projects: ProjectCounts {
                planned: r.get("planned")?,
                approved: r.get("approved")?,
                in_progress: r.get("in_progress")?,
                completed: r.get("completed")?,
                accepted: r.get("accepted")?,
                cancelled: r.get("cancelled")?,
            },
            budget_fen: fen("budget_fen")?,
            direct_funds: fen("direct_funds")?,
            introduced_funds: fen("introduced_funds")?,
            other_funds: fen("other_funds")?,
            spent_fen: fen("spent_fen")?,
            trainees: r.get("trainees")?,
            labour_transferred: r.get("labour_transferred")?,
            labour_income: fen("labour_income")?,
            products_fen: fen("products_fen")?,
        })
    }
}

/// A SUM that reads as BIGINT on both backends (PostgreSQL sums BIGINT
/// into NUMERIC) and as 0 where nothing was summed.
fn total(expr: &str) -> String {
    format!("CAST(COALESCE({expr}, 0) AS BIGINT)")
}

/// `AND SUBSTR(column, 1, 4) = 'YYYY'` when the filter names a year.
fn in_year(column: &str, f: &WorkFilter, p: &mut Vec<Value>) -> String {
    match f.year {
        Some(y) => {
            p.push(y.get().to_string().into());
            format!(" AND SUBSTR({column}, 1, 4) = ?")
        }
        None => String::new(),
    }
}

/// The pairings of plans that were decided (approved, in force or
/// superseded), in scope and filter.
fn pairs(scope: &Scope, f: &WorkFilter, p: &mut Vec<Value>) -> String {
    let mut w = on_pairing("pr", scope, p);
    if let Some(u) = f.unit_id {
        w.push_str(" AND pr.unit_id = ?");
        p.push(u.into());
    }
    if let Some(county) = &f.county {
        w.push_str(" AND pr.county_code = ?");
        p.push(county.as_str().into());
    }
    if let Some(y) = f.year {
        w.push_str(" AND pr.start_date <= ? AND pr.end_date >= ?");
        p.push(format!("{}-12-31", y.get()).into());
        p.push(format!("{}-01-01", y.get()).into());
    }
    format!(
        "SELECT DISTINCT pr.unit_id, pr.county_code FROM pairings pr JOIN plans pl ON pl.id = pr.plan_id \
         WHERE pl.status IN ('approved', 'active', 'superseded'){w}"
    )
}

fn projects() -> String {
    let by = |s: &str| total(&format!("SUM(CASE WHEN status = '{s}' THEN 1 ELSE 0 END)"));
    format!(
        "SELECT unit_id, county_code, {} AS planned, {} AS approved, {} AS in_progress, {} AS completed, \
         {} AS accepted, {} AS cancelled, {} AS budget_fen FROM projects GROUP BY unit_id, county_code",
        by("planned"),
        by("approved"),
        by("in_progress"),
        by("completed"),
        by("accepted"),
        by("cancelled"),
        total("SUM(CASE WHEN status <> 'cancelled' THEN budget_fen ELSE 0 END)"),
    )
}

/// Receipts by source and expenditures, leaving out every entry a reversal
/// undoes (the reversal itself is of kind `reversal`, summed nowhere).
fn money(f: &WorkFilter, p: &mut Vec<Value>) -> String {
    let receipt = |s: &str| {
        total(&format!(
            "SUM(CASE WHEN e.kind = 'receipt' AND e.source = '{s}' THEN e.amount_fen ELSE 0 END)"
        ))
    };
    format!(
        "SELECT e.unit_id, e.county_code, {} AS direct_funds, {} AS introduced_funds, {} AS other_funds, {} AS spent_fen \
         FROM ledger_entries e WHERE NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses = e.id){} \
         GROUP BY e.unit_id, e.county_code",
        receipt("direct"),
        receipt("introduced"),
        receipt("other"),
        total("SUM(CASE WHEN e.kind = 'expenditure' THEN e.amount_fen ELSE 0 END)"),
        in_year("e.entry_date", f, p),
    )
}

/// One work record table summed per pairing.
fn records(
    table: &str,
    date: &str,
    sums: &[(&str, &str)],
    f: &WorkFilter,
    p: &mut Vec<Value>,
) -> String {
    let sums: Vec<String> = sums
        .iter()
        .map(|(column, name)| format!("{} AS {name}", total(&format!("SUM({column})"))))
        .collect();
    format!(
        "SELECT unit_id, county_code, {} FROM {table} WHERE 1 = 1{} GROUP BY unit_id, county_code",
        sums.join(", "),
        in_year(date, f, p),
    )
}

/// The work of every pairing in scope and filter, in no particular order
/// (the app ranks them).
pub fn list(c: &mut dyn Conn, scope: &Scope, f: &WorkFilter) -> Result<Vec<PairingWork>> {
    let mut p = Vec::new();
    let ctes = [
        ("pairs", pairs(scope, f, &mut p)),
        ("proj", projects()),
        ("money", money(f, &mut p)),
        (
            "train",
            records(
                "trainings",
                "start_date",
                &[("trainees", "trainees")],
                f,
                &mut p,
            ),
        ),
        (
            "labour",
            records(
                "labour_transfers",
                "on_date",
                &[
                    ("people", "labour_transferred"),
                    ("income_fen", "labour_income"),
                ],
                f,
                &mut p,
            ),
        ),
        (
            "goods",
            records(
                "consumption_records",
                "on_date",
                &[("value_fen", "products_fen")],
                f,
                &mut p,
            ),
        ),
    ];
    let with: Vec<String> = ctes
        .iter()
        .map(|(n, sql)| format!("{n} AS ({sql})"))
        .collect();
    let mut w = String::new();
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        w.push_str(" WHERE (u.name LIKE ? OR a.name LIKE ?)");
        let like = format!("%{q}%");
        p.extend([like.clone().into(), like.into()]);
    }
    let joined = |t: &str| {
        format!(
            " LEFT JOIN {t} ON {t}.unit_id = pairs.unit_id AND {t}.county_code = pairs.county_code"
        )
    };
    let zero = |c: &str| total(c);
    let sql = format!(
        "WITH {} SELECT pairs.unit_id, u.name AS unit_name, pairs.county_code, a.name AS county_name, \
         (SELECT ap.status FROM assistance_plans ap WHERE ap.unit_id = pairs.unit_id AND ap.county_code = pairs.county_code \
          AND ap.status <> 'superseded' ORDER BY CASE WHEN ap.status = 'agreed' THEN 0 ELSE 1 END, ap.id DESC LIMIT 1) AS plan_status, \
         {} AS planned, {} AS approved, {} AS in_progress, {} AS completed, {} AS accepted, {} AS cancelled, {} AS budget_fen, \
         {} AS direct_funds, {} AS introduced_funds, {} AS other_funds, {} AS spent_fen, {} AS trainees, \
         {} AS labour_transferred, {} AS labour_income, {} AS products_fen \
         FROM pairs JOIN units u ON u.id = pairs.unit_id JOIN areas a ON a.code = pairs.county_code{}{}{}{}{}{w}",
        with.join(", "),
        zero("proj.planned"),
        zero("proj.approved"),
        zero("proj.in_progress"),
        zero("proj.completed"),
        zero("proj.accepted"),
        zero("proj.cancelled"),
        zero("proj.budget_fen"),
        zero("money.direct_funds"),
        zero("money.introduced_funds"),
        zero("money.other_funds"),
        zero("money.spent_fen"),
        zero("train.trainees"),
        zero("labour.labour_transferred"),
        zero("labour.labour_income"),
        zero("goods.products_fen"),
        joined("proj"),
        joined("money"),
        joined("train"),
        joined("labour"),
        joined("goods"),
    );
    c.query_as(&sql, &p)
}

//! The figures of a report's period, read from the projects, the ledger
//! and the work records of the team (unit and county) or of the whole unit
//! (its annual summary): what the report states without anyone retyping it.

use crate::db::{Conn, Result, Value};
use chrono::NaiveDate;
use dingdian_core::report::{FundsLine, ProjectAdvance, ReportFigures};

/// Whose figures: the unit, and the county for a team's report.
#[derive(Debug, Clone, Copy)]
pub struct Team<'a> {
    pub unit_id: i64,
    pub county_code: Option<&'a str>,
}

/// ` WHERE t.unit_id = ? [AND t.county_code = ?] AND t.{date} BETWEEN ? AND ?`
fn team_where(
    team: Team,
    date: &str,
    (from, to): (NaiveDate, NaiveDate),
    p: &mut Vec<Value>,
) -> String {
    let mut w = String::from(" WHERE t.unit_id = ?");
    p.push(team.unit_id.into());
    if let Some(county) = team.county_code {
        w.push_str(" AND t.county_code = ?");
        p.push(county.into());
    }
    w.push_str(&format!(" AND {date} >= ? AND {date} <= ?"));
    p.extend([from.into(), to.into()]);
    w
}

/// `SUM(expr)` as a BIGINT (PostgreSQL sums BIGINT into NUMERIC), 0 for none.
fn sum(expr: &str) -> String {
    format!("CAST(COALESCE(SUM({expr}), 0) AS BIGINT)")
}

fn projects(
    c: &mut dyn Conn,
    team: Team,
    days: (NaiveDate, NaiveDate),
) -> Result<Vec<ProjectAdvance>> {
    let mut out: Vec<ProjectAdvance> = Vec::new();
    let mut p = Vec::new();
    let w = team_where(team, "s.on_date", days, &mut p);
    let steps = c.query(
        &format!("SELECT t.id, t.name, s.to_status FROM project_transitions s JOIN projects t ON t.id = s.project_id{w} ORDER BY t.id, s.id"),
        &p,
    )?;
    for r in steps {
        let id: i64 = r.get("id")?;
        if out.last().is_none_or(|a| a.project_id != id) {
            out.push(ProjectAdvance {
                project_id: id,
                name: r.get("name")?,
                ..Default::default()
            });
        }
        let last = out.last_mut().expect("pushed above");
        last.steps.push(r.get("to_status")?);
    }
    let mut p = Vec::new();
    let w = team_where(team, "g.on_date", days, &mut p);
    let notes = c.query(
        &format!("SELECT t.id, t.name, COUNT(*) AS n FROM project_progress g JOIN projects t ON t.id = g.project_id{w} GROUP BY t.id, t.name"),
        &p,
    )?;
    for r in notes {
        let id: i64 = r.get("id")?;
        let n: i64 = r.get("n")?;
        match out.iter_mut().find(|a| a.project_id == id) {
            Some(a) => a.progress_notes = n,
            None => out.push(ProjectAdvance {
                project_id: id,
                name: r.get("name")?,
                steps: Vec::new(),
                progress_notes: n,
            }),
        }
    }
    out.sort_by_key(|a| a.project_id);
    Ok(out)
}

fn funds(c: &mut dyn Conn, team: Team, days: (NaiveDate, NaiveDate)) -> Result<Vec<FundsLine>> {
    let mut p = Vec::new();
    let w = team_where(team, "t.entry_date", days, &mut p);
    c.query(
        &format!(
            "SELECT t.kind, t.source, {} AS amount, COUNT(*) AS n FROM ledger_entries t{w} GROUP BY t.kind, t.source ORDER BY t.kind, t.source",
            sum("t.amount_fen")
        ),
        &p,
    )?
    .into_iter()
    .map(|r| {
        Ok(FundsLine { kind: r.get("kind")?, source: r.get("source")?, amount_fen: r.get("amount")?, entries: r.get("n")? })
    })
    .collect()
}

/// One row of sums over a records table in the period.
fn sums(
    c: &mut dyn Conn,
    team: Team,
    days: (NaiveDate, NaiveDate),
    (table, date, cols): (&str, &str, &str),
) -> Result<crate::Row> {
    let mut p = Vec::new();
    let w = team_where(team, &format!("t.{date}"), days, &mut p);
    Ok(
        c.query_one(&format!("SELECT {cols} FROM {table} t{w}"), &p)?
            .expect("an aggregate answers one row"),
    )
}

/// The figures of the team's period `from..=to`.
pub fn figures(
    c: &mut dyn Conn,
    team: Team,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<ReportFigures> {
    let days = (from, to);
    let t = sums(
        c,
        team,
        days,
        (
            "trainings",
            "start_date",
            &format!("COUNT(*) AS n, {} AS people", sum("t.trainees")),
        ),
    )?;
    let l = sums(
        c,
        team,
        days,
        (
            "labour_transfers",
            "on_date",
            &format!(
                "{} AS people, {} AS income",
                sum("t.people"),
                sum("t.income_fen")
            ),
        ),
    )?;
    let k = sums(
        c,
        team,
        days,
        (
            "consumption_records",
            "on_date",
            &format!(
                "{} AS bought, {} AS sold",
                sum("CASE WHEN t.kind = 'bought' THEN t.value_fen END"),
                sum("CASE WHEN t.kind = 'sold' THEN t.value_fen END")
            ),
        ),
    )?;
    Ok(ReportFigures {
        from,
        to,
        projects: projects(c, team, days)?,
        funds: funds(c, team, days)?,
        trainings: t.get("n")?,
        trainees: t.get("people")?,
        labour_transferred: l.get("people")?,
        labour_income_fen: l.get("income")?,
        products_bought_fen: k.get("bought")?,
        products_sold_fen: k.get("sold")?,
    })
}

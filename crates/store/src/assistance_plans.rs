//! Assistance plans with their villages, households, measures and history.
//! Every row names its unit and county, so a scoped read is one condition
//! on the row itself.

use crate::db::{Conn, Page, Result, Value};
use crate::params;
use crate::row::{FromRow, Row};
use crate::scope::on_pairing;
use chrono::NaiveDate;
use dingdian_core::Fen;
use dingdian_core::assistance::{
    AssistancePlan, AssistancePlanFields, AssistancePlanFilter, AssistancePlanStatus, Measure,
    MeasureCategory,
};
use dingdian_core::project::ProjectStatus;
use dingdian_core::role::Scope;
use std::collections::BTreeSet;

/// The conditions of a list's unit, county and name filters on alias `a`.
pub fn list_condition(
    a: &str,
    unit: Option<i64>,
    county: Option<&str>,
    q: Option<&str>,
    p: &mut Vec<Value>,
) -> String {
    let mut w = String::new();
    if let Some(u) = unit {
        w.push_str(&format!(" AND {a}.unit_id = ?"));
        p.push(u.into());
    }
    if let Some(county) = county {
        w.push_str(&format!(" AND {a}.county_code = ?"));
        p.push(county.into());
    }
    if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
        w.push_str(&format!(" AND {a}.name LIKE ?"));
        p.push(format!("%{q}%").into());
    }
    w
}

const SELECT: &str = "SELECT a.id, a.unit_id, u.name AS unit_name, a.county_code, ar.name AS county_name, a.name, a.period_start, a.period_end, a.goals, a.status, a.version, a.previous_id, a.created_at, a.updated_at \
     FROM assistance_plans a JOIN units u ON u.id = a.unit_id JOIN areas ar ON ar.code = a.county_code";

fn status(s: String) -> Option<AssistancePlanStatus> {
    AssistancePlanStatus::from_code(&s)
}

impl FromRow for AssistancePlan {
    const TABLE: &'static str = "assistance_plans";
    fn from_row(r: &Row) -> Result<AssistancePlan> {
        Ok(AssistancePlan {
            id: r.get("id")?,
            unit_id: r.get("unit_id")?,
            unit_name: r.get("unit_name")?,
            county_code: r.get("county_code")?,
            county_name: r.get("county_name")?,
            name: r.get("name")?,
            period_start: r.get("period_start")?,
            period_end: r.get("period_end")?,
            goals: r.get("goals")?,
            status: r.decode("status", status)?,
            version: r.get("version")?,
            previous_id: r.get("previous_id")?,
            created_at: r.get("created_at")?,
            updated_at: r.get("updated_at")?,
        })
    }
}

impl FromRow for Measure {
    const TABLE: &'static str = "assistance_plan_measures";
    fn from_row(r: &Row) -> Result<Measure> {
        Ok(Measure {
            category: r.decode("category", |s: String| MeasureCategory::from_code(&s))?,
            description: r.get("description")?,
            budget_fen: r.get::<Option<i64>>("budget_fen")?.map(Fen::new),
        })
    }
}

pub fn list(
    c: &mut dyn Conn,
    scope: &Scope,
    f: &AssistancePlanFilter,
    page: Page,
) -> Result<(Vec<AssistancePlan>, i64)> {
    let mut p = Vec::new();
    let mut w = String::from(" WHERE 1 = 1");
    w.push_str(&on_pairing("a", scope, &mut p));
    w.push_str(&list_condition(
        "a",
        f.unit_id,
        f.county_code.as_deref(),
        f.q.as_deref(),
        &mut p,
    ));
    if let Some(s) = f.status {
        w.push_str(" AND a.status = ?");
        p.push(s.code().into());
    }
    let total = c.query_i64(&format!("SELECT COUNT(*) FROM assistance_plans a{w}"), &p)?;
    p.push(page.limit().into());
    p.push(page.offset().into());
    let items = c.query_as(
        &format!("{SELECT}{w} ORDER BY a.period_start DESC, a.id DESC LIMIT ? OFFSET ?"),
        &p,
    )?;
    Ok((items, total))
}

pub fn get(c: &mut dyn Conn, scope: &Scope, id: i64) -> Result<Option<AssistancePlan>> {
    let mut p = vec![Value::from(id)];
    let w = on_pairing("a", scope, &mut p);
    c.query_one_as(&format!("{SELECT} WHERE a.id = ?{w}"), &p)
}

/// A new draft with its lists; `previous_id` for a new version.
#[allow(clippy::too_many_arguments)]
pub fn insert(
    c: &mut dyn Conn,
    unit_id: i64,
    county_code: &str,
    f: &AssistancePlanFields,
    version: i64,
    previous_id: Option<i64>,
    created_by: Option<i64>,
    now: i64,
) -> Result<i64> {
    let id = c.query_i64(
        "INSERT INTO assistance_plans (unit_id, county_code, name, period_start, period_end, goals, status, version, previous_id, created_by, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?) RETURNING id",
        params![unit_id, county_code, f.name.clone(), f.period_start, f.period_end, f.goals.clone(), version, previous_id, created_by, now, now],
    )?;
    write_lists(c, id, f)?;
    Ok(id)
}

/// Replaces a draft's fields and lists.
pub fn update(c: &mut dyn Conn, id: i64, f: &AssistancePlanFields, now: i64) -> Result<()> {
    c.execute(
        "UPDATE assistance_plans SET name = ?, period_start = ?, period_end = ?, goals = ?, updated_at = ? WHERE id = ?",
        params![f.name.clone(), f.period_start, f.period_end, f.goals.clone(), now, id],
    )?;
    for table in [
        "assistance_plan_villages",
        "assistance_plan_households",
        "assistance_plan_measures",
    ] {
        c.execute(
            &format!("DELETE FROM {table} WHERE plan_id = ?"),
            params![id],
        )?;
    }
    write_lists(c, id, f)
}

fn write_lists(c: &mut dyn Conn, id: i64, f: &AssistancePlanFields) -> Result<()> {
    let villages: Vec<Vec<Value>> = f
        .villages
        .iter()
        .map(|v| vec![id.into(), v.into()])
        .collect();
    c.insert_rows(
        "assistance_plan_villages",
        &["plan_id", "village_code"],
        &villages,
    )?;
    let households: Vec<Vec<Value>> = f
        .households
        .iter()
        .map(|h| vec![id.into(), h.into()])
        .collect();
    c.insert_rows(
        "assistance_plan_households",
        &["plan_id", "household_id"],
        &households,
    )?;
    let measures: Vec<Vec<Value>> = f
        .measures
        .iter()
        .enumerate()
        .map(|(i, m)| {
            vec![
                id.into(),
                (i as i64).into(),
                m.category.code().into(),
                m.description.clone().into(),
                m.budget_fen.map(Fen::get).into(),
            ]
        })
        .collect();
    c.insert_rows(
        "assistance_plan_measures",
        &[
            "plan_id",
            "position",
            "category",
            "description",
            "budget_fen",
        ],
        &measures,
    )?;
    Ok(())
}

/// The plan's fields with its lists, as two versions are compared.
pub fn fields(c: &mut dyn Conn, plan: &AssistancePlan) -> Result<AssistancePlanFields> {
    let strings = |c: &mut dyn Conn, sql: &str, col: &str| -> Result<Vec<String>> {
        c.query(sql, params![plan.id])?
            .iter()
            .map(|r| r.get(col))
            .collect()
    };
    Ok(AssistancePlanFields {
        name: plan.name.clone(),
        period_start: plan.period_start,
        period_end: plan.period_end,
        goals: plan.goals.clone(),
        villages: strings(
            c,
            "SELECT village_code FROM assistance_plan_villages WHERE plan_id = ? ORDER BY village_code",
            "village_code",
        )?,
        households: strings(
            c,
            "SELECT household_id FROM assistance_plan_households WHERE plan_id = ? ORDER BY household_id",
            "household_id",
        )?,
        measures: c.query_as(
            "SELECT category, description, budget_fen FROM assistance_plan_measures WHERE plan_id = ? ORDER BY position",
            params![plan.id],
        )?,
    })
}

pub fn set_status(c: &mut dyn Conn, id: i64, s: AssistancePlanStatus, now: i64) -> Result<()> {
    c.execute(
        "UPDATE assistance_plans SET status = ?, updated_at = ? WHERE id = ?",
        params![s.code(), now, id],
    )?;
    Ok(())
}

/// Later versions of a plan: (id, version, status).
pub fn next_versions(c: &mut dyn Conn, id: i64) -> Result<Vec<(i64, i64, AssistancePlanStatus)>> {
    c.query(
        "SELECT id, version, status FROM assistance_plans WHERE previous_id = ? ORDER BY id",
        params![id],
    )?
    .iter()
    .map(|r| Ok((r.get("id")?, r.get("version")?, r.decode("status", status)?)))
    .collect()
}

/// One recorded step of a plan's or a project's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRecord<S> {
    pub from: Option<S>,
    pub to: S,
    /// The day it happened (projects).
    pub on_date: Option<NaiveDate>,
    pub username: String,
    pub display_name: String,
    pub at: i64,
    pub reason: Option<String>,
}

fn step_record<S>(r: &Row, parse: fn(String) -> Option<S>) -> Result<StepRecord<S>> {
    Ok(StepRecord {
        from: r.decode_opt("from_status", parse)?,
        to: r.decode("to_status", parse)?,
        on_date: r.get("on_date")?,
        username: r.get("username")?,
        display_name: r.get("display_name")?,
        at: r.get("at")?,
        reason: r.get("reason")?,
    })
}

impl FromRow for StepRecord<AssistancePlanStatus> {
    const TABLE: &'static str = "assistance_plan_transitions";
    fn from_row(r: &Row) -> Result<Self> {
        step_record(r, status)
    }
}

impl FromRow for StepRecord<ProjectStatus> {
    const TABLE: &'static str = "project_transitions";
    fn from_row(r: &Row) -> Result<Self> {
        step_record(r, |s| ProjectStatus::from_code(&s))
    }
}

/// The history of a plan (`table` assistance_plan_transitions, key plan_id)
/// or a project (project_transitions, project_id), oldest first.
pub(crate) fn steps<S>(c: &mut dyn Conn, table: &str, key: &str, id: i64) -> Result<Vec<S>>
where
    S: FromRow,
{
    let on_date = if key == "project_id" {
        "t.on_date"
    } else {
        "NULL AS on_date"
    };
    c.query_as(
        &format!(
            "SELECT t.from_status, t.to_status, {on_date}, t.username, t.at, t.reason, COALESCE(u.display_name, t.username) AS display_name \
             FROM {table} t LEFT JOIN users u ON u.id = t.user_id WHERE t.{key} = ? ORDER BY t.id"
        ),
        params![id],
    )
}

pub fn transitions(c: &mut dyn Conn, id: i64) -> Result<Vec<StepRecord<AssistancePlanStatus>>> {
    steps(c, "assistance_plan_transitions", "plan_id", id)
}

/// Who took a step: (user id, user name).
pub type Who<'a> = (Option<i64>, &'a str);

pub fn record_transition(
    c: &mut dyn Conn,
    id: i64,
    (from, to): (Option<AssistancePlanStatus>, AssistancePlanStatus),
    (user_id, username): Who,
    reason: Option<&str>,
    now: i64,
) -> Result<()> {
    c.execute(
        "INSERT INTO assistance_plan_transitions (plan_id, from_status, to_status, user_id, username, at, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
        params![id, from.map(|s| s.code()), to.code(), user_id, username, now, reason],
    )?;
    Ok(())
}

/// The periods of the unit's pairings with the county in pairing plans
/// that are in force or were (approved, active, superseded).
pub fn pairing_periods(
    c: &mut dyn Conn,
    unit_id: i64,
    county: &str,
) -> Result<Vec<(NaiveDate, NaiveDate)>> {
    c.query(
        "SELECT pr.start_date, pr.end_date FROM pairings pr JOIN plans p ON p.id = pr.plan_id \
         WHERE pr.unit_id = ? AND pr.county_code = ? AND p.status IN ('approved', 'active', 'superseded') \
         ORDER BY pr.start_date",
        params![unit_id, county],
    )?
    .iter()
    .map(|r| Ok((r.get("start_date")?, r.get("end_date")?)))
    .collect()
}

/// Of `codes`, those that are villages of the county.
pub fn villages_found(
    c: &mut dyn Conn,
    county: &str,
    codes: &[String],
) -> Result<BTreeSet<String>> {
    let sql = "SELECT code AS v FROM areas WHERE level = 'village' AND code LIKE ? AND code IN";
    found(c, sql, format!("{county}%"), codes)
}

/// Of `ids`, the household numbers registered in the county in any year.
pub fn households_found(
    c: &mut dyn Conn,
    county: &str,
    ids: &[String],
) -> Result<BTreeSet<String>> {
    let sql = "SELECT DISTINCT household_id AS v FROM households WHERE county_code = ? AND household_id IN";
    found(c, sql, county.to_string(), ids)
}

fn found(
    c: &mut dyn Conn,
    sql: &str,
    first: String,
    values: &[String],
) -> Result<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    for chunk in values.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let mut p: Vec<Value> = vec![first.clone().into()];
        p.extend(chunk.iter().map(Value::from));
        for r in c.query(&format!("{sql} ({marks})"), &p)? {
            out.insert(r.get("v")?);
        }
    }
    Ok(out)
}

/// The names of villages by code, in code order.
pub fn village_names(c: &mut dyn Conn, codes: &[String]) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for chunk in codes.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let p: Vec<Value> = chunk.iter().map(Value::from).collect();
        for r in c.query(
            &format!("SELECT code, name FROM areas WHERE code IN ({marks}) ORDER BY code"),
            &p,
        )? {
            out.push((r.get("code")?, r.get("name")?));
        }
    }
    Ok(out)
}

/// The first `limit` household numbers registered in a county, in order
/// (the demo's beneficiaries).
pub fn first_households(c: &mut dyn Conn, county: &str, limit: i64) -> Result<Vec<String>> {
    c.query(
        "SELECT DISTINCT household_id FROM households WHERE county_code = ? ORDER BY household_id LIMIT ?",
        params![county, limit],
    )?
    .iter()
    .map(|r| r.get("household_id"))
    .collect()
}

//! Projects under assistance plans: their villages, outputs, beneficiary
//! households, dated lifecycle steps, progress notes and attachments. Unit
//! and county are copied from the plan onto each row for scoped reads.

use crate::assistance_plans::{StepRecord, Who, list_condition, steps};
use crate::db::{Conn, Page, Result, Value};
use crate::params;
use crate::row::{FromRow, Row};
use crate::scope::on_pairing;
use chrono::NaiveDate;
use dingdian_core::Fen;
use dingdian_core::assistance::MeasureCategory;
use dingdian_core::project::{Output, Project, ProjectFields, ProjectFilter, ProjectStatus};
use dingdian_core::role::Scope;

const SELECT: &str = "SELECT pj.id, pj.plan_id, pj.unit_id, u.name AS unit_name, pj.county_code, ar.name AS county_name, pj.name, pj.category, pj.description, pj.budget_fen, pj.start_date, pj.end_date, pj.implementer, pj.status, pj.created_at, pj.updated_at \
     FROM projects pj JOIN units u ON u.id = pj.unit_id JOIN areas ar ON ar.code = pj.county_code";

impl FromRow for Project {
    const TABLE: &'static str = "projects";
    fn from_row(r: &Row) -> Result<Project> {
        Ok(Project {
            id: r.get("id")?,
            plan_id: r.get("plan_id")?,
            unit_id: r.get("unit_id")?,
            unit_name: r.get("unit_name")?,
            county_code: r.get("county_code")?,
            county_name: r.get("county_name")?,
            name: r.get("name")?,
            category: r.decode("category", |s: String| MeasureCategory::from_code(&s))?,
            description: r.get("description")?,
            budget_fen: Fen::new(r.get("budget_fen")?),
            start_date: r.get("start_date")?,
            end_date: r.get("end_date")?,
            implementer: r.get("implementer")?,
            status: r.decode("status", |s: String| ProjectStatus::from_code(&s))?,
            created_at: r.get("created_at")?,
            updated_at: r.get("updated_at")?,
        })
    }
}

impl FromRow for Output {
    const TABLE: &'static str = "project_outputs";
    fn from_row(r: &Row) -> Result<Output> {
        Ok(Output {
            id: r.get("id")?,
            name: r.get("name")?,
            measure: r.get("measure")?,
            planned_milli: r.get("planned_milli")?,
            achieved_milli: r.get("achieved_milli")?,
        })
    }
}

pub fn list(
    c: &mut dyn Conn,
    scope: &Scope,
    f: &ProjectFilter,
    page: Page,
) -> Result<(Vec<Project>, i64)> {
    let mut p = Vec::new();
    let mut w = String::from(" WHERE 1 = 1");
    w.push_str(&on_pairing("pj", scope, &mut p));
    w.push_str(&list_condition(
        "pj",
        f.unit_id,
        f.county_code.as_deref(),
        f.q.as_deref(),
        &mut p,
    ));
    if let Some(id) = f.plan_id {
        w.push_str(" AND pj.plan_id = ?");
        p.push(id.into());
    }
    if let Some(s) = f.status {
        w.push_str(" AND pj.status = ?");
        p.push(s.code().into());
    }
    let total = c.query_i64(&format!("SELECT COUNT(*) FROM projects pj{w}"), &p)?;
    p.push(page.limit().into());
    p.push(page.offset().into());
    let items = c.query_as(
        &format!("{SELECT}{w} ORDER BY pj.start_date DESC, pj.id DESC LIMIT ? OFFSET ?"),
        &p,
    )?;
    Ok((items, total))
}

pub fn get(c: &mut dyn Conn, scope: &Scope, id: i64) -> Result<Option<Project>> {
    let mut p = vec![Value::from(id)];
    let w = on_pairing("pj", scope, &mut p);
    c.query_one_as(&format!("{SELECT} WHERE pj.id = ?{w}"), &p)
}

/// Where a new project belongs: its plan, unit and county.
#[derive(Debug, Clone, Copy)]
pub struct Home<'a> {
    pub plan_id: i64,
    pub unit_id: i64,
    pub county_code: &'a str,
}

pub fn insert(
    c: &mut dyn Conn,
    home: Home,
    f: &ProjectFields,
    created_by: Option<i64>,
    now: i64,
) -> Result<i64> {
    let id = c.query_i64(
        "INSERT INTO projects (plan_id, unit_id, county_code, name, category, description, budget_fen, start_date, end_date, implementer, status, created_by, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'planned', ?, ?, ?) RETURNING id",
        params![home.plan_id, home.unit_id, home.county_code, f.name.clone(), f.category.code(), f.description.clone(), f.budget.get(), f.start_date, f.end_date, f.implementer.clone(), created_by, now, now],
    )?;
    write_lists(c, id, f)?;
    Ok(id)
}

/// Replaces a planned project's fields and lists.
pub fn update(c: &mut dyn Conn, id: i64, f: &ProjectFields, now: i64) -> Result<()> {
    c.execute(
        "UPDATE projects SET name = ?, category = ?, description = ?, budget_fen = ?, start_date = ?, end_date = ?, implementer = ?, updated_at = ? WHERE id = ?",
        params![f.name.clone(), f.category.code(), f.description.clone(), f.budget.get(), f.start_date, f.end_date, f.implementer.clone(), now, id],
    )?;
    for table in ["project_villages", "project_households", "project_outputs"] {
        c.execute(
            &format!("DELETE FROM {table} WHERE project_id = ?"),
            params![id],
        )?;
    }
    write_lists(c, id, f)
}

fn write_lists(c: &mut dyn Conn, id: i64, f: &ProjectFields) -> Result<()> {
    let pairs =
        |v: &[String]| -> Vec<Vec<Value>> { v.iter().map(|x| vec![id.into(), x.into()]).collect() };
    c.insert_rows(
        "project_villages",
        &["project_id", "village_code"],
        &pairs(&f.villages),
    )?;
    c.insert_rows(
        "project_households",
        &["project_id", "household_id"],
        &pairs(&f.households),
    )?;
    let outputs: Vec<Vec<Value>> = f
        .outputs
        .iter()
        .map(|o| {
            vec![
                id.into(),
                o.name.clone().into(),
                o.measure.clone().into(),
                o.planned_milli.into(),
                o.achieved_milli.into(),
            ]
        })
        .collect();
    c.insert_rows(
        "project_outputs",
        &[
            "project_id",
            "name",
            "measure",
            "planned_milli",
            "achieved_milli",
        ],
        &outputs,
    )?;
    Ok(())
}

fn strings(c: &mut dyn Conn, sql: &str, id: i64) -> Result<Vec<String>> {
    c.query(sql, params![id])?
        .iter()
        .map(|r| r.get("v"))
        .collect()
}

pub fn villages(c: &mut dyn Conn, id: i64) -> Result<Vec<String>> {
    strings(
        c,
        "SELECT village_code AS v FROM project_villages WHERE project_id = ? ORDER BY village_code",
        id,
    )
}

pub fn households(c: &mut dyn Conn, id: i64) -> Result<Vec<String>> {
    strings(
        c,
        "SELECT household_id AS v FROM project_households WHERE project_id = ? ORDER BY household_id",
        id,
    )
}

pub fn outputs(c: &mut dyn Conn, id: i64) -> Result<Vec<Output>> {
    c.query_as(
        "SELECT id, name, measure, planned_milli, achieved_milli FROM project_outputs WHERE project_id = ? ORDER BY id",
        params![id],
    )
}

/// Sets what an output achieved; the number of rows changed (0 when the
/// output is not the project's).
pub fn set_achieved(c: &mut dyn Conn, project_id: i64, output_id: i64, milli: i64) -> Result<u64> {
    c.execute(
        "UPDATE project_outputs SET achieved_milli = ? WHERE id = ? AND project_id = ?",
        params![milli, output_id, project_id],
    )
}

pub fn set_status(c: &mut dyn Conn, id: i64, s: ProjectStatus, now: i64) -> Result<()> {
    c.execute(
        "UPDATE projects SET status = ?, updated_at = ? WHERE id = ?",
        params![s.code(), now, id],
    )?;
    Ok(())
}

/// One dated step: (from, to), the day, who, why.
pub fn record_transition(
    c: &mut dyn Conn,
    id: i64,
    (from, to): (Option<ProjectStatus>, ProjectStatus),
    on: NaiveDate,
    (user_id, username): Who,
    reason: Option<&str>,
    now: i64,
) -> Result<()> {
    c.execute(
        "INSERT INTO project_transitions (project_id, from_status, to_status, on_date, user_id, username, at, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        params![id, from.map(|s| s.code()), to.code(), on, user_id, username, now, reason],
    )?;
    Ok(())
}

pub fn transitions(c: &mut dyn Conn, id: i64) -> Result<Vec<StepRecord<ProjectStatus>>> {
    steps(c, "project_transitions", "project_id", id)
}

/// A progress note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub on_date: NaiveDate,
    pub text: String,
    pub display_name: String,
    pub at: i64,
}

impl FromRow for Progress {
    const TABLE: &'static str = "project_progress";
    fn from_row(r: &Row) -> Result<Progress> {
        Ok(Progress {
            on_date: r.get("on_date")?,
            text: r.get("text")?,
            display_name: r.get("display_name")?,
            at: r.get("at")?,
        })
    }
}

pub fn add_progress(
    c: &mut dyn Conn,
    id: i64,
    on: NaiveDate,
    text: &str,
    (user_id, username): Who,
    now: i64,
) -> Result<()> {
    c.execute(
        "INSERT INTO project_progress (project_id, on_date, text, user_id, username, at) VALUES (?, ?, ?, ?, ?, ?)",
        params![id, on, text, user_id, username, now],
    )?;
    Ok(())
}

pub fn progress(c: &mut dyn Conn, id: i64) -> Result<Vec<Progress>> {
    c.query_as(
        "SELECT p.on_date, p.text, p.at, COALESCE(u.display_name, p.username) AS display_name \
         FROM project_progress p LEFT JOIN users u ON u.id = p.user_id WHERE p.project_id = ? ORDER BY p.on_date DESC, p.id DESC",
        params![id],
    )
}

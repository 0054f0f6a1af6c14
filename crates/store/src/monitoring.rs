//! Return-risk monitoring cases (监测对象), their risks, measures and steps.

use crate::db::{Conn, Page, Result, Value};
use crate::params;
use crate::registry::scope_condition;
use crate::row::{FromRow, Row};
use chrono::NaiveDate;
use dingdian_core::household_help::HouseholdMeasureCategory;
use dingdian_core::monitoring::{
    CaseMeasure, CaseRisk, CaseStep, ClearReason, FlagSource, MeasureFields, MonitoredHousehold,
    MonitoredKind, MonitoringCount, MonitoringFilter, MonitoringStatus, RegistryIncome, Risk,
    Threshold,
};
use dingdian_core::registry::PovertyStatus;
use dingdian_core::role::Scope;
use dingdian_core::rural::Origin;
use std::collections::HashMap;

/// A risk to flag a household for: by registry data, a cadre, the
/// household's own application, or a departmental alert row.
#[derive(Debug, Clone)]
pub struct NewFlag<'a> {
    pub household_id: &'a str,
    pub county_code: &'a str,
    /// The registry year the flag was raised on.
    pub year: i32,
    /// The kind a new case gets; an open case keeps its own.
    pub kind: MonitoredKind,
    pub risk: Risk,
    pub source: FlagSource,
    pub detail: Option<&'a str>,
    pub on: NaiveDate,
    pub by: Option<i64>,
    pub alert_row_id: Option<i64>,
    pub now: i64,
}

/// What flagging did, with the case's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flagged {
    /// A new case was opened with this risk.
    Opened(i64),
    /// The household's open case got this risk added.
    Added(i64),
    /// The open case already holds this risk: nothing was written.
    AlreadyFlagged(i64),
}

/// Flags a household: opens a case when it has none open (status flagged,
/// with its first step recorded), then adds the risk unless the open case
/// already holds it. The caller checks scope and audits.
pub fn flag(c: &mut dyn Conn, f: &NewFlag) -> Result<Flagged> {
    let open = c.query_one(
        "SELECT id FROM monitored_households WHERE household_id = ? AND status <> ?",
        params![f.household_id, MonitoringStatus::Cleared.code()],
    )?;
    let (case, opened) = match open {
        Some(r) => (r.get::<i64>("id")?, false),
        None => (open_case(c, f)?, true),
    };
    if !opened {
        let held = c.query_one(
            "SELECT id FROM monitoring_risks WHERE monitored_id = ? AND risk = ?",
            params![case, f.risk.code()],
        )?;
        if held.is_some() {
            return Ok(Flagged::AlreadyFlagged(case));
        }
    }
    c.execute(
        "INSERT INTO monitoring_risks (monitored_id, risk, source, detail, flagged_on, flagged_by, \
         alert_row_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            case,
            f.risk.code(),
            f.source.code(),
            f.detail,
            f.on,
            f.by,
            f.alert_row_id,
            f.now
        ],
    )?;
    Ok(if opened {
        Flagged::Opened(case)
    } else {
        Flagged::Added(case)
    })
}

fn open_case(c: &mut dyn Conn, f: &NewFlag) -> Result<i64> {
    let flagged = MonitoringStatus::Flagged.code();
    let case = c.query_i64(
        "INSERT INTO monitored_households (household_id, county_code, year, kind, status, source, \
         flagged_on, flagged_by, created_at, updated_at, origin) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        params![
            f.household_id,
            f.county_code,
            f.year,
            f.kind.code(),
            flagged,
            f.source.code(),
            f.on,
            f.by,
            f.now,
            f.now,
            Origin::of_household_id(f.household_id).code()
        ],
    )?;
    c.execute(
        "INSERT INTO monitoring_transitions (monitored_id, from_status, to_status, on_date, actor_id, note, at) \
         VALUES (?, NULL, ?, ?, ?, ?, ?)",
        params![case, flagged, f.on, f.by, f.detail, f.now],
    )?;
    Ok(case)
}

// ---- Reads and the steps of a case (part B) ----

const SELECT: &str = "SELECT m.*, a.name AS county_name FROM monitored_households m \
     JOIN areas a ON a.code = m.county_code";

impl FromRow for MonitoredHousehold {
    const TABLE: &'static str = "monitored_households";
    fn from_row(r: &Row) -> Result<MonitoredHousehold> {
        Ok(MonitoredHousehold {
            id: r.get("id")?,
            household_id: r.get("household_id")?,
            origin: r.decode("origin", |s: String| Origin::from_code(&s))?,
            county_code: r.get("county_code")?,
            county_name: r.get("county_name")?,
            year: r.get("year")?,
            kind: r.decode("kind", |s: String| MonitoredKind::from_code(&s))?,
            risks: Vec::new(),
            status: r.decode("status", |s: String| MonitoringStatus::from_code(&s))?,
            source: r.decode("source", |s: String| FlagSource::from_code(&s))?,
            no_labour: r.get("no_labour")?,
            flagged_on: r.get("flagged_on")?,
            verified_on: r.get("verified_on")?,
            reviewed_on: r.get("reviewed_on")?,
            cleared_on: r.get("cleared_on")?,
            clear_reason: r.decode_opt("clear_reason", |s: String| ClearReason::from_code(&s))?,
            measures: Vec::new(),
        })
    }
}

impl FromRow for CaseMeasure {
    const TABLE: &'static str = "monitoring_measures";
    fn from_row(r: &Row) -> Result<CaseMeasure> {
        Ok(CaseMeasure {
            id: r.get("id")?,
            category: r.decode("category", |s: String| HouseholdMeasureCategory::parse(&s))?,
            description: r.get("description")?,
            on_date: r.get("on_date")?,
        })
    }
}

impl FromRow for CaseRisk {
    const TABLE: &'static str = "monitoring_risks";
    fn from_row(r: &Row) -> Result<CaseRisk> {
        Ok(CaseRisk {
            risk: r.decode("risk", |s: String| Risk::from_code(&s))?,
            source: r.decode("source", |s: String| FlagSource::from_code(&s))?,
            detail: r.get("detail")?,
            flagged_on: r.get("flagged_on")?,
            alert_row_id: r.get("alert_row_id")?,
        })
    }
}

impl FromRow for CaseStep {
    const TABLE: &'static str = "monitoring_transitions";
    fn from_row(r: &Row) -> Result<CaseStep> {
        let parse = |s: String| MonitoringStatus::from_code(&s);
        Ok(CaseStep {
            from: r.decode_opt("from_status", parse)?,
            to: r.decode("to_status", parse)?,
            on_date: r.get("on_date")?,
            by: r.get::<Option<String>>("by_name")?.unwrap_or_default(),
            note: r.get("note")?,
        })
    }
}

fn filter_where(scope: &Scope, f: &MonitoringFilter, p: &mut Vec<Value>) -> String {
    let mut w = String::from(" WHERE 1 = 1");
    w.push_str(&scope_condition(scope, "m.county_code", p));
    if let Some(county) = &f.county_code {
        w.push_str(" AND m.county_code = ?");
        p.push(county.into());
    }
    if let Some(y) = f.year {
        w.push_str(" AND m.year = ?");
        p.push(y.into());
    }
    if let Some(k) = f.kind {
        w.push_str(" AND m.kind = ?");
        p.push(k.code().into());
    }
    if let Some(s) = f.status {
        w.push_str(" AND m.status = ?");
        p.push(s.code().into());
    }
    if let Some(r) = f.risk {
        w.push_str(" AND EXISTS (SELECT 1 FROM monitoring_risks r WHERE r.monitored_id = m.id AND r.risk = ?)");
        p.push(r.code().into());
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        w.push_str(" AND m.household_id LIKE ?");
        p.push(format!("%{q}%").into());
    }
    w
}

/// A page of cases in the registry's scope, by county, household and
/// opening, each with its risks and measures.
pub fn list(
    c: &mut dyn Conn,
    scope: &Scope,
    f: &MonitoringFilter,
    page: Page,
) -> Result<(Vec<MonitoredHousehold>, i64)> {
    let mut p = Vec::new();
    let w = filter_where(scope, f, &mut p);
    let total = c.query_i64(
        &format!("SELECT COUNT(*) FROM monitored_households m{w}"),
        &p,
    )?;
    p.push(page.limit().into());
    p.push(page.offset().into());
    let mut items: Vec<MonitoredHousehold> = c.query_as(
        &format!("{SELECT}{w} ORDER BY m.county_code, m.household_id, m.id LIMIT ? OFFSET ?"),
        &p,
    )?;
    with_risks_and_measures(c, &mut items)?;
    Ok((items, total))
}

/// Fills each case's risks and measures (two queries per page).
fn with_risks_and_measures(c: &mut dyn Conn, items: &mut [MonitoredHousehold]) -> Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    let ids: Vec<Value> = items.iter().map(|m| m.id.into()).collect();
    let marks = vec!["?"; ids.len()].join(", ");
    let mut at: HashMap<i64, usize> = HashMap::new();
    for (i, m) in items.iter().enumerate() {
        at.insert(m.id, i);
    }
    let risks = c.query(
        &format!("SELECT monitored_id, risk FROM monitoring_risks WHERE monitored_id IN ({marks}) ORDER BY id"),
        &ids,
    )?;
    for r in &risks {
        let i = at[&r.get::<i64>("monitored_id")?];
        items[i]
            .risks
            .push(r.decode("risk", |s: String| Risk::from_code(&s))?);
    }
    let measures = c.query(
        &format!(
            "SELECT * FROM monitoring_measures WHERE monitored_id IN ({marks}) ORDER BY on_date, id"
        ),
        &ids,
    )?;
    for r in &measures {
        let i = at[&r.get::<i64>("monitored_id")?];
        items[i].measures.push(r.to()?);
    }
    Ok(())
}

/// One case in the scope, with its risks and measures.
pub fn get(c: &mut dyn Conn, scope: &Scope, id: i64) -> Result<Option<MonitoredHousehold>> {
    let mut p = vec![Value::from(id)];
    let w = scope_condition(scope, "m.county_code", &mut p);
    let Some(m) = c.query_one_as(&format!("{SELECT} WHERE m.id = ?{w}"), &p)? else {
        return Ok(None);
    };
    let mut one = [m];
    with_risks_and_measures(c, &mut one)?;
    let [m] = one;
    Ok(Some(m))
}

/// A case's risks as flagged, oldest first.
pub fn risks(c: &mut dyn Conn, id: i64) -> Result<Vec<CaseRisk>> {
    c.query_as(
        "SELECT * FROM monitoring_risks WHERE monitored_id = ? ORDER BY id",
        params![id],
    )
}

/// A case's steps, oldest first, with who took them.
pub fn steps(c: &mut dyn Conn, id: i64) -> Result<Vec<CaseStep>> {
    c.query_as(
        "SELECT t.from_status, t.to_status, t.on_date, t.note, u.display_name AS by_name \
         FROM monitoring_transitions t LEFT JOIN users u ON u.id = t.actor_id \
         WHERE t.monitored_id = ? ORDER BY t.on_date, t.id",
        params![id],
    )
}

/// Cases by county × kind × status × risk in the scope (one county or
/// all, one year or all).
pub fn counts(
    c: &mut dyn Conn,
    scope: &Scope,
    f: &MonitoringFilter,
) -> Result<Vec<MonitoringCount>> {
    let mut p = Vec::new();
    let w = filter_where(scope, f, &mut p);
    let rows = c.query(
        &format!(
            "SELECT m.county_code, m.kind, m.status, r.risk, COUNT(*) AS n \
             FROM monitored_households m JOIN monitoring_risks r ON r.monitored_id = m.id{w} \
             GROUP BY m.county_code, m.kind, m.status, r.risk ORDER BY m.county_code, m.kind, m.status, r.risk"
        ),
        &p,
    )?;
    rows.iter()
        .map(|r| {
            Ok(MonitoringCount {
                county_code: r.get("county_code")?,
                kind: r.decode("kind", |s: String| MonitoredKind::from_code(&s))?,
                status: r.decode("status", |s: String| MonitoringStatus::from_code(&s))?,
                risk: r.decode("risk", |s: String| Risk::from_code(&s))?,
                households: r.get("n")?,
            })
        })
        .collect()
}

/// Open (not cleared) cases by kind in the scope.
pub fn open_by_kind(
    c: &mut dyn Conn,
    scope: &Scope,
    f: &MonitoringFilter,
) -> Result<Vec<(MonitoredKind, i64)>> {
    let mut p = Vec::new();
    let w = filter_where(scope, f, &mut p);
    let rows = c.query(
        &format!(
            "SELECT m.kind, COUNT(*) AS n FROM monitored_households m{w} AND m.status <> 'cleared' \
             GROUP BY m.kind ORDER BY m.kind"
        ),
        &p,
    )?;
    rows.iter()
        .map(|r| {
            Ok((
                r.decode("kind", |s: String| MonitoredKind::from_code(&s))?,
                r.get("n")?,
            ))
        })
        .collect()
}

/// A step taken: (case, from, to, day, actor, note).
pub struct StepTaken<'a> {
    pub id: i64,
    pub from: MonitoringStatus,
    pub to: MonitoringStatus,
    pub on: NaiveDate,
    pub by: Option<i64>,
    pub note: Option<&'a str>,
    pub no_labour: bool,
    pub reason: Option<ClearReason>,
    pub now: i64,
}

/// Moves a case one step on (only from the status it was read in, so a
/// concurrent step loses: `false`), sets the step's dated columns and
/// records it.
pub fn take_step(c: &mut dyn Conn, s: &StepTaken) -> Result<bool> {
    let (on, by) = (s.on, s.by);
    let set = match s.to {
        MonitoringStatus::Verified => "verified_on = ?, verified_by = ?, no_labour = ?",
        MonitoringStatus::Monitored => "reviewed_on = ?, reviewed_by = ?",
        MonitoringStatus::Cleared => "cleared_on = ?, cleared_by = ?, clear_reason = ?",
        MonitoringStatus::Flagged => return Ok(false),
    };
    let mut p: Vec<Value> = vec![s.to.code().into(), on.into(), by.into()];
    match s.to {
        MonitoringStatus::Verified => p.push(s.no_labour.into()),
        MonitoringStatus::Cleared => p.push(s.reason.map(ClearReason::code).into()),
        _ => {}
    }
    p.extend([s.now.into(), s.id.into(), s.from.code().into()]);
    let changed = c.execute(
        &format!("UPDATE monitored_households SET status = ?, {set}, updated_at = ? WHERE id = ? AND status = ?"),
        &p,
    )?;
    if changed == 0 {
        return Ok(false);
    }
    c.execute(
        "INSERT INTO monitoring_transitions (monitored_id, from_status, to_status, on_date, actor_id, note, at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
        params![s.id, s.from.code(), s.to.code(), on, by, s.note, s.now],
    )?;
    Ok(true)
}

pub fn add_measure(
    c: &mut dyn Conn,
    id: i64,
    m: &MeasureFields,
    by: Option<i64>,
    now: i64,
) -> Result<i64> {
    c.query_i64(
        "INSERT INTO monitoring_measures (monitored_id, category, description, on_date, created_by, created_at) \
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        params![id, m.category.as_str(), m.description.clone(), m.date, by, now],
    )
}

/// The threshold the office set for a province and year, if any.
pub fn threshold(c: &mut dyn Conn, province: &str, year: i32) -> Result<Option<Threshold>> {
    c.query_one_as(
        "SELECT * FROM monitoring_thresholds WHERE province_code = ? AND year = ?",
        params![province, year],
    )
}

/// Every threshold the office set for a year, by province.
pub fn thresholds_of_year(c: &mut dyn Conn, year: i32) -> Result<Vec<Threshold>> {
    c.query_as(
        "SELECT * FROM monitoring_thresholds WHERE year = ? ORDER BY province_code",
        params![year],
    )
}

impl FromRow for Threshold {
    const TABLE: &'static str = "monitoring_thresholds";
    fn from_row(r: &Row) -> Result<Threshold> {
        Ok(Threshold {
            province_code: r.get("province_code")?,
            year: r.get("year")?,
            income_fen: r.get("income_fen")?,
            drop_percent: r.get("drop_percent")?,
            is_default: false,
        })
    }
}

pub fn set_threshold(c: &mut dyn Conn, t: &Threshold, by: Option<i64>, now: i64) -> Result<()> {
    c.execute(
        "INSERT INTO monitoring_thresholds (province_code, year, income_fen, drop_percent, set_by, set_at) \
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (province_code, year) DO UPDATE SET \
         income_fen = excluded.income_fen, drop_percent = excluded.drop_percent, \
         set_by = excluded.set_by, set_at = excluded.set_at",
        params![t.province_code.clone(), t.year, t.income_fen, t.drop_percent, by, now],
    )?;
    Ok(())
}

/// The poverty line of a year, if known.
pub fn line_of(c: &mut dyn Conn, year: i32) -> Result<Option<i64>> {
    c.query_one(
        "SELECT line_fen FROM poverty_lines WHERE year = ?",
        params![year],
    )?
    .map(|r| r.get::<i64>("line_fen"))
    .transpose()
}

/// Each household of a county and registry year with its per-capita
/// income and that of its previous registry year.
pub fn registry_incomes(c: &mut dyn Conn, county: &str, year: i32) -> Result<Vec<RegistryIncome>> {
    let rows = c.query(
        "SELECT h.household_id, h.status, h.income_fen, \
         (SELECT p.income_fen FROM households p WHERE p.household_id = h.household_id AND p.year < h.year \
          ORDER BY p.year DESC LIMIT 1) AS previous_income_fen \
         FROM households h WHERE h.year = ? AND h.county_code = ? ORDER BY h.household_id",
        params![year, county],
    )?;
    rows.iter()
        .map(|r| {
            Ok(RegistryIncome {
                household_id: r.get("household_id")?,
                status: r.decode("status", PovertyStatus::from_code)?,
                income_fen: r.get("income_fen")?,
                previous_income_fen: r.get("previous_income_fen")?,
            })
        })
        .collect()
}

/// A household of a registry year in the scope: its county and status.
/// A household outside the registry in the scope, by its id: its county.
pub fn rural_household_county(
    c: &mut dyn Conn,
    scope: &Scope,
    household_id: &str,
) -> Result<Option<String>> {
    let mut p: Vec<Value> = vec![household_id.into()];
    let w = scope_condition(scope, "h.county_code", &mut p);
    c.query_one(
        &format!("SELECT h.county_code FROM rural_households h WHERE h.household_id = ?{w}"),
        &p,
    )?
    .map(|r| r.get("county_code"))
    .transpose()
}

pub fn registered_household(
    c: &mut dyn Conn,
    scope: &Scope,
    year: i32,
    household_id: &str,
) -> Result<Option<(String, PovertyStatus)>> {
    let mut p: Vec<Value> = vec![year.into(), household_id.into()];
    let w = scope_condition(scope, "h.county_code", &mut p);
    let Some(r) = c.query_one(
        &format!("SELECT h.county_code, h.status FROM households h WHERE h.year = ? AND h.household_id = ?{w}"),
        &p,
    )?
    else {
        return Ok(None);
    };
    Ok(Some((
        r.get("county_code")?,
        r.decode("status", PovertyStatus::from_code)?,
    )))
}

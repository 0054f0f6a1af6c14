//! Return-risk monitoring cases (监测对象), their risks, measures and steps.

use crate::db::{Conn, Result};
use crate::params;
use chrono::NaiveDate;
use dingdian_core::monitoring::{FlagSource, MonitoredKind, MonitoringStatus, Risk};

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
         flagged_on, flagged_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
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
            f.now
        ],
    )?;
    c.execute(
        "INSERT INTO monitoring_transitions (monitored_id, from_status, to_status, on_date, actor_id, note, at) \
         VALUES (?, NULL, ?, ?, ?, ?, ?)",
        params![case, flagged, f.on, f.by, f.detail, f.now],
    )?;
    Ok(case)
}

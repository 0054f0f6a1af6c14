//! Late and missing reports per unit and per cadre, and each unit's
//! on-time rate: of the reports due so far (due before today), those first
//! submitted on or before their due day. A team report never submitted
//! counts against its author, or, when no one wrote it, the team's leader
//! serving in the period.

use crate::error::Result;
use crate::reports::china_day;
use crate::{Actor, App};
use chrono::NaiveDate;
use dingdian_core::report::{self as rules, Report, ReportFilter, TeamSpan};
use dingdian_core::role::Action;
use dingdian_store::Page;
use dingdian_store::reports as store;
use std::collections::BTreeMap;

/// How one unit, or one person, kept the calendar.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Tally {
    /// Reports due so far.
    pub due: i64,
    pub on_time: i64,
    /// First submitted after the due day.
    pub late: i64,
    /// Never submitted, past due.
    pub missing: i64,
    /// Still with the author past due (never submitted, or returned).
    pub overdue: i64,
    /// on_time ÷ due in per mille; null when nothing was due yet.
    pub on_time_permille: Option<i64>,
}

impl Tally {
    fn add(&mut self, r: &Report, today: NaiveDate) {
        let first = r.first_submitted_at.and_then(china_day);
        self.due += 1;
        match first {
            Some(d) if d <= r.due => self.on_time += 1,
            Some(_) => self.late += 1,
            None => self.missing += 1,
        }
        if r.overdue(today) {
            self.overdue += 1;
        }
        self.on_time_permille = rules::on_time_permille(self.on_time, self.due);
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct UnitPunctuality {
    pub unit_id: i64,
    pub unit_name: String,
    #[serde(flatten)]
    pub tally: Tally,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct PersonPunctuality {
    /// The author, or the team leader a report never written counts
    /// against; null when the team had no leader in the period.
    pub person: Option<String>,
    pub unit_id: i64,
    pub unit_name: String,
    pub county_code: String,
    #[serde(flatten)]
    pub tally: Tally,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Punctuality {
    pub units: Vec<UnitPunctuality>,
    /// Team reports (quarterly, year-end) per person.
    pub people: Vec<PersonPunctuality>,
}

/// Whom a team report counts against.
fn person_of(r: &Report, spans: &[TeamSpan]) -> Option<String> {
    if r.first_submitted_at.is_some() || r.author.is_some() {
        return r.author.clone();
    }
    let county = r.county_code.as_deref()?;
    rules::responsible_leader(spans, r.unit_id, county, r.period).map(|s| s.person_name.clone())
}

fn tally(reports: &[Report], spans: &[TeamSpan], today: NaiveDate) -> Punctuality {
    let mut units: BTreeMap<i64, UnitPunctuality> = BTreeMap::new();
    let mut people: BTreeMap<(i64, String, Option<String>), PersonPunctuality> = BTreeMap::new();
    for r in reports.iter().filter(|r| r.due < today) {
        units
            .entry(r.unit_id)
            .or_insert_with(|| UnitPunctuality {
                unit_id: r.unit_id,
                unit_name: r.unit_name.clone(),
                tally: Tally::default(),
            })
            .tally
            .add(r, today);
        let Some(county) = r.county_code.clone() else {
            continue;
        };
        let person = person_of(r, spans);
        people
            .entry((r.unit_id, county.clone(), person.clone()))
            .or_insert_with(|| PersonPunctuality {
                person,
                unit_id: r.unit_id,
                unit_name: r.unit_name.clone(),
                county_code: county,
                tally: Tally::default(),
            })
            .tally
            .add(r, today);
    }
    Punctuality {
        units: units.into_values().collect(),
        people: people.into_values().collect(),
    }
}

impl App {
    /// Punctuality of the reports the actor may read, of one year's
    /// periods or of all.
    pub fn report_punctuality(
        &self,
        actor: &Actor,
        year: Option<i32>,
        today: NaiveDate,
    ) -> Result<Punctuality> {
        actor.require(Action::ReadAssistance)?;
        let f = ReportFilter {
            year,
            ..Default::default()
        };
        let (reports, spans) = self.store.read(|c| {
            let (reports, _) = store::list(c, &actor.scope, &f, today, Page::all())?;
            Ok::<_, crate::AppError>((reports, store::team_spans(c)?))
        })?;
        Ok(tally(&reports, &spans, today))
    }
}

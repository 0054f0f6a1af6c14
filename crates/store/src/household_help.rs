//! A registry household's helpers, measures and home visits, and the
//! county's two lists: households without a helper and helpers who have
//! not visited in a quarter. Scoped like the registry: a county officer or
//! cadre its county, a unit no one (`registry::scope_condition`).

use crate::db::{Conn, Page, Result, Value};
use crate::params;
use crate::registry::scope_condition;
use crate::row::{FromRow, Row};
use crate::village_teams::official_values;
use chrono::NaiveDate;
use dingdian_core::household_help::{
    HelpFilter, Helper, HelperFields, HomeVisit, HouseholdMeasureCategory, HouseholdWithoutHelper,
    Measure, MeasureFields, Quarter, UnvisitedHelper, VisitFields,
};
use dingdian_core::role::Scope;
use dingdian_core::village_team::Official;

/// The county of a household the scope reaches (its latest registry
/// year's), or `None`: no such household, or not the caller's to see.
pub fn household_county(
    c: &mut dyn Conn,
    scope: &Scope,
    household_id: &str,
) -> Result<Option<String>> {
    let mut p: Vec<Value> = vec![household_id.into()];
    let w = scope_condition(scope, "h.county_code", &mut p);
    let row = c.query_one(
        &format!(
            "SELECT h.county_code FROM households h WHERE h.household_id = ?{w} \
             ORDER BY h.year DESC LIMIT 1"
        ),
        &p,
    )?;
    row.map(|r| r.get("county_code")).transpose()
}

/// Who writes, and when.
#[derive(Debug, Clone, Copy)]
pub struct Writer {
    pub by: Option<i64>,
    pub now: i64,
}

pub fn insert_helper(c: &mut dyn Conn, h: &HelperFields, county: &str, w: Writer) -> Result<i64> {
    let [secondment, name, post] = official_values(&h.official);
    let phone = match &h.official {
        Official::Local { phone, .. } => phone.as_deref().into(),
        Official::Secondment(_) => Value::Null,
    };
    c.query_i64(
        "INSERT INTO household_helpers (household_id, county_code, secondment_id, person_name, post, phone, \
         from_date, to_date, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        &[
            h.household_id.as_str().into(),
            county.into(),
            secondment,
            name,
            post,
            phone,
            h.from.into(),
            h.to.into(),
            w.by.into(),
            w.now.into(),
        ],
    )
}

pub fn insert_measure(c: &mut dyn Conn, m: &MeasureFields, county: &str, w: Writer) -> Result<i64> {
    c.query_i64(
        "INSERT INTO household_measures (household_id, county_code, category, description, on_date, created_by, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        params![
            m.household_id.as_str(),
            county,
            m.category.as_str(),
            m.description.as_str(),
            m.date,
            w.by,
            w.now
        ],
    )
}

pub fn insert_visit(c: &mut dyn Conn, v: &VisitFields, county: &str, w: Writer) -> Result<i64> {
    c.query_i64(
        "INSERT INTO home_visits (helper_id, household_id, county_code, visited_on, found, done, created_by, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        params![
            v.helper_id,
            v.household_id.as_str(),
            county,
            v.date,
            v.found.as_str(),
            v.done.as_str(),
            w.by,
            w.now
        ],
    )
}

/// The helper's name, post and phone, from the secondment where the helper
/// is a seconded cadre.
const HELPER_COLUMNS: &str = "hh.id, hh.household_id, hh.county_code, hh.secondment_id, \
    COALESCE(hh.person_name, s.person_name) AS person_name, COALESCE(hh.post, s.post) AS post, \
    COALESCE(hh.phone, s.contact) AS phone, hh.from_date, hh.to_date";
const HELPER_FROM: &str =
    "FROM household_helpers hh LEFT JOIN secondments s ON s.id = hh.secondment_id";

impl FromRow for Helper {
    const TABLE: &'static str = "household_helpers";
    fn from_row(r: &Row) -> Result<Helper> {
        Ok(Helper {
            id: r.get("id")?,
            household_id: r.get("household_id")?,
            county_code: r.get("county_code")?,
            secondment_id: r.get("secondment_id")?,
            person_name: r.get("person_name")?,
            post: r.get("post")?,
            phone: r.get("phone")?,
            from_date: r.get("from_date")?,
            to_date: r.get::<Option<NaiveDate>>("to_date")?,
        })
    }
}

impl FromRow for Measure {
    const TABLE: &'static str = "household_measures";
    fn from_row(r: &Row) -> Result<Measure> {
        Ok(Measure {
            id: r.get("id")?,
            household_id: r.get("household_id")?,
            category: r.decode("category", |s: String| HouseholdMeasureCategory::parse(&s))?,
            description: r.get("description")?,
            date: r.get("on_date")?,
        })
    }
}

impl FromRow for HomeVisit {
    const TABLE: &'static str = "home_visits";
    fn from_row(r: &Row) -> Result<HomeVisit> {
        Ok(HomeVisit {
            id: r.get("id")?,
            household_id: r.get("household_id")?,
            helper_id: r.get("helper_id")?,
            helper_name: r.get("helper_name")?,
            date: r.get("visited_on")?,
            found: r.get("found")?,
            done: r.get("done")?,
        })
    }
}

/// The household's helpers, newest first.
pub fn helpers(c: &mut dyn Conn, county: &str, household: &str) -> Result<Vec<Helper>> {
    c.query_as(
        &format!(
            "SELECT {HELPER_COLUMNS} {HELPER_FROM} WHERE hh.county_code = ? AND hh.household_id = ? \
             ORDER BY hh.from_date DESC, hh.id DESC"
        ),
        params![county, household],
    )
}

/// One of the household's helpers.
pub fn helper(
    c: &mut dyn Conn,
    (county, household): (&str, &str),
    id: i64,
) -> Result<Option<Helper>> {
    c.query_one_as(
        &format!(
            "SELECT {HELPER_COLUMNS} {HELPER_FROM} WHERE hh.county_code = ? AND hh.household_id = ? AND hh.id = ?"
        ),
        params![county, household, id],
    )
}

/// `(first, last)` of a year, or the whole range.
fn year_range(year: Option<i32>) -> (String, String) {
    match year {
        Some(y) => (format!("{y:04}-01-01"), format!("{y:04}-12-31")),
        None => ("0000-01-01".into(), "9999-12-31".into()),
    }
}

/// The household's measures (of a year, if given), newest first.
pub fn measures(
    c: &mut dyn Conn,
    (county, household): (&str, &str),
    year: Option<i32>,
) -> Result<Vec<Measure>> {
    let (first, last) = year_range(year);
    c.query_as(
        "SELECT * FROM household_measures WHERE county_code = ? AND household_id = ? \
         AND on_date >= ? AND on_date <= ? ORDER BY on_date DESC, id DESC",
        params![county, household, first, last],
    )
}

/// The household's home visits (of a year, if given), newest first.
pub fn visits(
    c: &mut dyn Conn,
    (county, household): (&str, &str),
    year: Option<i32>,
) -> Result<Vec<HomeVisit>> {
    let (first, last) = year_range(year);
    c.query_as(
        "SELECT v.*, COALESCE(hh.person_name, s.person_name) AS helper_name FROM home_visits v \
         JOIN household_helpers hh ON hh.id = v.helper_id LEFT JOIN secondments s ON s.id = hh.secondment_id \
         WHERE v.county_code = ? AND v.household_id = ? AND v.visited_on >= ? AND v.visited_on <= ? \
         ORDER BY v.visited_on DESC, v.id DESC",
        params![county, household, first, last],
    )
}

/// The scope and the filter's county on `column`, and `q` in `search`.
fn help_where(
    scope: &Scope,
    f: &HelpFilter,
    (column, search): (&str, &[&str]),
    p: &mut Vec<Value>,
) -> String {
    let mut w = scope_condition(scope, column, p);
    if let Some(county) = &f.county_code {
        w.push_str(&format!(" AND {column} = ?"));
        p.push(county.into());
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let any: Vec<String> = search
            .iter()
            .map(|col| {
                p.push(format!("%{q}%").into());
                format!("{col} LIKE ?")
            })
            .collect();
        w.push_str(&format!(" AND ({})", any.join(" OR ")));
    }
    w
}

impl FromRow for HouseholdWithoutHelper {
    const TABLE: &'static str = "households";
    fn from_row(r: &Row) -> Result<HouseholdWithoutHelper> {
        Ok(HouseholdWithoutHelper {
            household_id: r.get("household_id")?,
            year: r.get("year")?,
            county_code: r.get("county_code")?,
            village_code: r.get("village_code")?,
            village_name: r.get("village_name")?,
        })
    }
}

/// The households of their county's latest registry year with no helper
/// on `day`, by village.
pub fn without_helper(
    c: &mut dyn Conn,
    scope: &Scope,
    f: &HelpFilter,
    day: NaiveDate,
    page: Page,
) -> Result<(Vec<HouseholdWithoutHelper>, i64)> {
    let mut p: Vec<Value> = vec![day.into(), day.into()];
    let w = help_where(
        scope,
        f,
        ("h.county_code", &["h.household_id", "a.name"]),
        &mut p,
    );
    let from = "FROM households h LEFT JOIN areas a ON a.code = h.village_code \
         WHERE h.year = (SELECT MAX(h2.year) FROM households h2 WHERE h2.county_code = h.county_code) \
         AND NOT EXISTS (SELECT 1 FROM household_helpers hh WHERE hh.county_code = h.county_code \
         AND hh.household_id = h.household_id AND hh.from_date <= ? AND (hh.to_date IS NULL OR hh.to_date >= ?))";
    let total = c.query_i64(&format!("SELECT COUNT(*) {from}{w}"), &p)?;
    p.extend([page.limit().into(), page.offset().into()]);
    let rows = c.query_as(
        &format!(
            "SELECT h.household_id, h.year, h.county_code, h.village_code, COALESCE(a.name, '') AS village_name \
             {from}{w} ORDER BY h.village_code, h.household_id LIMIT ? OFFSET ?"
        ),
        &p,
    )?;
    Ok((rows, total))
}

impl FromRow for UnvisitedHelper {
    const TABLE: &'static str = "household_helpers";
    fn from_row(r: &Row) -> Result<UnvisitedHelper> {
        Ok(UnvisitedHelper {
            helper_id: r.get("id")?,
            household_id: r.get("household_id")?,
            county_code: r.get("county_code")?,
            person_name: r.get("person_name")?,
            post: r.get("post")?,
            phone: r.get("phone")?,
            last_visit: r.get::<Option<NaiveDate>>("last_visit")?,
        })
    }
}

/// The helpers helping during the quarter who did not visit their
/// household in it, with their last visit before its end.
pub fn unvisited(
    c: &mut dyn Conn,
    scope: &Scope,
    f: &HelpFilter,
    quarter: Quarter,
    page: Page,
) -> Result<(Vec<UnvisitedHelper>, i64)> {
    let (first, last) = (quarter.first_day(), quarter.last_day());
    let mut p: Vec<Value> = vec![last.into(), first.into(), first.into(), last.into()];
    let w = help_where(
        scope,
        f,
        (
            "hh.county_code",
            &["hh.household_id", "hh.person_name", "s.person_name"],
        ),
        &mut p,
    );
    let from = format!(
        "{HELPER_FROM} WHERE hh.from_date <= ? AND (hh.to_date IS NULL OR hh.to_date >= ?) \
         AND NOT EXISTS (SELECT 1 FROM home_visits v WHERE v.helper_id = hh.id \
         AND v.visited_on >= ? AND v.visited_on <= ?)"
    );
    let total = c.query_i64(&format!("SELECT COUNT(*) {from}{w}"), &p)?;
    let mut all: Vec<Value> = vec![last.into()];
    all.extend(p);
    all.extend([page.limit().into(), page.offset().into()]);
    let rows = c.query_as(
        &format!(
            "SELECT {HELPER_COLUMNS}, (SELECT MAX(v.visited_on) FROM home_visits v WHERE v.helper_id = hh.id \
             AND v.visited_on <= ?) AS last_visit {from}{w} \
             ORDER BY hh.county_code, hh.household_id, hh.id LIMIT ? OFFSET ?"
        ),
        &all,
    )?;
    Ok((rows, total))
}

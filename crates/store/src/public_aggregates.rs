//! The aggregates the office published for the public page: one row per
//! year and county, the figures frozen as JSON. No personal data is ever
//! written here (see `dingdian_core::public_aggregate`).

use crate::db::{Conn, Page, Result, Value};
use crate::params;
use crate::row::{FromRow, Row};

/// One published county and year.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedRow {
    pub year: i32,
    pub county_code: String,
    pub county_name: String,
    /// The JSON of `PublicFigures`.
    pub figures: String,
    pub published_at: i64,
}

impl FromRow for PublishedRow {
    const TABLE: &'static str = "public_aggregates";
    fn from_row(r: &Row) -> Result<PublishedRow> {
        Ok(PublishedRow {
            year: r.get("year")?,
            county_code: r.get("county_code")?,
            county_name: r.get("county_name")?,
            figures: r.get("figures")?,
            published_at: r.get("published_at")?,
        })
    }
}

/// A published year: how many counties, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedYear {
    pub year: i32,
    pub counties: i64,
    pub published_at: i64,
}

impl FromRow for PublishedYear {
    const TABLE: &'static str = "public_aggregates";
    fn from_row(r: &Row) -> Result<PublishedYear> {
        Ok(PublishedYear {
            year: r.get("year")?,
            counties: r.get("counties")?,
            published_at: r.get("published_at")?,
        })
    }
}

/// Replaces the year's rows with these (county code, figures JSON); the
/// number of rows replaced.
pub fn replace_year(
    c: &mut dyn Conn,
    year: i32,
    rows: &[(String, String)],
    by: Option<i64>,
    now: i64,
) -> Result<u64> {
    let replaced = c.execute(
        "DELETE FROM public_aggregates WHERE year = ?",
        params![year],
    )?;
    for (county, figures) in rows {
        c.execute(
            "INSERT INTO public_aggregates (year, county_code, figures, published_by, published_at) \
             VALUES (?, ?, ?, ?, ?)",
            params![year, county.as_str(), figures.as_str(), by, now],
        )?;
    }
    Ok(replaced)
}

/// The published years, newest first.
pub fn years(c: &mut dyn Conn) -> Result<Vec<PublishedYear>> {
    c.query_as(
        "SELECT year, COUNT(*) AS counties, MAX(published_at) AS published_at \
         FROM public_aggregates GROUP BY year ORDER BY year DESC",
        &[],
    )
}

/// What a list of published rows asks for.
#[derive(Debug, Clone, Default)]
pub struct PublishedFilter {
    pub year: Option<i32>,
    pub county_code: Option<String>,
    /// County name or code contains.
    pub q: Option<String>,
}

/// A page of published rows, by year (newest first) and county code.
pub fn list(c: &mut dyn Conn, f: &PublishedFilter, page: Page) -> Result<(Vec<PublishedRow>, i64)> {
    let mut p: Vec<Value> = Vec::new();
    let mut w = String::from(" WHERE 1 = 1");
    if let Some(y) = f.year {
        w.push_str(" AND g.year = ?");
        p.push(y.into());
    }
    if let Some(county) = &f.county_code {
        w.push_str(" AND g.county_code = ?");
        p.push(county.into());
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        w.push_str(" AND (a.name LIKE ? OR g.county_code LIKE ?)");
        let like = format!("%{q}%");
        p.push(like.clone().into());
        p.push(like.into());
    }
    let from = "FROM public_aggregates g JOIN areas a ON a.code = g.county_code";
    let total = c.query_i64(&format!("SELECT COUNT(*) {from}{w}"), &p)?;
    p.push(page.limit().into());
    p.push(page.offset().into());
    let rows = c.query_as(
        &format!(
            "SELECT g.year, g.county_code, a.name AS county_name, g.figures, g.published_at \
             {from}{w} ORDER BY g.year DESC, g.county_code LIMIT ? OFFSET ?"
        ),
        &p,
    )?;
    Ok((rows, total))
}

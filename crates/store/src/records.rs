//! Work records: trainings, labour transfers, consumption records. Every
//! row names its unit and county, so a scoped read is one condition on the
//! row; the summary's totals are sums over the rows (and the ledger's
//! receipts), never stored.

use crate::db::{Conn, Page, Result, Value};
use crate::params;
use crate::row::{FromRow, Row};
use crate::scope::on_pairing;
use chrono::NaiveDate;
use dingdian_core::Fen;
use dingdian_core::records::{
    ALL_CONSUMPTION_KINDS, ALL_TRAINING_KINDS, ConsumptionFields, ConsumptionKind,
    ConsumptionRecord, LabourTransfer, LabourTransferFields, RecordFilter, RecordsSummary,
    SummaryFilter, Training, TrainingFields, TrainingKind,
};
use dingdian_core::role::Scope;

fn scope_cond(scope: &Scope, p: &mut Vec<Value>) -> String {
    on_pairing("t", scope, p)
}

/// One kind of record: its table, the column that dates it, the column of
/// its kind and the columns a search looks in.
struct Table {
    name: &'static str,
    date: &'static str,
    kind: Option<&'static str>,
    search: &'static [&'static str],
}

const TRAININGS: Table = Table {
    name: "trainings",
    date: "start_date",
    kind: Some("kind"),
    search: &["topic", "place", "organiser"],
};
const LABOUR: Table = Table {
    name: "labour_transfers",
    date: "on_date",
    kind: None,
    search: &["destination", "employer"],
};
const CONSUMPTION: Table = Table {
    name: "consumption_records",
    date: "on_date",
    kind: Some("kind"),
    search: &["product", "buyer", "supplier", "channel"],
};

fn year_bounds(year: i32) -> (String, String) {
    (format!("{year:04}-01-01"), format!("{year:04}-12-31"))
}

/// The WHERE clause of a list: scope, then the filter.
fn list_where(t: &Table, scope: &Scope, f: &RecordFilter, p: &mut Vec<Value>) -> String {
    let mut w = String::from(" WHERE 1 = 1");
    w.push_str(&scope_cond(scope, p));
    if let Some(u) = f.unit_id {
        w.push_str(" AND t.unit_id = ?");
        p.push(u.into());
    }
    if let Some(county) = &f.county_code {
        w.push_str(" AND t.county_code = ?");
        p.push(county.into());
    }
    if let (Some(col), Some(kind)) = (t.kind, &f.kind) {
        w.push_str(&format!(" AND t.{col} = ?"));
        p.push(kind.into());
    }
    if let Some(year) = f.year {
        let (first, last) = year_bounds(year);
        w.push_str(&format!(" AND t.{0} >= ? AND t.{0} <= ?", t.date));
        p.extend([first.into(), last.into()]);
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let like = format!("%{q}%");
        let any: Vec<String> = t
            .search
            .iter()
            .map(|c| {
                p.push(like.clone().into());
                format!("t.{c} LIKE ?")
            })
            .collect();
        w.push_str(&format!(" AND ({})", any.join(" OR ")));
    }
    w
}

/// A page of one kind of record, newest first, with the total.
fn list<T: FromRow>(
    c: &mut dyn Conn,
    t: &Table,
    extra: (&str, &str),
    scope: &Scope,
    f: &RecordFilter,
    page: Page,
) -> Result<(Vec<T>, i64)> {
    let mut p = Vec::new();
    let w = list_where(t, scope, f, &mut p);
    let total = c.query_i64(&format!("SELECT COUNT(*) FROM {} t{w}", t.name), &p)?;
    p.push(page.limit().into());
    p.push(page.offset().into());
    let (columns, joins) = extra;
    let rows = c.query_as(
        &format!(
            "SELECT t.*, u.name AS unit_name, a.name AS county_name{columns} FROM {} t \
             JOIN units u ON u.id = t.unit_id JOIN areas a ON a.code = t.county_code{joins}{w} \
             ORDER BY t.{} DESC, t.id DESC LIMIT ? OFFSET ?",
            t.name, t.date
        ),
        &p,
    )?;
    Ok((rows, total))
}

pub fn trainings(
    c: &mut dyn Conn,
    scope: &Scope,
    f: &RecordFilter,
    page: Page,
) -> Result<(Vec<Training>, i64)> {
    list(c, &TRAININGS, ("", ""), scope, f, page)
}

pub fn labour_transfers(
    c: &mut dyn Conn,
    scope: &Scope,
    f: &RecordFilter,
    page: Page,
) -> Result<(Vec<LabourTransfer>, i64)> {
    let destination = (
        ", d.name AS destination_name",
        " LEFT JOIN areas d ON d.code = (CASE WHEN t.destination LIKE '__0000' THEN SUBSTR(t.destination, 1, 2) \
         WHEN t.destination LIKE '____00' THEN SUBSTR(t.destination, 1, 4) ELSE t.destination END)",
    );
    list(c, &LABOUR, destination, scope, f, page)
}

pub fn consumption(
    c: &mut dyn Conn,
    scope: &Scope,
    f: &RecordFilter,
    page: Page,
) -> Result<(Vec<ConsumptionRecord>, i64)> {
    list(c, &CONSUMPTION, ("", ""), scope, f, page)
}

const TRAINING_COLUMNS: &[&str] = &[
    "unit_id",
    "county_code",
    "kind",
    "topic",
    "place",
    "start_date",
    "end_date",
    "trainees",
    "organiser",
    "cost_fen",
    "created_by",
    "created_at",
];

const LABOUR_COLUMNS: &[&str] = &[
    "unit_id",
    "county_code",
    "on_date",
    "people",
    "destination",
    "employer",
    "months",
    "income_fen",
    "jobs_offered",
    "created_by",
    "created_at",
];

const CONSUMPTION_COLUMNS: &[&str] = &[
    "unit_id",
    "county_code",
    "kind",
    "on_date",
    "product",
    "quantity",
    "value_fen",
    "buyer",
    "supplier",
    "channel",
    "created_by",
    "created_at",
];

/// Who writes, for whom, when: the columns every record row carries.
#[derive(Debug, Clone, Copy)]
pub struct Writer {
    pub unit_id: i64,
    pub created_by: Option<i64>,
    pub now: i64,
}

/// The values of one record row in its table's column order.
pub trait RecordRow {
    const TABLE: &'static str;
    const COLUMNS: &'static [&'static str];
    fn values(&self, w: Writer) -> Vec<Value>;
}

impl RecordRow for TrainingFields {
    const TABLE: &'static str = "trainings";
    const COLUMNS: &'static [&'static str] = TRAINING_COLUMNS;
    fn values(&self, w: Writer) -> Vec<Value> {
        params![
            w.unit_id,
            self.county_code.as_str(),
            self.kind.as_str(),
            self.topic.as_str(),
            self.place.as_str(),
            self.start_date,
            self.end_date,
            self.trainees,
            self.organiser.as_str(),
            self.cost.map(Fen::get),
            w.created_by,
            w.now
        ]
        .to_vec()
    }
}

impl RecordRow for LabourTransferFields {
    const TABLE: &'static str = "labour_transfers";
    const COLUMNS: &'static [&'static str] = LABOUR_COLUMNS;
    fn values(&self, w: Writer) -> Vec<Value> {
        params![
            w.unit_id,
            self.county_code.as_str(),
            self.date,
            self.people,
            self.destination.as_str(),
            self.employer.as_str(),
            self.months,
            self.income.get(),
            self.jobs_offered,
            w.created_by,
            w.now
        ]
        .to_vec()
    }
}

impl RecordRow for ConsumptionFields {
    const TABLE: &'static str = "consumption_records";
    const COLUMNS: &'static [&'static str] = CONSUMPTION_COLUMNS;
    fn values(&self, w: Writer) -> Vec<Value> {
        params![
            w.unit_id,
            self.county_code.as_str(),
            self.kind.as_str(),
            self.date,
            self.product.as_str(),
            self.quantity.clone(),
            self.value.get(),
            self.buyer.clone(),
            self.supplier.clone(),
            self.channel.as_str(),
            w.created_by,
            w.now
        ]
        .to_vec()
    }
}

/// Inserts one record; its id.
pub fn insert<R: RecordRow>(c: &mut dyn Conn, r: &R, w: Writer) -> Result<i64> {
    let marks = vec!["?"; R::COLUMNS.len()].join(", ");
    c.query_i64(
        &format!(
            "INSERT INTO {} ({}) VALUES ({marks}) RETURNING id",
            R::TABLE,
            R::COLUMNS.join(", ")
        ),
        &r.values(w),
    )
}

/// Inserts many records in multi-row statements (an import).
pub fn insert_many<R: RecordRow>(c: &mut dyn Conn, rows: &[R], w: Writer) -> Result<u64> {
    let values: Vec<Vec<Value>> = rows.iter().map(|r| r.values(w)).collect();
    c.insert_rows(R::TABLE, R::COLUMNS, &values)
}

/// A period in which a unit is paired with a county, by a plan that was
/// decided (approved, active or since superseded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairedPeriod {
    pub county_code: String,
    pub county_name: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl FromRow for PairedPeriod {
    const TABLE: &'static str = "pairings";
    fn from_row(r: &Row) -> Result<PairedPeriod> {
        Ok(PairedPeriod {
            county_code: r.get("county_code")?,
            county_name: r.get("county_name")?,
            start: r.get("start_date")?,
            end: r.get("end_date")?,
        })
    }
}

/// Every period in which the unit was paired with a county.
pub fn paired_periods(c: &mut dyn Conn, unit_id: i64) -> Result<Vec<PairedPeriod>> {
    c.query_as(
        "SELECT DISTINCT pr.county_code, a.name AS county_name, pr.start_date, pr.end_date \
         FROM pairings pr JOIN plans p ON p.id = pr.plan_id JOIN areas a ON a.code = pr.county_code \
         WHERE pr.unit_id = ? AND p.status IN ('approved', 'active', 'superseded') \
         ORDER BY pr.county_code, pr.start_date",
        params![unit_id],
    )
}

/// Whether a six-digit code names an area (a labour transfer's
/// destination): a county as it is, a prefecture as `320200` (stored as
/// `3202`), a province as `320000` (stored as `32`).
pub fn area_exists(c: &mut dyn Conn, code: &str) -> Result<bool> {
    let stored = match code {
        c if c.ends_with("0000") => &code[..2],
        c if c.ends_with("00") => &code[..4],
        _ => code,
    };
    Ok(
        c.query_one("SELECT 1 FROM areas WHERE code = ?", params![stored])?
            .is_some(),
    )
}

/// The condition of a summary on alias `t`: scope, unit, county, and the
/// date column between the range's first and last day.
fn summary_where(scope: &Scope, f: &SummaryFilter, date: &str, p: &mut Vec<Value>) -> String {
    let (first, last) = f.dates();
    let mut w = format!(" WHERE t.{date} >= ? AND t.{date} <= ?");
    p.extend([first.into(), last.into()]);
    w.push_str(&scope_cond(scope, p));
    if let Some(u) = f.unit_id {
        w.push_str(" AND t.unit_id = ?");
        p.push(u.into());
    }
    if let Some(county) = &f.county_code {
        w.push_str(" AND t.county_code = ?");
        p.push(county.into());
    }
    w
}

/// `SUM(expr)` as a BIGINT (PostgreSQL sums BIGINT into NUMERIC), 0 for none.
fn sum(expr: &str) -> String {
    format!("CAST(COALESCE(SUM({expr}), 0) AS BIGINT)")
}

/// The totals of the records (and the ledger's receipts) the scope and
/// the filter reach.
pub fn summary(c: &mut dyn Conn, scope: &Scope, f: &SummaryFilter) -> Result<RecordsSummary> {
    let of_kind = |k: TrainingKind| {
        sum(&format!(
            "CASE WHEN t.kind = '{}' THEN t.trainees END",
            k.as_str()
        ))
    };
    let mut p = Vec::new();
    let w = summary_where(scope, f, "start_date", &mut p);
    let r = c
        .query_one(
            &format!(
                "SELECT {} AS trainees, {} AS cadres, {} AS technicians, {} AS leaders \
                 FROM trainings t{w}",
                sum("t.trainees"),
                of_kind(TrainingKind::Cadres),
                of_kind(TrainingKind::Technicians),
                of_kind(TrainingKind::RevitalisationLeaders),
            ),
            &p,
        )?
        .expect("an aggregate answers one row");
    let mut s = RecordsSummary {
        trainees: r.get("trainees")?,
        cadres_trained: r.get("cadres")?,
        technicians_trained: r.get("technicians")?,
        leaders_trained: r.get("leaders")?,
        ..Default::default()
    };
    let mut p = Vec::new();
    let w = summary_where(scope, f, "on_date", &mut p);
    let r = c
        .query_one(
            &format!(
                "SELECT {} AS people, {} AS income, {} AS jobs FROM labour_transfers t{w}",
                sum("t.people"),
                sum("t.income_fen"),
                sum("t.jobs_offered")
            ),
            &p,
        )?
        .expect("an aggregate answers one row");
    s.labour_transferred = r.get("people")?;
    s.labour_income = Fen::new(r.get("income")?);
    s.jobs_offered = r.get("jobs")?;
    let mut p = Vec::new();
    let w = summary_where(scope, f, "on_date", &mut p);
    let r = c
        .query_one(
            &format!(
                "SELECT {} AS bought, {} AS sold FROM consumption_records t{w}",
                sum(&format!(
                    "CASE WHEN t.kind = '{}' THEN t.value_fen END",
                    ConsumptionKind::Bought.as_str()
                )),
                sum(&format!(
                    "CASE WHEN t.kind = '{}' THEN t.value_fen END",
                    ConsumptionKind::Sold.as_str()
                )),
            ),
            &p,
        )?
        .expect("an aggregate answers one row");
    s.products_bought = Fen::new(r.get("bought")?);
    s.products_sold = Fen::new(r.get("sold")?);
    s.direct_funds = received(c, scope, f, "direct")?;
    s.introduced_funds = received(c, scope, f, "introduced")?;
    Ok(s)
}

/// Money received from a source: the receipts dated in the range, less
/// those a reversal undoes.
fn received(c: &mut dyn Conn, scope: &Scope, f: &SummaryFilter, source: &str) -> Result<Fen> {
    let mut p = Vec::new();
    let w = summary_where(scope, f, "entry_date", &mut p);
    p.push(source.into());
    let fen = c.query_i64(
        &format!(
            "SELECT {} FROM ledger_entries t{w} AND t.kind = 'receipt' AND t.source = ? \
             AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.kind = 'reversal' AND r.reverses = t.id)",
            sum("t.amount_fen")
        ),
        &p,
    )?;
    Ok(Fen::new(fen))
}

/// Person-times trained and transferred per year (the chart of trainings
/// and transfers over years), oldest first.
pub fn by_year(c: &mut dyn Conn, scope: &Scope, f: &SummaryFilter) -> Result<Vec<(i32, i64, i64)>> {
    let mut years: std::collections::BTreeMap<i32, (i64, i64)> = Default::default();
    for (table, date, count, trained) in [
        ("trainings", "start_date", "trainees", true),
        ("labour_transfers", "on_date", "people", false),
    ] {
        let mut p = Vec::new();
        let w = summary_where(scope, f, date, &mut p);
        let rows = c.query(
            &format!(
                "SELECT CAST(SUBSTR(t.{date}, 1, 4) AS INTEGER) AS year, {} AS n FROM {table} t{w} \
                 GROUP BY SUBSTR(t.{date}, 1, 4)",
                sum(&format!("t.{count}"))
            ),
            &p,
        )?;
        for r in rows {
            let e = years.entry(r.get::<i64>("year")? as i32).or_default();
            if trained {
                e.0 = r.get("n")?;
            } else {
                e.1 = r.get("n")?;
            }
        }
    }
    Ok(years.into_iter().map(|(y, (t, l))| (y, t, l)).collect())
}

fn training_kind(s: String) -> Option<TrainingKind> {
    ALL_TRAINING_KINDS.into_iter().find(|k| k.as_str() == s)
}

fn consumption_kind(s: String) -> Option<ConsumptionKind> {
    ALL_CONSUMPTION_KINDS.into_iter().find(|k| k.as_str() == s)
}

impl FromRow for Training {
    const TABLE: &'static str = "trainings";
    fn from_row(r: &Row) -> Result<Training> {
        Ok(Training {
            id: r.get("id")?,
            unit_id: r.get("unit_id")?,
            unit_name: r.get("unit_name")?,
            county_code: r.get("county_code")?,
            county_name: r.get("county_name")?,
            kind: r.decode("kind", training_kind)?,
            topic: r.get("topic")?,
            place: r.get("place")?,
            start_date: r.get("start_date")?,
            end_date: r.get("end_date")?,
            trainees: r.get("trainees")?,
            organiser: r.get("organiser")?,
            cost: r.get::<Option<i64>>("cost_fen")?.map(Fen::new),
            created_at: r.get("created_at")?,
        })
    }
}

impl FromRow for LabourTransfer {
    const TABLE: &'static str = "labour_transfers";
    fn from_row(r: &Row) -> Result<LabourTransfer> {
        Ok(LabourTransfer {
            id: r.get("id")?,
            unit_id: r.get("unit_id")?,
            unit_name: r.get("unit_name")?,
            county_code: r.get("county_code")?,
            county_name: r.get("county_name")?,
            date: r.get("on_date")?,
            people: r.get("people")?,
            destination: r.get("destination")?,
            destination_name: r.get("destination_name")?,
            employer: r.get("employer")?,
            months: r.get("months")?,
            income: Fen::new(r.get("income_fen")?),
            jobs_offered: r.get("jobs_offered")?,
            created_at: r.get("created_at")?,
        })
    }
}

impl FromRow for ConsumptionRecord {
    const TABLE: &'static str = "consumption_records";
    fn from_row(r: &Row) -> Result<ConsumptionRecord> {
        Ok(ConsumptionRecord {
            id: r.get("id")?,
            unit_id: r.get("unit_id")?,
            unit_name: r.get("unit_name")?,
            county_code: r.get("county_code")?,
            county_name: r.get("county_name")?,
            kind: r.decode("kind", consumption_kind)?,
            date: r.get("on_date")?,
            product: r.get("product")?,
            quantity: r.get("quantity")?,
            value: Fen::new(r.get("value_fen")?),
            buyer: r.get("buyer")?,
            supplier: r.get("supplier")?,
            channel: r.get("channel")?,
            created_at: r.get("created_at")?,
        })
    }
}

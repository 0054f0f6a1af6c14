//! The demo's funds ledger: the seed unit's money for Zhouqu from 2021 on,
//! posted entry by entry through the same use case a unit uses (so every
//! balance reconciles and no total is typed): receipts from the unit
//! (direct) and from a donor (introduced), commitments to the projects in
//! progress, disbursements, expenditures and one reversed mistake. In the
//! current year the direct funds disbursed keep pace with the letter and
//! the introduced funds fall behind.

use crate::demo::ZHOUQU;
use crate::error::Result;
use crate::{Actor, App};
use chrono::{Datelike, NaiveDate};
use dingdian_core::ledger::{AmountValue, LedgerEntryInput};
use dingdian_core::letter::year_share;
use dingdian_core::project::ProjectFilter;
use dingdian_core::role::{Role, Scope};
use dingdian_core::{Page, time};

/// The donor of the demo's introduced funds.
const DONOR: &str = "中国扶贫基金会";

/// The seed letter's funds targets (yuan; `demo_records` writes them into
/// the letter) and the pace at which this year's money keeps up with the
/// share of the year gone: above 1 on track, below behind.
pub(crate) const DIRECT_TARGET: i64 = 8_000_000;
pub(crate) const INTRODUCED_TARGET: i64 = 10_000_000;
const DIRECT_PACE: f64 = 1.1;
const INTRODUCED_PACE: f64 = 0.4;

/// One entry as the demo posts it: kind, source, project (by name; none
/// for the pairing's pool), yuan, date.
type Line = (
    &'static str,
    &'static str,
    Option<&'static str>,
    i64,
    NaiveDate,
);

const PEPPER: &str = "花椒和中药材种植基地";
const ROAD: &str = "乡村旅游提质（拉尕山景区道路）";
const COLD: &str = "牦牛养殖合作社冷链仓储";

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
}

/// 2021–2025: the pepper and herb base and the scenic road.
fn past_years() -> Vec<Line> {
    let mut lines = Vec::new();
    for (y, yuan) in [(2021, 3_000_000), (2023, 2_000_000), (2024, 2_000_000)] {
        lines.extend([
            ("receipt", "direct", None, yuan, day(y, 2, 20)),
            ("commitment", "direct", Some(PEPPER), yuan, day(y, 3, 10)),
            (
                "disbursement",
                "direct",
                Some(PEPPER),
                yuan * 9 / 10,
                day(y, 5, 15),
            ),
            (
                "expenditure",
                "direct",
                Some(PEPPER),
                yuan * 8 / 10,
                day(y, 9, 30),
            ),
        ]);
    }
    lines.extend([
        ("receipt", "direct", Some(ROAD), 4_200_000, day(2022, 3, 1)),
        (
            "commitment",
            "direct",
            Some(ROAD),
            4_200_000,
            day(2022, 3, 12),
        ),
        (
            "disbursement",
            "direct",
            Some(ROAD),
            4_200_000,
            day(2022, 4, 20),
        ),
        (
            "expenditure",
            "direct",
            Some(ROAD),
            4_000_000,
            day(2024, 10, 25),
        ),
        (
            "receipt",
            "introduced",
            Some(PEPPER),
            1_000_000,
            day(2022, 6, 1),
        ),
        (
            "commitment",
            "introduced",
            Some(PEPPER),
            1_000_000,
            day(2022, 6, 8),
        ),
        (
            "disbursement",
            "introduced",
            Some(PEPPER),
            1_000_000,
            day(2022, 7, 1),
        ),
        (
            "expenditure",
            "introduced",
            Some(PEPPER),
            900_000,
            day(2023, 5, 1),
        ),
    ]);
    lines
}

/// This year, dated between 1 January and today (never in the future),
/// in amounts that follow the share of the year gone.
fn this_year(today: NaiveDate) -> Vec<Line> {
    let first = day(today.year(), 1, 1);
    let gone = (today - first).num_days();
    let at = |k: i64| first + chrono::Duration::days(gone * k / 10);
    let share = year_share(today.year(), today);
    let paced = |target: i64, pace: f64| ((target as f64 * share * pace) as i64).max(100);
    let direct = paced(DIRECT_TARGET, DIRECT_PACE);
    let (cold, pepper) = (direct / 4, direct - direct / 4);
    let introduced = paced(INTRODUCED_TARGET, INTRODUCED_PACE);
    vec![
        ("receipt", "direct", None, direct, at(1)),
        ("commitment", "direct", Some(COLD), cold, at(2)),
        ("commitment", "direct", Some(PEPPER), pepper, at(2)),
        ("disbursement", "direct", Some(COLD), cold * 9 / 10, at(4)),
        (
            "disbursement",
            "direct",
            Some(PEPPER),
            pepper * 9 / 10,
            at(6),
        ),
        ("expenditure", "direct", Some(PEPPER), pepper / 2, at(8)),
        ("receipt", "introduced", None, introduced, at(3)),
        ("commitment", "introduced", Some(PEPPER), introduced, at(5)),
        (
            "disbursement",
            "introduced",
            Some(PEPPER),
            introduced / 2,
            at(7),
        ),
    ]
}

impl App {
    /// The seed unit's ledger for Zhouqu (see the module's note).
    pub(crate) fn demo_ledger(&self, seed: i64) -> Result<()> {
        let unit = Actor {
            role: Role::Unit,
            scope: Scope::Unit(seed),
            ..Actor::cli()
        };
        let mut lines = past_years();
        lines.extend(this_year(time::today()));
        for (kind, source, project, yuan, date) in lines {
            let project_id = match project {
                Some(name) => Some(self.demo_project_id(&unit, name)?),
                None => None,
            };
            let input = LedgerEntryInput {
                kind: kind.into(),
                unit_id: Some(seed),
                county_code: ZHOUQU.into(),
                source: source.into(),
                donor: if source == "introduced" {
                    DONOR.into()
                } else {
                    String::new()
                },
                project_id,
                amount_fen: Some(AmountValue::Whole(yuan * 100)),
                date: date.to_string(),
                document_no: format!("中组部帮扶资金〔{}〕{}号", date.year(), date.ordinal()),
                ..Default::default()
            };
            self.post_entry(&unit, &input)?;
        }
        self.demo_reversed_mistake(&unit, seed)
    }

    /// An expenditure posted twice by mistake, and its reversal.
    fn demo_reversed_mistake(&self, unit: &Actor, seed: i64) -> Result<()> {
        let pepper = self.demo_project_id(unit, PEPPER)?;
        let input = LedgerEntryInput {
            kind: "expenditure".into(),
            unit_id: Some(seed),
            county_code: ZHOUQU.into(),
            source: "direct".into(),
            project_id: Some(pepper),
            amount_fen: Some(AmountValue::Whole(30_000_000)),
            date: day(2024, 10, 1).to_string(),
            document_no: "重复录入".into(),
            ..Default::default()
        };
        let wrong = self.post_entry(unit, &input)?;
        let reversal = LedgerEntryInput {
            kind: "reversal".into(),
            reverses: Some(wrong.id),
            date: day(2024, 10, 8).to_string(),
            note: "同一凭证重复录入，冲销".into(),
            ..Default::default()
        };
        self.post_entry(unit, &reversal).map(|_| ())
    }

    fn demo_project_id(&self, unit: &Actor, name: &str) -> Result<i64> {
        let f = ProjectFilter {
            q: Some(name.into()),
            ..Default::default()
        };
        let (found, _) = self.list_projects(unit, &f, Page::new(Some(1), Some(5)))?;
        Ok(found
            .into_iter()
            .find(|p| p.name == name)
            .expect("the demo project exists")
            .id)
    }
}

//! The demo's work records and letters. The seed case's figures for
//! Zhouqu in 2010–2016 are the sums of many records (one per quarter and
//! programme), never a typed total: 38 000 person-times of cadre and
//! technical training; 230 000 person-times of labour transferred to Wuxi
//! and Changzhou (Jiangsu), earning 2.9 billion yuan, with 20 600 jobs
//! offered through that labour cooperation. For the current year, letters
//! for some paired units, with records that put some on track and some
//! behind (from 2021 with a target of rural-revitalisation leaders trained,
//! met by trainings of leaders). The seed letter's funds are met by the demo ledger
//! (`demo_ledger`).

use crate::demo::{SEED_UNIT, ZHOUQU};
use crate::error::Result;
use crate::records::{Checked, pairing_problem};
use crate::{Actor, App, AppError, audit};
use chrono::{Datelike, Duration, NaiveDate};
use dingdian_core::area::CountyCode;
use dingdian_core::letter::{LetterIndicator, LetterInput};
use dingdian_core::period::Period;
use dingdian_core::plan::PairingPlanStatus;
use dingdian_core::query::PairingFilter;
use dingdian_core::records::{
    ConsumptionFields, ConsumptionKind, LabourTransferFields, RecordDate, TrainingFields,
    TrainingKind,
};
use dingdian_core::role::{Role, Scope};
use dingdian_core::{Fen, time};
use dingdian_store::Page;
use dingdian_store::records::{self as store, RecordRow, Writer};

/// The seed case's figures (Zhouqu, 2010–2016).
pub const SEED_TRAINEES: i64 = 38_000;
pub const SEED_LABOUR: i64 = 230_000;
pub const SEED_LABOUR_INCOME_FEN: i64 = 290_000_000_000;
pub const SEED_JOBS: i64 = 20_600;

/// Wuxi and Changzhou, Jiangsu: the labour cooperation's destinations.
const DESTINATIONS: [(&str, &str); 2] = [
    ("320200", "无锡市东西部劳务协作工作站"),
    ("320400", "常州市东西部劳务协作工作站"),
];

/// `total` split in proportion to `weights`, exactly: the rounding is
/// given to the last share.
fn split(total: i64, weights: &[i64]) -> Vec<i64> {
    let sum: i64 = weights.iter().sum();
    let mut out: Vec<i64> = weights
        .iter()
        .map(|w| (i128::from(total) * i128::from(*w) / i128::from(sum)) as i64)
        .collect();
    let given: i64 = out.iter().sum();
    if let Some(last) = out.last_mut() {
        *last += total - given;
    }
    out
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
}

fn zhouqu() -> CountyCode {
    CountyCode::parse(ZHOUQU).expect("Zhouqu's code")
}

/// (year, quarter) of 2010–2016 with a weight growing over the years.
fn quarters() -> Vec<(i32, u32, i64)> {
    (2010..=2016)
        .flat_map(|y| (0..4).map(move |q| (y, q, i64::from(y - 2006) * 10 + i64::from(q))))
        .collect()
}

fn seed_trainings() -> Vec<TrainingFields> {
    let slots: Vec<(i32, u32, i64, TrainingKind)> = quarters()
        .into_iter()
        .flat_map(|(y, q, w)| {
            [
                (y, q, w * 3, TrainingKind::Cadres),
                (y, q, w * 2, TrainingKind::Technicians),
            ]
        })
        .collect();
    let people = split(
        SEED_TRAINEES,
        &slots.iter().map(|s| s.2).collect::<Vec<_>>(),
    );
    slots
        .into_iter()
        .zip(people)
        .map(|((y, q, _, kind), n)| {
            let start = day(y, q * 3 + 2, 10);
            let (topic, place) = match kind {
                TrainingKind::Cadres => ("村党支部书记和村委会主任能力提升培训", "舟曲县委党校"),
                _ => (
                    "花椒、核桃种植与中药材加工技术培训",
                    "舟曲县农业技术推广中心",
                ),
            };
            TrainingFields {
                county_code: zhouqu(),
                kind,
                topic: topic.into(),
                place: place.into(),
                start_date: start,
                end_date: start + Duration::days(4),
                trainees: n,
                organiser: SEED_UNIT.into(),
                cost: Some(Fen::new(n * 15_000)),
            }
        })
        .collect()
}

fn seed_transfers() -> Vec<LabourTransferFields> {
    let slots: Vec<(i32, u32, i64, usize)> = quarters()
        .into_iter()
        .flat_map(|(y, q, w)| [(y, q, w * 3, 0), (y, q, w * 2, 1)])
        .collect();
    let weights: Vec<i64> = slots.iter().map(|s| s.2).collect();
    let people = split(SEED_LABOUR, &weights);
    let income = split(SEED_LABOUR_INCOME_FEN, &weights);
    let jobs = split(SEED_JOBS, &weights);
    slots
        .into_iter()
        .enumerate()
        .map(|(i, (y, q, _, d))| LabourTransferFields {
            county_code: zhouqu(),
            date: day(y, q * 3 + 1, 15),
            people: people[i],
            destination: DESTINATIONS[d].0.into(),
            employer: DESTINATIONS[d].1.into(),
            months: 9 + (i as i64 % 3),
            income: Fen::new(income[i]),
            jobs_offered: jobs[i],
        })
        .collect()
}

fn consumption(
    county: &CountyCode,
    kind: ConsumptionKind,
    date: NaiveDate,
    (product, value_fen): (&str, i64),
    buyer: &str,
) -> ConsumptionFields {
    ConsumptionFields {
        county_code: county.clone(),
        kind,
        date,
        product: product.into(),
        quantity: Some("一批".into()),
        value: Fen::new(value_fen),
        buyer: Some(buyer.into()),
        supplier: Some("舟曲县农民专业合作社".into()),
        channel: match kind {
            ConsumptionKind::Bought => "单位食堂采购".into(),
            ConsumptionKind::Sold => "电商平台".into(),
        },
    }
}

fn seed_consumption() -> Vec<ConsumptionFields> {
    let products = [
        ("花椒", 18_000_000),
        ("核桃", 26_000_000),
        ("中药材（当归）", 9_500_000),
    ];
    (2014..=2016)
        .flat_map(|y| {
            products.iter().enumerate().flat_map(move |(i, p)| {
                let date = day(y, 3 + i as u32 * 3, 20);
                [
                    consumption(&zhouqu(), ConsumptionKind::Bought, date, *p, SEED_UNIT),
                    consumption(
                        &zhouqu(),
                        ConsumptionKind::Sold,
                        date,
                        (p.0, p.1 * 3),
                        "北京市民",
                    ),
                ]
            })
        })
        .collect()
}

/// A unit's current-year letter: records-based targets, met by records
/// at `pace` times the share of the year gone (above 1 on track).
struct ThisYear {
    unit_id: i64,
    county: CountyCode,
    pace: f64,
    with_funds: bool,
}

const CADRES_TARGET: i64 = 1_200;
const TECHNICIANS_TARGET: i64 = 800;
/// Rural-revitalisation leaders: an indicator of letters from 2021.
const LEADERS_TARGET: i64 = 150;
const BOUGHT_TARGET_FEN: i64 = 300_000_000;
const SOLD_TARGET_FEN: i64 = 800_000_000;

impl ThisYear {
    /// Records dated from 1 January to today, four of each kind.
    fn records(&self, today: NaiveDate) -> (Vec<TrainingFields>, Vec<ConsumptionFields>) {
        let share = dingdian_core::letter::year_share(today.year(), today);
        let part = |target: i64| ((target as f64 * share * self.pace) / 4.0).ceil() as i64;
        let first = day(today.year(), 1, 1);
        let gone = (today - first).num_days();
        let dates: Vec<NaiveDate> = (0..4)
            .map(|k| first + Duration::days(gone * k / 4))
            .collect();
        let mut trainings = Vec::new();
        let mut bought = Vec::new();
        for d in &dates {
            let leaders = new_era(today.year())
                .then_some((TrainingKind::RevitalisationLeaders, LEADERS_TARGET));
            for (kind, target) in [
                (TrainingKind::Cadres, CADRES_TARGET),
                (TrainingKind::Technicians, TECHNICIANS_TARGET),
            ]
            .into_iter()
            .chain(leaders)
            {
                trainings.push(TrainingFields {
                    county_code: self.county.clone(),
                    kind,
                    topic: "乡村振兴能力提升培训".into(),
                    place: "县委党校".into(),
                    start_date: *d,
                    end_date: *d,
                    trainees: part(target).max(1),
                    organiser: "帮扶单位".into(),
                    cost: None,
                });
            }
            for (kind, target) in [
                (ConsumptionKind::Bought, BOUGHT_TARGET_FEN),
                (ConsumptionKind::Sold, SOLD_TARGET_FEN),
            ] {
                let value = part(target).max(1);
                bought.push(consumption(
                    &self.county,
                    kind,
                    *d,
                    ("特色农产品", value),
                    "帮扶单位职工",
                ));
            }
        }
        (trainings, bought)
    }

    fn letter(&self, year: i32) -> LetterInput {
        let mut targets = vec![
            ("cadres_trained", CADRES_TARGET),
            ("technicians_trained", TECHNICIANS_TARGET),
            ("products_bought", BOUGHT_TARGET_FEN),
            ("products_sold", SOLD_TARGET_FEN),
        ];
        if new_era(year) {
            targets.push(("leaders_trained", LEADERS_TARGET));
        }
        if self.with_funds {
            targets.extend([
                ("direct_funds", crate::demo_ledger::DIRECT_TARGET * 100),
                (
                    "introduced_funds",
                    crate::demo_ledger::INTRODUCED_TARGET * 100,
                ),
            ]);
        }
        LetterInput {
            unit_id: Some(self.unit_id),
            county_code: self.county.as_str().into(),
            year: year.to_string(),
            targets: targets
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }
}

/// Whether a letter of `year` has the indicator of leaders trained.
fn new_era(year: i32) -> bool {
    LetterIndicator::of_period(Period::of_year(year)).contains(&LetterIndicator::LeadersTrained)
}

impl App {
    /// The demo's records and letters (see the module's note).
    pub(crate) fn demo_records(&self, office: &Actor, seed: i64) -> Result<()> {
        let as_seed = unit_actor(seed);
        self.demo_write(&as_seed, &seed_trainings())?;
        self.demo_write(&as_seed, &seed_transfers())?;
        self.demo_write(&as_seed, &seed_consumption())?;
        let today = time::today();
        for this in self.demo_letter_units(seed, today)? {
            let actor = unit_actor(this.unit_id);
            let (trainings, consumption) = this.records(today);
            self.demo_write(&actor, &trainings)?;
            self.demo_write(&actor, &consumption)?;
            let id = self.set_letter(office, &this.letter(today.year()), false)?;
            if this.with_funds {
                self.sign_letter(&actor, id, &today.to_string())?;
            }
        }
        Ok(())
    }

    /// The seed unit in Zhouqu (with funds targets, signed), then four
    /// units paired today: two on track, two behind.
    fn demo_letter_units(&self, seed: i64, today: NaiveDate) -> Result<Vec<ThisYear>> {
        let f = PairingFilter {
            active_on: Some(today),
            plan_statuses: vec![PairingPlanStatus::Active],
            ..Default::default()
        };
        let (pairings, _) = self.list_pairings(&Actor::cli(), &f, Page::new(Some(1), Some(40)))?;
        let mut out = vec![ThisYear {
            unit_id: seed,
            county: zhouqu(),
            pace: 1.1,
            with_funds: true,
        }];
        let mut seen = vec![seed];
        for p in pairings {
            if out.len() == 5 || seen.contains(&p.unit_id) {
                continue;
            }
            seen.push(p.unit_id);
            let Some(county) = CountyCode::parse(&p.county_code) else {
                continue;
            };
            out.push(ThisYear {
                unit_id: p.unit_id,
                county,
                pace: if out.len() % 2 == 1 { 1.2 } else { 0.4 },
                with_funds: false,
            });
        }
        Ok(out)
    }

    /// Writes demo records as the unit would: each checked against the
    /// pairings, all in one statement, audited once.
    fn demo_write<R: RecordRow + RecordDate + Checked + Audited>(
        &self,
        actor: &Actor,
        rows: &[R],
    ) -> Result<()> {
        let unit = actor.scope.unit().expect("a unit actor");
        self.store.write(|c| {
            let periods = store::paired_periods(c, unit)?;
            for r in rows {
                let mut problems: Vec<_> = pairing_problem(&actor.scope, &periods, r)
                    .into_iter()
                    .collect();
                problems.extend(r.check(c)?);
                if !problems.is_empty() {
                    return Err(AppError::Invalid(problems));
                }
            }
            let w = Writer {
                unit_id: unit,
                created_by: None,
                now: time::now_ts(),
            };
            let n = store::insert_many(c, rows, w)?;
            audit(
                c,
                actor,
                "record.import",
                (R::OBJECT, "demo"),
                "success",
                Some(format!("{n} rows")),
            )
        })
    }
}

/// The object type the audit log names for a kind of record.
trait Audited {
    const OBJECT: &'static str;
}

impl Audited for TrainingFields {
    const OBJECT: &'static str = "training";
}

impl Audited for LabourTransferFields {
    const OBJECT: &'static str = "labour_transfer";
}

impl Audited for ConsumptionFields {
    const OBJECT: &'static str = "consumption_record";
}

/// The operator acting for a unit (the demo writes its records).
fn unit_actor(unit: i64) -> Actor {
    Actor {
        role: Role::Unit,
        scope: Scope::Unit(unit),
        ..Actor::cli()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_figures_are_sums_of_many_records() {
        let t = seed_trainings();
        assert!(t.len() >= 50);
        assert_eq!(t.iter().map(|r| r.trainees).sum::<i64>(), SEED_TRAINEES);
        let l = seed_transfers();
        assert_eq!(l.iter().map(|r| r.people).sum::<i64>(), SEED_LABOUR);
        assert_eq!(
            l.iter().map(|r| r.income.get()).sum::<i64>(),
            SEED_LABOUR_INCOME_FEN
        );
        assert_eq!(l.iter().map(|r| r.jobs_offered).sum::<i64>(), SEED_JOBS);
        assert!(l.iter().all(|r| r.people > 0 && r.date.year() <= 2016));
    }

    #[test]
    fn split_is_exact_and_proportional() {
        assert_eq!(split(10, &[1, 1, 1]), vec![3, 3, 4]);
        assert_eq!(split(100, &[1, 3]), vec![25, 75]);
    }
}

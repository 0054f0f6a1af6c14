//! Deterministic synthetic registries, for trials, benchmarks and the
//! demo: households of 1–8 people over real village codes, incomes around
//! the poverty line, causes in realistic shares, and statuses and years
//! that agree with each other and with a household's story over the years.

use dingdian_core::registry::{ALL_CAUSES, Cause, PovertyStatus, Relation, check_digit};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;

/// One household's story: who, where, and when it was identified, exited
/// and (perhaps) returned.
#[derive(Debug, Clone)]
pub struct HouseholdPlan {
    pub code: String,
    pub village: String,
    pub members: Vec<(String, String, Relation)>,
    pub identified_year: i32,
    pub exit_year: Option<i32>,
    pub return_year: Option<i32>,
    pub cause: Cause,
    /// Income relative to the line (1.0 = at the line) while poor.
    pub poor_ratio: f64,
    /// Income relative to the line once exited.
    pub exited_ratio: f64,
}

impl HouseholdPlan {
    pub fn status(&self, year: i32) -> PovertyStatus {
        match (self.exit_year, self.return_year) {
            (_, Some(r)) if year >= r => PovertyStatus::Returned,
            (Some(e), _) if year >= e => PovertyStatus::Exited,
            _ => PovertyStatus::Poor,
        }
    }

    /// The registry rows of this household in `year` (in the file's column
    /// order), with the poverty line of that year in fen.
    pub fn rows(&self, year: i32, line_fen: i64) -> Vec<[String; 11]> {
        let status = self.status(year);
        let ratio = match status {
            PovertyStatus::Exited => self.exited_ratio,
            _ => self.poor_ratio,
        };
        let fen = (line_fen as f64 * ratio).round() as i64;
        let income = format!("{}.{:02}", fen / 100, fen % 100);
        let exit = if status == PovertyStatus::Poor {
            String::new()
        } else {
            self.exit_year.map(|y| y.to_string()).unwrap_or_default()
        };
        self.members
            .iter()
            .map(|(id, name, rel)| {
                [
                    year.to_string(),
                    self.village.clone(),
                    self.code.clone(),
                    id.clone(),
                    name.clone(),
                    rel.zh().to_string(),
                    income.clone(),
                    status.zh().to_string(),
                    self.identified_year.to_string(),
                    exit.clone(),
                    self.cause.zh().to_string(),
                ]
            })
            .collect()
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧",
];
const GIVEN: &[&str] = &[
    "建", "国", "华", "明", "秀", "英", "兰", "芳", "军", "强", "平", "刚", "桂", "玉", "海", "春",
    "红", "文", "丽", "云", "志", "福", "贵", "荣", "生", "德", "成", "晓", "娟", "霞",
];
/// Shares of the main poverty causes (per mille), roughly as reported nationally.
const CAUSE_WEIGHTS: [u32; 11] = [420, 58, 90, 58, 40, 15, 220, 168, 350, 20, 60];
/// Household sizes 1–8 (per mille).
const SIZE_WEIGHTS: [u32; 8] = [80, 170, 220, 240, 150, 80, 40, 20];

fn weighted(rng: &mut ChaCha8Rng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut x = rng.gen_range(0..total);
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

/// Makes people with valid, unique ID numbers of one county.
pub struct PeopleMaker {
    rng: ChaCha8Rng,
    county: String,
    used: HashSet<(u32, u32)>,
}

impl PeopleMaker {
    pub fn new(county: &str, seed: u64) -> PeopleMaker {
        PeopleMaker {
            rng: ChaCha8Rng::seed_from_u64(seed),
            county: county.to_string(),
            used: HashSet::new(),
        }
    }

    pub fn rng(&mut self) -> &mut ChaCha8Rng {
        &mut self.rng
    }

    /// An ID number (GB 11643) of someone born in `birth_year`.
    pub fn id_number(&mut self, birth_year: i32, male: bool) -> String {
        loop {
            let month = self.rng.gen_range(1..=12u32);
            let day = self.rng.gen_range(1..=28u32);
            let mut seq = self.rng.gen_range(0..500u32) * 2;
            if male {
                seq += 1;
            }
            let date = (birth_year as u32) * 10_000 + month * 100 + day;
            if self.used.insert((date, seq)) {
                let first17 = format!("{}{:08}{:03}", self.county, date, seq);
                let check = check_digit(&first17).expect("17 digits");
                return format!("{first17}{check}");
            }
        }
    }

    pub fn name(&mut self) -> String {
        let s = SURNAMES[self.rng.gen_range(0..SURNAMES.len())];
        let a = GIVEN[self.rng.gen_range(0..GIVEN.len())];
        if self.rng.gen_bool(0.7) {
            format!("{s}{a}{}", GIVEN[self.rng.gen_range(0..GIVEN.len())])
        } else {
            format!("{s}{a}")
        }
    }

    /// The members of a household of `size`, head first, ages fitting the
    /// relations, as of `year`.
    pub fn household(&mut self, size: usize, year: i32) -> Vec<(String, String, Relation)> {
        let head_birth = year - self.rng.gen_range(28..70);
        let head_male = self.rng.gen_bool(0.85);
        let mut out = vec![(
            self.id_number(head_birth, head_male),
            self.name(),
            Relation::Head,
        )];
        for k in 1..size {
            let (rel, birth, male) = match k {
                1 if size > 1 && self.rng.gen_bool(0.8) => (
                    Relation::Spouse,
                    head_birth + self.rng.gen_range(-3..4),
                    !head_male,
                ),
                _ if k >= 5 && head_birth < year - 50 => (
                    Relation::Grandchild,
                    year - self.rng.gen_range(1..12),
                    self.rng.gen_bool(0.5),
                ),
                _ if k == 4 && head_birth > year - 45 => (
                    Relation::Parent,
                    head_birth - self.rng.gen_range(22..32),
                    self.rng.gen_bool(0.5),
                ),
                _ => (
                    Relation::Child,
                    (head_birth + self.rng.gen_range(20..32)).min(year - 1),
                    self.rng.gen_bool(0.5),
                ),
            };
            out.push((self.id_number(birth, male), self.name(), rel));
        }
        out
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct SynthSpec {
    /// Counties with their village codes.
    pub counties: Vec<(String, Vec<String>)>,
    /// Members per county and year.
    pub people_per_county: usize,
    pub seed: u64,
    pub first_year: i32,
    pub last_year: i32,
}

/// Plans the households of one county: identified in or before the first
/// year, most exiting over the years, a few returning.
pub fn plan_county(
    county: &str,
    villages: &[String],
    people: usize,
    seed: u64,
    first_year: i32,
    last_year: i32,
) -> Vec<HouseholdPlan> {
    let mut maker = PeopleMaker::new(
        county,
        seed ^ county
            .parse::<u64>()
            .unwrap_or(0)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15),
    );
    let mut plans = Vec::new();
    let mut total = 0;
    let mut n = 0;
    while total < people {
        let size = (weighted(maker.rng(), &SIZE_WEIGHTS) + 1).min(people - total);
        n += 1;
        let village = villages[maker.rng().gen_range(0..villages.len())].clone();
        let identified_year = first_year - maker.rng().gen_range(0..2);
        let exit_year = {
            let y = identified_year + maker.rng().gen_range(1..8);
            (y <= last_year + 3).then_some(y)
        };
        let return_year = exit_year
            .filter(|_| maker.rng().gen_bool(0.06))
            .map(|e| e + 1);
        let cause = ALL_CAUSES[weighted(maker.rng(), &CAUSE_WEIGHTS)];
        let poor_ratio = maker.rng().gen_range(0.45..1.08);
        let exited_ratio = maker.rng().gen_range(1.05..2.4);
        plans.push(HouseholdPlan {
            code: format!("{county}{n:06}"),
            village,
            members: maker.household(size, first_year),
            identified_year,
            exit_year,
            return_year,
            cause,
            poor_ratio,
            exited_ratio,
        });
        total += size;
    }
    plans
}

/// The header of a registry file, in Chinese.
pub fn header() -> Vec<String> {
    crate::registry::CONTRACT_COLUMNS
        .iter()
        .map(|c| c.zh.to_string())
        .collect()
}

/// Generates the rows of every county and year of the spec, calling `emit`
/// for each (deterministic for a given spec).
pub fn generate(
    spec: &SynthSpec,
    line_fen: &dyn Fn(i32) -> i64,
    emit: &mut dyn FnMut(&[String; 11]),
) {
    for (county, villages) in &spec.counties {
        let plans = plan_county(
            county,
            villages,
            spec.people_per_county,
            spec.seed,
            spec.first_year,
            spec.last_year,
        );
        for year in spec.first_year..=spec.last_year {
            for p in &plans {
                for row in p.rows(year, line_fen(year)) {
                    emit(&row);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dingdian_core::registry::{RawRow, check_household, validate_row};

    #[test]
    fn synthetic_rows_pass_every_registry_rule_and_are_deterministic() {
        let spec = SynthSpec {
            counties: vec![(
                "623023".into(),
                vec!["623023100200".into(), "623023101200".into()],
            )],
            people_per_county: 500,
            seed: 7,
            first_year: 2014,
            last_year: 2016,
        };
        let mut rows = Vec::new();
        generate(&spec, &|_| 280_000, &mut |r| rows.push(r.clone()));
        assert_eq!(rows.len(), 1500, "500 people in each of 3 years");
        let mut again = Vec::new();
        generate(&spec, &|_| 280_000, &mut |r| again.push(r.clone()));
        assert_eq!(rows, again, "the same seed gives the same file");
        let valid: Vec<_> = rows
            .iter()
            .map(|r| {
                let raw = RawRow {
                    year: &r[0],
                    village_code: &r[1],
                    household_id: &r[2],
                    id_number: &r[3],
                    name: &r[4],
                    relation: &r[5],
                    income_per_capita: &r[6],
                    status: &r[7],
                    identified_year: &r[8],
                    exit_year: &r[9],
                    cause: &r[10],
                    ext: Default::default(),
                };
                validate_row(&raw, &|c| c == "623023", false).expect("a valid row")
            })
            .collect();
        let mut by_household: std::collections::BTreeMap<(i32, String), Vec<(usize, _)>> =
            Default::default();
        for (i, r) in valid.iter().enumerate() {
            by_household
                .entry((r.year, r.household_id.clone()))
                .or_default()
                .push((i + 2, r));
        }
        for rows in by_household.values() {
            assert!(
                check_household(rows).is_empty(),
                "households are consistent"
            );
        }
        let ids: HashSet<(i32, &str)> = valid
            .iter()
            .map(|r| (r.year, r.id_number.as_str()))
            .collect();
        assert_eq!(
            ids.len(),
            valid.len(),
            "ID numbers are unique within a year"
        );
        assert!(
            valid.iter().any(|r| r.status == PovertyStatus::Exited)
                && valid.iter().any(|r| r.status == PovertyStatus::Poor)
        );
    }
}

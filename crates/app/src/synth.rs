//! Deterministic synthetic registries, for trials, benchmarks and the
//! demo: households of 1–8 people over real village codes, incomes around
//! the poverty line, causes in realistic shares, and statuses and years
//! that agree with each other and with a household's story over the years.

use dingdian_core::registry::{ALL_CAUSES, Cause, PovertyStatus, Relation, check_digit, yuan_text};
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
        let income = yuan_text(fen);
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
/// year, most exiting over the years, a few returning. Households are
/// numbered from 1 (`{county}000001`, …).
pub fn plan_county(
    county: &str,
    villages: &[String],
    people: usize,
    seed: u64,
    first_year: i32,
    last_year: i32,
) -> Vec<HouseholdPlan> {
    plan_county_from(county, villages, people, seed, (first_year, last_year), 1)
}

/// As [`plan_county`], numbering the households from `first_number` on
/// (`{county}{first_number:06}`, …). The people and their stories do not
/// depend on the numbering.
pub fn plan_county_from(
    county: &str,
    villages: &[String],
    people: usize,
    seed: u64,
    (first_year, last_year): (i32, i32),
    first_number: u32,
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
            code: format!("{county}{:06}", u64::from(first_number) + n - 1),
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
    header_with(false)
}

/// The header, with the sixteen optional extended columns when `extended`.
pub fn header_with(extended: bool) -> Vec<String> {
    let columns = if extended {
        crate::registry::REGISTRY_COLUMNS
    } else {
        crate::registry::CONTRACT_COLUMNS
    };
    columns.iter().map(|c| c.zh.to_string()).collect()
}

/// Generates the rows of every county and year of the spec, calling `emit`
/// for each (deterministic for a given spec).
pub fn generate(
    spec: &SynthSpec,
    line_fen: &dyn Fn(i32) -> i64,
    emit: &mut dyn FnMut(&[String; 11]),
) {
    generate_with(spec, line_fen, false, &mut |row| {
        emit(row.try_into().expect("the contract's eleven columns"))
    });
}

/// As [`generate`], with the extended columns after the eleven when
/// `extended` (in [`header_with`]'s order). The extended cells come from
/// random numbers of their own (seeded by the spec's seed, the household
/// or person and the year), so the eleven columns are the same either way.
pub fn generate_with(
    spec: &SynthSpec,
    line_fen: &dyn Fn(i32) -> i64,
    extended: bool,
    emit: &mut dyn FnMut(&[String]),
) {
    generate_numbered(spec, &|_| 1, line_fen, extended, emit)
}

/// As [`generate_with`], each county's households numbered from
/// `first_number(county)` on instead of 1 (so that a file can follow the
/// numbers a database already holds). Everything else is the same.
pub fn generate_numbered(
    spec: &SynthSpec,
    first_number: &dyn Fn(&str) -> u32,
    line_fen: &dyn Fn(i32) -> i64,
    extended: bool,
    emit: &mut dyn FnMut(&[String]),
) {
    for (county, villages) in &spec.counties {
        let plans = plan_county_from(
            county,
            villages,
            spec.people_per_county,
            spec.seed,
            (spec.first_year, spec.last_year),
            first_number(county),
        );
        for year in spec.first_year..=spec.last_year {
            for p in &plans {
                let rows = p.rows(year, line_fen(year));
                if !extended {
                    for row in &rows {
                        emit(row);
                    }
                    continue;
                }
                let household = extended_household(p, year, &rows[0][6], spec.seed);
                for (row, (id, _, _)) in rows.iter().zip(&p.members) {
                    let mut cells: Vec<String> = row.to_vec();
                    cells.extend(household.iter().cloned());
                    cells.extend(extended_member(id, year, spec.seed));
                    emit(&cells);
                }
            }
        }
    }
}

/// A generator for one household or person in one year, apart from the
/// main one (`key`: a household number or an ID number, digits).
fn rng_for(key: &str, year: i32, seed: u64) -> ChaCha8Rng {
    let digits: u64 = key
        .bytes()
        .filter(u8::is_ascii_digit)
        .take(18)
        .fold(0u64, |n, b| {
            n.wrapping_mul(10).wrapping_add(u64::from(b - b'0'))
        });
    ChaCha8Rng::seed_from_u64(
        seed ^ digits.rotate_left(17) ^ (year as u64).wrapping_mul(0x9E37_79B9),
    )
}

/// The household's twelve extended cells in a year: type, other causes,
/// the four income components (yuan per household, adding up to the
/// per-capita income times the size) and the six guarantee flags (all met
/// once exited; mostly met while poor).
fn extended_household(
    p: &HouseholdPlan,
    year: i32,
    income_per_capita: &str,
    seed: u64,
) -> Vec<String> {
    use dingdian_core::registry::HouseholdType;
    let mut rng = rng_for(&p.code, year, seed);
    let size = p.members.len();
    let kind = if size == 1 && rng.gen_bool(0.25) {
        HouseholdType::FiveGuarantees
    } else if rng.gen_bool(0.15) {
        HouseholdType::Subsistence
    } else {
        HouseholdType::General
    };
    let mut others: Vec<&str> = Vec::new();
    for _ in 0..weighted(&mut rng, &[600, 300, 100]) {
        let c = ALL_CAUSES[weighted(&mut rng, &CAUSE_WEIGHTS)];
        if c != p.cause && !others.contains(&c.zh()) {
            others.push(c.zh());
        }
    }
    let yuan: f64 = income_per_capita.parse().unwrap_or(0.0);
    let total = (yuan * 100.0).round() as i64 * size as i64;
    let wage = total * rng.gen_range(30..60) / 100;
    let business = total * rng.gen_range(10..30) / 100;
    let property = total * rng.gen_range(0..5) / 100;
    let transfer = total - wage - business - property;
    let met = p.status(year) == PovertyStatus::Exited;
    let mut cells = vec![
        kind.zh().to_string(),
        others.join("、"),
        yuan_text(wage),
        yuan_text(business),
        yuan_text(property),
        yuan_text(transfer),
    ];
    cells.extend((0..6).map(|_| {
        if met || rng.gen_bool(0.85) {
            "是"
        } else {
            "否"
        }
        .to_string()
    }));
    cells
}

/// A person's four extended cells in a year, by age (from the ID number):
/// health, education, labour skill and migrant work.
fn extended_member(id: &str, year: i32, seed: u64) -> [String; 4] {
    use dingdian_core::registry::{
        ALL_EDUCATION, ALL_HEALTH, ALL_LABOUR_SKILLS, ALL_MIGRANT_WORK, Health,
    };
    let mut rng = rng_for(id, year, seed);
    let age = year
        - id.get(6..10)
            .and_then(|y| y.parse::<i32>().ok())
            .unwrap_or(year - 40);
    let health = ALL_HEALTH[weighted(&mut rng, &[800, 100, 50, 50])];
    // Preschool, illiterate, primary, junior, senior, tertiary.
    let education = match age {
        ..7 => 0,
        7..=12 => 2,
        13..=15 => 3,
        _ => 1 + weighted(&mut rng, &[150, 350, 350, 120, 30]),
    };
    // Skilled, ordinary, weak, lost, none.
    let labour = match age {
        _ if !(16..=64).contains(&age) => 4,
        _ if health == Health::Disabled => 3,
        _ => weighted(&mut rng, &[100, 600, 200, 100]),
    };
    let migrant = if labour <= 1 {
        weighted(&mut rng, &[500, 150, 150, 100, 100])
    } else {
        0
    };
    [
        health.zh().to_string(),
        ALL_EDUCATION[education].zh().to_string(),
        ALL_LABOUR_SKILLS[labour].zh().to_string(),
        ALL_MIGRANT_WORK[migrant].zh().to_string(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{REGISTRY_COLUMNS, RawIndex};
    use crate::tabular::ColumnMap;
    use dingdian_core::registry::{RegistryRow, check_household, validate_row};
    use std::collections::BTreeMap;

    /// Generated rows read as the importer reads them (its own column map,
    /// by the header) and checked by the registry rules; every row valid.
    fn validated(header: &[String], rows: &[Vec<String>]) -> Vec<RegistryRow> {
        let map = ColumnMap::new(header, REGISTRY_COLUMNS, false).expect("known header");
        let index = RawIndex::new(&map);
        rows.iter()
            .map(|r| {
                let cells: Vec<&str> = r.iter().map(String::as_str).collect();
                validate_row(&index.raw(&cells), &|c| c == "623023", false).expect("a valid row")
            })
            .collect()
    }

    /// The rows of each (year, household), with their file row numbers.
    fn by_household(valid: &[RegistryRow]) -> BTreeMap<(i32, String), Vec<(usize, &RegistryRow)>> {
        let mut out: BTreeMap<(i32, String), Vec<(usize, &RegistryRow)>> = BTreeMap::new();
        for (i, r) in valid.iter().enumerate() {
            out.entry((r.year, r.household_id.clone()))
                .or_default()
                .push((i + 2, r));
        }
        out
    }

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
        generate(&spec, &|_| 280_000, &mut |r| rows.push(r.to_vec()));
        assert_eq!(rows.len(), 1500, "500 people in each of 3 years");
        let mut again = Vec::new();
        generate(&spec, &|_| 280_000, &mut |r| again.push(r.to_vec()));
        assert_eq!(rows, again, "the same seed gives the same file");
        let valid = validated(&header(), &rows);
        for members in by_household(&valid).values() {
            assert!(
                check_household(members).is_empty(),
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

    /// `gen registry --extended`: the same eleven columns, plus sixteen
    /// extended cells that pass every rule, agree within a household, and
    /// add up (the income components to the per-capita income × size).
    #[test]
    fn extended_rows_keep_the_contract_columns_and_pass_every_rule() {
        let spec = SynthSpec {
            counties: vec![("623023".into(), vec!["623023100200".into()])],
            people_per_county: 400,
            seed: 3,
            first_year: 2014,
            last_year: 2016,
        };
        let mut plain: Vec<Vec<String>> = Vec::new();
        generate(&spec, &|_| 280_000, &mut |r| plain.push(r.to_vec()));
        let mut rows: Vec<Vec<String>> = Vec::new();
        generate_with(&spec, &|_| 280_000, true, &mut |r| rows.push(r.to_vec()));
        assert_eq!(header_with(true).len(), 27);
        assert_eq!(rows.len(), plain.len());
        for (r, p) in rows.iter().zip(&plain) {
            assert_eq!(r.len(), 27);
            assert_eq!(&r[..11], &p[..], "the eleven columns do not change");
        }
        let valid = validated(&header_with(true), &rows);
        for members in by_household(&valid).values() {
            assert!(check_household(members).is_empty(), "households agree");
            let h = members[0].1;
            let sum: i64 = h.household_extras.incomes.iter().map(|x| x.unwrap()).sum();
            assert_eq!(
                sum,
                h.income_fen * members.len() as i64,
                "components add up"
            );
        }
        let text: String = rows.iter().flat_map(|r| r[11..].to_vec()).collect();
        for word in [
            "低保贫困户",
            "否",
            "省外务工",
            "学龄前儿童",
            "无劳动力",
            "、",
        ] {
            assert!(text.contains(word), "{word} occurs");
        }
    }
}

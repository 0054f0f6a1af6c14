//! The demo registry: Zhouqu county (623023) for 2012–2016 over its real
//! villages, built so that the seed case's figures come out of the
//! indicator engine — 45 000 poor people and 32.9 % incidence in 2012,
//! 21 700 and 15.9 % in 2014, rural income per capita 3 046 yuan in 2011
//! and 4 675 in 2014, a return rate under 10 % — plus a smaller synthetic
//! registry for other key counties, so the national dashboard has shape.

use crate::error::Result;
use crate::registry::{ImportOptions, REGISTRY_COLUMNS};
use crate::synth::{self, HouseholdPlan, PeopleMaker};
use crate::tabular::Encoding;
use crate::{Actor, App};
use dingdian_core::registry::ALL_CAUSES;
use rand::Rng;

pub const ZHOUQU: &str = "623023";
const FIRST: i32 = 2012;
const LAST: i32 = 2016;
const POOR_2012: usize = 45_000;
const POOR_2014: usize = 21_700;
/// Members of households that exit in 2013 and fall back in 2014.
const RETURNING: usize = 700;

/// Zhouqu's statistics: (year, rural population, rural income per capita
/// in yuan). The populations make the incidence exact: 45 000 / 136 778 =
/// 32.9 %, 21 700 / 136 478 = 15.9 %.
const ZHOUQU_STATISTICS: &[(i32, i64, &str)] = &[
    (2011, 136_950, "3046"),
    (2012, 136_778, "3398"),
    (2013, 136_620, "3987"),
    (2014, 136_478, "4675"),
    (2015, 136_310, "5213"),
    (2016, 136_120, "5796"),
];

/// What happens to a Zhouqu household after 2012.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Story {
    /// Leaves poverty by 2014 for good.
    Exits,
    /// Leaves in 2013 and falls back in 2014.
    Returns,
    /// Still poor in 2014.
    Stays,
}

/// The households of Zhouqu with their stories.
pub(crate) fn zhouqu_plans(villages: &[String]) -> Vec<HouseholdPlan> {
    let mut maker = PeopleMaker::new(ZHOUQU, 2010);
    let sizes = household_sizes(&mut maker);
    let stories = stories(&sizes);
    let villages: Vec<&String> = villages
        .iter()
        .filter(|v| v[9..].parse::<u32>().is_ok_and(|n| n >= 200))
        .collect();
    sizes
        .iter()
        .zip(stories)
        .enumerate()
        .map(|(i, (&size, story))| zhouqu_household(&mut maker, i, size, story, &villages))
        .collect()
}

/// Households of 1–8 people until exactly 45 000 people.
fn household_sizes(maker: &mut PeopleMaker) -> Vec<usize> {
    let mut sizes = Vec::new();
    let mut total = 0;
    while total < POOR_2012 {
        let size = maker
            .rng()
            .gen_range(1..=8usize)
            .min(maker.rng().gen_range(1..=8))
            .max(1)
            .min(POOR_2012 - total);
        sizes.push(size);
        total += size;
    }
    sizes
}

/// Splits the households so that those that exit for good hold exactly
/// 45 000 − 21 700 people, and about 700 people return.
fn stories(sizes: &[usize]) -> Vec<Story> {
    let target_exited = POOR_2012 - POOR_2014;
    let (mut exited, mut returning) = (0, 0);
    let mut story = vec![Story::Stays; sizes.len()];
    for (i, &size) in sizes.iter().enumerate() {
        if exited + size <= target_exited && (i % 2 == 0 || target_exited - exited < 8) {
            story[i] = Story::Exits;
            exited += size;
        } else if returning < RETURNING && i % 7 == 3 {
            story[i] = Story::Returns;
            returning += size;
        }
    }
    // Close any remaining gap with households still unassigned.
    for (i, &size) in sizes.iter().enumerate() {
        if exited == target_exited {
            break;
        }
        if story[i] == Story::Stays && exited + size <= target_exited {
            story[i] = Story::Exits;
            exited += size;
        }
    }
    assert_eq!(
        exited, target_exited,
        "the demo's 2014 figure must come out exactly"
    );
    story
}

/// The `i`-th household: its exit (and return) years, cause, incomes and
/// village drawn at random.
fn zhouqu_household(
    maker: &mut PeopleMaker,
    i: usize,
    size: usize,
    story: Story,
    villages: &[&String],
) -> HouseholdPlan {
    let rng = maker.rng();
    let (exit_year, return_year) = match story {
        Story::Exits => (Some(if rng.gen_bool(0.45) { 2013 } else { 2014 }), None),
        Story::Returns => (Some(2013), Some(2014)),
        Story::Stays => {
            let x: f64 = rng.r#gen();
            let exit = if x < 0.45 {
                Some(2015)
            } else if x < 0.8 {
                Some(2016)
            } else {
                None
            };
            (exit, None)
        }
    };
    let cause = ALL_CAUSES[[0, 0, 0, 0, 8, 8, 8, 6, 6, 7, 7, 2, 1, 3, 4, 10][rng.gen_range(0..16)]];
    let poor_ratio = rng.gen_range(0.45..0.97);
    let exited_ratio = rng.gen_range(1.08..2.3);
    let village = villages[rng.gen_range(0..villages.len())].clone();
    HouseholdPlan {
        code: format!("{ZHOUQU}{:06}", i + 1),
        village,
        members: maker.household(size, FIRST),
        identified_year: FIRST,
        exit_year,
        return_year,
        cause,
        poor_ratio,
        exited_ratio,
    }
}

fn csv_line(out: &mut String, cells: &[String]) {
    out.push_str(&cells.join(","));
    out.push('\n');
}

impl App {
    /// Loads the demo registry and statistics (through the real importers).
    pub(crate) fn load_demo_registry(&self) -> Result<()> {
        let cli = Actor::cli();
        let all = dingdian_store::reference::villages_by_county()?;
        let lines = dingdian_store::reference::shipped_poverty_lines();
        let line = |y: i32| lines.line_fen(y).unwrap_or(400_000);
        let header: Vec<String> = REGISTRY_COLUMNS.iter().map(|c| c.zh.to_string()).collect();

        let zhouqu_villages = all
            .iter()
            .find(|(c, _)| c == ZHOUQU)
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let mut csv = String::new();
        csv_line(&mut csv, &header);
        let plans = zhouqu_plans(&zhouqu_villages);
        for year in FIRST..=LAST {
            for p in &plans {
                for row in p.rows(year, line(year)) {
                    csv_line(&mut csv, &row);
                }
            }
        }
        // Other key counties: a smaller synthetic registry, one per province.
        let mut others: Vec<(String, Vec<String>)> = Vec::new();
        for (county, villages) in &all {
            if county != ZHOUQU
                && !others.iter().any(|(c, _)| c[..2] == county[..2])
                && !villages.is_empty()
            {
                others.push((county.clone(), villages.clone()));
            }
        }
        let spec = synth::SynthSpec {
            counties: others.clone(),
            people_per_county: 1500,
            seed: 2016,
            first_year: 2014,
            last_year: LAST,
        };
        synth::generate(&spec, &line, &mut |row| csv_line(&mut csv, row));
        let opts = ImportOptions {
            encoding: Some(Encoding::Utf8),
            ..Default::default()
        };
        self.import_registry(
            &cli,
            "demo-registry.csv",
            csv.as_bytes(),
            opts,
            &|_, _, _| {},
        )?;

        let mut stats = String::from("year,area_code,rural_population,rural_income_per_capita\n");
        for (year, pop, income) in ZHOUQU_STATISTICS {
            stats.push_str(&format!("{year},{ZHOUQU},{pop},{income}\n"));
        }
        for (i, (county, _)) in others.iter().enumerate() {
            for year in 2014..=LAST {
                // The synthetic registry holds 1 500 people a county: a rural
                // population 5–9 times that gives incidences like the real ones.
                let pop = 1500 * (5 + i as i64 % 5) + (year as i64 - 2014) * 40;
                let income = 5200 + (i as i64 * 337) % 2500 + (year as i64 - 2014) * 560;
                stats.push_str(&format!("{year},{county},{pop},{income}\n"));
            }
        }
        self.import_statistics(&cli, "demo-statistics.csv", stats.as_bytes(), opts)?;
        Ok(())
    }
}

//! Indicators (indicators.md) for every area and year, from the analytics
//! snapshot: one implementation behind the CLI, the API and the pages.
//! Each row carries its completeness (`core::indicators::completeness`).

use crate::error::{AppError, Result};
use crate::{Actor, App};
use dingdian_core::Fen;
use dingdian_core::area::{Level, is_western_province};
use dingdian_core::indicators::{
    self, Accum, AreaCounties, Completeness, Indicators, Presence, StatsAccum,
};
use dingdian_core::role::Action;
use dingdian_store::analytics::{Grouping, Slice, Snapshot};
use dingdian_store::areas;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One area and year with its indicators.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct IndicatorRow {
    /// `None` for the nation.
    pub area_code: Option<String>,
    pub area_name: String,
    pub level: Level,
    pub year: i32,
    #[serde(flatten)]
    pub indicators: Indicators,
    /// Whether the year's data looks complete, and what is missing. Added
    /// to the fields of indicators.md; it changes none of them.
    pub completeness: Completeness,
}

/// What to compute.
#[derive(Debug, Clone, Default)]
pub struct IndicatorQuery {
    /// Only areas inside this one (any level's code).
    pub area: Option<String>,
    pub year: Option<i32>,
    /// Default: county.
    pub level: Option<Level>,
    /// Only members of this slice count.
    pub slice: Slice,
}

/// The code of the area of `level` that contains `code` (`""` for the nation).
fn group_of(code: &str, level: Level) -> String {
    code[..level.code_len().min(code.len())].to_string()
}

type Keyed<T> = BTreeMap<(i32, String), T>;

/// The sums of one query, per (year, group).
#[derive(Default)]
pub(crate) struct Sums {
    registry: Keyed<Accum>,
    stats: Keyed<StatsAccum>,
    /// Counties with registry or statistics rows.
    counties: Keyed<BTreeSet<String>>,
    /// Per group, the registry's presence by year.
    presence: HashMap<String, BTreeMap<i32, Presence>>,
}

impl Sums {
    fn counties_in_data(&self, year: i32, g: &str) -> u64 {
        self.counties
            .get(&(year, g.to_string()))
            .map(|c| c.len() as u64)
            .unwrap_or(0)
    }

    /// The latest year before `year` with registry rows for the group.
    fn presence_before(&self, year: i32, g: &str) -> Option<(i32, Presence)> {
        self.presence
            .get(g)?
            .range(..year)
            .next_back()
            .map(|(y, p)| (*y, *p))
    }

    fn presence_in(&self, year: i32, g: &str) -> Presence {
        self.presence
            .get(g)
            .and_then(|p| p.get(&year))
            .copied()
            .unwrap_or_default()
    }
}

pub(crate) fn check_query(q: &IndicatorQuery) -> Result<(Level, String, Grouping)> {
    let level = q.level.unwrap_or(Level::County);
    let area = q.area.clone().unwrap_or_default();
    if !area.is_empty() && (dingdian_core::area::AreaCode::parse(&area).is_none()) {
        return Err(AppError::invalid(
            "area",
            area,
            "bad_area_code",
            "区划代码应为 2、4、6、9 或 12 位数字",
            "an area code has 2, 4, 6, 9 or 12 digits",
        ));
    }
    if !area.is_empty() && area.len() > level.code_len() {
        return Err(AppError::invalid(
            "level",
            level.as_str(),
            "level_above_area",
            "层级不能高于所选区划",
            "the level cannot be above the chosen area",
        ));
    }
    let grouping = match level {
        Level::Township => Grouping::Prefix(9),
        Level::Village => Grouping::Prefix(12),
        _ => Grouping::County,
    };
    Ok((level, area, grouping))
}

impl App {
    pub fn indicators(&self, actor: &Actor, q: &IndicatorQuery) -> Result<Vec<IndicatorRow>> {
        actor.require(Action::ReadIndicators)?;
        let (level, area, grouping) = check_query(q)?;
        let division = self.division(level, &area)?;
        let mut rows = self.store.with_snapshot(|s| {
            Sums::scan(s, q.year, level, &area, grouping, &q.slice).rows(q.year, level, &division)
        })?;
        self.name_rows(&mut rows)?;
        Ok(rows)
    }

    /// For the levels above the county, every county of the division table
    /// under `area` (completeness counts the counties missing from the data).
    pub(crate) fn division(&self, level: Level, area: &str) -> Result<Vec<String>> {
        if level > Level::Prefecture {
            return Ok(Vec::new());
        }
        let all = self.store.read(areas::county_codes)?;
        Ok(all.into_iter().filter(|c| c.starts_with(area)).collect())
    }

    /// Gives each row (but the nation's) the name of its area.
    pub(crate) fn name_rows(&self, rows: &mut [IndicatorRow]) -> Result<()> {
        let codes: Vec<String> = rows
            .iter()
            .filter_map(|r| r.area_code.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let names = self.store.read(|c| areas::names(c, &codes))?;
        for r in rows {
            if let Some(code) = &r.area_code {
                r.area_name = names.get(code).cloned().unwrap_or_default();
            }
        }
        Ok(())
    }
}

impl Sums {
    /// Scans the snapshot once for a query: registry sums, statistics of
    /// every year (growth needs last year's income) and the registry's
    /// presence of every year (completeness compares with the year before).
    pub(crate) fn scan(
        s: &Snapshot,
        year: Option<i32>,
        level: Level,
        area: &str,
        grouping: Grouping,
        slice: &Slice,
    ) -> Sums {
        let group = |key: &String| {
            if grouping == Grouping::County {
                group_of(key, level)
            } else {
                key.clone()
            }
        };
        let mut sums = Sums::default();
        for ((year, key), acc) in &s.accumulate(year, area, grouping, slice, &|y| s.line_fen(y)) {
            let g = group(key);
            sums.registry
                .entry((*year, g.clone()))
                .or_default()
                .merge(acc);
            sums.counties
                .entry((*year, g))
                .or_default()
                .insert(key[..6].to_string());
        }
        for ((year, key), p) in &s.presence(area, grouping) {
            sums.presence
                .entry(group(key))
                .or_default()
                .entry(*year)
                .or_default()
                .merge(p);
        }
        // Statistics exist for counties only: township and village areas have none.
        if grouping == Grouping::County {
            for (year, county, pop, income) in s.statistics(None, area) {
                let g = group_of(county, level);
                sums.stats
                    .entry((year, g.clone()))
                    .or_default()
                    .add_county(Some(pop), income.map(|f| Fen::new(f).yuan()));
                sums.counties
                    .entry((year, g))
                    .or_default()
                    .insert(county.to_string());
            }
        }
        sums
    }

    /// The rows of the sums: every (year, group) with registry rows, and
    /// with statistics in `year` (every year when `None`). Unnamed.
    pub(crate) fn rows(
        &self,
        year: Option<i32>,
        level: Level,
        division: &[String],
    ) -> Vec<IndicatorRow> {
        let mut keys: BTreeSet<(i32, String)> = self.registry.keys().cloned().collect();
        keys.extend(
            self.stats
                .keys()
                .filter(|(y, _)| year.is_none_or(|w| w == *y))
                .cloned(),
        );
        keys.into_iter()
            .map(|(year, g)| row(self, level, year, g, division))
            .collect()
    }
}

/// The counties of group `g` in one year: those in the data, and for the
/// levels above the county every county of the division table under it
/// (with those in the data, should one be missing from the table).
fn area_counties(
    sums: &Sums,
    level: Level,
    year: i32,
    g: &str,
    division: &[String],
) -> AreaCounties {
    let in_data = sums.counties_in_data(year, g);
    let in_division = match level {
        Level::County => 1,
        Level::Township | Level::Village => 0,
        _ => {
            let mut all: BTreeSet<&str> = division
                .iter()
                .filter(|c| c.starts_with(g))
                .map(String::as_str)
                .collect();
            if let Some(present) = sums.counties.get(&(year, g.to_string())) {
                all.extend(present.iter().map(String::as_str));
            }
            all.len() as u64
        }
    };
    AreaCounties {
        in_data,
        in_division,
    }
}

fn row(sums: &Sums, level: Level, year: i32, g: String, division: &[String]) -> IndicatorRow {
    let empty = Accum::default();
    let no_stats = StatsAccum::default();
    let key = (year, g.clone());
    let r = sums.registry.get(&key).unwrap_or(&empty);
    let s = sums.stats.get(&key).unwrap_or(&no_stats);
    let counties = area_counties(sums, level, year, &g, division);
    let is_county = level == Level::County;
    // Last year's income of the same area, from its statistics alone.
    let previous = sums.stats.get(&(year - 1, g.clone())).and_then(|p| {
        let pn = AreaCounties::same(sums.counties_in_data(year - 1, &g));
        indicators::compute(&empty, p, pn, None, is_county, false).rural_income_per_capita
    });
    let western = g.len() >= 2 && is_western_province(&g[..2]);
    let completeness = indicators::completeness(
        sums.presence_in(year, &g),
        sums.presence_before(year, &g),
        counties,
        s,
    );
    IndicatorRow {
        area_code: (level != Level::Nation).then(|| g.clone()),
        // Other areas are named by `App::name_rows`.
        area_name: if level == Level::Nation {
            "全国".into()
        } else {
            String::new()
        },
        level,
        year,
        indicators: indicators::compute(r, s, counties, previous, is_county, western),
        completeness,
    }
}

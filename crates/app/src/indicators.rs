//! Indicators (indicators.md) for every area and year, from the analytics
//! snapshot: one implementation behind the CLI, the API and the pages.

use crate::error::{AppError, Result};
use crate::{Actor, App};
use dingdian_core::area::{Level, is_western_province};
use dingdian_core::indicators::{self, Accum, Indicators, StatsAccum};
use dingdian_core::role::Action;
use dingdian_store::analytics::{Grouping, Slice};
use dingdian_store::areas;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One area and year with its indicators.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct IndicatorRow {
    /// `None` for the nation.
    pub area_code: Option<String>,
    pub area_name: String,
    pub level: Level,
    pub year: i32,
    #[serde(flatten)]
    pub indicators: Indicators,
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

impl App {
    pub fn indicators(&self, actor: &Actor, q: &IndicatorQuery) -> Result<Vec<IndicatorRow>> {
        actor.require(Action::ReadIndicators)?;
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
        let (registry, stats) = self.store.with_snapshot(|s| {
            let registry = s.accumulate(q.year, &area, grouping, &q.slice, &|y| s.line_fen(y));
            // Statistics of every year: growth needs last year's income.
            let stats: Vec<(i32, String, i64, Option<i64>)> = s
                .statistics(None, &area)
                .map(|(y, c, p, i)| (y, c.to_string(), p, i))
                .collect();
            (registry, stats)
        })?;

        // Registry sums per (year, group); counties present per (year, group).
        let mut r_acc: BTreeMap<(i32, String), Accum> = BTreeMap::new();
        let mut counties: BTreeMap<(i32, String), BTreeSet<String>> = BTreeMap::new();
        for ((year, key), acc) in &registry {
            let g = if grouping == Grouping::County {
                group_of(key, level)
            } else {
                key.clone()
            };
            r_acc.entry((*year, g.clone())).or_default().merge(acc);
            counties
                .entry((*year, g))
                .or_default()
                .insert(key[..6].to_string());
        }
        // Statistics exist for counties only: township and village areas have none.
        let mut s_acc: BTreeMap<(i32, String), StatsAccum> = BTreeMap::new();
        if grouping == Grouping::County {
            for (year, county, pop, income) in &stats {
                let g = group_of(county, level);
                s_acc
                    .entry((*year, g.clone()))
                    .or_default()
                    .add_county(Some(*pop), income.map(|f| f as f64 / 100.0));
                counties
                    .entry((*year, g))
                    .or_default()
                    .insert(county.clone());
            }
        }
        let mut keys: BTreeSet<(i32, String)> = r_acc.keys().cloned().collect();
        keys.extend(
            s_acc
                .keys()
                .filter(|(y, _)| q.year.is_none_or(|w| w == *y))
                .cloned(),
        );

        let codes: Vec<String> = keys
            .iter()
            .map(|(_, g)| g.clone())
            .filter(|g| !g.is_empty())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let names: HashMap<String, String> = self.store.read(|c| areas::names(c, &codes))?;
        let empty = Accum::default();
        let no_stats = StatsAccum::default();
        let mut out = Vec::with_capacity(keys.len());
        for (year, g) in keys {
            let r = r_acc.get(&(year, g.clone())).unwrap_or(&empty);
            let s = s_acc.get(&(year, g.clone())).unwrap_or(&no_stats);
            let n = counties
                .get(&(year, g.clone()))
                .map(|c| c.len() as u64)
                .unwrap_or(0);
            // Last year's income of the same area, from its statistics alone.
            let previous = s_acc.get(&(year - 1, g.clone())).and_then(|p| {
                let pn = counties
                    .get(&(year - 1, g.clone()))
                    .map(|c| c.len() as u64)
                    .unwrap_or(0);
                indicators::compute(&empty, p, pn, None, level == Level::County, false)
                    .rural_income_per_capita
            });
            let western = g.len() >= 2 && is_western_province(&g[..2]);
            out.push(IndicatorRow {
                area_code: if level == Level::Nation {
                    None
                } else {
                    Some(g.clone())
                },
                area_name: if level == Level::Nation {
                    "全国".into()
                } else {
                    names.get(&g).cloned().unwrap_or_default()
                },
                level,
                year,
                indicators: indicators::compute(r, s, n, previous, level == Level::County, western),
            });
        }
        Ok(out)
    }
}

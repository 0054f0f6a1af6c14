//! The indicators dashboard (指标看板) of one area and year as one read
//! model: the area's years, the child areas of the year shown and the
//! poor by cause, from one pass over the analytics snapshot (one scan per
//! grouping) rather than one indicator query per figure.

use crate::error::{AppError, Result};
use crate::indicators::{IndicatorQuery, IndicatorRow, Sums, check_query};
use crate::{Actor, App};
use dingdian_core::area::Level;
use dingdian_core::registry::{ALL_CAUSES, Cause};
use dingdian_core::role::Action;
use dingdian_store::analytics::{Grouping, Slice, Snapshot};

/// The level one below (`None` under a village).
pub fn child_level(l: Level) -> Option<Level> {
    match l {
        Level::Nation => Some(Level::Province),
        Level::Province => Some(Level::Prefecture),
        Level::Prefecture => Some(Level::County),
        Level::County => Some(Level::Township),
        Level::Township => Some(Level::Village),
        Level::Village => None,
    }
}

/// The level of an area code (`None` for the nation).
pub fn level_of(area: Option<&str>) -> Result<Level> {
    match area {
        None => Ok(Level::Nation),
        Some(a) => Level::from_code_len(a.len())
            .filter(|_| a.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| {
                AppError::invalid(
                    "area",
                    a,
                    "bad_area_code",
                    "区划代码应为 2、4、6、9 或 12 位数字",
                    "an area code has 2, 4, 6, 9 or 12 digits",
                )
            }),
    }
}

/// What the dashboard shows.
#[derive(Debug, Clone, Default)]
pub struct DashboardQuery {
    /// `None` for the nation.
    pub area: Option<String>,
    /// Default: the latest year whose data looks complete.
    pub year: Option<i32>,
    pub slice: Slice,
    /// Whether to count the poor by cause (the export has no chart).
    pub causes: bool,
}

/// Everything the dashboard shows.
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub area: Option<String>,
    pub level: Level,
    /// (code, name) from the province down to the area.
    pub lineage: Vec<(String, String)>,
    pub year: Option<i32>,
    /// The latest year, when the dashboard opened on an earlier complete one.
    pub latest_incomplete: Option<i32>,
    pub own: Option<IndicatorRow>,
    pub previous: Option<IndicatorRow>,
    /// The area in every year, oldest first.
    pub history: Vec<IndicatorRow>,
    pub child_level: Option<Level>,
    pub children: Vec<IndicatorRow>,
    /// Poor people per cause in the year, whatever the cause filter says.
    pub causes: Vec<(Cause, u64)>,
    /// Whether the actor may open the registry of the area.
    pub may_read_registry: bool,
}

/// What one pass over the snapshot finds.
#[derive(Clone)]
struct Pass {
    history: Vec<IndicatorRow>,
    year: Option<i32>,
    children: Vec<IndicatorRow>,
    causes: Vec<(Cause, u64)>,
}

impl App {
    pub fn dashboard(&self, actor: &Actor, q: &DashboardQuery) -> Result<Dashboard> {
        actor.require(Action::ReadIndicators)?;
        let level = level_of(q.area.as_deref())?;
        let lineage = match &q.area {
            Some(a) => {
                let l = self.area_lineage(actor, a)?;
                if l.is_empty() {
                    return Err(AppError::not_found("区划", "area"));
                }
                l
            }
            None => Vec::new(),
        };
        let grouping = |level: Level| {
            check_query(&IndicatorQuery {
                area: q.area.clone(),
                level: Some(level),
                ..Default::default()
            })
            .map(|(_, _, g)| (level, g))
        };
        let own = grouping(level)?;
        let child = child_level(level).map(grouping).transpose()?;
        let area = q.area.clone().unwrap_or_default();
        let key = (q.area.clone(), q.year, q.slice.clone(), q.causes);
        let cached = self
            .store
            .with_snapshot(|s| lock(&self.dashboards).get(s.version, &key))?;
        let mut pass = match cached {
            Some(pass) => pass,
            // The division is read only for a pass not yet made.
            None => {
                let division = self.division(level, &area)?;
                self.store.with_snapshot(|s| {
                    let pass = one_pass(s, q, &area, own, child, &division);
                    lock(&self.dashboards).put(s.version, key, pass.clone());
                    pass
                })?
            }
        };
        // One read names both the years and the children.
        let years = pass.history.len();
        pass.history.append(&mut pass.children);
        self.name_rows(&mut pass.history)?;
        pass.children = pass.history.split_off(years);
        Ok(read_model(q, level, lineage, pass, actor))
    }
}

/// What a pass depends on besides the snapshot: area, year, slice, and
/// whether the causes are counted (the division follows from the area).
type PassKey = (Option<String>, Option<i32>, Slice, bool);

/// Passes already made over one snapshot version. A snapshot does not
/// change within a version (every registry, statistics or poverty-line
/// write bumps it), so neither does a pass: the dashboard's scans run
/// once per area, year and slice until the next write, not once per page.
#[derive(Default)]
pub(crate) struct PassCache {
    version: i64,
    passes: std::collections::HashMap<PassKey, Pass>,
}

/// Passes kept at most; past it the cache starts again (bounded memory
/// whatever areas and slices are asked for).
const MOST_PASSES: usize = 512;

impl PassCache {
    fn get(&self, version: i64, key: &PassKey) -> Option<Pass> {
        (self.version == version).then(|| self.passes.get(key).cloned())?
    }

    fn put(&mut self, version: i64, key: PassKey, pass: Pass) {
        if self.version != version || self.passes.len() >= MOST_PASSES {
            self.passes.clear();
            self.version = version;
        }
        self.passes.insert(key, pass);
    }
}

fn lock(m: &std::sync::Mutex<PassCache>) -> std::sync::MutexGuard<'_, PassCache> {
    // A pass is made before it is stored: a panic cannot leave half a pass.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The area's years, then for the year shown its children and its poor by
/// cause. Without a chosen year: the latest whose data looks complete.
fn one_pass(
    s: &Snapshot,
    q: &DashboardQuery,
    area: &str,
    (level, grouping): (Level, Grouping),
    child: Option<(Level, Grouping)>,
    division: &[String],
) -> Pass {
    let history = Sums::scan(s, None, level, area, grouping, &q.slice).rows(None, level, division);
    let year = q.year.or_else(|| {
        history
            .iter()
            .rev()
            .find(|r| r.completeness.is_complete())
            .or(history.last())
            .map(|r| r.year)
    });
    let children = match (child, year) {
        (Some((cl, g)), Some(y)) => {
            Sums::scan(s, Some(y), cl, area, g, &q.slice).rows(Some(y), cl, division)
        }
        _ => Vec::new(),
    };
    let has_own = history.iter().any(|r| Some(r.year) == year);
    let causes = match year {
        Some(y) if q.causes && has_own => {
            let poor = s.poor_by_cause(y, area, &q.slice);
            ALL_CAUSES
                .iter()
                .map(|c| (*c, poor.get(&c.code()).copied().unwrap_or(0)))
                .collect()
        }
        _ => Vec::new(),
    };
    Pass {
        history,
        year,
        children,
        causes,
    }
}

fn read_model(
    q: &DashboardQuery,
    level: Level,
    lineage: Vec<(String, String)>,
    pass: Pass,
    actor: &Actor,
) -> Dashboard {
    let year = pass.year;
    let own = pass.history.iter().find(|r| Some(r.year) == year).cloned();
    let previous = year.and_then(|y| pass.history.iter().find(|r| r.year == y - 1).cloned());
    let latest_incomplete = pass
        .history
        .last()
        .map(|r| r.year)
        .filter(|l| q.year.is_none() && year != Some(*l));
    Dashboard {
        area: q.area.clone(),
        level,
        lineage,
        year,
        latest_incomplete,
        own,
        previous,
        history: pass.history,
        child_level: child_level(level),
        children: pass.children,
        causes: pass.causes,
        may_read_registry: actor.role.may(Action::ReadRegistry),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_go_down_one_at_a_time() {
        assert_eq!(child_level(Level::Nation), Some(Level::Province));
        assert_eq!(child_level(Level::County), Some(Level::Township));
        assert_eq!(child_level(Level::Village), None);
        assert_eq!(level_of(None).unwrap(), Level::Nation);
        assert_eq!(level_of(Some("623023")).unwrap(), Level::County);
        assert_eq!(level_of(Some("623023100")).unwrap(), Level::Township);
        assert!(level_of(Some("6230")).is_ok());
        assert!(level_of(Some("62302")).is_err());
        assert!(level_of(Some("abcdef")).is_err());
    }
}

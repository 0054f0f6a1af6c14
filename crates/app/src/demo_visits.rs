//! The demo's leader visits: the Organization Department's leaders visit
//! Zhouqu every year since 2010 (the principal leader in even years, a
//! deputy in odd ones); every other unit paired today has visited each of
//! its counties this year, except one unit, whose leaders came last year
//! only — the office's "not yet visited" page has something to show.

use crate::demo::ZHOUQU;
use crate::error::Result;
use crate::{Actor, App};
use chrono::{Datelike, Duration, NaiveDate};
use dingdian_core::leader_visit::LeaderVisitInput;
use dingdian_core::plan::{Pairing, PairingPlanStatus};
use dingdian_core::query::PairingFilter;
use dingdian_core::role::{Role, Scope};
use dingdian_core::time;
use dingdian_store::Page;

/// The first year of the seed pairing.
const SEED_SINCE: i32 = 2010;

fn unit_actor(unit: i64) -> Actor {
    Actor {
        role: Role::Unit,
        scope: Scope::Unit(unit),
        ..Actor::cli()
    }
}

fn visit(county: &str, level: &str, date: NaiveDate, purpose: &str) -> LeaderVisitInput {
    let principal = level == "principal";
    LeaderVisitInput {
        county_code: county.into(),
        leader_name: if principal {
            "部长"
        } else {
            "分管副部长"
        }
        .into(),
        leader_level: level.into(),
        date: date.to_string(),
        places: "县城、乡镇、贫困村和帮扶项目现场".into(),
        purpose: purpose.into(),
        decisions: "研究确定下一年度帮扶资金和项目，加强挂职干部管理".into(),
    }
}

impl App {
    /// The demo's leader visits (see the module's note).
    pub(crate) fn demo_visits(&self, seed: i64) -> Result<()> {
        let today = time::today();
        let as_seed = unit_actor(seed);
        for year in SEED_SINCE..=today.year() {
            let level = if year % 2 == 0 { "principal" } else { "deputy" };
            let planned = NaiveDate::from_ymd_opt(year, 5 + (year % 4) as u32, 12);
            let date = planned.map_or(today, |d| d.min(today));
            let input = visit(ZHOUQU, level, date, "调研定点扶贫工作，看望挂职干部");
            self.create_leader_visit(&as_seed, &input, today)?;
        }
        let f = PairingFilter {
            active_on: Some(today),
            plan_statuses: vec![PairingPlanStatus::Active],
            ..Default::default()
        };
        let (pairings, _) = self.list_pairings(&Actor::cli(), &f, Page::all())?;
        let others: Vec<&Pairing> = pairings.iter().filter(|p| p.unit_id != seed).collect();
        let behind = others.last().map(|p| p.unit_id);
        for (i, p) in others.iter().enumerate() {
            let this_year = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
            let date = if Some(p.unit_id) == behind {
                // Last year's visit only, if the pairing was in force then.
                this_year - Duration::days(30)
            } else {
                (today - Duration::days(7 * (i as i64 % 20))).max(this_year)
            };
            if date < p.start {
                continue;
            }
            let level = if i % 3 == 0 { "principal" } else { "deputy" };
            let input = visit(&p.county_code, level, date, "调研帮扶项目，督促责任落实");
            self.create_leader_visit(&unit_actor(p.unit_id), &input, today)?;
        }
        Ok(())
    }
}

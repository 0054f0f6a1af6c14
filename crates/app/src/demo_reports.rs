//! The demo's reporting calendar and reports: a calendar for each year
//! from 2024, the reports it expects of whatever teams the demo's
//! secondments hold, and their filing. Zhouqu's team (the seed unit) files
//! on time and its unit accepts, except its latest quarterly report, which
//! the unit returned with a comment; other teams file some reports late
//! and leave some as overdue drafts. Everything goes through the use
//! cases, stamped on past days.

use crate::demo::{SEED_UNIT, ZHOUQU};
use crate::error::Result;
use crate::reports::Decision;
use crate::{Actor, App};
use chrono::{Datelike, Duration, NaiveDate};
use dingdian_core::area::CountyCode;
use dingdian_core::report::{CalendarInput, Report, ReportFilter, ReportStatus, Sections};
use dingdian_core::role::{Role, Scope};
use dingdian_core::time;
use dingdian_store::Page;

/// How one demo report is filed: days after its due date it is submitted
/// (negative: before), and what the unit does with it.
#[derive(Clone, Copy)]
enum Filing {
    Filed(i64, Option<Decision>),
    Draft,
}

/// An actor of the demo for a team or a unit without an account of its own.
fn stand_in(role: Role, scope: Scope) -> Actor {
    Actor {
        user_id: None,
        username: "demo".into(),
        display_name: "演示数据 / demo".into(),
        role,
        scope,
        lang: "zh".into(),
        address: None,
    }
}

fn sections(r: &Report) -> Sections {
    Sections {
        work_done: format!(
            "{}：围绕产业帮扶、劳务协作和干部培训开展工作，按计划推进帮扶项目，资金使用情况见本期数据。",
            r.period
        ),
        problems: "部分村组道路雨季易损，产业项目销售渠道仍需拓展。".into(),
        next_steps: "加强项目验收和资金监管，组织消费帮扶对接。".into(),
    }
}

impl App {
    /// The demo's reports step (run by `load_demo`; again after more
    /// secondments are added, it files only reports no one touched yet).
    pub fn demo_reports(&self) -> Result<()> {
        let today = time::today();
        let cli = Actor::cli();
        for year in 2024..=today.year() {
            self.set_report_calendar(&cli, year, &CalendarInput::default(), today)?;
        }
        let (mut reports, _) =
            self.list_reports(&cli, &ReportFilter::default(), today, Page::all())?;
        reports.sort_by_key(|r| (r.due, r.id));
        // The seed team's latest report already past due is the returned
        // one (so the demo shows a return and an overdue report on any day).
        let latest_seed = reports
            .iter()
            .filter(|r| seed_team(r) && r.kind.is_team_report() && r.due < today)
            .map(|r| r.id)
            .next_back();
        for (i, r) in reports.iter().enumerate() {
            let filing = if seed_team(r) {
                let returned = Some(r.id) == latest_seed;
                Filing::Filed(
                    -3,
                    Some(if returned {
                        Decision::Return
                    } else {
                        Decision::Accept
                    }),
                )
            } else {
                match i % 3 {
                    0 => Filing::Filed(12, Some(Decision::Accept)),
                    1 => Filing::Filed(-1, None),
                    _ => Filing::Draft,
                }
            };
            self.demo_file(r, filing, today)?;
        }
        Ok(())
    }

    /// Files one report as `filing` says, on days before `today`.
    fn demo_file(&self, r: &Report, filing: Filing, today: NaiveDate) -> Result<()> {
        let Filing::Filed(days, decision) = filing else {
            return Ok(());
        };
        if r.status != ReportStatus::Draft || r.revision > 0 {
            return Ok(());
        }
        let on = r.due + Duration::days(days);
        if on >= today {
            return Ok(());
        }
        let (author, reviewer) = self.demo_team_actors(r)?;
        let rev = self.save_report_draft(&author, r.id, &sections(r), r.revision)?;
        self.submit_report(&author, r.id, None, rev, on)?;
        let reviewed = on + Duration::days(2);
        match decision {
            Some(d) if reviewed < today => {
                let comment = (d == Decision::Return)
                    .then_some("请补充本季度资金拨付进度和下季度项目验收安排。");
                self.review_report(&reviewer, r.id, d, comment, reviewed)
            }
            _ => Ok(()),
        }
    }

    /// Who writes and who reviews a report: the demo's cadre and unit
    /// accounts for the seed unit's Zhouqu team, stand-ins elsewhere.
    fn demo_team_actors(&self, r: &Report) -> Result<(Actor, Actor)> {
        let unit = stand_in(Role::Unit, Scope::Unit(r.unit_id));
        if seed_team(r) {
            let reviewer = self.demo_actor("zzb")?;
            let author = if r.kind.is_team_report() {
                self.demo_actor("cadre")?
            } else {
                reviewer.clone()
            };
            return Ok((author, reviewer));
        }
        let author = match (&r.county_code, r.kind.is_team_report()) {
            (Some(county), true) => {
                let code = CountyCode::parse(county).expect("a stored county code");
                stand_in(Role::Cadre, Scope::UnitCounty(r.unit_id, code))
            }
            _ => unit.clone(),
        };
        Ok((author, unit))
    }
}

/// The seed unit's Zhouqu team (or its annual summary).
fn seed_team(r: &Report) -> bool {
    r.unit_name == SEED_UNIT && r.county_code.as_deref().is_none_or(|c| c == ZHOUQU)
}

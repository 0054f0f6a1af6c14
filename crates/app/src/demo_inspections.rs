//! The demo's inspections and rectification. The seed case: the
//! Organization Department inspects its work in Zhouqu every six to twelve
//! months; each inspection's findings open items for the county or the
//! seconded cadre, mostly verified, the latest still in progress. Elsewhere
//! the office's inspectors visit two other units' pairings, leaving open and
//! overdue items owned by those units' demo accounts (`OWNER_ACCOUNTS`).

use crate::auth::NewUserInput;
use crate::demo::{DEMO_PASSWORD, ZHOUQU};
use crate::error::Result;
use crate::{Actor, App};
use chrono::{Days, NaiveDate};
use dingdian_core::inspection::{FindingInput, InspectionInput, RectificationInput};
use dingdian_core::plan::PairingPlanStatus;
use dingdian_core::query::PairingFilter;
use dingdian_core::time;
use dingdian_store::Page;

/// Accounts the demo adds beyond `DEMO_USERS`: a manager of each of two
/// other units, owners of their rectification items.
pub const OWNER_ACCOUNTS: usize = 2;

/// An item: action, owner (a demo user name), deadline, where it ends
/// (open, in_progress, done, verified).
type Item = (&'static str, &'static str, &'static str, &'static str);

/// An inspection of Zhouqu by the seed unit: date, team, finding, items.
type SeedInspection = (&'static str, &'static str, &'static str, &'static [Item]);

const SEED_INSPECTIONS: [SeedInspection; 6] = [
    (
        "2023-03-15",
        "部扶贫办督查组",
        "易地搬迁安置点后续产业配套不足",
        &[("制定安置点产业配套方案", "zhouqu", "2023-06-30", "verified")],
    ),
    (
        "2023-11-20",
        "部扶贫办督查组",
        "劳务输出台账不完整",
        &[
            ("补全2023年劳务输出台账", "cadre", "2024-01-31", "verified"),
            ("建立按月更新制度", "zhouqu", "2024-02-29", "verified"),
        ],
    ),
    (
        "2024-06-18",
        "部机关党委督查组",
        "培训后跟踪服务薄弱",
        &[("建立培训学员就业跟踪表", "cadre", "2024-09-30", "verified")],
    ),
    (
        "2025-04-10",
        "部扶贫办督查组",
        "部分帮扶项目进度滞后",
        &[("倒排工期，按月报告进度", "zhouqu", "2025-07-31", "verified")],
    ),
    (
        "2025-12-05",
        "部扶贫办督查组",
        "消费帮扶渠道单一",
        &[(
            "拓展832平台和单位食堂采购",
            "cadre",
            "2026-03-31",
            "verified",
        )],
    ),
    (
        "2026-09-16",
        "部扶贫办督查组",
        "驻村工作队考勤记录不全",
        &[(
            "完善驻村考勤和走访记录",
            "cadre",
            "2027-01-31",
            "in_progress",
        )],
    ),
];

fn day(s: &str) -> NaiveDate {
    s.parse().expect("a demo date")
}

/// The steps that take a new item to where it ends.
fn steps_to(ends: &str) -> &'static [&'static str] {
    match ends {
        "in_progress" => &["in_progress"],
        "done" => &["in_progress", "done"],
        "verified" => &["in_progress", "done", "verified"],
        _ => &[],
    }
}

/// Items of other units' inspections: action, deadline, where it ends.
const OTHER_ITEMS: [(&str, &str, &str); 3] = [
    ("落实帮扶资金拨付", "2026-08-31", "open"),
    ("补齐项目验收材料", "2027-02-28", "in_progress"),
    ("修订年度帮扶计划", "2026-07-31", "done"),
];

impl App {
    pub(crate) fn demo_inspections(&self, seed: i64) -> Result<()> {
        let zzb = self.demo_actor("zzb")?;
        for (date, team, finding, items) in SEED_INSPECTIONS {
            let mut owned = Vec::new();
            for (action, owner, deadline, ends) in items {
                owned.push((self.demo_actor(owner)?, *action, *deadline, *ends));
            }
            self.demo_inspection(&zzb, (seed, ZHOUQU), (date, team, finding), &owned)?;
        }
        self.demo_other_inspections(seed)
    }

    /// One inspection with one finding; each item taken as far as it went
    /// by its owner (and verified by the inspecting side), ten days a step.
    fn demo_inspection(
        &self,
        by: &Actor,
        (unit, county): (i64, &str),
        (date, team, finding): (&str, &str, &str),
        items: &[(Actor, &str, &str, &str)],
    ) -> Result<()> {
        let input = InspectionInput {
            unit_id: Some(unit),
            date: date.into(),
            team: team.into(),
            summary: String::new(),
            counties: vec![county.into()],
            findings: vec![FindingInput {
                county_code: county.into(),
                text: finding.into(),
                items: items
                    .iter()
                    .map(|(owner, action, deadline, _)| RectificationInput {
                        action: action.to_string(),
                        owner: owner.user_id.map(|o| o.to_string()).unwrap_or_default(),
                        deadline: deadline.to_string(),
                    })
                    .collect(),
            }],
        };
        let on = day(date);
        let id = self.create_inspection_on(by, &input, on)?;
        let stored = self.get_inspection(by, id, on)?;
        for ((owner, _, _, ends), row) in items.iter().zip(&stored.findings[0].items) {
            for (k, to) in steps_to(ends).iter().enumerate() {
                let who = if *to == "verified" { by } else { owner };
                let when = (on + Days::new(10 * (k as u64 + 1))).min(time::today());
                self.transition_rectification_on(who, row.id, (to, None), when)?;
            }
        }
        Ok(())
    }

    /// The office's inspectors visit two other units' pairings this year,
    /// leaving an item overdue and open, one in progress, one done and
    /// awaiting verification; each unit gets a demo account to own them.
    fn demo_other_inspections(&self, seed: i64) -> Result<()> {
        let inspector = self.demo_actor("inspector")?;
        let f = PairingFilter {
            active_on: Some(time::today()),
            plan_statuses: vec![PairingPlanStatus::Active],
            ..Default::default()
        };
        let (pairings, _) = self.list_pairings(&Actor::cli(), &f, Page::new(Some(1), Some(20)))?;
        let mut units = vec![seed];
        for p in pairings {
            if units.len() > OWNER_ACCOUNTS || units.contains(&p.unit_id) {
                continue;
            }
            units.push(p.unit_id);
            let username = format!("unit{}", units.len());
            self.create_user(
                &Actor::cli(),
                &NewUserInput {
                    username: username.clone(),
                    display_name: format!("{} 联络员", p.unit_name),
                    role: "unit".into(),
                    unit_id: Some(p.unit_id),
                    county_code: None,
                    password: DEMO_PASSWORD.into(),
                    totp_secret: None,
                    demo: true,
                },
            )?;
            let owner = self.demo_actor(&username)?;
            let items: Vec<_> = OTHER_ITEMS
                .iter()
                .map(|(action, deadline, ends)| (owner.clone(), *action, *deadline, *ends))
                .collect();
            let what = (
                "2026-05-20",
                "国务院扶贫办督查组",
                "帮扶资金拨付和项目管理不规范",
            );
            self.demo_inspection(&inspector, (p.unit_id, &p.county_code), what, &items)?;
        }
        Ok(())
    }
}

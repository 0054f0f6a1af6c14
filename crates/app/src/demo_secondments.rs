//! The demo's secondments. The seed case: the Organization Department
//! sent ten division-level (处级) cadres to Zhouqu in two batches — the
//! first from July 2010 (the team leader three years, members one to two),
//! the second from July 2024 (all serving; the team leader is the demo
//! `cadre` account). Elsewhere, on pairings running today, a team leader
//! recalled early, a pairing whose only cadre has left, and two batches
//! that overlap, so that continuity has something to show.

use crate::demo::ZHOUQU;
use crate::error::Result;
use crate::{Actor, App};
use dingdian_core::plan::PairingPlanStatus;
use dingdian_core::query::PairingFilter;
use dingdian_core::role::{Role, Scope};
use dingdian_core::secondment::SecondmentInput;
use dingdian_core::time;
use dingdian_store::Page;

/// One cadre: name, post, role, batch, start, planned end (empty: a team
/// leader's three years), and how the term went: `serving`, or the end
/// it was completed on.
type Cadre = (
    &'static str,
    &'static str,
    &'static str,
    i64,
    &'static str,
    &'static str,
    &'static str,
);

const SEED_CADRES: [Cadre; 10] = [
    (
        "王建国",
        "舟曲县委常委、副县长",
        "leader",
        1,
        "2010-07-01",
        "",
        "2013-06-30",
    ),
    (
        "李志强",
        "舟曲县扶贫办副主任",
        "member",
        1,
        "2010-07-01",
        "2011-06-30",
        "2011-06-30",
    ),
    (
        "陈立新",
        "舟曲县发改局副局长",
        "member",
        1,
        "2010-07-01",
        "2012-06-30",
        "2012-06-30",
    ),
    (
        "刘文博",
        "大川镇党委副书记",
        "member",
        1,
        "2010-07-01",
        "2011-12-31",
        "2011-12-31",
    ),
    (
        "赵明远",
        "舟曲县教育局副局长",
        "member",
        1,
        "2010-07-01",
        "2012-06-30",
        "2012-06-30",
    ),
    (
        "孙海涛",
        "舟曲县委常委、副县长",
        "leader",
        2,
        "2024-07-01",
        "",
        "serving",
    ),
    (
        "周晓峰",
        "舟曲县农业农村局副局长",
        "member",
        2,
        "2024-07-01",
        "2027-06-30",
        "serving",
    ),
    (
        "吴振华",
        "舟曲县乡村振兴局副局长",
        "member",
        2,
        "2024-07-01",
        "2026-12-31",
        "serving",
    ),
    (
        "郑宇航",
        "立节镇党委副书记",
        "member",
        2,
        "2025-07-01",
        "2027-06-30",
        "serving",
    ),
    (
        "黄思远",
        "舟曲县人社局副局长",
        "member",
        2,
        "2025-07-01",
        "2027-06-30",
        "serving",
    ),
];

/// The demo loader acting for a unit; a secondment's history names it
/// "演示数据" (demo data), as no person of that unit took the step.
fn unit_actor(unit: i64) -> Actor {
    Actor {
        username: "演示数据".into(),
        role: Role::Unit,
        scope: Scope::Unit(unit),
        ..Actor::cli()
    }
}

fn input(county: &str, c: &Cadre) -> SecondmentInput {
    let (name, post, role, batch, start, planned_end, _) = *c;
    SecondmentInput {
        person_name: name.into(),
        person_rank: "处级".into(),
        contact: "0941-5120000".into(),
        county_code: county.into(),
        post: post.into(),
        role: role.into(),
        batch: batch.to_string(),
        start: start.into(),
        planned_end: planned_end.into(),
        ..Default::default()
    }
}

impl App {
    pub(crate) fn demo_secondments(&self, office: &Actor, seed: i64) -> Result<()> {
        let zzb = unit_actor(seed);
        let cadre = self.demo_actor("cadre")?;
        for c in &SEED_CADRES {
            let id = self.demo_cadre(office, &zzb, ZHOUQU, c)?;
            if c.0 == SEED_CADRES[5].0 {
                self.link_secondment_account(&zzb, id, cadre.user_id)?;
            }
        }
        self.demo_other_secondments(office, seed)
    }

    /// Proposed by the unit, approved by the office, then serving and, if
    /// the term is over, completed (or recalled, with a reason).
    fn demo_cadre(&self, office: &Actor, unit: &Actor, county: &str, c: &Cadre) -> Result<i64> {
        let id = self.create_secondment(unit, &input(county, c))?;
        self.transition_secondment(office, id, "approved", None, None)?;
        self.transition_secondment(unit, id, "serving", None, None)?;
        match c.6 {
            "serving" => {}
            end if end.starts_with("recalled:") => {
                let (day, why) = end["recalled:".len()..]
                    .split_once(' ')
                    .unwrap_or((end, ""));
                self.transition_secondment(unit, id, "recalled", Some(why), Some(day))?;
            }
            end => {
                self.transition_secondment(unit, id, "completed", None, Some(end))?;
            }
        }
        Ok(id)
    }

    /// Three pairings of other units running today: a team leader recalled
    /// early (a member still serves), a pairing whose only cadre has
    /// completed (nobody serving), two batches that overlap.
    fn demo_other_secondments(&self, office: &Actor, seed: i64) -> Result<()> {
        let today = time::today();
        let f = PairingFilter {
            active_on: Some(today),
            plan_statuses: vec![PairingPlanStatus::Active],
            ..Default::default()
        };
        let (pairings, _) = self.list_pairings(&Actor::cli(), &f, Page::new(Some(1), Some(20)))?;
        let others: Vec<_> = pairings
            .into_iter()
            .filter(|p| p.unit_id != seed)
            .take(3)
            .collect();
        let plans: [&[Cadre]; 3] = [
            &[
                (
                    "马骏",
                    "副县长",
                    "leader",
                    1,
                    "2026-01-01",
                    "",
                    "recalled:2026-09-30 因工作需要调回原单位",
                ),
                (
                    "高原",
                    "县扶贫办副主任",
                    "member",
                    1,
                    "2026-01-01",
                    "2027-12-31",
                    "serving",
                ),
            ],
            &[(
                "林峰",
                "县发改局副局长",
                "member",
                1,
                "2026-01-01",
                "2026-06-30",
                "2026-06-30",
            )],
            &[
                (
                    "何敏",
                    "副县长",
                    "member",
                    1,
                    "2026-01-01",
                    "2027-03-31",
                    "serving",
                ),
                (
                    "谢军",
                    "副县长",
                    "member",
                    2,
                    "2026-10-01",
                    "2028-09-30",
                    "serving",
                ),
            ],
        ];
        for (p, cadres) in others.iter().zip(plans) {
            let unit = unit_actor(p.unit_id);
            for c in cadres {
                self.demo_cadre(office, &unit, &p.county_code, c)?;
            }
        }
        Ok(())
    }
}

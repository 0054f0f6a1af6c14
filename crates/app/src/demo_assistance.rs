//! The demo's assistance plans and projects: the seed unit's plans for
//! Zhouqu over its pairing periods, agreed by the county, with projects in
//! tourism, livestock, planting and the relocation and industry zone of
//! 1 km² in Lanzhou New Area, in several states; and one plan awaiting the
//! county's agreement.

use crate::demo::ZHOUQU;
use crate::error::Result;
use crate::{Actor, App};
use dingdian_core::assistance::{AssistancePlanInput, MeasureInput};
use dingdian_core::project::{OutputInput, ProjectInput};
use dingdian_store::assistance_plans;

/// A demo plan: name, period, goals, (category, measure) list.
type PlanRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const PLANS: [PlanRow; 3] = [
    (
        "中组部定点扶贫舟曲县帮扶工作规划（2016—2020年）",
        "2016-01-01",
        "2020-12-31",
        "到2020年舟曲县贫困人口全部脱贫、贫困村全部退出、贫困县摘帽",
        &[
            (
                "industry_development",
                "发展乡村旅游、牦牛藏羊养殖和花椒核桃种植",
            ),
            ("relocation", "在兰州新区建设易地搬迁安置和产业园区"),
            (
                "cadre_labour_training",
                "培训基层干部和技术人员，组织劳务输出",
            ),
        ],
    ),
    (
        "中组部定点帮扶舟曲县工作规划（2021—2025年）",
        "2021-01-01",
        "2025-12-31",
        "巩固拓展脱贫攻坚成果，同乡村振兴有效衔接",
        &[
            ("industry_development", "中药材和花椒产业提质增效"),
            ("labour_transfer", "深化与江苏无锡、常州的劳务协作"),
        ],
    ),
    (
        "中组部定点帮扶舟曲县工作规划（2026—2030年）",
        "2026-01-01",
        "2030-12-31",
        "推进乡村全面振兴，防止规模性返贫",
        &[
            ("whole_village_advancement", "建设和美乡村示范村"),
            ("consumption_assistance", "帮助销售舟曲特色农产品"),
        ],
    ),
];

/// A demo project: plan index, name, category, budget in yuan, schedule,
/// implementer, output (name, measure, quantity), villages, steps (status,
/// date) after `planned`, and how many beneficiary households it names.
struct DemoProject {
    plan: usize,
    name: &'static str,
    category: &'static str,
    yuan: i64,
    schedule: (&'static str, &'static str),
    implementer: &'static str,
    output: (&'static str, &'static str, &'static str),
    villages: &'static [&'static str],
    steps: &'static [(&'static str, &'static str)],
    households: i64,
}

const ACCEPTED: [(&str, &str); 4] = [
    ("approved", "2016-04-10"),
    ("in_progress", "2016-05-01"),
    ("completed", "2019-10-31"),
    ("accepted", "2019-12-20"),
];

const PROJECTS: [DemoProject; 6] = [
    DemoProject {
        plan: 0,
        name: "拉尕山乡村旅游开发",
        category: "industry_development",
        yuan: 12_000_000,
        schedule: ("2016-03-01", "2019-10-31"),
        implementer: "舟曲县文化旅游局",
        output: ("农家乐和民宿", "户", "30"),
        villages: &["623023106210", "623023106211"],
        steps: &ACCEPTED,
        households: 0,
    },
    DemoProject {
        plan: 0,
        name: "牦牛和藏羊养殖合作社",
        category: "industry_development",
        yuan: 8_500_000,
        schedule: ("2016-04-01", "2019-10-31"),
        implementer: "舟曲县农业农村局",
        output: ("带动养殖户", "户", "500"),
        villages: &["623023107200", "623023111205"],
        steps: &ACCEPTED,
        households: 5,
    },
    DemoProject {
        plan: 0,
        name: "兰州新区易地搬迁安置和产业园区",
        category: "relocation",
        yuan: 150_000_000,
        schedule: ("2016-06-01", "2019-10-31"),
        implementer: "舟曲县发展和改革局",
        output: ("园区用地（1 平方公里）", "公顷", "100"),
        villages: &[],
        steps: &ACCEPTED,
        households: 0,
    },
    DemoProject {
        plan: 1,
        name: "花椒和中药材种植基地",
        category: "industry_development",
        yuan: 6_000_000,
        schedule: ("2021-03-01", "2025-10-31"),
        implementer: "舟曲县林业和草原局",
        output: ("种植面积", "公顷", "260.5"),
        villages: &["623023102200", "623023102201", "623023112200"],
        steps: &[("approved", "2021-03-15"), ("in_progress", "2021-04-01")],
        households: 3,
    },
    DemoProject {
        plan: 1,
        name: "乡村旅游提质（拉尕山景区道路）",
        category: "infrastructure",
        yuan: 4_200_000,
        schedule: ("2022-03-01", "2024-10-31"),
        implementer: "舟曲县交通运输局",
        output: ("景区道路", "公里", "12.5"),
        villages: &["623023106212"],
        steps: &[
            ("approved", "2022-03-10"),
            ("in_progress", "2022-04-01"),
            ("completed", "2024-10-20"),
        ],
        households: 0,
    },
    DemoProject {
        plan: 1,
        name: "牦牛养殖合作社冷链仓储",
        category: "industry_development",
        yuan: 2_000_000,
        schedule: ("2025-03-01", "2025-12-31"),
        implementer: "舟曲县农业农村局",
        output: ("冷库", "座", "2"),
        villages: &["623023111206"],
        steps: &[],
        households: 0,
    },
];

impl App {
    /// The seed unit's assistance plans and projects for Zhouqu.
    pub(crate) fn demo_assistance(&self) -> Result<()> {
        let zzb = self.demo_actor("zzb")?;
        let county = self.demo_actor("zhouqu")?;
        let mut ids = Vec::new();
        for (i, (name, start, end, goals, measures)) in PLANS.iter().enumerate() {
            let input = AssistancePlanInput {
                county_code: ZHOUQU.into(),
                name: name.to_string(),
                period_start: start.to_string(),
                period_end: end.to_string(),
                goals: goals.to_string(),
                villages: PROJECTS
                    .iter()
                    .filter(|p| p.plan == i)
                    .flat_map(|p| p.villages.iter().map(|v| v.to_string()))
                    .collect(),
                households: Vec::new(),
                measures: measures
                    .iter()
                    .map(|(category, description)| MeasureInput {
                        category: category.to_string(),
                        description: description.to_string(),
                        budget_fen: None,
                    })
                    .collect(),
            };
            let id = self.create_assistance_plan(&zzb, &input)?;
            self.transition_assistance_plan(&zzb, id, "submitted", None)?;
            // The last plan awaits the county's agreement.
            if i + 1 < PLANS.len() {
                self.transition_assistance_plan(&county, id, "agreed", None)?;
            }
            ids.push(id);
        }
        for p in &PROJECTS {
            self.demo_project(&zzb, &county, ids[p.plan], p)?;
        }
        Ok(())
    }

    fn demo_project(
        &self,
        zzb: &Actor,
        county: &Actor,
        plan_id: i64,
        p: &DemoProject,
    ) -> Result<()> {
        let households = self
            .store
            .read(|c| assistance_plans::first_households(c, ZHOUQU, p.households))?;
        let input = ProjectInput {
            plan_id: Some(plan_id),
            name: p.name.into(),
            category: p.category.into(),
            description: String::new(),
            villages: p.villages.iter().map(|v| v.to_string()).collect(),
            budget_fen: Some(p.yuan * 100),
            start_date: p.schedule.0.into(),
            end_date: p.schedule.1.into(),
            implementer: p.implementer.into(),
            outputs: vec![OutputInput {
                name: p.output.0.into(),
                measure: p.output.1.into(),
                planned: p.output.2.into(),
            }],
            households,
        };
        let id = self.create_project(zzb, &input)?;
        for (to, on) in p.steps {
            if *to == "completed" {
                let output = self.project_detail(zzb, id)?.outputs[0].id;
                self.set_output_achieved(zzb, id, output, p.output.2)?;
            }
            let actor = if matches!(*to, "approved" | "accepted") {
                county
            } else {
                zzb
            };
            self.transition_project(actor, id, to, on, None)?;
            if *to == "in_progress" {
                self.add_project_progress(zzb, id, on, "项目开工，施工队伍进场")?;
            }
        }
        Ok(())
    }
}

//! The demo's households outside the registry (issue 14): three Zhouqu
//! households entered from 2023, flagged as cases of all rural households,
//! one of them already verified by a cadre's visit.

use crate::App;
use crate::demo::ZHOUQU;
use crate::error::Result;
use chrono::Datelike;
use dingdian_core::monitoring::{FlagInput, StepInput};
use dingdian_core::registry::check_digit;
use dingdian_core::rural::{RuralHouseholdInput, RuralMemberInput};

/// (village, income year, per-capita income in yuan, head, birth, risk)
const HOUSEHOLDS: [(&str, i32, &str, &str, &str, &str); 3] = [
    (
        "城关镇东街村",
        2023,
        "7200",
        "杨立新",
        "19680312",
        "illness",
    ),
    (
        "大川镇大川村",
        2024,
        "6100",
        "马秀英",
        "19750820",
        "disaster",
    ),
    (
        "峰迭镇峰迭村",
        2025,
        "5400",
        "赵明",
        "19820105",
        "unstable_employment",
    ),
];

impl App {
    pub(crate) fn demo_rural(&self) -> Result<()> {
        let (county, cadre) = (self.demo_actor("zhouqu")?, self.demo_actor("cadre")?);
        let today = dingdian_core::time::today();
        for (i, (village, year, income, head, birth, risk)) in HOUSEHOLDS.into_iter().enumerate() {
            let year = year.min(today.year());
            let first = format!("{ZHOUQU}{birth}{:03}", 801 + i);
            let input = RuralHouseholdInput {
                county_code: ZHOUQU.into(),
                village: village.into(),
                year: year.to_string(),
                income_per_capita: income.into(),
                members: vec![RuralMemberInput {
                    name: head.into(),
                    id_number: format!("{first}{}", check_digit(&first).expect("17 digits")),
                    relation: "户主".into(),
                }],
            };
            let id = self.enter_rural_household(&county, &input, today)?;
            let flag = FlagInput {
                household_id: id,
                year: year.to_string(),
                risk: risk.into(),
                source: "cadre".into(),
                detail: "网格员排查发现".into(),
                date: today.to_string(),
                ..Default::default()
            };
            let case = self.flag_household(&cadre, &flag, today)?;
            if i == 0 {
                let step = StepInput {
                    to: "verified".into(),
                    date: today.to_string(),
                    visitor: "驻村工作队 王建国".into(),
                    note: "入户核实，情况属实".into(),
                    ..Default::default()
                };
                self.step_monitoring(&cadre, case, &step, today)?;
            }
        }
        Ok(())
    }
}

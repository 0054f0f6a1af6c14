//! The demo's return-risk monitoring: cases in Zhouqu opened on real
//! households of the 2016 registry year, of all three kinds and in every
//! status — some cleared by assistance, one naturally, one without labour
//! capacity that stays monitored — flagged by the cadre or on the
//! household's application, verified by the cadre's home visits and
//! reviewed by the county in 2016–2017; and a data scan of the registry
//! over a smaller synthetic county (Zhouqu's registry would flag thousands
//! of households at the default threshold, too many for a demo list).

use crate::error::Result;
use crate::{Actor, App};
use chrono::NaiveDate;
use dingdian_core::monitoring::{FlagInput, MeasureInput, StepInput};
use dingdian_core::registry::PovertyStatus;
use dingdian_store::Page;
use dingdian_store::registry::{HouseholdFilter, partitions};

use crate::demo::ZHOUQU;

/// One demo case: (exited household?, risk, source, severe, flagged on,
/// the steps after it: (to, date, measure category, clear reason)).
struct Case {
    exited: bool,
    risk: &'static str,
    source: &'static str,
    severe: bool,
    detail: &'static str,
    on: &'static str,
    no_labour: bool,
    steps: &'static [(&'static str, &'static str, &'static str)],
}

/// The steps' third field: the measure of a review, the reason of a clearing.
const CASES: [Case; 8] = [
    Case {
        exited: true,
        risk: "illness",
        source: "cadre",
        severe: false,
        detail: "户主患慢性病，医疗支出大",
        on: "2016-03-15",
        no_labour: false,
        steps: &[
            ("verified", "2016-03-20", ""),
            ("monitored", "2016-04-02", "health"),
            ("cleared", "2016-11-30", "assistance"),
        ],
    },
    Case {
        exited: true,
        risk: "unstable_employment",
        source: "cadre",
        severe: false,
        detail: "外出务工中断，收入骤减",
        on: "2016-05-10",
        no_labour: false,
        steps: &[
            ("verified", "2016-05-16", ""),
            ("monitored", "2016-05-25", "employment"),
        ],
    },
    Case {
        exited: true,
        risk: "business_failure",
        source: "application",
        severe: false,
        detail: "养殖合作社亏损，申请纳入监测",
        on: "2016-09-01",
        no_labour: true,
        steps: &[
            ("verified", "2016-09-08", ""),
            ("monitored", "2016-09-20", "social_security"),
        ],
    },
    Case {
        exited: false,
        risk: "schooling",
        source: "cadre",
        severe: false,
        detail: "两名子女上高中，学费负担重",
        on: "2016-08-20",
        no_labour: false,
        steps: &[
            ("verified", "2016-08-28", ""),
            ("cleared", "2016-10-15", "natural"),
        ],
    },
    Case {
        exited: false,
        risk: "housing_safety",
        source: "application",
        severe: false,
        detail: "房屋墙体开裂，申请危房鉴定",
        on: "2016-10-10",
        no_labour: false,
        steps: &[],
    },
    Case {
        exited: false,
        risk: "disaster",
        source: "cadre",
        severe: true,
        detail: "暴雨泥石流冲毁房屋和耕地",
        on: "2016-07-12",
        no_labour: false,
        steps: &[
            ("verified", "2016-07-14", ""),
            ("monitored", "2016-07-20", "housing"),
            ("cleared", "2017-03-31", "assistance"),
        ],
    },
    Case {
        exited: true,
        risk: "illness",
        source: "cadre",
        severe: true,
        detail: "家庭成员突发重病住院",
        on: "2016-12-05",
        no_labour: false,
        steps: &[("verified", "2016-12-09", "")],
    },
    Case {
        exited: true,
        risk: "accident",
        source: "application",
        severe: true,
        detail: "户主务工受伤致残，申请救助",
        on: "2017-01-08",
        no_labour: false,
        steps: &[],
    },
];

const MEASURE_TEXT: [(&str, &str); 4] = [
    ("health", "家庭医生签约，大病救助和医保报销"),
    ("employment", "推荐到县内扶贫车间就业"),
    ("social_security", "纳入农村低保，发放临时救助"),
    ("housing", "危房改造补助 2 万元，重建住房"),
];

impl App {
    pub(crate) fn demo_monitoring(&self) -> Result<()> {
        let (county, cadre) = (self.demo_actor("zhouqu")?, self.demo_actor("cadre")?);
        let today = dingdian_core::time::today();
        let pick = |status: PovertyStatus| -> Result<Vec<String>> {
            let f = HouseholdFilter {
                year: Some(2016),
                area: Some(ZHOUQU.into()),
                status: Some(status.code()),
                ..Default::default()
            };
            let (rows, _) = self.list_households(&county, &f, Page::new(Some(1), Some(8)))?;
            Ok(rows.into_iter().map(|h| h.household_id).collect())
        };
        let (mut exited, mut poor) = (
            pick(PovertyStatus::Exited)?.into_iter(),
            pick(PovertyStatus::Poor)?.into_iter(),
        );
        for case in &CASES {
            let next = if case.exited {
                exited.next()
            } else {
                poor.next()
            };
            let Some(household) = next else { continue };
            let flag = FlagInput {
                household_id: household,
                year: "2016".into(),
                risk: case.risk.into(),
                source: case.source.into(),
                severe: case.severe,
                detail: case.detail.into(),
                date: case.on.into(),
            };
            let id = self.flag_household(&cadre, &flag, today)?;
            self.demo_case_steps(id, case, (&county, &cadre), today)?;
        }
        self.demo_scan(today)
    }

    /// The steps of a demo case: the cadre's visit, the county's review
    /// with its measure, the county's clearing.
    fn demo_case_steps(
        &self,
        id: i64,
        case: &Case,
        (county, cadre): (&Actor, &Actor),
        today: NaiveDate,
    ) -> Result<()> {
        for (to, date, third) in case.steps {
            let mut step = StepInput {
                to: (*to).into(),
                date: (*date).into(),
                ..Default::default()
            };
            let by = match *to {
                "verified" => {
                    step.visitor = "驻村工作队 王建国".into();
                    step.note = format!("入户核实：{}，情况属实", case.detail);
                    step.no_labour = case.no_labour;
                    cadre
                }
                "monitored" => {
                    let text = MEASURE_TEXT
                        .iter()
                        .find(|(c, _)| c == third)
                        .map_or("", |(_, t)| t);
                    let m = MeasureInput {
                        category: (*third).into(),
                        description: text.into(),
                        date: (*date).into(),
                    };
                    self.add_monitoring_measure(county, id, &m, today)?;
                    step.note = "县乡村振兴局审核，纳入监测帮扶".into();
                    county
                }
                _ => {
                    step.reason = (*third).into();
                    step.note = "收入稳定，风险已消除".into();
                    county
                }
            };
            self.step_monitoring(by, id, &step, today)?;
        }
        Ok(())
    }

    /// The office scans the 2016 registry of the first synthetic county.
    fn demo_scan(&self, today: NaiveDate) -> Result<()> {
        let office = self.demo_actor("office")?;
        let other = self
            .store
            .read(partitions)?
            .into_iter()
            .find(|(year, county)| *year == 2016 && county != ZHOUQU);
        if let Some((year, county)) = other {
            self.scan_for_risks(&office, &county, year, today)?;
        }
        Ok(())
    }
}

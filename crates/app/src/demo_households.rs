//! The demo's villages and households: Zhouqu marks the villages of its
//! first registry households as poor villages, each with a work team (the
//! first secretary a secondment posted to that village where one exists
//! when this step runs, else a local official); helpers for the first
//! households, a measure each, visits last quarter, and this quarter for
//! only some — so the county's two lists both have something to show.

use crate::error::Result;
use crate::{Actor, App};
use chrono::{Datelike, Duration, NaiveDate};
use dingdian_core::household_help::{
    ALL_HOUSEHOLD_MEASURES, HelpFilter, HelperInput, MeasureInput, Quarter, VisitInput,
};
use dingdian_core::time;
use dingdian_core::village_team::TeamMemberInput;
use dingdian_store::Page;

/// How many poor villages and helped households the demo has.
const VILLAGES: usize = 4;
const HELPED: usize = 40;

/// Local officials: (name, post).
const LOCALS: [(&str, &str); 8] = [
    ("杨建华", "乡镇干部"),
    ("马秀英", "村党支部书记"),
    ("赵永福", "村委会主任"),
    ("何丽娟", "乡镇卫生院医生"),
    ("韩志刚", "县农业农村局干部"),
    ("李春梅", "县教育局干部"),
    ("张德明", "村会计"),
    ("王小平", "县人社局干部"),
];

const MEASURES: [&str; 7] = [
    "发放中蜂 5 箱，参加合作社分红",
    "推荐到无锡务工，签订一年劳动合同",
    "子女享受“雨露计划”职业教育补助",
    "家庭医生签约，慢病门诊报销",
    "纳入易地扶贫搬迁安置",
    "危房改造补助 2 万元",
    "纳入农村低保",
];

impl App {
    pub(crate) fn demo_households(&self) -> Result<()> {
        let county = self.demo_actor("zhouqu")?;
        let today = time::today();
        let page = Page::new(Some(1), Some(Page::MAX_PER_PAGE));
        let (households, _) =
            self.households_without_helper(&county, &HelpFilter::default(), today, page)?;
        let mut villages: Vec<String> = households.iter().map(|h| h.village_code.clone()).collect();
        villages.dedup();
        villages.truncate(VILLAGES);
        let secondments = self.county_secondments(&county)?;
        let since = NaiveDate::from_ymd_opt(today.year() - 1, 1, 1).unwrap_or(today);
        for (i, v) in villages.iter().enumerate() {
            self.set_poor_village(&county, v, true)?;
            let posted = secondments
                .iter()
                .find(|s| s.village_code.as_deref() == Some(v));
            let (name, post) = LOCALS[i % LOCALS.len()];
            let first = TeamMemberInput {
                village_code: v.clone(),
                secondment_id: posted.map(|s| s.id.to_string()).unwrap_or_default(),
                person_name: if posted.is_some() {
                    String::new()
                } else {
                    name.into()
                },
                post: if posted.is_some() {
                    String::new()
                } else {
                    post.into()
                },
                role: "first_secretary".into(),
                from_date: since.to_string(),
                ..Default::default()
            };
            self.add_team_member(&county, &first, today)?;
            let (name, post) = LOCALS[(i + 4) % LOCALS.len()];
            let member = TeamMemberInput {
                secondment_id: String::new(),
                person_name: name.into(),
                post: post.into(),
                role: "member".into(),
                ..first.clone()
            };
            self.add_team_member(&county, &member, today)?;
        }
        // Two in three households of the page get a helper; the rest stay
        // without one.
        for (i, h) in households
            .iter()
            .take(HELPED)
            .enumerate()
            .filter(|(i, _)| i % 3 != 2)
        {
            self.demo_helped(&county, (i, &h.household_id), since, today)?;
        }
        Ok(())
    }

    /// A helper, a measure and visits for one household: last quarter
    /// always, this quarter for every other one.
    fn demo_helped(
        &self,
        county: &Actor,
        (i, household): (usize, &str),
        since: NaiveDate,
        today: NaiveDate,
    ) -> Result<()> {
        let (name, post) = LOCALS[i % LOCALS.len()];
        let helper = HelperInput {
            household_id: household.into(),
            person_name: name.into(),
            post: post.into(),
            phone: format!("0941-51{:05}", 10_000 + i),
            from_date: since.to_string(),
            ..Default::default()
        };
        let helper_id = self.assign_helper(county, &helper, today)?;
        let c = i % ALL_HOUSEHOLD_MEASURES.len();
        let measure = MeasureInput {
            household_id: household.into(),
            category: ALL_HOUSEHOLD_MEASURES[c].as_str().into(),
            description: MEASURES[c].into(),
            date: since.to_string(),
        };
        self.add_measure(county, &measure, today)?;
        let this = Quarter::of(today);
        let last = Quarter::of(this.first_day() - Duration::days(1));
        let mut dates = vec![last.first_day() + Duration::days(20)];
        if i % 2 == 0 {
            dates.push(today.min(this.first_day() + Duration::days(9)));
        }
        for date in dates {
            let visit = VisitInput {
                household_id: household.into(),
                helper_id: helper_id.to_string(),
                date: date.to_string(),
                found: "家中生活正常，主要劳动力在外务工".into(),
                done: "宣讲帮扶政策，核实收入".into(),
            };
            self.record_home_visit(county, &visit, today)?;
        }
        Ok(())
    }
}

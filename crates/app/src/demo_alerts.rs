//! The demo's departmental cross-checks: Zhouqu's officer imports alert
//! files from medical insurance, education, civil affairs and public
//! security, built from real demo members (the demo registry is generated
//! deterministically, so its ID numbers are regenerated here, never read
//! back in clear), with rows that flag households for monitoring, open
//! corrections, match no one, name another county or fail the check digit.
//! It runs after the monitoring demo or without it: flagging opens a case
//! or adds the risk to an open one.

use crate::App;
use crate::demo_registry::{ZHOUQU, zhouqu_plans};
use crate::error::Result;
use crate::synth::HouseholdPlan;
use dingdian_core::alerts::AlertSource;
use dingdian_core::registry::{PovertyStatus, check_digit};
use dingdian_core::time;

/// A valid Zhouqu number of no demo member (born 1901: the demo's people
/// are younger).
fn unknown_number() -> String {
    let first = format!("{ZHOUQU}19010101999");
    format!("{first}{}", check_digit(&first).unwrap_or('0'))
}

/// The same number with a wrong check digit.
fn broken(id: &str) -> String {
    let last = if id.ends_with('1') { '2' } else { '1' };
    format!("{}{last}", &id[..17])
}

/// Members (ID numbers) of the first households of 2016 with `status`
/// and at least two people, skipping `skip` of them.
fn members_of(plans: &[HouseholdPlan], status: PovertyStatus, skip: usize) -> Vec<&str> {
    plans
        .iter()
        .filter(|p| p.status(2016) == status && p.members.len() >= 2)
        .nth(skip)
        .map(|p| p.members.iter().map(|(id, _, _)| id.as_str()).collect())
        .unwrap_or_default()
}

impl App {
    pub(crate) fn demo_alerts(&self) -> Result<()> {
        let zhouqu = self.demo_actor("zhouqu")?;
        let villages = dingdian_store::reference::villages_by_county()?
            .into_iter()
            .find(|(c, _)| c == ZHOUQU)
            .map(|(_, v)| v)
            .unwrap_or_default();
        let plans = zhouqu_plans(&villages);
        let exited = |k| members_of(&plans, PovertyStatus::Exited, k);
        let poor = |k| members_of(&plans, PovertyStatus::Poor, k);
        let (a, b, c, d) = (exited(0), poor(0), exited(1), poor(1));
        if [&a, &b, &c, &d].iter().any(|m| m.len() < 2) {
            return Ok(());
        }
        let medical = format!(
            "证件号码,姓名,事件,日期,金额\n{},,高额自付医疗费用,2016-08-12,38000\n{},,高额自付医疗费用,2016-09-03,6500\n{},,高额自付医疗费用,2016-09-20,4200\n{},,高额自付医疗费用,2016-10-08,3000\n",
            a[0],
            b[1],
            unknown_number(),
            broken(d[0])
        );
        let education = format!(
            "id_number,event,date,area_code\n{},dropout,2016-09-30,\n{},dropout,2016-09-30,622921\n",
            c[1],
            unknown_number()
        );
        let civil = format!("证件号码,事件,日期\n{},低保变动,2016-11-01\n", d[0]);
        let police = format!(
            "证件号码,事件,日期\n{},死亡,2016-10-15\n{},户籍迁出,2016-11-20\n",
            a[1], d[1]
        );
        let today = time::today();
        for (source, name, text) in [
            (
                AlertSource::Medical,
                "医保高额自付费用-2016年三季度.csv",
                medical,
            ),
            (
                AlertSource::Education,
                "教育部门辍学学生名单-2016秋.csv",
                education,
            ),
            (
                AlertSource::CivilAffairs,
                "民政低保变动-2016年11月.csv",
                civil,
            ),
            (
                AlertSource::PublicSecurity,
                "公安死亡及迁出人员-2016.csv",
                police,
            ),
        ] {
            self.import_alerts(&zhouqu, ZHOUQU, source, name, text.as_bytes(), today)?;
        }
        Ok(())
    }
}

//! Demo data: the seed case — the Organization Department of the CPC
//! Central Committee paired with Zhouqu county since 2010 — and enough
//! further units and pairings that an active overall plan covers every
//! key county of the shipped list, with history and a plan in consultation.
//!
//! The pairings other than the seed case are illustrative: the real
//! national pairing list is not public data we hold.

use crate::auth::NewUserInput;
use crate::error::Result;
use crate::plans::PairingPlanInput;
use crate::tabular::Encoding;
use crate::{Actor, App};
use dingdian_core::area::CountyAttributes;
use dingdian_core::role::{Role, Scope};
use dingdian_core::totp;
use dingdian_core::unit::{UnitInput, UnitKind};
use dingdian_store::{Page, areas, reference::KEY_2012, reference::KEY_ASSIST_2021, units, users};

/// The password of every demo account. Demo accounts are marked in the
/// database and refused unless the server runs with `--demo`.
pub const DEMO_PASSWORD: &str = "Demo@2026";

/// The published TOTP secret (base32) of every demo account whose role
/// needs a second factor: add it to an authenticator app once, or compute
/// the code with any TOTP tool. Public like the password — demo only.
pub const DEMO_TOTP_SECRET: &str = "DINGDIANDEMOTOTPDINGDIANDEMOTOTP";

/// The raw bytes of [`DEMO_TOTP_SECRET`].
pub fn demo_totp_secret() -> Vec<u8> {
    dingdian_core::totp::base32_decode(DEMO_TOTP_SECRET).expect("valid base32")
}

/// The `otpauth://` line of each demo account with a second factor.
pub fn demo_otpauth_lines() -> Vec<(&'static str, String)> {
    DEMO_USERS
        .iter()
        .filter(|(_, _, role)| Role::parse(role).is_some_and(Role::requires_second_factor))
        .map(|(user, _, _)| (*user, totp::otpauth_uri(user, &demo_totp_secret())))
        .collect()
}

/// The unit accounts the demo adds to own other units' rectification items.
pub use crate::demo_inspections::OWNER_ACCOUNTS;

pub const ZHOUQU: &str = "623023";
pub const SEED_UNIT: &str = "中共中央组织部";

/// Zhouqu lies in Gannan (甘南藏族自治州, 6230), whose counties belong to
/// the contiguous destitute area of the Tibetan areas of four provinces
/// (Sichuan, Yunnan, Gansu, Qinghai), not to the Liupan Mountains.
pub const ZHOUQU_CONTIGUOUS_AREA: &str = "四省藏区";

/// The demo accounts: user name, display name, role.
pub const DEMO_USERS: &[(&str, &str, &str)] = &[
    ("admin", "系统管理员", "admin"),
    ("security", "安全管理员", "security"),
    ("auditor", "审计管理员", "auditor"),
    ("office", "国务院扶贫办 王处长", "office"),
    ("reviewer", "领导小组 李司长", "reviewer"),
    ("inspector", "督查组 张组长", "inspector"),
    ("zzb", "中组部 联络员", "unit"),
    ("zhouqu", "舟曲县扶贫办", "county"),
    ("cadre", "中组部挂职干部（舟曲）", "cadre"),
];

use UnitKind::*;
const UNITS: &[(&str, UnitKind)] = &[
    (SEED_UNIT, CentralOrgan),
    ("中共中央宣传部", CentralOrgan),
    ("中共中央统一战线工作部", CentralOrgan),
    ("国家发展和改革委员会", CentralOrgan),
    ("教育部", CentralOrgan),
    ("科学技术部", CentralOrgan),
    ("工业和信息化部", CentralOrgan),
    ("国家民族事务委员会", CentralOrgan),
    ("公安部", CentralOrgan),
    ("民政部", CentralOrgan),
    ("司法部", CentralOrgan),
    ("财政部", CentralOrgan),
    ("人力资源和社会保障部", CentralOrgan),
    ("自然资源部", CentralOrgan),
    ("生态环境部", CentralOrgan),
    ("住房和城乡建设部", CentralOrgan),
    ("交通运输部", CentralOrgan),
    ("水利部", CentralOrgan),
    ("农业农村部", CentralOrgan),
    ("商务部", CentralOrgan),
    ("文化和旅游部", CentralOrgan),
    ("国家卫生健康委员会", CentralOrgan),
    ("应急管理部", CentralOrgan),
    ("审计署", CentralOrgan),
    ("国务院国有资产监督管理委员会", CentralOrgan),
    ("海关总署", CentralOrgan),
    ("国家税务总局", CentralOrgan),
    ("国家市场监督管理总局", CentralOrgan),
    ("国家广播电视总局", CentralOrgan),
    ("国家体育总局", CentralOrgan),
    ("国家统计局", CentralOrgan),
    ("国家林业和草原局", CentralOrgan),
    ("国家医疗保障局", CentralOrgan),
    ("中华全国总工会", PeoplesOrganisation),
    ("共青团中央", PeoplesOrganisation),
    ("中华全国妇女联合会", PeoplesOrganisation),
    ("中国科学技术协会", PeoplesOrganisation),
    ("中国残疾人联合会", PeoplesOrganisation),
    ("中国科学院", PublicInstitution),
    ("中国社会科学院", PublicInstitution),
    ("中国工程院", PublicInstitution),
    ("国务院发展研究中心", PublicInstitution),
    ("新华通讯社", PublicInstitution),
    ("国家电网有限公司", StateEnterprise),
    ("中国石油天然气集团有限公司", StateEnterprise),
    ("中国石油化工集团有限公司", StateEnterprise),
    ("中国海洋石油集团有限公司", StateEnterprise),
    ("中国南方电网有限责任公司", StateEnterprise),
    ("中国移动通信集团有限公司", StateEnterprise),
    ("中国电信集团有限公司", StateEnterprise),
    ("中国联合网络通信集团有限公司", StateEnterprise),
    ("中国华能集团有限公司", StateEnterprise),
    ("中国大唐集团有限公司", StateEnterprise),
    ("国家能源投资集团有限责任公司", StateEnterprise),
    ("中国第一汽车集团有限公司", StateEnterprise),
    ("东风汽车集团有限公司", StateEnterprise),
    ("中粮集团有限公司", StateEnterprise),
    ("中国建筑集团有限公司", StateEnterprise),
    ("中国中化控股有限责任公司", StateEnterprise),
    ("中国工商银行", StateFinancial),
    ("中国农业银行", StateFinancial),
    ("中国银行", StateFinancial),
    ("中国建设银行", StateFinancial),
    ("国家开发银行", StateFinancial),
    ("中国农业发展银行", StateFinancial),
    ("中国人民保险集团股份有限公司", StateFinancial),
    ("中国人寿保险（集团）公司", StateFinancial),
    ("清华大学", University),
    ("北京大学", University),
    ("中国人民大学", University),
    ("浙江大学", University),
    ("复旦大学", University),
    ("上海交通大学", University),
    ("南京大学", University),
    ("武汉大学", University),
    ("中山大学", University),
    ("四川大学", University),
    ("西安交通大学", University),
    ("中国农业大学", University),
    ("北京师范大学", University),
    ("民革中央", DemocraticParty),
    ("民盟中央", DemocraticParty),
    ("民建中央", DemocraticParty),
    ("民进中央", DemocraticParty),
    ("农工党中央", DemocraticParty),
    ("九三学社中央", DemocraticParty),
    ("全国工商联", IndustryCommerce),
];

/// The periods of the overall plans: history, then the active one.
/// The overall plans of the demo: (name, start, end, the county list it
/// covers). The 2021–2025 plan covers the key assistance counties of 2021
/// (the shipped 90 of 160); the plan after it keeps the 2012 counties that
/// the demo's registry, records and letters are spread over.
const PERIODS: &[(&str, &str, &str, &str)] = &[
    (
        "中央单位定点扶贫结对方案（2010—2015年）",
        "2010-01-01",
        "2015-12-31",
        KEY_2012,
    ),
    (
        "中央单位定点扶贫结对方案（2016—2020年）",
        "2016-01-01",
        "2020-12-31",
        KEY_2012,
    ),
    (
        "中央单位定点帮扶结对方案（2021—2025年）",
        "2021-01-01",
        "2025-12-31",
        KEY_ASSIST_2021,
    ),
    (
        "中央单位定点帮扶结对方案（2026—2030年）",
        "2026-01-01",
        "2030-12-31",
        KEY_2012,
    ),
];

/// Who approved an overall plan starting on `start`: the leading group of
/// its period.
fn approved_by(start: &str) -> &'static str {
    match start.parse().map(dingdian_core::period::Period::of_date) {
        Ok(dingdian_core::period::Period::RuralRevitalisation) => "经中央农村工作领导小组审定",
        _ => "经国务院扶贫开发领导小组审定",
    }
}

/// The pairing file of one period: every key county gets a lead unit, and
/// every third county a second, member unit. `shift` varies the pairing
/// from one period to the next; Zhouqu always has the seed unit as lead.
fn pairing_csv(counties: &[String], unit_names: &[String], shift: usize) -> String {
    let mut csv = String::from("帮扶单位,县级区划代码,角色\n");
    let others: Vec<&String> = unit_names.iter().filter(|n| *n != SEED_UNIT).collect();
    let mut k = 0;
    for county in counties {
        if county == ZHOUQU {
            csv.push_str(&format!("{SEED_UNIT},{county},lead\n"));
            continue;
        }
        let lead = others[(k + shift) % others.len()];
        csv.push_str(&format!("{lead},{county},lead\n"));
        if k % 3 == 0 {
            let member = others[(k + shift + others.len() / 2) % others.len()];
            csv.push_str(&format!("{member},{county},member\n"));
        }
        k += 1;
    }
    csv
}

impl App {
    /// No units, accounts or plans yet: a fresh database.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.store.read(|c| units::database_is_fresh(c))?)
    }

    /// Whether the demo data is in this database.
    pub fn has_demo(&self) -> Result<bool> {
        Ok(self
            .store
            .read(|c| units::find_by_name(c, SEED_UNIT))?
            .is_some())
    }

    /// Loads the demo data once; returns false when it was already there.
    pub fn load_demo(&self) -> Result<bool> {
        let cli = Actor::cli();
        if self.has_demo()? {
            return Ok(false);
        }
        self.demo_zhouqu(&cli)?;
        let seed = self.demo_units(&cli)?;
        self.demo_users(&cli, seed)?;
        let office = self.demo_actor("office")?;
        let active = self.demo_overall_plans(&cli, &office)?;
        self.demo_revision(&office, active)?;
        self.load_demo_registry()?;
        self.demo_specific_plan(&cli, &office, active)?;
        self.demo_assistance()?;
        self.demo_records(&office, seed)?;
        self.demo_ledger(seed)?;
        self.demo_secondments(&office, seed)?;
        self.demo_inspections(seed)?;
        self.demo_reports()?;
        self.demo_households()?;
        self.demo_visits(seed)?;
        self.demo_assessments()?;
        self.demo_monitoring()?;
        self.demo_alerts()?;
        self.demo_rural()?;
        // Last: it publishes aggregates of what the steps above recorded.
        self.demo_public(&cli)?;
        Ok(true)
    }

    /// Zhouqu is a national key county of Gannan's Tibetan areas; the
    /// shipped list lacks Gansu.
    fn demo_zhouqu(&self, cli: &Actor) -> Result<()> {
        let zhouqu = self.get_area(cli, ZHOUQU)?.attributes.unwrap_or_default();
        let zhouqu = CountyAttributes {
            key_county: true,
            ethnic: true,
            contiguous_area: Some(ZHOUQU_CONTIGUOUS_AREA.into()),
            ..zhouqu
        };
        self.update_county(cli, ZHOUQU, &zhouqu)
    }

    /// The units, the seed unit with its full record; returns its id.
    fn demo_units(&self, cli: &Actor) -> Result<i64> {
        for (name, kind) in UNITS {
            let input = UnitInput {
                name: name.to_string(),
                kind: kind.as_str().into(),
                department: Some("定点扶贫工作领导小组办公室")
                    .filter(|_| *kind == CentralOrgan)
                    .unwrap_or("扶贫工作办公室")
                    .into(),
                contact_phone: "010-6830 0000".into(),
                ..Default::default()
            };
            self.create_unit(cli, &input)?;
        }
        let seed = self.demo_unit(SEED_UNIT)?;
        let seed_input = UnitInput {
            name: SEED_UNIT.into(),
            kind: CentralOrgan.as_str().into(),
            leader: "分管副部长".into(),
            department: "组织二局".into(),
            contact_name: "刘联络".into(),
            contact_phone: "010-6830 9999".into(),
            contact_email: "fupin@example.gov.cn".into(),
            address: "北京市西城区西长安街 80 号".into(),
            note: "2010 年起定点帮扶甘肃省舟曲县".into(),
        };
        self.update_unit(cli, seed, &seed_input)?;
        Ok(seed)
    }

    fn demo_unit(&self, name: &str) -> Result<i64> {
        Ok(self
            .store
            .read(|c| units::find_by_name(c, name))?
            .expect("demo unit"))
    }

    /// The demo accounts, of the seed unit and Zhouqu where scoped.
    fn demo_users(&self, cli: &Actor, seed: i64) -> Result<()> {
        for (username, display, role) in DEMO_USERS {
            let input = NewUserInput {
                username: username.to_string(),
                display_name: display.to_string(),
                role: role.to_string(),
                unit_id: Some(seed),
                county_code: Some(ZHOUQU.into()),
                password: DEMO_PASSWORD.into(),
                totp_secret: Role::parse(role)
                    .is_some_and(Role::requires_second_factor)
                    .then(demo_totp_secret),
                demo: true,
            };
            self.create_user(cli, &input)?;
        }
        Ok(())
    }

    /// One overall plan per period, each taken through the whole workflow;
    /// returns the last, active one.
    fn demo_overall_plans(&self, cli: &Actor, office: &Actor) -> Result<i64> {
        let reviewer = self.demo_actor("reviewer")?;
        let zzb = self.demo_actor("zzb")?;
        let unit_names: Vec<String> = self
            .list_units(cli, &Default::default(), Page::all())?
            .0
            .into_iter()
            .map(|u| u.name)
            .collect();
        let mut last = None;
        for (i, (name, start, end, list)) in PERIODS.iter().enumerate() {
            // Zhouqu (Gansu, not in the shipped 2021 list) stays paired
            // with the seed unit in every period.
            let mut counties: Vec<String> = self
                .store
                .read(|c| areas::list_members(c, list))?
                .into_iter()
                .map(|k| k.code)
                .collect();
            if !counties.iter().any(|c| c == ZHOUQU) {
                counties.push(ZHOUQU.to_string());
            }
            let id = self.create_plan(
                office,
                &PairingPlanInput {
                    name: name.to_string(),
                    kind: "overall".into(),
                    county_list: list.to_string(),
                    period_start: start.to_string(),
                    period_end: end.to_string(),
                    note: approved_by(start).into(),
                    ..Default::default()
                },
            )?;
            let csv = pairing_csv(&counties, &unit_names, i * 7);
            self.import_pairings(office, id, "pairings.csv", csv.as_bytes(), Encoding::Utf8)?;
            self.transition_plan(office, id, "consultation", None)?;
            self.give_feedback(&zzb, id, "accept", "同意")?;
            self.transition_plan(office, id, "submitted", None)?;
            self.transition_plan(&reviewer, id, "approved", None)?;
            self.transition_plan(office, id, "active", None)?;
            last = Some(id);
        }
        Ok(last.expect("periods exist"))
    }

    /// A revision of the active plan, now in consultation: one county
    /// gains a member unit, and the seed unit comments.
    fn demo_revision(&self, office: &Actor, active: i64) -> Result<()> {
        let revision = self.new_plan_version(office, active)?;
        let extra = self.demo_unit("清华大学")?;
        self.add_pairing(
            office,
            revision,
            &crate::plans::PairingInput {
                unit_id: Some(extra),
                county_code: ZHOUQU.into(),
                role: "member".into(),
                start: "2027-01-01".into(),
                note: "教育帮扶".into(),
                ..Default::default()
            },
        )?;
        self.transition_plan(office, revision, "consultation", None)?;
        let zzb = self.demo_actor("zzb")?;
        self.give_feedback(&zzb, revision, "comment", "建议增加消费帮扶内容")
    }

    /// A specific plan for the universities, drawn from the active plan.
    fn demo_specific_plan(&self, cli: &Actor, office: &Actor, active: i64) -> Result<()> {
        let filter = dingdian_store::units::UnitFilter {
            kind: Some(University),
            q: None,
        };
        let universities: Vec<i64> = self
            .list_units(cli, &filter, Page::all())?
            .0
            .into_iter()
            .map(|u| u.id)
            .collect();
        self.derive_specific_plan(
            office,
            active,
            "直属高校定点帮扶具体方案（2026—2030年）",
            &universities,
        )?;
        Ok(())
    }

    pub(crate) fn demo_actor(&self, username: &str) -> Result<Actor> {
        let u = self
            .store
            .read(|c| users::by_username(c, username))?
            .expect("demo user exists");
        Ok(Actor::from_user(&u, None).unwrap_or_else(|| Actor {
            scope: Scope::All,
            ..Actor::cli()
        }))
    }
}

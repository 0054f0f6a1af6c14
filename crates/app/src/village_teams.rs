//! Poor villages and their work teams: a county officer (AssignHelpers)
//! marks the county's poor villages and adds team members, seconded cadres
//! or local officials; everyone who reads assistance lists them in scope.

use crate::error::{AppError, Result};
use crate::tabular::Cell;
use crate::{Actor, App, audit};
use chrono::NaiveDate;
use dingdian_core::role::Action;
use dingdian_core::village_team::{Official, PoorVillage, TeamMemberInput, TeamRole};
use dingdian_core::{FieldError, Msg, time};
use dingdian_store::Page;
use dingdian_store::village_teams as store;

pub use dingdian_store::village_teams::{SecondmentChoice, VillageChoice};

/// The county the actor acts for under `action`: a county officer's (or a
/// cadre's) own. Other roles are refused.
pub(crate) fn acting_county(actor: &Actor, action: Action) -> Result<String> {
    actor.require(action)?;
    actor.scope.county().map(str::to_string).ok_or_else(|| {
        AppError::Forbidden(Msg::new(
            "no_county",
            "账号未关联县，不能办理此事",
            "the account belongs to no county, so it cannot do this",
        ))
    })
}

fn not_a_village(value: &str) -> AppError {
    AppError::invalid(
        "village_code",
        value,
        "unknown_village",
        "本县没有这个村",
        "the county has no such village",
    )
}

/// The secondment does not serve in the county, or not there.
pub(crate) fn no_secondment(id: i64) -> FieldError {
    FieldError::new(
        "secondment_id",
        id.to_string(),
        Msg::new(
            "bad_secondment",
            "本县没有这条已批准的挂职记录",
            "no approved secondment to the county has this number",
        ),
    )
}

impl App {
    /// Marks a village of the actor's county poor, or unmarks it; audited
    /// (`village.mark` / `village.unmark`). A village with a work team
    /// stays marked.
    pub fn set_poor_village(&self, actor: &Actor, village: &str, poor: bool) -> Result<()> {
        let action = if poor {
            "village.mark"
        } else {
            "village.unmark"
        };
        let county = acting_county(actor, Action::AssignHelpers)
            .map_err(|e| self.refused(actor, action, ("village", village), e))?;
        self.store.write(|c| {
            if store::village_name(c, village, &county)?.is_none() {
                return Err(not_a_village(village));
            }
            let changed = if poor {
                store::mark_poor(c, (village, &county), actor.user_id, time::now_ts())?
            } else {
                if store::team_size(c, village)? > 0 {
                    return Err(AppError::Conflict(Msg::new(
                        "village_has_team",
                        "该村已有驻村工作队成员，不能取消贫困村标记",
                        "the village has a work team, so it stays a poor village",
                    )));
                }
                store::unmark_poor(c, village)?
            };
            if changed {
                audit(c, actor, action, ("village", village), "success", None)?;
            }
            Ok(())
        })
    }

    /// The villages of the actor's county, each marked poor or not.
    pub fn county_villages(&self, actor: &Actor) -> Result<Vec<VillageChoice>> {
        let county = acting_county(actor, Action::AssignHelpers)?;
        Ok(self.store.read(|c| store::county_villages(c, &county))?)
    }

    /// The secondments to the actor's county that may serve in a team or
    /// help a household.
    pub fn county_secondments(&self, actor: &Actor) -> Result<Vec<SecondmentChoice>> {
        let county = acting_county(actor, Action::AssignHelpers)?;
        Ok(self.store.read(|c| store::county_secondments(c, &county))?)
    }

    /// Adds a member to a poor village's work team; audited
    /// (`village.team_add`). A seconded first secretary posted to a
    /// village serves in that one.
    pub fn add_team_member(
        &self,
        actor: &Actor,
        input: &TeamMemberInput,
        today: NaiveDate,
    ) -> Result<i64> {
        let county = acting_county(actor, Action::AssignHelpers).map_err(|e| {
            self.refused(
                actor,
                "village.team_add",
                ("village", &input.village_code),
                e,
            )
        })?;
        let m = input.parse(today).map_err(AppError::Invalid)?;
        self.store.write(|c| {
            let v = m.village_code.as_str();
            if store::village_name(c, v, &county)?.is_none() || !store::is_poor(c, v)? {
                return Err(AppError::invalid(
                    "village_code",
                    v,
                    "not_poor_village",
                    "应选择本县已标记的贫困村",
                    "must be one of the county's poor villages",
                ));
            }
            if let Official::Secondment(id) = m.official {
                let s = store::county_secondment(c, &county, id)?
                    .ok_or_else(|| AppError::Invalid(vec![no_secondment(id)]))?;
                if m.role == TeamRole::FirstSecretary
                    && s.village_code.as_deref().is_some_and(|sv| sv != v)
                {
                    return Err(AppError::invalid(
                        "secondment_id",
                        id.to_string(),
                        "other_village",
                        "该干部挂职于另一个村，不能任本村第一书记",
                        "the cadre is posted to another village, so cannot be its first secretary",
                    ));
                }
            }
            let id = store::insert_member(c, &m, &county, (actor.user_id, time::now_ts()))?;
            let detail = format!("{} {} {}", m.role.as_str(), m.from, id);
            audit(
                c,
                actor,
                "village.team_add",
                ("village", v),
                "success",
                Some(detail),
            )?;
            Ok(id)
        })
    }

    /// A page of the poor villages in the actor's scope (a unit: of the
    /// counties it is paired with), each with its work team.
    pub fn poor_villages(
        &self,
        actor: &Actor,
        (county, q): (Option<&str>, Option<&str>),
        page: Page,
    ) -> Result<(Vec<PoorVillage>, i64)> {
        actor.require(Action::ReadAssistance)?;
        Ok(self
            .store
            .read(|c| store::poor_villages(c, &actor.scope, (county, q), page))?)
    }
}

impl App {
    /// The poor villages the filter shows, one row per team member (a
    /// village without a team on a row of its own), as xlsx; audited
    /// (`village.export`).
    pub fn export_poor_villages(
        &self,
        actor: &Actor,
        filter: (Option<&str>, Option<&str>),
    ) -> Result<Vec<u8>> {
        let (villages, _) = self.poor_villages(actor, filter, Page::all())?;
        let headers = [
            "村代码",
            "村",
            "县级区划代码",
            "职务",
            "姓名",
            "岗位",
            "派出单位",
            "开始日期",
            "结束日期",
        ]
        .map(String::from);
        let mut rows: Vec<Vec<Cell>> = Vec::new();
        for v in villages {
            let place = |row: &mut Vec<Cell>| {
                row.extend([
                    v.village_code.clone().into(),
                    v.village_name.clone().into(),
                    v.county_code.clone().into(),
                ])
            };
            if v.team.is_empty() {
                let mut row = Vec::new();
                place(&mut row);
                rows.push(row);
            }
            for m in &v.team {
                let mut row = Vec::new();
                place(&mut row);
                row.extend([
                    m.role.zh().into(),
                    m.person_name.clone().into(),
                    m.post.clone().into(),
                    m.unit_name.clone().unwrap_or_default().into(),
                    m.from_date.to_string().into(),
                    m.to_date.map(|d| d.to_string()).unwrap_or_default().into(),
                ]);
                rows.push(row);
            }
        }
        self.audited_xlsx(
            actor,
            ("village.export", "village"),
            "villages",
            &headers,
            &rows,
        )
    }
}

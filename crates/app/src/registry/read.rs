//! Reading the registry: household lists, the household card with its
//! members and timeline, search by ID number. ID numbers masked unless the
//! role is entitled to them and gives a reason.

use super::sealing::{AAD_ID, AAD_NAME, id_index, open_text, sealed_by};
use crate::error::{AppError, Result};
use crate::identity;
use crate::keys::Keys;
use crate::{Actor, App, audit};
use dingdian_core::registry::{self as rules, Cause, IdNumber, PovertyStatus, Relation};
use dingdian_core::role::Action;
use dingdian_core::{Fen, FieldError};
use dingdian_store::Page;
use dingdian_store::registry::{self as reg, HouseholdFilter, HouseholdRow, MemberRow};
use serde::Serialize;

/// A member as a person may see it: the ID number masked unless the role
/// is entitled to it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MemberView {
    pub id_number: String,
    pub name: String,
    pub relation: Relation,
    pub sex: &'static str,
    pub birth_year: i32,
    /// Sensitive: shown only to roles that may read the registry.
    pub health: Option<rules::Health>,
    pub education: Option<rules::Education>,
    pub labour_skill: Option<rules::LabourSkill>,
    pub migrant_work: Option<rules::MigrantWork>,
}

/// The extended household fields as pages and the API show them (income
/// components in yuan per household and year).
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct HouseholdExtrasView {
    pub household_type: Option<rules::HouseholdType>,
    pub other_causes: Vec<Cause>,
    pub wage_income: Option<f64>,
    pub business_income: Option<f64>,
    pub property_income: Option<f64>,
    pub transfer_income: Option<f64>,
    pub food_secure: Option<bool>,
    pub clothing_secure: Option<bool>,
    pub education_secure: Option<bool>,
    pub medical_secure: Option<bool>,
    pub housing_secure: Option<bool>,
    pub water_secure: Option<bool>,
}

impl From<&rules::HouseholdExtras> for HouseholdExtrasView {
    fn from(x: &rules::HouseholdExtras) -> Self {
        let yuan = |k: usize| x.incomes[k].map(|f| Fen::new(f).yuan());
        let g = x.guarantees;
        HouseholdExtrasView {
            household_type: x.household_type,
            other_causes: x.other_causes.iter().collect(),
            wage_income: yuan(0),
            business_income: yuan(1),
            property_income: yuan(2),
            transfer_income: yuan(3),
            food_secure: g[0],
            clothing_secure: g[1],
            education_secure: g[2],
            medical_secure: g[3],
            housing_secure: g[4],
            water_secure: g[5],
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct HouseholdView {
    pub year: i32,
    pub household_id: String,
    pub county_code: String,
    pub village_code: String,
    pub income_per_capita: f64,
    pub status: PovertyStatus,
    pub identified_year: i32,
    pub exit_year: Option<i32>,
    pub cause: Cause,
    pub members: i64,
    #[serde(flatten)]
    pub extended: HouseholdExtrasView,
}

fn view(h: &HouseholdRow, members: i64) -> HouseholdView {
    HouseholdView {
        year: h.year,
        household_id: h.household_id.clone(),
        county_code: h.county_code.clone(),
        village_code: h.village_code.clone(),
        income_per_capita: Fen::new(h.income_fen).yuan(),
        status: PovertyStatus::from_code(h.status).unwrap_or(PovertyStatus::Poor),
        identified_year: h.identified_year,
        exit_year: h.exit_year,
        cause: Cause::from_code(h.cause).unwrap_or(Cause::Illness),
        members,
        extended: HouseholdExtrasView::from(&h.extras),
    }
}

/// A household card: the year's record, its members and its timeline.
#[derive(Debug, Clone, Serialize)]
pub struct HouseholdCard {
    pub household: HouseholdView,
    pub members: Vec<MemberView>,
    pub timeline: Vec<HouseholdView>,
    /// The head of each timeline year and where the head changes: a
    /// household number whose head changed may name two families.
    pub timeline_heads: Vec<identity::TimelineHead>,
    pub id_numbers_in_full: bool,
    /// The role may see the ID numbers in full, giving a reason.
    pub may_reveal: bool,
}

/// Opens members for display: the ID number masked unless `full`. Ordered
/// by relation, birth and ID number, so the order never depends on how the
/// rows happen to lie in the database (a key rotation moves them).
fn member_views(keys: &Keys, members: &[MemberRow], full: bool) -> Result<Vec<MemberView>> {
    let mut opened = members
        .iter()
        .map(|m| {
            let key = sealed_by(keys, &m.key_id)?;
            let id = open_text(&key, AAD_ID, &m.id_cipher)?;
            let name = open_text(&key, AAD_NAME, &m.name_cipher)?;
            Ok((m, id, name))
        })
        .collect::<Result<Vec<_>>>()?;
    opened.sort_by(|(a, a_id, _), (b, b_id, _)| {
        (a.relation, a.birth_year, a_id).cmp(&(b.relation, b.birth_year, b_id))
    });
    Ok(opened
        .into_iter()
        .map(|(m, id, name)| MemberView {
            id_number: if full {
                id
            } else {
                IdNumber::parse(&id)
                    .map(|i| i.masked())
                    .unwrap_or_else(|_| "******".into())
            },
            name,
            relation: Relation::from_code(m.relation).unwrap_or(Relation::Other),
            sex: if m.sex == 1 { "male" } else { "female" },
            birth_year: m.birth_year,
            health: m.extras.health,
            education: m.extras.education,
            labour_skill: m.extras.labour_skill,
            migrant_work: m.extras.migrant_work,
        })
        .collect())
}

impl App {
    pub fn list_households(
        &self,
        actor: &Actor,
        f: &HouseholdFilter,
        page: Page,
    ) -> Result<(Vec<HouseholdView>, i64)> {
        actor.require(Action::ReadRegistry)?;
        let (rows, total) = self
            .store
            .read(|c| reg::households(c, &actor.scope, f, page))?;
        if f.head_name_index.is_some() {
            self.audit_name_search(actor, total)?;
        }
        Ok((rows.iter().map(|(h, n)| view(h, *n)).collect(), total))
    }

    /// A household card, ID numbers masked. A role entitled to see them in
    /// full sees them when it gives a reason (`reveal`); each such
    /// disclosure is audited with that reason.
    pub fn household_card(
        &self,
        actor: &Actor,
        year: i32,
        household_id: &str,
        reveal: Option<&str>,
    ) -> Result<HouseholdCard> {
        actor.require(Action::ReadRegistry)?;
        let entitled = actor.role.may(Action::RevealIdNumbers);
        let reason: String = reveal
            .map(str::trim)
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
        let full = entitled && !reason.is_empty();
        let (h, members, timeline, heads) = self.store.read(|c| -> Result<_> {
            let (h, m) = reg::household_members(c, &actor.scope, year, household_id)?
                .ok_or_else(|| AppError::not_found("建档立卡户", "household"))?;
            let t = reg::household_timeline(c, &actor.scope, household_id)?;
            let heads = reg::household_heads(c, &actor.scope, household_id)?;
            Ok((h, m, t, heads))
        })?;
        let timeline_heads = identity::timeline_heads(self, &heads)?;
        let members = member_views(self.keys(), &members, full)?;
        if full {
            self.store.write(|c| {
                audit(
                    c,
                    actor,
                    "registry.disclose",
                    ("household", &format!("{year}/{household_id}")),
                    "success",
                    Some(format!(
                        "{} ID numbers shown in full; reason: {reason}",
                        members.len()
                    )),
                )
            })?;
        }
        Ok(HouseholdCard {
            household: view(&h, members.len() as i64),
            timeline: timeline.iter().map(|t| view(t, 0)).collect(),
            timeline_heads,
            members,
            id_numbers_in_full: full,
            may_reveal: entitled && !full,
        })
    }

    /// Exact search by ID number: the (year, household) registrations the
    /// scope reaches.
    pub fn find_by_id_number(&self, actor: &Actor, id: &str) -> Result<Vec<(i32, String)>> {
        actor.require(Action::ReadRegistry)?;
        let id = IdNumber::parse(id)
            .map_err(|m| AppError::Invalid(vec![FieldError::new("id_number", id, m)]))?;
        // Under every key in the ring: during a rotation a person's rows may
        // still carry the previous key's index.
        let ring = self.keys().refresh(false)?;
        let indexes: Vec<Vec<u8>> = ring.all().iter().map(|k| id_index(k, &id)).collect();
        Ok(self
            .store
            .read(|c| reg::find_by_index(c, &actor.scope, &indexes))?)
    }
}

impl App {
    /// Households of a page with their members (for the API): ID numbers
    /// always masked, whatever the role. A list never discloses numbers in
    /// bulk; the full numbers of one household are shown only through
    /// [`household_card`](Self::household_card), with a reason, audited.
    pub fn household_pages(
        &self,
        actor: &Actor,
        f: &HouseholdFilter,
        page: Page,
    ) -> Result<(Vec<HouseholdCard>, i64)> {
        actor.require(Action::ReadRegistry)?;
        let keys = self.keys();
        let (cards, total) = self.store.read(|c| -> Result<_> {
            let (rows, total) = reg::households(c, &actor.scope, f, page)?;
            let mut cards = Vec::with_capacity(rows.len());
            for (h, n) in &rows {
                let (_, members) =
                    reg::household_members(c, &actor.scope, h.year, &h.household_id)?
                        .unwrap_or((h.clone(), Vec::new()));
                cards.push(HouseholdCard {
                    household: view(h, *n),
                    members: member_views(keys, &members, false)?,
                    timeline: Vec::new(),
                    timeline_heads: Vec::new(),
                    id_numbers_in_full: false,
                    may_reveal: actor.role.may(Action::RevealIdNumbers),
                });
            }
            Ok((cards, total))
        })?;
        if f.head_name_index.is_some() {
            self.audit_name_search(actor, total)?;
        }
        Ok((cards, total))
    }
}

impl App {
    /// The years that hold registry rows, newest first.
    pub fn registry_years(&self, actor: &Actor) -> Result<Vec<i32>> {
        actor.require(Action::ReadRegistry)?;
        let mut y = self.store.with_snapshot(|s| s.years())?;
        y.sort();
        y.dedup();
        y.reverse();
        Ok(y)
    }
}

impl App {
    /// The head of each household (its latest year) in one county, its ID
    /// number masked: (household id, village code, masked ID number), for
    /// the records that name households (a project's beneficiaries). The
    /// caller has checked that the actor reaches the record naming them.
    pub(crate) fn masked_heads(
        &self,
        county: &str,
        ids: &[String],
    ) -> Result<Vec<(String, String, Option<String>)>> {
        let Some(code) = dingdian_core::area::CountyCode::parse(county) else {
            return Ok(Vec::new());
        };
        let scope = dingdian_core::role::Scope::County(code);
        let heads = self.store.read(|c| {
            ids.iter()
                .map(|id| Ok(reg::household_heads(c, &scope, id)?.pop()))
                .collect::<Result<Vec<_>>>()
        })?;
        let mut out = Vec::new();
        for h in heads.into_iter().flatten() {
            let masked = match &h.head {
                Some(m) => {
                    let key = sealed_by(self.keys(), &m.key_id)?;
                    let id = open_text(&key, AAD_ID, &m.id_cipher)?;
                    Some(
                        IdNumber::parse(&id)
                            .map(|i| i.masked())
                            .unwrap_or_else(|_| "******".into()),
                    )
                }
                None => None,
            };
            out.push((h.household_id, h.village_code, masked));
        }
        Ok(out)
    }
}

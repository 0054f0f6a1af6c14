//! Monitoring of all rural households (from 2021): the county (its officer
//! or a cadre serving there) enters a household outside the registry with
//! its members, sealed and indexed by the registry's own code; the
//! household is then flagged and followed like any other
//! (`App::flag_household` takes its id). A person already in the registry
//! of that year or in another household outside it is refused through the
//! blind index; where that record lies outside the caller's county the
//! answer names nothing.

use crate::error::{AppError, Result};
use crate::registry::{AAD_ID, AAD_NAME, id_index, name_index, open_text, seal, sealed_by};
use crate::{Actor, App, audit};
use chrono::{Datelike, NaiveDate};
use dingdian_core::registry::{IdNumber, Relation};
use dingdian_core::role::Action;
use dingdian_core::rural::{RuralHouseholdFields, RuralHouseholdInput, household_id};
use dingdian_core::{Msg, time};
use dingdian_store::rural::{self as store, NewRuralHousehold, RuralMemberRow};
use serde::Serialize;

/// A member as shown: the ID number always masked.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RuralMemberView {
    pub name: String,
    /// Masked: first six and last four digits.
    pub id_number: String,
    pub relation: Relation,
    /// male | female
    pub sex: &'static str,
    pub birth_year: i32,
}

/// A household outside the registry with its members.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RuralHouseholdView {
    /// `R` + county code + `-` + five digits.
    pub household_id: String,
    pub county_code: String,
    pub county_name: String,
    pub village: String,
    /// The year of the income figure.
    pub year: i32,
    pub income_per_capita_fen: i64,
    pub members: Vec<RuralMemberView>,
}

/// Only the county's own officer or cadre enters its households.
fn own_county(actor: &Actor, county: &str) -> Result<()> {
    match actor.scope.county() {
        Some(c) if c == county.trim() => Ok(()),
        _ => Err(AppError::Forbidden(Msg::new(
            "outside_scope",
            "只能登记本县的农户",
            "you may enter households of your own county only",
        ))),
    }
}

/// A member already recorded: in the caller's county, where; elsewhere,
/// nothing but the refusal.
fn already_recorded(place: usize, mine: Option<&str>) -> AppError {
    let n = place + 1;
    AppError::Conflict(match mine {
        Some(h) => Msg::new(
            "member_already_recorded",
            format!("第 {n} 名成员已登记在本县的 {h} 户，不能重复登记"),
            format!("member {n} is already recorded in household {h} of this county"),
        ),
        None => Msg::new(
            "member_already_recorded",
            format!("第 {n} 名成员已有登记，不能在此登记"),
            format!("member {n} is already recorded and cannot be entered here"),
        ),
    })
}

impl App {
    /// Enters a household outside the registry (a year from 2021, not
    /// after today's) with its members; answers its id. Audited
    /// (`rural_household.create`); refusals of scope and duplicates too.
    pub fn enter_rural_household(
        &self,
        actor: &Actor,
        input: &RuralHouseholdInput,
        today: NaiveDate,
    ) -> Result<String> {
        let object = ("rural_household", input.county_code.trim());
        let allowed = actor
            .require(Action::FlagHouseholds)
            .and_then(|_| own_county(actor, &input.county_code));
        if let Err(e) = allowed {
            return Err(self.refused(actor, "rural_household.create", object, e));
        }
        let f = input.parse(today).map_err(AppError::Invalid)?;
        let ring = self.keys().refresh(false)?;
        let indexes: Vec<Vec<Vec<u8>>> = f
            .members
            .iter()
            .map(|m| {
                ring.all()
                    .iter()
                    .map(|k| id_index(k, &m.id_number))
                    .collect()
            })
            .collect();
        let key = ring.current();
        let rows: Vec<RuralMemberRow> = f
            .members
            .iter()
            .map(|m| RuralMemberRow {
                id_index: id_index(key, &m.id_number),
                id_cipher: seal(key, AAD_ID, m.id_number.as_str()),
                name_cipher: seal(key, AAD_NAME, &m.name),
                name_index: name_index(key, &m.name),
                key_id: key.key_id(),
                relation: m.relation.code(),
                sex: if m.id_number.is_male() { 1 } else { 2 },
                birth_year: m.id_number.birth_date().year(),
            })
            .collect();
        let out = self.store.write(|c| {
            for (i, idx) in indexes.iter().enumerate() {
                let held = store::holders(c, f.year, idx)?;
                if let Some((county, h)) = held.first() {
                    let mine = (*county == f.county_code).then_some(h.as_str());
                    return Err(already_recorded(i, mine));
                }
            }
            insert(c, actor, &f, &rows)
        });
        self.refused_if_conflict(actor, object, out)
    }

    /// A household outside the registry in the actor's scope (404 outside
    /// it), its members' ID numbers masked.
    pub fn rural_household(&self, actor: &Actor, id: &str) -> Result<RuralHouseholdView> {
        actor.require(Action::ReadRegistry)?;
        let keys = self.keys();
        let (h, members) = self
            .store
            .read(|c| store::get(c, &actor.scope, id.trim()))?
            .ok_or_else(|| AppError::not_found("农户", "household"))?;
        let members = members
            .iter()
            .map(|m| {
                let key = sealed_by(keys, &m.key_id)?;
                let id = open_text(&key, AAD_ID, &m.id_cipher)?;
                Ok(RuralMemberView {
                    name: open_text(&key, AAD_NAME, &m.name_cipher)?,
                    id_number: IdNumber::parse(&id)
                        .map(|i| i.masked())
                        .unwrap_or_else(|_| "******".into()),
                    relation: Relation::from_code(m.relation).unwrap_or(Relation::Other),
                    sex: if m.sex == 1 { "male" } else { "female" },
                    birth_year: m.birth_year,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(RuralHouseholdView {
            household_id: h.household_id,
            county_code: h.county_code,
            county_name: h.county_name,
            village: h.village,
            year: h.year,
            income_per_capita_fen: h.income_fen,
            members,
        })
    }

    fn refused_if_conflict<T>(
        &self,
        actor: &Actor,
        object: (&str, &str),
        out: Result<T>,
    ) -> Result<T> {
        match out {
            Err(e @ AppError::Conflict(_)) => {
                Err(self.refused(actor, "rural_household.create", object, e))
            }
            other => other,
        }
    }
}

/// Stores the household under the county's next number, audited.
fn insert(
    c: &mut dyn dingdian_store::Conn,
    actor: &Actor,
    f: &RuralHouseholdFields,
    rows: &[RuralMemberRow],
) -> Result<String> {
    let id = household_id(&f.county_code, store::next_number(c, &f.county_code)?);
    let new = NewRuralHousehold {
        household_id: &id,
        county_code: &f.county_code,
        village: &f.village,
        year: f.year,
        income_fen: f.income_per_capita.get(),
        by: actor.user_id,
        now: time::now_ts(),
    };
    store::insert(c, &new, rows)?;
    audit(
        c,
        actor,
        "rural_household.create",
        ("rural_household", &id),
        "success",
        Some(format!("members={}", rows.len())),
    )?;
    Ok(id)
}

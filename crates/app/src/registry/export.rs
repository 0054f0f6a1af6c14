//! The registry of a year in the import format, ID numbers in full, for
//! the operator and, with a reason, a county officer's own county.

use super::sealing::{AAD_ID, AAD_NAME, open_text, sealed_by};
use super::{CONTRACT_COLUMNS, REGISTRY_COLUMNS};
use crate::error::{AppError, Result};
use crate::keys::Keys;
use crate::tabular::{self, Table};
use crate::{Actor, App, audit};
use dingdian_core::registry::{Cause, PovertyStatus, Relation};
use dingdian_core::role::Action;
use dingdian_core::{Fen, Msg};
use dingdian_store::registry::{self as reg, HouseholdRow, MemberRow};

impl App {
    /// The registry of a year in the import format, ID numbers in full:
    /// the operator at the server (`dingdian export registry`).
    pub fn export_registry(&self, actor: &Actor, year: i32, area: Option<&str>) -> Result<Table> {
        self.export_registry_for(actor, year, area, None)
    }

    /// The registry of a year in the import format, ID numbers in full,
    /// audited with the reason. A signed-in user may export only as a county
    /// officer, only its own county, and only giving a reason; the operator
    /// at the server (no user) may export any area.
    pub fn export_registry_for(
        &self,
        actor: &Actor,
        year: i32,
        area: Option<&str>,
        reason: Option<&str>,
    ) -> Result<Table> {
        actor.require(Action::RevealIdNumbers)?;
        let reason = export_reason(actor, area, reason)?;
        let rows = self.store.read(|c| reg::export_rows(c, year, area))?;
        let keys = self.keys();
        // The extended columns are written when any member has them, so a
        // registry without them exports exactly the contract's columns.
        let extended = rows
            .iter()
            .any(|(h, m)| !h.extras.is_empty() || !m.extras.is_empty());
        let out = rows
            .iter()
            .map(|(h, m)| export_row(keys, h, m, extended))
            .collect::<Result<Vec<_>>>()?;
        self.store.write(|c| {
            audit(
                c,
                actor,
                "registry.export",
                ("registry", &format!("{year}/{}", area.unwrap_or("*"))),
                "success",
                Some(if reason.trim().is_empty() {
                    format!("{} members", out.len())
                } else {
                    format!("{} members; reason: {}", out.len(), reason.trim())
                }),
            )
        })?;
        let columns = if extended {
            REGISTRY_COLUMNS
        } else {
            CONTRACT_COLUMNS
        };
        Ok(Table {
            headers: columns.iter().map(|c| c.zh.to_string()).collect(),
            rows: out
                .into_iter()
                .enumerate()
                .map(|(i, r)| (i + 2, r))
                .collect(),
            format: tabular::Format::Csv,
        })
    }
}

/// Who may export: the operator (no user) any area; a signed-in user only
/// as a county officer, only its own county, and only giving a reason —
/// returned cleaned for the audit record.
fn export_reason(actor: &Actor, area: Option<&str>, reason: Option<&str>) -> Result<String> {
    let own_county = actor
        .scope
        .county()
        .is_some_and(|c| area.is_some_and(|a| a.starts_with(c)));
    if actor.user_id.is_some() && !own_county {
        return Err(AppError::Forbidden(Msg::new(
            "outside_scope",
            "带完整证件号码的批量导出只能由县级用户导出本县的数据",
            "a bulk export with full ID numbers is only a county officer's export of its own county",
        )));
    }
    let reason: String = reason
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    if actor.user_id.is_some() && reason.trim().is_empty() {
        return Err(AppError::invalid(
            "reason",
            "",
            "reason_required",
            "导出完整证件号码须说明理由",
            "exporting full ID numbers needs a reason",
        ));
    }
    Ok(reason)
}

/// One member as a row of the import format, opened with its own key.
fn export_row(keys: &Keys, h: &HouseholdRow, m: &MemberRow, extended: bool) -> Result<Vec<String>> {
    let key = sealed_by(keys, &m.key_id)?;
    let key = &*key;
    let mut row = Vec::with_capacity(if extended { 27 } else { 11 });
    row.extend([
        h.year.to_string(),
        h.village_code.clone(),
        h.household_id.clone(),
        open_text(key, AAD_ID, &m.id_cipher)?,
        open_text(key, AAD_NAME, &m.name_cipher)?,
        Relation::from_code(m.relation)
            .map(|r| r.zh())
            .unwrap_or("其他")
            .to_string(),
        Fen::new(h.income_fen).to_yuan_text(),
        PovertyStatus::from_code(h.status)
            .map(|s| s.zh())
            .unwrap_or("")
            .to_string(),
        h.identified_year.to_string(),
        h.exit_year.map(|y| y.to_string()).unwrap_or_default(),
        Cause::from_code(h.cause)
            .map(|c| c.zh())
            .unwrap_or("")
            .to_string(),
    ]);
    if extended {
        row.extend(h.extras.cells());
        row.extend(m.extras.cells().map(str::to_string));
    }
    Ok(row)
}

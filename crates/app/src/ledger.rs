//! The funds ledger: posting an entry (checked against the pairing's
//! balances under the pairing's lock, in the transaction that inserts it),
//! and reading entries and balances within the actor's scope.

use crate::error::{AppError, Result};
use crate::{Actor, App, audit};
use dingdian_core::ledger::{
    self as rule, Balance, EntryKind, FundSource, LedgerEntry, LedgerEntryInput, LedgerFilter,
    NewEntry,
};
use dingdian_core::role::{Action, Scope};
use dingdian_core::{Fen, FieldError, Msg, Page, time};
pub use dingdian_store::ledger::ProjectFacts;
use dingdian_store::{Conn, ledger};

/// Project statuses that take no new money.
const CLOSED: [&str; 2] = ["cancelled", "accepted"];

fn pairing_not_found() -> AppError {
    AppError::not_found("结对", "pairing")
}

fn entry_not_found() -> AppError {
    AppError::not_found("分录", "ledger entry")
}

/// A refusal of the ledger's rule as a 422 naming the field it concerns.
fn refused(entry: &NewEntry, why: Msg) -> AppError {
    let p = &entry.posting;
    let (field, value) = match why.code.as_str() {
        "other_earmark" | "project_required" => ("project_id", p.project_id.map(|i| i.to_string())),
        "same_project" => ("to_project_id", p.to_project_id.map(|i| i.to_string())),
        "overdraw" => ("amount_fen", Some(p.amount_fen.to_string())),
        _ => ("reverses", p.reverses.map(|i| i.to_string())),
    };
    AppError::Invalid(vec![FieldError::new(field, value.unwrap_or_default(), why)])
}

/// The action a kind needs: the office reallocates (and reverses a
/// reallocation), units post everything else.
fn action_for(kind: EntryKind) -> Action {
    match kind {
        EntryKind::Reallocation => Action::ReallocateEarmarks,
        _ => Action::PostLedger,
    }
}

impl App {
    /// Posts one entry: 201's entry, or the reason it was refused (every
    /// refusal is audited as `ledger.post` refused; nothing else is written).
    pub fn post_entry(&self, actor: &Actor, input: &LedgerEntryInput) -> Result<LedgerEntry> {
        let result = self.try_post(actor, input);
        if let Err(e) = &result
            && !e.is_system()
        {
            self.audit_refused_post(actor, input, e);
        }
        result
    }

    fn try_post(&self, actor: &Actor, input: &LedgerEntryInput) -> Result<LedgerEntry> {
        // Whose a reversal is shows once the reversed entry is read; an
        // unknown kind is refused by the parse below.
        match EntryKind::parse(input.kind.trim()) {
            Some(EntryKind::Reversal) | None if !actor.role.may(Action::PostLedger) => {
                actor.require(Action::ReallocateEarmarks)?
            }
            Some(EntryKind::Reversal) | None => {}
            Some(kind) => actor.require(action_for(kind))?,
        }
        let parsed = input.parse(time::today()).map_err(AppError::Invalid)?;
        self.store.write(|c| {
            let entry = complete(c, actor, parsed)?;
            let p = &entry.posting;
            if !actor.scope.reaches_pairing(p.unit_id, &p.county_code)
                || !ledger::pairing_exists(c, p.unit_id, &p.county_code)?
            {
                return Err(pairing_not_found());
            }
            check_projects(c, &entry)?;
            ledger::lock_pairing(c, p.unit_id, &p.county_code)?;
            let posted = ledger::pairing_postings(c, p.unit_id, &p.county_code)?;
            rule::check(&posted, p).map_err(|why| refused(&entry, why))?;
            let id = ledger::insert(c, &entry, (actor.user_id, &actor.username), time::now_ts())?;
            let detail = format!(
                "{} {} {} {} {}",
                p.kind.as_str(),
                p.unit_id,
                p.county_code,
                p.source.as_str(),
                Fen::new(p.amount_fen)
            );
            audit(
                c,
                actor,
                "ledger.post",
                ("ledger_entry", &id.to_string()),
                "success",
                Some(detail),
            )?;
            ledger::get(c, &Scope::All, id)?.ok_or_else(entry_not_found)
        })
    }

    /// Audits a refused posting in its own transaction (the refused one
    /// wrote nothing); a failure to audit is logged.
    fn audit_refused_post(&self, actor: &Actor, input: &LedgerEntryInput, e: &AppError) {
        let reasons = match e {
            AppError::Invalid(errs) => errs
                .iter()
                .map(|f| f.msg.code.as_str())
                .collect::<Vec<_>>()
                .join(","),
            _ => e.code().to_string(),
        };
        let detail = format!(
            "{} {} {}: {reasons}",
            dingdian_core::error::clip_to(input.kind.trim(), 16),
            input.unit_id.map(|u| u.to_string()).unwrap_or_default(),
            dingdian_core::error::clip_to(input.county_code.trim(), 8),
        );
        let written = self.store.write(|c| {
            audit(
                c,
                actor,
                "ledger.post",
                ("ledger_entry", "-"),
                "refused",
                Some(detail),
            )
        });
        if let Err(a) = written {
            tracing::error!(user = %actor.username, "cannot audit a refused ledger posting: {a}");
        }
    }

    /// The entries the actor may read, newest first, and their count.
    pub fn ledger_entries(
        &self,
        actor: &Actor,
        f: &LedgerFilter,
        page: Page,
    ) -> Result<(Vec<LedgerEntry>, i64)> {
        actor.require(Action::ReadAssistance)?;
        Ok(self
            .store
            .read(|c| ledger::list(c, &actor.scope, f, page))?)
    }

    /// One entry the actor may read (404 otherwise).
    pub fn ledger_entry(&self, actor: &Actor, id: i64) -> Result<LedgerEntry> {
        actor.require(Action::ReadAssistance)?;
        self.store
            .read(|c| ledger::get(c, &actor.scope, id))?
            .ok_or_else(entry_not_found)
    }

    /// The balances the actor may read, per unit, county, source and
    /// project (see `dingdian_core::ledger`).
    pub fn ledger_balances(&self, actor: &Actor, f: &LedgerFilter) -> Result<Vec<Balance>> {
        actor.require(Action::ReadAssistance)?;
        Ok(self.store.read(|c| ledger::balances(c, &actor.scope, f))?)
    }

    /// Receipts per year and source not reversed (the funds chart).
    pub fn ledger_receipts_by_year(
        &self,
        actor: &Actor,
        f: &LedgerFilter,
    ) -> Result<Vec<(i32, FundSource, i64)>> {
        actor.require(Action::ReadAssistance)?;
        Ok(self
            .store
            .read(|c| ledger::receipts_by_year(c, &actor.scope, f))?)
    }

    /// The projects the actor may read (the forms' choices, names).
    pub fn ledger_projects(&self, actor: &Actor, f: &LedgerFilter) -> Result<Vec<ProjectFacts>> {
        actor.require(Action::ReadAssistance)?;
        Ok(self.store.read(|c| ledger::projects(c, &actor.scope, f))?)
    }
}

/// A reversal takes its pairing, source, project and amount from the entry
/// it undoes, which the actor must reach, and the role that posts that kind.
fn complete(c: &mut dyn Conn, actor: &Actor, parsed: NewEntry) -> Result<NewEntry> {
    let Some(reverses) = parsed.posting.reverses else {
        return Ok(parsed);
    };
    let original = ledger::get(c, &actor.scope, reverses)?.ok_or_else(entry_not_found)?;
    actor.require(action_for(original.kind))?;
    Ok(parsed.reversing(&original.posting()))
}

/// Every project the entry names belongs to its pairing; a project closed
/// (cancelled or accepted) takes no new money.
fn check_projects(c: &mut dyn Conn, entry: &NewEntry) -> Result<()> {
    let p = &entry.posting;
    if p.kind == EntryKind::Reversal {
        return Ok(());
    }
    let takes_money = matches!(
        p.kind,
        EntryKind::Receipt | EntryKind::Commitment | EntryKind::Reallocation
    );
    for (field, id, new_money) in [
        (
            "project_id",
            p.project_id,
            takes_money && p.kind != EntryKind::Reallocation,
        ),
        ("to_project_id", p.to_project_id, true),
    ] {
        let Some(id) = id else { continue };
        let project = ledger::project(c, id)?
            .filter(|x| x.unit_id == p.unit_id && x.county_code == p.county_code);
        let Some(project) = project else {
            return Err(AppError::invalid(
                field,
                id.to_string(),
                "unknown_project",
                "该结对下没有这个项目",
                "no such project in this pairing",
            ));
        };
        if new_money && CLOSED.contains(&project.status.as_str()) {
            return Err(AppError::invalid(
                field,
                id.to_string(),
                "project_closed",
                "项目已取消或已验收，不能再接收资金或承诺",
                "the project is cancelled or accepted and takes no new money or commitment",
            ));
        }
    }
    Ok(())
}

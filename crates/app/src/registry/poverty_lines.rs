//! The poverty lines (扶贫标准): yuan per person and year.

use crate::error::{AppError, Result};
use crate::{Actor, App, audit};
use dingdian_core::registry as rules;
use dingdian_core::role::Action;
use dingdian_core::{FieldError, Year, time};
use dingdian_store::registry as reg;

impl App {
    /// The national poverty line per year: for whoever reads the
    /// indicators or the registry.
    pub fn poverty_lines(&self, actor: &Actor) -> Result<Vec<reg::PovertyLine>> {
        if !actor.role.may(Action::ReadRegistry) {
            actor.require(Action::ReadIndicators)?;
        }
        Ok(self.store.read(reg::poverty_lines)?)
    }

    /// Amends the poverty line of a year.
    pub fn set_poverty_line(&self, actor: &Actor, year: i32, yuan: &str, note: &str) -> Result<()> {
        actor.require(Action::EditPovertyLines)?;
        Year::new(year)
            .map_err(|m| AppError::Invalid(vec![FieldError::new("year", year.to_string(), m)]))?;
        let fen = rules::parse_yuan(yuan.trim(), false)
            .map_err(|m| AppError::Invalid(vec![FieldError::new("line_yuan", yuan, m)]))?
            .get();
        if fen <= 0 {
            return Err(AppError::invalid(
                "line_yuan",
                yuan,
                "not_positive",
                "扶贫标准应大于 0",
                "the line must be above 0",
            ));
        }
        let note = Some(note.trim().to_string()).filter(|n| !n.is_empty());
        self.store.write(|c| {
            reg::set_poverty_line(
                c,
                &reg::PovertyLine {
                    year,
                    line_fen: fen,
                    note,
                },
                time::now_ts(),
            )?;
            reg::bump_version(c)?;
            audit(
                c,
                actor,
                "poverty_line.set",
                ("poverty_line", &year.to_string()),
                "success",
                Some(format!("{fen} fen")),
            )
        })?;
        self.store.refresh_snapshot(&[])?;
        Ok(())
    }
}

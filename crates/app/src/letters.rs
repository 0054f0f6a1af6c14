//! Responsibility letters: the office sets a unit's targets for a year
//! (for one county or all of them), the unit signs, and everyone in scope
//! follows the progress, computed from the records and the ledger.
//!
//! Setting targets again replaces them while the letter is not signed;
//! once the unit has signed, the targets are fixed (a conflict).

use crate::error::{AppError, Result};
use crate::tabular::Cell;
use crate::{Actor, App, audit};
use chrono::NaiveDate;
use dingdian_core::letter::{
    Letter, LetterFields, LetterFilter, LetterIndicator, LetterInput, LetterStatus, Progress,
    letter_behind_by, year_share,
};
use dingdian_core::period::Period;
use dingdian_core::records::{SummaryFilter, record_date};
use dingdian_core::role::{Action, Scope};
use dingdian_core::{FieldError, Msg, time};
use dingdian_store::records as record_store;
use dingdian_store::{Conn, Page, letters as store, units};

/// A letter lags when its worst indicator is this far behind the share of
/// the year gone (five points): a week's delay is not yet "behind".
pub const BEHIND_MARGIN: f64 = 0.05;

/// A letter with its progress, as the pages and the API show it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LetterView {
    pub letter: Letter,
    /// Every indicator of the letter's period with a target, in the order
    /// of the contract.
    pub progress: Vec<Progress>,
    /// The share of the letter's year gone today (0–1).
    pub year_share: f64,
    /// How far the worst indicator lags that share (0–1).
    pub behind_by: f64,
    pub behind: bool,
    /// The actor may sign it (its own unit's letter, not yet signed).
    pub can_sign: bool,
}

impl App {
    /// Sets a letter's targets (`money_in_yuan`: a form's yuan; otherwise
    /// fen, as the API sends). A letter for one county needs the unit to be
    /// paired with it in that year; a letter for all counties, with any.
    /// Audited (`letter.set`); the office alone.
    pub fn set_letter(
        &self,
        actor: &Actor,
        input: &LetterInput,
        money_in_yuan: bool,
    ) -> Result<i64> {
        if let Err(e) = actor.require(Action::SetLetterTargets) {
            return Err(self.refused(actor, "letter.set", ("letter", "*"), e));
        }
        let f = input.parse(money_in_yuan).map_err(AppError::Invalid)?;
        self.store.write(|c| {
            check_pairing(c, &f)?;
            let now = time::now_ts();
            let id = match store::find(c, &f)? {
                Some((_, LetterStatus::Signed)) => return Err(signed()),
                Some((id, LetterStatus::Set)) => id,
                None => store::insert(c, &f, actor.user_id, now)?,
            };
            store::set_targets(c, id, &f.targets, actor.user_id, now)?;
            // The targets themselves are the letter's rows, kept with it.
            let county = f.county_code.as_deref().unwrap_or("*");
            let detail = format!("unit={}; county={county}", f.unit_id);
            audit(
                c,
                actor,
                "letter.set",
                ("letter", &id.to_string()),
                "success",
                Some(detail),
            )?;
            Ok(id)
        })
    }

    /// The unit records that it signed its letter on `signed_on` (a date
    /// not after today). Audited (`letter.sign`).
    pub fn sign_letter(&self, actor: &Actor, id: i64, signed_on: &str) -> Result<()> {
        if let Err(e) = actor.require(Action::SignLetters) {
            return Err(self.refused(actor, "letter.sign", ("letter", &id.to_string()), e));
        }
        let mut errors = Vec::new();
        let on = record_date("signed_on", signed_on, time::today(), &mut errors);
        let on = on.ok_or(AppError::Invalid(errors))?;
        self.store.write(|c| {
            let letter = store::lock(c, &actor.scope, id)?.ok_or_else(not_found)?;
            if letter.status == LetterStatus::Signed {
                return Err(AppError::Conflict(Msg::new(
                    "letter_already_signed",
                    "该责任书已签订",
                    "the letter is already signed",
                )));
            }
            store::sign(c, id, actor.user_id, time::now_ts(), on)?;
            audit(
                c,
                actor,
                "letter.sign",
                ("letter", &id.to_string()),
                "success",
                Some(on.to_string()),
            )
        })
    }

    /// The letters the actor's scope reaches, with targets and actuals.
    pub fn letters(
        &self,
        actor: &Actor,
        f: &LetterFilter,
        page: Page,
    ) -> Result<(Vec<LetterView>, i64)> {
        actor.require(Action::ReadAssistance)?;
        let today = time::today();
        self.store.read(|c| {
            let (letters, total) = store::list(c, &actor.scope, f, page)?;
            let views = letters
                .into_iter()
                .map(|l| view(c, actor, l, today))
                .collect::<Result<Vec<_>>>()?;
            Ok((views, total))
        })
    }

    /// One letter in the actor's scope (404 otherwise).
    pub fn letter(&self, actor: &Actor, id: i64) -> Result<LetterView> {
        actor.require(Action::ReadAssistance)?;
        let today = time::today();
        self.store.read(|c| {
            let l = store::get(c, &actor.scope, id)?.ok_or_else(not_found)?;
            view(c, actor, l, today)
        })
    }

    /// The letters the filter shows, one row per indicator with target,
    /// actual and completion, as xlsx; audited (`letter.export`).
    pub fn export_letters(&self, actor: &Actor, f: &LetterFilter) -> Result<Vec<u8>> {
        let (views, _) = self.letters(actor, f, Page::all())?;
        let headers: Vec<String> = [
            "单位",
            "县",
            "年度",
            "状态",
            "指标",
            "目标",
            "实际",
            "完成率（%）",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let figure = |ind: LetterIndicator, v: i64| match ind.is_money() {
            true => Cell::Number(dingdian_core::Fen::new(v).yuan()),
            false => Cell::Int(v),
        };
        let rows: Vec<Vec<Cell>> = views
            .iter()
            .flat_map(|v| {
                v.progress.iter().map(|p| {
                    vec![
                        v.letter.unit_name.clone().into(),
                        v.letter
                            .county_name
                            .clone()
                            .unwrap_or_else(|| "全部结对县".into())
                            .into(),
                        i64::from(v.letter.year).into(),
                        v.letter.status.as_str().into(),
                        p.indicator.zh_in(Period::of_year(v.letter.year)).into(),
                        figure(p.indicator, p.target),
                        figure(p.indicator, p.actual),
                        Cell::Number((p.completion() * 1000.0).round() / 10.0),
                    ]
                })
            })
            .collect();
        self.audited_xlsx(
            actor,
            ("letter.export", "letter"),
            "letters",
            &headers,
            &rows,
        )
    }

    /// The letters of a year that lag the share of the year gone, the
    /// furthest behind first.
    pub fn letters_behind(&self, actor: &Actor, year: i32) -> Result<Vec<LetterView>> {
        let f = LetterFilter {
            year: Some(year),
            ..Default::default()
        };
        let (mut all, _) = self.letters(actor, &f, Page::all())?;
        all.retain(|v| v.behind);
        all.sort_by(|a, b| b.behind_by.total_cmp(&a.behind_by));
        Ok(all)
    }
}

/// The letter's progress: actuals summed (with the office's reach: the
/// letter itself is in the actor's scope) over the unit, its county or
/// all its counties, and the letter's year.
fn view(c: &mut dyn Conn, actor: &Actor, letter: Letter, today: NaiveDate) -> Result<LetterView> {
    let range = SummaryFilter {
        county_code: letter.county_code.clone(),
        unit_id: Some(letter.unit_id),
        from: Some(letter.year),
        to: Some(letter.year),
    };
    let summary = record_store::summary(c, &Scope::All, &range)?;
    let progress: Vec<Progress> = LetterIndicator::of_period(Period::of_year(letter.year))
        .iter()
        .copied()
        .filter_map(|ind| {
            let target = letter.targets.iter().find(|(i, _)| *i == ind)?.1;
            Some(Progress {
                indicator: ind,
                target,
                actual: ind.actual(&summary),
            })
        })
        .collect();
    let share = year_share(letter.year, today);
    let behind_by = letter_behind_by(&progress, share);
    let can_sign = actor.role.may(Action::SignLetters)
        && actor.scope.unit() == Some(letter.unit_id)
        && letter.status == LetterStatus::Set;
    Ok(LetterView {
        letter,
        progress,
        year_share: share,
        behind_by,
        behind: behind_by >= BEHIND_MARGIN,
        can_sign,
    })
}

/// The unit must exist and, in the letter's year, be paired with its
/// county (or with some county, for a letter covering all).
fn check_pairing(c: &mut dyn Conn, f: &LetterFields) -> Result<()> {
    if !units::exists(c, f.unit_id)? {
        return Err(AppError::invalid(
            "unit_id",
            f.unit_id.to_string(),
            "unknown_unit",
            "帮扶单位不存在",
            "no such unit",
        ));
    }
    let year = f.year.get();
    let (first, last) = (
        NaiveDate::from_ymd_opt(year, 1, 1).expect("a year of the range"),
        NaiveDate::from_ymd_opt(year, 12, 31).expect("a year of the range"),
    );
    let paired = record_store::paired_periods(c, f.unit_id)?
        .into_iter()
        .any(|p| {
            p.start <= last
                && p.end >= first
                && f.county_code
                    .as_ref()
                    .is_none_or(|county| *county == p.county_code)
        });
    if paired {
        return Ok(());
    }
    Err(AppError::Invalid(vec![FieldError::new(
        "county_code",
        f.county_code.clone().unwrap_or_default(),
        Msg::new(
            "not_paired",
            format!("该单位在 {year} 年未与该县结对"),
            format!("the unit is not paired with this county in {year}"),
        ),
    )]))
}

fn signed() -> AppError {
    AppError::Conflict(Msg::new(
        "letter_signed",
        "责任书已由单位签订，目标不能再修改",
        "the unit has signed the letter: its targets can no longer change",
    ))
}

fn not_found() -> AppError {
    AppError::not_found("责任书", "letter")
}

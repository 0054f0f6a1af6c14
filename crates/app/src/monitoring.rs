//! Return-risk monitoring (防返贫动态监测): the office sets the thresholds;
//! the county scans the registry for households at risk; cadres and the
//! county flag shocks and households apply; a home visit verifies, the
//! county reviews (assigning measures) and clears. Monitored households
//! are personal data: read with the registry's scope.

use crate::error::{AppError, Result};
use crate::tabular::Cell;
use crate::{Actor, App, audit};
use chrono::NaiveDate;
use dingdian_core::monitoring::FlagFields;
use dingdian_core::monitoring::{
    CaseRisk, CaseStep, FlagInput, MeasureInput, MonitoredHousehold, MonitoredKind,
    MonitoringCount, MonitoringFilter, MonitoringStatus, StepFields, StepInput, Threshold,
    ThresholdInput, clear_refusal, data_risks, kind_of, monitoring_step, monitoring_steps_for,
};
use dingdian_core::monitoring::{FlagSource, RegistryIncome};
use dingdian_core::role::{Action, Scope};
use dingdian_core::rural::Origin;
use dingdian_core::{Msg, time};
use dingdian_store::monitoring::{self as store, Flagged, NewFlag, StepTaken, flag};
use dingdian_store::{Conn, Page};
use serde::Serialize;

/// A case with its history and what the actor may do with it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MonitoringView {
    #[serde(flatten)]
    pub case: MonitoredHousehold,
    /// Each risk with how and when it was flagged.
    pub flags: Vec<CaseRisk>,
    pub steps: Vec<CaseStep>,
    /// The statuses the actor may move the case to now (its buttons).
    pub next: Vec<MonitoringStatus>,
    pub may_add_measure: bool,
    pub may_flag: bool,
}

/// What a scan of a registry year found and did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ScanResult {
    pub county_code: String,
    pub year: i32,
    pub threshold: Threshold,
    /// Households of the year read.
    pub households: usize,
    /// Cases opened.
    pub opened: usize,
    /// Risks added to open cases.
    pub added: usize,
    /// Risks the open case already held (nothing written).
    pub already_flagged: usize,
}

fn not_found() -> AppError {
    AppError::not_found("监测对象", "monitored household")
}

fn object(id: i64) -> (&'static str, String) {
    ("monitored_household", id.to_string())
}

/// The threshold in force for a county's province and a year: the
/// office's, or the default from the year's poverty line.
fn threshold_in_force(c: &mut dyn Conn, county: &str, year: i32) -> Result<Threshold> {
    let province = county.get(..2).unwrap_or(county);
    if let Some(t) = store::threshold(c, province, year)? {
        return Ok(t);
    }
    match store::line_of(c, year)? {
        Some(line) => Ok(Threshold::default_for(province, year, line)),
        None => Err(AppError::invalid(
            "year",
            year.to_string(),
            "no_poverty_line",
            "该年度没有贫困标准，无法计算默认监测标准；请监测办先设置",
            "the year has no poverty line, so there is no default threshold; the office must set one",
        )),
    }
}

/// The county a county officer or cadre works in; the office may name any.
fn county_in_reach(actor: &Actor, county: &str) -> Result<()> {
    match actor.scope.county() {
        Some(own) if own != county => Err(AppError::Forbidden(Msg::new(
            "outside_scope",
            "只能处理本县的监测对象",
            "only the households of your own county can be handled",
        ))),
        _ => Ok(()),
    }
}

impl App {
    /// The threshold in force for a province and year (set, or default).
    pub fn monitoring_threshold(
        &self,
        actor: &Actor,
        province: &str,
        year: i32,
    ) -> Result<Threshold> {
        if !actor.role.may(Action::ReadRegistry) {
            actor.require(Action::SetMonitoringThresholds)?;
        }
        let county = format!("{province}0000");
        self.store.read(|c| threshold_in_force(c, &county, year))
    }

    /// The thresholds the office set for a year and the year's poverty line.
    pub fn monitoring_thresholds(
        &self,
        actor: &Actor,
        year: i32,
    ) -> Result<(Option<i64>, Vec<Threshold>)> {
        if !actor.role.may(Action::ReadRegistry) {
            actor.require(Action::SetMonitoringThresholds)?;
        }
        self.store.read(|c| {
            Ok((
                store::line_of(c, year)?,
                store::thresholds_of_year(c, year)?,
            ))
        })
    }

    /// The office sets a province's threshold for a year.
    pub fn set_monitoring_threshold(
        &self,
        actor: &Actor,
        year: i32,
        input: &ThresholdInput,
    ) -> Result<Threshold> {
        if let Err(e) = actor.require(Action::SetMonitoringThresholds) {
            return Err(self.refused(
                actor,
                "monitoring.threshold",
                ("monitoring_threshold", "*"),
                e,
            ));
        }
        let t = input.parse(year).map_err(AppError::Invalid)?;
        self.store.write(|c| {
            store::set_threshold(c, &t, actor.user_id, time::now_ts())?;
            let key = format!("{}/{}", t.province_code, t.year);
            let detail = format!("{} fen, {} %", t.income_fen, t.drop_percent);
            audit(
                c,
                actor,
                "monitoring.threshold",
                ("monitoring_threshold", &key),
                "success",
                Some(detail),
            )?;
            Ok(t.clone())
        })
    }

    /// Runs the data rule over a county's registry year and flags each
    /// household at risk (source data). A risk the open case already holds
    /// is counted, not written again. The county's officer or the office.
    pub fn scan_for_risks(
        &self,
        actor: &Actor,
        county: &str,
        year: i32,
        today: NaiveDate,
    ) -> Result<ScanResult> {
        let allowed = actor.role.may(Action::ReviewMonitoring)
            || actor.role.may(Action::SetMonitoringThresholds);
        let checked = match allowed {
            true => county_in_reach(actor, county),
            false => actor.require(Action::ReviewMonitoring),
        };
        if let Err(e) = checked {
            return Err(self.refused(actor, "monitoring.scan", ("county", county), e));
        }
        self.store.write(|c| {
            let threshold = threshold_in_force(c, county, year)?;
            let households = store::registry_incomes(c, county, year)?;
            let mut r = ScanResult {
                county_code: county.to_string(),
                year,
                threshold: threshold.clone(),
                households: households.len(),
                opened: 0,
                added: 0,
                already_flagged: 0,
            };
            let now = time::now_ts();
            for h in &households {
                scan_one(c, (actor, county, year, today, now), h, &threshold, &mut r)?;
            }
            let detail = format!(
                "{year}: {} read, {} opened, {} added, {} already",
                r.households, r.opened, r.added, r.already_flagged
            );
            audit(
                c,
                actor,
                "monitoring.scan",
                ("county", county),
                "success",
                Some(detail),
            )?;
            Ok(r)
        })
    }

    /// A cadre or the county flags a household of a registry year — or,
    /// from 2021, one outside the registry (`crate::rural`) — for a risk
    /// (a shock found, or the household's application). The same risk on
    /// the household's open case is refused (409).
    pub fn flag_household(
        &self,
        actor: &Actor,
        input: &FlagInput,
        today: NaiveDate,
    ) -> Result<i64> {
        if let Err(e) = actor.require(Action::FlagHouseholds) {
            return Err(self.refused(
                actor,
                "monitoring.flag",
                ("household", &input.household_id),
                e,
            ));
        }
        let f = input.parse(today).map_err(AppError::Invalid)?;
        let out = self.store.write(|c| {
            let (county, kind) = flagged_household(c, &actor.scope, &f)?;
            let new = NewFlag {
                household_id: &f.household_id,
                county_code: &county,
                year: f.year,
                kind,
                risk: f.risk,
                source: f.source,
                detail: f.detail.as_deref(),
                on: f.date,
                by: actor.user_id,
                alert_row_id: None,
                now: time::now_ts(),
            };
            let case = match flag(c, &new)? {
                Flagged::Opened(id) | Flagged::Added(id) => id,
                Flagged::AlreadyFlagged(_) => return Err(already_flagged(f.risk)),
            };
            let detail = format!("{} {} {}", f.household_id, f.risk.code(), f.source.code());
            audit(
                c,
                actor,
                "monitoring.flag",
                (object(case).0, &case.to_string()),
                "success",
                Some(detail),
            )?;
            Ok(case)
        });
        self.refusal_audited(
            actor,
            "monitoring.flag",
            ("household", &input.household_id),
            out,
        )
    }

    /// A step of a case by the action the table names: verification (a
    /// home visit), the review (at least one measure), clearing.
    pub fn step_monitoring(
        &self,
        actor: &Actor,
        id: i64,
        input: &StepInput,
        today: NaiveDate,
    ) -> Result<MonitoringStatus> {
        let s = input.parse(today).map_err(AppError::Invalid)?;
        let out = self.store.write(|c| {
            let case = store::get(c, &actor.scope, id)?.ok_or_else(not_found)?;
            check_step(actor, &case, &s)?;
            let now = time::now_ts();
            if let Some(m) = &s.measure {
                store::add_measure(c, id, m, actor.user_id, now)?;
            }
            let note = step_note(&s);
            let taken = StepTaken {
                id,
                from: case.status,
                to: s.to,
                on: s.date,
                by: actor.user_id,
                note: note.as_deref(),
                no_labour: s.no_labour,
                reason: s.reason,
                now,
            };
            if !store::take_step(c, &taken)? {
                return Err(AppError::Conflict(Msg::new(
                    "stale",
                    "该监测对象已被他人处理，请刷新",
                    "the case was changed by someone else; reload it",
                )));
            }
            let detail = format!("{} -> {} on {}", case.status.code(), s.to.code(), s.date);
            audit(
                c,
                actor,
                "monitoring.transition",
                (object(id).0, &id.to_string()),
                "success",
                Some(detail),
            )?;
            Ok(s.to)
        });
        self.refusal_audited(
            actor,
            "monitoring.transition",
            (object(id).0, &id.to_string()),
            out,
        )
    }

    /// The county assigns an assistance measure to a verified or monitored case.
    pub fn add_monitoring_measure(
        &self,
        actor: &Actor,
        id: i64,
        input: &MeasureInput,
        today: NaiveDate,
    ) -> Result<i64> {
        if let Err(e) = actor.require(Action::ReviewMonitoring) {
            return Err(self.refused(
                actor,
                "monitoring.measure",
                (object(id).0, &id.to_string()),
                e,
            ));
        }
        let m = input.parse(today).map_err(AppError::Invalid)?;
        let out = self.store.write(|c| {
            let case = store::get(c, &actor.scope, id)?.ok_or_else(not_found)?;
            if !matches!(case.status, MonitoringStatus::Verified | MonitoringStatus::Monitored) {
                return Err(AppError::Conflict(Msg::new(
                    "not_open_for_measures",
                    format!("“{}”状态的监测对象不能添加帮扶措施（须已核实、未消除）", case.status.zh()),
                    format!("a case that is {} cannot get measures (it must be verified and not cleared)", case.status.en()),
                )));
            }
            let mid = store::add_measure(c, id, &m, actor.user_id, time::now_ts())?;
            let detail = format!("{} {}", m.category.as_str(), m.date);
            audit(c, actor, "monitoring.measure", (object(id).0, &id.to_string()), "success", Some(detail))?;
            Ok(mid)
        });
        self.refusal_audited(
            actor,
            "monitoring.measure",
            (object(id).0, &id.to_string()),
            out,
        )
    }

    pub fn list_monitoring(
        &self,
        actor: &Actor,
        f: &MonitoringFilter,
        page: Page,
    ) -> Result<(Vec<MonitoredHousehold>, i64)> {
        actor.require(Action::ReadRegistry)?;
        Ok(self.store.read(|c| store::list(c, &actor.scope, f, page))?)
    }

    /// Cases by county × kind × status × risk in the scope.
    pub fn monitoring_counts(
        &self,
        actor: &Actor,
        f: &MonitoringFilter,
    ) -> Result<Vec<MonitoringCount>> {
        actor.require(Action::ReadRegistry)?;
        Ok(self.store.read(|c| store::counts(c, &actor.scope, f))?)
    }

    /// Open cases by kind in the scope.
    pub fn monitoring_open_by_kind(
        &self,
        actor: &Actor,
        f: &MonitoringFilter,
    ) -> Result<Vec<(MonitoredKind, i64)>> {
        actor.require(Action::ReadRegistry)?;
        Ok(self
            .store
            .read(|c| store::open_by_kind(c, &actor.scope, f))?)
    }

    pub fn get_monitoring(&self, actor: &Actor, id: i64) -> Result<MonitoringView> {
        actor.require(Action::ReadRegistry)?;
        self.store.read(|c| {
            let case = store::get(c, &actor.scope, id)?.ok_or_else(not_found)?;
            let acts = actor.scope.county().is_some();
            let open = case.status != MonitoringStatus::Cleared;
            Ok(MonitoringView {
                flags: store::risks(c, id)?,
                steps: store::steps(c, id)?,
                next: match acts {
                    true => monitoring_steps_for(case.status, actor.role)
                        .into_iter()
                        .map(|s| s.to)
                        .collect(),
                    false => Vec::new(),
                },
                may_add_measure: acts
                    && actor.role.may(Action::ReviewMonitoring)
                    && matches!(
                        case.status,
                        MonitoringStatus::Verified | MonitoringStatus::Monitored
                    ),
                may_flag: acts && open && actor.role.may(Action::FlagHouseholds),
                case,
            })
        })
    }

    /// The cases the filter shows, as xlsx; audited (`monitoring.export`).
    pub fn export_monitoring(&self, actor: &Actor, f: &MonitoringFilter) -> Result<Vec<u8>> {
        let (items, _) = self.list_monitoring(actor, f, Page::all())?;
        let headers: Vec<String> = [
            "户编号",
            "县",
            "年度",
            "监测类型",
            "风险",
            "状态",
            "来源",
            "预警日期",
            "消除日期",
            "消除方式",
            "帮扶措施",
        ]
        .iter()
        .map(|h| h.to_string())
        .collect();
        let rows: Vec<Vec<Cell>> = items.into_iter().map(cells).collect();
        self.audited_xlsx(
            actor,
            ("monitoring.export", "monitored_household"),
            "monitoring",
            &headers,
            &rows,
        )
    }

    /// Audits a refusal a person should see (forbidden, conflict) and
    /// passes every answer on.
    fn refusal_audited<T>(
        &self,
        actor: &Actor,
        action: &str,
        object: (&str, &str),
        out: Result<T>,
    ) -> Result<T> {
        match out {
            Err(e @ (AppError::Forbidden(_) | AppError::Conflict(_))) => {
                Err(self.refused(actor, action, object, e))
            }
            other => other,
        }
    }
}

fn scan_one(
    c: &mut dyn Conn,
    (actor, county, year, today, now): (&Actor, &str, i32, NaiveDate, i64),
    h: &RegistryIncome,
    t: &Threshold,
    r: &mut ScanResult,
) -> Result<()> {
    for risk in data_risks(h, t) {
        let new = NewFlag {
            household_id: &h.household_id,
            county_code: county,
            year,
            kind: kind_of(h.status),
            risk,
            source: FlagSource::Data,
            detail: None,
            on: today,
            by: actor.user_id,
            alert_row_id: None,
            now,
        };
        match flag(c, &new)? {
            Flagged::Opened(_) => r.opened += 1,
            Flagged::Added(_) => r.added += 1,
            Flagged::AlreadyFlagged(_) => r.already_flagged += 1,
        }
    }
    Ok(())
}

fn already_flagged(risk: dingdian_core::monitoring::Risk) -> AppError {
    AppError::Conflict(Msg::new(
        "already_flagged",
        format!("该户正在监测中，已因“{}”预警，不能重复预警", risk.zh()),
        format!(
            "the household's open case is already flagged for {}",
            risk.en().to_lowercase()
        ),
    ))
}

/// What the table and the clearing rule allow, with the actor's county
/// reach; the review needs a measure (given now or before).
fn check_step(actor: &Actor, case: &MonitoredHousehold, s: &StepFields) -> Result<()> {
    let Some(step) = monitoring_step(case.status, s.to) else {
        return Err(AppError::Conflict(Msg::new(
            "bad_transition",
            format!(
                "监测对象不能从“{}”变为“{}”（须先入户核实）",
                case.status.zh(),
                s.to.zh()
            ),
            format!(
                "a case cannot go from {} to {} (a home visit verifies it first)",
                case.status.en(),
                s.to.en()
            ),
        )));
    };
    actor.require(step.action)?;
    county_in_reach(actor, &case.county_code)?;
    if actor.scope.county().is_none() {
        return Err(AppError::Forbidden(Msg::new(
            "outside_scope",
            "只有县级用户和挂职干部处理监测对象",
            "only county officers and cadres handle cases",
        )));
    }
    if s.date < case.verified_on.unwrap_or(case.flagged_on) {
        return Err(AppError::invalid(
            "date",
            s.date.to_string(),
            "before_previous_step",
            "日期不能早于上一步",
            "the date cannot be before the previous step",
        ));
    }
    if let Some(reason) = s.reason
        && let Some(m) = clear_refusal(case.status, reason, case.no_labour)
    {
        return Err(AppError::Conflict(m));
    }
    if s.to == MonitoringStatus::Monitored && case.measures.is_empty() && s.measure.is_none() {
        return Err(AppError::invalid(
            "measure_category",
            "",
            "measure_required",
            "纳入监测须至少落实一项帮扶措施",
            "a monitored case needs at least one assistance measure",
        ));
    }
    Ok(())
}

/// The note of a step: a visit names who visited, then what was found.
fn step_note(s: &StepFields) -> Option<String> {
    match (&s.visitor, &s.note) {
        (Some(v), Some(n)) => Some(format!("{v}：{n}")),
        (Some(v), None) => Some(v.clone()),
        (None, n) => n.clone(),
    }
}

fn cells(m: MonitoredHousehold) -> Vec<Cell> {
    let risks: Vec<&str> = m.risks.iter().map(|r| r.zh()).collect();
    let measures: Vec<String> = m
        .measures
        .iter()
        .map(|x| format!("{}：{}", x.category.zh(), x.description))
        .collect();
    vec![
        m.household_id.into(),
        m.county_name.into(),
        i64::from(m.year).into(),
        m.kind.zh().into(),
        risks.join("、").into(),
        m.status.zh().into(),
        m.source.zh().into(),
        m.flagged_on.to_string().into(),
        m.cleared_on
            .map(|d| d.to_string())
            .unwrap_or_default()
            .into(),
        m.clear_reason.map(|r| r.zh()).unwrap_or("").into(),
        measures.join("；").into(),
    ]
}

/// The county of the household a flag names and the kind its new case
/// gets: a registry household's by its status (unstable once exited); one
/// outside the registry is never "unstable" (that is for exited registry
/// households) but marginal. A severe shock makes either sudden.
fn flagged_household(
    c: &mut dyn Conn,
    scope: &Scope,
    f: &FlagFields,
) -> Result<(String, MonitoredKind)> {
    let (county, kind) = match Origin::of_household_id(&f.household_id) {
        Origin::Rural => store::rural_household_county(c, scope, &f.household_id)?
            .map(|county| (county, MonitoredKind::Marginal)),
        Origin::Registry => store::registered_household(c, scope, f.year, &f.household_id)?
            .map(|(county, status)| (county, kind_of(status))),
    }
    .ok_or_else(|| AppError::not_found("农户", "household"))?;
    Ok((
        county,
        if f.severe {
            MonitoredKind::Sudden
        } else {
            kind
        },
    ))
}

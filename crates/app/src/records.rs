//! Work records: a unit (or its seconded cadre) records trainings, labour
//! transfers and consumption assistance for a county it is paired with;
//! everyone in scope lists, exports and sums them. Imports are in
//! `records_import`.

use crate::error::{AppError, Result};
use crate::tabular::{Cell, Column};
use crate::{Actor, App, audit};
use chrono::NaiveDate;
use dingdian_core::records::{
    ConsumptionFields, ConsumptionInput, ConsumptionRecord, LabourTransfer, LabourTransferFields,
    LabourTransferInput, RecordDate, RecordFilter, RecordsSummary, SummaryFilter, Training,
    TrainingFields, TrainingInput, not_paired,
};
use dingdian_core::role::{Action, Scope};
use dingdian_core::{FieldError, Msg, time};
use dingdian_store::records::{self as store, PairedPeriod, RecordRow, Writer};
use dingdian_store::{Conn, Page};

pub use dingdian_store::records::PairedPeriod as PairedCounty;

/// The three kinds of record, and the 832 platform's purchase export
/// (imported as consumption records of kind `bought`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    Trainings,
    Labour,
    Consumption,
    Purchases,
}

impl RecordKind {
    pub fn parse(s: &str) -> Option<RecordKind> {
        match s {
            "trainings" => Some(RecordKind::Trainings),
            "labour" => Some(RecordKind::Labour),
            "consumption" => Some(RecordKind::Consumption),
            "purchases" => Some(RecordKind::Purchases),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Trainings => "trainings",
            RecordKind::Labour => "labour",
            RecordKind::Consumption => "consumption",
            RecordKind::Purchases => "purchases",
        }
    }

    /// The object type the audit log names.
    pub(crate) fn object(self) -> &'static str {
        match self {
            RecordKind::Trainings => "training",
            RecordKind::Labour => "labour_transfer",
            RecordKind::Consumption | RecordKind::Purchases => "consumption_record",
        }
    }

    /// The columns of its import file (and export).
    pub fn columns(self) -> &'static [Column] {
        match self {
            RecordKind::Trainings => TRAINING_COLUMNS,
            RecordKind::Labour => LABOUR_COLUMNS,
            RecordKind::Consumption => CONSUMPTION_COLUMNS,
            RecordKind::Purchases => PURCHASE_COLUMNS,
        }
    }
}

const fn col(en: &'static str, zh: &'static str, required: bool) -> Column {
    Column { en, zh, required }
}

pub const TRAINING_COLUMNS: &[Column] = &[
    col("county_code", "县级区划代码", true),
    col("kind", "培训类型", true),
    col("topic", "培训主题", true),
    col("place", "培训地点", true),
    col("start_date", "开始日期", true),
    col("end_date", "结束日期", true),
    col("trainees", "培训人次", true),
    col("organiser", "组织单位", true),
    col("cost", "培训费用（元）", false),
];

pub const LABOUR_COLUMNS: &[Column] = &[
    col("county_code", "县级区划代码", true),
    col("date", "转移日期", true),
    col("people", "转移人次", true),
    col("destination", "输入地", true),
    col("employer", "用工单位或项目", true),
    col("months", "务工月数", true),
    col("income", "务工收入（元）", true),
    col("jobs_offered", "提供岗位数", false),
];

pub const CONSUMPTION_COLUMNS: &[Column] = &[
    col("county_code", "产品来源县代码", true),
    col("kind", "类型", true),
    col("date", "日期", true),
    col("product", "产品", true),
    col("quantity", "数量", false),
    col("value", "金额（元）", true),
    col("buyer", "购买方", false),
    col("supplier", "供应方", false),
    col("channel", "渠道", true),
];

/// The buyer export of the 832 platform (脱贫地区农副产品网络销售平台).
pub const PURCHASE_COLUMNS: &[Column] = &[
    col("order_date", "下单日期", true),
    col("buyer", "采购人", true),
    col("supplier", "供应商", true),
    col("supplier_county", "供应商所在县", true),
    col("product", "商品", true),
    col("amount", "金额", true),
];

/// The channel of every purchase imported from the 832 platform.
pub const PLATFORM_CHANNEL: &str = "832平台";

/// The unit whose records the actor writes (a unit manager's own, a
/// cadre's unit).
pub(crate) fn writing_unit(actor: &Actor) -> Result<i64> {
    actor.require(Action::WriteRecords)?;
    actor.scope.unit().ok_or_else(|| {
        AppError::Forbidden(Msg::new(
            "no_unit",
            "账号未关联帮扶单位，不能填报工作记录",
            "the account belongs to no unit, so it cannot write records",
        ))
    })
}

/// Why a record may not be written for its county and date, if it may not:
/// a cadre writes only for its own county; the unit must be paired with
/// the county on the record's date.
pub(crate) fn pairing_problem<R: RecordDate>(
    scope: &Scope,
    periods: &[PairedPeriod],
    r: &R,
) -> Option<FieldError> {
    let county = r.county().as_str();
    if let Some(own) = scope.county()
        && own != county
    {
        return Some(FieldError::new(
            "county_code",
            county,
            Msg::new(
                "outside_scope",
                "挂职干部只能为所在县填报记录",
                "a seconded cadre records only for the county it is posted to",
            ),
        ));
    }
    let on = r.on();
    let paired = periods
        .iter()
        .any(|p| p.county_code == county && p.start <= on && on <= p.end);
    (!paired).then(|| not_paired(county, on))
}

impl App {
    /// The counties (and periods) the actor's unit is paired with: the
    /// choices of a record's county. A cadre's only its own county.
    pub fn paired_counties(&self, actor: &Actor) -> Result<Vec<PairedCounty>> {
        let unit = writing_unit(actor)?;
        let mut periods = self.store.read(|c| store::paired_periods(c, unit))?;
        if let Some(own) = actor.scope.county() {
            periods.retain(|p| p.county_code == own);
        }
        Ok(periods)
    }

    pub fn create_training(&self, actor: &Actor, input: &TrainingInput) -> Result<i64> {
        self.create_record(actor, "training", |today| input.parse(today, false))
    }

    pub fn create_labour_transfer(
        &self,
        actor: &Actor,
        input: &LabourTransferInput,
    ) -> Result<i64> {
        self.create_record(actor, "labour_transfer", |today| input.parse(today, false))
    }

    pub fn create_consumption(&self, actor: &Actor, input: &ConsumptionInput) -> Result<i64> {
        self.create_record(actor, "consumption_record", |today| {
            input.parse(today, false)
        })
    }

    /// One record: the actor's unit, parsed fields, the pairing on its
    /// date; written and audited (`record.create`) in one transaction. A
    /// role that may not write records is refused, and that is audited.
    fn create_record<R: RecordRow + RecordDate + Checked>(
        &self,
        actor: &Actor,
        object: &str,
        parse: impl FnOnce(NaiveDate) -> std::result::Result<R, Vec<FieldError>>,
    ) -> Result<i64> {
        let unit = match writing_unit(actor) {
            Ok(u) => u,
            Err(e) => return Err(self.refused(actor, "record.create", (object, "*"), e)),
        };
        let fields = parse(time::today()).map_err(AppError::Invalid)?;
        self.store.write(|c| {
            let periods = store::paired_periods(c, unit)?;
            let mut problems: Vec<FieldError> = pairing_problem(&actor.scope, &periods, &fields)
                .into_iter()
                .collect();
            problems.extend(fields.check(c)?);
            if !problems.is_empty() {
                return Err(AppError::Invalid(problems));
            }
            let w = Writer {
                unit_id: unit,
                created_by: actor.user_id,
                now: time::now_ts(),
            };
            let id = store::insert(c, &fields, w)?;
            let detail = format!("{} {}", fields.county().as_str(), fields.on());
            audit(
                c,
                actor,
                "record.create",
                (object, &id.to_string()),
                "success",
                Some(detail),
            )?;
            Ok(id)
        })
    }

    pub fn list_trainings(
        &self,
        actor: &Actor,
        f: &RecordFilter,
        page: Page,
    ) -> Result<(Vec<Training>, i64)> {
        actor.require(Action::ReadAssistance)?;
        Ok(self
            .store
            .read(|c| store::trainings(c, &actor.scope, f, page))?)
    }

    pub fn list_labour_transfers(
        &self,
        actor: &Actor,
        f: &RecordFilter,
        page: Page,
    ) -> Result<(Vec<LabourTransfer>, i64)> {
        actor.require(Action::ReadAssistance)?;
        Ok(self
            .store
            .read(|c| store::labour_transfers(c, &actor.scope, f, page))?)
    }

    pub fn list_consumption(
        &self,
        actor: &Actor,
        f: &RecordFilter,
        page: Page,
    ) -> Result<(Vec<ConsumptionRecord>, i64)> {
        actor.require(Action::ReadAssistance)?;
        Ok(self
            .store
            .read(|c| store::consumption(c, &actor.scope, f, page))?)
    }

    /// The totals of the records (and ledger receipts) the actor's scope
    /// reaches, for a county, a unit and a range of years.
    pub fn records_summary(&self, actor: &Actor, f: &SummaryFilter) -> Result<RecordsSummary> {
        actor.require(Action::ReadAssistance)?;
        Ok(self.store.read(|c| store::summary(c, &actor.scope, f))?)
    }

    /// Person-times trained and transferred per year: (year, trained,
    /// transferred), oldest first.
    pub fn records_by_year(
        &self,
        actor: &Actor,
        f: &SummaryFilter,
    ) -> Result<Vec<(i32, i64, i64)>> {
        actor.require(Action::ReadAssistance)?;
        Ok(self.store.read(|c| store::by_year(c, &actor.scope, f))?)
    }

    /// The records of a kind the filter shows, as xlsx in the import
    /// format (so an export imports again); audited (`record.export`).
    pub fn export_records(
        &self,
        actor: &Actor,
        kind: RecordKind,
        f: &RecordFilter,
    ) -> Result<Vec<u8>> {
        let rows: Vec<Vec<Cell>> = match kind {
            RecordKind::Trainings => {
                let (items, _) = self.list_trainings(actor, f, Page::all())?;
                items.into_iter().map(training_cells).collect()
            }
            RecordKind::Labour => {
                let (items, _) = self.list_labour_transfers(actor, f, Page::all())?;
                items.into_iter().map(labour_cells).collect()
            }
            RecordKind::Consumption | RecordKind::Purchases => {
                let (items, _) = self.list_consumption(actor, f, Page::all())?;
                items.into_iter().map(consumption_cells).collect()
            }
        };
        let columns = match kind {
            RecordKind::Purchases => RecordKind::Consumption.columns(),
            other => other.columns(),
        };
        let headers: Vec<String> = columns.iter().map(|c| c.zh.to_string()).collect();
        self.audited_xlsx(
            actor,
            ("record.export", kind.object()),
            kind.as_str(),
            &headers,
            &rows,
        )
    }
}

/// What only the database can check about a record's other fields: a
/// labour transfer's destination code must name an area.
pub(crate) trait Checked {
    fn check(&self, c: &mut dyn Conn) -> Result<Vec<FieldError>>;
}

impl Checked for TrainingFields {
    fn check(&self, _: &mut dyn Conn) -> Result<Vec<FieldError>> {
        Ok(Vec::new())
    }
}

impl Checked for ConsumptionFields {
    fn check(&self, _: &mut dyn Conn) -> Result<Vec<FieldError>> {
        Ok(Vec::new())
    }
}

impl Checked for LabourTransferFields {
    fn check(&self, c: &mut dyn Conn) -> Result<Vec<FieldError>> {
        if !self.destination_is_code() || store::area_exists(c, &self.destination)? {
            return Ok(Vec::new());
        }
        Ok(vec![FieldError::new(
            "destination",
            self.destination.as_str(),
            Msg::new(
                "unknown_area",
                "输入地代码不是已有的行政区划；也可直接填写城市名称",
                "the destination code names no area; a city's name may be given instead",
            ),
        )])
    }
}

fn money(f: dingdian_core::Fen) -> Cell {
    Cell::Number(f.yuan())
}

fn training_cells(t: Training) -> Vec<Cell> {
    vec![
        t.county_code.into(),
        t.kind.zh().into(),
        t.topic.into(),
        t.place.into(),
        t.start_date.to_string().into(),
        t.end_date.to_string().into(),
        t.trainees.into(),
        t.organiser.into(),
        t.cost.map(money).unwrap_or(Cell::Empty),
    ]
}

fn labour_cells(l: LabourTransfer) -> Vec<Cell> {
    vec![
        l.county_code.into(),
        l.date.to_string().into(),
        l.people.into(),
        l.destination.into(),
        l.employer.into(),
        l.months.into(),
        money(l.income),
        l.jobs_offered.into(),
    ]
}

fn consumption_cells(r: ConsumptionRecord) -> Vec<Cell> {
    vec![
        r.county_code.into(),
        r.kind.zh().into(),
        r.date.to_string().into(),
        r.product.into(),
        r.quantity.into(),
        money(r.value),
        r.buyer.into(),
        r.supplier.into(),
        r.channel.into(),
    ]
}

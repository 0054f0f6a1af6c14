//! Work records (工作记录): trainings, labour transfers and consumption
//! assistance, as a unit or its seconded cadre enters or imports them, the
//! rules their fields obey, and the totals the records summary answers.
//! Whether the county is one the unit is paired with on the record's date
//! only the database knows: the app checks it after these rules.

use crate::area::CountyCode;
use crate::error::{optional_text, required_text};
use crate::plan_input::end_before_start;
use crate::registry::parse_yuan;
use crate::{Fen, FieldError, Msg, time};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The kinds of training (培训类型).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TrainingKind {
    /// 基层干部 grassroots cadres.
    Cadres,
    /// 技术人员 technical personnel.
    Technicians,
    /// 劳动力技能 labour skills.
    LabourSkills,
    /// 乡村振兴带头人 rural-revitalisation leaders.
    RevitalisationLeaders,
}

pub const ALL_TRAINING_KINDS: [TrainingKind; 4] = [
    TrainingKind::Cadres,
    TrainingKind::Technicians,
    TrainingKind::LabourSkills,
    TrainingKind::RevitalisationLeaders,
];

impl TrainingKind {
    /// The code or the Chinese name, as a form or an import cell gives it.
    pub fn parse(s: &str) -> Option<TrainingKind> {
        let s = s.trim();
        ALL_TRAINING_KINDS
            .into_iter()
            .find(|k| k.as_str() == s || k.zh() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TrainingKind::Cadres => "cadres",
            TrainingKind::Technicians => "technicians",
            TrainingKind::LabourSkills => "labour_skills",
            TrainingKind::RevitalisationLeaders => "revitalisation_leaders",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            TrainingKind::Cadres => "基层干部",
            TrainingKind::Technicians => "技术人员",
            TrainingKind::LabourSkills => "劳动力技能",
            TrainingKind::RevitalisationLeaders => "乡村振兴带头人",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            TrainingKind::Cadres => "Grassroots cadres",
            TrainingKind::Technicians => "Technical personnel",
            TrainingKind::LabourSkills => "Labour skills",
            TrainingKind::RevitalisationLeaders => "Rural-revitalisation leaders",
        }
    }
}

/// Products bought by the unit or its staff, or sold with its help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsumptionKind {
    Bought,
    Sold,
}

pub const ALL_CONSUMPTION_KINDS: [ConsumptionKind; 2] =
    [ConsumptionKind::Bought, ConsumptionKind::Sold];

impl ConsumptionKind {
    pub fn parse(s: &str) -> Option<ConsumptionKind> {
        let s = s.trim();
        ALL_CONSUMPTION_KINDS
            .into_iter()
            .find(|k| k.as_str() == s || k.zh() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ConsumptionKind::Bought => "bought",
            ConsumptionKind::Sold => "sold",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            ConsumptionKind::Bought => "直接购买",
            ConsumptionKind::Sold => "帮助销售",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            ConsumptionKind::Bought => "Bought",
            ConsumptionKind::Sold => "Sold with help",
        }
    }
}

/// The longest labour transfer one record may hold: five years of months.
pub const MAX_TRANSFER_MONTHS: i64 = 60;
/// The most person-times or jobs one record may hold: a typo beyond this
/// would swamp every total.
pub const MAX_PEOPLE: i64 = 1_000_000;
/// The most money one record may hold: 10 billion yuan.
pub const MAX_RECORD_FEN: i64 = 1_000_000_000_000;

/// A training as entered (form, API or import row).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TrainingInput {
    pub county_code: String,
    pub kind: String,
    pub topic: String,
    pub place: String,
    pub start_date: String,
    pub end_date: String,
    pub trainees: String,
    pub organiser: String,
    /// Yuan, e.g. `12000.50`; empty when the unit paid nothing.
    pub cost: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingFields {
    pub county_code: CountyCode,
    pub kind: TrainingKind,
    pub topic: String,
    pub place: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub trainees: i64,
    pub organiser: String,
    pub cost: Option<Fen>,
}

/// A labour transfer as entered.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct LabourTransferInput {
    pub county_code: String,
    pub date: String,
    pub people: String,
    /// An area code (320200) or a city's name.
    pub destination: String,
    pub employer: String,
    pub months: String,
    /// Yuan earned by the people placed.
    pub income: String,
    pub jobs_offered: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabourTransferFields {
    pub county_code: CountyCode,
    pub date: NaiveDate,
    pub people: i64,
    pub destination: String,
    pub employer: String,
    pub months: i64,
    pub income: Fen,
    pub jobs_offered: i64,
}

impl LabourTransferFields {
    /// The destination names an area by its code (checked against the
    /// division table by the app), not a city by name.
    pub fn destination_is_code(&self) -> bool {
        is_area_code(&self.destination)
    }
}

fn is_area_code(s: &str) -> bool {
    s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit())
}

/// A consumption record as entered.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ConsumptionInput {
    /// The county the products come from.
    pub county_code: String,
    pub kind: String,
    pub date: String,
    pub product: String,
    pub quantity: String,
    /// Yuan.
    pub value: String,
    pub buyer: String,
    pub supplier: String,
    pub channel: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumptionFields {
    pub county_code: CountyCode,
    pub kind: ConsumptionKind,
    pub date: NaiveDate,
    pub product: String,
    pub quantity: Option<String>,
    pub value: Fen,
    pub buyer: Option<String>,
    pub supplier: Option<String>,
    pub channel: String,
}

fn county_field(value: &str, e: &mut Vec<FieldError>) -> Option<CountyCode> {
    let v = value.trim();
    if v.is_empty() {
        e.push(FieldError::required("county_code"));
        return None;
    }
    let code = CountyCode::parse(v);
    if code.is_none() {
        e.push(FieldError::new(
            "county_code",
            v,
            Msg::new(
                "bad_county",
                "应为六位县级区划代码",
                "must be a six-digit county code",
            ),
        ));
    }
    code
}

/// A record's date: a real date `YYYY-MM-DD` from 2000 on, not after
/// `today` (a record says what happened). An import cell may carry the
/// time of day after the date, or slashes (`2016/3/5`), as exports write.
pub fn record_date(
    field: &str,
    value: &str,
    today: NaiveDate,
    e: &mut Vec<FieldError>,
) -> Option<NaiveDate> {
    let v = value.trim();
    if v.is_empty() {
        e.push(FieldError::required(field));
        return None;
    }
    let day = v.split([' ', 'T']).next().unwrap_or(v);
    let parsed = time::parse_date(day)
        .or_else(|| NaiveDate::parse_from_str(day, "%Y/%m/%d").ok())
        .filter(|d| d.year() >= 2000);
    match parsed {
        Some(d) if d > today => {
            e.push(FieldError::new(
                field,
                v,
                Msg::new(
                    "date_in_future",
                    "日期不能晚于今天：记录的是已经发生的事",
                    "the date may not be after today: a record tells what happened",
                ),
            ));
            None
        }
        Some(d) => Some(d),
        None => {
            e.push(bad_date(field, v));
            None
        }
    }
}

/// Not a date a record or a plan may hold.
pub(crate) fn bad_date(field: &str, value: &str) -> FieldError {
    FieldError::new(
        field,
        value,
        Msg::new(
            "bad_date",
            "日期应为 2000 年以后的真实日期，格式 YYYY-MM-DD",
            "must be a real date from 2000 on, as YYYY-MM-DD",
        ),
    )
}

/// A whole number of people, jobs or months in `min..=max`.
pub fn count_field(
    field: &str,
    value: &str,
    (min, max): (i64, i64),
    e: &mut Vec<FieldError>,
) -> Option<i64> {
    let v = value.trim();
    if v.is_empty() {
        e.push(FieldError::required(field));
        return None;
    }
    match v.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Some(n),
        _ => {
            e.push(FieldError::new(
                field,
                v,
                Msg::new(
                    "bad_count",
                    format!("应为 {min} 至 {max} 之间的整数"),
                    format!("must be a whole number from {min} to {max}"),
                ),
            ));
            None
        }
    }
}

/// An amount of yuan, exact to the fen, at least `min_fen` (0 or 1).
pub fn money_field(
    field: &str,
    value: &str,
    min_fen: i64,
    excel: bool,
    e: &mut Vec<FieldError>,
) -> Option<Fen> {
    let v = value.trim();
    if v.is_empty() {
        e.push(FieldError::required(field));
        return None;
    }
    match parse_yuan(v, excel) {
        Ok(f) if f.get() < min_fen => {
            e.push(FieldError::new(
                field,
                v,
                Msg::new(
                    "not_positive",
                    "金额应大于零",
                    "the amount must be above zero",
                ),
            ));
            None
        }
        Ok(f) if f.get() > MAX_RECORD_FEN => {
            e.push(FieldError::new(
                field,
                v,
                Msg::new("number_too_large", "金额过大", "the amount is too large"),
            ));
            None
        }
        Ok(f) => Some(f),
        Err(m) => {
            e.push(FieldError::new(field, v, m));
            None
        }
    }
}

fn kind_error(field: &str, value: &str, zh: &str, en: &str) -> FieldError {
    FieldError::new(field, value.trim(), Msg::new("bad_kind", zh, en))
}

impl TrainingInput {
    /// Checks every field; `excel` allows thousands separators in money.
    pub fn parse(&self, today: NaiveDate, excel: bool) -> Result<TrainingFields, Vec<FieldError>> {
        let mut e = Vec::new();
        let county_code = county_field(&self.county_code, &mut e);
        let kind = TrainingKind::parse(&self.kind);
        if kind.is_none() {
            e.push(kind_error(
                "kind",
                &self.kind,
                "培训类型应为 cadres（基层干部）、technicians（技术人员）、labour_skills（劳动力技能）或 revitalisation_leaders（乡村振兴带头人）",
                "must be cadres, technicians, labour_skills or revitalisation_leaders",
            ));
        }
        let topic = required_text("topic", &self.topic, 200, &mut e);
        let place = required_text("place", &self.place, 100, &mut e);
        let start = record_date("start_date", &self.start_date, today, &mut e);
        let end = record_date("end_date", &self.end_date, today, &mut e);
        if let (Some(s), Some(en)) = (start, end)
            && en < s
        {
            e.push(end_before_start("end_date", self.end_date.trim()));
        }
        let trainees = count_field("trainees", &self.trainees, (1, MAX_PEOPLE), &mut e);
        let organiser = required_text("organiser", &self.organiser, 100, &mut e);
        let cost = match self.cost.trim() {
            "" => None,
            v => money_field("cost", v, 0, excel, &mut e),
        };
        match (county_code, kind, start, end, trainees) {
            (Some(county_code), Some(kind), Some(start_date), Some(end_date), Some(trainees))
                if e.is_empty() =>
            {
                Ok(TrainingFields {
                    county_code,
                    kind,
                    topic,
                    place,
                    start_date,
                    end_date,
                    trainees,
                    organiser,
                    cost,
                })
            }
            _ => Err(e),
        }
    }
}

impl LabourTransferInput {
    pub fn parse(
        &self,
        today: NaiveDate,
        excel: bool,
    ) -> Result<LabourTransferFields, Vec<FieldError>> {
        let mut e = Vec::new();
        let county_code = county_field(&self.county_code, &mut e);
        let date = record_date("date", &self.date, today, &mut e);
        let people = count_field("people", &self.people, (1, MAX_PEOPLE), &mut e);
        let destination = required_text("destination", &self.destination, 50, &mut e);
        let employer = required_text("employer", &self.employer, 200, &mut e);
        let months = count_field("months", &self.months, (1, MAX_TRANSFER_MONTHS), &mut e);
        let income = money_field("income", &self.income, 0, excel, &mut e);
        let jobs = count_field("jobs_offered", &self.jobs_offered, (0, MAX_PEOPLE), &mut e);
        match (county_code, date, people, months, income, jobs) {
            (
                Some(county_code),
                Some(date),
                Some(people),
                Some(months),
                Some(income),
                Some(jobs),
            ) if e.is_empty() => Ok(LabourTransferFields {
                county_code,
                date,
                people,
                destination,
                employer,
                months,
                income,
                jobs_offered: jobs,
            }),
            _ => Err(e),
        }
    }
}

impl ConsumptionInput {
    pub fn parse(
        &self,
        today: NaiveDate,
        excel: bool,
    ) -> Result<ConsumptionFields, Vec<FieldError>> {
        let mut e = Vec::new();
        let county_code = county_field(&self.county_code, &mut e);
        let kind = ConsumptionKind::parse(&self.kind);
        if kind.is_none() {
            e.push(kind_error(
                "kind",
                &self.kind,
                "类型应为 bought（直接购买）或 sold（帮助销售）",
                "must be bought or sold",
            ));
        }
        let date = record_date("date", &self.date, today, &mut e);
        let product = required_text("product", &self.product, 200, &mut e);
        let quantity = optional_text("quantity", &self.quantity, 100, &mut e);
        let value = money_field("value", &self.value, 1, excel, &mut e);
        let buyer = optional_text("buyer", &self.buyer, 200, &mut e);
        let supplier = optional_text("supplier", &self.supplier, 200, &mut e);
        let channel = required_text("channel", &self.channel, 100, &mut e);
        match (county_code, kind, date, value) {
            (Some(county_code), Some(kind), Some(date), Some(value)) if e.is_empty() => {
                Ok(ConsumptionFields {
                    county_code,
                    kind,
                    date,
                    product,
                    quantity,
                    value,
                    buyer,
                    supplier,
                    channel,
                })
            }
            _ => Err(e),
        }
    }
}

/// The date of a record that decides its year and its pairing.
pub trait RecordDate {
    fn county(&self) -> &CountyCode;
    fn on(&self) -> NaiveDate;
}

impl RecordDate for TrainingFields {
    fn county(&self) -> &CountyCode {
        &self.county_code
    }
    fn on(&self) -> NaiveDate {
        self.start_date
    }
}

impl RecordDate for LabourTransferFields {
    fn county(&self) -> &CountyCode {
        &self.county_code
    }
    fn on(&self) -> NaiveDate {
        self.date
    }
}

impl RecordDate for ConsumptionFields {
    fn county(&self) -> &CountyCode {
        &self.county_code
    }
    fn on(&self) -> NaiveDate {
        self.date
    }
}

/// The error of a record whose county the unit is not paired with on its
/// date.
pub fn not_paired(county: &str, on: NaiveDate) -> FieldError {
    FieldError::new(
        "county_code",
        county,
        Msg::new(
            "not_paired",
            format!("本单位在 {on} 未与该县结对，不能为其记录"),
            format!("the unit was not paired with this county on {on}, so it cannot record for it"),
        ),
    )
}

/// A stored training.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Training {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub county_code: String,
    pub county_name: String,
    pub kind: TrainingKind,
    pub topic: String,
    pub place: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub trainees: i64,
    pub organiser: String,
    #[serde(rename = "cost_fen")]
    #[schema(value_type = Option<i64>)]
    pub cost: Option<Fen>,
    pub created_at: i64,
}

/// A stored labour transfer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LabourTransfer {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub county_code: String,
    pub county_name: String,
    pub date: NaiveDate,
    pub people: i64,
    pub destination: String,
    /// The destination area's name when the destination is an area code.
    pub destination_name: Option<String>,
    pub employer: String,
    pub months: i64,
    #[serde(rename = "income_fen")]
    #[schema(value_type = i64)]
    pub income: Fen,
    pub jobs_offered: i64,
    pub created_at: i64,
}

/// A stored consumption record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ConsumptionRecord {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub county_code: String,
    pub county_name: String,
    pub kind: ConsumptionKind,
    pub date: NaiveDate,
    pub product: String,
    pub quantity: Option<String>,
    #[serde(rename = "value_fen")]
    #[schema(value_type = i64)]
    pub value: Fen,
    pub buyer: Option<String>,
    pub supplier: Option<String>,
    pub channel: String,
    pub created_at: i64,
}

/// What a list of records asks for; every part optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordFilter {
    pub unit_id: Option<i64>,
    pub county_code: Option<String>,
    /// A training kind or a consumption kind, by its code.
    pub kind: Option<String>,
    pub year: Option<i32>,
    /// Topic, place, organiser, destination, employer, product, buyer,
    /// supplier or channel contains.
    pub q: Option<String>,
}

/// Which records a summary adds up: a county, a unit, a range of years.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SummaryFilter {
    pub county_code: Option<String>,
    pub unit_id: Option<i64>,
    pub from: Option<i32>,
    pub to: Option<i32>,
}

impl SummaryFilter {
    /// The first and last day the range covers (all time when open).
    pub fn dates(&self) -> (NaiveDate, NaiveDate) {
        let first = NaiveDate::from_ymd_opt(self.from.unwrap_or(2000), 1, 1);
        let last = NaiveDate::from_ymd_opt(self.to.unwrap_or(9999), 12, 31);
        (
            first.unwrap_or(NaiveDate::MIN),
            last.unwrap_or(NaiveDate::MAX),
        )
    }
}

/// The records summary (`GET /api/v1/records/summary`): totals computed
/// from the records and the ledger, never stored. Money in fen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RecordsSummary {
    /// Person-times of all trainings.
    pub trainees: i64,
    pub cadres_trained: i64,
    pub technicians_trained: i64,
    /// Person-times of trainings of rural-revitalisation leaders.
    pub leaders_trained: i64,
    /// Person-times placed.
    pub labour_transferred: i64,
    #[schema(value_type = i64)]
    pub labour_income: Fen,
    pub jobs_offered: i64,
    #[schema(value_type = i64)]
    pub products_bought: Fen,
    #[schema(value_type = i64)]
    pub products_sold: Fen,
    /// Receipts of the unit's own money, less those reversed.
    #[schema(value_type = i64)]
    pub direct_funds: Fen,
    /// Receipts of money the unit brought in from others, less those reversed.
    #[schema(value_type = i64)]
    pub introduced_funds: Fen,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        "2026-06-30".parse().unwrap()
    }

    fn codes(e: Vec<FieldError>) -> Vec<(String, String)> {
        e.into_iter().map(|e| (e.field, e.msg.code)).collect()
    }

    fn pairs(want: &[(&str, &str)]) -> Vec<(String, String)> {
        want.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    fn training() -> TrainingInput {
        TrainingInput {
            county_code: "623023".into(),
            kind: "基层干部".into(),
            topic: "村级组织建设".into(),
            place: "舟曲县委党校".into(),
            start_date: "2016-03-01".into(),
            end_date: "2016-03-05".into(),
            trainees: "120".into(),
            organiser: "中组部".into(),
            cost: "12000.50".into(),
        }
    }

    #[test]
    fn kinds_round_trip_by_code_and_chinese_name() {
        for k in ALL_TRAINING_KINDS {
            assert_eq!(TrainingKind::parse(k.as_str()), Some(k));
            assert_eq!(TrainingKind::parse(k.zh()), Some(k));
        }
        for k in ALL_CONSUMPTION_KINDS {
            assert_eq!(ConsumptionKind::parse(k.as_str()), Some(k));
            assert_eq!(ConsumptionKind::parse(k.zh()), Some(k));
        }
        assert_eq!(TrainingKind::parse("others"), None);
    }

    #[test]
    fn a_good_training_parses_with_its_cost_in_fen() {
        let f = training().parse(today(), false).unwrap();
        assert_eq!(f.kind, TrainingKind::Cadres);
        assert_eq!(f.trainees, 120);
        assert_eq!(f.cost, Some(Fen::new(1_200_050)));
        let free = TrainingInput {
            cost: " ".into(),
            ..training()
        };
        assert_eq!(free.parse(today(), false).unwrap().cost, None);
    }

    #[test]
    fn every_bad_training_field_is_reported() {
        let bad = TrainingInput {
            county_code: "6230".into(),
            kind: "x".into(),
            topic: "".into(),
            start_date: "2026-07-01".into(),
            end_date: "2016-02-30".into(),
            trainees: "0".into(),
            cost: "-5".into(),
            ..training()
        };
        assert_eq!(
            codes(bad.parse(today(), false).unwrap_err()),
            pairs(&[
                ("county_code", "bad_county"),
                ("kind", "bad_kind"),
                ("topic", "required"),
                ("start_date", "date_in_future"),
                ("end_date", "bad_date"),
                ("trainees", "bad_count"),
                ("cost", "negative_amount"),
            ])
        );
        let reversed = TrainingInput {
            end_date: "2016-02-01".into(),
            trainees: "1.5".into(),
            cost: "1.234".into(),
            ..training()
        };
        assert_eq!(
            codes(reversed.parse(today(), false).unwrap_err()),
            pairs(&[
                ("end_date", "end_before_start"),
                ("trainees", "bad_count"),
                ("cost", "too_many_decimals"),
            ])
        );
    }

    #[test]
    fn a_labour_transfer_needs_people_and_sensible_months() {
        let good = LabourTransferInput {
            county_code: "623023".into(),
            date: "2014-04-01".into(),
            people: "300".into(),
            destination: "320200".into(),
            employer: "无锡劳务协作".into(),
            months: "10".into(),
            income: "9000000".into(),
            jobs_offered: "0".into(),
        };
        let f = good.parse(today(), false).unwrap();
        assert!(f.destination_is_code());
        assert_eq!(f.income, Fen::new(900_000_000));
        let bad = LabourTransferInput {
            people: "0".into(),
            months: "61".into(),
            income: "-1".into(),
            jobs_offered: "-3".into(),
            destination: "常州市".into(),
            ..good.clone()
        };
        assert_eq!(
            codes(bad.parse(today(), false).unwrap_err()),
            pairs(&[
                ("people", "bad_count"),
                ("months", "bad_count"),
                ("income", "negative_amount"),
                ("jobs_offered", "bad_count"),
            ])
        );
        let city = LabourTransferInput {
            destination: "常州市".into(),
            ..good
        };
        assert!(!city.parse(today(), false).unwrap().destination_is_code());
    }

    #[test]
    fn a_consumption_record_has_a_positive_value_and_a_channel() {
        let good = ConsumptionInput {
            county_code: "623023".into(),
            kind: "bought".into(),
            date: "2016/3/5 10:22:01".into(),
            product: "花椒".into(),
            value: "1,250.00".into(),
            channel: "832平台".into(),
            ..Default::default()
        };
        let f = good.parse(today(), true).unwrap();
        assert_eq!(f.date, "2016-03-05".parse::<NaiveDate>().unwrap());
        assert_eq!(f.value, Fen::new(125_000));
        assert_eq!(f.quantity, None);
        let zero = ConsumptionInput {
            value: "0".into(),
            channel: "".into(),
            kind: "given".into(),
            ..good.clone()
        };
        assert_eq!(
            codes(zero.parse(today(), true).unwrap_err()),
            pairs(&[
                ("kind", "bad_kind"),
                ("value", "not_positive"),
                ("channel", "required")
            ])
        );
        // A CSV amount may not carry a thousands separator.
        assert_eq!(
            codes(good.parse(today(), false).unwrap_err()),
            pairs(&[("value", "thousands_separator")])
        );
    }

    #[test]
    fn a_summary_range_covers_whole_years() {
        let f = SummaryFilter {
            from: Some(2010),
            to: Some(2016),
            ..Default::default()
        };
        let (a, b) = f.dates();
        assert_eq!(
            (a.to_string(), b.to_string()),
            ("2010-01-01".into(), "2016-12-31".into())
        );
    }
}

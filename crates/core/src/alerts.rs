//! Departmental data cross-checks (部门数据比对): the departments that send
//! alert files, the events each sends, the file's columns, how one row is
//! read, and what a matched row becomes — a monitoring risk or a
//! correction of the registry.

use crate::monitoring::{MonitoredKind, Risk};
use crate::registry::{IdNumber, PovertyStatus, parse_yuan};
use crate::secondment::coded;
use crate::{FieldError, Msg};
use chrono::NaiveDate;
use serde::Serialize;

coded!(AlertSource {
    Medical = "medical", "医保部门", "Medical insurance";
    Education = "education", "教育部门", "Education";
    CivilAffairs = "civil_affairs", "民政部门", "Civil affairs";
    Emergency = "emergency", "应急管理部门", "Emergency management";
    PublicSecurity = "public_security", "公安部门", "Public security";
});

coded!(AlertEvent {
    HighMedicalCost = "high_medical_cost", "高额自付医疗费用", "High self-paid medical costs";
    Dropout = "dropout", "辍学", "School dropout";
    DibaoChange = "dibao_change", "低保变动", "Minimum living guarantee change";
    DisasterLoss = "disaster_loss", "受灾损失", "Disaster loss";
    Death = "death", "死亡", "Death";
    MovedOut = "moved_out", "户籍迁出", "Household registration moved out";
});

coded!(AlertOutcome {
    Flagged = "flagged", "已纳入监测预警", "Flagged for monitoring";
    Correction = "correction", "已生成信息更正任务", "Correction task opened";
    Unmatched = "unmatched", "未匹配到建档立卡人员", "Not found in the registry";
    Invalid = "invalid", "数据有误", "Invalid row";
    OtherCounty = "other_county", "不属于本县", "Another county";
});

coded!(CorrectionStatus {
    Open = "open", "待处理", "Open";
    Done = "done", "已更正", "Corrected";
    Dismissed = "dismissed", "无需更正", "Dismissed";
});

impl AlertEvent {
    /// The department that sends this event.
    pub fn source(self) -> AlertSource {
        match self {
            AlertEvent::HighMedicalCost => AlertSource::Medical,
            AlertEvent::Dropout => AlertSource::Education,
            AlertEvent::DibaoChange => AlertSource::CivilAffairs,
            AlertEvent::DisasterLoss => AlertSource::Emergency,
            AlertEvent::Death | AlertEvent::MovedOut => AlertSource::PublicSecurity,
        }
    }

    /// The event by its code or its Chinese name.
    pub fn parse(s: &str) -> Option<AlertEvent> {
        let s = s.trim();
        AlertEvent::from_code(s).or_else(|| AlertEvent::ALL.iter().copied().find(|e| e.zh() == s))
    }
}

impl AlertSource {
    /// The events this department sends, in code order.
    pub fn events(self) -> Vec<AlertEvent> {
        AlertEvent::ALL
            .iter()
            .copied()
            .filter(|e| e.source() == self)
            .collect()
    }
}

/// The columns of an alert file: (English, Chinese), found by either name
/// in the header, in any order; only the ID number is required. Other
/// columns (a name, a remark) are ignored and never stored.
pub const ALERT_COLUMNS: [(&str, &str); 5] = [
    ("id_number", "证件号码"),
    ("event", "事件"),
    ("date", "日期"),
    ("amount", "金额"),
    ("area_code", "区划代码"),
];

/// At most this many data rows in one alert file: a county's departmental
/// file holds a few thousand rows; more is a mistake (a whole province).
pub const MAX_ALERT_ROWS: usize = 20_000;

/// A cell longer than this is refused rather than read (or echoed).
pub const MAX_ALERT_CELL: usize = 64;

/// A high medical cost or a disaster loss of at least this much (yuan
/// 20 000 in fen, about the yearly income of a household near the line)
/// makes a new case a household in sudden severe hardship (突发严重困难户).
pub const SUDDEN_AMOUNT_FEN: i64 = 2_000_000;

/// What a matched row becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consequence {
    /// A monitoring risk; `kind` is what a newly opened case gets.
    Flag { risk: Risk, kind: MonitoredKind },
    /// A task to correct the registry (a death, a move out).
    Correct,
}

/// The consequence of an event for a household whose registry status is
/// `status`: deaths and moves are corrections; the others are risks of
/// monitoring. A large medical cost or disaster loss (at least
/// [`SUDDEN_AMOUNT_FEN`]) is sudden hardship; otherwise an exited
/// household is unstable and any other a marginal household.
pub fn consequence(
    event: AlertEvent,
    amount_fen: Option<i64>,
    status: PovertyStatus,
) -> Consequence {
    let risk = match event {
        AlertEvent::Death | AlertEvent::MovedOut => return Consequence::Correct,
        AlertEvent::HighMedicalCost => Risk::Illness,
        AlertEvent::Dropout => Risk::Schooling,
        AlertEvent::DibaoChange => Risk::LowIncome,
        AlertEvent::DisasterLoss => Risk::Disaster,
    };
    let large = amount_fen.is_some_and(|a| a >= SUDDEN_AMOUNT_FEN);
    let kind = if large && matches!(risk, Risk::Illness | Risk::Disaster) {
        MonitoredKind::Sudden
    } else if status == PovertyStatus::Exited {
        MonitoredKind::Unstable
    } else {
        MonitoredKind::Marginal
    };
    Consequence::Flag { risk, kind }
}

/// The text cells of one row, by column ("" when absent).
#[derive(Debug, Clone, Copy, Default)]
pub struct RawAlert<'a> {
    pub id_number: &'a str,
    pub event: &'a str,
    pub date: &'a str,
    pub amount: &'a str,
    pub area_code: &'a str,
}

/// A row read: the number checked, the event of the file's department.
#[derive(Debug, Clone)]
pub struct AlertRow {
    pub id_number: IdNumber,
    pub event: AlertEvent,
    pub date: Option<NaiveDate>,
    pub amount_fen: Option<i64>,
    pub area_code: Option<String>,
}

/// The masked form of a cell that may not be a valid number: first six and
/// last four characters, or stars only when it is too short to hide.
pub fn mask_raw(s: &str) -> String {
    let chars: Vec<char> = s.trim().chars().take(MAX_ALERT_CELL).collect();
    if chars.len() < 12 {
        return "*".repeat(chars.len().min(18));
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}********{}", tail.to_uppercase())
}

/// A row's problem (boxed: a row read is mostly valid, and the error is
/// large).
pub type RowError = Box<FieldError>;

fn err(field: &str, value: &str, code: &str, zh: String, en: String) -> RowError {
    let shown: String = value.chars().take(MAX_ALERT_CELL).collect();
    Box::new(FieldError::new(field, shown, Msg::new(code, zh, en)))
}

/// The event of a row: the cell, or the department's only event when the
/// cell is empty; an event of another department is refused.
fn event_of(source: AlertSource, cell: &str) -> Result<AlertEvent, RowError> {
    let events = source.events();
    if cell.trim().is_empty() && events.len() == 1 {
        return Ok(events[0]);
    }
    let names = || events.iter().map(|e| e.zh()).collect::<Vec<_>>().join("、");
    match AlertEvent::parse(cell) {
        Some(e) if e.source() == source => Ok(e),
        _ => Err(err(
            "event",
            cell,
            "unknown_event",
            format!("事件应为{}发送的：{}", source.zh(), names()),
            format!(
                "the event must be one that {} sends: {}",
                source.en(),
                events
                    .iter()
                    .map(|e| e.code())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// The date of the event: optional, `YYYY-MM-DD`, not after `today` (it
/// has happened).
fn date_of(cell: &str, today: NaiveDate) -> Result<Option<NaiveDate>, RowError> {
    if cell.trim().is_empty() {
        return Ok(None);
    }
    match NaiveDate::parse_from_str(cell.trim(), "%Y-%m-%d") {
        Ok(d) if d <= today => Ok(Some(d)),
        Ok(_) => Err(err(
            "date",
            cell,
            "date_in_future",
            "日期不能晚于今天".into(),
            "the date cannot lie after today".into(),
        )),
        Err(_) => Err(err(
            "date",
            cell,
            "bad_date",
            "日期格式应为 YYYY-MM-DD".into(),
            "a date is written YYYY-MM-DD".into(),
        )),
    }
}

/// Reads one row of a file of `source`. The first problem is the row's
/// reason (a row is either read or listed as invalid).
pub fn parse_row(
    source: AlertSource,
    raw: &RawAlert,
    excel: bool,
    today: NaiveDate,
) -> Result<AlertRow, RowError> {
    if let Some((field, v)) = [
        ("id_number", raw.id_number),
        ("event", raw.event),
        ("date", raw.date),
        ("amount", raw.amount),
        ("area_code", raw.area_code),
    ]
    .into_iter()
    .find(|(_, v)| v.chars().count() > MAX_ALERT_CELL)
    {
        return Err(err(
            field,
            v,
            "cell_too_long",
            format!("内容过长（最多 {MAX_ALERT_CELL} 个字符）"),
            format!("the cell is too long (at most {MAX_ALERT_CELL} characters)"),
        ));
    }
    let id_number = IdNumber::parse(raw.id_number)
        .map_err(|m| Box::new(FieldError::new("id_number", mask_raw(raw.id_number), m)))?;
    let event = event_of(source, raw.event)?;
    let date = date_of(raw.date, today)?;
    let amount_fen = match raw.amount.trim() {
        "" => None,
        a => Some(
            parse_yuan(a, excel)
                .map_err(|m| {
                    FieldError::new(
                        "amount",
                        a.chars().take(MAX_ALERT_CELL).collect::<String>(),
                        m,
                    )
                })?
                .get(),
        ),
    };
    let area_code = Some(raw.area_code.trim().to_string()).filter(|a| !a.is_empty());
    if let Some(a) = &area_code
        && !(a.len() == 6 && a.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(err(
            "area_code",
            a,
            "bad_area_code",
            "区划代码应为 6 位县级代码".into(),
            "the area code is the county's six digits".into(),
        ));
    }
    Ok(AlertRow {
        id_number,
        event,
        date,
        amount_fen,
        area_code,
    })
}

/// Why a row is listed as another county's: the file's area code names
/// another county, or the number is registered in another county. The
/// message names neither the county nor the household.
pub fn other_county_msg(by_area_code: bool) -> Msg {
    if by_area_code {
        Msg::new(
            "area_code_elsewhere",
            "该行的区划代码不是本县，未处理；请转交相应县",
            "the row's area code is not this county's: not processed, pass it to that county",
        )
    } else {
        Msg::new(
            "registered_elsewhere",
            "该人员登记在其他县，未处理；请联系扶贫办转交",
            "this person is registered in another county: not processed, the office passes it on",
        )
    }
}

/// The message of an unmatched row.
pub fn unmatched_msg() -> Msg {
    Msg::new(
        "not_in_registry",
        "建档立卡信息中没有该证件号码，请核实",
        "no registry member has this ID number: check it",
    )
}

/// An imported alert file with its counts (refused: invalid rows and rows
/// of another county).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AlertFile {
    pub id: i64,
    pub county_code: String,
    pub county_name: String,
    pub source: AlertSource,
    pub file_name: String,
    pub rows_read: i64,
    pub matched: i64,
    pub unmatched: i64,
    pub refused: i64,
    pub imported_by: Option<String>,
    /// UTC seconds.
    pub imported_at: i64,
}

/// One row of an alert file as stored: the masked number only, no name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AlertRowRecord {
    pub id: i64,
    pub row_no: i64,
    pub id_masked: String,
    /// The event code as read ("" when the row was invalid before it).
    pub event: String,
    pub event_date: Option<NaiveDate>,
    pub amount_fen: Option<i64>,
    pub outcome: AlertOutcome,
    /// A stable code: why the row is invalid, unmatched or another county's.
    pub reason: Option<String>,
    pub matched_year: Option<i32>,
    pub matched_household: Option<String>,
    /// The monitoring case the row flagged.
    pub monitored_id: Option<i64>,
    /// The correction task the row opened.
    pub correction_id: Option<i64>,
}

/// A correction the county makes in the registry after a department's
/// report (a death, a move out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CorrectionTask {
    pub id: i64,
    pub county_code: String,
    pub county_name: String,
    pub household_id: String,
    pub year: i32,
    pub alert_row_id: i64,
    pub file_id: i64,
    pub id_masked: String,
    pub source: AlertSource,
    pub task: AlertEvent,
    pub status: CorrectionStatus,
    pub note: Option<String>,
    pub done_by: Option<String>,
    pub done_at: Option<i64>,
    pub created_at: i64,
}

/// Which alert files a list shows.
#[derive(Debug, Clone, Default)]
pub struct AlertFileFilter {
    pub county_code: Option<String>,
    pub source: Option<AlertSource>,
    /// Part of the file name.
    pub q: Option<String>,
}

/// Which correction tasks a list shows.
#[derive(Debug, Clone, Default)]
pub struct CorrectionFilter {
    pub county_code: Option<String>,
    pub status: Option<CorrectionStatus>,
    /// Part of the household number.
    pub q: Option<String>,
}

/// A closing note is at most this long.
pub const MAX_NOTE: usize = 500;

/// The message of a stored reason code, in both languages.
pub fn reason_msg(code: &str) -> Msg {
    let (zh, en) = match code {
        "not_in_registry" => return unmatched_msg(),
        "area_code_elsewhere" => return other_county_msg(true),
        "registered_elsewhere" => return other_county_msg(false),
        "id_length" | "id_chars" => (
            "证件号码位数或字符不正确",
            "the ID number has the wrong length or characters",
        ),
        "id_check_digit" => (
            "证件号码校验码不正确（号码中有错误）",
            "the check digit does not match the other 17 digits",
        ),
        "id_birth_date" => (
            "证件号码中的出生日期不是有效日期",
            "the birth date inside the ID number is not a real date",
        ),
        "unknown_event" => (
            "事件不是该部门发送的事件",
            "the event is not one this department sends",
        ),
        "bad_date" => ("日期格式应为 YYYY-MM-DD", "a date is written YYYY-MM-DD"),
        "date_in_future" => ("日期不能晚于今天", "the date cannot lie after today"),
        "bad_area_code" => (
            "区划代码应为 6 位县级代码",
            "the area code is the county's six digits",
        ),
        "cell_too_long" => ("内容过长", "a cell is too long"),
        "duplicate_in_file" => (
            "同一文件中该证件号码和事件已出现过",
            "the same ID number and event appear earlier in the file",
        ),
        _ => (
            "金额或其他内容有误",
            "the amount or another cell is invalid",
        ),
    };
    Msg::new(code, zh, en)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2016, 6, 30).unwrap()
    }

    #[test]
    fn events_become_risks_or_corrections() {
        use PovertyStatus::*;
        let c = consequence(AlertEvent::Death, None, Exited);
        assert_eq!(c, Consequence::Correct);
        assert_eq!(
            consequence(AlertEvent::MovedOut, None, Poor),
            Consequence::Correct
        );
        let flag = |risk, kind| Consequence::Flag { risk, kind };
        assert_eq!(
            consequence(AlertEvent::Dropout, None, Exited),
            flag(Risk::Schooling, MonitoredKind::Unstable)
        );
        assert_eq!(
            consequence(AlertEvent::DibaoChange, None, Poor),
            flag(Risk::LowIncome, MonitoredKind::Marginal)
        );
        // The edge of sudden hardship: at the amount, not one fen below.
        let below = consequence(
            AlertEvent::HighMedicalCost,
            Some(SUDDEN_AMOUNT_FEN - 1),
            Exited,
        );
        assert_eq!(below, flag(Risk::Illness, MonitoredKind::Unstable));
        let at = consequence(AlertEvent::DisasterLoss, Some(SUDDEN_AMOUNT_FEN), Poor);
        assert_eq!(at, flag(Risk::Disaster, MonitoredKind::Sudden));
        // A large amount of a dropout means nothing.
        let dropout = consequence(AlertEvent::Dropout, Some(SUDDEN_AMOUNT_FEN), Poor);
        assert_eq!(dropout, flag(Risk::Schooling, MonitoredKind::Marginal));
    }

    #[test]
    fn rows_are_read_with_their_first_problem() {
        let raw = RawAlert {
            id_number: "11010519491231002x",
            event: "",
            date: "2016-05-01",
            amount: "25000.5",
            ..Default::default()
        };
        let r = parse_row(AlertSource::Medical, &raw, false, day()).unwrap();
        assert_eq!(r.id_number.as_str(), "11010519491231002X");
        assert_eq!(r.event, AlertEvent::HighMedicalCost);
        assert_eq!(r.amount_fen, Some(2_500_050));
        let bad = RawAlert {
            id_number: "110105194912310021",
            ..raw
        };
        let e = parse_row(AlertSource::Medical, &bad, false, day()).unwrap_err();
        assert_eq!(e.msg.code, "id_check_digit");
        assert_eq!(e.value, "110105********0021");
        // Public security sends two events: the cell is required.
        let e = parse_row(AlertSource::PublicSecurity, &raw, false, day()).unwrap_err();
        assert_eq!(e.msg.code, "unknown_event");
        let death = RawAlert {
            event: "死亡",
            ..raw
        };
        let r = parse_row(AlertSource::PublicSecurity, &death, false, day()).unwrap();
        assert_eq!(r.event, AlertEvent::Death);
        let other = RawAlert {
            event: "dropout",
            ..raw
        };
        assert!(parse_row(AlertSource::Medical, &other, false, day()).is_err());
        let future = RawAlert {
            date: "2016-07-01",
            ..raw
        };
        let e = parse_row(AlertSource::Medical, &future, false, day()).unwrap_err();
        assert_eq!(e.msg.code, "date_in_future");
        let area = RawAlert {
            area_code: "62302",
            ..raw
        };
        assert_eq!(
            parse_row(AlertSource::Medical, &area, false, day())
                .unwrap_err()
                .msg
                .code,
            "bad_area_code"
        );
    }

    #[test]
    fn masks_never_show_the_middle() {
        assert_eq!(mask_raw("62302319800101123"), "623023********1123");
        assert_eq!(mask_raw("12345"), "*****");
    }
}

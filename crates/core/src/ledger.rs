//! The funds ledger (帮扶资金台账): append-only entries in fen, and the one
//! rule that says which entries may be posted and what the balances are.
//!
//! # Levels and balances
//!
//! Money is held per pairing (unit, county) and source (direct, introduced,
//! other), at one of two levels: the pairing's **pool** (`project` None:
//! money not earmarked) or a **project** (money earmarked for it). Each
//! level has four sums over its entries, a reversal counting as minus the
//! entry it undoes:
//!
//! - `received`: receipts at that level; a reallocation adds its amount to
//!   the project it moves to and subtracts it from the project it leaves;
//! - `committed`, `disbursed`, `spent`: commitments, disbursements and
//!   expenditures of the project (always 0 in the pool).
//!
//! A project's commitments are covered first by its own earmark (its
//! `received`) and for the rest by the pool: the pool gives the project
//! `drawn = max(0, committed − received)`. Then, per level:
//!
//! - pool: `available = received − Σ drawn` over the projects of the pairing
//!   and source (what came in minus what the projects took out);
//! - project: `available = received + drawn − spent = max(received,
//!   committed) − spent` (what came in, by earmark or from the pool, minus
//!   what was spent): money held for the project and not yet spent.
//!
//! So the items add up: Σ received over the items is the receipts, Σ
//! committed the commitments, …, and Σ available = Σ received − Σ spent.
//!
//! A state is **sound** when, at every level, `received ≥ 0`,
//! `committed ≥ disbursed ≥ spent ≥ 0`, and the pool's `available ≥ 0`.
//! [`check`] accepts an entry exactly when the state after it is sound (the
//! state before it is, by induction), so a disbursement never exceeds what
//! is committed and not yet disbursed, an expenditure never exceeds what is
//! disbursed and not yet spent, a commitment never exceeds the project's
//! uncommitted earmark plus the pool's available money, a reallocation
//! (the office's) moves only a project's earmark not yet committed to
//! another project of the same pairing and source (to move money already
//! committed, its commitment is reversed first), and a reversal undoing an
//! entry is refused when the money has moved on (a receipt already
//! committed, a commitment already disbursed). An entry is reversed at most
//! once, and a reversal is never itself reversed.

use crate::error::optional_text;
use crate::{Fen, FieldError, Msg};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The kind of an entry (收入 / 承诺 / 拨付 / 支出 / 调剂 / 冲销).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Receipt,
    Commitment,
    Disbursement,
    Expenditure,
    Reallocation,
    Reversal,
}

impl EntryKind {
    pub const ALL: [EntryKind; 6] = [
        EntryKind::Receipt,
        EntryKind::Commitment,
        EntryKind::Disbursement,
        EntryKind::Expenditure,
        EntryKind::Reallocation,
        EntryKind::Reversal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Receipt => "receipt",
            EntryKind::Commitment => "commitment",
            EntryKind::Disbursement => "disbursement",
            EntryKind::Expenditure => "expenditure",
            EntryKind::Reallocation => "reallocation",
            EntryKind::Reversal => "reversal",
        }
    }

    pub fn parse(s: &str) -> Option<EntryKind> {
        EntryKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            EntryKind::Receipt => "收入",
            EntryKind::Commitment => "承诺",
            EntryKind::Disbursement => "拨付",
            EntryKind::Expenditure => "支出",
            EntryKind::Reallocation => "调剂",
            EntryKind::Reversal => "冲销",
        }
    }

    /// The IATI 2.03 transaction type of the kind, where it has one
    /// (1 incoming funds, 2 outgoing commitment, 3 disbursement, 4
    /// expenditure).
    pub fn iati_code(self) -> Option<u8> {
        match self {
            EntryKind::Receipt => Some(1),
            EntryKind::Commitment => Some(2),
            EntryKind::Disbursement => Some(3),
            EntryKind::Expenditure => Some(4),
            EntryKind::Reallocation | EntryKind::Reversal => None,
        }
    }
}

/// Where the money comes from: the unit's own (直接投入), brought in from a
/// donor (引进), or otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FundSource {
    Direct,
    Introduced,
    Other,
}

impl FundSource {
    pub const ALL: [FundSource; 3] = [
        FundSource::Direct,
        FundSource::Introduced,
        FundSource::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FundSource::Direct => "direct",
            FundSource::Introduced => "introduced",
            FundSource::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<FundSource> {
        FundSource::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            FundSource::Direct => "直接投入",
            FundSource::Introduced => "引进资金",
            FundSource::Other => "其他",
        }
    }
}

/// What of an entry moves money: all [`check`] and [`balances`] read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posting {
    /// 0 for an entry not yet stored.
    pub id: i64,
    pub kind: EntryKind,
    pub unit_id: i64,
    pub county_code: String,
    pub source: FundSource,
    /// The earmark; for a reallocation the project the money leaves.
    pub project_id: Option<i64>,
    /// A reallocation's new earmark.
    pub to_project_id: Option<i64>,
    pub amount_fen: i64,
    /// The entry a reversal undoes.
    pub reverses: Option<i64>,
}

/// A stored entry as lists, pages and the API show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LedgerEntry {
    pub id: i64,
    pub kind: EntryKind,
    pub unit_id: i64,
    pub unit_name: String,
    pub county_code: String,
    pub county_name: String,
    pub source: FundSource,
    pub donor: Option<String>,
    pub project_id: Option<i64>,
    pub project_name: Option<String>,
    pub to_project_id: Option<i64>,
    pub amount_fen: i64,
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    pub document_no: Option<String>,
    pub note: Option<String>,
    pub reverses: Option<i64>,
    /// The reversal that undid this entry, if any.
    pub reversed_by: Option<i64>,
    /// Who posted it, and when (UTC seconds).
    pub username: String,
    pub at: i64,
}

impl LedgerEntry {
    /// What of the entry moves money.
    pub fn posting(&self) -> Posting {
        Posting {
            id: self.id,
            kind: self.kind,
            unit_id: self.unit_id,
            county_code: self.county_code.clone(),
            source: self.source,
            project_id: self.project_id,
            to_project_id: self.to_project_id,
            amount_fen: self.amount_fen,
            reverses: self.reverses,
        }
    }
}

/// What the ledger's lists are filtered by; every part optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LedgerFilter {
    pub unit_id: Option<i64>,
    pub county_code: Option<String>,
    pub project_id: Option<i64>,
    pub kind: Option<EntryKind>,
    pub source: Option<FundSource>,
    /// Entries dated in this year.
    pub year: Option<i32>,
    /// Text in the document number, note or donor.
    pub q: Option<String>,
}

/// One level's balance; see the module documentation for each figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Balance {
    pub unit_id: i64,
    pub county_code: String,
    pub source: FundSource,
    /// None for the pairing's pool (money not earmarked).
    pub project_id: Option<i64>,
    pub received_fen: i64,
    pub committed_fen: i64,
    pub disbursed_fen: i64,
    pub spent_fen: i64,
    pub available_fen: i64,
}

/// The four sums of one level, before `available` is worked out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sums {
    pub received: i64,
    pub committed: i64,
    pub disbursed: i64,
    pub spent: i64,
}

impl Sums {
    /// What the pool gives the project beyond its own earmark.
    fn drawn(&self) -> i64 {
        (self.committed - self.received).max(0)
    }

    fn sound(&self) -> bool {
        self.received >= 0
            && self.committed >= self.disbursed
            && self.disbursed >= self.spent
            && self.spent >= 0
    }

    /// Adds one posting's effect at this level (`sign` −1 undoes it).
    fn add(&mut self, kind: EntryKind, amount: i64, sign: i64) {
        let a = amount * sign;
        match kind {
            EntryKind::Receipt | EntryKind::Reallocation => self.received += a,
            EntryKind::Commitment => self.committed += a,
            EntryKind::Disbursement => self.disbursed += a,
            EntryKind::Expenditure => self.spent += a,
            EntryKind::Reversal => {}
        }
    }
}

/// A level's key: (unit, county, source, project).
pub type Level = (i64, String, FundSource, Option<i64>);

/// Adds `p`'s effect (`sign` −1 undoes it) to the levels; `kind` is the
/// kind that acts (the reversed entry's for a reversal).
fn apply(levels: &mut BTreeMap<Level, Sums>, p: &Posting, kind: EntryKind, sign: i64) {
    let key = |project| (p.unit_id, p.county_code.clone(), p.source, project);
    let from_sign = if kind == EntryKind::Reallocation {
        -sign
    } else {
        sign
    };
    levels
        .entry(key(p.project_id))
        .or_default()
        .add(kind, p.amount_fen, from_sign);
    if kind == EntryKind::Reallocation {
        levels
            .entry(key(p.to_project_id))
            .or_default()
            .add(kind, p.amount_fen, sign);
    }
}

/// The sums of every level the postings touch.
pub fn sums(postings: &[Posting]) -> BTreeMap<Level, Sums> {
    let kinds: HashMap<i64, EntryKind> = postings.iter().map(|p| (p.id, p.kind)).collect();
    let mut levels = BTreeMap::new();
    for p in postings {
        match p.kind {
            EntryKind::Reversal => {
                if let Some(kind) = p.reverses.and_then(|r| kinds.get(&r)) {
                    apply(&mut levels, p, *kind, -1);
                }
            }
            kind => apply(&mut levels, p, kind, 1),
        }
    }
    levels
}

/// Per pairing and source, the pool's `available`: its receipts minus
/// what the projects draw from it (a pairing without pool money has a pool
/// of 0, so a project drawing from it shows as a negative pool).
fn pools(levels: &BTreeMap<Level, Sums>) -> HashMap<(i64, &str, FundSource), i64> {
    let mut pool: HashMap<(i64, &str, FundSource), i64> = HashMap::new();
    for ((unit, county, source, project), s) in levels {
        let p = pool.entry((*unit, county.as_str(), *source)).or_default();
        *p += match project {
            None => s.received,
            Some(_) => -s.drawn(),
        };
    }
    pool
}

/// The balances of the levels, in key order, `available` worked out per
/// pairing and source as the module documentation says.
pub fn balances_of(levels: &BTreeMap<Level, Sums>) -> Vec<Balance> {
    let pool = pools(levels);
    levels
        .iter()
        .map(|((unit, county, source, project), s)| Balance {
            unit_id: *unit,
            county_code: county.clone(),
            source: *source,
            project_id: *project,
            received_fen: s.received,
            committed_fen: s.committed,
            disbursed_fen: s.disbursed,
            spent_fen: s.spent,
            available_fen: match project {
                None => pool[&(*unit, county.as_str(), *source)],
                Some(_) => s.received.max(s.committed) - s.spent,
            },
        })
        .collect()
}

/// The balances of the postings: [`sums`] then [`balances_of`].
pub fn balances(postings: &[Posting]) -> Vec<Balance> {
    balances_of(&sums(postings))
}

/// Whether every level is sound (see the module documentation).
fn sound(levels: &BTreeMap<Level, Sums>) -> bool {
    levels.values().all(Sums::sound) && pools(levels).values().all(|p| *p >= 0)
}

/// Why an entry is refused, in both languages.
pub type Refusal = Msg;

fn refusal(code: &str, zh: impl Into<String>, en: impl Into<String>) -> Refusal {
    Msg::new(code, zh, en)
}

/// Checks `new` against the entries already posted for its pairing (any
/// more are ignored): accepted exactly when the state after it is sound.
pub fn check(posted: &[Posting], new: &Posting) -> Result<(), Refusal> {
    let mine: Vec<Posting> = posted
        .iter()
        .filter(|p| p.unit_id == new.unit_id && p.county_code == new.county_code)
        .cloned()
        .collect();
    if new.kind != EntryKind::Receipt && new.kind != EntryKind::Reversal && new.project_id.is_none()
    {
        return Err(refusal(
            "project_required",
            "除收入外，分录须指明项目",
            "every entry but a receipt names its project",
        ));
    }
    let mut levels = sums(&mine);
    let kind = match new.kind {
        EntryKind::Reversal => reversed_kind(&mine, new)?,
        kind => kind,
    };
    if kind == EntryKind::Reallocation && new.project_id == new.to_project_id {
        return Err(refusal(
            "same_project",
            "调剂须调往另一个项目",
            "a reallocation must move the earmark to another project",
        ));
    }
    let sign = if new.kind == EntryKind::Reversal {
        -1
    } else {
        1
    };
    apply(&mut levels, new, kind, sign);
    if sound(&levels) {
        return Ok(());
    }
    Err(why_refused(&mine, new, kind))
}

/// The kind of the entry a reversal undoes, if it may be undone.
fn reversed_kind(mine: &[Posting], new: &Posting) -> Result<EntryKind, Refusal> {
    let target = new.reverses.and_then(|r| mine.iter().find(|p| p.id == r));
    let Some(target) = target else {
        return Err(refusal(
            "no_such_entry",
            "要冲销的分录不存在",
            "the entry to reverse does not exist",
        ));
    };
    if target.kind == EntryKind::Reversal {
        return Err(refusal(
            "reversal_of_reversal",
            "冲销分录不能再被冲销",
            "a reversal cannot itself be reversed",
        ));
    }
    if mine.iter().any(|p| p.reverses == Some(target.id)) {
        return Err(refusal(
            "already_reversed",
            format!("分录 {} 已被冲销过", target.id),
            format!("entry {} has already been reversed", target.id),
        ));
    }
    let same = target.source == new.source
        && target.project_id == new.project_id
        && target.to_project_id == new.to_project_id
        && target.amount_fen == new.amount_fen;
    if !same {
        return Err(refusal(
            "reversal_mismatch",
            "冲销须与原分录的来源、项目和金额一致",
            "a reversal must match the source, project and amount of the entry it undoes",
        ));
    }
    Ok(target.kind)
}

/// The reason for an entry that would leave the state unsound: the money
/// is there but earmarked for another project, or it is not there.
fn why_refused(mine: &[Posting], new: &Posting, kind: EntryKind) -> Refusal {
    if new.kind == EntryKind::Reversal {
        return refusal(
            "reversal_negative",
            "冲销后余额将为负数：这笔资金已被后续分录使用，请先冲销后续分录",
            "the reversal would make a balance negative: the money has moved on; reverse the later entries first",
        );
    }
    let elsewhere = balances(mine).into_iter().any(|b| {
        b.source == new.source
            && b.project_id.is_some()
            && b.project_id != new.project_id
            && held_for(&b, kind) >= new.amount_fen
    });
    if elsewhere && kind != EntryKind::Reallocation {
        return refusal(
            "other_earmark",
            "资金专款专用：可用的资金指定用于其他项目，不能用于本项目",
            "the money available is earmarked for another project and cannot be used for this one",
        );
    }
    let stage = match kind {
        EntryKind::Commitment => ("尚未承诺的资金", "money not yet committed"),
        EntryKind::Disbursement => (
            "已承诺未拨付的资金",
            "money committed and not yet disbursed",
        ),
        EntryKind::Expenditure => ("已拨付未支出的资金", "money disbursed and not yet spent"),
        _ => (
            "该项目尚未承诺的专项资金",
            "the project's earmark not yet committed",
        ),
    };
    refusal(
        "overdraw",
        format!("金额超过{}（来源：{}）", stage.0, new.source.zh()),
        format!(
            "the amount exceeds the {} ({} funds)",
            stage.1,
            new.source.as_str()
        ),
    )
}

/// What another project holds at the stage `kind` draws from.
fn held_for(b: &Balance, kind: EntryKind) -> i64 {
    match kind {
        EntryKind::Commitment => (b.received_fen - b.committed_fen).max(0),
        EntryKind::Disbursement => b.committed_fen - b.disbursed_fen,
        EntryKind::Expenditure => b.disbursed_fen - b.spent_fen,
        _ => 0,
    }
}

/// Ids reversed by the postings.
pub fn reversed_ids(postings: &[Posting]) -> HashSet<i64> {
    postings.iter().filter_map(|p| p.reverses).collect()
}

/// The most fen one entry may carry (a thousand billion yuan): sums of
/// many entries stay far inside an `i64`.
pub const MAX_AMOUNT_FEN: i64 = 100_000_000_000_000;

/// An amount as JSON may send it: a whole number, a number with a
/// fraction (refused), or text (refused: the API takes numbers).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AmountValue {
    Whole(i64),
    Fraction(f64),
    Text(String),
}

/// An entry as a form or the API sends it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct LedgerEntryInput {
    /// receipt, commitment, disbursement, expenditure, reallocation or reversal.
    pub kind: String,
    pub unit_id: Option<i64>,
    pub county_code: String,
    /// direct, introduced or other.
    pub source: String,
    /// The giver of introduced money.
    pub donor: String,
    pub project_id: Option<i64>,
    /// A reallocation's new project.
    pub to_project_id: Option<i64>,
    /// A positive whole number of fen.
    #[schema(value_type = Option<i64>)]
    pub amount_fen: Option<AmountValue>,
    /// The amount in yuan as text (forms): at most two decimals, exact.
    pub amount_yuan: String,
    /// YYYY-MM-DD, not in the future.
    pub date: String,
    pub document_no: String,
    pub note: String,
    /// The entry a reversal undoes.
    pub reverses: Option<i64>,
}

/// An entry checked field by field, ready for [`check`] against the stored
/// state. A reversal takes its unit, county, source, project and amount
/// from the entry it undoes ([`NewEntry::reversing`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    pub posting: Posting,
    pub donor: Option<String>,
    pub date: NaiveDate,
    pub document_no: Option<String>,
    pub note: Option<String>,
}

/// The longest document number and note.
pub const DOCUMENT_NO_MAX: usize = 64;
pub const NOTE_MAX: usize = 500;
const DONOR_MAX: usize = 100;

fn field_error(
    field: &str,
    value: impl Into<String>,
    code: &str,
    zh: &str,
    en: &str,
) -> FieldError {
    FieldError::new(field, value, Msg::new(code, zh, en))
}

impl LedgerEntryInput {
    /// Checks every field (`today` is the day in China), reporting every
    /// problem at once.
    pub fn parse(&self, today: NaiveDate) -> Result<NewEntry, Vec<FieldError>> {
        let mut e = Vec::new();
        let kind = EntryKind::parse(self.kind.trim());
        if kind.is_none() {
            e.push(field_error(
                "kind",
                self.kind.trim(),
                "bad_kind",
                "分录类型应为 receipt、commitment、disbursement、expenditure、reallocation 或 reversal",
                "must be receipt, commitment, disbursement, expenditure, reallocation or reversal",
            ));
        }
        let date = self.date_field(today, &mut e);
        let document_no = optional_text("document_no", &self.document_no, DOCUMENT_NO_MAX, &mut e);
        let note = optional_text("note", &self.note, NOTE_MAX, &mut e);
        if kind == Some(EntryKind::Reversal) {
            return self.parse_reversal(e, date, document_no, note);
        }
        let source = FundSource::parse(self.source.trim());
        if source.is_none() {
            e.push(field_error(
                "source",
                self.source.trim(),
                "bad_source",
                "资金来源应为 direct（直接投入）、introduced（引进）或 other（其他）",
                "must be direct, introduced or other",
            ));
        }
        let donor = optional_text("donor", &self.donor, DONOR_MAX, &mut e);
        if source == Some(FundSource::Introduced)
            && kind == Some(EntryKind::Receipt)
            && donor.is_none()
        {
            e.push(field_error(
                "donor",
                "",
                "donor_required",
                "引进资金的收入须填写捐赠方",
                "a receipt of introduced funds needs its donor",
            ));
        }
        let amount = self.amount(&mut e);
        let (unit_id, county_code) = self.pairing(&mut e);
        if let Some(k) = kind {
            self.projects_for(k, &mut e);
        }
        match (kind, source, date, amount) {
            (Some(kind), Some(source), Some(date), Some(amount_fen)) if e.is_empty() => {
                Ok(NewEntry {
                    posting: Posting {
                        id: 0,
                        kind,
                        unit_id,
                        county_code,
                        source,
                        project_id: self.project_id,
                        to_project_id: self
                            .to_project_id
                            .filter(|_| kind == EntryKind::Reallocation),
                        amount_fen,
                        reverses: None,
                    },
                    donor,
                    date,
                    document_no,
                    note,
                })
            }
            _ => Err(e),
        }
    }

    /// A reversal: the entry it undoes, the date and the reason (the note).
    fn parse_reversal(
        &self,
        mut e: Vec<FieldError>,
        date: Option<NaiveDate>,
        document_no: Option<String>,
        note: Option<String>,
    ) -> Result<NewEntry, Vec<FieldError>> {
        if self.reverses.is_none() {
            e.push(FieldError::required("reverses"));
        }
        if note.is_none() && !e.iter().any(|x| x.field == "note") {
            e.push(field_error(
                "note",
                "",
                "reason_required",
                "冲销须说明原因",
                "a reversal needs its reason in the note",
            ));
        }
        match (date, self.reverses) {
            (Some(date), Some(r)) if e.is_empty() => Ok(NewEntry {
                posting: Posting {
                    id: 0,
                    kind: EntryKind::Reversal,
                    unit_id: 0,
                    county_code: String::new(),
                    source: FundSource::Direct,
                    project_id: None,
                    to_project_id: None,
                    amount_fen: 0,
                    reverses: Some(r),
                },
                donor: None,
                date,
                document_no,
                note,
            }),
            _ => Err(e),
        }
    }

    /// The entry date: a real date, not before 2000, not after today.
    fn date_field(&self, today: NaiveDate, e: &mut Vec<FieldError>) -> Option<NaiveDate> {
        let d = crate::plan_input::date_field("date", &self.date, e)?;
        if d > today {
            e.push(field_error(
                "date",
                self.date.trim(),
                "future_date",
                "日期不能晚于今天",
                "the date cannot be in the future",
            ));
            return None;
        }
        Some(d)
    }

    /// The amount in fen: `amount_fen` (JSON) or `amount_yuan` (forms).
    fn amount(&self, e: &mut Vec<FieldError>) -> Option<i64> {
        let bad = |field: &str, value: String, e: &mut Vec<FieldError>| {
            e.push(field_error(
                field,
                value,
                "bad_amount",
                "金额应为正整数（分），不能为零、负数或带小数的分",
                "the amount must be a positive whole number of fen: not zero, negative or a fraction of a fen",
            ));
            None
        };
        let fen = match (&self.amount_fen, self.amount_yuan.trim()) {
            (Some(AmountValue::Whole(n)), _) => *n,
            (Some(AmountValue::Fraction(x)), _) => return bad("amount_fen", x.to_string(), e),
            (Some(AmountValue::Text(t)), _) => return bad("amount_fen", t.clone(), e),
            (None, "") => {
                e.push(FieldError::required("amount_fen"));
                return None;
            }
            (None, yuan) => match crate::registry::parse_yuan(yuan, false) {
                Ok(f) => f.get(),
                Err(_) => return bad("amount_yuan", yuan.to_string(), e),
            },
        };
        if fen <= 0 || fen > MAX_AMOUNT_FEN {
            let field = if self.amount_fen.is_some() {
                "amount_fen"
            } else {
                "amount_yuan"
            };
            return bad(field, Fen::new(fen).to_string(), e);
        }
        Some(fen)
    }

    /// The pairing: a unit and a county code.
    fn pairing(&self, e: &mut Vec<FieldError>) -> (i64, String) {
        let county = self.county_code.trim();
        if self.unit_id.is_none() {
            e.push(FieldError::required("unit_id"));
        }
        if county.is_empty() {
            e.push(FieldError::required("county_code"));
        } else if crate::area::CountyCode::parse(county).is_none() {
            e.push(field_error(
                "county_code",
                county,
                "bad_county",
                "县级区划代码应为 6 位数字",
                "must be a 6-digit county code",
            ));
        }
        (self.unit_id.unwrap_or(0), county.to_string())
    }

    /// The projects each kind needs.
    fn projects_for(&self, kind: EntryKind, e: &mut Vec<FieldError>) {
        let needs_project = !matches!(kind, EntryKind::Receipt);
        if needs_project && self.project_id.is_none() {
            e.push(FieldError::required("project_id"));
        }
        if kind == EntryKind::Reallocation {
            if self.to_project_id.is_none() {
                e.push(FieldError::required("to_project_id"));
            } else if self.to_project_id == self.project_id {
                e.push(field_error(
                    "to_project_id",
                    self.to_project_id
                        .map(|p| p.to_string())
                        .unwrap_or_default(),
                    "same_project",
                    "调剂须调往另一个项目",
                    "a reallocation must move the earmark to another project",
                ));
            }
        }
    }
}

impl NewEntry {
    /// A parsed reversal completed from the entry it undoes: the same
    /// pairing, source, project(s) and amount.
    pub fn reversing(mut self, original: &Posting) -> NewEntry {
        let p = &mut self.posting;
        p.unit_id = original.unit_id;
        p.county_code = original.county_code.clone();
        p.source = original.source;
        p.project_id = original.project_id;
        p.to_project_id = original.to_project_id;
        p.amount_fen = original.amount_fen;
        self
    }
}

#[cfg(test)]
#[path = "ledger_tests.rs"]
mod tests;

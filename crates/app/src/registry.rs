//! The registry (建档立卡): importing registry and statistics files with
//! every rule of the interchange contract, browsing households, the
//! household timeline, search by ID number, export, the poverty lines.
//!
//! ID numbers and names are sealed (SM4-GCM) and indexed (HMAC-SM3)
//! before they reach the store; they are opened only for display, masked
//! for every role not entitled to see them in full.

use crate::error::{AppError, Result};
use crate::identity::{self, IdentityChanges};
use crate::jobs::Progress;
use crate::keys::Keys;
use crate::parallel::par_map;
use crate::tabular::{self, Cell, Column, ColumnMap, Encoding, Table};
use crate::{Actor, App, audit};
use dingdian_core::crypto::PersonalDataKey;
use dingdian_core::registry::{
    self as rules, Cause, IdNumber, PovertyStatus, RawRow, RegistryRow, Relation,
};
use dingdian_core::role::Action;
use dingdian_core::{FieldError, Msg, time};
use dingdian_store::registry::{
    self as reg, HouseholdFilter, HouseholdRow, MemberRow, StatisticsRow,
};
use dingdian_store::{Page, areas};
use rand::RngCore;
use serde::Serialize;
// foldhash rather than SipHash: an import hashes every row several times.
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::collections::BTreeSet;

const fn col(en: &'static str, zh: &'static str, required: bool) -> Column {
    Column { en, zh, required }
}

/// The registry file's columns (registry-format.md): the contract's eleven,
/// then the optional extended columns (`rules::EXTENDED_COLUMNS`).
pub const REGISTRY_COLUMNS: &[Column] = &[
    col("year", "年度", true),
    col("village_code", "村级区划代码", true),
    col("household_id", "户编号", true),
    col("id_number", "证件号码", true),
    col("name", "姓名", true),
    col("relation", "与户主关系", true),
    col("income_per_capita", "人均纯收入", true),
    col("status", "脱贫状态", true),
    col("identified_year", "识别年度", true),
    col("exit_year", "脱贫年度", true),
    col("cause", "主要致贫原因", true),
    col("household_type", "户类型", false),
    col("other_causes", "其他致贫原因", false),
    col("wage_income", "工资性收入", false),
    col("business_income", "生产经营性收入", false),
    col("property_income", "财产性收入", false),
    col("transfer_income", "转移性收入", false),
    col("food_secure", "不愁吃", false),
    col("clothing_secure", "不愁穿", false),
    col("education_secure", "义务教育有保障", false),
    col("medical_secure", "基本医疗有保障", false),
    col("housing_secure", "住房安全有保障", false),
    col("water_secure", "饮水安全有保障", false),
    col("health", "健康状况", false),
    col("education", "文化程度", false),
    col("labour_skill", "劳动技能", false),
    col("migrant_work", "务工状况", false),
];

/// The contract's eleven registry columns (what every file has).
pub const CONTRACT_COLUMNS: &[Column] = REGISTRY_COLUMNS.split_at(11).0;

/// The area statistics file's columns.
pub const STATISTICS_COLUMNS: &[Column] = &[
    Column {
        en: "year",
        zh: "年度",
        required: true,
    },
    Column {
        en: "area_code",
        zh: "区划代码",
        required: true,
    },
    Column {
        en: "rural_population",
        zh: "农村人口",
        required: true,
    },
    Column {
        en: "rural_income_per_capita",
        zh: "农民人均纯收入",
        required: true,
    },
];

pub(crate) const AAD_ID: &[u8] = b"member.id_number";
pub(crate) const AAD_NAME: &[u8] = b"member.name";
const INDEX_DOMAIN: &str = "id_number";

#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    pub skip_invalid: bool,
    pub encoding: Option<Encoding>,
    pub dry_run: bool,
    pub ignore_unknown_columns: bool,
}

/// The rows an import rejected, unchanged, with an added error column.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Rejects {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Rejects {
    /// The rejects file as the CLI writes it beside a CSV input and the
    /// web page offers it: UTF-8 CSV with a BOM (so that Excel reads the
    /// Chinese), the input's columns unchanged and the error column (`错误`
    /// or `error`, in the importing user's language) last.
    pub fn csv(&self) -> Result<Vec<u8>> {
        let t = Table {
            headers: self.headers.clone(),
            rows: self.rows.iter().cloned().enumerate().collect(),
            format: tabular::Format::Csv,
        };
        let mut data = b"\xEF\xBB\xBF".to_vec();
        data.extend(table_bytes("rejects.csv", &t)?);
        Ok(data)
    }
}

#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub households: usize,
    pub members: usize,
    pub rejected: usize,
    pub errors: Vec<FieldError>,
    pub rejects: Option<Rejects>,
    pub dry_run: bool,
    /// Household numbers registered the year before with another village
    /// or another head (a warning: the households are imported).
    pub identity_changes: IdentityChanges,
    /// Rows whose ID number is already registered this year in another
    /// county.
    pub duplicates_elsewhere: usize,
    /// Many such rows ([`MANY_DUPLICATES_ELSEWHERE`] or more): the file is
    /// flagged for the office, in the report and in the audit log.
    pub flagged: bool,
    /// Counties whose year the import left much smaller than their latest
    /// earlier year (a warning; the import is done).
    pub smaller_than_before: Vec<crate::shrink::SmallerThanBefore>,
}

/// From this many rows whose ID number is already registered this year in
/// another county, an import attempt is flagged (a file of one county's
/// own people rarely has more than a few movers; a file probing for who is
/// registered where has many).
pub const MANY_DUPLICATES_ELSEWHERE: usize = 10;

/// Called inside an import's write transaction just before it commits,
/// with the report: what must commit together with the data (a job's
/// outcome). Not called on a dry run, which commits nothing.
pub type OnCommit<'a> = &'a dyn Fn(&mut dyn dingdian_store::Conn, &ImportReport) -> Result<()>;

/// What an import attempt came to, for its audit record (kept up to date
/// as the import goes, so a failure still reports what was seen).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Attempt {
    pub(crate) rows: usize,
    pub(crate) rejected: usize,
    pub(crate) elsewhere: usize,
}

impl Attempt {
    fn flagged(&self) -> bool {
        self.elsewhere >= MANY_DUPLICATES_ELSEWHERE
    }

    pub(crate) fn detail(&self) -> String {
        format!(
            "{} rows, {} rejected, {} registered in other counties{}",
            self.rows,
            self.rejected,
            self.elsewhere,
            if self.flagged() {
                "; flagged: many ID numbers registered in other counties"
            } else {
                ""
            }
        )
    }
}

/// Whether a scope reaches a county's households (the office's does; a
/// county officer's reaches its own county only).
fn reaches(scope: &dingdian_core::role::Scope, county: &str) -> bool {
    *scope == dingdian_core::role::Scope::All || scope.county() == Some(county)
}

/// One problem of an import in the shape of interfaces.md, shared by the
/// CLI's JSON, the job results and the API's import errors: `row` (as
/// Excel numbers it), `column`, `value`, `code`, `message` in the user's
/// language, and `message_en`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ImportError {
    pub row: Option<usize>,
    pub column: String,
    pub value: String,
    pub code: String,
    pub message: String,
    pub message_en: String,
}

impl ImportError {
    pub fn new(e: &FieldError, lang: &str) -> ImportError {
        ImportError {
            row: e.row,
            column: e.field.clone(),
            value: e.value.clone(),
            code: e.msg.code.clone(),
            message: e.msg.text(lang).to_string(),
            message_en: e.msg.en.clone(),
        }
    }

    /// Back to a field error (the Chinese text is `message` as given).
    pub fn to_field_error(&self) -> FieldError {
        FieldError {
            row: self.row,
            field: self.column.clone(),
            value: self.value.clone(),
            msg: Msg::new(&self.code, self.message.clone(), self.message_en.clone()),
        }
    }
}

impl ImportReport {
    /// The report as interfaces.md prints it: `households`, `members`,
    /// `rejected`, `errors` (each an [`ImportError`]), and `dry_run`.
    /// Also `duplicates_elsewhere`, `flagged` and `errors_omitted` (0).
    pub fn json(&self, lang: &str) -> serde_json::Value {
        self.json_with(lang, usize::MAX, |e| e)
    }

    /// The report with at most `max_errors` errors, each passed through
    /// `shape` (a job masks ID numbers); `errors_omitted` counts the rest.
    pub fn json_with(
        &self,
        lang: &str,
        max_errors: usize,
        shape: impl Fn(FieldError) -> FieldError,
    ) -> serde_json::Value {
        let errors: Vec<ImportError> = self
            .errors
            .iter()
            .take(max_errors)
            .map(|e| ImportError::new(&shape(e.clone()), lang))
            .collect();
        serde_json::json!({
            "households": self.households,
            "members": self.members,
            "rejected": self.rejected,
            "errors_omitted": self.errors.len() - errors.len(),
            "errors": errors,
            "dry_run": self.dry_run,
            "identity_changes": self.identity_changes,
            "duplicates_elsewhere": self.duplicates_elsewhere,
            "flagged": self.flagged,
            "smaller_than_before": self.smaller_than_before,
        })
    }
}

/// What a statistics import did: rows written (or that would be, on a dry
/// run), rows rejected with `skip_invalid` and why.
#[derive(Debug, Clone, Default)]
pub struct StatisticsReport {
    pub rows: usize,
    pub rejected: usize,
    pub errors: Vec<FieldError>,
    pub rejects: Option<Rejects>,
    pub dry_run: bool,
}

/// A member ready to store: the validated row with its blind index. The
/// ciphertexts are made batch by batch while the writer stores the batch
/// before ([`store_members`]).
struct Sealed<'a> {
    row: &'a RegistryRow,
    index: Vec<u8>,
    name_index: Vec<u8>,
}

/// Members per write batch: small enough to keep memory flat, large enough
/// that handing batches between threads costs nothing.
const WRITE_BATCH: usize = 20_000;

/// Seals and inserts the kept members. Sealing (two SM4-GCM per member)
/// runs on its own thread one batch ahead of the writer, so the two
/// overlap on a two-core machine; the writer only binds and steps.
fn store_members(
    c: &mut dyn dingdian_store::Conn,
    key: &PersonalDataKey,
    kept: &[&Sealed],
    progress: Progress,
) -> Result<()> {
    let key_id = key.key_id();
    let total = kept.len() as u64;
    std::thread::scope(|s| {
        let (to_writer, batches) = std::sync::mpsc::sync_channel::<reg::MemberBatch>(1);
        s.spawn(move || {
            for chunk in kept.chunks(WRITE_BATCH) {
                let rows = chunk
                    .iter()
                    .map(|s| MemberRow {
                        year: s.row.year,
                        id_index: s.index.clone(),
                        household_id: s.row.household_id.clone(),
                        county_code: s.row.county_code().to_string(),
                        id_cipher: seal(key, AAD_ID, s.row.id_number.as_str()),
                        name_cipher: seal(key, AAD_NAME, &s.row.name),
                        key_id: key_id.clone(),
                        name_index: Some(s.name_index.clone()),
                        relation: s.row.relation.code(),
                        sex: if s.row.id_number.is_male() { 1 } else { 2 },
                        birth_year: chrono::Datelike::year(&s.row.id_number.birth_date()),
                        extras: s.row.member_extras,
                    })
                    .collect();
                // A send fails only when the writer has stopped on an error.
                if to_writer.send(reg::MemberBatch::new(rows)).is_err() {
                    break;
                }
            }
        });
        let mut done = 0u64;
        for batch in batches {
            done += reg::insert_member_batch(c, batch)?;
            progress("write", done, total);
        }
        Ok(())
    })
}

/// Members of `year` already registered in households outside the file,
/// keyed by the blind index of the file's row. While a key rotation runs,
/// registered rows may carry another key's index (`others`): those are
/// looked up too, or a person could be registered twice in one year.
fn registered_elsewhere(
    c: &mut dyn dingdian_store::Conn,
    year: i32,
    rows: &[&Sealed],
    in_file: &HashSet<&str>,
    others: &[std::sync::Arc<PersonalDataKey>],
) -> Result<HashMap<Vec<u8>, (String, String)>> {
    let mut indexes: Vec<Vec<u8>> = rows.iter().map(|s| s.index.clone()).collect();
    let mut current_of: HashMap<Vec<u8>, Vec<u8>> = HashMap::new();
    for k in others {
        for s in rows {
            let old = id_index(k, &s.row.id_number);
            current_of.insert(old.clone(), s.index.clone());
            indexes.push(old);
        }
    }
    Ok(reg::registered(c, year, &indexes)?
        .into_iter()
        .filter(|(_, household, _)| !in_file.contains(household.as_str()))
        .map(|(i, h, county)| (current_of.remove(&i).unwrap_or(i), (h, county)))
        .collect())
}

pub(crate) fn seal(key: &PersonalDataKey, aad: &[u8], text: &str) -> Vec<u8> {
    let mut nonce = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut nonce);
    key.seal(nonce, aad, text.as_bytes())
}

/// The blind index of a name: of its normal form, in the names' own domain.
pub fn name_index(key: &PersonalDataKey, name: &str) -> Vec<u8> {
    key.blind_index(rules::NAME_INDEX_DOMAIN, &rules::normalise_name(name))
        .to_vec()
}

/// The blind index of an ID number (normalised by parsing).
pub fn id_index(key: &PersonalDataKey, id: &IdNumber) -> Vec<u8> {
    key.blind_index(INDEX_DOMAIN, id.as_str()).to_vec()
}

/// Where each registry column stands in a file's rows, looked up once so
/// that reading a row is indexing only.
pub(crate) struct RawIndex {
    core: [Option<usize>; 11],
    ext: [Option<usize>; 16],
    /// Whether the file has any extended column at all.
    any_ext: bool,
}

impl RawIndex {
    pub(crate) fn new(map: &ColumnMap) -> RawIndex {
        let core = std::array::from_fn(|k| map.index(REGISTRY_COLUMNS[k].en));
        let ext: [Option<usize>; 16] =
            std::array::from_fn(|k| map.index(REGISTRY_COLUMNS[11 + k].en));
        RawIndex {
            core,
            any_ext: ext.iter().any(Option::is_some),
            ext,
        }
    }

    pub(crate) fn raw<'a>(&self, cells: &[&'a str]) -> RawRow<'a> {
        let cell = |i: Option<usize>| i.and_then(|i| cells.get(i)).copied().unwrap_or("");
        let c = |k: usize| cell(self.core[k]);
        let ext = if self.any_ext {
            let x = |k: usize| cell(self.ext[k]);
            rules::RawExtended {
                household_type: x(0),
                other_causes: x(1),
                incomes: [x(2), x(3), x(4), x(5)],
                guarantees: [x(6), x(7), x(8), x(9), x(10), x(11)],
                health: x(12),
                education: x(13),
                labour_skill: x(14),
                migrant_work: x(15),
            }
        } else {
            rules::RawExtended::default()
        };
        RawRow {
            year: c(0),
            village_code: c(1),
            household_id: c(2),
            id_number: c(3),
            name: c(4),
            relation: c(5),
            income_per_capita: c(6),
            status: c(7),
            identified_year: c(8),
            exit_year: c(9),
            cause: c(10),
            ext,
        }
    }
}

fn outside_scope(code: &str) -> FieldError {
    FieldError::new(
        "village_code",
        code,
        Msg::new(
            "outside_scope",
            "不属于您所在的县，无权导入",
            "lies outside your county: you may not import it",
        ),
    )
}

fn duplicate_in_file(id: &str, first: usize) -> FieldError {
    FieldError::new(
        "id_number",
        id,
        Msg::new(
            "duplicate_id",
            format!("同一年度内与第 {first} 行的证件号码重复"),
            format!("the same ID number as row {first} in the same year"),
        ),
    )
}

/// A number already registered this year: where, only when the caller's
/// scope reaches that county. Outside it the message names no county and
/// no household (nothing that would tell who lives with whom): the office
/// resolves it.
fn duplicate_registered(masked: &str, at: Option<(&str, &str)>) -> FieldError {
    let msg = match at {
        Some((county, household)) => Msg::new(
            "duplicate_registration",
            format!("该证件号码本年度已在县 {county} 的户 {household} 登记（重复登记）"),
            format!(
                "this ID number is already registered this year in county {county}, household {household} (duplicate registration)"
            ),
        ),
        None => Msg::new(
            "duplicate_registration",
            "该证件号码本年度已在其他地区登记（重复登记），请联系扶贫办核实处理",
            "this ID number is already registered elsewhere this year (duplicate registration); the poverty alleviation office resolves it",
        ),
    };
    FieldError::new("id_number", masked, msg)
}

/// A household number another county already uses this year: which one,
/// only when the caller's scope reaches it.
fn household_elsewhere(household: &str, county: Option<&str>) -> FieldError {
    let msg = match county {
        Some(county) => Msg::new(
            "household_in_other_county",
            format!("该户编号本年度已被县 {county} 使用，不能覆盖其他县的户"),
            format!(
                "this household number is already used this year by county {county}; a file cannot replace another county's household"
            ),
        ),
        None => Msg::new(
            "household_in_other_county",
            "该户编号本年度已被其他县使用，不能覆盖其他县的户",
            "this household number is already used this year by another county; a file cannot replace another county's household",
        ),
    };
    FieldError::new("household_id", household, msg)
}

fn household_rejected(household: &str) -> FieldError {
    FieldError::new(
        "household_id",
        household,
        Msg::new(
            "household_rejected",
            "同户其他成员有误，整户未导入",
            "another row of this household is invalid, so the whole household was not imported",
        ),
    )
}

/// A second appearance of an ID number in a year is the mistake, reported
/// at that row; the first is kept. A refused row that was a household's
/// head is remembered in `refused_heads`.
fn mark_duplicates(
    rows: &[Option<&RegistryRow>],
    row_numbers: &[usize],
    errors: &mut [Vec<FieldError>],
    rejected: &mut [bool],
    refused_heads: &mut HashSet<(String, String)>,
) {
    let mut seen: HashMap<(i32, &str), usize> = HashMap::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let Some(r) = r else { continue };
        if rejected[i] {
            continue;
        }
        if let Some(&first) = seen.get(&(r.year, r.id_number.as_str())) {
            errors[i].push(duplicate_in_file(r.id_number.as_str(), row_numbers[first]));
            rejected[i] = true;
            if r.relation == Relation::Head {
                refused_heads.insert((r.year.to_string(), r.household_id.clone()));
            }
            continue;
        }
        seen.insert((r.year, r.id_number.as_str()), i);
    }
}

/// Checks each household of the rows not yet rejected (in the order they
/// first appear; the maps sized up front) and rejects every member of a
/// household with a problem. A household whose head row was refused for
/// its own cause is not also reported as without a head.
fn check_households(
    rows: &[Option<&RegistryRow>],
    row_numbers: &[usize],
    refused_heads: &HashSet<(String, String)>,
    errors: &mut [Vec<FieldError>],
    rejected: &mut [bool],
) {
    let mut household_of: HashMap<(i32, &str), usize> = HashMap::with_capacity(rows.len() / 2);
    let mut households: Vec<Vec<usize>> = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let Some(r) = r else { continue };
        if rejected[i] {
            continue;
        }
        let h = *household_of
            .entry((r.year, r.household_id.as_str()))
            .or_insert_with(|| {
                households.push(Vec::new());
                households.len() - 1
            });
        households[h].push(i);
    }
    for members in &households {
        let list: Vec<(usize, &RegistryRow)> = members
            .iter()
            .map(|&i| (row_numbers[i], rows[i].expect("valid")))
            .collect();
        let first = list[0].1;
        let head_refused =
            refused_heads.contains(&(first.year.to_string(), first.household_id.clone()));
        let problems = rules::check_household(&list);
        if problems.is_empty() {
            continue;
        }
        for p in problems {
            if head_refused && p.msg.code == "no_head" {
                continue;
            }
            let i = members
                .iter()
                .copied()
                .find(|&i| Some(row_numbers[i]) == p.row)
                .unwrap_or(members[0]);
            errors[i].push(p);
        }
        for &i in members {
            rejected[i] = true;
        }
    }
}

impl App {
    /// Imports a registry file: all or nothing by default (every problem
    /// reported with its Excel row), or with `skip_invalid` the valid
    /// households only, the rest returned as rejects. Re-importing a
    /// household of a year replaces it. One transaction: a crash leaves
    /// the database as it was.
    ///
    /// Every attempt is audited, whatever it comes to: `registry.import`
    /// (or `registry.import.dry_run`) with its counts and, when many of its
    /// ID numbers are registered in other counties, a flag.
    pub fn import_registry(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: &[u8],
        opts: ImportOptions,
        progress: Progress,
    ) -> Result<ImportReport> {
        self.import_registry_with(actor, file_name, bytes, opts, progress, None)
    }

    /// [`App::import_registry`], with `on_commit` run inside the import's
    /// write transaction (a job records its outcome there).
    pub fn import_registry_with(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: &[u8],
        opts: ImportOptions,
        progress: Progress,
        on_commit: Option<OnCommit>,
    ) -> Result<ImportReport> {
        let mut attempt = Attempt::default();
        let out = self.run_registry_import(
            actor,
            file_name,
            bytes,
            opts,
            progress,
            on_commit,
            &mut attempt,
        );
        let action = if opts.dry_run {
            "registry.import.dry_run"
        } else {
            "registry.import"
        };
        match &out {
            // A write is audited in its own transaction.
            Ok(r) if !r.dry_run => Ok(()),
            Ok(_) => self.audit_attempt(actor, action, file_name, "success", attempt.detail()),
            Err(e) => {
                self.audit_failed_attempt(actor, action, file_name, e, &attempt.detail());
                Ok(())
            }
        }?;
        out
    }

    /// Audits an import attempt that wrote nothing, in its own transaction.
    pub(crate) fn audit_attempt(
        &self,
        actor: &Actor,
        action: &str,
        file_name: &str,
        outcome: &str,
        detail: String,
    ) -> Result<()> {
        let file = dingdian_core::error::clip_to(file_name, 128);
        self.store
            .write(|c| audit(c, actor, action, ("file", &file), outcome, Some(detail)))
    }

    /// Audits a failed import attempt (`refused` when the role may not
    /// import, else `failure`, with the error's code). The import's own
    /// error is what the caller gets; a failure to audit is logged.
    pub(crate) fn audit_failed_attempt(
        &self,
        actor: &Actor,
        action: &str,
        file_name: &str,
        e: &AppError,
        detail: &str,
    ) {
        let outcome = if matches!(e, AppError::Forbidden(_)) {
            "refused"
        } else {
            "failure"
        };
        let problems = match e {
            AppError::Invalid(errs) => format!("; {} problems", errs.len()),
            _ => String::new(),
        };
        let detail = format!("{detail}; {}{problems}", e.code());
        if let Err(a) = self.audit_attempt(actor, action, file_name, outcome, detail) {
            tracing::error!(
                user = %actor.username,
                "cannot audit a failed import attempt ({}): {a}",
                e.code()
            );
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn run_registry_import(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: &[u8],
        opts: ImportOptions,
        progress: Progress,
        on_commit: Option<OnCommit>,
        attempt: &mut Attempt,
    ) -> Result<ImportReport> {
        actor.require(Action::ImportRegistry)?;
        progress("read", 0, 1);
        let encoding = opts.encoding.unwrap_or(Encoding::Auto);
        let sheet = tabular::Sheet::open(file_name, bytes, encoding)?;
        let excel = !matches!(sheet.format, tabular::Format::Csv);
        let map = ColumnMap::new(
            &sheet.headers,
            REGISTRY_COLUMNS,
            opts.ignore_unknown_columns,
        )?;
        let counties: HashSet<String> = self
            .store
            .read(|c| areas::county_codes(c))?
            .into_iter()
            .collect();
        let known = |code: &str| counties.contains(code);
        let own_county = actor.scope.county().map(str::to_string);

        // 1. Each row on its own, as it is read (on all cores): the file's
        //    cells are never all held at once.
        progress("validate", 0, 0);
        let index = RawIndex::new(&map);
        let today = time::today();
        // Households whose head row was refused for a cause of its own: they
        // are not also "without a head" (each problem once, at its cause).
        let refused_heads: std::sync::Mutex<HashSet<(String, String)>> = Default::default();
        let mut checked = sheet.rows(|_, cells| {
            let raw = index.raw(cells);
            let r = rules::validate_row_on(&raw, &known, excel, today).inspect_err(|_| {
                if Relation::parse(raw.relation) == Some(Relation::Head) {
                    let key = (raw.year.to_string(), raw.household_id.to_string());
                    refused_heads.lock().expect("not poisoned").insert(key);
                }
            })?;
            match &own_county {
                Some(c) if r.county_code() != c => Err(vec![outside_scope(&r.village_code)]),
                _ => Ok(r),
            }
        })?;
        drop(sheet);
        if checked.is_empty() {
            return Err(AppError::invalid(
                "file",
                "",
                "no_rows",
                "文件中没有数据行",
                "the file has no data rows",
            ));
        }
        let total = checked.len() as u64;
        attempt.rows = checked.len();
        progress("validate", total, total);
        progress("households", 0, total);
        // The rows stay where they were made (one copy of 10 M rows is
        // gigabytes); the errors move out beside them.
        let row_numbers: Vec<usize> = checked.iter().map(|(row, _)| *row).collect();
        let mut errors: Vec<Vec<FieldError>> = checked
            .iter_mut()
            .map(|(_, r)| r.as_mut().err().map(std::mem::take).unwrap_or_default())
            .collect();

        // 2. Duplicates within the file, then households, repeated until no
        //    more rows fall out (a rejected member takes its household out).
        let rows: Vec<Option<&RegistryRow>> =
            checked.iter().map(|(_, r)| r.as_ref().ok()).collect();
        let mut rejected: Vec<bool> = errors.iter().map(|e| !e.is_empty()).collect();
        let mut refused_heads = refused_heads.into_inner().expect("not poisoned");
        mark_duplicates(
            &rows,
            &row_numbers,
            &mut errors,
            &mut rejected,
            &mut refused_heads,
        );
        loop {
            let before = rejected.iter().filter(|r| **r).count();
            check_households(
                &rows,
                &row_numbers,
                &refused_heads,
                &mut errors,
                &mut rejected,
            );
            if rejected.iter().filter(|r| **r).count() == before {
                break;
            }
        }
        attempt.rejected = rejected.iter().filter(|r| **r).count();
        if !opts.skip_invalid && attempt.rejected > 0 {
            return Err(AppError::Invalid(collect_errors(&row_numbers, &errors)));
        }

        // 3. The blind index of every accepted row (in parallel), for the
        //    duplicate check against the database.
        progress("index", 0, total);
        let ring = self.keys().ring();
        let key: &PersonalDataKey = ring.current();
        let accepted: Vec<usize> = (0..rows.len()).filter(|i| !rejected[*i]).collect();
        let mut sealed: Vec<Option<Sealed>> = par_map(&accepted, |&i| {
            let r = rows[i].expect("accepted rows are valid");
            Some(Sealed {
                row: r,
                index: id_index(key, &r.id_number),
                name_index: name_index(key, &r.name),
            })
        });
        progress("index", total, total);

        // 4. In one transaction: duplicates already registered in other
        //    households, then replace and insert.
        let transaction = |c: &mut dyn dingdian_store::Conn| -> Result<ImportReport> {
            progress("check", 0, total);
            let now = time::now_ts();
            let years: BTreeSet<i32> = sealed.iter().flatten().map(|s| s.row.year).collect();
            for &year in &years {
                if !reg::year_has_members(c, year)? {
                    continue;
                }
                // A household number is the household's key in the year: one
                // already registered in another county is not this file's to
                // replace.
                let codes: Vec<String> = sealed
                    .iter()
                    .flatten()
                    .filter(|s| s.row.year == year)
                    .map(|s| s.row.household_id.clone())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                let elsewhere: HashMap<String, String> = reg::household_counties(c, year, &codes)?
                    .into_iter()
                    .collect();
                for (k, s) in sealed.iter_mut().enumerate() {
                    let Some(row) = s.as_ref().map(|s| &s.row) else {
                        continue;
                    };
                    if row.year == year
                        && let Some(county) = elsewhere
                            .get(&row.household_id)
                            .filter(|c| c.as_str() != row.county_code())
                    {
                        errors[accepted[k]].push(household_elsewhere(
                            row.household_id.as_str(),
                            Some(county.as_str()).filter(|c| reaches(&actor.scope, c)),
                        ));
                        rejected[accepted[k]] = true;
                        *s = None;
                    }
                }
                let in_file: HashSet<&str> = sealed
                    .iter()
                    .flatten()
                    .filter(|s| s.row.year == year)
                    .map(|s| s.row.household_id.as_str())
                    .collect();
                let of_year: Vec<&Sealed> = sealed
                    .iter()
                    .flatten()
                    .filter(|s| s.row.year == year)
                    .collect();
                // The key file is looked at again here, inside the write: a
                // rotation may have begun since the rows were sealed.
                let others: Vec<_> = self
                    .keys()
                    .refresh(false)?
                    .all()
                    .iter()
                    .filter(|k| k.key_id() != key.key_id())
                    .cloned()
                    .collect();
                let hits = registered_elsewhere(c, year, &of_year, &in_file, &others)?;
                if hits.is_empty() {
                    continue;
                }
                let mut bad_households: HashSet<(i32, String)> = HashSet::new();
                for (k, s) in sealed.iter().enumerate() {
                    let Some(s) = s else { continue };
                    if s.row.year == year
                        && let Some((h, county)) = hits.get(&s.index)
                    {
                        if county.as_str() != s.row.county_code() {
                            attempt.elsewhere += 1;
                        }
                        errors[accepted[k]].push(duplicate_registered(
                            &s.row.id_number.masked(),
                            reaches(&actor.scope, county).then_some((county.as_str(), h.as_str())),
                        ));
                        bad_households.insert((year, s.row.household_id.clone()));
                    }
                }
                for (k, s) in sealed.iter_mut().enumerate() {
                    if s.as_ref().is_some_and(|s| {
                        bad_households.contains(&(s.row.year, s.row.household_id.clone()))
                    }) {
                        rejected[accepted[k]] = true;
                        *s = None;
                    }
                }
            }
            attempt.rejected = rejected.iter().filter(|r| **r).count();
            if !opts.skip_invalid && attempt.rejected > 0 {
                return Err(AppError::Invalid(collect_errors(&row_numbers, &errors)));
            }
            let kept: Vec<&Sealed> = sealed.iter().flatten().collect();
            // Numbers that name another village or head than the year before.
            let heads: HashMap<(i32, &str), &RegistryRow> = kept
                .iter()
                .filter(|s| s.row.relation == Relation::Head)
                .map(|s| ((s.row.year, s.row.household_id.as_str()), s.row))
                .collect();
            let identity_changes =
                identity::identity_changes(c, &ring, own_county.as_deref(), &heads)?;
            let mut households: Vec<HouseholdRow> = Vec::new();
            let mut seen: HashSet<(i32, &str)> = HashSet::new();
            for s in &kept {
                if seen.insert((s.row.year, s.row.household_id.as_str())) {
                    households.push(HouseholdRow {
                        year: s.row.year,
                        household_id: s.row.household_id.clone(),
                        county_code: s.row.county_code().to_string(),
                        village_code: s.row.village_code.clone(),
                        income_fen: s.row.income_fen,
                        status: s.row.status.code(),
                        identified_year: s.row.identified_year,
                        exit_year: s.row.exit_year,
                        cause: s.row.cause.code(),
                        extras: s.row.household_extras,
                    });
                }
            }
            progress("write", 0, kept.len() as u64);
            for &year in &years {
                let codes: Vec<String> = households
                    .iter()
                    .filter(|h| h.year == year)
                    .map(|h| h.household_id.clone())
                    .collect();
                reg::delete_households(c, year, &codes)?;
            }
            reg::insert_households(c, &households, now)?;
            reg::bump_version(c)?;
            store_members(c, key, &kept, progress)?;
            let parts: BTreeSet<(i32, String)> = households
                .iter()
                .map(|h| (h.year, h.county_code.clone()))
                .collect();
            let smaller_than_before = crate::shrink::smaller_than_before(c, &parts)?;
            let mut report = ImportReport {
                households: households.len(),
                members: kept.len(),
                rejected: attempt.rejected,
                errors: collect_errors(&row_numbers, &errors),
                rejects: None,
                dry_run: opts.dry_run,
                identity_changes,
                duplicates_elsewhere: attempt.elsewhere,
                flagged: attempt.flagged(),
                smaller_than_before,
            };
            if report.rejected > 0 {
                // The rejected rows as they were read: the file is read once
                // more, into cells, only now that some are wanted.
                let table = tabular::read(file_name, bytes, encoding)?;
                report.rejects = Some(rejects(
                    &table,
                    &map,
                    &errors,
                    &rejected,
                    map.index("household_id"),
                    &actor.lang,
                ));
            }
            // A dry run is audited after its roll-back (see import_registry_with).
            if !opts.dry_run {
                audit(
                    c,
                    actor,
                    "registry.import",
                    ("file", &dingdian_core::error::clip_to(file_name, 128)),
                    "success",
                    Some(format!(
                        "{} households, {} members, {} rejected; {}",
                        report.households,
                        report.members,
                        report.rejected,
                        attempt.detail()
                    )),
                )?;
                if let Some(f) = on_commit {
                    f(c, &report)?;
                }
            }
            Ok(report)
        };
        // A dry run checks everything against the database, then nothing stays.
        let report = if opts.dry_run {
            self.store.dry_run(transaction)?
        } else {
            self.store.write(transaction)?
        };
        if !report.dry_run {
            // Committed: what follows cannot undo it. A refresh that fails
            // leaves the snapshot a version behind, and the next reader
            // reloads it whole.
            progress("refresh", 0, 1);
            let partitions: BTreeSet<(i32, String)> = sealed
                .iter()
                .flatten()
                .map(|s| (s.row.year, s.row.county_code().to_string()))
                .collect();
            if let Err(e) = self
                .store
                .refresh_snapshot(&partitions.into_iter().collect::<Vec<_>>())
            {
                tracing::warn!("the analytics snapshot was not refreshed after an import: {e}");
            }
            progress("refresh", 1, 1);
        }
        Ok(report)
    }

    /// Imports an area statistics file: all or nothing by default, or with
    /// `skip_invalid` the valid rows only, the rest returned as rejects.
    /// Re-importing replaces.
    /// Every attempt is audited (`statistics.import`, or
    /// `statistics.import.dry_run`), whatever it comes to.
    pub fn import_statistics(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: &[u8],
        opts: ImportOptions,
    ) -> Result<StatisticsReport> {
        let mut attempt = Attempt::default();
        let out = self.run_statistics_import(actor, file_name, bytes, opts, &mut attempt);
        let action = if opts.dry_run {
            "statistics.import.dry_run"
        } else {
            "statistics.import"
        };
        match &out {
            Ok(r) if !r.dry_run && r.rows > 0 => Ok(()),
            Ok(_) => self.audit_attempt(actor, action, file_name, "success", attempt.detail()),
            Err(e) => {
                self.audit_failed_attempt(actor, action, file_name, e, &attempt.detail());
                Ok(())
            }
        }?;
        out
    }

    fn run_statistics_import(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: &[u8],
        opts: ImportOptions,
        attempt: &mut Attempt,
    ) -> Result<StatisticsReport> {
        actor.require(Action::ImportRegistry)?;
        let table = tabular::read(file_name, bytes, opts.encoding.unwrap_or(Encoding::Auto))?;
        attempt.rows = table.rows.len();
        let excel = !matches!(table.format, tabular::Format::Csv);
        let map = ColumnMap::new(
            &table.headers,
            STATISTICS_COLUMNS,
            opts.ignore_unknown_columns,
        )?;
        if table.rows.is_empty() {
            return Err(AppError::invalid(
                "file",
                "",
                "no_rows",
                "文件中没有数据行",
                "the file has no data rows",
            ));
        }
        let counties: HashSet<String> = self
            .store
            .read(|c| areas::county_codes(c))?
            .into_iter()
            .collect();
        let mut errors: Vec<Vec<FieldError>> = vec![Vec::new(); table.rows.len()];
        let mut out = Vec::new();
        let mut seen: HashMap<(i32, String), usize> = HashMap::new();
        for (i, (row, cells)) in table.rows.iter().enumerate() {
            // A repeated key is a mistake of its own, reported even when
            // either row has another problem too.
            let key = statistics_key(map.get(cells, "year"), map.get(cells, "area_code"));
            if let Some(key) = key {
                match seen.get(&key) {
                    Some(first) => errors[i].push(duplicate_statistics(&key.1, *first)),
                    None => _ = seen.insert(key, *row),
                }
            }
            let r = match rules::validate_statistics_row(
                map.get(cells, "year"),
                map.get(cells, "area_code"),
                map.get(cells, "rural_population"),
                map.get(cells, "rural_income_per_capita"),
                &|c: &str| counties.contains(c),
                excel,
            ) {
                Ok(r) => r,
                Err(es) => {
                    errors[i].extend(es);
                    continue;
                }
            };
            if let Some(c) = actor.scope.county()
                && r.area_code != c
            {
                errors[i].push(FieldError::new(
                    "area_code",
                    r.area_code.as_str(),
                    Msg::new(
                        "outside_scope",
                        "不属于您所在的县，无权导入",
                        "lies outside your county: you may not import it",
                    ),
                ));
                continue;
            }
            if !errors[i].is_empty() {
                continue;
            }
            out.push(StatisticsRow {
                year: r.year,
                area_code: r.area_code,
                rural_population: r.rural_population,
                rural_income_fen: r.rural_income_fen,
            });
        }
        let rejected: Vec<bool> = errors.iter().map(|e| !e.is_empty()).collect();
        let n_rejected = rejected.iter().filter(|r| **r).count();
        attempt.rejected = n_rejected;
        if n_rejected > 0 && !opts.skip_invalid {
            return Err(AppError::Invalid(collect_errors(
                &row_numbers(&table),
                &errors,
            )));
        }
        let report = StatisticsReport {
            rows: out.len(),
            rejected: n_rejected,
            errors: collect_errors(&row_numbers(&table), &errors),
            rejects: (n_rejected > 0)
                .then(|| rejects(&table, &map, &errors, &rejected, None, &actor.lang)),
            dry_run: opts.dry_run,
        };
        if opts.dry_run || out.is_empty() {
            return Ok(report);
        }
        self.store.write(|c| {
            reg::upsert_statistics(c, &out, time::now_ts())?;
            reg::bump_version(c)?;
            audit(
                c,
                actor,
                "statistics.import",
                ("file", &dingdian_core::error::clip_to(file_name, 128)),
                "success",
                Some(format!("{} rows, {} rejected", out.len(), n_rejected)),
            )
        })?;
        self.store.refresh_snapshot(&[])?;
        Ok(report)
    }
}

fn duplicate_statistics(area_code: &str, first: usize) -> FieldError {
    FieldError::new(
        "area_code",
        area_code,
        Msg::new(
            "duplicate_key",
            format!("与第 {first} 行的年度和区划重复"),
            format!("the same year and area as row {first}"),
        ),
    )
}

/// The key (year, area code) of a statistics row as written, when both
/// cells are well formed, whatever the row's other cells hold.
fn statistics_key(year: &str, area_code: &str) -> Option<(i32, String)> {
    let year = year.replace(',', "").parse::<i32>().ok()?;
    (area_code.len() == 6 && area_code.bytes().all(|b| b.is_ascii_digit()))
        .then(|| (year, area_code.to_string()))
}

fn row_numbers(table: &Table) -> Vec<usize> {
    table.rows.iter().map(|(row, _)| *row).collect()
}

/// Every row's errors, each with its row's Excel number (`rows`).
fn collect_errors(rows: &[usize], errors: &[Vec<FieldError>]) -> Vec<FieldError> {
    errors
        .iter()
        .enumerate()
        .flat_map(|(i, es)| {
            es.iter().map(move |e| {
                if e.row.is_some() {
                    e.clone()
                } else {
                    e.clone().at_row(rows[i])
                }
            })
        })
        .collect()
}

/// The header of the rejects file's added column. `registry-format.md`
/// names it `错误/error` in both languages (other programs look for it);
/// the messages in its cells are in the importing user's language.
pub const REJECTS_ERROR_HEADER: &str = "错误/error";

/// One problem of a rejected row in one language. In Chinese the column
/// is named by its header in the file, not by its English code.
fn reject_line(e: &FieldError, lang: &str, table: &Table, map: &ColumnMap) -> String {
    let header = map.index(&e.field).and_then(|i| table.headers.get(i));
    match header {
        Some(h) if lang != "en" => {
            let value = if e.value.is_empty() {
                String::new()
            } else {
                format!("“{}”", e.value)
            };
            format!("{h}{value}：{}", e.msg.zh)
        }
        _ => crate::error_line(e, lang),
    }
}

/// The most characters of a cell the rejects file repeats ("…" marks a cut).
pub const REJECT_CELL_MAX_CHARS: usize = 256;

/// The rejected rows, as read, with an added `错误/error` column whose
/// messages are in the importing user's language, one language per cell.
/// `household_column` is where the household number stands, for the rows
/// left out only because their household was.
fn rejects(
    table: &Table,
    map: &ColumnMap,
    errors: &[Vec<FieldError>],
    rejected: &[bool],
    household_column: Option<usize>,
    lang: &str,
) -> Rejects {
    let mut headers = table.headers.clone();
    headers.push(REJECTS_ERROR_HEADER.into());
    let rows = table
        .rows
        .iter()
        .enumerate()
        .filter(|(i, _)| rejected[*i])
        .map(|(i, (_, cells))| {
            // No column allows anything near this long: a longer cell is
            // cut, so one hostile cell cannot make the kept file huge.
            let mut row: Vec<String> = cells
                .iter()
                .map(|c| dingdian_core::error::clip_to(c, REJECT_CELL_MAX_CHARS))
                .collect();
            row.resize(table.headers.len(), String::new());
            let text = if errors[i].is_empty() {
                let household = household_column
                    .and_then(|k| cells.get(k))
                    .cloned()
                    .unwrap_or_default();
                reject_line(&household_rejected(&household), lang, table, map)
            } else {
                errors[i]
                    .iter()
                    .map(|e| reject_line(e, lang, table, map))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            row.push(text);
            row
        })
        .collect();
    Rejects { headers, rows }
}

/// A member as a person may see it: the ID number masked unless the role
/// is entitled to it.
#[derive(Debug, Clone, Serialize)]
pub struct MemberView {
    pub id_number: String,
    pub name: String,
    pub relation: Relation,
    pub sex: &'static str,
    pub birth_year: i32,
    /// Sensitive: shown only to roles that may read the registry.
    pub health: Option<rules::Health>,
    pub education: Option<rules::Education>,
    pub labour_skill: Option<rules::LabourSkill>,
    pub migrant_work: Option<rules::MigrantWork>,
}

/// The extended household fields as pages and the API show them (income
/// components in yuan per household and year).
#[derive(Debug, Clone, Default, Serialize)]
pub struct HouseholdExtrasView {
    pub household_type: Option<rules::HouseholdType>,
    pub other_causes: Vec<Cause>,
    pub wage_income: Option<f64>,
    pub business_income: Option<f64>,
    pub property_income: Option<f64>,
    pub transfer_income: Option<f64>,
    pub food_secure: Option<bool>,
    pub clothing_secure: Option<bool>,
    pub education_secure: Option<bool>,
    pub medical_secure: Option<bool>,
    pub housing_secure: Option<bool>,
    pub water_secure: Option<bool>,
}

impl From<&rules::HouseholdExtras> for HouseholdExtrasView {
    fn from(x: &rules::HouseholdExtras) -> Self {
        let yuan = |k: usize| x.incomes[k].map(|f| f as f64 / 100.0);
        let g = x.guarantees;
        HouseholdExtrasView {
            household_type: x.household_type,
            other_causes: x.other_causes.iter().collect(),
            wage_income: yuan(0),
            business_income: yuan(1),
            property_income: yuan(2),
            transfer_income: yuan(3),
            food_secure: g[0],
            clothing_secure: g[1],
            education_secure: g[2],
            medical_secure: g[3],
            housing_secure: g[4],
            water_secure: g[5],
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct HouseholdView {
    pub year: i32,
    pub household_id: String,
    pub county_code: String,
    pub village_code: String,
    pub income_per_capita: f64,
    pub status: PovertyStatus,
    pub identified_year: i32,
    pub exit_year: Option<i32>,
    pub cause: Cause,
    pub members: i64,
    #[serde(flatten)]
    pub extended: HouseholdExtrasView,
}

fn view(h: &HouseholdRow, members: i64) -> HouseholdView {
    HouseholdView {
        year: h.year,
        household_id: h.household_id.clone(),
        county_code: h.county_code.clone(),
        village_code: h.village_code.clone(),
        income_per_capita: h.income_fen as f64 / 100.0,
        status: PovertyStatus::from_code(h.status).unwrap_or(PovertyStatus::Poor),
        identified_year: h.identified_year,
        exit_year: h.exit_year,
        cause: Cause::from_code(h.cause).unwrap_or(Cause::Illness),
        members,
        extended: HouseholdExtrasView::from(&h.extras),
    }
}

/// A household card: the year's record, its members and its timeline.
#[derive(Debug, Clone, Serialize)]
pub struct HouseholdCard {
    pub household: HouseholdView,
    pub members: Vec<MemberView>,
    pub timeline: Vec<HouseholdView>,
    /// The head of each timeline year and where the head changes: a
    /// household number whose head changed may name two families.
    pub timeline_heads: Vec<identity::TimelineHead>,
    pub id_numbers_in_full: bool,
    /// The role may see the ID numbers in full, giving a reason.
    pub may_reveal: bool,
}

/// Opens members for display: the ID number masked unless `full`. Ordered
/// by relation, birth and ID number, so the order never depends on how the
/// rows happen to lie in the database (a key rotation moves them).
fn member_views(keys: &Keys, members: &[MemberRow], full: bool) -> Result<Vec<MemberView>> {
    let mut opened = members
        .iter()
        .map(|m| {
            let key = sealed_by(keys, &m.key_id)?;
            let id = open_text(&key, AAD_ID, &m.id_cipher)?;
            let name = open_text(&key, AAD_NAME, &m.name_cipher)?;
            Ok((m, id, name))
        })
        .collect::<Result<Vec<_>>>()?;
    opened.sort_by(|(a, a_id, _), (b, b_id, _)| {
        (a.relation, a.birth_year, a_id).cmp(&(b.relation, b.birth_year, b_id))
    });
    Ok(opened
        .into_iter()
        .map(|(m, id, name)| MemberView {
            id_number: if full {
                id
            } else {
                IdNumber::parse(&id)
                    .map(|i| i.masked())
                    .unwrap_or_else(|_| "******".into())
            },
            name,
            relation: Relation::from_code(m.relation).unwrap_or(Relation::Other),
            sex: if m.sex == 1 { "male" } else { "female" },
            birth_year: m.birth_year,
            health: m.extras.health,
            education: m.extras.education,
            labour_skill: m.extras.labour_skill,
            migrant_work: m.extras.migrant_work,
        })
        .collect())
}

/// The key that sealed a row (it may have been rotated away from since).
pub(crate) fn sealed_by(keys: &Keys, key_id: &str) -> Result<std::sync::Arc<PersonalDataKey>> {
    keys.by_id(key_id).ok_or_else(|| {
        AppError::Store(dingdian_store::StoreError::Db(format!(
            "no personal-data key {key_id} in the key ring"
        )))
    })
}

pub(crate) fn open_text(key: &PersonalDataKey, aad: &[u8], sealed: &[u8]) -> Result<String> {
    key.open(aad, sealed)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .map_err(|m| {
            AppError::Store(dingdian_store::StoreError::Db(format!(
                "cannot decrypt a member: {}",
                m.en
            )))
        })
}

impl App {
    pub fn list_households(
        &self,
        actor: &Actor,
        f: &HouseholdFilter,
        page: Page,
    ) -> Result<(Vec<HouseholdView>, i64)> {
        actor.require(Action::ReadRegistry)?;
        let (rows, total) = self
            .store
            .read(|c| reg::households(c, &actor.scope, f, page))?;
        if f.head_name_index.is_some() {
            self.audit_name_search(actor, total)?;
        }
        Ok((rows.iter().map(|(h, n)| view(h, *n)).collect(), total))
    }

    /// A household card, ID numbers masked. A role entitled to see them in
    /// full sees them when it gives a reason (`reveal`); each such
    /// disclosure is audited with that reason.
    pub fn household_card(
        &self,
        actor: &Actor,
        year: i32,
        household_id: &str,
        reveal: Option<&str>,
    ) -> Result<HouseholdCard> {
        actor.require(Action::ReadRegistry)?;
        let entitled = actor.role.may(Action::RevealIdNumbers);
        let reason: String = reveal
            .map(str::trim)
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
        let full = entitled && !reason.is_empty();
        let (h, members, timeline, heads) = self.store.read(|c| -> Result<_> {
            let (h, m) = reg::household_members(c, &actor.scope, year, household_id)?
                .ok_or_else(|| AppError::not_found("建档立卡户", "household"))?;
            let t = reg::household_timeline(c, &actor.scope, household_id)?;
            let heads = reg::household_heads(c, &actor.scope, household_id)?;
            Ok((h, m, t, heads))
        })?;
        let timeline_heads = identity::timeline_heads(self, &heads)?;
        let members = member_views(self.keys(), &members, full)?;
        if full {
            self.store.write(|c| {
                audit(
                    c,
                    actor,
                    "registry.disclose",
                    ("household", &format!("{year}/{household_id}")),
                    "success",
                    Some(format!(
                        "{} ID numbers shown in full; reason: {reason}",
                        members.len()
                    )),
                )
            })?;
        }
        Ok(HouseholdCard {
            household: view(&h, members.len() as i64),
            timeline: timeline.iter().map(|t| view(t, 0)).collect(),
            timeline_heads,
            members,
            id_numbers_in_full: full,
            may_reveal: entitled && !full,
        })
    }

    /// Exact search by ID number: the (year, household) registrations the
    /// scope reaches.
    pub fn find_by_id_number(&self, actor: &Actor, id: &str) -> Result<Vec<(i32, String)>> {
        actor.require(Action::ReadRegistry)?;
        let id = IdNumber::parse(id)
            .map_err(|m| AppError::Invalid(vec![FieldError::new("id_number", id, m)]))?;
        // Under every key in the ring: during a rotation a person's rows may
        // still carry the previous key's index.
        let ring = self.keys().refresh(false)?;
        let indexes: Vec<Vec<u8>> = ring.all().iter().map(|k| id_index(k, &id)).collect();
        Ok(self
            .store
            .read(|c| reg::find_by_index(c, &actor.scope, &indexes))?)
    }

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
        let rows = self.store.read(|c| reg::export_rows(c, year, area))?;
        let keys = self.keys();
        // The extended columns are written when any member has them, so a
        // registry without them exports exactly the contract's columns.
        let extended = rows
            .iter()
            .any(|(h, m)| !h.extras.is_empty() || !m.extras.is_empty());
        let out = rows
            .iter()
            .map(|(h, m)| {
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
                    rules::yuan_text(h.income_fen),
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
            })
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
        if !rules::is_registry_year(year) {
            return Err(AppError::invalid(
                "year",
                year.to_string(),
                "year_out_of_range",
                "年度应在 2010–2035 之间",
                "the year must lie between 2010 and 2035",
            ));
        }
        let fen = rules::parse_yuan(yuan.trim(), false)
            .map_err(|m| AppError::Invalid(vec![FieldError::new("line_yuan", yuan, m)]))?;
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

/// Writes a table (exports, rejects) as CSV or xlsx bytes by file name.
pub fn table_bytes(name: &str, t: &Table) -> Result<Vec<u8>> {
    if name.to_ascii_lowercase().ends_with(".xlsx") {
        let rows: Vec<Vec<Cell>> = t
            .rows
            .iter()
            .map(|(_, r)| r.iter().map(|s| Cell::Text(s.clone())).collect())
            .collect();
        tabular::write_xlsx("sheet1", &t.headers, &rows)
    } else {
        let rows: Vec<&Vec<String>> = t.rows.iter().map(|(_, r)| r).collect();
        tabular::csv_bytes(&t.headers, &rows)
    }
}

impl App {
    /// Households of a page with their members (for the API): ID numbers
    /// always masked, whatever the role. A list never discloses numbers in
    /// bulk; the full numbers of one household are shown only through
    /// [`household_card`](Self::household_card), with a reason, audited.
    pub fn household_pages(
        &self,
        actor: &Actor,
        f: &HouseholdFilter,
        page: Page,
    ) -> Result<(Vec<HouseholdCard>, i64)> {
        actor.require(Action::ReadRegistry)?;
        let keys = self.keys();
        let (cards, total) = self.store.read(|c| -> Result<_> {
            let (rows, total) = reg::households(c, &actor.scope, f, page)?;
            let mut cards = Vec::with_capacity(rows.len());
            for (h, n) in &rows {
                let (_, members) =
                    reg::household_members(c, &actor.scope, h.year, &h.household_id)?
                        .unwrap_or((h.clone(), Vec::new()));
                cards.push(HouseholdCard {
                    household: view(h, *n),
                    members: member_views(keys, &members, false)?,
                    timeline: Vec::new(),
                    timeline_heads: Vec::new(),
                    id_numbers_in_full: false,
                    may_reveal: actor.role.may(Action::RevealIdNumbers),
                });
            }
            Ok((cards, total))
        })?;
        if f.head_name_index.is_some() {
            self.audit_name_search(actor, total)?;
        }
        Ok((cards, total))
    }
}

impl App {
    /// The years that hold registry rows, newest first.
    pub fn registry_years(&self, actor: &Actor) -> Result<Vec<i32>> {
        actor.require(Action::ReadRegistry)?;
        let mut y = self.store.with_snapshot(|s| s.years())?;
        y.sort();
        y.dedup();
        y.reverse();
        Ok(y)
    }
}

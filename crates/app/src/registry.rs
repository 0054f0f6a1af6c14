//! The registry (建档立卡): importing registry and statistics files with
//! every rule of the interchange contract, browsing households, the
//! household timeline, search by ID number, export, the poverty lines.
//!
//! ID numbers and names are sealed (SM4-GCM) and indexed (HMAC-SM3)
//! before they reach the store; they are opened only for display, masked
//! for every role not entitled to see them in full.

use crate::error::{AppError, Result};
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
    /// Chinese), the input's columns unchanged and `错误/error` last.
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
    /// Counties whose year the import left much smaller than their latest
    /// earlier year (a warning; the import is done).
    pub smaller_than_before: Vec<crate::shrink::SmallerThanBefore>,
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
    pub fn json(&self, lang: &str) -> serde_json::Value {
        serde_json::json!({
            "households": self.households,
            "members": self.members,
            "rejected": self.rejected,
            "errors": self.errors.iter().map(|e| ImportError::new(e, lang)).collect::<Vec<_>>(),
            "dry_run": self.dry_run,
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
                        household_code: s.row.household_id.clone(),
                        county_code: s.row.county_code().to_string(),
                        id_cipher: seal(key, AAD_ID, s.row.id_number.as_str()),
                        name_cipher: seal(key, AAD_NAME, &s.row.name),
                        key_id: key_id.clone(),
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

fn duplicate_registered(masked: &str, county: &str, household: &str) -> FieldError {
    FieldError::new(
        "id_number",
        masked,
        Msg::new(
            "duplicate_registration",
            format!("该证件号码本年度已在县 {county} 的户 {household} 登记（重复登记）"),
            format!(
                "this ID number is already registered this year in county {county}, household {household} (duplicate registration)"
            ),
        ),
    )
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

impl App {
    /// Imports a registry file: all or nothing by default (every problem
    /// reported with its Excel row), or with `skip_invalid` the valid
    /// households only, the rest returned as rejects. Re-importing a
    /// household of a year replaces it. One transaction: a crash leaves
    /// the database as it was.
    pub fn import_registry(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: &[u8],
        opts: ImportOptions,
        progress: Progress,
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
        let mut checked = sheet.rows(|_, cells| {
            let r = rules::validate_row(&index.raw(cells), &known, excel)?;
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
        progress("validate", total, total);
        progress("households", 0, total);
        // The rows stay where they were made (one copy of 10 M rows is
        // gigabytes); the errors move out beside them.
        let row_numbers: Vec<usize> = checked.iter().map(|(row, _)| *row).collect();
        let mut errors: Vec<Vec<FieldError>> = checked
            .iter_mut()
            .map(|(_, r)| r.as_mut().err().map(std::mem::take).unwrap_or_default())
            .collect();

        // 2. Households and duplicates within the file, repeated until no
        //    more rows fall out (a rejected head makes a household headless).
        let rows: Vec<Option<&RegistryRow>> =
            checked.iter().map(|(_, r)| r.as_ref().ok()).collect();
        let mut rejected: Vec<bool> = errors.iter().map(|e| !e.is_empty()).collect();
        loop {
            let before = rejected.iter().filter(|r| **r).count();
            // Households in the order they first appear (a file lists them
            // together, so checking them walks the rows in order); the maps
            // sized up front, never grown and rehashed.
            let mut household_of: HashMap<(i32, &str), usize> =
                HashMap::with_capacity(rows.len() / 2);
            let mut households: Vec<Vec<usize>> = Vec::new();
            let mut seen: HashMap<(i32, &str), usize> = HashMap::with_capacity(rows.len());
            for (i, r) in rows.iter().enumerate() {
                let Some(r) = r else { continue };
                if rejected[i] {
                    continue;
                }
                if let Some(&first) = seen.get(&(r.year, r.id_number.as_str())) {
                    errors[i].push(duplicate_in_file(r.id_number.as_str(), row_numbers[first]));
                    rejected[i] = true;
                    continue;
                }
                seen.insert((r.year, r.id_number.as_str()), i);
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
                let problems = rules::check_household(&list);
                if problems.is_empty() {
                    continue;
                }
                for p in problems {
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
            if rejected.iter().filter(|r| **r).count() == before {
                break;
            }
        }
        if !opts.skip_invalid && rejected.iter().any(|r| *r) {
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
                        errors[accepted[k]].push(FieldError::new(
                            "household_id",
                            row.household_id.as_str(),
                            Msg::new(
                                "household_in_other_county",
                                format!("该户编号本年度已被县 {county} 使用，不能覆盖其他县的户"),
                                format!("this household number is already used this year by county {county}; a file cannot replace another county's household"),
                            ),
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
                        errors[accepted[k]].push(duplicate_registered(
                            &s.row.id_number.masked(),
                            county,
                            h,
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
            if !opts.skip_invalid && rejected.iter().any(|r| *r) {
                return Err(AppError::Invalid(collect_errors(&row_numbers, &errors)));
            }
            let kept: Vec<&Sealed> = sealed.iter().flatten().collect();
            let mut households: Vec<HouseholdRow> = Vec::new();
            let mut seen: HashSet<(i32, &str)> = HashSet::new();
            for s in &kept {
                if seen.insert((s.row.year, s.row.household_id.as_str())) {
                    households.push(HouseholdRow {
                        year: s.row.year,
                        household_code: s.row.household_id.clone(),
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
                    .map(|h| h.household_code.clone())
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
            let report = ImportReport {
                households: households.len(),
                members: kept.len(),
                rejected: rejected.iter().filter(|r| **r).count(),
                errors: collect_errors(&row_numbers, &errors),
                rejects: None,
                dry_run: opts.dry_run,
                smaller_than_before,
            };
            audit(
                c,
                actor,
                if opts.dry_run {
                    "registry.import.dry_run"
                } else {
                    "registry.import"
                },
                ("file", file_name),
                "success",
                Some(format!(
                    "{} households, {} members, {} rejected",
                    report.households, report.members, report.rejected
                )),
            )?;
            Ok(report)
        };
        // A dry run checks everything against the database, then nothing stays.
        let mut report = if opts.dry_run {
            self.store.dry_run(transaction)?
        } else {
            self.store.write(transaction)?
        };
        if !report.dry_run {
            let partitions: BTreeSet<(i32, String)> = sealed
                .iter()
                .flatten()
                .map(|s| (s.row.year, s.row.county_code().to_string()))
                .collect();
            self.store
                .refresh_snapshot(&partitions.into_iter().collect::<Vec<_>>())?;
        }
        if report.rejected > 0 {
            // The rejected rows as they were read: the file is read once
            // more, into cells, only now that some are wanted.
            let table = tabular::read(file_name, bytes, encoding)?;
            report.rejects = Some(rejects(
                &table,
                &errors,
                &rejected,
                map.index("household_id"),
            ));
        }
        Ok(report)
    }

    /// Imports an area statistics file: all or nothing by default, or with
    /// `skip_invalid` the valid rows only, the rest returned as rejects.
    /// Re-importing replaces.
    pub fn import_statistics(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: &[u8],
        opts: ImportOptions,
    ) -> Result<StatisticsReport> {
        actor.require(Action::ImportRegistry)?;
        let table = tabular::read(file_name, bytes, opts.encoding.unwrap_or(Encoding::Auto))?;
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
                    errors[i] = es;
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
            // The first row of a key is kept; a later one is the mistake.
            if let Some(first) = seen.get(&(r.year, r.area_code.clone())) {
                errors[i].push(FieldError::new(
                    "area_code",
                    r.area_code.as_str(),
                    Msg::new(
                        "duplicate_key",
                        format!("与第 {first} 行的年度和区划重复"),
                        format!("the same year and area as row {first}"),
                    ),
                ));
                continue;
            }
            seen.insert((r.year, r.area_code.clone()), *row);
            out.push(StatisticsRow {
                year: r.year,
                area_code: r.area_code,
                rural_population: r.rural_population,
                rural_income_fen: r.rural_income_fen,
            });
        }
        let rejected: Vec<bool> = errors.iter().map(|e| !e.is_empty()).collect();
        let n_rejected = rejected.iter().filter(|r| **r).count();
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
            rejects: (n_rejected > 0).then(|| rejects(&table, &errors, &rejected, None)),
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
                ("file", file_name),
                "success",
                Some(format!("{} rows, {} rejected", out.len(), n_rejected)),
            )
        })?;
        self.store.refresh_snapshot(&[])?;
        Ok(report)
    }
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

/// The rejected rows, as read, with an added `错误/error` column.
/// `household_column` is where the household number stands, for the rows
/// left out only because their household was.
fn rejects(
    table: &Table,
    errors: &[Vec<FieldError>],
    rejected: &[bool],
    household_column: Option<usize>,
) -> Rejects {
    let mut headers = table.headers.clone();
    headers.push("错误/error".into());
    let rows = table
        .rows
        .iter()
        .enumerate()
        .filter(|(i, _)| rejected[*i])
        .map(|(i, (_, cells))| {
            let mut row = cells.clone();
            row.resize(table.headers.len(), String::new());
            let text = if errors[i].is_empty() {
                let household = household_column
                    .and_then(|k| cells.get(k))
                    .cloned()
                    .unwrap_or_default();
                let e = household_rejected(&household);
                format!(
                    "{} / {}",
                    crate::error_line(&e, "zh"),
                    crate::error_line(&e, "en")
                )
            } else {
                errors[i]
                    .iter()
                    .map(|e| {
                        format!(
                            "{} / {}",
                            crate::error_line(e, "zh"),
                            crate::error_line(e, "en")
                        )
                    })
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
        household_id: h.household_code.clone(),
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
        Ok((rows.iter().map(|(h, n)| view(h, *n)).collect(), total))
    }

    /// A household card, ID numbers masked. A role entitled to see them in
    /// full sees them when it gives a reason (`reveal`); each such
    /// disclosure is audited with that reason.
    pub fn household_card(
        &self,
        actor: &Actor,
        year: i32,
        household_code: &str,
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
        let (h, members, timeline) = self.store.read(|c| -> Result<_> {
            let (h, m) = reg::household_members(c, &actor.scope, year, household_code)?
                .ok_or_else(|| AppError::not_found("建档立卡户", "household"))?;
            let t = reg::household_timeline(c, &actor.scope, household_code)?;
            Ok((h, m, t))
        })?;
        let members = member_views(self.keys(), &members, full)?;
        if full {
            self.store.write(|c| {
                audit(
                    c,
                    actor,
                    "registry.disclose",
                    ("household", &format!("{year}/{household_code}")),
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

    /// The registry of a year in the import format (ID numbers in full:
    /// entitled roles only, audited).
    pub fn export_registry(&self, actor: &Actor, year: i32, area: Option<&str>) -> Result<Table> {
        actor.require(Action::RevealIdNumbers)?;
        if let Some(c) = actor.scope.county()
            && !area.is_some_and(|a| a.starts_with(c))
        {
            return Err(AppError::Forbidden(Msg::new(
                "outside_scope",
                "只能导出本县的数据",
                "you may export only your own county",
            )));
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
                    h.household_code.clone(),
                    open_text(key, AAD_ID, &m.id_cipher)?,
                    open_text(key, AAD_NAME, &m.name_cipher)?,
                    Relation::from_code(m.relation)
                        .map(|r| r.zh())
                        .unwrap_or("其他")
                        .to_string(),
                    format!("{}.{:02}", h.income_fen / 100, h.income_fen % 100),
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
                Some(format!("{} members", out.len())),
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

    pub fn poverty_lines(&self) -> Result<Vec<reg::PovertyLine>> {
        Ok(self.store.read(reg::poverty_lines)?)
    }

    /// Amends the poverty line of a year.
    pub fn set_poverty_line(&self, actor: &Actor, year: i32, yuan: &str, note: &str) -> Result<()> {
        actor.require(Action::EditPovertyLines)?;
        if !(rules::MIN_YEAR..=rules::MAX_YEAR).contains(&year) {
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
        let mut w = csv::Writer::from_writer(Vec::new());
        let fail =
            |e: csv::Error| AppError::Store(dingdian_store::StoreError::Db(format!("csv: {e}")));
        w.write_record(&t.headers).map_err(fail)?;
        for (_, r) in &t.rows {
            w.write_record(r).map_err(fail)?;
        }
        w.into_inner()
            .map_err(|e| AppError::Store(dingdian_store::StoreError::Db(format!("csv: {e}"))))
    }
}

impl App {
    /// Households of a page with their members (for the API): ID numbers
    /// masked unless the role is entitled, one audit record per disclosure.
    pub fn household_pages(
        &self,
        actor: &Actor,
        f: &HouseholdFilter,
        page: Page,
    ) -> Result<(Vec<HouseholdCard>, i64)> {
        actor.require(Action::ReadRegistry)?;
        let full = actor.role.may(Action::RevealIdNumbers);
        let keys = self.keys();
        let (cards, total) = self.store.read(|c| -> Result<_> {
            let (rows, total) = reg::households(c, &actor.scope, f, page)?;
            let mut cards = Vec::with_capacity(rows.len());
            for (h, n) in &rows {
                let (_, members) =
                    reg::household_members(c, &actor.scope, h.year, &h.household_code)?
                        .unwrap_or((h.clone(), Vec::new()));
                let members = member_views(keys, &members, full)?;
                cards.push(HouseholdCard {
                    household: view(h, *n),
                    members,
                    timeline: Vec::new(),
                    id_numbers_in_full: full,
                    may_reveal: false,
                });
            }
            Ok((cards, total))
        })?;
        if full && !cards.is_empty() {
            let n: usize = cards.iter().map(|c| c.members.len()).sum();
            self.store.write(|c| {
                audit(
                    c,
                    actor,
                    "registry.disclose",
                    ("households", &format!("{:?}", f.area)),
                    "success",
                    Some(format!("{n} ID numbers shown in full")),
                )
            })?;
        }
        Ok((cards, total))
    }
}

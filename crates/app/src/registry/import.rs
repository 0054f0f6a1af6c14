//! Importing a registry file: every row checked, duplicates and households
//! checked across the file and against the database, then the households
//! of the file replaced in one transaction.

use super::import_checks::{
    check_households, duplicate_registered, household_elsewhere, mark_duplicates, outside_scope,
};
use super::report::{collect_errors, no_rows, rejects};
use super::sealing::{AAD_ID, AAD_NAME, id_index, name_index, seal};
use super::{Attempt, ImportOptions, ImportReport, OnCommit, REGISTRY_COLUMNS, reaches};
use crate::error::{AppError, Result};
use crate::identity::{self, IdentityChanges};
use crate::jobs::Progress;
use crate::keys::KeyRing;
use crate::parallel::par_map;
use crate::tabular::{self, ColumnMap, Encoding};
use crate::{Actor, App, audit};
use dingdian_core::crypto::PersonalDataKey;
use dingdian_core::registry::{self as rules, RawRow, RegistryRow, Relation};
use dingdian_core::role::Action;
use dingdian_core::{FieldError, Year, time};
use dingdian_store::areas;
use dingdian_store::registry::{self as reg, HouseholdRow, MemberRow};
// foldhash rather than SipHash: an import hashes every row several times.
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::collections::BTreeSet;
use std::sync::Arc;

/// A member ready to store: the validated row with its blind index. The
/// ciphertexts are made batch by batch while the writer stores the batch
/// before ([`store_members`]).
struct Sealed<'a> {
    /// The row's place in the file (its index in [`Verdicts`]).
    at: usize,
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
                        year: s.row.year.get(),
                        id_index: s.index.clone(),
                        household_id: s.row.household_id.to_string(),
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
        let req = Request {
            actor,
            file_name,
            bytes,
            opts,
            progress,
        };
        let out = self.run_registry_import(&req, on_commit, &mut attempt);
        let action = if opts.dry_run {
            "registry.import.dry_run"
        } else {
            "registry.import"
        };
        self.audit_outcome(actor, action, file_name, &attempt, out, |r| !r.dry_run)
    }

    /// Reads the file and checks each row on its own, then the rows across
    /// the file, then against the database while writing (or, on a dry
    /// run, before rolling back), in one transaction.
    fn run_registry_import(
        &self,
        req: &Request,
        on_commit: Option<OnCommit>,
        attempt: &mut Attempt,
    ) -> Result<ImportReport> {
        req.actor.require(Action::ImportRegistry)?;
        let FileRows {
            mut checked,
            map,
            refused_heads,
        } = self.read_registry_rows(req)?;
        let total = checked.len() as u64;
        attempt.rows = checked.len();
        (req.progress)("validate", total, total);
        (req.progress)("households", 0, total);
        let mut v = Verdicts::take(&mut checked);
        let rows: Vec<Option<&RegistryRow>> =
            checked.iter().map(|(_, r)| r.as_ref().ok()).collect();
        check_across_rows(&rows, &mut v, refused_heads);
        attempt.rejected = v.count();
        if !req.opts.skip_invalid && attempt.rejected > 0 {
            return Err(AppError::Invalid(v.all_errors()));
        }
        // 3. The blind index of every accepted row (in parallel), for the
        //    duplicate check against the database.
        (req.progress)("index", 0, total);
        let ring = self.keys().ring();
        let mut sealed = seal_accepted(&rows, &v, ring.current());
        (req.progress)("index", total, total);
        // 4. In one transaction: duplicates already registered in other
        //    households, then replace and insert.
        let write = Write {
            app: self,
            req,
            ring: &ring,
            map: &map,
            on_commit,
        };
        let transaction =
            |c: &mut dyn dingdian_store::Conn| write.run(c, &mut sealed, &mut v, attempt);
        // A dry run checks everything against the database, then nothing stays.
        let report = if req.opts.dry_run {
            self.store.dry_run(transaction)?
        } else {
            self.store.write(transaction)?
        };
        if !report.dry_run {
            self.refresh_after_import(&sealed, req.progress);
        }
        Ok(report)
    }

    /// 1. Each row on its own, as it is read (on all cores): the file's
    ///    cells are never all held at once.
    fn read_registry_rows(&self, req: &Request) -> Result<FileRows> {
        (req.progress)("read", 0, 1);
        let sheet = tabular::Sheet::open(req.file_name, req.bytes, req.encoding())?;
        let excel = !matches!(sheet.format, tabular::Format::Csv);
        let map = ColumnMap::new(
            &sheet.headers,
            REGISTRY_COLUMNS,
            req.opts.ignore_unknown_columns,
        )?;
        let counties: HashSet<String> = self
            .store
            .read(|c| areas::county_codes(c))?
            .into_iter()
            .collect();
        let known = |code: &str| counties.contains(code);
        let own_county = req.actor.scope.county();
        (req.progress)("validate", 0, 0);
        let index = RawIndex::new(&map);
        let today = time::today();
        // Households whose head row was refused for a cause of its own: they
        // are not also "without a head" (each problem once, at its cause).
        let refused_heads: std::sync::Mutex<HashSet<(String, String)>> = Default::default();
        let checked = sheet.rows(|_, cells| {
            let raw = index.raw(cells);
            let r = rules::validate_row_on(&raw, &known, excel, today).inspect_err(|_| {
                if Relation::parse(raw.relation) == Some(Relation::Head) {
                    let key = (raw.year.to_string(), raw.household_id.to_string());
                    refused_heads.lock().expect("not poisoned").insert(key);
                }
            })?;
            match own_county {
                Some(c) if r.county_code() != c => Err(vec![outside_scope(&r.village_code)]),
                _ => Ok(r),
            }
        })?;
        drop(sheet);
        if checked.is_empty() {
            return Err(no_rows());
        }
        Ok(FileRows {
            checked,
            map,
            refused_heads: refused_heads.into_inner().expect("not poisoned"),
        })
    }

    /// Committed: what follows cannot undo it. A refresh that fails leaves
    /// the snapshot a version behind, and the next reader reloads it whole.
    fn refresh_after_import(&self, sealed: &[Option<Sealed>], progress: Progress) {
        progress("refresh", 0, 1);
        let partitions: BTreeSet<(i32, String)> = sealed
            .iter()
            .flatten()
            .map(|s| (s.row.year.get(), s.row.county_code().to_string()))
            .collect();
        if let Err(e) = self
            .store
            .refresh_snapshot(&partitions.into_iter().collect::<Vec<_>>())
        {
            tracing::warn!("the analytics snapshot was not refreshed after an import: {e}");
        }
        progress("refresh", 1, 1);
    }
}

/// One registry import as asked: who, which file, how.
struct Request<'a> {
    actor: &'a Actor,
    file_name: &'a str,
    bytes: &'a [u8],
    opts: ImportOptions,
    progress: Progress<'a>,
}

impl Request<'_> {
    fn encoding(&self) -> Encoding {
        self.opts.encoding.unwrap_or(Encoding::Auto)
    }
}

/// Each row of a file with its Excel number, valid or with its problems.
type Checked = Vec<(usize, std::result::Result<RegistryRow, Vec<FieldError>>)>;

/// A file read and checked row by row.
struct FileRows {
    checked: Checked,
    map: ColumnMap,
    /// Households (year, number) whose head row was refused.
    refused_heads: HashSet<(String, String)>,
}

/// What the checks have found so far, by the row's place in the file: its
/// Excel number, its problems and whether it is refused.
struct Verdicts {
    row_numbers: Vec<usize>,
    errors: Vec<Vec<FieldError>>,
    rejected: Vec<bool>,
}

impl Verdicts {
    /// The rows stay where they were made (one copy of 10 M rows is
    /// gigabytes); the errors move out beside them.
    fn take(checked: &mut Checked) -> Verdicts {
        let row_numbers = checked.iter().map(|(row, _)| *row).collect();
        let errors: Vec<Vec<FieldError>> = checked
            .iter_mut()
            .map(|(_, r)| r.as_mut().err().map(std::mem::take).unwrap_or_default())
            .collect();
        let rejected = errors.iter().map(|e| !e.is_empty()).collect();
        Verdicts {
            row_numbers,
            errors,
            rejected,
        }
    }

    fn count(&self) -> usize {
        self.rejected.iter().filter(|r| **r).count()
    }

    fn all_errors(&self) -> Vec<FieldError> {
        collect_errors(&self.row_numbers, &self.errors)
    }
}

/// 2. Duplicates within the file, then households, repeated until no more
///    rows fall out (a rejected member takes its household out).
fn check_across_rows(
    rows: &[Option<&RegistryRow>],
    v: &mut Verdicts,
    mut refused_heads: HashSet<(String, String)>,
) {
    mark_duplicates(
        rows,
        &v.row_numbers,
        &mut v.errors,
        &mut v.rejected,
        &mut refused_heads,
    );
    loop {
        let before = v.count();
        check_households(
            rows,
            &v.row_numbers,
            &refused_heads,
            &mut v.errors,
            &mut v.rejected,
        );
        if v.count() == before {
            break;
        }
    }
}

/// The accepted rows with their blind indexes, made on all cores.
fn seal_accepted<'a>(
    rows: &[Option<&'a RegistryRow>],
    v: &Verdicts,
    key: &PersonalDataKey,
) -> Vec<Option<Sealed<'a>>> {
    let accepted: Vec<usize> = (0..rows.len()).filter(|i| !v.rejected[*i]).collect();
    par_map(&accepted, |&at| {
        let row = rows[at].expect("accepted rows are valid");
        Some(Sealed {
            at,
            row,
            index: id_index(key, &row.id_number),
            name_index: name_index(key, &row.name),
        })
    })
}

/// The write transaction of an import.
struct Write<'a> {
    app: &'a App,
    req: &'a Request<'a>,
    ring: &'a Arc<KeyRing>,
    map: &'a ColumnMap,
    on_commit: Option<OnCommit<'a>>,
}

impl Write<'_> {
    fn run(
        &self,
        c: &mut dyn dingdian_store::Conn,
        sealed: &mut [Option<Sealed>],
        v: &mut Verdicts,
        attempt: &mut Attempt,
    ) -> Result<ImportReport> {
        (self.req.progress)("check", 0, v.rejected.len() as u64);
        let years: BTreeSet<Year> = sealed.iter().flatten().map(|s| s.row.year).collect();
        for &year in &years {
            if reg::year_has_members(c, year.get())? {
                self.refuse_other_counties_households(c, year, sealed, v)?;
                self.refuse_registered_ids(c, year, sealed, v, attempt)?;
            }
        }
        attempt.rejected = v.count();
        if !self.req.opts.skip_invalid && attempt.rejected > 0 {
            return Err(AppError::Invalid(v.all_errors()));
        }
        let kept: Vec<&Sealed> = sealed.iter().flatten().collect();
        // Numbers that name another village or head than the year before.
        let heads: HashMap<(i32, &str), &RegistryRow> = kept
            .iter()
            .filter(|s| s.row.relation == Relation::Head)
            .map(|s| ((s.row.year.get(), s.row.household_id.as_str()), s.row))
            .collect();
        let own_county = self.req.actor.scope.county();
        let identity_changes = identity::identity_changes(c, self.ring, own_county, &heads)?;
        let households = self.replace_households(c, &kept, &years)?;
        let mut report = self.report(c, &households, kept.len(), v, attempt, identity_changes)?;
        (report.exit_warnings, report.exit_warning_list) = exit_warnings(c, &kept, &households, v)?;
        Ok(report)
    }

    /// A household number is the household's key in the year: one already
    /// registered in another county is not this file's to replace.
    fn refuse_other_counties_households(
        &self,
        c: &mut dyn dingdian_store::Conn,
        year: Year,
        sealed: &mut [Option<Sealed>],
        v: &mut Verdicts,
    ) -> Result<()> {
        let codes: Vec<String> = sealed
            .iter()
            .flatten()
            .filter(|s| s.row.year == year)
            .map(|s| s.row.household_id.to_string())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let elsewhere: HashMap<String, String> = reg::household_counties(c, year.get(), &codes)?
            .into_iter()
            .collect();
        for s in sealed.iter_mut() {
            let Some((at, row)) = s.as_ref().map(|s| (s.at, s.row)) else {
                continue;
            };
            if row.year == year
                && let Some(county) = elsewhere
                    .get(row.household_id.as_str())
                    .filter(|c| c.as_str() != row.county_code())
            {
                let shown = Some(county.as_str()).filter(|c| reaches(&self.req.actor.scope, c));
                v.errors[at].push(household_elsewhere(row.household_id.as_str(), shown));
                v.rejected[at] = true;
                *s = None;
            }
        }
        Ok(())
    }

    /// ID numbers of the year already registered in households outside the
    /// file: each such row is named, and its whole household refused.
    fn refuse_registered_ids(
        &self,
        c: &mut dyn dingdian_store::Conn,
        year: Year,
        sealed: &mut [Option<Sealed>],
        v: &mut Verdicts,
        attempt: &mut Attempt,
    ) -> Result<()> {
        let of_year: Vec<&Sealed> = sealed
            .iter()
            .flatten()
            .filter(|s| s.row.year == year)
            .collect();
        let in_file: HashSet<&str> = of_year
            .iter()
            .map(|s| s.row.household_id.as_str())
            .collect();
        // The key file is looked at again here, inside the write: a
        // rotation may have begun since the rows were sealed.
        let current = self.ring.current().key_id();
        let others: Vec<_> = (self.app.keys().refresh(false)?.all().iter())
            .filter(|k| k.key_id() != current)
            .cloned()
            .collect();
        let hits = registered_elsewhere(c, year.get(), &of_year, &in_file, &others)?;
        let mut bad_households: HashSet<&str> = HashSet::new();
        for s in &of_year {
            let Some((h, county)) = hits.get(&s.index) else {
                continue;
            };
            if county.as_str() != s.row.county_code() {
                attempt.elsewhere += 1;
            }
            let at =
                reaches(&self.req.actor.scope, county).then_some((county.as_str(), h.as_str()));
            v.errors[s.at].push(duplicate_registered(&s.row.id_number.masked(), at));
            bad_households.insert(s.row.household_id.as_str());
        }
        for s in sealed.iter_mut() {
            if let Some(at) = s
                .as_ref()
                .filter(|s| {
                    s.row.year == year && bad_households.contains(s.row.household_id.as_str())
                })
                .map(|s| s.at)
            {
                v.rejected[at] = true;
                *s = None;
            }
        }
        Ok(())
    }

    /// Replaces the file's households of each year and stores the members.
    fn replace_households(
        &self,
        c: &mut dyn dingdian_store::Conn,
        kept: &[&Sealed],
        years: &BTreeSet<Year>,
    ) -> Result<Vec<HouseholdRow>> {
        let now = time::now_ts();
        let mut households: Vec<HouseholdRow> = Vec::new();
        let mut seen: HashSet<(Year, &str)> = HashSet::new();
        for s in kept {
            if seen.insert((s.row.year, s.row.household_id.as_str())) {
                households.push(household_row(s.row));
            }
        }
        (self.req.progress)("write", 0, kept.len() as u64);
        for &year in years {
            let codes: Vec<String> = households
                .iter()
                .filter(|h| h.year == year.get())
                .map(|h| h.household_id.clone())
                .collect();
            reg::delete_households(c, year.get(), &codes)?;
        }
        reg::insert_households(c, &households, now)?;
        reg::bump_version(c)?;
        store_members(c, self.ring.current(), kept, self.req.progress)?;
        Ok(households)
    }

    /// The report, with the rejects file when rows were refused; audited
    /// and handed to `on_commit` unless it is a dry run.
    fn report(
        &self,
        c: &mut dyn dingdian_store::Conn,
        households: &[HouseholdRow],
        members: usize,
        v: &Verdicts,
        attempt: &Attempt,
        identity_changes: IdentityChanges,
    ) -> Result<ImportReport> {
        let req = self.req;
        let parts: BTreeSet<(i32, String)> = households
            .iter()
            .map(|h| (h.year, h.county_code.clone()))
            .collect();
        let mut report = ImportReport {
            households: households.len(),
            members,
            rejected: attempt.rejected,
            errors: v.all_errors(),
            rejects: None,
            dry_run: req.opts.dry_run,
            identity_changes,
            duplicates_elsewhere: attempt.elsewhere,
            flagged: attempt.flagged(),
            smaller_than_before: crate::shrink::smaller_than_before(c, &parts)?,
            exit_warnings: 0,
            exit_warning_list: Vec::new(),
        };
        if report.rejected > 0 {
            // The rejected rows as they were read: the file is read once
            // more, into cells, only now that some are wanted.
            let table = tabular::read(req.file_name, req.bytes, req.encoding())?;
            let household_column = self.map.index("household_id");
            let (errors, rejected) = (&v.errors, &v.rejected);
            let lang = &req.actor.lang;
            report.rejects = Some(rejects(
                &table,
                self.map,
                errors,
                rejected,
                household_column,
                lang,
            ));
        }
        // A dry run is audited after its roll-back (see import_registry_with).
        if !req.opts.dry_run {
            let detail = format!(
                "{} households, {} members, {} rejected; {}",
                report.households,
                report.members,
                report.rejected,
                attempt.detail()
            );
            let file = dingdian_core::error::clip_to(req.file_name, 128);
            audit(
                c,
                req.actor,
                "registry.import",
                ("file", &file),
                "success",
                Some(detail),
            )?;
            if let Some(f) = self.on_commit {
                f(c, &report)?;
            }
        }
        Ok(report)
    }
}

/// The exit warnings of the imported households, each at the household's
/// first row in the file.
fn exit_warnings(
    c: &mut dyn dingdian_store::Conn,
    kept: &[&Sealed],
    households: &[HouseholdRow],
    v: &Verdicts,
) -> Result<(usize, Vec<crate::exit_check::ExitWarning>)> {
    let lines: std::collections::BTreeMap<i32, i64> = reg::poverty_lines(c)?
        .into_iter()
        .map(|l| (l.year, l.line_fen))
        .collect();
    let mut first_row: HashMap<(i32, &str), usize> = HashMap::new();
    for s in kept {
        first_row
            .entry((s.row.year.get(), s.row.household_id.as_str()))
            .or_insert(v.row_numbers[s.at]);
    }
    let rows: Vec<(Option<usize>, &HouseholdRow)> = households
        .iter()
        .map(|h| {
            (
                first_row.get(&(h.year, h.household_id.as_str())).copied(),
                h,
            )
        })
        .collect();
    Ok(crate::exit_check::import_warnings(&lines, &rows))
}

/// The household fields of a row, as stored.
fn household_row(r: &RegistryRow) -> HouseholdRow {
    HouseholdRow {
        year: r.year.get(),
        household_id: r.household_id.to_string(),
        county_code: r.county_code().to_string(),
        village_code: r.village_code.clone(),
        income_fen: r.income_fen.get(),
        status: r.status.code(),
        identified_year: r.identified_year,
        exit_year: r.exit_year,
        cause: r.cause.code(),
        extras: r.household_extras,
    }
}

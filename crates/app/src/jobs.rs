//! Long work runs as a job: progress lives here while it runs (so a
//! reader never waits on the writer's transaction), the outcome goes to
//! the `jobs` table when it ends.

use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct JobState {
    pub id: i64,
    pub kind: String,
    /// running, succeeded, failed
    pub status: String,
    pub phase: String,
    pub done: u64,
    pub total: u64,
    pub message: Option<String>,
    pub result: Option<serde_json::Value>,
    /// Errors of the outcome left out of `result` (it keeps the first
    /// [`JOB_ERRORS_KEPT`]).
    pub errors_omitted: u64,
    pub username: String,
    pub county: Option<String>,
}

impl JobState {
    /// How far the job is: 100 once it succeeded (a finished job is read
    /// from the table, which keeps no progress).
    pub fn percent(&self) -> u64 {
        if self.status == "succeeded" {
            return 100;
        }
        (self.done * 100)
            .checked_div(self.total)
            .unwrap_or(0)
            .min(100)
    }
}

/// The jobs of this process.
#[derive(Clone, Default)]
pub struct Jobs {
    inner: Arc<Mutex<HashMap<i64, JobState>>>,
}

impl Jobs {
    pub fn put(&self, s: JobState) {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(s.id, s);
    }

    pub fn update(&self, id: i64, f: impl FnOnce(&mut JobState)) {
        if let Some(s) = self
            .inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_mut(&id)
        {
            f(s);
        }
    }

    pub fn get(&self, id: i64) -> Option<JobState> {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&id)
            .cloned()
    }
}

/// Progress reports from long work: (phase, done, total).
pub type Progress<'a> = &'a (dyn Fn(&str, u64, u64) + Sync);

use crate::error::Result;
use crate::registry::{ImportError, ImportOptions, ImportReport};
use crate::{Actor, App, AppError, audit};
use dingdian_core::time;
use dingdian_store::jobs::{self as store_jobs, Outcome};

const AAD_REJECTS: &[u8] = b"jobs.rejects";

/// The most errors a job keeps in its recorded outcome; the others are
/// only counted (`errors_omitted`), so a file with a million bad rows
/// leaves a small record.
pub const JOB_ERRORS_KEPT: usize = 1_000;

/// What a job records when it ends (owned; see [`Outcome`]).
struct Recorded {
    status: &'static str,
    message: Option<String>,
    result: Option<String>,
    errors_omitted: usize,
    rejects: Option<Vec<u8>>,
}

impl Recorded {
    fn outcome(&self) -> Outcome<'_> {
        Outcome {
            status: self.status,
            message: self.message.as_deref(),
            result: self.result.as_deref(),
            errors_omitted: self.errors_omitted as i64,
            rejects: self.rejects.clone(),
        }
    }
}

impl Jobs {
    /// Forgets a job once its outcome is in the table: a finished job is
    /// read from there, never kept in memory.
    pub fn remove(&self, id: i64) {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&id);
    }

    /// How many jobs this process holds in memory.
    pub fn len(&self) -> usize {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl App {
    /// Starts a registry import in the background and returns its job
    /// number at once; `job` tells how it goes.
    pub fn start_registry_import(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: Vec<u8>,
        opts: ImportOptions,
    ) -> Result<i64> {
        let id = self.create_registry_job(actor, file_name)?;
        let (app, actor, name) = (self.clone(), actor.clone(), file_name.to_string());
        std::thread::spawn(move || {
            let jobs = app.jobs.clone();
            let progress = move |phase: &str, done: u64, total: u64| {
                jobs.update(id, |s| {
                    s.phase = phase.to_string();
                    s.done = done;
                    s.total = total;
                })
            };
            app.run_registry_job(&actor, id, &name, &bytes, opts, &progress);
        });
        Ok(id)
    }

    /// Records a registry import job (`running`) that
    /// [`App::run_registry_job`] will carry out; returns its number.
    pub fn create_registry_job(&self, actor: &Actor, file_name: &str) -> Result<i64> {
        actor.require(dingdian_core::role::Action::ImportRegistry)?;
        let now = time::now_ts();
        let name = dingdian_core::error::clip_to(file_name, 128);
        let id = self.store.write(|c| {
            store_jobs::insert_registry_import(
                c,
                &name,
                actor.user_id,
                &actor.username,
                actor.scope.county(),
                now,
            )
        })?;
        self.jobs.put(JobState {
            id,
            kind: "registry_import".into(),
            status: "running".into(),
            phase: "read".into(),
            done: 0,
            total: 0,
            message: None,
            result: None,
            errors_omitted: 0,
            username: actor.username.clone(),
            county: actor.scope.county().map(str::to_string),
        });
        Ok(id)
    }

    /// Carries out a recorded registry import job in this thread. An import
    /// that writes records the job's outcome in its own transaction, so
    /// the data and "succeeded" commit together or not at all; a dry run
    /// or a failure records it afterwards (nothing was written). Every
    /// failure goes to the server log with its cause. Once recorded, the
    /// job leaves this process's memory.
    pub fn run_registry_job(
        &self,
        actor: &Actor,
        id: i64,
        file_name: &str,
        bytes: &[u8],
        opts: ImportOptions,
        progress: Progress,
    ) {
        let lang = actor.lang.clone();
        let with_data = |c: &mut dyn dingdian_store::Conn, report: &ImportReport| -> Result<()> {
            let r = self.succeeded(report, &lang);
            // No job row to record on: the import's data must not commit
            // without its outcome.
            if !store_jobs::finish_with_data(c, id, r.outcome(), time::now_ts())? {
                return Err(AppError::Internal(format!("job {id} is not recorded")));
            }
            Ok(())
        };
        let outcome =
            self.import_registry_with(actor, file_name, bytes, opts, progress, Some(&with_data));
        let recorded = match &outcome {
            Ok(r) if !r.dry_run => {
                self.jobs.remove(id);
                return;
            }
            Ok(r) => self.succeeded(r, &lang),
            Err(e) => {
                log_failure(id, actor, e);
                failed(e, &lang)
            }
        };
        let written = self
            .store
            .write(|c| store_jobs::finish(c, id, recorded.outcome(), time::now_ts()));
        match written {
            Ok(true) => self.jobs.remove(id),
            Ok(false) => {
                // Another server's start recorded it as abandoned meanwhile;
                // that record stands (this run wrote no data either).
                tracing::warn!(
                    job = id,
                    "the job was already recorded as ended; its outcome here was {}",
                    recorded.status
                );
                self.jobs.remove(id);
            }
            Err(e) => {
                // Kept in memory, so that this process can still tell how
                // the job ended; after a restart it reads as not written.
                tracing::error!(job = id, "cannot record how the job ended: {e}");
                let result = recorded
                    .result
                    .as_deref()
                    .and_then(|t| serde_json::from_str(t).ok());
                self.jobs.update(id, |s| {
                    s.status = recorded.status.into();
                    s.message = recorded.message.clone();
                    s.result = result;
                    s.errors_omitted = recorded.errors_omitted as u64;
                });
            }
        }
    }

    /// On a server's start: every job still `running` in the table was
    /// left by a process that stopped. Its import wrote nothing (the
    /// outcome of an import commits with its data), and it is recorded as
    /// failed, saying so. Where several servers share one database, a job
    /// another server is still running reads as failed until it ends; if
    /// it writes, its outcome commits with its data and says succeeded.
    /// Returns the jobs resolved.
    pub fn resolve_abandoned_jobs(&self) -> Result<Vec<i64>> {
        let ids = self
            .store
            .write(|c| store_jobs::resolve_abandoned(c, ABANDONED, time::now_ts()))?;
        for id in &ids {
            tracing::warn!(
                job = id,
                "a job left running by a stopped process is recorded as failed: nothing was written"
            );
        }
        Ok(ids)
    }

    /// The outcome of an import that ran to its end: the report in the
    /// shape of interfaces.md (`row`, `column`, `value`, `code`, `message`
    /// in the user's language, `message_en`), ID numbers masked, at most
    /// [`JOB_ERRORS_KEPT`] errors; the rejects file, which holds the rows
    /// as sent, sealed.
    fn succeeded(&self, r: &ImportReport, lang: &str) -> Recorded {
        Recorded {
            status: "succeeded",
            message: None,
            result: Some(
                r.json_with(lang, JOB_ERRORS_KEPT, mask_id_value)
                    .to_string(),
            ),
            errors_omitted: r.errors.len().saturating_sub(JOB_ERRORS_KEPT),
            rejects: r
                .rejects
                .as_ref()
                .and_then(|t| t.csv().ok())
                .map(|csv| self.seal_rejects(&csv)),
        }
    }

    /// Re-seals the kept rejects files that the current key did not seal
    /// (key rotation). Returns the files changed.
    pub(crate) fn reseal_rejects(&self) -> Result<u64> {
        let keys = self.keys();
        self.store.write(|c| -> Result<u64> {
            let mut changed = 0;
            for (id, sealed) in store_jobs::all_rejects(c)? {
                let (csv, by_current) = keys.open_any(AAD_REJECTS, &sealed).map_err(|m| {
                    crate::AppError::internal(
                        &format!("cannot decrypt the rejects file of job {id}"),
                        &m.en,
                    )
                })?;
                if !by_current {
                    store_jobs::set_rejects(c, id, self.seal_rejects(&csv))?;
                    changed += 1;
                }
            }
            Ok(changed)
        })
    }

    fn seal_rejects(&self, csv: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; 12];
        rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut nonce);
        self.key().seal(nonce, AAD_REJECTS, csv)
    }

    /// The rejects file of a finished import job (UTF-8 CSV with BOM, the
    /// rows as sent with an `错误`/`error` column), as (file name, bytes).
    /// For whoever may follow the job (see [`App::job`]); audited, as it
    /// discloses ID numbers in full.
    pub fn job_rejects(&self, actor: &Actor, id: i64) -> Result<(String, Vec<u8>)> {
        // The file holds ID numbers in full: importers only (every role
        // without a scope may follow a job, not read its rejected rows).
        actor.require(dingdian_core::role::Action::ImportRegistry)?;
        let job = self.job(actor, id)?;
        let row = self.store.read(|c| store_jobs::rejects(c, id))?;
        let none = || {
            crate::AppError::NotFound(dingdian_core::Msg::new(
                "no_rejects",
                "该任务没有被拒绝的行，无可下载的文件",
                "this job rejected no rows: there is no rejects file",
            ))
        };
        let (sealed, file_name) = match row {
            Some((sealed, file_name)) if job.status == "succeeded" => (
                Some(sealed).filter(|b| !b.is_empty()).ok_or_else(none)?,
                file_name,
            ),
            _ => return Err(none()),
        };
        let csv = self
            .keys()
            .open_any(AAD_REJECTS, &sealed)
            .map(|(p, _)| p)
            .map_err(|m| crate::AppError::internal("cannot decrypt a rejects file", &m.en))?;
        let stem = file_name
            .as_deref()
            .and_then(|n| n.rsplit_once('.').map(|(s, _)| s).or(Some(n)))
            .filter(|s| !s.is_empty())
            .unwrap_or("import");
        let name = format!("{stem}.rejects.csv");
        self.store.write(|c| {
            audit(
                c,
                actor,
                "registry.rejects.download",
                ("job", &id.to_string()),
                "success",
                Some(format!("{} bytes", csv.len())),
            )
        })?;
        Ok((name, csv))
    }

    /// A job's state: live while it runs in this process, else as recorded.
    /// A scoped user sees only the jobs it started.
    pub fn job(&self, actor: &Actor, id: i64) -> Result<JobState> {
        // A user without a scope (office, reviewer, inspector and the three
        // administrator duties) sees every job; a scoped user only as an
        // importer: the jobs it ran or those of its own county.
        if actor.scope != dingdian_core::role::Scope::All {
            actor.require(dingdian_core::role::Action::ImportRegistry)?;
        }
        let own = |s: &JobState| {
            actor.scope == dingdian_core::role::Scope::All
                || s.username == actor.username
                || (s.county.is_some() && s.county.as_deref() == actor.scope.county())
        };
        if let Some(s) = self.jobs.get(id).filter(own) {
            return Ok(s);
        }
        let row = self.store.read(|c| store_jobs::get(c, id))?;
        let s = row
            .map(|r| {
                // A job still "running" in the table but unknown to this
                // process died with it.
                let died = r.status == "running";
                JobState {
                    id: r.id,
                    kind: r.kind,
                    status: if died { "failed".into() } else { r.status },
                    phase: String::new(),
                    done: r.done as u64,
                    total: r.total as u64,
                    message: r.message.or_else(|| died.then(|| ABANDONED.into())),
                    result: r.result.and_then(|t| serde_json::from_str(&t).ok()),
                    errors_omitted: r.errors_omitted.max(0) as u64,
                    username: r.username,
                    county: r.county,
                }
            })
            .filter(own);
        s.ok_or_else(|| crate::AppError::not_found("任务", "job"))
    }
}

/// What a job left running by a stopped process is recorded as.
const ABANDONED: &str = "进程已中止，导入未完成，数据未写入 / the process stopped: the import did not finish and wrote nothing";

/// How an import that did not finish is recorded: a short message (how
/// many problems, or the system's failure in words a person can act on,
/// such as a full disk) and at most [`JOB_ERRORS_KEPT`] errors, ID
/// numbers masked.
fn failed(e: &AppError, lang: &str) -> Recorded {
    let (message, result, omitted) = match e {
        AppError::Invalid(errs) => {
            let shaped: Vec<ImportError> = errs
                .iter()
                .take(JOB_ERRORS_KEPT)
                .cloned()
                .map(mask_id_value)
                .map(|e| ImportError::new(&e, lang))
                .collect();
            let n = errs.len();
            (
                format!(
                    "文件有 {n} 处错误，未写入任何数据 / the file has {n} problems; nothing was written"
                ),
                serde_json::to_string(&shaped).ok(),
                n.saturating_sub(JOB_ERRORS_KEPT),
            )
        }
        _ => (
            format!("{} / {}", e.message("zh"), e.message("en")),
            None,
            0,
        ),
    };
    Recorded {
        status: "failed",
        message: Some(message),
        result,
        errors_omitted: omitted,
        rejects: None,
    }
}

/// Every job failure goes to the server log with its cause: the system's
/// own failures (a full disk among them) as errors, a refused file as a
/// warning with its number of problems.
fn log_failure(id: i64, actor: &Actor, e: &AppError) {
    match e {
        cause if cause.is_system() => tracing::error!(
            job = id,
            user = %actor.username,
            disk_full = e.is_disk_full(),
            "registry import job failed: {cause}"
        ),
        AppError::Invalid(errs) => tracing::warn!(
            job = id,
            user = %actor.username,
            problems = errs.len(),
            "registry import job refused the file"
        ),
        other => tracing::warn!(
            job = id,
            user = %actor.username,
            code = other.code(),
            "registry import job failed: {}",
            other.message("en")
        ),
    }
}

/// First six and last four characters of an ID number cell; shorter
/// values are hidden whole.
fn mask_id_value(mut e: dingdian_core::FieldError) -> dingdian_core::FieldError {
    if e.field == "id_number" {
        let chars: Vec<char> = e.value.chars().collect();
        e.value = if chars.len() >= 10 {
            format!(
                "{}********{}",
                chars[..6].iter().collect::<String>(),
                chars[chars.len() - 4..].iter().collect::<String>()
            )
        } else {
            "*".repeat(chars.len())
        };
    }
    e
}

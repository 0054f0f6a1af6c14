//! Long work runs as a job: progress lives here while it runs (so a
//! reader never waits on the writer's transaction), the outcome goes to
//! the `jobs` table when it ends.

use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Serialize, PartialEq)]
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
    pub username: String,
    pub county: Option<String>,
}

impl JobState {
    pub fn percent(&self) -> u64 {
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
use crate::{Actor, App, audit};
use dingdian_core::time;
use dingdian_store::jobs as store_jobs;

const AAD_REJECTS: &[u8] = b"jobs.rejects";

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
        actor.require(dingdian_core::role::Action::ImportRegistry)?;
        let now = time::now_ts();
        let id = self.store.write(|c| {
            store_jobs::insert_registry_import(
                c,
                file_name,
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
            username: actor.username.clone(),
            county: actor.scope.county().map(str::to_string),
        });
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
            let outcome = app.import_registry(&actor, &name, &bytes, opts, &progress);
            app.finish_job(id, &actor.lang, &outcome);
        });
        Ok(id)
    }

    /// Records how a job ended. The report and errors are kept in the
    /// shape of interfaces.md (`row`, `column`, `value`, `code`, `message`
    /// in the user's language, `message_en`), ID numbers masked; the
    /// rejects file, which holds the rows as sent, is kept sealed.
    fn finish_job(&self, id: i64, lang: &str, outcome: &Result<ImportReport>) {
        let mut rejects = None;
        let (status, message, result) = match outcome {
            Ok(r) => {
                let mut r = r.clone();
                r.errors = r.errors.into_iter().map(mask_id_value).collect();
                rejects = r
                    .rejects
                    .as_ref()
                    .and_then(|t| t.csv().ok())
                    .map(|csv| self.seal_rejects(&csv));
                ("succeeded", None, Some(r.json(lang)))
            }
            Err(e) => {
                // The report is shown on pages and kept in the jobs table: an
                // ID number in it is masked like everywhere else.
                let errors = match e {
                    crate::AppError::Invalid(errs) => {
                        let shaped: Vec<ImportError> = errs
                            .iter()
                            .cloned()
                            .map(mask_id_value)
                            .map(|e| ImportError::new(&e, lang))
                            .collect();
                        serde_json::to_value(shaped).ok()
                    }
                    _ => None,
                };
                (
                    "failed",
                    Some(format!("{} / {}", e.message("zh"), e.message("en"))),
                    errors,
                )
            }
        };
        // The table first: once the job shows as finished, its rejects file
        // is there to download.
        let text = result.as_ref().map(|r| r.to_string());
        let _ = self.store.write(|c| {
            store_jobs::finish(
                c,
                id,
                status,
                message.as_deref(),
                text.as_deref(),
                rejects.clone(),
                time::now_ts(),
            )
        });
        self.jobs.update(id, |s| {
            s.status = status.into();
            s.message = message.clone();
            s.result = result.clone();
        });
    }

    /// Re-seals the kept rejects files that the current key did not seal
    /// (key rotation). Returns the files changed.
    pub(crate) fn reseal_rejects(&self) -> Result<u64> {
        let keys = self.keys();
        self.store.write(|c| -> Result<u64> {
            let mut changed = 0;
            for (id, sealed) in store_jobs::all_rejects(c)? {
                let (csv, by_current) = keys.open_any(AAD_REJECTS, &sealed).map_err(|m| {
                    crate::AppError::Store(dingdian_store::StoreError::Db(format!(
                        "cannot decrypt the rejects file of job {id}: {}",
                        m.en
                    )))
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
    /// rows as sent with an `错误/error` column), as (file name, bytes).
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
            .map_err(|m| {
                crate::AppError::Store(dingdian_store::StoreError::Db(format!(
                    "cannot decrypt a rejects file: {}",
                    m.en
                )))
            })?;
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
                    message: r.message.or_else(|| died.then(|| "进程已中止，导入未完成，数据未写入 / the process stopped: the import did not finish and wrote nothing".into())),
                    result: r.result.and_then(|t| serde_json::from_str(&t).ok()),
                    username: r.username,
                    county: r.county,
                }
            })
            .filter(own);
        s.ok_or_else(|| crate::AppError::not_found("任务", "job"))
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

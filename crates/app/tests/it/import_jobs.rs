//! Import jobs and what an import discloses (issue 9, findings 17, 19, 20,
//! 22): the duplicate check names no other county's household, every
//! attempt is audited and a probing file flagged; a job's outcome commits
//! with its data; echoed values, kept errors and memory stay small; a full
//! disk is reported as such — on both backends where data is involved.

use crate::common;

use common::*;
use dingdian_app::jobs::JOB_ERRORS_KEPT;
use dingdian_app::registry::{ImportOptions, MANY_DUPLICATES_ELSEWHERE};
use dingdian_app::{Actor, App, AppError};
use dingdian_core::registry::check_digit;
use dingdian_store::{Conn, StoreError, params};
use dingdian_testkit::{TestDb, both_backends};

const VILLAGE: &str = "623023100200";
const HEBEI_VILLAGE: &str = "130125100001";
const HEADER: &str = "年度,村级区划代码,户编号,证件号码,姓名,与户主关系,人均纯收入,脱贫状态,识别年度,脱贫年度,主要致贫原因\n";

both_backends!(
    another_countys_households_are_not_named_and_the_probe_is_audited_and_flagged,
    every_import_attempt_is_audited_dry_failed_or_refused,
    a_committed_import_already_says_succeeded_when_the_process_dies_after_the_commit,
    a_job_left_running_by_a_dead_process_is_recorded_as_failed_on_restart,
    a_huge_cell_gives_a_small_error_and_a_small_job_record,
    a_job_keeps_the_first_thousand_errors_and_counts_the_rest,
    finished_jobs_are_not_kept_in_memory,
    a_statistics_error_on_a_huge_cell_stays_small,
);

/// A valid ID number of someone from `county` born on `date` (YYYYMMDD).
fn id(county: &str, date: &str, seq: u32) -> String {
    let first = format!("{county}{date}{seq:03}");
    format!("{first}{}", check_digit(&first).unwrap())
}

/// The Zhouqu household numbers of [`zhouqu_file`].
fn zhouqu_household(h: u32) -> String {
    format!("6230230046{h:02}")
}

/// `households` Zhouqu households of 2014 with three people each.
fn zhouqu_file(households: u32) -> (String, Vec<String>) {
    let mut s = String::from(HEADER);
    let mut ids = Vec::new();
    for h in 0..households {
        for (k, relation) in ["户主", "配偶", "子女"].iter().enumerate() {
            let n = id(ZHOUQU, "19700101", h * 3 + k as u32);
            s += &format!(
                "2014,{VILLAGE},{},{n},某甲,{relation},2000,未脱贫,2014,,因病\n",
                zhouqu_household(h)
            );
            ids.push(n);
        }
    }
    (s, ids)
}

/// A Xingtang file whose people carry the given ID numbers, one household
/// each.
fn xingtang_file(ids: &[String]) -> String {
    let mut s = String::from(HEADER);
    for (i, n) in ids.iter().enumerate() {
        s += &format!("2014,{HEBEI_VILLAGE},X{i},{n},某乙,户主,1000,未脱贫,2014,,因病\n");
    }
    s
}

fn dry() -> ImportOptions {
    ImportOptions {
        dry_run: true,
        ..Default::default()
    }
}

fn skip() -> ImportOptions {
    ImportOptions {
        skip_invalid: true,
        ..Default::default()
    }
}

/// The newest audit record: (action, username, outcome, detail).
fn last_audit(app: &App) -> (String, String, String, String) {
    let r = app
        .store()
        .read(|c: &mut dyn Conn| {
            c.query_one(
                "SELECT action, username, outcome, detail FROM audit_log ORDER BY id DESC LIMIT 1",
                &[],
            )
        })
        .unwrap()
        .unwrap();
    let text = |c: &str| r.get::<Option<String>>(c).unwrap().unwrap_or_default();
    (
        text("action"),
        text("username"),
        text("outcome"),
        text("detail"),
    )
}

/// Runs an import job to its end in this thread.
fn run_job(app: &App, actor: &Actor, text: &str, opts: ImportOptions) -> i64 {
    let id = app.create_registry_job(actor, "f.csv").unwrap();
    app.run_registry_job(actor, id, "f.csv", text.as_bytes(), opts, &|_, _, _| {});
    id
}

/// The bytes a job's row holds: message, result and rejects file.
fn job_record_bytes(app: &App, id: i64) -> i64 {
    app.store()
        .read(|c: &mut dyn Conn| {
            c.query_i64(
                "SELECT COALESCE(LENGTH(message), 0) + COALESCE(LENGTH(result), 0) \
                 + COALESCE(LENGTH(rejects), 0) FROM jobs WHERE id = ?",
                params![id],
            )
        })
        .unwrap()
}

fn another_countys_households_are_not_named_and_the_probe_is_audited_and_flagged(db: &TestDb) {
    let app = open(db);
    let (text, ids) = zhouqu_file(4);
    app.import_registry(
        &office(),
        "zq.csv",
        text.as_bytes(),
        Default::default(),
        &|_, _, _| {},
    )
    .unwrap();
    let officer = user(&app, "xingtang1", "county", None, Some(XINGTANG));
    let probe = xingtang_file(&ids);
    let errs =
        invalid(app.import_registry(&officer, "mine.csv", probe.as_bytes(), dry(), &|_, _, _| {}));
    let elsewhere: Vec<_> = errs
        .iter()
        .filter(|e| e.msg.code == "duplicate_registration")
        .collect();
    assert_eq!(elsewhere.len(), ids.len(), "{errs:?}");
    let households: Vec<String> = (0..4).map(zhouqu_household).collect();
    for e in &errs {
        for text in [&e.msg.zh, &e.msg.en] {
            assert!(!text.contains(ZHOUQU), "names Zhouqu: {text}");
            assert!(
                !households.iter().any(|h| text.contains(h.as_str())),
                "names a household: {text}"
            );
        }
    }
    // Every such row says the same: nothing groups them into households.
    let texts: std::collections::BTreeSet<&str> =
        elsewhere.iter().map(|e| e.msg.zh.as_str()).collect();
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert!(elsewhere[0].msg.zh.contains("其他地区"));

    // The dry run is in the audit log with its counts, flagged.
    assert!(ids.len() >= MANY_DUPLICATES_ELSEWHERE);
    let (action, who, outcome, detail) = last_audit(&app);
    assert_eq!(
        (action.as_str(), who.as_str(), outcome.as_str()),
        ("registry.import.dry_run", "xingtang1", "failure")
    );
    assert!(detail.contains(&format!("{} rows", ids.len())), "{detail}");
    assert!(
        detail.contains(&format!("{} registered in other counties", ids.len())),
        "{detail}"
    );
    assert!(detail.contains("flagged"), "{detail}");

    // As a job, skipping the bad rows: the report counts and flags them,
    // and the stored outcome names no Zhouqu household either.
    let job = run_job(
        &app,
        &officer,
        &probe,
        ImportOptions {
            dry_run: true,
            ..skip()
        },
    );
    let j = app.job(&officer, job).unwrap();
    assert_eq!(j.status, "succeeded", "{:?}", j.message);
    let r = j.result.unwrap();
    assert_eq!(r["duplicates_elsewhere"], ids.len());
    assert_eq!(r["flagged"], true);
    let stored = r.to_string();
    assert!(
        !stored.contains("在县") && !stored.contains("in county"),
        "{stored}"
    );
    assert!(!households.iter().any(|h| stored.contains(h.as_str())));
    let (action, _, outcome, detail) = last_audit(&app);
    assert_eq!(
        (action.as_str(), outcome.as_str()),
        ("registry.import.dry_run", "success")
    );
    assert!(detail.contains("flagged"), "{detail}");

    // The office, whose scope reaches Zhouqu, is told where.
    let errs =
        invalid(app.import_registry(&office(), "x.csv", probe.as_bytes(), dry(), &|_, _, _| {}));
    assert!(errs[0].msg.zh.contains(ZHOUQU) && errs[0].msg.zh.contains(&households[0]));
}

fn every_import_attempt_is_audited_dry_failed_or_refused(db: &TestDb) {
    let app = open(db);
    let (text, _) = zhouqu_file(1);
    // A clean dry run: audited although it rolled back.
    let before = audit_rows(&app);
    app.import_registry(&office(), "zq.csv", text.as_bytes(), dry(), &|_, _, _| {})
        .unwrap();
    assert_eq!(audit_rows(&app), before + 1);
    let (action, _, outcome, detail) = last_audit(&app);
    assert_eq!(
        (action.as_str(), outcome.as_str()),
        ("registry.import.dry_run", "success")
    );
    assert!(detail.contains("3 rows, 0 rejected"), "{detail}");
    // A failed import.
    let broken = text.replace(",户主,", ",不知道,");
    invalid(app.import_registry(
        &office(),
        "zq.csv",
        broken.as_bytes(),
        Default::default(),
        &|_, _, _| {},
    ));
    let (action, _, outcome, detail) = last_audit(&app);
    assert_eq!(
        (action.as_str(), outcome.as_str()),
        ("registry.import", "failure")
    );
    assert!(
        detail.contains("3 rows") && detail.contains("invalid"),
        "{detail}"
    );
    // A role that may not import.
    let inspector = user(&app, "inspector1", "inspector", None, None);
    expect_forbidden(app.import_registry(
        &inspector,
        "zq.csv",
        text.as_bytes(),
        dry(),
        &|_, _, _| {},
    ));
    let (action, who, outcome, _) = last_audit(&app);
    assert_eq!(
        (action.as_str(), who.as_str(), outcome.as_str()),
        ("registry.import.dry_run", "inspector1", "refused")
    );
    // Statistics: a dry run and a failure.
    let stats = "year,area_code,rural_population,rural_income_per_capita\n2014,623023,1000,3000\n";
    app.import_statistics(&office(), "s.csv", stats.as_bytes(), dry())
        .unwrap();
    let (action, _, outcome, _) = last_audit(&app);
    assert_eq!(
        (action.as_str(), outcome.as_str()),
        ("statistics.import.dry_run", "success")
    );
    let bad = stats.replace("623023", "999999");
    invalid(app.import_statistics(&office(), "s.csv", bad.as_bytes(), Default::default()));
    let (action, _, outcome, detail) = last_audit(&app);
    assert_eq!(
        (action.as_str(), outcome.as_str()),
        ("statistics.import", "failure")
    );
    assert!(detail.contains("1 rows, 1 rejected"), "{detail}");
    // Units: a failure.
    invalid(app.import_units(
        &office(),
        "u.csv",
        b"foo\nbar\n",
        dingdian_app::tabular::Encoding::Auto,
    ));
    let (action, _, outcome, _) = last_audit(&app);
    assert_eq!(
        (action.as_str(), outcome.as_str()),
        ("unit.import", "failure")
    );
}

fn a_committed_import_already_says_succeeded_when_the_process_dies_after_the_commit(db: &TestDb) {
    let app = open(db);
    let (text, _) = zhouqu_file(2);
    let id = app.create_registry_job(&office(), "zq.csv").unwrap();
    // The process "dies" at the first thing it does after the commit.
    let died = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        app.run_registry_job(
            &office(),
            id,
            "zq.csv",
            text.as_bytes(),
            Default::default(),
            &|phase, _, _| {
                if phase == "refresh" {
                    panic!("killed right after the commit");
                }
            },
        )
    }));
    assert!(died.is_err());
    assert_eq!(count(&app, "SELECT COUNT(*) FROM members"), 6);
    // What another process, or this one restarted, reads: the job says
    // succeeded, with its result, from the same commit as the data.
    let restarted = open(db);
    assert!(restarted.resolve_abandoned_jobs().unwrap().is_empty());
    let j = restarted.job(&office(), id).unwrap();
    assert_eq!(j.status, "succeeded", "{:?}", j.message);
    let r = j.result.unwrap();
    assert_eq!(
        (r["households"].as_u64(), r["members"].as_u64()),
        (Some(2), Some(6))
    );

    // Dying before the commit: nothing is written, and the job says so.
    let id = restarted.create_registry_job(&office(), "zq.csv").unwrap();
    let (other, _) = zhouqu_file(3);
    let died = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        restarted.run_registry_job(
            &office(),
            id,
            "zq.csv",
            other.as_bytes(),
            Default::default(),
            &|phase, _, _| {
                if phase == "write" {
                    panic!("killed while writing");
                }
            },
        )
    }));
    assert!(died.is_err());
    assert_eq!(count(&app, "SELECT COUNT(*) FROM members"), 6);
    let again = open(db);
    assert_eq!(again.resolve_abandoned_jobs().unwrap(), vec![id]);
    let j = again.job(&office(), id).unwrap();
    assert_eq!(j.status, "failed");
    assert!(j.message.unwrap().contains("数据未写入"));
}

fn a_job_left_running_by_a_dead_process_is_recorded_as_failed_on_restart(db: &TestDb) {
    let app = open(db);
    let id = app.create_registry_job(&office(), "zq.csv").unwrap();
    // The process stops before running it; a new one starts.
    let restarted = open(db);
    assert_eq!(restarted.resolve_abandoned_jobs().unwrap(), vec![id]);
    let status: String = restarted
        .store()
        .read(|c: &mut dyn Conn| {
            c.query_one("SELECT status, message FROM jobs WHERE id = ?", params![id])
        })
        .unwrap()
        .map(|r| {
            let text = |c: &str| r.get::<Option<String>>(c).unwrap().unwrap_or_default();
            format!("{} {}", text("status"), text("message"))
        })
        .unwrap();
    assert!(
        status.starts_with("failed ") && status.contains("wrote nothing"),
        "{status}"
    );
    // Resolved once: a second start finds nothing left.
    assert!(open(db).resolve_abandoned_jobs().unwrap().is_empty());
}

fn a_huge_cell_gives_a_small_error_and_a_small_job_record(db: &TestDb) {
    let app = open(db);
    let (text, _) = zhouqu_file(2);
    let huge = "名".repeat(350_000); // about 1 MB
    let text = text.replacen("某甲", &huge, 1);
    let errs = invalid(app.import_registry(
        &office(),
        "f.csv",
        text.as_bytes(),
        Default::default(),
        &|_, _, _| {},
    ));
    let e = errs
        .iter()
        .find(|e| e.field == "name")
        .expect("the name error");
    assert!(
        e.value.chars().count() <= 65 && e.value.ends_with('…'),
        "{}",
        e.value.len()
    );
    assert!(AppError::Invalid(errs.clone()).message("zh").len() < 2_000);

    let failed = run_job(&app, &office(), &text, Default::default());
    assert_eq!(app.job(&office(), failed).unwrap().status, "failed");
    assert!(
        job_record_bytes(&app, failed) < 10_000,
        "{}",
        job_record_bytes(&app, failed)
    );
    // Skipping the household: the kept rejects file cuts the cell too.
    let skipped = run_job(&app, &office(), &text, skip());
    let j = app.job(&office(), skipped).unwrap();
    assert_eq!(j.status, "succeeded", "{:?}", j.message);
    assert!(
        job_record_bytes(&app, skipped) < 10_000,
        "{}",
        job_record_bytes(&app, skipped)
    );
    let (_, csv) = app.job_rejects(&office(), skipped).unwrap();
    assert!(csv.len() < 10_000);
}

fn a_job_keeps_the_first_thousand_errors_and_counts_the_rest(db: &TestDb) {
    let app = open(db);
    let mut text = String::from(HEADER);
    let n = JOB_ERRORS_KEPT + 200;
    for i in 0..n {
        text += &format!("2014,{VILLAGE},H{i},123,某甲,户主,2000,未脱贫,2014,,因病\n");
    }
    let job = run_job(&app, &office(), &text, Default::default());
    let j = app.job(&office(), job).unwrap();
    assert_eq!(j.status, "failed");
    assert_eq!(j.result.unwrap().as_array().unwrap().len(), JOB_ERRORS_KEPT);
    assert_eq!(j.errors_omitted, 200);
    let message = j.message.unwrap();
    assert!(
        message.contains(&n.to_string()) && message.len() < 300,
        "{message}"
    );
}

fn finished_jobs_are_not_kept_in_memory(db: &TestDb) {
    let app = open(db);
    let (text, _) = zhouqu_file(1);
    let broken = text.replace(",户主,", ",不知道,");
    let mut ids = Vec::new();
    for _ in 0..6 {
        let id = app
            .start_registry_import(&office(), "f.csv", broken.as_bytes().to_vec(), dry())
            .unwrap();
        let mut waited = 0;
        while app.job(&office(), id).unwrap().status == "running" {
            assert!(waited < 800, "job {id} did not finish");
            std::thread::sleep(std::time::Duration::from_millis(25));
            waited += 1;
        }
        ids.push(id);
    }
    assert_eq!(app.jobs.len(), 0, "finished jobs left in memory");
    // They are still there to read, from the table.
    for id in ids {
        let j = app.job(&office(), id).unwrap();
        assert_eq!(j.status, "failed");
        assert!(j.result.is_some());
    }
}

fn a_statistics_error_on_a_huge_cell_stays_small(db: &TestDb) {
    let app = open(db);
    let huge = "9".repeat(1_000_000);
    let text = format!(
        "year,area_code,rural_population,rural_income_per_capita\n2014,623023,{huge},{huge}\n"
    );
    let e = match app.import_statistics(&office(), "s.csv", text.as_bytes(), Default::default()) {
        Err(e @ AppError::Invalid(_)) => e,
        other => panic!("expected Invalid, got {:?}", other.map(|r| r.rows)),
    };
    let AppError::Invalid(errs) = &e else {
        unreachable!()
    };
    assert!(errs.iter().all(|f| f.value.len() < 200));
    // What the API's 422 answer is made of.
    assert!(e.message("zh").len() < 2_000 && e.message("en").len() < 2_000);
}

/// A log writer that keeps what is written.
#[derive(Clone, Default)]
struct Capture(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for Capture {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;

    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

/// SQLite only: `PRAGMA max_page_count` makes a real SQLITE_FULL (a
/// PostgreSQL disk cannot be filled honestly in a test).
#[test]
fn a_full_disk_fails_the_job_saying_the_disk_is_full_and_logs_the_cause() {
    let db = TestDb::sqlite();
    let app = open(&db);
    let id = app.create_registry_job(&office(), "zq.csv").unwrap();
    // Every connection of the pool (8) may not grow the file any more.
    fn limit(app: &App, left: usize) -> Result<(), StoreError> {
        if left == 0 {
            return Ok(());
        }
        app.store().read(|c: &mut dyn Conn| {
            let pages = c.query_i64("PRAGMA page_count", &[])?;
            c.query(&format!("PRAGMA max_page_count = {pages}"), &[])?;
            limit(app, left - 1)
        })
    }
    limit(&app, 8).unwrap();
    let (text, _) = zhouqu_file(300);
    // The server log, as `serve` writes it, captured for this thread.
    let log = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(log.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        app.run_registry_job(
            &office(),
            id,
            "zq.csv",
            text.as_bytes(),
            Default::default(),
            &|_, _, _| {},
        )
    });
    let logged = log.text();
    assert!(
        logged.contains("ERROR")
            && logged.contains(&format!("job={id}"))
            && logged.contains("disk_full=true")
            && logged.contains("disk full"),
        "{logged}"
    );
    let j = app.job(&office(), id).unwrap();
    assert_eq!(j.status, "failed");
    let message = j.message.unwrap();
    assert!(
        message.contains("磁盘已满") && message.contains("disk is full"),
        "{message}"
    );
    // The store tells a full disk apart from other failures.
    let e = app
        .store()
        .write(|c: &mut dyn Conn| {
            c.execute(
                "INSERT INTO jobs (kind, status, total, done, username, created_at, message) VALUES ('x', 'failed', 0, 0, 'u', 0, ?)",
                params!["x".repeat(200_000)],
            )
        })
        .unwrap_err();
    assert!(matches!(e, StoreError::DiskFull(_)), "{e:?}");
    let e = AppError::from(e);
    assert_eq!(e.code(), "disk_full");
    assert!(e.message("en").contains("disk is full"));
}

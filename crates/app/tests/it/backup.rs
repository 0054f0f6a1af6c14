//! The restore drill: a database with units, plans, users, a sealed
//! registry, statistics and an audit log is backed up while a writer keeps
//! writing, then restored into fresh databases of both backends, and
//! everything is checked — row counts per table, a household card that
//! decrypts, equal indicators, an intact audit chain, ciphertext (never
//! plaintext) in the backup file. And the refusals: not a backup, a newer
//! schema, a missing or wrong key, a target that holds data.

use crate::common;

use common::*;
use dingdian_app::backup::{self, RestoreReport};
use dingdian_app::indicators::IndicatorQuery;
use dingdian_app::registry::ImportOptions;
use dingdian_app::synth::{self, SynthSpec};
use dingdian_app::{App, AppError};
use dingdian_core::area::Level;
use dingdian_store::backup::BackupInfo;
use dingdian_store::{Backend, Conn, Store};
use dingdian_testkit::{TestDb, both_backends};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

both_backends!(
    a_backup_taken_while_writing_restores_intact_on_both_backends,
    restore_refuses_what_it_cannot_restore_and_writes_nothing,
);

const VILLAGE: &str = "623023100200";
const YEAR: i32 = 2014;

/// The key file a test database uses: beside a SQLite file, or the
/// PostgreSQL default in the working directory.
fn key_file(db: &TestDb) -> PathBuf {
    dingdian_app::keys::default_key_file(&db.url)
}

/// Every database of these tests shares one key, as an operator restoring
/// on another machine brings the key file along.
fn share_key(db: &TestDb) {
    // Makes the PostgreSQL default key if no test has yet.
    dingdian_app::keys::Keys::open("postgres://shared").expect("shared key");
    if db.backend == Backend::Sqlite {
        std::fs::copy(
            dingdian_app::keys::default_key_file("postgres://shared"),
            key_file(db),
        )
        .expect("copy the key beside the database");
    }
}

fn no_progress() -> impl FnMut(&str, u64, u64) {
    |_, _, _| {}
}

/// Units, users, a plan with pairings, 300 members of Zhouqu over two
/// years and statistics: most tables hold rows, every write audited.
fn load(app: &App) {
    county_list(app);
    let units = units4(app);
    let office = office();
    let p = plan(app, &office, "备份演练方案", START, END);
    for (u, county) in units.iter().zip(COUNTIES) {
        pair(app, p, *u, county, "lead");
    }
    user(app, "auditor1", "auditor", None, None);
    user(app, "zhouqu1", "county", None, Some(ZHOUQU));
    let spec = SynthSpec {
        counties: vec![(ZHOUQU.into(), vec![VILLAGE.into()])],
        people_per_county: 300,
        seed: 7,
        first_year: YEAR,
        last_year: YEAR + 1,
    };
    let mut csv = synth::header().join(",") + "\n";
    synth::generate(&spec, &|_| 280_000, &mut |row| {
        csv += &row.join(",");
        csv.push('\n');
    });
    let r = app
        .import_registry(
            &office,
            "drill.csv",
            csv.as_bytes(),
            ImportOptions::default(),
            &|_, _, _| {},
        )
        .expect("import the registry");
    assert!(r.members >= 600, "{r:?}");
    let stats = format!(
        "year,area_code,rural_population,rural_income_per_capita\n{YEAR},{ZHOUQU},1000,4675\n{},{ZHOUQU},1000,5000\n",
        YEAR + 1
    );
    app.import_statistics(&office, "s.csv", stats.as_bytes(), ImportOptions::default())
        .expect("import statistics");
}

fn table_count(app: &App, table: &str) -> i64 {
    count(app, &format!("SELECT COUNT(*) FROM {table}"))
}

fn zhouqu_indicators(app: &App) -> serde_json::Value {
    let q = IndicatorQuery {
        area: Some(ZHOUQU.into()),
        level: Some(Level::County),
        ..Default::default()
    };
    serde_json::to_value(app.indicators(&office(), &q).expect("indicators")).unwrap()
}

fn first_household(app: &App) -> String {
    app.store()
        .read(|c: &mut dyn Conn| {
            c.query_one(
                "SELECT household_id FROM households WHERE year = ? ORDER BY household_id LIMIT 1",
                dingdian_store::params![YEAR],
            )
        })
        .unwrap()
        .expect("a household")
        .get("household_id")
        .unwrap()
}

fn a_backup_taken_while_writing_restores_intact_on_both_backends(db: &TestDb) {
    share_key(db);
    let app = open(db);
    load(&app);
    let units_before = table_count(&app, "units");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("drill.dingdian-backup");

    // A writer creates units (each with its audit record) the whole time.
    let stop = AtomicBool::new(false);
    let written = AtomicUsize::new(0);
    let info: BackupInfo = std::thread::scope(|s| {
        let writer_app = app.clone();
        s.spawn(|| {
            let app = writer_app;
            let mut i = 0;
            while !stop.load(Ordering::SeqCst) {
                unit(&app, &format!("并行写入单位{i}"));
                i += 1;
                written.fetch_add(1, Ordering::SeqCst);
            }
        });
        // Once the backup's snapshot is open, let the writer commit more.
        let mut waited = false;
        let mut progress = |_: &str, _: u64, _: u64| {
            if !waited {
                waited = true;
                let until = written.load(Ordering::SeqCst) + 3;
                let deadline = Instant::now() + Duration::from_secs(60);
                while written.load(Ordering::SeqCst) < until {
                    assert!(
                        Instant::now() < deadline,
                        "the writer is blocked by the backup"
                    );
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
        };
        let info = backup(&app, &file, &mut progress).expect("backup");
        stop.store(true, Ordering::SeqCst);
        info
    });
    assert!(file.exists());
    assert!(!Path::new(&format!("{}.partial", file.display())).exists());
    let units_after = table_count(&app, "units");
    let in_backup = |t: &str| {
        info.tables
            .iter()
            .find(|x| x.name == t)
            .map(|x| x.rows as i64)
    };
    assert!(
        units_after > in_backup("units").unwrap(),
        "writes committed during the backup are not in it"
    );
    assert!(in_backup("units").unwrap() >= units_before);
    assert_eq!(in_backup("sessions"), None, "sign-ins are not backed up");
    assert_eq!(info.schema_version, dingdian_store::schema_version());
    assert_eq!(info.key_ids, vec![app.key().key_id()]);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'backup'"
        ),
        1,
        "the backup is audited in the source"
    );

    // The file holds ciphertext only: no ID number or name in the clear.
    let household = first_household(&app);
    let card = app
        .household_card(&office(), YEAR, &household, Some("备份核对 / backup check"))
        .unwrap();
    assert!(card.id_numbers_in_full);
    let bytes = std::fs::read(&file).unwrap();
    for m in &card.members {
        let id = m.id_number.as_bytes();
        assert!(
            !bytes.windows(id.len()).any(|w| w == id),
            "ID number {} in the clear in the backup",
            m.id_number
        );
        let name = m.name.as_bytes();
        assert!(
            !bytes.windows(name.len()).any(|w| w == name),
            "name in the clear"
        );
    }

    // Restore into fresh databases of both backends.
    let mut targets = vec![TestDb::sqlite()];
    targets.extend(TestDb::postgres());
    for target in &targets {
        share_key(target);
        let report = backup::restore(&target.url, &file, false, &mut no_progress())
            .unwrap_or_else(|e| panic!("restore into {:?}: {e:?}", target.backend));
        check_restored(&app, target, &info, &report, &household);

        // A second restore over it needs --force, and then works again.
        let again = backup::restore(&target.url, &file, false, &mut no_progress());
        match again {
            Err(AppError::Conflict(m)) => {
                assert_eq!(m.code, "target_not_empty");
                assert!(m.en.contains("units"), "{}", m.en);
            }
            other => panic!("a restore over data must be refused: {other:?}"),
        }
        let forced = backup::restore(&target.url, &file, true, &mut no_progress()).unwrap();
        check_restored(&app, target, &info, &forced, &household);
    }
}

fn check_restored(
    source: &App,
    target: &TestDb,
    info: &BackupInfo,
    report: &RestoreReport,
    household: &str,
) {
    let restored = open(target);
    let what = format!("{:?} → {:?}", info.source, target.backend);
    // Every table, every row.
    assert_eq!(report.tables.len(), info.tables.len(), "{what}");
    for t in &info.tables {
        let copied = report.tables.iter().find(|x| x.name == t.name).unwrap();
        assert_eq!(copied.rows, t.rows, "{what}: {} copied", t.name);
        let now = table_count(&restored, &t.name) as u64;
        // The restore appends its own audit record.
        let extra = u64::from(t.name == "audit_log");
        assert_eq!(now, t.rows + extra, "{what}: rows of {}", t.name);
        // Nothing but units and the audit log changed in the source since.
        if t.name != "units" && t.name != "audit_log" {
            assert_eq!(
                now as i64,
                table_count(source, &t.name),
                "{what}: {} equals the source",
                t.name
            );
        }
    }
    assert_eq!(table_count(&restored, "sessions"), 0);
    assert_eq!(
        last_audit_action(&restored),
        "restore",
        "{what}: the restore is audited"
    );
    // One snapshot: each unit with its audit record, no more, no less.
    assert_eq!(
        table_count(&restored, "units"),
        count(
            &restored,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'unit.create'"
        ),
        "{what}: units and their audit records come from the same moment"
    );
    // The ciphertext is copied as it was.
    let cipher = |app: &App| {
        app.store()
            .read(|c: &mut dyn Conn| {
                c.query(
                    "SELECT id_cipher, name_cipher FROM members ORDER BY year, id_index",
                    &[],
                )
            })
            .unwrap()
            .iter()
            .map(|r| {
                let cipher = |c: &str| r.get::<Vec<u8>>(c).unwrap();
                (cipher("id_cipher"), cipher("name_cipher"))
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(cipher(&restored), cipher(source), "{what}: sealed values");
    // A household card decrypts to the same people.
    let a = source
        .household_card(&office(), YEAR, household, Some("恢复演练 / restore drill"))
        .unwrap();
    let b = restored
        .household_card(&office(), YEAR, household, Some("恢复演练 / restore drill"))
        .unwrap();
    assert!(!b.members.is_empty());
    let people = |c: &dingdian_app::registry::HouseholdCard| {
        c.members
            .iter()
            .map(|m| (m.id_number.clone(), m.name.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(people(&b), people(&a), "{what}: the card decrypts");
    // The same figures.
    assert_eq!(
        zhouqu_indicators(&restored),
        zhouqu_indicators(source),
        "{what}"
    );
    // The audit chain: intact, ending with the restore.
    assert!(report.chain.intact(), "{what}: {:?}", report.chain);
    // (Opening the card above was audited too: the chain goes on.)
    let chain = verify_chain(&restored).unwrap();
    assert!(chain.intact(), "{what}: {chain:?}");
    assert_eq!(chain.checked as i64, table_count(&restored, "audit_log"));
    // New ids follow the restored ones (PostgreSQL's sequences moved on).
    let max = count(&restored, "SELECT MAX(id) FROM units");
    let id = unit(&restored, &format!("恢复后新单位{}", chain.checked));
    assert!(id > max, "{what}: new unit {id} after {max}");
    assert!(verify_chain(&restored).unwrap().intact());
}

fn backup(app: &App, out: &Path, progress: backup::Progress) -> dingdian_app::Result<BackupInfo> {
    app.database().backup(out, progress)
}

fn verify_chain(app: &App) -> dingdian_app::Result<dingdian_core::audit::ChainReport> {
    app.database().verify_audit_chain()
}

fn field_code(e: &AppError) -> String {
    match e {
        AppError::Invalid(f) => f[0].msg.code.clone(),
        other => other.code().to_string(),
    }
}

fn restore_refuses_what_it_cannot_restore_and_writes_nothing(db: &TestDb) {
    share_key(db);
    let app = open(db);
    load(&app);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("b.db");
    backup(&app, &file, &mut no_progress()).unwrap();

    // Never over an existing file.
    let e = backup(&app, &file, &mut no_progress()).unwrap_err();
    assert_eq!(field_code(&e), "backup_exists");
    let e = backup(&app, &dir.path().join("no/such/b.db"), &mut no_progress()).unwrap_err();
    assert_eq!(field_code(&e), "backup_folder");

    // A fresh SQLite target with no key file at all.
    let target = TestDb::sqlite();
    let untouched = |t: &TestDb| {
        let store = Store::open(&t.url).unwrap();
        assert!(
            store
                .read(dingdian_store::backup::occupied_tables)
                .unwrap()
                .is_empty(),
            "nothing written"
        );
    };

    // Not a backup.
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a database").unwrap();
    let e = backup::restore(&target.url, &text, false, &mut no_progress()).unwrap_err();
    assert_eq!(field_code(&e), "not_a_backup");
    let e = backup::restore(
        &target.url,
        &dir.path().join("missing"),
        false,
        &mut no_progress(),
    )
    .unwrap_err();
    assert_eq!(field_code(&e), "not_a_backup");

    // A backup from a newer schema.
    let newer = dir.path().join("newer.db");
    std::fs::copy(&file, &newer).unwrap();
    rusqlite::Connection::open(&newer)
        .unwrap()
        .execute(
            "UPDATE dingdian_backup SET value = ? WHERE key = 'schema_version'",
            [(dingdian_store::schema_version() + 1).to_string()],
        )
        .unwrap();
    let e = backup::restore(&target.url, &newer, false, &mut no_progress()).unwrap_err();
    assert_eq!(field_code(&e), "backup_newer");
    assert!(e.message("en").contains("newer"), "{}", e.message("en"));

    // No key: refused, and no key is invented.
    assert!(!key_file(&target).exists());
    let e = backup::restore(&target.url, &file, false, &mut no_progress()).unwrap_err();
    assert_eq!(field_code(&e), "key_missing");
    assert!(e.message("en").contains(&app.key().key_id()));
    assert!(!key_file(&target).exists(), "no key file created");

    // Another key: refused.
    std::fs::write(key_file(&target), "11".repeat(32)).unwrap();
    let e = backup::restore(&target.url, &file, false, &mut no_progress()).unwrap_err();
    assert_eq!(field_code(&e), "wrong_key");
    untouched(&target);

    // The right key restores.
    share_key(&target);
    backup::restore(&target.url, &file, false, &mut no_progress()).unwrap();
    assert!(verify_chain(&open(&target)).unwrap().intact());
}

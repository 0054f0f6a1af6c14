//! The audit log's hash chain on both backends: every write chained, the
//! database refusing to change or delete a record, `verify` naming exactly
//! the record an attacker edited or the one removed, concurrent writers
//! keeping one chain, records from before the chain sealed by the
//! migration, and the auditor's search.

use crate::common;

use common::*;
use dingdian_app::{Database, Page};
use dingdian_core::audit::{Fault, GENESIS};
use dingdian_store::audit::{AuditFilter, ChainReport};
use dingdian_store::{Backend, Conn, params};
use dingdian_testkit::{TestDb, both_backends};

both_backends!(
    every_write_extends_one_intact_chain,
    the_database_refuses_to_change_or_delete_audit_records,
    an_edited_record_is_named_by_verify,
    a_rehashed_edit_is_caught_at_the_next_record,
    a_deleted_record_is_named_as_a_gap,
    concurrent_writers_keep_one_chain,
    records_from_before_the_chain_are_sealed_by_the_migration,
    the_auditor_searches_by_account_action_outcome_and_date,
);

fn verify(db: &TestDb) -> ChainReport {
    Database::open(&db.url)
        .and_then(|d| d.verify_audit_chain())
        .expect("walk the chain")
}

/// Creates `n` units, each an audited write.
fn writes(app: &dingdian_app::App, prefix: &str, n: usize) {
    for i in 0..n {
        unit(app, &format!("{prefix}{i}"));
    }
}

/// What an attacker holding the database can do: lift the append-only
/// triggers (the SQLite file opened directly with rusqlite; PostgreSQL
/// through a connection of its owner) and run `sql`.
fn tamper(db: &TestDb, app: &dingdian_app::App, sql: &str) {
    match db.backend {
        Backend::Sqlite => {
            let path = db.url.strip_prefix("sqlite://").unwrap();
            let c = rusqlite::Connection::open(path).unwrap();
            c.execute_batch(&format!(
                "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; {sql}"
            ))
            .unwrap();
        }
        Backend::Postgres => app
            .store()
            .write(|c| {
                c.batch(&format!(
                    "ALTER TABLE audit_log DISABLE TRIGGER USER; {sql}"
                ))
            })
            .unwrap(),
    }
}

fn every_write_extends_one_intact_chain(db: &TestDb) {
    let app = open(db);
    let empty = verify(db);
    assert!(empty.intact() && empty.checked == 0 && empty.head.is_none());
    writes(&app, "链单位", 5);
    let n = audit_rows(&app);
    assert!(n >= 5, "{n} records");
    let r = verify(db);
    assert!(r.intact(), "{r:?}");
    assert_eq!(r.checked as i64, n);
    let (ids, hashes, prevs): (Vec<i64>, Vec<String>, Vec<String>) = {
        let rows = app
            .store()
            .read(|c: &mut dyn Conn| {
                c.query("SELECT id, hash, prev_hash FROM audit_log ORDER BY id", &[])
            })
            .unwrap();
        (
            rows.iter().map(|r| r.get("id").unwrap()).collect(),
            rows.iter().map(|r| r.get("hash").unwrap()).collect(),
            rows.iter().map(|r| r.get("prev_hash").unwrap()).collect(),
        )
    };
    assert_eq!(ids, (1..=n).collect::<Vec<_>>(), "ids run without gaps");
    assert_eq!(prevs[0], GENESIS, "the first record links to the genesis");
    for i in 1..ids.len() {
        assert_eq!(
            prevs[i],
            hashes[i - 1],
            "record {} links to {}",
            ids[i],
            ids[i - 1]
        );
    }
    assert!(hashes.iter().all(|h| h.len() == 64));
    assert_eq!(r.head, Some((n, hashes[hashes.len() - 1].clone())));
}

fn the_database_refuses_to_change_or_delete_audit_records(db: &TestDb) {
    let app = open(db);
    writes(&app, "只增单位", 3);
    let before = audit_rows(&app);
    let attempts = [
        "UPDATE audit_log SET detail = 'rewritten' WHERE id = 2",
        "UPDATE audit_log SET hash = NULL WHERE id = 2",
        "DELETE FROM audit_log WHERE id = 2",
        "DELETE FROM audit_log",
    ];
    for sql in attempts {
        let r = app.store().write(|c| c.execute(sql, &[]));
        let err = r.expect_err(sql).to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    if db.backend == Backend::Postgres {
        let err = app
            .store()
            .write(|c| c.batch("TRUNCATE audit_log"))
            .expect_err("truncate")
            .to_string();
        assert!(err.contains("append-only"), "{err}");
    }
    assert_eq!(audit_rows(&app), before, "nothing removed");
    assert!(verify(db).intact());
    // Retention: nothing in the product deletes audit records, and the
    // database would refuse if it tried, so every record stays (≥ 6 months).
}

fn an_edited_record_is_named_by_verify(db: &TestDb) {
    let app = open(db);
    writes(&app, "篡改单位", 6);
    assert!(verify(db).intact());
    let (at, action) = app
        .store()
        .read(|c: &mut dyn Conn| c.query_one("SELECT at, action FROM audit_log WHERE id = 4", &[]))
        .unwrap()
        .map(|r| {
            (
                r.get::<i64>("at").unwrap(),
                r.get::<String>("action").unwrap(),
            )
        })
        .unwrap();
    tamper(
        db,
        &app,
        "UPDATE audit_log SET detail = 'nothing happened' WHERE id = 4",
    );
    let r = verify(db);
    let b = r.broken.expect("the edit is found");
    assert_eq!(b.id, 4, "exactly the edited record");
    assert_eq!(b.fault, Fault::HashMismatch);
    assert_eq!((b.at, b.action), (at, action));
    assert_eq!(r.checked, 3, "the three before it are intact");
    assert_eq!(r.head.map(|h| h.0), Some(3));
}

fn a_rehashed_edit_is_caught_at_the_next_record(db: &TestDb) {
    let app = open(db);
    writes(&app, "重算单位", 4);
    // The attacker edits record 2 and gives it the right hash for its new
    // content: record 2 is then consistent, and record 3's link is not.
    let (rec, _) = app
        .store()
        .read(|c| dingdian_store::audit::search(c, &Default::default(), Page::all()))
        .unwrap();
    let mut r2 = rec.into_iter().find(|r| r.id == 2).unwrap();
    r2.detail = Some("edited".into());
    let f = dingdian_core::audit::Fields {
        id: r2.id,
        at: r2.at,
        user_id: r2.user_id,
        username: r2.username.as_deref(),
        address: r2.address.as_deref(),
        action: &r2.action,
        object_type: r2.object_type.as_deref(),
        object_id: r2.object_id.as_deref(),
        outcome: &r2.outcome,
        detail: r2.detail.as_deref(),
    };
    let hash = dingdian_core::audit::record_hash(&f, r2.prev_hash.as_deref().unwrap());
    tamper(
        db,
        &app,
        &format!("UPDATE audit_log SET detail = 'edited', hash = '{hash}' WHERE id = 2"),
    );
    let b = verify(db).broken.expect("broken");
    assert_eq!(b.id, 3);
    assert_eq!(
        b.fault,
        Fault::BrokenLink {
            previous_id: Some(2)
        }
    );
}

fn a_deleted_record_is_named_as_a_gap(db: &TestDb) {
    let app = open(db);
    writes(&app, "删除单位", 6);
    tamper(db, &app, "DELETE FROM audit_log WHERE id = 3");
    let r = verify(db);
    let b = r.broken.expect("the deletion is found");
    assert_eq!(b.id, 4, "named at the record after the hole");
    assert_eq!(b.fault, Fault::Gap { from: 3, to: 3 });
    assert!(b.msg().en.contains("record 3 is missing"), "{}", b.msg().en);
    assert_eq!(r.checked, 2);
}

fn concurrent_writers_keep_one_chain(db: &TestDb) {
    let app = open(db);
    let before = audit_rows(&app);
    std::thread::scope(|s| {
        for t in 0..4 {
            let app = app.clone();
            s.spawn(move || {
                for i in 0..8 {
                    unit(&app, &format!("并发单位{t}-{i}"));
                }
            });
        }
    });
    assert_eq!(audit_rows(&app), before + 32, "every write audited once");
    let r = verify(db);
    assert!(r.intact(), "{r:?}");
    assert_eq!(r.checked as i64, before + 32, "one chain, no fork");
}

fn records_from_before_the_chain_are_sealed_by_the_migration(db: &TestDb) {
    let app = open(db);
    // Take migration 4 back out (the later ones stay) and add three old records (ids 1, 2
    // and 5: PostgreSQL's sequence leaves holes when a write rolls back).
    let undo = match db.backend {
        Backend::Sqlite => {
            "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;
             ALTER TABLE audit_log DROP COLUMN prev_hash; ALTER TABLE audit_log DROP COLUMN hash;"
        }
        Backend::Postgres => {
            "DROP TRIGGER audit_log_no_change ON audit_log; DROP TRIGGER audit_log_no_truncate ON audit_log;
             DROP FUNCTION audit_log_append_only(); ALTER TABLE audit_log DROP COLUMN prev_hash, DROP COLUMN hash;"
        }
    };
    app.store()
        .write(|c| -> Result<(), dingdian_store::StoreError> {
            c.batch(undo)?;
            c.execute("DELETE FROM schema_migrations WHERE version = 4", &[])?;
            for id in [1i64, 2, 5] {
                c.execute(
                    "INSERT INTO audit_log (id, at, username, action, outcome, detail) VALUES (?, ?, 'old', 'unit.create', 'success', ?)",
                    params![id, 1_600_000_000 + id, format!("old record {id}")],
                )?;
            }
            Ok(())
        })
        .unwrap();
    drop(app);
    // The next start migrates, chaining the old records from the genesis.
    let r = Database::open(&db.url)
        .expect("migrate")
        .verify_audit_chain()
        .unwrap();
    assert!(r.intact(), "{r:?}");
    assert_eq!(r.checked, 3);
    assert_eq!(r.head.as_ref().map(|h| h.0), Some(5));
    // New records continue the same chain.
    let app = open(db);
    unit(&app, "迁移后单位");
    let r = verify(db);
    assert!(r.intact(), "{r:?}");
    assert_eq!(r.checked, 4);
    assert_eq!(r.head.map(|h| h.0), Some(6));
    // And the sealed old records are now as immutable as new ones.
    let err = app
        .store()
        .write(|c| c.execute("UPDATE audit_log SET detail = 'x' WHERE id = 1", &[]))
        .expect_err("sealed");
    assert!(err.to_string().contains("append-only"), "{err}");
}

fn the_auditor_searches_by_account_action_outcome_and_date(db: &TestDb) {
    let app = open(db);
    let auditor = user(&app, "auditor1", "auditor", None, None);
    user(&app, "wang", "office", None, None);
    assert!(
        app.login(
            "wang",
            "wrong password",
            None,
            dingdian_app::auth::SessionKind::Api,
            None
        )
        .is_err()
    );
    let code = totp(&app, "wang");
    app.login(
        "wang",
        PASSWORD,
        code.as_deref(),
        dingdian_app::auth::SessionKind::Api,
        Some("10.0.0.7".into()),
    )
    .unwrap();
    writes(&app, "检索单位", 2);
    let search = |f: AuditFilter| app.search_audit(&auditor, &f, Page::all()).unwrap();

    let (logins, total) = search(AuditFilter {
        username: Some("wang".into()),
        action: Some("login".into()),
        ..Default::default()
    });
    assert_eq!(total, 2);
    assert!(
        logins
            .iter()
            .all(|r| r.username.as_deref() == Some("wang") && r.action == "login")
    );
    let (failed, _) = search(AuditFilter {
        username: Some("wang".into()),
        outcome: Some("failure".into()),
        ..Default::default()
    });
    assert_eq!(failed.len(), 1);
    let (by_address, _) = search(AuditFilter {
        q: Some("10.0.0.7".into()),
        ..Default::default()
    });
    assert_eq!(by_address.len(), 1, "text search covers the address");
    let (units, _) = search(AuditFilter {
        action: Some("unit.".into()),
        ..Default::default()
    });
    assert_eq!(units.len(), 2);
    assert!(units[0].id > units[1].id, "newest first");
    assert!(
        units
            .iter()
            .all(|r| r.hash.as_ref().is_some_and(|h| h.len() == 64))
    );

    // Dates are Beijing days: today's records, none tomorrow.
    let today = dingdian_core::time::today();
    let (start, end) = dingdian_core::time::day_bounds(today);
    let (_, all) = search(AuditFilter::default());
    let (_, on_today) = search(AuditFilter {
        from: Some(start),
        until: Some(end),
        ..Default::default()
    });
    assert_eq!(on_today, all);
    let (_, tomorrow) = search(AuditFilter {
        from: Some(end),
        ..Default::default()
    });
    assert_eq!(tomorrow, 0);

    // Only the auditor reads the log.
    let office = actor(&app, "wang");
    expect_forbidden(app.search_audit(&office, &AuditFilter::default(), Page::all()));
    expect_forbidden(app.verify_audit(&office));
    assert!(app.verify_audit(&auditor).unwrap().intact());
}

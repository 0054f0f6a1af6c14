//! The funds ledger through the app: every bad input refused with its
//! reason and nothing written, scopes, balances that reconcile with sums
//! computed independently in SQL, the race for the last yuan on both
//! databases, exports (the IATI XML validated against the 2.03 schema),
//! the append-only guard, and a backup that keeps the ledger.

use crate::common;

use common::*;
use dingdian_app::ledger_export::LedgerFormat;
use dingdian_app::{Actor, App, AppError, Page};
use dingdian_core::ledger::{self, AmountValue, LedgerEntryInput, LedgerFilter};
use dingdian_store::{Backend, Conn};
use dingdian_testkit::{TestDb, both_backends, insert_project};
use std::sync::{Arc, Barrier};

both_backends!(
    bad_input_is_refused_with_its_reason_and_nothing_is_written,
    reversals_undo_once_and_never_money_that_moved_on,
    the_office_alone_reallocates_an_earmark,
    each_role_reads_only_its_pairings,
    balances_reconcile_with_independent_sums,
    racing_spends_at_one_balance_only_the_affordable_succeed,
    exports_are_audited_and_the_iati_xml_validates,
    posted_entries_cannot_be_changed_and_a_backup_keeps_them,
);

struct World {
    app: App,
    unit_a: Actor,
    unit_b: Actor,
    county: Actor,
    a: i64,
    b: i64,
    /// Projects of A in Zhouqu: two running, one cancelled.
    p1: i64,
    p2: i64,
    closed: i64,
    url: String,
}

fn world(db: &TestDb) -> World {
    let app = open(db);
    county_list(&app);
    let (a, b) = (unit(&app, "帮扶单位甲"), unit(&app, "帮扶单位乙"));
    let p = plan(&app, &office(), "结对方案", START, END);
    pair(&app, p, a, ZHOUQU, "lead");
    pair(&app, p, b, XINGTANG, "lead");
    World {
        unit_a: user(&app, "unit_a", "unit", Some(a), None),
        unit_b: user(&app, "unit_b", "unit", Some(b), None),
        county: user(&app, "zhouqu", "county", None, Some(ZHOUQU)),
        p1: insert_project(&db.url, a, ZHOUQU, "花椒种植", "in_progress"),
        p2: insert_project(&db.url, a, ZHOUQU, "乡村旅游", "in_progress"),
        closed: insert_project(&db.url, a, ZHOUQU, "已取消项目", "cancelled"),
        app,
        a,
        b,
        url: db.url.clone(),
    }
}

fn entry(kind: &str, unit: i64, project: Option<i64>, fen: i64) -> LedgerEntryInput {
    LedgerEntryInput {
        kind: kind.into(),
        unit_id: Some(unit),
        county_code: ZHOUQU.into(),
        source: "direct".into(),
        project_id: project,
        amount_fen: Some(AmountValue::Whole(fen)),
        date: "2024-03-01".into(),
        document_no: "凭-001".into(),
        ..Default::default()
    }
}

fn reversal(of: i64, why: &str) -> LedgerEntryInput {
    LedgerEntryInput {
        kind: "reversal".into(),
        reverses: Some(of),
        date: "2024-03-02".into(),
        note: why.into(),
        ..Default::default()
    }
}

fn post(w: &World, actor: &Actor, input: LedgerEntryInput) -> i64 {
    w.app
        .post_entry(actor, &input)
        .unwrap_or_else(|e| panic!("post {input:?}: {e:?}"))
        .id
}

/// The reason codes of a refusal (`invalid`'s field codes, else the error's code).
fn reasons(r: Result<dingdian_core::ledger::LedgerEntry, AppError>) -> Vec<String> {
    match r {
        Ok(e) => panic!("accepted: {e:?}"),
        Err(AppError::Invalid(errs)) => errs.into_iter().map(|e| e.msg.code).collect(),
        Err(e) => vec![e.code().to_string()],
    }
}

fn entries(app: &App) -> i64 {
    count(app, "SELECT COUNT(*) FROM ledger_entries")
}

fn refused_audits(app: &App) -> i64 {
    count(
        app,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'ledger.post' AND outcome = 'refused'",
    )
}

fn bad_input_is_refused_with_its_reason_and_nothing_is_written(db: &TestDb) {
    let w = world(db);
    post(&w, &w.unit_a, entry("receipt", w.a, Some(w.p1), 10_000));
    let (before, audits) = (entries(&w.app), refused_audits(&w.app));
    let mut cases: Vec<(LedgerEntryInput, &str)> = vec![
        (entry("commitment", w.a, Some(w.p1), -5), "bad_amount"),
        (entry("commitment", w.a, Some(w.p1), 0), "bad_amount"),
        (entry("commitment", w.a, Some(w.p1), 10_001), "overdraw"),
        (entry("commitment", w.a, Some(w.p2), 1), "other_earmark"),
        (entry("disbursement", w.a, Some(w.p1), 1), "overdraw"),
        (
            entry("commitment", w.a, Some(w.closed), 1),
            "project_closed",
        ),
        (entry("receipt", w.a, Some(9_999), 1), "unknown_project"),
    ];
    let mut fraction = entry("receipt", w.a, None, 1);
    fraction.amount_fen = Some(AmountValue::Fraction(10.5));
    cases.push((fraction, "bad_amount"));
    let mut yuan = entry("receipt", w.a, None, 1);
    (yuan.amount_fen, yuan.amount_yuan) = (None, "10.005".into());
    cases.push((yuan, "bad_amount"));
    let mut future = entry("receipt", w.a, None, 1);
    future.date = (dingdian_core::time::today() + chrono::Days::new(1)).to_string();
    cases.push((future, "future_date"));
    // Another unit's pairing, and a county the unit is not paired with.
    cases.push((entry("receipt", w.a, None, 1), "not_found"));
    let mut unpaired = entry("receipt", w.a, None, 1);
    unpaired.county_code = XINGTANG.into();
    cases.push((unpaired, "not_found"));
    for (i, (input, why)) in cases.into_iter().enumerate() {
        let actor = if i == 10 { &w.unit_b } else { &w.unit_a };
        let got = reasons(w.app.post_entry(actor, &input));
        assert_eq!(got, vec![why.to_string()], "case {i}: {input:?}");
    }
    assert_eq!(
        reasons(w.app.post_entry(&w.county, &entry("receipt", w.a, None, 1))),
        vec!["forbidden"]
    );
    assert_eq!(entries(&w.app), before, "nothing written");
    assert_eq!(refused_audits(&w.app), audits + 13, "every refusal audited");
    let detail = dingdian_testkit::audit_records(&w.url, "other_earmark");
    assert_eq!(detail.len(), 1, "the reason is in the audit record");
}

fn reversals_undo_once_and_never_money_that_moved_on(db: &TestDb) {
    let w = world(db);
    let receipt = post(&w, &w.unit_a, entry("receipt", w.a, None, 5_000));
    let commitment = post(&w, &w.unit_a, entry("commitment", w.a, Some(w.p1), 3_000));
    let r = w.app.post_entry(&w.unit_a, &reversal(receipt, "录错金额"));
    assert_eq!(reasons(r), vec!["reversal_negative"]);
    let undo = post(&w, &w.unit_a, reversal(commitment, "项目调整"));
    assert_eq!(
        reasons(w.app.post_entry(&w.unit_a, &reversal(commitment, "again"))),
        vec!["already_reversed"]
    );
    assert_eq!(
        reasons(w.app.post_entry(&w.unit_a, &reversal(undo, "undo"))),
        vec!["reversal_of_reversal"]
    );
    assert_eq!(
        reasons(w.app.post_entry(&w.unit_a, &reversal(commitment, ""))),
        vec!["reason_required"]
    );
    // Another unit cannot reach the entry at all.
    assert_eq!(
        reasons(w.app.post_entry(&w.unit_b, &reversal(receipt, "x"))),
        vec!["not_found"]
    );
    post(&w, &w.unit_a, reversal(receipt, "录错金额"));
    let b = w
        .app
        .ledger_balances(&w.unit_a, &LedgerFilter::default())
        .unwrap();
    assert!(
        b.iter()
            .all(|b| b.received_fen == 0 && b.committed_fen == 0 && b.available_fen == 0),
        "{b:?}"
    );
    let stored = w.app.ledger_entry(&w.unit_a, commitment).unwrap();
    assert_eq!(stored.reversed_by, Some(undo));
}

fn the_office_alone_reallocates_an_earmark(db: &TestDb) {
    let w = world(db);
    post(&w, &w.unit_a, entry("receipt", w.a, Some(w.p1), 8_000));
    post(&w, &w.unit_a, entry("commitment", w.a, Some(w.p1), 5_000));
    let mut move_it = entry("reallocation", w.a, Some(w.p1), 3_000);
    move_it.to_project_id = Some(w.p2);
    assert_eq!(
        reasons(w.app.post_entry(&w.unit_a, &move_it)),
        vec!["forbidden"]
    );
    let mut too_much = move_it.clone();
    too_much.amount_fen = Some(AmountValue::Whole(3_001));
    assert_eq!(
        reasons(w.app.post_entry(&office(), &too_much)),
        vec!["overdraw"]
    );
    let mut to_closed = move_it.clone();
    to_closed.to_project_id = Some(w.closed);
    assert_eq!(
        reasons(w.app.post_entry(&office(), &to_closed)),
        vec!["project_closed"]
    );
    let id = post(&w, &office(), move_it);
    post(&w, &w.unit_a, entry("commitment", w.a, Some(w.p2), 3_000));
    let f = LedgerFilter {
        project_id: Some(w.p2),
        ..Default::default()
    };
    let b = w.app.ledger_balances(&w.county, &f).unwrap();
    assert_eq!(
        (b.len(), b[0].received_fen, b[0].committed_fen),
        (1, 3_000, 3_000)
    );
    // A unit does not undo the office's reallocation.
    assert_eq!(
        reasons(w.app.post_entry(&w.unit_a, &reversal(id, "x"))),
        vec!["forbidden"]
    );
}

fn each_role_reads_only_its_pairings(db: &TestDb) {
    let w = world(db);
    let mine = post(&w, &w.unit_a, entry("receipt", w.a, None, 100));
    let mut theirs = entry("receipt", w.b, None, 200);
    theirs.county_code = XINGTANG.into();
    let other = post(&w, &w.unit_b, theirs);
    let ids = |actor: &Actor| -> Vec<i64> {
        let (items, total) = w
            .app
            .ledger_entries(actor, &LedgerFilter::default(), Page::new(None, None))
            .unwrap();
        assert_eq!(total as usize, items.len());
        items.into_iter().map(|e| e.id).collect()
    };
    assert_eq!(ids(&w.unit_a), vec![mine]);
    assert_eq!(ids(&w.county), vec![mine]);
    assert_eq!(ids(&w.unit_b), vec![other]);
    assert_eq!(ids(&office()).len(), 2);
    assert_eq!(
        w.app.ledger_entry(&w.unit_a, other).unwrap_err().code(),
        "not_found"
    );
    let cadre = user(&w.app, "cadre_a", "cadre", Some(w.a), Some(ZHOUQU));
    assert_eq!(ids(&cadre), vec![mine]);
    assert_eq!(
        reasons(w.app.post_entry(&cadre, &entry("receipt", w.a, None, 1))),
        vec!["forbidden"]
    );
    let auditor = user(&w.app, "auditor_l", "auditor", None, None);
    assert_eq!(
        w.app
            .ledger_balances(&auditor, &LedgerFilter::default())
            .unwrap_err()
            .code(),
        "forbidden"
    );
    let found = |q: Option<&str>, year: i32| {
        let f = LedgerFilter {
            q: q.map(str::to_string),
            year: Some(year),
            ..Default::default()
        };
        w.app
            .ledger_entries(&office(), &f, Page::new(None, None))
            .unwrap()
            .1
    };
    assert_eq!(found(Some("凭-001"), 2024), 2);
    assert_eq!(found(None, 2023), 0);
}

/// A sum over the entries in plain SQL: the live (not reversed) entries
/// of a kind.
fn live_sum(app: &App, kind: &str) -> i64 {
    count(
        app,
        &format!(
            "SELECT CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM ledger_entries e WHERE kind = '{kind}' \
             AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses = e.id)"
        ),
    )
}

fn balances_reconcile_with_independent_sums(db: &TestDb) {
    let w = world(db);
    let mut introduced = entry("receipt", w.a, None, 50_000);
    (introduced.source, introduced.donor) = ("introduced".into(), "无锡市某企业".into());
    post(&w, &w.unit_a, introduced);
    let r = post(&w, &w.unit_a, entry("receipt", w.a, None, 20_000));
    post(&w, &w.unit_a, entry("receipt", w.a, Some(w.p2), 7_000));
    post(&w, &w.unit_a, entry("commitment", w.a, Some(w.p1), 12_000));
    post(&w, &w.unit_a, entry("disbursement", w.a, Some(w.p1), 9_000));
    post(&w, &w.unit_a, entry("expenditure", w.a, Some(w.p1), 4_000));
    post(&w, &w.unit_a, entry("commitment", w.a, Some(w.p2), 7_500));
    let mut late = entry("receipt", w.a, None, 300);
    late.date = "2025-01-02".into();
    let undone = post(&w, &w.unit_a, late);
    post(&w, &w.unit_a, reversal(undone, "重复录入"));
    let _ = r;
    let b = w
        .app
        .ledger_balances(&office(), &LedgerFilter::default())
        .unwrap();
    let total = |f: fn(&ledger::Balance) -> i64| b.iter().map(f).sum::<i64>();
    assert_eq!(total(|x| x.received_fen), live_sum(&w.app, "receipt"));
    assert_eq!(total(|x| x.committed_fen), live_sum(&w.app, "commitment"));
    assert_eq!(total(|x| x.disbursed_fen), live_sum(&w.app, "disbursement"));
    assert_eq!(total(|x| x.spent_fen), live_sum(&w.app, "expenditure"));
    assert_eq!(
        total(|x| x.available_fen),
        live_sum(&w.app, "receipt") - live_sum(&w.app, "expenditure")
    );
    assert!(b.iter().all(|x| x.available_fen >= 0));
    // The database's sums agree with the rule's own over the entries.
    let postings = w
        .app
        .store()
        .read(|c| dingdian_store::ledger::pairing_postings(c, w.a, ZHOUQU))
        .unwrap();
    assert_eq!(b, ledger::balances(&postings));
    let pool = b
        .iter()
        .find(|x| x.project_id.is_none() && x.source.as_str() == "direct")
        .unwrap();
    // 20 000 in; project 1 draws 12 000, project 2 draws 500 beyond its earmark.
    assert_eq!(pool.available_fen, 7_500);
    let years = w
        .app
        .ledger_receipts_by_year(&w.unit_a, &LedgerFilter::default())
        .unwrap();
    assert_eq!(years.iter().map(|y| y.2).sum::<i64>(), 77_000, "{years:?}");
    assert!(
        years.iter().all(|y| y.0 == 2024),
        "the reversed 2025 receipt counts nowhere"
    );
}

/// 8 requests, each from its own app (its own pool and connections, as
/// separate server processes would be), spend 3 000 at once from 10 000
/// disbursed: exactly 3 succeed and 1 000 remains.
fn racing_spends_at_one_balance_only_the_affordable_succeed(db: &TestDb) {
    let w = world(db);
    post(&w, &w.unit_a, entry("receipt", w.a, None, 10_000));
    post(&w, &w.unit_a, entry("commitment", w.a, Some(w.p1), 10_000));
    post(
        &w,
        &w.unit_a,
        entry("disbursement", w.a, Some(w.p1), 10_000),
    );
    let barrier = Arc::new(Barrier::new(8));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (url, actor, barrier) = (w.url.clone(), w.unit_a.clone(), barrier.clone());
            let input = entry("expenditure", w.a, Some(w.p1), 3_000);
            std::thread::spawn(move || {
                let app = App::open(&url).expect("open another app");
                barrier.wait();
                app.post_entry(&actor, &input)
            })
        })
        .collect();
    let results: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let ok = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(ok, 3, "{results:?}");
    for r in results.into_iter().filter(|r| r.is_err()) {
        assert_eq!(reasons(r), vec!["overdraw"]);
    }
    let f = LedgerFilter {
        project_id: Some(w.p1),
        ..Default::default()
    };
    let b = w.app.ledger_balances(&w.unit_a, &f).unwrap();
    assert_eq!(
        (b[0].spent_fen, b[0].disbursed_fen - b[0].spent_fen),
        (9_000, 1_000)
    );
}

fn repo_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn exports_are_audited_and_the_iati_xml_validates(db: &TestDb) {
    let w = world(db);
    let mut introduced = entry("receipt", w.a, Some(w.p1), 90_000);
    (introduced.source, introduced.donor) = ("introduced".into(), "常州市 <某> & 公司".into());
    post(&w, &w.unit_a, introduced.clone());
    let mut c = entry("commitment", w.a, Some(w.p1), 40_000);
    c.source = "introduced".into();
    post(&w, &w.unit_a, c.clone());
    let mut d = entry("disbursement", w.a, Some(w.p1), 30_000);
    d.source = "introduced".into();
    post(&w, &w.unit_a, d);
    let mut e = entry("expenditure", w.a, Some(w.p1), 12_345);
    e.source = "introduced".into();
    post(&w, &w.unit_a, e);
    let mut m = entry("reallocation", w.a, Some(w.p1), 50_000);
    (m.source, m.to_project_id) = ("introduced".into(), Some(w.p2));
    post(&w, &office(), m);
    let pool = post(&w, &w.unit_a, entry("receipt", w.a, None, 1_001));
    post(&w, &w.unit_a, reversal(pool, "误录"));
    post(&w, &w.unit_a, entry("receipt", w.a, None, 2_000));
    let xml = w
        .app
        .export_ledger(&w.county, &LedgerFilter::default(), LedgerFormat::Iati)
        .unwrap();
    let text = String::from_utf8(xml.clone()).unwrap();
    assert!(
        text.contains("<value value-date=\"2024-03-01\">123.45</value>"),
        "{text}"
    );
    assert!(
        text.contains("-500.00"),
        "the reallocation leaves project 1"
    );
    assert!(!text.contains("10.01"), "a reversed receipt is left out");
    assert!(text.contains("常州市 &lt;某&gt; &amp; 公司"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ledger.xml");
    std::fs::write(&file, &xml).unwrap();
    let schema = repo_root().join("data/iati-2.03/iati-activities-schema.xsd");
    let out = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&schema)
        .arg(&file)
        .output()
        .expect("xmllint is installed");
    assert!(
        out.status.success(),
        "{}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    let xlsx = w
        .app
        .export_ledger(&w.unit_a, &LedgerFilter::default(), LedgerFormat::Xlsx)
        .unwrap();
    let csv = String::from_utf8(dingdian_app::tabular::xlsx_to_csv(&xlsx).unwrap()).unwrap();
    assert!(csv.contains("123.45") && csv.contains("误录"), "{csv}");
    assert_eq!(
        count(
            &w.app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'ledger.export'"
        ),
        2
    );
    let auditor = user(&w.app, "auditor_x", "auditor", None, None);
    assert!(
        w.app
            .export_ledger(&auditor, &LedgerFilter::default(), LedgerFormat::Xlsx)
            .is_err()
    );
}

fn posted_entries_cannot_be_changed_and_a_backup_keeps_them(db: &TestDb) {
    let w = world(db);
    let id = post(&w, &w.unit_a, entry("receipt", w.a, None, 4_200));
    post(&w, &w.unit_a, entry("commitment", w.a, Some(w.p1), 4_000));
    for sql in [
        format!("UPDATE ledger_entries SET amount_fen = 1 WHERE id = {id}"),
        format!("DELETE FROM ledger_entries WHERE id = {id}"),
    ] {
        let r = w.app.store().write(|c: &mut dyn Conn| c.execute(&sql, &[]));
        assert!(r.is_err(), "{sql} must be refused");
    }
    assert_eq!(entries(&w.app), 2);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("backup.db");
    w.app
        .database()
        .backup(&file, &mut |_: &str, _: u64, _: u64| {})
        .expect("backup");
    let target = match db.backend {
        Backend::Sqlite => TestDb::sqlite(),
        Backend::Postgres => TestDb::postgres().expect("PostgreSQL"),
    };
    dingdian_app::backup::restore(&target.url, &file, false, &mut |_: &str, _: u64, _: u64| {})
        .expect("restore");
    let restored = open(&target);
    let before = w
        .app
        .ledger_balances(&office(), &LedgerFilter::default())
        .unwrap();
    assert_eq!(
        restored
            .ledger_balances(&office(), &LedgerFilter::default())
            .unwrap(),
        before
    );
    // The guard came back with the restore.
    let r = restored
        .store()
        .write(|c: &mut dyn Conn| c.execute("DELETE FROM ledger_entries", &[]));
    assert!(r.is_err());
}

//! Reminders with a fixed clock: due soon and overdue across quarter and
//! year boundaries, the leader-visit reminder from October, letters to
//! sign; de-duplication across re-runs, restarts and two instances racing
//! on one database; e-mail exactly once, to a recorder and to an SMTP sink
//! the test starts. Every test runs on SQLite and on PostgreSQL.

use crate::common;
use crate::records::setup;

use common::*;
use dingdian_app::mail::{Smtp, SmtpConfig};
use dingdian_app::reminders::{Mailer, ReminderRunner};
use dingdian_app::{Actor, App, Page};
use dingdian_core::reminder::ReminderKind;
use dingdian_store::{Conn, params};
use dingdian_testkit::{TestDb, both_backends};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::sync::{Arc, Mutex};

both_backends!(
    reports_and_rectifications_are_due_soon_then_overdue_across_the_year_end,
    visits_are_reminded_from_october_and_letters_until_signed,
    a_rerun_or_a_restart_adds_nothing_and_reading_is_per_user,
    two_instances_racing_send_each_reminder_exactly_once,
    reminders_reach_an_smtp_server,
);

/// Noon in China on `date`, as UTC seconds.
fn at(date: &str) -> i64 {
    let d: chrono::NaiveDate = date.parse().unwrap();
    d.and_hms_opt(4, 0, 0).unwrap().and_utc().timestamp()
}

fn runner(holder: &str, mailer: Option<Arc<dyn Mailer>>) -> ReminderRunner {
    ReminderRunner {
        holder: holder.into(),
        lease_seconds: 240,
        mailer,
    }
}

fn exec(app: &App, sql: &str, p: &[dingdian_store::Value]) -> i64 {
    app.store()
        .write(|c: &mut dyn Conn| c.query_i64(sql, p))
        .expect("insert")
}

/// A report slot as the reports part opens it: draft, no author.
fn report(
    app: &App,
    (kind, period): (&str, &str),
    unit: i64,
    county: Option<&str>,
    due: &str,
) -> i64 {
    exec(
        app,
        "INSERT INTO reports (kind, period, unit_id, county_code, due, status, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, 'draft', 0, 0) RETURNING id",
        params![kind, period, unit, county, due],
    )
}

/// An inspection of `unit` in `county` with one finding and one
/// rectification item owned by `owner`, due on `deadline`.
fn rectification(app: &App, unit: i64, county: &str, owner: i64, deadline: &str) -> i64 {
    let inspection = exec(
        app,
        "INSERT INTO inspections (unit_id, inspected_by, inspected_on, team, created_at) \
         VALUES (?, 'office', '2024-06-01', '督查组', 0) RETURNING id",
        params![unit],
    );
    let finding = exec(
        app,
        "INSERT INTO inspection_findings (inspection_id, county_code, position, finding) \
         VALUES (?, ?, 1, '项目进度慢') RETURNING id",
        params![inspection, county],
    );
    exec(
        app,
        "INSERT INTO rectifications (finding_id, unit_id, county_code, action, owner_id, deadline, \
         status, created_at, updated_at) VALUES (?, ?, ?, '加快项目进度', ?, ?, 'open', 0, 0) RETURNING id",
        params![finding, unit, county, owner, deadline],
    )
}

fn kinds(app: &App, actor: &Actor) -> Vec<(ReminderKind, String)> {
    let (items, _) = app.inbox(actor, false, Page::all()).expect("inbox");
    let mut k: Vec<_> = items.into_iter().map(|r| (r.kind, r.subject_id)).collect();
    k.sort_by_key(|(kind, id)| (kind.as_str(), id.clone()));
    k
}

/// The inbox less the leader-visit reminders (due from October).
fn due(app: &App, actor: &Actor) -> Vec<(ReminderKind, String)> {
    let mut k = kinds(app, actor);
    k.retain(|(kind, _)| *kind != ReminderKind::VisitMissing);
    k
}

fn reports_and_rectifications_are_due_soon_then_overdue_across_the_year_end(db: &TestDb) {
    let s = setup(db);
    let r = runner("one", None);
    // The fourth quarter of 2024, due in January 2025.
    let q4 = report(
        &s.app,
        ("quarterly", "2024-Q4"),
        s.units[0],
        Some(XINGTANG),
        "2025-01-15",
    );
    let summary = report(
        &s.app,
        ("annual_summary", "2024"),
        s.units[1],
        None,
        "2025-01-31",
    );
    let owner = s.unit0.user_id.unwrap();
    let item = rectification(&s.app, s.units[0], XINGTANG, owner, "2025-01-01");

    s.app.run_reminders(at("2024-12-20"), &r).unwrap();
    assert!(due(&s.app, &s.cadre).is_empty(), "due in 26 days: not yet");
    assert!(due(&s.app, &s.unit0).is_empty());

    // The rectification is due tomorrow: due soon.
    s.app.run_reminders(at("2024-12-31"), &r).unwrap();
    assert_eq!(
        due(&s.app, &s.unit0),
        [(ReminderKind::RectificationDueSoon, item.to_string())]
    );
    // The day after its deadline: overdue, as a second reminder.
    s.app.run_reminders(at("2025-01-02"), &r).unwrap();
    assert_eq!(
        due(&s.app, &s.unit0),
        [
            (ReminderKind::RectificationDueSoon, item.to_string()),
            (ReminderKind::RectificationOverdue, item.to_string()),
        ]
    );
    // Within a week of the Q4 report's day: the cadre of that unit and
    // county (the report has no author yet); then overdue in January.
    s.app.run_reminders(at("2025-01-08"), &r).unwrap();
    assert_eq!(
        due(&s.app, &s.cadre),
        [(ReminderKind::ReportDueSoon, q4.to_string())]
    );
    s.app.run_reminders(at("2025-01-16"), &r).unwrap();
    assert_eq!(
        due(&s.app, &s.cadre),
        [
            (ReminderKind::ReportDueSoon, q4.to_string()),
            (ReminderKind::ReportOverdue, q4.to_string()),
        ]
    );
    let (items, _) = s.app.inbox(&s.cadre, false, Page::all()).unwrap();
    let overdue = items
        .iter()
        .find(|i| i.kind == ReminderKind::ReportOverdue)
        .unwrap();
    assert!(overdue.overdue && overdue.message.zh.contains("2024-Q4 季度报告"));
    assert_eq!(overdue.link, format!("/reports/{q4}"));
    // The unit's annual summary goes to the unit's accounts.
    s.app.run_reminders(at("2025-01-25"), &r).unwrap();
    assert_eq!(
        due(&s.app, &s.unit1),
        [(ReminderKind::ReportDueSoon, summary.to_string())]
    );
    // Submitted: nothing more about it.
    exec(
        &s.app,
        "UPDATE reports SET status = 'submitted' WHERE id = ? RETURNING id",
        params![summary],
    );
    s.app.run_reminders(at("2025-02-01"), &r).unwrap();
    assert_eq!(due(&s.app, &s.unit1).len(), 1);
}

fn visits_are_reminded_from_october_and_letters_until_signed(db: &TestDb) {
    let s = setup(db);
    let r = runner("one", None);
    s.app
        .create_leader_visit(
            &s.unit0,
            &crate::leader_visits::visit(XINGTANG, "2024-05-01", "principal"),
            "2024-05-01".parse().unwrap(),
        )
        .unwrap();
    s.app.run_reminders(at("2024-09-30"), &r).unwrap();
    assert!(kinds(&s.app, &s.unit1).is_empty(), "not before October");
    s.app.run_reminders(at("2024-10-01"), &r).unwrap();
    // Unit 0 visited Xingtang, not Lingshou (where it is a member).
    let lingshou = format!("{}:{LINGSHOU}:2024", s.units[0]);
    assert_eq!(
        kinds(&s.app, &s.unit0),
        [(ReminderKind::VisitMissing, lingshou)]
    );
    assert_eq!(kinds(&s.app, &s.unit1).len(), 1);
    assert!(kinds(&s.app, &s.cadre).is_empty(), "to the unit's accounts");

    let letter = exec(
        &s.app,
        "INSERT INTO letters (unit_id, county_code, year, status, set_at) \
         VALUES (?, NULL, 2025, 'set', 0) RETURNING id",
        params![s.units[1]],
    );
    s.app.run_reminders(at("2025-01-05"), &r).unwrap();
    let got = kinds(&s.app, &s.unit1);
    assert!(got.contains(&(ReminderKind::LetterUnsigned, letter.to_string())));
}

fn a_rerun_or_a_restart_adds_nothing_and_reading_is_per_user(db: &TestDb) {
    let s = setup(db);
    report(
        &s.app,
        ("quarterly", "2024-Q3"),
        s.units[0],
        Some(XINGTANG),
        "2024-10-15",
    );
    let owner = s.unit0.user_id.unwrap();
    rectification(&s.app, s.units[0], XINGTANG, owner, "2024-10-20");
    let now = at("2024-10-16");
    let first = s.app.run_reminders(now, &runner("one", None)).unwrap();
    assert!(first.ran && first.created >= 3, "{first:?}");
    assert_eq!(last_audit_action(&s.app), "reminder.create");
    let stored = count(&s.app, "SELECT COUNT(*) FROM reminders");
    let again = s.app.run_reminders(now + 60, &runner("one", None)).unwrap();
    assert_eq!(again.created, 0);
    // A restart: a new App on the same database, a new holder once the
    // old lease ran out.
    let restarted = open(db);
    let later = restarted
        .run_reminders(now + 3600, &runner("two", None))
        .unwrap();
    assert!(later.ran);
    assert_eq!(later.created, 0);
    assert_eq!(count(&s.app, "SELECT COUNT(*) FROM reminders"), stored);

    let unread = s.app.unread_reminders(&s.unit0).unwrap();
    assert!(unread >= 2);
    let (mine, _) = s.app.inbox(&s.unit0, true, Page::all()).unwrap();
    let (theirs, _) = s.app.inbox(&s.cadre, true, Page::all()).unwrap();
    expect_not_found(s.app.mark_reminder_read(&s.unit0, theirs[0].id));
    s.app.mark_reminder_read(&s.unit0, mine[0].id).unwrap();
    assert_eq!(last_audit_action(&s.app), "reminder.read");
    assert_eq!(s.app.unread_reminders(&s.unit0).unwrap(), unread - 1);
    assert_eq!(
        s.app.unread_reminders(&s.cadre).unwrap(),
        theirs.len() as i64
    );
}

/// Records what it is asked to send.
#[derive(Default)]
struct Recorder(Mutex<Vec<(String, String)>>);

impl Mailer for Recorder {
    fn send(&self, to: &str, subject: &str, _body: &str) -> Result<(), String> {
        self.0.lock().unwrap().push((to.into(), subject.into()));
        Ok(())
    }
}

fn two_instances_racing_send_each_reminder_exactly_once(db: &TestDb) {
    let s = setup(db);
    for (i, actor) in [&s.unit0, &s.unit1, &s.cadre].into_iter().enumerate() {
        s.app
            .set_my_email(actor, &format!("user{i}@example.cn"))
            .unwrap();
    }
    expect_invalid_email(&s.app, &s.unit0);
    report(
        &s.app,
        ("quarterly", "2024-Q3"),
        s.units[0],
        Some(XINGTANG),
        "2024-10-15",
    );
    report(
        &s.app,
        ("annual_summary", "2024"),
        s.units[1],
        None,
        "2024-10-20",
    );
    let owner = s.unit0.user_id.unwrap();
    rectification(&s.app, s.units[0], XINGTANG, owner, "2024-10-17");
    let recorder = Arc::new(Recorder::default());
    let now = at("2024-10-16");
    let outcomes: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|i| {
                let app = open(db);
                let mailer: Arc<dyn Mailer> = recorder.clone();
                scope.spawn(move || {
                    // Each instance runs three times, the last after any
                    // lease has expired.
                    [now, now + 1, now + 300].map(|t| {
                        app.run_reminders(t, &runner(&format!("i{i}"), Some(mailer.clone())))
                            .unwrap()
                    })
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let sent: Vec<(String, String)> = recorder.0.lock().unwrap().clone();
    let emailed: usize = outcomes.iter().map(|o| o.emailed).sum();
    assert_eq!(emailed, sent.len());
    let reminders = count(&s.app, "SELECT COUNT(*) FROM reminders");
    assert_eq!(
        sent.len() as i64,
        reminders,
        "each reminder e-mailed exactly once"
    );
    assert_eq!(
        count(
            &s.app,
            "SELECT COUNT(*) FROM reminders WHERE emailed_at IS NULL"
        ),
        0
    );
    let mut per_address: BTreeMap<&str, usize> = BTreeMap::new();
    for (to, _) in &sent {
        *per_address.entry(to.as_str()).or_default() += 1;
    }
    // October: each unit also hears of its pairings not yet visited.
    assert_eq!(
        per_address.get("user0@example.cn"),
        Some(&3),
        "the rectification, two visits"
    );
    assert_eq!(
        per_address.get("user1@example.cn"),
        Some(&2),
        "the annual summary, a visit"
    );
    assert_eq!(
        per_address.get("user2@example.cn"),
        Some(&1),
        "the cadre's report"
    );
    assert!(
        sent.iter()
            .all(|(_, subject)| subject.starts_with("【定点扶贫】"))
    );
}

fn expect_invalid_email(app: &App, actor: &Actor) {
    let e = invalid(app.set_my_email(actor, "not an address"));
    assert_eq!(e[0].msg.code, "bad_email");
    assert_eq!(
        app.my_email(actor).unwrap().as_deref(),
        Some("user0@example.cn")
    );
}

/// What the sink received: each message's recipients and its data.
type Received = Vec<(Vec<String>, String)>;

/// A tiny SMTP server on a free port that records each message's
/// recipients and data, until it has seen `expect` messages.
fn smtp_sink(expect: usize) -> (u16, std::thread::JoinHandle<Received>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let mut got = Vec::new();
        while got.len() < expect {
            let (stream, _) = listener.accept().unwrap();
            let mut out = stream.try_clone().unwrap();
            let mut lines = BufReader::new(stream);
            out.write_all(b"220 sink ESMTP\r\n").unwrap();
            let (mut rcpt, mut data, mut in_data) = (Vec::new(), String::new(), false);
            let mut line = String::new();
            while lines.read_line(&mut line).unwrap_or(0) > 0 {
                let l = line.trim_end().to_string();
                line.clear();
                if in_data {
                    if l == "." {
                        in_data = false;
                        got.push((std::mem::take(&mut rcpt), std::mem::take(&mut data)));
                        out.write_all(b"250 queued\r\n").unwrap();
                    } else {
                        data.push_str(&l);
                        data.push('\n');
                    }
                    continue;
                }
                let verb = l.get(..4).unwrap_or("").to_ascii_uppercase();
                let reply: &[u8] = match verb.as_str() {
                    "EHLO" | "HELO" => b"250 sink\r\n",
                    "RCPT" => {
                        rcpt.push(l[8..].trim().to_string());
                        b"250 ok\r\n"
                    }
                    "DATA" => {
                        in_data = true;
                        b"354 go on\r\n"
                    }
                    "QUIT" => {
                        out.write_all(b"221 bye\r\n").unwrap();
                        break;
                    }
                    _ => b"250 ok\r\n",
                };
                out.write_all(reply).unwrap();
            }
        }
        got
    });
    (port, handle)
}

fn reminders_reach_an_smtp_server(db: &TestDb) {
    let s = setup(db);
    s.app.set_my_email(&s.cadre, "cadre@example.cn").unwrap();
    let lang = crate::common::actor(&s.app, "cadre0");
    assert_eq!(lang.user_id, s.cadre.user_id);
    report(
        &s.app,
        ("quarterly", "2024-Q4"),
        s.units[0],
        Some(XINGTANG),
        "2025-01-15",
    );
    let (port, sink) = smtp_sink(1);
    let smtp = Smtp::new(&SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        from: "定点扶贫 <noreply@example.cn>".into(),
        credentials: None,
        starttls: false,
    })
    .unwrap();
    let out = s
        .app
        .run_reminders(at("2025-01-10"), &runner("one", Some(Arc::new(smtp))))
        .unwrap();
    assert_eq!((out.emailed, out.failed), (1, 0));
    let got = sink.join().unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, ["<cadre@example.cn>"]);
    assert!(got[0].1.contains("Subject:"), "{}", got[0].1);
    assert!(got[0].1.contains("To: cadre@example.cn"), "{}", got[0].1);
}

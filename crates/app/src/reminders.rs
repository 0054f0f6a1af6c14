//! Reminders: each user's inbox of what is due soon and what is overdue
//! (reports, rectifications, leader visits, letters to sign), computed by
//! [`App::run_reminders`], which the server's scheduler calls every few
//! minutes, and e-mailed when the server has an SMTP server configured.
//!
//! Exactly once: a lease row lets one instance at a time run; reminders
//! are keyed per user, so a re-run adds nothing; an e-mail is claimed in
//! the statement that picks it, before it is sent.

use crate::error::{AppError, Result};
use crate::{Actor, App, audit};
use chrono::{Datelike, Duration, NaiveDate, TimeZone};
use dingdian_core::leader_visit::{visit_reminder_due, visits_of_year};
use dingdian_core::reminder::{
    DUE_SOON_DAYS, DueItem, ReminderKind, Subject, due_state, parse_email, reminder_text,
    report_kind_names,
};
use dingdian_core::role::{Role, Scope};
use dingdian_core::{Msg, time};
use dingdian_store::reminders::{self as store, NewReminder, ReminderRow};
use dingdian_store::{Conn, Page, leader_visits};

/// The lease's name in the `leases` table.
const LEASE: &str = "reminders";
/// How many e-mails one claim takes.
const MAIL_BATCH: i64 = 50;
/// The most characters of a rectification's action a subject repeats.
const ACTION_CHARS: usize = 60;

/// Sends one e-mail; the SMTP client ([`crate::mail::Smtp`]) in service,
/// a recorder in tests.
pub trait Mailer: Send + Sync {
    fn send(&self, to: &str, subject: &str, body: &str) -> std::result::Result<(), String>;
}

/// Who runs the reminders and how: this instance's name in the lease, how
/// long a run may hold it, and the mailer when e-mail is configured.
pub struct ReminderRunner {
    pub holder: String,
    pub lease_seconds: i64,
    pub mailer: Option<std::sync::Arc<dyn Mailer>>,
}

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunOutcome {
    /// This instance held the lease (otherwise it did nothing).
    pub ran: bool,
    /// Reports opened because their period ended.
    pub opened: usize,
    pub created: usize,
    pub emailed: usize,
    pub failed: usize,
}

/// A reminder as its reader sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderView {
    pub id: i64,
    pub kind: ReminderKind,
    pub subject_type: String,
    pub subject_id: String,
    pub due: Option<NaiveDate>,
    pub message: Msg,
    /// The page of what it is about.
    pub link: String,
    pub overdue: bool,
    pub created_at: i64,
    pub read_at: Option<i64>,
    pub emailed_at: Option<i64>,
}

/// The audit log's actor for what the scheduler writes.
fn scheduler() -> Actor {
    Actor {
        user_id: None,
        username: "scheduler".into(),
        display_name: "提醒任务 / reminders".into(),
        role: Role::Office,
        scope: Scope::All,
        lang: "zh".into(),
        address: None,
    }
}

/// The day in China at UTC second `now`.
pub fn day_of(now: i64) -> NaiveDate {
    time::china()
        .timestamp_opt(now, 0)
        .single()
        .map(|t| t.date_naive())
        .unwrap_or_else(time::today)
}

fn view(r: ReminderRow) -> Result<ReminderView> {
    let kind = ReminderKind::parse(&r.kind)
        .ok_or_else(|| AppError::Internal(format!("unknown reminder kind {}", r.kind)))?;
    let subject: Subject = serde_json::from_str(&r.message_args)
        .map_err(|e| AppError::Internal(format!("reminder {}: {e}", r.id)))?;
    Ok(ReminderView {
        link: link(&r.subject_type, &r.subject_id),
        message: reminder_text(kind, &subject, r.due),
        overdue: kind.is_overdue(),
        kind,
        id: r.id,
        subject_type: r.subject_type,
        subject_id: r.subject_id,
        due: r.due,
        created_at: r.created_at,
        read_at: r.read_at,
        emailed_at: r.emailed_at,
    })
}

/// The page a reminder's subject is on.
fn link(subject_type: &str, subject_id: &str) -> String {
    match subject_type {
        "report" => format!("/reports/{subject_id}"),
        "rectification" => format!("/rectifications/{subject_id}"),
        "pairing" => "/leader-visits/new".into(),
        _ => "/letters".into(),
    }
}

impl App {
    /// One run of the scheduler at UTC second `now`: take the lease (or do
    /// nothing), store what is due, then e-mail what is not yet e-mailed.
    pub fn run_reminders(&self, now: i64, runner: &ReminderRunner) -> Result<RunOutcome> {
        let until = now + runner.lease_seconds;
        let held = self
            .store
            .write(|c| store::take_lease(c, LEASE, &runner.holder, now, until))?;
        if !held {
            return Ok(RunOutcome::default());
        }
        let today = day_of(now);
        // Reports whose period has ended are opened first, so that the
        // reminders below see them on the day they become due to write.
        let opened = self.open_due_reports(today)?;
        let created = self.store_reminders(today, now)?;
        let (emailed, failed) = match &runner.mailer {
            Some(m) => self.send_reminders(now, m.as_ref())?,
            None => (0, 0),
        };
        Ok(RunOutcome {
            ran: true,
            opened,
            created,
            emailed,
            failed,
        })
    }

    /// Stores the reminders due on `today` that their users do not have
    /// yet; audited (`reminder.create`, how many) when there were any.
    fn store_reminders(&self, today: NaiveDate, now: i64) -> Result<usize> {
        self.store.write(|c| {
            let items = due_items(c, today)?;
            let mut created = 0;
            for item in &items {
                let args = serde_json::to_string(&item.subject)
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                let new = NewReminder {
                    user_id: item.user_id,
                    kind: item.kind.as_str(),
                    subject: (item.subject_type, &item.subject_id),
                    due: item.due,
                    message_args: &args,
                    dedup_key: &item.dedup_key(),
                };
                if store::insert(c, new, now)? {
                    created += 1;
                }
            }
            if created > 0 {
                let detail = Some(format!("{created} on {today}"));
                audit(
                    c,
                    &scheduler(),
                    "reminder.create",
                    ("reminder", "*"),
                    "success",
                    detail,
                )?;
            }
            Ok(created)
        })
    }

    /// E-mails the reminders not yet e-mailed, a batch at a time: each
    /// batch is claimed (committed) before any of it is sent, so a crash
    /// never sends one twice; a failed send gives its claim back.
    fn send_reminders(&self, now: i64, mailer: &dyn Mailer) -> Result<(usize, usize)> {
        let (mut sent, mut failed) = (0, 0);
        loop {
            let batch = self
                .store
                .write(|c| store::claim_unmailed(c, now, MAIL_BATCH))?;
            if batch.is_empty() {
                return Ok((sent, failed));
            }
            let mut returned = Vec::new();
            for o in batch {
                let id = o.reminder.id;
                let v = view(o.reminder)?;
                let text = v.message.text(&o.language);
                let subject = if o.language == "en" {
                    format!("[Dingdian] {text}")
                } else {
                    format!("【定点扶贫】{text}")
                };
                let body = mail_body(text, &o.language);
                match mailer.send(&o.email, &subject, &body) {
                    Ok(()) => sent += 1,
                    Err(e) => {
                        tracing::warn!(reminder = id, "cannot e-mail a reminder: {e}");
                        failed += 1;
                        returned.push(id);
                    }
                }
            }
            if !returned.is_empty() {
                self.store
                    .write(|c| returned.iter().try_for_each(|id| store::unclaim(c, *id)))?;
                // What failed is tried at the next run, not in a loop now.
                return Ok((sent, failed));
            }
        }
    }

    /// A page of the actor's reminders (unread first), with the total.
    pub fn inbox(
        &self,
        actor: &Actor,
        unread_only: bool,
        page: Page,
    ) -> Result<(Vec<ReminderView>, i64)> {
        let Some(user) = actor.user_id else {
            return Ok((Vec::new(), 0));
        };
        let (rows, total) = self
            .store
            .read(|c| store::inbox(c, user, unread_only, page))?;
        let views = rows.into_iter().map(view).collect::<Result<Vec<_>>>()?;
        Ok((views, total))
    }

    /// How many of the actor's reminders are unread (the top bar's count).
    pub fn unread_reminders(&self, actor: &Actor) -> Result<i64> {
        match actor.user_id {
            Some(user) => Ok(self.store.read(|c| store::unread_count(c, user))?),
            None => Ok(0),
        }
    }

    /// Marks one of the actor's reminders read; someone else's does not
    /// exist. Audited (`reminder.read`).
    pub fn mark_reminder_read(&self, actor: &Actor, id: i64) -> Result<()> {
        let user = actor
            .user_id
            .ok_or_else(|| AppError::not_found("提醒", "reminder"))?;
        self.store.write(|c| {
            if !store::mark_read(c, user, id, time::now_ts())? {
                return Err(AppError::not_found("提醒", "reminder"));
            }
            audit(
                c,
                actor,
                "reminder.read",
                ("reminder", &id.to_string()),
                "success",
                None,
            )?;
            Ok(())
        })
    }

    /// The actor's e-mail address for reminders, if set.
    pub fn my_email(&self, actor: &Actor) -> Result<Option<String>> {
        match actor.user_id {
            Some(user) => Ok(self.store.read(|c| store::email_of(c, user))?),
            None => Ok(None),
        }
    }

    /// Sets (or, empty, removes) the actor's own e-mail address; audited
    /// (`account.email`).
    pub fn set_my_email(&self, actor: &Actor, email: &str) -> Result<()> {
        let user = actor.user_id.ok_or_else(|| {
            AppError::Forbidden(Msg::new(
                "no_account",
                "命令行没有账号",
                "the command line has no account",
            ))
        })?;
        let email = parse_email(email).map_err(AppError::Invalid)?;
        self.store.write(|c| {
            store::set_email(c, user, email.as_deref())?;
            let detail = Some(if email.is_some() { "set" } else { "removed" }.to_string());
            audit(
                c,
                actor,
                "account.email",
                ("user", &user.to_string()),
                "success",
                detail,
            )?;
            Ok(())
        })
    }
}

fn mail_body(text: &str, lang: &str) -> String {
    if lang == "en" {
        format!(
            "{text}\n\nSign in to the designated assistance system and open the inbox for details.\n"
        )
    } else {
        format!("{text}\n\n详情请登录定点扶贫信息系统，查看“提醒”。\n")
    }
}

/// Everything due on `today`, per recipient.
fn due_items(c: &mut dyn Conn, today: NaiveDate) -> Result<Vec<DueItem>> {
    let mut items = Vec::new();
    report_items(c, today, &mut items)?;
    rectification_items(c, today, &mut items)?;
    visit_items(c, today, &mut items)?;
    letter_items(c, today, &mut items)?;
    Ok(items)
}

fn soon(today: NaiveDate) -> NaiveDate {
    today + Duration::days(DUE_SOON_DAYS)
}

/// Reports in draft or returned, due soon or overdue: to the author; with
/// none yet, to the cadres of the unit and county (or, for a unit's annual
/// summary or a county without a cadre account, to the unit's accounts).
fn report_items(c: &mut dyn Conn, today: NaiveDate, items: &mut Vec<DueItem>) -> Result<()> {
    for r in store::open_reports(c, soon(today))? {
        let Some(state) = due_state(r.due, today) else {
            continue;
        };
        let to = match (r.author_id, r.county_code.as_deref()) {
            (Some(author), _) => vec![author],
            (None, Some(county)) => {
                let cadres = store::accounts_of(c, "cadre", r.unit_id, Some(county))?;
                if cadres.is_empty() {
                    store::accounts_of(c, "unit", r.unit_id, None)?
                } else {
                    cadres
                }
            }
            (None, None) => store::accounts_of(c, "unit", r.unit_id, None)?,
        };
        let (kind_zh, kind_en) = report_kind_names(&r.kind);
        let place = r.county_name.clone().unwrap_or_default();
        let subject = Subject {
            zh: format!("{} {kind_zh} {place}", r.period).trim().to_string(),
            en: format!("{} {kind_en} {place}", r.period).trim().to_string(),
        };
        for user_id in to {
            items.push(DueItem {
                user_id,
                kind: ReminderKind::of_report(state),
                subject_type: "report",
                subject_id: r.id.to_string(),
                due: Some(r.due),
                subject: subject.clone(),
            });
        }
    }
    Ok(())
}

/// Rectification items open or in progress, due soon or overdue: to the
/// owner.
fn rectification_items(c: &mut dyn Conn, today: NaiveDate, items: &mut Vec<DueItem>) -> Result<()> {
    for r in store::open_rectifications(c, soon(today))? {
        let Some(state) = due_state(r.deadline, today) else {
            continue;
        };
        let action: String = r.action.chars().take(ACTION_CHARS).collect();
        let text = format!("{}：{action}", r.county_name);
        items.push(DueItem {
            user_id: r.owner_id,
            kind: ReminderKind::of_rectification(state),
            subject_type: "rectification",
            subject_id: r.id.to_string(),
            due: Some(r.deadline),
            subject: Subject {
                zh: text.clone(),
                en: text,
            },
        });
    }
    Ok(())
}

/// From October: each pairing of this year its unit's leaders have not
/// visited, to the unit's accounts.
fn visit_items(c: &mut dyn Conn, today: NaiveDate, items: &mut Vec<DueItem>) -> Result<()> {
    if !visit_reminder_due(today) {
        return Ok(());
    }
    let year = today.year();
    let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(today);
    let year_end = NaiveDate::from_ymd_opt(year, 12, 31);
    let pairings = leader_visits::pairings_between(c, &Scope::All, (first, today))?;
    let visits = leader_visits::visit_days(c, &Scope::All, year)?;
    for p in visits_of_year(&pairings, &visits, year, today) {
        if p.visited {
            continue;
        }
        let subject = Subject {
            zh: p.pairing.county_name.clone(),
            en: p.pairing.county_name.clone(),
        };
        for user_id in store::accounts_of(c, "unit", p.pairing.unit_id, None)? {
            items.push(DueItem {
                user_id,
                kind: ReminderKind::VisitMissing,
                subject_type: "pairing",
                subject_id: format!("{}:{}:{year}", p.pairing.unit_id, p.pairing.county_code),
                due: year_end,
                subject: subject.clone(),
            });
        }
    }
    Ok(())
}

/// Responsibility letters of this year or later set and not signed: to
/// the unit's accounts.
fn letter_items(c: &mut dyn Conn, today: NaiveDate, items: &mut Vec<DueItem>) -> Result<()> {
    for l in store::unsigned_letters(c, today.year())? {
        let year = l.year;
        let subject = match l.county_name {
            Some(name) => Subject {
                zh: format!("{year} 年 {name}"),
                en: format!("{year}, {name}"),
            },
            None => Subject {
                zh: format!("{year} 年 全部结对县"),
                en: format!("{year}, all paired counties"),
            },
        };
        for user_id in store::accounts_of(c, "unit", l.unit_id, None)? {
            items.push(DueItem {
                user_id,
                kind: ReminderKind::LetterUnsigned,
                subject_type: "letter",
                subject_id: l.id.to_string(),
                due: None,
                subject: subject.clone(),
            });
        }
    }
    Ok(())
}

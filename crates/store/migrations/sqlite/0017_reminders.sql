-- Reminders (issue 12): each user's inbox of what is due soon and what is
-- overdue, the e-mail address they go to, and the lease that lets exactly
-- one server instance run the reminders at a time.

-- Where a user's reminders are e-mailed; none: the inbox only.
ALTER TABLE users ADD COLUMN email TEXT;

-- kind: report_due_soon, report_overdue, rectification_due_soon,
-- rectification_overdue, visit_missing, letter_unsigned.
-- subject_type/subject_id: what it is about (report 12, rectification 3,
-- pairing '5:623023:2026', letter 7). message_key/message_args: the words,
-- rendered in the reader's language (args: JSON {"subject": …}).
-- dedup_key: the subject and its state, UNIQUE per user, so that computing
-- the reminders again (a re-run, a restart, another instance) adds nothing.
-- emailed_at: set in the very statement that claims the reminder for
-- sending, so no instance and no retry sends it twice.
CREATE TABLE reminders (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    due TEXT,
    message_key TEXT NOT NULL,
    message_args TEXT NOT NULL,
    dedup_key TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    read_at INTEGER,
    emailed_at INTEGER,
    UNIQUE (user_id, dedup_key)
);
CREATE INDEX reminders_inbox ON reminders (user_id, read_at);
CREATE INDEX reminders_unmailed ON reminders (emailed_at);

-- A named lease: the holder runs the work until expires_at (UTC seconds);
-- taken by a conditional UPDATE when free, expired, or already its own.
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);

-- Access hardening (issue 9).
--
-- password_reset_by / password_reset_at: who reset the account's password
--   (the administrator's user name) and when (UTC seconds), until the
--   account's owner has been told at its next sign-in and changed it.
-- login_throttle: failed sign-ins under user names that name no account,
--   counted and locked exactly like an account's own, so the lockout does
--   not tell which names exist.
ALTER TABLE users ADD COLUMN password_reset_by TEXT;
ALTER TABLE users ADD COLUMN password_reset_at INTEGER;
CREATE TABLE login_throttle (
    username TEXT PRIMARY KEY,
    failed_logins INTEGER NOT NULL,
    locked_until INTEGER
);

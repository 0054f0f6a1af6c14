//! Accounts.

use crate::db::{Conn, Page, Result};
use crate::params;
use crate::row::{FromRow, Row};
use dingdian_core::role::Role;
use dingdian_core::user::User;

const COLUMNS: &str = "id, username, display_name, role, unit_id, county_code, active, language, password_hash, password_changed_at, failed_logins, locked_until, totp_secret, totp_pending, totp_last_step, demo";

impl FromRow for User {
    const TABLE: &'static str = "users";
    fn from_row(r: &Row) -> Result<User> {
        Ok(User {
            id: r.get("id")?,
            username: r.get("username")?,
            display_name: r.get("display_name")?,
            // An empty role is none yet: the account awaits it and cannot
            // sign in. A role this build does not know is an error.
            role: r.decode("role", |s: String| {
                if s.is_empty() {
                    Some(None)
                } else {
                    Role::parse(&s).map(Some)
                }
            })?,
            unit_id: r.get("unit_id")?,
            county_code: r.get("county_code")?,
            active: r.get("active")?,
            language: r.get("language")?,
            password_hash: r.get("password_hash")?,
            password_changed_at: r.get("password_changed_at")?,
            failed_logins: r.get("failed_logins")?,
            locked_until: r.get("locked_until")?,
            totp_secret: sealed(r, "totp_secret")?,
            totp_pending: sealed(r, "totp_pending")?,
            totp_last_step: r.get("totp_last_step")?,
            demo: r.get("demo")?,
        })
    }
}

/// A sealed secret; NULL and empty both mean none.
fn sealed(r: &Row, column: &str) -> Result<Option<Vec<u8>>> {
    Ok(r.get::<Option<Vec<u8>>>(column)?.filter(|b| !b.is_empty()))
}

pub fn by_username(c: &mut dyn Conn, username: &str) -> Result<Option<User>> {
    c.query_one_as(
        &format!("SELECT {COLUMNS} FROM users WHERE username = ?"),
        params![username],
    )
}

pub fn by_id(c: &mut dyn Conn, id: i64) -> Result<Option<User>> {
    c.query_one_as(
        &format!("SELECT {COLUMNS} FROM users WHERE id = ?"),
        params![id],
    )
}

pub fn list(c: &mut dyn Conn, q: Option<&str>, page: Page) -> Result<(Vec<User>, i64)> {
    let like = format!("%{}%", q.unwrap_or("").trim());
    let total = c.query_i64(
        "SELECT COUNT(*) FROM users WHERE username LIKE ? OR display_name LIKE ?",
        params![like.clone(), like.clone()],
    )?;
    let users = c.query_as(
        &format!("SELECT {COLUMNS} FROM users WHERE username LIKE ? OR display_name LIKE ? ORDER BY id LIMIT ? OFFSET ?"),
        params![like.clone(), like, page.limit(), page.offset()],
    )?;
    Ok((users, total))
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    /// `None`: the account awaits its role from the security administrator.
    pub role: Option<Role>,
    pub unit_id: Option<i64>,
    pub county_code: Option<&'a str>,
    pub password_hash: &'a str,
    /// When the password counts as changed (0: it must be changed at the
    /// first sign-in).
    pub password_changed_at: i64,
    /// The sealed TOTP secret, if the account has a second factor.
    pub totp_secret: Option<Vec<u8>>,
    pub demo: bool,
}

pub fn insert(c: &mut dyn Conn, u: &NewUser, now: i64) -> Result<i64> {
    c.query_i64(
        "INSERT INTO users (username, display_name, role, unit_id, county_code, password_hash, password_changed_at, totp_secret, demo, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        params![u.username, u.display_name, u.role.map(Role::as_str).unwrap_or(""), u.unit_id, u.county_code, u.password_hash, u.password_changed_at, u.totp_secret.clone(), u.demo, now],
    )
}

/// Gives an account its role and scope (the security administrator's duty).
pub fn set_role(
    c: &mut dyn Conn,
    id: i64,
    role: Role,
    unit_id: Option<i64>,
    county_code: Option<&str>,
) -> Result<()> {
    c.execute(
        "UPDATE users SET role = ?, unit_id = ?, county_code = ? WHERE id = ?",
        params![role.as_str(), unit_id, county_code, id],
    )?;
    Ok(())
}

/// Sets a new password hash and when it counts as changed.
pub fn set_password(c: &mut dyn Conn, id: i64, hash: &str, changed_at: i64) -> Result<()> {
    c.execute(
        "UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?",
        params![hash, changed_at, id],
    )?;
    Ok(())
}

/// Remembers the TOTP step just accepted, so its code is not accepted again.
pub fn set_totp_step(c: &mut dyn Conn, id: i64, step: Option<i64>) -> Result<()> {
    c.execute(
        "UPDATE users SET totp_last_step = ? WHERE id = ?",
        params![step, id],
    )?;
    Ok(())
}

/// Keeps a sealed secret being enrolled (or forgets it with `None`).
pub fn set_totp_pending(c: &mut dyn Conn, id: i64, sealed: Option<Vec<u8>>) -> Result<()> {
    c.execute(
        "UPDATE users SET totp_pending = ? WHERE id = ?",
        params![sealed, id],
    )?;
    Ok(())
}

/// Makes a confirmed secret the account's second factor; `step` is the
/// step whose code confirmed it (not accepted again).
pub fn set_totp_secret(c: &mut dyn Conn, id: i64, sealed: Vec<u8>, step: i64) -> Result<()> {
    c.execute(
        "UPDATE users SET totp_secret = ?, totp_pending = NULL, totp_last_step = ? WHERE id = ?",
        params![sealed, step, id],
    )?;
    Ok(())
}

pub fn record_failure(
    c: &mut dyn Conn,
    id: i64,
    failed: i64,
    locked_until: Option<i64>,
) -> Result<()> {
    c.execute(
        "UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ?",
        params![failed, locked_until, id],
    )?;
    Ok(())
}

pub fn record_success(c: &mut dyn Conn, id: i64) -> Result<()> {
    c.execute(
        "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?",
        params![id],
    )?;
    Ok(())
}

pub fn set_language(c: &mut dyn Conn, id: i64, lang: &str) -> Result<()> {
    c.execute(
        "UPDATE users SET language = ? WHERE id = ?",
        params![lang, id],
    )?;
    Ok(())
}

pub fn set_active(c: &mut dyn Conn, id: i64, active: bool) -> Result<()> {
    c.execute(
        "UPDATE users SET active = ? WHERE id = ?",
        params![active, id],
    )?;
    Ok(())
}

/// Ends every session of an account (after a password reset or deactivation).
pub fn end_sessions(c: &mut dyn Conn, id: i64) -> Result<u64> {
    c.execute("DELETE FROM sessions WHERE user_id = ?", params![id])
}

/// An account's sealed TOTP values: id, enrolled secret, pending secret.
pub type SealedSecrets = (i64, Option<Vec<u8>>, Option<Vec<u8>>);

/// Every account holding a sealed TOTP secret (enrolled or being
/// enrolled) — for a key rotation.
pub fn sealed_secrets(c: &mut dyn Conn) -> Result<Vec<SealedSecrets>> {
    c.query(
        "SELECT id, totp_secret, totp_pending FROM users WHERE totp_secret IS NOT NULL OR totp_pending IS NOT NULL ORDER BY id",
        &[],
    )?
    .iter()
    .map(|r| {
        Ok((
            r.get("id")?,
            sealed(r, "totp_secret")?,
            sealed(r, "totp_pending")?,
        ))
    })
    .collect()
}

/// Replaces an account's sealed TOTP values (re-sealed under a new key),
/// leaving the last accepted step as it is.
pub fn reseal_secrets(
    c: &mut dyn Conn,
    id: i64,
    secret: Option<Vec<u8>>,
    pending: Option<Vec<u8>>,
) -> Result<()> {
    c.execute(
        "UPDATE users SET totp_secret = ?, totp_pending = ? WHERE id = ?",
        params![secret, pending, id],
    )?;
    Ok(())
}

/// Failed sign-ins under a user name that names no account: the count and
/// the lock, as an account keeps its own.
pub fn throttle(c: &mut dyn Conn, username: &str) -> Result<(i64, Option<i64>)> {
    match c.query_one(
        "SELECT failed_logins, locked_until FROM login_throttle WHERE username = ?",
        params![username],
    )? {
        Some(r) => Ok((r.get("failed_logins")?, r.get("locked_until")?)),
        None => Ok((0, None)),
    }
}

/// Records a failed sign-in under an unknown user name (the count and the
/// lock, as [`record_failure`] does for an account), and forgets the
/// names whose lock has run out.
pub fn record_unknown_failure(
    c: &mut dyn Conn,
    username: &str,
    failed: i64,
    locked_until: Option<i64>,
    now: i64,
) -> Result<()> {
    c.execute(
        "DELETE FROM login_throttle WHERE locked_until IS NOT NULL AND locked_until <= ?",
        params![now],
    )?;
    c.execute(
        "INSERT INTO login_throttle (username, failed_logins, locked_until) VALUES (?, ?, ?) \
         ON CONFLICT (username) DO UPDATE SET failed_logins = excluded.failed_logins, locked_until = excluded.locked_until",
        params![username, failed, locked_until],
    )?;
    Ok(())
}

/// Remembers who reset the account's password and when, until its owner
/// changes it (`None` forgets it).
pub fn set_password_reset(c: &mut dyn Conn, id: i64, by: Option<(&str, i64)>) -> Result<()> {
    c.execute(
        "UPDATE users SET password_reset_by = ?, password_reset_at = ? WHERE id = ?",
        params![by.map(|b| b.0), by.map(|b| b.1), id],
    )?;
    Ok(())
}

/// Who reset the account's password and when, if its owner has not
/// changed it since.
pub fn password_reset(c: &mut dyn Conn, id: i64) -> Result<Option<(String, i64)>> {
    let Some(r) = c.query_one(
        "SELECT password_reset_by, password_reset_at FROM users WHERE id = ?",
        params![id],
    )?
    else {
        return Ok(None);
    };
    let by: Option<String> = r.get("password_reset_by")?;
    let at: Option<i64> = r.get("password_reset_at")?;
    Ok(by.zip(at))
}

/// Removes the account's second factor (and any enrolment in progress):
/// its owner enrols a new one at the next sign-in.
pub fn clear_totp(c: &mut dyn Conn, id: i64) -> Result<()> {
    c.execute(
        "UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_last_step = NULL WHERE id = ?",
        params![id],
    )?;
    Ok(())
}

/// Gives the account a second factor issued by the security administrator
/// (sealed), not yet used: no step accepted so far.
pub fn issue_totp(c: &mut dyn Conn, id: i64, sealed: Vec<u8>) -> Result<()> {
    c.execute(
        "UPDATE users SET totp_secret = ?, totp_pending = NULL, totp_last_step = NULL WHERE id = ?",
        params![sealed, id],
    )?;
    Ok(())
}

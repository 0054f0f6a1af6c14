//! Accounts.

use crate::db::{Conn, Page, Result, Row};
use crate::params;
use dingdian_core::role::Role;
use dingdian_core::user::User;

const COLUMNS: &str = "id, username, display_name, role, unit_id, county_code, active, language, password_hash, password_changed_at, failed_logins, locked_until";

fn from_row(r: &Row) -> User {
    User {
        id: r.i64(0),
        username: r.str(1),
        display_name: r.str(2),
        role: Role::parse(&r.str(3)).unwrap_or(Role::Inspector),
        unit_id: r.opt_i64(4),
        county_code: r.opt_str(5),
        active: r.bool(6),
        language: r.str(7),
        password_hash: r.str(8),
        password_changed_at: r.i64(9),
        failed_logins: r.i64(10),
        locked_until: r.opt_i64(11),
    }
}

pub fn by_username(c: &mut dyn Conn, username: &str) -> Result<Option<User>> {
    let rows = c.query(
        &format!("SELECT {COLUMNS} FROM users WHERE username = ?"),
        params![username],
    )?;
    Ok(rows.first().map(from_row))
}

pub fn by_id(c: &mut dyn Conn, id: i64) -> Result<Option<User>> {
    let rows = c.query(
        &format!("SELECT {COLUMNS} FROM users WHERE id = ?"),
        params![id],
    )?;
    Ok(rows.first().map(from_row))
}

pub fn list(c: &mut dyn Conn, q: Option<&str>, page: Page) -> Result<(Vec<User>, i64)> {
    let like = format!("%{}%", q.unwrap_or("").trim());
    let total = c.query_i64(
        "SELECT COUNT(*) FROM users WHERE username LIKE ? OR display_name LIKE ?",
        params![like.clone(), like.clone()],
    )?;
    let rows = c.query(
        &format!("SELECT {COLUMNS} FROM users WHERE username LIKE ? OR display_name LIKE ? ORDER BY id LIMIT ? OFFSET ?"),
        params![like.clone(), like, page.limit(), page.offset()],
    )?;
    Ok((rows.iter().map(from_row).collect(), total))
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub unit_id: Option<i64>,
    pub county_code: Option<&'a str>,
    pub password_hash: &'a str,
}

pub fn insert(c: &mut dyn Conn, u: &NewUser, now: i64) -> Result<i64> {
    c.query_i64(
        "INSERT INTO users (username, display_name, role, unit_id, county_code, password_hash, password_changed_at, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        params![u.username, u.display_name, u.role.as_str(), u.unit_id, u.county_code, u.password_hash, now, now],
    )
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

pub fn count(c: &mut dyn Conn) -> Result<i64> {
    c.query_i64("SELECT COUNT(*) FROM users", &[])
}

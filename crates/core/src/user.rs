//! Accounts and password rules.

use crate::role::{Role, Scope};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: Option<i64>,
    pub county_code: Option<String>,
    pub active: bool,
    pub language: String,
    #[serde(skip)]
    pub password_hash: String,
    pub password_changed_at: i64,
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
}

impl User {
    /// The data this user may see; `None` when a scoped role lacks its scope.
    pub fn scope(&self) -> Option<Scope> {
        Scope::for_user(self.role, self.unit_id, self.county_code.as_deref())
    }
}

/// Failed sign-ins before the account is locked.
pub const MAX_FAILED_LOGINS: i64 = 5;
/// How long a locked account stays locked, in seconds.
pub const LOCKOUT_SECONDS: i64 = 30 * 60;
/// Idle time after which a session ends, in seconds.
pub const IDLE_TIMEOUT_SECONDS: i64 = 30 * 60;

/// Password strength: at least 8 characters and three of the four classes
/// (upper case, lower case, digits, other). Returns the problem, if any.
pub fn password_problem(pw: &str) -> Option<crate::Msg> {
    let classes = [
        pw.chars().any(|c| c.is_ascii_uppercase()),
        pw.chars().any(|c| c.is_ascii_lowercase()),
        pw.chars().any(|c| c.is_ascii_digit()),
        pw.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|x| **x)
    .count();
    if pw.chars().count() < 8 || classes < 3 {
        Some(crate::Msg::new(
            "weak_password",
            "密码至少 8 位，并包含大写字母、小写字母、数字、符号中的三类",
            "a password needs at least 8 characters from three of: upper case, lower case, digits, symbols",
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_rules() {
        assert!(password_problem("Abcdef12").is_none());
        assert!(password_problem("abcdef1!").is_none());
        assert!(password_problem("Abc12!").is_some(), "too short");
        assert!(password_problem("abcdefgh1").is_some(), "two classes");
        assert!(password_problem("ABCDEFGH").is_some());
    }
}

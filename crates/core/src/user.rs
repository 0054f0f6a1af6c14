//! Accounts and password rules.

use crate::role::{Role, Scope};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    /// `None` until the security administrator gives the account a role
    /// (an account the administrator made); such an account cannot sign in.
    pub role: Option<Role>,
    pub unit_id: Option<i64>,
    pub county_code: Option<String>,
    pub active: bool,
    pub language: String,
    #[serde(skip)]
    pub password_hash: String,
    pub password_changed_at: i64,
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
    /// The TOTP secret, sealed with the personal-data key; `None` without a
    /// second factor.
    #[serde(skip)]
    pub totp_secret: Option<Vec<u8>>,
    /// A secret being enrolled (sealed), until confirmed with a code.
    #[serde(skip)]
    pub totp_pending: Option<Vec<u8>>,
    /// The last TOTP step accepted (no code is accepted twice).
    #[serde(skip)]
    pub totp_last_step: Option<i64>,
    /// A demo account: refused unless the server runs with `--demo`.
    pub demo: bool,
}

impl User {
    /// The data this user may see; `None` when a scoped role lacks its scope.
    pub fn scope(&self) -> Option<Scope> {
        Scope::for_user(self.role?, self.unit_id, self.county_code.as_deref())
    }

    /// Whether sign-in asks this account for a TOTP code.
    pub fn has_second_factor(&self) -> bool {
        self.totp_secret.is_some()
    }

    /// The role demands a second factor that the account has not enrolled
    /// yet: it may only sign in to enrol one.
    pub fn must_enrol_second_factor(&self) -> bool {
        self.role.is_some_and(Role::requires_second_factor) && !self.has_second_factor()
    }

    /// The password is older than `max_age_days` (0: never expires). Demo
    /// accounts share a published password and are exempt.
    pub fn password_expired(&self, now: i64, max_age_days: i64) -> bool {
        !self.demo && max_age_days > 0 && now - self.password_changed_at > max_age_days * 86_400
    }
}

/// Failed sign-ins before the account is locked.
pub const MAX_FAILED_LOGINS: i64 = 5;
/// How long a locked account stays locked, in seconds.
pub const LOCKOUT_SECONDS: i64 = 30 * 60;
/// Idle time after which a session ends, in seconds.
pub const IDLE_TIMEOUT_SECONDS: i64 = 30 * 60;
/// Days a password lasts unless configured otherwise.
pub const DEFAULT_PASSWORD_MAX_AGE_DAYS: i64 = 90;

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

    fn account(role: Option<Role>) -> User {
        User {
            id: 1,
            username: "u".into(),
            display_name: "u".into(),
            role,
            unit_id: None,
            county_code: None,
            active: true,
            language: "zh".into(),
            password_hash: String::new(),
            password_changed_at: 1_000_000,
            failed_logins: 0,
            locked_until: None,
            totp_secret: None,
            totp_pending: None,
            totp_last_step: None,
            demo: false,
        }
    }

    #[test]
    fn required_roles_must_enrol_and_others_may() {
        let mut office = account(Some(Role::Office));
        assert!(office.must_enrol_second_factor());
        office.totp_secret = Some(vec![1]);
        assert!(!office.must_enrol_second_factor());
        assert!(office.has_second_factor());
        assert!(!account(Some(Role::Unit)).must_enrol_second_factor());
        assert!(!account(None).must_enrol_second_factor());
        assert_eq!(account(None).scope(), None, "no role, no scope");
    }

    #[test]
    fn passwords_expire_after_the_configured_days() {
        let u = account(Some(Role::Unit));
        let day = 86_400;
        assert!(!u.password_expired(1_000_000 + 90 * day, 90));
        assert!(u.password_expired(1_000_000 + 90 * day + 1, 90));
        assert!(
            !u.password_expired(1_000_000 + 900 * day, 0),
            "0 turns expiry off"
        );
        let demo = User { demo: true, ..u };
        assert!(!demo.password_expired(1_000_000 + 900 * day, 90));
    }

    #[test]
    fn password_rules() {
        assert!(password_problem("Abcdef12").is_none());
        assert!(password_problem("abcdef1!").is_none());
        assert!(password_problem("Abc12!").is_some(), "too short");
        assert!(password_problem("abcdefgh1").is_some(), "two classes");
        assert!(password_problem("ABCDEFGH").is_some());
    }
}

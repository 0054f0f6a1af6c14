//! Accounts under separated duties (三权分立), and each user's own account.
//!
//! - The administrator (`admin`) creates accounts without a role,
//!   deactivates and reactivates them, unlocks them and resets passwords.
//! - The security administrator (`security`) gives accounts their role and
//!   scope — the only one who may.
//! - The audit administrator (`auditor`) reads the audit log only.
//!
//! The three administrator duties themselves are given only by the operator
//! at the server (`dingdian user add`): in the application no one grants,
//! changes or removes them, and the administrator cannot deactivate or
//! reset the password of an administrator account, so none of the three can
//! take over or silence another. Nobody changes their own role.

use crate::auth::{check_scope, hash_password, new_totp_secret, seal_secret, verify_password};
use crate::error::{AppError, Result};
use crate::{Actor, App, audit};
use dingdian_core::role::{Action, Role, Scope};
use dingdian_core::user::{self, User};
use dingdian_core::{FieldError, Msg, time, totp};
use dingdian_store::users;
use dingdian_store::{areas, units};
use zeroize::Zeroizing;

/// A role and scope to give an account.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RoleInput {
    pub role: String,
    pub unit_id: Option<i64>,
    pub county_code: Option<String>,
}

fn own_account() -> AppError {
    AppError::Forbidden(Msg::new(
        "own_account",
        "不能对自己的账号执行此操作",
        "you may not do this to your own account",
    ))
}

fn admin_duty() -> AppError {
    AppError::Forbidden(Msg::new(
        "admin_duty",
        "系统管理员、安全管理员、审计管理员三类账号只能由服务器上的操作员（dingdian user add）设置",
        "the administrator, security and auditor duties are set only by the operator at the server (dingdian user add)",
    ))
}

fn second_factor_first() -> AppError {
    AppError::Forbidden(Msg::new(
        "second_factor_missing",
        "此账号的角色须使用动态口令，但尚未绑定：管理员不能重置其密码。请账号本人先绑定身份验证器，或由安全管理员先调整其角色",
        "this account's role needs a second factor it has not enrolled: the administrator may not reset its password. Its owner enrols one first, or the security administrator changes its role first",
    ))
}

/// The guard on every act on another account: never the actor's own, and
/// never one of the three administrator duties.
fn guard(actor: &Actor, id: i64, role: Option<Role>) -> Result<()> {
    if actor.user_id == Some(id) {
        return Err(own_account());
    }
    if role.is_some_and(Role::is_admin_duty) {
        return Err(admin_duty());
    }
    Ok(())
}

/// One account as its page shows it, with what the actor may do to it.
#[derive(Debug, Clone)]
pub struct AccountDetail {
    pub user: User,
    /// The second factor the security administrator issued and the owner
    /// has not used yet (shown to the security administrator only).
    pub issued: Option<String>,
    /// The actor may give the account its role and scope.
    pub may_assign: bool,
    /// The actor may deactivate, unlock or reset the account.
    pub may_manage: bool,
}

impl App {
    /// One account with what the actor may do to it.
    pub fn account_detail(&self, actor: &Actor, id: i64) -> Result<AccountDetail> {
        let user = self.get_user(actor, id)?;
        let issued = match actor.role.may(Action::AssignRoles) {
            true => self.issued_second_factor(actor, id)?,
            false => None,
        };
        let may = |action| actor.role.may(action) && guard(actor, id, user.role).is_ok();
        Ok(AccountDetail {
            may_assign: may(Action::AssignRoles),
            may_manage: may(Action::ManageAccounts),
            user,
            issued,
        })
    }

    fn target(&self, c: &mut dyn dingdian_store::Conn, id: i64) -> Result<User> {
        users::by_id(c, id)?.ok_or_else(|| AppError::not_found("账号", "account"))
    }

    /// An account the administrator may manage: not the actor's own, and
    /// not one of the three administrator duties.
    fn managed_target(
        &self,
        c: &mut dyn dingdian_store::Conn,
        actor: &Actor,
        id: i64,
    ) -> Result<User> {
        actor.require(Action::ManageAccounts)?;
        guard(actor, id, None)?;
        let u = self.target(c, id)?;
        guard(actor, id, u.role)?;
        Ok(u)
    }

    /// One account, for the administrator and the security administrator.
    pub fn get_user(&self, actor: &Actor, id: i64) -> Result<User> {
        actor.require(Action::ListAccounts)?;
        self.store.read(|c| self.target(c, id))
    }

    /// Gives an account its role and scope: the security administrator only,
    /// never to their own account, and never an administrator duty. A role
    /// that needs a second factor, given to an account without one, comes
    /// with one issued by the security administrator: its `otpauth://` line
    /// is answered here (and shown on the account's page until first used),
    /// to be handed to the owner. The administrator, who set the initial
    /// password, never holds it, so it cannot sign in as the owner.
    pub fn assign_role(&self, actor: &Actor, id: i64, input: &RoleInput) -> Result<Option<String>> {
        actor.require(Action::AssignRoles)?;
        guard(actor, id, None)?;
        let role = Role::parse(input.role.trim());
        self.store.write(|c| {
            let u = self.target(c, id)?;
            guard(actor, id, u.role)?;
            guard(actor, id, role)?;
            let Some(role) = role else {
                return Err(AppError::invalid(
                    "role",
                    input.role.trim(),
                    "unknown_role",
                    "不是已知的角色",
                    "is not a known role",
                ));
            };
            let county = input
                .county_code
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty());
            let mut e = Vec::new();
            check_scope(c, role, input.unit_id, county, &mut e)?;
            if !e.is_empty() {
                return Err(AppError::Invalid(e));
            }
            let unit_id = input.unit_id.filter(|_| role.needs_unit());
            let county = county.filter(|_| role.needs_county());
            users::set_role(c, id, role, unit_id, county)?;
            let issued = if role.requires_second_factor() && !u.has_second_factor() {
                let secret = Zeroizing::new(new_totp_secret());
                users::issue_totp(c, id, seal_secret(&self.key(), totp::AAD_SECRET, &secret))?;
                users::end_sessions(c, id)?;
                Some(totp::otpauth_uri(&u.username, &secret))
            } else {
                None
            };
            let detail = format!(
                "role {} -> {}; unit={}; county={}{}",
                u.role.map(Role::as_str).unwrap_or("none"),
                role.as_str(),
                unit_id.map(|u| u.to_string()).unwrap_or_default(),
                county.unwrap_or(""),
                if issued.is_some() {
                    "; second factor issued"
                } else {
                    ""
                }
            );
            audit(
                c,
                actor,
                "user.role",
                ("user", &u.username),
                "success",
                Some(detail),
            )?;
            Ok(issued)
        })
    }

    /// The `otpauth://` line of an account's second factor that has not
    /// been used to sign in yet, for the security administrator to hand to
    /// its owner; `None` once used (or without one).
    pub fn issued_second_factor(&self, actor: &Actor, id: i64) -> Result<Option<String>> {
        actor.require(Action::AssignRoles)?;
        let u = self.store.read(|c| self.target(c, id))?;
        if actor.user_id == Some(id) || u.role.is_some_and(Role::is_admin_duty) {
            return Ok(None);
        }
        match (&u.totp_secret, u.totp_last_step) {
            (Some(sealed), None) => {
                let secret =
                    Zeroizing::new(self.open_secret(&u.username, totp::AAD_SECRET, sealed)?);
                Ok(Some(totp::otpauth_uri(&u.username, &secret)))
            }
            _ => Ok(None),
        }
    }

    /// Deactivates (ending its sessions) or reactivates an account.
    pub fn set_user_active(&self, actor: &Actor, id: i64, active: bool) -> Result<()> {
        self.store.write(|c| {
            let u = self.managed_target(c, actor, id)?;
            users::set_active(c, id, active)?;
            if !active {
                users::end_sessions(c, id)?;
            }
            let action = if active {
                "user.activate"
            } else {
                "user.deactivate"
            };
            audit(c, actor, action, ("user", &u.username), "success", None)
        })
    }

    /// Lifts a lockout before its 30 minutes are over.
    pub fn unlock_user(&self, actor: &Actor, id: i64) -> Result<()> {
        actor.require(Action::ManageAccounts)?;
        self.store.write(|c| {
            let u = self.target(c, id)?;
            users::record_success(c, id)?;
            audit(
                c,
                actor,
                "user.unlock",
                ("user", &u.username),
                "success",
                None,
            )
        })
    }

    /// Sets a new password for someone who lost theirs. It must be changed
    /// at the next sign-in, the account's sessions end, and its owner is
    /// told at that sign-in who reset it and when. The reset does not carry
    /// past the second factor: the account keeps its own, so the
    /// administrator cannot sign in as its owner. An account whose role
    /// needs a second factor it has not enrolled is refused (its owner would
    /// enrol one with the administrator's password): the security
    /// administrator first takes away that role, or the owner enrols first.
    pub fn reset_password(&self, actor: &Actor, id: i64, password: &str) -> Result<()> {
        actor.require(Action::ManageAccounts)?;
        if let Some(m) = user::password_problem(password) {
            return Err(AppError::Invalid(vec![FieldError::new("password", "", m)]));
        }
        let hash = hash_password(password)?;
        let now = time::now_ts();
        let refused = self.store.write(|c| -> Result<Option<AppError>> {
            let u = self.managed_target(c, actor, id)?;
            if u.must_enrol_second_factor() {
                let why = "the role needs a second factor the account has not enrolled";
                audit(
                    c,
                    actor,
                    "user.password_reset",
                    ("user", &u.username),
                    "refused",
                    Some(why.into()),
                )?;
                return Ok(Some(second_factor_first()));
            }
            users::set_password(c, id, &hash, 0)?;
            users::set_password_reset(c, id, Some((&actor.username, now)))?;
            // An enrolment begun under the old password does not survive it.
            users::set_totp_pending(c, id, None)?;
            users::end_sessions(c, id)?;
            let detail = if u.has_second_factor() {
                "second factor kept"
            } else {
                "no second factor"
            };
            audit(
                c,
                actor,
                "user.password_reset",
                ("user", &u.username),
                "success",
                Some(detail.into()),
            )?;
            Ok(None)
        })?;
        refused.map_or(Ok(()), Err)
    }

    /// Resets an account's second factor (a lost phone): the security
    /// administrator's duty alone, never on their own account nor on an
    /// administrator duty. The old one stops working and the account's
    /// sessions end. A role that needs a second factor gets a new one issued
    /// at once (its `otpauth://` line answered, to hand to the owner), so
    /// nobody who knows the password — the administrator who set it, say —
    /// can enrol one of their own; for other roles it is removed.
    pub fn reset_second_factor(&self, actor: &Actor, id: i64) -> Result<Option<String>> {
        actor.require(Action::AssignRoles)?;
        if actor.user_id == Some(id) {
            return Err(own_account());
        }
        self.store.write(|c| {
            let u = self.target(c, id)?;
            if u.role.is_some_and(Role::is_admin_duty) {
                return Err(admin_duty());
            }
            let issued = if u.role.is_some_and(Role::requires_second_factor) {
                let secret = Zeroizing::new(new_totp_secret());
                users::issue_totp(c, id, seal_secret(&self.key(), totp::AAD_SECRET, &secret))?;
                Some(totp::otpauth_uri(&u.username, &secret))
            } else {
                users::clear_totp(c, id)?;
                None
            };
            users::end_sessions(c, id)?;
            let detail = if issued.is_some() {
                "new second factor issued"
            } else {
                "second factor removed"
            };
            audit(
                c,
                actor,
                "user.totp_reset",
                ("user", &u.username),
                "success",
                Some(detail.into()),
            )?;
            Ok(issued)
        })
    }

    /// What the signed-in user is told after an administrator reset its
    /// password, until it changes it: by whom and when (Beijing time).
    pub fn password_reset_notice(&self, actor: &Actor) -> Result<Option<Msg>> {
        let Some(id) = actor.user_id else {
            return Ok(None);
        };
        let reset = self.store.read(|c| users::password_reset(c, id))?;
        Ok(reset.map(|(by, at)| {
            let when = time::show_ts(at);
            Msg::new(
                "password_was_reset",
                format!("您的密码已于 {when}（北京时间）由管理员 {by} 重置。如非您本人申请，请立即联系安全管理员。"),
                format!("Your password was reset by the administrator {by} on {when} (Beijing time). If you did not ask for it, tell the security administrator at once."),
            )
        }))
    }

    /// The signed-in user's own account.
    pub fn my_account(&self, actor: &Actor) -> Result<User> {
        let id = actor.user_id.ok_or_else(own_account)?;
        self.store.read(|c| self.target(c, id))
    }

    /// What the signed-in user's scope is called: the unit's and/or the
    /// county's name ("" for the whole country). Anyone may read the names
    /// of their own scope.
    pub fn scope_label(&self, actor: &Actor) -> Result<String> {
        let scope = &actor.scope;
        self.store.read(|c| -> Result<String> {
            let mut parts = Vec::new();
            if let Some(u) = scope.unit() {
                parts.extend(units::get(c, &Scope::All, u)?.map(|u| u.name));
            }
            if let Some(code) = scope.county() {
                parts.extend(areas::get(c, code)?.map(|a| a.name));
            }
            Ok(parts.join(" · "))
        })
    }

    /// Changes the signed-in user's own password: the current one must be
    /// given, and the new one must follow the rules and differ from it.
    pub fn change_password(&self, actor: &Actor, current: &str, new: &str) -> Result<()> {
        let u = self.my_account(actor)?;
        let mut e = Vec::new();
        if !verify_password(current, &u.password_hash) {
            e.push(FieldError::new(
                "current_password",
                "",
                Msg::new(
                    "bad_password",
                    "当前密码不正确",
                    "the current password is wrong",
                ),
            ));
        }
        if let Some(m) = user::password_problem(new) {
            e.push(FieldError::new("new_password", "", m));
        } else if new == current {
            e.push(FieldError::new(
                "new_password",
                "",
                Msg::new(
                    "same_password",
                    "新密码不能与当前密码相同",
                    "the new password must differ from the current one",
                ),
            ));
        }
        if !e.is_empty() {
            self.store.write(|c| {
                audit(
                    c,
                    actor,
                    "user.password_change",
                    ("user", &u.username),
                    "failure",
                    None,
                )
            })?;
            return Err(AppError::Invalid(e));
        }
        let hash = hash_password(new)?;
        self.store.write(|c| {
            users::set_password(c, u.id, &hash, time::now_ts())?;
            users::set_password_reset(c, u.id, None)?;
            audit(
                c,
                actor,
                "user.password_change",
                ("user", &u.username),
                "success",
                None,
            )
        })
    }

    /// Starts enrolling a second factor: a new secret is kept (sealed) until
    /// a code confirms it. Answers the `otpauth://` line for the app.
    pub fn begin_totp_enrolment(&self, actor: &Actor) -> Result<String> {
        let u = self.my_account(actor)?;
        let secret = Zeroizing::new(new_totp_secret());
        let sealed = seal_secret(&self.key(), totp::AAD_PENDING, &secret);
        self.store.write(|c| {
            users::set_totp_pending(c, u.id, Some(sealed))?;
            audit(
                c,
                actor,
                "user.totp_begin",
                ("user", &u.username),
                "success",
                None,
            )
        })?;
        Ok(totp::otpauth_uri(&u.username, &secret))
    }

    /// The `otpauth://` line of the secret being enrolled, if any.
    pub fn pending_totp(&self, actor: &Actor) -> Result<Option<String>> {
        let u = self.my_account(actor)?;
        let Some(sealed) = u.totp_pending else {
            return Ok(None);
        };
        let secret = Zeroizing::new(self.open_secret(&u.username, totp::AAD_PENDING, &sealed)?);
        Ok(Some(totp::otpauth_uri(&u.username, &secret)))
    }

    /// Confirms the secret being enrolled with a code from the app; from
    /// then on sign-in asks for a code.
    pub fn confirm_totp_enrolment(&self, actor: &Actor, code: &str) -> Result<()> {
        let u = self.my_account(actor)?;
        let Some(sealed) = u.totp_pending.clone() else {
            return Err(AppError::Conflict(Msg::new(
                "no_enrolment",
                "没有正在绑定的身份验证器，请先点击“开始绑定”",
                "no enrolment in progress: start one first",
            )));
        };
        let secret = Zeroizing::new(self.open_secret(&u.username, totp::AAD_PENDING, &sealed)?);
        let Some(step) = totp::verify(&secret, code, time::now_ts(), None) else {
            return Err(AppError::invalid(
                "totp",
                "",
                "bad_totp",
                "动态口令不正确，请输入身份验证器当前显示的 6 位数字",
                "the code is wrong: enter the 6 digits your authenticator app shows now",
            ));
        };
        let resealed = seal_secret(&self.key(), totp::AAD_SECRET, &secret);
        self.store.write(|c| {
            users::set_totp_secret(c, u.id, resealed, step)?;
            audit(
                c,
                actor,
                "user.totp_enrol",
                ("user", &u.username),
                "success",
                None,
            )
        })
    }

    fn open_secret(&self, username: &str, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>> {
        self.keys()
            .open_any(aad, sealed)
            .map(|(p, _)| p)
            .map_err(|m| AppError::internal(&format!("TOTP secret of {username}"), &m.en))
    }
}

//! Sign-in, sessions, tokens and accounts.

use crate::error::{AppError, Result};
use crate::{Actor, App, audit};
use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use dingdian_core::role::{Action, Role};
use dingdian_core::user::{self, User};
use dingdian_core::{FieldError, Msg, time};
use dingdian_store::{Page, areas, sessions, units, users};
use rand::RngCore;
use sha2::{Digest, Sha256};

pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Store(dingdian_store::StoreError::Db(format!("argon2: {e}"))))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A real hash to verify against when the user name is unknown.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("dummy-password-for-timing").unwrap_or_default())
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn bad_credentials() -> AppError {
    AppError::Unauthorized(Msg::new(
        "bad_credentials",
        "用户名或密码错误",
        "wrong user name or password",
    ))
}

/// What a successful sign-in hands out.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub token: String,
    pub csrf_token: String,
    pub user: User,
}

/// The session kinds: a browser cookie or an API bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    Web,
    Api,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            SessionKind::Web => "web",
            SessionKind::Api => "api",
        }
    }
}

enum Attempt {
    Ok(SignedIn),
    Failed(AppError),
}

impl App {
    /// Signs in with user name and password. Failures are counted; the
    /// fifth in a row locks the account for 30 minutes. Every attempt is
    /// audited.
    pub fn login(
        &self,
        username: &str,
        password: &str,
        kind: SessionKind,
        address: Option<String>,
    ) -> Result<SignedIn> {
        let now = time::now_ts();
        let attempt = self.store.write(|c| -> Result<Attempt> {
            let anonymous = Actor {
                user_id: None,
                username: username.to_string(),
                display_name: String::new(),
                role: Role::Inspector,
                scope: dingdian_core::role::Scope::All,
                lang: "zh".into(),
                address: address.clone(),
            };
            let Some(u) = users::by_username(c, username.trim())? else {
                // Spend the same time as a real check, so timing does not tell
                // which user names exist.
                let _ = verify_password(password, dummy_hash());
                audit(c, &anonymous, "login", ("user", username), "failure", Some("unknown user".into()))?;
                return Ok(Attempt::Failed(bad_credentials()));
            };
            let actor = Actor { user_id: Some(u.id), ..anonymous };
            if let Some(until) = u.locked_until.filter(|t| *t > now) {
                audit(c, &actor, "login", ("user", &u.username), "refused", Some("locked".into()))?;
                let minutes = (until - now + 59) / 60;
                return Ok(Attempt::Failed(AppError::Locked(Msg::new(
                    "locked",
                    format!("连续登录失败次数过多，账号已锁定，请 {minutes} 分钟后再试"),
                    format!("too many failed sign-ins: the account is locked, try again in {minutes} minutes"),
                ))));
            }
            if !u.active {
                audit(c, &actor, "login", ("user", &u.username), "refused", Some("inactive".into()))?;
                return Ok(Attempt::Failed(bad_credentials()));
            }
            if !verify_password(password, &u.password_hash) {
                let failed = u.failed_logins + 1;
                let lock = (failed >= user::MAX_FAILED_LOGINS).then_some(now + user::LOCKOUT_SECONDS);
                users::record_failure(c, u.id, if lock.is_some() { 0 } else { failed }, lock)?;
                audit(c, &actor, "login", ("user", &u.username), "failure", lock.map(|_| "account locked".to_string()))?;
                return Ok(Attempt::Failed(bad_credentials()));
            }
            users::record_success(c, u.id)?;
            let token = random_token();
            let csrf_token = random_token();
            sessions::insert(c, &token_hash(&token), u.id, kind.as_str(), &csrf_token, address.as_deref(), now)?;
            audit(c, &actor, "login", ("user", &u.username), "success", Some(kind.as_str().into()))?;
            Ok(Attempt::Ok(SignedIn { token, csrf_token, user: u }))
        })?;
        match attempt {
            Attempt::Ok(s) => Ok(s),
            Attempt::Failed(e) => Err(e),
        }
    }

    /// The acting user behind a session token, or 401 when the token is
    /// unknown or idle past the timeout. Touches the session.
    pub fn authenticate(&self, token: &str, address: Option<String>) -> Result<(Actor, String)> {
        let now = time::now_ts();
        let expired = || {
            AppError::Unauthorized(Msg::new(
                "unauthenticated",
                "未登录或登录已超时，请重新登录",
                "not signed in, or the session timed out: please sign in again",
            ))
        };
        let h = token_hash(token);
        // Most requests only read; a write (touch or delete) happens at most
        // once a minute per session, so readers never queue behind a lock.
        let found = self
            .store
            .read(|c| -> Result<Option<(sessions::Session, Option<User>)>> {
                let Some(s) = sessions::get(c, &h)? else {
                    return Ok(None);
                };
                let u = users::by_id(c, s.user_id)?;
                Ok(Some((s, u)))
            })?;
        let Some((s, u)) = found else {
            return Err(expired());
        };
        if now - s.last_seen_at > user::IDLE_TIMEOUT_SECONDS {
            self.store.write(|c| sessions::delete(c, &h))?;
            return Err(expired());
        }
        let u = u.filter(|u| u.active).ok_or_else(expired)?;
        if now - s.last_seen_at >= 60 {
            self.store.write(|c| sessions::touch(c, &h, now))?;
        }
        let actor = Actor::from_user(&u, address).ok_or_else(|| {
            AppError::Forbidden(Msg::new(
                "no_scope",
                "此账号缺少单位或县的范围设置",
                "this account lacks its unit or county scope",
            ))
        })?;
        Ok((actor, s.csrf_token))
    }

    pub fn logout(&self, token: &str, actor: &Actor) -> Result<()> {
        self.store.write(|c| {
            sessions::delete(c, &token_hash(token))?;
            audit(
                c,
                actor,
                "logout",
                ("user", &actor.username),
                "success",
                None,
            )
        })
    }

    /// Test hook for the idle timeout: moves a session's last activity back.
    pub fn age_session(&self, token: &str, seconds: i64) -> Result<()> {
        self.store.write(|c| {
            sessions::touch(c, &token_hash(token), time::now_ts() - seconds).map_err(Into::into)
        })
    }

    pub fn set_language(&self, actor: &Actor, lang: &str) -> Result<()> {
        let lang = if lang == "en" { "en" } else { "zh" };
        if let Some(id) = actor.user_id {
            self.store
                .write(|c| users::set_language(c, id, lang).map_err(AppError::from))?;
        }
        Ok(())
    }

    /// Creates an account. The actor must manage users (the CLI may always).
    pub fn create_user(&self, actor: &Actor, n: &NewUserInput) -> Result<i64> {
        if actor.user_id.is_some() {
            actor.require(Action::ManageUsers)?;
        }
        let mut e = Vec::new();
        let username = n.username.trim();
        if username.is_empty() {
            e.push(FieldError::required("username"));
        } else if username.len() > 50
            || !username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        {
            e.push(FieldError::new(
                "username",
                username,
                Msg::new(
                    "bad_username",
                    "用户名只能包含字母、数字和 . _ -，最长 50 位",
                    "a user name holds only letters, digits and . _ - (at most 50)",
                ),
            ));
        }
        let role = Role::parse(n.role.trim());
        if role.is_none() {
            e.push(FieldError::new(
                "role",
                n.role.trim(),
                Msg::new("unknown_role", "不是已知的角色", "is not a known role"),
            ));
        }
        if let Some(m) = user::password_problem(&n.password) {
            e.push(FieldError::new("password", "", m));
        }
        let out = self.store.write(|c| {
            if let Some(r) = role {
                if r.needs_unit() {
                    match n.unit_id {
                        None => e.push(FieldError::new(
                            "unit",
                            "",
                            Msg::new(
                                "unit_required",
                                "此角色必须指定单位",
                                "this role needs a unit",
                            ),
                        )),
                        Some(id) if !units::exists(c, id)? => e.push(FieldError::new(
                            "unit",
                            id.to_string(),
                            Msg::new("unknown_unit", "单位不存在", "no such unit"),
                        )),
                        _ => {}
                    }
                }
                if r.needs_county() {
                    match n.county_code.as_deref() {
                        None | Some("") => e.push(FieldError::new(
                            "county",
                            "",
                            Msg::new(
                                "county_required",
                                "此角色必须指定县",
                                "this role needs a county",
                            ),
                        )),
                        Some(code) if !areas::county_exists(c, code)? => e.push(FieldError::new(
                            "county",
                            code,
                            Msg::new(
                                "unknown_county",
                                "不是已知的县级区划代码",
                                "is not a known county code",
                            ),
                        )),
                        _ => {}
                    }
                }
            }
            if !username.is_empty() && users::by_username(c, username)?.is_some() {
                e.push(FieldError::new(
                    "username",
                    username,
                    Msg::new(
                        "duplicate_username",
                        "用户名已存在",
                        "this user name is taken",
                    ),
                ));
            }
            if !e.is_empty() {
                return Err(AppError::Invalid(std::mem::take(&mut e)));
            }
            let role = role.expect("checked");
            let hash = hash_password(&n.password)?;
            let display = if n.display_name.trim().is_empty() {
                username
            } else {
                n.display_name.trim()
            };
            let id = users::insert(
                c,
                &users::NewUser {
                    username,
                    display_name: display,
                    role,
                    unit_id: n.unit_id.filter(|_| role.needs_unit()),
                    county_code: n.county_code.as_deref().filter(|_| role.needs_county()),
                    password_hash: &hash,
                },
                time::now_ts(),
            )?;
            audit(
                c,
                actor,
                "user.create",
                ("user", username),
                "success",
                Some(format!("role={}", role.as_str())),
            )?;
            Ok(id)
        })?;
        Ok(out)
    }

    pub fn list_users(
        &self,
        actor: &Actor,
        q: Option<&str>,
        page: Page,
    ) -> Result<(Vec<User>, i64)> {
        actor.require(Action::ManageUsers)?;
        Ok(self.store.read(|c| users::list(c, q, page))?)
    }
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct NewUserInput {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub unit_id: Option<i64>,
    pub county_code: Option<String>,
    pub password: String,
}

impl App {
    /// The accounts the search shows, as xlsx (no password hashes).
    pub fn export_users(&self, actor: &Actor, q: Option<&str>) -> Result<Vec<u8>> {
        use crate::tabular::Cell;
        let (items, _) = self.list_users(actor, q, Page::all())?;
        let headers: Vec<String> = [
            "编号",
            "用户名",
            "姓名",
            "角色",
            "单位编号",
            "县级区划代码",
            "启用",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let rows: Vec<Vec<Cell>> = items
            .into_iter()
            .map(|u| {
                vec![
                    u.id.into(),
                    u.username.into(),
                    u.display_name.into(),
                    u.role.zh().into(),
                    u.unit_id.into(),
                    u.county_code.into(),
                    (if u.active { "是" } else { "否" }).into(),
                ]
            })
            .collect();
        self.audited_xlsx(actor, ("user.export", "user"), "users", &headers, &rows)
    }
}

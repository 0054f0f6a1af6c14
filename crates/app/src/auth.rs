//! Sign-in, sessions, tokens and accounts.

use crate::error::{AppError, Result};
use crate::{Actor, App, audit};
use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use dingdian_core::crypto::PersonalDataKey;
use dingdian_core::role::{Action, Role};
use dingdian_core::user::{self, User};
use dingdian_core::{FieldError, Msg, time, totp};
use dingdian_store::{Conn, Page, areas, sessions, units, users};
use rand::RngCore;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal("argon2", e))
}

pub(crate) fn verify_password(password: &str, hash: &str) -> bool {
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
    /// The session may only change the password or enrol a second factor.
    pub restriction: Option<Restriction>,
    /// Who reset the account's password and when (UTC seconds), if its
    /// owner has not changed it since: the owner is told.
    pub password_reset: Option<(String, i64)>,
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

/// Why a signed-in session may do nothing but put its account in order.
/// Worked out from the account on every request, so it lifts as soon as
/// the account is in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Restriction {
    /// The password is older than the configured maximum age (or was set
    /// by the administrator): change it first.
    PasswordExpired,
    /// The role needs a second factor the account has not enrolled yet.
    EnrolSecondFactor,
}

impl Restriction {
    pub fn code(self) -> &'static str {
        match self {
            Restriction::PasswordExpired => "password_expired",
            Restriction::EnrolSecondFactor => "second_factor_required",
        }
    }

    pub fn msg(self) -> Msg {
        match self {
            Restriction::PasswordExpired => Msg::new(
                self.code(),
                "密码已过期（或由管理员设置），请先在“我的账户”修改密码",
                "the password has expired (or was set by the administrator): change it under “My account” first",
            ),
            Restriction::EnrolSecondFactor => Msg::new(
                self.code(),
                "此角色须使用动态口令（第二因素），请先在“我的账户”绑定身份验证器",
                "this role needs a second factor: set up an authenticator app under “My account” first",
            ),
        }
    }

    fn of(u: &User, now: i64, policy: crate::SignInPolicy) -> Option<Restriction> {
        if u.password_expired(now, policy.password_max_age_days) {
            Some(Restriction::PasswordExpired)
        } else if u.must_enrol_second_factor() {
            Some(Restriction::EnrolSecondFactor)
        } else {
            None
        }
    }
}

fn demo_refused() -> AppError {
    AppError::Forbidden(Msg::new(
        "demo_account",
        "演示账号只能在演示模式（serve --demo）下登录；正式系统请使用管理员创建的账号",
        "demo accounts sign in only in demo mode (serve --demo); use an account made by the administrator",
    ))
}

fn no_role() -> AppError {
    AppError::Forbidden(Msg::new(
        "no_role",
        "此账号尚未分配角色，请联系安全管理员",
        "this account has no role yet: ask the security administrator to assign one",
    ))
}

/// Fresh random bytes for a TOTP secret.
pub fn new_totp_secret() -> Vec<u8> {
    let mut secret = vec![0u8; totp::SECRET_BYTES];
    rand::thread_rng().fill_bytes(&mut secret);
    secret
}

/// Seals a TOTP secret with the personal-data key under `aad`.
pub(crate) fn seal_secret(key: &PersonalDataKey, aad: &[u8], secret: &[u8]) -> Vec<u8> {
    let mut nonce = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut nonce);
    key.seal(nonce, aad, secret)
}

enum Attempt {
    Ok(Box<SignedIn>),
    Failed(AppError),
}

fn locked(until: i64, now: i64) -> AppError {
    let minutes = (until - now + 59) / 60;
    AppError::Locked(Msg::new(
        "locked",
        format!("连续登录失败次数过多，账号已锁定，请 {minutes} 分钟后再试"),
        format!("too many failed sign-ins: the account is locked, try again in {minutes} minutes"),
    ))
}

/// A sign-in under a user name that names no account answers exactly as
/// one with a wrong password: the same argon2 work (against a dummy hash),
/// the same count of failures and the same lock after the fifth, so
/// neither the status nor the timing tells which names exist.
fn unknown_user(
    c: &mut dyn Conn,
    actor: &Actor,
    username: &str,
    password: &str,
    now: i64,
) -> Result<Attempt> {
    let key: String = username.trim().chars().take(100).collect();
    let (failed, until) = users::throttle(c, &key)?;
    if let Some(until) = until.filter(|t| *t > now) {
        audit(
            c,
            actor,
            "login",
            ("user", &key),
            "refused",
            Some("locked (unknown user)".into()),
        )?;
        return Ok(Attempt::Failed(locked(until, now)));
    }
    let _ = verify_password(password, dummy_hash());
    let failed = failed + 1;
    let lock = (failed >= user::MAX_FAILED_LOGINS).then_some(now + user::LOCKOUT_SECONDS);
    users::record_unknown_failure(c, &key, if lock.is_some() { 0 } else { failed }, lock, now)?;
    let detail = if lock.is_some() {
        "unknown user; name locked"
    } else {
        "unknown user"
    };
    audit(
        c,
        actor,
        "login",
        ("user", &key),
        "failure",
        Some(detail.into()),
    )?;
    Ok(Attempt::Failed(bad_credentials()))
}

/// Audits a refused sign-in to the account and answers why.
fn refuse(
    c: &mut dyn Conn,
    (actor, u): (&Actor, &User),
    why: &str,
    error: AppError,
) -> Result<Attempt> {
    audit(
        c,
        actor,
        "login",
        ("user", &u.username),
        "refused",
        Some(why.into()),
    )?;
    Ok(Attempt::Failed(error))
}

/// Counts a wrong password or a wrong code toward the lock (they count
/// alike), and audits it.
fn count_failure(
    c: &mut dyn Conn,
    actor: &Actor,
    u: &User,
    now: i64,
    (why, error): (&str, AppError),
) -> Result<Attempt> {
    let failed = u.failed_logins + 1;
    let lock = (failed >= user::MAX_FAILED_LOGINS).then_some(now + user::LOCKOUT_SECONDS);
    users::record_failure(c, u.id, if lock.is_some() { 0 } else { failed }, lock)?;
    let detail = match lock {
        Some(_) => format!("{why}; account locked"),
        None => why.to_string(),
    };
    audit(
        c,
        actor,
        "login",
        ("user", &u.username),
        "failure",
        Some(detail),
    )?;
    Ok(Attempt::Failed(error))
}

/// Checks the second factor of an account that has one: `None` when the
/// code is right (its step is then used up), or the failed attempt.
fn second_factor(
    c: &mut dyn Conn,
    (actor, keys): (&Actor, &crate::keys::Keys),
    u: &User,
    code: Option<&str>,
    now: i64,
) -> Result<Option<Attempt>> {
    let Some(sealed) = &u.totp_secret else {
        return Ok(None);
    };
    let code = code.map(str::trim).unwrap_or("");
    if code.is_empty() {
        let missing = AppError::Unauthorized(Msg::new(
            "totp_required",
            "请输入身份验证器显示的 6 位动态口令",
            "enter the 6-digit code your authenticator app shows",
        ));
        return refuse(c, (actor, u), "second factor missing", missing).map(Some);
    }
    let secret = Zeroizing::new(
        keys.open_any(totp::AAD_SECRET, sealed)
            .map(|(p, _)| p)
            .map_err(|m| AppError::internal(&format!("TOTP secret of {}", u.username), &m.en))?,
    );
    match totp::verify(&secret, code, now, u.totp_last_step) {
        Some(step) => {
            users::set_totp_step(c, u.id, Some(step))?;
            Ok(None)
        }
        None => {
            let wrong = AppError::Unauthorized(Msg::new(
                "bad_totp",
                "动态口令错误、已过期或已使用过",
                "the code is wrong, expired or already used",
            ));
            let why = "wrong or reused second factor";
            count_failure(c, actor, u, now, (why, wrong)).map(Some)
        }
    }
}

/// Opens the session of a sign-in that passed every check, and audits it.
fn open_session(
    c: &mut dyn Conn,
    (actor, u): (&Actor, User),
    kind: SessionKind,
    now: i64,
    policy: crate::SignInPolicy,
) -> Result<Attempt> {
    users::record_success(c, u.id)?;
    // Sessions idle past the timeout can never be used again: each
    // sign-in clears them, so the table does not grow for ever.
    sessions::delete_idle(c, now - user::IDLE_TIMEOUT_SECONDS)?;
    let token = random_token();
    let csrf_token = random_token();
    sessions::insert(
        c,
        &token_hash(&token),
        u.id,
        kind.as_str(),
        &csrf_token,
        actor.address.as_deref(),
        now,
    )?;
    let restriction = Restriction::of(&u, now, policy);
    let detail = match restriction {
        Some(r) => format!("{}; restricted: {}", kind.as_str(), r.code()),
        None => kind.as_str().to_string(),
    };
    audit(
        c,
        actor,
        "login",
        ("user", &u.username),
        "success",
        Some(detail),
    )?;
    let password_reset = users::password_reset(c, u.id)?;
    Ok(Attempt::Ok(Box::new(SignedIn {
        token,
        csrf_token,
        user: u,
        restriction,
        password_reset,
    })))
}

impl App {
    /// Signs in with user name, password and, for an account with a second
    /// factor, the TOTP code. Wrong passwords and wrong codes are counted;
    /// the fifth in a row locks the account for 30 minutes. Every attempt is
    /// audited. An expired password or a missing second factor the role
    /// needs still signs in, but into a [`Restriction`].
    pub fn login(
        &self,
        username: &str,
        password: &str,
        totp_code: Option<&str>,
        kind: SessionKind,
        address: Option<String>,
    ) -> Result<SignedIn> {
        let now = time::now_ts();
        let policy = self.policy();
        let keys = self.keys();
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
                return unknown_user(c, &anonymous, username, password, now);
            };
            let actor = Actor {
                user_id: Some(u.id),
                ..anonymous
            };
            if let Some(until) = u.locked_until.filter(|t| *t > now) {
                return refuse(c, (&actor, &u), "locked", locked(until, now));
            }
            if !verify_password(password, &u.password_hash) {
                return count_failure(c, &actor, &u, now, ("wrong password", bad_credentials()));
            }
            // Checked after the password, and counted like a wrong one, so an
            // inactive account answers exactly as an unknown name does.
            if !u.active {
                return count_failure(c, &actor, &u, now, ("inactive", bad_credentials()));
            }
            if u.demo && !policy.demo_mode {
                return refuse(
                    c,
                    (&actor, &u),
                    "demo account outside --demo",
                    demo_refused(),
                );
            }
            if u.role.is_none() || u.scope().is_none() {
                return refuse(c, (&actor, &u), "no role or scope", no_role());
            }
            if let Some(failed) = second_factor(c, (&actor, keys), &u, totp_code, now)? {
                return Ok(failed);
            }
            open_session(c, (&actor, u), kind, now, policy)
        })?;
        match attempt {
            Attempt::Ok(s) => Ok(*s),
            Attempt::Failed(e) => Err(e),
        }
    }

    /// The acting user behind a session token, or 401 when the token is
    /// unknown or idle past the timeout. A session that must first change
    /// its password or enrol a second factor is refused with 403 (the code
    /// names which); see [`authenticate_account`](Self::authenticate_account).
    /// Touches the session.
    pub fn authenticate(&self, token: &str, address: Option<String>) -> Result<(Actor, String)> {
        let (actor, csrf, restriction) = self.authenticate_account(token, address)?;
        match restriction {
            Some(r) => Err(AppError::Forbidden(r.msg())),
            None => Ok((actor, csrf)),
        }
    }

    /// Like [`authenticate`](Self::authenticate), but lets a restricted
    /// session through with its restriction: only the account's own pages
    /// (change the password, enrol a second factor) use it.
    pub fn authenticate_account(
        &self,
        token: &str,
        address: Option<String>,
    ) -> Result<(Actor, String, Option<Restriction>)> {
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
        if u.demo && !self.policy().demo_mode {
            return Err(demo_refused());
        }
        if now - s.last_seen_at >= 60 {
            self.store.write(|c| sessions::touch(c, &h, now))?;
        }
        let actor = Actor::from_user(&u, address).ok_or_else(|| {
            AppError::Forbidden(Msg::new(
                "no_scope",
                "此账号缺少角色或单位、县的范围设置",
                "this account lacks its role or its unit or county scope",
            ))
        })?;
        Ok((actor, s.csrf_token, Restriction::of(&u, now, self.policy())))
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

    /// Creates an account. The operator at the server (the CLI) gives any
    /// role, the three administrator duties included. The administrator
    /// (in the application) makes the account without a role — the
    /// security administrator assigns it — and its password must be changed
    /// at the first sign-in, so the administrator never knows a password
    /// in use.
    pub fn create_user(&self, actor: &Actor, n: &NewUserInput) -> Result<i64> {
        let by_operator = actor.user_id.is_none();
        if !by_operator {
            actor.require(Action::ManageAccounts)?;
            if !n.role.trim().is_empty() {
                return Err(AppError::Forbidden(Msg::new(
                    "role_by_security",
                    "角色和范围由安全管理员分配：请不选角色创建账号",
                    "roles and scopes are assigned by the security administrator: create the account without a role",
                )));
            }
        }
        let (mut e, role) = new_user_problems(n, by_operator);
        let username = n.username.trim();
        let now = time::now_ts();
        let out = self.store.write(|c| {
            if let Some(r) = role {
                check_scope(c, r, n.unit_id, n.county_code.as_deref(), &mut e)?;
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
            let id = self.insert_user(c, n, role, by_operator, now)?;
            let mut detail = format!("role={}", role.map(Role::as_str).unwrap_or("none"));
            if n.totp_secret.is_some() {
                detail.push_str("; second factor");
            }
            if n.demo {
                detail.push_str("; demo account");
            }
            audit(
                c,
                actor,
                "user.create",
                ("user", username),
                "success",
                Some(detail),
            )?;
            Ok(id)
        })?;
        Ok(out)
    }

    /// Writes a checked new account, its password hashed and its second
    /// factor sealed.
    fn insert_user(
        &self,
        c: &mut dyn Conn,
        n: &NewUserInput,
        role: Option<Role>,
        by_operator: bool,
        now: i64,
    ) -> Result<i64> {
        let username = n.username.trim();
        let hash = hash_password(&n.password)?;
        let display = if n.display_name.trim().is_empty() {
            username
        } else {
            n.display_name.trim()
        };
        let totp_secret = n
            .totp_secret
            .as_deref()
            .map(|s| seal_secret(&self.key(), totp::AAD_SECRET, s));
        Ok(users::insert(
            c,
            &users::NewUser {
                username,
                display_name: display,
                role,
                unit_id: n.unit_id.filter(|_| role.is_some_and(Role::needs_unit)),
                county_code: n
                    .county_code
                    .as_deref()
                    .filter(|_| role.is_some_and(Role::needs_county)),
                password_hash: &hash,
                password_changed_at: if by_operator { now } else { 0 },
                totp_secret,
                demo: n.demo,
            },
            now,
        )?)
    }
}

/// What is wrong with a new account before the database is asked (user
/// name, role for the operator, password rules), and its role.
fn new_user_problems(n: &NewUserInput, by_operator: bool) -> (Vec<FieldError>, Option<Role>) {
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
    if by_operator && role.is_none() {
        e.push(FieldError::new(
            "role",
            n.role.trim(),
            Msg::new("unknown_role", "不是已知的角色", "is not a known role"),
        ));
    }
    if let Some(m) = user::password_problem(&n.password) {
        e.push(FieldError::new("password", "", m));
    }
    (e, role)
}

impl App {
    /// The accounts, for the administrator and the security administrator.
    pub fn list_users(
        &self,
        actor: &Actor,
        q: Option<&str>,
        page: Page,
    ) -> Result<(Vec<User>, i64)> {
        actor.require(Action::ListAccounts)?;
        Ok(self.store.read(|c| users::list(c, q, page))?)
    }
}

/// Adds an error for each scope the role needs and lacks or names wrongly.
pub(crate) fn check_scope(
    c: &mut dyn Conn,
    role: Role,
    unit_id: Option<i64>,
    county_code: Option<&str>,
    e: &mut Vec<FieldError>,
) -> Result<()> {
    if role.needs_unit() {
        match unit_id {
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
    if role.needs_county() {
        match county_code.map(str::trim) {
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
    Ok(())
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
    /// A second factor to give the account (its raw secret), chosen by the
    /// operator at the server; never read from a request.
    #[serde(skip)]
    pub totp_secret: Option<Vec<u8>>,
    /// Mark the account as a demo account (the demo loader only).
    #[serde(skip)]
    pub demo: bool,
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
                    u.role.map(Role::zh).unwrap_or("待分配").into(),
                    u.unit_id.into(),
                    u.county_code.into(),
                    (if u.active { "是" } else { "否" }).into(),
                ]
            })
            .collect();
        self.audited_xlsx(actor, ("user.export", "user"), "users", &headers, &rows)
    }
}

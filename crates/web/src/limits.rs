//! The request guard: bodies over the size limit are refused before they
//! are read, and sign-in and the API are rate limited per client (a token
//! bucket per connecting address, per account name on sign-in, per bearer
//! token on the API). Over the limit the answer is 429 with `Retry-After`:
//! JSON on the API, a bilingual page otherwise.

use crate::AppState;
use axum::Json;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most `max` requests per `per`, refilled evenly; `max == 0` is no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub max: u32,
    pub per: Duration,
}

impl Rate {
    pub const fn per_minute(max: u32) -> Rate {
        Rate {
            max,
            per: Duration::from_secs(60),
        }
    }
}

/// The limits of the request guard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Sign-in attempts, per client address and per account name.
    pub sign_in: Rate,
    /// API requests (sign-in excepted), per client address and per token.
    pub api: Rate,
}

impl Default for RateLimits {
    /// 10 sign-ins a minute (the lockout after 5 failures still applies)
    /// and 600 API requests a minute, ten a second for a script.
    fn default() -> Self {
        RateLimits {
            sign_in: Rate::per_minute(10),
            api: Rate::per_minute(600),
        }
    }
}

/// Beyond this many tracked clients the idle ones are forgotten.
const MAX_TRACKED: usize = 10_000;

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Token buckets of one rate, by client key.
pub struct Limiter {
    rate: Rate,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl Limiter {
    pub fn new(rate: Rate) -> Limiter {
        Limiter {
            rate,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn per_token(&self) -> f64 {
        self.rate.per.as_secs_f64() / f64::from(self.rate.max)
    }

    /// Takes one request from `key`'s bucket, or says how long until one
    /// is available again.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), Duration> {
        if self.rate.max == 0 {
            return Ok(());
        }
        let max = f64::from(self.rate.max);
        let per_token = self.per_token();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_TRACKED && !buckets.contains_key(key) {
            // A bucket refilled to the brim holds nothing worth keeping.
            buckets.retain(|_, b| {
                b.tokens + now.saturating_duration_since(b.at).as_secs_f64() / per_token < max
            });
        }
        let b = buckets.entry(key.to_string()).or_insert(Bucket {
            tokens: max,
            at: now,
        });
        let refill = now.saturating_duration_since(b.at).as_secs_f64() / per_token;
        b.tokens = (b.tokens + refill).min(max);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - b.tokens) * per_token))
        }
    }
}

/// The limiters of one router.
pub struct Limiters {
    sign_in: Limiter,
    api: Limiter,
}

impl Limiters {
    pub fn new(l: RateLimits) -> Limiters {
        Limiters {
            sign_in: Limiter::new(l.sign_in),
            api: Limiter::new(l.api),
        }
    }
}

/// Sign-in forms and the API's sign-in (a second step under `/login/` too).
fn is_sign_in(method: &Method, path: &str) -> bool {
    method == Method::POST
        && (path == "/login" || path.starts_with("/login/") || path == "/api/v1/login")
}

/// Largest sign-in body read to find the account name.
const SIGN_IN_BODY: usize = 64 * 1024;

pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let api = path.starts_with("/api/");
    let lang = lang_of(&req);
    let too_large = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| n > state.config.max_body_bytes as u64);
    if too_large {
        return refuse_too_large(api, &lang, state.config.max_body_bytes);
    }
    let address = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string());
    let now = Instant::now();
    let l = &state.limiters;
    if is_sign_in(req.method(), &path) {
        if let Some(a) = &address
            && let Err(wait) = l.sign_in.check(&format!("addr:{a}"), now)
        {
            return refuse_rate(api, &lang, wait, true);
        }
        // The account name is in the body: read it (small) and put it back.
        let (parts, body) = req.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, SIGN_IN_BODY).await else {
            return refuse_too_large(api, &lang, SIGN_IN_BODY);
        };
        if let Some(user) = username(&parts.headers, &bytes)
            && let Err(wait) = l.sign_in.check(&format!("user:{user}"), now)
        {
            return refuse_rate(api, &lang, wait, true);
        }
        return next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
    }
    if api {
        if let Some(a) = &address
            && let Err(wait) = l.api.check(&format!("addr:{a}"), now)
        {
            return refuse_rate(true, &lang, wait, false);
        }
        // Keyed by a hash: the limiter need not hold live tokens.
        let token = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| token_hasher().hash_one(t.trim()));
        if let Some(t) = token
            && let Err(wait) = l.api.check(&format!("token:{t:x}"), now)
        {
            return refuse_rate(true, &lang, wait, false);
        }
        // A body over the limit without a declared length is refused by
        // the extractor in plain text: the API answers JSON.
        let res = next.run(req).await;
        if res.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return refuse_too_large(true, &lang, state.config.max_body_bytes);
        }
        return res;
    }
    next.run(req).await
}

/// One randomly keyed hasher for the whole process.
fn token_hasher() -> &'static RandomState {
    static STATE: std::sync::OnceLock<RandomState> = std::sync::OnceLock::new();
    STATE.get_or_init(RandomState::new)
}

/// The account name of a sign-in body (JSON or a form), trimmed.
fn username(headers: &axum::http::HeaderMap, body: &[u8]) -> Option<String> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let name = if json || body.first() == Some(&b'{') {
        serde_json::from_slice::<serde_json::Value>(body)
            .ok()?
            .get("username")?
            .as_str()?
            .to_string()
    } else {
        std::str::from_utf8(body)
            .ok()?
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == "username")
            .and_then(|(_, v)| {
                urlencoding::decode(&v.replace('+', " "))
                    .ok()
                    .map(|d| d.into_owned())
            })?
    };
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_string())
}

fn lang_of(req: &Request) -> String {
    let h = req.headers();
    let cookie_en = h
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|kv| kv.trim() == "dd_lang=en");
    let accept_en = crate::ctx::accept_lang_of(h) == "en";
    if cookie_en || accept_en { "en" } else { "zh" }.into()
}

fn refuse_rate(api: bool, lang: &str, wait: Duration, sign_in: bool) -> Response {
    let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
    let (zh, en) = if sign_in {
        (
            format!("登录尝试过于频繁，请 {secs} 秒后再试"),
            format!("too many sign-in attempts: try again in {secs} seconds"),
        )
    } else {
        (
            format!("请求过于频繁，请 {secs} 秒后再试"),
            format!("too many requests: try again in {secs} seconds"),
        )
    };
    let mut res = refusal(
        api,
        lang,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        &zh,
        &en,
    );
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    res
}

fn refuse_too_large(api: bool, lang: &str, max: usize) -> Response {
    let mib = (max as f64 / (1024.0 * 1024.0) * 10.0).round() / 10.0;
    refusal(
        api,
        lang,
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        &format!("请求过大：最多 {mib} MB"),
        &format!("the request is too large: at most {mib} MB"),
    )
}

/// A refusal as the API's JSON error or as a page in both languages (the
/// guard runs before any session is read, so the page says it twice).
fn refusal(api: bool, lang: &str, status: StatusCode, code: &str, zh: &str, en: &str) -> Response {
    if api {
        let message = if lang == "en" { en } else { zh };
        let body = json!({ "error": { "code": code, "message": message, "fields": [] } });
        return (status, Json(body)).into_response();
    }
    let n = status.as_u16();
    let page = format!(
        "<!doctype html><html lang=\"zh\"><meta charset=utf-8><title>{n}</title><h1>{n}</h1><p>{zh}。</p><p lang=\"en\">{en_cap}.</p><p><a href=\"/\">工作台 / Start</a></p></html>",
        en_cap = capitalise(en)
    );
    (status, Html(page)).into_response()
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_refills_evenly() {
        let l = Limiter::new(Rate {
            max: 3,
            per: Duration::from_secs(60),
        });
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(l.check("a", t0).is_ok());
        }
        let wait = l.check("a", t0).expect_err("the fourth is refused");
        assert_eq!(wait, Duration::from_secs(20), "one request per 20 s");
        // Another client has its own bucket.
        assert!(l.check("b", t0).is_ok());
        // 19 s later still nothing; at 20 s exactly one more.
        assert!(l.check("a", t0 + Duration::from_secs(19)).is_err());
        assert!(l.check("a", t0 + Duration::from_secs(20)).is_ok());
        assert!(l.check("a", t0 + Duration::from_secs(20)).is_err());
        // A long pause refills to the burst, not beyond.
        let later = t0 + Duration::from_secs(3600);
        for _ in 0..3 {
            assert!(l.check("a", later).is_ok());
        }
        assert!(l.check("a", later).is_err());
    }

    #[test]
    fn zero_means_no_limit() {
        let l = Limiter::new(Rate::per_minute(0));
        let t0 = Instant::now();
        assert!((0..10_000).all(|_| l.check("a", t0).is_ok()));
    }

    #[test]
    fn idle_clients_are_forgotten_past_the_cap() {
        let l = Limiter::new(Rate::per_minute(2));
        let t0 = Instant::now();
        for i in 0..MAX_TRACKED {
            l.check(&i.to_string(), t0).unwrap();
        }
        // A minute on, every bucket is full again: the next new client
        // makes room by dropping them.
        l.check("new", t0 + Duration::from_secs(61)).unwrap();
        assert_eq!(l.buckets.lock().unwrap().len(), 1);
    }

    #[test]
    fn sign_in_names_come_from_json_and_forms() {
        let mut h = axum::http::HeaderMap::new();
        h.insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
        assert_eq!(
            username(&h, br#"{"username":" office ","password":"x"}"#).as_deref(),
            Some("office")
        );
        let mut f = axum::http::HeaderMap::new();
        f.insert(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded".parse().unwrap(),
        );
        assert_eq!(
            username(&f, b"_csrf=1&username=%E5%BC%A0+san&password=x").as_deref(),
            Some("张 san")
        );
        assert_eq!(username(&f, b"password=x"), None);
    }
}

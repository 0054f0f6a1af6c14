//! Web hardening: TLS from certificate files with HSTS and `Secure`
//! cookies (and neither over plain HTTP), rate limits on sign-in and the
//! API with 429 and `Retry-After`, request size limits, upload type checks,
//! and system failures shown as a generic message in the user's language
//! while the details go to the log only.

use crate::common;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, header};
use common::*;
use dingdian_app::App;
use dingdian_testkit::{TestDb, both_backends};
use dingdian_web::{Rate, RateLimits, WebConfig};
use serde_json::json;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

both_backends!(a_system_failure_shows_a_generic_message_and_logs_the_details);

/// Rate limits small enough to reach in a test.
fn tight(sign_in: u32, api: u32) -> WebConfig {
    WebConfig {
        limits: RateLimits {
            sign_in: Rate::per_minute(sign_in),
            api: Rate::per_minute(api),
        },
        ..Default::default()
    }
}

/// A request as if it came from `ip` (what the real server records).
fn from(ip: &str, mut req: Request<Body>) -> Request<Body> {
    let addr: SocketAddr = format!("{ip}:40000").parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(addr));
    req
}

fn api_login(username: &str, password: &str) -> Request<Body> {
    Request::builder()
        .method(Method::POST)
        .uri("/api/v1/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({ "username": username, "password": password }).to_string(),
        ))
        .unwrap()
}

fn api_get(path: &str, token: Option<&str>, lang: &str) -> Request<Body> {
    let mut b = Request::builder()
        .uri(format!("/api/v1{path}"))
        .header(header::ACCEPT_LANGUAGE, lang);
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    b.body(Body::empty()).unwrap()
}

#[track_caller]
fn assert_rate_limited_json(r: &Resp) -> u64 {
    r.expect(429);
    assert_eq!(r.code(), "rate_limited");
    let secs: u64 = r
        .header("retry-after")
        .expect("Retry-After is sent")
        .parse()
        .expect("Retry-After is whole seconds");
    assert!((1..=60).contains(&secs), "Retry-After {secs}");
    secs
}

#[test]
fn sign_in_is_limited_per_address_and_per_account() {
    let db = TestDb::sqlite();
    let web = Web::with_config(&db, App::open(&db.url).unwrap(), tight(3, 1000));
    user(&web.app, "office1", "office", None, None);

    // Three attempts from one address, whatever their outcome, then 429.
    for i in 0..3 {
        let r = web.send(from("10.0.0.1", api_login("office1", "Wrong@2026x")));
        assert_eq!(r.status.as_u16(), 401, "attempt {i}: {}", r.text());
    }
    let r = web.send(from("10.0.0.1", api_login("office1", PASSWORD)));
    let secs = assert_rate_limited_json(&r);
    // Three a minute: the next one is 20 s away.
    assert_eq!(secs, 20);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("登录尝试过于频繁"),
        "{}",
        r.text()
    );
    // The account is limited too, from any address: guessing from many
    // machines does not get round it.
    let r = web.send(from("10.0.0.2", api_login("office1", PASSWORD)));
    assert_rate_limited_json(&r);
    // Another account from a fresh address is untouched.
    // (An inspector: no second factor to give.)
    user(&web.app, "inspector2", "inspector", None, None);
    web.send(from("10.0.0.3", api_login("inspector2", PASSWORD)))
        .expect(200);
    // The sign-in form counts too, and answers a page in both languages.
    for _ in 0..3 {
        let r = web.send(from(
            "10.0.0.4",
            Request::builder()
                .method(Method::POST)
                .uri("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(form_body(&[
                    ("username", "nobody"),
                    ("password", "x"),
                ])))
                .unwrap(),
        ));
        // Refused for its missing CSRF token, but counted.
        r.expect(403);
    }
    let r = web.send(from(
        "10.0.0.4",
        Request::builder()
            .method(Method::POST)
            .uri("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form_body(&[
                ("username", "somebody"),
                ("password", "x"),
            ])))
            .unwrap(),
    ));
    r.expect(429);
    assert!(r.header("retry-after").is_some());
    assert!(
        r.header("content-type").unwrap().starts_with("text/html"),
        "a page, not JSON"
    );
    let page = r.text();
    assert!(page.contains("登录尝试过于频繁"), "{page}");
    assert!(page.contains("Too many sign-in attempts"), "{page}");
    // The guard's answers carry the security headers like any other.
    assert!(r.header("content-security-policy").is_some());
    // Reading a page is not a sign-in: not limited.
    for _ in 0..5 {
        web.send(from(
            "10.0.0.4",
            Request::get("/login").body(Body::empty()).unwrap(),
        ))
        .expect(200);
    }
}

#[test]
fn the_api_is_limited_per_token_and_per_address() {
    let db = TestDb::sqlite();
    let web = Web::with_config(&db, App::open(&db.url).unwrap(), tight(100, 4));
    user(&web.app, "office1", "office", None, None);
    let token = web.direct_token("office1", PASSWORD);

    for _ in 0..4 {
        web.send(from("10.0.1.1", api_get("/units", Some(&token), "en")))
            .expect(200);
    }
    let r = web.send(from("10.0.1.1", api_get("/units", Some(&token), "en")));
    assert_eq!(assert_rate_limited_json(&r), 15, "four a minute");
    assert_eq!(
        r.json()["error"]["message"],
        "too many requests: try again in 15 seconds"
    );
    // The same token from elsewhere is still limited: it is the token's budget.
    assert_rate_limited_json(&web.send(from("10.0.1.2", api_get("/units", Some(&token), "zh"))));
    // Requests without a token are counted by address: a flood of
    // made-up tokens from one machine is stopped as well.
    for i in 0..4 {
        let r = web.send(from(
            "10.0.1.3",
            api_get("/units", Some(&format!("made-up-{i}")), "zh"),
        ));
        r.expect(401);
    }
    let r = web.send(from("10.0.1.3", api_get("/units", Some("made-up-x"), "zh")));
    assert_rate_limited_json(&r);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("请求过于频繁")
    );
    // Pages are not the API: unaffected.
    web.send(from(
        "10.0.1.3",
        Request::get("/login").body(Body::empty()).unwrap(),
    ))
    .expect(200);
}

#[test]
fn the_limit_refills_with_time() {
    let db = TestDb::sqlite();
    // Two a second: a refusal lifts after half a second.
    let config = WebConfig {
        limits: RateLimits {
            sign_in: Rate::per_minute(10),
            api: Rate {
                max: 2,
                per: Duration::from_secs(1),
            },
        },
        ..Default::default()
    };
    let web = Web::with_config(&db, App::open(&db.url).unwrap(), config);
    for _ in 0..2 {
        web.send(from("10.0.2.1", api_get("/health", None, "zh")))
            .expect(200);
    }
    web.send(from("10.0.2.1", api_get("/health", None, "zh")))
        .expect(429);
    std::thread::sleep(Duration::from_millis(600));
    web.send(from("10.0.2.1", api_get("/health", None, "zh")))
        .expect(200);
}

#[test]
fn oversized_bodies_are_413_and_uploads_must_be_csv_or_xlsx() {
    let db = TestDb::sqlite();
    let config = WebConfig {
        max_body_bytes: 4096,
        ..Default::default()
    };
    let web = Web::with_config(&db, App::open(&db.url).unwrap(), config);
    user(&web.app, "office1", "office", None, None);
    let token = web.direct_token("office1", PASSWORD);

    // The API: a JSON 413 naming the limit, before the body is read.
    let big = vec![b'a'; 5000];
    let r = web.api_raw(
        "post",
        "/imports/registry?file_name=r.csv",
        Some(&token),
        Some(big.clone()),
        &[("content-length", "5000"), ("accept-language", "en")],
    );
    r.expect(413);
    assert_eq!(r.code(), "too_large");
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("MB")
    );
    // Without a declared length the limit holds all the same, still as JSON.
    let r = web.api_raw(
        "post",
        "/imports/registry?file_name=r.csv",
        Some(&token),
        Some(big.clone()),
        &[],
    );
    r.expect(413);
    assert_eq!(r.code(), "too_large");
    // A page upload: a bilingual 413 page.
    let mut b = web.browser();
    b.sign_in("office1", PASSWORD);
    let csrf = b.csrf();
    let (ct, body) = multipart(&csrf, "r.csv", &big);
    let r = b.web.send(
        Request::builder()
            .method(Method::POST)
            .uri("/registry/import")
            .header(header::CONTENT_TYPE, ct)
            .header(header::CONTENT_LENGTH, body.len())
            .header(header::COOKIE, cookie_header(&b))
            .body(Body::from(body))
            .unwrap(),
    );
    r.expect(413);
    assert!(r.text().contains("请求过大") && r.text().contains("too large"));

    // Types: only CSV and xlsx, by name on the API…
    for name in ["x.exe", "x.pdf", "x.csv.exe"] {
        let r = web.api_raw(
            "post",
            &format!("/imports/registry?file_name={name}"),
            Some(&token),
            Some(b"a,b\n".to_vec()),
            &[],
        );
        r.expect(422);
        // Import errors name the column (interfaces.md's error items).
        assert_eq!(
            r.json()["error"]["fields"][0]["column"],
            "file_name",
            "{name}: {}",
            r.text()
        );
    }
    // …and by name and content on the upload form.
    let (ct, body) = multipart(&csrf, "payload.exe", b"MZ\x90\x00");
    let r = b.web.send(
        Request::builder()
            .method(Method::POST)
            .uri("/registry/import")
            .header(header::CONTENT_TYPE, ct)
            .header(header::COOKIE, cookie_header(&b))
            .body(Body::from(body))
            .unwrap(),
    );
    r.expect(422);
    assert!(
        unescape(&r.text()).contains("只接受 CSV（.csv）或 Excel（.xlsx）文件"),
        "{}",
        main_of(&r.text())
    );
    assert!(
        web.app.jobs.get(1).is_none(),
        "refused before any import job started"
    );
}

fn cookie_header(b: &Browser<'_>) -> String {
    b.cookies
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A multipart form with the CSRF token and one file.
fn multipart(csrf: &str, name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    multipart_form(&[("_csrf", csrf)], name, bytes)
}

// ---- system failures ----

/// Everything logged by this test process.
fn log() -> Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let sink = buf.clone();
        tracing_subscriber::fmt()
            .with_writer(move || LogWriter(sink.clone()))
            .with_ansi(false)
            .init();
        buf
    })
    .clone()
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl Write for LogWriter {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn a_system_failure_shows_a_generic_message_and_logs_the_details(db: &TestDb) {
    let log = log();
    let web = Web::new(db);
    user(&web.app, "office1", "office", None, None);
    let token = web.direct_token("office1", PASSWORD);
    let mut b = web.browser();
    b.sign_in("office1", PASSWORD);
    web.get("/units", &token).expect(200);

    // The units table disappears from under the running system (a broken
    // migration, a careless operator): every read of it now fails in SQL.
    let gone = format!("units_gone_{}", std::process::id());
    dingdian_testkit::beneath(&web.url)
        .write(|c| c.execute(&format!("ALTER TABLE units RENAME TO {gone}"), &[]))
        .expect("rename the table");

    for (lang, text) in [
        ("zh", "系统错误，请重试或联系管理员"),
        (
            "en",
            "the system failed; please try again or tell the administrator",
        ),
    ] {
        let r = web.api_with(
            "get",
            "/units",
            Some(&token),
            None,
            &[("accept-language", lang)],
        );
        r.expect(500);
        assert_eq!(r.code(), "internal");
        assert_eq!(r.json()["error"]["message"], text);
        assert_no_internals(&r.text(), &gone);
    }
    let r = b.get("/units");
    r.expect(500);
    let page = unescape(&r.text());
    assert!(
        main_of(&page).contains("系统错误，请重试或联系管理员"),
        "{}",
        main_of(&page)
    );
    assert_no_internals(&page, &gone);

    // The details are in the server's log, for the operator.
    let logged = String::from_utf8_lossy(&log.lock().unwrap()).into_owned();
    assert!(
        logged.contains("system failure") && logged.contains("units"),
        "the failure is logged with its cause: {logged}"
    );
}

#[track_caller]
fn assert_no_internals(text: &str, table: &str) {
    let t = text.to_lowercase();
    for bad in [
        "select ",
        " from ",
        "no such table",
        "does not exist",
        "sqlite",
        "postgres",
        "rusqlite",
        "panicked",
        "stack backtrace",
        "src/",
        ".rs:",
        table,
    ] {
        assert!(!t.contains(bad), "the answer shows {bad:?}: {text}");
    }
}

// ---- TLS ----

/// Sends one HTTP/1.1 GET over `stream` and answers the raw response head.
async fn get_head<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    mut stream: S,
    path: &str,
) -> String {
    let req = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    // Read until the server closes (a TLS close without notify is fine here).
    while let Ok(n) = stream.read(&mut buf).await {
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&out).into_owned();
    text.split("\r\n\r\n").next().unwrap_or("").to_lowercase()
}

#[test]
fn tls_serves_with_hsts_and_secure_cookies_plain_http_without() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, ck.cert.pem()).unwrap();
    std::fs::write(&key, ck.signing_key.serialize_pem()).unwrap();

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let tls = dingdian_web::load_tls(&cert, &key).await.expect("load PEM");
        let app = App::open(&db.url).unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let tls_addr = listener.local_addr().unwrap();
        let config = WebConfig {
            tls: true,
            ..Default::default()
        };
        tokio::spawn(dingdian_web::serve(
            app.clone(),
            config,
            listener,
            Some(tls),
        ));
        let plain = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let plain_addr = plain.local_addr().unwrap();
        tokio::spawn(dingdian_web::serve(app, WebConfig::default(), plain, None));

        // A client that trusts exactly this certificate.
        use tokio_rustls::rustls;
        let mut roots = rustls::RootCertStore::empty();
        roots.add(ck.cert.der().clone()).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let client = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let connector = tokio_rustls::TlsConnector::from(Arc::new(client));
        let connect = || async {
            let tcp = tokio::net::TcpStream::connect(tls_addr).await.unwrap();
            let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
            connector.connect(name, tcp).await.expect("TLS handshake")
        };

        let head = get_head(connect().await, "/login").await;
        assert!(head.starts_with("http/1.1 200"), "{head}");
        assert!(
            head.contains("strict-transport-security: max-age=31536000"),
            "HSTS over TLS: {head}"
        );
        let cookie = head
            .lines()
            .find(|l| l.starts_with("set-cookie: dd_pre="))
            .unwrap_or_else(|| panic!("the sign-in form sets its cookie: {head}"));
        assert!(cookie.contains("; secure"), "Secure under TLS: {cookie}");
        // The API answers over TLS as well, with HSTS.
        let head = get_head(connect().await, "/api/v1/health").await;
        assert!(head.starts_with("http/1.1 200"), "{head}");
        assert!(head.contains("strict-transport-security"), "{head}");

        // Plain HTTP to the TLS port gets no page.
        let tcp = tokio::net::TcpStream::connect(tls_addr).await.unwrap();
        let head = get_head(tcp, "/login").await;
        assert!(!head.contains("200 ok"), "{head}");

        // Plain HTTP: no HSTS (a browser would remember it), no Secure.
        let tcp = tokio::net::TcpStream::connect(plain_addr).await.unwrap();
        let head = get_head(tcp, "/login").await;
        assert!(head.starts_with("http/1.1 200"), "{head}");
        assert!(!head.contains("strict-transport-security"), "{head}");
        let cookie = head
            .lines()
            .find(|l| l.starts_with("set-cookie: dd_pre="))
            .unwrap();
        assert!(!cookie.contains("secure"), "{cookie}");
        assert!(head.contains("content-security-policy"), "{head}");
    });
}

#[test]
fn tls_files_that_are_missing_or_wrong_are_named_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let other = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let cert = write("cert.pem", &ck.cert.pem());
    let key = write("key.pem", &ck.signing_key.serialize_pem());
    let other_key = write("other.pem", &other.signing_key.serialize_pem());
    let junk = write("junk.pem", "not a certificate\n");
    let missing = dir.path().join("missing.pem");
    rt.block_on(async {
        let err = |c: &std::path::Path, k: &std::path::Path| {
            let (c, k) = (c.to_path_buf(), k.to_path_buf());
            async move {
                match dingdian_web::load_tls(&c, &k).await {
                    Ok(_) => panic!("{} + {} accepted", c.display(), k.display()),
                    Err(e) => e,
                }
            }
        };
        let e = err(&missing, &key).await;
        assert!(
            e.contains("无法读取证书文件") && e.contains("cannot read the certificate file"),
            "{e}"
        );
        assert!(e.contains("missing.pem"), "names the file: {e}");
        let e = err(&cert, &missing).await;
        assert!(
            e.contains("无法读取私钥文件") && e.contains("private key file"),
            "{e}"
        );
        let e = err(&junk, &key).await;
        assert!(
            e.contains("不是 PEM 格式的证书") && e.contains("no PEM certificate"),
            "{e}"
        );
        let e = err(&cert, &junk).await;
        assert!(
            e.contains("证书或私钥无效") && e.contains("not valid"),
            "{e}"
        );
        let e = err(&cert, &other_key).await;
        assert!(
            e.contains("证书或私钥无效") && e.contains("must match"),
            "{e}"
        );
        dingdian_web::load_tls(&cert, &key)
            .await
            .expect("the pair loads");
    });
}

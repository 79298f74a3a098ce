//! Login security, in-process: the login form's CSRF token and origin
//! checks, attempts counted before they are checked (per name and per
//! address), a bounded number of password checks (503 beyond), password
//! rules and one-time passwords that expire, API tokens that expire and are
//! revoked (by id, all, on reset, on disable), security headers on every
//! response, and every API error as JSON.

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use saraban::store::accounts::{self, Verifier};
use saraban::web::{self, AppState};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::db::{TestDb, actor, count, on_both, raw};
use crate::web::{PASSWORD, call, fixture};

on_both!(tokens_expire_and_are_revoked, password_rules_and_expiry);

/// An answer: status, headers and body text.
pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Answer {
    fn cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }

    fn session(&self) -> Option<String> {
        self.cookies()
            .into_iter()
            .find(|c| c.starts_with("saraban_session=") && !c.starts_with("saraban_session=;"))
    }
}

pub async fn send(router: &Router, req: Request<Body>) -> Answer {
    let resp = router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).to_string(),
    }
}

/// The login form's CSRF token, as `GET /login` sets it (cookie = field).
pub async fn login_token(router: &Router) -> String {
    let page = send(router, Request::get("/login").body(Body::empty()).unwrap()).await;
    assert_eq!(page.status, StatusCode::OK);
    let cookie = page
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("saraban_login_csrf="))
        .expect("the login page sets its CSRF cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let token = cookie["saraban_login_csrf=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert!(
        page.body
            .contains(&format!("name=\"csrf\" value=\"{token}\"")),
        "the form carries the same token"
    );
    token
}

/// A login request: `token` in the cookie and the field (None: neither),
/// optionally from a peer address and with extra headers.
pub fn login_request(
    user: &str,
    password: &str,
    token: Option<&str>,
    peer: Option<&str>,
    extra: &[(&str, &str)],
) -> Request<Body> {
    let mut fields = vec![("username", user), ("password", password)];
    if let Some(t) = token {
        fields.push(("csrf", t));
    }
    let mut req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "saraban.example");
    if let Some(t) = token {
        req = req.header(header::COOKIE, format!("saraban_login_csrf={t}"));
    }
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    let mut req = req
        .body(Body::from(serde_urlencoded::to_string(fields).unwrap()))
        .unwrap();
    if let Some(p) = peer {
        let addr: SocketAddr = p.parse().unwrap();
        req.extensions_mut().insert(ConnectInfo(addr));
    }
    req
}

/// Logs in through the form; the session cookie's value.
pub async fn log_in(router: &Router, user: &str, password: &str) -> Answer {
    let token = login_token(router).await;
    send(
        router,
        login_request(user, password, Some(&token), None, &[]),
    )
    .await
}

/// A cross-site form cannot log anyone in: the token must be in the cookie
/// and the field, and a browser's `Origin` / `Sec-Fetch-Site` must say
/// the form is this site's own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_login_form_needs_its_csrf_token() {
    let db = crate::db::sqlite().await;
    let f = fixture(&db).await;
    let r = &f.router;
    // No token at all (what a cross-site form sends): refused, no session.
    let a = send(r, login_request("pl.clerk", PASSWORD, None, None, &[])).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.body);
    assert!(a.session().is_none());
    assert!(a.body.contains("แบบฟอร์มเข้าสู่ระบบหมดอายุ"), "{}", a.body);
    // A field that does not match the cookie.
    let token = login_token(r).await;
    let mut req = login_request("pl.clerk", PASSWORD, Some(&token), None, &[]);
    req.headers_mut().insert(
        header::COOKIE,
        "saraban_login_csrf=another-value".parse().unwrap(),
    );
    assert_eq!(send(r, req).await.status, StatusCode::FORBIDDEN);
    // The right token, but posted from another site.
    for extra in [
        [("origin", "https://evil.example")],
        [("sec-fetch-site", "cross-site")],
        [("origin", "null")],
    ] {
        let a = send(
            r,
            login_request("pl.clerk", PASSWORD, Some(&token), None, &extra),
        )
        .await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{extra:?}");
        assert!(a.session().is_none());
    }
    // The site's own form.
    let a = send(
        r,
        login_request(
            "pl.clerk",
            PASSWORD,
            Some(&token),
            None,
            &[
                ("origin", "http://saraban.example"),
                ("sec-fetch-site", "same-origin"),
            ],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert!(a.session().is_some());
    // The login cookie is spent.
    assert!(
        a.cookies()
            .iter()
            .any(|c| c.starts_with("saraban_login_csrf=;") && c.contains("Max-Age=0"))
    );
}

/// A burst of parallel guesses gets no more password checks than a
/// sequence would: attempts are counted before they are checked, and once
/// the allowance is taken even the right password is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_guesses_are_counted_before_checking() {
    let db = crate::db::sqlite().await;
    let f = fixture(&db).await;
    let token = login_token(&f.router).await;
    let mut burst = Vec::new();
    for i in 0..20 {
        let router = f.router.clone();
        let token = token.clone();
        burst.push(tokio::spawn(async move {
            let password = format!("guess number {i}");
            send(
                &router,
                login_request("pl.clerk", &password, Some(&token), None, &[]),
            )
            .await
            .status
        }));
    }
    let mut statuses = Vec::new();
    for b in burst {
        statuses.push(b.await.unwrap());
    }
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(
        (checked, refused),
        (5, 15),
        "five checks, the rest refused: {statuses:?}"
    );
    let a = send(
        &f.router,
        login_request("pl.clerk", PASSWORD, Some(&token), None, &[]),
    )
    .await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(a.session().is_none());

    // Per address: many names from one address are limited too.
    let peer = "192.0.2.50:40000";
    let mut statuses = Vec::new();
    for i in 0..32 {
        let a = send(
            &f.router,
            login_request(
                &format!("nobody{i}"),
                "wrong password",
                Some(&token),
                Some(peer),
                &[],
            ),
        )
        .await;
        statuses.push(a.status);
    }
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::UNAUTHORIZED)
            .count(),
        saraban::web::throttle::ADDRESS_ATTEMPTS as usize
    );
    let a = send(
        &f.router,
        login_request("nmp.clerk", PASSWORD, Some(&token), Some(peer), &[]),
    )
    .await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
    // Another address is not affected.
    let a = send(
        &f.router,
        login_request(
            "nmp.clerk",
            PASSWORD,
            Some(&token),
            Some("192.0.2.51:40000"),
            &[],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
}

/// Password checks wait for a slot; when the queue is full they are
/// refused with 503 (in Thai and English) without being made, and without
/// counting against the throttle.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_checks_are_bounded() {
    let db = crate::db::sqlite().await;
    let f = fixture(&db).await;
    drop(f.router);
    let app = saraban::app::App::new(db.store.clone(), &[]).with_password_checks(Verifier::new(
        1,
        0,
        std::time::Duration::from_secs(5),
    ));
    let state = AppState::new(app).unwrap();
    let router = web::router(state);
    let token = login_token(&router).await;
    let mut burst = Vec::new();
    for i in 0..8 {
        let router = router.clone();
        let token = token.clone();
        burst.push(tokio::spawn(async move {
            send(
                &router,
                login_request(
                    &format!("nobody{i}"),
                    "wrong password",
                    Some(&token),
                    None,
                    &[],
                ),
            )
            .await
        }));
    }
    let mut busy = 0;
    for b in burst {
        let a = b.await.unwrap();
        match a.status {
            StatusCode::UNAUTHORIZED => {}
            StatusCode::SERVICE_UNAVAILABLE => {
                busy += 1;
                assert!(
                    a.body.contains("ลองใหม่") && a.body.contains("try again"),
                    "{}",
                    a.body
                );
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(
        busy > 0,
        "one slot, no queue: some of 8 parallel checks wait"
    );
    // The refused ones were not counted: the name can still log in.
    let a = send(
        &router,
        login_request("pl.clerk", PASSWORD, Some(&token), None, &[]),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
}

/// Every response, page, API, static file or error, carries the security
/// headers; the pages have no inline script or style for the policy to
/// block.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_headers_on_every_response() {
    let db = crate::db::sqlite().await;
    let f = fixture(&db).await;
    let token = &f.tokens["dla.clerk"];
    for (uri, bearer) in [
        ("/login", false),
        ("/static/app.css", false),
        ("/static/app.js", false),
        ("/health", false),
        ("/", false),
        ("/api/v1/me", false),
        ("/api/v1/me", true),
        ("/api/v1/no-such-route", true),
        ("/no-such-page", false),
    ] {
        let mut req = Request::get(uri);
        if bearer {
            req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let a = send(&f.router, req.body(Body::empty()).unwrap()).await;
        let h = |name: &str| {
            a.headers
                .get(name)
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default()
        };
        // JSON is data: a policy that loads nothing; pages get their own.
        let policy = h("content-security-policy");
        if h("content-type").starts_with("application/json") {
            assert_eq!(
                policy, "default-src 'none'; frame-ancestors 'none'",
                "{uri}"
            );
        } else {
            assert!(policy.starts_with("default-src 'self'"), "{uri}");
            assert!(policy.contains("frame-ancestors 'none'"), "{uri}");
        }
        assert_eq!(h("x-frame-options"), "DENY", "{uri}");
        assert_eq!(h("referrer-policy"), "same-origin", "{uri}");
        assert_eq!(h("x-content-type-options"), "nosniff", "{uri}");
        if uri == "/health" {
            assert_eq!(a.status, StatusCode::OK);
            assert_eq!(h("content-type"), "application/json");
            let body: serde_json::Value = serde_json::from_str(&a.body).unwrap();
            assert_eq!(body, serde_json::json!({"status": "ok"}));
        }
    }
    for file in std::fs::read_dir(crate::support::root().join("templates/web")).unwrap() {
        let path = file.unwrap().path();
        if path.extension().is_some_and(|e| e == "html") {
            // Tera's own `{{ … }}` (a filter's `style="long"`) is not HTML.
            let text: String = std::fs::read_to_string(&path)
                .unwrap()
                .split("{{")
                .map(|part| part.split_once("}}").map_or(part, |x| x.1))
                .collect();
            for inline in ["<script>", "<style", " style=", " onclick=", "javascript:"] {
                assert!(!text.contains(inline), "{} has {inline}", path.display());
            }
        }
    }
}

/// Errors from axum's extractors come in the API's JSON shape, with the
/// status that fits (413 for a body over the limit).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extractor_errors_are_json() {
    let db = crate::db::sqlite().await;
    let f = fixture(&db).await;
    let token = f.tokens["dla.clerk"].clone();
    let request = |method: Method, uri: &str, ctype: Option<&str>, body: Vec<u8>| {
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"));
        if let Some(c) = ctype {
            req = req.header(header::CONTENT_TYPE, c);
        }
        req.body(Body::from(body)).unwrap()
    };
    let json = Some("application/json");
    let big = vec![b' '; web::MAX_BODY + 10];
    let cases: Vec<(Request<Body>, StatusCode, &str, Option<&str>)> = vec![
        (
            request(
                Method::POST,
                "/api/v1/documents",
                json,
                b"{not json".to_vec(),
            ),
            StatusCode::BAD_REQUEST,
            "malformed_json",
            None,
        ),
        (
            request(
                Method::POST,
                "/api/v1/documents",
                json,
                br#"{"document": {}, "readers": "not a list"}"#.to_vec(),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_json",
            Some("readers"),
        ),
        (
            request(Method::POST, "/api/v1/documents", None, b"{}".to_vec()),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            None,
        ),
        (
            request(Method::GET, "/api/v1/documents/abc", None, Vec::new()),
            StatusCode::BAD_REQUEST,
            "bad_path",
            Some("id"),
        ),
        (
            request(
                Method::GET,
                "/api/v1/documents?limit=many",
                None,
                Vec::new(),
            ),
            StatusCode::BAD_REQUEST,
            "bad_query",
            None,
        ),
        (
            request(Method::POST, "/api/v1/documents", json, big),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            None,
        ),
        (
            request(Method::GET, "/api/v1/no/such/route", None, Vec::new()),
            StatusCode::NOT_FOUND,
            "no_route",
            None,
        ),
        (
            request(Method::DELETE, "/api/v1/documents", None, Vec::new()),
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            None,
        ),
    ];
    for (req, status, code, field) in cases {
        let what = format!("{} {}", req.method(), req.uri());
        let a = send(&f.router, req).await;
        assert_eq!(a.status, status, "{what}: {}", a.body);
        assert!(
            a.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{what}"
        );
        let v: Value =
            serde_json::from_str(&a.body).unwrap_or_else(|_| panic!("{what}: {}", a.body));
        let e = &v["error"];
        assert_eq!(e["code"], code, "{what}: {v}");
        assert!(
            e["message_th"].as_str().is_some_and(|m| !m.is_empty()),
            "{what}"
        );
        assert!(
            e["message_en"].as_str().is_some_and(|m| !m.is_empty()),
            "{what}"
        );
        assert_eq!(e["field"].as_str(), field, "{what}: {v}");
    }
}

async fn tokens_expire_and_are_revoked(db: &TestDb) {
    let f = fixture(db).await;
    let admin = &f.tokens["dla.admin"];
    let drafter = accounts::find(db, "dla.drafter").await.unwrap().unwrap();
    // A new token with a label and a life of 7 days.
    let (s, made) = call(
        &f.router,
        Method::POST,
        &format!("/api/v1/users/{}/tokens", drafter.id),
        Some(admin),
        Some(json!({"label": "scanner", "expires_in_days": 7})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let new_token = made["token"].as_str().unwrap().to_string();
    let new_id = made["info"]["id"].as_i64().unwrap();
    assert_eq!(made["info"]["label"], "scanner");
    let (s, _) = call(
        &f.router,
        Method::POST,
        &format!("/api/v1/users/{}/tokens", drafter.id),
        Some(admin),
        Some(json!({"label": "forever", "expires_in_days": 100000})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, me) = call(&f.router, Method::GET, "/api/v1/me", Some(&new_token), None).await;
    assert_eq!(s, StatusCode::OK);
    // The token acts as its owner: the user's id, never the token's.
    assert_ne!(
        new_id, drafter.id,
        "ids that differ, or this proves nothing"
    );
    assert_eq!(me["user"]["id"], json!(drafter.id), "{me}");
    assert_eq!(me["user"]["username"], "dla.drafter");
    // The owner lists their tokens (the fixture's and the new one), with
    // expiry and last use, never the secret.
    let (s, list) = call(
        &f.router,
        Method::GET,
        &format!("/api/v1/users/{}/tokens", drafter.id),
        Some(&f.tokens["dla.drafter"]),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let tokens = list["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 2);
    assert_eq!(tokens[0]["id"].as_i64(), Some(new_id));
    assert!(tokens[0]["last_used_at"].is_string(), "{list}");
    assert!(tokens[0]["expires_at"].as_str().unwrap() > tokens[0]["created_at"].as_str().unwrap());
    assert!(!list.to_string().contains(&new_token[4..]));
    // Revoked by id: it stops working at once.
    let (s, revoked) = call(
        &f.router,
        Method::DELETE,
        &format!("/api/v1/users/{}/tokens/{new_id}", drafter.id),
        Some(admin),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{revoked}");
    assert!(revoked["token"]["revoked_at"].is_string());
    let (s, _) = call(&f.router, Method::GET, "/api/v1/me", Some(&new_token), None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // Another user's token id under this user: not found.
    let clerk = accounts::find(db, "dla.clerk").await.unwrap().unwrap();
    let (s, _) = call(
        &f.router,
        Method::DELETE,
        &format!("/api/v1/users/{}/tokens/{new_id}", clerk.id),
        Some(admin),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // An expired token no longer works.
    let old = accounts::add_token_for(db, &actor(), &clerk, "old", Some(1))
        .await
        .unwrap();
    raw(
        db,
        &format!(
            "UPDATE api_tokens SET expires_at = '2020-01-01T00:00:00.000000Z' WHERE id = {}",
            old.info.id
        ),
    )
    .await
    .unwrap();
    let (s, _) = call(&f.router, Method::GET, "/api/v1/me", Some(&old.token), None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let listed = accounts::tokens(db, clerk.id).await.unwrap();
    assert!(listed.iter().any(|t| t.id == old.info.id && !t.active));
    // A reset revokes every token of the user.
    let (s, _) = call(
        &f.router,
        Method::GET,
        "/api/v1/me",
        Some(&f.tokens["dla.drafter"]),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    accounts::reset_password(db, &actor(), &drafter, &accounts::one_time_password())
        .await
        .unwrap();
    let (s, _) = call(
        &f.router,
        Method::GET,
        "/api/v1/me",
        Some(&f.tokens["dla.drafter"]),
        None,
    )
    .await;
    assert_eq!(
        s,
        StatusCode::UNAUTHORIZED,
        "a reset revokes the old tokens"
    );
    // So does disabling; enabling again does not bring them back.
    let signer = accounts::find(db, "dla.signer").await.unwrap().unwrap();
    accounts::set_active(db, &actor(), &signer, false)
        .await
        .unwrap();
    accounts::set_active(db, &actor(), &signer, true)
        .await
        .unwrap();
    let (s, _) = call(
        &f.router,
        Method::GET,
        "/api/v1/me",
        Some(&f.tokens["dla.signer"]),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(
        count(
            db,
            &format!(
                "SELECT COUNT(*) FROM api_tokens WHERE user_id = {} AND revoked_at IS NULL",
                signer.id
            )
        )
        .await,
        0
    );
    // Revoke-all through the CLI's store call, audited.
    let before = count(
        db,
        "SELECT COUNT(*) FROM audit_events WHERE action = 'user.revoke'",
    )
    .await;
    assert_eq!(
        accounts::revoke_all(db, &actor(), &clerk).await.unwrap(),
        2,
        "the fixture's token and the expired one"
    );
    assert!(
        count(
            db,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'user.revoke'"
        )
        .await
            > before
    );
}

async fn password_rules_and_expiry(db: &TestDb) {
    let f = fixture(db).await;
    let r = &f.router;
    let user = accounts::find(db, "pl.drafter").await.unwrap().unwrap();
    let otp = accounts::one_time_password();
    accounts::reset_password(db, &actor(), &user, &otp)
        .await
        .unwrap();
    let a = log_in(r, "pl.drafter", &otp).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(a.headers[header::LOCATION], "/password");
    let session = a.session().unwrap();
    let secret = session["saraban_session=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let csrf = accounts::session(db, &secret, chrono::Utc::now())
        .await
        .unwrap()
        .unwrap()
        .csrf;
    let change = |current: &str, new: &str| {
        let body = serde_urlencoded::to_string([
            ("csrf", csrf.as_str()),
            ("current", current),
            ("password", new),
            ("again", new),
        ])
        .unwrap();
        Request::post("/password")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("saraban_session={secret}"))
            .body(Body::from(body))
            .unwrap()
    };
    for (current, new, says) in [
        (
            "not the password",
            "a good long passphrase",
            "รหัสผ่านปัจจุบันไม่ถูกต้อง",
        ),
        (otp.as_str(), otp.as_str(), "ไม่ซ้ำกับรหัสผ่านเดิม"),
        (otp.as_str(), "short1!", "อย่างน้อย ๑๐"),
        (otp.as_str(), "password123", "ใช้กันทั่วไป"),
        (otp.as_str(), "Qwertyuiop2024!", "ใช้กันทั่วไป"),
        (otp.as_str(), "pl.drafter", "ชื่อผู้ใช้"),
        (otp.as_str(), "my pl.drafter pw", "ชื่อผู้ใช้"),
    ] {
        let a = send(r, change(current, new)).await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{new}: {}",
            a.body
        );
        assert!(a.body.contains(says), "{new}: wanted {says}");
    }
    let a = send(r, change(&otp, "a good long passphrase")).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert_eq!(
        log_in(r, "pl.drafter", "a good long passphrase")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    // The store refuses the same for passwords given by other means.
    let e = accounts::set_password(db, &actor(), &user, "x", "monkey12345")
        .await
        .unwrap_err();
    assert_eq!(e.field(), Some("password"));

    // A one-time password expires after 24 hours: the login says so.
    let otp = accounts::one_time_password();
    accounts::reset_password(db, &actor(), &user, &otp)
        .await
        .unwrap();
    raw(
        db,
        &format!(
            "UPDATE users SET password_expires_at = '2020-01-01T00:00:00.000000Z' WHERE id = {}",
            user.id
        ),
    )
    .await
    .unwrap();
    let a = log_in(r, "pl.drafter", &otp).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(a.session().is_none());
    assert!(
        a.body.contains("รหัสผ่านชั่วคราวหมดอายุ") && a.body.contains("ask the administrator"),
        "{}",
        a.body
    );
    // A wrong password for the same account does not reveal the expiry.
    let a = log_in(r, "pl.drafter", "wrong password here").await;
    assert!(!a.body.contains("หมดอายุ"));
}

/// A hash made with argon2's former default parameters (m = 19 MiB, t = 2)
/// still verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hashes_with_other_parameters_still_verify() {
    use argon2::PasswordHasher;
    let salt = argon2::password_hash::SaltString::from_b64("c2FyYWJhbnNhbHQxMjM0").unwrap();
    let old = argon2::Argon2::default()
        .hash_password(b"an older password", &salt)
        .unwrap()
        .to_string();
    assert!(old.contains("m=19456,t=2,p=1"), "{old}");
    let v = Verifier::default();
    assert_eq!(
        v.verify(old.clone(), "an older password".into()).await,
        Some(true)
    );
    assert_eq!(v.verify(old, "another".into()).await, Some(false));
    let mut memory = Vec::new();
    assert!(!accounts::verify_in("not a hash", "x", &mut memory));
}

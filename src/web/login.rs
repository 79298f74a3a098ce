//! Logging in and out, changing one's password, and the API-token pages.
//!
//! The login form carries a pre-session CSRF token: `GET /login` sets it in
//! a cookie (`saraban_login_csrf`, HttpOnly, SameSite=Strict) and in a
//! hidden field, and `POST /login` must bring both, equal (double submit);
//! a browser also names where the form came from (`Origin`,
//! `Sec-Fetch-Site`), and a cross-site one is refused. So another site
//! cannot log a visitor in to an account of its choosing.
//!
//! Each attempt is counted by the throttle before its password is checked
//! (per name and per address, `throttle.rs`), and the check itself waits
//! for one of the few slots of `AppState::passwords` (503 when the queue is
//! full). A one-time password older than 24 hours is refused with a
//! message saying to ask the administrator for a reset. Changing a
//! password needs the current one.

// A failed page is a whole response; boxing it would only add noise.
#![allow(clippy::result_large_err)]

use std::time::Instant;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;
use tera::Context;

use super::AppState;
use super::auth::{self, COOKIE};
use super::error::{ApiError, ApiForm, ApiPath};
use super::throttle::ClientAddr;
use super::ui::{self, Page, UiUser};
use crate::app::UserId;
use crate::app::accounts::{SESSION_HOURS, Verdict, new_secret};

/// The login form's CSRF cookie.
pub const LOGIN_COOKIE: &str = "saraban_login_csrf";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/password", get(password_page).post(change_password))
        .route("/users/{username}/tokens", get(tokens_page))
        .route("/users/{username}/tokens/revoke", post(revoke_tokens))
}

/// Whether the request came over HTTPS, as a reverse proxy in front of
/// `saraban serve` reports it (`X-Forwarded-Proto: https`).
fn https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
}

fn cookie(name: &str, value: &str, path: &str, max_age: i64, headers: &HeaderMap) -> String {
    let secure = if https(headers) { "; Secure" } else { "" };
    format!("{name}={value}; HttpOnly; SameSite=Strict; Path={path}; Max-Age={max_age}{secure}")
}

/// The session cookie; `Secure` behind HTTPS so the browser never sends it
/// in clear.
fn session_cookie(secret: &str, max_age: i64, headers: &HeaderMap) -> String {
    cookie(COOKIE, secret, "/", max_age, headers)
}

/// `Origin` and `Sec-Fetch-Site`, when the browser sends them, say the form
/// was this site's own.
fn same_origin(headers: &HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site")
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    match text("origin") {
        None => true,
        Some(origin) => {
            let host = text("x-forwarded-host").or_else(|| text("host"));
            let origin_host = origin.split_once("://").map(|x| x.1);
            matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h.trim()))
        }
    }
}

/// The login page with a fresh CSRF token (cookie and field).
fn login_form(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    error: Option<&str>,
    username: &str,
) -> Response {
    let token = new_secret();
    let mut c = Context::new();
    c.insert("nav", "");
    c.insert("digits", "thai");
    c.insert("login_csrf", &token);
    c.insert("username", username);
    if let Some(e) = error {
        c.insert("error", e);
    }
    (
        [(
            header::SET_COOKIE,
            cookie(LOGIN_COOKIE, &token, "/login", 2 * 3600, headers),
        )],
        ui::render_status(state, status, "login.html", &c),
    )
        .into_response()
}

async fn login_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    login_form(&state, &headers, StatusCode::OK, None, "")
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LoginForm {
    username: String,
    password: String,
    csrf: String,
}

const BUSY: &str = "ขณะนี้มีผู้เข้าสู่ระบบพร้อมกันจำนวนมาก กรุณาลองใหม่อีกครั้งในอีกสักครู่ \
                    (too many logins at once: try again in a moment)";

async fn login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    ApiForm(f): ApiForm<LoginForm>,
) -> Response {
    let name = f.username.trim();
    let refuse = |status, error: &str| login_form(&state, &headers, status, Some(error), name);
    let token_ok = auth::cookie(&headers, LOGIN_COOKIE)
        .is_some_and(|c| !c.is_empty() && auth::constant_eq(c.as_bytes(), f.csrf.as_bytes()));
    if !same_origin(&headers) || !token_ok {
        return refuse(
            StatusCode::FORBIDDEN,
            "แบบฟอร์มเข้าสู่ระบบหมดอายุหรือไม่ได้มาจากระบบนี้ กรุณาลองใหม่ \
             (the login form expired or came from another site: try again)",
        );
    }
    let attempt = match state.logins.begin(name, addr, Instant::now()) {
        Ok(a) => a,
        Err(wait) => {
            let minutes = wait.as_secs().div_ceil(60);
            return refuse(
                StatusCode::TOO_MANY_REQUESTS,
                &format!(
                    "ใส่รหัสผ่านผิดหลายครั้ง ชื่อผู้ใช้นี้จะเข้าสู่ระบบได้อีกครั้งในอีก {minutes} นาที \
                     (too many wrong passwords: try again in {minutes} min)"
                ),
            );
        }
    };
    let user = match state.app.authenticate(name, &f.password).await {
        Ok(Verdict::Welcome(u)) => {
            attempt.succeeded();
            u
        }
        Ok(Verdict::Refused) => {
            drop(attempt);
            return refuse(StatusCode::UNAUTHORIZED, "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง");
        }
        Ok(Verdict::Expired(_)) => {
            attempt.succeeded();
            return refuse(
                StatusCode::UNAUTHORIZED,
                "รหัสผ่านชั่วคราวหมดอายุแล้ว (ใช้ได้ ๒๔ ชั่วโมง) กรุณาติดต่อผู้ดูแลระบบเพื่อขอรหัสผ่านชั่วคราวใหม่ \
                 (the one-time password has expired after 24 hours: ask the administrator for a reset)",
            );
        }
        Ok(Verdict::Busy) => {
            attempt.unchecked();
            return refuse(StatusCode::SERVICE_UNAVAILABLE, BUSY);
        }
        Err(e) => {
            attempt.unchecked();
            return ApiError::from(e).into_response();
        }
    };
    match state.app.open_session(&user).await {
        Ok(s) => {
            let to = if user.must_change { "/password" } else { "/" };
            (
                AppendHeaders([
                    (
                        header::SET_COOKIE,
                        session_cookie(&s.secret, SESSION_HOURS * 3600, &headers),
                    ),
                    (
                        header::SET_COOKIE,
                        cookie(LOGIN_COOKIE, "", "/login", 0, &headers),
                    ),
                ]),
                Redirect::to(to),
            )
                .into_response()
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CsrfForm {
    csrf: String,
}

async fn logout(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    headers: HeaderMap,
    ApiForm(f): ApiForm<CsrfForm>,
) -> Page {
    ui::check_csrf(&state, &a, &f.csrf)?;
    if let Some(secret) = auth::cookie(&headers, COOKIE) {
        let _ = state.app.close_session(secret).await;
    }
    Ok((
        [(header::SET_COOKIE, session_cookie("", 0, &headers))],
        Redirect::to("/login"),
    )
        .into_response())
}

async fn password_page(State(state): State<AppState>, UiUser(a): UiUser) -> Response {
    ui::render(&state, "password.html", &ui::context(&a, "password"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PasswordForm {
    csrf: String,
    current: String,
    password: String,
    again: String,
}

async fn change_password(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    ApiForm(f): ApiForm<PasswordForm>,
) -> Page {
    ui::check_csrf(&state, &a, &f.csrf)?;
    let mut c = ui::context(&a, "password");
    let refuse = |c: &mut Context, status: StatusCode, error: &str| {
        c.insert("error", error);
        ui::render_status(&state, status, "password.html", c)
    };
    if f.password != f.again {
        return Err(refuse(
            &mut c,
            StatusCode::UNPROCESSABLE_ENTITY,
            "รหัสผ่านใหม่ทั้งสองช่องไม่ตรงกัน (the new passwords differ)",
        ));
    }
    // The current password is checked like a login: counted first, so a
    // session left open does not let anyone guess it.
    let attempt = match state.logins.begin(&a.user.username, addr, Instant::now()) {
        Ok(at) => at,
        Err(wait) => {
            let minutes = wait.as_secs().div_ceil(60);
            return Err(refuse(
                &mut c,
                StatusCode::TOO_MANY_REQUESTS,
                &format!(
                    "ใส่รหัสผ่านผิดหลายครั้ง ลองใหม่ในอีก {minutes} นาที \
                     (too many wrong passwords: try again in {minutes} min)"
                ),
            ));
        }
    };
    let checked = state.app.authenticate(&a.user.username, &f.current).await;
    match checked {
        // A session opened with a one-time password may replace it even
        // after it has expired.
        Ok(Verdict::Welcome(_) | Verdict::Expired(_)) => attempt.succeeded(),
        Ok(Verdict::Refused) => {
            drop(attempt);
            return Err(refuse(
                &mut c,
                StatusCode::UNPROCESSABLE_ENTITY,
                "รหัสผ่านปัจจุบันไม่ถูกต้อง (the current password is wrong)",
            ));
        }
        Ok(Verdict::Busy) => {
            attempt.unchecked();
            return Err(refuse(&mut c, StatusCode::SERVICE_UNAVAILABLE, BUSY));
        }
        Err(e) => {
            attempt.unchecked();
            return Err(ui::error_page(&state, &a, e.into()));
        }
    }
    let user = match state
        .app
        .change_password(&a.caller, &f.current, &f.password)
        .await
    {
        Ok(user) => user,
        Err(e) => {
            return Err(refuse(
                &mut c,
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("{} ({})", e.message_th, e.message_en),
            ));
        }
    };
    // Changing the password ends every session; start a fresh one.
    let s = ui::or_page(&state, &a, state.app.open_session(&user).await)?;
    Ok((
        [(
            header::SET_COOKIE,
            session_cookie(&s.secret, SESSION_HOURS * 3600, &headers),
        )],
        Redirect::to("/"),
    )
        .into_response())
}

// ---------------------------------------------------------------- API tokens

async fn tokens_page(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath(username): ApiPath<String>,
) -> Page {
    let user = ui::or_page(
        &state,
        &a,
        state.app.token_owner_named(&a.caller, &username).await,
    )?;
    let tokens = ui::or_page(
        &state,
        &a,
        state.app.tokens(&a.caller, UserId(user.id)).await,
    )?;
    let mut c = ui::context(&a, "users");
    c.insert(
        "owner",
        &json!({ "username": user.username, "display_name": user.display_name }),
    );
    c.insert("tokens", &tokens);
    Ok(ui::render(&state, "tokens.html", &c))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RevokeForm {
    csrf: String,
    /// A token's id, or `all`.
    token: String,
}

async fn revoke_tokens(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath(username): ApiPath<String>,
    ApiForm(f): ApiForm<RevokeForm>,
) -> Page {
    ui::check_csrf(&state, &a, &f.csrf)?;
    let user = ui::or_page(
        &state,
        &a,
        state.app.token_owner_named(&a.caller, &username).await,
    )?;
    let owner = UserId(user.id);
    let done = if f.token == "all" {
        state
            .app
            .revoke_all_tokens(&a.caller, owner)
            .await
            .map(|_| ())
            .map_err(ApiError::from)
    } else {
        match f.token.trim().parse::<i64>() {
            Ok(id) => state
                .app
                .revoke_token(&a.caller, owner, id)
                .await
                .map(|_| ())
                .map_err(ApiError::from),
            Err(_) => Err(ApiError::invalid(
                "token",
                "เลขโทเค็นไม่ถูกต้อง",
                "not a token id",
            )),
        }
    };
    ui::or_page(&state, &a, done)?;
    Ok(Redirect::to(&format!("/users/{}/tokens", user.username)).into_response())
}

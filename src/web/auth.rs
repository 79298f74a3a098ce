//! Who is asking: a bearer token (`Authorization: Bearer srb_…`, for the
//! API) or the session cookie (for the UI, HttpOnly and SameSite=Strict).
//! A cookie-authenticated request that changes something must also carry
//! the session's CSRF token: a form field (`csrf`) for UI forms, the
//! `X-CSRF-Token` header for the UI's own scripts.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};

use super::AppState;
use super::error::ApiError;
use crate::app::{Action, Caller, Office, User};

/// The session cookie's name.
pub const COOKIE: &str = "saraban_session";

/// An authenticated user: the application layer's caller, as of this
/// request.
#[derive(Debug, Clone)]
pub struct Authed {
    pub caller: Caller,
    pub user: User,
    /// The session's CSRF token; `None` for bearer tokens, which need none.
    pub csrf: Option<String>,
    /// What waits for the user (pages' header); read for pages only.
    pub counts: Option<crate::app::WorkCounts>,
}

impl Authed {
    fn new(caller: Caller, csrf: Option<String>) -> Authed {
        let user = caller.user_ref().cloned().expect("a web caller is a user");
        Authed {
            caller,
            user,
            csrf,
            counts: None,
        }
    }

    pub fn office(&self) -> &Office {
        &self.caller.office
    }

    /// Whether the user's role may do `action` (for showing buttons; the
    /// application layer checks again).
    pub fn can(&self, action: Action) -> bool {
        self.caller.can(action)
    }

    /// Checks a form's CSRF token against the session's.
    pub fn check_csrf(&self, given: &str) -> Result<(), ApiError> {
        match &self.csrf {
            None => Ok(()),
            Some(expected) if constant_eq(expected.as_bytes(), given.as_bytes()) => Ok(()),
            Some(_) => Err(ApiError::csrf()),
        }
    }

    /// Today in Bangkok.
    pub fn today(&self) -> chrono::NaiveDate {
        self.caller.today()
    }
}

/// Equality that takes as long whatever the first difference.
pub fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The value of one cookie.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// Resolves the request's user without judging the method.
pub async fn identify(state: &AppState, headers: &HeaderMap) -> Result<Option<Authed>, ApiError> {
    let app = &state.app;
    if let Some(token) = bearer(headers) {
        Ok(app
            .caller_by_token(token)
            .await?
            .map(|c| Authed::new(c, None)))
    } else if let Some(secret) = cookie(headers, COOKIE) {
        Ok(app
            .caller_by_session(secret)
            .await?
            .map(|s| Authed::new(s.caller, Some(s.csrf))))
    } else {
        Ok(None)
    }
}

/// The API's extractor: 401 without credentials; for cookie sessions,
/// state-changing methods need the `X-CSRF-Token` header.
impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let authed = identify(state, &parts.headers)
            .await?
            .ok_or_else(ApiError::unauthenticated)?;
        // A one-time password must be changed before the UI is used; an
        // API token was issued on purpose and works regardless.
        if authed.user.must_change && authed.csrf.is_some() {
            return Err(ApiError::new(
                axum::http::StatusCode::FORBIDDEN,
                "password_change_required",
                "กรุณาเปลี่ยนรหัสผ่านชั่วคราวก่อนใช้งาน",
                "change the one-time password first",
            ));
        }
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe && authed.csrf.is_some() {
            let given = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            authed.check_csrf(given)?;
        }
        Ok(authed)
    }
}

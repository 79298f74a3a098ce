//! The public pages, without login: `/v/{code}` shows what an official
//! copy is (number, date, office, subject unless secret, its SHA-256,
//! whether it still stands) and checks an uploaded file against it, byte
//! for byte, without keeping it. Rate-limited per address.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{ConnectInfo, Multipart, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tera::Context;

use super::AppState;
use super::ui::{plain_context, render_status};
use crate::app::AppError;

/// Requests per address per window on the public pages.
const PER_WINDOW: u32 = 30;
const WINDOW: Duration = Duration::from_secs(60);

/// A fixed-window counter per address.
#[derive(Default)]
pub struct PublicLimiter {
    seen: Mutex<HashMap<IpAddr, (u32, Instant)>>,
}

impl PublicLimiter {
    /// Whether `addr` may make another request now.
    pub(crate) fn allow(&self, addr: Option<IpAddr>, now: Instant) -> bool {
        let Some(addr) = addr else { return true };
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() > 50_000 {
            seen.retain(|_, (_, start)| now.duration_since(*start) < WINDOW);
        }
        let entry = seen.entry(addr).or_insert((0, now));
        if now.duration_since(entry.1) >= WINDOW {
            *entry = (0, now);
        }
        entry.0 += 1;
        entry.0 <= PER_WINDOW
    }
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/v/{code}", get(show).post(check))
}

pub(crate) fn peer(req: &Request) -> Option<IpAddr> {
    req.extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
}

pub(crate) fn too_many() -> Response {
    let mut c = plain_context();
    c.insert("message_th", "เรียกตรวจสอบถี่เกินไป กรุณารอสักครู่แล้วลองใหม่");
    c.insert(
        "message_en",
        "too many requests: wait a minute and try again",
    );
    (
        StatusCode::TOO_MANY_REQUESTS,
        [("retry-after", "60")],
        "เรียกตรวจสอบถี่เกินไป กรุณารอสักครู่ (too many requests; wait a minute)",
    )
        .into_response()
}

async fn page(state: &AppState, code: &str, checked: Option<bool>) -> Response {
    let mut c: Context = plain_context();
    match state.app.verification(code).await {
        Ok(record) => {
            c.insert("status_th", &record.status.thai());
            c.insert("record", &record);
            c.insert("checked", &checked.is_some());
            c.insert("identical", &checked.unwrap_or(false));
            render_status(state, StatusCode::OK, "verify.html", &c)
        }
        Err(e) => {
            let e: AppError = e;
            c.insert("message_th", &e.message_th);
            c.insert("message_en", &e.message_en);
            let status = super::error::ApiError::from(e).status;
            render_status(state, status, "verify.html", &c)
        }
    }
}

async fn show(State(state): State<AppState>, Path(code): Path<String>, req: Request) -> Response {
    if !state.public.allow(peer(&req), Instant::now()) {
        return too_many();
    }
    page(&state, &code, None).await
}

/// The file box: the upload is hashed and compared, never stored.
async fn check(State(state): State<AppState>, Path(code): Path<String>, req: Request) -> Response {
    if !state.public.allow(peer(&req), Instant::now()) {
        return too_many();
    }
    let mut multipart = match <Multipart as axum::extract::FromRequest<AppState>>::from_request(
        req, &state,
    )
    .await
    {
        Ok(m) => m,
        Err(e) => return (StatusCode::BAD_REQUEST, e.body_text()).into_response(),
    };
    let mut bytes = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("file") {
            bytes = field.bytes().await.ok();
            break;
        }
    }
    let Some(bytes) = bytes else {
        return page(&state, &code, None).await;
    };
    let identical = state
        .app
        .matches_official(&code, &bytes)
        .await
        .unwrap_or(false);
    page(&state, &code, Some(identical)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_limited_per_window() {
        let l = PublicLimiter::default();
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let t = Instant::now();
        for _ in 0..PER_WINDOW {
            assert!(l.allow(Some(a), t));
        }
        assert!(!l.allow(Some(a), t));
        assert!(l.allow(Some(b), t));
        assert!(l.allow(Some(a), t + WINDOW));
    }
}

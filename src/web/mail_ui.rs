//! The e-mail pages: the office's mailbox settings (`/offices/{id}/mail`,
//! its administrator), the letters fetched from the mailbox on `/intake`
//! (รับอีเมล, read and register through the intake form, dismiss, the .eml
//! as a download) and the user's own address on `/profile`.

#![allow(clippy::result_large_err)]

use std::collections::HashMap;

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use serde_json::json;
use tera::Context;

use super::AppState;
use super::api::download;
use super::auth::Authed;
use super::error::{ApiError, ApiForm, ApiPath};
use super::ui::{Page, UiUser, check_csrf, context, or_page, render, render_status};
use crate::app::mail::MailSettingsInput;
use crate::app::{Action, UserId};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/offices/{id}/mail", get(settings_page).post(save_settings))
        .route("/intake/mail/fetch", post(fetch_now))
        .route("/intake/mail/{id}", post(read_message))
        .route("/intake/mail/{id}/dismiss", post(dismiss))
        .route("/intake/mail/{id}/file", get(message_file))
        .route("/profile/email", post(save_my_email))
}

/// The waiting letters for `/intake` (nothing when the caller may not
/// handle the inbox or the office fetches no mail).
pub(crate) async fn intake_mail(state: &AppState, a: &Authed, c: &mut Context) {
    if !a.can(Action::HandleInbox) {
        return;
    }
    if let Ok(list) = state.app.mail_messages(&a.caller, true).await {
        c.insert("mail", &list);
    }
    if let Ok(v) = state.app.mail_settings_of_own(&a.caller).await {
        c.insert("mailbox", &v);
    }
}

async fn settings_page(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath(id): ApiPath<i64>,
) -> Page {
    let v = or_page(&state, &a, state.app.mail_settings(&a.caller, id).await)?;
    let mut c = context(&a, "mail");
    c.insert("m", &v);
    Ok(render(&state, "mail_settings.html", &c))
}

fn port(v: Option<&String>) -> Option<u16> {
    v.and_then(|p| p.trim().parse().ok())
}

async fn save_settings(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath(id): ApiPath<i64>,
    ApiForm(f): ApiForm<HashMap<String, String>>,
) -> Page {
    check_csrf(&state, &a, f.get("csrf").map(String::as_str).unwrap_or(""))?;
    let text = |k: &str| f.get(k).cloned().unwrap_or_default();
    let input = MailSettingsInput {
        outside: f.contains_key("outside"),
        email: text("email"),
        smtp_host: text("smtp_host"),
        smtp_port: port(f.get("smtp_port")),
        smtp_security: text("smtp_security"),
        smtp_username: text("smtp_username"),
        imap_host: text("imap_host"),
        imap_port: port(f.get("imap_port")),
        imap_security: text("imap_security"),
        imap_username: text("imap_username"),
        imap_folder: text("imap_folder"),
        from_address: text("from_address"),
        password: text("password"),
    };
    match state.app.set_mail_settings(&a.caller, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/offices/{id}/mail?saved=1")).into_response()),
        Err(e) => {
            let e: ApiError = e.into();
            let v = or_page(&state, &a, state.app.mail_settings(&a.caller, id).await)?;
            let mut c = context(&a, "mail");
            c.insert("m", &v);
            c.insert("error", &json!({ "th": e.message_th, "en": e.message_en }));
            Ok(render_status(&state, e.status, "mail_settings.html", &c))
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct CsrfForm {
    csrf: String,
}

/// รับอีเมล: fetch now, then back to `/intake` with what came.
async fn fetch_now(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiForm(f): ApiForm<CsrfForm>,
) -> Page {
    check_csrf(&state, &a, &f.csrf)?;
    let r = or_page(&state, &a, state.app.mail_fetch(&a.caller).await)?;
    Ok(Redirect::to(&format!(
        "/intake?letters={}&replies={}&bounces={}",
        r.letters, r.replies, r.bounces
    ))
    .into_response())
}

/// A waiting message read through the intake: the confirm form.
async fn read_message(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath(id): ApiPath<i64>,
    ApiForm(f): ApiForm<CsrfForm>,
) -> Page {
    check_csrf(&state, &a, &f.csrf)?;
    let read = state.app.mail_prefill(&a.caller, id).await;
    super::intake_ui::confirm_page(&state, &a, read).await
}

async fn dismiss(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath(id): ApiPath<i64>,
    ApiForm(f): ApiForm<CsrfForm>,
) -> Page {
    check_csrf(&state, &a, &f.csrf)?;
    or_page(&state, &a, state.app.mail_dismiss(&a.caller, id).await)?;
    Ok(Redirect::to("/intake").into_response())
}

async fn message_file(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath(id): ApiPath<i64>,
) -> Page {
    let d = or_page(&state, &a, state.app.mail_message_file(&a.caller, id).await)?;
    Ok(download(d, false))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct EmailForm {
    csrf: String,
    email: String,
}

async fn save_my_email(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiForm(f): ApiForm<EmailForm>,
) -> Page {
    check_csrf(&state, &a, &f.csrf)?;
    let id = UserId(a.user.id);
    or_page(
        &state,
        &a,
        state.app.set_user_email(&a.caller, id, &f.email).await,
    )?;
    Ok(Redirect::to("/profile").into_response())
}

/// The e-mail side of every delivery in a tracking tree the caller's
/// office sent: delivery id → state (ส่งทางอีเมล, ตอบกลับ, ตีกลับ) for the
/// tree's tags.
pub(crate) async fn tracking_mail(
    state: &AppState,
    a: &Authed,
    t: &crate::app::Tracking,
) -> serde_json::Value {
    fn walk(n: &crate::app::TrackNode, out: &mut Vec<i64>) {
        out.push(n.delivery.id);
        for c in &n.children {
            walk(c, out);
        }
    }
    let mut ids = Vec::new();
    for n in &t.tree {
        walk(n, &mut ids);
    }
    mail_map(state, a, &ids).await
}

/// Delivery id (as text, for the templates) → its e-mail state.
pub(crate) async fn mail_map(state: &AppState, a: &Authed, ids: &[i64]) -> serde_json::Value {
    let found = state
        .app
        .mail_of_deliveries(&a.caller, ids)
        .await
        .unwrap_or_default();
    let map: serde_json::Map<String, serde_json::Value> = found
        .into_iter()
        .map(|(id, m)| {
            (
                id.to_string(),
                json!({
                    "state": m.state,
                    "thai": m.thai(),
                    "address": m.address,
                    "message_id": m.message_id,
                    "sent_at": m.sent_at,
                    "answered_at": m.answered_at,
                    "bounce_status": m.bounce_status,
                    "error": m.error,
                }),
            )
        })
        .collect();
    serde_json::Value::Object(map)
}

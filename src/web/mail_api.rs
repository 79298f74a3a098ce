//! The JSON API of e-mail (`/api/v1`, routed from `api.rs`): an office's
//! mailbox settings (its administrator; the password only as `env:VAR` /
//! `file:/path`), users' addresses for notices, fetching the mailbox now,
//! the fetched messages and what the clerk does with them (pre-fill
//! through the intake, dismiss, the .eml as a download), and sending a
//! failed or bounced delivery by e-mail again.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::api::download;
use super::auth::Authed;
use super::error::{ApiJson, ApiPath, ApiQuery, ApiResult};
use crate::app::mail::MailSettingsInput;
use crate::app::{DeliveryId, UserId};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/offices/{id}/mail", get(get_settings).put(put_settings))
        .route("/me/email", get(my_email).put(put_my_email))
        .route("/users/{id}/email", get(user_email).put(put_user_email))
        .route("/mail/fetch", post(fetch))
        .route("/mail/messages", get(messages))
        .route("/mail/messages/{id}/prefill", post(prefill))
        .route("/mail/messages/{id}/dismiss", post(dismiss))
        .route("/mail/messages/{id}/file", get(file))
        .route("/deliveries/{id}/resend-email", post(resend))
}

async fn get_settings(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    let v = state.app.mail_settings(&a.caller, id).await?;
    Ok(Json(json!({ "mail": v })))
}

async fn put_settings(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<MailSettingsInput>,
) -> ApiResult<Json<Value>> {
    let v = state.app.set_mail_settings(&a.caller, id, &input).await?;
    Ok(Json(json!({ "mail": v })))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct EmailBody {
    email: String,
}

async fn my_email(State(state): State<AppState>, a: Authed) -> ApiResult<Json<Value>> {
    let email = state.app.my_email(&a.caller).await?;
    Ok(Json(json!({ "email": email })))
}

async fn put_my_email(
    State(state): State<AppState>,
    a: Authed,
    ApiJson(body): ApiJson<EmailBody>,
) -> ApiResult<Json<Value>> {
    let id = UserId(a.user.id);
    state.app.set_user_email(&a.caller, id, &body.email).await?;
    Ok(Json(json!({ "email": body.email.trim() })))
}

async fn user_email(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    let email = state.app.user_email(&a.caller, UserId(id)).await?;
    Ok(Json(json!({ "email": email })))
}

async fn put_user_email(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<EmailBody>,
) -> ApiResult<Json<Value>> {
    state
        .app
        .set_user_email(&a.caller, UserId(id), &body.email)
        .await?;
    Ok(Json(json!({ "email": body.email.trim() })))
}

async fn fetch(State(state): State<AppState>, a: Authed) -> ApiResult<Json<Value>> {
    let r = state.app.mail_fetch(&a.caller).await?;
    Ok(Json(json!({ "fetched": r })))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListParams {
    /// Every fetched message (replies and bounces too), not only the
    /// letters waiting for the clerk.
    all: bool,
}

async fn messages(
    State(state): State<AppState>,
    a: Authed,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<Value>> {
    let list = state.app.mail_messages(&a.caller, !p.all).await?;
    Ok(Json(json!({ "messages": list })))
}

async fn prefill(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    let read = state.app.mail_prefill(&a.caller, id).await?;
    Ok(Json(json!({ "uploads": read })))
}

async fn dismiss(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    let m = state.app.mail_dismiss(&a.caller, id).await?;
    Ok(Json(json!({ "message": m })))
}

async fn resend(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    let m = state.app.resend_mail(&a.caller, DeliveryId(id)).await?;
    Ok(Json(json!({ "mail": m, "state_th": m.thai() })))
}

async fn file(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let d = state.app.mail_message_file(&a.caller, id).await?;
    Ok(download(d, false))
}

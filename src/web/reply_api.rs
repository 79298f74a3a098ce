//! The JSON API of reply forms, routed in `api.rs` (so `openapi.json`
//! stays in step): a letter's form (`GET`/`PUT …/reply-form`), its replies
//! as JSON, CSV or XLSX (a row per reply or per attendee), a reply's file
//! (always a download), and drafting a reminder (ทวงถาม).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::api::download;
use super::auth::Authed;
use super::error::{ApiJson, ApiPath, ApiQuery, ApiResult};
use crate::app::DocumentId;
use crate::app::replies::Remind;
use crate::model::reply_form::ReplyForm;

pub async fn get_form(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    let form = state.app.reply_form(&a.caller, DocumentId(id)).await?;
    Ok(Json(json!({ "reply_form": form })))
}

pub async fn put_form(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(form): ApiJson<ReplyForm>,
) -> ApiResult<Json<Value>> {
    let form = state
        .app
        .set_reply_form(&a.caller, DocumentId(id), &form)
        .await?;
    Ok(Json(json!({ "reply_form": form })))
}

pub async fn list(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    let (form, replies) = state.app.replies(&a.caller, DocumentId(id)).await?;
    Ok(Json(json!({ "reply_form": form, "replies": replies })))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ExportParams {
    /// `reply` (a row per office) or `attendee` (a row per attendee).
    per: Option<String>,
}

pub async fn xlsx(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<ExportParams>,
) -> ApiResult<Response> {
    let file = state
        .app
        .replies_export(&a.caller, DocumentId(id), true, p.per.as_deref())
        .await?;
    Ok(download(file, false))
}

pub async fn csv(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<ExportParams>,
) -> ApiResult<Response> {
    let file = state
        .app
        .replies_export(&a.caller, DocumentId(id), false, p.per.as_deref())
        .await?;
    Ok(download(file, false))
}

pub async fn file(
    State(state): State<AppState>,
    a: Authed,
    ApiPath((id, file)): ApiPath<(i64, i64)>,
) -> ApiResult<Response> {
    let f = state
        .app
        .reply_file(&a.caller, DocumentId(id), file)
        .await?;
    Ok(download(f, false))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReminderBody {
    /// `not_acted` (default) or `not_replied`.
    only: Remind,
}

pub async fn reminder(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    body: Option<ApiJson<ReminderBody>>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let only = body.map(|b| b.0.only).unwrap_or_default();
    let made = state
        .app
        .draft_reminder(&a.caller, DocumentId(id), only)
        .await?;
    Ok((StatusCode::CREATED, Json(json!(made))))
}

//! The JSON API of the office's inside work (`/api/v1`): presenting and
//! endorsing received letters, assignments and the work on them, drafts'
//! checks and signatures, the office's settings and acting roles. Thin
//! handlers over `app::workflow` and `app::review`; described in
//! `openapi.json`.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::api::download;
use super::auth::Authed;
use super::error::{ApiJson, ApiPath, ApiQuery, ApiResult};
use crate::app::documents::{Upload, document_from_json};
use crate::app::review::{ActingRequest, ReviewRequest, SettingsRequest, SubmitRequest};
use crate::app::workflow::{
    AssignRequest, CorrectRequest, EndorseRequest, NoteRequest, PresentRequest, ReassignRequest,
};
use crate::app::{DeliveryId, DocumentId};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/work", get(my_work))
        .route("/work/counts", get(counts))
        .route("/work/{item}/comment", post(comment))
        .route("/work/{item}/attachments", post(attach))
        .route("/work/{item}/reply", post(reply))
        .route("/work/{item}/close", post(close))
        .route("/work/{item}/send-back", post(send_back))
        .route("/work/{item}/reassign", post(reassign))
        .route("/deliveries/{id}/work", get(letter_work))
        .route("/deliveries/{id}/present", post(present))
        .route("/deliveries/{id}/endorse", post(endorse))
        .route("/deliveries/{id}/correct", post(correct))
        .route("/deliveries/{id}/assign", post(assign))
        .route("/deliveries/{id}/endorsements.pdf", get(sheet))
        .route("/deliveries/{id}/files/{file}", get(work_file))
        .route("/documents/{id}/review", get(review))
        .route("/documents/{id}/submit", post(submit))
        .route("/documents/{id}/check", post(check))
        .route("/documents/{id}/sign", post(sign))
        .route("/workflow", get(settings).put(set_settings))
        .route("/users/{id}/acting", get(acting).post(add_acting))
        .route("/users/{id}/acting/{aid}", delete(remove_acting))
}

async fn my_work(State(state): State<AppState>, a: Authed) -> ApiResult<Json<Value>> {
    let work = state.app.my_work(&a.caller).await?;
    Ok(Json(json!({ "work": work })))
}

async fn counts(State(state): State<AppState>, a: Authed) -> ApiResult<Json<Value>> {
    Ok(Json(json!(state.app.work_counts(&a.caller).await?)))
}

async fn letter_work(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(
        state.app.letter_work(&a.caller, DeliveryId(id)).await?
    )))
}

async fn present(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    body: Option<ApiJson<PresentRequest>>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let body = body.map(|b| b.0).unwrap_or_default();
    let item = state.app.present(&a.caller, DeliveryId(id), &body).await?;
    Ok((StatusCode::CREATED, Json(json!({ "item": item }))))
}

async fn endorse(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<EndorseRequest>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let events = state.app.endorse(&a.caller, DeliveryId(id), &body).await?;
    Ok((StatusCode::CREATED, Json(json!({ "events": events }))))
}

async fn correct(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<CorrectRequest>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let event = state
        .app
        .correct_endorsement(&a.caller, DeliveryId(id), &body)
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "event": event }))))
}

async fn assign(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<AssignRequest>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let items = state.app.assign(&a.caller, DeliveryId(id), &body).await?;
    Ok((StatusCode::CREATED, Json(json!({ "items": items }))))
}

async fn sheet(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    Ok(download(
        state
            .app
            .endorsement_sheet(&a.caller, DeliveryId(id))
            .await?,
        false,
    ))
}

async fn work_file(
    State(state): State<AppState>,
    a: Authed,
    ApiPath((id, file)): ApiPath<(i64, i64)>,
) -> ApiResult<Response> {
    Ok(download(
        state.app.work_file(&a.caller, DeliveryId(id), file).await?,
        false,
    ))
}

async fn comment(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(item): ApiPath<i64>,
    ApiJson(body): ApiJson<NoteRequest>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let event = state.app.comment(&a.caller, item, &body).await?;
    Ok((StatusCode::CREATED, Json(json!({ "event": event }))))
}

#[derive(Debug, Deserialize)]
struct AttachParams {
    name: String,
}

async fn attach(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(item): ApiPath<i64>,
    ApiQuery(p): ApiQuery<AttachParams>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let file = Upload {
        name: &p.name,
        bytes: &body,
    };
    let made = state.app.attach_to_work(&a.caller, item, file).await?;
    Ok((StatusCode::CREATED, Json(json!({ "file": made }))))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReplyBody {
    document: Option<Value>,
}

async fn reply(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(item): ApiPath<i64>,
    body: Option<ApiJson<ReplyBody>>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let doc = match body.and_then(|b| b.0.document) {
        Some(v) => Some(document_from_json(&v)?),
        None => None,
    };
    let draft = state.app.draft_reply(&a.caller, item, doc).await?;
    Ok((StatusCode::CREATED, Json(json!(draft))))
}

async fn close(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(item): ApiPath<i64>,
    ApiJson(body): ApiJson<NoteRequest>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!({
        "item": state.app.close_work(&a.caller, item, &body).await?
    })))
}

async fn send_back(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(item): ApiPath<i64>,
    ApiJson(body): ApiJson<NoteRequest>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!({
        "item": state.app.send_back(&a.caller, item, &body).await?
    })))
}

async fn reassign(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(item): ApiPath<i64>,
    ApiJson(body): ApiJson<ReassignRequest>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let made = state.app.reassign(&a.caller, item, &body).await?;
    Ok((StatusCode::CREATED, Json(json!({ "item": made }))))
}

async fn review(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(
        state.app.draft_review(&a.caller, DocumentId(id)).await?
    )))
}

async fn submit(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    body: Option<ApiJson<SubmitRequest>>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let body = body.map(|b| b.0).unwrap_or_default();
    let item = state
        .app
        .submit_draft(&a.caller, DocumentId(id), &body)
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "item": item }))))
}

async fn check(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ReviewRequest>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!({
        "event": state.app.check_draft(&a.caller, DocumentId(id), &body).await?
    })))
}

async fn sign(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ReviewRequest>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!({
        "event": state.app.sign_draft(&a.caller, DocumentId(id), &body).await?
    })))
}

async fn settings(State(state): State<AppState>, a: Authed) -> ApiResult<Json<Value>> {
    Ok(Json(json!(state.app.workflow_settings(&a.caller).await?)))
}

async fn set_settings(
    State(state): State<AppState>,
    a: Authed,
    ApiJson(body): ApiJson<SettingsRequest>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(state.app.set_workflow(&a.caller, &body).await?)))
}

async fn acting(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(user): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    let roles = state.app.acting_roles(&a.caller, &by_id(user)).await?;
    Ok(Json(json!({ "acting": roles })))
}

async fn add_acting(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(user): ApiPath<String>,
    ApiJson(mut body): ApiJson<ActingRequest>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    body.user = by_id(user);
    let made = state.app.add_acting(&a.caller, &body).await?;
    Ok((StatusCode::CREATED, Json(json!({ "acting": made }))))
}

async fn remove_acting(
    State(state): State<AppState>,
    a: Authed,
    ApiPath((user, aid)): ApiPath<(String, i64)>,
) -> ApiResult<StatusCode> {
    state
        .app
        .remove_acting(&a.caller, &by_id(user), aid)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A user in a path: a numeric id (as `/users/{id}/tokens` takes) or a
/// user name.
fn by_id(user: String) -> String {
    if !user.is_empty() && user.chars().all(|c| c.is_ascii_digit()) {
        format!("#{user}")
    } else {
        user
    }
}

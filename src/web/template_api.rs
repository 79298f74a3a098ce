//! The JSON API of office templates (แม่แบบหนังสือ), routed in `api.rs`:
//! list, save (from a stored document or a document's JSON), read, delete,
//! and start a draft from one. Another office's template is 404.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::auth::Authed;
use super::error::{ApiError, ApiJson, ApiPath, ApiResult};
use crate::app::documents::document_from_json;
use crate::app::{DocumentId, TemplateId};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/templates", get(list).post(save))
        .route("/templates/{id}", get(read).delete(remove))
        .route("/templates/{id}/draft", post(draft))
}

async fn list(State(state): State<AppState>, a: Authed) -> ApiResult<Json<Value>> {
    Ok(Json(
        json!({ "templates": state.app.templates(&a.caller).await? }),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SaveBody {
    name: String,
    /// Saves this stored document of the office …
    #[serde(default)]
    document_id: Option<i64>,
    /// … or this document (the JSON `POST /documents` takes).
    #[serde(default)]
    document: Option<Value>,
}

async fn save(
    State(state): State<AppState>,
    a: Authed,
    ApiJson(body): ApiJson<SaveBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let t = match (body.document_id, &body.document) {
        (Some(id), None) => {
            state
                .app
                .save_template_from(&a.caller, &body.name, DocumentId(id))
                .await?
        }
        (None, Some(doc)) => {
            let doc = document_from_json(doc)?;
            state.app.save_template(&a.caller, &body.name, &doc).await?
        }
        _ => {
            return Err(ApiError::invalid(
                "document",
                "ระบุหนังสือที่จะบันทึกเป็นแม่แบบ: document_id หรือ document อย่างใดอย่างหนึ่ง",
                "give either document_id or document",
            ));
        }
    };
    Ok((StatusCode::CREATED, Json(json!(t))))
}

async fn read(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(
        state.app.template(&a.caller, TemplateId(id)).await?
    )))
}

async fn remove(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    state.app.delete_template(&a.caller, TemplateId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn draft(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let d = state
        .app
        .draft_from_template(&a.caller, TemplateId(id))
        .await?;
    Ok((StatusCode::CREATED, Json(json!(d))))
}

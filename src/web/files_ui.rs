//! The document page's files (สิ่งที่ส่งมาด้วย): several chosen at once
//! and attached together, or one removed, while the letter is not yet
//! sent. The page itself lists them with a preview of each PDF's first
//! page (`/api/v1/documents/{id}/attachments/{aid}/preview.png`).

#![allow(clippy::result_large_err)]

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use axum::routing::post;
use serde::Deserialize;

use super::AppState;
use super::api::multipart_files;
use super::error::{ApiForm, ApiPath};
use super::ui::{Page, UiUser, check_csrf, or_page};
use crate::app::documents::Upload;
use crate::app::{AttachmentId, DocumentId};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/documents/{id}/attachments", post(attach))
        .route("/documents/{id}/attachments/{aid}/remove", post(remove))
}

async fn attach(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath(id): ApiPath<i64>,
    multipart: axum::extract::Multipart,
) -> Page {
    let (files, fields) = or_page(&state, &a, multipart_files(multipart).await)?;
    let csrf = fields
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    check_csrf(&state, &a, csrf)?;
    let uploads: Vec<Upload> = files
        .iter()
        .map(|(name, bytes)| Upload { name, bytes })
        .collect();
    or_page(
        &state,
        &a,
        state
            .app
            .attach_many(&a.caller, DocumentId(id), &uploads)
            .await,
    )?;
    Ok(Redirect::to(&format!("/documents/{id}#files")).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RemoveForm {
    csrf: String,
}

async fn remove(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath((id, aid)): ApiPath<(i64, i64)>,
    ApiForm(f): ApiForm<RemoveForm>,
) -> Page {
    check_csrf(&state, &a, &f.csrf)?;
    or_page(
        &state,
        &a,
        state
            .app
            .detach(&a.caller, DocumentId(id), AttachmentId(aid))
            .await,
    )?;
    Ok(Redirect::to(&format!("/documents/{id}#files")).into_response())
}

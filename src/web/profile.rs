//! The user's own profile page (`/profile`): who they are, their signature
//! image (upload, preview, remove) and the way to the password and API
//! token pages. The image is served only as a download with its own media
//! type (`Content-Disposition: attachment`, `nosniff`): an `<img>` shows it,
//! a browser never opens it as a page.

// A failed page is a whole response; boxing it would only add noise.
#![allow(clippy::result_large_err)]

use axum::Router;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::AppState;
use super::api;
use super::auth::Authed;
use super::error::{ApiError, ApiForm};
use super::ui::{self, Page, UiUser};
use crate::app::signatures::MAX_SIGNATURE;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/profile", get(profile_page))
        .route(
            "/profile/signature",
            get(signature_image).post(upload_signature),
        )
        .route("/profile/signature/delete", post(remove_signature))
}

async fn profile_page(State(state): State<AppState>, UiUser(a): UiUser) -> Page {
    profile_view(&state, &a, None).await
}

/// The page, with an error from the last action when there was one (and
/// that error's status).
async fn profile_view(state: &AppState, a: &Authed, error: Option<ApiError>) -> Page {
    let signature = ui::or_page(state, a, state.app.my_signature(&a.caller).await)?;
    let mut c = ui::context(a, "profile");
    c.insert("signature", &signature);
    c.insert("max_kb", &(MAX_SIGNATURE / 1024));
    // The address for notices of new work (app::mail::notices).
    let email = ui::or_page(state, a, state.app.my_email(&a.caller).await)?;
    c.insert("email", &email);
    let status = error.as_ref().map_or(StatusCode::OK, |e| e.status);
    if let Some(e) = error {
        c.insert("error", &e.message_th);
        c.insert("error_en", &e.message_en);
    }
    Ok(ui::render_status(state, status, "profile.html", &c))
}

/// The caller's own signature image, as a download.
async fn signature_image(State(state): State<AppState>, UiUser(a): UiUser) -> Page {
    let file = ui::or_page(&state, &a, state.app.my_signature_image(&a.caller).await)?;
    Ok(api::download(file, false))
}

/// The upload form: the CSRF token and the file (`multipart/form-data`).
async fn upload_signature(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    mut form: Multipart,
) -> Page {
    let mut csrf = String::new();
    let mut file = Vec::new();
    while let Ok(Some(field)) = form.next_field().await {
        match field.name() {
            Some("csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("file") => file = field.bytes().await.map(|b| b.to_vec()).unwrap_or_default(),
            _ => {}
        }
    }
    ui::check_csrf(&state, &a, &csrf)?;
    match state.app.set_my_signature(&a.caller, &file).await {
        Ok(_) => Ok(done()),
        Err(e) => profile_view(&state, &a, Some(e.into())).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CsrfForm {
    csrf: String,
}

async fn remove_signature(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiForm(f): ApiForm<CsrfForm>,
) -> Page {
    ui::check_csrf(&state, &a, &f.csrf)?;
    ui::or_page(&state, &a, state.app.remove_my_signature(&a.caller).await)?;
    Ok(done())
}

/// Back to the profile after a change (303, so a reload does not post again).
fn done() -> Response {
    Redirect::to("/profile").into_response()
}

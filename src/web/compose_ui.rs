//! The compose page's extras: the editing buttons (annexes added, moved,
//! removed; a grid's days and slots), the อ้างถึง picker's letters, and
//! office templates (save the form as one, start from one, delete one).
//! The page itself and saving are `ui.rs`'s; parsing is `compose_forms`'s.

#![allow(clippy::result_large_err)]

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use serde::Deserialize;
use serde_json::{Value, json};
use tera::Context;

use super::AppState;
use super::compose_forms::{ComposeForm, apply_op};
use super::error::{ApiError, ApiForm, ApiPath};
use super::forms::LetterForm;
use super::ui::{Page, UiUser, check_csrf, compose_context, error_page, form_document, render};
use crate::app::TemplateId;
use crate::app::documents::SearchParams;
use crate::web::auth::Authed;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ui/templates", post(save_template))
        .route("/templates/{id}/delete", post(delete_template))
}

/// `/documents/new?template=ID`: start from an office template.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StartParams {
    pub template: Option<i64>,
}

/// The form a new draft starts from: empty, or the template's fields
/// (dated today: the date is left blank).
pub async fn starting_form(
    state: &AppState,
    a: &Authed,
    q: &StartParams,
) -> Result<LetterForm, Response> {
    let Some(id) = q.template else {
        return Ok(LetterForm {
            kind: "letter".into(),
            ..LetterForm::default()
        });
    };
    let t = state
        .app
        .template(&a.caller, TemplateId(id))
        .await
        .map_err(|e| error_page(state, a, e.into()))?;
    let mut form = LetterForm::from_document(&t.content).unwrap_or_default();
    form.date.clear();
    Ok(form)
}

/// What the compose page lists beside the form: letters to cite (the
/// registers' numbered letters the caller may see) and the office's
/// templates. A failure leaves a list empty; the form still works.
pub async fn lists(state: &AppState, a: &Authed, c: &mut Context) {
    let params = SearchParams {
        limit: Some(100),
        ..SearchParams::default()
    };
    let picks: Vec<Value> = match state.app.search_listed(&a.caller, &params).await {
        Ok(found) => found
            .iter()
            .filter_map(|l| {
                let d = &l.doc;
                let number = d.number.as_deref()?;
                let date = d.date.map(|x| x.to_string()).unwrap_or_default();
                Some(json!({
                    "value": format!("{number}|{date}|{}", d.issuer),
                    "number": number,
                    "date": date,
                    "subject": d.subject,
                }))
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    c.insert("picks", &picks);
    let templates: Vec<Value> = state
        .app
        .templates(&a.caller)
        .await
        .unwrap_or_default()
        .iter()
        .map(|t| json!({ "id": t.id, "name": t.name, "kind": t.kind }))
        .collect();
    c.insert("templates", &templates);
}

fn action_of(f: &LetterForm) -> String {
    match f.doc_id {
        Some(id) => format!("/documents/{id}/edit"),
        None => "/documents".to_string(),
    }
}

/// An editing button was pressed: the page again, changed, nothing saved.
pub async fn edited(state: &AppState, a: &Authed, mut f: LetterForm) -> Response {
    let op = std::mem::take(&mut f.op);
    apply_op(&mut f.annexes, &op, &f.new_annex);
    let mut c = compose_context(a, &f, None);
    c.insert("action", &action_of(&f));
    c.insert("doc_id", &f.doc_id);
    // Back to the part that changed.
    c.insert("focus", &op);
    lists(state, a, &mut c).await;
    render(state, "compose.html", &c)
}

/// `บันทึกเป็นแม่แบบ`: the form as the office's template `template_name`;
/// the page comes back with the form as it was.
async fn save_template(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ComposeForm(f): ComposeForm,
) -> Page {
    check_csrf(&state, &a, &f.csrf)?;
    let saved = match form_document(&state, &a, &f).await {
        Ok(doc) => state
            .app
            .save_template(&a.caller, &f.template_name, &doc)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    let mut c = compose_context(&a, &f, saved.as_ref().err());
    c.insert("action", &action_of(&f));
    c.insert("doc_id", &f.doc_id);
    if let Ok(t) = &saved {
        c.insert("saved_template", &t.name);
    }
    lists(&state, &a, &mut c).await;
    let page = render(&state, "compose.html", &c);
    match saved {
        Ok(_) => Ok(page),
        Err(e) => Err((e.status, page).into_response()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CsrfForm {
    csrf: String,
}

async fn delete_template(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath(id): ApiPath<i64>,
    ApiForm(f): ApiForm<CsrfForm>,
) -> Page {
    check_csrf(&state, &a, &f.csrf)?;
    state
        .app
        .delete_template(&a.caller, TemplateId(id))
        .await
        .map_err(|e| error_page(&state, &a, e.into()))?;
    Ok(Redirect::to("/documents/new").into_response())
}

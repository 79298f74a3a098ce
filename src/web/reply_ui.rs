//! The pages of reply forms for the issuing office: the designer on a
//! draft (`/documents/{id}/reply-form`: a row of small fields per question,
//! add, remove and move up or down without script) and drafting a
//! reminder (ทวงถาม) from the tracking page.

// A failed page is a whole response, as in `ui`.
#![allow(clippy::result_large_err)]

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use serde::Serialize;
use serde_json::json;

use super::AppState;
use super::error::{ApiError, ApiForm, ApiPath};
use super::ui::{Page, UiUser, check_csrf, context, error_page, or_page, render_status};
use crate::app::replies::Remind;
use crate::app::{Action, DocState, DocumentId};
use crate::model::reply_form::{FieldKind, FormField, ReplyForm};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/documents/{id}/reply-form",
            get(designer).post(designer_post),
        )
        .route("/documents/{id}/remind", post(remind))
}

/// The pages' templates.
pub fn add_templates(tera: &mut tera::Tera) -> tera::Result<()> {
    tera.add_raw_templates([
        ("reply.html", include_str!("../../templates/web/reply.html")),
        (
            "reply_form.html",
            include_str!("../../templates/web/reply_form.html"),
        ),
    ])
}

/// What a new form starts with: attending or not, and who.
fn starter() -> ReplyForm {
    ReplyForm {
        title: "แบบตอบรับ".into(),
        fields: vec![
            FormField {
                key: String::new(),
                label: "การเข้าร่วม".into(),
                kind: FieldKind::Choice,
                required: true,
                options: vec!["เข้าร่วม".into(), "ไม่เข้าร่วม".into()],
            },
            FormField {
                key: String::new(),
                label: "รายชื่อผู้เข้าร่วม".into(),
                kind: FieldKind::Attendees,
                required: false,
                options: Vec::new(),
            },
        ],
    }
}

#[derive(Serialize)]
struct Row<'a> {
    key: &'a str,
    label: &'a str,
    kind: &'static str,
    required: bool,
    options: String,
}

fn show(
    state: &AppState,
    a: &super::auth::Authed,
    id: i64,
    subject: &str,
    form: &ReplyForm,
    editable: bool,
    error: Option<&ApiError>,
) -> axum::response::Response {
    let mut c = context(a, "documents");
    c.insert("doc_id", &id);
    c.insert("subject", subject);
    c.insert("title", &form.title);
    c.insert("editable", &editable);
    c.insert(
        "rows",
        &form
            .fields
            .iter()
            .map(|f| Row {
                key: &f.key,
                label: &f.label,
                kind: f.kind.key(),
                required: f.required,
                options: f.options.join(", "),
            })
            .collect::<Vec<_>>(),
    );
    c.insert(
        "kinds",
        &FieldKind::ALL
            .iter()
            .map(|k| json!({ "key": k.key(), "thai": k.thai() }))
            .collect::<Vec<_>>(),
    );
    c.insert("error", &error.map(|e| e.message_th.clone()));
    let status = error.map_or(axum::http::StatusCode::OK, |e| e.status);
    render_status(state, status, "reply_form.html", &c)
}

async fn designer(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath(id): ApiPath<i64>,
) -> Page {
    let d = or_page(
        &state,
        &a,
        state.app.own_document(&a.caller, DocumentId(id)).await,
    )?;
    let form = or_page(
        &state,
        &a,
        state.app.reply_form(&a.caller, DocumentId(id)).await,
    )?;
    let editable = d.state == DocState::Draft && a.can(Action::Draft);
    let form = match form {
        Some(f) => f,
        None if editable => starter(),
        None => ReplyForm::default(),
    };
    Ok(show(&state, &a, id, &d.subject, &form, editable, None))
}

/// Reads the designer's rows (`label.N`, `kind.N`, `required.N`,
/// `options.N`, `key.N`) and applies `op`: add, remove.N, up.N, down.N;
/// `save` stores the form.
async fn designer_post(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath(id): ApiPath<i64>,
    body: axum::body::Bytes,
) -> Page {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    check_csrf(&state, &a, &get("csrf"))?;
    let d = or_page(
        &state,
        &a,
        state.app.own_document(&a.caller, DocumentId(id)).await,
    )?;
    let count = pairs
        .iter()
        .filter_map(|(k, _)| k.strip_prefix("label.")?.parse::<usize>().ok())
        .map(|n| n + 1)
        .max()
        .unwrap_or(0)
        .min(crate::model::reply_form::MAX_FIELDS + 1);
    let mut fields: Vec<FormField> = (0..count)
        .map(|i| FormField {
            key: get(&format!("key.{i}")),
            label: get(&format!("label.{i}")),
            kind: FieldKind::parse(&get(&format!("kind.{i}"))).unwrap_or(FieldKind::Text),
            required: !get(&format!("required.{i}")).is_empty(),
            options: get(&format!("options.{i}"))
                .split([',', '\n'])
                .map(|o| o.trim().to_string())
                .filter(|o| !o.is_empty())
                .collect(),
        })
        .collect();
    let op = get("op");
    let at = |prefix: &str| {
        op.strip_prefix(prefix)
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n < fields.len())
    };
    let mut saving = false;
    if op == "add" {
        fields.push(FormField {
            key: String::new(),
            label: String::new(),
            kind: FieldKind::parse(&get("new_kind")).unwrap_or(FieldKind::Text),
            required: false,
            options: Vec::new(),
        });
    } else if let Some(n) = at("remove.") {
        fields.remove(n);
    } else if let Some(n) = at("up.") {
        if n > 0 {
            fields.swap(n, n - 1);
        }
    } else if let Some(n) = at("down.") {
        if n + 1 < fields.len() {
            fields.swap(n, n + 1);
        }
    } else {
        saving = true;
    }
    let form = ReplyForm {
        title: get("title"),
        fields,
    };
    if !saving {
        return Ok(show(&state, &a, id, &d.subject, &form, true, None));
    }
    match state
        .app
        .set_reply_form(&a.caller, DocumentId(id), &form)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/documents/{id}")).into_response()),
        Err(e) => {
            let e = ApiError::from(e);
            Err(show(&state, &a, id, &d.subject, &form, true, Some(&e)))
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct RemindForm {
    csrf: String,
    only: String,
}

/// Drafts the reminder and opens it.
async fn remind(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath(id): ApiPath<i64>,
    ApiForm(f): ApiForm<RemindForm>,
) -> Page {
    check_csrf(&state, &a, &f.csrf)?;
    let only = match f.only.as_str() {
        "not_replied" => Remind::NotReplied,
        "not_acted" | "" => Remind::NotActed,
        _ => {
            return Err(error_page(
                &state,
                &a,
                ApiError::from(crate::app::AppError::invalid(
                    "only",
                    "เลือกว่าจะทวงถามหน่วยงานที่ยังไม่ดำเนินการหรือยังไม่ตอบ",
                    "only must be not_acted or not_replied",
                )),
            ));
        }
    };
    let made = or_page(
        &state,
        &a,
        state
            .app
            .draft_reminder(&a.caller, DocumentId(id), only)
            .await,
    )?;
    Ok(Redirect::to(&format!("/documents/{}", made.document.id)).into_response())
}

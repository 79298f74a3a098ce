//! The public reply page `/r/{token}`: no login, in Thai, made for a
//! phone. It shows the letter's number, date and subject, the office the
//! link is bound to and the form with the answers stored so far; a post
//! stores or amends them (multipart from the page, JSON from a program).
//! Bad answers come back as the form again with Thai messages (or JSON
//! errors in Thai and English); after the last day the page says so (410).
//! Rate-limited per address like `/v/{code}`.

use std::collections::HashMap;
use std::time::Instant;

use axum::Router;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use serde::Serialize;
use serde_json::json;

use super::AppState;
use super::error::ApiError;
use super::public::{peer, too_many};
use super::ui::{plain_context, render_status};
use crate::app::AppError;
use crate::app::replies::{ReplyInput, ReplyOutcome, ReplyView};
use crate::model::FieldError;
use crate::model::reply_form::{Answer, Attendee, FieldKind, FileRef};

pub fn routes() -> Router<AppState> {
    Router::new().route("/r/{token}", get(show).post(submit))
}

/// One field as the page prints it.
#[derive(Serialize)]
struct FieldView {
    key: String,
    label: String,
    kind: &'static str,
    required: bool,
    options: Vec<String>,
    value: String,
    rows: Vec<Attendee>,
    file: Option<FileRef>,
    error: Option<String>,
}

/// Blank attendee rows offered below the filled ones.
const BLANK_ROWS: usize = 2;
const MIN_ROWS: usize = 3;

fn field_views(v: &ReplyView, typed: Option<&ReplyInput>, errors: &[FieldError]) -> Vec<FieldView> {
    v.form
        .fields
        .iter()
        .map(|f| {
            let stored = v.answers.get(&f.key);
            let value = match typed {
                Some(t) => t.values.get(&f.key).cloned().unwrap_or_default(),
                None => match stored {
                    Some(Answer::Text(t)) => t.clone(),
                    _ => String::new(),
                },
            };
            let mut rows = match typed {
                Some(t) => t.rows.get(&f.key).cloned().unwrap_or_default(),
                None => match stored {
                    Some(Answer::Attendees(r)) => r.clone(),
                    _ => Vec::new(),
                },
            };
            rows.retain(|a| {
                !(a.name.trim().is_empty()
                    && a.position.trim().is_empty()
                    && a.phone.trim().is_empty())
            });
            if f.kind == FieldKind::Attendees {
                let want = (rows.len() + BLANK_ROWS).max(MIN_ROWS);
                rows.resize(want, Attendee::default());
            }
            FieldView {
                key: f.key.clone(),
                label: f.label.clone(),
                kind: f.kind.key(),
                required: f.required,
                options: f.options.clone(),
                value,
                rows,
                file: match stored {
                    Some(Answer::File(x)) => Some(x.clone()),
                    _ => None,
                },
                error: errors
                    .iter()
                    .find(|e| e.field == f.key)
                    .map(|e| e.message_th.clone()),
            }
        })
        .collect()
}

fn wants_json(req: &Request) -> bool {
    let has = |h: header::HeaderName| {
        req.headers()
            .get(h)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("application/json"))
    };
    has(header::CONTENT_TYPE) || has(header::ACCEPT)
}

fn status_of(e: &AppError) -> StatusCode {
    if e.code == "reply_closed" {
        StatusCode::GONE
    } else {
        ApiError::from(e.clone()).status
    }
}

fn error_response(state: &AppState, e: AppError, json: bool) -> Response {
    let status = status_of(&e);
    if json {
        let mut r = ApiError::from(e).into_response();
        *r.status_mut() = status;
        return r;
    }
    let mut c = plain_context();
    c.insert("message_th", &e.message_th);
    c.insert("message_en", &e.message_en);
    render_status(state, status, "reply.html", &c)
}

/// The page: the form with `typed` answers and `errors`, or as stored.
fn page(
    state: &AppState,
    token: &str,
    v: &ReplyView,
    typed: Option<&ReplyInput>,
    errors: &[FieldError],
    saved: bool,
) -> Response {
    let mut c = plain_context();
    c.insert("v", v);
    c.insert("heading", v.form.heading());
    c.insert("token", token);
    c.insert("fields", &field_views(v, typed, errors));
    c.insert(
        "errors",
        &errors
            .iter()
            .map(|e| e.message_th.clone())
            .collect::<Vec<_>>(),
    );
    c.insert("saved", &saved);
    let status = if !v.open {
        StatusCode::GONE
    } else if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(state, status, "reply.html", &c)
}

async fn show(State(state): State<AppState>, Path(token): Path<String>, req: Request) -> Response {
    if !state.public.allow(peer(&req), Instant::now()) {
        return too_many();
    }
    let json = wants_json(&req);
    match state.app.reply_page(&token, Utc::now()).await {
        Ok(v) if json => {
            let status = if v.open {
                StatusCode::OK
            } else {
                StatusCode::GONE
            };
            (status, axum::Json(json!({ "reply": v }))).into_response()
        }
        Ok(v) => page(&state, &token, &v, None, &[], false),
        Err(e) => error_response(&state, e, json),
    }
}

/// Reads the page's multipart form: `v.KEY` values, `a.KEY.I.name|position|phone`
/// attendee cells, `file.KEY` files.
async fn read_form(mut form: Multipart) -> Result<ReplyInput, AppError> {
    let mut input = ReplyInput::default();
    let mut cells: HashMap<String, std::collections::BTreeMap<usize, Attendee>> = HashMap::new();
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return Err(AppError::invalid(
                    "form",
                    "อ่านข้อมูลที่ส่งมาไม่ได้ (ไฟล์อาจใหญ่เกินไป)",
                    format!("the form could not be read: {e}"),
                ));
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        if let Some(key) = name.strip_prefix("file.") {
            let file_name = field.file_name().unwrap_or_default().to_string();
            let bytes = field.bytes().await.map_err(|e| {
                AppError::invalid(
                    "file",
                    "อ่านไฟล์ไม่ได้",
                    format!("the file could not be read: {e}"),
                )
            })?;
            if !bytes.is_empty() {
                input
                    .files
                    .insert(key.to_string(), (file_name, bytes.to_vec()));
            }
            continue;
        }
        let text = field.text().await.unwrap_or_default();
        if let Some(key) = name.strip_prefix("v.") {
            input.values.insert(key.to_string(), text);
        } else if let Some(rest) = name.strip_prefix("a.") {
            let mut parts = rest.rsplitn(3, '.');
            let (Some(cell), Some(i), Some(key)) = (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            let Ok(i) = i.parse::<usize>() else { continue };
            if i > 500 {
                continue;
            }
            let row = cells
                .entry(key.to_string())
                .or_default()
                .entry(i)
                .or_default();
            match cell {
                "name" => row.name = text,
                "position" => row.position = text,
                "phone" => row.phone = text,
                _ => {}
            }
        }
    }
    for (key, rows) in cells {
        input.rows.insert(key, rows.into_values().collect());
    }
    Ok(input)
}

async fn submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    req: Request,
) -> Response {
    if !state.public.allow(peer(&req), Instant::now()) {
        return too_many();
    }
    let json = wants_json(&req);
    let input = if json {
        match axum::Json::<ReplyInput>::from_request(req, &state).await {
            Ok(axum::Json(i)) => i,
            Err(e) => return ApiError::from(e).into_response(),
        }
    } else {
        match Multipart::from_request(req, &state).await {
            Ok(m) => match read_form(m).await {
                Ok(i) => i,
                Err(e) => return error_response(&state, e, false),
            },
            Err(e) => {
                let e = AppError::invalid(
                    "form",
                    "ส่งแบบตอบรับจากหน้าแบบฟอร์มเท่านั้น",
                    format!(
                        "send the form as multipart/form-data or JSON: {}",
                        e.body_text()
                    ),
                );
                return error_response(&state, e, false);
            }
        }
    };
    let typed = input.clone();
    let now = Utc::now();
    match state.app.submit_reply(&token, input, now).await {
        Ok(ReplyOutcome::Saved(reply)) if json => {
            (StatusCode::OK, axum::Json(json!({ "reply": reply }))).into_response()
        }
        Ok(ReplyOutcome::Rejected(errors)) if json => {
            let first = &errors[0];
            let body = json!({
                "error": {
                    "code": "invalid",
                    "message_th": errors.iter().map(|e| e.message_th.as_str()).collect::<Vec<_>>().join(" "),
                    "message_en": errors.iter().map(|e| e.message_en.as_str()).collect::<Vec<_>>().join(" "),
                    "field": first.field,
                    "fields": errors.iter().map(|e| json!({
                        "field": e.field, "message_th": e.message_th, "message_en": e.message_en,
                    })).collect::<Vec<_>>(),
                }
            });
            (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(body)).into_response()
        }
        Ok(outcome) => match state.app.reply_page(&token, now).await {
            Ok(v) => match outcome {
                ReplyOutcome::Saved(_) => page(&state, &token, &v, None, &[], true),
                ReplyOutcome::Rejected(errors) => {
                    page(&state, &token, &v, Some(&typed), &errors, false)
                }
            },
            Err(e) => error_response(&state, e, false),
        },
        Err(e) => error_response(&state, e, json),
    }
}

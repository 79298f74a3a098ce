//! The pages for letters from outside (ลงรับหนังสือจากภายนอก): choose
//! files (several at once), check each pre-filled form (a confidence
//! beside every field, a duplicate flagged), register them together, then
//! see each เลขรับ with the original and the stamped copy.

#![allow(clippy::result_large_err)]

use std::collections::HashMap;

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use serde_json::{Value, json};

use super::AppState;
use super::api::multipart_files;
use super::error::{ApiError, ApiForm, ApiPath};
use super::ui::{Page, UiUser, check_csrf, context, or_page, render, render_status};
use crate::app::documents::Upload;
use crate::app::intake::{Confidence, IntakeConfirm, IntakeUpload, ReferenceInput};
use crate::thai::{DateStyle, Digits, format_date};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/intake", get(intake_page).post(intake_upload))
        .route("/intake/register", axum::routing::post(intake_register))
        .route("/received/{id}", get(received_page))
}

async fn intake_page(State(state): State<AppState>, UiUser(a): UiUser) -> Page {
    let mut c = context(&a, "intake");
    c.insert("step", "upload");
    // Letters fetched from the office's mailbox, waiting.
    super::mail_ui::intake_mail(&state, &a, &mut c).await;
    Ok(render(&state, "intake.html", &c))
}

/// A field as the form shows it: its value and how sure saraban is.
fn field(value: Option<String>, conf: Option<Confidence>) -> Value {
    json!({
        "key": "",
        "label": "",
        "value": value.unwrap_or_default(),
        "conf": conf.map(|c| json!({ "key": c, "thai": c.thai() })),
    })
}

/// One pre-filled form.
fn form(i: usize, u: &IntakeUpload, digits: Digits) -> Value {
    // Dates as a clerk writes them (B.E.); the form reads them back.
    let date = |d: chrono::NaiveDate| format_date(d, DateStyle::Long, digits);
    let l = u.prefill.letter.as_ref();
    let c = &u.prefill.confidence;
    let urgency = l.and_then(|l| l.urgency).map(|u| {
        serde_json::to_value(u)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    });
    let secrecy = l.and_then(|l| l.secrecy).map(|s| {
        serde_json::to_value(s)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    });
    let refs: Vec<Value> = l
        .map(|l| l.references.iter().collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|r| json!({ "number": r.number.printed, "date": r.date.map(date) }))
        .collect();
    let row = |key: &str, label: &str, v: Value| {
        let mut v = v;
        v["key"] = json!(key);
        v["label"] = json!(label);
        v
    };
    let number = field(
        l.and_then(|l| l.number.as_ref()).map(|n| n.printed.clone()),
        c.number,
    );
    let dated = field(l.and_then(|l| l.date).map(date), c.date);
    let sender = field(l.and_then(|l| l.issuer.clone()), c.sender);
    let addressee = field(l.and_then(|l| l.to.clone()), c.addressee);
    let subject = field(l.and_then(|l| l.subject.clone()), c.subject);
    let deadline = field(
        l.and_then(|l| l.deadlines.first()).map(|d| date(d.date)),
        c.deadline,
    );
    let rows = vec![
        row("number", "ที่", number),
        row("date", "ลงวันที่", dated),
        row("sender", "จาก", sender),
        row("addressee", "ถึง (เรียน)", addressee),
        row("subject", "เรื่อง", subject),
        row("deadline", "กำหนดดำเนินการ", deadline),
    ];
    json!({
        "i": i,
        "rows": rows,
        "upload": u.upload,
        "name": u.name,
        "source": u.prefill.source,
        "pages": u.prefill.pages,
        "problem": u.prefill.problem,
        "duplicate": u.duplicate,
        "urgency": field(urgency, c.urgency),
        "secrecy": field(secrecy, c.secrecy),
        "references": refs,
        "references_conf": c.references.map(|c| json!({ "key": c, "thai": c.thai() })),
    })
}

/// Files up: the pre-filled forms, one per file, in one form.
async fn intake_upload(
    State(state): State<AppState>,
    UiUser(a): UiUser,
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
    let read = state.app.intake_prefill(&a.caller, &uploads).await;
    confirm_page(&state, &a, read).await
}

/// The pre-filled forms to confirm (files uploaded, or a message fetched
/// from the office's mailbox), or the upload step with the error.
pub(crate) async fn confirm_page(
    state: &AppState,
    a: &super::auth::Authed,
    read: crate::app::AppResult<Vec<IntakeUpload>>,
) -> Page {
    let mut c = context(a, "intake");
    match read {
        Ok(read) => {
            c.insert("step", "confirm");
            let digits = a.office().fields.digits;
            let forms: Vec<Value> = read
                .iter()
                .enumerate()
                .map(|(i, u)| form(i, u, digits))
                .collect();
            c.insert("forms", &forms);
            c.insert(
                "urgencies",
                &json!([
                    { "key": "urgent", "thai": "ด่วน" },
                    { "key": "very_urgent", "thai": "ด่วนมาก" },
                    { "key": "most_urgent", "thai": "ด่วนที่สุด" },
                ]),
            );
            c.insert(
                "secrecies",
                &json!([
                    { "key": "confidential", "thai": "ลับ" },
                    { "key": "secret", "thai": "ลับมาก" },
                ]),
            );
            Ok(render(state, "intake.html", &c))
        }
        Err(e) => {
            let e: ApiError = e.into();
            c.insert("step", "upload");
            c.insert("error", &json!({ "th": e.message_th, "en": e.message_en }));
            Ok(render_status(state, e.status, "intake.html", &c))
        }
    }
}

/// The confirmed forms: `n` letters, fields suffixed `_{i}`.
fn confirmations(form: &HashMap<String, String>) -> Vec<IntakeConfirm> {
    let n: usize = form
        .get("n")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
        .min(50);
    let get = |k: &str, i: usize| {
        form.get(&format!("{k}_{i}"))
            .cloned()
            .filter(|v| !v.trim().is_empty())
    };
    (0..n)
        .filter_map(|i| {
            let upload = get("upload", i)?.parse().ok()?;
            let references = (0..50)
                .map_while(|k| {
                    form.get(&format!("ref_{i}_{k}"))
                        .map(|number| ReferenceInput {
                            number: number.clone(),
                            date: form
                                .get(&format!("refdate_{i}_{k}"))
                                .cloned()
                                .filter(|v| !v.trim().is_empty()),
                        })
                })
                .collect();
            Some(IntakeConfirm {
                upload,
                number: get("number", i),
                date: get("date", i),
                sender: get("sender", i),
                addressee: get("addressee", i),
                subject: get("subject", i),
                urgency: get("urgency", i),
                secrecy: get("secrecy", i),
                references,
                deadline: get("deadline", i),
                confirm_duplicate: get("confirm_duplicate", i).is_some(),
            })
        })
        .collect()
}

async fn intake_register(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiForm(form): ApiForm<HashMap<String, String>>,
) -> Page {
    check_csrf(
        &state,
        &a,
        form.get("csrf").map(String::as_str).unwrap_or(""),
    )?;
    let items = confirmations(&form);
    let done = or_page(
        &state,
        &a,
        state.app.intake_register(&a.caller, &items).await,
    )?;
    if let [one] = done.as_slice() {
        return Ok(Redirect::to(&format!("/received/{}?new=1", one.id)).into_response());
    }
    let mut c = context(&a, "intake");
    c.insert("letters", &done);
    c.insert("new", &true);
    Ok(render(&state, "received.html", &c))
}

async fn received_page(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath(id): ApiPath<i64>,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> Page {
    let r = or_page(
        &state,
        &a,
        state.app.letter_from_outside(&a.caller, id).await,
    )?;
    let mut c = context(&a, "intake");
    c.insert("letters", &[r]);
    c.insert("new", &q.is_some_and(|q| q.contains("new=1")));
    Ok(render(&state, "received.html", &c))
}

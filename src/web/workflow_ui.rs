//! The pages of the office's inside work: งานของฉัน (my work), a received
//! letter's inside page (timeline, present, endorse, assign, the
//! assignee's actions) and a draft's check-and-sign page. Cards rather
//! than tables, so heads endorse and sign on a phone. Forms post to
//! `/inside/…` and come back to the page; the application layer decides.

// A failed page is a whole response (an error page or a redirect).
#![allow(clippy::result_large_err)]

use axum::Router;
use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::error::{ApiForm, ApiPath};
use super::ui::{Page, UiUser, check_csrf, context, or_page, render};
use crate::app::documents::Upload;
use crate::app::review::{ActingRequest, ReviewRequest, SettingsRequest, SubmitRequest};
use crate::app::workflow::{
    AssignRequest, CorrectRequest, EndorseRequest, NoteRequest, PresentRequest, ReassignRequest,
};
use crate::app::{Action, AppError, DeliveryId, DocumentId, WorkEvent};

/// The pages' templates, added to the UI's.
pub const TEMPLATES: [(&str, &str); 4] = [
    ("work.html", include_str!("../../templates/web/work.html")),
    (
        "workflow.html",
        include_str!("../../templates/web/workflow.html"),
    ),
    (
        "inside_letter.html",
        include_str!("../../templates/web/inside_letter.html"),
    ),
    (
        "inside_draft.html",
        include_str!("../../templates/web/inside_draft.html"),
    ),
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/work", get(work_page))
        .route("/inside/deliveries/{id}", get(letter_page))
        .route("/inside/deliveries/{id}/{step}", post(letter_step))
        .route("/inside/work/{item}/attach", post(attach))
        .route("/inside/work/{item}/{step}", post(work_step))
        .route("/inside/documents/{id}", get(draft_page))
        .route("/inside/documents/{id}/{step}", post(draft_step))
        .route("/settings/workflow", get(settings_page).post(save_settings))
        .route("/settings/workflow/acting", post(add_acting))
        .route(
            "/settings/workflow/acting/{user}/{id}/remove",
            post(remove_acting),
        )
}

/// What each timeline entry says, in Thai.
fn event_row(e: &WorkEvent) -> Value {
    let target = e.target_name.clone().unwrap_or_default();
    let what = match e.kind.as_str() {
        "present" => format!("เสนอ {target}"),
        "endorse" => "เกษียน".into(),
        "correct" => "แก้ไขคำเกษียน".into(),
        "assign" => format!("มอบหมาย {target}"),
        "comment" => "ความเห็น".into(),
        "attach" => "แนบไฟล์".into(),
        "reply" => "ร่างหนังสือตอบ".into(),
        "close" => "ดำเนินการแล้ว".into(),
        "send_back" => "ส่งเรื่องคืน".into(),
        "reassign" => format!("มอบต่อ {target}"),
        "submit" => format!("เสนอตรวจ/ลงนาม {target}"),
        "pass" => format!("ตรวจแล้ว ส่งต่อ {target}"),
        "return" => "ส่งกลับให้แก้ไข".into(),
        "sign" => "ลงนามแล้ว".into(),
        other => other.to_string(),
    };
    let mut v = json!(e);
    v["what"] = json!(what);
    v
}

async fn work_page(State(state): State<AppState>, UiUser(a): UiUser) -> Page {
    let work = or_page(&state, &a, state.app.my_work(&a.caller).await)?;
    let mut c = context(&a, "work");
    c.insert("work", &work);
    Ok(render(&state, "work.html", &c))
}

async fn letter_page(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath(id): ApiPath<i64>,
) -> Page {
    let view = or_page(
        &state,
        &a,
        state.app.delivery(&a.caller, DeliveryId(id)).await,
    )?;
    let work = or_page(
        &state,
        &a,
        state.app.letter_work(&a.caller, DeliveryId(id)).await,
    )?;
    let mut c = context(&a, "work");
    c.insert("heading", &view.heading);
    c.insert("from_office", &view.from_office);
    c.insert("delivery", &view.delivery);
    c.insert("received", &view.delivery.receive_entry.is_some());
    c.insert(
        "events",
        &work.events.iter().map(event_row).collect::<Vec<_>>(),
    );
    // Presenting is the first step: once the letter has been presented,
    // it moves on by endorsements and assignments.
    c.insert(
        "ever_presented",
        &work.events.iter().any(|e| e.kind == "present"),
    );
    c.insert("work", &work);
    c.insert(
        "can",
        &json!({
            "present": a.can(Action::Present),
            "endorse": a.can(Action::Endorse),
            "assign": a.can(Action::Assign),
        }),
    );
    Ok(render(&state, "inside_letter.html", &c))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StepForm {
    csrf: String,
    to: String,
    note: String,
    choice: String,
    then: String,
    unit: String,
    due: String,
    instruction: String,
    event: Option<i64>,
    decision: String,
    name: String,
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

async fn letter_step(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath((id, step)): ApiPath<(i64, String)>,
    ApiForm(f): ApiForm<StepForm>,
) -> Page {
    check_csrf(&state, &a, &f.csrf)?;
    let (app, c, id) = (&state.app, &a.caller, DeliveryId(id));
    let done: Result<(), AppError> = match step.as_str() {
        "present" => app
            .present(
                c,
                id,
                &PresentRequest {
                    to: opt(&f.to),
                    note: opt(&f.note),
                },
            )
            .await
            .map(|_| ()),
        "endorse" => app
            .endorse(
                c,
                id,
                &EndorseRequest {
                    choice: opt(&f.choice),
                    note: opt(&f.note),
                    then: opt(&f.then),
                    to: opt(&f.to),
                },
            )
            .await
            .map(|_| ()),
        "correct" => app
            .correct_endorsement(
                c,
                id,
                &CorrectRequest {
                    event: f.event.unwrap_or_default(),
                    note: f.note.clone(),
                },
            )
            .await
            .map(|_| ()),
        "assign" => app
            .assign(
                c,
                id,
                &AssignRequest {
                    to: vec![f.to.clone()],
                    unit: opt(&f.unit),
                    due: opt(&f.due),
                    instruction: opt(&f.instruction),
                },
            )
            .await
            .map(|_| ()),
        _ => Err(AppError::not_found()),
    };
    or_page(&state, &a, done)?;
    Ok(Redirect::to(&format!("/inside/deliveries/{}", id.0)).into_response())
}

async fn work_step(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath((item, step)): ApiPath<(i64, String)>,
    ApiForm(f): ApiForm<StepForm>,
) -> Page {
    check_csrf(&state, &a, &f.csrf)?;
    let (app, c) = (&state.app, &a.caller);
    let note = NoteRequest {
        note: f.note.clone(),
    };
    let back = |d: Option<i64>| match d {
        Some(d) => format!("/inside/deliveries/{d}"),
        None => "/work".to_string(),
    };
    let to: Result<String, AppError> = match step.as_str() {
        "comment" => app
            .comment(c, item, &note)
            .await
            .map(|e| back(e.delivery_id)),
        "close" => app
            .close_work(c, item, &note)
            .await
            .map(|i| back(i.delivery_id)),
        "send-back" => app.send_back(c, item, &note).await.map(|_| "/work".into()),
        "reassign" => app
            .reassign(
                c,
                item,
                &ReassignRequest {
                    to: f.to.clone(),
                    note: opt(&f.note),
                },
            )
            .await
            .map(|_| "/work".into()),
        "reply" => app
            .draft_reply(c, item, None)
            .await
            .map(|d| format!("/documents/{}/edit", d.id)),
        _ => Err(AppError::not_found()),
    };
    let to = or_page(&state, &a, to)?;
    Ok(Redirect::to(&to).into_response())
}

/// A file for an assignment, from a multipart form.
async fn attach(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath(item): ApiPath<i64>,
    mut form: Multipart,
) -> Page {
    let mut csrf = String::new();
    let mut name = String::new();
    let mut bytes = Vec::new();
    while let Ok(Some(field)) = form.next_field().await {
        match field.name() {
            Some("csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("file") => {
                name = field.file_name().unwrap_or("ไฟล์").to_string();
                bytes = field.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
            }
            _ => {}
        }
    }
    check_csrf(&state, &a, &csrf)?;
    let file = Upload {
        name: &name,
        bytes: &bytes,
    };
    or_page(
        &state,
        &a,
        state.app.attach_to_work(&a.caller, item, file).await,
    )?;
    Ok(Redirect::to("/work").into_response())
}

async fn draft_page(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath(id): ApiPath<i64>,
) -> Page {
    let d = or_page(
        &state,
        &a,
        state.app.document(&a.caller, DocumentId(id)).await,
    )?;
    let review = or_page(
        &state,
        &a,
        state.app.draft_review(&a.caller, DocumentId(id)).await,
    )?;
    let mut c = context(&a, "work");
    c.insert(
        "doc",
        &json!({ "id": d.id, "subject": d.subject, "state": d.state, "state_th": d.state.thai(),
                 "number": d.number, "recipient": d.content.recipient() }),
    );
    c.insert(
        "events",
        &review.events.iter().map(event_row).collect::<Vec<_>>(),
    );
    c.insert("review", &review);
    let draft = d.state == crate::app::DocState::Draft;
    let open = review.items.iter().any(|i| {
        i.status == crate::app::ItemStatus::Open && i.kind != crate::app::ItemKind::Revise
    });
    c.insert("can_submit", &(draft && !open && a.can(Action::Draft)));
    Ok(render(&state, "inside_draft.html", &c))
}

async fn draft_step(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath((id, step)): ApiPath<(i64, String)>,
    ApiForm(f): ApiForm<StepForm>,
) -> Page {
    check_csrf(&state, &a, &f.csrf)?;
    let (app, c, doc) = (&state.app, &a.caller, DocumentId(id));
    let review = ReviewRequest {
        decision: f.decision.clone(),
        note: opt(&f.note),
        name: opt(&f.name),
    };
    let done: Result<(), AppError> = match step.as_str() {
        "submit" => app
            .submit_draft(
                c,
                doc,
                &SubmitRequest {
                    checkers: f
                        .to
                        .split(',')
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(str::to_string)
                        .collect(),
                    signer: opt(&f.name),
                    note: opt(&f.note),
                },
            )
            .await
            .map(|_| ()),
        "check" => app.check_draft(c, doc, &review).await.map(|_| ()),
        "sign" => app.sign_draft(c, doc, &review).await.map(|_| ()),
        _ => Err(AppError::not_found()),
    };
    or_page(&state, &a, done)?;
    Ok(Redirect::to(&format!("/inside/documents/{id}")).into_response())
}

/// The settings page, with what was just saved or refused.
async fn settings_view(
    state: &AppState,
    a: &super::auth::Authed,
    saved: bool,
    error: Option<AppError>,
) -> Page {
    let view = or_page(state, a, state.app.workflow_overview(&a.caller).await)?;
    let name_of = |id: i64| {
        view.people
            .iter()
            .find(|p| p.user.id == id)
            .map(|p| p.user.username.clone())
            .unwrap_or_else(|| format!("#{id}"))
    };
    let names = |ids: &[i64]| {
        ids.iter()
            .map(|i| name_of(*i))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut c = context(a, "workflow");
    c.insert("chain", &names(&view.settings.chain));
    c.insert("checkers", &names(&view.settings.checkers));
    c.insert(
        "signer",
        &view.settings.signer_id.map(name_of).unwrap_or_default(),
    );
    c.insert("settings", &view.settings);
    c.insert("people", &view.people);
    c.insert("saved", &saved);
    let status = match &error {
        Some(e) => super::error::ApiError::from(e.clone()).status,
        None => axum::http::StatusCode::OK,
    };
    c.insert("error", &error.map(|e| e.message_th));
    Ok(super::ui::render_status(state, status, "workflow.html", &c))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SavedQuery {
    saved: Option<String>,
}

async fn settings_page(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    axum::extract::Query(q): axum::extract::Query<SavedQuery>,
) -> Page {
    settings_view(&state, &a, q.saved.is_some(), None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SettingsForm {
    csrf: String,
    chain: String,
    check_tiers: i64,
    checkers: String,
    signer: String,
    require_signing: Option<String>,
}

fn names(list: &str) -> Vec<String> {
    list.split([',', '\n'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

async fn save_settings(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiForm(f): ApiForm<SettingsForm>,
) -> Page {
    check_csrf(&state, &a, &f.csrf)?;
    let req = SettingsRequest {
        check_tiers: f.check_tiers,
        require_signing: f.require_signing.is_some(),
        chain: names(&f.chain),
        checkers: names(&f.checkers),
        signer: opt(&f.signer),
    };
    match state.app.set_workflow(&a.caller, &req).await {
        Ok(_) => Ok(Redirect::to("/settings/workflow?saved=1").into_response()),
        Err(e) if e.kind == crate::app::Kind::Invalid => {
            settings_view(&state, &a, false, Some(e)).await
        }
        Err(e) => or_page(&state, &a, Err(e)),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ActingForm {
    csrf: String,
    user: String,
    kind: String,
    position: String,
    for_position: String,
    from: String,
    to: String,
}

async fn add_acting(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiForm(f): ApiForm<ActingForm>,
) -> Page {
    check_csrf(&state, &a, &f.csrf)?;
    let req = ActingRequest {
        user: f.user,
        kind: f.kind,
        position: f.position,
        for_position: f.for_position,
        from: f.from,
        to: f.to,
    };
    match state.app.add_acting(&a.caller, &req).await {
        Ok(_) => Ok(Redirect::to("/settings/workflow?saved=1").into_response()),
        Err(e) if e.kind == crate::app::Kind::Invalid => {
            settings_view(&state, &a, false, Some(e)).await
        }
        Err(e) => or_page(&state, &a, Err(e)),
    }
}

async fn remove_acting(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath((user, id)): ApiPath<(i64, i64)>,
    ApiForm(f): ApiForm<StepForm>,
) -> Page {
    check_csrf(&state, &a, &f.csrf)?;
    or_page(
        &state,
        &a,
        state
            .app
            .remove_acting(&a.caller, &format!("#{user}"), id)
            .await,
    )?;
    Ok(Redirect::to("/settings/workflow?saved=1").into_response())
}

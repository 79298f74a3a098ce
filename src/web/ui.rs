//! The Thai web UI: Tera templates rendered on the server (embedded from
//! `templates/web/`), plain HTML forms with CSRF tokens, and a little
//! JavaScript for the live preview and confirmations. Logic stays in Rust
//! (the application layer does the work; these handlers choose the page);
//! templates only
//! print, with three filters: `num` (the office's digits), `bedate` (ISO
//! date → B.E.) and `bestamp` (stored instant → Bangkok date and time).

// A failed page is a whole response (an error page or a redirect);
// boxing it would only add noise to every handler.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;

use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tera::{Context, Tera};

use super::AppState;
use super::api;
use super::auth::{self, Authed};
use super::compose_forms::ComposeForm;
use super::compose_ui;
use super::error::{ApiError, ApiForm, ApiPath, ApiQuery};
use super::forms::LetterForm;
use crate::app::accounts::NewUserRequest;
use crate::app::deliveries::{DispatchRequest, ForwardRequest, Step};
use crate::app::documents::{NumberRequest, SearchParams};
use crate::app::official::Listed;
use crate::app::registers::register_kind;
use crate::app::{Action, DeliveryId, DeliveryState, DocState, DocumentId, Role, Stored, bangkok};
use crate::thai::{DateStyle, Digits, format_date};

const TEMPLATES: [(&str, &str); 22] = [
    (
        "compose_annexes.html",
        include_str!("../../templates/web/compose_annexes.html"),
    ),
    (
        "intake.html",
        include_str!("../../templates/web/intake.html"),
    ),
    (
        "mail_settings.html",
        include_str!("../../templates/web/mail_settings.html"),
    ),
    (
        "received.html",
        include_str!("../../templates/web/received.html"),
    ),
    (
        "macros.html",
        include_str!("../../templates/web/macros.html"),
    ),
    ("base.html", include_str!("../../templates/web/base.html")),
    ("login.html", include_str!("../../templates/web/login.html")),
    (
        "password.html",
        include_str!("../../templates/web/password.html"),
    ),
    ("inbox.html", include_str!("../../templates/web/inbox.html")),
    (
        "delivery.html",
        include_str!("../../templates/web/delivery.html"),
    ),
    (
        "documents.html",
        include_str!("../../templates/web/documents.html"),
    ),
    (
        "document.html",
        include_str!("../../templates/web/document.html"),
    ),
    (
        "compose.html",
        include_str!("../../templates/web/compose.html"),
    ),
    (
        "number.html",
        include_str!("../../templates/web/number.html"),
    ),
    (
        "tracking.html",
        include_str!("../../templates/web/tracking.html"),
    ),
    (
        "thread.html",
        include_str!("../../templates/web/thread.html"),
    ),
    (
        "registers.html",
        include_str!("../../templates/web/registers.html"),
    ),
    (
        "search.html",
        include_str!("../../templates/web/search.html"),
    ),
    (
        "offices.html",
        include_str!("../../templates/web/offices.html"),
    ),
    ("users.html", include_str!("../../templates/web/users.html")),
    (
        "message.html",
        include_str!("../../templates/web/message.html"),
    ),
    (
        "verify.html",
        include_str!("../../templates/web/verify.html"),
    ),
];

const CSS: &str = include_str!("../../templates/web/static/app.css");
const JS: &str = include_str!("../../templates/web/static/app.js");

fn digits_arg(args: &HashMap<String, Value>) -> Digits {
    match args.get("d").and_then(Value::as_str) {
        Some("arabic") => Digits::Arabic,
        _ => Digits::Thai,
    }
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The templates, with the filters.
pub fn templates() -> anyhow::Result<Tera> {
    let mut tera = Tera::default();
    tera.add_raw_templates(TEMPLATES)?;
    tera.add_raw_templates(super::workflow_ui::TEMPLATES)?;
    tera.autoescape_on(vec![".html"]);
    tera.register_filter("num", |v: &Value, args: &HashMap<String, Value>| {
        Ok(Value::String(digits_arg(args).apply(&text_of(v))))
    });
    tera.register_filter("bedate", |v: &Value, args: &HashMap<String, Value>| {
        let text = text_of(v);
        let style = match args.get("style").and_then(Value::as_str) {
            Some("long") => DateStyle::Long,
            _ => DateStyle::Short,
        };
        Ok(Value::String(match text.parse::<NaiveDate>() {
            Ok(d) => format_date(d, style, digits_arg(args)),
            Err(_) => text,
        }))
    });
    tera.register_filter("bestamp", |v: &Value, args: &HashMap<String, Value>| {
        let text = text_of(v);
        Ok(Value::String(match DateTime::parse_from_rfc3339(&text) {
            Ok(t) => {
                let local = t.with_timezone(&bangkok());
                let d = digits_arg(args);
                format!(
                    "{} {}",
                    format_date(local.date_naive(), DateStyle::Short, d),
                    d.apply(&local.format("%H.%M น.").to_string())
                )
            }
            Err(_) => text,
        }))
    });
    Ok(tera)
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/static/app.css",
            get(|| async { ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS) }),
        )
        .route(
            "/static/app.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                    JS,
                )
            }),
        )
        .route("/static/laksaman.ttf", get(|| async { font(0) }))
        .route("/static/laksaman-bold.ttf", get(|| async { font(1) }))
        .route("/", get(inbox_page))
        .route("/deliveries/{id}", get(delivery_page))
        .route("/deliveries/{id}/{action}", post(delivery_action))
        .route("/documents", get(documents_page).post(create_document))
        .route("/documents/new", get(compose_page))
        .route("/documents/{id}", get(document_page))
        .route("/documents/{id}/edit", get(edit_page).post(update_document))
        .route(
            "/documents/{id}/number",
            get(number_page).post(number_document),
        )
        .route("/documents/{id}/dispatch", post(dispatch_document))
        .route("/documents/{id}/cancel", post(cancel_document))
        .route("/documents/{id}/replace", post(replace_document))
        .route("/documents/{id}/tracking", get(tracking_page))
        .route("/documents/{id}/thread", get(thread_page))
        .route("/ui/preview", post(preview))
        .route("/ui/lint", post(lint_draft))
        .route("/registers", get(registers_page))
        .route("/search", get(search_page))
        .route("/offices", get(offices_page))
        .route("/offices/{id}/certificate", post(install_certificate))
        .route("/users", get(users_page).post(add_user))
        .merge(super::workflow_ui::routes())
        .merge(compose_ui::routes())
}

fn font(index: usize) -> Response {
    (
        [
            (header::CONTENT_TYPE, "font/ttf"),
            (header::CACHE_CONTROL, "public, max-age=604800"),
        ],
        crate::render::fonts::EMBEDDED[index],
    )
        .into_response()
}

/// A page's user: like `Authed`, but without credentials the browser is
/// sent to the login page, and with a one-time password to change it.
pub struct UiUser(pub Authed);

impl FromRequestParts<AppState> for UiUser {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match auth::identify(state, &parts.headers).await {
            Ok(Some(a))
                if a.user.must_change && !matches!(parts.uri.path(), "/password" | "/logout") =>
            {
                Err(Redirect::to("/password").into_response())
            }
            Ok(Some(mut a)) => {
                a.counts = state.app.work_counts(&a.caller).await.ok();
                Ok(UiUser(a))
            }
            Ok(None) => Err(Redirect::to("/login").into_response()),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// What every page's template gets.
pub(crate) fn context(a: &Authed, nav: &str) -> Context {
    let mut c = Context::new();
    c.insert("me", &a.user);
    c.insert("role_th", a.user.role.thai());
    c.insert("office", a.office());
    c.insert("csrf", a.csrf.as_deref().unwrap_or(""));
    c.insert("nav", nav);
    c.insert(
        "digits",
        match a.office().fields.digits {
            Digits::Thai => "thai",
            Digits::Arabic => "arabic",
        },
    );
    c.insert("may", &may_table(a));
    c.insert("counts", &a.counts);
    c
}

#[derive(Serialize)]
struct May {
    draft: bool,
    number: bool,
    cancel: bool,
    dispatch: bool,
    inbox: bool,
    users: bool,
    workflow: bool,
}

fn may_table(a: &Authed) -> May {
    May {
        draft: a.can(Action::Draft),
        number: a.can(Action::Number),
        cancel: a.can(Action::Cancel),
        dispatch: a.can(Action::Dispatch),
        inbox: a.can(Action::HandleInbox),
        users: a.can(Action::ManageUsers),
        workflow: a.can(Action::ManageWorkflow),
    }
}

/// What a page without a logged-in user gets (login, the public pages).
pub(crate) fn plain_context() -> Context {
    let mut c = Context::new();
    c.insert("nav", "");
    c.insert("digits", "thai");
    c
}

pub(crate) fn render(state: &AppState, name: &str, c: &Context) -> Response {
    render_status(state, StatusCode::OK, name, c)
}

pub(crate) fn render_status(
    state: &AppState,
    status: StatusCode,
    name: &str,
    c: &Context,
) -> Response {
    match state.templates.render(name, c) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(template = name, error = ?e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

/// An error as a page: the Thai message (and the English beneath), with
/// the error's status.
pub(super) fn error_page(state: &AppState, a: &Authed, e: ApiError) -> Response {
    let mut c = context(a, "");
    c.insert("title", "ทำรายการไม่สำเร็จ");
    c.insert("message_th", &e.message_th);
    c.insert("message_en", &e.message_en);
    c.insert("code", e.code);
    render_status(state, e.status, "message.html", &c)
}

pub(crate) type Page = Result<Response, Response>;

pub(crate) fn or_page<T, E: Into<ApiError>>(
    state: &AppState,
    a: &Authed,
    r: Result<T, E>,
) -> Result<T, Response> {
    r.map_err(|e| error_page(state, a, e.into()))
}

pub(crate) fn check_csrf(state: &AppState, a: &Authed, given: &str) -> Result<(), Response> {
    or_page(state, a, a.check_csrf(given))
}

// ---------------------------------------------------------------- inbox

async fn inbox_page(State(state): State<AppState>, UiUser(a): UiUser) -> Page {
    let items = or_page(&state, &a, state.app.inbox(&a.caller, false, 200).await)?;
    let mut c = context(&a, "inbox");
    c.insert("items", &items);
    c.insert(
        "pending",
        &items.iter().filter(|i| !i.delivery.state.acted()).count(),
    );
    c.insert("overdue", &items.iter().filter(|i| i.overdue).count());
    Ok(render(&state, "inbox.html", &c))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CoverParams {
    cover: Option<i64>,
}

async fn delivery_page(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<CoverParams>,
) -> Page {
    let view = or_page(
        &state,
        &a,
        state.app.delivery(&a.caller, DeliveryId(id)).await,
    )?;
    let d = &view.delivery;
    let mut c = context(&a, "inbox");
    c.insert("delivery", d);
    c.insert("state_th", d.state.thai());
    c.insert("heading", &view.heading);
    c.insert("reader", &view.reader);
    c.insert("from_office", &view.from_office);
    c.insert("attachments", &view.attachments);
    c.insert("chain", &view.chain);
    c.insert("overdue", &view.overdue);
    c.insert("receive", &view.receive);
    c.insert("acted", &d.state.acted());
    c.insert("received", &(d.state == DeliveryState::Received));
    if let Some(cover) = p.cover {
        let cover = or_page(
            &state,
            &a,
            state.app.own_document(&a.caller, DocumentId(cover)).await,
        )?;
        c.insert("cover", &row(&cover));
    }
    if let Some(fwd) = d.forward_id {
        c.insert("forwarded_with", &fwd);
    }
    let mail = super::mail_ui::mail_map(&state, &a, &[d.id]).await;
    c.insert("mail", &mail.get(d.id.to_string()));
    Ok(render(&state, "delivery.html", &c))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DeliveryForm {
    csrf: String,
    reason: String,
    to: String,
    cover: Option<i64>,
    by_email: Option<String>,
}

async fn delivery_action(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath((id, action)): ApiPath<(i64, String)>,
    ApiForm(f): ApiForm<DeliveryForm>,
) -> Page {
    check_csrf(&state, &a, &f.csrf)?;
    let here = format!("/deliveries/{id}");
    let (app, caller, id) = (&state.app, &a.caller, DeliveryId(id));
    let step = |step| app.inbox_step(caller, id, step);
    let done = match action.as_str() {
        "receive" => step(Step::Receive).await.map(|_| here),
        "acknowledge" => step(Step::Acknowledge).await.map(|_| here),
        "return" => step(Step::Return(&f.reason)).await.map(|_| here),
        "resend-email" => app.resend_mail(caller, id).await.map(|_| here),
        "cover" => app
            .draft_cover(caller, id, Some(&f.to))
            .await
            .map(|cover| format!("/documents/{}/edit?forward={id}", cover.id)),
        "forward" => app
            .forward(
                caller,
                id,
                &ForwardRequest {
                    to: Some(f.to.clone()),
                    cover: f.cover,
                    by_email: f.by_email.is_some(),
                },
            )
            .await
            .map(|fw| format!("/documents/{}", fw.cover.id)),
        _ => Err(crate::app::AppError::not_found()),
    };
    Ok(Redirect::to(&or_page(&state, &a, done)?).into_response())
}

// ---------------------------------------------------------------- documents

async fn documents_page(State(state): State<AppState>, UiUser(a): UiUser) -> Page {
    let params = SearchParams {
        own: Some(true),
        limit: Some(200),
        ..SearchParams::default()
    };
    let docs = or_page(
        &state,
        &a,
        state.app.search_listed(&a.caller, &params).await,
    )?;
    let mut c = context(&a, "documents");
    c.insert("docs", &docs.iter().map(listed_row).collect::<Vec<_>>());
    Ok(render(&state, "documents.html", &c))
}

/// A document as list rows show it.
fn row(d: &Stored) -> Value {
    let mut v = api::summary(d);
    v["state_th"] = json!(d.state.thai());
    v["urgency_th"] = json!(d.content.urgency().map(|u| u.thai()));
    v["secrecy_th"] = json!(d.content.secrecy().map(|s| s.thai()));
    v
}

/// A listed document's row: with the letter that replaced it.
fn listed_row(l: &Listed) -> Value {
    let mut v = row(&l.doc);
    v["superseded_by"] = api::listed(l)["superseded_by"].clone();
    v["delivery_id"] = json!(l.delivery_id);
    v
}

pub(crate) fn compose_context(a: &Authed, form: &LetterForm, error: Option<&ApiError>) -> Context {
    let mut c = context(a, "compose");
    c.insert("form", form);
    c.insert("error", &error.map(|e| e.message_th.clone()));
    c.insert("error_field", &error.and_then(|e| e.field.clone()));
    c.insert("doc_id", &None::<i64>);
    c.insert("forward", &None::<i64>);
    c.insert("linted", &false);
    c.insert("findings", &Vec::<Value>::new());
    c
}

async fn compose_page(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiQuery(q): ApiQuery<compose_ui::StartParams>,
) -> Page {
    if !a.can(Action::Draft) {
        return Err(error_page(&state, &a, ApiError::forbidden()));
    }
    let form = compose_ui::starting_form(&state, &a, &q).await?;
    let mut c = compose_context(&a, &form, None);
    c.insert("action", "/documents");
    compose_ui::lists(&state, &a, &mut c).await;
    Ok(render(&state, "compose.html", &c))
}

async fn create_document(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ComposeForm(f): ComposeForm,
) -> Page {
    check_csrf(&state, &a, &f.csrf)?;
    if !f.op.is_empty() {
        return Ok(compose_ui::edited(&state, &a, f).await);
    }
    let readers: Vec<String> = f.readers.split(',').map(|s| s.trim().to_string()).collect();
    let agency = or_page(&state, &a, state.app.agency(&a.caller).await)?;
    let made = match f.to_document(a.office(), &agency, a.today()) {
        Ok(doc) => state
            .app
            .create_draft(&a.caller, &doc, &readers)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match made {
        Ok(d) => Ok(Redirect::to(&format!("/documents/{}", d.id)).into_response()),
        Err(e) => {
            let status = e.status;
            let mut c = compose_context(&a, &f, Some(&e));
            c.insert("action", "/documents");
            compose_ui::lists(&state, &a, &mut c).await;
            Err(render_status(&state, status, "compose.html", &c))
        }
    }
}

async fn document_page(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath(id): ApiPath<i64>,
) -> Page {
    let d = or_page(
        &state,
        &a,
        state.app.document(&a.caller, DocumentId(id)).await,
    )?;
    let mine = d.office_id == a.office().id;
    let mut c = context(&a, "documents");
    c.insert("doc", &row(&d));
    c.insert("mine", &mine);
    c.insert("draft", &(d.state == DocState::Draft));
    c.insert("numbered", &(d.state == DocState::Numbered));
    c.insert("sent", &(d.state == DocState::Sent));
    c.insert(
        "editable",
        &(mine && d.state == DocState::Draft && LetterForm::from_document(&d.content).is_some()),
    );
    let (_, children) = or_page(
        &state,
        &a,
        state
            .app
            .office_children(&a.caller, Some(a.office().id))
            .await,
    )?;
    c.insert("children", &children);
    let attachments = or_page(
        &state,
        &a,
        state.app.attachments(&a.caller, DocumentId(id)).await,
    )?;
    c.insert("attachments", &attachments);
    let official = or_page(
        &state,
        &a,
        state.app.official_info(&a.caller, DocumentId(id)).await,
    )?;
    c.insert("verify_code", &official.code);
    // A reply form to design, and a reminder's offices to send it to.
    if mine {
        let form = state.app.reply_form(&a.caller, DocumentId(id)).await;
        c.insert("reply_form", &matches!(form, Ok(Some(_))));
        let remind = state.app.reminder_offices(&a.caller, DocumentId(id)).await;
        c.insert("reminder_to", &remind.unwrap_or_default().join(", "));
    }
    c.insert("replaces", &official.replaces.as_ref().map(row));
    c.insert("superseded_by", &official.superseded_by.as_ref().map(row));
    Ok(render(&state, "document.html", &c))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct EditParams {
    forward: Option<i64>,
}

async fn edit_page(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<EditParams>,
) -> Page {
    if !a.can(Action::Draft) {
        return Err(error_page(&state, &a, ApiError::forbidden()));
    }
    let d = or_page(
        &state,
        &a,
        state.app.own_document(&a.caller, DocumentId(id)).await,
    )?;
    let Some(form) = LetterForm::from_document(&d.content) else {
        return Err(error_page(
            &state,
            &a,
            ApiError::invalid(
                "kind",
                "หนังสือชนิดนี้แก้ไขผ่าน API",
                "edit this kind through the API",
            ),
        ));
    };
    let mut c = compose_context(&a, &form, None);
    c.insert("action", &format!("/documents/{id}/edit"));
    c.insert("doc_id", &id);
    c.insert("forward", &p.forward);
    compose_ui::lists(&state, &a, &mut c).await;
    Ok(render(&state, "compose.html", &c))
}

async fn update_document(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<EditParams>,
    ComposeForm(f): ComposeForm,
) -> Page {
    check_csrf(&state, &a, &f.csrf)?;
    if !f.op.is_empty() {
        let mut f = f;
        f.doc_id = Some(id);
        return Ok(compose_ui::edited(&state, &a, f).await);
    }
    let d = or_page(
        &state,
        &a,
        state.app.own_document(&a.caller, DocumentId(id)).await,
    )?;
    let agency = or_page(&state, &a, state.app.agency(&a.caller).await)?;
    let saved = match f.merge_into(&d.content, a.office(), &agency, a.today()) {
        Ok(doc) => state
            .app
            .update_draft(&a.caller, DocumentId(id), &doc)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => Ok(Redirect::to(&match p.forward {
            Some(delivery) => format!("/deliveries/{delivery}?cover={id}"),
            None => format!("/documents/{id}"),
        })
        .into_response()),
        Err(e) => {
            let status = e.status;
            let mut c = compose_context(&a, &f, Some(&e));
            c.insert("action", &format!("/documents/{id}/edit"));
            c.insert("doc_id", &id);
            c.insert("forward", &p.forward);
            compose_ui::lists(&state, &a, &mut c).await;
            Err(render_status(&state, status, "compose.html", &c))
        }
    }
}

/// The confirmation before numbering: which number it will take.
async fn number_page(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath(id): ApiPath<i64>,
) -> Page {
    let (d, options) = or_page(
        &state,
        &a,
        state.app.number_options(&a.caller, DocumentId(id)).await,
    )?;
    let options: Vec<Value> = options
        .into_iter()
        .map(|(s, next, default)| {
            json!({ "key": s.key(), "thai": s.thai(), "next": next, "default": default })
        })
        .collect();
    let mut c = context(&a, "documents");
    c.insert("doc", &row(&d));
    c.insert("options", &options);
    c.insert("today", &a.today());
    Ok(render(&state, "number.html", &c))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NumberForm {
    csrf: String,
    series: String,
    confirm: String,
    /// The letter's date; empty for the day it is numbered.
    #[serde(default)]
    date: String,
}

async fn number_document(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath(id): ApiPath<i64>,
    ApiForm(f): ApiForm<NumberForm>,
) -> Page {
    check_csrf(&state, &a, &f.csrf)?;
    if f.confirm != "yes" {
        return Err(error_page(
            &state,
            &a,
            ApiError::invalid(
                "confirm",
                "กรุณายืนยันการออกเลขก่อน",
                "confirm the numbering first",
            ),
        ));
    }
    let body = NumberRequest {
        series: Some(f.series),
        to: None,
        date: Some(f.date).filter(|d| !d.trim().is_empty()),
    };
    or_page(
        &state,
        &a,
        state.app.number(&a.caller, DocumentId(id), &body).await,
    )?;
    Ok(Redirect::to(&format!("/documents/{id}")).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DispatchForm {
    csrf: String,
    group: String,
    /// Offices ticked one by one (`#id`), joined to the group.
    offices: Vec<String>,
    /// Offices typed by code or name, comma-separated.
    to: String,
    deadline: String,
    /// "ส่งทางอีเมลด้วย" ticked.
    by_email: Option<String>,
}

async fn dispatch_document(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath(id): ApiPath<i64>,
    body: axum::body::Bytes,
) -> Page {
    // Repeated `offices` fields: read the pairs ourselves.
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let mut f = DispatchForm::default();
    for (k, v) in pairs {
        match k.as_str() {
            "csrf" => f.csrf = v,
            "group" => f.group = v,
            "offices" => f.offices.push(v),
            "to" => f.to = v,
            "deadline" => f.deadline = v,
            "by_email" => f.by_email = Some(v),
            _ => {}
        }
    }
    check_csrf(&state, &a, &f.csrf)?;
    let mut to: Vec<String> = f.offices.clone();
    if !f.group.is_empty() {
        to.push(f.group.clone());
    }
    if !f.to.trim().is_empty() {
        to.push(f.to.clone());
    }
    let body = DispatchRequest {
        to: to.join(","),
        deadline: Some(f.deadline),
        by_email: f.by_email.is_some(),
    };
    or_page(
        &state,
        &a,
        state.app.dispatch(&a.caller, DocumentId(id), &body).await,
    )?;
    Ok(Redirect::to(&format!("/documents/{id}/tracking")).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReasonForm {
    csrf: String,
    reason: String,
}

async fn cancel_document(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath(id): ApiPath<i64>,
    ApiForm(f): ApiForm<ReasonForm>,
) -> Page {
    check_csrf(&state, &a, &f.csrf)?;
    or_page(
        &state,
        &a,
        state.app.cancel(&a.caller, DocumentId(id), &f.reason).await,
    )?;
    Ok(Redirect::to(&format!("/documents/{id}")).into_response())
}

/// Starts a replacement (ฉบับแทนที่) and opens it for editing.
async fn replace_document(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath(id): ApiPath<i64>,
    ApiForm(f): ApiForm<CsrfOnly>,
) -> Page {
    check_csrf(&state, &a, &f.csrf)?;
    let draft = or_page(
        &state,
        &a,
        state.app.replace(&a.caller, DocumentId(id)).await,
    )?;
    Ok(Redirect::to(&format!("/documents/{}", draft.id)).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CsrfOnly {
    csrf: String,
}

async fn tracking_page(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath(id): ApiPath<i64>,
) -> Page {
    let t = or_page(
        &state,
        &a,
        state.app.tracking(&a.caller, DocumentId(id)).await,
    )?;
    let mut c = context(&a, "documents");
    c.insert("doc", &row(&t.root));
    // The issuing office's reply-form exports and reminders.
    let mine = t.root.office_id == a.office().id;
    let reply_form = mine
        && matches!(
            state.app.reply_form(&a.caller, DocumentId(t.root.id)).await,
            Ok(Some(_))
        );
    c.insert("mine", &mine);
    c.insert("reply_form", &reply_form);
    c.insert("t", &t);
    c.insert("mail", &super::mail_ui::tracking_mail(&state, &a, &t).await);
    Ok(render(&state, "tracking.html", &c))
}

async fn thread_page(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath(id): ApiPath<i64>,
) -> Page {
    let (d, thread) = or_page(
        &state,
        &a,
        state.app.thread(&a.caller, DocumentId(id)).await,
    )?;
    let mut c = context(&a, "documents");
    c.insert("doc", &row(&d));
    c.insert("thread", &thread);
    Ok(render(&state, "thread.html", &c))
}

/// Where a finding's field is on the compose form, in Thai.
fn field_label(field: &str) -> String {
    let path = field.strip_prefix("main.").unwrap_or(field);
    let index = |p: &str| -> Option<usize> {
        p.split_once('[')
            .and_then(|(_, r)| r.split(']').next())
            .and_then(|n| n.parse().ok())
    };
    let number = |n: usize| crate::thai::to_thai_digits(&(n + 1).to_string());
    if path.starts_with("body") {
        return index(path).map_or("ข้อความ".into(), |i| {
            format!("ข้อความ ย่อหน้าที่ {}", number(i))
        });
    }
    if path.starts_with("enclosures") {
        return index(path).map_or(
            "สิ่งที่ส่งมาด้วย".into(),
            |i| format!("สิ่งที่ส่งมาด้วย รายการที่ {}", number(i)),
        );
    }
    match path.split(['.', '[']).next().unwrap_or("") {
        "subject" => "เรื่อง".into(),
        "to" => "เรียน".into(),
        "date" => "ลงวันที่".into(),
        "number" => "เลขที่".into(),
        "closing" => "คำลงท้าย".into(),
        "signer" => "ผู้ลงนาม".into(),
        "issuer" => "ส่วนราชการเจ้าของหนังสือ".into(),
        "contact" => "ส่วนราชการเจ้าของเรื่อง".into(),
        "references" => "อ้างถึง".into(),
        _ => field.to_string(),
    }
}

/// `ตรวจทาน` on the compose page: the form's fields → the page again, the
/// findings listed beside the form (nothing is saved).
async fn lint_draft(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ComposeForm(f): ComposeForm,
) -> Page {
    check_csrf(&state, &a, &f.csrf)?;
    let made = form_document(&state, &a, &f).await;
    let action = match f.doc_id {
        Some(id) => format!("/documents/{id}/edit"),
        None => "/documents".to_string(),
    };
    let checked = match made {
        Ok(doc) => state
            .app
            .lint(&a.caller, &doc)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    let mut c = match &checked {
        Ok(_) => compose_context(&a, &f, None),
        Err(e) => compose_context(&a, &f, Some(e)),
    };
    c.insert("action", &action);
    c.insert("doc_id", &f.doc_id);
    let findings: Vec<Value> = checked
        .as_deref()
        .unwrap_or_default()
        .iter()
        .map(|x| {
            json!({
                "code": x.code.key(),
                "error": x.severity == crate::lint::Severity::Error,
                "where": field_label(&x.field),
                "text": x.text,
                "thai": x.thai,
            })
        })
        .collect();
    c.insert("linted", &checked.is_ok());
    c.insert("findings", &findings);
    compose_ui::lists(&state, &a, &mut c).await;
    Ok(render(&state, "compose.html", &c))
}

/// The document the compose form describes: a new one, or the stored
/// draft `doc_id` with the form's fields merged in.
pub(crate) async fn form_document(
    state: &AppState,
    a: &Authed,
    f: &LetterForm,
) -> Result<crate::model::Document, ApiError> {
    let agency = state.app.agency(&a.caller).await?;
    match f.doc_id {
        Some(id) => {
            let stored = state.app.own_document(&a.caller, DocumentId(id)).await?;
            f.merge_into(&stored.content, a.office(), &agency, a.today())
        }
        None => f.to_document(a.office(), &agency, a.today()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PreviewParams {
    page: Option<usize>,
}

/// The live preview: the compose form's fields → a page as PNG. Page 1
/// (the default) lays out every page and says how many there are
/// (`X-Page-Count`); the others then come from the preview cache.
async fn preview(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiQuery(p): ApiQuery<PreviewParams>,
    ComposeForm(f): ComposeForm,
) -> Response {
    if let Err(e) = a.check_csrf(&f.csrf) {
        return e.into_response();
    }
    let made = form_document(&state, &a, &f).await;
    let doc = match made {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    let page = p.page.unwrap_or(1).max(1);
    if page > 1 {
        return match state.app.preview(&a.caller, doc, page, 60.0, false).await {
            Ok(png) => ([(header::CONTENT_TYPE, "image/png")], png).into_response(),
            Err(e) => ApiError::from(e).into_response(),
        };
    }
    match state.app.preview_pages(&a.caller, doc, 60.0).await {
        Ok(mut pages) if !pages.is_empty() => {
            let count = pages.len().to_string();
            (
                [
                    (header::CONTENT_TYPE, "image/png".to_string()),
                    (header::HeaderName::from_static("x-page-count"), count),
                ],
                pages.swap_remove(0),
            )
                .into_response()
        }
        Ok(_) => ApiError::invalid("page", "ไม่มีหน้านี้", "no such page").into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

// ---------------------------------------------------------------- registers, search, offices, users

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RegisterQuery {
    kind: Option<String>,
    year: Option<String>,
}

async fn registers_page(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiQuery(q): ApiQuery<RegisterQuery>,
) -> Page {
    let kind = or_page(
        &state,
        &a,
        register_kind(q.kind.as_deref().unwrap_or("send")),
    )?;
    let this_year = state.app.this_year_be(&a.caller);
    let year = match q.year.as_deref().map(crate::thai::to_arabic_digits) {
        Some(y) if !y.trim().is_empty() => or_page(
            &state,
            &a,
            y.trim()
                .parse::<i32>()
                .map_err(|_| ApiError::invalid("year", "ปี พ.ศ. ไม่ถูกต้อง", "not a B.E. year")),
        )?,
        _ => this_year,
    };
    let rows = or_page(
        &state,
        &a,
        state.app.register(&a.caller, kind, year, 0, 500).await,
    )?;
    let printed: Vec<[String; 10]> = rows
        .iter()
        .map(|r| crate::app::registers::printed_row(r, a.office().fields.digits))
        .collect();
    let mut c = context(&a, "registers");
    c.insert("kind", kind.key());
    c.insert("title", kind.title());
    c.insert("year", &year);
    c.insert(
        "years",
        &((year - 5)..=(this_year.max(year)))
            .rev()
            .collect::<Vec<_>>(),
    );
    c.insert("rows", &printed);
    Ok(render(&state, "registers.html", &c))
}

async fn search_page(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> Page {
    let asked = [
        &p.q,
        &p.kind,
        &p.urgency,
        &p.issuer,
        &p.recipient,
        &p.from,
        &p.to,
    ]
    .iter()
    .any(|x| x.as_deref().is_some_and(|v| !v.trim().is_empty()));
    let mut c = context(&a, "search");
    c.insert(
        "q",
        &json!({
            "q": p.q, "kind": p.kind, "urgency": p.urgency, "issuer": p.issuer,
            "recipient": p.recipient, "from": p.from, "to": p.to,
        }),
    );
    c.insert("asked", &asked);
    c.insert(
        "kinds",
        &[
            ("letter", "หนังสือภายนอก"),
            ("memo", "บันทึกข้อความ"),
            ("order", "คำสั่ง"),
            ("announcement", "ประกาศ"),
            ("sealed", "หนังสือประทับตรา"),
        ]
        .map(|(key, thai)| json!({ "key": key, "thai": thai })),
    );
    c.insert(
        "urgencies",
        &[
            ("urgent", "ด่วน"),
            ("very_urgent", "ด่วนมาก"),
            ("most_urgent", "ด่วนที่สุด"),
        ]
        .map(|(key, thai)| json!({ "key": key, "thai": thai })),
    );
    if asked {
        match state.app.search_listed(&a.caller, &p).await {
            Ok(docs) => c.insert("docs", &docs.iter().map(listed_row).collect::<Vec<_>>()),
            Err(e) => {
                let e = ApiError::from(e);
                c.insert("error", &e.message_th);
                return Err(render_status(&state, e.status, "search.html", &c));
            }
        }
    }
    Ok(render(&state, "search.html", &c))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OfficeQuery {
    under: Option<i64>,
}

async fn offices_page(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiQuery(q): ApiQuery<OfficeQuery>,
) -> Page {
    let (parent, list) = or_page(
        &state,
        &a,
        state.app.office_children(&a.caller, q.under).await,
    )?;
    let rows: Vec<Value> = list
        .iter()
        .map(|o| json!({ "id": o.id, "name": o.fields.name, "kind": o.fields.kind.thai(), "code": o.code() }))
        .collect();
    let mut c = context(&a, "offices");
    if let Some(p) = &parent {
        let cert = or_page(
            &state,
            &a,
            state.app.office_certificate(&a.caller, p.id).await,
        )?;
        c.insert("certificate", &cert);
    }
    c.insert(
        "parent",
        &parent.map(|p| json!({ "id": p.id, "name": p.fields.name, "parent_id": p.parent_id })),
    );
    c.insert("offices", &rows);
    Ok(render(&state, "offices.html", &c))
}

/// An administrator installs an office's signing key (a PKCS #12 file
/// uploaded in a form; its password comes from the server's environment).
async fn install_certificate(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath(id): ApiPath<i64>,
    mut form: axum::extract::Multipart,
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
    check_csrf(&state, &a, &csrf)?;
    or_page(
        &state,
        &a,
        state.app.install_key_as(&a.caller, id, &file).await,
    )?;
    Ok(Redirect::to(&format!("/offices?under={id}")).into_response())
}

async fn users_page(State(state): State<AppState>, UiUser(a): UiUser) -> Page {
    users_view(&state, &a, None, None).await
}

async fn users_view(
    state: &AppState,
    a: &Authed,
    made: Option<Value>,
    error: Option<ApiError>,
) -> Page {
    let users = or_page(state, a, state.app.users(&a.caller).await)?;
    let alarms = or_page(state, a, state.app.alarms(&a.caller).await)?;
    let rows: Vec<Value> = users
        .iter()
        .map(|u| json!({ "username": u.username, "display_name": u.display_name, "role": u.role.thai(), "office_id": u.office_id, "active": u.active }))
        .collect();
    let mut c = context(a, "users");
    c.insert("users", &rows);
    c.insert("alarms", &alarms);
    c.insert(
        "roles",
        &Role::ALL
            .iter()
            .map(|r| json!({ "key": r.key(), "thai": r.thai() }))
            .collect::<Vec<_>>(),
    );
    c.insert("made", &made);
    let status = error.as_ref().map(|e| e.status).unwrap_or(StatusCode::OK);
    if let Some(e) = error {
        c.insert("error", &e.message_th);
    }
    Ok(render_status(state, status, "users.html", &c))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UserForm {
    csrf: String,
    username: String,
    display_name: String,
    role: String,
    office: String,
}

async fn add_user(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiForm(f): ApiForm<UserForm>,
) -> Page {
    check_csrf(&state, &a, &f.csrf)?;
    let body = NewUserRequest {
        username: f.username,
        display_name: f.display_name,
        role: f.role,
        office: f.office,
    };
    match state
        .app
        .add_user(&a.caller, &body)
        .await
        .map_err(ApiError::from)
    {
        Ok((user, password)) => {
            users_view(
                &state,
                &a,
                Some(json!({ "username": user.username, "password": password })),
                None,
            )
            .await
        }
        Err(e) => users_view(&state, &a, None, Some(e)).await,
    }
}

//! The Thai web UI: Tera templates rendered on the server (embedded from
//! `templates/web/`), plain HTML forms with CSRF tokens, and a little
//! JavaScript for the live preview and confirmations. Logic stays in Rust
//! (`api` does the work; these handlers choose the page); templates only
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
use super::api::{self, DispatchBody, ForwardBody, InboxStep, NumberBody, SearchParams, UserBody};
use super::auth::{self, Authed};
use super::error::{ApiError, ApiForm, ApiPath, ApiQuery};
use super::forms::LetterForm;
use crate::store::accounts::{self, Action};
use crate::store::documents::{self, State as DocState};
use crate::store::numbering::{self, Series};
use crate::store::registers::{self, RegisterKind};
use crate::store::{bangkok, inbox, offices, routing, search};
use crate::thai::{DateStyle, Digits, format_date};

const TEMPLATES: [(&str, &str); 17] = [
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
        .route("/documents/{id}/tracking", get(tracking_page))
        .route("/documents/{id}/thread", get(thread_page))
        .route("/ui/preview", post(preview))
        .route("/registers", get(registers_page))
        .route("/search", get(search_page))
        .route("/offices", get(offices_page))
        .route("/users", get(users_page).post(add_user))
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
            Ok(Some(a)) => Ok(UiUser(a)),
            Ok(None) => Err(Redirect::to("/login").into_response()),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// What every page's template gets.
pub(super) fn context(a: &Authed, nav: &str) -> Context {
    let mut c = Context::new();
    c.insert("me", &a.user);
    c.insert("role_th", a.user.role.thai());
    c.insert("office", &a.office);
    c.insert("csrf", a.csrf.as_deref().unwrap_or(""));
    c.insert("nav", nav);
    c.insert(
        "digits",
        match a.office.fields.digits {
            Digits::Thai => "thai",
            Digits::Arabic => "arabic",
        },
    );
    c.insert("may", &may_table(a));
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
}

fn may_table(a: &Authed) -> May {
    let r = a.user.role;
    May {
        draft: r.may(Action::Draft),
        number: r.may(Action::Number),
        cancel: r.may(Action::Cancel),
        dispatch: r.may(Action::Dispatch),
        inbox: r.may(Action::HandleInbox),
        users: r.may(Action::ManageUsers),
    }
}

pub(super) fn render(state: &AppState, name: &str, c: &Context) -> Response {
    render_status(state, StatusCode::OK, name, c)
}

pub(super) fn render_status(
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

pub(super) type Page = Result<Response, Response>;

pub(super) fn or_page<T>(
    state: &AppState,
    a: &Authed,
    r: Result<T, ApiError>,
) -> Result<T, Response> {
    r.map_err(|e| error_page(state, a, e))
}

pub(super) fn check_csrf(state: &AppState, a: &Authed, given: &str) -> Result<(), Response> {
    or_page(state, a, a.check_csrf(given))
}

// ---------------------------------------------------------------- inbox

async fn inbox_page(State(state): State<AppState>, UiUser(a): UiUser) -> Page {
    let items = or_page(
        &state,
        &a,
        inbox::inbox(&state.store, a.office.id, a.today(), false, 200)
            .await
            .map_err(ApiError::from),
    )?;
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
    let d = or_page(
        &state,
        &a,
        routing::get(&state.store, &a.office, id)
            .await
            .map_err(ApiError::from),
    )?;
    // A delivery to this office makes its letter visible; secret letters
    // still need the reader's name on them.
    let doc = or_page(&state, &a, api::visible(&state, &a, d.document_id).await)?;
    let from = or_page(
        &state,
        &a,
        offices::get(&state.store, d.from_office)
            .await
            .map_err(ApiError::from),
    )?;
    let mut c = context(&a, "inbox");
    c.insert("delivery", &d);
    c.insert("state_th", d.state.thai());
    c.insert("doc", &doc);
    c.insert("from_office", &from.fields.name);
    c.insert(
        "urgency",
        &search::urgency_of(&doc.content).map(|u| u.thai()),
    );
    c.insert("acted", &d.state.acted());
    c.insert("received", &(d.state == routing::DeliveryState::Received));
    if let Some(cover) = p.cover {
        let cover = or_page(&state, &a, api::own(&state, &a, cover).await)?;
        c.insert("cover", &row(&cover));
    }
    if let Some(fwd) = d.forward_id {
        c.insert("forwarded_with", &fwd);
    }
    Ok(render(&state, "delivery.html", &c))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DeliveryForm {
    csrf: String,
    reason: String,
    to: String,
    cover: Option<i64>,
}

async fn delivery_action(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath((id, action)): ApiPath<(i64, String)>,
    ApiForm(f): ApiForm<DeliveryForm>,
) -> Page {
    check_csrf(&state, &a, &f.csrf)?;
    or_page(&state, &a, a.may(Action::HandleInbox))?;
    let here = format!("/deliveries/{id}");
    let step = |step| api::inbox_step(&state, &a, id, step);
    let done: Result<String, ApiError> = match action.as_str() {
        "receive" => step(InboxStep::Receive).await.map(|_| here),
        "acknowledge" => step(InboxStep::Acknowledge).await.map(|_| here),
        "return" => step(InboxStep::Return(&f.reason)).await.map(|_| here),
        "cover" => api::cover_in(&state, &a, id, Some(&f.to))
            .await
            .map(|cover| format!("/documents/{}/edit?forward={id}", cover.id)),
        "forward" => api::forward_in(
            &state,
            &a,
            id,
            &ForwardBody {
                to: Some(f.to.clone()),
                cover: f.cover,
            },
        )
        .await
        .map(|fw| format!("/documents/{}", fw.cover.id)),
        _ => Err(ApiError::not_found()),
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
    let docs = or_page(&state, &a, api::run_search(&state, &a, &params).await)?;
    let mut c = context(&a, "documents");
    c.insert("docs", &docs.iter().map(row).collect::<Vec<_>>());
    Ok(render(&state, "documents.html", &c))
}

/// A document as list rows show it.
fn row(d: &documents::Stored) -> Value {
    let mut v = api::summary(d);
    v["state_th"] = json!(d.state.thai());
    v["urgency_th"] = json!(search::urgency_of(&d.content).map(|u| u.thai()));
    v["secrecy_th"] = json!(search::secrecy_of(&d.content).map(|s| s.thai()));
    v
}

fn compose_context(a: &Authed, form: &LetterForm, error: Option<&ApiError>) -> Context {
    let mut c = context(a, "compose");
    c.insert("form", form);
    c.insert("error", &error.map(|e| e.message_th.clone()));
    c.insert("error_field", &error.and_then(|e| e.field.clone()));
    c.insert("doc_id", &None::<i64>);
    c.insert("forward", &None::<i64>);
    c
}

async fn compose_page(State(state): State<AppState>, UiUser(a): UiUser) -> Page {
    or_page(&state, &a, a.may(Action::Draft))?;
    let form = LetterForm {
        kind: "letter".into(),
        ..LetterForm::default()
    };
    let mut c = compose_context(&a, &form, None);
    c.insert("action", "/documents");
    Ok(render(&state, "compose.html", &c))
}

async fn create_document(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiForm(f): ApiForm<LetterForm>,
) -> Page {
    check_csrf(&state, &a, &f.csrf)?;
    or_page(&state, &a, a.may(Action::Draft))?;
    let readers: Vec<String> = f.readers.split(',').map(|s| s.trim().to_string()).collect();
    let made = match f.to_document(&a.office, a.today()) {
        Ok(doc) => api::create_draft(&state, &a, &doc, &readers).await,
        Err(e) => Err(e),
    };
    match made {
        Ok(d) => Ok(Redirect::to(&format!("/documents/{}", d.id)).into_response()),
        Err(e) => {
            let status = e.status;
            let mut c = compose_context(&a, &f, Some(&e));
            c.insert("action", "/documents");
            Err(render_status(&state, status, "compose.html", &c))
        }
    }
}

async fn document_page(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath(id): ApiPath<i64>,
) -> Page {
    let d = or_page(&state, &a, api::visible(&state, &a, id).await)?;
    let mine = d.office_id == a.office.id;
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
    let children = or_page(
        &state,
        &a,
        offices::children(&state.store, a.office.id)
            .await
            .map_err(ApiError::from),
    )?;
    c.insert("children", &children);
    let attachments = or_page(
        &state,
        &a,
        documents::attachments(&state.store, id)
            .await
            .map_err(ApiError::from),
    )?;
    c.insert("attachments", &attachments);
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
    or_page(&state, &a, a.may(Action::Draft))?;
    let d = or_page(&state, &a, api::own(&state, &a, id).await)?;
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
    Ok(render(&state, "compose.html", &c))
}

async fn update_document(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<EditParams>,
    ApiForm(f): ApiForm<LetterForm>,
) -> Page {
    check_csrf(&state, &a, &f.csrf)?;
    or_page(&state, &a, a.may(Action::Draft))?;
    let d = or_page(&state, &a, api::own(&state, &a, id).await)?;
    let saved = match f.merge_into(&d.content, &a.office, a.today()) {
        Ok(doc) => match api::refuse_top_secret(&doc) {
            Ok(()) => documents::update(&state.store, &a.user.actor(), id, &doc)
                .await
                .map_err(ApiError::from),
            Err(e) => Err(e),
        },
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
    or_page(&state, &a, a.may(Action::Number))?;
    let d = or_page(&state, &a, api::own(&state, &a, id).await)?;
    let series = documents::default_series(&d.content).unwrap_or(Series::Normal);
    let mut c = context(&a, "documents");
    let mut options = Vec::new();
    for s in [
        Series::Normal,
        Series::Circular,
        Series::Order,
        Series::Announcement,
    ] {
        let next = numbering::peek(&state.store, chrono::Utc::now(), &a.office, s).await;
        if let Ok((_, _, printed)) = next {
            options.push(json!({ "key": s.key(), "thai": s.thai(), "next": printed, "default": s == series }));
        }
    }
    if options.is_empty() {
        return Err(error_page(
            &state,
            &a,
            ApiError::from(crate::store::StoreError::NoLetterCode(
                a.office.fields.name.clone(),
            )),
        ));
    }
    c.insert("doc", &row(&d));
    c.insert("options", &options);
    Ok(render(&state, "number.html", &c))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NumberForm {
    csrf: String,
    series: String,
    confirm: String,
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
    let body = NumberBody {
        series: Some(f.series),
        to: None,
    };
    or_page(&state, &a, api::number_in(&state, &a, id, &body).await)?;
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
    let body = DispatchBody {
        to: to.join(","),
        deadline: Some(f.deadline),
    };
    or_page(&state, &a, api::dispatch_in(&state, &a, id, &body).await)?;
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
    or_page(&state, &a, a.may(Action::Cancel))?;
    or_page(&state, &a, api::own(&state, &a, id).await)?;
    or_page(
        &state,
        &a,
        documents::cancel(
            &state.store,
            &a.user.actor(),
            chrono::Utc::now(),
            id,
            &f.reason,
        )
        .await
        .map_err(ApiError::from),
    )?;
    Ok(Redirect::to(&format!("/documents/{id}")).into_response())
}

async fn tracking_page(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath(id): ApiPath<i64>,
) -> Page {
    let t = or_page(&state, &a, api::tracking_of(&state, &a, id).await)?;
    let mut c = context(&a, "documents");
    c.insert("doc", &row(&t.root));
    c.insert("t", &t);
    Ok(render(&state, "tracking.html", &c))
}

async fn thread_page(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiPath(id): ApiPath<i64>,
) -> Page {
    let d = or_page(&state, &a, api::visible(&state, &a, id).await)?;
    let thread = or_page(&state, &a, api::thread_of(&state, &d).await)?;
    let mut c = context(&a, "documents");
    c.insert("doc", &row(&d));
    c.insert("thread", &thread);
    Ok(render(&state, "thread.html", &c))
}

/// The live preview: the compose form's fields → page 1 as PNG.
async fn preview(
    State(state): State<AppState>,
    UiUser(a): UiUser,
    ApiForm(f): ApiForm<LetterForm>,
) -> Response {
    if let Err(e) = a.check_csrf(&f.csrf) {
        return e.into_response();
    }
    let made = match f.doc_id {
        Some(id) => match api::own(&state, &a, id).await {
            Ok(stored) => f.merge_into(&stored.content, &a.office, a.today()),
            Err(e) => Err(e),
        },
        None => f.to_document(&a.office, a.today()),
    };
    let doc = match made {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    match api::render_png(&state, doc, 1, 60.0).await {
        Ok(png) => ([(header::CONTENT_TYPE, "image/png")], png).into_response(),
        Err(e) => e.into_response(),
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
        RegisterKind::parse(q.kind.as_deref().unwrap_or("send")).map_err(ApiError::from),
    )?;
    let this_year = crate::thai::be_year(chrono::Datelike::year(&a.today()));
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
        registers::rows(&state.store, a.office.id, year, kind, Some((0, 500)))
            .await
            .map_err(ApiError::from),
    )?;
    let printed: Vec<[String; 10]> = rows
        .iter()
        .map(|r| registers::printed_row(r, a.office.fields.digits))
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
        match api::run_search(&state, &a, &p).await {
            Ok(docs) => c.insert("docs", &docs.iter().map(row).collect::<Vec<_>>()),
            Err(e) => {
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
    let parent = match q.under {
        Some(id) => Some(or_page(
            &state,
            &a,
            offices::get(&state.store, id).await.map_err(ApiError::from),
        )?),
        None => None,
    };
    let list = match &parent {
        Some(p) => offices::children(&state.store, p.id).await,
        None => offices::list(&state.store, None)
            .await
            .map(|all| all.into_iter().filter(|o| o.parent_id.is_none()).collect()),
    };
    let list = or_page(&state, &a, list.map_err(ApiError::from))?;
    let rows: Vec<Value> = list
        .iter()
        .map(|o| json!({ "id": o.id, "name": o.fields.name, "kind": o.fields.kind.thai(), "code": o.code() }))
        .collect();
    let mut c = context(&a, "offices");
    c.insert(
        "parent",
        &parent.map(|p| json!({ "id": p.id, "name": p.fields.name, "parent_id": p.parent_id })),
    );
    c.insert("offices", &rows);
    Ok(render(&state, "offices.html", &c))
}

async fn users_page(State(state): State<AppState>, UiUser(a): UiUser) -> Page {
    or_page(&state, &a, a.may(Action::ManageUsers))?;
    users_view(&state, &a, None, None).await
}

async fn users_view(
    state: &AppState,
    a: &Authed,
    made: Option<Value>,
    error: Option<ApiError>,
) -> Page {
    let users = or_page(
        state,
        a,
        accounts::list(&state.store, None)
            .await
            .map_err(ApiError::from),
    )?;
    let rows: Vec<Value> = users
        .iter()
        .map(|u| json!({ "username": u.username, "display_name": u.display_name, "role": u.role.thai(), "office_id": u.office_id, "active": u.active }))
        .collect();
    let mut c = context(a, "users");
    c.insert("users", &rows);
    c.insert(
        "roles",
        &accounts::Role::ALL
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
    or_page(&state, &a, a.may(Action::ManageUsers))?;
    let body = UserBody {
        username: f.username,
        display_name: f.display_name,
        role: f.role,
        office: f.office,
    };
    match api::add_user_in(&state, &a, &body).await {
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

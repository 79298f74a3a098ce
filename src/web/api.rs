//! The JSON API under `/api/v1`, described in `openapi.json`.
//!
//! Handlers are thin: check the role (`Authed::may`), find the document
//! through `search::visible` (404 when it is not the caller's to see), call
//! the store, answer JSON. Errors are `ApiError`: a code and Thai and
//! English messages.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::auth::Authed;
use super::error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult};
use super::forms::parse_any_date;
use super::previews::{self, PreviewCache};
use crate::docnum::DocNumber;
use crate::model::{Document, Secrecy, Urgency};
use crate::render::RenderOptions;
use crate::store::accounts::{self, Action, NewUser, Role};
use crate::store::documents::{self, Stored};
use crate::store::numbering::Series;
use crate::store::registers::{self, Format, RegisterKind};
use crate::store::{graph, inbox, offices, routing, search, tracking};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/me", get(me))
        .route("/documents", get(list_documents).post(create_document))
        .route("/documents/{id}", get(get_document).put(update_document))
        .route("/documents/{id}/number", post(number_document))
        .route("/documents/{id}/cancel", post(cancel_document))
        .route("/documents/{id}/pdf", get(document_pdf))
        .route("/documents/{id}/preview.png", get(document_png))
        .route(
            "/documents/{id}/attachments",
            get(list_attachments).post(add_attachment),
        )
        .route("/documents/{id}/attachments/{aid}", get(get_attachment))
        .route("/documents/{id}/references", get(document_references))
        .route("/documents/{id}/thread", get(document_thread))
        .route("/documents/{id}/dispatch", post(dispatch_document))
        .route("/documents/{id}/tracking", get(document_tracking))
        .route("/preview", post(preview))
        .route("/inbox", get(list_inbox))
        .route("/deliveries/{id}", get(get_delivery))
        .route("/deliveries/{id}/receive", post(receive))
        .route("/deliveries/{id}/forward", post(forward))
        .route("/deliveries/{id}/cover", post(draft_cover))
        .route("/deliveries/{id}/acknowledge", post(acknowledge))
        .route("/deliveries/{id}/return", post(return_delivery))
        .route("/deliveries/{id}/letter.pdf", get(delivery_letter))
        .route("/registers/{kind}", get(register))
        .route("/offices", get(list_offices))
        .route("/offices/{id}", get(get_office))
        .route("/users", get(list_users).post(add_user))
        .route("/users/{id}/tokens", get(list_tokens).post(add_token))
        .route("/users/{id}/tokens/{tid}", delete(revoke_token))
}

async fn me(a: Authed) -> Json<Value> {
    Json(json!({ "user": a.user, "office": a.office }))
}

/// The search parameters of `GET /documents`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SearchParams {
    pub q: Option<String>,
    pub number: Option<String>,
    pub kind: Option<String>,
    pub urgency: Option<String>,
    pub issuer: Option<String>,
    pub recipient: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Only the caller's office's own documents.
    pub own: Option<bool>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

impl SearchParams {
    pub fn query(&self) -> ApiResult<search::Query> {
        let urgency = match self.urgency.as_deref().filter(|u| !u.is_empty()) {
            None => None,
            Some(u) => Some(
                serde_json::from_value::<Urgency>(json!(u))
                    .ok()
                    .or_else(|| Urgency::from_thai_prefix(u).map(|x| x.0))
                    .ok_or_else(|| {
                        ApiError::invalid(
                            "urgency",
                            "ชั้นความเร็วต้องเป็น urgent, very_urgent หรือ most_urgent",
                            "urgency must be urgent, very_urgent or most_urgent",
                        )
                    })?,
            ),
        };
        let date = |field: &str, v: &Option<String>| -> ApiResult<Option<NaiveDate>> {
            match v.as_deref().filter(|x| !x.trim().is_empty()) {
                None => Ok(None),
                Some(x) => parse_any_date(field, x).map(Some),
            }
        };
        let text = [self.q.as_deref(), self.number.as_deref()]
            .into_iter()
            .flatten()
            .filter(|t| !t.trim().is_empty())
            .collect::<Vec<_>>();
        const KINDS: [&str; 7] = [
            "letter",
            "memo",
            "order",
            "announcement",
            "schedule",
            "project",
            "form",
        ];
        let kind = self.kind.clone().filter(|k| !k.is_empty());
        if let Some(k) = &kind
            && !KINDS.contains(&k.as_str())
        {
            return Err(ApiError::invalid(
                "kind",
                "ชนิดหนังสือไม่ถูกต้อง",
                format!("kind must be one of {}", KINDS.join(", ")),
            ));
        }
        Ok(search::Query {
            // Several words must all appear: the index is asked for the
            // longest, the rest are checked after.
            text: (!text.is_empty()).then(|| text.join(" ")),
            kind,
            urgency,
            issuer: self.issuer.clone(),
            recipient: self.recipient.clone(),
            from: date("from", &self.from)?,
            to: date("to", &self.to)?,
            own_only: self.own.unwrap_or(false),
            limit: self.limit.unwrap_or(50),
            offset: self.offset.unwrap_or(0),
        })
    }
}

/// Searches with every word of `q` required, in any order.
pub async fn run_search(
    state: &AppState,
    a: &Authed,
    params: &SearchParams,
) -> ApiResult<Vec<Stored>> {
    let mut q = params.query()?;
    let words: Vec<String> = q
        .text
        .as_deref()
        .unwrap_or("")
        .split_whitespace()
        .map(search::normalize)
        .filter(|w| !w.is_empty())
        .collect();
    if words.len() > 1 {
        // A number's parts are one word when the whole query is a number.
        let whole = q.text.clone().unwrap_or_default();
        if DocNumber::parse(&whole).is_ok() {
            q.text = Some(whole);
        } else {
            let longest = words.iter().max_by_key(|w| w.chars().count()).cloned();
            q.text = longest;
            let wanted = q.limit;
            q.limit = 200;
            let found = search::search(&state.store, &a.user, &q).await?;
            return Ok(found
                .into_iter()
                .filter(|d| {
                    let t = search::text_of(&d.content, d.number.as_deref());
                    words.iter().all(|w| t.contains(w.as_str()))
                })
                .take(wanted.clamp(1, 200) as usize)
                .collect());
        }
    }
    Ok(search::search(&state.store, &a.user, &q).await?)
}

async fn list_documents(
    State(state): State<AppState>,
    a: Authed,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> ApiResult<Json<Value>> {
    let docs = run_search(&state, &a, &params).await?;
    Ok(Json(
        json!({ "documents": docs.iter().map(summary).collect::<Vec<_>>() }),
    ))
}

/// A document without its content, for lists.
pub fn summary(d: &Stored) -> Value {
    json!({
        "id": d.id,
        "office_id": d.office_id,
        "kind": d.kind,
        "state": d.state,
        "number": d.number,
        "printed_number": d.number.as_deref().map(crate::thai::to_thai_digits),
        "date": d.date,
        "subject": d.subject,
        "issuer": d.issuer,
        "urgency": search::urgency_of(&d.content),
        "secrecy": search::secrecy_of(&d.content),
        "recipient": search::recipient_of(&d.content),
    })
}

/// `POST /documents` body: the document (render input) and, for a secret
/// one, the usernames who may read it.
#[derive(Debug, Deserialize)]
struct CreateBody {
    document: Value,
    #[serde(default)]
    readers: Vec<String>,
}

async fn document_from(value: Value) -> ApiResult<Document> {
    Ok(Document::from_json(&value.to_string())?)
}

/// Named readers: the author always, plus the usernames given.
pub async fn name_readers(
    state: &AppState,
    a: &Authed,
    id: i64,
    usernames: &[String],
) -> ApiResult<()> {
    let mut ids = vec![a.user.id];
    for name in usernames.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        let user = accounts::find(&state.store, name).await?.ok_or_else(|| {
            ApiError::invalid(
                "readers",
                format!("ไม่พบผู้ใช้ {name}"),
                format!("no user {name}"),
            )
        })?;
        ids.push(user.id);
    }
    accounts::name_readers(&state.store, &a.user.actor(), id, &ids).await?;
    Ok(())
}

async fn create_document(
    State(state): State<AppState>,
    a: Authed,
    ApiJson(body): ApiJson<CreateBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    a.may(Action::Draft)?;
    let doc = document_from(body.document).await?;
    let stored = create_draft(&state, &a, &doc, &body.readers).await?;
    Ok((StatusCode::CREATED, Json(json!(stored))))
}

/// Stores a draft; a secret one gets its named readers (the author first).
/// A ลับที่สุด draft is refused: it never enters e-saraban.
pub async fn create_draft(
    state: &AppState,
    a: &Authed,
    doc: &Document,
    readers: &[String],
) -> ApiResult<Stored> {
    refuse_top_secret(doc)?;
    let stored = documents::create_draft(&state.store, &a.user.actor(), &a.office, doc).await?;
    if search::secrecy_of(doc).is_some() {
        name_readers(state, a, stored.id, readers).await?;
    }
    Ok(stored)
}

pub fn refuse_top_secret(doc: &Document) -> ApiResult<()> {
    if search::secrecy_of(doc) == Some(Secrecy::TopSecret) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "top_secret",
            "หนังสือลับที่สุดต้องไม่ส่งหรือเก็บในระบบสารบรรณอิเล็กทรอนิกส์ ให้ดำเนินการทางกระดาษตามระเบียบว่าด้วยการรักษาความลับของทางราชการ",
            "ลับที่สุด (top secret) letters are kept off electronic saraban; handle them on paper",
        ));
    }
    Ok(())
}

/// The document if the caller may see it, else 404.
pub async fn visible(state: &AppState, a: &Authed, id: i64) -> ApiResult<Stored> {
    Ok(search::visible(&state.store, &a.user, id).await?)
}

/// The document if it is the caller's own office's, else 404.
pub async fn own(state: &AppState, a: &Authed, id: i64) -> ApiResult<Stored> {
    let d = visible(state, a, id).await?;
    if d.office_id != a.office.id {
        return Err(ApiError::not_found());
    }
    Ok(d)
}

async fn get_document(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    let d = visible(&state, &a, id).await?;
    Ok(Json(json!(d)))
}

async fn update_document(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<CreateBody>,
) -> ApiResult<Json<Value>> {
    a.may(Action::Draft)?;
    own(&state, &a, id).await?;
    let doc = document_from(body.document).await?;
    refuse_top_secret(&doc)?;
    let d = documents::update(&state.store, &a.user.actor(), id, &doc).await?;
    Ok(Json(json!(d)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NumberBody {
    /// normal, circular (ว), order, announcement.
    pub series: Option<String>,
    /// The addressee as the send register records it.
    pub to: Option<String>,
}

pub async fn number_in(
    state: &AppState,
    a: &Authed,
    id: i64,
    body: &NumberBody,
) -> ApiResult<Value> {
    a.may(Action::Number)?;
    let d = own(state, a, id).await?;
    let series = match body.series.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(Series::parse(s)?),
        None => None,
    };
    let to = body
        .to
        .clone()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| search::recipient_of(&d.content).to_string());
    let (stored, issued) =
        documents::number(&state.store, &a.user.actor(), Utc::now(), id, series, &to).await?;
    Ok(json!({ "document": stored, "printed_number": issued.printed }))
}

async fn number_document(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    body: Option<ApiJson<NumberBody>>,
) -> ApiResult<Json<Value>> {
    let body = body.map(|b| b.0).unwrap_or_default();
    Ok(Json(number_in(&state, &a, id, &body).await?))
}

#[derive(Debug, Deserialize)]
struct ReasonBody {
    reason: String,
}

async fn cancel_document(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> ApiResult<Json<Value>> {
    a.may(Action::Cancel)?;
    own(&state, &a, id).await?;
    let d = documents::cancel(&state.store, &a.user.actor(), Utc::now(), id, &body.reason).await?;
    Ok(Json(json!(d)))
}

/// Renders on a blocking thread, at most `render_slots` at once.
pub async fn render_pdf(state: &AppState, doc: Document) -> ApiResult<Vec<u8>> {
    let _slot = state.render_slots.acquire().await.expect("never closed");
    let renderer = state.renderer.clone();
    tokio::task::spawn_blocking(move || renderer.render_pdf(&doc, &RenderOptions::default()))
        .await
        .map_err(|e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "render_failed",
                "จัดทำเอกสารไม่สำเร็จ",
                e.to_string(),
            )
        })?
        .map_err(ApiError::from)
}

/// Page `page` (from 1) as PNG at `dpi`; from the cache when this content
/// was rendered before.
pub async fn render_png(
    state: &AppState,
    doc: Document,
    page: usize,
    dpi: f32,
) -> ApiResult<Vec<u8>> {
    let page = page.max(1);
    let key = PreviewCache::key(&doc, page, dpi);
    if let Some(png) = state.previews.get(&key) {
        return Ok(png.as_ref().clone());
    }
    let _slot = state.render_slots.acquire().await.expect("never closed");
    let renderer = state.renderer.clone();
    let doc = previews::for_page(doc, page);
    let png = tokio::task::spawn_blocking(
        move || -> Result<Option<Vec<u8>>, crate::render::RenderError> {
            let prepared = renderer.prepare(&doc)?;
            let laid = renderer.layout(&prepared, None, &RenderOptions::default())?;
            Ok(crate::render::png_page(&laid, page - 1, dpi))
        },
    )
    .await
    .map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "render_failed",
            "จัดทำเอกสารไม่สำเร็จ",
            e.to_string(),
        )
    })??
    .ok_or_else(|| ApiError::invalid("page", "ไม่มีหน้านี้", "no such page"))?;
    state.previews.put(key, std::sync::Arc::new(png.clone()));
    Ok(png)
}

fn bytes_response(media_type: &'static str, name: Option<String>, bytes: Vec<u8>) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        media_type.parse().expect("a valid media type"),
    );
    if let Some(name) = name {
        // RFC 5987 filename*, since names are Thai.
        let encoded: String = name
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        if let Ok(v) = format!("inline; filename*=UTF-8''{encoded}").parse() {
            headers.insert(header::CONTENT_DISPOSITION, v);
        }
    }
    (headers, bytes).into_response()
}

/// The official PDF of a numbered document (made once, then only read);
/// a draft's current rendering otherwise.
pub async fn pdf_of(state: &AppState, a: &Authed, d: &Stored) -> ApiResult<Vec<u8>> {
    match d.state {
        documents::State::Numbered | documents::State::Sent => {
            let renderer = state.renderer.clone();
            let _slot = state.render_slots.acquire().await.expect("never closed");
            let (pdf, _) = tokio::task::block_in_place(|| {
                let handle = tokio::runtime::Handle::current();
                handle.block_on(documents::official_copy(
                    &state.store,
                    &a.user.actor(),
                    d.id,
                    |doc| {
                        renderer
                            .render_pdf(doc, &RenderOptions::default())
                            .map_err(|e| e.to_string())
                    },
                ))
            })?;
            Ok(pdf)
        }
        _ => render_pdf(state, d.content.clone()).await,
    }
}

async fn document_pdf(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let d = visible(&state, &a, id).await?;
    let pdf = pdf_of(&state, &a, &d).await?;
    let name = d.number.clone().unwrap_or_else(|| format!("draft-{id}"));
    Ok(bytes_response(
        "application/pdf",
        Some(format!("{name}.pdf")),
        pdf,
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PageParams {
    page: Option<usize>,
    dpi: Option<f32>,
}

async fn document_png(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Response> {
    let d = visible(&state, &a, id).await?;
    let png = render_png(
        &state,
        d.content,
        p.page.unwrap_or(1),
        p.dpi.unwrap_or(80.0).clamp(30.0, 200.0),
    )
    .await?;
    Ok(bytes_response("image/png", None, png))
}

/// `POST /preview`: a document (render input) → its first page as PNG, or
/// the whole PDF with `?format=pdf`. Nothing is stored.
async fn preview(
    State(state): State<AppState>,
    a: Authed,
    ApiQuery(p): ApiQuery<PreviewParams>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Response> {
    a.may(Action::Read)?;
    let doc = document_from(body).await?;
    if p.format.as_deref() == Some("pdf") {
        return Ok(bytes_response(
            "application/pdf",
            None,
            render_pdf(&state, doc).await?,
        ));
    }
    let png = render_png(
        &state,
        doc,
        p.page.unwrap_or(1),
        p.dpi.unwrap_or(80.0).clamp(30.0, 200.0),
    )
    .await?;
    Ok(bytes_response("image/png", None, png))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PreviewParams {
    format: Option<String>,
    page: Option<usize>,
    dpi: Option<f32>,
}

async fn list_attachments(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    visible(&state, &a, id).await?;
    Ok(Json(
        json!({ "attachments": documents::attachments(&state.store, id).await? }),
    ))
}

#[derive(Debug, Deserialize)]
struct AttachParams {
    name: String,
}

/// `POST /documents/{id}/attachments?name=…` with the file as the body.
async fn add_attachment(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<AttachParams>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    a.may(Action::Draft)?;
    own(&state, &a, id).await?;
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream");
    let att = documents::attach(
        &state.store,
        &a.user.actor(),
        id,
        &p.name,
        media_type,
        &body,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(json!(att))))
}

async fn get_attachment(
    State(state): State<AppState>,
    a: Authed,
    ApiPath((id, aid)): ApiPath<(i64, i64)>,
) -> ApiResult<Response> {
    visible(&state, &a, id).await?;
    let list = documents::attachments(&state.store, id).await?;
    let att = list
        .into_iter()
        .find(|x| x.id == aid)
        .ok_or_else(ApiError::not_found)?;
    let bytes = documents::attachment_bytes(&state.store, aid).await?;
    let mut resp = bytes_response("application/octet-stream", Some(att.name.clone()), bytes);
    if let Ok(v) = att.media_type.parse() {
        resp.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    Ok(resp)
}

async fn document_references(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    visible(&state, &a, id).await?;
    Ok(Json(json!({
        "cites": documents::references_from(&state.store, id).await?,
        "cited_by": documents::references_to(&state.store, id).await?,
    })))
}

/// The thread a document belongs to: what it cites, back to the first
/// letter, oldest first, then the document itself.
pub async fn thread_of(state: &AppState, d: &Stored) -> ApiResult<Vec<graph::Node>> {
    let Some(number) = d.number.as_deref().and_then(|n| DocNumber::parse(n).ok()) else {
        return Ok(Vec::new());
    };
    let nodes = graph::lookup(&state.store, &number, d.date).await?;
    let Some(start) = nodes.into_iter().next() else {
        return Ok(Vec::new());
    };
    Ok(graph::thread(&state.store, &start, 100).await?)
}

async fn document_thread(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    let d = visible(&state, &a, id).await?;
    Ok(Json(json!({ "thread": thread_of(&state, &d).await? })))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DispatchBody {
    /// Offices or groups: `provinces`, `districts`, `laos`, `next`, codes.
    pub to: String,
    /// A deadline (B.E. or C.E.); by default the letter's own.
    pub deadline: Option<String>,
}

pub async fn dispatch_in(
    state: &AppState,
    a: &Authed,
    id: i64,
    body: &DispatchBody,
) -> ApiResult<Vec<routing::Delivery>> {
    a.may(Action::Dispatch)?;
    own(state, a, id).await?;
    let to = routing::recipients(&state.store, &a.office, &body.to).await?;
    let deadline = match body.deadline.as_deref().filter(|d| !d.trim().is_empty()) {
        Some(d) => Some(parse_any_date("deadline", d)?),
        None => None,
    };
    Ok(routing::dispatch(
        &state.store,
        &a.user.actor(),
        Utc::now(),
        &a.office,
        id,
        &to,
        deadline,
    )
    .await?)
}

async fn dispatch_document(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<DispatchBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let sent = dispatch_in(&state, &a, id, &body).await?;
    Ok((StatusCode::CREATED, Json(json!({ "deliveries": sent }))))
}

/// Tracking is for the letter's issuer, and for offices down its cascade.
pub async fn tracking_of(state: &AppState, a: &Authed, id: i64) -> ApiResult<tracking::Tracking> {
    visible(state, a, id).await?;
    Ok(tracking::track(&state.store, id, a.today()).await?)
}

async fn document_tracking(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(tracking_of(&state, &a, id).await?)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct InboxParams {
    pending: Option<bool>,
    limit: Option<i64>,
}

async fn list_inbox(
    State(state): State<AppState>,
    a: Authed,
    ApiQuery(p): ApiQuery<InboxParams>,
) -> ApiResult<Json<Value>> {
    let items = inbox::inbox(
        &state.store,
        a.office.id,
        a.today(),
        p.pending.unwrap_or(false),
        p.limit.unwrap_or(100).clamp(1, 1000),
    )
    .await?;
    Ok(Json(json!({ "inbox": items })))
}

async fn get_delivery(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(
        routing::get(&state.store, &a.office, id).await?
    )))
}

/// What an office does with a letter delivered to it (forwarding aside).
#[derive(Debug, Clone, Copy)]
pub enum InboxStep<'a> {
    Receive,
    Acknowledge,
    Return(&'a str),
}

/// Registers, acknowledges or returns delivery `id` of the caller's office.
pub async fn inbox_step(
    state: &AppState,
    a: &Authed,
    id: i64,
    step: InboxStep<'_>,
) -> ApiResult<routing::Delivery> {
    a.may(Action::HandleInbox)?;
    let (store, actor, now) = (&state.store, a.user.actor(), Utc::now());
    Ok(match step {
        InboxStep::Receive => routing::receive(store, &actor, now, &a.office, id).await?,
        InboxStep::Acknowledge => routing::acknowledge(store, &actor, now, &a.office, id).await?,
        InboxStep::Return(reason) => {
            routing::return_to_sender(store, &actor, now, &a.office, id, reason).await?
        }
    })
}

async fn receive(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(
        inbox_step(&state, &a, id, InboxStep::Receive).await?
    )))
}

async fn acknowledge(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(
        inbox_step(&state, &a, id, InboxStep::Acknowledge).await?
    )))
}

async fn return_delivery(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> ApiResult<Json<Value>> {
    let step = InboxStep::Return(&body.reason);
    Ok(Json(json!(inbox_step(&state, &a, id, step).await?)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ForwardBody {
    /// Recipients; by default one level down.
    pub to: Option<String>,
    /// A cover letter drafted (and perhaps edited) with `/cover`.
    pub cover: Option<i64>,
}

pub async fn forward_in(
    state: &AppState,
    a: &Authed,
    id: i64,
    body: &ForwardBody,
) -> ApiResult<routing::Forwarded> {
    a.may(Action::HandleInbox)?;
    let to = routing::recipients(
        &state.store,
        &a.office,
        body.to
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .unwrap_or("next"),
    )
    .await?;
    let actor = a.user.actor();
    Ok(match body.cover {
        Some(cover) => {
            own(state, a, cover).await?;
            routing::forward_draft(&state.store, &actor, Utc::now(), &a.office, id, cover, &to)
                .await?
        }
        None => {
            routing::forward(&state.store, &actor, Utc::now(), &a.office, id, Some(&to)).await?
        }
    })
}

async fn forward(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    body: Option<ApiJson<ForwardBody>>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let body = body.map(|b| b.0).unwrap_or_default();
    let f = forward_in(&state, &a, id, &body).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "cover": f.cover, "deliveries": f.deliveries })),
    ))
}

pub async fn cover_in(
    state: &AppState,
    a: &Authed,
    id: i64,
    to: Option<&str>,
) -> ApiResult<Stored> {
    a.may(Action::HandleInbox)?;
    let to = routing::recipients(
        &state.store,
        &a.office,
        to.filter(|t| !t.trim().is_empty()).unwrap_or("next"),
    )
    .await?;
    Ok(routing::draft_forward(
        &state.store,
        &a.user.actor(),
        Utc::now(),
        &a.office,
        id,
        &to,
    )
    .await?)
}

async fn draft_cover(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    body: Option<ApiJson<ForwardBody>>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let to = body.and_then(|b| b.0.to);
    let cover = cover_in(&state, &a, id, to.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(json!(cover))))
}

async fn delivery_letter(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let d = routing::get(&state.store, &a.office, id).await?;
    let pdf = match crate::store::personalise::letter(&state.store, &a.office, id).await {
        Ok(pdf) => pdf,
        Err(_) => {
            let doc = documents::get(&state.store, d.document_id).await?;
            pdf_of(&state, &a, &doc).await?
        }
    };
    Ok(bytes_response("application/pdf", None, pdf))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RegisterParams {
    pub year: Option<i32>,
    pub format: Option<String>,
    pub offset: Option<i64>,
    pub limit: Option<i64>,
}

async fn register(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(kind): ApiPath<String>,
    ApiQuery(p): ApiQuery<RegisterParams>,
) -> ApiResult<Response> {
    a.may(Action::Read)?;
    let kind = RegisterKind::parse(&kind)?;
    let year = p
        .year
        .unwrap_or_else(|| crate::thai::be_year(chrono::Datelike::year(&a.today())));
    let digits = a.office.fields.digits;
    match p.format.as_deref().unwrap_or("json") {
        "json" => {
            let page = Some((
                p.offset.unwrap_or(0).max(0),
                p.limit.unwrap_or(100).clamp(1, 1000),
            ));
            let rows = registers::rows(&state.store, a.office.id, year, kind, page).await?;
            Ok(Json(json!({ "year_be": year, "kind": kind.key(), "rows": rows })).into_response())
        }
        other => {
            let format = Format::parse(other)?;
            let rows = registers::rows(&state.store, a.office.id, year, kind, None).await?;
            let name = format!("{}-{}-{year}", kind.key(), a.office.id);
            let (media, ext, bytes) = match format {
                Format::Csv => (
                    "text/csv; charset=utf-8",
                    "csv",
                    registers::to_csv(&rows, digits),
                ),
                Format::Xlsx => (
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    "xlsx",
                    registers::to_xlsx(&rows, &a.office, kind, year)?,
                ),
                Format::Pdf => {
                    let renderer = state.renderer.clone();
                    let office = a.office.clone();
                    let pdf = tokio::task::spawn_blocking(move || {
                        registers::to_pdf(&rows, &office, kind, year, &renderer)
                    })
                    .await
                    .map_err(|e| {
                        ApiError::new(
                            StatusCode::INTERNAL_SERVER_ERROR,
                            "render_failed",
                            "จัดทำเอกสารไม่สำเร็จ",
                            e.to_string(),
                        )
                    })??;
                    ("application/pdf", "pdf", pdf)
                }
            };
            Ok(bytes_response(media, Some(format!("{name}.{ext}")), bytes))
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OfficeParams {
    under: Option<String>,
}

async fn list_offices(
    State(state): State<AppState>,
    _a: Authed,
    ApiQuery(p): ApiQuery<OfficeParams>,
) -> ApiResult<Json<Value>> {
    let under = match p.under.as_deref().filter(|u| !u.is_empty()) {
        Some(u) => Some(offices::find(&state.store, u).await?.id),
        None => None,
    };
    Ok(Json(
        json!({ "offices": offices::list(&state.store, under).await? }),
    ))
}

async fn get_office(
    State(state): State<AppState>,
    _a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(offices::get(&state.store, id).await?)))
}

async fn list_users(State(state): State<AppState>, a: Authed) -> ApiResult<Json<Value>> {
    a.may(Action::ManageUsers)?;
    Ok(Json(
        json!({ "users": accounts::list(&state.store, None).await? }),
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UserBody {
    pub username: String,
    pub display_name: String,
    pub role: String,
    /// An office code, `#id` or name.
    pub office: String,
}

/// Adds a user with a one-time password, returned once.
pub async fn add_user_in(
    state: &AppState,
    a: &Authed,
    body: &UserBody,
) -> ApiResult<(accounts::User, String)> {
    a.may(Action::ManageUsers)?;
    let role = Role::parse(&body.role)?;
    let office = offices::find(&state.store, &body.office)
        .await
        .map_err(|_| ApiError::invalid("office", "ไม่พบส่วนราชการนี้", "no such office"))?;
    let password = accounts::one_time_password();
    let user = accounts::add(
        &state.store,
        &a.user.actor(),
        &office,
        &NewUser {
            username: body.username.trim(),
            display_name: &body.display_name,
            role,
            password: &password,
            must_change: true,
        },
    )
    .await?;
    Ok((user, password))
}

async fn add_user(
    State(state): State<AppState>,
    a: Authed,
    ApiJson(body): ApiJson<UserBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let (user, password) = add_user_in(&state, &a, &body).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "user": user, "one_time_password": password })),
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TokenBody {
    label: String,
    /// How long the token lasts; 90 days when not given.
    expires_in_days: Option<i64>,
}

async fn add_token(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<TokenBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    a.may(Action::ManageUsers)?;
    let user = accounts::get(&state.store, id)
        .await
        .map_err(|_| ApiError::not_found())?;
    let made = accounts::add_token_for(
        &state.store,
        &a.user.actor(),
        &user,
        &body.label,
        body.expires_in_days,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "token": made.token, "info": made.info })),
    ))
}

/// The user whose tokens these are, if the caller may see them: their own,
/// or anyone's for an administrator. Others get 403; an unknown user 404.
pub async fn token_owner(state: &AppState, a: &Authed, id: i64) -> ApiResult<accounts::User> {
    if a.user.id != id {
        a.may(Action::ManageUsers)?;
    }
    accounts::get(&state.store, id)
        .await
        .map_err(|_| ApiError::not_found())
}

async fn list_tokens(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    let user = token_owner(&state, &a, id).await?;
    Ok(Json(
        json!({ "tokens": accounts::tokens(&state.store, user.id).await? }),
    ))
}

async fn revoke_token(
    State(state): State<AppState>,
    a: Authed,
    ApiPath((id, tid)): ApiPath<(i64, i64)>,
) -> ApiResult<Json<Value>> {
    let user = token_owner(&state, &a, id).await?;
    let revoked = accounts::revoke_token(&state.store, &a.user.actor(), &user, tid)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(json!({ "token": revoked })))
}

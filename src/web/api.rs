//! The JSON API under `/api/v1`, described in `openapi.json`.
//!
//! Handlers are thin: read the request, call the application layer
//! (`crate::app`) as the authenticated caller, answer JSON. The rules live
//! there. Errors are `ApiError`: a code and Thai and English messages.

use axum::Json;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::AppState;
use super::auth::Authed;
use super::error::{ApiJson, ApiPath, ApiQuery, ApiResult};
use super::reply_api;
use crate::app::accounts::NewUserRequest;
use crate::app::deliveries::{DispatchRequest, ForwardRequest, Step};
use crate::app::documents::{Download, NumberRequest, SearchParams, Upload, document_from_json};
use crate::app::intake::IntakeConfirm;
use crate::app::official::Listed;
use crate::app::registers::{export_format, register_kind};
use crate::app::{AttachmentId, DeliveryId, DocumentId, InboxItem, Stored, UserId};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/me", get(me))
        .route(
            "/me/signature",
            get(get_signature)
                .put(put_signature)
                .delete(delete_signature),
        )
        .route("/documents", get(list_documents).post(create_document))
        .route(
            "/documents/{id}",
            get(get_document)
                .put(update_document)
                .delete(delete_document),
        )
        .route("/documents/{id}/number", post(number_document))
        .route("/documents/{id}/cancel", post(cancel_document))
        .route("/documents/{id}/readers", post(name_readers))
        .route("/documents/{id}/replace", post(replace_document))
        .route("/documents/{id}/links", post(link_document))
        .route("/documents/{id}/versions", get(list_versions))
        .route("/documents/{id}/versions/compare", get(compare_versions))
        .route("/alarms", get(list_alarms))
        .route("/documents/{id}/pdf", get(document_pdf))
        .route("/documents/{id}/preview.png", get(document_png))
        .route(
            "/documents/{id}/attachments",
            get(list_attachments).post(add_attachment),
        )
        .route(
            "/documents/{id}/attachments/{aid}",
            get(get_attachment).delete(remove_attachment),
        )
        .route(
            "/documents/{id}/attachments/{aid}/preview.png",
            get(attachment_png),
        )
        .route("/documents/{id}/references", get(document_references))
        .route("/documents/{id}/thread", get(document_thread))
        .route("/documents/{id}/dispatch", post(dispatch_document))
        .route("/documents/{id}/tracking", get(document_tracking))
        .route(
            "/documents/{id}/reply-form",
            get(reply_api::get_form).put(reply_api::put_form),
        )
        .route("/documents/{id}/replies", get(reply_api::list))
        .route("/documents/{id}/replies.xlsx", get(reply_api::xlsx))
        .route("/documents/{id}/replies.csv", get(reply_api::csv))
        .route("/documents/{id}/replies/files/{fid}", get(reply_api::file))
        .route("/documents/{id}/reminder", post(reply_api::reminder))
        .route("/preview", post(preview))
        .route("/lint", post(lint))
        .route("/inbox", get(list_inbox))
        .route("/deliveries/{id}", get(get_delivery))
        .route("/deliveries/{id}/receive", post(receive))
        .route("/deliveries/{id}/forward", post(forward))
        .route("/deliveries/{id}/cover", post(draft_cover))
        .route("/deliveries/{id}/acknowledge", post(acknowledge))
        .route("/deliveries/{id}/return", post(return_delivery))
        .route("/deliveries/{id}/letter.pdf", get(delivery_letter))
        .route("/deliveries/{id}/stamped.pdf", get(delivery_stamped))
        .route("/registers/{kind}", get(register))
        .route("/offices", get(list_offices))
        .route("/offices/{id}", get(get_office))
        .route("/users", get(list_users).post(add_user))
        .route("/users/{id}/tokens", get(list_tokens).post(add_token))
        .route("/users/{id}/tokens/{tid}", delete(revoke_token))
        .merge(super::workflow_api::routes())
        .merge(super::template_api::routes())
        .merge(super::mail_api::routes())
        .route("/intake", post(intake_prefill))
        .route("/intake/register", post(intake_register))
        .route("/received/{id}", get(received_letter))
        .route("/received/{id}/original", get(received_original))
        .route("/received/{id}/stamped.pdf", get(received_stamped))
}

async fn me(a: Authed) -> Json<Value> {
    Json(json!({ "user": a.user, "office": a.office() }))
}

/// `GET /me/signature`: the caller's own signature image, as a download
/// (never shown as a page).
async fn get_signature(State(state): State<AppState>, a: Authed) -> ApiResult<Response> {
    Ok(download(
        state.app.my_signature_image(&a.caller).await?,
        false,
    ))
}

/// `PUT /me/signature` with the image as the body: PNG or JPEG, read from
/// its bytes, never from `Content-Type`.
async fn put_signature(
    State(state): State<AppState>,
    a: Authed,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(
        state.app.set_my_signature(&a.caller, &body).await?
    )))
}

async fn delete_signature(State(state): State<AppState>, a: Authed) -> ApiResult<StatusCode> {
    state.app.remove_my_signature(&a.caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_documents(
    State(state): State<AppState>,
    a: Authed,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> ApiResult<Json<Value>> {
    let docs = state.app.search_listed(&a.caller, &params).await?;
    Ok(Json(
        json!({ "documents": docs.iter().map(listed).collect::<Vec<_>>() }),
    ))
}

/// A listed document: its summary, and the letter that replaced it
/// (`superseded_by`: its number, and its id when the caller may see it).
pub fn listed(l: &Listed) -> Value {
    let mut v = summary(&l.doc);
    v["superseded_by"] = match &l.superseded_by {
        Some(by) => json!({
            "id": by.id,
            "number": by.number,
            "printed_number": by.number.as_deref().map(crate::thai::to_thai_digits),
        }),
        None => Value::Null,
    };
    v["delivery_id"] = json!(l.delivery_id);
    v
}

/// A document without its content, for lists.
pub fn summary(d: &Stored) -> Value {
    let doc = &d.content;
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
        "urgency": doc.urgency(),
        "secrecy": doc.secrecy(),
        "recipient": doc.recipient(),
    })
}

/// `POST /documents` body: the document (render input) and, for a secret
/// one, the usernames of the office who may read it.
#[derive(Debug, Deserialize)]
struct CreateBody {
    document: Value,
    #[serde(default)]
    readers: Vec<String>,
}

async fn create_document(
    State(state): State<AppState>,
    a: Authed,
    ApiJson(body): ApiJson<CreateBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let doc = document_from_json(&body.document)?;
    let stored = state
        .app
        .create_draft(&a.caller, &doc, &body.readers)
        .await?;
    Ok((StatusCode::CREATED, Json(json!(stored))))
}

async fn get_document(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(
        state.app.document(&a.caller, DocumentId(id)).await?
    )))
}

async fn update_document(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<CreateBody>,
) -> ApiResult<Json<Value>> {
    let doc = document_from_json(&body.document)?;
    let d = state
        .app
        .update_draft(&a.caller, DocumentId(id), &doc)
        .await?;
    Ok(Json(json!(d)))
}

async fn delete_document(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    state.app.delete_draft(&a.caller, DocumentId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn number_document(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    body: Option<ApiJson<NumberRequest>>,
) -> ApiResult<Json<Value>> {
    let body = body.map(|b| b.0).unwrap_or_default();
    let (stored, printed) = state.app.number(&a.caller, DocumentId(id), &body).await?;
    Ok(Json(
        json!({ "document": stored, "printed_number": printed }),
    ))
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
    let d = state
        .app
        .cancel(&a.caller, DocumentId(id), &body.reason)
        .await?;
    Ok(Json(json!(d)))
}

#[derive(Debug, Deserialize)]
struct ReadersBody {
    readers: Vec<String>,
}

async fn name_readers(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ReadersBody>,
) -> ApiResult<StatusCode> {
    state
        .app
        .name_readers(&a.caller, DocumentId(id), &body.readers)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A file served to the browser: never rendered as a page. `inline` only
/// for the PDFs and PNGs saraban itself makes.
pub fn file_response(media_type: &str, name: Option<&str>, inline: bool, body: Body) -> Response {
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(media_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let disposition = if inline { "inline" } else { "attachment" };
    let value = match name {
        // RFC 5987 filename*, since names are Thai.
        Some(name) => {
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
            format!("{disposition}; filename*=UTF-8''{encoded}")
        }
        None => disposition.to_string(),
    };
    if let Ok(v) = HeaderValue::from_str(&value) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    (headers, body).into_response()
}

/// A rendered file saraban made (PDF, PNG, a register export).
pub fn download(d: Download, inline: bool) -> Response {
    file_response(&d.media_type, Some(&d.name), inline, Body::from(d.bytes))
}

fn png(bytes: Vec<u8>) -> Response {
    file_response("image/png", None, true, Body::from(bytes))
}

async fn document_pdf(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    Ok(download(
        state.app.pdf(&a.caller, DocumentId(id)).await?,
        true,
    ))
}

async fn delivery_stamped(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    Ok(download(
        state
            .app
            .delivery_stamped(&a.caller, DeliveryId(id))
            .await?,
        false,
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
    let bytes = state
        .app
        .page_png(
            &a.caller,
            DocumentId(id),
            p.page.unwrap_or(1),
            p.dpi.unwrap_or(80.0),
        )
        .await?;
    Ok(png(bytes))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PreviewParams {
    format: Option<String>,
    page: Option<usize>,
    dpi: Option<f32>,
}

/// `POST /preview`: a document (render input) → its first page as PNG, or
/// the whole PDF with `?format=pdf`. Nothing is stored.
async fn preview(
    State(state): State<AppState>,
    a: Authed,
    ApiQuery(p): ApiQuery<PreviewParams>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Response> {
    let doc = document_from_json(&body)?;
    let as_pdf = p.format.as_deref() == Some("pdf");
    let bytes = state
        .app
        .preview(
            &a.caller,
            doc,
            p.page.unwrap_or(1),
            p.dpi.unwrap_or(80.0),
            as_pdf,
        )
        .await?;
    Ok(if as_pdf {
        file_response("application/pdf", None, true, Body::from(bytes))
    } else {
        png(bytes)
    })
}

/// `POST /lint`: a document (render input) → its findings (docs/lint.md).
/// Nothing is stored.
async fn lint(
    State(state): State<AppState>,
    a: Authed,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Json<Value>> {
    let doc = document_from_json(&body)?;
    let findings = state.app.lint(&a.caller, &doc).await?;
    Ok(Json(json!({ "findings": findings })))
}

async fn list_attachments(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    let list = state.app.attachments(&a.caller, DocumentId(id)).await?;
    Ok(Json(json!({ "attachments": list })))
}

#[derive(Debug, Deserialize)]
struct AttachParams {
    name: String,
}

/// `POST /documents/{id}/attachments?name=…` with the file as the body;
/// its type is read from its bytes, not from `Content-Type`.
async fn add_attachment(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<AttachParams>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let file = Upload {
        name: &p.name,
        bytes: &body,
    };
    let att = state.app.attach(&a.caller, DocumentId(id), file).await?;
    Ok((StatusCode::CREATED, Json(json!(att))))
}

/// Removes a file from the caller's own unsent document.
async fn remove_attachment(
    State(state): State<AppState>,
    a: Authed,
    ApiPath((id, aid)): ApiPath<(i64, i64)>,
) -> ApiResult<Json<Value>> {
    let gone = state
        .app
        .detach(&a.caller, DocumentId(id), AttachmentId(aid))
        .await?;
    Ok(Json(json!({ "removed": gone })))
}

/// The first page of a PDF or photo attachment as PNG (`?dpi=`, 60 by
/// default): made by saraban from the file, never the file itself.
async fn attachment_png(
    State(state): State<AppState>,
    a: Authed,
    ApiPath((id, aid)): ApiPath<(i64, i64)>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Response> {
    let bytes = state
        .app
        .attachment_preview(
            &a.caller,
            DocumentId(id),
            AttachmentId(aid),
            p.dpi.unwrap_or(60.0),
        )
        .await?;
    Ok(png(bytes))
}

/// An attachment, always as a download, streamed a chunk at a time.
async fn get_attachment(
    State(state): State<AppState>,
    a: Authed,
    ApiPath((id, aid)): ApiPath<(i64, i64)>,
) -> ApiResult<Response> {
    let s = state
        .app
        .attachment(&a.caller, DocumentId(id), AttachmentId(aid))
        .await?;
    let stream = futures_util::stream::unfold(s.chunks, |mut chunks| async move {
        match chunks.next().await {
            Ok(Some(bytes)) => Some((Ok::<_, std::io::Error>(Bytes::from(bytes)), chunks)),
            Ok(None) => None,
            Err(e) => Some((Err(std::io::Error::other(e.to_string())), chunks)),
        }
    });
    let mut resp = file_response(
        &s.attachment.media_type,
        Some(&s.attachment.name),
        false,
        Body::from_stream(stream),
    );
    if let Ok(v) = HeaderValue::from_str(&s.attachment.size.to_string()) {
        resp.headers_mut().insert(header::CONTENT_LENGTH, v);
    }
    Ok(resp)
}

async fn document_references(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    let (cites, cited_by) = state.app.references(&a.caller, DocumentId(id)).await?;
    Ok(Json(json!({ "cites": cites, "cited_by": cited_by })))
}

async fn document_thread(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    let (_, thread) = state.app.thread(&a.caller, DocumentId(id)).await?;
    Ok(Json(json!({ "thread": thread })))
}

async fn dispatch_document(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<DispatchRequest>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let sent = state.app.dispatch(&a.caller, DocumentId(id), &body).await?;
    Ok((StatusCode::CREATED, Json(json!({ "deliveries": sent }))))
}

async fn document_tracking(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(
        state.app.tracking(&a.caller, DocumentId(id)).await?
    )))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct InboxParams {
    pending: Option<bool>,
    limit: Option<i64>,
}

/// The inbox as the API sends it: serialised straight from the items (no
/// `Value` tree built and walked again; the inbox is the busiest read).
#[derive(Serialize)]
struct InboxPage {
    inbox: Vec<InboxItem>,
}

/// About what one inbox item takes as JSON (1.2 KB in the demo).
const INBOX_ITEM_BYTES: usize = 1280;

/// JSON written into a buffer sized for it up front: axum's `Json` starts
/// at 128 bytes and grows by reallocating, a tenth of an inbox answer.
struct SizedJson<T>(T, usize);

impl<T: Serialize> IntoResponse for SizedJson<T> {
    fn into_response(self) -> Response {
        let mut buf = Vec::with_capacity(self.1);
        match serde_json::to_writer(&mut buf, &self.0) {
            Ok(()) => ([(header::CONTENT_TYPE, "application/json")], buf).into_response(),
            // As `Json` answers a value it cannot serialise.
            Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
        }
    }
}

async fn list_inbox(
    State(state): State<AppState>,
    a: Authed,
    ApiQuery(p): ApiQuery<InboxParams>,
) -> ApiResult<SizedJson<InboxPage>> {
    let items = state
        .app
        .inbox(
            &a.caller,
            p.pending.unwrap_or(false),
            p.limit.unwrap_or(100),
        )
        .await?;
    let size = 16 + items.len() * INBOX_ITEM_BYTES;
    Ok(SizedJson(InboxPage { inbox: items }, size))
}

async fn get_delivery(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    let view = state.app.delivery(&a.caller, DeliveryId(id)).await?;
    // The delivery's own fields at the top, as before, with its heading.
    let mut out = json!(view.delivery);
    out["heading"] = json!(view.heading);
    out["reader"] = json!(view.reader);
    out["attachments"] = json!(view.attachments);
    out["chain"] = json!(view.chain);
    out["overdue"] = json!(view.overdue);
    out["receive"] = json!(view.receive);
    Ok(Json(out))
}

async fn step(state: &AppState, a: &Authed, id: i64, step: Step<'_>) -> ApiResult<Json<Value>> {
    Ok(Json(json!(
        state
            .app
            .inbox_step(&a.caller, DeliveryId(id), step)
            .await?
    )))
}

async fn receive(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    step(&state, &a, id, Step::Receive).await
}

async fn acknowledge(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    step(&state, &a, id, Step::Acknowledge).await
}

async fn return_delivery(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> ApiResult<Json<Value>> {
    step(&state, &a, id, Step::Return(&body.reason)).await
}

async fn forward(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    body: Option<ApiJson<ForwardRequest>>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let body = body.map(|b| b.0).unwrap_or_default();
    let f = state.app.forward(&a.caller, DeliveryId(id), &body).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "cover": f.cover, "deliveries": f.deliveries })),
    ))
}

async fn draft_cover(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    body: Option<ApiJson<ForwardRequest>>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let to = body.and_then(|b| b.0.to);
    let cover = state
        .app
        .draft_cover(&a.caller, DeliveryId(id), to.as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json(json!(cover))))
}

async fn delivery_letter(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let pdf = state.app.delivery_letter(&a.caller, DeliveryId(id)).await?;
    Ok(file_response(
        "application/pdf",
        None,
        true,
        Body::from(pdf),
    ))
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
    let kind = register_kind(&kind)?;
    let year = p.year.unwrap_or_else(|| state.app.this_year_be(&a.caller));
    match p.format.as_deref().unwrap_or("json") {
        "json" => {
            let rows = state
                .app
                .register(
                    &a.caller,
                    kind,
                    year,
                    p.offset.unwrap_or(0),
                    p.limit.unwrap_or(100),
                )
                .await?;
            Ok(Json(json!({ "year_be": year, "kind": kind.key(), "rows": rows })).into_response())
        }
        other => {
            let format = export_format(other)?;
            let file = state
                .app
                .register_export(&a.caller, kind, year, format)
                .await?;
            Ok(download(file, false))
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
    a: Authed,
    ApiQuery(p): ApiQuery<OfficeParams>,
) -> ApiResult<Json<Value>> {
    let list = state.app.offices(&a.caller, p.under.as_deref()).await?;
    Ok(Json(json!({ "offices": list })))
}

async fn get_office(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(state.app.office(&a.caller, id).await?)))
}

async fn list_users(State(state): State<AppState>, a: Authed) -> ApiResult<Json<Value>> {
    Ok(Json(json!({ "users": state.app.users(&a.caller).await? })))
}

async fn add_user(
    State(state): State<AppState>,
    a: Authed,
    ApiJson(body): ApiJson<NewUserRequest>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let (user, password) = state.app.add_user(&a.caller, &body).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "user": user, "one_time_password": password })),
    ))
}

#[derive(Debug, Deserialize)]
struct TokenBody {
    label: String,
    /// Days until it expires (default 90, at most 3650).
    #[serde(default)]
    expires_in_days: Option<i64>,
}

async fn add_token(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<TokenBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let made = state
        .app
        .add_token(&a.caller, UserId(id), &body.label, body.expires_in_days)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "token": made.token, "info": made.info })),
    ))
}

async fn list_tokens(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    let tokens = state.app.tokens(&a.caller, UserId(id)).await?;
    Ok(Json(json!({ "tokens": tokens })))
}

async fn revoke_token(
    State(state): State<AppState>,
    a: Authed,
    ApiPath((id, tid)): ApiPath<(i64, i64)>,
) -> ApiResult<Json<Value>> {
    let revoked = state.app.revoke_token(&a.caller, UserId(id), tid).await?;
    Ok(Json(json!({ "token": revoked })))
}

async fn replace_document(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let draft = state.app.replace(&a.caller, DocumentId(id)).await?;
    Ok((StatusCode::CREATED, Json(json!(draft))))
}

#[derive(Debug, Deserialize)]
struct LinkBody {
    relation: String,
    /// A document of saraban …
    to: Option<i64>,
    /// … or a letter by number and date.
    number: Option<String>,
    date: Option<String>,
}

async fn link_document(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<LinkBody>,
) -> ApiResult<StatusCode> {
    state
        .app
        .link(
            &a.caller,
            DocumentId(id),
            &body.relation,
            body.to.map(DocumentId),
            body.number.as_deref(),
            body.date.as_deref(),
        )
        .await?;
    Ok(StatusCode::CREATED)
}

async fn list_versions(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    let versions = state.app.versions(&a.caller, DocumentId(id)).await?;
    Ok(Json(json!({ "versions": versions })))
}

#[derive(Debug, Deserialize)]
struct CompareParams {
    a: i64,
    b: i64,
}

async fn compare_versions(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<CompareParams>,
) -> ApiResult<Json<Value>> {
    let changes = state
        .app
        .compare_versions(&a.caller, DocumentId(id), p.a, p.b)
        .await?;
    Ok(Json(json!({ "a": p.a, "b": p.b, "changes": changes })))
}

async fn list_alarms(State(state): State<AppState>, a: Authed) -> ApiResult<Json<Value>> {
    Ok(Json(
        json!({ "alarms": state.app.alarms(&a.caller).await? }),
    ))
}

/// Files of a multipart body, each as (name, bytes), from the `file` fields.
pub async fn multipart_files(
    mut form: axum::extract::Multipart,
) -> Result<(Vec<(String, Vec<u8>)>, Vec<(String, String)>), super::error::ApiError> {
    let mut files = Vec::new();
    let mut fields = Vec::new();
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return Err(crate::app::AppError::invalid(
                    "file",
                    "อ่านไฟล์ที่ส่งมาไม่ได้",
                    format!("cannot read the upload: {e}"),
                )
                .into());
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("file").to_string();
            let bytes = field.bytes().await.map_err(|e| {
                super::error::ApiError::from(crate::app::AppError::invalid(
                    "file",
                    "อ่านไฟล์ที่ส่งมาไม่ได้",
                    format!("cannot read the upload: {e}"),
                ))
            })?;
            if !bytes.is_empty() {
                files.push((file_name, bytes.to_vec()));
            }
        } else {
            fields.push((name, field.text().await.unwrap_or_default()));
        }
    }
    Ok((files, fields))
}

/// Files up, pre-filled receive forms back (multipart, `file` fields).
async fn intake_prefill(
    State(state): State<AppState>,
    a: Authed,
    form: axum::extract::Multipart,
) -> ApiResult<Json<Value>> {
    let (files, _) = multipart_files(form).await?;
    let uploads: Vec<Upload> = files
        .iter()
        .map(|(name, bytes)| Upload { name, bytes })
        .collect();
    let read = state.app.intake_prefill(&a.caller, &uploads).await?;
    Ok(Json(json!({ "uploads": read })))
}

#[derive(Deserialize)]
struct RegisterBody {
    letters: Vec<IntakeConfirm>,
}

/// The confirmed fields of uploads registered, all or none.
async fn intake_register(
    State(state): State<AppState>,
    a: Authed,
    ApiJson(body): ApiJson<RegisterBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let done = state.app.intake_register(&a.caller, &body.letters).await?;
    Ok((StatusCode::CREATED, Json(json!({ "received": done }))))
}

async fn received_letter(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(
        state.app.letter_from_outside(&a.caller, id).await?
    )))
}

async fn received_original(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    Ok(download(
        state.app.received_original(&a.caller, id).await?,
        false,
    ))
}

async fn received_stamped(
    State(state): State<AppState>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    Ok(download(
        state.app.received_stamped(&a.caller, id).await?,
        false,
    ))
}

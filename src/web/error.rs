//! Errors as the API sends them: a status, a code, and the message in Thai
//! and English, as JSON (`{"error": {"code", "message_th", "message_en",
//! "field"}}`). Not-yours reads as not-found (404), so that ids of other
//! offices do not leak. The application layer's `AppError` becomes one here,
//! its kind turned into a status.
//!
//! axum's own extractors answer bad input in plain text; the handlers use
//! [`ApiJson`], [`ApiPath`], [`ApiQuery`] and [`ApiForm`] instead, which
//! answer the same statuses (400 malformed, 413 too large, 415 no JSON
//! content type, 422 wrong types) in this shape. [`json_errors`] turns
//! any other non-JSON error under `/api/` (a body over the limit refused by
//! the limit layer, 405, an unknown route) into it too.

use axum::Json;
use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, OptionalFromRequest, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::app::{AppError, Kind};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message_th: String,
    pub message_en: String,
    pub field: Option<String>,
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message_th: &'a str,
    message_en: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        th: impl Into<String>,
        en: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            code,
            message_th: th.into(),
            message_en: en.into(),
            field: None,
        }
    }

    pub fn unauthenticated() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "กรุณาเข้าสู่ระบบ",
            "log in or send a bearer token",
        )
    }

    pub fn forbidden() -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "บทบาทของท่านทำรายการนี้ไม่ได้",
            "your role may not do this",
        )
    }

    pub fn not_found() -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "ไม่พบรายการที่ขอ",
            "not found",
        )
    }

    pub fn csrf() -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "แบบฟอร์มหมดอายุหรือไม่ถูกต้อง กรุณาโหลดหน้าใหม่",
            "missing or wrong CSRF token; reload the page",
        )
    }

    pub fn invalid(field: &str, th: impl Into<String>, en: impl Into<String>) -> ApiError {
        let mut e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", th, en);
        e.field = Some(field.to_string());
        e
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> ApiError {
        let status = match e.kind {
            Kind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            Kind::NotFound => StatusCode::NOT_FOUND,
            Kind::Forbidden => StatusCode::FORBIDDEN,
            Kind::Conflict => StatusCode::CONFLICT,
            Kind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Kind::Unauthenticated => StatusCode::UNAUTHORIZED,
            Kind::TooMany => StatusCode::TOO_MANY_REQUESTS,
            Kind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Kind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError {
            status,
            code: e.code,
            message_th: e.message_th,
            message_en: e.message_en,
            field: e.field,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            error: Inner {
                code: self.code,
                message_th: &self.message_th,
                message_en: &self.message_en,
                field: self.field.as_deref(),
            },
        };
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            // Busy, not broken: a client may try again shortly.
            return (
                self.status,
                [(axum::http::header::RETRY_AFTER, "2")],
                Json(body),
            )
                .into_response();
        }
        (self.status, Json(body)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The field a serde message names (`document.main: missing field …`).
fn field_of(detail: &str) -> Option<String> {
    let rest = detail.rsplit_once("target type: ").map_or(detail, |x| x.1);
    let (path, _) = rest.split_once(": ")?;
    (!path.is_empty() && !path.contains(' ') && path != ".").then(|| path.to_string())
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> ApiError {
        let status = r.status();
        let detail = r.body_text();
        let (code, th) = match &r {
            JsonRejection::JsonDataError(_) => ("invalid_json", "ข้อมูล JSON มีค่าหรือชนิดข้อมูลไม่ถูกต้อง"),
            JsonRejection::JsonSyntaxError(_) => ("malformed_json", "ข้อมูล JSON ผิดรูปแบบ"),
            JsonRejection::MissingJsonContentType(_) => (
                "unsupported_media_type",
                "ต้องส่งข้อมูลเป็น JSON (Content-Type: application/json)",
            ),
            _ if status == StatusCode::PAYLOAD_TOO_LARGE => {
                ("payload_too_large", "ข้อมูลที่ส่งมีขนาดใหญ่เกินกำหนด")
            }
            _ => ("bad_request", "อ่านข้อมูลที่ส่งมาไม่ได้"),
        };
        let mut e = ApiError::new(status, code, th, detail.clone());
        if matches!(r, JsonRejection::JsonDataError(_)) {
            e.field = field_of(&detail);
        }
        e
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> ApiError {
        use axum::extract::path::ErrorKind;
        let mut e = ApiError::new(
            r.status(),
            "bad_path",
            "ที่อยู่ (URL) ไม่ถูกต้อง เช่น เลขรายการต้องเป็นตัวเลข",
            r.body_text(),
        );
        if let PathRejection::FailedToDeserializePathParams(inner) = &r
            && let ErrorKind::ParseErrorAtKey { key, .. }
            | ErrorKind::InvalidUtf8InPathParam { key }
            | ErrorKind::DeserializeError { key, .. } = inner.kind()
        {
            e.field = Some(key.clone());
        }
        e
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> ApiError {
        let detail = r.body_text();
        let mut e = ApiError::new(
            r.status(),
            "bad_query",
            "พารามิเตอร์ในที่อยู่ (query string) ไม่ถูกต้อง",
            detail.clone(),
        );
        e.field = field_of(&detail);
        e
    }
}

impl From<FormRejection> for ApiError {
    fn from(r: FormRejection) -> ApiError {
        let status = r.status();
        let code = match status {
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
            StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
            _ => "bad_form",
        };
        ApiError::new(status, code, "ข้อมูลแบบฟอร์มไม่ถูกต้อง", r.body_text())
    }
}

/// `Json<T>` whose rejections are [`ApiError`]s.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        <Json<T> as FromRequest<S>>::from_request(req, state)
            .await
            .map(|Json(v)| ApiJson(v))
            .map_err(ApiError::from)
    }
}

/// `Option<ApiJson<T>>`: `None` without a body's content type.
impl<T: DeserializeOwned, S: Send + Sync> OptionalFromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Option<Self>, ApiError> {
        <Json<T> as OptionalFromRequest<S>>::from_request(req, state)
            .await
            .map(|o| o.map(|Json(v)| ApiJson(v)))
            .map_err(ApiError::from)
    }
}

/// `Path<T>` whose rejections are [`ApiError`]s.
#[derive(Debug, Clone, Copy)]
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(p) => Ok(ApiPath(p.0)),
            Err(r) => {
                // A single value (`Path<i64>`) fails without naming its key:
                // find the parameter that holds the value that failed.
                let value = match &r {
                    PathRejection::FailedToDeserializePathParams(inner) => match inner.kind() {
                        axum::extract::path::ErrorKind::ParseError { value, .. } => {
                            Some(value.clone())
                        }
                        _ => None,
                    },
                    _ => None,
                };
                let mut e = ApiError::from(r);
                if let (None, Some(value)) = (&e.field, value)
                    && let Ok(raw) =
                        axum::extract::RawPathParams::from_request_parts(parts, state).await
                {
                    e.field = raw
                        .iter()
                        .find(|(_, v)| *v == value)
                        .map(|(k, _)| k.to_string());
                }
                Err(e)
            }
        }
    }
}

/// `Query<T>` whose rejections are [`ApiError`]s.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(ApiError::from)
    }
}

/// `Form<T>` whose rejections are [`ApiError`]s.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiForm<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        axum::Form::<T>::from_request(req, state)
            .await
            .map(|f| ApiForm(f.0))
            .map_err(ApiError::from)
    }
}

/// The answer to a path nothing serves: JSON under `/api/`, a short page
/// elsewhere.
pub async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "no_route",
            "ไม่มีบริการที่ที่อยู่นี้",
            format!("no route {}", uri.path()),
        )
        .into_response()
    } else {
        (
            StatusCode::NOT_FOUND,
            axum::response::Html(
                "<!doctype html><html lang=\"th\"><meta charset=\"utf-8\"><title>ไม่พบหน้า</title>\
                 <p>ไม่พบหน้าที่ขอ (page not found). <a href=\"/\">หน้าแรก</a></p></html>",
            ),
        )
            .into_response()
    }
}

/// An error answered under `/api/` that is not already JSON (the body
/// limit's 413, 405 with its `Allow`, a timeout) in the API's error shape
/// with the same status (applied by [`super::finish`]).
pub fn json_errors(resp: Response) -> Response {
    let status = resp.status();
    let json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if json {
        return resp;
    }
    let (code, th, en) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (
            "payload_too_large",
            "ข้อมูลที่ส่งมีขนาดใหญ่เกินกำหนด",
            "the request body is too large",
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "ที่อยู่นี้ไม่รับคำขอแบบนี้",
            "this method is not allowed here",
        ),
        StatusCode::NOT_FOUND => ("no_route", "ไม่มีบริการที่ที่อยู่นี้", "no such route"),
        StatusCode::REQUEST_TIMEOUT => ("timeout", "หมดเวลารอ", "the request timed out"),
        s if s.is_server_error() => (
            "internal",
            "ระบบขัดข้อง กรุณาลองใหม่",
            "internal error; try again",
        ),
        _ => ("bad_request", "คำขอไม่ถูกต้อง", "bad request"),
    };
    let mut out = ApiError::new(status, code, th, en).into_response();
    if let Some(allow) = resp.headers().get(header::ALLOW) {
        out.headers_mut().insert(header::ALLOW, allow.clone());
    }
    out
}

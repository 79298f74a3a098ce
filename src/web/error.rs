//! Errors as the API sends them: a status, a code, and the message in Thai
//! and English, as JSON. Not-yours reads as not-found (404), so that ids of
//! other offices do not leak.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::store::StoreError;

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

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        let status = match &e {
            StoreError::UnknownDocument(_)
            | StoreError::UnknownDelivery(_)
            | StoreError::UnknownOffice(_) => StatusCode::NOT_FOUND,
            StoreError::Duplicate { .. }
            | StoreError::IllegalTransition { .. }
            | StoreError::Frozen { .. } => StatusCode::CONFLICT,
            StoreError::Connect(..) | StoreError::Migrate(_) | StoreError::Database(_) => {
                tracing::error!(error = %e, "store failure");
                StatusCode::INTERNAL_SERVER_ERROR
            }
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        let (th, en) = e.messages();
        ApiError {
            status,
            code: e.code(),
            message_th: th,
            message_en: en,
            field: e.field().map(str::to_string),
        }
    }
}

impl From<crate::model::InputError> for ApiError {
    fn from(e: crate::model::InputError) -> ApiError {
        match e {
            crate::model::InputError::Fields(errors) => {
                let first = &errors[0];
                let mut out = ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid",
                    format!("{}: {}", first.field, first.message_th),
                    format!("{}: {}", first.field, first.message_en),
                );
                out.field = Some(first.field.clone());
                out
            }
            crate::model::InputError::Json(msg) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_json",
                format!("ข้อมูล JSON ไม่ถูกต้อง: {msg}"),
                format!("invalid JSON: {msg}"),
            ),
        }
    }
}

impl From<crate::render::RenderError> for ApiError {
    fn from(e: crate::render::RenderError) -> ApiError {
        match e {
            crate::render::RenderError::Field(f) => {
                let mut out = ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid",
                    f.message_th,
                    f.message_en,
                );
                out.field = Some(f.field);
                out
            }
            other => {
                tracing::error!(error = %other, "render failure");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "render_failed",
                    "จัดทำเอกสารไม่สำเร็จ",
                    other.to_string(),
                )
            }
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
        (self.status, Json(body)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

//! The application layer's one error: what went wrong as a kind (which
//! each entry point turns into an HTTP status or an exit code), a short
//! code, the message in Thai and in English, and the field it is about.

use crate::model::{FieldError, InputError};
use crate::render::RenderError;
use crate::store::StoreError;

/// What sort of failure, independent of HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Bad input: a field is missing or wrong.
    Invalid,
    /// Not there, or not the caller's to see (the two read the same).
    NotFound,
    /// The caller's role may not do this.
    Forbidden,
    /// The document's or delivery's state does not allow it.
    Conflict,
    /// More than the quota allows.
    TooLarge,
    /// Not logged in.
    Unauthenticated,
    /// Too many attempts; try later.
    TooMany,
    /// The database is busy or away for now; try again.
    Unavailable,
    /// The database or a renderer failed.
    Internal,
}

/// An error as every entry point reports it.
#[derive(Debug, Clone)]
pub struct AppError {
    pub kind: Kind,
    pub code: &'static str,
    pub message_th: String,
    pub message_en: String,
    pub field: Option<String>,
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message_th, self.message_en)
    }
}

impl std::error::Error for AppError {}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(
        kind: Kind,
        code: &'static str,
        th: impl Into<String>,
        en: impl Into<String>,
    ) -> AppError {
        AppError {
            kind,
            code,
            message_th: th.into(),
            message_en: en.into(),
            field: None,
        }
    }

    /// Bad input in `field`.
    pub fn invalid(field: &str, th: impl Into<String>, en: impl Into<String>) -> AppError {
        AppError::new(Kind::Invalid, "invalid", th, en).on(field)
    }

    /// The same error, about `field`.
    pub fn on(mut self, field: &str) -> AppError {
        self.field = Some(field.to_string());
        self
    }

    pub fn not_found() -> AppError {
        AppError::new(Kind::NotFound, "not_found", "ไม่พบรายการที่ขอ", "not found")
    }

    pub fn forbidden() -> AppError {
        AppError::new(
            Kind::Forbidden,
            "forbidden",
            "บทบาทของท่านทำรายการนี้ไม่ได้",
            "your role may not do this",
        )
    }

    /// A secret letter acted on by someone not named on it.
    pub fn not_a_reader() -> AppError {
        AppError::new(
            Kind::Forbidden,
            "not_a_reader",
            "หนังสือลับ เฉพาะผู้มีชื่อเป็นผู้อ่านเท่านั้นที่ดำเนินการได้ ท่านลงทะเบียนรับได้อย่างเดียว",
            "a secret letter: only its named readers act on it; others may only register its arrival",
        )
    }

    pub fn top_secret() -> AppError {
        AppError::new(
            Kind::Invalid,
            "top_secret",
            "หนังสือลับที่สุดต้องไม่ส่งหรือเก็บในระบบสารบรรณอิเล็กทรอนิกส์ ให้ดำเนินการทางกระดาษตามระเบียบว่าด้วยการรักษาความลับของทางราชการ",
            "ลับที่สุด (top secret) letters are kept off electronic saraban; handle them on paper",
        )
        .on("secrecy")
    }

    pub fn internal(th: impl Into<String>, en: impl Into<String>) -> AppError {
        AppError::new(Kind::Internal, "internal", th, en)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        let kind = match &e {
            StoreError::UnknownDocument(_)
            | StoreError::UnknownDelivery(_)
            | StoreError::UnknownOffice(_) => Kind::NotFound,
            StoreError::Duplicate { .. }
            | StoreError::IllegalTransition { .. }
            | StoreError::Frozen { .. } => Kind::Conflict,
            StoreError::Busy(_) | StoreError::Serialization(_) => {
                tracing::warn!(error = %e, "store busy");
                Kind::Unavailable
            }
            StoreError::StorageFull(_) => {
                tracing::error!(error = %e, "the database's disk is full");
                Kind::Unavailable
            }
            StoreError::Connect(..)
            | StoreError::Migrate(_)
            | StoreError::Database(_)
            | StoreError::Corrupt { .. } => {
                tracing::error!(error = %e, "store failure");
                Kind::Internal
            }
            _ => Kind::Invalid,
        };
        let (th, en) = e.messages();
        AppError {
            kind,
            code: e.code(),
            message_th: th,
            message_en: en,
            field: e.field().map(str::to_string),
        }
    }
}

impl From<FieldError> for AppError {
    fn from(f: FieldError) -> AppError {
        AppError::invalid(&f.field.clone(), f.message_th, f.message_en)
    }
}

impl From<InputError> for AppError {
    fn from(e: InputError) -> AppError {
        match e {
            InputError::Fields(errors) => {
                let first = &errors[0];
                AppError::invalid(
                    &first.field,
                    format!("{}: {}", first.field, first.message_th),
                    format!("{}: {}", first.field, first.message_en),
                )
            }
            InputError::Json(msg) => AppError::new(
                Kind::Invalid,
                "invalid_json",
                format!("ข้อมูล JSON ไม่ถูกต้อง: {msg}"),
                format!("invalid JSON: {msg}"),
            ),
        }
    }
}

impl From<RenderError> for AppError {
    fn from(e: RenderError) -> AppError {
        match e {
            RenderError::Field(f) => AppError::from(f),
            other => {
                tracing::error!(error = %other, "render failure");
                AppError::new(
                    Kind::Internal,
                    "render_failed",
                    "จัดทำเอกสารไม่สำเร็จ",
                    other.to_string(),
                )
            }
        }
    }
}

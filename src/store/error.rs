//! What can go wrong in the registry, in Thai and English.

use crate::model::FieldError;

/// A registry error. `message_th` / `message_en` are what users read; the
/// `Display` form carries both.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("เปิดฐานข้อมูล {0} ไม่ได้ (cannot open database {0}): {1}")]
    Connect(String, String),
    #[error("ปรับโครงสร้างฐานข้อมูลไม่สำเร็จ (migration failed): {0}")]
    Migrate(String),
    #[error("ไม่พบส่วนราชการ “{0}” (unknown office “{0}”)")]
    UnknownOffice(String),
    #[error(
        "ไม่รู้จักชุดเลขทะเบียน “{0}” (unknown series “{0}”; use normal, circular, order, announcement or receive)"
    )]
    UnknownSeries(String),
    #[error("ไม่พบหนังสือเลขที่ {0} ในระบบ (unknown document {0})")]
    UnknownDocument(i64),
    /// A delivery that does not exist, or is not the acting office's: the
    /// two read the same, so ids of other offices do not leak.
    #[error("ไม่พบรายการส่งหนังสือ {0} ของส่วนราชการนี้ (no delivery {0} for this office)")]
    UnknownDelivery(i64),
    #[error(
        "ส่วนราชการ “{0}” ไม่มีรหัสพยัญชนะและเลขประจำส่วนราชการ จึงออกเลขหนังสือไม่ได้ (office “{0}” has no letter code and unit number, so it cannot number letters)"
    )]
    NoLetterCode(String),
    #[error("หนังสือสถานะ{from_th}เปลี่ยนเป็น{to_th}ไม่ได้ (a {from} document cannot become {to})")]
    IllegalTransition {
        from: &'static str,
        to: &'static str,
        from_th: &'static str,
        to_th: &'static str,
    },
    #[error(
        "แก้ไข{field_th}ไม่ได้ เพราะหนังสือออกเลขแล้ว (the {field} is frozen once the document is numbered)"
    )]
    Frozen {
        field: &'static str,
        field_th: &'static str,
    },
    #[error("{0}")]
    Invalid(FieldError),
    #[error("ข้อมูลซ้ำ: {th} (duplicate: {en})")]
    Duplicate { th: String, en: String },
    #[error("{th} ({en})")]
    Rejected { th: String, en: String },
    #[error("ฐานข้อมูลขัดข้อง (database error): {0}")]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    pub fn invalid(field: &str, th: &str, en: &str) -> StoreError {
        StoreError::Invalid(FieldError::new(field, th, en))
    }

    pub fn rejected(th: impl Into<String>, en: impl Into<String>) -> StoreError {
        StoreError::Rejected {
            th: th.into(),
            en: en.into(),
        }
    }

    pub fn duplicate(th: impl Into<String>, en: impl Into<String>) -> StoreError {
        StoreError::Duplicate {
            th: th.into(),
            en: en.into(),
        }
    }

    /// The message in Thai and in English, apart (the API sends both).
    pub fn messages(&self) -> (String, String) {
        match self {
            StoreError::Invalid(e) => (e.message_th.clone(), e.message_en.clone()),
            StoreError::Duplicate { th, en } => {
                (format!("ข้อมูลซ้ำ: {th}"), format!("duplicate: {en}"))
            }
            StoreError::Rejected { th, en } => (th.clone(), en.clone()),
            StoreError::Database(e) => ("ฐานข้อมูลขัดข้อง".into(), format!("database error: {e}")),
            other => {
                // "ไทย (English)…": the English is the last parenthesis that
                // opens before the Thai ends.
                let text = other.to_string();
                match text.find(" (") {
                    Some(i) => {
                        let th = text[..i].to_string();
                        let rest = &text[i + 2..];
                        let en = rest.replacen(')', "", 1);
                        (th, en)
                    }
                    None => (text.clone(), text),
                }
            }
        }
    }

    /// The field an `Invalid` error names.
    pub fn field(&self) -> Option<&str> {
        match self {
            StoreError::Invalid(e) => Some(&e.field),
            _ => None,
        }
    }

    /// A short machine-readable code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Connect(..) => "database_unavailable",
            StoreError::Migrate(_) => "migration_failed",
            StoreError::UnknownOffice(_) => "unknown_office",
            StoreError::UnknownSeries(_) => "unknown_series",
            StoreError::UnknownDocument(_) | StoreError::UnknownDelivery(_) => "not_found",
            StoreError::NoLetterCode(_) => "no_letter_code",
            StoreError::IllegalTransition { .. } => "illegal_transition",
            StoreError::Frozen { .. } => "frozen_field",
            StoreError::Invalid(_) => "invalid",
            StoreError::Duplicate { .. } => "duplicate",
            StoreError::Rejected { .. } => "rejected",
            StoreError::Database(_) => "database_error",
        }
    }
}

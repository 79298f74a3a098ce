//! What can go wrong in the registry, in Thai and English.

use crate::model::FieldError;

/// A registry error. `messages()` gives what users read, in Thai and in
/// English, as separate texts (the API sends both; the CLI prints
/// "Thai (English)"); nothing is recovered by cutting a formatted string.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.display())]
pub enum StoreError {
    Connect(String, String),
    Migrate(String),
    UnknownOffice(String),
    UnknownSeries(String),
    UnknownDocument(i64),
    /// A delivery that does not exist, or is not the acting office's: the
    /// two read the same, so ids of other offices do not leak.
    UnknownDelivery(i64),
    NoLetterCode(String),
    IllegalTransition {
        from: &'static str,
        to: &'static str,
        from_th: &'static str,
        to_th: &'static str,
    },
    Frozen {
        field: &'static str,
        field_th: &'static str,
    },
    Invalid(FieldError),
    Duplicate {
        th: String,
        en: String,
    },
    Rejected {
        th: String,
        en: String,
    },
    /// Text stored in a state or kind column that this version does not
    /// know: an error, never a silent default.
    Corrupt {
        column: &'static str,
        value: String,
    },
    /// The database could not take the work in time: every connection
    /// busy past the wait, a statement past its timeout, a lock held by
    /// another process, a serialisation conflict that kept coming back, or
    /// the server going away. The caller may try again.
    Busy(String),
    /// The transaction lost a serialisation conflict or a deadlock
    /// (SQLSTATE 40001, 40P01): run again, it may well pass
    /// ([`crate::store::Store::retrying`]); still failing, it reads as busy.
    Serialization(String),
    /// The disk under the database is full (SQLITE_FULL, SQLSTATE 53100):
    /// nothing was stored; writes pass again once there is room.
    StorageFull(String),
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    /// Errors the caller can wait out become [`StoreError::Busy`].
    fn from(e: sqlx::Error) -> StoreError {
        let code = match &e {
            sqlx::Error::Database(db) => db.code().map(|c| c.into_owned()),
            _ => None,
        };
        if matches!(code.as_deref(), Some("40001" | "40P01")) {
            StoreError::Serialization(e.to_string())
        } else if matches!(code.as_deref(), Some("13" | "53100")) {
            StoreError::StorageFull(e.to_string())
        } else if is_transient(&e) {
            StoreError::Busy(e.to_string())
        } else {
            StoreError::Database(e)
        }
    }
}

/// Whether `e` says "not now" rather than "never": pool exhausted or
/// closed, connection lost, statement timeout or cancel (57014), admin
/// shutdown or start-up (57P01–57P03), connection exceptions (08…),
/// serialisation failure or deadlock (40001, 40P01), SQLite busy or locked.
pub fn is_transient(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            matches!(code.as_ref(), "57014" | "57P01" | "57P02" | "57P03" | "40001" | "40P01")
                || code.starts_with("08")
                // SQLite: SQLITE_BUSY (5) and SQLITE_LOCKED (6), with
                // their extended codes.
                || matches!(code.as_ref(), "5" | "6" | "261" | "517" | "262")
                || db.message().contains("database is locked")
        }
        _ => false,
    }
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
            StoreError::Connect(db, e) => (
                format!("เปิดฐานข้อมูล {db} ไม่ได้: {e}"),
                format!("cannot open database {db}: {e}"),
            ),
            StoreError::Migrate(e) => (
                format!("ปรับโครงสร้างฐานข้อมูลไม่สำเร็จ: {e}"),
                format!("migration failed: {e}"),
            ),
            StoreError::UnknownOffice(o) => (
                format!("ไม่พบส่วนราชการ “{o}”"),
                format!("unknown office “{o}”"),
            ),
            StoreError::UnknownSeries(s) => (
                format!("ไม่รู้จักชุดเลขทะเบียน “{s}”"),
                format!(
                    "unknown series “{s}”; use normal, circular, order, announcement or receive"
                ),
            ),
            StoreError::UnknownDocument(id) => (
                format!("ไม่พบหนังสือเลขที่ {id} ในระบบ"),
                format!("unknown document {id}"),
            ),
            StoreError::UnknownDelivery(id) => (
                format!("ไม่พบรายการส่งหนังสือ {id} ของส่วนราชการนี้"),
                format!("no delivery {id} for this office"),
            ),
            StoreError::NoLetterCode(o) => (
                format!("ส่วนราชการ “{o}” ไม่มีรหัสพยัญชนะและเลขประจำส่วนราชการ จึงออกเลขหนังสือไม่ได้"),
                format!(
                    "office “{o}” has no letter code and unit number, so it cannot number letters"
                ),
            ),
            StoreError::IllegalTransition {
                from,
                to,
                from_th,
                to_th,
            } => (
                format!("หนังสือสถานะ{from_th}เปลี่ยนเป็น{to_th}ไม่ได้"),
                format!("a {from} document cannot become {to}"),
            ),
            StoreError::Frozen { field, field_th } => (
                format!("แก้ไข{field_th}ไม่ได้ เพราะหนังสือออกเลขแล้ว"),
                format!("the {field} is frozen once the document is numbered"),
            ),
            StoreError::Invalid(e) => (e.message_th.clone(), e.message_en.clone()),
            StoreError::Duplicate { th, en } => {
                (format!("ข้อมูลซ้ำ: {th}"), format!("duplicate: {en}"))
            }
            StoreError::Rejected { th, en } => (th.clone(), en.clone()),
            StoreError::Corrupt { column, value } => (
                format!("ข้อมูลในฐานข้อมูลไม่ถูกต้อง: {column} = “{value}”"),
                format!("unexpected value in the database: {column} = “{value}”"),
            ),
            StoreError::Busy(e) | StoreError::Serialization(e) => (
                "ขณะนี้ระบบมีงานค้างมาก หรือฐานข้อมูลไม่พร้อม ยังไม่ได้บันทึกสิ่งใด กรุณาลองใหม่อีกครั้งในอีกสักครู่".into(),
                format!(
                    "the database is busy or unavailable; nothing was saved, please try again shortly ({e})"
                ),
            ),
            StoreError::StorageFull(e) => (
                "พื้นที่จัดเก็บของฐานข้อมูลเต็ม ยังไม่ได้บันทึกสิ่งใด โปรดแจ้งผู้ดูแลระบบ แล้วลองใหม่".into(),
                format!(
                    "the database's disk is full; nothing was saved: tell the administrator, then try again ({e})"
                ),
            ),
            StoreError::Database(e) => ("ฐานข้อมูลขัดข้อง".into(), format!("database error: {e}")),
        }
    }

    /// "Thai (English)", as the CLI prints it.
    fn display(&self) -> String {
        let (th, en) = self.messages();
        format!("{th} ({en})")
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
            StoreError::Corrupt { .. } => "corrupt_data",
            StoreError::Busy(_) | StoreError::Serialization(_) => "database_busy",
            StoreError::StorageFull(_) => "storage_full",
            StoreError::Database(_) => "database_error",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::StoreError;

    #[test]
    fn messages_are_whole_whatever_the_names_hold() {
        let (th, en) = StoreError::UnknownOffice("กค (กวจ) 0405.2".into()).messages();
        assert_eq!(th, "ไม่พบส่วนราชการ “กค (กวจ) 0405.2”");
        assert_eq!(en, "unknown office “กค (กวจ) 0405.2”");
        let e = StoreError::UnknownOffice("กค (กวจ) 0405.2".into());
        assert_eq!(e.to_string(), format!("{th} ({en})"));
    }

    #[test]
    fn unknown_states_are_errors_not_defaults() {
        use crate::store::documents::State;
        use crate::store::routing::DeliveryState;
        assert!(matches!(
            State::parse("bogus"),
            Err(StoreError::Corrupt { .. })
        ));
        assert_eq!(State::parse("draft").unwrap(), State::Draft);
        assert!(matches!(
            DeliveryState::parse("archived"),
            Err(StoreError::Corrupt { .. })
        ));
        assert_eq!(DeliveryState::parse("sent").unwrap(), DeliveryState::Sent);
    }
}

//! E-mail in and out (issue 18 §3), through the office's central mailbox
//! (ที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลาง, ระเบียบงานสารบรรณ ฉบับที่ ๔ พ.ศ. ๒๕๖๔):
//!
//! - `settings`: the mailbox (SMTP and IMAP per office; the password given
//!   as `env:VAR` or `file:/path`, read when used, never stored), whether
//!   an office is outside saraban, users' addresses.
//! - `send`: a dispatched letter to an office outside saraban, or to any
//!   office "by e-mail", goes from the mailbox with its official PDF and
//!   enclosures; the delivery records the Message-ID. Secret letters never
//!   go by e-mail.
//! - `fetch`: new messages over IMAP (on demand, and on a schedule in
//!   `serve`); a reply or a bounce is recorded on its delivery, a letter
//!   waits for the clerk, who registers it through the intake or dismisses
//!   it.
//! - `notices`: work given to people (issue 19) by e-mail: urgent letters
//!   at once, the rest in a daily digest.
//!
//! Network I/O (`crate::mailer`) happens outside any transaction; what it
//! did is recorded after, in one audited transaction.

pub mod fetch;
pub mod notices;
pub mod schedule;
pub mod send;
pub mod settings;

pub use crate::mailer::Security;
pub use crate::store::mail::{MailDelivery, MailMessage, MailSettings};
pub use fetch::FetchReport;
pub use settings::{MailSettingsInput, MailSettingsView};

pub(crate) use super::error::{AppError, AppResult, Kind};

/// A mail server's failure as the caller sees it.
pub(crate) fn mail_failed(e: impl std::fmt::Display) -> AppError {
    AppError::new(
        Kind::Conflict,
        "mail_failed",
        format!("ติดต่อเครื่องแม่ข่ายอีเมลไม่สำเร็จ: {e}"),
        format!("the mail server could not be reached: {e}"),
    )
}

/// The secret a password reference names: `env:VAR` or `file:/path`
/// (its first line).
pub(crate) fn resolve_password(reference: &str) -> AppResult<String> {
    let missing = |what: &str| {
        AppError::new(
            Kind::Conflict,
            "mail_password_missing",
            format!("ไม่พบรหัสผ่านตู้อีเมลกลาง ({what})"),
            format!("the mailbox password was not found ({what})"),
        )
    };
    if reference.is_empty() {
        return Ok(String::new());
    }
    if let Some(var) = reference.strip_prefix("env:") {
        return std::env::var(var).map_err(|_| missing(reference));
    }
    if let Some(path) = reference.strip_prefix("file:") {
        let text = std::fs::read_to_string(path).map_err(|_| missing(reference))?;
        return Ok(text.lines().next().unwrap_or_default().to_string());
    }
    Err(missing(reference))
}

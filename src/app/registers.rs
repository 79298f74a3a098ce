//! The send and receive registers of the caller's office, by B.E. year:
//! rows for a page, or the whole year as CSV, XLSX or PDF. Secret letters'
//! subjects are blank for users not named as their readers.

use chrono::Datelike;

use super::documents::Download;
use super::error::{AppError, AppResult};
use super::{Action, App, Caller, Format, RegisterKind, RegisterRow};
use crate::store::registers;

impl App {
    /// The B.E. year a register page shows by default: this year.
    pub fn this_year_be(&self, c: &Caller) -> i32 {
        crate::thai::be_year(c.today().year())
    }

    /// Rows `offset..offset+limit` of one register year.
    pub async fn register(
        &self,
        c: &Caller,
        kind: RegisterKind,
        year_be: i32,
        offset: i64,
        limit: i64,
    ) -> AppResult<Vec<RegisterRow>> {
        c.may(Action::Read)?;
        check_year(year_be)?;
        Ok(registers::rows_seen_by(
            self.store(),
            &c.viewer(),
            year_be,
            kind,
            Some((offset.max(0), limit.clamp(1, 1000))),
        )
        .await?)
    }

    /// One register year as a file.
    pub async fn register_export(
        &self,
        c: &Caller,
        kind: RegisterKind,
        year_be: i32,
        format: Format,
    ) -> AppResult<Download> {
        c.may(Action::Read)?;
        check_year(year_be)?;
        let rows = registers::rows_seen_by(self.store(), &c.viewer(), year_be, kind, None).await?;
        let name = format!("{}-{}-{year_be}", kind.key(), c.office.id);
        let (media, ext, bytes) = match format {
            Format::Csv => (
                "text/csv; charset=utf-8",
                "csv",
                registers::to_csv(&rows, c.office.fields.digits),
            ),
            Format::Xlsx => (
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
                registers::to_xlsx(&rows, &c.office, kind, year_be)?,
            ),
            Format::Pdf => {
                let office = c.office.clone();
                let pdf = self
                    .rendering(move |r| Ok(registers::to_pdf(&rows, &office, kind, year_be, r)?))
                    .await?;
                ("application/pdf", "pdf", pdf)
            }
        };
        Ok(Download {
            name: format!("{name}.{ext}"),
            media_type: media.into(),
            bytes,
        })
    }
}

/// A register year the regulation's registers could hold (B.E.).
fn check_year(year_be: i32) -> AppResult<()> {
    if (2400..=2800).contains(&year_be) {
        Ok(())
    } else {
        Err(AppError::invalid(
            "year",
            "ปี พ.ศ. ไม่ถูกต้อง",
            "not a B.E. year (2400-2800)",
        ))
    }
}

/// A register's kind by its key (`send`, `receive`).
pub fn register_kind(text: &str) -> AppResult<RegisterKind> {
    Ok(RegisterKind::parse(text)?)
}

/// An export format by its key (`csv`, `xlsx`, `pdf`).
pub fn export_format(text: &str) -> AppResult<Format> {
    Ok(Format::parse(text)?)
}
pub use crate::store::registers::printed_row;

//! ใบเกษียน: the endorsement sheet of a received letter as PDF, from one
//! typed input ([`EndorsementSheet`]) handed to `endorsement.typ` as JSON.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use typst::foundations::{Bytes, Datetime};
use typst_pdf::{PdfOptions, Timestamp};

use super::{RenderError, Renderer, file_id, fonts, json_bytes, messages, text_layer};

/// What the sheet prints, every value already formatted (B.E. dates, the
/// office's digits).
#[derive(Debug, Clone, Serialize)]
pub struct EndorsementSheet {
    pub title: String,
    /// The receiving office.
    pub office: String,
    /// (label, value) rows: เลขรับ, ที่, ลงวันที่, จาก, เรื่อง.
    pub heading: Vec<(String, String)>,
    pub entries: Vec<SheetEntry>,
    /// Printed when nothing was endorsed yet.
    pub empty: String,
}

/// One step: who presented to whom, or an endorsement and its author.
#[derive(Debug, Clone, Serialize)]
pub struct SheetEntry {
    /// `เสนอ คุณ…`, `เกษียน`, `แก้ไขคำเกษียน`, `มอบหมาย คุณ…`.
    pub step: String,
    pub choice: String,
    pub note: String,
    pub by: String,
    pub at: String,
}

impl Renderer {
    /// The endorsement sheet as PDF, dated `dated` (the same input gives
    /// the same bytes).
    pub fn render_endorsement_sheet(
        &self,
        sheet: &EndorsementSheet,
        digits: crate::thai::Digits,
        dated: NaiveDate,
    ) -> Result<Vec<u8>, RenderError> {
        let data = serde_json::json!({
            "fonts": fonts::FAMILIES,
            "title": sheet.title,
            "author": sheet.office,
            "keywords": [],
            "digits": digits,
            "endorsement": sheet,
        });
        let mut files = std::collections::HashMap::new();
        files.insert(file_id("/data.json"), json_bytes(&data));
        for (name, empty) in [
            ("/recipient.json", serde_json::json!({})),
            ("/ragged.json", serde_json::json!([])),
            ("/continuation.json", serde_json::json!([])),
            ("/keep.json", serde_json::json!({})),
            (
                "/emblem.json",
                serde_json::json!({ "present": false, "official": true }),
            ),
        ] {
            files.insert(file_id(name), json_bytes(&empty));
        }
        super::verification_files(&mut files, None)?;
        let files: std::collections::HashMap<_, Bytes> = files;
        let result = self.typesetter.compile(&files, dated);
        let doc = result.map_err(|errors| RenderError::Typst(messages(&errors)))?;
        let doc = text_layer::strip_break_marks(&doc);
        let options = PdfOptions {
            ident: typst::foundations::Smart::Custom("saraban:endorsement".into()),
            creator: typst::foundations::Smart::Custom(Some("saraban".into())),
            timestamp: Datetime::from_ymd_hms(
                dated.year(),
                dated.month() as u8,
                dated.day() as u8,
                0,
                0,
                0,
            )
            .map(Timestamp::new_utc),
            ..PdfOptions::default()
        };
        typst_pdf::pdf(&doc, &options).map_err(|errors| RenderError::Pdf(messages(&errors)))
    }
}

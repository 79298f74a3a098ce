//! The stamped copy of a letter from outside: the letter as it came (each
//! page of its PDF placed whole, or the photo on an A4 page) with the
//! receive stamp (ตรารับหนังสือ: office, เลขรับ, วันที่, เวลา) at the top
//! right of the first page (`templates/typst/stamp.typ`).

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use typst::foundations::{Bytes, Datetime};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

use super::world::file_id;
use super::{RenderError, Renderer, fonts, json_bytes, messages, text_layer, verification_files};

/// What the stamp says, formatted in the office's digits.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Stamp {
    pub office: String,
    pub number: String,
    pub date: String,
    pub time: String,
}

/// The letter the stamp goes on.
pub enum Original<'a> {
    /// A PDF and each page's size in points.
    Pdf(&'a [u8], Vec<(f64, f64)>),
    /// A photo (`"jpg"` or `"png"`), placed on an A4 page.
    Image(&'a [u8], &'static str),
}

impl Renderer {
    /// The stamped copy as PDF.
    pub fn render_stamped(
        &self,
        original: &Original<'_>,
        stamp: &Stamp,
        dated: NaiveDate,
    ) -> Result<Vec<u8>, RenderError> {
        let doc = self.lay_out_original(original, Some(stamp), dated)?;
        let options = PdfOptions {
            ident: typst::foundations::Smart::Custom(format!("saraban:stamp:{}", stamp.number)),
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

    /// The first page of a file as it came (an enclosure's PDF, a photo),
    /// without a stamp, as a PNG at `dpi`: the page preview of a file.
    pub fn first_page_png(
        &self,
        original: &Original<'_>,
        dpi: f32,
    ) -> Result<Vec<u8>, RenderError> {
        let today = chrono::Utc::now().date_naive();
        let doc = self.lay_out_original(original, None, today)?;
        let page = doc
            .pages()
            .first()
            .ok_or_else(|| RenderError::Typst("the file has no page".into()))?;
        Ok(super::page_png(page, dpi))
    }

    /// The file laid out page by page, the stamp (when given) at the top
    /// right of the first page.
    fn lay_out_original(
        &self,
        original: &Original<'_>,
        stamp: Option<&Stamp>,
        dated: NaiveDate,
    ) -> Result<PagedDocument, RenderError> {
        let (bytes, kind, pages) = match original {
            Original::Pdf(b, sizes) => (
                *b,
                "pdf",
                sizes
                    .iter()
                    .map(|(w, h)| serde_json::json!({ "width": w, "height": h }))
                    .collect::<Vec<_>>(),
            ),
            Original::Image(b, kind) => (
                *b,
                *kind,
                vec![serde_json::json!({ "width": 595.28, "height": 841.89 })],
            ),
        };
        let data = serde_json::json!({
            "fonts": fonts::FAMILIES,
            "title": stamp.map(|s| format!("เลขรับ {}", s.number)).unwrap_or_default(),
            "author": stamp.map(|s| s.office.clone()).unwrap_or_default(),
            "keywords": [],
            "digits": "thai",
            "stamp": {
                "office": stamp.map(|s| s.office.clone()),
                "number": stamp.map(|s| s.number.clone()),
                "date": stamp.map(|s| s.date.clone()),
                "time": stamp.map(|s| s.time.clone()),
                "kind": kind,
                "pages": pages,
            },
        });
        let mut files: HashMap<_, Bytes> = HashMap::new();
        files.insert(file_id("/data.json"), json_bytes(&data));
        files.insert(file_id("/original"), Bytes::new(bytes.to_vec()));
        files.insert(
            file_id("/recipient.json"),
            json_bytes(&serde_json::json!({})),
        );
        files.insert(file_id("/ragged.json"), json_bytes(&serde_json::json!([])));
        files.insert(
            file_id("/continuation.json"),
            json_bytes(&serde_json::json!([])),
        );
        files.insert(file_id("/keep.json"), json_bytes(&serde_json::json!({})));
        files.insert(
            file_id("/emblem.json"),
            json_bytes(&serde_json::json!({ "present": false, "official": true })),
        );
        verification_files(&mut files, None)?;
        let result = self.typesetter.compile(&files, dated);
        let doc = result.map_err(|errors| RenderError::Typst(messages(&errors)))?;
        Ok(text_layer::strip_break_marks(&doc))
    }
}

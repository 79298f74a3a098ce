//! Letters from outside saraban, as files: a PDF (its text layer), a scan
//! (an image-only PDF, or a JPEG/PNG photo, read with Tesseract) or an
//! e-mail (`.eml`: its text, and its PDF and image attachments read the same
//! way). The text goes to the parser (`crate::parse`), and each field the
//! clerk is shown comes with how sure saraban is of it (`confidence`).
//!
//! Tesseract and poppler run as programs; without Tesseract, scans are
//! refused with a message naming the packages to install.

mod clean;
pub mod confidence;
pub mod digits;
mod eml;
pub mod ocr;
pub mod raster;

use std::path::Path;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::parse::{self, ParseError, ParsedLetter};

pub use confidence::{Confidence, FieldConfidence};

/// A PDF whose text layer has fewer letters than this is read as a scan.
const MIN_TEXT_LAYER: usize = 20;

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error(
        "อ่านหนังสือที่สแกนต้องติดตั้ง Tesseract พร้อมภาษาไทย (แพ็กเกจ tesseract-ocr และ tesseract-ocr-tha) (reading scans needs Tesseract with its Thai model: install tesseract-ocr and tesseract-ocr-tha)"
    )]
    NoTesseract,
    #[error("อ่านภาพด้วย OCR ไม่สำเร็จ: {0} (OCR failed)")]
    Ocr(String),
    #[error("อ่านไฟล์นี้ไม่ได้: {0} (the file cannot be read)")]
    Unreadable(String),
    #[error(
        "รับได้เฉพาะ PDF รูปภาพ JPEG/PNG ไฟล์อีเมล .eml หรือข้อความ (only PDF, JPEG/PNG images, .eml e-mail or text files can be registered)"
    )]
    Unsupported,
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error("อ่านไฟล์ไม่ได้: {0} (could not read the file)")]
    Io(#[from] std::io::Error),
}

/// Where a letter's text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TextSource {
    /// The PDF's own text.
    TextLayer,
    /// Tesseract, from page images.
    Ocr,
    /// Plain text (a `.txt` file, or an e-mail's text).
    Text,
}

/// What a file is, by its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Pdf,
    Jpeg,
    Png,
    Email,
    Text,
}

impl FileKind {
    /// What the bytes are; `name` only tells e-mail from text.
    pub fn of(name: &str, bytes: &[u8]) -> Result<FileKind, IntakeError> {
        if bytes.starts_with(b"%PDF-") {
            return Ok(FileKind::Pdf);
        }
        match infer::get(bytes).map(|t| t.mime_type()) {
            Some("image/jpeg") => return Ok(FileKind::Jpeg),
            Some("image/png") => return Ok(FileKind::Png),
            Some(_) => return Err(IntakeError::Unsupported),
            None => {}
        }
        if name.to_lowercase().ends_with(".eml") || eml::looks_like_mail(bytes) {
            return Ok(FileKind::Email);
        }
        Ok(FileKind::Text)
    }

    pub fn media_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Email => "message/rfc822",
            FileKind::Text => "text/plain",
        }
    }
}

/// One OCR line: its text and the lowest word confidence on it (0–100).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OcrLine {
    pub text: String,
    pub conf: f32,
    /// Thai digits on the line were read again by their shapes.
    pub digits_reread: bool,
}

/// The text read from a file.
#[derive(Debug, Clone, Serialize)]
pub struct Extracted {
    pub kind: FileKind,
    pub source: TextSource,
    pub text: String,
    pub pages: usize,
    /// OCR'd lines (empty unless `source` is OCR).
    #[serde(skip)]
    pub lines: Vec<OcrLine>,
    /// Time spent in OCR, per page.
    #[serde(skip)]
    pub ocr_times: Vec<Duration>,
    /// The file the letter itself is (for an e-mail, the attachment read;
    /// otherwise the file): its name, kind and bytes. The receive stamp
    /// goes on this one.
    #[serde(skip)]
    pub letter_file: Option<(String, FileKind, Vec<u8>)>,
}

/// Reads the text of a file: the letter's text layer, OCR, or the text.
pub fn extract(name: &str, bytes: &[u8]) -> Result<Extracted, IntakeError> {
    if bytes.is_empty() {
        return Err(ParseError::Empty.into());
    }
    let kind = FileKind::of(name, bytes)?;
    let mut out = match kind {
        FileKind::Pdf => pdf(bytes)?,
        FileKind::Jpeg | FileKind::Png => photo(kind, bytes)?,
        FileKind::Email => return eml::extract(bytes),
        FileKind::Text => Extracted {
            kind,
            source: TextSource::Text,
            text: parse::decode_text(bytes)?,
            pages: 1,
            lines: Vec::new(),
            ocr_times: Vec::new(),
            letter_file: None,
        },
    };
    if kind != FileKind::Text {
        out.letter_file = Some((name.to_string(), kind, bytes.to_vec()));
    }
    Ok(out)
}

/// Reads a file from disk (see [`extract`]).
pub fn extract_file(path: &Path) -> Result<Extracted, IntakeError> {
    let bytes = std::fs::read(path)?;
    let name = path
        .file_name()
        .map_or(String::new(), |n| n.to_string_lossy().into_owned());
    extract(&name, &bytes)
}

/// Reads and parses a file: any of the kinds [`extract`] takes.
pub fn parse_file(path: &Path) -> Result<ParsedLetter, IntakeError> {
    Ok(parse::parse_text(&extract_file(path)?.text)?)
}

fn pdf(bytes: &[u8]) -> Result<Extracted, IntakeError> {
    let mut file = tempfile::Builder::new().suffix(".pdf").tempfile()?;
    std::io::Write::write_all(&mut file, bytes)?;
    let text = parse::pdf::extract(file.path())?;
    let letters = text.chars().filter(|c| c.is_alphanumeric()).count();
    let pages = text.matches('\u{0C}').count() + 1;
    if letters >= MIN_TEXT_LAYER {
        return Ok(Extracted {
            kind: FileKind::Pdf,
            source: TextSource::TextLayer,
            text,
            pages,
            lines: Vec::new(),
            ocr_times: Vec::new(),
            letter_file: None,
        });
    }
    ocr::check()?;
    let images = raster::pdf_pages(file.path())?;
    ocr_pages(FileKind::Pdf, &images)
}

fn photo(kind: FileKind, bytes: &[u8]) -> Result<Extracted, IntakeError> {
    ocr::check()?;
    let image = raster::Gray::from_photo(bytes)?;
    ocr_pages(kind, &[image])
}

/// OCR of page images: Tesseract, the digits read again, the text cleaned.
pub fn ocr_pages(kind: FileKind, pages: &[raster::Gray]) -> Result<Extracted, IntakeError> {
    let mut text = String::new();
    let mut all = Vec::new();
    let mut times = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        let started = Instant::now();
        let page = &page.cleaned();
        let mut lines = ocr::read_page(&page.to_pgm())?;
        let before: Vec<String> = lines.iter().map(ocr::Line::text).collect();
        digits::reread(page, &mut lines);
        times.push(started.elapsed());
        if i > 0 {
            text.push('\u{0C}');
        }
        for (line, old) in lines.iter().zip(before) {
            let raw = line.text();
            let cleaned = clean::line(&raw);
            text.push_str(&cleaned);
            text.push('\n');
            all.push(OcrLine {
                text: cleaned,
                conf: line.words.iter().map(|w| w.conf).fold(100.0, f32::min),
                digits_reread: raw != old,
            });
        }
    }
    Ok(Extracted {
        kind,
        source: TextSource::Ocr,
        text,
        pages: pages.len(),
        lines: all,
        ocr_times: times,
        letter_file: None,
    })
}

/// What the receive form is filled with for one file.
#[derive(Debug, Clone, Serialize)]
pub struct Prefill {
    pub kind: FileKind,
    pub source: TextSource,
    pub pages: usize,
    /// The letter as read; `None` when the text holds no letter (the
    /// clerk fills the form by hand).
    pub letter: Option<ParsedLetter>,
    pub confidence: FieldConfidence,
    /// Why no letter was read, for the clerk (Thai, then English).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// The text read, for the clerk to compare.
    pub text: String,
}

/// Parses what was extracted and rates each field.
pub fn prefill(extracted: &Extracted) -> Prefill {
    let (letter, problem) = match parse::parse_text(&extracted.text) {
        Ok(l) => (Some(l), None),
        Err(e) => (None, Some(e.to_string())),
    };
    let confidence = confidence::rate(extracted, letter.as_ref());
    Prefill {
        kind: extracted.kind,
        source: extracted.source,
        pages: extracted.pages,
        letter,
        confidence,
        problem,
        text: extracted.text.clone(),
    }
}

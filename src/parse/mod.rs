//! Reading existing letters: text (or PDF text) in, the fields of the seed
//! shape out (`../shared/seeds/expected/*.json`, rules in `docs/parsing.md`).
//!
//! The parser reads what is printed and guesses nothing: a field the text
//! does not give is `null` or empty. It never panics and runs in time linear
//! in the input; bytes that are not text are refused with a clear message.
//!
//! Text comes as people have it: from web pages (menus and titles above the
//! letter, letters listed one per line), OCR and PDFs (broken spacing,
//! confused digits), in legacy encodings. `noise.rs` repairs lines, `lines.rs`
//! drops page furniture and chrome, `heading.rs` finds where the letter
//! starts, `listing.rs` reads one-line descriptions.

mod body;
mod decode;
mod heading;
pub mod lines;
mod listing;
mod noise;
pub mod pdf;
mod signoff;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::docnum::DocNumber;
use crate::model::{Secrecy, Urgency};
use crate::thai;

pub use body::citations_in;
pub use decode::MAX_BYTES;
/// Bytes as text: UTF-8 or TIS-620, mojibake repaired, binary refused.
pub use decode::decode as decode_text;

/// Why a file could not be read as a letter.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("ไฟล์ว่าง ไม่มีข้อความ (the file is empty)")]
    Empty,
    #[error("ไฟล์นี้ไม่ใช่ข้อความ แต่เป็นข้อมูลไบนารี (the file is binary, not text)")]
    Binary,
    #[error(
        "อ่านไฟล์เป็นข้อความไม่ได้: ไม่ใช่ UTF-8 หรือ TIS-620 (the file is neither UTF-8 nor TIS-620 text)"
    )]
    NotText,
    #[error(
        "ไฟล์ใหญ่เกินไปสำหรับหนังสือหนึ่งฉบับ ({bytes} ไบต์ เกิน {limit}) (the file is too large for one letter: {bytes} bytes, limit {limit})"
    )]
    TooLarge { bytes: usize, limit: usize },
    #[error(
        "ไม่พบข้อความของหนังสือราชการในไฟล์ (no letter text found: no ที่, เรื่อง, เรียน or date line, no คำสั่ง, ประกาศ, บันทึกข้อความ, กำหนดการ or โครงการ heading, no letter listed in one line)"
    )]
    NotALetter,
    #[error("อ่าน PDF ไม่ได้: {0} (could not extract the PDF's text)")]
    Pdf(String),
    #[error("อ่านไฟล์ไม่ได้: {0} (could not read the file)")]
    Io(#[from] std::io::Error),
}

/// Which of the regulation's kinds the text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocType {
    ExternalLetter,
    Memo,
    Order,
    Announcement,
    /// กำหนดการ, on its own.
    Schedule,
    /// A project proposal (โครงการ), on its own.
    Project,
    /// A text with a subject or date but none of the kinds' marks.
    Other,
}

/// A number as printed, and what it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberFields {
    pub printed: String,
    pub agency: Option<String>,
    pub unit: Option<String>,
    pub circular: bool,
    pub seq: u32,
    pub year_be: Option<u16>,
}

/// A cited number: the same, but `year_be` only when printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CitedNumber {
    pub printed: String,
    pub agency: Option<String>,
    pub unit: Option<String>,
    pub circular: bool,
    pub seq: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year_be: Option<u16>,
}

impl NumberFields {
    fn new(printed: &str, n: &DocNumber) -> NumberFields {
        NumberFields {
            printed: printed.to_string(),
            agency: n.agency.clone(),
            unit: n.unit.clone(),
            circular: n.circular,
            seq: n.seq,
            year_be: n.year_be,
        }
    }

    /// The parsed number again (for keys and links).
    pub fn number(&self) -> DocNumber {
        DocNumber {
            agency: self.agency.clone(),
            sub_agency: None,
            unit: self.unit.clone(),
            circular: self.circular,
            seq: self.seq,
            year_be: self.year_be,
        }
    }
}

impl From<NumberFields> for CitedNumber {
    fn from(n: NumberFields) -> CitedNumber {
        CitedNumber {
            printed: n.printed,
            agency: n.agency,
            unit: n.unit,
            circular: n.circular,
            seq: n.seq,
            year_be: n.year_be,
        }
    }
}

impl CitedNumber {
    pub fn number(&self) -> DocNumber {
        DocNumber {
            agency: self.agency.clone(),
            sub_agency: None,
            unit: self.unit.clone(),
            circular: self.circular,
            seq: self.seq,
            year_be: self.year_be,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferenceSource {
    /// The `อ้างถึง` line.
    ReferenceLine,
    /// A `ที่ … ลงวันที่ …` citation in running text.
    Body,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    pub number: CitedNumber,
    pub date: Option<NaiveDate>,
    pub issuer: Option<String>,
    pub urgency: Option<Urgency>,
    pub source: ReferenceSource,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enclosure {
    pub text: String,
    pub quantity: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signer {
    pub name: String,
    pub position: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub phone: Option<String>,
    pub fax: Option<String>,
    pub email: Option<String>,
    pub coordinator: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    pub date: NaiveDate,
    pub what: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub date: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<NaiveDate>,
    pub what: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnnexKind {
    Schedule,
    Project,
    QrForm,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Annex {
    pub kind: AnnexKind,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_baht: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_text: Option<String>,
}

/// A level of the local-administration chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Department,
    Province,
    District,
    Lao,
}

/// Everything read from one letter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedLetter {
    pub doc_type: DocType,
    pub urgency: Option<Urgency>,
    pub secrecy: Option<Secrecy>,
    pub number: Option<NumberFields>,
    pub issuer: Option<String>,
    pub issuer_address: Option<String>,
    pub date: Option<NaiveDate>,
    pub subject: Option<String>,
    pub to: Option<String>,
    pub references: Vec<Reference>,
    pub enclosures: Vec<Enclosure>,
    pub closing: Option<String>,
    pub signer: Option<Signer>,
    pub owner_unit: Option<String>,
    pub contact: Contact,
    pub deadlines: Vec<Deadline>,
    pub events: Vec<Event>,
    pub urls: Vec<String>,
    pub annexes: Vec<Annex>,
    pub route: Vec<Level>,
    /// What was read but looks wrong, for a person to check (Thai, then
    /// English): a date whose year is of the wrong era.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// Letters read from one text, each with the listing line it came from.
pub type ParsedMany = Result<Vec<(ParsedLetter, Option<String>)>, ParseError>;

/// Parses a file's bytes (UTF-8 or TIS-620 text).
pub fn parse_bytes(bytes: &[u8]) -> Result<ParsedLetter, ParseError> {
    let text = decode::decode(bytes)?;
    parse_text(&text)
}

/// Parses a letter's text. A page listing letters one per line gives the
/// first of them (see [`parse_many`]).
pub fn parse_text(text: &str) -> Result<ParsedLetter, ParseError> {
    let lines = lines::clean(text);
    read_lines(&lines)
}

/// Every letter in a text: each letter a listing page describes in one
/// line, or else the one letter the text is.
pub fn parse_many(text: &str) -> Result<Vec<ParsedLetter>, ParseError> {
    Ok(parse_many_sources(text)?
        .into_iter()
        .map(|(letter, _)| letter)
        .collect())
}

/// As [`parse_many`], with the listing line each letter was read from
/// (`None` when the whole text is the one letter).
pub fn parse_many_sources(text: &str) -> ParsedMany {
    let lines = lines::clean(text);
    let listed = listing::find(&lines);
    if listed.len() >= 2 {
        return Ok(listed
            .into_iter()
            .map(|l| (l.letter, Some(l.text)))
            .collect());
    }
    Ok(vec![(read_lines(&lines)?, None)])
}

fn read_lines(lines: &[String]) -> Result<ParsedLetter, ParseError> {
    let head = heading::locate(lines);
    let letter = head.map(|h| read_letter(lines, h));
    // A whole letter says whom it is to, or is signed, or is a kind with a
    // title; otherwise a listing's line describes it better.
    let full = letter.as_ref().is_some_and(|l| {
        l.to.is_some()
            || l.closing.is_some()
            || l.signer.is_some()
            || (!matches!(l.doc_type, DocType::ExternalLetter | DocType::Other)
                && l.subject.is_some())
    });
    if !full && let Some(first) = listing::find(lines).into_iter().next() {
        return Ok(first.letter);
    }
    letter.ok_or(ParseError::NotALetter)
}

/// Secrecy marks printed again at the top and foot of later pages.
fn is_page_mark(line: &str) -> bool {
    matches!(line, "ลับที่สุด" | "ลับมาก" | "ลับ")
}

fn read_letter(all: &[String], head: heading::Heading) -> ParsedLetter {
    // Secrecy marks after the heading are the page's, not the letter's.
    let owned: Vec<String>;
    let lines: &[String] = if all[head.body_start.min(all.len())..]
        .iter()
        .any(|l| is_page_mark(l))
    {
        owned = all
            .iter()
            .enumerate()
            .map(|(k, l)| {
                if k >= head.body_start && is_page_mark(l) {
                    String::new()
                } else {
                    l.clone()
                }
            })
            .collect();
        &owned
    } else {
        all
    };
    let mut tail = signoff::read(lines, head.doc_type, head.body_start);
    if tail.contact.phone.is_none() {
        tail.contact.phone = head.phone.clone();
    }
    let body_lines = &lines[head.body_start..tail.body_end.max(head.body_start)];
    let after_heading = &lines[head.body_start..];
    let own_number = head.number.as_ref().map(|n| n.number());
    let mut references = head.references;
    for cited in body::citations(after_heading) {
        let duplicate = references
            .iter()
            .any(|r| r.number.number() == cited.number.number() && r.date == cited.date);
        let own = own_number.as_ref() == Some(&cited.number.number());
        if !duplicate && !own {
            references.push(cited);
        }
    }
    let paragraphs = body::paragraphs(body_lines);
    let deadlines = body::deadlines(&paragraphs);
    let events = body::events(&paragraphs, head.subject.as_deref());
    let urls = body::urls(&lines[head.start..]);
    let mut doc_type = head.doc_type;
    if doc_type == DocType::ExternalLetter
        && head.number.is_none()
        && head.to.is_none()
        && tail.closing.is_none()
    {
        doc_type = DocType::Other;
    }
    let mut letter = ParsedLetter {
        doc_type,
        urgency: head.urgency,
        secrecy: head.secrecy,
        number: head.number,
        issuer: head.issuer,
        issuer_address: head.issuer_address,
        date: head.date.or(tail.date),
        subject: head.subject,
        to: head.to,
        references,
        enclosures: head.enclosures,
        closing: tail.closing,
        signer: tail.signer,
        owner_unit: tail.owner_unit,
        contact: tail.contact,
        deadlines,
        events,
        urls,
        annexes: tail.annexes,
        route: Vec::new(),
        warnings: head.warnings,
    };
    if letter.date.is_none() {
        letter.date = date_above(lines, head.start);
    }
    letter.route = body::route(&letter, &paragraphs);
    letter
}

/// `ฉบับที่ 215/2566 วันที่ 9 พฤศจิกายน 2566` on one of the two lines above
/// a heading that has no date of its own.
fn date_above(lines: &[String], start: usize) -> Option<NaiveDate> {
    lines[..start.min(lines.len())]
        .iter()
        .rev()
        .filter(|l| !l.is_empty())
        .take(2)
        .find_map(|l| {
            let at = l.rfind("วันที่")?;
            thai::parse_date(&l[at..]).ok()
        })
}

/// Extracts a PDF's text with poppler (see [`pdf`]) and parses it.
pub fn parse_pdf(path: &std::path::Path) -> Result<ParsedLetter, ParseError> {
    parse_text(&pdf::extract(path)?)
}

/// Parses a file: a PDF by its magic bytes, anything else as text.
pub fn parse_file(path: &std::path::Path) -> Result<ParsedLetter, ParseError> {
    let bytes = std::fs::read(path)?;
    if bytes.starts_with(b"%PDF-") {
        parse_pdf(path)
    } else {
        parse_bytes(&bytes)
    }
}

/// Every letter in a file's bytes, each with the listing line it was read
/// from (see [`parse_many_sources`]).
pub fn parse_bytes_many(bytes: &[u8]) -> ParsedMany {
    parse_many_sources(&decode::decode(bytes)?)
}

/// Every letter in a file (a PDF by its magic bytes, anything else as text).
pub fn parse_file_many(path: &std::path::Path) -> ParsedMany {
    let bytes = std::fs::read(path)?;
    if bytes.starts_with(b"%PDF-") {
        parse_many_sources(&pdf::extract(path)?)
    } else {
        parse_bytes_many(&bytes)
    }
}

/// The deadlines (`ภายในวันที่ …`) that body paragraphs set.
pub fn deadlines_in(paragraphs: &[String]) -> Vec<Deadline> {
    body::deadlines(paragraphs)
}

//! How sure saraban is of each pre-filled field.
//!
//! - From a text layer or plain text, a field the parser read from its
//!   place in the letter (the `ที่`, `เรื่อง`, `เรียน` lines, the date line)
//!   is `high`; a deadline found in running text is `medium`.
//! - From OCR, a field is rated by the line it was read from: Tesseract's
//!   lowest word confidence on that line (`high` from 90, `medium` from
//!   70), at most `medium` when the line's digits were read again by their
//!   shapes, and `low` when the value cannot be found on one line. A
//!   citation (its date on another line) and a deadline (running text)
//!   are at most `medium`.

use serde::Serialize;

use super::{Extracted, TextSource};
use crate::model::{Secrecy, Urgency};
use crate::parse::ParsedLetter;
use crate::thai::{DateStyle, Digits, format_date, to_arabic_digits};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    /// The Thai word shown beside a field.
    pub fn thai(self) -> &'static str {
        match self {
            Confidence::High => "มั่นใจสูง",
            Confidence::Medium => "ควรตรวจ",
            Confidence::Low => "ไม่แน่ใจ",
        }
    }
}

/// One rating per field of the receive form; `None` where nothing was read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FieldConfidence {
    pub number: Option<Confidence>,
    pub date: Option<Confidence>,
    pub sender: Option<Confidence>,
    pub addressee: Option<Confidence>,
    pub subject: Option<Confidence>,
    pub urgency: Option<Confidence>,
    pub secrecy: Option<Confidence>,
    pub references: Option<Confidence>,
    pub deadline: Option<Confidence>,
}

/// Whitespace out, digits Arabic: how a value is looked for in a line.
fn key(text: &str) -> String {
    to_arabic_digits(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

pub fn rate(x: &Extracted, letter: Option<&ParsedLetter>) -> FieldConfidence {
    let Some(l) = letter else {
        return FieldConfidence::default();
    };
    let ocr = x.source == TextSource::Ocr;
    let lines: Vec<(String, &super::OcrLine)> = x.lines.iter().map(|o| (key(&o.text), o)).collect();
    // The rating of the line holding `needle` (its first 24 characters).
    let by_line = |needle: &str| -> Confidence {
        if !ocr {
            return Confidence::High;
        }
        let k: String = key(needle).chars().take(24).collect();
        if k.is_empty() {
            return Confidence::Low;
        }
        lines
            .iter()
            .filter(|(text, _)| text.contains(&k))
            .map(|(_, o)| {
                let c = if o.conf >= 90.0 {
                    Confidence::High
                } else if o.conf >= 70.0 {
                    Confidence::Medium
                } else {
                    Confidence::Low
                };
                if o.digits_reread {
                    c.min(Confidence::Medium)
                } else {
                    c
                }
            })
            .max()
            .unwrap_or(Confidence::Low)
    };
    let date_text = |d| format_date(d, DateStyle::Long, Digits::Arabic);
    FieldConfidence {
        number: l.number.as_ref().map(|n| by_line(&n.printed)),
        date: l.date.map(|d| by_line(&date_text(d))),
        sender: l.issuer.as_deref().map(by_line),
        addressee: l.to.as_deref().map(by_line),
        subject: l.subject.as_deref().map(by_line),
        urgency: l.urgency.map(|u| by_line(urgency_word(u))),
        secrecy: l.secrecy.map(|s| by_line(secrecy_word(s))),
        // A citation's date often sits on the next line, so its number's
        // line does not vouch for it: from OCR, at most `medium`.
        references: (!l.references.is_empty()).then(|| {
            let c = l
                .references
                .iter()
                .map(|r| by_line(&r.number.printed))
                .min()
                .unwrap_or(Confidence::Low);
            if ocr { c.min(Confidence::Medium) } else { c }
        }),
        deadline: l
            .deadlines
            .first()
            .map(|d| by_line(&date_text(d.date)).min(Confidence::Medium)),
    }
}

fn urgency_word(u: Urgency) -> &'static str {
    match u {
        Urgency::Urgent => "ด่วน",
        Urgency::VeryUrgent => "ด่วนมาก",
        Urgency::MostUrgent => "ด่วนที่สุด",
    }
}

fn secrecy_word(s: Secrecy) -> &'static str {
    match s {
        Secrecy::Confidential => "ลับ",
        Secrecy::Secret => "ลับมาก",
        Secrecy::TopSecret => "ลับที่สุด",
    }
}

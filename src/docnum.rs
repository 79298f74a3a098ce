//! The document number of the `ที่` line: `มท ๐๘๑๐.๗/ว ๒๑๓๕`.
//!
//! Parses every form seen in real letters — Thai, Arabic or mixed digits;
//! `ว`, `ว.` or `ว` run into the number; `ว` after a hyphen or run into the
//! unit (`นร ๐๗๒๘-ว.๒๘`, `นร ๐๗๒๘ว๙`); dotted sub-units of any depth; a
//! leading `ที่`; a parenthesised sub-code (`กค (กวจ) 0405.2/ว 336`); orders
//! and announcements numbered `๑๒๕/๒๕๖๗`; and the short `ว 2883` of running
//! text — and prints it back in one canonical shape, in Thai or Arabic digits.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::thai::Digits;
use crate::thai::digits::is_digit;
use crate::thai::scan::{Cursor, is_blank};

/// A parsed document number. The unit code is kept with Arabic digits, as
/// the database keeps every number; print it with [`DocNumber::format`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DocNumber {
    /// Letter code of the ministry, province or body (`มท`, `พล`); `None` for
    /// orders (`๑๒๕/๒๕๖๗`) and the short form `ว 2883`.
    pub agency: Option<String>,
    /// A parenthesised sub-code after the agency code (`กวจ` in `กค (กวจ)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_agency: Option<String>,
    /// The owner's unit number with Arabic digits (`0810.7`).
    pub unit: Option<String>,
    /// A circular (หนังสือเวียน), numbered in its own `ว` series.
    pub circular: bool,
    /// The running number from the register.
    pub seq: u32,
    /// The B.E. year printed after the number (orders and announcements).
    pub year_be: Option<u16>,
}

/// Why a document number did not parse; each says what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocNumError {
    #[error("ไม่มีเลขที่หนังสือ (expected a document number such as มท ๐๘๑๐.๗/ว ๒๑๓๕ or ๑๒๕/๒๕๖๗)")]
    Empty,
    #[error(
        "ต้องมีเลขประจำหน่วยงานหลังรหัสพยัญชนะ {agency} (expected a unit number such as ๐๘๑๐.๗ after the letter code) at “{found}”"
    )]
    ExpectedUnit { agency: String, found: String },
    #[error(
        "ต้องมีเครื่องหมาย / ระหว่างเลขประจำหน่วยงานกับเลขทะเบียน (expected `/` before the running number) at “{0}”"
    )]
    ExpectedSlash(String),
    #[error("ต้องมีเลขทะเบียนหลังเครื่องหมาย / (expected the running number after `/`) at “{0}”")]
    ExpectedSeq(String),
    #[error("เลขทะเบียนต้องมากกว่า ๐ และไม่เกิน ๙ หลัก (the running number must be 1 to 999999999)")]
    SeqRange,
    #[error(
        "เลขคำสั่งหรือประกาศต้องเป็น เลขที่/ปี พ.ศ. เช่น ๑๒๕/๒๕๖๗ (expected number/B.E. year 2400–2999) at “{0}”"
    )]
    ExpectedYear(String),
    #[error("ต้องขึ้นต้นด้วยรหัสพยัญชนะ เช่น มท หรือ พล (expected a letter code such as มท) at “{0}”")]
    ExpectedAgency(String),
    #[error("มีข้อความเกินหลังเลขที่หนังสือ (unexpected text after the number): “{0}”")]
    Trailing(String),
}

/// Thai consonants, the only letters in agency codes.
fn is_consonant(c: char) -> bool {
    ('ก'..='ฮ').contains(&c)
}

const MAX_SEQ: u32 = 999_999_999;

impl DocNumber {
    /// A letter's number: `มท ๐๘๑๐.๗/ว ๒๑๓๕`.
    pub fn letter(agency: &str, unit: &str, circular: bool, seq: u32) -> DocNumber {
        DocNumber {
            agency: Some(agency.to_string()),
            sub_agency: None,
            unit: Some(crate::thai::to_arabic_digits(unit)),
            circular,
            seq,
            year_be: None,
        }
    }

    /// An order's or announcement's number: `๑๒๕/๒๕๖๗`.
    pub fn order(seq: u32, year_be: u16) -> DocNumber {
        DocNumber {
            agency: None,
            sub_agency: None,
            unit: None,
            circular: false,
            seq,
            year_be: Some(year_be),
        }
    }

    /// Parses a number as printed (see the module documentation).
    pub fn parse(text: &str) -> Result<DocNumber, DocNumError> {
        let text = text.trim_matches(is_blank);
        let mut cur = Cursor::new(text);
        if cur.eat("ที่") {
            cur.skip_blanks();
        }
        if cur.at_end() {
            return Err(DocNumError::Empty);
        }
        let number = if cur.peek().is_some_and(is_digit) {
            order_at(&mut cur)?
        } else {
            letter_at(&mut cur)?
        };
        cur.skip_blanks();
        if !cur.at_end() {
            return Err(DocNumError::Trailing(cur.rest().to_string()));
        }
        Ok(number)
    }

    /// The canonical printed form in the given digits.
    pub fn format(&self, digits: Digits) -> String {
        let mut out = String::new();
        if let Some(agency) = &self.agency {
            out.push_str(agency);
            if let Some(sub) = &self.sub_agency {
                out.push_str(" (");
                out.push_str(sub);
                out.push(')');
            }
            out.push(' ');
        }
        if let Some(unit) = &self.unit {
            out.push_str(unit);
            out.push('/');
        }
        if self.circular {
            out.push_str("ว ");
        }
        out.push_str(&self.seq.to_string());
        if let Some(year) = self.year_be {
            out.push('/');
            out.push_str(&year.to_string());
        }
        digits.apply(&out)
    }

    /// The key under which two printings of one number compare equal
    /// (digits, spacing and `ว.` aside).
    pub fn key(&self) -> String {
        self.format(Digits::Arabic)
    }
}

impl fmt::Display for DocNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format(Digits::Thai))
    }
}

impl std::str::FromStr for DocNumber {
    type Err = DocNumError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DocNumber::parse(s)
    }
}

fn seq_at(cur: &mut Cursor) -> Result<u32, DocNumError> {
    cur.skip_blanks();
    if !cur.peek().is_some_and(is_digit) {
        return Err(DocNumError::ExpectedSeq(cur.rest().to_string()));
    }
    // More than nine digits is out of range, not missing.
    let (value, _) = cur.number(9).ok_or(DocNumError::SeqRange)?;
    if value == 0 || value > MAX_SEQ {
        return Err(DocNumError::SeqRange);
    }
    Ok(value)
}

/// `ว`, `ว.`, `ว ` before a running number.
fn circular_mark_at(cur: &mut Cursor) -> bool {
    let mut probe = *cur;
    if probe.eat("ว") && !probe.peek().is_some_and(is_consonant) {
        probe.eat(".");
        probe.skip_blanks();
        if probe.peek().is_some_and(is_digit) {
            *cur = probe;
            return true;
        }
    }
    false
}

/// `๑๒๕/๒๕๖๗`: an order or announcement.
fn order_at(cur: &mut Cursor) -> Result<DocNumber, DocNumError> {
    let start = *cur;
    let seq = seq_at(cur)?;
    cur.skip_blanks();
    // `0810.7/…`: a unit number without its letter code.
    if cur.peek() == Some('.') {
        return Err(DocNumError::ExpectedAgency(start.rest().to_string()));
    }
    if !cur.eat("/") {
        return Err(DocNumError::ExpectedYear(cur.rest().to_string()));
    }
    cur.skip_blanks();
    let year_text = cur.rest().to_string();
    let year = match cur.number(4) {
        Some((y, 4)) if crate::thai::date::YEARS_BE.contains(&(y as i32)) => y as u16,
        _ => return Err(DocNumError::ExpectedYear(year_text)),
    };
    Ok(DocNumber::order(seq, year))
}

/// `มท ๐๘๑๐.๗/ว ๒๑๓๕`, `กค (กวจ) 0405.2/ว 336`, or the short `ว 2883`.
fn letter_at(cur: &mut Cursor) -> Result<DocNumber, DocNumError> {
    if circular_mark_at(cur) {
        let seq = seq_at(cur)?;
        return Ok(DocNumber {
            agency: None,
            sub_agency: None,
            unit: None,
            circular: true,
            seq,
            year_be: None,
        });
    }
    let agency = cur.take_while(is_consonant);
    // Codes are two letters (ministries, provinces), sometimes more for
    // committees; a lone letter would be confused with `ว`.
    if !(2..=4).contains(&agency.chars().count()) {
        return Err(DocNumError::ExpectedAgency(cur.rest().to_string()));
    }
    // `มท.` is sometimes typed although the regulation writes codes bare.
    cur.eat(".");
    cur.skip_blanks();
    let mut sub_agency = None;
    let mut probe = *cur;
    if probe.eat("(") {
        probe.skip_blanks();
        let sub = probe.take_while(is_consonant);
        probe.skip_blanks();
        if !sub.is_empty() && probe.eat(")") {
            sub_agency = Some(sub.to_string());
            *cur = probe;
            cur.skip_blanks();
        }
    }
    let unit = unit_at(cur).ok_or_else(|| DocNumError::ExpectedUnit {
        agency: agency.to_string(),
        found: cur.rest().to_string(),
    })?;
    // `นร ๐๗๒๘-ว.๒๘`, `นร ๐๗๒๘ว๙`: a circular's mark after a hyphen, or run
    // straight into the unit number, instead of after `/`.
    let mut probe = *cur;
    probe.eat("-");
    if circular_mark_at(&mut probe) {
        *cur = probe;
        let seq = seq_at(cur)?;
        return Ok(DocNumber {
            agency: Some(agency.to_string()),
            sub_agency,
            unit: Some(unit),
            circular: true,
            seq,
            year_be: None,
        });
    }
    cur.skip_blanks();
    if !cur.eat("/") {
        return Err(DocNumError::ExpectedSlash(cur.rest().to_string()));
    }
    cur.skip_blanks();
    let circular = circular_mark_at(cur);
    let seq = seq_at(cur)?;
    Ok(DocNumber {
        agency: Some(agency.to_string()),
        sub_agency,
        unit: Some(unit),
        circular,
        seq,
        year_be: None,
    })
}

/// Digits in dot-separated groups (`0810.7`, `1008.3.1`), as Arabic digits.
fn unit_at(cur: &mut Cursor) -> Option<String> {
    let mut probe = *cur;
    let mut unit = String::new();
    loop {
        let digits = probe.take_while(is_digit);
        if digits.is_empty() {
            return None;
        }
        unit.push_str(&crate::thai::to_arabic_digits(digits));
        let mut after = probe;
        if after.eat(".") && after.peek().is_some_and(is_digit) {
            unit.push('.');
            probe = after;
        } else {
            break;
        }
    }
    *cur = probe;
    Some(unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_forms() {
        let n = DocNumber::parse("มท ๐๘๑๐.๗/ว ๒๑๓๕").unwrap();
        assert_eq!(n, DocNumber::letter("มท", "0810.7", true, 2135));
        assert_eq!(n.to_string(), "มท ๐๘๑๐.๗/ว ๒๑๓๕");
        assert_eq!(n.format(Digits::Arabic), "มท 0810.7/ว 2135");
        assert_eq!(DocNumber::order(125, 2567).to_string(), "๑๒๕/๒๕๖๗");
    }

    #[test]
    fn circular_mark_after_a_hyphen_or_run_in() {
        let want = DocNumber::letter("นร", "0728", true, 28);
        assert_eq!(DocNumber::parse("นร ๐๗๒๘-ว.๒๘").unwrap(), want);
        assert_eq!(DocNumber::parse("นร ๐๗๒๘-ว ๒๘").unwrap(), want);
        assert_eq!(
            DocNumber::parse("นร ๐๗๒๘ว๙").unwrap(),
            DocNumber::letter("นร", "0728", true, 9)
        );
        assert_eq!(want.to_string(), "นร ๐๗๒๘/ว ๒๘");
        // A hyphen without ว is still not a number.
        assert!(DocNumber::parse("นร ๐๗๒๘-๒๘").is_err());
    }

    #[test]
    fn errors_say_what_was_expected() {
        assert_eq!(DocNumber::parse("  "), Err(DocNumError::Empty));
        assert_eq!(DocNumber::parse("ที่"), Err(DocNumError::Empty));
        assert!(matches!(
            DocNumber::parse("มท /ว 12"),
            Err(DocNumError::ExpectedUnit { .. })
        ));
        assert!(matches!(
            DocNumber::parse("มท 0810.7 ว 12"),
            Err(DocNumError::ExpectedSlash(_))
        ));
        assert!(matches!(
            DocNumber::parse("มท 0810.7/"),
            Err(DocNumError::ExpectedSeq(_))
        ));
        assert_eq!(DocNumber::parse("มท 0810.7/0"), Err(DocNumError::SeqRange));
        assert!(matches!(
            DocNumber::parse("125/67"),
            Err(DocNumError::ExpectedYear(_))
        ));
        assert!(matches!(
            DocNumber::parse("hello"),
            Err(DocNumError::ExpectedAgency(_))
        ));
        assert!(matches!(
            DocNumber::parse("มท 0810.7/ว 12 ลงวันที่"),
            Err(DocNumError::Trailing(_))
        ));
    }
}

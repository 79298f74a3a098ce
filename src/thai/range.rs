//! Date ranges: `ระหว่างวันที่ ๓ - ๕ มีนาคม ๒๕๖๔`, `๓๐ กันยายน - ๒ ตุลาคม ๒๕๖๗`.
//!
//! What the two ends share is printed once, on the right; a range across a
//! year end prints both years.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::date::{
    DEFAULT_PIVOT_YEAR_BE, DateError, DateStyle, be_year, format_date, parse_date_at,
    parse_partial_at,
};
use super::digits::Digits;
use super::names::MONTHS;
use super::scan::{Cursor, is_blank};

/// An inclusive range of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateRange {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    #[error(transparent)]
    Date(#[from] DateError),
    #[error(
        "ไม่พบเครื่องหมาย - หรือคำว่า ถึง ระหว่างวันที่ (expected `-` or `ถึง` between the dates) in “{0}”"
    )]
    MissingSeparator(String),
    #[error("วันเริ่มต้นอยู่หลังวันสิ้นสุด (the range ends before it starts) in “{0}”")]
    Reversed(String),
}

impl DateRange {
    /// A range; `None` when `end` is before `start`.
    pub fn new(start: NaiveDate, end: NaiveDate) -> Option<DateRange> {
        (start <= end).then_some(DateRange { start, end })
    }

    /// `๓ - ๕ มีนาคม ๒๕๖๔`, without a prefix. A one-day range prints one date.
    pub fn format(&self, digits: Digits) -> String {
        let (s, e) = (self.start, self.end);
        let right = format_date(e, DateStyle::Long, digits);
        if s == e {
            return right;
        }
        let left = if s.year() != e.year() {
            format_date(s, DateStyle::Long, digits)
        } else if s.month() != e.month() {
            digits.apply(&format!("{} {}", s.day(), MONTHS[s.month0() as usize]))
        } else {
            digits.apply(&s.day().to_string())
        };
        format!("{left} - {right}")
    }

    /// `ระหว่างวันที่ ๓ - ๕ มีนาคม ๒๕๖๔` (or `วันที่ …` for one day).
    pub fn format_with_prefix(&self, digits: Digits) -> String {
        let prefix = if self.start == self.end {
            "วันที่"
        } else {
            "ระหว่างวันที่"
        };
        format!("{prefix} {}", self.format(digits))
    }

    /// Every day of the range counts; `๓ - ๕` is three days.
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }
}

const RANGE_PREFIXES: &[&str] = &["ระหว่างวันที่", "ระหว่าง วันที่", "ระหว่าง", "ตั้งแต่วันที่", "ตั้งแต่"];
const SEPARATORS: &[&str] = &["ถึงวันที่", "ถึง", "-", "–", "—"];

/// Parses a range; a lone date is a one-day range.
pub fn parse_date_range(text: &str) -> Result<DateRange, RangeError> {
    let text = text.trim_matches(is_blank);
    let mut cur = Cursor::new(text);
    let range = range_at(&mut cur, text)?;
    cur.skip_blanks();
    if !cur.at_end() {
        return Err(DateError::Trailing(cur.rest().to_string()).into());
    }
    Ok(range)
}

/// Parses a range (or a lone full date) at the cursor, leaving the cursor
/// after it; for finding dates inside running text.
pub(crate) fn range_at(cur: &mut Cursor, whole: &str) -> Result<DateRange, RangeError> {
    cur.eat_any(RANGE_PREFIXES);
    let left = parse_partial_at(cur, DEFAULT_PIVOT_YEAR_BE, whole)?;
    let mut probe = *cur;
    probe.skip_blanks();
    let separated = probe.eat_any(SEPARATORS).is_some();
    let right = separated.then(|| parse_date_at(&mut probe, DEFAULT_PIVOT_YEAR_BE, whole));
    let end = match right {
        Some(Ok(end)) => end,
        // A full date on the left stands alone (`๒๓ พฤษภาคม ๒๕๖๗ - …`).
        _ if left.month.is_some() && left.year_be.is_some() => {
            let date = left.complete(1, 1)?;
            return Ok(DateRange {
                start: date,
                end: date,
            });
        }
        Some(Err(e)) => return Err(e.into()),
        None => return Err(RangeError::MissingSeparator(whole.to_string())),
    };
    *cur = probe;
    let mut start = left.complete(end.month(), be_year(end.year()))?;
    // `๓๐ ธันวาคม - ๒ มกราคม ๒๕๖๘`: the left side shares no year, so it is
    // the December before.
    if start > end && left.year_be.is_none() && left.month.is_some_and(|m| m > end.month()) {
        start = left.complete(end.month(), be_year(end.year()) - 1)?;
    }
    DateRange::new(start, end).ok_or_else(|| RangeError::Reversed(whole.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn formats_shared_parts_once() {
        let r = DateRange::new(d(2021, 3, 3), d(2021, 3, 5)).unwrap();
        assert_eq!(
            r.format_with_prefix(Digits::Thai),
            "ระหว่างวันที่ ๓ - ๕ มีนาคม ๒๕๖๔"
        );
        let r = DateRange::new(d(2024, 9, 30), d(2024, 10, 2)).unwrap();
        assert_eq!(r.format(Digits::Thai), "๓๐ กันยายน - ๒ ตุลาคม ๒๕๖๗");
        let r = DateRange::new(d(2024, 12, 30), d(2025, 1, 2)).unwrap();
        assert_eq!(r.format(Digits::Arabic), "30 ธันวาคม 2567 - 2 มกราคม 2568");
        let r = DateRange::new(d(2024, 5, 23), d(2024, 5, 23)).unwrap();
        assert_eq!(r.format_with_prefix(Digits::Thai), "วันที่ ๒๓ พฤษภาคม ๒๕๖๗");
        assert_eq!(r.days(), 1);
    }

    #[test]
    fn parses_what_letters_print() {
        let r = parse_date_range("ระหว่างวันที่ ๓ - ๕ มีนาคม ๒๕๖๔").unwrap();
        assert_eq!((r.start, r.end), (d(2021, 3, 3), d(2021, 3, 5)));
        let r = parse_date_range("๑๘ - ๑๙ มกราคม ๒๕๖๔").unwrap();
        assert_eq!((r.start, r.end), (d(2021, 1, 18), d(2021, 1, 19)));
        let r = parse_date_range("๓๐ กันยายน - ๒ ตุลาคม ๒๕๖๗").unwrap();
        assert_eq!((r.start, r.end), (d(2024, 9, 30), d(2024, 10, 2)));
        let r = parse_date_range("30 ธ.ค. - 2 ม.ค. 68").unwrap();
        assert_eq!((r.start, r.end), (d(2024, 12, 30), d(2025, 1, 2)));
        let r = parse_date_range("ตั้งแต่วันที่ ๑ ตุลาคม ๒๕๖๗ ถึงวันที่ ๓๐ กันยายน ๒๕๖๘").unwrap();
        assert_eq!((r.start, r.end), (d(2024, 10, 1), d(2025, 9, 30)));
        assert_eq!(r.days(), 365);
        let r = parse_date_range("๒๓ พฤษภาคม ๒๕๖๗").unwrap();
        assert_eq!(r.start, r.end);
    }

    #[test]
    fn reports_bad_ranges() {
        assert!(matches!(
            parse_date_range("๕ - ๓ มีนาคม ๒๕๖๔"),
            Err(RangeError::Reversed(_))
        ));
        assert!(matches!(
            parse_date_range("๕ มีนาคม - ๓ มีนาคม ๒๕๖๔"),
            Err(RangeError::Reversed(_))
        ));
        assert!(matches!(
            parse_date_range("๓ ๕ มีนาคม ๒๕๖๔"),
            Err(RangeError::MissingSeparator(_))
        ));
        assert!(matches!(
            parse_date_range("๓๐ - ๓๑ กุมภาพันธ์ ๒๕๖๔"),
            Err(RangeError::Date(DateError::Impossible { .. }))
        ));
    }
}

//! Finding dates inside running text: `ในวันพฤหัสบดีที่ ๒๓ พฤษภาคม ๒๕๖๗
//! เวลา ๐๙.๓๐ - ๑๒.๐๐ น.`, `ระหว่างวันที่ ๓ - ๕ มีนาคม ๒๕๖๔`, `ลว. 15 ก.ย. 48`.
//!
//! The letter parser uses this to tell events, deadlines and citations apart
//! by the words printed before each date.

use super::digits::is_digit;
use super::names::WEEKDAYS;
use super::range::{DateRange, range_at};
use super::scan::{Cursor, is_blank};
use super::time::{TimeRange, time_range_at};

/// A date (or range of dates) found in text, with its byte span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FoundDate {
    /// Where the date phrase starts, its lead-in words included
    /// (`ในวันพฤหัสบดีที่`, `ระหว่างวันที่`, `ภายในวันที่`, `ลงวันที่`).
    pub start: usize,
    /// Where the day number starts.
    pub digits: usize,
    /// Just after the date, or after the clock time that follows it.
    pub end: usize,
    pub range: DateRange,
    pub time: Option<TimeRange>,
    /// What the lead-in words say the date is.
    pub role: DateRole,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateRole {
    /// `ภายในวันที่ …`, `ภายใน …`, `ไม่เกินวันที่ …`
    Deadline,
    /// `ลงวันที่ …`, `ลว. …`: the date of a cited letter.
    Citation,
    /// Anything else.
    Plain,
}

/// Lead-in words, longest first, stripped backwards from the day number.
const LEAD_INS: &[(&str, DateRole)] = &[
    ("ภายในวันที่", DateRole::Deadline),
    ("ไม่เกินวันที่", DateRole::Deadline),
    ("ระหว่างวันที่", DateRole::Plain),
    ("ตั้งแต่วันที่", DateRole::Plain),
    ("ลงวันที่", DateRole::Citation),
    ("ภายใน", DateRole::Deadline),
    ("ระหว่าง", DateRole::Plain),
    ("ตั้งแต่", DateRole::Plain),
    ("ณ วันที่", DateRole::Plain),
    ("วันที่", DateRole::Plain),
    ("ลว.", DateRole::Citation),
    ("ลว", DateRole::Citation),
    ("ใน", DateRole::Plain),
];

/// Every date in `text`, left to right, spans not overlapping.
pub fn find_dates(text: &str) -> Vec<FoundDate> {
    let mut found = Vec::new();
    let mut after_prev = 0;
    let mut prev_digit = false;
    for (i, c) in text.char_indices() {
        let digit = is_digit(c);
        let starts_number = digit && !prev_digit;
        prev_digit = digit;
        if !starts_number || i < after_prev {
            continue;
        }
        // A day never follows `.` or `/` (unit codes, decimals, `๒๓/๕`).
        if text[..i].ends_with(['.', '/', ',']) {
            continue;
        }
        let Some(date) = date_at(text, i) else {
            continue;
        };
        after_prev = date.end;
        found.push(date);
    }
    found
}

fn date_at(text: &str, digits: usize) -> Option<FoundDate> {
    let rest = &text[digits..];
    let mut cur = Cursor::new(rest);
    let range = range_at(&mut cur, rest).ok()?;
    let mut end = cur.pos();
    let mut probe = cur;
    probe.skip_blanks();
    let time = if probe.rest().starts_with("เวลา") || probe.peek().is_some_and(is_digit) {
        time_range_at(&mut probe, rest).ok()
    } else {
        None
    };
    if time.is_some() {
        end = probe.pos();
    }
    let (start, role) = lead_in(text, digits);
    Some(FoundDate {
        start,
        digits,
        end: digits + end,
        range,
        time,
        role,
    })
}

/// Walks back over the lead-in words before a day number.
fn lead_in(text: &str, digits: usize) -> (usize, DateRole) {
    let mut start = digits;
    let mut role = DateRole::Plain;
    loop {
        let head = text[..start].trim_end_matches(is_blank);
        let mut matched = false;
        if let Some(word) = LEAD_INS.iter().find(|(w, _)| head.ends_with(w)) {
            if word.1 != DateRole::Plain && role == DateRole::Plain {
                role = word.1;
            }
            start = head.len() - word.0.len();
            matched = true;
        } else if let Some(len) = weekday_lead_in(head) {
            start = head.len() - len;
            matched = true;
        }
        if !matched {
            return (start, role);
        }
    }
}

/// `วันพฤหัสบดีที่` / `วันพฤหัสบดี` / `พฤหัสบดีที่` at the end of `head`;
/// the length in bytes.
fn weekday_lead_in(head: &str) -> Option<usize> {
    let bare = head.strip_suffix("ที่").unwrap_or(head);
    let name = WEEKDAYS
        .iter()
        .chain(&["พฤหัส"])
        .find(|name| bare.ends_with(*name))?;
    let with_wan = bare[..bare.len() - name.len()].ends_with("วัน");
    Some(head.len() - bare.len() + name.len() + if with_wan { "วัน".len() } else { 0 })
}

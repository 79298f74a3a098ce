//! Clock times as letters print them: `๐๙.๓๐ น.` and `๐๙.๓๐ - ๑๒.๐๐ น.`.

use chrono::{NaiveTime, Timelike};
use serde::{Deserialize, Serialize};

use super::digits::Digits;
use super::scan::{Cursor, is_blank};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("ไม่พบเวลา (expected a time such as ๐๙.๓๐ น.) in “{0}”")]
    Missing(String),
    #[error("ไม่มีเวลา {hour}.{minute:02} น. (hours run 00–23, minutes 00–59)")]
    Impossible { hour: u32, minute: u32 },
    #[error("เวลาสิ้นสุดก่อนเวลาเริ่ม (the time range ends before it starts) in “{0}”")]
    Reversed(String),
    #[error("มีข้อความเกินหลังเวลา (unexpected text after the time): “{0}”")]
    Trailing(String),
}

/// `๐๙.๓๐ น.`
pub fn format_time(time: NaiveTime, digits: Digits) -> String {
    digits.apply(&format!("{:02}.{:02} น.", time.hour(), time.minute()))
}

/// A span of clock time within one day; `end` is `None` for a lone time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeRange {
    pub start: NaiveTime,
    pub end: Option<NaiveTime>,
}

impl TimeRange {
    /// `๐๙.๓๐ - ๑๒.๐๐ น.`, or `๐๙.๓๐ น.` for a lone time.
    pub fn format(&self, digits: Digits) -> String {
        match self.end {
            None => format_time(self.start, digits),
            Some(end) => digits.apply(&format!(
                "{:02}.{:02} - {:02}.{:02} น.",
                self.start.hour(),
                self.start.minute(),
                end.hour(),
                end.minute()
            )),
        }
    }
}

/// Parses `๐๙.๓๐ น.`, `9.30`, `09:30`, `เวลา ๐๙.๓๐ - ๑๒.๐๐ น.`,
/// `๐๙.๓๐ น. - ๑๒.๐๐ น.` and the like.
pub fn parse_time_range(text: &str) -> Result<TimeRange, TimeError> {
    let text = text.trim_matches(is_blank);
    let mut cur = Cursor::new(text);
    let range = time_range_at(&mut cur, text)?;
    cur.skip_blanks();
    if !cur.at_end() {
        return Err(TimeError::Trailing(cur.rest().to_string()));
    }
    Ok(range)
}

/// Parses a time or time range at the cursor, leaving it after the match.
pub(crate) fn time_range_at(cur: &mut Cursor, whole: &str) -> Result<TimeRange, TimeError> {
    cur.eat("เวลา");
    let start = time_at(cur, whole)?;
    let mut end = None;
    let mut probe = *cur;
    probe.skip_blanks();
    if probe.eat_any(&["-", "–", "—", "ถึง"]).is_some()
        && let Ok(e) = time_at(&mut probe, whole)
    {
        *cur = probe;
        end = Some(e);
    }
    if let Some(e) = end
        && e < start
    {
        return Err(TimeError::Reversed(whole.to_string()));
    }
    Ok(TimeRange { start, end })
}

/// Parses one time; see [`parse_time_range`].
pub fn parse_time(text: &str) -> Result<NaiveTime, TimeError> {
    let range = parse_time_range(text)?;
    match range.end {
        None => Ok(range.start),
        Some(_) => Err(TimeError::Trailing(text.to_string())),
    }
}

fn time_at(cur: &mut Cursor, whole: &str) -> Result<NaiveTime, TimeError> {
    cur.skip_blanks();
    let (hour, _) = cur
        .number(2)
        .ok_or_else(|| TimeError::Missing(whole.to_string()))?;
    if cur.eat_any(&[".", ":"]).is_none() {
        return Err(TimeError::Missing(whole.to_string()));
    }
    let (minute, len) = cur
        .number(2)
        .filter(|(_, len)| *len == 2)
        .ok_or_else(|| TimeError::Missing(whole.to_string()))?;
    debug_assert_eq!(len, 2);
    let mut probe = *cur;
    probe.skip_blanks();
    // `น.` (นาฬิกา), or a bare `น` that is not the start of the next word.
    if probe.eat("น.")
        || (probe.eat("น") && !probe.peek().is_some_and(|c| ('ก'..='๛').contains(&c)))
    {
        *cur = probe;
    }
    NaiveTime::from_hms_opt(hour, minute, 0).ok_or(TimeError::Impossible { hour, minute })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn formats() {
        assert_eq!(format_time(t(9, 30), Digits::Thai), "๐๙.๓๐ น.");
        let r = TimeRange {
            start: t(9, 30),
            end: Some(t(12, 0)),
        };
        assert_eq!(r.format(Digits::Thai), "๐๙.๓๐ - ๑๒.๐๐ น.");
        assert_eq!(r.format(Digits::Arabic), "09.30 - 12.00 น.");
    }

    #[test]
    fn parses_printed_forms() {
        assert_eq!(parse_time("๐๙.๓๐ น."), Ok(t(9, 30)));
        assert_eq!(parse_time("9.30"), Ok(t(9, 30)));
        assert_eq!(parse_time("เวลา 13:00 น."), Ok(t(13, 0)));
        assert_eq!(parse_time("๑๐.๔๕น."), Ok(t(10, 45)));
        let r = parse_time_range("เวลา ๐๙.๓๐ - ๑๒.๐๐ น.").unwrap();
        assert_eq!((r.start, r.end), (t(9, 30), Some(t(12, 0))));
        let r = parse_time_range("๑๓.๐๐ น. – ๑๕.๐๐ น.").unwrap();
        assert_eq!((r.start, r.end), (t(13, 0), Some(t(15, 0))));
    }

    #[test]
    fn rejects_bad_times() {
        assert_eq!(
            parse_time("๒๔.๐๐ น."),
            Err(TimeError::Impossible {
                hour: 24,
                minute: 0
            })
        );
        assert_eq!(
            parse_time("๐๙.๖๐ น."),
            Err(TimeError::Impossible {
                hour: 9,
                minute: 60
            })
        );
        assert!(matches!(parse_time("๐๙ น."), Err(TimeError::Missing(_))));
        assert!(matches!(parse_time("9.3"), Err(TimeError::Missing(_))));
        assert!(matches!(
            parse_time_range("๑๒.๐๐ - ๐๙.๓๐ น."),
            Err(TimeError::Reversed(_))
        ));
        assert!(matches!(
            parse_time("๐๙.๓๐ น. โดย"),
            Err(TimeError::Trailing(_))
        ));
    }
}

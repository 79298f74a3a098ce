//! Buddhist-era dates: formatting through ICU, parsing of what letters print.
//!
//! Formatting uses ICU4X with the locale `th-TH-u-ca-buddhist-nu-thai` (or
//! `th-TH-u-ca-buddhist-nu-latn` for Arabic digits), so month and weekday names and
//! the era arithmetic come from CLDR, not from tables of ours. Parsing is ours:
//! ICU does not parse, and letters print dates in more shapes than CLDR knows
//! (`ลว. 15 ก.ย. 48`, `14 ม.ค.62`, `วันที่ ๔ เดือน กุมภาพันธ์ ๒๕๖๕`).

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate, Weekday};
use icu_calendar::{Date, Iso};
use icu_datetime::{DateTimeFormatter, fieldsets};
use icu_locale_core::Locale;
use serde::{Deserialize, Serialize};

use super::digits::Digits;
use super::names::{month_number, weekday_name, weekday_prefix};
use super::scan::Cursor;

/// The difference between Buddhist-era and Common-era year numbers.
pub const BE_OFFSET: i32 = 543;

/// Converts a Common-era year to the Buddhist era (Thai years start on
/// 1 January since B.E. 2484, so no month adjustment is needed).
pub fn be_year(ce_year: i32) -> i32 {
    ce_year + BE_OFFSET
}

/// Converts a Buddhist-era year to the Common era.
pub fn ce_year(be_year: i32) -> i32 {
    be_year - BE_OFFSET
}

/// The shapes in which letters print a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateStyle {
    /// `๒๑ พฤษภาคม ๒๕๖๗`: the date line of every letter.
    Long,
    /// `วันพฤหัสบดีที่ ๒๓ พฤษภาคม ๒๕๖๗`: events and schedules.
    Weekday,
    /// `๒๓ พ.ค. ๒๕๖๗`: registers and tables.
    Short,
    /// `๒๓ พ.ค. ๖๗`: the tightest tables.
    ShortYear2,
}

impl DateStyle {
    pub const ALL: [DateStyle; 4] = [
        DateStyle::Long,
        DateStyle::Weekday,
        DateStyle::Short,
        DateStyle::ShortYear2,
    ];
}

struct Formatters {
    long: DateTimeFormatter<fieldsets::YMD>,
    weekday: DateTimeFormatter<fieldsets::YMDE>,
    short: DateTimeFormatter<fieldsets::YMD>,
}

impl Formatters {
    fn new(locale: &str) -> Formatters {
        // The locale strings are constants; failure here is a build defect.
        let locale: Locale = locale.parse().expect("valid ICU locale");
        let prefs = || locale.clone().into();
        Formatters {
            long: DateTimeFormatter::try_new(prefs(), fieldsets::YMD::long())
                .expect("ICU data for th long dates"),
            weekday: DateTimeFormatter::try_new(prefs(), fieldsets::YMDE::long())
                .expect("ICU data for th weekday dates"),
            short: DateTimeFormatter::try_new(prefs(), fieldsets::YMD::medium())
                .expect("ICU data for th medium dates"),
        }
    }
}

static THAI_DIGITS: LazyLock<Formatters> =
    LazyLock::new(|| Formatters::new("th-TH-u-ca-buddhist-nu-thai"));
static ARABIC_DIGITS: LazyLock<Formatters> =
    LazyLock::new(|| Formatters::new("th-TH-u-ca-buddhist-nu-latn"));

/// The ISO date for ICU, which takes years −9999 to 9999 only.
fn iso(date: NaiveDate) -> Option<Date<Iso>> {
    Date::try_new_iso(date.year(), date.month() as u8, date.day() as u8).ok()
}

/// Formats `date` in the given style and digits.
pub fn format_date(date: NaiveDate, style: DateStyle, digits: Digits) -> String {
    let f = match digits {
        Digits::Thai => &*THAI_DIGITS,
        Digits::Arabic => &*ARABIC_DIGITS,
    };
    let Some(d) = iso(date) else {
        // Beyond ICU's calendar (C.E. year over 9999): the long form by hand.
        let text = format!(
            "{} {} {}",
            date.day(),
            super::names::MONTHS[date.month0() as usize],
            be_year(date.year())
        );
        return digits.apply(&text);
    };
    match style {
        DateStyle::Long => f.long.format(&d).to_string(),
        DateStyle::Weekday => f.weekday.format(&d).to_string(),
        DateStyle::Short => f.short.format(&d).to_string(),
        DateStyle::ShortYear2 => {
            // CLDR has no two-digit Buddhist year with a month abbreviation;
            // shorten ICU's four-digit year (always the last word).
            let full = f.short.format(&d).to_string();
            match full.rsplit_once(' ') {
                Some((head, year)) if year.chars().count() == 4 => {
                    let two: String = year.chars().skip(2).collect();
                    format!("{head} {two}")
                }
                _ => full,
            }
        }
    }
}

/// Why a date did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("ไม่พบวันที่ (expected a day number) in “{0}”")]
    MissingDay(String),
    #[error("ไม่รู้จักชื่อเดือน (expected a Thai month name such as มีนาคม or มี.ค.) in “{0}”")]
    MissingMonth(String),
    #[error("ไม่พบปี พ.ศ. (expected a Buddhist-era year such as ๒๕๖๗ or ๖๗) in “{0}”")]
    MissingYear(String),
    #[error("ไม่มีวันที่ {day} เดือน {month} ปี พ.ศ. {year_be} (impossible date)")]
    Impossible { day: u32, month: u32, year_be: i32 },
    #[error(
        "วันในสัปดาห์ไม่ตรงกับวันที่: พิมพ์ว่าวัน{printed} แต่วันที่นี้เป็นวัน{actual} \
         (weekday does not match the date)"
    )]
    WeekdayMismatch {
        printed: &'static str,
        actual: &'static str,
    },
    #[error("มีข้อความเกินหลังวันที่ (unexpected text after the date): “{0}”")]
    Trailing(String),
    #[error("ปี พ.ศ. {0} อยู่นอกช่วงที่รับได้ ๒๔๐๐–๒๙๙๙ (a B.E. year from 2400 to 2999 expected)")]
    YearRange(i32),
}

/// The Buddhist-era years a letter can carry.
pub const YEARS_BE: std::ops::RangeInclusive<i32> = 2400..=2999;

/// The prefixes letters put before a date. Longer first.
const DATE_PREFIXES: &[&str] = &[
    "ประกาศ ณ วันที่",
    "ให้ไว้ ณ วันที่",
    "สั่ง ณ วันที่",
    "เมื่อวันที่",
    "ภายในวันที่",
    "ลงวันที่",
    "ณ วันที่",
    "วันที่",
    "ลว.",
    "ลว",
    "ใน",
];

/// The default window for two-digit years: `๖๒` is 2562, `๔๘` is 2548.
/// Two-digit years resolve into the century around this B.E. year.
pub const DEFAULT_PIVOT_YEAR_BE: i32 = 2550;

/// Parses a whole date as printed in a letter, with two-digit years read in
/// the B.E. 2500s (see [`parse_date_near`] for another window).
pub fn parse_date(text: &str) -> Result<NaiveDate, DateError> {
    parse_date_near(text, DEFAULT_PIVOT_YEAR_BE)
}

/// Parses a whole date; a two-digit year is taken as the year nearest to
/// `pivot_year_be` (within 50 years before and 49 after).
pub fn parse_date_near(text: &str, pivot_year_be: i32) -> Result<NaiveDate, DateError> {
    let mut cur = Cursor::new(text.trim_matches(super::scan::is_blank));
    let date = parse_date_at(&mut cur, pivot_year_be, text)?;
    cur.skip_blanks();
    if !cur.at_end() {
        return Err(DateError::Trailing(cur.rest().to_string()));
    }
    Ok(date)
}

/// What the parser found before it filled in the year, for ranges whose left
/// side omits the month or year (`๓ - ๕ มีนาคม ๒๕๖๔`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PartialDate {
    pub day: u32,
    pub month: Option<u32>,
    pub year_be: Option<i32>,
    pub weekday: Option<Weekday>,
}

impl PartialDate {
    /// Completes and validates the date with the given month and year.
    pub fn complete(&self, month: u32, year_be: i32) -> Result<NaiveDate, DateError> {
        let month = self.month.unwrap_or(month);
        let year_be = self.year_be.unwrap_or(year_be);
        if !YEARS_BE.contains(&year_be) {
            return Err(DateError::YearRange(year_be));
        }
        let date = NaiveDate::from_ymd_opt(ce_year(year_be), month, self.day).ok_or(
            DateError::Impossible {
                day: self.day,
                month,
                year_be,
            },
        )?;
        if let Some(printed) = self.weekday
            && printed != date.weekday()
        {
            return Err(DateError::WeekdayMismatch {
                printed: weekday_name(printed),
                actual: weekday_name(date.weekday()),
            });
        }
        Ok(date)
    }
}

/// Parses a full date at the cursor (prefixes, weekday, day, month, year).
pub(crate) fn parse_date_at(
    cur: &mut Cursor,
    pivot_year_be: i32,
    whole: &str,
) -> Result<NaiveDate, DateError> {
    let partial = parse_partial_at(cur, pivot_year_be, whole)?;
    let month = partial
        .month
        .ok_or_else(|| DateError::MissingMonth(whole.to_string()))?;
    let year = partial
        .year_be
        .ok_or_else(|| DateError::MissingYear(whole.to_string()))?;
    partial.complete(month, year)
}

/// Parses a date at the cursor whose month and year may be missing.
pub(crate) fn parse_partial_at(
    cur: &mut Cursor,
    pivot_year_be: i32,
    whole: &str,
) -> Result<PartialDate, DateError> {
    cur.skip_blanks();
    // Prefixes and the weekday may come in either order and repeat
    // (`ในวันพฤหัสบดีที่`, `วันที่`, `ลงวันที่`).
    let mut weekday = None;
    loop {
        let before = cur.pos();
        let mut probe = *cur;
        probe.eat("วัน");
        probe.skip_blanks();
        if let Some((day, len)) = weekday_prefix(probe.rest()) {
            probe.advance(len);
            probe.skip_blanks();
            probe.eat("ที่");
            *cur = probe;
            weekday = Some(day);
        } else if cur.eat_any(DATE_PREFIXES).is_some() {
        }
        cur.skip_blanks();
        if cur.pos() == before {
            break;
        }
    }

    let (day, _) = cur
        .number(2)
        .ok_or_else(|| DateError::MissingDay(whole.to_string()))?;
    cur.skip_blanks();

    // Numeric form: ๒๓/๕/๒๕๖๗.
    let mut probe = *cur;
    if probe.eat("/")
        && let Some((month, _)) = probe.number(2)
        && probe.eat("/")
        && let Some(year) = year_at(&mut probe, pivot_year_be)
    {
        *cur = probe;
        return Ok(PartialDate {
            day,
            month: Some(month),
            year_be: Some(year),
            weekday,
        });
    }

    cur.eat("เดือน");
    cur.skip_blanks();
    let mut probe = *cur;
    let word = probe.take_while(|c| {
        !c.is_ascii_digit()
            && !is_thai_digit(c)
            && !super::scan::is_blank(c)
            && c != '-'
            && c != '–'
    });
    let month = month_in_word(word).map(|(m, len)| {
        cur.advance(len);
        m
    });
    if month.is_none() {
        return Ok(PartialDate {
            day,
            month: None,
            year_be: None,
            weekday,
        });
    }
    cur.skip_blanks();
    cur.eat_any(&["พ.ศ.", "พ.ศ"]);
    cur.skip_blanks();
    let year_be = year_at(cur, pivot_year_be);
    Ok(PartialDate {
        day,
        month,
        year_be,
        weekday,
    })
}

fn is_thai_digit(c: char) -> bool {
    ('๐'..='๙').contains(&c)
}

/// The month that a word starts with, and how many bytes it takes. The word
/// may run into what follows (`ม.ค.พ.ศ.`), so try the longest match first.
fn month_in_word(word: &str) -> Option<(u32, usize)> {
    let ends: Vec<usize> = word.char_indices().map(|(i, c)| i + c.len_utf8()).collect();
    ends.iter()
        .rev()
        .find_map(|&end| month_number(&word[..end]).map(|m| (m, end)))
}

/// A B.E. year of four digits, or of two resolved around the pivot.
fn year_at(cur: &mut Cursor, pivot_year_be: i32) -> Option<i32> {
    let mut probe = *cur;
    let (value, len) = probe.number(4)?;
    let year = match len {
        4 => value as i32,
        2 => resolve_two_digit_year(value as i32, pivot_year_be),
        _ => return None,
    };
    *cur = probe;
    Some(year)
}

/// The B.E. year ending in `yy` that lies within 50 years before and 49 after
/// the pivot.
pub fn resolve_two_digit_year(yy: i32, pivot_year_be: i32) -> i32 {
    let low = pivot_year_be - 50;
    let century = low - low.rem_euclid(100);
    let candidate = century + yy;
    if candidate < low {
        candidate + 100
    } else {
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn formats_every_style() {
        let date = d(2024, 5, 23);
        assert_eq!(
            format_date(date, DateStyle::Long, Digits::Thai),
            "๒๓ พฤษภาคม ๒๕๖๗"
        );
        assert_eq!(
            format_date(date, DateStyle::Weekday, Digits::Thai),
            "วันพฤหัสบดีที่ ๒๓ พฤษภาคม ๒๕๖๗"
        );
        assert_eq!(
            format_date(date, DateStyle::Short, Digits::Thai),
            "๒๓ พ.ค. ๒๕๖๗"
        );
        assert_eq!(
            format_date(date, DateStyle::ShortYear2, Digits::Thai),
            "๒๓ พ.ค. ๖๗"
        );
        assert_eq!(
            format_date(date, DateStyle::Long, Digits::Arabic),
            "23 พฤษภาคม 2567"
        );
        assert_eq!(
            format_date(date, DateStyle::ShortYear2, Digits::Arabic),
            "23 พ.ค. 67"
        );
    }

    #[test]
    fn parses_what_letters_print() {
        assert_eq!(parse_date("ลงวันที่ ๖ มกราคม ๒๕๖๔"), Ok(d(2021, 1, 6)));
        assert_eq!(parse_date("ลว. 15 ก.ย. 48"), Ok(d(2005, 9, 15)));
        assert_eq!(parse_date("14 ม.ค.62"), Ok(d(2019, 1, 14)));
        assert_eq!(parse_date("วันที่ ๔ เดือน กุมภาพันธ์ ๒๕๖๕"), Ok(d(2022, 2, 4)));
        assert_eq!(parse_date("วันพุธที่ ๓ มีนาคม ๒๕๖๔"), Ok(d(2021, 3, 3)));
        assert_eq!(
            parse_date("ในวันพฤหัสบดีที่ ๒๓ พฤษภาคม ๒๕๖๗"),
            Ok(d(2024, 5, 23))
        );
        assert_eq!(parse_date("๒๑ พฤษภาคม พ.ศ. ๒๕๖๗"), Ok(d(2024, 5, 21)));
        assert_eq!(parse_date("2๑ พฤษภาคม 25๖7"), Ok(d(2024, 5, 21)));
        assert_eq!(parse_date("๒๓/๕/๒๕๖๗"), Ok(d(2024, 5, 23)));
        assert_eq!(parse_date("  ๑\u{a0}มี.ค.\u{200b}๖๔ "), Ok(d(2021, 3, 1)));
    }

    #[test]
    fn reports_bad_dates() {
        assert!(matches!(
            parse_date("๓๐ กุมภาพันธ์ ๒๕๖๗"),
            Err(DateError::Impossible {
                day: 30,
                month: 2,
                year_be: 2567
            })
        ));
        assert_eq!(
            parse_date("วันจันทร์ที่ ๓ มีนาคม ๒๕๖๔"),
            Err(DateError::WeekdayMismatch {
                printed: "จันทร์",
                actual: "พุธ"
            })
        );
        assert!(matches!(
            parse_date("มีนาคม ๒๕๖๔"),
            Err(DateError::MissingDay(_))
        ));
        assert!(matches!(
            parse_date("๓ มีนา ๒๕๖๔"),
            Err(DateError::MissingMonth(_))
        ));
        assert!(matches!(
            parse_date("๓ มีนาคม"),
            Err(DateError::MissingYear(_))
        ));
        assert!(matches!(
            parse_date("๓ มีนาคม ๒๕๖๔ ครับ"),
            Err(DateError::Trailing(_))
        ));
        assert!(matches!(parse_date(""), Err(DateError::MissingDay(_))));
        assert_eq!(parse_date("1 มกราคม 0000"), Err(DateError::YearRange(0)));
        assert_eq!(parse_date("1 มกราคม 2024"), Err(DateError::YearRange(2024)));
    }

    #[test]
    fn two_digit_years_follow_the_pivot() {
        assert_eq!(resolve_two_digit_year(62, 2550), 2562);
        assert_eq!(resolve_two_digit_year(0, 2550), 2500);
        assert_eq!(resolve_two_digit_year(99, 2550), 2599);
        assert_eq!(resolve_two_digit_year(84, 2484), 2484);
        assert_eq!(resolve_two_digit_year(33, 2484), 2533);
        assert_eq!(resolve_two_digit_year(34, 2484), 2434);
        assert_eq!(parse_date_near("1 ม.ค. 84", 2490), Ok(d(1941, 1, 1)));
    }
}

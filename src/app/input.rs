//! Reading what a person typed, one way for every entry point: dates (B.E.
//! or C.E., Thai or Arabic digits, ISO or written out), required text,
//! series names, ids. The web form, the JSON API and the command line all
//! call these, so `2567-05-22` means 22 May 2024 everywhere.

use chrono::{Datelike, NaiveDate};

use super::error::{AppError, AppResult};
use crate::store::numbering::Series;
use crate::thai::to_arabic_digits;

/// The years a date typed into saraban may fall in (C.E.): a letter, a
/// deadline or a search bound outside these is a typing mistake.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// A date as a person types it: `2024-05-22`, `2567-05-22` (a year past
/// 2400 is B.E.), `๒๒ พฤษภาคม ๒๕๖๗`, `22 พ.ค. 67`, `22/5/2567`.
pub fn date(field: &str, text: &str) -> AppResult<NaiveDate> {
    let t = to_arabic_digits(text.trim());
    let parsed = match NaiveDate::parse_from_str(&t, "%Y-%m-%d") {
        Ok(d) if d.year() > 2400 => d.with_year(d.year() - 543),
        Ok(d) => Some(d),
        Err(_) => crate::thai::parse_date(&t).ok(),
    };
    match parsed {
        Some(d) if YEARS.contains(&d.year()) => Ok(d),
        _ => Err(bad_date(field, text)),
    }
}

/// An optional date: empty text is none.
pub fn optional_date(field: &str, text: Option<&str>) -> AppResult<Option<NaiveDate>> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => date(field, t).map(Some),
        None => Ok(None),
    }
}

fn bad_date(field: &str, text: &str) -> AppError {
    AppError::invalid(
        field,
        format!("วันที่ “{text}” ไม่ถูกต้อง ใช้รูปแบบ ๒๑/๕/๒๕๖๗ หรือ ๒๑ พฤษภาคม ๒๕๖๗"),
        format!("the date “{text}” is not valid; use 21/5/2567 (B.E.) or 2024-05-21"),
    )
}

/// Text that must not be empty (a reason, a label).
pub fn required<'a>(field: &str, text: &'a str, th: &str, en: &str) -> AppResult<&'a str> {
    let t = text.trim();
    if t.is_empty() {
        Err(AppError::invalid(field, th, en))
    } else {
        Ok(t)
    }
}

/// The reason for cancelling or returning: required.
pub fn reason(text: &str) -> AppResult<&str> {
    required("reason", text, "กรุณาระบุเหตุผล", "a reason is required")
}

/// A numbering series by its key or Thai name; empty is none.
pub fn series(text: Option<&str>) -> AppResult<Option<Series>> {
    match text.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Ok(Some(
            Series::parse(s).map_err(|e| AppError::from(e).on("series"))?,
        )),
        None => Ok(None),
    }
}

/// Optional text: empty or blank is none.
pub fn optional(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_the_same_everywhere() {
        let want = NaiveDate::from_ymd_opt(2024, 5, 22).unwrap();
        for text in [
            "2024-05-22",
            "2567-05-22",
            "๒๕๖๗-๐๕-๒๒",
            "22 พฤษภาคม 2567",
            "๒๒ พฤษภาคม ๒๕๖๗",
            "22 พ.ค. 67",
        ] {
            assert_eq!(date("deadline", text).unwrap(), want, "{text}");
        }
    }

    #[test]
    fn impossible_and_far_dates_are_refused() {
        for text in [
            "0000-01-01",
            "9999-12-31",
            "30 กุมภาพันธ์ 2567",
            "",
            "tomorrow",
        ] {
            let e = date("deadline", text).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("deadline"), "{text}");
        }
    }

    #[test]
    fn a_reason_is_required() {
        assert!(reason("  ").is_err());
        assert_eq!(reason(" พิมพ์ผิด ").unwrap(), "พิมพ์ผิด");
    }
}

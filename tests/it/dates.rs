//! Every day from 1 Jan 2484 to 31 Dec 2643 B.E., formatted by ICU in every
//! style and both digit sets, parses back to the same day with our parser.

use chrono::{Datelike, NaiveDate};
use saraban::thai::{self, DateStyle, Digits, names::MONTHS};

#[test]
fn every_day_round_trips_in_every_form() {
    let first = NaiveDate::from_ymd_opt(2484 - 543, 1, 1).unwrap();
    let last = NaiveDate::from_ymd_opt(2643 - 543, 12, 31).unwrap();
    let mut day = first;
    let mut checked = 0u32;
    while day <= last {
        let year_be = thai::be_year(day.year());
        for digits in [Digits::Thai, Digits::Arabic] {
            for style in DateStyle::ALL {
                let text = thai::format_date(day, style, digits);
                let parsed = match style {
                    // A two-digit year needs a reference year; any within
                    // 49 years of the date must do.
                    DateStyle::ShortYear2 => {
                        let pivot = year_be + (day.ordinal() as i32 % 99) - 49;
                        thai::parse_date_near(&text, pivot)
                    }
                    _ => thai::parse_date(&text),
                };
                assert_eq!(parsed, Ok(day), "{style:?} {text:?}");
                checked += 1;
            }
        }
        day = day.succ_opt().unwrap();
    }
    // 160 years of 365 days, plus the 39 leap days of 1944–2096 (2100 is not leap).
    assert_eq!(checked, (160 * 365 + 39) * 8);
}

/// ICU's long form against one composed from the month table by hand: the
/// two sources of month names agree, and the year is C.E. + 543.
#[test]
fn icu_long_form_matches_the_month_table() {
    for year in [1941, 1999, 2024, 2100] {
        for month in 1..=12u32 {
            let day = NaiveDate::from_ymd_opt(year, month, 9).unwrap();
            let expected = format!("9 {} {}", MONTHS[month as usize - 1], year + 543);
            assert_eq!(
                thai::format_date(day, DateStyle::Long, Digits::Arabic),
                expected
            );
            assert_eq!(
                thai::format_date(day, DateStyle::Long, Digits::Thai),
                thai::to_thai_digits(&expected)
            );
        }
    }
}

#[test]
fn ranges_round_trip() {
    let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
    for (s, e) in [
        (d(2021, 3, 3), d(2021, 3, 5)),
        (d(2024, 9, 30), d(2024, 10, 2)),
        (d(2024, 12, 30), d(2025, 1, 2)),
        (d(2024, 2, 28), d(2024, 2, 29)),
        (d(2023, 5, 1), d(2023, 5, 1)),
    ] {
        let range = thai::DateRange::new(s, e).unwrap();
        for digits in [Digits::Thai, Digits::Arabic] {
            for text in [range.format(digits), range.format_with_prefix(digits)] {
                assert_eq!(thai::parse_date_range(&text), Ok(range), "{text}");
            }
        }
    }
}

#[test]
fn times_round_trip() {
    for h in 0..24 {
        for m in [0, 1, 15, 30, 45, 59] {
            let t = chrono::NaiveTime::from_hms_opt(h, m, 0).unwrap();
            for digits in [Digits::Thai, Digits::Arabic] {
                assert_eq!(thai::parse_time(&thai::format_time(t, digits)), Ok(t));
            }
        }
    }
}

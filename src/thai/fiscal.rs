//! The Thai fiscal year (ปีงบประมาณ): 1 October to 30 September, named by the
//! Buddhist-era year in which it ends.

use chrono::{Datelike, NaiveDate};

use super::date::{be_year, ce_year};

/// The fiscal year (B.E.) that `date` falls in: 1 Oct 2024 is in ๒๕๖๘.
pub fn fiscal_year(date: NaiveDate) -> i32 {
    let ends_in = if date.month() >= 10 {
        date.year() + 1
    } else {
        date.year()
    };
    be_year(ends_in)
}

/// The first and last day of fiscal year `year_be`; `None` outside the
/// calendar's range.
pub fn fiscal_year_range(year_be: i32) -> Option<(NaiveDate, NaiveDate)> {
    let end_year = ce_year(year_be);
    Some((
        NaiveDate::from_ymd_opt(end_year - 1, 10, 1)?,
        NaiveDate::from_ymd_opt(end_year, 9, 30)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn names_the_year_it_ends_in() {
        assert_eq!(fiscal_year(d(2024, 10, 1)), 2568);
        assert_eq!(fiscal_year(d(2024, 9, 30)), 2567);
        assert_eq!(fiscal_year(d(2021, 2, 24)), 2564);
        assert_eq!(
            fiscal_year_range(2565),
            Some((d(2021, 10, 1), d(2022, 9, 30)))
        );
    }

    #[test]
    fn every_day_lies_in_its_own_fiscal_year() {
        let mut day = d(2020, 1, 1);
        while day < d(2026, 1, 1) {
            let (start, end) = fiscal_year_range(fiscal_year(day)).unwrap();
            assert!(start <= day && day <= end, "{day}");
            day = day.succ_opt().unwrap();
        }
    }
}

//! Dates that contradict themselves or the letter: a weekday that is not
//! the date's, a deadline before the letter or already past, a session
//! before the letter, and an order's `๑๒๕/๒๕๖๗` whose year is not its date's.

use chrono::{Datelike, NaiveDate};

use super::sheet::Sheet;
use super::{Code, Context, Finding};
use crate::docnum::DocNumber;
use crate::thai::names::{weekday_name, weekday_prefix};
use crate::thai::{DateRole, DateStyle, Digits, be_year, find_dates, fiscal_year, format_date};

fn long(d: NaiveDate) -> String {
    format_date(d, DateStyle::Long, Digits::Thai)
}

pub fn check(sheet: &Sheet, ctx: &Context, out: &mut Vec<Finding>) {
    let letter_date = sheet.date.as_ref().map(|(_, d)| *d);
    for t in sheet.prose() {
        for found in find_dates(&t.text) {
            let day = found.range.start;
            weekday(
                &t.text,
                &t.field,
                found.start,
                found.digits,
                found.end,
                day,
                out,
            );
            if found.role == DateRole::Deadline {
                deadline(
                    sheet,
                    ctx,
                    &t.field,
                    &t.text,
                    (found.start, found.end),
                    day,
                    out,
                );
            }
        }
    }
    for (field, day) in &sheet.deadlines {
        deadline(sheet, ctx, field, "", (0, 0), *day, out);
    }
    if let Some(date) = letter_date {
        for (field, day) in &sheet.events {
            if *day < date {
                out.push(Finding::at(
                    Code::EventBeforeDate,
                    field,
                    "",
                    0,
                    0,
                    format!("วันจัดกิจกรรม {} อยู่ก่อนวันที่ของหนังสือ {}", long(*day), long(date)),
                    format!("the event on {day} is before the letter's date {date}"),
                ));
            }
        }
    }
    number_year(sheet, out);
}

/// `วันพฤหัสบดีที่ ๒๔ พฤษภาคม ๒๕๖๗`: the weekday named before the day.
fn weekday(
    text: &str,
    field: &str,
    start: usize,
    digits: usize,
    end: usize,
    day: NaiveDate,
    out: &mut Vec<Finding>,
) {
    let lead = &text[start..digits];
    let found = lead
        .char_indices()
        .find_map(|(i, _)| weekday_prefix(&lead[i..]).map(|(wd, _)| wd));
    let Some(named) = found else { return };
    if named != day.weekday() {
        out.push(Finding::at(
            Code::WeekdayMismatch,
            field,
            text,
            start,
            end,
            format!(
                "วันที่ {} ตรงกับวัน{} ไม่ใช่วัน{}",
                long(day),
                weekday_name(day.weekday()),
                weekday_name(named)
            ),
            format!("{day} is a {:?}, not a {named:?}", day.weekday()),
        ));
    }
}

fn deadline(
    sheet: &Sheet,
    ctx: &Context,
    field: &str,
    text: &str,
    (start, end): (usize, usize),
    day: NaiveDate,
    out: &mut Vec<Finding>,
) {
    if let Some((_, date)) = &sheet.date
        && day < *date
    {
        out.push(Finding::at(
            Code::DeadlineBeforeDate,
            field,
            text,
            start,
            end,
            format!("กำหนดส่ง {} อยู่ก่อนวันที่ของหนังสือ {}", long(day), long(*date)),
            format!("the deadline {day} is before the letter's date {date}"),
        ));
        return;
    }
    // A numbered letter's deadlines were right when it went out.
    if let Some(today) = ctx.today
        && sheet.is_draft()
        && day < today
    {
        out.push(Finding::at(
            Code::DeadlinePast,
            field,
            text,
            start,
            end,
            format!("กำหนดส่ง {} ผ่านไปแล้ว (วันนี้ {})", long(day), long(today)),
            format!("the deadline {day} has passed (today is {today})"),
        ));
    }
}

/// An order's or announcement's `n/ปี`: the year is the date's B.E. year
/// (or its fiscal year, for offices that number by it).
fn number_year(sheet: &Sheet, out: &mut Vec<Finding>) {
    let (Some((field, number)), Some((_, date))) = (&sheet.number, &sheet.date) else {
        return;
    };
    let Ok(parsed) = DocNumber::parse(number) else {
        return;
    };
    let Some(year) = parsed.year_be else { return };
    let year = i32::from(year);
    if year != be_year(date.year()) && year != fiscal_year(*date) {
        out.push(Finding::at(
            Code::NumberYearMismatch,
            field,
            number,
            0,
            number.len(),
            format!(
                "เลขที่ {} เป็นของปี {} แต่ลงวันที่ {}",
                number,
                crate::thai::to_thai_digits(&year.to_string()),
                long(*date)
            ),
            format!(
                "the number {number} is of the year {year} but the date is {date} (B.E. {})",
                be_year(date.year())
            ),
        ));
    }
}

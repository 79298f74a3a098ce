//! Thai month and weekday names as printed in letters, for parsing.
//!
//! Formatting goes through ICU (`date.rs`); these tables are only what the
//! parser accepts, and the round-trip tests check them against ICU's output.

/// Full month names, January first.
pub const MONTHS: [&str; 12] = [
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
];

/// Abbreviated month names (`ม.ค.`), January first.
pub const MONTHS_SHORT: [&str; 12] = [
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
];

/// Weekday names without the `วัน` prefix, Monday first (chrono's order).
pub const WEEKDAYS: [&str; 7] = ["จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "ศุกร์", "เสาร์", "อาทิตย์"];

/// The month (1–12) named by `word`: a full name (or a common misspelling
/// of one), or an abbreviation with or without its dots (`มี.ค.`, `มีค`,
/// `มี.ค`).
pub fn month_number(word: &str) -> Option<u32> {
    if let Some(i) = MONTHS.iter().position(|m| *m == word) {
        return Some(i as u32 + 1);
    }
    if let Some(m) = misspelt_month(word) {
        return Some(m);
    }
    // An abbreviation is at most five letters and dots (`เม.ย.`); compared
    // dots aside, without allocating (the parser asks for every prefix of
    // every word after a number).
    if word.len() > 7 * 3 {
        return None;
    }
    let bare = |w: &'static str| w.chars().filter(|c| *c != '.');
    MONTHS_SHORT
        .iter()
        .position(|m| bare(m).eq(word.chars().filter(|c| *c != '.')))
        .map(|i| i as u32 + 1)
}

/// A full month name as often mistyped or read by OCR: `ฏ` for `ฎ`
/// (`กรกฏาคม`), `ธุ์` for `ธ์`, the thanthakhat or a tone mark lost
/// (`กุมภาพันธ`). Only words of a month's length are compared.
fn misspelt_month(word: &str) -> Option<u32> {
    // Thai letters take three bytes: five to twelve letters.
    if !(15..=36).contains(&word.len()) || !word.contains(['ฏ', 'ธ']) {
        return None;
    }
    let norm = |w: &str| -> String {
        w.chars()
            .filter(|c| !matches!(c, '\u{0E48}'..='\u{0E4C}'))
            .map(|c| if c == 'ฏ' { 'ฎ' } else { c })
            .collect::<String>()
            .replace("ธุ", "ธ")
    };
    let w = norm(word);
    MONTHS
        .iter()
        .position(|m| norm(m) == w)
        .map(|i| i as u32 + 1)
}

/// The weekday named at the start of `text` (accepting the common short
/// form `พฤหัส`), with the number of bytes it takes.
pub fn weekday_prefix(text: &str) -> Option<(chrono::Weekday, usize)> {
    use chrono::Weekday;
    const ORDER: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];
    for (i, name) in WEEKDAYS.iter().enumerate() {
        if text.starts_with(name) {
            return Some((ORDER[i], name.len()));
        }
    }
    text.starts_with("พฤหัส")
        .then_some((Weekday::Thu, "พฤหัส".len()))
}

/// The Thai name of a weekday, without `วัน`.
pub fn weekday_name(day: chrono::Weekday) -> &'static str {
    WEEKDAYS[day.num_days_from_monday() as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_by_any_spelling() {
        assert_eq!(month_number("กุมภาพันธ์"), Some(2));
        assert_eq!(month_number("มี.ค."), Some(3));
        assert_eq!(month_number("มีค"), Some(3));
        assert_eq!(month_number("ม.ค"), Some(1));
        assert_eq!(month_number("มกรา"), None);
        assert_eq!(month_number("กรกฏาคม"), Some(7));
        assert_eq!(month_number("กุมภาพันธ"), Some(2));
        assert_eq!(month_number("กุมภาพันธุ์"), Some(2));
    }

    #[test]
    fn weekdays_at_the_start() {
        assert_eq!(
            weekday_prefix("พุธที่"),
            Some((chrono::Weekday::Wed, "พุธ".len()))
        );
        assert_eq!(
            weekday_prefix("พฤหัสที่").map(|w| w.0),
            Some(chrono::Weekday::Thu)
        );
        assert_eq!(weekday_prefix("พฤหัสบดีที่").map(|w| w.1), Some("พฤหัสบดี".len()));
        assert_eq!(weekday_prefix("ที่"), None);
    }
}

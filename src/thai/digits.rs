//! Thai (๐–๙) and Arabic (0–9) digits, converted inside any text.
//!
//! Only the ten digits change; every other character, Thai or not, is left as
//! it is, so `มท 0810.7/ว 2135` becomes `มท ๐๘๑๐.๗/ว ๒๑๓๕` and back.

use serde::{Deserialize, Serialize};

/// Which digits an office prints. Thai is the default of the regulation's
/// model forms; some offices use Arabic digits, and English letters always do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Digits {
    #[default]
    Thai,
    Arabic,
}

impl Digits {
    /// Writes `text` with this kind of digits.
    pub fn apply(self, text: &str) -> String {
        match self {
            Digits::Thai => to_thai_digits(text),
            Digits::Arabic => to_arabic_digits(text),
        }
    }

    /// Running text as typed, its Arabic digits made Thai for an office
    /// that prints Thai digits (see [`to_thai_digits_in_text`]); an office
    /// that prints Arabic digits gets the text unchanged.
    pub fn apply_to_text(self, text: &str) -> String {
        match self {
            Digits::Thai => to_thai_digits_in_text(text),
            Digits::Arabic => text.to_string(),
        }
    }
}

/// Arabic digits typed in running text made Thai, except where they belong
/// to Latin script: inside a URL (`http…`, `www.…`) or an e-mail address,
/// in a word with Latin letters (`COVID-19`, `Web2`), or after a Latin word
/// and a dash (`COVID - 19`). Thai digits are left as they are.
pub fn to_thai_digits_in_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, token) in text.split_inclusive(char::is_whitespace).enumerate() {
        let word = token.trim_end();
        let latin_word = word.contains("://")
            || word.starts_with("www.")
            || word.starts_with("<http")
            || word.contains('@')
            || word.chars().any(|c| c.is_ascii_alphabetic());
        let after_latin_dash = i > 0 && latin_before_dash(&out);
        if latin_word || after_latin_dash || !word.chars().any(|c| c.is_ascii_digit()) {
            out.push_str(token);
        } else {
            out.push_str(&to_thai_digits(token));
        }
    }
    out
}

/// Whether `before` ends with a Latin word and a dash (`COVID - `).
fn latin_before_dash(before: &str) -> bool {
    let t = before.trim_end();
    let Some(t) = t.strip_suffix(['-', '–']) else {
        return false;
    };
    t.trim_end()
        .chars()
        .next_back()
        .is_some_and(|c| c.is_ascii_alphabetic())
}

const THAI_ZERO: u32 = '๐' as u32;

/// The value of one digit, Thai or Arabic.
pub fn digit_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '๐'..='๙' => Some(c as u32 - THAI_ZERO),
        _ => None,
    }
}

/// True for an Arabic or a Thai digit.
pub fn is_digit(c: char) -> bool {
    digit_value(c).is_some()
}

/// Replaces every Arabic digit with the Thai digit of the same value.
pub fn to_thai_digits(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(THAI_ZERO + (c as u32 - '0' as u32)).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Replaces every Thai digit with the Arabic digit of the same value.
pub fn to_arabic_digits(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '๐'..='๙' => char::from_u32('0' as u32 + (c as u32 - THAI_ZERO)).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Parses a run of digits (Thai, Arabic or mixed) as a number.
/// Returns `None` for an empty string, any other character, or overflow.
pub fn parse_number(text: &str) -> Option<u64> {
    if text.is_empty() {
        return None;
    }
    text.chars().try_fold(0u64, |acc, c| {
        acc.checked_mul(10)?.checked_add(u64::from(digit_value(c)?))
    })
}

/// Groups an integer's digits by thousands: `9100` → `9,100`.
pub fn group_thousands(n: u64) -> String {
    let plain = n.to_string();
    let mut out = String::with_capacity(plain.len() + plain.len() / 3);
    for (i, c) in plain.chars().enumerate() {
        if i > 0 && (plain.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_both_ways_leaving_other_text() {
        assert_eq!(to_thai_digits("0810.7/2135"), "๐๘๑๐.๗/๒๑๓๕");
        assert_eq!(to_arabic_digits("มท ๐๘๑๐.๗/ว ๒๑๓๕"), "มท 0810.7/ว 2135");
        assert_eq!(to_thai_digits("COVID - 19 ด่วน"), "COVID - ๑๙ ด่วน");
        assert_eq!(to_arabic_digits("abc"), "abc");
        assert_eq!(Digits::Thai.apply("0123456789"), "๐๑๒๓๔๕๖๗๘๙");
        assert_eq!(Digits::Arabic.apply("๐๑๒๓๔๕๖๗๘๙"), "0123456789");
    }

    #[test]
    fn parses_mixed_digit_numbers() {
        assert_eq!(parse_number("๒๑๓5"), Some(2135));
        assert_eq!(parse_number(""), None);
        assert_eq!(parse_number("12a"), None);
        assert_eq!(parse_number("99999999999999999999999"), None);
    }

    #[test]
    fn groups_thousands() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(9100), "9,100");
        assert_eq!(group_thousands(1234567), "1,234,567");
    }
}

#[cfg(test)]
mod text_tests {
    use super::*;

    #[test]
    fn running_text_keeps_latin_digits() {
        assert_eq!(
            to_thai_digits_in_text("ภายใน 15 วัน (COVID - 19) COVID-19 www.a1.org a1@x.go.th 2019"),
            "ภายใน ๑๕ วัน (COVID - 19) COVID-19 www.a1.org a1@x.go.th ๒๐๑๙"
        );
    }
}

//! Amounts of money: `๙,๑๐๐ บาท (เก้าพันหนึ่งร้อยบาทถ้วน)`.
//!
//! Amounts are whole satang (1 baht = 100 satang) in a `u64`, which holds
//! more than 10^17 baht. The words are always computed, never typed, and can
//! be parsed back so that a letter whose figure and words disagree is caught.

use super::digits::{Digits, group_thousands, parse_number};
use super::words::{WordsError, number_words, parse_number_words};

pub const SATANG_PER_BAHT: u64 = 100;

/// The amount in words: `เก้าพันหนึ่งร้อยบาทถ้วน`,
/// `หนึ่งพันสองร้อยสามสิบสี่บาทห้าสิบสตางค์`, `ห้าสิบสตางค์`, `ศูนย์บาทถ้วน`.
pub fn baht_words(satang: u64) -> String {
    let (baht, st) = (satang / SATANG_PER_BAHT, satang % SATANG_PER_BAHT);
    match (baht, st) {
        (0, 0) => "ศูนย์บาทถ้วน".to_string(),
        (0, st) => format!("{}สตางค์", number_words(st)),
        (b, 0) => format!("{}บาทถ้วน", number_words(b)),
        (b, st) => format!("{}บาท{}สตางค์", number_words(b), number_words(st)),
    }
}

/// The amount in figures: `๙,๑๐๐ บาท`, `๑,๒๓๔.๕๐ บาท`.
pub fn baht_figure(satang: u64, digits: Digits) -> String {
    let (baht, st) = (satang / SATANG_PER_BAHT, satang % SATANG_PER_BAHT);
    let figure = if st == 0 {
        group_thousands(baht)
    } else {
        format!("{}.{st:02}", group_thousands(baht))
    };
    digits.apply(&format!("{figure} บาท"))
}

/// Both, as budgets are printed: `๙,๑๐๐ บาท (เก้าพันหนึ่งร้อยบาทถ้วน)`.
pub fn baht_full(satang: u64, digits: Digits) -> String {
    format!("{} ({})", baht_figure(satang, digits), baht_words(satang))
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error(transparent)]
    Words(#[from] WordsError),
    #[error(
        "จำนวนเงินต้องลงท้ายด้วย บาทถ้วน หรือ สตางค์ (amount in words must end in บาทถ้วน or สตางค์): “{0}”"
    )]
    Shape(String),
    #[error("สตางค์ต้องน้อยกว่า ๑๐๐ (satang must be below 100): “{0}”")]
    Satang(String),
    #[error("จำนวนเงินไม่ถูกต้อง (expected an amount such as 9100, 9,100 or 1234.50): “{0}”")]
    Figure(String),
    #[error("จำนวนเงินใหญ่เกินไป (amount too large): “{0}”")]
    Overflow(String),
}

/// Parses an amount in words back to satang; the inverse of [`baht_words`].
/// Parentheses and blanks around or inside are ignored.
pub fn parse_baht_words(text: &str) -> Result<u64, MoneyError> {
    let compact: String = text
        .chars()
        .filter(|c| !super::scan::is_blank(*c) && !matches!(c, '(' | ')'))
        .collect();
    let shape = || MoneyError::Shape(text.to_string());
    let (baht_part, satang_part) = match compact.split_once("บาท") {
        Some((b, rest)) => (Some(b), rest),
        None => (None, compact.as_str()),
    };
    let satang = if satang_part == "ถ้วน" || (satang_part.is_empty() && baht_part.is_some())
    {
        0
    } else {
        let words = satang_part.strip_suffix("สตางค์").ok_or_else(shape)?;
        let st = parse_number_words(words)?;
        if st >= SATANG_PER_BAHT {
            return Err(MoneyError::Satang(text.to_string()));
        }
        st
    };
    let baht = match baht_part {
        Some(words) => parse_number_words(words)?,
        None => 0,
    };
    baht.checked_mul(SATANG_PER_BAHT)
        .and_then(|b| b.checked_add(satang))
        .ok_or_else(|| MoneyError::Overflow(text.to_string()))
}

/// Parses an amount in figures to satang: `9100`, `9,100`, `1234.5`,
/// `๑,๒๓๔.๕๐`, optionally followed by `บาท`.
pub fn parse_baht_figure(text: &str) -> Result<u64, MoneyError> {
    let bad = || MoneyError::Figure(text.to_string());
    let t = text.trim();
    let t = t.strip_suffix("บาท").unwrap_or(t).trim();
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    // Commas only between groups of three digits: 9,100 but not 9,1,00.
    let groups: Vec<&str> = whole.split(',').collect();
    let well_grouped = groups.len() == 1
        || (!groups[0].is_empty()
            && groups[0].chars().count() <= 3
            && groups[1..].iter().all(|g| g.chars().count() == 3));
    if !well_grouped {
        return Err(bad());
    }
    let whole: String = groups.concat();
    if whole.chars().count() > 18 {
        return Err(MoneyError::Overflow(text.to_string()));
    }
    let baht = parse_number(&whole).ok_or_else(bad)?;
    let st = match frac.chars().count() {
        0 if !t.contains('.') => 0,
        1 => parse_number(frac).ok_or_else(bad)? * 10,
        2 => parse_number(frac).ok_or_else(bad)?,
        _ => return Err(bad()),
    };
    baht.checked_mul(SATANG_PER_BAHT)
        .and_then(|b| b.checked_add(st))
        .ok_or_else(|| MoneyError::Overflow(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_figures() {
        assert_eq!(baht_words(910_000), "เก้าพันหนึ่งร้อยบาทถ้วน");
        assert_eq!(baht_words(123_450), "หนึ่งพันสองร้อยสามสิบสี่บาทห้าสิบสตางค์");
        assert_eq!(baht_words(0), "ศูนย์บาทถ้วน");
        assert_eq!(baht_words(50), "ห้าสิบสตางค์");
        assert_eq!(baht_words(101), "หนึ่งบาทหนึ่งสตางค์");
        assert_eq!(
            baht_full(910_000, Digits::Thai),
            "๙,๑๐๐ บาท (เก้าพันหนึ่งร้อยบาทถ้วน)"
        );
        assert_eq!(baht_figure(123_450, Digits::Arabic), "1,234.50 บาท");
        assert_eq!(baht_figure(5, Digits::Thai), "๐.๐๕ บาท");
    }

    #[test]
    fn parses_back() {
        assert_eq!(parse_baht_words("(เก้าพันหนึ่งร้อยบาทถ้วน)"), Ok(910_000));
        assert_eq!(parse_baht_words("ห้าสิบสตางค์"), Ok(50));
        assert_eq!(parse_baht_words("ศูนย์บาทถ้วน"), Ok(0));
        assert!(matches!(
            parse_baht_words("เก้าพันหนึ่งร้อย"),
            Err(MoneyError::Shape(_))
        ));
        assert!(matches!(
            parse_baht_words("หนึ่งบาทหนึ่งร้อยสตางค์"),
            Err(MoneyError::Satang(_))
        ));
        assert_eq!(parse_baht_figure("9100"), Ok(910_000));
        assert_eq!(parse_baht_figure("๙,๑๐๐ บาท"), Ok(910_000));
        assert_eq!(parse_baht_figure("1234.5"), Ok(123_450));
        assert_eq!(parse_baht_figure("1234.50"), Ok(123_450));
        assert!(parse_baht_figure("12.345").is_err());
        assert!(parse_baht_figure("9,1,00").is_err());
        assert!(parse_baht_figure(",100").is_err());
        assert_eq!(parse_baht_figure("1,234,567"), Ok(123_456_700));
        assert!(parse_baht_figure("abc").is_err());
        assert!(parse_baht_figure("1.").is_err());
        assert!(parse_baht_figure("").is_err());
    }
}

//! Numbers in Thai words (`เก้าพันหนึ่งร้อย`) and back.
//!
//! The rules are the Royal Institute's, as BAHTTEXT and official letters use
//! them: `เอ็ด` for a units one when the number (or its million-group) has
//! more than one digit (สิบเอ็ด, หนึ่งร้อยเอ็ด, หนึ่งล้านเอ็ด); `ยี่สิบ` for
//! twenty; `สิบ`, not หนึ่งสิบ; and `ล้าน` repeated for every six digits.

const DIGITS: [&str; 10] = [
    "ศูนย์",
    "หนึ่ง",
    "สอง",
    "สาม",
    "สี่",
    "ห้า",
    "หก",
    "เจ็ด",
    "แปด",
    "เก้า",
];
/// Place names within a six-digit group, from the units up.
const PLACES: [&str; 6] = ["", "สิบ", "ร้อย", "พัน", "หมื่น", "แสน"];
const MILLION: u64 = 1_000_000;

/// `n` in words: 0 → ศูนย์, 21 → ยี่สิบเอ็ด, 1,000,001 → หนึ่งล้านเอ็ด.
pub fn number_words(n: u64) -> String {
    if n == 0 {
        return DIGITS[0].to_string();
    }
    let mut out = String::new();
    push_words(n, false, &mut out);
    out
}

/// Appends the words of `n > 0`; `has_higher` says digits stand before it
/// (so that a lone units one is still `เอ็ด`).
fn push_words(n: u64, has_higher: bool, out: &mut String) {
    let high = n / MILLION;
    let low = n % MILLION;
    if high > 0 {
        push_words(high, has_higher, out);
        out.push_str("ล้าน");
    }
    if low > 0 {
        push_group(low, has_higher || high > 0, out);
    }
}

fn push_group(group: u64, has_higher: bool, out: &mut String) {
    let digits: Vec<usize> = (0..6)
        .map(|place| ((group / 10u64.pow(place)) % 10) as usize)
        .collect();
    for place in (0..6).rev() {
        let d = digits[place];
        if d == 0 {
            continue;
        }
        match (place, d) {
            (1, 1) => {}
            (1, 2) => out.push_str("ยี่"),
            (0, 1) if group >= 10 || has_higher => {
                out.push_str("เอ็ด");
                continue;
            }
            _ => out.push_str(DIGITS[d]),
        }
        out.push_str(PLACES[place]);
    }
}

/// A count as letters write it in words: `สองคน`.
pub fn count_words(n: u64, classifier: &str) -> String {
    format!("{}{classifier}", number_words(n))
}

/// A count as letters write it in figures: `จำนวน ๒ คน`.
pub fn count_figure(n: u64, classifier: &str, digits: super::Digits) -> String {
    digits.apply(&format!(
        "จำนวน {} {classifier}",
        super::digits::group_thousands(n)
    ))
}

/// Why Thai number words did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WordsError {
    #[error("ไม่รู้จักคำ “{0}” ในจำนวนเงินหรือจำนวนนับ (not a Thai number word)")]
    UnknownWord(String),
    #[error("ลำดับหลักไม่ถูกต้องที่ “{0}” (number words out of order)")]
    OutOfOrder(String),
    #[error("ไม่มีตัวเลข (no number words)")]
    Empty,
    #[error("จำนวนใหญ่เกินไป (number too large)")]
    Overflow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Digit(u64),
    Et,         // เอ็ด
    Yi,         // ยี่
    Place(u32), // 1 = สิบ … 5 = แสน
    Million,
}

const VOCABULARY: &[(&str, Token)] = &[
    ("ศูนย์", Token::Digit(0)),
    ("หนึ่ง", Token::Digit(1)),
    ("สอง", Token::Digit(2)),
    ("สาม", Token::Digit(3)),
    ("สี่", Token::Digit(4)),
    ("ห้า", Token::Digit(5)),
    ("หก", Token::Digit(6)),
    ("เจ็ด", Token::Digit(7)),
    ("แปด", Token::Digit(8)),
    ("เก้า", Token::Digit(9)),
    ("เอ็ด", Token::Et),
    ("ยี่", Token::Yi),
    ("สิบ", Token::Place(1)),
    ("ร้อย", Token::Place(2)),
    ("พัน", Token::Place(3)),
    ("หมื่น", Token::Place(4)),
    ("แสน", Token::Place(5)),
    ("ล้าน", Token::Million),
];

fn tokenize(text: &str) -> Result<Vec<Token>, WordsError> {
    let mut rest: &str = text;
    let mut tokens = Vec::new();
    while let Some(c) = rest.chars().next() {
        if super::scan::is_blank(c) {
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let (word, token) = VOCABULARY
            .iter()
            .find(|(w, _)| rest.starts_with(w))
            .ok_or_else(|| WordsError::UnknownWord(rest.chars().take(12).collect()))?;
        tokens.push(*token);
        rest = &rest[word.len()..];
    }
    Ok(tokens)
}

/// Parses Thai number words back to the number; the inverse of
/// [`number_words`], and strict enough to catch a mistyped amount.
pub fn parse_number_words(text: &str) -> Result<u64, WordsError> {
    let tokens = tokenize(text)?;
    if tokens.is_empty() {
        return Err(WordsError::Empty);
    }
    if tokens == [Token::Digit(0)] {
        return Ok(0);
    }
    let err = || WordsError::OutOfOrder(text.to_string());
    let mut total: u64 = 0;
    let mut group: u64 = 0;
    // The lowest place used so far in this group: places must fall.
    let mut last_place: u32 = 6;
    // A digit waiting for its place, and whether it was written ยี่.
    let mut pending: Option<(u64, bool)> = None;
    let mut ended_group = false; // a units word closes the group
    let mut seen_since_million = false;
    for tok in tokens {
        match tok {
            Token::Digit(0) => return Err(err()),
            Token::Digit(d) => {
                if pending.is_some() || ended_group {
                    return Err(err());
                }
                pending = Some((d, false));
                seen_since_million = true;
            }
            Token::Yi => {
                if pending.is_some() || ended_group {
                    return Err(err());
                }
                pending = Some((2, true));
                seen_since_million = true;
            }
            Token::Et => {
                if pending.is_some() || ended_group || (group == 0 && total == 0) {
                    return Err(err());
                }
                group += 1;
                ended_group = true;
                seen_since_million = true;
            }
            Token::Place(p) => {
                if p >= last_place || ended_group {
                    return Err(err());
                }
                let d = match (pending.take(), p) {
                    // สิบ alone is ten; หนึ่งสิบ and สองสิบ are not Thai.
                    (None, 1) => 1,
                    (Some((1, _)), 1) | (Some((2, false)), 1) | (Some((_, true)), 2..) => {
                        return Err(err());
                    }
                    (Some((d, _)), _) => d,
                    (None, _) => return Err(err()),
                };
                group += d * 10u64.pow(p);
                last_place = p;
                seen_since_million = true;
            }
            Token::Million => {
                if !seen_since_million && total == 0 {
                    return Err(err());
                }
                group += units(pending.take(), &err)?;
                total = total
                    .checked_add(group)
                    .and_then(|t| t.checked_mul(MILLION))
                    .ok_or(WordsError::Overflow)?;
                group = 0;
                last_place = 6;
                ended_group = false;
                seen_since_million = false;
            }
        }
    }
    group += units(pending, &err)?;
    total.checked_add(group).ok_or(WordsError::Overflow)
}

/// A digit left without a place is the units digit (ยี่ needs สิบ).
fn units(pending: Option<(u64, bool)>, err: &dyn Fn() -> WordsError) -> Result<u64, WordsError> {
    match pending {
        Some((_, true)) => Err(err()),
        Some((d, false)) => Ok(d),
        None => Ok(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hard_cases() {
        for (n, w) in [
            (1, "หนึ่ง"),
            (10, "สิบ"),
            (11, "สิบเอ็ด"),
            (20, "ยี่สิบ"),
            (21, "ยี่สิบเอ็ด"),
            (101, "หนึ่งร้อยเอ็ด"),
            (1_000_000, "หนึ่งล้าน"),
            (1_000_001, "หนึ่งล้านเอ็ด"),
            (10_000_001, "สิบล้านเอ็ด"),
            (11_000_000, "สิบเอ็ดล้าน"),
            (21_000_000, "ยี่สิบเอ็ดล้าน"),
            (1_001_000_000, "หนึ่งพันเอ็ดล้าน"),
            (1_000_000_000_000, "หนึ่งล้านล้าน"),
        ] {
            assert_eq!(number_words(n), w);
            assert_eq!(parse_number_words(w), Ok(n), "{w}");
        }
    }

    #[test]
    fn parse_rejects_what_no_one_writes() {
        assert!(parse_number_words("สิบร้อย").is_err());
        assert!(parse_number_words("เอ็ด").is_err());
        assert!(parse_number_words("หนึ่งสอง").is_err());
        assert!(parse_number_words("ร้อย").is_err());
        assert!(parse_number_words("สิบเอ็ดสอง").is_err());
        assert!(parse_number_words("ล้าน").is_err());
        assert!(parse_number_words("ยี่ร้อย").is_err());
        assert!(parse_number_words("ยี่").is_err());
        assert!(parse_number_words("สองสิบ").is_err());
        assert!(parse_number_words("หนึ่งสิบ").is_err());
        assert_eq!(parse_number_words(""), Err(WordsError::Empty));
        assert!(matches!(
            parse_number_words("หนึ่งพันบาท"),
            Err(WordsError::UnknownWord(_))
        ));
        assert_eq!(parse_number_words("หนึ่งล้านหนึ่ง"), Ok(1_000_001));
        assert_eq!(parse_number_words("ร้อยห้าสิบ").ok(), None);
    }

    #[test]
    fn counts() {
        assert_eq!(count_words(2, "คน"), "สองคน");
        assert_eq!(count_words(11, "แห่ง"), "สิบเอ็ดแห่ง");
        assert_eq!(
            count_figure(2, "คน", super::super::Digits::Thai),
            "จำนวน ๒ คน"
        );
        assert_eq!(
            count_figure(7530, "แห่ง", super::super::Digits::Thai),
            "จำนวน ๗,๕๓๐ แห่ง"
        );
    }

    #[test]
    fn round_trips_a_sweep() {
        for n in (0..2_000_000u64).step_by(997).chain([u64::MAX / 100]) {
            assert_eq!(parse_number_words(&number_words(n)), Ok(n), "{n}");
        }
    }
}

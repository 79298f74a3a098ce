//! Amounts whose words do not say their figure: `๙,๑๐๐ บาท (เก้าพันบาทถ้วน)`.
//! Both sides are read by `thai::money`, strictly, so any difference shows.

use super::sheet::Sheet;
use super::{Code, Finding};
use crate::thai::digits::is_digit;
use crate::thai::scan::is_blank;
use crate::thai::{Digits, baht_figure, baht_words, parse_baht_figure, parse_baht_words};

pub fn check(sheet: &Sheet, out: &mut Vec<Finding>) {
    for t in sheet.prose() {
        for (start, end, figure, words) in amounts(&t.text) {
            if figure != words {
                out.push(Finding::at(
                    Code::AmountWordsMismatch,
                    &t.field,
                    &t.text,
                    start,
                    end,
                    format!(
                        "ตัวเลข {} ไม่ตรงกับตัวหนังสือ ({}) ซึ่งอ่านได้ {}",
                        baht_figure(figure, Digits::Thai),
                        baht_words(figure),
                        baht_figure(words, Digits::Thai)
                    ),
                    format!(
                        "the figure says {} baht but the words say {} baht",
                        figure as f64 / 100.0,
                        words as f64 / 100.0
                    ),
                ));
            }
        }
    }
}

/// Every `figure [บาท] (words)` in `text`: byte span, figure and words in satang.
fn amounts(text: &str) -> Vec<(usize, usize, u64, u64)> {
    let mut out = Vec::new();
    for (open, _) in text.match_indices('(') {
        let Some(close) = text[open..].find(')').map(|c| open + c) else {
            continue;
        };
        let inner = &text[open + 1..close];
        if !(inner.contains("บาท") || inner.contains("สตางค์")) {
            continue;
        }
        let Ok(words) = parse_baht_words(inner) else {
            continue;
        };
        // Back over blanks and บาท to the figure.
        let head = text[..open].trim_end_matches(is_blank);
        let head = head.strip_suffix("บาท").unwrap_or(head);
        let head = head.trim_end_matches(is_blank);
        let start = head
            .char_indices()
            .rev()
            .take_while(|(_, c)| is_digit(*c) || matches!(c, ',' | '.'))
            .last()
            .map(|(i, _)| i);
        let Some(start) = start else { continue };
        let figure = head[start..].trim_start_matches([',', '.']);
        let start = head.len() - figure.len();
        if let Ok(value) = parse_baht_figure(figure) {
            out.push((start, close + 1, value, words));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_and_words_are_paired() {
        let found = amounts("งบประมาณ ๙,๑๐๐ บาท (เก้าพันบาทถ้วน) และ 50 บาท (ห้าสิบบาทถ้วน)");
        assert_eq!(found.len(), 2);
        assert_eq!((found[0].2, found[0].3), (910_000, 900_000));
        assert_eq!((found[1].2, found[1].3), (5_000, 5_000));
    }
}

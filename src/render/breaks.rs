//! Where Thai lines may break.
//!
//! Typst finds Thai break opportunities with ICU's LSTM model, which splits
//! compounds and guesses inside names it does not know (ตำบ/ล,
//! อิเล็ก/ทรอนิกส์). Before text reaches Typst we decide ourselves: a
//! dictionary segmentation (icu_segmenter) allows a break between words with
//! U+200B ZERO WIDTH SPACE, and U+2060 WORD JOINER forbids one everywhere
//! else inside Thai words and inside names the data knows (organisations,
//! people, places), spaces in those names included. The marks never reach
//! the PDF: [`super::text_layer::strip_break_marks`] removes their glyphs
//! after layout, so the text layer reads exactly as the input.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use icu_segmenter::options::WordBreakInvariantOptions;
use icu_segmenter::{GraphemeClusterSegmenter, WordSegmenter, WordSegmenterBorrowed};

pub const WORD_JOINER: char = '\u{2060}';
pub const ZERO_WIDTH_SPACE: char = '\u{200B}';

static DICTIONARY: LazyLock<WordSegmenterBorrowed<'static>> =
    LazyLock::new(|| WordSegmenter::new_dictionary(WordBreakInvariantOptions::default()));
static LSTM: LazyLock<WordSegmenterBorrowed<'static>> =
    LazyLock::new(|| WordSegmenter::new_lstm(WordBreakInvariantOptions::default()));

/// Compounds of official Thai that the dictionary splits (ส่ง|เสริม,
/// ท้อง|ถิ่น) but that must never be broken across lines; they join the
/// names each document knows.
pub const COMPOUNDS: &[&str] = &[
    "กรุงเทพมหานคร",
    "กลุ่มงาน",
    "กิจการ",
    "เครือข่าย",
    "คลินิก",
    "ความร่วมมือ",
    "งบประมาณ",
    "เจ้าหน้าที่",
    "จังหวัด",
    "ดำเนินการ",
    "ตำบล",
    "ท้องถิ่น",
    "เทศบาล",
    "ธรรมาภิบาล",
    "นายอำเภอ",
    "แนวทาง",
    "บ้านเมือง",
    "ปกครอง",
    "ประจำปี",
    "ประชุม",
    "ประเมิน",
    "ประสานงาน",
    "ประสิทธิภาพ",
    "ปฏิบัติ",
    "ผู้แทน",
    "ผู้ใช้งาน",
    "ผู้เข้าร่วม",
    "ผู้ตรวจราชการ",
    "ผู้รับผิดชอบ",
    "ผู้ว่าราชการ",
    "ผู้อำนวยการ",
    "ไปรษณีย์",
    "มาตรฐาน",
    "เมืองพัทยา",
    "รองอธิบดี",
    "ราชการ",
    "รายละเอียด",
    "ลงทะเบียน",
    "วัตถุประสงค์",
    "ศักยภาพ",
    "ส่งเสริม",
    "สัมมนา",
    "สาธารณะ",
    "สำนักงาน",
    "หัวหน้า",
    "อธิบดี",
    "องค์กร",
    "องค์การ",
    "อำเภอ",
    "อินเทอร์เน็ต",
    "อิเล็กทรอนิกส์",
    "อุปสรรค",
    "โครงการ",
    "เป้าหมาย",
    "ลักษณะ",
    "ผู้อนุมัติ",
    "ผู้เสนอ",
    "อนุมัติ",
    "เกณฑ์",
    "ลงวันที่",
    "ดำเนินงาน",
    "แพร่ระบาด",
    "จุดอ่อน",
    "ไวรัส",
    "โคโรนา",
    "ติดเชื้อ",
    "ปีงบประมาณ",
    "ผู้เข้าร่วมการอบรม",
    "แผ่นดิน",
    "พระราชบัญญัติ",
    "ระเบียบ",
    "คณะทำงาน",
    "เลขานุการ",
    "สารบรรณ",
    "ระหว่างวันที่",
    "วันที่",
];

/// Joins a value that must stay on one line (a date, a time, a document
/// number, an amount): a word joiner between every two grapheme clusters,
/// spaces included.
pub fn keep_together(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    let mut prev = 0;
    for b in GraphemeClusterSegmenter::new().segment_str(s).skip(1) {
        out.push_str(&s[prev..b]);
        if b < s.len() {
            out.push(WORD_JOINER);
        }
        prev = b;
    }
    out
}

/// Thai letters, vowels and marks (not Thai digits, which break like digits).
pub fn is_thai_letter(c: char) -> bool {
    ('\u{0E01}'..='\u{0E4F}').contains(&c)
}

/// Byte offsets where both of ICU's Thai word segmenters, the dictionary
/// and the LSTM model, see a word boundary (0 and the end included).
///
/// Each alone makes mistakes the other does not: the dictionary splits
/// `ผลการประเมิน` as ผลก|า|รป|ระ|เมิน and compounds (ส่ง|เสริม); the LSTM
/// splits words it has not seen (ไป|รษณีย์, ตำ|บลวัง). A boundary both agree
/// on is a safe place to break a line.
///
/// The LSTM is the costliest step of a render, and the same paragraphs come
/// back again and again (every letter of a mail-merge, every keystroke of a
/// live preview), so answers are remembered per text, up to a bound.
pub fn word_boundaries(text: &str) -> Vec<usize> {
    static SEEN: LazyLock<Mutex<HashMap<String, Vec<usize>>>> = LazyLock::new(Default::default);
    const REMEMBERED: usize = 20_000;
    if let Some(found) = SEEN.lock().ok().and_then(|m| m.get(text).cloned()) {
        return found;
    }
    let lstm: Vec<usize> = LSTM.segment_str(text).collect();
    let both: Vec<usize> = DICTIONARY
        .segment_str(text)
        .filter(|b| lstm.binary_search(b).is_ok())
        .collect();
    if let Ok(mut seen) = SEEN.lock() {
        if seen.len() >= REMEMBERED {
            seen.clear();
        }
        seen.insert(text.to_string(), both.clone());
    }
    both
}

/// Byte ranges of `text` covered by any of `names`, longest names first,
/// without overlaps.
fn protected_ranges(text: &str, names: &[String]) -> Vec<(usize, usize)> {
    let compounds = COMPOUNDS.iter().copied();
    let mut sorted: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .chain(compounds)
        .filter(|n| n.chars().count() >= 2)
        .collect();
    sorted.sort_by_key(|n| std::cmp::Reverse(n.len()));
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for name in sorted {
        for (start, m) in text.match_indices(name) {
            let end = start + m.len();
            if !ranges.iter().any(|&(s, e)| start < e && s < end) {
                ranges.push((start, end));
            }
        }
    }
    ranges
}

/// Inserts break marks into `text` (see the module documentation). `names`
/// are never broken. Text without Thai letters comes back unchanged.
pub fn mark_breaks(text: &str, names: &[String]) -> String {
    if !text.chars().any(is_thai_letter) {
        return text.to_string();
    }
    let protected = protected_ranges(text, names);
    let inside = |p: usize| protected.iter().any(|&(s, e)| s < p && p < e);
    let words = word_boundaries(text);
    let clusters: Vec<usize> = GraphemeClusterSegmenter::new().segment_str(text).collect();

    let mut out = String::with_capacity(text.len() * 2);
    let mut prev_end = 0;
    for &p in clusters.iter().skip(1) {
        let cluster = &text[prev_end..p];
        out.push_str(cluster);
        prev_end = p;
        if p >= text.len() {
            break;
        }
        let before = cluster.chars().next_back().unwrap_or(' ');
        let after = text[p..].chars().next().unwrap_or(' ');
        let mark = if before.is_whitespace() || after.is_whitespace() {
            // A space inside a name, or around a spaced dash (`๓ - ๕`,
            // `COVID - 19`), is wrapped in joiners: a line never ends on a
            // dash, which also reads back wrongly (pdftotext takes a
            // line-final dash for a hyphen).
            let prev_word = text[..p].chars().rev().find(|c| !c.is_whitespace());
            let next_word = text[p..].chars().find(|c| !c.is_whitespace());
            let dash_near = prev_word.is_some_and(is_dash) || next_word.is_some_and(is_dash);
            // Digit groups (`๐ ๒๒๔๑ ๙๐๐๐`, a phone number) stay on one line.
            let digits_apart = prev_word.is_some_and(crate::thai::digits::is_digit)
                && next_word.is_some_and(crate::thai::digits::is_digit);
            if inside(p) || dash_near || digits_apart {
                Some(WORD_JOINER)
            } else {
                None
            }
        } else if inside(p) {
            Some(WORD_JOINER)
        } else if is_thai_letter(before) && is_thai_letter(after) {
            if words.binary_search(&p).is_ok() {
                Some(ZERO_WIDTH_SPACE)
            } else {
                Some(WORD_JOINER)
            }
        } else {
            None
        };
        if let Some(m) = mark {
            out.push(m);
        }
    }
    out.push_str(&text[prev_end..]);
    out
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '–' | '—')
}

/// Removes the marks again (for comparing texts).
pub fn unmark(text: &str) -> String {
    text.chars()
        .filter(|c| *c != WORD_JOINER && *c != ZERO_WIDTH_SPACE)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compounds_and_values_stay_whole() {
        let shown = show(&mark_breaks("ส่งเสริมการปกครองท้องถิ่น", &[]));
        assert!(
            shown.contains("ส่งเสริม") && shown.contains("|ปกครอง|ท้องถิ่น"),
            "{shown}"
        );
        let date = keep_together("๒๓ พฤษภาคม ๒๕๖๗");
        assert_eq!(unmark(&date), "๒๓ พฤษภาคม ๒๕๖๗");
        assert!(
            date.contains("พ\u{2060}ฤ") && date.contains("๓\u{2060} \u{2060}พ"),
            "{date:?}"
        );
        assert!(!mark_breaks(&format!("วันที่ {date}"), &[]).contains("ค\u{2060} \u{200B}"));
    }

    fn show(s: &str) -> String {
        s.replace(WORD_JOINER, "").replace(ZERO_WIDTH_SPACE, "|")
    }

    #[test]
    fn breaks_only_between_dictionary_words() {
        let shown = show(&mark_breaks("โดยผลการประเมินประสิทธิภาพ", &[]));
        assert_eq!(shown, "โดย|ผลการประเมิน|ประสิทธิภาพ");
        let marked = mark_breaks("การประชุมชี้แจงระบบการประเมิน", &[]);
        assert_eq!(unmark(&marked), "การประชุมชี้แจงระบบการประเมิน");
        let shown = show(&marked);
        assert!(shown.contains("|ประชุม|"), "{shown}");
        // No break mark falls inside a word: every cluster boundary carries one mark.
        assert!(!marked.contains("\u{2060}\u{200B}") && !marked.contains("\u{200B}\u{2060}"));
    }

    #[test]
    fn names_are_never_broken() {
        let name = "องค์การบริหารส่วนตำบลวังยาง".to_string();
        let marked = mark_breaks(
            "แจ้งองค์การบริหารส่วนตำบลวังยางทราบ",
            std::slice::from_ref(&name),
        );
        let shown = show(&marked);
        assert!(shown.contains("|องค์การบริหารส่วนตำบลวังยาง|"), "{shown}");
        let person = "นายปรีชา แดงแสงทอง".to_string();
        let marked = mark_breaks("โดย นายปรีชา แดงแสงทอง", std::slice::from_ref(&person));
        assert!(marked.contains("\u{2060} \u{2060}"), "{marked:?}");
    }

    #[test]
    fn digit_groups_stay_together() {
        let marked = mark_breaks("ติดต่อ โทร. ๐ ๒๒๔๑ ๙๐๐๐ ต่อ ๒๓๒๒", &[]);
        assert!(
            marked.contains("๐\u{2060} \u{2060}๒๒๔๑\u{2060} \u{2060}๙๐๐๐"),
            "{marked:?}"
        );
    }

    #[test]
    fn spaced_dashes_hold_their_neighbours() {
        let marked = mark_breaks("โรคโคโรนา 2019 (COVID - 19) นั้น", &[]);
        assert!(
            marked.contains("COVID\u{2060} \u{2060}-\u{2060} \u{2060}19"),
            "{marked:?}"
        );
    }

    #[test]
    fn latin_and_digits_are_left_alone() {
        assert_eq!(
            mark_breaks("Web Conference 2019", &[]),
            "Web Conference 2019"
        );
        assert_eq!(
            unmark(&mark_breaks("ครั้งที่ ๑ ผ่าน Webex", &[])),
            "ครั้งที่ ๑ ผ่าน Webex"
        );
    }
}

//! Spelling: words in no dictionary, a word typed twice (`ส่งแล้วแล้ว`), and
//! a title or name spelled two ways in one document (seed 000's
//! `คลินิกะบบ` beside `คลินิกระบบ`).
//!
//! Every run of Thai letters in the prose fields is covered by known words
//! ([`super::dictionary`]). A run with letters left over is suspect; when
//! the same document has a run one or two letters away that is covered
//! whole, the two are one phrase spelled two ways, and the finding names
//! both. Left-over letters with no such twin are an unknown word. Persons'
//! names (after นาย, นาง …), abbreviations (`กทม.`, `มท`) and the names
//! the document gives are not checked against the dictionary.

use std::collections::HashSet;

use super::dictionary::{Coverage, Dictionary, cover, is_word_letter};
use super::sheet::Sheet;
use super::{Code, Finding};

/// A run of Thai letters in a field.
struct Run {
    text_index: usize,
    /// Byte offset in the field's text.
    start: usize,
    letters: Vec<char>,
    coverage: Coverage,
    /// A person's name or an abbreviation: not checked.
    exempt: bool,
    /// Joined to its neighbour across one blank it is known (`ส่ วน`: a
    /// PDF's letter spacing, not a misspelling).
    spaced: bool,
}

impl Run {
    fn string(&self, from: usize, to: usize) -> String {
        self.letters[from..to].iter().collect()
    }

    /// Byte offset in the field of letter `i` of the run.
    fn byte(&self, i: usize) -> usize {
        self.start
            + self.letters[..i]
                .iter()
                .map(|c| c.len_utf8())
                .sum::<usize>()
    }
}

const TITLES: &[&str] = &[
    "ว่าที่ร้อยตรีหญิง",
    "ว่าที่ร้อยตรี",
    "รองศาสตราจารย์",
    "ผู้ช่วยศาสตราจารย์",
    "ศาสตราจารย์",
    "พันตำรวจเอก",
    "พันเอก",
    "พระครู",
    "นางสาว",
    "นาง",
    "นาย",
    "ดร",
];

/// What follows นาย/นาง without being a name (นายอำเภอ, นายกเทศมนตรี).
const NOT_NAMES: &[&str] = &[
    "อำเภอ",
    "กองค์",
    "กเทศ",
    "กรัฐ",
    "กสมาคม",
    "ทะเบียน",
    "ช่าง",
    "ทหาร",
    "ตำรวจ",
    "หน้า",
];

/// Words before a venue's own name (โรงแรมเซ็นทาราแกรนด์).
const VENUES: &[&str] = &["โรงแรม", "ห้องประชุม"];

/// A title at the start of a run that begins a person's (or venue's) name.
fn names_a_person(run: &str) -> bool {
    VENUES
        .iter()
        .any(|v| run.starts_with(v) && run.len() > v.len())
        || TITLES.iter().any(|t| {
            run.strip_prefix(t)
                .is_some_and(|rest| !NOT_NAMES.iter().any(|n| rest.starts_with(n)))
        })
}

fn has_vowel(letters: &[char]) -> bool {
    letters
        .iter()
        .any(|c| !('ก'..='ฮ').contains(c) || matches!(c, 'อ' | 'ว' | 'ย'))
}

fn runs(sheet: &Sheet, dict: &Dictionary) -> Vec<Run> {
    let mut out = Vec::new();
    for (ti, t) in sheet.texts.iter().enumerate() {
        if t.kind != super::TextKind::Prose {
            continue;
        }
        let mut person_left: usize = 0;
        let mut i = 0;
        let text = &t.text;
        while i < text.len() {
            let c = text[i..].chars().next().expect("in bounds");
            if !is_word_letter(c) {
                i += c.len_utf8();
                continue;
            }
            let end = text[i..]
                .find(|c: char| !is_word_letter(c))
                .map_or(text.len(), |e| i + e);
            let s = &text[i..end];
            let letters: Vec<char> = s.chars().collect();
            let abbreviation = text[end..].starts_with('.')
                || letters.len() <= 2
                || (letters.len() <= 4 && !has_vowel(&letters));
            let person = person_left > 0;
            person_left = if names_a_person(s) {
                // The name, then the surname.
                if TITLES.contains(&s) { 2 } else { 1 }
            } else {
                person_left.saturating_sub(1)
            };
            let exempt = abbreviation || person || person_left > 0;
            out.push(Run {
                text_index: ti,
                start: i,
                coverage: cover(dict, &letters),
                letters,
                exempt,
                spaced: false,
            });
            i = end;
        }
    }
    for k in 1..out.len() {
        let (a, b) = (&out[k - 1], &out[k]);
        if a.text_index != b.text_index || a.coverage.unknown() + b.coverage.unknown() == 0 {
            continue;
        }
        let text = &sheet.texts[a.text_index].text;
        let a_end = a.byte(a.letters.len());
        if text[a_end..b.start] != *" " {
            continue;
        }
        let joined: Vec<char> = a.letters.iter().chain(&b.letters).copied().collect();
        if cover(dict, &joined).unknown() < a.coverage.unknown() + b.coverage.unknown() {
            out[k - 1].spaced = true;
            out[k].spaced = true;
        }
    }
    out
}

/// Edit distance, or `None` above `max`.
pub(crate) fn distance(a: &[char], b: &[char], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut row = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            row[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(row[j] + 1);
        }
        if row.iter().min().copied().unwrap_or(0) > max {
            return None;
        }
        prev = row;
    }
    let d = prev[b.len()];
    (d <= max).then_some(d)
}

/// Where a run's left-over letters have a twin elsewhere in the document:
/// the same known word before them, then letters one or two edits away
/// that are known words, then the same word after (when there is one).
/// Gives (the phrase as misspelt, the phrase as spelled elsewhere, where).
fn twin(runs: &[Run], dict: &Dictionary, r: &Run, k: usize) -> Option<(String, String, usize)> {
    let pieces = &r.coverage.pieces;
    let unknown = &r.letters[pieces[k].start..pieces[k].end];
    let left = pieces[..k].last().filter(|p| p.known)?;
    let left = r.string(left.start, left.end);
    let right = pieces
        .get(k + 1)
        .filter(|p| p.known)
        .map(|p| r.string(p.start, p.end));
    for g in runs.iter().filter(|g| g.coverage.unknown() == 0) {
        let text = g.string(0, g.letters.len());
        for (at, _) in text.match_indices(left.as_str()) {
            let after = &text[at + left.len()..];
            let middles: Vec<&str> = match &right {
                Some(right) => after
                    .match_indices(right.as_str())
                    .map(|(i, _)| &after[..i])
                    .filter(|m| m.chars().count() <= unknown.len() + 2)
                    .collect(),
                None => vec![after],
            };
            for middle in middles {
                let m: Vec<char> = middle.chars().collect();
                let known = !m.is_empty() && cover(dict, &m).unknown() == 0;
                if known && distance(unknown, &m, 2).is_some_and(|d| d > 0) {
                    let bad: String = left.chars().chain(unknown.iter().copied()).collect();
                    return Some((bad, format!("{left}{middle}"), g.text_index));
                }
            }
        }
    }
    None
}

pub fn check(sheet: &Sheet, dict: &Dictionary, out: &mut Vec<Finding>) {
    let runs = runs(sheet, dict);
    let texts = &sheet.texts;

    // Two spellings: left-over letters with a known twin elsewhere.
    let mut pairs: Vec<(String, String, usize)> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for r in runs
        .iter()
        .filter(|r| !r.exempt && r.coverage.unknown() > 0)
    {
        if !seen.insert(r.string(0, r.letters.len())) {
            continue;
        }
        for (k, p) in r.coverage.pieces.iter().enumerate() {
            if p.known {
                continue;
            }
            if let Some((bad, good, at)) = twin(&runs, dict, r, k)
                && !pairs.iter().any(|(b, g, _)| *b == bad && *g == good)
            {
                pairs.push((bad, good, at));
            }
        }
    }
    let mut claimed: Vec<(usize, usize, usize)> = Vec::new();
    for (bad, good, good_at) in &pairs {
        for (ti, t) in texts.iter().enumerate() {
            if t.kind != super::TextKind::Prose {
                continue;
            }
            for (at, _) in t.text.match_indices(bad.as_str()) {
                // Not where the right spelling itself is printed.
                if t.text[at..].starts_with(good.as_str()) {
                    continue;
                }
                claimed.push((ti, at, at + bad.len()));
                out.push(Finding::at(
                    Code::SpelledTwoWays,
                    &t.field,
                    &t.text,
                    at,
                    at + bad.len(),
                    format!("“{bad}” สะกดต่างจาก “{good}” ที่ใช้ในที่อื่นของหนังสือฉบับเดียวกัน"),
                    format!(
                        "“{bad}” is spelled differently from “{good}” in {} of the same document",
                        texts[*good_at].field
                    ),
                ));
            }
        }
    }

    for r in &runs {
        let t = &texts[r.text_index];
        let pieces = &r.coverage.pieces;
        for (k, p) in pieces.iter().enumerate() {
            if !p.known && !r.exempt && !r.spaced {
                let (start, end) = (r.byte(p.start), r.byte(p.end));
                if claimed
                    .iter()
                    .any(|&(ti, a, b)| ti == r.text_index && start < b && a < end)
                {
                    continue;
                }
                // With the word before when the leftover is a fragment.
                let from = if k > 0
                    && (p.end - p.start < 3 || !('ก'..='ฮ').contains(&r.letters[p.start]))
                {
                    pieces[k - 1].start
                } else {
                    p.start
                };
                let word = r.string(from, p.end);
                out.push(Finding::at(
                    Code::UnknownWord,
                    &t.field,
                    &t.text,
                    r.byte(from),
                    end,
                    format!("“{word}” ไม่มีในพจนานุกรม ชื่อหน่วยงาน หรือชื่อสถานที่"),
                    format!("“{word}” is in no dictionary, office name or place name"),
                ));
            }
            if k > 0 && p.known && pieces[k - 1].known {
                let a = r.string(pieces[k - 1].start, pieces[k - 1].end);
                let b = r.string(p.start, p.end);
                // ปฏิบัติ|การ|การ is ปฏิบัติการ|การ: only a pair no word explains.
                let joins_before = k >= 2 && {
                    let w = r.string(pieces[k - 2].start, pieces[k - 1].end);
                    is_word(dict, &w)
                };
                let joins_after = k + 1 < pieces.len() && {
                    let w = r.string(p.start, pieces[k + 1].end);
                    is_word(dict, &w)
                };
                if a == b
                    && b.chars().count() >= 2
                    && !DOUBLES.contains(&b.as_str())
                    && !joins_before
                    && !joins_after
                {
                    out.push(Finding::at(
                        Code::DoubledWord,
                        &t.field,
                        &t.text,
                        r.byte(pieces[k - 1].start),
                        r.byte(p.end),
                        format!("คำว่า “{b}” ซ้ำกันสองครั้ง"),
                        format!("the word “{b}” is typed twice"),
                    ));
                }
            }
        }
    }
}

/// Whether `w` is one known word.
fn is_word(dict: &Dictionary, w: &str) -> bool {
    let letters: Vec<char> = w.chars().collect();
    let c = cover(dict, &letters);
    c.pieces.len() == 1 && c.pieces[0].known
}

/// Words that are written twice on purpose (ที่ที่: "the place that").
/// การ|การ follows every compound ending in การ that the dictionary lacks
/// (เชิงปฏิบัติการการจัดทำ).
const DOUBLES: &[&str] = &["ที่", "การ"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_is_bounded() {
        let c = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(distance(&c("คลินิกะบบ"), &c("คลินิกระบบ"), 2), Some(1));
        assert_eq!(distance(&c("ประชุม"), &c("ประเมิน"), 2), None);
    }

    #[test]
    fn persons_are_named_after_titles() {
        assert!(names_a_person("นายศิริพันธ์"));
        assert!(names_a_person("นาย"));
        assert!(!names_a_person("นายอำเภอ"));
        assert!(!names_a_person("นายกองค์การบริหารส่วนตำบล"));
    }
}

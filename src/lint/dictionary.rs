//! Which Thai words are known: ICU's Thai dictionary (the trie behind
//! `icu_segmenter`'s dictionary segmenter, read directly so that a word is
//! known only when the whole of it is in the dictionary), the compounds and
//! place names rendering keeps whole (`render::breaks`), the registry's
//! office names, and the names the document itself gives.
//!
//! A run of Thai letters is covered by dictionary words with the fewest
//! letters left over (then the fewest words): what is left over is in no
//! dictionary. `ผลการประเมิน` is ผล|การ|ประเมิน; `คลินิกะบบ` leaves `ะบบ`.

use std::collections::HashSet;
use std::sync::LazyLock;

use icu_provider::prelude::*;
use icu_segmenter::provider::{Baked, DictionaryBreakData, SegmenterDictionaryExtendedV2};

use super::sheet::Sheet;

/// A Thai letter of a word (not a digit, not ฯ or ๆ, not ฿).
pub fn is_word_letter(c: char) -> bool {
    matches!(c, '\u{0E01}'..='\u{0E3A}' | '\u{0E40}'..='\u{0E4E}') && !matches!(c, 'ฯ' | 'ๆ')
}

/// Words that are not in ICU's dictionary but are ordinary Thai.
const EXTRA: &[&str] = &["ณ", "ธ", "ฯลฯ"];

/// The longest word looked up, in letters.
const MAX_WORD: usize = 48;

static TRIE: LazyLock<DataResponse<SegmenterDictionaryExtendedV2>> = LazyLock::new(|| {
    let attrs = DataMarkerAttributes::from_str_or_panic("thaidict");
    DataProvider::<SegmenterDictionaryExtendedV2>::load(
        &Baked,
        DataRequest {
            id: DataIdentifierBorrowed::for_marker_attributes(attrs),
            ..Default::default()
        },
    )
    .expect("ICU's Thai dictionary is compiled in")
});

/// Ends (exclusive, in letters) of the ICU dictionary's words starting at `from`.
fn icu_words_from(letters: &[char], from: usize, ends: &mut Vec<usize>) {
    let DictionaryBreakData::ZeroTrie { alphabet, trie } = TRIE.payload.get() else {
        return;
    };
    let mut cursor = trie.cursor();
    for (k, c) in letters[from..].iter().enumerate().take(MAX_WORD) {
        let index = alphabet.position32(u32::from(*c)).map_or(0xFF, |i| i as u8);
        cursor.step(index);
        if cursor.take_value().is_some() {
            ends.push(from + k + 1);
        }
        if cursor.is_empty() {
            break;
        }
    }
}

/// The runs of Thai letters of every text in `words`.
fn runs_of<'a>(words: impl Iterator<Item = &'a str>) -> HashSet<String> {
    let mut out = HashSet::new();
    for w in words {
        for run in w.split(|c: char| !is_word_letter(c)) {
            if !run.is_empty() {
                out.insert(run.to_string());
            }
        }
    }
    out
}

static FIXED: LazyLock<HashSet<String>> = LazyLock::new(|| {
    runs_of(
        crate::render::breaks::COMPOUNDS
            .iter()
            .copied()
            .chain(EXTRA.iter().copied())
            .chain(
                crate::render::breaks::place_names()
                    .iter()
                    .map(String::as_str),
            ),
    )
});

/// The words known for one document.
pub struct Dictionary {
    own: HashSet<String>,
}

impl Dictionary {
    pub fn new(sheet: &Sheet, offices: &[String]) -> Dictionary {
        Dictionary {
            own: runs_of(sheet.names.iter().chain(offices).map(String::as_str)),
        }
    }

    /// An empty document's dictionary (ICU, compounds, places).
    pub fn plain() -> Dictionary {
        Dictionary {
            own: HashSet::new(),
        }
    }

    fn words_from(&self, letters: &[char], from: usize, ends: &mut Vec<usize>) {
        icu_words_from(letters, from, ends);
        let mut s = String::new();
        for (k, c) in letters[from..].iter().enumerate().take(MAX_WORD) {
            s.push(*c);
            if FIXED.contains(&s) || self.own.contains(&s) {
                ends.push(from + k + 1);
            }
        }
    }
}

/// One piece of a covered run, in letters of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    pub start: usize,
    pub end: usize,
    /// A known word, or letters left over.
    pub known: bool,
}

/// A run of letters as covered by known words.
#[derive(Debug, Clone)]
pub struct Coverage {
    pub pieces: Vec<Piece>,
}

impl Coverage {
    /// Letters in no word.
    pub fn unknown(&self) -> usize {
        self.pieces
            .iter()
            .filter(|p| !p.known)
            .map(|p| p.end - p.start)
            .sum()
    }
}

/// Covers `letters` (one run of Thai letters) with the fewest letters left
/// over, then the fewest words; leftover letters next to each other are one piece.
pub fn cover(dict: &Dictionary, letters: &[char]) -> Coverage {
    let n = letters.len();
    let mut best = vec![(usize::MAX, usize::MAX); n + 1];
    let mut back = vec![(0usize, false); n + 1];
    best[0] = (0, 0);
    let mut ends = Vec::new();
    for a in 0..n {
        if best[a].0 == usize::MAX {
            continue;
        }
        ends.clear();
        dict.words_from(letters, a, &mut ends);
        for &b in &ends {
            let cost = (best[a].0, best[a].1 + 1);
            if cost < best[b] {
                best[b] = cost;
                back[b] = (a, true);
            }
        }
        let cost = (best[a].0 + 1, best[a].1 + 1);
        if cost < best[a + 1] {
            best[a + 1] = cost;
            back[a + 1] = (a, false);
        }
    }
    let mut pieces = Vec::new();
    let mut j = n;
    while j > 0 {
        let (a, known) = back[j];
        match pieces.last_mut() {
            Some(Piece {
                start,
                known: false,
                ..
            }) if !known => *start = a,
            _ => pieces.push(Piece {
                start: a,
                end: j,
                known,
            }),
        }
        j = a;
    }
    pieces.reverse();
    Coverage { pieces }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(text: &str) -> String {
        let letters: Vec<char> = text.chars().collect();
        cover(&Dictionary::plain(), &letters)
            .pieces
            .iter()
            .map(|p| {
                let s: String = letters[p.start..p.end].iter().collect();
                if p.known { s } else { format!("[{s}]") }
            })
            .collect::<Vec<_>>()
            .join("|")
    }

    #[test]
    fn whole_words_from_icu_and_the_rest_left_over() {
        assert_eq!(show("ผลการประเมิน"), "ผล|การ|ประเมิน");
        assert_eq!(show("คลินิกระบบ"), "คลินิก|ระบบ");
        assert_eq!(show("คลินิกะบบ"), "คลินิก|[ะบบ]");
        assert_eq!(show("ส่งแล้วแล้ว"), "ส่ง|แล้ว|แล้ว");
    }
}

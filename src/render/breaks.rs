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

use std::collections::{HashMap, HashSet};
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
    "ร้อยละ",
    "ทางไกล",
    "เข้าร่วม",
    "อาหารกลางวัน",
    "รับประทาน",
    "ข้าราชการ",
    "ประชาชน",
    "ประชาสัมพันธ์",
    "ผู้บริหาร",
    "ผู้ว่าราชการจังหวัด",
    "ปฏิบัติราชการแทน",
    "ทั้งนี้",
    "ดังกล่าว",
    "เพื่อให้",
    "อย่างไรก็ตาม",
    "กรุณา",
    "ไปรษณีย์อิเล็กทรอนิกส์",
];

/// The gazetteer shipped with saraban (data/gazetteer-th.txt; sources in
/// docs/gazetteer.md): districts, subdistricts and other proper names.
const GAZETTEER: &str = include_str!("../../data/gazetteer-th.txt");

/// The gazetteer read once: the names kept whole anywhere, and the
/// country's districts and subdistricts, kept whole only after their word.
struct Gazetteer {
    /// Each province bare and as จังหวัด…, its capital district เมือง…
    /// and อำเภอเมือง…, the curated districts (bare, อำเภอ…, เขต…),
    /// subdistricts (bare, ตำบล…, แขวง…) and other places.
    whole: Vec<String>,
    /// The country's every district, after อำเภอ or เขต.
    districts: HashSet<&'static str>,
    /// The country's every subdistrict, after ตำบล or แขวง.
    subdistricts: HashSet<&'static str>,
    /// The longest of those, in bytes.
    longest: usize,
}

static PLACES: LazyLock<Gazetteer> = LazyLock::new(|| {
    let mut whole = Vec::new();
    for p in &crate::codes::PROVINCES {
        whole.push(p.name.to_string());
        whole.push(format!("จังหวัด{}", p.name));
        whole.push(format!("เมือง{}", p.name));
        whole.push(format!("อำเภอเมือง{}", p.name));
        whole.push(format!("ศาลากลางจังหวัด{}", p.name));
    }
    let (mut districts, mut subdistricts) = (HashSet::new(), HashSet::new());
    for line in GAZETTEER.lines() {
        let Some((kind, name)) = line.split_once('\t') else {
            continue;
        };
        let name = name.trim();
        match kind {
            // The country's full lists only after their word: bare, many
            // are ordinary words that must still break (นา, ท่า, ในเมือง).
            "amphoe" => {
                districts.insert(name);
            }
            "tambon" => {
                subdistricts.insert(name);
            }
            "district" => whole.extend([
                name.to_string(),
                format!("อำเภอ{name}"),
                format!("เขต{name}"),
            ]),
            "subdistrict" => whole.extend([
                name.to_string(),
                format!("ตำบล{name}"),
                format!("แขวง{name}"),
            ]),
            _ => whole.push(name.to_string()),
        }
    }
    whole.sort();
    whole.dedup();
    let longest = districts.iter().chain(&subdistricts).map(|n| n.len()).max();
    Gazetteer {
        whole,
        districts,
        subdistricts,
        longest: longest.unwrap_or(0),
    }
});

/// Every place name kept whole: each province (src/codes.rs) bare and as
/// จังหวัด…, its capital district เมือง… and อำเภอเมือง…, the gazetteer's
/// curated districts (bare, อำเภอ…, เขต…) and subdistricts (bare, ตำบล…,
/// แขวง…), and the country's every district and subdistrict after its word.
pub fn place_names() -> &'static [String] {
    static NAMES: LazyLock<Vec<String>> = LazyLock::new(|| {
        let places = &*PLACES;
        let mut out = places.whole.clone();
        for (words, names) in after_word(places) {
            for word in words {
                out.extend(names.iter().map(|n| format!("{word}{n}")));
            }
        }
        out.sort();
        out.dedup();
        out
    });
    &NAMES
}

/// The words that announce a listed name, with the names they announce.
fn after_word(places: &Gazetteer) -> [([&'static str; 2], &HashSet<&'static str>); 2] {
    [
        (["อำเภอ", "เขต"], &places.districts),
        (["ตำบล", "แขวง"], &places.subdistricts),
    ]
}

/// Compounds and the place names kept whole anywhere, in one automaton
/// (longest match wins), with whether each is a name. The country's
/// thirteen thousand district and subdistrict forms are looked up after
/// their words instead ([`listed_places`]): in the automaton they took
/// 55 ms and 40 MB to build at every start of the program.
static FIXED: LazyLock<(aho_corasick::AhoCorasick, Vec<bool>)> = LazyLock::new(|| {
    let mut words: Vec<(&str, bool)> = COMPOUNDS.iter().map(|c| (*c, false)).collect();
    words.extend(PLACES.whole.iter().map(|n| (n.as_str(), true)));
    let automaton = aho_corasick::AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::LeftmostLongest)
        .build(words.iter().map(|(w, _)| w))
        .expect("a valid word list");
    (automaton, words.iter().map(|(_, name)| *name).collect())
});

/// Where a listed district or subdistrict follows its word in `text`:
/// `(start of the word, end of the longest name)`, by start.
fn listed_places(text: &str) -> Vec<(usize, usize)> {
    let places = &*PLACES;
    let mut found: Vec<(usize, usize)> = Vec::new();
    for (words, names) in after_word(places) {
        for word in words {
            for (start, _) in text.match_indices(word) {
                let from = start + word.len();
                let longest = text[from..]
                    .char_indices()
                    .map(|(i, c)| from + i + c.len_utf8())
                    .take_while(|end| end - from <= places.longest)
                    .filter(|&end| names.contains(&text[from..end]))
                    .last();
                if let Some(end) = longest {
                    found.push((start, end));
                }
            }
        }
    }
    // At one start the longest wins, as in the automaton.
    found.sort_by_key(|&(start, end)| (start, std::cmp::Reverse(end)));
    found.dedup_by_key(|&mut (start, _)| start);
    found
}

/// Compounds and place names in `text`, leftmost and then longest first,
/// not overlapping, with whether each is a name: what one automaton over
/// every pattern would find.
fn fixed_spans(text: &str) -> Vec<Span> {
    let listed = listed_places(text);
    let mut next_listed = listed.iter().peekable();
    let mut out = Vec::new();
    let mut at = 0;
    while at < text.len() {
        while next_listed.next_if(|(start, _)| *start < at).is_some() {}
        let whole = FIXED
            .0
            .find(aho_corasick::Input::new(text).range(at..))
            .map(|m| Span {
                start: m.start(),
                end: m.end(),
                name: FIXED.1[m.pattern().as_usize()],
            });
        let listed = next_listed.peek().map(|&&(start, end)| Span {
            start,
            end,
            name: true,
        });
        let span = match (whole, listed) {
            (None, None) => break,
            (Some(w), None) => w,
            (None, Some(l)) => l,
            (Some(w), Some(l)) => {
                if (l.start, std::cmp::Reverse(l.end)) < (w.start, std::cmp::Reverse(w.end)) {
                    l
                } else {
                    w
                }
            }
        };
        out.push(span);
        at = span.end;
    }
    out
}

/// Titles before a person's name (นายปรีชา แดงแสงทอง).
const TITLES: &[&str] = &[
    "ว่าที่ร้อยตรีหญิง",
    "ว่าที่ร้อยตรี",
    "นางสาว",
    "นาง",
    "นาย",
    "ดร.",
    "พระครู",
    "พันตำรวจเอก",
    "พันเอก",
];

/// Words that follow นาย/นาง without being a given name (นายอำเภอ, นายก).
const NOT_GIVEN_NAMES: &[&str] = &[
    "อำเภอ",
    "ก",
    "ทะเบียน",
    "ช่าง",
    "ตำรวจ",
    "ทหาร",
    "จ้าง",
    "ประกัน",
];

/// The syllables of amounts in words (ห้าพันสี่ร้อยบาทถ้วน).
const NUMBER_WORDS: &[&str] = &[
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
    "สิบ",
    "ยี่",
    "เอ็ด",
    "ร้อย",
    "พัน",
    "หมื่น",
    "แสน",
    "ล้าน",
    "บาท",
    "ถ้วน",
    "สตางค์",
];

/// Classifiers a number stays with (๑ คน, ๓ แห่ง).
const CLASSIFIERS: &[&str] = &[
    "คน",
    "แห่ง",
    "ชุด",
    "ฉบับ",
    "รุ่น",
    "วัน",
    "ครั้ง",
    "ราย",
    "เล่ม",
    "แผ่น",
    "บาท",
    "ปี",
    "เดือน",
    "ชั่วโมง",
    "นาที",
    "ด้าน",
    "ข้อ",
    "หน่วย",
    "ชั้น",
    "รูป",
    "องค์",
    "เครื่อง",
    "หลัง",
    "ห้อง",
    "ท่าน",
    "อำเภอ",
    "ตำบล",
    "จังหวัด",
    "โครงการ",
    "กิโลเมตร",
    "เมตร",
    "ร้อยละ",
    "น.",
];

/// Words a number stays after (ร้อยละ ๗๐, ครั้งที่ ๓, พ.ศ. ๒๕๖๔), and with
/// the classifier that may follow it (จำนวน ๑ คน).
const BEFORE_NUMBERS: &[&str] = &[
    "ร้อยละ",
    "จำนวน",
    "ครั้งที่",
    "รุ่นที่",
    "ฉบับที่",
    "หมู่ที่",
    "เลขที่",
    "ข้อ",
    "มาตรา",
    "ชั้น",
    "พ.ศ.",
    "ค.ศ.",
    "ปี",
    "วันที่",
    "ที่",
];

fn is_number_char(c: char) -> bool {
    crate::thai::digits::is_digit(c) || c == ',' || c == '.'
}

/// The byte length of the number at the start of `s` (digits, `,` and
/// `.` inside), 0 if none.
fn number_len(s: &str) -> usize {
    let mut end = 0;
    for (i, c) in s.char_indices() {
        if crate::thai::digits::is_digit(c) {
            end = i + c.len_utf8();
        } else if !is_number_char(c) {
            break;
        }
    }
    end
}

/// `s` after optional blanks, and how many bytes they took.
fn skip_blanks(s: &str) -> usize {
    s.len() - s.trim_start_matches([' ', '\u{a0}']).len()
}

/// After a day's number: the blanks, the month and the year (with or
/// without พ.ศ.), as a byte length; `None` when no month follows.
fn date_tail(s: &str) -> Option<usize> {
    let gap = skip_blanks(s);
    // Month names, full and abbreviated, that a day stays with.
    let month = crate::thai::names::MONTHS
        .iter()
        .chain(crate::thai::names::MONTHS_SHORT.iter())
        .find(|m| s[gap..].starts_with(**m))?;
    let mut end = gap + month.len();
    let g = skip_blanks(&s[end..]);
    let mut at = end + g;
    if s[at..].starts_with("พ.ศ.") {
        at += "พ.ศ.".len();
        at += skip_blanks(&s[at..]);
    }
    let y = number_len(&s[at..]);
    if y >= 2 {
        end = at + y;
    }
    Some(end)
}

/// The length of a document number at the start of `s`: a letter code of
/// one to three consonants (`มท`, `พล`, `กท.`), a unit number of four digits
/// or more with its sub-units (`๐๘๑๐.๗`), `/`, a ว for a circular, and the
/// running number.
fn doc_number_len(s: &str) -> Option<usize> {
    let digit = |c: char| c.is_ascii_digit() || ('๐'..='๙').contains(&c);
    let mut it = s.char_indices().peekable();
    let mut consonants = 0;
    while it.next_if(|(_, c)| ('ก'..='ฮ').contains(c)).is_some() {
        consonants += 1;
    }
    if !(1..=3).contains(&consonants) {
        return None;
    }
    it.next_if(|(_, c)| *c == '.');
    while it.next_if(|(_, c)| *c == ' ').is_some() {}
    let mut unit = 0;
    while it.next_if(|(_, c)| digit(*c) || *c == '.').is_some() {
        unit += 1;
    }
    if unit < 4 || it.next_if(|(_, c)| *c == '/').is_none() {
        return None;
    }
    if it.next_if(|(_, c)| *c == 'ว').is_some() {
        it.next_if(|(_, c)| *c == ' ');
    }
    let mut end = None;
    while let Some((j, c)) = it.next_if(|(_, c)| digit(*c)) {
        end = Some(j + c.len_utf8());
    }
    end
}

/// Spans found by rule rather than by name: persons (title, given name and
/// surname), amounts in words, a number with its classifier, a day with
/// its month (and year).
fn rule_ranges(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let at_word_start = text[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !is_thai_letter(c));
        // A document number (`ที่ มท ๐๘๑๐.๗/ว ๒๑๓๕`), with the ที่ before it.
        if at_word_start && let Some(len) = doc_number_len(rest) {
            let start = text[..i]
                .strip_suffix("ที่ ")
                .map_or(i, |before| before.len());
            out.push((start, i + len));
            i += len;
            continue;
        }
        // A person: title + given name + one space + surname.
        if let Some(title) = TITLES.iter().find(|t| rest.starts_with(**t)) {
            let after = &rest[title.len()..];
            let given: usize = after
                .char_indices()
                .find(|(_, c)| !is_thai_letter(*c))
                .map_or(after.len(), |(j, _)| j);
            let plausible = given > 0
                && after[..given].chars().count() <= 20
                && !NOT_GIVEN_NAMES.iter().any(|n| after.starts_with(n));
            if plausible && after[given..].starts_with(' ') {
                let sur = &after[given + 1..];
                let len: usize = sur
                    .char_indices()
                    .find(|(_, c)| !is_thai_letter(*c))
                    .map_or(sur.len(), |(j, _)| j);
                if len > 0 && sur[..len].chars().count() <= 24 {
                    let end = i + title.len() + given + 1 + len;
                    out.push((i, end));
                    i = end;
                    continue;
                }
            }
        }
        // Amounts in words: two or more number syllables in a row.
        if at_word_start || rest.starts_with(|c: char| is_thai_letter(c)) {
            let mut j = 0;
            let mut count = 0;
            while let Some(w) = NUMBER_WORDS.iter().find(|w| rest[j..].starts_with(**w)) {
                j += w.len();
                count += 1;
            }
            if count >= 2 {
                out.push((i, i + j));
                i += j;
                continue;
            }
        }
        // A word a number stays after, the number, and its classifier.
        if let Some(word) = BEFORE_NUMBERS.iter().find(|w| rest.starts_with(**w)) {
            let gap = skip_blanks(&rest[word.len()..]);
            let at = word.len() + gap;
            let n = number_len(&rest[at..]);
            if n > 0 && gap > 0 {
                let mut end = at + n;
                let g = skip_blanks(&rest[end..]);
                if let Some(d) = date_tail(&rest[end..]) {
                    // วันที่ ๒ พฤษภาคม ๒๕๖๗: the day's lead-in, the day, the
                    // month and the year.
                    end += d;
                } else if let Some(c) = CLASSIFIERS
                    .iter()
                    .find(|c| rest[end + g..].starts_with(**c))
                {
                    end += g + c.len();
                }
                out.push((i, i + end));
                i += end;
                continue;
            }
        }
        // A number with its classifier or a day with its month.
        let n = number_len(rest);
        if n > 0 && (i == 0 || !text[..i].ends_with(|c: char| crate::thai::digits::is_digit(c))) {
            let gap = skip_blanks(&rest[n..]);
            let after = &rest[n + gap..];
            if let Some(d) = date_tail(&rest[n..]) {
                let end = n + d;
                out.push((i, i + end));
                i += end;
                continue;
            }
            if let Some(c) = CLASSIFIERS.iter().find(|c| after.starts_with(**c)) {
                let end = n + gap + c.len();
                out.push((i, i + end));
                i += end;
                continue;
            }
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    out
}

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

/// A span that must not break: a name (its edges are good places to break
/// a line) or a compound or rule-found value (edges left to the segmenters).
#[derive(Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
    name: bool,
}

/// Byte ranges of `text` covered by the document's `names` (longest
/// first), then compounds and place names, then rule-found spans, without
/// overlaps.
fn protected_ranges(text: &str, names: &[String]) -> Vec<Span> {
    let mut sorted: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|n| n.chars().count() >= 2)
        .collect();
    sorted.sort_by_key(|n| std::cmp::Reverse(n.len()));
    let mut ranges: Vec<Span> = Vec::new();
    let free = |ranges: &[Span], start: usize, end: usize| {
        !ranges.iter().any(|r| start < r.end && r.start < end)
    };
    for name in sorted {
        for (start, m) in text.match_indices(name) {
            let end = start + m.len();
            if free(&ranges, start, end) {
                ranges.push(Span {
                    start,
                    end,
                    name: true,
                });
            }
        }
    }
    for span in fixed_spans(text) {
        if free(&ranges, span.start, span.end) {
            ranges.push(span);
        }
    }
    // A rule's span (a person, an amount, a number and its classifier, a
    // date) joins whatever it overlaps (ลงวันที่ + วันที่ ๒ พฤษภาคม ๒๕๖๗).
    for (start, end) in rule_ranges(text) {
        let mut span = Span {
            start,
            end,
            name: true,
        };
        ranges.retain(|r| {
            let overlaps = r.start < span.end && span.start < r.end;
            if overlaps {
                span.start = span.start.min(r.start);
                span.end = span.end.max(r.end);
            }
            !overlaps
        });
        ranges.push(span);
    }
    ranges
}

/// Inserts break marks into `text` (see the module documentation). `names`
/// are never broken. Text without Thai letters comes back unchanged.
pub fn mark_breaks(text: &str, names: &[String]) -> String {
    if !text.chars().any(is_thai_letter) {
        return text.to_string();
    }
    mark_with(text, protected_ranges(text, names))
}

/// Break marks for a narrow table cell: breaks wherever both segmenters
/// see a word boundary, nothing longer protected.
pub fn mark_breaks_loose(text: &str) -> String {
    if !text.chars().any(is_thai_letter) {
        return text.to_string();
    }
    mark_with(text, Vec::new())
}

fn mark_with(text: &str, protected: Vec<Span>) -> String {
    let inside = |p: usize| protected.iter().any(|r| r.start < p && p < r.end);
    // The edge of a name is a word boundary whatever the segmenters say:
    // a paragraph that opens with words run into a name must still find a
    // break before the name (else its first line overflows the indent).
    let name_edge = |p: usize| {
        !inside(p)
            && protected
                .iter()
                .any(|r| r.name && (r.start == p || r.end == p))
    };
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
            if words.binary_search(&p).is_ok() || name_edge(p) {
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

    /// The spans of compounds and places are those one automaton over
    /// every pattern (compounds, then every place name) finds.
    #[test]
    fn places_after_their_word_match_as_one_automaton_would() {
        let mut patterns: Vec<(&str, bool)> = COMPOUNDS.iter().map(|c| (*c, false)).collect();
        patterns.extend(place_names().iter().map(|n| (n.as_str(), true)));
        let one = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(patterns.iter().map(|(p, _)| p))
            .unwrap();
        let names = place_names();
        let mut texts: Vec<String> = [
            crate::store::demo::SEED_000,
            crate::store::demo::SEED_003,
            "ตำบลวังยาง อำเภอเนินมะปราง จังหวัดพิษณุโลก ๖๕๑๙๐",
            "เขตบางรักแขวงสีลม กรุงเทพมหานคร",
            "ที่ว่าการอำเภอเมืองพิษณุโลก ศาลากลางจังหวัดพิษณุโลก",
            "องค์การบริหารส่วนตำบลท่าโพธิ์อำเภอเมืองพิษณุโลกส่งเสริมการปกครองท้องถิ่น",
            "ตำบลตำบลบ้านใหม่อำเภออำเภอแม่สายเขตพื้นที่",
        ]
        .iter()
        .map(|t| t.to_string())
        .collect();
        // Every 23rd name run into its neighbours and ordinary words.
        for i in (0..names.len()).step_by(23) {
            let j = (i * 7 + 3) % names.len();
            texts.push(format!(
                "ที่{}และ{}{}ส่งเสริม",
                names[i],
                names[j],
                names[(j + 1) % names.len()]
            ));
        }
        for text in &texts {
            let expected: Vec<(usize, usize, bool)> = one
                .find_iter(text.as_str())
                .map(|m| (m.start(), m.end(), patterns[m.pattern().as_usize()].1))
                .collect();
            let found: Vec<(usize, usize, bool)> = fixed_spans(text)
                .iter()
                .map(|s| (s.start, s.end, s.name))
                .collect();
            assert_eq!(found, expected, "{text}");
        }
        assert!(texts.len() > 500, "{} texts", texts.len());
    }

    #[test]
    fn the_whole_country_is_named_after_its_word() {
        let names = place_names();
        let has = |n: &str| names.binary_search(&n.to_string()).is_ok();
        // Districts and subdistricts far from the demo hierarchy.
        assert!(has("อำเภอแม่สาย") && has("ตำบลแม่ข่า") && has("แขวงบางรัก"));
        // A subdistrict called บ้านใหม่ does not make the phrase unbreakable.
        assert!(has("ตำบลบ้านใหม่") && !has("บ้านใหม่"));
        // The curated names stay whole bare.
        assert!(has("เนินมะปราง") && has("อำเภอเนินมะปราง"));
    }

    #[test]
    fn compounds_and_values_stay_whole() {
        let shown = show(&mark_breaks("ส่งเสริมการปกครองท้องถิ่น", &[]));
        assert!(
            shown.contains("ส่งเสริม") && shown.contains("|ปกครอง|ท้องถิ่น"),
            "{shown}"
        );
        // A document number, with the ที่ before it, never breaks.
        let text = "สำเนาหนังสือกรมส่งเสริมการปกครองท้องถิ่น ที่ มท ๐๘๑๐.๗/ว ๒๑๓๕ ลงวันที่";
        let marked = mark_breaks(text, &[]);
        let from = marked.find("ที่\u{2060}").unwrap();
        let span = &marked[from..marked.find('๕').unwrap()];
        assert!(!span.contains('\u{200B}'), "{marked:?}");
        assert_eq!(
            span.matches(" ").count(),
            span.matches("\u{2060} \u{2060}").count(),
            "every space in the number is joined: {marked:?}"
        );
        assert_eq!(doc_number_len("พล ๐๐๒๓/๑ ลง"), Some("พล ๐๐๒๓/๑".len()));
        assert_eq!(doc_number_len("พลเอก ๑๒๓๔/๕"), None);
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

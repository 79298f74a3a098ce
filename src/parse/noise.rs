//! Repairs for text as people actually have it: OCR output, text pulled out
//! of PDFs by poppler, and pages saved from the web.
//!
//! Each repair is local to one line and only touches what cannot be right:
//! a space that splits a Thai syllable (`เป็ น`, `เรื่ อง`), a keyword at the
//! start of a line with its spaces or tone marks lost (`เรือง`, `ดวนทีสุด`),
//! `O`/`l` read for `0`/`1` inside numbers, `ที` for `ที่` before a document
//! number, and a sara am split in two (`ํา`). The letter's words are
//! otherwise kept as printed.

/// Keywords that open a line of a letter, longest first where one is the
/// start of another. A line that starts with one of them written loosely
/// (spaces inside, tone marks lost) gets the keyword as printed here.
const LINE_KEYWORDS: &[&str] = &[
    "ด่วนที่สุด",
    "ด่วนมาก",
    "ลับที่สุด",
    "ลับมาก",
    "บันทึกข้อความ",
    "ส่วนราชการ",
    "สิ่งที่ส่งมาด้วย",
    "อ้างถึง",
    "กราบเรียน",
    "เรียน",
    "เรื่อง",
    "ขอแสดงความนับถือ",
    "ขอแสดงความเคารพ",
    "สั่ง ณ วันที่",
    "ประกาศ ณ วันที่",
    "คำสั่ง",
    "ประกาศ",
    "กำหนดการ",
    "ชื่อโครงการ",
    "โครงการ",
];

/// Words repaired anywhere in a line whose spacing is broken (poppler).
const SPACED_WORDS: &[&str] = &[
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
    "ลงวันที่",
    "วันที่",
    "จำนวนเงิน",
];

/// Marks that never begin a syllable: a space before one is spurious.
fn never_starts(c: char) -> bool {
    matches!(c, '\u{0E30}'..='\u{0E3A}' | '\u{0E47}'..='\u{0E4E}')
}

/// Leading vowels and mai han-akat: a space after one is spurious.
fn never_ends(c: char) -> bool {
    matches!(c, 'เ' | 'แ' | 'โ' | 'ใ' | 'ไ' | '\u{0E31}')
}

/// Tone marks and the thanthakhat, which OCR loses.
fn droppable(c: char) -> bool {
    matches!(c, '\u{0E48}'..='\u{0E4C}')
}

fn is_thai(c: char) -> bool {
    ('\u{0E01}'..='\u{0E4E}').contains(&c)
}

/// What one pass over a line finds, so that a clean line is not copied.
#[derive(Default)]
struct Scan {
    /// A space no word boundary can explain.
    spurious: bool,
    /// Thai letters and marks.
    thai: usize,
    /// Spaces between two Thai letters.
    inner: usize,
    digit: bool,
    confusable: bool,
    /// `ที` not followed by a mark: maybe `ที่` with the tone lost.
    thi: bool,
}

fn scan(line: &str) -> Scan {
    let mut s = Scan::default();
    let (mut p2, mut p1) = ('\0', '\0');
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        if c == ' ' {
            if is_thai(p1)
                && let Some(n) = next.filter(|&n| is_thai(n))
            {
                s.inner += 1;
                if never_starts(n) || never_ends(p1) || (p1 == '\u{0E47}' && p2 != 'ก') {
                    s.spurious = true;
                }
            }
        } else if is_thai(c) {
            s.thai += 1;
            if c == '\u{0E35}' && p1 == 'ท' && !next.is_some_and(|n| is_thai(n) && !is_consonant(n))
            {
                s.thi = true;
            }
        } else if crate::thai::digits::is_digit(c) {
            s.digit = true;
        } else if is_confusable(c) {
            s.confusable = true;
        }
        p2 = p1;
        p1 = c;
    }
    s
}

fn is_consonant(c: char) -> bool {
    ('ก'..='ฮ').contains(&c)
}

fn is_confusable(c: char) -> bool {
    matches!(c, 'O' | 'o' | 'l' | 'I' | '|')
}

/// Repairs one line (already collapsed: single spaces, trimmed).
pub fn repair(line: String) -> String {
    if line.is_empty() || line.is_ascii() {
        return line;
    }
    let mut line = line;
    if line.contains('\u{0E4D}') {
        line = line.replace("\u{0E4D}\u{0E32}", "\u{0E33}");
    }
    let mut found = scan(&line);
    if found.spurious {
        line = join_split_syllables(line);
        found = scan(&line);
    }
    if found.inner >= 2 && found.inner * 10 > found.thai {
        // Spaced every few letters, as poppler gives text with letter spacing.
        line = respace_words(line, SPACED_WORDS);
    } else if found.inner > 0 && found.digit && line.len() <= 240 {
        // A short line with a date (a heading's date line, a memo's `ที่ …
        // วันที่ …`) may have a month name spaced inside.
        line = respace_words(line, &SPACED_WORDS[..12]);
    }
    if found.confusable && found.digit {
        line = ocr_digits(line);
    }
    line = keyword_at_start(line);
    if found.thi {
        line = restore_thi(line);
    }
    line
}

/// Drops a space inside a syllable: before a following vowel or mark, after
/// a leading vowel, after mai han-akat, after mai taikhu (but `ก็ `).
fn join_split_syllables(line: String) -> String {
    let chars: Vec<char> = line.chars().collect();
    let spurious = |i: usize| {
        let (Some(&prev), Some(&next)) = (chars.get(i.wrapping_sub(1)), chars.get(i + 1)) else {
            return false;
        };
        if !is_thai(prev) || !is_thai(next) {
            return false;
        }
        never_starts(next)
            || never_ends(prev)
            || (prev == '\u{0E47}' && i >= 2 && chars[i - 2] != 'ก')
    };
    if !(0..chars.len()).any(|i| chars[i] == ' ' && spurious(i)) {
        return line;
    }
    chars
        .iter()
        .enumerate()
        .filter(|&(i, c)| !(*c == ' ' && spurious(i)))
        .map(|(_, c)| *c)
        .collect()
}

/// `text` starts with `word` written loosely: spaces inside it, tone marks
/// lost. The length of `text` it covers.
pub fn loose_prefix(text: &str, word: &str) -> Option<usize> {
    let mut rest = text;
    let mut first = true;
    for wc in word.chars() {
        if wc == ' ' {
            rest = rest.trim_start_matches(' ');
            continue;
        }
        let probe = if first {
            rest
        } else {
            rest.trim_start_matches(' ')
        };
        match probe.chars().next() {
            Some(c) if c == wc => {
                rest = &probe[c.len_utf8()..];
                first = false;
            }
            _ if droppable(wc) && !first => {}
            _ => return None,
        }
    }
    Some(text.len() - rest.len())
}

fn keyword_at_start(line: String) -> String {
    let Some(first) = line.chars().next() else {
        return line;
    };
    for word in LINE_KEYWORDS {
        if !word.starts_with(first) {
            continue;
        }
        if let Some(len) = loose_prefix(&line, word) {
            if &line[..len] == *word {
                return line;
            }
            return format!("{word}{}", &line[len..]);
        }
    }
    line
}

/// `words` (month names, date words) with spaces inside them, written
/// whole; looked for where a word starts (the line's start or after a space).
fn respace_words(line: String, words: &[&str]) -> String {
    let mut out = String::new();
    let mut copied = 0;
    let mut at_start = true;
    for (i, c) in line.char_indices() {
        if i < copied {
            continue;
        }
        let starts_word = at_start;
        at_start = c == ' ';
        if !starts_word {
            continue;
        }
        let rest = &line[i..];
        for word in words {
            if !word.starts_with(c) {
                continue;
            }
            if let Some(len) = loose_prefix(rest, word) {
                if &rest[..len] != *word {
                    out.push_str(&line[copied..i]);
                    out.push_str(word);
                    copied = i + len;
                }
                break;
            }
        }
    }
    if copied == 0 {
        return line;
    }
    out.push_str(&line[copied..]);
    out
}

/// OCR reads `0` as `O`/`o` and `1` as `l`/`I`/`|`: inside a run of digits
/// (with `.` `/` `,` `-`), and not next to a Latin letter, they are digits.
fn ocr_digits(line: String) -> String {
    let confusable = |c: char| matches!(c, 'O' | 'o' | 'l' | 'I' | '|');
    if !line.chars().any(confusable)
        || line.contains("http")
        || line.contains("www")
        || line.contains('@')
    {
        return line;
    }
    let digit = crate::thai::digits::is_digit;
    let in_run = |c: char| digit(c) || confusable(c) || matches!(c, '.' | '/' | ',' | '-');
    let chars: Vec<char> = line.chars().collect();
    let mut out: Vec<char> = chars.clone();
    let mut i = 0;
    while i < chars.len() {
        if !in_run(chars[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && in_run(chars[i]) {
            i += 1;
        }
        let run = &chars[start..i];
        let latin_next = |k: Option<&char>| k.is_some_and(|c| c.is_ascii_alphabetic());
        if latin_next(start.checked_sub(1).and_then(|k| chars.get(k))) || latin_next(chars.get(i)) {
            continue;
        }
        let has_digit = run.iter().any(|&c| digit(c));
        // A lone `O` before a number: `O 5349 8123`, `l - 3l มีนาคม`.
        let mut k = i;
        while chars.get(k) == Some(&' ') {
            k += 1;
        }
        if k > i && matches!(chars.get(k), Some('-' | '–')) {
            k += 1;
            while chars.get(k) == Some(&' ') {
                k += 1;
            }
        }
        let lone_before_number = run.len() == 1
            && k > i
            && chars
                .get(k)
                .copied()
                .is_some_and(|c| digit(c) || confusable(c));
        if has_digit || lone_before_number {
            for k in start..i {
                out[k] = match chars[k] {
                    'O' | 'o' => '0',
                    'l' | 'I' | '|' => '1',
                    c => c,
                };
            }
        }
    }
    out.into_iter().collect()
}

/// `ที มท 0808.2/…` → `ที่ มท 0808.2/…`; `วันที 12` → `วันที่ 12`.
fn restore_thi(line: String) -> String {
    let mut out = String::with_capacity(line.len() + 6);
    let mut rest = line.as_str();
    while let Some(at) = rest.find("ที") {
        let after = &rest[at + "ที".len()..];
        out.push_str(&rest[..at + "ที".len()]);
        rest = after;
        if after.starts_with(|c: char| is_thai(c) && !matches!(c, 'ก'..='ฮ')) {
            continue;
        }
        let word_start = out[..out.len() - "ที".len()]
            .chars()
            .next_back()
            .is_none_or(|c| c == ' ' || c == '.');
        let next = after.trim_start();
        // A number is short; looking further would make a long line of
        // `ที ที ที …` quadratic.
        let next = &next[..floor_char(next, 48)];
        let date_word = out.ends_with("วันที") && next.starts_with(crate::thai::digits::is_digit);
        let number = word_start
            && after.starts_with(' ')
            && matches!(
                crate::docnum::DocNumber::parse(next),
                Ok(_) | Err(crate::docnum::DocNumError::Trailing(_))
            );
        if date_word || number {
            out.push('\u{0E48}');
        }
    }
    out.push_str(rest);
    out
}

/// The char boundary at or before `at` (or the end).
pub fn floor_char(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> String {
        repair(s.to_string())
    }

    #[test]
    fn joins_split_syllables() {
        assert_eq!(r("เป็ น ไปตาม"), "เป็น ไปตาม");
        assert_eq!(r("ก็ ได้"), "ก็ ได้");
        assert_eq!(r("ศาลากลางจั งหวัด"), "ศาลากลางจังหวัด");
        assert_eq!(r("ที่ มท ๐๘๑๐.๗/ว ๒๑๓๕"), "ที่ มท ๐๘๑๐.๗/ว ๒๑๓๕");
        assert_eq!(r("คําสั่ง"), "คำสั่ง");
    }

    #[test]
    fn repairs_keywords_at_line_start() {
        assert_eq!(r("เรื่ อง การประชุม"), "เรื่อง การประชุม");
        assert_eq!(r("เรือง การประชุม"), "เรื่อง การประชุม");
        assert_eq!(r("ดวนทีสุด"), "ด่วนที่สุด");
        assert_eq!(r("ด่วน ที่สุด"), "ด่วนที่สุด");
        assert_eq!(r("สัง ณ วันที ๑๒ กันยายน ๒๕๖๖"), "สั่ง ณ วันที่ ๑๒ กันยายน ๒๕๖๖");
        assert_eq!(r("ด่วน ที่ มท 0808.2/ว 1"), "ด่วน ที่ มท 0808.2/ว 1");
        assert_eq!(r("เรียนรู้"), "เรียนรู้");
    }

    #[test]
    fn repairs_ocr_digits() {
        assert_eq!(r("ที่ มท O8l0.7/ว 2l35"), "ที่ มท 0810.7/ว 2135");
        assert_eq!(r("โทร. O 5349 8l23"), "โทร. 0 5349 8123");
        assert_eq!(r("ระหว่างวันที่ l - 3l มีนาคม"), "ระหว่างวันที่ 1 - 31 มีนาคม");
        assert_eq!(r("วันที่ 7 กุ มภาพันธ์ 2567"), "วันที่ 7 กุมภาพันธ์ 2567");
        assert_eq!(r("Zoom Meeting COVID-19"), "Zoom Meeting COVID-19");
        assert_eq!(r("http://www.l0.go.th"), "http://www.l0.go.th");
    }

    #[test]
    fn restores_thi_before_a_number() {
        assert_eq!(r("ที มท ๐๘๑๖.๒/ว ๓๓๑๐"), "ที่ มท ๐๘๑๖.๒/ว ๓๓๑๐");
        assert_eq!(r("ลงวันที ๑๐ เมษายน"), "ลงวันที่ ๑๐ เมษายน");
        assert_eq!(r("ทีม งาน"), "ทีม งาน");
    }

    #[test]
    fn respaces_broken_lines() {
        assert_eq!(
            r("๗ กุ มภาพั นธ์ 2567 วั นที่ ตามที่ ได้ รั บ"),
            "๗ กุมภาพันธ์ 2567 วันที่ ตามที่ ได้ รับ"
        );
    }
}

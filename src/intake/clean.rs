//! Repairs of Tesseract's Thai that are safe whatever the letter says;
//! the parser (`parse::noise`) repairs the rest line by line.
//!
//! Measured on our rendered letters scanned at 200 dpi: Tesseract writes
//! sara am as nikhahit + sara aa (`จํานวน`), puts a tone mark before the
//! vowel above it (`ท่ี`), and reads the emblem and specks as short strings
//! of symbols (`|`, `ฆฒ%#`).

/// Words of letters whose tone mark sits on an upper vowel, which
/// Tesseract drops (`ท้องถิน`, `ชีแจง`, `แต่งตัง` in every scan of our
/// letters), and what is left when it does: the left never stands as a
/// word in a letter, so the repair is safe.
const STACKED: &[(&str, &str)] = &[
    ("ถิน", "ถิ่น"),
    ("ชีแจง", "ชี้แจง"),
    ("แต่งตัง", "แต่งตั้ง"),
    ("เพิม", "เพิ่ม"),
    ("คำสัง", "คำสั่ง"),
    ("ดังนี ", "ดังนี้ "),
    ("ครัง", "ครั้ง"),
    ("ทัง", "ทั้ง"),
    ("พืนที", "พื้นที่"),
    ("สิงที", "สิ่งที่"),
    ("ประจำป ", "ประจำปี "),
    ("ประจำปิ", "ประจำปี"),
    ("ปิงบประมาณ", "ปีงบประมาณ"),
];

/// One line, repaired.
pub fn line(text: &str) -> String {
    let text = repair_marks(text);
    let mut text = text;
    for (lost, word) in STACKED {
        // Only where the mark is missing (`ถิน`, not `ถิ่น`).
        if text.contains(lost) {
            text = text.replace(lost, word);
        }
    }
    if is_speck(&text) {
        return String::new();
    }
    text.trim().to_string()
}

fn repair_marks(text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    // Sara am written as its two parts (with a tone mark between or not).
    let mut out: Vec<char> = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\u{0E4D}' {
            if chars.get(i + 1) == Some(&'\u{0E32}') {
                out.push('\u{0E33}');
                i += 2;
                continue;
            }
            if let (Some(&t), Some(&'\u{0E32}')) = (chars.get(i + 1), chars.get(i + 2))
                && is_tone(t)
            {
                out.push(t);
                out.push('\u{0E33}');
                i += 3;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    chars = out;
    // A tone mark before an upper vowel: the vowel comes first.
    for k in 1..chars.len() {
        if is_upper_vowel(chars[k]) && is_tone(chars[k - 1]) {
            chars.swap(k - 1, k);
        }
    }
    chars.into_iter().collect()
}

fn is_tone(c: char) -> bool {
    matches!(c, '\u{0E48}'..='\u{0E4B}')
}

fn is_upper_vowel(c: char) -> bool {
    matches!(c, '\u{0E31}' | '\u{0E34}'..='\u{0E37}' | '\u{0E47}')
}

/// A line of at most four characters with no Thai letter or digit that
/// makes a word: a speck or the emblem read as symbols.
fn is_speck(text: &str) -> bool {
    let t = text.trim();
    let letters = t.chars().filter(|c| c.is_alphanumeric()).count();
    !t.is_empty()
        && t.chars().count() <= 4
        && (letters == 0 || t.chars().any(|c| c.is_ascii_punctuation()))
}

#[cfg(test)]
mod tests {
    use super::line;

    #[test]
    fn sara_am_and_mark_order_are_repaired() {
        assert_eq!(line("จํานวน ๑ ชุด"), "จำนวน ๑ ชุด");
        assert_eq!(line("น\u{0E4D}\u{0E49}\u{0E32}"), "น\u{0E49}\u{0E33}");
        assert_eq!(line("ท\u{0E48}\u{0E35}"), "ท\u{0E35}\u{0E48}");
        assert_eq!(line("ฆฒ%#"), "");
        assert_eq!(line("|"), "");
        assert_eq!(line("ลบ"), "ลบ");
        assert_eq!(line("๑"), "๑");
        assert_eq!(line("องค์กรปกครองส่วนท้องถิน"), "องค์กรปกครองส่วนท้องถิ่น");
        assert_eq!(line("ท้องถิ่น"), "ท้องถิ่น");
    }
}

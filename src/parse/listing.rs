//! Letters described in one line, as agency and news pages list them:
//! `หนังสือ ด่วนที่สุด ที่ มท 0808.3/ว 1640 ลงวันที่ 15 กรกฎาคม 2556 เรื่อง …`,
//! also without `หนังสือ`, with the issuer first (`จังหวัดพิษณุโลก ที่ …`),
//! with `ลว.` or `ลง`, as an order or announcement (`คำสั่ง… ที่ 412/2566
//! ลงวันที่ …`), numbered or bulleted, or with `เรื่อง` on the next line.

use chrono::NaiveDate;

use super::body::{self, leading_urgency};
use super::heading::{item_number, number_prefix, read_date, urgency_word};
use super::{Contact, DocType, ParsedLetter};

/// One letter found in a listing: the line(s) it was read from and its fields.
#[derive(Debug, Clone)]
pub struct Listed {
    pub text: String,
    pub letter: ParsedLetter,
}

/// Words an issuer named before the number may start with.
const ISSUER_WORDS: &[&str] = &[
    "จังหวัด",
    "อำเภอ",
    "กรม",
    "กระทรวง",
    "สำนัก",
    "เทศบาล",
    "องค์การ",
    "มหาวิทยาลัย",
    "โรงเรียน",
    "ศาลากลาง",
    "คณะ",
];

/// Link texts and file notes that follow a listed subject.
const SUBJECT_ENDS: &[&str] = &[
    ">>",
    "»",
    "[ดาวน์โหลด",
    "(ดาวน์โหลด",
    "ดาวน์โหลด",
    "[PDF",
    "(PDF",
    "ไฟล์แนบ",
    "คลิก",
];

/// Every listed letter, in order, each (number, date) once.
pub fn find(lines: &[String]) -> Vec<Listed> {
    let mut out: Vec<Listed> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        if line.is_empty() || !line.contains("ที่") {
            i += 1;
            continue;
        }
        let mut text = line.clone();
        let mut used = 1;
        if !line.contains("เรื่อง") {
            // `เรื่อง …` on the next line.
            let next = (i + 1..lines.len().min(i + 3)).find(|&k| !lines[k].is_empty());
            match next {
                Some(k) if lines[k].starts_with("เรื่อง") => {
                    text = format!("{line} {}", lines[k]);
                    used = k + 1 - i;
                }
                _ => {
                    i += 1;
                    continue;
                }
            }
        }
        match read_line(&text) {
            Some(letter) => {
                let key = |l: &ParsedLetter| (l.number.as_ref().map(|n| n.number().key()), l.date);
                if !out.iter().any(|o| key(&o.letter) == key(&letter)) {
                    out.push(Listed { text, letter });
                }
                i += used;
            }
            None => i += 1,
        }
    }
    out
}

/// `1.`, `๑)`, `•`, `-` and the like before a listed letter.
fn strip_bullet(text: &str) -> &str {
    let t = text.trim_start_matches(['•', '-', '*', '»', '>', '·', '◦', '▪', '–', ' ']);
    if let Some((_, rest)) = item_number(t) {
        return rest;
    }
    let digits = t
        .char_indices()
        .take_while(|(_, c)| crate::thai::digits::is_digit(*c))
        .last()
        .map_or(0, |(k, c)| k + c.len_utf8());
    if (1..=9).contains(&digits)
        && let Some(rest) = t[digits..].strip_prefix(')')
    {
        return rest.trim_start();
    }
    t
}

/// A date read, with a warning when its year is of the wrong era.
pub type Dated = (NaiveDate, Option<String>);

/// The date and subject after a listed number: `ลงวันที่ 15 กรกฎาคม 2556
/// เรื่อง …`, `ลว. 3 ส.ค. 65 เรื่อง …`, `ลง 14 ม.ค.62 เรื่อง …`, or the date
/// alone. `None` when the text is neither.
pub fn date_and_subject(text: &str) -> Option<(Option<Dated>, Option<String>)> {
    let (date_text, subject) = match text.find("เรื่อง") {
        Some(at) => (&text[..at], Some(clean_subject(&text[at + "เรื่อง".len()..]))),
        None => (text, None),
    };
    let date_text = date_text.trim().trim_start_matches(',').trim();
    let date_text = ["ลงวันที่", "ลว.", "ลว", "ลง", "วันที่"]
        .iter()
        .find_map(|w| date_text.strip_prefix(w))
        .unwrap_or(date_text)
        .trim();
    let date = read_date(date_text);
    if date.is_none() && (subject.is_none() || !date_text.is_empty()) {
        return None;
    }
    Some((date, subject.filter(|s| !s.is_empty())))
}

fn clean_subject(text: &str) -> String {
    let text = text.trim_start_matches([' ', ':']);
    let cut = SUBJECT_ENDS
        .iter()
        .filter_map(|w| text.find(w))
        .min()
        .unwrap_or(text.len());
    text[..cut]
        .trim_end_matches([' ', '-', '|', ','])
        .to_string()
}

/// One listing line as a letter, or `None` if it is not one.
pub fn read_line(text: &str) -> Option<ParsedLetter> {
    let text = strip_bullet(text.trim());
    let (doc_type, rest) = if let Some(r) = text.strip_prefix("หนังสือ") {
        (DocType::ExternalLetter, r)
    } else if let Some(r) = text.strip_prefix("คำสั่ง") {
        (DocType::Order, r)
    } else if let Some(r) = text.strip_prefix("ประกาศ") {
        (DocType::Announcement, r)
    } else {
        (DocType::ExternalLetter, text)
    };
    // The first `ที่` followed by a number (among the first few: a listing
    // names its number early).
    let mut from = 0;
    let mut tries = 0;
    let (head, number, after) = loop {
        let at = from + rest[from..].find("ที่")?;
        from = at + "ที่".len();
        tries += 1;
        if tries > 8 || at > 600 {
            return None;
        }
        let before_ok = rest[..at]
            .chars()
            .next_back()
            .is_none_or(|c| c == ' ' || c == '.');
        if !before_ok {
            continue;
        }
        let tail = rest[from..].trim_start();
        // A number is short: parse a window, not the whole line.
        let window = &tail[..super::noise::floor_char(tail, 64)];
        if let Some((number, Some(_))) = number_prefix(window) {
            let after = tail[number.printed.len()..].trim().to_string();
            break (&rest[..at], number, after);
        }
    };
    let (dated, subject) = date_and_subject(&after)?;
    let (date, warning) = dated?;
    subject.as_ref()?;
    let head = head.trim();
    let (urgency, issuer) = match leading_urgency(&format!("{head} ")) {
        Some((u, r)) if r.trim().is_empty() => (Some(u), String::new()),
        _ => {
            let mut issuer = head;
            let mut urgency = None;
            for word in ["ด่วนที่สุด", "ด่วนมาก", "ด่วน"]
            {
                if let Some(r) = head.strip_suffix(word) {
                    urgency = urgency_word(word);
                    issuer = r.trim_end();
                    break;
                }
            }
            (urgency, issuer.to_string())
        }
    };
    let plain_start = doc_type == DocType::ExternalLetter && !text.starts_with("หนังสือ");
    if plain_start && !issuer.is_empty() && !ISSUER_WORDS.iter().any(|w| issuer.starts_with(w)) {
        return None;
    }
    if issuer.chars().count() > 80 {
        return None;
    }
    let mut letter = ParsedLetter {
        doc_type,
        urgency,
        secrecy: None,
        number: Some(number),
        issuer: Some(issuer).filter(|s| !s.is_empty()),
        issuer_address: None,
        date: Some(date),
        subject,
        to: None,
        references: Vec::new(),
        enclosures: Vec::new(),
        closing: None,
        signer: None,
        owner_unit: None,
        contact: Contact::default(),
        deadlines: Vec::new(),
        events: Vec::new(),
        urls: body::urls(&[text.to_string()]),
        annexes: Vec::new(),
        route: Vec::new(),
        warnings: warning.into_iter().collect(),
    };
    letter.route = body::route(&letter, &[]);
    Some(letter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_forms_pages_use() {
        let l =
            read_line("หนังสือ ด่วนที่สุด ที่ มท 0808.3/ว 1640 ลงวันที่ 15 กรกฎาคม 2556 เรื่อง การรายงาน >>ดู")
                .unwrap();
        assert_eq!(l.number.unwrap().printed, "มท 0808.3/ว 1640");
        assert_eq!(l.date.unwrap().to_string(), "2013-07-15");
        assert_eq!(l.subject.as_deref(), Some("การรายงาน"));
        assert_eq!(l.urgency, Some(crate::model::Urgency::MostUrgent));
        let l =
            read_line("๑) จังหวัดพิษณุโลก ที่ พล ๐๐๒๓.๕/ว ๒๑๔๐ ลว. ๒๔ ก.พ. ๒๕๖๔ เรื่อง การสำรวจ").unwrap();
        assert_eq!(l.issuer.as_deref(), Some("จังหวัดพิษณุโลก"));
        let l = read_line("ที่ มท 0816.2/ว 123 ลง 14 ม.ค.62 เรื่อง การจัดทำแผน").unwrap();
        assert_eq!(l.date.unwrap().to_string(), "2019-01-14");
        // A sentence citing a letter is not a listing.
        assert!(read_line("ตามหนังสือจังหวัด ที่ พล 0023.3/ว 1 ลงวันที่ 1 มกราคม 2567 เรื่อง ก").is_none());
        assert!(read_line("ที่ พล 0023.3/ว 1 ลงวันที่ 1 มกราคม 2567").is_none());
    }
}

//! The heading of a letter: urgency and secrecy marks, `ที่`, the issuer
//! block, the date line, `เรื่อง`, `เรียน`, `อ้างถึง` and `สิ่งที่ส่งมาด้วย`;
//! or the memo's `ส่วนราชการ / ที่ / วันที่ / เรื่อง` fields; or the
//! heading of an order or announcement.

use chrono::NaiveDate;

use super::body::{citations_in, leading_urgency};
use super::{DocType, Enclosure, NumberFields, Reference, ReferenceSource};
use crate::docnum::{DocNumError, DocNumber};
use crate::model::{Secrecy, Urgency};
use crate::thai;

/// What the heading gives, and where the body starts.
#[derive(Debug)]
pub struct Heading {
    pub doc_type: DocType,
    pub urgency: Option<Urgency>,
    pub secrecy: Option<Secrecy>,
    pub number: Option<NumberFields>,
    pub issuer: Option<String>,
    pub issuer_address: Option<String>,
    pub date: Option<NaiveDate>,
    pub subject: Option<String>,
    pub to: Option<String>,
    pub references: Vec<Reference>,
    pub enclosures: Vec<Enclosure>,
    /// A memo's `ส่วนราชการ … โทร. …` phone number.
    pub phone: Option<String>,
    pub body_start: usize,
}

/// Words that open a heading field; a field's text runs on until the next.
const FIELDS: &[&str] = &[
    "ส่วนราชการ",
    "วันที่",
    "เรื่อง",
    "กราบเรียน",
    "เรียน",
    "อ้างถึง",
    "สิ่งที่ส่งมาด้วย",
];

/// How far down the heading may reach, in lines.
const HEAD_LINES: usize = 40;

pub fn urgency_word(line: &str) -> Option<Urgency> {
    match line {
        "ด่วนที่สุด" => Some(Urgency::MostUrgent),
        "ด่วนมาก" => Some(Urgency::VeryUrgent),
        "ด่วน" => Some(Urgency::Urgent),
        _ => None,
    }
}

fn secrecy_word(line: &str) -> Option<Secrecy> {
    match line {
        "ลับที่สุด" => Some(Secrecy::TopSecret),
        "ลับมาก" => Some(Secrecy::Secret),
        "ลับ" => Some(Secrecy::Confidential),
        _ => None,
    }
}

/// `ที่ …` (the `ที่` line, not a word like `ที่ประชุม`).
fn number_line(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("ที่")?;
    let rest = rest.trim_start();
    let first = rest.chars().next()?;
    let ok = rest.len() < line.len() - "ที่".len() // a space after ที่
        || crate::thai::digits::is_digit(first);
    ok.then_some(rest)
}

/// Parses the number at the start of `text`; anything printed after it on
/// the same line (the issuer, when a PDF puts both on one line) comes back.
fn number_prefix(text: &str) -> Option<(NumberFields, Option<String>)> {
    match DocNumber::parse(text) {
        Ok(n) => Some((NumberFields::new(text, &n), None)),
        Err(DocNumError::Trailing(rest)) => {
            let printed = text[..text.len() - rest.len()].trim_end();
            let n = DocNumber::parse(printed).ok()?;
            Some((
                NumberFields::new(printed, &n),
                Some(rest.trim().to_string()),
            ))
        }
        Err(_) => None,
    }
}

fn field<'a>(line: &'a str, word: &str) -> Option<&'a str> {
    line.strip_prefix(word)
        .map(|rest| rest.trim_start_matches([' ', ':']).trim())
}

fn starts_field(line: &str) -> bool {
    FIELDS.iter().any(|f| line.starts_with(f)) || number_line(line).is_some()
}

/// The date of a date line (`๒๑ พฤษภาคม ๒๕๖๗`, `วันที่ ๑๔ พ.ค. ๖๗`).
fn date_line(line: &str) -> Option<NaiveDate> {
    if line.chars().count() > 40 {
        return None;
    }
    thai::parse_date(line).ok()
}

pub fn read(lines: &[String]) -> Heading {
    let doc_type = kind_of(lines);
    let mut head = Heading {
        doc_type,
        urgency: None,
        secrecy: None,
        number: None,
        issuer: None,
        issuer_address: None,
        date: None,
        subject: None,
        to: None,
        references: Vec::new(),
        enclosures: Vec::new(),
        phone: None,
        body_start: 0,
    };
    // A memo's field may wrap onto lines of its own (or, from a PDF, into
    // blocks of its own) until the next field.
    let mut memo_unit: Option<String> = None;
    let limit = lines.len().min(HEAD_LINES);
    let mut i = 0;
    let mut issuer_block: Vec<String> = Vec::new();
    let mut in_issuer_block = false;
    while i < limit {
        let line = lines[i].as_str();
        if line.is_empty() {
            i += 1;
            continue;
        }
        if head.subject.is_none() && head.to.is_none() {
            if let Some(u) = urgency_word(line) {
                head.urgency.get_or_insert(u);
                i += 1;
                continue;
            }
            if let Some(s) = secrecy_word(line) {
                head.secrecy.get_or_insert(s);
                i += 1;
                continue;
            }
        }
        // `ด่วนมาก ที่ มท …`
        let (urgent, line) = match leading_urgency(line) {
            Some((u, rest)) if number_line(rest).is_some() => (Some(u), rest),
            _ => (None, line),
        };
        if let Some(u) = urgent {
            head.urgency.get_or_insert(u);
        }
        if let Some(rest) = number_line(line)
            && head.number.is_none()
            && head.subject.is_none()
        {
            // The memo's `ที่ … วันที่ …` on one line.
            let (num_text, date_text) = match rest.split_once(" วันที่") {
                Some((n, d)) => (n.trim(), Some(format!("วันที่{d}"))),
                None => (rest, None),
            };
            if let Some((number, after)) = number_prefix(num_text) {
                head.number = Some(number);
                if let Some(after) = after
                    && doc_type == DocType::ExternalLetter
                {
                    issuer_block.push(after);
                }
            }
            if let Some(d) = date_text.and_then(|d| date_line(&d)) {
                head.date = Some(d);
            }
            in_issuer_block = doc_type == DocType::ExternalLetter;
            i += 1;
            continue;
        }
        if head.date.is_none()
            && head.subject.is_none()
            && let Some(d) = date_line(line)
        {
            head.date = Some(d);
            in_issuer_block = false;
            i += 1;
            continue;
        }
        if let Some(value) = field(line, "ส่วนราชการ") {
            let (text, next) = continued(lines, i, value);
            memo_unit = Some(text);
            i = next;
            continue;
        }
        if doc_type == DocType::Memo && head.to.is_none() && !starts_field(line) {
            if let Some(subject) = head.subject.as_mut() {
                subject.push(' ');
                subject.push_str(line);
                i += 1;
                continue;
            }
            if let Some(unit) = memo_unit.as_mut() {
                unit.push(' ');
                unit.push_str(line);
                i += 1;
                continue;
            }
        }
        if let Some(value) = field(line, "เรื่อง") {
            let (text, next) = continued(lines, i, value);
            head.subject = Some(text);
            i = next;
            continue;
        }
        if let Some(value) = field(line, "กราบเรียน").or_else(|| field(line, "เรียน"))
        {
            head.to = Some(value.to_string());
            i += 1;
            continue;
        }
        if let Some(value) = field(line, "อ้างถึง") {
            let (items, next) = list_items(lines, i, value, ItemEnd::Dated);
            for item in items {
                head.references.extend(reference_item(&item));
            }
            i = next;
            continue;
        }
        if let Some(value) = field(line, "สิ่งที่ส่งมาด้วย") {
            let (items, next) = list_items(lines, i, value, ItemEnd::Quantity);
            head.enclosures = items.iter().map(|t| enclosure(t)).collect();
            i = next;
            continue;
        }
        if doc_type == DocType::ExternalLetter && in_issuer_block && head.date.is_none() {
            issuer_block.push(line.to_string());
            i += 1;
            continue;
        }
        if matches!(doc_type, DocType::Order | DocType::Announcement)
            && head.issuer.is_none()
            && head.subject.is_none()
        {
            let word = if doc_type == DocType::Order {
                "คำสั่ง"
            } else {
                "ประกาศ"
            };
            if let Some(rest) = line.strip_prefix(word) {
                head.issuer = Some(rest.trim().to_string()).filter(|s| !s.is_empty());
                i += 1;
                continue;
            }
        }
        if line == "บันทึกข้อความ" {
            i += 1;
            continue;
        }
        // Anything else: the body has begun (or, before any field, the text
        // is not a letter's heading and the body starts here).
        break;
    }
    if let Some(unit) = memo_unit {
        match unit.split_once(" โทร") {
            Some((name, phone)) => {
                head.issuer = Some(name.trim().to_string());
                let phone = phone.strip_prefix("ศัพท์").unwrap_or(phone);
                let phone = phone.trim_start_matches(['.', ' ', ':']);
                head.phone = Some(phone.trim().to_string()).filter(|p| !p.is_empty());
            }
            None => head.issuer = Some(unit),
        }
    }
    if doc_type == DocType::ExternalLetter && !issuer_block.is_empty() {
        head.issuer = Some(issuer_block[0].clone());
        if issuer_block.len() > 1 {
            head.issuer_address = Some(issuer_block[1..].join(" "));
        }
    }
    head.body_start = i;
    head
}

fn kind_of(lines: &[String]) -> DocType {
    let heading = lines
        .iter()
        .filter(|l| !l.is_empty())
        .take(12)
        .map(String::as_str);
    let mut first = None;
    for line in heading {
        if line == "บันทึกข้อความ" {
            return DocType::Memo;
        }
        if first.is_none() && urgency_word(line).is_none() && secrecy_word(line).is_none() {
            first = Some(line);
        }
    }
    match first {
        Some(l) if l.starts_with("คำสั่ง") => DocType::Order,
        Some(l) if l.starts_with("ประกาศ") => DocType::Announcement,
        _ => DocType::ExternalLetter,
    }
}

/// A field's value with the lines that continue it (up to a blank line or
/// the next field), and the index after it.
fn continued(lines: &[String], at: usize, first: &str) -> (String, usize) {
    let mut text = first.to_string();
    let mut i = at + 1;
    while i < lines.len() && i < at + 8 {
        let line = &lines[i];
        if line.is_empty() || starts_field(line) {
            break;
        }
        text.push(' ');
        text.push_str(line);
        i += 1;
    }
    (text, i)
}

#[derive(Clone, Copy, PartialEq)]
enum ItemEnd {
    /// A reference is whole once a date follows its number.
    Dated,
    /// An enclosure is whole once its `จำนวน …` is there.
    Quantity,
}

/// `๑.`, `1.`, `(๑)`: the item number at the start of a line, and its value.
pub fn item_number(text: &str) -> Option<(u32, &str)> {
    let t = text.trim_start();
    let (inner, rest) = if let Some(r) = t.strip_prefix('(') {
        let close = r.find(')')?;
        (&r[..close], &r[close + 1..])
    } else {
        let dot = t.find('.')?;
        (&t[..dot], &t[dot + 1..])
    };
    if inner.is_empty() || inner.chars().count() > 2 {
        return None;
    }
    let n = thai::digits::parse_number(inner)? as u32;
    Some((n, rest.trim_start()))
}

/// The items of `อ้างถึง` or `สิ่งที่ส่งมาด้วย`: numbered `๑. … ๒. …`, or
/// one unnumbered item; a quantity or date on a line of its own joins the
/// item before it.
fn list_items(lines: &[String], at: usize, first: &str, end: ItemEnd) -> (Vec<String>, usize) {
    let mut items: Vec<String> = Vec::new();
    let numbered = item_number(first).is_some();
    if !first.is_empty() {
        items.push(first.to_string());
    }
    let mut i = at + 1;
    while i < lines.len() && i < at + 30 {
        let line = &lines[i];
        if line.is_empty() {
            // Blank lines may separate items (seed 003); look past them.
            let next = lines[i + 1..].iter().position(|l| !l.is_empty());
            match next {
                Some(k) if continues(&lines[i + 1 + k], &items, numbered, end) => {
                    i += 1 + k;
                    continue;
                }
                _ => break,
            }
        }
        if !continues(line, &items, numbered, end) || starts_field(line) {
            break;
        }
        let is_next_item = if numbered {
            item_number(line).is_some_and(|(n, _)| n as usize == items.len() + 1)
        } else {
            end == ItemEnd::Dated
                && line.starts_with("หนังสือ")
                && items.last().is_some_and(|l| dated(l))
        };
        if is_next_item || items.is_empty() {
            items.push(line.clone());
        } else if let Some(last) = items.last_mut() {
            last.push(' ');
            last.push_str(line);
        }
        i += 1;
    }
    let items = items
        .into_iter()
        .map(|t| match item_number(&t) {
            Some((_, rest)) if numbered => rest.to_string(),
            _ => t,
        })
        .collect();
    (items, i)
}

/// Whether `line` still belongs to the list.
fn continues(line: &str, items: &[String], numbered: bool, end: ItemEnd) -> bool {
    if starts_field(line) {
        return false;
    }
    if numbered && item_number(line).is_some_and(|(n, _)| n as usize == items.len() + 1) {
        return true;
    }
    let Some(last) = items.last() else {
        return true;
    };
    match end {
        // The quantity on a line of its own, or at the end of the short
        // last line of a text that wrapped (its quantity set in a column).
        ItemEnd::Quantity => {
            !last.contains("จำนวน")
                && (line.starts_with("จำนวน")
                    || line.contains(" จำนวน ") && line.chars().count() < 40)
        }
        ItemEnd::Dated => {
            // An unnumbered list: the next `หนังสือ…` starts a new item.
            line.starts_with("หนังสือ") || !dated(last) && line.chars().count() < 80
        }
    }
}

/// Whether a reference item already has its `ลงวันที่` date.
fn dated(item: &str) -> bool {
    thai::find_dates(item)
        .iter()
        .any(|d| d.role == thai::DateRole::Citation)
}

fn enclosure(text: &str) -> Enclosure {
    match text.rfind(" จำนวน") {
        Some(at) => Enclosure {
            text: text[..at].trim().to_string(),
            quantity: Some(text[at..].trim().to_string()),
        },
        None => Enclosure {
            text: text.trim().to_string(),
            quantity: None,
        },
    }
}

/// One `อ้างถึง` item: a dated citation, or at least a number.
fn reference_item(text: &str) -> Option<Reference> {
    if let Some(r) = citations_in(text, ReferenceSource::ReferenceLine)
        .into_iter()
        .next()
    {
        return Some(r);
    }
    let at = text.rfind("ที่ ")?;
    let (number, _) = number_prefix(text[at + "ที่ ".len()..].trim())?;
    let (issuer, urgency) = super::body::issuer_before(&text[..at]);
    Some(Reference {
        number: number.into(),
        date: None,
        issuer,
        urgency,
        source: ReferenceSource::ReferenceLine,
    })
}

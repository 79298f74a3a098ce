//! The heading of a letter: urgency and secrecy marks, `ที่`, the issuer
//! block, the date line, `เรื่อง`, `เรียน`, `อ้างถึง` and `สิ่งที่ส่งมาด้วย`;
//! or the memo's `ส่วนราชการ / ที่ / วันที่ / เรื่อง` fields; or the
//! heading of an order or announcement; or the title block of a schedule or
//! project. [`locate`] finds where the heading starts when a web page puts
//! titles, menus or listings above it; [`read_date`] reads a date and flags a
//! year of the wrong era.

use chrono::{Datelike, NaiveDate};

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
    /// The line the heading starts at.
    pub start: usize,
    pub body_start: usize,
    /// What was read but looks wrong (a C.E. year in a Thai date, …).
    pub warnings: Vec<String>,
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
        || crate::thai::digits::is_digit(first)
        // `ที่มท0808.2/ว 511`: typed or OCR'd without the space.
        || (('ก'..='ฮ').contains(&first) && number_prefix(rest).is_some());
    ok.then_some(rest)
}

/// Parses the number at the start of `text`; anything printed after it on
/// the same line (the issuer, when a PDF puts both on one line) comes back.
pub fn number_prefix(text: &str) -> Option<(NumberFields, Option<String>)> {
    // What `DocNumber::parse` reads, so that its trailing text is a suffix.
    let text = text.trim_matches(crate::thai::scan::is_blank);
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

/// The date of a date line (`๒๑ พฤษภาคม ๒๕๖๗`, `วันที่ ๑๔ พ.ค. ๖๗`), with a
/// warning when its year is of the wrong era.
fn date_line(line: &str) -> Option<(NaiveDate, Option<String>)> {
    // More than 160 bytes is more than 40 characters: not counted.
    if line.len() > 40 * 4 || line.chars().count() > 40 {
        return None;
    }
    read_date(line)
}

/// A date as printed, and a warning when the year is written in the wrong
/// era: `15 กรกฎาคม 2013` (C.E. where B.E. is the rule) is read as 2013 C.E.;
/// `3 ตุลาคม ค.ศ. 2567` (a B.E. year labelled C.E.) as B.E. 2567. A date
/// labelled `ค.ศ.` with a C.E. year is read as C.E. without a warning.
pub fn read_date(text: &str) -> Option<(NaiveDate, Option<String>)> {
    let (text, labelled_ce) = match text.find("ค.ศ.") {
        Some(at) => (
            format!("{}{}", &text[..at], &text[at + "ค.ศ.".len()..]),
            true,
        ),
        None => (text.to_string(), false),
    };
    match thai::parse_date(&text) {
        Ok(d) if labelled_ce => {
            let year = thai::date::be_year(d.year());
            Some((
                d,
                Some(format!(
                    "ปี ค.ศ. {year} ในวันที่ของหนังสือน่าจะเป็นปี พ.ศ. จึงอ่านเป็น พ.ศ. {year} \
                     (the year {year} is labelled C.E. but looks like a B.E. year; read as B.E.)"
                )),
            ))
        }
        Ok(d) => Some((d, None)),
        Err(thai::DateError::YearRange(year)) if (1800..=2300).contains(&year) => {
            let arabic = thai::to_arabic_digits(&text);
            let at = arabic.rfind(&year.to_string())?;
            let be = thai::date::be_year(year);
            let fixed = format!("{}{be}{}", &arabic[..at], &arabic[at + 4..]);
            let d = thai::parse_date(&fixed).ok()?;
            let warning = (!labelled_ce).then(|| {
                format!(
                    "ปี {year} ในวันที่ของหนังสือน่าจะเป็นปี ค.ศ. จึงอ่านเป็น พ.ศ. {be} \
                     (the year {year} looks like a C.E. year; read as C.E., B.E. {be})"
                )
            });
            Some((d, warning))
        }
        Err(_) => None,
    }
}

/// Lines searched for the start of the letter (web pages put menus, titles
/// and listings above it).
const SEARCH_LINES: usize = 600;
/// Starts tried, at most.
const MAX_STARTS: usize = 24;

/// Whether a letter's heading could start at this line.
fn opens_heading(line: &str) -> bool {
    if urgency_word(line).is_some() || secrecy_word(line).is_some() || line == "บันทึกข้อความ"
    {
        return true;
    }
    let line = leading_urgency(line).map_or(line, |(_, rest)| rest);
    if number_line(line).is_some_and(|rest| number_prefix(rest).is_some()) {
        return true;
    }
    if line.starts_with("ประกาศ ณ") || line.starts_with("ประกาศณ") {
        return false;
    }
    [
        "คำสั่ง",
        "ประกาศ",
        "เรื่อง",
        "กำหนดการ",
        "โครงการ",
        "ชื่อโครงการ",
        "ส่วนราชการ",
        "เรียน",
        "กราบเรียน",
    ]
    .iter()
    .any(|w| line.starts_with(w))
        || date_line(line).is_some()
}

/// How much of a heading was found.
fn score(h: &Heading) -> u32 {
    4 * u32::from(h.number.is_some())
        + 3 * u32::from(h.subject.is_some())
        + 2 * u32::from(h.date.is_some())
        + u32::from(h.to.is_some())
        + u32::from(h.issuer.is_some())
}

/// The heading that reads best among the places it could start: the first
/// complete one (number, subject and date), else the fullest, else none.
/// Indices in the result are into `lines`.
pub fn locate(lines: &[String]) -> Option<Heading> {
    let mut best: Option<Heading> = None;
    let mut tried = 0;
    for at in 0..lines.len().min(SEARCH_LINES) {
        if tried >= MAX_STARTS {
            break;
        }
        let line = lines[at].as_str();
        if line.is_empty() || !opens_heading(line) {
            continue;
        }
        if best.as_ref().is_some_and(|b| at < b.body_start) {
            continue;
        }
        tried += 1;
        let mut head = read(&lines[at..]);
        head.start = at;
        head.body_start += at;
        let s = score(&head);
        if s == 0 {
            continue;
        }
        let complete = head.number.is_some() && head.subject.is_some() && head.date.is_some();
        if best.as_ref().is_none_or(|b| s > score(b)) {
            best = Some(head);
        }
        if complete {
            break;
        }
    }
    best
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
        start: 0,
        body_start: 0,
        warnings: Vec::new(),
    };
    if matches!(doc_type, DocType::Schedule | DocType::Project) {
        title_block(lines, &mut head);
        return head;
    }
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
                if let Some(after) = after {
                    // `ที่ … ลงวันที่ … เรื่อง …`: a letter described in one line.
                    match super::listing::date_and_subject(&after) {
                        Some((date, subject)) => {
                            if let Some((d, warning)) = date {
                                head.date = head.date.or(Some(d));
                                head.warnings.extend(warning);
                            }
                            if subject.is_some() {
                                head.subject = subject;
                            }
                        }
                        None if doc_type == DocType::ExternalLetter => issuer_block.push(after),
                        None => {}
                    }
                }
            }
            if let Some((d, warning)) = date_text.and_then(|d| date_line(&d)) {
                head.date = Some(d);
                head.warnings.extend(warning);
            }
            in_issuer_block = doc_type == DocType::ExternalLetter;
            i += 1;
            continue;
        }
        if head.date.is_none()
            && head.subject.is_none()
            && let Some((d, warning)) = date_line(line)
        {
            head.date = Some(d);
            head.warnings.extend(warning);
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
            if head.subject.is_some() {
                break;
            }
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
                // `คำสั่งเทศบาลเมือง… ที่ ๑๒๙/๒๕๖๑`, `คำสั่ง สตม.ที่ 7/2562`.
                let rest = rest.trim();
                let (issuer, number) = match rest.rfind("ที่") {
                    Some(at) => match DocNumber::parse(&rest[at + "ที่".len()..]) {
                        Ok(n) if head.number.is_none() => {
                            let printed = rest[at + "ที่".len()..].trim();
                            (rest[..at].trim(), Some(NumberFields::new(printed, &n)))
                        }
                        _ => (rest, None),
                    },
                    None => (rest, None),
                };
                head.issuer = Some(issuer.to_string()).filter(|s| !s.is_empty());
                if number.is_some() {
                    head.number = number;
                }
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

/// Words that carry a title on from the line before.
const TITLE_GOES_ON: &[&str] = &[
    "ประจำปี",
    "ปีงบประมาณ",
    "พ.ศ.",
    "ของ",
    "ใน",
    "และ",
    "เพื่อ",
    "(",
];

/// How many lines after `at` continue the title printed there.
pub fn title_lines(lines: &[String], at: usize) -> usize {
    let mut n = 0;
    while let Some(line) = lines.get(at + 1 + n) {
        if line.is_empty() || !TITLE_GOES_ON.iter().any(|w| line.starts_with(w)) {
            break;
        }
        n += 1;
    }
    n
}

/// A schedule's or project's title block: the title (with the lines that
/// continue it), and for a schedule the date or dates under it.
fn title_block(lines: &[String], head: &mut Heading) {
    // Past urgency and secrecy marks, as `kind_of` looks.
    let Some(at) = lines
        .iter()
        .position(|l| !l.is_empty() && urgency_word(l).is_none() && secrecy_word(l).is_none())
    else {
        return;
    };
    let first = lines[at].as_str();
    let mut i = at + 1;
    let mut title = match head.doc_type {
        DocType::Schedule => first
            .strip_prefix("กำหนดการ")
            .unwrap_or(first)
            .trim()
            .to_string(),
        _ => first
            .strip_prefix("ชื่อโครงการ")
            .unwrap_or(first)
            .trim_start_matches([' ', ':'])
            .to_string(),
    };
    if title.is_empty() {
        match lines.get(i) {
            Some(next) if !next.is_empty() && thai::find_dates(next).is_empty() => {
                title = next.clone();
                i += 1;
            }
            _ => {}
        }
    }
    let more = title_lines(lines, i - 1);
    for line in &lines[i..i + more] {
        title.push(' ');
        title.push_str(line);
    }
    i += more;
    head.subject = Some(title).filter(|t| !t.is_empty());
    if head.doc_type == DocType::Schedule {
        // The date (or first day) printed under the title.
        while let Some(line) = lines.get(i) {
            if line.is_empty() || i > at + 6 {
                break;
            }
            if head.date.is_none()
                && let Some(found) = thai::find_dates(line).first()
            {
                head.date = Some(found.range.start);
            }
            i += 1;
        }
    }
    head.body_start = i;
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
        Some(l) if l.starts_with("กำหนดการ") => DocType::Schedule,
        Some(l) if l.starts_with("โครงการ") || l.starts_with("ชื่อโครงการ") => {
            DocType::Project
        }
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
        if !continues(line, &items, numbered, end) {
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
    // A reference that wrapped before its number (`… ด่วนที่สุด` / `ที่ มท
    // ๐๘๐๘.๓/ว ๑๖๔๐ ลงวันที่ …`) goes on: the ที่ line of a heading is never
    // inside an undated citation.
    let citation_goes_on = end == ItemEnd::Dated
        && items.last().is_some_and(|l| !dated(l))
        && number_line(line).is_some();
    if starts_field(line) && !citation_goes_on {
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

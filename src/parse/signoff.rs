//! The end of a letter: the closing, the signer's name and position, the
//! owner unit and contact lines, and the annexes that follow (schedules,
//! project proposals, QR pages). Orders and announcements end with their
//! `สั่ง ณ วันที่` / `ประกาศ ณ วันที่` line instead of a closing.

use chrono::NaiveDate;

use super::{Annex, AnnexKind, Contact, DocType, Signer};
use crate::thai;

#[derive(Debug, Default)]
pub struct Tail {
    /// Where the body ends (the closing, signer or date line).
    pub body_end: usize,
    pub closing: Option<String>,
    pub signer: Option<Signer>,
    pub owner_unit: Option<String>,
    pub contact: Contact,
    pub annexes: Vec<Annex>,
    /// The `สั่ง ณ วันที่` / `ประกาศ ณ วันที่` date of orders and announcements.
    pub date: Option<NaiveDate>,
}

const CONTACT_WORDS: &[&str] = &[
    "โทรสาร",
    "โทรศัพท์",
    "โทร",
    "ไปรษณีย์อิเล็กทรอนิกส์",
    "E-mail",
    "e-mail",
    "Email",
    "email",
    "อีเมล",
    "ผู้ประสานงาน",
    "www.",
    "http",
    "สำเนาส่ง",
];

/// Words that open an owner unit, never a position.
const UNIT_WORDS: &[&str] = &["กอง", "กลุ่ม", "สำนัก", "ฝ่าย", "ศูนย์", "ส่วน", "งาน"];

const NAME_TITLES: &[&str] = &[
    "นาย",
    "นาง",
    "น.ส.",
    "ว่าที่",
    "ดร.",
    "พล",
    "พ.",
    "ร.",
    "จ.",
    "ส.",
    "ศาสตราจารย์",
    "รอง",
    "ผู้ช่วย",
    "รศ.",
    "ผศ.",
    "Mr",
    "Ms",
    "Mrs",
];

pub fn read(lines: &[String], doc_type: DocType, body_start: usize) -> Tail {
    let mut tail = Tail {
        body_end: lines.len(),
        ..Tail::default()
    };
    let after = body_start.min(lines.len());
    let mut i = match doc_type {
        DocType::ExternalLetter => {
            let Some(at) = (after..lines.len()).find(|&k| is_closing(&lines[k])) else {
                return tail;
            };
            tail.body_end = at;
            tail.closing = Some(lines[at].clone());
            at + 1
        }
        DocType::Order | DocType::Announcement => {
            let Some(at) = (after..lines.len()).find(|&k| given_on(&lines[k]).is_some()) else {
                return tail;
            };
            tail.body_end = at;
            tail.date = given_on(&lines[at]);
            at + 1
        }
        DocType::Memo | DocType::Schedule | DocType::Project | DocType::Other => {
            let Some(at) = (after..lines.len()).find(|&k| name_line(&lines[k]).is_some()) else {
                return tail;
            };
            tail.body_end = at;
            at
        }
    };
    // The name, past the signature space and `(ลงชื่อ)` lines.
    let Some(name_at) = (i..lines.len().min(i + 8)).find(|&k| name_line(&lines[k]).is_some())
    else {
        return tail;
    };
    let name = name_line(&lines[name_at]).unwrap_or_default();
    i = skip_blank(lines, name_at + 1);
    let mut position = Vec::new();
    while i < lines.len() && position.len() < 4 {
        let line = &lines[i];
        if line.is_empty() || is_contact(line) || is_annex_title(line).is_some() {
            break;
        }
        if !position.is_empty() && UNIT_WORDS.iter().any(|w| line.starts_with(w)) {
            break;
        }
        position.push(line.clone());
        i += 1;
    }
    tail.signer = Some(Signer {
        name,
        position: (!position.is_empty()).then(|| position.join(" ")),
    });
    if matches!(doc_type, DocType::Schedule | DocType::Project) {
        return tail;
    }
    if doc_type != DocType::ExternalLetter {
        tail.annexes = annexes(&lines[i.min(lines.len())..]);
        return tail;
    }
    // The owner unit: the lines before the contact lines.
    i = skip_blank(lines, i);
    let mut unit = Vec::new();
    let mut k = i;
    while k < lines.len() && unit.len() < 4 {
        let line = &lines[k];
        if line.is_empty() || is_contact(line) || is_annex_title(line).is_some() {
            break;
        }
        unit.push(line.clone());
        k += 1;
    }
    let contact_follows = k < lines.len() && is_contact(&lines[k]);
    let at_end = skip_blank(lines, k) >= lines.len();
    if !unit.is_empty() && (contact_follows || at_end || lines[k].is_empty()) {
        tail.owner_unit = Some(unit.join(" "));
        i = k;
    }
    // The contact lines.
    // The contact lines, and `สำเนาส่ง` with the lines under it; a blank
    // line (a PDF's block break) may separate them.
    loop {
        let k = skip_blank(lines, i);
        if k >= lines.len() || !is_contact(&lines[k]) {
            break;
        }
        i = k;
        let copies = lines[i].starts_with("สำเนาส่ง");
        read_contact(&lines[i], &mut tail.contact);
        i += 1;
        while copies && i < lines.len() && !lines[i].is_empty() && !is_contact(&lines[i]) {
            i += 1;
        }
    }
    tail.annexes = annexes(&lines[i.min(lines.len())..]);
    tail
}

fn skip_blank(lines: &[String], mut i: usize) -> usize {
    while i < lines.len() && lines[i].is_empty() {
        i += 1;
    }
    i
}

fn is_closing(line: &str) -> bool {
    (line.starts_with("ขอแสดงความนับถือ") || line.starts_with("ขอแสดงความเคารพ"))
        && line.chars().count() <= 40
}

/// `สั่ง ณ วันที่ …`, `ประกาศ ณ วันที่ …`, `ให้ไว้ ณ วันที่ …`
fn given_on(line: &str) -> Option<NaiveDate> {
    let rest = ["สั่ง", "ประกาศ", "ให้ไว้"]
        .iter()
        .find_map(|w| line.strip_prefix(w))?
        .trim_start();
    let rest = rest.strip_prefix("ณ")?.trim_start();
    thai::parse_date(rest).ok()
}

/// `(นายปรีชา แดงแสงทอง)` → the name.
fn name_line(line: &str) -> Option<String> {
    let inner = line.strip_prefix('(')?.strip_suffix(')')?.trim();
    let words = inner.split(' ').count();
    let plausible = !inner.is_empty()
        && inner.chars().count() <= 60
        && !inner.chars().any(thai::digits::is_digit)
        && !inner.starts_with("ลงชื่อ")
        && (NAME_TITLES.iter().any(|t| inner.starts_with(t)) || (2..=4).contains(&words));
    plausible.then(|| inner.to_string())
}

fn is_contact(line: &str) -> bool {
    CONTACT_WORDS.iter().any(|w| line.starts_with(w))
}

fn value_after<'a>(line: &'a str, word: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(word)?;
    let rest = rest.strip_prefix('.').unwrap_or(rest);
    Some(rest.trim_start_matches([' ', ':']).trim()).filter(|v| !v.is_empty())
}

fn read_contact(line: &str, contact: &mut Contact) {
    // `โทร. … โทรสาร …` on one line.
    let (first, fax) = match line.find(" โทรสาร") {
        Some(at) if !line.starts_with("โทรสาร") => (&line[..at], Some(&line[at + 1..])),
        _ => (line, None),
    };
    if let Some(fax) = fax {
        read_contact(fax, contact);
    }
    let set = |slot: &mut Option<String>, v: Option<&str>| {
        if slot.is_none() {
            *slot = v.map(str::to_string);
        }
    };
    if first.starts_with("โทรสาร") {
        set(&mut contact.fax, value_after(first, "โทรสาร"));
    } else if first.starts_with("โทรศัพท์") {
        set(&mut contact.phone, value_after(first, "โทรศัพท์"));
    } else if first.starts_with("โทร") {
        set(&mut contact.phone, value_after(first, "โทร"));
    } else if first.starts_with("ผู้ประสานงาน") {
        set(&mut contact.coordinator, value_after(first, "ผู้ประสานงาน"));
    } else if let Some(word) = [
        "ไปรษณีย์อิเล็กทรอนิกส์",
        "E-mail",
        "e-mail",
        "Email",
        "email",
        "อีเมล",
    ]
    .iter()
    .find(|w| first.starts_with(*w))
    {
        set(&mut contact.email, value_after(first, word));
    }
}

/// The kind an annex title line names.
fn is_annex_title(line: &str) -> Option<AnnexKind> {
    if line.starts_with("กำหนดการ") {
        Some(AnnexKind::Schedule)
    } else if line.starts_with("โครงการ") {
        Some(AnnexKind::Project)
    } else if ["QR Code", "QR code", "QR CODE", "คิวอาร์โค้ด", "แบบตอบรับ"]
        .iter()
        .any(|w| line.starts_with(w))
    {
        Some(AnnexKind::QrForm)
    } else {
        None
    }
}

/// Lines of an annex's title block, in which no new annex starts.
const TITLE_BLOCK: usize = 4;

/// Splits what follows the letter into annexes: a title line after a blank
/// line or page break starts one, unless it is still inside the title block
/// of the one before, or is a QR caption inside a QR page.
fn annexes(lines: &[String]) -> Vec<Annex> {
    let mut out: Vec<(Annex, Vec<&str>)> = Vec::new();
    let mut after_blank = true;
    let mut skip = 0;
    for (k, line) in lines.iter().enumerate() {
        if skip > 0 {
            skip -= 1;
            continue;
        }
        if line.is_empty() {
            after_blank = true;
            continue;
        }
        let kind = if out.is_empty() {
            Some(is_annex_title(line).unwrap_or(AnnexKind::Other))
        } else if after_blank {
            let (current, body) = out.last().expect("not empty");
            is_annex_title(line).filter(|k| {
                body.len() > TITLE_BLOCK
                    && !(*k == AnnexKind::QrForm && current.kind == AnnexKind::QrForm)
            })
        } else {
            None
        };
        after_blank = false;
        match kind {
            Some(kind) => {
                // A project's or schedule's title may run onto the next
                // lines (`ประจำปีงบประมาณ …`).
                let mut title = line.clone();
                if matches!(kind, AnnexKind::Project | AnnexKind::Schedule) {
                    skip = super::heading::title_lines(lines, k);
                    for more in &lines[k + 1..k + 1 + skip] {
                        title.push(' ');
                        title.push_str(more);
                    }
                }
                out.push((
                    Annex {
                        kind,
                        title,
                        budget_baht: None,
                        budget_text: None,
                    },
                    vec![line.as_str()],
                ))
            }
            None => {
                if let Some((_, body)) = out.last_mut() {
                    body.push(line.as_str());
                }
            }
        }
    }
    out.into_iter()
        .map(|(mut annex, body)| {
            if annex.kind == AnnexKind::Project
                && let Some((baht, words)) = budget(&body)
            {
                annex.budget_baht = Some(baht);
                annex.budget_text = Some(words);
            }
            annex
        })
        .collect()
}

/// `จำนวนเงิน ๙,๑๐๐ บาท (เก้าพันหนึ่งร้อยบาทถ้วน)` → (9100, the words).
fn budget(body: &[&str]) -> Option<(u64, String)> {
    body.iter().find_map(|line| {
        let at = line.find("จำนวนเงิน")?;
        let rest = line[at + "จำนวนเงิน".len()..].trim_start();
        let (figure, after) = rest.split_once("บาท")?;
        let satang = thai::parse_baht_figure(figure.trim()).ok()?;
        let words = after.trim_start().strip_prefix('(')?;
        let words = &words[..words.find(')')?];
        Some((satang / 100, words.trim().to_string()))
    })
}

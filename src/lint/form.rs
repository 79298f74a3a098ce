//! The letter's form: a closing that does not answer its salutation
//! (เรียน ↔ ขอแสดงความนับถือ, กราบเรียน ↔ ขอแสดงความนับถืออย่างยิ่ง,
//! ภาคผนวก ๒ of the regulation), Thai and Arabic digits in one document, and
//! an office named a letter or two away from the registry's name.

use super::sheet::{Sheet, TextKind};
use super::{Code, Context, Finding};
use crate::model::Salutation;
use crate::thai::Digits;

pub fn check(sheet: &Sheet, ctx: &Context, out: &mut Vec<Finding>) {
    closing(sheet, out);
    digits(sheet, out);
    offices(sheet, ctx, out);
}

fn closing(sheet: &Sheet, out: &mut Vec<Finding>) {
    let (Some(salutation), Some((field, closing))) = (sheet.salutation, &sheet.closing) else {
        return;
    };
    let said = closing.trim();
    let known = [
        Salutation::Rian,
        Salutation::KrapRian,
        Salutation::Namatsakan,
    ];
    // Only a closing of the regulation's: anything else is the writer's own.
    if known.iter().any(|s| s.closing() == said) && said != salutation.closing() {
        out.push(Finding::at(
            Code::SalutationClosing,
            field,
            closing,
            0,
            closing.len(),
            format!(
                "คำขึ้นต้น “{}” ต้องใช้คำลงท้าย “{}” ไม่ใช่ “{said}”",
                salutation.word(),
                salutation.closing()
            ),
            format!(
                "the salutation “{}” closes with “{}”, not “{said}”",
                salutation.word(),
                salutation.closing()
            ),
        ));
    }
}

fn is_thai_digit(c: char) -> bool {
    ('๐'..='๙').contains(&c)
}

/// Digits as they will print: a document in Thai digits turns typed
/// Arabic digits Thai (outside URLs and Latin words), so only a document
/// in Arabic digits (or a letter as printed) can mix them.
fn digits(sheet: &Sheet, out: &mut Vec<Finding>) {
    let printed = |t: &str| match sheet.digits {
        Some(d) => d.apply_to_text(t),
        None => t.to_string(),
    };
    let mut first: [Option<(usize, usize)>; 2] = [None, None];
    let mut count = [0usize; 2];
    let texts: Vec<String> = sheet
        .texts
        .iter()
        .map(|t| {
            if t.kind == TextKind::Code || sheet.digits == Some(Digits::Thai) {
                String::new()
            } else {
                printed(&t.text)
            }
        })
        .collect();
    for (ti, text) in texts.iter().enumerate() {
        let mut prev = None;
        for (i, c) in text.char_indices() {
            let kind = if is_thai_digit(c) {
                Some(0)
            } else if c.is_ascii_digit() && !latin_around(text, i) {
                Some(1)
            } else {
                None
            };
            if let Some(k) = kind
                && prev != Some(k)
            {
                count[k] += 1;
                first[k].get_or_insert((ti, i));
            }
            prev = kind;
        }
    }
    if count[0] == 0 || count[1] == 0 {
        return;
    }
    // The fewer kind is the odd one out (for an Arabic-digit office: Thai).
    let odd = match sheet.digits {
        Some(Digits::Arabic) => 0,
        _ => usize::from(count[1] < count[0]),
    };
    let Some((ti, at)) = first[odd] else { return };
    let t = &sheet.texts[ti];
    let end = texts[ti][at..]
        .find(|c: char| !(c.is_ascii_digit() || is_thai_digit(c)))
        .map_or(texts[ti].len(), |e| at + e);
    let (th, en) = if odd == 0 {
        ("เลขไทย", "Thai")
    } else {
        ("เลขอารบิก", "Arabic")
    };
    out.push(Finding::at(
        Code::MixedDigits,
        &t.field,
        &texts[ti],
        at,
        end,
        format!(
            "หนังสือฉบับนี้ใช้ทั้งเลขไทยและเลขอารบิก: {th} {} แห่ง เริ่มที่นี่",
            crate::thai::to_thai_digits(&count[odd].to_string())
        ),
        format!(
            "the document mixes Thai and Arabic digits: {} run(s) of {en} digits, the first here",
            count[odd]
        ),
    ));
}

/// Digits inside a Latin word, URL or address (`COVID-19`, `Web2`).
fn latin_around(text: &str, i: usize) -> bool {
    let word_start = text[..i]
        .rfind(|c: char| c.is_whitespace())
        .map_or(0, |s| s + 1);
    let word_end = text[i..]
        .find(|c: char| c.is_whitespace())
        .map_or(text.len(), |e| i + e);
    text[word_start..word_end]
        .chars()
        .any(|c| c.is_ascii_alphabetic() || c == '@')
}

/// Office names a letter or two away from one of the registry's.
fn offices(sheet: &Sheet, ctx: &Context, out: &mut Vec<Finding>) {
    if ctx.offices.is_empty() {
        return;
    }
    for t in sheet.texts.iter().filter(|t| t.kind == TextKind::Office) {
        let name = t.text.trim();
        let letters: Vec<char> = name.chars().collect();
        if letters.len() < 8 || ctx.offices.iter().any(|o| o == name) {
            continue;
        }
        let near = ctx
            .offices
            .iter()
            .filter_map(|o| {
                let other: Vec<char> = o.chars().collect();
                super::spelling_distance(&letters, &other, 2).map(|d| (d, o))
            })
            .min_by_key(|(d, _)| *d);
        if let Some((_, office)) = near {
            out.push(Finding::at(
                Code::OfficeName,
                &t.field,
                &t.text,
                0,
                t.text.len(),
                format!("ชื่อหน่วยงาน “{name}” ต่างจากทะเบียนหน่วยงาน “{office}”"),
                format!("the office “{name}” is named “{office}” in the registry"),
            ));
        }
    }
}

//! The cover letter an office sends when it forwards a letter down the
//! chain, in the shape of seed 003: the received letter cited under
//! `อ้างถึง` (issuer, urgency, number, date), its enclosures carried over, a
//! body that says who asked for what and by when, addressed to the next
//! level. The clerk may edit the draft before it is numbered and sent.

use chrono::NaiveDate;

use super::StoreError;
use super::agency::{Agency, agency_of_letterhead, spoken_name};
use super::offices::{Office, OfficeKind};
use crate::model::{Contact, Document, Enclosure, Letter, Part, Reference, Signer};
use crate::thai::{DateStyle, format_date};

/// How the letter addresses its recipients: `นายอำเภอ ทุกอำเภอ`,
/// `นายอำเภอเนินมะปราง`, `นายกองค์การบริหารส่วนตำบลวังยาง`.
pub fn addressee(to: &[Office]) -> String {
    let all = |k: fn(OfficeKind) -> bool| to.iter().all(|o| k(o.fields.kind));
    if let [one] = to {
        return head_of(one);
    }
    // A province's districts and its อบจ.: one letter to both.
    let (locals, rest): (Vec<&Office>, Vec<&Office>) =
        to.iter().partition(|o| o.fields.kind.is_local());
    if let [pao] = locals.as_slice()
        && !rest.is_empty()
        && rest
            .iter()
            .all(|o| o.fields.kind == OfficeKind::DistrictOffice)
    {
        return format!("นายอำเภอ ทุกอำเภอ และ{}", head_of(pao));
    }
    if all(|k| k == OfficeKind::ProvincialOffice) {
        "ผู้ว่าราชการจังหวัด ทุกจังหวัด".into()
    } else if all(|k| k == OfficeKind::DistrictOffice) {
        "นายอำเภอ ทุกอำเภอ".into()
    } else if all(OfficeKind::is_local) {
        "นายกองค์กรปกครองส่วนท้องถิ่น ทุกแห่ง".into()
    } else {
        "ส่วนราชการตามบัญชีแนบท้าย".into()
    }
}

/// The head of one office, as a letter addresses it.
fn head_of(office: &Office) -> String {
    let name = &office.fields.name;
    match office.fields.kind {
        OfficeKind::ProvincialOffice => format!("ผู้ว่าราชการจังหวัด{}", office.fields.province),
        OfficeKind::DistrictOffice => {
            format!("นายอำเภอ{}", name.strip_prefix("อำเภอ").unwrap_or(name))
        }
        k if k.is_local() => format!("นาย{name}")
            .replace("นายองค์การ", "นายกองค์การ")
            .replace("นายเทศบาล", "นายกเทศมนตรี"),
        _ => format!("หัวหน้า{name}"),
    }
}

/// Who signs for the forwarding agency (the name is left for the clerk).
fn signer_for(speaker: &Agency) -> Signer {
    let name = &speaker.name;
    let position = match speaker.kind {
        OfficeKind::ProvincialOffice => vec![
            "ท้องถิ่นจังหวัด ปฏิบัติราชการแทน".to_string(),
            format!("ผู้ว่าราชการ{name}"),
        ],
        OfficeKind::DistrictOffice => vec![format!("นาย{name}")],
        OfficeKind::Department => vec![format!("อธิบดี{name}")],
        k if k.is_local() => vec![
            format!("นาย{name}")
                .replace("นายองค์การ", "นายกองค์การ")
                .replace("นายเทศบาล", "นายกเทศมนตรี"),
        ],
        _ => vec![format!("หัวหน้า{name}")],
    };
    Signer {
        name: "........................................".into(),
        position,
    }
}

/// How the cover asks its recipients to act: `อำเภอ` for the districts,
/// the one office's own name, nothing when the list is mixed.
fn whom(to: &[Office]) -> String {
    if let [one] = to {
        return spoken_name(one);
    }
    let all = |k: fn(OfficeKind) -> bool| !to.is_empty() && to.iter().all(|o| k(o.fields.kind));
    if all(|k| k == OfficeKind::ProvincialOffice) {
        "จังหวัด".into()
    } else if all(|k| k == OfficeKind::DistrictOffice) {
        "อำเภอ".into()
    } else if all(OfficeKind::is_local) {
        "องค์กรปกครองส่วนท้องถิ่น".into()
    } else {
        String::new()
    }
}

/// Whether a paragraph is a closing formula (`จึงเรียนมาเพื่อ…`).
fn is_closing(p: &str) -> bool {
    p.starts_with("จึงเรียน") || p.starts_with("จึงกราบเรียน")
}

/// Whether a paragraph is an item of a numbered list (`๑. …`, `1) …`).
fn is_item(p: &str) -> bool {
    let digits = p
        .chars()
        .take_while(|c| c.is_ascii_digit() || ('๐'..='๙').contains(c))
        .count();
    digits > 0 && matches!(p.chars().nth(digits), Some('.' | ')'))
}

/// The body of a cover, drafted from the received letter's own words for
/// the clerk to edit (seed 003): what the sender said (its first paragraph,
/// with its list when it ends `ดังนี้`), what it asked (its paragraph that
/// says `จึง…`), then what this office asks of the next, by when.
fn drafted_body(
    received: &[String],
    from: &str,
    speaker: &str,
    to: &[Office],
    by: &str,
) -> Vec<String> {
    let paragraphs: Vec<&str> = received
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty() && !is_closing(p))
        .collect();
    let mut body = Vec::new();
    if let Some(first) = paragraphs.first() {
        // "ด้วยกรมส่งเสริมการปกครองท้องถิ่นกำหนดให้…" → "ด้วยกรมส่งเสริมการ
        // ปกครองท้องถิ่นแจ้งว่า ได้กำหนดให้…".
        let said = first
            .strip_prefix("ด้วย")
            .or_else(|| first.strip_prefix("เนื่องด้วย"))
            .map(|rest| rest.strip_prefix(from).unwrap_or(rest).trim_start())
            .unwrap_or(first);
        let did = ["กำหนด", "จัด", "ดำเนิน", "พิจารณา"]
            .iter()
            .any(|verb| said.starts_with(verb));
        body.push(format!(
            "ด้วย{from}แจ้งว่า {}{said}",
            if did { "ได้" } else { "" }
        ));
        let mut rest = paragraphs[1..].iter().peekable();
        if said.ends_with("ดังนี้") {
            while let Some(item) = rest.next_if(|p| is_item(p)) {
                body.push(item.to_string());
            }
        }
        if let Some(asked) = rest.find(|p| p.chars().take(60).collect::<String>().contains("จึง"))
        {
            body.push(asked.to_string());
        }
    }
    let whom = whom(to);
    let onward = match to.first().map(|o| o.fields.kind) {
        Some(OfficeKind::DistrictOffice) => " และแจ้งองค์กรปกครองส่วนท้องถิ่นในพื้นที่ทราบและดำเนินการด้วย",
        _ => "",
    };
    body.push(format!(
        "{speaker}พิจารณาแล้ว จึงขอให้{whom}ดำเนินการในส่วนที่เกี่ยวข้อง{onward}{by} รายละเอียดปรากฏตามสิ่งที่ส่งมาด้วย"
    ));
    body.push("จึงเรียนมาเพื่อทราบและดำเนินการต่อไป".into());
    body
}

/// Drafts the cover letter for forwarding `original` from `office` (whose
/// letters speak for `speaker`) to `to`, dated `date`. A deadline already
/// past on `date` is not repeated in the body.
pub fn cover_letter(
    original: &Document,
    office: &Office,
    speaker: &Agency,
    to: &[Office],
    date: NaiveDate,
    deadline: Option<NaiveDate>,
) -> Result<Document, StoreError> {
    let Part::Letter(received) = &original.main else {
        return Err(StoreError::rejected(
            "ส่งต่อได้เฉพาะหนังสือภายนอก",
            "only external letters are forwarded with a cover letter",
        ));
    };
    let number = received.number.clone().ok_or_else(|| {
        StoreError::rejected("หนังสือที่รับมาไม่มีเลขที่", "the received letter has no number")
    })?;
    // The sender as an agency: "หนังสือจังหวัดพิษณุโลก", not "หนังสือศาลา
    // กลางจังหวัดพิษณุโลก".
    let from = agency_of_letterhead(&received.issuer.name);
    let digits = office.fields.digits;
    let by = deadline
        .filter(|d| *d >= date)
        .map(|d| format!(" ภายในวันที่ {}", format_date(d, DateStyle::Long, digits)))
        .unwrap_or_default();
    // What the cover carries: the letter itself, then its enclosures.
    let mut enclosures = vec![Enclosure {
        text: format!("สำเนาหนังสือ{from} ที่ {number}"),
        quantity: Some("จำนวน ๑ ฉบับ".into()),
    }];
    enclosures.extend(received.enclosures.iter().cloned());
    let body = drafted_body(&received.body, &from, &speaker.name, to, &by);
    let letter = Letter {
        urgency: received.urgency,
        secrecy: received.secrecy,
        number: None,
        office_code: None,
        issuer: speaker.letterhead.clone(),
        date,
        subject: received.subject.clone(),
        to: addressee(to),
        salutation: None,
        references: vec![Reference {
            issuer: Some(from.clone()),
            urgency: received.urgency,
            number: Some(number),
            date: Some(received.date),
            text: None,
        }],
        enclosures,
        body,
        closing: None,
        signer: signer_for(speaker),
        contact: Contact {
            owner_unit: speaker.units.clone(),
            phone: Some(office.fields.phone.clone()).filter(|p| !p.is_empty()),
            fax: Some(office.fields.fax.clone()).filter(|p| !p.is_empty()),
            email: Some(office.fields.email.clone()).filter(|p| !p.is_empty()),
            ..Contact::default()
        },
        copies_to: Vec::new(),
        circular: false,
    };
    // Names never broken across lines: the original's, and the agencies'.
    let mut names = original.names.clone();
    for n in [&from, &received.issuer.name, &speaker.name] {
        if !names.contains(n) {
            names.push(n.clone());
        }
    }
    Ok(Document {
        digits,
        emblem: None,
        names,
        main: Part::Letter(Box::new(letter)),
        annexes: Vec::new(),
    })
}

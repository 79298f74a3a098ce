//! The cover letter an office sends when it forwards a letter down the
//! chain, in the shape of seed 003: the received letter cited under
//! `อ้างถึง` (issuer, urgency, number, date), its enclosures carried over, a
//! body that says who asked for what and by when, addressed to the next
//! level. The clerk may edit the draft before it is numbered and sent.

use chrono::NaiveDate;

use super::StoreError;
use super::offices::{Office, OfficeKind};
use crate::model::{Contact, Document, Enclosure, Issuer, Letter, Part, Reference, Signer};
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

/// The short name an office calls itself by in a body: `จังหวัดพิษณุโลก`,
/// `อำเภอเนินมะปราง`.
fn self_name(office: &Office) -> String {
    match office.fields.kind {
        OfficeKind::ProvincialOffice if !office.fields.province.is_empty() => {
            format!("จังหวัด{}", office.fields.province)
        }
        _ => office.fields.name.clone(),
    }
}

/// The issuer block: a provincial office writes from its provincial hall
/// (`ศาลากลางจังหวัดพิษณุโลก` over `ถนนวังจันทร์ พล ๖๕๐๐๐`, as in seed 003).
fn issuer_of(office: &Office) -> Issuer {
    let address = office.fields.address.trim();
    let hall = format!("ศาลากลางจังหวัด{}", office.fields.province);
    if office.fields.kind == OfficeKind::ProvincialOffice
        && !office.fields.province.is_empty()
        && let Some(rest) = address.strip_prefix(&hall)
    {
        return Issuer {
            name: hall,
            address: vec![rest.trim().to_string()],
        };
    }
    Issuer {
        name: office.fields.name.clone(),
        address: (!address.is_empty())
            .then(|| address.to_string())
            .into_iter()
            .collect(),
    }
}

/// Who signs for the forwarding office (the name is left for the clerk).
fn signer_for(office: &Office) -> Signer {
    let position = match office.fields.kind {
        OfficeKind::ProvincialOffice => vec![
            "ท้องถิ่นจังหวัด ปฏิบัติราชการแทน".to_string(),
            format!("ผู้ว่าราชการจังหวัด{}", office.fields.province),
        ],
        OfficeKind::DistrictOffice => vec![head_of(office)],
        _ => vec![format!("หัวหน้า{}", office.fields.name)],
    };
    Signer {
        name: "........................................".into(),
        position,
    }
}

/// Drafts the cover letter for forwarding `original` from `office` to `to`.
pub fn cover_letter(
    original: &Document,
    office: &Office,
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
    let from = &received.issuer.name;
    let digits = office.fields.digits;
    let by = deadline
        .map(|d| format!(" ภายในวันที่ {}", format_date(d, DateStyle::Long, digits)))
        .unwrap_or_default();
    let onward = match to.first().map(|o| o.fields.kind) {
        Some(OfficeKind::DistrictOffice) => " และแจ้งองค์กรปกครองส่วนท้องถิ่นในพื้นที่ทราบและดำเนินการด้วย",
        _ => "",
    };
    let mut enclosures: Vec<Enclosure> = received.enclosures.clone();
    if enclosures.is_empty() {
        enclosures.push(Enclosure {
            text: format!("สำเนาหนังสือ{from}"),
            quantity: Some("จำนวน ๑ ฉบับ".into()),
        });
    }
    let body = vec![
        format!(
            "ด้วย{from}แจ้งว่า {} รายละเอียดปรากฏตามสิ่งที่ส่งมาด้วย",
            received.subject
        ),
        format!(
            "{}จึงขอให้ดำเนินการในส่วนที่เกี่ยวข้อง{onward}{by}",
            self_name(office)
        ),
        "จึงเรียนมาเพื่อทราบและดำเนินการต่อไป".into(),
    ];
    let letter = Letter {
        urgency: received.urgency,
        secrecy: received.secrecy,
        number: None,
        office_code: None,
        issuer: issuer_of(office),
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
        signer: signer_for(office),
        contact: Contact {
            owner_unit: vec![office.fields.name.clone()],
            phone: Some(office.fields.phone.clone()).filter(|p| !p.is_empty()),
            fax: Some(office.fields.fax.clone()).filter(|p| !p.is_empty()),
            email: Some(office.fields.email.clone()).filter(|p| !p.is_empty()),
            ..Contact::default()
        },
        copies_to: Vec::new(),
    };
    Ok(Document {
        digits,
        emblem: None,
        names: Vec::new(),
        main: Part::Letter(Box::new(letter)),
        annexes: Vec::new(),
    })
}

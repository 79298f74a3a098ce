//! The compose form: the fields a clerk fills for a letter or memo, turned
//! into the typed `Document` the renderer and the store take, and back.
//! Dates are entered in B.E. (`21/5/2567`, `๒๑ พ.ค. ๖๗`) or ISO C.E.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::compose_forms::AnnexForm;
use super::error::ApiError;
use crate::app::{Agency, Office};
use crate::model::{
    Announcement, Contact, Document, Enclosure, Letter, Memo, Order, Part, Reference, Sealed,
    Secrecy, Signer, Urgency, Validate,
};
use crate::thai::Digits;

/// A date as a user types it: Thai text or d/m/yyyy in B.E., or ISO
/// `yyyy-mm-dd` in C.E. (a year above 2400 is read as B.E.).
/// A date typed into a form: read as everywhere else (`app::input::date`).
pub fn parse_any_date(field: &str, text: &str) -> Result<NaiveDate, ApiError> {
    Ok(crate::app::input::date(field, text)?)
}

/// The compose form's fields, as posted.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LetterForm {
    pub csrf: String,
    /// `letter` or `memo`.
    pub kind: String,
    pub date: String,
    pub subject: String,
    pub to: String,
    pub body: String,
    pub urgency: String,
    pub secrecy: String,
    pub enclosures: String,
    pub signer_name: String,
    pub signer_position: String,
    /// Usernames who may read a secret letter, comma-separated.
    pub readers: String,
    /// The stored draft being edited, so that the live preview keeps what
    /// the form does not show (as saving does).
    pub doc_id: Option<i64>,
    /// `on` for a circular (หนังสือเวียน): numbered in the ว series.
    pub circular: String,
    /// อ้างถึง typed: the letter's number and date.
    pub ref_number: String,
    pub ref_date: String,
    /// อ้างถึง picked from the registers: `number|ISO date|issuer`.
    pub ref_pick: String,
    /// An editing button (`add`, `up.1`, `addday.0` …): the page comes back
    /// changed instead of saving.
    pub op: String,
    /// The kind of annex `add` adds.
    pub new_annex: String,
    /// `1` when the annexes' fields were posted (the compose page), so an
    /// edit replaces the stored annexes; absent, they are kept.
    pub annex_form: String,
    /// The name to save the form under as an office template.
    pub template_name: String,
    /// The annexes, parsed from the `a{i}.…` fields (see `compose_forms`);
    /// printed back into the page.
    #[serde(skip_deserializing)]
    pub annexes: Vec<AnnexForm>,
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// Paragraphs: separated by blank lines; lines inside one are joined.
fn paragraphs(text: &str) -> Vec<String> {
    text.replace("\r\n", "\n")
        .split("\n\n")
        .map(|p| lines(p).join(" "))
        .filter(|p| !p.is_empty())
        .collect()
}

fn choice<T: for<'de> Deserialize<'de>>(field: &str, text: &str) -> Result<Option<T>, ApiError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    serde_json::from_value(serde_json::Value::String(text.trim().to_string()))
        .map(Some)
        .map_err(|_| ApiError::invalid(field, "ค่าที่เลือกไม่ถูกต้อง", "not one of the choices"))
}

impl LetterForm {
    /// อ้างถึง: the letter picked from the registers, then the one typed
    /// (number and date), each printed `หนังสือ… ที่ … ลงวันที่ …`.
    fn references(&self) -> Result<Vec<Reference>, ApiError> {
        let mut out = Vec::new();
        let pick = self.ref_pick.trim();
        if !pick.is_empty() {
            let mut parts = pick.split('|');
            let number = parts.next().unwrap_or_default().trim().to_string();
            let date = parts
                .next()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(|d| parse_any_date("ref_pick", d))
                .transpose()?;
            let issuer = parts
                .next()
                .map(str::trim)
                .filter(|i| !i.is_empty())
                .map(str::to_string);
            out.push(Reference {
                issuer,
                urgency: None,
                number: Some(number),
                date,
                text: None,
            });
        }
        let number = self.ref_number.trim();
        if !number.is_empty() {
            let date = if self.ref_date.trim().is_empty() {
                None
            } else {
                Some(parse_any_date("ref_date", &self.ref_date)?)
            };
            if let Err(e) = crate::docnum::DocNumber::parse(number) {
                let mut err = ApiError::invalid(
                    "ref_number",
                    format!("เลขที่หนังสือที่อ้างถึงไม่ถูกต้อง: {e}"),
                    "not a letter number",
                );
                err.field = Some("ref_number".into());
                return Err(err);
            }
            out.push(Reference {
                issuer: None,
                urgency: None,
                number: Some(number.to_string()),
                date,
                text: None,
            });
        } else if !self.ref_date.trim().is_empty() {
            let mut err = ApiError::invalid(
                "ref_number",
                "ใส่เลขที่หนังสือที่อ้างถึงคู่กับวันที่",
                "a cited letter needs its number with the date",
            );
            err.field = Some("ref_number".into());
            return Err(err);
        }
        Ok(out)
    }

    /// The document these fields describe, for `office`, checked.
    pub fn to_document(
        &self,
        office: &Office,
        agency: &Agency,
        today: NaiveDate,
    ) -> Result<Document, ApiError> {
        let date = if self.date.trim().is_empty() {
            today
        } else {
            parse_any_date("date", &self.date)?
        };
        let urgency: Option<Urgency> = choice("urgency", &self.urgency)?;
        let secrecy: Option<Secrecy> = choice("secrecy", &self.secrecy)?;
        let signer = Signer {
            name: self.signer_name.trim().to_string(),
            position: lines(&self.signer_position),
        };
        let f = &office.fields;
        let main = match self.kind.as_str() {
            "memo" => Part::Memo(Memo {
                urgency,
                secrecy,
                unit: if f.phone.is_empty() {
                    f.name.clone()
                } else {
                    format!("{} โทร. {}", f.name, f.phone)
                },
                number: None,
                office_code: office.code(),
                date,
                subject: self.subject.trim().to_string(),
                to: self.to.trim().to_string(),
                salutation: None,
                body: paragraphs(&self.body),
                signer,
            }),
            "letter" | "" => Part::Letter(Box::new(Letter {
                urgency,
                secrecy,
                number: None,
                office_code: office.code(),
                // An external letter speaks for the ส่วนราชการ; the division
                // or group is the owner unit at the foot.
                issuer: agency.letterhead.clone(),
                date,
                subject: self.subject.trim().to_string(),
                to: self.to.trim().to_string(),
                salutation: None,
                references: self.references()?,
                enclosures: lines(&self.enclosures)
                    .into_iter()
                    .map(|text| Enclosure {
                        text,
                        quantity: None,
                    })
                    .collect(),
                body: paragraphs(&self.body),
                closing: None,
                signer,
                contact: Contact {
                    owner_unit: agency.units.clone(),
                    phone: Some(f.phone.clone()).filter(|p| !p.is_empty()),
                    fax: Some(f.fax.clone()).filter(|p| !p.is_empty()),
                    email: Some(f.email.clone()).filter(|p| !p.is_empty()),
                    ..Contact::default()
                },
                copies_to: Vec::new(),
                circular: self.circular == "on",
            })),
            "order" => Part::Order(Order {
                secrecy,
                issuer: agency.name.clone(),
                number: None,
                subject: self.subject.trim().to_string(),
                body: paragraphs(&self.body),
                date,
                signer,
            }),
            "sealed" => Part::Sealed(Sealed {
                urgency,
                number: None,
                office_code: office.code(),
                issuer: agency.name.clone(),
                date,
                subject: self.subject.trim().to_string(),
                to: self.to.trim().to_string(),
                body: paragraphs(&self.body),
                signer,
                contact: Contact {
                    owner_unit: agency.units.clone(),
                    phone: Some(f.phone.clone()).filter(|p| !p.is_empty()),
                    fax: Some(f.fax.clone()).filter(|p| !p.is_empty()),
                    ..Contact::default()
                },
            }),
            "announcement" => Part::Announcement(Announcement {
                issuer: agency.name.clone(),
                number: None,
                subject: self.subject.trim().to_string(),
                body: paragraphs(&self.body),
                date,
                signer,
            }),
            _ => {
                return Err(ApiError::invalid(
                    "kind",
                    "ชนิดหนังสือไม่ถูกต้อง",
                    "not a kind this form drafts",
                ));
            }
        };
        let mut annexes = Vec::with_capacity(self.annexes.len());
        for (i, a) in self.annexes.iter().enumerate() {
            annexes.push(a.to_part(i)?);
        }
        let doc = Document {
            digits: f.digits,
            emblem: None,
            names: Vec::new(),
            main,
            annexes,
        };
        doc.validate().map_err(|errors| {
            let e = &errors[0];
            let field = e.field.rsplit('.').next().unwrap_or(&e.field).to_string();
            let mut out = ApiError::invalid(&field, e.message_th.clone(), e.message_en.clone());
            out.field = Some(field);
            out
        })?;
        Ok(doc)
    }

    /// The fields of a stored letter or memo, for editing; `None` for
    /// other kinds (and for a letter's parts this form does not show).
    pub fn from_document(doc: &Document) -> Option<LetterForm> {
        let key = |v: serde_json::Value| v.as_str().map(str::to_string).unwrap_or_default();
        // A memo has the fields of a letter but no enclosures; orders and
        // announcements have neither addressee nor urgency.
        let none = String::new();
        let (kind, date, subject, to, body, urgency, secrecy, signer, enclosures) = match &doc.main
        {
            Part::Order(x) => (
                "order",
                x.date,
                &x.subject,
                &none,
                &x.body,
                None,
                x.secrecy,
                &x.signer,
                String::new(),
            ),
            Part::Sealed(x) => (
                "sealed",
                x.date,
                &x.subject,
                &x.to,
                &x.body,
                x.urgency,
                None,
                &x.signer,
                String::new(),
            ),
            Part::Announcement(x) => (
                "announcement",
                x.date,
                &x.subject,
                &none,
                &x.body,
                None,
                None,
                &x.signer,
                String::new(),
            ),
            Part::Letter(x) => (
                "letter",
                x.date,
                &x.subject,
                &x.to,
                &x.body,
                x.urgency,
                x.secrecy,
                &x.signer,
                x.enclosures
                    .iter()
                    .map(|e| e.text.clone())
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            Part::Memo(x) => (
                "memo",
                x.date,
                &x.subject,
                &x.to,
                &x.body,
                x.urgency,
                x.secrecy,
                &x.signer,
                String::new(),
            ),
            _ => return None,
        };
        // Annexes the form does not edit are kept by `merge_into`.
        let annexes = doc
            .annexes
            .iter()
            .filter_map(|part| AnnexForm::from_part(part, doc.digits))
            .collect();
        let (circular, cited) = match &doc.main {
            Part::Letter(l) => (l.circular, l.references.iter().find(|r| r.number.is_some())),
            _ => (false, None),
        };
        Some(LetterForm {
            circular: if circular { "on".into() } else { String::new() },
            ref_number: cited.and_then(|r| r.number.clone()).unwrap_or_default(),
            ref_date: cited
                .and_then(|r| r.date)
                .map(|d| crate::thai::format_date(d, crate::thai::DateStyle::Long, Digits::Thai))
                .unwrap_or_default(),
            annexes,
            kind: kind.into(),
            date: crate::thai::format_date(date, crate::thai::DateStyle::Long, Digits::Thai),
            subject: subject.clone(),
            to: to.clone(),
            body: body.join("\n\n"),
            urgency: urgency
                .map(|u| key(serde_json::json!(u)))
                .unwrap_or_default(),
            secrecy: secrecy
                .map(|s| key(serde_json::json!(s)))
                .unwrap_or_default(),
            enclosures,
            signer_name: signer.name.clone(),
            signer_position: signer.position.join("\n"),
            ..LetterForm::default()
        })
    }

    /// When editing a stored letter, keep what the form does not show
    /// (references, annexes, contact lines) from the stored version.
    pub fn merge_into(
        &self,
        stored: &Document,
        office: &Office,
        agency: &Agency,
        today: NaiveDate,
    ) -> Result<Document, ApiError> {
        let mut fresh = self.to_document(office, agency, today)?;
        if self.annex_form != "1" {
            fresh.annexes = stored.annexes.clone();
        } else {
            fresh.annexes.extend(
                stored
                    .annexes
                    .iter()
                    .filter(|p| AnnexForm::from_part(p, stored.digits).is_none())
                    .cloned(),
            );
        }
        fresh.names = stored.names.clone();
        fresh.emblem = stored.emblem.clone();
        if let (Part::Letter(new), Part::Letter(old)) = (&mut fresh.main, &stored.main) {
            // The form shows the first numbered reference; the others
            // (free text, a second letter) are kept after it.
            let shown = old.references.iter().position(|r| r.number.is_some());
            new.references.extend(
                old.references
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| Some(*i) != shown)
                    .map(|(_, r)| r.clone()),
            );
            new.issuer = old.issuer.clone();
            new.contact = old.contact.clone();
            new.copies_to = old.copies_to.clone();
            new.number = old.number.clone();
            new.office_code = old.office_code.clone().or(new.office_code.take());
            // Enclosures keep their quantities when their text is unchanged.
            for e in &mut new.enclosures {
                if let Some(o) = old.enclosures.iter().find(|o| o.text == e.text) {
                    e.quantity = o.quantity.clone();
                }
            }
        }
        if let (Part::Sealed(new), Part::Sealed(old)) = (&mut fresh.main, &stored.main) {
            new.number = old.number.clone();
            new.contact = old.contact.clone();
        }
        if let (Part::Memo(new), Part::Memo(old)) = (&mut fresh.main, &stored.main) {
            new.unit = old.unit.clone();
            new.number = old.number.clone();
        }
        Ok(fresh)
    }
}

//! Letters from outside: a clerk uploads files (PDF, scan, photo, e-mail),
//! saraban reads and pre-fills the receive form with a confidence per
//! field and flags a letter the office registered before; what the clerk
//! confirms is registered in the receive register (เลขรับ), all files of a
//! submit in one transaction. The file is kept as it came; the stamped
//! copy (ตรารับหนังสือ at the top right of page 1) is made from it and the
//! register entry whenever it is asked for.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::documents::{Download, Upload};
use super::error::{AppError, AppResult, Kind};
use super::{Action, App, Caller, input};
use crate::docnum::DocNumber;
use crate::intake::{self, FileKind, IntakeError};
use crate::model::{Secrecy, Urgency};
use crate::parse::{CitedNumber, Deadline, NumberFields, ParsedLetter, Reference, ReferenceSource};
use crate::render::stamp::{Original, Stamp};
use crate::store::intake as store;
use crate::thai::{DateStyle, format_date, format_time, to_thai_digits};

pub use crate::intake::{Confidence, FieldConfidence, Prefill, TextSource};
pub use crate::store::intake::Duplicate;

/// At most this many files in one upload, and this many bytes each.
pub const MAX_FILES: usize = 20;
pub const MAX_FILE_BYTES: usize = 25 * 1024 * 1024;

/// One uploaded file, read and pre-filled, waiting for the clerk.
#[derive(Debug, Clone, Serialize)]
pub struct IntakeUpload {
    /// What the clerk's confirmation refers to.
    pub upload: i64,
    pub name: String,
    pub media_type: String,
    pub size: usize,
    pub sha256: String,
    pub prefill: Prefill,
    /// A letter of the office's that this one repeats, if any: registering
    /// it needs `confirm_duplicate`.
    pub duplicate: Option<Duplicate>,
}

/// A cited letter as the clerk confirmed it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ReferenceInput {
    pub number: String,
    #[serde(default)]
    pub date: Option<String>,
}

/// The fields the clerk confirmed for one upload.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IntakeConfirm {
    pub upload: i64,
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub sender: Option<String>,
    #[serde(default)]
    pub addressee: Option<String>,
    #[serde(default)]
    pub subject: Option<String>,
    /// `urgent`, `very_urgent`, `most_urgent` (or ด่วน, ด่วนมาก, ด่วนที่สุด).
    #[serde(default)]
    pub urgency: Option<String>,
    /// `confidential`, `secret` (or ลับ, ลับมาก); ลับที่สุด is refused.
    #[serde(default)]
    pub secrecy: Option<String>,
    #[serde(default)]
    pub references: Vec<ReferenceInput>,
    #[serde(default)]
    pub deadline: Option<String>,
    /// Register even though the office registered this letter before.
    #[serde(default)]
    pub confirm_duplicate: bool,
}

/// A letter registered from outside.
#[derive(Debug, Clone, Serialize)]
pub struct ReceivedLetter {
    pub id: i64,
    /// เลขรับ: the receive register's running number, as printed.
    pub receive_number: String,
    pub receive_seq: i64,
    pub receive_year: i32,
    /// วันที่ and เวลา received, as printed (B.E., office digits).
    pub received_date: String,
    pub received_time: String,
    pub name: String,
    pub media_type: String,
    pub sha256: String,
    /// The letter in the reference graph.
    pub letter_id: i64,
    pub letter: ParsedLetter,
}

fn intake_error(e: IntakeError) -> AppError {
    let code = match e {
        IntakeError::NoTesseract => "ocr_unavailable",
        IntakeError::Unsupported => "unsupported_media_type",
        _ => "unreadable",
    };
    let text = e.to_string();
    // The messages are "Thai (English)".
    let (th, en) = match text.rfind(" (") {
        Some(at) if text.ends_with(')') => (
            text[..at].to_string(),
            text[at + 2..text.len() - 1].to_string(),
        ),
        _ => (text.clone(), text),
    };
    AppError::new(Kind::Invalid, code, th, en).on("file")
}

fn urgency(text: &str) -> AppResult<Urgency> {
    Ok(match text.trim() {
        "urgent" | "ด่วน" => Urgency::Urgent,
        "very_urgent" | "ด่วนมาก" => Urgency::VeryUrgent,
        "most_urgent" | "ด่วนที่สุด" => Urgency::MostUrgent,
        _ => {
            return Err(AppError::invalid(
                "urgency",
                "ชั้นความเร็วต้องเป็น ด่วน ด่วนมาก หรือ ด่วนที่สุด",
                "urgency must be urgent, very_urgent or most_urgent",
            ));
        }
    })
}

fn secrecy(text: &str) -> AppResult<Secrecy> {
    Ok(match text.trim() {
        "confidential" | "ลับ" => Secrecy::Confidential,
        "secret" | "ลับมาก" => Secrecy::Secret,
        "top_secret" | "ลับที่สุด" => {
            return Err(AppError::top_secret().on("secrecy"));
        }
        _ => {
            return Err(AppError::invalid(
                "secrecy",
                "ชั้นความลับต้องเป็น ลับ หรือ ลับมาก",
                "secrecy must be confidential or secret",
            ));
        }
    })
}

fn number(field: &str, text: &str) -> AppResult<DocNumber> {
    DocNumber::parse(text).map_err(|e| {
        AppError::invalid(
            field,
            format!("อ่านเลขที่หนังสือไม่ได้: {e}"),
            format!("cannot read the letter number: {e}"),
        )
    })
}

/// A letter nothing was read from (the clerk types every field).
fn blank() -> ParsedLetter {
    ParsedLetter {
        doc_type: crate::parse::DocType::Other,
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
        closing: None,
        signer: None,
        owner_unit: None,
        contact: crate::parse::Contact::default(),
        deadlines: Vec::new(),
        events: Vec::new(),
        urls: Vec::new(),
        annexes: Vec::new(),
        route: Vec::new(),
        warnings: Vec::new(),
    }
}

/// The letter as the clerk confirmed it, over what was read.
fn confirmed(read: Option<ParsedLetter>, c: &IntakeConfirm) -> AppResult<ParsedLetter> {
    fn text(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
    let mut l = read.unwrap_or_else(blank);
    l.number = match text(&c.number) {
        Some(t) => {
            let n = number("number", t)?;
            Some(NumberFields {
                printed: t.to_string(),
                agency: n.agency.clone(),
                unit: n.unit.clone(),
                circular: n.circular,
                seq: n.seq,
                year_be: n.year_be,
            })
        }
        None => None,
    };
    l.date = input::optional_date("date", text(&c.date))?;
    l.issuer = text(&c.sender).map(str::to_string);
    l.to = text(&c.addressee).map(str::to_string);
    l.subject = text(&c.subject).map(str::to_string);
    l.urgency = text(&c.urgency).map(urgency).transpose()?;
    l.secrecy = text(&c.secrecy).map(secrecy).transpose()?;
    let mut refs = Vec::new();
    for (i, r) in c.references.iter().enumerate() {
        let t = r.number.trim();
        if t.is_empty() {
            continue;
        }
        let field = format!("references[{i}]");
        let n = number(&field, t)?;
        let kept = l
            .references
            .iter()
            .find(|old| old.number.number().key() == n.key());
        refs.push(Reference {
            number: CitedNumber {
                printed: t.to_string(),
                agency: n.agency.clone(),
                unit: n.unit.clone(),
                circular: n.circular,
                seq: n.seq,
                year_be: n.year_be,
            },
            date: input::optional_date(
                &field,
                r.date.as_deref().map(str::trim).filter(|s| !s.is_empty()),
            )?,
            issuer: kept.and_then(|k| k.issuer.clone()),
            urgency: kept.and_then(|k| k.urgency),
            source: kept.map_or(ReferenceSource::ReferenceLine, |k| k.source),
        });
    }
    l.references = refs;
    l.deadlines = match input::optional_date("deadline", text(&c.deadline))? {
        Some(date) => {
            let what = l
                .deadlines
                .iter()
                .find(|d| d.date == date)
                .map_or_else(|| "ตามหนังสือ".to_string(), |d| d.what.clone());
            vec![Deadline { date, what }]
        }
        None => Vec::new(),
    };
    Ok(l)
}

impl App {
    /// Reads uploaded files and pre-fills the receive form for each; the
    /// files wait (a day at most) for the clerk's confirmation.
    pub async fn intake_prefill(
        &self,
        c: &Caller,
        files: &[Upload<'_>],
    ) -> AppResult<Vec<IntakeUpload>> {
        c.may(Action::HandleInbox)?;
        if files.is_empty() || files.len() > MAX_FILES {
            return Err(AppError::invalid(
                "file",
                format!(
                    "เลือกไฟล์ ๑ ถึง {} ไฟล์",
                    to_thai_digits(&MAX_FILES.to_string())
                ),
                format!("choose 1 to {MAX_FILES} files"),
            ));
        }
        let mut read = Vec::with_capacity(files.len());
        for f in files {
            if f.bytes.len() > MAX_FILE_BYTES {
                return Err(AppError::invalid(
                    "file",
                    format!("ไฟล์ {} ใหญ่เกิน ๒๕ MB", f.name),
                    format!("{} is larger than 25 MB", f.name),
                ));
            }
            let name = f.name.trim().to_string();
            let bytes = f.bytes.to_vec();
            // OCR runs programs for seconds: off the async threads.
            let (kind, prefill) = tokio::task::spawn_blocking(move || {
                let kind = FileKind::of(&name, &bytes)?;
                let x = intake::extract(&name, &bytes)?;
                Ok::<_, IntakeError>((kind, intake::prefill(&x)))
            })
            .await
            .map_err(|e| AppError::internal("อ่านไฟล์ไม่สำเร็จ", e.to_string()))?
            .map_err(intake_error)?;
            read.push((kind, prefill));
        }
        let prefills: Vec<String> = read
            .iter()
            .map(|(_, p)| serde_json::to_string(p).expect("pre-fills serialise"))
            .collect();
        let new: Vec<store::NewUpload> = files
            .iter()
            .zip(&read)
            .zip(&prefills)
            .map(|((f, (kind, _)), p)| store::NewUpload {
                name: f.name.trim(),
                media_type: kind.media_type(),
                bytes: f.bytes,
                prefill: p.clone(),
            })
            .collect();
        let ids = store::add_uploads(
            self.store(),
            &c.actor(),
            c.now,
            c.office.id,
            c.user_ref().map(|u| u.id),
            &new,
        )
        .await?;
        let mut out = Vec::with_capacity(files.len());
        for ((f, (kind, prefill)), (id, sha)) in files.iter().zip(read).zip(ids) {
            let duplicate = self.duplicate_of(c, &sha, prefill.letter.as_ref()).await?;
            out.push(IntakeUpload {
                upload: id,
                name: f.name.trim().to_string(),
                media_type: kind.media_type().to_string(),
                size: f.bytes.len(),
                sha256: sha,
                prefill,
                duplicate,
            });
        }
        Ok(out)
    }

    async fn duplicate_of(
        &self,
        c: &Caller,
        sha: &str,
        letter: Option<&ParsedLetter>,
    ) -> AppResult<Option<Duplicate>> {
        let key = letter
            .and_then(|l| l.number.as_ref())
            .map(|n| n.number().key());
        let date = letter.and_then(|l| l.date);
        let issuer = letter.and_then(|l| l.issuer.clone()).unwrap_or_default();
        Ok(store::find_duplicate(
            self.store(),
            c.office.id,
            sha,
            key.as_deref(),
            date,
            &issuer,
        )
        .await?)
    }

    /// Registers the confirmed letters in the office's receive register,
    /// all or none. A letter the office registered before is refused
    /// (`duplicate`) unless its confirmation says `confirm_duplicate`.
    pub async fn intake_register(
        &self,
        c: &Caller,
        items: &[IntakeConfirm],
    ) -> AppResult<Vec<ReceivedLetter>> {
        c.may(Action::HandleInbox)?;
        if items.is_empty() || items.len() > MAX_FILES {
            return Err(AppError::invalid(
                "letters",
                format!(
                    "ลงรับได้ครั้งละ ๑ ถึง {} ฉบับ",
                    to_thai_digits(&MAX_FILES.to_string())
                ),
                format!("register 1 to {MAX_FILES} letters at once"),
            ));
        }
        let mut uploads = Vec::with_capacity(items.len());
        let mut letters = Vec::with_capacity(items.len());
        for item in items {
            if uploads.iter().any(|u: &store::Upload| u.id == item.upload) {
                return Err(AppError::invalid(
                    "upload",
                    "ส่งไฟล์เดียวกันซ้ำ",
                    "the same upload twice",
                ));
            }
            // Another office's upload is not found, like a missing one.
            let upload = store::upload(self.store(), c.office.id, item.upload)
                .await?
                .ok_or_else(|| AppError::not_found().on("upload"))?;
            let read: Option<ParsedLetter> =
                serde_json::from_str::<serde_json::Value>(&upload.prefill)
                    .ok()
                    .and_then(|v| serde_json::from_value(v.get("letter").cloned()?).ok());
            let letter = confirmed(read, item)?;
            if !item.confirm_duplicate
                && let Some(d) = self.duplicate_of(c, &upload.sha256, Some(&letter)).await?
            {
                return Err(AppError::new(
                    Kind::Conflict,
                    "duplicate",
                    format!(
                        "หนังสือนี้ลงรับไว้แล้ว (เลขรับ {}/{}) หากต้องการลงรับซ้ำ โปรดยืนยัน",
                        to_thai_digits(&d.receive_seq.to_string()),
                        to_thai_digits(&d.receive_year.to_string())
                    ),
                    format!(
                        "this letter was registered before (receive number {}/{}); confirm to register it again",
                        d.receive_seq, d.receive_year
                    ),
                )
                .on("confirm_duplicate"));
            }
            uploads.push(upload);
            letters.push(letter);
        }
        let regs: Vec<store::Registration> = uploads
            .iter()
            .zip(&letters)
            .map(|(upload, letter)| store::Registration {
                upload,
                letter,
                addressee: letter.to.as_deref().unwrap_or(""),
            })
            .collect();
        let done = store::register(
            self.store(),
            &c.actor(),
            c.now,
            &c.office,
            c.user_ref().map(|u| u.id),
            &regs,
        )
        .await?;
        // Letters that came by e-mail: their messages are registered now.
        let pairs: Vec<(i64, i64)> = uploads
            .iter()
            .map(|u| u.id)
            .zip(done.iter().map(|r| r.id))
            .collect();
        self.mail_registered(c, &pairs).await;
        Ok(done.into_iter().map(|r| self.received_view(c, r)).collect())
    }

    fn received_view(&self, c: &Caller, r: store::Received) -> ReceivedLetter {
        let digits = c.office.fields.digits;
        let at = chrono::DateTime::parse_from_rfc3339(&r.receive.recorded_at)
            .map(|t| t.with_timezone(&crate::store::bangkok()))
            .ok();
        let date = at.map(|t| t.date_naive()).unwrap_or_else(|| c.today());
        ReceivedLetter {
            id: r.id,
            receive_number: digits.apply(&r.receive.seq.to_string()),
            receive_seq: r.receive.seq,
            receive_year: r.receive.year_be,
            received_date: format_date(date, DateStyle::Long, digits),
            received_time: at
                .map(|t| format_time(t.time(), digits))
                .unwrap_or_default(),
            name: r.source_name,
            media_type: r.media_type,
            sha256: r.sha256,
            letter_id: r.letter_id,
            letter: r.letter,
        }
    }

    async fn received_row(&self, c: &Caller, id: i64) -> AppResult<(store::Received, Vec<u8>)> {
        c.may(Action::Read)?;
        let (r, bytes) = store::get(self.store(), c.office.id, id)
            .await?
            .ok_or_else(AppError::not_found)?;
        // A secret letter: only the clerk who registered it (the
        // operator holds the data itself).
        let secret = matches!(
            r.letter.secrecy,
            Some(Secrecy::Confidential | Secrecy::Secret)
        );
        if secret
            && let Some(u) = c.user_ref()
            && r.registered_by != Some(u.id)
        {
            return Err(AppError::not_a_reader());
        }
        Ok((r, bytes))
    }

    /// A letter the office registered from outside.
    pub async fn letter_from_outside(&self, c: &Caller, id: i64) -> AppResult<ReceivedLetter> {
        let (r, _) = self.received_row(c, id).await?;
        Ok(self.received_view(c, r))
    }

    /// The file as it came.
    pub async fn received_original(&self, c: &Caller, id: i64) -> AppResult<Download> {
        let (r, bytes) = self.received_row(c, id).await?;
        Ok(Download {
            name: r.source_name,
            media_type: r.media_type,
            bytes,
        })
    }

    /// The stamped copy: the letter with the receive stamp at the top
    /// right of its first page, as PDF.
    pub async fn received_stamped(&self, c: &Caller, id: i64) -> AppResult<Download> {
        let (r, bytes) = self.received_row(c, id).await?;
        let view = self.received_view(c, r.clone());
        // The letter itself: the file, or an e-mail's letter attachment.
        let (kind, letter_bytes) = tokio::task::spawn_blocking(move || {
            let kind = FileKind::of(&r.source_name, &bytes)?;
            match kind {
                FileKind::Email => {
                    let x = intake::extract(&r.source_name, &bytes)?;
                    let (_, k, b) = x.letter_file.ok_or(IntakeError::Unsupported)?;
                    Ok((k, b))
                }
                FileKind::Text => Err(IntakeError::Unsupported),
                k => Ok((k, bytes)),
            }
        })
        .await
        .map_err(|e| AppError::internal("อ่านไฟล์ไม่สำเร็จ", e.to_string()))?
        .map_err(|e| match e {
            IntakeError::Unsupported => AppError::invalid(
                "file",
                "ไฟล์ข้อความประทับตรารับไม่ได้ มีเฉพาะต้นฉบับ",
                "a text file cannot carry a stamp; only the original is kept",
            ),
            e => intake_error(e),
        })?;
        let stamp = Stamp {
            office: c.office.fields.name.clone(),
            number: format!(
                "{}/{}",
                view.receive_number,
                c.office.fields.digits.apply(&view.receive_year.to_string())
            ),
            date: view.received_date.clone(),
            time: view.received_time.clone(),
        };
        let pdf = self
            .stamp_letter(kind, letter_bytes, stamp, c.today())
            .await?;
        Ok(Download {
            name: format!("รับ-{}-{}.pdf", view.receive_year, view.receive_seq),
            media_type: "application/pdf".into(),
            bytes: pdf,
        })
    }

    /// `letter` (a PDF or a photo) with `stamp` at the top right of its
    /// first page, as PDF.
    pub(crate) async fn stamp_letter(
        &self,
        kind: FileKind,
        letter_bytes: Vec<u8>,
        stamp: Stamp,
        dated: NaiveDate,
    ) -> AppResult<Vec<u8>> {
        let sizes = if kind == FileKind::Pdf {
            let b = letter_bytes.clone();
            Some(
                tokio::task::spawn_blocking(move || intake::raster::pdf_page_sizes(&b))
                    .await
                    .map_err(|e| AppError::internal("อ่านไฟล์ไม่สำเร็จ", e.to_string()))?
                    .map_err(intake_error)?,
            )
        } else {
            None
        };
        self.rendering(move |renderer| {
            let original = match (kind, sizes) {
                (FileKind::Pdf, Some(s)) => Original::Pdf(&letter_bytes, s),
                (FileKind::Png, _) => Original::Image(&letter_bytes, "png"),
                _ => Original::Image(&letter_bytes, "jpg"),
            };
            Ok(renderer.render_stamped(&original, &stamp, dated)?)
        })
        .await
    }
}

//! Reply forms hosted by saraban, as actions: designing a letter's form
//! (its office's drafters, while it is a draft; never on a secret letter),
//! the public page behind each recipient office's token (`/r/{token}`: no
//! login, the answers checked here, stored on that office's delivery),
//! the issuing office's exports and reply files, and reminders (ทวงถาม)
//! to the offices that have not acted or not replied.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::documents::{Download, sniff};
use super::error::{AppError, AppResult, Kind};
use super::{Action, App, Caller, DocState, DocumentId, Stored, input};
use crate::model::reply_form::{Answer, Answers, Attendee, FieldKind, ReplyForm};
use crate::model::{Document, FieldError, Letter, Part, Reference};
use crate::store::replies::{self, NewFile, Target, export, reminders};
use crate::store::{Actor, offices, search};
use crate::thai::{DateStyle, format_date, to_arabic_digits};

pub use crate::store::replies::Reply;

/// Largest file one answer may carry.
pub const MAX_FILE: usize = 10 * 1024 * 1024;
/// Longest text answer.
const MAX_TEXT: usize = 2000;
/// Most attendee rows in one answer.
const MAX_ROWS: usize = 200;

/// What the public page shows: the letter's heading (never a secret
/// letter's), the office the link is bound to, the form and the answers
/// stored so far.
#[derive(Debug, Clone, Serialize)]
pub struct ReplyView {
    pub number: Option<String>,
    pub date: Option<NaiveDate>,
    pub subject: String,
    pub issuer: String,
    pub office: String,
    pub form: ReplyForm,
    pub answers: Answers,
    pub replied_at: Option<String>,
    pub revisions: i64,
    /// The last day answers are taken.
    pub closes: NaiveDate,
    /// Whether answers are still taken.
    pub open: bool,
}

/// Answers as a person typed them: text by field key, attendee rows by
/// field key, files by field key (name and bytes).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReplyInput {
    pub values: HashMap<String, String>,
    pub rows: HashMap<String, Vec<Attendee>>,
    #[serde(skip)]
    pub files: HashMap<String, (String, Vec<u8>)>,
}

/// What submitting gave: the stored reply, or the answers' mistakes.
#[derive(Debug, Clone)]
pub enum ReplyOutcome {
    Saved(Reply),
    Rejected(Vec<FieldError>),
}

/// Which offices a reminder goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Remind {
    /// Offices that have neither acted nor replied (sent or only received).
    #[default]
    NotActed,
    /// Offices whose reply has not arrived, whatever else they did.
    NotReplied,
}

/// A drafted reminder: the letter, the offices it is for, and which of
/// them have a mailbox (e-mail is not sent yet: the seam for it).
#[derive(Debug, Clone, Serialize)]
pub struct ReminderDraft {
    pub document: Stored,
    pub offices: Vec<String>,
    pub mailboxes: Vec<String>,
}

fn unknown_link() -> AppError {
    AppError::new(
        Kind::NotFound,
        "reply_unknown",
        "ไม่พบแบบตอบรับตามลิงก์นี้ โปรดตรวจสอบว่าลิงก์หรือ QR Code ครบถ้วน",
        "no reply form answers at this link; check that the link or QR code is complete",
    )
}

/// The answer after the last day, or on a cancelled or returned letter.
pub fn closed(th: impl Into<String>, en: impl Into<String>) -> AppError {
    AppError::new(Kind::Conflict, "reply_closed", th, en)
}

fn secret_form() -> AppError {
    AppError::new(
        Kind::Invalid,
        "secret_form",
        "หนังสือลับไม่ใช้แบบตอบรับออนไลน์ ให้ตอบเป็นหนังสือตามวิธีการของหนังสือลับ",
        "saraban hosts no reply forms for secret letters; answer by letter, by the secret-document procedure",
    )
    .on("secrecy")
}

fn looks_like_token(token: &str) -> bool {
    (16..=64).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_hexdigit())
}

impl App {
    /// A letter's reply form, for anyone who may see the letter.
    pub async fn reply_form(&self, c: &Caller, id: DocumentId) -> AppResult<Option<ReplyForm>> {
        c.may(Action::Read)?;
        self.document(c, id).await?;
        Ok(replies::form(self.store(), id.0).await?)
    }

    /// Sets the reply form of the caller's office's draft.
    pub async fn set_reply_form(
        &self,
        c: &Caller,
        id: DocumentId,
        form: &ReplyForm,
    ) -> AppResult<ReplyForm> {
        c.may(Action::Draft)?;
        let d = self.own_document(c, id).await?;
        if search::secrecy_of(&d.content).is_some() {
            return Err(secret_form());
        }
        Ok(replies::put_form(self.store(), &c.actor(), c.now, &c.office, id.0, form).await?)
    }

    /// What the link `token` is bound to, checked: a letter with a form,
    /// not secret.
    async fn reply_target(&self, token: &str) -> AppResult<Target> {
        if !looks_like_token(token) {
            return Err(unknown_link());
        }
        let t = replies::by_token(self.store(), token)
            .await?
            .ok_or_else(unknown_link)?;
        if search::secrecy_of(&t.document.content).is_some() {
            return Err(secret_form());
        }
        if t.form.is_none() {
            return Err(unknown_link());
        }
        Ok(t)
    }

    /// Refuses answers after the last day, or to a cancelled or returned letter.
    fn check_open(t: &Target, today: NaiveDate) -> AppResult<()> {
        if t.document.state == DocState::Cancelled {
            return Err(closed(
                "หนังสือฉบับนี้ถูกยกเลิกแล้ว จึงไม่รับคำตอบ",
                "this letter was cancelled; it takes no answers",
            ));
        }
        if t.delivery.state == super::DeliveryState::Returned {
            return Err(closed(
                "หน่วยงานของท่านส่งคืนหนังสือฉบับนี้แล้ว จึงไม่รับคำตอบ",
                "your office returned this letter; it takes no answers",
            ));
        }
        let closes = t.closes();
        if today > closes {
            return Err(closed(
                format!(
                    "หมดเวลาตอบแบบตอบรับแล้ว (รับคำตอบถึงวันที่ {}) โปรดติดต่อหน่วยงานเจ้าของหนังสือ",
                    format_date(closes, DateStyle::Long, crate::thai::Digits::Thai)
                ),
                format!(
                    "answers were taken until {closes}; contact the office that sent the letter"
                ),
            ));
        }
        Ok(())
    }

    /// The public page of `token` as of `now`: `open` says whether answers
    /// are still taken.
    pub async fn reply_page(&self, token: &str, now: DateTime<Utc>) -> AppResult<ReplyView> {
        let t = self.reply_target(token).await?;
        let open = Self::check_open(&t, crate::store::bangkok_date(now)).is_ok();
        let office = offices::get(self.store(), t.document.office_id).await?;
        Ok(ReplyView {
            number: t.document.number.as_deref().map(|n| {
                crate::docnum::DocNumber::parse(n)
                    .map_or(n.to_string(), |x| x.format(office.fields.digits))
            }),
            date: t.document.date,
            subject: t.document.subject.clone(),
            issuer: t.document.issuer.clone(),
            office: t.office.fields.name.clone(),
            closes: t.closes(),
            form: t.form.clone().expect("checked"),
            answers: t
                .reply
                .as_ref()
                .map(|r| r.answers.clone())
                .unwrap_or_default(),
            replied_at: t.reply.as_ref().map(|r| r.updated_at.clone()),
            revisions: t.reply.as_ref().map_or(0, |r| r.revisions),
            open,
        })
    }

    /// Stores (or amends) the answers sent through `token`, on its
    /// delivery, as `reply:OFFICE` in the audit chain.
    pub async fn submit_reply(
        &self,
        token: &str,
        input: ReplyInput,
        now: DateTime<Utc>,
    ) -> AppResult<ReplyOutcome> {
        let t = self.reply_target(token).await?;
        Self::check_open(&t, crate::store::bangkok_date(now))?;
        let form = t.form.clone().expect("checked");
        let previous = t
            .reply
            .as_ref()
            .map(|r| r.answers.clone())
            .unwrap_or_default();
        let (answers, files) = match check_answers(&form, input, &previous) {
            Ok(x) => x,
            Err(errors) => return Ok(ReplyOutcome::Rejected(errors)),
        };
        let actor = Actor(format!("reply:{}", t.office.label()));
        Ok(ReplyOutcome::Saved(
            replies::save(self.store(), &actor, now, &t, answers, files).await?,
        ))
    }

    /// The replies to the caller's office's letter, with its form.
    pub async fn replies(&self, c: &Caller, id: DocumentId) -> AppResult<(ReplyForm, Vec<Reply>)> {
        c.may(Action::Read)?;
        self.own_document(c, id).await?;
        let form = replies::form(self.store(), id.0).await?.ok_or_else(|| {
            AppError::new(
                Kind::NotFound,
                "no_reply_form",
                "หนังสือนี้ไม่มีแบบตอบรับ",
                "this letter has no reply form",
            )
        })?;
        Ok((form, replies::list(self.store(), id.0).await?))
    }

    /// The replies as CSV or XLSX, a row per reply or per attendee.
    pub async fn replies_export(
        &self,
        c: &Caller,
        id: DocumentId,
        xlsx: bool,
        per: Option<&str>,
    ) -> AppResult<Download> {
        let per_attendee = match input::optional(per).unwrap_or("reply") {
            "reply" => false,
            "attendee" => true,
            _ => {
                return Err(AppError::invalid(
                    "per",
                    "per ต้องเป็น reply (แถวละหน่วยงาน) หรือ attendee (แถวละผู้เข้าร่วม)",
                    "per must be reply or attendee",
                ));
            }
        };
        let (form, list) = self.replies(c, id).await?;
        let table = export::table(&form, &list, per_attendee);
        let name = format!(
            "replies-{}-{}",
            id.0,
            if per_attendee { "attendees" } else { "offices" }
        );
        Ok(if xlsx {
            Download {
                name: format!("{name}.xlsx"),
                media_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                    .into(),
                bytes: export::to_xlsx(&table)?,
            }
        } else {
            Download {
                name: format!("{name}.csv"),
                media_type: "text/csv; charset=utf-8".into(),
                bytes: export::to_csv(&table),
            }
        })
    }

    /// A file sent with a reply to the caller's office's letter, as a download.
    pub async fn reply_file(&self, c: &Caller, id: DocumentId, file: i64) -> AppResult<Download> {
        c.may(Action::Read)?;
        self.own_document(c, id).await?;
        let (name, media_type, bytes) = replies::file(self.store(), id.0, file)
            .await?
            .ok_or_else(AppError::not_found)?;
        Ok(Download {
            name,
            media_type,
            bytes,
        })
    }

    /// After dispatch: a letter with a reply form gets its personal
    /// letters, each with its office's QR to `{public URL}/r/{token}`.
    /// Dispatch stands if this fails (it can be run again: `personalise`).
    pub(crate) async fn personal_reply_letters(&self, c: &Caller, id: DocumentId) {
        match replies::form(self.store(), id.0).await {
            Ok(Some(_)) => {}
            Ok(None) => return,
            Err(e) => {
                tracing::error!(document = id.0, error = %e, "reply form not read");
                return;
            }
        }
        let url = format!(
            "{}/r/{}",
            self.public_url(),
            crate::store::personalise::TOKEN
        );
        if let Err(e) = self.personalise(c, id, &url, &|_, _| {}).await {
            tracing::error!(document = id.0, error = %e, "personal letters with reply links not made");
        }
    }

    /// Drafts a reminder (ทวงถาม) from the caller's office's sent letter
    /// to the offices that have not acted (or not replied), citing it
    /// under อ้างถึง, for the clerk to check, number and send.
    pub async fn draft_reminder(
        &self,
        c: &Caller,
        id: DocumentId,
        only: Remind,
    ) -> AppResult<ReminderDraft> {
        c.may(Action::Draft)?;
        let original = self.own_document(c, id).await?;
        let Part::Letter(letter) = &original.content.main else {
            return Err(AppError::invalid(
                "kind",
                "ทวงถามได้เฉพาะหนังสือภายนอกที่ส่งแล้ว",
                "only a sent external letter can be followed up",
            ));
        };
        let targets: Vec<_> = replies::deliveries_of(self.store(), id.0)
            .await?
            .into_iter()
            .filter(|(d, replied)| {
                d.state != super::DeliveryState::Returned
                    && match only {
                        Remind::NotActed => !d.state.acted(),
                        Remind::NotReplied => !replied,
                    }
            })
            .map(|(d, _)| d)
            .collect();
        let mut to = Vec::with_capacity(targets.len());
        for d in &targets {
            to.push(offices::get(self.store(), d.to_office).await?);
        }
        let draft = reminder_letter(&original, letter, &to, c.today(), only);
        let document = reminders::draft(
            self.store(),
            &c.actor(),
            c.now,
            &c.office,
            id.0,
            &targets,
            &draft,
        )
        .await?;
        Ok(ReminderDraft {
            document,
            mailboxes: to
                .iter()
                .filter(|o| o.fields.email.contains('@'))
                .map(|o| o.fields.email.clone())
                .collect(),
            offices: to.into_iter().map(|o| o.fields.name).collect(),
        })
    }

    /// The offices a reminder draft of the caller's office is for (empty
    /// for any other letter): what its dispatch form offers.
    pub async fn reminder_offices(&self, c: &Caller, id: DocumentId) -> AppResult<Vec<String>> {
        self.own_document(c, id).await?;
        let mut out = Vec::new();
        for office in reminders::offices_of(self.store(), id.0).await? {
            out.push(offices::get(self.store(), office).await?.label());
        }
        Ok(out)
    }
}

/// The reminder letter: from the same office and signer as the original,
/// citing it, asking the offices that have not answered to do so within
/// seven days.
fn reminder_letter(
    original: &Stored,
    letter: &Letter,
    to: &[crate::store::offices::Office],
    today: NaiveDate,
    only: Remind,
) -> Document {
    let digits = original.content.digits;
    let by = today + chrono::Days::new(7);
    let by = format_date(by, DateStyle::Long, digits);
    let issuer = &letter.issuer.name;
    let (asked, missing, wanted, subject) = match only {
        Remind::NotReplied => (
            "ตอบแบบตอบรับทางลิงก์หรือ QR Code ในหนังสือที่อ้างถึง",
            "แบบตอบรับ",
            "ตอบแบบตอบรับ",
            format!("ติดตามการตอบแบบตอบรับ เรื่อง {}", letter.subject),
        ),
        Remind::NotActed => (
            "ดำเนินการตามหนังสือที่อ้างถึง",
            "แจ้งผลการดำเนินการ",
            "ดำเนินการ",
            format!("ติดตามการดำเนินการ เรื่อง {}", letter.subject),
        ),
    };
    let body = vec![
        format!("ตามที่{issuer}ขอให้หน่วยงานของท่าน{asked} ความละเอียดแจ้งแล้ว นั้น"),
        format!(
            "{issuer}ตรวจสอบแล้ว ยังไม่ได้รับ{missing}จากหน่วยงานของท่าน จึงขอให้{wanted} ภายในวันที่ {by}"
        ),
        "จึงเรียนมาเพื่อโปรดดำเนินการต่อไป".into(),
    ];
    let reminder = Letter {
        urgency: letter.urgency,
        secrecy: None,
        number: None,
        office_code: letter.office_code.clone(),
        issuer: letter.issuer.clone(),
        date: today,
        subject,
        to: reminder_addressee(to),
        salutation: None,
        references: vec![Reference {
            issuer: Some(issuer.clone()),
            urgency: letter.urgency,
            number: original.number.clone(),
            date: original.date,
            text: None,
        }],
        enclosures: Vec::new(),
        body,
        closing: None,
        signer: letter.signer.clone(),
        contact: letter.contact.clone(),
        copies_to: Vec::new(),
        circular: false,
    };
    Document {
        digits,
        emblem: original.content.emblem.clone(),
        names: original.content.names.clone(),
        main: Part::Letter(Box::new(reminder)),
        annexes: Vec::new(),
    }
}

/// Whom a reminder addresses: each office by its head when there are a
/// few (`ผู้ว่าราชการจังหวัดเชียงใหม่ และผู้ว่าราชการจังหวัดขอนแก่น`), never
/// "every province" for some of them.
fn reminder_addressee(to: &[crate::store::offices::Office]) -> String {
    let heads: Vec<String> = to
        .iter()
        .map(|o| replies::addressee(std::slice::from_ref(o)))
        .collect();
    match heads.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] if heads.len() <= 4 => format!("{} และ{last}", rest.join(" ")),
        _ => format!("{} (เฉพาะที่ยังไม่ได้ตอบกลับ)", replies::addressee(to)),
    }
}

/// Checks answers against the form: each field's kind, required fields,
/// sizes; files typed by their bytes. A field left without a new file
/// keeps the one sent before. Returns the answers and the new files, or
/// every mistake, each naming its field key.
pub fn check_answers(
    form: &ReplyForm,
    mut input: ReplyInput,
    previous: &Answers,
) -> Result<(Answers, Vec<NewFile>), Vec<FieldError>> {
    let mut answers = Answers::new();
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for f in &form.fields {
        let key = f.key.as_str();
        let mut err = |th: String, en: String| errors.push(FieldError::new(key, th, en));
        let text = input
            .values
            .get(key)
            .map(|v| v.trim().to_string())
            .unwrap_or_default();
        let missing = || {
            (
                format!("กรุณากรอก “{}”", f.label),
                format!("“{}” is required", f.label),
            )
        };
        match f.kind {
            FieldKind::Text | FieldKind::Number | FieldKind::Choice | FieldKind::Date => {
                if text.is_empty() {
                    if f.required {
                        let (th, en) = missing();
                        err(th, en);
                    }
                    continue;
                }
                if text.chars().count() > MAX_TEXT
                    || text
                        .chars()
                        .any(|c| c.is_control() && c != '\n' && c != '\t')
                {
                    err(
                        format!("“{}” ยาวเกิน {MAX_TEXT} ตัวอักษรหรือมีอักขระที่ใช้ไม่ได้", f.label),
                        format!(
                            "“{}” is over {MAX_TEXT} characters or has control characters",
                            f.label
                        ),
                    );
                    continue;
                }
                let value = match f.kind {
                    FieldKind::Number => match number(&text) {
                        Some(n) => n,
                        None => {
                            err(
                                format!("“{}” ต้องเป็นตัวเลข", f.label),
                                format!("“{}” must be a number", f.label),
                            );
                            continue;
                        }
                    },
                    FieldKind::Choice => {
                        if !f.options.contains(&text) {
                            err(
                                format!("“{}” ต้องเลือกจากตัวเลือกที่มี", f.label),
                                format!("“{}” must be one of its options", f.label),
                            );
                            continue;
                        }
                        text
                    }
                    FieldKind::Date => match input::date(key, &text) {
                        Ok(d) => d.to_string(),
                        Err(_) => {
                            err(
                                format!("“{}” ต้องเป็นวันที่ เช่น ๒๓/๕/๒๕๖๗", f.label),
                                format!("“{}” must be a date such as 23/5/2567", f.label),
                            );
                            continue;
                        }
                    },
                    _ => text,
                };
                answers.insert(key.to_string(), Answer::Text(value));
            }
            FieldKind::Attendees => {
                let rows: Vec<Attendee> = input
                    .rows
                    .remove(key)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|a| Attendee {
                        name: a.name.trim().to_string(),
                        position: a.position.trim().to_string(),
                        phone: a.phone.trim().to_string(),
                    })
                    .filter(|a| !(a.name.is_empty() && a.position.is_empty() && a.phone.is_empty()))
                    .collect();
                if rows.len() > MAX_ROWS {
                    err(
                        format!("“{}” มีได้ไม่เกิน {MAX_ROWS} คน", f.label),
                        format!("“{}” takes at most {MAX_ROWS} rows", f.label),
                    );
                    continue;
                }
                let bad = |s: &str, max: usize| {
                    s.chars().count() > max || s.chars().any(char::is_control)
                };
                if rows.iter().any(|a| a.name.is_empty()) {
                    err(
                        format!("“{}”: ทุกแถวที่กรอกต้องมีชื่อ-สกุล", f.label),
                        format!("“{}”: every row filled in needs a name", f.label),
                    );
                    continue;
                }
                if rows
                    .iter()
                    .any(|a| bad(&a.name, 200) || bad(&a.position, 200) || bad(&a.phone, 50))
                {
                    err(
                        format!("“{}”: ชื่อ ตำแหน่ง หรือโทรศัพท์ยาวเกินไป", f.label),
                        format!("“{}”: a name, position or telephone is too long", f.label),
                    );
                    continue;
                }
                if rows.is_empty() {
                    if f.required {
                        err(
                            format!("กรุณากรอกรายชื่อใน “{}” อย่างน้อยหนึ่งคน", f.label),
                            format!("“{}” needs at least one row", f.label),
                        );
                    }
                    continue;
                }
                answers.insert(key.to_string(), Answer::Attendees(rows));
            }
            FieldKind::File => match input.files.remove(key) {
                Some((name, bytes)) if !bytes.is_empty() => {
                    if bytes.len() > MAX_FILE {
                        err(
                            format!("ไฟล์ใน “{}” ต้องไม่เกิน ๑๐ เมกะไบต์", f.label),
                            format!("the file in “{}” must be at most 10 MB", f.label),
                        );
                        continue;
                    }
                    let name = file_name(&name);
                    match sniff(&name, &bytes) {
                        Ok(media_type) => files.push(NewFile {
                            field: key.to_string(),
                            name,
                            media_type: media_type.to_string(),
                            bytes,
                        }),
                        Err(e) => err(
                            format!("“{}”: {}", f.label, e.message_th),
                            format!("“{}”: {}", f.label, e.message_en),
                        ),
                    }
                }
                _ => match previous.get(key) {
                    Some(kept @ Answer::File(_)) => {
                        answers.insert(key.to_string(), kept.clone());
                    }
                    _ if f.required => {
                        err(
                            format!("กรุณาแนบไฟล์ใน “{}”", f.label),
                            format!("“{}” needs a file", f.label),
                        );
                    }
                    _ => {}
                },
            },
        }
    }
    if errors.is_empty() {
        Ok((answers, files))
    } else {
        Err(errors)
    }
}

/// A number as typed (Thai or Arabic digits, thousands separators) in
/// Arabic digits, or `None`.
fn number(text: &str) -> Option<String> {
    let t: String = to_arabic_digits(text)
        .chars()
        .filter(|c| *c != ',' && !c.is_whitespace())
        .collect();
    let digits = t.strip_prefix('-').unwrap_or(&t);
    let ok = !digits.is_empty()
        && digits.len() <= 30
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.matches('.').count() <= 1
        && !digits.starts_with('.')
        && !digits.ends_with('.');
    ok.then_some(t)
}

/// The name a file is kept under: the last part of what the browser sent,
/// at most 200 characters, never empty.
fn file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("").trim();
    let clean: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if clean.is_empty() {
        "ไฟล์แนบ".into()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::reply_form::FormField;

    fn form() -> ReplyForm {
        let f = |key: &str, label: &str, kind, required| FormField {
            key: key.into(),
            label: label.into(),
            kind,
            required,
            options: if kind == FieldKind::Choice {
                vec!["เข้าร่วม".into(), "ไม่เข้าร่วม".into()]
            } else {
                Vec::new()
            },
        };
        ReplyForm {
            title: String::new(),
            fields: vec![
                f("f1", "การเข้าร่วม", FieldKind::Choice, true),
                f("f2", "จำนวนผู้เข้าร่วม", FieldKind::Number, false),
                f("f3", "วันที่ส่ง", FieldKind::Date, false),
                f("f4", "รายชื่อ", FieldKind::Attendees, true),
                f("f5", "เอกสาร", FieldKind::File, false),
            ],
        }
    }

    #[test]
    fn answers_are_read_and_checked_per_field() {
        let mut input = ReplyInput::default();
        input.values.insert("f1".into(), "เข้าร่วม".into());
        input.values.insert("f2".into(), "๑,๒๐๐".into());
        input.values.insert("f3".into(), "๒๓/๕/๒๕๖๗".into());
        input.rows.insert(
            "f4".into(),
            vec![
                Attendee {
                    name: " นายสมชาย ใจดี ".into(),
                    position: "ปลัด".into(),
                    phone: "๐๘๑".into(),
                },
                Attendee::default(),
            ],
        );
        let (answers, files) = check_answers(&form(), input, &Answers::new()).unwrap();
        assert_eq!(answers["f2"], Answer::Text("1200".into()));
        assert_eq!(answers["f3"], Answer::Text("2024-05-23".into()));
        assert_eq!(answers["f4"].cell(), "นายสมชาย ใจดี / ปลัด / ๐๘๑");
        assert!(files.is_empty());
    }

    #[test]
    fn mistakes_name_each_field() {
        let mut input = ReplyInput::default();
        input.values.insert("f1".into(), "อาจจะ".into());
        input.values.insert("f2".into(), "สิบ".into());
        input.values.insert("f3".into(), "31/2/2567".into());
        input
            .files
            .insert("f5".into(), ("a.html".into(), b"<html><script>".to_vec()));
        let errors = check_answers(&form(), input, &Answers::new()).unwrap_err();
        let keys: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(keys, ["f1", "f2", "f3", "f4", "f5"]);
        assert!(errors[3].message_th.contains("รายชื่อ"));
    }

    #[test]
    fn numbers_and_file_names() {
        assert_eq!(number("-๑๒.๕").as_deref(), Some("-12.5"));
        assert_eq!(number("1.2.3"), None);
        assert_eq!(number("."), None);
        assert_eq!(file_name("C:\\Users\\a\\รายชื่อ.pdf"), "รายชื่อ.pdf");
        assert_eq!(file_name("../"), "ไฟล์แนบ");
    }
}

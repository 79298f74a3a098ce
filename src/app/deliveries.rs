//! Letters between offices: dispatching, the inbox, one delivery, and what
//! the receiving office does with it (receive, acknowledge, return,
//! forward with a cover letter). A delivery is acted on only by the office
//! it was sent to.
//!
//! Secret letters (ลับ, ลับมาก): a user not named as a reader sees the
//! number, date, sender and class, never the subject or the content, and
//! may only register the letter's arrival; the office's head names its
//! readers.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::documents::Download;
use super::error::{AppError, AppResult};
use super::{
    Action, App, Attachment, Caller, Delivery, DeliveryId, DeliveryState, DocumentId, Forwarded,
    InboxItem, Stored, input,
};
use crate::render::stamp::Stamp;
use crate::store::offices::{self, Office};
use crate::store::{accounts, documents, inbox, personalise, registers, routing, search};
use crate::thai::{DateStyle, format_date, format_time};

/// Where to send a numbered letter.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct DispatchRequest {
    /// Offices or groups: `provinces`, `districts`, `laos`, `next`, codes.
    pub to: String,
    /// A deadline (B.E. or C.E.); by default the letter's own.
    pub deadline: Option<String>,
    /// Also by e-mail to every recipient with an address (offices outside
    /// saraban always get it by e-mail).
    pub by_email: bool,
}

/// Forwarding a received letter.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ForwardRequest {
    /// Recipients; by default one level down.
    pub to: Option<String>,
    /// A cover letter drafted (and perhaps edited) with `draft_cover`.
    pub cover: Option<i64>,
    /// Also by e-mail to every recipient with an address (offices outside
    /// saraban always get it by e-mail, with every letter above).
    pub by_email: bool,
}

/// What an office does with a letter delivered to it (forwarding aside).
#[derive(Debug, Clone, Copy)]
pub enum Step<'a> {
    Receive,
    Acknowledge,
    Return(&'a str),
}

/// A letter's heading: what anyone the letter reached may see, secret or
/// not. `subject` is empty for a secret letter the caller may not read.
#[derive(Debug, Clone, Serialize)]
pub struct Heading {
    pub document_id: i64,
    pub number: Option<String>,
    pub date: Option<chrono::NaiveDate>,
    pub subject: String,
    pub issuer: String,
    pub urgency: Option<String>,
    pub secrecy: Option<String>,
}

/// One delivery as its recipient (or sender) sees it.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryView {
    pub delivery: Delivery,
    pub heading: Heading,
    /// The whole letter, when the caller may read it.
    pub document: Option<Stored>,
    pub from_office: String,
    /// Whether the caller may read and act on the letter.
    pub reader: bool,
    /// The letter's enclosures (files), for a reader.
    pub attachments: Vec<Attachment>,
    /// The letters above it down the cascade, the original first, each with
    /// its files: what the caller may read of them.
    pub chain: Vec<ChainLetter>,
    /// Whether the deadline has passed without the office acting.
    pub overdue: bool,
    /// The receive stamp (เลขรับ, date, time) once the caller's office has
    /// received the letter.
    pub receive: Option<Stamp>,
}

/// A letter above a delivered one, with its enclosures.
#[derive(Debug, Clone, Serialize)]
pub struct ChainLetter {
    pub document_id: i64,
    pub number: Option<String>,
    pub date: Option<chrono::NaiveDate>,
    pub subject: String,
    pub issuer: String,
    pub attachments: Vec<Attachment>,
}

impl App {
    /// Sends the caller's office's numbered letter to offices or groups.
    pub async fn dispatch(
        &self,
        c: &Caller,
        id: DocumentId,
        req: &DispatchRequest,
    ) -> AppResult<Vec<Delivery>> {
        c.may(Action::Dispatch)?;
        let doc = self.own_document(c, id).await?;
        let to = input::required("to", &req.to, "กรุณาระบุผู้รับ", "name the recipients")?;
        let deadline = input::optional_date("deadline", req.deadline.as_deref())?;
        let to = routing::recipients(self.store(), &c.office, to).await?;
        let secret = doc.content.secrecy().is_some();
        let by_mail = self.mail_plan(c, secret, &to, req.by_email).await?;
        let sent = routing::dispatch(
            self.store(),
            &c.actor(),
            c.now,
            &c.office,
            id.0,
            &to,
            deadline,
        )
        .await?;
        self.personal_reply_letters(c, id).await;
        // The deliveries exist: what e-mail did is recorded on them.
        if let Err(e) = self.send_planned(c, &doc, &sent, &by_mail).await {
            tracing::error!(document = id.0, error = %e, "letter not sent by e-mail");
        }
        Ok(sent)
    }

    /// The caller's office's inbox, overdue and most urgent first. Secret
    /// letters show their subject only to their named readers.
    pub async fn inbox(&self, c: &Caller, pending: bool, limit: i64) -> AppResult<Vec<InboxItem>> {
        c.may(Action::Read)?;
        let mut items = inbox::inbox(
            self.store(),
            c.office.id,
            c.today(),
            pending,
            limit.clamp(1, 1000),
        )
        .await?;
        let secret: Vec<i64> = items
            .iter()
            .filter(|i| i.secrecy.is_some())
            .map(|i| i.delivery.document_id)
            .collect();
        let readable = search::visible_ids(self.store(), &c.viewer(), &secret).await?;
        for item in &mut items {
            if item.secrecy.is_some() && !readable.contains(&item.delivery.document_id) {
                item.subject = String::new();
            }
        }
        Ok(items)
    }

    /// Delivery `id` as the caller's office sees it.
    pub async fn delivery(&self, c: &Caller, id: DeliveryId) -> AppResult<DeliveryView> {
        c.may(Action::Read)?;
        let delivery = routing::get(self.store(), &c.office, id.0).await?;
        let reader = search::can_see(self.store(), &c.viewer(), delivery.document_id).await?;
        let stored = documents::get(self.store(), delivery.document_id).await?;
        let secrecy = search::secrecy_of(&stored.content).map(|s| s.thai().to_string());
        let heading = Heading {
            document_id: stored.id,
            number: stored.number.clone(),
            date: stored.date,
            subject: if reader {
                stored.subject.clone()
            } else {
                String::new()
            },
            issuer: stored.issuer.clone(),
            urgency: search::urgency_of(&stored.content).map(|u| u.thai().to_string()),
            secrecy,
        };
        let from = offices::get(self.store(), delivery.from_office).await?;
        let attachments = if reader {
            documents::attachments(self.store(), stored.id).await?
        } else {
            Vec::new()
        };
        let chain = if reader {
            self.chain_above(c, id).await?
        } else {
            Vec::new()
        };
        let overdue = delivery.deadline.is_some_and(|d| d < c.today())
            && matches!(
                delivery.state,
                DeliveryState::Sent | DeliveryState::Received
            );
        let receive = self.receive_stamp(c, &delivery).await?;
        Ok(DeliveryView {
            receive,
            delivery,
            heading,
            document: reader.then_some(stored),
            from_office: from.fields.name,
            reader,
            attachments,
            chain,
            overdue,
        })
    }

    /// The receive stamp of a delivery to the caller's office, once it is
    /// received: office, เลขรับ, date and time in the office's digits.
    async fn receive_stamp(&self, c: &Caller, d: &Delivery) -> AppResult<Option<Stamp>> {
        let Some(entry) = d.receive_entry.filter(|_| d.to_office == c.office.id) else {
            return Ok(None);
        };
        let Some(mark) = registers::receive_mark(self.store(), c.office.id, entry).await? else {
            return Ok(None);
        };
        let digits = c.office.fields.digits;
        let at = chrono::DateTime::parse_from_rfc3339(&mark.recorded_at)
            .map(|t| t.with_timezone(&crate::store::bangkok()))
            .map_err(|e| AppError::internal("อ่านเวลาลงรับไม่ได้", e.to_string()))?;
        Ok(Some(Stamp {
            office: c.office.fields.name.clone(),
            number: digits.apply(&format!("{}/{}", mark.seq, mark.year_be)),
            date: format_date(at.date_naive(), DateStyle::Long, digits),
            time: format_time(at.time(), digits),
        }))
    }

    /// The letter of a delivery the caller's office received, with its
    /// receive stamp at the top right of the first page, as PDF. Readers
    /// only; a letter not yet received has no stamp.
    pub async fn delivery_stamped(&self, c: &Caller, id: DeliveryId) -> AppResult<Download> {
        let pdf = self.delivery_letter(c, id).await?;
        let d = routing::get(self.store(), &c.office, id.0).await?;
        let stamp = self.receive_stamp(c, &d).await?.ok_or_else(|| {
            AppError::new(
                super::Kind::Conflict,
                "not_received",
                "ยังไม่ได้ลงรับหนังสือฉบับนี้ จึงยังไม่มีตรารับ",
                "the letter is not received yet, so it has no receive stamp",
            )
        })?;
        let name = format!(
            "รับ-{}.pdf",
            crate::thai::to_arabic_digits(&stamp.number).replace('/', "-")
        );
        let bytes = self
            .stamp_letter(crate::intake::FileKind::Pdf, pdf, stamp, c.today())
            .await?;
        Ok(Download {
            name,
            media_type: "application/pdf".into(),
            bytes,
        })
    }

    /// The letters above delivery `id` that the caller may read, with
    /// their files.
    async fn chain_above(&self, c: &Caller, id: DeliveryId) -> AppResult<Vec<ChainLetter>> {
        let above = routing::letters_above(self.store(), id.0).await?;
        let readable = search::visible_ids(self.store(), &c.viewer(), &above).await?;
        let ids: Vec<i64> = above.into_iter().filter(|i| readable.contains(i)).collect();
        let mut chain = Vec::with_capacity(ids.len());
        for d in documents::get_many(self.store(), &ids).await? {
            chain.push(ChainLetter {
                attachments: documents::attachments(self.store(), d.id).await?,
                document_id: d.id,
                number: d.number,
                date: d.date,
                subject: d.subject,
                issuer: d.issuer,
            });
        }
        Ok(chain)
    }

    /// Delivery `id` to the caller's office, whose letter the caller may
    /// read (a secret letter's named readers only).
    async fn readable_delivery(&self, c: &Caller, id: DeliveryId) -> AppResult<Delivery> {
        let d = routing::get(self.store(), &c.office, id.0).await?;
        if !search::can_see(self.store(), &c.viewer(), d.document_id).await? {
            return Err(AppError::not_a_reader());
        }
        Ok(d)
    }

    /// Registers, acknowledges or returns a delivery to the caller's
    /// office. Anyone who handles the inbox registers a secret letter's
    /// arrival; only its readers do more.
    pub async fn inbox_step(
        &self,
        c: &Caller,
        id: DeliveryId,
        step: Step<'_>,
    ) -> AppResult<Delivery> {
        c.may(Action::HandleInbox)?;
        let (store, actor, now, office) = (self.store(), c.actor(), c.now, &c.office);
        Ok(match step {
            Step::Receive => routing::receive(store, &actor, now, office, id.0).await?,
            Step::Acknowledge => {
                self.readable_delivery(c, id).await?;
                routing::acknowledge(store, &actor, now, office, id.0).await?
            }
            Step::Return(reason) => {
                let reason = input::reason(reason)?;
                self.readable_delivery(c, id).await?;
                routing::return_to_sender(store, &actor, now, office, id.0, reason).await?
            }
        })
    }

    /// The offices a forward goes to: by default one level down.
    async fn forward_recipients(&self, c: &Caller, to: Option<&str>) -> AppResult<Vec<Office>> {
        let spec = input::optional(to).unwrap_or("next");
        Ok(routing::recipients(self.store(), &c.office, spec).await?)
    }

    /// Forwards a received letter down the chain, with a cover letter
    /// numbered in the caller's office's series (drafted now, or the one
    /// drafted and edited before).
    pub async fn forward(
        &self,
        c: &Caller,
        id: DeliveryId,
        req: &ForwardRequest,
    ) -> AppResult<Forwarded> {
        c.may(Action::HandleInbox)?;
        let received = self.readable_delivery(c, id).await?;
        let to = self.forward_recipients(c, req.to.as_deref()).await?;
        // Offices outside saraban get the cover and every letter above it
        // by e-mail; nothing secret goes that way.
        let letter = documents::get(self.store(), received.document_id).await?;
        let secret = self.carries_secret(&letter, Some(id.0)).await?;
        let by_mail = self.mail_plan(c, secret, &to, req.by_email).await?;
        // An office that numbers only signed letters forwards with a
        // signed cover letter, not a one-click one.
        match req.cover {
            Some(cover) => self.require_signature(c, cover).await?,
            None => {
                if self.workflow_settings(c).await?.require_signing {
                    return Err(super::workflow::conflict(
                        "not_signed",
                        "ส่วนราชการนี้ส่งต่อได้เมื่อหนังสือนำส่งลงนามแล้ว: ร่างหนังสือนำส่ง เสนอลงนาม แล้วจึงส่งต่อ",
                        "this office forwards only with a signed cover letter: draft it, have it signed, then forward",
                    ));
                }
            }
        }
        let actor = c.actor();
        let done = match req.cover {
            Some(cover) => {
                self.own_document(c, DocumentId(cover)).await?;
                routing::forward_draft(self.store(), &actor, c.now, &c.office, id.0, cover, &to)
                    .await?
            }
            None => {
                routing::forward(self.store(), &actor, c.now, &c.office, id.0, Some(&to)).await?
            }
        };
        // The deliveries exist: what e-mail did is recorded on them.
        if let Err(e) = self
            .send_planned(c, &done.cover, &done.deliveries, &by_mail)
            .await
        {
            tracing::error!(delivery = id.0, error = %e, "cover letter not sent by e-mail");
        }
        Ok(done)
    }

    /// Drafts the cover letter for forwarding, for the clerk to edit.
    pub async fn draft_cover(
        &self,
        c: &Caller,
        id: DeliveryId,
        to: Option<&str>,
    ) -> AppResult<Stored> {
        c.may(Action::HandleInbox)?;
        let d = self.readable_delivery(c, id).await?;
        // Opening the cover again opens the draft made before.
        if let Some(existing) = routing::cover_draft_of(self.store(), &c.office, &d).await? {
            return Ok(existing);
        }
        let to = self.forward_recipients(c, to).await?;
        Ok(routing::draft_forward(self.store(), &c.actor(), c.now, &c.office, id.0, &to).await?)
    }

    /// The letter of a delivery as its recipient received it: the personal
    /// letter made for that office, else the letter itself. Readers only.
    pub async fn delivery_letter(&self, c: &Caller, id: DeliveryId) -> AppResult<Vec<u8>> {
        c.may(Action::Read)?;
        let d = routing::get(self.store(), &c.office, id.0).await?;
        let doc = self.document(c, DocumentId(d.document_id)).await?;
        match personalise::letter(self.store(), &c.office, id.0).await {
            Ok(pdf) => Ok(pdf),
            Err(_) => self.pdf_of(c, &doc).await,
        }
    }

    /// Names readers of a secret letter among the caller's office's users:
    /// the office's head does, for a letter of the office or delivered to
    /// it. Names outside the office are refused like unknown ones.
    pub async fn name_readers(
        &self,
        c: &Caller,
        id: DocumentId,
        names: &[String],
    ) -> AppResult<()> {
        c.may(Action::NameReaders)?;
        let d = documents::get(self.store(), id.0)
            .await
            .map_err(|_| AppError::not_found())?;
        let ours = d.office_id == c.office.id
            || routing::delivered_to(self.store(), id.0, c.office.id).await?;
        if !ours || search::secrecy_of(&d.content).is_none() {
            return Err(AppError::not_found());
        }
        let mut ids = Vec::new();
        for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
            match accounts::find(self.store(), name).await? {
                Some(u) if u.office_id == c.office.id && u.active => ids.push(u.id),
                _ => {
                    return Err(AppError::invalid(
                        "readers",
                        format!("ผู้อ่านหนังสือลับต้องเป็นผู้ใช้ของส่วนราชการนี้ (“{name}”)"),
                        format!(
                            "readers of a secret letter must be users of this office (“{name}”)"
                        ),
                    ));
                }
            }
        }
        let unique: HashSet<i64> = ids.into_iter().collect();
        let ids: Vec<i64> = unique.into_iter().collect();
        accounts::name_readers(self.store(), &c.actor(), id.0, &ids).await?;
        Ok(())
    }
}

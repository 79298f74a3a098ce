//! Letters in by e-mail: new messages fetched over IMAP from the office's
//! mailbox. A bounce (DSN) or a reply (In-Reply-To/References) to a
//! letter we sent is recorded on its delivery; any other message waits
//! for the clerk, who pre-fills it through the intake (its PDF or image
//! attachment read as the letter) and registers it (เลขรับ), or dismisses
//! it. A message is never fetched twice: the last UID is remembered and
//! the Message-ID is unique per office.

use serde::Serialize;

use super::super::documents::{Download, Upload};
use super::super::error::{AppError, AppResult};
use super::super::intake::IntakeUpload;
use super::super::{Action, Actor, App, Caller};
use super::settings::imap_server;
use super::{MailMessage, mail_failed};
use crate::mailer::{imap, read};
use crate::store::mail::{self, NewMessage};

/// At most this many messages a fetch.
const BATCH: usize = 200;

/// What one fetch found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FetchReport {
    pub office_id: i64,
    /// Messages waiting for the clerk.
    pub letters: usize,
    pub replies: usize,
    pub bounces: usize,
    /// Already fetched before (same Message-ID).
    pub known: usize,
}

impl App {
    /// Fetches the caller's office's new messages now (the clerk's button,
    /// `saraban mail fetch`).
    pub async fn mail_fetch(&self, c: &Caller) -> AppResult<FetchReport> {
        c.may(Action::HandleInbox)?;
        self.fetch_office(c.office.id, &c.actor(), c.now).await
    }

    /// Fetches every office that has a mailbox (the scheduler); failures
    /// are logged, one office's not stopping the rest.
    pub async fn mail_fetch_all(&self, now: chrono::DateTime<chrono::Utc>) -> Vec<FetchReport> {
        let offices = match mail::fetching_offices(self.store()).await {
            Ok(o) => o,
            Err(e) => {
                tracing::error!(error = %e, "offices with a mailbox not read");
                return Vec::new();
            }
        };
        let actor = Actor("mail:fetch".into());
        let mut out = Vec::new();
        for office in offices {
            match self.fetch_office(office, &actor, now).await {
                Ok(r) => out.push(r),
                Err(e) => tracing::warn!(office, error = %e, "mailbox not fetched"),
            }
        }
        out
    }

    async fn fetch_office(
        &self,
        office_id: i64,
        actor: &Actor,
        now: chrono::DateTime<chrono::Utc>,
    ) -> AppResult<FetchReport> {
        let settings = mail::settings(self.store(), office_id).await?;
        let Some(server) = settings.as_ref().map(imap_server).transpose()?.flatten() else {
            return Err(AppError::new(
                super::super::Kind::Conflict,
                "no_mailbox",
                "ส่วนราชการยังไม่ได้ตั้งค่าตู้อีเมลกลางสำหรับรับหนังสือ (IMAP)",
                "the office has no mailbox set up to receive letters (IMAP)",
            ));
        };
        let folder = settings.map(|s| s.imap_folder).unwrap_or_default();
        let state = mail::fetch_state(self.store(), office_id).await?;
        let batch = imap::fetch_new(
            &server,
            &folder,
            state.map(|(v, _)| v as u32),
            state.map(|(_, u)| u as u32).unwrap_or(0),
            BATCH,
        )
        .await
        .map_err(mail_failed)?;
        let mut report = FetchReport {
            office_id,
            ..FetchReport::default()
        };
        let mut found = Vec::new();
        let mut last = state
            .filter(|(v, _)| *v == i64::from(batch.uid_validity))
            .map(|(_, u)| u)
            .unwrap_or(0);
        for m in batch.messages {
            last = last.max(i64::from(m.uid));
            let Some(head) = read::read(&m.raw) else {
                continue;
            };
            let message_id = if head.message_id.is_empty() {
                format!("imap.{}.{}@{}", batch.uid_validity, m.uid, server.host)
            } else {
                head.message_id.clone()
            };
            let (kind, delivery_id, bounce_status) = match &head.bounce {
                Some(b) => {
                    let ids: Vec<String> = b.original.iter().cloned().collect();
                    let d = mail::delivery_by_message_id(self.store(), office_id, &ids).await?;
                    (
                        "bounce",
                        d,
                        Some(b.status.clone()).filter(|s| !s.is_empty()),
                    )
                }
                None => {
                    let d = mail::delivery_by_message_id(self.store(), office_id, &head.refers_to)
                        .await?;
                    (if d.is_some() { "reply" } else { "letter" }, d, None)
                }
            };
            found.push(NewMessage {
                uid: i64::from(m.uid),
                message_id,
                from_address: head.from,
                subject: head.subject,
                kind,
                delivery_id,
                bounce_status,
                raw: m.raw,
            });
        }
        let added = mail::record_fetched(
            self.store(),
            actor,
            now,
            office_id,
            i64::from(batch.uid_validity),
            last,
            &found,
        )
        .await?;
        report.known = found.len() - added.len();
        for m in self.store_messages(office_id, &added).await? {
            match m.kind.as_str() {
                "reply" => report.replies += 1,
                "bounce" => report.bounces += 1,
                _ => report.letters += 1,
            }
        }
        Ok(report)
    }

    async fn store_messages(&self, office_id: i64, ids: &[i64]) -> AppResult<Vec<MailMessage>> {
        let mut out = Vec::new();
        for id in ids {
            if let Some(m) = mail::message(self.store(), office_id, *id).await? {
                out.push(m);
            }
        }
        Ok(out)
    }

    /// The caller's office's fetched messages: waiting for the clerk, or
    /// all (replies and bounces too), newest first.
    pub async fn mail_messages(
        &self,
        c: &Caller,
        pending_only: bool,
    ) -> AppResult<Vec<MailMessage>> {
        c.may(Action::HandleInbox)?;
        Ok(mail::messages(self.store(), c.office.id, pending_only).await?)
    }

    async fn own_message(&self, c: &Caller, id: i64) -> AppResult<MailMessage> {
        c.may(Action::HandleInbox)?;
        mail::message(self.store(), c.office.id, id)
            .await?
            .ok_or_else(AppError::not_found)
    }

    /// Reads a waiting message through the intake: the pre-filled receive
    /// form, to confirm with `intake_register` (which marks the message
    /// registered).
    pub async fn mail_prefill(&self, c: &Caller, id: i64) -> AppResult<Vec<IntakeUpload>> {
        let m = self.own_message(c, id).await?;
        if m.state != "pending" || m.kind != "letter" {
            return Err(AppError::new(
                super::super::Kind::Conflict,
                "not_pending",
                "อีเมลนี้ลงรับหรือยกเลิกไปแล้ว",
                "this message was registered or dismissed already",
            ));
        }
        let name = format!("email-{}.eml", m.id);
        let read = self
            .intake_prefill(
                c,
                &[Upload {
                    name: &name,
                    bytes: &m.raw,
                }],
            )
            .await?;
        if let Some(u) = read.first() {
            mail::set_upload(self.store(), &c.actor(), c.now, c.office.id, m.id, u.upload).await?;
        }
        Ok(read)
    }

    /// Dismisses a waiting message (not a letter for the office).
    pub async fn mail_dismiss(&self, c: &Caller, id: i64) -> AppResult<MailMessage> {
        let m = self.own_message(c, id).await?;
        if !mail::decide(self.store(), &c.actor(), c.now, c.office.id, m.id, None).await? {
            return Err(AppError::new(
                super::super::Kind::Conflict,
                "not_pending",
                "อีเมลนี้ลงรับหรือยกเลิกไปแล้ว",
                "this message was registered or dismissed already",
            ));
        }
        self.own_message(c, id).await
    }

    /// A fetched message as it came (.eml), as a download.
    pub async fn mail_message_file(&self, c: &Caller, id: i64) -> AppResult<Download> {
        let m = self.own_message(c, id).await?;
        Ok(Download {
            name: format!("email-{}.eml", m.id),
            media_type: "message/rfc822".into(),
            bytes: m.raw,
        })
    }

    /// After `intake_register`: the messages those uploads came from are
    /// registered, with their received letters.
    pub(crate) async fn mail_registered(&self, c: &Caller, done: &[(i64, i64)]) {
        for (upload, received) in done {
            let found = mail::message_of_upload(self.store(), c.office.id, *upload).await;
            if let Ok(Some(m)) = found
                && let Err(e) = mail::decide(
                    self.store(),
                    &c.actor(),
                    c.now,
                    c.office.id,
                    m,
                    Some(*received),
                )
                .await
            {
                tracing::error!(message = m, error = %e, "fetched message not marked registered");
            }
        }
    }
}

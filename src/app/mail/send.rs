//! Letters out by e-mail. Before a dispatch or a forward: which recipients
//! get the letter by e-mail (offices outside saraban always; every office
//! with an address when the clerk chose "by e-mail"), refusing a secret
//! letter, an outside office without an address and an office without a
//! mailbox. After it: one message per delivery from the office's mailbox
//! with the letter's PDF (the personal letter when one was made) and
//! enclosures and, down a cascade, every letter above it with its own
//! enclosures (an office outside saraban cannot open them in saraban),
//! then the Message-IDs (or the failures) recorded in one transaction.
//! A relay down the chain and a clerk's "send again" use the same path.

use std::collections::HashMap;

use super::super::error::{AppError, AppResult, Kind};
use super::super::{App, Caller, Delivery, Office, Stored};
use super::settings::smtp_server;
use crate::mailer::smtp::{self, File, Outgoing};
use crate::store::mail::{self, Sent};
use crate::store::{documents, personalise, routing, search};
use crate::thai::{DateStyle, format_date};

/// Where each recipient office gets the letter by e-mail.
#[derive(Debug, Clone, Default)]
pub(crate) struct MailPlan {
    /// Office id → address.
    pub to: HashMap<i64, String>,
}

pub(crate) fn secret_refused() -> AppError {
    AppError::new(
        Kind::Invalid,
        "secret_by_email",
        "หนังสือลับไม่ส่งทางอีเมล ให้ส่งภายในระบบสารบรรณอิเล็กทรอนิกส์ถึงผู้มีสิทธิ์อ่าน หรือส่งด้วยวิธีการของหนังสือลับ",
        "secret letters are not sent by plain e-mail: send them inside saraban to named readers, or by the secret-document procedure",
    )
    .on("by_email")
}

/// A Message-ID unique to this delivery: `saraban.D.RANDOM@domain`.
fn message_id(delivery: i64, from: &str) -> String {
    let mut random = [0u8; 8];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut random)
        .expect("the system's random source works");
    let domain = from.rsplit_once('@').map(|(_, d)| d).unwrap_or("saraban");
    format!("saraban.{delivery}.{}@{domain}", hex::encode(random))
}

/// A letter's PDF named by its number.
fn pdf_name(number: &str) -> String {
    file_name(&format!(
        "{}.pdf",
        if number.is_empty() {
            "หนังสือ"
        } else {
            number
        }
    ))
}

/// A file name without path separators or control characters.
fn file_name(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '"') {
                '-'
            } else {
                c
            }
        })
        .collect::<String>()
        .trim()
        .to_string()
}

impl App {
    /// Which of `to` get a letter by e-mail; refuses what may not go
    /// (`secret`: the letter, or one it carries, has a secrecy grade).
    pub(crate) async fn mail_plan(
        &self,
        c: &Caller,
        secret: bool,
        to: &[Office],
        by_email: bool,
    ) -> AppResult<MailPlan> {
        let ids: Vec<i64> = to.iter().map(|o| o.id).collect();
        let outside = mail::outside_offices(self.store(), &ids).await?;
        let mut plan = MailPlan::default();
        for o in to {
            let address = o.fields.email.trim();
            if outside.contains(&o.id) {
                if address.is_empty() {
                    return Err(AppError::invalid(
                        "to",
                        format!("{} อยู่นอกระบบแต่ไม่มีที่อยู่อีเมล", o.fields.name),
                        format!(
                            "{} is outside saraban and has no e-mail address",
                            o.fields.name
                        ),
                    ));
                }
                plan.to.insert(o.id, address.to_string());
            } else if by_email && !address.is_empty() {
                plan.to.insert(o.id, address.to_string());
            }
        }
        if by_email && plan.to.is_empty() {
            return Err(AppError::invalid(
                "by_email",
                "ผู้รับที่เลือกไม่มีที่อยู่อีเมล",
                "none of the recipients has an e-mail address",
            ));
        }
        if plan.to.is_empty() {
            return Ok(plan);
        }
        if secret {
            return Err(secret_refused());
        }
        let settings = mail::settings(self.store(), c.office.id).await?;
        if settings
            .as_ref()
            .and_then(|s| smtp_server(s).ok().flatten())
            .is_none()
        {
            return Err(AppError::new(
                Kind::Conflict,
                "no_mailbox",
                "ส่วนราชการยังไม่ได้ตั้งค่าตู้อีเมลกลางสำหรับส่งหนังสือ (ผู้ดูแลระบบตั้งได้ที่หน้า ตั้งค่าอีเมล)",
                "the office has no mailbox set up to send letters (its administrator sets one on the mail settings page)",
            ));
        }
        Ok(plan)
    }

    /// Sends the dispatched letter to the planned deliveries and records
    /// each result; a delivery that failed stays, marked failed (an office
    /// without a mailbox, or a password that cannot be read, fails every
    /// message, recorded).
    pub(crate) async fn send_planned(
        &self,
        c: &Caller,
        doc: &Stored,
        deliveries: &[Delivery],
        plan: &MailPlan,
    ) -> AppResult<Vec<Sent>> {
        let planned: Vec<&Delivery> = deliveries
            .iter()
            .filter(|d| plan.to.contains_key(&d.to_office))
            .collect();
        let Some(first) = planned.first() else {
            return Ok(Vec::new());
        };
        let settings = mail::settings(self.store(), c.office.id).await?;
        let server: Result<crate::mailer::Server, String> = match settings.as_ref().map(smtp_server)
        {
            Some(Ok(Some(s))) => Ok(s),
            Some(Err(e)) => Err(e.message_en),
            _ => Err("the office has no mailbox to send from".into()),
        };
        let from_address = settings
            .as_ref()
            .map(|s| s.from_address.clone())
            .unwrap_or_default();
        let official = self.pdf_of(c, doc).await?;
        let enclosures = self.enclosures(doc.id).await?;
        // Every delivery of one send has the same letters above it.
        let above = self.carried_above(c, first.id).await?;
        let digits = c.office.fields.digits;
        let number = digits.apply(&doc.number.clone().unwrap_or_default());
        let date = doc
            .date
            .map(|d| format_date(d, DateStyle::Long, digits))
            .unwrap_or_default();
        let carried_text = above
            .iter()
            .map(|(d, _)| {
                format!(
                    "- หนังสือ{} ที่ {} ลงวันที่ {} เรื่อง {}",
                    d.issuer,
                    digits.apply(d.number.as_deref().unwrap_or_default()),
                    d.date
                        .map(|x| format_date(x, DateStyle::Long, digits))
                        .unwrap_or_default(),
                    d.subject
                )
            })
            .collect::<Vec<_>>()
            .join("\n");
        let mut results = Vec::new();
        for d in planned {
            let address = &plan.to[&d.to_office];
            let id = message_id(d.id, &from_address);
            let to_name = crate::store::offices::get(self.store(), d.to_office)
                .await
                .map(|o| o.fields.name)
                .unwrap_or_default();
            let letter = personalise::letter(self.store(), &c.office, d.id)
                .await
                .unwrap_or_else(|_| official.clone());
            let mut files = vec![File {
                name: pdf_name(&number),
                media_type: "application/pdf".into(),
                bytes: letter,
            }];
            files.extend(enclosures.iter().cloned());
            for (_, letter_files) in &above {
                files.extend(letter_files.iter().cloned());
            }
            let carried = if carried_text.is_empty() {
                String::new()
            } else {
                format!("\n\nหนังสือที่ส่งต่อมาพร้อมนี้ (แนบไฟล์ทุกฉบับ):\n{carried_text}")
            };
            let text = format!(
                "เรียน {to_name}\n\n{from} ขอส่งหนังสือราชการ ที่ {number} ลงวันที่ {date} เรื่อง {subject} \
                 มาพร้อมนี้ ตามไฟล์หนังสือ (PDF) และสิ่งที่ส่งมาด้วยที่แนบ{carried}\n\n\
                 หนังสือฉบับนี้ส่งทางไปรษณีย์อิเล็กทรอนิกส์จากที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลางของส่วนราชการ \
                 ตามระเบียบสำนักนายกรัฐมนตรีว่าด้วยงานสารบรรณ หากมีข้อสงสัยหรือตอบกลับ โปรดตอบกลับอีเมลฉบับนี้\n\n{from}\n{phone}",
                from = c.office.fields.name,
                subject = doc.subject,
                phone = [
                    Some(c.office.fields.phone.as_str())
                        .filter(|p| !p.is_empty())
                        .map(|p| format!("โทร {p}")),
                    Some(format!("ไปรษณีย์อิเล็กทรอนิกส์ {from_address}")),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("\n"),
            );
            let out = Outgoing {
                from: from_address.clone(),
                from_name: c.office.fields.name.clone(),
                to: address.clone(),
                subject: format!("ที่ {number} เรื่อง {}", doc.subject),
                text,
                message_id: id.clone(),
                files,
            };
            let error = match &server {
                Ok(server) => smtp::send(server, &out).await.err().map(|e| e.0),
                Err(e) => Some(e.clone()),
            };
            if let Some(e) = &error {
                tracing::warn!(delivery = d.id, error = %e, "letter not sent by e-mail");
            }
            results.push(Sent {
                delivery_id: d.id,
                address: address.clone(),
                message_id: id,
                error,
            });
        }
        mail::record_sent(self.store(), &c.actor(), c.now, c.office.id, &results).await?;
        Ok(results)
    }

    /// After a relay: each relaying office sends its cover letter to the
    /// offices below it that are outside saraban, from its own mailbox.
    /// What cannot go (a secret letter, no mailbox, no address) is recorded
    /// as failed on the delivery, for a clerk to see and send again.
    pub(crate) async fn relay_by_mail(&self, c: &Caller, made: &[Delivery]) -> AppResult<()> {
        let ids: Vec<i64> = made.iter().map(|d| d.to_office).collect();
        let outside = mail::outside_offices(self.store(), &ids).await?;
        let mut groups: std::collections::BTreeMap<(i64, i64), Vec<Delivery>> = Default::default();
        for d in made.iter().filter(|d| outside.contains(&d.to_office)) {
            groups
                .entry((d.from_office, d.document_id))
                .or_default()
                .push(d.clone());
        }
        for ((from, document), deliveries) in groups {
            let sender = Caller {
                office: crate::store::offices::get(self.store(), from).await?,
                principal: c.principal.clone(),
                now: c.now,
            };
            let doc = documents::get(self.store(), document).await?;
            let mut plan = MailPlan::default();
            for d in &deliveries {
                let o = crate::store::offices::get(self.store(), d.to_office).await?;
                plan.to.insert(o.id, o.fields.email.trim().to_string());
            }
            if self.carries_secret(&doc, Some(deliveries[0].id)).await? {
                let refused = secret_refused();
                let failed: Vec<Sent> = deliveries
                    .iter()
                    .map(|d| Sent {
                        delivery_id: d.id,
                        address: plan.to[&d.to_office].clone(),
                        message_id: String::new(),
                        error: Some(refused.message_en.clone()),
                    })
                    .collect();
                mail::record_sent(self.store(), &sender.actor(), c.now, from, &failed).await?;
                continue;
            }
            self.send_planned(&sender, &doc, &deliveries, &plan).await?;
        }
        Ok(())
    }

    /// Sends delivery `id` by e-mail again after it failed or bounced: to
    /// the office's address as it is now (the clerk may have corrected
    /// it), with the letter and everything it carries. The sending office's
    /// clerks only.
    pub async fn resend_mail(
        &self,
        c: &Caller,
        id: super::super::DeliveryId,
    ) -> AppResult<super::MailDelivery> {
        c.may(super::super::Action::Dispatch)?;
        let d = routing::get(self.store(), &c.office, id.0).await?;
        let before = mail::mail_deliveries(self.store(), &[d.id])
            .await?
            .into_iter()
            .find(|m| m.office_id == c.office.id && d.from_office == c.office.id)
            .ok_or_else(AppError::not_found)?;
        if !matches!(before.state.as_str(), "failed" | "bounced") {
            return Err(AppError::new(
                Kind::Conflict,
                "mail_not_failed",
                "หนังสือฉบับนี้ส่งทางอีเมลถึงผู้รับแล้ว ส่งซ้ำได้เฉพาะฉบับที่ส่งไม่สำเร็จหรืออีเมลตีกลับ",
                "this letter already went by e-mail; only a failed or bounced one is sent again",
            ));
        }
        let doc = documents::get(self.store(), d.document_id).await?;
        if self.carries_secret(&doc, Some(d.id)).await? {
            return Err(secret_refused());
        }
        let to = crate::store::offices::get(self.store(), d.to_office).await?;
        let address = Some(to.fields.email.trim())
            .filter(|a| !a.is_empty())
            .unwrap_or(before.address.as_str())
            .to_string();
        let mut plan = MailPlan::default();
        plan.to.insert(to.id, address);
        self.send_planned(c, &doc, std::slice::from_ref(&d), &plan)
            .await?;
        mail::mail_deliveries(self.store(), &[d.id])
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::internal("ไม่พบผลการส่งอีเมล", "the resend was not recorded"))
    }

    /// Document `id`'s enclosures as files.
    async fn enclosures(&self, id: i64) -> AppResult<Vec<File>> {
        let mut files = Vec::new();
        for a in documents::attachments(self.store(), id).await? {
            files.push(File {
                bytes: documents::attachment_bytes(self.store(), a.id).await?,
                name: a.name,
                media_type: a.media_type,
            });
        }
        Ok(files)
    }

    /// The letters above delivery `id` down its cascade (the original
    /// first) that the caller may read, each as its PDF and enclosures.
    async fn carried_above(&self, c: &Caller, id: i64) -> AppResult<Vec<(Stored, Vec<File>)>> {
        let above = routing::letters_above(self.store(), id).await?;
        let readable = search::visible_ids(self.store(), &c.viewer(), &above).await?;
        let mut out = Vec::new();
        for d in documents::get_many(self.store(), &above).await? {
            if !readable.contains(&d.id) {
                continue;
            }
            let number = c
                .office
                .fields
                .digits
                .apply(d.number.as_deref().unwrap_or_default());
            let mut files = vec![File {
                name: pdf_name(&number),
                media_type: "application/pdf".into(),
                bytes: self.pdf_of(c, &d).await?,
            }];
            files.extend(self.enclosures(d.id).await?);
            out.push((d, files));
        }
        Ok(out)
    }

    /// Whether a letter or any letter above delivery `below` (when given)
    /// has a secrecy grade: none of them may go by e-mail.
    pub(crate) async fn carries_secret(&self, doc: &Stored, below: Option<i64>) -> AppResult<bool> {
        if doc.content.secrecy().is_some() {
            return Ok(true);
        }
        let Some(below) = below else {
            return Ok(false);
        };
        let above = routing::letters_above(self.store(), below).await?;
        Ok(documents::get_many(self.store(), &above)
            .await?
            .iter()
            .any(|d| d.content.secrecy().is_some()))
    }

    /// The e-mail side of deliveries `ids` the caller may see (their
    /// sending office's, or the recipient's).
    pub async fn mail_of_deliveries(
        &self,
        c: &Caller,
        ids: &[i64],
    ) -> AppResult<HashMap<i64, super::MailDelivery>> {
        c.may(super::super::Action::Read)?;
        Ok(mail::mail_deliveries(self.store(), ids)
            .await?
            .into_iter()
            .filter(|m| m.office_id == c.office.id)
            .map(|m| (m.delivery_id, m))
            .collect())
    }
}

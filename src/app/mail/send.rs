//! Letters out by e-mail. Before a dispatch: which recipients get the
//! letter by e-mail (offices outside saraban always; every office with an
//! address when the clerk chose "by e-mail"), refusing a secret letter, an
//! outside office without an address and an office without a mailbox.
//! After it: one message per delivery from the office's mailbox with the
//! letter's PDF (the personal letter when one was made) and enclosures,
//! then the Message-IDs (or the failures) recorded in one transaction.

use std::collections::HashMap;

use super::super::error::{AppError, AppResult, Kind};
use super::super::{App, Caller, Delivery, Office, Stored};
use super::settings::smtp_server;
use crate::mailer::smtp::{self, File, Outgoing};
use crate::store::mail::{self, Sent};
use crate::store::{documents, personalise};
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
    /// Which of `to` get `doc` by e-mail; refuses what may not go.
    pub(crate) async fn mail_plan(
        &self,
        c: &Caller,
        doc: &Stored,
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
        if doc.content.secrecy().is_some() {
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
    /// each result; a delivery that failed stays, marked failed.
    pub(crate) async fn send_planned(
        &self,
        c: &Caller,
        doc: &Stored,
        deliveries: &[Delivery],
        plan: &MailPlan,
    ) -> AppResult<Vec<Sent>> {
        if plan.to.is_empty() {
            return Ok(Vec::new());
        }
        let settings = mail::settings(self.store(), c.office.id)
            .await?
            .ok_or_else(|| AppError::internal("ไม่พบตู้อีเมลกลาง", "no mailbox"))?;
        // A password that cannot be read fails every message, recorded.
        let server: Result<crate::mailer::Server, String> = match smtp_server(&settings) {
            Ok(Some(s)) => Ok(s),
            Ok(None) => Err("no SMTP server".into()),
            Err(e) => Err(e.message_en),
        };
        let official = self.pdf_of(c, doc).await?;
        let mut enclosures = Vec::new();
        for a in documents::attachments(self.store(), doc.id).await? {
            enclosures.push(File {
                name: a.name.clone(),
                media_type: a.media_type.clone(),
                bytes: documents::attachment_bytes(self.store(), a.id).await?,
            });
        }
        let digits = c.office.fields.digits;
        let number = digits.apply(&doc.number.clone().unwrap_or_default());
        let date = doc
            .date
            .map(|d| format_date(d, DateStyle::Long, digits))
            .unwrap_or_default();
        let pdf_name = file_name(&format!(
            "{}.pdf",
            if number.is_empty() {
                "หนังสือ".to_string()
            } else {
                number.clone()
            }
        ));
        let mut results = Vec::new();
        for d in deliveries {
            let Some(address) = plan.to.get(&d.to_office) else {
                continue;
            };
            let id = message_id(d.id, &settings.from_address);
            let to_name = crate::store::offices::get(self.store(), d.to_office)
                .await
                .map(|o| o.fields.name)
                .unwrap_or_default();
            let letter = personalise::letter(self.store(), &c.office, d.id)
                .await
                .unwrap_or_else(|_| official.clone());
            let mut files = vec![File {
                name: pdf_name.clone(),
                media_type: "application/pdf".into(),
                bytes: letter,
            }];
            files.extend(enclosures.iter().cloned());
            let text = format!(
                "เรียน {to_name}\n\n{from} ขอส่งหนังสือราชการ ที่ {number} ลงวันที่ {date} เรื่อง {subject} \
                 มาพร้อมนี้ ตามไฟล์หนังสือ (PDF) และสิ่งที่ส่งมาด้วยที่แนบ\n\n\
                 หนังสือฉบับนี้ส่งทางไปรษณีย์อิเล็กทรอนิกส์จากที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลางของส่วนราชการ \
                 ตามระเบียบสำนักนายกรัฐมนตรีว่าด้วยงานสารบรรณ หากมีข้อสงสัยหรือตอบกลับ โปรดตอบกลับอีเมลฉบับนี้\n\n{from}\n{phone}",
                from = c.office.fields.name,
                subject = doc.subject,
                phone = [
                    Some(c.office.fields.phone.as_str())
                        .filter(|p| !p.is_empty())
                        .map(|p| format!("โทร {p}")),
                    Some(format!("ไปรษณีย์อิเล็กทรอนิกส์ {}", settings.from_address)),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("\n"),
            );
            let out = Outgoing {
                from: settings.from_address.clone(),
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

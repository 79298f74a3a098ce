//! Notices of new work by e-mail (issue 19): when an office has a mailbox
//! and the person an item is for has an address, an urgent letter's item
//! (ด่วน, ด่วนมาก, ด่วนที่สุด) is sent at once, the rest wait for the daily
//! digest (`send_digests`, run by the scheduler in `serve`). A secret
//! letter's subject never goes into a notice.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::super::{Actor, App, Caller};
use super::settings::smtp_server;
use crate::mailer::smtp::{self, Outgoing};
use crate::store::notices::{self, NewNotice};
use crate::store::{mail, workflow as wf};

fn message_id(from: &str, what: &str) -> String {
    let mut random = [0u8; 8];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut random)
        .expect("the system's random source works");
    let domain = from.rsplit_once('@').map(|(_, d)| d).unwrap_or("saraban");
    format!("saraban.{what}.{}@{domain}", hex::encode(random))
}

impl App {
    /// E-mail notices of new work items `items` (see the module).
    pub(crate) async fn mail_notices(&self, c: &Caller, items: &[i64]) {
        if let Err(e) = self.mail_notices_inner(c, items).await {
            tracing::error!(error = %e, "e-mail notices not made");
        }
    }

    async fn mail_notices_inner(&self, c: &Caller, items: &[i64]) -> super::AppResult<()> {
        let Some(settings) = mail::settings(self.store(), c.office.id).await? else {
            return Ok(());
        };
        if settings.smtp_host.is_empty() || settings.from_address.is_empty() {
            return Ok(());
        }
        let mut made = Vec::new();
        for id in items {
            let Some(item) = wf::item(self.store(), *id).await? else {
                continue;
            };
            let email = mail::user_email(self.store(), item.assignee_id).await?;
            if email.is_empty() {
                continue;
            }
            let urgency = item.urgency.clone().filter(|u| !u.is_empty());
            let subject = if item.secrecy.as_deref().is_some_and(|s| !s.is_empty()) {
                "หนังสือชั้นความลับ (ดูในระบบ)".to_string()
            } else {
                item.subject.clone()
            };
            let text = format!(
                "{}{}: {}{}",
                urgency.as_deref().map(|_| "[ด่วน] ").unwrap_or_default(),
                item.kind.thai(),
                item.number
                    .as_deref()
                    .map(|n| format!("ที่ {n} "))
                    .unwrap_or_default(),
                subject,
            );
            let mut notice = NewNotice {
                user_id: item.assignee_id,
                office_id: c.office.id,
                item_id: item.id,
                urgent: urgency.is_some(),
                text: text.clone(),
                sent: false,
                error: None,
            };
            if notice.urgent {
                notice.sent = true;
                let out = Outgoing {
                    from: settings.from_address.clone(),
                    from_name: c.office.fields.name.clone(),
                    to: email,
                    subject: format!("งานด่วนในระบบสารบรรณ: {}", item.kind.thai()),
                    text: format!(
                        "มีงานใหม่ถึงท่านในระบบสารบรรณอิเล็กทรอนิกส์\n\n{text}\n\nดูและดำเนินการได้ที่ {}/work\n\n{}",
                        self.public_url(),
                        c.office.fields.name
                    ),
                    message_id: message_id(&settings.from_address, "notice"),
                    files: Vec::new(),
                };
                notice.error = match smtp_server(&settings) {
                    Ok(Some(server)) => smtp::send(&server, &out).await.err().map(|e| e.0),
                    Ok(None) => Some("no SMTP server".into()),
                    Err(e) => Some(e.message_en),
                };
            }
            made.push(notice);
        }
        notices::record(self.store(), &c.actor(), c.now, &made).await?;
        Ok(())
    }

    /// Sends each person one message listing the notices waiting for them
    /// (created up to `now`); returns how many digests went. Run daily by
    /// the scheduler; a digest that fails is recorded with its error.
    pub async fn send_digests(&self, now: DateTime<Utc>) -> super::AppResult<usize> {
        let waiting = notices::waiting(self.store(), now).await?;
        let mut by_user: BTreeMap<(i64, i64), Vec<notices::Waiting>> = BTreeMap::new();
        for w in waiting {
            by_user.entry((w.office_id, w.user_id)).or_default().push(w);
        }
        let actor = Actor("mail:digest".into());
        let mut sent = 0;
        for ((office_id, user_id), list) in by_user {
            let ids: Vec<i64> = list.iter().map(|w| w.id).collect();
            let settings = mail::settings(self.store(), office_id).await?;
            let email = mail::user_email(self.store(), user_id).await?;
            let error = match (&settings, email.is_empty()) {
                (Some(s), false) => match smtp_server(s) {
                    Ok(Some(server)) => {
                        let office = crate::store::offices::get(self.store(), office_id).await?;
                        let lines: Vec<String> = list
                            .iter()
                            .enumerate()
                            .map(|(i, w)| {
                                crate::thai::to_thai_digits(&format!("{}. {}", i + 1, w.text))
                            })
                            .collect();
                        let out = Outgoing {
                            from: s.from_address.clone(),
                            from_name: office.fields.name.clone(),
                            to: email.clone(),
                            subject: format!(
                                "สรุปงานในระบบสารบรรณ {} เรื่อง",
                                crate::thai::to_thai_digits(&list.len().to_string())
                            ),
                            text: format!(
                                "งานที่ถึงท่านในระบบสารบรรณอิเล็กทรอนิกส์ตั้งแต่สรุปครั้งก่อน\n\n{}\n\nดูและดำเนินการได้ที่ {}/work\n\n{}",
                                lines.join("\n"),
                                self.public_url(),
                                office.fields.name
                            ),
                            message_id: message_id(&s.from_address, "digest"),
                            files: Vec::new(),
                        };
                        smtp::send(&server, &out).await.err().map(|e| e.0)
                    }
                    Ok(None) => Some("no SMTP server".to_string()),
                    Err(e) => Some(e.message_en),
                },
                (None, _) => Some("no mailbox".to_string()),
                (_, true) => Some("no address".to_string()),
            };
            if error.is_none() {
                sent += 1;
            }
            notices::mark_sent(self.store(), &actor, now, office_id, &ids, error.as_deref())
                .await?;
        }
        Ok(sent)
    }
}

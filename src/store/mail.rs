//! E-mail rows: an office's mailbox settings (`office_mail`; the password
//! only as `env:VAR` / `file:/path`), users' addresses, deliveries sent by
//! e-mail with their Message-ID and what came back, messages fetched over
//! IMAP waiting for the clerk, and queued notices. Each write is one
//! audited transaction.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::audit::Change;
use super::{Actor, Store, StoreError, sha256_hex, stamp};

/// An office's mailbox and whether it is outside saraban.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MailSettings {
    pub office_id: i64,
    /// Letters to this office go by e-mail to its address (offices.email).
    pub outside: bool,
    pub smtp_host: String,
    pub smtp_port: i64,
    pub smtp_security: String,
    pub smtp_username: String,
    pub imap_host: String,
    pub imap_port: i64,
    pub imap_security: String,
    pub imap_username: String,
    pub imap_folder: String,
    pub from_address: String,
    /// Where the password is: `env:VAR` or `file:/path`.
    pub password: String,
    pub updated_at: String,
    pub updated_by: String,
}

const SETTINGS: &str = "id, outside, smtp_host, smtp_port, smtp_security, smtp_username, \
     imap_host, imap_port, imap_security, imap_username, imap_folder, from_address, password, \
     updated_at, updated_by";

fn settings_row(r: &AnyRow) -> Result<MailSettings, StoreError> {
    Ok(MailSettings {
        office_id: r.try_get(0)?,
        outside: r.try_get::<i64, _>(1)? != 0,
        smtp_host: r.try_get(2)?,
        smtp_port: r.try_get(3)?,
        smtp_security: r.try_get(4)?,
        smtp_username: r.try_get(5)?,
        imap_host: r.try_get(6)?,
        imap_port: r.try_get(7)?,
        imap_security: r.try_get(8)?,
        imap_username: r.try_get(9)?,
        imap_folder: r.try_get(10)?,
        from_address: r.try_get(11)?,
        password: r.try_get(12)?,
        updated_at: r.try_get(13)?,
        updated_by: r.try_get(14)?,
    })
}

pub async fn settings(store: &Store, office_id: i64) -> Result<Option<MailSettings>, StoreError> {
    let row = sqlx::query(&format!("SELECT {SETTINGS} FROM office_mail WHERE id = $1"))
        .bind(office_id)
        .fetch_optional(store.reader())
        .await?;
    row.as_ref().map(settings_row).transpose()
}

/// Offices with a mailbox to fetch from.
pub async fn fetching_offices(store: &Store) -> Result<Vec<i64>, StoreError> {
    let rows = sqlx::query("SELECT id FROM office_mail WHERE imap_host <> '' ORDER BY id")
        .fetch_all(store.reader())
        .await?;
    rows.iter()
        .map(|r| Ok(r.try_get(0)?))
        .collect::<Result<_, StoreError>>()
}

/// Saves an office's settings and its receiving address, in one
/// transaction.
pub async fn save_settings(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    s: &MailSettings,
    email: &str,
) -> Result<(), StoreError> {
    let (mut tx, mut audit) = store.begin_audited(actor, at).await?;
    sqlx::query(
        "INSERT INTO office_mail (id, outside, smtp_host, smtp_port, smtp_security, smtp_username, \
         imap_host, imap_port, imap_security, imap_username, imap_folder, from_address, password, \
         updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
         ON CONFLICT (id) DO UPDATE SET outside = $2, smtp_host = $3, smtp_port = $4, \
         smtp_security = $5, smtp_username = $6, imap_host = $7, imap_port = $8, \
         imap_security = $9, imap_username = $10, imap_folder = $11, from_address = $12, \
         password = $13, updated_at = $14, updated_by = $15",
    )
    .bind(s.office_id)
    .bind(i64::from(s.outside))
    .bind(&s.smtp_host)
    .bind(s.smtp_port)
    .bind(&s.smtp_security)
    .bind(&s.smtp_username)
    .bind(&s.imap_host)
    .bind(s.imap_port)
    .bind(&s.imap_security)
    .bind(&s.imap_username)
    .bind(&s.imap_folder)
    .bind(&s.from_address)
    .bind(&s.password)
    .bind(stamp(at))
    .bind(&actor.0)
    .execute(&mut *tx)
    .await?;
    audit
        .append(
            &mut tx,
            Change {
                office_id: Some(s.office_id),
                action: "mail.settings",
                object: format!("office_mail:{}", s.office_id),
                before: None,
                after: None,
            },
        )
        .await?;
    let old: String = sqlx::query("SELECT email FROM offices WHERE id = $1")
        .bind(s.office_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
    if old != email {
        sqlx::query("UPDATE offices SET email = $1 WHERE id = $2")
            .bind(email)
            .bind(s.office_id)
            .execute(&mut *tx)
            .await?;
        audit
            .append(
                &mut tx,
                Change {
                    office_id: Some(s.office_id),
                    action: "office.email",
                    object: format!("office:{}", s.office_id),
                    before: Some(old.as_bytes()),
                    after: Some(email.as_bytes()),
                },
            )
            .await?;
    }
    audit.commit(tx).await?;
    store.auth_changed();
    Ok(())
}

/// A user's e-mail address ("" when none).
pub async fn user_email(store: &Store, user_id: i64) -> Result<String, StoreError> {
    let row = sqlx::query("SELECT email FROM user_emails WHERE id = $1")
        .bind(user_id)
        .fetch_optional(store.reader())
        .await?;
    Ok(match row {
        Some(r) => r.try_get(0)?,
        None => String::new(),
    })
}

pub async fn set_user_email(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    office_id: i64,
    user_id: i64,
    email: &str,
) -> Result<(), StoreError> {
    let (mut tx, mut audit) = store.begin_audited(actor, at).await?;
    sqlx::query(
        "INSERT INTO user_emails (id, email, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (id) DO UPDATE SET email = $2, updated_at = $3",
    )
    .bind(user_id)
    .bind(email)
    .bind(stamp(at))
    .execute(&mut *tx)
    .await?;
    audit
        .append(
            &mut tx,
            Change {
                office_id: Some(office_id),
                action: "user.email",
                object: format!("user_email:{user_id}"),
                before: None,
                after: Some(email.as_bytes()),
            },
        )
        .await?;
    audit.commit(tx).await?;
    store.auth_changed();
    Ok(())
}

/// A delivery sent by e-mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MailDelivery {
    pub delivery_id: i64,
    pub office_id: i64,
    pub address: String,
    pub message_id: String,
    /// `sent`, `failed`, `replied`, `bounced`.
    pub state: String,
    pub error: Option<String>,
    pub sent_at: Option<String>,
    /// The fetched reply or bounce.
    pub answer_id: Option<i64>,
    pub answered_at: Option<String>,
    pub bounce_status: Option<String>,
}

impl MailDelivery {
    pub fn thai(&self) -> &'static str {
        match self.state.as_str() {
            "sent" => "ส่งทางอีเมลแล้ว",
            "failed" => "ส่งทางอีเมลไม่สำเร็จ",
            "replied" => "ตอบกลับทางอีเมลแล้ว",
            "bounced" => "อีเมลตีกลับ (ส่งไม่ถึง)",
            _ => "กำลังส่งทางอีเมล",
        }
    }
}

const DELIVERY: &str = "id, office_id, address, message_id, state, error, sent_at, answer_id, \
     answered_at, bounce_status";

fn delivery_row(r: &AnyRow) -> Result<MailDelivery, StoreError> {
    Ok(MailDelivery {
        delivery_id: r.try_get(0)?,
        office_id: r.try_get(1)?,
        address: r.try_get(2)?,
        message_id: r.try_get(3)?,
        state: r.try_get(4)?,
        error: r.try_get(5)?,
        sent_at: r.try_get(6)?,
        answer_id: r.try_get(7)?,
        answered_at: r.try_get(8)?,
        bounce_status: r.try_get(9)?,
    })
}

pub async fn mail_delivery(store: &Store, id: i64) -> Result<Option<MailDelivery>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {DELIVERY} FROM mail_deliveries WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(store.reader())
    .await?;
    row.as_ref().map(delivery_row).transpose()
}

/// The e-mail rows of deliveries `ids`.
pub async fn mail_deliveries(store: &Store, ids: &[i64]) -> Result<Vec<MailDelivery>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = super::id_list(ids);
    let rows = sqlx::query(&format!(
        "SELECT {DELIVERY} FROM mail_deliveries WHERE id IN ({list}) ORDER BY id"
    ))
    .fetch_all(store.reader())
    .await?;
    rows.iter().map(delivery_row).collect()
}

/// What sending one delivery by e-mail did.
#[derive(Debug, Clone)]
pub struct Sent {
    pub delivery_id: i64,
    pub address: String,
    pub message_id: String,
    /// `None` when the server took it.
    pub error: Option<String>,
}

/// Records what sending did, every delivery in one transaction.
pub async fn record_sent(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    office_id: i64,
    sent: &[Sent],
) -> Result<(), StoreError> {
    if sent.is_empty() {
        return Ok(());
    }
    let (mut tx, mut audit) = store.begin_audited(actor, at).await?;
    for s in sent {
        let state = if s.error.is_none() { "sent" } else { "failed" };
        sqlx::query(
            "INSERT INTO mail_deliveries (id, office_id, address, message_id, state, error, sent_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO UPDATE SET address = $3, \
             message_id = $4, state = $5, error = $6, sent_at = $7, answer_id = NULL, \
             answered_at = NULL, bounce_status = NULL",
        )
        .bind(s.delivery_id)
        .bind(office_id)
        .bind(&s.address)
        .bind(&s.message_id)
        .bind(state)
        .bind(&s.error)
        .bind(stamp(at))
        .execute(&mut *tx)
        .await?;
        audit
            .append(
                &mut tx,
                Change {
                    office_id: Some(office_id),
                    action: if s.error.is_none() {
                        "mail.sent"
                    } else {
                        "mail.failed"
                    },
                    object: format!("mail_delivery:{}", s.delivery_id),
                    before: None,
                    after: Some(s.message_id.as_bytes()),
                },
            )
            .await?;
    }
    audit.commit(tx).await
}

/// A message fetched from an office's mailbox.
#[derive(Debug, Clone, Serialize)]
pub struct MailMessage {
    pub id: i64,
    pub office_id: i64,
    pub message_id: String,
    pub uid: i64,
    pub from_address: String,
    pub subject: String,
    /// `letter`, `reply`, `bounce`.
    pub kind: String,
    pub delivery_id: Option<i64>,
    pub sha256: String,
    /// `pending`, `registered`, `dismissed`, `recorded`.
    pub state: String,
    pub upload_id: Option<i64>,
    pub received_id: Option<i64>,
    pub fetched_at: String,
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
    #[serde(skip)]
    pub raw: Vec<u8>,
}

const MESSAGE: &str = "id, office_id, message_id, uid, from_address, subject, kind, delivery_id, \
     sha256, state, upload_id, received_id, fetched_at, decided_at, decided_by, raw";

fn message_row(r: &AnyRow) -> Result<MailMessage, StoreError> {
    Ok(MailMessage {
        id: r.try_get(0)?,
        office_id: r.try_get(1)?,
        message_id: r.try_get(2)?,
        uid: r.try_get(3)?,
        from_address: r.try_get(4)?,
        subject: r.try_get(5)?,
        kind: r.try_get(6)?,
        delivery_id: r.try_get(7)?,
        sha256: r.try_get(8)?,
        state: r.try_get(9)?,
        upload_id: r.try_get(10)?,
        received_id: r.try_get(11)?,
        fetched_at: r.try_get(12)?,
        decided_at: r.try_get(13)?,
        decided_by: r.try_get(14)?,
        raw: r.try_get(15)?,
    })
}

/// An office's fetched messages: the pending letters, or all of them.
pub async fn messages(
    store: &Store,
    office_id: i64,
    pending_only: bool,
) -> Result<Vec<MailMessage>, StoreError> {
    let filter = if pending_only {
        " AND state = 'pending'"
    } else {
        ""
    };
    let rows = sqlx::query(&format!(
        "SELECT {MESSAGE} FROM mail_messages WHERE office_id = $1{filter} ORDER BY id DESC LIMIT 500"
    ))
    .bind(office_id)
    .fetch_all(store.reader())
    .await?;
    rows.iter().map(message_row).collect()
}

pub async fn message(
    store: &Store,
    office_id: i64,
    id: i64,
) -> Result<Option<MailMessage>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {MESSAGE} FROM mail_messages WHERE id = $1 AND office_id = $2"
    ))
    .bind(id)
    .bind(office_id)
    .fetch_optional(store.reader())
    .await?;
    row.as_ref().map(message_row).transpose()
}

/// Where fetching stopped last time: (UIDVALIDITY, last UID).
pub async fn fetch_state(store: &Store, office_id: i64) -> Result<Option<(i64, i64)>, StoreError> {
    let row =
        sqlx::query("SELECT uid_validity, last_uid FROM mail_fetch_state WHERE office_id = $1")
            .bind(office_id)
            .fetch_optional(store.reader())
            .await?;
    row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
}

/// A fetched message, classified.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub uid: i64,
    pub message_id: String,
    pub from_address: String,
    pub subject: String,
    pub kind: &'static str,
    /// For a reply or a bounce: the delivery it answers.
    pub delivery_id: Option<i64>,
    pub bounce_status: Option<String>,
    pub raw: Vec<u8>,
}

/// Records one fetch: new messages (one already there is skipped), the
/// replies and bounces on their deliveries, and where to start next time.
/// Returns the ids of the messages added.
pub async fn record_fetched(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    office_id: i64,
    uid_validity: i64,
    last_uid: i64,
    found: &[NewMessage],
) -> Result<Vec<i64>, StoreError> {
    let (mut tx, mut audit) = store.begin_audited(actor, at).await?;
    let now = stamp(at);
    let mut added = Vec::new();
    for m in found {
        let state = if m.kind == "letter" {
            "pending"
        } else {
            "recorded"
        };
        let row = sqlx::query(
            "INSERT INTO mail_messages (office_id, message_id, uid, from_address, subject, kind, \
             delivery_id, sha256, raw, state, fetched_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (office_id, message_id) DO NOTHING RETURNING id",
        )
        .bind(office_id)
        .bind(&m.message_id)
        .bind(m.uid)
        .bind(&m.from_address)
        .bind(&m.subject)
        .bind(m.kind)
        .bind(m.delivery_id)
        .bind(sha256_hex(&m.raw))
        .bind(&m.raw)
        .bind(state)
        .bind(&now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else { continue };
        let id: i64 = row.try_get(0)?;
        added.push(id);
        audit
            .append(
                &mut tx,
                Change {
                    office_id: Some(office_id),
                    action: "mail.fetched",
                    object: format!("mail_message:{id}"),
                    before: None,
                    after: Some(m.message_id.as_bytes()),
                },
            )
            .await?;
        if let Some(d) = m.delivery_id {
            let state = if m.kind == "bounce" {
                "bounced"
            } else {
                "replied"
            };
            sqlx::query(
                "UPDATE mail_deliveries SET state = $1, answer_id = $2, answered_at = $3, \
                 bounce_status = $4 WHERE id = $5 AND office_id = $6",
            )
            .bind(state)
            .bind(id)
            .bind(&now)
            .bind(&m.bounce_status)
            .bind(d)
            .bind(office_id)
            .execute(&mut *tx)
            .await?;
            audit
                .append(
                    &mut tx,
                    Change {
                        office_id: Some(office_id),
                        action: if m.kind == "bounce" {
                            "mail.bounced"
                        } else {
                            "mail.replied"
                        },
                        object: format!("mail_delivery:{d}"),
                        before: None,
                        after: Some(m.message_id.as_bytes()),
                    },
                )
                .await?;
        }
    }
    sqlx::query(
        "INSERT INTO mail_fetch_state (office_id, uid_validity, last_uid, fetched_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (office_id) DO UPDATE SET uid_validity = $2, \
         last_uid = $3, fetched_at = $4",
    )
    .bind(office_id)
    .bind(uid_validity)
    .bind(last_uid)
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    audit.commit(tx).await?;
    Ok(added)
}

/// The delivery of `office_id`'s that sent Message-ID `id`, if any.
pub async fn delivery_by_message_id(
    store: &Store,
    office_id: i64,
    ids: &[String],
) -> Result<Option<i64>, StoreError> {
    for id in ids {
        let row =
            sqlx::query("SELECT id FROM mail_deliveries WHERE message_id = $1 AND office_id = $2")
                .bind(id)
                .bind(office_id)
                .fetch_optional(store.reader())
                .await?;
        if let Some(r) = row {
            return Ok(Some(r.try_get(0)?));
        }
    }
    Ok(None)
}

/// The clerk opened a pending message: the intake upload it became.
pub async fn set_upload(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    office_id: i64,
    id: i64,
    upload_id: i64,
) -> Result<(), StoreError> {
    let (mut tx, mut audit) = store.begin_audited(actor, at).await?;
    sqlx::query("UPDATE mail_messages SET upload_id = $1 WHERE id = $2 AND office_id = $3")
        .bind(upload_id)
        .bind(id)
        .bind(office_id)
        .execute(&mut *tx)
        .await?;
    audit
        .append(
            &mut tx,
            Change {
                office_id: Some(office_id),
                action: "mail.opened",
                object: format!("mail_message:{id}"),
                before: None,
                after: None,
            },
        )
        .await?;
    audit.commit(tx).await
}

/// Registered (with the received letter) or dismissed.
pub async fn decide(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    office_id: i64,
    id: i64,
    received_id: Option<i64>,
) -> Result<bool, StoreError> {
    let (mut tx, mut audit) = store.begin_audited(actor, at).await?;
    let state = if received_id.is_some() {
        "registered"
    } else {
        "dismissed"
    };
    let done = sqlx::query(
        "UPDATE mail_messages SET state = $1, received_id = $2, decided_at = $3, decided_by = $4 \
         WHERE id = $5 AND office_id = $6 AND state = 'pending'",
    )
    .bind(state)
    .bind(received_id)
    .bind(stamp(at))
    .bind(&actor.0)
    .bind(id)
    .bind(office_id)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if done {
        audit
            .append(
                &mut tx,
                Change {
                    office_id: Some(office_id),
                    action: if received_id.is_some() {
                        "mail.registered"
                    } else {
                        "mail.dismissed"
                    },
                    object: format!("mail_message:{id}"),
                    before: None,
                    after: None,
                },
            )
            .await?;
    }
    audit.commit(tx).await?;
    Ok(done)
}

/// The pending message whose intake upload is `upload_id`.
pub async fn message_of_upload(
    store: &Store,
    office_id: i64,
    upload_id: i64,
) -> Result<Option<i64>, StoreError> {
    let row = sqlx::query(
        "SELECT id FROM mail_messages WHERE office_id = $1 AND upload_id = $2 AND state = 'pending'",
    )
    .bind(office_id)
    .bind(upload_id)
    .fetch_optional(store.reader())
    .await?;
    row.map(|r| Ok(r.try_get(0)?)).transpose()
}

/// Which of offices `ids` are outside saraban.
pub async fn outside_offices(
    store: &Store,
    ids: &[i64],
) -> Result<std::collections::HashSet<i64>, StoreError> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let list = super::id_list(ids);
    let rows = sqlx::query(&format!(
        "SELECT id FROM office_mail WHERE outside <> 0 AND id IN ({list})"
    ))
    .fetch_all(store.reader())
    .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

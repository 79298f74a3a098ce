//! Reply forms hosted by saraban: a letter's form (kept while it is a
//! draft, frozen with its numbering), the token each recipient office's
//! delivery gets when the letter is sent (`deliveries.token`, 128 random
//! bits, bound to that delivery), and the replies that arrive through it:
//! one per delivery, amended in place, its files kept beside it. A reply
//! marks the delivery ตอบกลับแล้ว (`replied`) in the same audited
//! transaction. Exports are in `export`, reminders in `reminders`.

pub mod export;
pub mod reminders;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::{Any, Row, Transaction};

use super::audit::{Appender, Change};
use super::documents::{self, State};
use super::offices::{self, Office};
use super::routing::{self, Delivery, DeliveryState};
use super::{Actor, Store, StoreError, sha256_hex, stamp};
use crate::model::reply_form::{Answer, Answers, FileRef, ReplyForm};

/// How a letter addresses these offices (as a cover letter does).
pub fn addressee(to: &[Office]) -> String {
    super::cover::addressee(to)
}

/// A letter's reply form, if it has one.
pub async fn form(store: &Store, document_id: i64) -> Result<Option<ReplyForm>, StoreError> {
    let row = sqlx::query("SELECT definition FROM reply_forms WHERE document_id = $1")
        .bind(document_id)
        .fetch_optional(store.reader())
        .await?;
    row.map(|r| parse_form(&r.try_get::<String, _>(0)?))
        .transpose()
}

fn parse_form(json: &str) -> Result<ReplyForm, StoreError> {
    serde_json::from_str(json).map_err(|_| StoreError::Corrupt {
        column: "reply_forms.definition",
        value: json.chars().take(80).collect(),
    })
}

async fn form_in(
    tx: &mut Transaction<'static, Any>,
    document_id: i64,
) -> Result<Option<(i64, ReplyForm)>, StoreError> {
    let row = sqlx::query("SELECT id, definition FROM reply_forms WHERE document_id = $1")
        .bind(document_id)
        .fetch_optional(&mut **tx)
        .await?;
    match row {
        Some(r) => Ok(Some((
            r.try_get(0)?,
            parse_form(&r.try_get::<String, _>(1)?)?,
        ))),
        None => Ok(None),
    }
}

/// Stores (or replaces) the reply form of a draft of `acting`: keys are
/// given to new fields, and the form is checked. A numbered letter's form
/// is frozen.
pub async fn put_form(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    acting: &Office,
    document_id: i64,
    form: &ReplyForm,
) -> Result<ReplyForm, StoreError> {
    let mut form = form.clone();
    form.normalise();
    if let Some(e) = form.check().into_iter().next() {
        return Err(StoreError::Invalid(e));
    }
    let (mut tx, mut audit) = store.begin_audited(actor, at).await?;
    let doc = documents::get_in(&mut tx, document_id).await?;
    if doc.office_id != acting.id {
        return Err(StoreError::UnknownDocument(document_id));
    }
    if doc.state != State::Draft {
        return Err(StoreError::Frozen {
            field: "reply_form",
            field_th: "แบบตอบรับ",
        });
    }
    let json = serde_json::to_string(&form).expect("a form serialises");
    let id: i64 = match form_in(&mut tx, document_id).await? {
        Some((id, _)) => {
            sqlx::query(
                "UPDATE reply_forms SET definition = $1, updated_at = $2, updated_by = $3 WHERE id = $4",
            )
            .bind(&json)
            .bind(stamp(at))
            .bind(&actor.0)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            id
        }
        None => sqlx::query(
            "INSERT INTO reply_forms (document_id, definition, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(document_id)
        .bind(&json)
        .bind(stamp(at))
        .bind(&actor.0)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?,
    };
    audit
        .append(
            &mut tx,
            Change {
                office_id: Some(acting.id),
                action: "reply_form.save",
                object: format!("reply_form:{id}"),
                before: None,
                after: Some(json.as_bytes()),
            },
        )
        .await?;
    audit.commit(tx).await?;
    Ok(form)
}

/// A fresh reply token: 128 random bits as 32 hex digits.
fn new_token() -> String {
    super::accounts::new_secret()[..32].to_string()
}

/// Gives each new delivery of a letter with a reply form its own reply
/// token, inside the dispatch's transaction. A secret letter's deliveries
/// get none: saraban hosts no forms for secret letters.
pub(crate) async fn issue_tokens_in(
    tx: &mut Transaction<'static, Any>,
    doc: &documents::Stored,
    sent: &[Delivery],
) -> Result<(), StoreError> {
    if sent.is_empty()
        || super::search::secrecy_of(&doc.content).is_some()
        || form_in(tx, doc.id).await?.is_none()
    {
        return Ok(());
    }
    // Many rows per statement: `CASE id WHEN … THEN …`.
    for chunk in sent.chunks(300) {
        let mut cases = String::new();
        let mut ids = Vec::new();
        for i in 0..chunk.len() {
            cases.push_str(&format!(" WHEN ${} THEN ${}", 2 * i + 1, 2 * i + 2));
            ids.push(format!("${}", 2 * i + 1));
        }
        let sql = format!(
            "UPDATE deliveries SET token = CASE id{cases} END WHERE id IN ({})",
            ids.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for d in chunk {
            q = q.bind(d.id).bind(new_token());
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// A reply as stored, with its office's name.
#[derive(Debug, Clone, Serialize)]
pub struct Reply {
    pub id: i64,
    pub delivery_id: i64,
    pub document_id: i64,
    pub office_id: i64,
    pub office: String,
    pub answers: Answers,
    pub created_at: String,
    pub updated_at: String,
    pub revisions: i64,
}

const REPLY_COLUMNS: &str = "r.id, r.delivery_id, r.document_id, r.office_id, o.name, r.answers, \
     r.created_at, r.updated_at, CAST(r.revisions AS BIGINT)";

fn reply_from(row: &sqlx::any::AnyRow) -> Result<Reply, StoreError> {
    let answers: String = row.try_get(5)?;
    Ok(Reply {
        id: row.try_get(0)?,
        delivery_id: row.try_get(1)?,
        document_id: row.try_get(2)?,
        office_id: row.try_get(3)?,
        office: row.try_get(4)?,
        answers: serde_json::from_str(&answers).map_err(|_| StoreError::Corrupt {
            column: "replies.answers",
            value: answers.chars().take(80).collect(),
        })?,
        created_at: row.try_get(6)?,
        updated_at: row.try_get(7)?,
        revisions: row.try_get(8)?,
    })
}

/// What a reply token is bound to.
#[derive(Debug, Clone)]
pub struct Target {
    pub delivery: Delivery,
    pub document: documents::Stored,
    pub office: Office,
    pub form: Option<ReplyForm>,
    pub reply: Option<Reply>,
    /// The latest deadline of a reminder sent to this office about it.
    pub reminded_until: Option<NaiveDate>,
}

impl Target {
    /// The last day replies are taken: the delivery's deadline (the one
    /// given at dispatch, else the letter's own `ภายในวันที่ …`), else 30
    /// days after it was sent; a reminder sent later with its own deadline
    /// reopens it until then.
    pub fn closes(&self) -> NaiveDate {
        let d = &self.delivery;
        let base = d.deadline.unwrap_or_else(|| {
            chrono::DateTime::parse_from_rfc3339(&d.sent_at)
                .map(|t| super::bangkok_date(t.with_timezone(&Utc)))
                .unwrap_or_default()
                + chrono::Days::new(30)
        });
        self.reminded_until.map_or(base, |r| r.max(base))
    }
}

/// The delivery, letter, office, form and reply behind `token`; `None`
/// when no delivery carries it.
pub async fn by_token(store: &Store, token: &str) -> Result<Option<Target>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {} FROM deliveries WHERE token = $1",
        routing::COLUMNS
    ))
    .bind(token)
    .fetch_optional(store.reader())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let delivery = routing::from_row(&row)?;
    let document = documents::get(store, delivery.document_id).await?;
    let office = offices::get(store, delivery.to_office).await?;
    let form = form(store, delivery.document_id).await?;
    let reply = sqlx::query(&format!(
        "SELECT {REPLY_COLUMNS} FROM replies r JOIN offices o ON o.id = r.office_id \
         WHERE r.delivery_id = $1"
    ))
    .bind(delivery.id)
    .fetch_optional(store.reader())
    .await?
    .map(|r| reply_from(&r))
    .transpose()?;
    let until: Option<String> = sqlx::query(
        "SELECT MAX(x.deadline) FROM reminders m JOIN deliveries x \
         ON x.document_id = m.reminder_id AND x.to_office = $2 WHERE m.delivery_id = $1",
    )
    .bind(delivery.id)
    .bind(delivery.to_office)
    .fetch_one(store.reader())
    .await?
    .try_get(0)?;
    Ok(Some(Target {
        reminded_until: until.and_then(|d| d.parse().ok()),
        delivery,
        document,
        office,
        form,
        reply,
    }))
}

/// A file uploaded with a reply, already typed by its bytes.
#[derive(Debug, Clone)]
pub struct NewFile {
    pub field: String,
    pub name: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

/// Stores the reply on `target`'s delivery (or amends the one there):
/// `answers` are checked already; `files` replace the files of their
/// fields. The delivery becomes `replied` unless it was forwarded (it
/// keeps that state; the reply shows beside it) or returned. One
/// transaction, recorded as `actor` (`reply:OFFICE`).
pub async fn save(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    target: &Target,
    mut answers: Answers,
    files: Vec<NewFile>,
) -> Result<Reply, StoreError> {
    let d = &target.delivery;
    let (mut tx, mut audit) = store.begin_audited(actor, at).await?;
    let now = stamp(at);
    let existing =
        sqlx::query("SELECT id, CAST(revisions AS BIGINT) FROM replies WHERE delivery_id = $1")
            .bind(d.id)
            .fetch_optional(&mut *tx)
            .await?;
    let (id, revisions, created) = match existing {
        Some(r) => (r.try_get::<i64, _>(0)?, r.try_get::<i64, _>(1)? + 1, false),
        None => {
            let id: i64 = sqlx::query(
                "INSERT INTO replies (delivery_id, document_id, office_id, answers, created_at, \
                 updated_at, revisions) VALUES ($1, $2, $3, '{}', $4, $4, 1) RETURNING id",
            )
            .bind(d.id)
            .bind(d.document_id)
            .bind(d.to_office)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
            (id, 1, true)
        }
    };
    for f in files {
        sqlx::query("DELETE FROM reply_files WHERE reply_id = $1 AND field = $2")
            .bind(id)
            .bind(&f.field)
            .execute(&mut *tx)
            .await?;
        let file: i64 = sqlx::query(
            "INSERT INTO reply_files (reply_id, field, name, media_type, size, sha256, bytes, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(id)
        .bind(&f.field)
        .bind(&f.name)
        .bind(&f.media_type)
        .bind(f.bytes.len() as i64)
        .bind(sha256_hex(&f.bytes))
        .bind(f.bytes.as_slice())
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        answers.insert(
            f.field.clone(),
            Answer::File(FileRef {
                file,
                name: f.name,
                size: f.bytes.len() as i64,
                media_type: f.media_type,
            }),
        );
    }
    let json = serde_json::to_string(&answers).expect("answers serialise");
    sqlx::query("UPDATE replies SET answers = $1, updated_at = $2, revisions = $3 WHERE id = $4")
        .bind(&json)
        .bind(&now)
        .bind(revisions)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let office_id = Some(d.to_office);
    audit
        .append(
            &mut tx,
            Change {
                office_id,
                action: if created {
                    "reply.submit"
                } else {
                    "reply.amend"
                },
                object: format!("reply:{id}"),
                before: None,
                after: Some(json.as_bytes()),
            },
        )
        .await?;
    let state: String = sqlx::query("SELECT state FROM deliveries WHERE id = $1")
        .bind(d.id)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
    let state = DeliveryState::parse(&state)?;
    if matches!(
        state,
        DeliveryState::Sent | DeliveryState::Received | DeliveryState::Acknowledged
    ) {
        sqlx::query(
            "UPDATE deliveries SET state = 'replied', acted_at = $1, acted_by = $2 WHERE id = $3",
        )
        .bind(&now)
        .bind(&actor.0)
        .bind(d.id)
        .execute(&mut *tx)
        .await?;
        audit
            .append(
                &mut tx,
                Change {
                    office_id,
                    action: "delivery.reply",
                    object: format!("delivery:{}", d.id),
                    before: Some(state.key().as_bytes()),
                    after: Some(b"replied"),
                },
            )
            .await?;
    }
    audit.commit(tx).await?;
    Ok(Reply {
        id,
        delivery_id: d.id,
        document_id: d.document_id,
        office_id: d.to_office,
        office: target.office.fields.name.clone(),
        answers,
        created_at: target
            .reply
            .as_ref()
            .map_or(now.clone(), |r| r.created_at.clone()),
        updated_at: now,
        revisions,
    })
}

/// Every reply to a letter, in the order its deliveries were made.
pub async fn list(store: &Store, document_id: i64) -> Result<Vec<Reply>, StoreError> {
    sqlx::query(&format!(
        "SELECT {REPLY_COLUMNS} FROM replies r JOIN offices o ON o.id = r.office_id \
         WHERE r.document_id = $1 ORDER BY r.delivery_id"
    ))
    .bind(document_id)
    .fetch_all(store.reader())
    .await?
    .iter()
    .map(reply_from)
    .collect()
}

/// A file of a reply to letter `document_id`: name, media type, bytes.
pub async fn file(
    store: &Store,
    document_id: i64,
    file_id: i64,
) -> Result<Option<(String, String, Vec<u8>)>, StoreError> {
    let row = sqlx::query(
        "SELECT f.name, f.media_type, f.bytes FROM reply_files f JOIN replies r ON r.id = f.reply_id \
         WHERE f.id = $1 AND r.document_id = $2",
    )
    .bind(file_id)
    .bind(document_id)
    .fetch_optional(store.reader())
    .await?;
    row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .transpose()
}

/// The deliveries of letter `document_id` (its own, not its forwards'),
/// each with whether a reply arrived.
pub async fn deliveries_of(
    store: &Store,
    document_id: i64,
) -> Result<Vec<(Delivery, bool)>, StoreError> {
    let columns: Vec<String> = routing::COLUMNS
        .split(", ")
        .map(|c| format!("d.{}", c.trim()))
        .collect();
    sqlx::query(&format!(
        "SELECT {}, CAST(CASE WHEN r.id IS NULL THEN 0 ELSE 1 END AS BIGINT) FROM deliveries d \
         LEFT JOIN replies r ON r.delivery_id = d.id WHERE d.document_id = $1 ORDER BY d.id",
        columns.join(", ")
    ))
    .bind(document_id)
    .fetch_all(store.reader())
    .await?
    .iter()
    .map(|row| {
        let replied: i64 = row.try_get(18)?;
        Ok((routing::from_row(row)?, replied != 0))
    })
    .collect()
}

/// When a draft is deleted: its form and the reminder rows it carries go
/// with it, each with its event.
pub(crate) async fn forget_draft_in(
    tx: &mut Transaction<'static, Any>,
    audit: &mut Appender,
    document_id: i64,
    office_id: i64,
) -> Result<(), StoreError> {
    for (table, key, prefix) in [
        ("reply_forms", "document_id", "reply_form"),
        ("reminders", "reminder_id", "reminder"),
    ] {
        let ids: Vec<i64> = sqlx::query(&format!("SELECT id FROM {table} WHERE {key} = $1"))
            .bind(document_id)
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
        if ids.is_empty() {
            continue;
        }
        sqlx::query(&format!("DELETE FROM {table} WHERE {key} = $1"))
            .bind(document_id)
            .execute(&mut **tx)
            .await?;
        for id in ids {
            audit
                .append(
                    tx,
                    Change {
                        office_id: Some(office_id),
                        action: "draft.delete",
                        object: format!("{prefix}:{id}"),
                        before: None,
                        after: None,
                    },
                )
                .await?;
        }
    }
    Ok(())
}

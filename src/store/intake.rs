//! Letters from outside registered through the receive form: uploads
//! waiting for the clerk's confirmation, and registrations (one office's
//! receipt of a letter: its receive-register entry, the file as it came,
//! the fields the clerk confirmed). The letter joins the reference graph as
//! an imported letter (`imports::import_one`: once per file and once per
//! number, date and sender), so its citations link like any other's.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{Any, Row, Transaction};

use super::audit::{Appender, Change};
use super::imports::{Source, import_one};
use super::numbering::{Entry, Issued, Series, issue_in};
use super::offices::Office;
use super::{Actor, Store, StoreError, sha256_hex, stamp};
use crate::parse::ParsedLetter;

/// Uploads older than this are dropped when the office next uploads.
const UPLOAD_HOURS: i64 = 24;

/// A file waiting for the clerk's confirmation.
#[derive(Debug, Clone)]
pub struct Upload {
    pub id: i64,
    pub office_id: i64,
    pub user_id: Option<i64>,
    pub sha256: String,
    pub name: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
    /// The pre-fill as JSON (what the form was filled with).
    pub prefill: String,
}

/// One new upload.
pub struct NewUpload<'a> {
    pub name: &'a str,
    pub media_type: &'a str,
    pub bytes: &'a [u8],
    pub prefill: String,
}

/// Stores uploads for `office` (and drops the office's stale ones), in one
/// transaction; returns their ids and hashes in order.
pub async fn add_uploads(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    office_id: i64,
    user_id: Option<i64>,
    files: &[NewUpload<'_>],
) -> Result<Vec<(i64, String)>, StoreError> {
    let (mut tx, mut audit) = store.begin_audited(actor, at).await?;
    let stale = stamp(at - chrono::Duration::hours(UPLOAD_HOURS));
    sqlx::query("DELETE FROM intake_uploads WHERE office_id = $1 AND created_at < $2")
        .bind(office_id)
        .bind(&stale)
        .execute(&mut *tx)
        .await?;
    let mut out = Vec::with_capacity(files.len());
    for f in files {
        let sha = sha256_hex(f.bytes);
        let row = sqlx::query(
            "INSERT INTO intake_uploads (office_id, user_id, sha256, name, media_type, bytes, \
             prefill, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(office_id)
        .bind(user_id)
        .bind(&sha)
        .bind(f.name)
        .bind(f.media_type)
        .bind(f.bytes)
        .bind(&f.prefill)
        .bind(stamp(at))
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get(0)?;
        audit
            .append(
                &mut tx,
                Change {
                    office_id: Some(office_id),
                    action: "intake.upload",
                    object: format!("upload:{id}"),
                    before: None,
                    after: Some(sha.as_bytes()),
                },
            )
            .await?;
        out.push((id, sha));
    }
    audit.commit(tx).await?;
    Ok(out)
}

/// An upload of `office_id`'s, if it is still there.
pub async fn upload(store: &Store, office_id: i64, id: i64) -> Result<Option<Upload>, StoreError> {
    let row = sqlx::query(
        "SELECT id, office_id, user_id, sha256, name, media_type, bytes, prefill \
         FROM intake_uploads WHERE id = $1 AND office_id = $2",
    )
    .bind(id)
    .bind(office_id)
    .fetch_optional(store.reader())
    .await?;
    row.map(|r| {
        Ok(Upload {
            id: r.try_get(0)?,
            office_id: r.try_get(1)?,
            user_id: r.try_get(2)?,
            sha256: r.try_get(3)?,
            name: r.try_get(4)?,
            media_type: r.try_get(5)?,
            bytes: r.try_get(6)?,
            prefill: r.try_get(7)?,
        })
    })
    .transpose()
}

/// A letter the office registered before that this one repeats: the same
/// file, or the same number, date and sender (spacing aside).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Duplicate {
    pub id: i64,
    /// Why: `same_file` or `same_letter`.
    pub reason: &'static str,
    pub receive_seq: i64,
    pub receive_year: i32,
}

pub async fn find_duplicate(
    store: &Store,
    office_id: i64,
    sha: &str,
    number_key: Option<&str>,
    date: Option<NaiveDate>,
    issuer: &str,
) -> Result<Option<Duplicate>, StoreError> {
    let rows = sqlx::query(
        "SELECT r.id, r.sha256, r.issuer, e.seq, e.year FROM received_letters r \
         JOIN register_entries e ON e.id = r.receive_entry \
         WHERE r.office_id = $1 AND (r.sha256 = $2 OR (r.number_key = $3 AND r.date = $4)) \
         ORDER BY r.id",
    )
    .bind(office_id)
    .bind(sha)
    .bind(number_key)
    .bind(date.map(|d| d.to_string()))
    .fetch_all(store.reader())
    .await?;
    let squash = |s: &str| s.split_whitespace().collect::<String>();
    let mut found = None;
    for r in rows {
        let same_file = r.try_get::<String, _>(1)? == sha;
        let same_letter = squash(&r.try_get::<String, _>(2)?) == squash(issuer);
        if same_file || same_letter {
            let dup = Duplicate {
                id: r.try_get(0)?,
                reason: if same_file {
                    "same_file"
                } else {
                    "same_letter"
                },
                receive_seq: r.try_get(3)?,
                receive_year: r.try_get::<i64, _>(4)? as i32,
            };
            if same_file {
                return Ok(Some(dup));
            }
            found.get_or_insert(dup);
        }
    }
    Ok(found)
}

/// One confirmed letter to register.
pub struct Registration<'a> {
    pub upload: &'a Upload,
    /// The fields as the clerk confirmed them.
    pub letter: &'a ParsedLetter,
    pub addressee: &'a str,
}

/// A registration as stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Received {
    pub id: i64,
    pub office_id: i64,
    pub letter_id: i64,
    pub receive: Issued,
    pub source_name: String,
    pub media_type: String,
    pub sha256: String,
    pub letter: ParsedLetter,
    pub registered_by: Option<i64>,
    pub registered_at: String,
}

/// Registers letters in `office`'s receive register, all in one
/// transaction, and drops their uploads.
pub async fn register(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    office: &Office,
    user_id: Option<i64>,
    items: &[Registration<'_>],
) -> Result<Vec<Received>, StoreError> {
    let (mut tx, mut audit) = store.begin_audited(actor, at).await?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push(register_one(&mut tx, &mut audit, at, office, user_id, item).await?);
    }
    audit.commit(tx).await?;
    Ok(out)
}

async fn register_one(
    tx: &mut Transaction<'static, Any>,
    audit: &mut Appender,
    at: DateTime<Utc>,
    office: &Office,
    user_id: Option<i64>,
    item: &Registration<'_>,
) -> Result<Received, StoreError> {
    let letter = item.letter;
    let upload = item.upload;
    let imported = import_one(
        tx,
        audit,
        at,
        &Source {
            name: &upload.name,
            bytes: &upload.bytes,
            letter,
        },
        None,
    )
    .await?;
    let issuer = letter.issuer.clone().unwrap_or_default();
    let entry = Entry {
        subject: letter
            .subject
            .clone()
            .unwrap_or_else(|| upload.name.clone()),
        to: item.addressee.to_string(),
        from: issuer.clone(),
        doc_number: letter.number.as_ref().map(|n| n.printed.clone()),
        doc_date: letter.date,
        action: String::new(),
        note: String::new(),
    };
    let receive = issue_in(tx, audit, at, office, Series::Receive, &entry, None).await?;
    let fields = serde_json::to_string(letter).expect("parsed letters serialise");
    let number_key = letter.number.as_ref().map(|n| n.number().key());
    let secrecy = letter.secrecy.map(|s| {
        match s {
            crate::model::Secrecy::Confidential => "confidential",
            crate::model::Secrecy::Secret => "secret",
            crate::model::Secrecy::TopSecret => "top_secret",
        }
        .to_string()
    });
    let registered_at = stamp(at);
    let row = sqlx::query(
        "INSERT INTO received_letters (office_id, letter_id, receive_entry, source_name, \
         media_type, sha256, source, fields, number_key, date, issuer, secrecy, registered_by, \
         registered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
         RETURNING id",
    )
    .bind(office.id)
    .bind(imported.id)
    .bind(receive.entry_id)
    .bind(&upload.name)
    .bind(&upload.media_type)
    .bind(&upload.sha256)
    .bind(&upload.bytes)
    .bind(&fields)
    .bind(&number_key)
    .bind(letter.date.map(|d| d.to_string()))
    .bind(&issuer)
    .bind(&secrecy)
    .bind(user_id)
    .bind(&registered_at)
    .fetch_one(&mut **tx)
    .await?;
    let id: i64 = row.try_get(0)?;
    sqlx::query("DELETE FROM intake_uploads WHERE id = $1")
        .bind(upload.id)
        .execute(&mut **tx)
        .await?;
    audit
        .append(
            tx,
            Change {
                office_id: Some(office.id),
                action: "letter.receive_outside",
                object: format!("received:{id}"),
                before: None,
                after: Some(fields.as_bytes()),
            },
        )
        .await?;
    Ok(Received {
        id,
        office_id: office.id,
        letter_id: imported.id,
        receive,
        source_name: upload.name.clone(),
        media_type: upload.media_type.clone(),
        sha256: upload.sha256.clone(),
        letter: letter.clone(),
        registered_by: user_id,
        registered_at,
    })
}

/// A registration of `office_id`'s, with its file (the original bytes).
pub async fn get(
    store: &Store,
    office_id: i64,
    id: i64,
) -> Result<Option<(Received, Vec<u8>)>, StoreError> {
    let row = sqlx::query(
        "SELECT r.id, r.office_id, r.letter_id, r.source_name, r.media_type, r.sha256, \
         r.source, r.fields, r.registered_by, r.registered_at, \
         e.id, e.year, e.seq, e.recorded_at \
         FROM received_letters r JOIN register_entries e ON e.id = r.receive_entry \
         WHERE r.id = $1 AND r.office_id = $2",
    )
    .bind(id)
    .bind(office_id)
    .fetch_optional(store.reader())
    .await?;
    let Some(r) = row else {
        return Ok(None);
    };
    let fields: String = r.try_get(7)?;
    let letter: ParsedLetter = serde_json::from_str(&fields).map_err(|e| {
        StoreError::rejected(
            "ข้อมูลหนังสือรับเสียหาย",
            format!("stored fields do not read back: {e}"),
        )
    })?;
    let seq: i64 = r.try_get(12)?;
    let receive = Issued {
        entry_id: r.try_get(10)?,
        office_id,
        series: Series::Receive,
        year_be: r.try_get::<i64, _>(11)? as i32,
        seq,
        number: seq.to_string(),
        printed: crate::thai::to_thai_digits(&seq.to_string()),
        recorded_at: r.try_get(13)?,
    };
    Ok(Some((
        Received {
            id: r.try_get(0)?,
            office_id: r.try_get(1)?,
            letter_id: r.try_get(2)?,
            receive,
            source_name: r.try_get(3)?,
            media_type: r.try_get(4)?,
            sha256: r.try_get(5)?,
            letter,
            registered_by: r.try_get(8)?,
            registered_at: r.try_get(9)?,
        },
        r.try_get(6)?,
    )))
}

//! Importing existing letters: the parsed fields and the source file are
//! stored together, once per content hash and once per letter (the same
//! number, date and sender: one letter imported as .txt and as .pdf is one
//! record); optionally the letter is entered
//! in an office's receive register in the same transaction. Every number the
//! letter cites is kept as a citation by number and date (see `graph`).

use chrono::{DateTime, Utc};
use sqlx::{Any, Row, Transaction};

use super::audit::{Appender, Change};
use super::numbering::{Entry, Issued, Series, issue_in};
use super::offices::Office;
use super::{Actor, Store, StoreError, sha256_hex, stamp};
use crate::parse::{ParsedLetter, ReferenceSource};

/// One file to import.
pub struct Source<'a> {
    /// The file's name, kept for the record.
    pub name: &'a str,
    pub bytes: &'a [u8],
    pub letter: &'a ParsedLetter,
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Imported {
    pub id: i64,
    /// `false` when the same bytes were imported before: nothing was stored.
    pub new: bool,
    /// The receive-register entry, when registered as received.
    pub received: Option<Issued>,
}

/// Imports many files in one transaction: all or nothing.
pub async fn import(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    sources: &[Source<'_>],
    received_by: Option<&Office>,
) -> Result<Vec<Imported>, StoreError> {
    let (mut tx, mut audit) = store.begin_audited(actor, at).await?;
    let mut out = Vec::with_capacity(sources.len());
    for source in sources {
        out.push(import_one(&mut tx, &mut audit, at, source, received_by).await?);
    }
    audit.commit(tx).await?;
    Ok(out)
}

pub(crate) async fn import_one(
    tx: &mut Transaction<'static, Any>,
    audit: &mut Appender,
    at: DateTime<Utc>,
    source: &Source<'_>,
    received_by: Option<&Office>,
) -> Result<Imported, StoreError> {
    let sha = sha256_hex(source.bytes);
    let letter = source.letter;
    let number = letter.number.as_ref();
    let key = number.map(|n| n.number().key());
    let issuer = letter.issuer.clone().unwrap_or_default();
    if let Some(id) = imported_before(tx, &sha, key.as_deref(), letter.date, &issuer).await? {
        return Ok(Imported {
            id,
            new: false,
            received: None,
        });
    }
    let subject = letter.subject.clone().unwrap_or_default();
    let received = match received_by {
        Some(office) => {
            let entry = Entry {
                subject: if subject.is_empty() {
                    source.name.to_string()
                } else {
                    subject.clone()
                },
                to: String::new(),
                from: issuer.clone(),
                doc_number: number.map(|n| n.printed.clone()),
                doc_date: letter.date,
                action: String::new(),
                note: String::new(),
            };
            Some(issue_in(tx, audit, at, office, Series::Receive, &entry, None).await?)
        }
        None => None,
    };
    let fields = serde_json::to_string(letter).expect("parsed letters serialise");
    let row = sqlx::query(
        "INSERT INTO imported_letters (sha256, source_name, source, fields, number_key, printed, \
         date, subject, issuer, received_by, receive_entry, imported_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(&sha)
    .bind(source.name)
    .bind(source.bytes)
    .bind(&fields)
    .bind(&key)
    .bind(number.map(|n| n.printed.clone()))
    .bind(letter.date.map(|d| d.to_string()))
    .bind(&subject)
    .bind(&issuer)
    .bind(received_by.map(|o| o.id))
    .bind(received.as_ref().map(|r| r.entry_id))
    .bind(stamp(at))
    .fetch_one(&mut **tx)
    .await?;
    let id: i64 = row.try_get(0)?;
    for r in &letter.references {
        sqlx::query(
            "INSERT INTO citations (from_letter, number_key, printed, date, issuer, source) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(r.number.number().key())
        .bind(&r.number.printed)
        .bind(r.date.map(|d| d.to_string()))
        .bind(&r.issuer)
        .bind(match r.source {
            ReferenceSource::ReferenceLine => "reference_line",
            ReferenceSource::Body => "body",
        })
        .execute(&mut **tx)
        .await?;
    }
    audit
        .append(
            tx,
            Change {
                office_id: received_by.map(|o| o.id),
                action: "letter.import",
                object: format!("imported:{id}"),
                before: None,
                after: Some(fields.as_bytes()),
            },
        )
        .await?;
    Ok(Imported {
        id,
        new: true,
        received,
    })
}

/// The letter imported before from the same bytes, or with the same number,
/// date and sender (spacing aside: text from a PDF may be spaced
/// differently). One statement, as a re-import used to cost.
async fn imported_before(
    tx: &mut Transaction<'static, Any>,
    sha: &str,
    key: Option<&str>,
    date: Option<chrono::NaiveDate>,
    issuer: &str,
) -> Result<Option<i64>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, sha256, issuer FROM imported_letters \
         WHERE sha256 = $1 OR (number_key = $2 AND date = $3)",
    )
    .bind(sha)
    .bind(key)
    .bind(date.map(|d| d.to_string()))
    .fetch_all(&mut **tx)
    .await?;
    let squash = |s: &str| s.split_whitespace().collect::<String>();
    let mut same_letter = None;
    for row in rows {
        let id: i64 = row.try_get(0)?;
        let bytes: String = row.try_get(1)?;
        if bytes == sha {
            return Ok(Some(id));
        }
        let other: String = row.try_get(2)?;
        if same_letter.is_none() && squash(&other) == squash(issuer) {
            same_letter = Some(id);
        }
    }
    Ok(same_letter)
}

/// The stored fields and source name of an imported letter.
pub async fn get(store: &Store, id: i64) -> Result<(ParsedLetter, String), StoreError> {
    let row = sqlx::query("SELECT fields, source_name FROM imported_letters WHERE id = $1")
        .bind(id)
        .fetch_optional(store.reader())
        .await?
        .ok_or(StoreError::UnknownDocument(id))?;
    let fields: String = row.try_get(0)?;
    let letter = serde_json::from_str(&fields).map_err(|e| {
        StoreError::rejected(
            "ข้อมูลหนังสือที่นำเข้าเสียหาย",
            format!("stored fields do not read back: {e}"),
        )
    })?;
    Ok((letter, row.try_get(1)?))
}

/// How many letters have been imported.
pub async fn count(store: &Store) -> Result<i64, StoreError> {
    let row = sqlx::query("SELECT COUNT(*) FROM imported_letters")
        .fetch_one(store.reader())
        .await?;
    Ok(row.try_get(0)?)
}

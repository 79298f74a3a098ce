//! Stored documents: typed content (the rendering input), lifecycle
//! draft → numbered → sent (or cancelled), the official copy, attachments
//! and references between letters.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::audit::{Appender, Change};
use super::numbering::{Entry, Issued, Series, issue_in};
use super::offices::Office;
use super::{Actor, Store, StoreError, sha256_hex, stamp};
use crate::docnum::DocNumber;
use crate::model::{Document, Part, Validate};

/// Where a document is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Draft,
    Numbered,
    Sent,
    Cancelled,
}

impl State {
    pub fn key(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Numbered => "numbered",
            State::Sent => "sent",
            State::Cancelled => "cancelled",
        }
    }

    pub fn thai(self) -> &'static str {
        match self {
            State::Draft => "ร่าง",
            State::Numbered => "ออกเลขแล้ว",
            State::Sent => "ส่งแล้ว",
            State::Cancelled => "ยกเลิก",
        }
    }

    /// The state a stored key names; an unknown key is an error, never a
    /// draft (which would make a numbered letter editable).
    pub(crate) fn parse(text: &str) -> Result<State, StoreError> {
        match text {
            "draft" => Ok(State::Draft),
            "numbered" => Ok(State::Numbered),
            "sent" => Ok(State::Sent),
            "cancelled" => Ok(State::Cancelled),
            other => Err(StoreError::Corrupt {
                column: "documents.state",
                value: other.to_string(),
            }),
        }
    }
}

fn transition(from: State, to: State) -> StoreError {
    StoreError::IllegalTransition {
        from: from.key(),
        to: to.key(),
        from_th: from.thai(),
        to_th: to.thai(),
    }
}

/// A document as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stored {
    pub id: i64,
    pub office_id: i64,
    pub kind: String,
    pub state: State,
    pub series: Option<Series>,
    pub year_be: Option<i32>,
    pub seq: Option<i64>,
    /// With Arabic digits, as in the register.
    pub number: Option<String>,
    pub date: Option<NaiveDate>,
    pub subject: String,
    pub issuer: String,
    pub content: Document,
    pub official_sha256: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// The fields that identify a letter and freeze when it is numbered.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Facts {
    kind: &'static str,
    number: Option<String>,
    date: Option<NaiveDate>,
    subject: String,
    issuer: String,
}

fn facts(doc: &Document, office: &str) -> Facts {
    let (kind, number, date, subject, issuer) = match &doc.main {
        Part::Letter(x) => (
            "letter",
            x.number.clone(),
            Some(x.date),
            x.subject.clone(),
            x.issuer.name.clone(),
        ),
        Part::Memo(x) => (
            "memo",
            x.number.clone(),
            Some(x.date),
            x.subject.clone(),
            x.unit.clone(),
        ),
        Part::Order(x) => (
            "order",
            x.number.clone(),
            Some(x.date),
            x.subject.clone(),
            x.issuer.clone(),
        ),
        Part::Announcement(x) => (
            "announcement",
            x.number.clone(),
            Some(x.date),
            x.subject.clone(),
            x.issuer.clone(),
        ),
        Part::Sealed(x) => (
            "sealed",
            x.number.clone(),
            Some(x.date),
            x.subject.clone(),
            x.issuer.clone(),
        ),
        Part::Schedule(x) => (
            "schedule",
            None,
            x.session.as_ref().map(|s| s.date),
            x.title.join(" "),
            office.to_string(),
        ),
        Part::Project(x) => ("project", None, None, x.title.clone(), office.to_string()),
        Part::Form(x) => (
            "form",
            None,
            x.session.as_ref().map(|s| s.date),
            x.title.clone(),
            office.to_string(),
        ),
    };
    Facts {
        kind,
        number,
        date,
        subject,
        issuer,
    }
}

/// A document's subject and date, as its register row records them.
pub(crate) fn subject_and_date(doc: &Document) -> (String, Option<NaiveDate>) {
    let f = facts(doc, "");
    (f.subject, f.date)
}

/// The series a kind is numbered in when none is asked for.
pub fn default_series(doc: &Document) -> Option<Series> {
    match &doc.main {
        Part::Letter(_) | Part::Memo(_) | Part::Sealed(_) => Some(Series::Normal),
        Part::Order(_) => Some(Series::Order),
        Part::Announcement(_) => Some(Series::Announcement),
        _ => None,
    }
}

pub(crate) fn set_number(doc: &mut Document, number: &str) {
    let slot = match &mut doc.main {
        Part::Letter(x) => &mut x.number,
        Part::Memo(x) => &mut x.number,
        Part::Order(x) => &mut x.number,
        Part::Announcement(x) => &mut x.number,
        Part::Sealed(x) => &mut x.number,
        _ => return,
    };
    *slot = Some(number.to_string());
}

/// Dates a document (the letter's ลงวันที่) where its kind has one.
pub(crate) fn set_date(doc: &mut Document, date: NaiveDate) {
    match &mut doc.main {
        Part::Letter(x) => x.date = date,
        Part::Memo(x) => x.date = date,
        Part::Order(x) => x.date = date,
        Part::Announcement(x) => x.date = date,
        Part::Sealed(x) => x.date = date,
        _ => {}
    }
}

const COLUMNS: &str = "id, office_id, kind, state, series, year, seq, number, date, subject, \
                       issuer, content, official_sha256, created_at, updated_at";

fn from_row(row: &AnyRow) -> Result<Stored, StoreError> {
    let state: String = row.try_get(3)?;
    let series: Option<String> = row.try_get(4)?;
    let year: Option<i64> = row.try_get(5)?;
    let date: Option<String> = row.try_get(8)?;
    let content: String = row.try_get(11)?;
    Ok(Stored {
        id: row.try_get(0)?,
        office_id: row.try_get(1)?,
        kind: row.try_get(2)?,
        state: State::parse(&state)?,
        series: series.and_then(|s| Series::parse(&s).ok()),
        year_be: year.map(|y| y as i32),
        seq: row.try_get(6)?,
        number: row.try_get(7)?,
        date: date.and_then(|d| d.parse().ok()),
        subject: row.try_get(9)?,
        issuer: row.try_get(10)?,
        content: serde_json::from_str(&content).map_err(|e| {
            StoreError::rejected(
                "เนื้อหาที่เก็บไว้อ่านไม่ได้",
                format!("stored content unreadable: {e}"),
            )
        })?,
        official_sha256: row.try_get(12)?,
        created_at: row.try_get(13)?,
        updated_at: row.try_get(14)?,
    })
}

fn check(doc: &Document) -> Result<(), StoreError> {
    doc.validate().map_err(|errors| {
        StoreError::Invalid(errors.into_iter().next().expect("errors are never empty"))
    })
}

pub(crate) fn content_json(doc: &Document) -> String {
    serde_json::to_string(doc).expect("documents serialise")
}

/// Stores a new draft for `office`.
pub async fn create_draft(
    store: &Store,
    actor: &Actor,
    office: &Office,
    doc: &Document,
) -> Result<Stored, StoreError> {
    create_draft_read_by(store, actor, office, doc, &[]).await
}

/// Stores a new draft for `office` and, in the same transaction, names the
/// users who may read it (a secret letter).
pub async fn create_draft_read_by(
    store: &Store,
    actor: &Actor,
    office: &Office,
    doc: &Document,
    readers: &[i64],
) -> Result<Stored, StoreError> {
    check(doc)?;
    let (mut tx, mut audit) = store.begin_audited(actor, Utc::now()).await?;
    let stored = insert_draft_in(&mut tx, &mut audit, office, doc).await?;
    link_citations_in(&mut tx, stored.id, None, doc).await?;
    super::accounts::name_readers_in(&mut tx, &mut audit, stored.id, readers).await?;
    save_version_in(&mut tx, stored.id, &content_json(doc), actor).await?;
    audit.commit(tx).await?;
    Ok(stored)
}

/// Stores many drafts for `office` in one transaction (an import): all or
/// none. Returns their ids in order.
pub async fn create_drafts(
    store: &Store,
    actor: &Actor,
    office: &Office,
    docs: &[Document],
) -> Result<Vec<i64>, StoreError> {
    for doc in docs {
        check(doc)?;
    }
    let (mut tx, mut audit) = store.begin_audited(actor, Utc::now()).await?;
    let mut ids = Vec::with_capacity(docs.len());
    for doc in docs {
        ids.push(insert_draft_in(&mut tx, &mut audit, office, doc).await?.id);
    }
    audit.commit(tx).await?;
    Ok(ids)
}

/// Stores one checked draft inside a write transaction.
pub(crate) async fn insert_draft_in(
    tx: &mut Transaction<'static, Any>,
    audit: &mut Appender,
    office: &Office,
    doc: &Document,
) -> Result<Stored, StoreError> {
    let new = NewDocument {
        office,
        doc,
        numbered: None,
    };
    Ok(insert_many_in(tx, audit, &[new]).await?.remove(0))
}

/// A document to store with [`insert_many_in`].
pub(crate) struct NewDocument<'a> {
    pub office: &'a Office,
    pub doc: &'a Document,
    /// Numbered and sent as it is stored (a relayed cover letter): its
    /// series, year and number, the number already written into `doc`.
    pub numbered: Option<(Series, i32, i64)>,
}

const DOCUMENT_PARAMS: usize = 17;

/// Stores checked documents, many per statement, each with its search
/// text and audit event; gives back what a read would. The offices of one
/// call must differ: rows are matched to what the database returns by
/// office.
pub(crate) async fn insert_many_in(
    tx: &mut Transaction<'static, Any>,
    audit: &mut Appender,
    docs: &[NewDocument<'_>],
) -> Result<Vec<Stored>, StoreError> {
    let now = stamp(Utc::now());
    let mut stored = Vec::with_capacity(docs.len());
    for chunk in docs.chunks(50) {
        let mut rows = Vec::with_capacity(chunk.len());
        for new in chunk {
            check(new.doc)?;
            let f = facts(new.doc, &new.office.fields.name);
            let number = f.number.as_deref().map(|n| {
                DocNumber::parse(n)
                    .map(|x| x.key())
                    .unwrap_or(n.to_string())
            });
            let content = content_json(new.doc);
            let filters = super::search::filters(new.doc);
            rows.push((new, f, number, content, filters));
        }
        let sql = format!(
            "INSERT INTO documents (office_id, kind, state, series, year, seq, number, date, \
             subject, issuer, content, created_at, updated_at, urgency, secrecy, recipient, \
             search_version) VALUES {} RETURNING id, office_id",
            super::placeholders(chunk.len(), DOCUMENT_PARAMS)
        );
        let mut query = sqlx::query(&sql);
        for (new, f, number, content, filters) in &rows {
            let state = if new.numbered.is_some() {
                State::Sent
            } else {
                State::Draft
            };
            query = query
                .bind(new.office.id)
                .bind(f.kind)
                .bind(state.key())
                .bind(new.numbered.map(|(series, _, _)| series.key()))
                .bind(new.numbered.map(|(_, year, _)| i64::from(year)))
                .bind(new.numbered.map(|(_, _, seq)| seq))
                .bind(number.clone())
                .bind(f.date.map(|d| d.to_string()))
                .bind(&f.subject)
                .bind(&f.issuer)
                .bind(content)
                .bind(&now)
                .bind(&now)
                .bind(filters.urgency.clone())
                .bind(filters.secrecy.clone())
                .bind(filters.recipient.clone())
                .bind(1_i64);
        }
        let mut ids = std::collections::HashMap::new();
        for row in query.fetch_all(&mut **tx).await? {
            let office: i64 = row.try_get(1)?;
            if ids.insert(office, row.try_get::<i64, _>(0)?).is_some() {
                return Err(StoreError::rejected(
                    "บันทึกหนังสือหลายฉบับของส่วนราชการเดียวกันพร้อมกันไม่ได้",
                    "documents stored together must belong to different offices",
                ));
            }
        }
        let mut texts = Vec::with_capacity(rows.len());
        for (new, f, number, content, _) in rows {
            let id = ids[&new.office.id];
            audit
                .append(
                    tx,
                    Change {
                        office_id: Some(new.office.id),
                        action: "document.create",
                        object: format!("document:{id}"),
                        before: None,
                        after: Some(content.as_bytes()),
                    },
                )
                .await?;
            texts.push((id, new.office.id, new.doc, number.clone()));
            // What a read would give back, without the round trip.
            stored.push(Stored {
                id,
                office_id: new.office.id,
                kind: f.kind.to_string(),
                state: if new.numbered.is_some() {
                    State::Sent
                } else {
                    State::Draft
                },
                series: new.numbered.map(|x| x.0),
                year_be: new.numbered.map(|x| x.1),
                seq: new.numbered.map(|x| x.2),
                number,
                date: f.date,
                subject: f.subject,
                issuer: f.issuer,
                content: new.doc.clone(),
                official_sha256: None,
                created_at: now.clone(),
                updated_at: now.clone(),
            });
        }
        let texts: Vec<super::search::NewText> = texts
            .iter()
            .map(|(id, office, doc, number)| (*id, *office, *doc, number.as_deref()))
            .collect();
        super::search::insert_texts(tx, &texts).await?;
    }
    Ok(stored)
}

pub async fn get(store: &Store, id: i64) -> Result<Stored, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM documents WHERE id = $1"))
        .bind(id)
        .fetch_optional(store.reader())
        .await?
        .ok_or(StoreError::UnknownDocument(id))?;
    from_row(&row)
}

pub(crate) async fn get_in(
    tx: &mut Transaction<'static, Any>,
    id: i64,
) -> Result<Stored, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM documents WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::UnknownDocument(id))?;
    from_row(&row)
}

/// What a register needs of a document: its heading, without reading
/// (and parsing) its content.
#[derive(Debug, Clone)]
pub(crate) struct Heading {
    pub subject: String,
    pub issuer: String,
    /// With Arabic digits, as in the register.
    pub number: Option<String>,
    pub date: Option<NaiveDate>,
}

impl Heading {
    pub(crate) fn of(doc: &Stored) -> Heading {
        Heading {
            subject: doc.subject.clone(),
            issuer: doc.issuer.clone(),
            number: doc.number.clone(),
            date: doc.date,
        }
    }
}

pub(crate) async fn heading_in(
    tx: &mut Transaction<'static, Any>,
    id: i64,
) -> Result<Heading, StoreError> {
    let row = sqlx::query("SELECT subject, issuer, number, date FROM documents WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::UnknownDocument(id))?;
    let date: Option<String> = row.try_get(3)?;
    Ok(Heading {
        subject: row.try_get(0)?,
        issuer: row.try_get(1)?,
        number: row.try_get(2)?,
        date: date.and_then(|d| d.parse().ok()),
    })
}

/// Replaces a document's content. Drafts change freely; once numbered, the
/// number, date, subject and issuer are frozen; sent and cancelled
/// documents do not change.
pub async fn update(
    store: &Store,
    actor: &Actor,
    id: i64,
    doc: &Document,
) -> Result<Stored, StoreError> {
    check(doc)?;
    let mut tx = store.begin_write().await?;
    let mut audit = Appender::start(&mut tx, actor, Utc::now()).await?;
    let old = get_in(&mut tx, id).await?;
    update_in(&mut tx, &mut audit, actor, id, doc).await?;
    link_citations_in(&mut tx, id, Some(&old.content), doc).await?;
    audit.commit(tx).await?;
    get(store, id).await
}

/// The letters a document's อ้างถึง names by number (and date), as
/// canonical keys.
fn citations(doc: &Document) -> Vec<(String, Option<String>)> {
    let Part::Letter(l) = &doc.main else {
        return Vec::new();
    };
    l.references
        .iter()
        .filter_map(|r| {
            let key = DocNumber::parse(r.number.as_deref()?).ok()?.key();
            Some((key, r.date.map(|d| d.to_string())))
        })
        .collect()
}

/// Keeps a draft's typed links (`cites`, by number and date, resolved when
/// read) in step with the อ้างถึง it prints: links for references the
/// content gained, none left for those it lost (`old`: the content before
/// this write). A letter already linked by id (a cover above the letter it
/// forwards) is not linked twice; links added by hand stay.
pub(crate) async fn link_citations_in(
    tx: &mut Transaction<'static, Any>,
    id: i64,
    old: Option<&Document>,
    doc: &Document,
) -> Result<(), StoreError> {
    let now = citations(doc);
    if let Some(old) = old {
        for (key, date) in citations(old).into_iter().filter(|c| !now.contains(c)) {
            sqlx::query(
                "DELETE FROM doc_references WHERE from_id = $1 AND relation = 'cites' \
                 AND to_id IS NULL AND ext_number = $2 AND COALESCE(ext_date, '') = $3",
            )
            .bind(id)
            .bind(&key)
            .bind(date.unwrap_or_default())
            .execute(&mut **tx)
            .await?;
        }
    }
    for (key, date) in now {
        let linked: i64 = sqlx::query(
            "SELECT COUNT(*) FROM doc_references r LEFT JOIN documents d ON d.id = r.to_id \
             WHERE r.from_id = $1 AND (r.ext_number = $2 OR d.number = $2)",
        )
        .bind(id)
        .bind(&key)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
        if linked == 0 {
            sqlx::query(
                "INSERT INTO doc_references (from_id, relation, to_id, ext_number, ext_date) \
                 VALUES ($1, 'cites', NULL, $2, $3)",
            )
            .bind(id)
            .bind(&key)
            .bind(date)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// [`update`] inside a write transaction (signing replaces the signature
/// block in the same transaction that records the signature).
pub(crate) async fn update_in(
    tx: &mut Transaction<'static, Any>,
    audit: &mut Appender,
    actor: &Actor,
    id: i64,
    doc: &Document,
) -> Result<(), StoreError> {
    check(doc)?;
    let old = get_in(tx, id).await?;
    match old.state {
        State::Draft => {}
        State::Numbered => {
            let before = facts(&old.content, &old.issuer);
            let after = facts(doc, &old.issuer);
            let frozen = [
                (before.kind != after.kind, "kind", "ชนิดหนังสือ"),
                (before.number != after.number, "number", "เลขที่หนังสือ"),
                (before.date != after.date, "date", "วันที่"),
                (before.subject != after.subject, "subject", "เรื่อง"),
                (
                    before.issuer != after.issuer,
                    "issuer",
                    "ส่วนราชการเจ้าของหนังสือ",
                ),
            ];
            if let Some((_, field, field_th)) = frozen.into_iter().find(|x| x.0) {
                return Err(StoreError::Frozen { field, field_th });
            }
        }
        state => {
            return Err(StoreError::rejected(
                format!("หนังสือที่{}แล้วแก้ไขไม่ได้", state.thai()),
                format!("a {} document cannot be edited", state.key()),
            ));
        }
    }
    let f = facts(doc, &old.issuer);
    let content = content_json(doc);
    let versions: i64 =
        sqlx::query("SELECT COUNT(*) FROM document_versions WHERE document_id = $1")
            .bind(id)
            .fetch_one(&mut **tx)
            .await?
            .try_get(0)?;
    if versions == 0 {
        // Drafted before versions were kept, or by saraban itself (a
        // cover letter): its first content is version 1, by no one known.
        save_version_in(tx, id, &content_json(&old.content), &Actor(String::new())).await?;
    }
    save_version_in(tx, id, &content, actor).await?;
    let filters = super::search::filters(doc);
    sqlx::query(
        "UPDATE documents SET kind = $1, date = $2, subject = $3, issuer = $4, content = $5, \
         updated_at = $6, urgency = $8, secrecy = $9, recipient = $10 WHERE id = $7",
    )
    .bind(f.kind)
    .bind(f.date.map(|d| d.to_string()))
    .bind(&f.subject)
    .bind(&f.issuer)
    .bind(&content)
    .bind(stamp(Utc::now()))
    .bind(id)
    .bind(filters.urgency)
    .bind(filters.secrecy)
    .bind(filters.recipient)
    .execute(&mut **tx)
    .await?;
    super::search::update_text(tx, id, doc, old.number.as_deref()).await?;
    audit
        .append(
            tx,
            Change {
                office_id: Some(old.office_id),
                action: "document.update",
                object: format!("document:{id}"),
                before: Some(content_json(&old.content).as_bytes()),
                after: Some(content.as_bytes()),
            },
        )
        .await?;
    Ok(())
}

/// Keeps `content` as the document's next version, by `actor`, now.
pub(crate) async fn save_version_in(
    tx: &mut Transaction<'static, Any>,
    id: i64,
    content: &str,
    actor: &Actor,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO document_versions (document_id, version, content, changed_by, changed_at) \
         SELECT $1, COALESCE(MAX(version), 0) + 1, $2, $3, $4 FROM document_versions \
         WHERE document_id = $1",
    )
    .bind(id)
    .bind(content)
    .bind(&actor.0)
    .bind(stamp(Utc::now()))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One saved version of a document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Version {
    pub version: i64,
    pub changed_by: String,
    pub changed_at: String,
    pub content: serde_json::Value,
}

/// A document's saved versions, oldest first.
pub async fn versions(store: &Store, id: i64) -> Result<Vec<Version>, StoreError> {
    let rows = sqlx::query(
        "SELECT version, changed_by, changed_at, content FROM document_versions \
         WHERE document_id = $1 ORDER BY version",
    )
    .bind(id)
    .fetch_all(store.reader())
    .await?;
    rows.iter()
        .map(|r| {
            let content: String = r.try_get(3)?;
            Ok(Version {
                version: r.try_get(0)?,
                changed_by: r.try_get(1)?,
                changed_at: r.try_get(2)?,
                content: serde_json::from_str(&content).map_err(|_| StoreError::Corrupt {
                    column: "document_versions.content",
                    value: content.chars().take(40).collect(),
                })?,
            })
        })
        .collect()
}

/// Numbers a draft: takes the next number of `series` (the kind's own when
/// `None`), writes it into the content and the send register, freezes the
/// document. One transaction.
pub async fn number(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    id: i64,
    series: Option<Series>,
    to: &str,
    date: Option<NaiveDate>,
) -> Result<(Stored, Issued), StoreError> {
    let issued = store
        .retrying(|| async {
            let (mut tx, mut audit) = store.begin_audited(actor, at).await?;
            let issued = number_in(&mut tx, &mut audit, at, id, series, to, date).await?;
            audit.commit(tx).await?;
            Ok(issued)
        })
        .await?;
    Ok((get(store, id).await?, issued))
}

/// Numbers a draft inside a write transaction.
pub(crate) async fn number_in(
    tx: &mut Transaction<'static, Any>,
    audit: &mut Appender,
    at: DateTime<Utc>,
    id: i64,
    series: Option<Series>,
    to: &str,
    date: Option<NaiveDate>,
) -> Result<Issued, StoreError> {
    let mut old = get_in(tx, id).await?;
    // The letter is dated the day it is numbered unless the clerk sets
    // another day (`date`); `None` keeps the draft's own date.
    if let Some(date) = date.filter(|_| old.state == State::Draft) {
        set_date(&mut old.content, date);
        old.date = subject_and_date(&old.content).1;
    }
    let office = super::offices::get_in(tx, old.office_id).await?;
    let issued = number_stored_in(tx, audit, at, old, &office, series, to)
        .await?
        .0;
    let replaces: Option<i64> = sqlx::query("SELECT replaces_id FROM documents WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
    if let Some(old_id) = replaces {
        supersede_in(tx, audit, id, &issued.number, old_id).await?;
    }
    Ok(issued)
}

/// Records that the just-numbered `new` (numbered `new_number`) replaces
/// `old`: on both documents, as a `supersedes` reference, and in both
/// register rows' หมายเหตุ.
async fn supersede_in(
    tx: &mut Transaction<'static, Any>,
    audit: &mut Appender,
    new: i64,
    new_number: &str,
    old: i64,
) -> Result<(), StoreError> {
    let before = get_in(tx, old).await?;
    let marked = sqlx::query(
        "UPDATE documents SET superseded_by = $1 WHERE id = $2 AND superseded_by IS NULL",
    )
    .bind(new)
    .bind(old)
    .execute(&mut **tx)
    .await?;
    if marked.rows_affected() == 0 {
        return Err(StoreError::rejected(
            "หนังสือฉบับเดิมถูกแทนที่ไปแล้ว",
            "the original was already replaced",
        ));
    }
    sqlx::query(
        "INSERT INTO doc_references (from_id, relation, to_id) VALUES ($1, 'supersedes', $2)",
    )
    .bind(new)
    .bind(old)
    .execute(&mut **tx)
    .await?;
    let old_number = before.number.clone().unwrap_or_default();
    for (doc, note) in [
        (old, format!("ถูกแทนที่โดย {new_number}")),
        (new, format!("แทนฉบับ {old_number}")),
    ] {
        let rows = sqlx::query(
            "UPDATE register_entries SET note = CASE WHEN note = '' THEN $1 ELSE note || '; ' || $1 END \
             WHERE document_id = $2 RETURNING id",
        )
        .bind(&note)
        .bind(doc)
        .fetch_all(&mut **tx)
        .await?;
        for r in rows {
            let entry: i64 = r.try_get(0)?;
            audit
                .append(
                    tx,
                    Change {
                        office_id: Some(before.office_id),
                        action: "register.note",
                        object: format!("register:{entry}"),
                        before: None,
                        after: Some(note.as_bytes()),
                    },
                )
                .await?;
        }
    }
    audit
        .append(
            tx,
            Change {
                office_id: Some(before.office_id),
                action: "document.superseded",
                object: format!("document:{old}"),
                before: None,
                after: Some(format!("document:{new}").as_bytes()),
            },
        )
        .await
}

/// A replacement (ฉบับแทนที่) for numbered document `old`: a new draft of
/// the same office with `doc` (prefilled from the old one by the caller),
/// which records the replacement when it is numbered.
pub async fn create_replacement(
    store: &Store,
    actor: &Actor,
    office: &Office,
    old: i64,
    doc: &Document,
) -> Result<Stored, StoreError> {
    check(doc)?;
    let (mut tx, mut audit) = store.begin_audited(actor, Utc::now()).await?;
    let original = get_in(&mut tx, old).await?;
    if original.office_id != office.id {
        return Err(StoreError::UnknownDocument(old));
    }
    if !matches!(
        original.state,
        State::Numbered | State::Sent | State::Cancelled
    ) {
        return Err(StoreError::rejected(
            "ออกฉบับแทนที่ได้เฉพาะหนังสือที่ออกเลขแล้ว",
            "only a numbered document can be replaced",
        ));
    }
    let taken: Option<i64> = sqlx::query(
        "SELECT id FROM documents WHERE replaces_id = $1 AND state <> 'cancelled' LIMIT 1",
    )
    .bind(old)
    .fetch_optional(&mut *tx)
    .await?
    .map(|r| r.try_get(0))
    .transpose()?;
    if taken.is_some() {
        return Err(StoreError::duplicate(
            "มีร่างฉบับแทนที่ของหนังสือนี้อยู่แล้ว",
            "a replacement of this document already exists",
        ));
    }
    let stored = insert_draft_in(&mut tx, &mut audit, office, doc).await?;
    sqlx::query("UPDATE documents SET replaces_id = $1 WHERE id = $2")
        .bind(old)
        .bind(stored.id)
        .execute(&mut *tx)
        .await?;
    audit.commit(tx).await?;
    Ok(stored)
}

/// Numbers a draft already read in this transaction (`old`, of `office`),
/// and gives it back as now stored.
pub(crate) async fn number_stored_in(
    tx: &mut Transaction<'static, Any>,
    audit: &mut Appender,
    at: DateTime<Utc>,
    old: Stored,
    office: &Office,
    series: Option<Series>,
    to: &str,
) -> Result<(Issued, Stored), StoreError> {
    let id = old.id;
    if old.office_id != office.id {
        return Err(StoreError::UnknownDocument(id));
    }
    if old.state != State::Draft {
        return Err(transition(old.state, State::Numbered));
    }
    let series = series
        .or_else(|| default_series(&old.content))
        .ok_or_else(|| {
            StoreError::rejected(
                format!("หนังสือชนิด {} ไม่มีเลขที่ ให้แนบไปกับหนังสือที่ออกเลข", old.kind),
                format!(
                    "a {} is not numbered on its own; attach it to a numbered letter",
                    old.kind
                ),
            )
        })?;
    if series == Series::Receive {
        return Err(StoreError::rejected(
            "หนังสือที่ส่งออกใช้ทะเบียนรับไม่ได้",
            "outgoing documents are not numbered in the receive register",
        ));
    }
    let entry = Entry {
        subject: old.subject.clone(),
        to: to.to_string(),
        doc_date: old.date,
        ..Entry::default()
    };
    let issued = issue_in(tx, audit, at, office, series, &entry, Some(id)).await?;
    let mut content = old.content.clone();
    set_number(&mut content, &issued.number);
    let json = content_json(&content);
    sqlx::query(
        "UPDATE documents SET state = 'numbered', series = $1, year = $2, seq = $3, number = $4, \
         content = $5, updated_at = $6, date = $8 WHERE id = $7",
    )
    .bind(series.key())
    .bind(i64::from(issued.year_be))
    .bind(issued.seq)
    .bind(&issued.number)
    .bind(&json)
    .bind(stamp(at))
    .bind(id)
    .bind(old.date.map(|d| d.to_string()))
    .execute(&mut **tx)
    .await?;
    super::search::update_text(tx, id, &content, Some(&issued.number)).await?;
    audit
        .append(
            tx,
            Change {
                office_id: Some(old.office_id),
                action: "document.number",
                object: format!("document:{id}"),
                before: Some(content_json(&old.content).as_bytes()),
                after: Some(json.as_bytes()),
            },
        )
        .await?;
    let now = Stored {
        state: State::Numbered,
        series: Some(series),
        year_be: Some(issued.year_be),
        seq: Some(issued.seq),
        number: Some(issued.number.clone()),
        content,
        updated_at: stamp(at),
        ..old
    };
    Ok((issued, now))
}

pub(crate) async fn set_state_in(
    tx: &mut Transaction<'static, Any>,
    audit: &mut Appender,
    id: i64,
    state: &str,
) -> Result<(), StoreError> {
    let old = get_in(tx, id).await?;
    set_state_of(tx, audit, &old, state).await
}

/// Changes the state of a document already read in this transaction.
pub(crate) async fn set_state_of(
    tx: &mut Transaction<'static, Any>,
    audit: &mut Appender,
    old: &Stored,
    state: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE documents SET state = $1 WHERE id = $2")
        .bind(state)
        .bind(old.id)
        .execute(&mut **tx)
        .await?;
    audit
        .append(
            tx,
            Change {
                office_id: Some(old.office_id),
                action: "document.state",
                object: format!("document:{}", old.id),
                before: Some(old.state.key().as_bytes()),
                after: Some(state.as_bytes()),
            },
        )
        .await
}

/// numbered → sent.
pub async fn mark_sent(store: &Store, actor: &Actor, id: i64) -> Result<Stored, StoreError> {
    let mut tx = store.begin_write().await?;
    let old = get_in(&mut tx, id).await?;
    if old.state != State::Numbered {
        return Err(transition(old.state, State::Sent));
    }
    let mut audit = Appender::start(&mut tx, actor, Utc::now()).await?;
    set_state_in(&mut tx, &mut audit, id, "sent").await?;
    audit.commit(tx).await?;
    get(store, id).await
}

/// Cancels a document; a numbered one keeps its number in the register,
/// marked ยกเลิก.
pub async fn cancel(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    id: i64,
    reason: &str,
) -> Result<Stored, StoreError> {
    let mut tx = store.begin_write().await?;
    let old = get_in(&mut tx, id).await?;
    if old.state == State::Cancelled {
        return Err(transition(old.state, State::Cancelled));
    }
    let mut audit = Appender::start(&mut tx, actor, at).await?;
    if old.state != State::Draft {
        let row = sqlx::query(
            "SELECT id FROM register_entries WHERE document_id = $1 AND status = 'issued'",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = row {
            super::numbering::cancel_row(
                &mut tx,
                &mut audit,
                row.try_get(0)?,
                old.office_id,
                reason,
            )
            .await?;
        }
    }
    set_state_in(&mut tx, &mut audit, id, "cancelled").await?;
    audit.commit(tx).await?;
    get(store, id).await
}

/// An official copy as stored: the PDF, its SHA-256 and its verification
/// code (printed on its first page, answered at `/v/{code}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficialCopy {
    pub pdf: Vec<u8>,
    pub sha256: String,
    pub code: String,
}

/// A new verification code: 16 letters and digits from an alphabet without
/// look-alikes (80 bits), unguessable and easy to type from paper.
pub fn new_verify_code() -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char)
        .collect()
}

/// The official copy: made once (numbered or sent documents only) by
/// `render`, which gets the document and its new verification code, stored
/// with its SHA-256, and returned as stored ever after, never silently
/// re-rendered. Every read checks the bytes against the SHA-256: a copy
/// that no longer matches is never handed out, and the mismatch is kept as
/// an integrity alarm.
pub async fn official_copy(
    store: &Store,
    actor: &Actor,
    id: i64,
    render: impl FnOnce(&Document, &str) -> Result<Vec<u8>, String>,
) -> Result<OfficialCopy, StoreError> {
    let row = sqlx::query("SELECT state, official_pdf, official_sha256, content, office_id, verify_code FROM documents WHERE id = $1")
        .bind(id)
        .fetch_optional(store.reader())
        .await?
        .ok_or(StoreError::UnknownDocument(id))?;
    let state = State::parse(&row.try_get::<String, _>(0)?)?;
    let pdf: Option<Vec<u8>> = row.try_get(1)?;
    let sha: Option<String> = row.try_get(2)?;
    let code: Option<String> = row.try_get(5)?;
    if let (Some(pdf), Some(sha)) = (pdf, sha) {
        return checked_copy(store, id, pdf, sha, code.unwrap_or_default()).await;
    }
    if !matches!(state, State::Numbered | State::Sent) {
        return Err(StoreError::rejected(
            "ฉบับจริงทำได้เมื่อหนังสือออกเลขแล้วเท่านั้น",
            "the official copy is made only once the document is numbered",
        ));
    }
    let content: String = row.try_get(3)?;
    let office_id: i64 = row.try_get(4)?;
    let doc: Document = serde_json::from_str(&content)
        .map_err(|e| StoreError::rejected("เนื้อหาที่เก็บไว้อ่านไม่ได้", e.to_string()))?;
    let code = new_verify_code();
    let pdf = render(&doc, &code).map_err(|e| StoreError::rejected("จัดทำ PDF ไม่สำเร็จ", e))?;
    let sha = sha256_hex(&pdf);
    let (mut tx, mut audit) = store.begin_audited(actor, Utc::now()).await?;
    // Only if none was stored meanwhile: the first copy wins.
    let done = sqlx::query(
        "UPDATE documents SET official_pdf = $1, official_sha256 = $2, verify_code = $3 \
         WHERE id = $4 AND official_pdf IS NULL",
    )
    .bind(&pdf)
    .bind(&sha)
    .bind(&code)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        // Another writer stored one first: that one is the official copy.
        drop(tx);
        let row = sqlx::query(
            "SELECT official_pdf, official_sha256, verify_code FROM documents WHERE id = $1",
        )
        .bind(id)
        .fetch_one(store.reader())
        .await?;
        let code: Option<String> = row.try_get(2)?;
        return checked_copy(
            store,
            id,
            row.try_get(0)?,
            row.try_get(1)?,
            code.unwrap_or_default(),
        )
        .await;
    }
    audit
        .append(
            &mut tx,
            Change {
                office_id: Some(office_id),
                action: "document.official_copy",
                object: format!("document:{id}"),
                before: None,
                after: Some(&pdf),
            },
        )
        .await?;
    audit.commit(tx).await?;
    Ok(OfficialCopy {
        pdf,
        sha256: sha,
        code,
    })
}

/// The stored official copy, only if its bytes still have the SHA-256
/// recorded when it was made; otherwise an integrity alarm, and nothing
/// is handed out.
async fn checked_copy(
    store: &Store,
    id: i64,
    pdf: Vec<u8>,
    sha: String,
    code: String,
) -> Result<OfficialCopy, StoreError> {
    let actual = sha256_hex(&pdf);
    if actual != sha {
        let detail = format!("official copy: sha256 {actual} ≠ recorded {sha}");
        tracing::error!(document = id, %detail, "integrity alarm");
        raise_alarm(store, id, &detail).await?;
        return Err(StoreError::Corrupt {
            column: "documents.official_pdf",
            value: format!("document {id}: sha256 {actual} ≠ {sha}"),
        });
    }
    Ok(OfficialCopy {
        pdf,
        sha256: sha,
        code,
    })
}

/// Keeps an integrity alarm for administrators (once per document and
/// detail).
async fn raise_alarm(store: &Store, id: i64, detail: &str) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    let seen = sqlx::query("SELECT 1 FROM integrity_alarms WHERE document_id = $1 AND detail = $2")
        .bind(id)
        .bind(detail)
        .fetch_optional(&mut *tx)
        .await?
        .is_some();
    if !seen {
        sqlx::query("INSERT INTO integrity_alarms (at, document_id, detail) VALUES ($1, $2, $3)")
            .bind(stamp(Utc::now()))
            .bind(id)
            .bind(detail)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// An integrity alarm, as administrators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Alarm {
    pub id: i64,
    pub at: String,
    pub document_id: i64,
    pub detail: String,
}

/// Every integrity alarm, newest first.
pub async fn alarms(store: &Store) -> Result<Vec<Alarm>, StoreError> {
    let rows =
        sqlx::query("SELECT id, at, document_id, detail FROM integrity_alarms ORDER BY id DESC")
            .fetch_all(store.reader())
            .await?;
    rows.iter()
        .map(|r| Ok(<Alarm as sqlx::FromRow<sqlx::any::AnyRow>>::from_row(r)?))
        .collect()
}

/// The document whose official copy has this verification code.
pub async fn by_verify_code(store: &Store, code: &str) -> Result<Option<Stored>, StoreError> {
    let row = sqlx::query("SELECT id FROM documents WHERE verify_code = $1")
        .bind(code.trim().to_uppercase())
        .fetch_optional(store.reader())
        .await?;
    match row {
        Some(r) => Ok(Some(get(store, r.try_get(0)?).await?)),
        None => Ok(None),
    }
}

/// The document whose official copy has exactly these bytes' SHA-256.
pub async fn by_official_sha256(store: &Store, sha: &str) -> Result<Option<Stored>, StoreError> {
    let row = sqlx::query("SELECT id FROM documents WHERE official_sha256 = $1")
        .bind(sha)
        .fetch_optional(store.reader())
        .await?;
    match row {
        Some(r) => Ok(Some(get(store, r.try_get(0)?).await?)),
        None => Ok(None),
    }
}

/// The stored bytes of a document's official copy (unchecked: callers
/// that hand it out use [`official_copy`]).
pub async fn official_pdf(store: &Store, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
    let row = sqlx::query("SELECT official_pdf FROM documents WHERE id = $1")
        .bind(id)
        .fetch_optional(store.reader())
        .await?;
    Ok(match row {
        Some(r) => r.try_get(0)?,
        None => None,
    })
}

/// A document's verification code, once it has an official copy.
pub async fn verify_code(store: &Store, id: i64) -> Result<Option<String>, StoreError> {
    let row = sqlx::query("SELECT verify_code FROM documents WHERE id = $1")
        .bind(id)
        .fetch_optional(store.reader())
        .await?
        .ok_or(StoreError::UnknownDocument(id))?;
    Ok(row.try_get(0)?)
}

/// What replaces what: (replaces, superseded by) for a document.
pub async fn replacement_links(
    store: &Store,
    id: i64,
) -> Result<(Option<i64>, Option<i64>), StoreError> {
    let row = sqlx::query("SELECT replaces_id, superseded_by FROM documents WHERE id = $1")
        .bind(id)
        .fetch_optional(store.reader())
        .await?
        .ok_or(StoreError::UnknownDocument(id))?;
    Ok((row.try_get(0)?, row.try_get(1)?))
}

/// For many documents at once, those superseded: document id → (the
/// replacement's id, its number). Lists use it; one statement per 500 ids.
pub async fn superseded_by_many(
    store: &Store,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, (i64, Option<String>)>, StoreError> {
    let mut out = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        let list = super::placeholders(chunk.len(), 1).replace(['(', ')'], "");
        let sql = format!(
            "SELECT d.id, r.id, r.number FROM documents d \
             JOIN documents r ON r.id = d.superseded_by WHERE d.id IN ({list})"
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        for row in q.fetch_all(store.reader()).await? {
            out.insert(row.try_get(0)?, (row.try_get(1)?, row.try_get(2)?));
        }
    }
    Ok(out)
}

/// Largest attachment accepted.
pub const MAX_ATTACHMENT: usize = 25 * 1024 * 1024;
/// All attachments of one document together.
pub const MAX_ATTACHMENTS_TOTAL: i64 = 60 * 1024 * 1024;
/// Attachments per document.
pub const MAX_ATTACHMENTS: i64 = 30;

/// An attachment's description (its bytes are fetched separately).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Attachment {
    pub id: i64,
    pub document_id: i64,
    pub name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
}

/// A file to attach: its name, sniffed media type and bytes.
#[derive(Debug, Clone, Copy)]
pub struct NewAttachment<'a> {
    pub name: &'a str,
    pub media_type: &'a str,
    pub bytes: &'a [u8],
}

/// Attaches a file to a document that is not yet sent.
pub async fn attach(
    store: &Store,
    actor: &Actor,
    id: i64,
    name: &str,
    media_type: &str,
    bytes: &[u8],
) -> Result<Attachment, StoreError> {
    let file = NewAttachment {
        name,
        media_type,
        bytes,
    };
    Ok(attach_all(store, actor, id, &[file]).await?.remove(0))
}

/// Attaches files to a document that is not yet sent, all in one
/// transaction: all of them, or none when one is refused.
pub async fn attach_all(
    store: &Store,
    actor: &Actor,
    id: i64,
    files: &[NewAttachment<'_>],
) -> Result<Vec<Attachment>, StoreError> {
    for f in files {
        check_attachment(f)?;
    }
    let mut tx = store.begin_write().await?;
    let doc = get_in(&mut tx, id).await?;
    if matches!(doc.state, State::Sent | State::Cancelled) {
        return Err(StoreError::rejected(
            format!("หนังสือที่{}แล้วแนบไฟล์เพิ่มไม่ได้", doc.state.thai()),
            format!("files cannot be attached to a {} document", doc.state.key()),
        ));
    }
    let used = sqlx::query("SELECT COUNT(*), CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM attachments WHERE document_id = $1")
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    let (count, total): (i64, i64) = (used.try_get(0)?, used.try_get(1)?);
    let adding: i64 = files.iter().map(|f| f.bytes.len() as i64).sum();
    if count + files.len() as i64 > MAX_ATTACHMENTS || total + adding > MAX_ATTACHMENTS_TOTAL {
        return Err(StoreError::invalid(
            "attachment",
            &format!(
                "แนบไฟล์ได้ไม่เกิน {MAX_ATTACHMENTS} ไฟล์ รวมไม่เกิน {} MB ต่อหนังสือ",
                MAX_ATTACHMENTS_TOTAL / 1024 / 1024
            ),
            &format!(
                "at most {MAX_ATTACHMENTS} files and {} MB in all per document",
                MAX_ATTACHMENTS_TOTAL / 1024 / 1024
            ),
        ));
    }
    let mut audit = Appender::start(&mut tx, actor, Utc::now()).await?;
    let mut made = Vec::with_capacity(files.len());
    for f in files {
        let sha = sha256_hex(f.bytes);
        let inserted = sqlx::query(
            "INSERT INTO attachments (document_id, name, media_type, size, sha256, bytes, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(id)
        .bind(f.name)
        .bind(f.media_type)
        .bind(f.bytes.len() as i64)
        .bind(&sha)
        .bind(f.bytes)
        .bind(stamp(Utc::now()))
        .fetch_one(&mut *tx)
        .await;
        let att_id: i64 = match inserted {
            Ok(row) => row.try_get(0)?,
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(StoreError::duplicate(
                    format!("ไฟล์ {} แนบไว้แล้ว", f.name),
                    format!("{} is already attached", f.name),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        audit
            .append(
                &mut tx,
                Change {
                    office_id: Some(doc.office_id),
                    action: "attachment.add",
                    object: format!("attachment:{att_id}"),
                    before: None,
                    after: Some(f.bytes),
                },
            )
            .await?;
        made.push(Attachment {
            id: att_id,
            document_id: id,
            name: f.name.to_string(),
            media_type: f.media_type.to_string(),
            size: f.bytes.len() as i64,
            sha256: sha,
        });
    }
    audit.commit(tx).await?;
    Ok(made)
}

/// A file's size and name, before anything is written.
fn check_attachment(f: &NewAttachment<'_>) -> Result<(), StoreError> {
    if f.bytes.len() > MAX_ATTACHMENT {
        return Err(StoreError::invalid(
            "attachment",
            &format!("ไฟล์ใหญ่เกิน {} MB", MAX_ATTACHMENT / 1024 / 1024),
            &format!("file larger than {} MB", MAX_ATTACHMENT / 1024 / 1024),
        ));
    }
    if f.bytes.is_empty() {
        return Err(StoreError::invalid(
            "attachment",
            "ไฟล์ว่างเปล่า",
            "empty file",
        ));
    }
    if f.name.trim().is_empty() || f.name.contains(['/', '\\']) || f.name.chars().count() > 255 {
        return Err(StoreError::invalid("name", "ชื่อไฟล์ไม่ถูกต้อง", "bad file name"));
    }
    Ok(())
}

pub async fn attachments(store: &Store, id: i64) -> Result<Vec<Attachment>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, document_id, name, media_type, size, sha256 FROM attachments WHERE document_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(store.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(<Attachment as sqlx::FromRow<sqlx::any::AnyRow>>::from_row(
                r,
            )?)
        })
        .collect()
}

/// The bytes of one attachment.
pub async fn attachment_bytes(store: &Store, attachment_id: i64) -> Result<Vec<u8>, StoreError> {
    let row = sqlx::query("SELECT bytes FROM attachments WHERE id = $1")
        .bind(attachment_id)
        .fetch_optional(store.reader())
        .await?
        .ok_or_else(|| StoreError::rejected("ไม่พบไฟล์แนบ", "no such attachment"))?;
    Ok(row.try_get(0)?)
}

/// An attachment's bytes read a chunk at a time, so that a download
/// holds one chunk in memory, not the file.
pub struct Chunks {
    store: Store,
    id: i64,
    size: i64,
    chunk: i64,
    offset: i64,
}

impl Chunks {
    pub fn new(store: Store, attachment_id: i64, size: i64, chunk: i64) -> Chunks {
        Chunks {
            store,
            id: attachment_id,
            size,
            chunk: chunk.max(1),
            offset: 0,
        }
    }

    /// The next chunk, or `None` at the end.
    pub async fn next(&mut self) -> Result<Option<Vec<u8>>, StoreError> {
        if self.offset >= self.size {
            return Ok(None);
        }
        // substr on a blob (SQLite) and on bytea (PostgreSQL) counts bytes
        // from 1.
        let row = sqlx::query(
            "SELECT substr(bytes, CAST($1 AS INTEGER), CAST($2 AS INTEGER)) FROM attachments WHERE id = $3",
        )
            .bind(self.offset + 1)
            .bind(self.chunk)
            .bind(self.id)
            .fetch_optional(self.store.reader())
            .await?
            .ok_or_else(|| StoreError::rejected("ไม่พบไฟล์แนบ", "no such attachment"))?;
        let bytes: Vec<u8> = row.try_get(0)?;
        if bytes.is_empty() {
            self.offset = self.size;
            return Ok(None);
        }
        self.offset += bytes.len() as i64;
        Ok(Some(bytes))
    }
}

/// Removes attachment `attachment_id` from document `id` before the
/// document is sent (a sent letter's enclosures are what was sent).
pub async fn detach(
    store: &Store,
    actor: &Actor,
    id: i64,
    attachment_id: i64,
) -> Result<Attachment, StoreError> {
    let mut tx = store.begin_write().await?;
    let doc = get_in(&mut tx, id).await?;
    if matches!(doc.state, State::Sent | State::Cancelled) {
        return Err(StoreError::rejected(
            format!("หนังสือที่{}แล้วนำไฟล์แนบออกไม่ได้", doc.state.thai()),
            format!(
                "files cannot be removed from a {} document",
                doc.state.key()
            ),
        ));
    }
    let row = sqlx::query(
        "SELECT id, document_id, name, media_type, size, sha256 FROM attachments \
         WHERE id = $1 AND document_id = $2",
    )
    .bind(attachment_id)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| StoreError::rejected("ไม่พบไฟล์แนบ", "no such attachment"))?;
    let gone = <Attachment as sqlx::FromRow<sqlx::any::AnyRow>>::from_row(&row)?;
    let mut audit = Appender::start(&mut tx, actor, Utc::now()).await?;
    sqlx::query("DELETE FROM attachments WHERE id = $1")
        .bind(attachment_id)
        .execute(&mut *tx)
        .await?;
    audit
        .append(
            &mut tx,
            Change {
                office_id: Some(doc.office_id),
                action: "attachment.delete",
                object: format!("attachment:{attachment_id}"),
                before: Some(gone.sha256.as_bytes()),
                after: None,
            },
        )
        .await?;
    audit.commit(tx).await?;
    Ok(gone)
}

/// Deletes a draft with its attachments, readers and references. A
/// numbered document is never deleted: its number is in the register.
pub async fn delete_draft(store: &Store, actor: &Actor, id: i64) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    let doc = get_in(&mut tx, id).await?;
    if doc.state != State::Draft {
        return Err(transition(doc.state, State::Cancelled));
    }
    let mut audit = Appender::start(&mut tx, actor, Utc::now()).await?;
    let attached: Vec<i64> = sqlx::query("SELECT id FROM attachments WHERE document_id = $1")
        .bind(id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    for att in attached {
        audit
            .append(
                &mut tx,
                Change {
                    office_id: Some(doc.office_id),
                    action: "attachment.delete",
                    object: format!("attachment:{att}"),
                    before: None,
                    after: None,
                },
            )
            .await?;
    }
    super::replies::forget_draft_in(&mut tx, &mut audit, id, doc.office_id).await?;
    for sql in [
        "DELETE FROM attachments WHERE document_id = $1",
        "DELETE FROM document_versions WHERE document_id = $1",
        "DELETE FROM document_readers WHERE document_id = $1",
        "DELETE FROM doc_references WHERE from_id = $1",
        "DELETE FROM doc_references WHERE to_id = $1",
    ] {
        sqlx::query(sql).bind(id).execute(&mut *tx).await?;
    }
    super::search::delete_text(&mut tx, id).await?;
    sqlx::query("DELETE FROM documents WHERE id = $1 AND state = 'draft'")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit
        .append(
            &mut tx,
            Change {
                office_id: Some(doc.office_id),
                action: "document.delete",
                object: format!("document:{id}"),
                before: Some(content_json(&doc.content).as_bytes()),
                after: None,
            },
        )
        .await?;
    audit.commit(tx).await?;
    Ok(())
}

/// How one letter refers to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// อ้างถึง
    Cites,
    /// answers
    RepliesTo,
    /// replaces
    Supersedes,
    /// revokes
    Cancels,
}

impl Relation {
    pub fn key(self) -> &'static str {
        match self {
            Relation::Cites => "cites",
            Relation::RepliesTo => "replies_to",
            Relation::Supersedes => "supersedes",
            Relation::Cancels => "cancels",
        }
    }

    fn parse(text: &str) -> Relation {
        match text {
            "replies_to" => Relation::RepliesTo,
            "supersedes" => Relation::Supersedes,
            "cancels" => Relation::Cancels,
            _ => Relation::Cites,
        }
    }
}

/// What a reference points at: a stored document, or a letter known only by
/// its number and date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    Stored(i64),
    External {
        /// Canonical, Arabic digits.
        number: String,
        date: Option<NaiveDate>,
        issuer: Option<String>,
    },
}

/// One edge of the reference graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reference {
    pub from: i64,
    pub relation: Relation,
    pub target: Target,
}

/// Records that document `from` refers to `target`.
pub async fn add_reference(
    store: &Store,
    actor: &Actor,
    from: i64,
    relation: Relation,
    target: &Target,
) -> Result<Reference, StoreError> {
    let target = match target {
        Target::External {
            number,
            date,
            issuer,
        } => {
            let canonical = DocNumber::parse(number).map_err(|e| {
                StoreError::invalid(
                    "number",
                    &format!("เลขที่หนังสือไม่ถูกต้อง: {e}"),
                    "not a document number",
                )
            })?;
            Target::External {
                number: canonical.key(),
                date: *date,
                issuer: issuer.clone(),
            }
        }
        Target::Stored(id) => {
            if *id == from {
                return Err(StoreError::rejected(
                    "หนังสืออ้างถึงตัวเองไม่ได้",
                    "a document cannot cite itself",
                ));
            }
            get(store, *id).await?;
            Target::Stored(*id)
        }
    };
    let mut tx = store.begin_write().await?;
    let doc = get_in(&mut tx, from).await?;
    let (to_id, number, date, issuer) = match &target {
        Target::Stored(id) => (Some(*id), None, None, None),
        Target::External {
            number,
            date,
            issuer,
        } => (
            None,
            Some(number.clone()),
            date.map(|d| d.to_string()),
            issuer.clone(),
        ),
    };
    let mut audit = Appender::start(&mut tx, actor, Utc::now()).await?;
    let row = sqlx::query(
        "INSERT INTO doc_references (from_id, relation, to_id, ext_number, ext_date, ext_issuer) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(from)
    .bind(relation.key())
    .bind(to_id)
    .bind(&number)
    .bind(&date)
    .bind(&issuer)
    .fetch_one(&mut *tx)
    .await?;
    let ref_id: i64 = row.try_get(0)?;
    let reference = Reference {
        from,
        relation,
        target,
    };
    audit
        .append(
            &mut tx,
            Change {
                office_id: Some(doc.office_id),
                action: "reference.add",
                object: format!("reference:{ref_id}"),
                before: None,
                after: Some(
                    serde_json::to_string(&reference)
                        .unwrap_or_default()
                        .as_bytes(),
                ),
            },
        )
        .await?;
    audit.commit(tx).await?;
    Ok(reference)
}

fn reference_from_row(row: &AnyRow) -> Result<Reference, StoreError> {
    let relation: String = row.try_get(1)?;
    let to_id: Option<i64> = row.try_get(2)?;
    let number: Option<String> = row.try_get(3)?;
    let date: Option<String> = row.try_get(4)?;
    Ok(Reference {
        from: row.try_get(0)?,
        relation: Relation::parse(&relation),
        target: match to_id {
            Some(id) => Target::Stored(id),
            None => Target::External {
                number: number.unwrap_or_default(),
                date: date.and_then(|d| d.parse().ok()),
                issuer: row.try_get(5)?,
            },
        },
    })
}

/// What `id` refers to.
pub async fn references_from(store: &Store, id: i64) -> Result<Vec<Reference>, StoreError> {
    let rows = sqlx::query(
        "SELECT from_id, relation, to_id, ext_number, ext_date, ext_issuer FROM doc_references WHERE from_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(store.reader())
    .await?;
    rows.iter().map(reference_from_row).collect()
}

/// What refers to `id`: stored links, and references by its number.
pub async fn references_to(store: &Store, id: i64) -> Result<Vec<Reference>, StoreError> {
    let doc = get(store, id).await?;
    let rows = sqlx::query(
        "SELECT from_id, relation, to_id, ext_number, ext_date, ext_issuer FROM doc_references \
         WHERE to_id = $1 OR (ext_number IS NOT NULL AND ext_number = $2) ORDER BY id",
    )
    .bind(id)
    .bind(doc.number.unwrap_or_default())
    .fetch_all(store.reader())
    .await?;
    rows.iter().map(reference_from_row).collect()
}

/// These documents, in the order of `ids` (missing ones left out).
pub async fn get_many(store: &Store, ids: &[i64]) -> Result<Vec<Stored>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = super::id_list(ids);
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM documents WHERE id IN ({list})"
    ))
    .fetch_all(store.reader())
    .await?;
    let mut found: std::collections::HashMap<i64, Stored> = rows
        .iter()
        .map(|r| from_row(r).map(|d| (d.id, d)))
        .collect::<Result<_, _>>()?;
    Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
}

/// Documents of one office, newest first.
pub async fn list(store: &Store, office_id: i64, limit: i64) -> Result<Vec<Stored>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM documents WHERE office_id = $1 ORDER BY id DESC LIMIT $2"
    ))
    .bind(office_id)
    .bind(limit)
    .fetch_all(store.reader())
    .await?;
    rows.iter().map(from_row).collect()
}

/// Documents with this number (canonical, any digits), newest first;
/// only `office_id`'s when given.
pub async fn find_by_number(
    store: &Store,
    number: &DocNumber,
    office_id: Option<i64>,
) -> Result<Vec<Stored>, StoreError> {
    let rows = match office_id {
        Some(office) => sqlx::query(&format!(
            "SELECT {COLUMNS} FROM documents WHERE number = $1 AND office_id = $2 ORDER BY id DESC"
        ))
        .bind(number.key())
        .bind(office)
        .fetch_all(store.reader())
        .await?,
        None => {
            sqlx::query(&format!(
                "SELECT {COLUMNS} FROM documents WHERE number = $1 ORDER BY id DESC"
            ))
            .bind(number.key())
            .fetch_all(store.reader())
            .await?
        }
    };
    rows.iter().map(from_row).collect()
}

//! One action's writes, in one audited transaction: items closed (only if
//! still open, so two people cannot both act on the same item) and
//! opened, events appended, the receive register's การปฏิบัติ extended, a
//! draft's content replaced (signing), a file kept, settings and acting
//! roles changed. Ops run in order; later ops may name what earlier ones
//! made.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{Any, Row, Transaction};

use super::super::audit::{Appender, Change};
use super::super::offices::Office;
use super::super::{Actor, Store, StoreError, sha256_hex, stamp};
use super::{ItemKind, ItemStatus, Settings};
use crate::model::Document;

/// An item: one that exists, or one made earlier in the same action.
#[derive(Debug, Clone, Copy)]
pub enum ItemRef {
    Id(i64),
    New(usize),
}

/// An event: one that exists, or one made earlier in the same action.
#[derive(Debug, Clone, Copy)]
pub enum EventRef {
    Id(i64),
    New(usize),
}

/// A work item to open.
#[derive(Debug, Clone)]
pub struct NewItem {
    pub office_id: i64,
    pub kind: ItemKind,
    pub document_id: i64,
    pub delivery_id: Option<i64>,
    pub assignee_id: i64,
    pub unit: String,
    pub tier: i64,
    pub version: Option<i64>,
    pub instruction: String,
    pub due: Option<NaiveDate>,
    pub created_by: Option<i64>,
}

/// An event to append.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub office_id: i64,
    pub document_id: i64,
    pub delivery_id: Option<i64>,
    pub item: Option<ItemRef>,
    pub kind: &'static str,
    pub user_id: Option<i64>,
    pub actor: String,
    pub target_id: Option<i64>,
    pub choice: String,
    pub note: String,
    pub version: Option<i64>,
    pub corrects: Option<i64>,
    pub related_id: Option<i64>,
}

/// A change to a user's acting roles.
#[derive(Debug, Clone)]
pub enum ActingChange {
    Add {
        user_id: i64,
        kind: super::ActingKind,
        position: String,
        for_position: String,
        from: NaiveDate,
        to: NaiveDate,
    },
    Remove {
        id: i64,
    },
}

/// One write.
#[derive(Debug, Clone)]
pub enum Op {
    /// Closes an open item; fails (conflict) when it is no longer open.
    Close {
        item: i64,
        status: ItemStatus,
        note: String,
    },
    /// Withdraws every open item of a kind on a document (a draft
    /// resubmitted, a draft sent back).
    WithdrawOpen {
        document_id: i64,
        kinds: &'static [ItemKind],
    },
    Open(NewItem),
    Event(NewEvent),
    /// Appends a phrase to the receive-register row's การปฏิบัติ.
    RegisterAction {
        entry_id: i64,
        phrase: String,
    },
    /// Replaces a draft's content (kept as its next version); the new
    /// version is what later `Event`s with `version: None` and
    /// `stamp_version` record.
    Content {
        document_id: i64,
        doc: Box<Document>,
    },
    /// Keeps a file on an item.
    File {
        item: ItemRef,
        name: String,
        media_type: &'static str,
        bytes: Vec<u8>,
    },
    Settings(Settings),
    Acting(ActingChange),
    /// Stores a reply draft for `office`, read by `readers` when secret,
    /// linked to the letter it answers (`replies_to`).
    Draft {
        office: Box<Office>,
        doc: Box<Document>,
        readers: Vec<i64>,
        replies_to: i64,
    },
    /// Makes sure the draft's current content is kept as a version (a
    /// draft never edited has none yet), so that what a checker saw is
    /// known; sets the version later events record.
    EnsureVersion {
        document_id: i64,
    },
}

/// What an action made: the ids of new items, events and files, and the
/// draft's version after a content change.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    pub items: Vec<i64>,
    pub events: Vec<i64>,
    pub files: Vec<i64>,
    pub version: Option<i64>,
    pub draft: Option<i64>,
}

/// Runs `ops` in one transaction, audited as `actor` at `at`.
pub async fn apply(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    ops: Vec<Op>,
) -> Result<Applied, StoreError> {
    let (mut tx, mut audit) = store.begin_audited(actor, at).await?;
    let mut made = Applied::default();
    let now = stamp(at);
    for op in ops {
        run(&mut tx, &mut audit, actor, &now, op, &mut made).await?;
    }
    audit.commit(tx).await?;
    Ok(made)
}

fn item_id(made: &Applied, r: ItemRef) -> Result<i64, StoreError> {
    match r {
        ItemRef::Id(id) => Ok(id),
        ItemRef::New(i) => made
            .items
            .get(i)
            .copied()
            .ok_or_else(|| StoreError::Corrupt {
                column: "work_items.id",
                value: format!("new item {i}"),
            }),
    }
}

async fn run(
    tx: &mut Transaction<'static, Any>,
    audit: &mut Appender,
    actor: &Actor,
    now: &str,
    op: Op,
    made: &mut Applied,
) -> Result<(), StoreError> {
    match op {
        Op::Close { item, status, note } => {
            let row = sqlx::query(
                "UPDATE work_items SET status = $1, closed_at = $2, note = $3 \
                 WHERE id = $4 AND status = 'open' RETURNING office_id",
            )
            .bind(status.key())
            .bind(now)
            .bind(&note)
            .bind(item)
            .fetch_optional(&mut **tx)
            .await?;
            let Some(row) = row else {
                return Err(StoreError::rejected(
                    "รายการนี้มีผู้ดำเนินการไปแล้ว",
                    "this item has already been acted on",
                ));
            };
            let office: i64 = row.try_get(0)?;
            record(
                tx,
                audit,
                office,
                "work.close",
                format!("work:{item}"),
                status.key(),
            )
            .await?;
        }
        Op::WithdrawOpen { document_id, kinds } => {
            for kind in kinds {
                let rows = sqlx::query(
                    "UPDATE work_items SET status = 'withdrawn', closed_at = $1 \
                     WHERE document_id = $2 AND kind = $3 AND status = 'open' \
                     RETURNING id, office_id",
                )
                .bind(now)
                .bind(document_id)
                .bind(kind.key())
                .fetch_all(&mut **tx)
                .await?;
                for r in rows {
                    let (id, office): (i64, i64) = (r.try_get(0)?, r.try_get(1)?);
                    record(
                        tx,
                        audit,
                        office,
                        "work.close",
                        format!("work:{id}"),
                        "withdrawn",
                    )
                    .await?;
                }
            }
        }
        Op::Open(n) => {
            let id: i64 = sqlx::query(
                "INSERT INTO work_items (office_id, kind, document_id, delivery_id, assignee_id, \
                 unit, tier, version, instruction, due, status, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', $11, $12) RETURNING id",
            )
            .bind(n.office_id)
            .bind(n.kind.key())
            .bind(n.document_id)
            .bind(n.delivery_id)
            .bind(n.assignee_id)
            .bind(&n.unit)
            .bind(n.tier)
            .bind(n.version)
            .bind(&n.instruction)
            .bind(n.due.map(|d| d.to_string()))
            .bind(n.created_by)
            .bind(now)
            .fetch_one(&mut **tx)
            .await?
            .try_get(0)?;
            made.items.push(id);
            record(
                tx,
                audit,
                n.office_id,
                "work.open",
                format!("work:{id}"),
                n.kind.key(),
            )
            .await?;
        }
        Op::Event(e) => {
            let item = e.item.map(|r| item_id(made, r)).transpose()?;
            let version = e.version.or(made.version);
            let related = e.related_id.or(match e.kind {
                "reply" => made.draft,
                "attach" => made.files.last().copied(),
                _ => None,
            });
            let id: i64 = sqlx::query(
                "INSERT INTO work_events (office_id, document_id, delivery_id, item_id, kind, \
                 user_id, actor, target_id, choice, note, version, corrects, related_id, at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
            )
            .bind(e.office_id)
            .bind(e.document_id)
            .bind(e.delivery_id)
            .bind(item)
            .bind(e.kind)
            .bind(e.user_id)
            .bind(&e.actor)
            .bind(e.target_id)
            .bind(&e.choice)
            .bind(&e.note)
            .bind(version)
            .bind(e.corrects)
            .bind(related)
            .bind(now)
            .fetch_one(&mut **tx)
            .await?
            .try_get(0)?;
            made.events.push(id);
            let action = format!("work.{}", e.kind);
            audit
                .append(
                    tx,
                    Change {
                        office_id: Some(e.office_id),
                        action: &action,
                        object: format!("work_event:{id}"),
                        before: None,
                        after: Some(format!("{}\u{1f}{}", e.choice, e.note).as_bytes()),
                    },
                )
                .await?;
        }
        Op::RegisterAction { entry_id, phrase } => {
            let row = sqlx::query(
                "UPDATE register_entries SET action = CASE WHEN action = '' THEN $1 \
                 ELSE action || '; ' || $1 END WHERE id = $2 RETURNING office_id",
            )
            .bind(&phrase)
            .bind(entry_id)
            .fetch_optional(&mut **tx)
            .await?;
            if let Some(row) = row {
                let office: i64 = row.try_get(0)?;
                record(
                    tx,
                    audit,
                    office,
                    "register.action",
                    format!("register:{entry_id}"),
                    &phrase,
                )
                .await?;
            }
        }
        Op::Content { document_id, doc } => {
            super::super::documents::update_in(tx, audit, actor, document_id, &doc).await?;
            let v: i64 =
                sqlx::query("SELECT MAX(version) FROM document_versions WHERE document_id = $1")
                    .bind(document_id)
                    .fetch_one(&mut **tx)
                    .await?
                    .try_get(0)?;
            made.version = Some(v);
        }
        Op::File {
            item,
            name,
            media_type,
            bytes,
        } => {
            let item = item_id(made, item)?;
            let id: i64 = sqlx::query(
                "INSERT INTO work_files (item_id, name, media_type, size, sha256, bytes, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(item)
            .bind(&name)
            .bind(media_type)
            .bind(bytes.len() as i64)
            .bind(sha256_hex(&bytes))
            .bind(&bytes)
            .bind(now)
            .fetch_one(&mut **tx)
            .await?
            .try_get(0)?;
            made.files.push(id);
            let office: i64 = sqlx::query("SELECT office_id FROM work_items WHERE id = $1")
                .bind(item)
                .fetch_one(&mut **tx)
                .await?
                .try_get(0)?;
            record(
                tx,
                audit,
                office,
                "work.file",
                format!("work_file:{id}"),
                &name,
            )
            .await?;
        }
        Op::Settings(s) => {
            let chain = serde_json::to_string(&s.chain).unwrap_or_else(|_| "[]".into());
            let checkers = serde_json::to_string(&s.checkers).unwrap_or_else(|_| "[]".into());
            sqlx::query(
                "INSERT INTO office_workflow (id, check_tiers, require_signing, chain, checkers, \
                 signer_id, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (id) DO UPDATE SET check_tiers = excluded.check_tiers, \
                 require_signing = excluded.require_signing, chain = excluded.chain, \
                 checkers = excluded.checkers, signer_id = excluded.signer_id, \
                 updated_at = excluded.updated_at",
            )
            .bind(s.office_id)
            .bind(s.check_tiers)
            .bind(i64::from(s.require_signing))
            .bind(&chain)
            .bind(&checkers)
            .bind(s.signer_id)
            .bind(now)
            .execute(&mut **tx)
            .await?;
            record(
                tx,
                audit,
                s.office_id,
                "workflow.settings",
                format!("workflow:{}", s.office_id),
                &format!("{} {} {chain} {checkers}", s.check_tiers, s.require_signing),
            )
            .await?;
        }
        Op::Acting(ActingChange::Add {
            user_id,
            kind,
            position,
            for_position,
            from,
            to,
        }) => {
            let id: i64 = sqlx::query(
                "INSERT INTO acting_roles (user_id, kind, position, for_position, from_date, \
                 to_date, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(user_id)
            .bind(kind.key())
            .bind(&position)
            .bind(&for_position)
            .bind(from.to_string())
            .bind(to.to_string())
            .bind(now)
            .fetch_one(&mut **tx)
            .await?
            .try_get(0)?;
            let office = office_of_user(tx, user_id).await?;
            record(
                tx,
                audit,
                office,
                "acting.add",
                format!("acting:{id}"),
                kind.key(),
            )
            .await?;
        }
        Op::Draft {
            office,
            doc,
            readers,
            replies_to,
        } => {
            use super::super::documents;
            let stored = documents::insert_draft_in(tx, audit, &office, &doc).await?;
            super::super::accounts::name_readers_in(tx, audit, stored.id, &readers).await?;
            documents::save_version_in(tx, stored.id, &documents::content_json(&doc), actor)
                .await?;
            sqlx::query(
                "INSERT INTO doc_references (from_id, relation, to_id) VALUES ($1, 'replies_to', $2)",
            )
            .bind(stored.id)
            .bind(replies_to)
            .execute(&mut **tx)
            .await?;
            made.draft = Some(stored.id);
        }
        Op::EnsureVersion { document_id } => {
            let v: Option<i64> =
                sqlx::query("SELECT MAX(version) FROM document_versions WHERE document_id = $1")
                    .bind(document_id)
                    .fetch_one(&mut **tx)
                    .await?
                    .try_get(0)?;
            made.version = Some(match v {
                Some(v) => v,
                None => {
                    let d = super::super::documents::get_in(tx, document_id).await?;
                    let content = super::super::documents::content_json(&d.content);
                    super::super::documents::save_version_in(tx, document_id, &content, actor)
                        .await?;
                    1
                }
            });
        }
        Op::Acting(ActingChange::Remove { id }) => {
            let row = sqlx::query("DELETE FROM acting_roles WHERE id = $1 RETURNING user_id")
                .bind(id)
                .fetch_optional(&mut **tx)
                .await?;
            if let Some(row) = row {
                let office = office_of_user(tx, row.try_get(0)?).await?;
                record(
                    tx,
                    audit,
                    office,
                    "acting.remove",
                    format!("acting:{id}"),
                    "",
                )
                .await?;
            }
        }
    }
    Ok(())
}

async fn office_of_user(
    tx: &mut Transaction<'static, Any>,
    user_id: i64,
) -> Result<i64, StoreError> {
    Ok(sqlx::query("SELECT office_id FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?)
}

async fn record(
    tx: &mut Transaction<'static, Any>,
    audit: &mut Appender,
    office: i64,
    action: &str,
    object: String,
    after: &str,
) -> Result<(), StoreError> {
    audit
        .append(
            tx,
            Change {
                office_id: Some(office),
                action,
                object,
                before: None,
                after: Some(after.as_bytes()),
            },
        )
        .await
}

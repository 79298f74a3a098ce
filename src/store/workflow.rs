//! Inside the office: what someone must do with a letter or a draft (work
//! items: endorse, work on, revise, check, sign) and what was done (work
//! events, the letter's timeline, append-only), each office's settings
//! (the present chain, check tiers, the signer, whether numbering needs a
//! signature) and users' acting roles.
//!
//! The rules are the application layer's (`app::workflow`); here are the
//! rows, read cheaply, and [`apply`]: one audited transaction that writes
//! whatever one action made (items closed and opened, events, a line of
//! the receive register's การปฏิบัติ, a draft's signed content, a file).

mod apply;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Store, StoreError};

pub use apply::{ActingChange, Applied, EventRef, ItemRef, NewEvent, NewItem, Op, apply};

/// What a work item asks of its assignee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// เกษียน: a letter presented to the assignee.
    Endorse,
    /// ปฏิบัติ: a letter assigned to the assignee.
    Work,
    /// แก้ไขร่าง: a draft sent back to its author.
    Revise,
    /// ตรวจร่าง.
    Check,
    /// ลงนาม.
    Sign,
}

impl ItemKind {
    pub const ALL: [ItemKind; 5] = [
        ItemKind::Endorse,
        ItemKind::Work,
        ItemKind::Revise,
        ItemKind::Check,
        ItemKind::Sign,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ItemKind::Endorse => "endorse",
            ItemKind::Work => "work",
            ItemKind::Revise => "revise",
            ItemKind::Check => "check",
            ItemKind::Sign => "sign",
        }
    }

    pub fn thai(self) -> &'static str {
        match self {
            ItemKind::Endorse => "เสนอเพื่อเกษียน",
            ItemKind::Work => "มอบหมายให้ดำเนินการ",
            ItemKind::Revise => "ร่างถูกส่งกลับให้แก้ไข",
            ItemKind::Check => "ตรวจร่าง",
            ItemKind::Sign => "ลงนาม",
        }
    }

    fn parse(text: &str) -> Result<ItemKind, StoreError> {
        ItemKind::ALL
            .into_iter()
            .find(|k| k.key() == text)
            .ok_or_else(|| StoreError::Corrupt {
                column: "work_items.kind",
                value: text.to_string(),
            })
    }
}

/// Where a work item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Open,
    Done,
    Passed,
    Returned,
    Reassigned,
    Withdrawn,
}

impl ItemStatus {
    const ALL: [ItemStatus; 6] = [
        ItemStatus::Open,
        ItemStatus::Done,
        ItemStatus::Passed,
        ItemStatus::Returned,
        ItemStatus::Reassigned,
        ItemStatus::Withdrawn,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ItemStatus::Open => "open",
            ItemStatus::Done => "done",
            ItemStatus::Passed => "passed",
            ItemStatus::Returned => "returned",
            ItemStatus::Reassigned => "reassigned",
            ItemStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn thai(self) -> &'static str {
        match self {
            ItemStatus::Open => "รอดำเนินการ",
            ItemStatus::Done => "เสร็จแล้ว",
            ItemStatus::Passed => "ส่งต่อแล้ว",
            ItemStatus::Returned => "ส่งกลับแล้ว",
            ItemStatus::Reassigned => "มอบต่อแล้ว",
            ItemStatus::Withdrawn => "ถอนแล้ว",
        }
    }

    fn parse(text: &str) -> Result<ItemStatus, StoreError> {
        ItemStatus::ALL
            .into_iter()
            .find(|k| k.key() == text)
            .ok_or_else(|| StoreError::Corrupt {
                column: "work_items.status",
                value: text.to_string(),
            })
    }
}

/// One thing someone must do (or did).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub id: i64,
    pub office_id: i64,
    pub kind: ItemKind,
    /// The letter (endorse, work) or the draft (revise, check, sign).
    pub document_id: i64,
    pub delivery_id: Option<i64>,
    pub assignee_id: i64,
    pub assignee_name: String,
    /// A unit named in an assignment (กองคลัง), or empty.
    pub unit: String,
    /// The check tier (1 or 2); 0 otherwise.
    pub tier: i64,
    /// The draft's version when it was handed over.
    pub version: Option<i64>,
    pub instruction: String,
    pub due: Option<NaiveDate>,
    pub status: ItemStatus,
    pub created_by: Option<i64>,
    pub created_at: String,
    pub closed_at: Option<String>,
    pub note: String,
    /// The document's heading, for lists.
    pub subject: String,
    pub number: Option<String>,
    pub secrecy: Option<String>,
    pub urgency: Option<String>,
}

const ITEM_COLUMNS: &str = "i.id, i.office_id, i.kind, i.document_id, i.delivery_id, \
    i.assignee_id, COALESCE(u.display_name, ''), i.unit, i.tier, i.version, i.instruction, i.due, \
    i.status, i.created_by, i.created_at, i.closed_at, i.note, COALESCE(d.subject, ''), \
    d.number, d.secrecy, d.urgency";

const ITEM_FROM: &str = "work_items i LEFT JOIN users u ON u.id = i.assignee_id \
    LEFT JOIN documents d ON d.id = i.document_id";

fn item_from_row(r: &AnyRow) -> Result<Item, StoreError> {
    let kind: String = r.try_get(2)?;
    let status: String = r.try_get(12)?;
    let due: Option<String> = r.try_get(11)?;
    Ok(Item {
        id: r.try_get(0)?,
        office_id: r.try_get(1)?,
        kind: ItemKind::parse(&kind)?,
        document_id: r.try_get(3)?,
        delivery_id: r.try_get(4)?,
        assignee_id: r.try_get(5)?,
        assignee_name: r.try_get(6)?,
        unit: r.try_get(7)?,
        tier: r.try_get(8)?,
        version: r.try_get(9)?,
        instruction: r.try_get(10)?,
        due: due.and_then(|d| d.parse().ok()),
        status: ItemStatus::parse(&status)?,
        created_by: r.try_get(13)?,
        created_at: r.try_get(14)?,
        closed_at: r.try_get(15)?,
        note: r.try_get(16)?,
        subject: r.try_get(17)?,
        number: r.try_get(18)?,
        secrecy: r.try_get(19)?,
        urgency: r.try_get(20)?,
    })
}

/// One item by id.
pub async fn item(store: &Store, id: i64) -> Result<Option<Item>, StoreError> {
    let sql = format!("SELECT {ITEM_COLUMNS} FROM {ITEM_FROM} WHERE i.id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(store.reader())
        .await?;
    row.as_ref().map(item_from_row).transpose()
}

/// A user's open items, the most pressing first (overdue, then by due
/// date, then oldest).
pub async fn open_items_of(store: &Store, user_id: i64) -> Result<Vec<Item>, StoreError> {
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM {ITEM_FROM} WHERE i.assignee_id = $1 AND i.status = 'open' \
         ORDER BY CASE WHEN i.due IS NULL THEN 1 ELSE 0 END, i.due, i.id LIMIT 500"
    );
    let rows = sqlx::query(&sql)
        .bind(user_id)
        .fetch_all(store.reader())
        .await?;
    rows.iter().map(item_from_row).collect()
}

/// The items of a letter delivered to an office (by delivery) or of a
/// draft (by document), oldest first.
pub async fn items_of(
    store: &Store,
    document_id: i64,
    delivery_id: Option<i64>,
) -> Result<Vec<Item>, StoreError> {
    let (sql, id) = match delivery_id {
        Some(d) => (
            format!(
                "SELECT {ITEM_COLUMNS} FROM {ITEM_FROM} WHERE i.delivery_id = $1 ORDER BY i.id"
            ),
            d,
        ),
        None => (
            format!(
                "SELECT {ITEM_COLUMNS} FROM {ITEM_FROM} WHERE i.document_id = $1 \
                 AND i.delivery_id IS NULL ORDER BY i.id"
            ),
            document_id,
        ),
    };
    let rows = sqlx::query(&sql).bind(id).fetch_all(store.reader()).await?;
    rows.iter().map(item_from_row).collect()
}

/// The counts a page header shows for one user, in one statement.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub endorse: i64,
    pub check: i64,
    pub sign: i64,
    /// Assignments and drafts sent back.
    pub work: i64,
    pub overdue: i64,
    /// Everything open.
    pub total: i64,
}

impl Counts {
    pub fn total(&self) -> i64 {
        self.endorse + self.check + self.sign + self.work
    }
}

/// The user's open items by kind, and how many are past their due date.
pub async fn counts(store: &Store, user_id: i64, today: NaiveDate) -> Result<Counts, StoreError> {
    let rows = sqlx::query(
        "SELECT kind, COUNT(*), SUM(CASE WHEN due < $2 THEN 1 ELSE 0 END) FROM work_items \
         WHERE assignee_id = $1 AND status = 'open' GROUP BY kind",
    )
    .bind(user_id)
    .bind(today.to_string())
    .fetch_all(store.reader())
    .await?;
    let mut c = Counts::default();
    for r in &rows {
        let kind: String = r.try_get(0)?;
        let n: i64 = r.try_get(1)?;
        let late: Option<i64> = r.try_get(2)?;
        c.overdue += late.unwrap_or(0);
        match ItemKind::parse(&kind)? {
            ItemKind::Endorse => c.endorse += n,
            ItemKind::Check => c.check += n,
            ItemKind::Sign => c.sign += n,
            ItemKind::Work | ItemKind::Revise => c.work += n,
        }
    }
    c.total = c.total();
    Ok(c)
}

/// One thing done: an entry of the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub id: i64,
    pub office_id: i64,
    pub document_id: i64,
    pub delivery_id: Option<i64>,
    pub item_id: Option<i64>,
    /// present, endorse, correct, assign, comment, attach, reply, close,
    /// reassign, send_back, submit, pass, return, sign, resubmit, withdraw.
    pub kind: String,
    pub user_id: Option<i64>,
    /// Who did it, as named then.
    pub actor: String,
    pub target_id: Option<i64>,
    pub target_name: Option<String>,
    /// A quick choice (ทราบ, มอบ … ดำเนินการ, เพื่อโปรดพิจารณา).
    pub choice: String,
    pub note: String,
    /// The draft's version the event was about.
    pub version: Option<i64>,
    /// The event this one corrects.
    pub corrects: Option<i64>,
    /// A reply draft, a file.
    pub related_id: Option<i64>,
    pub at: String,
}

const EVENT_COLUMNS: &str = "e.id, e.office_id, e.document_id, e.delivery_id, e.item_id, e.kind, \
    e.user_id, e.actor, e.target_id, t.display_name, e.choice, e.note, e.version, e.corrects, \
    e.related_id, e.at";

fn event_from_row(r: &AnyRow) -> Result<Event, StoreError> {
    Ok(Event {
        id: r.try_get(0)?,
        office_id: r.try_get(1)?,
        document_id: r.try_get(2)?,
        delivery_id: r.try_get(3)?,
        item_id: r.try_get(4)?,
        kind: r.try_get(5)?,
        user_id: r.try_get(6)?,
        actor: r.try_get(7)?,
        target_id: r.try_get(8)?,
        target_name: r.try_get(9)?,
        choice: r.try_get(10)?,
        note: r.try_get(11)?,
        version: r.try_get(12)?,
        corrects: r.try_get(13)?,
        related_id: r.try_get(14)?,
        at: r.try_get(15)?,
    })
}

/// The events of a delivered letter (by delivery) or of a draft (by
/// document), in the order they happened.
pub async fn events_of(
    store: &Store,
    document_id: i64,
    delivery_id: Option<i64>,
) -> Result<Vec<Event>, StoreError> {
    let (filter, id) = match delivery_id {
        Some(d) => ("e.delivery_id = $1", d),
        None => ("e.document_id = $1 AND e.delivery_id IS NULL", document_id),
    };
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM work_events e LEFT JOIN users t ON t.id = e.target_id \
         WHERE {filter} ORDER BY e.id"
    );
    let rows = sqlx::query(&sql).bind(id).fetch_all(store.reader()).await?;
    rows.iter().map(event_from_row).collect()
}

/// One event by id.
pub async fn event(store: &Store, id: i64) -> Result<Option<Event>, StoreError> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM work_events e LEFT JOIN users t ON t.id = e.target_id \
         WHERE e.id = $1"
    );
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(store.reader())
        .await?;
    row.as_ref().map(event_from_row).transpose()
}

/// An office's way of working: who a letter is presented to in turn,
/// how many check tiers a draft passes, who signs, and whether numbering
/// needs a signature.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub office_id: i64,
    /// 0, 1 or 2.
    pub check_tiers: i64,
    /// Only a signed draft is numbered.
    pub require_signing: bool,
    /// The present chain, first to last (user ids): หัวหน้างาน →
    /// ผู้อำนวยการกอง → หัวหน้าส่วนราชการ.
    pub chain: Vec<i64>,
    /// The default checker of each tier.
    pub checkers: Vec<i64>,
    /// The default signer.
    pub signer_id: Option<i64>,
}

/// An office's settings; the defaults (no chain, no tiers, numbering
/// without a signature) when it has none.
pub async fn settings(store: &Store, office_id: i64) -> Result<Settings, StoreError> {
    let row = sqlx::query(
        "SELECT check_tiers, require_signing, chain, checkers, signer_id FROM office_workflow \
         WHERE id = $1",
    )
    .bind(office_id)
    .fetch_optional(store.reader())
    .await?;
    let Some(r) = row else {
        return Ok(Settings {
            office_id,
            ..Settings::default()
        });
    };
    let ids = |col: &'static str, text: String| {
        serde_json::from_str::<Vec<i64>>(&text).map_err(|_| StoreError::Corrupt {
            column: col,
            value: text,
        })
    };
    Ok(Settings {
        office_id,
        check_tiers: r.try_get(0)?,
        require_signing: r.try_get::<i64, _>(1)? != 0,
        chain: ids("office_workflow.chain", r.try_get(2)?)?,
        checkers: ids("office_workflow.checkers", r.try_get(3)?)?,
        signer_id: r.try_get(4)?,
    })
}

/// How a user acts for another position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActingKind {
    /// ปฏิบัติราชการแทน: signing on the holder's behalf.
    ActingFor,
    /// รักษาราชการแทน: holding the position while it is vacant or its
    /// holder is away.
    ActingAs,
}

impl ActingKind {
    pub fn key(self) -> &'static str {
        match self {
            ActingKind::ActingFor => "acting_for",
            ActingKind::ActingAs => "acting_as",
        }
    }

    pub fn thai(self) -> &'static str {
        match self {
            ActingKind::ActingFor => "ปฏิบัติราชการแทน",
            ActingKind::ActingAs => "รักษาราชการแทน",
        }
    }

    pub fn parse(text: &str) -> Option<ActingKind> {
        [ActingKind::ActingFor, ActingKind::ActingAs]
            .into_iter()
            .find(|k| k.key() == text.trim() || k.thai() == text.trim())
    }
}

/// A user's acting role for a date range: printed under their name when
/// they sign inside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActingRole {
    pub id: i64,
    pub user_id: i64,
    pub kind: ActingKind,
    /// The user's own position: รองผู้ว่าราชการจังหวัด.
    pub position: String,
    /// The position acted for: ผู้ว่าราชการจังหวัดพิษณุโลก.
    pub for_position: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl ActingRole {
    /// The position lines of the signature block.
    pub fn lines(&self) -> Vec<String> {
        vec![
            format!("{} {}", self.position, self.kind.thai())
                .trim()
                .to_string(),
            self.for_position.clone(),
        ]
    }
}

/// A user's acting roles, latest first.
pub async fn acting_roles(store: &Store, user_id: i64) -> Result<Vec<ActingRole>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, user_id, kind, position, for_position, from_date, to_date FROM acting_roles \
         WHERE user_id = $1 ORDER BY from_date DESC, id DESC",
    )
    .bind(user_id)
    .fetch_all(store.reader())
    .await?;
    rows.iter()
        .map(|r| {
            let kind: String = r.try_get(2)?;
            let date = |i: usize, col: &'static str| -> Result<NaiveDate, StoreError> {
                let t: String = r.try_get(i)?;
                t.parse().map_err(|_| StoreError::Corrupt {
                    column: col,
                    value: t,
                })
            };
            Ok(ActingRole {
                id: r.try_get(0)?,
                user_id: r.try_get(1)?,
                kind: ActingKind::parse(&kind).ok_or_else(|| StoreError::Corrupt {
                    column: "acting_roles.kind",
                    value: kind.clone(),
                })?,
                position: r.try_get(3)?,
                for_position: r.try_get(4)?,
                from: date(5, "acting_roles.from_date")?,
                to: date(6, "acting_roles.to_date")?,
            })
        })
        .collect()
}

/// The acting role in force for a user on `day` (the latest set).
pub async fn acting_on(
    store: &Store,
    user_id: i64,
    day: NaiveDate,
) -> Result<Option<ActingRole>, StoreError> {
    Ok(acting_roles(store, user_id)
        .await?
        .into_iter()
        .find(|r| r.from <= day && day <= r.to))
}

/// The draft's current version: the highest kept, 0 when none was.
pub async fn current_version(store: &Store, document_id: i64) -> Result<i64, StoreError> {
    let v: Option<i64> =
        sqlx::query("SELECT MAX(version) FROM document_versions WHERE document_id = $1")
            .bind(document_id)
            .fetch_one(store.reader())
            .await?
            .try_get(0)?;
    Ok(v.unwrap_or(0))
}

/// Who wrote a document first: the actor of its `document.create` event.
pub async fn author_actor(store: &Store, document_id: i64) -> Result<Option<String>, StoreError> {
    let row = sqlx::query(
        "SELECT actor FROM audit_events WHERE object = $1 AND action = 'document.create' \
         ORDER BY seq LIMIT 1",
    )
    .bind(format!("document:{document_id}"))
    .fetch_optional(store.reader())
    .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

/// A file an assignee attached to their work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkFile {
    pub id: i64,
    pub item_id: i64,
    pub name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: String,
}

/// The files attached to the items of a delivery.
pub async fn files_of(store: &Store, delivery_id: i64) -> Result<Vec<WorkFile>, StoreError> {
    let rows = sqlx::query(
        "SELECT f.id, f.item_id, f.name, f.media_type, f.size, f.sha256, f.created_at \
         FROM work_files f JOIN work_items i ON i.id = f.item_id WHERE i.delivery_id = $1 \
         ORDER BY f.id",
    )
    .bind(delivery_id)
    .fetch_all(store.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(WorkFile {
                id: r.try_get(0)?,
                item_id: r.try_get(1)?,
                name: r.try_get(2)?,
                media_type: r.try_get(3)?,
                size: r.try_get(4)?,
                sha256: r.try_get(5)?,
                created_at: r.try_get(6)?,
            })
        })
        .collect()
}

/// One work file's bytes, with its item's delivery.
pub async fn file_bytes(
    store: &Store,
    file_id: i64,
) -> Result<Option<(WorkFile, Option<i64>, Vec<u8>)>, StoreError> {
    let row = sqlx::query(
        "SELECT f.id, f.item_id, f.name, f.media_type, f.size, f.sha256, f.created_at, \
         i.delivery_id, f.bytes FROM work_files f JOIN work_items i ON i.id = f.item_id \
         WHERE f.id = $1",
    )
    .bind(file_id)
    .fetch_optional(store.reader())
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some((
        WorkFile {
            id: r.try_get(0)?,
            item_id: r.try_get(1)?,
            name: r.try_get(2)?,
            media_type: r.try_get(3)?,
            size: r.try_get(4)?,
            sha256: r.try_get(5)?,
            created_at: r.try_get(6)?,
        },
        r.try_get(7)?,
        r.try_get(8)?,
    )))
}

/// A reply's first draft: from `office` to the office that sent
/// `original`, citing it, with a body for the assignee to complete.
pub fn reply_letter(
    original: &crate::model::Document,
    office: &super::offices::Office,
    speaker: &super::agency::Agency,
    sender: &super::offices::Office,
    date: NaiveDate,
) -> Result<crate::model::Document, StoreError> {
    let mut doc = super::cover::cover_letter(
        original,
        office,
        speaker,
        std::slice::from_ref(sender),
        date,
        None,
    )?;
    if let crate::model::Part::Letter(l) = &mut doc.main {
        let from = l
            .references
            .first()
            .and_then(|r| r.issuer.clone())
            .unwrap_or_default();
        l.enclosures.clear();
        l.body = vec![
            format!("ตามที่{from}แจ้งเรื่อง {} นั้น", l.subject),
            "บัดนี้ ได้ดำเนินการแล้ว ดังนี้".into(),
            "จึงเรียนมาเพื่อโปรดทราบ".into(),
        ];
    }
    Ok(doc)
}

/// The user who last signed draft `document_id` inside the office (its
/// latest `sign` event), if anyone did.
pub async fn signed_by(store: &Store, document_id: i64) -> Result<Option<i64>, StoreError> {
    let row = sqlx::query(
        "SELECT user_id FROM work_events WHERE document_id = $1 AND delivery_id IS NULL \
         AND kind = 'sign' ORDER BY id DESC LIMIT 1",
    )
    .bind(document_id)
    .fetch_optional(store.reader())
    .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?.flatten())
}

/// The receive-register number of an entry: `seq/year` (B.E.), Arabic.
pub async fn entry_number(store: &Store, entry_id: i64) -> Result<Option<String>, StoreError> {
    let row = sqlx::query("SELECT seq, year FROM register_entries WHERE id = $1")
        .bind(entry_id)
        .fetch_optional(store.reader())
        .await?;
    Ok(match row {
        Some(r) => {
            let (seq, year): (i64, i64) = (r.try_get(0)?, r.try_get(1)?);
            Some(format!("{seq}/{year}"))
        }
        None => None,
    })
}

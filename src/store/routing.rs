//! Circulars down the chain: dispatch a numbered letter to offices, receive
//! it (into the receive register), forward it under the forwarding office's
//! own number with a cover letter citing it, acknowledge it, or return it.
//! Every step checks that the acting office is the one the letter is for,
//! happens in one transaction and is written to the audit chain.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::audit::{Appender, Change};
use super::direct::Row as Cells;
use super::documents::{
    self, Heading, State, get_in, heading_in, insert_draft_in, number_stored_in, set_state_of,
};
use super::numbering::{Entry, Issued, Series, issue_in};
use super::offices::{self, Office, OfficeKind};
use super::{Actor, Store, StoreError, bangkok_date, stamp};
use crate::docnum::DocNumber;
use crate::model::{Part, Secrecy};

pub use super::relay::{relay, relay_down};

/// Who acts, for which office, and when: what every step records.
#[derive(Clone, Copy)]
struct Step<'a> {
    at: DateTime<Utc>,
    actor: &'a Actor,
    acting: &'a Office,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    Sent,
    Received,
    Forwarded,
    Acknowledged,
    Replied,
    Returned,
}

impl DeliveryState {
    pub fn key(self) -> &'static str {
        match self {
            DeliveryState::Sent => "sent",
            DeliveryState::Received => "received",
            DeliveryState::Forwarded => "forwarded",
            DeliveryState::Acknowledged => "acknowledged",
            DeliveryState::Replied => "replied",
            DeliveryState::Returned => "returned",
        }
    }

    pub fn thai(self) -> &'static str {
        match self {
            DeliveryState::Sent => "ส่งแล้ว",
            DeliveryState::Received => "ลงรับแล้ว",
            DeliveryState::Forwarded => "ส่งต่อแล้ว",
            DeliveryState::Acknowledged => "รับทราบแล้ว",
            DeliveryState::Replied => "ตอบกลับแล้ว",
            DeliveryState::Returned => "ตีกลับ",
        }
    }

    /// The state a stored key names; an unknown key is an error, never
    /// "sent".
    pub(crate) fn parse(text: &str) -> Result<DeliveryState, StoreError> {
        Ok(match text {
            "sent" => DeliveryState::Sent,
            "received" => DeliveryState::Received,
            "forwarded" => DeliveryState::Forwarded,
            "acknowledged" => DeliveryState::Acknowledged,
            "replied" => DeliveryState::Replied,
            "returned" => DeliveryState::Returned,
            other => {
                return Err(StoreError::Corrupt {
                    column: "deliveries.state",
                    value: other.to_string(),
                });
            }
        })
    }

    /// Whether the recipient has done something with it.
    pub fn acted(self) -> bool {
        !matches!(self, DeliveryState::Sent | DeliveryState::Received)
    }
}

/// One letter to one office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    pub id: i64,
    pub document_id: i64,
    /// The cascade's first letter.
    pub root_id: i64,
    /// The delivery whose letter this one forwards.
    pub parent_id: Option<i64>,
    /// 1 for the first dispatch, 2 for its forwards, and so on.
    pub level: i64,
    pub from_office: i64,
    pub to_office: i64,
    pub state: DeliveryState,
    pub deadline: Option<NaiveDate>,
    pub sent_at: String,
    pub sent_by: String,
    pub received_at: Option<String>,
    pub received_by: Option<String>,
    pub receive_entry: Option<i64>,
    pub acted_at: Option<String>,
    pub acted_by: Option<String>,
    /// The cover letter it was forwarded with.
    pub forward_id: Option<i64>,
    /// Why it was returned.
    pub reason: Option<String>,
}

impl Delivery {
    /// A first-level delivery as it is when sent, before the database
    /// gives it an id.
    pub(crate) fn sent(
        document_id: i64,
        from_office: i64,
        to_office: i64,
        at: &str,
        by: &Actor,
    ) -> Delivery {
        Delivery {
            id: 0,
            document_id,
            root_id: document_id,
            parent_id: None,
            level: 1,
            from_office,
            to_office,
            state: DeliveryState::Sent,
            deadline: None,
            sent_at: at.to_string(),
            sent_by: by.0.clone(),
            received_at: None,
            received_by: None,
            receive_entry: None,
            acted_at: None,
            acted_by: None,
            forward_id: None,
            reason: None,
        }
    }
}

pub(crate) const COLUMNS: &str = "id, document_id, root_id, parent_id, level, from_office, \
     to_office, state, deadline, sent_at, sent_by, received_at, received_by, receive_entry, \
     acted_at, acted_by, forward_id, reason";

/// A delivery read by sqlx, its columns in [`COLUMNS`]'s order.
pub(crate) fn from_row(row: &AnyRow) -> Result<Delivery, StoreError> {
    from_cells(&Cells::from_any(row))
}

/// A delivery from a row whose first columns are [`COLUMNS`], in order.
pub(crate) fn from_cells(r: &Cells) -> Result<Delivery, StoreError> {
    let state: String = r.get(7)?;
    let deadline: Option<String> = r.get(8)?;
    Ok(Delivery {
        id: r.get(0)?,
        document_id: r.get(1)?,
        root_id: r.get(2)?,
        parent_id: r.get(3)?,
        level: r.get(4)?,
        from_office: r.get(5)?,
        to_office: r.get(6)?,
        state: DeliveryState::parse(&state)?,
        deadline: match deadline {
            Some(d) => Some(d.parse().map_err(|_| StoreError::Corrupt {
                column: "deliveries.deadline",
                value: d.clone(),
            })?),
            None => None,
        },
        sent_at: r.get(9)?,
        sent_by: r.get(10)?,
        received_at: r.get(11)?,
        received_by: r.get(12)?,
        receive_entry: r.get(13)?,
        acted_at: r.get(14)?,
        acted_by: r.get(15)?,
        forward_id: r.get(16)?,
        reason: r.get(17)?,
    })
}

fn local_kinds() -> Vec<OfficeKind> {
    OfficeKind::ALL
        .into_iter()
        .filter(|k| k.is_local())
        .collect()
}

/// Offices of these kinds anywhere under `root` (or anywhere at all).
async fn of_kinds(
    store: &Store,
    root: Option<&Office>,
    kinds: &[OfficeKind],
) -> Result<Vec<Office>, StoreError> {
    let all = offices::list(store, root.map(|o| o.id)).await?;
    Ok(all
        .into_iter()
        .filter(|o| kinds.contains(&o.fields.kind))
        .collect())
}

/// Resolves a recipient list: comma-separated office codes, names or `#id`s,
/// and groups: `provinces` (every provincial office), `all-laos` (every
/// provincial office, to forward down to every local organisation),
/// `districts[:OFFICE]` (district offices under an office, by default the
/// sender), `laos[:OFFICE]` (local organisations under an office), `next`
/// (one level down from the sender). The sender itself is never a recipient.
pub async fn recipients(
    store: &Store,
    sender: &Office,
    spec: &str,
) -> Result<Vec<Office>, StoreError> {
    let mut out: Vec<Office> = Vec::new();
    for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (group, under) = match item.split_once(':') {
            Some((g, u)) => (g.trim(), Some(offices::find(store, u.trim()).await?)),
            None => (item, None),
        };
        let root = under.as_ref().unwrap_or(sender);
        let found = match group {
            "provinces" | "all-laos" | "จังหวัดทุกจังหวัด" => {
                of_kinds(store, None, &[OfficeKind::ProvincialOffice]).await?
            }
            "districts" | "อำเภอทุกอำเภอ" => {
                of_kinds(store, Some(root), &[OfficeKind::DistrictOffice]).await?
            }
            "laos" | "อปท.ทุกแห่ง" => {
                of_kinds(store, Some(root), &local_kinds()).await?
            }
            "next" => children_below(store, root).await?,
            _ => vec![offices::find(store, item).await?],
        };
        for office in found {
            if office.id != sender.id && !out.iter().any(|o| o.id == office.id) {
                out.push(office);
            }
        }
    }
    if out.is_empty() {
        return Err(StoreError::rejected(
            format!("ผู้รับ “{spec}” ไม่ตรงกับส่วนราชการใด"),
            format!("the recipients “{spec}” resolve to no office"),
        ));
    }
    Ok(out)
}

/// The offices one level down from `office`: every provincial office from
/// the department; a province's district offices and the local
/// organisations directly under it (its อบจ.); a district's local
/// organisations.
pub(crate) async fn children_below(
    store: &Store,
    office: &Office,
) -> Result<Vec<Office>, StoreError> {
    let kinds: Vec<OfficeKind> = match office.fields.kind {
        OfficeKind::Department | OfficeKind::Division | OfficeKind::Group => {
            return of_kinds(store, None, &[OfficeKind::ProvincialOffice]).await;
        }
        OfficeKind::ProvincialOffice => {
            let mut k = local_kinds();
            k.push(OfficeKind::DistrictOffice);
            k
        }
        OfficeKind::DistrictOffice => local_kinds(),
        // Local organisations have no one below them to forward to.
        _ => return Ok(Vec::new()),
    };
    Ok(offices::children(store, office.id)
        .await?
        .into_iter()
        .filter(|o| kinds.contains(&o.fields.kind))
        .collect())
}

pub(crate) fn nobody_below(office: &Office) -> StoreError {
    StoreError::rejected(
        format!("{}ไม่มีส่วนราชการในระดับถัดไปให้ส่งต่อ", office.fields.name),
        "there is no office one level down to forward to",
    )
}

/// The deadline a letter sets in its body (`ภายในวันที่ …`), if any.
pub fn deadline_in(doc: &crate::model::Document) -> Option<NaiveDate> {
    let body = match &doc.main {
        Part::Letter(x) => &x.body,
        Part::Memo(x) => &x.body,
        Part::Order(x) => &x.body,
        Part::Announcement(x) => &x.body,
        Part::Sealed(x) => &x.body,
        _ => return None,
    };
    crate::parse::deadlines_in(body)
        .into_iter()
        .map(|d| d.date)
        .min()
}

/// ลับที่สุด never travels electronically.
pub(crate) fn refuse_top_secret(doc: &crate::model::Document) -> Result<(), StoreError> {
    if secrecy_of(doc) == Some(Secrecy::TopSecret) {
        return Err(StoreError::rejected(
            "หนังสือลับที่สุดส่งทางระบบสารบรรณอิเล็กทรอนิกส์ไม่ได้ ให้ส่งด้วยวิธีการของหนังสือลับ",
            "a ลับที่สุด (top secret) letter is never sent electronically; send it by the secret-document procedure",
        ));
    }
    Ok(())
}

fn secrecy_of(doc: &crate::model::Document) -> Option<Secrecy> {
    match &doc.main {
        Part::Letter(x) => x.secrecy,
        Part::Memo(x) => x.secrecy,
        Part::Order(x) => x.secrecy,
        _ => None,
    }
}

/// Sends a numbered letter of `acting` to each recipient.
pub async fn dispatch(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    acting: &Office,
    document_id: i64,
    to: &[Office],
    deadline: Option<NaiveDate>,
) -> Result<Vec<Delivery>, StoreError> {
    store
        .retrying(|| async {
            let (mut tx, mut audit) = store.begin_audited(actor, at).await?;
            let step = Step { at, actor, acting };
            let doc = get_in(&mut tx, document_id).await?;
            let sent = dispatch_in(&mut tx, &mut audit, step, &doc, to, deadline, None).await?;
            audit.commit(tx).await?;
            Ok(sent)
        })
        .await
}

async fn dispatch_in(
    tx: &mut Transaction<'static, Any>,
    audit: &mut Appender,
    step: Step<'_>,
    doc: &documents::Stored,
    to: &[Office],
    deadline: Option<NaiveDate>,
    parent: Option<&Delivery>,
) -> Result<Vec<Delivery>, StoreError> {
    let Step { at, actor, acting } = step;
    let document_id = doc.id;
    if doc.office_id != acting.id {
        return Err(StoreError::UnknownDocument(document_id));
    }
    if !matches!(doc.state, State::Numbered | State::Sent) {
        return Err(StoreError::rejected(
            format!("หนังสือสถานะ{}ส่งไม่ได้ ต้องออกเลขก่อน", doc.state.thai()),
            format!(
                "a {} document cannot be sent: number it first",
                doc.state.key()
            ),
        ));
    }
    refuse_top_secret(&doc.content)?;
    if to.is_empty() {
        return Err(StoreError::rejected("ไม่มีผู้รับ", "no recipients"));
    }
    let deadline = deadline
        .or_else(|| deadline_in(&doc.content))
        .or(parent.and_then(|p| p.deadline));
    // A numbered letter has never been sent: no cascade, no deliveries yet.
    let never_sent = doc.state == State::Numbered;
    let (root_id, level) = match parent {
        Some(p) => (p.root_id, p.level + 1),
        None if never_sent => (document_id, 1),
        None => {
            // A letter already in a cascade keeps its root.
            let row =
                sqlx::query("SELECT root_id, level FROM deliveries WHERE document_id = $1 LIMIT 1")
                    .bind(document_id)
                    .fetch_optional(&mut **tx)
                    .await?;
            match row {
                Some(r) => (r.try_get(0)?, r.try_get(1)?),
                None => (document_id, 1),
            }
        }
    };
    if to.iter().any(|o| o.id == acting.id) {
        return Err(StoreError::rejected(
            "ส่งหนังสือถึงตนเองไม่ได้",
            "an office cannot send to itself",
        ));
    }
    let already: Vec<i64> = if never_sent {
        Vec::new()
    } else {
        sqlx::query("SELECT to_office FROM deliveries WHERE document_id = $1")
            .bind(document_id)
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?
    };
    if let Some(office) = to.iter().find(|o| already.contains(&o.id)) {
        return Err(StoreError::duplicate(
            format!("ส่งหนังสือนี้ถึง{}แล้ว", office.fields.name),
            format!("this letter was already sent to {}", office.fields.name),
        ));
    }
    // Many rows per statement: a statement is a round trip to the database.
    let mut sent = Vec::with_capacity(to.len());
    let sent_at = stamp(at);
    for chunk in to.chunks(400) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("($1, $2, $3, $4, $5, ${}, 'sent', $6, $7, $8)", i + 9))
            .collect();
        let sql = format!(
            "INSERT INTO deliveries (document_id, root_id, parent_id, level, from_office, to_office, \
             state, deadline, sent_at, sent_by) VALUES {} RETURNING id, to_office",
            values.join(", ")
        );
        let mut q = sqlx::query(&sql)
            .bind(document_id)
            .bind(root_id)
            .bind(parent.map(|p| p.id))
            .bind(level)
            .bind(acting.id)
            .bind(deadline.map(|d| d.to_string()))
            .bind(&sent_at)
            .bind(&actor.0);
        for office in chunk {
            q = q.bind(office.id);
        }
        // What a read would give back, without the round trip.
        for row in q.fetch_all(&mut **tx).await? {
            sent.push(Delivery {
                id: row.try_get(0)?,
                root_id,
                parent_id: parent.map(|p| p.id),
                level,
                deadline,
                ..Delivery::sent(document_id, acting.id, row.try_get(1)?, &sent_at, actor)
            });
        }
    }
    sent.sort_by_key(|d| d.id);
    // A letter with a reply form: each recipient's own reply link.
    super::replies::issue_tokens_in(tx, doc, &sent).await?;
    let addressed: Vec<String> = to.iter().map(|o| format!("office:{}", o.id)).collect();
    audit
        .append(
            tx,
            Change {
                office_id: Some(acting.id),
                action: "delivery.send",
                object: format!("document:{document_id}"),
                before: None,
                after: Some(addressed.join(",").as_bytes()),
            },
        )
        .await?;
    note_created(tx, audit, &sent).await?;
    if doc.state == State::Numbered {
        set_state_of(tx, audit, doc, "sent").await?;
    }
    Ok(sent)
}

/// One `delivery.create` event per new delivery, so that each row's state
/// is in the audit chain.
pub(crate) async fn note_created(
    tx: &mut Transaction<'static, Any>,
    audit: &mut Appender,
    sent: &[Delivery],
) -> Result<(), StoreError> {
    for d in sent {
        audit
            .append(
                tx,
                Change {
                    office_id: Some(d.from_office),
                    action: "delivery.create",
                    object: format!("delivery:{}", d.id),
                    before: None,
                    after: Some(format!("office:{}", d.to_office).as_bytes()),
                },
            )
            .await?;
    }
    Ok(())
}

/// A delivery addressed to `acting`; any other reads as unknown.
async fn delivery_for(
    tx: &mut Transaction<'static, Any>,
    acting: &Office,
    id: i64,
) -> Result<Delivery, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM deliveries WHERE id = $1 AND to_office = $2"
    ))
    .bind(id)
    .bind(acting.id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::UnknownDelivery(id))?;
    from_row(&row)
}

/// A delivery as its recipient sees it.
/// Whether document `document_id` (or a cascade rooted in it) was
/// delivered to `office_id`.
pub async fn delivered_to(
    store: &Store,
    document_id: i64,
    office_id: i64,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "SELECT 1 FROM deliveries WHERE to_office = $1 AND (document_id = $2 OR root_id = $2) LIMIT 1",
    )
    .bind(office_id)
    .bind(document_id)
    .fetch_optional(store.reader())
    .await?
    .is_some())
}

pub async fn get(store: &Store, acting: &Office, id: i64) -> Result<Delivery, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM deliveries WHERE id = $1 AND (to_office = $2 OR from_office = $2)"
    ))
    .bind(id)
    .bind(acting.id)
    .fetch_optional(store.reader())
    .await?
    .ok_or(StoreError::UnknownDelivery(id))?;
    from_row(&row)
}

/// For each of `documents`, the delivery to `office` a clerk there opens
/// it through: the letter's own delivery, else a delivery down the cascade
/// it started, else one of a letter it covers (the newest of each).
pub async fn opened_through(
    store: &Store,
    office: i64,
    documents: &[i64],
) -> Result<std::collections::HashMap<i64, i64>, StoreError> {
    let mut found = std::collections::HashMap::new();
    if documents.is_empty() {
        return Ok(found);
    }
    let ids = super::id_list(documents);
    let covers: String = (0..3)
        .map(|depth| {
            let joins: String = (0..depth)
                .map(|k| format!(" JOIN deliveries a{} ON a{k}.parent_id = a{}.id", k + 1, k + 1))
                .collect();
            format!(
                " UNION ALL SELECT a{depth}.document_id, v.id, CAST({} AS BIGINT) FROM deliveries v \
                 JOIN deliveries a0 ON v.parent_id = a0.id{joins} \
                 WHERE v.to_office = $1 AND a{depth}.document_id IN ({ids})",
                depth + 2
            )
        })
        .collect();
    let rows = sqlx::query(&format!(
        "SELECT document_id, id, CAST(0 AS BIGINT) FROM deliveries \
         WHERE to_office = $1 AND document_id IN ({ids}) \
         UNION ALL SELECT root_id, id, CAST(1 AS BIGINT) FROM deliveries WHERE to_office = $1 AND root_id IN ({ids}){covers}"
    ))
    .bind(office)
    .fetch_all(store.reader())
    .await?;
    let mut best: std::collections::HashMap<i64, (i64, i64)> = std::collections::HashMap::new();
    for row in rows {
        let (doc, delivery, rank): (i64, i64, i64) =
            (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
        let better = best
            .get(&doc)
            .is_none_or(|&(r, d)| (rank, std::cmp::Reverse(delivery)) < (r, std::cmp::Reverse(d)));
        if better {
            best.insert(doc, (rank, delivery));
        }
    }
    found.extend(best.into_iter().map(|(doc, (_, delivery))| (doc, delivery)));
    Ok(found)
}

/// The letters above delivery `id` down its cascade, the original first,
/// then each cover letter before the one delivered (seed 003's chain: the
/// DLA's circular, the province's cover, for a letter the district sent).
pub async fn letters_above(store: &Store, id: i64) -> Result<Vec<i64>, StoreError> {
    let mut above = Vec::new();
    let mut parent: Option<i64> = sqlx::query("SELECT parent_id FROM deliveries WHERE id = $1")
        .bind(id)
        .fetch_optional(store.reader())
        .await?
        .map(|r| r.try_get(0))
        .transpose()?
        .flatten();
    // A cascade is a handful of levels deep; the bound guards a cycle.
    while let Some(p) = parent.filter(|_| above.len() < 16) {
        let row = sqlx::query("SELECT document_id, parent_id FROM deliveries WHERE id = $1")
            .bind(p)
            .fetch_one(store.reader())
            .await?;
        above.push(row.try_get::<i64, _>(0)?);
        parent = row.try_get(1)?;
    }
    above.reverse();
    Ok(above)
}

/// The acting office's deliveries of one letter (by its number), newest
/// first: how a clerk names "the circular we got".
pub async fn find_for(
    store: &Store,
    acting: &Office,
    number: &DocNumber,
) -> Result<Vec<Delivery>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM deliveries WHERE to_office = $1 AND document_id IN \
         (SELECT id FROM documents WHERE number = $2) ORDER BY id DESC"
    ))
    .bind(acting.id)
    .bind(number.key())
    .fetch_all(store.reader())
    .await?;
    rows.iter().map(from_row).collect()
}

fn wrong_state(d: &Delivery, wanted: &str, wanted_en: &str) -> StoreError {
    StoreError::rejected(
        format!("รายการนี้{} จึง{}ไม่ได้", d.state.thai(), wanted),
        format!(
            "this delivery is already {}; it cannot be {wanted_en}",
            d.state.key()
        ),
    )
}

/// Receives `d` and updates it to match what is stored.
async fn receive_in(
    tx: &mut Transaction<'static, Any>,
    audit: &mut Appender,
    step: Step<'_>,
    d: &mut Delivery,
) -> Result<(), StoreError> {
    let Step { at, actor, acting } = step;
    let entry = receive_entry(&heading_in(tx, d.document_id).await?, acting);
    let issued = issue_in(
        tx,
        audit,
        at,
        acting,
        Series::Receive,
        &entry,
        Some(d.document_id),
    )
    .await?;
    let received_at = stamp(at);
    sqlx::query(
        "UPDATE deliveries SET state = 'received', received_at = $1, received_by = $2, \
         receive_entry = $3 WHERE id = $4",
    )
    .bind(&received_at)
    .bind(&actor.0)
    .bind(issued.entry_id)
    .bind(d.id)
    .execute(&mut **tx)
    .await?;
    note_received(tx, audit, acting, d, &received_at, actor, &issued).await
}

/// The receive-register row of a letter: its subject, sender, number (in
/// the receiving office's digits) and date.
pub(crate) fn receive_entry(letter: &Heading, acting: &Office) -> Entry {
    Entry {
        subject: letter.subject.clone(),
        from: letter.issuer.clone(),
        doc_number: letter
            .number
            .clone()
            .map(|n| DocNumber::parse(&n).map_or(n, |x| x.format(acting.fields.digits))),
        doc_date: letter.date,
        ..Entry::default()
    }
}

/// Records in `d`, and in the audit chain, that `acting` received it as
/// `issued`; the caller updates its row.
pub(crate) async fn note_received(
    tx: &mut Transaction<'static, Any>,
    audit: &mut Appender,
    acting: &Office,
    d: &mut Delivery,
    at: &str,
    actor: &Actor,
    issued: &Issued,
) -> Result<(), StoreError> {
    d.state = DeliveryState::Received;
    d.received_at = Some(at.to_string());
    d.received_by = Some(actor.0.clone());
    d.receive_entry = Some(issued.entry_id);
    audit
        .append(
            tx,
            Change {
                office_id: Some(acting.id),
                action: "delivery.receive",
                object: format!("delivery:{}", d.id),
                before: Some(b"sent"),
                after: Some(format!("received as {}", issued.number).as_bytes()),
            },
        )
        .await
}

/// Registers a delivered letter as received: a receive-register number,
/// date and time for the acting office.
pub async fn receive(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    acting: &Office,
    id: i64,
) -> Result<Delivery, StoreError> {
    let mut tx = store.begin_write().await?;
    let mut d = delivery_for(&mut tx, acting, id).await?;
    if d.state != DeliveryState::Sent {
        return Err(wrong_state(&d, "ลงรับ", "received again"));
    }
    let mut audit = Appender::start(&mut tx, actor, at).await?;
    receive_in(&mut tx, &mut audit, Step { at, actor, acting }, &mut d).await?;
    audit.commit(tx).await?;
    Ok(d)
}

/// What a recipient did with a delivery.
struct Outcome<'a> {
    state: DeliveryState,
    reason: Option<&'a str>,
    forward_id: Option<i64>,
}

/// Records what the recipient did with `d` and updates it to match.
async fn act_in(
    tx: &mut Transaction<'static, Any>,
    audit: &mut Appender,
    step: Step<'_>,
    d: &mut Delivery,
    outcome: Outcome<'_>,
) -> Result<(), StoreError> {
    let Step { at, actor, acting } = step;
    let Outcome {
        state,
        reason,
        forward_id,
    } = outcome;
    let acted_at = stamp(at);
    sqlx::query(
        "UPDATE deliveries SET state = $1, acted_at = $2, acted_by = $3, reason = $4, \
         forward_id = $5 WHERE id = $6",
    )
    .bind(state.key())
    .bind(&acted_at)
    .bind(&actor.0)
    .bind(reason)
    .bind(forward_id)
    .bind(d.id)
    .execute(&mut **tx)
    .await?;
    audit
        .append(
            tx,
            Change {
                office_id: Some(acting.id),
                action: "delivery.act",
                object: format!("delivery:{}", d.id),
                before: Some(d.state.key().as_bytes()),
                after: Some(state.key().as_bytes()),
            },
        )
        .await?;
    if let Some(entry) = d.receive_entry {
        let action = match (state, forward_id) {
            (_, Some(cover)) => super::registers::forwarded_action_in(tx, cover).await?,
            (DeliveryState::Returned, _) => format!("ตีกลับ: {}", reason.unwrap_or_default()),
            (DeliveryState::Acknowledged, _) => "รับทราบ".to_string(),
            (other, _) => other.thai().to_string(),
        };
        super::registers::record_action_in(tx, audit, acting.id, entry, &action).await?;
    }
    d.state = state;
    d.acted_at = Some(acted_at);
    d.acted_by = Some(actor.0.clone());
    d.reason = reason.map(str::to_string);
    d.forward_id = forward_id;
    Ok(())
}

/// รับทราบ: acknowledges a letter (receiving it first if need be).
pub async fn acknowledge(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    acting: &Office,
    id: i64,
) -> Result<Delivery, StoreError> {
    let mut tx = store.begin_write().await?;
    let mut d = delivery_for(&mut tx, acting, id).await?;
    if d.state.acted() {
        return Err(wrong_state(&d, "รับทราบ", "acknowledged"));
    }
    let mut audit = Appender::start(&mut tx, actor, at).await?;
    if d.state == DeliveryState::Sent {
        receive_in(&mut tx, &mut audit, Step { at, actor, acting }, &mut d).await?;
    }
    let step = Step { at, actor, acting };
    let outcome = Outcome {
        state: DeliveryState::Acknowledged,
        reason: None,
        forward_id: None,
    };
    act_in(&mut tx, &mut audit, step, &mut d, outcome).await?;
    audit.commit(tx).await?;
    Ok(d)
}

/// ตีกลับ: returns a letter to its sender, with the reason.
pub async fn return_to_sender(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    acting: &Office,
    id: i64,
    reason: &str,
) -> Result<Delivery, StoreError> {
    if reason.trim().is_empty() {
        return Err(StoreError::invalid(
            "reason",
            "ต้องระบุเหตุผลที่ตีกลับ",
            "a reason for returning is required",
        ));
    }
    let mut tx = store.begin_write().await?;
    let mut d = delivery_for(&mut tx, acting, id).await?;
    if d.state.acted() {
        return Err(wrong_state(&d, "ตีกลับ", "returned"));
    }
    let mut audit = Appender::start(&mut tx, actor, at).await?;
    let step = Step { at, actor, acting };
    let outcome = Outcome {
        state: DeliveryState::Returned,
        reason: Some(reason.trim()),
        forward_id: None,
    };
    act_in(&mut tx, &mut audit, step, &mut d, outcome).await?;
    audit.commit(tx).await?;
    Ok(d)
}

/// What a forward made: the cover letter (numbered) and its deliveries.
#[derive(Debug, Clone, Serialize)]
pub struct Forwarded {
    pub cover: documents::Stored,
    pub deliveries: Vec<Delivery>,
}

/// Drafts the cover letter for forwarding a received delivery, for the
/// user to edit before [`forward_draft`] sends it.
pub async fn draft_forward(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    acting: &Office,
    id: i64,
    to: &[Office],
) -> Result<documents::Stored, StoreError> {
    let mut tx = store.begin_write().await?;
    let d = delivery_for(&mut tx, acting, id).await?;
    check_forwardable(&d)?;
    let mut audit = Appender::start(&mut tx, actor, at).await?;
    let cover = draft_cover_in(&mut tx, &mut audit, at, acting, &d, to).await?;
    audit.commit(tx).await?;
    Ok(cover)
}

/// The cover letter already drafted for forwarding `d` (a draft of the
/// acting office citing its letter), if there is one.
pub async fn cover_draft_of(
    store: &Store,
    acting: &Office,
    d: &Delivery,
) -> Result<Option<documents::Stored>, StoreError> {
    let row = sqlx::query(
        "SELECT doc.id FROM doc_references r JOIN documents doc ON doc.id = r.from_id \
         WHERE r.to_id = $1 AND r.relation = 'cites' AND doc.office_id = $2 \
         AND doc.state = 'draft' ORDER BY doc.id DESC LIMIT 1",
    )
    .bind(d.document_id)
    .bind(acting.id)
    .fetch_optional(store.reader())
    .await?;
    match row {
        Some(r) => Ok(Some(documents::get(store, r.try_get(0)?).await?)),
        None => Ok(None),
    }
}

pub(crate) fn check_forwardable(d: &Delivery) -> Result<(), StoreError> {
    match d.state {
        DeliveryState::Received => Ok(()),
        DeliveryState::Sent => Err(StoreError::rejected(
            "ต้องลงรับหนังสือก่อนจึงจะส่งต่อได้",
            "receive the letter before forwarding it",
        )),
        _ => Err(wrong_state(d, "ส่งต่อ", "forwarded")),
    }
}

async fn draft_cover_in(
    tx: &mut Transaction<'static, Any>,
    audit: &mut Appender,
    at: DateTime<Utc>,
    acting: &Office,
    d: &Delivery,
    to: &[Office],
) -> Result<documents::Stored, StoreError> {
    let original = get_in(tx, d.document_id).await?;
    let speaker = super::agency::of_office_in(tx, acting).await?;
    let cover = super::cover::cover_letter(
        &original.content,
        acting,
        &speaker,
        to,
        bangkok_date(at),
        d.deadline,
    )?;
    let stored = insert_draft_in(tx, audit, acting, &cover).await?;
    sqlx::query("INSERT INTO doc_references (from_id, relation, to_id) VALUES ($1, 'cites', $2)")
        .bind(stored.id)
        .bind(d.document_id)
        .execute(&mut **tx)
        .await?;
    Ok(stored)
}

/// Forwards a received letter in one action: drafts the cover letter,
/// numbers it in the acting office's series and sends it to `to` (by
/// default the offices one level down).
pub async fn forward(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    acting: &Office,
    id: i64,
    to: Option<&[Office]>,
) -> Result<Forwarded, StoreError> {
    let default_to;
    let to = match to {
        Some(to) => to,
        None => {
            default_to = children_below(store, acting).await?;
            if default_to.is_empty() {
                return Err(nobody_below(acting));
            }
            &default_to
        }
    };
    forward_with(store, Step { at, actor, acting }, id, None, to).await
}

/// Forwards with the given cover letter, or a freshly drafted one.
async fn forward_with(
    store: &Store,
    step: Step<'_>,
    id: i64,
    cover: Option<i64>,
    to: &[Office],
) -> Result<Forwarded, StoreError> {
    let Step { at, actor, acting } = step;
    let mut tx = store.begin_write().await?;
    let mut d = delivery_for(&mut tx, acting, id).await?;
    check_forwardable(&d)?;
    let mut audit = Appender::start(&mut tx, actor, at).await?;
    let cover = match cover {
        Some(cover) => get_in(&mut tx, cover).await?,
        None => draft_cover_in(&mut tx, &mut audit, at, acting, &d, to).await?,
    };
    let forwarded = send_cover_in(&mut tx, &mut audit, step, &mut d, cover, to).await?;
    audit.commit(tx).await?;
    Ok(forwarded)
}

/// Numbers (if still a draft) and sends an edited cover letter for a
/// received delivery, marking the delivery forwarded.
pub async fn forward_draft(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    acting: &Office,
    id: i64,
    cover: i64,
    to: &[Office],
) -> Result<Forwarded, StoreError> {
    forward_with(store, Step { at, actor, acting }, id, Some(cover), to).await
}

/// Numbers the cover letter (if still a draft), sends it and marks `d`
/// forwarded with it.
async fn send_cover_in(
    tx: &mut Transaction<'static, Any>,
    audit: &mut Appender,
    step: Step<'_>,
    d: &mut Delivery,
    cover: documents::Stored,
    to: &[Office],
) -> Result<Forwarded, StoreError> {
    let Step { at, acting, .. } = step;
    if cover.office_id != acting.id {
        return Err(StoreError::UnknownDocument(cover.id));
    }
    let mut cover = if cover.state == State::Draft {
        let to_text = super::cover::addressee(to);
        number_stored_in(tx, audit, at, cover, acting, None, &to_text)
            .await?
            .1
    } else {
        cover
    };
    let deliveries = dispatch_in(tx, audit, step, &cover, to, None, Some(d)).await?;
    if cover.state == State::Numbered {
        cover.state = State::Sent;
    }
    let outcome = Outcome {
        state: DeliveryState::Forwarded,
        reason: None,
        forward_id: Some(cover.id),
    };
    act_in(tx, audit, step, d, outcome).await?;
    Ok(Forwarded { cover, deliveries })
}

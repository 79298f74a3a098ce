//! Relaying a circular down a whole level at once: for national runs
//! (`saraban dispatch --relay`).
//!
//! Each relaying office does what [`super::routing::forward`] does — the
//! letter is received into its receive register, a cover letter citing it
//! is drafted, numbered in the office's own series and sent one level down,
//! and the delivery is marked forwarded — with the same rows, but for all
//! offices together: a statement is a round trip to the database, so the
//! rows of a level go many per statement and a level of 963 offices costs a
//! few dozen statements instead of twenty thousand. The audit chain records
//! the same steps, except that a cover letter is created numbered and sent
//! in one event where forwarding by hand records draft, number and send.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::{Any, AnyConnection, Row, Transaction};

use super::audit::{Appender, Change};
use super::documents::{
    self, Heading, NewDocument, default_series, get_in, insert_many_in, set_number,
    subject_and_date,
};
use super::numbering::{self, Entry, IssueRequest, Series, printed_number};
use super::offices::Office;
use super::routing::{
    COLUMNS, Delivery, DeliveryState, check_forwardable, children_below, deadline_in, from_row,
    nobody_below, note_created, note_received, receive_entry, refuse_top_secret,
};
use super::{Actor, Store, StoreError, bangkok_date, placeholders, stamp};

/// Relays each delivery to the offices one level down from its recipient
/// (received first if need be), all in one transaction: all or nothing.
/// Gives the new deliveries, in id order.
pub async fn relay(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    items: &[(Office, i64)],
) -> Result<Vec<Delivery>, StoreError> {
    let mut targets = Vec::with_capacity(items.len());
    for (office, _) in items {
        let below = children_below(store, office).await?;
        if below.is_empty() {
            return Err(nobody_below(office));
        }
        targets.push(below);
    }
    relay_to(store, actor, at, items, &targets).await
}

/// [`relay`], each item to its own offices.
async fn relay_to(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    items: &[(Office, i64)],
    targets: &[Vec<Office>],
) -> Result<Vec<Delivery>, StoreError> {
    let mut sent = store
        .retrying(|| async {
            let (mut tx, mut audit) = store.begin_audited(actor, at).await?;
            let mut sent = Vec::new();
            // Rows are matched to what the database returns by office, so an
            // office relays at most once per round.
            let mut rest: Vec<usize> = (0..items.len()).collect();
            while !rest.is_empty() {
                let mut seen = std::collections::HashSet::new();
                let (round, later): (Vec<usize>, Vec<usize>) =
                    rest.into_iter().partition(|&i| seen.insert(items[i].0.id));
                let batch: Vec<Item> = round
                    .iter()
                    .map(|&i| Item {
                        office: &items[i].0,
                        delivery: items[i].1,
                        to: &targets[i],
                    })
                    .collect();
                sent.extend(relay_round(&mut tx, &mut audit, at, actor, &batch).await?);
                rest = later;
            }
            audit.commit(tx).await?;
            Ok(sent)
        })
        .await?;
    sent.sort_unstable_by_key(|d| d.id);
    Ok(sent)
}

/// Relays deliveries down every level below them: each recipient with
/// offices under it forwards to them, and so on down to the local
/// organisations; one transaction per level. Deliveries already acted on,
/// offices with nobody below and offices outside saraban are left as they
/// are. Gives every delivery made.
pub async fn relay_down(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    deliveries: &[Delivery],
) -> Result<Vec<Delivery>, StoreError> {
    let mut made = Vec::new();
    // As they stand now: some may have been acted on since they were read.
    let mut level = current(store, deliveries).await?;
    while !level.is_empty() {
        let ids: Vec<i64> = level.iter().map(|d| d.to_office).collect();
        let offices: HashMap<i64, Office> = super::offices::get_many(store, &ids)
            .await?
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
        // An office outside saraban got its letter by e-mail and relays
        // nothing here.
        let outside = super::mail::outside_offices(store, &ids).await?;
        let (mut items, mut targets) = (Vec::new(), Vec::new());
        for d in level.iter().filter(|d| !d.state.acted()) {
            let Some(office) = offices.get(&d.to_office) else {
                continue;
            };
            if outside.contains(&office.id) {
                continue;
            }
            if !office.fields.kind.has_offices_below() {
                continue;
            }
            let below = children_below(store, office).await?;
            if !below.is_empty() {
                items.push((office.clone(), d.id));
                targets.push(below);
            }
        }
        if items.is_empty() {
            break;
        }
        level = relay_to(store, actor, at, &items, &targets).await?;
        made.extend(level.iter().cloned());
    }
    Ok(made)
}

async fn current(store: &Store, deliveries: &[Delivery]) -> Result<Vec<Delivery>, StoreError> {
    let ids: Vec<i64> = deliveries.iter().map(|d| d.id).collect();
    let mut conn = store.reader().acquire().await?;
    by_ids(&mut conn, &ids).await
}

struct Item<'a> {
    office: &'a Office,
    delivery: i64,
    to: &'a [Office],
}

/// Deliveries by id, many per query; ids that do not exist are left out.
async fn by_ids(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<Delivery>, StoreError> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT {COLUMNS} FROM deliveries WHERE id IN {}",
            placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        for row in q.fetch_all(&mut *conn).await? {
            out.push(from_row(&row)?);
        }
    }
    Ok(out)
}

/// Deliveries by id, each checked to be addressed to its item's office.
async fn deliveries_of(
    tx: &mut Transaction<'static, Any>,
    batch: &[Item<'_>],
) -> Result<Vec<Delivery>, StoreError> {
    let ids: Vec<i64> = batch.iter().map(|item| item.delivery).collect();
    let mut found: HashMap<i64, Delivery> = by_ids(tx, &ids)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    batch
        .iter()
        .map(|item| match found.remove(&item.delivery) {
            // Another office's delivery reads as unknown, as in `forward`.
            Some(d) if d.to_office == item.office.id => Ok(d),
            _ => Err(StoreError::UnknownDelivery(item.delivery)),
        })
        .collect()
}

async fn relay_round(
    tx: &mut Transaction<'static, Any>,
    audit: &mut Appender,
    at: DateTime<Utc>,
    actor: &Actor,
    batch: &[Item<'_>],
) -> Result<Vec<Delivery>, StoreError> {
    let now = stamp(at);
    let mut parents = deliveries_of(tx, batch).await?;
    let mut originals: HashMap<i64, documents::Stored> = HashMap::new();
    for d in &parents {
        if let std::collections::hash_map::Entry::Vacant(slot) = originals.entry(d.document_id) {
            slot.insert(get_in(tx, d.document_id).await?);
        }
    }

    // 1. Receive what is not received yet, into each office's receive register.
    let to_receive: Vec<usize> = (0..parents.len())
        .filter(|&i| parents[i].state == DeliveryState::Sent)
        .collect();
    let receive_entries: Vec<Entry> = to_receive
        .iter()
        .map(|&i| {
            let original = &originals[&parents[i].document_id];
            receive_entry(&Heading::of(original), batch[i].office)
        })
        .collect();
    let requests: Vec<IssueRequest> = to_receive
        .iter()
        .zip(&receive_entries)
        .map(|(&i, entry)| IssueRequest {
            office: batch[i].office,
            series: Series::Receive,
            entry,
            document_id: Some(parents[i].document_id),
        })
        .collect();
    let received = numbering::issue_many_in(tx, audit, at, &requests).await?;
    for (&i, issued) in to_receive.iter().zip(&received) {
        let office = batch[i].office;
        note_received(tx, audit, office, &mut parents[i], &now, actor, issued).await?;
    }
    for d in &parents {
        check_forwardable(d)?;
    }

    // 2. Cover letters, numbered as they are stored.
    let mut covers = Vec::with_capacity(batch.len());
    for (item, d) in batch.iter().zip(&parents) {
        let original = &originals[&d.document_id];
        let speaker = super::agency::of_office_in(tx, item.office).await?;
        let cover = super::cover::cover_letter(
            &original.content,
            item.office,
            &speaker,
            item.to,
            bangkok_date(at),
            d.deadline,
        )?;
        refuse_top_secret(&cover)?;
        covers.push(cover);
    }
    let send_entries: Vec<Entry> = covers
        .iter()
        .zip(batch)
        .map(|(cover, item)| {
            let (subject, doc_date) = subject_and_date(cover);
            Entry {
                subject,
                to: super::cover::addressee(item.to),
                doc_date,
                ..Entry::default()
            }
        })
        .collect();
    let series: Vec<Series> = covers
        .iter()
        .map(|c| default_series(c).unwrap_or(Series::Normal))
        .collect();
    let mut requests: Vec<IssueRequest> = batch
        .iter()
        .zip(&send_entries)
        .zip(&series)
        .map(|((item, entry), &series)| IssueRequest {
            office: item.office,
            series,
            entry,
            document_id: None,
        })
        .collect();
    let drawn = numbering::take_in(tx, at, &requests).await?;
    for ((cover, item), (d, s)) in covers.iter_mut().zip(batch).zip(drawn.iter().zip(&series)) {
        if let Some(number) = printed_number(item.office, *s, d.year_be, d.seq)? {
            set_number(cover, &number.key());
        }
    }
    let new_docs: Vec<NewDocument> = covers
        .iter()
        .zip(batch)
        .zip(drawn.iter().zip(&series))
        .map(|((cover, item), (d, s))| NewDocument {
            office: item.office,
            doc: cover,
            numbered: Some((*s, d.year_be, d.seq)),
        })
        .collect();
    let stored = insert_many_in(tx, audit, &new_docs).await?;
    for (request, cover) in requests.iter_mut().zip(&stored) {
        request.document_id = Some(cover.id);
    }
    numbering::register_in(tx, audit, at, &requests, &drawn).await?;
    for chunk in stored.iter().zip(&parents).collect::<Vec<_>>().chunks(200) {
        let sql = format!(
            "INSERT INTO doc_references (from_id, relation, to_id) VALUES {}",
            placeholders(chunk.len(), 3)
        );
        let mut q = sqlx::query(&sql);
        for (cover, d) in chunk {
            q = q.bind(cover.id).bind("cites").bind(d.document_id);
        }
        q.execute(&mut **tx).await?;
    }

    // 3. The covers' deliveries one level down.
    struct Child<'a> {
        cover: &'a documents::Stored,
        parent: &'a Delivery,
        to: &'a Office,
    }
    let children: Vec<Child> = stored
        .iter()
        .zip(&parents)
        .zip(batch)
        .flat_map(|((cover, parent), item)| {
            item.to.iter().map(move |to| Child { cover, parent, to })
        })
        .collect();
    let mut sent = Vec::with_capacity(children.len());
    for chunk in children.chunks(100) {
        let sql = format!(
            "INSERT INTO deliveries (document_id, root_id, parent_id, level, from_office, \
             to_office, state, deadline, sent_at, sent_by) VALUES {} \
             RETURNING id, document_id, to_office",
            placeholders(chunk.len(), 10)
        );
        let mut q = sqlx::query(&sql);
        let mut rows = HashMap::new();
        for c in chunk {
            // What a read would give back, without the round trip.
            let d = Delivery {
                root_id: c.parent.root_id,
                parent_id: Some(c.parent.id),
                level: c.parent.level + 1,
                deadline: deadline_in(&c.cover.content).or(c.parent.deadline),
                ..Delivery::sent(c.cover.id, c.cover.office_id, c.to.id, &now, actor)
            };
            q = q
                .bind(d.document_id)
                .bind(d.root_id)
                .bind(d.parent_id)
                .bind(d.level)
                .bind(d.from_office)
                .bind(d.to_office)
                .bind(d.state.key())
                .bind(d.deadline.map(|x| x.to_string()))
                .bind(&now)
                .bind(&actor.0);
            rows.insert((d.document_id, d.to_office), d);
        }
        // RETURNING gives no promise of order: match by letter and office.
        for row in q.fetch_all(&mut **tx).await? {
            let key: (i64, i64) = (row.try_get(1)?, row.try_get(2)?);
            if let Some(mut d) = rows.remove(&key) {
                d.id = row.try_get(0)?;
                sent.push(d);
            }
        }
    }
    for ((cover, item), parent) in stored.iter().zip(batch).zip(&parents) {
        let addressed: Vec<String> = item.to.iter().map(|o| format!("office:{}", o.id)).collect();
        audit
            .append(
                tx,
                Change {
                    office_id: Some(item.office.id),
                    action: "delivery.send",
                    object: format!("document:{}", cover.id),
                    before: None,
                    after: Some(addressed.join(",").as_bytes()),
                },
            )
            .await?;
        audit
            .append(
                tx,
                Change {
                    office_id: Some(item.office.id),
                    action: "delivery.act",
                    object: format!("delivery:{}", parent.id),
                    before: Some(parent.state.key().as_bytes()),
                    after: Some(DeliveryState::Forwarded.key().as_bytes()),
                },
            )
            .await?;
    }

    note_created(tx, audit, &sent).await?;

    // 4. The relayed deliveries: received (if they were not) and forwarded.
    for chunk in stored.iter().zip(&parents).collect::<Vec<_>>().chunks(100) {
        let n = chunk.len();
        let cases = |offset: usize| {
            (0..n)
                .map(|i| format!("WHEN ${} THEN ${}", offset + 2 * i, offset + 2 * i + 1))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let ids = (0..n)
            .map(|i| format!("${}", 3 + 4 * n + i))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "UPDATE deliveries SET state = 'forwarded', acted_at = $1, acted_by = $2, \
             received_at = COALESCE(received_at, $1), received_by = COALESCE(received_by, $2), \
             receive_entry = CASE id {} END, forward_id = CASE id {} END WHERE id IN ({ids})",
            cases(3),
            cases(3 + 2 * n),
        );
        let mut q = sqlx::query(&sql).bind(&now).bind(&actor.0);
        for (_, parent) in chunk {
            q = q.bind(parent.id).bind(parent.receive_entry);
        }
        for (cover, parent) in chunk {
            q = q.bind(parent.id).bind(cover.id);
        }
        for (_, parent) in chunk {
            q = q.bind(parent.id);
        }
        q.execute(&mut **tx).await?;
    }
    for ((cover, item), parent) in stored.iter().zip(batch).zip(&parents) {
        if let Some(entry) = parent.receive_entry {
            let action = super::registers::forwarded_action_in(tx, cover.id).await?;
            super::registers::record_action_in(tx, audit, item.office.id, entry, &action).await?;
        }
    }
    Ok(sent)
}

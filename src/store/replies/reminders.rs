//! Reminders (ทวงถาม): a letter drafted to the offices that have not acted
//! on (or not replied to) a letter, citing it, with a row per reminded
//! delivery so the tracking tree can say who was reminded and when. The
//! draft is then numbered and sent like any letter.

use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::model::Document;
use crate::store::audit::Change;
use crate::store::documents::{Stored, insert_draft_in};
use crate::store::offices::Office;
use crate::store::routing::Delivery;
use crate::store::{Actor, Store, StoreError, stamp};

/// Stores `letter` as a draft of `acting` citing `original_id`, and a
/// reminder row for each of `targets` (deliveries of the original), in one
/// transaction.
pub async fn draft(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    acting: &Office,
    original_id: i64,
    targets: &[Delivery],
    letter: &Document,
) -> Result<Stored, StoreError> {
    if targets.is_empty() {
        return Err(StoreError::rejected(
            "ไม่มีหน่วยงานที่ต้องทวงถาม",
            "there is no office to remind",
        ));
    }
    if let Err(errors) = crate::model::Validate::validate(letter) {
        let first = errors.into_iter().next().expect("errors are never empty");
        return Err(StoreError::Invalid(first));
    }
    let (mut tx, mut audit) = store.begin_audited(actor, at).await?;
    let stored = insert_draft_in(&mut tx, &mut audit, acting, letter).await?;
    sqlx::query("INSERT INTO doc_references (from_id, relation, to_id) VALUES ($1, 'cites', $2)")
        .bind(stored.id)
        .bind(original_id)
        .execute(&mut *tx)
        .await?;
    let now = stamp(at);
    for chunk in targets.chunks(400) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("(${}, $1, $2, $3)", i + 4))
            .collect();
        let sql = format!(
            "INSERT INTO reminders (delivery_id, reminder_id, created_at, created_by) \
             VALUES {} RETURNING id",
            values.join(", ")
        );
        let mut q = sqlx::query(&sql).bind(stored.id).bind(&now).bind(&actor.0);
        for d in chunk {
            q = q.bind(d.id);
        }
        let ids: Vec<i64> = q
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
        for id in ids {
            audit
                .append(
                    &mut tx,
                    Change {
                        office_id: Some(acting.id),
                        action: "reminder.draft",
                        object: format!("reminder:{id}"),
                        before: None,
                        after: Some(format!("document:{}", stored.id).as_bytes()),
                    },
                )
                .await?;
        }
    }
    audit.commit(tx).await?;
    Ok(stored)
}

/// The offices a reminder letter was drafted for (ids), in delivery order.
pub async fn offices_of(store: &Store, reminder_id: i64) -> Result<Vec<i64>, StoreError> {
    sqlx::query(
        "SELECT d.to_office FROM reminders m JOIN deliveries d ON d.id = m.delivery_id \
         WHERE m.reminder_id = $1 ORDER BY d.id",
    )
    .bind(reminder_id)
    .fetch_all(store.reader())
    .await?
    .iter()
    .map(|r| Ok(r.try_get(0)?))
    .collect()
}

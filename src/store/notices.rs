//! Notices of new work by e-mail (issue 19): one row per work item and
//! person, sent at once (urgent letters) or waiting for the daily digest.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::audit::Change;
use super::{Actor, Store, StoreError, stamp};

/// A notice to queue or record.
#[derive(Debug, Clone)]
pub struct NewNotice {
    pub user_id: i64,
    pub office_id: i64,
    pub item_id: i64,
    pub urgent: bool,
    pub text: String,
    /// Set when it was sent at once.
    pub sent: bool,
    pub error: Option<String>,
}

/// A notice waiting for the digest.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub id: i64,
    pub user_id: i64,
    pub office_id: i64,
    pub text: String,
    pub created_at: String,
}

pub async fn record(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    notices: &[NewNotice],
) -> Result<(), StoreError> {
    if notices.is_empty() {
        return Ok(());
    }
    let (mut tx, mut audit) = store.begin_audited(actor, at).await?;
    let now = stamp(at);
    for n in notices {
        let row = sqlx::query(
            "INSERT INTO mail_notices (user_id, item_id, urgent, text, created_at, sent_at, error) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(n.user_id)
        .bind(n.item_id)
        .bind(i64::from(n.urgent))
        .bind(&n.text)
        .bind(&now)
        .bind(n.sent.then(|| now.clone()))
        .bind(&n.error)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get(0)?;
        audit
            .append(
                &mut tx,
                Change {
                    office_id: Some(n.office_id),
                    action: if n.sent {
                        "notice.sent"
                    } else {
                        "notice.queued"
                    },
                    object: format!("notice:{id}"),
                    before: None,
                    after: None,
                },
            )
            .await?;
    }
    audit.commit(tx).await
}

/// Notices not sent yet, created before `before`, by user.
pub async fn waiting(store: &Store, before: DateTime<Utc>) -> Result<Vec<Waiting>, StoreError> {
    let rows = sqlx::query(
        "SELECT n.id, n.user_id, u.office_id, n.text, n.created_at FROM mail_notices n \
         JOIN users u ON u.id = n.user_id WHERE n.sent_at IS NULL AND n.created_at <= $1 \
         ORDER BY n.user_id, n.id",
    )
    .bind(stamp(before))
    .fetch_all(store.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Waiting {
                id: r.try_get(0)?,
                user_id: r.try_get(1)?,
                office_id: r.try_get(2)?,
                text: r.try_get(3)?,
                created_at: r.try_get(4)?,
            })
        })
        .collect()
}

/// The digest went (or failed, `error`): its notices are done either way,
/// so one broken address does not grow a digest forever.
pub async fn mark_sent(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    office_id: i64,
    ids: &[i64],
    error: Option<&str>,
) -> Result<(), StoreError> {
    let (mut tx, mut audit) = store.begin_audited(actor, at).await?;
    for id in ids {
        sqlx::query("UPDATE mail_notices SET sent_at = $1, error = $2 WHERE id = $3")
            .bind(stamp(at))
            .bind(error)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        audit
            .append(
                &mut tx,
                Change {
                    office_id: Some(office_id),
                    action: "notice.digest",
                    object: format!("notice:{id}"),
                    before: None,
                    after: None,
                },
            )
            .await?;
    }
    audit.commit(tx).await
}

//! Users' signature images: at most one per user (PNG or JPEG, checked by
//! the application layer before it gets here), printed above the signer's
//! typed name. Every change is one audited transaction on the object
//! `signature:{user id}`; the audit chain covers the row (its bytes by
//! their SHA-256), so an image swapped behind saraban's back is caught by
//! `audit verify`.

use sqlx::Row;

use super::accounts::User;
use super::audit::Change;
use super::{Actor, Store, StoreError, placeholders, sha256_hex};

/// A stored signature image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub user_id: i64,
    pub media_type: String,
    pub bytes: Vec<u8>,
    pub sha256: String,
    /// RFC 3339, UTC.
    pub updated_at: String,
}

/// Sets (or replaces) `user`'s signature image.
pub async fn set(
    store: &Store,
    actor: &Actor,
    user: &User,
    media_type: &str,
    bytes: &[u8],
) -> Result<Signature, StoreError> {
    let now = chrono::Utc::now();
    let (mut tx, mut audit) = store.begin_audited(actor, now).await?;
    sqlx::query("DELETE FROM user_signatures WHERE id = $1")
        .bind(user.id)
        .execute(&mut *tx)
        .await?;
    let signature = Signature {
        user_id: user.id,
        media_type: media_type.to_string(),
        bytes: bytes.to_vec(),
        sha256: sha256_hex(bytes),
        updated_at: super::stamp(now),
    };
    sqlx::query(
        "INSERT INTO user_signatures (id, media_type, bytes, sha256, updated_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(user.id)
    .bind(&signature.media_type)
    .bind(bytes)
    .bind(&signature.sha256)
    .bind(&signature.updated_at)
    .execute(&mut *tx)
    .await?;
    audit
        .append(
            &mut tx,
            Change {
                office_id: Some(user.office_id),
                action: "user.signature_set",
                object: format!("signature:{}", user.id),
                before: None,
                after: Some(bytes),
            },
        )
        .await?;
    audit.commit(tx).await?;
    Ok(signature)
}

/// Removes `user`'s signature image; false when there was none (nothing
/// is written then).
pub async fn remove(store: &Store, actor: &Actor, user: &User) -> Result<bool, StoreError> {
    let (mut tx, mut audit) = store.begin_audited(actor, chrono::Utc::now()).await?;
    let gone = sqlx::query("DELETE FROM user_signatures WHERE id = $1")
        .bind(user.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if gone == 0 {
        return Ok(false);
    }
    audit
        .append(
            &mut tx,
            Change {
                office_id: Some(user.office_id),
                action: "user.signature_removed",
                object: format!("signature:{}", user.id),
                before: None,
                after: None,
            },
        )
        .await?;
    audit.commit(tx).await?;
    Ok(true)
}

const COLUMNS: &str = "CAST(id AS BIGINT), media_type, bytes, sha256, updated_at";

fn from_row(row: &sqlx::any::AnyRow) -> Result<Signature, StoreError> {
    Ok(Signature {
        user_id: row.try_get(0)?,
        media_type: row.try_get(1)?,
        bytes: row.try_get(2)?,
        sha256: row.try_get(3)?,
        updated_at: row.try_get(4)?,
    })
}

/// `user_id`'s signature image, if they have one.
pub async fn get(store: &Store, user_id: i64) -> Result<Option<Signature>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM user_signatures WHERE id = $1"
    ))
    .bind(user_id)
    .fetch_optional(store.reader())
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// The signature images of these users (those who have one), in one
/// statement.
pub async fn of_users(store: &Store, user_ids: &[i64]) -> Result<Vec<Signature>, StoreError> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = placeholders(user_ids.len(), 1).replace(['(', ')'], "");
    let sql = format!("SELECT {COLUMNS} FROM user_signatures WHERE id IN ({list})");
    let mut q = sqlx::query(&sql);
    for id in user_ids {
        q = q.bind(*id);
    }
    q.fetch_all(store.reader())
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// The active users of an office who could sign: (id, display name).
pub async fn active_users(store: &Store, office_id: i64) -> Result<Vec<(i64, String)>, StoreError> {
    sqlx::query(
        "SELECT CAST(id AS BIGINT), display_name FROM users \
         WHERE office_id = $1 AND active = 1 ORDER BY id",
    )
    .bind(office_id)
    .fetch_all(store.reader())
    .await?
    .iter()
    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
    .collect()
}

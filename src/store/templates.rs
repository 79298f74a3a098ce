//! Office templates (แม่แบบหนังสือ): a document's content saved under a
//! name by one office, to start new drafts from. Saving under a name the
//! office already uses replaces that template. Every change is one audited
//! transaction on `template:{id}`; the application layer decides who may
//! see which (only the owning office).

use serde::Serialize;
use sqlx::Row;

use super::audit::Change;
use super::documents::content_json;
use super::{Actor, Store, StoreError};
use crate::model::Document;

/// A stored template.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Template {
    pub id: i64,
    pub office_id: i64,
    pub name: String,
    /// The main part's kind (`letter`, `memo`, `order` …).
    pub kind: String,
    pub content: Document,
    pub created_by: String,
    /// RFC 3339, UTC.
    pub created_at: String,
}

fn kind_of(doc: &Document) -> String {
    serde_json::to_value(&doc.main)
        .ok()
        .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_string))
        .unwrap_or_default()
}

const COLUMNS: &str = "id, office_id, name, kind, content, created_by, created_at";

fn from_row(row: &sqlx::any::AnyRow) -> Result<Template, StoreError> {
    let content: String = row.try_get(4)?;
    Ok(Template {
        id: row.try_get(0)?,
        office_id: row.try_get(1)?,
        name: row.try_get(2)?,
        kind: row.try_get(3)?,
        content: serde_json::from_str(&content)
            .map_err(|e| StoreError::invalid("content", "แม่แบบที่เก็บไว้อ่านไม่ได้", &e.to_string()))?,
        created_by: row.try_get(5)?,
        created_at: row.try_get(6)?,
    })
}

/// Saves `doc` as `office_id`'s template `name`, replacing one of the same
/// name.
pub async fn save(
    store: &Store,
    actor: &Actor,
    office_id: i64,
    name: &str,
    doc: &Document,
) -> Result<Template, StoreError> {
    let now = chrono::Utc::now();
    let (mut tx, mut audit) = store.begin_audited(actor, now).await?;
    let content = content_json(doc);
    let old = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM office_templates WHERE office_id = $1 AND name = $2"
    ))
    .bind(office_id)
    .bind(name)
    .fetch_optional(&mut *tx)
    .await?;
    let template = Template {
        id: 0,
        office_id,
        name: name.to_string(),
        kind: kind_of(doc),
        content: doc.clone(),
        created_by: actor.0.clone(),
        created_at: super::stamp(now),
    };
    let (id, before) = match old {
        Some(row) => {
            let old = from_row(&row)?;
            sqlx::query(
                "UPDATE office_templates SET kind = $1, content = $2, created_by = $3, \
                 created_at = $4 WHERE id = $5",
            )
            .bind(&template.kind)
            .bind(&content)
            .bind(&template.created_by)
            .bind(&template.created_at)
            .bind(old.id)
            .execute(&mut *tx)
            .await?;
            (old.id, Some(content_json(&old.content)))
        }
        None => {
            let row = sqlx::query(
                "INSERT INTO office_templates (office_id, name, kind, content, created_by, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(office_id)
            .bind(name)
            .bind(&template.kind)
            .bind(&content)
            .bind(&template.created_by)
            .bind(&template.created_at)
            .fetch_one(&mut *tx)
            .await?;
            (row.try_get(0)?, None)
        }
    };
    audit
        .append(
            &mut tx,
            Change {
                office_id: Some(office_id),
                action: "template.save",
                object: format!("template:{id}"),
                before: before.as_deref().map(str::as_bytes),
                after: Some(content.as_bytes()),
            },
        )
        .await?;
    audit.commit(tx).await?;
    Ok(Template { id, ..template })
}

/// `office_id`'s templates, by name.
pub async fn list(store: &Store, office_id: i64) -> Result<Vec<Template>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM office_templates WHERE office_id = $1 ORDER BY name"
    ))
    .bind(office_id)
    .fetch_all(store.reader())
    .await?;
    rows.iter().map(from_row).collect()
}

/// Template `id`, whoever owns it (the caller checks the office).
pub async fn get(store: &Store, id: i64) -> Result<Option<Template>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM office_templates WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(store.reader())
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Deletes template `id` of `office_id`; false when there is none.
pub async fn delete(
    store: &Store,
    actor: &Actor,
    office_id: i64,
    id: i64,
) -> Result<bool, StoreError> {
    let (mut tx, mut audit) = store.begin_audited(actor, chrono::Utc::now()).await?;
    let gone = sqlx::query("DELETE FROM office_templates WHERE id = $1 AND office_id = $2")
        .bind(id)
        .bind(office_id)
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
                office_id: Some(office_id),
                action: "template.delete",
                object: format!("template:{id}"),
                before: None,
                after: None,
            },
        )
        .await?;
    audit.commit(tx).await?;
    Ok(true)
}

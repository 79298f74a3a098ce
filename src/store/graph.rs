//! The reference graph: what a letter cites, what cites it, and the whole
//! thread. Nodes are imported letters, saraban's own documents, and letters
//! known only by a cited number and date. Edges are resolved when read, by
//! number and date, so the graph does not depend on the order of imports.

use std::collections::{HashSet, VecDeque};

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::search::{self, Viewer};
use super::{Store, StoreError};
use crate::docnum::DocNumber;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// Read in with `saraban import`.
    Imported,
    /// Drafted and numbered in saraban.
    Document,
    /// Known only because another letter cites it.
    External,
}

/// A letter in the graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Node {
    pub kind: NodeKind,
    /// The row id (imported letter or document); none for external nodes.
    pub id: Option<i64>,
    /// The number, canonical with Arabic digits.
    pub key: String,
    /// The number as printed, Thai digits.
    pub number: String,
    pub date: Option<NaiveDate>,
    pub issuer: Option<String>,
    pub subject: Option<String>,
}

impl Node {
    fn identity(&self) -> (String, Option<NaiveDate>) {
        (self.key.clone(), self.date)
    }
}

fn thai_number(key: &str) -> String {
    DocNumber::parse(key).map_or_else(|_| key.to_string(), |n| n.to_string())
}

fn date_of(text: Option<String>) -> Option<NaiveDate> {
    text.and_then(|d| d.parse().ok())
}

fn non_empty(text: String) -> Option<String> {
    (!text.trim().is_empty()).then_some(text)
}

const IMPORTED: &str = "SELECT id, number_key, date, issuer, subject FROM imported_letters";
const DOCUMENTS: &str = "SELECT id, number, date, issuer, subject FROM documents";

/// A node from a row of `IMPORTED` or `DOCUMENTS` (the same five columns).
fn node(kind: NodeKind, row: &AnyRow) -> Result<Node, StoreError> {
    let key: Option<String> = row.try_get(1)?;
    let key = key.unwrap_or_default();
    Ok(Node {
        kind,
        id: Some(row.try_get(0)?),
        number: thai_number(&key),
        key,
        date: date_of(row.try_get(2)?),
        issuer: non_empty(row.try_get(3)?),
        subject: non_empty(row.try_get(4)?),
    })
}

fn imported_node(row: &AnyRow) -> Result<Node, StoreError> {
    node(NodeKind::Imported, row)
}

fn document_node(row: &AnyRow) -> Result<Node, StoreError> {
    node(NodeKind::Document, row)
}

/// Letters stored under this number (and date, when given).
pub async fn lookup(
    store: &Store,
    number: &DocNumber,
    date: Option<NaiveDate>,
) -> Result<Vec<Node>, StoreError> {
    let key = number.key();
    let mut out = Vec::new();
    for (sql, make) in [
        (
            IMPORTED,
            imported_node as fn(&AnyRow) -> Result<Node, StoreError>,
        ),
        (DOCUMENTS, document_node),
    ] {
        let column = if sql == IMPORTED {
            "number_key"
        } else {
            "number"
        };
        let rows = match date {
            Some(d) => {
                sqlx::query(&format!(
                    "{sql} WHERE {column} = $1 AND date = $2 ORDER BY id"
                ))
                .bind(&key)
                .bind(d.to_string())
                .fetch_all(store.reader())
                .await?
            }
            None => {
                sqlx::query(&format!("{sql} WHERE {column} = $1 ORDER BY id"))
                    .bind(&key)
                    .fetch_all(store.reader())
                    .await?
            }
        };
        for row in &rows {
            out.push(make(row)?);
        }
    }
    Ok(out)
}

/// The stored letter a citation points at, or an external node.
async fn resolve(
    store: &Store,
    key: &str,
    date: Option<NaiveDate>,
    issuer: Option<String>,
) -> Result<Node, StoreError> {
    if let Ok(number) = DocNumber::parse(key)
        && let Some(found) = lookup(store, &number, date).await?.into_iter().next()
    {
        return Ok(found);
    }
    Ok(Node {
        kind: NodeKind::External,
        id: None,
        key: key.to_string(),
        number: thai_number(key),
        date,
        issuer,
        subject: None,
    })
}

/// What `node` cites, in the order it cites them.
pub async fn cites(store: &Store, node: &Node) -> Result<Vec<Node>, StoreError> {
    let Some(id) = node.id else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    match node.kind {
        NodeKind::Imported => {
            let rows = sqlx::query(
                "SELECT number_key, date, issuer FROM citations WHERE from_letter = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all(store.reader())
            .await?;
            for row in rows {
                let key: String = row.try_get(0)?;
                out.push(resolve(store, &key, date_of(row.try_get(1)?), row.try_get(2)?).await?);
            }
        }
        NodeKind::Document => {
            let rows = sqlx::query(
                "SELECT to_id, ext_number, ext_date, ext_issuer FROM doc_references \
                 WHERE from_id = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all(store.reader())
            .await?;
            for row in rows {
                let to_id: Option<i64> = row.try_get(0)?;
                match to_id {
                    Some(to) => {
                        let row = sqlx::query(&format!("{DOCUMENTS} WHERE id = $1"))
                            .bind(to)
                            .fetch_one(store.reader())
                            .await?;
                        out.push(document_node(&row)?);
                    }
                    None => {
                        let key: Option<String> = row.try_get(1)?;
                        let key = key.unwrap_or_default();
                        out.push(
                            resolve(store, &key, date_of(row.try_get(2)?), row.try_get(3)?).await?,
                        );
                    }
                }
            }
        }
        NodeKind::External => {}
    }
    Ok(out)
}

/// What cites `node`: letters whose citation matches its number and date
/// (or its number, where the citation has no date), oldest first.
pub async fn cited_by(store: &Store, node: &Node) -> Result<Vec<Node>, StoreError> {
    let mut out = Vec::new();
    let date = node.date.map(|d| d.to_string());
    let (by_citation, by_reference) = match &date {
        Some(_) => (
            "WHERE id IN (SELECT from_letter FROM citations WHERE number_key = $1 \
             AND (date = $2 OR date IS NULL)) ORDER BY id",
            "WHERE id IN (SELECT from_id FROM doc_references WHERE ext_number = $1 \
             AND (ext_date = $2 OR ext_date IS NULL)) ORDER BY id",
        ),
        None => (
            "WHERE id IN (SELECT from_letter FROM citations WHERE number_key = $1) ORDER BY id",
            "WHERE id IN (SELECT from_id FROM doc_references WHERE ext_number = $1) ORDER BY id",
        ),
    };
    for (base, filter, make) in [
        (
            IMPORTED,
            by_citation,
            imported_node as fn(&AnyRow) -> Result<Node, StoreError>,
        ),
        (DOCUMENTS, by_reference, document_node),
    ] {
        let sql = format!("{base} {filter}");
        let mut q = sqlx::query(&sql).bind(&node.key);
        if let Some(d) = &date {
            q = q.bind(d.clone());
        }
        for row in q.fetch_all(store.reader()).await? {
            out.push(make(&row)?);
        }
    }
    if node.kind == NodeKind::Document
        && let Some(id) = node.id
    {
        let rows = sqlx::query(&format!(
            "{DOCUMENTS} WHERE id IN (SELECT from_id FROM doc_references WHERE to_id = $1) ORDER BY id"
        ))
        .bind(id)
        .fetch_all(store.reader())
        .await?;
        for row in &rows {
            let n = document_node(row)?;
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    // By date, not by row id: the same whatever order letters came in.
    out.sort_by(|a, b| (a.date, &a.key, a.kind as u8).cmp(&(b.date, &b.key, b.kind as u8)));
    Ok(out)
}

/// Every letter connected to `start` through citations, either way, ordered
/// by date (undated last). At most `limit` letters.
pub async fn thread(store: &Store, start: &Node, limit: usize) -> Result<Vec<Node>, StoreError> {
    thread_seen_by(store, start, limit, None).await
}

/// The thread as `viewer` may see it: a document the viewer may not see is
/// shown only by the number and date it is cited by (a draft, which has
/// none, not at all), and the walk does not go on through it, so nothing
/// it alone cites or is cited by shows either.
pub async fn thread_seen_by(
    store: &Store,
    start: &Node,
    limit: usize,
    viewer: Option<&Viewer>,
) -> Result<Vec<Node>, StoreError> {
    let mut seen: HashSet<(String, Option<NaiveDate>)> = HashSet::new();
    let mut out = Vec::new();
    let mut queue = VecDeque::from([start.clone()]);
    seen.insert(start.identity());
    while let Some(node) = queue.pop_front() {
        if out.len() >= limit {
            break;
        }
        if let (Some(viewer), NodeKind::Document, Some(id)) = (viewer, node.kind, node.id)
            && !search::can_see(store, viewer, id).await?
        {
            if !node.key.is_empty() {
                out.push(Node {
                    kind: NodeKind::External,
                    id: None,
                    issuer: None,
                    subject: None,
                    ..node
                });
            }
            continue;
        }
        let mut next = cites(store, &node).await?;
        next.extend(cited_by(store, &node).await?);
        out.push(node);
        for n in next {
            if seen.insert(n.identity()) {
                queue.push_back(n);
            }
        }
    }
    out.sort_by(|a, b| (a.date.is_none(), a.date, &a.key).cmp(&(b.date.is_none(), b.date, &b.key)));
    Ok(out)
}

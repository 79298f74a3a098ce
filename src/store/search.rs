//! Finding documents, and who may see them.
//!
//! Every document's strings (number, subject, issuer, addressee, body,
//! annexes) are kept as one normalised text: no whitespace, Thai digits as
//! Arabic, lower case. A query normalised the same way is a substring of it,
//! so Thai written without spaces, numbers in either digit form and words
//! split across lines are all found. SQLite indexes the text with FTS5's
//! trigram tokenizer, PostgreSQL with pg_trgm (the owning office in the
//! same GIN index); both answer `LIKE '%q%'` from the index.
//!
//! Visibility is one SQL predicate used by every list: a document is seen
//! by its own office, and once sent by every office it was delivered to
//! (or whose delivery descends from it, down the cascade); a secret one
//! only by the users named on it.

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::{Any, Row, Transaction};

use super::documents::{self, Stored};
use super::{Backend, Store, StoreError};
use crate::model::{Document, Secrecy, Urgency};
use crate::thai::to_arabic_digits;

/// Whether PostgreSQL's trigram index can index Thai here: `pg_trgm`
/// takes trigrams only from characters the database's `LC_CTYPE` calls
/// letters, and under the C locale Thai has none, so every Thai search
/// would read the whole table. A database created with a UTF-8 locale
/// (`C.UTF-8`, as the README and `.ci/pg-start` do) gives them. Always
/// true on SQLite, whose FTS5 trigram tokenizer is byte-based.
pub async fn thai_trigrams(store: &Store) -> Result<bool, StoreError> {
    if store.backend() != Backend::Postgres {
        return Ok(true);
    }
    let n: Option<i32> = sqlx::query("SELECT array_length(show_trgm('ประชุม'), 1)")
        .fetch_one(store.reader())
        .await?
        .try_get(0)?;
    Ok(n.unwrap_or(0) > 0)
}

/// Search text as stored and as queried.
pub fn normalize(text: &str) -> String {
    to_arabic_digits(&text.replace("\u{e4d}\u{e32}", "\u{e33}"))
        .chars()
        .filter(|c| {
            !c.is_whitespace() && !matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}')
        })
        .flat_map(char::to_lowercase)
        .collect()
}

fn strings(value: &serde_json::Value, out: &mut String) {
    match value {
        serde_json::Value::String(s) => {
            out.push_str(s);
            out.push(' ');
        }
        serde_json::Value::Array(xs) => xs.iter().for_each(|x| strings(x, out)),
        serde_json::Value::Object(m) => m
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "kind" | "digits" | "emblem" | "url"))
            .for_each(|(_, x)| strings(x, out)),
        _ => {}
    }
}

/// Every string a document prints, for the index.
pub fn text_of(doc: &Document, number: Option<&str>) -> String {
    let mut out = String::new();
    if let Some(n) = number {
        out.push_str(n);
        out.push(' ');
    }
    strings(
        &serde_json::to_value(doc).expect("documents serialise"),
        &mut out,
    );
    normalize(&out)
}

pub fn urgency_of(doc: &Document) -> Option<Urgency> {
    doc.urgency()
}

pub fn secrecy_of(doc: &Document) -> Option<Secrecy> {
    doc.secrecy()
}

pub fn recipient_of(doc: &Document) -> &str {
    doc.recipient()
}

fn key_of<T: Serialize>(x: T) -> String {
    serde_json::to_value(x)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The filter columns kept beside a document's content: urgency, secrecy
/// and addressee, as the writer's own INSERT or UPDATE stores them.
pub(crate) struct Filters {
    pub urgency: Option<String>,
    pub secrecy: Option<String>,
    pub recipient: String,
}

pub(crate) fn filters(doc: &Document) -> Filters {
    Filters {
        urgency: urgency_of(doc).map(key_of),
        secrecy: secrecy_of(doc).map(key_of),
        recipient: recipient_of(doc).to_string(),
    }
}

fn is_postgres(tx: &mut Transaction<'static, Any>) -> bool {
    tx.backend_name().eq_ignore_ascii_case("postgresql")
}

/// Rewrites a changed document's search text, in the transaction that
/// changed it.
pub(crate) async fn update_text(
    tx: &mut Transaction<'static, Any>,
    id: i64,
    doc: &Document,
    number: Option<&str>,
) -> Result<(), StoreError> {
    let key = if is_postgres(tx) {
        "document_id"
    } else {
        "rowid"
    };
    sqlx::query(&format!(
        "UPDATE document_search SET text = $2 WHERE {key} = $1"
    ))
    .bind(id)
    .bind(text_of(doc, number))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Removes a deleted draft's search text.
pub(crate) async fn delete_text(
    tx: &mut Transaction<'static, Any>,
    id: i64,
) -> Result<(), StoreError> {
    let key = if is_postgres(tx) {
        "document_id"
    } else {
        "rowid"
    };
    sqlx::query(&format!("DELETE FROM document_search WHERE {key} = $1"))
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A document just stored, as its search text is written: id, office,
/// content and number.
pub(crate) type NewText<'a> = (i64, i64, &'a Document, Option<&'a str>);

/// Writes the search text of documents just stored, many per statement.
/// PostgreSQL keeps the owning office beside the text, so that one index
/// answers "this office's documents with these words" (see [`search`]);
/// SQLite's FTS5 table holds the text alone.
pub(crate) async fn insert_texts(
    tx: &mut Transaction<'static, Any>,
    docs: &[NewText<'_>],
) -> Result<(), StoreError> {
    let postgres = is_postgres(tx);
    let (columns, per_row) = if postgres {
        ("document_id, office_id, text", 3)
    } else {
        ("rowid, text", 2)
    };
    for chunk in docs.chunks(100) {
        let sql = format!(
            "INSERT INTO document_search ({columns}) VALUES {}",
            super::placeholders(chunk.len(), per_row)
        );
        let mut query = sqlx::query(&sql);
        for (id, office_id, doc, number) in chunk {
            query = query.bind(*id);
            if postgres {
                query = query.bind(*office_id);
            }
            query = query.bind(text_of(doc, *number));
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Indexes one document written before the index existed: its filter
/// columns and its search text.
async fn index_in(
    tx: &mut Transaction<'static, Any>,
    id: i64,
    office_id: i64,
    doc: &Document,
    number: Option<&str>,
) -> Result<(), StoreError> {
    let f = filters(doc);
    sqlx::query(
        "UPDATE documents SET urgency = $1, secrecy = $2, recipient = $3, search_version = 1 \
         WHERE id = $4",
    )
    .bind(f.urgency)
    .bind(f.secrecy)
    .bind(f.recipient)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    insert_texts(tx, &[(id, office_id, doc, number)]).await
}

/// Indexes documents stored before the index existed, 500 per transaction.
pub async fn backfill(store: &Store) -> Result<usize, StoreError> {
    let mut done = 0;
    loop {
        let ids: Vec<i64> =
            sqlx::query("SELECT id FROM documents WHERE search_version = 0 ORDER BY id LIMIT 500")
                .fetch_all(store.reader())
                .await?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<Result<_, _>>()?;
        if ids.is_empty() {
            return Ok(done);
        }
        let mut tx = store.begin_write().await?;
        for id in &ids {
            let doc = documents::get_in(&mut tx, *id).await?;
            index_in(
                &mut tx,
                doc.id,
                doc.office_id,
                &doc.content,
                doc.number.as_deref(),
            )
            .await?;
        }
        tx.commit().await?;
        done += ids.len();
    }
}

/// Parameters bound to a query built piece by piece.
#[derive(Debug, Clone)]
pub(crate) enum Bind {
    Int(i64),
    Text(String),
}

/// SQL with `$n` placeholders numbered as conditions are added.
#[derive(Debug, Default)]
pub(crate) struct Sql {
    pub text: String,
    pub binds: Vec<Bind>,
}

impl Sql {
    pub fn bind(&mut self, b: Bind) -> String {
        self.binds.push(b);
        format!("${}", self.binds.len())
    }

    /// The ids the query's first column gives, in its order.
    pub async fn fetch_ids(&self, store: &Store) -> Result<Vec<i64>, StoreError> {
        self.query()
            .fetch_all(store.reader())
            .await?
            .iter()
            .map(|r| r.try_get(0).map_err(StoreError::from))
            .collect()
    }

    pub fn query(&self) -> sqlx::query::Query<'_, Any, sqlx::any::AnyArguments<'_>> {
        let mut q = sqlx::query(&self.text);
        for b in &self.binds {
            q = match b {
                Bind::Int(i) => q.bind(*i),
                Bind::Text(t) => q.bind(t.clone()),
            };
        }
        q
    }
}

/// Who is looking: an office, and the user whose name must be on a secret
/// letter. `user_id: None` is the operator at the command line, who holds
/// the database itself and reads the office's secret letters too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    pub office_id: i64,
    pub user_id: Option<i64>,
}

/// "`d` is not secret, or the viewer is named on it", binding into `sql`.
pub(crate) fn reader_of(sql: &mut Sql, viewer: &Viewer) -> String {
    match viewer.user_id {
        None => "1 = 1".into(),
        Some(user) => {
            let me = sql.bind(Bind::Int(user));
            format!(
                "(d.secrecy IS NULL OR EXISTS (SELECT 1 FROM document_readers r \
                 WHERE r.document_id = d.id AND r.user_id = {me}))"
            )
        }
    }
}

/// How many covers above a delivered letter its recipient sees, besides the
/// original (`root_id`): the DLA → province → district → local chain needs
/// two; one more is headroom.
const COVERS_ABOVE: usize = 3;

/// The ids of the cover letters above the letters delivered to `office`,
/// as `UNION SELECT …` arms to add to a list of ids.
fn above_delivered_ids(office: &str) -> String {
    (1..=COVERS_ABOVE)
        .map(|depth| {
            let joins: String = (1..depth)
                .map(|k| format!(" JOIN deliveries a{k} ON a{k}.parent_id = a{}.id", k - 1))
                .collect();
            format!(
                " UNION SELECT a0.document_id FROM deliveries a0{joins} JOIN deliveries v \
                 ON v.parent_id = a{}.id WHERE v.to_office = {office}",
                depth - 1
            )
        })
        .collect()
}

/// The predicate "`d` is a cover letter above a letter delivered to
/// `office`" (the letter of the delivery's parent, grandparent …).
fn above_delivered(office: &str) -> String {
    let ids = above_delivered_ids(office);
    format!(
        "d.id IN ({})",
        ids.trim_start().trim_start_matches("UNION ")
    )
}

/// The predicate "`d` is visible to `viewer`", binding into `sql`: the
/// office's own documents; once sent, a letter delivered to it, the
/// original of its cascade and every cover letter above it.
pub(crate) fn visible_to(sql: &mut Sql, viewer: &Viewer) -> String {
    let office = sql.bind(Bind::Int(viewer.office_id));
    let reader = reader_of(sql, viewer);
    let above = above_delivered(&office);
    format!(
        "((d.office_id = {office} OR (d.state <> 'draft' AND (EXISTS (SELECT 1 FROM deliveries v \
         WHERE v.to_office = {office} AND (v.document_id = d.id OR v.root_id = d.id)) OR {above}))) \
         AND {reader})"
    )
}

/// Of `ids`, those `viewer` may see.
pub async fn visible_ids(
    store: &Store,
    viewer: &Viewer,
    ids: &[i64],
) -> Result<std::collections::HashSet<i64>, StoreError> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let mut sql = Sql::default();
    let pred = visible_to(&mut sql, viewer);
    let list = ids
        .iter()
        .map(|id| sql.bind(Bind::Int(*id)))
        .collect::<Vec<_>>()
        .join(", ");
    sql.text = format!("SELECT d.id FROM documents d WHERE d.id IN ({list}) AND {pred}");
    Ok(sql.fetch_ids(store).await?.into_iter().collect())
}

/// Whether `viewer` may read the content of the (secret) document `id`:
/// true for a document that is not secret or names the viewer.
pub async fn is_reader(store: &Store, viewer: &Viewer, id: i64) -> Result<bool, StoreError> {
    let mut sql = Sql::default();
    let reader = reader_of(&mut sql, viewer);
    let idp = sql.bind(Bind::Int(id));
    sql.text = format!("SELECT 1 FROM documents d WHERE d.id = {idp} AND {reader}");
    Ok(sql.query().fetch_optional(store.reader()).await?.is_some())
}

/// Whether `viewer` may see document `id`.
pub async fn can_see(store: &Store, viewer: &Viewer, id: i64) -> Result<bool, StoreError> {
    let mut sql = Sql::default();
    let pred = visible_to(&mut sql, viewer);
    let idp = sql.bind(Bind::Int(id));
    sql.text = format!("SELECT 1 FROM documents d WHERE d.id = {idp} AND {pred}");
    Ok(sql.query().fetch_optional(store.reader()).await?.is_some())
}

/// Document `id` if `viewer` may see it; otherwise "not found", whether or
/// not it exists, so that other offices' ids do not leak.
pub async fn visible(store: &Store, viewer: &Viewer, id: i64) -> Result<Stored, StoreError> {
    if can_see(store, viewer, id).await? {
        documents::get(store, id).await
    } else {
        Err(StoreError::UnknownDocument(id))
    }
}

/// What to look for; every part is optional and they combine with AND.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Words anywhere in the document, the number included.
    pub text: Option<String>,
    /// Exactly this number (as [`crate::docnum::DocNumber`] prints it).
    pub number: Option<String>,
    pub kind: Option<String>,
    pub urgency: Option<Urgency>,
    /// Part of the issuer's name.
    pub issuer: Option<String>,
    /// Part of the addressee.
    pub recipient: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Only this office's own documents (its outbox and drafts).
    pub own_only: bool,
    pub limit: i64,
    pub offset: i64,
}

/// The words of a query as the index and the text checks take them:
/// normalised, without `%` and `_` (which cannot be escaped through the
/// trigram index).
fn needle(text: &str) -> String {
    normalize(text)
        .chars()
        .filter(|c| !matches!(c, '%' | '_'))
        .collect()
}

/// Above this many documents containing the words, a search on SQLite
/// walks the caller's visible documents newest first instead of the
/// index's matches.
const FEW_MATCHES: i64 = 2_000;

/// Whether few documents hold `pattern` ([`FEW_MATCHES`]). SQLite's FTS5
/// trigram table stops counting at the limit, so asking is cheap.
async fn few_match(store: &Store, pattern: &str) -> Result<bool, StoreError> {
    let n: i64 = sqlx::query(&format!(
        "SELECT COUNT(*) FROM (SELECT rowid FROM document_search WHERE text LIKE $1 LIMIT {}) m",
        FEW_MATCHES + 1
    ))
    .bind(pattern)
    .fetch_one(store.reader())
    .await?
    .try_get(0)?;
    Ok(n <= FEW_MATCHES)
}

/// How many of an office's newest documents a search on PostgreSQL reads
/// before it turns to the index: words found in one letter of twenty or
/// more are answered from this window alone (reading a thousand texts
/// costs about 5 ms there), rarer ones from the index.
const WINDOW: i64 = 1_000;

/// How a branch of the search checks a document's text.
#[derive(Debug, Clone)]
enum TextCheck {
    /// No words asked for.
    Any,
    /// Read each document's text as the branch walks its documents newest
    /// first: cheap when the words are common, since the walk stops at the
    /// page's worth of matches.
    Walk,
    /// Start from the index's matches anywhere (SQLite's FTS5 table).
    Index,
    /// Start from the index's matches among the office's own documents
    /// (PostgreSQL's `document_search_office_trgm`).
    OfficeIndex,
    /// These documents, already found.
    Ids(Vec<i64>),
}

/// "`text` contains `words`", binding into `sql`. PostgreSQL reads a text
/// with `strpos` in half the time `LIKE` takes under a UTF-8 locale;
/// SQLite's `LIKE` is the quicker of its two.
fn contains(sql: &mut Sql, backend: Backend, text: &str, words: &str) -> String {
    match backend {
        Backend::Sqlite => {
            let p = sql.bind(Bind::Text(format!("%{words}%")));
            format!("{text} LIKE {p}")
        }
        Backend::Postgres => {
            let p = sql.bind(Bind::Text(words.into()));
            format!("strpos({text}, {p}) > 0")
        }
    }
}

/// The condition for `check`, binding into `sql`.
fn text_condition(
    sql: &mut Sql,
    backend: Backend,
    check: &TextCheck,
    words: &str,
    office: &str,
) -> String {
    let key = match backend {
        Backend::Sqlite => "rowid",
        Backend::Postgres => "document_id",
    };
    match check {
        TextCheck::Any => "1 = 1".into(),
        TextCheck::Walk => {
            let text = format!("(SELECT s.text FROM document_search s WHERE s.{key} = d.id)");
            contains(sql, backend, &text, words)
        }
        TextCheck::Index => {
            let p = sql.bind(Bind::Text(format!("%{words}%")));
            format!("d.id IN (SELECT {key} FROM document_search WHERE text LIKE {p})")
        }
        TextCheck::OfficeIndex => {
            let p = sql.bind(Bind::Text(format!("%{words}%")));
            format!(
                "d.id IN (SELECT document_id FROM document_search \
                 WHERE office_id = {office} AND text LIKE {p})"
            )
        }
        TextCheck::Ids(ids) => format!("d.id IN ({})", super::id_list(ids)),
    }
}

/// The conditions of `q` other than its words, binding into `sql`: who may
/// read, number, kind, urgency, issuer, addressee and dates.
fn conditions(sql: &mut Sql, viewer: &Viewer, q: &Query) -> Vec<String> {
    let mut conds = vec![reader_of(sql, viewer)];
    if let Some(number) = &q.number {
        let p = sql.bind(Bind::Text(number.clone()));
        conds.push(format!("d.number = {p}"));
    }
    if let Some(kind) = &q.kind {
        let p = sql.bind(Bind::Text(kind.clone()));
        conds.push(format!("d.kind = {p}"));
    }
    if let Some(u) = q.urgency {
        let p = sql.bind(Bind::Text(key_of(u)));
        conds.push(format!("d.urgency = {p}"));
    }
    for (column, value) in [("d.issuer", &q.issuer), ("d.recipient", &q.recipient)] {
        if let Some(v) = value.as_deref().filter(|v| !v.trim().is_empty()) {
            let p = sql.bind(Bind::Text(format!("%{}%", v.trim())));
            conds.push(format!("{column} LIKE {p}"));
        }
    }
    if let Some(from) = q.from {
        let p = sql.bind(Bind::Text(from.to_string()));
        conds.push(format!("d.date >= {p}"));
    }
    if let Some(to) = q.to {
        let p = sql.bind(Bind::Text(to.to_string()));
        conds.push(format!("d.date <= {p}"));
    }
    conds
}

const NEWEST_FIRST: &str = "ORDER BY d.date DESC, d.id DESC";

/// The newest `n` of the office's own documents that hold `words`, if
/// that many are among its newest [`WINDOW`] that pass the other
/// conditions (PostgreSQL's first step; see [`search`]).
async fn newest_own(
    store: &Store,
    viewer: &Viewer,
    q: &Query,
    words: &str,
    n: i64,
) -> Result<Option<Vec<i64>>, StoreError> {
    let mut sql = Sql::default();
    let office = sql.bind(Bind::Int(viewer.office_id));
    let conds = conditions(&mut sql, viewer, q).join(" AND ");
    let text = "(SELECT s.text FROM document_search s WHERE s.document_id = w.id)";
    let check = contains(&mut sql, store.backend(), text, words);
    sql.text = format!(
        "SELECT w.id FROM (SELECT d.id, d.date FROM documents d \
         WHERE d.office_id = {office} AND {conds} {NEWEST_FIRST} LIMIT {WINDOW}) w \
         WHERE {check} ORDER BY w.date DESC, w.id DESC LIMIT {n}"
    );
    let ids = sql.fetch_ids(store).await?;
    Ok((ids.len() as i64 == n).then_some(ids))
}

/// Documents `viewer` may see that match, newest first.
///
/// A search is two branches, each walked newest first and stopped at a
/// page's worth: the office's own documents, and those delivered to it
/// (with the originals and covers of their cascades). When words are asked
/// for, each branch checks them by the plan that bounds its cost:
///
/// - SQLite: when few documents anywhere hold the words ([`FEW_MATCHES`],
///   which the FTS5 table tells cheaply), both branches start from the
///   index's matches; otherwise they walk and read each text.
/// - PostgreSQL, own documents: first the office's newest [`WINDOW`]
///   documents are read; when they hold a page's worth of matches, those
///   are the answer. Otherwise the words are rare among the office's
///   documents and the index on (office, trigrams) gives exactly them, at
///   a cost that follows their number in this office, not in the country.
/// - PostgreSQL, delivered documents: a walk (a few µs a text).
/// - Words shorter than a trigram: a walk on both databases.
pub async fn search(store: &Store, viewer: &Viewer, q: &Query) -> Result<Vec<Stored>, StoreError> {
    let backend = store.backend();
    let wanted = q.limit.clamp(1, 200);
    let offset = q.offset.max(0);
    let words = q.text.as_deref().map(needle).unwrap_or_default();
    let trigrams = words.chars().count() >= 3;
    let (own, received) = if words.is_empty() {
        (TextCheck::Any, TextCheck::Any)
    } else if !trigrams {
        (TextCheck::Walk, TextCheck::Walk)
    } else if backend == Backend::Sqlite {
        let check = if few_match(store, &format!("%{words}%")).await? {
            TextCheck::Index
        } else {
            TextCheck::Walk
        };
        (check.clone(), check)
    } else {
        let own = match newest_own(store, viewer, q, &words, wanted + offset).await? {
            Some(ids) => TextCheck::Ids(ids),
            None => TextCheck::OfficeIndex,
        };
        (own, TextCheck::Walk)
    };

    let mut sql = Sql::default();
    let office = sql.bind(Bind::Int(viewer.office_id));
    let conds = conditions(&mut sql, viewer, q).join(" AND ");
    let own_text = text_condition(&mut sql, backend, &own, &words, &office);
    let received_text = text_condition(&mut sql, backend, &received, &words, &office);
    let n = sql.bind(Bind::Int(wanted + offset));
    let limit = sql.bind(Bind::Int(wanted));
    let skip = sql.bind(Bind::Int(offset));
    // Each branch walks its documents newest first (the office's own by
    // the (office, date) index) and stops at enough matches.
    let own = format!(
        "SELECT d.id, d.date FROM documents d WHERE d.office_id = {office} AND {conds} \
         AND {own_text} {NEWEST_FIRST} LIMIT {n}"
    );
    let above = above_delivered_ids(&office);
    let received = format!(
        "SELECT d.id, d.date FROM documents d WHERE d.id IN \
         (SELECT document_id FROM deliveries WHERE to_office = {office} \
          UNION SELECT root_id FROM deliveries WHERE to_office = {office}{above}) \
         AND d.office_id <> {office} AND d.state <> 'draft' AND {conds} AND {received_text} \
         {NEWEST_FIRST} LIMIT {n}"
    );
    let branches = if q.own_only {
        format!("SELECT * FROM ({own}) a")
    } else {
        format!("SELECT * FROM ({own}) a UNION ALL SELECT * FROM ({received}) b")
    };
    sql.text = format!(
        "SELECT id FROM ({branches}) u ORDER BY date DESC, id DESC LIMIT {limit} OFFSET {skip}"
    );
    let ids = sql.fetch_ids(store).await?;
    documents::get_many(store, &ids).await
}

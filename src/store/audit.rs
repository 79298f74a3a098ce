//! The audit log: every change appends an event, each event's hash covers
//! the one before it, and the last event of each row a transaction wrote
//! carries the hash of that row's state ([`rows`]). So an edited, inserted
//! or deleted event shows, and so does a row changed behind saraban's back.
//!
//! The database refuses UPDATE and DELETE on `audit_events` (triggers on
//! both backends). Someone with direct access who drops the triggers and
//! rewrites the chain consistently is caught only against a head hash kept
//! elsewhere: `saraban audit head` and `saraban backup` print it, `audit
//! verify --expect` checks it. ARCHITECTURE.md has the trust model.

pub mod rows;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::{Any, Connection, Row, Transaction};

use super::direct::Param;
use super::exec::Exec;
use super::{Actor, Backend, Store, StoreError, sha256_hex, stamp};

/// The `prev_hash` of the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One change, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub office_id: Option<i64>,
    /// `document.number`, `office.import`, `register.cancel` …
    pub action: String,
    /// What changed: `document:12`, `office:7`, `register:40` (the row id).
    pub object: String,
    pub before_sha256: Option<String>,
    pub after_sha256: Option<String>,
    /// The hash of the object's row as the transaction left it
    /// ([`rows`]), on the transaction's last event for a covered object;
    /// absent on other events and on events written before saraban kept it.
    pub state_sha256: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl Event {
    /// The hash this event should carry, from its fields and `prev_hash`.
    /// An event without a state hash hashes as events did before there
    /// were any, so old chains still verify.
    pub fn compute_hash(&self) -> String {
        let office = self.office_id.map(|x| x.to_string()).unwrap_or_default();
        let mut fields = vec![
            self.seq.to_string(),
            self.at.clone(),
            self.actor.clone(),
            office,
            self.action.clone(),
            self.object.clone(),
            self.before_sha256.clone().unwrap_or_default(),
            self.after_sha256.clone().unwrap_or_default(),
            self.prev_hash.clone(),
        ];
        if let Some(state) = &self.state_sha256 {
            fields.push(state.clone());
        }
        sha256_hex(fields.join("\u{1f}").as_bytes())
    }
}

/// A change to record: what the caller knows.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub office_id: Option<i64>,
    pub action: &'a str,
    pub object: String,
    pub before: Option<&'a [u8]>,
    pub after: Option<&'a [u8]>,
}

/// Appends events inside a write transaction. Locks the chain head when
/// started, so events are chained in commit order; `finish` stores the head.
///
/// Events wait in memory until `finish`: only then is it known which event
/// is the last for each object, and what state the transaction left its row
/// in. `finish` reads those states (one statement per kind and 500 rows),
/// hashes the chain, and writes the events many per statement: a statement
/// is a round trip to the database, and one forward makes half a dozen events.
pub struct Appender {
    seq: i64,
    hash: String,
    at: String,
    actor: String,
    pending: Vec<Event>,
}

/// Events written per statement. Eleven parameters each; SQLite looks a
/// parameter up by a linear scan, so very long statements cost more than
/// they save.
const FLUSH_AT: usize = 50;

impl Appender {
    pub async fn start<E: Exec>(
        tx: &mut E,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Appender, StoreError> {
        // An UPDATE takes the row lock on PostgreSQL; the value is unchanged.
        let rows = tx
            .rows(
                "UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash",
                &[],
            )
            .await?;
        let row = rows.first().ok_or_else(|| StoreError::Corrupt {
            column: "audit_head",
            value: "no row".into(),
        })?;
        Ok(Appender {
            seq: row.get(0)?,
            hash: row.get(1)?,
            at: stamp(at),
            actor: actor.0.clone(),
            pending: Vec::new(),
        })
    }

    /// Records the following events as done by `actor` at `at`.
    pub fn act_as(&mut self, actor: &Actor, at: DateTime<Utc>) {
        self.actor = actor.0.clone();
        self.at = stamp(at);
    }

    /// Adds an event; it is hashed and written by `finish`.
    pub async fn append<E: ?Sized>(
        &mut self,
        _tx: &mut E,
        change: Change<'_>,
    ) -> Result<(), StoreError> {
        self.pending.push(Event {
            seq: self.seq + self.pending.len() as i64 + 1,
            at: self.at.clone(),
            actor: self.actor.clone(),
            office_id: change.office_id,
            action: change.action.to_string(),
            object: change.object,
            before_sha256: change.before.map(sha256_hex),
            after_sha256: change.after.map(sha256_hex),
            state_sha256: None,
            prev_hash: String::new(),
            hash: String::new(),
        });
        Ok(())
    }

    /// Puts the state hash of each covered object on its last event,
    /// chains and writes the events, and moves the head.
    /// Writes the events and commits: a change and its record land
    /// together, or neither does. Every write ends here.
    pub async fn commit(self, mut tx: Transaction<'static, Any>) -> Result<(), StoreError> {
        self.finish(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn finish<E: Exec>(mut self, tx: &mut E) -> Result<(), StoreError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        // The last event of each covered object, by kind.
        let mut last: HashMap<(usize, i64), usize> = HashMap::new();
        for (i, e) in self.pending.iter().enumerate() {
            if let Some(key) = rows::kind_of(&e.object) {
                last.insert(key, i);
            }
        }
        let mut by_kind: Vec<Vec<(i64, usize)>> = vec![Vec::new(); rows::KINDS.len()];
        for ((k, id), i) in last {
            by_kind[k].push((id, i));
        }
        for (kind, wanted) in rows::KINDS.iter().zip(&mut by_kind) {
            if wanted.is_empty() {
                continue;
            }
            wanted.sort_unstable();
            let ids: Vec<i64> = wanted.iter().map(|w| w.0).collect();
            let found: HashMap<i64, String> = rows::states(tx, kind, rows::Rows::Ids(&ids))
                .await?
                .into_iter()
                .collect();
            for (id, i) in wanted.iter() {
                let state = found.get(id).map_or(rows::GONE, String::as_str);
                self.pending[*i].state_sha256 = Some(state.to_string());
            }
        }
        for e in &mut self.pending {
            e.prev_hash = std::mem::take(&mut self.hash);
            e.hash = e.compute_hash();
            self.hash.clone_from(&e.hash);
            self.seq = e.seq;
        }
        for chunk in self.pending.chunks(FLUSH_AT) {
            write_events(tx, chunk).await?;
        }
        tx.rows(
            "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1",
            &[self.seq.into(), (&self.hash).into()],
        )
        .await?;
        Ok(())
    }
}

/// Writes events in one statement.
async fn write_events<E: Exec>(tx: &mut E, events: &[Event]) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO audit_events (seq, at, actor, office_id, action, object, \
         before_sha256, after_sha256, state_sha256, prev_hash, hash) VALUES {}",
        super::placeholders(events.len(), 11)
    );
    let mut params: Vec<Param> = Vec::with_capacity(events.len() * 11);
    for e in events {
        let event: [Param; 11] = [
            e.seq.into(),
            (&e.at).into(),
            (&e.actor).into(),
            e.office_id.into(),
            (&e.action).into(),
            (&e.object).into(),
            (&e.before_sha256).into(),
            (&e.after_sha256).into(),
            (&e.state_sha256).into(),
            (&e.prev_hash).into(),
            (&e.hash).into(),
        ];
        params.extend(event);
    }
    tx.rows(&sql, &params).await?;
    Ok(())
}

/// Records one change in its own small step of a write transaction.
pub async fn record(
    tx: &mut Transaction<'static, Any>,
    actor: &Actor,
    at: DateTime<Utc>,
    change: Change<'_>,
) -> Result<(), StoreError> {
    let mut appender = Appender::start(tx, actor, at).await?;
    appender.append(tx, change).await?;
    appender.finish(tx).await
}

/// The actor of the baseline events.
pub const BASELINE_ACTOR: &str = "saraban:baseline";

/// Gives every row written before events carried state hashes an
/// `audit.baseline` event with its state, once: when the migration that
/// added state hashes first runs (`Store::migrate`). Returns how many rows
/// it vouched for. Rows are trusted as they stand at that moment; see
/// ARCHITECTURE.md (trust model).
pub(crate) async fn baseline(store: &Store) -> Result<usize, StoreError> {
    let covered = |row: sqlx::any::AnyRow| row.try_get::<i64, _>(0);
    let sql = "SELECT CAST(covered AS BIGINT) FROM audit_head WHERE id = 1";
    if covered(sqlx::query(sql).fetch_one(store.reader()).await?)? != 0 {
        return Ok(0);
    }
    let mut tx = store.begin_write().await?;
    // Another process may have done it meanwhile.
    if covered(sqlx::query(sql).fetch_one(&mut *tx).await?)? != 0 {
        return Ok(0);
    }
    let mut audit = Appender::start(&mut tx, &Actor(BASELINE_ACTOR.into()), Utc::now()).await?;
    let mut n = 0;
    for kind in rows::KINDS {
        let ids = sqlx::query(&format!("SELECT id FROM {} ORDER BY id", kind.table()))
            .fetch_all(&mut *tx)
            .await?;
        for row in ids {
            let id: i64 = row.try_get(0)?;
            audit
                .append(
                    &mut tx,
                    Change {
                        office_id: None,
                        action: "audit.baseline",
                        object: format!("{}:{id}", kind.prefix),
                        before: None,
                        after: None,
                    },
                )
                .await?;
            n += 1;
        }
    }
    audit.finish(&mut tx).await?;
    sqlx::query("UPDATE audit_head SET covered = 1 WHERE id = 1")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(n)
}

/// The first thing wrong with the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The event's fields no longer match its hash.
    Edited { seq: i64 },
    /// Events are missing (`first..=last`).
    Deleted { first: i64, last: i64 },
    /// An event that the application did not write.
    Inserted { seq: i64 },
    /// The chain is whole but does not contain the head recorded elsewhere.
    HeadMismatch { expected: String, found: String },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Edited { seq } => {
                write!(f, "เหตุการณ์ลำดับที่ {seq} ถูกแก้ไข (event {seq} was edited)")
            }
            Problem::Deleted { first, last } if first == last => {
                write!(f, "เหตุการณ์ลำดับที่ {first} ถูกลบ (event {first} was deleted)")
            }
            Problem::Deleted { first, last } => write!(
                f,
                "เหตุการณ์ลำดับที่ {first}–{last} ถูกลบ (events {first}–{last} were deleted)"
            ),
            Problem::Inserted { seq } => write!(
                f,
                "เหตุการณ์ลำดับที่ {seq} ถูกแทรกเข้ามา (event {seq} was inserted)"
            ),
            Problem::HeadMismatch { expected, found } => write!(
                f,
                "ห่วงโซ่ไม่มี {expected} ที่บันทึกไว้ แต่จบที่ {found} (the chain does not contain the recorded head; it was cut back or rewritten)"
            ),
        }
    }
}

/// A row whose state does not match the audit chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowProblem {
    /// The row differs from the state its latest event recorded.
    Changed { object: String },
    /// The row has no event: it was put in outside saraban.
    Unrecorded { object: String },
    /// The row is gone, though no event removed it.
    Vanished { object: String },
}

impl RowProblem {
    /// `document:12`.
    pub fn object(&self) -> &str {
        match self {
            RowProblem::Changed { object }
            | RowProblem::Unrecorded { object }
            | RowProblem::Vanished { object } => object,
        }
    }
}

impl std::fmt::Display for RowProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let object = self.object();
        let (thai, english, id) = match rows::kind_of(object) {
            Some((k, id)) => (rows::KINDS[k].thai, rows::KINDS[k].english, id.to_string()),
            None => ("แถว", "row", object.to_string()),
        };
        let named = format!("{thai} #{id} ({object})");
        match self {
            RowProblem::Changed { .. } => write!(
                f,
                "{named} ถูกแก้ไขนอกระบบ / {english} {id} was changed outside saraban"
            ),
            RowProblem::Unrecorded { .. } => write!(
                f,
                "{named} ถูกเพิ่มนอกระบบ ไม่มีในบันทึกการแก้ไข / {english} {id} was added outside saraban (no audit event)"
            ),
            RowProblem::Vanished { .. } => write!(
                f,
                "{named} หายไปโดยไม่มีบันทึกการลบ / {english} {id} is gone though no audit event removed it"
            ),
        }
    }
}

/// The outcome of `verify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub events: i64,
    pub head: String,
    /// The first thing wrong with the chain itself.
    pub problem: Option<Problem>,
    /// Rows that do not match the chain (checked only when the chain is
    /// whole: a broken chain vouches for nothing), by kind and id.
    pub rows: Vec<RowProblem>,
}

impl Verdict {
    /// Nothing wrong with the chain or the rows.
    pub fn is_clean(&self) -> bool {
        self.problem.is_none() && self.rows.is_empty()
    }
}

/// The head as the database records it: (number of events, last hash).
pub async fn head(store: &Store) -> Result<(i64, String), StoreError> {
    let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(store.reader())
        .await?;
    Ok((row.try_get(0)?, row.try_get(1)?))
}

/// Rows read per statement when checking a table.
const ROW_PAGE: i64 = 1_000;

/// Walks the whole chain and reports the first problem; `expected_head`, a
/// hash recorded elsewhere earlier, must appear in the chain. Then
/// recomputes the state of every covered row and compares it with the
/// latest event for that row. Chain and rows are read in one snapshot.
pub async fn verify(store: &Store, expected_head: Option<&str>) -> Result<Verdict, StoreError> {
    let mut conn = store.reader().acquire().await?;
    let mut tx = conn.begin().await?;
    if store.backend() == Backend::Postgres {
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            .execute(&mut *tx)
            .await?;
    }
    let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(&mut *tx)
        .await?;
    let (head_seq, head_hash): (i64, String) = (row.try_get(0)?, row.try_get(1)?);
    let mut expected_seq = 1i64;
    let mut prev = GENESIS.to_string();
    let mut seen_expected = expected_head.is_none() || expected_head == Some(GENESIS);
    let mut after = 0i64;
    // The latest recorded state of each covered object.
    let mut states: HashMap<(usize, i64), String> = HashMap::new();
    const PAGE: i64 = 10_000;
    let verdict = |problem| Verdict {
        events: head_seq,
        head: head_hash.clone(),
        problem: Some(problem),
        rows: Vec::new(),
    };
    loop {
        let rows = sqlx::query(
            "SELECT seq, at, actor, office_id, action, object, before_sha256, after_sha256, \
             state_sha256, prev_hash, hash FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(PAGE)
        .fetch_all(&mut *tx)
        .await?;
        let n = rows.len() as i64;
        for row in rows {
            let event = Event {
                seq: row.try_get(0)?,
                at: row.try_get(1)?,
                actor: row.try_get(2)?,
                office_id: row.try_get(3)?,
                action: row.try_get(4)?,
                object: row.try_get(5)?,
                before_sha256: row.try_get(6)?,
                after_sha256: row.try_get(7)?,
                state_sha256: row.try_get(8)?,
                prev_hash: row.try_get(9)?,
                hash: row.try_get(10)?,
            };
            after = event.seq;
            if event.seq > head_seq {
                return Ok(verdict(Problem::Inserted { seq: event.seq }));
            }
            if event.seq > expected_seq {
                return Ok(verdict(Problem::Deleted {
                    first: expected_seq,
                    last: event.seq - 1,
                }));
            }
            let consistent = event.compute_hash() == event.hash;
            if event.prev_hash != prev {
                // A link that does not follow: a row put in with its own
                // consistent hash, or an edit of the link itself.
                return Ok(verdict(if consistent {
                    Problem::Inserted { seq: event.seq }
                } else {
                    Problem::Edited { seq: event.seq }
                }));
            }
            if !consistent {
                return Ok(verdict(Problem::Edited { seq: event.seq }));
            }
            if expected_head == Some(event.hash.as_str()) {
                seen_expected = true;
            }
            if let (Some(state), Some(key)) = (event.state_sha256, rows::kind_of(&event.object)) {
                states.insert(key, state);
            }
            prev = event.hash;
            expected_seq += 1;
        }
        if n < PAGE {
            break;
        }
    }
    let problem = if expected_seq - 1 < head_seq {
        Some(Problem::Deleted {
            first: expected_seq,
            last: head_seq,
        })
    } else if prev != head_hash {
        Some(Problem::Edited { seq: head_seq })
    } else if !seen_expected {
        Some(Problem::HeadMismatch {
            expected: expected_head.unwrap_or_default().to_string(),
            found: head_hash.clone(),
        })
    } else {
        None
    };
    if let Some(problem) = problem {
        return Ok(verdict(problem));
    }
    let mut found = Vec::new();
    for (k, kind) in rows::KINDS.iter().enumerate() {
        let mut after = 0i64;
        loop {
            let page = rows::states(
                &mut tx,
                kind,
                rows::Rows::After {
                    id: after,
                    limit: ROW_PAGE,
                },
            )
            .await?;
            for (id, state) in &page {
                let object = || format!("{}:{id}", kind.prefix);
                match states.remove(&(k, *id)) {
                    None => found.push(RowProblem::Unrecorded { object: object() }),
                    Some(recorded) if recorded != *state => {
                        found.push(RowProblem::Changed { object: object() })
                    }
                    Some(_) => {}
                }
            }
            match page.last() {
                Some((id, _)) if page.len() as i64 == ROW_PAGE => after = *id,
                _ => break,
            }
        }
    }
    // What is left was recorded but is not there.
    let mut vanished: Vec<(usize, i64)> = states
        .into_iter()
        .filter(|(_, state)| state != rows::GONE)
        .map(|(key, _)| key)
        .collect();
    vanished.sort_unstable();
    found.extend(vanished.into_iter().map(|(k, id)| RowProblem::Vanished {
        object: format!("{}:{id}", rows::KINDS[k].prefix),
    }));
    tx.commit().await?;
    Ok(Verdict {
        events: head_seq,
        head: head_hash,
        problem: None,
        rows: found,
    })
}

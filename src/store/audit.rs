//! The audit log: every change appends an event, and each event's hash
//! covers the one before it, so an edited, inserted or deleted row shows.
//!
//! The database refuses UPDATE and DELETE on `audit_events` (triggers on
//! both backends). Someone with direct access who drops the triggers and
//! rewrites the chain consistently is caught only against a head hash kept
//! elsewhere: `saraban audit head` prints it, `audit verify --head` checks it.

use chrono::{DateTime, Utc};
use sqlx::{Any, Row, Transaction};

use super::{Actor, Store, StoreError, sha256_hex, stamp};

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
    /// What changed: `document:12`, `office:7`, `register:พล 0023.3/send/2564/15`.
    pub object: String,
    pub before_sha256: Option<String>,
    pub after_sha256: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl Event {
    /// The hash this event should carry, from its fields and `prev_hash`.
    pub fn compute_hash(&self) -> String {
        let office = self.office_id.map(|x| x.to_string()).unwrap_or_default();
        let text = [
            self.seq.to_string().as_str(),
            &self.at,
            &self.actor,
            &office,
            &self.action,
            &self.object,
            self.before_sha256.as_deref().unwrap_or(""),
            self.after_sha256.as_deref().unwrap_or(""),
            &self.prev_hash,
        ]
        .join("\u{1f}");
        sha256_hex(text.as_bytes())
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
/// Events are hashed as they come and written in multi-row statements (at
/// `finish`, or whenever [`FLUSH_AT`] are waiting): a statement is a round
/// trip to the database, and one forward makes half a dozen events.
pub struct Appender {
    seq: i64,
    hash: String,
    at: String,
    actor: String,
    pending: Vec<Event>,
}

/// Events written per statement. Ten parameters each; SQLite looks a
/// parameter up by a linear scan, so very long statements cost more than
/// they save.
const FLUSH_AT: usize = 50;

impl Appender {
    pub async fn start(
        tx: &mut Transaction<'static, Any>,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Appender, StoreError> {
        // An UPDATE takes the row lock on PostgreSQL; the value is unchanged.
        let row = sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut **tx)
            .await?;
        Ok(Appender {
            seq: row.try_get(0)?,
            hash: row.try_get(1)?,
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

    pub async fn append(
        &mut self,
        tx: &mut Transaction<'static, Any>,
        change: Change<'_>,
    ) -> Result<(), StoreError> {
        let mut event = Event {
            seq: self.seq + 1,
            at: self.at.clone(),
            actor: self.actor.clone(),
            office_id: change.office_id,
            action: change.action.to_string(),
            object: change.object,
            before_sha256: change.before.map(sha256_hex),
            after_sha256: change.after.map(sha256_hex),
            prev_hash: self.hash.clone(),
            hash: String::new(),
        };
        event.hash = event.compute_hash();
        self.seq = event.seq;
        self.hash.clone_from(&event.hash);
        self.pending.push(event);
        if self.pending.len() >= FLUSH_AT {
            self.flush(tx).await?;
        }
        Ok(())
    }

    /// Writes the waiting events.
    async fn flush(&mut self, tx: &mut Transaction<'static, Any>) -> Result<(), StoreError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "INSERT INTO audit_events (seq, at, actor, office_id, action, object, \
             before_sha256, after_sha256, prev_hash, hash) VALUES {}",
            super::placeholders(self.pending.len(), 10)
        );
        let mut query = sqlx::query(&sql);
        for e in &self.pending {
            query = query
                .bind(e.seq)
                .bind(&e.at)
                .bind(&e.actor)
                .bind(e.office_id)
                .bind(&e.action)
                .bind(&e.object)
                .bind(&e.before_sha256)
                .bind(&e.after_sha256)
                .bind(&e.prev_hash)
                .bind(&e.hash);
        }
        query.execute(&mut **tx).await?;
        self.pending.clear();
        Ok(())
    }

    pub async fn finish(mut self, tx: &mut Transaction<'static, Any>) -> Result<(), StoreError> {
        self.flush(tx).await?;
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(self.seq)
            .bind(&self.hash)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
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

/// The first thing wrong with the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The event's fields no longer match its hash.
    Edited { seq: i64 },
    /// Events are missing (`first..=last`).
    Deleted { first: i64, last: i64 },
    /// An event that the application did not write.
    Inserted { seq: i64 },
    /// The chain is whole but does not end at the head recorded elsewhere.
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
                "ห่วงโซ่ไม่ได้จบที่ {expected} แต่จบที่ {found} (the chain does not end at the recorded head)"
            ),
        }
    }
}

/// The outcome of `verify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub events: i64,
    pub head: String,
    pub problem: Option<Problem>,
}

/// The head as the database records it: (number of events, last hash).
pub async fn head(store: &Store) -> Result<(i64, String), StoreError> {
    let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(store.reader())
        .await?;
    Ok((row.try_get(0)?, row.try_get(1)?))
}

/// Walks the whole chain and reports the first problem; `expected_head`, a
/// hash recorded elsewhere earlier, must appear in the chain.
pub async fn verify(store: &Store, expected_head: Option<&str>) -> Result<Verdict, StoreError> {
    let (head_seq, head_hash) = head(store).await?;
    let mut expected_seq = 1i64;
    let mut prev = GENESIS.to_string();
    let mut seen_expected = expected_head.is_none() || expected_head == Some(GENESIS);
    let mut after = 0i64;
    const PAGE: i64 = 10_000;
    loop {
        let rows = sqlx::query(
            "SELECT seq, at, actor, office_id, action, object, before_sha256, after_sha256, \
             prev_hash, hash FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(PAGE)
        .fetch_all(store.reader())
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
                prev_hash: row.try_get(8)?,
                hash: row.try_get(9)?,
            };
            after = event.seq;
            let verdict = |problem| Verdict {
                events: head_seq,
                head: head_hash.clone(),
                problem: Some(problem),
            };
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
            prev = event.hash;
            expected_seq += 1;
        }
        if n < PAGE {
            break;
        }
    }
    let mut problem = None;
    if expected_seq - 1 < head_seq {
        problem = Some(Problem::Deleted {
            first: expected_seq,
            last: head_seq,
        });
    } else if prev != head_hash {
        problem = Some(Problem::Edited { seq: head_seq });
    } else if !seen_expected {
        problem = Some(Problem::HeadMismatch {
            expected: expected_head.unwrap_or_default().to_string(),
            found: head_hash.clone(),
        });
    }
    Ok(Verdict {
        events: head_seq,
        head: head_hash,
        problem,
    })
}

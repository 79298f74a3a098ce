//! The registry's storage: one `Store` over SQLite (embedded, the default)
//! or PostgreSQL (national scale), with one behaviour on both.
//!
//! Queries go through sqlx's `Any` driver with `$n` placeholders, which both
//! backends accept, and use only types both store alike (integers, text,
//! bytes; times as RFC 3339 text). Every write is one transaction that also
//! appends to the audit chain (`audit`), so a failed write leaves nothing.

pub mod accounts;
pub mod agency;
pub mod audit;
pub mod backup;
mod batch;
mod cover;
pub mod demo;
pub mod direct;
pub mod documents;
mod error;
pub mod exec;
pub mod graph;
pub mod imports;
pub mod inbox;
pub mod intake;
pub mod mail;
pub mod notices;
pub mod numbering;
pub mod offices;
pub mod personalise;
pub mod registers;
mod relay;
pub mod replies;
pub mod routing;
pub mod search;
pub mod signatures;
pub mod synth;
pub mod templates;
pub mod tracking;
pub mod workflow;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor, Transaction};

pub use error::StoreError;

/// Thailand's civil time: UTC+7 all year (no daylight saving).
pub fn bangkok() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset")
}

/// The calendar day in Bangkok at instant `at`.
pub fn bangkok_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&bangkok()).date_naive()
}

/// An instant as stored: RFC 3339, UTC, microseconds, so text order is time order.
pub fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Which database a `Store` talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Who acts: a user name, or `cli:<login>` for the command line. Every
/// audit event records one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor(pub String);

impl Actor {
    /// The command line's actor: `cli:` and the login name.
    pub fn cli() -> Actor {
        let login = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .unwrap_or_else(|_| "unknown".into());
        Actor(format!("cli:{login}"))
    }
}

/// The database, with a pool for reads and one for writes.
///
/// On SQLite the write pool holds a single connection: writers in this
/// process queue in order instead of spinning in SQLite's busy handler, and
/// other processes (the CLI beside `saraban serve`) wait on the busy timeout.
#[derive(Debug, Clone)]
pub struct Store {
    read: AnyPool,
    write: AnyPool,
    backend: Backend,
    /// The SQLite file, when it is one.
    file: Option<PathBuf>,
    issue_queue: batch::Slot,
    /// Moved on after every committed change to who may do what (users,
    /// tokens, offices): in-process copies of callers compare it.
    auth_epoch: Arc<AtomicU64>,
    /// A SQLite file's readers on the caller's thread ([`Store::read_rows`]).
    direct: Option<Arc<direct::Readers>>,
    /// A SQLite file's numbering writer on the caller's thread
    /// ([`Store::begin_direct`]).
    direct_writer: Option<Arc<direct::Writer>>,
}

/// How long work may wait for the database before it is answered "busy"
/// (HTTP 503) rather than left hanging.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Reading connections (and, on PostgreSQL, writing ones: one pool).
    pub connections: u32,
    /// The longest wait for a free connection (SQLite's single writer
    /// included): `SARABAN_DB_WAIT_MS`, 10 s by default.
    pub wait: Duration,
    /// PostgreSQL's `statement_timeout`: `SARABAN_DB_STATEMENT_TIMEOUT_MS`,
    /// 30 s by default. (SQLite waits on another process's lock for
    /// [`BUSY_TIMEOUT`].)
    pub statement_timeout: Duration,
}

impl Limits {
    /// `connections`, and the waits from the environment or the defaults.
    pub fn from_env(connections: u32) -> Limits {
        let ms = |var: &str, default: u64| {
            Duration::from_millis(
                std::env::var(var)
                    .ok()
                    .and_then(|v| v.trim().parse().ok())
                    .filter(|&v| v > 0)
                    .unwrap_or(default),
            )
        };
        Limits {
            connections,
            wait: ms("SARABAN_DB_WAIT_MS", 10_000),
            statement_timeout: ms("SARABAN_DB_STATEMENT_TIMEOUT_MS", 30_000),
        }
    }
}

/// How many times [`Store::retrying`] runs a transaction again.
pub const RETRIES: u64 = 20;

/// How long a SQLite writer waits for another process's lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

impl Store {
    /// Opens (creating a SQLite file if needed) and applies migrations.
    pub async fn open(location: &str) -> Result<Store, StoreError> {
        let store = Store::connect(location, 16).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Opens with up to `connections` reading and (on PostgreSQL) writing
    /// connections, without migrating; waits as [`Limits::from_env`] says.
    pub async fn connect(location: &str, connections: u32) -> Result<Store, StoreError> {
        Store::connect_limited(location, Limits::from_env(connections)).await
    }

    /// Opens with these limits, without migrating.
    pub async fn connect_limited(location: &str, limits: Limits) -> Result<Store, StoreError> {
        let Limits {
            connections,
            wait,
            statement_timeout,
        } = limits;
        sqlx::any::install_default_drivers();
        let url = database_url(location);
        let backend = if url.starts_with("postgres") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        };
        let options = AnyConnectOptions::from_str(&url)
            .map_err(|e| StoreError::Connect(location.to_string(), e.to_string()))?;
        let connect_err = |e: sqlx::Error| StoreError::Connect(location.to_string(), e.to_string());
        match backend {
            Backend::Sqlite => {
                // WAL lets readers go on while one writer writes; set once,
                // it is remembered in the file (not settable read-only).
                let read_only = url.contains("mode=ro");
                let setup = AnyPoolOptions::new()
                    .max_connections(1)
                    .after_connect(|conn, _| Box::pin(async move { sqlite_pragmas(conn).await }))
                    .connect_with(options.clone())
                    .await
                    .map_err(connect_err)?;
                if !read_only {
                    sqlx::query("PRAGMA journal_mode = WAL")
                        .execute(&setup)
                        .await
                        .map_err(connect_err)?;
                }
                setup.close().await;
                // No ping before each acquire: a connection to a local file
                // does not go stale, and the ping is a round trip to the
                // driver's thread (it doubled the cost of a small read).
                let pool = |n: u32| {
                    AnyPoolOptions::new()
                        .max_connections(n)
                        .test_before_acquire(false)
                        .acquire_timeout(wait)
                        .after_connect(|conn, _| {
                            Box::pin(async move { sqlite_pragmas(conn).await })
                        })
                };
                let read = pool(connections.max(1))
                    .connect_with(options.clone())
                    .await
                    .map_err(connect_err)?;
                let write = pool(1).connect_with(options).await.map_err(connect_err)?;
                let file = sqlite_file(&url);
                let direct = file
                    .as_deref()
                    .map(|f| direct::Readers::new(f, read_only, connections as usize));
                let direct_writer = file
                    .as_deref()
                    .filter(|_| !read_only)
                    .map(|f| Arc::new(direct::Writer::new(f)));
                Ok(Store {
                    read,
                    write,
                    backend,
                    file,
                    issue_queue: batch::Slot::default(),
                    auth_epoch: Arc::default(),
                    direct,
                    direct_writer,
                })
            }
            Backend::Postgres => {
                let timeout_ms = statement_timeout.as_millis();
                let pool = AnyPoolOptions::new()
                    .max_connections(connections.max(2))
                    .acquire_timeout(wait)
                    .after_connect(move |conn, _| {
                        Box::pin(async move {
                            // A statement stuck behind a lock or a runaway
                            // plan ends with 57014, answered as busy.
                            // No JIT: saraban's queries are short, and the
                            // planner's cost of a tracking tree's correlated
                            // subqueries over a national cascade set off
                            // 250 ms of compiling for a 40 ms query
                            // (docs/benchmarks.md, 2026-12-04).
                            conn.execute(&*format!(
                                "SET statement_timeout = {timeout_ms}; SET jit = off"
                            ))
                            .await
                            .map(|_| ())
                        })
                    })
                    .connect_with(options)
                    .await
                    .map_err(connect_err)?;
                Ok(Store {
                    read: pool.clone(),
                    write: pool,
                    backend,
                    file: None,
                    issue_queue: batch::Slot::default(),
                    auth_epoch: Arc::default(),
                    direct: None,
                    direct_writer: None,
                })
            }
        }
    }

    /// Applies the migrations for this backend (`migrations/sqlite` or
    /// `migrations/postgres`); already applied ones are skipped. Then
    /// indexes documents the search has not seen, and (once) gives rows
    /// written before audit state hashes their baseline event.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("migrations/postgres"),
        };
        let mut conn = self.write.acquire().await?;
        if self.backend == Backend::Postgres {
            // An index built over a national table takes longer than a
            // request's statement timeout; this connection is not reused.
            conn.execute("SET statement_timeout = 0").await?;
        }
        let run = migrator.run(&mut *conn).await;
        if self.backend == Backend::Postgres {
            drop(conn.detach());
        } else {
            drop(conn);
        }
        run.map_err(|e| StoreError::Migrate(e.to_string()))?;
        if !search::thai_trigrams(self).await? {
            tracing::warn!(
                "this PostgreSQL database's LC_CTYPE gives no trigrams for Thai: Thai searches \
                 will read every document. Create the database with a UTF-8 locale \
                 (initdb --locale=C.UTF-8, or CREATE DATABASE … LC_CTYPE 'C.UTF-8' TEMPLATE template0)"
            );
        }
        search::backfill(self).await?;
        // After the search backfill, which fills the filter columns of
        // documents from before the index (part of a document's state).
        audit::baseline(self).await?;
        Ok(())
    }

    /// The group-commit writer for `numbering::issue`, started on first use.
    pub(crate) fn issue_queue(&self) -> &batch::Queue {
        self.issue_queue.get_or_init(|| {
            // The task's own handle has an empty slot, so it does not keep
            // its own queue open.
            batch::spawn(Store {
                issue_queue: batch::Slot::default(),
                ..self.clone()
            })
        })
    }

    /// See [`Store::auth_changed`].
    pub fn auth_epoch(&self) -> u64 {
        self.auth_epoch.load(Ordering::Acquire)
    }

    /// Called after a change to users, their tokens or offices has
    /// committed, so that callers resolved before it are resolved again.
    pub(crate) fn auth_changed(&self) {
        self.auth_epoch.fetch_add(1, Ordering::AcqRel);
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The SQLite database file (`None` on PostgreSQL or in memory).
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// The pool for reads.
    pub fn reader(&self) -> &AnyPool {
        &self.read
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a transaction never fails half-way when it
    /// first writes after reading.
    pub async fn begin_write(&self) -> Result<Transaction<'static, Any>, StoreError> {
        let tx = match self.backend {
            Backend::Sqlite => match self.write.begin_with("BEGIN IMMEDIATE").await {
                Err(e) if e.to_string().contains("non-zero transaction depth") => {
                    // SQLite rolls a transaction back by itself on a full
                    // disk or an I/O error; the driver's ROLLBACK then fails
                    // and it still counts the transaction as open, so the
                    // writer could never begin again. Close that connection
                    // (the pool's only one) and begin on a fresh one.
                    tracing::warn!(
                        "the SQLite writer was left inside a failed transaction: reopening it"
                    );
                    let stuck = self.write.acquire().await?;
                    drop(stuck.detach());
                    self.write.begin_with("BEGIN IMMEDIATE").await?
                }
                other => other?,
            },
            Backend::Postgres => self.write.begin().await?,
        };
        Ok(tx)
    }

    /// Starts a write that is audited: the transaction and the appender
    /// that records its changes, committed together by
    /// [`audit::Appender::commit`].
    pub async fn begin_audited(
        &self,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<(Transaction<'static, Any>, audit::Appender), StoreError> {
        let mut tx = self.begin_write().await?;
        let audit = audit::Appender::start(&mut tx, actor, at).await?;
        Ok((tx, audit))
    }

    /// Runs `attempt`, one whole write transaction, again when it loses a
    /// serialisation conflict or a deadlock (SQLSTATE 40001 or 40P01, which
    /// PostgreSQL at SERIALIZABLE and distributed engines such as
    /// CockroachDB report under contention), up to [`RETRIES`] more times
    /// with a short growing pause. Nothing of a failed attempt was kept.
    pub async fn retrying<T, F, Fut>(&self, mut attempt: F) -> Result<T, StoreError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, StoreError>>,
    {
        let mut tries = 0;
        loop {
            match attempt().await {
                Err(StoreError::Serialization(e)) if tries < RETRIES => {
                    tries += 1;
                    tracing::debug!(tries, error = %e, "serialisation conflict: running again");
                    // Full jitter over a growing window spreads the
                    // transactions that collided, so one wins each round.
                    let window = (4u64 << tries.min(6)).min(200);
                    let noise = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| u64::from(d.subsec_nanos()));
                    let pause = (noise ^ (noise >> 7)).wrapping_mul(0x9E37_79B9) % (window + 1);
                    tokio::time::sleep(Duration::from_millis(pause)).await;
                }
                other => return other,
            }
        }
    }

    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
        if let Some(d) = &self.direct {
            d.close();
        }
        if let Some(w) = &self.direct_writer {
            w.close();
        }
    }

    /// A write transaction on this thread ([`direct::Writer`]): `None` on
    /// PostgreSQL, in memory, or when the SQLite file is being written by
    /// another connection just now (then use [`Store::begin_write`], which
    /// queues). Only numbering uses it.
    pub(crate) fn begin_direct(&self) -> Option<Result<direct::WriteTx<'_>, StoreError>> {
        self.direct_writer.as_ref()?.begin()
    }

    /// `sql` run there and then on the caller's thread, when the store is
    /// a SQLite file ([`direct`]); `None` otherwise (use [`Store::read_rows`]).
    pub fn read_here(
        &self,
        sql: &str,
        params: &[direct::Param<'_>],
    ) -> Option<Result<Vec<direct::Row>, StoreError>> {
        Some(self.direct.as_ref()?.fetch_all(sql, params))
    }

    /// A short, indexed read (it may run on the caller's thread): every
    /// row of `sql` with `params` bound to `$1`, `$2`, …. On a SQLite file
    /// it runs there and then ([`direct`]); otherwise through the read pool.
    pub async fn read_rows(
        &self,
        sql: &str,
        params: &[direct::Param<'_>],
    ) -> Result<Vec<direct::Row>, StoreError> {
        if let Some(rows) = self.read_here(sql, params) {
            return rows;
        }
        let rows = exec::bind(sqlx::query(sql), params)
            .fetch_all(&self.read)
            .await?;
        Ok(rows.iter().map(direct::Row::from_any).collect())
    }
}

async fn sqlite_pragmas(conn: &mut sqlx::AnyConnection) -> Result<(), sqlx::Error> {
    let sql = format!(
        "PRAGMA busy_timeout = {}; PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; \
         PRAGMA cache_size = -32768;",
        BUSY_TIMEOUT.as_millis()
    );
    conn.execute(sql.as_str()).await?;
    Ok(())
}

/// `postgres://…` as given; anything else is a SQLite file (`saraban.db`,
/// `sqlite://x.db`), created when missing.
pub fn database_url(location: &str) -> String {
    if location.starts_with("postgres://") || location.starts_with("postgresql://") {
        location.to_string()
    } else if location.starts_with("sqlite:") {
        if location.contains('?') {
            location.to_string()
        } else {
            format!("{location}?mode=rwc")
        }
    } else {
        format!("sqlite://{location}?mode=rwc")
    }
}

/// The file of a SQLite URL from [`database_url`]; `None` for PostgreSQL
/// and in-memory databases.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path.contains(":memory:") || url.contains("mode=memory") {
        return None;
    }
    Some(PathBuf::from(path))
}

/// `1, 2, 3`: ids written into an `IN (…)` list. They are integers from
/// the store, so listing them is safe, and one statement answers for many.
pub(crate) fn id_list(ids: &[i64]) -> String {
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `($1, $2, $3), ($4, $5, $6)`: the VALUES of a multi-row INSERT of
/// `rows` rows of `columns` parameters each. A statement is a round trip
/// to the database, so rows go many at a time.
pub(crate) fn placeholders(rows: usize, columns: usize) -> String {
    let mut out = String::with_capacity(rows * columns * 5);
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 0..columns {
            if c > 0 {
                out.push_str(", ");
            }
            out.push_str(&format!("${}", r * columns + c + 1));
        }
        out.push(')');
    }
    out
}

/// SHA-256 of bytes, as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

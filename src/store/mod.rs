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
pub mod documents;
mod error;
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
pub mod tracking;
pub mod workflow;

use std::path::{Path, PathBuf};
use std::str::FromStr;
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
}

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
    /// connections, without migrating.
    pub async fn connect(location: &str, connections: u32) -> Result<Store, StoreError> {
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
                        .acquire_timeout(Duration::from_secs(600))
                        .after_connect(|conn, _| {
                            Box::pin(async move { sqlite_pragmas(conn).await })
                        })
                };
                let read = pool(connections.max(1))
                    .connect_with(options.clone())
                    .await
                    .map_err(connect_err)?;
                let write = pool(1).connect_with(options).await.map_err(connect_err)?;
                Ok(Store {
                    read,
                    write,
                    backend,
                    file: sqlite_file(&url),
                    issue_queue: batch::Slot::default(),
                })
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(connections.max(2))
                    .acquire_timeout(Duration::from_secs(600))
                    .connect_with(options)
                    .await
                    .map_err(connect_err)?;
                Ok(Store {
                    read: pool.clone(),
                    write: pool,
                    backend,
                    file: None,
                    issue_queue: batch::Slot::default(),
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
        migrator
            .run(&self.write)
            .await
            .map_err(|e| StoreError::Migrate(e.to_string()))?;
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
            Backend::Sqlite => self.write.begin_with("BEGIN IMMEDIATE").await?,
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

    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
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

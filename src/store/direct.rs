//! SQLite on the caller's own thread, for the hottest small reads
//! (`/health`, the inbox) and for numbering.
//!
//! sqlx runs each SQLite connection on a thread of its own: a query is a
//! message to that thread and back, and the pool pings the connection on
//! that thread again when it is returned. Under load those wake-ups were a
//! third of the server's CPU while SQLite itself used 2% (docs/benchmarks.md,
//! issue 23). A read here runs SQLite on the thread that asks: no hand-off.
//! Statements are prepared once per connection and kept, and so is a
//! reader's snapshot while nothing is committed ([`Readers`]).
//!
//! Numbering on a SQLite file also runs here ([`Writer`]): its whole
//! transaction on the caller's thread, where through sqlx each of its eight
//! statements was a round trip to the driver's thread.
//!
//! This is a minimal wrapper over the C API of `libsqlite3-sys`, the same
//! SQLite sqlx links (rusqlite would bring a second `hashlink` and
//! `hashbrown` into the build). Readers are `query_only`; the one writer is
//! used only through `numbering`, inside an audited transaction. Work here
//! is short and indexed (it holds a runtime thread while it runs); anything
//! that scans stays on sqlx.

use std::collections::HashMap;
use std::ffi::{CStr, CString, c_int};
use std::path::{Path, PathBuf};
use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicBool, Ordering, fence};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use libsqlite3_sys as ffi;

use super::StoreError;

/// The longest a read waits on a lock (WAL readers almost never do): a
/// runtime thread is held meanwhile, so it is short, and then "busy".
const BUSY_MS: c_int = 250;

/// Statements kept per connection before the cache starts again.
const MOST_STATEMENTS: usize = 64;

/// A value bound to `$n`. A NULL says which type of column it stands in
/// (PostgreSQL will not put a text NULL in an integer column).
#[derive(Debug, Clone, Copy)]
pub enum Param<'a> {
    Int(i64),
    Text(&'a str),
    NullInt,
    NullText,
}

impl From<i64> for Param<'_> {
    fn from(v: i64) -> Self {
        Param::Int(v)
    }
}

impl<'a> From<&'a str> for Param<'a> {
    fn from(v: &'a str) -> Self {
        Param::Text(v)
    }
}

impl<'a> From<&'a String> for Param<'a> {
    fn from(v: &'a String) -> Self {
        Param::Text(v)
    }
}

impl From<Option<i64>> for Param<'_> {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Param::NullInt, Param::Int)
    }
}

impl<'a> From<Option<&'a str>> for Param<'a> {
    fn from(v: Option<&'a str>) -> Self {
        v.map_or(Param::NullText, Param::Text)
    }
}

impl<'a> From<&'a Option<String>> for Param<'a> {
    fn from(v: &'a Option<String>) -> Self {
        v.as_deref().into()
    }
}

/// One column of a row as read.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
    /// sqlx could not decode the value as its own type: every typed read
    /// of it fails.
    Unreadable,
}

/// A row read by index, from either database.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(pub Vec<Cell>);

impl Row {
    /// Column `i` as `T`; a type that does not fit is corrupt data.
    pub fn get<T: FromCell>(&self, i: usize) -> Result<T, StoreError> {
        let cell = self.0.get(i).unwrap_or(&Cell::Null);
        T::from_cell(cell).ok_or_else(|| StoreError::Corrupt {
            column: "(a column read by index)",
            value: format!("column {i}: {cell:?}"),
        })
    }

    /// A row sqlx read, cell by cell, each as the type the database gave.
    pub fn from_any(row: &sqlx::any::AnyRow) -> Row {
        use sqlx::any::AnyTypeInfoKind as Kind;
        use sqlx::{Row as _, ValueRef as _};
        let cell = |i: usize| -> Cell {
            let kind = match row.try_get_raw(i) {
                Ok(v) if !v.is_null() => v.type_info().kind(),
                _ => return Cell::Null,
            };
            let read = match kind {
                Kind::Null => Ok(Cell::Null),
                Kind::Bool => row.try_get::<bool, _>(i).map(|b| Cell::Int(i64::from(b))),
                Kind::SmallInt | Kind::Integer | Kind::BigInt => row.try_get(i).map(Cell::Int),
                Kind::Real | Kind::Double => row.try_get(i).map(Cell::Real),
                Kind::Text => row.try_get(i).map(Cell::Text),
                Kind::Blob => row.try_get(i).map(Cell::Blob),
            };
            read.unwrap_or(Cell::Unreadable)
        };
        Row((0..row.len()).map(cell).collect())
    }
}

/// What a [`Cell`] may be read as.
pub trait FromCell: Sized {
    fn from_cell(cell: &Cell) -> Option<Self>;
}

impl FromCell for i64 {
    fn from_cell(cell: &Cell) -> Option<Self> {
        match cell {
            Cell::Int(v) => Some(*v),
            _ => None,
        }
    }
}

impl FromCell for f64 {
    fn from_cell(cell: &Cell) -> Option<Self> {
        match cell {
            Cell::Real(v) => Some(*v),
            Cell::Int(v) => Some(*v as f64),
            _ => None,
        }
    }
}

impl FromCell for String {
    fn from_cell(cell: &Cell) -> Option<Self> {
        match cell {
            Cell::Text(v) => Some(v.clone()),
            _ => None,
        }
    }
}

impl FromCell for Vec<u8> {
    fn from_cell(cell: &Cell) -> Option<Self> {
        match cell {
            Cell::Blob(v) => Some(v.clone()),
            _ => None,
        }
    }
}

impl<T: FromCell> FromCell for Option<T> {
    fn from_cell(cell: &Cell) -> Option<Self> {
        match cell {
            Cell::Null => Some(None),
            other => T::from_cell(other).map(Some),
        }
    }
}

/// Read connections to one SQLite file, opened as needed and kept.
///
/// A connection keeps its read snapshot (an open read transaction) from
/// one query to the next while nothing has been committed since: taking
/// and dropping the WAL read lock for every query was most of what SQLite
/// cost the inbox (a contended process-wide mutex held across two
/// `fcntl` calls). Whether anything was committed is told by the WAL
/// index's header ([`WalIndex`]), which every commit rewrites, from any
/// connection or process. A snapshot is also given up when it is older
/// than [`SNAPSHOT_HOLD`], and idle ones are ended by a sweeper thread, so
/// checkpoints and the WAL's restart are not held back for long.
#[derive(Debug)]
pub struct Readers {
    file: PathBuf,
    read_only: bool,
    idle: Mutex<Vec<Connection>>,
    most_idle: usize,
    /// Set by [`Readers::close`]: the sweeper stops.
    closed: AtomicBool,
    /// How long a snapshot may be kept ([`SNAPSHOT_HOLD`]).
    hold: Duration,
}

/// The longest a reader keeps one snapshot, in use or idle.
pub const SNAPSHOT_HOLD: Duration = Duration::from_millis(50);

impl Readers {
    /// Readers of `file`; `read_only` when the store was opened so. A
    /// sweeper thread ends idle snapshots until the readers are closed or
    /// dropped.
    pub fn new(file: &Path, read_only: bool, most_idle: usize) -> Arc<Readers> {
        Readers::holding(file, read_only, most_idle, SNAPSHOT_HOLD)
    }

    fn holding(file: &Path, read_only: bool, most_idle: usize, hold: Duration) -> Arc<Readers> {
        let readers = Arc::new(Readers {
            file: file.to_path_buf(),
            read_only,
            idle: Mutex::new(Vec::new()),
            most_idle: most_idle.max(1),
            closed: AtomicBool::new(false),
            hold,
        });
        let weak = Arc::downgrade(&readers);
        let sweeper = std::thread::Builder::new()
            .name("saraban-snapshots".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(hold);
                    match weak.upgrade() {
                        Some(r) if !r.closed.load(Ordering::Relaxed) => r.end_idle_snapshots(hold),
                        _ => return,
                    }
                }
            });
        if let Err(e) = sweeper {
            // Without the sweeper no snapshot may be kept past its query.
            tracing::warn!(error = %e, "no snapshot sweeper");
            readers.closed.store(true, Ordering::Relaxed);
        }
        readers
    }

    /// Closes the idle connections (the store is closing).
    pub fn close(&self) {
        self.closed.store(true, Ordering::Relaxed);
        self.idle.lock().expect("readers lock").clear();
    }

    /// Ends the snapshots of idle connections held longer than `age`.
    pub fn end_idle_snapshots(&self, age: Duration) {
        let mut idle = self.idle.lock().expect("readers lock");
        // A connection that cannot end its transaction is closed.
        idle.retain_mut(|c| {
            c.snapshot.is_none_or(|s| s.since.elapsed() < age) || c.end_snapshot().is_ok()
        });
    }

    /// Runs `sql` with `params` (`$1`, `$2`, … by position) and gives every row.
    pub fn fetch_all(&self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, StoreError> {
        let taken = self.idle.lock().expect("readers lock").pop();
        let mut conn = match taken {
            Some(c) => c,
            None => Connection::open(&self.file, Mode::Read(self.read_only))?,
        };
        let out = self.read_on(&mut conn, sql, params);
        // A connection that failed is dropped (closed) rather than kept.
        if out.is_ok() {
            if conn.wal_index.is_none() && !self.closed.load(Ordering::Relaxed) {
                // The first read opened the WAL index, if there is one.
                conn.wal_index = Some(conn.map_wal_index());
            }
            let mut idle = self.idle.lock().expect("readers lock");
            if idle.len() < self.most_idle && !self.closed.load(Ordering::Relaxed) {
                idle.push(conn);
            }
        }
        out
    }

    /// One query on `conn`, in its snapshot when nothing was committed
    /// since it began, else in a new one.
    fn read_on(
        &self,
        conn: &mut Connection,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<Vec<Row>, StoreError> {
        let header = conn.wal_header();
        let current = match (&conn.snapshot, &header) {
            (Some(s), Some(h)) => s.header == *h && s.since.elapsed() < self.hold,
            _ => false,
        };
        if !current {
            conn.end_snapshot()?;
            if let Some(h) = header {
                // The header is read before the snapshot is taken (by the
                // query below), so the snapshot is at least this new: an
                // equal header later means nothing was committed since.
                conn.fetch_all("BEGIN", &[])?;
                conn.snapshot = Some(Snapshot {
                    header: h,
                    since: Instant::now(),
                });
            }
        }
        conn.fetch_all(sql, params)
    }
}

/// A reader's open read transaction: the WAL index's header just before
/// it began, and when.
#[derive(Debug, Clone, Copy)]
struct Snapshot {
    header: [u8; WAL_HEADER],
    since: Instant,
}

/// The WAL index's header: 48 bytes, kept twice at the start of the
/// index (sqlite.org/walformat.html, 2.2). Every commit rewrites it: its
/// change counter, last frame and checksums. A writer writes the second
/// copy, then the first; a reader reads the first, then the second, and
/// trusts them only when they agree.
const WAL_HEADER: usize = 48;

/// The WAL index's first region as SQLite maps it (`xShmMap`).
const WAL_REGION: c_int = 32 * 1024;

/// Numbering's own read-write connection to a SQLite file, used by one
/// transaction at a time.
#[derive(Debug)]
pub struct Writer {
    file: PathBuf,
    /// Whether a transaction has the connection, and the connection when
    /// it is idle (none before the first use).
    slot: Mutex<(bool, Option<Connection>)>,
}

impl Writer {
    pub fn new(file: &Path) -> Writer {
        Writer {
            file: file.to_path_buf(),
            slot: Mutex::new((false, None)),
        }
    }

    /// `BEGIN IMMEDIATE` on this thread, or `None` when the connection is
    /// in use or another connection holds the write lock: the caller then
    /// goes the general way, which queues instead of blocking this thread.
    pub fn begin(&self) -> Option<Result<WriteTx<'_>, StoreError>> {
        let taken = {
            let mut slot = self.slot.lock().expect("writer lock");
            if slot.0 {
                return None;
            }
            slot.0 = true;
            slot.1.take()
        };
        let conn = match taken.map_or_else(|| Connection::open(&self.file, Mode::Write), Ok) {
            Ok(c) => c,
            Err(e) => {
                self.slot.lock().expect("writer lock").0 = false;
                return Some(Err(e));
            }
        };
        let mut tx = WriteTx {
            writer: self,
            conn: Some(conn),
            open: false,
        };
        match tx.fetch_all("BEGIN IMMEDIATE", &[]) {
            Ok(_) => {
                tx.open = true;
                Some(Ok(tx))
            }
            Err(StoreError::Busy(_)) => None,
            Err(e) => Some(Err(e)),
        }
    }

    pub fn close(&self) {
        self.slot.lock().expect("writer lock").1 = None;
    }
}

/// A write transaction of [`Writer`]'s: rolled back unless committed.
#[derive(Debug)]
pub struct WriteTx<'a> {
    writer: &'a Writer,
    conn: Option<Connection>,
    open: bool,
}

impl WriteTx<'_> {
    pub fn fetch_all(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, StoreError> {
        self.conn
            .as_mut()
            .expect("a transaction holds its connection")
            .fetch_all(sql, params)
    }

    pub fn commit(mut self) -> Result<(), StoreError> {
        self.fetch_all("COMMIT", &[])?;
        self.open = false;
        Ok(())
    }
}

impl Drop for WriteTx<'_> {
    fn drop(&mut self) {
        if self.open && self.fetch_all("ROLLBACK", &[]).is_err() {
            // A connection that could not roll back is closed, not reused.
            self.conn = None;
        }
        let mut slot = self.writer.slot.lock().expect("writer lock");
        *slot = (false, self.conn.take());
    }
}

/// What a connection is for.
#[derive(Debug, Clone, Copy)]
enum Mode {
    /// Reads only; the file itself opened read-only when `true`.
    Read(bool),
    /// Numbering's writes, with the pragmas of sqlx's connections.
    Write,
}

/// One SQLite connection and its prepared statements.
#[derive(Debug)]
struct Connection {
    db: NonNull<ffi::sqlite3>,
    statements: HashMap<String, NonNull<ffi::sqlite3_stmt>>,
    /// The open read transaction a reader keeps, if any.
    snapshot: Option<Snapshot>,
    /// SQLite's own mapping of the WAL index (`None` before the first
    /// read; `Some(None)` when the file is not in WAL mode). Its own, and
    /// not another descriptor of `<db>-shm`: closing one would drop the
    /// locks SQLite holds on the file for the whole process.
    wal_index: Option<Option<NonNull<u8>>>,
}

// SAFETY: the bundled SQLite is built thread-safe (SQLITE_THREADSAFE=1) and
// a `Connection` is used by one thread at a time (it is owned, or taken out
// of the pool's mutex, while in use).
unsafe impl Send for Connection {}

impl Connection {
    fn open(file: &Path, mode: Mode) -> Result<Connection, StoreError> {
        let path = CString::new(file.as_os_str().as_encoded_bytes()).map_err(|_| {
            StoreError::Connect(file.display().to_string(), "NUL in the path".into())
        })?;
        let flags = ffi::SQLITE_OPEN_NOMUTEX
            | match mode {
                Mode::Read(true) => ffi::SQLITE_OPEN_READONLY,
                _ => ffi::SQLITE_OPEN_READWRITE,
            };
        let mut db = ptr::null_mut();
        // SAFETY: valid C string and out-pointer; on failure SQLite may
        // still hand back a handle, which is closed below.
        let rc = unsafe { ffi::sqlite3_open_v2(path.as_ptr(), &mut db, flags, ptr::null()) };
        let Some(db) = NonNull::new(db) else {
            return Err(StoreError::Connect(
                file.display().to_string(),
                "SQLite could not allocate a connection".into(),
            ));
        };
        let mut conn = Connection {
            db,
            statements: HashMap::new(),
            snapshot: None,
            wal_index: None,
        };
        if rc != ffi::SQLITE_OK {
            return Err(StoreError::Connect(
                file.display().to_string(),
                conn.error(rc).to_string(),
            ));
        }
        // The writer never waits on a lock: busy, the caller goes through
        // sqlx, whose thread may wait.
        let busy_ms = match mode {
            Mode::Read(_) => BUSY_MS,
            Mode::Write => 0,
        };
        // SAFETY: an open handle.
        unsafe { ffi::sqlite3_busy_timeout(conn.db.as_ptr(), busy_ms) };
        let pragmas: &[&str] = match mode {
            Mode::Read(_) => &["PRAGMA query_only = ON"],
            // As `sqlite_pragmas` sets them on sqlx's connections.
            Mode::Write => &[
                "PRAGMA foreign_keys = ON",
                "PRAGMA synchronous = FULL",
                "PRAGMA cache_size = -32768",
            ],
        };
        for pragma in pragmas {
            conn.fetch_all(pragma, &[])?;
        }
        Ok(conn)
    }

    /// SQLite's mapping of this database's WAL index, if it is in WAL
    /// mode and this connection has read it.
    fn map_wal_index(&mut self) -> Option<NonNull<u8>> {
        let mode = self.fetch_all("PRAGMA journal_mode", &[]).ok()?;
        if mode.first()?.get::<String>(0).ok()? != "wal" {
            return None;
        }
        let mut file: *mut ffi::sqlite3_file = ptr::null_mut();
        let mut region: *mut std::ffi::c_void = ptr::null_mut();
        // SAFETY: an open handle and out-pointers of the right types;
        // `xShmMap` without extending only hands back the region SQLite
        // mapped for this connection, valid while the connection is open.
        unsafe {
            let rc = ffi::sqlite3_file_control(
                self.db.as_ptr(),
                c"main".as_ptr(),
                ffi::SQLITE_FCNTL_FILE_POINTER,
                (&raw mut file).cast(),
            );
            if rc != ffi::SQLITE_OK || file.is_null() || (*file).pMethods.is_null() {
                return None;
            }
            let methods = &*(*file).pMethods;
            let map = methods.xShmMap.filter(|_| methods.iVersion >= 2)?;
            if map(file, 0, WAL_REGION, 0, &mut region) != ffi::SQLITE_OK {
                return None;
            }
        }
        NonNull::new(region.cast())
    }

    /// The WAL index's header, when its two copies agree and it is
    /// initialised; read without a lock, as SQLite's readers do.
    fn wal_header(&self) -> Option<[u8; WAL_HEADER]> {
        let base = self.wal_index.flatten()?.as_ptr();
        let copy = |at: usize| {
            let mut h = [0u8; WAL_HEADER];
            for (i, b) in h.iter_mut().enumerate() {
                // SAFETY: within the index's first region, mapped while
                // this connection is open; other connections and processes
                // write it, hence volatile reads.
                *b = unsafe { ptr::read_volatile(base.add(at + i)) };
            }
            h
        };
        let first = copy(0);
        fence(Ordering::Acquire);
        let second = copy(WAL_HEADER);
        // Byte 12 is `isInit`.
        (first == second && first[12] != 0).then_some(first)
    }

    /// Ends the read transaction a reader keeps, if it has one.
    fn end_snapshot(&mut self) -> Result<(), StoreError> {
        if self.snapshot.take().is_some() {
            self.fetch_all("COMMIT", &[])?;
        }
        Ok(())
    }

    fn fetch_all(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, StoreError> {
        let stmt = self.prepare(sql)?;
        let out = self.run(stmt, params);
        // SAFETY: a statement of this connection; resetting keeps it for
        // the next use and ends its read transaction.
        unsafe {
            ffi::sqlite3_reset(stmt.as_ptr());
            ffi::sqlite3_clear_bindings(stmt.as_ptr());
        }
        out
    }

    fn prepare(&mut self, sql: &str) -> Result<NonNull<ffi::sqlite3_stmt>, StoreError> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(*s);
        }
        if self.statements.len() >= MOST_STATEMENTS {
            self.finalize_all();
        }
        let mut stmt = ptr::null_mut();
        let len = c_int::try_from(sql.len()).map_err(|_| self.misuse("statement too long"))?;
        // SAFETY: `sql` is valid for `len` bytes; the out-pointer is ours.
        let rc = unsafe {
            ffi::sqlite3_prepare_v3(
                self.db.as_ptr(),
                sql.as_ptr().cast(),
                len,
                ffi::SQLITE_PREPARE_PERSISTENT,
                &mut stmt,
                ptr::null_mut(),
            )
        };
        if rc != ffi::SQLITE_OK {
            return Err(self.error(rc));
        }
        let stmt = NonNull::new(stmt).ok_or_else(|| self.misuse("empty statement"))?;
        self.statements.insert(sql.to_string(), stmt);
        Ok(stmt)
    }

    fn run(
        &self,
        stmt: NonNull<ffi::sqlite3_stmt>,
        params: &[Param<'_>],
    ) -> Result<Vec<Row>, StoreError> {
        let s = stmt.as_ptr();
        // SAFETY (this block): `s` is a live statement of this connection,
        // used by this thread only; text is copied by SQLite
        // (SQLITE_TRANSIENT) and column pointers are read before the next
        // step.
        unsafe {
            for i in 1..=ffi::sqlite3_bind_parameter_count(s) {
                let name = ffi::sqlite3_bind_parameter_name(s, i);
                let n = if name.is_null() {
                    i as usize
                } else {
                    let name = CStr::from_ptr(name).to_string_lossy();
                    name.trim_start_matches(['$', '?'])
                        .parse::<usize>()
                        .map_err(|_| self.misuse("parameters are $1, $2, …"))?
                };
                let rc = match params.get(n - 1).copied().unwrap_or(Param::NullText) {
                    Param::Int(v) => ffi::sqlite3_bind_int64(s, i, v),
                    Param::NullInt | Param::NullText => ffi::sqlite3_bind_null(s, i),
                    Param::Text(t) => ffi::sqlite3_bind_text(
                        s,
                        i,
                        t.as_ptr().cast(),
                        c_int::try_from(t.len()).map_err(|_| self.misuse("text too long"))?,
                        ffi::SQLITE_TRANSIENT(),
                    ),
                };
                if rc != ffi::SQLITE_OK {
                    return Err(self.error(rc));
                }
            }
            let columns = ffi::sqlite3_column_count(s);
            let mut rows = Vec::new();
            loop {
                match ffi::sqlite3_step(s) {
                    ffi::SQLITE_ROW => {
                        let mut row = Vec::with_capacity(columns as usize);
                        for c in 0..columns {
                            row.push(cell(s, c));
                        }
                        rows.push(Row(row));
                    }
                    ffi::SQLITE_DONE => return Ok(rows),
                    rc => return Err(self.error(rc)),
                }
            }
        }
    }

    /// The connection's last error as a store error: lock waits become
    /// "busy", like sqlx's.
    fn error(&self, rc: c_int) -> StoreError {
        // SAFETY: an open handle; the message is copied at once.
        let message = unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(self.db.as_ptr())) }
            .to_string_lossy()
            .into_owned();
        let text = format!("sqlite (direct read): {message} (code {rc})");
        match rc & 0xff {
            ffi::SQLITE_BUSY | ffi::SQLITE_LOCKED => StoreError::Busy(text),
            _ => StoreError::Database(sqlx::Error::Protocol(text)),
        }
    }

    fn misuse(&self, why: &str) -> StoreError {
        StoreError::Database(sqlx::Error::Protocol(format!(
            "sqlite (direct read): {why}"
        )))
    }

    fn finalize_all(&mut self) {
        for (_, s) in self.statements.drain() {
            // SAFETY: each statement is finalised once, then forgotten.
            unsafe { ffi::sqlite3_finalize(s.as_ptr()) };
        }
    }
}

/// Column `c` of the row `s` stands on.
///
/// SAFETY: `s` has just returned SQLITE_ROW and `c` is below its column count.
unsafe fn cell(s: *mut ffi::sqlite3_stmt, c: c_int) -> Cell {
    // SAFETY: as the function's contract; the bytes are copied before
    // the next call on `s`.
    unsafe {
        match ffi::sqlite3_column_type(s, c) {
            ffi::SQLITE_INTEGER => Cell::Int(ffi::sqlite3_column_int64(s, c)),
            ffi::SQLITE_FLOAT => Cell::Real(ffi::sqlite3_column_double(s, c)),
            ffi::SQLITE_TEXT => {
                let p = ffi::sqlite3_column_text(s, c);
                let n = ffi::sqlite3_column_bytes(s, c) as usize;
                let bytes = if p.is_null() {
                    &[][..]
                } else {
                    std::slice::from_raw_parts(p, n)
                };
                Cell::Text(String::from_utf8_lossy(bytes).into_owned())
            }
            ffi::SQLITE_BLOB => {
                let p = ffi::sqlite3_column_blob(s, c);
                let n = ffi::sqlite3_column_bytes(s, c) as usize;
                if p.is_null() {
                    Cell::Blob(Vec::new())
                } else {
                    Cell::Blob(std::slice::from_raw_parts(p.cast::<u8>(), n).to_vec())
                }
            }
            _ => Cell::Null,
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.finalize_all();
        // SAFETY: every statement is finalised; the handle is closed once.
        unsafe { ffi::sqlite3_close(self.db.as_ptr()) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> (tempfile::TempDir, Arc<Readers>) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("t.db");
        // Written through sqlite3's own C API via a writable connection.
        let mut w = Connection::open_writable_for_test(&file);
        for sql in [
            "PRAGMA journal_mode = WAL",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL, data BLOB)",
            "INSERT INTO t VALUES (1, 'สมชาย ใจดี', 1.5, x'00ff'), (2, NULL, NULL, NULL)",
        ] {
            w.fetch_all(sql, &[]).unwrap();
        }
        drop(w);
        (dir, Readers::new(&file, false, 2))
    }

    /// Readers whose snapshots are kept for an hour, so that nothing but
    /// the test ends them, and a writer of the same file.
    fn holding_fixture() -> (tempfile::TempDir, Arc<Readers>, Connection) {
        let (dir, _) = fixture();
        let file = dir.path().join("t.db");
        let readers = Readers::holding(&file, false, 2, Duration::from_secs(3600));
        let writer = Connection::open_writable_for_test(&file);
        (dir, readers, writer)
    }

    fn count(readers: &Readers) -> i64 {
        readers.fetch_all("SELECT count(*) FROM t", &[]).unwrap()[0]
            .get::<i64>(0)
            .unwrap()
    }

    /// The idle connection's snapshot, and whether SQLite has a
    /// transaction open on it.
    fn idle_snapshot(readers: &Readers) -> Option<(Instant, bool)> {
        let idle = readers.idle.lock().unwrap();
        assert_eq!(idle.len(), 1, "one reader in use at a time here");
        let c = &idle[0];
        // SAFETY: an open handle.
        let open = unsafe { ffi::sqlite3_get_autocommit(c.db.as_ptr()) } == 0;
        c.snapshot.map(|s| (s.since, open))
    }

    #[test]
    fn a_snapshot_is_kept_until_something_is_committed() {
        let (_dir, readers, mut writer) = holding_fixture();
        assert_eq!(count(&readers), 2);
        // The first read maps the WAL index; the second begins a snapshot.
        assert_eq!(count(&readers), 2);
        let (since, open) = idle_snapshot(&readers).expect("a snapshot is kept");
        assert!(open, "SQLite has the read transaction open");
        assert_eq!(count(&readers), 2);
        assert_eq!(
            idle_snapshot(&readers).unwrap().0,
            since,
            "the same snapshot, reused"
        );
        // A commit from another connection is seen by the next read.
        writer
            .fetch_all("INSERT INTO t (id) VALUES (3)", &[])
            .unwrap();
        assert_eq!(count(&readers), 3);
        assert_ne!(idle_snapshot(&readers).unwrap().0, since, "a new snapshot");
        writer.fetch_all("DELETE FROM t WHERE id = 3", &[]).unwrap();
        assert_eq!(count(&readers), 2);
    }

    #[test]
    fn idle_snapshots_end_so_the_wal_can_be_truncated() {
        let (_dir, readers, mut writer) = holding_fixture();
        writer
            .fetch_all("INSERT INTO t (id) VALUES (3)", &[])
            .unwrap();
        count(&readers);
        assert_eq!(count(&readers), 3);
        assert!(idle_snapshot(&readers).is_some());
        let truncate = |w: &mut Connection| {
            w.fetch_all("PRAGMA wal_checkpoint(TRUNCATE)", &[]).unwrap()[0]
                .get::<i64>(0)
                .unwrap()
        };
        assert_eq!(truncate(&mut writer), 1, "busy: a reader holds the log");
        readers.end_idle_snapshots(Duration::ZERO);
        assert_eq!(idle_snapshot(&readers), None);
        assert_eq!(truncate(&mut writer), 0, "no reader holds the log");
        // The reader goes on, in a new snapshot.
        assert_eq!(count(&readers), 3);
    }

    impl Connection {
        fn open_writable_for_test(file: &Path) -> Connection {
            let path = CString::new(file.as_os_str().as_encoded_bytes()).unwrap();
            let mut db = ptr::null_mut();
            let flags = ffi::SQLITE_OPEN_READWRITE | ffi::SQLITE_OPEN_CREATE;
            let rc = unsafe { ffi::sqlite3_open_v2(path.as_ptr(), &mut db, flags, ptr::null()) };
            assert_eq!(rc, ffi::SQLITE_OK);
            Connection {
                db: NonNull::new(db).unwrap(),
                statements: HashMap::new(),
                snapshot: None,
                wal_index: None,
            }
        }
    }

    #[test]
    fn reads_every_type_and_binds_by_number() {
        let (_dir, readers) = fixture();
        let rows = readers
            .fetch_all(
                "SELECT id, name, score, data FROM t WHERE id >= $2 AND id <= $1 ORDER BY id",
                &[Param::Int(2), Param::Int(1)],
            )
            .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].get::<i64>(0).unwrap(), 1);
        assert_eq!(rows[0].get::<String>(1).unwrap(), "สมชาย ใจดี");
        assert_eq!(rows[0].get::<f64>(2).unwrap(), 1.5);
        assert_eq!(rows[0].get::<Vec<u8>>(3).unwrap(), vec![0, 255]);
        assert_eq!(rows[1].get::<Option<String>>(1).unwrap(), None);
        assert!(rows[1].get::<String>(1).is_err(), "NULL is not a text");
        assert!(rows[0].get::<i64>(1).is_err(), "a text is not a number");
        let by_text = readers
            .fetch_all(
                "SELECT id FROM t WHERE name = $1",
                &[Param::Text("สมชาย ใจดี")],
            )
            .unwrap();
        assert_eq!(by_text, vec![Row(vec![Cell::Int(1)])]);
        // The same statement again (from the cache), other parameters.
        let none = readers
            .fetch_all("SELECT id FROM t WHERE name = $1", &[Param::Text("ไม่มี")])
            .unwrap();
        assert!(none.is_empty());
    }

    #[test]
    fn refuses_writes_and_reports_bad_sql() {
        let (_dir, readers) = fixture();
        let write = readers.fetch_all("DELETE FROM t", &[]);
        assert!(write.is_err(), "query_only connections refuse writes");
        let n = readers.fetch_all("SELECT count(*) FROM t", &[]).unwrap();
        assert_eq!(n[0].get::<i64>(0).unwrap(), 2);
        let bad = readers.fetch_all("SELEKT 1", &[]).unwrap_err();
        assert!(bad.to_string().contains("syntax error"), "{bad}");
    }
}

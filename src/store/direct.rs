//! SQLite reads on the caller's own thread, for the hottest small reads
//! (`/health`, the inbox, a token's caller).
//!
//! sqlx runs each SQLite connection on a thread of its own: a query is a
//! message to that thread and back, and the pool pings the connection on
//! that thread again when it is returned. Under load those wake-ups were a
//! third of the server's CPU while SQLite itself used 2% (docs/benchmarks.md,
//! issue 23). A read here runs SQLite on the thread that asks: no hand-off.
//! Statements are prepared once per connection and kept.
//!
//! This is a minimal wrapper over the C API of `libsqlite3-sys`, the same
//! SQLite sqlx links (rusqlite would bring a second `hashlink` and
//! `hashbrown` into the build). Only reads go here: the connections are
//! `query_only`, so a write cannot slip past the audited transactions.
//! Reads are short and indexed (they hold a runtime thread while they run);
//! anything that scans stays on sqlx.

use std::collections::HashMap;
use std::ffi::{CStr, CString, c_int};
use std::path::{Path, PathBuf};
use std::ptr::{self, NonNull};
use std::sync::Mutex;

use libsqlite3_sys as ffi;

use super::StoreError;

/// The longest a read waits on a lock (WAL readers almost never do): a
/// runtime thread is held meanwhile, so it is short, and then "busy".
const BUSY_MS: c_int = 250;

/// Statements kept per connection before the cache starts again.
const MOST_STATEMENTS: usize = 64;

/// A value bound to `$n`.
#[derive(Debug, Clone, Copy)]
pub enum Param<'a> {
    Int(i64),
    Text(&'a str),
    Null,
}

/// One column of a row as read.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
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

    /// A row sqlx read (PostgreSQL), cell by cell.
    pub fn from_any(row: &sqlx::any::AnyRow) -> Row {
        use sqlx::Row as _;
        let cell = |i: usize| {
            if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
                return v.map_or(Cell::Null, Cell::Int);
            }
            if let Ok(v) = row.try_get::<Option<String>, _>(i) {
                return v.map_or(Cell::Null, Cell::Text);
            }
            if let Ok(v) = row.try_get::<Option<f64>, _>(i) {
                return v.map_or(Cell::Null, Cell::Real);
            }
            if let Ok(v) = row.try_get::<Option<bool>, _>(i) {
                return v.map_or(Cell::Null, |b| Cell::Int(i64::from(b)));
            }
            match row.try_get::<Option<Vec<u8>>, _>(i) {
                Ok(Some(v)) => Cell::Blob(v),
                _ => Cell::Null,
            }
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
#[derive(Debug)]
pub struct Readers {
    file: PathBuf,
    read_only: bool,
    idle: Mutex<Vec<Connection>>,
    most_idle: usize,
}

impl Readers {
    /// Readers of `file`; `read_only` when the store was opened so.
    pub fn new(file: &Path, read_only: bool, most_idle: usize) -> Readers {
        Readers {
            file: file.to_path_buf(),
            read_only,
            idle: Mutex::new(Vec::new()),
            most_idle: most_idle.max(1),
        }
    }

    /// Closes the idle connections (the store is closing).
    pub fn close(&self) {
        self.idle.lock().expect("readers lock").clear();
    }

    /// Runs `sql` with `params` (`$1`, `$2`, … by position) and gives every row.
    pub fn fetch_all(&self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, StoreError> {
        let taken = self.idle.lock().expect("readers lock").pop();
        let mut conn = match taken {
            Some(c) => c,
            None => Connection::open(&self.file, self.read_only)?,
        };
        let out = conn.fetch_all(sql, params);
        // A connection that failed is dropped (closed) rather than kept.
        if out.is_ok() {
            let mut idle = self.idle.lock().expect("readers lock");
            if idle.len() < self.most_idle {
                idle.push(conn);
            }
        }
        out
    }
}

/// One SQLite connection and its prepared statements.
#[derive(Debug)]
struct Connection {
    db: NonNull<ffi::sqlite3>,
    statements: HashMap<String, NonNull<ffi::sqlite3_stmt>>,
}

// SAFETY: the bundled SQLite is built thread-safe (SQLITE_THREADSAFE=1) and
// a `Connection` is used by one thread at a time (it is owned, or taken out
// of the pool's mutex, while in use).
unsafe impl Send for Connection {}

impl Connection {
    fn open(file: &Path, read_only: bool) -> Result<Connection, StoreError> {
        let path = CString::new(file.as_os_str().as_encoded_bytes()).map_err(|_| {
            StoreError::Connect(file.display().to_string(), "NUL in the path".into())
        })?;
        let flags = ffi::SQLITE_OPEN_NOMUTEX
            | if read_only {
                ffi::SQLITE_OPEN_READONLY
            } else {
                ffi::SQLITE_OPEN_READWRITE
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
        };
        if rc != ffi::SQLITE_OK {
            return Err(StoreError::Connect(
                file.display().to_string(),
                conn.error(rc).to_string(),
            ));
        }
        // SAFETY: an open handle.
        unsafe { ffi::sqlite3_busy_timeout(conn.db.as_ptr(), BUSY_MS) };
        conn.fetch_all("PRAGMA query_only = ON", &[])?;
        Ok(conn)
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
                let rc = match params.get(n - 1).copied().unwrap_or(Param::Null) {
                    Param::Int(v) => ffi::sqlite3_bind_int64(s, i, v),
                    Param::Null => ffi::sqlite3_bind_null(s, i),
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

    fn fixture() -> (tempfile::TempDir, Readers) {
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

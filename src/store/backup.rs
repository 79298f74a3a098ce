//! `saraban backup` / `restore` for SQLite, and the lock that keeps
//! `restore` from swapping the file under a running `saraban serve`.
//! PostgreSQL uses its own tools (`pg_dump -Fc` / `pg_restore`), documented
//! in the README.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use super::{Backend, Store, StoreError};

fn sqlite_only(store: &Store) -> Result<(), StoreError> {
    if store.backend() == Backend::Postgres {
        return Err(StoreError::rejected(
            "PostgreSQL สำรองด้วย pg_dump -Fc และกู้คืนด้วย pg_restore",
            "for PostgreSQL use pg_dump -Fc and pg_restore",
        ));
    }
    Ok(())
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::rejected("เขียนไฟล์ไม่สำเร็จ", e.to_string())
}

/// `<db>.lock` beside the database file.
pub fn lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

fn open_lock(database: &Path) -> Result<File, StoreError> {
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path(database))
        .map_err(io)
}

/// Held by a server for as long as it uses the database: a shared advisory
/// lock on `<db>.lock` (several servers may share one file; `restore` may
/// not run under any). Released when dropped or when the process ends.
#[derive(Debug)]
pub struct ServerLock {
    _file: File,
}

/// Takes the server's lock on the SQLite file `database`; refused while a
/// `restore` is replacing it.
pub fn hold_lock(database: &Path) -> Result<ServerLock, StoreError> {
    let file = open_lock(database)?;
    match file.try_lock_shared() {
        Ok(()) => Ok(ServerLock { _file: file }),
        Err(TryLockError::WouldBlock) => Err(StoreError::rejected(
            format!("กำลังกู้คืน {} อยู่ ลองใหม่เมื่อเสร็จแล้ว", database.display()),
            format!(
                "{} is being restored; try again when it is done",
                database.display()
            ),
        )),
        Err(TryLockError::Error(e)) => Err(io(e)),
    }
}

/// Writes a consistent copy of the open database to `target` while it
/// stays in use (`VACUUM INTO`, SQLite's online copy). `target` must not
/// exist. Gives the copy's audit head (number of events, hash): keep it
/// elsewhere, and check later with `audit verify --expect`.
pub async fn backup(store: &Store, target: &Path) -> Result<(i64, String), StoreError> {
    sqlite_only(store)?;
    if target.exists() {
        return Err(StoreError::rejected(
            format!("มีไฟล์ {} อยู่แล้ว", target.display()),
            format!("{} already exists", target.display()),
        ));
    }
    let location = target.to_string_lossy().into_owned();
    sqlx::query("VACUUM INTO $1")
        .bind(&location)
        .execute(store.reader())
        .await?;
    let copy = Store::connect(&format!("sqlite://{location}?mode=ro"), 1).await?;
    let head = super::audit::head(&copy).await;
    copy.close().await;
    head
}

/// Replaces the SQLite database at `target` with the backup at `source`,
/// after checking that the backup opens, migrates and verifies (chain and
/// rows). Refused while a server holds the database ([`hold_lock`]); the
/// file is swapped by a rename, so the target is either the old database or
/// the whole backup, never half of one.
pub async fn restore(source: &Path, target: &Path) -> Result<super::audit::Verdict, StoreError> {
    if !source.is_file() {
        return Err(StoreError::rejected(
            format!("ไม่พบไฟล์สำรอง {}", source.display()),
            format!("no backup file {}", source.display()),
        ));
    }
    let lock = open_lock(target)?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            return Err(StoreError::rejected(
                format!(
                    "ฐานข้อมูล {} เปิดใช้อยู่โดย saraban serve หยุดเซิร์ฟเวอร์ก่อนกู้คืน",
                    target.display()
                ),
                format!(
                    "{} is open in a running saraban serve; stop the server before restoring",
                    target.display()
                ),
            ));
        }
        Err(TryLockError::Error(e)) => return Err(io(e)),
    }
    // Copy beside the target and check the copy: a backup from before state
    // hashes gets its baseline here, as it would at its next open.
    let staging = target.with_extension("restoring");
    remove_with_sides(&staging);
    let location = source.to_string_lossy().into_owned();
    let backup = Store::connect(&format!("sqlite://{location}?mode=ro"), 1).await?;
    let copied = sqlx::query("VACUUM INTO $1")
        .bind(staging.to_string_lossy().into_owned())
        .execute(backup.reader())
        .await;
    backup.close().await;
    copied?;
    let checked = check(&staging).await;
    let verdict = match checked {
        Ok(v) if v.is_clean() => v,
        Ok(v) => {
            remove_with_sides(&staging);
            let first = match (&v.problem, v.rows.first()) {
                (Some(p), _) => p.to_string(),
                (None, Some(r)) => r.to_string(),
                (None, None) => String::new(),
            };
            return Err(StoreError::rejected(
                format!("ไฟล์สำรองไม่ผ่านการตรวจบันทึกการแก้ไข: {first}"),
                "the backup's audit chain does not verify",
            ));
        }
        Err(e) => {
            remove_with_sides(&staging);
            return Err(e);
        }
    };
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(side(target, suffix));
    }
    std::fs::rename(&staging, target).map_err(io)?;
    drop(lock);
    Ok(verdict)
}

/// Opens (migrating) and verifies the staged copy, then closes it.
async fn check(staging: &Path) -> Result<super::audit::Verdict, StoreError> {
    let store = Store::open(&staging.to_string_lossy()).await?;
    let verdict = super::audit::verify(&store, None).await;
    // Everything into the main file before it is renamed.
    let checkpoint = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(store.reader())
        .await;
    store.close().await;
    checkpoint?;
    verdict
}

fn side(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn remove_with_sides(path: &Path) {
    let _ = std::fs::remove_file(path);
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(side(path, suffix));
    }
}

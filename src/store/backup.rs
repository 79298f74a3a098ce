//! `saraban backup` / `restore` for SQLite. PostgreSQL uses its own tools
//! (`pg_dump -Fc` / `pg_restore`), documented in the README.

use std::path::Path;

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

/// Writes a consistent copy of the open database to `target` while it
/// stays in use (`VACUUM INTO`, SQLite's online copy). `target` must not exist.
pub async fn backup(store: &Store, target: &Path) -> Result<(), StoreError> {
    sqlite_only(store)?;
    if target.exists() {
        return Err(StoreError::rejected(
            format!("มีไฟล์ {} อยู่แล้ว", target.display()),
            format!("{} already exists", target.display()),
        ));
    }
    sqlx::query("VACUUM INTO $1")
        .bind(target.to_string_lossy().into_owned())
        .execute(store.reader())
        .await?;
    Ok(())
}

/// Replaces the SQLite database at `target` with the backup at `source`,
/// after checking that the backup opens and its audit chain verifies. Stop
/// `saraban serve` first: the file is swapped underneath.
pub async fn restore(source: &Path, target: &Path) -> Result<super::audit::Verdict, StoreError> {
    if !source.is_file() {
        return Err(StoreError::rejected(
            format!("ไม่พบไฟล์สำรอง {}", source.display()),
            format!("no backup file {}", source.display()),
        ));
    }
    let location = source.to_string_lossy().into_owned();
    let backup = Store::connect(&format!("sqlite://{location}?mode=ro"), 1).await?;
    let verdict = super::audit::verify(&backup, None).await?;
    if let Some(problem) = &verdict.problem {
        backup.close().await;
        return Err(StoreError::rejected(
            format!("ไฟล์สำรองไม่ผ่านการตรวจบันทึกการแก้ไข: {problem}"),
            "the backup's audit chain does not verify",
        ));
    }
    // Copy beside the target, then rename over it: the target is either the
    // old database or the whole backup, never half of one.
    let staging = target.with_extension("restoring");
    let _ = std::fs::remove_file(&staging);
    sqlx::query("VACUUM INTO $1")
        .bind(staging.to_string_lossy().into_owned())
        .execute(backup.reader())
        .await?;
    backup.close().await;
    let io = |e: std::io::Error| StoreError::rejected("เขียนไฟล์ไม่สำเร็จ", e.to_string());
    for suffix in ["-wal", "-shm"] {
        let mut side = target.as_os_str().to_owned();
        side.push(suffix);
        let _ = std::fs::remove_file(&side);
    }
    std::fs::rename(&staging, target).map_err(io)?;
    Ok(verdict)
}

//! What the database benchmarks share: the backends a run can reach and a
//! fresh, migrated database on each, made the same way. SQLite is always
//! there (a file in the run's folder); PostgreSQL when
//! `SARABAN_BENCH_POSTGRES` names a cluster URL whose user may create
//! databases (`.ci/pg-start` prints one): each run gets its own database,
//! dropped and made again.

#![allow(dead_code)]

use saraban::store::Store;

/// `sqlite`, and `postgres` when `SARABAN_BENCH_POSTGRES` is set (said on
/// stderr when it is not, so a SQLite-only run is never mistaken for both).
pub fn backends() -> Vec<&'static str> {
    let mut out = vec!["sqlite"];
    if std::env::var("SARABAN_BENCH_POSTGRES").is_ok() {
        out.push("postgres");
    } else {
        eprintln!("SARABAN_BENCH_POSTGRES not set: PostgreSQL figures skipped");
    }
    out
}

/// Where a fresh database called `name` lives on `backend`: a file in
/// `dir`, or a new PostgreSQL database (dropped first if it was there).
pub async fn fresh_location(backend: &str, dir: &std::path::Path, name: &str) -> String {
    if backend == "sqlite" {
        return dir
            .join(format!("{name}.db"))
            .to_string_lossy()
            .into_owned();
    }
    let admin = std::env::var("SARABAN_BENCH_POSTGRES").expect("SARABAN_BENCH_POSTGRES");
    let db = format!("saraban_bench_{name}");
    let store = Store::connect(&admin, 2).await.unwrap();
    // A database still open from an interrupted run is dropped all the same.
    sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
        .execute(store.reader())
        .await
        .unwrap();
    sqlx::raw_sql(&format!("CREATE DATABASE {db}"))
        .execute(store.reader())
        .await
        .unwrap();
    store.close().await;
    format!("{}/{db}", admin.rsplit_once('/').unwrap().0)
}

/// A fresh, migrated database with up to `connections` connections.
pub async fn fresh(backend: &str, dir: &std::path::Path, name: &str, connections: u32) -> Store {
    let location = fresh_location(backend, dir, name).await;
    let store = Store::connect(&location, connections).await.unwrap();
    store.migrate().await.unwrap();
    store
}

/// "SQLite" or "PostgreSQL", for the printed lines.
pub fn label(backend: &str) -> &'static str {
    if backend == "sqlite" {
        "SQLite"
    } else {
        "PostgreSQL"
    }
}

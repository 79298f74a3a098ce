//! Test databases: a fresh SQLite file, or a fresh database in the
//! PostgreSQL cluster named by `SARABAN_TEST_POSTGRES` (started by
//! `.ci/pg-start`). Without that variable the PostgreSQL half of each
//! registry test says SKIPPED and passes.

use std::sync::atomic::{AtomicUsize, Ordering};

use saraban::store::{Actor, Store};
use sqlx::Connection;

use crate::support::skipped;

/// A store plus whatever keeps it alive.
pub struct TestDb {
    pub store: Store,
    pub location: String,
    _dir: Option<tempfile::TempDir>,
}

impl std::ops::Deref for TestDb {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.store
    }
}

pub fn actor() -> Actor {
    Actor("test:clerk".into())
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temporary folder");
    let location = dir.path().join("saraban.db").to_string_lossy().into_owned();
    let store = Store::open(&location).await.expect("SQLite store opens");
    TestDb {
        store,
        location,
        _dir: Some(dir),
    }
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A fresh database in the test cluster, or `None` (said loudly).
pub async fn postgres() -> Option<TestDb> {
    let Ok(admin) = std::env::var("SARABAN_TEST_POSTGRES") else {
        skipped(
            "SARABAN_TEST_POSTGRES is not set: the PostgreSQL half of the registry tests did not run \
             (start a cluster with `.ci/pg-start` and export its URL)",
        );
        return None;
    };
    Some(postgres_in(&admin).await)
}

/// A fresh database in the cluster at `admin`.
pub async fn postgres_in(admin: &str) -> TestDb {
    let name = format!(
        "saraban_t{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut conn = sqlx::PgConnection::connect(admin)
        .await
        .expect("the test cluster accepts connections");
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&mut conn)
        .await
        .expect("drop old test database");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let base = admin.rsplit_once('/').map(|x| x.0).unwrap_or(admin);
    let location = format!("{base}/{name}");
    let store = Store::connect(&location, 70)
        .await
        .expect("PostgreSQL store opens");
    store.migrate().await.expect("migrations apply");
    TestDb {
        store,
        location,
        _dir: None,
    }
}

/// A SQLite store in the file at `location` (which the caller keeps).
pub async fn sqlite_at(location: &std::path::Path) -> TestDb {
    let location = location.to_string_lossy().into_owned();
    let store = Store::open(&location).await.expect("SQLite store opens");
    TestDb {
        store,
        location,
        _dir: None,
    }
}

/// Runs an async test body against SQLite and against PostgreSQL.
macro_rules! on_both {
    ($($name:ident),* $(,)?) => { $(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = crate::db::sqlite().await;
                super::$name(&db).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = crate::db::postgres().await {
                    super::$name(&db).await;
                }
            }
        }
    )* };
}
pub(crate) use on_both;

/// Runs raw SQL behind the application's back (the tamper tests).
pub async fn raw(db: &TestDb, sql: &str) -> Result<(), sqlx::Error> {
    sqlx::raw_sql(sql)
        .execute(db.store.reader())
        .await
        .map(|_| ())
}

/// A count from the database.
pub async fn count(db: &TestDb, sql: &str) -> i64 {
    use sqlx::Row;
    sqlx::query(sql)
        .fetch_one(db.store.reader())
        .await
        .expect("count query")
        .try_get(0)
        .expect("a count")
}

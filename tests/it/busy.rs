//! Backpressure, not hangs: when every connection is taken, or a statement
//! waits past its timeout behind another session's lock, a request is
//! answered 503 with Thai and English text and `Retry-After`, nothing is
//! half-stored, and the service serves again once the database is free.
//! And a transaction that loses a serialisation conflict runs again:
//! numbering and dispatch at SERIALIZABLE on PostgreSQL, many at once,
//! all succeed and the numbers stay gap-free.

use std::time::Duration;

use axum::http::{Method, StatusCode};
use saraban::store::{Limits, Store};
use saraban::web::{self, AppState};
use serde_json::{Value, json};

use crate::db::{TestDb, count, on_both};
use crate::web::{call, fixture, letter};

on_both!(a_full_pool_answers_busy_and_recovers);

/// A router over `db` whose connections wait at most `wait`, with
/// PostgreSQL statements cut at `statement`.
pub(crate) async fn limited(
    db: &TestDb,
    connections: u32,
    wait_ms: u64,
    statement_ms: u64,
) -> (Store, axum::Router) {
    let store = Store::connect_limited(
        &db.location,
        Limits {
            connections,
            wait: Duration::from_millis(wait_ms),
            statement_timeout: Duration::from_millis(statement_ms),
        },
    )
    .await
    .unwrap();
    let state = AppState::new(saraban::app::App::new(store.clone(), &[])).unwrap();
    (store, web::router(state))
}

fn says_busy(status: StatusCode, body: &Value) {
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"]["code"], "database_busy", "{body}");
    assert!(
        body["error"]["message_th"]
            .as_str()
            .unwrap()
            .contains("ลองใหม่")
    );
    assert!(
        body["error"]["message_en"]
            .as_str()
            .unwrap()
            .contains("try again")
    );
}

async fn a_full_pool_answers_busy_and_recovers(db: &TestDb) {
    let f = fixture(db).await;
    let token = f.tokens["dla.drafter"].clone();
    let (store, router) = limited(db, 2, 150, 30_000).await;
    let draft = || json!({ "document": letter("ร่างระหว่างฐานข้อมูลไม่ว่าง", None) });
    let before = count(db, "SELECT COUNT(*) FROM documents").await;
    // Another writer holds the database's writing connection(s): on
    // SQLite the single writer, on PostgreSQL the whole pool.
    let mut held = vec![store.begin_write().await.unwrap()];
    if store.backend() == saraban::store::Backend::Postgres {
        held.push(store.begin_write().await.unwrap());
    }
    let (s, body) = call(
        &router,
        Method::POST,
        "/api/v1/documents",
        Some(&token),
        Some(draft()),
    )
    .await;
    says_busy(s, &body);
    let (s, body) = call(
        &router,
        Method::POST,
        "/api/v1/documents",
        Some(&token),
        Some(draft()),
    )
    .await;
    says_busy(s, &body);
    assert_eq!(count(db, "SELECT COUNT(*) FROM documents").await, before);
    drop(held);
    // Free again: the same request goes through.
    let (s, body) = call(
        &router,
        Method::POST,
        "/api/v1/documents",
        Some(&token),
        Some(draft()),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM documents").await,
        before + 1
    );
    let (s, _) = call(
        &router,
        Method::GET,
        "/api/v1/documents",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
}

/// Every PostgreSQL connection runs without JIT and with the statement
/// timeout: the settings `Store` gives each connection it opens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_connections_have_no_jit_and_a_timeout() {
    let Some(db) = crate::db::postgres().await else {
        return;
    };
    let (store, _router) = limited(&db, 4, 5_000, 1_234).await;
    let mut conn = store.reader().acquire().await.unwrap();
    let jit: String = sqlx::query_scalar("SELECT current_setting('jit')")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    let timeout: String = sqlx::query_scalar("SELECT current_setting('statement_timeout')")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!((jit.as_str(), timeout.as_str()), ("off", "1234ms"));
}

/// PostgreSQL: a statement queued behind another session's lock ends at
/// the statement timeout with 503, and the same request passes once the
/// lock is gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_stuck_behind_a_lock_answers_busy() {
    let Some(db) = crate::db::postgres().await else {
        return;
    };
    let f = fixture(&db).await;
    let token = f.tokens["dla.clerk"].clone();
    let (_store, router) = limited(&db, 8, 5_000, 300).await;
    let locker = sqlx::PgPool::connect(&db.location).await.unwrap();
    let mut lock = locker.begin().await.unwrap();
    sqlx::query("LOCK TABLE documents IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *lock)
        .await
        .unwrap();
    let (s, body) = call(
        &router,
        Method::GET,
        "/api/v1/documents",
        Some(&token),
        None,
    )
    .await;
    says_busy(s, &body);
    lock.commit().await.unwrap();
    let (s, body) = call(
        &router,
        Method::GET,
        "/api/v1/documents",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
}

/// PostgreSQL at SERIALIZABLE (as a distributed engine runs): sixteen
/// drafts numbered at once in one series collide on its counter; each
/// collision is run again, so every one is numbered, gap-free, and each
/// is then sent, also at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serialization_failures_are_retried() {
    let Some(db) = crate::db::postgres().await else {
        return;
    };
    let f = fixture(&db).await;
    let name = db.location.rsplit('/').next().unwrap().to_string();
    sqlx::query(&format!(
        "ALTER DATABASE {name} SET default_transaction_isolation = 'serializable'"
    ))
    .execute(db.store.reader())
    .await
    .unwrap();
    // New connections start SERIALIZABLE.
    let (store, router) = limited(&db, 20, 10_000, 30_000).await;
    let level: String = sqlx::query_scalar("SHOW default_transaction_isolation")
        .fetch_one(store.reader())
        .await
        .unwrap();
    assert_eq!(level, "serializable");
    let clerk = f.tokens["dla.clerk"].clone();
    let mut ids = Vec::new();
    for i in 0..16 {
        let (s, made) = call(
            &router,
            Method::POST,
            "/api/v1/documents",
            Some(&clerk),
            Some(json!({ "document": letter(&format!("หนังสือพร้อมกันฉบับที่ {i}"), None) })),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{made}");
        ids.push(made["id"].as_i64().unwrap());
    }
    let at_once = |path: &'static str, body: Value| {
        let router = router.clone();
        let clerk = clerk.clone();
        let ids = ids.clone();
        async move {
            let tasks: Vec<_> = ids
                .iter()
                .map(|id| {
                    let (router, clerk, body) = (router.clone(), clerk.clone(), body.clone());
                    let uri = format!("/api/v1/documents/{id}/{path}");
                    tokio::spawn(async move {
                        call(&router, Method::POST, &uri, Some(&clerk), Some(body)).await
                    })
                })
                .collect();
            let mut out = Vec::new();
            for t in tasks {
                out.push(t.await.unwrap());
            }
            out
        }
    };
    let numbered = at_once("number", json!({ "series": "circular" })).await;
    let mut seqs = Vec::new();
    for (s, body) in &numbered {
        assert_eq!(*s, StatusCode::OK, "{body}");
        let n = body["document"]["number"].as_str().unwrap();
        seqs.push(n.rsplit(' ').next().unwrap().parse::<i64>().unwrap());
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=16).collect::<Vec<_>>());
    let before = count(&db, "SELECT COUNT(*) FROM deliveries").await;
    for (s, body) in at_once("dispatch", json!({ "to": "พล 0023" })).await {
        assert_eq!(s, StatusCode::CREATED, "{body}");
    }
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM deliveries").await,
        before + 16,
        "one delivery per letter"
    );
    // The audit chain holds together after the retried transactions.
    let verdict = saraban::store::audit::verify(&db, None).await.unwrap();
    assert!(verdict.is_clean(), "{verdict:?}");
}

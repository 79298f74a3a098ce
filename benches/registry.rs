//! Registry throughput: numbers issued per second with 1, 8 and 64
//! concurrent writers on SQLite (and PostgreSQL when
//! `SARABAN_BENCH_POSTGRES` names a cluster), each run checked to end with
//! exactly 1..N; then a large store on each (`SARABAN_BENCH_DOCS`, default
//! 1,000,000 documents): insert rate, database size, and the time to read
//! one register page and one office's newest documents.
//!
//! `cargo bench --bench registry`. Figures go in docs/benchmarks.md.

use std::time::Instant;

use chrono::{TimeZone, Utc};
use saraban::store::numbering::{self, Entry, Series};
use saraban::store::registers::{self, RegisterKind};
use saraban::store::{Actor, Store, demo, documents, offices};

#[path = "common/mod.rs"]
mod common;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    xs[xs.len() / 2]
}

async fn fresh(backend: &str, dir: &std::path::Path, n: usize) -> Store {
    let store = common::fresh(backend, dir, &format!("numbers_{n}"), 70).await;
    demo::load(&store, &Actor("bench".into())).await.unwrap();
    store
}

async fn issue_rate(store: &Store, writers: usize, per_writer: usize) -> f64 {
    let office = offices::find(store, "มท 0810.7").await.unwrap();
    let at = Utc.with_ymd_and_hms(2024, 5, 21, 3, 0, 0).unwrap();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..writers {
        let store = store.clone();
        let office = office.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..per_writer {
                let entry = Entry {
                    subject: format!("หนังสือเวียน {w}/{i}"),
                    to: "ผู้ว่าราชการจังหวัด ทุกจังหวัด".into(),
                    ..Entry::default()
                };
                numbering::issue(
                    &store,
                    &Actor("bench".into()),
                    at,
                    &office,
                    Series::Circular,
                    &entry,
                )
                .await
                .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    let n = (writers * per_writer) as i64;
    let seqs = numbering::sequence(store, office.id, Series::Circular, 2567)
        .await
        .unwrap();
    assert_eq!(
        seqs,
        (1..=n).collect::<Vec<_>>(),
        "exactly 1..N, no gap, no duplicate"
    );
    n as f64 / secs
}

fn letter(i: usize) -> saraban::model::Document {
    let text = include_str!("../examples/letter.json");
    let mut doc = saraban::model::Document::from_json(text).unwrap();
    if let saraban::model::Part::Letter(l) = &mut doc.main {
        l.number = None;
        l.subject = format!("{} ฉบับที่ {i}", l.subject);
    }
    doc
}

/// The database's size on disk: the SQLite file and its WAL, or what
/// PostgreSQL says of the current database.
async fn db_size(store: &Store, dir: &std::path::Path) -> u64 {
    if store.backend() == saraban::store::Backend::Postgres {
        let row = sqlx::query("SELECT pg_database_size(current_database())")
            .fetch_one(store.reader())
            .await
            .unwrap();
        return sqlx::Row::get::<i64, _>(&row, 0) as u64;
    }
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("big.db"))
        .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
        .sum()
}

async fn large_store(backend: &str, dir: &std::path::Path, total: usize) {
    let store = common::fresh(backend, dir, "big", 16).await;
    let actor = Actor("bench".into());
    demo::load(&store, &actor).await.unwrap();
    let all = offices::list(&store, None).await.unwrap();
    let template: Vec<_> = (0..1000).map(letter).collect();
    let start = Instant::now();
    let mut done = 0usize;
    let mut i = 0usize;
    while done < total {
        let office = &all[i % all.len()];
        let n = (total - done).min(1000);
        documents::create_drafts(&store, &actor, office, &template[..n])
            .await
            .unwrap();
        done += n;
        i += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{}: documents: {total} stored in {secs:.1} s = {:.0}/s; database {:.0} MiB",
        common::label(backend),
        total as f64 / secs,
        db_size(&store, dir).await as f64 / 1024.0 / 1024.0
    );
    // A register with 20,000 rows for one office, then page reads.
    let office = offices::find(&store, "พล 0023.3").await.unwrap();
    let at = Utc.with_ymd_and_hms(2021, 2, 24, 2, 30, 0).unwrap();
    let r = numbering::reserve(
        &store,
        &actor,
        at,
        &office,
        Series::Normal,
        20_000,
        "ทะเบียน",
    )
    .await
    .unwrap();
    let fill: Vec<Entry> = (0..20_000)
        .map(|i| Entry {
            subject: format!("เรื่องที่ {i}"),
            ..Entry::default()
        })
        .collect();
    numbering::fill_reservation(&store, &actor, at, &r.batch, &fill)
        .await
        .unwrap();
    let mut page = Vec::new();
    let mut newest = Vec::new();
    for k in 0..21 {
        let t = Instant::now();
        let rows = registers::rows(
            &store,
            office.id,
            2564,
            RegisterKind::Send,
            Some((k * 900, 50)),
        )
        .await
        .unwrap();
        page.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(rows.len(), 50);
        let t = Instant::now();
        // Offices were filled a thousand documents each, in order: only
        // the first `filled` have any (fewer than 21 below 21,000 docs).
        let filled = total.div_ceil(1000).clamp(1, all.len());
        let docs = documents::list(&store, all[k as usize % filled].id, 50)
            .await
            .unwrap();
        newest.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(!docs.is_empty());
    }
    println!(
        "{}: register page (50 of 20,000 rows): median {:.2} ms; one office's newest 50 documents: median {:.2} ms",
        common::label(backend),
        median(page),
        median(newest)
    );
    store.close().await;
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let backends = common::backends();
    let mut run = 0usize;
    // SARABAN_BENCH_ONLY=documents skips the numbering runs.
    let numbering = std::env::var("SARABAN_BENCH_ONLY")
        .map(|v| v != "documents")
        .unwrap_or(true);
    runtime.block_on(async {
        for backend in backends.iter().filter(|_| numbering) {
            for writers in [1usize, 8, 64] {
                let per_writer = 6_400 / writers;
                let mut rates = Vec::new();
                for _ in 0..3 {
                    run += 1;
                    let store = fresh(backend, dir.path(), run).await;
                    rates.push(issue_rate(&store, writers, per_writer).await);
                    store.close().await;
                }
                println!(
                    "{backend}: {writers:>2} writers × {per_writer} numbers: median {:.0} numbers/s (runs: {:?})",
                    median(rates.clone()),
                    rates.iter().map(|r| r.round()).collect::<Vec<_>>()
                );
            }
        }
        let total = std::env::var("SARABAN_BENCH_DOCS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1_000_000);
        for backend in &backends {
            large_store(backend, dir.path(), total).await;
        }
    });
}

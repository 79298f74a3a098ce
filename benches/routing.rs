//! Circulars down the chain (`cargo bench --bench routing`), on SQLite (and
//! PostgreSQL when `SARABAN_BENCH_POSTGRES` names a cluster) with the
//! synthetic national hierarchy (76 provinces, 878 districts, 7,852
//! local organisations):
//! 1. fan-out: the DLA sends one circular to every provincial office; each
//!    receives it and forwards it (cover letter drafted, numbered, sent) to
//!    its districts and อบจ.; each district receives and forwards to its
//!    local organisations. Every step is its own transaction, as when each
//!    office acts on its own.
//! 2. tracking: the roll-up of one cascade among `SARABAN_BENCH_CASCADES`
//!    (default 1,000) cascades of the same size, the others copied in bulk.
//! 3. mail-merge: the circular sent straight to all 7,852 local
//!    organisations and rendered as a personal letter with its own QR link
//!    each, on 2 threads (`SARABAN_BENCH_MERGE`, default 7,852).
//!
//! Figures go in docs/benchmarks.md.

use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use saraban::model::Document;
use saraban::store::numbering::Series;
use saraban::store::offices::{self, OfficeKind};
use saraban::store::routing::{self, DeliveryState};
use saraban::store::{Actor, Store, demo, documents, personalise, synth, tracking};

#[path = "common/mod.rs"]
mod common;

fn rss_mib() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    xs[xs.len() / 2]
}

async fn country(backend: &str, dir: &std::path::Path, name: &str) -> Store {
    let store = common::fresh(backend, dir, name, 16).await;
    let actor = Actor("bench".into());
    demo::load(&store, &actor).await.unwrap();
    offices::import_rows(&store, &actor, &synth::national())
        .await
        .unwrap();
    // The import creates district offices without letter codes: give each
    // one (`<province> 7nnn`) so that it can number what it forwards.
    let all = offices::list(&store, None).await.unwrap();
    let codes = saraban::codes::PROVINCES;
    for (i, o) in all
        .iter()
        .filter(|o| o.fields.kind == OfficeKind::DistrictOffice && o.fields.unit.is_empty())
        .enumerate()
    {
        let p = codes
            .iter()
            .find(|p| p.name == o.fields.province)
            .map_or("กท", |p| p.code);
        offices::set_code(&store, &actor, o.id, &format!("{p} 7{i:03}"))
            .await
            .unwrap();
    }
    store
}

async fn circular(store: &Store) -> (offices::Office, i64) {
    let dla = offices::find(store, "มท 0810.7").await.unwrap();
    let json = include_str!("../examples/seed-000.json");
    let doc = Document::from_json(json).unwrap();
    let actor = Actor("bench".into());
    let draft = documents::create_draft(store, &actor, &dla, &doc)
        .await
        .unwrap();
    let (numbered, _) = documents::number(
        store,
        &actor,
        Utc::now(),
        draft.id,
        Some(Series::Circular),
        "ทุกจังหวัด",
        None,
    )
    .await
    .unwrap();
    (dla, numbered.id)
}

async fn fan_out(store: &Store) -> (i64, f64) {
    let (dla, doc) = circular(store).await;
    let actor = Actor("bench".into());
    let at = Utc.with_ymd_and_hms(2024, 5, 21, 3, 0, 0).unwrap();
    let start = Instant::now();
    let provinces = routing::recipients(store, &dla, "provinces").await.unwrap();
    let first = routing::dispatch(store, &actor, at, &dla, doc, &provinces, None)
        .await
        .unwrap();
    let mut level = first;
    let (mut t_receive, mut t_forward) = (0.0, 0.0);
    for depth in 0..2 {
        let mut next = Vec::new();
        for d in &level {
            let office = offices::get(store, d.to_office).await.unwrap();
            if office.fields.kind.is_local() {
                continue;
            }
            let later = at + Duration::minutes(30 * (depth + 1));
            // The demo's own districts of Phitsanulok have (almost) no
            // organisations under them: those just acknowledge.
            if routing::recipients(store, &office, "next").await.is_err() {
                routing::acknowledge(store, &actor, later, &office, d.id)
                    .await
                    .unwrap();
                continue;
            }
            let t = Instant::now();
            routing::receive(store, &actor, later, &office, d.id)
                .await
                .unwrap();
            t_receive += t.elapsed().as_secs_f64();
            let t = Instant::now();
            let f = routing::forward(store, &actor, later, &office, d.id, None)
                .await
                .unwrap();
            t_forward += t.elapsed().as_secs_f64();
            next.extend(f.deliveries);
        }
        level = next;
    }
    println!("  fan-out: receiving took {t_receive:.2} s in all, forwarding {t_forward:.2} s");
    (doc, start.elapsed().as_secs_f64())
}

/// The same fan-out relayed (`routing::relay_down`, as `saraban dispatch
/// --relay` does): each level's receipts, cover letters, numbers and
/// deliveries written together, one transaction per level.
async fn fan_out_relayed(store: &Store) -> (i64, f64) {
    let (dla, doc) = circular(store).await;
    let actor = Actor("bench".into());
    let at = Utc.with_ymd_and_hms(2024, 5, 21, 3, 0, 0).unwrap();
    let start = Instant::now();
    let provinces = routing::recipients(store, &dla, "provinces").await.unwrap();
    let first = routing::dispatch(store, &actor, at, &dla, doc, &provinces, None)
        .await
        .unwrap();
    routing::relay_down(store, &actor, at, &first)
        .await
        .unwrap();
    (doc, start.elapsed().as_secs_f64())
}

async fn copy_cascades(store: &Store, root: i64, copies: usize) {
    // Bulk copies of the first cascade, each under a copy of its letter
    // (all of a copy's rows point at that copy: only the volume matters).
    for i in 0..copies {
        let mut tx = store.begin_write().await.unwrap();
        let row = sqlx::query(
            "INSERT INTO documents (office_id, kind, state, number, date, subject, issuer, content, created_at, updated_at) \
             SELECT office_id, kind, state, number || '-' || $2, date, subject, issuer, content, created_at, updated_at \
             FROM documents WHERE id = $1 RETURNING id",
        )
        .bind(root)
        .bind(i.to_string())
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        let new_root: i64 = sqlx::Row::get(&row, 0);
        sqlx::query(
            "INSERT INTO deliveries (document_id, root_id, parent_id, level, from_office, to_office, state, \
             deadline, sent_at, sent_by, received_at, received_by, acted_at, acted_by) \
             SELECT $2, $2, NULL, level, from_office, to_office, state, deadline, sent_at, sent_by, \
             received_at, received_by, acted_at, acted_by FROM deliveries WHERE root_id = $1",
        )
        .bind(root)
        .bind(new_root)
        .execute(&mut *tx)
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
}

async fn main_async() {
    for backend in common::backends() {
        on(backend).await;
    }
}

async fn on(backend: &str) {
    let db = common::label(backend);
    let dir = tempfile::tempdir().unwrap();
    let store = country(backend, dir.path(), "routing").await;
    let (root, secs) = fan_out(&store).await;
    let today = chrono::NaiveDate::from_ymd_opt(2024, 5, 23).unwrap();
    let t = tracking::track(&store, root, today).await.unwrap();
    let total: usize = t.levels.iter().map(|l| l.sent).sum();
    let forwarded: usize = t.levels.iter().map(|l| l.forwarded).sum();
    println!(
        "{db}: fan-out: {total} deliveries ({}), {forwarded} forwards, in {secs:.2} s",
        t.levels
            .iter()
            .map(|l| format!("{} {}", l.label, l.sent))
            .collect::<Vec<_>>()
            .join(" / ")
    );
    let (relayed, secs) = fan_out_relayed(&store).await;
    let t2 = tracking::track(&store, relayed, today).await.unwrap();
    println!(
        "{db}: fan-out relayed (dispatch --relay, one transaction per level): {} deliveries in {secs:.2} s",
        t2.levels.iter().map(|l| l.sent).sum::<usize>()
    );
    let cascades: usize = std::env::var("SARABAN_BENCH_CASCADES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let start = Instant::now();
    copy_cascades(&store, root, cascades.saturating_sub(1)).await;
    let rows: i64 = sqlx::Row::get(
        &sqlx::query("SELECT COUNT(*) FROM deliveries")
            .fetch_one(store.reader())
            .await
            .unwrap(),
        0,
    );
    println!(
        "{db}: tracking: {cascades} cascades, {rows} deliveries (copied in {:.0} s)",
        start.elapsed().as_secs_f64()
    );
    let mut ms = Vec::new();
    for _ in 0..15 {
        let t0 = Instant::now();
        let t = tracking::track(&store, root, today).await.unwrap();
        assert_eq!(t.levels.iter().map(|l| l.sent).sum::<usize>(), total);
        ms.push(t0.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "{db}: tracking: roll-up and tree of one cascade: median {:.1} ms",
        median(ms)
    );
    store.close().await;

    // Mail-merge into a fresh country.
    let merge: usize = std::env::var("SARABAN_BENCH_MERGE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7_852);
    let store = country(backend, dir.path(), "merge").await;
    let (dla, doc) = circular(&store).await;
    let actor = Actor("bench".into());
    let all = offices::list(&store, None).await.unwrap();
    let laos: Vec<_> = all
        .into_iter()
        .filter(|o| o.fields.kind.is_local() && o.fields.org_code.is_some())
        .take(merge)
        .collect();
    routing::dispatch(&store, &actor, Utc::now(), &dla, doc, &laos, None)
        .await
        .unwrap();
    let renderer = saraban::render::Renderer::new(&[]).unwrap();
    let (rss0, _) = rss_mib();
    let samples = std::sync::Mutex::new(Vec::new());
    let start = Instant::now();
    let progress = |done: usize, _total: usize| {
        if done % 1024 < 128 {
            let (now, peak) = rss_mib();
            samples
                .lock()
                .unwrap()
                .push((done, start.elapsed().as_secs_f64(), now, peak));
        }
    };
    let made = personalise::personalise(
        &store,
        &actor,
        Utc::now(),
        &dla,
        doc,
        "https://forms.example.go.th/r/{token}",
        &renderer,
        &saraban::render::RenderOptions::default(),
        None,
        &progress,
    )
    .await
    .unwrap();
    let secs = start.elapsed().as_secs_f64();
    for (n, t, now, peak) in samples.into_inner().unwrap() {
        println!("  after {n:>5} letters: {t:>6.1} s, RSS {now:>5.0} MiB (peak {peak:.0})");
    }
    let (_, peak) = rss_mib();
    println!(
        "{db}: mail-merge: {made} personal letters with QR in {secs:.1} s ({:.0}/s); RSS before {rss0:.0} MiB, peak {peak:.0} MiB",
        made as f64 / secs
    );
    let check = routing::find_for(
        &store,
        &laos[0],
        &saraban::docnum::DocNumber::parse(
            &documents::get(&store, doc).await.unwrap().number.unwrap(),
        )
        .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(check[0].state, DeliveryState::Sent);
    store.close().await;
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(main_async());
}

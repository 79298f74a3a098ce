//! Search over a large store: `SARABAN_BENCH_DOCS` documents (default
//! 1,000,000) spread over the demo's offices, stored through the real path
//! (drafts in batches, each indexed in its transaction), then queries as a
//! provincial clerk: common and rare Thai words typed without spaces, a
//! number in Thai digits, several words, and filters by urgency and B.E.
//! dates. Reports p50 and p95 per query and overall.
//!
//! The SQLite database is kept in `target/bench-search-<N>.db` and reused.
//! On PostgreSQL the same is built in `SARABAN_BENCH_DATABASE` (a
//! `postgres://…` URL), or in `saraban_bench_search_<N>` on the cluster
//! `SARABAN_BENCH_POSTGRES` names (made once, then reused).
//! `cargo bench --bench search`. Figures go in docs/benchmarks.md.

use std::time::Instant;

use chrono::NaiveDate;
use saraban::model::{Document, Part};
use saraban::store::accounts::{self, NewUser, Role};
use saraban::store::search::{self, Query};
use saraban::store::{Actor, Store, demo, documents, offices};

#[path = "common/mod.rs"]
mod common;

const TOPICS: [&str; 12] = [
    "การประชุมชี้แจงระบบการประเมินประสิทธิภาพขององค์กรปกครองส่วนท้องถิ่น",
    "การรายงานผลการเบิกจ่ายงบประมาณรายจ่ายประจำปี",
    "การจัดทำแผนพัฒนาท้องถิ่น",
    "ขอความร่วมมือประชาสัมพันธ์โครงการ",
    "การฝึกอบรมหลักสูตรการบริหารงานบุคคล",
    "การเตรียมความพร้อมป้องกันและบรรเทาสาธารณภัย",
    "แนวทางการดำเนินงานศูนย์พัฒนาเด็กเล็ก",
    "การสำรวจข้อมูลผู้สูงอายุและผู้พิการ",
    "การจัดเก็บภาษีที่ดินและสิ่งปลูกสร้าง",
    "ซักซ้อมแนวทางการจัดซื้อจัดจ้าง",
    "การตรวจติดตามการใช้จ่ายเงินอุดหนุน",
    "คลินิกให้คำปรึกษาด้านกฎหมายท้องถิ่น",
];

fn pseudo(i: usize, salt: usize) -> usize {
    // A cheap, repeatable scramble (no RNG dependency).
    let mut x = (i as u64)
        .wrapping_mul(6364136223846793005)
        .wrapping_add(salt as u64 * 1442695040888963407);
    x ^= x >> 33;
    x as usize
}

fn make_doc(base: &Document, i: usize) -> Document {
    let mut doc = base.clone();
    let topic = TOPICS[pseudo(i, 1) % TOPICS.len()];
    let day = NaiveDate::from_ymd_opt(2019, 1, 1).unwrap()
        + chrono::Days::new((pseudo(i, 2) % 2400) as u64);
    if let Part::Letter(l) = &mut doc.main {
        l.subject = format!("{topic} ครั้งที่ {}", pseudo(i, 3) % 97 + 1);
        l.date = day;
        l.number = None;
        l.secrecy = None;
        l.urgency = match pseudo(i, 4) % 10 {
            0 => Some(saraban::model::Urgency::MostUrgent),
            1 | 2 => Some(saraban::model::Urgency::Urgent),
            _ => None,
        };
        l.body = vec![format!(
            "ด้วยหน่วยงานได้รับแจ้งเรื่อง{topic} เลขอ้างอิง {} จึงขอให้ดำเนินการตามแนวทางที่กำหนด",
            pseudo(i, 5) % 1_000_000
        )];
        l.references.clear();
        l.enclosures.clear();
    }
    doc.annexes.clear();
    doc
}

async fn build(path: &str, n: usize) -> Store {
    let store = Store::connect(path, 8).await.unwrap();
    store.migrate().await.unwrap();
    let actor = Actor("bench".into());
    demo::load(&store, &actor).await.unwrap();
    let have: i64 = sqlx::Row::try_get(
        &sqlx::query("SELECT COUNT(*) FROM documents")
            .fetch_one(store.reader())
            .await
            .unwrap(),
        0,
    )
    .unwrap();
    if have as usize >= n {
        return store;
    }
    let all = offices::list(&store, None).await.unwrap();
    let base = Document::from_json(include_str!("../examples/letter.json")).unwrap();
    let start = Instant::now();
    let batch = 1_000;
    let mut i = have as usize;
    while i < n {
        let office = &all[(i / batch) % all.len()];
        let docs: Vec<Document> = (i..(i + batch).min(n))
            .map(|k| make_doc(&base, k))
            .collect();
        documents::create_drafts(&store, &actor, office, &docs)
            .await
            .unwrap();
        i += docs.len();
        if i.is_multiple_of(100_000) {
            eprintln!(
                "  {i} documents, {:.0}/s",
                (i - have as usize) as f64 / start.elapsed().as_secs_f64()
            );
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "stored {} documents in {secs:.0} s ({:.0}/s), indexed in the same transactions",
        n - have as usize,
        (n - have as usize) as f64 / secs
    );
    store
}

fn pct(mut xs: Vec<f64>, p: f64) -> f64 {
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    xs[((xs.len() as f64 - 1.0) * p).round() as usize]
}

/// The PostgreSQL database to search, if the run has one: made (not
/// emptied) when it is not there yet.
async fn postgres_location(n: usize) -> Option<String> {
    if let Ok(url) = std::env::var("SARABAN_BENCH_DATABASE") {
        return Some(url);
    }
    let admin = std::env::var("SARABAN_BENCH_POSTGRES").ok()?;
    let name = format!("saraban_bench_search_{n}");
    let store = Store::connect(&admin, 2).await.unwrap();
    let exists = sqlx::query("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(&name)
        .fetch_optional(store.reader())
        .await
        .unwrap()
        .is_some();
    if !exists {
        sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
            .execute(store.reader())
            .await
            .unwrap();
    }
    store.close().await;
    Some(format!("{}/{name}", admin.rsplit_once('/').unwrap().0))
}

fn main() {
    let n: usize = std::env::var("SARABAN_BENCH_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let path = format!("{}/target/bench-search-{n}.db", env!("CARGO_MANIFEST_DIR"));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut locations = vec![path];
        match postgres_location(n).await {
            Some(url) => locations.push(url),
            None => eprintln!(
                "neither SARABAN_BENCH_DATABASE nor SARABAN_BENCH_POSTGRES is set: PostgreSQL figures skipped"
            ),
        }
        for location in locations {
            search_in(&location, n).await;
        }
    });
}

async fn search_in(location: &str, n: usize) {
    {
        let store = build(location, n).await;
        let office = offices::find(&store, "พล 0023").await.unwrap();
        let user = match accounts::find(&store, "bench.clerk").await.unwrap() {
            Some(u) => u,
            None => accounts::add(
                &store,
                &Actor("bench".into()),
                &office,
                &NewUser {
                    username: "bench.clerk",
                    display_name: "bench",
                    role: Role::Clerk,
                    password: "bench-password",
                    must_change: false,
                },
            )
            .await
            .unwrap(),
        };
        let text = |t: &str| Query {
            text: Some(t.into()),
            limit: 50,
            ..Query::default()
        };
        let queries: Vec<(&str, Query)> = vec![
            ("common word: ประชุม", text("ประชุม")),
            (
                "phrase without spaces: งบประมาณรายจ่ายประจำปี",
                text("งบประมาณรายจ่ายประจำปี"),
            ),
            ("rare word: คลินิกให้คำปรึกษา", text("คลินิกให้คำปรึกษา")),
            ("Thai digits: ครั้งที่ ๙๗", text("ครั้งที่ ๙๗")),
            (
                "number not present: มท ๐๘๑๐.๗/ว ๙๙๙๙",
                text("มท ๐๘๑๐.๗/ว ๙๙๙๙"),
            ),
            ("two letters: ภา", text("ภา")),
            (
                "urgency + B.E. month",
                Query {
                    urgency: Some(saraban::model::Urgency::MostUrgent),
                    from: NaiveDate::from_ymd_opt(2024, 5, 1),
                    to: NaiveDate::from_ymd_opt(2024, 5, 31),
                    limit: 50,
                    ..Query::default()
                },
            ),
            (
                "word + date range",
                Query {
                    text: Some("ภาษีที่ดิน".into()),
                    from: NaiveDate::from_ymd_opt(2023, 1, 1),
                    to: NaiveDate::from_ymd_opt(2023, 12, 31),
                    limit: 50,
                    ..Query::default()
                },
            ),
        ];
        let db = if store.backend() == saraban::store::Backend::Postgres {
            "PostgreSQL"
        } else {
            "SQLite"
        };
        println!("{db}: search as a provincial clerk over {n} documents (p50 / p95 of 30 runs):");
        let mut all = Vec::new();
        for (name, q) in &queries {
            let mut times = Vec::new();
            let mut hits = 0;
            for _ in 0..30 {
                let t = Instant::now();
                hits = search::search(&store, &user.viewer(), q)
                    .await
                    .unwrap()
                    .len();
                times.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            all.extend(times.iter().copied());
            println!(
                "  {name:<55} {:>7.1} / {:>7.1} ms  ({hits} hits)",
                pct(times.clone(), 0.5),
                pct(times, 0.95)
            );
        }
        println!("  {db}: overall p95: {:.1} ms", pct(all, 0.95));
        store.close().await;
    }
}

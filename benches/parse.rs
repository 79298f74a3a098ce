//! Reading letters: letters parsed per second over the seeds and fixture
//! letters (those before issue 21, and all); then the import of `SARABAN_BENCH_LETTERS` (default 100,000)
//! generated letters, each citing the two before it, into a fresh SQLite
//! file (and a fresh PostgreSQL database when `SARABAN_BENCH_POSTGRES` names
//! a cluster): import rate, database size, and the time to follow one
//! letter's references and its whole thread.
//!
//! `cargo bench --bench parse`. Figures go in docs/benchmarks.md.

use std::time::Instant;

use chrono::Utc;
use saraban::docnum::DocNumber;
use saraban::parse::{ParsedLetter, parse_text};
use saraban::store::Actor;
use saraban::store::graph;
use saraban::store::imports::{self, Source};

#[path = "common/mod.rs"]
mod common;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    xs[xs.len() / 2]
}

/// The seeds and fixture letters that are UTF-8 text, with their names.
fn corpus() -> Vec<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut out = Vec::new();
    for dir in ["seeds", "letters"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for e in entries.filter_map(Result::ok) {
            if e.path().extension().is_some_and(|x| x == "txt")
                && let Ok(text) = std::fs::read_to_string(e.path())
            {
                out.push((e.file_name().to_string_lossy().to_string(), text));
            }
        }
    }
    out.sort();
    out
}

/// The corpus as it was before issue 21: the seeds and fixtures 01–34
/// (so that rates before and after compare the same texts).
fn before_issue_21(name: &str) -> bool {
    name.get(..2)
        .and_then(|n| n.parse::<u32>().ok())
        .is_none_or(|n| n <= 34)
}

fn parse_rate(label: &str, corpus: &[&str]) {
    let bytes: usize = corpus.iter().map(|t| t.len()).sum();
    let mut rates = Vec::new();
    for _ in 0..15 {
        let start = Instant::now();
        let mut n = 0;
        while start.elapsed().as_secs_f64() < 0.2 {
            for text in corpus {
                let _ = std::hint::black_box(parse_text(text));
                n += 1;
            }
        }
        rates.push(n as f64 / start.elapsed().as_secs_f64());
    }
    let rate = median(rates);
    println!(
        "parse, {label}: {} letters ({} KiB): median {:.0} letters/s, {:.1} MiB/s",
        corpus.len(),
        bytes / 1024,
        rate,
        rate * bytes as f64 / corpus.len() as f64 / 1_048_576.0
    );
}

/// Letter `i`: numbered พล 0023.3/(i+1) in 2567, citing the two before it.
fn letter(i: usize) -> String {
    let day = |k: usize| {
        format!(
            "{} {} 2567",
            k % 28 + 1,
            ["มกราคม", "กุมภาพันธ์", "มีนาคม"][k % 3]
        )
    };
    let mut cites = String::new();
    for back in [1, 2] {
        if i >= back {
            let j = i - back;
            cites.push_str(&format!(
                "ตามหนังสือจังหวัดพิษณุโลก ที่ พล 0023.3/{} ลงวันที่ {} ",
                j + 1,
                day(j)
            ));
        }
    }
    format!(
        "ด่วน\nที่ พล 0023.3/{}\n\nศาลากลางจังหวัดพิษณุโลก\nถนนวังจันทร์ พล 65000\n\n{}\n\n\
         เรื่อง การรายงานผลการดำเนินงาน ครั้งที่ {i}\n\nเรียน นายอำเภอเนินมะปราง\n\n\
         {cites}นั้น\n\nจึงขอให้อำเภอรายงานผลภายในวันที่ 30 มีนาคม 2567\n\n\
         ขอแสดงความนับถือ\n\n(นายปรีชา แดงแสงทอง)\nผู้ว่าราชการจังหวัดพิษณุโลก\n",
        i + 1,
        day(i)
    )
}

async fn import_bench(backend: &str, n: usize) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("import.db");
    let store = common::fresh(backend, dir.path(), "import", 16).await;
    let actor = Actor("bench".into());
    let start = Instant::now();
    let texts: Vec<String> = (0..n).map(letter).collect();
    let parsed: Vec<ParsedLetter> = texts.iter().map(|t| parse_text(t).unwrap()).collect();
    let parse_s = start.elapsed().as_secs_f64();
    let names: Vec<String> = (0..n).map(|i| format!("letter-{i}.txt")).collect();
    let start = Instant::now();
    for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
        let sources: Vec<Source> = chunk
            .iter()
            .map(|&i| Source {
                name: &names[i],
                bytes: texts[i].as_bytes(),
                letter: &parsed[i],
            })
            .collect();
        imports::import(&store, &actor, Utc::now(), &sources, None)
            .await
            .unwrap();
    }
    let import_s = start.elapsed().as_secs_f64();
    let size = if backend == "sqlite" {
        std::fs::metadata(&path).unwrap().len()
            + std::fs::metadata(path.with_extension("db-wal")).map_or(0, |m| m.len())
    } else {
        let row = sqlx::query("SELECT pg_database_size(current_database())")
            .fetch_one(store.reader())
            .await
            .unwrap();
        sqlx::Row::get::<i64, _>(&row, 0) as u64
    };
    println!(
        "{}: import: {n} letters parsed in {parse_s:.1} s, imported in {import_s:.1} s \
         ({:.0} letters/s, {} citations), database {:.0} MiB",
        common::label(backend),
        n as f64 / import_s,
        2 * n - 3,
        size as f64 / 1_048_576.0
    );
    let middle = DocNumber::parse(&format!("พล 0023.3/{}", n / 2)).unwrap();
    let node = graph::lookup(&store, &middle, None)
        .await
        .unwrap()
        .remove(0);
    let mut refs = Vec::new();
    for _ in 0..25 {
        let t = Instant::now();
        let a = graph::cites(&store, &node).await.unwrap();
        let b = graph::cited_by(&store, &node).await.unwrap();
        assert_eq!((a.len(), b.len()), (2, 2));
        refs.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let t = Instant::now();
    let thread = graph::thread(&store, &node, 200).await.unwrap();
    println!(
        "{}: refs of one letter: median {:.2} ms; a 200-letter thread: {:.0} ms ({} letters)",
        common::label(backend),
        median(refs),
        t.elapsed().as_secs_f64() * 1000.0,
        thread.len()
    );
    store.close().await;
}

fn main() {
    let corpus = corpus();
    let before: Vec<&str> = corpus
        .iter()
        .filter(|(name, _)| before_issue_21(name))
        .map(|(_, t)| t.as_str())
        .collect();
    let all: Vec<&str> = corpus.iter().map(|(_, t)| t.as_str()).collect();
    parse_rate("seeds and fixtures 01-34", &before);
    parse_rate("all seeds and fixtures", &all);
    let n = std::env::var("SARABAN_BENCH_LETTERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            for backend in common::backends() {
                import_bench(backend, n).await;
            }
        });
}

//! Mail-merge throughput and memory (`cargo bench --bench mailmerge`):
//! 1,000 personalised letters, each a 2-page letter plus a QR response form
//! whose link carries the recipient's own token, on 2 threads. Prints
//! letters per second and resident memory after each 250 letters, which
//! must stay flat (target ≤ 200 MiB). Then the same run with every letter
//! signed (PAdES, a P-256 demo key), alternating unsigned and signed runs,
//! and the cost signing adds per letter (target ≤ 20%).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use saraban::model::Document;
use saraban::render::{self, RenderOptions, Renderer};
use serde_json::json;

const LETTERS: usize = 1000;
const THREADS: usize = 2;

/// Resident set size and its peak, from /proc (Linux), in MiB.
fn rss() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
            .unwrap_or(0.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// CPU seconds this process has used (user + system), from /proc.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces): utime is the
    // 12th, stime the 13th, in clock ticks (100 a second on Linux).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / 100.0
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let letter: serde_json::Value =
        serde_json::from_str(include_str!("../examples/letter.json")).unwrap();
    let form: serde_json::Value =
        serde_json::from_str(include_str!("../examples/form.json")).unwrap();
    let doc = json!({ "kind": "document", "main": letter, "annexes": [form] });
    let doc = Document::from_json(&doc.to_string()).unwrap();
    let renderer = Renderer::new(&[]).unwrap();
    let opts = RenderOptions::default();
    let prepared = renderer.prepare(&doc).unwrap();
    let first = renderer.layout(&prepared, None, &opts).unwrap();
    let base_overlay = prepared.recipient().clone();
    let (rss0, _) = rss();
    println!(
        "mailmerge: {LETTERS} letters ({} pages each) on {THREADS} threads; RSS before {rss0:.0} MiB",
        first.page_count()
    );

    let ca = saraban::sign::demo_ca("bench CA").unwrap();
    let p12 = ca
        .issue_with_password("สำนักงานทดสอบ", "พล 0023", "bench")
        .unwrap();
    let signer = saraban::sign::Signer::from_pkcs12(&p12, "bench").unwrap();
    let spliced = AtomicUsize::new(0);
    let run = |sign: Option<&saraban::sign::Signer>, report: bool| -> f64 {
        let next = AtomicUsize::new(0);
        let done = AtomicUsize::new(0);
        let start = Instant::now();
        let samples = std::sync::Mutex::new(Vec::new());
        std::thread::scope(|s| {
            for _ in 0..THREADS {
                s.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= LETTERS {
                            break;
                        }
                        let mut overlay = base_overlay.clone();
                        overlay["0"]["number"] = json!(format!("พล ๐๐๒๓.๓/ว {}", 1000 + i));
                        overlay["0"]["to"] =
                            json!(prepared.text(&format!("นายกองค์การบริหารส่วนตำบลที่ {i}")));
                        let url = format!("https://forms.example.go.th/r/{i:08x}");
                        let svg = render::qr::qr_svg(&url).unwrap();
                        overlay["1"]["codes"][0]["url"] = json!(url);
                        overlay["1"]["codes"][0]["svg"] = json!(svg);
                        let laid = renderer
                            .layout_like(&prepared, Some(&overlay), &opts, &first)
                            .unwrap();
                        if laid.spliced {
                            spliced.fetch_add(1, Ordering::Relaxed);
                        }
                        let mut pdf = render::pdf(&laid, &opts).unwrap();
                        if let Some(signer) = sign {
                            pdf = signer
                                .sign_pdf(&pdf, chrono::Utc::now(), "bench", "สำนักงานทดสอบ")
                                .unwrap();
                        }
                        assert!(pdf.len() > 10_000);
                        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                        if n.is_multiple_of(250) {
                            let (now, peak) = rss();
                            samples.lock().unwrap().push((
                                n,
                                start.elapsed().as_secs_f64(),
                                now,
                                peak,
                            ));
                        }
                    }
                });
            }
        });
        let secs = start.elapsed().as_secs_f64();
        if report {
            for (n, t, now, peak) in samples.into_inner().unwrap() {
                println!(
                    "  after {n:>4} letters: {t:>6.2} s, RSS {now:>5.0} MiB (peak {peak:.0} MiB)"
                );
            }
        }
        secs
    };
    let cpu = cpu_seconds();
    let secs = run(None, true);
    let cpu = cpu_seconds() - cpu;
    let (_, peak) = rss();
    println!(
        "mailmerge: {LETTERS} letters in {secs:.2} s = {:.0} letters/s (7,852 in {:.1} s); peak RSS {peak:.0} MiB",
        LETTERS as f64 / secs,
        7852.0 * secs / LETTERS as f64
    );
    println!(
        "mailmerge: CPU {:.2} ms a letter, {:.2} ms a page; {} of {LETTERS} re-set only their fields",
        cpu * 1e3 / LETTERS as f64,
        cpu * 1e3 / (LETTERS * first.page_count()) as f64,
        spliced.load(Ordering::Relaxed)
    );
    // Alternating runs, so that a noisy neighbour hits both alike.
    let (mut plain, mut signed) = (vec![secs], Vec::new());
    for _ in 0..2 {
        signed.push(run(Some(&signer), false));
        plain.push(run(None, false));
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (p, sg) = (median(&mut plain), median(&mut signed));
    println!(
        "mailmerge signed: median {:.0} letters/s signed vs {:.0} unsigned; signing adds {:.1}% per letter",
        LETTERS as f64 / sg,
        LETTERS as f64 / p,
        (sg / p - 1.0) * 100.0
    );
}

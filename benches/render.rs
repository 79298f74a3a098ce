//! Rendering speed (`cargo bench --bench render`); figures and targets in
//! docs/benchmarks.md.
//!
//! - per_recipient: warm, in-process, only the number and addressee change
//!   (target ≤ 3 ms median per 2-page letter);
//! - new_letter: warm, a wholly new 2-page letter every time (≤ 25 ms);
//! - whole_process: `saraban render` of one letter as a new process (≤ 80 ms).

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use saraban::model::Document;
use saraban::render::{self, Laidout, Prepared, RenderOptions, Renderer};
use serde_json::json;

fn main() {
    divan::main();
}

fn letter_json() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/letter.json")).unwrap()
}

struct Warm {
    renderer: Renderer,
    prepared: Prepared,
    first: Laidout,
}

fn warm() -> &'static Warm {
    static W: OnceLock<Warm> = OnceLock::new();
    W.get_or_init(|| {
        let renderer = Renderer::new(&[]).unwrap();
        let doc = Document::from_json(&letter_json()).unwrap();
        let prepared = renderer.prepare(&doc).unwrap();
        let first = renderer
            .layout(&prepared, None, &RenderOptions::default())
            .unwrap();
        assert_eq!(first.page_count(), 2, "the benchmark letter is two pages");
        Warm {
            renderer,
            prepared,
            first,
        }
    })
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

#[divan::bench(sample_count = 200)]
fn per_recipient(bencher: divan::Bencher) {
    let w = warm();
    let opts = RenderOptions::default();
    bencher.bench(|| {
        let i = COUNTER.fetch_add(1, Ordering::Relaxed);
        let overlay = json!({ "0": {
            "number": format!("พล ๐๐๒๓.๓/ว {}", 1000 + i),
            // Marked as a mail-merge marks it (`store::personalise`).
            "to": w.prepared.text(&format!("นายอำเภอ อำเภอที่ {i}")),
        }});
        let laid = w
            .renderer
            .layout_like(&w.prepared, Some(&overlay), &opts, &w.first)
            .unwrap();
        divan::black_box(render::pdf(&laid, &opts).unwrap())
    });
}

#[divan::bench(sample_count = 60)]
fn new_letter(bencher: divan::Bencher) {
    let w = warm();
    let opts = RenderOptions::default();
    let base: serde_json::Value = serde_json::from_str(&letter_json()).unwrap();
    bencher.bench(|| {
        let i = COUNTER.fetch_add(1, Ordering::Relaxed);
        let mut v = base.clone();
        // New text in every paragraph and the subject: nothing to reuse.
        for p in v["body"].as_array_mut().unwrap() {
            *p = json!(format!("{} (ฉบับที่ {i})", p.as_str().unwrap()));
        }
        v["subject"] = json!(format!("{} ครั้งที่ {i}", v["subject"].as_str().unwrap()));
        let doc = Document::from_json(&v.to_string()).unwrap();
        divan::black_box(w.renderer.render_pdf(&doc, &opts).unwrap())
    });
}

#[divan::bench(sample_count = 30)]
fn whole_process(bencher: divan::Bencher) {
    let out = std::env::temp_dir().join("saraban-bench-letter.pdf");
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/letter.json");
    bencher.bench(|| {
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_saraban"))
            .args(["render", data, "-o"])
            .arg(&out)
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
    });
}

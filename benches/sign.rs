//! Signing speed (`cargo bench --bench sign`); figures in docs/benchmarks.md.
//!
//! - sign_p256: a rendered 2-page letter (`examples/letter.json`) signed
//!   with a demo-CA ECDSA P-256 certificate (parse, incremental update,
//!   SHA-256 of the file, CMS, signature); target: at most 20 % of the
//!   per-letter cost of a mail-merge;
//! - sign_rsa2048: the same with an RSA-2048 key made by `openssl` (skipped
//!   when openssl is not installed);
//! - verify: our own check of the signed letter.

use std::process::Command;
use std::sync::OnceLock;

use chrono::{TimeZone, Utc};
use saraban::model::Document;
use saraban::render::{RenderOptions, Renderer};
use saraban::sign::{DemoCa, Signer, verify_pdf};

fn main() {
    divan::main();
}

fn letter() -> &'static [u8] {
    static PDF: OnceLock<Vec<u8>> = OnceLock::new();
    PDF.get_or_init(|| {
        let json =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/letter.json"))
                .unwrap();
        let doc = Document::from_json(&json).unwrap();
        Renderer::new(&[])
            .unwrap()
            .render_pdf(&doc, &RenderOptions::default())
            .unwrap()
    })
}

fn when() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 3, 30, 0).unwrap()
}

fn p256() -> &'static Signer {
    static S: OnceLock<Signer> = OnceLock::new();
    S.get_or_init(|| {
        let ca = DemoCa::new_at("bench CA", when()).unwrap();
        let (p12, pw) = ca.issue("สำนักงานจังหวัด", "พล 0017").unwrap();
        Signer::from_pkcs12(&p12, &pw).unwrap()
    })
}

/// An RSA-2048 key and self-signed certificate from openssl, as PKCS #12.
fn rsa() -> &'static Option<Signer> {
    static S: OnceLock<Option<Signer>> = OnceLock::new();
    S.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("saraban-bench-rsa-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok()?;
        let ok = Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650",
            ])
            .args([
                "-subj",
                "/CN=bench office/C=TH",
                "-keyout",
                "k.pem",
                "-out",
                "c.pem",
            ])
            .current_dir(&dir)
            .output()
            .ok()?
            .status
            .success()
            && Command::new("openssl")
                .args(["pkcs12", "-export", "-inkey", "k.pem", "-in", "c.pem"])
                .args(["-out", "k.p12", "-passout", "pass:bench"])
                .current_dir(&dir)
                .output()
                .ok()?
                .status
                .success();
        let p12 = std::fs::read(dir.join("k.p12")).ok();
        let _ = std::fs::remove_dir_all(&dir);
        if !ok {
            eprintln!("SKIPPED: openssl not available; no RSA figure");
            return None;
        }
        Some(Signer::from_pkcs12(&p12?, "bench").unwrap())
    })
}

#[divan::bench(sample_count = 200)]
fn sign_p256(bencher: divan::Bencher) {
    let (pdf, signer) = (letter(), p256());
    bencher.bench(|| divan::black_box(signer.sign_pdf(pdf, when(), "ฉบับจริง", "พิษณุโลก").unwrap()));
}

#[divan::bench(sample_count = 200)]
fn sign_rsa2048(bencher: divan::Bencher) {
    let pdf = letter();
    let Some(signer) = rsa() else { return };
    // openssl's certificate is dated from now.
    let now = Utc::now();
    bencher.bench(|| divan::black_box(signer.sign_pdf(pdf, now, "ฉบับจริง", "พิษณุโลก").unwrap()));
}

#[divan::bench(sample_count = 200)]
fn verify(bencher: divan::Bencher) {
    let signed = p256()
        .sign_pdf(letter(), when(), "ฉบับจริง", "พิษณุโลก")
        .unwrap();
    bencher.bench(|| divan::black_box(verify_pdf(&signed).unwrap()));
}

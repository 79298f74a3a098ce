//! Registers exported as XLSX (read back with calamine), PDF (read back with
//! pdftotext) and CSV, and numbering from several processes on one file.

use std::process::Command;

use chrono::{TimeZone, Utc};
use saraban::store::numbering::{self, Entry, Series};
use saraban::store::offices;
use saraban::store::registers::{self, RegisterKind};

use crate::db::actor;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_saraban"))
}

/// A Phitsanulok send register for 2564 like seed 003's: number 2122 and
/// around it, one cancelled.
async fn seeded_register() -> (crate::db::TestDb, offices::Office) {
    let db = crate::db::sqlite().await;
    saraban::store::demo::load(&db, &actor()).await.unwrap();
    let o = offices::find(&db, "พล 0023.3").await.unwrap();
    // 24 Feb 2564, 09:30 in Bangkok.
    let at = Utc.with_ymd_and_hms(2021, 2, 24, 2, 30, 0).unwrap();
    let r = numbering::reserve(&db, &actor(), at, &o, Series::Normal, 2121, "ก่อนหน้า")
        .await
        .unwrap();
    let filler: Vec<Entry> = (0..2121)
        .map(|i| Entry {
            subject: format!("หนังสือฉบับที่ {}", i + 1),
            ..Entry::default()
        })
        .collect();
    numbering::fill_reservation(&db, &actor(), at, &r.batch, &filler)
        .await
        .unwrap();
    let e = Entry {
        subject: "การดำเนินงานโครงการอบรม สัมมนาเพื่อเพิ่มศักยภาพองค์กรปกครองส่วนท้องถิ่น".into(),
        to: "นายอำเภอเนินมะปราง".into(),
        ..Entry::default()
    };
    let issued = numbering::issue(&db, &actor(), at, &o, Series::Normal, &e)
        .await
        .unwrap();
    assert_eq!(issued.printed, "พล ๐๐๒๓.๓/๒๑๒๒");
    let c = numbering::issue(
        &db,
        &actor(),
        at,
        &o,
        Series::Normal,
        &Entry {
            subject: "พิมพ์ผิด".into(),
            ..Entry::default()
        },
    )
    .await
    .unwrap();
    numbering::cancel_number(
        &db,
        &actor(),
        at,
        &o,
        numbering::Taken {
            series: Series::Normal,
            year_be: 2564,
            seq: c.seq,
        },
        "พิมพ์ผิด",
    )
    .await
    .unwrap();
    (db, o)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xlsx_register_reads_back_with_thai_intact() {
    use calamine::{Reader, Xlsx};
    let (db, o) = seeded_register().await;
    let rows = registers::rows(&db, o.id, 2564, RegisterKind::Send, None)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2123);
    let bytes = registers::to_xlsx(&rows, &o, RegisterKind::Send, 2564).unwrap();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("a valid XLSX");
    let names = book.sheet_names();
    assert_eq!(names, ["ทะเบียนหนังสือส่ง 2564"]);
    let range = book.worksheet_range(&names[0]).unwrap();
    let cell = |r: u32, c: u32| {
        range
            .get_value((r, c))
            .map(|v| v.to_string())
            .unwrap_or_default()
    };
    assert_eq!(
        cell(0, 0),
        "ทะเบียนหนังสือส่ง กลุ่มงานส่งเสริมและพัฒนาท้องถิ่น ปี พ.ศ. ๒๕๖๔"
    );
    let headings: Vec<String> = (0..10).map(|c| cell(1, c)).collect();
    assert_eq!(headings, registers::HEADINGS);
    // Row of number 2122: the third row is headings + 2121 rows before it.
    let r = 2 + 2121;
    assert_eq!(cell(r, 0), "๒๑๒๒");
    assert_eq!(cell(r, 1), "๒๔ ก.พ. ๒๕๖๔");
    assert_eq!(cell(r, 2), "๐๙:๓๐");
    assert_eq!(cell(r, 3), "พล ๐๐๒๓.๓/๒๑๒๒");
    assert_eq!(cell(r, 6), "นายอำเภอเนินมะปราง");
    assert_eq!(
        cell(r, 7),
        "การดำเนินงานโครงการอบรม สัมมนาเพื่อเพิ่มศักยภาพองค์กรปกครองส่วนท้องถิ่น"
    );
    assert_eq!(cell(r + 1, 9), "ยกเลิก: พิมพ์ผิด");
    assert_eq!(range.height(), 2 + 2123);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pdf_and_csv_registers() {
    let (db, o) = seeded_register().await;
    let rows = registers::rows(&db, o.id, 2564, RegisterKind::Send, Some((2118, 10)))
        .await
        .unwrap();
    assert_eq!(rows.first().map(|r| r.seq), Some(2119), "paging");
    let csv = String::from_utf8(registers::to_csv(&rows, o.fields.digits)).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("\u{feff}เลขทะเบียน,วันที่,เวลา,ที่,ลงวันที่,จาก,ถึง,เรื่อง,การปฏิบัติ,หมายเหตุ")
    );
    assert!(csv.contains("๒๑๒๒,๒๔ ก.พ. ๒๕๖๔,๐๙:๓๐,พล ๐๐๒๓.๓/๒๑๒๒,๒๔ ก.พ. ๒๕๖๔,กลุ่มงานส่งเสริมและพัฒนาท้องถิ่น,นายอำเภอเนินมะปราง,"));
    let renderer = saraban::render::Renderer::new(&[]).unwrap();
    let pdf = registers::to_pdf(&rows, &o, RegisterKind::Send, 2564, &renderer).unwrap();
    let again = registers::to_pdf(&rows, &o, RegisterKind::Send, 2564, &renderer).unwrap();
    assert_eq!(pdf, again, "same rows, same bytes");
    if let Ok(dir) = std::env::var("SARABAN_ARTIFACTS") {
        std::fs::write(
            std::path::Path::new(&dir).join("register-send-2564.pdf"),
            &pdf,
        )
        .unwrap();
    }
    let Some(text) = crate::render::pdf_bytes_text("register", &pdf) else {
        return;
    };
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for want in [
        "ทะเบียนหนังสือส่ง",
        "ปีพ.ศ.๒๕๖๔",
        "พล๐๐๒๓.๓/๒๑๒๒",
        "นายอำเภอเนินมะปราง",
        "ยกเลิก:พิมพ์ผิด",
        "เลขทะเบียน",
        "การปฏิบัติ",
    ] {
        assert!(compact.contains(want), "{want} in the PDF text:\n{text}");
    }
}

/// Several `saraban number issue` processes at once on one SQLite file.
#[test]
fn processes_share_one_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shared.db");
    let db = db.to_str().unwrap();
    let out = bin()
        .args(["--database", db, "orgs", "demo"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let children: Vec<_> = (0..6)
        .map(|i| {
            bin()
                .args([
                    "--database",
                    db,
                    "number",
                    "issue",
                    "--office",
                    "มท 0810.7",
                    "--series",
                    "circular",
                    "--subject",
                    &format!("กระบวนการที่ {i}"),
                    "--count",
                    "40",
                    "--json",
                ])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut seqs = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for line in String::from_utf8(out.stdout).unwrap().lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            seqs.push(v["seq"].as_i64().unwrap());
        }
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=240).collect::<Vec<i64>>());
    let peek = bin()
        .args([
            "--database",
            db,
            "number",
            "peek",
            "--office",
            "มท ๐๘๑๐.๗",
            "--series",
            "circular",
        ])
        .output()
        .unwrap();
    let year_free = String::from_utf8(peek.stdout).unwrap();
    assert_eq!(year_free.trim(), "มท ๐๘๑๐.๗/ว ๒๔๑");
    let verify = bin()
        .args(["--database", db, "audit", "verify"])
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
}

#[test]
fn cli_register_export_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let db = db.to_str().unwrap();
    assert!(
        bin()
            .args(["--database", db, "orgs", "demo"])
            .status()
            .unwrap()
            .success()
    );
    let issue = bin()
        .args([
            "--database",
            db,
            "number",
            "issue",
            "--office",
            "มท 0810.7",
            "--series",
            "circular",
            "--subject",
            "การประชุมชี้แจง",
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(issue.stdout).unwrap(), "มท ๐๘๑๐.๗/ว ๑\n");
    let year = saraban::thai::be_year(chrono::Datelike::year(&saraban::store::bangkok_date(
        Utc::now(),
    )));
    let xlsx = dir.path().join("r.xlsx");
    let out = bin()
        .args([
            "--database",
            db,
            "register",
            "export",
            "--office",
            "มท 0810.7",
            "--year",
            &year.to_string(),
            "--format",
            "xlsx",
            "--out",
        ])
        .arg(&xlsx)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));
    for (args, needle) in [
        (
            vec!["number", "issue", "--office", "ไม่มี", "--subject", "x"],
            "unknown office",
        ),
        (
            vec![
                "number",
                "issue",
                "--office",
                "มท 0810.7",
                "--series",
                "x",
                "--subject",
                "x",
            ],
            "unknown series",
        ),
        (
            vec![
                "number",
                "issue",
                "--office",
                "องค์การบริหารส่วนตำบลชมพู",
                "--subject",
                "x",
            ],
            "no letter code",
        ),
        (
            vec![
                "register",
                "export",
                "--office",
                "มท 0810.7",
                "--year",
                "2024",
            ],
            "B.E.",
        ),
    ] {
        let out = bin().args(["--database", db]).args(&args).output().unwrap();
        assert!(!out.status.success(), "{args:?} must fail");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

/// A clerk's day on the command line: draft, number, official copy, send.
#[test]
fn cli_document_lifecycle() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    let db = db.to_str().unwrap();
    let run = |args: &[&str]| {
        let out = bin().args(["--database", db]).args(args).output().unwrap();
        (
            out.status.success(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    assert!(run(&["orgs", "demo"]).0);
    // The example carries a number already; a draft must not.
    let text =
        std::fs::read_to_string(crate::support::root().join("examples/letter.json")).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json.as_object_mut().unwrap().remove("number");
    let draft = dir.path().join("draft.json");
    std::fs::write(&draft, json.to_string()).unwrap();
    let (ok, out, err) = run(&[
        "doc",
        "create",
        "--office",
        "พล 0023.3",
        draft.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(out.starts_with("#1\tร่าง\t-"), "{out}");
    let (ok, out, err) = run(&[
        "doc",
        "number",
        "1",
        "--series",
        "circular",
        "--to",
        "นายอำเภอ ทุกอำเภอ",
    ]);
    assert!(ok, "{err}");
    assert!(
        out.starts_with("พล ๐๐๒๓.๓/ว ๑\n#1\tออกเลขแล้ว\tพล 0023.3/ว 1"),
        "{out}"
    );
    let (ok, _, err) = run(&["doc", "number", "1"]);
    assert!(!ok && err.contains("numbered"), "{err}");
    let pdf = dir.path().join("official.pdf");
    let (ok, first, err) = run(&["doc", "official", "1", "-o", pdf.to_str().unwrap()]);
    assert!(ok, "{err}");
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(first.contains(&format!("sha256:{}", saraban::store::sha256_hex(&bytes))));
    let (_, second, _) = run(&["doc", "official", "1", "-o", pdf.to_str().unwrap()]);
    assert_eq!(first, second, "the stored copy, not a new rendering");
    if let Some(text) = crate::render::pdf_bytes_text("official", &bytes) {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(compact.contains("ที่พล๐๐๒๓.๓/ว๑"), "{text}");
    }
    assert!(run(&["doc", "send", "1"]).0);
    let (ok, _, err) = run(&["doc", "attach", "1", draft.to_str().unwrap()]);
    assert!(!ok && err.contains("sent"), "{err}");
    let (ok, _, err) = run(&["audit", "verify"]);
    assert!(ok, "{err}");
}

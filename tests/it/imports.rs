//! Importing letters and following their references, on both backends:
//! the seeds' thread, import-order independence, re-import as a no-op,
//! one record for one letter read from text and from a PDF, a listing page
//! as one record per letter, registration as received, and bad input that
//! stores nothing.

use chrono::{NaiveDate, Utc};
use saraban::docnum::DocNumber;
use saraban::parse::{ParsedLetter, parse_bytes};
use saraban::store::graph::{self, Node, NodeKind};
use saraban::store::imports::{self, Source};
use saraban::store::{demo, offices};

use crate::db::{TestDb, actor, count, on_both};

on_both!(
    seeds_thread_runs_back_to_the_cited_letters,
    import_order_does_not_change_the_graph,
    reimport_is_a_no_op_and_receiving_registers,
    the_same_letter_from_text_and_pdf_is_one_record,
    a_listing_page_imports_one_record_per_letter,
);

fn seed(name: &str) -> Vec<u8> {
    let dir = crate::support::root().join("tests/data/seeds");
    let path = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(name))
        .unwrap();
    std::fs::read(path).unwrap()
}

async fn import(db: &TestDb, name: &str, bytes: &[u8]) -> imports::Imported {
    let letter = parse_bytes(bytes).unwrap();
    let source = Source {
        name,
        bytes,
        letter: &letter,
    };
    imports::import(db, &actor(), Utc::now(), &[source], None)
        .await
        .unwrap()
        .remove(0)
}

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

async fn node(db: &TestDb, number: &str) -> Node {
    let n = DocNumber::parse(number).unwrap();
    graph::lookup(db, &n, None).await.unwrap().remove(0)
}

async fn seeds_thread_runs_back_to_the_cited_letters(db: &TestDb) {
    import(db, "000.txt", &seed("000")).await;
    import(db, "003.txt", &seed("003")).await;
    let start = node(db, "พล ๐๐๒๓.๓/๒๑๒๒").await;
    let thread = graph::thread(db, &start, 100).await.unwrap();
    let seen: Vec<(String, Option<NaiveDate>, NodeKind)> = thread
        .iter()
        .map(|n| (n.number.clone(), n.date, n.kind))
        .collect();
    assert_eq!(
        seen,
        [
            (
                "พล ๐๐๒๓.๓/๒๑๕".to_string(),
                date(2021, 1, 6),
                NodeKind::External
            ),
            (
                "มท ๐๘๑๐.๗/ว ๓๓๓".to_string(),
                date(2021, 2, 19),
                NodeKind::External
            ),
            (
                "พล ๐๐๒๓.๓/๒๑๒๒".to_string(),
                date(2021, 2, 24),
                NodeKind::Imported
            ),
        ]
    );
    // And from the cited side: มท ๐๘๑๐.๗/ว ๓๓๓ is cited by the Phitsanulok letter.
    let cited = Node {
        kind: NodeKind::External,
        id: None,
        key: "มท 0810.7/ว 333".into(),
        number: String::new(),
        date: date(2021, 2, 19),
        issuer: None,
        subject: None,
    };
    let by = graph::cited_by(db, &cited).await.unwrap();
    assert_eq!(by.len(), 1);
    assert_eq!(by[0].key, "พล 0023.3/2122");
}

/// Three letters: C, B citing C, A citing B (and C in its body).
fn chain() -> Vec<(&'static str, String)> {
    let letter = |number: &str, date: &str, cite: &str| {
        format!(
            "ที่ {number}\n\nสำนักงานทดสอบ\n\n{date}\n\nเรื่อง ทดสอบ\n\nเรียน ผู้ว่าราชการจังหวัดพิษณุโลก\n\n{cite}\n\nขอแสดงความนับถือ\n"
        )
    };
    vec![
        (
            "c",
            letter("พล 0023.3/100", "2 มกราคม 2567", "ด้วยจังหวัดขอแจ้ง"),
        ),
        (
            "b",
            letter(
                "พล 0023.3/200",
                "3 มกราคม 2567",
                "ตามหนังสือจังหวัดพิษณุโลก ที่ พล 0023.3/100 ลงวันที่ 2 มกราคม 2567 นั้น",
            ),
        ),
        (
            "a",
            letter(
                "พล 0023.3/300",
                "4 มกราคม 2567",
                "ตามหนังสือ ที่ พล 0023.3/200 ลงวันที่ 3 มกราคม 2567 และหนังสือ ที่ พล 0023.3/100 ลว. 2 ม.ค. 67",
            ),
        ),
    ]
}

/// The graph as ids-free facts: every node's cites and cited-by.
async fn picture(db: &TestDb) -> Vec<String> {
    let mut out = Vec::new();
    for number in ["พล 0023.3/100", "พล 0023.3/200", "พล 0023.3/300"] {
        let n = node(db, number).await;
        let show = |v: Vec<Node>| {
            v.iter()
                .map(|x| format!("{}@{:?}:{:?}", x.key, x.date, x.kind))
                .collect::<Vec<_>>()
                .join(",")
        };
        let cites = show(graph::cites(db, &n).await.unwrap());
        let by = show(graph::cited_by(db, &n).await.unwrap());
        let thread = show(graph::thread(db, &n, 100).await.unwrap());
        out.push(format!(
            "{number} cites [{cites}] by [{by}] thread [{thread}]"
        ));
    }
    out
}

async fn import_order_does_not_change_the_graph(db: &TestDb) {
    let letters = chain();
    // The first half of the test: A, B, C in that order, into this database.
    for (name, text) in letters.iter().rev() {
        import(db, name, text.as_bytes()).await;
    }
    let forward = picture(db).await;
    assert!(
        forward[2].contains("พล 0023.3/200@Some(2024-01-03):Imported"),
        "{forward:?}"
    );
    assert!(forward[0].contains("by [พล 0023.3/200"), "{forward:?}");
    // The other order, into a second database of the same backend.
    let other = if db.location.starts_with("postgres") {
        crate::db::postgres()
            .await
            .expect("postgres was available a moment ago")
    } else {
        crate::db::sqlite().await
    };
    for (name, text) in &letters {
        import(&other, name, text.as_bytes()).await;
    }
    assert_eq!(picture(&other).await, forward);
}

async fn reimport_is_a_no_op_and_receiving_registers(db: &TestDb) {
    demo::load(db, &actor()).await.unwrap();
    let office = offices::find(db, "พล 0023.3").await.unwrap();
    let bytes = seed("003");
    let letter: ParsedLetter = parse_bytes(&bytes).unwrap();
    let source = || Source {
        name: "003.txt",
        bytes: &bytes,
        letter: &letter,
    };
    let first = imports::import(db, &actor(), Utc::now(), &[source()], Some(&office))
        .await
        .unwrap();
    assert!(first[0].new);
    let received = first[0].received.as_ref().expect("registered as received");
    assert_eq!(received.seq, 1);
    let before = (
        count(db, "SELECT COUNT(*) FROM imported_letters").await,
        count(db, "SELECT COUNT(*) FROM register_entries").await,
        count(db, "SELECT COUNT(*) FROM citations").await,
    );
    assert_eq!(before, (1, 1, 2));
    let again = imports::import(db, &actor(), Utc::now(), &[source()], Some(&office))
        .await
        .unwrap();
    assert!(!again[0].new);
    assert_eq!(again[0].id, first[0].id);
    let after = (
        count(db, "SELECT COUNT(*) FROM imported_letters").await,
        count(db, "SELECT COUNT(*) FROM register_entries").await,
        count(db, "SELECT COUNT(*) FROM citations").await,
    );
    assert_eq!(after, before);
    let v = saraban::store::audit::verify(db, None).await.unwrap();
    assert!(v.is_clean(), "{:?} {:?}", v.problem, v.rows);
    // The receive register shows the letter as printed on it.
    let doc_number: String = {
        use sqlx::Row;
        sqlx::query("SELECT doc_number FROM register_entries WHERE register = 'receive'")
            .fetch_one(db.reader())
            .await
            .unwrap()
            .get(0)
    };
    assert_eq!(doc_number, "พล ๐๐๒๓.๓/๒๑๒๒");
    // A batch with one bad letter stores none of it.
    let mut bad = letter.clone();
    bad.subject = Some("ก".repeat(5000));
    // Another letter, not the one above again (same number, date and
    // sender would be recognised as already imported).
    bad.date = None;
    let other_bytes = b"another file".to_vec();
    let bad_source = Source {
        name: "bad.txt",
        bytes: &other_bytes,
        letter: &bad,
    };
    let seed0 = seed("000");
    let good = parse_bytes(&seed0).unwrap();
    let good_source = Source {
        name: "000.txt",
        bytes: &seed0,
        letter: &good,
    };
    let err = imports::import(
        db,
        &actor(),
        Utc::now(),
        &[good_source, bad_source],
        Some(&office),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("too long"), "{err}");
    assert_eq!(count(db, "SELECT COUNT(*) FROM imported_letters").await, 1);
    assert_eq!(count(db, "SELECT COUNT(*) FROM register_entries").await, 1);
}

/// The README's tour: import the seeds as received by the Phitsanulok office
/// and follow the thread of its letter back to the letters it cites.
#[test]
fn the_cli_imports_and_follows_the_thread() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_saraban"))
            .arg("--database")
            .arg(&db)
            .args(args)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let seeds = crate::support::root().join("tests/data/seeds");
    let s000 = seeds.join("000_ac5cdefbeceda38c.txt");
    let s003 = seeds.join("003_718486cac1c47950.txt");
    let (s000, s003) = (s000.to_str().unwrap(), s003.to_str().unwrap());
    assert!(run(&["orgs", "demo"]).0);
    let (ok, out, err) = run(&["import", s000, s003, "--received-by", "พล 0023.3"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("ที่ มท ๐๘๑๐.๗/ว ๒๑๓๕  ทะเบียนรับ เลขรับที่ ๑"),
        "{out}"
    );
    assert!(out.contains("ที่ พล ๐๐๒๓.๓/๒๑๒๒  ทะเบียนรับ เลขรับที่ ๒"), "{out}");
    let (ok, out, _) = run(&["import", s003]);
    assert!(ok && out.contains("already imported"), "{out}");
    let (ok, out, err) = run(&["refs", "พล ๐๐๒๓.๓/๒๑๒๒", "--thread"]);
    assert!(ok, "{err}");
    let at = |s: &str| out.find(s).unwrap_or_else(|| panic!("{s} not in\n{out}"));
    assert!(at("๖ มกราคม ๒๕๖๔  ที่ พล ๐๐๒๓.๓/๒๑๕") < at("๑๙ กุมภาพันธ์ ๒๕๖๔  ที่ มท ๐๘๑๐.๗/ว ๓๓๓"));
    assert!(at("๑๙ กุมภาพันธ์ ๒๕๖๔  ที่ มท ๐๘๑๐.๗/ว ๓๓๓") < at("→ ๒๔ กุมภาพันธ์ ๒๕๖๔  ที่ พล ๐๐๒๓.๓/๒๑๒๒"));
    // Bad input: a file that is not a letter stores nothing, and says why.
    let bin = dir.path().join("x.bin");
    std::fs::write(&bin, [0u8, 1, 2, 3, 255]).unwrap();
    let (ok, _, err) = run(&["import", s000, bin.to_str().unwrap()]);
    assert!(!ok);
    assert!(
        err.contains("binary") && err.contains("nothing imported"),
        "{err}"
    );
    let (ok, _, err) = run(&["refs", "มท 0810.7/ว 9999"]);
    assert!(!ok && err.contains("no letter"), "{err}");
}

async fn the_same_letter_from_text_and_pdf_is_one_record(db: &TestDb) {
    let text = String::from_utf8(seed("003")).unwrap();
    let first = import(db, "003.txt", text.as_bytes()).await;
    assert!(first.new);
    // The same letter as poppler gives it from the PDF: other bytes, the
    // issuer spaced inside a word, a page number, the lines wrapped anew.
    let pdf_text = text
        .replacen("ศาลากลางจังหวัดพิษณุโลก", "ศาลากลางจั งหวัดพิษณุโลก", 1)
        .replacen("\n\n", "\n\n- ๑ -\n\n", 1);
    assert_ne!(pdf_text, text);
    let from_pdf = parse_bytes(pdf_text.as_bytes()).unwrap();
    let original = parse_bytes(text.as_bytes()).unwrap();
    assert_eq!(
        (&from_pdf.number, from_pdf.date),
        (&original.number, original.date)
    );
    let second = import(db, "003.pdf", pdf_text.as_bytes()).await;
    assert!(!second.new, "the PDF's text is the letter imported before");
    assert_eq!(second.id, first.id);
    assert_eq!(count(db, "SELECT COUNT(*) FROM imported_letters").await, 1);
    // The same number on another date is another letter.
    let other = text.replacen("๒๔ กุมภาพันธ์ ๒๕๖๔", "๒๕ กุมภาพันธ์ ๒๕๖๔", 1);
    assert_ne!(other, text);
    assert!(import(db, "003-other.txt", other.as_bytes()).await.new);
    assert_eq!(count(db, "SELECT COUNT(*) FROM imported_letters").await, 2);
}

async fn a_listing_page_imports_one_record_per_letter(db: &TestDb) {
    let page = std::fs::read(
        crate::support::root().join("tests/data/letters/38-web-dla-listing-page-many.txt"),
    )
    .unwrap();
    let letters = saraban::parse::parse_bytes_many(&page).unwrap();
    assert_eq!(letters.len(), 5);
    let names: Vec<String> = (1..=letters.len())
        .map(|k| format!("page.txt#{k}"))
        .collect();
    let sources: Vec<Source> = letters
        .iter()
        .zip(&names)
        .map(|((letter, line), name)| Source {
            name,
            bytes: line.as_deref().unwrap().as_bytes(),
            letter,
        })
        .collect();
    let done = imports::import(db, &actor(), Utc::now(), &sources, None)
        .await
        .unwrap();
    assert!(done.iter().all(|d| d.new));
    assert_eq!(count(db, "SELECT COUNT(*) FROM imported_letters").await, 5);
    // The page again: nothing new.
    let again = imports::import(db, &actor(), Utc::now(), &sources, None)
        .await
        .unwrap();
    assert!(again.iter().all(|d| !d.new));
    let n = node(db, "มท 0820.2/ว 1150").await;
    assert_eq!(n.kind, NodeKind::Imported);
    assert_eq!(n.date, date(2024, 3, 12));
}

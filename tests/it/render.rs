//! Rendering, checked from the outside: the PDF's text layer (pdftotext),
//! its metadata (pdfinfo), continuation words page by page, determinism,
//! literal markup in every field, and the line-quality checker.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use saraban::model::Document;
use saraban::render::{self, RenderOptions, Renderer};
use serde_json::Value;

use super::support::{root, skipped};

pub const EXAMPLES: &[&str] = &[
    "letter",
    "memo",
    "order",
    "announcement",
    "schedule",
    "project",
    "form",
    "seed-000",
    "seed-003",
];

pub fn renderer() -> &'static Renderer {
    static R: OnceLock<Renderer> = OnceLock::new();
    R.get_or_init(|| Renderer::new(&[]).expect("embedded fonts load"))
}

pub fn example(name: &str) -> String {
    std::fs::read_to_string(root().join("examples").join(format!("{name}.json"))).unwrap()
}

pub fn render_json(json: &str) -> Vec<u8> {
    render_numbered(json).0
}

/// The PDF and each page's printed number (its number within its part).
fn render_numbered(json: &str) -> (Vec<u8>, Vec<u64>) {
    let doc = Document::from_json(json).unwrap_or_else(|e| panic!("{e}"));
    let opts = RenderOptions::default();
    let laid = renderer()
        .layout(&renderer().prepare(&doc).unwrap(), None, &opts)
        .unwrap();
    let numbers = laid
        .doc
        .pages()
        .iter()
        .map(|p| render::pages::printed_page_number(&p.frame).unwrap_or(1))
        .collect();
    (render::pdf(&laid, &opts).unwrap(), numbers)
}

/// A rendered example on disk, with its page numbers.
struct Pdf {
    path: PathBuf,
    numbers: Vec<u64>,
}

fn pdf_file(name: &str, json: &str) -> Pdf {
    let (bytes, numbers) = render_numbered(json);
    Pdf {
        path: temp_pdf(name, &bytes),
        numbers,
    }
}

/// Whether poppler's tools are installed; says SKIPPED loudly when not.
pub fn poppler() -> bool {
    let ok = Command::new("pdftotext").arg("-v").output().is_ok();
    if !ok {
        skipped("pdftotext (poppler-utils) not installed: text-layer tests skipped");
    }
    ok
}

/// A file of its own for every call: tests run in parallel and several
/// render the same example, so a shared name would be rewritten under a reader.
pub fn temp_pdf(name: &str, bytes: &[u8]) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("saraban-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}-{n}.pdf"));
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The text of PDF bytes, or `None` (said loudly) without poppler.
pub fn pdf_bytes_text(name: &str, bytes: &[u8]) -> Option<String> {
    if !poppler() {
        return None;
    }
    Some(pdftotext(&temp_pdf(name, bytes), None))
}

fn pdftotext(path: &Path, page: Option<usize>) -> String {
    let mut cmd = Command::new("pdftotext");
    if let Some(p) = page {
        cmd.args(["-f", &p.to_string(), "-l", &p.to_string()]);
    }
    let out = cmd.arg(path).arg("-").output().expect("run pdftotext");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// The number of pages, from pdfinfo.
fn page_count(path: &Path) -> usize {
    let out = Command::new("pdfinfo").arg(path).output().unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap()
}

/// A line of page furniture: continuation words or a secrecy mark.
fn furniture(line: &str) -> bool {
    (line.starts_with('/') && line.ends_with("...")) || matches!(line, "ลับ" | "ลับมาก" | "ลับที่สุด")
}

/// The page's text, normalised (see [`norm`]), without its furniture: the
/// page number `- ๒ -` (which pdftotext may fold into the first line,
/// taking the last dash for a hyphen), continuation words, secrecy marks.
fn page_body(pdf: &Pdf, page: usize) -> String {
    let text = pdftotext(&pdf.path, Some(page));
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !furniture(l))
        .collect();
    let body = norm(&lines.join("\n"));
    let number = pdf.numbers[page - 1];
    if number < 2 {
        return body;
    }
    let mark = format!("-{number}");
    match body.strip_prefix(&mark) {
        Some(rest) => rest.strip_prefix('-').unwrap_or(rest).to_string(),
        None => body,
    }
}

/// All pages' bodies, normalised, in order.
fn document_body(pdf: &Pdf) -> String {
    (1..=page_count(&pdf.path))
        .map(|p| page_body(pdf, p))
        .collect()
}

/// Whitespace removed and Thai digits made Arabic: the form in which texts
/// are compared (the PDF prints values in the office's digits).
fn norm(s: &str) -> String {
    saraban::thai::to_arabic_digits(&s.chars().filter(|c| !c.is_whitespace()).collect::<String>())
}

/// Keys whose values are not printed as typed (codes, ISO dates, amounts
/// printed as figures and words, lists of names for line breaking).
const NOT_PRINTED: &[&str] = &[
    "kind",
    "digits",
    "urgency",
    "secrecy",
    "date",
    "end_date",
    "start",
    "end",
    "amount",
    "names",
    "emblem",
    "salutation",
];

/// Every printed string in an input document, with its JSON path.
fn printed_strings(value: &Value, path: String, out: &mut Vec<(String, String)>) {
    match value {
        Value::String(s) => out.push((path, s.clone())),
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                printed_strings(v, format!("{path}[{i}]"), out);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                if !NOT_PRINTED.contains(&k.as_str()) {
                    printed_strings(v, format!("{path}.{k}"), out);
                }
            }
        }
        _ => {}
    }
}

/// A grid schedule's cell: its lines interleave with its neighbours' in
/// the text layer.
fn is_cell(path: &str) -> bool {
    path.contains(".days[") || path.ends_with("break_label")
}

/// Whether `text` is in the (normalised) layer: as one run, or for a table
/// cell word by word in any order.
fn in_layer(layer: &str, text: &str, cell: bool) -> bool {
    if !cell {
        return layer.contains(&norm(text));
    }
    let bounds = saraban::render::breaks::word_boundaries(text);
    bounds.windows(2).all(|w| {
        let word = norm(&text[w[0]..w[1]]);
        word.is_empty() || layer.contains(&word)
    })
}

/// A mail-merge's addressee is set as the letter's own text is: the
/// office's Thai digits, a break allowed only between words, a place name
/// never broken.
#[test]
fn a_mail_merge_addressee_is_marked_like_the_letter() {
    let doc = saraban::model::Document::from_json(&example("letter")).unwrap();
    let prepared = renderer().prepare(&doc).unwrap();
    let marked = prepared.text("นายกองค์การบริหารส่วนตำบลวังยาง หมู่ 5 อำเภอเนินมะปราง");
    let plain: String = marked
        .chars()
        .filter(|c| !matches!(c, '\u{2060}' | '\u{200b}'))
        .collect();
    assert_eq!(plain, "นายกองค์การบริหารส่วนตำบลวังยาง หมู่ ๕ อำเภอเนินมะปราง");
    // The pieces a line may end between: each name lies within one.
    let pieces: Vec<String> = marked
        .split(['\u{200b}', ' '])
        .map(|p| p.replace('\u{2060}', ""))
        .collect();
    for name in ["ตำบลวังยาง", "อำเภอเนินมะปราง", "องค์การ"]
    {
        assert!(
            pieces.iter().any(|p| p.contains(name)),
            "{name}: {pieces:?}"
        );
    }
    assert!(pieces.len() >= 5, "breaks between words: {pieces:?}");
}

#[test]
fn every_example_text_layer_reads_back_exactly() {
    if !poppler() {
        return;
    }
    for name in EXAMPLES {
        let json = example(name);
        let pdf = pdf_file(name, &json);
        let raw = pdftotext(&pdf.path, None);
        assert!(
            !raw.contains('\u{2060}') && !raw.contains('\u{200B}'),
            "{name}: break marks in the text layer"
        );
        let layer = document_body(&pdf);
        let mut strings = Vec::new();
        printed_strings(
            &serde_json::from_str(&json).unwrap(),
            String::new(),
            &mut strings,
        );
        assert!(strings.len() >= 4, "{name}");
        let missing: Vec<String> = strings
            .iter()
            .filter(|(path, s)| !in_layer(&layer, s, is_cell(path)))
            .map(|(p, s)| format!("{p}: {s}"))
            .collect();
        assert!(
            missing.is_empty(),
            "{name}: not in the PDF's text:\n{}",
            missing.join("\n")
        );
    }
}

/// The seed letters, line by line (table cells one by one), are in the text
/// layer of our re-creations: typos, digits and all.
#[test]
fn seed_examples_contain_every_line_of_the_seeds() {
    if !poppler() {
        return;
    }
    for (seed, name) in [("000", "seed-000"), ("003", "seed-003")] {
        let Some(seed_text) = super::support::seed_text(seed) else {
            return;
        };
        let layer = document_body(&pdf_file(name, &example(name)));
        let mut missing = Vec::new();
        for line in seed_text.lines() {
            let line = line.trim();
            // Page furniture of the original: continuation words.
            if line.is_empty() || (line.starts_with('/') && line.ends_with("...")) {
                continue;
            }
            // A bulleted schedule line prints as a row of our list table.
            let line = line.strip_prefix("- ").unwrap_or(line);
            // An enclosure's quantity stands in a column of its own (as at
            // the originals' tab stop): its text and quantity are two cells.
            let mut cells: Vec<&str> = line.split('\t').collect();
            if cells.len() == 1
                && let Some((text, _)) = line.rsplit_once(" จำนวน ")
            {
                cells = vec![text, &line[text.len()..]];
            }
            for cell in &cells {
                let cell = cell.trim().trim_start_matches('<').trim_end_matches('>');
                let table = cells.len() > 1 && line.contains('\t');
                if !cell.is_empty() && !in_layer(&layer, cell, table) {
                    missing.push(cell.to_string());
                }
            }
        }
        assert!(
            missing.is_empty(),
            "{name}: seed lines missing from our PDF:\n{}",
            missing.join("\n")
        );
    }
}

/// Every continuation word printed at a page's foot is the start of the
/// next page's body, checked in the PDF's own text, page by page.
#[test]
fn continuation_words_match_the_next_page() {
    if !poppler() {
        return;
    }
    let mut seen = 0;
    for name in EXAMPLES {
        let pdf = pdf_file(name, &example(name));
        for page in 1..page_count(&pdf.path) {
            let text = pdftotext(&pdf.path, Some(page));
            let Some(cont) = text
                .lines()
                .map(str::trim)
                .find(|l| l.starts_with('/') && l.ends_with("..."))
            else {
                continue;
            };
            seen += 1;
            let word = norm(cont.trim_start_matches('/').trim_end_matches("..."));
            let body = page_body(&pdf, page + 1);
            assert!(!word.is_empty(), "{name} p{page}: empty continuation");
            assert!(
                body.starts_with(&word),
                "{name} p{page}: printed /{word}... but page {} starts {:?}",
                page + 1,
                body.chars().take(30).collect::<String>()
            );
        }
    }
    assert!(
        seen >= 5,
        "only {seen} continuation words found across the examples"
    );
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let json = example("seed-000");
    let a = render_json(&json);
    let b = render_json(&json);
    let fresh = Renderer::new(&[]).unwrap();
    let c = fresh
        .render_pdf(
            &Document::from_json(&json).unwrap(),
            &RenderOptions::default(),
        )
        .unwrap();
    assert!(a == b && b == c, "three renders of one input differ");
    // …and a different date changes the bytes (the timestamp is the document's).
    let other = json.replace("\"2024-05-21\"", "\"2024-05-20\"");
    assert_ne!(render_json(&other), a);
}

/// Typst markup in any field comes out literally, never evaluated.
#[test]
fn markup_characters_in_every_field_come_out_literally() {
    if !poppler() {
        return;
    }
    const MARKUP: &str = "#$*_[]\\<>@//=";
    // Fields whose values must keep their shape (a number must parse, a
    // link must be a link) keep it; every other printed string is tagged.
    const KEEP: &[&str] = &["number", "url", "amount", "office_code"];
    /// Appends a numbered tag to each printed string.
    fn tag(value: &mut Value, key: &str, n: &mut usize) {
        match value {
            Value::String(s) if !KEEP.contains(&key) && !NOT_PRINTED.contains(&key) => {
                *n += 1;
                s.push_str(&format!(" {MARKUP} F{n}Z"));
            }
            Value::Array(items) => items.iter_mut().for_each(|v| tag(v, key, n)),
            Value::Object(map) => map.iter_mut().for_each(|(k, v)| tag(v, k, n)),
            _ => {}
        }
    }
    for name in EXAMPLES {
        let mut value: Value = serde_json::from_str(&example(name)).unwrap();
        let mut n = 0;
        tag(&mut value, "", &mut n);
        let layer = document_body(&pdf_file(&format!("markup-{name}"), &value.to_string()));
        // Each field's marker is there, and every markup character as often
        // as the fields carry it: markup that Typst evaluated would lose
        // characters (`*` and `_` for emphasis, `//` for a comment, `\\` for
        // an escape …). Counting characters rather than runs allows a run
        // to wrap, and pdftotext to order a wrapped line's pieces its way.
        for i in 1..=n {
            assert!(
                layer.contains(&format!("F{i}Z")),
                "{name}: field {i} is missing"
            );
        }
        for c in MARKUP.chars() {
            let want = n * MARKUP.matches(c).count();
            let got = layer.matches(c).count();
            assert!(
                got >= want,
                "{name}: {c:?} printed {got} times, expected at least {want}"
            );
        }
    }
}

#[test]
fn pdf_metadata_names_subject_issuer_and_number() {
    if !poppler() {
        return;
    }
    let path = temp_pdf("meta", &render_json(&example("seed-000")));
    let out = Command::new("pdfinfo").arg(&path).output().unwrap();
    let info = String::from_utf8(out.stdout).unwrap();
    assert!(
        info.contains("Title:           การประชุมชี้แจงระบบการประเมินประสิทธิภาพ"),
        "{info}"
    );
    assert!(
        info.contains("Author:          กรมส่งเสริมการปกครองท้องถิ่น"),
        "{info}"
    );
    assert!(info.contains("Keywords:        มท ๐๘๑๐.๗/ว ๒๑๓๕"), "{info}");
    assert!(
        info.contains("Page size:       595.276 x 841.89 pts (A4)"),
        "{info}"
    );
}

#[test]
fn pdfa_and_png_output() {
    let doc = Document::from_json(&example("memo")).unwrap();
    let opts = RenderOptions {
        pdfa: true,
        emblem: None,
        ..RenderOptions::default()
    };
    let prepared = renderer().prepare(&doc).unwrap();
    let laid = renderer().layout(&prepared, None, &opts).unwrap();
    let pdf = render::pdf(&laid, &opts).unwrap();
    let text = String::from_utf8_lossy(&pdf);
    assert!(
        text.contains("pdfaid:part") || text.contains("pdfaid"),
        "no PDF/A identification"
    );
    let pngs = render::png_pages(&laid, 50.0);
    assert_eq!(pngs.len(), laid.page_count());
    assert!(pngs.iter().all(|p| p.starts_with(b"\x89PNG")));
}

/// The checker over every example: no line ends inside a word, no gap over
/// twice a space. And the checker itself catches a forced bad break.
#[test]
fn line_quality_of_every_example() {
    for name in EXAMPLES {
        let doc = Document::from_json(&example(name)).unwrap();
        let prepared = renderer().prepare(&doc).unwrap();
        let laid = renderer()
            .layout(&prepared, None, &RenderOptions::default())
            .unwrap();
        let report = render::check::check(&laid.doc);
        assert!(report.lines >= 5, "{name}: {} lines", report.lines);
        assert_eq!(report.breaks_inside_words, 0, "{name}: {:?}", report.issues);
        assert!(
            report.widest_gap <= render::check::MAX_GAP,
            "{name}: {:?}",
            report.issues
        );
        assert!(laid.compiles <= 6);
    }
}

#[test]
fn the_checker_finds_a_break_inside_a_word() {
    // A zero-width space typed inside ประเมิน lets Typst break there.
    let word = "การประ\u{200B}เมินประสิทธิภาพ ";
    let body = word.repeat(60);
    let json = serde_json::json!({
        "kind": "memo", "unit": "กองคลัง", "date": "2024-05-14", "subject": "ทดสอบ", "to": "อธิบดี",
        "body": [body], "signer": { "name": "นายทดสอบ ระบบ" }
    });
    let doc = Document::from_json(&json.to_string()).unwrap();
    let laid = renderer()
        .layout(
            &renderer().prepare(&doc).unwrap(),
            None,
            &RenderOptions::default(),
        )
        .unwrap();
    let report = render::check::check(&laid.doc);
    assert!(report.breaks_inside_words > 0, "{report:?}");
}

#[test]
fn bad_input_names_the_field() {
    let letter = example("letter");
    let cases: Vec<(String, &str)> = vec![
        (letter.replace("\"subject\"", "\"subjekt\""), "subjekt"),
        (
            letter.replace("\"kind\": \"letter\"", "\"kind\": \"lettre\""),
            "kind",
        ),
        (letter.replace("2024-06-03", "2024-02-30"), "date"),
        (
            letter.replace(
                "\"to\": \"นายอำเภอ ทุกอำเภอ\"",
                &format!("\"to\": \"{}\"", "ก".repeat(600)),
            ),
            "to",
        ),
        (letter.replace("\"to\": \"นายอำเภอ ทุกอำเภอ\",", ""), "to"),
        (
            letter.replace(
                "\"number\": \"พล 0023.3/ว 1050\"",
                "\"number\": \"พล 0023.3 1050\"",
            ),
            "number",
        ),
        (
            example("project").replace("\"125450.50\"", "\"12a\""),
            "sections[4].budget.amount",
        ),
        (
            example("form").replace("https://forms.gle", "ftp://forms.gle"),
            "codes[0].url",
        ),
    ];
    for (json, field) in cases {
        let err = Document::from_json(&json).expect_err(field).to_string();
        assert!(
            err.contains(field),
            "expected the error to name {field}: {err}"
        );
        assert!(!err.contains("typst") && !err.contains(".typ"), "{err}");
    }
}

#[test]
fn the_cli_renders_and_reports() {
    let dir = std::env::temp_dir().join(format!("saraban-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_saraban"))
        .args(["render", "examples/form.json", "-o"])
        .arg(dir.join("form.pdf"))
        .arg("--png")
        .arg(dir.join("png"))
        .args(["--dpi", "40", "--check"])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["breaks_inside_words"], 0);
    assert!(
        std::fs::read(dir.join("form.pdf"))
            .unwrap()
            .starts_with(b"%PDF-")
    );
    assert!(dir.join("png/page-1.png").exists());
    // A bad file: a clear message, no Typst dump, non-zero exit.
    let bad = dir.join("bad.json");
    std::fs::write(&bad, r#"{"kind": "memo", "unit": "x"}"#).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_saraban"))
        .arg("render")
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("date") && err.contains("ต้องกรอก"), "{err}");
}

/// The organisation's emblem, when configured, is placed as an image; a
/// missing file is a clear error from the CLI.
#[test]
fn the_configured_emblem_is_used() {
    // Any PNG will do: take a rendered page.
    let doc = Document::from_json(&example("form")).unwrap();
    let laid = renderer()
        .layout(
            &renderer().prepare(&doc).unwrap(),
            None,
            &RenderOptions::default(),
        )
        .unwrap();
    let png = render::png_pages(&laid, 20.0).remove(0);
    let memo = Document::from_json(&example("memo")).unwrap();
    let prepared = renderer().prepare(&memo).unwrap();
    let plain = renderer()
        .render_pdf(&memo, &RenderOptions::default())
        .unwrap();
    let opts = RenderOptions {
        pdfa: false,
        emblem: Some(png),
        ..RenderOptions::default()
    };
    let with = render::pdf(&renderer().layout(&prepared, None, &opts).unwrap(), &opts).unwrap();
    if poppler() {
        // pdfimages lists the images a PDF carries (and their soft masks),
        // one line each after a header of two.
        let images = |name: &str, pdf: &[u8]| {
            let path = temp_pdf(name, pdf);
            let out = Command::new("pdfimages")
                .arg("-list")
                .arg(&path)
                .output()
                .unwrap();
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .skip(2)
                .filter(|l| l.split_whitespace().nth(2) == Some("image"))
                .count()
        };
        assert_eq!(images("no-emblem", &plain), 0);
        assert_eq!(images("emblem", &with), 1);
    }

    let dir = std::env::temp_dir().join(format!("saraban-emblem-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("memo.json");
    let mut value: Value = serde_json::from_str(&example("memo")).unwrap();
    value =
        serde_json::json!({ "kind": "document", "emblem": "no-such-garuda.png", "main": value });
    std::fs::write(&data, value.to_string()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_saraban"))
        .arg("render")
        .arg(&data)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-garuda.png"));
}

#[test]
fn a_missing_fonts_folder_is_a_clear_error() {
    let err = Renderer::new(&[Path::new("/no/such/fonts")])
        .err()
        .expect("an error");
    assert!(err.to_string().contains("/no/such/fonts"), "{err}");
    // A folder of faces loads them alongside the embedded Laksaman.
    let with = Renderer::new(&[&root().join("fonts")]).unwrap();
    assert!(with.font_families().iter().any(|f| f == "Laksaman"));
}

/// Arabic digits when the office chooses them: dates, numbers, page numbers.
#[test]
fn an_office_can_print_arabic_digits() {
    if !poppler() {
        return;
    }
    let mut value: Value = serde_json::from_str(&example("seed-003")).unwrap();
    value["digits"] = Value::String("arabic".into());
    let pdf = pdf_file("arabic", &value.to_string());
    let text = pdftotext(&pdf.path, None);
    assert!(text.contains("พล 0023.3/2122"), "number");
    assert!(text.contains("24 กุมภาพันธ์ 2564"), "date");
    assert!(text.contains("9,100 บาท (เก้าพันหนึ่งร้อยบาทถ้วน)"), "budget");
    let page2 = norm(&pdftotext(&pdf.path, Some(2)));
    assert!(
        page2.starts_with("-2"),
        "page number: {}",
        page2.chars().take(10).collect::<String>()
    );
}

/// Documents are laid out as "zh" (so that Typst's LSTM segmenter stays off
/// text whose breaks saraban marked) and labelled Thai again: every
/// language a PDF of each kind declares is Thai.
#[test]
fn every_pdf_says_its_text_is_thai() {
    for name in EXAMPLES {
        let pdf = render_json(&example(name));
        let langs: Vec<&[u8]> = pdf.windows(6).filter(|w| w.starts_with(b"/Lang")).collect();
        assert!(!langs.is_empty(), "{name}: no /Lang at all");
        assert!(
            langs.iter().all(|w| *w == b"/Lang("),
            "{name}: a /Lang not written as a string"
        );
        let values: Vec<&[u8]> = pdf
            .windows(10)
            .filter(|w| w.starts_with(b"/Lang("))
            .map(|w| &w[6..9])
            .collect();
        assert!(
            values.iter().all(|v| *v == b"th)"),
            "{name}: {:?}",
            values
                .iter()
                .map(|v| String::from_utf8_lossy(v))
                .collect::<Vec<_>>()
        );
    }
}

/// A letter with a reply form, laid out once; then, per recipient, only the
/// fields that change (number, addressee, the form's link and QR code) are
/// set again. Each result must be what a whole layout for that recipient
/// gives: the same page images, the same text out of pdftotext, and a QR
/// code that zbarimg reads as the new link. An addressee too long for its
/// line, or other options, go back to a whole layout.
#[test]
fn a_personalised_letter_re_sets_only_its_fields_as_a_whole_layout_would() {
    let letter: Value = serde_json::from_str(&example("letter")).unwrap();
    let form: Value = serde_json::from_str(&example("form")).unwrap();
    let doc = serde_json::json!({ "kind": "document", "main": letter, "annexes": [form] });
    let doc = Document::from_json(&doc.to_string()).unwrap();
    let r = renderer();
    let opts = RenderOptions::default();
    let prepared = r.prepare(&doc).unwrap();
    let first = r.layout(&prepared, None, &opts).unwrap();
    assert!(!first.spliced);
    let recipients = [
        ("พล ๐๐๒๓.๓/ว ๑๐๑๗", "นายกองค์การบริหารส่วนตำบลวังยาง", true),
        ("พล ๐๐๒๓.๓/ว ๙", "นายกเทศมนตรีตำบลชมพู", true),
        (
            "พล ๐๐๒๓.๓/ว ๒๒๒๒",
            "นายกองค์การบริหารส่วนตำบลวังยาง นายกองค์การบริหารส่วนตำบลชมพู \
             นายกองค์การบริหารส่วนตำบลบ้านน้อยซุ้มขี้เหล็ก และนายกเทศมนตรีทุกแห่ง",
            false,
        ),
    ];
    for (i, (number, to, fits)) in recipients.into_iter().enumerate() {
        let url = format!("https://forms.example.go.th/r/{i:08x}-ทดสอบ");
        let mut overlay = prepared.recipient().clone();
        overlay["0"]["number"] = serde_json::json!(number);
        overlay["0"]["to"] = serde_json::json!(prepared.text(to));
        overlay["1"]["codes"][0]["url"] = serde_json::json!(url);
        overlay["1"]["codes"][0]["svg"] = serde_json::json!(render::qr::qr_svg(&url).unwrap());
        let like = r
            .layout_like(&prepared, Some(&overlay), &opts, &first)
            .unwrap();
        assert_eq!(like.spliced, fits, "{to}: spliced only when the fields fit");
        let whole = r.layout(&prepared, Some(&overlay), &opts).unwrap();
        assert!(!whole.spliced);
        assert_eq!(like.page_count(), whole.page_count());
        assert!(
            render::png_pages(&like, 72.0) == render::png_pages(&whole, 72.0),
            "{to}: the pages differ from a whole layout's"
        );
        let (a, b) = (
            render::pdf(&like, &opts).unwrap(),
            render::pdf(&whole, &opts).unwrap(),
        );
        let Some(text) = super::mail::pdftotext(&a) else {
            skipped("pdftotext (poppler-utils): the personalised letters' text was not compared");
            return;
        };
        assert_eq!(Some(&text), super::mail::pdftotext(&b).as_ref(), "{to}");
        let flat: String = text.split_whitespace().collect();
        assert!(
            flat.contains(&to.split_whitespace().collect::<String>()),
            "{to}:\n{text}"
        );
        assert!(
            flat.contains(&number.split_whitespace().collect::<String>()),
            "{number}:\n{text}"
        );
        if let Some(codes) = super::replies::qr_codes(&a) {
            assert!(codes.contains(&url), "{url} not among {codes:?}");
        }
    }
    // Another option (an official copy's verification) is a whole layout.
    let official = RenderOptions {
        verification: Some(render::Verification {
            code: "ABCD-EFGH".into(),
            url: "https://saraban.example.go.th/v/ABCD-EFGH".into(),
        }),
        ..RenderOptions::default()
    };
    let other = r
        .layout_like(&prepared, Some(prepared.recipient()), &official, &first)
        .unwrap();
    assert!(!other.spliced, "other options, other pages");
}

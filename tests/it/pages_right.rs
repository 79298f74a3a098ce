//! Every page right (issue 17): annex page numbers and continuation words,
//! overflow, marks and furniture, names kept whole, tables, references and
//! enclosures, the signature's place, seed-003 on two pages, the emblem
//! option, digits in free text, fonts, and the checker. Checked from the
//! outside wherever possible: `pdftotext -bbox` word positions.

use std::path::{Path, PathBuf};
use std::process::Command;

use saraban::model::Document;
use saraban::render::{self, RenderOptions};

use super::render::{example, poppler, renderer, temp_pdf};
use super::support::root;

const CM: f64 = 72.0 / 2.54;

/// One word as pdftotext places it (pt, from the page's top left).
#[derive(Debug, Clone)]
struct Word {
    text: String,
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

struct Page {
    width: f64,
    height: f64,
    words: Vec<Word>,
}

impl Page {
    /// Words grouped into lines (same bottom within 2 pt), top to bottom.
    fn lines(&self) -> Vec<Vec<Word>> {
        let mut words = self.words.clone();
        words.sort_by(|a, b| a.y1.total_cmp(&b.y1).then(a.x0.total_cmp(&b.x0)));
        let mut lines: Vec<Vec<Word>> = Vec::new();
        for w in words {
            match lines.last_mut() {
                Some(l) if (l[0].y1 - w.y1).abs() < 2.0 => l.push(w),
                _ => lines.push(vec![w]),
            }
        }
        for l in &mut lines {
            l.sort_by(|a, b| a.x0.total_cmp(&b.x0));
        }
        lines
    }

    /// Body lines: inside the top and bottom margins.
    fn body_lines(&self) -> Vec<Vec<Word>> {
        self.lines()
            .into_iter()
            .filter(|l| {
                let middle = (l[0].y0 + l[0].y1) / 2.0;
                middle > 2.5 * CM && middle < self.height - 2.0 * CM
            })
            .collect()
    }

    /// The printed page number `- n -` in the top margin, if any.
    fn number(&self) -> Option<u64> {
        let top: String = self
            .words
            .iter()
            .filter(|w| (w.y0 + w.y1) / 2.0 < 2.5 * CM)
            .map(|w| w.text.as_str())
            .collect();
        let start = top.find('-')?;
        let inner = top[start + 1..].strip_suffix('-')?;
        saraban::thai::digits::parse_number(inner)
    }

    /// The continuation words in the bottom margin (`/และขอให้...`).
    fn continuation(&self) -> Option<String> {
        let bottom: String = self
            .words
            .iter()
            .filter(|w| (w.y0 + w.y1) / 2.0 > self.height - 2.0 * CM && w.text != "ลับ")
            .map(|w| w.text.as_str())
            .collect();
        let inner = bottom.strip_prefix('/')?.strip_suffix("...")?;
        Some(inner.to_string())
    }
}

fn line_text(l: &[Word]) -> String {
    l.iter().map(|w| w.text.as_str()).collect()
}

fn attr(tag: &str, name: &str) -> f64 {
    let key = format!("{name}=\"");
    let start = tag.find(&key).unwrap() + key.len();
    let end = start + tag[start..].find('"').unwrap();
    tag[start..end].parse().unwrap()
}

/// Every page's words, from `pdftotext -bbox`.
fn pages(pdf: &Path) -> Vec<Page> {
    let out = Command::new("pdftotext")
        .arg("-bbox")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("run pdftotext");
    let html = String::from_utf8(out.stdout).unwrap();
    let mut pages = Vec::new();
    for line in html.lines() {
        let line = line.trim();
        if line.starts_with("<page ") {
            pages.push(Page {
                width: attr(line, "width"),
                height: attr(line, "height"),
                words: Vec::new(),
            });
        } else if line.starts_with("<word ") {
            let text = line[line.find('>').unwrap() + 1..line.rfind("</word>").unwrap()]
                .replace("&amp;", "&")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"");
            pages.last_mut().unwrap().words.push(Word {
                text,
                x0: attr(line, "xMin"),
                y0: attr(line, "yMin"),
                x1: attr(line, "xMax"),
                y1: attr(line, "yMax"),
            });
        }
    }
    pages
}

fn compact(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn render_file(name: &str, json: &str) -> PathBuf {
    temp_pdf(name, &super::render::render_json(json))
}

fn stress(name: &str) -> String {
    std::fs::read_to_string(
        root()
            .join("tests/data/stress")
            .join(format!("{name}.json")),
    )
    .unwrap()
}

pub const STRESS: &[&str] = &[
    "body-3-pages",
    "long-subject",
    "long-signer",
    "ten-references",
    "fifteen-enclosures",
    "list-schedule",
    "grid-schedule",
    "long-last-paragraph",
    "secret",
];

/// The parts of a rendered document, read from the pages alone: a part
/// starts on a page without a number, and numbers then run 2, 3, ….
fn parts_of(pages: &[Page]) -> Vec<std::ops::Range<usize>> {
    let mut parts: Vec<std::ops::Range<usize>> = Vec::new();
    for (i, p) in pages.iter().enumerate() {
        match (p.number(), parts.last_mut()) {
            (Some(n), Some(r)) => {
                assert_eq!(n as usize, i - r.start + 1, "page {}: number {n}", i + 1);
                r.end = i + 1;
            }
            (Some(n), None) => panic!("page {}: number {n} on the first page", i + 1),
            (None, _) => parts.push(i..i + 1),
        }
    }
    parts
}

/// Each part numbers its own pages, and every page but a part's last
/// carries the first words of the next page as continuation words.
fn assert_pages_right(name: &str, pages: &[Page], expected_parts: usize) {
    let parts = parts_of(pages);
    assert_eq!(parts.len(), expected_parts, "{name}: parts {parts:?}");
    for r in &parts {
        for i in r.clone() {
            let cont = pages[i].continuation();
            if i + 1 == r.end {
                assert_eq!(cont, None, "{name}: page {}, the last of its part", i + 1);
                continue;
            }
            let cont =
                cont.unwrap_or_else(|| panic!("{name}: page {} has no continuation words", i + 1));
            let next = pages[i + 1]
                .body_lines()
                .first()
                .map(|l| line_text(l))
                .unwrap_or_default();
            assert!(
                !cont.is_empty() && compact(&next).starts_with(&compact(&cont)),
                "{name}: page {}: continuation {cont:?}, next page starts {next:?}",
                i + 1
            );
        }
    }
}

#[test]
fn seed_003_letter_on_two_pages_and_every_part_numbered_right() {
    if !poppler() {
        return;
    }
    let pdf = render_file("seed-003", &example("seed-003"));
    let pages = pages(&pdf);
    assert_pages_right("seed-003", &pages, 3);
    let parts = parts_of(&pages);
    assert_eq!(
        parts[0].len(),
        2,
        "the letter is on two pages, as in the original"
    );
    // The project's continuation words name its section ๙ where it starts a page.
    let last_words = pages.last().unwrap().continuation();
    assert_eq!(last_words, None, "no stray continuation on the last page");
}

#[test]
fn stress_documents_number_their_parts_and_carry_continuation_words() {
    if !poppler() {
        return;
    }
    for name in STRESS {
        let json = stress(name);
        let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
        let parts = 1 + doc["annexes"].as_array().map_or(0, Vec::len);
        let pdf = render_file(name, &json);
        assert_pages_right(name, &pages(&pdf), parts);
    }
}

#[test]
fn a_long_last_paragraph_breaks_and_keeps_two_lines_with_the_closing() {
    if !poppler() {
        return;
    }
    // The stress letter, and the same with its last paragraph grown a
    // sentence at a time, so that the closing meets the foot of a page at
    // every distance.
    let base: serde_json::Value = serde_json::from_str(&stress("long-last-paragraph")).unwrap();
    let last = base["body"][1].as_str().unwrap().to_string();
    let mut split_seen = false;
    for k in 0..8 {
        let mut doc = base.clone();
        doc["body"][1] = serde_json::json!(format!(
            "{last}{}",
            " ทั้งนี้ ให้รายงานผลการดำเนินงานต่อจังหวัดภายในกำหนด".repeat(k)
        ));
        let pdf = render_file("long-last", &doc.to_string());
        let pages = pages(&pdf);
        for (i, p) in pages.iter().enumerate() {
            for w in &p.words {
                assert!(
                    w.y1 <= p.height - 0.5 * CM,
                    "k={k} page {}: {} runs off the page",
                    i + 1,
                    w.text
                );
            }
        }
        // Page 1 is full: the long paragraph starts on it and breaks there.
        let first = pages[0].body_lines();
        assert!(
            first.last().unwrap()[0].y1 > pages[0].height - 4.0 * CM,
            "k={k}: page 1 is left mostly empty"
        );
        let (pi, li) = pages
            .iter()
            .enumerate()
            .find_map(|(i, p)| {
                p.body_lines()
                    .iter()
                    .position(|l| line_text(l) == "ขอแสดงความนับถือ")
                    .map(|l| (i, l))
            })
            .expect("the closing is printed");
        assert!(pi > 0, "k={k}: the paragraph runs on from an earlier page");
        assert!(
            li >= 2,
            "k={k}: the closing has only {li} lines of the paragraph above it"
        );
        split_seen |= li == 2;
    }
    assert!(
        split_seen,
        "some length needs the split: exactly two lines travel with the closing"
    );
}

#[test]
fn secrecy_marks_and_page_numbers_sit_where_offices_put_them() {
    if !poppler() {
        return;
    }
    let pdf = render_file("secret", &stress("secret"));
    let pages = pages(&pdf);
    assert!(pages.len() >= 2);
    for (i, p) in pages.iter().enumerate() {
        let marks: Vec<&Word> = p.words.iter().filter(|w| w.text == "ลับ").collect();
        assert_eq!(marks.len(), 2, "page {}: a mark top and bottom", i + 1);
        for m in marks {
            let centre = (m.x0 + m.x1) / 2.0;
            assert!(
                (centre - (3.0 * CM + 8.0 * CM)).abs() < 0.5 * CM,
                "centred on the text block"
            );
        }
    }
    // The marks' ink (red pixels near the centre line) keeps 1 cm from
    // the paper's top and bottom edges on every page.
    for (i, (top, bottom, height)) in red_ink_rows(&pdf).into_iter().enumerate() {
        assert!(
            top >= 1.0 * CM,
            "page {}: mark's ink {:.2} cm from the top",
            i + 1,
            top / CM
        );
        assert!(
            height - bottom >= 1.0 * CM,
            "page {}: mark's ink {:.2} cm from the bottom",
            i + 1,
            (height - bottom) / CM
        );
    }
    // A plain letter's page number: about 1.5 cm from the top.
    let pdf = render_file("body", &stress("body-3-pages"));
    for p in pages_of(&pdf).iter().skip(1) {
        let dash = p
            .words
            .iter()
            .find(|w| w.y1 < 2.5 * CM)
            .expect("a page number");
        let middle = (dash.y0 + dash.y1) / 2.0 / CM;
        assert!(
            (1.2..=1.9).contains(&middle),
            "page number at {middle:.2} cm"
        );
    }
}

fn pages_of(pdf: &Path) -> Vec<Page> {
    pages(pdf)
}

/// Per page: the first and last rows (pt from the top) holding red ink
/// within 3 cm of the text block's centre line, and the page's height.
fn red_ink_rows(pdf: &Path) -> Vec<(f64, f64, f64)> {
    let dir = std::env::temp_dir().join(format!("saraban-ink-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let prefix = dir.join(pdf.file_stem().unwrap());
    let ok = Command::new("pdftoppm")
        .args(["-r", "72", "-png"])
        .arg(pdf)
        .arg(&prefix)
        .status()
        .unwrap();
    assert!(ok.success());
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().starts_with(&*prefix.to_string_lossy()))
        .collect();
    files.sort_by_key(|p| {
        let s = p.file_stem().unwrap().to_string_lossy().to_string();
        s.rsplit('-').next().unwrap().parse::<usize>().unwrap()
    });
    files
        .iter()
        .map(|f| {
            let decoder =
                png::Decoder::new(std::io::BufReader::new(std::fs::File::open(f).unwrap()));
            let mut reader = decoder.read_info().unwrap();
            let mut buf = vec![0; reader.output_buffer_size().unwrap()];
            let info = reader.next_frame(&mut buf).unwrap();
            let channels = info.line_size / info.width as usize;
            let centre = (3.0 * CM + 8.0 * CM) as usize;
            let (mut top, mut bottom) = (f64::MAX, 0.0f64);
            for y in 0..info.height as usize {
                for x in centre - 85..centre + 85 {
                    let px = &buf[y * info.line_size + x * channels..];
                    if px[0] > 150 && px[1] < 90 && px[2] < 90 {
                        top = top.min(y as f64);
                        bottom = bottom.max(y as f64 + 1.0);
                    }
                }
            }
            (top, bottom, f64::from(info.height))
        })
        .collect()
}

/// Whether `protected` straddles the end of any line of the document.
fn broken_across_lines(pages: &[Page], protected: &str) -> Option<String> {
    let want = compact(protected);
    for p in pages {
        let lines = p.body_lines();
        for pair in lines.windows(2) {
            let a = compact(&line_text(&pair[0]));
            let b = compact(&line_text(&pair[1]));
            let joined = format!("{a}{b}");
            for (s, m) in joined.match_indices(&want) {
                if s < a.len() && a.len() < s + m.len() {
                    return Some(format!("{a} | {b}"));
                }
            }
        }
    }
    None
}

#[test]
fn names_places_amounts_and_dates_are_never_broken_across_lines() {
    if !poppler() {
        return;
    }
    let phrases = [
        "ตำบลวังยาง",
        "พระมหาธรรมราชาลิไท",
        "ร้อยละ ๗๐",
        "ทางไกล",
        "เข้าร่วม",
        "อาหารกลางวัน",
        "(ห้าพันสี่ร้อยบาทถ้วน)",
        "จำนวน ๑ คน",
        "ลงวันที่ ๒ พฤษภาคม ๒๕๖๗",
        "นายสมชาย ประเสริฐวงศ์ตระกูล",
        "อำเภอเนินมะปราง",
    ];
    // The phrases at every offset along a line: fillers of growing length.
    let mut body = Vec::new();
    for k in 0..36 {
        let filler = format!("{}{}", "ให้ดำเนินการ".repeat(k % 9), "และ".repeat(k / 9));
        body.push(format!(
            "{filler}{} {}",
            phrases[k % phrases.len()],
            phrases.join(" ")
        ));
    }
    body.push("จึงเรียนมาเพื่อทราบ".into());
    let mut doc: serde_json::Value = serde_json::from_str(&example("letter")).unwrap();
    doc["body"] = serde_json::json!(body);
    doc["signer"]["name"] = serde_json::json!("ว่าที่ร้อยตรีหญิงศรีสุดาพรรณวิไล ประเสริฐวงศ์ตระกูลวัฒนา");
    let pdf = render_file("names", &doc.to_string());
    let pages = pages(&pdf);
    for phrase in phrases {
        if let Some(at) = broken_across_lines(&pages, phrase) {
            panic!("{phrase} broken: {at}");
        }
    }
    // The signer's name on one line.
    let signer = compact("(ว่าที่ร้อยตรีหญิงศรีสุดาพรรณวิไล ประเสริฐวงศ์ตระกูลวัฒนา)");
    assert!(
        pages
            .iter()
            .any(|p| p.lines().iter().any(|l| compact(&line_text(l)) == signer)),
        "the signer's name is split"
    );
}

#[test]
fn a_paragraph_opening_on_a_name_keeps_its_indent() {
    if !poppler() {
        return;
    }
    let pdf = render_file("seed-003-indent", &example("seed-003"));
    let pages = pages(&pdf);
    let first = pages
        .iter()
        .flat_map(|p| p.words.iter())
        .find(|w| w.text.starts_with("และขอให้อำเภอ"))
        .expect("the paragraph is printed");
    assert!(
        (first.x0 - 5.5 * CM).abs() < 0.1 * CM,
        "starts at {:.2} cm, not 5.50",
        first.x0 / CM
    );
}

#[test]
fn grid_schedule_rows_whole_headers_and_break_cell_on_every_page() {
    if !poppler() {
        return;
    }
    let pdf = render_file("grid", &stress("grid-schedule"));
    let pages = pages(&pdf);
    let parts = parts_of(&pages);
    let grid = parts[1].clone();
    assert!(grid.len() >= 2, "the grid spans pages");
    for i in grid {
        let p = &pages[i];
        let text = compact(&p.words.iter().map(|w| w.text.as_str()).collect::<String>());
        assert!(
            text.contains("รับประทาน"),
            "page {}: the break cell's words",
            i + 1
        );
        // Each day label's page also holds that day's header row, above it.
        let days: Vec<&Word> = p
            .words
            .iter()
            .filter(|w| w.text.starts_with("วัน") && w.text.ends_with("ที่"))
            .collect();
        let headers: Vec<&Word> = p.words.iter().filter(|w| w.text == "เวลา").collect();
        assert!(!days.is_empty(), "page {}: days", i + 1);
        assert_eq!(
            days.len(),
            headers.len(),
            "page {}: a header row per day (rows never split)",
            i + 1
        );
        let first_body = p.body_lines()[0].clone();
        assert!(
            p.body_lines()
                .iter()
                .take(4)
                .any(|l| line_text(l).contains("เวลา"))
                || i == parts[1].start,
            "page {}: starts with a header row, not {:?}",
            i + 1,
            line_text(&first_body)
        );
        // Cell text inside the page's rules: nothing past the right margin.
        for w in p.body_lines().iter().flatten() {
            assert!(
                w.x1 <= p.width - 2.0 * CM + 1.0,
                "page {}: {} past the edge",
                i + 1,
                w.text
            );
        }
    }
}

#[test]
fn list_schedule_items_whole_heading_kept_and_dash_style() {
    if !poppler() {
        return;
    }
    let pdf = render_file("list", &stress("list-schedule"));
    let pages = pages(&pdf);
    let parts = parts_of(&pages);
    assert_eq!(parts.len(), 3);
    for r in &parts[1..] {
        assert!(r.len() >= 2, "the schedule spans pages");
        for i in r.clone() {
            // An item never splits: a page of the schedule never starts
            // with an item's second line (the `(ด้าน…)` or `หรือผู้แทน` lines).
            let first = line_text(&pages[i].body_lines()[0]);
            assert!(
                !first.starts_with("(ด้าน")
                    && !first.starts_with("หรือผู้แทน")
                    && !first.starts_with("โดย"),
                "page {}: starts inside an item: {first}",
                i + 1
            );
            // The title's last line is never one short word.
            for l in pages[i].lines() {
                assert_ne!(
                    line_text(&l),
                    "๒๕๖๗",
                    "page {}: a one-word title line",
                    i + 1
                );
            }
        }
    }
    // The dash style: `- ๐๘.๐๐ - ๐๘.๒๙ น.` opens an item's line.
    let dash_part = &pages[parts[2].start];
    assert!(
        dash_part
            .lines()
            .iter()
            .any(|l| compact(&line_text(l)).starts_with("-๐๘.๐๐-๐๘.๒๙น.")),
        "dash-list items"
    );
}

#[test]
fn references_numbered_and_enclosure_quantities_in_a_column() {
    if !poppler() {
        return;
    }
    let pdf = render_file("refs", &stress("ten-references"));
    let text = compact(
        &pages(&pdf)
            .iter()
            .flat_map(|p| p.words.iter().map(|w| w.text.clone()))
            .collect::<String>(),
    );
    for n in ["๑.หนังสือ", "๒.หนังสือ", "๑๐.หนังสือ"]
    {
        assert!(text.contains(n), "reference {n}");
    }
    let pdf = render_file("encl", &stress("fifteen-enclosures"));
    let pages = pages(&pdf);
    let mut xs = Vec::new();
    for p in &pages {
        for l in p.lines() {
            if let Some(q) = l.iter().position(|w| w.text == "จำนวน") {
                assert!(q > 0, "a quantity alone on a line: {}", line_text(&l));
                xs.push(l[q].x0);
            }
        }
    }
    assert_eq!(xs.len(), 15);
    let min = xs.iter().copied().fold(f64::MAX, f64::min);
    let max = xs.iter().copied().fold(f64::MIN, f64::max);
    assert!(
        max - min < 1.0,
        "quantities in one column: {min:.1}..{max:.1}"
    );
}

#[test]
fn the_signature_is_centred_under_the_closing() {
    if !poppler() {
        return;
    }
    for name in ["letter", "seed-003"] {
        let pdf = render_file(name, &example(name));
        let pages = pages(&pdf);
        let lines: Vec<Vec<Word>> = pages.iter().flat_map(|p| p.lines()).collect();
        let c = lines
            .iter()
            .position(|l| line_text(l) == "ขอแสดงความนับถือ")
            .unwrap();
        let centre = |l: &[Word]| (l[0].x0 + l.last().unwrap().x1) / 2.0;
        let closing = centre(&lines[c]);
        let name_line = lines[c + 1..]
            .iter()
            .find(|l| line_text(l).starts_with('('))
            .unwrap();
        assert!(
            (centre(name_line) - closing).abs() < 3.0,
            "{name}: name centred at {:.1}, closing at {closing:.1}",
            centre(name_line)
        );
    }
}

#[test]
fn every_kind_takes_emblem_and_names_and_official_copies_have_no_placeholder() {
    let mut memo: serde_json::Value = serde_json::from_str(&example("memo")).unwrap();
    memo["names"] = serde_json::json!(["กลุ่มงานส่งเสริมการบริหารกิจการบ้านเมืองที่ดีท้องถิ่น"]);
    memo["emblem"] = serde_json::json!("emblem.png");
    let doc = Document::from_json(&memo.to_string()).expect("a memo takes names and emblem");
    assert_eq!(doc.emblem.as_deref(), Some("emblem.png"));
    assert_eq!(doc.names.len(), 1);
    // The dashed frame prints on drafts only.
    let letter = Document::from_json(&example("letter")).unwrap();
    let prepared = renderer().prepare(&letter).unwrap();
    let dashed = |official: bool| {
        let opts = RenderOptions {
            official,
            ..RenderOptions::default()
        };
        let laid = renderer().layout(&prepared, None, &opts).unwrap();
        laid.doc.pages().iter().any(|p| has_dash(&p.frame))
    };
    assert!(dashed(false), "a draft shows where the emblem goes");
    assert!(!dashed(true), "an official copy has no placeholder");
}

fn has_dash(frame: &typst::layout::Frame) -> bool {
    frame.items().any(|(_, item)| match item {
        typst::layout::FrameItem::Group(g) => has_dash(&g.frame),
        typst::layout::FrameItem::Shape(shape, _) => {
            shape.stroke.as_ref().is_some_and(|s| s.dash.is_some())
        }
        _ => false,
    })
}

#[test]
fn thai_digits_in_free_text_but_not_in_latin_words() {
    if !poppler() {
        return;
    }
    let mut doc: serde_json::Value = serde_json::from_str(&example("letter")).unwrap();
    doc["digits"] = serde_json::json!("thai");
    doc["subject"] = serde_json::json!("การประชุมครั้งที่ 3/2567");
    doc["body"] = serde_json::json!([
        "ขอให้รายงานภายใน 15 วัน ตามมาตรการป้องกันโรค COVID-19 และ (COVID - 19) ดูได้ที่ https://www.dla.go.th/x2024 หรือ www.pitloklocal.org หรือ saraban1@dla.go.th",
        "จึงเรียนมาเพื่อทราบ"
    ]);
    doc["references"] =
        serde_json::json!([{ "text": "หนังสือกรม ที่ มท 0810.7/ว 333 ลงวันที่ 19 กุมภาพันธ์ 2564" }]);
    let pdf = render_file("digits", &doc.to_string());
    let text = compact(
        &pages(&pdf)
            .iter()
            .flat_map(|p| p.words.iter().map(|w| w.text.clone()))
            .collect::<String>(),
    );
    for want in [
        "ครั้งที่๓/๒๕๖๗",
        "ภายใน๑๕วัน",
        "COVID-19",
        "(COVID-19)",
        "https://www.dla.go.th/x2024",
        "saraban1@dla.go.th",
        "๑๙กุมภาพันธ์๒๕๖๔",
    ] {
        assert!(text.contains(want), "{want} in {text}");
    }
}

#[test]
fn any_thai_family_can_be_named_and_unusable_faces_are_reported() {
    if !poppler() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("saraban-fonts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Laksaman under another family name (same length, so the name table
    // stays valid), and a file that is not a font at all.
    let face = std::fs::read(root().join("fonts/Laksaman.ttf")).unwrap();
    let from: Vec<u8> = "Laksaman"
        .encode_utf16()
        .flat_map(u16::to_be_bytes)
        .collect();
    let to: Vec<u8> = "Sarabanx"
        .encode_utf16()
        .flat_map(u16::to_be_bytes)
        .collect();
    let mut renamed = face.clone();
    let mut i = 0;
    while i + from.len() <= renamed.len() {
        if renamed[i..i + from.len()] == from[..] {
            renamed[i..i + from.len()].copy_from_slice(&to);
        }
        if renamed[i..].starts_with(b"Laksaman") {
            renamed[i..i + 8].copy_from_slice(b"Sarabanx");
        }
        i += 1;
    }
    std::fs::write(dir.join("Sarabanx.ttf"), renamed).unwrap();
    std::fs::write(dir.join("broken.ttf"), b"not a font").unwrap();
    // Through the library (the CLI passes `--fonts` and `--font-family`
    // straight to these calls).
    let r = saraban::render::Renderer::new(&[dir.as_path()]).unwrap();
    assert!(
        r.font_problems().iter().any(|p| p.contains("broken.ttf")),
        "the unusable file is reported: {:?}",
        r.font_problems()
    );
    let r = r
        .with_family("Sarabanx")
        .expect("any Thai family in --fonts");
    let doc = Document::from_json(&example("memo")).unwrap();
    let out = dir.join("out.pdf");
    std::fs::write(&out, r.render_pdf(&doc, &RenderOptions::default()).unwrap()).unwrap();
    let fonts = Command::new("pdffonts").arg(&out).output().unwrap();
    let listed = String::from_utf8_lossy(&fonts.stdout);
    assert!(
        listed.contains("Sarabanx"),
        "the named family is used: {listed}"
    );
    // An unknown family is an error naming the families there are.
    let err = saraban::render::Renderer::new(&[])
        .unwrap()
        .with_family("No Such Face")
        .err()
        .expect("an unknown family is refused")
        .to_string();
    assert!(err.contains("Laksaman"), "{err}");
}

#[test]
fn the_checker_finds_nothing_wrong_in_examples_and_stress_documents() {
    let mut docs: Vec<(String, String)> = super::render::EXAMPLES
        .iter()
        .map(|n| (n.to_string(), example(n)))
        .collect();
    docs.extend(STRESS.iter().map(|n| (n.to_string(), stress(n))));
    for (name, json) in docs {
        let doc = Document::from_json(&json).unwrap();
        let prepared = renderer().prepare(&doc).unwrap();
        let laid = renderer()
            .layout(&prepared, None, &RenderOptions::default())
            .unwrap();
        let report = render::check::check_with(&laid.doc, &prepared);
        assert_eq!(report.breaks_inside_words, 0, "{name}: {:?}", report.issues);
        assert_eq!(report.outside_printable, 0, "{name}: {:?}", report.issues);
        assert_eq!(report.overlaps, 0, "{name}: {:?}", report.issues);
        assert_eq!(report.furniture, 0, "{name}: {:?}", report.issues);
        assert_eq!(report.broken_names, 0, "{name}: {:?}", report.issues);
        assert!(
            report.widest_gap <= render::check::MAX_GAP,
            "{name}: gap {}",
            report.widest_gap
        );
    }
}

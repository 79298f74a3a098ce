//! The Thai line-quality checker (`saraban render --check`).
//!
//! Measured from the laid-out frames, not eyeballed: every line that ends
//! inside a dictionary word, and the widest gap on each line compared with
//! a normal space of its font.

use serde::Serialize;
use typst_layout::PagedDocument;

use super::breaks::{is_thai_letter, word_boundaries};
use super::pages::{Line, body_lines};

/// The widest gap a justified line may have, in normal spaces.
pub const MAX_GAP: f64 = 2.0;

/// The text of every stretch of a body line (runs that touch; a label and
/// its text in another column are separate stretches) whose widest gap
/// exceeds `max`.
pub fn wide_lines(doc: &PagedDocument, max: f64) -> Vec<String> {
    let mut out = Vec::new();
    for page in doc.pages() {
        for line in body_lines(&page.frame) {
            let mut stretch: Vec<super::pages::Run> = Vec::new();
            let mut flush = |stretch: &mut Vec<super::pages::Run>| {
                let part = Line {
                    baseline: line.baseline,
                    runs: std::mem::take(stretch),
                };
                if widest_gap(&part) > max {
                    out.push(part.text());
                }
            };
            for run in &line.runs {
                if let Some(last) = stretch.last()
                    && (run.pos.x - (last.pos.x + last.item.width())).to_pt() > 2.0
                {
                    flush(&mut stretch);
                }
                stretch.push(super::pages::Run {
                    pos: run.pos,
                    item: run.item,
                });
            }
            flush(&mut stretch);
        }
    }
    out
}

/// The right margin (templates/typst/lib.typ).
const RIGHT_EDGE: f64 = 2.0 * 72.0 / 2.54;

/// One line that needs a look.
#[derive(Debug, Clone, Serialize)]
pub struct LineIssue {
    pub page: usize,
    pub line: usize,
    /// The end of this line and the start of the next, around the break.
    pub context: String,
    pub kind: IssueKind,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum IssueKind {
    /// The line ends inside a word.
    BreakInsideWord,
    /// A gap wider than twice a normal space (the ratio).
    WideGap(f64),
    /// Text outside the printable area: body text past the margins, or any
    /// text closer than 1 cm to the paper's edge.
    OutsidePrintable,
    /// Text printed over other text.
    Overlap,
    /// Page furniture out of place: a page number missing, or not about
    /// 1.5 cm from the top; a secrecy mark closer than 1 cm to the edge.
    Furniture,
    /// A name the document knows broken across two lines.
    BrokenName,
}

/// What the checker found over a whole document.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub pages: usize,
    pub lines: usize,
    pub breaks_inside_words: usize,
    /// The widest gap on any line, in normal spaces.
    pub widest_gap: f64,
    /// The median over lines of each line's widest gap, in normal spaces.
    pub median_line_gap: f64,
    /// Runs of text outside the printable area.
    pub outside_printable: usize,
    /// Runs of text printed over other text.
    pub overlaps: usize,
    /// Page numbers and marks out of place.
    pub furniture: usize,
    /// Known names broken across lines.
    pub broken_names: usize,
    pub issues: Vec<LineIssue>,
}

/// The widest gap on a line in units of the font's normal space: a space's
/// whole advance plus the tracking added after the glyph before it (which
/// widens the same hole), or the tracking added after any other glyph.
fn widest_gap(line: &Line) -> f64 {
    let mut widest: f64 = 0.0;
    for run in &line.runs {
        let item = run.item;
        let space = item
            .font
            .ttf()
            .glyph_index(' ')
            .and_then(|g| item.font.x_advance(g.0))
            .map(|em| em.at(item.size).to_pt())
            .filter(|w| *w > 0.0);
        let Some(space) = space else { continue };
        let mut tracking_before: f64 = 0.0;
        for glyph in &item.glyphs {
            let text = &item.text[glyph.range()];
            let advance = glyph.x_advance.at(item.size).to_pt();
            let natural = item
                .font
                .x_advance(glyph.id)
                .map(|e| e.at(item.size).to_pt())
                .unwrap_or(advance);
            let extra = advance - natural;
            let gap = if text == " " {
                advance + tracking_before.max(0.0)
            } else {
                extra
            };
            tracking_before = if text == " " { 0.0 } else { extra };
            widest = widest.max(gap / space);
        }
    }
    widest
}

/// Checks every body line of every page.
pub fn check(doc: &PagedDocument) -> Report {
    let mut issues = Vec::new();
    let mut lines_seen = 0;
    let mut gaps: Vec<f64> = Vec::new();
    let mut breaks_inside = 0;
    for (p, page) in doc.pages().iter().enumerate() {
        let lines = body_lines(&page.frame);
        for (i, line) in lines.iter().enumerate() {
            lines_seen += 1;
            let gap = widest_gap(line);
            gaps.push(gap);
            if gap > MAX_GAP {
                issues.push(LineIssue {
                    page: p + 1,
                    line: i + 1,
                    context: tail(&line.text(), 30),
                    kind: IssueKind::WideGap((gap * 100.0).round() / 100.0),
                });
            }
            let Some(next) = lines.get(i + 1) else {
                continue;
            };
            // Only a line that runs on into the next: it is full (reaches the
            // right edge) and the next follows directly below it.
            let full = line.right() > page.frame.width().to_pt() - RIGHT_EDGE - 24.0;
            // Table rows (several separate stretches) are not running text.
            let single = stretches(line) == 1 && stretches(next) == 1;
            let same_block = full && single && next.baseline - line.baseline < 40.0;
            let end = line.text();
            let start = next.text();
            let (Some(a), Some(b)) = (end.chars().next_back(), start.chars().next()) else {
                continue;
            };
            if !same_block || !is_thai_letter(a) || !is_thai_letter(b) {
                continue;
            }
            let left = tail(&end, 40);
            let joined = format!("{left}{}", head(&start, 40));
            if !word_boundaries(&joined).contains(&left.len()) {
                breaks_inside += 1;
                issues.push(LineIssue {
                    page: p + 1,
                    line: i + 1,
                    context: format!("{}|{}", tail(&end, 20), head(&start, 20)),
                    kind: IssueKind::BreakInsideWord,
                });
            }
        }
    }
    gaps.sort_by(f64::total_cmp);
    let median = gaps.get(gaps.len() / 2).copied().unwrap_or(0.0);
    Report {
        pages: doc.pages().len(),
        lines: lines_seen,
        breaks_inside_words: breaks_inside,
        widest_gap: (gaps.last().copied().unwrap_or(0.0) * 100.0).round() / 100.0,
        median_line_gap: (median * 100.0).round() / 100.0,
        outside_printable: 0,
        overlaps: 0,
        furniture: 0,
        broken_names: 0,
        issues,
    }
}

/// Everything [`check`] measures, plus the page as a whole: text outside
/// the printable area, text over text, page furniture out of place, and
/// names the document knows broken across lines.
pub fn check_with(doc: &PagedDocument, prepared: &super::Prepared) -> Report {
    let mut report = check(doc);
    let cm = 72.0 / 2.54;
    let parts = super::pages::part_ranges(doc);
    for (p, page) in doc.pages().iter().enumerate() {
        let (w, h) = (page.frame.width().to_pt(), page.frame.height().to_pt());
        let boxes = super::pages::text_boxes(&page.frame);
        let issue = |report: &mut Report, kind: IssueKind, context: String| {
            match kind {
                IssueKind::OutsidePrintable => report.outside_printable += 1,
                IssueKind::Overlap => report.overlaps += 1,
                IssueKind::Furniture => report.furniture += 1,
                IssueKind::BrokenName => report.broken_names += 1,
                _ => {}
            }
            report.issues.push(LineIssue {
                page: p + 1,
                line: 0,
                context,
                kind,
            });
        };
        let flipped = w > h;
        let (left, right) = if flipped {
            (cm * 1.0, cm * 1.0)
        } else {
            (3.0 * cm, RIGHT_EDGE)
        };
        for b in &boxes {
            let in_body = b.top >= super::pages::MARGIN_TOP - 1.0
                && b.bottom <= h - super::pages::MARGIN_BOTTOM + 4.0;
            // Justified lines may end a hair past the edge (the tracking after
            // their last glyph): 0.15 cm is allowed.
            let past_margins = in_body && (b.left < left - 4.0 || b.right > w - right + 4.25);
            let near_edge = b.top < cm || b.bottom > h - cm || b.left < cm || b.right > w - cm;
            let past_bottom = b.top < h - super::pages::MARGIN_BOTTOM
                && b.baseline > h - super::pages::MARGIN_BOTTOM + 2.0
                && b.top > super::pages::MARGIN_TOP;
            if past_margins || near_edge || past_bottom {
                issue(&mut report, IssueKind::OutsidePrintable, b.text.clone());
            }
        }
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                let dx = a.right.min(b.right) - a.left.max(b.left);
                let dy = a.bottom.min(b.bottom) - a.top.max(b.top);
                // Runs of one line touch; text over text overlaps both ways.
                if dx > 2.0 && dy > 4.0 && (a.baseline - b.baseline).abs() > 1.0 {
                    issue(
                        &mut report,
                        IssueKind::Overlap,
                        format!("{} / {}", a.text, b.text),
                    );
                }
            }
        }
        // Furniture: every page but a part's first carries `- n -` about
        // 1.5 cm from the top (its glyphs between 1 and 2.2 cm).
        let first_of_part = parts.iter().any(|r| r.start == p);
        let number = boxes.iter().find(|b| {
            b.top < super::pages::MARGIN_TOP
                && b.text.trim().starts_with('-')
                && b.text.trim().ends_with('-')
        });
        match (first_of_part, number) {
            (false, None) => issue(&mut report, IssueKind::Furniture, "no page number".into()),
            (_, Some(n)) if n.baseline < 1.0 * cm || n.baseline > 2.4 * cm => issue(
                &mut report,
                IssueKind::Furniture,
                format!("page number {:.2} cm from the top", n.baseline / cm),
            ),
            (true, Some(_)) => issue(
                &mut report,
                IssueKind::Furniture,
                "a number on a part's first page".into(),
            ),
            _ => {}
        }
    }
    // Names broken across lines.
    let names = &prepared.view.names;
    for (p, page) in doc.pages().iter().enumerate() {
        let lines = body_lines(&page.frame);
        for pair in lines.windows(2) {
            if pair[1].baseline - pair[0].baseline > 40.0
                || stretches(&pair[0]) != 1
                || stretches(&pair[1]) != 1
            {
                continue;
            }
            let end: String = pair[0]
                .text()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let start: String = pair[1]
                .text()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let cut = end.len();
            let joined = format!("{end}{start}");
            let broken = names.iter().chain(super::breaks::place_names()).find(|n| {
                let n: String = n.chars().filter(|c| !c.is_whitespace()).collect();
                n.chars().count() >= 3
                    && joined
                        .match_indices(n.as_str())
                        .any(|(s, m)| s < cut && cut < s + m.len())
            });
            if let Some(name) = broken {
                report.broken_names += 1;
                report.issues.push(LineIssue {
                    page: p + 1,
                    line: 0,
                    context: format!("{}|{} ({name})", tail(&end, 20), head(&start, 20)),
                    kind: IssueKind::BrokenName,
                });
            }
        }
    }
    report
}

/// How many separate stretches a line has (runs more than 2 pt apart).
fn stretches(line: &Line) -> usize {
    1 + line
        .runs
        .windows(2)
        .filter(|w| (w[1].pos.x - (w[0].pos.x + w[0].item.width())).to_pt() > 2.0)
        .count()
}

fn tail(s: &str, n: usize) -> String {
    let count = s.chars().count();
    s.chars().skip(count.saturating_sub(n)).collect()
}

fn head(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

//! Reading laid-out pages back: lines of text in the body area, and the
//! continuation words (`/และขอให้...`) that a page's footer must show.

use typst::layout::{Frame, FrameItem, Point};
use typst::text::TextItem;
use typst_layout::PagedDocument;

use super::breaks::word_boundaries;

/// The templates' margins (templates/typst/lib.typ): text outside them is
/// page furniture (page numbers, marks, continuation words).
pub const MARGIN_TOP: f64 = 2.5 * 72.0 / 2.54;
pub const MARGIN_BOTTOM: f64 = 2.0 * 72.0 / 2.54;

/// One run of text at its absolute position.
pub struct Run<'a> {
    pub pos: Point,
    pub item: &'a TextItem,
}

/// A line: runs sharing a baseline, left to right.
pub struct Line<'a> {
    pub baseline: f64,
    pub runs: Vec<Run<'a>>,
}

impl Line<'_> {
    pub fn text(&self) -> String {
        self.runs.iter().map(|r| r.item.text.as_str()).collect()
    }

    pub fn right(&self) -> f64 {
        self.runs
            .last()
            .map(|r| (r.pos.x + r.item.width()).to_pt())
            .unwrap_or(0.0)
    }
}

fn collect<'a>(frame: &'a Frame, offset: Point, out: &mut Vec<Run<'a>>) {
    for (pos, item) in frame.items() {
        let at = offset + *pos;
        match item {
            FrameItem::Group(g) => {
                let t = g.transform;
                collect(&g.frame, at + Point::new(t.tx, t.ty), out);
            }
            FrameItem::Text(text) => out.push(Run {
                pos: at,
                item: text,
            }),
            _ => {}
        }
    }
}

/// The lines in a page's body area (between the top and bottom margins),
/// top to bottom. Runs whose baselines differ by less than 1 pt share a line.
pub fn body_lines(frame: &Frame) -> Vec<Line<'_>> {
    let mut runs = Vec::new();
    collect(frame, Point::zero(), &mut runs);
    let bottom = frame.height().to_pt() - MARGIN_BOTTOM;
    runs.retain(|r| {
        let y = r.pos.y.to_pt();
        y > MARGIN_TOP && y < bottom + 1.0
    });
    runs.sort_by(|a, b| {
        a.pos
            .y
            .to_pt()
            .total_cmp(&b.pos.y.to_pt())
            .then(a.pos.x.to_pt().total_cmp(&b.pos.x.to_pt()))
    });
    let mut lines: Vec<Line> = Vec::new();
    for run in runs {
        let y = run.pos.y.to_pt();
        match lines.last_mut() {
            Some(line) if (line.baseline - y).abs() < 1.0 => line.runs.push(run),
            _ => lines.push(Line {
                baseline: y,
                runs: vec![run],
            }),
        }
    }
    for line in &mut lines {
        line.runs
            .sort_by(|a, b| a.pos.x.to_pt().total_cmp(&b.pos.x.to_pt()));
    }
    lines
}

/// The first words of `text`: whole dictionary words until at least six
/// visible characters are taken (`และขอให้`, `๙. ผลที่`).
pub fn first_words(text: &str) -> String {
    let text = text.trim();
    let mut end = 0;
    for b in word_boundaries(text).into_iter().skip(1) {
        end = b;
        let visible = text[..b].chars().filter(|c| !c.is_whitespace()).count();
        if visible >= 6 {
            break;
        }
    }
    text[..end].trim_end().to_string()
}

/// The page number printed in the header (`- ๒ -`), as a reader sees it;
/// `None` on a part's first page, which carries none.
pub fn printed_page_number(frame: &Frame) -> Option<u64> {
    let mut runs = Vec::new();
    collect(frame, Point::zero(), &mut runs);
    let header: String = runs
        .iter()
        .filter(|r| r.pos.y.to_pt() < MARGIN_TOP)
        .map(|r| r.item.text.as_str())
        .collect();
    let compact: String = header.chars().filter(|c| !c.is_whitespace()).collect();
    // The secrecy mark may share the header; the number sits between dashes.
    let start = compact.find('-')?;
    let inner = compact[start + 1..].strip_suffix('-')?;
    crate::thai::digits::parse_number(inner)
}

/// The parts of a document: each starts on a page without a printed page
/// number (every part numbers its own pages from 1, printing from 2).
pub fn part_ranges(doc: &PagedDocument) -> Vec<std::ops::Range<usize>> {
    let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
    for (i, page) in doc.pages().iter().enumerate() {
        match ranges.last_mut() {
            Some(r) if printed_page_number(&page.frame).is_some() => r.end = i + 1,
            _ => ranges.push(i..i + 1),
        }
    }
    ranges
}

/// For each part, for each page but the last: the first words of the next
/// page's body.
pub fn continuation_words(doc: &PagedDocument) -> Vec<Vec<String>> {
    let pages = doc.pages();
    part_ranges(doc)
        .into_iter()
        .map(|range| {
            range
                .clone()
                .skip(1)
                .map(|next| {
                    body_lines(&pages[next].frame)
                        .first()
                        .map(|l| first_words(&l.text()))
                        .unwrap_or_default()
                })
                .collect()
        })
        .collect()
}

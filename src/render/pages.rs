//! Reading laid-out pages back: lines of text in the body area, and the
//! continuation words (`/และขอให้...`) that a page's footer must show.

use std::collections::BTreeMap;

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

/// The parts of a document: the templates reset the page counter to 1 on
/// each part's first page (every part numbers its own pages from 1,
/// printing from 2), so a page whose logical number is 1 starts a part.
pub fn part_ranges(doc: &PagedDocument) -> Vec<std::ops::Range<usize>> {
    let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
    for (i, page) in doc.pages().iter().enumerate() {
        match ranges.last_mut() {
            Some(r) if page.number != 1 => r.end = i + 1,
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

fn compact_line(line: &Line) -> String {
    line.text().chars().filter(|c| !c.is_whitespace()).collect()
}

/// Where each kept last paragraph must be split so that its last two lines
/// travel with the closing that follows it (paragraph id → byte offset
/// into its marked text; 0 keeps the whole paragraph with the closing).
///
/// Read from a layout: the closing's line is found by its text; when fewer
/// than two of the paragraph's lines precede it on its page while the
/// paragraph began on an earlier page, the closing stood apart from them,
/// and the split is placed where the paragraph's second-last line begins.
/// A split already in force is kept while it does its work.
pub fn keep_splits(
    doc: &PagedDocument,
    keeps: &[super::view::Keep],
    current: &BTreeMap<String, usize>,
) -> BTreeMap<String, usize> {
    let pages: Vec<Vec<String>> = doc
        .pages()
        .iter()
        .map(|p| body_lines(&p.frame).iter().map(compact_line).collect())
        .collect();
    let mut out = BTreeMap::new();
    for keep in keeps {
        let para = super::view::compact(&keep.marked);
        if para.is_empty() || keep.next.is_empty() {
            continue;
        }
        // The paragraph's lines before the closing, newest first, with
        // the page each is on.
        let mut found: Option<(usize, Vec<(usize, String)>)> = None;
        'pages: for (pi, lines) in pages.iter().enumerate() {
            for (li, line) in lines.iter().enumerate() {
                if *line != keep.next {
                    continue;
                }
                let mut before: Vec<(usize, String)> = Vec::new();
                let mut taken = String::new();
                let mut cursor = (pi, li);
                while taken.len() < para.len() {
                    let (p, l) = cursor;
                    let prev = if l > 0 {
                        (p, l - 1)
                    } else if p > 0 && !pages[p - 1].is_empty() {
                        (p - 1, pages[p - 1].len() - 1)
                    } else {
                        break;
                    };
                    let text = &pages[prev.0][prev.1];
                    let joined = format!("{text}{taken}");
                    if text.is_empty() || !para.ends_with(&joined) {
                        break;
                    }
                    taken = joined;
                    before.push((prev.0, text.clone()));
                    cursor = prev;
                }
                if taken == para {
                    found = Some((pi, before));
                    break 'pages;
                }
            }
        }
        let Some((closing_page, before)) = found else {
            // Not found as expected (e.g. a ragged line read differently):
            // keep what was decided.
            if let Some(at) = current.get(&keep.id) {
                out.insert(keep.id.clone(), *at);
            }
            continue;
        };
        let on_page = before.iter().filter(|(p, _)| *p == closing_page).count();
        let spans_pages = before.iter().any(|(p, _)| *p != closing_page);
        if !spans_pages || on_page >= 2 {
            if let Some(at) = current.get(&keep.id) {
                out.insert(keep.id.clone(), *at);
            }
            continue;
        }
        // Split before the second-last line (or keep it whole).
        let tail: usize = before.iter().take(2).map(|(_, t)| t.chars().count()).sum();
        let head_chars = para.chars().count().saturating_sub(tail);
        out.insert(keep.id.clone(), byte_after_chars(&keep.marked, head_chars));
    }
    out
}

/// The byte offset in `marked` just before its `n`+1-th visible character
/// (blanks and break marks not counted); 0 for `n == 0`.
fn byte_after_chars(marked: &str, n: usize) -> usize {
    if n == 0 {
        return 0;
    }
    let mut seen = 0;
    for (i, c) in marked.char_indices() {
        if c.is_whitespace()
            || c == super::breaks::WORD_JOINER
            || c == super::breaks::ZERO_WIDTH_SPACE
        {
            continue;
        }
        if seen == n {
            return i;
        }
        seen += 1;
    }
    marked.len()
}

/// A run of text and the box its glyphs take (pt, from the page's top left).
pub struct TextBox {
    pub text: String,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    pub baseline: f64,
}

/// Every run of text on a page with its box (the font size above the
/// baseline, a quarter below: the templates' fixed line pitch).
pub fn text_boxes(frame: &Frame) -> Vec<TextBox> {
    let mut runs = Vec::new();
    collect(frame, Point::zero(), &mut runs);
    runs.iter()
        .filter(|r| !r.item.text.trim().is_empty())
        .map(|r| {
            let size = r.item.size.to_pt();
            let y = r.pos.y.to_pt();
            TextBox {
                text: r.item.text.to_string(),
                left: r.pos.x.to_pt(),
                right: (r.pos.x + r.item.width()).to_pt(),
                top: y - size * 0.8,
                bottom: y + size * 0.2,
                baseline: y,
            }
        })
        .collect()
}

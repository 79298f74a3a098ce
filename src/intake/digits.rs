//! Thai digits read again, by their shapes.
//!
//! Tesseract's Thai model misreads Thai digits in the faces letters are set
//! in (on a clean 400 dpi page of Laksaman it reads `๒๕๖๗` as `๒๕๒๓`: ๖
//! becomes ๒ and ๗ becomes ๐ or ๓), and a year or a number read wrong is
//! the one thing a clerk cannot afford. So every run of Thai digits
//! Tesseract finds is cut out of the page, split into its glyphs (connected
//! ink), and each glyph compared with the ten digits drawn from the fonts
//! saraban sets letters in. A glyph that matches no digit well leaves the
//! run as Tesseract read it.

use std::sync::OnceLock;

use tiny_skia::{FillRule, Paint, PathBuilder, Pixmap, Transform};

use super::ocr::{Line, Word};
use super::raster::Gray;

const DIGITS: [char; 10] = ['๐', '๑', '๒', '๓', '๔', '๕', '๖', '๗', '๘', '๙'];

/// Cells of the grid a glyph is compared on.
const GRID: usize = 12;

/// The largest distance that still names a digit (measured: our own digits
/// scanned at 200 dpi, turned and noised, match at 0.05–0.16; letters
/// mistaken for digits are over 0.25).
const ACCEPT: f32 = 0.22;

/// A glyph's shape: ink share per cell of its box, and its width / height.
#[derive(Debug, Clone)]
struct Shape {
    cells: [f32; GRID * GRID],
    aspect: f32,
}

impl Shape {
    /// From a bitmap (row by row, `true` = ink) cropped to its ink.
    fn of(width: usize, height: usize, ink: &[bool]) -> Shape {
        let mut cells = [0f32; GRID * GRID];
        let mut counts = [0f32; GRID * GRID];
        for y in 0..height {
            for x in 0..width {
                let cell = (y * GRID / height) * GRID + x * GRID / width;
                counts[cell] += 1.0;
                if ink[y * width + x] {
                    cells[cell] += 1.0;
                }
            }
        }
        for (c, n) in cells.iter_mut().zip(counts) {
            if n > 0.0 {
                *c /= n;
            }
        }
        Shape {
            cells,
            aspect: width as f32 / height as f32,
        }
    }

    fn distance(&self, other: &Shape) -> f32 {
        let cells: f32 = self
            .cells
            .iter()
            .zip(other.cells.iter())
            .map(|(a, b)| (a - b).abs())
            .sum::<f32>()
            / (GRID * GRID) as f32;
        cells + 0.25 * (self.aspect / other.aspect).ln().abs()
    }
}

/// The ten digits of each shipped face (regular and bold).
fn templates() -> &'static Vec<(char, Shape)> {
    static TEMPLATES: OnceLock<Vec<(char, Shape)>> = OnceLock::new();
    TEMPLATES.get_or_init(|| {
        let mut out = Vec::new();
        for data in &crate::render::fonts::EMBEDDED[..2] {
            let Ok(face) = ttf_parser::Face::parse(data, 0) else {
                continue;
            };
            for d in DIGITS {
                if let Some(shape) = draw(&face, d) {
                    out.push((d, shape));
                }
            }
        }
        out
    })
}

/// A glyph drawn 64 pixels high and cropped to its ink.
fn draw(face: &ttf_parser::Face, c: char) -> Option<Shape> {
    struct Pen(PathBuilder);
    impl ttf_parser::OutlineBuilder for Pen {
        fn move_to(&mut self, x: f32, y: f32) {
            self.0.move_to(x, y);
        }
        fn line_to(&mut self, x: f32, y: f32) {
            self.0.line_to(x, y);
        }
        fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
            self.0.quad_to(x1, y1, x, y);
        }
        fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
            self.0.cubic_to(x1, y1, x2, y2, x, y);
        }
        fn close(&mut self) {
            self.0.close();
        }
    }
    let gid = face.glyph_index(c)?;
    let mut pen = Pen(PathBuilder::new());
    let bbox = face.outline_glyph(gid, &mut pen)?;
    let path = pen.0.finish()?;
    let scale = 64.0 / f32::from(bbox.height().max(1));
    let w = (f32::from(bbox.width()) * scale).ceil() as u32 + 4;
    let h = 68;
    let mut pixmap = Pixmap::new(w, h)?;
    let mut paint = Paint::default();
    paint.set_color_rgba8(0, 0, 0, 255);
    // Font units (y up) to pixels (y down), 2 pixels of margin.
    let t = Transform::from_row(
        scale,
        0.0,
        0.0,
        -scale,
        2.0 - f32::from(bbox.x_min) * scale,
        2.0 + f32::from(bbox.y_max) * scale,
    );
    pixmap.fill_path(&path, &paint, FillRule::Winding, t, None);
    let ink: Vec<bool> = pixmap.pixels().iter().map(|p| p.alpha() >= 128).collect();
    let (w, h) = (w as usize, h as usize);
    let (x0, y0, x1, y1) = ink_box(w, h, &ink)?;
    let crop: Vec<bool> = (y0..y1)
        .flat_map(|y| (x0..x1).map(move |x| (x, y)))
        .map(|(x, y)| ink[y * w + x])
        .collect();
    Some(Shape::of(x1 - x0, y1 - y0, &crop))
}

fn ink_box(w: usize, h: usize, ink: &[bool]) -> Option<(usize, usize, usize, usize)> {
    let (mut x0, mut y0, mut x1, mut y1) = (w, h, 0, 0);
    for y in 0..h {
        for x in 0..w {
            if ink[y * w + x] {
                x0 = x0.min(x);
                y0 = y0.min(y);
                x1 = x1.max(x + 1);
                y1 = y1.max(y + 1);
            }
        }
    }
    (x0 < x1).then_some((x0, y0, x1, y1))
}

/// The best digit for a shape, if one matches well enough.
fn classify(shape: &Shape) -> Option<(char, f32)> {
    templates()
        .iter()
        .map(|(d, t)| (*d, shape.distance(t)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .filter(|(_, dist)| *dist <= ACCEPT)
}

fn is_thai_digit(c: char) -> bool {
    ('๐'..='๙').contains(&c)
}

/// A rectangle of the page.
#[derive(Debug, Clone, Copy)]
struct Rect {
    x0: u32,
    y0: u32,
    x1: u32,
    y1: u32,
}

/// The threshold between ink and paper in a region (Otsu's method).
fn otsu(page: &Gray, r: Rect) -> u8 {
    let mut hist = [0u32; 256];
    for y in r.y0..r.y1 {
        for x in r.x0..r.x1 {
            hist[page.at(x, y) as usize] += 1;
        }
    }
    let total: f64 = hist.iter().map(|&n| f64::from(n)).sum();
    let sum: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, &n)| i as f64 * f64::from(n))
        .sum();
    let (mut best, mut best_t, mut w0, mut sum0) = (0.0, 128u8, 0.0, 0.0);
    for (t, &n) in hist.iter().enumerate() {
        w0 += f64::from(n);
        if w0 == 0.0 || w0 == total {
            continue;
        }
        sum0 += t as f64 * f64::from(n);
        let m0 = sum0 / w0;
        let m1 = (sum - sum0) / (total - w0);
        let between = w0 * (total - w0) * (m0 - m1).powi(2);
        if between > best {
            best = between;
            best_t = t as u8;
        }
    }
    best_t
}

/// The glyphs (connected ink, pieces above one another joined) in a
/// region, left to right, each read as a digit if it is one; specks,
/// dots and commas are dropped.
fn glyphs(page: &Gray, r: Rect, height: f64) -> Vec<Option<(char, f32)>> {
    let t = otsu(page, r);
    let (w, h) = ((r.x1 - r.x0) as usize, (r.y1 - r.y0) as usize);
    let ink: Vec<bool> = (0..h)
        .flat_map(|y| (0..w).map(move |x| (x, y)))
        .map(|(x, y)| page.at(r.x0 + x as u32, r.y0 + y as u32) <= t)
        .collect();
    let mut label = vec![usize::MAX; w * h];
    // Each component: its box and its pixels.
    let mut parts: Vec<Part> = Vec::new();
    for start in 0..w * h {
        if !ink[start] || label[start] != usize::MAX {
            continue;
        }
        let id = parts.len();
        let mut stack = vec![start];
        label[start] = id;
        let mut pixels = Vec::new();
        let (mut x0, mut y0, mut x1, mut y1) = (w, h, 0, 0);
        while let Some(p) = stack.pop() {
            pixels.push(p);
            let (x, y) = (p % w, p / w);
            x0 = x0.min(x);
            y0 = y0.min(y);
            x1 = x1.max(x + 1);
            y1 = y1.max(y + 1);
            for dy in -1i64..=1 {
                for dx in -1i64..=1 {
                    let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                    if nx < 0 || ny < 0 || nx >= w as i64 || ny >= h as i64 {
                        continue;
                    }
                    let q = ny as usize * w + nx as usize;
                    if ink[q] && label[q] == usize::MAX {
                        label[q] = id;
                        stack.push(q);
                    }
                }
            }
        }
        parts.push(((x0, y0, x1, y1), pixels));
    }
    // Specks: smaller than a tenth of the letter height both ways.
    let speck = (height * 0.15).max(2.0) as usize;
    parts.retain(|((x0, y0, x1, y1), _)| x1 - x0 > speck || y1 - y0 > speck);
    parts.sort_by_key(|((x0, ..), _)| *x0);
    // Pieces that overlap in x by half the narrower one are one glyph.
    let mut merged: Vec<Part> = Vec::new();
    for (b, px) in parts {
        if let Some((mb, mpx)) = merged.last_mut() {
            let overlap = mb.2.min(b.2).saturating_sub(mb.0.max(b.0));
            if overlap * 2 >= (mb.2 - mb.0).min(b.2 - b.0) {
                *mb = (mb.0.min(b.0), mb.1.min(b.1), mb.2.max(b.2), mb.3.max(b.3));
                mpx.extend(px);
                continue;
            }
        }
        merged.push((b, px));
    }
    let tallest = merged.iter().map(|((_, y0, _, y1), _)| y1 - y0).max();
    // Dots and commas are not digits.
    merged.retain(|((_, y0, _, y1), _)| Some((y1 - y0) * 2) > tallest);
    let shape = |(x0, y0, x1, y1): (usize, usize, usize, usize), px: &[&[usize]]| {
        let (gw, gh) = (x1 - x0, y1 - y0);
        let mut bits = vec![false; gw * gh];
        for p in px.iter().flat_map(|p| p.iter()) {
            bits[(p / w - y0) * gw + (p % w - x0)] = true;
        }
        Shape::of(gw, gh, &bits)
    };
    // A glyph broken in two by noise: two neighbours that match a digit
    // better together than apart are read as one.
    let mut out = Vec::new();
    let mut k = 0;
    while k < merged.len() {
        let (b, px) = &merged[k];
        let one = classify(&shape(*b, &[px]));
        if let Some((nb, npx)) = merged.get(k + 1) {
            let both = (b.0.min(nb.0), b.1.min(nb.1), b.2.max(nb.2), b.3.max(nb.3));
            let next = classify(&shape(*nb, &[npx]));
            let joined = classify(&shape(both, &[px, npx]));
            let worst = |c: Option<(char, f32)>| c.map_or(f32::MAX, |(_, d)| d);
            if let Some(j) = joined
                && j.1 < worst(one).max(worst(next))
                && (nb.0 as i64 - b.2 as i64) < (height * 0.1) as i64
            {
                out.push(Some(j));
                k += 2;
                continue;
            }
        }
        out.push(one);
        k += 1;
    }
    out
}

/// A piece of ink: its box (x0, y0, x1, y1) and its pixels (row-major
/// indexes into the region).
type Part = ((usize, usize, usize, usize), Vec<usize>);

/// Whether a column of the page has ink between `y0` and `y1`.
fn inked(page: &Gray, x: u32, y0: u32, y1: u32, t: u8) -> bool {
    (y0..y1).any(|y| page.at(x, y) <= t)
}

/// Rereads every run of Thai digits in `lines` from `page`, in place.
/// Returns how many runs were changed.
pub fn reread(page: &Gray, lines: &mut [Line]) -> usize {
    let mut changed = 0;
    for line in lines.iter_mut() {
        let height = line.letter_height();
        let mut i = 0;
        while i < line.words.len() {
            if !line.words[i].text.chars().all(is_thai_digit) {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            while j < line.words.len()
                && line.words[j].text.chars().all(is_thai_digit)
                && f64::from(line.words[j].left.saturating_sub(line.words[j - 1].right()))
                    < super::ocr::SPACE_SHARE * height
            {
                j += 1;
            }
            // Ink may be taken in up to the words on either side.
            let left_limit = i.checked_sub(1).map_or(0, |k| line.words[k].right());
            let right_limit = line.words.get(j).map_or(page.width, |w| w.left);
            if let Some(text) =
                reread_run(page, &line.words[i..j], height, (left_limit, right_limit))
                && text
                    != line.words[i..j]
                        .iter()
                        .map(|w| w.text.as_str())
                        .collect::<String>()
            {
                let first = &line.words[i];
                let last = &line.words[j - 1];
                let word = Word {
                    left: first.left,
                    top: line.words[i..j]
                        .iter()
                        .map(|w| w.top)
                        .min()
                        .unwrap_or(first.top),
                    width: last.right() - first.left,
                    height: first.height,
                    conf: line.words[i..j]
                        .iter()
                        .map(|w| w.conf)
                        .fold(f32::MAX, f32::min),
                    text,
                };
                line.words.splice(i..j, [word]);
                changed += 1;
            }
            i += 1;
        }
    }
    changed
}

/// One run's digits read from the page, or `None` when a glyph is not
/// clearly a digit.
fn reread_run(page: &Gray, run: &[Word], height: f64, limits: (u32, u32)) -> Option<String> {
    let pad_y = (height * 0.3) as u32;
    let mut r = Rect {
        x0: run.iter().map(|w| w.left).min()?.saturating_sub(1),
        y0: run.iter().map(|w| w.top).min()?.saturating_sub(pad_y),
        x1: (run.iter().map(|w| w.right()).max()? + 1).min(page.width),
        y1: (run.iter().map(|w| w.top + w.height).max()? + pad_y).min(page.height),
    };
    // Ink Tesseract left out of the run (a digit it dropped) is taken in,
    // up to a gap a quarter of the letter height wide.
    let t = otsu(page, r);
    let gap = (height * 0.2).max(2.0) as u32;
    let mut last = r.x1;
    let mut x = r.x1;
    while x < limits.1.min(page.width) && x - last <= gap {
        if inked(page, x, r.y0, r.y1, t) {
            last = x + 1;
        }
        x += 1;
    }
    r.x1 = last;
    let mut first = r.x0;
    let mut x = r.x0;
    while x > limits.0 && first - x <= gap {
        x -= 1;
        if inked(page, x, r.y0, r.y1, t) {
            first = x;
        }
    }
    r.x0 = first;
    let read = glyphs(page, r, height);
    if read.is_empty() {
        return None;
    }
    read.iter()
        .map(|g| g.map(|(d, _)| d))
        .collect::<Option<String>>()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each template is nearer its own digit than any other's: the ten
    /// shapes can be told apart at all.
    #[test]
    fn the_ten_digits_are_told_apart() {
        let t = templates();
        assert_eq!(t.len(), 20, "ten digits in each of two faces");
        for (d, shape) in t {
            assert_eq!(classify(shape).map(|(c, _)| c), Some(*d));
        }
    }
}

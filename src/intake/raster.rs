//! Page images: a PDF's pages through poppler's `pdftoppm`, photos through
//! the `image` crate; all as 8-bit grey, which Tesseract reads as PGM.

use std::path::Path;
use std::process::Command;

use super::IntakeError;

/// The resolution scans are read at (Tesseract's own advice: 300 dpi).
pub const DPI: u32 = 300;

/// An 8-bit grey image, row by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gray {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
}

impl Gray {
    pub fn at(&self, x: u32, y: u32) -> u8 {
        self.pixels[(y * self.width + x) as usize]
    }

    /// As binary PGM (P5).
    pub fn to_pgm(&self) -> Vec<u8> {
        let mut out = format!("P5\n{} {}\n255\n", self.width, self.height).into_bytes();
        out.extend_from_slice(&self.pixels);
        out
    }

    /// Reads a binary PGM (P5, 8 bit), as pdftoppm writes it.
    pub fn from_pgm(bytes: &[u8]) -> Option<Gray> {
        let mut fields = Vec::new();
        let mut at = 0;
        while fields.len() < 4 {
            while at < bytes.len() && bytes[at].is_ascii_whitespace() {
                at += 1;
            }
            if bytes.get(at) == Some(&b'#') {
                while at < bytes.len() && bytes[at] != b'\n' {
                    at += 1;
                }
                continue;
            }
            let start = at;
            while at < bytes.len() && !bytes[at].is_ascii_whitespace() {
                at += 1;
            }
            if start == at {
                return None;
            }
            fields.push(std::str::from_utf8(&bytes[start..at]).ok()?.to_string());
        }
        at += 1;
        let (width, height): (u32, u32) = (fields[1].parse().ok()?, fields[2].parse().ok()?);
        if fields[0] != "P5" || fields[3] != "255" {
            return None;
        }
        let len = (width as usize).checked_mul(height as usize)?;
        let pixels = bytes.get(at..at + len)?.to_vec();
        Some(Gray {
            width,
            height,
            pixels,
        })
    }

    /// Decodes a photo (JPEG or PNG) to grey.
    pub fn from_photo(bytes: &[u8]) -> Result<Gray, IntakeError> {
        let img = image::load_from_memory(bytes)
            .map_err(|e| IntakeError::Unreadable(format!("{e}")))?
            .into_luma8();
        Ok(Gray {
            width: img.width(),
            height: img.height(),
            pixels: img.into_raw(),
        })
    }
}

impl Gray {
    /// Turned by `degrees` (counter-clockwise as seen) about the centre,
    /// sampled bilinearly; paper white where nothing was.
    pub fn rotated(&self, degrees: f64) -> Gray {
        let (w, h) = (f64::from(self.width), f64::from(self.height));
        let (sin, cos) = degrees.to_radians().sin_cos();
        let mut pixels = Vec::with_capacity(self.pixels.len());
        for y in 0..self.height {
            for x in 0..self.width {
                let (dx, dy) = (f64::from(x) - w / 2.0, f64::from(y) - h / 2.0);
                let (sx, sy) = (
                    cos * dx + sin * dy + w / 2.0,
                    -sin * dx + cos * dy + h / 2.0,
                );
                pixels.push(self.sample(sx, sy));
            }
        }
        Gray {
            width: self.width,
            height: self.height,
            pixels,
        }
    }

    fn sample(&self, x: f64, y: f64) -> u8 {
        if x < 0.0
            || y < 0.0
            || x >= f64::from(self.width) - 1.0
            || y >= f64::from(self.height) - 1.0
        {
            return 255;
        }
        let (x0, y0) = (x.floor(), y.floor());
        let (fx, fy) = (x - x0, y - y0);
        let p = |dx: u32, dy: u32| f64::from(self.at(x0 as u32 + dx, y0 as u32 + dy));
        let v = p(0, 0) * (1.0 - fx) * (1.0 - fy)
            + p(1, 0) * fx * (1.0 - fy)
            + p(0, 1) * (1.0 - fx) * fy
            + p(1, 1) * fx * fy;
        v.round().clamp(0.0, 255.0) as u8
    }

    /// Each pixel the median of its 3 × 3 neighbourhood: specks and grain
    /// go, strokes two pixels wide stay.
    pub fn median3(&self) -> Gray {
        let (w, h) = (self.width as usize, self.height as usize);
        let mut pixels = self.pixels.clone();
        let mut win = [0u8; 9];
        for y in 1..h.saturating_sub(1) {
            for x in 1..w.saturating_sub(1) {
                let mut k = 0;
                for dy in 0..3 {
                    let row = (y + dy - 1) * w + x - 1;
                    win[k..k + 3].copy_from_slice(&self.pixels[row..row + 3]);
                    k += 3;
                }
                win.sort_unstable();
                pixels[y * w + x] = win[4];
            }
        }
        Gray {
            width: self.width,
            height: self.height,
            pixels,
        }
    }

    /// How far (degrees, within ±3) the text lines are turned: the angle
    /// whose row profile of ink is sharpest; `rotated(-skew)` levels them.
    pub fn skew(&self) -> f64 {
        let ink: Vec<(f64, f64)> = (0..self.height)
            .step_by(2)
            .flat_map(|y| (0..self.width).step_by(2).map(move |x| (x, y)))
            .filter(|&(x, y)| self.at(x, y) < 128)
            .map(|(x, y)| (f64::from(x), f64::from(y)))
            .collect();
        let rows = self.height as usize * 2;
        let mut best = (0.0, f64::MIN);
        // From level outwards; a turn must be clearly sharper to win.
        let steps = (0..=30).flat_map(|s| if s == 0 { vec![0] } else { vec![s, -s] });
        for step in steps {
            let angle = f64::from(step) / 10.0;
            let t = angle.to_radians().tan();
            let mut hist = vec![0u32; rows];
            for &(x, y) in &ink {
                let r = (y - x * t).floor() as i64 + i64::from(self.height / 2);
                if let Some(slot) = usize::try_from(r).ok().and_then(|r| hist.get_mut(r)) {
                    *slot += 1;
                }
            }
            let score: f64 = hist.iter().map(|&n| f64::from(n) * f64::from(n)).sum();
            if score > best.1 * 1.02 {
                best = (angle, score);
            }
        }
        best.0
    }

    /// Ready for Tesseract: grain removed, lines levelled.
    pub fn cleaned(&self) -> Gray {
        let smooth = self.median3();
        let skew = smooth.skew();
        if skew.abs() < 0.05 {
            smooth
        } else {
            smooth.rotated(-skew)
        }
    }
}

/// Every page of the PDF at `path` as a grey image at [`DPI`].
pub fn pdf_pages(path: &Path) -> Result<Vec<Gray>, IntakeError> {
    let dir = tempfile::tempdir()?;
    let root = dir.path().join("p");
    let out = Command::new("pdftoppm")
        .args(["-r", &DPI.to_string(), "-gray"])
        .arg(path)
        .arg(&root)
        .output()
        .map_err(|e| {
            IntakeError::Unreadable(format!(
                "ต้องติดตั้ง pdftoppm จาก poppler-utils (pdftoppm from poppler-utils is needed: {e})"
            ))
        })?;
    if !out.status.success() {
        return Err(IntakeError::Unreadable(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    let mut files: Vec<_> = std::fs::read_dir(dir.path())?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    // p-1.pgm … p-10.pgm are zero-padded to one width, so names sort.
    files.sort();
    files
        .iter()
        .map(|f| {
            Gray::from_pgm(&std::fs::read(f)?)
                .ok_or_else(|| IntakeError::Unreadable("pdftoppm: not a PGM".into()))
        })
        .collect()
}

/// Each page's size in points (poppler's `pdfinfo`).
pub fn pdf_page_sizes(bytes: &[u8]) -> Result<Vec<(f64, f64)>, IntakeError> {
    let mut file = tempfile::Builder::new().suffix(".pdf").tempfile()?;
    std::io::Write::write_all(&mut file, bytes)?;
    let out = Command::new("pdfinfo")
        .args(["-f", "1", "-l", "100000"])
        .arg(file.path())
        .output()
        .map_err(|e| {
            IntakeError::Unreadable(format!(
                "ต้องติดตั้ง pdfinfo จาก poppler-utils (pdfinfo from poppler-utils is needed: {e})"
            ))
        })?;
    if !out.status.success() {
        return Err(IntakeError::Unreadable(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    // `Page    1 size: 595.276 x 841.89 pts (A4)`
    let sizes: Vec<(f64, f64)> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("Page") && l.contains(" size:"))
        .filter_map(|l| {
            let rest = l.split_once("size:")?.1;
            let mut it = rest.split_whitespace();
            let w = it.next()?.parse().ok()?;
            it.next()?;
            let h = it.next()?.parse().ok()?;
            Some((w, h))
        })
        .collect();
    if sizes.is_empty() {
        return Err(IntakeError::Unreadable(
            "PDF ไม่มีหน้า (the PDF has no pages)".into(),
        ));
    }
    Ok(sizes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines drawn level, turned by 1.2°: the skew found undoes the turn.
    #[test]
    fn a_turned_page_is_levelled() {
        let (w, h) = (600u32, 400u32);
        let mut pixels = vec![255u8; (w * h) as usize];
        for line in 0..8 {
            let y0 = 40 + line * 40;
            for y in y0..y0 + 6 {
                for x in 50..550 {
                    pixels[(y * w + x) as usize] = 0;
                }
            }
        }
        let page = Gray {
            width: w,
            height: h,
            pixels,
        };
        assert_eq!(page.skew(), 0.0);
        let turned = page.rotated(1.2);
        let found = turned.skew();
        assert!((found.abs() - 1.2).abs() <= 0.1, "found {found}");
        assert!(turned.rotated(-found).skew().abs() <= 0.1);
    }

    #[test]
    fn pgm_round_trips() {
        let g = Gray {
            width: 3,
            height: 2,
            pixels: vec![0, 10, 20, 30, 40, 255],
        };
        assert_eq!(Gray::from_pgm(&g.to_pgm()), Some(g));
        assert_eq!(
            Gray::from_pgm(b"P5\n# c\n1 1\n255\n\x07").unwrap().pixels,
            [7]
        );
        assert_eq!(Gray::from_pgm(b"P6\n1 1\n255\n\x07"), None);
    }
}

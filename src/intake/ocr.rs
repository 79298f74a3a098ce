//! Tesseract, run as a program: one page image in (PGM), its words out with
//! their boxes and confidences (TSV), grouped into lines.
//!
//! Thai has no spaces between words, and Tesseract's TSV gives one "word"
//! per letter cluster, so the line's text is rebuilt from the gaps between
//! boxes: a gap as wide as a space is a space, anything narrower is letter
//! spacing (as `parse::pdf` does with poppler's boxes).

use std::io::Write;
use std::process::{Command, Stdio};

use super::IntakeError;

/// The languages Tesseract reads with. Thai alone: with `tha+eng`, lines
/// such as `ที่ มท ๐๘๑๐.๗/ว ๒๑๓๕` came back as `NUN ๐๘๑๐.๗/ว ๒๑๓๕` (see
/// `docs/parsing.md`); e-mail addresses and Latin names suffer instead.
pub const LANGUAGES: &str = "tha";

/// A gap at least this share of the line's box height is a space
/// (measured on our letters scanned at 200 dpi and read at 300: boxes are
/// ~90 px high, letter spacing reaches 43 px, spaces start at 56 px).
pub const SPACE_SHARE: f64 = 0.55;

/// The languages, unless `SARABAN_OCR_LANGS` names others (`tha`).
fn languages() -> String {
    std::env::var("SARABAN_OCR_LANGS").unwrap_or_else(|_| LANGUAGES.to_string())
}

/// Tesseract's page segmentation mode, unless `SARABAN_OCR_PSM` names one.
fn psm() -> String {
    std::env::var("SARABAN_OCR_PSM").unwrap_or_else(|_| "6".to_string())
}

/// One word box as Tesseract read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    pub left: u32,
    pub top: u32,
    pub width: u32,
    pub height: u32,
    /// 0–100.
    pub conf: f32,
    pub text: String,
}

impl Word {
    pub fn right(&self) -> u32 {
        self.left + self.width
    }
}

/// One line of words, left to right.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Line {
    pub words: Vec<Word>,
}

impl Line {
    /// The line's text, with a space wherever the gap is as wide as one.
    pub fn text(&self) -> String {
        let height = self.letter_height();
        let mut out = String::new();
        let mut last_right: Option<u32> = None;
        for w in &self.words {
            if let Some(r) = last_right
                && f64::from(w.left.saturating_sub(r)) >= SPACE_SHARE * height
            {
                out.push(' ');
            }
            out.push_str(&w.text);
            last_right = Some(w.right());
        }
        out
    }

    /// The median height of the line's boxes (Tesseract's boxes for Thai
    /// reach from above the tone marks to below the lower vowels).
    pub fn letter_height(&self) -> f64 {
        let mut h: Vec<u32> = self.words.iter().map(|w| w.height).collect();
        h.sort_unstable();
        h.get(h.len() / 2).copied().map_or(20.0, f64::from)
    }
}

/// Whether Tesseract is installed with the Thai model; the message says
/// what to install when it is not.
pub fn check() -> Result<(), IntakeError> {
    let out = Command::new("tesseract")
        .arg("--list-langs")
        .stdin(Stdio::null())
        .output()
        .map_err(|_| IntakeError::NoTesseract)?;
    let langs = String::from_utf8_lossy(&out.stdout);
    if !langs.lines().any(|l| l.trim() == "tha") {
        return Err(IntakeError::NoTesseract);
    }
    Ok(())
}

/// Reads one page image (any format Leptonica reads: PGM, PNG, JPEG).
pub fn read_page(image: &[u8]) -> Result<Vec<Line>, IntakeError> {
    let mut child = Command::new("tesseract")
        .args([
            "stdin",
            "stdout",
            "-l",
            &languages(),
            "--psm",
            &psm(),
            "tsv",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|_| IntakeError::NoTesseract)?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let bytes = image.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&bytes));
    let out = child.wait_with_output()?;
    let _ = writer.join();
    if !out.status.success() {
        let why = String::from_utf8_lossy(&out.stderr);
        if why.contains("Failed loading language") {
            return Err(IntakeError::NoTesseract);
        }
        return Err(IntakeError::Ocr(why.trim().to_string()));
    }
    Ok(lines_from_tsv(&String::from_utf8_lossy(&out.stdout)))
}

/// Groups Tesseract's TSV rows (level 5 = word) into lines.
pub fn lines_from_tsv(tsv: &str) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    let mut key: Option<(u32, u32, u32, u32)> = None;
    for row in tsv.lines().skip(1) {
        let f: Vec<&str> = row.split('\t').collect();
        if f.len() < 12 || f[0] != "5" {
            continue;
        }
        let num = |i: usize| f[i].parse::<u32>().unwrap_or(0);
        let text = f[11].trim();
        if text.is_empty() {
            continue;
        }
        let k = (num(1), num(2), num(3), num(4));
        if key != Some(k) {
            lines.push(Line::default());
            key = Some(k);
        }
        if let Some(line) = lines.last_mut() {
            line.words.push(Word {
                left: num(6),
                top: num(7),
                width: num(8),
                height: num(9),
                conf: f[10].parse().unwrap_or(0.0),
                text: text.to_string(),
            });
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_rows_become_lines_with_spaces_only_at_wide_gaps() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                   4\t1\t1\t1\t1\t0\t0\t0\t200\t30\t-1\t\n\
                   5\t1\t1\t1\t1\t1\t10\t0\t20\t30\t90\tศา\n\
                   5\t1\t1\t1\t1\t2\t32\t0\t10\t30\t90\tล\n\
                   5\t1\t1\t1\t1\t3\t62\t0\t20\t30\t80\tพล\n\
                   5\t1\t1\t1\t2\t1\t10\t40\t20\t30\t70\tก\n";
        let lines = lines_from_tsv(tsv);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].text(), "ศาล พล");
        assert_eq!(lines[1].text(), "ก");
    }
}

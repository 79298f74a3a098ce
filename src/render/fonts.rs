//! The fonts documents are set in.
//!
//! Laksaman (TLWG's version of TH Sarabun, GPL-2+ with the font exception) is
//! compiled into the binary so that rendering works from any directory. An
//! agency's own faces (TH SarabunIT๙, TH Sarabun New, TH SarabunPSK) are
//! loaded from `--fonts DIR` or `SARABAN_FONTS` and come first in the
//! templates' family list, so they win whenever they are present.

use std::path::Path;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook};

/// The family order of every template: an agency's licensed faces first,
/// the shipped Laksaman last. A family named with `--font-family` (any
/// Thai face in the fonts folder) goes before all of them.
pub const FAMILIES: [&str; 4] = [
    "TH SarabunIT๙",
    "TH Sarabun New",
    "TH SarabunPSK",
    "Laksaman",
];

/// The shipped faces (regular, bold, italic, bold italic); the web UI
/// serves the first two so that pages read the same on any machine.
pub const EMBEDDED: [&[u8]; 4] = [
    include_bytes!("../../fonts/Laksaman.ttf"),
    include_bytes!("../../fonts/Laksaman-Bold.ttf"),
    include_bytes!("../../fonts/Laksaman-Italic.ttf"),
    include_bytes!("../../fonts/Laksaman-BoldItalic.ttf"),
];

/// Fonts and the book Typst looks them up in.
pub struct FontSet {
    pub book: FontBook,
    pub fonts: Vec<Font>,
    /// Files in the fonts folders that cannot be used, and why (said to
    /// the user, never dropped silently).
    pub problems: Vec<String>,
}

/// Whether a face can set Thai text: it has glyphs for the Thai letters a
/// letter needs (ก, ำ, ่, ๑).
fn covers_thai(font: &Font) -> bool {
    ['ก', 'ำ', '\u{0E48}', '๑']
        .iter()
        .all(|c| font.info().coverage.contains(*c as u32))
}

#[derive(Debug, thiserror::Error)]
pub enum FontError {
    #[error("อ่านโฟลเดอร์แบบอักษร {dir} ไม่ได้ (cannot read the fonts folder): {source}")]
    Dir { dir: String, source: std::io::Error },
    #[error("ไม่พบแบบอักษร {family} (no such font family); มี (loaded): {known}")]
    Family { family: String, known: String },
}

impl FontSet {
    /// The embedded fonts, plus every `.ttf`/`.otf`/`.ttc` in `extra_dirs`.
    pub fn load(extra_dirs: &[&Path]) -> Result<FontSet, FontError> {
        let mut fonts: Vec<Font> = Vec::new();
        let mut problems = Vec::new();
        for dir in extra_dirs {
            let entries = std::fs::read_dir(dir).map_err(|source| FontError::Dir {
                dir: dir.display().to_string(),
                source,
            })?;
            let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
            // A stable order keeps output bytes stable.
            paths.sort();
            for path in paths {
                let is_font = path.extension().is_some_and(|e| {
                    matches!(e.to_ascii_lowercase().to_str(), Some("ttf" | "otf" | "ttc"))
                });
                if !is_font {
                    continue;
                }
                // An unusable file is skipped, as a font manager would, and
                // reported.
                let shown = path.display().to_string();
                match std::fs::read(&path) {
                    Ok(data) => {
                        let faces: Vec<Font> = Font::iter(Bytes::new(data)).collect();
                        if faces.is_empty() {
                            problems.push(format!(
                                "{shown}: อ่านแบบอักษรไม่ได้ (not a font Typst can read)"
                            ));
                        }
                        for face in faces {
                            if covers_thai(&face) {
                                fonts.push(face);
                            } else {
                                problems.push(format!(
                                    "{shown}: {} ไม่มีอักษรไทย (has no Thai glyphs)",
                                    face.info().family
                                ));
                            }
                        }
                    }
                    Err(e) => problems.push(format!("{shown}: {e}")),
                }
            }
        }
        for data in EMBEDDED {
            fonts.extend(Font::iter(Bytes::new(data)));
        }
        let book = FontBook::from_fonts(&fonts);
        Ok(FontSet {
            book,
            fonts,
            problems,
        })
    }
}

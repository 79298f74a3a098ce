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
/// the shipped Laksaman last.
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
}

#[derive(Debug, thiserror::Error)]
pub enum FontError {
    #[error("อ่านโฟลเดอร์แบบอักษร {dir} ไม่ได้ (cannot read the fonts folder): {source}")]
    Dir { dir: String, source: std::io::Error },
}

impl FontSet {
    /// The embedded fonts, plus every `.ttf`/`.otf`/`.ttc` in `extra_dirs`.
    pub fn load(extra_dirs: &[&Path]) -> Result<FontSet, FontError> {
        let mut fonts: Vec<Font> = Vec::new();
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
                // An unreadable file is skipped, as a font manager would.
                if let Ok(data) = std::fs::read(&path) {
                    fonts.extend(Font::iter(Bytes::new(data)));
                }
            }
        }
        for data in EMBEDDED {
            fonts.extend(Font::iter(Bytes::new(data)));
        }
        let book = FontBook::from_fonts(&fonts);
        Ok(FontSet { book, fonts })
    }
}

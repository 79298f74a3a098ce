//! Text from a PDF, through poppler's `pdftotext -bbox-layout`.
//!
//! The word boxes let us do better than pdftotext's own text: a gap between
//! two boxes is a space only when it is as wide as one (Thai justification
//! spreads letters apart, and pdftotext would print `เป็ น`), and poppler's
//! blocks are the paragraphs, so they are separated by blank lines and pages
//! by a page break, as in a typed letter.

use std::path::Path;

use super::ParseError;

/// A gap narrower than this share of the line's height is letter spacing.
const SPACE_SHARE: f64 = 0.125;

/// Runs pdftotext on `path` and rebuilds the text.
pub fn extract(path: &Path) -> Result<String, ParseError> {
    let output = std::process::Command::new("pdftotext")
        .args(["-bbox-layout", "-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .map_err(|e| {
            ParseError::Pdf(format!(
                "ต้องติดตั้ง pdftotext จาก poppler-utils (pdftotext from poppler-utils is needed: {e})"
            ))
        })?;
    if !output.status.success() {
        return Err(ParseError::Pdf(
            String::from_utf8_lossy(&output.stderr).trim().to_string(),
        ));
    }
    Ok(from_bbox(&String::from_utf8_lossy(&output.stdout)))
}

/// Rebuilds text from pdftotext's `-bbox-layout` XHTML.
///
/// A block whose lines are all quantities (`จำนวน ๑ ชุด`), set in a column
/// of their own beside the enclosures they belong to, is read as the end
/// of the lines it sits on, not as a paragraph of its own.
pub fn from_bbox(xhtml: &str) -> String {
    // Per page, its blocks; per block, its lines as (top, text).
    let mut pages: Vec<Vec<Vec<(f64, String)>>> = vec![Vec::new()];
    let mut block: Vec<(f64, String)> = Vec::new();
    let mut line = String::new();
    let mut line_top: Option<f64> = None;
    let mut last_x_max: Option<f64> = None;
    for raw in xhtml.lines() {
        let tag = raw.trim_start();
        if tag.starts_with("<word ") {
            let (Some(x_min), Some(x_max), Some(y_min), Some(y_max)) = (
                attr(tag, "xMin"),
                attr(tag, "xMax"),
                attr(tag, "yMin"),
                attr(tag, "yMax"),
            ) else {
                continue;
            };
            let text = tag
                .split_once('>')
                .and_then(|(_, rest)| rest.rsplit_once("</word>"))
                .map_or("", |(t, _)| t);
            if let Some(prev) = last_x_max
                && x_min - prev > SPACE_SHARE * (y_max - y_min)
            {
                line.push(' ');
            }
            line.push_str(&unescape(text));
            line_top.get_or_insert(y_min);
            last_x_max = Some(x_max);
        } else if tag.starts_with("</line>") {
            block.push((line_top.unwrap_or(0.0), line.trim().to_string()));
            line.clear();
            line_top = None;
            last_x_max = None;
        } else if tag.starts_with("</block>") {
            if let Some(page) = pages.last_mut() {
                page.push(std::mem::take(&mut block));
            }
        } else if tag.starts_with("</page>") {
            pages.push(Vec::new());
        }
    }
    let mut out = String::new();
    let count = pages.len();
    for (i, mut page) in pages.into_iter().enumerate() {
        join_quantity_columns(&mut page);
        for block in page {
            for (_, text) in block {
                out.push_str(&text);
                out.push('\n');
            }
            out.push('\n');
        }
        if i + 1 < count {
            out.push('\u{0C}');
        }
    }
    out
}

/// Moves a block of quantities onto the lines of an earlier block (the
/// nearest) that share their tops (within 2 pt).
fn join_quantity_columns(page: &mut Vec<Vec<(f64, String)>>) {
    let mut i = 1;
    while i < page.len() {
        let quantities = !page[i].is_empty() && page[i].iter().all(|(_, t)| t.starts_with("จำนวน"));
        let host = quantities
            .then(|| {
                (0..i).rev().find(|&j| {
                    page[i]
                        .iter()
                        .all(|(top, _)| page[j].iter().any(|(t, _)| (t - top).abs() < 2.0))
                })
            })
            .flatten();
        match host {
            Some(j) => {
                let column = page.remove(i);
                for (top, q) in column {
                    if let Some(line) = page[j].iter_mut().find(|(t, _)| (*t - top).abs() < 2.0) {
                        line.1.push(' ');
                        line.1.push_str(&q);
                    }
                }
            }
            None => i += 1,
        }
    }
}

fn attr(tag: &str, name: &str) -> Option<f64> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = start + tag[start..].find('"')?;
    tag[start..end].parse().ok()
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letter_spacing_is_not_a_space() {
        let xhtml = r#"<page>
<block>
<line>
<word xMin="85.0" yMin="251.6" xMax="128.3" yMax="278.1">และเป็</word>
<word xMin="131.1" yMin="251.6" xMax="200.0" yMax="278.1">นไปตาม</word>
<word xMin="206.0" yMin="251.6" xMax="230.0" yMax="278.1">A&amp;B</word>
</line>
</block>
<block>
<line>
<word xMin="85.0" yMin="271.6" xMax="128.3" yMax="298.1">ต่อ</word>
</line>
</block>
</page>"#;
        assert_eq!(from_bbox(xhtml), "และเป็นไปตาม A&B\n\nต่อ\n\n\u{0C}");
    }
}

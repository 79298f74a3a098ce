//! The text as cleaned lines: whitespace collapsed, page furniture gone.
//!
//! A blank line (`""`) separates paragraphs and blocks; a page break counts
//! as one. Page numbers (`- ๒ -`) and continuation words (`/และขอให้...`) are
//! dropped: they belong to the printed page, not to the letter.

/// Cleans `text` into lines; consecutive blanks become one.
pub fn clean(text: &str) -> Vec<String> {
    let text = text.replace("\r\n", "\n").replace(['\r', '\u{0C}'], "\n\n");
    let mut out: Vec<String> = Vec::new();
    for raw in text.split('\n') {
        let line = collapse(raw);
        if is_page_number(&line) || is_continuation(&line) {
            push_blank(&mut out);
            continue;
        }
        if line.is_empty() {
            push_blank(&mut out);
        } else {
            out.push(line);
        }
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    let lead = out.iter().take_while(|l| l.is_empty()).count();
    out.drain(..lead);
    out
}

fn push_blank(out: &mut Vec<String>) {
    if out.last().is_some_and(|l| !l.is_empty()) {
        out.push(String::new());
    }
}

/// One space for every run of spaces, tabs and the like; invisible marks gone.
pub fn collapse(raw: &str) -> String {
    let mut line = String::with_capacity(raw.len());
    let mut space = false;
    for c in raw.chars() {
        match c {
            '\u{200B}' | '\u{2060}' | '\u{FEFF}' | '\u{AD}' => {}
            c if c.is_whitespace() => space = true,
            c => {
                if space && !line.is_empty() {
                    line.push(' ');
                }
                space = false;
                line.push(c);
            }
        }
    }
    line
}

/// `- ๒ -`, `-๒-`, `- 2 -`
fn is_page_number(line: &str) -> bool {
    let Some(inner) = line.strip_prefix('-').and_then(|l| l.strip_suffix('-')) else {
        return false;
    };
    let inner = inner.trim();
    !inner.is_empty() && inner.len() <= 12 && inner.chars().all(crate::thai::digits::is_digit)
}

/// `/และขอให้...`, `/๙. ผลที่คาดว่าจะ...`, `/จึงเรียน…`
fn is_continuation(line: &str) -> bool {
    line.starts_with('/')
        && (line.ends_with("...") || line.ends_with('…'))
        && line.chars().count() <= 60
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_page_furniture() {
        let text = "ย่อหน้าแรก\n\n/และขอให้...\n\n- ๒ -\n\nและขอให้อำเภอ\r\n-3-\nต่อ\u{0C}หน้าใหม่";
        assert_eq!(
            clean(text),
            ["ย่อหน้าแรก", "", "และขอให้อำเภอ", "", "ต่อ", "", "หน้าใหม่"]
        );
    }

    #[test]
    fn collapses_spacing() {
        assert_eq!(
            collapse("  ที่\t มท  ๐๘๑๐.๗/ว ๒๑๓๕ \u{200B}"),
            "ที่ มท ๐๘๑๐.๗/ว ๒๑๓๕"
        );
        assert!(!is_page_number("- -"));
        assert!(!is_page_number("-๒๕๖๗ เป็นต้นไป-x"));
    }
}

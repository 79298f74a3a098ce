//! The text as cleaned lines: whitespace collapsed, noise repaired
//! (`noise.rs`), page furniture and web-page chrome gone.
//!
//! A blank line (`""`) separates paragraphs and blocks; a page break counts
//! as one. Page numbers (`- ๒ -`) and continuation words (`/และขอให้...`) are
//! dropped: they belong to the printed page, not to the letter. So are the
//! lines a web page puts around a letter (menus, language switches, link
//! texts such as `>>ดูหรือดาวน์โหลด…`, counters, copyright and source lines).

/// Cleans `text` into lines; consecutive blanks become one.
pub fn clean(text: &str) -> Vec<String> {
    let text = text.replace("\r\n", "\n").replace(['\r', '\u{0C}'], "\n\n");
    let mut out: Vec<String> = Vec::new();
    for raw in text.split('\n') {
        let line = super::noise::repair(collapse(raw));
        if is_page_number(&line) || is_continuation(&line) || is_chrome(&line) {
            push_blank(&mut out);
            continue;
        }
        if line.is_empty() || is_rule(&line) {
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

/// Lines that start a web page's chrome, never a letter's.
const CHROME_STARTS: &[&str] = &[
    ">>",
    "<<",
    "»",
    "«",
    "Copyright",
    "copyright",
    "สงวนลิขสิทธิ์",
    "Powered by",
    "Skip to",
    "ข้อมูลจาก",
    "ที่มา :",
    "ที่มา:",
    "แหล่งที่มา",
    "ภาพ :",
    "ภาพ:",
    "ข่าว :",
    "ข่าว:",
    "หน้าแรก",
    "หน้าหลัก",
    "[PDF]",
    "ไฟล์แนบ",
    "จำนวนผู้เข้าชม",
    "ผู้เข้าชม",
    "ผู้โพสต์",
    "โพสต์เมื่อ",
    "วันที่โพสต์",
    "เผยแพร่เมื่อ",
    "เผยแพร่:",
    "เอกสารที่เกี่ยวข้อง",
    "สถานะ:",
    "#",
];

/// Menu items and buttons: chrome when the line is short.
const CHROME_WORDS: &[&str] = &[
    "เมนู",
    "ค้นหา",
    "แชร์",
    "Share",
    "กลับหน้า",
    "ย้อนกลับ",
    "ถูกใจ",
    "ภาษาไทย",
    "English",
];

/// A menu, language switch, link text, counter or footer of a web page.
pub fn is_chrome(line: &str) -> bool {
    if line.is_empty() {
        return false;
    }
    if CHROME_STARTS.iter().any(|w| line.starts_with(w)) {
        return true;
    }
    // Thai letters take three bytes; only a short line is counted.
    let short = line.len() <= 40 * 3 && line.chars().count() <= 40;
    if short && CHROME_WORDS.iter().any(|w| line.starts_with(w)) {
        return true;
    }
    if short && line.starts_with("ดาวน์โหลด") && !line.contains("http") && !line.contains("www")
    {
        return true;
    }
    if (short && line.starts_with("อ่าน ") && line.ends_with("ครั้ง"))
        || (short && line.starts_with("แสดง ") && line.contains("รายการ"))
        || (line.starts_with("หน้า ") && line.contains("ถัดไป"))
        || line.ends_with(" ·")
    {
        return true;
    }
    // One pass over the bytes: `©`, emoji (four-byte characters), bars.
    let (mut bar, mut marks) = (false, false);
    let bytes = line.as_bytes();
    for (k, &b) in bytes.iter().enumerate() {
        match b {
            b'|' => bar = true,
            0xF0..=0xF4 => marks = true,
            0xC2 if bytes.get(k + 1) == Some(&0xA9) => marks = true,
            _ => {}
        }
    }
    if marks {
        return true;
    }
    // `หน้าแรก | ข่าวสาร | ติดต่อ`, `TH | EN`: short items between bars.
    bar && line.split('|').all(|i| i.trim().chars().count() <= 24)
}

/// `______`, `-------`, `=====`: a rule under a heading.
fn is_rule(line: &str) -> bool {
    line.len() >= 3
        && line
            .chars()
            .all(|c| matches!(c, '_' | '-' | '=' | '*' | '.' | '—'))
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
    fn drops_web_chrome() {
        for line in [
            "หน้าแรก | เกี่ยวกับกรม | หนังสือราชการ | ติดต่อเรา",
            "TH | EN",
            ">>ดูหรือดาวน์โหลดหนังสือราชการฉบับนี้",
            "Copyright © 2013 กรมส่งเสริมการปกครองท้องถิ่น",
            "ข้อมูลจาก กรมส่งเสริมการปกครองท้องถิ่น",
            "อ่าน 412 ครั้ง",
        ] {
            assert!(is_chrome(line), "{line}");
        }
        for line in [
            "ที่ มท ๐๘๑๐.๗/ว ๒๑๓๕",
            "www.udonlocal.go.th",
            "ดาวน์โหลดสิ่งที่ส่งมาด้วยได้ที่ www.dla.go.th",
            "การสำรวจข้อมูลถนนในความรับผิดชอบขององค์กรปกครองส่วนท้องถิ่น | กรมส่งเสริมการปกครองท้องถิ่น",
        ] {
            assert!(!is_chrome(line), "{line}");
        }
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

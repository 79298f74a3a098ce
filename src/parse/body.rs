//! What the body says: numbers it cites, deadlines, events, links, and the
//! levels of the local-administration chain the letter passes through.

use super::heading::{item_number, urgency_word};
use super::{
    CitedNumber, Deadline, Event, Level, NumberFields, ParsedLetter, Reference, ReferenceSource,
};
use crate::docnum::DocNumber;
use crate::model::Urgency;
use crate::thai::{self, DateRole, FoundDate};

/// How far back from a citation's date its number and issuer may start.
const CITATION_REACH: usize = 400;

/// Paragraphs: runs of non-blank lines joined by a space.
pub fn paragraphs(lines: &[String]) -> Vec<String> {
    lines
        .split(|l| l.is_empty())
        .filter(|p| !p.is_empty())
        .map(|p| p.join(" "))
        .collect()
}

/// `ด่วนมาก ที่ …` → (VeryUrgent, `ที่ …`).
pub fn leading_urgency(text: &str) -> Option<(Urgency, &str)> {
    for word in ["ด่วนที่สุด", "ด่วนมาก", "ด่วน"] {
        if let Some(rest) = text.strip_prefix(word)
            && rest.starts_with(' ')
        {
            return Some((urgency_word(word)?, rest.trim_start()));
        }
    }
    None
}

/// Every `ที่ <number> ลงวันที่ <date>` after the heading, in order.
pub fn citations(lines: &[String]) -> Vec<Reference> {
    paragraphs(lines)
        .iter()
        .flat_map(|p| citations_in(p, ReferenceSource::Body))
        .collect()
}

/// The dated citations in one run of text.
pub fn citations_in(text: &str, source: ReferenceSource) -> Vec<Reference> {
    let mut out: Vec<Reference> = Vec::new();
    for found in thai::find_dates(text) {
        if found.role != DateRole::Citation || found.range.start != found.range.end {
            continue;
        }
        let Some((number, number_at)) = number_before(text, found.start) else {
            continue;
        };
        let (issuer, urgency) = issuer_before(&text[..number_at]);
        let date = Some(found.range.start);
        if out
            .iter()
            .any(|r| r.number.number() == number.number() && r.date == date)
        {
            continue;
        }
        out.push(Reference {
            number,
            date,
            issuer,
            urgency,
            source,
        });
    }
    out
}

/// The `ที่ <number>` that ends right before `end`; the number and where its
/// `ที่` starts.
fn number_before(text: &str, end: usize) -> Option<(CitedNumber, usize)> {
    let from = floor_char(text, end.saturating_sub(CITATION_REACH));
    let window = &text[from..end];
    let mut search = window.len();
    while let Some(at) = window[..search].rfind("ที่") {
        let candidate = window[at + "ที่".len()..].trim();
        if let Ok(n) = DocNumber::parse(candidate) {
            let fields = NumberFields {
                printed: candidate.to_string(),
                agency: n.agency,
                unit: n.unit,
                circular: n.circular,
                seq: n.seq,
                year_be: n.year_be,
            };
            return Some((fields.into(), from + at));
        }
        search = at;
    }
    None
}

fn floor_char(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// `…หนังสือจังหวัดพิษณุโลก ด่วนที่สุด ` → (`จังหวัดพิษณุโลก`, MostUrgent).
pub fn issuer_before(text: &str) -> (Option<String>, Option<Urgency>) {
    let from = floor_char(text, text.len().saturating_sub(CITATION_REACH));
    let text = text[from..].trim_end();
    let mut urgency = None;
    let mut rest = text;
    for word in ["ด่วนที่สุด", "ด่วนมาก", "ด่วน"] {
        if let Some(r) = rest.strip_suffix(word) {
            urgency = urgency_word(word);
            rest = r.trim_end();
            break;
        }
    }
    let issuer = rest
        .rfind("หนังสือ")
        .map(|at| rest[at + "หนังสือ".len()..].trim().to_string())
        .filter(|s| !s.is_empty() && s.chars().count() <= 120);
    (issuer, urgency)
}

/// Each `ภายในวันที่ …` with what must be done by then.
pub fn deadlines(paragraphs: &[String]) -> Vec<Deadline> {
    let mut out: Vec<Deadline> = Vec::new();
    for p in paragraphs {
        for found in thai::find_dates(p) {
            if found.role != DateRole::Deadline {
                continue;
            }
            let what = clause_before(p, found.start);
            let date = found.range.end;
            if !out.iter().any(|d| d.date == date && d.what == what) {
                out.push(Deadline { date, what });
            }
        }
    }
    out
}

/// The words before `end`, from after the last `และ` / `ขอให้` / `โปรด` /
/// `กรุณา` (or the paragraph's start).
fn clause_before(text: &str, end: usize) -> String {
    let from = floor_char(text, end.saturating_sub(2000));
    let window = &text[from..end];
    let start = ["และ", "ขอให้", "โปรด", "กรุณา"]
        .iter()
        .filter_map(|w| window.rfind(w).map(|at| at + w.len()))
        .max()
        .unwrap_or(0);
    window[start..].trim().to_string()
}

/// Dated happenings in the body, once each.
pub fn events(paragraphs: &[String], subject: Option<&str>) -> Vec<Event> {
    let mut out: Vec<Event> = Vec::new();
    for p in paragraphs {
        if p.starts_with("ตามที่") || p.starts_with("อ้างถึง") {
            continue;
        }
        let numbered = item_number(p).map(|(_, rest)| rest);
        for found in thai::find_dates(p) {
            if found.role != DateRole::Plain {
                continue;
            }
            let what = match numbered {
                Some(item) => item_activity(p, item, &found),
                None => subject.map(subject_activity).unwrap_or_default(),
            };
            let event = event_of(&found, what);
            let same = |e: &Event| {
                e.date == event.date
                    && e.end_date == event.end_date
                    && e.start == event.start
                    && e.end == event.end
            };
            if !out.iter().any(same) {
                out.push(event);
            }
        }
    }
    out
}

fn event_of(found: &FoundDate, what: String) -> Event {
    let hm = |t: chrono::NaiveTime| t.format("%H:%M").to_string();
    let multi_day = found.range.start != found.range.end;
    Event {
        date: found.range.start,
        start: found.time.map(|t| hm(t.start)),
        end: found.time.and_then(|t| t.end).map(hm),
        end_date: multi_day.then_some(found.range.end),
        what,
    }
}

/// A numbered item without its number and its date phrase, cut before
/// `สำหรับ` / `โดย` / `เพื่อ`.
fn item_activity(paragraph: &str, item: &str, found: &FoundDate) -> String {
    let offset = paragraph.len() - item.len();
    let (start, end) = (found.start.max(offset) - offset, found.end - offset);
    let without = format!("{} {}", &item[..start], &item[end.min(item.len())..]);
    let text = super::lines::collapse(&without);
    let cut = [" สำหรับ", " โดย", " เพื่อ"]
        .iter()
        .filter_map(|w| text.find(w))
        .min()
        .unwrap_or(text.len());
    text[..cut].trim().to_string()
}

/// The activity a subject names (see docs/parsing.md): `การดำเนินงานโครงการ
/// อบรม สัมมนาเพื่อ… ผ่านระบบ…` → `อบรม สัมมนาผ่านระบบ…`.
pub fn subject_activity(subject: &str) -> String {
    let mut s = subject.trim();
    for lead in ["การดำเนินงาน", "การจัด", "โครงการ"]
    {
        s = s.strip_prefix(lead).unwrap_or(s).trim_start();
    }
    let mut s = s.to_string();
    if let Some(at) = s.find("เพื่อ") {
        let after = &s[at..];
        let end = [" ผ่าน", " ณ"]
            .iter()
            .filter_map(|w| after.find(w).map(|k| k + 1))
            .min()
            .unwrap_or(after.len());
        s = format!("{}{}", &s[..at], &after[end..]);
    }
    s = s.replace("ผ่านเครือข่ายอินเทอร์เน็ต", "");
    if let Some(at) = s.find(" ประจำปี") {
        s.truncate(at);
    }
    super::lines::collapse(&s)
}

/// Every link, in order, each once: `<…>` and trailing punctuation removed,
/// `www.x` as `http://www.x`. A link in `<…>` may wrap onto the next line.
pub fn urls(lines: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        let mut search = 0;
        while let Some((at, _)) = next_url(&line[search..]) {
            let at = search + at;
            let bracketed = line[..at].ends_with('<');
            let mut url: String = line[at..]
                .chars()
                .take_while(|c| !c.is_whitespace() && !"<>\"“”'()".contains(*c))
                .collect();
            let end = at + url.len();
            if bracketed && end == line.len() && i + 1 < lines.len() {
                let next = &lines[i + 1];
                let tail: String = next
                    .chars()
                    .take_while(|c| *c != '>' && !c.is_whitespace())
                    .collect();
                if next[tail.len()..].starts_with('>') {
                    url.push_str(&tail);
                }
            }
            let url = url.trim_end_matches(['.', ',', ';', ':', ')', ']']);
            let url = if url.starts_with("www.") {
                format!("http://{url}")
            } else {
                url.to_string()
            };
            if url.len() > "http://".len() + 2 && !out.contains(&url) {
                out.push(url);
            }
            search = end.max(at + 1);
        }
        i += 1;
    }
    out
}

/// The next `http://`, `https://` or word-initial `www.` in `text`.
fn next_url(text: &str) -> Option<(usize, ())> {
    let mut best: Option<usize> = None;
    for prefix in ["http://", "https://", "www."] {
        let mut from = 0;
        while let Some(k) = text[from..].find(prefix) {
            let at = from + k;
            let word_start = text[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric() && c != '/' && c != '.');
            if word_start {
                best = Some(best.map_or(at, |b| b.min(at)));
                break;
            }
            from = at + prefix.len();
        }
    }
    best.map(|b| (b, ()))
}

const LAO_WORDS: &[&str] = &[
    "องค์การบริหารส่วนตำบล",
    "องค์การบริหารส่วนจังหวัด",
    "เทศบาล",
    "นายกองค์การบริหารส่วน",
    "เมืองพัทยา",
    "อบต.",
    "อบจ.",
];
const LAO_NOTICES: &[&str] = &["แจ้งองค์กรปกครองส่วนท้องถิ่น", "แจ้งองค์การบริหารส่วน", "แจ้งเทศบาล"];

/// The body says the DLA asked for it.
const DLA_NOTICES: &[&str] = &[
    "กรมส่งเสริมการปกครองท้องถิ่นแจ้ง",
    "แจ้งจากกรมส่งเสริมการปกครองท้องถิ่น",
    "ตามหนังสือกรมส่งเสริมการปกครองท้องถิ่น",
];

fn is_lao(name: &str) -> bool {
    LAO_WORDS.iter().any(|w| name.contains(w))
}

/// The levels of the chain the letter passes through, top down.
pub fn route(letter: &ParsedLetter, paragraphs: &[String]) -> Vec<Level> {
    let mut levels = Vec::new();
    let dla_number = |agency: &Option<String>, unit: &Option<String>| {
        // The DLA's units are มท 08xx (0808, 0810, 0816, 0820, …).
        agency.as_deref() == Some("มท") && unit.as_deref().is_some_and(|u| u.starts_with("08"))
    };
    // `นายอำเภอ ทุกอำเภอ และนายกองค์การบริหารส่วนจังหวัด…` addresses two levels.
    let parties: Vec<&str> = [letter.issuer.as_deref(), letter.to.as_deref()]
        .into_iter()
        .flatten()
        .flat_map(|p| p.split(" และ"))
        .collect();
    let own_dla = letter
        .number
        .as_ref()
        .is_some_and(|n| dla_number(&n.agency, &n.unit));
    if own_dla
        || parties
            .iter()
            .any(|p| p.contains("กรมส่งเสริมการปกครองท้องถิ่น"))
        || letter
            .references
            .iter()
            .any(|r| dla_number(&r.number.agency, &r.number.unit))
        || paragraphs
            .iter()
            .any(|p| DLA_NOTICES.iter().any(|w| p.contains(w)))
    {
        levels.push(Level::Department);
    }
    let province = |p: &&str| {
        !is_lao(p) && (p.contains("จังหวัด") && !p.contains("อำเภอ") || p.starts_with("จังหวัด"))
    };
    if parties.iter().any(province) {
        levels.push(Level::Province);
    }
    if parties.iter().any(|p| !is_lao(p) && p.contains("อำเภอ")) {
        levels.push(Level::District);
    }
    if parties.iter().any(|p| is_lao(p))
        || paragraphs
            .iter()
            .any(|p| LAO_NOTICES.iter().any(|w| p.contains(w)))
    {
        levels.push(Level::Lao);
    }
    levels
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn condenses_the_subject_of_seed_003() {
        let subject = "การดำเนินงานโครงการอบรม สัมมนาเพื่อเพิ่มศักยภาพองค์กรปกครองส่วนท้องถิ่นที่ไม่ผ่านเกณฑ์การประเมินมาตรฐานการปฏิบัติราชการขององค์กรปกครองส่วนท้องถิ่นทั้ง ๕ ด้าน (เฉลี่ยรวม ๕ ด้าน น้อยกว่าร้อยละ ๗๐) ผ่านระบบการประชุมทางไกลผ่านเครือข่ายอินเทอร์เน็ต (Web Conference) ประจำปีงบประมาณ พ.ศ. ๒๕๖๔";
        assert_eq!(
            subject_activity(subject),
            "อบรม สัมมนาผ่านระบบการประชุมทางไกล (Web Conference)"
        );
    }

    #[test]
    fn finds_a_body_citation_with_its_issuer() {
        let text =
            "ตามหนังสือกรมส่งเสริมการปกครองท้องถิ่น ที่ มท ๐๘๑๐.๗/ว ๓๓๓ ลงวันที่ ๑๙ กุมภาพันธ์ ๒๕๖๔ เพื่อเป็นค่าใช้จ่าย";
        let refs = citations_in(text, ReferenceSource::Body);
        assert_eq!(refs.len(), 1);
        assert_eq!(refs[0].number.printed, "มท ๐๘๑๐.๗/ว ๓๓๓");
        assert_eq!(refs[0].issuer.as_deref(), Some("กรมส่งเสริมการปกครองท้องถิ่น"));
        assert_eq!(refs[0].date.unwrap().to_string(), "2021-02-19");
    }

    #[test]
    fn a_bracketed_link_may_wrap() {
        let lines = vec![
            "ที่ <http://www.".to_string(),
            "pitloklocal.org> หัวข้อ".to_string(),
            "www.pitloklocal.org".to_string(),
        ];
        assert_eq!(urls(&lines), ["http://www.pitloklocal.org"]);
    }
}

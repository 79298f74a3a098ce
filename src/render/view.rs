//! From typed inputs to what the templates print: every date, number,
//! amount, list number and label formatted here, in Rust, so that templates
//! only place strings (logic in Rust, as zola keeps Tera simple).
//!
//! Free text (subject, body, names) is kept as the user typed it — digits
//! included, since letters mix `๒๕๖๗` with `COVID - 19` — and gets only
//! line-break marks. Values saraban formats itself follow the office's
//! digit setting.

use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::docnum::DocNumber;
use crate::model::*;
use crate::thai::{self, DateStyle, Digits};

use super::breaks::{keep_together, mark_breaks};

/// The shared data of a document and what changes per recipient.
pub struct View {
    pub data: Value,
    pub recipient: Value,
    pub meta: Meta,
    /// Every justified paragraph: its id and its text without blanks, so
    /// that a laid-out line can be traced back to its paragraph.
    pub paragraphs: Vec<(String, String)>,
    /// Last paragraphs whose last two lines must travel with what follows.
    pub keeps: Vec<Keep>,
    /// The names lines must not break inside (for the checker).
    pub names: Vec<String>,
    /// The digits the office prints.
    pub digits: Digits,
}

impl View {
    /// Free text set as the document's own is: digits per the office,
    /// break marks, names kept whole. For what a mail-merge puts in the
    /// recipient overlay (the addressee).
    pub fn text(&self, s: &str) -> String {
        mark_breaks(&self.digits.apply_to_text(s.trim()), &self.names)
    }
}

/// A last paragraph and the first line of what closes its part (the
/// closing, the signer's name, the dated line).
#[derive(Debug, Clone)]
pub struct Keep {
    pub id: String,
    /// The paragraph as printed, break marks included (as in data.json).
    pub marked: String,
    /// The first line after it, without blanks.
    pub next: String,
}

/// PDF metadata.
#[derive(Debug, Clone)]
pub struct Meta {
    pub title: String,
    pub author: String,
    pub keywords: Vec<String>,
    /// The document's date; a project or an undated schedule has none.
    pub date: Option<NaiveDate>,
}

struct Prep {
    digits: Digits,
    names: Vec<String>,
    paragraphs: std::cell::RefCell<Vec<(String, String)>>,
    keeps: std::cell::RefCell<Vec<Keep>>,
}

impl Prep {
    /// A justified paragraph: `{id, text}`. The renderer sets paragraphs
    /// ragged-right by id when justifying them would leave wide gaps.
    fn para(&self, s: &str) -> Value {
        let s = &self.digits.apply_to_text(s);
        let mut paragraphs = self.paragraphs.borrow_mut();
        let id = format!("p{}", paragraphs.len());
        let compact: String = super::breaks::unmark(s)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        paragraphs.push((id.clone(), compact));
        json!({ "id": id, "text": self.text(s) })
    }

    fn paras(&self, v: &[String]) -> Vec<Value> {
        v.iter().map(|s| self.para(s)).collect()
    }

    /// Remembers that the last of `paras` keeps its last two lines with
    /// the line `next` (unmarked) that follows it.
    fn keep_last(&self, paras: &[Value], next: &str) {
        if let Some(last) = paras.last() {
            self.keeps.borrow_mut().push(Keep {
                id: last["id"].as_str().unwrap_or_default().to_string(),
                marked: last["text"].as_str().unwrap_or_default().to_string(),
                next: compact(next),
            });
        }
    }

    /// Free text: as typed (Arabic digits made Thai for an office that
    /// prints Thai digits, Latin-script words excepted), with break marks.
    fn text(&self, s: &str) -> String {
        mark_breaks(&self.digits.apply_to_text(s.trim()), &self.names)
    }

    /// Text for a narrow table cell: nothing is protected beyond single
    /// dictionary words, so that nothing is too long to fit between the
    /// rules.
    fn cell(&self, s: &str) -> String {
        super::breaks::mark_breaks_loose(&self.digits.apply_to_text(s.trim()))
    }

    fn texts(&self, v: &[String]) -> Vec<String> {
        v.iter().map(|s| self.text(s)).collect()
    }

    /// A short value saraban formats (a phone number, a quantity, a label):
    /// digits per the office, kept on one line.
    fn value(&self, s: &str) -> String {
        keep_together(&self.digits.apply(s.trim()))
    }

    /// Text whose digits follow the office (an address, a unit with its
    /// telephone), breaking like any text.
    fn digits_text(&self, s: &str) -> String {
        mark_breaks(&self.digits.apply(s.trim()), &self.names)
    }

    fn date(&self, d: NaiveDate) -> String {
        keep_together(&thai::format_date(d, DateStyle::Long, self.digits))
    }

    fn number(&self, n: &str) -> String {
        keep_together(&match DocNumber::parse(n) {
            Ok(parsed) => parsed.format(self.digits),
            Err(_) => self.digits.apply(n),
        })
    }

    /// `วันพฤหัสบดีที่ ๒๓ พฤษภาคม ๒๕๖๗`, the date itself kept on one line.
    fn weekday_date(&self, d: NaiveDate) -> String {
        let text = thai::format_date(d, DateStyle::Weekday, self.digits);
        match text.split_once(' ') {
            Some((weekday, date)) => format!("{weekday} {}", keep_together(date)),
            None => text,
        }
    }

    /// `๐๙.๓๐ - ๑๒.๐๐ น.` kept on one line.
    fn time(&self, start: chrono::NaiveTime, end: Option<chrono::NaiveTime>) -> String {
        keep_together(&thai::TimeRange { start, end }.format(self.digits))
    }

    /// List entries numbered `๑.`, `๒.` … when there is more than one
    /// (enclosures, notes); a lone entry stands unnumbered.
    fn numbered<'a>(&self, items: impl ExactSizeIterator<Item = &'a str>) -> Vec<String> {
        let many = items.len() > 1;
        items
            .enumerate()
            .map(|(i, t)| {
                if many {
                    format!("{} {t}", self.ordinal(i + 1))
                } else {
                    t.to_string()
                }
            })
            .collect()
    }

    /// `๑.` for list and section numbers.
    fn ordinal(&self, i: usize) -> String {
        self.digits.apply(&format!("{i}."))
    }

    fn signer(&self, s: &Signer) -> Value {
        // `key` finds the signer's signature image, if any (`/signatures.json`).
        json!({
            "name": self.text(&format!("({})", s.name)),
            "position": self.texts(&s.position),
            "key": s.key(),
        })
    }

    fn session(&self, s: &Session) -> String {
        let mut parts = Vec::new();
        if let Some(label) = &s.label {
            parts.push(self.value(label));
        }
        match s.end_date.filter(|e| *e != s.date) {
            Some(end) => {
                let range = thai::DateRange { start: s.date, end };
                parts.push(format!(
                    "ระหว่างวันที่ {}",
                    keep_together(&range.format(self.digits))
                ));
            }
            None => parts.push(self.weekday_date(s.date)),
        }
        if let Some(start) = s.start {
            parts.push(format!("เวลา {}", self.time(start, s.end)));
        }
        self.text(&parts.join(" "))
    }
}

/// Text without blanks or break marks: how laid-out lines are compared
/// with the input.
pub fn compact(s: &str) -> String {
    super::breaks::unmark(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// The longest name kept unbroken, in characters.
const MAX_PROTECTED: usize = 30;

/// Names the data knows, which lines must never break inside.
fn known_names(doc: &Document) -> Vec<String> {
    let mut names: Vec<String> = doc.names.clone();
    let add_signer = |names: &mut Vec<String>, s: &Signer| {
        names.push(s.name.clone());
        names.extend(s.position.iter().cloned());
    };
    for part in std::iter::once(&doc.main).chain(&doc.annexes) {
        match part {
            Part::Letter(l) => {
                names.push(l.issuer.name.clone());
                names.push(l.to.clone());
                add_signer(&mut names, &l.signer);
                names.extend(l.contact.owner_unit.iter().cloned());
                names.extend(l.contact.coordinator.iter().cloned());
                names.extend(l.references.iter().filter_map(|r| r.issuer.clone()));
            }
            Part::Memo(m) => add_signer(&mut names, &m.signer),
            Part::Order(o) => {
                names.push(o.issuer.clone());
                add_signer(&mut names, &o.signer);
            }
            Part::Announcement(a) => {
                names.push(a.issuer.clone());
                add_signer(&mut names, &a.signer);
            }
            Part::Sealed(s) => {
                names.push(s.issuer.clone());
                names.push(s.to.clone());
                names.extend(s.contact.owner_unit.iter().cloned());
            }
            Part::Project(p) => {
                add_signer(&mut names, &p.proposer);
                add_signer(&mut names, &p.approver);
            }
            Part::Schedule(_) | Part::Form(_) => {}
        }
    }
    // A name longer than this could not fit a line or a table cell if it
    // were unbreakable (it would run off the page); it may break between its
    // own words instead.
    names.retain(|n| n.chars().count() <= MAX_PROTECTED);
    // A person's name is never split, however long (it sits on a line of
    // its own in the signature block).
    for part in std::iter::once(&doc.main).chain(&doc.annexes) {
        names.extend(part.signers().into_iter().map(|s| s.name.clone()));
    }
    names
}

/// Builds the view of a whole document.
pub fn build(doc: &Document) -> Result<View, FieldError> {
    let prep = Prep {
        digits: doc.digits,
        names: known_names(doc),
        paragraphs: Default::default(),
        keeps: Default::default(),
    };
    let mut parts = Vec::new();
    let mut overlays = serde_json::Map::new();
    for (i, part) in std::iter::once(&doc.main).chain(&doc.annexes).enumerate() {
        let field = if i == 0 {
            "main".to_string()
        } else {
            format!("annexes[{}]", i - 1)
        };
        let (data, overlay) = part_view(&prep, part, &field)?;
        parts.push(data);
        if let Some(o) = overlay {
            overlays.insert(i.to_string(), o);
        }
    }
    let meta = meta(&doc.main);
    let data = json!({
        "digits": match doc.digits { Digits::Thai => "thai", Digits::Arabic => "arabic" },
        "fonts": super::fonts::FAMILIES,
        "title": meta.title,
        "author": meta.author,
        "keywords": meta.keywords,
        "parts": parts,
    });
    Ok(View {
        data,
        recipient: Value::Object(overlays),
        meta,
        paragraphs: prep.paragraphs.into_inner(),
        keeps: prep.keeps.into_inner(),
        names: prep.names,
        digits: prep.digits,
    })
}

fn meta(main: &Part) -> Meta {
    let (title, author, number, date) = match main {
        Part::Letter(l) => (
            l.subject.clone(),
            l.issuer.name.clone(),
            l.number.clone(),
            Some(l.date),
        ),
        Part::Memo(m) => (
            m.subject.clone(),
            m.unit.clone(),
            m.number.clone(),
            Some(m.date),
        ),
        Part::Order(o) => (
            o.subject.clone(),
            o.issuer.clone(),
            o.number.clone(),
            Some(o.date),
        ),
        Part::Announcement(a) => (
            a.subject.clone(),
            a.issuer.clone(),
            a.number.clone(),
            Some(a.date),
        ),
        Part::Sealed(s) => (
            s.subject.clone(),
            s.issuer.clone(),
            s.number.clone(),
            Some(s.date),
        ),
        Part::Schedule(s) => (
            s.title.join(" "),
            String::new(),
            None,
            s.session.as_ref().map(|x| x.date),
        ),
        Part::Project(p) => (p.title.clone(), p.proposer.name.clone(), None, None),
        Part::Form(f) => (
            f.title.clone(),
            String::new(),
            None,
            f.session.as_ref().map(|x| x.date),
        ),
    };
    let keywords = number
        .map(|n| DocNumber::parse(&n).map(|p| p.to_string()).unwrap_or(n))
        .into_iter()
        .collect();
    Meta {
        title,
        author,
        keywords,
        date,
    }
}

fn part_view(prep: &Prep, part: &Part, field: &str) -> Result<(Value, Option<Value>), FieldError> {
    Ok(match part {
        Part::Letter(l) => letter(prep, l),
        Part::Memo(m) => memo(prep, m),
        Part::Order(o) => (
            directive(
                prep,
                "order",
                &o.issuer,
                o.number.as_deref(),
                &o.subject,
                &o.body,
                o.date,
                &o.signer,
                o.secrecy,
            ),
            None,
        ),
        Part::Announcement(a) => (
            directive(
                prep,
                "announcement",
                &a.issuer,
                a.number.as_deref(),
                &a.subject,
                &a.body,
                a.date,
                &a.signer,
                None,
            ),
            None,
        ),
        Part::Sealed(s) => sealed(prep, s),
        Part::Schedule(s) => (schedule(prep, s), None),
        Part::Project(p) => (project(prep, p, field)?, None),
        Part::Form(f) => form(prep, f, field)?,
    })
}

fn number_line(prep: &Prep, number: Option<&str>, office_code: Option<&str>) -> String {
    match (number, office_code) {
        (Some(n), _) => prep.number(n),
        // A draft: the office code, then a blank for the number to come.
        (None, Some(code)) => format!("{}/", prep.digits.apply(code)),
        (None, None) => String::new(),
    }
}

fn letter(prep: &Prep, l: &Letter) -> (Value, Option<Value>) {
    let salutation = l
        .salutation
        .unwrap_or_else(|| Salutation::for_recipient(&l.to));
    let references: Vec<Value> = l
        .references
        .iter()
        .map(|r| {
            if let Some(t) = &r.text {
                return prep.para(t);
            }
            let mut s = String::from("หนังสือ");
            if let Some(issuer) = &r.issuer {
                s.push_str(issuer);
            }
            if let Some(u) = r.urgency {
                s.push(' ');
                s.push_str(u.thai());
            }
            if let Some(n) = &r.number {
                // ที่ never ends a line apart from its number.
                s.push_str(" ที่\u{2060} \u{2060}");
                s.push_str(&prep.number(n));
            }
            if let Some(d) = r.date {
                s.push_str(" ลงวันที่ ");
                s.push_str(&prep.date(d));
            }
            prep.para(&s)
        })
        .collect();
    // Two or more references or enclosures are numbered ๑. ๒. …; the
    // number, the text and the quantity stand in columns of their own.
    let many_refs = references.len() > 1;
    let references: Vec<Value> = references
        .into_iter()
        .enumerate()
        .map(|(i, mut r)| {
            r["n"] = if many_refs {
                json!(prep.ordinal(i + 1))
            } else {
                Value::Null
            };
            r
        })
        .collect();
    let many = l.enclosures.len() > 1;
    let enclosures: Vec<Value> = l
        .enclosures
        .iter()
        .enumerate()
        .map(|(i, e)| {
            json!({
                "n": if many { Some(prep.ordinal(i + 1)) } else { None },
                "text": prep.text(&e.text),
                "quantity": e.quantity.as_deref().map(|q| prep.value(q)),
            })
        })
        .collect();
    let body = prep.paras(&l.body);
    let closing = l
        .closing
        .as_deref()
        .unwrap_or(salutation.closing())
        .to_string();
    prep.keep_last(&body, &closing);
    let c = &l.contact;
    let mut contact: Vec<String> = prep.texts(&c.owner_unit);
    if let Some(p) = &c.phone {
        contact.push(prep.value(&format!("โทร. {p}")));
    }
    if let Some(f) = &c.fax {
        contact.push(prep.value(&format!("โทรสาร {f}")));
    }
    if let Some(e) = &c.email {
        contact.push(format!("ไปรษณีย์อิเล็กทรอนิกส์ {e}"));
    }
    if let Some(w) = &c.website {
        contact.push(w.clone());
    }
    if let Some(p) = &c.coordinator {
        contact.push(prep.text(&format!("ผู้ประสานงาน : {p}")));
    }
    let data = json!({
        "kind": "letter",
        "urgency": l.urgency.map(Urgency::thai),
        "secrecy": l.secrecy.map(Secrecy::thai),
        "issuer": prep.text(&l.issuer.name),
        "address": l.issuer.address.iter().map(|a| prep.digits_text(a)).collect::<Vec<_>>(),
        "date": prep.date(l.date),
        "subject": prep.para(&l.subject),
        "salutation": salutation.word(),
        "references": references,
        "enclosures": enclosures,
        "body": body,
        "closing": prep.text(&closing),
        "signer": prep.signer(&l.signer),
        "contact": contact,
        "copies": prep.texts(&l.copies_to),
    });
    let overlay = json!({
        "number": number_line(prep, l.number.as_deref(), l.office_code.as_deref()),
        "to": prep.text(&l.to),
    });
    (data, Some(overlay))
}

fn memo(prep: &Prep, m: &Memo) -> (Value, Option<Value>) {
    let salutation = m
        .salutation
        .unwrap_or_else(|| Salutation::for_recipient(&m.to));
    let body = prep.paras(&m.body);
    prep.keep_last(&body, &format!("({})", m.signer.name));
    let data = json!({
        "kind": "memo",
        "urgency": m.urgency.map(Urgency::thai),
        "secrecy": m.secrecy.map(Secrecy::thai),
        "unit": prep.digits_text(&m.unit),
        "date": prep.date(m.date),
        "subject": prep.text(&m.subject),
        "salutation": salutation.word(),
        "body": body,
        "signer": prep.signer(&m.signer),
    });
    let overlay = json!({
        "number": number_line(prep, m.number.as_deref(), m.office_code.as_deref()),
        "to": prep.text(&m.to),
    });
    (data, Some(overlay))
}

/// หนังสือประทับตรา: the text, then the ส่วนราชการ, the date, the seal's
/// place and the issuing unit's lines.
fn sealed(prep: &Prep, s: &Sealed) -> (Value, Option<Value>) {
    let body = prep.paras(&s.body);
    prep.keep_last(&body, &s.issuer);
    let c = &s.contact;
    let mut contact: Vec<String> = prep.texts(&c.owner_unit);
    if let Some(p) = &c.phone {
        contact.push(prep.value(&format!("โทร. {p}")));
    }
    if let Some(f) = &c.fax {
        contact.push(prep.value(&format!("โทรสาร {f}")));
    }
    let data = json!({
        "kind": "sealed",
        "urgency": s.urgency.map(Urgency::thai),
        "secrecy": Value::Null,
        "issuer": prep.text(&s.issuer),
        "date": prep.date(s.date),
        "body": body,
        "signer": prep.signer(&s.signer),
        "contact": contact,
    });
    let overlay = json!({
        "number": number_line(prep, s.number.as_deref(), s.office_code.as_deref()),
        "to": prep.text(&s.to),
    });
    (data, Some(overlay))
}

#[allow(clippy::too_many_arguments)]
fn directive(
    prep: &Prep,
    kind: &str,
    issuer: &str,
    number: Option<&str>,
    subject: &str,
    body: &[String],
    date: NaiveDate,
    signer: &Signer,
    secrecy: Option<Secrecy>,
) -> Value {
    let (heading, dated) = match kind {
        "order" => ("คำสั่ง", "สั่ง ณ วันที่"),
        _ => ("ประกาศ", "ประกาศ ณ วันที่"),
    };
    let body = prep.paras(body);
    let dated_line = format!("{dated} {}", prep.date(date));
    prep.keep_last(&body, &super::breaks::unmark(&dated_line));
    json!({
        "kind": kind,
        "secrecy": secrecy.map(Secrecy::thai),
        "heading": prep.text(&format!("{heading}{issuer}")),
        "number": number.map(|n| format!("ที่ {}", prep.number(n))),
        "subject": prep.text(subject),
        "body": body,
        "dated": dated_line,
        "signer": prep.signer(signer),
    })
}

fn schedule(prep: &Prep, s: &Schedule) -> Value {
    let items: Vec<Value> = s
        .items
        .iter()
        .map(|item| {
            let time = prep.time(item.start, item.end);
            let mut by = prep.texts(&item.by);
            if let Some(first) = by.first_mut() {
                *first = format!("โดย {first}");
            }
            json!({ "time": time, "what": prep.texts(&item.what), "by": by })
        })
        .collect();
    let notes: Vec<Value> = prep
        .numbered(s.notes.iter().map(String::as_str))
        .iter()
        .map(|n| prep.para(n))
        .collect();
    // A title line that wraps must not leave one short word alone on its
    // last line: its last two words are kept together.
    let title: Vec<String> = s
        .title
        .iter()
        .map(|t| {
            let t = t.trim();
            match t.rsplit_once(' ') {
                Some((head, last)) if last.chars().count() <= 12 && !head.is_empty() => {
                    format!(
                        "{}{}",
                        prep.text(head),
                        keep_together(&format!(" {}", prep.digits.apply_to_text(last)))
                    )
                }
                _ => prep.text(t),
            }
        })
        .collect();
    json!({
        "kind": "schedule",
        "style": match s.style { ScheduleStyle::Table => "table", ScheduleStyle::Dash => "dash" },
        "title": title,
        "session": s.session.as_ref().map(|x| prep.session(x)),
        "venue": prep.texts(&s.venue),
        "items": items,
        "grid": grid(prep, s),
        "notes": notes,
    })
}

/// The grid form: per day a header row of times and a row of sessions; the
/// break column is one cell spanning every row.
fn grid(prep: &Prep, s: &Schedule) -> Value {
    if s.days.is_empty() {
        return Value::Null;
    }
    // A half is as wide as its widest day: sessions count one column,
    // a merged one (`span`) as many as it covers.
    let width = |half: &[GridSession]| -> usize {
        half.iter()
            .map(|x| usize::from(x.span.unwrap_or(1).max(1)))
            .sum()
    };
    let am = s
        .days
        .iter()
        .map(|d| width(&d.morning))
        .max()
        .unwrap_or(0)
        .max(1);
    let pm = s
        .days
        .iter()
        .map(|d| width(&d.afternoon))
        .max()
        .unwrap_or(0)
        .max(1);
    let has_break = s.break_label.is_some();
    let columns = 1 + am + usize::from(has_break) + pm;
    // Narrow cells: a time may wrap at its dash.
    let time = |x: &GridSession| {
        thai::TimeRange {
            start: x.start,
            end: Some(x.end),
        }
        .format(prep.digits)
    };
    let mut days: Vec<Value> = Vec::new();
    let cell = |text: String, colspan: usize, rowspan: usize, header: bool| json!({ "text": text, "colspan": colspan, "rowspan": rowspan, "header": header });
    // Sessions fill their half, each its own span (one by default); the
    // last one takes what is left.
    let spans = |half: &[GridSession], width: usize| -> Vec<usize> {
        let mut used = 0;
        half.iter()
            .enumerate()
            .map(|(i, x)| {
                let own = usize::from(x.span.unwrap_or(1).max(1));
                let span = if i + 1 == half.len() {
                    width.saturating_sub(used).max(1)
                } else {
                    own
                };
                used += span;
                span
            })
            .collect()
    };
    for day in &s.days {
        let mut header = vec![cell("เวลา ว/ด/ป".into(), 1, 1, true)];
        let mut row = vec![cell(prep.weekday_date(day.date), 1, 1, true)];
        for (half, width, is_am) in [(&day.morning, am, true), (&day.afternoon, pm, false)] {
            if half.is_empty() {
                header.push(cell(String::new(), width, 1, true));
                row.push(cell(String::new(), width, 1, false));
            }
            for (x, span) in half.iter().zip(spans(half, width)) {
                header.push(cell(time(x), span, 1, true));
                row.push(cell(prep.cell(&x.what), span, 1, false));
            }
            if is_am && has_break {
                // Each day's table carries the break cell over its two rows.
                let label = s.break_label.as_deref().unwrap_or_default();
                header.push(cell(prep.cell(label), 1, 2, false));
            }
        }
        let mut cells = header;
        cells.extend(row);
        days.push(Value::Array(cells));
    }
    // Widths in cm (fixed) or fr (shared): the day column and the break
    // column fixed, sessions sharing the rest.
    let mut widths = vec![json!({ "cm": 3.6 })];
    widths.extend((0..am).map(|_| json!({ "fr": 1 })));
    if has_break {
        widths.push(json!({ "cm": 2.2 }));
    }
    widths.extend((0..pm).map(|_| json!({ "fr": 1 })));
    debug_assert_eq!(widths.len(), columns);
    json!({ "columns": widths, "days": days })
}

fn project(prep: &Prep, p: &Project, field: &str) -> Result<Value, FieldError> {
    let mut sections: Vec<Value> = Vec::new();
    for (i, s) in p.sections.iter().enumerate() {
        let n = i + 1;
        let mut paragraphs = prep.paras(&s.paragraphs);
        if let Some(b) = &s.budget {
            let satang = thai::parse_baht_figure(&b.amount).map_err(|e| {
                FieldError::new(
                    format!("{field}.sections[{i}].budget.amount"),
                    "จำนวนเงินไม่ถูกต้อง",
                    e.to_string(),
                )
            })?;
            let figure = keep_together(&thai::baht_figure(satang, prep.digits));
            let mut text = format!("จำนวนเงิน {figure} ({})", thai::baht_words(satang));
            if let Some(d) = &b.detail {
                text.push(' ');
                text.push_str(d);
            }
            paragraphs.push(prep.para(&text));
        }
        let items: Vec<Value> = s
            .items
            .iter()
            .enumerate()
            .map(|(j, it)| {
                prep.para(&format!(
                    "{} {it}",
                    prep.digits.apply(&format!("{n}.{}", j + 1))
                ))
            })
            .collect();
        sections.push(json!({
            "heading": prep.text(&format!("{} {}", prep.ordinal(n), s.heading)),
            "paragraphs": paragraphs,
            "items": items,
        }));
    }
    let n = p.sections.len();
    Ok(json!({
        "kind": "project",
        "title": prep.text(&p.title),
        "sections": sections,
        "proposer": { "heading": format!("{} ผู้เสนอโครงการ", prep.ordinal(n + 1)), "signer": prep.signer(&p.proposer) },
        "approver": { "heading": format!("{} ผู้อนุมัติโครงการ", prep.ordinal(n + 2)), "signer": prep.signer(&p.approver) },
    }))
}

fn form(prep: &Prep, f: &Form, field: &str) -> Result<(Value, Option<Value>), FieldError> {
    let mut codes = Vec::new();
    for (i, q) in f.codes.iter().enumerate() {
        let svg = super::qr::qr_svg(&q.url).map_err(|e| {
            FieldError::new(
                format!("{field}.codes[{i}].url"),
                "สร้าง QR Code จากลิงก์นี้ไม่ได้",
                e.to_string(),
            )
        })?;
        codes.push(json!({ "caption": prep.text(&q.caption), "url": q.url, "svg": svg }));
    }
    let data = json!({
        "kind": "form",
        "title": prep.text(&f.title),
        "lines": prep.texts(&f.lines),
        "session": f.session.as_ref().map(|x| prep.session(x)),
        "venue": prep.texts(&f.venue),
    });
    Ok((data, Some(json!({ "codes": codes }))))
}

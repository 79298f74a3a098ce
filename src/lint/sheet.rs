//! A document laid flat for the checks: every text field with its JSON path
//! and what kind of text it is, and the facts the date, number and form
//! checks compare (the letter's date, its number, salutation and closing,
//! the sessions of its annexes, what it cites).

use chrono::NaiveDate;

use crate::model::{
    Document, Form, Part, Project, Reference, Salutation, Schedule, Session, Signer,
};
use crate::parse::ParsedLetter;
use crate::thai::Digits;

/// How a field's text is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// Running text, titles, lines: every check.
    Prose,
    /// A person, an address, the addressee, a venue: no dictionary check
    /// (proper names the dictionary does not know).
    Name,
    /// An office as named (issuer, owner unit): checked against the registry.
    Office,
    /// Numbers, telephone, e-mail, links: digits only.
    Code,
}

/// One text field.
#[derive(Debug, Clone)]
pub struct Text {
    pub field: String,
    pub text: String,
    pub kind: TextKind,
}

/// A citation the document makes (อ้างถึง, or a `ที่ … ลงวันที่ …` in its text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cited {
    pub field: String,
    pub number: String,
    pub date: Option<NaiveDate>,
    pub issuer: Option<String>,
}

/// The document, flat.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    pub texts: Vec<Text>,
    /// The main part's date and its field.
    pub date: Option<(String, NaiveDate)>,
    /// The main part's number as typed, and its field.
    pub number: Option<(String, String)>,
    /// Orders and announcements print `๑๒๕/๒๕๖๗`: the year is part of it.
    pub numbered_with_year: bool,
    /// The salutation (given, or the one the addressee calls for).
    pub salutation: Option<Salutation>,
    pub closing: Option<(String, String)>,
    /// Sessions and days of schedules and forms: (field, first day).
    pub events: Vec<(String, NaiveDate)>,
    /// Deadlines the parser read (a parsed letter's `deadlines`).
    pub deadlines: Vec<(String, NaiveDate)>,
    /// The office's digit setting; `None` for a letter as printed.
    pub digits: Option<Digits>,
    /// Names the document knows (its `names`, signers, issuer …).
    pub names: Vec<String>,
    pub cited: Vec<Cited>,
}

impl Sheet {
    fn push(&mut self, field: impl Into<String>, text: &str, kind: TextKind) {
        if !text.trim().is_empty() {
            self.texts.push(Text {
                field: field.into(),
                text: text.to_string(),
                kind,
            });
        }
    }

    fn lines(&mut self, field: &str, lines: &[String], kind: TextKind) {
        for (i, l) in lines.iter().enumerate() {
            self.push(format!("{field}[{i}]"), l, kind);
        }
    }

    fn signer(&mut self, field: &str, s: &Signer) {
        self.push(format!("{field}.name"), &s.name, TextKind::Name);
        self.names.push(s.name.clone());
        self.lines(&format!("{field}.position"), &s.position, TextKind::Prose);
    }

    fn session(&mut self, field: &str, s: &Session) {
        if let Some(l) = &s.label {
            self.push(format!("{field}.label"), l, TextKind::Prose);
        }
        self.events.push((format!("{field}.date"), s.date));
    }

    /// The sheet of a document as the renderer takes it.
    pub fn of_document(doc: &Document) -> Sheet {
        let mut s = Sheet {
            digits: Some(doc.digits),
            names: doc.names.clone(),
            ..Sheet::default()
        };
        s.part("main", &doc.main, true);
        for (i, a) in doc.annexes.iter().enumerate() {
            s.part(&format!("annexes[{i}]"), a, false);
        }
        s.cited_in_text();
        s
    }

    /// `ที่ … ลงวันที่ …` citations in the prose fields.
    fn cited_in_text(&mut self) {
        let mut found = Vec::new();
        for t in self.prose() {
            for r in crate::parse::citations_in(&t.text, crate::parse::ReferenceSource::Body) {
                found.push(Cited {
                    field: t.field.clone(),
                    number: r.number.printed,
                    date: r.date,
                    issuer: r.issuer,
                });
            }
        }
        self.cited.extend(found);
    }

    fn main_facts(&mut self, at: &str, date: NaiveDate, number: Option<&String>, year: bool) {
        self.date = Some((format!("{at}.date"), date));
        if let Some(n) = number {
            self.number = Some((format!("{at}.number"), n.clone()));
            self.numbered_with_year = year;
        }
    }

    fn part(&mut self, at: &str, part: &Part, main: bool) {
        use TextKind::*;
        match part {
            Part::Letter(l) => {
                if main {
                    self.main_facts(at, l.date, l.number.as_ref(), false);
                    self.salutation = Some(
                        l.salutation
                            .unwrap_or_else(|| Salutation::for_recipient(&l.to)),
                    );
                    if let Some(c) = &l.closing {
                        self.closing = Some((format!("{at}.closing"), c.clone()));
                    }
                }
                if let Some(n) = &l.number {
                    self.push(format!("{at}.number"), n, Code);
                }
                self.push(format!("{at}.issuer.name"), &l.issuer.name, Office);
                self.names.push(l.issuer.name.clone());
                self.lines(&format!("{at}.issuer.address"), &l.issuer.address, Name);
                self.push(format!("{at}.subject"), &l.subject, Prose);
                self.push(format!("{at}.to"), &l.to, Name);
                for (i, r) in l.references.iter().enumerate() {
                    self.reference(&format!("{at}.references[{i}]"), r);
                }
                for (i, e) in l.enclosures.iter().enumerate() {
                    self.push(format!("{at}.enclosures[{i}].text"), &e.text, Prose);
                    if let Some(q) = &e.quantity {
                        self.push(format!("{at}.enclosures[{i}].quantity"), q, Prose);
                    }
                }
                self.lines(&format!("{at}.body"), &l.body, Prose);
                if let Some(c) = &l.closing {
                    self.push(format!("{at}.closing"), c, Prose);
                }
                self.signer(&format!("{at}.signer"), &l.signer);
                let c = &l.contact;
                self.lines(&format!("{at}.contact.owner_unit"), &c.owner_unit, Office);
                self.names.extend(c.owner_unit.iter().cloned());
                for (f, v) in [
                    ("phone", &c.phone),
                    ("fax", &c.fax),
                    ("email", &c.email),
                    ("website", &c.website),
                ] {
                    if let Some(v) = v {
                        self.push(format!("{at}.contact.{f}"), v, Code);
                    }
                }
                if let Some(v) = &c.coordinator {
                    self.push(format!("{at}.contact.coordinator"), v, Name);
                    self.names.push(v.clone());
                }
                self.lines(&format!("{at}.copies_to"), &l.copies_to, Prose);
            }
            Part::Memo(m) => {
                if main {
                    self.main_facts(at, m.date, m.number.as_ref(), false);
                }
                self.push(format!("{at}.unit"), &m.unit, Name);
                if let Some(n) = &m.number {
                    self.push(format!("{at}.number"), n, Code);
                }
                self.push(format!("{at}.subject"), &m.subject, Prose);
                self.push(format!("{at}.to"), &m.to, Name);
                self.lines(&format!("{at}.body"), &m.body, Prose);
                self.signer(&format!("{at}.signer"), &m.signer);
            }
            Part::Order(o) => {
                if main {
                    self.main_facts(at, o.date, o.number.as_ref(), true);
                }
                self.push(format!("{at}.issuer"), &o.issuer, Office);
                self.names.push(o.issuer.clone());
                if let Some(n) = &o.number {
                    self.push(format!("{at}.number"), n, Code);
                }
                self.push(format!("{at}.subject"), &o.subject, Prose);
                self.lines(&format!("{at}.body"), &o.body, Prose);
                self.signer(&format!("{at}.signer"), &o.signer);
            }
            Part::Announcement(a) => {
                if main {
                    self.main_facts(at, a.date, a.number.as_ref(), true);
                }
                self.push(format!("{at}.issuer"), &a.issuer, Office);
                self.names.push(a.issuer.clone());
                if let Some(n) = &a.number {
                    self.push(format!("{at}.number"), n, Code);
                }
                self.push(format!("{at}.subject"), &a.subject, Prose);
                self.lines(&format!("{at}.body"), &a.body, Prose);
                self.signer(&format!("{at}.signer"), &a.signer);
            }
            Part::Sealed(s) => {
                if main {
                    self.main_facts(at, s.date, s.number.as_ref(), false);
                }
                self.push(format!("{at}.issuer"), &s.issuer, Office);
                self.names.push(s.issuer.clone());
                if let Some(n) = &s.number {
                    self.push(format!("{at}.number"), n, Code);
                }
                self.push(format!("{at}.to"), &s.to, Name);
                self.lines(&format!("{at}.body"), &s.body, Prose);
                self.lines(
                    &format!("{at}.contact.owner_unit"),
                    &s.contact.owner_unit,
                    Name,
                );
                self.signer(&format!("{at}.signer"), &s.signer);
            }
            Part::Schedule(x) => self.schedule(at, x),
            Part::Project(x) => self.project(at, x),
            Part::Form(x) => self.form(at, x),
        }
    }

    fn reference(&mut self, at: &str, r: &Reference) {
        if let Some(t) = &r.text {
            self.push(format!("{at}.text"), t, TextKind::Prose);
        }
        if let Some(i) = &r.issuer {
            self.push(format!("{at}.issuer"), i, TextKind::Prose);
        }
        if let Some(n) = &r.number {
            self.push(format!("{at}.number"), n, TextKind::Code);
            self.cited.push(Cited {
                field: format!("{at}.number"),
                number: n.clone(),
                date: r.date,
                issuer: r.issuer.clone(),
            });
        }
    }

    fn schedule(&mut self, at: &str, x: &Schedule) {
        use TextKind::*;
        self.lines(&format!("{at}.title"), &x.title, Prose);
        if let Some(s) = &x.session {
            self.session(&format!("{at}.session"), s);
        }
        self.lines(&format!("{at}.venue"), &x.venue, Name);
        for (i, item) in x.items.iter().enumerate() {
            self.lines(&format!("{at}.items[{i}].what"), &item.what, Prose);
            self.lines(&format!("{at}.items[{i}].by"), &item.by, Prose);
        }
        for (i, day) in x.days.iter().enumerate() {
            self.events.push((format!("{at}.days[{i}].date"), day.date));
            for (part, sessions) in [("morning", &day.morning), ("afternoon", &day.afternoon)] {
                for (j, s) in sessions.iter().enumerate() {
                    self.push(format!("{at}.days[{i}].{part}[{j}].what"), &s.what, Prose);
                }
            }
        }
        if let Some(b) = &x.break_label {
            self.push(format!("{at}.break_label"), b, Prose);
        }
        self.lines(&format!("{at}.notes"), &x.notes, Prose);
    }

    fn project(&mut self, at: &str, x: &Project) {
        use TextKind::*;
        self.push(format!("{at}.title"), &x.title, Prose);
        for (i, s) in x.sections.iter().enumerate() {
            let sat = format!("{at}.sections[{i}]");
            self.push(format!("{sat}.heading"), &s.heading, Prose);
            self.lines(&format!("{sat}.paragraphs"), &s.paragraphs, Prose);
            self.lines(&format!("{sat}.items"), &s.items, Prose);
            if let Some(b) = &s.budget
                && let Some(d) = &b.detail
            {
                self.push(format!("{sat}.budget.detail"), d, Prose);
            }
        }
        self.signer(&format!("{at}.proposer"), &x.proposer);
        self.signer(&format!("{at}.approver"), &x.approver);
    }

    fn form(&mut self, at: &str, x: &Form) {
        use TextKind::*;
        self.push(format!("{at}.title"), &x.title, Prose);
        self.lines(&format!("{at}.lines"), &x.lines, Prose);
        if let Some(s) = &x.session {
            self.session(&format!("{at}.session"), s);
        }
        self.lines(&format!("{at}.venue"), &x.venue, Name);
        for (i, q) in x.codes.iter().enumerate() {
            self.push(format!("{at}.codes[{i}].caption"), &q.caption, Prose);
            self.push(format!("{at}.codes[{i}].url"), &q.url, Code);
        }
    }

    /// The sheet of a letter read from text: the fields the parser gives.
    pub fn of_parsed(l: &ParsedLetter) -> Sheet {
        use TextKind::*;
        let mut s = Sheet::default();
        if let Some(d) = l.date {
            s.date = Some(("date".into(), d));
        }
        if let Some(n) = &l.number {
            s.number = Some(("number".into(), n.printed.clone()));
            s.numbered_with_year = n.year_be.is_some();
            s.push("number", &n.printed, Code);
        }
        if let Some(i) = &l.issuer {
            s.push("issuer", i, Office);
            s.names.push(i.clone());
        }
        if let Some(a) = &l.issuer_address {
            s.push("issuer_address", a, Name);
        }
        if let Some(x) = &l.subject {
            s.push("subject", x, Prose);
        }
        if let Some(x) = &l.to {
            s.push("to", x, Name);
        }
        for (i, r) in l.references.iter().enumerate() {
            s.cited.push(Cited {
                field: format!("references[{i}].number"),
                number: r.number.printed.clone(),
                date: r.date,
                issuer: r.issuer.clone(),
            });
        }
        for (i, e) in l.enclosures.iter().enumerate() {
            s.push(format!("enclosures[{i}].text"), &e.text, Prose);
        }
        if let Some(c) = &l.closing {
            s.push("closing", c, Prose);
        }
        if let Some(x) = &l.signer {
            s.push("signer.name", &x.name, Name);
            s.names.push(x.name.clone());
            if let Some(p) = &x.position {
                s.push("signer.position", p, Prose);
            }
        }
        if let Some(u) = &l.owner_unit {
            s.push("owner_unit", u, Office);
        }
        for (f, v) in [
            ("contact.phone", &l.contact.phone),
            ("contact.fax", &l.contact.fax),
            ("contact.email", &l.contact.email),
        ] {
            if let Some(v) = v {
                s.push(f, v, Code);
            }
        }
        if let Some(v) = &l.contact.coordinator {
            s.push("contact.coordinator", v, Name);
            s.names.push(v.clone());
        }
        for (i, d) in l.deadlines.iter().enumerate() {
            s.deadlines.push((format!("deadlines[{i}].date"), d.date));
            s.push(format!("deadlines[{i}].what"), &d.what, Prose);
        }
        // The parser's events include what was done (เมื่อวันที่ …), which
        // comes before the letter: they are not checked against its date.
        for (i, e) in l.events.iter().enumerate() {
            s.push(format!("events[{i}].what"), &e.what, Prose);
        }
        for (i, a) in l.annexes.iter().enumerate() {
            s.push(format!("annexes[{i}].title"), &a.title, Prose);
        }
        for (i, u) in l.urls.iter().enumerate() {
            s.push(format!("urls[{i}]"), u, Code);
        }
        s
    }

    /// The prose fields.
    pub fn prose(&self) -> impl Iterator<Item = &Text> {
        self.texts.iter().filter(|t| t.kind == TextKind::Prose)
    }

    /// Whether the document is still a draft (no number yet).
    pub fn is_draft(&self) -> bool {
        self.number.is_none()
    }
}

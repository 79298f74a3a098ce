//! A reply form (แบบตอบรับ) that saraban hosts for a circular: the fields a
//! recipient office fills in at `/r/{token}` (text, number, a choice, a
//! date, a table of attendees, a file), each with a Thai label and a
//! required flag, and the answers as stored. Plain data and the checks on
//! the form itself; reading answers typed by a person is the application
//! layer's (`app::replies`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::FieldError;

/// Most fields a form may have.
pub const MAX_FIELDS: usize = 40;
/// Most options of a choice.
pub const MAX_OPTIONS: usize = 30;
/// Longest label or option.
pub const MAX_LABEL: usize = 300;

/// What a field asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    Number,
    Choice,
    Date,
    /// A table of attendees: name, position, telephone.
    Attendees,
    /// One uploaded file.
    File,
}

impl FieldKind {
    pub const ALL: [FieldKind; 6] = [
        FieldKind::Text,
        FieldKind::Number,
        FieldKind::Choice,
        FieldKind::Date,
        FieldKind::Attendees,
        FieldKind::File,
    ];

    pub fn key(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Number => "number",
            FieldKind::Choice => "choice",
            FieldKind::Date => "date",
            FieldKind::Attendees => "attendees",
            FieldKind::File => "file",
        }
    }

    pub fn thai(self) -> &'static str {
        match self {
            FieldKind::Text => "ข้อความ",
            FieldKind::Number => "ตัวเลข",
            FieldKind::Choice => "ตัวเลือก",
            FieldKind::Date => "วันที่",
            FieldKind::Attendees => "รายชื่อผู้เข้าร่วม",
            FieldKind::File => "แนบไฟล์",
        }
    }

    pub fn parse(key: &str) -> Option<FieldKind> {
        FieldKind::ALL.into_iter().find(|k| k.key() == key)
    }
}

/// One field of the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormField {
    /// Names the field's answer (`f1`, `f2`, …); given by saraban when
    /// empty, and kept when the form is edited so answers stay matched.
    #[serde(default)]
    pub key: String,
    /// The question, in Thai.
    pub label: String,
    pub kind: FieldKind,
    #[serde(default)]
    pub required: bool,
    /// A choice's options.
    #[serde(default)]
    pub options: Vec<String>,
}

/// A reply form: a heading and its fields, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyForm {
    /// The heading shown above the fields (`แบบตอบรับ` when empty).
    #[serde(default)]
    pub title: String,
    pub fields: Vec<FormField>,
}

/// One attendee row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendee {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub position: String,
    #[serde(default)]
    pub phone: String,
}

/// A file kept with a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRef {
    pub file: i64,
    pub name: String,
    pub size: i64,
    pub media_type: String,
}

/// One answer: text (also a number in Arabic digits, a choice, an ISO
/// date), attendee rows, or a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    Text(String),
    Attendees(Vec<Attendee>),
    File(FileRef),
}

impl Answer {
    /// The answer as one cell of a table.
    pub fn cell(&self) -> String {
        match self {
            Answer::Text(t) => t.clone(),
            Answer::Attendees(rows) => rows
                .iter()
                .map(|a| {
                    [a.name.as_str(), a.position.as_str(), a.phone.as_str()]
                        .into_iter()
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                        .join(" / ")
                })
                .collect::<Vec<_>>()
                .join("; "),
            Answer::File(f) => f.name.clone(),
        }
    }
}

/// Answers by field key.
pub type Answers = BTreeMap<String, Answer>;

fn key_ok(key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && key.len() <= 32
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn bad_text(t: &str) -> bool {
    t.chars().any(|c| c.is_control())
}

impl ReplyForm {
    /// The heading to show.
    pub fn heading(&self) -> &str {
        let t = self.title.trim();
        if t.is_empty() {
            "แบบตอบรับ"
        } else {
            t
        }
    }

    /// Trims labels and options, drops empty options, and gives every
    /// field without a key the next free `fN`.
    pub fn normalise(&mut self) {
        self.title = self.title.trim().to_string();
        for f in &mut self.fields {
            f.label = f.label.trim().to_string();
            f.key = f.key.trim().to_string();
            f.options = f
                .options
                .iter()
                .map(|o| o.trim().to_string())
                .filter(|o| !o.is_empty())
                .collect();
            if f.kind != FieldKind::Choice {
                f.options.clear();
            }
        }
        let mut next = self
            .fields
            .iter()
            .filter_map(|f| f.key.strip_prefix('f')?.parse::<usize>().ok())
            .max()
            .unwrap_or(0);
        for f in &mut self.fields {
            if f.key.is_empty() {
                next += 1;
                f.key = format!("f{next}");
            }
        }
    }

    /// Every mistake in the form, each naming its field (`fields[2].label`).
    pub fn check(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        if self.title.chars().count() > MAX_LABEL || bad_text(&self.title) {
            out.push(FieldError::new(
                "title",
                format!("หัวข้อแบบตอบรับยาวไม่เกิน {MAX_LABEL} ตัวอักษร บรรทัดเดียว"),
                format!("the heading is one line of at most {MAX_LABEL} characters"),
            ));
        }
        if self.fields.is_empty() {
            out.push(FieldError::new(
                "fields",
                "แบบตอบรับต้องมีอย่างน้อยหนึ่งช่อง",
                "a reply form needs at least one field",
            ));
        }
        if self.fields.len() > MAX_FIELDS {
            out.push(FieldError::new(
                "fields",
                format!("แบบตอบรับมีได้ไม่เกิน {MAX_FIELDS} ช่อง"),
                format!("a reply form has at most {MAX_FIELDS} fields"),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, f) in self.fields.iter().enumerate() {
            let at = |part: &str| format!("fields[{i}].{part}");
            if !key_ok(&f.key) || !seen.insert(f.key.as_str()) {
                out.push(FieldError::new(
                    at("key"),
                    "รหัสช่องต้องเป็นอักษรอังกฤษตัวเล็กหรือตัวเลข ไม่ซ้ำกัน",
                    "a field key is lower-case letters, digits or _, unique in the form",
                ));
            }
            if f.label.is_empty() {
                out.push(FieldError::new(
                    at("label"),
                    format!("ช่องที่ {} ต้องมีคำถาม", i + 1),
                    format!("field {} needs a label", i + 1),
                ));
            } else if f.label.chars().count() > MAX_LABEL || bad_text(&f.label) {
                out.push(FieldError::new(
                    at("label"),
                    format!("คำถามยาวไม่เกิน {MAX_LABEL} ตัวอักษร บรรทัดเดียว"),
                    format!("a label is one line of at most {MAX_LABEL} characters"),
                ));
            }
            if f.kind == FieldKind::Choice {
                if f.options.len() < 2 || f.options.len() > MAX_OPTIONS {
                    out.push(FieldError::new(
                        at("options"),
                        format!("ช่องตัวเลือกต้องมี ๒ ถึง {MAX_OPTIONS} ตัวเลือก"),
                        format!("a choice needs 2 to {MAX_OPTIONS} options"),
                    ));
                }
                let mut opts = std::collections::HashSet::new();
                if f.options.iter().any(|o| {
                    o.chars().count() > MAX_LABEL || bad_text(o) || !opts.insert(o.as_str())
                }) {
                    out.push(FieldError::new(
                        at("options"),
                        "ตัวเลือกต้องไม่ซ้ำกันและยาวไม่เกินบรรทัดเดียว",
                        "options are distinct single lines",
                    ));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(label: &str, kind: FieldKind) -> FormField {
        FormField {
            key: String::new(),
            label: label.into(),
            kind,
            required: false,
            options: Vec::new(),
        }
    }

    #[test]
    fn keys_are_given_after_the_highest_and_kept() {
        let mut form = ReplyForm {
            title: " ".into(),
            fields: vec![
                FormField {
                    key: "f3".into(),
                    ..field("ชื่อหน่วยงาน", FieldKind::Text)
                },
                field("จำนวนผู้เข้าร่วม", FieldKind::Number),
                field("ผู้เข้าร่วม", FieldKind::Attendees),
            ],
        };
        form.normalise();
        let keys: Vec<&str> = form.fields.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, ["f3", "f4", "f5"]);
        assert_eq!(form.heading(), "แบบตอบรับ");
        assert!(form.check().is_empty(), "{:?}", form.check());
    }

    #[test]
    fn mistakes_name_their_field() {
        let mut form = ReplyForm {
            title: String::new(),
            fields: vec![
                field("", FieldKind::Text),
                FormField {
                    options: vec!["เข้าร่วม".into(), " ".into()],
                    ..field("เข้าร่วมหรือไม่", FieldKind::Choice)
                },
            ],
        };
        form.normalise();
        let fields: Vec<String> = form.check().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["fields[0].label", "fields[1].options"]);
        assert_eq!(ReplyForm::default().check()[0].field, "fields");
    }

    #[test]
    fn answers_read_back_as_they_were_stored() {
        let mut a = Answers::new();
        a.insert("f1".into(), Answer::Text("๑๒".into()));
        a.insert(
            "f2".into(),
            Answer::Attendees(vec![Attendee {
                name: "นางสาวสมใจ ใจดี".into(),
                position: "นักวิเคราะห์".into(),
                phone: "055 123 456".into(),
            }]),
        );
        a.insert(
            "f3".into(),
            Answer::File(FileRef {
                file: 7,
                name: "รายชื่อ.pdf".into(),
                size: 10,
                media_type: "application/pdf".into(),
            }),
        );
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<Answers>(&json).unwrap(), a);
        assert_eq!(a["f2"].cell(), "นางสาวสมใจ ใจดี / นักวิเคราะห์ / 055 123 456");
    }
}

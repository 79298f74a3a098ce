//! A document as rendered and stored: a main part plus annexes, each annex
//! starting a new page.

use serde::{Deserialize, Serialize};

use super::common::Signer;
use super::kinds::*;
use super::validate::{Checker, FieldError, Validate};
use crate::thai::Digits;

/// Any one part, tagged by its kind as `DATA.json` names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Part {
    Letter(Box<Letter>),
    Memo(Memo),
    Order(Order),
    Announcement(Announcement),
    Sealed(Sealed),
    Schedule(Schedule),
    Project(Project),
    Form(Form),
}

impl Part {
    /// Who signs this part, in print order (a project has its proposer and
    /// its approver; schedules and forms have no one).
    pub fn signers(&self) -> Vec<&Signer> {
        match self {
            Part::Letter(l) => vec![&l.signer],
            Part::Memo(m) => vec![&m.signer],
            Part::Order(o) => vec![&o.signer],
            Part::Announcement(a) => vec![&a.signer],
            Part::Sealed(s) => vec![&s.signer],
            Part::Project(p) => vec![&p.proposer, &p.approver],
            Part::Schedule(_) | Part::Form(_) => vec![],
        }
    }
}

impl Validate for Part {
    fn validate_into(&self, c: &mut Checker<'_>) {
        match self {
            Part::Letter(x) => x.validate_into(c),
            Part::Memo(x) => x.validate_into(c),
            Part::Order(x) => x.validate_into(c),
            Part::Announcement(x) => x.validate_into(c),
            Part::Sealed(x) => x.validate_into(c),
            Part::Schedule(x) => x.validate_into(c),
            Part::Project(x) => x.validate_into(c),
            Part::Form(x) => x.validate_into(c),
        }
    }
}

/// The main part and its annexes, with the issuing office's digit setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    #[serde(default)]
    pub digits: Digits,
    /// The organisation's emblem image, a path relative to the JSON file.
    #[serde(default)]
    pub emblem: Option<String>,
    /// Names that must never be broken across lines, beyond those the
    /// document itself names (issuer, signer, addressee …) and the
    /// registry's organisations: places and bodies named in the text.
    #[serde(default)]
    pub names: Vec<String>,
    pub main: Part,
    #[serde(default)]
    pub annexes: Vec<Part>,
}

impl Validate for Document {
    fn validate_into(&self, c: &mut Checker<'_>) {
        if let Some(path) = &self.emblem {
            // Relative to the JSON file and inside its folder.
            let p = std::path::Path::new(path);
            let escapes = p.components().any(|x| {
                !matches!(
                    x,
                    std::path::Component::Normal(_) | std::path::Component::CurDir
                )
            });
            if path.is_empty() || escapes {
                c.at("emblem").error(
                    "ต้องเป็นชื่อไฟล์ในโฟลเดอร์เดียวกับไฟล์ข้อมูล",
                    "must be a relative path inside the data file's folder",
                );
            }
        }
        self.main.validate_into(&mut c.at("main"));
        c.list("names", &self.names, false);
        for (i, n) in self.names.iter().enumerate() {
            c.line(&format!("names[{i}]"), n);
        }
        c.list("annexes", &self.annexes, false);
        for (i, a) in self.annexes.iter().enumerate() {
            a.validate_into(&mut c.at(&format!("annexes[{i}]")));
        }
    }
}

/// Why `DATA.json` could not be read as a document.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("ข้อมูล JSON ไม่ถูกต้อง (invalid JSON input): {0}")]
    Json(String),
    #[error("ข้อมูลไม่ครบหรือไม่ถูกต้อง (invalid fields):\n{}", .0.iter().map(|e| format!("  - {e}")).collect::<Vec<_>>().join("\n"))]
    Fields(Vec<FieldError>),
}

const KINDS: &str = "letter, memo, order, announcement, sealed, schedule, project, form, document";

impl Document {
    /// The main part's urgency (ด่วน …), for letters and memos.
    pub fn urgency(&self) -> Option<super::Urgency> {
        match &self.main {
            Part::Letter(x) => x.urgency,
            Part::Memo(x) => x.urgency,
            Part::Sealed(x) => x.urgency,
            _ => None,
        }
    }

    /// The main part's secrecy class (ลับ …).
    pub fn secrecy(&self) -> Option<super::Secrecy> {
        match &self.main {
            Part::Letter(x) => x.secrecy,
            Part::Memo(x) => x.secrecy,
            Part::Order(x) => x.secrecy,
            _ => None,
        }
    }

    /// The addressee (เรียน), for letters and memos.
    pub fn recipient(&self) -> &str {
        match &self.main {
            Part::Letter(x) => &x.to,
            Part::Memo(x) => &x.to,
            Part::Sealed(x) => &x.to,
            _ => "",
        }
    }

    /// Reads `DATA.json`: either a `document` (main + annexes) or a single
    /// part of any kind. Unknown kinds and fields, and missing required
    /// fields, are errors that name the field.
    pub fn from_json(text: &str) -> Result<Document, InputError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| InputError::Json(e.to_string()))?;
        let serde_json::Value::Object(mut obj) = value else {
            return Err(InputError::Json(
                "ต้องเป็นออบเจ็กต์ JSON (expected a JSON object)".into(),
            ));
        };
        let doc = if kind_of(&obj, "")? == "document" {
            obj.remove("kind");
            let main = obj.remove("main").ok_or_else(|| missing("main"))?;
            let annexes = match obj.remove("annexes") {
                Some(serde_json::Value::Array(items)) => items,
                Some(_) => return Err(field_error("annexes", "expected a list of parts")),
                None => Vec::new(),
            };
            let mut doc: Document = {
                obj.insert(
                    "main".into(),
                    serde_json::json!({"kind": "form", "title": "", "codes": []}),
                );
                // The envelope fields (digits, emblem, names) on their own.
                let envelope: Envelope =
                    serde_path_to_error::deserialize(serde_json::Value::Object(obj))
                        .map_err(|e| serde_error(e, ""))?;
                Document {
                    digits: envelope.digits,
                    emblem: envelope.emblem,
                    names: envelope.names,
                    main: part_from_value(main, "main")?,
                    annexes: Vec::new(),
                }
            };
            for (i, a) in annexes.into_iter().enumerate() {
                doc.annexes
                    .push(part_from_value(a, &format!("annexes[{i}]"))?);
            }
            doc
        } else {
            let digits = obj
                .remove("digits")
                .map(serde_json::from_value::<Digits>)
                .transpose()
                .map_err(|e| field_error("digits", &e.to_string()))?
                .unwrap_or_default();
            // Every kind takes the envelope's emblem and names too.
            let emblem = obj
                .remove("emblem")
                .map(serde_json::from_value::<Option<String>>)
                .transpose()
                .map_err(|e| field_error("emblem", &e.to_string()))?
                .flatten();
            let names = obj
                .remove("names")
                .map(serde_json::from_value::<Vec<String>>)
                .transpose()
                .map_err(|e| field_error("names", &e.to_string()))?
                .unwrap_or_default();
            Document {
                digits,
                emblem,
                names,
                main: part_from_value(serde_json::Value::Object(obj), "")?,
                annexes: Vec::new(),
            }
        };
        doc.validate().map_err(InputError::Fields)?;
        Ok(doc)
    }
}

/// The fields of a `document` besides its parts.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    #[serde(default)]
    digits: Digits,
    #[serde(default)]
    emblem: Option<String>,
    #[serde(default)]
    names: Vec<String>,
    #[allow(dead_code)]
    main: serde_json::Value,
}

fn kind_of(
    obj: &serde_json::Map<String, serde_json::Value>,
    at: &str,
) -> Result<String, InputError> {
    let field = join(at, "kind");
    let kind = obj.get("kind").and_then(|k| k.as_str()).ok_or_else(|| {
        InputError::Fields(vec![FieldError::new(
            field.clone(),
            format!("ต้องระบุชนิดเอกสาร: {KINDS}"),
            format!("required: one of {KINDS}"),
        )])
    })?;
    if !KINDS.split(", ").any(|k| k == kind) {
        return Err(InputError::Fields(vec![FieldError::new(
            field,
            format!("ไม่รู้จักชนิดเอกสาร “{kind}”: ใช้ได้ {KINDS}"),
            format!("unknown kind “{kind}”; expected one of {KINDS}"),
        )]));
    }
    Ok(kind.to_string())
}

/// One part, deserialised as its own struct so that errors carry the path
/// of the field (serde loses it inside internally tagged enums).
fn part_from_value(value: serde_json::Value, at: &str) -> Result<Part, InputError> {
    let serde_json::Value::Object(mut obj) = value else {
        return Err(field_error(at, "expected an object"));
    };
    let kind = kind_of(&obj, at)?;
    obj.remove("kind");
    let value = serde_json::Value::Object(obj);
    fn de<T: serde::de::DeserializeOwned>(v: serde_json::Value, at: &str) -> Result<T, InputError> {
        serde_path_to_error::deserialize(v).map_err(|e| serde_error(e, at))
    }
    Ok(match kind.as_str() {
        "letter" => Part::Letter(Box::new(de(value, at)?)),
        "memo" => Part::Memo(de(value, at)?),
        "order" => Part::Order(de(value, at)?),
        "announcement" => Part::Announcement(de(value, at)?),
        "sealed" => Part::Sealed(de(value, at)?),
        "schedule" => Part::Schedule(de(value, at)?),
        "project" => Part::Project(de(value, at)?),
        "form" => Part::Form(de(value, at)?),
        other => {
            return Err(field_error(
                &join(at, "kind"),
                &format!("“{other}” cannot be a part of a document"),
            ));
        }
    })
}

fn join(at: &str, field: &str) -> String {
    match (at.is_empty(), field.is_empty()) {
        (true, _) => field.to_string(),
        (_, true) => at.to_string(),
        _ => format!("{at}.{field}"),
    }
}

fn missing(field: &str) -> InputError {
    InputError::Fields(vec![FieldError::new(field, "ต้องกรอก", "required")])
}

fn field_error(field: &str, message: &str) -> InputError {
    InputError::Fields(vec![FieldError::new(field, "ค่าไม่ถูกต้อง", message)])
}

fn serde_error(e: serde_path_to_error::Error<serde_json::Error>, at: &str) -> InputError {
    let path = e.path().to_string();
    let path = if path == "." { String::new() } else { path };
    let inner = e.into_inner().to_string();
    // serde names a missing field in its message, not in the path.
    let (field, th) = if let Some(rest) = inner.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or("");
        (join(&join(at, &path), name), "ต้องกรอก (ไม่มีข้อมูลช่องนี้)")
    } else if inner.starts_with("unknown field") {
        (join(at, &path), "ไม่รู้จักช่องข้อมูลนี้")
    } else {
        (join(at, &path), "ค่าไม่ถูกต้อง")
    };
    InputError::Fields(vec![FieldError::new(field, th, inner)])
}

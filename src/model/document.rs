//! A document as rendered and stored: a main part plus annexes, each annex
//! starting a new page.

use serde::{Deserialize, Serialize};

use super::kinds::*;
use super::validate::{Checker, FieldError, Validate};
use crate::thai::Digits;

/// Any one part, tagged by its kind as `DATA.json` names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Part {
    Letter(Letter),
    Memo(Memo),
    Order(Order),
    Announcement(Announcement),
    Schedule(Schedule),
    Project(Project),
    Form(Form),
}

impl Part {
    pub fn kind(&self) -> &'static str {
        match self {
            Part::Letter(_) => "letter",
            Part::Memo(_) => "memo",
            Part::Order(_) => "order",
            Part::Announcement(_) => "announcement",
            Part::Schedule(_) => "schedule",
            Part::Project(_) => "project",
            Part::Form(_) => "form",
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

const KINDS: &str = "letter, memo, order, announcement, schedule, project, form, document";

impl Document {
    /// Reads `DATA.json`: either a `document` (main + annexes) or a single
    /// part of any kind. Unknown kinds and fields, and missing required
    /// fields, are errors that name the field.
    pub fn from_json(text: &str) -> Result<Document, InputError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| InputError::Json(e.to_string()))?;
        let kind = value.get("kind").and_then(|k| k.as_str()).ok_or_else(|| {
            InputError::Fields(vec![FieldError::new(
                "kind",
                format!("ต้องระบุชนิดเอกสาร: {KINDS}"),
                format!("required: one of {KINDS}"),
            )])
        })?;
        let known = KINDS.split(", ").any(|k| k == kind);
        if !known {
            return Err(InputError::Fields(vec![FieldError::new(
                "kind",
                format!("ไม่รู้จักชนิดเอกสาร {kind:?}: ใช้ได้ {KINDS}"),
                format!("unknown kind {kind:?}; expected one of {KINDS}"),
            )]));
        }
        let doc = if kind == "document" {
            let mut value = value;
            if let Some(obj) = value.as_object_mut() {
                obj.remove("kind");
            }
            serde_path_to_error::deserialize(value).map_err(serde_error)?
        } else {
            let digits = value
                .get("digits")
                .cloned()
                .map(serde_json::from_value::<Digits>)
                .transpose()
                .map_err(|e| field_error("digits", &e.to_string()))?
                .unwrap_or_default();
            let mut value = value;
            if let Some(obj) = value.as_object_mut() {
                obj.remove("digits");
            }
            let main: Part = serde_path_to_error::deserialize(value).map_err(serde_error)?;
            Document {
                digits,
                emblem: None,
                names: Vec::new(),
                main,
                annexes: Vec::new(),
            }
        };
        doc.validate().map_err(InputError::Fields)?;
        Ok(doc)
    }
}

fn field_error(field: &str, message: &str) -> InputError {
    InputError::Fields(vec![FieldError::new(field, "ค่าไม่ถูกต้อง", message)])
}

fn serde_error(e: serde_path_to_error::Error<serde_json::Error>) -> InputError {
    let path = e.path().to_string();
    let inner = e.into_inner().to_string();
    // serde names a missing field in its message, not in the path.
    let (field, th) = if let Some(rest) = inner.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or("");
        let field = if path == "." || path.is_empty() {
            name.to_string()
        } else {
            format!("{path}.{name}")
        };
        (field, "ต้องกรอก (ไม่มีข้อมูลช่องนี้)")
    } else if inner.starts_with("unknown field") {
        (path, "ไม่รู้จักช่องข้อมูลนี้")
    } else {
        (path, "ค่าไม่ถูกต้อง")
    };
    InputError::Fields(vec![FieldError::new(field, th, inner)])
}

//! Validation of document inputs: every problem names the field it is in.

/// One problem with one field, in Thai and English.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, thiserror::Error)]
#[error("{field}: {message_th} ({message_en})")]
pub struct FieldError {
    /// A JSON path such as `main.signer.name` or `annexes[1].items[0].start`.
    pub field: String,
    pub message_th: String,
    pub message_en: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, th: impl Into<String>, en: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message_th: th.into(),
            message_en: en.into(),
        }
    }
}

/// Longest text a one-line field may hold (names, numbers, captions).
pub const MAX_LINE: usize = 500;
/// Longest value kept on one line when printed (a phone number, a quantity,
/// a session label): longer would run off the page.
pub const MAX_SHORT: usize = 60;
/// Longest paragraph.
pub const MAX_PARAGRAPH: usize = 20_000;
/// Most items in any list (paragraphs, schedule rows, enclosures …).
pub const MAX_ITEMS: usize = 500;

/// Collects problems under a field path.
pub struct Checker<'a> {
    path: String,
    errors: &'a mut Vec<FieldError>,
}

impl<'a> Checker<'a> {
    pub fn new(errors: &'a mut Vec<FieldError>) -> Self {
        Checker {
            path: String::new(),
            errors,
        }
    }

    pub fn at(&mut self, field: &str) -> Checker<'_> {
        let path = if self.path.is_empty() {
            field.to_string()
        } else if field.starts_with('[') {
            format!("{}{field}", self.path)
        } else {
            format!("{}.{field}", self.path)
        };
        Checker {
            path,
            errors: self.errors,
        }
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn error(&mut self, th: &str, en: &str) {
        self.errors.push(FieldError::new(self.path.clone(), th, en));
    }

    /// A required line of text: present and not too long.
    pub fn line(&mut self, field: &str, value: &str) {
        self.text(field, value, MAX_LINE, true);
    }

    pub fn opt_line(&mut self, field: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.text(field, v, MAX_LINE, false);
        }
    }

    /// A short value printed unbroken.
    pub fn opt_short(&mut self, field: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.text(field, v, MAX_SHORT, false);
        }
    }

    /// A date a letter can carry: B.E. 2400–2999.
    pub fn date(&mut self, field: &str, date: chrono::NaiveDate) {
        use chrono::Datelike;
        let be = crate::thai::be_year(date.year());
        if !crate::thai::date::YEARS_BE.contains(&be) {
            self.at(field).error(
                &format!("ปี พ.ศ. {be} อยู่นอกช่วง ๒๔๐๐–๒๙๙๙"),
                &format!("B.E. year {be} outside 2400–2999"),
            );
        }
    }

    pub fn paragraph(&mut self, field: &str, value: &str) {
        self.text(field, value, MAX_PARAGRAPH, true);
    }

    fn text(&mut self, field: &str, value: &str, max: usize, required: bool) {
        let mut c = self.at(field);
        if required && value.trim().is_empty() {
            c.error("ต้องกรอก", "required and must not be empty");
        }
        let n = value.chars().count();
        if n > max {
            c.error(
                &format!("ยาวเกิน {max} ตัวอักษร (มี {n})"),
                &format!("too long: {n} characters, at most {max}"),
            );
        }
        if value
            .chars()
            .any(|ch| ch.is_control() && ch != '\n' && ch != '\t')
        {
            c.error("มีอักขระควบคุมที่พิมพ์ไม่ได้", "contains control characters");
        }
    }

    /// A list that must not be longer than [`MAX_ITEMS`] (and, if
    /// `required`, not empty).
    pub fn list<T>(&mut self, field: &str, items: &[T], required: bool) {
        let mut c = self.at(field);
        if required && items.is_empty() {
            c.error("ต้องมีอย่างน้อยหนึ่งรายการ", "needs at least one item");
        }
        if items.len() > MAX_ITEMS {
            c.error(
                &format!("มีได้ไม่เกิน {MAX_ITEMS} รายการ"),
                &format!("at most {MAX_ITEMS} items"),
            );
        }
    }
}

/// Implemented by every input that can be checked before rendering or storing.
pub trait Validate {
    fn validate_into(&self, c: &mut Checker<'_>);

    /// All problems, or `Ok` when there are none.
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        self.validate_into(&mut Checker::new(&mut errors));
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

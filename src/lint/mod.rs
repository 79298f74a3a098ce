//! Proofreading (`saraban lint`, `POST /api/v1/lint`, the compose page):
//! the mistakes real letters carry, found before a letter is numbered.
//!
//! Each check reads the document's text fields ([`sheet`]) and says what it
//! found as a [`Finding`]: a stable code, the field's JSON path, the char
//! offset in that field's text, a severity, and Thai and English text. The
//! checks here are pure (dates, amounts, numbers, spelling, salutations);
//! the ones that need the registry — a citation's number stored with another
//! date or sender, a number already in another year's register — live in
//! `app::lint`, which calls [`lint`] and adds its own findings. What each
//! check looks for and the measurement over every example, fixture and seed
//! is in `docs/lint.md`.

mod dates;
mod dictionary;
mod form;
mod money;
mod sheet;
mod spelling;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::Document;
use crate::parse::ParsedLetter;

pub use dictionary::{Coverage, cover};
pub use sheet::{Sheet, Text, TextKind};
pub(crate) use spelling::distance as spelling_distance;

/// What kind of mistake a finding is; the code is stable (`weekday_mismatch`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    /// `วันพฤหัสบดีที่ ๒๔ พฤษภาคม ๒๕๖๗` (a Friday).
    WeekdayMismatch,
    /// `๙,๑๐๐ บาท (เก้าพันบาทถ้วน)`.
    AmountWordsMismatch,
    /// `ภายในวันที่ …` before the letter's own date.
    DeadlineBeforeDate,
    /// A deadline already past on the day the draft is checked.
    DeadlinePast,
    /// A meeting or session dated before the letter.
    EventBeforeDate,
    /// A number whose B.E. year (or register series) is not the date's.
    NumberYearMismatch,
    /// A cited number stored in the registers with another date or sender.
    CitationMismatch,
    /// One title or name spelled two ways in the same document.
    SpelledTwoWays,
    /// A word in no dictionary (ICU's Thai dictionary, offices, places).
    UnknownWord,
    /// `ส่งแล้วแล้ว`.
    DoubledWord,
    /// Thai and Arabic digits in one document.
    MixedDigits,
    /// เรียน … ขอแสดงความนับถืออย่างยิ่ง.
    SalutationClosing,
    /// An office's name that is close to, but not, the registry's.
    OfficeName,
}

impl Code {
    pub fn key(self) -> &'static str {
        match self {
            Code::WeekdayMismatch => "weekday_mismatch",
            Code::AmountWordsMismatch => "amount_words_mismatch",
            Code::DeadlineBeforeDate => "deadline_before_date",
            Code::DeadlinePast => "deadline_past",
            Code::EventBeforeDate => "event_before_date",
            Code::NumberYearMismatch => "number_year_mismatch",
            Code::CitationMismatch => "citation_mismatch",
            Code::SpelledTwoWays => "spelled_two_ways",
            Code::UnknownWord => "unknown_word",
            Code::DoubledWord => "doubled_word",
            Code::MixedDigits => "mixed_digits",
            Code::SalutationClosing => "salutation_closing",
            Code::OfficeName => "office_name",
        }
    }

    /// Errors are wrong for certain; warnings need a person's eye.
    pub fn severity(self) -> Severity {
        match self {
            Code::WeekdayMismatch
            | Code::AmountWordsMismatch
            | Code::DeadlineBeforeDate
            | Code::EventBeforeDate
            | Code::NumberYearMismatch
            | Code::CitationMismatch
            | Code::SalutationClosing => Severity::Error,
            Code::DeadlinePast
            | Code::SpelledTwoWays
            | Code::UnknownWord
            | Code::DoubledWord
            | Code::MixedDigits
            | Code::OfficeName => Severity::Warning,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

/// One mistake found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub code: Code,
    /// The field's JSON path in the document (`main.body[0]`,
    /// `annexes[1].title[2]`).
    pub field: String,
    /// Where in that field's text, in characters (not bytes) from 0.
    pub position: usize,
    /// How many characters the mistake covers (0 for the whole field).
    pub length: usize,
    pub severity: Severity,
    /// The words at fault, as printed.
    pub text: String,
    pub thai: String,
    pub english: String,
}

impl Finding {
    /// A finding at byte range `start..end` of `field`'s text `of`.
    pub(crate) fn at(
        code: Code,
        field: &str,
        of: &str,
        start: usize,
        end: usize,
        thai: String,
        english: String,
    ) -> Finding {
        let start = start.min(of.len());
        let end = end.clamp(start, of.len());
        Finding {
            code,
            field: field.to_string(),
            position: of[..start].chars().count(),
            length: of[start..end].chars().count(),
            severity: code.severity(),
            text: of[start..end].to_string(),
            thai,
            english,
        }
    }

    /// "Thai (English)", as the command line prints errors.
    pub fn line(&self) -> String {
        format!(
            "{} {}:{} [{}] {} ({})",
            match self.severity {
                Severity::Error => "ผิด",
                Severity::Warning => "ตรวจ",
            },
            self.field,
            self.position,
            self.code.key(),
            self.thai,
            self.english
        )
    }
}

/// What the checks are told from outside the document.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The day the document is checked: deadlines of a draft before it are
    /// flagged. `None` skips that check.
    pub today: Option<NaiveDate>,
    /// The registry's office names (the hierarchy), for `office_name` and
    /// for the dictionary.
    pub offices: Vec<String>,
}

/// Every pure check over a document, in field order.
pub fn lint(doc: &Document, ctx: &Context) -> Vec<Finding> {
    run(&Sheet::of_document(doc), ctx)
}

/// The same checks over a letter read from text or PDF (`saraban parse`):
/// what the parser gives (subject, addressee, deadlines and events with
/// their words, enclosures, signer, number and date).
pub fn lint_parsed(letter: &ParsedLetter, ctx: &Context) -> Vec<Finding> {
    run(&Sheet::of_parsed(letter), ctx)
}

/// Runs every check on a sheet.
pub fn run(sheet: &Sheet, ctx: &Context) -> Vec<Finding> {
    let dict = dictionary::Dictionary::new(sheet, &ctx.offices);
    let mut out = Vec::new();
    dates::check(sheet, ctx, &mut out);
    money::check(sheet, &mut out);
    form::check(sheet, ctx, &mut out);
    spelling::check(sheet, &dict, &mut out);
    sort(&mut out, sheet);
    out
}

/// Field order of the sheet, then position, then code.
pub fn sort(findings: &mut [Finding], sheet: &Sheet) {
    let order = |f: &str| {
        sheet
            .texts
            .iter()
            .position(|t| t.field == f)
            .unwrap_or(usize::MAX)
    };
    findings.sort_by(|a, b| {
        (order(&a.field), &a.field, a.position, a.code).cmp(&(
            order(&b.field),
            &b.field,
            b.position,
            b.code,
        ))
    });
}

/// Whether any finding is an error (the CLI's exit status).
pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}

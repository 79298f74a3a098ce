//! Proofreading as a user: the pure checks of `lint`, with the registry's
//! office names, today's date, and the checks that need the registers — a
//! citation whose number is stored with another date or sender, and a
//! number the office's send register issued in another year's series.
//! Only letters the caller may see are compared (imported letters, and
//! saraban's documents through `search::visible_ids`).

use chrono::{Datelike, NaiveDate};

use super::{Action, App, AppResult, Caller};
use crate::docnum::DocNumber;
use crate::lint::{self, Code, Context, Finding, Sheet};
use crate::model::Document;
use crate::parse::ParsedLetter;
use crate::store::graph::{self, NodeKind};
use crate::store::{offices, registers, search};
use crate::thai::{DateStyle, Digits, be_year, format_date, to_thai_digits};

pub use crate::lint::{Finding as LintFinding, Severity as LintSeverity};

impl App {
    /// Every check on a document (the compose form, `POST /api/v1/lint`).
    pub async fn lint(&self, c: &Caller, doc: &Document) -> AppResult<Vec<Finding>> {
        c.may(Action::Read)?;
        self.lint_sheet(c, Sheet::of_document(doc)).await
    }

    /// Every check on a letter read from text (`saraban lint LETTER.txt`).
    pub async fn lint_parsed(&self, c: &Caller, letter: &ParsedLetter) -> AppResult<Vec<Finding>> {
        c.may(Action::Read)?;
        self.lint_sheet(c, Sheet::of_parsed(letter)).await
    }

    async fn lint_sheet(&self, c: &Caller, sheet: Sheet) -> AppResult<Vec<Finding>> {
        let ctx = Context {
            today: Some(c.today()),
            offices: offices::names(self.store()).await?,
        };
        let mut out = lint::run(&sheet, &ctx);
        self.citations(c, &sheet, &mut out).await?;
        self.series_year(c, &sheet, &mut out).await?;
        lint::sort(&mut out, &sheet);
        Ok(out)
    }

    /// A cited number stored (and visible) only with other dates, or with
    /// this date but from another sender.
    async fn citations(&self, c: &Caller, sheet: &Sheet, out: &mut Vec<Finding>) -> AppResult<()> {
        let viewer = c.viewer();
        for cited in &sheet.cited {
            let (Ok(number), Some(date)) = (DocNumber::parse(&cited.number), cited.date) else {
                continue;
            };
            let nodes = graph::lookup(self.store(), &number, None).await?;
            let ids: Vec<i64> = nodes
                .iter()
                .filter(|n| n.kind == NodeKind::Document)
                .filter_map(|n| n.id)
                .collect();
            let visible = search::visible_ids(self.store(), &viewer, &ids).await?;
            let seen: Vec<_> = nodes
                .into_iter()
                .filter(|n| {
                    n.kind == NodeKind::Imported || n.id.is_some_and(|id| visible.contains(&id))
                })
                .collect();
            if seen.is_empty() {
                continue;
            }
            let text = sheet
                .texts
                .iter()
                .find(|t| t.field == cited.field)
                .map_or("", |t| t.text.as_str());
            let at = text.find(&cited.number).unwrap_or(0);
            let span = (
                at,
                if at == 0 && !text.starts_with(&cited.number) {
                    0
                } else {
                    at + cited.number.len()
                },
            );
            let same_day: Vec<_> = seen.iter().filter(|n| n.date == Some(date)).collect();
            let long = |d: NaiveDate| format_date(d, DateStyle::Long, Digits::Thai);
            if same_day.is_empty() {
                let stored = &seen[0];
                let when = stored.date.map_or_else(|| "-".to_string(), long);
                out.push(Finding::at(
                    Code::CitationMismatch,
                    &cited.field,
                    text,
                    span.0,
                    span.1,
                    format!(
                        "หนังสือที่ {} ในทะเบียนลงวันที่ {} เรื่อง {} ไม่ใช่วันที่ {}",
                        stored.number,
                        when,
                        stored.subject.as_deref().unwrap_or("-"),
                        long(date)
                    ),
                    format!(
                        "the registers hold {} dated {} (subject: {}), not {date}",
                        stored.key,
                        stored.date.map_or_else(|| "-".into(), |d| d.to_string()),
                        stored.subject.as_deref().unwrap_or("-")
                    ),
                ));
                continue;
            }
            let Some(sender) = cited.issuer.as_deref().map(compact) else {
                continue;
            };
            let agrees = same_day.iter().any(|n| {
                n.issuer
                    .as_deref()
                    .map(compact)
                    .is_none_or(|stored| stored.contains(&sender) || sender.contains(&stored))
            });
            if !agrees {
                let stored = same_day[0].issuer.clone().unwrap_or_default();
                out.push(Finding::at(
                    Code::CitationMismatch,
                    &cited.field,
                    text,
                    span.0,
                    span.1,
                    format!(
                        "หนังสือที่ {} ลงวันที่ {} ในทะเบียนเป็นของ {stored} ไม่ใช่ {}",
                        same_day[0].number,
                        long(date),
                        cited.issuer.as_deref().unwrap_or("")
                    ),
                    format!(
                        "the registers hold {} of {date} from {stored}, not {}",
                        same_day[0].key,
                        cited.issuer.as_deref().unwrap_or("")
                    ),
                ));
            }
        }
        Ok(())
    }

    /// A letter's number issued by the caller's office in another year's
    /// series than its date's (`ว ๑` of 2569 dated 2567).
    async fn series_year(
        &self,
        c: &Caller,
        sheet: &Sheet,
        out: &mut Vec<Finding>,
    ) -> AppResult<()> {
        let (Some((field, number)), Some((_, date))) = (&sheet.number, &sheet.date) else {
            return Ok(());
        };
        let Ok(parsed) = DocNumber::parse(number) else {
            return Ok(());
        };
        if parsed.year_be.is_some() {
            return Ok(()); // the pure check reads the year off the number
        }
        let forms = vec![parsed.key(), parsed.to_string(), number.trim().to_string()];
        let years = registers::years_of_number(self.store(), c.office.id, &forms).await?;
        let date_years = [be_year(date.year()), crate::thai::fiscal_year(*date)];
        if !years.is_empty() && !years.iter().any(|y| date_years.contains(y)) {
            out.push(Finding::at(
                Code::NumberYearMismatch,
                field,
                number,
                0,
                number.len(),
                format!(
                    "เลขที่ {number} ออกในทะเบียนปี {} แต่ลงวันที่ {}",
                    to_thai_digits(&years[0].to_string()),
                    format_date(*date, DateStyle::Long, Digits::Thai)
                ),
                format!(
                    "the number {number} was issued in the {} series but is dated {date}",
                    years[0]
                ),
            ));
        }
        Ok(())
    }
}

/// A name without blanks, `ศาลากลาง` (the building) or `หนังสือ` before it.
fn compact(name: &str) -> String {
    let s: String = name.chars().filter(|c| !c.is_whitespace()).collect();
    let s = s.strip_prefix("หนังสือ").unwrap_or(&s);
    s.strip_prefix("ศาลากลาง").unwrap_or(s).to_string()
}

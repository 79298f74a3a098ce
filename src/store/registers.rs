//! ทะเบียนหนังสือส่ง and ทะเบียนหนังสือรับ: one office's register for one
//! year, read page by page and exported as CSV, XLSX or PDF.

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::Row;

use super::offices::Office;
use super::search::{Bind, Sql, Viewer, reader_of};
use super::{Store, StoreError};
use crate::thai::{DateStyle, Digits, format_date};

/// Records in register entry `entry`'s การปฏิบัติ column what the office
/// did with the letter (รับทราบ, ส่งต่อ …, ตีกลับ …), after what it holds.
pub(crate) async fn record_action_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    audit: &mut super::audit::Appender,
    office_id: i64,
    entry: i64,
    action: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE register_entries SET action = CASE WHEN action = '' THEN $1 \
         ELSE action || '; ' || $1 END WHERE id = $2",
    )
    .bind(action)
    .bind(entry)
    .execute(&mut **tx)
    .await?;
    audit
        .append(
            tx,
            super::audit::Change {
                office_id: Some(office_id),
                action: "register.action",
                object: format!("register:{entry}"),
                before: None,
                after: Some(action.as_bytes()),
            },
        )
        .await
}

/// The การปฏิบัติ text for a letter forwarded with cover letter `cover`:
/// `ส่งต่อ นายอำเภอ ทุกอำเภอ (หนังสือที่ พล 0023/1)`.
pub(crate) async fn forwarded_action_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    cover: i64,
) -> Result<String, StoreError> {
    let row = sqlx::query("SELECT recipient, number FROM documents WHERE id = $1")
        .bind(cover)
        .fetch_one(&mut **tx)
        .await?;
    let to: Option<String> = row.try_get(0)?;
    let number: Option<String> = row.try_get(1)?;
    Ok(format!(
        "ส่งต่อ {} (หนังสือที่ {})",
        to.unwrap_or_default(),
        number.unwrap_or_default()
    ))
}

/// Which register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RegisterKind {
    Send,
    Receive,
}

impl RegisterKind {
    pub fn parse(text: &str) -> Result<RegisterKind, StoreError> {
        match text.trim() {
            "send" | "ส่ง" => Ok(RegisterKind::Send),
            "receive" | "รับ" => Ok(RegisterKind::Receive),
            other => Err(StoreError::rejected(
                format!("ไม่รู้จักทะเบียน “{other}” (ใช้ send หรือ receive)"),
                format!("unknown register “{other}” (use send or receive)"),
            )),
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            RegisterKind::Send => "send",
            RegisterKind::Receive => "receive",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            RegisterKind::Send => "ทะเบียนหนังสือส่ง",
            RegisterKind::Receive => "ทะเบียนหนังสือรับ",
        }
    }
}

/// One register row as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegisterRow {
    pub seq: i64,
    pub series: String,
    pub status: String,
    pub reg_date: NaiveDate,
    pub reg_time: String,
    pub doc_number: String,
    pub doc_date: Option<NaiveDate>,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub action: String,
    pub note: String,
}

/// Rows of one register, in the order they were written; `page` is
/// (offset, limit).
pub async fn rows(
    store: &Store,
    office_id: i64,
    year_be: i32,
    kind: RegisterKind,
    page: Option<(i64, i64)>,
) -> Result<Vec<RegisterRow>, StoreError> {
    let viewer = Viewer {
        office_id,
        user_id: None,
    };
    rows_seen_by(store, &viewer, year_be, kind, page).await
}

/// Where a letter stands in its office's receive register: its เลขรับ
/// (running number and B.E. year) and when it was recorded (RFC 3339).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiveMark {
    pub seq: i64,
    pub year_be: i32,
    pub recorded_at: String,
}

/// The receive register entry `entry` of `office_id`'s.
pub async fn receive_mark(
    store: &Store,
    office_id: i64,
    entry: i64,
) -> Result<Option<ReceiveMark>, StoreError> {
    let row = sqlx::query(
        "SELECT seq, year, recorded_at FROM register_entries \
         WHERE id = $1 AND office_id = $2 AND register = 'receive'",
    )
    .bind(entry)
    .bind(office_id)
    .fetch_optional(store.reader())
    .await?;
    row.map(|r| {
        Ok(ReceiveMark {
            seq: r.try_get(0)?,
            year_be: i32::try_from(r.try_get::<i64, _>(1)?).unwrap_or_default(),
            recorded_at: r.try_get(2)?,
        })
    })
    .transpose()
}

/// Rows of the viewer's office's register, as the viewer may see them: a
/// secret letter's subject is left blank for users not named as its
/// readers, and a secret letter from outside's for all but the clerk who
/// registered it (its number, date, sender and class stay).
pub async fn rows_seen_by(
    store: &Store,
    viewer: &Viewer,
    year_be: i32,
    kind: RegisterKind,
    page: Option<(i64, i64)>,
) -> Result<Vec<RegisterRow>, StoreError> {
    let (offset, limit) = page.unwrap_or((0, i64::MAX));
    let mut sql = Sql::default();
    let office = sql.bind(Bind::Int(viewer.office_id));
    let register = sql.bind(Bind::Text(kind.key().to_string()));
    let year = sql.bind(Bind::Int(i64::from(year_be)));
    let reader = reader_of(&mut sql, viewer);
    // A secret letter registered from outside: only the clerk who
    // registered it reads its subject.
    let outside_reader = match viewer.user_id {
        None => "1 = 1".to_string(),
        Some(user) => {
            let me = sql.bind(Bind::Int(user));
            format!("(rl.id IS NULL OR rl.secrecy IS NULL OR rl.registered_by = {me})")
        }
    };
    let limit = sql.bind(Bind::Int(limit));
    let offset = sql.bind(Bind::Int(offset));
    sql.text = format!(
        "SELECT e.seq, e.series, e.status, e.reg_date, e.reg_time, e.doc_number, e.doc_date, \
         e.from_text, e.to_text, \
         CASE WHEN (d.id IS NULL OR {reader}) AND {outside_reader} THEN e.subject ELSE '' END, \
         e.action, e.note FROM register_entries e LEFT JOIN documents d ON d.id = e.document_id \
         LEFT JOIN received_letters rl ON rl.receive_entry = e.id \
         WHERE e.office_id = {office} AND e.register = {register} AND e.year = {year} \
         ORDER BY e.id LIMIT {limit} OFFSET {offset}"
    );
    let rows = sql.query().fetch_all(store.reader()).await?;
    rows.iter()
        .map(|r| {
            let reg_date: String = r.try_get(3)?;
            let doc_date: Option<String> = r.try_get(6)?;
            Ok(RegisterRow {
                seq: r.try_get(0)?,
                series: r.try_get(1)?,
                status: r.try_get(2)?,
                reg_date: reg_date.parse().map_err(|_| StoreError::Corrupt {
                    column: "register_entries.reg_date",
                    value: reg_date.clone(),
                })?,
                reg_time: r.try_get(4)?,
                doc_number: r.try_get(5)?,
                doc_date: doc_date.and_then(|d| d.parse().ok()),
                from: r.try_get(7)?,
                to: r.try_get(8)?,
                subject: r.try_get(9)?,
                action: r.try_get(10)?,
                note: r.try_get(11)?,
            })
        })
        .collect()
}

/// Column headings, as on the regulation's register forms.
pub const HEADINGS: [&str; 10] = [
    "เลขทะเบียน",
    "วันที่",
    "เวลา",
    "ที่",
    "ลงวันที่",
    "จาก",
    "ถึง",
    "เรื่อง",
    "การปฏิบัติ",
    "หมายเหตุ",
];

/// A row as printed: dates in B.E., numbers in the office's digits, and
/// cancelled or reserved numbers marked in หมายเหตุ.
pub fn printed_row(row: &RegisterRow, digits: Digits) -> [String; 10] {
    let date = |d: NaiveDate| format_date(d, DateStyle::Short, digits);
    let number = match crate::docnum::DocNumber::parse(&row.doc_number) {
        Ok(n) => n.format(digits),
        Err(_) => digits.apply(&row.doc_number),
    };
    let note = match row.status.as_str() {
        "reserved" if row.note.is_empty() => "จองเลข".to_string(),
        "cancelled" if !row.note.starts_with("ยกเลิก") => {
            format!("ยกเลิก {}", row.note).trim().to_string()
        }
        _ => row.note.clone(),
    };
    [
        digits.apply(&row.seq.to_string()),
        date(row.reg_date),
        digits.apply(&row.reg_time),
        number,
        row.doc_date.map(date).unwrap_or_default(),
        row.from.clone(),
        row.to.clone(),
        row.subject.clone(),
        row.action.clone(),
        note,
    ]
}

/// Output formats of `register export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
    Pdf,
}

impl Format {
    pub fn parse(text: &str) -> Result<Format, StoreError> {
        match text {
            "csv" => Ok(Format::Csv),
            "xlsx" => Ok(Format::Xlsx),
            "pdf" => Ok(Format::Pdf),
            other => Err(StoreError::rejected(
                format!("ไม่รู้จักรูปแบบ “{other}” (csv, xlsx, pdf)"),
                format!("unknown format “{other}” (csv, xlsx, pdf)"),
            )),
        }
    }
}

fn year_label(year_be: i32, digits: Digits) -> String {
    digits.apply(&format!("ปี พ.ศ. {year_be}"))
}

/// CSV, UTF-8 with a byte-order mark so that Excel opens the Thai as Thai.
pub fn to_csv(rows: &[RegisterRow], digits: Digits) -> Vec<u8> {
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let write = |out: &mut csv::Writer<Vec<u8>>, record: &[String]| {
        out.write_record(record)
            .expect("writing CSV to memory cannot fail");
    };
    write(&mut out, &HEADINGS.map(String::from));
    for row in rows {
        write(&mut out, &printed_row(row, digits));
    }
    out.into_inner().expect("writing CSV to memory cannot fail")
}

/// An Excel workbook: a title row, the headings (repeated on every printed
/// page), one row per entry; landscape A4.
pub fn to_xlsx(
    rows: &[RegisterRow],
    office: &Office,
    kind: RegisterKind,
    year_be: i32,
) -> Result<Vec<u8>, StoreError> {
    use rust_xlsxwriter::{Format as Cell, FormatAlign, FormatBorder, Workbook};
    let digits = office.fields.digits;
    let xlsx_err =
        |e: rust_xlsxwriter::XlsxError| StoreError::rejected("สร้างไฟล์ XLSX ไม่สำเร็จ", e.to_string());
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet
        .set_name(format!("{} {}", kind.title(), year_be))
        .map_err(xlsx_err)?;
    sheet.set_landscape();
    sheet.set_paper_size(9);
    let title = Cell::new().set_bold().set_font_size(16);
    let head = Cell::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let cell = Cell::new()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    sheet
        .write_string_with_format(
            0,
            0,
            format!(
                "{} {} {}",
                kind.title(),
                office.fields.name,
                year_label(year_be, digits)
            ),
            &title,
        )
        .map_err(xlsx_err)?;
    for (c, h) in HEADINGS.iter().enumerate() {
        sheet
            .write_string_with_format(1, c as u16, *h, &head)
            .map_err(xlsx_err)?;
    }
    let widths = [10.0, 12.0, 7.0, 20.0, 12.0, 24.0, 24.0, 50.0, 16.0, 16.0];
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, *w).map_err(xlsx_err)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in printed_row(row, digits).iter().enumerate() {
            sheet
                .write_string_with_format(r as u32 + 2, c as u16, value, &cell)
                .map_err(xlsx_err)?;
        }
    }
    sheet.set_repeat_rows(1, 1).map_err(xlsx_err)?;
    sheet.set_freeze_panes(2, 0).map_err(xlsx_err)?;
    book.save_to_buffer().map_err(xlsx_err)
}

/// The register as a printable PDF (Typst, landscape, the office's digits).
pub fn to_pdf(
    rows: &[RegisterRow],
    office: &Office,
    kind: RegisterKind,
    year_be: i32,
    renderer: &crate::render::Renderer,
) -> Result<Vec<u8>, StoreError> {
    let digits = office.fields.digits;
    use crate::render::breaks::{keep_together, mark_breaks};
    // Line breaks as in letters: numbers and times never split; short
    // names (an addressee such as นายอำเภอเนินมะปราง) are kept whole when
    // they fit a column; dates may wrap before the year.
    let printed: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let cells = printed_row(r, digits);
            let names: Vec<String> = [&r.to, &r.from]
                .into_iter()
                .filter(|n| n.chars().count() <= 18)
                .cloned()
                .collect();
            cells
                .iter()
                .enumerate()
                .map(|(i, c)| match i {
                    0 | 2 | 3 => keep_together(c),
                    _ => mark_breaks(c, &names),
                })
                .collect()
        })
        .collect();
    let table = serde_json::json!({
        "title": kind.title(),
        "office": office.fields.name,
        "year_label": year_label(year_be, digits),
        "headers": HEADINGS,
        "rows": printed,
        "empty": "ไม่มีรายการ",
    });
    // Dated the last day the register covers, so the same rows give the same bytes.
    let dated = rows.iter().map(|r| r.reg_date).max().unwrap_or_else(|| {
        NaiveDate::from_ymd_opt(crate::thai::ce_year(year_be), 1, 1).unwrap_or_default()
    });
    renderer
        .render_register(
            table,
            digits,
            &format!("{} {}", kind.title(), office.fields.name),
            &office.fields.name,
            dated,
        )
        .map_err(|e| StoreError::rejected("จัดทำ PDF ไม่สำเร็จ", e.to_string()))
}

/// The series years under which `office_id`'s send register issued a
/// number written as any of `numbers` (canonical and printed forms).
pub async fn years_of_number(
    store: &Store,
    office_id: i64,
    numbers: &[String],
) -> Result<Vec<i32>, StoreError> {
    if numbers.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::default();
    let office = sql.bind(Bind::Int(office_id));
    let list = numbers
        .iter()
        .map(|n| sql.bind(Bind::Text(n.clone())))
        .collect::<Vec<_>>()
        .join(", ");
    sql.text = format!(
        "SELECT DISTINCT year FROM register_entries WHERE office_id = {office} \
         AND register = 'send' AND status = 'issued' AND doc_number IN ({list})"
    );
    let rows = sql.query().fetch_all(store.reader()).await?;
    rows.iter()
        .map(|r| {
            r.try_get::<i64, _>(0)
                .map(|y| y as i32)
                .map_err(StoreError::from)
        })
        .collect()
}

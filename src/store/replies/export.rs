//! Replies as a table, for CSV (UTF-8 with a BOM) and XLSX: a row per reply
//! (each field one column; attendees joined in one cell) or a row per
//! attendee (the other answers repeated on each of the office's rows).

use chrono::{DateTime, Utc};

use super::Reply;
use crate::model::reply_form::{Answer, FieldKind, ReplyForm};
use crate::store::StoreError;

/// A table: headings and rows of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub headings: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A stored instant as Bangkok date and time (`2024-05-23 09:10`).
fn local(stamp: &str) -> String {
    DateTime::parse_from_rfc3339(stamp)
        .map(|t| {
            t.with_timezone(&Utc)
                .with_timezone(&crate::store::bangkok())
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_else(|_| stamp.to_string())
}

/// The replies as a table, per reply or per attendee.
pub fn table(form: &ReplyForm, replies: &[Reply], per_attendee: bool) -> Table {
    let is_rows = |k: FieldKind| k == FieldKind::Attendees;
    let mut headings: Vec<String> = vec!["ส่วนราชการ".into(), "ตอบเมื่อ".into()];
    if per_attendee {
        headings.extend(["ชื่อ-สกุล", "ตำแหน่ง", "โทรศัพท์"].map(String::from));
    } else {
        headings.push("แก้ไขครั้งที่".into());
    }
    let columns: Vec<_> = form
        .fields
        .iter()
        .filter(|f| !(per_attendee && is_rows(f.kind)))
        .collect();
    headings.extend(columns.iter().map(|f| f.label.clone()));
    let mut rows = Vec::new();
    for r in replies {
        let rest: Vec<String> = columns
            .iter()
            .map(|f| r.answers.get(&f.key).map(Answer::cell).unwrap_or_default())
            .collect();
        let head = vec![r.office.clone(), local(&r.updated_at)];
        if per_attendee {
            for f in form.fields.iter().filter(|f| is_rows(f.kind)) {
                if let Some(Answer::Attendees(people)) = r.answers.get(&f.key) {
                    for p in people {
                        let mut row = head.clone();
                        row.extend([p.name.clone(), p.position.clone(), p.phone.clone()]);
                        row.extend(rest.iter().cloned());
                        rows.push(row);
                    }
                }
            }
        } else {
            let mut row = head;
            row.push(r.revisions.to_string());
            row.extend(rest);
            rows.push(row);
        }
    }
    Table { headings, rows }
}

/// CSV, UTF-8 with a BOM so spreadsheet programs read the Thai.
pub fn to_csv(t: &Table) -> Vec<u8> {
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record(&t.headings)
        .expect("writing CSV to memory cannot fail");
    for row in &t.rows {
        out.write_record(row)
            .expect("writing CSV to memory cannot fail");
    }
    out.into_inner().expect("writing CSV to memory cannot fail")
}

/// An Excel workbook of the same rows, headings bold and repeated.
pub fn to_xlsx(t: &Table) -> Result<Vec<u8>, StoreError> {
    use rust_xlsxwriter::{Format, Workbook};
    let err =
        |e: rust_xlsxwriter::XlsxError| StoreError::rejected("สร้างไฟล์ XLSX ไม่สำเร็จ", e.to_string());
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("คำตอบ").map_err(err)?;
    let bold = Format::new().set_bold();
    for (c, h) in t.headings.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, h, &bold)
            .map_err(err)?;
    }
    for (r, row) in t.rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, v).map_err(err)?;
        }
    }
    sheet.set_repeat_rows(0, 0).map_err(err)?;
    book.save_to_buffer().map_err(err)
}

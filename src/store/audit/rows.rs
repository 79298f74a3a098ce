//! What an audit event vouches for: the state of the row it wrote.
//!
//! Each covered object (`document:12`, `delivery:5`, `register:40`,
//! `user:3`, `signature:3`, `office:7`, `attachment:2`, `imported:9`) has one canonical
//! `user:3`, `office:7`, `attachment:2`, `imported:9`, `received:4`) has one canonical
//! form: its table's columns in a fixed order, every stored file replaced by
//! the SHA-256 of its bytes (recomputed, not the stored hash column), and
//! the rows that hang off it (a document's secret-letter readers, a user's
//! API tokens), as one JSON array. [`super::Appender::finish`] puts the
//! SHA-256 of that form on the last event of each object its transaction
//! touched; [`super::verify`] recomputes it for every row and compares.
//!
//! A document's filter columns (urgency, secrecy, addressee) are covered
//! too: every write sets them before `finish`, and `secrecy` decides who may
//! read. Not covered: counters (the register rows and `UNIQUE` show a
//! number's use), references and citations, sessions, and the search text.

use std::collections::HashMap;

use crate::store::direct::{Param, Row};
use crate::store::exec::Exec;
use serde_json::Value;

use crate::store::{StoreError, placeholders, sha256_hex};

/// How a column enters the canonical form.
#[derive(Debug, Clone, Copy)]
enum Col {
    Int,
    Text,
    /// A stored file: its SHA-256, computed from the bytes.
    Bytes,
}

use Col::{Bytes, Int, Text};

/// Rows of another table that belong to an object (`key` = its id).
#[derive(Debug)]
struct Children {
    table: &'static str,
    key: &'static str,
    columns: &'static [(&'static str, Col)],
}

/// A kind of covered object: `prefix:id` names a row of `table`.
#[derive(Debug)]
pub struct Kind {
    pub prefix: &'static str,
    table: &'static str,
    /// In canonical order; the first is `id`.
    columns: &'static [(&'static str, Col)],
    children: Option<Children>,
    pub thai: &'static str,
    pub english: &'static str,
}

impl Kind {
    /// The table its rows are in.
    pub(crate) fn table(&self) -> &'static str {
        self.table
    }
}

/// Every covered kind, in the order `verify` checks them.
pub const KINDS: &[Kind] = &[
    Kind {
        prefix: "office",
        table: "offices",
        columns: &[
            ("id", Int),
            ("parent_id", Int),
            ("kind", Text),
            ("name", Text),
            ("agency", Text),
            ("unit", Text),
            ("org_code", Text),
            ("province", Text),
            ("district", Text),
            ("address", Text),
            ("phone", Text),
            ("fax", Text),
            ("email", Text),
            ("digits", Text),
            ("year_basis", Text),
        ],
        children: None,
        thai: "ส่วนราชการ",
        english: "office",
    },
    Kind {
        prefix: "user",
        table: "users",
        columns: &[
            ("id", Int),
            ("office_id", Int),
            ("username", Text),
            ("display_name", Text),
            ("role", Text),
            ("password_hash", Text),
            ("must_change", Int),
            ("active", Int),
            ("created_at", Text),
        ],
        children: Some(Children {
            table: "api_tokens",
            key: "user_id",
            columns: &[
                ("token_sha256", Text),
                ("label", Text),
                ("created_at", Text),
            ],
        }),
        thai: "ผู้ใช้",
        english: "user",
    },
    Kind {
        prefix: "signature",
        table: "user_signatures",
        // `id` is the user's id.
        columns: &[
            ("id", Int),
            ("media_type", Text),
            ("bytes", Bytes),
            ("sha256", Text),
            ("updated_at", Text),
        ],
        children: None,
        thai: "ภาพลายมือชื่อ",
        english: "signature image",
    },
    Kind {
        prefix: "template",
        table: "office_templates",
        columns: &[
            ("id", Int),
            ("office_id", Int),
            ("name", Text),
            ("kind", Text),
            ("content", Text),
            ("created_by", Text),
            ("created_at", Text),
        ],
        children: None,
        thai: "แม่แบบหนังสือ",
        english: "template",
    },
    Kind {
        prefix: "document",
        table: "documents",
        columns: &[
            ("id", Int),
            ("office_id", Int),
            ("kind", Text),
            ("state", Text),
            ("series", Text),
            ("year", Int),
            ("seq", Int),
            ("number", Text),
            ("date", Text),
            ("subject", Text),
            ("issuer", Text),
            ("content", Text),
            ("created_at", Text),
            ("updated_at", Text),
            ("official_pdf", Bytes),
            ("official_sha256", Text),
            ("source_sha256", Text),
            // Derived from the content, but `secrecy` decides who may read.
            ("urgency", Text),
            ("secrecy", Text),
            ("recipient", Text),
            ("search_version", Int),
        ],
        children: Some(Children {
            table: "document_readers",
            key: "document_id",
            columns: &[("user_id", Int)],
        }),
        thai: "หนังสือ",
        english: "document",
    },
    Kind {
        prefix: "attachment",
        table: "attachments",
        columns: &[
            ("id", Int),
            ("document_id", Int),
            ("name", Text),
            ("media_type", Text),
            ("size", Int),
            ("sha256", Text),
            ("bytes", Bytes),
            ("created_at", Text),
        ],
        children: None,
        thai: "สิ่งที่แนบ",
        english: "attachment",
    },
    Kind {
        prefix: "register",
        table: "register_entries",
        columns: &[
            ("id", Int),
            ("office_id", Int),
            ("register", Text),
            ("series", Text),
            ("year", Int),
            ("seq", Int),
            ("status", Text),
            ("batch", Text),
            ("recorded_at", Text),
            ("reg_date", Text),
            ("reg_time", Text),
            ("doc_number", Text),
            ("doc_date", Text),
            ("from_text", Text),
            ("to_text", Text),
            ("subject", Text),
            ("action", Text),
            ("note", Text),
            ("document_id", Int),
        ],
        children: None,
        thai: "รายการทะเบียน",
        english: "register entry",
    },
    Kind {
        prefix: "delivery",
        table: "deliveries",
        columns: &[
            ("id", Int),
            ("document_id", Int),
            ("root_id", Int),
            ("parent_id", Int),
            ("level", Int),
            ("from_office", Int),
            ("to_office", Int),
            ("state", Text),
            ("deadline", Text),
            ("sent_at", Text),
            ("sent_by", Text),
            ("received_at", Text),
            ("received_by", Text),
            ("receive_entry", Int),
            ("acted_at", Text),
            ("acted_by", Text),
            ("forward_id", Int),
            ("reason", Text),
            ("token", Text),
            ("letter_pdf", Bytes),
            ("letter_sha256", Text),
        ],
        children: None,
        thai: "การส่งหนังสือ",
        english: "delivery",
    },
    Kind {
        prefix: "imported",
        table: "imported_letters",
        columns: &[
            ("id", Int),
            ("sha256", Text),
            ("source_name", Text),
            ("source", Bytes),
            ("fields", Text),
            ("number_key", Text),
            ("printed", Text),
            ("date", Text),
            ("subject", Text),
            ("issuer", Text),
            ("received_by", Int),
            ("receive_entry", Int),
            ("imported_at", Text),
        ],
        children: None,
        thai: "หนังสือนำเข้า",
        english: "imported letter",
    },
    Kind {
        prefix: "reply_form",
        table: "reply_forms",
        columns: &[
            ("id", Int),
            ("document_id", Int),
            ("definition", Text),
            ("updated_at", Text),
            ("updated_by", Text),
        ],
        children: None,
        thai: "แบบตอบรับ",
        english: "reply form",
    },
    Kind {
        prefix: "reply",
        table: "replies",
        columns: &[
            ("id", Int),
            ("delivery_id", Int),
            ("document_id", Int),
            ("office_id", Int),
            ("answers", Text),
            ("created_at", Text),
            ("updated_at", Text),
            ("revisions", Int),
        ],
        children: Some(Children {
            table: "reply_files",
            key: "reply_id",
            columns: &[
                ("id", Int),
                ("field", Text),
                ("name", Text),
                ("media_type", Text),
                ("size", Int),
                ("sha256", Text),
                ("bytes", Bytes),
                ("created_at", Text),
            ],
        }),
        thai: "คำตอบแบบตอบรับ",
        english: "reply",
    },
    Kind {
        prefix: "reminder",
        table: "reminders",
        columns: &[
            ("id", Int),
            ("delivery_id", Int),
            ("reminder_id", Int),
            ("created_at", Text),
            ("created_by", Text),
        ],
        children: None,
        thai: "การทวงถาม",
        english: "reminder",
    },
    // Inside the office (issue 19): settings, acting roles, work items,
    // their events and files.
    Kind {
        prefix: "workflow",
        table: "office_workflow",
        columns: &[
            ("id", Int),
            ("check_tiers", Int),
            ("require_signing", Int),
            ("chain", Text),
            ("checkers", Text),
            ("signer_id", Int),
            ("updated_at", Text),
        ],
        children: None,
        thai: "การตั้งค่าการเสนอและลงนาม",
        english: "workflow settings",
    },
    Kind {
        prefix: "acting",
        table: "acting_roles",
        columns: &[
            ("id", Int),
            ("user_id", Int),
            ("kind", Text),
            ("position", Text),
            ("for_position", Text),
            ("from_date", Text),
            ("to_date", Text),
            ("created_at", Text),
        ],
        children: None,
        thai: "การปฏิบัติราชการแทน",
        english: "acting role",
    },
    Kind {
        prefix: "work",
        table: "work_items",
        columns: &[
            ("id", Int),
            ("office_id", Int),
            ("kind", Text),
            ("document_id", Int),
            ("delivery_id", Int),
            ("assignee_id", Int),
            ("unit", Text),
            ("tier", Int),
            ("version", Int),
            ("instruction", Text),
            ("due", Text),
            ("status", Text),
            ("created_by", Int),
            ("created_at", Text),
            ("closed_at", Text),
            ("note", Text),
        ],
        children: None,
        thai: "งานที่มอบหมาย",
        english: "work item",
    },
    Kind {
        prefix: "work_event",
        table: "work_events",
        columns: &[
            ("id", Int),
            ("office_id", Int),
            ("document_id", Int),
            ("delivery_id", Int),
            ("item_id", Int),
            ("kind", Text),
            ("user_id", Int),
            ("actor", Text),
            ("target_id", Int),
            ("choice", Text),
            ("note", Text),
            ("version", Int),
            ("corrects", Int),
            ("related_id", Int),
            ("at", Text),
        ],
        children: None,
        thai: "บันทึกการปฏิบัติ",
        english: "work event",
    },
    Kind {
        prefix: "work_file",
        table: "work_files",
        columns: &[
            ("id", Int),
            ("item_id", Int),
            ("name", Text),
            ("media_type", Text),
            ("size", Int),
            ("sha256", Text),
            ("bytes", Bytes),
            ("created_at", Text),
        ],
        children: None,
        thai: "ไฟล์แนบของงาน",
        english: "work file",
    },
    Kind {
        prefix: "received",
        table: "received_letters",
        columns: &[
            ("id", Int),
            ("office_id", Int),
            ("letter_id", Int),
            ("receive_entry", Int),
            ("source_name", Text),
            ("media_type", Text),
            ("sha256", Text),
            ("source", Bytes),
            ("fields", Text),
            ("number_key", Text),
            ("date", Text),
            ("issuer", Text),
            ("secrecy", Text),
            ("registered_by", Int),
            ("registered_at", Text),
        ],
        children: None,
        thai: "หนังสือรับจากภายนอก",
        english: "letter received from outside",
    },
    Kind {
        prefix: "office_mail",
        table: "office_mail",
        columns: &[
            ("id", Int),
            ("outside", Int),
            ("smtp_host", Text),
            ("smtp_port", Int),
            ("smtp_security", Text),
            ("smtp_username", Text),
            ("imap_host", Text),
            ("imap_port", Int),
            ("imap_security", Text),
            ("imap_username", Text),
            ("imap_folder", Text),
            ("from_address", Text),
            ("password", Text),
            ("updated_at", Text),
            ("updated_by", Text),
        ],
        children: None,
        thai: "ตู้อีเมลกลางของส่วนราชการ",
        english: "office mailbox",
    },
    Kind {
        prefix: "user_email",
        table: "user_emails",
        columns: &[("id", Int), ("email", Text), ("updated_at", Text)],
        children: None,
        thai: "อีเมลของผู้ใช้",
        english: "user's e-mail address",
    },
    Kind {
        prefix: "mail_message",
        table: "mail_messages",
        columns: &[
            ("id", Int),
            ("office_id", Int),
            ("message_id", Text),
            ("uid", Int),
            ("from_address", Text),
            ("subject", Text),
            ("kind", Text),
            ("delivery_id", Int),
            ("sha256", Text),
            ("raw", Bytes),
            ("state", Text),
            ("upload_id", Int),
            ("received_id", Int),
            ("fetched_at", Text),
            ("decided_at", Text),
            ("decided_by", Text),
        ],
        children: None,
        thai: "อีเมลที่รับเข้า",
        english: "fetched e-mail",
    },
    Kind {
        prefix: "mail_delivery",
        table: "mail_deliveries",
        columns: &[
            ("id", Int),
            ("office_id", Int),
            ("address", Text),
            ("message_id", Text),
            ("state", Text),
            ("error", Text),
            ("sent_at", Text),
            ("answer_id", Int),
            ("answered_at", Text),
            ("bounce_status", Text),
        ],
        children: None,
        thai: "การส่งทางอีเมล",
        english: "delivery by e-mail",
    },
    Kind {
        prefix: "notice",
        table: "mail_notices",
        columns: &[
            ("id", Int),
            ("user_id", Int),
            ("item_id", Int),
            ("urgent", Int),
            ("text", Text),
            ("created_at", Text),
            ("sent_at", Text),
            ("error", Text),
        ],
        children: None,
        thai: "การแจ้งเตือนทางอีเมล",
        english: "e-mail notice",
    },
];

/// The state hash of a row that is not there (after a delete): SHA-256 of
/// nothing.
pub const GONE: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// The covered kind (its index in [`KINDS`]) and row id an object names.
pub fn kind_of(object: &str) -> Option<(usize, i64)> {
    let (prefix, id) = object.split_once(':')?;
    let k = KINDS.iter().position(|k| k.prefix == prefix)?;
    Some((k, id.parse().ok()?))
}

/// Rows per `IN (…)` list.
const CHUNK: usize = 500;

fn select_list(columns: &[(&str, Col)]) -> String {
    columns
        .iter()
        .map(|(name, col)| match col {
            // INTEGER is 4 bytes on PostgreSQL; read every integer as i64.
            Int => format!("CAST({name} AS BIGINT)"),
            Text | Bytes => name.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn values(row: &Row, from: usize, columns: &[(&str, Col)]) -> Result<Vec<Value>, StoreError> {
    let mut out = Vec::with_capacity(columns.len());
    for (i, (_, col)) in columns.iter().enumerate() {
        let i = from + i;
        out.push(match col {
            Int => row.get::<Option<i64>>(i)?.map_or(Value::Null, Value::from),
            Text => row
                .get::<Option<String>>(i)?
                .map_or(Value::Null, Value::from),
            Bytes => row
                .get::<Option<Vec<u8>>>(i)?
                .map_or(Value::Null, |b| Value::from(sha256_hex(&b))),
        });
    }
    Ok(out)
}

/// Which rows to read: these ids, or the page after an id.
#[derive(Debug, Clone, Copy)]
pub enum Rows<'a> {
    Ids(&'a [i64]),
    After { id: i64, limit: i64 },
}

/// The state hash of each row asked for that exists, by id (an id that is
/// missing is absent). Two statements per [`CHUNK`] rows at most.
pub async fn states<E: Exec + ?Sized>(
    conn: &mut E,
    kind: &Kind,
    rows: Rows<'_>,
) -> Result<Vec<(i64, String)>, StoreError> {
    let mut out = Vec::new();
    match rows {
        Rows::Ids(ids) => {
            for chunk in ids.chunks(CHUNK) {
                let list = placeholders(chunk.len(), 1);
                let sql = format!(
                    "SELECT {} FROM {} WHERE id IN {}",
                    select_list(kind.columns),
                    kind.table,
                    in_list(&list)
                );
                let params: Vec<Param> = chunk.iter().map(|id| Param::Int(*id)).collect();
                let found = conn.rows(&sql, &params).await?;
                out.extend(with_children(conn, kind, &found, Rows::Ids(chunk)).await?);
            }
        }
        Rows::After { id, limit } => {
            let sql = format!(
                "SELECT {} FROM {} WHERE id > $1 ORDER BY id LIMIT $2",
                select_list(kind.columns),
                kind.table
            );
            let found = conn.rows(&sql, &[id.into(), limit.into()]).await?;
            out.extend(with_children(conn, kind, &found, rows).await?);
        }
    }
    Ok(out)
}

/// `($1), ($2)` from [`placeholders`] as `($1, $2)`.
fn in_list(rows: &str) -> String {
    format!("({})", rows.replace(['(', ')'], ""))
}

/// Hashes `found` (rows of `kind`) with their children, read in one
/// statement: by the same ids, or by the id range of the page.
async fn with_children<E: Exec + ?Sized>(
    conn: &mut E,
    kind: &Kind,
    found: &[Row],
    rows: Rows<'_>,
) -> Result<Vec<(i64, String)>, StoreError> {
    let mut parts: Vec<(i64, Vec<Value>)> = Vec::with_capacity(found.len());
    for row in found {
        parts.push((row.get(0)?, values(row, 0, kind.columns)?));
    }
    let mut children: HashMap<i64, Vec<Vec<Value>>> = HashMap::new();
    if let (Some(c), false) = (&kind.children, parts.is_empty()) {
        let select = format!(
            "SELECT CAST({} AS BIGINT), {}",
            c.key,
            select_list(c.columns)
        );
        let fetched = match rows {
            Rows::Ids(ids) => {
                let sql = format!(
                    "{select} FROM {} WHERE {} IN {}",
                    c.table,
                    c.key,
                    in_list(&placeholders(ids.len(), 1))
                );
                let params: Vec<Param> = ids.iter().map(|id| Param::Int(*id)).collect();
                conn.rows(&sql, &params).await?
            }
            Rows::After { .. } => {
                let first = parts.first().map_or(0, |p| p.0);
                let last = parts.last().map_or(0, |p| p.0);
                let sql = format!(
                    "{select} FROM {} WHERE {} >= $1 AND {} <= $2",
                    c.table, c.key, c.key
                );
                conn.rows(&sql, &[first.into(), last.into()]).await?
            }
        };
        for row in &fetched {
            children
                .entry(row.get(0)?)
                .or_default()
                .push(values(row, 1, c.columns)?);
        }
    }
    let mut out = Vec::with_capacity(parts.len());
    for (id, columns) in parts {
        let mut kids = children.remove(&id).unwrap_or_default();
        // Sorted here, not by the database: collations differ.
        kids.sort_by_cached_key(|v| serde_json::to_string(v).unwrap_or_default());
        let canonical = Value::from(vec![
            Value::from(kind.prefix),
            Value::from(columns),
            Value::from(kids.into_iter().map(Value::from).collect::<Vec<_>>()),
        ]);
        out.push((id, sha256_hex(canonical.to_string().as_bytes())));
    }
    Ok(out)
}

//! Tracking a cascade: the tree of deliveries under a letter, roll-up counts
//! per level, who has not acted (and who is overdue), and how long each
//! level took. Read with one indexed query per cascade.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::offices::OfficeKind;
use super::routing::{Delivery, DeliveryState};
use super::{Backend, Store, StoreError, documents};

/// One delivery in the tree, with its office.
#[derive(Debug, Clone, Serialize)]
pub struct TrackNode {
    pub delivery: Delivery,
    pub office: String,
    pub kind: OfficeKind,
    pub overdue: bool,
    /// When the office's reply (to the letter's reply form) was last saved.
    pub reply_at: Option<String>,
    /// When a reminder (ทวงถาม) was last drafted for it, and sent.
    pub reminded_at: Option<String>,
    pub reminder_sent_at: Option<String>,
    pub children: Vec<TrackNode>,
}

/// Counts for one level of the cascade.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LevelRollup {
    pub level: i64,
    /// What the offices at this level are (`จังหวัด`, `อำเภอ`, `อปท.`).
    pub label: String,
    pub sent: usize,
    pub received: usize,
    pub forwarded: usize,
    pub acknowledged: usize,
    pub replied: usize,
    pub returned: usize,
    /// Offices whose reply arrived through the reply form (whatever
    /// their state), and offices reminded.
    pub with_reply: usize,
    pub reminded: usize,
    /// Not acted on (sent or only received).
    pub pending: usize,
    /// Pending past the deadline.
    pub overdue: usize,
    /// Minutes from sending to receiving, and to acting.
    pub receive_minutes: Timing,
    pub act_minutes: Timing,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Timing {
    pub median: Option<i64>,
    pub slowest: Option<i64>,
}

impl Timing {
    fn of(mut xs: Vec<i64>) -> Timing {
        xs.sort_unstable();
        Timing {
            median: xs.get(xs.len().saturating_sub(1) / 2).copied(),
            slowest: xs.last().copied(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Tracking {
    pub root: documents::Stored,
    pub levels: Vec<LevelRollup>,
    pub tree: Vec<TrackNode>,
    /// Everyone who has not acted, overdue first.
    pub pending: Vec<TrackNode>,
}

fn minutes(from: &str, to: Option<&str>) -> Option<i64> {
    let from = DateTime::parse_from_rfc3339(from).ok()?;
    let to = DateTime::parse_from_rfc3339(to?).ok()?;
    Some((to - from).num_minutes())
}

fn label(kind: OfficeKind) -> &'static str {
    match kind {
        OfficeKind::ProvincialOffice => "จังหวัด",
        OfficeKind::DistrictOffice => "อำเภอ",
        k if k.is_local() => "องค์กรปกครองส่วนท้องถิ่น",
        k => k.thai(),
    }
}

/// The cascade that `document_id` belongs to (as its first letter or as a
/// forwarded cover letter), as of `today` (for overdue).
pub async fn track(
    store: &Store,
    document_id: i64,
    today: NaiveDate,
) -> Result<Tracking, StoreError> {
    let root_id: i64 =
        match sqlx::query("SELECT root_id FROM deliveries WHERE document_id = $1 LIMIT 1")
            .bind(document_id)
            .fetch_optional(store.reader())
            .await?
        {
            Some(row) => row.try_get(0)?,
            None => {
                documents::get(store, document_id).await?;
                return Err(StoreError::rejected(
                    "หนังสือนี้ยังไม่ได้ส่งถึงผู้ใด",
                    "this letter has not been sent to anyone",
                ));
            }
        };
    let root = documents::get(store, root_id).await?;
    let mut nodes = nodes_of(store, root_id, today).await?;
    nodes.sort_by_key(|n| n.delivery.id);
    let levels = rollup(&nodes);
    let mut pending: Vec<TrackNode> = nodes
        .iter()
        .filter(|n| !n.delivery.state.acted())
        .cloned()
        .collect();
    pending.sort_by_key(|n| (!n.overdue, n.delivery.level, n.delivery.id));
    Ok(Tracking {
        root,
        levels,
        tree: build_tree(nodes),
        pending,
    })
}

/// A delivery and its office's name and kind: one element of the array
/// [`nodes_of`] reads.
#[derive(Deserialize)]
struct NodeRow(
    i64,
    i64,
    i64,
    Option<i64>,
    i64,
    i64,
    i64,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Every delivery of a cascade, as one JSON array built by the database.
/// A cascade is thousands of rows, and a row is a hand-off between the
/// database driver's thread and ours; one value is one hand-off.
async fn nodes_of(
    store: &Store,
    root_id: i64,
    today: NaiveDate,
) -> Result<Vec<TrackNode>, StoreError> {
    let fields = "d.id, d.document_id, d.root_id, d.parent_id, d.level, d.from_office, \
                  d.to_office, d.state, d.deadline, d.sent_at, d.sent_by, d.received_at, \
                  d.received_by, d.receive_entry, d.acted_at, d.acted_by, d.forward_id, \
                  d.reason, o.name, o.kind, \
                  (SELECT r.updated_at FROM replies r WHERE r.delivery_id = d.id), \
                  (SELECT MAX(m.created_at) FROM reminders m WHERE m.delivery_id = d.id), \
                  (SELECT MAX(x.sent_at) FROM reminders m JOIN deliveries x \
                   ON x.document_id = m.reminder_id AND x.to_office = d.to_office \
                   WHERE m.delivery_id = d.id)";
    let whole = match store.backend() {
        Backend::Sqlite => format!("json_group_array(json_array({fields}))"),
        Backend::Postgres => format!("json_agg(json_build_array({fields}))::text"),
    };
    let row = sqlx::query(&format!(
        "SELECT {whole} FROM deliveries d JOIN offices o ON o.id = d.to_office \
         WHERE d.root_id = $1"
    ))
    .bind(root_id)
    .fetch_one(store.reader())
    .await?;
    // PostgreSQL's json_agg of no rows is NULL.
    let json: Option<String> = row.try_get(0)?;
    let rows: Vec<NodeRow> = serde_json::from_str(json.as_deref().unwrap_or("[]"))
        .map_err(|e| StoreError::rejected("อ่านข้อมูลการติดตามไม่ได้", e.to_string()))?;
    rows.into_iter()
        .map(|r| {
            let delivery = Delivery {
                id: r.0,
                document_id: r.1,
                root_id: r.2,
                parent_id: r.3,
                level: r.4,
                from_office: r.5,
                to_office: r.6,
                state: DeliveryState::parse(&r.7)?,
                deadline: r.8.and_then(|d| d.parse().ok()),
                sent_at: r.9,
                sent_by: r.10,
                received_at: r.11,
                received_by: r.12,
                receive_entry: r.13,
                acted_at: r.14,
                acted_by: r.15,
                forward_id: r.16,
                reason: r.17,
            };
            let overdue = !delivery.state.acted() && delivery.deadline.is_some_and(|d| d < today);
            Ok(TrackNode {
                delivery,
                office: r.18,
                kind: OfficeKind::parse(&r.19).ok_or_else(|| StoreError::Corrupt {
                    column: "offices.kind",
                    value: r.19.clone(),
                })?,
                overdue,
                reply_at: r.20,
                reminded_at: r.21,
                reminder_sent_at: r.22,
                children: Vec::new(),
            })
        })
        .collect()
}

fn rollup(nodes: &[TrackNode]) -> Vec<LevelRollup> {
    let mut by_level: HashMap<i64, Vec<&TrackNode>> = HashMap::new();
    for n in nodes {
        by_level.entry(n.delivery.level).or_default().push(n);
    }
    let mut levels: Vec<LevelRollup> = by_level
        .into_iter()
        .map(|(level, ns)| {
            let mut r = LevelRollup {
                level,
                ..LevelRollup::default()
            };
            let mut kinds: HashMap<&str, usize> = HashMap::new();
            let (mut to_receive, mut to_act) = (Vec::new(), Vec::new());
            for n in &ns {
                *kinds.entry(label(n.kind)).or_default() += 1;
                let d = &n.delivery;
                r.sent += 1;
                if d.received_at.is_some() {
                    r.received += 1;
                }
                match d.state {
                    DeliveryState::Forwarded => r.forwarded += 1,
                    DeliveryState::Acknowledged => r.acknowledged += 1,
                    DeliveryState::Replied => r.replied += 1,
                    DeliveryState::Returned => r.returned += 1,
                    DeliveryState::Sent | DeliveryState::Received => r.pending += 1,
                }
                if n.overdue {
                    r.overdue += 1;
                }
                if n.reply_at.is_some() {
                    r.with_reply += 1;
                }
                if n.reminded_at.is_some() {
                    r.reminded += 1;
                }
                to_receive.extend(minutes(&d.sent_at, d.received_at.as_deref()));
                to_act.extend(minutes(&d.sent_at, d.acted_at.as_deref()));
            }
            r.label = kinds
                .into_iter()
                .max_by_key(|(k, n)| (*n, *k))
                .map(|(k, _)| k.to_string())
                .unwrap_or_default();
            r.receive_minutes = Timing::of(to_receive);
            r.act_minutes = Timing::of(to_act);
            r
        })
        .collect();
    levels.sort_by_key(|l| l.level);
    levels
}

fn build_tree(nodes: Vec<TrackNode>) -> Vec<TrackNode> {
    let mut children: HashMap<Option<i64>, Vec<TrackNode>> = HashMap::new();
    for n in nodes {
        children.entry(n.delivery.parent_id).or_default().push(n);
    }
    fn attach(node: &mut TrackNode, children: &mut HashMap<Option<i64>, Vec<TrackNode>>) {
        if let Some(mut kids) = children.remove(&Some(node.delivery.id)) {
            for k in &mut kids {
                attach(k, children);
            }
            node.children = kids;
        }
    }
    let mut roots = children.remove(&None).unwrap_or_default();
    for r in &mut roots {
        attach(r, &mut children);
    }
    roots
}

/// One row per delivery, for CSV and XLSX.
pub const HEADINGS: [&str; 9] = [
    "ระดับ",
    "ส่วนราชการ",
    "สถานะ",
    "ส่งเมื่อ",
    "ลงรับเมื่อ",
    "ดำเนินการเมื่อ",
    "กำหนดเสร็จ",
    "เกินกำหนด",
    "เหตุผล",
];

fn flat(nodes: &[TrackNode], out: &mut Vec<[String; 9]>) {
    for n in nodes {
        let d = &n.delivery;
        out.push([
            d.level.to_string(),
            n.office.clone(),
            d.state.thai().to_string(),
            d.sent_at.clone(),
            d.received_at.clone().unwrap_or_default(),
            d.acted_at.clone().unwrap_or_default(),
            d.deadline.map(|x| x.to_string()).unwrap_or_default(),
            if n.overdue {
                "เกินกำหนด".into()
            } else {
                String::new()
            },
            d.reason.clone().unwrap_or_default(),
        ]);
        flat(&n.children, out);
    }
}

/// The tree as rows, depth first.
pub fn rows(t: &Tracking) -> Vec<[String; 9]> {
    let mut out = Vec::new();
    flat(&t.tree, &mut out);
    out
}

/// CSV, UTF-8 with a BOM so spreadsheet programs read the Thai.
pub fn to_csv(t: &Tracking) -> Vec<u8> {
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record(HEADINGS)
        .expect("writing CSV to memory cannot fail");
    for row in rows(t) {
        out.write_record(&row)
            .expect("writing CSV to memory cannot fail");
    }
    out.into_inner().expect("writing CSV to memory cannot fail")
}

/// An Excel workbook of the same rows.
pub fn to_xlsx(t: &Tracking) -> Result<Vec<u8>, StoreError> {
    use rust_xlsxwriter::{Format, Workbook};
    let err =
        |e: rust_xlsxwriter::XlsxError| StoreError::rejected("สร้างไฟล์ XLSX ไม่สำเร็จ", e.to_string());
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("การติดตาม").map_err(err)?;
    sheet.set_landscape();
    let bold = Format::new().set_bold();
    for (c, h) in HEADINGS.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *h, &bold)
            .map_err(err)?;
    }
    for (r, row) in rows(t).iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, v).map_err(err)?;
        }
    }
    sheet.set_repeat_rows(0, 0).map_err(err)?;
    book.save_to_buffer().map_err(err)
}

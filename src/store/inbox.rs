//! An office's inbox: the letters delivered to it, with what each one is
//! and how urgent, overdue first, then the most urgent, then the newest.

use super::direct::Param;
use super::routing::{self, Delivery};
use super::{Store, StoreError};
use chrono::NaiveDate;
use serde::Serialize;

/// One delivered letter as the inbox lists it.
#[derive(Debug, Clone, Serialize)]
pub struct InboxItem {
    pub delivery: Delivery,
    pub number: Option<String>,
    pub date: Option<NaiveDate>,
    pub subject: String,
    pub issuer: String,
    pub urgency: Option<String>,
    pub secrecy: Option<String>,
    pub from_office: String,
    pub overdue: bool,
}

fn urgency_rank(u: Option<&str>) -> u8 {
    match u {
        Some("most_urgent") => 0,
        Some("very_urgent") => 1,
        Some("urgent") => 2,
        _ => 3,
    }
}

/// The inbox's query, all deliveries and those pending, built once: it is
/// asked on every refresh of every office's inbox.
static INBOX_SQL: std::sync::LazyLock<(String, String)> = std::sync::LazyLock::new(|| {
    let columns = routing::COLUMNS
        .split(", ")
        .map(|c| format!("v.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = |filter: &str| {
        format!(
            "SELECT {columns}, d.number, d.date, d.subject, d.issuer, d.urgency, d.secrecy, \
             o.name FROM deliveries v JOIN documents d ON d.id = v.document_id \
             JOIN offices o ON o.id = v.from_office \
             WHERE v.to_office = $1{filter} ORDER BY v.id DESC LIMIT $2"
        )
    };
    (sql(""), sql(" AND v.state IN ('sent', 'received')"))
});

/// The inbox's SQL (`$1` the office, `$2` the limit): every delivery, or
/// only those pending, which `deliveries_inbox_pending` holds alone.
pub fn query(pending: bool) -> &'static str {
    if pending { &INBOX_SQL.1 } else { &INBOX_SQL.0 }
}

/// Deliveries to `office_id`; only those not yet acted on when `pending`.
pub async fn inbox(
    store: &Store,
    office_id: i64,
    today: NaiveDate,
    pending: bool,
    limit: i64,
) -> Result<Vec<InboxItem>, StoreError> {
    let rows = store
        .read_rows(query(pending), &[Param::Int(office_id), Param::Int(limit)])
        .await?;
    let n = routing::COLUMNS.split(", ").count();
    let mut items = rows
        .iter()
        .map(|r| {
            let delivery = routing::from_cells(r)?;
            let date: Option<String> = r.get(n + 1)?;
            let overdue = !delivery.state.acted() && delivery.deadline.is_some_and(|d| d < today);
            Ok(InboxItem {
                number: r.get(n)?,
                date: date.and_then(|d| d.parse().ok()),
                subject: r.get(n + 2)?,
                issuer: r.get(n + 3)?,
                urgency: r.get(n + 4)?,
                secrecy: r.get(n + 5)?,
                from_office: r.get(n + 6)?,
                overdue,
                delivery,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    // Stable: within a rank, newest first as fetched.
    items.sort_by_key(|i| {
        (
            !i.overdue,
            i.delivery.state.acted(),
            urgency_rank(i.urgency.as_deref()),
        )
    });
    Ok(items)
}

//! Gap-free, race-free document numbers per (office, series, year).
//!
//! A number is taken by bumping the counter row (an upsert, which locks the
//! row on PostgreSQL and runs under SQLite's write lock) in the same
//! transaction that writes the register row; `UNIQUE (office, series, year,
//! seq)` on the register backs it up. A number is never handed back: a
//! cancelled one stays in the register marked ยกเลิก.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{Any, Row, Transaction};

use super::audit::{Appender, Change};
use super::direct::Param;
use super::exec::Exec;
use super::offices::{Office, YearBasis};
use super::{Actor, Store, StoreError, bangkok, bangkok_date, stamp};
use crate::docnum::DocNumber;
use crate::thai::be_year;

/// A numbering series. Each office has one of each per year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Series {
    /// Ordinary letters: `พล 0023.3/2122`.
    Normal,
    /// Circulars (หนังสือเวียน): `มท 0810.7/ว 2135`.
    Circular,
    /// Orders (คำสั่ง): `125/2567`.
    Order,
    /// Announcements (ประกาศ): `12/2567`.
    Announcement,
    /// The receive register (ทะเบียนหนังสือรับ).
    Receive,
}

impl Series {
    pub const ALL: [Series; 5] = [
        Series::Normal,
        Series::Circular,
        Series::Order,
        Series::Announcement,
        Series::Receive,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Series::Normal => "normal",
            Series::Circular => "circular",
            Series::Order => "order",
            Series::Announcement => "announcement",
            Series::Receive => "receive",
        }
    }

    pub fn thai(self) -> &'static str {
        match self {
            Series::Normal => "หนังสือส่ง",
            Series::Circular => "หนังสือเวียน (ว)",
            Series::Order => "คำสั่ง",
            Series::Announcement => "ประกาศ",
            Series::Receive => "หนังสือรับ",
        }
    }

    /// Reads `normal`, `circular`, `ว`, `order`, `คำสั่ง` …
    pub fn parse(text: &str) -> Result<Series, StoreError> {
        let t = text.trim().trim_end_matches('.');
        Ok(match t {
            "normal" | "ปกติ" | "ส่ง" => Series::Normal,
            "circular" | "ว" | "เวียน" => Series::Circular,
            "order" | "คำสั่ง" => Series::Order,
            "announcement" | "ประกาศ" => Series::Announcement,
            "receive" | "รับ" => Series::Receive,
            _ => return Err(StoreError::UnknownSeries(text.to_string())),
        })
    }

    /// Which register its rows go in.
    pub fn register(self) -> &'static str {
        match self {
            Series::Receive => "receive",
            _ => "send",
        }
    }
}

/// The B.E. year a series is counted in on Bangkok date `date`: the calendar
/// year, or for fiscal-year offices the fiscal year (1 October starts the next).
pub fn series_year(basis: YearBasis, date: NaiveDate) -> i32 {
    match basis {
        YearBasis::Calendar => be_year(date.year()),
        YearBasis::Fiscal => crate::thai::fiscal::fiscal_year(date),
    }
}

/// The number printed for `seq` in `series`, canonical with Arabic digits
/// (`None` for the receive register, which only has a running number).
pub fn printed_number(
    office: &Office,
    series: Series,
    year_be: i32,
    seq: i64,
) -> Result<Option<DocNumber>, StoreError> {
    let seq32 = u32::try_from(seq)
        .map_err(|_| StoreError::rejected("เลขทะเบียนเกินขนาด", "register number out of range"))?;
    Ok(match series {
        Series::Normal | Series::Circular => {
            if office.fields.unit.is_empty() {
                return Err(StoreError::NoLetterCode(office.fields.name.clone()));
            }
            Some(DocNumber::letter(
                &office.fields.agency,
                &office.fields.unit,
                series == Series::Circular,
                seq32,
            ))
        }
        Series::Order | Series::Announcement => Some(DocNumber::order(seq32, year_be as u16)),
        Series::Receive => None,
    })
}

/// What the register row says about the letter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// เรื่อง
    pub subject: String,
    /// ถึง (send) — or the receiving office's name when empty (receive).
    pub to: String,
    /// จาก (receive) — or the issuing office's name when empty (send).
    pub from: String,
    /// ที่ of a received letter, as printed on it.
    pub doc_number: Option<String>,
    /// ลงวันที่; defaults to the day of numbering for sent letters.
    pub doc_date: Option<NaiveDate>,
    /// การปฏิบัติ
    pub action: String,
    /// หมายเหตุ
    pub note: String,
}

/// A number taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issued {
    pub entry_id: i64,
    pub office_id: i64,
    pub series: Series,
    pub year_be: i32,
    pub seq: i64,
    /// The number with Arabic digits (`มท 0810.7/ว 2136`), or the running
    /// number for the receive register.
    pub number: String,
    /// As printed on paper, in the office's digits (`มท ๐๘๑๐.๗/ว ๒๑๓๖`).
    pub printed: String,
    pub recorded_at: String,
}

/// Takes `count` numbers at once and returns the last; the caller writes
/// their register rows in the same transaction.
async fn bump<E: Exec>(
    tx: &mut E,
    office_id: i64,
    series: Series,
    year_be: i32,
    count: i64,
) -> Result<i64, StoreError> {
    let rows = tx
        .rows(
            "INSERT INTO counters (office_id, series, year, last) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (office_id, series, year) DO UPDATE SET last = counters.last + $4 \
             RETURNING last",
            &[
                office_id.into(),
                series.key().into(),
                i64::from(year_be).into(),
                count.into(),
            ],
        )
        .await?;
    rows.first()
        .ok_or_else(|| StoreError::rejected("ไม่ได้เลขถัดไป", "the counter gave no number"))?
        .get(0)
}

struct NewEntry<'a> {
    office: &'a Office,
    series: Series,
    year_be: i32,
    seq: i64,
    status: &'a str,
    batch: Option<&'a str>,
    at: DateTime<Utc>,
    entry: &'a Entry,
    document_id: Option<i64>,
}

/// Register columns, in the order of [`ENTRY_COLUMNS`].
const ENTRY_COLUMNS: &str = "office_id, register, series, year, seq, status, batch, recorded_at, \
     reg_date, reg_time, doc_number, doc_date, from_text, to_text, subject, action, note, \
     document_id";
const ENTRY_PARAMS: usize = 18;
/// Rows per statement: SQLite looks each parameter up by a linear scan.
const ENTRIES_PER_STATEMENT: usize = 40;

/// One register row as written, and what the caller gets back for it.
struct EntryRow<'a> {
    new: &'a NewEntry<'a>,
    key: String,
    printed: String,
    recorded_at: String,
    reg_date: String,
    reg_time: String,
    doc_number: String,
    doc_date: Option<String>,
    from: String,
    to: String,
}

impl<'a> EntryRow<'a> {
    fn of(r: &'a NewEntry<'a>) -> Result<EntryRow<'a>, StoreError> {
        let number = printed_number(r.office, r.series, r.year_be, r.seq)?;
        let local = r.at.with_timezone(&bangkok());
        let reg_date = local.date_naive();
        let (doc_number, from, to) = match r.series {
            Series::Receive => (
                r.entry.doc_number.clone().unwrap_or_default(),
                r.entry.from.clone(),
                if r.entry.to.is_empty() {
                    r.office.fields.name.clone()
                } else {
                    r.entry.to.clone()
                },
            ),
            _ => (
                number.as_ref().map(|n| n.key()).unwrap_or_default(),
                if r.entry.from.is_empty() {
                    r.office.fields.name.clone()
                } else {
                    r.entry.from.clone()
                },
                r.entry.to.clone(),
            ),
        };
        let doc_date = match r.series {
            Series::Receive => r.entry.doc_date,
            _ => Some(r.entry.doc_date.unwrap_or(reg_date)),
        };
        Ok(EntryRow {
            new: r,
            key: number
                .as_ref()
                .map(|n| n.key())
                .unwrap_or_else(|| r.seq.to_string()),
            printed: match &number {
                Some(n) => n.format(r.office.fields.digits),
                None => r.office.fields.digits.apply(&r.seq.to_string()),
            },
            recorded_at: stamp(r.at),
            reg_date: reg_date.to_string(),
            reg_time: format!("{:02}:{:02}", local.hour(), local.minute()),
            doc_number,
            doc_date: doc_date.map(|d| d.to_string()),
            from,
            to,
        })
    }
}

/// Writes register rows (many per statement) and their audit events, in
/// the order given.
async fn insert_entries<E: Exec>(
    tx: &mut E,
    audit: &mut Appender,
    entries: &[NewEntry<'_>],
) -> Result<Vec<Issued>, StoreError> {
    let rows: Vec<EntryRow> = entries.iter().map(EntryRow::of).collect::<Result<_, _>>()?;
    let mut issued = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(ENTRIES_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO register_entries ({ENTRY_COLUMNS}) VALUES {} \
             RETURNING id, office_id, series, year, seq",
            super::placeholders(chunk.len(), ENTRY_PARAMS)
        );
        let mut params: Vec<Param> = Vec::with_capacity(chunk.len() * ENTRY_PARAMS);
        for row in chunk {
            let r = row.new;
            let row_params: [Param; ENTRY_PARAMS] = [
                r.office.id.into(),
                r.series.register().into(),
                r.series.key().into(),
                i64::from(r.year_be).into(),
                r.seq.into(),
                r.status.into(),
                r.batch.into(),
                (&row.recorded_at).into(),
                (&row.reg_date).into(),
                (&row.reg_time).into(),
                (&row.doc_number).into(),
                (&row.doc_date).into(),
                (&row.from).into(),
                (&row.to).into(),
                (&r.entry.subject).into(),
                (&r.entry.action).into(),
                (&r.entry.note).into(),
                r.document_id.into(),
            ];
            params.extend(row_params);
        }
        // RETURNING gives no promise of order: match rows by their number.
        let mut ids = std::collections::HashMap::new();
        for returned in tx.rows(&sql, &params).await? {
            let key: (i64, String, i64, i64) = (
                returned.get(1)?,
                returned.get(2)?,
                returned.get(3)?,
                returned.get(4)?,
            );
            ids.insert(key, returned.get::<i64>(0)?);
        }
        for row in chunk {
            let r = row.new;
            let key = (
                r.office.id,
                r.series.key().to_string(),
                i64::from(r.year_be),
                r.seq,
            );
            let entry_id = ids[&key];
            let after = serde_json::json!({
                "office": r.office.id, "series": r.series.key(), "year": r.year_be, "seq": r.seq,
                "status": r.status, "number": row.key, "subject": r.entry.subject, "to": row.to,
                "from": row.from, "document": r.document_id,
            });
            audit
                .append(
                    tx,
                    Change {
                        office_id: Some(r.office.id),
                        action: if r.status == "reserved" {
                            "number.reserve"
                        } else {
                            "number.issue"
                        },
                        object: format!("register:{entry_id}"),
                        before: None,
                        after: Some(after.to_string().as_bytes()),
                    },
                )
                .await?;
            issued.push(Issued {
                entry_id,
                office_id: r.office.id,
                series: r.series,
                year_be: r.year_be,
                seq: r.seq,
                number: row.key.clone(),
                printed: row.printed.clone(),
                recorded_at: row.recorded_at.clone(),
            });
        }
    }
    Ok(issued)
}

fn check_entry(series: Series, entry: &Entry) -> Result<(), StoreError> {
    use crate::model::validate::MAX_LINE;
    if entry.subject.trim().is_empty() {
        return Err(StoreError::invalid(
            "subject",
            "ต้องระบุเรื่อง",
            "a subject is required",
        ));
    }
    for (field, text) in [
        ("subject", &entry.subject),
        ("to", &entry.to),
        ("from", &entry.from),
        ("note", &entry.note),
    ] {
        if text.chars().count() > MAX_LINE * 4 {
            return Err(StoreError::invalid(
                field,
                "ข้อความยาวเกินไป",
                "text too long",
            ));
        }
    }
    if series == Series::Receive && entry.from.trim().is_empty() {
        return Err(StoreError::invalid(
            "from",
            "หนังสือรับต้องระบุว่ามาจากที่ใด",
            "a received letter needs its sender",
        ));
    }
    Ok(())
}

/// Takes the next number inside a write transaction and writes its register row.
pub(crate) async fn issue_in<E: Exec>(
    tx: &mut E,
    audit: &mut Appender,
    at: DateTime<Utc>,
    office: &Office,
    series: Series,
    entry: &Entry,
    document_id: Option<i64>,
) -> Result<Issued, StoreError> {
    let request = IssueRequest {
        office,
        series,
        entry,
        document_id,
    };
    let mut issued = issue_many_in(tx, audit, at, &[request]).await?;
    Ok(issued.remove(0))
}

/// One number wanted by [`issue_many_in`].
pub(crate) struct IssueRequest<'a> {
    pub office: &'a Office,
    pub series: Series,
    pub entry: &'a Entry,
    pub document_id: Option<i64>,
}

/// Takes the next number for each request (several for one office and
/// series come out consecutive, in order) and writes the register rows:
/// one statement per counter and a few for all the rows.
pub(crate) async fn issue_many_in<E: Exec>(
    tx: &mut E,
    audit: &mut Appender,
    at: DateTime<Utc>,
    requests: &[IssueRequest<'_>],
) -> Result<Vec<Issued>, StoreError> {
    let taken = take_in(tx, at, requests).await?;
    register_in(tx, audit, at, requests, &taken).await
}

/// A number taken by [`take_in`] and not yet in the register.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Drawn {
    pub year_be: i32,
    pub seq: i64,
}

/// Bumps the counters for `requests` (checking each first) and gives each
/// its number, without writing register rows: for callers that need the
/// number before the row (a document numbered as it is stored). The rows
/// must follow in the same transaction ([`register_in`]).
pub(crate) async fn take_in<E: Exec>(
    tx: &mut E,
    at: DateTime<Utc>,
    requests: &[IssueRequest<'_>],
) -> Result<Vec<Drawn>, StoreError> {
    let mut wanted: Vec<((i64, Series, i32), i64)> = Vec::new();
    for r in requests {
        check_entry(r.series, r.entry)?;
        // Refuse before taking a number an office cannot print.
        printed_number(r.office, r.series, 0, 1)?;
        let key = (
            r.office.id,
            r.series,
            series_year(r.office.fields.year_basis, bangkok_date(at)),
        );
        match wanted.iter_mut().find(|(k, _)| *k == key) {
            Some((_, count)) => *count += 1,
            None => wanted.push((key, 1)),
        }
    }
    // The next number each counter hands out in this call.
    let mut next = std::collections::HashMap::new();
    for ((office, series, year_be), count) in wanted {
        let last = bump(tx, office, series, year_be, count).await?;
        next.insert((office, series, year_be), last - count + 1);
    }
    Ok(requests
        .iter()
        .map(|r| {
            let year_be = series_year(r.office.fields.year_basis, bangkok_date(at));
            let seq = next
                .get_mut(&(r.office.id, r.series, year_be))
                .expect("every request's counter was bumped");
            *seq += 1;
            Drawn {
                year_be,
                seq: *seq - 1,
            }
        })
        .collect())
}

/// Writes the register rows of numbers [`take_in`] gave `requests`.
pub(crate) async fn register_in<E: Exec>(
    tx: &mut E,
    audit: &mut Appender,
    at: DateTime<Utc>,
    requests: &[IssueRequest<'_>],
    taken: &[Drawn],
) -> Result<Vec<Issued>, StoreError> {
    let entries: Vec<NewEntry> = requests
        .iter()
        .zip(taken)
        .map(|(r, t)| NewEntry {
            office: r.office,
            series: r.series,
            year_be: t.year_be,
            seq: t.seq,
            status: "issued",
            batch: None,
            at,
            entry: r.entry,
            document_id: r.document_id,
        })
        .collect();
    insert_entries(tx, audit, &entries).await
}

/// Issues the next number of `series` for `office` at instant `at`, writing
/// its register row. Concurrent calls in one process are committed together
/// (`batch`); each call's number is committed before it returns.
pub async fn issue(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    office: &Office,
    series: Series,
    entry: &Entry,
) -> Result<Issued, StoreError> {
    check_entry(series, entry)?;
    printed_number(office, series, 0, 1)?;
    let (reply, answer) = tokio::sync::oneshot::channel();
    let job = super::batch::Job {
        actor: actor.clone(),
        at,
        office: office.clone(),
        series,
        entry: entry.clone(),
        reply,
    };
    match store.issue_queue().send(job) {
        Ok(()) => match answer.await {
            Ok(out) => out,
            // The writer task's runtime is gone: issue directly.
            Err(_) => issue_alone(store, actor, at, office, series, entry).await,
        },
        Err(_) => issue_alone(store, actor, at, office, series, entry).await,
    }
}

/// `issue` in a transaction of its own.
pub(crate) async fn issue_alone(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    office: &Office,
    series: Series,
    entry: &Entry,
) -> Result<Issued, StoreError> {
    // On a SQLite file, the whole transaction on this thread when the
    // database is free (`direct`); else, or on PostgreSQL, through sqlx.
    if let Some(tx) = store.begin_direct() {
        let mut tx = tx?;
        let mut audit = Appender::start(&mut tx, actor, at).await?;
        let issued = issue_in(&mut tx, &mut audit, at, office, series, entry, None).await?;
        audit.finish(&mut tx).await?;
        tx.commit()?;
        return Ok(issued);
    }
    store
        .retrying(|| async {
            let (mut tx, mut audit) = store.begin_audited(actor, at).await?;
            let issued = issue_in(&mut tx, &mut audit, at, office, series, entry, None).await?;
            audit.commit(tx).await?;
            Ok(issued)
        })
        .await
}

/// The number `issue` would give now, without taking it.
pub async fn peek(
    store: &Store,
    at: DateTime<Utc>,
    office: &Office,
    series: Series,
) -> Result<(i32, i64, String), StoreError> {
    let year_be = series_year(office.fields.year_basis, bangkok_date(at));
    let row =
        sqlx::query("SELECT last FROM counters WHERE office_id = $1 AND series = $2 AND year = $3")
            .bind(office.id)
            .bind(series.key())
            .bind(i64::from(year_be))
            .fetch_optional(store.reader())
            .await?;
    let next = match row {
        Some(r) => r.try_get::<i64, _>(0)? + 1,
        None => 1,
    };
    let printed = match printed_number(office, series, year_be, next)? {
        Some(n) => n.format(office.fields.digits),
        None => office.fields.digits.apply(&next.to_string()),
    };
    Ok((year_be, next, printed))
}

/// A block of numbers set aside for a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reservation {
    pub batch: String,
    pub office_id: i64,
    pub series: Series,
    pub year_be: i32,
    pub first: i64,
    pub last: i64,
}

/// Most numbers one reservation may hold.
pub const MAX_RESERVATION: i64 = 100_000;

/// Sets aside `count` consecutive numbers; they stay `reserved` in the
/// register until `fill_reservation` uses all of them or
/// `cancel_reservation` cancels all of them.
pub async fn reserve(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    office: &Office,
    series: Series,
    count: i64,
    subject: &str,
) -> Result<Reservation, StoreError> {
    if !(1..=MAX_RESERVATION).contains(&count) {
        return Err(StoreError::invalid(
            "count",
            &format!("จำนวนเลขที่จองต้องอยู่ระหว่าง 1 ถึง {MAX_RESERVATION}"),
            &format!("a reservation holds 1 to {MAX_RESERVATION} numbers"),
        ));
    }
    if series == Series::Receive {
        return Err(StoreError::rejected(
            "จองเลขทะเบียนรับไม่ได้",
            "receive numbers cannot be reserved",
        ));
    }
    let entry = Entry {
        subject: subject.to_string(),
        note: "จองเลข".into(),
        ..Entry::default()
    };
    check_entry(series, &entry)?;
    printed_number(office, series, 0, 1)?;
    let year_be = series_year(office.fields.year_basis, bangkok_date(at));
    let (mut tx, mut audit) = store.begin_audited(actor, at).await?;
    let last = bump(&mut tx, office.id, series, year_be, count).await?;
    let first = last - count + 1;
    let batch = format!("{}-{}-{}-{}", office.id, series.key(), year_be, first);
    let entries: Vec<NewEntry> = (first..=last)
        .map(|seq| NewEntry {
            office,
            series,
            year_be,
            seq,
            status: "reserved",
            batch: Some(&batch),
            at,
            entry: &entry,
            document_id: None,
        })
        .collect();
    insert_entries(&mut tx, &mut audit, &entries).await?;
    audit.commit(tx).await?;
    Ok(Reservation {
        batch,
        office_id: office.id,
        series,
        year_be,
        first,
        last,
    })
}

async fn reserved_ids(
    tx: &mut Transaction<'static, Any>,
    batch: &str,
) -> Result<Vec<(i64, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, office_id, status FROM register_entries WHERE batch = $1 ORDER BY seq",
    )
    .bind(batch)
    .fetch_all(&mut **tx)
    .await?;
    if rows.is_empty() {
        return Err(StoreError::rejected(
            format!("ไม่พบการจองเลข “{batch}”"),
            format!("no reservation “{batch}”"),
        ));
    }
    let mut out = Vec::new();
    for row in rows {
        let status: String = row.try_get(2)?;
        if status != "reserved" {
            return Err(StoreError::rejected(
                format!("การจองเลข “{batch}” ใช้หรือยกเลิกไปแล้ว"),
                format!("reservation “{batch}” was already used or cancelled"),
            ));
        }
        out.push((row.try_get(0)?, row.try_get(1)?));
    }
    Ok(out)
}

/// Uses a whole reservation: one entry per reserved number, in order.
pub async fn fill_reservation(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    batch: &str,
    entries: &[Entry],
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    let ids = reserved_ids(&mut tx, batch).await?;
    if ids.len() != entries.len() {
        return Err(StoreError::rejected(
            format!(
                "การจองมี {} เลข แต่ให้รายการมา {} รายการ ต้องใช้ทั้งชุด",
                ids.len(),
                entries.len()
            ),
            format!(
                "the reservation holds {} numbers but {} entries were given; a range is used whole",
                ids.len(),
                entries.len()
            ),
        ));
    }
    let mut audit = Appender::start(&mut tx, actor, at).await?;
    for ((id, office_id), entry) in ids.iter().zip(entries) {
        check_entry(Series::Normal, entry)?;
        sqlx::query(
            "UPDATE register_entries SET status = 'issued', subject = $1, to_text = $2, \
             action = $3, note = $4 WHERE id = $5",
        )
        .bind(&entry.subject)
        .bind(&entry.to)
        .bind(&entry.action)
        .bind(&entry.note)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        audit
            .append(
                &mut tx,
                Change {
                    office_id: Some(*office_id),
                    action: "number.use_reserved",
                    object: format!("register:{id}"),
                    before: None,
                    after: Some(serde_json::to_string(entry).unwrap_or_default().as_bytes()),
                },
            )
            .await?;
    }
    audit.commit(tx).await?;
    Ok(())
}

/// Cancels a whole reservation: every number stays in the register as ยกเลิก.
pub async fn cancel_reservation(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    batch: &str,
    reason: &str,
) -> Result<usize, StoreError> {
    let mut tx = store.begin_write().await?;
    let ids = reserved_ids(&mut tx, batch).await?;
    let mut audit = Appender::start(&mut tx, actor, at).await?;
    for (id, office_id) in &ids {
        cancel_row(&mut tx, &mut audit, *id, *office_id, reason).await?;
    }
    audit.commit(tx).await?;
    Ok(ids.len())
}

pub(crate) async fn cancel_row(
    tx: &mut Transaction<'static, Any>,
    audit: &mut Appender,
    id: i64,
    office_id: i64,
    reason: &str,
) -> Result<(), StoreError> {
    let note = if reason.trim().is_empty() {
        "ยกเลิก".to_string()
    } else {
        format!("ยกเลิก: {}", reason.trim())
    };
    sqlx::query("UPDATE register_entries SET status = 'cancelled', note = $1 WHERE id = $2")
        .bind(&note)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    audit
        .append(
            tx,
            Change {
                office_id: Some(office_id),
                action: "number.cancel",
                object: format!("register:{id}"),
                before: None,
                after: Some(note.as_bytes()),
            },
        )
        .await
}

/// One number of one series and year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Taken {
    pub series: Series,
    pub year_be: i32,
    pub seq: i64,
}

/// Cancels one issued number. It stays in the register marked ยกเลิก and is
/// never issued again; a document that carried it is cancelled with it.
pub async fn cancel_number(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    office: &Office,
    number: Taken,
    reason: &str,
) -> Result<(), StoreError> {
    let Taken {
        series,
        year_be,
        seq,
    } = number;
    let mut tx = store.begin_write().await?;
    let row = sqlx::query(
        "SELECT id, status, document_id FROM register_entries \
         WHERE office_id = $1 AND series = $2 AND year = $3 AND seq = $4",
    )
    .bind(office.id)
    .bind(series.key())
    .bind(i64::from(year_be))
    .bind(seq)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| {
        StoreError::rejected(
            format!("ไม่พบเลข {seq} ปี {year_be} ในทะเบียน{}", series.thai()),
            format!(
                "no number {seq} of {year_be} in the {} register",
                series.key()
            ),
        )
    })?;
    let id: i64 = row.try_get(0)?;
    let status: String = row.try_get(1)?;
    let document: Option<i64> = row.try_get(2)?;
    match status.as_str() {
        "cancelled" => {
            return Err(StoreError::rejected(
                "เลขนี้ยกเลิกไปแล้ว",
                "this number is already cancelled",
            ));
        }
        "reserved" => {
            return Err(StoreError::rejected(
                "เลขนี้อยู่ในชุดที่จองไว้ ให้ยกเลิกทั้งชุด",
                "this number is part of a reservation; cancel the whole reservation",
            ));
        }
        _ => {}
    }
    let mut audit = Appender::start(&mut tx, actor, at).await?;
    cancel_row(&mut tx, &mut audit, id, office.id, reason).await?;
    if let Some(doc) = document {
        super::documents::set_state_in(&mut tx, &mut audit, doc, "cancelled").await?;
    }
    audit.commit(tx).await?;
    Ok(())
}

/// Every register number of one series and year, in order: for checks that
/// a run is exactly 1..N.
pub async fn sequence(
    store: &Store,
    office_id: i64,
    series: Series,
    year_be: i32,
) -> Result<Vec<i64>, StoreError> {
    let rows = sqlx::query(
        "SELECT seq FROM register_entries WHERE office_id = $1 AND series = $2 AND year = $3 ORDER BY seq",
    )
    .bind(office_id)
    .bind(series.key())
    .bind(i64::from(year_be))
    .fetch_all(store.reader())
    .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

/// Continues a paper register: the next number `series` gives this year
/// will be `next`, numbers before it having been issued outside saraban
/// (an office that starts mid-year). Only before the year's first number.
pub async fn continue_from(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    office: &Office,
    series: Series,
    next: i64,
) -> Result<(), StoreError> {
    if !(2..=999_999_999).contains(&next) {
        return Err(StoreError::invalid(
            "next",
            "เลขถัดไปต้องมากกว่า ๑",
            "the next number must be above 1",
        ));
    }
    printed_number(office, series, 0, 1)?;
    let year_be = series_year(office.fields.year_basis, bangkok_date(at));
    let mut tx = store.begin_write().await?;
    let taken =
        sqlx::query("SELECT last FROM counters WHERE office_id = $1 AND series = $2 AND year = $3")
            .bind(office.id)
            .bind(series.key())
            .bind(i64::from(year_be))
            .fetch_optional(&mut *tx)
            .await?;
    if taken.is_some() {
        return Err(StoreError::rejected(
            format!("ปี {year_be} ออกเลขชุดนี้ไปแล้ว จึงตั้งเลขต่อจากทะเบียนกระดาษไม่ได้"),
            format!(
                "numbers were already issued in this series for {year_be}; a paper register can only be continued before the first"
            ),
        ));
    }
    let mut audit = Appender::start(&mut tx, actor, at).await?;
    bump(&mut tx, office.id, series, year_be, next - 1).await?;
    audit
        .append(
            &mut tx,
            Change {
                office_id: Some(office.id),
                action: "numbering.continue",
                object: format!("counter:{}:{}:{year_be}", office.id, series.key()),
                before: None,
                after: Some(format!("next {next}").as_bytes()),
            },
        )
        .await?;
    audit.commit(tx).await?;
    Ok(())
}

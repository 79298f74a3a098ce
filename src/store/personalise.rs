//! Mail-merge: one dispatched circular rendered as a personal letter for
//! each delivery, with the recipient as addressee and, on the letter's QR
//! response form, a link that carries the recipient's own token. The shared
//! body is laid out once; letters are rendered on several threads in chunks
//! (memory stays flat) and each chunk is stored in one transaction. A run
//! that stops part-way is resumed by running it again: only deliveries
//! without a letter are rendered.
//!
//! A letter with a reply form hosted by saraban (`replies`) already gave
//! each delivery its reply token at dispatch: that token is the one the QR
//! carries, and a letter without a QR annex gets one (`แบบตอบรับ`) in its
//! personal letters.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sqlx::Row;

use super::audit::Change;
use super::offices::{self, Office};
use super::{Actor, Store, StoreError, documents, sha256_hex};
use crate::model::{Form, Part, QrCode};
use crate::render::{self, RenderOptions, Renderer};

/// Letters rendered and stored per transaction.
const CHUNK: usize = 128;

/// A link template must say where the token goes.
pub const TOKEN: &str = "{token}";

fn check_template(template: &str) -> Result<(), StoreError> {
    let ok = (template.starts_with("https://") || template.starts_with("http://"))
        && template.contains(TOKEN)
        && !template.chars().any(char::is_whitespace);
    if ok {
        Ok(())
    } else {
        Err(StoreError::invalid(
            "url",
            "ลิงก์ต้องขึ้นต้นด้วย https:// และมี {token} ตรงที่ใส่รหัสของผู้รับ",
            "the link must start with https:// and contain {token} where the recipient's code goes",
        ))
    }
}

/// A token no one can guess from the others: 16 hex digits of SHA-256 over
/// the delivery and a per-process random key.
fn token(key: u64, delivery: i64) -> String {
    sha256_hex(format!("{key}:{delivery}").as_bytes())[..16].to_string()
}

fn render_err(e: impl std::fmt::Display) -> StoreError {
    StoreError::rejected("สร้างหนังสือรายบุคคลไม่สำเร็จ", format!("rendering failed: {e}"))
}

/// Renders and stores a personal letter for every delivery of `document_id`
/// that has none yet; `progress(done, total)` is called after each chunk.
/// Returns how many letters were made. Rendering blocks its thread
/// (`block_in_place`), so call it from a multi-threaded Tokio runtime.
#[allow(clippy::too_many_arguments)]
pub async fn personalise(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    acting: &Office,
    document_id: i64,
    url_template: &str,
    renderer: &Renderer,
    opts: &RenderOptions,
    signer: Option<&crate::sign::Signer>,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<usize, StoreError> {
    check_template(url_template)?;
    let doc = documents::get(store, document_id).await?;
    if doc.office_id != acting.id {
        return Err(StoreError::UnknownDocument(document_id));
    }
    let rows = sqlx::query(
        "SELECT id, to_office, token FROM deliveries WHERE document_id = $1 AND letter_pdf IS NULL ORDER BY id",
    )
    .bind(document_id)
    .fetch_all(store.reader())
    .await?;
    if rows.is_empty() {
        let sent: i64 = sqlx::query("SELECT COUNT(*) FROM deliveries WHERE document_id = $1")
            .bind(document_id)
            .fetch_one(store.reader())
            .await?
            .try_get(0)?;
        if sent == 0 {
            return Err(StoreError::rejected(
                "ต้องส่งหนังสือก่อนจึงจะทำหนังสือรายบุคคลได้",
                "dispatch the letter before personalising it",
            ));
        }
        return Ok(0);
    }
    let mut todo = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: i64 = row.try_get(0)?;
        let office = offices::get(store, row.try_get(1)?).await?;
        let token: Option<String> = row.try_get(2)?;
        todo.push((
            id,
            super::cover::addressee(std::slice::from_ref(&office)),
            token,
        ));
    }
    let mut content = doc.content.clone();
    if super::replies::form(store, document_id).await?.is_some()
        && !content.annexes.iter().any(|p| matches!(p, Part::Form(_)))
    {
        content.annexes.push(Part::Form(Form {
            title: "แบบตอบรับ".into(),
            lines: vec![doc.subject.clone()],
            session: None,
            venue: Vec::new(),
            codes: vec![QrCode {
                caption: "สแกนเพื่อตอบแบบตอบรับของหน่วยงานท่าน".into(),
                url: url_template.replace(TOKEN, "0"),
            }],
        }));
    }
    let prepared = renderer.prepare(&content).map_err(render_err)?;
    let first = renderer.layout(&prepared, None, opts).map_err(render_err)?;
    let base = prepared.recipient().clone();
    let form_part: Option<String> = base
        .as_object()
        .and_then(|o| o.iter().find(|(_, v)| v.get("codes").is_some()))
        .map(|(k, _)| k.clone());
    let key = RandomState::new().hash_one(document_id);
    let total = todo.len();
    let mut done = 0;
    for chunk in todo.chunks(CHUNK) {
        let letters = blocking(|| {
            render_chunk(
                renderer,
                &prepared,
                &first,
                opts,
                &base,
                form_part.as_deref(),
                chunk,
                key,
                url_template,
                signer.map(|s| (s, at, acting.fields.name.as_str())),
            )
        })?;
        let (mut tx, mut audit) = store.begin_audited(actor, at).await?;
        for (id, token, pdf) in &letters {
            sqlx::query(
                "UPDATE deliveries SET token = $1, letter_pdf = $2, letter_sha256 = $3 WHERE id = $4",
            )
            .bind(token)
            .bind(pdf.as_slice())
            .bind(sha256_hex(pdf))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        for (id, _, pdf) in &letters {
            audit
                .append(
                    &mut tx,
                    Change {
                        office_id: Some(acting.id),
                        action: "delivery.personalise",
                        object: format!("delivery:{id}"),
                        before: None,
                        after: Some(pdf),
                    },
                )
                .await?;
        }
        audit.commit(tx).await?;
        done += letters.len();
        progress(done, total);
    }
    Ok(done)
}

type Letter = (i64, String, Vec<u8>);

/// Runs `f`, which blocks, off the async scheduler when the runtime has
/// threads to spare; a single-threaded runtime (a test) just runs it.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        _ => f(),
    }
}

#[allow(clippy::too_many_arguments)]
fn render_chunk(
    renderer: &Renderer,
    prepared: &render::Prepared,
    first: &render::Laidout,
    opts: &RenderOptions,
    base: &Value,
    form_part: Option<&str>,
    chunk: &[(i64, String, Option<String>)],
    key: u64,
    url_template: &str,
    sign: Option<(&crate::sign::Signer, DateTime<Utc>, &str)>,
) -> Result<Vec<Letter>, StoreError> {
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(chunk.len());
    let next = AtomicUsize::new(0);
    let results: Vec<Result<Vec<(usize, Letter)>, StoreError>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some((id, to, given)) = chunk.get(i) else {
                            return Ok(out);
                        };
                        let token = given.clone().unwrap_or_else(|| token(key, *id));
                        let mut overlay = base.clone();
                        overlay["0"]["to"] = json!(prepared.text(to));
                        if let Some(part) = form_part {
                            let url = url_template.replace(TOKEN, &token);
                            let svg = render::qr::qr_svg(&url).map_err(render_err)?;
                            overlay[part]["codes"][0]["url"] = json!(url);
                            overlay[part]["codes"][0]["svg"] = json!(svg);
                        }
                        let laid = renderer
                            .layout_like(prepared, Some(&overlay), opts, first)
                            .map_err(render_err)?;
                        let mut pdf = render::pdf(&laid, opts).map_err(render_err)?;
                        // Each office's personal letter is signed like the
                        // official copy: it is what that office received.
                        if let Some((signer, when, office)) = sign {
                            pdf = signer
                                .sign_pdf(&pdf, when, "หนังสือราชการ (personal letter)", office)
                                .map_err(|e| {
                                    StoreError::rejected("ลงลายมือชื่อไม่สำเร็จ", e.english())
                                })?;
                        }
                        out.push((i, (*id, token, pdf)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("render thread"))
            .collect()
    });
    let mut all = Vec::with_capacity(chunk.len());
    for r in results {
        all.extend(r?);
    }
    all.sort_by_key(|(i, _)| *i);
    Ok(all.into_iter().map(|(_, l)| l).collect())
}

/// A delivery's personal letter, for the office it was sent to.
pub async fn letter(store: &Store, acting: &Office, delivery: i64) -> Result<Vec<u8>, StoreError> {
    let row = sqlx::query(
        "SELECT letter_pdf FROM deliveries WHERE id = $1 AND (to_office = $2 OR from_office = $2)",
    )
    .bind(delivery)
    .bind(acting.id)
    .fetch_optional(store.reader())
    .await?
    .ok_or(StoreError::UnknownDelivery(delivery))?;
    let pdf: Option<Vec<u8>> = row.try_get(0)?;
    pdf.ok_or_else(|| {
        StoreError::rejected(
            "รายการนี้ไม่มีหนังสือรายบุคคล",
            "this delivery has no personal letter",
        )
    })
}

//! Documents: drafting, numbering, cancelling, the official copy, previews,
//! attachments, references, the thread and tracking, and search. Every
//! read goes through the visibility rule; every change checks the role and
//! that the document is the caller's office's own.

use std::sync::Arc;

use serde::Deserialize;

use super::error::{AppError, AppResult, Kind};
use super::previews::{self, PreviewCache};
use super::{
    Action, App, Attachment, AttachmentId, Caller, DocState, DocumentId, Node, Series, Stored,
    Tracking, UserId, input,
};
use crate::docnum::DocNumber;
use crate::model::{Document, Secrecy, Urgency};
use crate::render::RenderOptions;
use crate::store::documents::{self, Reference, Target};
use crate::store::{accounts, graph, search, tracking};

/// Refuses a ลับที่สุด document: it never enters e-saraban.
pub fn refuse_top_secret(doc: &Document) -> AppResult<()> {
    if search::secrecy_of(doc) == Some(Secrecy::TopSecret) {
        return Err(AppError::top_secret());
    }
    Ok(())
}

/// Reads a document (the render input) from JSON.
pub fn document_from_json(value: &serde_json::Value) -> AppResult<Document> {
    Ok(Document::from_json(&value.to_string())?)
}

/// The search parameters, as both the API and the search page take them.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct SearchParams {
    pub q: Option<String>,
    pub number: Option<String>,
    pub kind: Option<String>,
    pub urgency: Option<String>,
    pub issuer: Option<String>,
    pub recipient: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Only the caller's office's own documents.
    pub own: Option<bool>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// How many of the newest matches a search ranks (exact number, then
/// subject phrase) before listing them.
const RANKED: usize = 100;

const KINDS: [&str; 8] = [
    "letter",
    "memo",
    "order",
    "announcement",
    "sealed",
    "schedule",
    "project",
    "form",
];

impl SearchParams {
    fn query(&self) -> AppResult<search::Query> {
        let urgency = match input::optional(self.urgency.as_deref()) {
            None => None,
            Some(u) => Some(
                serde_json::from_value::<Urgency>(serde_json::json!(u))
                    .ok()
                    .or_else(|| Urgency::from_thai_prefix(u).map(|x| x.0))
                    .ok_or_else(|| {
                        AppError::invalid(
                            "urgency",
                            "ชั้นความเร็วต้องเป็น urgent, very_urgent หรือ most_urgent",
                            "urgency must be urgent, very_urgent or most_urgent",
                        )
                    })?,
            ),
        };
        let text = [self.q.as_deref(), self.number.as_deref()]
            .into_iter()
            .flatten()
            .filter(|t| !t.trim().is_empty())
            .collect::<Vec<_>>();
        let kind = input::optional(self.kind.as_deref()).map(str::to_string);
        if let Some(k) = &kind
            && !KINDS.contains(&k.as_str())
        {
            return Err(AppError::invalid(
                "kind",
                "ชนิดหนังสือไม่ถูกต้อง",
                format!("kind must be one of {}", KINDS.join(", ")),
            ));
        }
        Ok(search::Query {
            text: (!text.is_empty()).then(|| text.join(" ")),
            number: None,
            kind,
            urgency,
            issuer: self.issuer.clone(),
            recipient: self.recipient.clone(),
            from: input::optional_date("from", self.from.as_deref())?,
            to: input::optional_date("to", self.to.as_deref())?,
            own_only: self.own.unwrap_or(false),
            limit: self.limit.unwrap_or(50),
            offset: self.offset.unwrap_or(0),
        })
    }
}

/// What to number a draft as.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct NumberRequest {
    /// normal, circular (ว), order, announcement; by default the kind's own.
    pub series: Option<String>,
    /// The addressee as the send register records it.
    pub to: Option<String>,
    /// The letter's date (B.E. or C.E.); by default the day it is numbered.
    pub date: Option<String>,
}

/// A file as an entry point received it.
pub struct Upload<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
}

/// A file to hand out: always as a download.
pub struct Download {
    pub name: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

/// Pages of an attachment read in chunks of this size, so a download
/// never holds the whole file.
pub const CHUNK: i64 = 256 * 1024;

/// An attachment to stream: what it is, and where to read it from.
pub struct AttachmentStream {
    pub attachment: Attachment,
    pub chunks: crate::store::documents::Chunks,
}

impl App {
    /// Document `id` if the caller may see it; otherwise not found.
    pub async fn document(&self, c: &Caller, id: DocumentId) -> AppResult<Stored> {
        Ok(search::visible(self.store(), &c.viewer(), id.0).await?)
    }

    /// Document `id` if it is the caller's office's own; otherwise not found.
    pub async fn own_document(&self, c: &Caller, id: DocumentId) -> AppResult<Stored> {
        let d = self.document(c, id).await?;
        if d.office_id != c.office.id {
            return Err(AppError::not_found());
        }
        Ok(d)
    }

    /// Stores a draft; a secret one with its named readers (the author
    /// always), in the same transaction.
    pub async fn create_draft(
        &self,
        c: &Caller,
        doc: &Document,
        readers: &[String],
    ) -> AppResult<Stored> {
        c.may(Action::Draft)?;
        refuse_top_secret(doc)?;
        let readers = if search::secrecy_of(doc).is_some() {
            self.reader_ids(c, readers).await?
        } else {
            Vec::new()
        };
        Ok(
            documents::create_draft_read_by(self.store(), &c.actor(), &c.office, doc, &readers)
                .await?,
        )
    }

    /// The users who may read a secret draft: the author, and users of the
    /// same office named by user name. An unknown name and a name in
    /// another office get the same answer, so user names do not leak.
    async fn reader_ids(&self, c: &Caller, names: &[String]) -> AppResult<Vec<i64>> {
        let mut ids: Vec<i64> = c.user_ref().map(|u| u.id).into_iter().collect();
        for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
            match accounts::find(self.store(), name).await? {
                Some(u) if u.office_id == c.office.id && u.active => ids.push(u.id),
                _ => {
                    return Err(AppError::invalid(
                        "readers",
                        format!("ผู้อ่านหนังสือลับต้องเป็นผู้ใช้ของส่วนราชการนี้ (“{name}”)"),
                        format!(
                            "readers of a secret letter must be users of this office (“{name}”)"
                        ),
                    ));
                }
            }
        }
        ids.dedup();
        Ok(ids)
    }

    /// Replaces a draft's content. Once numbered a document is frozen.
    pub async fn update_draft(
        &self,
        c: &Caller,
        id: DocumentId,
        doc: &Document,
    ) -> AppResult<Stored> {
        c.may(Action::Draft)?;
        let old = self.own_document(c, id).await?;
        refuse_top_secret(doc)?;
        if old.state != DocState::Draft {
            return Err(AppError::new(
                Kind::Conflict,
                "frozen",
                format!("หนังสือ{}แล้วแก้ไขไม่ได้ ให้ยกเลิกหรือออกฉบับแทนที่", old.state.thai()),
                format!(
                    "a {} document cannot be edited; cancel it or issue a replacement",
                    old.state.key()
                ),
            ));
        }
        Ok(documents::update(self.store(), &c.actor(), id.0, doc).await?)
    }

    /// Deletes a draft (never a numbered document: its number is in the
    /// register).
    pub async fn delete_draft(&self, c: &Caller, id: DocumentId) -> AppResult<()> {
        c.may(Action::Draft)?;
        self.own_document(c, id).await?;
        self.may_delete_draft(c, id.0).await?;
        Ok(documents::delete_draft(self.store(), &c.actor(), id.0).await?)
    }

    /// Numbers a draft in its series and freezes it.
    pub async fn number(
        &self,
        c: &Caller,
        id: DocumentId,
        req: &NumberRequest,
    ) -> AppResult<(Stored, String)> {
        c.may(Action::Number)?;
        let d = self.own_document(c, id).await?;
        if d.state == DocState::Draft {
            self.require_signature(c, id.0).await?;
        }
        let series = input::series(req.series.as_deref())?.or(default_series(&d.content));
        let to = input::optional(req.to.as_deref())
            .map(str::to_string)
            .unwrap_or_else(|| search::recipient_of(&d.content).to_string());
        let date = input::optional_date("date", req.date.as_deref())?.unwrap_or(c.today());
        let (stored, issued) = documents::number(
            self.store(),
            &c.actor(),
            c.now,
            id.0,
            series,
            &to,
            Some(date),
        )
        .await?;
        // The official copy is made now, once: PDF/A, the verification QR,
        // signed. Numbering stands if this fails; the copy is then made on
        // first request.
        if let Err(e) = self.official_copy(c, id.0).await {
            tracing::error!(document = id.0, error = %e, "official copy not made at numbering");
        }
        Ok((stored, issued.printed))
    }

    /// The next number of each series the office can number in, the
    /// document's own first: (series, printed next number, is default).
    pub async fn number_options(
        &self,
        c: &Caller,
        id: DocumentId,
    ) -> AppResult<(Stored, Vec<(Series, String, bool)>)> {
        c.may(Action::Number)?;
        let d = self.own_document(c, id).await?;
        let default = default_series(&d.content).unwrap_or(Series::Normal);
        let mut options = Vec::new();
        for s in [
            Series::Normal,
            Series::Circular,
            Series::Order,
            Series::Announcement,
        ] {
            if let Ok((_, _, printed)) =
                crate::store::numbering::peek(self.store(), c.now, &c.office, s).await
            {
                options.push((s, printed, s == default));
            }
        }
        if options.is_empty() {
            return Err(
                crate::store::StoreError::NoLetterCode(c.office.fields.name.clone()).into(),
            );
        }
        Ok((d, options))
    }

    /// Cancels a document; its number stays in the register as ยกเลิก.
    pub async fn cancel(&self, c: &Caller, id: DocumentId, reason: &str) -> AppResult<Stored> {
        c.may(Action::Cancel)?;
        let reason = input::reason(reason)?;
        self.own_document(c, id).await?;
        Ok(documents::cancel(self.store(), &c.actor(), c.now, id.0, reason).await?)
    }

    /// The PDF of a document the caller may see: the official copy once
    /// numbered (made once, then always the stored bytes, checked against
    /// their SHA-256), the current rendering of a draft.
    pub async fn pdf(&self, c: &Caller, id: DocumentId) -> AppResult<Download> {
        let d = self.document(c, id).await?;
        let bytes = self.pdf_of(c, &d).await?;
        Ok(Download {
            name: format!(
                "{}.pdf",
                d.number
                    .clone()
                    .unwrap_or_else(|| format!("draft-{}", d.id))
            ),
            media_type: "application/pdf".into(),
            bytes,
        })
    }

    /// The PDF of a document already found visible.
    pub(crate) async fn pdf_of(&self, c: &Caller, d: &Stored) -> AppResult<Vec<u8>> {
        match d.state {
            DocState::Numbered | DocState::Sent => Ok(self.official_copy(c, d.id).await?.pdf),
            _ => {
                let signed_by = self.signed_by(d.id).await?;
                self.render_pdf_signed(d.office_id, d.content.clone(), signed_by)
                    .await
            }
        }
    }

    /// Who signed draft `id` inside the office: their signature image goes
    /// above the typed name, whatever name they typed.
    pub(crate) async fn signed_by(&self, id: i64) -> AppResult<Option<UserId>> {
        Ok(crate::store::workflow::signed_by(self.store(), id)
            .await?
            .map(UserId))
    }

    /// The official copy of document `id`, for the CLI (`doc official`).
    pub async fn official(&self, c: &Caller, id: DocumentId) -> AppResult<(Vec<u8>, String)> {
        self.document(c, id).await?;
        let copy = self.official_copy(c, id.0).await?;
        Ok((copy.pdf, copy.sha256))
    }

    /// Renders a document of office `office_id` to PDF on a blocking
    /// thread, with its signers' signature images.
    pub async fn render_pdf(&self, office_id: i64, doc: Document) -> AppResult<Vec<u8>> {
        self.render_pdf_signed(office_id, doc, None).await
    }

    /// [`App::render_pdf`], the main part signed by user `signed_by`.
    async fn render_pdf_signed(
        &self,
        office_id: i64,
        doc: Document,
        signed_by: Option<UserId>,
    ) -> AppResult<Vec<u8>> {
        let opts = RenderOptions {
            signatures: self.signature_images(office_id, &doc, signed_by).await?,
            ..RenderOptions::default()
        };
        self.rendering(move |r| Ok(r.render_pdf(&doc, &opts)?))
            .await
    }

    /// Page `page` (from 1) of a document the caller may see, as PNG.
    pub async fn page_png(
        &self,
        c: &Caller,
        id: DocumentId,
        page: usize,
        dpi: f32,
    ) -> AppResult<Vec<u8>> {
        let d = self.document(c, id).await?;
        let signed_by = self.signed_by(d.id).await?;
        self.render_png_signed(d.office_id, d.content, page, dpi, signed_by)
            .await
    }

    /// A preview of a document that is not stored: page 1 as PNG, or the
    /// whole PDF. Nothing is kept.
    pub async fn preview(
        &self,
        c: &Caller,
        doc: Document,
        page: usize,
        dpi: f32,
        as_pdf: bool,
    ) -> AppResult<Vec<u8>> {
        c.may(Action::Read)?;
        refuse_top_secret(&doc)?;
        if as_pdf {
            self.render_pdf(c.office.id, doc).await
        } else {
            self.render_png(c.office.id, doc, page, dpi).await
        }
    }

    /// Every page of a document that is not stored, as PNG at `dpi` (the
    /// live preview shows them all); each page is cached, so asking for
    /// one of them next with [`App::preview`] does not lay it out again.
    pub async fn preview_pages(
        &self,
        c: &Caller,
        doc: Document,
        dpi: f32,
    ) -> AppResult<Vec<Vec<u8>>> {
        c.may(Action::Read)?;
        refuse_top_secret(&doc)?;
        let dpi = dpi.clamp(30.0, 200.0);
        let opts = RenderOptions {
            signatures: self.signature_images(c.office.id, &doc, None).await?,
            ..RenderOptions::default()
        };
        let first = PreviewCache::key(&doc, &opts.signatures, 1, dpi);
        let keys_doc = doc.clone();
        let sigs = opts.signatures.clone();
        let pages = self
            .rendering(move |renderer| {
                let prepared = renderer.prepare(&doc)?;
                let laid = renderer.layout(&prepared, None, &opts)?;
                Ok(crate::render::png_pages(&laid, dpi))
            })
            .await?;
        for (i, png) in pages.iter().enumerate() {
            let key = if i == 0 {
                first
            } else {
                PreviewCache::key(&keys_doc, &sigs, i + 1, dpi)
            };
            self.previews.put(key, Arc::new(png.clone()));
        }
        Ok(pages)
    }

    /// Page `page` (from 1) of a document of office `office_id` as PNG at
    /// `dpi`, with its signers' signature images; from the cache when this
    /// content and these images were rendered before.
    pub async fn render_png(
        &self,
        office_id: i64,
        doc: Document,
        page: usize,
        dpi: f32,
    ) -> AppResult<Vec<u8>> {
        self.render_png_signed(office_id, doc, page, dpi, None)
            .await
    }

    async fn render_png_signed(
        &self,
        office_id: i64,
        doc: Document,
        page: usize,
        dpi: f32,
        signed_by: Option<UserId>,
    ) -> AppResult<Vec<u8>> {
        let page = page.max(1);
        let dpi = dpi.clamp(30.0, 200.0);
        let opts = RenderOptions {
            signatures: self.signature_images(office_id, &doc, signed_by).await?,
            ..RenderOptions::default()
        };
        let key = PreviewCache::key(&doc, &opts.signatures, page, dpi);
        if let Some(png) = self.previews.get(&key) {
            return Ok(png.as_ref().clone());
        }
        let doc = previews::for_page(doc, page);
        let png = self
            .rendering(move |renderer| {
                let prepared = renderer.prepare(&doc)?;
                let laid = renderer.layout(&prepared, None, &opts)?;
                crate::render::png_page(&laid, page - 1, dpi)
                    .ok_or_else(|| AppError::invalid("page", "ไม่มีหน้านี้", "no such page"))
            })
            .await?;
        self.previews.put(key, Arc::new(png.clone()));
        Ok(png)
    }

    /// The attachments of a document the caller may see.
    pub async fn attachments(&self, c: &Caller, id: DocumentId) -> AppResult<Vec<Attachment>> {
        self.document(c, id).await?;
        Ok(documents::attachments(self.store(), id.0).await?)
    }

    /// Attaches a file to the caller's own unsent document. The type is
    /// what the bytes are (sniffed), never what the sender claims, and
    /// only types that cannot run in a browser are taken.
    pub async fn attach(
        &self,
        c: &Caller,
        id: DocumentId,
        file: Upload<'_>,
    ) -> AppResult<Attachment> {
        c.may(Action::Draft)?;
        self.own_document(c, id).await?;
        let media_type = sniff(file.name, file.bytes)?;
        Ok(documents::attach(
            self.store(),
            &c.actor(),
            id.0,
            file.name.trim(),
            media_type,
            file.bytes,
        )
        .await?)
    }

    /// Attaches several files to the caller's own unsent document in one
    /// transaction: all of them, or none when one is refused.
    pub async fn attach_many(
        &self,
        c: &Caller,
        id: DocumentId,
        files: &[Upload<'_>],
    ) -> AppResult<Vec<Attachment>> {
        c.may(Action::Draft)?;
        self.own_document(c, id).await?;
        if files.is_empty() {
            return Err(AppError::invalid("file", "กรุณาเลือกไฟล์", "choose a file"));
        }
        let mut typed = Vec::with_capacity(files.len());
        for f in files {
            typed.push(documents::NewAttachment {
                name: f.name.trim(),
                media_type: sniff(f.name, f.bytes)?,
                bytes: f.bytes,
            });
        }
        Ok(documents::attach_all(self.store(), &c.actor(), id.0, &typed).await?)
    }

    /// Removes a file from the caller's own unsent document.
    pub async fn detach(
        &self,
        c: &Caller,
        id: DocumentId,
        aid: AttachmentId,
    ) -> AppResult<Attachment> {
        c.may(Action::Draft)?;
        self.own_document(c, id).await?;
        Ok(documents::detach(self.store(), &c.actor(), id.0, aid.0).await?)
    }

    /// The first page of an attachment of a document the caller may see,
    /// as a PNG: a PDF's first page or a photo, at `dpi`; other files have
    /// none (404).
    pub async fn attachment_preview(
        &self,
        c: &Caller,
        id: DocumentId,
        aid: AttachmentId,
        dpi: f32,
    ) -> AppResult<Vec<u8>> {
        self.document(c, id).await?;
        let attachment = documents::attachments(self.store(), id.0)
            .await?
            .into_iter()
            .find(|x| x.id == aid.0)
            .ok_or_else(AppError::not_found)?;
        let kind = match attachment.media_type.as_str() {
            "application/pdf" => "pdf",
            "image/png" => "png",
            "image/jpeg" => "jpg",
            _ => return Err(AppError::not_found()),
        };
        let bytes = documents::attachment_bytes(self.store(), aid.0).await?;
        let dpi = dpi.clamp(20.0, 150.0);
        self.rendering(move |renderer| {
            let original = if kind == "pdf" {
                let sizes = crate::intake::raster::pdf_page_sizes(&bytes).map_err(|e| {
                    AppError::invalid("attachment", "อ่านไฟล์ PDF ไม่ได้", e.to_string())
                })?;
                let first = sizes.into_iter().take(1).collect();
                crate::render::stamp::Original::Pdf(&bytes, first)
            } else {
                crate::render::stamp::Original::Image(&bytes, kind)
            };
            Ok(renderer.first_page_png(&original, dpi)?)
        })
        .await
    }

    /// One attachment of a document the caller may see, to stream.
    pub async fn attachment(
        &self,
        c: &Caller,
        id: DocumentId,
        aid: AttachmentId,
    ) -> AppResult<AttachmentStream> {
        self.document(c, id).await?;
        let attachment = documents::attachments(self.store(), id.0)
            .await?
            .into_iter()
            .find(|x| x.id == aid.0)
            .ok_or_else(AppError::not_found)?;
        let chunks = documents::Chunks::new(self.store().clone(), aid.0, attachment.size, CHUNK);
        Ok(AttachmentStream { attachment, chunks })
    }

    /// What a document cites and what cites it, among what the caller may
    /// see.
    pub async fn references(
        &self,
        c: &Caller,
        id: DocumentId,
    ) -> AppResult<(Vec<Reference>, Vec<Reference>)> {
        self.document(c, id).await?;
        let cites = documents::references_from(self.store(), id.0).await?;
        let cited_by = documents::references_to(self.store(), id.0).await?;
        let mut ids: Vec<i64> = cites
            .iter()
            .filter_map(|r| match r.target {
                Target::Stored(t) => Some(t),
                Target::External { .. } => None,
            })
            .chain(cited_by.iter().map(|r| r.from))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let seen = search::visible_ids(self.store(), &c.viewer(), &ids).await?;
        let cites = cites
            .into_iter()
            .filter(|r| match r.target {
                Target::Stored(t) => seen.contains(&t),
                Target::External { .. } => true,
            })
            .collect();
        let cited_by = cited_by
            .into_iter()
            .filter(|r| seen.contains(&r.from))
            .collect();
        Ok((cites, cited_by))
    }

    /// The thread a document belongs to, oldest first: every letter linked
    /// to it by citations. Letters the caller may not see appear only as the
    /// number and date they are cited by, and the thread does not go on
    /// through them.
    pub async fn thread(&self, c: &Caller, id: DocumentId) -> AppResult<(Stored, Vec<Node>)> {
        let d = self.document(c, id).await?;
        let Some(number) = d.number.as_deref().and_then(|n| DocNumber::parse(n).ok()) else {
            return Ok((d, Vec::new()));
        };
        let nodes = graph::lookup(self.store(), &number, d.date).await?;
        let Some(start) = nodes.into_iter().next() else {
            return Ok((d, Vec::new()));
        };
        let thread = graph::thread_seen_by(self.store(), &start, 100, Some(&c.viewer())).await?;
        Ok((d, thread))
    }

    /// Tracking of a cascade, for its issuer and the offices down it.
    pub async fn tracking(&self, c: &Caller, id: DocumentId) -> AppResult<Tracking> {
        self.document(c, id).await?;
        Ok(tracking::track(self.store(), id.0, c.today()).await?)
    }

    /// Documents the caller may see, every word of `q` required, best
    /// first: a letter whose number is the query, then those whose subject
    /// is the query or holds it as a phrase, then the rest newest first.
    ///
    /// Ranking looks at the newest [`RANKED`] matches (and at every letter
    /// with the exact number, however old); pages past them stay newest
    /// first.
    pub async fn search(&self, c: &Caller, params: &SearchParams) -> AppResult<Vec<Stored>> {
        c.may(Action::Read)?;
        let q = params.query()?;
        let viewer = c.viewer();
        let Some(phrase) = q.text.clone() else {
            return Ok(search::search(self.store(), &viewer, &q).await?);
        };
        let wanted = q.limit.clamp(1, 200) as usize;
        let offset = q.offset.max(0) as usize;
        if offset + wanted > RANKED {
            return self.matching(&viewer, q).await;
        }
        let number = DocNumber::parse(phrase.trim())
            .ok()
            .map(|n| n.format(crate::thai::Digits::Arabic));
        let mut exact = match &number {
            Some(n) => {
                let only = search::Query {
                    text: None,
                    number: Some(n.clone()),
                    limit: 20,
                    offset: 0,
                    ..q.clone()
                };
                search::search(self.store(), &viewer, &only).await?
            }
            None => Vec::new(),
        };
        let window = search::Query {
            limit: RANKED as i64,
            offset: 0,
            ..q
        };
        let mut rest = self.matching(&viewer, window).await?;
        rest.retain(|d| !exact.iter().any(|e| e.id == d.id));
        let wanted_phrase = search::normalize(&phrase);
        // A stable sort keeps each rank newest first.
        rest.sort_by_key(|d| {
            let subject = search::normalize(&d.subject);
            if subject == wanted_phrase {
                0
            } else if subject.contains(&wanted_phrase) {
                1
            } else {
                2
            }
        });
        exact.extend(rest);
        Ok(exact.into_iter().skip(offset).take(wanted).collect())
    }

    /// Documents matching `q`, newest first; a query of several words
    /// (not one number) needs every word.
    async fn matching(
        &self,
        viewer: &search::Viewer,
        mut q: search::Query,
    ) -> AppResult<Vec<Stored>> {
        let words: Vec<String> = q
            .text
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .map(search::normalize)
            .filter(|w| !w.is_empty())
            .collect();
        let whole = q.text.clone().unwrap_or_default();
        // A number's parts are one word when the whole query is a number.
        if words.len() <= 1 || DocNumber::parse(&whole).is_ok() {
            return Ok(search::search(self.store(), viewer, &q).await?);
        }
        q.text = words.iter().max_by_key(|w| w.chars().count()).cloned();
        let wanted = q.limit.clamp(1, 200) as usize;
        let offset = q.offset.max(0) as usize;
        q.limit = 200;
        q.offset = 0;
        let found = search::search(self.store(), viewer, &q).await?;
        Ok(found
            .into_iter()
            .filter(|d| {
                let t = search::text_of(&d.content, d.number.as_deref());
                words.iter().all(|w| t.contains(w.as_str()))
            })
            .skip(offset)
            .take(wanted)
            .collect())
    }

    /// [`App::search`], each document with the letter that replaced it.
    pub async fn search_listed(
        &self,
        c: &Caller,
        params: &SearchParams,
    ) -> AppResult<Vec<super::official::Listed>> {
        let docs = self.search(c, params).await?;
        self.listed(c, docs).await
    }
}

/// The media types an attachment may have, by what its bytes are: PDF,
/// images, office documents and plain text. Everything a browser could
/// run (HTML, SVG, XHTML, scripts) is refused.
pub fn sniff(name: &str, bytes: &[u8]) -> AppResult<&'static str> {
    const ALLOWED: [&str; 16] = [
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/tiff",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/zip",
    ];
    if let Some(t) = infer::get(bytes) {
        let mime = t.mime_type();
        if let Some(ok) = ALLOWED.iter().find(|a| **a == mime) {
            return Ok(ok);
        }
        // Old Office files are one container format: name them by extension.
        if mime == "application/x-ole-storage" {
            let lower = name.to_lowercase();
            for (ext, ty) in [
                (".doc", "application/msword"),
                (".xls", "application/vnd.ms-excel"),
                (".ppt", "application/vnd.ms-powerpoint"),
            ] {
                if lower.ends_with(ext) {
                    return Ok(ty);
                }
            }
        }
        return Err(unsupported(mime));
    }
    // Plain text: UTF-8 without control bytes, and nothing a browser
    // would take for markup.
    if let Ok(text) = std::str::from_utf8(bytes) {
        let head: String = text.chars().take(1024).collect::<String>().to_lowercase();
        let markup = [
            "<html",
            "<!doctype",
            "<script",
            "<svg",
            "<?xml",
            "<body",
            "<iframe",
        ]
        .iter()
        .any(|m| {
            head.trim_start_matches('\u{feff}')
                .trim_start()
                .starts_with(m)
                || head.contains(m)
        });
        let control = text
            .chars()
            .any(|ch| ch.is_control() && !matches!(ch, '\n' | '\r' | '\t' | '\u{c}'));
        if !markup && !control {
            return Ok(if name.to_lowercase().ends_with(".csv") {
                "text/csv"
            } else {
                "text/plain"
            });
        }
    }
    Err(unsupported("unknown"))
}

fn unsupported(what: &str) -> AppError {
    AppError::new(
        Kind::Invalid,
        "unsupported_media_type",
        "แนบได้เฉพาะไฟล์ PDF รูปภาพ เอกสารสำนักงาน หรือข้อความล้วน",
        format!(
            "only PDF, images, office documents and plain text may be attached (this is {what})"
        ),
    )
    .on("attachment")
}

/// The series a document is numbered in when the caller names none (UI,
/// API and CLI alike): a circular letter (หนังสือเวียน) its `ว` series,
/// otherwise its kind's own.
pub fn default_series(doc: &Document) -> Option<Series> {
    match &doc.main {
        crate::model::Part::Letter(l) if l.circular => Some(Series::Circular),
        _ => documents::default_series(doc),
    }
}

#[cfg(test)]
mod tests {
    use super::sniff;

    #[test]
    fn attachments_are_typed_by_their_bytes() {
        assert_eq!(sniff("a.pdf", b"%PDF-1.7\n...").unwrap(), "application/pdf");
        assert_eq!(
            sniff(
                "x.png",
                &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]
            )
            .unwrap(),
            "image/png"
        );
        assert_eq!(
            sniff("notes.txt", "บันทึก\nline".as_bytes()).unwrap(),
            "text/plain"
        );
        for (name, bytes) in [
            ("a.pdf", &b"<html><script>alert(1)</script></html>"[..]),
            (
                "a.svg",
                b"<svg xmlns='http://www.w3.org/2000/svg' onload='x()'/>",
            ),
            (
                "a.xhtml",
                b"<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'/>",
            ),
            ("a.txt", b"\xef\xbb\xbf<!DOCTYPE html><p>hi"),
            ("a.bin", b"\x00\x01\x02binary"),
        ] {
            assert!(sniff(name, bytes).is_err(), "{name} accepted");
        }
    }
}

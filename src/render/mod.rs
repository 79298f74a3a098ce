//! Rendering documents to PDF and PNG with Typst.
//!
//! `view` turns a typed [`Document`] into JSON the templates print; `world`
//! is the seam to Typst; `breaks` and `text_layer` control Thai line breaks
//! without letting the control marks into the text layer; `pages` reads the
//! laid-out pages back (continuation words, the line checker); `splice`
//! re-sets only a recipient's fields for another recipient of a letter.

pub mod breaks;
pub mod check;
pub mod fonts;
pub mod pages;
pub mod qr;
pub mod sheet;
pub mod splice;
pub mod stamp;
pub mod text_layer;
pub mod view;
pub mod world;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use serde_json::Value;
use typst::foundations::{Bytes, Datetime};
use typst::syntax::FileId;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use crate::model::{Document, FieldError};
use world::{Typesetter, file_id};

/// Typst's `today` for a document without a date of its own.
const UNDATED: NaiveDate = NaiveDate::from_ymd_opt(2000, 1, 1).expect("a valid date");

/// Visible characters of a last paragraph that surely fits two lines.
const SHORT_LAST_PARAGRAPH: usize = 100;

/// Continuation words converge in two compiles in practice, ragged
/// paragraphs in one or two more; never loop more than this.
const MAX_COMPILES: usize = 6;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    Field(#[from] FieldError),
    #[error(transparent)]
    Fonts(#[from] fonts::FontError),
    #[error("จัดหน้าเอกสารไม่สำเร็จ (layout failed): {0}")]
    Typst(String),
    #[error("สร้าง PDF ไม่สำเร็จ (PDF export failed): {0}")]
    Pdf(String),
}

/// Options for one render.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// PDF/A-2b for archiving.
    pub pdfa: bool,
    /// The organisation's emblem (PNG, JPEG or SVG bytes); a dashed frame
    /// stands in its place on drafts when absent.
    pub emblem: Option<Vec<u8>>,
    /// An official copy: the dashed placeholder for a missing emblem is a
    /// drafting aid and never prints on one (the space stays empty).
    pub official: bool,
    /// An official copy's verification: a small QR code with its short
    /// code at the foot of the first page, and the code in the PDF's
    /// keywords (so `saraban verify` can tell an altered copy).
    pub verification: Option<Verification>,
    /// Signature images, each printed above the typed name of the signer
    /// it belongs to (and nowhere else).
    pub signatures: Vec<SignatureImage>,
}

/// A signer's signature image (PNG or JPEG bytes, checked before they get
/// here): printed above the signer's name, at most 3.5 cm wide and 1.5 cm
/// high, in the block's centre.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureImage {
    /// The signer's name as the document gives it; matched to the
    /// document's signers by [`crate::model::name_key`].
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The signature images as files of the World: `/signatures.json` maps a
/// signer's key to a file name the renderer chose (`/signature-N.img`);
/// the templates look the key up and place that file. Names never become
/// paths or markup.
fn signature_files(files: &mut HashMap<FileId, Bytes>, signatures: &[SignatureImage]) {
    let mut map = serde_json::Map::new();
    for (i, s) in signatures.iter().enumerate() {
        let path = format!("/signature-{i}.img");
        files.insert(file_id(&path), Bytes::new(s.bytes.clone()));
        map.insert(crate::model::name_key(&s.name), Value::String(path));
    }
    files.insert(file_id("/signatures.json"), json_bytes(&map));
}

/// Where anyone can check an official copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// `{public URL}/v/{code}`.
    pub url: String,
    pub code: String,
}

/// The keyword an official copy carries: `saraban-verify:CODE`.
pub const VERIFY_KEYWORD: &str = "saraban-verify:";

/// The verification files every compile reads (`lib.typ` reads the JSON
/// at import): present with the QR code's SVG, or absent.
fn verification_files(
    files: &mut HashMap<FileId, Bytes>,
    verification: Option<&Verification>,
) -> Result<(), RenderError> {
    match verification {
        Some(v) => {
            let svg = qr::qr_svg(&v.url).map_err(|e| {
                RenderError::Field(crate::model::FieldError::new(
                    "verification",
                    format!("ทำคิวอาร์โค้ดไม่ได้: {e}"),
                    format!("cannot make the QR code: {e}"),
                ))
            })?;
            files.insert(file_id("/verification.svg"), Bytes::new(svg.into_bytes()));
            files.insert(
                file_id("/verification.json"),
                json_bytes(&serde_json::json!({ "present": true, "code": v.code, "url": v.url })),
            );
        }
        None => {
            files.insert(
                file_id("/verification.json"),
                json_bytes(&serde_json::json!({ "present": false })),
            );
        }
    }
    Ok(())
}

/// A document laid out: its pages, and the continuation words found.
pub struct Laidout {
    pub doc: PagedDocument,
    pub continuation: Vec<Vec<String>>,
    /// Paragraphs set ragged-right because justifying them left wide gaps.
    pub ragged: Vec<String>,
    /// Last paragraphs split so that only their last two lines travel with
    /// the closing: paragraph id → byte offset (see `pages::keep_splits`).
    pub keep: BTreeMap<String, usize>,
    pub compiles: usize,
    /// False when the compile limit was reached before the continuation
    /// words and ragged paragraphs stopped changing.
    pub converged: bool,
    date: Option<NaiveDate>,
    meta: view::Meta,
    /// The recipient overlay it was laid out for.
    recipient: Value,
    /// Everything else it was laid out from (data, options), hashed.
    basis: u128,
    /// Its recipient fields' boxes, which [`Renderer::layout_like`] may
    /// re-set alone.
    slots: Vec<splice::Slot>,
    /// Set by re-setting fields only ([`splice`]), not a whole layout.
    pub spliced: bool,
}

impl Laidout {
    pub fn page_count(&self) -> usize {
        self.doc.pages().len()
    }
}

/// A document prepared for rendering: the shared view, ready for any
/// number of recipients.
pub struct Prepared {
    view: view::View,
    date: Option<NaiveDate>,
}

impl Prepared {
    /// The per-recipient overlay (number, addressee, QR codes), which a
    /// mail-merge replaces for each recipient.
    pub fn recipient(&self) -> &Value {
        &self.view.recipient
    }

    /// Free text for the recipient overlay, marked as the document's own
    /// text is (digits per the office, break marks, names kept whole).
    pub fn text(&self, s: &str) -> String {
        self.view.text(s)
    }

    /// The JSON the templates read, for debugging templates.
    pub fn data(&self) -> &Value {
        &self.view.data
    }
}

/// Renders documents; holds fonts and templates, so make one and reuse it.
pub struct Renderer {
    typesetter: Typesetter,
    /// A family the user chose (`--font-family`), tried before the usual ones.
    family: Option<String>,
}

impl Renderer {
    /// Embedded templates and fonts, plus fonts in `font_dirs`.
    pub fn new(font_dirs: &[&Path]) -> Result<Renderer, RenderError> {
        let template_dir = std::env::var_os("SARABAN_TEMPLATES").map(std::path::PathBuf::from);
        Ok(Renderer {
            typesetter: Typesetter::with_template_dir(font_dirs, template_dir.as_deref())?,
            family: None,
        })
    }

    /// Sets documents in `family` (any Thai face loaded from the fonts
    /// folders), falling back to the usual families for what it lacks.
    /// An unknown family is an error that lists the families there are.
    pub fn with_family(mut self, family: &str) -> Result<Renderer, RenderError> {
        let known = self.font_families();
        if !known.iter().any(|f| f.eq_ignore_ascii_case(family)) {
            return Err(RenderError::Fonts(fonts::FontError::Family {
                family: family.to_string(),
                known: known.join(", "),
            }));
        }
        self.family = Some(family.to_string());
        Ok(self)
    }

    /// Font files in the fonts folders that could not be used, and why.
    pub fn font_problems(&self) -> &[String] {
        self.typesetter.font_problems()
    }

    pub fn font_families(&self) -> Vec<String> {
        self.typesetter.font_families()
    }

    /// Validates nothing (the input was validated when read); builds the view.
    pub fn prepare(&self, doc: &Document) -> Result<Prepared, RenderError> {
        let mut view = view::build(doc)?;
        if let Some(family) = &self.family {
            let mut families = vec![family.clone()];
            families.extend(fonts::FAMILIES.iter().map(|f| f.to_string()));
            view.data["fonts"] = serde_json::json!(families);
        }
        let date = view.meta.date;
        Ok(Prepared { view, date })
    }

    /// Lays out a prepared document for one recipient overlay (or the
    /// document's own), finding continuation words.
    pub fn layout(
        &self,
        prepared: &Prepared,
        recipient: Option<&Value>,
        opts: &RenderOptions,
    ) -> Result<Laidout, RenderError> {
        // A short last paragraph (two lines at most: the usual
        // จึงเรียนมาเพื่อ…) goes with the closing from the first compile, as
        // it would after a split at 0; only long ones wait to be measured.
        let keep = prepared
            .view
            .keeps
            .iter()
            .filter(|k| view::compact(&k.marked).chars().count() <= SHORT_LAST_PARAGRAPH)
            .map(|k| (k.id.clone(), 0))
            .collect();
        self.layout_from(prepared, recipient, opts, Vec::new(), Vec::new(), keep)
    }

    /// Lays out for another recipient, starting from what an earlier layout
    /// of the same prepared document found: when only the number and the
    /// addressee change, the continuation words and ragged paragraphs are
    /// usually the same, and one compile confirms them.
    ///
    /// When nothing but the recipient's fields changed and each still fits
    /// its box, only those boxes are set again ([`splice`]).
    pub fn layout_like(
        &self,
        prepared: &Prepared,
        recipient: Option<&Value>,
        opts: &RenderOptions,
        earlier: &Laidout,
    ) -> Result<Laidout, RenderError> {
        if let Some(laid) = self.splice(prepared, recipient, opts, earlier)? {
            return Ok(laid);
        }
        self.layout_from(
            prepared,
            recipient,
            opts,
            earlier.continuation.clone(),
            earlier.ragged.clone(),
            earlier.keep.clone(),
        )
    }

    fn layout_from(
        &self,
        prepared: &Prepared,
        recipient: Option<&Value>,
        opts: &RenderOptions,
        mut continuation: Vec<Vec<String>>,
        mut ragged: Vec<String>,
        mut keep: BTreeMap<String, usize>,
    ) -> Result<Laidout, RenderError> {
        let (mut files, meta) = self.base_files(prepared, opts)?;
        let basis = basis_of(&files);
        let recipient = recipient.unwrap_or(&prepared.view.recipient);
        files.insert(file_id("/recipient.json"), json_bytes(recipient));
        for compiles in 1..=MAX_COMPILES {
            files.insert(file_id("/continuation.json"), json_bytes(&continuation));
            files.insert(file_id("/ragged.json"), json_bytes(&ragged));
            files.insert(file_id("/keep.json"), json_bytes(&keep));
            // Typst's `today` is the document's date (no template reads it;
            // a fixed day keeps output independent of the clock).
            let today = prepared.date.unwrap_or(UNDATED);
            let result = self.typesetter.compile(&files, today);
            let doc = result.map_err(|errors| RenderError::Typst(messages(&errors)))?;
            let doc = text_layer::strip_break_marks(&doc);
            let found = pages::continuation_words(&doc);
            let more_ragged = gappy_paragraphs(&doc, &prepared.view.paragraphs, &ragged);
            let found_keep = pages::keep_splits(&doc, &prepared.view.keeps, &keep);
            let converged = found == continuation && more_ragged.is_empty() && found_keep == keep;
            if converged || compiles == MAX_COMPILES {
                let slots = splice::slots(&doc);
                return Ok(Laidout {
                    doc,
                    continuation: found,
                    ragged,
                    keep,
                    compiles,
                    converged,
                    date: prepared.date,
                    meta,
                    recipient: recipient.clone(),
                    basis,
                    slots,
                    spliced: false,
                });
            }
            continuation = found;
            ragged.extend(more_ragged);
            keep = found_keep;
        }
        unreachable!("the loop returns on its last pass")
    }

    /// The earlier layout with only the recipient's changed fields set
    /// again, or `None` when that would not give what a whole layout gives.
    fn splice(
        &self,
        prepared: &Prepared,
        recipient: Option<&Value>,
        opts: &RenderOptions,
        earlier: &Laidout,
    ) -> Result<Option<Laidout>, RenderError> {
        let recipient = recipient.unwrap_or(&prepared.view.recipient);
        let Some(changes) = splice::changed_fields(&earlier.recipient, recipient) else {
            return Ok(None);
        };
        let (mut files, meta) = self.base_files(prepared, opts)?;
        if basis_of(&files) != earlier.basis {
            return Ok(None);
        }
        let mut swaps = Vec::new();
        let mut fields = Vec::new();
        for (path, value) in &changes {
            let mut found = false;
            for slot in earlier.slots.iter().filter(|s| &s.path == path) {
                found = true;
                fields.push(serde_json::json!({
                    "width": slot.size.x.to_pt(),
                    "style": slot.style,
                    "value": value,
                }));
                swaps.push(slot);
            }
            if !found {
                return Ok(None);
            }
        }
        let mut set = Vec::new();
        if !fields.is_empty() {
            let width = swaps.iter().map(|s| s.size.x.to_pt()).fold(1.0, f64::max);
            let job = serde_json::json!({
                "width": width,
                "fonts": prepared.view.data["fonts"],
                "fields": fields,
            });
            // lib.typ reads the loop's files at import, as for the letter.
            files.insert(file_id("/fields.json"), json_bytes(&job));
            files.insert(
                file_id("/continuation.json"),
                json_bytes(&earlier.continuation),
            );
            files.insert(file_id("/ragged.json"), json_bytes(&earlier.ragged));
            files.insert(file_id("/keep.json"), json_bytes(&earlier.keep));
            let today = prepared.date.unwrap_or(UNDATED);
            let doc = self
                .typesetter
                .compile_entry(file_id("/field.typ"), &files, today)
                .map_err(|errors| RenderError::Typst(messages(&errors)))?;
            set = splice::set_fields(&text_layer::strip_break_marks(&doc));
        }
        let same_sizes = set.len() == swaps.len()
            && swaps.iter().zip(&set).all(|(slot, frame)| {
                (slot.size.x - frame.size().x).to_pt().abs() < 1e-6
                    && (slot.size.y - frame.size().y).to_pt().abs() < 1e-6
            });
        if !same_sizes {
            return Ok(None);
        }
        let swaps: Vec<_> = swaps.into_iter().zip(set).collect();
        let doc = splice::apply(&earlier.doc, &swaps);
        // A field that opens a page would be that page's continuation word.
        if pages::continuation_words(&doc) != earlier.continuation {
            return Ok(None);
        }
        Ok(Some(Laidout {
            doc,
            continuation: earlier.continuation.clone(),
            ragged: earlier.ragged.clone(),
            keep: earlier.keep.clone(),
            compiles: 0,
            converged: earlier.converged,
            date: prepared.date,
            meta,
            recipient: recipient.clone(),
            basis: earlier.basis,
            slots: earlier.slots.clone(),
            spliced: true,
        }))
    }

    /// What a layout reads besides the recipient overlay and what the
    /// compile loop finds (continuation words, ragged and kept paragraphs).
    fn base_files(
        &self,
        prepared: &Prepared,
        opts: &RenderOptions,
    ) -> Result<(HashMap<FileId, Bytes>, view::Meta), RenderError> {
        let mut files: HashMap<FileId, Bytes> = HashMap::new();
        let mut meta = prepared.view.meta.clone();
        match &opts.verification {
            Some(v) => {
                let mut data = prepared.view.data.clone();
                let keyword = format!("{VERIFY_KEYWORD}{}", v.code);
                if let Some(k) = data["keywords"].as_array_mut() {
                    k.push(Value::String(keyword.clone()));
                }
                meta.keywords.push(keyword);
                files.insert(file_id("/data.json"), json_bytes(&data));
            }
            None => {
                files.insert(file_id("/data.json"), json_bytes(&prepared.view.data));
            }
        }
        verification_files(&mut files, opts.verification.as_ref())?;
        signature_files(&mut files, &opts.signatures);
        let emblem = opts.emblem.as_ref().map(|b| Bytes::new(b.clone()));
        files.insert(
            file_id("/emblem.json"),
            json_bytes(
                &serde_json::json!({ "present": emblem.is_some(), "official": opts.official }),
            ),
        );
        if let Some(b) = emblem {
            files.insert(file_id("/emblem.img"), b);
        }
        Ok((files, meta))
    }

    /// A register (ทะเบียนหนังสือ) as PDF: `register` is the table the
    /// `register.typ` template reads, already formatted by the caller.
    pub fn render_register(
        &self,
        register: Value,
        digits: crate::thai::Digits,
        title: &str,
        author: &str,
        dated: NaiveDate,
    ) -> Result<Vec<u8>, RenderError> {
        let data = serde_json::json!({
            "fonts": fonts::FAMILIES,
            "title": title,
            "author": author,
            "keywords": [],
            "digits": digits,
            "register": register,
        });
        let mut files: HashMap<FileId, Bytes> = HashMap::new();
        files.insert(file_id("/data.json"), json_bytes(&data));
        files.insert(
            file_id("/recipient.json"),
            json_bytes(&serde_json::json!({})),
        );
        // lib.typ reads these at import; a register has none of them.
        files.insert(file_id("/ragged.json"), json_bytes(&serde_json::json!([])));
        files.insert(
            file_id("/continuation.json"),
            json_bytes(&serde_json::json!([])),
        );
        files.insert(file_id("/keep.json"), json_bytes(&serde_json::json!({})));
        files.insert(
            file_id("/emblem.json"),
            json_bytes(&serde_json::json!({ "present": false, "official": true })),
        );
        verification_files(&mut files, None)?;
        signature_files(&mut files, &[]);
        let result = self.typesetter.compile(&files, dated);
        let doc = result.map_err(|errors| RenderError::Typst(messages(&errors)))?;
        let doc = text_layer::strip_break_marks(&doc);
        let options = PdfOptions {
            ident: typst::foundations::Smart::Custom(format!("saraban:register:{title}")),
            creator: typst::foundations::Smart::Custom(Some("saraban".into())),
            timestamp: Datetime::from_ymd_hms(
                dated.year(),
                dated.month() as u8,
                dated.day() as u8,
                0,
                0,
                0,
            )
            .map(Timestamp::new_utc),
            ..PdfOptions::default()
        };
        typst_pdf::pdf(&doc, &options).map_err(|errors| RenderError::Pdf(messages(&errors)))
    }

    /// The whole path for one document: prepare, lay out, export PDF.
    pub fn render_pdf(&self, doc: &Document, opts: &RenderOptions) -> Result<Vec<u8>, RenderError> {
        let prepared = self.prepare(doc)?;
        let laid = self.layout(&prepared, None, opts)?;
        pdf(&laid, opts)
    }
}

/// Paragraphs (not yet ragged) with a line whose widest gap is more than
/// twice a normal space: justification cannot be met there, so they are set
/// ragged-right on the next compile.
fn gappy_paragraphs(
    doc: &PagedDocument,
    paragraphs: &[(String, String)],
    ragged: &[String],
) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for line in check::wide_lines(doc, check::MAX_GAP) {
        let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.is_empty() {
            continue;
        }
        for (id, text) in paragraphs {
            if text.contains(&compact) && !ragged.contains(id) && !found.contains(id) {
                found.push(id.clone());
            }
        }
    }
    found
}

/// Typst's diagnostics as one line.
fn messages(errors: &[typst::diag::SourceDiagnostic]) -> String {
    errors
        .iter()
        .map(|e| e.message.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

fn json_bytes<T: serde::Serialize>(value: &T) -> Bytes {
    // Serialising our own JSON values cannot fail.
    Bytes::new(serde_json::to_vec(value).expect("JSON values serialise"))
}

/// Exports PDF (or PDF/A-2b) with the creation time taken from the
/// document's date, so the same input gives the same bytes.
pub fn pdf(laid: &Laidout, opts: &RenderOptions) -> Result<Vec<u8>, RenderError> {
    // No date (a project or schedule without one): no creation time at all.
    let timestamp = laid
        .date
        .and_then(|date| {
            Datetime::from_ymd_hms(date.year(), date.month() as u8, date.day() as u8, 0, 0, 0)
        })
        .map(Timestamp::new_utc);
    let standards = if opts.pdfa {
        PdfStandards::new(&[PdfStandard::A_2b])
            .map_err(|e| RenderError::Pdf(e.message().to_string()))?
    } else {
        PdfStandards::default()
    };
    let options = PdfOptions {
        ident: typst::foundations::Smart::Custom(format!(
            "saraban:{}:{}",
            laid.meta.title,
            laid.meta.keywords.join(",")
        )),
        creator: typst::foundations::Smart::Custom(Some("saraban".into())),
        timestamp,
        standards,
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&laid.doc, &options).map_err(|errors| RenderError::Pdf(messages(&errors)))
}

/// A layout's inputs other than the recipient and the compile loop's own
/// files, as one hash: a splice is only taken over the same basis.
fn basis_of(files: &HashMap<FileId, Bytes>) -> u128 {
    let loop_files = [
        "/recipient.json",
        "/continuation.json",
        "/ragged.json",
        "/keep.json",
    ];
    let mut entries: Vec<(String, &[u8])> = files
        .iter()
        .map(|(id, bytes)| {
            (
                id.get().vpath().get_with_slash().to_string(),
                bytes.as_slice(),
            )
        })
        .filter(|(path, _)| !loop_files.contains(&path.as_str()))
        .collect();
    entries.sort();
    typst::utils::hash128(&entries)
}

/// PNG images of every page at `dpi`.
pub fn png_pages(laid: &Laidout, dpi: f32) -> Vec<Vec<u8>> {
    (0..laid.page_count())
        .filter_map(|i| png_page(laid, i, dpi))
        .collect()
}

/// A PNG image of page `index` (from 0) at `dpi`, if there is such a page.
pub fn png_page(laid: &Laidout, index: usize, dpi: f32) -> Option<Vec<u8>> {
    Some(page_png(laid.doc.pages().get(index)?, dpi))
}

/// One laid-out page as a PNG at `dpi`.
pub(crate) fn page_png(page: &typst_layout::Page, dpi: f32) -> Vec<u8> {
    let options = typst_render::RenderOptions {
        pixel_per_pt: typst::utils::Scalar::new(f64::from(dpi) / 72.0),
        ..Default::default()
    };
    opaque_png(&typst_render::render(page, &options))
}

/// A page as a PNG over white, compressed for speed: previews are made on
/// every keystroke, and deflate at its default level cost more than laying
/// the page out. A page with no colour (black text: most letters) is
/// written as greyscale, a third of the bytes to compress and to send.
fn opaque_png(pixmap: &tiny_skia::Pixmap) -> Vec<u8> {
    let pixels = pixmap.data().chunks_exact(4);
    // Premultiplied RGBA over white: c + (255 - a), never above 255 since
    // c <= a. Equal channels stay equal, so such a page is grey.
    let grey = pixels.clone().all(|p| p[0] == p[1] && p[1] == p[2]);
    let (color, bytes) = if grey {
        let bytes = pixels.map(|p| p[0] + (255 - p[3])).collect();
        (png::ColorType::Grayscale, bytes)
    } else {
        // A plain loop over a sized buffer: `flat_map` into a `Vec` was
        // not vectorised and cost as much as deflating the page.
        let mut bytes = vec![0; pixels.len() * 3];
        for (out, p) in bytes.chunks_exact_mut(3).zip(pixels) {
            let under = 255 - p[3];
            out.copy_from_slice(&[p[0] + under, p[1] + under, p[2] + under]);
        }
        (png::ColorType::Rgb, bytes)
    };
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_color(color);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let written = encoder
        .write_header()
        .and_then(|mut w| w.write_image_data(&bytes).and_then(|()| w.finish()));
    match written {
        Ok(()) => out,
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::opaque_png;

    /// Decodes a PNG: its colour type and its pixels.
    fn decode(bytes: &[u8]) -> (png::ColorType, Vec<u8>) {
        let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
            .read_info()
            .unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        buf.truncate(info.buffer_size());
        (info.color_type, buf)
    }

    fn pixmap(pixels: &[[u8; 4]]) -> tiny_skia::Pixmap {
        let mut p = tiny_skia::Pixmap::new(pixels.len() as u32, 1).unwrap();
        p.data_mut().copy_from_slice(pixels.concat().as_slice());
        p
    }

    #[test]
    fn a_page_without_colour_is_a_grey_png_over_white() {
        // Transparent, black at half cover, opaque black, opaque grey
        // (premultiplied).
        let p = pixmap(&[
            [0, 0, 0, 0],
            [0, 0, 0, 128],
            [0, 0, 0, 255],
            [100, 100, 100, 255],
        ]);
        let (color, pixels) = decode(&opaque_png(&p));
        assert_eq!(color, png::ColorType::Grayscale);
        assert_eq!(pixels, [255, 127, 0, 100]);
    }

    #[test]
    fn a_page_with_colour_stays_rgb_over_white() {
        // A red secrecy mark at half cover beside black text.
        let p = pixmap(&[[128, 0, 0, 128], [0, 0, 0, 255]]);
        let (color, pixels) = decode(&opaque_png(&p));
        assert_eq!(color, png::ColorType::Rgb);
        assert_eq!(pixels, [255, 127, 127, 0, 0, 0]);
    }
}

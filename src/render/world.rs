//! The one seam between saraban and Typst: the World.
//!
//! A [`Typesetter`] holds what never changes between documents — the standard
//! library, the fonts and the templates (compiled into the binary from
//! `templates/typst/`) — and each compile gets a light [`CompileWorld`] on top
//! with that document's data as in-memory files. Data files are JSON read by
//! the templates with `json(...)`; user text is never spliced into markup.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{Datelike, NaiveDate};
use typst::diag::{FileError, FileResult, SourceResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

use super::fonts::{FontError, FontSet};

/// comemo's cache is process-wide: it is trimmed as compiles go, failures
/// included, or memory grows without bound. A trim walks every entry, so
/// it runs on every [`TRIM_EVERY`]th compile and drops what none of the
/// last [`KEEP_TRIMS`] trims saw used: about the last dozen compiles are
/// kept, as when every compile trimmed to ten (a trim was 5% of a preview).
fn trim_cache() {
    static COMPILES: AtomicUsize = AtomicUsize::new(0);
    if COMPILES.fetch_add(1, Ordering::Relaxed) % TRIM_EVERY == TRIM_EVERY - 1 {
        comemo::evict(KEEP_TRIMS);
    }
}

/// Compiles between two trims of comemo's cache.
const TRIM_EVERY: usize = 4;

/// How many trims an unused cache entry survives.
const KEEP_TRIMS: usize = 3;

/// The templates, embedded so the binary works from any directory.
const TEMPLATES: &[(&str, &str)] = &[
    ("/main.typ", include_str!("../../templates/typst/main.typ")),
    (
        "/field.typ",
        include_str!("../../templates/typst/field.typ"),
    ),
    ("/lib.typ", include_str!("../../templates/typst/lib.typ")),
    (
        "/letter.typ",
        include_str!("../../templates/typst/letter.typ"),
    ),
    ("/memo.typ", include_str!("../../templates/typst/memo.typ")),
    (
        "/order.typ",
        include_str!("../../templates/typst/order.typ"),
    ),
    (
        "/announcement.typ",
        include_str!("../../templates/typst/announcement.typ"),
    ),
    (
        "/sealed.typ",
        include_str!("../../templates/typst/sealed.typ"),
    ),
    (
        "/schedule.typ",
        include_str!("../../templates/typst/schedule.typ"),
    ),
    (
        "/project.typ",
        include_str!("../../templates/typst/project.typ"),
    ),
    ("/form.typ", include_str!("../../templates/typst/form.typ")),
    (
        "/register.typ",
        include_str!("../../templates/typst/register.typ"),
    ),
    (
        "/endorsement.typ",
        include_str!("../../templates/typst/endorsement.typ"),
    ),
    (
        "/stamp.typ",
        include_str!("../../templates/typst/stamp.typ"),
    ),
];

/// A file id for a path inside the project root.
pub fn file_id(path: &str) -> FileId {
    // Paths here are our own constants or generated names; all valid.
    let vpath = VirtualPath::new(path).expect("valid virtual path");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

/// What stays the same from one document to the next.
pub struct Typesetter {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    sources: HashMap<FileId, Source>,
    main: FileId,
    font_problems: Vec<String>,
}

impl Typesetter {
    /// The standard setup: embedded templates, embedded fonts, plus fonts
    /// from `font_dirs` (which take precedence by family order).
    pub fn new(font_dirs: &[&Path]) -> Result<Typesetter, FontError> {
        Self::with_template_dir(font_dirs, None)
    }

    /// As [`Typesetter::new`], but templates found in `template_dir` replace
    /// the embedded ones (for template work without rebuilding).
    pub fn with_template_dir(
        font_dirs: &[&Path],
        template_dir: Option<&Path>,
    ) -> Result<Typesetter, FontError> {
        let FontSet {
            book,
            fonts,
            problems,
        } = FontSet::load(font_dirs)?;
        let sources = TEMPLATES
            .iter()
            .map(|(path, text)| {
                let id = file_id(path);
                let on_disk = template_dir.and_then(|dir| {
                    std::fs::read_to_string(dir.join(path.trim_start_matches('/'))).ok()
                });
                let text = on_disk.unwrap_or_else(|| text.to_string());
                (id, Source::new(id, text))
            })
            .collect();
        Ok(Typesetter {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(book),
            fonts,
            sources,
            main: file_id("/main.typ"),
            font_problems: problems,
        })
    }

    /// Compiles the main template with these in-memory files (`today` is
    /// what Typst's `datetime.today()` answers).
    pub fn compile(
        &self,
        files: &HashMap<FileId, Bytes>,
        today: NaiveDate,
    ) -> SourceResult<PagedDocument> {
        self.compile_entry(self.main, files, today)
    }

    /// Compiles another of the embedded templates as the main file (the
    /// recipient fields of `field.typ`).
    pub fn compile_entry(
        &self,
        main: FileId,
        files: &HashMap<FileId, Bytes>,
        today: NaiveDate,
    ) -> SourceResult<PagedDocument> {
        let world = CompileWorld {
            base: self,
            main,
            files,
            today,
        };
        let result = typst::compile::<PagedDocument>(&world).output;
        trim_cache();
        result
    }

    /// Font files that could not be used, and why.
    pub fn font_problems(&self) -> &[String] {
        &self.font_problems
    }

    pub fn font_families(&self) -> Vec<String> {
        let mut names: Vec<String> = self.fonts.iter().map(|f| f.info().family.clone()).collect();
        names.dedup();
        names
    }
}

/// One compile's view: the shared typesetter plus this document's files.
pub struct CompileWorld<'a> {
    base: &'a Typesetter,
    main: FileId,
    files: &'a HashMap<FileId, Bytes>,
    today: NaiveDate,
}

impl World for CompileWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.base.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.base.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        self.base.sources.get(&id).cloned().ok_or_else(|| {
            FileError::NotFound(std::path::PathBuf::from(
                id.get().vpath().get_without_slash(),
            ))
        })
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if let Some(bytes) = self.files.get(&id) {
            return Ok(bytes.clone());
        }
        self.base
            .sources
            .get(&id)
            .map(|s| Bytes::from_string(s.clone()))
            .ok_or_else(|| {
                FileError::NotFound(std::path::PathBuf::from(
                    id.get().vpath().get_without_slash(),
                ))
            })
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.base.fonts.get(index).cloned()
    }

    /// The document's own date, so that output never depends on the clock.
    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Datetime::from_ymd(
            self.today.year(),
            self.today.month() as u8,
            self.today.day() as u8,
        )
    }
}

//! The application layer: every action a person can take, in one place.
//!
//! Each action is a method of [`App`] that takes the [`Caller`] (who, for
//! which office, in which role, at what time), checks the role
//! (`Role::may`), the visibility rule (`store::search::Viewer`), secrecy and
//! the document rules, reads its input one way (`input`), and calls the
//! store. The web API, the web pages and the command line call only this
//! layer; they parse requests and print answers, nothing more.
//!
//! Errors are [`AppError`]: a kind, a code and the message in Thai and
//! English; the web turns the kind into a status, the CLI into an exit code.

pub mod accounts;
pub mod admin;
mod callers;
pub mod deliveries;
pub mod documents;
pub mod error;
mod health;
pub mod input;
pub mod intake;
pub mod lint;
pub mod mail;
pub mod offices;
pub mod official;
pub mod previews;
pub mod registers;
pub mod replies;
pub mod review;
pub mod signatures;
pub mod signing;
pub mod templates;
pub mod workflow;

use std::path::PathBuf;
use std::sync::{Arc, OnceLock, RwLock};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub use error::{AppError, AppResult, Kind};
pub use templates::{Template, TemplateId};

// What the entry points see of the store: types, never its functions.
pub use crate::store::accounts::{Action, Role, User};
pub use crate::store::agency::Agency;
pub use crate::store::documents::{Attachment, State as DocState, Stored};
pub use crate::store::graph::{Node, NodeKind};
pub use crate::store::inbox::InboxItem;
pub use crate::store::numbering::Series;
pub use crate::store::offices::{Office, OfficeKind};
pub use crate::store::registers::{Format, RegisterKind, RegisterRow};
pub use crate::store::routing::{Delivery, DeliveryState, Forwarded};
pub use crate::store::tracking::{TrackNode, Tracking};
pub use crate::store::workflow::{
    ActingKind, ActingRole, Counts as WorkCounts, Event as WorkEvent, Item as WorkItem, ItemKind,
    ItemStatus, Settings as WorkflowSettings, WorkFile,
};
pub use crate::store::{Actor, Backend, bangkok, bangkok_date};

use crate::render::Renderer;
use crate::store::Store;
use crate::store::search::Viewer;

/// Ids that cannot be mixed up: a document's id is not a delivery's.
macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    )*};
}

id_type!(
    /// A stored document (draft, numbered, sent or cancelled).
    DocumentId,
    /// One letter delivered to one office.
    DeliveryId,
    /// A user account.
    UserId,
    /// A file attached to a document.
    AttachmentId,
);

/// Who acts, for which office, and when.
#[derive(Debug, Clone)]
pub struct Caller {
    pub office: Office,
    pub principal: Principal,
    pub now: DateTime<Utc>,
}

/// A logged-in user, or the operator at the command line.
#[derive(Debug, Clone)]
pub enum Principal {
    User(User),
    /// Whoever runs `saraban` against the database file: they hold the
    /// data itself, so they act for any office with every role and read
    /// its secret letters. Recorded in the audit chain as `cli:NAME`.
    Operator(String),
}

impl Caller {
    /// A user acting for their own office, now.
    pub fn user(user: User, office: Office) -> Caller {
        debug_assert_eq!(user.office_id, office.id);
        Caller {
            office,
            principal: Principal::User(user),
            now: Utc::now(),
        }
    }

    /// The operator at the command line acting as `office`.
    pub fn operator(name: &str, office: Office) -> Caller {
        Caller {
            office,
            principal: Principal::Operator(name.to_string()),
            now: Utc::now(),
        }
    }

    pub fn user_ref(&self) -> Option<&User> {
        match &self.principal {
            Principal::User(u) => Some(u),
            Principal::Operator(_) => None,
        }
    }

    /// The name the audit chain records.
    pub fn actor(&self) -> Actor {
        match &self.principal {
            Principal::User(u) => u.actor(),
            Principal::Operator(name) => Actor(format!("cli:{name}")),
        }
    }

    /// Refuses unless the caller's role may do `action`.
    pub fn may(&self, action: Action) -> AppResult<()> {
        if self.can(action) {
            Ok(())
        } else {
            Err(AppError::forbidden())
        }
    }

    /// Whether the caller's role may do `action`.
    pub fn can(&self, action: Action) -> bool {
        match &self.principal {
            Principal::User(u) => u.active && u.role.may(action),
            Principal::Operator(_) => true,
        }
    }

    /// Today in Bangkok.
    pub fn today(&self) -> NaiveDate {
        bangkok_date(self.now)
    }

    pub(crate) fn viewer(&self) -> Viewer {
        Viewer {
            office_id: self.office.id,
            user_id: self.user_ref().map(|u| u.id),
        }
    }
}

/// The application: the store, the renderer (made on first use) and what
/// bounds rendering.
#[derive(Clone)]
pub struct App {
    store: Store,
    renderer: Arc<OnceLock<Arc<Renderer>>>,
    font_dirs: Arc<Vec<PathBuf>>,
    /// Renders run on blocking threads, at most this many at once, so a
    /// burst of previews cannot starve the rest.
    render_slots: Arc<tokio::sync::Semaphore>,
    previews: previews::PreviewCache,
    /// Where `/v/{code}` is answered: official copies' QR codes point here.
    public_url: Arc<RwLock<String>>,
    /// Password checks: a few at once, each in a memory block it keeps.
    pub(crate) passwords: accounts::Verifier,
    /// Offices' signers, loaded once.
    signers: signing::Signers,
    health: health::HealthProbe,
    callers: callers::CallerCache,
}

impl App {
    /// The application over `store`, with an agency's own fonts first.
    pub fn new(store: Store, font_dirs: &[&std::path::Path]) -> App {
        App {
            store,
            renderer: Arc::default(),
            font_dirs: Arc::new(font_dirs.iter().map(|p| p.to_path_buf()).collect()),
            render_slots: Arc::new(tokio::sync::Semaphore::new(2)),
            previews: previews::PreviewCache::default(),
            public_url: Arc::new(RwLock::new(
                std::env::var("SARABAN_PUBLIC_URL")
                    .unwrap_or_else(|_| "http://127.0.0.1:8080".into()),
            )),
            passwords: accounts::Verifier::default(),
            signers: signing::Signers::default(),
            health: health::HealthProbe::default(),
            callers: callers::CallerCache::default(),
        }
    }

    /// Opens the database named by `location` (a SQLite file or a
    /// `postgres://` URL), applying migrations.
    pub async fn open(location: &str, font_dirs: &[&std::path::Path]) -> AppResult<App> {
        Ok(App::new(Store::open(location).await?, font_dirs))
    }

    /// Loads the fonts now rather than at the first render (`serve` does,
    /// so a missing font folder fails at start).
    pub fn load_renderer(&self) -> AppResult<Arc<Renderer>> {
        if let Some(r) = self.renderer.get() {
            return Ok(r.clone());
        }
        let dirs: Vec<&std::path::Path> = self.font_dirs.iter().map(PathBuf::as_path).collect();
        let made = Arc::new(Renderer::new(&dirs)?);
        Ok(self.renderer.get_or_init(|| made).clone())
    }

    /// The store, for the layer's own modules and for tests that set up data.
    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn backend(&self) -> Backend {
        self.store.backend()
    }

    /// Whether the database answers (`/health`): `Ok`, else why not (in
    /// English).
    pub async fn health(&self) -> Result<(), String> {
        self.health.check(&self.store).await
    }

    pub async fn close(&self) {
        self.store.close().await;
    }

    /// Runs `f` with the renderer on rayon's pool, at most `render_slots`
    /// at once. On a rayon thread, Typst's parallel page runs and krilla's
    /// deferred font work run inline; from tokio's blocking threads each
    /// was a hand-off to a rayon thread and back. The slot is held until
    /// `f` ends, even when the caller has gone.
    pub(crate) async fn rendering<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Renderer) -> AppResult<T> + Send + 'static,
    {
        let renderer = self.load_renderer()?;
        let slot = Arc::clone(&self.render_slots)
            .acquire_owned()
            .await
            .expect("never closed");
        let (tx, rx) = tokio::sync::oneshot::channel();
        rayon::spawn(move || {
            // A panic must not unwind out of a rayon job (that aborts).
            let made = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&renderer)));
            drop(slot);
            let _ = tx.send(made);
        });
        match rx.await {
            Ok(Ok(r)) => r,
            _ => Err(AppError::internal(
                "จัดทำเอกสารไม่สำเร็จ",
                "render panicked".to_string(),
            )),
        }
    }
}

/// A cascade's tracking as CSV (one row per delivery).
pub fn tracking_csv(t: &Tracking) -> Vec<u8> {
    crate::store::tracking::to_csv(t)
}

/// A cascade's tracking as an Excel workbook.
pub fn tracking_xlsx(t: &Tracking) -> AppResult<Vec<u8>> {
    Ok(crate::store::tracking::to_xlsx(t)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Document;
    use crate::render::RenderOptions;

    /// A render that panics is an error for its caller, gives its slot
    /// back, and leaves rayon's pool working for the next one.
    #[tokio::test]
    async fn a_render_that_panics_is_an_error_and_frees_its_slot() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db").to_string_lossy())
            .await
            .unwrap();
        let app = App::new(store, &[]);
        for _ in 0..3 {
            let failed = app
                .rendering(|_| -> AppResult<()> { panic!("a template bug") })
                .await;
            assert!(failed.is_err());
        }
        assert_eq!(app.render_slots.available_permits(), 2);
        let pages = app
            .rendering(|r| {
                let doc = Document::from_json(include_str!("../../examples/letter.json"))
                    .map_err(|e| AppError::internal("x", e.to_string()))?;
                let prepared = r.prepare(&doc)?;
                Ok(r.layout(&prepared, None, &RenderOptions::default())?
                    .page_count())
            })
            .await
            .unwrap();
        assert_eq!(pages, 2);
    }
}

//! The service: `saraban serve`. One axum router carries the JSON API under
//! `/api/v1` (`api`), the Thai web UI (`ui`, Tera templates rendered on the
//! server), static files, `/health` and `/api/openapi.json`.
//!
//! Every request that reads or writes letters goes through `auth::Authed`
//! (a session cookie or a bearer token) and then the application layer
//! (`crate::app`), where the role, visibility and document rules live, so
//! one office never sees another's drafts or inbox: an id that is not yours
//! is "not found". Logging in is `login` (CSRF-protected form, throttled, a
//! bounded number of password checks at once). Every response carries the
//! security headers of [`SECURITY_HEADERS`]; every error under `/api/` is
//! JSON (both in `finish`).

pub mod api;
pub mod auth;
pub mod compose_forms;
pub mod compose_ui;
pub mod error;
pub mod files_ui;
pub mod finish;
pub mod forms;
pub mod intake_ui;
pub mod login;
pub mod mail_api;
pub mod mail_ui;
pub mod profile;
pub mod public;
pub mod reply_api;
pub mod reply_page;
pub mod reply_ui;
pub mod template_api;
pub mod throttle;
pub mod ui;
pub mod workflow_api;
pub mod workflow_ui;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

use crate::app::App;
pub use crate::app::admin::FirstAccount;

/// The largest request body: an attachment (25 MB) plus form overhead.
pub const MAX_BODY: usize = 26 * 1024 * 1024;

/// What every handler shares. axum clones the state for each extractor
/// and handler of every request: one reference count to bump rather than
/// one per field (cloning the fields was 3.5% of a `/health` request).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The state's fields.
pub struct Shared {
    pub app: App,
    pub templates: Arc<tera::Tera>,
    pub logins: Arc<throttle::LoginThrottle>,
    pub public: Arc<public::PublicLimiter>,
}

impl AppState {
    /// The state over an application (its fonts loaded now, so that a bad
    /// font folder fails at start).
    pub fn new(app: App) -> anyhow::Result<AppState> {
        app.load_renderer()?;
        Ok(AppState(Arc::new(Shared {
            app,
            templates: Arc::new(templates()?),
            logins: Arc::default(),
            public: Arc::default(),
        })))
    }
}

/// The pages' templates: `ui`'s, the token page and the profile.
fn templates() -> anyhow::Result<tera::Tera> {
    let mut tera = ui::templates()?;
    tera.add_raw_template(
        "tokens.html",
        include_str!("../../templates/web/tokens.html"),
    )?;
    reply_ui::add_templates(&mut tera)?;
    tera.add_raw_template(
        "profile.html",
        include_str!("../../templates/web/profile.html"),
    )?;
    Ok(tera)
}

/// Sent with every response, pages, API and static files alike. Scripts,
/// styles and fonts come only from this origin (the templates have no
/// inline script or style); previews are `blob:` images made by app.js.
/// Pages are never framed, nor sniffed as another type, and links to other
/// sites are not told which page they came from.
pub const SECURITY_HEADERS: [(&str, &str); 4] = [
    (
        "content-security-policy",
        "default-src 'self'; img-src 'self' blob:; frame-ancestors 'none'; base-uri 'self'; \
         form-action 'self'",
    ),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "same-origin"),
    ("x-content-type-options", "nosniff"),
];

/// The content security policy of a JSON answer in place of the pages'
/// one: JSON is data, never a page, so nothing may load from it and it is
/// never framed. Stricter than the pages' policy, and 80 bytes fewer on
/// every API answer.
pub const DATA_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// The whole application.
pub fn router(state: AppState) -> Router {
    let mut app = Router::new()
        .route("/health", get(health))
        .route("/api/openapi.json", get(openapi))
        .nest("/api/v1", api::routes())
        .merge(ui::routes())
        .merge(intake_ui::routes())
        .merge(files_ui::routes())
        .merge(mail_ui::routes())
        .merge(public::routes())
        .merge(reply_page::routes())
        .merge(reply_ui::routes())
        .merge(login::routes())
        .merge(profile::routes())
        .fallback(error::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(RequestBodyLimitLayer::new(MAX_BODY));
    // tower-http traces requests at DEBUG: a layer that costs on every
    // request is added only when its lines would be written (server errors
    // are logged by `finish` in any case).
    if tracing::level_filters::LevelFilter::current() >= tracing::Level::DEBUG {
        app = app.layer(TraceLayer::new_for_http());
    }
    app.layer(finish::FinishLayer).with_state(state)
}

async fn health(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    match state.app.health().await {
        // A constant: no JSON value to build on the path monitors poll.
        Ok(()) => (
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"status":"ok"}"#,
        )
            .into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({"status": "database unavailable", "error": e})),
        )
            .into_response(),
    }
}

/// The OpenAPI description of `/api/v1`, kept beside the handlers.
pub const OPENAPI: &str = include_str!("openapi.json");

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

/// Runs the service until Ctrl-C or SIGTERM, finishing requests in flight.
pub async fn serve(app: App, addr: SocketAddr) -> anyhow::Result<()> {
    // Held while serving: `restore` refuses to swap the file underneath.
    let _lock = app.hold_server_lock()?;
    let made = app.first_start().await?;
    let state = AppState::new(app.clone())?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    println!("saraban: http://{local}/");
    if let Some(pem) = state.app.demo_ca_pem().filter(|_| !made.is_empty()) {
        println!(
            "ใบรับรองและกุญแจลงนามของส่วนราชการตัวอย่างใช้ทดลองเท่านั้น ไม่ใช่ใบรับรองจริง (demo certificates, for trying only; \
             the demo CA is {}; install an agency's own with saraban orgs certificate)",
            pem.display()
        );
    }
    if !made.is_empty() {
        println!("บัญชีเริ่มต้น (first-start accounts; one-time passwords, change at first login):");
        for a in &made {
            println!(
                "  {:<16} {:<12} {}  ({}, {})",
                a.username,
                a.password,
                a.role.key(),
                a.role.thai(),
                a.office
            );
        }
    }
    tracing::info!(%local, "listening");
    // Peer addresses feed the login throttle (`throttle::ClientAddr`) and
    // the public pages' limiter.
    // Fetching the offices' mailboxes and the daily digest of notices.
    let mail = app.start_mail_schedule();
    let service = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    for task in mail {
        task.abort();
    }
    app.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

//! The service: `saraban serve`. One axum router carries the JSON API under
//! `/api/v1` (`api`), the Thai web UI (`ui`, Tera templates rendered on the
//! server), static files, `/health` and `/api/openapi.json`.
//!
//! Every request that reads or writes letters goes through `auth::Authed`
//! (a session cookie or a bearer token) and then the application layer
//! (`crate::app`), where the role, visibility and document rules live, so
//! one office never sees another's drafts or inbox: an id that is not yours
//! is "not found".

pub mod api;
pub mod auth;
pub mod error;
pub mod forms;
pub mod public;
pub mod throttle;
pub mod ui;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

use crate::app::App;
pub use crate::app::admin::FirstAccount;

/// The largest request body: an attachment (25 MB) plus form overhead.
pub const MAX_BODY: usize = 26 * 1024 * 1024;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
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
        Ok(AppState {
            app,
            templates: Arc::new(ui::templates()?),
            logins: Arc::default(),
            public: Arc::default(),
        })
    }
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/api/openapi.json", get(openapi))
        .nest("/api/v1", api::routes())
        .merge(ui::routes())
        .merge(public::routes())
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(RequestBodyLimitLayer::new(MAX_BODY))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn health(axum::extract::State(state): axum::extract::State<AppState>) -> impl IntoResponse {
    match state.app.health().await {
        Ok(()) => (
            StatusCode::OK,
            axum::Json(serde_json::json!({"status": "ok"})),
        ),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(
                serde_json::json!({"status": "database unavailable", "error": e.message_en}),
            ),
        ),
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
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
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

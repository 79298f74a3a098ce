//! The service: `saraban serve`. One axum router carries the JSON API under
//! `/api/v1` (`api`), the Thai web UI (`ui`, Tera templates rendered on the
//! server), static files, `/health` and `/api/openapi.json`.
//!
//! Every request that reads or writes letters goes through `auth::Authed`
//! (a session cookie or a bearer token), and every document it touches
//! through `store::search::visible`, so one office never sees another's
//! drafts or inbox: an id that is not yours is "not found". Logging in is
//! `login` (CSRF-protected form, throttled, a bounded number of password
//! checks at once). Every response carries the security headers of
//! [`SECURITY_HEADERS`]; every error under `/api/` is JSON.

pub mod api;
pub mod auth;
pub mod error;
pub mod forms;
pub mod login;
pub mod previews;
pub mod throttle;
pub mod ui;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::render::Renderer;
use crate::store::accounts::{self, NewUser, Role};
use crate::store::{Actor, Store, demo, offices};

/// The largest request body: an attachment (25 MB) plus form overhead.
pub const MAX_BODY: usize = 26 * 1024 * 1024;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub renderer: Arc<Renderer>,
    pub templates: Arc<tera::Tera>,
    /// Renders run on blocking threads; at most this many at once, so a
    /// burst of previews cannot starve the rest.
    pub render_slots: Arc<tokio::sync::Semaphore>,
    pub previews: previews::PreviewCache,
    pub logins: Arc<throttle::LoginThrottle>,
    /// Password checks: two at once, each in a memory block it keeps.
    pub passwords: accounts::Verifier,
}

impl AppState {
    /// The state with the shipped fonts only.
    pub fn new(store: Store) -> anyhow::Result<AppState> {
        AppState::with_fonts(store, &[])
    }

    /// The state with an agency's own fonts first (`--fonts`, `SARABAN_FONTS`).
    pub fn with_fonts(store: Store, font_dirs: &[&std::path::Path]) -> anyhow::Result<AppState> {
        Ok(AppState {
            store,
            renderer: Arc::new(Renderer::new(font_dirs)?),
            templates: Arc::new(templates()?),
            render_slots: Arc::new(tokio::sync::Semaphore::new(2)),
            previews: previews::PreviewCache::default(),
            logins: Arc::default(),
            passwords: accounts::Verifier::default(),
        })
    }
}

/// The pages' templates: `ui`'s and the token page.
fn templates() -> anyhow::Result<tera::Tera> {
    let mut tera = ui::templates()?;
    tera.add_raw_template(
        "tokens.html",
        include_str!("../../templates/web/tokens.html"),
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

/// The whole application.
pub fn router(state: AppState) -> Router {
    let mut app = Router::new()
        .route("/health", get(health))
        .route("/api/openapi.json", get(openapi))
        .nest("/api/v1", api::routes())
        .merge(ui::routes())
        .merge(login::routes())
        .fallback(error::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(RequestBodyLimitLayer::new(MAX_BODY))
        .layer(axum::middleware::from_fn(error::json_errors))
        .layer(TraceLayer::new_for_http());
    for (name, value) in SECURITY_HEADERS {
        app = app.layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        ));
    }
    app.with_state(state)
}

async fn health(axum::extract::State(state): axum::extract::State<AppState>) -> impl IntoResponse {
    match sqlx::query("SELECT 1").execute(state.store.reader()).await {
        Ok(_) => (
            StatusCode::OK,
            axum::Json(serde_json::json!({"status": "ok"})),
        ),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(
                serde_json::json!({"status": "database unavailable", "error": e.to_string()}),
            ),
        ),
    }
}

/// The OpenAPI description of `/api/v1`, kept beside the handlers.
pub const OPENAPI: &str = include_str!("openapi.json");

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

/// An account made at first start, with its one-time password.
#[derive(Debug, Clone)]
pub struct FirstAccount {
    pub username: String,
    pub office: String,
    pub role: Role,
    pub password: String,
}

/// Prepares a database without users. An empty one gets the demo hierarchy,
/// the seeds' two stories, an administrator and one clerk for each office of
/// the story; one that already holds offices (an imported hierarchy) gets
/// only the administrator. Each account has a one-time password. Does
/// nothing when the database already has users.
pub async fn first_start(store: &Store) -> anyhow::Result<Vec<FirstAccount>> {
    if !accounts::list(store, None).await?.is_empty() {
        return Ok(Vec::new());
    }
    let actor = Actor("serve:first-start".into());
    let demo = demo::load(store, &actor).await? != demo::Loaded::AlreadyPresent;
    if demo {
        demo::stories(store, &actor).await?;
    }
    // The administrator belongs to the DLA when it is there, else to the
    // first top-level office of an imported hierarchy.
    let admin_office = match offices::find(store, "มท 0810").await {
        Ok(o) => o,
        Err(_) => offices::list(store, None)
            .await?
            .into_iter()
            .find(|o| o.parent_id.is_none())
            .ok_or_else(|| anyhow::anyhow!("no offices to attach the administrator to"))?,
    };
    let mut accounts_to_make = vec![("admin", admin_office, Role::Admin, "ผู้ดูแลระบบ")];
    // Demo clerks only on the demo hierarchy, never on an imported one.
    if demo {
        for (username, office, name) in [
            ("dla.clerk", "มท 0810.7", "เจ้าหน้าที่สารบรรณ สถ."),
            ("pl.clerk", "พล 0023", "เจ้าหน้าที่สารบรรณ สถจ.พิษณุโลก"),
            ("nmp.clerk", "อำเภอเนินมะปราง", "เจ้าหน้าที่ท้องถิ่นอำเภอเนินมะปราง"),
            (
                "wangyang.clerk",
                "องค์การบริหารส่วนตำบลวังยาง",
                "เจ้าหน้าที่ธุรการ อบต.วังยาง",
            ),
        ] {
            accounts_to_make.push((
                username,
                offices::find(store, office).await?,
                Role::Clerk,
                name,
            ));
        }
    }
    let mut made = Vec::new();
    for (username, at, role, name) in accounts_to_make {
        let password = accounts::one_time_password();
        accounts::add(
            store,
            &actor,
            &at,
            &NewUser {
                username,
                display_name: name,
                role,
                password: &password,
                must_change: true,
            },
        )
        .await?;
        made.push(FirstAccount {
            username: username.into(),
            office: at.fields.name.clone(),
            role,
            password,
        });
    }
    Ok(made)
}

/// Runs the service until Ctrl-C or SIGTERM, finishing requests in flight.
pub async fn serve(
    store: Store,
    addr: SocketAddr,
    font_dirs: &[&std::path::Path],
) -> anyhow::Result<()> {
    let made = first_start(&store).await?;
    let state = AppState::with_fonts(store.clone(), font_dirs)?;
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
    // Peer addresses feed the login throttle (`throttle::ClientAddr`).
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    store.close().await;
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

//! `dossier serve`: a read-only HTTP JSON API over a knowledge base.
//!
//! * Routes, their documentation and their handlers are one table,
//!   [`routes::ROUTES`]; the router ([`router`]) and `/openapi.json`
//!   ([`openapi::document`]) are both derived from it.
//! * Store handles come from a [`pool::StorePool`] (a `Store` is `Send`, not
//!   `Sync`), queries run on blocking threads, in parallel up to the pool size.
//! * Errors always have the shape `{"error": {"code", "message"}}`
//!   ([`error::ApiError`]), including those made by the router and tower-http
//!   layers (rewritten by [`json_errors`]).
//! * An optional bearer token guards every route but `/health`; it is compared
//!   through BLAKE3 digests, whose equality is constant-time.
//!
//! ```no_run
//! let config = dossier_serve::ServeConfig::new("dossier.db");
//! dossier_serve::run(config).unwrap();
//! ```

// The OpenAPI schemas are one large `json!` literal.
#![recursion_limit = "256"]

pub mod api;
pub mod error;
pub mod graph;
mod graph_routes;
pub mod openapi;
pub mod params;
pub mod pool;
pub mod routes;

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use error::{ApiError, ErrorCode};
use pool::{Opener, StorePool};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    pub pool: Arc<StorePool>,
    /// The evidence graph snapshot of the graph routes.
    pub graph: Arc<graph::GraphCache>,
    /// BLAKE3 digest of the token, when one is required.
    token: Option<blake3::Hash>,
    pub(crate) openapi: axum::body::Bytes,
}

impl AppState {
    /// State over `pool`; `token` (if any, and not blank) is required on every
    /// route but `/health`.
    pub fn new(pool: Arc<StorePool>, token: Option<&str>) -> AppState {
        let doc = openapi::document(routes::ROUTES);
        AppState {
            pool,
            graph: Arc::new(graph::GraphCache::default()),
            token: token
                .filter(|t| !t.is_empty())
                .map(|t| blake3::hash(t.as_bytes())),
            openapi: serde_json::to_vec(&doc).unwrap_or_default().into(),
        }
    }
}

/// Request limits enforced by tower-http layers.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Time from request to response; a slower request gets 503 `timeout`.
    pub timeout: Duration,
    /// Largest request body (the API takes none; this only bounds abuse).
    pub max_body: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: Duration::from_secs(30),
            max_body: 16 * 1024,
        }
    }
}

/// The application: every route of [`routes::ROUTES`], a JSON 404 for anything
/// else, auth, limits and the uniform error shape.
pub fn router(state: AppState, limits: Limits) -> Router {
    let mut app = Router::new();
    for r in routes::ROUTES {
        app = app.route(r.path, (r.handler)());
    }
    app.fallback(|| async {
        ApiError::new(
            ErrorCode::NotFound,
            "no such route; the routes are listed in /openapi.json",
        )
    })
    .layer(middleware::from_fn_with_state(state.clone(), auth))
    .layer(RequestBodyLimitLayer::new(limits.max_body))
    .layer(TimeoutLayer::with_status_code(
        StatusCode::SERVICE_UNAVAILABLE,
        limits.timeout,
    ))
    .layer(middleware::from_fn(json_errors))
    .with_state(state)
}

/// Checks `Authorization: Bearer <token>` when the server has a token.
async fn auth(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let Some(expected) = st.token else {
        return next.run(req).await;
    };
    let path = req.uri().path();
    if routes::ROUTES.iter().any(|r| r.public && r.path == path) {
        return next.run(req).await;
    }
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| token.trim().to_string())
        });
    match presented {
        None => ApiError::new(
            ErrorCode::Unauthorized,
            "this server needs a token: send `Authorization: Bearer <token>`",
        )
        .into_response(),
        // blake3::Hash equality is constant-time, and hashing first hides the length.
        Some(t) if blake3::hash(t.as_bytes()) == expected => next.run(req).await,
        Some(_) => ApiError::new(ErrorCode::Unauthorized, "wrong token").into_response(),
    }
}

/// Gives error responses made outside the handlers (router 405, tower-http
/// 413/503, path rejections) the API's error shape.
pub async fn json_errors(req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return resp;
    }
    let allow = resp.headers().get(header::ALLOW).cloned();
    let bytes = axum::body::to_bytes(resp.into_body(), 4096)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes).trim().to_string();
    let message = if text.is_empty() {
        status.canonical_reason().unwrap_or("error").to_string()
    } else {
        text
    };
    let mut out = ApiError::new(ErrorCode::for_status(status), message).into_response();
    *out.status_mut() = status;
    if let Some(allow) = allow {
        out.headers_mut().insert(header::ALLOW, allow);
    }
    out
}

/// How to run the server.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// SQLite path or postgres:// URL, as for every dossier command.
    pub db: String,
    pub bind: IpAddr,
    pub port: u16,
    pub token: Option<String>,
    /// Store handles (= queries in parallel); 0 means two per core.
    pub workers: usize,
    pub limits: Limits,
}

impl ServeConfig {
    pub fn new(db: &str) -> ServeConfig {
        ServeConfig {
            db: db.to_string(),
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 8080,
            token: None,
            workers: 0,
            limits: Limits::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Store(#[from] dossier_store::StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("server: {0}")]
    Io(#[from] std::io::Error),
}

/// Opens the knowledge base, binds and serves until Ctrl-C (or SIGTERM).
pub fn run(config: ServeConfig) -> Result<(), ServeError> {
    let workers = if config.workers == 0 {
        2 * std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        config.workers
    };
    let db = config.db.clone();
    let open: Opener = Arc::new(move || dossier::open_store(&db, false));
    let pool = Arc::new(StorePool::new(open, workers));
    pool.warm_up()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(workers + 4)
        .build()?;
    runtime.block_on(async move {
        let addr = SocketAddr::new(config.bind, config.port);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| ServeError::Bind { addr, source })?;
        let local = listener.local_addr()?;
        let has_token = config.token.as_deref().is_some_and(|t| !t.is_empty());
        eprintln!(
            "dossier serve: http://{local}/ over {} ({} store handles, {}); API description at /openapi.json",
            config.db,
            pool.size(),
            if has_token { "bearer token required" } else { "no token" }
        );
        if !local.ip().is_loopback() && !has_token {
            eprintln!(
                "dossier serve: warning: listening on {} without a token: anyone who can reach this address can read the knowledge base",
                local.ip()
            );
        }
        let app = router(AppState::new(pool, config.token.as_deref()), config.limits);
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown_signal())
            .await?;
        eprintln!("dossier serve: stopped");
        Ok(())
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        // If the handler cannot be installed, only SIGTERM (or a kill) stops us.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
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
}

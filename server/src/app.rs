//! The application state every handler shares, and the router.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::routing::{get, post};
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use roundbook_shared::ids::PeerId;

use crate::auth::LoginThrottle;
use crate::hub::Hub;
use crate::store::{Store, UploadLimits};
use crate::{blobs, reports, routes};

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub hub: Arc<Hub>,
    pub throttle: Arc<LoginThrottle>,
    /// This server process's peer id in the sync protocol.
    pub peer_id: PeerId,
    /// How often an open sync connection checks that its session is still
    /// live, so a sign-out or an expiry also ends syncing already under way.
    pub session_check: Duration,
    /// What a user's unfinished photo uploads are held to.
    pub upload_limits: UploadLimits,
}

impl AppState {
    /// State over `store`. A server sharing its database with others also
    /// passes the store's `changes_elsewhere` to `hub.follow` (as `main`
    /// does), or its tablets would not see the others' changes live.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            hub: Arc::new(Hub::new(store.clone())),
            store,
            throttle: Arc::new(LoginThrottle::default()),
            peer_id: roundbook_shared::ids::random_peer_id("server"),
            session_check: Duration::from_secs(60),
            upload_limits: blobs::DEFAULT_UPLOAD_LIMITS,
        }
    }
}

/// The API, the sync endpoint, and the built app from `web_root`.
pub fn router(state: AppState, web_root: PathBuf) -> Router {
    // Unknown paths are app routes: answer with the app shell.
    let app = ServeDir::new(&web_root).fallback(ServeFile::new(web_root.join("index.html")));
    Router::new()
        .route("/api/health", get(routes::health))
        .route("/api/login", post(routes::login))
        .route("/api/logout", post(routes::logout))
        .route("/api/docs", get(routes::docs))
        .route(
            "/api/uploads/{zone}/{hash}",
            get(blobs::upload_status)
                .put(blobs::upload_part)
                .layer(DefaultBodyLimit::max(
                    roundbook_shared::blob::UPLOAD_CHUNK_BYTES,
                )),
        )
        .route("/api/blobs/{zone}/{hash}", get(blobs::download))
        .route("/api/reports/patrol", get(reports::patrol))
        .route("/sync", get(routes::sync))
        .fallback_service(app)
        // The service worker decides what is cached; the browser must
        // revalidate. Blob downloads set their own (immutable) policy.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

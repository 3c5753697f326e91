//! The router: which handler answers which path, and the layers around them.

use std::path::PathBuf;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, Response};
use axum::routing::{get, patch, post};
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::state::AppState;
use crate::{
    admin, blobs, export, install, password, personal_data, reports, routes, signin, staff, zones,
};

/// How long browsers may keep a build's own files (`/app/<version>/…`): their
/// names change with every build (scripts/build-web), so they never go stale.
const BUILD_FILES: &str = "public, max-age=31536000, immutable";

/// The API, the sync endpoint, and the built app from `web_root`.
///
/// The app's files are served precompressed: scripts/build-web writes a
/// brotli (`.br`) and a gzip (`.gz`) variant beside each compressible file,
/// and the variant the request's `Accept-Encoding` allows (brotli first) is
/// sent with `Content-Encoding`; a file without variants, or a request that
/// accepts neither, gets the file itself. Every answer from the files says
/// `Vary: Accept-Encoding`, so no cache hands one client's variant to another.
pub fn router(state: AppState, web_root: PathBuf) -> Router {
    // Unknown paths are app routes: answer with the app shell.
    let app = Router::new()
        .fallback_service(
            precompressed(ServeDir::new(&web_root)).fallback(
                ServeFile::new(web_root.join("index.html"))
                    .precompressed_br()
                    .precompressed_gzip(),
            ),
        )
        .layer(vary_accept_encoding());
    // A build's files: kept for a year. A missing one is a 404 (never the
    // app shell, which would then be cached under the file's name).
    let build_files = Router::new()
        .fallback_service(precompressed(ServeDir::new(web_root.join("app"))))
        .layer(vary_accept_encoding())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            |response: &Response<axum::body::Body>| {
                response
                    .status()
                    .is_success()
                    .then(|| HeaderValue::from_static(BUILD_FILES))
            },
        ));
    Router::new()
        .route("/api/health", get(routes::health))
        .route("/healthz", get(routes::healthz))
        .route("/metrics", get(routes::metrics))
        .route("/api/login", post(signin::login))
        .route("/api/logout", post(signin::logout))
        .route("/api/login/code", post(signin::login_with_code))
        .route("/api/password", post(password::change))
        .route("/api/device", post(signin::report_device))
        .route("/api/staff", get(staff::directory))
        .route("/api/admin/zones", get(zones::list).post(zones::create))
        .route("/api/admin/zones/{code}", patch(zones::change))
        .route("/api/admin/staff", get(staff::list).post(staff::create))
        .route("/api/admin/staff/{username}", patch(staff::change))
        .route("/api/admin/staff/{username}/disable", post(staff::disable))
        .route(
            "/api/admin/staff/{username}/password-reset",
            post(staff::reset_password),
        )
        .route(
            "/api/admin/staff/{username}/sign-in-code",
            post(staff::issue_sign_in_code),
        )
        .route(
            "/api/admin/devices/{id}/sign-out",
            post(admin::sign_out_device),
        )
        .route("/api/admin/audit", get(admin::audit))
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
        .route("/api/reports/{kind}", get(reports::monthly))
        .route("/api/export", get(export::download))
        .route("/api/personal-data", get(personal_data::search))
        .route("/sync", get(routes::sync))
        .route("/ca.crt", get(install::ca_certificate))
        .route("/install", get(install::page))
        .nest("/app", build_files)
        .fallback_service(app)
        // The service worker decides what is cached; the browser must
        // revalidate index.html, sw.js, the manifest and the icons. Blob
        // downloads and a build's files set their own (immutable) policy.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// `dir` serving the brotli and gzip variants beside its files.
fn precompressed<F>(dir: ServeDir<F>) -> ServeDir<F> {
    dir.precompressed_br().precompressed_gzip()
}

/// Adds `Vary: Accept-Encoding` to the static files' answers.
fn vary_accept_encoding() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::appending(header::VARY, HeaderValue::from_static("accept-encoding"))
}

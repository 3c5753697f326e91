//! HTTP handlers: health, metrics, the document list, and the upgrade to the sync
//! WebSocket. Each handler is small; the rules live in `signin`, `access`
//! and `connection`.

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use roundbook_shared::api::{listed_kinds, DocEntry};
use roundbook_shared::domain::local_date;
use roundbook_shared::reach;
use roundbook_shared::schema::DocKey;

use crate::auth;
use crate::connection;
use crate::error::ApiError;
use crate::signin::{authenticate, final_upload_access, SignedIn};
use crate::state::AppState;
use crate::store::run_blocking;
use crate::syncs::Full;

pub async fn health() -> &'static str {
    "ok"
}

/// How long `/healthz` waits for the database: a load balancer or a
/// monitor asks often and must learn of a stuck database quickly.
const HEALTH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// `GET /healthz`: 200 `ok` when the database answers a trivial query in
/// time, 503 otherwise. No sign-in, and it tells nothing of the data, so a
/// load balancer can ask it.
pub async fn healthz(State(app): State<AppState>) -> (StatusCode, &'static str) {
    let store = app.store.clone();
    let answered =
        tokio::time::timeout(HEALTH_TIMEOUT, run_blocking(move || store.health_check())).await;
    match answered {
        Ok(Ok(())) => (StatusCode::OK, "ok"),
        Ok(Err(error)) => {
            tracing::warn!(%error, "health check: the database failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
        Err(_) => {
            tracing::warn!("health check: the database did not answer in time");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

/// The documents the user's tablet should hold: every reachable document of
/// the current period ([`Access::standing`]), the catalogued patrol logs of the
/// last week, and the catalogued month and quarter documents of the last year
/// (requests stay open across months; cleaning history covers 12 months). A
/// read only: documents not yet in the catalog are registered when first synced.
/// Only kinds the tablet's build knows are listed (`?kinds=`; without it,
/// those the builds before it read: `api::KINDS_OLDER_BUILDS_READ`).
#[derive(Deserialize)]
pub struct DocsQuery {
    /// The kinds the tablet's build knows (`api::known_kinds_param`).
    kinds: Option<String>,
}

pub async fn docs(
    State(app): State<AppState>,
    user: SignedIn,
    Query(query): Query<DocsQuery>,
) -> Result<Json<Vec<DocEntry>>, ApiError> {
    let known = listed_kinds(query.kinds.as_deref());
    let store = app.store.clone();
    let workers_store = app.store.clone();
    let access = run_blocking(move || user.access.with_workers(&*workers_store)).await?;
    let today = local_date(Utc::now().timestamp_millis());
    let site = access.site.clone();
    let (days, periods) = reach::listed_since(today);
    let catalogued = run_blocking(move || store.documents(&site, days, periods)).await?;
    let mut keys: Vec<DocKey> = catalogued
        .into_iter()
        .filter(|key| access.allows(key))
        .chain(access.standing(today))
        .filter(|key| known.contains(&key.kind))
        .collect();
    keys.sort_by(|a, b| (&a.zone, a.kind, a.date).cmp(&(&b.zone, b.kind, b.date)));
    keys.dedup();
    Ok(Json(
        keys.into_iter()
            .map(|key| DocEntry {
                document_id: key.document_id(),
                kind: key.kind,
                period: key.period(),
                zone: key.zone,
            })
            .collect(),
    ))
}

#[derive(Deserialize)]
pub struct SyncQuery {
    token: Option<String>,
}

/// `GET /sync?token=...`: the automerge-repo WebSocket. The token is checked
/// before the upgrade; zones are checked on every message after it.
pub async fn sync(
    State(app): State<AppState>,
    Query(query): Query<SyncQuery>,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let token = query.token.ok_or(ApiError::Unauthorized)?;
    let access = match authenticate(&app, &token).await {
        Ok(user) => user.free_to_work()?.access,
        Err(ApiError::SignedOutRemotely) => final_upload_access(&app, &token).await?,
        Err(other) => return Err(other),
    };
    let store = app.store.clone();
    let now = Utc::now().timestamp_millis();
    let access = run_blocking(move || {
        access
            .with_former_zones(&*store, now)?
            .with_workers(&*store)
    })
    .await?;
    let token_hash = auth::token_hash(&token);
    let limits = &app.limits;
    let ticket = app
        .syncs
        .admit(
            &access.username,
            &token_hash,
            limits.max_syncs_per_user,
            limits.max_syncs,
        )
        .map_err(|full| match full {
            Full::User => ApiError::TooManyConnections,
            Full::Server => ApiError::Busy,
        })?;
    let max_frame = limits.frame.max_frame_bytes;
    Ok(upgrade
        .max_message_size(max_frame)
        .max_frame_size(max_frame)
        .on_upgrade(move |socket| connection::serve(socket, app, access, token_hash, ticket))
        .into_response())
}

/// `GET /metrics`: the metrics, for the bearer of `--metrics-token`. Not
/// found when no token is configured, so a server that does not export them
/// shows no sign of the route; 401 for a missing or wrong token.
pub async fn metrics(
    State(app): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Some(expected) = app.metrics_token.as_deref() else {
        return Err(ApiError::NotFound);
    };
    let offered = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .ok_or(ApiError::Unauthorized)?;
    // Digests compared, not the tokens: how long the comparison takes says
    // nothing about how much of the token was right.
    if Sha256::digest(offered.trim()) != Sha256::digest(expected) {
        return Err(ApiError::Unauthorized);
    }
    Ok((
        [(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)],
        app.metrics.render(),
    )
        .into_response())
}

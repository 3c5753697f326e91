//! HTTP handlers: sign-in and sign-out, the document list, and the upgrade to
//! the sync WebSocket. Each handler is small; the rules live in `auth`,
//! `access` and `connection`.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{Datelike, Duration, Months, NaiveDate, Utc};
use serde::Deserialize;

use roundbook_shared::api::{DocEntry, LoginRequest, LoginResponse, UserProfile};
use roundbook_shared::domain::{local_date, ZoneRef};
use roundbook_shared::protocol::MAX_FRAME_BYTES;
use roundbook_shared::schema::DocKey;

use crate::access::{Access, LISTED_DAYS};
use crate::app::AppState;
use crate::auth;
use crate::connection;
use crate::error::ApiError;
use crate::hub::run_blocking;
use crate::store::Account;

pub async fn health() -> &'static str {
    "ok"
}

pub async fn login(
    State(app): State<AppState>,
    body: Bytes,
) -> Result<Json<LoginResponse>, ApiError> {
    let request: LoginRequest = serde_json::from_slice(&body).map_err(|error| {
        ApiError::BadRequest(format!(
            "expected {{\"username\": \"...\", \"password\": \"...\"}}: {error}"
        ))
    })?;
    let username = request.username.trim().to_owned();
    if username.is_empty() || username.len() > 64 || request.password.len() > 256 {
        return Err(ApiError::BadRequest(
            "username must be 1-64 and password at most 256 characters".into(),
        ));
    }
    app.throttle
        .check(&username, Instant::now())
        .map_err(ApiError::TooManyAttempts)?;

    let store = app.store.clone();
    let lookup = username.clone();
    let account = run_blocking(move || store.account(&lookup)).await?;
    let password = request.password;
    let stored_hash = account.as_ref().map_or_else(
        || auth::decoy_hash().to_owned(),
        |a| a.password_hash.clone(),
    );
    let verified =
        tokio::task::spawn_blocking(move || auth::verify_password(&password, &stored_hash))
            .await
            .map_err(|error| ApiError::Internal(error.to_string()))?;
    let Some(account) = account.filter(|_| verified) else {
        app.throttle.failed(&username, Instant::now());
        return Err(ApiError::InvalidCredentials);
    };
    app.throttle.succeeded(&username);

    let token = auth::new_token();
    let expires = Utc::now() + Duration::from_std(auth::TOKEN_LIFETIME).expect("fits");
    let store = app.store.clone();
    let (hash, name) = (auth::token_hash(&token), account.username.clone());
    let expires_unix = expires.timestamp();
    run_blocking(move || store.create_session(&hash, &name, expires_unix)).await?;

    let (site, zones) = site_and_zones(&app, &account).await?;
    let access = Access::for_account(&account, &codes(&zones));
    tracing::info!(user = %account.username, "signed in");
    Ok(Json(LoginResponse {
        token,
        expires_at: expires.to_rfc3339(),
        user: UserProfile {
            username: account.username,
            display_name: account.display_name,
            roles: account.roles,
            zones: zones
                .into_iter()
                .filter(|zone| access.zones.contains(&zone.code))
                .collect(),
        },
        site,
    }))
}

pub async fn logout(State(app): State<AppState>, user: SignedIn) -> Result<StatusCode, ApiError> {
    let store = app.store.clone();
    let hash = auth::token_hash(&user.token);
    run_blocking(move || store.revoke_session(&hash)).await?;
    tracing::info!(user = %user.access.username, "signed out");
    Ok(StatusCode::NO_CONTENT)
}

/// The documents the user's tablet should hold: every reachable document of
/// the current period ([`Access::standing`]), the catalogued patrol logs of the
/// last week, and the catalogued month and quarter documents of the last year
/// (requests stay open across months; cleaning history covers 12 months). A
/// read only: documents not yet in the catalog are registered when first synced.
pub async fn docs(
    State(app): State<AppState>,
    user: SignedIn,
) -> Result<Json<Vec<DocEntry>>, ApiError> {
    let access = user.access;
    let today = local_date(Utc::now().timestamp_millis());
    let store = app.store.clone();
    let site = access.site.clone();
    let since = Listed {
        days: today - Duration::days(LISTED_DAYS),
        periods: today
            .with_day(1)
            .and_then(|first| first.checked_sub_months(Months::new(LISTED_MONTHS)))
            .unwrap_or(today),
    };
    let catalogued =
        run_blocking(move || store.documents(&site, since.days, since.periods)).await?;
    let mut keys: Vec<DocKey> = catalogued
        .into_iter()
        .filter(|key| access.allows(key))
        .chain(access.standing(today))
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

/// How far back `GET /api/docs` lists catalogued documents.
struct Listed {
    days: NaiveDate,
    periods: NaiveDate,
}

/// Month and quarter documents listed: those starting in the last this many months.
const LISTED_MONTHS: u32 = 12;

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
    let access = authenticate(&app, &token).await?;
    let token_hash = auth::token_hash(&token);
    Ok(upgrade
        .max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        .on_upgrade(move |socket| connection::serve(socket, app, access, token_hash))
        .into_response())
}

/// A request made with a valid bearer token.
pub struct SignedIn {
    token: String,
    pub access: Access,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .ok_or(ApiError::Unauthorized)?
            .trim()
            .to_owned();
        let access = authenticate(app, &token).await?;
        Ok(SignedIn { token, access })
    }
}

/// The access of a live session's user.
async fn authenticate(app: &AppState, token: &str) -> Result<Access, ApiError> {
    if token.is_empty() || token.len() > 128 {
        return Err(ApiError::Unauthorized);
    }
    let store = app.store.clone();
    let hash = auth::token_hash(token);
    let now = Utc::now().timestamp();
    let account = run_blocking(move || {
        let Some(username) = store.session_user(&hash, now)? else {
            return Ok(None);
        };
        store.account(&username)
    })
    .await?
    .ok_or(ApiError::Unauthorized)?;
    let (_, zones) = site_and_zones(app, &account).await?;
    Ok(Access::for_account(&account, &codes(&zones)))
}

async fn site_and_zones(
    app: &AppState,
    account: &Account,
) -> Result<(roundbook_shared::domain::SiteInfo, Vec<ZoneRef>), ApiError> {
    let store = app.store.clone();
    let site = account.site.clone();
    let (info, zones) = run_blocking(move || Ok((store.site(&site)?, store.zones(&site)?))).await?;
    let info =
        info.ok_or_else(|| ApiError::Internal(format!("site {} is missing", account.site)))?;
    Ok((info, zones))
}

fn codes(zones: &[ZoneRef]) -> Vec<String> {
    zones.iter().map(|zone| zone.code.clone()).collect()
}

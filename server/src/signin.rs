//! Signing in and out, and knowing who a request comes from: the
//! `SignedIn` extractor every authenticated handler takes, and the token
//! check the sync upgrade uses. Password hashing and the throttle are
//! `auth`'s; what a signed-in user may reach is `access`'s.

use std::net::{IpAddr, SocketAddr};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use chrono::{Duration, Utc};

use roundbook_shared::api::{LoginRequest, LoginResponse, UserProfile};
use roundbook_shared::domain::ZoneRef;

use crate::access::Access;
use crate::auth::{self, Turned};
use crate::error::ApiError;
use crate::metrics::SignInFailure;
use crate::state::AppState;
use crate::store::{run_blocking, Account};

pub async fn login(
    State(app): State<AppState>,
    address: ClientAddress,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<LoginResponse>, ApiError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim_start().starts_with("application/json"));
    if !json {
        return Err(ApiError::UnsupportedMediaType("application/json"));
    }
    app.sign_in
        .admit(address.0)
        .map_err(|refused| turned(&app, refused))?;
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
        .check(&username, address.0)
        .await?
        .map_err(|secs| turned(&app, Turned::TooMany(secs)))?;

    let store = app.store.clone();
    let lookup = username.clone();
    let account = run_blocking(move || store.account(&lookup)).await?;
    let password = request.password;
    let stored_hash = account.as_ref().map_or_else(
        || auth::decoy_hash().to_owned(),
        |a| a.password_hash.clone(),
    );
    let verified = app
        .sign_in
        .verify(address.0, password, stored_hash)
        .await
        .map_err(|refused| turned(&app, refused))?;
    let Some(account) = account.filter(|_| verified) else {
        app.throttle.failed(&username, address.0).await?;
        app.metrics
            .sign_in_failed(SignInFailure::InvalidCredentials);
        return Err(ApiError::InvalidCredentials);
    };
    app.throttle.succeeded(&username).await?;

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
            must_change_password: false,
        },
        site,
    }))
}

pub async fn logout(State(app): State<AppState>, user: SignedIn) -> Result<StatusCode, ApiError> {
    let store = app.store.clone();
    let hash = auth::token_hash(&user.token);
    let revoked = hash.clone();
    run_blocking(move || store.revoke_session(&revoked)).await?;
    // Its sync sockets end now, not at their next session check.
    app.syncs.end_session(&hash);
    tracing::info!(user = %user.access.username, "signed out");
    Ok(StatusCode::NO_CONTENT)
}

/// A sign-in turned away before its password was checked; a rate limit's
/// refusal counts as a failed sign-in (a busy server's does not).
fn turned(app: &AppState, turned: Turned) -> ApiError {
    match turned {
        Turned::TooMany(secs) => {
            app.metrics.sign_in_failed(SignInFailure::Throttled);
            ApiError::TooManyAttempts(secs)
        }
        Turned::Busy => ApiError::Busy,
    }
}

/// The address a request came from, as the accept loop recorded it (absent
/// only when the router is served some other way, as in unit tests).
pub struct ClientAddress(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(address)| address.ip()),
        ))
    }
}

/// A request made with a valid bearer token.
pub struct SignedIn {
    pub(crate) token: String,
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
pub(crate) async fn authenticate(app: &AppState, token: &str) -> Result<Access, ApiError> {
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

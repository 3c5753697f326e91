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

use roundbook_shared::api::{
    CodeLoginRequest, DeviceReport, LoginRequest, LoginResponse, UserProfile, ZoneEntry,
};
use roundbook_shared::domain::{SiteInfo, ZoneRef};

use crate::access::{within_final_upload, Access};
use crate::auth::{self, Turned};
use crate::body::{require_json, JsonBody};
use crate::error::ApiError;
use crate::metrics::SignInFailure;
use crate::state::AppState;
use crate::store::{run_blocking, Account, Audit, LiveSession, NewPassword, NewSession};

pub async fn login(
    State(app): State<AppState>,
    address: ClientAddress,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<LoginResponse>, ApiError> {
    require_json(&headers)?;
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
    let device = device_name(request.device)?;
    not_locked(&app, &username, &address).await?;

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
    open_session(&app, account, &device).await.map(Json)
}

/// `POST /api/login/code`: signs in with a one-time code the office issued
/// (shown as a QR code holding `roundbook-sign-in:<code>`). The code is used
/// up by the attempt, whatever follows.
pub async fn login_with_code(
    State(app): State<AppState>,
    address: ClientAddress,
    JsonBody(request): JsonBody<CodeLoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    app.sign_in
        .admit(address.0)
        .map_err(|refused| turned(&app, refused))?;
    let code = request.code.trim();
    let code = code.strip_prefix(SIGN_IN_CODE_PREFIX).unwrap_or(code);
    if code.is_empty() || code.len() > 128 {
        return Err(ApiError::InvalidSignInCode);
    }
    let device = device_name(request.device)?;
    let store = app.store.clone();
    let hash = auth::token_hash(code);
    let now = Utc::now().timestamp_millis();
    let account = run_blocking(move || match store.redeem_sign_in_code(&hash, now)? {
        Some(username) => store.account(&username),
        None => Ok(None),
    })
    .await?;
    let Some(mut account) = account else {
        app.metrics
            .sign_in_failed(SignInFailure::InvalidCredentials);
        return Err(ApiError::InvalidSignInCode);
    };
    if account.must_change_password && account.disabled_at.is_none() {
        retire_one_time_password(&app, &account, &device).await?;
        account.must_change_password = false;
    }
    open_session(&app, account, &device).await.map(Json)
}

/// A sign-in code handed over by the office stands in for a one-time
/// password: someone signed in by scanning it has no password to type
/// into a forced change, so the one-time password is replaced by a random
/// one nobody knows (it stops working) and no change is asked for. They
/// get a password of their own when the head resets it.
async fn retire_one_time_password(
    app: &AppState,
    account: &Account,
    device: &str,
) -> Result<(), ApiError> {
    let unknown = crate::validate::one_time_password() + &crate::validate::one_time_password();
    let password_hash = app
        .sign_in
        .hash(unknown)
        .await
        .map_err(|refused| turned(app, refused))?;
    let audit = Audit {
        site: account.site.clone(),
        actor: account.username.clone(),
        device: device.to_owned(),
        at: Utc::now().timestamp_millis(),
        action: "password_changed".into(),
        target: account.username.clone(),
        detail: "signed in with a sign-in code, which retired the one-time password".into(),
    };
    let store = app.store.clone();
    let username = account.username.clone();
    run_blocking(move || {
        let new = NewPassword::chosen(&username, &password_hash, None);
        store.set_password(new, &audit)
    })
    .await?;
    Ok(())
}

/// What a sign-in QR code holds before the code itself.
pub const SIGN_IN_CODE_PREFIX: &str = "roundbook-sign-in:";

/// The longest device name a tablet may give.
const MAX_DEVICE_CHARS: usize = 64;

/// The device name a sign-in gives, trimmed; at most [`MAX_DEVICE_CHARS`].
fn device_name(device: Option<String>) -> Result<String, ApiError> {
    let device = device.unwrap_or_default().trim().to_owned();
    if device.chars().count() > MAX_DEVICE_CHARS || device.chars().any(char::is_control) {
        return Err(ApiError::BadRequest(format!(
            "a device name is at most {MAX_DEVICE_CHARS} characters, without control characters"
        )));
    }
    Ok(device)
}

/// Starts a session for an account whose credentials were checked: refused
/// if the office disabled it.
async fn open_session(
    app: &AppState,
    account: Account,
    device: &str,
) -> Result<LoginResponse, ApiError> {
    if account.disabled_at.is_some() {
        tracing::info!(user = %account.username, "a disabled account tried to sign in");
        return Err(ApiError::AccountDisabled);
    }
    let token = auth::new_token();
    let expires = Utc::now() + Duration::from_std(auth::TOKEN_LIFETIME).expect("fits");
    let store = app.store.clone();
    let (hash, name, device) = (
        auth::token_hash(&token),
        account.username.clone(),
        device.to_owned(),
    );
    let expires_unix = expires.timestamp();
    run_blocking(move || {
        store.create_session(&NewSession {
            token_hash: &hash,
            username: &name,
            expires_unix,
            device: &device,
            now_ms: Utc::now().timestamp_millis(),
        })
    })
    .await?;

    let (site, zones) = site_and_zones(app, &account).await?;
    let access = Access::for_account(&account, &zones);
    tracing::info!(user = %account.username, "signed in");
    Ok(LoginResponse {
        token,
        expires_at: expires.to_rfc3339(),
        user: UserProfile {
            must_change_password: account.must_change_password,
            zones: zones
                .into_iter()
                .filter(|zone| access.writable_zones().any(|code| *code == zone.code))
                .map(|zone| ZoneRef {
                    code: zone.code,
                    name: zone.name,
                })
                .collect(),
            username: account.username,
            display_name: account.display_name,
            roles: account.roles,
        },
        site,
    })
}

pub async fn logout(
    State(app): State<AppState>,
    AnySignedIn(user): AnySignedIn,
) -> Result<StatusCode, ApiError> {
    let store = app.store.clone();
    let hash = auth::token_hash(&user.token);
    let revoked = hash.clone();
    run_blocking(move || store.revoke_session(&revoked)).await?;
    // Its sync sockets end now, not at their next session check.
    app.syncs.end_session(&hash);
    tracing::info!(user = %user.access.username, "signed out");
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/device`: what the tablet reports about itself (what it has
/// not uploaded yet), for the office head's device list.
pub async fn report_device(
    State(app): State<AppState>,
    user: SignedIn,
    JsonBody(report): JsonBody<DeviceReport>,
) -> Result<StatusCode, ApiError> {
    let store = app.store.clone();
    let hash = auth::token_hash(&user.token);
    let now = Utc::now().timestamp_millis();
    run_blocking(move || store.touch_session(&hash, now, Some(report.pending))).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Refuses while failed sign-ins have locked the name or the address.
pub(crate) async fn not_locked(
    app: &AppState,
    username: &str,
    address: &ClientAddress,
) -> Result<(), ApiError> {
    app.throttle
        .check(username, address.0)
        .await?
        .map_err(|secs| turned(app, Turned::TooMany(secs)))
}

/// A sign-in turned away before its password was checked; a rate limit's
/// refusal counts as a failed sign-in (a busy server's does not).
pub(crate) fn turned(app: &AppState, turned: Turned) -> ApiError {
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

/// A request made with a valid bearer token, by a user free to work (no
/// password change pending: that answers 403 `password_change_required`).
pub struct SignedIn {
    pub(crate) token: String,
    pub access: Access,
    /// The session the token opened, for the audit trail's device.
    pub session: LiveSession,
    /// The office reset the password: it must be changed before anything else.
    pub must_change_password: bool,
}

impl SignedIn {
    /// Refuses a user who must change their password first.
    pub fn free_to_work(self) -> Result<SignedIn, ApiError> {
        if self.must_change_password {
            return Err(ApiError::PasswordChangeRequired);
        }
        Ok(self)
    }
}

/// A request made with a valid bearer token, even by a user who must change
/// their password first: only signing out and changing the password take it.
pub struct AnySignedIn(pub SignedIn);

impl FromRequestParts<AppState> for AnySignedIn {
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
        authenticate(app, &token).await.map(AnySignedIn)
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        let AnySignedIn(user) = AnySignedIn::from_request_parts(parts, app).await?;
        user.free_to_work()
    }
}

/// How long a session's `last_seen` may lag: requests within it write nothing.
const SEEN_PRECISION_MS: i64 = 60_000;

/// The live session of a token and its user's access. A session someone
/// else ended answers `signed_out_remotely`, any other dead one `unauthorized`.
pub(crate) async fn authenticate(app: &AppState, token: &str) -> Result<SignedIn, ApiError> {
    if token.is_empty() || token.len() > 128 {
        return Err(ApiError::Unauthorized);
    }
    let store = app.store.clone();
    let hash = auth::token_hash(token);
    let now = Utc::now();
    let found = run_blocking(move || {
        let Some(session) = store.live_session(&hash, now.timestamp())? else {
            return Ok(Err(store.ended_remotely(&hash)?.is_some()));
        };
        let account = store.account(&session.username)?;
        let now_ms = now.timestamp_millis();
        if now_ms - session.last_seen >= SEEN_PRECISION_MS {
            store.touch_session(&hash, now_ms, None)?;
        }
        Ok(Ok((session, account)))
    })
    .await?;
    let (session, account) = match found {
        Ok((session, Some(account))) => (session, account),
        Ok((_, None)) | Err(false) => return Err(ApiError::Unauthorized),
        Err(true) => return Err(ApiError::SignedOutRemotely),
    };
    if account.disabled_at.is_some() {
        return Err(ApiError::SignedOutRemotely);
    }
    let (_, zones) = site_and_zones(app, &account).await?;
    Ok(SignedIn {
        token: token.to_owned(),
        access: Access::for_account(&account, &zones),
        session,
        must_change_password: account.must_change_password,
    })
}

/// The reach of a session someone else ended, for its tablet's final
/// upload over `/sync` (`connection`): the user's zones and roles as they
/// stand, `final_upload_before` the moment it ended. Refused once the
/// window for it has passed.
pub(crate) async fn final_upload_access(app: &AppState, token: &str) -> Result<Access, ApiError> {
    let store = app.store.clone();
    let hash = auth::token_hash(token);
    let ended = run_blocking(move || {
        let Some((username, ended_at)) = store.ended_remotely(&hash)? else {
            return Ok(None);
        };
        Ok(store.account(&username)?.map(|account| (account, ended_at)))
    })
    .await?;
    let Some((account, ended_at)) = ended else {
        return Err(ApiError::SignedOutRemotely);
    };
    if !within_final_upload(ended_at, Utc::now().timestamp_millis()) {
        return Err(ApiError::SignedOutRemotely);
    }
    let (_, zones) = site_and_zones(app, &account).await?;
    Ok(Access {
        final_upload_before: Some(ended_at),
        ..Access::for_account(&account, &zones)
    })
}

/// The account's site and every zone of it, retired ones too.
pub(crate) async fn site_and_zones(
    app: &AppState,
    account: &Account,
) -> Result<(SiteInfo, Vec<ZoneEntry>), ApiError> {
    let store = app.store.clone();
    let site = account.site.clone();
    let (info, zones) =
        run_blocking(move || Ok((store.site(&site)?, store.zone_list(&site)?))).await?;
    let info =
        info.ok_or_else(|| ApiError::Internal(format!("site {} is missing", account.site)))?;
    Ok((info, zones))
}

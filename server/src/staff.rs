//! Staff: the directory every signed-in user picks assignees from
//! (`GET /api/staff`, no personal data), and the office's staff
//! administration under `/api/admin/staff` — create, edit roles, zones and
//! phone, disable, reset a password, issue a sign-in code.
//!
//! Every change writes its audit row in the same transaction; disabling and
//! resetting end the user's sessions remotely and close their sockets here
//! (other servers close theirs at their next session check). An edit of
//! roles or zones reaches open sync connections at their next session
//! check (`connection::Connection::refresh_access`).

use std::collections::BTreeSet;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use serde::de::DeserializeOwned;

use roundbook_shared::api::{
    DeviceEntry, NewStaff, OneTimePassword, SignInCode, StaffEntry, StaffMember, StaffPatch,
    ZoneEntry,
};
use roundbook_shared::domain::Role;

use crate::access::Access;
use crate::admin::Administrator;
use crate::auth::{self, Turned};
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::signin::SignedIn;
use crate::state::AppState;
use crate::store::{run_blocking, Account, NewPassword};
use crate::validate;

/// How long a sign-in code is valid.
const SIGN_IN_CODE_LIFETIME_MS: i64 = 24 * 3600 * 1000;
/// Zones one account may be given.
const MAX_ZONES: usize = 100;

/// `GET /api/staff`: the site's staff who can be assigned work: enabled
/// accounts, their roles and zones, no phone.
pub async fn directory(
    State(app): State<AppState>,
    user: SignedIn,
) -> Result<Json<Vec<StaffMember>>, ApiError> {
    let store = app.store.clone();
    let site = user.access.site.clone();
    let accounts = run_blocking(move || store.accounts(&site)).await?;
    Ok(Json(
        accounts
            .into_iter()
            .filter(|account| account.disabled_at.is_none())
            .map(|account| StaffMember {
                username: account.username,
                name: account.display_name,
                roles: account.roles,
                zones: account.zones,
            })
            .collect(),
    ))
}

/// `GET /api/admin/staff`: every account of the site with its devices.
pub async fn list(
    State(app): State<AppState>,
    admin: Administrator,
) -> Result<Json<Vec<StaffEntry>>, ApiError> {
    let store = app.store.clone();
    let site = admin.site().to_owned();
    let now = Utc::now().timestamp();
    let (accounts, mut sessions) =
        run_blocking(move || Ok((store.accounts(&site)?, store.site_sessions(&site, now)?)))
            .await?;
    Ok(Json(
        accounts
            .into_iter()
            .map(|account| {
                let devices = take_devices(&mut sessions, &account.username);
                entry(account, devices)
            })
            .collect(),
    ))
}

/// `POST /api/admin/staff`: 201 with the one-time password (absent when the
/// body chose the password; then no change is forced).
pub async fn create(
    State(app): State<AppState>,
    admin: Administrator,
    JsonBody(body): JsonBody<serde_json::Value>,
) -> Result<(StatusCode, Json<OneTimePassword>), ApiError> {
    let new: NewStaff = staff_body(body)?;
    validate::username(&new.username)?;
    let display_name = validate::name(&new.name)?;
    let phone = optional_phone(new.phone.as_deref())?;
    let zones = site_zones(&app, admin.site()).await?;
    let roles = checked_roles(&new.roles, &[], &admin)?;
    let assigned = checked_zones(&new.zones, &[], &zones)?;
    if let Some(password) = &new.password {
        validate::new_password(&new.username, password)?;
    }
    let taken = || ApiError::Conflict("username_taken", format!("{:?} is taken", new.username));
    let store = app.store.clone();
    let lookup = new.username.clone();
    if run_blocking(move || store.account(&lookup))
        .await?
        .is_some()
    {
        return Err(taken());
    }
    let one_time = new.password.is_none().then(validate::one_time_password);
    let password = new
        .password
        .clone()
        .or_else(|| one_time.clone())
        .expect("one of the two");
    let account = Account {
        username: new.username.clone(),
        display_name,
        site: admin.site().to_owned(),
        password_hash: hash(&app, password).await?,
        roles,
        zones: assigned,
        phone,
        disabled_at: None,
        must_change_password: one_time.is_some(),
    };
    let audit = admin.audit(
        "staff_created",
        &account.username,
        format!(
            "{}; {}",
            describe_roles(&account.roles),
            describe_zones(&account.zones)
        ),
    );
    let store = app.store.clone();
    if !run_blocking(move || store.create_account(&account, &audit)).await? {
        return Err(taken());
    }
    tracing::info!(by = %admin.username(), user = %new.username, "staff created");
    Ok((
        StatusCode::CREATED,
        Json(OneTimePassword {
            one_time_password: one_time,
        }),
    ))
}

/// `PATCH /api/admin/staff/{username}`: name, phone, roles, zones.
pub async fn change(
    State(app): State<AppState>,
    admin: Administrator,
    Path(username): Path<String>,
    JsonBody(body): JsonBody<serde_json::Value>,
) -> Result<Json<StaffEntry>, ApiError> {
    let patch: StaffPatch = staff_body(body)?;
    let old = staff_account(&app, &admin, &username).await?;
    let zones = site_zones(&app, admin.site()).await?;
    let mut new = old.clone();
    if let Some(name) = &patch.name {
        new.display_name = validate::name(name)?;
    }
    if let Some(phone) = &patch.phone {
        new.phone = optional_phone(Some(phone))?;
    }
    if let Some(roles) = &patch.roles {
        if old.username == admin.username() && roles.as_slice() != old.roles.as_slice() {
            return Err(ApiError::RoleForbidden);
        }
        new.roles = checked_roles(roles, &old.roles, &admin)?;
    }
    if let Some(assigned) = &patch.zones {
        new.zones = checked_zones(assigned, &old.zones, &zones)?;
    }
    let changes = describe_change(&old, &new);
    if !changes.is_empty() {
        let lost = lost_zones(&old, &new, &zones);
        let audit = admin.audit("staff_changed", &username, changes.join("; "));
        let store = app.store.clone();
        let stored = new.clone();
        run_blocking(move || store.change_account(&stored, &lost, &audit)).await?;
        tracing::info!(by = %admin.username(), user = %username, "staff changed");
    }
    Ok(Json(entry_with_devices(&app, new).await?))
}

/// `POST /api/admin/staff/{username}/disable`: the account signs in no more;
/// every session ends remotely at once.
pub async fn disable(
    State(app): State<AppState>,
    admin: Administrator,
    Path(username): Path<String>,
) -> Result<Json<StaffEntry>, ApiError> {
    let account = staff_account(&app, &admin, &username).await?;
    if account.username == admin.username() {
        return Err(ApiError::Invalid(
            "cannot_disable_yourself",
            "an administrator cannot disable their own account".into(),
        ));
    }
    let audit = admin.audit(
        "staff_disabled",
        &username,
        "disabled; every session ended".into(),
    );
    let store = app.store.clone();
    let name = username.clone();
    let ended = run_blocking(move || store.disable_account(&name, &audit)).await?;
    app.syncs.end_sessions(&ended);
    tracing::info!(by = %admin.username(), user = %username, sessions = ended.len(), "staff disabled");
    let store = app.store.clone();
    let account = run_blocking(move || store.account(&username))
        .await?
        .unwrap_or(account);
    Ok(Json(entry_with_devices(&app, account).await?))
}

/// `POST /api/admin/staff/{username}/password-reset`: a new one-time
/// password, changed at next sign-in; the user's sessions end remotely.
pub async fn reset_password(
    State(app): State<AppState>,
    admin: Administrator,
    Path(username): Path<String>,
) -> Result<Json<OneTimePassword>, ApiError> {
    staff_account(&app, &admin, &username).await?;
    let password = validate::one_time_password();
    let password_hash = hash(&app, password.clone()).await?;
    let audit = admin.audit(
        "password_reset",
        &username,
        "one-time password issued; sessions ended".into(),
    );
    let store = app.store.clone();
    let name = username.clone();
    let ended = run_blocking(move || {
        store.set_password(NewPassword::one_time(&name, &password_hash), &audit)
    })
    .await?;
    app.syncs.end_sessions(&ended);
    tracing::info!(by = %admin.username(), user = %username, "password reset");
    Ok(Json(OneTimePassword {
        one_time_password: Some(password),
    }))
}

/// `POST /api/admin/staff/{username}/sign-in-code`: a single-use code,
/// valid 24 hours, for the tablet's sign-in QR (stored hashed).
pub async fn issue_sign_in_code(
    State(app): State<AppState>,
    admin: Administrator,
    Path(username): Path<String>,
) -> Result<Json<SignInCode>, ApiError> {
    let account = staff_account(&app, &admin, &username).await?;
    if account.disabled_at.is_some() {
        return Err(ApiError::AccountDisabled);
    }
    let code = auth::new_token();
    let expires_at = Utc::now().timestamp_millis() + SIGN_IN_CODE_LIFETIME_MS;
    let audit = admin.audit(
        "sign_in_code_issued",
        &username,
        "valid 24 hours, once".into(),
    );
    let store = app.store.clone();
    let hash = auth::token_hash(&code);
    run_blocking(move || store.issue_sign_in_code(&hash, expires_at, &audit)).await?;
    Ok(Json(SignInCode { code, expires_at }))
}

/// A staff body, with an unknown role named as such (`unknown_role`)
/// rather than as a body that does not parse.
fn staff_body<T: DeserializeOwned>(body: serde_json::Value) -> Result<T, ApiError> {
    if let Some(roles) = body.get("roles").and_then(|roles| roles.as_array()) {
        for role in roles {
            if role.as_str().and_then(Role::parse).is_none() {
                return Err(ApiError::Invalid(
                    "unknown_role",
                    format!("{role} is not a role"),
                ));
            }
        }
    }
    serde_json::from_value(body)
        .map_err(|error| ApiError::BadRequest(format!("not the expected JSON body: {error}")))
}

/// The roles to store: at least one, each once. Only an office head may
/// give or take away the office head's and the administrator's roles, so
/// an IT administrator cannot make themselves or anyone a reader of every
/// record.
fn checked_roles(
    roles: &[Role],
    before: &[Role],
    admin: &Administrator,
) -> Result<Vec<Role>, ApiError> {
    let roles: Vec<Role> = roles
        .iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if roles.is_empty() {
        return Err(ApiError::Invalid(
            "no_roles",
            "give at least one role".into(),
        ));
    }
    let is_head = admin.0.access.roles.contains(&Role::OfficeHead);
    let guarded = |role: &Role| matches!(role, Role::OfficeHead | Role::Admin);
    let touched = roles
        .iter()
        .filter(|role| guarded(role) && !before.contains(role))
        .chain(
            before
                .iter()
                .filter(|role| guarded(role) && !roles.contains(role)),
        )
        .next()
        .is_some();
    if touched && !is_head {
        return Err(ApiError::RoleForbidden);
    }
    Ok(roles)
}

/// The zones to store: each a zone of the site, each once; a retired zone
/// only if the account had it already.
fn checked_zones(
    wanted: &[String],
    before: &[String],
    site_zones: &[ZoneEntry],
) -> Result<Vec<String>, ApiError> {
    let wanted: BTreeSet<&String> = wanted.iter().collect();
    if wanted.len() > MAX_ZONES {
        return Err(ApiError::Invalid(
            "unknown_zone",
            format!("at most {MAX_ZONES} zones"),
        ));
    }
    for code in &wanted {
        let usable = site_zones
            .iter()
            .find(|zone| zone.code == **code)
            .is_some_and(|zone| !zone.retired || before.contains(code));
        if !usable {
            return Err(ApiError::Invalid(
                "unknown_zone",
                format!("the site has no zone {code:?} open to new staff"),
            ));
        }
    }
    Ok(wanted.into_iter().cloned().collect())
}

/// `None` for no phone or `""` (removing it), else a checked phone.
fn optional_phone(phone: Option<&str>) -> Result<Option<String>, ApiError> {
    match phone.map(str::trim) {
        None | Some("") => Ok(None),
        Some(phone) => validate::phone(phone).map(Some),
    }
}

/// Zones the account reached before and no longer does (by its roles as
/// well as its assigned zones), for `zone_departures`.
fn lost_zones(old: &Account, new: &Account, zones: &[ZoneEntry]) -> Vec<String> {
    let before = Access::for_account(old, zones).zones;
    let after = Access::for_account(new, zones).zones;
    before
        .into_iter()
        .filter(|zone| !after.contains(zone))
        .collect()
}

fn describe_change(old: &Account, new: &Account) -> Vec<String> {
    let mut changes = Vec::new();
    if old.display_name != new.display_name {
        changes.push(format!(
            "name {:?} -> {:?}",
            old.display_name, new.display_name
        ));
    }
    if old.phone != new.phone {
        // The audit trail keeps no phone numbers: only that it changed.
        changes.push("phone changed".into());
    }
    if old.roles != new.roles {
        changes.push(describe_roles(&new.roles));
    }
    if old.zones != new.zones {
        changes.push(describe_zones(&new.zones));
    }
    changes
}

fn describe_roles(roles: &[Role]) -> String {
    let roles: Vec<_> = roles.iter().map(|role| role.as_str()).collect();
    format!("roles {}", roles.join(", "))
}

fn describe_zones(zones: &[String]) -> String {
    format!("zones {}", zones.join(", "))
}

/// The account `username` of the administrator's site (404 otherwise).
async fn staff_account(
    app: &AppState,
    admin: &Administrator,
    username: &str,
) -> Result<Account, ApiError> {
    let store = app.store.clone();
    let lookup = username.to_owned();
    let account = if username.len() <= 64 {
        run_blocking(move || store.account(&lookup)).await?
    } else {
        None
    };
    account
        .filter(|account| account.site == admin.site())
        .ok_or_else(|| ApiError::Missing("no_such_staff", format!("no staff member {username:?}")))
}

async fn site_zones(app: &AppState, site: &str) -> Result<Vec<ZoneEntry>, ApiError> {
    let store = app.store.clone();
    let site = site.to_owned();
    Ok(run_blocking(move || store.zone_list(&site)).await?)
}

/// Hashes a new password on the password checkers (their bound applies).
async fn hash(app: &AppState, password: String) -> Result<String, ApiError> {
    app.sign_in
        .hash(password)
        .await
        .map_err(|turned| match turned {
            Turned::Busy | Turned::TooMany(_) => ApiError::Busy,
        })
}

async fn entry_with_devices(app: &AppState, account: Account) -> Result<StaffEntry, ApiError> {
    let store = app.store.clone();
    let site = account.site.clone();
    let now = Utc::now().timestamp();
    let mut sessions = run_blocking(move || store.site_sessions(&site, now)).await?;
    let devices = take_devices(&mut sessions, &account.username);
    Ok(entry(account, devices))
}

/// Takes `username`'s devices out of the site's sessions (newest first).
fn take_devices(sessions: &mut Vec<(String, DeviceEntry)>, username: &str) -> Vec<DeviceEntry> {
    let (theirs, others): (Vec<_>, Vec<_>) = std::mem::take(sessions)
        .into_iter()
        .partition(|(holder, _)| holder == username);
    *sessions = others;
    theirs.into_iter().map(|(_, device)| device).collect()
}

fn entry(account: Account, devices: Vec<DeviceEntry>) -> StaffEntry {
    StaffEntry {
        username: account.username,
        name: account.display_name,
        phone: account.phone,
        roles: account.roles,
        zones: account.zones,
        disabled: account.disabled_at.is_some(),
        must_change_password: account.must_change_password,
        devices,
    }
}

//! Running the office: who may (`Administrator`: the office head and the IT
//! administrator, `Role::administers`), the audit trail every action writes,
//! and signing a device out. Zones are `zones`'s, staff `staff`'s.
//!
//! Must not: let anyone else reach `/api/admin/*` (403 `role_forbidden`,
//! before the body is read), or change anything without its audit row.

use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;

use roundbook_shared::api::AuditEntry;

use crate::error::ApiError;
use crate::signin::SignedIn;
use crate::state::AppState;
use crate::store::{run_blocking, Audit, SessionEnd};

/// A signed-in user whose roles administer the office.
pub struct Administrator(pub SignedIn);

impl FromRequestParts<AppState> for Administrator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        let user = SignedIn::from_request_parts(parts, app).await?;
        if !user.access.roles.iter().any(|role| role.administers()) {
            tracing::info!(user = %user.access.username, path = %parts.uri.path(), "refused: not an administrator");
            return Err(ApiError::AdminOnly);
        }
        Ok(Administrator(user))
    }
}

impl Administrator {
    pub fn site(&self) -> &str {
        &self.0.access.site
    }

    pub fn username(&self) -> &str {
        &self.0.access.username
    }

    /// The audit row of an action by this administrator, now, from the
    /// device of their session.
    pub fn audit(&self, action: &str, target: &str, detail: String) -> Audit {
        audit_by(&self.0, action, target, detail)
    }
}

/// The audit row of an action by `user`, now, from their session's device.
pub fn audit_by(user: &SignedIn, action: &str, target: &str, detail: String) -> Audit {
    Audit {
        site: user.access.site.clone(),
        actor: user.access.username.clone(),
        device: user.session.device.clone(),
        at: Utc::now().timestamp_millis(),
        action: action.into(),
        target: target.into(),
        detail,
    }
}

/// Audit rows answered when no `limit` is given, and the most one may ask.
const DEFAULT_AUDIT_ROWS: usize = 100;
const MAX_AUDIT_ROWS: usize = 500;

/// `GET /api/admin/audit[?limit=N]`: the site's trail, newest first.
pub async fn audit(
    State(app): State<AppState>,
    admin: Administrator,
    RawQuery(query): RawQuery,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let limit = audit_limit(query.as_deref())?;
    let store = app.store.clone();
    let site = admin.site().to_owned();
    Ok(Json(run_blocking(move || store.audit(&site, limit)).await?))
}

fn audit_limit(query: Option<&str>) -> Result<usize, ApiError> {
    let mut limit = DEFAULT_AUDIT_ROWS;
    for pair in query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
    {
        match pair.split_once('=') {
            Some(("limit", value)) => {
                limit = value
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=MAX_AUDIT_ROWS).contains(n))
                    .ok_or_else(|| {
                        ApiError::BadRequest(format!(
                            "limit is a number from 1 to {MAX_AUDIT_ROWS}"
                        ))
                    })?;
            }
            _ => return Err(ApiError::BadRequest(format!("unknown parameter {pair:?}"))),
        }
    }
    Ok(limit)
}

/// `POST /api/admin/devices/{id}/sign-out`: ends one session of the site's
/// remotely; its sockets here close at once, elsewhere at their next check.
pub async fn sign_out_device(
    State(app): State<AppState>,
    admin: Administrator,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let missing = || ApiError::Missing("no_such_device", format!("no signed-in device {id:?}"));
    if id.is_empty() || id.len() > 64 {
        return Err(missing());
    }
    let store = app.store.clone();
    let site = admin.site().to_owned();
    let (session, now) = (id.clone(), Utc::now().timestamp());
    let owner = {
        let store = store.clone();
        let (site, session) = (site.clone(), session.clone());
        run_blocking(move || {
            Ok(store
                .site_sessions(&site, now)?
                .into_iter()
                .find(|(_, device)| device.id == session)
                .map(|(username, device)| (username, device.device)))
        })
        .await?
    };
    let Some((username, device)) = owner else {
        return Err(missing());
    };
    let audit = admin.audit(
        "device_signed_out",
        &username,
        format!("signed out the device {device:?} (session {id})"),
    );
    let ended = run_blocking(move || store.end_session(&session, SessionEnd::SignedOut, &audit))
        .await?
        .ok_or_else(missing)?;
    app.syncs.end_session(&ended);
    tracing::info!(by = %admin.username(), user = %username, "signed a device out");
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_audit_limit_is_bounded() {
        assert_eq!(audit_limit(None).unwrap(), DEFAULT_AUDIT_ROWS);
        assert_eq!(audit_limit(Some("limit=3")).unwrap(), 3);
        for bad in ["limit=0", "limit=501", "limit=x", "offset=2"] {
            assert!(audit_limit(Some(bad)).is_err(), "{bad}");
        }
    }
}

//! `/api/admin/zones`: the office lists, creates, renames and retires its
//! zones (片区). A retired zone keeps its records and reports; nobody
//! records in it (`Access::writes_to`). Zones are never deleted.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

use roundbook_shared::api::{NewZone, ZoneEntry, ZonePatch};

use crate::admin::Administrator;
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::run_blocking;
use crate::validate;

/// `GET /api/admin/zones`: every zone of the site, retired ones too.
pub async fn list(
    State(app): State<AppState>,
    admin: Administrator,
) -> Result<Json<Vec<ZoneEntry>>, ApiError> {
    let store = app.store.clone();
    let site = admin.site().to_owned();
    Ok(Json(run_blocking(move || store.zone_list(&site)).await?))
}

/// `POST /api/admin/zones`: 201 with the new zone; 409 `zone_exists`.
pub async fn create(
    State(app): State<AppState>,
    admin: Administrator,
    JsonBody(new): JsonBody<NewZone>,
) -> Result<(StatusCode, Json<ZoneEntry>), ApiError> {
    validate::zone_code(&new.code)?;
    let zone = ZoneEntry {
        name: validate::name(&new.name)?,
        code: new.code,
        retired: false,
    };
    let audit = admin.audit("zone_created", &zone.code, format!("name {:?}", zone.name));
    let store = app.store.clone();
    let site = admin.site().to_owned();
    let stored = zone.clone();
    if !run_blocking(move || store.create_zone(&site, &stored, &audit)).await? {
        return Err(ApiError::Conflict(
            "zone_exists",
            format!("the site has a zone {:?}", zone.code),
        ));
    }
    tracing::info!(by = %admin.username(), zone = %zone.code, "zone created");
    Ok((StatusCode::CREATED, Json(zone)))
}

/// `PATCH /api/admin/zones/{code}`: renames, retires or brings back.
pub async fn change(
    State(app): State<AppState>,
    admin: Administrator,
    Path(code): Path<String>,
    JsonBody(patch): JsonBody<ZonePatch>,
) -> Result<Json<ZoneEntry>, ApiError> {
    let missing = || ApiError::Missing("no_such_zone", format!("the site has no zone {code:?}"));
    let store = app.store.clone();
    let site = admin.site().to_owned();
    let zones = run_blocking(move || store.zone_list(&site)).await?;
    let old = zones
        .into_iter()
        .find(|zone| zone.code == code)
        .ok_or_else(missing)?;
    let new = ZoneEntry {
        name: patch
            .name
            .as_deref()
            .map(validate::name)
            .transpose()?
            .unwrap_or_else(|| old.name.clone()),
        retired: patch.retired.unwrap_or(old.retired),
        code: old.code.clone(),
    };
    let mut changes = Vec::new();
    if new.name != old.name {
        changes.push(format!("name {:?} -> {:?}", old.name, new.name));
    }
    if new.retired != old.retired {
        changes.push(
            if new.retired {
                "retired"
            } else {
                "brought back"
            }
            .to_owned(),
        );
    }
    if changes.is_empty() {
        return Ok(Json(new));
    }
    let audit = admin.audit("zone_changed", &new.code, changes.join("; "));
    let store = app.store.clone();
    let site = admin.site().to_owned();
    let stored = new.clone();
    if !run_blocking(move || store.change_zone(&site, &stored, &audit)).await? {
        return Err(missing());
    }
    tracing::info!(by = %admin.username(), zone = %new.code, "zone changed");
    Ok(Json(new))
}

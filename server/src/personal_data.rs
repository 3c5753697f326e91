//! A resident's request to see what the office holds about them:
//! `GET /api/personal-data?q=<unit or phone>[&format=csv]` lists every
//! record of the head's site that names that unit or phone
//! (`roundbook_shared::personal_search`), as JSON for the screen or as a
//! CSV file marked as personal data.
//!
//! Only the heads may ask (the answer is personal data by definition), and
//! each search and each export is written to the audit trail with what was
//! searched and how many records were found. It reads stored documents
//! only, of the kinds whose records hold personal data, in every period
//! (a resident may ask about years past); it never writes a record.
//! Erasing what it finds is not built: see docs/residents.md.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value;

use roundbook_shared::domain::{local_date, local_datetime, PERSONAL_DATA_LINE};
use roundbook_shared::personal_search::{self, Found, Query as Search};
use roundbook_shared::schema::export::record_type;
use roundbook_shared::schema::resident::Unit;
use roundbook_shared::schema::{list, Container, DocKey, DocKind};

use crate::access::Access;
use crate::admin::audit_by;
use crate::error::ApiError;
use crate::hub;
use crate::signin::SignedIn;
use crate::state::AppState;
use crate::store::{run_blocking, Store, StoreError};

/// The most records one answer lists: beyond it the search is too wide to
/// be one person's.
pub const MAX_FOUND: usize = 2_000;

#[derive(Debug, Deserialize)]
pub struct PersonalQuery {
    q: String,
    format: Option<String>,
}

/// Whether a container's records are searched: those holding personal data,
/// and the directory's units (so a unit searched shows itself).
fn searched(container: Container) -> bool {
    record_type(container).personal || container == Container::Units
}

/// `GET /api/personal-data`: for the heads only.
pub async fn search(
    State(app): State<AppState>,
    user: SignedIn,
    query: Result<Query<PersonalQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    if !user.access.roles.iter().any(|role| role.heads_office()) {
        return Err(ApiError::RoleForbidden);
    }
    let Query(query) =
        query.map_err(|_| ApiError::BadRequest("expected ?q=<unit or phone>".into()))?;
    let search =
        Search::parse(&query.q).map_err(|error| ApiError::BadRequest(error.to_string()))?;
    let csv = match query.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => return Err(ApiError::BadRequest("format is json or csv".into())),
    };
    let (store, access) = (app.store.clone(), user.access.clone());
    let action = if csv {
        "personal_data.export"
    } else {
        "personal_data.search"
    };
    let mut audit = audit_by(&user, action, query.q.trim(), String::new());
    let found = run_blocking(move || {
        let found = find(store.as_ref(), &access, &search)?;
        audit.detail = format!("{} records", found.len());
        store.record_audit(&audit)?;
        Ok(found)
    })
    .await?;
    tracing::info!(user = %user.access.username, found = found.len(), csv, "searched a resident's data");
    if !csv {
        return Ok((no_store(), Json(found)).into_response());
    }
    let today = local_date(chrono::Utc::now().timestamp_millis()).format("%Y%m%d");
    let name = format!("personal-data-{}-{today}-personal.csv", user.access.site);
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .map_err(|error| ApiError::Internal(error.to_string()))?;
    Ok((
        no_store(),
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        csv_text(&found).map_err(|error| ApiError::Internal(error.to_string()))?,
    )
        .into_response())
}

/// Personal data: no cache keeps a copy.
fn no_store() -> [(header::HeaderName, HeaderValue); 1] {
    [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))]
}

/// Every record of `access`'s site that `search` finds, oldest document
/// first, at most [`MAX_FOUND`].
pub fn find(store: &dyn Store, access: &Access, search: &Search) -> Result<Vec<Found>, StoreError> {
    let since = NaiveDate::from_ymd_opt(2000, 1, 1).expect("a date");
    let keys: Vec<DocKey> = store
        .documents(&access.site, since, since)?
        .into_iter()
        .filter(|key| access.allows(key) && key.kind.containers().any(searched))
        .collect();
    let mut unreadable = 0;
    let mut units: Vec<Unit> = Vec::new();
    for key in keys
        .iter()
        .filter(|key| key.kind == DocKind::ResidentDirectory)
    {
        if let Some(doc) = hub::load_stored(store, key, &mut unreadable)? {
            units.extend(list::<Unit>(&doc).unwrap_or_default());
        }
    }
    let unit_ids = personal_search::unit_ids(search, &units);
    let mut found = Vec::new();
    for key in &keys {
        let Some(doc) = hub::load_stored(store, key, &mut unreadable)? else {
            continue;
        };
        for container in key.kind.containers().filter(|c| searched(*c)) {
            let Ok(rows) = record_type(container).rows(&doc) else {
                continue;
            };
            for row in rows {
                if !personal_search::matches(&row.fields, search, &unit_ids) {
                    continue;
                }
                found.push(Found {
                    kind: key.kind,
                    record: container.name().to_owned(),
                    zone: key.zone.clone(),
                    period: key.period(),
                    id: row.id,
                    made_at: row.made_at,
                    fields: row.fields,
                });
                if found.len() >= MAX_FOUND {
                    return Ok(found);
                }
            }
        }
    }
    if unreadable > 0 {
        tracing::warn!(
            unreadable,
            "documents did not load for a personal-data search"
        );
    }
    Ok(found)
}

/// The records as a CSV for Excel: the personal-data line, then one line
/// per field (record, where, when, field, value).
fn csv_text(found: &[Found]) -> Result<String, csv::Error> {
    let mut out = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    out.write_record([PERSONAL_DATA_LINE])?;
    out.write_record([
        "kind",
        "record",
        "doc_zone",
        "doc_period",
        "record_id",
        "made_at",
        "field",
        "value",
    ])?;
    for record in found {
        let made_at = record
            .made_at
            .map(|at| local_datetime(at).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        for (field, value) in &record.fields {
            let value = match value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            out.write_record([
                record.kind.as_str(),
                &record.record,
                &record.zone,
                record.period.as_deref().unwrap_or_default(),
                &record.id,
                &made_at,
                field,
                &value,
            ])?;
        }
    }
    let bytes = out.into_inner().map_err(|error| error.into_error())?;
    Ok(format!("\u{feff}{}", String::from_utf8_lossy(&bytes)))
}

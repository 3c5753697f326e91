//! Photo blobs over HTTP: resumable uploads (`/api/uploads/{zone}/{hash}`)
//! and downloads (`/api/blobs/{zone}/{hash}`).
//!
//! A tablet uploads a photo in parts of at most `blob::UPLOAD_CHUNK_BYTES`,
//! each appended durably where the upload stands, so an interrupted upload
//! resumes from the bytes the server holds. When the last part arrives the
//! server checks the SHA-256 against the name and that the bytes are an image,
//! and only then stores the blob and answers `complete`. A blob is readable in
//! a zone only once uploaded for that zone; every request checks the user's
//! zones. This module does not decide which records refer to a photo, and
//! never deletes a complete blob.
//!
//! An upload in progress is its uploader's: another user's parts are refused
//! (`409 upload_not_yours`) and change nothing, not even by declaring another
//! total (which discards the uploader's own). Each user's unfinished uploads
//! are held to a quota (`429 upload_quota_exceeded`), and an upload left
//! untouched too long is deleted when the next upload starts (lazily, by
//! whoever starts one: no timer to run, and nothing piles up while nobody
//! uploads). A site's complete photos are held to a quota of their own
//! (`413 site_photo_quota_exceeded`, checked when an upload starts). Limits:
//! `Limits::uploads`, set per server with `--upload-quota-mib`,
//! `--upload-expiry-secs` and `--site-photo-quota-mib`.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use roundbook_shared::api::UploadStatus;
use roundbook_shared::blob::{hash_of, image_type, is_hash, MAX_PHOTO_BYTES, UPLOAD_CHUNK_BYTES};

use roundbook_shared::domain::local_date;
use roundbook_shared::reach;
use roundbook_shared::schema::DocKind;

use crate::access::Access;
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::signin::SignedIn;
use crate::state::AppState;
use crate::store::{
    run_blocking, BlobRef, Part, PartOutcome, Store, UploadLimits, UploadState, Uploader,
};

/// A blob's bytes never change under its name: caches may keep it, but only
/// the signed-in user's own browser (it is a private photo).
const IMMUTABLE: &str = "private, max-age=31536000, immutable";

/// The zone segment of site-wide blobs (cleaning photos and sign-off
/// signatures): reachable by whoever holds the site's cleaning documents.
pub const SITE_BLOBS: &str = "_site";

/// The blob a request's path names (`…/{zone}/{hash}`), once the signed-in
/// user may reach its zone and the name is a hash; and who asks.
pub struct NamedBlob {
    blob: BlobRef,
    username: String,
}

impl FromRequestParts<AppState> for NamedBlob {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Response> {
        let user = SignedIn::from_request_parts(parts, app)
            .await
            .map_err(IntoResponse::into_response)?;
        let Path((zone, hash)) = Path::<(String, String)>::from_request_parts(parts, app)
            .await
            .map_err(IntoResponse::into_response)?;
        let store = app.store.clone();
        let access = user.access.clone();
        let checked_zone = zone.clone();
        let today = local_date(chrono::Utc::now().timestamp_millis());
        let works_there = zone != SITE_BLOBS
            && !user.access.zones.contains(&zone)
            && run_blocking(move || access.works_orders_in(&*store, &checked_zone, today))
                .await
                .map_err(|error| ApiError::from(error).into_response())?;
        let blob =
            blob_ref(&user.access, zone, hash, works_there).map_err(IntoResponse::into_response)?;
        Ok(NamedBlob {
            blob,
            username: user.access.username,
        })
    }
}

/// The blob a request names, once the user may reach its zone (or, a
/// repair worker, `works_there`: has orders in it) and the name is a hash.
fn blob_ref(
    access: &Access,
    zone: String,
    hash: String,
    works_there: bool,
) -> Result<BlobRef, ApiError> {
    let reachable = if zone == SITE_BLOBS {
        reach::reads(&access.roles, DocKind::CleaningMonth)
    } else {
        access.zones.contains(&zone) || works_there
    };
    if !reachable {
        return Err(ApiError::ZoneForbidden);
    }
    if !is_hash(&hash) {
        return Err(ApiError::BadRequest(
            "a blob is named by the lowercase hex SHA-256 of its bytes".into(),
        ));
    }
    Ok(BlobRef {
        site: access.site.clone(),
        zone,
        hash,
    })
}

fn status(state: UploadState) -> UploadStatus {
    match state {
        UploadState::Complete { size } => UploadStatus {
            received: size,
            complete: true,
        },
        UploadState::Partial { received, .. } => UploadStatus {
            received,
            complete: false,
        },
    }
}

/// `GET /api/uploads/{zone}/{hash}`: how many bytes the server holds.
pub async fn upload_status(
    State(app): State<AppState>,
    NamedBlob { blob, .. }: NamedBlob,
) -> Result<Json<UploadStatus>, ApiError> {
    let store = app.store.clone();
    let state = run_blocking(move || store.upload_state(&blob)).await?;
    Ok(Json(status(state)))
}

#[derive(Deserialize)]
pub struct PartQuery {
    offset: u64,
    total: u64,
}

/// `PUT /api/uploads/{zone}/{hash}?offset=N&total=T`: appends one part.
pub async fn upload_part(
    State(app): State<AppState>,
    NamedBlob { blob, username }: NamedBlob,
    query: Result<Query<PartQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<UploadStatus>, ApiError> {
    let Query(PartQuery { offset, total }) = query.map_err(|_| {
        ApiError::BadRequest("expected ?offset=N&total=T (whole numbers of bytes)".into())
    })?;
    let too_large = ApiError::ChunkTooLarge {
        max: UPLOAD_CHUNK_BYTES,
    };
    let part = body.map_err(|_| too_large)?;
    if part.len() > UPLOAD_CHUNK_BYTES {
        return Err(ApiError::ChunkTooLarge {
            max: UPLOAD_CHUNK_BYTES,
        });
    }
    if total > MAX_PHOTO_BYTES {
        return Err(ApiError::PhotoTooLarge {
            max: MAX_PHOTO_BYTES,
        });
    }
    if total == 0 || part.is_empty() {
        return Err(ApiError::BadRequest(
            "an upload part carries at least one byte of a non-empty photo".into(),
        ));
    }
    if offset.saturating_add(part.len() as u64) > total {
        return Err(ApiError::BadRequest(format!(
            "bytes {offset}..{} run past the total of {total}",
            offset.saturating_add(part.len() as u64)
        )));
    }
    let (store, metrics) = (app.store.clone(), app.metrics.clone());
    let limits = app.limits.uploads;
    let outcome = run_blocking(move || {
        let uploader = Uploader {
            username: &username,
            now_unix: chrono::Utc::now().timestamp(),
            limits,
        };
        let offered = Part {
            offset,
            total,
            bytes: &part,
        };
        if offset == 0 {
            if let Some(refused) = over_site_quota(store.as_ref(), &blob, total, limits)? {
                return Ok(Err(refused));
            }
        }
        let outcome = store.append_upload_part(&blob, &uploader, offered)?;
        Ok(match outcome {
            PartOutcome::Appended { received } if received == total => {
                finish(store.as_ref(), &metrics, &blob, &username, total)?
            }
            PartOutcome::Appended { received } => Ok(UploadStatus {
                received,
                complete: false,
            }),
            PartOutcome::AlreadyComplete { size } => Ok(UploadStatus {
                received: size,
                complete: true,
            }),
            PartOutcome::OffsetMismatch { received } => {
                Err(ApiError::UploadOffsetMismatch { received })
            }
            PartOutcome::TotalChanged => Err(ApiError::UploadOffsetMismatch { received: 0 }),
            PartOutcome::NotYours => Err(ApiError::UploadNotYours),
            PartOutcome::OverQuota { held, quota } => {
                Err(ApiError::UploadQuotaExceeded { held, quota })
            }
        })
    })
    .await?;
    outcome.map(Json)
}

/// Checks `username`'s fully received upload and stores it as a blob, or
/// discards it.
/// A new upload that would take the site's photos past its quota, refused
/// before any byte is stored. A photo the site holds already is not new.
fn over_site_quota(
    store: &dyn Store,
    blob: &BlobRef,
    total: u64,
    limits: UploadLimits,
) -> Result<Option<ApiError>, crate::store::StoreError> {
    if matches!(store.upload_state(blob)?, UploadState::Complete { .. }) {
        return Ok(None);
    }
    let held = store.site_photo_bytes(&blob.site)?;
    Ok(
        (held.saturating_add(total) > limits.site_quota_bytes).then_some(
            ApiError::SitePhotoQuota {
                quota_mib: limits.site_quota_bytes >> 20,
            },
        ),
    )
}

fn finish(
    store: &dyn Store,
    metrics: &Metrics,
    blob: &BlobRef,
    username: &str,
    total: u64,
) -> Result<Result<UploadStatus, ApiError>, crate::store::StoreError> {
    let bytes = store.upload_bytes(blob)?;
    if bytes.len() as u64 != total {
        // A concurrent request finished (or discarded) this upload meanwhile.
        return Ok(Ok(status(store.upload_state(blob)?)));
    }
    if hash_of(&bytes) != blob.hash {
        store.discard_upload(blob, username)?;
        return Ok(Err(ApiError::HashMismatch));
    }
    let Some(content_type) = image_type(&bytes) else {
        store.discard_upload(blob, username)?;
        return Ok(Err(ApiError::NotAnImage));
    };
    store.commit_blob(blob, content_type, &bytes)?;
    metrics.photo_stored(total);
    tracing::info!(zone = %blob.zone, hash = %blob.hash, size = total, "stored a photo");
    Ok(Ok(UploadStatus {
        received: total,
        complete: true,
    }))
}

/// `GET /api/blobs/{zone}/{hash}`: the photo, if complete and uploaded for the zone.
pub async fn download(
    State(app): State<AppState>,
    NamedBlob { blob, .. }: NamedBlob,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let etag = format!("\"{}\"", blob.hash);
    let store = app.store.clone();
    let (content_type, bytes) = run_blocking(move || store.blob(&blob))
        .await?
        .ok_or(ApiError::NotFound)?;
    let cache = [
        (header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE)),
        (header::ETAG, HeaderValue::from_str(&etag).expect("hex")),
    ];
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|value| value.as_bytes() == etag.as_bytes());
    if unchanged {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    Ok((
        cache,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_str(&content_type)
                    .map_err(|_| ApiError::Internal(format!("stored type {content_type}")))?,
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        bytes,
    )
        .into_response())
}

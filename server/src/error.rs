//! The one error type of the HTTP API. Every failure answers
//! `{"error": {"code", "message"}}` with a stable code the tablet translates.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use roundbook_shared::api::{ErrorBody, ErrorDetail};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("wrong username or password")]
    InvalidCredentials,
    #[error("sign in again")]
    Unauthorized,
    #[error("too many failed sign-ins; retry in {0} s")]
    TooManyAttempts(u64),
    #[error("this zone is not yours")]
    ZoneForbidden,
    /// The user's roles do not include the one the request needs (the
    /// office head's export).
    #[error("only the office head may do this")]
    RoleForbidden,
    /// The user's roles do not read this report (a guard asking for any).
    #[error("your role does not read this report")]
    ReportForbidden,
    /// A date range that is not two dates in order, or is too long.
    #[error("{0}")]
    BadDateRange(String),
    #[error("not found")]
    NotFound,
    #[error("the upload holds {received} bytes; continue from there")]
    UploadOffsetMismatch { received: u64 },
    #[error("a photo may be at most {max} bytes")]
    PhotoTooLarge { max: u64 },
    #[error("an upload part may be at most {max} bytes")]
    ChunkTooLarge { max: usize },
    #[error(
        "another user is uploading this photo to the zone: it can be read there once they \
         finish, or uploaded again once their upload expires"
    )]
    UploadNotYours,
    #[error(
        "your unfinished photo uploads already hold {held} of the {quota} bytes allowed: \
         finish them, or wait until they expire"
    )]
    UploadQuotaExceeded { held: u64, quota: u64 },
    #[error(
        "the site's photos already fill its storage of {quota_mib} MiB: ask the office to \
         raise --site-photo-quota-mib; the photo stays on the tablet"
    )]
    SitePhotoQuota { quota_mib: u64 },
    #[error("the bytes do not match their hash; the upload was discarded")]
    HashMismatch,
    #[error("not a JPEG, PNG or WebP image; the upload was discarded")]
    NotAnImage,
    #[error("send this as {0}")]
    UnsupportedMediaType(&'static str),
    #[error("the server is busy; retry in a few seconds")]
    Busy,
    #[error("too many connections for this user; close another tablet or tab")]
    TooManyConnections,
    /// The session was ended by someone else (the account disabled, the
    /// device signed out by the office, the password reset or changed on
    /// another device).
    #[error("this device was signed out remotely; sign in again")]
    SignedOutRemotely,
    #[error("the office has disabled this account")]
    AccountDisabled,
    /// After a password reset: only changing it (or signing out) is allowed.
    #[error("change your password first")]
    PasswordChangeRequired,
    #[error("the current password is wrong")]
    WrongPassword,
    #[error("this sign-in code is unknown, used or expired; ask the office for a new one")]
    InvalidSignInCode,
    /// Only the office head and the IT administrator run the office.
    #[error("only the office head or the administrator may do this")]
    AdminOnly,
    /// A field of a body that breaks a rule: 400 with the rule's code
    /// (`invalid_name`, `unknown_role`, ...).
    #[error("{1}")]
    Invalid(&'static str, String),
    /// 409: what the body would create exists (`username_taken`, `zone_exists`).
    #[error("{1}")]
    Conflict(&'static str, String),
    /// 404 of a named thing (`no_such_staff`, `no_such_zone`, `no_such_device`).
    #[error("{1}")]
    Missing(&'static str, String),
    #[error("a request body may be at most {max} bytes")]
    BodyTooLarge { max: usize },
    /// Logged in full; the client only learns that it failed.
    #[error("internal error")]
    Internal(String),
}

impl From<crate::store::StoreError> for ApiError {
    fn from(error: crate::store::StoreError) -> Self {
        ApiError::Internal(error.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, retry_after_secs) = match &self {
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request", None),
            ApiError::InvalidCredentials => (StatusCode::UNAUTHORIZED, "invalid_credentials", None),
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized", None),
            ApiError::TooManyAttempts(secs) => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                Some(*secs),
            ),
            ApiError::ZoneForbidden => (StatusCode::FORBIDDEN, "zone_forbidden", None),
            ApiError::RoleForbidden => (StatusCode::FORBIDDEN, "role_forbidden", None),
            ApiError::ReportForbidden => (StatusCode::FORBIDDEN, "report_forbidden", None),
            ApiError::BadDateRange(_) => (StatusCode::BAD_REQUEST, "bad_date_range", None),
            ApiError::NotFound => (StatusCode::NOT_FOUND, "not_found", None),
            ApiError::UploadOffsetMismatch { .. } => {
                (StatusCode::CONFLICT, "upload_offset_mismatch", None)
            }
            ApiError::UploadNotYours => (StatusCode::CONFLICT, "upload_not_yours", None),
            ApiError::UploadQuotaExceeded { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, "upload_quota_exceeded", None)
            }
            ApiError::PhotoTooLarge { .. } => {
                (StatusCode::PAYLOAD_TOO_LARGE, "photo_too_large", None)
            }
            ApiError::SitePhotoQuota { .. } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "site_photo_quota_exceeded",
                None,
            ),
            ApiError::ChunkTooLarge { .. } => {
                (StatusCode::PAYLOAD_TOO_LARGE, "chunk_too_large", None)
            }
            ApiError::HashMismatch => (StatusCode::UNPROCESSABLE_ENTITY, "hash_mismatch", None),
            ApiError::NotAnImage => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "not_an_image", None),
            ApiError::UnsupportedMediaType(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                None,
            ),
            ApiError::Busy => (StatusCode::SERVICE_UNAVAILABLE, "busy", Some(2)),
            ApiError::TooManyConnections => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_connections",
                Some(5),
            ),
            ApiError::SignedOutRemotely => (StatusCode::UNAUTHORIZED, "signed_out_remotely", None),
            ApiError::AccountDisabled => (StatusCode::FORBIDDEN, "account_disabled", None),
            ApiError::PasswordChangeRequired => {
                (StatusCode::FORBIDDEN, "password_change_required", None)
            }
            ApiError::WrongPassword => (StatusCode::FORBIDDEN, "wrong_password", None),
            ApiError::InvalidSignInCode => (StatusCode::UNAUTHORIZED, "invalid_sign_in_code", None),
            ApiError::AdminOnly => (StatusCode::FORBIDDEN, "role_forbidden", None),
            ApiError::Invalid(code, _) => (StatusCode::BAD_REQUEST, *code, None),
            ApiError::Conflict(code, _) => (StatusCode::CONFLICT, *code, None),
            ApiError::Missing(code, _) => (StatusCode::NOT_FOUND, *code, None),
            ApiError::BodyTooLarge { .. } => {
                (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", None)
            }
            ApiError::Internal(error) => {
                tracing::error!(%error, "request failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal", None)
            }
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: code.into(),
                message: self.to_string(),
                retry_after_secs,
            },
        };
        let mut response = (status, Json(body)).into_response();
        if let Some(secs) = retry_after_secs {
            response
                .headers_mut()
                .insert("retry-after", secs.to_string().parse().expect("digits"));
        }
        response
    }
}

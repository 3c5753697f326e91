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

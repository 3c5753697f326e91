//! JSON request bodies: refused unless sent as JSON, bounded before they are
//! read, and parsed into their typed form, every refusal in the API's error
//! shape (`bad_request`, `body_too_large`, `unsupported_media_type`).
//!
//! Only reading and parsing here: what a field may hold is the handler's.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// The largest JSON body the API reads: every body it takes is a few short
/// fields, so anything bigger is refused before it is parsed.
pub const MAX_JSON_BYTES: usize = 16 * 1024;

/// A JSON body of type `T`.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, _: &S) -> Result<Self, ApiError> {
        require_json(request.headers())?;
        let bytes = axum::body::to_bytes(request.into_body(), MAX_JSON_BYTES)
            .await
            .map_err(|_| ApiError::BodyTooLarge {
                max: MAX_JSON_BYTES,
            })?;
        parse(&bytes).map(JsonBody)
    }
}

/// Refuses a body not declared as `application/json`.
pub fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim_start().starts_with("application/json"));
    if json {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType("application/json"))
    }
}

/// Parses a body, saying what was wrong with it.
pub fn parse<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, ApiError> {
    serde_json::from_slice(bytes)
        .map_err(|error| ApiError::BadRequest(format!("not the expected JSON body: {error}")))
}

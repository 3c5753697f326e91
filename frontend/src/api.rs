//! The server's HTTP API (`/api/...`): sign-in, sign-out and the list of
//! documents to sync, with answers turned into [`ApiError`]s the UI can
//! translate.
//!
//! Bodies are the shared crate's types, so field names cannot drift. This
//! module only talks HTTP: it stores nothing and shows nothing.

use roundbook_shared::api::{DocEntry, LoginRequest, LoginResponse};
use serde::de::DeserializeOwned;
use web_sys::Response;

use crate::http::{self, Body, Failure};

/// Why an API call did not succeed, as the UI needs to tell it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// No network, or the server could not be reached.
    Offline,
    /// `invalid_credentials`
    InvalidCredentials,
    /// `too_many_attempts`, with the wait if the server said.
    TooManyAttempts(Option<u64>),
    /// `bad_request`
    BadRequest,
    /// The bearer token is missing, expired or revoked (401 outside sign-in).
    Unauthorized,
    /// Anything else: a server fault or an unexpected answer.
    Server(String),
}

/// `POST /api/login`.
pub async fn login(username: &str, password: &str) -> Result<LoginResponse, ApiError> {
    let body = LoginRequest {
        username: username.to_owned(),
        password: password.to_owned(),
        device: None,
    };
    let body = serde_json::to_string(&body).map_err(|e| ApiError::Server(e.to_string()))?;
    let response = send("POST", "/api/login", None, Some(&body)).await?;
    json(response).await
}

/// `POST /api/logout`: revokes the token on the server.
pub async fn logout(token: &str) -> Result<(), ApiError> {
    send("POST", "/api/logout", Some(token), None).await?;
    Ok(())
}

/// `GET /api/docs`: the documents this user's tablet should hold.
pub async fn documents(token: &str) -> Result<Vec<DocEntry>, ApiError> {
    let response = send("GET", "/api/docs", Some(token), None).await?;
    json(response).await
}

/// `GET /api/export`: every record of the site from `from` to `to`
/// (`YYYY-MM-DD`, inclusive) as a zip of CSV files, photos too if asked.
/// The office head's only.
pub async fn export(token: &str, from: &str, to: &str, photos: bool) -> Result<Vec<u8>, ApiError> {
    let path = format!(
        "/api/export?from={from}&to={to}{}",
        if photos { "&photos=1" } else { "" }
    );
    let response = send("GET", &path, Some(token), None).await?;
    http::bytes(response).await.map_err(api_error)
}

/// Sends a request; any non-2xx answer becomes an [`ApiError`].
async fn send(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Result<Response, ApiError> {
    let body = body.map_or(Body::Empty, Body::Json);
    http::exchange(method, path, token, body)
        .await
        .map_err(api_error)
}

fn api_error(failure: Failure) -> ApiError {
    let (status, detail) = match failure {
        Failure::Offline => return ApiError::Offline,
        Failure::Browser(text) => return ApiError::Server(text),
        Failure::Refused { status, error } => (status, error),
    };
    match (status, detail) {
        (_, Some(detail)) => match detail.code.as_str() {
            "invalid_credentials" => ApiError::InvalidCredentials,
            "too_many_attempts" => ApiError::TooManyAttempts(detail.retry_after_secs),
            "bad_request" | "bad_date_range" => ApiError::BadRequest,
            "unauthorized" => ApiError::Unauthorized,
            _ if status == 401 => ApiError::Unauthorized,
            _ => ApiError::Server(format!("{status} {}", detail.code)),
        },
        (401, None) => ApiError::Unauthorized,
        (429, None) => ApiError::TooManyAttempts(None),
        // A service worker or proxy answering for an unreachable server.
        (502..=504, None) => ApiError::Offline,
        (_, None) => ApiError::Server(format!("HTTP {status}")),
    }
}

async fn json<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let text = http::text(response).await.map_err(api_error)?;
    serde_json::from_str(&text).map_err(|e| ApiError::Server(format!("unexpected answer: {e}")))
}

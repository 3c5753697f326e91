//! The server's HTTP API (`/api/...`): sign-in (by password or by a sign-in
//! code), sign-out, the list of documents to sync, the export, passwords,
//! the device report, the staff directory and the office's administration
//! (`/api/admin/...`), with answers turned into [`ApiError`]s the UI can
//! translate.
//!
//! Bodies are the shared crate's types, so field names cannot drift. This
//! module only talks HTTP: it stores nothing and shows nothing.

use roundbook_shared::api::{
    AuditEntry, CodeLoginRequest, DeviceReport, DocEntry, LoginRequest, LoginResponse, NewStaff,
    NewZone, OneTimePassword, PasswordChange, SignInCode, StaffEntry, StaffMember, StaffPatch,
    ZoneEntry, ZonePatch,
};
use roundbook_shared::personal_search::Found;
use roundbook_shared::reports::{Month, Report, ReportKind};
use serde::de::DeserializeOwned;
use serde::Serialize;
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
    /// 401 `signed_out_remotely`: the office disabled the account or signed
    /// this tablet out. The tablet uploads what it can, then forgets the user.
    SignedOutRemotely,
    /// 403 `password_change_required`: the user must choose a new password
    /// before anything else.
    PasswordChangeRequired,
    /// Any other refusal, by the server's stable code (`username_taken`,
    /// `account_disabled`, ...). Screens translate it with
    /// [`crate::i18n::error_text`].
    Refused(String),
    /// Anything else: a server fault or an unexpected answer.
    Server(String),
}

/// `POST /api/login`, naming this tablet (`device`) for the office's device list.
pub async fn login(
    username: &str,
    password: &str,
    device: &str,
) -> Result<LoginResponse, ApiError> {
    let body = LoginRequest {
        username: username.to_owned(),
        password: password.to_owned(),
        device: Some(device.to_owned()),
    };
    let response = send_json("POST", "/api/login", None, &body).await?;
    json(response).await
}

/// `POST /api/login/code`: signs in with a one-time code read from a QR code.
pub async fn login_with_code(code: &str, device: &str) -> Result<LoginResponse, ApiError> {
    let body = CodeLoginRequest {
        code: code.to_owned(),
        device: Some(device.to_owned()),
    };
    let response = send_json("POST", "/api/login/code", None, &body).await?;
    json(response).await
}

/// `POST /api/password`: the signed-in user changes their own password.
pub async fn change_password(token: &str, old: &str, new: &str) -> Result<(), ApiError> {
    let body = PasswordChange {
        old: old.to_owned(),
        new: new.to_owned(),
    };
    send_json("POST", "/api/password", Some(token), &body).await?;
    Ok(())
}

/// `POST /api/device`: what this tablet has not uploaded yet.
pub async fn report_device(token: &str, pending: u64) -> Result<(), ApiError> {
    send_json(
        "POST",
        "/api/device",
        Some(token),
        &DeviceReport { pending },
    )
    .await?;
    Ok(())
}

/// `GET /api/staff`: the site's staff directory (no phones).
pub async fn staff_directory(token: &str) -> Result<Vec<StaffMember>, ApiError> {
    let response = send("GET", "/api/staff", Some(token), None).await?;
    json(response).await
}

/// `GET /api/admin/zones`, retired ones included.
pub async fn admin_zones(token: &str) -> Result<Vec<ZoneEntry>, ApiError> {
    let response = send("GET", "/api/admin/zones", Some(token), None).await?;
    json(response).await
}

/// `POST /api/admin/zones`.
pub async fn create_zone(token: &str, zone: &NewZone) -> Result<ZoneEntry, ApiError> {
    let response = send_json("POST", "/api/admin/zones", Some(token), zone).await?;
    json(response).await
}

/// `PATCH /api/admin/zones/{code}`: rename, retire or bring back.
pub async fn change_zone(
    token: &str,
    code: &str,
    patch: &ZonePatch,
) -> Result<ZoneEntry, ApiError> {
    let path = format!("/api/admin/zones/{}", segment(code));
    let response = send_json("PATCH", &path, Some(token), patch).await?;
    json(response).await
}

/// `GET /api/admin/staff`, with each member's signed-in devices.
pub async fn admin_staff(token: &str) -> Result<Vec<StaffEntry>, ApiError> {
    let response = send("GET", "/api/admin/staff", Some(token), None).await?;
    json(response).await
}

/// `POST /api/admin/staff`: answers the one-time password, shown once.
pub async fn create_staff(token: &str, staff: &NewStaff) -> Result<OneTimePassword, ApiError> {
    let response = send_json("POST", "/api/admin/staff", Some(token), staff).await?;
    json(response).await
}

/// `PATCH /api/admin/staff/{username}`.
pub async fn change_staff(
    token: &str,
    username: &str,
    patch: &StaffPatch,
) -> Result<StaffEntry, ApiError> {
    let path = staff_path(username, "");
    let response = send_json("PATCH", &path, Some(token), patch).await?;
    json(response).await
}

/// `POST /api/admin/staff/{username}/disable`: every session ends at once.
pub async fn disable_staff(token: &str, username: &str) -> Result<StaffEntry, ApiError> {
    let path = staff_path(username, "/disable");
    let response = send("POST", &path, Some(token), None).await?;
    json(response).await
}

/// `POST /api/admin/staff/{username}/password-reset`.
pub async fn reset_password(token: &str, username: &str) -> Result<OneTimePassword, ApiError> {
    let path = staff_path(username, "/password-reset");
    let response = send("POST", &path, Some(token), None).await?;
    json(response).await
}

/// `POST /api/admin/staff/{username}/sign-in-code`: a single-use code for a QR.
pub async fn issue_sign_in_code(token: &str, username: &str) -> Result<SignInCode, ApiError> {
    let path = staff_path(username, "/sign-in-code");
    let response = send("POST", &path, Some(token), None).await?;
    json(response).await
}

/// `POST /api/admin/devices/{id}/sign-out`.
pub async fn sign_out_device(token: &str, id: &str) -> Result<(), ApiError> {
    let path = format!("/api/admin/devices/{}/sign-out", segment(id));
    send("POST", &path, Some(token), None).await?;
    Ok(())
}

/// `GET /api/admin/audit?limit=N`, newest first.
pub async fn audit(token: &str, limit: u32) -> Result<Vec<AuditEntry>, ApiError> {
    let path = format!("/api/admin/audit?limit={limit}");
    let response = send("GET", &path, Some(token), None).await?;
    json(response).await
}

fn staff_path(username: &str, tail: &str) -> String {
    format!("/api/admin/staff/{}{tail}", segment(username))
}

/// A value put into a URL path, percent-encoded.
/// `GET /api/reports/{kind}?month=YYYY-MM[&zone=CODE]`: a monthly report as
/// the server computes it from every stored document.
pub async fn report(
    token: &str,
    kind: ReportKind,
    month: Month,
    zone: Option<&str>,
) -> Result<Report, ApiError> {
    let mut path = format!("/api/reports/{}?month={month}", kind.as_str());
    if let Some(zone) = zone {
        path.push_str(&format!("&zone={}", segment(zone)));
    }
    let response = send("GET", &path, Some(token), None).await?;
    json(response).await
}

fn segment(value: &str) -> String {
    String::from(js_sys::encode_uri_component(value))
}

/// `POST /api/logout`: revokes the token on the server.
pub async fn logout(token: &str) -> Result<(), ApiError> {
    send("POST", "/api/logout", Some(token), None).await?;
    Ok(())
}

/// `GET /api/docs`: the documents this user's tablet should hold.
pub async fn documents(token: &str) -> Result<Vec<DocEntry>, ApiError> {
    let path = format!(
        "/api/docs?kinds={}",
        roundbook_shared::api::known_kinds_param()
    );
    let response = send("GET", &path, Some(token), None).await?;
    // An entry this build cannot read (a kind from a newer server) is
    // skipped rather than failing the whole listing.
    let entries: Vec<serde_json::Value> = json(response).await?;
    Ok(entries
        .into_iter()
        .filter_map(|entry| serde_json::from_value(entry).ok())
        .collect())
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

/// `GET /api/personal-data?q=`: every record naming a unit or phone (heads only).
pub async fn personal_data(token: &str, query: &str) -> Result<Vec<Found>, ApiError> {
    let path = format!("/api/personal-data?q={}", segment(query));
    let response = send("GET", &path, Some(token), None).await?;
    json(response).await
}

/// The same records as a CSV file marked as personal data.
pub async fn personal_data_csv(token: &str, query: &str) -> Result<Vec<u8>, ApiError> {
    let path = format!("/api/personal-data?q={}&format=csv", segment(query));
    let response = send("GET", &path, Some(token), None).await?;
    http::bytes(response).await.map_err(api_error)
}

/// Sends a JSON body; any non-2xx answer becomes an [`ApiError`].
async fn send_json(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &impl Serialize,
) -> Result<Response, ApiError> {
    let body = serde_json::to_string(body).map_err(|e| ApiError::Server(e.to_string()))?;
    send(method, path, token, Some(&body)).await
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
            "signed_out_remotely" => ApiError::SignedOutRemotely,
            "password_change_required" => ApiError::PasswordChangeRequired,
            _ if status == 401 => ApiError::Unauthorized,
            _ if (400..500).contains(&status) => ApiError::Refused(detail.code),
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

#[cfg(test)]
mod tests {
    use super::*;
    use roundbook_shared::api::ErrorDetail;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn refused(status: u16, code: &str) -> Failure {
        Failure::Refused {
            status,
            error: Some(ErrorDetail {
                code: code.into(),
                message: String::new(),
                retry_after_secs: None,
            }),
        }
    }

    #[wasm_bindgen_test]
    fn refusals_keep_their_code_and_remote_sign_out_is_told_apart() {
        assert_eq!(
            api_error(refused(401, "signed_out_remotely")),
            ApiError::SignedOutRemotely
        );
        assert_eq!(api_error(refused(401, "expired")), ApiError::Unauthorized);
        assert_eq!(
            api_error(refused(403, "password_change_required")),
            ApiError::PasswordChangeRequired
        );
        assert_eq!(
            api_error(refused(409, "username_taken")),
            ApiError::Refused("username_taken".into())
        );
        assert_eq!(
            api_error(refused(500, "internal")),
            ApiError::Server("500 internal".into())
        );
        assert_eq!(
            api_error(Failure::Refused {
                status: 503,
                error: None
            }),
            ApiError::Offline
        );
    }

    #[wasm_bindgen_test]
    fn path_segments_are_encoded() {
        assert_eq!(
            staff_path("a b/c", "/disable"),
            "/api/admin/staff/a%20b%2Fc/disable"
        );
    }
}

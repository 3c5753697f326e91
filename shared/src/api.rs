//! JSON bodies of the HTTP API (`/api/...`), shared so the tablet and the
//! server cannot disagree on a field name.
//!
//! This module holds plain data only: no I/O, no validation beyond what serde does.

use serde::{Deserialize, Serialize};

use crate::domain::{Role, SiteInfo, ZoneRef};
use crate::ids::DocumentId;
use crate::schema::DocKind;

/// `POST /api/login` body.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// `POST /api/login` answer: the bearer token and who it belongs to.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LoginResponse {
    pub token: String,
    /// RFC 3339 instant after which the token is refused.
    pub expires_at: String,
    pub user: UserProfile,
    pub site: SiteInfo,
}

/// The signed-in staff member as the tablet needs to know them (kept offline).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct UserProfile {
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    /// Zones this person may see and write. Supervisors get every zone of the site.
    pub zones: Vec<ZoneRef>,
}

/// One row of `GET /api/docs`: a document the user may sync.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DocEntry {
    pub document_id: DocumentId,
    pub kind: DocKind,
    pub zone: String,
    /// The local date (`YYYY-MM-DD`) for day documents, absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
}

/// Every error answer of the API: `{"error": {"code": "...", "message": "..."}}`.
/// `code` is stable and machine-readable (the tablet translates it); `message` is English, for logs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    /// Set with `too_many_attempts`: seconds before another sign-in is accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
}

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

/// `GET` and `PUT /api/uploads/{zone}/{hash}` answer: how much of a photo the
/// server holds. `complete` is true only once the whole photo is stored durably
/// and matched its hash; only then may a tablet consider it uploaded.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct UploadStatus {
    pub received: u64,
    pub complete: bool,
}

/// `GET /api/reports/patrol?date=YYYY-MM-DD`: a day's rounds in every zone the
/// user may see, evaluated by the server with `compliance::evaluate_day`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PatrolReport {
    pub date: String,
    /// Unix milliseconds at which the server evaluated the day.
    pub evaluated_at: i64,
    pub zones: Vec<ZonePatrolReport>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ZonePatrolReport {
    pub zone: String,
    pub summary: crate::compliance::Summary,
    pub rounds: Vec<crate::compliance::RoundOutcome>,
    /// Findings recorded that day, by kind word.
    pub findings_by_kind: std::collections::BTreeMap<String, usize>,
    /// Scans and findings of the day with a trust flag.
    pub flagged_records: usize,
    /// Records (or whole documents) the report skipped because they are
    /// malformed, written by a buggy or hostile client.
    #[serde(default)]
    pub malformed_records: usize,
}

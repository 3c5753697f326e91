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
    /// What the tablet calls itself ("前台平板", a browser's name), shown to
    /// the office head beside the session. Optional for older tablets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
}

/// `POST /api/login/code` body: sign in with a one-time code the office head
/// issued (shown as a QR code), instead of a password.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CodeLoginRequest {
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
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
    /// Set after a password reset: the tablet asks for a new password
    /// before anything else.
    #[serde(default)]
    pub must_change_password: bool,
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

/// The kinds a tablet's `GET /api/docs` is listed when it does not say
/// which it knows (`?kinds=`): what the builds from before the parameter
/// read. Their listing parser refuses a whole listing with one unknown
/// kind, so a kind added since is listed only to builds that name it.
pub const KINDS_OLDER_BUILDS_READ: &[DocKind] = &[
    DocKind::ZoneDirectory,
    DocKind::PatrolLog,
    DocKind::ResidentDirectory,
    DocKind::RequestLog,
    DocKind::VisitLog,
    DocKind::CleaningSetup,
    DocKind::CleaningMonth,
    DocKind::ReportMonth,
    DocKind::WorkOrderLog,
];

/// The `?kinds=` of `GET /api/docs`: the kinds a tablet's build knows,
/// by name, comma-separated.
pub fn known_kinds_param() -> String {
    DocKind::ALL
        .iter()
        .map(|kind| kind.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Which kinds to list to a tablet that sent `kinds` (`None`: it sent no
/// `?kinds=`, an older build). Names it sends that this server does not
/// know are ignored.
pub fn listed_kinds(kinds: Option<&str>) -> Vec<DocKind> {
    match kinds {
        Some(names) => names.split(',').filter_map(DocKind::parse).collect(),
        None => KINDS_OLDER_BUILDS_READ.to_vec(),
    }
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

/// `POST /api/password` body: the signed-in user changes their own password.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub old: String,
    pub new: String,
}

/// `POST /api/device` body: what the tablet reports about itself while
/// signed in, for the office head's device list.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct DeviceReport {
    /// Changes and photos the tablet holds that the server has not acknowledged.
    pub pending: u64,
}

/// One row of `GET /api/staff`: the staff directory every signed-in user
/// reads to pick an assignee. Holds no personal data (no phone).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct StaffMember {
    pub username: String,
    pub name: String,
    pub roles: Vec<Role>,
    /// Zone codes assigned (supervisors may have none and still see every zone).
    pub zones: Vec<String>,
}

/// `POST /api/admin/zones` body.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct NewZone {
    pub code: String,
    pub name: String,
}

/// `PATCH /api/admin/zones/{code}` body: rename, retire or bring back.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ZonePatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired: Option<bool>,
}

/// One row of `GET /api/admin/zones`. A retired zone keeps its records and
/// reports; nobody records in it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ZoneEntry {
    pub code: String,
    pub name: String,
    pub retired: bool,
}

/// `POST /api/admin/staff` body. Without `password` the server makes a
/// one-time password and answers it once.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct NewStaff {
    pub username: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    pub roles: Vec<Role>,
    pub zones: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// `PATCH /api/admin/staff/{username}` body: only the fields present change.
/// `phone: ""` removes the phone.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct StaffPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<Role>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zones: Option<Vec<String>>,
}

/// The answer to creating a staff member or resetting a password: the
/// one-time password, shown once (absent when the head chose one).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OneTimePassword {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_time_password: Option<String>,
}

/// `POST /api/admin/staff/{username}/sign-in-code` answer: a single-use
/// code, valid 24 hours, that the tablet shows as a QR code.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SignInCode {
    pub code: String,
    /// Unix milliseconds after which the code is refused.
    pub expires_at: i64,
}

/// One row of `GET /api/admin/staff`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct StaffEntry {
    pub username: String,
    pub name: String,
    /// Personal data: only `/api/admin` answers it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    pub roles: Vec<Role>,
    pub zones: Vec<String>,
    pub disabled: bool,
    pub must_change_password: bool,
    /// Signed-in sessions, newest first.
    pub devices: Vec<DeviceEntry>,
}

/// A signed-in session as the office head sees it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DeviceEntry {
    /// Opaque id for `POST /api/admin/devices/{id}/sign-out` (not the token).
    pub id: String,
    pub device: String,
    /// Unix milliseconds.
    pub signed_in_at: i64,
    /// Unix milliseconds of the last request or sync check on the session.
    pub last_seen: i64,
    /// What the tablet last reported as not yet uploaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<u64>,
}

/// One row of `GET /api/admin/audit`, newest first. Never changed or removed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AuditEntry {
    /// Unix milliseconds, server clock.
    pub at: i64,
    /// Who acted (username).
    pub actor: String,
    /// The device of the session they acted from.
    pub device: String,
    /// `zone_created`, `zone_changed`, `staff_created`, `staff_changed`,
    /// `staff_disabled`, `password_reset`, `password_changed`,
    /// `sign_in_code_issued`, `device_signed_out`.
    pub action: String,
    /// The zone code or username acted on.
    pub target: String,
    /// What changed, in English, for the record.
    pub detail: String,
}

//! People and places: sites, zones, roles, and the site's local calendar.
//!
//! Who may see what is decided by the server from these facts; this module only
//! names them.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A role a staff member holds. A person may hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 管理处主任: reads every zone's records and the monthly reports.
    OfficeHead,
    /// 客服主管
    ServiceSupervisor,
    /// 区域客服: visits, requests and callbacks in assigned zones.
    ZoneService,
    /// 安全主管
    SecuritySupervisor,
    /// 安管员: patrols the checkpoints of assigned zones.
    Guard,
    /// 环境主管
    EnvironmentSupervisor,
    /// 保洁主管: cleaning inspections and the monthly score sheet.
    CleaningSupervisor,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::OfficeHead,
        Role::ServiceSupervisor,
        Role::ZoneService,
        Role::SecuritySupervisor,
        Role::Guard,
        Role::EnvironmentSupervisor,
        Role::CleaningSupervisor,
    ];

    /// Supervisors and the office head see the whole site, not only assigned zones.
    pub fn sees_whole_site(self) -> bool {
        matches!(
            self,
            Role::OfficeHead
                | Role::ServiceSupervisor
                | Role::SecuritySupervisor
                | Role::EnvironmentSupervisor
        )
    }

    /// The stable text form used in the database and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::OfficeHead => "office_head",
            Role::ServiceSupervisor => "service_supervisor",
            Role::ZoneService => "zone_service",
            Role::SecuritySupervisor => "security_supervisor",
            Role::Guard => "guard",
            Role::EnvironmentSupervisor => "environment_supervisor",
            Role::CleaningSupervisor => "cleaning_supervisor",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == text)
    }
}

/// A zone (片区) as shown to a user: its code (`A`) and display name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ZoneRef {
    pub code: String,
    pub name: String,
}

/// The site (小区 / 项目) a user works at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteInfo {
    pub code: String,
    pub name: String,
    /// IANA name of the site's time zone, e.g. `Asia/Shanghai`.
    pub timezone: String,
}

/// China Standard Time, UTC+8 all year (no daylight saving since 1991).
///
/// Every site so far is in mainland China, so the calendar is a fixed offset
/// rather than a time-zone database (which would add ~100 KB to the tablet app).
pub fn site_offset() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// The site-local calendar date of an instant given in Unix milliseconds.
pub fn local_date(unix_ms: i64) -> NaiveDate {
    let utc = DateTime::<Utc>::from_timestamp_millis(unix_ms).unwrap_or_default();
    utc.with_timezone(&site_offset()).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_as_text() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(json, format!("\"{}\"", role.as_str()));
        }
        assert_eq!(Role::parse("janitor"), None);
    }

    #[test]
    fn local_date_crosses_midnight_at_utc_16() {
        // 2026-11-22T15:59:59Z is 23:59:59 in Shanghai; one second later is the 23rd.
        let before = DateTime::parse_from_rfc3339("2026-11-22T15:59:59Z").unwrap();
        let after = DateTime::parse_from_rfc3339("2026-11-22T16:00:00Z").unwrap();
        assert_eq!(
            local_date(before.timestamp_millis()).to_string(),
            "2026-11-22"
        );
        assert_eq!(
            local_date(after.timestamp_millis()).to_string(),
            "2026-11-23"
        );
    }
}

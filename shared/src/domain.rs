//! People and places: sites, zones, roles, and the site's local calendar.
//!
//! Who may see what is decided by the server from these facts; this module only
//! names them.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// A role a staff member holds. A person may hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 管理处主任: reads every zone's records and the monthly reports, and
    /// runs the office (zones, staff, devices).
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
    /// 前台客服: takes calls and visits at the desk for the whole site.
    FrontDesk,
    /// 工程主管: dispatches and checks repair work across the site.
    EngineeringSupervisor,
    /// 维修员: carries out repairs in assigned zones.
    RepairStaff,
    /// 分队长: leads a security squad; patrols and reads the rounds board
    /// of the whole site.
    SquadLeader,
    /// 副主任: stands in for the office head on records and reports (not on
    /// administration).
    DeputyHead,
    /// The office's IT person: administers zones, staff and devices; holds
    /// no records.
    Admin,
}

impl Role {
    pub const ALL: [Role; 13] = [
        Role::OfficeHead,
        Role::ServiceSupervisor,
        Role::ZoneService,
        Role::SecuritySupervisor,
        Role::Guard,
        Role::EnvironmentSupervisor,
        Role::CleaningSupervisor,
        Role::FrontDesk,
        Role::EngineeringSupervisor,
        Role::RepairStaff,
        Role::SquadLeader,
        Role::DeputyHead,
        Role::Admin,
    ];

    /// Supervisors, the heads and the site-wide desks see the whole site,
    /// not only assigned zones.
    pub fn sees_whole_site(self) -> bool {
        matches!(
            self,
            Role::OfficeHead
                | Role::DeputyHead
                | Role::ServiceSupervisor
                | Role::SecuritySupervisor
                | Role::EnvironmentSupervisor
                | Role::FrontDesk
                | Role::EngineeringSupervisor
                | Role::SquadLeader
                | Role::Admin
        )
    }

    /// Whether the role works with records at all. The IT administrator
    /// does not: they reach `/api/admin` and no document.
    pub fn keeps_records(self) -> bool {
        self != Role::Admin
    }

    /// Whether the role heads the office's records: the export, the
    /// month-end reports and the collective-complaint alert.
    pub fn heads_office(self) -> bool {
        matches!(self, Role::OfficeHead | Role::DeputyHead)
    }

    /// Whether the role runs the office: zones, staff, devices and the
    /// audit trail (`/api/admin`).
    pub fn administers(self) -> bool {
        matches!(self, Role::OfficeHead | Role::Admin)
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
            Role::FrontDesk => "front_desk",
            Role::EngineeringSupervisor => "engineering_supervisor",
            Role::RepairStaff => "repair_staff",
            Role::SquadLeader => "squad_leader",
            Role::DeputyHead => "deputy_head",
            Role::Admin => "admin",
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

/// The site-local date and time of an instant given in Unix milliseconds.
pub fn local_datetime(unix_ms: i64) -> NaiveDateTime {
    let utc = DateTime::<Utc>::from_timestamp_millis(unix_ms).unwrap_or_default();
    utc.with_timezone(&site_offset()).naive_local()
}

/// Minutes in a day: times of day are stored as minutes after site-local midnight.
pub const MINUTES_PER_DAY: u32 = 24 * 60;

/// The instant (Unix milliseconds) of a site-local time of day on a date.
/// `minute` may run past midnight (e.g. 1,500 is 01:00 the next day).
pub fn instant_at(date: NaiveDate, minute: u32) -> i64 {
    let midnight = date.and_time(NaiveTime::MIN);
    let local = midnight + Duration::minutes(i64::from(minute));
    site_offset()
        .from_local_datetime(&local)
        .single()
        .expect("a fixed offset has exactly one instant per local time")
        .timestamp_millis()
}

/// The last millisecond of a site-local date: what "by that date" means.
pub fn end_of_day(date: NaiveDate) -> i64 {
    instant_at(date, MINUTES_PER_DAY) - 1
}

/// A time of day as `HH:MM` (24-hour).
pub fn format_minute(minute: u32) -> String {
    let minute = minute % MINUTES_PER_DAY;
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// Parses `HH:MM` (24-hour) into minutes after midnight.
pub fn parse_minute(text: &str) -> Option<u32> {
    let (hours, minutes) = text.trim().split_once(':')?;
    let hours: u32 = hours.parse().ok()?;
    let minutes: u32 = minutes.parse().ok()?;
    (hours < 24 && minutes < 60 && minutes.to_string().len() <= 2).then_some(hours * 60 + minutes)
}

/// A resident's phone number: a landline or a mobile (7 to 15 digits).
pub fn is_resident_phone(phone: &str) -> bool {
    is_phone_shaped(phone, 7..=15)
}

/// A caller's contact number, which may also be a short internal extension
/// (3 to 15 digits).
pub fn is_contact_phone(phone: &str) -> bool {
    is_phone_shaped(phone, 3..=15)
}

/// Digits as staff type them, grouped by spaces or dashes, with an optional
/// leading `+`, at most 20 characters, with a digit count in `digits`.
fn is_phone_shaped(phone: &str, digits: std::ops::RangeInclusive<usize>) -> bool {
    let count = phone.chars().filter(char::is_ascii_digit).count();
    digits.contains(&count)
        && phone.chars().count() <= 20
        && phone
            .chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || c == ' ' || c == '-' || (i == 0 && c == '+'))
}

/// The first line of every file of personal data a user can take away (the
/// office head's export of requests, visits, residents and work orders; the
/// resident directory's CSV), so nobody passes one on without seeing what
/// it is. Spreadsheet programs show it as a first row; readers skip lines
/// starting with `#`. No ASCII comma, so it stays one cell.
pub const PERSONAL_DATA_LINE: &str = "# 个人信息：含住户姓名、电话等，仅限管理处主任使用，不得外传 / Personal data: residents' names and phones; for the office head only - do not pass on";

/// A phone number as shown to someone who may not see it, and in every
/// export: the first three and last four digits, the rest starred
/// (`13812345678` → `138****5678`). Short numbers are starred whole.
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 8 {
        return "*".repeat(digits.len());
    }
    let head: String = digits[..3].iter().collect();
    let tail: String = digits[digits.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(digits.len() - 7))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_digits_with_spaces_dashes_and_a_leading_plus() {
        for ok in [
            "13812345678",
            "+86 138-1234-5678",
            "0755-8888 1234",
            "6543210",
        ] {
            assert!(is_resident_phone(ok), "{ok}");
            assert!(is_contact_phone(ok), "{ok}");
        }
        assert!(is_contact_phone("8801"), "an extension");
        assert!(!is_resident_phone("8801"), "too short for a household");
        for bad in [
            "",
            "call me",
            "138+1234567",
            "12",
            "1234567890123456",
            "1 2 3 4 5 6 7 8 9 0 1",
        ] {
            assert!(!is_contact_phone(bad), "{bad}");
        }
    }

    #[test]
    fn instants_are_in_shanghai_time() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let eight = DateTime::parse_from_rfc3339("2026-11-23T00:00:00Z").unwrap();
        assert_eq!(instant_at(date, 8 * 60), eight.timestamp_millis());
        // Past midnight runs into the next day.
        let next = DateTime::parse_from_rfc3339("2026-11-23T17:00:00Z").unwrap();
        assert_eq!(instant_at(date, 25 * 60), next.timestamp_millis());
        assert_eq!(
            local_datetime(next.timestamp_millis()).to_string(),
            "2026-11-24 01:00:00"
        );
    }

    #[test]
    fn times_of_day_parse_and_format() {
        assert_eq!(parse_minute("20:00"), Some(1200));
        assert_eq!(parse_minute(" 6:05 "), Some(365));
        assert_eq!(format_minute(365), "06:05");
        for bad in ["24:00", "12:60", "noon", "12", "-1:00", ""] {
            assert_eq!(parse_minute(bad), None, "{bad}");
        }
    }

    #[test]
    fn phones_are_masked_in_the_middle() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("138-1234-5678"), "138****5678");
        assert_eq!(mask_phone("0755-8888-1234"), "075*****1234");
        assert_eq!(mask_phone("110"), "***");
        assert_eq!(mask_phone(""), "");
    }

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

//! Who is signed in on this tablet, and what their roles let the home screen
//! offer.
//!
//! A [`Session`] is the server's sign-in answer, kept in IndexedDB so the user
//! stays signed in across reloads and offline restarts. This module decides
//! which home a session gets; it must not decide access (the server does) or
//! touch documents.

use roundbook_shared::api::LoginResponse;
use roundbook_shared::domain::{Role, ZoneRef};

use crate::storage::{Storage, StorageError};

/// What a sign-in QR code says before its code (`roundbook-sign-in:<code>`).
const SIGN_IN_PREFIX: &str = "roundbook-sign-in:";

/// The text of the QR code that signs in with `code`.
pub fn sign_in_payload(code: &str) -> String {
    format!("{SIGN_IN_PREFIX}{code}")
}

/// The sign-in code a scanned text carries, if it is a sign-in QR code (a
/// checkpoint tag or a stranger's code is not).
pub fn read_sign_in_code(text: &str) -> Option<&str> {
    text.trim()
        .strip_prefix(SIGN_IN_PREFIX)
        .filter(|code| !code.is_empty() && code.len() <= 200)
}

/// The signed-in user, their token and site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session(pub LoginResponse);

/// Who is acting, on which tablet: the author recorded with requests, their
/// events and cleaning records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub username: String,
    pub name: String,
    pub device: String,
}

/// A screen of the home's tab bar. Each role brings its screens; a person
/// with several roles gets all of them, their first role's screens first.
/// A tab's name gives its test id (`tab-<name>`) and its label (the locale
/// key `tab_<name>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Tab {
    /// Guards: shift, due rounds, scanning, findings.
    Patrol,
    /// Security supervisor and office head: today's rounds board.
    Board,
    /// Security supervisor: checkpoints, routes, schedules.
    Setup,
    /// Security supervisor and office head: printable checkpoint tags.
    Tags,
    /// Whole-site roles: today's patrol across the zones.
    Overview,
    /// Everyone: the zone's requests (any staff member records one).
    Requests,
    /// Repair staff: their own work orders (维修单); the engineering
    /// supervisor and the heads: every worker's, by state and worker.
    Orders,
    /// Service staff, their supervisor and the office head: the 15:30 review.
    Review,
    /// Service staff, their supervisor and the office head: household visits.
    Visits,
    /// Service staff, their supervisor and the office head: units and residents.
    Residents,
    /// The front desk, the service supervisor and the heads: the office's
    /// keys lent and brought back (钥匙借用), overdue ones first.
    Keys,
    /// The front desk, zone service staff, their supervisor and the heads:
    /// the duty log (值班记录), its daily sign-off and spot-checks.
    Duty,
    /// Guards, their leaders, the front desk and the heads: visitors and
    /// vehicles at the gate (门岗登记), who is inside, tonight's list.
    Gate,
    /// Cleaning and environment supervisors: inspecting an area.
    Inspect,
    /// Cleaning roles and the office head: open and overdue rectifications.
    Rectifications,
    /// Cleaning roles and the office head: the month's score sheet and sign-off.
    Sheet,
    /// Cleaning roles and the office head: 12 months of scores.
    History,
    /// Environment supervisor and office head: the score-sheet template.
    Template,
    /// The heads, the supervisors and zone service staff: the monthly
    /// reports their roles read (`ReportKind::readers`).
    Reports,
    /// Office head: every record of a date range as a zip of CSV files.
    Export,
    /// Office head and the IT administrator: staff, devices, zones and the
    /// audit trail.
    Admin,
}

/// The screens each role brings, in the order they are shown.
fn role_tabs(role: Role) -> &'static [Tab] {
    use Tab::*;
    match role {
        Role::Guard => &[Patrol, Gate, Requests],
        Role::SecuritySupervisor => &[Board, Setup, Tags, Overview, Gate, Requests, Reports],
        Role::ZoneService => &[Requests, Duty, Review, Visits, Residents, Reports],
        Role::ServiceSupervisor => &[
            Requests, Duty, Review, Visits, Residents, Keys, Overview, Reports,
        ],
        Role::CleaningSupervisor => &[Inspect, Rectifications, Sheet, History, Requests, Reports],
        Role::EnvironmentSupervisor => &[
            Inspect,
            Rectifications,
            Sheet,
            History,
            Template,
            Requests,
            Reports,
        ],
        Role::FrontDesk => &[Requests, Duty, Keys, Gate, Residents, Reports],
        Role::EngineeringSupervisor => &[Orders, Requests, Overview, Reports],
        Role::RepairStaff => &[Orders],
        Role::SquadLeader => &[Patrol, Board, Gate, Requests, Reports],
        // The IT administrator keeps no records; their screen is the
        // office's administration.
        Role::Admin => &[Admin],
        // The office head also gets the administration, after these (see `tabs`).
        Role::OfficeHead | Role::DeputyHead => &[
            Board,
            Requests,
            Orders,
            Review,
            Visits,
            Residents,
            Keys,
            Duty,
            Gate,
            Sheet,
            History,
            Rectifications,
            Template,
            Tags,
            Overview,
            Reports,
            Export,
        ],
    }
}

impl Session {
    pub fn token(&self) -> &str {
        &self.0.token
    }

    pub fn username(&self) -> &str {
        &self.0.user.username
    }

    pub fn display_name(&self) -> &str {
        &self.0.user.display_name
    }

    pub fn site_code(&self) -> &str {
        &self.0.site.code
    }

    pub fn site_name(&self) -> &str {
        &self.0.site.name
    }

    pub fn roles(&self) -> &[Role] {
        &self.0.user.roles
    }

    /// The zones this user may see and write (every zone for supervisors).
    pub fn zones(&self) -> &[ZoneRef] {
        &self.0.user.zones
    }

    /// A zone's name as people read it; its code if it is not one of the
    /// user's zones.
    pub fn zone_name(&self, code: &str) -> String {
        self.zones()
            .iter()
            .find(|zone| zone.code == code)
            .map_or_else(|| code.to_owned(), |zone| zone.name.clone())
    }

    /// The home's screens for this user's roles, without repeats. The first
    /// is the one shown after sign-in (a guard who is also a supervisor still
    /// lands on the patrol).
    pub fn tabs(&self) -> Vec<Tab> {
        let mut roles = self.roles().to_vec();
        // Patrolling is the most urgent work: a guard lands on it whatever else they are.
        roles.sort_by_key(|role| *role != Role::Guard);
        let mut tabs = Vec::new();
        let administration = self.administers().then_some(&Tab::Admin);
        for tab in roles.into_iter().flat_map(role_tabs).chain(administration) {
            if !tabs.contains(tab) {
                tabs.push(*tab);
            }
        }
        tabs
    }

    /// Whether this user runs the office's administration (`/api/admin`).
    pub fn administers(&self) -> bool {
        self.roles().iter().any(|role| role.administers())
    }

    /// Whether the tablet must ask for a new password before anything else.
    pub fn must_change_password(&self) -> bool {
        self.0.user.must_change_password
    }

    /// Keeps the session on this tablet.
    pub async fn save(&self, storage: &Storage) -> Result<(), StorageError> {
        let json = serde_json::to_string(&self.0).map_err(|e| StorageError(e.to_string()))?;
        storage.save_session(&json).await
    }

    /// The session kept on this tablet, if any (an unreadable one counts as none).
    pub async fn restore(storage: &Storage) -> Result<Option<Session>, StorageError> {
        Ok(storage
            .session()
            .await?
            .and_then(|json| serde_json::from_str(&json).ok())
            .map(Session))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use roundbook_shared::api::UserProfile;
    use roundbook_shared::domain::SiteInfo;
    use wasm_bindgen_test::wasm_bindgen_test;

    pub(crate) fn session(roles: Vec<Role>) -> Session {
        Session(LoginResponse {
            token: "token".into(),
            expires_at: "2026-12-01T00:00:00Z".into(),
            user: UserProfile {
                username: "guard-a".into(),
                display_name: "王强".into(),
                roles,
                zones: vec![ZoneRef {
                    code: "A".into(),
                    name: "A区 东苑".into(),
                }],
                must_change_password: false,
            },
            site: SiteInfo {
                code: "demo".into(),
                name: "翠湖花园".into(),
                timezone: "Asia/Shanghai".into(),
            },
        })
    }

    #[wasm_bindgen_test]
    fn tabs_follow_roles() {
        use roundbook_shared::reports::ReportKind;
        use Tab::*;
        assert_eq!(session(vec![Role::Guard]).tabs(), [Patrol, Gate, Requests]);
        // Repair staff reach only their work orders.
        assert_eq!(session(vec![Role::RepairStaff]).tabs(), [Orders]);
        assert_eq!(session(vec![Role::EngineeringSupervisor]).tabs()[0], Orders);
        assert_eq!(
            session(vec![Role::ZoneService]).tabs(),
            [Requests, Duty, Review, Visits, Residents, Reports]
        );
        assert_eq!(session(vec![Role::OfficeHead]).tabs()[0], Board);
        assert_eq!(session(vec![Role::CleaningSupervisor]).tabs()[0], Inspect);
        assert!(!session(vec![Role::CleaningSupervisor])
            .tabs()
            .contains(&Template));
        assert!(session(vec![Role::SecuritySupervisor])
            .tabs()
            .contains(&Setup));
        assert!(!session(vec![Role::OfficeHead]).tabs().contains(&Setup));
        // A supervisor who also patrols lands on the patrol; no tab twice.
        let both = session(vec![Role::SecuritySupervisor, Role::Guard]).tabs();
        assert_eq!(both[0], Patrol);
        assert_eq!(both.iter().filter(|tab| **tab == Requests).count(), 1);
        assert!(both.contains(&Board));
        // Administration: the head (last) and the IT administrator, not the deputy.
        assert_eq!(session(vec![Role::Admin]).tabs(), [Admin]);
        assert_eq!(session(vec![Role::OfficeHead]).tabs().last(), Some(&Admin));
        assert!(!session(vec![Role::DeputyHead]).tabs().contains(&Admin));
        for role in Role::ALL {
            assert_eq!(
                session(vec![role]).tabs().contains(&Admin),
                role.administers(),
                "{role:?}"
            );
            // The duty log is there exactly for the roles that hold it.
            assert_eq!(
                session(vec![role]).tabs().contains(&Duty),
                roundbook_shared::reach::reads(&[role], roundbook_shared::schema::DocKind::DutyLog),
                "{role:?}"
            );
            assert_eq!(
                session(vec![role]).tabs().contains(&Gate),
                roundbook_shared::reach::reads(&[role], roundbook_shared::schema::DocKind::GateLog),
                "{role:?}"
            );
            // The reports screen is there exactly for the roles that read a report.
            let reads = ReportKind::ALL.iter().any(|kind| kind.readable_by(&[role]));
            assert_eq!(
                session(vec![role]).tabs().contains(&Reports),
                reads,
                "{role:?}"
            );
        }
    }

    #[wasm_bindgen_test]
    fn a_sign_in_code_is_read_back_from_its_qr_text() {
        let text = sign_in_payload("k3Jx9");
        assert_eq!(text, "roundbook-sign-in:k3Jx9");
        assert_eq!(read_sign_in_code(&text), Some("k3Jx9"));
        assert_eq!(read_sign_in_code("roundbook-sign-in:"), None);
        assert_eq!(read_sign_in_code("roundbook:demo:A-01"), None);
        assert_eq!(read_sign_in_code(&sign_in_payload(&"x".repeat(201))), None);
    }

    #[wasm_bindgen_test]
    async fn session_survives_a_restart() {
        let name = format!("roundbook-test-session-{}", uuid::Uuid::new_v4().simple());
        let storage = Storage::open_named(&name).await.unwrap();
        let original = session(vec![Role::Guard]);
        original.save(&storage).await.unwrap();
        storage.close();
        let storage = Storage::open_named(&name).await.unwrap();
        assert_eq!(Session::restore(&storage).await.unwrap(), Some(original));
    }
}

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

/// The signed-in user, their token and site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session(pub LoginResponse);

/// What the home screen shows for a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Home {
    /// Guards: today's scans in their zones and the scan button.
    Patrol,
    /// Security supervisor and office head: the rounds board, patrol setup
    /// (security supervisor only), the tag sheet and the zone overview.
    Supervision,
    /// Other supervisors: today's patrol across the site's zones.
    Overview,
    /// Zone service and cleaning staff: their zones' records, read-only.
    ZoneRecords,
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

    /// Guards patrol; so does anyone who also holds the guard role.
    pub fn can_patrol(&self) -> bool {
        self.roles().contains(&Role::Guard)
    }

    /// Checkpoints, routes and schedules are the security supervisor's to
    /// edit (the server checks this too); the office head only reads them.
    pub fn can_edit_patrol_setup(&self) -> bool {
        self.roles().contains(&Role::SecuritySupervisor)
    }

    /// The home for this user's roles. A guard who is also a supervisor still
    /// patrols; the overview is one tap away in a later version.
    pub fn home(&self) -> Home {
        if self.can_patrol() {
            Home::Patrol
        } else if self
            .roles()
            .iter()
            .any(|role| matches!(role, Role::SecuritySupervisor | Role::OfficeHead))
        {
            Home::Supervision
        } else if self.roles().iter().any(|role| role.sees_whole_site()) {
            Home::Overview
        } else {
            Home::ZoneRecords
        }
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
            },
            site: SiteInfo {
                code: "demo".into(),
                name: "翠湖花园".into(),
                timezone: "Asia/Shanghai".into(),
            },
        })
    }

    #[wasm_bindgen_test]
    fn homes_follow_roles() {
        assert_eq!(session(vec![Role::Guard]).home(), Home::Patrol);
        assert_eq!(session(vec![Role::OfficeHead]).home(), Home::Supervision);
        assert_eq!(
            session(vec![Role::SecuritySupervisor]).home(),
            Home::Supervision
        );
        assert_eq!(
            session(vec![Role::ServiceSupervisor]).home(),
            Home::Overview
        );
        assert!(session(vec![Role::SecuritySupervisor]).can_edit_patrol_setup());
        assert!(!session(vec![Role::OfficeHead]).can_edit_patrol_setup());
        assert_eq!(session(vec![Role::ZoneService]).home(), Home::ZoneRecords);
        assert_eq!(
            session(vec![Role::CleaningSupervisor]).home(),
            Home::ZoneRecords
        );
        assert_eq!(
            session(vec![Role::SecuritySupervisor, Role::Guard]).home(),
            Home::Patrol
        );
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

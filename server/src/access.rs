//! Who may sync which document. Every `request` and `sync` message and every
//! document listing goes through [`Access::resolve`]; the tablet's own view of
//! its zones is never trusted.

use chrono::NaiveDate;

use roundbook_shared::domain::Role;
use roundbook_shared::ids::DocumentId;
use roundbook_shared::schema::DocKey;

use crate::store::{Account, Store, StoreResult};

/// How far back a tablet may create a day document it made offline, and how far
/// ahead (a tablet clock a little fast, or a shift crossing midnight).
const DAYS_BACK: i64 = 62;
const DAYS_AHEAD: i64 = 1;

/// A signed-in user's reach: their site and the zones they may see and write.
#[derive(Debug, Clone)]
pub struct Access {
    pub username: String,
    pub site: String,
    pub zones: Vec<String>,
    /// Whether this user may change zone directories (checkpoints, routes,
    /// schedules): the security supervisor and the office head. Everyone
    /// else in a zone only reads its directory.
    pub edits_directory: bool,
}

impl Access {
    /// Supervisors and the office head reach every zone of the site.
    pub fn for_account(account: &Account, site_zones: &[String]) -> Self {
        let whole_site = account.roles.iter().any(|role| role.sees_whole_site());
        let zones = if whole_site {
            site_zones.to_vec()
        } else {
            account
                .zones
                .iter()
                .filter(|zone| site_zones.contains(zone))
                .cloned()
                .collect()
        };
        let edits_directory = account
            .roles
            .iter()
            .any(|role| matches!(role, Role::SecuritySupervisor | Role::OfficeHead));
        Self {
            username: account.username.clone(),
            site: account.site.clone(),
            zones,
            edits_directory,
        }
    }

    pub fn allows(&self, key: &DocKey) -> bool {
        key.site == self.site && self.zones.contains(&key.zone)
    }

    /// What document `id` is, if this user may sync it. Documents not yet in
    /// the catalog are recognised by recomputing the ids this user could have
    /// created offline, and are then registered.
    pub fn resolve(
        &self,
        store: &dyn Store,
        id: &DocumentId,
        today: NaiveDate,
    ) -> StoreResult<Option<DocKey>> {
        if let Some(key) = store.document_key(id)? {
            return Ok(self.allows(&key).then_some(key));
        }
        let Some(key) = self.derive(id, today) else {
            return Ok(None);
        };
        store.register_document(id, &key)?;
        Ok(Some(key))
    }

    fn derive(&self, id: &DocumentId, today: NaiveDate) -> Option<DocKey> {
        self.zones.iter().find_map(|zone| {
            let directory = DocKey::zone_directory(&self.site, zone);
            if directory.document_id() == *id {
                return Some(directory);
            }
            (-DAYS_BACK..=DAYS_AHEAD)
                .filter_map(|offset| today.checked_add_signed(chrono::Duration::days(offset)))
                .map(|date| DocKey::patrol_log(&self.site, zone, date))
                .find(|key| key.document_id() == *id)
        })
    }
}

/// The day documents a user's tablet should hold: today and this many days before.
pub const LISTED_DAYS: i64 = 7;

#[cfg(test)]
mod tests {
    use super::*;

    fn account(roles: Vec<Role>, zones: &[&str]) -> Account {
        Account {
            username: "u".into(),
            display_name: "U".into(),
            site: "demo".into(),
            password_hash: String::new(),
            roles,
            zones: zones.iter().map(|z| z.to_string()).collect(),
        }
    }

    fn site_zones() -> Vec<String> {
        vec!["A".into(), "B".into(), "C".into()]
    }

    #[test]
    fn guards_reach_only_their_zones_and_supervisors_all() {
        let guard = Access::for_account(&account(vec![Role::Guard], &["A", "Z"]), &site_zones());
        assert_eq!(guard.zones, ["A"]);
        let head = Access::for_account(&account(vec![Role::OfficeHead], &[]), &site_zones());
        assert_eq!(head.zones, site_zones());
        assert!(guard.allows(&DocKey::zone_directory("demo", "A")));
        assert!(!guard.allows(&DocKey::zone_directory("demo", "B")));
        assert!(!guard.allows(&DocKey::zone_directory("other", "A")));
    }

    #[test]
    fn only_the_security_supervisor_and_the_office_head_edit_directories() {
        let edits =
            |role| Access::for_account(&account(vec![role], &["A"]), &site_zones()).edits_directory;
        assert!(edits(Role::SecuritySupervisor));
        assert!(edits(Role::OfficeHead));
        for role in [
            Role::Guard,
            Role::ZoneService,
            Role::CleaningSupervisor,
            Role::ServiceSupervisor,
        ] {
            assert!(!edits(role), "{role:?}");
        }
    }

    #[test]
    fn derives_offline_created_day_documents_within_the_window() {
        let guard = Access::for_account(&account(vec![Role::Guard], &["A"]), &site_zones());
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let yesterday = DocKey::patrol_log("demo", "A", today.pred_opt().unwrap());
        assert_eq!(
            guard.derive(&yesterday.document_id(), today),
            Some(yesterday)
        );
        let long_ago = DocKey::patrol_log("demo", "A", today - chrono::Duration::days(400));
        assert_eq!(guard.derive(&long_ago.document_id(), today), None);
        let other_zone = DocKey::patrol_log("demo", "B", today);
        assert_eq!(guard.derive(&other_zone.document_id(), today), None);
    }
}

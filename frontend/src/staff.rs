//! The staff directory (`GET /api/staff`) for the assignee picker: who may
//! be offered when a request is assigned or transferred.
//!
//! The last answer is kept in `localStorage` per site (names, usernames,
//! roles and zones only: the server sends no phones), so the picker works
//! offline; losing it costs nothing but a fetch. Whom to offer for a request
//! of a zone is decided by [`candidates`]; the server still checks the
//! assignment itself. This module shows nothing.

use roundbook_shared::api::StaffMember;
use roundbook_shared::domain::Role;

use crate::api::{self, ApiError};
use crate::browser;

fn cache_key(site: &str) -> String {
    format!("roundbook.staff.{site}")
}

/// The directory as last fetched on this tablet (empty if never).
pub fn cached(site: &str) -> Vec<StaffMember> {
    browser::pref(&cache_key(site))
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

/// Fetches the directory and keeps it for offline use.
pub async fn refresh(token: &str, site: &str) -> Result<Vec<StaffMember>, ApiError> {
    let directory = api::staff_directory(token).await?;
    if let Ok(json) = serde_json::to_string(&directory) {
        browser::set_pref(&cache_key(site), &json);
    }
    Ok(directory)
}

/// Whether a role takes requests to handle. Guards do not (they hand what
/// they meet to their squad leader or the desk), nor does the IT
/// administrator, who keeps no records.
pub fn handles_requests(role: Role) -> bool {
    !matches!(role, Role::Guard | Role::Admin)
}

/// The staff a request of `zone` may be assigned to, by name: those with a
/// role that handles requests who work in that zone or see the whole site.
pub fn candidates(directory: &[StaffMember], zone: &str) -> Vec<StaffMember> {
    let mut offered: Vec<StaffMember> = directory
        .iter()
        .filter(|member| member.roles.iter().any(|role| handles_requests(*role)))
        .filter(|member| {
            member.zones.iter().any(|code| code == zone)
                || member.roles.iter().any(|role| role.sees_whole_site())
        })
        .cloned()
        .collect();
    offered.sort_by(|a, b| a.name.cmp(&b.name).then(a.username.cmp(&b.username)));
    offered
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn member(username: &str, roles: &[Role], zones: &[&str]) -> StaffMember {
        StaffMember {
            username: username.into(),
            name: username.to_uppercase(),
            roles: roles.to_vec(),
            zones: zones.iter().map(|z| (*z).to_owned()).collect(),
        }
    }

    #[wasm_bindgen_test]
    fn a_request_is_offered_to_its_zones_handlers_and_the_whole_site_roles() {
        let directory = [
            member("service-a2", &[Role::ZoneService], &["A"]),
            member("service-b", &[Role::ZoneService], &["B"]),
            member("guard-a", &[Role::Guard], &["A"]),
            member("repair-a", &[Role::RepairStaff], &["A"]),
            member("engineering", &[Role::EngineeringSupervisor], &[]),
            member("admin", &[Role::Admin], &[]),
            member("guard-lead", &[Role::Guard, Role::SquadLeader], &["A"]),
        ];
        let offered: Vec<String> = candidates(&directory, "A")
            .into_iter()
            .map(|m| m.username)
            .collect();
        assert_eq!(
            offered,
            ["engineering", "guard-lead", "repair-a", "service-a2"]
        );
        let in_b: Vec<String> = candidates(&directory, "B")
            .into_iter()
            .map(|m| m.username)
            .collect();
        assert_eq!(in_b, ["engineering", "guard-lead", "service-b"]);
    }

    #[wasm_bindgen_test]
    fn the_directory_is_kept_per_site() {
        let site = format!("test-{}", uuid::Uuid::new_v4().simple());
        assert!(cached(&site).is_empty());
        let directory = vec![member("service-a2", &[Role::ZoneService], &["A"])];
        browser::set_pref(
            &cache_key(&site),
            &serde_json::to_string(&directory).unwrap(),
        );
        assert_eq!(cached(&site), directory);
        assert!(cached("another-site").is_empty());
    }
}

//! Who may sync which document. Every `request` and `sync` message and every
//! document listing goes through [`Access::resolve`]; the tablet's own view of
//! its zones is never trusted.

use chrono::NaiveDate;

use roundbook_shared::api::ZoneEntry;
use roundbook_shared::domain::Role;
use roundbook_shared::ids::DocumentId;
use roundbook_shared::schema::{DocKey, DocKind, SITE_WIDE};
use roundbook_shared::{reach, retention};

use crate::store::{Account, Store, StoreResult};

/// How far back a tablet may create a day document it made offline, and how far
/// ahead (a tablet clock a little fast, or a shift crossing midnight).
const DAYS_BACK: i64 = 62;
const DAYS_AHEAD: i64 = 1;
/// The same for month and quarter documents: the period holding today, the
/// two before it and the one after it.
const PERIODS_BACK: u32 = 2;

/// A signed-in user's reach: their site and the zones they may see and write.
#[derive(Debug, Clone)]
pub struct Access {
    pub username: String,
    pub site: String,
    pub zones: Vec<String>,
    /// What the user does; decides which kinds of document they hold and
    /// write (`roundbook_shared::reach`).
    pub roles: Vec<Role>,
    /// Zones of `zones` that are retired: still read (history, reports),
    /// never written.
    pub retired: Vec<String>,
    /// Set when someone else ended the session (the user was disabled or
    /// the device signed out) at this instant, Unix ms: the tablet may make
    /// its final upload of what its user recorded before then, and receives
    /// nothing (see `connection`).
    pub final_upload_before: Option<i64>,
    /// Zones the user stopped reaching within the final-upload window, with
    /// when (Unix ms): a tablet's work recorded there before the move is
    /// still taken, and nothing is sent (see [`Access::upload_only_before`]).
    pub former_zones: Vec<(String, i64)>,
    /// The site's enabled repair staff (usernames), whose work-order logs
    /// this user may dispatch to if their roles dispatch (loaded by
    /// [`Access::with_workers`]; empty until then, so nothing is dispatched).
    pub workers: Vec<String>,
}

impl Access {
    /// Supervisors and the office head reach every zone of the site,
    /// retired ones included (read-only).
    pub fn for_account(account: &Account, site_zones: &[ZoneEntry]) -> Self {
        let whole_site = account.roles.iter().any(|role| role.sees_whole_site());
        let reached: Vec<&ZoneEntry> = site_zones
            .iter()
            .filter(|zone| whole_site || account.zones.contains(&zone.code))
            .collect();
        Self {
            username: account.username.clone(),
            site: account.site.clone(),
            zones: reached.iter().map(|zone| zone.code.clone()).collect(),
            roles: account.roles.clone(),
            retired: reached
                .iter()
                .filter(|zone| zone.retired)
                .map(|zone| zone.code.clone())
                .collect(),
            final_upload_before: None,
            former_zones: Vec::new(),
            workers: Vec::new(),
        }
    }

    /// Adds the site's enabled repair staff: a disabled worker's log is still
    /// read (history) but takes no new order or event from anyone else.
    pub fn with_workers(mut self, store: &dyn Store) -> StoreResult<Self> {
        let holds_others = DocKind::ALL
            .iter()
            .filter(|kind| kind.per_worker())
            .any(|kind| reach::holds_every_worker(&self.roles, *kind));
        if holds_others {
            self.workers = store
                .accounts(&self.site)?
                .into_iter()
                .filter(|account| {
                    account.disabled_at.is_none() && account.roles.contains(&Role::RepairStaff)
                })
                .map(|account| account.username)
                .collect();
        }
        Ok(self)
    }

    /// Adds the zones the user left within the final-upload window (and
    /// does not reach again) from the store's record of zone departures.
    pub fn with_former_zones(mut self, store: &dyn Store, now_ms: i64) -> StoreResult<Self> {
        let since = now_ms.saturating_sub(FINAL_UPLOAD_WINDOW_MS);
        let mut former: Vec<(String, i64)> = Vec::new();
        for (zone, left_at) in store.former_zones(&self.username, since)? {
            if self.zones.contains(&zone) {
                continue;
            }
            match former.iter_mut().find(|(known, _)| *known == zone) {
                Some(entry) => entry.1 = entry.1.max(left_at),
                None => former.push((zone, left_at)),
            }
        }
        self.former_zones = former;
        Ok(self)
    }

    /// For a document the user may only upload to, the instant (Unix ms)
    /// before which their own records are taken: the end of a session
    /// someone else ended, or when they left the document's zone.
    pub fn upload_only_before(&self, key: &DocKey) -> Option<i64> {
        self.final_upload_before.or_else(|| {
            self.former_zones
                .iter()
                .find(|(zone, _)| key.home_zone() == Some(zone.as_str()))
                .map(|(_, left_at)| *left_at)
        })
    }

    /// Whether the user may sync the document at all: receive it, or only
    /// upload their own earlier records to it (a zone they left).
    pub fn reaches(&self, key: &DocKey) -> bool {
        let writes_kind = if key.kind.per_worker() {
            self.writes_worker_log(key)
        } else {
            reach::writes(&self.roles, key.kind)
        };
        self.allows(key)
            || (key.site == self.site && self.upload_only_before(key).is_some() && writes_kind)
    }

    /// Zones the user may record in: those reached and not retired.
    pub fn writable_zones(&self) -> impl Iterator<Item = &String> {
        self.zones
            .iter()
            .filter(|zone| !self.retired.contains(zone))
    }

    /// Whether this user may change this document: their roles write its
    /// kind and, for a zone's document, the zone is not retired (they must
    /// also be allowed the document itself).
    pub fn writes_to(&self, key: &DocKey) -> bool {
        if let Some(log) = key.worker_log() {
            return self.writes_worker_log(key)
                && (log.worker == self.username
                    || self.workers.iter().any(|worker| worker == log.worker));
        }
        self.writes(key.kind) && (key.kind.site_wide() || !self.retired.contains(&key.zone))
    }

    /// Whether this user may receive (and so sync) the document.
    pub fn allows(&self, key: &DocKey) -> bool {
        if key.kind.per_worker() {
            return key.site == self.site
                && reach::holds_worker(&self.roles, &self.username, &self.zones, key);
        }
        let place = if key.kind.site_wide() {
            key.zone == SITE_WIDE
        } else {
            self.zones.contains(&key.zone)
        };
        key.site == self.site && place && reach::reads(&self.roles, key.kind)
    }

    /// The per-worker rule for changing `key`, in the zones the user may
    /// write (or left lately, for a final upload).
    fn writes_worker_log(&self, key: &DocKey) -> bool {
        let mut zones: Vec<String> = self.writable_zones().cloned().collect();
        zones.extend(self.former_zones.iter().map(|(zone, _)| zone.clone()));
        reach::writes_worker(&self.roles, &self.username, &zones, key)
    }

    /// Whether a repair worker has work orders in `zone` (a log of theirs
    /// there, in the listed months): they then see the photos of the
    /// requests behind them and upload their own work's, whichever zones
    /// their account lists.
    pub fn works_orders_in(
        &self,
        store: &dyn Store,
        zone: &str,
        today: NaiveDate,
    ) -> StoreResult<bool> {
        if !self.roles.contains(&Role::RepairStaff) {
            return Ok(false);
        }
        let (_, mut month) = reach::listed_since(today);
        while month <= today {
            let key = DocKey::work_order_log(&self.site, zone, &self.username, month);
            if store.document_key(&key.document_id())?.is_some() {
                return Ok(true);
            }
            month = match month.checked_add_months(chrono::Months::new(1)) {
                Some(next) => next,
                None => break,
            };
        }
        Ok(false)
    }

    /// Whether this user may change documents of `kind` (they must also be
    /// allowed the document itself).
    pub fn writes(&self, kind: DocKind) -> bool {
        reach::writes(&self.roles, kind)
    }

    /// The documents this user always holds, whether or not the server has
    /// seen them yet: every reachable zone and site-wide document without a
    /// period, and the current period of every periodic kind. Work-order
    /// logs are not among them: one per worker and zone would be hundreds
    /// of empty documents; a dispatcher's tablet makes the one it writes to,
    /// and the others are listed once they exist.
    pub fn standing(&self, today: NaiveDate) -> Vec<DocKey> {
        reach::documents(
            &self.site,
            &self.roles,
            &self.zones,
            today,
            reach::Around::default(),
        )
    }

    /// What document `id` is, if this user may sync it. Documents not yet in
    /// the catalog are recognised by recomputing the ids this user could have
    /// created offline (in the zones they reach or left lately), and are
    /// then registered.
    pub fn resolve(
        &self,
        store: &dyn Store,
        id: &DocumentId,
        today: NaiveDate,
    ) -> StoreResult<Option<DocKey>> {
        if let Some(key) = store.document_key(id)? {
            return Ok((self.reaches(&key) && !retention::expired(&key, today)).then_some(key));
        }
        let Some(key) = self
            .derive(id, today)
            .filter(|key| !retention::expired(key, today))
        else {
            return Ok(None);
        };
        store.register_document(id, &key)?;
        Ok(Some(key))
    }

    fn derive(&self, id: &DocumentId, today: NaiveDate) -> Option<DocKey> {
        let around = reach::Around {
            days_back: DAYS_BACK,
            days_ahead: DAYS_AHEAD,
            periods_back: PERIODS_BACK,
        };
        let mut zones = self.zones.clone();
        zones.extend(self.former_zones.iter().map(|(zone, _)| zone.clone()));
        reach::documents(&self.site, &self.roles, &zones, today, around)
            .into_iter()
            .chain(reach::worker_documents(
                &self.site,
                &self.roles,
                &zones,
                &self.workers,
                today,
                around,
            ))
            .find(|key| key.document_id() == *id)
    }
}

/// How long after someone else ended a session, or after a user left a
/// zone, a tablet may still upload what its user recorded before: a week,
/// long enough for a tablet left offline over a holiday to come back.
pub const FINAL_UPLOAD_WINDOW_MS: i64 = 7 * 24 * 3600 * 1000;

/// Whether a tablet whose session someone else ended at `ended_at` may
/// still make its final upload at `now` (both Unix ms).
pub fn within_final_upload(ended_at: i64, now: i64) -> bool {
    now.saturating_sub(ended_at) <= FINAL_UPLOAD_WINDOW_MS
}

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
            ..Account::default()
        }
    }

    fn site_zones() -> Vec<ZoneEntry> {
        ["A", "B", "C"]
            .map(|code| ZoneEntry {
                code: code.into(),
                name: format!("{code}区"),
                retired: false,
            })
            .to_vec()
    }

    #[test]
    fn a_dispatcher_makes_a_workers_log_in_their_zones_only() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let mut clerk =
            Access::for_account(&account(vec![Role::ZoneService], &["A"]), &site_zones());
        clerk.workers = vec!["repair-a".into()];
        let theirs = DocKey::work_order_log("demo", "A", "repair-a", today);
        let elsewhere = DocKey::work_order_log("demo", "B", "repair-a", today);
        assert_eq!(
            clerk.derive(&theirs.document_id(), today),
            Some(theirs.clone())
        );
        assert!(clerk.writes_to(&theirs));
        assert_eq!(clerk.derive(&elsewhere.document_id(), today), None);
        assert!(!clerk.allows(&elsewhere));
        let mut engineering = Access::for_account(
            &account(vec![Role::EngineeringSupervisor], &[]),
            &site_zones(),
        );
        engineering.workers = vec!["repair-a".into()];
        assert_eq!(
            engineering.derive(&elsewhere.document_id(), today),
            Some(elsewhere)
        );
    }

    #[test]
    fn retired_zones_are_read_and_never_written() {
        let mut zones = site_zones();
        zones[0].retired = true;
        let guard = Access::for_account(&account(vec![Role::Guard], &["A", "B"]), &zones);
        assert_eq!(guard.zones, ["A", "B"]);
        assert_eq!(guard.writable_zones().collect::<Vec<_>>(), ["B"]);
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let (a, b) = (
            DocKey::patrol_log("demo", "A", today),
            DocKey::patrol_log("demo", "B", today),
        );
        assert!(guard.allows(&a) && guard.allows(&b));
        assert!(!guard.writes_to(&a), "a retired zone");
        assert!(guard.writes_to(&b));
        let head = Access::for_account(&account(vec![Role::OfficeHead], &[]), &zones);
        assert_eq!(head.zones, ["A", "B", "C"], "reports still cover it");
    }

    #[test]
    fn guards_reach_only_their_zones_and_supervisors_all() {
        let guard = Access::for_account(&account(vec![Role::Guard], &["A", "Z"]), &site_zones());
        assert_eq!(guard.zones, ["A"]);
        let head = Access::for_account(&account(vec![Role::OfficeHead], &[]), &site_zones());
        assert_eq!(head.zones, ["A", "B", "C"]);
        assert!(guard.allows(&DocKey::zone_directory("demo", "A")));
        assert!(!guard.allows(&DocKey::zone_directory("demo", "B")));
        assert!(!guard.allows(&DocKey::zone_directory("other", "A")));
    }

    #[test]
    fn only_the_security_supervisor_and_the_office_head_edit_directories() {
        let edits = |role| {
            Access::for_account(&account(vec![role], &["A"]), &site_zones())
                .writes(DocKind::ZoneDirectory)
        };
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

    #[test]
    fn derives_month_quarter_and_site_documents_by_role() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let staff = Access::for_account(&account(vec![Role::ZoneService], &["A"]), &site_zones());
        let september = NaiveDate::from_ymd_opt(2026, 9, 30).unwrap();
        for key in [
            DocKey::request_log("demo", "A", today),
            DocKey::request_log("demo", "A", september),
            DocKey::visit_log("demo", "A", today),
            DocKey::resident_directory("demo", "A"),
        ] {
            assert_eq!(staff.derive(&key.document_id(), today), Some(key));
        }
        let august = NaiveDate::from_ymd_opt(2026, 8, 31).unwrap();
        for key in [
            DocKey::request_log("demo", "A", august),
            DocKey::request_log("demo", "B", today),
            DocKey::cleaning_month("demo", today),
        ] {
            assert_eq!(staff.derive(&key.document_id(), today), None, "{key:?}");
        }
        let guard = Access::for_account(&account(vec![Role::Guard], &["A"]), &site_zones());
        let residents = DocKey::resident_directory("demo", "A");
        assert_eq!(guard.derive(&residents.document_id(), today), None);
        assert!(!guard.allows(&residents));
        let cleaning = Access::for_account(
            &account(vec![Role::CleaningSupervisor], &["A"]),
            &site_zones(),
        );
        let month = DocKey::cleaning_month("demo", today);
        assert_eq!(cleaning.derive(&month.document_id(), today), Some(month));
        assert!(cleaning
            .standing(today)
            .contains(&DocKey::cleaning_setup("demo")));
    }
}

//! Forgetting a user the office signed out remotely (disabled, or this
//! tablet signed out by the head): once the tablet has uploaded what the
//! server still accepts, that user's documents and photos leave the tablet.
//!
//! # Whose data is it?
//!
//! The tablet keys its data by what it is, not by who wrote it: a document
//! is stored under its id, a pure function of (site, kind, zone, period)
//! ([`DocKey`]), and a photo under its hash with its zone. Two users of one
//! tablet who share a zone therefore share the same documents, and each may
//! hold the other's unsynced records. So "that user's data" is decided by
//! who may read it, the server's own rule ([`reach::reads`] and the zones):
//!
//! - a document is deleted when the leaving user may read it and **no other
//!   user remembered on this tablet** may;
//! - a photo is deleted when the leaving user sees its zone and no other
//!   remembered user does.
//!
//! The remembered users are everyone who signed in on this tablet and has
//! not been forgotten ([`remember`] runs at every sign-in and restore; a
//! normal sign-out keeps the user remembered, because their records stay on
//! the tablet). Hence nothing another remembered user may read — their own
//! unsynced records included — is deleted.
//!
//! Which documents are looked at: those the leaving user's session held and
//! those their roles and zones name from [`WINDOW_DAYS`] days back (about 13
//! months of day, month and quarter documents). Older documents of theirs,
//! if any, stay (they cannot be told apart by id alone). Users who signed in
//! before this list existed are known only if still signed in at the update.
//!
//! The same rule serves a user who signs out and asks for their data to
//! leave the tablet (the default on a shared tablet, [`is_shared`]), once
//! nothing they recorded waits for the server.
//!
//! This module decides and deletes; it does not sync, sign out or show
//! anything (the app shell does, in that order).

use chrono::NaiveDate;
use roundbook_shared::domain::Role;
use roundbook_shared::reach::{self, Around};
use roundbook_shared::schema::{DocKey, DocKind, SITE_WIDE};
use serde::{Deserialize, Serialize};

use crate::session::Session;
use crate::storage::{Storage, StorageError};

/// How far back the leaving user's dated documents are looked for.
pub const WINDOW_DAYS: i64 = 400;

/// A user who signed in on this tablet, as far as deciding whose data stays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TabletUser {
    pub username: String,
    pub site: String,
    pub roles: Vec<Role>,
    pub zones: Vec<String>,
}

impl TabletUser {
    pub fn of(session: &Session) -> TabletUser {
        TabletUser {
            username: session.username().to_owned(),
            site: session.site_code().to_owned(),
            roles: session.roles().to_vec(),
            zones: session.zones().iter().map(|z| z.code.clone()).collect(),
        }
    }

    fn is(&self, other: &TabletUser) -> bool {
        self.username == other.username && self.site == other.site
    }

    fn sees_zone(&self, zone: &str) -> bool {
        self.zones.iter().any(|code| code == zone)
            || self.roles.iter().any(|role| role.sees_whole_site())
    }

    /// Whether this user may read the document of `key`, by the server's rule.
    fn reads(&self, key: &DocKey) -> bool {
        if key.kind.per_worker() {
            return self.site == key.site
                && reach::holds_worker(&self.roles, &self.username, &self.zones, key);
        }
        self.site == key.site
            && reach::reads(&self.roles, key.kind)
            && (key.kind.site_wide() || self.sees_zone(&key.zone))
    }

    /// Whether this user may see the photos kept for `zone` (a photo knows
    /// its zone, not its site or document).
    fn sees_photos_of(&self, zone: &str) -> bool {
        if zone == SITE_WIDE {
            DocKind::ALL
                .iter()
                .any(|kind| kind.site_wide() && reach::reads(&self.roles, *kind))
        } else {
            // A repair worker's photos are those of their orders, in
            // whichever zones those are.
            self.roles.iter().any(|role| role.keeps_records())
                && (self.sees_zone(zone) || self.roles.contains(&Role::RepairStaff))
        }
    }
}

/// Whether the document of `key` goes with `leaving`: they may read it and
/// none of `others` may.
pub fn doomed(leaving: &TabletUser, others: &[TabletUser], key: &DocKey) -> bool {
    leaving.reads(key)
        && !others
            .iter()
            .any(|other| !other.is(leaving) && other.reads(key))
}

/// Whether a photo of `zone` goes with `leaving`: they see the zone's
/// photos and none of `others` does.
pub fn doomed_photo(leaving: &TabletUser, others: &[TabletUser], zone: &str) -> bool {
    leaving.sees_photos_of(zone)
        && !others
            .iter()
            .any(|other| !other.is(leaving) && other.sees_photos_of(zone))
}

async fn load_users(storage: &Storage) -> Result<Vec<TabletUser>, StorageError> {
    Ok(storage
        .tablet_users()
        .await?
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default())
}

async fn save_users(storage: &Storage, users: &[TabletUser]) -> Result<(), StorageError> {
    let json = serde_json::to_string(users).map_err(|e| StorageError(e.to_string()))?;
    storage.save_tablet_users(&json).await
}

/// Remembers (or updates: roles and zones change) the session's user as a
/// user of this tablet.
pub async fn remember(storage: &Storage, session: &Session) -> Result<(), StorageError> {
    let user = TabletUser::of(session);
    let mut users = load_users(storage).await?;
    if users.contains(&user) {
        return Ok(());
    }
    users.retain(|known| !known.is(&user));
    users.push(user);
    save_users(storage, &users).await
}

/// Whether someone besides `user` signed in on this tablet and is still
/// remembered: a shared tablet, where signing out removes the user's data
/// by default.
pub async fn is_shared(storage: &Storage, user: &TabletUser) -> Result<bool, StorageError> {
    Ok(load_users(storage)
        .await?
        .iter()
        .any(|known| !known.is(user)))
}

/// What [`forget`] deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Forgotten {
    pub documents: usize,
    pub photos: usize,
}

/// Deletes `leaving`'s documents and photos by the rule above, then stops
/// remembering them. `held` are the documents their session held.
pub async fn forget(
    storage: &Storage,
    leaving: &TabletUser,
    held: Vec<DocKey>,
    today: NaiveDate,
) -> Result<Forgotten, StorageError> {
    let users = load_users(storage).await?;
    let around = Around {
        days_back: WINDOW_DAYS,
        days_ahead: 1,
        periods_back: (WINDOW_DAYS / 30) as u32,
    };
    let mut candidates = held;
    candidates.extend(reach::documents(
        &leaving.site,
        &leaving.roles,
        &leaving.zones,
        today,
        around,
    ));
    let stored = storage.stored_documents().await?;
    let mut doomed_ids: Vec<String> = candidates
        .iter()
        .filter(|key| doomed(leaving, &users, key))
        .map(|key| key.document_id().to_string())
        .filter(|id| stored.contains(id))
        .collect();
    doomed_ids.sort();
    doomed_ids.dedup();
    let mut forgotten = Forgotten::default();
    for id in &doomed_ids {
        storage.delete_document(id).await?;
        forgotten.documents += 1;
    }
    for (hash, zone) in storage.blob_zones().await? {
        if doomed_photo(leaving, &users, &zone) {
            storage.delete_blob(&hash).await?;
            forgotten.photos += 1;
        }
    }
    let rest: Vec<TabletUser> = users.into_iter().filter(|u| !u.is(leaving)).collect();
    save_users(storage, &rest).await?;
    Ok(forgotten)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::StoredBlob;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn user(username: &str, roles: &[Role], zones: &[&str]) -> TabletUser {
        TabletUser {
            username: username.into(),
            site: "demo".into(),
            roles: roles.to_vec(),
            zones: zones.iter().map(|z| (*z).to_owned()).collect(),
        }
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[wasm_bindgen_test]
    fn only_what_no_other_user_of_the_tablet_may_read_goes() {
        let leaving = user("guard-a", &[Role::Guard], &["A"]);
        let patrol_a = DocKey::patrol_log("demo", "A", day());
        let patrol_b = DocKey::patrol_log("demo", "B", day());
        let residents_a = DocKey::resident_directory("demo", "A");
        // Alone on the tablet: their zone's patrol log goes; what they
        // could not read (another zone, residents) is not theirs.
        assert!(doomed(&leaving, std::slice::from_ref(&leaving), &patrol_a));
        assert!(!doomed(&leaving, &[], &patrol_b));
        assert!(!doomed(&leaving, &[], &residents_a));
        // Another guard of zone A keeps it; one of zone B does not.
        let other_a = user("guard-a2", &[Role::Guard], &["A"]);
        let other_b = user("guard-b", &[Role::Guard], &["B"]);
        assert!(!doomed(&leaving, &[leaving.clone(), other_a], &patrol_a));
        assert!(doomed(&leaving, std::slice::from_ref(&other_b), &patrol_a));
        // A supervisor sees every zone; anyone keeping records in zone A
        // reads its patrol log, the IT administrator does not.
        let supervisor = user("security", &[Role::SecuritySupervisor], &[]);
        assert!(!doomed(&leaving, &[supervisor], &patrol_a));
        let service = user("service-a", &[Role::ZoneService], &["A"]);
        assert!(!doomed(&leaving, std::slice::from_ref(&service), &patrol_a));
        let admin = user("admin", &[Role::Admin], &[]);
        assert!(doomed(&leaving, std::slice::from_ref(&admin), &patrol_a));
        // The residents of zone A: service staff read them, a guard does not,
        // so leaving them is not the guard's to delete either way.
        let service_leaving = user("service-a2", &[Role::ZoneService], &["A"]);
        assert!(doomed(
            &service_leaving,
            std::slice::from_ref(&leaving),
            &residents_a
        ));
        assert!(!doomed(&service_leaving, &[service], &residents_a));
        // Another site's user with the same zone code does not keep it.
        let elsewhere = TabletUser {
            site: "other".into(),
            ..user("guard-x", &[Role::Guard], &["A"])
        };
        assert!(doomed(&leaving, &[elsewhere], &patrol_a));
    }

    #[wasm_bindgen_test]
    fn photos_go_with_the_zone_nobody_else_sees() {
        let leaving = user("guard-a", &[Role::Guard], &["A"]);
        assert!(doomed_photo(&leaving, &[], "A"));
        assert!(!doomed_photo(&leaving, &[], "B"));
        assert!(!doomed_photo(
            &leaving,
            &[user("service-a", &[Role::ZoneService], &["A"])],
            "A"
        ));
        // The IT administrator keeps no records, so keeps no photos.
        assert!(doomed_photo(
            &leaving,
            &[user("admin", &[Role::Admin], &[])],
            "A"
        ));
    }

    fn photo(zone: &str) -> StoredBlob {
        StoredBlob {
            bytes: vec![1, 2, 3],
            zone: zone.into(),
            media_type: "image/jpeg".into(),
            uploaded: false,
            created_at: 0,
        }
    }

    #[wasm_bindgen_test]
    async fn forgetting_deletes_by_the_rule_and_keeps_the_rest() {
        let name = format!("roundbook-test-wipe-{}", uuid::Uuid::new_v4().simple());
        let storage = Storage::open_named(&name).await.unwrap();
        let leaving = user("guard-a", &[Role::Guard], &["A", "C"]);
        let staying = user("guard-b", &[Role::Guard], &["B", "C"]);
        save_users(&storage, &[leaving.clone(), staying.clone()])
            .await
            .unwrap();
        let old_day = day() - chrono::Duration::days(200);
        let (mine, shared, theirs, old) = (
            DocKey::patrol_log("demo", "A", day()),
            DocKey::patrol_log("demo", "C", day()),
            DocKey::patrol_log("demo", "B", day()),
            DocKey::patrol_log("demo", "A", old_day),
        );
        for key in [&mine, &shared, &theirs, &old] {
            let id = key.document_id().to_string();
            storage.append_chunk(&id, &[7]).await.unwrap();
            storage.save_acked_heads(&id, &[[1; 32]]).await.unwrap();
        }
        for (hash, zone) in [("pa", "A"), ("pb", "B"), ("pc", "C")] {
            storage.put_blob(hash, &photo(zone)).await.unwrap();
        }
        // Only today's document was held; the old one is found by the window.
        let forgotten = forget(&storage, &leaving, vec![mine.clone()], day())
            .await
            .unwrap();
        assert_eq!(
            forgotten,
            Forgotten {
                documents: 2,
                photos: 1
            }
        );
        let present = |key: &DocKey| {
            let storage = storage.clone();
            let id = key.document_id().to_string();
            async move { !storage.load_chunks(&id).await.unwrap().is_empty() }
        };
        assert!(!present(&mine).await);
        assert!(!present(&old).await);
        assert!(present(&shared).await, "guard-b reads zone C");
        assert!(present(&theirs).await);
        assert_eq!(
            storage
                .acked_heads(&mine.document_id().to_string())
                .await
                .unwrap(),
            None
        );
        assert_eq!(storage.blob("pa").await.unwrap(), None);
        assert!(storage.blob("pc").await.unwrap().is_some());
        let queued: Vec<String> = storage
            .queued_blobs()
            .await
            .unwrap()
            .into_iter()
            .map(|(hash, _)| hash)
            .collect();
        assert_eq!(queued, ["pb", "pc"]);
        // guard-a is no longer remembered; guard-b is.
        assert_eq!(load_users(&storage).await.unwrap(), vec![staying]);
    }
}

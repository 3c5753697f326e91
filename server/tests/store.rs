//! The `Store` contract, with the same test bodies on both backends: SQLite in
//! a temporary file, PostgreSQL in a fresh database of a throwaway cluster.
//! A backend can open a second store on the same database, standing for a
//! second server. Then the PostgreSQL store's news of other servers' writes.

mod common;

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use roundbook_server::store::postgres::PostgresStore;
use roundbook_server::store::sqlite::SqliteStore;
use roundbook_server::store::{
    Account, Audit, BlobRef, ChunkSizes, Elsewhere, ElsewhereFeed, EndSessions, NewPassword,
    NewSession, Part, PartOutcome, SessionEnd, Store, UploadLimits, UploadState, Uploader,
};
use roundbook_shared::api::ZoneEntry;
use roundbook_shared::domain::{Role, SiteInfo, ZoneRef};
use roundbook_shared::ids::DocumentId;
use roundbook_shared::schema::DocKey;

/// Offers one part of an upload, as the upload route does.
fn offer(
    store: &dyn Store,
    blob: &BlobRef,
    uploader: &Uploader<'_>,
    part: Part<'_>,
) -> PartOutcome {
    store.append_upload_part(blob, uploader, part).unwrap()
}

/// Offers a part that must be appended, the upload then holding `received` bytes.
#[track_caller]
fn appended(
    store: &dyn Store,
    blob: &BlobRef,
    uploader: &Uploader<'_>,
    part: Part<'_>,
    received: u64,
) {
    assert_eq!(
        offer(store, blob, uploader, part),
        PartOutcome::Appended { received }
    );
}

/// A database that tests open stores on, as servers would.
trait Backend {
    /// A store on the database, migrated; each call is another "server".
    fn open(&self) -> Box<dyn Store>;
}

struct Sqlite(tempfile::TempDir);

impl Backend for Sqlite {
    fn open(&self) -> Box<dyn Store> {
        let store = SqliteStore::open(&self.0.path().join("test.sqlite3")).unwrap();
        store.migrate().unwrap();
        Box::new(store)
    }
}

struct Postgres(common::postgres::TestDatabase);

impl Backend for Postgres {
    fn open(&self) -> Box<dyn Store> {
        let store = PostgresStore::connect(&self.0.url).unwrap();
        store.migrate().unwrap();
        Box::new(store)
    }
}

fn sqlite() -> Sqlite {
    Sqlite(tempfile::tempdir().unwrap())
}

fn postgres() -> Postgres {
    Postgres(common::postgres::database())
}

/// Runs each named test body once on each backend: `sqlite::name`, `postgres::name`.
macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $test() { super::$test(&super::sqlite()) } )*
        }
        mod postgres {
            $( #[test] fn $test() { super::$test(&super::postgres()) } )*
        }
    };
}

on_both_backends!(
    chunks_append_load_and_compact,
    compaction_keeps_chunks_written_after_what_it_covers,
    catching_up_skips_only_snapshots_of_what_the_reader_holds,
    migrating_twice_keeps_the_data,
    sites_are_created_once,
    accounts_round_trip,
    sessions_expire_and_revoke,
    zones_are_created_renamed_and_retired,
    accounts_are_created_once_and_their_departures_kept,
    sessions_ended_remotely_are_kept_and_told_apart,
    sign_in_codes_are_single_use_and_expire,
    the_catalog_lists_recent_days_and_recent_periods,
    uploads_append_in_order_and_commit_once_per_zone,
    an_upload_in_progress_belongs_to_its_uploader,
    unfinished_uploads_are_held_to_a_quota_per_user,
    uploads_left_untouched_too_long_expire,
);

fn doc(n: u8) -> DocumentId {
    DocumentId::from_bytes([n; 16])
}

fn chunks_append_load_and_compact(backend: &dyn Backend) {
    let store = backend.open();
    let id = doc(1);
    let first = store.add_snapshot(&id, b"snapshot").unwrap();
    assert_eq!(first.after, 0, "a new document");
    let one = store.append_chunk(&id, b"one").unwrap();
    assert_eq!(one.after, first.seq);
    assert!(one.seq > first.seq);
    assert_eq!(
        one.sizes,
        ChunkSizes {
            snapshot_bytes: 8,
            incremental_bytes: 3
        }
    );
    let two = store.append_chunk(&id, b"two").unwrap();
    assert_eq!(
        store.load_chunks(&id).unwrap(),
        [b"snapshot".to_vec(), b"one".to_vec(), b"two".to_vec()]
    );
    let all = store.chunks_after(&id, 0).unwrap();
    assert_eq!(all.through, two.seq);

    let compacted = store.replace_with_snapshot(&id, b"all", two.seq).unwrap();
    assert_eq!(compacted.after, two.seq, "nobody wrote in between");
    assert_eq!(
        compacted.sizes,
        ChunkSizes {
            snapshot_bytes: 3,
            incremental_bytes: 0
        }
    );
    assert_eq!(store.load_chunks(&id).unwrap(), [b"all".to_vec()]);
    assert!(store.load_chunks(&doc(2)).unwrap().is_empty());
    assert_eq!(store.chunks_after(&doc(2), 0).unwrap().through, 0);
}

/// Server 1 reads a document, server 2 appends to it, then server 1 compacts
/// what it read: server 2's chunk must survive, and server 1 learns that it
/// is behind.
fn compaction_keeps_chunks_written_after_what_it_covers(backend: &dyn Backend) {
    let (first, second) = (backend.open(), backend.open());
    let id = doc(3);
    first.add_snapshot(&id, b"base").unwrap();
    first.append_chunk(&id, b"mine").unwrap();
    let read = first.chunks_after(&id, 0).unwrap();
    let late = second.append_chunk(&id, b"late").unwrap();

    let compacted = first
        .replace_with_snapshot(&id, b"base+mine", read.through)
        .unwrap();
    assert_eq!(compacted.after, late.seq, "the compactor sees it is behind");
    assert_eq!(
        compacted.sizes,
        ChunkSizes {
            snapshot_bytes: 9,
            incremental_bytes: 4
        }
    );
    for store in [&first, &second] {
        assert_eq!(
            store.load_chunks(&id).unwrap(),
            [b"base+mine".to_vec(), b"late".to_vec()]
        );
    }
}

fn catching_up_skips_only_snapshots_of_what_the_reader_holds(backend: &dyn Backend) {
    let store = backend.open();
    let id = doc(4);
    store.add_snapshot(&id, b"genesis").unwrap();
    let held = store.append_chunk(&id, b"c1").unwrap().seq;
    let c2 = store.append_chunk(&id, b"c2").unwrap().seq;
    let folded = store.replace_with_snapshot(&id, b"S", c2).unwrap().seq;
    let c3 = store.append_chunk(&id, b"c3").unwrap().seq;

    // Holding up to c1, the snapshot has c2 for the reader.
    let behind = store.chunks_after(&id, held).unwrap();
    assert_eq!(behind.bytes, [b"S".to_vec(), b"c3".to_vec()]);
    assert_eq!(behind.through, c3);
    // Holding up to c2, it has nothing new: skipped.
    let current = store.chunks_after(&id, c2).unwrap();
    assert_eq!(current.bytes, [b"c3".to_vec()]);
    assert_eq!(current.through, c3);
    assert!(folded < c3);
    let done = store.chunks_after(&id, c3).unwrap();
    assert!(done.bytes.is_empty());
    assert_eq!(done.through, c3);
    // A snapshot with content of its own is never skipped.
    let own = store.add_snapshot(&id, b"own").unwrap();
    assert_eq!(own.after, c3);
    assert_eq!(
        store.chunks_after(&id, c3).unwrap().bytes,
        [b"own".to_vec()]
    );
}

fn migrating_twice_keeps_the_data(backend: &dyn Backend) {
    let store = backend.open();
    store.add_snapshot(&doc(5), b"kept").unwrap();
    store.migrate().unwrap();
    assert_eq!(
        backend.open().load_chunks(&doc(5)).unwrap(),
        [b"kept".to_vec()]
    );
}

fn site(name: &str) -> SiteInfo {
    SiteInfo {
        code: "demo".into(),
        name: name.into(),
        timezone: "Asia/Shanghai".into(),
    }
}

fn sites_are_created_once(backend: &dyn Backend) {
    let (first, second) = (backend.open(), backend.open());
    let zones = [
        ZoneRef {
            code: "B".into(),
            name: "B区".into(),
        },
        ZoneRef {
            code: "A".into(),
            name: "A区".into(),
        },
    ];
    assert!(first.create_site(&site("翠湖花园"), &zones).unwrap());
    assert!(!second.create_site(&site("another"), &zones[..1]).unwrap());
    assert_eq!(second.site("demo").unwrap(), Some(site("翠湖花园")));
    let codes: Vec<_> = second
        .zones("demo")
        .unwrap()
        .into_iter()
        .map(|zone| zone.code)
        .collect();
    assert_eq!(codes, ["A", "B"]);
    second.put_site(&site("renamed"), &[]).unwrap();
    assert_eq!(first.site("demo").unwrap(), Some(site("renamed")));
    assert_eq!(first.site("other").unwrap(), None);
}

fn accounts_round_trip(backend: &dyn Backend) {
    let store = backend.open();
    store.create_site(&site("翠湖花园"), &[]).unwrap();
    let mut account = Account {
        username: "guard-a".into(),
        display_name: "王保安".into(),
        site: "demo".into(),
        password_hash: "$argon2id$placeholder".into(),
        roles: vec![Role::Guard, Role::ZoneService],
        zones: vec!["A".into(), "B".into()],
        phone: Some("13800000001".into()),
        disabled_at: Some(5),
        must_change_password: true,
    };
    store.put_account(&account).unwrap();
    let stored = store.account("guard-a").unwrap().unwrap();
    assert_eq!(stored, account);
    assert_eq!(store.accounts("demo").unwrap(), [account.clone()]);
    assert!(store.accounts("other").unwrap().is_empty());
    account.zones.clear();
    store.put_account(&account).unwrap();
    assert!(store.account("guard-a").unwrap().unwrap().zones.is_empty());
    assert!(store.account("nobody").unwrap().is_none());
}

fn sessions_expire_and_revoke(backend: &dyn Backend) {
    let store = backend.open();
    roundbook_server::demo::seed(store.as_ref(), None).unwrap();
    store
        .create_session(&session(b"hash", "guard-a", 100))
        .unwrap();
    assert_eq!(
        store.session_user(b"hash", 99).unwrap().as_deref(),
        Some("guard-a")
    );
    assert_eq!(store.session_user(b"hash", 100).unwrap(), None);
    store.revoke_session(b"hash").unwrap();
    assert_eq!(store.session_user(b"hash", 0).unwrap(), None);
}

/// A session of `username`'s from a tablet called "tablet", started at 1 s.
fn session<'a>(token_hash: &'a [u8], username: &'a str, expires_unix: i64) -> NewSession<'a> {
    NewSession {
        token_hash,
        username,
        expires_unix,
        device: "tablet",
        now_ms: 1_000,
    }
}

/// An audit row of the demo site by the head, at `at`.
fn audit(action: &str, target: &str, at: i64) -> Audit {
    Audit {
        site: "demo".into(),
        actor: "head".into(),
        device: "office pc".into(),
        at,
        action: action.into(),
        target: target.into(),
        detail: String::new(),
    }
}

fn zones_are_created_renamed_and_retired(backend: &dyn Backend) {
    let store = backend.open();
    roundbook_server::demo::seed(store.as_ref(), None).unwrap();
    let mut d = ZoneEntry {
        code: "D".into(),
        name: "D区".into(),
        retired: false,
    };
    assert!(store
        .create_zone("demo", &d, &audit("zone_created", "D", 1))
        .unwrap());
    assert!(!store
        .create_zone("demo", &d, &audit("zone_created", "D", 2))
        .unwrap());
    d.retired = true;
    d.name = "D区 旧".into();
    assert!(store
        .change_zone("demo", &d, &audit("zone_changed", "D", 3))
        .unwrap());
    let e = ZoneEntry {
        code: "E".into(),
        ..d.clone()
    };
    assert!(!store
        .change_zone("demo", &e, &audit("zone_changed", "E", 4))
        .unwrap());
    let zones = store.zone_list("demo").unwrap();
    assert_eq!(zones.last(), Some(&d));
    assert_eq!(zones.len(), 4);
    assert_eq!(
        store.zones("demo").unwrap().len(),
        4,
        "retired zones stay listed"
    );
    let trail: Vec<_> = store
        .audit("demo", 10)
        .unwrap()
        .into_iter()
        .map(|entry| (entry.at, entry.action))
        .collect();
    assert_eq!(
        trail,
        [(3, "zone_changed".into()), (1, "zone_created".into())],
        "newest first; nothing for what changed nothing"
    );
    assert_eq!(store.audit("demo", 1).unwrap().len(), 1);
    assert!(store.audit("other", 10).unwrap().is_empty());
}

fn accounts_are_created_once_and_their_departures_kept(backend: &dyn Backend) {
    let store = backend.open();
    roundbook_server::demo::seed(store.as_ref(), None).unwrap();
    let mut account = Account {
        username: "guard-new".into(),
        display_name: "新保安".into(),
        site: "demo".into(),
        password_hash: "$argon2id$placeholder".into(),
        roles: vec![Role::Guard],
        zones: vec!["A".into()],
        ..Account::default()
    };
    assert!(store
        .create_account(&account, &audit("staff_created", "guard-new", 10))
        .unwrap());
    assert!(!store
        .create_account(&account, &audit("staff_created", "guard-new", 11))
        .unwrap());
    assert!(!store
        .create_account(
            &Account {
                username: "guard-a".into(),
                ..account.clone()
            },
            &audit("staff_created", "guard-a", 12)
        )
        .unwrap());
    account.zones = vec!["B".into()];
    account.phone = Some("13800000009".into());
    account.display_name = "改名".into();
    // Only name, phone, roles and zones change.
    let changed = Account {
        password_hash: "ignored".into(),
        must_change_password: true,
        ..account.clone()
    };
    store
        .change_account(
            &changed,
            &["A".into()],
            &audit("staff_changed", "guard-new", 20),
        )
        .unwrap();
    assert_eq!(store.account("guard-new").unwrap().unwrap(), account);
    assert_eq!(
        store.former_zones("guard-new", 0).unwrap(),
        [("A".to_owned(), 20)]
    );
    assert!(store.former_zones("guard-new", 21).unwrap().is_empty());
    assert!(store.former_zones("guard-a", 0).unwrap().is_empty());
    assert_eq!(store.audit("demo", 10).unwrap().len(), 2);
}

fn sessions_ended_remotely_are_kept_and_told_apart(backend: &dyn Backend) {
    let store = backend.open();
    roundbook_server::demo::seed(store.as_ref(), None).unwrap();
    let far = i64::MAX / 2000;
    for hash in [b"one", b"two", b"own"] {
        store
            .create_session(&session(hash, "guard-a", far))
            .unwrap();
    }
    store
        .create_session(&session(b"b", "guard-b", far))
        .unwrap();
    store
        .create_session(&session(b"old", "guard-a", 5))
        .unwrap();
    let live = store.live_session(b"one", 10).unwrap().unwrap();
    assert_eq!(
        (live.username.as_str(), live.device.as_str()),
        ("guard-a", "tablet")
    );
    assert_eq!(live.last_seen, 1_000);
    store.touch_session(b"one", 5_000, Some(7)).unwrap();
    store.touch_session(b"one", 4_000, None).unwrap();
    let devices = store.site_sessions("demo", 10).unwrap();
    assert_eq!(devices.len(), 4, "the expired one is not listed");
    let one = &devices.iter().find(|(_, d)| d.id == live.id).unwrap().1;
    assert_eq!(
        (one.last_seen, one.pending, one.signed_in_at),
        (5_000, Some(7), 1_000)
    );

    // Signing out yourself is not a remote end.
    store.revoke_session(b"own").unwrap();
    assert_eq!(store.ended_remotely(b"own").unwrap(), None);

    // A device signed out by the office: another site's office cannot.
    let id = live.id.clone();
    let audit_at = |at| audit("device_signed_out", "guard-a", at);
    assert_eq!(
        store
            .end_session(
                &id,
                SessionEnd::SignedOut,
                &Audit {
                    site: "other".into(),
                    ..audit_at(30)
                }
            )
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .end_session(&id, SessionEnd::SignedOut, &audit_at(30))
            .unwrap(),
        Some(b"one".to_vec())
    );
    assert_eq!(
        store
            .end_session(&id, SessionEnd::SignedOut, &audit_at(31))
            .unwrap(),
        None,
        "ended once"
    );
    assert_eq!(store.live_session(b"one", 10).unwrap(), None);
    assert_eq!(
        store.ended_remotely(b"one").unwrap(),
        Some(("guard-a".to_owned(), 30))
    );

    // A password changed on one device ends the others.
    let ended = store
        .set_password(
            NewPassword {
                username: "guard-b",
                password_hash: "$argon2id$new",
                must_change: false,
                end: EndSessions {
                    reason: SessionEnd::PasswordChanged,
                    keep: Some(b"b"),
                },
            },
            &audit("password_changed", "guard-b", 40),
        )
        .unwrap();
    assert!(ended.is_empty());
    assert!(store.live_session(b"b", 10).unwrap().is_some());

    // Disabling ends every live session at once.
    let ended = store
        .disable_account("guard-a", &audit("staff_disabled", "guard-a", 50_000))
        .unwrap();
    assert_eq!(ended, [b"two".to_vec()]);
    assert_eq!(
        store.ended_remotely(b"two").unwrap(),
        Some(("guard-a".to_owned(), 50_000))
    );
    assert_eq!(
        store.account("guard-a").unwrap().unwrap().disabled_at,
        Some(50_000)
    );
    store
        .disable_account("guard-a", &audit("staff_disabled", "guard-a", 60_000))
        .unwrap();
    assert_eq!(
        store.account("guard-a").unwrap().unwrap().disabled_at,
        Some(50_000),
        "disabled once: the first moment stays"
    );
    assert_eq!(store.ended_remotely(b"unknown").unwrap(), None);
}

fn sign_in_codes_are_single_use_and_expire(backend: &dyn Backend) {
    let store = backend.open();
    roundbook_server::demo::seed(store.as_ref(), None).unwrap();
    let issued = audit("sign_in_code_issued", "guard-a", 1);
    store.issue_sign_in_code(b"code", 100, &issued).unwrap();
    store.issue_sign_in_code(b"late", 100, &issued).unwrap();
    assert_eq!(store.redeem_sign_in_code(b"nope", 50).unwrap(), None);
    assert_eq!(
        store.redeem_sign_in_code(b"code", 50).unwrap().as_deref(),
        Some("guard-a")
    );
    assert_eq!(
        store.redeem_sign_in_code(b"code", 51).unwrap(),
        None,
        "used"
    );
    assert_eq!(
        store.redeem_sign_in_code(b"late", 100).unwrap(),
        None,
        "expired"
    );
}

fn the_catalog_lists_recent_days_and_recent_periods(backend: &dyn Backend) {
    let store = backend.open();
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let keys = [
        DocKey::zone_directory("demo", "A"),
        DocKey::patrol_log("demo", "A", today),
        DocKey::patrol_log("demo", "B", today),
        DocKey::request_log("demo", "A", today - chrono::Duration::days(60)),
        DocKey::patrol_log("demo", "A", today - chrono::Duration::days(30)),
        DocKey::request_log("demo", "A", today - chrono::Duration::days(400)),
    ];
    for key in &keys {
        store.register_document(&key.document_id(), key).unwrap();
    }
    // Registering again is harmless.
    store
        .register_document(&keys[0].document_id(), &keys[0])
        .unwrap();
    let year_ago = today - chrono::Duration::days(365);
    let listed = store
        .documents("demo", today - chrono::Duration::days(7), year_ago)
        .unwrap();
    assert_eq!(listed.len(), 4);
    assert!(keys[..4].iter().all(|key| listed.contains(key)));
    assert_eq!(
        store.document_key(&keys[3].document_id()).unwrap(),
        Some(keys[3].clone())
    );
    assert_eq!(store.document_key(&doc(9)).unwrap(), None);
    assert!(store.documents("other", today, today).unwrap().is_empty());
}

fn uploads_append_in_order_and_commit_once_per_zone(backend: &dyn Backend) {
    let store = backend.open();
    let guard_a = uploader("guard-a", NOW, LIMITS);
    let blob = |zone: &str| BlobRef {
        site: "demo".into(),
        zone: zone.into(),
        hash: "ab".repeat(32),
    };
    let a = blob("A");
    assert_eq!(
        store.upload_state(&a).unwrap(),
        UploadState::Partial {
            received: 0,
            total: 0
        }
    );
    appended(&*store, &a, &guard_a, part(0, 6, b"abc"), 3);
    assert_eq!(
        offer(&*store, &a, &guard_a, part(0, 6, b"abc")),
        PartOutcome::OffsetMismatch { received: 3 }
    );
    assert_eq!(
        store.upload_state(&a).unwrap(),
        UploadState::Partial {
            received: 3,
            total: 6
        }
    );
    appended(&*store, &a, &guard_a, part(3, 6, b"def"), 6);
    assert_eq!(store.upload_bytes(&a).unwrap(), b"abcdef");
    store.commit_blob(&a, "image/png", b"abcdef").unwrap();
    assert_eq!(
        store.upload_state(&a).unwrap(),
        UploadState::Complete { size: 6 }
    );
    assert!(store.upload_bytes(&a).unwrap().is_empty(), "parts dropped");
    assert_eq!(
        offer(&*store, &a, &guard_a, part(0, 6, b"abc")),
        PartOutcome::AlreadyComplete { size: 6 }
    );
    assert_eq!(
        store.blob(&a).unwrap(),
        Some(("image/png".to_string(), b"abcdef".to_vec()))
    );
    // Another zone does not see it until it uploads the bytes itself.
    let b = blob("B");
    assert_eq!(store.blob(&b).unwrap(), None);
    offer(&*store, &b, &guard_a, part(0, 9, b"abc"));
    assert_eq!(
        offer(&*store, &b, &guard_a, part(3, 6, b"def")),
        PartOutcome::TotalChanged
    );
    assert_eq!(
        store.upload_state(&b).unwrap(),
        UploadState::Partial {
            received: 0,
            total: 0
        }
    );
    offer(&*store, &b, &guard_a, part(0, 6, b"abc"));
    assert!(store.discard_upload(&b, "guard-a").unwrap());
    assert!(store.upload_bytes(&b).unwrap().is_empty());
    store.commit_blob(&b, "image/png", b"abcdef").unwrap();
    assert_eq!(
        store.blob(&b).unwrap(),
        Some(("image/png".to_string(), b"abcdef".to_vec()))
    );
}

/// A moment for the upload tests' clock.
const NOW: i64 = 1_800_000_000;

const LIMITS: UploadLimits = UploadLimits {
    quota_bytes: 1 << 20,
    expire_after_secs: 7 * 24 * 3600,
    site_quota_bytes: u64::MAX,
};

fn uploader(username: &str, now_unix: i64, limits: UploadLimits) -> Uploader<'_> {
    Uploader {
        username,
        now_unix,
        limits,
    }
}

/// `bytes` at `offset` of an upload of `total` bytes.
fn part(offset: u64, total: u64, bytes: &[u8]) -> Part<'_> {
    Part {
        offset,
        total,
        bytes,
    }
}

/// Photo `n` of zone `zone` (its name only; the tests never check it).
fn photo(zone: &str, n: u8) -> BlobRef {
    BlobRef {
        site: "demo".into(),
        zone: zone.into(),
        hash: format!("{n:02x}").repeat(32),
    }
}

const NOTHING: UploadState = UploadState::Partial {
    received: 0,
    total: 0,
};

fn an_upload_in_progress_belongs_to_its_uploader(backend: &dyn Backend) {
    let store = backend.open();
    let (mine, theirs) = (
        uploader("guard-a", NOW, LIMITS),
        uploader("guard-a2", NOW, LIMITS),
    );
    let photo_1 = photo("A", 1);
    appended(&*store, &photo_1, &mine, part(0, 6, b"abc"), 3);
    // Continuing, restarting, or declaring another total (which would
    // discard it): another user of the zone changes nothing.
    for (offset, total) in [(3, 6), (0, 6), (0, 9), (3, 9)] {
        assert_eq!(
            offer(&*store, &photo_1, &theirs, part(offset, total, b"xyz")),
            PartOutcome::NotYours,
            "{offset} {total}"
        );
    }
    assert!(!store.discard_upload(&photo_1, "guard-a2").unwrap());
    assert_eq!(
        store.upload_state(&photo_1).unwrap(),
        UploadState::Partial {
            received: 3,
            total: 6
        },
        "others may see it exists"
    );
    assert_eq!(store.upload_bytes(&photo_1).unwrap(), b"abc");

    // Finished, it is the zone's, for everyone in it.
    appended(&*store, &photo_1, &mine, part(3, 6, b"def"), 6);
    store.commit_blob(&photo_1, "image/png", b"abcdef").unwrap();
    assert_eq!(
        offer(&*store, &photo_1, &theirs, part(0, 6, b"abc")),
        PartOutcome::AlreadyComplete { size: 6 }
    );
    assert_eq!(
        store.blob(&photo_1).unwrap(),
        Some(("image/png".to_string(), b"abcdef".to_vec()))
    );

    // The uploader may discard their own; then anyone may upload it.
    let photo_2 = photo("A", 2);
    offer(&*store, &photo_2, &mine, part(0, 6, b"abc"));
    assert!(store.discard_upload(&photo_2, "guard-a").unwrap());
    assert_eq!(store.upload_state(&photo_2).unwrap(), NOTHING);
    appended(&*store, &photo_2, &theirs, part(0, 6, b"xyz"), 3);
}

fn unfinished_uploads_are_held_to_a_quota_per_user(backend: &dyn Backend) {
    let store = backend.open();
    let limits = UploadLimits {
        quota_bytes: 10,
        ..LIMITS
    };
    let (guard_a, guard_b) = (
        uploader("guard-a", NOW, limits),
        uploader("guard-b", NOW, limits),
    );
    let (first, second) = (photo("A", 3), photo("B", 4));
    appended(&*store, &first, &guard_a, part(0, 6, b"abc"), 3);
    // Counted by declared totals, over every zone of the user.
    assert_eq!(
        offer(&*store, &second, &guard_a, part(0, 6, b"abc")),
        PartOutcome::OverQuota { held: 6, quota: 10 }
    );
    assert_eq!(
        store.upload_state(&second).unwrap(),
        NOTHING,
        "nothing stored"
    );
    // Another user has a quota of their own.
    appended(&*store, &photo("B", 5), &guard_b, part(0, 10, b"abc"), 3);
    // An upload admitted finishes whatever the quota, and frees its share.
    appended(&*store, &first, &guard_a, part(3, 6, b"def"), 6);
    store.commit_blob(&first, "image/png", b"abcdef").unwrap();
    appended(&*store, &second, &guard_a, part(0, 10, b"abc"), 3);
}

fn uploads_left_untouched_too_long_expire(backend: &dyn Backend) {
    let store = backend.open();
    let limits = UploadLimits {
        expire_after_secs: 100,
        ..LIMITS
    };
    let guard_a = |at| uploader("guard-a", at, limits);
    let guard_b = |at| uploader("guard-b", at, limits);
    let (old, kept, late) = (photo("A", 6), photo("B", 7), photo("B", 8));
    offer(&*store, &old, &guard_a(NOW), part(0, 6, b"abc"));

    // Untouched for exactly the limit: still there when an upload starts.
    offer(&*store, &kept, &guard_b(NOW + 100), part(0, 6, b"abc"));
    assert_eq!(
        store.upload_state(&old).unwrap(),
        UploadState::Partial {
            received: 3,
            total: 6
        }
    );
    // A part touches an upload.
    appended(&*store, &kept, &guard_b(NOW + 150), part(3, 6, b"d"), 4);

    // One second longer, and the next upload to start (anyone's) deletes it.
    offer(&*store, &late, &guard_b(NOW + 201), part(0, 6, b"abc"));
    assert_eq!(store.upload_state(&old).unwrap(), NOTHING);
    assert!(store.upload_bytes(&old).unwrap().is_empty());
    assert_eq!(
        store.upload_state(&kept).unwrap(),
        UploadState::Partial {
            received: 4,
            total: 6
        },
        "touched since"
    );
    // Its uploader starts again; or anyone may upload the photo now.
    assert_eq!(
        offer(&*store, &old, &guard_a(NOW + 202), part(3, 6, b"def")),
        PartOutcome::OffsetMismatch { received: 0 }
    );
    appended(&*store, &old, &guard_b(NOW + 202), part(0, 6, b"abc"), 3);
}

/// The next news on the feed within a few seconds, if any.
fn next_news(feed: &mut ElsewhereFeed, within: Duration) -> Option<Elsewhere> {
    let deadline = Instant::now() + within;
    loop {
        if let Ok(news) = feed.try_recv() {
            return Some(news);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn sqlite_brings_no_news() {
    let backend = sqlite();
    let mut feed = backend.open().changes_elsewhere().unwrap();
    backend.open().append_chunk(&doc(1), b"one").unwrap();
    assert_eq!(next_news(&mut feed, Duration::from_millis(100)), None);
}

#[test]
fn postgres_brings_news_of_other_servers_writes_only() {
    let backend = postgres();
    let (mine, other) = (backend.open(), backend.open());
    let mut feed = mine.changes_elsewhere().unwrap();
    let id = doc(6);

    // Our own writes are not news; compaction brings nothing new to anyone.
    let own = mine.add_snapshot(&id, b"genesis").unwrap();
    mine.append_chunk(&id, b"own").unwrap();
    mine.replace_with_snapshot(&id, b"folded", own.seq).unwrap();
    let theirs = other.append_chunk(&id, b"theirs").unwrap();
    other
        .replace_with_snapshot(&id, b"folded again", theirs.seq)
        .unwrap();
    assert_eq!(
        next_news(&mut feed, Duration::from_secs(5)),
        Some(Elsewhere::Changed {
            id,
            seq: theirs.seq
        })
    );
    assert_eq!(next_news(&mut feed, Duration::from_millis(300)), None);
}

#[test]
fn postgres_says_news_was_missed_after_listening_again() {
    let backend = postgres();
    let (mine, other) = (backend.open(), backend.open());
    let mut feed = mine.changes_elsewhere().unwrap();
    assert_eq!(backend.0.drop_listeners(), 1);
    assert_eq!(
        next_news(&mut feed, Duration::from_secs(5)),
        Some(Elsewhere::Missed)
    );
    // And it listens again.
    let theirs = other.append_chunk(&doc(7), b"theirs").unwrap();
    assert_eq!(
        next_news(&mut feed, Duration::from_secs(5)),
        Some(Elsewhere::Changed {
            id: doc(7),
            seq: theirs.seq
        })
    );
}

#[test]
fn postgres_store_survives_its_connections_being_dropped() {
    let backend = postgres();
    let store = backend.open();
    store.add_snapshot(&doc(8), b"before").unwrap();
    let dropped: usize = backend
        .0
        .query(&format!(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
             WHERE datname = '{}' AND application_name = 'roundbook-server'",
            backend.0.name
        ))
        .parse()
        .unwrap();
    assert!(dropped >= 1);
    // The pool checks a connection before handing it out and replaces it.
    store.append_chunk(&doc(8), b"after").unwrap();
    assert_eq!(
        store.load_chunks(&doc(8)).unwrap(),
        [b"before".to_vec(), b"after".to_vec()]
    );
}

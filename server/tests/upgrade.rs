//! Upgrading a server: databases made by the previous release, kept as
//! fixtures in `tests/fixtures/`, opened by this one.
//!
//! The fixtures were made by `make_previous_release_fixtures` (ignored: it
//! writes files) run on the previous release's code, so they hold exactly what
//! that release stored, through its own HTTP and sync endpoints.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::NaiveDate;
use common::{Server, Tablet};
use roundbook_server::store::migrations::CURRENT;
use roundbook_server::store::postgres::PostgresStore;
use roundbook_server::store::sqlite::SqliteStore;
use roundbook_server::store::Store;
use roundbook_shared::api::UploadStatus;
use roundbook_shared::blob::hash_of;
use roundbook_shared::schema::{directory, DocKey};

/// Bytes that sniff as a PNG, `len` long, different for each `seed`.
fn photo(seed: u8, len: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend((0..len as u32 - 8).map(|n| (n.wrapping_mul(2_654_435_761) >> 13) as u8 ^ seed));
    bytes
}

/// The photo uploaded completely to zone A, in two parts.
fn complete_photo() -> Vec<u8> {
    photo(1, 24_000)
}

/// The photo whose upload to zone A was left half done.
fn partial_photo() -> Vec<u8> {
    photo(2, 48_000)
}

/// How much of [`partial_photo`] the previous release holds.
const PARTIAL_HELD: usize = 16_000;

/// Scans a tablet synced to the previous release (zone A's patrol log of the
/// day the fixture was made).
const OLD_SCANS: [&str; 3] = ["old-1", "old-2", "old-3"];

/// The day the fixtures were made: their patrol log's.
fn fixture_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()
}

/// The fixtures' sessions of `guard-a` (test data, never a real token).
const SQLITE_SESSION: &str = "U1Gl65X6UicegOHPKVNqLKxNZFW6-wsXiqWj9M_f-og";
const POSTGRES_SESSION: &str = "fbPiUCvN_W82LwEXshPqyPZNVEFklfYrH-O-r0bKO1Q";

/// A moment the fixtures' sessions were live: just after they were made
/// (they expire 30 days later, so the server would refuse them today).
const SESSIONS_LIVE_UNIX: i64 = 1_796_200_000;

const WAIT: Duration = Duration::from_secs(20);

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Fills the database `db` through a running server: the demo site, a
/// session, scans synced by a tablet, a complete photo and a half-done upload.
/// Returns the session's token.
async fn fill_like_a_site(db: &str) -> String {
    let server = Server::start_with_db(db).await;
    let token = server.login("guard-a").await.token;

    let mut tablet = Tablet::new("guard-a");
    let id = tablet.hold(&common::patrol_key("A"));
    for scan in OLD_SCANS {
        tablet.scan(&id, scan);
    }
    tablet.join(&server.ws_url(&token)).await;
    tablet.sync_all().await;

    let complete = complete_photo();
    let hash = hash_of(&complete);
    let total = complete.len() as u64;
    let first = server
        .put_part(Some(&token), "A", &hash, 0, total, &complete[..12_000])
        .await;
    assert_eq!(first.status(), 200);
    let last = server
        .put_part(Some(&token), "A", &hash, 12_000, total, &complete[12_000..])
        .await;
    assert!(last.json::<UploadStatus>().await.unwrap().complete);

    let partial = partial_photo();
    let held = server
        .put_part(
            Some(&token),
            "A",
            &hash_of(&partial),
            0,
            partial.len() as u64,
            &partial[..PARTIAL_HELD],
        )
        .await;
    assert_eq!(held.status(), 200);
    tablet.disconnect();
    // Let the server finish what it was doing before it is killed.
    tokio::time::sleep(Duration::from_millis(500)).await;
    drop(server);
    token
}

/// Writes `tests/fixtures/previous_release.sqlite3` (and, with the
/// PostgreSQL programs, `previous_release_postgres.sql`). Run on the release
/// the fixtures stand for:
/// `cargo test -p roundbook-server --test upgrade -- --ignored make_previous_release_fixtures`
#[tokio::test]
#[ignore = "writes the fixtures; run on the previous release's code"]
async fn make_previous_release_fixtures() {
    std::fs::create_dir_all(fixtures()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("previous.sqlite3");
    let token = fill_like_a_site(db.to_str().unwrap()).await;
    {
        // One self-contained, compact file: the WAL folded in.
        let connection = rusqlite::Connection::open(&db).unwrap();
        connection
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE); VACUUM; PRAGMA journal_mode = DELETE;")
            .unwrap();
    }
    std::fs::copy(&db, fixtures().join("previous_release.sqlite3")).unwrap();

    let postgres = common::postgres::database();
    let pg_token = fill_like_a_site(&postgres.url).await;
    let dump = postgres.dump();
    std::fs::write(fixtures().join("previous_release_postgres.sql"), dump).unwrap();
    println!(
        "fixtures written on {}; sessions: sqlite {token}, postgres {pg_token}",
        common::today()
    );
}

#[tokio::test]
async fn a_sqlite_file_of_the_previous_release_upgrades_and_syncs() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("office.sqlite3");
    std::fs::copy(fixtures().join("previous_release.sqlite3"), &db).unwrap();
    upgrade_and_sync(db.to_str().unwrap(), SQLITE_SESSION).await;
}

#[tokio::test]
async fn a_postgres_database_of_the_previous_release_upgrades_and_syncs() {
    let database = common::postgres::database();
    database.load(&fixtures().join("previous_release_postgres.sql"));
    upgrade_and_sync(&database.url, POSTGRES_SESSION).await;
}

/// Upgrades the database `db` as docs/upgrades.md says (`migrate`, then
/// serve), checks that everything the previous release stored is there, and
/// syncs a tablet's offline scans into the old patrol log.
async fn upgrade_and_sync(db: &str, old_session: &str) {
    let migrate = std::process::Command::new(env!("CARGO_BIN_EXE_roundbook-server"))
        .args(["migrate", "--db", db])
        .output()
        .unwrap();
    assert!(migrate.status.success(), "{migrate:?}");
    let said = String::from_utf8_lossy(&migrate.stdout);
    assert!(said.contains("recognised as version 1"), "{said}");
    assert!(
        said.contains(&format!("schema version 1 -> {CURRENT}: migrated")),
        "{said}"
    );

    // The session the previous release opened is still recorded.
    let (address, token) = (db.to_owned(), old_session.to_owned());
    let user = tokio::task::spawn_blocking(move || {
        let store: Box<dyn Store> = if address.starts_with("postgres://") {
            Box::new(PostgresStore::connect(&address).unwrap())
        } else {
            Box::new(SqliteStore::open(Path::new(&address)).unwrap())
        };
        let hash = roundbook_server::auth::token_hash(&token);
        store.session_user(&hash, SESSIONS_LIVE_UNIX).unwrap()
    })
    .await
    .unwrap();
    assert_eq!(user.as_deref(), Some("guard-a"));

    let server = Server::start_with_db(db).await;
    let token = server.login("guard-a").await.token;

    // The complete photo downloads; the half-done upload resumes.
    let complete = complete_photo();
    let download = server
        .get(
            &format!("/api/blobs/A/{}", hash_of(&complete)),
            Some(&token),
        )
        .await;
    assert_eq!(download.status(), 200);
    assert_eq!(download.bytes().await.unwrap(), complete);
    let partial = partial_photo();
    let hash = hash_of(&partial);
    let status: UploadStatus = server
        .get(&format!("/api/uploads/A/{hash}"), Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        status,
        UploadStatus {
            received: PARTIAL_HELD as u64,
            complete: false
        }
    );
    let rest = server
        .put_part(
            Some(&token),
            "A",
            &hash,
            PARTIAL_HELD as u64,
            partial.len() as u64,
            &partial[PARTIAL_HELD..],
        )
        .await;
    assert_eq!(rest.status(), 200);
    assert!(rest.json::<UploadStatus>().await.unwrap().complete);
    let download = server
        .get(&format!("/api/blobs/A/{hash}"), Some(&token))
        .await;
    assert_eq!(download.bytes().await.unwrap(), partial);

    // A tablet's scans made offline on the old day join the old scans; the
    // seeded zone directory is there.
    let day = DocKey::patrol_log("demo", "A", fixture_day());
    let directory_key = DocKey::zone_directory("demo", "A");
    let mut tablet = Tablet::new("guard-a");
    let id = tablet.hold(&day);
    let directory_id = tablet.hold(&directory_key);
    tablet.scan(&id, "new-1");
    tablet.scan(&id, "new-2");
    assert_eq!(tablet.replica.pending_total(), 2);
    tablet.join(&server.ws_url(&token)).await;
    tablet.sync_all().await;
    tablet
        .sync_until(WAIT, |t| t.scan_ids(&id).len() == 5)
        .await;
    assert_eq!(
        tablet.scan_ids(&id),
        ["new-1", "new-2", "old-1", "old-2", "old-3"]
    );
    tablet
        .sync_until(WAIT, |t| {
            t.replica
                .doc(&directory_id)
                .is_some_and(|doc| directory::checkpoints(doc).unwrap().len() == 4)
        })
        .await;
    tablet.disconnect();

    // A restart (which migrates again: nothing to do) keeps it all.
    let server = server.restart().await;
    let mut fresh = Tablet::new("guard-a");
    fresh.hold(&day);
    fresh.join(&server.ws_url(&token)).await;
    fresh.sync_until(WAIT, |t| t.scan_ids(&id).len() == 5).await;
}

/// docs/upgrades.md's roll back: the backup made before migrating is put
/// back. The server holds everything up to the backup; a tablet that synced
/// patrol records after it sends them again, with the receipts the server
/// stamped on them after the backup: sealed with the database's key, so the
/// restored server takes them as its own.
#[tokio::test]
async fn after_restoring_the_backup_records_synced_since_come_back_from_the_tablet() {
    let server = Server::start().await;
    let token = server.login("guard-a").await.token;
    let backup = server.db.with_extension("backup");
    let mut tablet = Tablet::new("guard-a");
    let id = tablet.hold(&common::patrol_key("A"));
    tablet.scan(&id, "before-backup");
    tablet.join(&server.ws_url(&token)).await;
    tablet.sync_all().await;
    // What `sqlite3 roundbook.sqlite3 ".backup ..."` makes: a consistent copy
    // of a file in use.
    rusqlite::Connection::open(&server.db)
        .unwrap()
        .execute("VACUUM INTO ?1", [backup.to_str().unwrap()])
        .unwrap();
    tablet.scan(&id, "after-backup");
    tablet.flush(&id).await;
    tablet.sync_all().await;
    tablet.disconnect();

    let mut server = server;
    server.kill();
    for stale in ["sqlite3-wal", "sqlite3-shm"] {
        let _ = std::fs::remove_file(server.db.with_extension(stale));
    }
    std::fs::copy(&backup, &server.db).unwrap();
    let server = server.restart().await;
    // Sessions opened after the backup are gone with it: sign in again.
    assert_eq!(
        server.get("/api/docs", Some(&token)).await.status(),
        200,
        "this one was opened before"
    );
    let mut other = Tablet::new("guard-a");
    other.hold(&common::patrol_key("A"));
    other.join(&server.ws_url(&token)).await;
    other.sync_until(WAIT, |t| t.scan_ids(&id).len() == 1).await;
    assert_eq!(other.scan_ids(&id), ["before-backup"]);

    tablet.join(&server.ws_url(&token)).await;
    let (tablet, ()) = common::answering(
        tablet,
        other.sync_until(WAIT, |t| t.scan_ids(&id).len() == 2),
    )
    .await;
    assert_eq!(tablet.replica.refusal(&id), None);
    assert_eq!(other.scan_ids(&id), ["after-backup", "before-backup"]);
    let receipts = |t: &Tablet| {
        roundbook_shared::schema::receipt::receipts(
            t.replica.doc(&id).unwrap(),
            roundbook_shared::schema::Container::Scans,
        )
        .unwrap()
    };
    assert_eq!(receipts(&other), receipts(&tablet), "the first receipts");
}

//! Upgrading a server: databases made by the previous release, kept as
//! fixtures in `tests/fixtures/`, opened by this one.
//!
//! The fixtures were made by `make_previous_release_fixtures` (ignored: it
//! writes files) run on the previous release's code, so they hold exactly what
//! that release stored, through its own HTTP and sync endpoints.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{Server, Tablet};
use roundbook_shared::api::UploadStatus;
use roundbook_shared::blob::hash_of;

/// Bytes that sniff as a PNG, `len` long, different for each `seed`.
fn photo(seed: u8, len: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend(
        (0..len as u32 - 8).map(|n| (n.wrapping_mul(2_654_435_761) >> 13) as u8 ^ seed),
    );
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

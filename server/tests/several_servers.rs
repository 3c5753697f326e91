//! Several real server processes on one PostgreSQL database (a throwaway
//! cluster, a fresh database per test): live push from one server's tablets
//! to another's, no acknowledged change lost to a SIGKILL, compaction on both
//! servers losing nothing, catching up after the listening connection drops,
//! sign-ins and photo uploads carrying over from one server to another, and
//! one sign-in throttle for all of them.

mod common;

use std::time::Duration;

use common::postgres::{database, TestDatabase};
use common::{patrol_key, Server, Tablet};
use roundbook_shared::api::UploadStatus;
use roundbook_shared::blob::{hash_of, UPLOAD_CHUNK_BYTES};
use roundbook_shared::ids::DocumentId;
use roundbook_shared::schema::directory::checkpoints;
use roundbook_shared::schema::DocKey;

const WAIT: Duration = Duration::from_secs(20);

/// Two servers on one database, started at once (both with `--demo`).
async fn two_servers(db: &TestDatabase) -> (Server, Server) {
    tokio::join!(
        Server::start_with_db(&db.url),
        Server::start_with_db(&db.url)
    )
}

/// A guard's tablet online on `server`, holding today's zone A patrol log.
async fn tablet_on(server: &Server, username: &str) -> (Tablet, DocumentId) {
    let token = server.login(username).await.token;
    let mut tablet = Tablet::new(username);
    let id = tablet.hold(&patrol_key("A"));
    tablet.join(&server.ws_url(&token)).await;
    (tablet, id)
}

/// Records a scan and waits until the server acknowledged it, so the tablet
/// is subscribed to the document there.
async fn scan_acked(tablet: &mut Tablet, id: &DocumentId, scan: &str) {
    tablet.scan(id, scan);
    tablet.flush(id).await;
    tablet.sync_all().await;
}

fn chunk_count(db: &TestDatabase, id: &DocumentId) -> usize {
    let hex: String = id
        .as_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    db.query(&format!(
        "SELECT count(*) FROM chunks WHERE doc_id = '\\x{hex}'::bytea"
    ))
    .parse()
    .expect("a count")
}

#[tokio::test]
async fn a_scan_stored_by_one_server_reaches_a_tablet_on_another_live() {
    let db = database();
    let (first, second) = two_servers(&db).await;
    let (mut watcher, id) = tablet_on(&second, "guard-a").await;
    scan_acked(&mut watcher, &id, "watcher-1").await;

    let (mut recorder, _) = tablet_on(&first, "guard-a2").await;
    scan_acked(&mut recorder, &id, "recorder-1").await;
    scan_acked(&mut recorder, &id, "recorder-2").await;
    // The watcher asked once, on the other server, and never again.
    watcher
        .sync_until(WAIT, |t| t.scan_ids(&id).len() == 3)
        .await;
    // And back the other way.
    scan_acked(&mut watcher, &id, "watcher-2").await;
    recorder
        .sync_until(WAIT, |t| t.scan_ids(&id).len() == 4)
        .await;
    assert_eq!(watcher.scan_ids(&id), recorder.scan_ids(&id));

    // Both servers were started with --demo at once: one seeded, once.
    let directory = DocKey::zone_directory("demo", "A");
    let token = second.login("guard-a").await.token;
    let mut reader = Tablet::new("guard-a");
    let directory_id = reader.hold(&directory);
    reader.join(&second.ws_url(&token)).await;
    reader
        .sync_until(WAIT, |t| {
            !checkpoints(t.replica.doc(&directory_id).unwrap())
                .unwrap()
                .is_empty()
        })
        .await;
    let seeded = checkpoints(reader.replica.doc(&directory_id).unwrap()).unwrap();
    assert_eq!(seeded.len(), 4, "the demo was seeded once");
}

#[tokio::test]
async fn acknowledged_scans_survive_sigkill_mid_sync_on_postgres() {
    let db = database();
    common::acknowledged_scans_survive_sigkill_mid_sync(Server::start_with_db(&db.url).await).await;
}

/// Both servers take changes to one document at the same time and both
/// compact it; a third server, which has only what is stored, has every
/// change. The exact interleaving that would lose one under the old rule (a
/// chunk landing between a server's last read and its compaction) is rare
/// with real timing, so it is forced in `hub`'s tests and `tests/store.rs`;
/// this is the same rule under whatever timing two processes produce.
#[tokio::test]
async fn two_servers_compacting_one_document_lose_no_change() {
    const SCANS: usize = 30;
    let db = database();
    let (first, second) = two_servers(&db).await;
    let (mut left, id) = tablet_on(&first, "guard-a").await;
    let (mut right, _) = tablet_on(&second, "guard-a2").await;
    for n in 0..SCANS {
        left.scan(&id, &format!("left-{n:03}"));
        right.scan(&id, &format!("right-{n:03}"));
        tokio::join!(left.flush(&id), right.flush(&id));
        tokio::join!(left.sync_all(), right.sync_all());
    }
    assert!(
        chunk_count(&db, &id) < SCANS,
        "{} chunks for {} changes: never compacted",
        chunk_count(&db, &id),
        2 * SCANS
    );

    // A third server loads only what is stored.
    let third = Server::start_with_db(&db.url).await;
    let (mut fresh, _) = tablet_on(&third, "guard-a").await;
    for tablet in [&mut fresh, &mut left, &mut right] {
        tablet
            .sync_until(WAIT, |t| t.scan_ids(&id).len() == 2 * SCANS)
            .await;
    }
}

/// News sent while a server was not listening is not lost: once it listens
/// again, it re-reads its live documents and pushes what it missed.
#[tokio::test]
async fn a_server_that_stopped_listening_catches_up_when_it_listens_again() {
    let db = database();
    let (first, second) = two_servers(&db).await;
    let (mut watcher, id) = tablet_on(&second, "guard-a").await;
    scan_acked(&mut watcher, &id, "watcher-1").await;
    let (mut recorder, _) = tablet_on(&first, "guard-a2").await;

    // The servers listen again a moment after losing the connection: write
    // until a scan is stored while neither listens, so its news is missed.
    let mut missed = 0;
    loop {
        wait_for_listeners(&db, 2).await;
        assert_eq!(db.drop_listeners(), 2);
        missed += 1;
        scan_acked(&mut recorder, &id, &format!("missed-{missed}")).await;
        if db.listeners() == 0 {
            break;
        }
        assert!(
            missed < 5,
            "every scan was stored after the servers listened again"
        );
    }
    watcher
        .sync_until(WAIT, |t| t.scan_ids(&id).len() == 1 + missed)
        .await;
    // And news flows again afterwards.
    wait_for_listeners(&db, 2).await;
    scan_acked(&mut recorder, &id, "after-1").await;
    watcher
        .sync_until(WAIT, |t| t.scan_ids(&id).len() == 2 + missed)
        .await;
}

async fn wait_for_listeners(db: &TestDatabase, count: usize) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while db.listeners() != count {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the servers did not listen again"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A tablet may reach any server: a token from one works on another, an
/// upload cut off on one continues on another, and a sign-out on one ends the
/// session everywhere.
#[tokio::test]
async fn a_sign_in_and_a_photo_upload_carry_over_to_another_server() {
    let db = database();
    let (first, second) = two_servers(&db).await;
    let token = first.login("guard-a").await.token;
    let mut photo = b"\x89PNG\r\n\x1a\n".to_vec();
    photo.extend((0..200_000u32).map(|n| (n.wrapping_mul(2_654_435_761) >> 11) as u8));
    let hash = hash_of(&photo);
    let total = photo.len() as u64;
    let (head, rest) = photo.split_at(UPLOAD_CHUNK_BYTES);

    let response = first
        .put_part(Some(&token), "A", &hash, 0, total, head)
        .await;
    assert_eq!(response.status(), 200);
    let response = second
        .put_part(Some(&token), "A", &hash, head.len() as u64, total, rest)
        .await;
    assert_eq!(response.status(), 200);
    let status: UploadStatus = response.json().await.unwrap();
    assert_eq!(
        status,
        UploadStatus {
            received: total,
            complete: true
        }
    );
    let download = first
        .get(&format!("/api/blobs/A/{hash}"), Some(&token))
        .await;
    assert_eq!(download.status(), 200);
    assert_eq!(download.bytes().await.unwrap(), photo);

    let logout = reqwest::Client::new()
        .post(format!("{}/api/logout", second.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 204);
    assert_eq!(first.get("/api/docs", Some(&token)).await.status(), 401);
}

#[tokio::test]
async fn failed_sign_ins_on_one_server_lock_the_name_on_another() {
    let db = database();
    let (first, second) = two_servers(&db).await;
    let client = reqwest::Client::new();
    let attempt = |server: &Server, password: &str| {
        client
            .post(format!("{}/api/login", server.base))
            .json(&serde_json::json!({"username": "guard-a", "password": password}))
            .send()
    };
    // Failures alternate between the servers; together they reach the limit.
    for n in 0..5 {
        let server = if n % 2 == 0 { &first } else { &second };
        assert_eq!(attempt(server, "wrong").await.unwrap().status(), 401);
    }
    for server in [&first, &second] {
        let answer = attempt(server, "roundbook").await.unwrap();
        assert_eq!(answer.status(), 429, "locked on both servers");
    }
    // Another name is not.
    second.login("guard-b").await;
}

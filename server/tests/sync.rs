//! Sync over real WebSockets against a real server process and SQLite file.

mod common;

use std::time::Duration;

use common::{patrol_key, Server, Tablet};
use roundbook_shared::schema::DocKey;

const WAIT: Duration = Duration::from_secs(20);

#[tokio::test]
async fn a_scan_made_offline_reaches_another_tablet_live() {
    let server = Server::start().await;
    let token = server.login("guard-a").await.token;
    let key = patrol_key("A");

    let mut watcher = Tablet::new("guard-a");
    let id = watcher.hold(&key);
    watcher.join(&server.ws_url(&token)).await;

    let mut recorder = Tablet::new("guard-a");
    recorder.hold(&key);
    recorder.scan(&id, "scan-1");
    recorder.scan(&id, "scan-2");
    assert_eq!(recorder.replica.pending_total(), 2);
    recorder.connect(&server.ws_url(&token)).await;
    recorder.sync_all().await;
    assert_eq!(recorder.replica.pending_total(), 0);

    // The watcher asked once and never again: the server pushes the scans.
    watcher
        .sync_until(WAIT, |t| t.scan_ids(&id).len() == 2)
        .await;
    assert_eq!(watcher.scan_ids(&id), ["scan-1", "scan-2"]);
}

#[tokio::test]
async fn two_tablets_creating_the_same_day_offline_end_with_the_union() {
    let server = Server::start().await;
    let token = server.login("guard-a").await.token;
    let key = patrol_key("A");

    let mut first = Tablet::new("guard-a");
    let mut second = Tablet::new("guard-a");
    let id = first.hold(&key);
    second.hold(&key);
    for n in 0..5 {
        first.scan(&id, &format!("first-{n}"));
        second.scan(&id, &format!("second-{n}"));
    }
    first.connect(&server.ws_url(&token)).await;
    first.sync_all().await;
    second.connect(&server.ws_url(&token)).await;
    second.sync_all().await;
    second
        .sync_until(WAIT, |t| t.scan_ids(&id).len() == 10)
        .await;
    first
        .sync_until(WAIT, |t| t.scan_ids(&id).len() == 10)
        .await;
    assert_eq!(first.scan_ids(&id), second.scan_ids(&id));

    // A third tablet that never saw either gets everything from the server.
    let mut third = Tablet::new("guard-a");
    third.hold(&key);
    third.connect(&server.ws_url(&token)).await;
    third
        .sync_until(WAIT, |t| t.scan_ids(&id).len() == 10)
        .await;
}

#[tokio::test]
async fn a_guard_never_receives_or_writes_another_zones_documents() {
    let server = Server::start().await;
    let token_a = server.login("guard-a").await.token;
    let token_b = server.login("guard-b").await.token;

    // The listing only names the guard's own zone (and the site's gate book).
    let listed = server.docs(&token_b).await;
    assert!(!listed.is_empty());
    assert!(
        listed
            .iter()
            .all(|entry| entry.zone == "B"
                || entry.kind == roundbook_shared::schema::DocKind::GateLog)
    );

    // guard-b's client asks for, and tries to write, zone A's documents.
    let zone_a_log = patrol_key("A");
    let zone_a_directory = DocKey::zone_directory("demo", "A");
    let mut intruder = Tablet::new("guard-b");
    let log_id = intruder.hold(&zone_a_log);
    let directory_id = intruder.hold(&zone_a_directory);
    intruder.scan(&log_id, "forged");
    intruder.connect(&server.ws_url(&token_b)).await;
    intruder
        .sync_until(WAIT, |t| t.unavailable.len() == 2)
        .await;
    assert!(intruder.unavailable.contains(&log_id));
    assert!(intruder.unavailable.contains(&directory_id));
    assert_eq!(
        intruder.replica.pending_total(),
        1,
        "nothing was acknowledged"
    );
    // It never received the seeded checkpoints of zone A.
    let checkpoints = roundbook_shared::schema::directory::checkpoints(
        intruder.replica.doc(&directory_id).unwrap(),
    )
    .unwrap();
    assert!(checkpoints.is_empty());

    // Zone A's own guard sees the directory but not the forged scan.
    let mut owner = Tablet::new("guard-a");
    owner.hold(&zone_a_directory);
    let log = owner.hold(&zone_a_log);
    owner.connect(&server.ws_url(&token_a)).await;
    owner
        .sync_until(WAIT, |t| {
            roundbook_shared::schema::directory::checkpoints(t.replica.doc(&directory_id).unwrap())
                .unwrap()
                .len()
                == 4
        })
        .await;
    // Give the server every chance to send the forged scan if it had stored it.
    let _ = tokio::time::timeout(
        Duration::from_millis(500),
        owner.sync_until(WAIT, |t| !t.scan_ids(&log).is_empty()),
    )
    .await;
    assert!(owner.scan_ids(&log).is_empty());
}

#[tokio::test]
async fn the_office_head_reaches_every_zone() {
    let server = Server::start().await;
    let token = server.login("head").await.token;
    let docs = server.docs(&token).await;
    let (workers, places): (Vec<_>, Vec<_>) =
        docs.into_iter().partition(|entry| entry.kind.per_worker());
    let mut zones: Vec<_> = places.into_iter().map(|entry| entry.zone).collect();
    zones.dedup();
    // The zones' documents, and the site's own (cleaning) under the empty zone.
    assert_eq!(zones, ["", "A", "B", "C"]);
    // And the work-order logs that exist (the demo's one order, repair-a's
    // in zone A), under the zone and the worker's name; no empty ones.
    let workers: Vec<_> = workers.into_iter().map(|entry| entry.zone).collect();
    assert_eq!(workers, ["A/repair-a"]);
}

#[tokio::test]
async fn acknowledged_scans_survive_sigkill_mid_sync() {
    common::acknowledged_scans_survive_sigkill_mid_sync(Server::start().await).await;
}

#[tokio::test]
async fn stored_chunks_are_compacted_as_changes_arrive() {
    let server = Server::start().await;
    let token = server.login("guard-a").await.token;
    let key = patrol_key("A");
    let mut tablet = Tablet::new("guard-a");
    let id = tablet.hold(&key);
    tablet.connect(&server.ws_url(&token)).await;
    for n in 0..120 {
        tablet.scan(&id, &format!("scan-{n:03}"));
        tablet.flush(&id).await;
        tablet.sync_all().await;
    }
    let connection = rusqlite::Connection::open(&server.db).unwrap();
    let chunks: i64 = connection
        .query_row(
            "SELECT COUNT(*) FROM chunks WHERE doc_id = ?1",
            [id.as_bytes().as_slice()],
            |row| row.get(0),
        )
        .unwrap();
    assert!(
        chunks < 60,
        "{chunks} chunks for 120 changes: never compacted"
    );

    let mut fresh = Tablet::new("guard-a");
    fresh.hold(&key);
    fresh.connect(&server.ws_url(&token)).await;
    fresh
        .sync_until(WAIT, |t| t.scan_ids(&id).len() == 120)
        .await;
}

//! `/healthz` and `/metrics` against a real server: health follows the
//! database, the metrics need their token, and the counters move where the
//! work happens.

mod common;

use std::time::{Duration, Instant};

use common::postgres::database;
use common::{patrol_key, Server, Tablet, PASSWORD};
use roundbook_shared::blob::{hash_of, UPLOAD_CHUNK_BYTES};
use roundbook_shared::fixtures::patrol::checkpoint;
use roundbook_shared::protocol::RefusalReason;
use roundbook_shared::schema::directory::put_checkpoint;
use roundbook_shared::schema::DocKey;

const TOKEN: &str = "scrape-me-7f3a";
const WAIT: Duration = Duration::from_secs(20);

/// `/metrics` with `token` as bearer, if any.
async fn scrape(server: &Server, token: Option<&str>) -> reqwest::Response {
    server.get("/metrics", token).await
}

/// The value of the sample `name` (with its labels, as rendered), 0 if the
/// metric has no such sample yet.
async fn sample(server: &Server, name: &str) -> f64 {
    let response = scrape(server, Some(TOKEN)).await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .map_or(0.0, |value| value.parse().expect("a number"))
}

/// Polls `sample` until it is `expected` (a gauge moves as sockets close).
async fn sample_becomes(server: &Server, name: &str, expected: f64) {
    let deadline = Instant::now() + WAIT;
    loop {
        let value = sample(server, name).await;
        if value == expected {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{name} stayed {value}, not {expected}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn healthz_answers_ok_without_signing_in() {
    let server = Server::start().await;
    let response = server.get("/healthz", None).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn metrics_are_served_only_to_the_bearer_of_the_token() {
    let without = Server::start().await;
    for token in [None, Some(TOKEN)] {
        let response = scrape(&without, token).await;
        assert_eq!(response.status(), 404, "no token configured");
    }

    let server = Server::start_with_flags(&["--metrics-token", TOKEN]).await;
    assert_eq!(scrape(&server, None).await.status(), 401);
    assert_eq!(scrape(&server, Some("scrape-me")).await.status(), 401);
    // A user's session token is not the metrics token.
    let session = server.login("guard-a").await.token;
    assert_eq!(scrape(&server, Some(&session)).await.status(), 401);

    let response = scrape(&server, Some(TOKEN)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let text = response.text().await.unwrap();
    for family in [
        "# TYPE roundbook_sync_sockets gauge",
        "# TYPE roundbook_sync_messages_total counter",
        "# TYPE roundbook_sync_bytes_total counter",
        "# TYPE roundbook_store_write_seconds histogram",
        "# TYPE roundbook_refused_changes_total counter",
        "# TYPE roundbook_photo_bytes_stored_total counter",
        "# TYPE roundbook_sign_in_failures_total counter",
    ] {
        assert!(
            text.lines().any(|line| line == family),
            "{family} in\n{text}"
        );
    }
}

#[tokio::test]
async fn counters_move_with_sign_ins_syncs_refusals_and_photos() {
    let server = Server::start_with_flags(&["--metrics-token", TOKEN]).await;
    let failures = "roundbook_sign_in_failures_total{reason=\"invalid-credentials\"}";
    assert_eq!(sample(&server, failures).await, 0.0);
    let response = reqwest::Client::new()
        .post(format!("{}/api/login", server.base))
        .header("content-type", "application/json")
        .body(format!(
            r#"{{"username":"guard-a","password":"not-{PASSWORD}"}}"#
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(sample(&server, failures).await, 1.0);

    // A scan synced: messages both ways, a chunk write timed, a socket open.
    let token = server.login("guard-a").await.token;
    let mut tablet = Tablet::new("guard-a");
    let id = tablet.hold(&patrol_key("A"));
    tablet.join(&server.ws_url(&token)).await;
    tablet.scan(&id, "scan-1");
    tablet.flush(&id).await;
    tablet.sync_all().await;
    assert_eq!(sample(&server, "roundbook_sync_sockets").await, 1.0);
    let received = sample(
        &server,
        "roundbook_sync_messages_total{direction=\"received\"}",
    )
    .await;
    assert!(received >= 2.0, "join and the scan's sync: {received}");
    let bytes = sample(
        &server,
        "roundbook_sync_bytes_total{direction=\"received\"}",
    )
    .await;
    // The tablet's sync frames, and its join (which it does not count).
    assert!(bytes > tablet.bytes_sent as f64, "{bytes} bytes");
    assert!(sample(&server, "roundbook_sync_messages_total{direction=\"sent\"}").await >= 2.0);
    assert!(
        sample(
            &server,
            "roundbook_store_write_seconds_count{write=\"change\"}"
        )
        .await
            >= 1.0
    );
    tablet.disconnect();
    sample_becomes(&server, "roundbook_sync_sockets", 0.0).await;

    // A guard changing the zone directory is refused, and counted by reason.
    let read_only = "roundbook_refused_changes_total{reason=\"read-only\"}";
    assert_eq!(sample(&server, read_only).await, 0.0);
    let key = DocKey::zone_directory("demo", "A");
    let mut writer = Tablet::new("guard-a");
    let directory = writer.hold(&key);
    put_checkpoint(
        writer.replica.doc_mut(&directory).unwrap(),
        &checkpoint("A", 99, "Fake", "Nowhere"),
        chrono::Utc::now().timestamp_millis(),
    )
    .unwrap();
    writer.connect(&server.ws_url(&token)).await;
    writer.until_refused(WAIT).await;
    assert_eq!(
        writer.replica.refusal(&directory),
        Some(RefusalReason::ReadOnly)
    );
    assert_eq!(sample(&server, read_only).await, 1.0);

    // A photo stored: its bytes counted once it is complete.
    let photo = photo();
    let hash = hash_of(&photo);
    let total = photo.len() as u64;
    for (n, part) in photo.chunks(UPLOAD_CHUNK_BYTES).enumerate() {
        let offset = (n * UPLOAD_CHUNK_BYTES) as u64;
        let response = server
            .put_part(Some(&token), "A", &hash, offset, total, part)
            .await;
        assert_eq!(response.status(), 200);
    }
    assert_eq!(
        sample(&server, "roundbook_photo_bytes_stored_total").await,
        total as f64
    );
}

/// Bytes that sniff as a PNG, a little over two upload parts.
fn photo() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend((0..300_000u32).map(|n| (n.wrapping_mul(2_654_435_761) >> 13) as u8));
    bytes
}

/// `/healthz` follows the database: 503 while PostgreSQL refuses this
/// server's connections, 200 again once it takes them.
#[tokio::test]
async fn healthz_is_unavailable_while_the_database_is() {
    let db = database();
    let server = Server::start_with_db(&db.url).await;
    assert_eq!(server.get("/healthz", None).await.status(), 200);

    db.refuse_connections(true);
    let response = server.get("/healthz", None).await;
    assert_eq!(response.status(), 503);
    assert_eq!(response.text().await.unwrap(), "database unavailable");

    db.refuse_connections(false);
    let deadline = Instant::now() + WAIT;
    while server.get("/healthz", None).await.status() != 200 {
        assert!(
            Instant::now() < deadline,
            "healthy again once connections are taken"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

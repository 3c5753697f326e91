//! Sync figures for the closing notes: how long a tablet takes to bootstrap a
//! zone's month of patrol scans, and to deliver 1,000 scans made offline.
//! Runs a real server process on 127.0.0.1 with a temporary SQLite file and a
//! native client built on the same `Replica` as the tablet app. Prints figures;
//! asserts nothing about speed.
//!
//! `cargo bench -p roundbook-server --bench sync_figures`

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{Server, Tablet};
use roundbook_shared::ids::DocumentId;
use roundbook_shared::schema::DocKey;

const DAYS: i64 = 30;
const SCANS_PER_DAY: usize = 1_000;
const OFFLINE_SCANS: usize = 1_000;
const WAIT: Duration = Duration::from_secs(600);

fn month_keys() -> Vec<DocKey> {
    let today = common::today();
    (0..DAYS)
        .map(|back| DocKey::patrol_log("demo", "A", today - chrono::Duration::days(back)))
        .collect()
}

fn kib(bytes: usize) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}

#[tokio::main]
async fn main() {
    let server = Server::start().await;
    let token = server.login("guard-a").await.token;
    let url = server.ws_url(&token);
    let keys = month_keys();

    // Seed: one tablet records a month of scans and uploads it.
    let started = Instant::now();
    let mut seeder = Tablet::new("guard-a");
    let ids: Vec<DocumentId> = keys.iter().map(|key| seeder.hold(key)).collect();
    let base = chrono::Utc::now().timestamp_millis() - DAYS * 86_400_000;
    for (day, id) in ids.iter().enumerate() {
        for n in 0..SCANS_PER_DAY {
            let at = base + day as i64 * 86_400_000 + n as i64 * 60_000;
            seeder.scan_at(id, &format!("d{day:02}-s{n:04}"), at);
        }
    }
    let recorded = started.elapsed();
    seeder.connect(&url).await;
    let upload = Instant::now();
    seeder
        .sync_until(WAIT, |t| {
            t.replica.is_connected() && t.replica.pending_total() == 0
        })
        .await;
    println!(
        "seed: recorded {} scans in {:.2?}; uploaded in {:.2?} ({} sent)",
        DAYS as usize * SCANS_PER_DAY,
        recorded,
        upload.elapsed(),
        kib(seeder.bytes_sent)
    );
    seeder.disconnect();
    let seeded_heads: Vec<_> = ids
        .iter()
        .map(|id| seeder.replica.doc(id).unwrap().get_heads())
        .collect();

    // Bootstrap: a new tablet pulls the whole month (30 day documents).
    let mut fresh = Tablet::new("guard-a");
    for key in &keys {
        fresh.hold(key);
    }
    let started = Instant::now();
    fresh.connect(&url).await;
    let total = DAYS as usize * SCANS_PER_DAY;
    fresh
        .sync_until(WAIT, |t| {
            ids.iter()
                .zip(&seeded_heads)
                .all(|(id, heads)| t.replica.doc(id).unwrap().get_heads() == *heads)
        })
        .await;
    let bootstrap = started.elapsed();
    let held: usize = ids.iter().map(|id| fresh.scan_ids(id).len()).sum();
    assert_eq!(held, total);
    println!(
        "bootstrap: {total} scans in {DAYS} day documents in {:.2?} ({} received, {} sent)",
        bootstrap,
        kib(fresh.bytes_received),
        kib(fresh.bytes_sent)
    );

    // Offline then back: 1,000 new scans in today's document.
    let today = ids[0];
    fresh.disconnect();
    let (sent, received) = (fresh.bytes_sent, fresh.bytes_received);
    for n in 0..OFFLINE_SCANS {
        fresh.scan(&today, &format!("offline-{n:04}"));
    }
    let started = Instant::now();
    fresh.connect(&url).await;
    fresh
        .sync_until(WAIT, |t| {
            t.replica.is_connected() && t.replica.pending_total() == 0
        })
        .await;
    println!(
        "offline catch-up: {OFFLINE_SCANS} scans acknowledged in {:.2?} ({} sent, {} received)",
        started.elapsed(),
        kib(fresh.bytes_sent - sent),
        kib(fresh.bytes_received - received)
    );
    let size: u64 = std::fs::metadata(&server.db).map_or(0, |m| m.len());
    println!("server database after all: {}", kib(size as usize));

    // Keep the seeded database for the browser benchmark (tests/bench/).
    if let Ok(target) = std::env::var("ROUNDBOOK_BENCH_KEEP_DB") {
        let mut server = server;
        server.kill();
        for suffix in ["", "-wal", "-shm"] {
            let from = format!("{}{suffix}", server.db.display());
            if std::path::Path::new(&from).exists() {
                std::fs::copy(&from, format!("{target}{suffix}")).expect("copy the database");
            }
        }
        println!("kept the database at {target}");
    }
}

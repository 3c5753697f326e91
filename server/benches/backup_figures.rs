//! Backup figures for the closing notes: how long `roundbook-server backup`
//! takes, and how large the copy is, for a site with a month of data in
//! three zones. The month is written straight into a SQLite store (no
//! server): per zone and day a patrol log of 300 scans, per zone a month's
//! request log of 300 requests, and 900 photos of ~300 KB that do not
//! compress (as JPEGs do not). Prints figures; asserts nothing about speed.
//!
//! `cargo bench -p roundbook-server --bench backup_figures`

use std::time::Instant;

use chrono::Duration;
use roundbook_server::backup::backup;
use roundbook_server::store::sqlite::SqliteStore;
use roundbook_server::store::{BlobRef, Store};
use roundbook_shared::domain::local_date;
use roundbook_shared::fixtures::patrol::scan;
use roundbook_shared::fixtures::requests::intake;
use roundbook_shared::schema::patrol::record_scan;
use roundbook_shared::schema::request::{put_request, RequestKind};
use roundbook_shared::schema::DocKey;

const ZONES: [&str; 3] = ["A", "B", "C"];
const DAYS: i64 = 30;
const SCANS_PER_DAY: usize = 300;
const REQUESTS_PER_MONTH: usize = 300;
const PHOTOS: usize = 900;
const PHOTO_BYTES: usize = 300_000;

/// Bytes that sniff as a JPEG and do not compress.
fn photo(seed: usize) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    let mut state = seed as u64 * 0x9E37_79B9_7F4A_7C15 + 1;
    bytes.extend((0..PHOTO_BYTES).map(|_| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state as u8
    }));
    bytes
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("month.sqlite3");
    let store = SqliteStore::open(&db).expect("open");
    store.migrate().expect("migrate");
    roundbook_server::demo::seed(&store, None).expect("seed");
    let now = chrono::Utc::now().timestamp_millis();
    let today = local_date(now);
    let started = Instant::now();
    let mut documents = 0;
    for zone in ZONES {
        for back in 0..DAYS {
            let key = DocKey::patrol_log("demo", zone, today - Duration::days(back));
            let mut doc = key.genesis();
            let day_start = now - back * 86_400_000;
            for n in 0..SCANS_PER_DAY {
                let at = day_start + n as i64 * 60_000;
                record_scan(&mut doc, &scan(&format!("s-{zone}-{back}-{n}"), at)).expect("scan");
            }
            let id = key.document_id();
            store.register_document(&id, &key).expect("catalog");
            store.add_snapshot(&id, &doc.save()).expect("store");
            documents += 1;
        }
        let key = DocKey::request_log("demo", zone, today);
        let mut doc = key.genesis();
        for n in 0..REQUESTS_PER_MONTH {
            let mut request = intake(&format!("req-{zone}-{n}"), RequestKind::RepairCommon);
            request.zone = zone.into();
            put_request(&mut doc, &request).expect("request");
        }
        let id = key.document_id();
        store.register_document(&id, &key).expect("catalog");
        store.add_snapshot(&id, &doc.save()).expect("store");
        documents += 1;
    }
    for n in 0..PHOTOS {
        let bytes = photo(n);
        let blob = BlobRef {
            site: "demo".into(),
            zone: ZONES[n % ZONES.len()].into(),
            hash: roundbook_shared::blob::hash_of(&bytes),
        };
        store
            .commit_blob(&blob, "image/jpeg", &bytes)
            .expect("photo");
    }
    drop(store);
    let db_bytes = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
    println!(
        "seeded {documents} documents ({} scans, {} requests) and {PHOTOS} photos in {:.1?}; \
         database {:.1} MiB",
        ZONES.len() * DAYS as usize * SCANS_PER_DAY,
        ZONES.len() * REQUESTS_PER_MONTH,
        started.elapsed(),
        db_bytes as f64 / 1048576.0
    );
    for run in 1..=3 {
        let out = dir.path().join(format!("backup-{run}.sqlite3"));
        let started = Instant::now();
        let done = backup(db.to_str().expect("UTF-8 path"), &out).expect("backup");
        let took = started.elapsed();
        let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
        println!(
            "backup {run}: {:.1?}, {:.1} MiB ({done})",
            took,
            size as f64 / 1048576.0
        );
        std::fs::remove_file(&out).ok();
    }
}

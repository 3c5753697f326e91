//! `roundbook-server backup` and `restore` against a running server: a
//! backup taken while a tablet writes holds everything acknowledged before it
//! began, photos included; a server on the restored database takes back from
//! the tablet what the backup lacks.

mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use automerge::ChangeHash;
use common::postgres::database;
use common::{answering, patrol_key, today, Server, Tablet};
use roundbook_shared::blob::{hash_of, UPLOAD_CHUNK_BYTES};
use roundbook_shared::fixtures::requests::intake;
use roundbook_shared::ids::DocumentId;
use roundbook_shared::schema::receipt::receipts;
use roundbook_shared::schema::request::{put_request, requests, RequestKind};
use roundbook_shared::schema::{Container, DocKey};

const WAIT: Duration = Duration::from_secs(20);
/// Bounds on the writer: it stops after this many records or this long.
const MAX_RECORDS: usize = 2_000;
const MAX_WRITING: Duration = Duration::from_secs(60);
/// Records the writer makes after the backup ended, which it must lack.
const AFTER: usize = 5;

/// Runs the server binary with `args`, off the async threads.
async fn run(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|arg| arg.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_roundbook-server"))
            .args(&args)
            .env("RUST_LOG", "warn")
            .output()
            .expect("run roundbook-server")
    })
    .await
    .unwrap()
}

fn text(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

/// A PNG-sniffing photo of about `bytes` bytes, different for each `seed`.
fn photo(seed: u32, bytes: u32) -> Vec<u8> {
    let mut photo = b"\x89PNG\r\n\x1a\n".to_vec();
    photo
        .extend((0..bytes).map(|n| (n.wrapping_add(seed).wrapping_mul(2_654_435_761) >> 13) as u8));
    photo
}

/// Uploads `photo` to zone A in parts; returns its name.
async fn upload(server: &Server, token: &str, photo: &[u8]) -> String {
    let hash = hash_of(photo);
    for (n, part) in photo.chunks(UPLOAD_CHUNK_BYTES).enumerate() {
        let offset = (n * UPLOAD_CHUNK_BYTES) as u64;
        let response = server
            .put_part(Some(token), "A", &hash, offset, photo.len() as u64, part)
            .await;
        assert_eq!(response.status(), 200, "part {n}");
    }
    hash
}

/// The documents the writer writes: a patrol log (whose scans the server
/// stamps with receipts) and a request log (which has none).
#[derive(Clone, Copy)]
struct Docs {
    patrol: DocumentId,
    requests: DocumentId,
}

/// What the writer has had acknowledged so far: each document's heads, and
/// how many records of each they hold.
#[derive(Default, Clone)]
struct Acked {
    patrol: Vec<ChangeHash>,
    requests: Vec<ChangeHash>,
    records: usize,
}

/// The writer's requests a tablet holds (not the demo's), sorted.
fn request_ids(tablet: &Tablet, id: &DocumentId) -> Vec<String> {
    let mut ids: Vec<String> = requests(tablet.replica.doc(id).unwrap())
        .unwrap()
        .into_iter()
        .map(|request| request.id)
        .filter(|id| !id.starts_with("req-demo"))
        .collect();
    ids.sort();
    ids
}

/// Whether the tablet holds every change named in `heads` (and so every
/// change before them).
fn holds(tablet: &Tablet, id: &DocumentId, heads: &[ChangeHash]) -> bool {
    let doc = tablet.replica.doc(id).unwrap();
    heads
        .iter()
        .all(|hash| doc.get_change_meta_by_hash(hash).is_some())
}

/// Records a scan and a request and delivers them, one pair at a time,
/// publishing what the server acknowledged after each, until told to stop
/// (then `AFTER` more) or a bound is reached. Returns the tablet and how
/// many pairs it recorded.
async fn write_records(
    mut tablet: Tablet,
    docs: Docs,
    acked: Arc<Mutex<Acked>>,
    stop: Arc<AtomicBool>,
) -> (Tablet, usize) {
    let started = Instant::now();
    let mut after_stop = 0;
    let mut n = 0;
    while n < MAX_RECORDS && started.elapsed() < MAX_WRITING && after_stop < AFTER {
        if stop.load(Ordering::Acquire) {
            after_stop += 1;
        }
        tablet.scan(&docs.patrol, &format!("scan-{n:04}"));
        let mut request = intake(&format!("req-{n:04}"), RequestKind::Complaint);
        // Recorded by the signed-in guard, as the server requires.
        request.received_by = "guard-a".into();
        put_request(tablet.replica.doc_mut(&docs.requests).unwrap(), &request).unwrap();
        tablet.flush(&docs.patrol).await;
        tablet.flush(&docs.requests).await;
        tablet
            .deliver(WAIT)
            .await
            .expect("the server takes the records");
        n += 1;
        *acked.lock().unwrap() = Acked {
            patrol: tablet.replica.acked_heads(&docs.patrol).to_vec(),
            requests: tablet.replica.acked_heads(&docs.requests).to_vec(),
            records: n,
        };
    }
    (tablet, n)
}

/// The scenario on either database: photos, then a tablet writing
/// continuously while `backup` runs; then `restore` makes a server on the
/// copy. Everything acknowledged before the backup began is on it, photos
/// too, and the tablet fills in what the backup lacks, receipts and all.
async fn a_backup_taken_while_a_tablet_writes_restores(
    server: Server,
    backup: impl AsyncFnOnce(&Server),
    restore: impl AsyncFnOnce() -> Server,
) {
    let token = server.login("guard-a").await.token;
    let (patrol_key, requests_key) = (patrol_key("A"), DocKey::request_log("demo", "A", today()));

    // Photos first, complete (acknowledged) before the backup begins.
    let photos: Vec<Vec<u8>> = (0..6).map(|seed| photo(seed, 700_000)).collect();
    let mut hashes = Vec::new();
    for photo in &photos {
        hashes.push(upload(&server, &token, photo).await);
    }

    let mut tablet = Tablet::new("guard-a");
    let docs = Docs {
        patrol: tablet.hold(&patrol_key),
        requests: tablet.hold(&requests_key),
    };
    tablet.join(&server.ws_url(&token)).await;
    let acked = Arc::new(Mutex::new(Acked::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = tokio::spawn(write_records(tablet, docs, acked.clone(), stop.clone()));
    // Let the writer get going, so the backup runs among its writes.
    let deadline = Instant::now() + WAIT;
    while acked.lock().unwrap().records < 20 {
        assert!(Instant::now() < deadline, "the writer delivers");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let before = acked.lock().unwrap().clone();
    let started = Instant::now();
    backup(&server).await;
    let during = acked.lock().unwrap().records - before.records;
    stop.store(true, Ordering::Release);
    eprintln!(
        "backup in {} ms; {} record pairs acknowledged before it, {during} while it ran",
        started.elapsed().as_millis(),
        before.records
    );
    let (mut tablet, written) = writer.await.unwrap();
    assert!(written >= before.records + AFTER, "{written} record pairs");

    drop(server);
    let server = restore().await;
    let token = server.login("guard-a").await.token;

    // Everything acknowledged before the backup began is there, photos too.
    for (photo, hash) in photos.iter().zip(&hashes) {
        let response = server
            .get(&format!("/api/blobs/A/{hash}"), Some(&token))
            .await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.bytes().await.unwrap().as_ref(), photo.as_slice());
    }
    let mut fresh = Tablet::new("guard-a");
    fresh.hold(&patrol_key);
    fresh.hold(&requests_key);
    fresh.join(&server.ws_url(&token)).await;
    fresh
        .sync_until(WAIT, |t| {
            holds(t, &docs.patrol, &before.patrol) && holds(t, &docs.requests, &before.requests)
        })
        .await;
    let in_backup = request_ids(&fresh, &docs.requests).len();
    assert!(
        (before.records..written).contains(&in_backup),
        "the backup holds {in_backup} of {written} requests"
    );
    // The tablet still holds what the backup lacks, and sends it when the
    // restored server says what it has: its requests and scans, and the old
    // server's receipts of those scans, which the restored server accepts as
    // its own (sealed with the database's key, which the backup holds).
    // It offers its documents on joining and answers the server until the
    // observer holds every request and scan.
    tablet.disconnect();
    tablet.join(&server.ws_url(&token)).await;
    let (tablet, ()) = answering(
        tablet,
        fresh.sync_until(WAIT, |t| {
            request_ids(t, &docs.requests).len() == written
                && t.scan_ids(&docs.patrol).len() == written
        }),
    )
    .await;
    let expected: Vec<String> = (0..written).map(|n| format!("req-{n:04}")).collect();
    assert_eq!(
        request_ids(&fresh, &docs.requests),
        expected,
        "nothing lost"
    );
    assert_eq!(fresh.scan_ids(&docs.patrol), tablet.scan_ids(&docs.patrol));
    assert_eq!(tablet.replica.refusal(&docs.patrol), None);
    let stamps = |t: &Tablet| {
        let doc = t.replica.doc(&docs.patrol).unwrap();
        receipts(doc, Container::Scans).unwrap()
    };
    let (kept, held) = (stamps(&fresh), stamps(&tablet));
    assert_eq!(kept.len(), written, "every scan has its receipt");
    assert_eq!(kept, held, "the old server's receipts, not new ones");
}

#[tokio::test]
async fn a_sqlite_backup_taken_while_a_tablet_writes_restores_and_the_tablet_fills_the_gap() {
    let dir = tempfile::tempdir().unwrap();
    let (out, restored) = (
        dir.path().join("backup.sqlite3"),
        dir.path().join("restored.sqlite3"),
    );
    let backup = async |server: &Server| {
        let backed_up = run(&["backup", "--db", text(&server.db), "--out", text(&out)]).await;
        let report = String::from_utf8_lossy(&backed_up.stdout).into_owned();
        assert!(
            backed_up.status.success(),
            "backup failed: {report}{}",
            String::from_utf8_lossy(&backed_up.stderr)
        );
        assert!(report.contains("6 photos"), "{report}");
        let size = out.metadata().unwrap().len();
        eprintln!("backup of {size} bytes: {report}");
        // A second backup to the same file is refused and leaves it alone.
        let again = run(&["backup", "--db", text(&server.db), "--out", text(&out)]).await;
        assert!(!again.status.success());
        assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
        assert_eq!(out.metadata().unwrap().len(), size);
    };
    // Restore into a new file; an existing one is refused.
    let restore = async || {
        let restore = run(&["restore", "--from", text(&out), "--db", text(&restored)]).await;
        assert!(
            restore.status.success(),
            "restore failed: {}",
            String::from_utf8_lossy(&restore.stderr)
        );
        let again = run(&["restore", "--from", text(&out), "--db", text(&restored)]).await;
        assert!(!again.status.success(), "restore over an existing database");
        Server::start_with_db(text(&restored)).await
    };
    a_backup_taken_while_a_tablet_writes_restores(Server::start().await, backup, restore).await;
}

/// PostgreSQL's own tools, as docs/deploy.md says: `pg_dump -Fc` while the
/// server runs, `pg_restore` into a new database.
#[tokio::test]
async fn a_postgres_dump_taken_while_a_tablet_writes_restores_and_the_tablet_fills_the_gap() {
    let (db, restored) = (database(), database());
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("roundbook.dump");
    let backup = async |_: &Server| {
        let dumped = db.pg_dump_custom(&dump).await;
        eprintln!("pg_dump -Fc wrote {} bytes", dumped);
    };
    let restore = async || {
        restored.pg_restore(&dump).await;
        Server::start_with_db(&restored.url).await
    };
    let server = Server::start_with_db(&db.url).await;
    a_backup_taken_while_a_tablet_writes_restores(server, backup, restore).await;
}

#[tokio::test]
async fn backup_and_restore_point_postgres_at_its_own_tools() {
    let address = "postgres://roundbook@127.0.0.1:1/roundbook";
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dump");
    for args in [
        ["backup", "--db", address, "--out", text(&out)],
        ["restore", "--from", text(&out), "--db", address],
    ] {
        let output = run(&args).await;
        assert!(!output.status.success(), "{args:?}");
        let message = String::from_utf8_lossy(&output.stderr);
        assert!(
            message.contains("pg_dump -Fc") && message.contains("pg_restore"),
            "{message}"
        );
    }
    assert!(!out.exists());
}

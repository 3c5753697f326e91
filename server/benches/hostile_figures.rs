//! Hostile-client figures for the closing note. `tests/hostile.rs` asserts
//! the bounds; this prints what they cost an honest user, and the real-use
//! sizes the frame and document limits were set from. Asserts nothing about
//! speed.
//!
//! For each attack, a fresh server process (the optimised binary cargo built
//! for the bench profile) on loopback with a temporary SQLite file:
//! - baseline: 40 honest sign-ins (`guard-b`) each followed by
//!   `GET /api/docs`, one after another, from 127.0.0.1;
//! - then the attack runs from 127.0.0.2 (the silent connections from
//!   127.0.0.2–.5) for at least 3 s, while the same 40 honest sign-ins and
//!   lists run from 127.0.0.10. The honest user has an address apart from the
//!   baseline's because 80 sign-ins from one address within seconds are over
//!   the default per-address rate (60 a minute) themselves: their 429s would
//!   measure this benchmark, not the attack. Between the two runs it waits
//!   for the overall rate's burst (40) to refill, for the same reason.
//!
//! Latencies are over the honest attempts that succeeded (both requests
//! 200); the rest are counted as failures with their reason and when they
//! happened. The honest user goes on at once after a failure (no back-off,
//! no `Retry-After`), so a rate limit drained for a moment shows as a run of
//! quick 429s. p99 of 40 is their maximum (nearest rank). Peak RSS is the
//! server's VmHWM at the end.
//!
//! Every loop is bounded in count and time and targets loopback only.
//!
//! `cargo bench -p roundbook-server --bench hostile_figures`

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::BTreeMap;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use automerge::transaction::Transactable;
use automerge::ROOT;
use chrono::{Datelike, NaiveDate};
use common::attacks::{
    closed_with_error, joined_socket, pad, replace_the_stamped_scan, seeded_patrol_log, send_sync,
    stamped_patrol_log, sync_with_bloom, sync_with_many_haves, ATTACKER,
};
use common::{patrol_key, Server, Tablet};
use futures_util::{SinkExt, StreamExt};
use roundbook_shared::api::{DocEntry, LoginResponse};
use roundbook_shared::fixtures::requests::{event_on, intake};
use roundbook_shared::resident_import;
use roundbook_shared::schema::request::{
    put_request, put_request_event, Action, Request, RequestEvent, RequestKind,
};
use roundbook_shared::schema::resident::put_directory;
use roundbook_shared::schema::DocKey;
use sha2::Digest;
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::Notify;
use tokio_tungstenite::tungstenite::{Bytes, Message as WsMessage};

/// Honest sign-ins (each with a document list) per run.
const HONEST_RUNS: usize = 40;
/// The honest tablets' addresses: 127.0.SUBNET.1 to .40, one each, like an
/// office's tablets behind their own addresses (one address would meet
/// the per-address burst of 10, which is not what is measured here).
const HONEST: u8 = 1;
const HONEST_UNDER_ATTACK: u8 = 2;
/// An attack runs at least this long, and at most `ATTACK_MAX`.
const ATTACK_MIN: Duration = Duration::from_secs(3);
const ATTACK_MAX: Duration = Duration::from_secs(10);
/// How long the overall sign-in rate (20 a second) takes to refill its burst.
const REFILL: Duration = Duration::from_secs(2);
/// Any single exchange in this benchmark.
const WAIT: Duration = Duration::from_secs(60);
/// One honest request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

fn mib(kib: u64) -> String {
    format!("{:.1}", kib as f64 / 1024.0)
}

fn kib(bytes: usize) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}

fn ms(duration: Duration) -> String {
    format!("{:.1}", duration.as_secs_f64() * 1000.0)
}

/// Counts of each distinct outcome, as "3 × this, 2 × that".
fn tally<K: std::fmt::Display>(counts: &BTreeMap<K, usize>) -> String {
    if counts.is_empty() {
        return "none".into();
    }
    counts
        .iter()
        .map(|(what, count)| format!("{count} × {what}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The first line of a server's message, shortened.
fn short(message: &str) -> String {
    let line = message.lines().next().unwrap_or("");
    match line.char_indices().nth(60) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line.to_owned(),
    }
}

/// One run of honest sign-ins and lists.
#[derive(Default)]
struct Run {
    took: Vec<Duration>,
    failures: BTreeMap<String, usize>,
    /// When each failed attempt ended, from the start of the run.
    failed_at: Vec<Duration>,
}

impl Run {
    /// Nearest-rank percentile of the successful attempts.
    fn percentile(&self, p: f64) -> Option<Duration> {
        let mut sorted = self.took.clone();
        sorted.sort();
        let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        sorted.get(rank.max(1) - 1).copied()
    }

    fn failed(&self) -> usize {
        self.failures.values().sum()
    }

    fn show(&self, p: f64) -> String {
        self.percentile(p).map_or_else(|| "-".into(), ms)
    }

    /// The failures with their reasons and when they happened.
    fn failures(&self) -> String {
        let (Some(first), Some(last)) = (self.failed_at.first(), self.failed_at.last()) else {
            return "none".into();
        };
        format!(
            "{} (from {} to {} ms into the run)",
            tally(&self.failures),
            ms(*first),
            ms(*last)
        )
    }
}

/// 40 sign-ins as `guard-b`, each followed by a document list, one after
/// another, each from its own address in 127.0.`subnet`.0/24.
async fn honest_run(base: &str, subnet: u8) -> Run {
    let mut run = Run::default();
    let run_started = Instant::now();
    for n in 0..HONEST_RUNS {
        let client = reqwest::Client::builder()
            .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, subnet, n as u8 + 1)))
            .pool_max_idle_per_host(0)
            .timeout(REQUEST_TIMEOUT)
            .build()
            .expect("an HTTP client");
        let started = Instant::now();
        match sign_in_and_list(&client, base).await {
            Ok(()) => run.took.push(started.elapsed()),
            Err(why) => {
                *run.failures.entry(why).or_default() += 1;
                run.failed_at.push(run_started.elapsed());
            }
        }
    }
    run
}

fn transport(step: &str, error: &reqwest::Error) -> String {
    if error.is_timeout() {
        format!("{step} timed out")
    } else {
        format!("{step} connection failed")
    }
}

async fn sign_in_and_list(client: &reqwest::Client, base: &str) -> Result<(), String> {
    let response = client
        .post(format!("{base}/api/login"))
        .header("content-type", "application/json")
        .body(format!(
            r#"{{"username":"guard-b","password":"{}"}}"#,
            common::PASSWORD
        ))
        .send()
        .await
        .map_err(|error| transport("sign-in", &error))?;
    if response.status() != 200 {
        return Err(format!("sign-in {}", response.status().as_u16()));
    }
    let login: LoginResponse = response
        .json()
        .await
        .map_err(|error| transport("sign-in", &error))?;
    let response = client
        .get(format!("{base}/api/docs"))
        .bearer_auth(&login.token)
        .send()
        .await
        .map_err(|error| transport("list", &error))?;
    if response.status() != 200 {
        return Err(format!("list {}", response.status().as_u16()));
    }
    let _: Vec<DocEntry> = response
        .json()
        .await
        .map_err(|error| transport("list", &error))?;
    Ok(())
}

/// When an attack should stop, and how it says it is under way.
#[derive(Clone)]
struct Window {
    stop: Arc<AtomicBool>,
    under_way: Arc<Notify>,
    hard_end: Instant,
}

impl Window {
    fn new() -> Window {
        Window {
            stop: Arc::new(AtomicBool::new(false)),
            under_way: Arc::new(Notify::new()),
            hard_end: Instant::now() + ATTACK_MAX,
        }
    }

    fn open(&self) -> bool {
        !self.stop.load(Ordering::Relaxed) && Instant::now() < self.hard_end
    }

    /// The attack is in full swing: the honest user may start.
    fn started(&self) {
        self.under_way.notify_one();
    }
}

/// One line of the table, with what the attacker saw.
struct Row {
    attack: &'static str,
    baseline: Run,
    under: Run,
    rss_before_kib: u64,
    peak_kib: u64,
    note: String,
}

/// Baseline, then `attack` with the honest user alongside.
async fn measure<F, Fut>(attack: &'static str, server: &Server, run_attack: F) -> Row
where
    F: FnOnce(Window) -> Fut,
    Fut: Future<Output = String> + Send + 'static,
{
    let baseline = honest_run(&server.base, HONEST).await;
    let (_, rss_before_kib) = server.memory_kib();
    tokio::time::sleep(REFILL).await;

    let window = Window::new();
    let started = Instant::now();
    let task = tokio::spawn(run_attack(window.clone()));
    let _ = tokio::time::timeout(ATTACK_MAX, window.under_way.notified()).await;
    let under = honest_run(&server.base, HONEST_UNDER_ATTACK).await;
    if let Some(rest) = ATTACK_MIN.checked_sub(started.elapsed()) {
        tokio::time::sleep(rest).await;
    }
    window.stop.store(true, Ordering::Relaxed);
    let note = match tokio::time::timeout(WAIT, task).await {
        Ok(Ok(note)) => note,
        Ok(Err(failed)) => format!("the attack itself failed: {failed}"),
        Err(_) => "the attack did not stop".into(),
    };
    let (_, peak_kib) = server.memory_kib();
    eprintln!("  done: {attack} ({:.1?})", started.elapsed());
    Row {
        attack,
        baseline,
        under,
        rss_before_kib,
        peak_kib,
        note,
    }
}

/// (a) Waves of 512 concurrent sign-ins with random usernames, one wave
/// after another.
async fn sign_in_flood(base: String, window: Window) -> String {
    let client = reqwest::Client::builder()
        .local_address(ATTACKER)
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("an HTTP client");
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
    let mut waves = 0;
    while window.open() {
        let attempts: Vec<_> = (0..512)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let request = client
                    .post(format!("{base}/api/login"))
                    .header("content-type", "application/json")
                    .body(format!(
                        r#"{{"username":"u{seed:016x}","password":"guess"}}"#
                    ));
                async move {
                    match request.send().await {
                        Ok(response) => response.status().as_u16().to_string(),
                        Err(_) => "dropped".to_string(),
                    }
                }
            })
            .collect();
        let wave = tokio::spawn(futures_util::future::join_all(attempts));
        if waves == 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
            window.started();
        }
        for status in wave.await.expect("the wave ran") {
            *statuses.entry(status).or_default() += 1;
        }
        waves += 1;
    }
    format!("{waves} × 512 at once: {}", tally(&statuses))
}

/// (b), (c) A sync message sent on a new socket, again and again, by 4
/// sockets at a time.
async fn sync_flood(server: Arc<Server>, token: String, data: Vec<u8>, window: Window) -> String {
    window.started();
    let workers = (0..4).map(|_| {
        let (server, token, data, window) =
            (server.clone(), token.clone(), data.clone(), window.clone());
        async move {
            let mut errors: BTreeMap<String, usize> = BTreeMap::new();
            while window.open() {
                let (mut socket, peer) = joined_socket(&server, &token, Some(ATTACKER)).await;
                send_sync(&mut socket, &peer, "A", data.clone()).await;
                let error = closed_with_error(&mut socket).await;
                *errors.entry(short(&error)).or_default() += 1;
            }
            errors
        }
    });
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    for worker in futures_util::future::join_all(workers).await {
        for (error, count) in worker {
            *errors.entry(error).or_default() += count;
        }
    }
    format!(
        "{} sockets, each closed with: {}",
        errors.values().sum::<usize>(),
        tally(&errors)
    )
}

/// (d) 800 TCP connections that never send a byte, 200 from each of
/// 127.0.0.2–.5 (under the per-address cap of 256, so the server must hold
/// them all), kept open until the window ends.
async fn silent_connections(address: SocketAddr, window: Window) -> String {
    let mut held: Vec<TcpStream> = Vec::new();
    let mut refused = 0;
    for n in 0..800 {
        let from = Ipv4Addr::new(127, 0, 0, 2 + (n % 4) as u8);
        let socket = TcpSocket::new_v4().expect("a socket");
        socket.bind((from, 0).into()).expect("bind");
        match socket.connect(address).await {
            Ok(stream) => held.push(stream),
            Err(_) => refused += 1,
        }
    }
    let opened = Instant::now();
    window.started();
    while window.open() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let open = held
        .iter()
        .filter(|stream| {
            let mut buffer = [0u8; 1];
            matches!(stream.try_read(&mut buffer), Err(error) if error.kind() == std::io::ErrorKind::WouldBlock)
        })
        .count();
    format!(
        "{} connected ({refused} refused); {open} still open {:.1} s after the last was opened",
        held.len(),
        opened.elapsed().as_secs_f64()
    )
}

/// (e) 8 MiB frames (the limit is 4 MiB) on a new joined socket, again and
/// again, by 2 sockets at a time.
async fn oversized_frames(server: Arc<Server>, token: String, window: Window) -> String {
    window.started();
    let frame = Bytes::from(vec![0u8; 8 * 1024 * 1024]);
    let workers = (0..2).map(|_| {
        let (server, token, frame, window) =
            (server.clone(), token.clone(), frame.clone(), window.clone());
        async move {
            let (mut sent, mut closed) = (0, 0);
            while window.open() {
                let (mut socket, _) = joined_socket(&server, &token, Some(ATTACKER)).await;
                let _ = tokio::time::timeout(
                    Duration::from_secs(10),
                    socket.send(WsMessage::Binary(frame.clone())),
                )
                .await;
                sent += 1;
                let ended = tokio::time::timeout(Duration::from_secs(20), async {
                    while let Some(Ok(message)) = socket.next().await {
                        if matches!(message, WsMessage::Close(_)) {
                            break;
                        }
                    }
                })
                .await;
                closed += usize::from(ended.is_ok());
            }
            (sent, closed)
        }
    });
    let (mut sent, mut closed) = (0, 0);
    for (s, c) in futures_util::future::join_all(workers).await {
        sent += s;
        closed += c;
    }
    format!("{sent} frames of 8 MiB sent, {closed} sockets closed by the server")
}

type Bend = fn(&mut automerge::Automerge);

/// (f) A writer of zone A bends the patrol log, alternately replacing the
/// stamped scan with a new object and rewriting the root `kind`: each time
/// a new tablet that first syncs the stored document.
async fn shape_attacks(
    url: String,
    key: DocKey,
    stored: Vec<automerge::ChangeHash>,
    window: Window,
) -> String {
    let bends: [Bend; 2] = [replace_the_stamped_scan, |doc| {
        let mut tx = doc.transaction();
        tx.put(ROOT, "kind", "zone_directory").unwrap();
        tx.commit();
    }];
    window.started();
    let mut refusals: BTreeMap<String, usize> = BTreeMap::new();
    let mut attempt = 0;
    while window.open() {
        let mut attacker = Tablet::new("guard-a");
        attacker.local_address = Some(ATTACKER);
        let id = attacker.hold(&key);
        attacker.join(&url).await;
        attacker
            .sync_until(WAIT, |tablet| {
                tablet.replica.doc(&id).unwrap().get_heads() == stored
            })
            .await;
        bends[attempt % bends.len()](attacker.replica.doc_mut(&id).unwrap());
        attacker.flush(&id).await;
        attacker.until_refused(WAIT).await;
        let reason = attacker
            .replica
            .refusal(&id)
            .map_or_else(|| "not refused".into(), |reason| format!("{reason:?}"));
        *refusals.entry(reason).or_default() += 1;
        attempt += 1;
    }
    format!("{attempt} bends, refused as: {}", tally(&refusals))
}

/// (g) A tablet pads the patrol log in batches of 10 incompressible 10 KB
/// records until the 1 MiB budget refuses it; then new tablets push 20 more
/// each (first receiving the stored document) until the window ends.
async fn document_budget(server: Arc<Server>, url: String, window: Window) -> String {
    let key = patrol_key("A");
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut tablet = Tablet::new("guard-a");
    tablet.local_address = Some(ATTACKER);
    let id = tablet.hold(&key);
    tablet.join(&url).await;
    window.started();
    let mut accepted = 0;
    let mut refused_with = None;
    for batch in 0..40 {
        if !window.open() {
            break;
        }
        pad(tablet.replica.doc_mut(&id).unwrap(), batch, 10, &mut seed);
        tablet.flush(&id).await;
        match tablet.deliver(WAIT).await {
            Ok(()) => accepted += 1,
            Err(error) => {
                refused_with = Some(short(&error));
                break;
            }
        }
    }
    let mut pushes: BTreeMap<String, usize> = BTreeMap::new();
    let mut push = 0;
    while window.open() {
        let mut pusher = Tablet::new("guard-a");
        pusher.local_address = Some(ATTACKER);
        pusher.hold(&key);
        pad(
            pusher.replica.doc_mut(&id).unwrap(),
            1_000 + push,
            20,
            &mut seed,
        );
        pusher.join(&url).await;
        let outcome = match pusher.deliver(WAIT).await {
            Ok(()) => "accepted".to_string(),
            Err(error) => short(&error),
        };
        *pushes.entry(outcome).or_default() += 1;
        push += 1;
    }
    format!(
        "{accepted} batches of 10 accepted, then refused ({}); then {push} pushes of 20: {}; stored {}",
        refused_with.as_deref().unwrap_or("never"),
        tally(&pushes),
        kib(stored_bytes(&server.db, &key))
    )
}

/// Bytes stored for a document: its chunks in the SQLite file, the measure
/// the document budget is held to.
fn stored_bytes(db: &Path, key: &DocKey) -> usize {
    let connection =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open the database");
    let bytes: i64 = connection
        .query_row(
            "SELECT COALESCE(SUM(length(bytes)), 0) FROM chunks WHERE doc_id = ?1",
            [key.document_id().as_bytes().as_slice()],
            |row| row.get(0),
        )
        .expect("sum the chunks");
    bytes as usize
}

fn table(rows: &[Row]) {
    println!();
    println!(
        "Honest users: {HONEST_RUNS} tablets, each from its own address: sign-in as guard-b + GET /api/docs, one after another; times in ms;"
    );
    println!("base = before the attack, then under attack; RSS before = peak after the baseline");
    println!(
        "{:<34} {:>8} {:>8} | {:>7} {:>7} {:>7} | {:>4} | {:>10} {:>9}",
        "attack", "base p50", "base p99", "p50", "p99", "max", "fail", "RSS before", "peak RSS"
    );
    for row in rows {
        println!(
            "{:<34} {:>8} {:>8} | {:>7} {:>7} {:>7} | {:>4} | {:>6} MiB {:>5} MiB",
            row.attack,
            row.baseline.show(50.0),
            row.baseline.show(99.0),
            row.under.show(50.0),
            row.under.show(99.0),
            row.under.show(100.0),
            row.under.failed(),
            mib(row.rss_before_kib),
            mib(row.peak_kib)
        );
    }
    println!();
    println!("What each attacker saw, and why any honest attempt failed:");
    for row in rows {
        println!("  {}: {}", row.attack, row.note);
        if row.baseline.failed() > 0 {
            println!("    baseline failures: {}", row.baseline.failures());
        }
        if row.under.failed() > 0 {
            println!("    honest failures under attack: {}", row.under.failures());
        }
    }
}

async fn attacks() -> Vec<Row> {
    let mut rows = Vec::new();

    let server = Server::start().await;
    let (idle, idle_peak) = server.memory_kib();
    println!(
        "a new server before any sign-in: RSS {} MiB (peak {} MiB)",
        mib(idle),
        mib(idle_peak)
    );
    let base = server.base.clone();
    rows.push(
        measure("(a) sign-in flood, 512 at once", &server, move |window| {
            sign_in_flood(base, window)
        })
        .await,
    );
    drop(server);

    for (attack, data) in [
        (
            "(b) bloom filter, 2^32-1 probes",
            sync_with_bloom(1, 10, u32::MAX as u64),
        ),
        ("(c) 16 M haves claimed", sync_with_many_haves()),
    ] {
        let server = Arc::new(Server::start().await);
        seeded_patrol_log(&server).await;
        let token = server.login_from("guard-a", ATTACKER).await.token;
        let attacking = server.clone();
        rows.push(
            measure(attack, &server, move |window| {
                sync_flood(attacking, token, data, window)
            })
            .await,
        );
    }

    let server = Server::start().await;
    let address: SocketAddr = server.base.trim_start_matches("http://").parse().unwrap();
    rows.push(
        measure("(d) 800 silent TCP connections", &server, move |window| {
            silent_connections(address, window)
        })
        .await,
    );
    drop(server);

    let server = Arc::new(Server::start().await);
    let token = server.login_from("guard-a", ATTACKER).await.token;
    let attacking = server.clone();
    rows.push(
        measure("(e) 8 MiB frames (limit 4 MiB)", &server, move |window| {
            oversized_frames(attacking, token, window)
        })
        .await,
    );

    let server = Server::start().await;
    let key = patrol_key("A");
    let stored = stamped_patrol_log(&server, &key).await;
    let url = server.ws_url(&server.login_from("guard-a", ATTACKER).await.token);
    rows.push(
        measure("(f) shape: restamp scan / kind", &server, move |window| {
            shape_attacks(url, key, stored, window)
        })
        .await,
    );
    drop(server);

    let server = Arc::new(Server::start_with_args(&["--max-document-bytes", "1048576"]).await);
    let url = server.ws_url(&server.login_from("guard-a", ATTACKER).await.token);
    let attacking = server.clone();
    rows.push(
        measure("(g) document to its 1 MiB budget", &server, move |window| {
            document_budget(attacking, url, window)
        })
        .await,
    );
    rows
}

/// Scans already in today's zone-A patrol log before the tablet went
/// offline: none (a new day), or a busy zone-day's from the other guard.
const EARLIER_SCANS: [usize; 2] = [0, 2_000];

/// (i) A tablet offline for a day delivers 1,000 scans, into a day document
/// that held `earlier` scans (synced to it before it went offline). automerge
/// sends the whole document, compressed, when the changes to send are more
/// than a third of it, and the changes one by one otherwise.
async fn offline_day(earlier: usize) -> String {
    let server = Server::start().await;
    let key = patrol_key("A");
    let day_ago = chrono::Utc::now().timestamp_millis() - 86_400_000;
    if earlier > 0 {
        let token = server.login("guard-a2").await.token;
        let mut other = Tablet::new("guard-a2");
        let id = other.hold(&key);
        for n in 0..earlier {
            other.scan_at(&id, &format!("earlier-{n:04}"), day_ago + n as i64 * 20_000);
        }
        other.join(&server.ws_url(&token)).await;
        other
            .deliver(WAIT)
            .await
            .expect("the earlier scans are stored");
    }
    let token = server.login("guard-a").await.token;
    let url = server.ws_url(&token);
    let mut tablet = Tablet::new("guard-a");
    let id = tablet.hold(&key);
    tablet.join(&url).await;
    tablet
        .sync_until(WAIT, |t| t.scan_ids(&id).len() == earlier)
        .await;
    tablet.disconnect();
    for n in 0..1_000i64 {
        tablet.scan_at(&id, &format!("offline-{n:04}"), day_ago + n * 86_400);
    }
    let before = tablet.bytes_sent;
    tablet.max_frame_sent = 0;
    tablet.join(&url).await;
    let delivered = tablet.deliver(WAIT).await;
    format!(
        "(i)   patrol log, 1,000 scans made offline over a day, into a day document holding {earlier} earlier scans: largest frame {} ({} sent in all); stored {}{}",
        kib(tablet.max_frame_sent),
        kib(tablet.bytes_sent - before),
        kib(stored_bytes(&server.db, &key)),
        refused_note(delivered)
    )
}

fn refused_note(delivered: Result<(), String>) -> String {
    match delivered {
        Ok(()) => String::new(),
        Err(error) => format!("  *** REFUSED by the server: {error} ***"),
    }
}

/// A 2,000-household resident directory as an office exports it: 20
/// buildings × 4 entrances × 25 flats, an owner and a family member each.
fn directory_csv() -> String {
    const SURNAMES: [&str; 12] = [
        "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙",
    ];
    const GIVEN: [&str; 16] = [
        "伟", "芳", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
        "建国", "桂兰",
    ];
    let mut csv = String::from("楼栋,单元,房号,姓名,电话,关系\n");
    let mut n = 0usize;
    for building in 1..=20 {
        for entrance in 1..=4 {
            for flat in 0..25 {
                let room = format!("{}0{}", 1 + flat / 2, 1 + flat % 2);
                for (k, relation) in ["业主", "家属"].iter().enumerate() {
                    let name = format!(
                        "{}{}",
                        SURNAMES[(n / 7 + k) % SURNAMES.len()],
                        GIVEN[(n * 5 + k * 3) % GIVEN.len()]
                    );
                    let phone =
                        format!("1{}{:09}", 3 + (n + k) % 6, (n * 7_919 + k) % 1_000_000_000);
                    csv.push_str(&format!(
                        "{building}栋,{entrance}单元,{room},{name},{phone},{relation}\n"
                    ));
                }
                n += 1;
            }
        }
    }
    csv
}

/// (ii) Zone A's resident directory imported from a 2,000-household CSV, as
/// one change, by `service-a`.
async fn resident_directory(server: &Server) -> String {
    let token = server.login("service-a").await.token;
    let key = DocKey::resident_directory("demo", "A");
    let csv = directory_csv();
    let parsed = resident_import::parse(csv.as_bytes()).expect("the directory parses");
    let mut tablet = Tablet::new("service-a");
    let id = tablet.hold(&key);
    let now = chrono::Utc::now().timestamp_millis();
    put_directory(
        tablet.replica.doc_mut(&id).unwrap(),
        &parsed.units,
        &parsed.residents,
        now,
    )
    .expect("the directory is valid");
    let saved = tablet.replica.doc(&id).unwrap().save().len();
    tablet.join(&server.ws_url(&token)).await;
    let delivered = tablet.deliver(WAIT).await;
    format!(
        "(ii)  resident directory, {} units and {} residents from a {} CSV, as one change: largest frame {}; stored {} (the whole document saved: {}){}",
        parsed.units.len(),
        parsed.residents.len(),
        kib(csv.len()),
        kib(tablet.max_frame_sent),
        kib(stored_bytes(&server.db, &key)),
        kib(saved),
        refused_note(delivered)
    )
}

const REQUESTS_PER_DAY: i64 = 10;
const DAYS_IN_MONTH: i64 = 30;

/// A photo's hash, as the tablet names a photo blob.
fn photo(name: &str) -> String {
    format!("{:x}", sha2::Sha256::digest(name.as_bytes()))
}

/// One request of a busy month, as the service desk writes it: every other
/// one with two photos.
fn month_request(id: &str, n: i64, at: i64) -> Request {
    const KINDS: [RequestKind; 5] = [
        RequestKind::RepairHome,
        RequestKind::RepairCommon,
        RequestKind::Complaint,
        RequestKind::Enquiry,
        RequestKind::Other,
    ];
    const WHAT: [&str; 5] = [
        "卫生间下水道堵塞，水漫到客厅，请尽快派人疏通",
        "3栋2单元楼道声控灯不亮，晚上进出不方便",
        "楼上装修噪音太大，中午休息时间也在施工",
        "咨询本月物业费的缴费方式和截止日期",
        "小区东门快递柜旁边的垃圾没有及时清运",
    ];
    Request {
        unit_label: format!(
            "{}栋{}单元{}0{}",
            1 + n % 20,
            1 + n % 4,
            1 + n % 12,
            1 + n % 2
        ),
        resident_name: "王女士".into(),
        contact_phone: format!("138{:08}", n * 7_919 % 100_000_000),
        description: WHAT[n as usize % WHAT.len()].into(),
        photos: if n % 2 == 0 {
            vec![photo(&format!("{id}-1")), photo(&format!("{id}-2"))]
        } else {
            Vec::new()
        },
        device: "tablet-service-a".into(),
        received_at: at,
        ..intake(id, KINDS[n as usize % KINDS.len()])
    }
}

/// A request's five steps: assigned, accepted, started, done (with a photo
/// of the result), called back.
fn month_events(request_id: &str, at: i64) -> Vec<RequestEvent> {
    let steps = [
        Action::Assign,
        Action::Accept,
        Action::Start,
        Action::Done,
        Action::Callback,
    ];
    let mut prior = String::new();
    steps
        .iter()
        .enumerate()
        .map(|(k, action)| {
            let id = format!("{request_id}-ev{k}");
            let mut event = RequestEvent {
                device: "tablet-service-a".into(),
                prior: std::mem::replace(&mut prior, id.clone()),
                ..event_on(request_id, &id, *action, at + (k as i64 + 1) * 1_800_000)
            };
            match action {
                Action::Done => {
                    event.note = "已派维修工处理，现场确认恢复正常".into();
                    event.photos = vec![photo(&id)];
                }
                Action::Callback => event.note = "回访住户，表示满意".into(),
                _ => {}
            }
            event
        })
        .collect()
}

/// The first day of the month two before this one: the oldest month a
/// tablet may still write, and one the demo's requests never touch.
fn two_months_back() -> NaiveDate {
    let first = common::today().with_day(1).unwrap();
    (first - chrono::Duration::days(32)).with_day(1).unwrap()
}

/// (iii) A busy zone's month of requests (300, with 5 events each), written
/// by `service-a` a day at a time and synced each day.
async fn request_month(server: &Server) -> String {
    let token = server.login("service-a").await.token;
    let month = two_months_back();
    let key = DocKey::request_log("demo", "A", month);
    let mut tablet = Tablet::new("service-a");
    let id = tablet.hold(&key);
    tablet.join(&server.ws_url(&token)).await;
    // 09:00 in Shanghai on the month's first day.
    let start = month
        .and_hms_opt(1, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_millis();
    let mut largest_stored = 0;
    let mut delivered = Ok(());
    for day in 0..DAYS_IN_MONTH {
        let doc = tablet.replica.doc_mut(&id).unwrap();
        for r in 0..REQUESTS_PER_DAY {
            let n = day * REQUESTS_PER_DAY + r;
            let at = start + day * 86_400_000 + r * 1_800_000;
            let request_id = format!("req-{day:02}-{r:02}");
            put_request(doc, &month_request(&request_id, n, at)).expect("a valid request");
            for event in month_events(&request_id, at) {
                put_request_event(doc, &event).expect("a valid event");
            }
        }
        tablet.flush(&id).await;
        delivered = tablet.deliver(WAIT).await;
        largest_stored = largest_stored.max(stored_bytes(&server.db, &key));
        if delivered.is_err() {
            break;
        }
    }
    let saved = tablet.replica.doc(&id).unwrap().save().len();
    format!(
        "(iii) request log, {} requests with 5 events each (every other request with 2 photos, every `done` with 1), synced daily: largest frame {}; stored {} at the end, {} at most (before a compaction); the whole document saved: {}{}",
        DAYS_IN_MONTH * REQUESTS_PER_DAY,
        kib(tablet.max_frame_sent),
        kib(stored_bytes(&server.db, &key)),
        kib(largest_stored),
        kib(saved),
        refused_note(delivered)
    )
}

fn main() {
    // The server logs each strict parse of changes that arrive before their
    // dependencies (expected while a document is padded) as an automerge error.
    if std::env::var_os("ROUNDBOOK_TEST_LOG").is_none() {
        std::env::set_var("ROUNDBOOK_TEST_LOG", "warn,automerge=off");
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(run());
}

async fn run() {
    let started = Instant::now();
    // 800 held sockets and the honest user's: more than some default limits.
    let _ = rlimit::increase_nofile_limit(4096);
    println!("server binary: {}", env!("CARGO_BIN_EXE_roundbook-server"));

    let rows = attacks().await;
    table(&rows);

    println!();
    println!(
        "Real use, the sizes the limits were set from (frame limit 4 MiB, document budget 8 MiB):"
    );
    for earlier in EARLIER_SCANS {
        println!("{}", offline_day(earlier).await);
    }
    let server = Server::start().await;
    println!("{}", resident_directory(&server).await);
    println!("{}", request_month(&server).await);
    println!();
    println!("total {:.1?}", started.elapsed());
}

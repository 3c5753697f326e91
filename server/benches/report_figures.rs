//! Monthly report figures for the closing notes: how long the server takes
//! to compute, from a SQLite store, last month's reports of a site of 10
//! zones:
//! - the complaints report over 5,000 requests (500 a zone, each with its
//!   classification or handling, done, callback and close), with each
//!   zone's 48-household directory;
//! - the patrol report over a month of 1,000 scans a day per zone (100
//!   rounds of 10 checkpoints a day: 300,000 scans in 300 documents).
//!
//! Documents are written with the shared schema, as tablets write them, and
//! stored as snapshots. Prints the median and the slowest of several runs;
//! asserts nothing about speed.
//!
//! With `ROUNDBOOK_BENCH_DB=path` the database is kept there, with an
//! office head `head` (password `roundbook`) and the requests only, for
//! `tests/bench/reports.mjs` (the tablet's time for the same report).
//!
//! `cargo bench -p roundbook-server --bench report_figures`

use std::time::{Duration, Instant};

use roundbook_server::auth::hash_password;
use roundbook_server::reports::compute;
use roundbook_server::store::sqlite::SqliteStore;
use roundbook_server::store::{Account, Store};
use roundbook_shared::domain::{instant_at, local_date, Role, SiteInfo, ZoneRef};
use roundbook_shared::fixtures::patrol::ZonePlan;
use roundbook_shared::fixtures::requests::{event_on, intake, mark_as};
use roundbook_shared::fixtures::residents::demo_directory;
use roundbook_shared::reports::{Month, ReportKind, Scope};
use roundbook_shared::schema::request::{
    put_request, put_request_event, Action, Channel, Handling, Request, RequestKind,
};
use roundbook_shared::schema::resident::put_directory;
use roundbook_shared::schema::DocKey;

const SITE: &str = "bench";
const ZONES: usize = 10;
const REQUESTS_PER_ZONE: usize = 500;
const ROUNDS_PER_DAY: usize = 100;
const CHECKPOINTS: usize = 10;
const RUNS: usize = 5;
const MINUTE: i64 = 60_000;

fn zones() -> Vec<ZoneRef> {
    (0..ZONES)
        .map(|n| ZoneRef {
            code: format!("Z{n}"),
            name: format!("{n}区"),
        })
        .collect()
}

fn store_doc(store: &SqliteStore, key: &DocKey, doc: &automerge::Automerge) {
    let id = key.document_id();
    store.register_document(&id, key).expect("catalog");
    store.add_snapshot(&id, &doc.save()).expect("store");
}

/// 500 requests of `zone` over `month`, a mix of kinds, most closed after a callback.
fn requests(store: &SqliteStore, zone: &str, month: Month) {
    let key = DocKey::request_log(SITE, zone, month.first_day());
    let mut doc = key.genesis();
    let kinds = [
        RequestKind::RepairHome,
        RequestKind::RepairCommon,
        RequestKind::Complaint,
        RequestKind::Enquiry,
        RequestKind::Other,
    ];
    let span = month.end() - month.start() - 3 * 86_400_000;
    for n in 0..REQUESTS_PER_ZONE {
        let id = format!("req-{zone}-{n}");
        let kind = kinds[n % kinds.len()];
        let at = month.start() + span / REQUESTS_PER_ZONE as i64 * n as i64;
        let request = Request {
            zone: zone.into(),
            channel: Channel::ALL[n % Channel::ALL.len()].as_str().into(),
            received_at: at,
            ..intake(&id, kind)
        };
        put_request(&mut doc, &request).expect("valid");
        let mut steps = Vec::new();
        if kind == RequestKind::Complaint {
            steps.push(Action::Classify);
        }
        if kind.is_repair() {
            steps.push(Action::Mark);
        }
        steps.extend([Action::Start, Action::Done]);
        if n % 7 != 0 {
            steps.extend([Action::Callback, Action::Close]);
        }
        for (step, action) in steps.into_iter().enumerate() {
            let mut event = event_on(
                &id,
                &format!("{id}-{step}"),
                action,
                at + (step as i64 + 1) * 20 * MINUTE,
            );
            if action == Action::Mark {
                mark_as(&mut event, Handling::ALL[n % Handling::ALL.len()]);
            }
            put_request_event(&mut doc, &event).expect("valid");
        }
    }
    store_doc(store, &key, &doc);
}

/// A month of patrol in `zone`: 100 complete rounds a day.
fn patrol(store: &SqliteStore, zone: &str, month: Month) {
    let plan = ZonePlan::numbered(zone, CHECKPOINTS);
    let key = DocKey::zone_directory(SITE, zone);
    store_doc(
        store,
        &key,
        &plan.directory(SITE, month.start() - 86_400_000),
    );
    let schedule = &plan.schedules[0];
    for day in month.days() {
        let key = DocKey::patrol_log(SITE, zone, day);
        let mut doc = key.genesis();
        let slots = schedule.slots(day);
        for n in 0..ROUNDS_PER_DAY {
            let started = instant_at(day, 0) + n as i64 * 14 * MINUTE;
            let due = slots
                .iter()
                .copied()
                .find(|slot| (started - slot).abs() < 7 * MINUTE);
            plan.walk(
                &mut doc,
                schedule,
                due,
                started,
                &format!("r-{zone}-{day}-{n}"),
            );
        }
        store_doc(store, &key, &doc);
    }
}

fn timed(label: &str, mut run: impl FnMut() -> usize) {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            let rows = run();
            assert!(rows > 0, "{label}: the report has rows");
            started.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "{label}: median {:.0} ms, slowest {:.0} ms ({RUNS} runs)",
        times[RUNS / 2].as_secs_f64() * 1000.0,
        times[RUNS - 1].as_secs_f64() * 1000.0
    );
}

/// The server's report: the first after the documents were written, which
/// makes their record copies, then the later ones, which read them; and
/// what the copies take beside the documents' chunks.
fn from_store(
    store: &SqliteStore,
    db: &std::path::Path,
    label: &str,
    kind: ReportKind,
    scope: &Scope,
) {
    let started = Instant::now();
    let report = || rows(&compute(store, kind, scope, None).expect("report"));
    assert!(report() > 0, "{label}: the report has rows");
    println!(
        "{label}, first (makes the record copies): {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    timed(&format!("{label}, later (reads the copies)"), report);
    let sizes = rusqlite::Connection::open(db).expect("open").query_row(
        "SELECT (SELECT SUM(LENGTH(bytes)) FROM chunks), (SELECT SUM(LENGTH(bytes)) FROM record_copies)",
        [],
        |row| Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?)),
    );
    if let Ok((chunks, copies)) = sizes {
        println!(
            "  stored so far: chunks {:.1} MB, record copies {:.1} MB",
            chunks as f64 / 1e6,
            copies as f64 / 1e6
        );
    }
}

/// The same report from documents already in memory: what is left once
/// loading them from the store is taken away.
fn in_memory(store: &SqliteStore, kind: ReportKind, scope: &Scope) {
    let mut held = std::collections::BTreeMap::new();
    let started = Instant::now();
    for key in roundbook_shared::reports::needs(kind, scope) {
        let mut unreadable = 0;
        if let Some(doc) =
            roundbook_server::hub::load_stored(store, &key, &mut unreadable).expect("load")
        {
            held.insert(key, doc);
        }
    }
    let loaded = started.elapsed();
    timed(
        &format!(
            "  of which computing from {} loaded documents (loading took {:.0} ms)",
            held.len(),
            loaded.as_secs_f64() * 1000.0
        ),
        || {
            rows(&roundbook_shared::reports::build(
                kind, scope, None, &mut held,
            ))
        },
    );
}

fn rows(report: &roundbook_shared::reports::Report) -> usize {
    report
        .sections
        .iter()
        .map(|section| section.table.rows.len())
        .sum()
}

fn main() {
    let kept = std::env::var_os("ROUNDBOOK_BENCH_DB");
    let dir = tempfile::tempdir().expect("temp dir");
    let db = kept
        .clone()
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.path().join("reports.sqlite3"));
    let store = SqliteStore::open(&db).expect("open");
    store.migrate().expect("migrate");
    let now = chrono::Utc::now().timestamp_millis();
    let today = local_date(now);
    let month = Month::of(today)
        .and_then(Month::previous)
        .expect("last month");
    let site = SiteInfo {
        code: SITE.into(),
        name: "基准小区".into(),
        timezone: "Asia/Shanghai".into(),
    };
    assert!(
        store.create_site(&site, &zones()).expect("site"),
        "an empty database"
    );
    store
        .put_account(&Account {
            username: "head".into(),
            display_name: "主任".into(),
            site: SITE.into(),
            password_hash: hash_password("roundbook"),
            roles: vec![Role::OfficeHead],
            ..Account::default()
        })
        .expect("account");

    let started = Instant::now();
    for zone in zones() {
        requests(&store, &zone.code, month);
        let directory = demo_directory(&zone.code);
        let key = DocKey::resident_directory(SITE, &zone.code);
        let mut doc = key.genesis();
        put_directory(
            &mut doc,
            &directory.units,
            &directory.residents,
            month.start(),
        )
        .expect("valid");
        store_doc(&store, &key, &doc);
    }
    println!(
        "wrote {} requests in {ZONES} zones in {:.1} s",
        ZONES * REQUESTS_PER_ZONE,
        started.elapsed().as_secs_f64()
    );
    let scope = Scope {
        site: SITE.into(),
        month,
        zones: zones(),
        now,
        heads: Vec::new(),
    };
    from_store(
        &store,
        &db,
        "complaints report, 5,000 requests, 10 zones (server, from SQLite)",
        ReportKind::Complaints,
        &scope,
    );
    in_memory(&store, ReportKind::Complaints, &scope);
    if kept.is_some() {
        println!(
            "kept {} for tests/bench/reports.mjs (month {month})",
            db.display()
        );
        return;
    }

    let started = Instant::now();
    for zone in zones() {
        patrol(&store, &zone.code, month);
    }
    println!(
        "wrote {} scans in {} day documents in {:.1} s",
        ZONES * month.days().count() * ROUNDS_PER_DAY * CHECKPOINTS,
        ZONES * month.days().count(),
        started.elapsed().as_secs_f64()
    );
    from_store(
        &store,
        &db,
        "patrol report, 1,000 scans a day in 10 zones for a month (server, from SQLite)",
        ReportKind::Patrol,
        &scope,
    );
    in_memory(&store, ReportKind::Patrol, &scope);
}

//! The office head's export against a real server: records of several kinds
//! synced as tablets sync them, then `GET /api/export` and the `export`
//! command read back as zips of CSV files.

mod common;

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use chrono::{Duration, NaiveDate};
use common::{today, Server, Tablet};
use roundbook_shared::blob::{hash_of, UPLOAD_CHUNK_BYTES};
use roundbook_shared::domain::site_offset;
use roundbook_shared::fixtures;
use roundbook_shared::fixtures::patrol::{checkpoint, finding, ZonePlan};
use roundbook_shared::fixtures::requests::{event_on, intake};
use roundbook_shared::fixtures::residents::demo_directory;
use roundbook_shared::schema::cleaning::{
    inspection_id, mark_id, put_inspection, put_mark, Inspection, Mark, OUTCOME_DEDUCTED,
};
use roundbook_shared::schema::finding::put_finding;
use roundbook_shared::schema::request::{
    put_request, put_request_event, Action, Request, RequestKind,
};
use roundbook_shared::schema::resident::{put_directory, resident_id, unit_id, Resident, Unit};
use roundbook_shared::schema::DocKey;

const MINUTE: i64 = 60_000;

fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Noon of a site-local day, in Unix milliseconds.
fn noon(day: NaiveDate) -> i64 {
    day.and_hms_opt(12, 0, 0)
        .unwrap()
        .and_local_timezone(site_offset())
        .unwrap()
        .timestamp_millis()
}

/// One CSV file of an export: its header and rows, by column name.
struct Csv {
    header: Vec<String>,
    rows: Vec<BTreeMap<String, String>>,
}

impl Csv {
    fn in_zone(&self, zone: &str) -> Vec<&BTreeMap<String, String>> {
        self.rows
            .iter()
            .filter(|row| row["doc_zone"] == zone)
            .collect()
    }

    fn ids(&self) -> Vec<&str> {
        self.rows
            .iter()
            .map(|row| row["record_id"].as_str())
            .collect()
    }
}

/// The CSV files of a zip, parsed after their byte-order mark, and the
/// names of its other entries.
fn read_zip(bytes: &[u8]) -> (BTreeMap<String, Csv>, Vec<String>) {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    let mut csvs = BTreeMap::new();
    let mut others = Vec::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        let name = entry.name().expect("an entry name").to_string();
        let mut content = Vec::new();
        entry.read_to_end(&mut content).unwrap();
        if !name.ends_with(".csv") {
            others.push(name);
            continue;
        }
        let text = std::str::from_utf8(&content).expect("UTF-8");
        let text = text
            .strip_prefix('\u{feff}')
            .unwrap_or_else(|| panic!("{name} starts with a byte-order mark"));
        // Personal data says so on its first line, which readers skip.
        assert_eq!(
            text.starts_with(roundbook_shared::domain::PERSONAL_DATA_LINE),
            name.contains("-personal"),
            "{name}"
        );
        let mut reader = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .from_reader(text.as_bytes());
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        let rows = reader
            .records()
            .map(|record| {
                let record = record.unwrap_or_else(|error| panic!("{name}: {error}"));
                assert_eq!(record.len(), header.len(), "{name}");
                header
                    .iter()
                    .cloned()
                    .zip(record.iter().map(String::from))
                    .collect()
            })
            .collect();
        csvs.insert(name, Csv { header, rows });
    }
    (csvs, others)
}

async fn export(server: &Server, token: &str, query: &str) -> reqwest::Response {
    server
        .get(&format!("/api/export?{query}"), Some(token))
        .await
}

/// Uploads `bytes` as a photo of `zone`, part by part.
async fn upload(server: &Server, token: &str, zone: &str, bytes: &[u8]) -> String {
    let hash = hash_of(bytes);
    for start in (0..bytes.len()).step_by(UPLOAD_CHUNK_BYTES) {
        let end = (start + UPLOAD_CHUNK_BYTES).min(bytes.len());
        let response = server
            .put_part(
                Some(token),
                zone,
                &hash,
                start as u64,
                bytes.len() as u64,
                &bytes[start..end],
            )
            .await;
        assert!(response.status().is_success(), "{}", response.status());
    }
    hash
}

async fn sync(server: &Server, mut tablet: Tablet) {
    let token = server.login(&tablet.username).await.token;
    tablet.join(&server.ws_url(&token)).await;
    tablet.sync_all().await;
    assert_eq!(tablet.server_error, None, "{}", tablet.username);
}

/// What the test stores in zone B and the site, and what is in the range.
struct Seeded {
    photo: String,
    /// The site-local day of today's round: yesterday's just after midnight.
    round_day: NaiveDate,
}

/// Patrol, requests, residents and cleaning, each with records inside the
/// range (the last 4 days) and patrol and requests with one outside.
async fn seed(server: &Server) -> Seeded {
    let plan = ZonePlan::new(
        "B",
        (1..=4)
            .map(|n| checkpoint("B", n, &format!("巡更点 {n}"), ""))
            .collect(),
    );

    // Patrol: a round with 4 scans and a finding with a photo today, and a
    // round 4 days ago, in a day document the export reads and filters.
    let guard = server.login("guard-b").await.token;
    let mut photo = b"\x89PNG\r\n\x1a\n".to_vec();
    photo.extend((0..200_000u32).map(|n| (n.wrapping_mul(2_654_435_761) >> 13) as u8));
    let photo = upload(server, &guard, "B", &photo).await;
    let mut tablet = Tablet::new("guard-b");
    let started = now() - 10 * MINUTE;
    let round_day = roundbook_shared::domain::local_date(started);
    let id = tablet.hold(&DocKey::patrol_log("demo", "B", round_day));
    let doc = tablet.replica.doc_mut(&id).unwrap();
    let round = plan.walk(doc, &plan.schedules[1], None, started, "r-today");
    let mut found = finding("f-today", &round, &plan.checkpoints[0].id, started + MINUTE);
    found.photos = vec![photo.clone()];
    put_finding(doc, &found).unwrap();
    let old_day = today() - Duration::days(4);
    let id = tablet.hold(&DocKey::patrol_log("demo", "B", old_day));
    let doc = tablet.replica.doc_mut(&id).unwrap();
    plan.walk(doc, &plan.schedules[1], None, noon(old_day), "r-old");
    sync(server, tablet).await;

    // Requests: two today with an event, one 40 days ago.
    let mut tablet = Tablet::new("service-b");
    let request = |id: &str, at: i64| Request {
        zone: "B".into(),
        received_by: "service-b".into(),
        received_by_name: "郑洁".into(),
        received_at: at,
        ..intake(id, RequestKind::Complaint)
    };
    for (request, event) in [
        (request("req-b1", now() - 60 * MINUTE), true),
        (request("req-b2", now() - 50 * MINUTE), false),
        (request("req-b-old", now() - 40 * 24 * 60 * MINUTE), false),
    ] {
        let key = DocKey::request_log(
            "demo",
            "B",
            roundbook_shared::domain::local_date(request.received_at),
        );
        let id = tablet.hold(&key);
        let doc = tablet.replica.doc_mut(&id).unwrap();
        put_request(doc, &request).unwrap();
        if event {
            let mut event = event_on(&request.id, "ev-b1", Action::Assign, now() - 40 * MINUTE);
            event.by = "service-b".into();
            put_request_event(doc, &event).unwrap();
        }
    }
    // Residents: one unit, two residents.
    let id = tablet.hold(&DocKey::resident_directory("demo", "B"));
    let unit = Unit {
        id: unit_id("3栋", "2单元", "501"),
        building: "3栋".into(),
        entrance: "2单元".into(),
        room: "501".into(),
        retired: false,
    };
    let resident = |name: &str, phone: &str| Resident {
        id: resident_id(&unit.id, name),
        unit_id: unit.id.clone(),
        name: name.into(),
        phone: phone.into(),
        relation: "owner".into(),
        retired: false,
    };
    put_directory(
        tablet.replica.doc_mut(&id).unwrap(),
        std::slice::from_ref(&unit),
        &[
            resident("张伟", "13812345678"),
            resident("李娜, \"二楼\"", "13987654321"),
        ],
        now(),
    )
    .unwrap();
    sync(server, tablet).await;

    // Cleaning: an inspection and a deducted mark this month.
    let mut tablet = Tablet::new("cleaning");
    let id = tablet.hold(&DocKey::cleaning_month("demo", today()));
    let doc = tablet.replica.doc_mut(&id).unwrap();
    let inspection = Inspection {
        id: inspection_id("lobby", today()),
        date: today().format("%Y-%m-%d").to_string(),
        started_by_name: "刘芳".into(),
        started_at: now() - 5 * MINUTE,
        ..fixtures::cleaning::inspection("lobby", "cleaning")
    };
    put_inspection(doc, &inspection).unwrap();
    let mark = Mark {
        id: mark_id(&inspection.id, "lobby-floor", "cleaning"),
        inspection_id: inspection.id.clone(),
        by_name: "刘芳".into(),
        at: now() - 4 * MINUTE,
        reason: "地面有污渍".into(),
        ..fixtures::cleaning::mark("lobby", "lobby-floor", "cleaning", OUTCOME_DEDUCTED, 2)
    };
    put_mark(doc, &mark, 6).unwrap();
    sync(server, tablet).await;
    Seeded { photo, round_day }
}

fn range() -> String {
    format!("from={}&to={}", today() - Duration::days(3), today())
}

#[tokio::test]
async fn the_office_head_downloads_every_record_of_the_range_as_csv_files() {
    let server = Server::start().await;
    let seeded = seed(&server).await;
    let head = server.login("head").await.token;

    let response = export(&server, &head, &format!("{}&photos=1", range())).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/zip");
    assert_eq!(
        response.headers()["content-disposition"],
        format!(
            "attachment; filename=\"roundbook-demo-{}-{}.zip\"",
            today() - Duration::days(3),
            today()
        )
        .as_str()
    );
    let (csvs, others) = read_zip(&response.bytes().await.unwrap());

    // Zone B holds exactly what the tablets stored in the range.
    let in_b = |name: &str| csvs[name].in_zone("B").len();
    assert_eq!(in_b("rounds.csv"), 1);
    assert_eq!(in_b("scans.csv"), 4);
    assert_eq!(in_b("findings.csv"), 1);
    assert_eq!(in_b("requests-personal.csv"), 2);
    assert_eq!(in_b("request_events.csv"), 1);
    // The demo's directory of zone B, and the unit and two residents the
    // tablet added to it (a building the demo does not have).
    let demo_b = demo_directory("B");
    assert_eq!(in_b("units.csv"), demo_b.units.len() + 1);
    assert_eq!(in_b("residents-personal.csv"), demo_b.residents.len() + 2);
    // The demo's zone directories: 4 checkpoints, a route, 2 schedules a zone.
    assert_eq!(in_b("checkpoints.csv"), 4);
    assert_eq!(in_b("routes.csv"), 1);
    assert_eq!(in_b("schedules.csv"), 2);
    assert_eq!(csvs["checkpoints.csv"].rows.len(), 12);
    assert_eq!(csvs["inspections.csv"].rows.len(), 1);
    assert_eq!(csvs["marks.csv"].rows.len(), 1);
    // Only the site's documents with records: no visits, no templates.
    assert!(!csvs.contains_key("visits-personal.csv"));
    assert!(!csvs.contains_key("templates.csv"));
    assert!(!csvs.keys().any(|name| name.starts_with("residents.")));

    // Outside the range: absent, though their documents were read.
    let scans = &csvs["scans.csv"];
    assert!(scans.ids().iter().all(|id| id.starts_with("r-today-")));
    assert!(!csvs["rounds.csv"].ids().contains(&"r-old"));
    assert!(!csvs["requests-personal.csv"].ids().contains(&"req-b-old"));

    // The leading columns, then the record's own fields.
    assert_eq!(
        scans.header[..8],
        [
            "record_id",
            "doc_zone",
            "doc_period",
            "author",
            "device_time",
            "server_time",
            "server_clock_skew_ms",
            "checkpoint_code"
        ]
    );
    for row in scans.in_zone("B") {
        assert_eq!(row["author"], "guard-b");
        assert_eq!(row["doc_period"], seeded.round_day.to_string());
        assert!(row["server_time"].starts_with(&today().format("%Y-%m-%d").to_string()));
        assert_eq!(row["device_time"].len(), "2026-12-02 10:00:00".len());
    }
    let residents = &csvs["residents-personal.csv"];
    assert!(!residents.header.contains(&"server_time".to_string()));
    let li = residents
        .rows
        .iter()
        .find(|row| row["name"] == "李娜, \"二楼\"")
        .unwrap();
    assert_eq!(li["name"], "李娜, \"二楼\"");
    assert_eq!(li["phone"], "13987654321", "the head's export is unmasked");
    assert_eq!(li["doc_period"], "");
    let finding = &csvs["findings.csv"].rows[0];
    assert_eq!(finding["photos"], seeded.photo);
    assert_eq!(finding["needs_repair"], "false");
    assert_eq!(others, [format!("photos/{}.png", seeded.photo)]);

    // Without photos=1 the same CSV files, and no photo.
    let response = export(&server, &head, &range()).await;
    let (again, others) = read_zip(&response.bytes().await.unwrap());
    assert!(others.is_empty());
    assert_eq!(
        again.keys().collect::<Vec<_>>(),
        csvs.keys().collect::<Vec<_>>()
    );

    // The command line writes the same files with the same rows.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export.zip");
    let run = |out: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_roundbook-server"))
            .arg("export")
            .arg("--db")
            .arg(&server.db)
            .args(["--site", "demo"])
            .args(["--from", &(today() - Duration::days(3)).to_string()])
            .args(["--to", &today().to_string()])
            .arg("--out")
            .arg(out)
            .arg("--photos")
            .output()
            .unwrap()
    };
    let output = run(&out);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written = std::fs::read(&out).unwrap();
    let (cli, cli_others) = read_zip(&written);
    let counts = |csvs: &BTreeMap<String, Csv>| {
        csvs.iter()
            .map(|(name, csv)| (name.clone(), csv.rows.len()))
            .collect::<Vec<_>>()
    };
    assert_eq!(counts(&cli), counts(&csvs));
    assert_eq!(cli_others, [format!("photos/{}.png", seeded.photo)]);
    assert!(String::from_utf8_lossy(&output.stdout).contains("scans.csv: "));
    // It never overwrites a file.
    let output = run(&out);
    assert!(!output.status.success());
    assert_eq!(std::fs::read(&out).unwrap(), written);
}

#[tokio::test]
async fn only_the_office_head_exports_and_only_a_bounded_range() {
    let server = Server::start().await;
    for username in ["guard-a", "service-a", "security"] {
        let token = server.login(username).await.token;
        let response = export(&server, &token, &range()).await;
        assert_eq!(response.status(), 403, "{username}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "role_forbidden");
    }
    assert_eq!(export(&server, "not-a-token", &range()).await.status(), 401);

    let head = server.login("head").await.token;
    for query in [
        "from=2026-11-10&to=2026-11-01",
        "from=2024-01-01&to=2025-01-01",
        "from=2026-02-30&to=2026-03-01",
        "from=2026-11-01",
        "to=2026-11-01",
        "",
    ] {
        let response = export(&server, &head, query).await;
        assert_eq!(response.status(), 400, "{query}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "bad_date_range", "{query}");
    }
    // A whole year is fine; so is a range with nothing in it but the
    // directories the demo seeds (the zones' and the residents').
    let response = export(&server, &head, "from=2024-01-01&to=2024-12-31").await;
    assert_eq!(response.status(), 200);
    let (csvs, _) = read_zip(&response.bytes().await.unwrap());
    assert_eq!(
        csvs.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "checkpoints.csv",
            "residents-personal.csv",
            "routes.csv",
            "schedules.csv",
            "units.csv"
        ]
    );
}

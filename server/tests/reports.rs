//! The monthly reports against a real server: who may read which, the zone a
//! reader may ask for, bad input, the CSV for Excel, and a request synced by
//! a tablet showing up in the figures.

mod common;

use std::time::Duration;

use common::{Server, Tablet};
use roundbook_shared::domain::local_date;
use roundbook_shared::fixtures::requests::{event_on, intake};
use roundbook_shared::reports::{Cell, Month, Report, ReportKind};
use roundbook_shared::schema::request::{put_request, put_request_event, Action, RequestKind};
use roundbook_shared::schema::DocKey;

const WAIT: Duration = Duration::from_secs(20);

fn this_month() -> Month {
    Month::of(local_date(chrono::Utc::now().timestamp_millis())).unwrap()
}

async fn report(server: &Server, token: &str, path: &str) -> Report {
    let response = server.get(path, Some(token)).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

async fn refused(server: &Server, token: &str, path: &str) -> (u16, String) {
    common::error_code(server.get(path, Some(token)).await).await
}

#[tokio::test]
async fn each_role_reads_its_own_departments_reports_and_a_guard_none() {
    let server = Server::start().await;
    let month = this_month();
    let readers = [
        ("head", &ReportKind::ALL[..]),
        (
            "service-lead",
            &[
                ReportKind::Complaints,
                ReportKind::RepairCallbacks,
                ReportKind::Visits,
                ReportKind::FrontDesk,
            ][..],
        ),
        ("frontdesk", &[ReportKind::FrontDesk][..]),
        (
            "service-a",
            &[
                ReportKind::Complaints,
                ReportKind::RepairCallbacks,
                ReportKind::Visits,
            ][..],
        ),
        ("security", &[ReportKind::Patrol][..]),
        ("environment", &[ReportKind::Cleaning][..]),
        ("guard-a", &[][..]),
    ];
    for (username, reads) in readers {
        let token = server.login(username).await.token;
        for kind in ReportKind::ALL {
            let path = format!("/api/reports/{}?month={month}", kind.as_str());
            if reads.contains(&kind) {
                let shown = report(&server, &token, &path).await;
                assert_eq!(
                    (shown.kind, shown.month),
                    (kind, month),
                    "{username} {path}"
                );
            } else {
                assert_eq!(
                    refused(&server, &token, &path).await,
                    (403, "report_forbidden".to_owned()),
                    "{username} {path}"
                );
            }
        }
    }
    // The front desk's month is its key book's.
    let desk = server.login("frontdesk").await.token;
    let path = format!("/api/reports/front-desk?month={month}");
    let shown = report(&server, &desk, &path).await;
    let ids: Vec<&str> = shown.sections.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["key_loans"]);
    // The day's rounds are a patrol report too.
    let guard = server.login("guard-a").await.token;
    let today = local_date(chrono::Utc::now().timestamp_millis());
    let (status, _) = refused(
        &server,
        &guard,
        &format!("/api/reports/patrol?date={today}"),
    )
    .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn zones_and_bad_input_are_refused_before_any_work() {
    let server = Server::start().await;
    let month = this_month();
    let service_a = server.login("service-a").await.token;
    let head = server.login("head").await.token;
    assert_eq!(
        refused(
            &server,
            &service_a,
            &format!("/api/reports/complaints?month={month}&zone=B")
        )
        .await,
        (403, "zone_forbidden".to_owned())
    );
    let own = report(
        &server,
        &service_a,
        &format!("/api/reports/complaints?month={month}&zone=A"),
    )
    .await;
    assert_eq!(own.zone.map(|zone| zone.code), Some("A".to_owned()));
    for bad in [
        "/api/reports/complaints",
        "/api/reports/complaints?month=2026-13",
        "/api/reports/complaints?month=1999-01",
        "/api/reports/complaints?month=2026-1",
        "/api/reports/complaints?month=2026-11&format=xml",
        "/api/reports/cleaning?month=2026-11&zone=A",
        "/api/reports/complaints?month=%00%ff",
    ] {
        let (status, code) = refused(&server, &head, bad).await;
        assert_eq!((status, code.as_str()), (400, "bad_request"), "{bad}");
    }
    assert_eq!(
        server
            .get("/api/reports/nonsense?month=2026-11", Some(&head))
            .await
            .status(),
        404
    );
    assert_eq!(
        server
            .get(&format!("/api/reports/complaints?month={month}"), None)
            .await
            .status(),
        401
    );
    let long = format!(
        "/api/reports/complaints?month={month}&zone={}",
        "Z".repeat(10_000)
    );
    let (status, _) = refused(&server, &head, &long).await;
    assert_eq!(status, 403, "an unknown zone is not the head's");
}

#[tokio::test]
async fn the_csv_opens_in_excel_with_one_fact_per_line_in_the_readers_language() {
    let server = Server::start().await;
    let month = this_month();
    let head = server.login("head").await.token;
    let client = reqwest::Client::new();
    let url = format!("{}/api/reports/complaints?month={month}", server.base);
    let as_csv = client
        .get(&url)
        .bearer_auth(&head)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(as_csv.status(), 200);
    assert_eq!(as_csv.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = as_csv.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        disposition,
        format!("attachment; filename=\"roundbook-complaints-{month}.csv\"")
    );
    let text = as_csv.text().await.unwrap();
    assert!(text.starts_with('\u{feff}'), "a byte-order mark for Excel");
    let header = text
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(header.split(',').count(), 8);
    assert!(header.contains("报表"), "Chinese by default: {header}");
    for line in text.lines().skip(1) {
        assert!(
            line.contains(&month.to_string()),
            "every fact names its month: {line}"
        );
    }
    let english = client
        .get(format!("{url}&format=csv&lang=en"))
        .bearer_auth(&head)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        english
            .trim_start_matches('\u{feff}')
            .starts_with("Report,"),
        "{english}"
    );
}

#[tokio::test]
async fn a_request_synced_by_a_tablet_is_counted_in_its_zone_only() {
    let server = Server::start().await;
    let now = chrono::Utc::now().timestamp_millis();
    let month = this_month();
    let mut tablet = Tablet::new("service-a");
    let token = server.login("service-a").await.token;
    let key = DocKey::request_log("demo", "A", local_date(now));
    let id = tablet.hold(&key);
    let doc = tablet.replica.doc_mut(&id).unwrap();
    let complaint = roundbook_shared::schema::request::Request {
        received_at: now - 60_000,
        ..intake("req-report-1", RequestKind::Complaint)
    };
    put_request(doc, &complaint).unwrap();
    put_request_event(
        doc,
        &event_on(
            "req-report-1",
            "ev-report-1",
            Action::Classify,
            now - 30_000,
        ),
    )
    .unwrap();
    tablet.connect(&server.ws_url(&token)).await;
    tablet.flush(&id).await;
    tablet
        .sync_until(WAIT, |t| t.replica.pending_total() == 0)
        .await;
    assert_eq!(tablet.server_error, None);

    let head = server.login("head").await.token;
    let whole = report(
        &server,
        &head,
        &format!("/api/reports/complaints?month={month}"),
    )
    .await;
    let zone_b = report(
        &server,
        &head,
        &format!("/api/reports/complaints?month={month}&zone=B"),
    )
    .await;
    let complaints = |report: &Report| -> Vec<(String, u64)> {
        let overview = report
            .sections
            .iter()
            .find(|section| section.id == "overview")
            .expect("an overview");
        let column = overview
            .table
            .columns
            .iter()
            .position(|column| column == "col_complaints")
            .expect("a complaints column");
        overview
            .table
            .rows
            .iter()
            .map(|row| {
                let zone = match &row[0] {
                    Cell::Text(text) | Cell::Label(text) => text.clone(),
                    other => format!("{other:?}"),
                };
                let count = match row[column] {
                    Cell::Count(count) => count,
                    _ => 0,
                };
                (zone, count)
            })
            .collect()
    };
    let whole = complaints(&whole);
    // The demo's own complaint of zone A may fall in this month too: one more than it.
    let zone_a = whole
        .iter()
        .find(|(zone, _)| zone.starts_with('A'))
        .unwrap()
        .1;
    assert!(zone_a >= 1, "{whole:?}");
    assert!(
        complaints(&zone_b).iter().all(|(_, count)| *count == 0),
        "{zone_b:?}"
    );
}

fn signoff(by: &str, report: &str) -> roundbook_shared::schema::report_signoff::ReportSignoff {
    roundbook_shared::schema::report_signoff::ReportSignoff {
        id: report.into(),
        signed_by: by.into(),
        signed_by_name: by.into(),
        device: "test".into(),
        signed_at: chrono::Utc::now().timestamp_millis(),
    }
}

#[tokio::test]
async fn only_the_heads_sign_reports_off_and_a_guard_never_sees_them() {
    use roundbook_shared::schema::report_signoff::{put_signoff, signoffs};
    let server = Server::start().await;
    let key = DocKey::report_month("demo", this_month().first_day());
    let id = key.document_id();

    let guard = server.login("guard-a").await.token;
    let mut tablet = Tablet::new("guard-a");
    tablet
        .refused_to_read(&server.ws_url(&guard), &key, WAIT)
        .await;

    // The service supervisor reads the month's sign-offs but may not sign.
    let lead = server.login("service-lead").await.token;
    let mut reader = Tablet::new("service-lead");
    reader.hold(&key);
    put_signoff(
        reader.replica.doc_mut(&id).unwrap(),
        &signoff("service-lead", "complaints"),
    )
    .unwrap();
    reader.join(&server.ws_url(&lead)).await;
    reader.flush(&id).await;
    let refusal = reader.until_refused(WAIT).await;
    assert!(!refusal.is_empty());

    let head = server.login("head").await.token;
    let mut signer = Tablet::new("head");
    signer.hold(&key);
    put_signoff(
        signer.replica.doc_mut(&id).unwrap(),
        &signoff("head", "visits"),
    )
    .unwrap();
    signer.join(&server.ws_url(&head)).await;
    signer.flush(&id).await;
    signer
        .sync_until(WAIT, |t| t.replica.pending_total() == 0)
        .await;
    assert_eq!(signer.server_error, None);

    // What is stored: the head's sign-off only.
    let mut fresh = Tablet::new("service-lead");
    fresh
        .read_until(&server.ws_url(&lead), &key, WAIT, |doc| {
            !signoffs(doc).unwrap().is_empty()
        })
        .await;
    let stored = signoffs(fresh.replica.doc(&id).unwrap()).unwrap();
    assert_eq!(
        stored
            .iter()
            .map(|s| (s.id.as_str(), s.signed_by.as_str()))
            .collect::<Vec<_>>(),
        [("visits", "head")]
    );
}

/// Every label a report shows, by walking it.
fn labels(report: &Report) -> Vec<String> {
    let mut labels = vec![report.kind.title().to_owned()];
    for section in &report.sections {
        labels.push(section.title.clone());
        labels.extend(section.table.columns.iter().cloned());
        labels.extend(section.chart.iter().map(|chart| chart.title.clone()));
        for row in &section.table.rows {
            for cell in row {
                if let Cell::Label(label) = cell {
                    labels.push(label.clone());
                }
            }
        }
    }
    labels
}

#[tokio::test]
async fn last_months_demo_history_fills_every_report_in_both_languages_without_residents() {
    let server = Server::start_with_flags(&["--demo-history"]).await;
    let head = server.login("head").await.token;
    let month = this_month().previous().unwrap();
    let locales: Vec<serde_json::Map<String, serde_json::Value>> = ["zh-CN", "en"]
        .iter()
        .map(|language| {
            let path = format!(
                "{}/../frontend/locales/{language}.json",
                env!("CARGO_MANIFEST_DIR")
            );
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
        })
        .collect();
    let residents: Vec<String> = ["A", "B", "C"]
        .iter()
        .flat_map(|zone| roundbook_shared::fixtures::residents::demo_directory(zone).residents)
        .flat_map(|resident| [resident.name, resident.phone])
        .filter(|text| !text.is_empty())
        // A resident who shares a staff member's name: staff names are shown.
        .filter(|text| {
            !roundbook_server::demo::ACCOUNTS
                .iter()
                .any(|(_, name, _, _)| name == text)
        })
        .collect();
    for kind in ReportKind::ALL {
        let path = format!("/api/reports/{}?month={month}", kind.as_str());
        let shown = report(&server, &head, &path).await;
        let rows: usize = shown
            .sections
            .iter()
            .map(|section| section.table.rows.len())
            .sum();
        assert!(rows > 0, "{path}: last month has figures");
        assert!(shown.missing.is_empty(), "the server holds every document");
        for label in labels(&shown) {
            for locale in &locales {
                assert!(
                    locale.contains_key(&format!("report_{label}")),
                    "{path}: no wording for {label}"
                );
            }
        }
        let json = serde_json::to_string(&shown).unwrap();
        for personal in &residents {
            assert!(
                !json.contains(personal.as_str()),
                "{path} shows a resident's {personal}"
            );
        }
    }
}

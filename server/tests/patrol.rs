//! Patrol records against a real server: receipts stamped on arrival, the
//! zone directory's write rule, and the server's patrol report.

mod common;

use std::time::Duration;

use chrono::NaiveDate;
use common::{patrol_key, Server, Tablet};
use roundbook_shared::api::PatrolReport;
use roundbook_shared::compliance::{RoundKind, RoundStatus};
use roundbook_shared::domain::instant_at;
use roundbook_shared::ids::DocumentId;
use roundbook_shared::protocol::RefusalReason;
use roundbook_shared::schema::directory::{checkpoints, put_checkpoint, Checkpoint};
use roundbook_shared::schema::finding::{put_finding, Finding};
use roundbook_shared::schema::patrol::{record_scan, Scan, METHOD_CAMERA, SCANS};
use roundbook_shared::schema::receipt::{receipts, Receipt, RECEIVED_AT};
use roundbook_shared::schema::round::{put_round, Round};
use roundbook_shared::schema::route::CheckpointOrder;
use roundbook_shared::schema::schedule::{put_schedule, schedules};
use roundbook_shared::schema::shift::{put_shift, shifts, Shift};
use roundbook_shared::schema::Container;
use roundbook_shared::schema::DocKey;

const WAIT: Duration = Duration::from_secs(20);
const MINUTE: i64 = 60_000;

fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn shift(tablet: &Tablet, id: &str, started_at: i64) -> Shift {
    Shift {
        id: id.into(),
        guard: tablet.username.clone(),
        guard_name: "王强".into(),
        device: tablet.device.clone(),
        started_at,
        takes_over: String::new(),
        ended_at: None,
        handover_note: String::new(),
    }
}

fn scan(tablet: &Tablet, round: &str, checkpoint: &str, at: i64) -> Scan {
    Scan {
        id: format!("{round}-{checkpoint}"),
        round_id: round.into(),
        checkpoint_id: checkpoint.into(),
        checkpoint_code: checkpoint.to_uppercase(),
        guard: tablet.username.clone(),
        guard_name: "王强".into(),
        device: tablet.device.clone(),
        scanned_at: at,
        method: METHOD_CAMERA.into(),
    }
}

/// The receipt of one record, as the tablet sees it after syncing.
fn receipt_of(
    tablet: &Tablet,
    id: &DocumentId,
    container: Container,
    record: &str,
) -> Option<Receipt> {
    receipts(tablet.replica.doc(id).unwrap(), container)
        .unwrap()
        .get(record)
        .copied()
}

#[tokio::test]
async fn records_get_their_receipt_and_the_tablet_clock_skew() {
    let server = Server::start().await;
    let token = server.login("guard-a").await.token;
    let key = patrol_key("A");

    // A tablet whose clock is 30 minutes slow.
    let mut slow = Tablet::new("guard-a");
    slow.clock_offset_ms = Some(-30 * MINUTE);
    let id = slow.hold(&key);
    let before = now();
    slow.scan_at(&id, "scan-1", before - 30 * MINUTE);
    let started = shift(&slow, "shift-1", before - 30 * MINUTE);
    put_shift(slow.replica.doc_mut(&id).unwrap(), &started).unwrap();
    slow.connect(&server.ws_url(&token)).await;
    slow.sync_until(WAIT, |t| {
        t.replica.pending_total() == 0 && receipt_of(t, &id, Container::Scans, "scan-1").is_some()
    })
    .await;
    let after = now();

    for (container, record) in [(Container::Scans, "scan-1"), (Container::Shifts, "shift-1")] {
        let receipt = receipt_of(&slow, &id, container, record).unwrap();
        assert!(
            (before..=after).contains(&receipt.received_at),
            "{receipt:?}"
        );
        let skew = receipt.clock_skew_ms.unwrap();
        assert!((skew - 30 * MINUTE).abs() < 10_000, "skew {skew}");
    }
    // The stamp is part of what the server acknowledged.
    assert_eq!(
        slow.replica.acked_heads(&id),
        slow.replica.doc(&id).unwrap().get_heads()
    );

    // A JavaScript-style client reports no clock: a receipt without skew.
    let mut js = Tablet::new("guard-a");
    js.clock_offset_ms = None;
    js.hold(&key);
    js.scan(&id, "scan-2");
    js.connect(&server.ws_url(&token)).await;
    js.sync_until(WAIT, |t| {
        t.replica.pending_total() == 0 && receipt_of(t, &id, Container::Scans, "scan-2").is_some()
    })
    .await;
    let receipt = receipt_of(&js, &id, Container::Scans, "scan-2").unwrap();
    assert_eq!(receipt.clock_skew_ms, None);
    assert!(receipt.received_at >= after);
    // The first tablet's records are not stamped again.
    assert_eq!(
        receipt_of(&js, &id, Container::Scans, "scan-1"),
        receipt_of(&slow, &id, Container::Scans, "scan-1")
    );
}

#[tokio::test]
async fn receipts_survive_a_restart_and_a_rewrite_of_the_record() {
    let server = Server::start().await;
    let token = server.login("guard-a").await.token;
    let key = patrol_key("A");
    let mut tablet = Tablet::new("guard-a");
    let id = tablet.hold(&key);
    let mut on_duty = shift(&tablet, "shift-1", now());
    put_shift(tablet.replica.doc_mut(&id).unwrap(), &on_duty).unwrap();
    tablet.connect(&server.ws_url(&token)).await;
    tablet
        .sync_until(WAIT, |t| {
            t.replica.pending_total() == 0
                && receipt_of(t, &id, Container::Shifts, "shift-1").is_some()
        })
        .await;
    let first = receipt_of(&tablet, &id, Container::Shifts, "shift-1").unwrap();
    tablet.disconnect();

    let server = server.restart().await;
    let token = server.login("guard-a").await.token;
    // The guard ends the shift a little later: the record is rewritten.
    tokio::time::sleep(Duration::from_millis(50)).await;
    on_duty.ended_at = Some(now());
    on_duty.handover_note = "东门灯坏了".into();
    put_shift(tablet.replica.doc_mut(&id).unwrap(), &on_duty).unwrap();
    tablet.connect(&server.ws_url(&token)).await;
    tablet.sync_all().await;

    let mut fresh = Tablet::new("guard-a");
    fresh.hold(&key);
    fresh.connect(&server.ws_url(&token)).await;
    fresh
        .sync_until(WAIT, |t| {
            shifts(t.replica.doc(&id).unwrap())
                .unwrap()
                .first()
                .is_some_and(|shift| shift.ended_at.is_some())
        })
        .await;
    assert_eq!(
        receipt_of(&fresh, &id, Container::Shifts, "shift-1"),
        Some(first)
    );
    assert_eq!(shifts(fresh.replica.doc(&id).unwrap()).unwrap(), [on_duty]);
}

#[tokio::test]
async fn a_tablet_writing_its_own_receipt_is_refused() {
    use automerge::transaction::Transactable;
    use automerge::ReadDoc;

    let server = Server::start().await;
    let token = server.login("guard-a").await.token;
    let key = patrol_key("A");
    let mut forger = Tablet::new("guard-a");
    let id = forger.hold(&key);
    forger.scan(&id, "back-dated");
    let doc = forger.replica.doc_mut(&id).unwrap();
    let (_, scans_map) = doc.get(automerge::ROOT, SCANS).unwrap().unwrap();
    let (_, record) = doc.get(&scans_map, "back-dated").unwrap().unwrap();
    let mut tx = doc.transaction();
    tx.put(&record, RECEIVED_AT, now() - 3 * 60 * MINUTE)
        .unwrap();
    tx.commit();
    forger.connect(&server.ws_url(&token)).await;
    let error = forger.until_refused(WAIT).await;
    assert!(error.contains("only the server writes"), "{error}");
    assert_eq!(
        forger.replica.refusal(&id),
        Some(RefusalReason::ReceiptForged)
    );

    let mut fresh = Tablet::new("guard-a");
    fresh.hold(&key);
    fresh.join(&server.ws_url(&token)).await;
    fresh.sync_all().await;
    assert!(fresh.scan_ids(&id).is_empty(), "nothing was stored");
}

fn checkpoint(id: &str, code: &str) -> Checkpoint {
    Checkpoint {
        id: id.into(),
        code: code.into(),
        name: "新岗点".into(),
        location: "东门".into(),
        retired: false,
    }
}

fn checkpoint_ids(tablet: &Tablet, id: &DocumentId) -> Vec<String> {
    checkpoints(tablet.replica.doc(id).unwrap())
        .unwrap()
        .into_iter()
        .map(|checkpoint| checkpoint.id)
        .collect()
}

#[tokio::test]
async fn only_supervisors_change_the_zone_directory() {
    let server = Server::start().await;
    let guard_token = server.login("guard-a").await.token;
    let key = DocKey::zone_directory("demo", "A");

    // A guard's tablet that only built the genesis reads the directory.
    let mut reader = Tablet::new("guard-a");
    let id = reader.hold(&key);
    reader.join(&server.ws_url(&guard_token)).await;
    reader
        .sync_until(WAIT, |t| checkpoint_ids(t, &id).len() == 4)
        .await;
    assert_eq!(reader.server_error, None);

    // A guard adding a checkpoint is refused, and nothing is stored.
    let mut writer = Tablet::new("guard-a");
    writer.hold(&key);
    put_checkpoint(
        writer.replica.doc_mut(&id).unwrap(),
        &checkpoint("cp-fake", "A-99"),
        now(),
    )
    .unwrap();
    writer.connect(&server.ws_url(&guard_token)).await;
    let error = writer.until_refused(WAIT).await;
    assert!(
        error.contains("security supervisor or the office head"),
        "{error}"
    );
    // The refused tablet stops offering the refused document (so its other
    // documents keep syncing) and keeps the change.
    assert_eq!(writer.replica.refusal(&id), Some(RefusalReason::ReadOnly));
    assert_eq!(writer.replica.pending(&id), 1);
    // A zone service user (who reads the directory too) is refused as well.
    let service_token = server.login("service-a").await.token;
    let mut service = Tablet::new("service-a");
    service.hold(&key);
    put_checkpoint(
        service.replica.doc_mut(&id).unwrap(),
        &checkpoint("cp-fake", "A-99"),
        now(),
    )
    .unwrap();
    service.connect(&server.ws_url(&service_token)).await;
    service.until_refused(WAIT).await;

    // The security supervisor may; the reading guard receives it live.
    let security_token = server.login("security").await.token;
    let mut supervisor = Tablet::new("security");
    supervisor.hold(&key);
    supervisor.join(&server.ws_url(&security_token)).await;
    supervisor
        .sync_until(WAIT, |t| checkpoint_ids(t, &id).len() == 4)
        .await;
    put_checkpoint(
        supervisor.replica.doc_mut(&id).unwrap(),
        &checkpoint("cp-a-05", "A-05"),
        now(),
    )
    .unwrap();
    supervisor.flush(&id).await;
    supervisor.sync_all().await;
    reader
        .sync_until(WAIT, |t| checkpoint_ids(t, &id).len() == 5)
        .await;
    assert!(!checkpoint_ids(&reader, &id).contains(&"cp-fake".to_string()));
    assert_eq!(reader.server_error, None);

    // After a restart the guard's tablet, now holding the supervisor's
    // change, still syncs without being refused.
    let server = server.restart().await;
    let guard_token = server.login("guard-a").await.token;
    reader.disconnect();
    reader.join(&server.ws_url(&guard_token)).await;
    reader.sync_all().await;
    assert_eq!(reader.server_error, None);
}

fn yesterday() -> NaiveDate {
    common::today().pred_opt().unwrap()
}

/// Makes zone A's schedules apply from `since` (the demo seeds them as of
/// now, and rounds due before a schedule existed are not counted), as the
/// security supervisor's tablet would.
async fn schedules_apply_since(server: &Server, since: i64) {
    let token = server.login("security").await.token;
    let key = DocKey::zone_directory("demo", "A");
    let mut supervisor = Tablet::new("security");
    let id = supervisor.hold(&key);
    supervisor.join(&server.ws_url(&token)).await;
    supervisor
        .sync_until(WAIT, |t| {
            schedules(t.replica.doc(&id).unwrap()).unwrap().len() >= 2
        })
        .await;
    let doc = supervisor.replica.doc_mut(&id).unwrap();
    for mut schedule in schedules(doc).unwrap() {
        schedule.since = since;
        put_schedule(doc, &schedule, now()).unwrap();
    }
    supervisor.flush(&id).await;
    supervisor
        .sync_until(WAIT, |t| t.replica.pending_total() == 0)
        .await;
    assert_eq!(supervisor.server_error, None);
}

async fn report(server: &Server, token: &str, date: &str) -> PatrolReport {
    let response = server
        .get(&format!("/api/reports/patrol?date={date}"), Some(token))
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn the_patrol_report_shows_done_and_missed_rounds_with_findings() {
    let server = Server::start().await;
    let token = server.login("guard-a").await.token;
    let date = yesterday();
    let key = DocKey::patrol_log("demo", "A", date);
    let at = |hours: u32, minutes: u32| instant_at(date, hours * 60 + minutes);
    schedules_apply_since(&server, at(0, 0)).await;

    // Yesterday's day shift, synced only now: the 12:00 round of the demo's
    // 白班 schedule walked completely, with a finding on the way.
    let mut tablet = Tablet::new("guard-a");
    let id = tablet.hold(&key);
    let route: Vec<String> = (1..=4).map(|n| format!("cp-a-0{n}")).collect();
    let doc_shift = shift(&tablet, "shift-day", at(7, 55));
    let round = Round {
        id: "round-noon".into(),
        route_id: "route-a".into(),
        route_name: "A区 巡逻路线".into(),
        schedule_id: "schedule-a-day".into(),
        due_at: Some(at(12, 0)),
        checkpoints: CheckpointOrder(route.clone()),
        guard: tablet.username.clone(),
        guard_name: "王强".into(),
        device: tablet.device.clone(),
        started_at: at(12, 5),
        ended_at: None,
    };
    let finding = Finding {
        id: "finding-1".into(),
        round_id: round.id.clone(),
        checkpoint_id: "cp-a-03".into(),
        kind: "safety_hazard".into(),
        severity: "high".into(),
        note: "消防通道被堵".into(),
        photos: Vec::new(),
        guard: tablet.username.clone(),
        guard_name: "王强".into(),
        device: tablet.device.clone(),
        found_at: at(12, 20),
        needs_repair: false,
        request_id: String::new(),
    };
    {
        let tablet_scans: Vec<Scan> = route
            .iter()
            .enumerate()
            .map(|(n, checkpoint)| scan(&tablet, &round.id, checkpoint, at(12, 10 + n as u32 * 5)))
            .collect();
        let doc = tablet.replica.doc_mut(&id).unwrap();
        put_shift(doc, &doc_shift).unwrap();
        put_round(doc, &round).unwrap();
        for scan in &tablet_scans {
            record_scan(doc, scan).unwrap();
        }
        put_finding(doc, &finding).unwrap();
    }
    tablet.connect(&server.ws_url(&token)).await;
    tablet
        .sync_until(WAIT, |t| {
            t.replica.pending_total() == 0
                && receipt_of(t, &id, Container::Rounds, "round-noon").is_some()
        })
        .await;
    assert!(receipt_of(&tablet, &id, Container::Findings, "finding-1").is_some());

    let security = server.login("security").await.token;
    let answer = report(&server, &security, &date.to_string()).await;
    assert_eq!(answer.date, date.to_string());
    let zones: Vec<&str> = answer.zones.iter().map(|zone| zone.zone.as_str()).collect();
    assert_eq!(zones, ["A", "B", "C"]);
    let zone_a = &answer.zones[0];
    let fixed = |due| {
        zone_a
            .rounds
            .iter()
            .find(|outcome| outcome.kind == RoundKind::Fixed && outcome.due_at == Some(due))
            .unwrap_or_else(|| panic!("no fixed round due at {due}"))
    };
    let noon = fixed(at(12, 0));
    assert_eq!(noon.status, RoundStatus::Done);
    let progress = noon.progress.as_ref().unwrap();
    assert_eq!(progress.round_id, "round-noon");
    assert_eq!(progress.findings, ["finding-1"]);
    assert!(progress.missing.is_empty());
    // 08:00 passed with no round at all: missed.
    assert_eq!(fixed(at(8, 0)).status, RoundStatus::Missed);
    assert_eq!(zone_a.summary.done, 1);
    assert!(zone_a.summary.missed >= 3, "{:?}", zone_a.summary);
    assert_eq!(zone_a.findings_by_kind.get("safety_hazard"), Some(&1));
    assert_eq!(zone_a.findings_by_kind.len(), 1);
    // Made yesterday, received today: every scan and the finding arrived late.
    assert_eq!(zone_a.flagged_records, 5);
    let zone_b = &answer.zones[1];
    assert_eq!(zone_b.summary.done, 0);
    assert!(zone_b.findings_by_kind.is_empty());

    // A guard reads no report; bad dates and missing tokens are refused.
    let guard_b = server.login("guard-b").await.token;
    let response = server
        .get(&format!("/api/reports/patrol?date={date}"), Some(&guard_b))
        .await;
    assert_eq!(response.status(), 403);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "report_forbidden");
    for bad in [
        "?date=yesterday",
        "?date=2026-02-30",
        "?date=1900-01-01",
        "",
    ] {
        let response = server
            .get(&format!("/api/reports/patrol{bad}"), Some(&security))
            .await;
        assert_eq!(response.status(), 400, "{bad}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "bad_request");
    }
    let response = server
        .get(&format!("/api/reports/patrol?date={date}"), None)
        .await;
    assert_eq!(response.status(), 401);
}

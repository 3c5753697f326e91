//! A resident's request to see their data, against a real server: the head
//! finds every record naming a phone or a unit (requests, the directory,
//! the gate book), exports them as a CSV marked as personal data, and both
//! are in the audit trail; nobody else may search, and a search too short
//! to be one person's is refused.

mod common;

use std::time::Duration;

use common::{Server, Tablet};
use roundbook_shared::domain::PERSONAL_DATA_LINE;
use roundbook_shared::fixtures::requests::intake;
use roundbook_shared::personal_search::Found;
use roundbook_shared::schema::gate::VisitorEntry;
use roundbook_shared::schema::request::RequestKind;
use roundbook_shared::schema::{put, DocKey};

const WAIT: Duration = Duration::from_secs(20);
const PHONE: &str = "139-0000-4321";
const UNIT: &str = "9栋1单元909";

fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_head_finds_exports_and_the_audit_trail_keeps_a_residents_data() {
    let server = Server::start().await;
    // A request with the resident's phone and unit, and a visitor to that unit.
    let service = server.login("service-a").await.token;
    let mut tablet = Tablet::new("service-a");
    let id = tablet.hold(&DocKey::request_log("demo", "A", common::today()));
    let mut request = intake("rq-personal", RequestKind::RepairHome);
    request.contact_phone = PHONE.into();
    request.unit_label = UNIT.into();
    request.received_at = now();
    put(tablet.replica.doc_mut(&id).unwrap(), &request, now()).unwrap();
    tablet.join(&server.ws_url(&service)).await;
    tablet.deliver(WAIT).await.unwrap();
    let guard = server.login("guard-a").await.token;
    let mut gate = Tablet::new("guard-a");
    let id = gate.hold(&DocKey::gate_log("demo", common::today()));
    let visitor = VisitorEntry {
        id: "gv-personal".into(),
        name: "访客甲".into(),
        id_last4: String::new(),
        unit_label: UNIT.into(),
        zone: "A".into(),
        purpose: "送货".into(),
        people: 1,
        in_at: now(),
        by: "guard-a".into(),
        by_name: "王强".into(),
        device: "gate".into(),
    };
    put(gate.replica.doc_mut(&id).unwrap(), &visitor, now()).unwrap();
    gate.join(&server.ws_url(&guard)).await;
    gate.deliver(WAIT).await.unwrap();

    let head = server.login("head").await.token;
    let search = |q: &str, format: &str| {
        let path = format!("/api/personal-data?q={}{format}", urlencoding(q));
        let token = head.clone();
        let server = &server;
        async move { server.get(&path, Some(&token)).await }
    };

    // By phone (typed with spaces): the request.
    let by_phone: Vec<Found> = search("139 0000 4321", "").await.json().await.unwrap();
    let ids: Vec<&str> = by_phone.iter().map(|found| found.id.as_str()).collect();
    assert_eq!(ids, ["rq-personal"]);

    // By unit: the request and the visitor to it.
    let by_unit: Vec<Found> = search(UNIT, "").await.json().await.unwrap();
    let mut ids: Vec<&str> = by_unit.iter().map(|found| found.id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, ["gv-personal", "rq-personal"]);

    // The export: marked, and holding the phone.
    let response = search(PHONE, "&format=csv").await;
    assert_eq!(response.status(), 200);
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.contains("-personal.csv"), "{disposition}");
    let text = response.text().await.unwrap();
    assert!(text
        .trim_start_matches('\u{feff}')
        .starts_with(PERSONAL_DATA_LINE));
    assert!(text.contains(PHONE));

    // Both are in the audit trail, with what was searched.
    let audit: Vec<serde_json::Value> = server
        .get("/api/admin/audit", Some(&head))
        .await
        .json()
        .await
        .unwrap();
    let actions: Vec<(&str, &str)> = audit
        .iter()
        .map(|row| {
            (
                row["action"].as_str().unwrap(),
                row["target"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        actions.contains(&("personal_data.search", UNIT)),
        "{actions:?}"
    );
    assert!(
        actions.contains(&("personal_data.export", PHONE)),
        "{actions:?}"
    );

    // Nobody else may search; a search too short is refused.
    for user in ["service-lead", "frontdesk"] {
        let token = server.login(user).await.token;
        let path = format!("/api/personal-data?q={}", urlencoding(PHONE));
        assert_eq!(
            server.get(&path, Some(&token)).await.status(),
            403,
            "{user}"
        );
    }
    assert_eq!(search("12", "").await.status(), 400);
    assert_eq!(search(PHONE, "&format=xml").await.status(), 400);
}

/// `text` for a URL query.
fn urlencoding(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

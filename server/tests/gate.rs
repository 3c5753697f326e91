//! The gate book against a real server: a guard's visitors, vehicles and
//! exits reach the front desk and the other gate, never zone service or
//! cleaning staff; a whole identity number or a plate that is not a plate
//! is refused with nothing stored; and 90 days after its day the gate log
//! is deleted whole, so a new tablet downloads nothing of it.

mod common;

use std::sync::Arc;
use std::time::Duration;

use chrono::Days;
use common::{Server, Tablet};
use roundbook_server::hub::Hub;
use roundbook_server::store::sqlite::SqliteStore;
use roundbook_server::store::Store;
use roundbook_shared::protocol::RefusalReason;
use roundbook_shared::schema::gate::{GateExit, VehicleEntry, VisitorEntry};
use roundbook_shared::schema::receipt::receipts;
use roundbook_shared::schema::{get, put, Container, DocKey, DocKind};

const WAIT: Duration = Duration::from_secs(20);

fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn log() -> DocKey {
    DocKey::gate_log("demo", common::today())
}

fn visitor(id: &str) -> VisitorEntry {
    VisitorEntry {
        id: id.into(),
        name: "张访客".into(),
        id_last4: "123X".into(),
        unit_label: "1栋101".into(),
        zone: "A".into(),
        purpose: "探亲".into(),
        people: 2,
        in_at: now(),
        by: "guard-a".into(),
        by_name: "王强".into(),
        device: "gate-1".into(),
    }
}

fn vehicle(id: &str) -> VehicleEntry {
    VehicleEntry {
        id: id.into(),
        plate: "粤B12345".into(),
        unit_label: "1栋101".into(),
        zone: "A".into(),
        resident: false,
        in_at: now(),
        by: "guard-a".into(),
        by_name: "王强".into(),
        device: "gate-1".into(),
    }
}

fn has<R: roundbook_shared::schema::Record>(
    id: &str,
) -> impl Fn(&automerge::Automerge) -> bool + '_ {
    move |doc| get::<R>(doc, id).ok().flatten().is_some()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gate_book_reaches_the_gate_roles_refuses_bad_entries_and_is_deleted_after_ninety_days()
{
    let server = Server::start().await;
    let guard_token = server.login("guard-a").await.token;
    let mut gate = Tablet::new("guard-a");
    let id = gate.hold(&log());
    put(gate.replica.doc_mut(&id).unwrap(), &visitor("gv-1"), now()).unwrap();
    put(gate.replica.doc_mut(&id).unwrap(), &vehicle("gc-1"), now()).unwrap();
    let out = GateExit {
        id: "ge-1".into(),
        entry_id: "gv-1".into(),
        out_at: now() + 1_000,
        by: "guard-a".into(),
        by_name: "王强".into(),
        device: "gate-1".into(),
    };
    put(gate.replica.doc_mut(&id).unwrap(), &out, now()).unwrap();
    gate.join(&server.ws_url(&guard_token)).await;
    gate.deliver(WAIT).await.unwrap();
    assert!(server
        .docs(&guard_token)
        .await
        .iter()
        .any(|listed| listed.kind == DocKind::GateLog));

    // The front desk reads it all, the exit stamped by the server.
    let desk_token = server.login("frontdesk").await.token;
    let mut desk = Tablet::new("frontdesk");
    desk.read_until(&server.ws_url(&desk_token), &log(), WAIT, |doc| {
        !receipts(doc, Container::GateExits).unwrap().is_empty()
    })
    .await;

    // Zone service and cleaning staff never receive it.
    for user in ["service-a", "cleaning"] {
        let token = server.login(user).await.token;
        Tablet::new(user)
            .refused_to_read(&server.ws_url(&token), &log(), WAIT)
            .await;
    }

    // A whole identity number, or a plate that is not a plate: refused.
    let whole_number = VisitorEntry {
        id_last4: "44030119900101123X".into(),
        ..visitor("gv-bad")
    };
    let not_a_plate = VehicleEntry {
        plate: "ABC".into(),
        ..vehicle("gc-bad")
    };
    let bad = [
        ("visitors", serde_json::to_value(&whole_number).unwrap()),
        ("vehicles", serde_json::to_value(&not_a_plate).unwrap()),
    ];
    for (container, record) in bad {
        let mut tablet = Tablet::new("guard-a");
        let id = tablet
            .read_until(
                &server.ws_url(&guard_token),
                &log(),
                WAIT,
                has::<VisitorEntry>("gv-1"),
            )
            .await;
        common::write_record(tablet.replica.doc_mut(&id).unwrap(), container, &record);
        tablet.flush(&id).await;
        assert!(tablet.deliver(WAIT).await.is_err());
        assert_eq!(tablet.replica.refusal(&id), Some(RefusalReason::BadShape));
    }

    // 91 days on, the retention pass deletes the day's log whole.
    let db = server.db.clone();
    let mut server = server;
    server.kill();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&db).unwrap());
    let hub = Hub::new(store.clone());
    let later = common::today().checked_add_days(Days::new(91)).unwrap();
    assert_eq!(
        roundbook_server::retention::purge(store.as_ref(), &hub, common::today()).unwrap(),
        0
    );
    assert_eq!(
        roundbook_server::retention::purge(store.as_ref(), &hub, later).unwrap(),
        1
    );
    assert!(store.document_key(&log().document_id()).unwrap().is_none());
    assert!(store.load_chunks(&log().document_id()).unwrap().is_empty());
    drop((hub, store));

    // A new tablet downloads nothing of it: today's log is born again, and
    // holds only what the gate lets in after.
    let server = server.restart().await;
    let guard_token = server.login("guard-a").await.token;
    let mut gate = Tablet::new("guard-a");
    let id = gate.hold(&log());
    let next = VisitorEntry {
        name: "李新".into(),
        ..visitor("gv-next")
    };
    put(gate.replica.doc_mut(&id).unwrap(), &next, now()).unwrap();
    gate.join(&server.ws_url(&guard_token)).await;
    gate.deliver(WAIT).await.unwrap();
    let token = server.login("frontdesk").await.token;
    let mut fresh = Tablet::new("frontdesk");
    let id = fresh
        .read_until(
            &server.ws_url(&token),
            &log(),
            WAIT,
            has::<VisitorEntry>("gv-next"),
        )
        .await;
    let doc = fresh.replica.doc(&id).unwrap();
    assert!(get::<VisitorEntry>(doc, "gv-1").unwrap().is_none());
    assert!(get::<VehicleEntry>(doc, "gc-1").unwrap().is_none());
    let saved = doc.save();
    let name = "张访客".as_bytes();
    assert!(
        !saved.windows(name.len()).any(|bytes| bytes == name),
        "not even in the history"
    );
}

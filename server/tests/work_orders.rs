//! Work orders against a real server: a repair worker receives only the
//! orders dispatched to them (their own work-order logs), never another
//! worker's log, the zone's request log, the resident directory or another
//! zone's documents; a zone's clerk receives only their zones' logs; bad records (done without a note, a charge that is not
//! a number, a signature over 1 MB) and orders for a disabled worker are
//! refused with nothing stored; a reassignment and the worker's offline
//! "done" both reach everyone and fold into a conflict with nothing lost.

mod common;

use std::time::Duration;

use automerge::transaction::Transactable;
use common::{Server, Tablet};
use roundbook_shared::protocol::RefusalReason;
use roundbook_shared::schema::receipt::receipts;
use roundbook_shared::schema::work_order::{OrderAction, WorkOrder, WorkOrderEvent};
use roundbook_shared::schema::{get, put, Container, DocKey, DocKind};

const WAIT: Duration = Duration::from_secs(20);

fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// An order of the clerk's for `worker`.
fn order(id: &str, worker: &str) -> WorkOrder {
    WorkOrder {
        id: id.into(),
        request_id: format!("req-{id}"),
        zone: "A".into(),
        request_at: now(),
        unit_label: "1-1-101".into(),
        resident_name: "张三".into(),
        contact_phone: "13900000000".into(),
        fault: "厨房水管漏水".into(),
        photos: Vec::new(),
        worker: worker.into(),
        worker_name: worker.into(),
        arrive_by: now() + 3_600_000,
        urgent: false,
        dispatched_by: "service-a".into(),
        dispatched_by_name: "陈静".into(),
        device: "desk".into(),
        dispatched_at: now(),
        reassigned_from: String::new(),
    }
}

/// `worker`'s log of zone A this month.
fn log_of(worker: &str) -> DocKey {
    DocKey::work_order_log("demo", "A", worker, common::today())
}

/// The clerk dispatches one order to each of `workers`.
async fn dispatch(server: &Server, workers: &[&str]) {
    let clerk = server.login("service-a").await.token;
    let mut desk = Tablet::new("service-a");
    for worker in workers {
        let log = desk.hold(&log_of(worker));
        put(
            desk.replica.doc_mut(&log).unwrap(),
            &order(&format!("wo-{worker}"), worker),
            now(),
        )
        .unwrap();
    }
    desk.join(&server.ws_url(&clerk)).await;
    desk.deliver(WAIT).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repair_worker_reaches_only_their_own_orders() {
    let server = Server::start().await;
    dispatch(&server, &["repair-a", "repair-a2"]).await;
    let token = server.login("repair-a").await.token;
    let url = server.ws_url(&token);

    // Their own log arrives with their order.
    let mut tablet = Tablet::new("repair-a");
    let id = tablet
        .read_until(&url, &log_of("repair-a"), WAIT, |doc| {
            get::<WorkOrder>(doc, "wo-repair-a")
                .ok()
                .flatten()
                .is_some()
        })
        .await;
    assert!(
        get::<WorkOrder>(tablet.replica.doc(&id).unwrap(), "wo-repair-a-2")
            .unwrap()
            .is_none()
    );

    // The listing names their own log and the zone's directory, nothing else.
    let listed = server.docs(&token).await;
    assert!(listed
        .iter()
        .any(|entry| entry.kind == DocKind::WorkOrderLog && entry.zone == "A/repair-a"));
    for entry in &listed {
        assert!(
            matches!(entry.kind, DocKind::WorkOrderLog | DocKind::ZoneDirectory),
            "{entry:?}"
        );
        assert!(entry.zone == "A/repair-a" || entry.zone == "A", "{entry:?}");
    }

    // Another worker's log, the resident directory, the zone's request and
    // patrol logs and another zone's documents are refused.
    for key in [
        log_of("repair-a2"),
        DocKey::resident_directory("demo", "A"),
        DocKey::request_log("demo", "A", common::today()),
        DocKey::patrol_log("demo", "A", common::today()),
        DocKey::zone_directory("demo", "B"),
        DocKey::request_log("demo", "B", common::today()),
    ] {
        let mut asking = Tablet::new("repair-a");
        asking.refused_to_read(&url, &key, WAIT).await;
    }

    // Zone B's clerk holds neither: zone A's orders carry its residents.
    let zone_b = server.login("service-b").await.token;
    for worker in ["repair-a", "repair-a2"] {
        let mut asking = Tablet::new("service-b");
        asking
            .refused_to_read(&server.ws_url(&zone_b), &log_of(worker), WAIT)
            .await;
    }
    assert!(server
        .docs(&zone_b)
        .await
        .iter()
        .all(|entry| entry.kind != DocKind::WorkOrderLog));

    // The clerk and the engineering supervisor hold both workers' logs.
    for user in ["service-a", "engineering"] {
        let token = server.login(user).await.token;
        for worker in ["repair-a", "repair-a2"] {
            let mut reader = Tablet::new(user);
            let wanted = format!("wo-{worker}");
            reader
                .read_until(&server.ws_url(&token), &log_of(worker), WAIT, |doc| {
                    get::<WorkOrder>(doc, &wanted).ok().flatten().is_some()
                })
                .await;
        }
    }
}

/// `worker` writes `change` into their own log; answers the server's
/// refusal (`None`: acknowledged).
async fn attempt(
    server: &Server,
    worker: &str,
    change: impl FnOnce(&mut automerge::Automerge, &Tablet),
) -> Option<RefusalReason> {
    let token = server.login(worker).await.token;
    let mut tablet = Tablet::new(worker);
    let id = tablet
        .read_until(&server.ws_url(&token), &log_of(worker), WAIT, |doc| {
            get::<WorkOrder>(doc, &format!("wo-{worker}"))
                .ok()
                .flatten()
                .is_some()
        })
        .await;
    let mut doc = tablet.replica.doc(&id).unwrap().clone();
    change(&mut doc, &tablet);
    let bytes = doc.save_after(&tablet.replica.doc(&id).unwrap().get_heads());
    tablet
        .replica
        .doc_mut(&id)
        .unwrap()
        .load_incremental(&bytes)
        .unwrap();
    tablet.flush(&id).await;
    match tablet.deliver(WAIT).await {
        Ok(()) => None,
        Err(_) => tablet.replica.refusal(&id),
    }
}

fn done_by(tablet: &Tablet, id: &str) -> WorkOrderEvent {
    let mut event = WorkOrderEvent::new(id, "wo-repair-a", OrderAction::Done, now());
    event.by = tablet.username.clone();
    event.by_name = "何建".into();
    event.device = tablet.device.clone();
    event.note = "更换角阀".into();
    event
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_work_order_records_are_refused_and_nothing_is_stored() {
    let server = Server::start().await;
    dispatch(&server, &["repair-a"]).await;
    let refused = |refusal: Option<RefusalReason>| {
        assert_eq!(refusal, Some(RefusalReason::BadShape));
    };

    // Done without a note: written around the tablet's own check.
    refused(
        attempt(&server, "repair-a", |doc, tablet| {
            let mut event = done_by(tablet, "ev-blank");
            event.note = String::new();
            let map = container(doc, "work_order_events");
            let mut tx = doc.transaction();
            let record = tx
                .put_object(&map, "ev-blank", automerge::ObjType::Map)
                .unwrap();
            write_fields(&mut tx, &record, &event, |_, _| {});
            tx.commit();
        })
        .await,
    );
    // A charge that is not a number.
    refused(
        attempt(&server, "repair-a", |doc, tablet| {
            let event = done_by(tablet, "ev-charge");
            let map = container(doc, "work_order_events");
            let mut tx = doc.transaction();
            let record = tx
                .put_object(&map, "ev-charge", automerge::ObjType::Map)
                .unwrap();
            write_fields(&mut tx, &record, &event, |tx, record| {
                tx.put(record, "charge_fen", "三十元").unwrap();
            });
            tx.commit();
        })
        .await,
    );
    // A signature over 1 MB.
    refused(
        attempt(&server, "repair-a", |doc, tablet| {
            let mut event = done_by(tablet, "ev-sign");
            event.signature = roundbook_shared::blob::hash_of(b"signature");
            event.signature_bytes = 1_500_000;
            let map = container(doc, "work_order_events");
            let mut tx = doc.transaction();
            let record = tx
                .put_object(&map, "ev-sign", automerge::ObjType::Map)
                .unwrap();
            write_fields(&mut tx, &record, &event, |_, _| {});
            tx.commit();
        })
        .await,
    );
    // A good one is taken, and nothing of the bad ones was stored.
    let taken = attempt(&server, "repair-a", |doc, tablet| {
        put(doc, &done_by(tablet, "ev-good"), now()).unwrap();
    })
    .await;
    assert_eq!(taken, None);
    let token = server.login("service-a").await.token;
    let mut reader = Tablet::new("service-a");
    let id = reader
        .read_until(&server.ws_url(&token), &log_of("repair-a"), WAIT, |doc| {
            get::<WorkOrderEvent>(doc, "ev-good")
                .ok()
                .flatten()
                .is_some()
        })
        .await;
    let doc = reader.replica.doc(&id).unwrap();
    let map = container_ro(doc, "work_order_events");
    for bad in ["ev-blank", "ev-charge", "ev-sign"] {
        assert!(
            automerge::ReadDoc::get(doc, &map, bad).unwrap().is_none(),
            "{bad}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_for_a_disabled_worker_is_refused() {
    let server = Server::start().await;
    // repair-a2 has an order from before, then leaves.
    dispatch(&server, &["repair-a2"]).await;
    let head = server.login("head").await.token;
    let answer = reqwest::Client::new()
        .post(format!("{}/api/admin/staff/repair-a2/disable", server.base))
        .bearer_auth(&head)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);

    // A clerk whose staff list is stale dispatches another: refused.
    let clerk = server.login("service-a").await.token;
    let mut desk = Tablet::new("service-a");
    let id = desk
        .read_until(&server.ws_url(&clerk), &log_of("repair-a2"), WAIT, |doc| {
            get::<WorkOrder>(doc, "wo-repair-a2")
                .ok()
                .flatten()
                .is_some()
        })
        .await;
    put(
        desk.replica.doc_mut(&id).unwrap(),
        &order("wo-late", "repair-a2"),
        now(),
    )
    .unwrap();
    desk.flush(&id).await;
    assert!(desk.deliver(WAIT).await.is_err());
    assert_eq!(desk.replica.refusal(&id), Some(RefusalReason::ReadOnly));

    // The engineering supervisor still reads the history, without the new order.
    let engineering = server.login("engineering").await.token;
    let mut reader = Tablet::new("engineering");
    let id = reader
        .read_until(
            &server.ws_url(&engineering),
            &log_of("repair-a2"),
            WAIT,
            |doc| {
                get::<WorkOrder>(doc, "wo-repair-a2")
                    .ok()
                    .flatten()
                    .is_some()
            },
        )
        .await;
    let doc = reader.replica.doc(&id).unwrap();
    assert!(get::<WorkOrder>(doc, "wo-late").unwrap().is_none());
    // And a log of the disabled worker's that was never made is not made now.
    let mut late = Tablet::new("service-a");
    let next_month = common::today() + chrono::Months::new(1);
    late.refused_to_read(
        &server.ws_url(&clerk),
        &DocKey::work_order_log("demo", "A", "repair-a2", next_month),
        WAIT,
    )
    .await;
}

fn container(doc: &automerge::Automerge, name: &str) -> automerge::ObjId {
    container_ro(doc, name)
}

fn container_ro(doc: &automerge::Automerge, name: &str) -> automerge::ObjId {
    automerge::ReadDoc::get(doc, automerge::ROOT, name)
        .unwrap()
        .unwrap()
        .1
}

/// Writes `event`'s fields into `record` as serde sees them, then `tweak`.
fn write_fields(
    tx: &mut automerge::transaction::Transaction<'_>,
    record: &automerge::ObjId,
    event: &WorkOrderEvent,
    tweak: impl FnOnce(&mut automerge::transaction::Transaction<'_>, &automerge::ObjId),
) {
    let serde_json::Value::Object(fields) = serde_json::to_value(event).unwrap() else {
        unreachable!()
    };
    for (field, value) in fields {
        match value {
            serde_json::Value::String(text) => tx.put(record, field.as_str(), text).unwrap(),
            serde_json::Value::Number(number) => tx
                .put(record, field.as_str(), number.as_i64().unwrap())
                .unwrap(),
            serde_json::Value::Bool(flag) => tx.put(record, field.as_str(), flag).unwrap(),
            serde_json::Value::Array(_) => {
                tx.put_object(record, field.as_str(), automerge::ObjType::List)
                    .unwrap();
            }
            _ => {}
        }
    }
    tweak(tx, record);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reassignment_and_an_offline_done_both_reach_everyone_and_show_as_a_conflict() {
    use roundbook_shared::schema::list;
    use roundbook_shared::work_orders::{fold, OrderState};

    let server = Server::start().await;
    dispatch(&server, &["repair-a"]).await;
    let key = log_of("repair-a");

    // The worker takes the order onto their tablet, then loses the network.
    let worker_token = server.login("repair-a").await.token;
    let mut tablet = Tablet::new("repair-a");
    let log = tablet
        .read_until(&server.ws_url(&worker_token), &key, WAIT, |doc| {
            get::<WorkOrder>(doc, "wo-repair-a")
                .ok()
                .flatten()
                .is_some()
        })
        .await;
    tablet.disconnect();

    // Meanwhile the engineering supervisor reassigns it to repair-b...
    let engineering = server.login("engineering").await.token;
    let mut desk = Tablet::new("engineering");
    let desk_log = desk
        .read_until(&server.ws_url(&engineering), &key, WAIT, |doc| {
            get::<WorkOrder>(doc, "wo-repair-a")
                .ok()
                .flatten()
                .is_some()
        })
        .await;
    let mut reassign =
        WorkOrderEvent::new("ev-reassign", "wo-repair-a", OrderAction::Reassign, now());
    reassign.by = "engineering".into();
    reassign.by_name = "高峰".into();
    reassign.device = desk.device.clone();
    reassign.to = "repair-b".into();
    reassign.to_name = "刘洋".into();
    reassign.new_order = "wo-moved".into();
    reassign.note = "何建今日请假".into();
    put(desk.replica.doc_mut(&desk_log).unwrap(), &reassign, now()).unwrap();
    desk.flush(&desk_log).await;
    desk.deliver(WAIT).await.unwrap();

    // ...while the worker, offline, records the work done a moment later.
    let mut done = done_by(&tablet, "ev-done");
    done.at = reassign.at + 1_000;
    done.materials = "灯泡 ×2".into();
    done.charge_fen = 3_550;
    put(tablet.replica.doc_mut(&log).unwrap(), &done, done.at).unwrap();
    tablet.join(&server.ws_url(&worker_token)).await;
    tablet.deliver(WAIT).await.unwrap();

    // Everyone ends with both events: the later one (done) is superseded by
    // the reassignment's state, kept with all it carried, and the two show
    // as a conflict naming the reassignment as the one that stood.
    let mut reader = Tablet::new("service-a");
    let clerk = server.login("service-a").await.token;
    let id = reader
        .read_until(&server.ws_url(&clerk), &key, WAIT, |doc| {
            list::<WorkOrderEvent>(doc)
                .map(|events| events.len() == 2)
                .unwrap_or(false)
        })
        .await;
    let doc = reader.replica.doc(&id).unwrap();
    let order = get::<WorkOrder>(doc, "wo-repair-a").unwrap().unwrap();
    let view = fold(order, &list::<WorkOrderEvent>(doc).unwrap());
    assert_eq!(view.state, OrderState::Reassigned);
    let kept = view
        .history
        .iter()
        .find(|entry| entry.event.id == "ev-done")
        .unwrap();
    assert!(kept.superseded.is_some());
    assert_eq!(kept.event.materials, "灯泡 ×2");
    assert_eq!(kept.event.charge_fen, 3_550);
    assert_eq!(view.conflicts.len(), 1);
    assert_eq!(view.conflicts[0].stood.as_deref(), Some("ev-reassign"));
    // The server stamped when each event reached it.
    let stamped = receipts(doc, Container::WorkOrderEvents).unwrap();
    assert!(stamped.contains_key("ev-reassign") && stamped.contains_key("ev-done"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_is_filed_in_its_workers_log_of_its_zone_only() {
    let server = Server::start().await;
    let clerk = server.login("service-a").await.token;
    // Zone A's clerk files a zone-B order in repair-a's log of zone A: refused.
    let mut desk = Tablet::new("service-a");
    let log = desk.hold(&log_of("repair-a"));
    let mut misfiled = order("wo-misfiled", "repair-a");
    misfiled.zone = "B".into();
    put(desk.replica.doc_mut(&log).unwrap(), &misfiled, now()).unwrap();
    desk.join(&server.ws_url(&clerk)).await;
    assert!(desk.deliver(WAIT).await.is_err());
    assert_eq!(desk.replica.refusal(&log), Some(RefusalReason::BadShape));
    // Nor may they make repair-a's log of zone B, which they do not reach.
    let mut other = Tablet::new("service-a");
    other
        .refused_to_read(
            &server.ws_url(&clerk),
            &DocKey::work_order_log("demo", "B", "repair-a", common::today()),
            WAIT,
        )
        .await;
}

/// Bytes that sniff as a PNG.
fn png(seed: u8) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend((0..2_000u32).map(|n| (n.wrapping_mul(2_654_435_761) >> 13) as u8 ^ seed));
    bytes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_reaches_the_photos_of_the_zones_they_have_orders_in() {
    let server = Server::start().await;
    // repair-b's account lists zone B only.
    let token = server.login("repair-b").await.token;
    let photo = png(7);
    let hash = roundbook_shared::blob::hash_of(&photo);
    let len = photo.len() as u64;
    let before = server
        .put_part(Some(&token), "A", &hash, 0, len, &photo)
        .await;
    assert_eq!(before.status(), 403, "no order in zone A yet");

    dispatch(&server, &["repair-b"]).await;
    let after = server
        .put_part(Some(&token), "A", &hash, 0, len, &photo)
        .await;
    assert_eq!(
        after.status(),
        200,
        "an order in zone A: its photos are theirs"
    );
    let read = server
        .get(&format!("/api/blobs/A/{hash}"), Some(&token))
        .await;
    assert_eq!(read.status(), 200);
    // Zone C, where they have no order, stays closed.
    let elsewhere = server
        .put_part(Some(&token), "C", &hash, 0, len, &photo)
        .await;
    assert_eq!(elsewhere.status(), 403);
}

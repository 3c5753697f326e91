//! A patrol finding that needs a repair becomes a request, against a real
//! server: the guard's tablet writes it to the zone's request log offline,
//! the zone's service staff and the engineering supervisor receive it, a
//! second tablet writing the same request leaves one, and a guard trying to
//! change anyone else's request (or shadow it) is refused with nothing
//! stored.

mod common;

use std::time::Duration;

use common::{patrol_key, Server, Tablet};
use roundbook_shared::ids::DocumentId;
use roundbook_shared::protocol::RefusalReason;
use roundbook_shared::schema::finding::{put_finding, request_id_for, Finding};
use roundbook_shared::schema::request::{
    put_request, put_request_once, request, requests, Channel, Request, RequestKind,
};
use roundbook_shared::schema::{put, DocKey};

const WAIT: Duration = Duration::from_secs(20);

fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A finding by `tablet`'s user that needs a repair, made now.
fn finding(tablet: &Tablet, id: &str) -> Finding {
    Finding {
        id: id.into(),
        round_id: String::new(),
        checkpoint_id: "cp-a-02".into(),
        kind: "facility_damage".into(),
        severity: "high".into(),
        note: "2栋大堂玻璃门门禁损坏".into(),
        photos: vec![roundbook_shared::blob::hash_of(b"door photo")],
        guard: tablet.username.clone(),
        guard_name: "王强".into(),
        device: tablet.device.clone(),
        found_at: now(),
        needs_repair: true,
        request_id: request_id_for(id),
    }
}

/// Records `finding` and the request it becomes on `tablet`, offline, as
/// the guard's screen does; answers the request log's id.
fn record(tablet: &mut Tablet, finding: &Finding) -> DocumentId {
    let patrol = tablet.hold(&patrol_key("A"));
    put_finding(tablet.replica.doc_mut(&patrol).unwrap(), finding).unwrap();
    make_request(tablet, finding)
}

/// Makes the request `finding` becomes on `tablet`, offline (a second
/// tablet of the guard's that holds the finding does so when the first
/// did not); answers the request log's id.
fn make_request(tablet: &mut Tablet, finding: &Finding) -> DocumentId {
    let log = tablet.hold(&finding.request_log("demo", "A"));
    let made = finding
        .repair_request("A", "A-02 2栋大堂", "设施损坏")
        .unwrap();
    put_request_once(tablet.replica.doc_mut(&log).unwrap(), &made).unwrap();
    log
}

/// The requests of the log `id` on `tablet` that came from `finding_id`.
fn from_finding(tablet: &Tablet, id: &DocumentId, finding_id: &str) -> Vec<Request> {
    requests(tablet.replica.doc(id).unwrap())
        .unwrap()
        .into_iter()
        .filter(|request| request.finding_id == finding_id)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guards_finding_becomes_one_request_the_clerk_and_engineering_receive() {
    let server = Server::start().await;
    let guard = server.login("guard-a").await.token;

    // Offline on two tablets of the same guard (a retry, a second tablet
    // replaying the finding): the same request, under the same id.
    let mut tablet = Tablet::new("guard-a");
    let found = finding(&tablet, "finding-door");
    let log = record(&mut tablet, &found);
    let mut second = Tablet::new("guard-a");
    assert_eq!(make_request(&mut second, &found), log);
    tablet.join(&server.ws_url(&guard)).await;
    tablet.deliver(WAIT).await.unwrap();
    second.join(&server.ws_url(&guard)).await;
    second.deliver(WAIT).await.unwrap();

    // The zone's service staff and the engineering supervisor receive one
    // request, linked to the finding, with its checkpoint and photos, and
    // no resident.
    let key = found.request_log("demo", "A");
    for user in ["service-a", "engineering"] {
        let token = server.login(user).await.token;
        let mut reader = Tablet::new(user);
        reader
            .read_until(&server.ws_url(&token), &key, WAIT, |doc| {
                request(doc, &found.request_id).ok().flatten().is_some()
            })
            .await;
        let got = from_finding(&reader, &log, &found.id);
        assert_eq!(got.len(), 1, "{user}");
        let got = &got[0];
        assert_eq!(got.id, request_id_for("finding-door"));
        assert_eq!(got.kind(), RequestKind::RepairCommon);
        assert_eq!(got.channel(), Channel::WalkRound);
        assert_eq!(got.checkpoint_id, "cp-a-02");
        assert_eq!(got.checkpoint_label, "A-02 2栋大堂");
        assert_eq!(got.photos, found.photos);
        assert_eq!(got.received_by, "guard-a");
        assert!(got.contact_phone.is_empty() && got.resident_name.is_empty());
    }
}

/// Connects `attacker` (who has synced the log `key`), applies `make`, and
/// answers the server's refusal.
async fn attempt(
    server: &Server,
    token: &str,
    username: &str,
    key: &DocKey,
    make: impl FnOnce(&mut automerge::Automerge, &Tablet),
) -> Option<RefusalReason> {
    let mut attacker = Tablet::new(username);
    let id = attacker
        .read_until(&server.ws_url(token), key, WAIT, |doc| {
            request(doc, "req-clerk").ok().flatten().is_some()
                && request(doc, &request_id_for("finding-lamp"))
                    .ok()
                    .flatten()
                    .is_some()
        })
        .await;
    let mut doc = attacker.replica.doc(&id).unwrap().clone();
    make(&mut doc, &attacker);
    let bytes = doc.save_after(&attacker.replica.doc(&id).unwrap().get_heads());
    attacker
        .replica
        .doc_mut(&id)
        .unwrap()
        .load_incremental(&bytes)
        .unwrap();
    attacker.flush(&id).await;
    attacker.until_refused(WAIT).await;
    attacker.replica.refusal(&id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guard_cannot_change_or_shadow_anyone_elses_request() {
    let server = Server::start().await;
    let clerk = server.login("service-a").await.token;
    let guard = server.login("guard-a").await.token;
    let other_guard = server.login("guard-a2").await.token;
    let key = DocKey::request_log("demo", "A", common::today());

    // The clerk's request (with a resident) and guard-a's finding-born one.
    let mut desk = Tablet::new("service-a");
    let log = desk.hold(&key);
    let theirs = theirs_like("req-clerk");
    put_request(desk.replica.doc_mut(&log).unwrap(), &theirs).unwrap();
    desk.join(&server.ws_url(&clerk)).await;
    desk.deliver(WAIT).await.unwrap();
    let mut tablet = Tablet::new("guard-a");
    let found = finding(&tablet, "finding-lamp");
    assert_eq!(record(&mut tablet, &found), log);
    tablet.join(&server.ws_url(&guard)).await;
    tablet.deliver(WAIT).await.unwrap();

    // guard-a2 edits the clerk's request, then guard-a's; writes one in the
    // clerk's name; shadows guard-a's with an object of its own.
    let edit = |id: &str| {
        let id = id.to_owned();
        move |doc: &mut automerge::Automerge, _: &Tablet| {
            let mut edited = request(doc, &id).unwrap().unwrap();
            edited.description = "已处理，无需维修".into();
            put(doc, &edited, now()).unwrap();
        }
    };
    assert_eq!(
        attempt(&server, &other_guard, "guard-a2", &key, edit("req-clerk")).await,
        Some(RefusalReason::BadShape)
    );
    assert_eq!(
        attempt(
            &server,
            &other_guard,
            "guard-a2",
            &key,
            edit(&found.request_id)
        )
        .await,
        Some(RefusalReason::BadShape)
    );
    // The finding's own guard cannot rewrite it either: intakes are written once.
    assert_eq!(
        attempt(&server, &guard, "guard-a", &key, edit("req-clerk")).await,
        Some(RefusalReason::BadShape)
    );
    assert_eq!(
        attempt(&server, &other_guard, "guard-a2", &key, |doc, _| {
            let mut forged = theirs_like("req-forged");
            forged.received_by = "service-a".into();
            put_request(doc, &forged).unwrap();
        })
        .await,
        Some(RefusalReason::NotTheAuthor)
    );
    assert_eq!(
        attempt(&server, &other_guard, "guard-a2", &key, |doc, tablet| {
            // Made offline without seeing guard-a's: a concurrent object under its id.
            let mut offline = DocKey::request_log("demo", "A", common::today()).genesis();
            let shadow = Finding {
                guard: tablet.username.clone(),
                note: "误报".into(),
                ..finding(tablet, "finding-lamp")
            };
            let made = shadow.repair_request("A", "", "").unwrap();
            put_request(&mut offline, &made).unwrap();
            doc.merge(&mut offline).unwrap();
        })
        .await,
        Some(RefusalReason::BadShape)
    );

    // Nothing of it was stored: the clerk reads both requests as they were.
    let mut reader = Tablet::new("service-a");
    let id = reader
        .read_until(&server.ws_url(&clerk), &key, WAIT, |doc| {
            request(doc, &found.request_id).ok().flatten().is_some()
        })
        .await;
    let doc = reader.replica.doc(&id).unwrap();
    assert_eq!(
        request(doc, "req-clerk").unwrap().unwrap().description,
        theirs.description
    );
    assert_eq!(
        request(doc, &found.request_id)
            .unwrap()
            .unwrap()
            .description,
        found.note
    );
    assert!(request(doc, "req-forged").unwrap().is_none());
    assert_eq!(from_finding(&reader, &id, &found.id).len(), 1);

    // And a guard of another zone cannot write into zone A's request log at all.
    let token_b = server.login("guard-b").await.token;
    let mut intruder = Tablet::new("guard-b");
    let foreign = intruder.hold(&key);
    let stray = Finding {
        guard: "guard-b".into(),
        ..finding(&intruder, "finding-stray")
    };
    put_request(
        intruder.replica.doc_mut(&foreign).unwrap(),
        &stray.repair_request("A", "", "").unwrap(),
    )
    .unwrap();
    intruder.connect(&server.ws_url(&token_b)).await;
    intruder
        .sync_until(WAIT, |t| t.unavailable.contains(&foreign))
        .await;
    assert_eq!(
        intruder.replica.pending_total(),
        1,
        "nothing was acknowledged"
    );
}

/// A request like the clerk's, under `id`.
fn theirs_like(id: &str) -> Request {
    let mut request = roundbook_shared::fixtures::requests::intake(id, RequestKind::RepairHome);
    request.received_at = now();
    request
}

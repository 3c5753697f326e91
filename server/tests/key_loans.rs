//! The key book against a real server: the front desk's loans and returns
//! reach the service supervisor; a guard or zone service staff never
//! receive the key log; a loan due back before it was lent is refused with
//! nothing stored; a loan, once written, cannot be changed; returns are
//! receipt-stamped.

mod common;

use std::time::Duration;

use common::{Server, Tablet};
use roundbook_shared::protocol::RefusalReason;
use roundbook_shared::schema::key_loan::{KeyLoan, KeyReturn};
use roundbook_shared::schema::receipt::receipts;
use roundbook_shared::schema::{get, put, Container, DocKey, DocKind};

const WAIT: Duration = Duration::from_secs(20);

fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn log() -> DocKey {
    DocKey::key_log("demo", common::today())
}

fn loan(id: &str) -> KeyLoan {
    KeyLoan {
        id: id.into(),
        key_label: "3号楼水泵房".into(),
        borrower: "维修部 老刘".into(),
        borrower_phone: "13800000009".into(),
        purpose: "检修水泵".into(),
        lent_at: now(),
        due_back: now() + 7_200_000,
        lent_by: "frontdesk".into(),
        lent_by_name: "林晓".into(),
        device: "desk".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_book_reaches_the_desk_and_its_supervisor_only_and_refuses_bad_loans() {
    let server = Server::start().await;
    let desk_token = server.login("frontdesk").await.token;
    let mut desk = Tablet::new("frontdesk");
    let id = desk.hold(&log());
    let first = loan("kl-1");
    put(desk.replica.doc_mut(&id).unwrap(), &first, now()).unwrap();
    let back = KeyReturn {
        id: "kr-1".into(),
        loan_id: "kl-1".into(),
        returned_at: now() + 1_000,
        received_by: "frontdesk".into(),
        received_by_name: "林晓".into(),
        device: desk.device.clone(),
        note: String::new(),
    };
    put(desk.replica.doc_mut(&id).unwrap(), &back, now()).unwrap();
    desk.join(&server.ws_url(&desk_token)).await;
    desk.deliver(WAIT).await.unwrap();

    // The service supervisor reads both, the return stamped by the server.
    let lead = server.login("service-lead").await.token;
    let mut reader = Tablet::new("service-lead");
    let read = reader
        .read_until(&server.ws_url(&lead), &log(), WAIT, |doc| {
            !receipts(doc, Container::KeyReturns).unwrap().is_empty()
        })
        .await;
    let doc = reader.replica.doc(&read).unwrap();
    assert!(get::<KeyLoan>(doc, "kl-1").unwrap().is_some());

    // This build's desk is listed the key log; a build from before the
    // kind (no `?kinds=`), whose parser would refuse the whole listing, is not.
    let listed = |entries: Vec<roundbook_shared::api::DocEntry>| {
        entries.iter().any(|entry| entry.kind == DocKind::KeyLog)
    };
    assert!(listed(server.docs(&desk_token).await));
    assert!(!listed(server.docs_at(&desk_token, "/api/docs").await));

    // Guards and zone service staff never receive it.
    for user in ["guard-a", "service-a"] {
        let token = server.login(user).await.token;
        let mut asking = Tablet::new(user);
        asking
            .refused_to_read(&server.ws_url(&token), &log(), WAIT)
            .await;
    }

    // A loan due back before it was lent: refused, nothing stored.
    let mut broken = loan("kl-broken");
    broken.due_back = broken.lent_at - 1;
    let mut second = Tablet::new("frontdesk");
    let id = second
        .read_until(&server.ws_url(&desk_token), &log(), WAIT, |doc| {
            get::<KeyLoan>(doc, "kl-1").ok().flatten().is_some()
        })
        .await;
    common::write_record(second.replica.doc_mut(&id).unwrap(), "key_loans", &broken);
    second.flush(&id).await;
    assert!(second.deliver(WAIT).await.is_err());
    assert_eq!(second.replica.refusal(&id), Some(RefusalReason::BadShape));

    // A loan, once written, is not changed (its due time pushed back).
    let mut third = Tablet::new("frontdesk");
    let id = third
        .read_until(&server.ws_url(&desk_token), &log(), WAIT, |doc| {
            get::<KeyLoan>(doc, "kl-1").ok().flatten().is_some()
        })
        .await;
    let mut later = first.clone();
    later.due_back += 86_400_000;
    put(third.replica.doc_mut(&id).unwrap(), &later, now()).unwrap();
    third.flush(&id).await;
    assert!(third.deliver(WAIT).await.is_err());

    let mut check = Tablet::new("service-lead");
    let read = check
        .read_until(&server.ws_url(&lead), &log(), WAIT, |doc| {
            get::<KeyLoan>(doc, "kl-1").ok().flatten().is_some()
        })
        .await;
    let doc = check.replica.doc(&read).unwrap();
    assert!(get::<KeyLoan>(doc, "kl-broken").unwrap().is_none());
    assert_eq!(get::<KeyLoan>(doc, "kl-1").unwrap().unwrap(), first);
}

//! Cleaning months against a real server: who reaches them, and the lock
//! after both signatures, enforced for a client that talks to `/sync`
//! directly (no app in between).

mod common;

use std::time::Duration;

use common::{today, Server, Tablet};
use roundbook_shared::blob::hash_of;
use roundbook_shared::protocol::RefusalReason;
use roundbook_shared::schema::cleaning::{
    inspection_id, mark_id, marks, put_inspection, put_mark, put_signature, Inspection, Mark,
    Signature, DEFAULT_TEMPLATE_ID, KIND_ROUTINE, OUTCOME_DEDUCTED, OUTCOME_FULL, PARTY_SUPERVISOR,
    PARTY_VENDOR,
};
use roundbook_shared::schema::DocKey;

const WAIT: Duration = Duration::from_secs(20);

fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn inspection(by: &str) -> Inspection {
    Inspection {
        id: inspection_id("lobby", today()),
        area_id: "lobby".into(),
        date: today().format("%Y-%m-%d").to_string(),
        template_id: DEFAULT_TEMPLATE_ID.into(),
        kind: KIND_ROUTINE.into(),
        rectification_id: String::new(),
        started_by: by.into(),
        started_by_name: by.into(),
        device: "test".into(),
        started_at: now(),
    }
}

fn mark(item: &str, by: &str, outcome: &str, deduction: u32) -> Mark {
    let inspection = inspection_id("lobby", today());
    Mark {
        id: mark_id(&inspection, item, by),
        inspection_id: inspection,
        area_id: "lobby".into(),
        item_id: item.into(),
        by: by.into(),
        by_name: by.into(),
        device: "test".into(),
        at: now(),
        outcome: outcome.into(),
        deduction,
        reason: if deduction > 0 {
            "地面有污渍".into()
        } else {
            String::new()
        },
        photos: Vec::new(),
    }
}

fn signature(party: &str) -> Signature {
    Signature {
        party: party.into(),
        name: "刘芳".into(),
        signed_at: now(),
        by: "cleaning".into(),
        image: hash_of(party.as_bytes()),
    }
}

#[tokio::test]
async fn a_signed_off_month_refuses_every_later_change() {
    let server = Server::start().await;
    let token = server.login("cleaning").await.token;
    let key = DocKey::cleaning_month("demo", today());

    // Before the lock: inspections, marks and both signatures are stored.
    let mut tablet = Tablet::new("cleaning");
    let id = tablet.hold(&key);
    let doc = tablet.replica.doc_mut(&id).unwrap();
    put_inspection(doc, &inspection("cleaning")).unwrap();
    put_mark(
        doc,
        &mark("lobby-floor", "cleaning", OUTCOME_DEDUCTED, 2),
        6,
    )
    .unwrap();
    put_signature(doc, &signature(PARTY_SUPERVISOR)).unwrap();
    put_signature(doc, &signature(PARTY_VENDOR)).unwrap();
    tablet.join(&server.ws_url(&token)).await;
    tablet.sync_all().await;
    assert_eq!(tablet.server_error, None);

    // A second client, bypassing the app (whose helpers would refuse), writes
    // a mark straight into the locked document with Automerge and syncs it.
    let other = server.login("cleaning2").await.token;
    let mut bypass = Tablet::new("cleaning2");
    bypass
        .read_until(&server.ws_url(&other), &key, WAIT, |doc| {
            marks(doc).unwrap().len() == 1
        })
        .await;
    {
        use automerge::transaction::Transactable;
        let doc = bypass.replica.doc_mut(&id).unwrap();
        let container = match automerge::ReadDoc::get(doc, automerge::ROOT, "marks").unwrap() {
            Some((_, obj)) => obj,
            None => panic!("the genesis made the marks map"),
        };
        let mut tx = doc.transaction();
        let forged = tx
            .put_object(&container, "mark-forged", automerge::ObjType::Map)
            .unwrap();
        tx.put(&forged, "outcome", OUTCOME_FULL).unwrap();
        tx.put(&forged, "item_id", "lobby-glass").unwrap();
        tx.commit();
    }
    bypass.flush(&id).await;
    let error = bypass.until_refused(WAIT).await;
    assert!(error.contains("locked"), "{error}");
    assert!(
        error.contains(&id.to_string()),
        "names the document: {error}"
    );
    assert_eq!(
        bypass.replica.refusal(&id),
        Some(RefusalReason::MonthLocked),
        "and says why in a form a tablet can translate"
    );

    // Nothing was stored: a fresh tablet gets the month with its one mark.
    let mut fresh = Tablet::new("cleaning");
    fresh
        .read_until(
            &server.ws_url(&token),
            &key,
            WAIT,
            roundbook_shared::schema::cleaning::is_locked,
        )
        .await;
    let stored = marks(fresh.replica.doc(&id).unwrap()).unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].item_id, "lobby-floor");
}

#[tokio::test]
async fn only_cleaning_roles_reach_cleaning_documents_and_site_photos() {
    let server = Server::start().await;
    let guard = server.login("guard-a").await.token;
    let key = DocKey::cleaning_month("demo", today());
    let id = key.document_id();
    let mut tablet = Tablet::new("guard-a");
    tablet
        .refused_to_read(&server.ws_url(&guard), &key, WAIT)
        .await;

    // `_site` blobs: refused to a guard, accepted from a cleaning supervisor.
    let png = b"\x89PNG\r\n\x1a\nsignature".to_vec();
    let hash = hash_of(&png);
    let total = png.len() as u64;
    let refused = server
        .put_part(Some(&guard), "_site", &hash, 0, total, &png)
        .await;
    assert_eq!(refused.status(), 403);
    let cleaning = server.login("cleaning").await.token;
    let stored = server
        .put_part(Some(&cleaning), "_site", &hash, 0, total, &png)
        .await;
    assert_eq!(stored.status(), 200);
    let read = server
        .get(&format!("/api/blobs/_site/{hash}"), Some(&cleaning))
        .await;
    assert_eq!(read.status(), 200);
    let head = server.login("head").await.token;
    let listed = server.docs(&head).await;
    assert!(listed.iter().any(|entry| entry.document_id == id));
    assert!(!server
        .docs(&guard)
        .await
        .iter()
        .any(|entry| entry.document_id == id));
}

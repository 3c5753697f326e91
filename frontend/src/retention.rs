//! The tablet's side of retention: copies of documents past their kind's
//! keeping (the gate book's visitors and plates, 90 days after their day:
//! `roundbook_shared::retention`) leave the tablet, as they leave the
//! server, unless a change in one still waits for the server.
//!
//! Which documents are looked at: those the signed-in user's roles and zones
//! name from `wipe::WINDOW_DAYS` back (documents are stored by id, which
//! says nothing of what they are). Runs at every sign-in and restore.
//!
//! This module decides and deletes; it does not sync or show anything.

use automerge::{Automerge, ChangeHash, ReadDoc};
use chrono::NaiveDate;
use roundbook_shared::reach::{self, Around};
use roundbook_shared::retention::expired;

use crate::session::Session;
use crate::storage::{Storage, StorageError};
use crate::wipe::WINDOW_DAYS;

/// Deletes this tablet's expired copies with nothing pending; says how many.
pub async fn forget_expired(
    storage: &Storage,
    session: &Session,
    today: NaiveDate,
) -> Result<usize, StorageError> {
    let around = Around {
        days_back: WINDOW_DAYS,
        days_ahead: 0,
        periods_back: (WINDOW_DAYS / 30) as u32,
    };
    let zones: Vec<String> = session
        .zones()
        .iter()
        .map(|zone| zone.code.clone())
        .collect();
    let stored = storage.stored_documents().await?;
    let mut forgotten = 0;
    let named = reach::documents(session.site_code(), session.roles(), &zones, today, around);
    for key in named.into_iter().filter(|key| expired(key, today)) {
        let id = key.document_id().to_string();
        if !stored.contains(&id) || waiting(storage, &id).await? {
            continue;
        }
        storage.delete_document(&id).await?;
        forgotten += 1;
    }
    Ok(forgotten)
}

/// Whether the stored document `id` holds a change the server has not
/// acknowledged (or cannot be read, which keeps it too).
async fn waiting(storage: &Storage, id: &str) -> Result<bool, StorageError> {
    let bytes: Vec<u8> = storage.load_chunks(id).await?.concat();
    let Ok(doc) = Automerge::load(&bytes) else {
        return Ok(true);
    };
    let acked: Vec<ChangeHash> = storage
        .acked_heads(id)
        .await?
        .unwrap_or_default()
        .into_iter()
        .map(ChangeHash)
        .collect();
    Ok(has_unacked(&doc, &acked))
}

/// Whether `doc` holds a change that `acked` (the server's heads) does not
/// cover; the genesis, which every device builds, never counts.
fn has_unacked(doc: &Automerge, acked: &[ChangeHash]) -> bool {
    if acked
        .iter()
        .any(|hash| doc.get_change_by_hash(hash).is_none())
    {
        return true;
    }
    doc.get_changes(acked)
        .iter()
        .any(|change| change.actor_id().to_bytes() != roundbook_shared::schema::GENESIS_ACTOR)
}

#[cfg(test)]
mod tests {
    use super::*;
    use roundbook_shared::schema::gate::VisitorEntry;
    use roundbook_shared::schema::{put, DocKey};
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn only_changes_beyond_the_servers_heads_wait() {
        let day = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
        let mut doc = DocKey::gate_log("demo", day).genesis();
        assert!(!has_unacked(&doc, &[]), "a genesis alone waits for nothing");
        let visitor = VisitorEntry {
            id: "gv-1".into(),
            name: "张先生".into(),
            id_last4: String::new(),
            unit_label: "1栋101".into(),
            zone: String::new(),
            purpose: "探亲".into(),
            people: 1,
            in_at: 1_788_000_000_000,
            by: "guard-a".into(),
            by_name: "王强".into(),
            device: "gate".into(),
        };
        put(&mut doc, &visitor, visitor.in_at).unwrap();
        assert!(has_unacked(&doc, &[]));
        assert!(!has_unacked(&doc, &doc.get_heads()));
    }
}

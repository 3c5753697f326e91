//! The reports' copies of stored documents' records.
//!
//! A monthly report reads hundreds of documents, and loading and hydrating
//! each from its Automerge chunks costs some 40 µs a record: seconds for a
//! month of patrol. So a report reads a [`RecordCopy`] of each document,
//! kept in the store beside its chunks (deflated) and named by the chunks it
//! was made from. A copy whose document has changed since (a new chunk, or
//! compaction), or a missing one, is made again from the chunks.
//!
//! [`keep_up`] makes them in the background, a few minutes after documents
//! change, so even the first report over a month reads copies; a report
//! only makes the copies of what changed since the last pass.
//!
//! Copies are a cache: never synced, never acknowledged, never the only
//! place anything lives. Losing one costs a reload. Whoever removes data
//! from a document (erasure) must remove its copy too.

use std::io::{Read, Write};
use std::time::Duration;

use chrono::{Datelike, Months};
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use flate2::Compression;

use roundbook_shared::domain::local_date;
use roundbook_shared::schema::copy::RecordCopy;
use roundbook_shared::schema::{DocKey, DocKind};

use crate::hub;
use crate::state::AppState;
use crate::store::{run_blocking, ChunkSeq, Store, StoreError};

/// How often [`keep_up`] looks for documents whose copies are behind.
pub const KEEP_UP_EVERY: Duration = Duration::from_secs(5 * 60);

/// The records of `key`'s document as stored now; `None` if nothing is
/// stored (or what is stored does not load, which `load_stored` logs).
pub fn current(store: &dyn Store, key: &DocKey) -> Result<Option<RecordCopy>, StoreError> {
    let id = key.document_id();
    let chunks = store.chunk_seqs(&id)?;
    if chunks.is_empty() {
        return Ok(None);
    }
    if let Some(copy) = store
        .record_copy(&id, &chunks)?
        .and_then(|kept| unpack(&kept))
    {
        return Ok(Some(copy));
    }
    make(store, key, &chunks)
}

/// Makes `key`'s copy if the kept one is behind its chunks (or missing),
/// without reading a copy that is up to date.
fn bring_up_to_date(store: &dyn Store, key: &DocKey) -> Result<(), StoreError> {
    let id = key.document_id();
    let chunks = store.chunk_seqs(&id)?;
    if chunks.is_empty() || store.record_copy(&id, &chunks)?.is_some() {
        return Ok(());
    }
    make(store, key, &chunks).map(drop)
}

/// Makes and keeps the copy of `key`'s document, named by `chunks`.
fn make(
    store: &dyn Store,
    key: &DocKey,
    chunks: &[ChunkSeq],
) -> Result<Option<RecordCopy>, StoreError> {
    // Loaded after `chunks` was read, the document holds at least what
    // they do; if it holds more, the next reader finds the names differ
    // and makes the copy again. A copy never stands for less than its name.
    let mut unreadable = 0;
    let Some(doc) = hub::load_stored(store, key, &mut unreadable)? else {
        return Ok(None);
    };
    let copy = RecordCopy::of(&doc);
    let id = key.document_id();
    if let Err(error) = store.put_record_copy(&id, chunks, &pack(&copy)) {
        tracing::warn!(id = %id, %error, "a record copy was not kept");
    }
    Ok(Some(copy))
}

/// Every `every`, brings up to date the copies of every site's documents
/// of this month and the last (and of the directories), one document at a
/// time, each in one of the reports' slots so reports are not held up for
/// long. Today's patrol logs are left to the reports that read them: they
/// change all day.
pub fn keep_up(app: AppState, every: Duration) {
    tokio::spawn(async move {
        // Not at start: a server starting (or restarting) has enough to do.
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if let Err(error) = keep_up_once(&app).await {
                tracing::warn!(%error, "record copies were not brought up to date");
            }
        }
    });
}

/// One pass of [`keep_up`]: how many documents it read.
pub async fn keep_up_once(app: &AppState) -> Result<usize, StoreError> {
    let today = local_date(chrono::Utc::now().timestamp_millis());
    let since = today
        .checked_sub_months(Months::new(1))
        .and_then(|day| day.with_day0(0))
        .unwrap_or(today);
    let store = app.store.clone();
    let keys = run_blocking(move || {
        let mut keys = Vec::new();
        for site in store.site_codes()? {
            keys.extend(store.documents(&site, since, since)?);
        }
        Ok(keys)
    })
    .await?;
    let mut read = 0;
    for key in keys {
        let changing = key.kind == DocKind::PatrolLog && key.date == Some(today);
        if changing {
            continue;
        }
        let Ok(_slot) = app.reports.clone().acquire_owned().await else {
            break;
        };
        let store = app.store.clone();
        run_blocking(move || bring_up_to_date(store.as_ref(), &key)).await?;
        read += 1;
    }
    Ok(read)
}

fn pack(copy: &RecordCopy) -> Vec<u8> {
    let mut deflated = DeflateEncoder::new(Vec::new(), Compression::fast());
    deflated
        .write_all(&copy.to_bytes())
        .and_then(|()| deflated.finish())
        .expect("deflating into memory does not fail")
}

/// A kept copy; `None` (made again) if it does not read.
fn unpack(kept: &[u8]) -> Option<RecordCopy> {
    let mut bytes = Vec::new();
    DeflateDecoder::new(kept).read_to_end(&mut bytes).ok()?;
    RecordCopy::from_bytes(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::SqliteStore;
    use roundbook_shared::fixtures::requests::intake;
    use roundbook_shared::schema::request::{put_request, requests, RequestKind};

    fn store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("copies.sqlite3")).unwrap();
        store.migrate().unwrap();
        (dir, store)
    }

    /// Zone A's request log of November 2026 with one request, stored.
    fn stored_log(store: &SqliteStore) -> (DocKey, automerge::Automerge) {
        let key = DocKey::request_log(
            "s",
            "A",
            chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        );
        let mut doc = key.genesis();
        put_request(&mut doc, &intake("req-1", RequestKind::Complaint)).unwrap();
        let id = key.document_id();
        store.register_document(&id, &key).unwrap();
        store.add_snapshot(&id, &doc.save()).unwrap();
        (key, doc)
    }

    #[test]
    fn a_copy_is_made_once_and_again_when_its_document_changes() {
        let (_dir, store) = store();
        let never = DocKey::request_log(
            "s",
            "B",
            chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        );
        assert!(current(&store, &never).unwrap().is_none(), "nothing stored");

        let (key, mut doc) = stored_log(&store);
        let id = key.document_id();
        let first = current(&store, &key).unwrap().unwrap();
        assert_eq!(requests(&first).unwrap().len(), 1);
        let chunks = store.chunk_seqs(&id).unwrap();
        assert!(store.record_copy(&id, &chunks).unwrap().is_some(), "kept");

        let before = doc.get_heads();
        put_request(&mut doc, &intake("req-2", RequestKind::Complaint)).unwrap();
        store.append_chunk(&id, &doc.save_after(&before)).unwrap();
        assert!(
            store
                .record_copy(&id, &store.chunk_seqs(&id).unwrap())
                .unwrap()
                .is_none(),
            "the kept copy is behind"
        );
        let second = current(&store, &key).unwrap().unwrap();
        assert_eq!(requests(&second).unwrap().len(), 2, "made again");
    }

    #[test]
    fn a_kept_copy_that_does_not_read_is_made_again() {
        let (_dir, store) = store();
        let (key, _) = stored_log(&store);
        let id = key.document_id();
        let chunks = store.chunk_seqs(&id).unwrap();
        store.put_record_copy(&id, &chunks, b"not deflate").unwrap();
        let copy = current(&store, &key).unwrap().unwrap();
        assert_eq!(requests(&copy).unwrap().len(), 1);
    }

    #[tokio::test]
    async fn the_background_pass_copies_this_and_last_months_documents_but_not_todays_patrol() {
        use roundbook_shared::domain::{SiteInfo, ZoneRef};
        let (_dir, store) = store();
        let site = SiteInfo {
            code: "s".into(),
            name: "小区".into(),
            timezone: "Asia/Shanghai".into(),
        };
        let zone = ZoneRef {
            code: "A".into(),
            name: "A区".into(),
        };
        assert!(store.create_site(&site, &[zone]).unwrap());
        let today = local_date(chrono::Utc::now().timestamp_millis());
        let last_month = today.checked_sub_months(Months::new(1)).unwrap();
        let keys = [
            DocKey::request_log("s", "A", last_month.with_day0(0).unwrap()),
            DocKey::patrol_log("s", "A", today),
            DocKey::patrol_log("s", "A", today.pred_opt().unwrap()),
        ];
        for key in &keys {
            let id = key.document_id();
            store.register_document(&id, key).unwrap();
            store.add_snapshot(&id, &key.genesis().save()).unwrap();
        }
        let app = AppState::new(std::sync::Arc::new(store), crate::limits::Limits::default());

        assert_eq!(keep_up_once(&app).await.unwrap(), 2);
        let kept = |key: &DocKey| {
            let id = key.document_id();
            let chunks = app.store.chunk_seqs(&id).unwrap();
            app.store.record_copy(&id, &chunks).unwrap().is_some()
        };
        assert!(kept(&keys[0]) && kept(&keys[2]));
        assert!(!kept(&keys[1]), "today's patrol log changes all day");
    }
}

//! Patrol on the tablet: checking a typed checkpoint code against the zone
//! directory, recording a scan durably, and reading a day's scans for display.
//!
//! The rules for what a scan is live in `roundbook_shared::schema::patrol`;
//! this module only applies them to the tablet's documents. It must not talk
//! to the network (the caller hands the change to [`crate::sync`]) and must not
//! render anything.

use std::collections::HashMap;
use std::rc::Rc;

use chrono::NaiveDate;
use roundbook_shared::domain::local_date;
use roundbook_shared::ids::DocumentId;
use roundbook_shared::schema::directory::{self, Checkpoint};
use roundbook_shared::schema::patrol::{self, Scan, METHOD_TYPED};
use roundbook_shared::schema::DocKey;

use crate::calendar::clock_time;
use crate::documents::{EditError, Library};

/// Why a scan was not recorded.
#[derive(Debug, Clone)]
pub enum ScanError {
    /// Nothing was typed.
    EmptyCode,
    /// The zone has no checkpoint with this code.
    UnknownCheckpoint,
    /// The zone directory has no checkpoints on this tablet yet.
    NoCheckpoints,
    /// Storage refused the write, or the document is not held.
    NotSaved(String),
}

/// One scan as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanRow {
    pub id: String,
    pub zone: String,
    /// Site-local `HH:MM`.
    pub time: String,
    pub scanned_at: i64,
    pub checkpoint_code: String,
    pub checkpoint_name: String,
    /// The guard's name as recorded with the scan.
    pub guard: String,
}

/// The zone's checkpoints held on this tablet, ordered by code.
pub fn checkpoints(library: &Library, site: &str, zone: &str) -> Vec<Checkpoint> {
    library
        .with_doc(&DocKey::zone_directory(site, zone), |doc| {
            directory::checkpoints(doc).unwrap_or_default()
        })
        .unwrap_or_default()
}

/// A zone's scans of one day, newest first, with checkpoint names.
pub fn scans(library: &Library, site: &str, zone: &str, date: NaiveDate) -> Vec<ScanRow> {
    let names: HashMap<String, String> = checkpoints(library, site, zone)
        .into_iter()
        .map(|checkpoint| (checkpoint.id, checkpoint.name))
        .collect();
    let list = library
        .with_doc(&DocKey::patrol_log(site, zone, date), |doc| {
            patrol::scans(doc).unwrap_or_default()
        })
        .unwrap_or_default();
    list.into_iter()
        .map(|scan| ScanRow {
            time: clock_time(scan.scanned_at),
            checkpoint_name: names.get(&scan.checkpoint_id).cloned().unwrap_or_default(),
            id: scan.id,
            zone: zone.to_owned(),
            scanned_at: scan.scanned_at,
            checkpoint_code: scan.checkpoint_code,
            guard: scan.guard_name,
        })
        .collect()
}

/// Who is scanning, on which tablet.
#[derive(Debug, Clone)]
pub struct Scanner {
    pub site: String,
    pub guard: String,
    pub guard_name: String,
    pub device: String,
}

/// Checks `code` against the zone's checkpoints and records a scan at
/// `now_ms`. Returns once the scan is stored in IndexedDB, with the document
/// to sync and the checkpoint scanned. An unknown code records nothing.
pub async fn record_scan(
    library: &Rc<Library>,
    scanner: &Scanner,
    zone: &str,
    code: &str,
    now_ms: i64,
) -> Result<(DocumentId, Checkpoint), ScanError> {
    let code = code.trim();
    if code.is_empty() {
        return Err(ScanError::EmptyCode);
    }
    let known = checkpoints(library, &scanner.site, zone);
    if known.is_empty() {
        return Err(ScanError::NoCheckpoints);
    }
    let checkpoint = known
        .into_iter()
        .find(|checkpoint| checkpoint.code.eq_ignore_ascii_case(code))
        .ok_or(ScanError::UnknownCheckpoint)?;
    let key = DocKey::patrol_log(&scanner.site, zone, local_date(now_ms));
    let id = key.document_id();
    // A scan just after midnight opens the new day's document.
    library
        .add(key)
        .await
        .map_err(|error| ScanError::NotSaved(error.to_string()))?;
    let scan = Scan {
        id: uuid::Uuid::new_v4().simple().to_string(),
        // Rounds replace this free scan in the patrol rework.
        round_id: "free".into(),
        checkpoint_id: checkpoint.id.clone(),
        checkpoint_code: checkpoint.code.clone(),
        guard: scanner.guard.clone(),
        guard_name: scanner.guard_name.clone(),
        device: scanner.device.clone(),
        scanned_at: now_ms,
        method: METHOD_TYPED.into(),
    };
    library
        .edit(id, |doc| {
            patrol::record_scan(doc, &scan).map_err(|error| EditError::Invalid(error.to_string()))
        })
        .await
        .map_err(|error| ScanError::NotSaved(error.to_string()))?;
    Ok((id, checkpoint))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::Storage;
    use roundbook_shared::schema::directory::put_checkpoint;
    use wasm_bindgen_test::wasm_bindgen_test;

    async fn library_with_checkpoints() -> Rc<Library> {
        let name = format!("roundbook-test-patrol-{}", uuid::Uuid::new_v4().simple());
        let library = Library::new(Storage::open_named(&name).await.unwrap(), "t".into());
        let key = DocKey::zone_directory("demo", "A");
        let id = library.add(key).await.unwrap().unwrap();
        library
            .edit(id, |doc| {
                let checkpoint = Checkpoint {
                    id: "cp-a-01".into(),
                    code: "A-01".into(),
                    name: "正门岗亭".into(),
                    location: "东侧".into(),
                    retired: false,
                };
                put_checkpoint(doc, &checkpoint, 1).map_err(|e| EditError::Invalid(e.to_string()))
            })
            .await
            .unwrap();
        library
    }

    fn scanner() -> Scanner {
        Scanner {
            site: "demo".into(),
            guard: "guard-a".into(),
            guard_name: "王强".into(),
            device: "tablet-1".into(),
        }
    }

    #[wasm_bindgen_test]
    async fn records_known_codes_and_refuses_unknown_ones() {
        let library = library_with_checkpoints().await;
        // 2026-11-22T16:30Z is 00:30 on the 23rd in Shanghai.
        let now = 1_795_365_000_000;
        let date = local_date(now);

        let unknown = record_scan(&library, &scanner(), "A", "A-99", now).await;
        assert!(matches!(unknown, Err(ScanError::UnknownCheckpoint)));
        assert!(matches!(
            record_scan(&library, &scanner(), "A", "  ", now).await,
            Err(ScanError::EmptyCode)
        ));
        assert!(matches!(
            record_scan(&library, &scanner(), "B", "B-01", now).await,
            Err(ScanError::NoCheckpoints)
        ));
        assert!(scans(&library, "demo", "A", date).is_empty());

        let (_, checkpoint) = record_scan(&library, &scanner(), "A", " a-01 ", now)
            .await
            .unwrap();
        assert_eq!(checkpoint.code, "A-01");
        let list = scans(&library, "demo", "A", date);
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].checkpoint_name, "正门岗亭");
        assert_eq!(list[0].guard, "王强");
        assert_eq!(list[0].time, clock_time(now));
    }
}

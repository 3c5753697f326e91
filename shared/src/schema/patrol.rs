//! Checkpoint scans: the proof that a guard was at a checkpoint on a round.
//!
//! The patrol log document (one per zone and site-local day) also holds
//! shifts, rounds and findings. Scans are only ever added, keyed by a random
//! id, so scans made on several tablets offline merge as their union. A scan
//! is stored in the patrol log of its round's day.

use automerge::Automerge;
use serde::{Deserialize, Serialize};

use super::record::ReadRecords;
use super::round::Round;
use super::{check_author, check_id, check_text, list, put, Container, Record, SchemaError};

/// Name of the root map holding scans by id.
pub const SCANS: &str = Container::Scans.name();

/// How a checkpoint was identified.
pub const METHOD_TYPED: &str = "typed";
pub const METHOD_CAMERA: &str = "camera";

/// One checkpoint scan by a guard.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Scan {
    pub id: String,
    /// The round it belongs to.
    pub round_id: String,
    pub checkpoint_id: String,
    /// The checkpoint's code at the time of the scan, kept for reports.
    pub checkpoint_code: String,
    /// Username of the guard.
    pub guard: String,
    /// The guard's name as shown to people, kept with the scan for reports.
    pub guard_name: String,
    /// The tablet that recorded it.
    pub device: String,
    /// The tablet's clock at the scan, Unix milliseconds.
    pub scanned_at: i64,
    /// [`METHOD_TYPED`] or [`METHOD_CAMERA`].
    pub method: String,
}

impl Record for Scan {
    const CONTAINER: Container = Container::Scans;

    const MADE_AT: Option<&'static str> = Some("scanned_at");
    const AUTHOR: Option<&'static str> = Some("guard");

    fn id(&self) -> &str {
        &self.id
    }

    fn validate(&self) -> Result<(), SchemaError> {
        check_id("scan", &self.id)?;
        check_id("round", &self.round_id)?;
        check_id("checkpoint", &self.checkpoint_id)?;
        check_text("checkpoint code", &self.checkpoint_code, true, 32)?;
        check_author("guard", &self.guard, &self.guard_name, &self.device)?;
        if ![METHOD_TYPED, METHOD_CAMERA].contains(&self.method.as_str()) {
            return Err(SchemaError::Invalid(format!(
                "scan method {:?}",
                self.method
            )));
        }
        if self.scanned_at <= 0 {
            return Err(SchemaError::Invalid("scan time".into()));
        }
        Ok(())
    }

    /// Newest first.
    fn order(a: &Self, b: &Self) -> std::cmp::Ordering {
        b.scanned_at
            .cmp(&a.scanned_at)
            .then_with(|| a.id.cmp(&b.id))
    }
}

/// Every well-formed scan of the day, newest first.
pub fn scans(doc: &impl ReadRecords) -> Result<Vec<Scan>, SchemaError> {
    list(doc)
}

/// The scans of one round, earliest first.
pub fn scans_of_round(doc: &Automerge, round_id: &str) -> Result<Vec<Scan>, SchemaError> {
    let mut of_round: Vec<Scan> = scans(doc)?
        .into_iter()
        .filter(|scan| scan.round_id == round_id)
        .collect();
    of_round.reverse();
    Ok(of_round)
}

/// Why a scan on a round is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanRefusal {
    #[error("the checkpoint is not on this round")]
    NotOnRound,
    #[error("the checkpoint was already scanned on this round")]
    AlreadyScanned,
    #[error("the round has ended")]
    RoundEnded,
}

/// Checks a scan of `checkpoint_id` against its round and the round's scans so far.
pub fn check_round_scan(
    round: &Round,
    scans_so_far: &[Scan],
    checkpoint_id: &str,
) -> Result<(), ScanRefusal> {
    if round.ended_at.is_some() {
        Err(ScanRefusal::RoundEnded)
    } else if !round.checkpoints.contains(checkpoint_id) {
        Err(ScanRefusal::NotOnRound)
    } else if scans_so_far
        .iter()
        .any(|scan| scan.round_id == round.id && scan.checkpoint_id == checkpoint_id)
    {
        Err(ScanRefusal::AlreadyScanned)
    } else {
        Ok(())
    }
}

/// Records one scan as one change. The caller checks it with
/// [`check_round_scan`] and stores the document before telling the guard it
/// is saved.
pub fn record_scan(doc: &mut Automerge, scan: &Scan) -> Result<(), SchemaError> {
    put(doc, scan, scan.scanned_at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::patrol::{round, scan};
    use crate::schema::DocKey;
    use chrono::NaiveDate;

    fn key() -> DocKey {
        DocKey::patrol_log("demo", "A", NaiveDate::from_ymd_opt(2026, 11, 23).unwrap())
    }

    #[test]
    fn refuses_scans_off_the_round_twice_or_after_its_end() {
        let mut round = round("r-1", 1_000, &["cp1", "cp2"]);
        let done = [scan("s1", 1_000)];
        assert_eq!(check_round_scan(&round, &done, "cp2"), Ok(()));
        assert_eq!(
            check_round_scan(&round, &done, "cp1"),
            Err(ScanRefusal::AlreadyScanned)
        );
        assert_eq!(
            check_round_scan(&round, &done, "cp9"),
            Err(ScanRefusal::NotOnRound)
        );
        round.ended_at = Some(2_000);
        assert_eq!(
            check_round_scan(&round, &done, "cp2"),
            Err(ScanRefusal::RoundEnded)
        );
    }

    #[test]
    fn lists_scans_newest_first() {
        let mut doc = key().genesis();
        record_scan(&mut doc, &scan("s1", 1_000)).unwrap();
        record_scan(&mut doc, &scan("s2", 2_000)).unwrap();
        let ids: Vec<_> = scans(&doc).unwrap().into_iter().map(|s| s.id).collect();
        assert_eq!(ids, ["s2", "s1"]);
    }

    #[test]
    fn refuses_invalid_scans_without_changing_the_document() {
        let mut doc = key().genesis();
        let heads = doc.get_heads();
        let mut bad = scan("s1", 1_000);
        bad.method = "guess".into();
        assert!(record_scan(&mut doc, &bad).is_err());
        assert!(record_scan(&mut doc, &scan("", 1_000)).is_err());
        assert!(record_scan(&mut doc, &scan("s1", 0)).is_err());
        assert_eq!(doc.get_heads(), heads);
    }

    #[test]
    fn skips_malformed_records_written_by_other_peers() {
        use automerge::transaction::Transactable;
        let mut doc = key().genesis();
        record_scan(&mut doc, &scan("s1", 1_000)).unwrap();
        let (_, map) = automerge::ReadDoc::get(&doc, automerge::ROOT, SCANS)
            .unwrap()
            .unwrap();
        let mut tx = doc.transaction();
        tx.put(&map, "junk", 42).unwrap();
        tx.commit();
        assert_eq!(scans(&doc).unwrap().len(), 1);
    }

    #[test]
    fn two_tablets_creating_the_day_offline_keep_both_scans() {
        // Neither tablet has seen the other's document: both build it from genesis.
        let mut first = key().genesis();
        let mut second = key().genesis();
        record_scan(&mut first, &scan("s1", 1_000)).unwrap();
        record_scan(&mut second, &scan("s2", 2_000)).unwrap();
        first.merge(&mut second).unwrap();
        second.merge(&mut first.clone()).unwrap();
        assert_eq!(scans(&first).unwrap().len(), 2);
        assert_eq!(scans(&first).unwrap(), scans(&second).unwrap());
    }
}

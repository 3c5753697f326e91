//! A zone's patrol records gathered from its documents: the directory
//! (checkpoints, routes, schedules) and the patrol logs of a few days, as
//! the input of round evaluation ([`crate::compliance`]), of the tablet's
//! patrol screens and of the server's patrol report. One gathering for both
//! sides, so they read the same records the same way.
//!
//! It only reads. A malformed record (written by a buggy or hostile peer)
//! is skipped and counted, never fatal; which documents to read, and from
//! where, is the caller's business.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};

use crate::compliance::PatrolRecords;
use crate::schema::directory::{self, Checkpoint};
use crate::schema::finding::{self, Finding};
use crate::schema::patrol::{self, Scan};
use crate::schema::receipt::{self, Receipt};
use crate::schema::record::ReadRecords;
use crate::schema::round::{self, Round};
use crate::schema::route::{self, Route};
use crate::schema::schedule::{self, Schedule};
use crate::schema::shift::{self, Shift};
use crate::schema::{Container, Record, SchemaError};

/// Everything about one zone's patrols over a few days.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ZoneRecords {
    pub zone: String,
    pub checkpoints: Vec<Checkpoint>,
    pub routes: Vec<Route>,
    pub schedules: Vec<Schedule>,
    pub shifts: Vec<Shift>,
    pub rounds: Vec<Round>,
    pub scans: Vec<Scan>,
    pub findings: Vec<Finding>,
    /// Server receipts of scans and findings, by record id.
    pub receipts: HashMap<String, Receipt>,
}

/// The day before, the day and the day after: what evaluating `date` reads.
pub fn days_around(date: NaiveDate) -> [NaiveDate; 3] {
    [date - Duration::days(1), date, date + Duration::days(1)]
}

impl ZoneRecords {
    pub fn new(zone: &str) -> ZoneRecords {
        ZoneRecords {
            zone: zone.to_owned(),
            ..ZoneRecords::default()
        }
    }

    /// Adds the zone directory's records; returns how many were malformed.
    pub fn add_directory(&mut self, doc: &impl ReadRecords) -> usize {
        let mut malformed = 0;
        self.checkpoints = read(doc, directory::checkpoints, &mut malformed);
        self.routes = read(doc, route::routes, &mut malformed);
        self.schedules = read(doc, schedule::schedules, &mut malformed);
        malformed
    }

    /// Adds one day's patrol log; returns how many records were malformed.
    pub fn add_day(&mut self, doc: &impl ReadRecords) -> usize {
        let mut malformed = 0;
        self.shifts.extend(read(doc, shift::shifts, &mut malformed));
        self.rounds.extend(read(doc, round::rounds, &mut malformed));
        self.scans.extend(read(doc, patrol::scans, &mut malformed));
        self.findings
            .extend(read(doc, finding::findings, &mut malformed));
        for container in [Container::Scans, Container::Findings] {
            self.receipts
                .extend(receipt::receipts(doc, container).unwrap_or_default());
        }
        malformed
    }

    /// The view round evaluation takes.
    pub fn patrol_records(&self) -> PatrolRecords<'_> {
        PatrolRecords {
            routes: &self.routes,
            schedules: &self.schedules,
            rounds: &self.rounds,
            scans: &self.scans,
            findings: &self.findings,
        }
    }

    pub fn checkpoint(&self, id: &str) -> Option<&Checkpoint> {
        self.checkpoints
            .iter()
            .find(|checkpoint| checkpoint.id == id)
    }
}

/// Reads one container's records, counting those the reader skipped; a
/// container that is missing or not a map counts as one.
fn read<T: Record, D: ReadRecords>(
    doc: &D,
    reader: impl Fn(&D) -> Result<Vec<T>, SchemaError>,
    malformed: &mut usize,
) -> Vec<T> {
    let held = doc.held(T::CONTAINER);
    match reader(doc) {
        Ok(records) => {
            *malformed += held.saturating_sub(records.len());
            records
        }
        Err(_) => {
            *malformed += held.max(1);
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::patrol::scan;
    use crate::schema::patrol::record_scan;
    use crate::schema::DocKey;
    use automerge::transaction::Transactable;
    use automerge::{ObjType, ReadDoc, ROOT};

    #[test]
    fn malformed_records_are_skipped_and_counted() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let mut log = DocKey::patrol_log("demo", "A", day).genesis();
        record_scan(&mut log, &scan("s1", 1_795_399_200_000)).unwrap();
        let (_, scans) = log.get(ROOT, patrol::SCANS).unwrap().unwrap();
        let mut tx = log.transaction();
        let broken = tx.put_object(&scans, "broken", ObjType::Map).unwrap();
        tx.put(&broken, "id", "broken").unwrap();
        tx.commit();

        let mut records = ZoneRecords::new("A");
        assert_eq!(records.add_day(&log), 1);
        assert_eq!(records.scans.len(), 1);
        assert_eq!(
            records.add_directory(&DocKey::zone_directory("demo", "A").genesis()),
            0
        );
        assert_eq!(days_around(day)[0], day - Duration::days(1));
    }
}

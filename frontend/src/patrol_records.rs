//! A zone's patrol records gathered from the documents this tablet holds:
//! the directory (checkpoints, routes, schedules) and the patrol logs of
//! several days, as the input of round evaluation
//! ([`roundbook_shared::compliance`]) and of the patrol screens.
//!
//! It only reads. Days the tablet does not hold simply contribute nothing.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use roundbook_shared::compliance::PatrolRecords;
use roundbook_shared::schema::directory::{self, Checkpoint};
use roundbook_shared::schema::finding::{self, Finding};
use roundbook_shared::schema::patrol::{self, Scan};
use roundbook_shared::schema::receipt::{self, Receipt};
use roundbook_shared::schema::round::{self, Round};
use roundbook_shared::schema::route::{self, Route};
use roundbook_shared::schema::schedule::{self, Schedule};
use roundbook_shared::schema::shift::{self, Shift};
use roundbook_shared::schema::DocKey;

use crate::documents::Library;

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
    /// Reads the zone's directory and its patrol logs of `dates`.
    pub fn gather(library: &Library, site: &str, zone: &str, dates: &[NaiveDate]) -> ZoneRecords {
        let mut records = ZoneRecords {
            zone: zone.to_owned(),
            ..ZoneRecords::default()
        };
        library.with_doc(&DocKey::zone_directory(site, zone), |doc| {
            records.checkpoints = directory::checkpoints(doc).unwrap_or_default();
            records.routes = route::routes(doc).unwrap_or_default();
            records.schedules = schedule::schedules(doc).unwrap_or_default();
        });
        for date in dates {
            library.with_doc(&DocKey::patrol_log(site, zone, *date), |doc| {
                records
                    .shifts
                    .extend(shift::shifts(doc).unwrap_or_default());
                records
                    .rounds
                    .extend(round::rounds(doc).unwrap_or_default());
                records.scans.extend(patrol::scans(doc).unwrap_or_default());
                records
                    .findings
                    .extend(finding::findings(doc).unwrap_or_default());
                for container in [patrol::SCANS, finding::FINDINGS] {
                    records
                        .receipts
                        .extend(receipt::receipts(doc, container).unwrap_or_default());
                }
            });
        }
        records
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

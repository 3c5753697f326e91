//! The office head's monthly reports (complaints and requests, repair
//! callbacks, visits, patrol compliance, cleaning), computed from the synced
//! documents by the same functions on the server and on the tablet.
//!
//! A report is built in two steps, so either side can supply the documents
//! its own way: [`needs`] lists the documents a report reads for a
//! [`Scope`], and [`build`] reads each through [`Documents`] and returns a
//! [`Report`]: sections of tables and charts ([`table`]), which the tablet
//! draws and prints and [`table::csv`] exports. Each report's figures live in
//! its own module and are tested there on hand-built documents.
//!
//! Nothing here decides who may read a report beyond naming its readers
//! ([`ReportKind::readers`]): the server enforces it, the tablet hides the
//! screen.

pub mod callbacks;
pub mod cleaning;
pub mod complaints;
pub mod due;
pub mod duty;
pub mod gate;
pub mod keys;
pub mod month;
pub mod patrol;
mod requests;
pub mod table;
pub mod visits;

use automerge::Automerge;
use serde::{Deserialize, Serialize};

use crate::domain::{Role, ZoneRef};
use crate::schema::copy::RecordSource;
use crate::schema::DocKey;

pub use month::Month;
pub use table::{Cell, Chart, Point, Section, Table};

/// The reports, as named in `GET /api/reports/{kind}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportKind {
    /// 客户投诉工作月报: due the last day of the month.
    Complaints,
    /// 维修回访汇总: due the 2nd of the next month.
    RepairCallbacks,
    /// 走访汇总: due the 5th of the next month.
    Visits,
    Patrol,
    /// The vendor's score sheet: due the 5th of the next month.
    Cleaning,
    /// 前台月报: the front desk's key book of the month.
    FrontDesk,
}

impl ReportKind {
    pub const ALL: [ReportKind; 6] = [
        ReportKind::Complaints,
        ReportKind::RepairCallbacks,
        ReportKind::Visits,
        ReportKind::Patrol,
        ReportKind::Cleaning,
        ReportKind::FrontDesk,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Complaints => "complaints",
            ReportKind::RepairCallbacks => "repair-callbacks",
            ReportKind::Visits => "visits",
            ReportKind::Patrol => "patrol",
            ReportKind::Cleaning => "cleaning",
            ReportKind::FrontDesk => "front-desk",
        }
    }

    pub fn parse(text: &str) -> Option<ReportKind> {
        ReportKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }

    /// The report's title: a [`table::Label`].
    pub fn title(self) -> &'static str {
        match self {
            ReportKind::Complaints => "title_complaints",
            ReportKind::RepairCallbacks => "title_repair_callbacks",
            ReportKind::Visits => "title_visits",
            ReportKind::Patrol => "title_patrol",
            ReportKind::Cleaning => "title_cleaning",
            ReportKind::FrontDesk => "title_front_desk",
        }
    }

    /// Who reads the report: the heads, and each department's supervisor its
    /// own department's (the squad leader the patrol's). Zone service staff
    /// read their own zones' service reports, the front desk its own.
    /// Guards, cleaners and repair staff read none.
    pub fn readers(self) -> &'static [Role] {
        const HEADS: [Role; 2] = [Role::OfficeHead, Role::DeputyHead];
        match self {
            ReportKind::Complaints | ReportKind::Visits => &[
                HEADS[0],
                HEADS[1],
                Role::ServiceSupervisor,
                Role::ZoneService,
            ],
            ReportKind::RepairCallbacks => &[
                HEADS[0],
                HEADS[1],
                Role::ServiceSupervisor,
                Role::ZoneService,
                Role::EngineeringSupervisor,
            ],
            ReportKind::Patrol => &[
                HEADS[0],
                HEADS[1],
                Role::SecuritySupervisor,
                Role::SquadLeader,
            ],
            ReportKind::Cleaning => &[
                HEADS[0],
                HEADS[1],
                Role::EnvironmentSupervisor,
                Role::CleaningSupervisor,
            ],
            ReportKind::FrontDesk => {
                &[HEADS[0], HEADS[1], Role::ServiceSupervisor, Role::FrontDesk]
            }
        }
    }

    pub fn readable_by(self, roles: &[Role]) -> bool {
        roles.iter().any(|role| self.readers().contains(role))
    }

    /// Whether the head signs the report off in Roundbook
    /// (`schema::report_signoff`); the cleaning score sheet is signed by
    /// both parties on the sheet, and the front desk's month is a count the
    /// head reads, not a report the office owes.
    pub fn signed_off(self) -> bool {
        !matches!(self, ReportKind::Cleaning | ReportKind::FrontDesk)
    }

    /// Whether the report is of zones (it can be asked for one zone); the
    /// cleaning score sheet is the whole site's.
    pub fn by_zone(self) -> bool {
        !matches!(self, ReportKind::Cleaning | ReportKind::FrontDesk)
    }
}

/// What a report covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub site: String,
    pub month: Month,
    /// The zones reported on: the one asked for, or every zone the reader
    /// may see. Reports show them in this order.
    pub zones: Vec<ZoneRef>,
    /// When the report is made (unix ms): a month still in progress is
    /// reported up to now, and ages of open requests are counted to the
    /// month's end or now, whichever is first.
    pub now: i64,
    /// The usernames of the office head and deputies, whose own household
    /// visits the visits report counts: visits record their author, not
    /// the author's roles, so whoever knows the accounts says.
    pub heads: Vec<String>,
}

impl Scope {
    /// The instant the month's figures stop at: its end, or now if earlier.
    pub fn cutoff(&self) -> i64 {
        self.month.end().min(self.now)
    }

    pub fn zone_name<'a>(&'a self, code: &'a str) -> &'a str {
        self.zones
            .iter()
            .find(|zone| zone.code == code)
            .map_or(code, |zone| zone.name.as_str())
    }
}

/// A finished report, as the server sends it and the tablet shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub kind: ReportKind,
    pub month: Month,
    /// The one zone asked for; `None` for every zone in scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<ZoneRef>,
    pub made_at: i64,
    /// Documents the report reads that were not available (the tablet does
    /// not hold them): its figures are then incomplete.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    pub sections: Vec<Section>,
}

impl Report {
    /// The report as a CSV file for Excel: its file name and its text
    /// ([`table::csv`]), worded by `translate`. The server's download and the
    /// tablet's are the same bytes.
    pub fn csv_file(&self, translate: &dyn Fn(&str) -> String) -> (String, String) {
        let zone = self
            .zone
            .as_ref()
            .map_or_else(|| translate("whole_site"), |zone| zone.name.clone());
        let month = self.month.to_string();
        let heading = table::CsvHeading {
            report: self.kind.title(),
            month: &month,
            zone: &zone,
        };
        let text = table::csv(&heading, &self.sections, translate);
        let name = match &self.zone {
            Some(zone) => format!("roundbook-{}-{month}-{}.csv", self.kind.as_str(), zone.code),
            None => format!("roundbook-{}-{month}.csv", self.kind.as_str()),
        };
        (name, text)
    }
}

/// Where a report reads its documents: the server's store, or the tablet's.
pub trait Documents {
    /// Calls `read` with the records of `key`'s document if it is available
    /// (the document, or the server's copy of it), and says whether it was.
    /// A document nobody has written is "available" and empty for the
    /// server, which holds every document there is.
    fn with(&mut self, key: &DocKey, read: &mut dyn FnMut(&RecordSource)) -> bool;
}

/// The documents `kind` reads for `scope`.
pub fn needs(kind: ReportKind, scope: &Scope) -> Vec<DocKey> {
    match kind {
        ReportKind::Complaints => complaints::needs(scope),
        ReportKind::RepairCallbacks => callbacks::needs(scope),
        ReportKind::Visits => visits::needs(scope),
        ReportKind::Patrol => patrol::needs(scope),
        ReportKind::Cleaning => cleaning::needs(scope),
        ReportKind::FrontDesk => keys::needs(scope),
    }
}

/// Builds the report. `zone` is the zone asked for, if one was (then
/// `scope.zones` is that zone alone).
pub fn build(
    kind: ReportKind,
    scope: &Scope,
    zone: Option<ZoneRef>,
    documents: &mut dyn Documents,
) -> Report {
    let mut missing = Vec::new();
    let mut tracking = Tracking {
        documents,
        missing: &mut missing,
    };
    let sections = match kind {
        ReportKind::Complaints => complaints::build(scope, &mut tracking),
        ReportKind::RepairCallbacks => callbacks::build(scope, &mut tracking),
        ReportKind::Visits => visits::build(scope, &mut tracking),
        ReportKind::Patrol => patrol::build(scope, &mut tracking),
        ReportKind::Cleaning => cleaning::build(scope, &mut tracking),
        ReportKind::FrontDesk => keys::build(scope, &mut tracking),
    };
    missing.sort();
    missing.dedup();
    Report {
        kind,
        month: scope.month,
        zone,
        made_at: scope.now,
        missing,
        sections,
    }
}

/// Passes reads through and notes the documents that were not available.
struct Tracking<'a> {
    documents: &'a mut dyn Documents,
    missing: &'a mut Vec<String>,
}

impl Documents for Tracking<'_> {
    fn with(&mut self, key: &DocKey, read: &mut dyn FnMut(&RecordSource)) -> bool {
        let held = self.documents.with(key, read);
        if !held {
            let period = key.period().unwrap_or_default();
            self.missing
                .push(format!("{}/{}/{}", key.kind.as_str(), key.zone, period));
        }
        held
    }
}

/// Documents held in memory, by key (tests, and the report benchmark's
/// timing without the store): a key not in the map is a document nobody
/// wrote.
impl Documents for std::collections::BTreeMap<DocKey, Automerge> {
    fn with(&mut self, key: &DocKey, read: &mut dyn FnMut(&RecordSource)) -> bool {
        if let Some(doc) = self.get(key) {
            read(&RecordSource::Document(doc));
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::report_signoff::SIGNED_REPORTS;

    #[test]
    fn the_schema_knows_the_reports_the_head_signs() {
        let signed: Vec<&str> = ReportKind::ALL
            .into_iter()
            .filter(|kind| kind.signed_off())
            .map(ReportKind::as_str)
            .collect();
        assert_eq!(signed, SIGNED_REPORTS);
        for kind in ReportKind::ALL {
            assert_eq!(ReportKind::parse(kind.as_str()), Some(kind));
        }
    }
}

//! The Automerge documents Roundbook syncs, and how they are named and born.
//!
//! Granularity (see docs/architecture.md): one zone directory per zone
//! (checkpoints, routes, schedules); one patrol log per zone per site-local
//! day (shifts, rounds, scans, findings); one resident directory per zone
//! (units, residents); one request log per zone and month of creation
//! (requests and their workflow events); one visit log per zone and quarter;
//! one cleaning setup per site (score-sheet template versions) and one
//! cleaning month per site and month (inspections, rectifications, sign-off);
//! one key log per site and month (key loans and their returns); one duty
//! log per site and month (entries, daily sign-offs, spot-checks); one gate
//! log per site and day (visitors and vehicles in and out).
//!
//! Two rules make offline creation safe:
//! - **Deterministic ids.** A document's id is derived from what it is
//!   (site, kind, zone, day), so two tablets that start the same day offline
//!   name the same document, and the server can tell which zone an id belongs to.
//! - **Deterministic genesis.** Every document starts from a genesis change built
//!   with a fixed actor and time 0. Each tablet builds it byte for byte the same,
//!   so it has the same hash and Automerge treats it as one change. Containers
//!   such as `scans` are created only there; later edits only add keys inside
//!   them. Two tablets can therefore never create competing `scans` maps whose
//!   contents would hide each other (the classic Automerge pitfall).
//!
//! Records inside a container are keyed by a random id, never appended to a
//! list, so concurrent additions always merge as a union.

pub mod authorship;
pub mod cleaning;
#[cfg(test)]
mod compat_tests;
pub mod copy;
pub mod directory;
pub mod duty;
pub mod export;
pub mod finding;
pub mod gate;
pub mod key_loan;
pub mod patrol;
pub mod receipt;
pub mod record;
pub mod report_signoff;
pub mod request;
pub mod resident;
pub mod round;
pub mod route;
pub mod schedule;
pub mod shape;
pub mod shift;
pub mod visit;
pub mod work_order;

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{ActorId, AutoCommit, Automerge, ObjType, ROOT};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use strum::VariantArray;

use crate::domain::Role;
use crate::ids::DocumentId;

pub use record::{get, list, put, Record};

/// Bumped when a document's genesis changes shape (never for added fields).
/// It is part of every document id, so documents of two versions never merge.
pub const SCHEMA_VERSION: i64 = 2;

/// The actor of every genesis change. Never used for anything else.
pub const GENESIS_ACTOR: [u8; 16] = *b"roundbook-genesi";

/// The `zone` of a document that belongs to the whole site (cleaning), not to one zone.
pub const SITE_WIDE: &str = "";

/// What a document holds. Everything the rest of Roundbook needs to know
/// about a kind is in its [`KindSpec`]; its records are the [`Container`]s
/// of the kind.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, VariantArray,
)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    /// A zone's checkpoints, routes and schedules.
    ZoneDirectory,
    /// A zone's patrol records for one site-local day.
    PatrolLog,
    /// A zone's units and residents (confidential: names and phone numbers).
    ResidentDirectory,
    /// A zone's requests (complaints, repairs, help) created in one month,
    /// with their whole workflow history.
    RequestLog,
    /// A zone's household visits in one quarter.
    VisitLog,
    /// The site's cleaning score-sheet template versions.
    CleaningSetup,
    /// The site's cleaning inspections, rectifications and score-sheet
    /// sign-off for one month.
    CleaningMonth,
    /// The office head's sign-off of the site's monthly reports of one month.
    ReportMonth,
    /// One repair worker's work orders in one zone dispatched in one month,
    /// with every event on them (its key's `zone` names both: see
    /// [`WorkerLog`]).
    WorkOrderLog,
    /// The keys the front desk lent in one month, and their returns.
    KeyLog,
    /// The site's duty log of one month (《值班记录表》): entries that are
    /// not requests, the supervisor's daily sign-offs, the head's
    /// spot-checks.
    DutyLog,
    /// The site's gate book of one day: visitors and vehicles let in, and
    /// their leaving (personal data, kept [`KindSpec::keep_days`]).
    GateLog,
}

/// How long a document's period is; its key's date is the period's first day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// No period: one document for ever.
    None,
    Day,
    Month,
    Quarter,
}

/// Who may hold, or change, documents of a kind (zones are checked apart:
/// see `reach`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Every role that keeps records (not the IT administrator): guards
    /// walk the zone's checkpoints, and any staff member records a request
    /// they are told about.
    Everyone,
    /// Every role that keeps records but these.
    AllBut(&'static [Role]),
    /// Only these roles.
    Roles(&'static [Role]),
}

impl Audience {
    pub fn admits(self, role: Role) -> bool {
        match self {
            Audience::Everyone => role.keeps_records(),
            Audience::AllBut(roles) => role.keeps_records() && !roles.contains(&role),
            Audience::Roles(roles) => roles.contains(&role),
        }
    }
}

/// Roles that serve residents and so may see their names and phone numbers.
const SERVES_RESIDENTS: Audience = Audience::Roles(&[
    Role::ZoneService,
    Role::ServiceSupervisor,
    Role::FrontDesk,
    Role::OfficeHead,
    Role::DeputyHead,
]);

/// Who holds a zone's patrol and request logs: every role that keeps
/// records but repair staff, who reach only the work orders dispatched to
/// them (each carries what the worker needs of its request).
const ZONE_STAFF: Audience = Audience::AllBut(&[Role::RepairStaff]);

/// Roles that hold work-order logs: repair staff (their own only, see
/// `reach::holds`), those who dispatch orders (zone service staff, the
/// front desk, the service supervisor, the engineering supervisor) and the
/// heads (every worker's).
const WORKS_ORDERS: Audience = Audience::Roles(&[
    Role::RepairStaff,
    Role::EngineeringSupervisor,
    Role::ZoneService,
    Role::FrontDesk,
    Role::ServiceSupervisor,
    Role::OfficeHead,
    Role::DeputyHead,
]);

/// Roles that keep the office's keys: the front desk lends them, the
/// service supervisor and the heads see what is out and overdue.
const KEEPS_KEYS: Audience = Audience::Roles(&[
    Role::FrontDesk,
    Role::ServiceSupervisor,
    Role::OfficeHead,
    Role::DeputyHead,
]);

/// Roles that sign a day of the duty log off: the service supervisor reads
/// and signs it daily; a head may stand in.
const SIGNS_DUTY_DAYS: Audience =
    Audience::Roles(&[Role::ServiceSupervisor, Role::OfficeHead, Role::DeputyHead]);

/// Roles that spot-check the duty log (at least 20% of a month).
const SPOT_CHECKS_DUTY: Audience = Audience::Roles(&[Role::OfficeHead, Role::DeputyHead]);

/// Roles that keep the gate book: guards and their leaders let visitors
/// and vehicles in, the front desk registers those who come to it, the
/// heads see who is inside.
const KEEPS_THE_GATE: Audience = Audience::Roles(&[
    Role::Guard,
    Role::SquadLeader,
    Role::SecuritySupervisor,
    Role::FrontDesk,
    Role::OfficeHead,
    Role::DeputyHead,
]);

/// Roles that inspect cleaning and sign the vendor's score sheet.
const INSPECTS_CLEANING: Audience = Audience::Roles(&[
    Role::EnvironmentSupervisor,
    Role::CleaningSupervisor,
    Role::OfficeHead,
    Role::DeputyHead,
]);

/// Roles that read a monthly report (`reports::ReportKind::readers`), and
/// so see which are signed.
const READS_REPORTS: Audience = Audience::Roles(&[
    Role::OfficeHead,
    Role::DeputyHead,
    Role::ServiceSupervisor,
    Role::ZoneService,
    Role::EngineeringSupervisor,
    Role::SecuritySupervisor,
    Role::SquadLeader,
    Role::EnvironmentSupervisor,
    Role::CleaningSupervisor,
    Role::FrontDesk,
]);

/// Roles that sign the monthly reports off.
const SIGNS_REPORTS: Audience = Audience::Roles(&[Role::OfficeHead, Role::DeputyHead]);

/// Roles that set up a zone's checkpoints, routes and schedules.
const SETS_UP_PATROLS: Audience =
    Audience::Roles(&[Role::SecuritySupervisor, Role::OfficeHead, Role::DeputyHead]);

/// Roles that set the cleaning score-sheet template.
const SETS_UP_CLEANING: Audience = Audience::Roles(&[
    Role::EnvironmentSupervisor,
    Role::OfficeHead,
    Role::DeputyHead,
]);

/// Everything Roundbook knows about a kind of document, in one place.
#[derive(Debug, Clone, Copy)]
pub struct KindSpec {
    /// The kind's name in document ids, listings and logs. Never changes.
    pub name: &'static str,
    /// The period one document covers.
    pub period: Period,
    /// Whether a document belongs to the whole site (its zone is
    /// [`SITE_WIDE`]) rather than to one zone.
    pub site_wide: bool,
    /// Whether a document belongs to one worker in one zone (its key's
    /// `zone` names both, see [`WorkerLog`]) rather than to a zone alone: a
    /// repair worker holds only their own, in every zone; the other readers
    /// hold every worker's in the zones they reach.
    pub per_worker: bool,
    /// Who receives documents of the kind.
    pub readers: Audience,
    /// Who may change them (always among the readers).
    pub writers: Audience,
    /// Whether a document is final and takes no more changes from anyone
    /// (a cleaning month signed by both parties): the server then refuses
    /// any change it does not already hold.
    pub is_closed: fn(&Automerge) -> bool,
    /// How many days after its period ends a document is kept, where the
    /// law or the office limits it (personal data such as visitors'): the
    /// server then deletes it whole, history and all, and tablets forget
    /// their copy (`crate::retention`). `None`: kept for good.
    pub keep_days: Option<u32>,
}

fn never_closed(_: &Automerge) -> bool {
    false
}

impl DocKind {
    /// Every kind, in declaration order (by construction: see `strum::VariantArray`).
    pub const ALL: &'static [DocKind] = <DocKind as VariantArray>::VARIANTS;

    /// The kind's table entry. A new kind must add one here, or nothing compiles.
    pub const fn spec(self) -> KindSpec {
        /// A zone's document of `period` that every role reads and writes.
        const fn zone_log(name: &'static str, period: Period) -> KindSpec {
            KindSpec {
                name,
                period,
                site_wide: false,
                per_worker: false,
                readers: Audience::Everyone,
                writers: Audience::Everyone,
                is_closed: never_closed,
                keep_days: None,
            }
        }
        match self {
            DocKind::ZoneDirectory => KindSpec {
                writers: SETS_UP_PATROLS,
                ..zone_log("zone_directory", Period::None)
            },
            DocKind::PatrolLog => KindSpec {
                readers: ZONE_STAFF,
                writers: ZONE_STAFF,
                ..zone_log("patrol_log", Period::Day)
            },
            DocKind::ResidentDirectory => KindSpec {
                readers: SERVES_RESIDENTS,
                writers: SERVES_RESIDENTS,
                ..zone_log("resident_directory", Period::None)
            },
            DocKind::RequestLog => KindSpec {
                readers: ZONE_STAFF,
                writers: ZONE_STAFF,
                ..zone_log("request_log", Period::Month)
            },
            DocKind::VisitLog => KindSpec {
                readers: SERVES_RESIDENTS,
                writers: SERVES_RESIDENTS,
                ..zone_log("visit_log", Period::Quarter)
            },
            DocKind::CleaningSetup => KindSpec {
                site_wide: true,
                readers: INSPECTS_CLEANING,
                writers: SETS_UP_CLEANING,
                ..zone_log("cleaning_setup", Period::None)
            },
            DocKind::CleaningMonth => KindSpec {
                site_wide: true,
                readers: INSPECTS_CLEANING,
                writers: INSPECTS_CLEANING,
                is_closed: cleaning::is_locked,
                ..zone_log("cleaning_month", Period::Month)
            },
            DocKind::ReportMonth => KindSpec {
                site_wide: true,
                readers: READS_REPORTS,
                writers: SIGNS_REPORTS,
                ..zone_log("report_month", Period::Month)
            },
            DocKind::WorkOrderLog => KindSpec {
                per_worker: true,
                readers: WORKS_ORDERS,
                writers: WORKS_ORDERS,
                ..zone_log("work_order_log", Period::Month)
            },
            DocKind::KeyLog => KindSpec {
                site_wide: true,
                readers: KEEPS_KEYS,
                writers: KEEPS_KEYS,
                ..zone_log("key_log", Period::Month)
            },
            DocKind::DutyLog => KindSpec {
                site_wide: true,
                readers: SERVES_RESIDENTS,
                writers: SERVES_RESIDENTS,
                ..zone_log("duty_log", Period::Month)
            },
            DocKind::GateLog => KindSpec {
                site_wide: true,
                readers: KEEPS_THE_GATE,
                writers: KEEPS_THE_GATE,
                keep_days: Some(90),
                ..zone_log("gate_log", Period::Day)
            },
        }
    }

    pub fn as_str(self) -> &'static str {
        self.spec().name
    }

    pub fn parse(text: &str) -> Option<DocKind> {
        DocKind::ALL
            .iter()
            .copied()
            .find(|kind| kind.as_str() == text)
    }

    /// The period one document of this kind covers.
    pub fn period(self) -> Period {
        self.spec().period
    }

    /// Whether a document of this kind belongs to the whole site.
    pub fn site_wide(self) -> bool {
        self.spec().site_wide
    }

    /// Whether a document of this kind belongs to one worker (see
    /// [`KindSpec::per_worker`]).
    pub fn per_worker(self) -> bool {
        self.spec().per_worker
    }

    /// Whether a document of this kind takes no more changes (see [`KindSpec::is_closed`]).
    pub fn is_closed(self, doc: &Automerge) -> bool {
        (self.spec().is_closed)(doc)
    }

    /// Whether the server stamps this kind's new records with a receipt.
    pub fn stamps_receipts(self) -> bool {
        self.containers().any(Container::receipted)
    }

    /// Whether `name` is one of this kind's containers.
    pub fn has_container(self, name: &str) -> bool {
        self.containers().any(|known| known.name() == name)
    }

    /// The containers under the root that hold this kind's records, in the
    /// order its genesis creates them.
    pub fn containers(self) -> impl Iterator<Item = Container> {
        Container::ALL
            .iter()
            .copied()
            .filter(move |container| container.kind() == self)
    }
}

/// A map under a document's root that holds one type of record, keyed by
/// id. Which kind of document holds it is part of what it is; the order of
/// the variants is the order genesis changes create them in, which must
/// never change (every tablet must build the same genesis).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, VariantArray)]
pub enum Container {
    Checkpoints,
    Routes,
    Schedules,
    Shifts,
    Rounds,
    Scans,
    Findings,
    Units,
    Residents,
    Requests,
    RequestEvents,
    Visits,
    Templates,
    Inspections,
    Marks,
    Rectifications,
    Signatures,
    ReportSignoffs,
    WorkOrders,
    WorkOrderEvents,
    KeyLoans,
    KeyReturns,
    DutyEntries,
    DaySignoffs,
    SpotChecks,
    Visitors,
    Vehicles,
    GateExits,
}

impl Container {
    pub const ALL: &'static [Container] = <Container as VariantArray>::VARIANTS;

    /// The map's name under the root. Never changes.
    pub const fn name(self) -> &'static str {
        match self {
            Container::Checkpoints => "checkpoints",
            Container::Routes => "routes",
            Container::Schedules => "schedules",
            Container::Shifts => "shifts",
            Container::Rounds => "rounds",
            Container::Scans => "scans",
            Container::Findings => "findings",
            Container::Units => "units",
            Container::Residents => "residents",
            Container::Requests => "requests",
            Container::RequestEvents => "request_events",
            Container::Visits => "visits",
            Container::Templates => "templates",
            Container::Inspections => "inspections",
            Container::Marks => "marks",
            Container::Rectifications => "rectifications",
            Container::Signatures => "signatures",
            Container::ReportSignoffs => "report_signoffs",
            Container::WorkOrders => "work_orders",
            Container::WorkOrderEvents => "work_order_events",
            Container::KeyLoans => "key_loans",
            Container::KeyReturns => "key_returns",
            Container::DutyEntries => "duty_entries",
            Container::DaySignoffs => "day_signoffs",
            Container::SpotChecks => "spot_checks",
            Container::Visitors => "visitors",
            Container::Vehicles => "vehicles",
            Container::GateExits => "gate_exits",
        }
    }

    /// Whether the server stamps the container's new records with a
    /// receipt (`receipt`: when it received them, the sender's clock skew),
    /// which nobody may then remove (`shape`): patrol records, request
    /// workflow events and work-order events (a worker's "arrived" says
    /// when by the tablet's clock; the stamp says when the office learnt
    /// it). A request itself is not stamped: its own `received_at` is the
    /// tablet's, when the call came in.
    pub const fn receipted(self) -> bool {
        matches!(
            self,
            Container::Shifts
                | Container::Rounds
                | Container::Scans
                | Container::Findings
                | Container::RequestEvents
                | Container::WorkOrderEvents
                | Container::KeyReturns
                | Container::DaySignoffs
                | Container::SpotChecks
                | Container::GateExits
        )
    }

    /// Whether the container's records are written once and never changed
    /// by anyone (`shape`): a request's intake (its later life is its
    /// workflow events). Workflow events are written once too, but the
    /// server writes their receipts into them, and a tablet may bring a
    /// receipt another server wrote, so `shape` does not hold them to it.
    pub const fn written_once(self) -> bool {
        matches!(
            self,
            Container::Requests
                | Container::KeyLoans
                | Container::DutyEntries
                | Container::Visitors
                | Container::Vehicles
        )
    }

    /// Whether the server reads each record of the container a sync message
    /// touches and refuses the message if one is malformed or fails its
    /// `Record::validate` (`shape`): work orders and their events, whose
    /// bad input (a done without a note, a charge that is not a number, a
    /// signature over 1 MB) must never be stored.
    pub const fn validated(self) -> bool {
        matches!(
            self,
            Container::WorkOrders
                | Container::WorkOrderEvents
                | Container::KeyLoans
                | Container::KeyReturns
                | Container::DutyEntries
                | Container::DaySignoffs
                | Container::SpotChecks
                | Container::Visitors
                | Container::Vehicles
                | Container::GateExits
        )
    }

    /// Who may write the container's records, where that is narrower than
    /// who writes its kind (`None`: the kind's writers). The server refuses
    /// a change that touches such a record from anyone else (`read-only`):
    /// the front desk writes the duty log, but only a supervisor signs a
    /// day and only a head spot-checks.
    pub const fn writers(self) -> Option<Audience> {
        match self {
            Container::DaySignoffs => Some(SIGNS_DUTY_DAYS),
            Container::SpotChecks => Some(SPOT_CHECKS_DUTY),
            _ => None,
        }
    }

    /// Whether someone with `roles` may write the container's records.
    pub fn written_by(self, roles: &[Role]) -> bool {
        let writers = self.writers().unwrap_or(self.kind().spec().writers);
        roles.iter().any(|role| writers.admits(*role))
    }

    /// The container of `kind` named `name`, if it has one.
    pub fn of_kind(kind: DocKind, name: &str) -> Option<Container> {
        kind.containers().find(|known| known.name() == name)
    }

    /// The kind of document that holds it.
    pub const fn kind(self) -> DocKind {
        match self {
            Container::Checkpoints | Container::Routes | Container::Schedules => {
                DocKind::ZoneDirectory
            }
            Container::Shifts | Container::Rounds | Container::Scans | Container::Findings => {
                DocKind::PatrolLog
            }
            Container::Units | Container::Residents => DocKind::ResidentDirectory,
            Container::Requests | Container::RequestEvents => DocKind::RequestLog,
            Container::Visits => DocKind::VisitLog,
            Container::Templates => DocKind::CleaningSetup,
            Container::Inspections
            | Container::Marks
            | Container::Rectifications
            | Container::Signatures => DocKind::CleaningMonth,
            Container::ReportSignoffs => DocKind::ReportMonth,
            Container::WorkOrders | Container::WorkOrderEvents => DocKind::WorkOrderLog,
            Container::KeyLoans | Container::KeyReturns => DocKind::KeyLog,
            Container::DutyEntries | Container::DaySignoffs | Container::SpotChecks => {
                DocKind::DutyLog
            }
            Container::Visitors | Container::Vehicles | Container::GateExits => DocKind::GateLog,
        }
    }

    /// The record type the container holds, as the office head's export
    /// reads it (`export`). Exhaustive: a new container adds its line here.
    pub fn record_type(self) -> export::RecordType {
        use export::of;
        match self {
            Container::Checkpoints => of::<directory::Checkpoint>(),
            Container::Routes => of::<route::Route>(),
            Container::Schedules => of::<schedule::Schedule>(),
            Container::Shifts => of::<shift::Shift>(),
            Container::Rounds => of::<round::Round>(),
            Container::Scans => of::<patrol::Scan>(),
            Container::Findings => of::<finding::Finding>(),
            Container::Units => of::<resident::Unit>(),
            Container::Residents => of::<resident::Resident>(),
            Container::Requests => of::<request::Request>(),
            Container::RequestEvents => of::<request::RequestEvent>(),
            Container::Visits => of::<visit::Visit>(),
            Container::Templates => of::<cleaning::Template>(),
            Container::Inspections => of::<cleaning::Inspection>(),
            Container::Marks => of::<cleaning::Mark>(),
            Container::Rectifications => of::<cleaning::Rectification>(),
            Container::Signatures => of::<cleaning::Signature>(),
            Container::ReportSignoffs => of::<report_signoff::ReportSignoff>(),
            Container::WorkOrders => of::<work_order::WorkOrder>(),
            Container::WorkOrderEvents => of::<work_order::WorkOrderEvent>(),
            Container::KeyLoans => of::<key_loan::KeyLoan>(),
            Container::KeyReturns => of::<key_loan::KeyReturn>(),
            Container::DutyEntries => of::<duty::DutyEntry>(),
            Container::DaySignoffs => of::<duty::DaySignoff>(),
            Container::SpotChecks => of::<duty::SpotCheck>(),
            Container::Visitors => of::<gate::VisitorEntry>(),
            Container::Vehicles => of::<gate::VehicleEntry>(),
            Container::GateExits => of::<gate::GateExit>(),
        }
    }
}

impl Period {
    /// The first day of the period that holds `date`.
    pub fn start(self, date: NaiveDate) -> Option<NaiveDate> {
        match self {
            Period::None => None,
            Period::Day => Some(date),
            Period::Month => date.with_day(1),
            Period::Quarter => {
                let first_month = (date.month0() / 3) * 3 + 1;
                NaiveDate::from_ymd_opt(date.year(), first_month, 1)
            }
        }
    }

    /// The first day of the period after the one starting at `start`.
    pub fn next(self, start: NaiveDate) -> Option<NaiveDate> {
        match self {
            Period::None => None,
            Period::Day => start.succ_opt(),
            Period::Month => start.checked_add_months(chrono::Months::new(1)),
            Period::Quarter => start.checked_add_months(chrono::Months::new(3)),
        }
    }
}

/// Everything that identifies one document. Its id is a pure function of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocKey {
    pub site: String,
    pub kind: DocKind,
    pub zone: String,
    /// The first site-local day of the document's period (day, month or
    /// quarter, see [`DocKind::period`]); `None` for documents without one.
    pub date: Option<NaiveDate>,
}

impl DocKey {
    pub fn zone_directory(site: &str, zone: &str) -> Self {
        Self {
            site: site.to_owned(),
            kind: DocKind::ZoneDirectory,
            zone: zone.to_owned(),
            date: None,
        }
    }

    pub fn patrol_log(site: &str, zone: &str, date: NaiveDate) -> Self {
        Self::of_period(site, DocKind::PatrolLog, zone, date)
    }

    pub fn resident_directory(site: &str, zone: &str) -> Self {
        Self {
            site: site.to_owned(),
            kind: DocKind::ResidentDirectory,
            zone: zone.to_owned(),
            date: None,
        }
    }

    /// The request log of the month that holds `date`.
    pub fn request_log(site: &str, zone: &str, date: NaiveDate) -> Self {
        Self::of_period(site, DocKind::RequestLog, zone, date)
    }

    /// The visit log of the quarter that holds `date`.
    pub fn visit_log(site: &str, zone: &str, date: NaiveDate) -> Self {
        Self::of_period(site, DocKind::VisitLog, zone, date)
    }

    pub fn cleaning_setup(site: &str) -> Self {
        Self {
            site: site.to_owned(),
            kind: DocKind::CleaningSetup,
            zone: SITE_WIDE.to_owned(),
            date: None,
        }
    }

    /// The cleaning month that holds `date`.
    pub fn cleaning_month(site: &str, date: NaiveDate) -> Self {
        Self::of_period(site, DocKind::CleaningMonth, SITE_WIDE, date)
    }

    /// The key log (loans and returns) of the month that holds `date`.
    pub fn key_log(site: &str, date: NaiveDate) -> Self {
        Self::of_period(site, DocKind::KeyLog, SITE_WIDE, date)
    }

    /// The duty log of the month that holds `date`.
    pub fn duty_log(site: &str, date: NaiveDate) -> Self {
        Self::of_period(site, DocKind::DutyLog, SITE_WIDE, date)
    }

    /// The gate log of the site-local day `date`.
    pub fn gate_log(site: &str, date: NaiveDate) -> Self {
        Self::of_period(site, DocKind::GateLog, SITE_WIDE, date)
    }

    /// The report month (sign-offs) that holds `date`.
    pub fn report_month(site: &str, date: NaiveDate) -> Self {
        Self::of_period(site, DocKind::ReportMonth, SITE_WIDE, date)
    }

    /// The work-order log of `worker` (username) in `zone` for the month
    /// that holds `date` (its key's `zone` is [`WorkerLog::place`]).
    pub fn work_order_log(site: &str, zone: &str, worker: &str, date: NaiveDate) -> Self {
        let place = WorkerLog {
            zone: Some(zone),
            worker,
        }
        .place();
        Self::of_period(site, DocKind::WorkOrderLog, &place, date)
    }

    /// The zone the document belongs to: its key's `zone`, or a work-order
    /// log's zone; `None` for a site-wide document and a log from before
    /// the split by zone ([`WorkerLog`]).
    pub fn home_zone(&self) -> Option<&str> {
        match self.worker_log() {
            Some(log) => log.zone,
            None if self.kind.site_wide() => None,
            None => Some(&self.zone),
        }
    }

    /// Whose and which zone's document this is, for a per-worker kind
    /// ([`KindSpec::per_worker`]); `None` for every other kind.
    pub fn worker_log(&self) -> Option<WorkerLog<'_>> {
        if !self.kind.per_worker() {
            return None;
        }
        Some(match self.zone.split_once(WorkerLog::SEPARATOR) {
            Some((zone, worker)) => WorkerLog {
                zone: Some(zone),
                worker,
            },
            None => WorkerLog {
                zone: None,
                worker: &self.zone,
            },
        })
    }

    /// The document of `kind` whose period holds `date` (its key's date is the
    /// period's first day, so any day of a month names the same month document).
    pub fn of_period(site: &str, kind: DocKind, zone: &str, date: NaiveDate) -> Self {
        Self {
            site: site.to_owned(),
            kind,
            zone: zone.to_owned(),
            date: kind.period().start(date),
        }
    }

    /// The key of a listed document (kind, zone and `YYYY-MM-DD` period as in
    /// `GET /api/docs`), if those fields are consistent with one another.
    pub fn from_parts(site: &str, kind: DocKind, zone: &str, period: Option<&str>) -> Option<Self> {
        if kind.site_wide() != (zone == SITE_WIDE) {
            return None;
        }
        let date = match (kind.period(), period) {
            (Period::None, None) => None,
            (Period::None, Some(_)) | (_, None) => return None,
            (granularity, Some(text)) => {
                let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
                // Only the first day of a period names it.
                (granularity.start(date) == Some(date)).then_some(date)?;
                Some(date)
            }
        };
        Some(Self {
            site: site.to_owned(),
            kind,
            zone: zone.to_owned(),
            date,
        })
    }

    /// The period as sent in `GET /api/docs` (`YYYY-MM-DD`), if any.
    pub fn period(&self) -> Option<String> {
        self.date.map(|date| date.format("%Y-%m-%d").to_string())
    }

    /// The document id: the first 16 bytes of SHA-256 over the key's fields.
    pub fn document_id(&self) -> DocumentId {
        let mut hasher = Sha256::new();
        let version = format!("roundbook/{SCHEMA_VERSION}");
        for part in [
            version.as_str(),
            &self.site,
            self.kind.as_str(),
            &self.zone,
            &self.period().unwrap_or_default(),
        ] {
            // Length-prefixed so no two keys hash the same text.
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part.as_bytes());
        }
        let digest = hasher.finalize();
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        DocumentId::from_bytes(bytes)
    }

    /// The document as it is born: only the genesis change, identical on every device.
    pub fn genesis(&self) -> Automerge {
        let mut doc = Automerge::new().with_actor(ActorId::from(GENESIS_ACTOR));
        doc.transact_with::<_, _, automerge::AutomergeError, _>(
            |_| CommitOptions::default().with_time(0),
            |tx| {
                tx.put(ROOT, "schema_version", SCHEMA_VERSION)?;
                tx.put(ROOT, "kind", self.kind.as_str())?;
                tx.put(ROOT, "site", self.site.as_str())?;
                tx.put(ROOT, "zone", self.zone.as_str())?;
                if let Some(period) = self.period() {
                    tx.put(ROOT, "date", period)?;
                }
                for container in self.kind.containers() {
                    tx.put_object(ROOT, container.name(), ObjType::Map)?;
                }
                Ok(())
            },
        )
        .expect("building a genesis change cannot fail");
        doc.set_actor(ActorId::random());
        doc
    }
}

/// The owner of a per-worker document: one worker's orders in one zone.
///
/// Its key's `zone` is `<zone>/<worker>` ([`WorkerLog::place`]): zone codes
/// and usernames never hold a `/` (`server::validate`), so the split is
/// unambiguous, and the document belongs to a zone like any other (zone
/// staff hold only their zones' logs). Logs made before work orders were
/// split by zone (one per worker and month) name the worker alone; they
/// have no `zone`, and only the worker and those who see the whole site
/// hold them (`reach::holds_worker`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerLog<'a> {
    /// `None` for a log from before the split (every zone's orders).
    pub zone: Option<&'a str>,
    /// The repair worker's username.
    pub worker: &'a str,
}

impl WorkerLog<'_> {
    pub const SEPARATOR: char = '/';

    /// The key's `zone` naming this log.
    pub fn place(&self) -> String {
        match self.zone {
            Some(zone) => format!("{zone}{}{}", Self::SEPARATOR, self.worker),
            None => self.worker.to_owned(),
        }
    }
}

/// Why a record could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("the document has no `{0}` map; it was not created from its genesis")]
    MissingContainer(&'static str),
    #[error("invalid record: {0}")]
    Invalid(String),
    /// The document is closed (a month signed by both parties): nothing may change.
    #[error("the month is signed off and locked")]
    Locked,
    /// A record that is written once is already there (a request's intake, a
    /// party's signature, a published template).
    #[error("{records:?} {id} already exists")]
    Exists { records: Container, id: String },
    #[error(transparent)]
    Automerge(#[from] automerge::AutomergeError),
}

/// A genesis-born document as the convenient autocommit handle (used in tests and tools).
pub fn autocommit(doc: Automerge) -> AutoCommit {
    AutoCommit::load(&doc.save()).expect("a saved document loads")
}

/// Checks a record id: short, printable, no path separators.
pub(crate) fn check_id(what: &str, id: &str) -> Result<(), SchemaError> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(SchemaError::Invalid(format!("{what} id {id:?}")))
    }
}

/// Checks a field that must be one of a fixed set of words.
pub(crate) fn check_word(what: &str, word: &str, allowed: &[&str]) -> Result<(), SchemaError> {
    if allowed.contains(&word) {
        Ok(())
    } else {
        Err(SchemaError::Invalid(format!("{what} {word:?}")))
    }
}

/// Checks an instant: after 2020 and before 2100, in Unix milliseconds.
pub(crate) fn check_instant(what: &str, unix_ms: i64) -> Result<(), SchemaError> {
    if (1_577_836_800_000..4_102_444_800_000).contains(&unix_ms) {
        Ok(())
    } else {
        Err(SchemaError::Invalid(format!("{what} {unix_ms}")))
    }
}

/// Who wrote a record, all present: their username (`role`, such as
/// "guard"), their name as shown, and the device.
pub(crate) fn check_author(
    role: &str,
    username: &str,
    name: &str,
    device: &str,
) -> Result<(), SchemaError> {
    check_text(role, username, true, 64)?;
    check_text(&format!("{role} name"), name, true, 64)?;
    check_text("device", device, true, 64)
}

/// A start and an optional end that is not before it (`what`: "round", "shift").
pub(crate) fn check_span(
    what: &str,
    started_at: i64,
    ended_at: Option<i64>,
) -> Result<(), SchemaError> {
    check_instant(&format!("{what} start"), started_at)?;
    if let Some(ended_at) = ended_at {
        check_instant(&format!("{what} end"), ended_at)?;
        if ended_at < started_at {
            return Err(SchemaError::Invalid(format!(
                "a {what} ends before it starts"
            )));
        }
    }
    Ok(())
}

/// At most `max` photos (or other blobs), each a blob hash.
pub(crate) fn check_photos(what: &str, photos: &[String], max: usize) -> Result<(), SchemaError> {
    if photos.len() > max {
        return Err(SchemaError::Invalid(format!("more than {max} {what}")));
    }
    match photos.iter().find(|hash| !crate::blob::is_hash(hash)) {
        Some(hash) => Err(SchemaError::Invalid(format!("{what} hash {hash:?}"))),
        None => Ok(()),
    }
}

/// Checks a free-text field: not blank where required, bounded.
pub(crate) fn check_text(
    what: &str,
    text: &str,
    required: bool,
    max: usize,
) -> Result<(), SchemaError> {
    if required && text.trim().is_empty() {
        return Err(SchemaError::Invalid(format!("{what} is empty")));
    }
    if text.chars().count() > max {
        return Err(SchemaError::Invalid(format!(
            "{what} is longer than {max} characters"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::ReadDoc;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn a_malformed_record_is_skipped_and_hides_nothing() {
        use crate::fixtures::requests::{event, intake};
        use request::{Action, Request, RequestEvent, RequestKind};

        let mut log = DocKey::request_log("demo", "A", day()).genesis();
        for n in 0..5 {
            let mut request = intake(&format!("req-{n}"), RequestKind::Complaint);
            request.collective = n == 3;
            request.households = if n == 3 { 8 } else { 0 };
            put(&mut log, &request, request.received_at).unwrap();
            let mut done = event(&format!("ev-{n}"), Action::Assign, 1_795_399_200_000 + n);
            done.request_id = request.id;
            put(&mut log, &done, done.at).unwrap();
        }
        // A record a hostile peer left without most of its fields.
        let requests = record::container(&log, Container::Requests).unwrap();
        let mut tx = log.transaction();
        let broken = tx
            .put_object(&requests, "req-broken", ObjType::Map)
            .unwrap();
        tx.put(&broken, "id", "req-broken").unwrap();
        tx.commit();
        let read: Vec<Request> = list(&log).unwrap();
        assert_eq!(read.len(), 5);
        assert_eq!(get::<Request>(&log, "req-broken").unwrap(), None);
        assert_eq!(get::<Request>(&log, "req-3").unwrap().as_ref(), read.get(3));
        assert_eq!(list::<RequestEvent>(&log).unwrap().len(), 5);

        // A route's checkpoint order is stored as one string.
        let mut directory = DocKey::zone_directory("demo", "A").genesis();
        for id in ["cp-1", "cp-2"] {
            let checkpoint = directory::Checkpoint {
                id: id.into(),
                code: id.to_uppercase(),
                name: id.into(),
                location: String::new(),
                retired: false,
            };
            put(&mut directory, &checkpoint, 1_795_399_200_000).unwrap();
        }
        let route = route::Route {
            id: "route-1".into(),
            name: "东区夜巡".into(),
            checkpoints: route::CheckpointOrder(vec!["cp-1".into(), "cp-2".into()]),
            retired: false,
        };
        route::put_route(&mut directory, &route, 1_795_399_200_000).unwrap();
        let routes: Vec<route::Route> = list(&directory).unwrap();
        assert_eq!(routes, [route]);
        let stored = record::container(&directory, Container::Routes).unwrap();
        let (_, stored) = directory.get(&stored, "route-1").unwrap().unwrap();
        assert_eq!(
            directory.get(&stored, "checkpoints").unwrap().unwrap().0,
            automerge::Value::from("cp-1 cp-2")
        );
    }

    #[test]
    fn a_rewritten_record_changes_only_what_differs_and_keeps_unknown_fields() {
        use crate::fixtures::requests::intake;
        use request::{Request, RequestKind};

        let mut log = DocKey::request_log("demo", "A", day()).genesis();
        let mut request = intake("req-1", RequestKind::Complaint);
        put(&mut log, &request, request.received_at).unwrap();
        // A field a newer build added.
        let requests = record::container(&log, Container::Requests).unwrap();
        let (_, stored) = log.get(&requests, "req-1").unwrap().unwrap();
        let mut tx = log.transaction();
        tx.put(&stored, "priority", "high").unwrap();
        tx.commit();
        let before = log.get_heads();
        put(&mut log, &request, request.received_at).unwrap();
        assert_eq!(log.get_heads(), before, "nothing differs: no change");

        request.description = "电梯停运".into();
        request.photos = vec!["a".repeat(64)];
        put(&mut log, &request, request.received_at).unwrap();
        let change = log.get_last_local_change().unwrap();
        assert_eq!(change.len(), 2, "the description and the photo");
        assert_eq!(get::<Request>(&log, "req-1").unwrap(), Some(request));
        assert_eq!(
            log.get(&stored, "priority").unwrap().unwrap().0,
            automerge::Value::from("high")
        );
    }

    #[test]
    fn every_container_belongs_to_a_kind_and_every_kind_has_containers() {
        for kind in DocKind::ALL {
            assert!(kind.containers().count() > 0, "{kind:?}");
            let genesis = DocKey::from_parts(
                "demo",
                *kind,
                if kind.site_wide() { SITE_WIDE } else { "A" },
                kind.period()
                    .start(day())
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .as_deref(),
            )
            .unwrap()
            .genesis();
            for container in kind.containers() {
                record::container(&genesis, container).unwrap();
            }
        }
        let mut names: Vec<_> = Container::ALL.iter().map(|c| c.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(
            names.len(),
            Container::ALL.len(),
            "container names are distinct"
        );
    }

    #[test]
    fn ids_are_deterministic_and_distinct() {
        let a = DocKey::patrol_log("demo", "A", day());
        assert_eq!(
            a.document_id(),
            DocKey::patrol_log("demo", "A", day()).document_id()
        );
        let others = [
            DocKey::patrol_log("demo", "B", day()),
            DocKey::patrol_log("demo", "A", day().succ_opt().unwrap()),
            DocKey::zone_directory("demo", "A"),
            DocKey::patrol_log("demo2", "A", day()),
        ];
        for other in others {
            assert_ne!(a.document_id(), other.document_id());
        }
    }

    #[test]
    fn genesis_is_byte_identical_everywhere() {
        let key = DocKey::patrol_log("demo", "A", day());
        let one = key.genesis();
        let two = key.genesis();
        assert_eq!(one.get_heads(), two.get_heads());
        assert_eq!(one.get_changes(&[]).len(), 1);
        // The genesis actor is dropped at once: later edits use a random actor.
        assert_ne!(one.get_actor(), two.get_actor());
    }

    #[test]
    fn kinds_round_trip() {
        for kind in DocKind::ALL {
            assert_eq!(DocKind::parse(kind.as_str()), Some(*kind));
        }
    }

    #[test]
    fn any_day_of_a_period_names_its_document() {
        let nov_30 = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert_eq!(
            DocKey::request_log("demo", "A", day()),
            DocKey::request_log("demo", "A", nov_30)
        );
        assert_eq!(
            DocKey::request_log("demo", "A", day()).period().as_deref(),
            Some("2026-11-01")
        );
        assert_eq!(
            DocKey::visit_log("demo", "A", day()).period().as_deref(),
            Some("2026-10-01")
        );
        let dec_1 = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_ne!(
            DocKey::request_log("demo", "A", day()).document_id(),
            DocKey::request_log("demo", "A", dec_1).document_id()
        );
        assert_eq!(
            Period::Quarter.next(NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()),
            Some(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap())
        );
        assert_eq!(DocKey::cleaning_month("demo", day()).zone, SITE_WIDE);
    }

    #[test]
    fn listed_parts_must_agree() {
        let key = DocKey::request_log("demo", "A", day());
        let again = DocKey::from_parts("demo", key.kind, "A", key.period().as_deref());
        assert_eq!(again, Some(key));
        // Mid-month is not a month's name; a zone document with a period is wrong.
        assert_eq!(
            DocKey::from_parts("demo", DocKind::RequestLog, "A", Some("2026-11-23")),
            None
        );
        assert_eq!(
            DocKey::from_parts("demo", DocKind::ZoneDirectory, "A", Some("2026-11-01")),
            None
        );
        assert_eq!(
            DocKey::from_parts("demo", DocKind::CleaningMonth, "A", Some("2026-11-01")),
            None
        );
        assert!(DocKey::from_parts("demo", DocKind::CleaningSetup, SITE_WIDE, None).is_some());
    }
}

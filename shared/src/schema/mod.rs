//! The Automerge documents Roundbook syncs, and how they are named and born.
//!
//! Granularity (see docs/architecture.md): one zone directory per zone
//! (checkpoints, routes, schedules); one patrol log per zone per site-local
//! day (shifts, rounds, scans, findings); one resident directory per zone
//! (units, residents); one request log per zone and month of creation
//! (requests and their workflow events); one visit log per zone and quarter;
//! one cleaning setup per site (score-sheet template versions) and one
//! cleaning month per site and month (inspections, rectifications, sign-off).
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

pub mod cleaning;
pub mod directory;
pub mod finding;
pub mod patrol;
pub mod receipt;
pub mod request;
pub mod resident;
pub mod round;
pub mod route;
pub mod schedule;
pub mod shape;
pub mod shift;
pub mod visit;

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{ActorId, AutoCommit, Automerge, ObjType, ReadDoc, ROOT};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ids::DocumentId;

/// Bumped when a document's genesis changes shape (never for added fields).
/// It is part of every document id, so documents of two versions never merge.
pub const SCHEMA_VERSION: i64 = 2;

/// The actor of every genesis change. Never used for anything else.
const GENESIS_ACTOR: [u8; 16] = *b"roundbook-genesi";

/// The `zone` of a document that belongs to the whole site (cleaning), not to one zone.
pub const SITE_WIDE: &str = "";

/// What a document holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
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

impl DocKind {
    pub const ALL: [DocKind; 7] = [
        DocKind::ZoneDirectory,
        DocKind::PatrolLog,
        DocKind::ResidentDirectory,
        DocKind::RequestLog,
        DocKind::VisitLog,
        DocKind::CleaningSetup,
        DocKind::CleaningMonth,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::ZoneDirectory => "zone_directory",
            DocKind::PatrolLog => "patrol_log",
            DocKind::ResidentDirectory => "resident_directory",
            DocKind::RequestLog => "request_log",
            DocKind::VisitLog => "visit_log",
            DocKind::CleaningSetup => "cleaning_setup",
            DocKind::CleaningMonth => "cleaning_month",
        }
    }

    pub fn parse(text: &str) -> Option<DocKind> {
        DocKind::ALL.into_iter().find(|kind| kind.as_str() == text)
    }

    /// The period one document of this kind covers.
    pub fn period(self) -> Period {
        match self {
            DocKind::ZoneDirectory | DocKind::ResidentDirectory | DocKind::CleaningSetup => {
                Period::None
            }
            DocKind::PatrolLog => Period::Day,
            DocKind::RequestLog | DocKind::CleaningMonth => Period::Month,
            DocKind::VisitLog => Period::Quarter,
        }
    }

    /// Whether a document of this kind belongs to the whole site (its zone is
    /// [`SITE_WIDE`]) rather than to one zone.
    pub fn site_wide(self) -> bool {
        matches!(self, DocKind::CleaningSetup | DocKind::CleaningMonth)
    }

    /// Whether a document of this kind is final and takes no more changes
    /// from anyone (a cleaning month signed by both parties). The server
    /// refuses any change such a document does not already hold.
    pub fn is_closed(self, doc: &Automerge) -> bool {
        match self {
            DocKind::CleaningMonth => cleaning::is_locked(doc),
            _ => false,
        }
    }

    /// Whether the server stamps this kind's new records with a receipt
    /// (`receipt`), which nobody may then remove (`shape`).
    pub fn stamps_receipts(self) -> bool {
        self == DocKind::PatrolLog
    }

    /// The maps under the root that hold this kind's records.
    pub fn containers(self) -> &'static [&'static str] {
        match self {
            DocKind::ZoneDirectory => &[directory::CHECKPOINTS, route::ROUTES, schedule::SCHEDULES],
            DocKind::PatrolLog => &[
                shift::SHIFTS,
                round::ROUNDS,
                patrol::SCANS,
                finding::FINDINGS,
            ],
            DocKind::ResidentDirectory => &[resident::UNITS, resident::RESIDENTS],
            DocKind::RequestLog => &[request::REQUESTS, request::REQUEST_EVENTS],
            DocKind::VisitLog => &[visit::VISITS],
            DocKind::CleaningSetup => &[cleaning::TEMPLATES],
            DocKind::CleaningMonth => &[
                cleaning::INSPECTIONS,
                cleaning::MARKS,
                cleaning::RECTIFICATIONS,
                cleaning::SIGNATURES,
            ],
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
                    tx.put_object(ROOT, *container, ObjType::Map)?;
                }
                Ok(())
            },
        )
        .expect("building a genesis change cannot fail");
        doc.set_actor(ActorId::random());
        doc
    }
}

/// Why a record could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("the document has no `{0}` map; it was not created from its genesis")]
    MissingContainer(&'static str),
    #[error("invalid record: {0}")]
    Invalid(String),
    #[error(transparent)]
    Automerge(#[from] automerge::AutomergeError),
    #[error(transparent)]
    Reconcile(#[from] autosurgeon::ReconcileError),
}

/// The id of a root-level map, if the document has it.
pub(crate) fn container(
    doc: &Automerge,
    name: &'static str,
) -> Result<automerge::ObjId, SchemaError> {
    match doc.get(ROOT, name)? {
        Some((automerge::Value::Object(ObjType::Map), id)) => Ok(id),
        _ => Err(SchemaError::MissingContainer(name)),
    }
}

/// Reads every well-formed record of a container, in key order; malformed
/// ones (written by a buggy or hostile peer) are skipped rather than hiding
/// the rest.
///
/// The container is read out of Automerge in one pass and each record is
/// deserialized with serde, which is about three times faster than reading
/// it field by field with autosurgeon (the month of a busy zone's requests
/// has tens of thousands of records). A record serde cannot read (a
/// field type with its own `Hydrate`, an old record missing a field) is read
/// with autosurgeon, so both read the same records.
pub(crate) fn records<T: autosurgeon::Hydrate + serde::de::DeserializeOwned>(
    doc: &Automerge,
    name: &'static str,
) -> Result<Vec<T>, SchemaError> {
    let map = container(doc, name)?;
    let automerge::hydrate::Value::Map(entries) = ReadDoc::hydrate(doc, &map, None)? else {
        return Ok(Vec::new());
    };
    let mut entries: Vec<_> = entries.iter().collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    Ok(entries
        .into_iter()
        .filter_map(|(key, entry)| {
            serde_json::from_value(plain(&entry.value))
                .ok()
                .or_else(|| autosurgeon::hydrate_prop(doc, &map, key.as_str()).ok())
        })
        .collect())
}

/// A hydrated Automerge value as plain JSON: text and scalar strings alike
/// become strings; scalars JSON has no form for become null.
fn plain(value: &automerge::hydrate::Value) -> serde_json::Value {
    use automerge::hydrate::Value;
    use automerge::ScalarValue;
    match value {
        Value::Scalar(ScalarValue::Str(text)) => serde_json::Value::String(text.to_string()),
        Value::Scalar(ScalarValue::Int(n) | ScalarValue::Timestamp(n)) => (*n).into(),
        Value::Scalar(ScalarValue::Uint(n)) => (*n).into(),
        Value::Scalar(ScalarValue::F64(n)) => (*n).into(),
        Value::Scalar(ScalarValue::Boolean(b)) => (*b).into(),
        Value::Scalar(_) => serde_json::Value::Null,
        Value::Text(text) => serde_json::Value::String(String::from(text)),
        Value::List(list) => list.iter().map(|item| plain(&item.value)).collect(),
        Value::Map(map) => map
            .iter()
            .map(|(key, item)| (key.clone(), plain(&item.value)))
            .collect(),
    }
}

/// Writes one record under `key` in a container, as one change.
pub(crate) fn put_record<T: autosurgeon::Reconcile>(
    doc: &mut Automerge,
    name: &'static str,
    key: &str,
    record: &T,
    unix_ms: i64,
) -> Result<(), SchemaError> {
    let map = container(doc, name)?;
    doc.transact_with::<_, _, SchemaError, _>(
        |_| CommitOptions::default().with_time(unix_ms / 1000),
        |tx| Ok(autosurgeon::reconcile_prop(tx, &map, key, record)?),
    )
    .map_err(|failure| failure.error)?;
    Ok(())
}

/// Reads one record by id, if it is there and well formed.
pub(crate) fn record<T: autosurgeon::Hydrate>(
    doc: &Automerge,
    name: &'static str,
    id: &str,
) -> Result<Option<T>, SchemaError> {
    let map = container(doc, name)?;
    if doc.get(&map, id)?.is_none() {
        return Ok(None);
    }
    Ok(autosurgeon::hydrate_prop(doc, &map, id).ok())
}

/// A genesis-born document as the convenient autocommit handle (used in tests and tools).
pub fn autocommit(doc: Automerge) -> AutoCommit {
    AutoCommit::load(&doc.save()).expect("a saved document loads")
}

/// Reads a string field written either as a plain string (what Roundbook and
/// autosurgeon write) or as collaborative text (what the JavaScript Automerge
/// client writes for a plain JS string). Used as `#[autosurgeon(hydrate = ...)]`.
pub fn text_or_string<D: autosurgeon::ReadDoc>(
    doc: &D,
    obj: &automerge::ObjId,
    prop: autosurgeon::Prop<'_>,
) -> Result<String, autosurgeon::HydrateError> {
    match doc.get(obj, &prop)? {
        Some((automerge::Value::Object(ObjType::Text), id)) => Ok(doc.text(&id)?),
        Some((automerge::Value::Scalar(value), _)) => match value.as_ref() {
            automerge::ScalarValue::Str(text) => Ok(text.to_string()),
            other => Err(autosurgeon::HydrateError::unexpected(
                "a string",
                other.to_string(),
            )),
        },
        _ => Err(autosurgeon::HydrateError::unexpected(
            "a string",
            "something else".into(),
        )),
    }
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

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    /// `records` as it was: every record read field by field with autosurgeon.
    fn read_slowly<T: autosurgeon::Hydrate>(doc: &Automerge, name: &'static str) -> Vec<T> {
        let map = container(doc, name).unwrap();
        doc.keys(&map)
            .filter_map(|key| autosurgeon::hydrate_prop(doc, &map, key.as_str()).ok())
            .collect()
    }

    #[test]
    fn records_read_the_same_as_autosurgeon() {
        use crate::fixtures::requests::{event, intake};
        use request::{Action, RequestKind, REQUESTS, REQUEST_EVENTS};

        let mut log = DocKey::request_log("demo", "A", day()).genesis();
        for n in 0..5 {
            let mut request = intake(&format!("req-{n}"), RequestKind::Complaint);
            request.collective = n == 3;
            request.households = if n == 3 { 8 } else { 0 };
            request::put_request(&mut log, &request).unwrap();
            let mut done = event(&format!("ev-{n}"), Action::Assign, 1_795_399_200_000 + n);
            done.request_id = request.id;
            request::put_request_event(&mut log, &done).unwrap();
        }
        // A record a hostile peer left without most of its fields: skipped by both.
        let requests = container(&log, REQUESTS).unwrap();
        let mut tx = log.transaction();
        let broken = tx
            .put_object(&requests, "req-broken", ObjType::Map)
            .unwrap();
        tx.put(&broken, "id", "req-broken").unwrap();
        tx.commit();
        let fast: Vec<request::Request> = records(&log, REQUESTS).unwrap();
        assert_eq!(fast.len(), 5);
        assert_eq!(fast, read_slowly::<request::Request>(&log, REQUESTS));
        assert_eq!(
            records::<request::RequestEvent>(&log, REQUEST_EVENTS).unwrap(),
            read_slowly::<request::RequestEvent>(&log, REQUEST_EVENTS)
        );

        // A route's checkpoint order is stored as one string (its own Hydrate).
        let mut directory = DocKey::zone_directory("demo", "A").genesis();
        let route = route::Route {
            id: "route-1".into(),
            name: "东区夜巡".into(),
            checkpoints: route::CheckpointOrder(vec!["cp-1".into(), "cp-2".into()]),
            retired: false,
        };
        put_record(
            &mut directory,
            route::ROUTES,
            &route.id,
            &route,
            1_795_399_200_000,
        )
        .unwrap();
        let routes: Vec<route::Route> = records(&directory, route::ROUTES).unwrap();
        assert_eq!(routes, [route]);
        assert_eq!(
            routes,
            read_slowly::<route::Route>(&directory, route::ROUTES)
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
            assert_eq!(DocKind::parse(kind.as_str()), Some(kind));
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

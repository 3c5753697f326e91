//! The Automerge documents Roundbook syncs, and how they are named and born.
//!
//! Granularity (see docs/architecture.md): one zone directory per zone
//! (checkpoints, routes, schedules), and one patrol log per zone per
//! site-local day (shifts, rounds, scans, findings).
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

pub mod directory;
pub mod finding;
pub mod patrol;
pub mod receipt;
pub mod round;
pub mod route;
pub mod schedule;
pub mod shift;

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{ActorId, AutoCommit, Automerge, ObjType, ReadDoc, ROOT};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ids::DocumentId;

/// Bumped when a document's genesis changes shape (never for added fields).
/// It is part of every document id, so documents of two versions never merge.
pub const SCHEMA_VERSION: i64 = 2;

/// The actor of every genesis change. Never used for anything else.
const GENESIS_ACTOR: [u8; 16] = *b"roundbook-genesi";

/// What a document holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    /// A zone's checkpoints (and later its other reference data).
    ZoneDirectory,
    /// A zone's patrol scans for one site-local day.
    PatrolLog,
}

impl DocKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::ZoneDirectory => "zone_directory",
            DocKind::PatrolLog => "patrol_log",
        }
    }

    pub fn parse(text: &str) -> Option<DocKind> {
        [DocKind::ZoneDirectory, DocKind::PatrolLog]
            .into_iter()
            .find(|kind| kind.as_str() == text)
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
        }
    }
}

/// Everything that identifies one document. Its id is a pure function of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocKey {
    pub site: String,
    pub kind: DocKind,
    pub zone: String,
    /// The site-local day, for day documents.
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
        Self {
            site: site.to_owned(),
            kind: DocKind::PatrolLog,
            zone: zone.to_owned(),
            date: Some(date),
        }
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

/// Reads every well-formed record of a container; malformed ones (written by a
/// buggy or hostile peer) are skipped rather than hiding the rest.
pub(crate) fn records<T: autosurgeon::Hydrate>(
    doc: &Automerge,
    name: &'static str,
) -> Result<Vec<T>, SchemaError> {
    let map = container(doc, name)?;
    Ok(doc
        .keys(&map)
        .filter_map(|key| autosurgeon::hydrate_prop(doc, &map, key.as_str()).ok())
        .collect())
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
        for kind in [DocKind::ZoneDirectory, DocKind::PatrolLog] {
            assert_eq!(DocKind::parse(kind.as_str()), Some(kind));
        }
    }
}

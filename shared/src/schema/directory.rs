//! The zone directory's checkpoints: the places a guard must scan.
//!
//! The zone directory document also holds routes ([`super::route`]) and
//! schedules ([`super::schedule`]). It is edited rarely (by the security
//! supervisor) and read on every scan to check a typed or scanned code.

use automerge::Automerge;
use serde::{Deserialize, Serialize};

use super::record::ReadRecords;
use super::{check_id, check_text, list, put, Container, Record, SchemaError};

/// Name of the root map holding checkpoints by id.
pub const CHECKPOINTS: &str = Container::Checkpoints.name();

/// A patrol checkpoint: a printed tag at a place in the zone.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Checkpoint {
    pub id: String,
    /// The code printed on the tag and typed as the fallback, e.g. `A-03`.
    pub code: String,
    pub name: String,
    /// Where to find it ("Building 3, east stairwell").
    pub location: String,
    /// Retired checkpoints are kept (old scans refer to them) but no longer scan.
    #[serde(default)]
    pub retired: bool,
}

impl Record for Checkpoint {
    const CONTAINER: Container = Container::Checkpoints;

    fn id(&self) -> &str {
        &self.id
    }

    fn validate(&self) -> Result<(), SchemaError> {
        check_id("checkpoint", &self.id)?;
        check_text("checkpoint code", &self.code, true, 32)?;
        check_text("checkpoint name", &self.name, true, 100)?;
        check_text("checkpoint location", &self.location, false, 200)
    }

    /// By code.
    fn order(a: &Self, b: &Self) -> std::cmp::Ordering {
        a.code.cmp(&b.code).then_with(|| a.id.cmp(&b.id))
    }
}

/// Every checkpoint of the zone, ordered by code.
pub fn checkpoints(doc: &impl ReadRecords) -> Result<Vec<Checkpoint>, SchemaError> {
    list(doc)
}

/// The active checkpoint whose code matches what was typed or scanned (case
/// and surrounding spaces ignored).
pub fn find_by_code(doc: &Automerge, code: &str) -> Result<Option<Checkpoint>, SchemaError> {
    let wanted = code.trim();
    Ok(checkpoints(doc)?
        .into_iter()
        .find(|checkpoint| !checkpoint.retired && checkpoint.code.eq_ignore_ascii_case(wanted)))
}

/// Adds or replaces a checkpoint, as one change. Codes are unique among the
/// zone's active checkpoints.
pub fn put_checkpoint(
    doc: &mut Automerge,
    checkpoint: &Checkpoint,
    unix_ms: i64,
) -> Result<(), SchemaError> {
    checkpoint.validate()?;
    if !checkpoint.retired {
        if let Some(other) = find_by_code(doc, &checkpoint.code)? {
            if other.id != checkpoint.id {
                return Err(SchemaError::Invalid(format!(
                    "code {} is already used by {}",
                    checkpoint.code, other.name
                )));
            }
        }
    }
    put(doc, checkpoint, unix_ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::DocKey;

    fn checkpoint(id: &str, code: &str) -> Checkpoint {
        Checkpoint {
            id: id.into(),
            code: code.into(),
            name: format!("Gate {code}"),
            location: "North".into(),
            retired: false,
        }
    }

    #[test]
    fn finds_checkpoints_by_code() {
        let mut doc = DocKey::zone_directory("demo", "A").genesis();
        put_checkpoint(&mut doc, &checkpoint("cp1", "A-01"), 0).unwrap();
        put_checkpoint(&mut doc, &checkpoint("cp2", "A-02"), 0).unwrap();
        assert_eq!(checkpoints(&doc).unwrap().len(), 2);
        assert_eq!(find_by_code(&doc, " a-02 ").unwrap().unwrap().id, "cp2");
        assert!(find_by_code(&doc, "B-01").unwrap().is_none());
    }

    #[test]
    fn reads_checkpoints_written_as_text_by_javascript_peers() {
        use automerge::transaction::Transactable;
        use automerge::ObjType;
        let mut doc = DocKey::zone_directory("demo", "A").genesis();
        let (_, map) = automerge::ReadDoc::get(&doc, automerge::ROOT, CHECKPOINTS)
            .unwrap()
            .unwrap();
        let mut tx = doc.transaction();
        let record = tx.put_object(&map, "cp9", ObjType::Map).unwrap();
        for (field, value) in [
            ("id", "cp9"),
            ("code", "A-09"),
            ("name", "Gate"),
            ("location", ""),
        ] {
            let text = tx.put_object(&record, field, ObjType::Text).unwrap();
            tx.splice_text(&text, 0, 0, value).unwrap();
        }
        tx.commit();
        let found = find_by_code(&doc, "A-09").unwrap().unwrap();
        assert_eq!(found.name, "Gate");
    }

    #[test]
    fn refuses_invalid_checkpoints() {
        let mut doc = DocKey::zone_directory("demo", "A").genesis();
        let genesis = doc.get_heads();
        assert!(put_checkpoint(&mut doc, &checkpoint("bad/id", "A-01"), 0).is_err());
        assert_eq!(doc.get_heads(), genesis);
        assert!(put_checkpoint(&mut doc, &checkpoint("cp1", " "), 0).is_err());
        put_checkpoint(&mut doc, &checkpoint("cp1", "A-01"), 0).unwrap();
        let heads = doc.get_heads();
        assert!(
            put_checkpoint(&mut doc, &checkpoint("cp2", "a-01"), 0).is_err(),
            "a code in use"
        );
        assert_eq!(doc.get_heads(), heads, "a refused record changes nothing");
    }
}

//! A tablet's own pending records after an app update: the compatibility
//! rule between releases, and the numbered steps that carry it out
//! (docs/upgrades.md, *Changes a newer release would refuse*).
//!
//! **Releases only add.** A new build may add optional fields, records and
//! kinds; the typed readers skip what they do not know, and the server's
//! shape check (`schema::shape`) bounds a record without listing its
//! fields. So what an older build writes is accepted by a newer server as it
//! is, and needs no rule version bump.
//!
//! **Anything else is a numbered step.** A release that changes what is
//! already written (renames a field or a role, makes a field required,
//! tightens a bound) bumps [`RULES_VERSION`](crate::version::RULES_VERSION)
//! and adds a [`Step`] here that rewrites a record of the older rules into
//! the new ones. The server keeps accepting the older rules for as long as
//! tablets may be offline ([`OLDEST_ACCEPTED_RULES`](crate::version::OLDEST_ACCEPTED_RULES)),
//! reading them through a compatibility rule of its own; a tablet that was
//! offline longer is refused at the handshake, keeps everything and asks
//! for the new build. After the update the new build runs every step over
//! the records it has not yet had acknowledged ([`migrate_pending`]), in a
//! change of its own on top of them, before sync offers them: the server
//! judges what a sync message does as a whole (its patches), so the record
//! arrives in the new shape. Nothing is deleted: a step only writes fields.
//!
//! Steps must be idempotent (a record already in the new shape is left
//! alone): a tablet runs them whenever it loads a document with pending
//! changes, so a crash midway, or a record written by the new build itself,
//! is harmless.

use std::collections::BTreeSet;

use automerge::transaction::Transaction;
use automerge::{AutomergeError, ChangeHash, ObjId, ObjType, PatchAction, Prop, ReadDoc, Value};

use crate::schema::DocKind;

/// One record a tablet changed and the server has not acknowledged.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PendingRecord {
    /// The container under the root (`scans`, `requests`, …).
    pub container: String,
    /// The record's id in it.
    pub id: String,
}

/// Rewrites one record of the rules `to - 1` into the rules `to`.
pub struct Step {
    /// The rules version the step brings records to.
    pub to: u32,
    /// What it does, for logs.
    pub name: &'static str,
    /// Rewrites the record (a map, `record`) if it is in the older shape;
    /// returns whether it wrote anything. Must leave a record already in
    /// the new shape alone.
    pub apply:
        fn(&mut Transaction<'_>, DocKind, &PendingRecord, &ObjId) -> Result<bool, AutomergeError>,
}

/// The steps of this build, in order. Empty until a release needs one.
#[cfg(not(feature = "upgrade-test-b"))]
pub const STEPS: &[Step] = &[];

/// Build B of the upgrade test (`scripts/test`, `tests/e2e/upgrade.test.mjs`):
/// its rules 2 add an optional field, `rules`, that names the rules a record
/// was written under; its step 2 stamps it on pending records of rules 1.
#[cfg(feature = "upgrade-test-b")]
pub const STEPS: &[Step] = &[test_b::STEP];

#[cfg(any(test, feature = "upgrade-test-b"))]
pub mod test_b {
    use super::*;
    use automerge::transaction::Transactable;

    /// The optional field rules 2 add.
    pub const RULES_FIELD: &str = "rules";

    pub const STEP: Step = Step {
        to: 2,
        name: "records name their rules",
        apply,
    };

    fn apply(
        tx: &mut Transaction<'_>,
        _kind: DocKind,
        _record: &PendingRecord,
        obj: &ObjId,
    ) -> Result<bool, AutomergeError> {
        if tx.get(obj, RULES_FIELD)?.is_some() {
            return Ok(false);
        }
        tx.put(obj, RULES_FIELD, 2_u64)?;
        Ok(true)
    }
}

/// The records of `doc` (a document of `kind`) changed since `acked`, the
/// heads the server acknowledged: created, or with a field written.
pub fn pending_records(
    doc: &automerge::Automerge,
    kind: DocKind,
    acked: &[ChangeHash],
) -> Vec<PendingRecord> {
    if doc.get_changes_meta(acked).is_empty() {
        return Vec::new();
    }
    let mut records = BTreeSet::new();
    for patch in doc.diff(acked, &doc.get_heads()) {
        let Some((_, Prop::Map(container))) = patch.path.first() else {
            continue;
        };
        if !kind.has_container(container) {
            continue;
        }
        let id = match (patch.path.get(1), &patch.action) {
            (Some((_, Prop::Map(id))), _) => id.clone(),
            (None, PatchAction::PutMap { key, .. }) => key.clone(),
            _ => continue,
        };
        records.insert(PendingRecord {
            container: container.clone(),
            id,
        });
    }
    records.into_iter().collect()
}

/// Runs `steps` over the pending records of `doc` (changes since `acked`),
/// in one change on top of them. Returns how many records were rewritten;
/// 0 leaves the document as it was (no empty change).
pub fn migrate_pending(
    doc: &mut automerge::Automerge,
    kind: DocKind,
    acked: &[ChangeHash],
    steps: &[Step],
) -> Result<usize, AutomergeError> {
    if steps.is_empty() {
        return Ok(0);
    }
    let records = pending_records(doc, kind, acked);
    if records.is_empty() {
        return Ok(0);
    }
    let mut tx = doc.transaction();
    let mut rewritten = 0;
    for record in &records {
        let Some((_, container)) = tx.get(automerge::ROOT, record.container.as_str())? else {
            continue;
        };
        // Every value under the id (concurrent writes give several).
        let mut changed = false;
        let objects: Vec<ObjId> = tx
            .get_all(&container, record.id.as_str())?
            .into_iter()
            .filter(|(value, _)| matches!(value, Value::Object(ObjType::Map)))
            .map(|(_, obj)| obj)
            .collect();
        for obj in objects {
            for step in steps {
                changed |= (step.apply)(&mut tx, kind, record, &obj)?;
            }
        }
        rewritten += usize::from(changed);
    }
    if rewritten == 0 {
        tx.rollback();
    } else {
        tx.commit();
    }
    Ok(rewritten)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::DocKey;
    use automerge::transaction::Transactable;
    use automerge::ActorId;

    fn day() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2025, 3, 14).unwrap()
    }

    /// A patrol log with one scan the server acknowledged and one it has not.
    fn log_with_a_pending_scan() -> (automerge::Automerge, Vec<ChangeHash>) {
        let key = DocKey::patrol_log("site", "zone-a", day());
        let mut doc = key.genesis();
        doc.set_actor(ActorId::random());
        let scans =
            |doc: &automerge::Automerge| doc.get(automerge::ROOT, "scans").unwrap().unwrap().1;
        let put_scan = |doc: &mut automerge::Automerge, id: &str| {
            let container = scans(doc);
            let mut tx = doc.transaction();
            let scan = tx.put_object(&container, id, ObjType::Map).unwrap();
            tx.put(&scan, "code", "A-01").unwrap();
            tx.commit();
        };
        put_scan(&mut doc, "acked");
        let acked = doc.get_heads();
        put_scan(&mut doc, "pending");
        (doc, acked)
    }

    fn rules_of(doc: &automerge::Automerge, id: &str) -> Option<String> {
        let scans = doc.get(automerge::ROOT, "scans").unwrap().unwrap().1;
        let scan = doc.get(&scans, id).unwrap().unwrap().1;
        doc.get(&scan, test_b::RULES_FIELD)
            .unwrap()
            .map(|(value, _)| value.to_string())
    }

    #[test]
    fn finds_the_records_changed_since_the_acknowledged_heads() {
        let (doc, acked) = log_with_a_pending_scan();
        assert_eq!(
            pending_records(&doc, DocKind::PatrolLog, &acked),
            vec![PendingRecord {
                container: "scans".into(),
                id: "pending".into()
            }]
        );
        assert!(pending_records(&doc, DocKind::PatrolLog, &doc.get_heads()).is_empty());
    }

    #[test]
    fn a_step_rewrites_pending_records_only_and_once() {
        let (mut doc, acked) = log_with_a_pending_scan();
        let steps = [test_b::STEP];
        assert_eq!(
            migrate_pending(&mut doc, DocKind::PatrolLog, &acked, &steps),
            Ok(1)
        );
        assert_eq!(rules_of(&doc, "pending").as_deref(), Some("2"));
        // What the server holds is the server's business.
        assert_eq!(rules_of(&doc, "acked"), None);
        // Run again (a crash, the next start): nothing more to do, no change.
        let heads = doc.get_heads();
        assert_eq!(
            migrate_pending(&mut doc, DocKind::PatrolLog, &acked, &steps),
            Ok(0)
        );
        assert_eq!(doc.get_heads(), heads);
        // Nothing recorded is lost.
        let scans = doc.get(automerge::ROOT, "scans").unwrap().unwrap().1;
        assert_eq!(doc.keys(&scans).count(), 2);
    }

    #[test]
    fn no_steps_or_nothing_pending_leaves_the_document_alone() {
        let (mut doc, acked) = log_with_a_pending_scan();
        let heads = doc.get_heads();
        assert_eq!(
            migrate_pending(&mut doc, DocKind::PatrolLog, &acked, &[]),
            Ok(0)
        );
        let all = doc.get_heads();
        assert_eq!(
            migrate_pending(&mut doc, DocKind::PatrolLog, &all, &[test_b::STEP]),
            Ok(0)
        );
        assert_eq!(doc.get_heads(), heads);
    }

    #[test]
    fn this_builds_steps_lead_to_its_rules() {
        let mut version = crate::version::OLDEST_ACCEPTED_RULES;
        for step in STEPS {
            assert!(step.to > version, "step {} is out of order", step.name);
            version = step.to;
        }
        assert!(version <= crate::version::RULES_VERSION);
    }
}

//! The shape every document keeps, whoever writes to it: what the server
//! checks on each peer's changes before it stores them.
//!
//! - The root is the genesis's and nobody else's: after the genesis no change
//!   may put, delete or conflict a root field (`kind`, `site`, `zone`,
//!   `date`, `schema_version`) or a record container. So a document's kind is
//!   what its id says, and its containers stay the maps every tablet adds to.
//! - A container holds records: maps under an id, never deleted (nothing
//!   recorded is lost), never a scalar.
//! - A record whose kind carries a server receipt (patrol records) keeps the
//!   object the server stamped: it cannot be replaced by a new object, or
//!   shadowed by a conflicting one, to shed its receipt.
//! - A record written once (a request's intake, [`Container::written_once`])
//!   is never changed once stored: no field of it is written or removed, it
//!   is not replaced, and a second object under its id (two tablets of one
//!   user writing a request whose id is derived, e.g. from a patrol finding,
//!   offline) must name the same author, so nobody can shadow another's.
//! - A record of a container the server validates ([`Container::validated`]:
//!   work orders) reads as its type and passes its `validate`.
//! - Each record touched is bounded: nesting depth, keys per map, list
//!   length, string and text length ([`ShapeLimits`]).
//!
//! It reads the patches of what a sync message changed (so its cost follows
//! the change, not the document) and the document as it now is. It does not
//! check what a record's fields mean: the typed readers skip records they
//! cannot read, and the feature rules (`workflow`, `score`) judge the rest.

use automerge::{Automerge, ChangeHash, ObjId, ObjType, Patch, PatchAction, Prop, ReadDoc, Value};

use super::receipt::RECEIVED_AT;
use super::{Container, DocKind};

/// Bounds on one record, far above what any Roundbook screen writes (the
/// deepest record is a score-sheet template: template, areas, area, items,
/// item, 5 levels; the longest text a form takes is 2,000 characters, 6,000
/// bytes of UTF-8; the longest list is a record's photos, at most 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShapeLimits {
    /// Record id length, bytes (ids are at most 64 ASCII characters).
    pub max_id_bytes: usize,
    /// Maps and lists inside a record, counting the record as 1.
    pub max_depth: usize,
    /// Keys of one map inside a record (the widest record has ~25 fields).
    pub max_keys: usize,
    /// Items of one list inside a record.
    pub max_list_len: usize,
    /// Bytes of one string, byte string or text.
    pub max_text_bytes: usize,
}

impl Default for ShapeLimits {
    fn default() -> Self {
        Self {
            max_id_bytes: 128,
            max_depth: 8,
            max_keys: 64,
            max_list_len: 256,
            max_text_bytes: 16 * 1024,
        }
    }
}

/// How a change broke a document's shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    #[error("a change writes the document's root field `{0}`, which only its genesis sets")]
    Root(String),
    #[error("a change deletes the record `{id}` from `{container}`; records are never deleted")]
    Deleted { container: String, id: String },
    #[error("`{container}` may hold only records (maps), and `{id}` is not one")]
    NotARecord { container: String, id: String },
    #[error("a change replaces the stamped record `{id}` in `{container}`, shedding its receipt")]
    Restamped { container: String, id: String },
    #[error(
        "a change rewrites or shadows the record `{id}` in `{container}`, which is written once"
    )]
    Rewritten { container: String, id: String },
    #[error("the record `{id}` in `{container}` is malformed: {what}")]
    Invalid {
        container: String,
        id: String,
        what: String,
    },
    #[error("the record `{id}` in `{container}` is out of bounds: {what}")]
    TooBig {
        container: String,
        id: String,
        what: String,
    },
}

/// A record a peer's changes touched: its container's name and its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Touched {
    pub container: String,
    pub id: String,
}

/// Checks what applying a peer's changes did (`patches`, logged while they
/// were applied to `doc`, which was at `before`) to a document of `kind`,
/// and answers the records they touched (for the checks that depend on who
/// sent them: `authorship`).
pub fn check(
    doc: &Automerge,
    kind: DocKind,
    before: &[ChangeHash],
    patches: &[Patch],
    limits: &ShapeLimits,
) -> Result<Vec<Touched>, ShapeError> {
    let mut touched: Vec<Touched> = Vec::new();
    // The objects of written-once records that a patch changed inside.
    let mut written_inside: Vec<ObjId> = Vec::new();
    for patch in patches {
        let Some((_, Prop::Map(container))) = patch.path.first() else {
            return Err(ShapeError::Root(root_prop(&patch.action)));
        };
        if !kind.has_container(container) {
            return Err(ShapeError::Root(container.clone()));
        }
        let id = match (patch.path.get(1), &patch.action) {
            (Some((_, Prop::Map(id))), _) => id.clone(),
            (Some((_, Prop::Seq(_))), _) => {
                return Err(ShapeError::NotARecord {
                    container: container.clone(),
                    id: String::new(),
                })
            }
            (None, PatchAction::DeleteMap { key }) => {
                return Err(ShapeError::Deleted {
                    container: container.clone(),
                    id: key.clone(),
                })
            }
            (None, PatchAction::PutMap { key, .. }) => key.clone(),
            (
                None,
                PatchAction::Conflict {
                    prop: Prop::Map(key),
                },
            ) => key.clone(),
            (
                None,
                PatchAction::Increment {
                    prop: Prop::Map(key),
                    ..
                },
            ) => key.clone(),
            (None, _) => {
                return Err(ShapeError::NotARecord {
                    container: container.clone(),
                    id: String::new(),
                })
            }
        };
        if Container::of_kind(kind, container).is_some_and(Container::written_once) {
            // The path runs from the root: (root, container), (container, id),
            // then (record, field)...; a patch of the record's own fields has
            // the record as its object.
            match (patch.path.len(), patch.path.get(2)) {
                (2, _) => written_inside.push(patch.obj.clone()),
                (_, Some((record, _))) => written_inside.push(record.clone()),
                _ => {}
            }
        }
        let entry = Touched {
            container: container.clone(),
            id,
        };
        if !touched.contains(&entry) {
            touched.push(entry);
        }
    }
    for Touched { container, id } in &touched {
        check_record(doc, kind, before, container, id, limits)?;
        if let Some(validated) = Container::of_kind(kind, container).filter(|c| c.validated()) {
            validated
                .record_type()
                .check(doc, id)
                .map_err(|error| ShapeError::Invalid {
                    container: container.clone(),
                    id: id.chars().take(64).collect(),
                    what: error.to_string(),
                })?;
        }
        if Container::of_kind(kind, container).is_some_and(Container::written_once) {
            check_written_once(doc, before, container, id, &written_inside)?;
        }
    }
    Ok(touched)
}

/// The root field a root patch is about, for the message.
fn root_prop(action: &PatchAction) -> String {
    match action {
        PatchAction::PutMap { key, .. } | PatchAction::DeleteMap { key } => key.clone(),
        PatchAction::Conflict { prop } | PatchAction::Increment { prop, .. } => prop.to_string(),
        other => format!("{other:?}").chars().take(40).collect(),
    }
}

fn check_record(
    doc: &Automerge,
    kind: DocKind,
    before: &[ChangeHash],
    container: &str,
    id: &str,
    limits: &ShapeLimits,
) -> Result<(), ShapeError> {
    let too_big = |what: String| ShapeError::TooBig {
        container: container.to_owned(),
        id: id.chars().take(64).collect(),
        what,
    };
    let not_a_record = || ShapeError::NotARecord {
        container: container.to_owned(),
        id: id.chars().take(64).collect(),
    };
    if id.len() > limits.max_id_bytes {
        return Err(too_big(format!("an id of {} bytes", id.len())));
    }
    let Ok(Some((_, map))) = doc.get(automerge::ROOT, container) else {
        return Err(ShapeError::Root(container.to_owned()));
    };
    let values = doc.get_all(&map, id).map_err(|_| not_a_record())?;
    if values.is_empty() {
        return Err(ShapeError::Deleted {
            container: container.to_owned(),
            id: id.chars().take(64).collect(),
        });
    }
    if Container::of_kind(kind, container).is_some_and(Container::receipted) {
        let stamped: Vec<ObjId> = doc
            .get_all_at(&map, id, before)
            .map_err(|_| not_a_record())?
            .into_iter()
            .filter(|(_, record)| matches!(doc.get_at(record, RECEIVED_AT, before), Ok(Some(_))))
            .map(|(_, record)| record)
            .collect();
        if !stamped.is_empty() && values.iter().map(|(_, record)| record).ne(stamped.iter()) {
            return Err(ShapeError::Restamped {
                container: container.to_owned(),
                id: id.chars().take(64).collect(),
            });
        }
    }
    for (value, record) in values {
        if !matches!(value, Value::Object(ObjType::Map)) {
            return Err(not_a_record());
        }
        bounded(doc, &record, ObjType::Map, 1, limits).map_err(too_big)?;
    }
    Ok(())
}

/// A written-once record `id` of `container` that existed at `before` is
/// unchanged: none of its objects was written inside (`written_inside`) or
/// replaced, and any new object under its id names the same author.
fn check_written_once(
    doc: &Automerge,
    before: &[ChangeHash],
    container: &str,
    id: &str,
    written_inside: &[ObjId],
) -> Result<(), ShapeError> {
    let rewritten = || ShapeError::Rewritten {
        container: container.to_owned(),
        id: id.chars().take(64).collect(),
    };
    let Ok(Some((_, map))) = doc.get(automerge::ROOT, container) else {
        return Err(ShapeError::Root(container.to_owned()));
    };
    let stored: Vec<ObjId> = doc
        .get_all_at(&map, id, before)
        .map_err(|_| rewritten())?
        .into_iter()
        .map(|(_, record)| record)
        .collect();
    if stored.is_empty() {
        return Ok(());
    }
    if stored.iter().any(|record| written_inside.contains(record)) {
        return Err(rewritten());
    }
    let now: Vec<ObjId> = doc
        .get_all(&map, id)
        .map_err(|_| rewritten())?
        .into_iter()
        .map(|(_, record)| record)
        .collect();
    if stored.iter().any(|record| !now.contains(record)) {
        return Err(rewritten());
    }
    let author_field = Container::ALL
        .iter()
        .find(|known| known.name() == container)
        .and_then(|known| known.record_type().author);
    let author = |record: &ObjId, heads: Option<&[ChangeHash]>| -> Option<String> {
        let field = author_field?;
        let value = match heads {
            Some(heads) => doc.get_at(record, field, heads),
            None => doc.get(record, field),
        };
        match value.ok().flatten()? {
            (Value::Scalar(scalar), _) => scalar.as_str().map(str::to_owned),
            _ => None,
        }
    };
    let owner = author(&stored[0], Some(before));
    for record in now.iter().filter(|record| !stored.contains(record)) {
        if owner.is_none() || author(record, None) != owner {
            return Err(rewritten());
        }
    }
    Ok(())
}

/// Walks an object inside a record, checking every bound.
fn bounded(
    doc: &Automerge,
    obj: &ObjId,
    kind: ObjType,
    depth: usize,
    limits: &ShapeLimits,
) -> Result<(), String> {
    if depth > limits.max_depth {
        return Err(format!("nested deeper than {}", limits.max_depth));
    }
    let value_ok = |value: Value<'_>, child: ObjId| -> Result<(), String> {
        match value {
            Value::Object(ObjType::Text) => {
                let length = doc.length(&child);
                if length > limits.max_text_bytes {
                    return Err(format!("a text of {length} characters"));
                }
                Ok(())
            }
            Value::Object(inner) => bounded(doc, &child, inner, depth + 1, limits),
            Value::Scalar(scalar) => {
                let bytes = match scalar.as_ref() {
                    automerge::ScalarValue::Str(text) => text.len(),
                    automerge::ScalarValue::Bytes(bytes) => bytes.len(),
                    automerge::ScalarValue::Unknown { bytes, .. } => bytes.len(),
                    _ => 0,
                };
                if bytes > limits.max_text_bytes {
                    return Err(format!("a value of {bytes} bytes"));
                }
                Ok(())
            }
        }
    };
    match kind {
        ObjType::Map | ObjType::Table => {
            let keys = doc.length(obj);
            if keys > limits.max_keys {
                return Err(format!("a map of {keys} keys"));
            }
            for key in doc.keys(obj) {
                if key.len() > limits.max_id_bytes {
                    return Err(format!("a key of {} bytes", key.len()));
                }
                if let Ok(Some((value, child))) = doc.get(obj, key.as_str()) {
                    value_ok(value, child)?;
                }
            }
        }
        ObjType::List => {
            let length = doc.length(obj);
            if length > limits.max_list_len {
                return Err(format!("a list of {length} items"));
            }
            for index in 0..length {
                if let Ok(Some((value, child))) = doc.get(obj, index) {
                    value_ok(value, child)?;
                }
            }
        }
        ObjType::Text => {
            let length = doc.length(obj);
            if length > limits.max_text_bytes {
                return Err(format!("a text of {length} characters"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;
    use automerge::ROOT;
    use chrono::NaiveDate;

    use crate::fixtures::patrol::scan;
    use crate::fixtures::requests::{event, intake};
    use crate::fixtures::sync::peer_edit;
    use crate::fixtures::AT;
    use crate::schema::cleaning::{default_template, publish_template};
    use crate::schema::patrol::{record_scan, SCANS};
    use crate::schema::receipt::{stamp_new_records, Receipt};
    use crate::schema::request::{put_request, put_request_event, Action, Request, RequestKind};
    use crate::schema::DocKey;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    /// Applies what `edit` does to a copy of `server` back onto `server`,
    /// as the hub does with a peer's changes, and checks the shape.
    fn judge(
        server: &mut Automerge,
        kind: DocKind,
        edit: impl FnOnce(&mut Automerge),
    ) -> Result<(), ShapeError> {
        let (before, patches) = peer_edit(server, edit);
        check(server, kind, &before, &patches, &ShapeLimits::default()).map(|_| ())
    }

    #[test]
    fn a_stored_request_intake_is_never_changed_or_shadowed() {
        let mut log = DocKey::request_log("demo", "A", day()).genesis();
        let request = intake("req-1", RequestKind::RepairCommon);
        judge(&mut log, DocKind::RequestLog, |doc| {
            put_request(doc, &request).unwrap();
        })
        .unwrap();
        let refused = Err(ShapeError::Rewritten {
            container: "requests".into(),
            id: "req-1".into(),
        });
        type Bend = fn(&mut Automerge);
        let bends: [(&str, Bend); 5] = [
            ("edit its description", |doc| {
                let edited = Request {
                    description: "另一件事".into(),
                    ..intake("req-1", RequestKind::RepairCommon)
                };
                crate::schema::put(doc, &edited, AT).unwrap();
            }),
            ("add a photo to it", |doc| {
                let (_, requests) = doc.get(ROOT, "requests").unwrap().unwrap();
                let (_, record) = doc.get(&requests, "req-1").unwrap().unwrap();
                let (_, photos) = doc.get(&record, "photos").unwrap().unwrap();
                let mut tx = doc.transaction();
                tx.insert(&photos, 0, "a".repeat(64)).unwrap();
                tx.commit();
            }),
            ("add a field to it", |doc| {
                let (_, requests) = doc.get(ROOT, "requests").unwrap().unwrap();
                let (_, record) = doc.get(&requests, "req-1").unwrap().unwrap();
                let mut tx = doc.transaction();
                tx.put(&record, "closed", true).unwrap();
                tx.commit();
            }),
            ("replace it with a new object in the same name", |doc| {
                let (_, requests) = doc.get(ROOT, "requests").unwrap().unwrap();
                let mut tx = doc.transaction();
                let record = tx.put_object(&requests, "req-1", ObjType::Map).unwrap();
                tx.put(&record, "received_by", "service-a").unwrap();
                tx.commit();
            }),
            ("shadow it with another user's, made offline", |doc| {
                let mut other = DocKey::request_log("demo", "A", day()).genesis();
                let theirs = Request {
                    received_by: "guard-a".into(),
                    ..intake("req-1", RequestKind::RepairCommon)
                };
                put_request(&mut other, &theirs).unwrap();
                doc.merge(&mut other).unwrap();
            }),
        ];
        for (bend, make) in bends {
            assert_eq!(
                judge(&mut log.clone(), DocKind::RequestLog, make),
                refused,
                "{bend}"
            );
        }
        // Its own author's second tablet, offline, wrote it too (an id
        // derived from a patrol finding): the two merge under one id.
        judge(&mut log.clone(), DocKind::RequestLog, |doc| {
            let mut other = DocKey::request_log("demo", "A", day()).genesis();
            let second = Request {
                device: "tablet-2".into(),
                ..intake("req-1", RequestKind::RepairCommon)
            };
            put_request(&mut other, &second).unwrap();
            doc.merge(&mut other).unwrap();
        })
        .unwrap();
        // Its life goes on in events, and new requests are taken.
        judge(&mut log, DocKind::RequestLog, |doc| {
            put_request_event(doc, &event("ev-1", Action::Accept, AT + 1)).unwrap();
            put_request(doc, &intake("req-2", RequestKind::Complaint)).unwrap();
        })
        .unwrap();
    }

    #[test]
    fn what_the_app_writes_keeps_the_shape() {
        let mut setup = DocKey::cleaning_setup("demo").genesis();
        judge(&mut setup, DocKind::CleaningSetup, |doc| {
            let mut template = default_template();
            template.id = "v2".into();
            template.version = 2;
            template.published_at = 1_795_399_200_000;
            template.published_by = "environment".into();
            publish_template(doc, &template).unwrap()
        })
        .unwrap();

        let mut log = DocKey::request_log("demo", "A", day()).genesis();
        judge(&mut log, DocKind::RequestLog, |doc| {
            let request = intake("req-1", RequestKind::Complaint);
            put_request(doc, &request).unwrap();
            let mut assign = event("ev-1", Action::Assign, 1_795_399_200_000);
            assign.request_id = request.id;
            put_request_event(doc, &assign).unwrap();
        })
        .unwrap();

        let mut patrol = DocKey::patrol_log("demo", "A", day()).genesis();
        judge(&mut patrol, DocKind::PatrolLog, |doc| {
            record_scan(doc, &scan("s1", 1_795_399_200_000)).unwrap()
        })
        .unwrap();
        // A tablet rewriting its own stamped record in place keeps the shape.
        let before = patrol.get_heads();
        stamp(&mut patrol);
        assert_ne!(patrol.get_heads(), before);
        judge(&mut patrol, DocKind::PatrolLog, |doc| {
            let mut again = scan("s1", 1_795_399_200_000);
            again.method = "camera".into();
            record_scan(doc, &again).unwrap()
        })
        .unwrap();
    }

    /// The server's receipt on every record of `patrol` not stamped yet.
    fn stamp(patrol: &mut Automerge) {
        let receipt = Receipt {
            received_at: 1_795_399_300_000,
            clock_skew_ms: None,
        };
        stamp_new_records(
            patrol,
            DocKind::PatrolLog,
            &[],
            receipt,
            &crate::fixtures::seal(),
        )
        .unwrap();
    }

    #[test]
    fn bends_are_refused() {
        let mut patrol = DocKey::patrol_log("demo", "A", day()).genesis();
        record_scan(&mut patrol, &scan("s1", 1_795_399_200_000)).unwrap();
        stamp(&mut patrol);

        let root = judge(&mut patrol.clone(), DocKind::PatrolLog, |doc| {
            doc.transact::<_, _, automerge::AutomergeError>(|tx| {
                tx.put(ROOT, "kind", "zone_directory")
            })
            .unwrap();
        });
        assert_eq!(root, Err(ShapeError::Root("kind".into())));

        let replaced = judge(&mut patrol.clone(), DocKind::PatrolLog, |doc| {
            let (_, scans) = doc.get(ROOT, SCANS).unwrap().unwrap();
            doc.transact::<_, _, automerge::AutomergeError>(|tx| {
                let fresh = tx.put_object(&scans, "s1", ObjType::Map)?;
                tx.put(&fresh, "id", "s1")
            })
            .unwrap();
        });
        assert!(
            matches!(replaced, Err(ShapeError::Restamped { .. })),
            "{replaced:?}"
        );

        let deleted = judge(&mut patrol.clone(), DocKind::PatrolLog, |doc| {
            let (_, scans) = doc.get(ROOT, SCANS).unwrap().unwrap();
            doc.transact::<_, _, automerge::AutomergeError>(|tx| tx.delete(&scans, "s1"))
                .unwrap();
        });
        assert!(
            matches!(deleted, Err(ShapeError::Deleted { .. })),
            "{deleted:?}"
        );

        let scalar = judge(&mut patrol.clone(), DocKind::PatrolLog, |doc| {
            let (_, scans) = doc.get(ROOT, SCANS).unwrap().unwrap();
            doc.transact::<_, _, automerge::AutomergeError>(|tx| tx.put(&scans, "s2", 7))
                .unwrap();
        });
        assert!(
            matches!(scalar, Err(ShapeError::NotARecord { .. })),
            "{scalar:?}"
        );

        let long = judge(&mut patrol.clone(), DocKind::PatrolLog, |doc| {
            let (_, scans) = doc.get(ROOT, SCANS).unwrap().unwrap();
            doc.transact::<_, _, automerge::AutomergeError>(|tx| {
                let record = tx.put_object(&scans, "s3", ObjType::Map)?;
                tx.put(&record, "note", "x".repeat(20_000))
            })
            .unwrap();
        });
        assert!(matches!(long, Err(ShapeError::TooBig { .. })), "{long:?}");

        let deep = judge(&mut patrol.clone(), DocKind::PatrolLog, |doc| {
            let (_, scans) = doc.get(ROOT, SCANS).unwrap().unwrap();
            doc.transact::<_, _, automerge::AutomergeError>(|tx| {
                let mut at = tx.put_object(&scans, "s4", ObjType::Map)?;
                for _ in 0..10 {
                    at = tx.put_object(&at, "inner", ObjType::Map)?;
                }
                Ok(())
            })
            .unwrap();
        });
        assert!(matches!(deep, Err(ShapeError::TooBig { .. })), "{deep:?}");
    }
}

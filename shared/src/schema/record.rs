//! The one mapping between record types and Automerge: a record is written
//! and read through its serde derive, and nothing else.
//!
//! - **Reading** hydrates a container (or one record) out of Automerge in
//!   one pass and deserializes each record from the plain value. Text and
//!   scalar strings read alike, so a field the JavaScript client wrote as
//!   collaborative text needs no attribute. A record that does not
//!   deserialize (written by a buggy or hostile peer) is skipped rather than
//!   hiding the rest.
//! - **Writing** serializes the record and reconciles the value into the
//!   record's map: only fields whose value differs are written, and keys the
//!   type does not know (written by a newer build, or the server's receipt)
//!   are left as they are.
//!
//! A record type says where it lives and what makes it valid by
//! implementing [`Record`]; [`put`], [`get`] and [`list`] then work for it.
//! Rules that need more than the record itself (a scan's round, a locked
//! month) stay in the record's module, which calls these.
//!
//! This module must not know any record type.

use std::cmp::Ordering;

use automerge::transaction::{CommitOptions, Transactable, Transaction};
use automerge::{hydrate, Automerge, ObjId, ObjType, Prop, ReadDoc, ScalarValue, ROOT};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::{Container, SchemaError};

/// A record type: where its records live and what makes one valid.
pub trait Record: Serialize + DeserializeOwned {
    /// The map under a document's root that holds records of this type.
    const CONTAINER: Container;

    /// The record's key in its container.
    fn id(&self) -> &str;

    /// Checks the record's own fields; [`put`] refuses a record that fails.
    fn validate(&self) -> Result<(), SchemaError>;

    /// Checks the record belongs in a document whose key's `zone` is
    /// `place` (a work order in its worker's log of its zone); every other
    /// type fits anywhere its kind does. Checked with [`Record::validate`]
    /// where the server validates a container (`Container::validated`).
    fn fits(&self, _place: &str) -> Result<(), SchemaError> {
        Ok(())
    }

    /// The order [`list`] returns records in: by id unless a type says otherwise.
    fn order(a: &Self, b: &Self) -> Ordering {
        a.id().cmp(b.id())
    }

    /// Whether records of this type hold residents' names or phone numbers:
    /// the office head's export names their file `-personal`, so nobody
    /// passes it on without noticing.
    const PERSONAL: bool = false;

    /// The field that says when the record was made, by its device's clock
    /// (Unix milliseconds), for a record of something that happened; `None`
    /// for what only exists (a checkpoint, a resident). An export of a date
    /// range keeps the records made within it.
    const MADE_AT: Option<&'static str> = None;

    /// The field holding the username of who made the record, where the
    /// record says. The server requires it to be the signed-in user's on
    /// every new record, and nobody may change it afterwards
    /// (`authorship`); the export shows it.
    const AUTHOR: Option<&'static str> = None;

    /// The fields holding the photo blobs (hashes) the record refers to,
    /// each one hash or a list of them, so an export can carry them.
    const BLOBS: &'static [&'static str] = &[];
}

/// The id of a record container, if the document has it (every document
/// born from its genesis has its kind's containers).
pub(crate) fn container(doc: &impl ReadDoc, container: Container) -> Result<ObjId, SchemaError> {
    match doc.get(ROOT, container.name())? {
        Some((automerge::Value::Object(ObjType::Map), id)) => Ok(id),
        _ => Err(SchemaError::MissingContainer(container.name())),
    }
}

/// What records are read from: a live document, or a [`RecordCopy`] of one
/// (readers that never write may keep copies, which read without loading
/// Automerge).
///
/// [`RecordCopy`]: super::copy::RecordCopy
pub trait ReadRecords {
    /// Every entry of `container` that deserializes as `T`, with its id.
    fn entries<T: DeserializeOwned>(
        &self,
        container: Container,
    ) -> Result<Vec<(String, T)>, SchemaError>;

    /// How many entries `container` holds, well formed or not (0 without it).
    fn held(&self, container: Container) -> usize;
}

impl ReadRecords for Automerge {
    fn entries<T: DeserializeOwned>(
        &self,
        container: Container,
    ) -> Result<Vec<(String, T)>, SchemaError> {
        let map = self::container(self, container)?;
        let hydrate::Value::Map(entries) = ReadDoc::hydrate(self, &map, None)? else {
            return Ok(Vec::new());
        };
        Ok(entries
            .iter()
            .filter_map(|(id, entry)| {
                let record = serde_json::from_value(plain(&entry.value)).ok()?;
                Some((id.clone(), record))
            })
            .collect())
    }

    fn held(&self, container: Container) -> usize {
        self::container(self, container).map_or(0, |map| self.length(&map))
    }
}

/// Every well-formed record of its container, in [`Record::order`].
pub fn list<R: Record>(doc: &impl ReadRecords) -> Result<Vec<R>, SchemaError> {
    let mut records: Vec<R> = doc
        .entries(R::CONTAINER)?
        .into_iter()
        .map(|(_, record)| record)
        .collect();
    records.sort_unstable_by(R::order);
    Ok(records)
}

/// One record by id, if it is there and well formed.
pub fn get<R: Record>(doc: &Automerge, id: &str) -> Result<Option<R>, SchemaError> {
    let map = container(doc, R::CONTAINER)?;
    let Some((automerge::Value::Object(ObjType::Map), record)) = doc.get(&map, id)? else {
        return Ok(None);
    };
    Ok(serde_json::from_value(plain(&ReadDoc::hydrate(doc, &record, None)?)).ok())
}

/// Whether every object under `id` in `R`'s container reads as an `R` and
/// passes its `validate` (the server's check of a touched record of a
/// [`Container::validated`] container).
pub fn check_one<R: Record>(doc: &Automerge, id: &str) -> Result<(), SchemaError> {
    let map = container(doc, R::CONTAINER)?;
    let place = match doc.get(ROOT, "zone")? {
        Some((automerge::Value::Scalar(value), _)) => match value.as_ref() {
            ScalarValue::Str(text) => text.to_string(),
            _ => String::new(),
        },
        _ => String::new(),
    };
    for (value, record) in doc.get_all(&map, id)? {
        if !matches!(value, automerge::Value::Object(ObjType::Map)) {
            return Err(SchemaError::Invalid(format!("{id} is not a record")));
        }
        let record: R = serde_json::from_value(plain(&ReadDoc::hydrate(doc, &record, None)?))
            .map_err(|error| SchemaError::Invalid(error.to_string()))?;
        record.validate()?;
        record.fits(&place)?;
    }
    Ok(())
}

/// Validates `record` and writes it under its id, as one change made at
/// `unix_ms`. A record already there is updated field by field.
pub fn put<R: Record>(doc: &mut Automerge, record: &R, unix_ms: i64) -> Result<(), SchemaError> {
    in_one_change(doc, unix_ms, |tx| write(tx, record))
}

/// Runs `writes` (calls of [`write`]) as one change made at `unix_ms`; if
/// any fails, nothing is written.
pub fn in_one_change(
    doc: &mut Automerge,
    unix_ms: i64,
    writes: impl FnOnce(&mut Transaction<'_>) -> Result<(), SchemaError>,
) -> Result<(), SchemaError> {
    doc.transact_with::<_, _, SchemaError, _>(
        |_| CommitOptions::default().with_time(unix_ms / 1000),
        writes,
    )
    .map_err(|failure| failure.error)?;
    Ok(())
}

/// Validates `record` and writes it under its id within a change (see
/// [`in_one_change`]).
pub fn write<R: Record>(tx: &mut Transaction<'_>, record: &R) -> Result<(), SchemaError> {
    record.validate()?;
    write_unchecked(tx, record)
}

/// Writes `record` without validating it: what a buggy or hostile peer
/// could write, for tests of what reads it.
pub(crate) fn write_unchecked<R: Record>(
    tx: &mut Transaction<'_>,
    record: &R,
) -> Result<(), SchemaError> {
    let value = serde_json::to_value(record)
        .map_err(|error| SchemaError::Invalid(format!("unwritable record: {error}")))?;
    let map = container(tx, R::CONTAINER)?;
    reconcile(tx, &map, Prop::Map(record.id().to_owned()), &value)
}

/// A hydrated Automerge value as plain JSON: text and scalar strings alike
/// become strings; scalars JSON has no form for become null.
pub(crate) fn plain(value: &hydrate::Value) -> Value {
    match value {
        hydrate::Value::Scalar(scalar) => scalar_json(scalar),
        hydrate::Value::Text(text) => Value::String(String::from(text)),
        hydrate::Value::List(list) => list.iter().map(|item| plain(&item.value)).collect(),
        hydrate::Value::Map(map) => map
            .iter()
            .map(|(key, item)| (key.clone(), plain(&item.value)))
            .collect(),
    }
}

fn scalar_json(scalar: &ScalarValue) -> Value {
    match scalar {
        ScalarValue::Str(text) => Value::String(text.to_string()),
        ScalarValue::Int(n) | ScalarValue::Timestamp(n) => (*n).into(),
        ScalarValue::Uint(n) => (*n).into(),
        ScalarValue::F64(n) => (*n).into(),
        ScalarValue::Boolean(b) => (*b).into(),
        _ => Value::Null,
    }
}

/// The scalar a JSON leaf is written as (whole numbers as integers).
fn json_scalar(value: &Value) -> ScalarValue {
    match value {
        Value::Bool(b) => ScalarValue::Boolean(*b),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(n), _) => ScalarValue::Int(n),
            (None, Some(n)) => ScalarValue::Uint(n),
            _ => ScalarValue::F64(n.as_f64().unwrap_or_default()),
        },
        Value::String(text) => ScalarValue::Str(text.as_str().into()),
        Value::Null | Value::Array(_) | Value::Object(_) => ScalarValue::Null,
    }
}

/// The object type a JSON value is written as, if it is not a scalar.
fn object_type(value: &Value) -> Option<ObjType> {
    match value {
        Value::Object(_) => Some(ObjType::Map),
        Value::Array(_) => Some(ObjType::List),
        _ => None,
    }
}

/// Makes `prop` of `obj` hold `value`, writing only what differs: a map's
/// fields one by one (keys `value` lacks are kept), a list item by item.
fn reconcile(
    tx: &mut Transaction<'_>,
    obj: &ObjId,
    prop: Prop,
    value: &Value,
) -> Result<(), SchemaError> {
    let existing = tx.get(obj, prop.clone())?;
    let Some(wanted) = object_type(value) else {
        let unchanged = match &existing {
            Some((automerge::Value::Scalar(scalar), _)) => scalar_json(scalar) == *value,
            Some((automerge::Value::Object(ObjType::Text), id)) => {
                value.as_str() == Some(tx.text(id)?.as_str())
            }
            _ => false,
        };
        if !unchanged {
            tx.put(obj, prop, json_scalar(value))?;
        }
        return Ok(());
    };
    let target = match existing {
        Some((automerge::Value::Object(kind), id)) if kind == wanted => id,
        _ => tx.put_object(obj, prop, wanted)?,
    };
    fill(tx, &target, value)
}

/// Makes the map or list `target` hold `value` (a JSON object or array):
/// each field reconciled, each item reconciled or inserted, surplus items
/// deleted. A new, empty object is filled the same way.
fn fill(tx: &mut Transaction<'_>, target: &ObjId, value: &Value) -> Result<(), SchemaError> {
    match value {
        Value::Object(fields) => {
            for (key, field) in fields {
                reconcile(tx, target, Prop::Map(key.clone()), field)?;
            }
        }
        Value::Array(items) => {
            let held = tx.length(target);
            for (index, item) in items.iter().enumerate() {
                if index < held {
                    reconcile(tx, target, Prop::Seq(index), item)?;
                } else {
                    insert(tx, target, index, item)?;
                }
            }
            for index in (items.len()..held).rev() {
                tx.delete(target, index)?;
            }
        }
        _ => unreachable!("only maps and lists are objects"),
    }
    Ok(())
}

/// Inserts `value` into a list at `index`.
fn insert(
    tx: &mut Transaction<'_>,
    list: &ObjId,
    index: usize,
    value: &Value,
) -> Result<(), SchemaError> {
    match object_type(value) {
        None => tx.insert(list, index, json_scalar(value))?,
        Some(kind) => {
            let object = tx.insert_object(list, index, kind)?;
            fill(tx, &object, value)?;
        }
    }
    Ok(())
}

//! Every record of a container as a flat row, whatever its type: what the
//! office head's export (the server's `export`) writes as CSV.
//!
//! Each record is read with its typed reader ([`list`], so a malformed
//! record is skipped as everywhere else) and serialized back with its serde
//! derive, so a field added to a record type is exported with no change
//! here; a new container only adds its line to [`Container::record_type`],
//! which the compiler asks for.
//!
//! This module must not decide who may export or which dates an export
//! covers, and formats nothing for a file: that is the server's.

use automerge::Automerge;
use serde_json::{Map, Value};

use super::{list, Container, Record, SchemaError};

/// One record, serialized, with what an export needs to know about it
/// whatever its type (see [`Record`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub id: String,
    /// When it was made, by its device's clock (Unix ms), if it says.
    pub made_at: Option<i64>,
    /// Who made it (username), if it says.
    pub author: Option<String>,
    /// The photo blobs (hashes) it refers to.
    pub blobs: Vec<String>,
    /// Every field as serde writes it, `id` included.
    pub fields: Map<String, Value>,
}

/// What the export needs of one record type.
#[derive(Debug, Clone, Copy)]
pub struct RecordType {
    /// Whether its records hold residents' names or phone numbers.
    pub personal: bool,
    /// The field that says when a record was made ([`Record::MADE_AT`]).
    pub made_at: Option<&'static str>,
    /// The field that names who made a record ([`Record::AUTHOR`]).
    pub author: Option<&'static str>,
    rows: fn(&Automerge) -> Result<Vec<Row>, SchemaError>,
    check: fn(&Automerge, &str) -> Result<(), SchemaError>,
}

impl RecordType {
    /// Every well-formed record of the type in `doc`, in its list order.
    pub fn rows(&self, doc: &Automerge) -> Result<Vec<Row>, SchemaError> {
        (self.rows)(doc)
    }

    /// Whether the record `id` in `doc` reads and validates (every object
    /// under the id): see `record::check_one`.
    pub fn check(&self, doc: &Automerge, id: &str) -> Result<(), SchemaError> {
        (self.check)(doc, id)
    }
}

/// The record type a container holds (its line is in
/// [`Container::record_type`], beside the container's name and kind).
pub fn record_type(container: Container) -> RecordType {
    container.record_type()
}

pub(crate) fn of<R: Record>() -> RecordType {
    RecordType {
        personal: R::PERSONAL,
        made_at: R::MADE_AT,
        author: R::AUTHOR,
        rows: rows_of::<R>,
        check: super::record::check_one::<R>,
    }
}

fn rows_of<R: Record>(doc: &Automerge) -> Result<Vec<Row>, SchemaError> {
    list::<R>(doc)?
        .into_iter()
        .map(|record| {
            let fields = match serde_json::to_value(&record) {
                Ok(Value::Object(fields)) => fields,
                Ok(other) => {
                    return Err(SchemaError::Invalid(format!(
                        "{:?} serializes as {other}, not an object",
                        R::CONTAINER
                    )))
                }
                Err(error) => return Err(SchemaError::Invalid(error.to_string())),
            };
            let field = |name: Option<&str>| name.and_then(|name| fields.get(name));
            Ok(Row {
                id: record.id().to_owned(),
                made_at: field(R::MADE_AT).and_then(Value::as_i64),
                author: field(R::AUTHOR).and_then(Value::as_str).map(str::to_owned),
                blobs: R::BLOBS
                    .iter()
                    .filter_map(|name| fields.get(*name))
                    .flat_map(|value| match value {
                        Value::Array(hashes) => hashes.iter().collect(),
                        one => vec![one],
                    })
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect(),
                fields,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::requests::intake;
    use crate::fixtures::{day, AT};
    use crate::schema::request::RequestKind;
    use crate::schema::{put, DocKey};

    #[test]
    fn a_request_becomes_a_row_with_its_time_author_photos_and_every_field() {
        let mut log = DocKey::request_log("demo", "A", day()).genesis();
        let mut request = intake("req-1", RequestKind::Complaint);
        request.photos = vec!["a".repeat(64)];
        put(&mut log, &request, AT).unwrap();
        let requests = record_type(Container::Requests);
        assert!(requests.personal);
        let rows = requests.rows(&log).unwrap();
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!(row.id, "req-1");
        assert_eq!(row.made_at, Some(AT));
        assert_eq!(row.author.as_deref(), Some("service-a"));
        assert_eq!(row.blobs, ["a".repeat(64)]);
        assert_eq!(row.fields["contact_phone"], "138-1234-5678");
        assert_eq!(row.fields["households"], 0);
        assert_eq!(row.fields.len(), 20, "every field of a request");
        // The events map of the same document is read on its own.
        assert!(record_type(Container::RequestEvents)
            .rows(&log)
            .unwrap()
            .is_empty());
        assert!(!record_type(Container::RequestEvents).personal);
    }

    #[test]
    fn what_only_exists_has_no_time_and_every_container_reads_its_genesis() {
        for container in Container::ALL {
            let kind = container.kind();
            let key =
                DocKey::of_period("demo", kind, if kind.site_wide() { "" } else { "A" }, day());
            assert_eq!(
                record_type(*container).rows(&key.genesis()).unwrap(),
                [],
                "{container:?}"
            );
        }
        assert!(record_type(Container::Residents).personal);
        assert!(!record_type(Container::Units).personal);
        assert!(!record_type(Container::Scans).personal);
    }
}

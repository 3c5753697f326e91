//! A plain copy of one version of a document's records: each container's
//! entries as JSON text, by record id.
//!
//! Loading and hydrating an Automerge document costs some 40 µs a record,
//! so a reader of hundreds of documents (the server's monthly reports) keeps
//! copies and reads those instead; [`ReadRecords`] reads either alike.
//! Entries are copied as they are, well formed or not, with every field
//! (the server's receipt stamps too), so a copy reads exactly as its
//! document did.
//!
//! A copy has no history and no conflicts: it is never merged, synced or
//! written back into a document. Whoever keeps one says which version of
//! the document it was made from.

use std::collections::BTreeMap;

use automerge::{Automerge, ObjType, ReadDoc, ROOT};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::record::{plain, ReadRecords};
use super::{Container, SchemaError};

/// Every container of a document: container name → record id → the record.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RecordCopy {
    containers: BTreeMap<String, BTreeMap<String, Box<RawValue>>>,
}

impl RecordCopy {
    /// A copy of every map container under the document's root.
    pub fn of(doc: &Automerge) -> RecordCopy {
        let mut containers = BTreeMap::new();
        for item in doc.map_range(ROOT, ..) {
            if !matches!(item.value, automerge::ValueRef::Object(ObjType::Map)) {
                continue;
            }
            let Ok(automerge::hydrate::Value::Map(entries)) =
                ReadDoc::hydrate(doc, item.id(), None)
            else {
                continue;
            };
            let records = entries
                .iter()
                .filter_map(|(id, entry)| {
                    let text = serde_json::value::to_raw_value(&plain(&entry.value)).ok()?;
                    Some((id.clone(), text))
                })
                .collect();
            containers.insert(item.key.to_string(), records);
        }
        RecordCopy { containers }
    }

    /// The copy as bytes to keep.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("JSON text always serializes")
    }

    /// A kept copy; `None` if the bytes are not one.
    pub fn from_bytes(bytes: &[u8]) -> Option<RecordCopy> {
        serde_json::from_slice(bytes).ok()
    }

    fn records(
        &self,
        container: Container,
    ) -> Result<&BTreeMap<String, Box<RawValue>>, SchemaError> {
        self.containers
            .get(container.name())
            .ok_or(SchemaError::MissingContainer(container.name()))
    }
}

impl ReadRecords for RecordCopy {
    fn entries<T: DeserializeOwned>(
        &self,
        container: Container,
    ) -> Result<Vec<(String, T)>, SchemaError> {
        Ok(self
            .records(container)?
            .iter()
            .filter_map(|(id, text)| Some((id.clone(), serde_json::from_str(text.get()).ok()?)))
            .collect())
    }

    fn held(&self, container: Container) -> usize {
        self.records(container).map_or(0, BTreeMap::len)
    }
}

/// What a reader of records holds: the document itself, or a copy.
#[derive(Clone, Copy)]
pub enum RecordSource<'a> {
    Document(&'a Automerge),
    Copy(&'a RecordCopy),
}

impl RecordSource<'_> {
    /// An owned copy, for a reader that keeps what it read.
    pub fn to_copy(self) -> RecordCopy {
        match self {
            RecordSource::Document(doc) => RecordCopy::of(doc),
            RecordSource::Copy(copy) => copy.clone(),
        }
    }
}

impl ReadRecords for RecordSource<'_> {
    fn entries<T: DeserializeOwned>(
        &self,
        container: Container,
    ) -> Result<Vec<(String, T)>, SchemaError> {
        match self {
            RecordSource::Document(doc) => doc.entries(container),
            RecordSource::Copy(copy) => copy.entries(container),
        }
    }

    fn held(&self, container: Container) -> usize {
        match self {
            RecordSource::Document(doc) => doc.held(container),
            RecordSource::Copy(copy) => copy.held(container),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::requests::intake;
    use crate::schema::receipt::receipts;
    use crate::schema::request::{put_request, requests, RequestKind};
    use crate::schema::DocKey;

    #[test]
    fn a_copy_reads_as_its_document_did_malformed_entries_and_stamps_included() {
        let key = DocKey::request_log(
            "s",
            "A",
            chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        );
        let mut doc = key.genesis();
        for n in 0..3 {
            put_request(
                &mut doc,
                &intake(&format!("req-{n}"), RequestKind::Complaint),
            )
            .unwrap();
        }
        // A hostile peer's entry, and a server's stamp on a good one.
        doc.transact::<_, _, automerge::AutomergeError>(|tx| {
            use automerge::transaction::Transactable;
            let (_, map) = tx.get(ROOT, "requests")?.unwrap();
            let broken = tx.put_object(&map, "req-broken", ObjType::Map)?;
            tx.put(&broken, "id", 7)?;
            let (_, good) = tx.get(&map, "req-1")?.unwrap();
            tx.put(&good, "received_at", 5_000)?;
            Ok(())
        })
        .unwrap();

        let copy = RecordCopy::from_bytes(&RecordCopy::of(&doc).to_bytes()).unwrap();
        assert_eq!(requests(&copy).unwrap(), requests(&doc).unwrap());
        assert_eq!(requests(&copy).unwrap().len(), 3);
        assert_eq!(copy.held(Container::Requests), 4);
        assert_eq!(
            copy.held(Container::Requests),
            doc.held(Container::Requests)
        );
        assert_eq!(
            receipts(&copy, Container::Requests).unwrap(),
            receipts(&doc, Container::Requests).unwrap()
        );
        let stamped = receipts(&copy, Container::Requests).unwrap();
        assert_eq!(stamped.len(), 3, "not the malformed entry");
        assert_eq!(stamped["req-1"].received_at, 5_000);
        assert_eq!(copy.held(Container::Scans), 0);
        assert!(matches!(
            requests(&RecordCopy::default()),
            Err(SchemaError::MissingContainer("requests"))
        ));
    }

    #[test]
    fn bytes_that_are_not_a_copy_read_as_none() {
        assert!(RecordCopy::from_bytes(b"{\"containers\": 3}").is_none());
        assert!(RecordCopy::from_bytes(b"").is_none());
    }
}

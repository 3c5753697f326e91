//! Receipts: when the server first received a patrol record.
//!
//! A tablet's clock can be wrong, or set back on purpose. So the server stamps
//! every new shift, round, scan and finding with its own time of first receipt
//! and with how far the sending tablet's clock was off (measured when it
//! connected). Only the server writes these two fields; the typed records
//! leave them out, so a tablet rewriting a record can never erase them.

use std::collections::HashMap;

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{Automerge, ChangeHash, ObjType, ReadDoc, Value};

use super::record::container;
use super::{Container, DocKind, SchemaError};

/// Server time of first receipt, Unix milliseconds.
pub const RECEIVED_AT: &str = "received_at";
/// Server clock minus tablet clock when the tablet connected, milliseconds.
pub const CLOCK_SKEW: &str = "clock_skew_ms";

/// What the server knows about when a record arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receipt {
    pub received_at: i64,
    /// `None` when the sending client did not report its clock.
    pub clock_skew_ms: Option<i64>,
}

fn int_field(doc: &Automerge, record: &automerge::ObjId, field: &str) -> Option<i64> {
    match doc.get(record, field).ok()?? {
        (Value::Scalar(value), _) => value.as_i64(),
        _ => None,
    }
}

/// The receipts of every record in a container, by record id.
pub fn receipts(
    doc: &Automerge,
    records: Container,
) -> Result<HashMap<String, Receipt>, SchemaError> {
    let map = container(doc, records)?;
    let mut found = HashMap::new();
    for key in doc.keys(&map) {
        if let Ok(Some((Value::Object(ObjType::Map), record))) = doc.get(&map, key.as_str()) {
            if let Some(received_at) = int_field(doc, &record, RECEIVED_AT) {
                let clock_skew_ms = int_field(doc, &record, CLOCK_SKEW);
                found.insert(
                    key,
                    Receipt {
                        received_at,
                        clock_skew_ms,
                    },
                );
            }
        }
    }
    Ok(found)
}

/// Stamps the records that are new since `before` with `receipt`, as one
/// change (none if nothing is new), in a document of `kind` (known from its
/// id, never read from the document, whose writers could change it). Kinds
/// without receipts are left alone. Returns how many records were stamped.
pub fn stamp_new_records(
    doc: &mut Automerge,
    kind: DocKind,
    before: &[ChangeHash],
    receipt: Receipt,
) -> Result<usize, SchemaError> {
    if !kind.stamps_receipts() {
        return Ok(0);
    }
    let mut new_records = Vec::new();
    for records in kind.containers() {
        let Ok(map) = container(doc, records) else {
            continue;
        };
        for key in doc.keys(&map) {
            if doc.get_at(&map, key.as_str(), before)?.is_some() {
                continue;
            }
            if let Some((Value::Object(ObjType::Map), record)) = doc.get(&map, key.as_str())? {
                if doc.get(&record, RECEIVED_AT)?.is_none() {
                    new_records.push(record);
                }
            }
        }
    }
    if new_records.is_empty() {
        return Ok(0);
    }
    doc.transact_with::<_, _, automerge::AutomergeError, _>(
        |_| CommitOptions::default().with_time(receipt.received_at / 1000),
        |tx| {
            for record in &new_records {
                tx.put(record, RECEIVED_AT, receipt.received_at)?;
                if let Some(skew) = receipt.clock_skew_ms {
                    tx.put(record, CLOCK_SKEW, skew)?;
                }
            }
            Ok(())
        },
    )
    .map_err(|failure| failure.error)?;
    Ok(new_records.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::patrol::scan;
    use crate::schema::patrol::record_scan;
    use crate::schema::shift::{put_shift, shifts, Shift};
    use crate::schema::DocKey;
    use chrono::NaiveDate;

    fn day() -> Automerge {
        DocKey::patrol_log("demo", "A", NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()).genesis()
    }

    #[test]
    fn stamps_only_records_new_since_the_given_heads() {
        let mut doc = day();
        record_scan(&mut doc, &scan("s1", 1_000)).unwrap();
        let first = Receipt {
            received_at: 5_000,
            clock_skew_ms: Some(-2_000),
        };
        assert_eq!(
            stamp_new_records(&mut doc, DocKind::PatrolLog, &[], first).unwrap(),
            1
        );
        let before = doc.get_heads();
        record_scan(&mut doc, &scan("s2", 1_000)).unwrap();
        let second = Receipt {
            received_at: 9_000,
            clock_skew_ms: None,
        };
        assert_eq!(
            stamp_new_records(&mut doc, DocKind::PatrolLog, &before, second).unwrap(),
            1
        );
        let heads = doc.get_heads();
        assert_eq!(
            stamp_new_records(&mut doc, DocKind::PatrolLog, &heads, second).unwrap(),
            0
        );
        assert_eq!(doc.get_heads(), heads, "nothing new, no change");
        let found = receipts(&doc, Container::Scans).unwrap();
        assert_eq!(found["s1"], first);
        assert_eq!(found["s2"], second);
    }

    #[test]
    fn a_tablet_rewriting_its_record_keeps_the_receipt() {
        let mut tablet = day();
        let mut shift = Shift {
            id: "sh1".into(),
            guard: "guard-a".into(),
            guard_name: "王强".into(),
            device: "tablet-1".into(),
            started_at: 1_795_435_200_000,
            takes_over: String::new(),
            ended_at: None,
            handover_note: String::new(),
        };
        put_shift(&mut tablet, &shift).unwrap();
        let mut server = tablet.fork();
        let receipt = Receipt {
            received_at: 1_795_435_201_000,
            clock_skew_ms: Some(0),
        };
        stamp_new_records(&mut server, DocKind::PatrolLog, &[], receipt).unwrap();
        // The tablet ends the shift before it has seen the stamp.
        shift.ended_at = Some(1_795_435_300_000);
        put_shift(&mut tablet, &shift).unwrap();
        tablet.merge(&mut server).unwrap();
        assert_eq!(
            receipts(&tablet, Container::Shifts).unwrap()["sh1"],
            receipt
        );
        assert_eq!(shifts(&tablet).unwrap()[0].ended_at, shift.ended_at);
    }

    #[test]
    fn leaves_other_documents_alone() {
        let mut doc = DocKey::zone_directory("demo", "A").genesis();
        let receipt = Receipt {
            received_at: 1,
            clock_skew_ms: None,
        };
        assert_eq!(
            stamp_new_records(&mut doc, DocKind::ZoneDirectory, &[], receipt).unwrap(),
            0
        );
    }
}

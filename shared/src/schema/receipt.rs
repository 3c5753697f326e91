//! Receipts: when the server first received a patrol record.
//!
//! A tablet's clock can be wrong, or set back on purpose. So the server stamps
//! every new shift, round, scan and finding with its own time of first receipt
//! and with how far the sending tablet's clock was off (measured when it
//! connected). Only the server writes these two fields; the typed records
//! leave them out, so a tablet rewriting a record can never erase them.
//!
//! A stamp change carries a [`Seal`] in its message: an HMAC, under a key
//! only the server's database holds, of exactly what the change writes. A
//! server that meets a stamp it does not have (restored from a backup older
//! than the stamp, which a tablet kept) accepts it if the seal is its own;
//! a tablet cannot make one.

use std::collections::HashMap;

use automerge::legacy::{Key, ObjectId, OpType};
use automerge::transaction::{CommitOptions, Transactable};
use automerge::{Automerge, Change, ChangeHash, ObjType, ReadDoc, Value};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::record::{container, ReadRecords};
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

/// A record's stamp fields as any reader sees them: left loose, so one
/// malformed field costs only itself.
#[derive(serde::Deserialize)]
struct Stamp {
    #[serde(rename = "received_at")]
    received: Option<serde_json::Value>,
    #[serde(rename = "clock_skew_ms")]
    skew: Option<serde_json::Value>,
}

/// The receipts of every record in a container, by record id.
pub fn receipts(
    doc: &impl ReadRecords,
    records: Container,
) -> Result<HashMap<String, Receipt>, SchemaError> {
    Ok(doc
        .entries::<Stamp>(records)?
        .into_iter()
        .filter_map(|(id, stamp)| {
            let received_at = stamp.received?.as_i64()?;
            let clock_skew_ms = stamp.skew.and_then(|skew| skew.as_i64());
            Some((
                id,
                Receipt {
                    received_at,
                    clock_skew_ms,
                },
            ))
        })
        .collect())
}

/// The server's key for sealing its stamps; the same for every server on
/// one database, and kept across a backup and restore.
#[derive(Clone)]
pub struct Seal {
    mac: Hmac<Sha256>,
}

/// What a seal's message starts with, before the MAC in hex.
const SEAL_PREFIX: &str = "roundbook-receipt-seal-v1:";

impl Seal {
    pub fn new(key: &[u8]) -> Seal {
        Seal {
            mac: Hmac::new_from_slice(key).expect("HMAC takes a key of any length"),
        }
    }

    /// The message for a change that makes exactly `writes`: (record object,
    /// field, value), in any order.
    fn message(&self, mut writes: Vec<(String, String, i64)>) -> String {
        writes.sort();
        let mut mac = self.mac.clone();
        for (object, field, value) in writes {
            mac.update(format!("{object}\t{field}\t{value}\n").as_bytes());
        }
        let tag = mac.finalize().into_bytes();
        let hex: String = tag.iter().map(|byte| format!("{byte:02x}")).collect();
        format!("{SEAL_PREFIX}{hex}")
    }

    /// Whether `change` is a stamp this key sealed: it writes receipt fields
    /// only, as integers, and its message is the seal of those writes.
    pub fn sealed(&self, change: &Change) -> bool {
        let Some(message) = change.message() else {
            return false;
        };
        let mut writes = Vec::new();
        for op in change.decode().operations {
            let (ObjectId::Id(object), Key::Map(field), OpType::Put(value)) =
                (&op.obj, &op.key, &op.action)
            else {
                return false;
            };
            let Some(value) = value.as_i64() else {
                return false;
            };
            if op.insert || (field.as_str() != RECEIVED_AT && field.as_str() != CLOCK_SKEW) {
                return false;
            }
            writes.push((object.to_string(), field.to_string(), value));
        }
        !writes.is_empty() && self.message(writes) == message
    }
}

/// Stamps the records that are new since `before` with `receipt`, as one
/// change sealed with `seal` (none if nothing is new), in a document of
/// `kind` (known from its id, never read from the document, whose writers
/// could change it). Only containers that take receipts
/// ([`Container::receipted`]) are stamped. Returns how many records were
/// stamped.
pub fn stamp_new_records(
    doc: &mut Automerge,
    kind: DocKind,
    before: &[ChangeHash],
    receipt: Receipt,
    seal: &Seal,
) -> Result<usize, SchemaError> {
    let mut new_records = Vec::new();
    for records in kind.containers().filter(|records| records.receipted()) {
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
    let mut writes = Vec::new();
    for record in &new_records {
        writes.push((record.to_string(), RECEIVED_AT.into(), receipt.received_at));
        if let Some(skew) = receipt.clock_skew_ms {
            writes.push((record.to_string(), CLOCK_SKEW.into(), skew));
        }
    }
    let message = seal.message(writes);
    doc.transact_with::<_, _, automerge::AutomergeError, _>(
        |_| {
            CommitOptions::default()
                .with_time(receipt.received_at / 1000)
                .with_message(message.clone())
        },
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

    fn int_field(doc: &Automerge, record: &automerge::ObjId, field: &str) -> Option<i64> {
        match doc.get(record, field).ok()?? {
            (Value::Scalar(value), _) => value.as_i64(),
            _ => None,
        }
    }
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
            stamp_new_records(
                &mut doc,
                DocKind::PatrolLog,
                &[],
                first,
                &crate::fixtures::seal()
            )
            .unwrap(),
            1
        );
        let before = doc.get_heads();
        record_scan(&mut doc, &scan("s2", 1_000)).unwrap();
        let second = Receipt {
            received_at: 9_000,
            clock_skew_ms: None,
        };
        assert_eq!(
            stamp_new_records(
                &mut doc,
                DocKind::PatrolLog,
                &before,
                second,
                &crate::fixtures::seal()
            )
            .unwrap(),
            1
        );
        let heads = doc.get_heads();
        assert_eq!(
            stamp_new_records(
                &mut doc,
                DocKind::PatrolLog,
                &heads,
                second,
                &crate::fixtures::seal()
            )
            .unwrap(),
            0
        );
        assert_eq!(doc.get_heads(), heads, "nothing new, no change");
        let found = receipts(&doc, Container::Scans).unwrap();
        assert_eq!(found["s1"], first);
        assert_eq!(found["s2"], second);
    }

    #[test]
    fn request_events_are_stamped_and_requests_keep_their_own_time() {
        use crate::fixtures::requests::{event_on, intake};
        use crate::fixtures::AT;
        use crate::schema::request::{put_request, put_request_event, Action, RequestKind};
        let mut log = DocKey::request_log("demo", "A", crate::fixtures::day()).genesis();
        let before = log.get_heads();
        let request = intake("req-1", RequestKind::Complaint);
        let made = request.received_at;
        put_request(&mut log, &request).unwrap();
        put_request_event(&mut log, &event_on("req-1", "ev-1", Action::Assign, AT)).unwrap();
        let receipt = Receipt {
            received_at: 9_000,
            clock_skew_ms: Some(-50),
        };
        let seal = crate::fixtures::seal();
        let stamped = stamp_new_records(&mut log, DocKind::RequestLog, &before, receipt, &seal);
        assert_eq!(stamped.unwrap(), 1, "the event, not the request");
        assert_eq!(
            receipts(&log, Container::RequestEvents).unwrap()["ev-1"],
            receipt
        );
        let (_, requests) = log.get(automerge::ROOT, "requests").unwrap().unwrap();
        let (_, stored) = log.get(&requests, "req-1").unwrap().unwrap();
        assert_eq!(int_field(&log, &stored, RECEIVED_AT), Some(made));
    }

    #[test]
    fn only_the_keys_own_stamps_carry_its_seal() {
        let seal = crate::fixtures::seal();
        let mut doc = day();
        record_scan(&mut doc, &scan("s1", 1_000)).unwrap();
        record_scan(&mut doc, &scan("s2", 1_000)).unwrap();
        let receipt = Receipt {
            received_at: 5_000,
            clock_skew_ms: Some(-2_000),
        };
        stamp_new_records(&mut doc, DocKind::PatrolLog, &[], receipt, &seal).unwrap();
        let stamp = doc.get_last_local_change().unwrap();
        assert!(seal.sealed(&stamp), "the server's own stamp");
        assert!(
            !Seal::new(b"another database").sealed(&stamp),
            "another key's"
        );

        // A tablet's own change writing a receipt, even with a copied message.
        let copied = stamp.message().unwrap().to_owned();
        let scans = container(&doc, Container::Scans).unwrap();
        let Some((_, s1)) = doc.get(&scans, "s1").unwrap() else {
            panic!("s1");
        };
        doc.transact_with::<_, _, automerge::AutomergeError, _>(
            |_| CommitOptions::default().with_message(copied.clone()),
            |tx| tx.put(&s1, RECEIVED_AT, 1_i64).map(|_| ()),
        )
        .unwrap();
        assert!(!seal.sealed(&doc.get_last_local_change().unwrap()));
        // A change with no message, and one that writes another field.
        record_scan(&mut doc, &scan("s3", 1_000)).unwrap();
        assert!(!seal.sealed(&doc.get_last_local_change().unwrap()));
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
        stamp_new_records(
            &mut server,
            DocKind::PatrolLog,
            &[],
            receipt,
            &crate::fixtures::seal(),
        )
        .unwrap();
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
            stamp_new_records(
                &mut doc,
                DocKind::ZoneDirectory,
                &[],
                receipt,
                &crate::fixtures::seal()
            )
            .unwrap(),
            0
        );
    }
}

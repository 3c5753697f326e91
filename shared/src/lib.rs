//! Roundbook's common ground: the domain model, the typed Automerge documents
//! and the sync protocol, used by both the tablet app (wasm32) and the server.
//!
//! Nothing here does I/O: no sockets, no databases, no clocks except where a
//! caller passes the time in. That keeps every rule testable natively and
//! identical on both sides.

pub mod api;
pub mod blob;
pub mod cbor_guard;
pub mod compaction;
pub mod compliance;
pub mod deadline;
pub mod domain;
pub mod duty_log;
#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures;
pub mod gate;
pub mod ids;
pub mod key_loans;
pub mod patrol_records;
pub mod personal_search;
pub mod protocol;
pub mod reach;
pub mod reports;
pub mod resident_import;
pub mod retention;
pub mod schema;
pub mod score;
pub mod sync;
pub mod sync_guard;
pub mod tag;
pub mod trust;
pub mod upgrade;
pub mod version;
pub mod work_orders;
pub mod workflow;

//! What an operator's Prometheus scrapes from `GET /metrics`: the counters
//! and gauges the handlers, the sync connections and the hub move, rendered
//! in Prometheus text format 0.0.4 (the route, behind a bearer token of its
//! own, is `routes::metrics`).
//!
//! One [`Metrics`] per server, held by `AppState` (and by the hub); callers
//! use its small methods, never the registry. Must not: carry a user name, a
//! zone, a document id or anything else from the data as a label (the scrape
//! is outside the users' access rules), or answer without the token (without
//! one configured, the route does not exist).

use std::sync::Arc;
use std::time::{Duration, Instant};

use prometheus_client::encoding::{prometheus_text, EncodeLabelSet};

/// The content type of [`Metrics::render`]'s text.
pub const CONTENT_TYPE: &str = prometheus_text::CONTENT_TYPE;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use roundbook_shared::protocol::RefusalReason;

/// A one-label set whose values are fixed words of ours.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Direction {
    direction: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Reason {
    reason: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct WriteKind {
    write: &'static str,
}

/// Which store write a latency is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreWrite {
    /// A tablet's changes, appended before they are acknowledged: the
    /// latency every sync waits on.
    Change,
    /// A compaction snapshot (larger, and nobody waits on it).
    Compaction,
}

/// Why a sign-in failed, as counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInFailure {
    /// Wrong username or password.
    InvalidCredentials,
    /// Turned away by a rate limit before the password was checked.
    Throttled,
}

impl SignInFailure {
    fn label(self) -> &'static str {
        match self {
            SignInFailure::InvalidCredentials => "invalid-credentials",
            SignInFailure::Throttled => "throttled",
        }
    }
}

pub struct Metrics {
    registry: Registry,
    sync_sockets: Gauge,
    sync_messages: Family<Direction, Counter>,
    sync_bytes: Family<Direction, Counter>,
    store_writes: Family<WriteKind, Histogram>,
    refused_changes: Family<Reason, Counter>,
    photo_bytes: Counter,
    sign_in_failures: Family<Reason, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("roundbook");
        let sync_sockets = Gauge::default();
        registry.register(
            "sync_sockets",
            "Sync WebSocket connections open now",
            sync_sockets.clone(),
        );
        let sync_messages = Family::<Direction, Counter>::default();
        registry.register(
            "sync_messages",
            "Sync protocol messages received from and sent to tablets",
            sync_messages.clone(),
        );
        let sync_bytes = Family::<Direction, Counter>::default();
        registry.register(
            "sync_bytes",
            "Bytes of sync protocol messages received from and sent to tablets",
            sync_bytes.clone(),
        );
        // 0.5 ms to ~8 s: a SQLite commit with `synchronous = FULL` is a few
        // ms on an SSD; seconds mean the disk or the database is in trouble.
        let store_writes = Family::<WriteKind, Histogram>::new_with_constructor(
            (|| Histogram::new(exponential_buckets(0.0005, 2.0, 15))) as fn() -> Histogram,
        );
        registry.register(
            "store_write_seconds",
            "Time to write a document chunk durably",
            store_writes.clone(),
        );
        let refused_changes = Family::<Reason, Counter>::default();
        registry.register(
            "refused_changes",
            "Sync messages whose changes were refused, by reason",
            refused_changes.clone(),
        );
        let photo_bytes = Counter::default();
        registry.register(
            "photo_bytes_stored",
            "Bytes of photo uploads completed and stored (a photo uploaded to two zones counts twice)",
            photo_bytes.clone(),
        );
        let sign_in_failures = Family::<Reason, Counter>::default();
        registry.register(
            "sign_in_failures",
            "Failed sign-ins, by reason",
            sign_in_failures.clone(),
        );
        // Every series exists from the start, at 0: a rate or an alert over
        // a series that appears only with its first event misses that event.
        for direction in ["received", "sent"] {
            let _ = sync_messages.get_or_create(&Direction { direction });
            let _ = sync_bytes.get_or_create(&Direction { direction });
        }
        for write in ["change", "compaction"] {
            let _ = store_writes.get_or_create(&WriteKind { write });
        }
        for reason in RefusalReason::all() {
            let _ = refused_changes.get_or_create(&Reason {
                reason: reason.as_str(),
            });
        }
        for failure in [SignInFailure::InvalidCredentials, SignInFailure::Throttled] {
            let _ = sign_in_failures.get_or_create(&Reason {
                reason: failure.label(),
            });
        }
        Self {
            registry,
            sync_sockets,
            sync_messages,
            sync_bytes,
            store_writes,
            refused_changes,
            photo_bytes,
            sign_in_failures,
        }
    }

    /// Counts a sync socket open until the returned guard is dropped.
    pub fn sync_socket(self: &Arc<Self>) -> OpenSocket {
        self.sync_sockets.inc();
        OpenSocket(self.clone())
    }

    pub fn sync_received(&self, bytes: usize) {
        self.sync_message("received", bytes);
    }

    pub fn sync_sent(&self, bytes: usize) {
        self.sync_message("sent", bytes);
    }

    fn sync_message(&self, direction: &'static str, bytes: usize) {
        let label = Direction { direction };
        self.sync_messages.get_or_create(&label).inc();
        self.sync_bytes.get_or_create(&label).inc_by(bytes as u64);
    }

    /// Runs a store write and records how long it took.
    pub fn time_store_write<T>(&self, write: StoreWrite, work: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let result = work();
        self.store_write_took(write, started.elapsed());
        result
    }

    fn store_write_took(&self, write: StoreWrite, took: Duration) {
        let write = match write {
            StoreWrite::Change => "change",
            StoreWrite::Compaction => "compaction",
        };
        self.store_writes
            .get_or_create(&WriteKind { write })
            .observe(took.as_secs_f64());
    }

    pub fn refused(&self, reason: RefusalReason) {
        self.refused_changes
            .get_or_create(&Reason {
                reason: reason.as_str(),
            })
            .inc();
    }

    pub fn photo_stored(&self, bytes: u64) {
        self.photo_bytes.inc_by(bytes);
    }

    pub fn sign_in_failed(&self, failure: SignInFailure) {
        self.sign_in_failures
            .get_or_create(&Reason {
                reason: failure.label(),
            })
            .inc();
    }

    /// Every metric in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut text = String::new();
        prometheus_text::encode(&mut text, &self.registry).expect("writing to a String");
        text
    }
}

/// An open sync socket, counted until dropped (however the connection ends).
pub struct OpenSocket(Arc<Metrics>);

impl Drop for OpenSocket {
    fn drop(&mut self) {
        self.0.sync_sockets.dec();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_is_rendered_with_its_labels() {
        let metrics = Arc::new(Metrics::new());
        let socket = metrics.sync_socket();
        metrics.sync_received(100);
        metrics.sync_sent(40);
        metrics.sync_sent(2);
        metrics.time_store_write(StoreWrite::Change, || ());
        metrics.refused(RefusalReason::MonthLocked);
        metrics.photo_stored(1234);
        metrics.sign_in_failed(SignInFailure::InvalidCredentials);
        let text = metrics.render();
        for line in [
            "roundbook_sync_sockets 1",
            "roundbook_sync_messages_total{direction=\"received\"} 1",
            "roundbook_sync_messages_total{direction=\"sent\"} 2",
            "roundbook_sync_bytes_total{direction=\"sent\"} 42",
            "roundbook_store_write_seconds_count{write=\"change\"} 1",
            "roundbook_refused_changes_total{reason=\"month-locked\"} 1",
            "roundbook_photo_bytes_stored_total 1234",
            "roundbook_sign_in_failures_total{reason=\"invalid-credentials\"} 1",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
        }
        drop(socket);
        assert!(metrics
            .render()
            .lines()
            .any(|l| l == "roundbook_sync_sockets 0"));
    }
}

//! Requests (诉求: complaints, repairs, help requests) and their workflow.
//!
//! A request is created once (its intake record) and changed only by adding
//! workflow events, each keyed by a random id, so two tablets acting on the
//! same request offline both keep their edits.

/// Intake records, keyed by request id.
pub const REQUESTS: &str = "requests";
/// Workflow events (assign, accept, progress, note, done, callback, ...),
/// keyed by event id; each names its request.
pub const REQUEST_EVENTS: &str = "request_events";

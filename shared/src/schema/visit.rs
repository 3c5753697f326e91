//! Household visits (走访) of one zone in one quarter.

/// Visits, keyed by visit id.
pub const VISITS: &str = "visits";

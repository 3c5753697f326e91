//! A zone's resident directory: units (building, entrance, room) and the
//! residents of each unit, with their phone numbers. Confidential: only the
//! roles that serve residents hold this document (see `crate::reach`).

/// Units of the zone, keyed by unit id.
pub const UNITS: &str = "units";
/// Residents, keyed by resident id; each names its unit.
pub const RESIDENTS: &str = "residents";

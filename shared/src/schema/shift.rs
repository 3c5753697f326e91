//! Guard shifts and their handover (交接班).
//!
//! A shift is recorded when a guard takes over: it names the shift it takes
//! over (whose handover note the guard has read and confirmed). At the end the
//! guard writes a handover note into the same record. A shift lives in the
//! patrol log of the day it started.

use automerge::Automerge;
use serde::{Deserialize, Serialize};

use super::record::ReadRecords;
use super::{
    check_author, check_id, check_span, check_text, list, put, Container, Record, SchemaError,
};

/// Name of the root map holding shifts by id.
pub const SHIFTS: &str = Container::Shifts.name();

/// One guard's shift in one zone.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Shift {
    pub id: String,
    pub guard: String,
    pub guard_name: String,
    pub device: String,
    /// When the guard confirmed the takeover, tablet clock.
    pub started_at: i64,
    /// The shift whose handover this guard confirmed; empty if there was none.
    pub takes_over: String,
    /// When the guard handed over; `None` while on duty.
    pub ended_at: Option<i64>,
    /// What the guard leaves open for the next shift.
    pub handover_note: String,
}

impl Record for Shift {
    const CONTAINER: Container = Container::Shifts;

    const MADE_AT: Option<&'static str> = Some("started_at");
    const AUTHOR: Option<&'static str> = Some("guard");

    fn id(&self) -> &str {
        &self.id
    }

    fn validate(&self) -> Result<(), SchemaError> {
        check_id("shift", &self.id)?;
        if !self.takes_over.is_empty() {
            check_id("shift taken over", &self.takes_over)?;
        }
        check_author("guard", &self.guard, &self.guard_name, &self.device)?;
        check_text("handover note", &self.handover_note, false, 2000)?;
        check_span("shift", self.started_at, self.ended_at)?;
        Ok(())
    }

    /// Earliest first.
    fn order(a: &Self, b: &Self) -> std::cmp::Ordering {
        a.started_at
            .cmp(&b.started_at)
            .then_with(|| a.id.cmp(&b.id))
    }
}

/// Every well-formed shift of the day, earliest first.
pub fn shifts(doc: &impl ReadRecords) -> Result<Vec<Shift>, SchemaError> {
    list(doc)
}

/// Records a shift (its start, or later its handover), as one change.
pub fn put_shift(doc: &mut Automerge, shift: &Shift) -> Result<(), SchemaError> {
    put(doc, shift, shift.ended_at.unwrap_or(shift.started_at))
}

/// The handover waiting to be confirmed: the latest ended shift of the zone
/// that no shift has taken over yet. `shifts` spans the days to look at.
pub fn pending_handover(shifts: &[Shift]) -> Option<&Shift> {
    shifts
        .iter()
        .filter(|shift| shift.ended_at.is_some())
        .filter(|shift| !shifts.iter().any(|next| next.takes_over == shift.id))
        .max_by_key(|shift| (shift.ended_at, shift.id.clone()))
}

/// The guard's shift under way, if any.
pub fn on_duty<'a>(shifts: &'a [Shift], guard: &str) -> Option<&'a Shift> {
    shifts
        .iter()
        .filter(|shift| shift.guard == guard && shift.ended_at.is_none())
        .max_by_key(|shift| (shift.started_at, shift.id.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shift(id: &str, guard: &str, started_at: i64, takes_over: &str) -> Shift {
        Shift {
            id: id.into(),
            guard: guard.into(),
            guard_name: guard.into(),
            device: "tablet".into(),
            started_at,
            takes_over: takes_over.into(),
            ended_at: None,
            handover_note: String::new(),
        }
    }

    const T: i64 = 1_795_435_200_000;

    #[test]
    fn handover_passes_from_one_guard_to_the_next() {
        let mut day = vec![shift("s1", "guard-a", T, "")];
        assert!(pending_handover(&day).is_none());
        assert_eq!(on_duty(&day, "guard-a").unwrap().id, "s1");
        day[0].ended_at = Some(T + 3_600_000);
        day[0].handover_note = "Gate 2 light broken".into();
        assert!(on_duty(&day, "guard-a").is_none());
        assert_eq!(pending_handover(&day).unwrap().id, "s1");
        day.push(shift("s2", "guard-b", T + 3_700_000, "s1"));
        assert!(pending_handover(&day).is_none());
        assert_eq!(on_duty(&day, "guard-b").unwrap().id, "s2");
    }

    #[test]
    fn refuses_a_shift_that_ends_before_it_starts() {
        let mut bad = shift("s1", "guard-a", T, "");
        bad.ended_at = Some(T - 1);
        assert!(bad.validate().is_err());
    }
}

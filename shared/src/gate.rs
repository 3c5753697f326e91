//! Who is inside the gate, what tonight's handover lists, and what the gate
//! refuses: a plate already inside, a leaving before the coming in, a
//! second leaving.
//!
//! Pure: no clock, no storage; "now" is an argument, so the tablet offline
//! and a test agree. The records are `crate::schema::gate`'s.

use std::collections::HashMap;

use chrono::Days;

use crate::domain::{instant_at, local_date, local_datetime};
use crate::schema::gate::{GateExit, VehicleEntry, VisitorEntry};

/// Tonight's handover starts at 18:00 site time (minutes after midnight).
pub const NIGHT_FROM_MINUTES: u32 = 18 * 60;

/// An entry at the gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Visitor(VisitorEntry),
    Vehicle(VehicleEntry),
}

impl Entry {
    pub fn id(&self) -> &str {
        match self {
            Entry::Visitor(visitor) => &visitor.id,
            Entry::Vehicle(vehicle) => &vehicle.id,
        }
    }

    pub fn in_at(&self) -> i64 {
        match self {
            Entry::Visitor(visitor) => visitor.in_at,
            Entry::Vehicle(vehicle) => vehicle.in_at,
        }
    }
}

/// An entry with its leaving, if recorded (the earliest of any recorded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    pub entry: Entry,
    pub exit: Option<GateExit>,
}

impl Passage {
    pub fn inside(&self) -> bool {
        self.exit.is_none()
    }
}

/// Every entry with its earliest exit: those inside first, then the rest,
/// newest first within each.
pub fn passages(
    visitors: Vec<VisitorEntry>,
    vehicles: Vec<VehicleEntry>,
    exits: &[GateExit],
) -> Vec<Passage> {
    let mut earliest: HashMap<&str, &GateExit> = HashMap::new();
    for exit in exits {
        let slot = earliest.entry(exit.entry_id.as_str()).or_insert(exit);
        if (exit.out_at, &exit.id) < (slot.out_at, &slot.id) {
            *slot = exit;
        }
    }
    let entries = visitors
        .into_iter()
        .map(Entry::Visitor)
        .chain(vehicles.into_iter().map(Entry::Vehicle));
    let mut all: Vec<Passage> = entries
        .map(|entry| Passage {
            exit: earliest.get(entry.id()).map(|exit| (*exit).clone()),
            entry,
        })
        .collect();
    all.sort_by(|a, b| {
        b.inside()
            .cmp(&a.inside())
            .then(b.entry.in_at().cmp(&a.entry.in_at()))
            .then_with(|| a.entry.id().cmp(b.entry.id()))
    });
    all
}

/// The passages of tonight's handover at `now`: everyone still inside, and
/// everyone who came in since 18:00 (yesterday's, before 18:00 today).
pub fn tonight(passages: &[Passage], now: i64) -> Vec<Passage> {
    let today = local_date(now);
    let from_today = instant_at(today, NIGHT_FROM_MINUTES);
    let from = if now >= from_today {
        from_today
    } else {
        let yesterday = today.checked_sub_days(Days::new(1)).unwrap_or(today);
        instant_at(yesterday, NIGHT_FROM_MINUTES)
    };
    passages
        .iter()
        .filter(|passage| passage.inside() || passage.entry.in_at() >= from)
        .cloned()
        .collect()
}

/// How many visitors (people, not entries) and vehicles are inside.
pub fn inside_counts(passages: &[Passage]) -> (u32, usize) {
    passages.iter().filter(|passage| passage.inside()).fold(
        (0, 0),
        |(people, vehicles), passage| match &passage.entry {
            Entry::Visitor(visitor) => (people + visitor.people, vehicles),
            Entry::Vehicle(_) => (people, vehicles + 1),
        },
    )
}

/// Why the gate refuses a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GateRefusal {
    /// That plate is inside already (came in at this instant, unix ms).
    AlreadyInside { since: i64 },
    /// A leaving recorded before the coming in.
    OutBeforeIn,
    /// The leaving is recorded already.
    AlreadyOut,
}

/// Whether a vehicle with `plate` (normalized) may be let in.
pub fn check_vehicle(plate: &str, passages: &[Passage]) -> Result<(), GateRefusal> {
    let inside = passages.iter().find(|passage| {
        passage.inside()
            && matches!(&passage.entry, Entry::Vehicle(vehicle) if vehicle.plate == plate)
    });
    match inside {
        Some(passage) => Err(GateRefusal::AlreadyInside {
            since: passage.entry.in_at(),
        }),
        None => Ok(()),
    }
}

/// Whether `passage` may be recorded as gone out at `out_at`.
pub fn check_exit(passage: &Passage, out_at: i64) -> Result<(), GateRefusal> {
    if passage.exit.is_some() {
        return Err(GateRefusal::AlreadyOut);
    }
    if out_at < passage.entry.in_at() {
        return Err(GateRefusal::OutBeforeIn);
    }
    Ok(())
}

/// The site-local time of day an instant falls on, `HH:MM` (for messages).
pub fn clock(unix_ms: i64) -> String {
    local_datetime(unix_ms).format("%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::gate::tests::{vehicle, visitor, AT};

    const HOUR: i64 = 3_600_000;

    fn exit(id: &str, entry: &str, out_at: i64) -> GateExit {
        GateExit {
            id: id.into(),
            entry_id: entry.into(),
            out_at,
            by: "guard-b".into(),
            by_name: "李军".into(),
            device: "gate-2".into(),
        }
    }

    #[test]
    fn those_inside_come_first_and_the_earliest_exit_stands() {
        let gone = VisitorEntry {
            id: "gv-2".into(),
            in_at: AT + HOUR,
            ..visitor()
        };
        let exits = [
            exit("ge-2", "gv-2", AT + 3 * HOUR),
            exit("ge-1", "gv-2", AT + 2 * HOUR),
        ];
        let all = passages(vec![visitor(), gone], vec![vehicle()], &exits);
        let ids: Vec<&str> = all.iter().map(|passage| passage.entry.id()).collect();
        assert_eq!(ids, ["gc-1", "gv-1", "gv-2"]);
        assert_eq!(all[2].exit.as_ref().unwrap().id, "ge-1");
        assert_eq!(inside_counts(&all), (2, 1));
    }

    #[test]
    fn a_plate_inside_is_refused_until_it_leaves() {
        let all = passages(Vec::new(), vec![vehicle()], &[]);
        assert_eq!(
            check_vehicle("粤B12345", &all),
            Err(GateRefusal::AlreadyInside { since: AT })
        );
        assert_eq!(check_vehicle("粤B54321", &all), Ok(()));
        let left = passages(
            Vec::new(),
            vec![vehicle()],
            &[exit("ge-1", "gc-1", AT + HOUR)],
        );
        assert_eq!(check_vehicle("粤B12345", &left), Ok(()));
    }

    #[test]
    fn a_leaving_comes_after_the_coming_in_and_once() {
        let all = passages(vec![visitor()], Vec::new(), &[]);
        assert_eq!(check_exit(&all[0], AT - 1), Err(GateRefusal::OutBeforeIn));
        assert_eq!(check_exit(&all[0], AT + HOUR), Ok(()));
        let left = passages(
            vec![visitor()],
            Vec::new(),
            &[exit("ge-1", "gv-1", AT + HOUR)],
        );
        assert_eq!(
            check_exit(&left[0], AT + 2 * HOUR),
            Err(GateRefusal::AlreadyOut)
        );
    }

    #[test]
    fn tonight_lists_those_inside_and_those_in_since_six_in_the_evening() {
        // AT is 08:53 site time; 18:00 that day is 9 h 7 min later.
        let evening = AT + 10 * HOUR;
        let late = VisitorEntry {
            id: "gv-late".into(),
            in_at: evening,
            ..visitor()
        };
        let exits = [
            exit("ge-1", "gv-1", AT + HOUR),
            exit("ge-2", "gv-late", evening + HOUR),
        ];
        let all = passages(vec![visitor(), late], vec![vehicle()], &exits);
        let ids = |list: Vec<Passage>| -> Vec<String> {
            list.iter()
                .map(|passage| passage.entry.id().to_owned())
                .collect()
        };
        // At 02:00 the next morning the night began yesterday at 18:00.
        assert_eq!(ids(tonight(&all, evening + 7 * HOUR)), ["gc-1", "gv-late"]);
        // The next evening, last night's leavers are gone from the list.
        assert_eq!(ids(tonight(&all, evening + 24 * HOUR)), ["gc-1"]);
    }
}

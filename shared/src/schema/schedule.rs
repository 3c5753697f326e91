//! Patrol schedules: when rounds of a route are due.
//!
//! A schedule covers one shift period of each day (e.g. 20:00 to 06:00, which
//! crosses midnight). Within it, fixed rounds are due every `every_minutes`
//! from the start of the shift up to and including its end, each with a start
//! window of `tolerance_minutes` either side; and `unannounced` further rounds
//! are due at times the guard chooses within the shift. Whether a round was
//! missed is computed from this in [`crate::compliance`].

use automerge::Automerge;
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::record::ReadRecords;
use super::{check_id, check_text, list, put, Container, Record, SchemaError};
use crate::domain::{instant_at, MINUTES_PER_DAY};

/// Name of the root map holding schedules by id.
pub const SCHEDULES: &str = Container::Schedules.name();

const MINUTE_MS: i64 = 60_000;

/// When rounds of one route are due, every day.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Schedule {
    pub id: String,
    pub route_id: String,
    pub name: String,
    /// Start of the shift period, minutes after site-local midnight.
    pub shift_start: u32,
    /// End of the shift period; at or before the start means the next day.
    pub shift_end: u32,
    /// Minutes between fixed rounds; 0 for no fixed rounds.
    pub every_minutes: u32,
    /// A fixed round may start this many minutes before or after its time.
    pub tolerance_minutes: u32,
    /// Time a guard has to finish a round once started.
    pub round_minutes: u32,
    /// Rounds at times the guard chooses, per shift.
    pub unannounced: u32,
    #[serde(default)]
    pub retired: bool,
    /// When the schedule was made (ms): rounds whose start window closed
    /// before it were never due, nor the unannounced rounds of a shift that
    /// ended less than a round's time after it ([`Schedule::covers_shift`]).
    /// 0 (schedules made before this field) means always. Kept when the
    /// schedule is edited.
    #[serde(default)]
    pub since: i64,
}

/// A shift period on one date, as instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShiftWindow {
    /// The date the shift starts on.
    pub date: NaiveDate,
    pub start: i64,
    pub end: i64,
}

impl ShiftWindow {
    pub fn contains(&self, unix_ms: i64) -> bool {
        (self.start..self.end).contains(&unix_ms)
    }
}

impl Schedule {
    /// Length of the shift in minutes; equal start and end mean 24 hours.
    pub fn shift_minutes(&self) -> u32 {
        (self.shift_end + MINUTES_PER_DAY - self.shift_start - 1) % MINUTES_PER_DAY + 1
    }

    /// The shift that starts on `date`.
    pub fn shift(&self, date: NaiveDate) -> ShiftWindow {
        let start = instant_at(date, self.shift_start);
        ShiftWindow {
            date,
            start,
            end: start + i64::from(self.shift_minutes()) * MINUTE_MS,
        }
    }

    /// Minutes after the shift start at which fixed rounds are due (start
    /// included, and the end too when it falls on the interval).
    pub fn slot_offsets(&self) -> Vec<u32> {
        if self.every_minutes == 0 {
            return Vec::new();
        }
        (0..=self.shift_minutes())
            .step_by(self.every_minutes as usize)
            .collect()
    }

    /// The due times of the fixed rounds of the shift that starts on `date`.
    pub fn slots(&self, date: NaiveDate) -> Vec<i64> {
        let shift = self.shift(date);
        self.slot_offsets()
            .into_iter()
            .map(|offset| shift.start + i64::from(offset) * MINUTE_MS)
            .collect()
    }

    /// The window in which a fixed round due at `due_at` may start.
    pub fn start_window(&self, due_at: i64) -> (i64, i64) {
        let tolerance = i64::from(self.tolerance_minutes) * MINUTE_MS;
        (due_at - tolerance, due_at + tolerance)
    }

    /// The time a round started at `started_at` has to be finished by.
    pub fn round_deadline(&self, started_at: i64) -> i64 {
        started_at + i64::from(self.round_minutes) * MINUTE_MS
    }

    /// Whether the fixed round with this start window was due at all: the
    /// schedule existed before its window closed.
    pub fn covers_window(&self, window: (i64, i64)) -> bool {
        window.1 >= self.since
    }

    /// Whether the unannounced rounds of `shift` were due at all: they are
    /// due by the shift's end, so they are if the schedule existed at least
    /// one round's time before it ended (a schedule made mid-shift gives
    /// the guard that shift's unannounced rounds; one made in its last
    /// minutes does not count them missed).
    pub fn covers_shift(&self, shift: &ShiftWindow) -> bool {
        self.since + i64::from(self.round_minutes) * MINUTE_MS <= shift.end
    }

    /// The shifts that may be running at `unix_ms`: the one starting that
    /// site-local day and the one starting the day before (night shifts).
    pub fn shifts_around(&self, unix_ms: i64) -> [ShiftWindow; 2] {
        let today = crate::domain::local_date(unix_ms);
        [self.shift(today - Duration::days(1)), self.shift(today)]
    }
}

impl Record for Schedule {
    const CONTAINER: Container = Container::Schedules;

    fn id(&self) -> &str {
        &self.id
    }

    fn validate(&self) -> Result<(), SchemaError> {
        check_id("schedule", &self.id)?;
        check_id("route", &self.route_id)?;
        check_text("schedule name", &self.name, true, 100)?;
        let invalid = |why: &str| Err(SchemaError::Invalid(why.to_owned()));
        if self.shift_start >= MINUTES_PER_DAY || self.shift_end >= MINUTES_PER_DAY {
            return invalid("a shift time is not a time of day");
        }
        if self.every_minutes != 0 && !(15..=MINUTES_PER_DAY).contains(&self.every_minutes) {
            return invalid("rounds must be 15 minutes to 24 hours apart");
        }
        // Widened: a hostile value must be refused, not overflow.
        if self.every_minutes != 0
            && u64::from(self.tolerance_minutes) * 2 >= u64::from(self.every_minutes)
        {
            return invalid("the tolerance must be less than half the interval");
        }
        if self.tolerance_minutes > 120 {
            return invalid("the tolerance is at most 120 minutes");
        }
        if !(5..=480).contains(&self.round_minutes) {
            return invalid("a round takes 5 to 480 minutes");
        }
        if self.unannounced > 24 {
            return invalid("at most 24 unannounced rounds per shift");
        }
        if self.every_minutes == 0 && self.unannounced == 0 {
            return invalid("a schedule needs fixed or unannounced rounds");
        }
        Ok(())
    }

    /// By shift start, then name.
    fn order(a: &Self, b: &Self) -> std::cmp::Ordering {
        a.shift_start
            .cmp(&b.shift_start)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.id.cmp(&b.id))
    }
}

/// Every valid schedule of the zone (retired ones too), ordered by shift
/// start. One that breaks the rules (written by a buggy or hostile peer) is
/// skipped: its times could make evaluation loop for ever or overflow.
pub fn schedules(doc: &impl ReadRecords) -> Result<Vec<Schedule>, SchemaError> {
    let mut schedules: Vec<Schedule> = list(doc)?;
    schedules.retain(|schedule| schedule.validate().is_ok());
    Ok(schedules)
}

/// Adds or replaces a schedule, as one change. Its route must exist in `doc`.
pub fn put_schedule(
    doc: &mut Automerge,
    schedule: &Schedule,
    unix_ms: i64,
) -> Result<(), SchemaError> {
    schedule.validate()?;
    if !super::route::routes(doc)?
        .iter()
        .any(|route| route.id == schedule.route_id)
    {
        return Err(SchemaError::Invalid(format!(
            "route {} is not in this zone",
            schedule.route_id
        )));
    }
    put(doc, schedule, unix_ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::format_minute;
    use crate::fixtures::patrol::night;

    fn times(schedule: &Schedule) -> Vec<String> {
        schedule
            .slot_offsets()
            .into_iter()
            .map(|offset| format_minute(schedule.shift_start + offset))
            .collect()
    }

    #[test]
    fn night_slots_cross_midnight_and_include_the_end() {
        assert_eq!(night().shift_minutes(), 600);
        assert_eq!(
            times(&night()),
            ["20:00", "22:00", "00:00", "02:00", "04:00", "06:00"]
        );
        let date = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let slots = night().slots(date);
        // The 00:00 round of the shift starting 30 November is on 1 December.
        assert_eq!(
            crate::domain::local_datetime(slots[2]).to_string(),
            "2026-12-01 00:00:00"
        );
    }

    #[test]
    fn equal_start_and_end_is_a_whole_day() {
        let mut schedule = night();
        schedule.shift_start = 8 * 60;
        schedule.shift_end = 8 * 60;
        schedule.every_minutes = 360;
        assert_eq!(schedule.shift_minutes(), 1440);
        assert_eq!(
            times(&schedule),
            ["08:00", "14:00", "20:00", "02:00", "08:00"]
        );
    }

    #[test]
    fn refuses_schedules_that_make_no_sense() {
        for (index, break_it) in crate::fixtures::patrol::BROKEN_SCHEDULES.iter().enumerate() {
            let mut schedule = night();
            break_it(&mut schedule);
            assert!(schedule.validate().is_err(), "case {index}");
        }
        assert!(night().validate().is_ok());
    }

    #[test]
    fn schedules_written_against_the_rules_are_skipped() {
        let mut doc = crate::schema::DocKey::zone_directory("demo", "A").genesis();
        let mut broken = night();
        broken.id = "s2".into();
        broken.shift_start = 100_000;
        // As a peer that skips validation would write it.
        crate::schema::record::in_one_change(&mut doc, 0, |tx| {
            crate::schema::record::write_unchecked(tx, &broken)?;
            crate::schema::record::write_unchecked(tx, &night())
        })
        .unwrap();
        assert_eq!(schedules(&doc).unwrap(), vec![night()]);
    }
}

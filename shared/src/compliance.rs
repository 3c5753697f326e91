//! Round evaluation: which rounds were done, are under way, were missed (漏巡)
//! or left incomplete (未完成), computed from schedules, rounds and scans.
//!
//! The same code runs on a tablet offline and on the server for reports. It
//! takes every record it needs as input, including "now", and reads no clock.
//!
//! Rules (see also [`crate::schema::schedule`]):
//! - A fixed round is fulfilled by the earliest round started for that
//!   schedule and due time inside its start window (due ± tolerance). With
//!   none, it is upcoming before the window, due during it, missed after it.
//!   Other rounds claiming the same time (a second tablet, a late start) are
//!   listed as extra rounds.
//! - Unannounced rounds are fulfilled by rounds started for the schedule
//!   without a due time inside the shift, earliest first; those still lacking
//!   when the shift ends are missed.
//! - A started round is done when each of its checkpoints was scanned (a
//!   second scan of one counts once), incomplete when the guard ended it or
//!   its time ran out first, and in progress otherwise.
//! - A day's report lists the fixed rounds due on that site-local day (so a
//!   night shift's rounds after midnight belong to the next day), the
//!   unannounced rounds of the shift starting that day, and rounds started that
//!   day that count for nothing else. Retired schedules are not evaluated.
//! - A round is due only once its schedule exists: a fixed round whose start
//!   window closed before the schedule was made counts for nothing, and a
//!   shift's unannounced rounds count only if the schedule existed a round's
//!   time before the shift ended (so a new site or schedule starts with no
//!   missed rounds; see `Schedule::covers_shift`).

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::domain::{instant_at, local_date};
use crate::schema::finding::Finding;
use crate::schema::patrol::Scan;
use crate::schema::round::Round;
use crate::schema::route::Route;
use crate::schema::schedule::Schedule;

/// The time allowed for a round whose schedule is unknown.
const DEFAULT_ROUND_MS: i64 = 60 * 60_000;

/// Everything the evaluation reads: a zone's directory and the patrol records
/// of the days around the one evaluated (the day before, the day, the day after).
#[derive(Debug, Clone, Copy)]
pub struct PatrolRecords<'a> {
    pub routes: &'a [Route],
    pub schedules: &'a [Schedule],
    pub rounds: &'a [Round],
    pub scans: &'a [Scan],
    pub findings: &'a [Finding],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundKind {
    Fixed,
    Unannounced,
    /// A round that counts for no due round.
    Extra,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundStatus {
    /// Its start window has not opened.
    Upcoming,
    /// Its start window is open and nobody has started it.
    Due,
    InProgress,
    Done,
    /// 未完成: started, but a checkpoint was not scanned.
    Incomplete,
    /// 漏巡: not started in its window.
    Missed,
}

/// How far a started round got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundProgress {
    pub round_id: String,
    pub guard: String,
    pub guard_name: String,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    /// Checkpoints of the round scanned so far, in walking order.
    pub scanned: Vec<String>,
    /// Checkpoints of the round not scanned, in walking order.
    pub missing: Vec<String>,
    /// When the last checkpoint was scanned, if the round is complete.
    pub completed_at: Option<i64>,
    /// Ids of the findings recorded on the round.
    pub findings: Vec<String>,
}

/// One due round (or one extra round) and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundOutcome {
    pub kind: RoundKind,
    pub status: RoundStatus,
    /// Empty for an extra round outside any schedule.
    pub schedule_id: String,
    pub route_id: String,
    pub route_name: String,
    /// The fixed time; `None` for unannounced and extra rounds.
    pub due_at: Option<i64>,
    /// When it may start: the tolerance window of a fixed round, the shift
    /// of an unannounced one, the start itself for an extra one.
    pub window: (i64, i64),
    pub progress: Option<RoundProgress>,
}

/// Counts of a day's outcomes by status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub upcoming: usize,
    pub due: usize,
    pub in_progress: usize,
    pub done: usize,
    pub incomplete: usize,
    pub missed: usize,
}

impl Summary {
    pub fn of(outcomes: &[RoundOutcome]) -> Summary {
        let mut summary = Summary::default();
        for outcome in outcomes {
            *match outcome.status {
                RoundStatus::Upcoming => &mut summary.upcoming,
                RoundStatus::Due => &mut summary.due,
                RoundStatus::InProgress => &mut summary.in_progress,
                RoundStatus::Done => &mut summary.done,
                RoundStatus::Incomplete => &mut summary.incomplete,
                RoundStatus::Missed => &mut summary.missed,
            } += 1;
        }
        summary
    }
}

/// Evaluation over one set of records, indexed once.
struct Evaluator<'a> {
    records: PatrolRecords<'a>,
    now: i64,
    /// Per round: scanned checkpoint ids with the first scan's time.
    scans: HashMap<&'a str, HashMap<&'a str, i64>>,
    findings: HashMap<&'a str, Vec<&'a str>>,
}

impl<'a> Evaluator<'a> {
    fn new(records: PatrolRecords<'a>, now: i64) -> Self {
        let mut scans: HashMap<&str, HashMap<&str, i64>> = HashMap::new();
        for scan in records.scans {
            let first = scans
                .entry(scan.round_id.as_str())
                .or_default()
                .entry(scan.checkpoint_id.as_str())
                .or_insert(scan.scanned_at);
            *first = (*first).min(scan.scanned_at);
        }
        let mut findings: HashMap<&str, Vec<&str>> = HashMap::new();
        for finding in records.findings {
            if !finding.round_id.is_empty() {
                findings
                    .entry(finding.round_id.as_str())
                    .or_default()
                    .push(finding.id.as_str());
            }
        }
        Evaluator {
            records,
            now,
            scans,
            findings,
        }
    }

    fn schedule(&self, id: &str) -> Option<&'a Schedule> {
        self.records
            .schedules
            .iter()
            .find(|schedule| schedule.id == id)
    }

    fn route_name(&self, schedule: &Schedule) -> String {
        self.records
            .routes
            .iter()
            .find(|route| route.id == schedule.route_id)
            .map(|route| route.name.clone())
            .unwrap_or_default()
    }

    fn progress(&self, round: &Round) -> (RoundStatus, RoundProgress) {
        let scanned_here = self.scans.get(round.id.as_str());
        let first_scan = |id: &str| scanned_here.and_then(|scans| scans.get(id)).copied();
        let (scanned, missing): (Vec<String>, Vec<String>) = round
            .checkpoints
            .0
            .iter()
            .cloned()
            .partition(|id| first_scan(id).is_some());
        let completed_at = missing
            .is_empty()
            .then(|| scanned.iter().filter_map(|id| first_scan(id)).max())
            .flatten();
        let deadline = match self.schedule(&round.schedule_id) {
            Some(schedule) => schedule.round_deadline(round.started_at),
            None => round.started_at + DEFAULT_ROUND_MS,
        };
        let status = if missing.is_empty() {
            RoundStatus::Done
        } else if round.ended_at.is_some() || self.now > deadline {
            RoundStatus::Incomplete
        } else {
            RoundStatus::InProgress
        };
        let mut findings: Vec<String> = self
            .findings
            .get(round.id.as_str())
            .map(|ids| ids.iter().map(|id| id.to_string()).collect())
            .unwrap_or_default();
        findings.sort();
        let progress = RoundProgress {
            round_id: round.id.clone(),
            guard: round.guard.clone(),
            guard_name: round.guard_name.clone(),
            started_at: round.started_at,
            ended_at: round.ended_at,
            scanned,
            missing,
            completed_at,
            findings,
        };
        (status, progress)
    }

    /// The status of a due round nobody started, from its start window.
    fn unstarted(&self, window: (i64, i64)) -> RoundStatus {
        if self.now < window.0 {
            RoundStatus::Upcoming
        } else if self.now <= window.1 {
            RoundStatus::Due
        } else {
            RoundStatus::Missed
        }
    }

    fn outcome(
        &self,
        kind: RoundKind,
        schedule: &Schedule,
        due_at: Option<i64>,
        window: (i64, i64),
        round: Option<&Round>,
    ) -> RoundOutcome {
        let (status, progress) = match round {
            Some(round) => {
                let (status, progress) = self.progress(round);
                (status, Some(progress))
            }
            None => (self.unstarted(window), None),
        };
        RoundOutcome {
            kind,
            status,
            schedule_id: schedule.id.clone(),
            route_id: schedule.route_id.clone(),
            route_name: self.route_name(schedule),
            due_at,
            window,
            progress,
        }
    }

    /// Every due round of the shift of `schedule` starting on `date`, and the
    /// ids of the rounds that fulfil them.
    fn shift(&self, schedule: &'a Schedule, date: NaiveDate) -> (Vec<RoundOutcome>, Vec<&'a str>) {
        let mut outcomes = Vec::new();
        let mut claimed = Vec::new();
        let of_schedule: Vec<&Round> = self
            .records
            .rounds
            .iter()
            .filter(|round| round.schedule_id == schedule.id)
            .collect();
        for due_at in schedule.slots(date) {
            let window = schedule.start_window(due_at);
            if !schedule.covers_window(window) {
                continue;
            }
            let round = of_schedule
                .iter()
                .filter(|round| round.due_at == Some(due_at))
                .filter(|round| (window.0..=window.1).contains(&round.started_at))
                .min_by_key(|round| (round.started_at, round.id.as_str()))
                .copied();
            claimed.extend(round.map(|round| round.id.as_str()));
            outcomes.push(self.outcome(RoundKind::Fixed, schedule, Some(due_at), window, round));
        }
        let shift = schedule.shift(date);
        if !schedule.covers_shift(&shift) {
            return (outcomes, claimed);
        }
        let mut unannounced: Vec<&Round> = of_schedule
            .iter()
            .filter(|round| round.due_at.is_none() && shift.contains(round.started_at))
            .copied()
            .collect();
        unannounced.sort_by_key(|round| (round.started_at, round.id.as_str()));
        for index in 0..schedule.unannounced as usize {
            let round = unannounced.get(index).copied();
            claimed.extend(round.map(|round| round.id.as_str()));
            let window = (shift.start, shift.end);
            outcomes.push(self.outcome(RoundKind::Unannounced, schedule, None, window, round));
        }
        (outcomes, claimed)
    }

    fn active_schedules(&self) -> impl Iterator<Item = &'a Schedule> {
        self.records
            .schedules
            .iter()
            .filter(|schedule| !schedule.retired)
    }

    fn extra(&self, round: &Round) -> RoundOutcome {
        let (status, progress) = self.progress(round);
        RoundOutcome {
            kind: RoundKind::Extra,
            status,
            schedule_id: round.schedule_id.clone(),
            route_id: round.route_id.clone(),
            route_name: round.route_name.clone(),
            due_at: None,
            window: (round.started_at, round.started_at),
            progress: Some(progress),
        }
    }
}

/// Every round of the site-local day `date`, in order of time.
pub fn evaluate_day(date: NaiveDate, records: PatrolRecords<'_>, now: i64) -> Vec<RoundOutcome> {
    let evaluator = Evaluator::new(records, now);
    let day = (instant_at(date, 0), instant_at(date + Duration::days(1), 0));
    let mut outcomes = Vec::new();
    let mut claimed: HashSet<&str> = HashSet::new();
    for schedule in evaluator.active_schedules() {
        for offset in [-1, 0, 1] {
            let shift_date = date + Duration::days(offset);
            let (shift_outcomes, shift_claimed) = evaluator.shift(schedule, shift_date);
            claimed.extend(shift_claimed);
            outcomes.extend(
                shift_outcomes
                    .into_iter()
                    .filter(|outcome| match outcome.kind {
                        RoundKind::Fixed => {
                            let due = outcome.due_at.unwrap_or_default();
                            (day.0..day.1).contains(&due)
                        }
                        _ => shift_date == date,
                    }),
            );
        }
    }
    for round in records.rounds {
        if !claimed.contains(round.id.as_str()) && local_date(round.started_at) == date {
            outcomes.push(evaluator.extra(round));
        }
    }
    outcomes.sort_by_key(|outcome| {
        (
            outcome.window.0,
            outcome.due_at.is_none(),
            outcome.route_name.clone(),
            // Started rounds before the ones still to do.
            outcome.progress.as_ref().map_or(i64::MAX, |p| p.started_at),
        )
    });
    outcomes
}

/// The next round to come due (its start window the soonest to open after
/// `now`), over the shifts of yesterday, today and tomorrow; `None` when no
/// active schedule has one.
pub fn next_due(records: PatrolRecords<'_>, now: i64) -> Option<RoundOutcome> {
    let evaluator = Evaluator::new(records, now);
    let today = local_date(now);
    evaluator
        .active_schedules()
        .flat_map(|schedule| {
            (-1..=1).flat_map(|offset| evaluator.shift(schedule, today + Duration::days(offset)).0)
        })
        .filter(|outcome| outcome.status == RoundStatus::Upcoming)
        .min_by_key(|outcome| (outcome.window.0, outcome.route_name.clone()))
}

/// The rounds a guard may start now: fixed rounds whose window is open and
/// unannounced rounds still lacking in a running shift, one entry per
/// schedule and time.
pub fn due_now(records: PatrolRecords<'_>, now: i64) -> Vec<RoundOutcome> {
    let evaluator = Evaluator::new(records, now);
    let today = local_date(now);
    let mut due = Vec::new();
    for schedule in evaluator.active_schedules() {
        let mut unannounced_seen = BTreeSet::new();
        for shift_date in [today - Duration::days(1), today] {
            let (outcomes, _) = evaluator.shift(schedule, shift_date);
            for outcome in outcomes {
                if outcome.status != RoundStatus::Due {
                    continue;
                }
                // One "start an unannounced round" entry per shift is enough.
                if outcome.kind == RoundKind::Unannounced
                    && !unannounced_seen.insert(outcome.window)
                {
                    continue;
                }
                due.push(outcome);
            }
        }
    }
    due.sort_by_key(|outcome| (outcome.window.1, outcome.route_name.clone()));
    due
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::patrol::night;
    use crate::schema::route::CheckpointOrder;

    const MINUTE: i64 = 60_000;

    fn date() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    /// A local time on 23 November 2026 (hours past 24 run into the 24th).
    fn at(hours: u32, minutes: u32) -> i64 {
        instant_at(date(), hours * 60 + minutes)
    }

    fn route() -> Route {
        Route {
            id: "r1".into(),
            name: "Night".into(),
            checkpoints: CheckpointOrder(vec!["cp1".into(), "cp2".into()]),
            retired: false,
        }
    }

    fn round(id: &str, due_at: Option<i64>, started_at: i64) -> Round {
        let mut round = crate::fixtures::patrol::round(id, started_at, &["cp1", "cp2"]);
        round.due_at = due_at;
        round
    }

    fn scan(round_id: &str, checkpoint_id: &str, at: i64) -> Scan {
        let mut scan =
            crate::fixtures::patrol::scan(&format!("{round_id}-{checkpoint_id}-{at}"), at);
        scan.round_id = round_id.into();
        scan.checkpoint_id = checkpoint_id.into();
        scan
    }

    struct Fixture {
        routes: Vec<Route>,
        schedules: Vec<Schedule>,
        rounds: Vec<Round>,
        scans: Vec<Scan>,
        findings: Vec<Finding>,
    }

    impl Fixture {
        fn new() -> Self {
            Fixture {
                routes: vec![route()],
                schedules: vec![night()],
                rounds: Vec::new(),
                scans: Vec::new(),
                findings: Vec::new(),
            }
        }

        fn records(&self) -> PatrolRecords<'_> {
            PatrolRecords {
                routes: &self.routes,
                schedules: &self.schedules,
                rounds: &self.rounds,
                scans: &self.scans,
                findings: &self.findings,
            }
        }

        fn day(&self, now: i64) -> Vec<RoundOutcome> {
            evaluate_day(date(), self.records(), now)
        }

        /// A complete round for the fixed time `due_at`, started at `start`.
        fn walk(&mut self, id: &str, due_at: Option<i64>, start: i64) {
            self.rounds.push(round(id, due_at, start));
            self.scans.push(scan(id, "cp1", start + MINUTE));
            self.scans.push(scan(id, "cp2", start + 2 * MINUTE));
        }
    }

    fn fixed(outcomes: &[RoundOutcome]) -> Vec<(i64, RoundStatus)> {
        outcomes
            .iter()
            .filter(|outcome| outcome.kind == RoundKind::Fixed)
            .map(|outcome| (outcome.due_at.unwrap(), outcome.status))
            .collect()
    }

    #[test]
    fn a_day_lists_the_rounds_due_on_it_across_two_night_shifts() {
        let outcomes = Fixture::new().day(at(12, 0));
        // Shift of the 22nd: 00:00 .. 06:00 on the 23rd; shift of the 23rd: 20:00, 22:00.
        let times: Vec<i64> = fixed(&outcomes).iter().map(|(due, _)| *due).collect();
        assert_eq!(
            times,
            [at(0, 0), at(2, 0), at(4, 0), at(6, 0), at(20, 0), at(22, 0)]
        );
        let statuses: Vec<RoundStatus> = fixed(&outcomes).iter().map(|(_, s)| *s).collect();
        use RoundStatus::*;
        assert_eq!(
            statuses,
            [Missed, Missed, Missed, Missed, Upcoming, Upcoming]
        );
        // The two unannounced rounds of the shift starting on the 23rd.
        let unannounced = outcomes
            .iter()
            .filter(|outcome| outcome.kind == RoundKind::Unannounced)
            .count();
        assert_eq!(unannounced, 2);
    }

    #[test]
    fn the_tolerance_window_decides_due_done_and_missed() {
        let mut fixture = Fixture::new();
        let due = at(20, 0);
        let status_at = |fixture: &Fixture, now: i64| {
            fixed(&fixture.day(now))
                .into_iter()
                .find(|(time, _)| *time == due)
                .unwrap()
                .1
        };
        assert_eq!(
            status_at(&fixture, due - 16 * MINUTE),
            RoundStatus::Upcoming
        );
        assert_eq!(status_at(&fixture, due - 15 * MINUTE), RoundStatus::Due);
        assert_eq!(status_at(&fixture, due + 15 * MINUTE), RoundStatus::Due);
        assert_eq!(status_at(&fixture, due + 16 * MINUTE), RoundStatus::Missed);
        // Started 14 minutes late and walked: done.
        fixture.walk("late", Some(due), due + 14 * MINUTE);
        assert_eq!(status_at(&fixture, due + 60 * MINUTE), RoundStatus::Done);
    }

    #[test]
    fn a_round_started_outside_its_window_does_not_count_and_is_listed_as_extra() {
        let mut fixture = Fixture::new();
        let due = at(20, 0);
        fixture.walk("too-late", Some(due), due + 20 * MINUTE);
        let outcomes = fixture.day(at(23, 0));
        assert!(fixed(&outcomes).contains(&(due, RoundStatus::Missed)));
        let extra: Vec<_> = outcomes
            .iter()
            .filter(|outcome| outcome.kind == RoundKind::Extra)
            .collect();
        assert_eq!(extra.len(), 1);
        assert_eq!(extra[0].status, RoundStatus::Done);
    }

    #[test]
    fn rounds_after_midnight_belong_to_the_next_day_and_their_shift() {
        let mut fixture = Fixture::new();
        // The 00:00 round of the shift that started on the 23rd is on the 24th.
        let midnight = at(24, 0);
        fixture.walk("night", Some(midnight), midnight + 5 * MINUTE);
        let today = fixture.day(at(23, 59));
        assert!(fixed(&today).iter().all(|(due, _)| *due < midnight));
        let tomorrow = evaluate_day(date().succ_opt().unwrap(), fixture.records(), at(25, 0));
        assert!(fixed(&tomorrow).contains(&(midnight, RoundStatus::Done)));
        assert!(
            tomorrow
                .iter()
                .all(|outcome| outcome.kind != RoundKind::Extra),
            "the round counts for its time, it is not extra"
        );
        // A round started just before midnight for the 00:00 time counts too.
        let mut early = Fixture::new();
        early.walk("early", Some(midnight), midnight - 10 * MINUTE);
        let tomorrow = evaluate_day(date().succ_opt().unwrap(), early.records(), at(25, 0));
        assert!(fixed(&tomorrow).contains(&(midnight, RoundStatus::Done)));
        assert!(early
            .day(at(25, 0))
            .iter()
            .all(|o| o.kind != RoundKind::Extra));
    }

    #[test]
    fn incomplete_when_ended_or_out_of_time_duplicates_count_once() {
        let mut fixture = Fixture::new();
        let due = at(20, 0);
        fixture.rounds.push(round("r", Some(due), due));
        fixture.scans.push(scan("r", "cp1", due + MINUTE));
        fixture.scans.push(scan("r", "cp1", due + 2 * MINUTE));
        let status = |fixture: &Fixture, now| {
            fixture
                .day(now)
                .into_iter()
                .find(|outcome| outcome.due_at == Some(due))
                .unwrap()
        };
        let under_way = status(&fixture, due + 30 * MINUTE);
        assert_eq!(under_way.status, RoundStatus::InProgress);
        let progress = under_way.progress.unwrap();
        assert_eq!(progress.scanned, ["cp1"]);
        assert_eq!(progress.missing, ["cp2"]);
        // The schedule allows 60 minutes for a round.
        assert_eq!(
            status(&fixture, due + 61 * MINUTE).status,
            RoundStatus::Incomplete
        );
        fixture.rounds[0].ended_at = Some(due + 10 * MINUTE);
        assert_eq!(
            status(&fixture, due + 11 * MINUTE).status,
            RoundStatus::Incomplete
        );
    }

    #[test]
    fn two_rounds_for_one_time_the_earliest_counts() {
        let mut fixture = Fixture::new();
        let due = at(22, 0);
        fixture.walk("second", Some(due), due + 5 * MINUTE);
        fixture.walk("first", Some(due), due - 5 * MINUTE);
        let outcomes = fixture.day(at(23, 0));
        let counted = outcomes
            .iter()
            .find(|outcome| outcome.due_at == Some(due))
            .unwrap();
        assert_eq!(counted.progress.as_ref().unwrap().round_id, "first");
        assert_eq!(
            outcomes
                .iter()
                .filter(|outcome| outcome.kind == RoundKind::Extra)
                .count(),
            1
        );
    }

    #[test]
    fn unannounced_rounds_are_missed_when_the_shift_ends_without_them() {
        let mut fixture = Fixture::new();
        fixture.walk("u1", None, at(23, 10));
        let unannounced = |fixture: &Fixture, now| -> Vec<RoundStatus> {
            fixture
                .day(now)
                .into_iter()
                .filter(|outcome| outcome.kind == RoundKind::Unannounced)
                .map(|outcome| outcome.status)
                .collect()
        };
        assert_eq!(
            unannounced(&fixture, at(23, 30)),
            [RoundStatus::Done, RoundStatus::Due]
        );
        // The shift ends at 06:00 on the 24th.
        assert_eq!(
            unannounced(&fixture, at(30, 1)),
            [RoundStatus::Done, RoundStatus::Missed]
        );
    }

    #[test]
    fn site_time_is_shanghai_time() {
        // 20:00 in Shanghai is 12:00 UTC: a round started at 12:05 UTC counts for 20:00.
        let utc_noon_five = chrono::DateTime::parse_from_rfc3339("2026-11-23T12:05:00Z")
            .unwrap()
            .timestamp_millis();
        let mut fixture = Fixture::new();
        fixture.walk("r", Some(at(20, 0)), utc_noon_five);
        assert!(fixed(&fixture.day(at(21, 0))).contains(&(at(20, 0), RoundStatus::Done)));
    }

    #[test]
    fn due_now_offers_open_windows_and_one_unannounced_entry() {
        let fixture = Fixture::new();
        let due = due_now(fixture.records(), at(22, 5));
        let kinds: Vec<_> = due
            .iter()
            .map(|outcome| (outcome.kind, outcome.due_at))
            .collect();
        assert_eq!(
            kinds,
            [
                (RoundKind::Fixed, Some(at(22, 0))),
                (RoundKind::Unannounced, None)
            ]
        );
        // At 01:00 the night shift of the 23rd is still running.
        assert!(due_now(fixture.records(), at(25, 0))
            .iter()
            .any(|outcome| outcome.kind == RoundKind::Unannounced));
        // Between windows at 23:00 only the unannounced entry is offered.
        assert_eq!(due_now(fixture.records(), at(23, 0)).len(), 1);
    }

    #[test]
    fn findings_are_attached_to_their_round() {
        let mut fixture = Fixture::new();
        fixture.walk("r", Some(at(20, 0)), at(20, 0));
        fixture.findings.push(Finding {
            id: "f1".into(),
            round_id: "r".into(),
            checkpoint_id: String::new(),
            kind: "other".into(),
            severity: "low".into(),
            note: "Gate open".into(),
            photos: Vec::new(),
            guard: "guard-a".into(),
            guard_name: "王强".into(),
            device: "tablet-1".into(),
            found_at: at(20, 3),
            needs_repair: false,
            request_id: String::new(),
        });
        let outcomes = fixture.day(at(21, 0));
        let done = outcomes
            .iter()
            .find(|o| o.due_at == Some(at(20, 0)))
            .unwrap();
        assert_eq!(done.progress.as_ref().unwrap().findings, ["f1"]);
        assert_eq!(Summary::of(&outcomes).done, 1);
    }

    #[test]
    fn rounds_due_before_the_schedule_existed_are_not_counted() {
        // Made at 02:10 on the 23rd, during the shift of the 22nd: the 00:00
        // window (closed at 00:15) was never due; the 02:00 window (open
        // until 02:15) was, and so were that shift's unannounced rounds,
        // due by its end at 06:00.
        let mut fixture = Fixture::new();
        fixture.schedules[0].since = at(2, 10);
        let outcomes = fixture.day(at(12, 0));
        let times: Vec<i64> = fixed(&outcomes).iter().map(|(due, _)| *due).collect();
        assert_eq!(times, [at(2, 0), at(4, 0), at(6, 0), at(20, 0), at(22, 0)]);
        let summary = Summary::of(&outcomes);
        // (The shift of the 22nd's unannounced rounds are listed on the 22nd.)
        assert_eq!(summary.missed, 3, "02:00, 04:00 and 06:00");
        assert_eq!(
            summary.upcoming, 4,
            "20:00, 22:00 and the night's 2 unannounced"
        );
        // Made at 05:30, with less than a round's time of the shift left:
        // the shift's unannounced rounds are not due at all.
        fixture.schedules[0].since = at(5, 30);
        assert!(due_now(fixture.records(), at(5, 35))
            .iter()
            .all(|round| round.kind != RoundKind::Unannounced));
        assert_eq!(Summary::of(&fixture.day(at(12, 0))).missed, 1, "06:00 only");
    }

    #[test]
    fn a_schedule_made_mid_shift_offers_its_unannounced_rounds_but_no_past_window() {
        let mut fixture = Fixture::new();
        // Made at 22:20, after the 22:00 window closed (22:15).
        fixture.schedules[0].since = at(22, 20);
        let due = due_now(fixture.records(), at(22, 25));
        assert!(!due.is_empty(), "the shift's unannounced rounds");
        assert!(due.iter().all(|round| round.kind == RoundKind::Unannounced));
        let day = fixture.day(at(22, 25));
        assert!(day.iter().all(|o| o.status != RoundStatus::Missed));
    }

    #[test]
    fn next_due_is_the_soonest_window_to_open() {
        let fixture = Fixture::new();
        // At noon nothing is due; the 20:00 round's window opens at 19:45.
        assert!(due_now(fixture.records(), at(12, 0)).is_empty());
        let next = next_due(fixture.records(), at(12, 0)).unwrap();
        assert_eq!((next.due_at, next.window.0), (Some(at(20, 0)), at(19, 45)));
        // Inside the 22:00 window, the next is midnight's (on the 24th).
        let next = next_due(fixture.records(), at(22, 5)).unwrap();
        assert_eq!(next.due_at, Some(at(24, 0)));
        // A retired schedule has none.
        let mut retired = Fixture::new();
        retired.schedules[0].retired = true;
        assert_eq!(next_due(retired.records(), at(12, 0)), None);
    }
}

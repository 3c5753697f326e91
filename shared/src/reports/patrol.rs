//! The patrol compliance report of a month: per zone and per guard the
//! rounds due, done, missed (漏巡) and incomplete (未完成) and the on-time
//! rate, checkpoints scanned against expected, findings by kind and
//! severity, records flagged by [`crate::trust`] (clock off, arrived late),
//! and the on-time rate day by day.
//!
//! Rounds are judged by [`evaluate_day`] exactly as the rounds board and the
//! one-day report judge them (so a schedule's `since` decides which rounds
//! were due at all: days before the schedule, or the site, existed count
//! nothing). A round is counted "due" once settled: done, incomplete or
//! missed; rounds still to come, open or in progress at `scope.now` are not
//! counted yet. On-time % is done ÷ due. Extra rounds (outside any schedule)
//! are not due and not counted. Missed rounds have no guard: the per-guard
//! rows count the due rounds each guard started.
//!
//! Each day's patrol log is read once: the three days a day's rounds need
//! (the day before and after, for rounds crossing midnight) are kept as a
//! sliding window. What it must not do: read anything but what [`needs`]
//! lists (no I/O, no clock: `scope.now` is the time).

use std::collections::{BTreeMap, VecDeque};

use chrono::{Duration, NaiveDate};

use super::gate;
use super::table::{percent, Cell, Chart, Point, Section, Table};
use super::{Documents, Scope};
use crate::compliance::{evaluate_day, RoundKind, RoundOutcome, RoundStatus};
use crate::patrol_records::ZoneRecords;
use crate::schema::finding::{FindingKind, Severity};
use crate::schema::receipt::Receipt;
use crate::schema::DocKey;
use crate::trust::{self, TrustFlag};

/// The days reported: those of the month that started before the cutoff.
fn report_days(scope: &Scope) -> Vec<NaiveDate> {
    let cutoff = scope.cutoff();
    scope
        .month
        .days()
        .filter(|day| crate::domain::instant_at(*day, 0) < cutoff)
        .collect()
}

/// The days whose patrol logs are read: the reported days and one either
/// side, but no day after today (its log does not exist yet).
fn read_days(scope: &Scope) -> Vec<NaiveDate> {
    let days = report_days(scope);
    match (days.first(), days.last()) {
        (Some(first), Some(last)) => {
            let today = crate::domain::local_date(scope.now);
            let (first, last) = (
                *first - Duration::days(1),
                (*last + Duration::days(1)).min(today),
            );
            first.iter_days().take_while(|day| *day <= last).collect()
        }
        _ => Vec::new(),
    }
}

/// Each zone's directory and the patrol logs of the month's days (up to the
/// cutoff) and the day before and after.
pub fn needs(scope: &Scope) -> Vec<DocKey> {
    let days = read_days(scope);
    let mut keys = Vec::new();
    for zone in &scope.zones {
        keys.push(DocKey::zone_directory(&scope.site, &zone.code));
        keys.extend(
            days.iter()
                .map(|day| DocKey::patrol_log(&scope.site, &zone.code, *day)),
        );
    }
    keys.extend(gate::needs(scope));
    keys
}

/// Counts of settled due rounds and what was scanned on them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Tally {
    done: usize,
    incomplete: usize,
    missed: usize,
    expected: usize,
    scanned: usize,
    clock_off: usize,
    late: usize,
    findings: usize,
}

impl Tally {
    fn due(&self) -> usize {
        self.done + self.incomplete + self.missed
    }

    fn add(&mut self, other: &Tally) {
        self.done += other.done;
        self.incomplete += other.incomplete;
        self.missed += other.missed;
        self.expected += other.expected;
        self.scanned += other.scanned;
        self.clock_off += other.clock_off;
        self.late += other.late;
        self.findings += other.findings;
    }

    /// Counts one outcome; `false` if it is not a settled due round.
    fn count(&mut self, outcome: &RoundOutcome, route_length: usize) -> bool {
        if outcome.kind == RoundKind::Extra {
            return false;
        }
        match outcome.status {
            RoundStatus::Done => self.done += 1,
            RoundStatus::Incomplete => self.incomplete += 1,
            RoundStatus::Missed => self.missed += 1,
            _ => return false,
        }
        match &outcome.progress {
            Some(progress) => {
                self.expected += progress.scanned.len() + progress.missing.len();
                self.scanned += progress.scanned.len();
            }
            None => self.expected += route_length,
        }
        true
    }

    fn flag(&mut self, made_at: i64, receipt: Option<&Receipt>) {
        for flag in trust::flags(made_at, receipt.copied()) {
            match flag {
                TrustFlag::ClockOff { .. } => self.clock_off += 1,
                TrustFlag::ArrivedLate { .. } => self.late += 1,
            }
        }
    }
}

/// The patrol log records of one day, as read.
struct Day {
    rounds: usize,
    scans: usize,
    findings: usize,
}

/// The zone's directory and a sliding window of three days of patrol logs.
struct Window {
    records: ZoneRecords,
    days: VecDeque<Day>,
}

impl Window {
    /// Adds the next day's log (or an empty day) and drops the oldest once
    /// more than three are held.
    fn push(&mut self, day: ZoneRecords) {
        self.days.push_back(Day {
            rounds: day.rounds.len(),
            scans: day.scans.len(),
            findings: day.findings.len(),
        });
        self.records.rounds.extend(day.rounds);
        self.records.scans.extend(day.scans);
        self.records.findings.extend(day.findings);
        if self.days.len() > 3 {
            let old = self.days.pop_front().expect("four days held");
            self.records.rounds.drain(..old.rounds);
            self.records.scans.drain(..old.scans);
            self.records.findings.drain(..old.findings);
        }
    }
}

pub fn build(scope: &Scope, documents: &mut dyn Documents) -> Vec<Section> {
    let days = report_days(scope);
    let read = read_days(scope);
    let (start, cutoff) = (scope.month.start(), scope.cutoff());
    let in_month = |at: i64| (start..cutoff).contains(&at);

    let mut by_zone = Table::new(1, &zone_columns());
    let mut by_guard = Table::new(2, &guard_columns());
    let mut findings = Table::new(
        2,
        &[
            "col_zone",
            "col_finding_kind",
            "severity_low",
            "severity_medium",
            "severity_high",
            "col_total",
        ],
    );
    let mut per_day: Vec<Tally> = vec![Tally::default(); days.len()];
    let mut site = Tally::default();

    for zone in &scope.zones {
        let mut window = Window {
            records: ZoneRecords::new(&zone.code),
            days: VecDeque::new(),
        };
        documents.with(
            &DocKey::zone_directory(&scope.site, &zone.code),
            &mut |doc| {
                window.records.add_directory(doc);
            },
        );
        let mut acc = Zone::default();
        let mut next = read.iter();
        let mut read_next = |window: &mut Window, acc: &mut Zone| {
            let mut day = ZoneRecords::new(&zone.code);
            if let Some(date) = next.next() {
                let key = DocKey::patrol_log(&scope.site, &zone.code, *date);
                documents.with(&key, &mut |doc| {
                    day.add_day(doc);
                });
            }
            acc.made(&day, in_month);
            window.push(day);
        };
        // The day before the first, and the first day.
        read_next(&mut window, &mut acc);
        read_next(&mut window, &mut acc);
        for (index, date) in days.iter().enumerate() {
            // The day after.
            read_next(&mut window, &mut acc);
            let records = &window.records;
            for outcome in evaluate_day(*date, records.patrol_records(), scope.now) {
                let length = records
                    .routes
                    .iter()
                    .find(|route| route.id == outcome.route_id)
                    .map_or(0, |route| route.checkpoints.0.len());
                let mut tally = Tally::default();
                if !tally.count(&outcome, length) {
                    continue;
                }
                per_day[index].add(&tally);
                acc.tally.add(&tally);
                if let Some(progress) = &outcome.progress {
                    acc.guard(&progress.guard, &progress.guard_name).add(&tally);
                }
            }
        }
        let Zone {
            tally: zone_tally,
            guards,
            mut kinds,
        } = acc;
        by_zone.push(zone_row(Cell::text(&zone.name), &zone_tally));
        site.add(&zone_tally);
        let mut guards: Vec<(String, Tally)> = guards.into_values().collect();
        guards.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, tally) in guards {
            let mut row = vec![Cell::text(&zone.name), Cell::text(name)];
            row.extend(guard_measures(&tally));
            by_guard.push(row);
        }
        for kind in FindingKind::ALL {
            let Some(counts) = kinds.remove(kind.as_str()) else {
                continue;
            };
            findings.push(finding_row(
                &zone.name,
                &format!("finding_{}", kind.as_str()),
                counts,
            ));
        }
        for (kind, counts) in kinds {
            findings.push(finding_row(&zone.name, &format!("finding_{kind}"), counts));
        }
    }
    if scope.zones.len() > 1 {
        by_zone.push(zone_row(Cell::label("whole_site"), &site));
    }

    let mut by_day = Table::new(
        1,
        &[
            "col_date",
            "col_rounds_due",
            "col_rounds_done",
            "col_rounds_missed",
            "col_rounds_incomplete",
            "col_on_time_rate",
        ],
    );
    let mut points = Vec::new();
    for (date, tally) in days.iter().zip(&per_day) {
        by_day.push(vec![
            Cell::Date(date.format("%Y-%m-%d").to_string()),
            Cell::count(tally.due()),
            Cell::count(tally.done),
            Cell::count(tally.missed),
            Cell::count(tally.incomplete),
            Cell::share(tally.done, tally.due()),
        ]);
        points.push(Point {
            label: date.format("%d").to_string(),
            value: percent(tally.done, tally.due()),
        });
    }
    let chart = Chart {
        title: "chart_on_time_by_day".into(),
        max: 100.0,
        target: Some(100.0),
        higher_is_better: true,
        points,
    };
    vec![
        section("by_zone", by_zone, None),
        section("by_guard", by_guard, None),
        section("findings", findings, None),
        section("by_day", by_day, Some(chart)),
        gate::section(scope, documents),
    ]
}

/// What one zone's month adds up to.
#[derive(Default)]
struct Zone {
    tally: Tally,
    /// By guard id: the guard's name and figures.
    guards: BTreeMap<String, (String, Tally)>,
    /// Findings by kind, then severity (low, medium, high).
    kinds: BTreeMap<String, [usize; 3]>,
}

impl Zone {
    fn guard(&mut self, id: &str, name: &str) -> &mut Tally {
        &mut self
            .guards
            .entry(id.to_owned())
            .or_insert_with(|| (name.to_owned(), Tally::default()))
            .1
    }

    /// Counts the findings and flagged records of a day's log made in the
    /// month: each record is in one log, so each is counted once.
    fn made(&mut self, day: &ZoneRecords, in_month: impl Fn(i64) -> bool) {
        for scan in day.scans.iter().filter(|scan| in_month(scan.scanned_at)) {
            let receipt = day.receipts.get(&scan.id);
            self.tally.flag(scan.scanned_at, receipt);
            self.guard(&scan.guard, &scan.guard_name)
                .flag(scan.scanned_at, receipt);
        }
        for finding in day.findings.iter().filter(|f| in_month(f.found_at)) {
            let receipt = day.receipts.get(&finding.id);
            self.tally.flag(finding.found_at, receipt);
            self.tally.findings += 1;
            let tally = self.guard(&finding.guard, &finding.guard_name);
            tally.flag(finding.found_at, receipt);
            tally.findings += 1;
            let severity = Severity::ALL
                .iter()
                .position(|s| s.as_str() == finding.severity)
                .unwrap_or(0);
            self.kinds.entry(finding.kind.clone()).or_default()[severity] += 1;
        }
    }
}

fn zone_columns() -> [&'static str; 10] {
    [
        "col_zone",
        "col_rounds_due",
        "col_rounds_done",
        "col_rounds_missed",
        "col_rounds_incomplete",
        "col_on_time_rate",
        "col_checkpoints_expected",
        "col_checkpoints_scanned",
        "col_clock_off",
        "col_arrived_late",
    ]
}

fn zone_row(key: Cell, tally: &Tally) -> Vec<Cell> {
    vec![
        key,
        Cell::count(tally.due()),
        Cell::count(tally.done),
        Cell::count(tally.missed),
        Cell::count(tally.incomplete),
        Cell::share(tally.done, tally.due()),
        Cell::count(tally.expected),
        Cell::count(tally.scanned),
        Cell::count(tally.clock_off),
        Cell::count(tally.late),
    ]
}

fn guard_columns() -> [&'static str; 10] {
    [
        "col_zone",
        "col_guard",
        "col_rounds_started",
        "col_rounds_done",
        "col_rounds_incomplete",
        "col_checkpoints_expected",
        "col_checkpoints_scanned",
        "col_findings",
        "col_clock_off",
        "col_arrived_late",
    ]
}

fn guard_measures(tally: &Tally) -> Vec<Cell> {
    vec![
        Cell::count(tally.done + tally.incomplete),
        Cell::count(tally.done),
        Cell::count(tally.incomplete),
        Cell::count(tally.expected),
        Cell::count(tally.scanned),
        Cell::count(tally.findings),
        Cell::count(tally.clock_off),
        Cell::count(tally.late),
    ]
}

fn finding_row(zone: &str, kind: &str, counts: [usize; 3]) -> Vec<Cell> {
    vec![
        Cell::text(zone),
        Cell::label(kind),
        Cell::count(counts[0]),
        Cell::count(counts[1]),
        Cell::count(counts[2]),
        Cell::count(counts.iter().sum()),
    ]
}

fn section(id: &str, table: Table, chart: Option<Chart>) -> Section {
    Section {
        id: id.into(),
        title: format!("section_patrol_{id}"),
        table,
        chart,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{instant_at, ZoneRef};
    use crate::fixtures::patrol::{finding, round_scan, ZonePlan};
    use crate::schema::directory::put_checkpoint;
    use crate::schema::finding::put_finding;
    use crate::schema::patrol::record_scan;
    use crate::schema::round::{put_round, Round};
    use crate::schema::route::put_route;
    use crate::schema::schedule::{put_schedule, Schedule};
    use automerge::Automerge;

    const SITE: &str = "demo";

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn at(date: NaiveDate, hour: u32, minute: u32) -> i64 {
        instant_at(date, hour * 60 + minute)
    }

    /// Zone A: two checkpoints, one night schedule (20:00–06:00 every two
    /// hours, three hours a round, no unannounced rounds) made at 12:00 on
    /// 30 November.
    fn directory(plan: &ZonePlan) -> (Automerge, Schedule) {
        let since = at(day(30), 12, 0);
        let mut doc = DocKey::zone_directory(SITE, "A").genesis();
        for checkpoint in &plan.checkpoints {
            put_checkpoint(&mut doc, checkpoint, since).unwrap();
        }
        put_route(&mut doc, &plan.route, since).unwrap();
        let schedule = Schedule {
            since,
            round_minutes: 180,
            unannounced: 0,
            ..plan.schedules[0].clone()
        };
        put_schedule(&mut doc, &schedule, since).unwrap();
        (doc, schedule)
    }

    fn scope() -> Scope {
        Scope {
            site: SITE.into(),
            month: "2026-11".parse().unwrap(),
            zones: vec![ZoneRef {
                code: "A".into(),
                name: "A区".into(),
            }],
            now: at(day(30), 12, 0) + 2 * 86_400_000,
            heads: Vec::new(),
        }
    }

    #[test]
    fn a_round_crossing_midnight_at_month_end_and_days_before_the_schedule() {
        let plan = ZonePlan::numbered("A", 2);
        let (directory, schedule) = directory(&plan);
        let mut docs = BTreeMap::new();
        docs.insert(DocKey::zone_directory(SITE, "A"), directory);
        let december = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let mut last = DocKey::patrol_log(SITE, "A", day(30)).genesis();
        let mut next = DocKey::patrol_log(SITE, "A", december).genesis();
        // The 20:00 round is missed; the 22:00 one starts at 22:10, scans
        // one checkpoint before midnight and the other after, in the log of
        // 1 December.
        let round = Round {
            id: "r-22".into(),
            route_id: plan.route.id.clone(),
            route_name: plan.route.name.clone(),
            schedule_id: schedule.id.clone(),
            due_at: Some(at(day(30), 22, 0)),
            checkpoints: plan.route.checkpoints.clone(),
            guard: "guard-a".into(),
            guard_name: "安管员A".into(),
            device: "tablet-a".into(),
            started_at: at(day(30), 22, 10),
            ended_at: None,
        };
        put_round(&mut last, &round).unwrap();
        let checkpoints = &plan.route.checkpoints.0;
        record_scan(
            &mut last,
            &round_scan(&round, 1, &plan.checkpoints[0], at(day(30), 23, 58)),
        )
        .unwrap();
        record_scan(
            &mut next,
            &round_scan(&round, 2, &plan.checkpoints[1], at(december, 0, 3)),
        )
        .unwrap();
        put_finding(
            &mut last,
            &finding("f1", &round, &checkpoints[0], at(day(30), 23, 59)),
        )
        .unwrap();
        put_finding(
            &mut next,
            &finding("f2", &round, &checkpoints[1], at(december, 0, 3)),
        )
        .unwrap();
        docs.insert(DocKey::patrol_log(SITE, "A", day(30)), last);
        docs.insert(DocKey::patrol_log(SITE, "A", december), next);

        let scope = scope();
        let keys = needs(&scope);
        assert_eq!(
            keys.len(),
            1 + 32 + 30,
            "directory, 30 days and one either side, the 30 days' gate logs"
        );
        assert!(keys.contains(&DocKey::patrol_log(SITE, "A", december)));
        let sections = build(&scope, &mut docs);
        let table = |id: &str| {
            sections
                .iter()
                .find(|section| section.id == id)
                .unwrap()
                .clone()
        };
        let by_zone = table("by_zone").table;
        assert_eq!(
            by_zone.rows,
            vec![vec![
                Cell::text("A区"),
                Cell::Count(2),
                Cell::Count(1),
                Cell::Count(1),
                Cell::Count(0),
                Cell::Percent(Some(50.0)),
                Cell::Count(4),
                Cell::Count(2),
                Cell::Count(0),
                Cell::Count(0),
            ]]
        );
        let by_guard = table("by_guard").table;
        assert_eq!(by_guard.rows.len(), 1);
        assert_eq!(by_guard.rows[0][2], Cell::Count(1), "one round started");
        assert_eq!(
            by_guard.rows[0][7],
            Cell::Count(1),
            "the finding of November"
        );
        assert_eq!(
            table("findings").table.rows,
            vec![vec![
                Cell::text("A区"),
                Cell::label("finding_fire_equipment"),
                Cell::Count(0),
                Cell::Count(1),
                Cell::Count(0),
                Cell::Count(1),
            ]]
        );
        let by_day = table("by_day");
        assert_eq!(by_day.table.rows.len(), 30);
        // Before the schedule existed nothing was due: n/a, not missed.
        assert_eq!(by_day.table.rows[28][1], Cell::Count(0));
        assert_eq!(by_day.table.rows[28][5], Cell::Percent(None));
        let chart = by_day.chart.unwrap();
        assert_eq!(chart.points.len(), 30);
        assert_eq!(chart.points[0].label, "01");
        assert_eq!(chart.points[28].value, None);
        assert_eq!(chart.points[29].value, Some(50.0));

        // Without the log of 1 December the round's last scan is not seen:
        // it would be incomplete. The day after the month is read.
        docs.remove(&DocKey::patrol_log(SITE, "A", december));
        let sections = build(&scope, &mut docs);
        let zone = &sections[0].table.rows[0];
        assert_eq!((&zone[2], &zone[4]), (&Cell::Count(0), &Cell::Count(1)));
    }

    #[test]
    fn a_month_in_progress_stops_at_now() {
        let scope = Scope {
            now: at(day(10), 9, 0),
            heads: Vec::new(),
            ..scope()
        };
        assert_eq!(report_days(&scope).len(), 10);
        assert_eq!(
            needs(&scope).len(),
            1 + 11 + 10,
            "31 October to today, and the month's gate logs so far"
        );
        let mut docs = BTreeMap::new();
        let sections = build(&scope, &mut docs);
        assert_eq!(sections[3].table.rows.len(), 10);
    }
}

#[cfg(test)]
mod load {
    use super::*;
    use crate::domain::{instant_at, ZoneRef};
    use crate::fixtures::patrol::ZonePlan;

    /// One zone, ten days of 1,000 scans (50 complete rounds of 20
    /// checkpoints a day): run by hand with `--ignored` to time the report.
    #[test]
    #[ignore]
    fn a_busy_zone() {
        let plan = ZonePlan::numbered("A", 20);
        let first = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let mut docs = BTreeMap::new();
        docs.insert(
            DocKey::zone_directory("demo", "A"),
            plan.directory("demo", instant_at(first, 0) - 86_400_000),
        );
        for offset in 0..10 {
            let day = first + Duration::days(offset);
            let mut doc = DocKey::patrol_log("demo", "A", day).genesis();
            for n in 0..50 {
                let start = instant_at(day, 20 + n * 28);
                plan.walk(
                    &mut doc,
                    &plan.schedules[1],
                    None,
                    start,
                    &format!("r{offset}-{n}"),
                );
            }
            docs.insert(DocKey::patrol_log("demo", "A", day), doc);
        }
        let month = "2026-11".parse().unwrap();
        let scope = Scope {
            site: "demo".into(),
            month,
            zones: vec![ZoneRef {
                code: "A".into(),
                name: "A区".into(),
            }],
            now: instant_at(first, 0) + 10 * 86_400_000,
            heads: Vec::new(),
        };
        let started = std::time::Instant::now();
        for doc in docs.values() {
            ZoneRecords::new("A").add_day(doc);
        }
        eprintln!("reading the logs alone: {:?}", started.elapsed());
        let started = std::time::Instant::now();
        let sections = build(&scope, &mut docs);
        eprintln!("10 days x 1,000 scans: {:?}", started.elapsed());
        assert_eq!(sections[3].table.rows.len(), 10);
    }
}

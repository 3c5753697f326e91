//! Patrol figure for the closing notes: how long it takes to compute one day's
//! compliance for a site with 10 guards (10 zones), natively.
//!
//! Each zone has the demo's plan (`roundbook_shared::fixtures`) over 10
//! checkpoints: one route and two schedules (夜班 20:00–06:00 every 2 h with
//! 2 unannounced rounds, 白班 08:00–20:00 every 4 h with 1); every round due
//! was walked completely, with a few findings.
//! Records are written with the shared schema into Automerge documents (the
//! zone directory and one patrol log per day), as on a tablet. Prints the
//! median of several runs for reading the records out of the documents and
//! for `compliance::evaluate_day` over all 10 zones; asserts nothing about speed.
//!
//! `cargo bench -p roundbook-server --bench patrol_figures`

use std::time::{Duration, Instant};

use automerge::Automerge;
use chrono::NaiveDate;

use roundbook_shared::compliance::{evaluate_day, PatrolRecords, RoundStatus, Summary};
use roundbook_shared::domain::local_date;
use roundbook_shared::fixtures::patrol::{finding, ZonePlan};
use roundbook_shared::schema::finding::{findings, put_finding, Finding};
use roundbook_shared::schema::patrol::{scans, Scan};
use roundbook_shared::schema::round::{rounds, Round};
use roundbook_shared::schema::route::{routes, Route};
use roundbook_shared::schema::schedule::{schedules, Schedule};
use roundbook_shared::schema::DocKey;

const ZONES: usize = 10;
const CHECKPOINTS: usize = 10;
const RUNS: usize = 15;
const MINUTE: i64 = 60_000;

/// One zone's documents: the directory and the patrol logs by day.
struct ZoneDocs {
    directory: Automerge,
    days: Vec<(NaiveDate, Automerge)>,
}

fn build_zone(zone: usize, date: NaiveDate) -> ZoneDocs {
    let plan = ZonePlan::numbered(&format!("Z{zone}"), CHECKPOINTS);
    let directory = plan.directory("bench", 0);

    // The day documents read for `date`: the day before, the day, the day after.
    let dates: Vec<NaiveDate> = (-1..=1)
        .map(|offset| date + chrono::Duration::days(offset))
        .collect();
    let mut days: Vec<(NaiveDate, Automerge)> = dates
        .iter()
        .map(|day| {
            (
                *day,
                DocKey::patrol_log("bench", &plan.zone, *day).genesis(),
            )
        })
        .collect();
    let mut walk = |schedule: &Schedule, due_at: Option<i64>, started_at: i64, found: bool| {
        let day = local_date(started_at);
        let Some((_, doc)) = days.iter_mut().find(|(d, _)| *d == day) else {
            return;
        };
        let id = format!("{}-{started_at}", schedule.id);
        let round = plan.walk(doc, schedule, due_at, started_at, &id);
        if found {
            let checkpoint = &plan.checkpoints[3].id;
            let at = started_at + 10 * MINUTE;
            put_finding(
                doc,
                &finding(&format!("finding-{id}"), &round, checkpoint, at),
            )
            .unwrap();
        }
    };
    // Every shift that touches the three days: from two days before.
    for shift_date in (-2..=1).map(|offset| date + chrono::Duration::days(offset)) {
        for schedule in &plan.schedules {
            for (n, due_at) in schedule.slots(shift_date).into_iter().enumerate() {
                walk(schedule, Some(due_at), due_at + 2 * MINUTE, n == 1);
            }
            let shift = schedule.shift(shift_date);
            for n in 0..schedule.unannounced {
                let started_at = shift.start + 50 * MINUTE + i64::from(n) * 180 * MINUTE;
                walk(schedule, None, started_at, false);
            }
        }
    }
    ZoneDocs { directory, days }
}

/// The records of a zone, read out of its documents as a tablet would.
struct Records {
    routes: Vec<Route>,
    schedules: Vec<Schedule>,
    rounds: Vec<Round>,
    scans: Vec<Scan>,
    findings: Vec<Finding>,
}

fn read(zone: &ZoneDocs) -> Records {
    let mut records = Records {
        routes: routes(&zone.directory).unwrap(),
        schedules: schedules(&zone.directory).unwrap(),
        rounds: Vec::new(),
        scans: Vec::new(),
        findings: Vec::new(),
    };
    for (_, doc) in &zone.days {
        records.rounds.extend(rounds(doc).unwrap());
        records.scans.extend(scans(doc).unwrap());
        records.findings.extend(findings(doc).unwrap());
    }
    records
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let date = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    // Evaluated the next day at noon: every round of the day is settled.
    let now = roundbook_shared::domain::instant_at(date, 36 * 60);
    let started = Instant::now();
    let zones: Vec<ZoneDocs> = (0..ZONES).map(|zone| build_zone(zone, date)).collect();
    println!(
        "built {ZONES} zones × 3 day documents in {:.2?}",
        started.elapsed()
    );

    let records: Vec<Records> = zones.iter().map(read).collect();
    let (rounds_read, scans_read, findings_read) = records.iter().fold((0, 0, 0), |acc, r| {
        (
            acc.0 + r.rounds.len(),
            acc.1 + r.scans.len(),
            acc.2 + r.findings.len(),
        )
    });
    println!(
        "records read for one day (3 day documents per zone, all zones): \
         {rounds_read} rounds, {scans_read} scans, {findings_read} findings"
    );

    let evaluate_all = |records: &[Records]| {
        records
            .iter()
            .map(|r| {
                let view = PatrolRecords {
                    routes: &r.routes,
                    schedules: &r.schedules,
                    rounds: &r.rounds,
                    scans: &r.scans,
                    findings: &r.findings,
                };
                evaluate_day(date, view, now)
            })
            .collect::<Vec<_>>()
    };
    let outcomes = evaluate_all(&records);
    let mut total = Summary::default();
    for zone in &outcomes {
        let summary = Summary::of(zone);
        total.done += summary.done;
        total.missed += summary.missed;
        total.incomplete += summary.incomplete;
        total.upcoming += summary.upcoming;
        total.due += summary.due;
        total.in_progress += summary.in_progress;
    }
    let all_done = outcomes
        .iter()
        .flatten()
        .all(|outcome| outcome.status == RoundStatus::Done);
    println!(
        "outcomes of the day, all zones: {} (done {}, missed {}, incomplete {}; all done: {all_done})",
        outcomes.iter().map(Vec::len).sum::<usize>(),
        total.done,
        total.missed,
        total.incomplete
    );

    let mut reading = Vec::new();
    let mut evaluating = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        let records: Vec<Records> = zones.iter().map(read).collect();
        reading.push(started.elapsed());
        let started = Instant::now();
        let outcomes = evaluate_all(&records);
        evaluating.push(started.elapsed());
        std::hint::black_box(outcomes);
    }
    println!(
        "evaluate_day for {ZONES} zones: median {:.2?} of {RUNS} runs",
        median(evaluating)
    );
    println!(
        "reading their records out of the Automerge documents: median {:.2?} of {RUNS} runs",
        median(reading)
    );
}

//! Patrol figure for the closing notes: how long it takes to compute one day's
//! compliance for a site with 10 guards (10 zones), natively.
//!
//! Each zone has a 10-checkpoint route and the demo's two schedules (夜班
//! 20:00–06:00 every 2 h with 2 unannounced rounds, 白班 08:00–20:00 every
//! 4 h with 1); every round due was walked completely, with a few findings.
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
use roundbook_shared::schema::directory::{put_checkpoint, Checkpoint};
use roundbook_shared::schema::finding::{findings, put_finding, Finding};
use roundbook_shared::schema::patrol::{record_scan, scans, Scan, METHOD_CAMERA};
use roundbook_shared::schema::round::{put_round, rounds, Round};
use roundbook_shared::schema::route::{put_route, routes, CheckpointOrder, Route};
use roundbook_shared::schema::schedule::{put_schedule, schedules, Schedule};
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

fn schedule(id: &str, name: &str, times: (u32, u32, u32, u32, u32)) -> Schedule {
    let (start, end, every, tolerance, unannounced) = times;
    Schedule {
        id: id.into(),
        route_id: "route".into(),
        name: name.into(),
        shift_start: start,
        shift_end: end,
        every_minutes: every,
        tolerance_minutes: tolerance,
        round_minutes: 60,
        unannounced,
        retired: false,
    }
}

fn build_zone(zone: usize, date: NaiveDate) -> ZoneDocs {
    let code = format!("Z{zone}");
    let mut directory = DocKey::zone_directory("bench", &code).genesis();
    let ids: Vec<String> = (0..CHECKPOINTS).map(|n| format!("cp-{n:02}")).collect();
    for (n, id) in ids.iter().enumerate() {
        let checkpoint = Checkpoint {
            id: id.clone(),
            code: format!("{code}-{n:02}"),
            name: format!("岗点 {n}"),
            location: String::new(),
            retired: false,
        };
        put_checkpoint(&mut directory, &checkpoint, 0).unwrap();
    }
    let route = Route {
        id: "route".into(),
        name: format!("{code} 巡逻路线"),
        checkpoints: CheckpointOrder(ids.clone()),
        retired: false,
    };
    put_route(&mut directory, &route, 0).unwrap();
    let plans = [
        schedule("night", "夜班", (20 * 60, 6 * 60, 120, 15, 2)),
        schedule("day", "白班", (8 * 60, 20 * 60, 240, 20, 1)),
    ];
    for plan in &plans {
        put_schedule(&mut directory, plan, 0).unwrap();
    }

    // The day documents read for `date`: the day before, the day, the day after.
    let dates: Vec<NaiveDate> = (-1..=1)
        .map(|offset| date + chrono::Duration::days(offset))
        .collect();
    let mut days: Vec<(NaiveDate, Automerge)> = dates
        .iter()
        .map(|day| (*day, DocKey::patrol_log("bench", &code, *day).genesis()))
        .collect();
    let guard = format!("guard-{zone}");
    let mut walk = |due_at: Option<i64>, schedule_id: &str, started_at: i64, finding: bool| {
        let day = local_date(started_at);
        let Some((_, doc)) = days.iter_mut().find(|(d, _)| *d == day) else {
            return;
        };
        let round = Round {
            id: format!("{schedule_id}-{started_at}"),
            route_id: route.id.clone(),
            route_name: route.name.clone(),
            schedule_id: schedule_id.into(),
            due_at,
            checkpoints: route.checkpoints.clone(),
            guard: guard.clone(),
            guard_name: "保安".into(),
            device: "tablet".into(),
            started_at,
            ended_at: None,
        };
        put_round(doc, &round).unwrap();
        for (n, checkpoint) in ids.iter().enumerate() {
            let scan = Scan {
                id: format!("{}-{n}", round.id),
                round_id: round.id.clone(),
                checkpoint_id: checkpoint.clone(),
                checkpoint_code: format!("{code}-{n:02}"),
                guard: guard.clone(),
                guard_name: "保安".into(),
                device: "tablet".into(),
                scanned_at: started_at + (n as i64 + 1) * 3 * MINUTE,
                method: METHOD_CAMERA.into(),
            };
            record_scan(doc, &scan).unwrap();
        }
        if finding {
            let found = Finding {
                id: format!("finding-{}", round.id),
                round_id: round.id.clone(),
                checkpoint_id: ids[3].clone(),
                kind: "facility_damage".into(),
                severity: "medium".into(),
                note: "路灯不亮".into(),
                photos: Vec::new(),
                guard: guard.clone(),
                guard_name: "保安".into(),
                device: "tablet".into(),
                found_at: started_at + 10 * MINUTE,
                needs_repair: false,
                request_id: String::new(),
            };
            put_finding(doc, &found).unwrap();
        }
    };
    // Every shift that touches the three days: from two days before.
    for shift_date in (-2..=1).map(|offset| date + chrono::Duration::days(offset)) {
        for plan in &plans {
            for (n, due_at) in plan.slots(shift_date).into_iter().enumerate() {
                walk(Some(due_at), &plan.id, due_at + 2 * MINUTE, n == 1);
            }
            let shift = plan.shift(shift_date);
            for n in 0..plan.unannounced {
                let started_at = shift.start + 50 * MINUTE + i64::from(n) * 180 * MINUTE;
                walk(None, &plan.id, started_at, false);
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

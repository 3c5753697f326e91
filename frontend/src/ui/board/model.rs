//! What the rounds board shows, computed from the tablet's documents: for
//! each zone, the day's rounds evaluated by [`compliance::evaluate_day`],
//! with the checkpoints still missing, the findings, a summary per guard and
//! the trust flags of the scans and findings ([`trust::flags`]).
//!
//! Plain data and pure functions, so the screen only renders and the
//! evaluation can be timed and tested without it. It reads; it never writes.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use roundbook_shared::compliance::{self, RoundOutcome, RoundStatus, Summary};
use roundbook_shared::domain::{local_date, ZoneRef};
use roundbook_shared::schema::finding::Finding;
use roundbook_shared::schema::patrol::Scan;
use roundbook_shared::schema::DocKey;
use roundbook_shared::trust::{self, TrustFlag};

use crate::documents::Library;
use crate::patrol_records::{days_around, ZoneRecords};

/// One zone's day.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneBoard {
    pub zone: ZoneRef,
    /// Whether this tablet holds the zone's patrol log of the day. When it
    /// does not, nothing else is filled in: an absent day is not a missed one.
    pub held: bool,
    pub summary: Summary,
    /// Findings of the day: on its rounds and outside any round.
    pub findings: usize,
    pub guards: Vec<GuardLine>,
    pub rounds: Vec<RoundLine>,
    /// Findings recorded that day outside the day's rounds.
    pub loose_findings: Vec<FindingLine>,
}

/// One guard's day in a zone.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GuardLine {
    pub guard: String,
    pub name: String,
    pub done: usize,
    pub incomplete: usize,
    pub in_progress: usize,
    pub findings: usize,
}

/// A flagged record of a round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagLine {
    /// What was flagged: the checkpoint code of a scan.
    pub what: String,
    pub flag: TrustFlag,
}

/// A finding as the board shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingLine {
    pub finding: Finding,
    /// The code of the checkpoint it is at, if any.
    pub checkpoint: Option<String>,
    pub flags: Vec<TrustFlag>,
}

/// One round of the day.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundLine {
    /// Stable among the day's rounds (for keyed lists).
    pub key: String,
    pub outcome: RoundOutcome,
    /// Checkpoints on the round (0 for a round nobody started).
    pub total: usize,
    /// Codes of the checkpoints not scanned, in walking order.
    pub missing: Vec<String>,
    pub findings: Vec<FindingLine>,
    pub flags: Vec<FlagLine>,
}

impl RoundLine {
    pub fn scanned(&self) -> usize {
        self.outcome
            .progress
            .as_ref()
            .map_or(0, |progress| progress.scanned.len())
    }
}

/// Whether the tablet holds `zone`'s patrol log of `date`.
pub fn holds_day(library: &Library, site: &str, zone: &str, date: NaiveDate) -> bool {
    library
        .with_doc(&DocKey::patrol_log(site, zone, date), |_| ())
        .is_some()
}

/// Every zone's board for `date`, evaluated at `now`.
pub fn site_board(
    library: &Library,
    site: &str,
    zones: &[ZoneRef],
    date: NaiveDate,
    now: i64,
) -> Vec<ZoneBoard> {
    zones
        .iter()
        .map(|zone| {
            if !holds_day(library, site, &zone.code, date) {
                return ZoneBoard {
                    zone: zone.clone(),
                    held: false,
                    summary: Summary::default(),
                    findings: 0,
                    guards: Vec::new(),
                    rounds: Vec::new(),
                    loose_findings: Vec::new(),
                };
            }
            let records = ZoneRecords::gather(library, site, &zone.code, &days_around(date));
            zone_board(zone.clone(), &records, date, now)
        })
        .collect()
}

/// One zone's board from its gathered records.
pub fn zone_board(zone: ZoneRef, records: &ZoneRecords, date: NaiveDate, now: i64) -> ZoneBoard {
    let outcomes = compliance::evaluate_day(date, records.patrol_records(), now);
    let code_of = |id: &str| {
        records
            .checkpoint(id)
            .map(|checkpoint| checkpoint.code.clone())
            .unwrap_or_else(|| id.to_owned())
    };
    let finding_line = |finding: &Finding| FindingLine {
        checkpoint: (!finding.checkpoint_id.is_empty()).then(|| code_of(&finding.checkpoint_id)),
        flags: trust::flags(finding.found_at, records.receipts.get(&finding.id).copied()),
        finding: finding.clone(),
    };
    let mut scans_by_round: HashMap<&str, Vec<&Scan>> = HashMap::new();
    for scan in &records.scans {
        scans_by_round
            .entry(scan.round_id.as_str())
            .or_default()
            .push(scan);
    }
    let findings_by_id: HashMap<&str, &Finding> = records
        .findings
        .iter()
        .map(|finding| (finding.id.as_str(), finding))
        .collect();

    let mut lines = Vec::with_capacity(outcomes.len());
    for (index, outcome) in outcomes.into_iter().enumerate() {
        let Some(progress) = &outcome.progress else {
            lines.push(RoundLine {
                key: format!("{}/{}/{index}", outcome.schedule_id, outcome.window.0),
                total: 0,
                missing: Vec::new(),
                findings: Vec::new(),
                flags: Vec::new(),
                outcome,
            });
            continue;
        };
        let mut scans: Vec<&Scan> = scans_by_round
            .get(progress.round_id.as_str())
            .cloned()
            .unwrap_or_default();
        scans.sort_by_key(|scan| (scan.scanned_at, scan.id.as_str()));
        let flags = scans
            .iter()
            .flat_map(|scan| {
                trust::flags(scan.scanned_at, records.receipts.get(&scan.id).copied())
                    .into_iter()
                    .map(|flag| FlagLine {
                        what: scan.checkpoint_code.clone(),
                        flag,
                    })
            })
            .collect();
        let mut findings: Vec<FindingLine> = progress
            .findings
            .iter()
            .filter_map(|id| findings_by_id.get(id.as_str()))
            .map(|finding| finding_line(finding))
            .collect();
        findings.sort_by_key(|line| line.finding.found_at);
        lines.push(RoundLine {
            key: progress.round_id.clone(),
            total: progress.scanned.len() + progress.missing.len(),
            missing: progress.missing.iter().map(|id| code_of(id)).collect(),
            findings,
            flags,
            outcome,
        });
    }
    // A finding on a known round is shown with it, on that round's day.
    let known_rounds: HashSet<&str> = records
        .rounds
        .iter()
        .map(|round| round.id.as_str())
        .collect();
    let mut loose_findings: Vec<FindingLine> = records
        .findings
        .iter()
        .filter(|finding| {
            !known_rounds.contains(finding.round_id.as_str())
                && local_date(finding.found_at) == date
        })
        .map(finding_line)
        .collect();
    loose_findings.sort_by_key(|line| line.finding.found_at);

    let mut guards: BTreeMap<String, GuardLine> = BTreeMap::new();
    fn guard<'a>(
        guards: &'a mut BTreeMap<String, GuardLine>,
        id: &str,
        name: &str,
    ) -> &'a mut GuardLine {
        guards.entry(id.to_owned()).or_insert_with(|| GuardLine {
            guard: id.to_owned(),
            name: name.to_owned(),
            done: 0,
            incomplete: 0,
            in_progress: 0,
            findings: 0,
        })
    }
    for line in &lines {
        if let Some(progress) = &line.outcome.progress {
            let entry = guard(&mut guards, &progress.guard, &progress.guard_name);
            match line.outcome.status {
                RoundStatus::Done => entry.done += 1,
                RoundStatus::Incomplete => entry.incomplete += 1,
                RoundStatus::InProgress => entry.in_progress += 1,
                _ => {}
            }
        }
        for finding in &line.findings {
            guard(
                &mut guards,
                &finding.finding.guard,
                &finding.finding.guard_name,
            )
            .findings += 1;
        }
    }
    for finding in &loose_findings {
        guard(
            &mut guards,
            &finding.finding.guard,
            &finding.finding.guard_name,
        )
        .findings += 1;
    }
    let mut guards: Vec<GuardLine> = guards.into_values().collect();
    guards.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.guard.cmp(&b.guard)));

    let outcomes: Vec<RoundOutcome> = lines.iter().map(|line| line.outcome.clone()).collect();
    ZoneBoard {
        zone,
        held: true,
        summary: Summary::of(&outcomes),
        findings: lines.iter().map(|line| line.findings.len()).sum::<usize>()
            + loose_findings.len(),
        guards,
        rounds: lines,
        loose_findings,
    }
}

/// Minutes, rounded, of a clock offset (sign dropped).
pub fn offset_minutes(skew_ms: i64) -> i64 {
    (skew_ms.abs() + 30_000) / 60_000
}

/// Hours, to one decimal, of a delay.
pub fn delay_hours(delay_ms: i64) -> String {
    format!("{:.1}", delay_ms as f64 / 3_600_000.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::Automerge;
    use chrono::Duration;
    use roundbook_shared::domain::instant_at;
    use roundbook_shared::schema::directory::{put_checkpoint, Checkpoint};
    use roundbook_shared::schema::finding::{put_finding, Finding};
    use roundbook_shared::schema::patrol::{record_scan, METHOD_CAMERA};
    use roundbook_shared::schema::receipt::{stamp_new_records, Receipt};
    use roundbook_shared::schema::round::{put_round, Round};
    use roundbook_shared::schema::route::{put_route, CheckpointOrder, Route};
    use roundbook_shared::schema::schedule::{put_schedule, Schedule};
    use std::rc::Rc;
    use wasm_bindgen_test::{console_log, wasm_bindgen_test};

    use crate::storage::Storage;

    const MINUTE: i64 = 60_000;
    const CHECKPOINTS: usize = 10;

    fn date() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    /// The demo's two schedules: nights every 2 hours, days every 4 hours.
    fn schedules(zone: &str) -> [Schedule; 2] {
        let schedule = |id: &str, name: &str, start, end, every, tolerance, unannounced| Schedule {
            id: format!("sc-{zone}-{id}"),
            route_id: format!("rt-{zone}"),
            name: name.into(),
            shift_start: start,
            shift_end: end,
            every_minutes: every,
            tolerance_minutes: tolerance,
            round_minutes: 60,
            unannounced,
            retired: false,
        };
        [
            schedule("night", "夜班", 20 * 60, 6 * 60, 120, 15, 2),
            schedule("day", "白班", 8 * 60, 20 * 60, 240, 20, 1),
        ]
    }

    fn zone_directory(zone: &str) -> Automerge {
        let mut doc = DocKey::zone_directory("demo", zone).genesis();
        for n in 1..=CHECKPOINTS {
            let checkpoint = Checkpoint {
                id: format!("cp-{zone}-{n:02}"),
                code: format!("{zone}-{n:02}"),
                name: format!("巡更点 {n}"),
                location: String::new(),
                retired: false,
            };
            put_checkpoint(&mut doc, &checkpoint, 0).unwrap();
        }
        let route = Route {
            id: format!("rt-{zone}"),
            name: format!("{zone} 巡逻路线"),
            checkpoints: CheckpointOrder(
                (1..=CHECKPOINTS)
                    .map(|n| format!("cp-{zone}-{n:02}"))
                    .collect(),
            ),
            retired: false,
        };
        put_route(&mut doc, &route, 0).unwrap();
        for schedule in schedules(zone) {
            put_schedule(&mut doc, &schedule, 0).unwrap();
        }
        doc
    }

    /// A walked round: started 2 minutes after `at`, one scan a minute, each
    /// its own change as on a tablet; a finding every fifth round.
    fn walk(
        doc: &mut Automerge,
        zone: &str,
        schedule: &Schedule,
        due: Option<i64>,
        at: i64,
        n: usize,
    ) {
        let guard = format!("guard-{zone}");
        let round = Round {
            id: format!("round-{zone}-{n}"),
            route_id: schedule.route_id.clone(),
            route_name: format!("{zone} 巡逻路线"),
            schedule_id: schedule.id.clone(),
            due_at: due,
            checkpoints: CheckpointOrder(
                (1..=CHECKPOINTS)
                    .map(|c| format!("cp-{zone}-{c:02}"))
                    .collect(),
            ),
            guard: guard.clone(),
            guard_name: format!("安管员{zone}"),
            device: format!("tablet-{zone}"),
            started_at: at + 2 * MINUTE,
            ended_at: None,
        };
        put_round(doc, &round).unwrap();
        for c in 1..=CHECKPOINTS {
            let scan = Scan {
                id: format!("scan-{zone}-{n}-{c}"),
                round_id: round.id.clone(),
                checkpoint_id: format!("cp-{zone}-{c:02}"),
                checkpoint_code: format!("{zone}-{c:02}"),
                guard: guard.clone(),
                guard_name: round.guard_name.clone(),
                device: round.device.clone(),
                scanned_at: round.started_at + c as i64 * MINUTE,
                method: METHOD_CAMERA.into(),
            };
            record_scan(doc, &scan).unwrap();
        }
        if n.is_multiple_of(5) {
            let finding = Finding {
                id: format!("finding-{zone}-{n}"),
                round_id: round.id.clone(),
                checkpoint_id: format!("cp-{zone}-03"),
                kind: "fire_equipment".into(),
                severity: "medium".into(),
                note: "灭火器压力不足".into(),
                photos: vec!["ab".repeat(32)],
                guard,
                guard_name: round.guard_name.clone(),
                device: round.device.clone(),
                found_at: round.started_at + 4 * MINUTE,
                needs_repair: false,
                request_id: String::new(),
            };
            put_finding(doc, &finding).unwrap();
        }
    }

    /// Walks every round due before `now` in the shifts starting on the day
    /// before and on `date`, in the patrol log of the day each starts.
    /// Returns the patrol logs by day.
    fn patrol_logs(zone: &str, now: i64) -> Vec<(NaiveDate, Automerge)> {
        let days = [date() - Duration::days(1), date()];
        let mut logs: Vec<(NaiveDate, Automerge)> = days
            .iter()
            .chain([date() + Duration::days(1)].iter())
            .map(|day| (*day, DocKey::patrol_log("demo", zone, *day).genesis()))
            .collect();
        let mut n = 0;
        for schedule in schedules(zone) {
            for day in days {
                let shift = schedule.shift(day);
                let unannounced = (1..=schedule.unannounced as i64)
                    .map(|k| (None, shift.start + k * 97 * MINUTE));
                let fixed = schedule.slots(day).into_iter().map(|due| (Some(due), due));
                for (due, at) in fixed.chain(unannounced) {
                    if at + 15 * MINUTE > now {
                        continue;
                    }
                    let started = local_date(at + 2 * MINUTE);
                    let log = &mut logs.iter_mut().find(|(d, _)| *d == started).unwrap().1;
                    n += 1;
                    let before = log.get_heads();
                    walk(log, zone, &schedule, due, at, n);
                    // Synced soon after by a good clock, except round 4
                    // (02:00 on the day), kept offline for four hours.
                    let delay = if n == 4 { 4 * 60 } else { 15 };
                    let receipt = Receipt {
                        received_at: at + delay * MINUTE,
                        clock_skew_ms: Some(1_000),
                    };
                    stamp_new_records(log, &before, receipt).unwrap();
                }
            }
        }
        logs
    }

    async fn site(zones: &[ZoneRef], now: i64) -> Rc<Library> {
        let name = format!("roundbook-test-board-{}", uuid::Uuid::new_v4().simple());
        let storage = Storage::open_named(&name).await.unwrap();
        let library = Library::new(storage.clone(), "t1".into());
        for zone in zones {
            let mut docs = vec![(
                DocKey::zone_directory("demo", &zone.code),
                zone_directory(&zone.code),
            )];
            for (day, log) in patrol_logs(&zone.code, now) {
                docs.push((DocKey::patrol_log("demo", &zone.code, day), log));
            }
            for (key, doc) in docs {
                storage
                    .append_chunk(&key.document_id().to_string(), &doc.save())
                    .await
                    .unwrap();
                library.add(key).await.unwrap();
            }
        }
        library
    }

    fn median(mut times: Vec<f64>) -> f64 {
        times.sort_by(f64::total_cmp);
        times[times.len() / 2]
    }

    fn clock() -> f64 {
        web_sys::window().unwrap().performance().unwrap().now()
    }

    /// The figure for the closing note: a site of 10 guards, one per zone,
    /// every due round walked. Prints the time; asserts only the outcome.
    #[wasm_bindgen_test]
    async fn figure_a_days_compliance_for_ten_guards() {
        let zones: Vec<ZoneRef> = (1..=10)
            .map(|n| ZoneRef {
                code: format!("Z{n:02}"),
                name: format!("{n} 区"),
            })
            .collect();
        let now = instant_at(date(), 23 * 60 + 30);
        let library = site(&zones, now).await;

        let board = site_board(&library, "demo", &zones, date(), now);
        for zone in &board {
            assert!(zone.held);
            // Due on the 23rd: 4 night times after midnight, 4 day times, 2
            // night times before 23:30; and 3 unannounced rounds of its shifts.
            assert_eq!(zone.summary.done, 13, "{}", zone.zone.code);
            assert_eq!(zone.summary.missed + zone.summary.incomplete, 0);
            assert_eq!(zone.guards.len(), 1);
            assert_eq!(zone.guards[0].done, 13);
            assert_eq!(zone.findings, 3);
            let flagged: Vec<&RoundLine> =
                zone.rounds.iter().filter(|r| !r.flags.is_empty()).collect();
            assert_eq!(flagged.len(), 1);
            assert_eq!(flagged[0].outcome.due_at, Some(instant_at(date(), 2 * 60)));
            assert_eq!(flagged[0].flags.len(), CHECKPOINTS);
            assert!(matches!(
                flagged[0].flags[0].flag,
                TrustFlag::ArrivedLate { .. }
            ));
        }
        let scans: usize = zones
            .iter()
            .map(|zone| {
                ZoneRecords::gather(&library, "demo", &zone.code, &days_around(date()))
                    .scans
                    .len()
            })
            .sum();

        let runs = 7;
        let mut evaluate = Vec::new();
        let mut whole = Vec::new();
        for _ in 0..runs {
            let start = clock();
            for zone in &zones {
                let records =
                    ZoneRecords::gather(&library, "demo", &zone.code, &days_around(date()));
                let outcomes = compliance::evaluate_day(date(), records.patrol_records(), now);
                assert!(!outcomes.is_empty());
            }
            evaluate.push(clock() - start);
            let start = clock();
            let board = site_board(&library, "demo", &zones, date(), now);
            assert_eq!(board.len(), 10);
            whole.push(clock() - start);
        }
        console_log!(
            "figure: a day's compliance for 10 guards / 10 zones ({scans} scans over 3 days): \
             gather + evaluate {:.1} ms, whole board {:.1} ms (median of {runs})",
            median(evaluate),
            median(whole)
        );
    }
}

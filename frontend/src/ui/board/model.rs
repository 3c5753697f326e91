//! What the rounds board shows, computed from the tablet's documents: for
//! each zone, the day's rounds evaluated by [`compliance::evaluate_day`],
//! with the checkpoints still missing, the findings, a summary per guard and
//! the trust flags of the scans and findings ([`trust::flags`]).
//!
//! Plain data and pure functions, so the screen only renders and the
//! evaluation can be timed and tested without it. It reads; it never writes.

use std::collections::{BTreeMap, HashMap, HashSet};

use automerge::ChangeHash;
use chrono::NaiveDate;
use roundbook_shared::compliance::{self, RoundOutcome, RoundStatus, Summary};
use roundbook_shared::domain::{local_date, ZoneRef};
use roundbook_shared::schema::finding::Finding;
use roundbook_shared::schema::patrol::Scan;
use roundbook_shared::schema::shift::Shift;
use roundbook_shared::schema::DocKey;
use roundbook_shared::trust::{self, TrustFlag};

use crate::documents::Library;
use crate::patrol_records::{days_around, Gather, ZoneRecords};

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
    /// The name of the schedule it is due under (empty for an extra round
    /// outside any schedule).
    pub schedule_name: String,
    /// Checkpoints on the round (0 for a round nobody started).
    pub total: usize,
    /// Codes of the checkpoints not scanned, in walking order.
    pub missing: Vec<String>,
    pub findings: Vec<FindingLine>,
    pub flags: Vec<FlagLine>,
    /// For a round nobody started (missed or due): the guards whose shift in
    /// the zone overlapped its window, by name.
    pub on_duty: Vec<String>,
}

impl RoundLine {
    pub fn scanned(&self) -> usize {
        self.outcome
            .progress
            .as_ref()
            .map_or(0, |progress| progress.scanned.len())
    }
}

/// The names of the guards whose shift overlapped `window` (a shift still
/// running counts up to now), in the order they started.
fn on_duty(shifts: &[Shift], window: (i64, i64)) -> Vec<String> {
    let mut overlapping: Vec<&Shift> = shifts
        .iter()
        .filter(|shift| shift.started_at <= window.1)
        .filter(|shift| shift.ended_at.is_none_or(|end| end >= window.0))
        .collect();
    overlapping.sort_by_key(|shift| shift.started_at);
    let mut names: Vec<String> = Vec::new();
    for shift in overlapping {
        if !names.contains(&shift.guard_name) {
            names.push(shift.guard_name.clone());
        }
    }
    names
}

/// Whether the tablet holds `zone`'s patrol log of `date`.
pub fn holds_day(library: &Library, site: &str, zone: &str, date: NaiveDate) -> bool {
    library
        .with_doc(&DocKey::patrol_log(site, zone, date), |_| ())
        .is_some()
}

/// The zone's records gathered for a day, kept while the documents they were
/// read from are unchanged: reading them is most of the board's cost, and
/// the board is evaluated again every minute and on every synced change.
#[derive(Default)]
pub struct RecordsCache {
    zones: HashMap<String, (Fingerprint, ZoneRecords)>,
}

/// What the gathered records were read from: the day and each document's heads.
type Fingerprint = (NaiveDate, Vec<Option<Vec<ChangeHash>>>);

impl RecordsCache {
    /// `zone`'s records for evaluating `date`, read again only if one of its
    /// documents changed (or appeared) since the last call.
    pub fn records(
        &mut self,
        library: &Library,
        site: &str,
        zone: &str,
        date: NaiveDate,
    ) -> &ZoneRecords {
        let days = days_around(date);
        let keys = std::iter::once(DocKey::zone_directory(site, zone))
            .chain(days.iter().map(|day| DocKey::patrol_log(site, zone, *day)));
        let heads = keys
            .map(|key| library.with_doc(&key, |doc| doc.get_heads()))
            .collect();
        let fingerprint = (date, heads);
        let entry = self.zones.entry(zone.to_owned()).or_insert_with(|| {
            (
                fingerprint.clone(),
                ZoneRecords::gather(library, site, zone, &days),
            )
        });
        if entry.0 != fingerprint {
            *entry = (fingerprint, ZoneRecords::gather(library, site, zone, &days));
        }
        &entry.1
    }
}

/// Every zone's board for `date`, evaluated at `now`.
pub fn site_board(
    library: &Library,
    site: &str,
    zones: &[ZoneRef],
    date: NaiveDate,
    now: i64,
    cache: &mut RecordsCache,
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
            let records = cache.records(library, site, &zone.code, date);
            zone_board(zone.clone(), records, date, now)
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

    let schedule_name = |id: &str| {
        records
            .schedules
            .iter()
            .find(|schedule| schedule.id == id)
            .map(|schedule| schedule.name.clone())
            .unwrap_or_default()
    };
    let mut lines = Vec::with_capacity(outcomes.len());
    for (index, outcome) in outcomes.into_iter().enumerate() {
        let Some(progress) = &outcome.progress else {
            let on_duty = match outcome.status {
                RoundStatus::Missed | RoundStatus::Due => on_duty(&records.shifts, outcome.window),
                _ => Vec::new(),
            };
            lines.push(RoundLine {
                key: format!("{}/{}/{index}", outcome.schedule_id, outcome.window.0),
                schedule_name: schedule_name(&outcome.schedule_id),
                total: 0,
                missing: Vec::new(),
                findings: Vec::new(),
                flags: Vec::new(),
                on_duty,
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
            schedule_name: schedule_name(&outcome.schedule_id),
            total: progress.scanned.len() + progress.missing.len(),
            missing: progress.missing.iter().map(|id| code_of(id)).collect(),
            findings,
            flags,
            on_duty: Vec::new(),
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
    use roundbook_shared::fixtures::patrol::{checkpoint_id, finding, ZonePlan};
    use roundbook_shared::schema::finding::{put_finding, Finding};
    use roundbook_shared::schema::receipt::{stamp_new_records, Receipt};
    use roundbook_shared::schema::schedule::Schedule;
    use roundbook_shared::schema::DocKind;
    use std::rc::Rc;
    use wasm_bindgen_test::{console_log, wasm_bindgen_test};

    use crate::storage::Storage;

    const MINUTE: i64 = 60_000;
    const CHECKPOINTS: usize = 10;

    fn date() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    /// A zone of the demo's plan over 10 checkpoints: night rounds every 2
    /// hours, day rounds every 4 hours.
    fn plan(zone: &str) -> ZonePlan {
        ZonePlan::numbered(zone, CHECKPOINTS)
    }

    /// A walked round: started 2 minutes after `at`, one scan a minute, each
    /// its own change as on a tablet; a finding every fifth round.
    fn walk(
        doc: &mut Automerge,
        plan: &ZonePlan,
        schedule: &Schedule,
        due: Option<i64>,
        at: i64,
        n: usize,
    ) {
        let zone = &plan.zone;
        let round = plan.walk(
            doc,
            schedule,
            due,
            at + 2 * MINUTE,
            &format!("round-{zone}-{n}"),
        );
        if n.is_multiple_of(5) {
            let finding = Finding {
                photos: vec!["ab".repeat(32)],
                ..finding(
                    &format!("finding-{zone}-{n}"),
                    &round,
                    &checkpoint_id(zone, 3),
                    round.started_at + 4 * MINUTE,
                )
            };
            put_finding(doc, &finding).unwrap();
        }
    }

    /// Walks every round due before `now` in the shifts starting on the day
    /// before and on `date`, in the patrol log of the day each starts.
    /// Returns the patrol logs by day.
    async fn patrol_logs(zone: &str, now: i64) -> Vec<(NaiveDate, Automerge)> {
        let plan = plan(zone);
        let days = [date() - Duration::days(1), date()];
        let mut logs: Vec<(NaiveDate, Automerge)> = days
            .iter()
            .chain([date() + Duration::days(1)].iter())
            .map(|day| (*day, DocKey::patrol_log("demo", zone, *day).genesis()))
            .collect();
        let mut n = 0;
        for schedule in &plan.schedules {
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
                    walk(log, &plan, schedule, due, at, n);
                    // Synced soon after by a good clock, except round 4
                    // (02:00 on the day), kept offline for four hours.
                    let delay = if n == 4 { 4 * 60 } else { 15 };
                    let receipt = Receipt {
                        received_at: at + delay * MINUTE,
                        clock_skew_ms: Some(1_000),
                    };
                    stamp_new_records(
                        log,
                        DocKind::PatrolLog,
                        &before,
                        receipt,
                        &roundbook_shared::fixtures::seal(),
                    )
                    .unwrap();
                    yield_now().await;
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
                plan(&zone.code).directory("demo", 0),
            )];
            for (day, log) in patrol_logs(&zone.code, now).await {
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

    /// Lets the browser run (the test runner polls the page; a long
    /// synchronous build would time it out).
    async fn yield_now() {
        crate::ui::testing::pause(0).await;
    }

    fn median(mut times: Vec<f64>) -> f64 {
        times.sort_by(f64::total_cmp);
        times[times.len() / 2]
    }

    fn clock() -> f64 {
        web_sys::window().unwrap().performance().unwrap().now()
    }

    fn zones(count: usize) -> Vec<ZoneRef> {
        (1..=count)
            .map(|n| ZoneRef {
                code: format!("Z{n:02}"),
                name: format!("{n} 区"),
            })
            .collect()
    }

    /// Builds the zones' documents, evaluates them zone by zone and checks
    /// what the board says: every round due on the day done, the findings,
    /// one round flagged as arrived late.
    async fn walked_site(zones: &[ZoneRef], now: i64) -> Rc<Library> {
        let library = site(zones, now).await;
        let mut board = Vec::new();
        for zone in zones {
            yield_now().await;
            board.extend(site_board(
                &library,
                "demo",
                std::slice::from_ref(zone),
                date(),
                now,
                &mut RecordsCache::default(),
            ));
        }
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
        library
    }

    #[wasm_bindgen_test]
    async fn the_board_of_a_walked_day() {
        let now = instant_at(date(), 23 * 60 + 30);
        let zones = zones(1);
        let library = walked_site(&zones, now).await;
        // The day before is held too, the day after is not.
        assert!(holds_day(
            &library,
            "demo",
            "Z01",
            date() - Duration::days(1)
        ));
        assert!(!holds_day(
            &library,
            "demo",
            "Z01",
            date() + Duration::days(2)
        ));
        let mut cache = RecordsCache::default();
        let unheld = site_board(
            &library,
            "demo",
            &zones,
            date() + Duration::days(2),
            now,
            &mut cache,
        );
        assert!(!unheld[0].held && unheld[0].rounds.is_empty());
    }

    /// Missed, incomplete and in-progress rounds, a finding outside any
    /// round, and a tablet clock that was off, from records built by hand.
    #[wasm_bindgen_test]
    fn missed_incomplete_loose_findings_and_a_clock_off() {
        let zone = "Z01";
        let plan = plan(zone);
        let directory = plan.directory("demo", 0);
        let mut records = ZoneRecords {
            zone: zone.into(),
            checkpoints: roundbook_shared::schema::directory::checkpoints(&directory).unwrap(),
            routes: roundbook_shared::schema::route::routes(&directory).unwrap(),
            schedules: roundbook_shared::schema::schedule::schedules(&directory).unwrap(),
            ..ZoneRecords::default()
        };
        let [night, day] = &plan.schedules;
        let mut log = DocKey::patrol_log("demo", zone, date()).genesis();
        // 08:00 walked by guard Z01 but only 8 of 10 checkpoints, then ended.
        walk(
            &mut log,
            &plan,
            day,
            Some(instant_at(date(), 8 * 60)),
            instant_at(date(), 8 * 60),
            1,
        );
        let mut round = roundbook_shared::schema::round::rounds(&log).unwrap()[0].clone();
        round.ended_at = Some(round.started_at + 20 * MINUTE);
        records.rounds.push(round);
        records.scans = roundbook_shared::schema::patrol::scans(&log)
            .unwrap()
            .into_iter()
            .filter(|scan| {
                !scan.checkpoint_id.ends_with("-09") && !scan.checkpoint_id.ends_with("-10")
            })
            .collect();
        // 22:00 started by another guard, two scans so far.
        let mut other = records.rounds[0].clone();
        other.id = "round-other".into();
        other.schedule_id = night.id.clone();
        other.due_at = Some(instant_at(date(), 22 * 60));
        other.started_at = instant_at(date(), 22 * 60 + 1);
        other.ended_at = None;
        other.guard = "guard-x".into();
        other.guard_name = "另一位".into();
        for (index, scan) in records.scans.clone().iter().take(2).enumerate() {
            let mut scan = scan.clone();
            scan.id = format!("other-{index}");
            scan.round_id = other.id.clone();
            scan.scanned_at = other.started_at + (index as i64 + 1) * MINUTE;
            records.scans.push(scan);
        }
        records.rounds.push(other);
        // A finding outside any round, from a tablet 10 minutes slow.
        let loose = Finding {
            id: "loose".into(),
            round_id: String::new(),
            checkpoint_id: checkpoint_id(zone, 2),
            kind: "suspicious_person".into(),
            severity: "high".into(),
            note: "车库有陌生人".into(),
            photos: Vec::new(),
            guard: "guard-x".into(),
            guard_name: "另一位".into(),
            device: "tablet-x".into(),
            found_at: instant_at(date(), 21 * 60),
            needs_repair: false,
            request_id: String::new(),
        };
        records.receipts.insert(
            loose.id.clone(),
            Receipt {
                received_at: loose.found_at + 10 * MINUTE + 5_000,
                clock_skew_ms: Some(10 * MINUTE),
            },
        );
        records.findings.push(loose);
        // Who was on duty: 王强 07:50–16:00, then 另一位 from 19:55 on.
        let shift = |id: &str, name: &str, from: u32, to: Option<u32>| Shift {
            id: id.into(),
            guard: id.into(),
            guard_name: name.into(),
            device: "tablet".into(),
            started_at: instant_at(date(), from),
            takes_over: String::new(),
            ended_at: to.map(|to| instant_at(date(), to)),
            handover_note: String::new(),
        };
        records.shifts = vec![
            shift("guard-z01", "王强", 7 * 60 + 50, Some(16 * 60)),
            shift("guard-x", "另一位", 19 * 60 + 55, None),
        ];

        let board = zone_board(
            ZoneRef {
                code: zone.into(),
                name: "1 区".into(),
            },
            &records,
            date(),
            instant_at(date(), 22 * 60 + 30),
        );
        let by_due = |minute: u32| {
            board
                .rounds
                .iter()
                .find(|r| {
                    r.outcome.kind == compliance::RoundKind::Fixed
                        && r.outcome.due_at == Some(instant_at(date(), minute))
                })
                .unwrap()
        };
        let morning = by_due(8 * 60);
        assert_eq!(morning.outcome.status, RoundStatus::Incomplete);
        assert_eq!((morning.scanned(), morning.total), (8, 10));
        assert_eq!(morning.missing, ["Z01-09", "Z01-10"]);
        assert_eq!(by_due(12 * 60).outcome.status, RoundStatus::Missed);
        assert_eq!(by_due(22 * 60).outcome.status, RoundStatus::InProgress);
        assert_eq!(by_due(20 * 60).outcome.status, RoundStatus::Missed);
        assert_eq!(by_due(12 * 60).on_duty, ["王强"], "who missed it");
        assert_eq!(by_due(20 * 60).on_duty, ["另一位"]);
        assert!(
            morning.on_duty.is_empty(),
            "a started round names its guard"
        );
        assert_eq!(board.loose_findings.len(), 1);
        assert_eq!(
            board.loose_findings[0].checkpoint.as_deref(),
            Some("Z01-02")
        );
        assert_eq!(
            board.loose_findings[0].flags,
            [TrustFlag::ClockOff {
                skew_ms: 10 * MINUTE
            }]
        );
        assert_eq!(offset_minutes(10 * MINUTE), 10);
        assert_eq!(delay_hours(4 * 60 * MINUTE + 10 * MINUTE), "4.2");
        let names: Vec<(&str, usize, usize, usize, usize)> = board
            .guards
            .iter()
            .map(|g| {
                (
                    g.guard.as_str(),
                    g.done,
                    g.incomplete,
                    g.in_progress,
                    g.findings,
                )
            })
            .collect();
        assert_eq!(names, [("guard-x", 0, 0, 1, 1), ("guard-z01", 0, 1, 0, 0)]);
        assert_eq!(board.findings, 1);
        assert_eq!(board.summary.incomplete, 1);
        assert_eq!(board.summary.in_progress, 1);
    }

    /// The figure for the closing note: a site of 10 guards, one per zone,
    /// every due round walked. Prints the time; asserts only the outcome.
    /// A release build is needed both for a meaningful time and to finish
    /// within the test runner's time limit:
    /// `cargo test --release -p roundbook-frontend --target wasm32-unknown-unknown figure -- --nocapture`.
    #[wasm_bindgen_test]
    #[cfg_attr(debug_assertions, ignore = "a figure: run it with --release")]
    async fn figure_a_days_compliance_for_ten_guards() {
        let zones = zones(10);
        let now = instant_at(date(), 23 * 60 + 30);
        let library = walked_site(&zones, now).await;
        let scans: usize = zones
            .iter()
            .map(|zone| {
                ZoneRecords::gather(&library, "demo", &zone.code, &days_around(date()))
                    .scans
                    .len()
            })
            .sum();

        // A debug build is far slower: fewer runs keep the suite short.
        let runs = if cfg!(debug_assertions) { 3 } else { 7 };
        let mut times: [Vec<f64>; 4] = Default::default();
        for _ in 0..runs {
            let mut run = [0.0; 4];
            // Zone by zone, yielding between them (the sum is the site's time).
            for zone in &zones {
                let start = clock();
                let records =
                    ZoneRecords::gather(&library, "demo", &zone.code, &days_around(date()));
                let gathered = clock();
                let outcomes = compliance::evaluate_day(date(), records.patrol_records(), now);
                let evaluated = clock();
                assert_eq!(outcomes.len(), 13);
                // The board as the screen computes it: first with nothing
                // cached, then again with the documents unchanged.
                let mut cache = RecordsCache::default();
                let one = std::slice::from_ref(zone);
                let cold = clock();
                let board = site_board(&library, "demo", one, date(), now, &mut cache);
                let warm = clock();
                let again = site_board(&library, "demo", one, date(), now, &mut cache);
                let end = clock();
                assert_eq!(board, again);
                assert_eq!(board[0].summary.done, 13);
                run[0] += gathered - start;
                run[1] += evaluated - gathered;
                run[2] += warm - cold;
                run[3] += end - warm;
                yield_now().await;
            }
            for (list, time) in times.iter_mut().zip(run) {
                list.push(time);
            }
        }
        let [gather, evaluate, cold, warm] = times.map(median);
        console_log!(
            "figure: a day's compliance for 10 guards / 10 zones ({scans} scans over 3 days), \
             {} build, median of {runs}: reading the documents {gather:.1} ms + evaluating \
             {evaluate:.1} ms; the board from scratch {cold:.1} ms, again with unchanged \
             documents {warm:.1} ms",
            if cfg!(debug_assertions) {
                "debug"
            } else {
                "release"
            },
        );
    }
}

//! Patrol on the tablet: a guard's shift (take over, hand over), starting a
//! due round, scanning the round's checkpoints, finishing it, and recording
//! findings, each written durably to the right patrol log before the caller
//! is told it is saved.
//!
//! Where records go: a shift, a round and the round's scans and findings live
//! in the patrol log of the day the shift or round *started* (a night round
//! that runs past midnight stays in one document); a finding outside a round
//! goes into today's log.
//!
//! The rules for what a record is live in `roundbook_shared::schema` and
//! `roundbook_shared::compliance`; this module applies them to the tablet's
//! documents, writing through [`Writer`] (which tells sync). It must not
//! talk to the network itself and must not render anything.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use roundbook_shared::compliance::{evaluate_day, RoundOutcome, RoundStatus};
use roundbook_shared::domain::local_date;
use roundbook_shared::ids::DocumentId;
use roundbook_shared::schema::directory::{self, Checkpoint};
use roundbook_shared::schema::finding::{self, Finding, FindingKind, Severity, MAX_PHOTOS};
use roundbook_shared::schema::patrol::{self, Scan, ScanRefusal};
use roundbook_shared::schema::round::{self, Round};
use roundbook_shared::schema::route::CheckpointOrder;
use roundbook_shared::schema::shift::{self, Shift};
use roundbook_shared::schema::DocKey;

use crate::calendar::clock_time;
use crate::documents::{EditError, Library};
use crate::patrol_records::ZoneRecords;
use crate::requests;
use crate::writer::Writer;

/// The longest handover note or finding note, as the schema allows.
pub const MAX_NOTE_CHARS: usize = 2000;

/// Who is patrolling, on which tablet.
#[derive(Debug, Clone)]
pub struct Patroller {
    pub site: String,
    pub guard: String,
    pub guard_name: String,
    pub device: String,
}

/// Why a patrol record was not written. Nothing was changed in any case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatrolError {
    /// Nothing was typed.
    EmptyCode,
    /// The zone has no active checkpoint with this code.
    UnknownCheckpoint,
    /// The zone directory has no checkpoints on this tablet yet.
    NoCheckpoints,
    /// The scan does not fit the round (not on it, scanned already, ended).
    Refused(ScanRefusal),
    /// The round is not on this tablet (its day's log is not held).
    UnknownRound,
    /// The schedule's route is gone, or none of its checkpoints can be scanned.
    RouteUnavailable,
    /// A finding needs a note or a photo.
    EmptyFinding,
    /// More than [`MAX_PHOTOS`] photos.
    TooManyPhotos,
    /// A note over [`MAX_NOTE_CHARS`].
    NoteTooLong,
    /// The shift was already handed over.
    ShiftEnded,
    /// A guard tried to take over the shift they handed over themselves.
    OwnHandover,
    /// The record failed validation, storage refused the write, or another
    /// change to the same document was being saved (the detail is for logs).
    NotSaved(String),
}

impl From<EditError<PatrolError>> for PatrolError {
    fn from(error: EditError<PatrolError>) -> Self {
        match error {
            EditError::Refused(error) => error,
            other => PatrolError::NotSaved(other.to_string()),
        }
    }
}

/// A record the schema refused: not saved (the detail is for logs).
fn invalid(error: roundbook_shared::schema::SchemaError) -> PatrolError {
    PatrolError::NotSaved(error.to_string())
}

fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// One scan as a list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanRow {
    pub id: String,
    pub zone: String,
    /// Site-local `HH:MM`.
    pub time: String,
    pub scanned_at: i64,
    pub checkpoint_code: String,
    pub checkpoint_name: String,
    /// The guard's name as recorded with the scan.
    pub guard: String,
}

/// The zone's checkpoints held on this tablet, ordered by code.
pub fn checkpoints(library: &Library, site: &str, zone: &str) -> Vec<Checkpoint> {
    library
        .with_doc(&DocKey::zone_directory(site, zone), |doc| {
            directory::checkpoints(doc).unwrap_or_default()
        })
        .unwrap_or_default()
}

/// A zone's scans of one day, newest first, with checkpoint names.
pub fn scans(library: &Library, site: &str, zone: &str, date: NaiveDate) -> Vec<ScanRow> {
    let names: HashMap<String, String> = checkpoints(library, site, zone)
        .into_iter()
        .map(|checkpoint| (checkpoint.id, checkpoint.name))
        .collect();
    let list = library
        .with_doc(&DocKey::patrol_log(site, zone, date), |doc| {
            patrol::scans(doc).unwrap_or_default()
        })
        .unwrap_or_default();
    list.into_iter()
        .map(|scan| ScanRow {
            time: clock_time(scan.scanned_at),
            checkpoint_name: names.get(&scan.checkpoint_id).cloned().unwrap_or_default(),
            id: scan.id,
            zone: zone.to_owned(),
            scanned_at: scan.scanned_at,
            checkpoint_code: scan.checkpoint_code,
            guard: scan.guard_name,
        })
        .collect()
}

/// The days a guard's screen reads: yesterday (a night shift started then)
/// and today.
pub fn duty_days(today: NaiveDate) -> [NaiveDate; 2] {
    [today - Duration::days(1), today]
}

/// Makes sure the zone's directory and the patrol logs of `dates` are held
/// (loaded from IndexedDB, or born from their genesis). Returns the ids that
/// were not held before, after asking the server about them.
pub async fn hold_days(
    writer: &Writer,
    site: &str,
    zone: &str,
    dates: &[NaiveDate],
) -> Vec<DocumentId> {
    let mut added = Vec::new();
    let keys = std::iter::once(DocKey::zone_directory(site, zone)).chain(
        dates
            .iter()
            .map(|date| DocKey::patrol_log(site, zone, *date)),
    );
    for key in keys {
        match writer.library().add(key).await {
            Ok(Some(id)) => added.push(id),
            Ok(None) => {}
            Err(error) => web_sys::console::error_1(&error.to_string().into()),
        }
    }
    writer.held(&added);
    added
}

/// Opens (holds) a day's patrol log for writing and returns its id.
async fn open_log(
    library: &Library,
    site: &str,
    zone: &str,
    date: NaiveDate,
) -> Result<DocumentId, PatrolError> {
    let key = DocKey::patrol_log(site, zone, date);
    library
        .add(key.clone())
        .await
        .map_err(|error| PatrolError::NotSaved(error.to_string()))?;
    Ok(key.document_id())
}

// ---- shifts ----

/// Records the start of a shift: the guard took over `takes_over` (the
/// pending handover they read and confirmed; never their own) or started
/// without one.
pub async fn start_shift(
    writer: &Writer,
    who: &Patroller,
    zone: &str,
    takes_over: Option<&Shift>,
    now: i64,
) -> Result<(DocumentId, Shift), PatrolError> {
    if takes_over.is_some_and(|outgoing| outgoing.guard == who.guard) {
        return Err(PatrolError::OwnHandover);
    }
    let id = open_log(writer.library(), &who.site, zone, local_date(now)).await?;
    let shift = Shift {
        id: new_id(),
        guard: who.guard.clone(),
        guard_name: who.guard_name.clone(),
        device: who.device.clone(),
        started_at: now,
        takes_over: takes_over.map(|shift| shift.id.clone()).unwrap_or_default(),
        ended_at: None,
        handover_note: String::new(),
    };
    writer
        .edit(id, |doc| shift::put_shift(doc, &shift).map_err(invalid))
        .await?;
    Ok((id, shift))
}

/// Hands the shift over: writes its end and the handover note into the
/// shift's record (in the log of the day it started).
pub async fn end_shift(
    writer: &Writer,
    site: &str,
    zone: &str,
    shift: &Shift,
    note: &str,
    now: i64,
) -> Result<DocumentId, PatrolError> {
    let note = note.trim();
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(PatrolError::NoteTooLong);
    }
    let id = open_log(writer.library(), site, zone, local_date(shift.started_at)).await?;
    writer
        .edit(id, |doc| {
            let mut current = shift::shifts(doc)
                .map_err(invalid)?
                .into_iter()
                .find(|stored| stored.id == shift.id)
                .unwrap_or_else(|| shift.clone());
            if current.ended_at.is_some() {
                return Err(PatrolError::ShiftEnded);
            }
            current.ended_at = Some(now.max(current.started_at));
            current.handover_note = note.to_owned();
            shift::put_shift(doc, &current).map_err(invalid)
        })
        .await?;
    Ok(id)
}

/// What the outgoing guard left open: the findings of their shift and the
/// rounds they started in it that are not done.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ShiftSummary {
    pub findings: Vec<Finding>,
    /// Rounds started during the shift and not done (incomplete or under way).
    pub open_rounds: Vec<RoundOutcome>,
    pub done_rounds: usize,
    /// Due rounds whose window closed during the shift with no round started.
    pub missed_rounds: Vec<RoundOutcome>,
}

/// Summarises `shift` (up to its end, or `now` while on duty) from the
/// zone's records of the days around it.
pub fn shift_summary(records: &ZoneRecords, shift: &Shift, now: i64) -> ShiftSummary {
    let end = shift.ended_at.unwrap_or(now);
    let within = |at: i64| (shift.started_at..=end).contains(&at);
    let mut summary = ShiftSummary {
        findings: records
            .findings
            .iter()
            .filter(|finding| finding.guard == shift.guard && within(finding.found_at))
            .cloned()
            .collect(),
        ..ShiftSummary::default()
    };
    let first = local_date(shift.started_at);
    let mut day = first;
    while day <= local_date(end) {
        for outcome in evaluate_day(day, records.patrol_records(), now) {
            match &outcome.progress {
                Some(progress) if progress.guard == shift.guard && within(progress.started_at) => {
                    if outcome.status == RoundStatus::Done {
                        summary.done_rounds += 1;
                    } else {
                        summary.open_rounds.push(outcome);
                    }
                }
                None if outcome.status == RoundStatus::Missed && within(outcome.window.1) => {
                    summary.missed_rounds.push(outcome)
                }
                _ => {}
            }
        }
        day += Duration::days(1);
    }
    summary
}

// ---- rounds ----

/// Records the start of a round for a due outcome of [`compliance::due_now`]:
/// the route's scannable checkpoints are copied into the round, with the
/// schedule and the fixed time it fulfils (none for an unannounced round).
///
/// [`compliance::due_now`]: roundbook_shared::compliance::due_now
pub async fn start_round(
    writer: &Writer,
    who: &Patroller,
    records: &ZoneRecords,
    due: &RoundOutcome,
    now: i64,
) -> Result<(DocumentId, Round), PatrolError> {
    let route = records
        .routes
        .iter()
        .find(|route| route.id == due.route_id && !route.retired)
        .ok_or(PatrolError::RouteUnavailable)?;
    // A retired or unknown checkpoint can never be scanned: it would make
    // the round impossible to complete.
    let stops: Vec<String> = route
        .checkpoints
        .0
        .iter()
        .filter(|id| records.checkpoint(id).is_some_and(|cp| !cp.retired))
        .cloned()
        .collect();
    if stops.is_empty() {
        return Err(PatrolError::RouteUnavailable);
    }
    let id = open_log(writer.library(), &who.site, &records.zone, local_date(now)).await?;
    let round = Round {
        id: new_id(),
        route_id: route.id.clone(),
        route_name: route.name.clone(),
        schedule_id: due.schedule_id.clone(),
        due_at: due.due_at,
        checkpoints: CheckpointOrder(stops),
        guard: who.guard.clone(),
        guard_name: who.guard_name.clone(),
        device: who.device.clone(),
        started_at: now,
        ended_at: None,
    };
    writer
        .edit(id, |doc| round::put_round(doc, &round).map_err(invalid))
        .await?;
    Ok((id, round))
}

/// How a round looks on its screen: its checkpoints in walking order, each
/// scanned or left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundView {
    pub round: Round,
    pub stops: Vec<Stop>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stop {
    pub checkpoint_id: String,
    /// Code and name from the directory (the id if the directory lacks it).
    pub code: String,
    pub name: String,
    /// When it was first scanned on this round.
    pub scanned_at: Option<i64>,
}

impl RoundView {
    pub fn left(&self) -> usize {
        self.stops
            .iter()
            .filter(|stop| stop.scanned_at.is_none())
            .count()
    }
}

/// The round `round_id` from the gathered records, with its scans.
pub fn round_view(records: &ZoneRecords, round_id: &str) -> Option<RoundView> {
    let round = records.rounds.iter().find(|round| round.id == round_id)?;
    let stops = round
        .checkpoints
        .0
        .iter()
        .map(|id| {
            let checkpoint = records.checkpoint(id);
            Stop {
                checkpoint_id: id.clone(),
                code: checkpoint.map_or_else(|| id.clone(), |cp| cp.code.clone()),
                name: checkpoint.map(|cp| cp.name.clone()).unwrap_or_default(),
                scanned_at: records
                    .scans
                    .iter()
                    .filter(|scan| scan.round_id == round.id && &scan.checkpoint_id == id)
                    .map(|scan| scan.scanned_at)
                    .min(),
            }
        })
        .collect();
    Some(RoundView {
        round: round.clone(),
        stops,
    })
}

/// The log a round and its scans live in.
fn round_log(site: &str, zone: &str, round: &Round) -> DocKey {
    DocKey::patrol_log(site, zone, local_date(round.started_at))
}

/// Checks `code` against the zone's checkpoints and the round, and records a
/// scan at `now`. Returns once the scan is stored in IndexedDB, with the
/// document to sync and the checkpoint scanned. A refused scan records nothing.
///
/// `method` is [`patrol::METHOD_TYPED`] or [`patrol::METHOD_CAMERA`].
pub async fn scan_round(
    writer: &Writer,
    who: &Patroller,
    zone: &str,
    round: &Round,
    code: &str,
    method: &str,
    now: i64,
) -> Result<(DocumentId, Checkpoint), PatrolError> {
    let code = code.trim();
    if code.is_empty() {
        return Err(PatrolError::EmptyCode);
    }
    let known = checkpoints(writer.library(), &who.site, zone);
    if known.is_empty() {
        return Err(PatrolError::NoCheckpoints);
    }
    let checkpoint = known
        .into_iter()
        .find(|checkpoint| !checkpoint.retired && checkpoint.code.eq_ignore_ascii_case(code))
        .ok_or(PatrolError::UnknownCheckpoint)?;
    let key = round_log(&who.site, zone, round);
    let id = key.document_id();
    let scan = Scan {
        id: new_id(),
        round_id: round.id.clone(),
        checkpoint_id: checkpoint.id.clone(),
        checkpoint_code: checkpoint.code.clone(),
        guard: who.guard.clone(),
        guard_name: who.guard_name.clone(),
        device: who.device.clone(),
        scanned_at: now,
        method: method.to_owned(),
    };
    // Checked on the draft itself: the round may have been ended, or the
    // checkpoint scanned, by a change that arrived a moment ago.
    writer
        .edit(id, |doc| {
            let current = round::round(doc, &round.id)
                .map_err(invalid)?
                .ok_or(PatrolError::UnknownRound)?;
            let so_far = patrol::scans_of_round(doc, &round.id).map_err(invalid)?;
            patrol::check_round_scan(&current, &so_far, &checkpoint.id)
                .map_err(PatrolError::Refused)?;
            patrol::record_scan(doc, &scan).map_err(invalid)
        })
        .await
        .map_err(round_error)?;
    Ok((id, checkpoint))
}

/// A round's log that is not held means the round is not on this tablet.
fn round_error(error: EditError<PatrolError>) -> PatrolError {
    match error {
        EditError::NotHeld => PatrolError::UnknownRound,
        other => other.into(),
    }
}

/// Ends a round (complete or not). Ending an ended round changes nothing.
pub async fn finish_round(
    writer: &Writer,
    site: &str,
    zone: &str,
    round: &Round,
    now: i64,
) -> Result<DocumentId, PatrolError> {
    let id = round_log(site, zone, round).document_id();
    writer
        .edit(id, |doc| {
            let mut current = round::round(doc, &round.id)
                .map_err(invalid)?
                .ok_or(PatrolError::UnknownRound)?;
            if current.ended_at.is_none() {
                current.ended_at = Some(now.max(current.started_at));
                round::put_round(doc, &current).map_err(invalid)?;
            }
            Ok(())
        })
        .await
        .map_err(round_error)?;
    Ok(id)
}

// ---- findings ----

/// What the guard filled in on the finding form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingDraft {
    pub kind: FindingKind,
    pub severity: Severity,
    pub note: String,
    /// Hashes of photos already stored in IndexedDB.
    pub photos: Vec<String>,
    pub needs_repair: bool,
    /// The checkpoint where it was found (an id of the zone's directory), or empty.
    pub checkpoint_id: String,
    /// What the repair request says when the finding has no note (the
    /// kind's name as shown).
    pub repair_fallback: String,
}

/// Records a finding, on `round` (in its log) or outside any round (in
/// today's log). A finding that needs a repair gets the id of the request it
/// becomes ([`finding::request_id_for`]), and, in the same step, that request
/// in the zone's request log ([`requests::record_finding_request`]). The
/// finding is written first; if the request then fails, the finding stands
/// and the guard's screen makes the request later
/// ([`requests::record_missing_finding_requests`]). The photos must already
/// be stored on the tablet.
pub async fn record_finding(
    writer: &Writer,
    who: &Patroller,
    zone: &str,
    round: Option<&Round>,
    draft: &FindingDraft,
    now: i64,
) -> Result<(DocumentId, Finding), PatrolError> {
    let note = draft.note.trim();
    if note.is_empty() && draft.photos.is_empty() {
        return Err(PatrolError::EmptyFinding);
    }
    if draft.photos.len() > MAX_PHOTOS {
        return Err(PatrolError::TooManyPhotos);
    }
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(PatrolError::NoteTooLong);
    }
    let known =
        |checkpoint: &Checkpoint| checkpoint.id == draft.checkpoint_id && !checkpoint.retired;
    let library = writer.library();
    let checkpoint = if draft.checkpoint_id.is_empty() {
        None
    } else {
        Some(
            checkpoints(library, &who.site, zone)
                .into_iter()
                .find(known)
                .ok_or(PatrolError::UnknownCheckpoint)?,
        )
    };
    let date = round.map_or_else(|| local_date(now), |round| local_date(round.started_at));
    let id = open_log(library, &who.site, zone, date).await?;
    let finding_id = new_id();
    let finding = Finding {
        round_id: round.map(|round| round.id.clone()).unwrap_or_default(),
        checkpoint_id: draft.checkpoint_id.clone(),
        kind: draft.kind.as_str().to_owned(),
        severity: draft.severity.as_str().to_owned(),
        note: note.to_owned(),
        photos: draft.photos.clone(),
        guard: who.guard.clone(),
        guard_name: who.guard_name.clone(),
        device: who.device.clone(),
        found_at: now,
        needs_repair: draft.needs_repair,
        request_id: if draft.needs_repair {
            finding::request_id_for(&finding_id)
        } else {
            String::new()
        },
        id: finding_id,
    };
    writer
        .edit(id, |doc| {
            finding::put_finding(doc, &finding).map_err(invalid)
        })
        .await?;
    if finding.needs_repair {
        let label = checkpoint.map(|c| checkpoint_label(&c)).unwrap_or_default();
        let made = requests::record_finding_request(
            writer,
            &who.site,
            zone,
            &finding,
            &label,
            &draft.repair_fallback,
        )
        .await;
        if let Err(error) = made {
            // The finding holds the request's id: it is made on the next read.
            web_sys::console::warn_1(&format!("the request of a finding: {error:?}").into());
        }
    }
    Ok((id, finding))
}

/// A checkpoint as a finding's request shows it: code and name.
pub fn checkpoint_label(checkpoint: &Checkpoint) -> String {
    format!("{} {}", checkpoint.code, checkpoint.name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patrol_records::Gather;
    use crate::storage::Storage;
    use roundbook_shared::compliance::{due_now, RoundKind};
    use roundbook_shared::domain::instant_at;
    use roundbook_shared::schema::directory::put_checkpoint;
    use roundbook_shared::schema::patrol::{METHOD_CAMERA, METHOD_TYPED};
    use roundbook_shared::schema::route::{put_route, Route};
    use roundbook_shared::schema::schedule::{put_schedule, Schedule};
    use std::rc::Rc;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    /// Zone A with checkpoints A-01..A-04 (A-04 retired), a route over A-01,
    /// and a night schedule 20:00–06:00 every 2 h with one
    /// unannounced round.
    async fn zone() -> Rc<Library> {
        let name = format!("roundbook-test-patrol-{}", uuid::Uuid::new_v4().simple());
        let library = Library::new(Storage::open_named(&name).await.unwrap(), "t".into());
        let id = library
            .add(DocKey::zone_directory("demo", "A"))
            .await
            .unwrap()
            .unwrap();
        library
            .edit(id, |doc| {
                for n in 1..=4 {
                    let checkpoint = Checkpoint {
                        id: format!("cp-a-0{n}"),
                        code: format!("A-0{n}"),
                        name: format!("岗亭 {n}"),
                        location: String::new(),
                        retired: n == 4,
                    };
                    put_checkpoint(doc, &checkpoint, 1).map_err(invalid)?;
                }
                let route = Route {
                    id: "route-1".into(),
                    name: "东门路线".into(),
                    checkpoints: CheckpointOrder(vec![
                        "cp-a-01".into(),
                        "cp-a-04".into(),
                        "cp-a-02".into(),
                    ]),
                    retired: false,
                };
                put_route(doc, &route, 1).map_err(invalid)?;
                let schedule = Schedule {
                    id: "night".into(),
                    route_id: "route-1".into(),
                    name: "夜班".into(),
                    shift_start: 20 * 60,
                    shift_end: 6 * 60,
                    every_minutes: 120,
                    tolerance_minutes: 15,
                    round_minutes: 60,
                    unannounced: 1,
                    retired: false,
                    since: 0,
                };
                put_schedule(doc, &schedule, 1).map_err(invalid)
            })
            .await
            .unwrap();
        library
    }

    fn guard() -> Patroller {
        Patroller {
            site: "demo".into(),
            guard: "guard-a".into(),
            guard_name: "王强".into(),
            device: "tablet-1".into(),
        }
    }

    fn gather(library: &Library, today: NaiveDate) -> ZoneRecords {
        ZoneRecords::gather(library, "demo", "A", &duty_days(today))
    }

    #[wasm_bindgen_test]
    async fn a_night_round_is_walked_across_midnight_in_one_log() {
        let library = zone().await;
        let writer = Writer::offline(&library);
        let who = guard();
        // 23:58 on the 23rd: the 00:00 round's window (23:45–00:15) is open.
        let now = instant_at(day(), 23 * 60 + 58);
        hold_days(&writer, "demo", "A", &duty_days(day())).await;
        let records = gather(&library, day());
        let due = due_now(records.patrol_records(), now);
        let fixed = due
            .iter()
            .find(|outcome| outcome.kind == RoundKind::Fixed)
            .expect("the midnight round is due");
        assert_eq!(fixed.due_at, Some(instant_at(day(), 24 * 60)));

        let (_, round) = start_round(&writer, &who, &records, fixed, now)
            .await
            .unwrap();
        // The retired checkpoint is not copied: it could never be scanned.
        assert_eq!(round.checkpoints.0, ["cp-a-01", "cp-a-02"]);
        assert_eq!(round.schedule_id, "night");

        // Past midnight the scans still go to the round's log (the 23rd).
        let after = now + 5 * 60_000;
        let next = day().succ_opt().unwrap();
        hold_days(&writer, "demo", "A", &duty_days(next)).await;
        let refused = [
            ("A-03", PatrolError::Refused(ScanRefusal::NotOnRound)),
            ("A-04", PatrolError::UnknownCheckpoint),
            ("Z-99", PatrolError::UnknownCheckpoint),
            (" ", PatrolError::EmptyCode),
        ];
        for (code, error) in refused {
            let result = scan_round(&writer, &who, "A", &round, code, METHOD_TYPED, after).await;
            assert_eq!(result.unwrap_err(), error, "{code}");
        }
        let (id, checkpoint) = scan_round(&writer, &who, "A", &round, "a-01", METHOD_CAMERA, after)
            .await
            .unwrap();
        assert_eq!(id, DocKey::patrol_log("demo", "A", day()).document_id());
        assert_eq!(checkpoint.code, "A-01");
        let again = scan_round(&writer, &who, "A", &round, "A-01", METHOD_TYPED, after).await;
        assert_eq!(
            again.unwrap_err(),
            PatrolError::Refused(ScanRefusal::AlreadyScanned)
        );

        let view = round_view(&gather(&library, next), &round.id).unwrap();
        assert_eq!(view.left(), 1);
        assert_eq!(view.stops[0].code, "A-01");
        assert_eq!(view.stops[0].scanned_at, Some(after));

        finish_round(&writer, "demo", "A", &round, after + 1)
            .await
            .unwrap();
        let late = scan_round(&writer, &who, "A", &round, "A-02", METHOD_TYPED, after + 2).await;
        assert_eq!(
            late.unwrap_err(),
            PatrolError::Refused(ScanRefusal::RoundEnded)
        );
        // The round is incomplete and nothing was scanned after its end.
        let records = gather(&library, next);
        assert_eq!(round_view(&records, &round.id).unwrap().left(), 1);
        assert_eq!(records.scans.len(), 1);
    }

    #[wasm_bindgen_test]
    async fn a_shift_is_handed_over_with_what_it_left_open() {
        let library = zone().await;
        let writer = Writer::offline(&library);
        let who = guard();
        let start = instant_at(day(), 19 * 60 + 50);
        hold_days(&writer, "demo", "A", &duty_days(day())).await;
        let (_, shift) = start_shift(&writer, &who, "A", None, start).await.unwrap();

        let at_eight = instant_at(day(), 20 * 60 + 1);
        let records = gather(&library, day());
        let due = due_now(records.patrol_records(), at_eight);
        let (_, round) = start_round(&writer, &who, &records, &due[0], at_eight)
            .await
            .unwrap();
        scan_round(
            &writer,
            &who,
            "A",
            &round,
            "A-01",
            METHOD_TYPED,
            at_eight + 60_000,
        )
        .await
        .unwrap();
        let draft = FindingDraft {
            kind: FindingKind::FireEquipment,
            severity: Severity::High,
            note: " 灭火器压力不足 ".into(),
            photos: Vec::new(),
            needs_repair: true,
            checkpoint_id: String::new(),
            repair_fallback: "消防设施".into(),
        };
        let stranger = FindingDraft {
            checkpoint_id: "cp-nowhere".into(),
            ..draft.clone()
        };
        assert_eq!(
            record_finding(
                &writer,
                &who,
                "A",
                Some(&round),
                &stranger,
                at_eight + 80_000
            )
            .await
            .unwrap_err(),
            PatrolError::UnknownCheckpoint
        );
        let where_found = checkpoints(&library, "demo", "A")
            .into_iter()
            .find(|checkpoint| checkpoint.code == "A-01")
            .unwrap();
        let draft = FindingDraft {
            checkpoint_id: where_found.id.clone(),
            ..draft
        };
        let (_, finding) =
            record_finding(&writer, &who, "A", Some(&round), &draft, at_eight + 90_000)
                .await
                .unwrap();
        assert_eq!(finding.checkpoint_id, where_found.id);
        assert_eq!(finding.note, "灭火器压力不足");
        assert_eq!(finding.request_id, finding::request_id_for(&finding.id));
        // The request it becomes is in the zone's request log, in the same step.
        let view = requests::finding_request(&library, "demo", "A", &finding).unwrap();
        assert_eq!(view.request.finding_id, finding.id);
        assert_eq!(view.request.checkpoint_id, where_found.id);
        assert_eq!(
            view.request.checkpoint_label,
            checkpoint_label(&where_found)
        );
        assert_eq!(view.request.received_by, "guard-a");
        assert_eq!(view.state, roundbook_shared::workflow::State::Received);
        // Made again (a retry, the guard's screen catching up): still one, nothing written.
        let heads = library
            .with_doc(&finding.request_log("demo", "A"), |doc| doc.get_heads())
            .unwrap();
        assert!(
            !requests::record_finding_request(&writer, "demo", "A", &finding, "", "")
                .await
                .unwrap()
        );
        assert_eq!(
            requests::record_missing_finding_requests(
                &writer,
                "demo",
                "A",
                "guard-a",
                std::slice::from_ref(&finding),
                |_| (String::new(), String::new()),
            )
            .await,
            0
        );
        assert_eq!(
            library
                .with_doc(&finding.request_log("demo", "A"), |doc| doc.get_heads())
                .unwrap(),
            heads
        );
        // A finding whose request a closed tab never wrote gets it on the
        // next read; another guard's is left to that guard's tablet.
        let lost = Finding {
            id: "finding-lost".into(),
            request_id: finding::request_id_for("finding-lost"),
            ..finding.clone()
        };
        let others = Finding {
            id: "finding-other".into(),
            request_id: finding::request_id_for("finding-other"),
            guard: "guard-a2".into(),
            ..finding.clone()
        };
        let findings = [lost.clone(), others.clone()];
        assert_eq!(
            requests::record_missing_finding_requests(
                &writer,
                "demo",
                "A",
                "guard-a",
                &findings,
                |_| ("A-01".into(), String::new()),
            )
            .await,
            1
        );
        assert!(requests::finding_request(&library, "demo", "A", &lost).is_some());
        assert!(requests::finding_request(&library, "demo", "A", &others).is_none());
        let empty = FindingDraft {
            note: "  ".into(),
            ..draft.clone()
        };
        assert_eq!(
            record_finding(&writer, &who, "A", None, &empty, at_eight)
                .await
                .unwrap_err(),
            PatrolError::EmptyFinding
        );

        let end = instant_at(day(), 23 * 60);
        end_shift(&writer, "demo", "A", &shift, "3栋消防栓漏水", end)
            .await
            .unwrap();
        assert_eq!(
            end_shift(&writer, "demo", "A", &shift, "again", end)
                .await
                .unwrap_err(),
            PatrolError::ShiftEnded
        );
        let records = gather(&library, day());
        let pending = shift::pending_handover(&records.shifts).unwrap().clone();
        assert_eq!(pending.handover_note, "3栋消防栓漏水");
        let summary = shift_summary(&records, &pending, end + 60_000);
        assert_eq!(summary.findings.len(), 1);
        // The 20:00 round timed out with A-02 left; the 22:00 one was missed.
        assert_eq!(summary.open_rounds.len(), 1);
        assert_eq!(summary.open_rounds[0].status, RoundStatus::Incomplete);
        assert_eq!(summary.missed_rounds.len(), 1);
        assert_eq!(summary.done_rounds, 0);

        // The outgoing guard cannot take over from himself.
        assert_eq!(
            start_shift(&writer, &guard(), "A", Some(&pending), end + 60_000)
                .await
                .unwrap_err(),
            PatrolError::OwnHandover
        );
        assert!(shift::pending_handover(&gather(&library, day()).shifts).is_some());

        let next = Patroller {
            guard: "guard-a2".into(),
            guard_name: "李明".into(),
            ..guard()
        };
        let (_, taken) = start_shift(&writer, &next, "A", Some(&pending), end + 120_000)
            .await
            .unwrap();
        let records = gather(&library, day());
        assert!(shift::pending_handover(&records.shifts).is_none());
        assert_eq!(
            shift::on_duty(&records.shifts, "guard-a2").map(|s| &s.id),
            Some(&taken.id)
        );
    }
}

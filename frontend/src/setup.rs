//! Patrol setup on the tablet: the security supervisor's checkpoints, routes
//! and schedules, written to the zone directory through [`Writer::edit`]
//! (stored in IndexedDB before anything changes, then synced like any record).
//!
//! The rules for a valid record are the shared schema's, so the tablet and
//! the server agree. This module adds the rules that need the whole directory
//! (no retired checkpoint on a route, no retiring what is still in use) and
//! turns every refusal into a [`Problem`] that the screens translate. A
//! refused change writes nothing.
//!
//! It must not render anything or talk to the network itself.

use automerge::Automerge;
use roundbook_shared::domain::{format_minute, parse_minute, MINUTES_PER_DAY};
use roundbook_shared::ids::DocumentId;
use roundbook_shared::schema::directory::{self, put_checkpoint, Checkpoint};
use roundbook_shared::schema::route::{self, put_route, CheckpointOrder, Route};
use roundbook_shared::schema::schedule::{self, put_schedule, Schedule};
use roundbook_shared::schema::Record;
use roundbook_shared::schema::{DocKey, SchemaError};

use crate::documents::{EditError, Library};
use crate::writer::Writer;

/// Why a setup change was refused. Each has its own translated message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    CodeEmpty,
    CodeTooLong,
    /// The code is used by another active checkpoint (its name).
    CodeTaken(String),
    NameEmpty,
    NameTooLong,
    LocationTooLong,
    /// A route needs at least one checkpoint (and at most 100).
    RouteCheckpointCount,
    CheckpointTwice,
    /// A checkpoint of the route is not in this zone's directory.
    CheckpointUnknown,
    /// A checkpoint of the route is retired.
    CheckpointRetired,
    /// The checkpoint is still on this active route (its name).
    CheckpointOnRoute(String),
    /// The schedule's route is not in this zone (or none was chosen).
    RouteUnknown,
    RouteRetired,
    /// The route is still used by this active schedule (its name).
    RouteInUse(String),
    /// A shift time is not `HH:MM`.
    BadTime,
    /// A number of minutes or rounds is not a whole number.
    BadNumber,
    IntervalRange,
    ToleranceHalfInterval,
    ToleranceMax,
    RoundMinutesRange,
    UnannouncedMax,
    NoRounds,
    /// The zone's directory is not on this tablet.
    NotHeld,
    /// Another change to the directory is being saved.
    Busy,
    /// IndexedDB refused the write (detail for the log).
    NotSaved(String),
    /// A refusal this module has no message for (detail for the log).
    Other(String),
}

impl Problem {
    /// The problem behind a shared schema refusal. The shared crate words its
    /// refusals in English for logs; this reads them back into problems. A
    /// test below walks every refusal, so a changed wording fails there.
    pub fn from_schema(error: &SchemaError) -> Problem {
        let SchemaError::Invalid(why) = error else {
            return Problem::Other(error.to_string());
        };
        let why = why.as_str();
        let table: [(&str, Problem); 17] = [
            ("checkpoint code is empty", Problem::CodeEmpty),
            ("checkpoint code is longer", Problem::CodeTooLong),
            ("checkpoint name is empty", Problem::NameEmpty),
            ("checkpoint name is longer", Problem::NameTooLong),
            ("checkpoint location is longer", Problem::LocationTooLong),
            ("route name is empty", Problem::NameEmpty),
            ("route name is longer", Problem::NameTooLong),
            ("schedule name is empty", Problem::NameEmpty),
            ("schedule name is longer", Problem::NameTooLong),
            ("a route needs", Problem::RouteCheckpointCount),
            ("route id", Problem::RouteUnknown),
            ("a shift time is not", Problem::BadTime),
            ("rounds must be", Problem::IntervalRange),
            ("the tolerance must be less", Problem::ToleranceHalfInterval),
            ("the tolerance is at most", Problem::ToleranceMax),
            ("a round takes", Problem::RoundMinutesRange),
            ("at most 24 unannounced", Problem::UnannouncedMax),
        ];
        if let Some((_, problem)) = table.into_iter().find(|(start, _)| why.starts_with(start)) {
            return problem;
        }
        if why == "a schedule needs fixed or unannounced rounds" {
            Problem::NoRounds
        } else if let Some(rest) = why.strip_prefix("code ") {
            let name = rest
                .split_once(" is already used by ")
                .map(|(_, name)| name);
            Problem::CodeTaken(name.unwrap_or_default().to_owned())
        } else if why.starts_with("checkpoint ") && why.ends_with(" is twice on the route") {
            Problem::CheckpointTwice
        } else if why.starts_with("checkpoint ") && why.ends_with(" is not in this zone") {
            Problem::CheckpointUnknown
        } else if why.starts_with("route ") && why.ends_with(" is not in this zone") {
            Problem::RouteUnknown
        } else {
            Problem::Other(why.to_owned())
        }
    }
}

/// A zone's patrol setup as held on this tablet.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Directory {
    /// By code.
    pub checkpoints: Vec<Checkpoint>,
    /// By name.
    pub routes: Vec<Route>,
    /// By shift start.
    pub schedules: Vec<Schedule>,
}

impl Directory {
    fn read(doc: &Automerge) -> Result<Directory, SchemaError> {
        Ok(Directory {
            checkpoints: directory::checkpoints(doc)?,
            routes: route::routes(doc)?,
            schedules: schedule::schedules(doc)?,
        })
    }

    pub fn checkpoint(&self, id: &str) -> Option<&Checkpoint> {
        self.checkpoints
            .iter()
            .find(|checkpoint| checkpoint.id == id)
    }

    pub fn route(&self, id: &str) -> Option<&Route> {
        self.routes.iter().find(|route| route.id == id)
    }
}

/// The zone's directory, if this tablet holds it.
pub fn directory(library: &Library, site: &str, zone: &str) -> Option<Directory> {
    library
        .with_doc(&DocKey::zone_directory(site, zone), Directory::read)?
        .ok()
}

/// A new record id: random, so two tablets adding offline never collide.
fn new_id(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

/// Applies `change` to the zone directory as one durable edit. `change` sees
/// the directory as it is at that moment (including changes synced since the
/// form was opened). Returns the document written.
async fn write(
    writer: &Writer,
    site: &str,
    zone: &str,
    change: impl FnOnce(&mut Automerge, &Directory) -> Result<(), Problem>,
) -> Result<DocumentId, Problem> {
    let key = DocKey::zone_directory(site, zone);
    let id = key.document_id();
    writer
        .library()
        .add(key)
        .await
        .map_err(|error| Problem::NotSaved(error.to_string()))?;
    let result = writer
        .edit(id, |doc| {
            let current = Directory::read(doc).map_err(|e| Problem::Other(e.to_string()))?;
            change(doc, &current)
        })
        .await;
    match result {
        Ok(()) => Ok(id),
        Err(EditError::Refused(problem)) => Err(problem),
        Err(EditError::NotHeld) => Err(Problem::NotHeld),
        Err(EditError::Busy) => Err(Problem::Busy),
        Err(EditError::Storage(error)) => Err(Problem::NotSaved(error.to_string())),
        Err(EditError::Unloadable(detail)) => Err(Problem::Other(detail)),
    }
}

fn schema(result: Result<(), SchemaError>) -> Result<(), Problem> {
    result.map_err(|error| Problem::from_schema(&error))
}

/// A checkpoint as typed in the editor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckpointForm {
    /// `None` for a new checkpoint.
    pub id: Option<String>,
    pub code: String,
    pub name: String,
    pub location: String,
}

impl CheckpointForm {
    pub fn of(checkpoint: &Checkpoint) -> CheckpointForm {
        CheckpointForm {
            id: Some(checkpoint.id.clone()),
            code: checkpoint.code.clone(),
            name: checkpoint.name.clone(),
            location: checkpoint.location.clone(),
        }
    }
}

/// Adds a checkpoint or changes one (keeping whether it is retired).
pub async fn save_checkpoint(
    writer: &Writer,
    site: &str,
    zone: &str,
    form: &CheckpointForm,
    now: i64,
) -> Result<DocumentId, Problem> {
    let form = form.clone();
    write(writer, site, zone, move |doc, current| {
        let existing = form.id.as_deref().and_then(|id| current.checkpoint(id));
        let checkpoint = Checkpoint {
            id: form.id.clone().unwrap_or_else(|| new_id("cp")),
            code: form.code.trim().to_owned(),
            name: form.name.trim().to_owned(),
            location: form.location.trim().to_owned(),
            retired: existing.is_some_and(|checkpoint| checkpoint.retired),
        };
        schema(put_checkpoint(doc, &checkpoint, now))
    })
    .await
}

/// Retires a checkpoint (kept for old scans, no longer scanned), or brings a
/// retired one back. A checkpoint on an active route cannot be retired: that
/// route's rounds could never be completed.
pub async fn set_checkpoint_retired(
    writer: &Writer,
    site: &str,
    zone: &str,
    checkpoint_id: &str,
    retired: bool,
    now: i64,
) -> Result<DocumentId, Problem> {
    write(writer, site, zone, |doc, current| {
        let mut checkpoint = current
            .checkpoint(checkpoint_id)
            .cloned()
            .ok_or(Problem::CheckpointUnknown)?;
        if retired {
            if let Some(route) = current
                .routes
                .iter()
                .find(|route| !route.retired && route.checkpoints.contains(checkpoint_id))
            {
                return Err(Problem::CheckpointOnRoute(route.name.clone()));
            }
        }
        checkpoint.retired = retired;
        schema(put_checkpoint(doc, &checkpoint, now))
    })
    .await
}

/// A route as edited: its name and checkpoint ids in walking order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouteForm {
    /// `None` for a new route.
    pub id: Option<String>,
    pub name: String,
    pub checkpoints: Vec<String>,
}

impl RouteForm {
    pub fn of(route: &Route) -> RouteForm {
        RouteForm {
            id: Some(route.id.clone()),
            name: route.name.clone(),
            checkpoints: route.checkpoints.0.clone(),
        }
    }

    /// Appends a checkpoint unless it is already on the route.
    pub fn add(&mut self, checkpoint_id: &str) {
        if !checkpoint_id.is_empty() && !self.checkpoints.iter().any(|id| id == checkpoint_id) {
            self.checkpoints.push(checkpoint_id.to_owned());
        }
    }

    /// Moves the stop at `index` one place earlier (`up`) or later.
    pub fn shift(&mut self, index: usize, up: bool) {
        let other = if up {
            index.checked_sub(1)
        } else {
            Some(index + 1)
        };
        if let Some(other) = other.filter(|other| *other < self.checkpoints.len()) {
            if index < self.checkpoints.len() {
                self.checkpoints.swap(index, other);
            }
        }
    }

    pub fn remove(&mut self, index: usize) {
        if index < self.checkpoints.len() {
            self.checkpoints.remove(index);
        }
    }
}

fn check_route_stops(route: &Route, current: &Directory) -> Result<(), Problem> {
    for id in &route.checkpoints.0 {
        match current.checkpoint(id) {
            Some(checkpoint) if checkpoint.retired => return Err(Problem::CheckpointRetired),
            Some(_) => {}
            None => return Err(Problem::CheckpointUnknown),
        }
    }
    Ok(())
}

/// Adds a route or changes one (keeping whether it is retired). Rounds
/// already started keep the checkpoints they started with.
pub async fn save_route(
    writer: &Writer,
    site: &str,
    zone: &str,
    form: &RouteForm,
    now: i64,
) -> Result<DocumentId, Problem> {
    let form = form.clone();
    write(writer, site, zone, move |doc, current| {
        let existing = form.id.as_deref().and_then(|id| current.route(id));
        let route = Route {
            id: form.id.clone().unwrap_or_else(|| new_id("rt")),
            name: form.name.trim().to_owned(),
            checkpoints: CheckpointOrder(form.checkpoints.clone()),
            retired: existing.is_some_and(|route| route.retired),
        };
        schema(route.validate())?;
        check_route_stops(&route, current)?;
        schema(put_route(doc, &route, now))
    })
    .await
}

/// Retires a route (no new rounds) or brings one back. A route still used by
/// an active schedule cannot be retired: retire the schedule first.
pub async fn set_route_retired(
    writer: &Writer,
    site: &str,
    zone: &str,
    route_id: &str,
    retired: bool,
    now: i64,
) -> Result<DocumentId, Problem> {
    write(writer, site, zone, |doc, current| {
        let mut route = current
            .route(route_id)
            .cloned()
            .ok_or(Problem::RouteUnknown)?;
        if retired {
            if let Some(schedule) = current
                .schedules
                .iter()
                .find(|schedule| !schedule.retired && schedule.route_id == route_id)
            {
                return Err(Problem::RouteInUse(schedule.name.clone()));
            }
        } else {
            check_route_stops(&route, current)?;
        }
        route.retired = retired;
        schema(put_route(doc, &route, now))
    })
    .await
}

/// A schedule as typed: times as `HH:MM`, numbers as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleForm {
    /// `None` for a new schedule.
    pub id: Option<String>,
    pub route_id: String,
    pub name: String,
    pub start: String,
    pub end: String,
    pub every: String,
    pub tolerance: String,
    pub round_minutes: String,
    pub unannounced: String,
}

impl ScheduleForm {
    /// A new night schedule for `route_id`: every 2 hours from 20:00 to
    /// 06:00, 15 minutes either side, an hour per round, 2 unannounced rounds.
    pub fn new(route_id: &str) -> ScheduleForm {
        ScheduleForm {
            id: None,
            route_id: route_id.to_owned(),
            name: String::new(),
            start: "20:00".into(),
            end: "06:00".into(),
            every: "120".into(),
            tolerance: "15".into(),
            round_minutes: "60".into(),
            unannounced: "2".into(),
        }
    }

    pub fn of(schedule: &Schedule) -> ScheduleForm {
        ScheduleForm {
            id: Some(schedule.id.clone()),
            route_id: schedule.route_id.clone(),
            name: schedule.name.clone(),
            start: format_minute(schedule.shift_start),
            end: format_minute(schedule.shift_end),
            every: schedule.every_minutes.to_string(),
            tolerance: schedule.tolerance_minutes.to_string(),
            round_minutes: schedule.round_minutes.to_string(),
            unannounced: schedule.unannounced.to_string(),
        }
    }

    /// The schedule the form describes, checked by the shared rules.
    /// `retired` and `since` are kept from the stored schedule by
    /// [`save_schedule`].
    pub fn schedule(&self) -> Result<Schedule, Problem> {
        let time = |text: &str| parse_minute(text).ok_or(Problem::BadTime);
        // Bounded so that no later arithmetic on the numbers can overflow.
        let number = |text: &str| {
            text.trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n <= 100 * MINUTES_PER_DAY)
                .ok_or(Problem::BadNumber)
        };
        let schedule = Schedule {
            id: self.id.clone().unwrap_or_else(|| new_id("sc")),
            route_id: self.route_id.trim().to_owned(),
            name: self.name.trim().to_owned(),
            shift_start: time(&self.start)?,
            shift_end: time(&self.end)?,
            every_minutes: number(&self.every)?,
            tolerance_minutes: number(&self.tolerance)?,
            round_minutes: number(&self.round_minutes)?,
            unannounced: number(&self.unannounced)?,
            retired: false,
            since: 0,
        };
        schema(schedule.validate())?;
        Ok(schedule)
    }
}

/// One fixed round time of a schedule's preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueTime {
    /// `HH:MM`.
    pub time: String,
    /// After midnight of the day the shift starts.
    pub next_day: bool,
}

/// The fixed round times of a shift, in order.
pub fn due_times(schedule: &Schedule) -> Vec<DueTime> {
    schedule
        .slot_offsets()
        .into_iter()
        .map(|offset| {
            let minute = schedule.shift_start + offset;
            DueTime {
                time: format_minute(minute),
                next_day: minute >= MINUTES_PER_DAY,
            }
        })
        .collect()
}

/// Adds a schedule or changes one (keeping whether it is retired). Its route
/// must be an active route of the zone.
pub async fn save_schedule(
    writer: &Writer,
    site: &str,
    zone: &str,
    form: &ScheduleForm,
    now: i64,
) -> Result<DocumentId, Problem> {
    let mut schedule = form.schedule()?;
    write(writer, site, zone, move |doc, current| {
        let stored = current
            .schedules
            .iter()
            .find(|stored| stored.id == schedule.id);
        schedule.retired = stored.is_some_and(|stored| stored.retired);
        // Rounds are due from when the schedule was first made, not edited.
        schedule.since = stored.map_or(now, |stored| stored.since);
        match current.route(&schedule.route_id) {
            Some(route) if route.retired && !schedule.retired => Err(Problem::RouteRetired),
            _ => schema(put_schedule(doc, &schedule, now)),
        }
    })
    .await
}

/// Retires a schedule (no longer evaluated) or brings one back.
pub async fn set_schedule_retired(
    writer: &Writer,
    site: &str,
    zone: &str,
    schedule_id: &str,
    retired: bool,
    now: i64,
) -> Result<DocumentId, Problem> {
    write(writer, site, zone, |doc, current| {
        let mut schedule = current
            .schedules
            .iter()
            .find(|schedule| schedule.id == schedule_id)
            .cloned()
            .ok_or(Problem::Other(format!("no schedule {schedule_id}")))?;
        if !retired && current.route(&schedule.route_id).is_some_and(|r| r.retired) {
            return Err(Problem::RouteRetired);
        }
        schedule.retired = retired;
        schema(put_schedule(doc, &schedule, now))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::Storage;
    use std::rc::Rc;
    use wasm_bindgen_test::wasm_bindgen_test;

    const NOW: i64 = 1_795_435_200_000;

    async fn library() -> Rc<Library> {
        let name = format!("roundbook-test-setup-{}", uuid::Uuid::new_v4().simple());
        Library::new(Storage::open_named(&name).await.unwrap(), "t1".into())
    }

    fn held(library: &Library) -> Directory {
        directory(library, "demo", "A").expect("the directory is held")
    }

    /// A zone with checkpoints A-01..A-03 and one route over them.
    async fn zone_with_route(library: &Rc<Library>) -> String {
        for n in 1..=3 {
            let form = CheckpointForm {
                id: None,
                code: format!(" A-0{n} "),
                name: format!("Point {n}"),
                location: String::new(),
            };
            save_checkpoint(&Writer::offline(library), "demo", "A", &form, NOW)
                .await
                .unwrap();
        }
        let ids: Vec<String> = held(library)
            .checkpoints
            .into_iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(ids.len(), 3);
        let mut form = RouteForm {
            name: "东门路线".into(),
            ..RouteForm::default()
        };
        for id in &ids {
            form.add(id);
        }
        form.add(&ids[0]);
        form.shift(2, true);
        assert_eq!(
            form.checkpoints,
            [ids[0].clone(), ids[2].clone(), ids[1].clone()]
        );
        save_route(&Writer::offline(library), "demo", "A", &form, NOW)
            .await
            .unwrap();
        held(library).routes[0].id.clone()
    }

    /// Changes stored in IndexedDB for the zone directory.
    async fn stored_chunks(library: &Library) -> usize {
        let name = DocKey::zone_directory("demo", "A")
            .document_id()
            .to_string();
        library.storage().load_chunks(&name).await.unwrap().len()
    }

    #[wasm_bindgen_test]
    async fn a_valid_schedule_is_stored() {
        let library = library().await;
        let writer = Writer::offline(&library);
        let route_id = zone_with_route(&library).await;
        let mut form = ScheduleForm::new(&route_id);
        form.name = "夜班".into();
        let id = save_schedule(&writer, "demo", "A", &form, NOW)
            .await
            .unwrap();
        assert_eq!(id, DocKey::zone_directory("demo", "A").document_id());
        let schedules = held(&library).schedules;
        assert_eq!(schedules.len(), 1);
        let stored = &schedules[0];
        assert_eq!((stored.shift_start, stored.shift_end), (20 * 60, 6 * 60));
        assert_eq!(stored.route_id, route_id);
        assert!(!stored.retired);
        assert_eq!(stored.since, NOW, "rounds are due from when it was made");
        let times: Vec<String> = due_times(stored).into_iter().map(|due| due.time).collect();
        assert_eq!(
            times,
            ["20:00", "22:00", "00:00", "02:00", "04:00", "06:00"]
        );
        assert!(due_times(stored)[2].next_day && !due_times(stored)[1].next_day);

        // Stored durably: a second library on the same database reads it back.
        let reopened = Library::new(library.storage().clone(), "t2".into());
        reopened
            .add(DocKey::zone_directory("demo", "A"))
            .await
            .unwrap();
        assert_eq!(held(&reopened).schedules, schedules);

        // Editing keeps the id; retiring keeps the record.
        let mut edit = ScheduleForm::of(stored);
        edit.every = "60".into();
        save_schedule(&writer, "demo", "A", &edit, NOW + 3_600_000)
            .await
            .unwrap();
        assert_eq!(held(&library).schedules[0].since, NOW, "kept by an edit");
        set_schedule_retired(&writer, "demo", "A", &stored.id, true, NOW)
            .await
            .unwrap();
        let after = held(&library).schedules;
        assert_eq!(after.len(), 1);
        assert_eq!((after[0].every_minutes, after[0].retired), (60, true));
    }

    #[wasm_bindgen_test]
    async fn an_invalid_schedule_changes_nothing() {
        let library = library().await;
        let writer = Writer::offline(&library);
        let route_id = zone_with_route(&library).await;
        let before = held(&library);
        let heads = library.with_doc(&DocKey::zone_directory("demo", "A"), |doc| doc.get_heads());
        let chunks = stored_chunks(&library).await;

        let mut too_tolerant = ScheduleForm::new(&route_id);
        too_tolerant.name = "夜班".into();
        too_tolerant.tolerance = "60".into();
        let mut unknown_route = ScheduleForm::new("rt-nowhere");
        unknown_route.name = "夜班".into();
        let mut no_route = ScheduleForm::new("");
        no_route.name = "夜班".into();
        let mut bad_time = ScheduleForm::new(&route_id);
        bad_time.name = "夜班".into();
        bad_time.start = "25:00".into();
        let mut huge = ScheduleForm::new(&route_id);
        huge.name = "夜班".into();
        huge.tolerance = "4000000000".into();
        let cases = [
            (too_tolerant, Problem::ToleranceHalfInterval),
            (unknown_route, Problem::RouteUnknown),
            (no_route, Problem::RouteUnknown),
            (bad_time, Problem::BadTime),
            (huge, Problem::BadNumber),
        ];
        for (form, problem) in cases {
            let refused = save_schedule(&writer, "demo", "A", &form, NOW).await;
            assert_eq!(refused, Err(problem));
        }
        assert_eq!(held(&library), before);
        assert_eq!(
            library.with_doc(&DocKey::zone_directory("demo", "A"), |doc| doc.get_heads()),
            heads
        );
        assert_eq!(stored_chunks(&library).await, chunks, "nothing was written");
    }

    #[wasm_bindgen_test]
    async fn in_use_records_cannot_be_retired_and_codes_stay_unique() {
        let library = library().await;
        let writer = Writer::offline(&library);
        let route_id = zone_with_route(&library).await;
        let first = held(&library).checkpoints[0].clone();
        assert_eq!(
            set_checkpoint_retired(&writer, "demo", "A", &first.id, true, NOW).await,
            Err(Problem::CheckpointOnRoute("东门路线".into()))
        );
        let mut form = ScheduleForm::new(&route_id);
        form.name = "夜班".into();
        save_schedule(&writer, "demo", "A", &form, NOW)
            .await
            .unwrap();
        assert!(matches!(
            set_route_retired(&writer, "demo", "A", &route_id, true, NOW).await,
            Err(Problem::RouteInUse(name)) if name == "夜班"
        ));
        let taken = CheckpointForm {
            id: None,
            code: "a-01".into(),
            name: "Copy".into(),
            location: String::new(),
        };
        assert_eq!(
            save_checkpoint(&writer, "demo", "A", &taken, NOW).await,
            Err(Problem::CodeTaken("Point 1".into()))
        );
        // A route without checkpoints, and one with a retired checkpoint.
        let empty = RouteForm {
            name: "空".into(),
            ..RouteForm::default()
        };
        assert_eq!(
            save_route(&writer, "demo", "A", &empty, NOW).await,
            Err(Problem::RouteCheckpointCount)
        );
        let spare = CheckpointForm {
            id: None,
            code: "A-09".into(),
            name: "Spare".into(),
            location: String::new(),
        };
        save_checkpoint(&writer, "demo", "A", &spare, NOW)
            .await
            .unwrap();
        let spare_id = held(&library)
            .checkpoints
            .into_iter()
            .find(|c| c.code == "A-09")
            .unwrap()
            .id;
        set_checkpoint_retired(&writer, "demo", "A", &spare_id, true, NOW)
            .await
            .unwrap();
        let mut with_retired = RouteForm {
            name: "旧".into(),
            ..RouteForm::default()
        };
        with_retired.add(&spare_id);
        assert_eq!(
            save_route(&writer, "demo", "A", &with_retired, NOW).await,
            Err(Problem::CheckpointRetired)
        );
    }

    #[wasm_bindgen_test]
    fn every_shared_refusal_has_its_own_problem() {
        use roundbook_shared::schema::schedule::Schedule;
        let mut doc = DocKey::zone_directory("demo", "A").genesis();
        let checkpoint = |code: &str, name: &str, location: &str| Checkpoint {
            id: "cp1".into(),
            code: code.into(),
            name: name.into(),
            location: location.into(),
            retired: false,
        };
        let long = "x".repeat(300);
        let refusals = [
            put_checkpoint(&mut doc, &checkpoint(" ", "n", ""), NOW),
            put_checkpoint(&mut doc, &checkpoint(&long, "n", ""), NOW),
            put_checkpoint(&mut doc, &checkpoint("A", " ", ""), NOW),
            put_checkpoint(&mut doc, &checkpoint("A", &long, ""), NOW),
            put_checkpoint(&mut doc, &checkpoint("A", "n", &long), NOW),
        ];
        put_checkpoint(&mut doc, &checkpoint("A-01", "One", ""), NOW).unwrap();
        let mut other = checkpoint("a-01", "Two", "");
        other.id = "cp2".into();
        let taken = put_checkpoint(&mut doc, &other, NOW);
        let route = |name: &str, stops: &[&str]| Route {
            id: "r1".into(),
            name: name.into(),
            checkpoints: CheckpointOrder(stops.iter().map(|s| s.to_string()).collect()),
            retired: false,
        };
        let route_refusals = [
            put_route(&mut doc, &route(" ", &["cp1"]), NOW),
            put_route(&mut doc, &route(&long, &["cp1"]), NOW),
            put_route(&mut doc, &route("r", &[]), NOW),
            put_route(&mut doc, &route("r", &["cp1", "cp1"]), NOW),
            put_route(&mut doc, &route("r", &["cp9"]), NOW),
        ];
        let night = roundbook_shared::fixtures::patrol::night();
        // Every broken schedule, and last a valid one whose route r1 is not
        // in the zone.
        let valid: fn(&mut Schedule) = |_| {};
        let broken = roundbook_shared::fixtures::patrol::BROKEN_SCHEDULES
            .into_iter()
            .chain([valid]);
        let mut all: Vec<Result<(), SchemaError>> = refusals.into_iter().collect();
        all.push(taken);
        all.extend(route_refusals);
        for break_it in broken {
            let mut schedule = night.clone();
            break_it(&mut schedule);
            all.push(put_schedule(&mut doc, &schedule, NOW));
        }
        for (index, result) in all.into_iter().enumerate() {
            let error = result.expect_err(&format!("case {index} is refused"));
            let problem = Problem::from_schema(&error);
            assert!(
                !matches!(problem, Problem::Other(_)),
                "case {index}: {error} has no message"
            );
        }
    }
}

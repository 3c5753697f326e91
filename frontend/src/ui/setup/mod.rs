//! The security supervisor's patrol setup, per zone: checkpoints, routes and
//! schedules. Each editor lists its records and opens a form; saving goes
//! through [`crate::setup`], which checks and stores the change (offline
//! too) and tells sync before the list shows it.
//!
//! Components only collect input and show results; every rule is
//! [`crate::setup`]'s or the shared schema's. Refusals are shown translated.

mod checkpoints;
mod editor;
mod routes;
mod schedules;

use leptos::prelude::*;
use roundbook_shared::ids::DocumentId;

use super::select::ZoneSelect;
use super::WorkspaceRef;
use crate::browser;
use crate::i18n::{filled, I18n, Key, Lang};
use crate::setup::{self, CheckpointForm, Directory, Problem, RouteForm, ScheduleForm};
use crate::sync::SyncStatus;

/// What each editor gets: the workspace, the zone and its directory.
#[derive(Clone, Copy)]
struct ZoneSetup {
    workspace: WorkspaceRef,
    zone: Signal<String>,
    /// `None` while the tablet does not hold the zone's directory.
    directory: Memo<Option<Directory>>,
}

/// A change an editor asks for.
#[derive(Debug, Clone)]
enum Change {
    Checkpoint(CheckpointForm),
    /// A checkpoint's id, and whether it is to be retired.
    CheckpointRetired(String, bool),
    Route(RouteForm),
    RouteRetired(String, bool),
    Schedule(ScheduleForm),
    ScheduleRetired(String, bool),
}

impl ZoneSetup {
    /// Stores `change` in the zone's directory ([`crate::setup`] checks it
    /// and tells sync).
    async fn store(self, change: Change) -> Result<DocumentId, Problem> {
        let (writer, site) = super::writer_and_site(self.workspace);
        let (zone, now) = (self.zone.get_untracked(), browser::now_ms());
        let (writer, site, zone) = (&writer, site.as_str(), zone.as_str());
        match &change {
            Change::Checkpoint(form) => setup::save_checkpoint(writer, site, zone, form, now).await,
            Change::CheckpointRetired(id, retired) => {
                setup::set_checkpoint_retired(writer, site, zone, id, *retired, now).await
            }
            Change::Route(form) => setup::save_route(writer, site, zone, form, now).await,
            Change::RouteRetired(id, retired) => {
                setup::set_route_retired(writer, site, zone, id, *retired, now).await
            }
            Change::Schedule(form) => setup::save_schedule(writer, site, zone, form, now).await,
            Change::ScheduleRetired(id, retired) => {
                setup::set_schedule_retired(writer, site, zone, id, *retired, now).await
            }
        }
    }
}

/// The translated message of a refused setup change.
fn problem_text(lang: Lang, problem: &Problem) -> String {
    let key = match problem {
        Problem::CodeEmpty => Key::ProblemCodeEmpty,
        Problem::CodeTooLong => Key::ProblemCodeTooLong,
        Problem::CodeTaken(name) => {
            return filled(Key::ProblemCodeTaken, lang, &[("name", name)]);
        }
        Problem::NameEmpty => Key::ProblemNameEmpty,
        Problem::NameTooLong => Key::ProblemNameTooLong,
        Problem::LocationTooLong => Key::ProblemLocationTooLong,
        Problem::RouteCheckpointCount => Key::ProblemRouteCheckpointCount,
        Problem::CheckpointTwice => Key::ProblemCheckpointTwice,
        Problem::CheckpointUnknown => Key::ProblemCheckpointUnknown,
        Problem::CheckpointRetired => Key::ProblemCheckpointRetired,
        Problem::CheckpointOnRoute(name) => {
            return filled(Key::ProblemCheckpointOnRoute, lang, &[("name", name)]);
        }
        Problem::RouteUnknown => Key::ProblemRouteUnknown,
        Problem::RouteRetired => Key::ProblemRouteRetired,
        Problem::RouteInUse(name) => {
            return filled(Key::ProblemRouteInUse, lang, &[("name", name)]);
        }
        Problem::BadTime => Key::ProblemBadTime,
        Problem::BadNumber => Key::ProblemBadNumber,
        Problem::IntervalRange => Key::ProblemIntervalRange,
        Problem::ToleranceHalfInterval => Key::ProblemToleranceHalfInterval,
        Problem::ToleranceMax => Key::ProblemToleranceMax,
        Problem::RoundMinutesRange => Key::ProblemRoundMinutesRange,
        Problem::UnannouncedMax => Key::ProblemUnannouncedMax,
        Problem::NoRounds => Key::ProblemNoRounds,
        Problem::NotHeld => Key::ProblemNotHeld,
        Problem::Busy => Key::ProblemBusy,
        Problem::NotSaved(_) => Key::SaveFailed,
        Problem::Other(_) => Key::ProblemOther,
    };
    key.text(lang).to_owned()
}

/// The setup tab: the zone select and the three editors.
#[component]
pub fn SetupTab(workspace: WorkspaceRef) -> impl IntoView {
    let i18n = I18n::get();
    let status = expect_context::<SyncStatus>();
    let zones = workspace.with_value(|ws| ws.session.zones().to_vec());
    let zone = RwSignal::new(zones.first().map(|z| z.code.clone()).unwrap_or_default());
    let directory = Memo::new(move |_| {
        status.revision.track();
        let zone = zone.get();
        workspace.with_value(|ws| setup::directory(&ws.library, ws.session.site_code(), &zone))
    });
    let context = ZoneSetup {
        workspace,
        zone: zone.into(),
        directory,
    };
    view! {
        <section class="card setup-head">
            <ZoneSelect workspace zone testid="setup-zone" label=Key::Zone />
            <Show when=move || directory.with(Option::is_none)>
                <p class="message message-error" data-testid="setup-not-held">
                    {move || i18n.t(Key::ProblemNotHeld)}
                </p>
            </Show>
        </section>
        // Editors start afresh for each zone: an open form belongs to its zone.
        {move || {
            zone.track();
            view! {
                <checkpoints::CheckpointEditor setup=context />
                <routes::RouteEditor setup=context />
                <schedules::ScheduleEditor setup=context />
            }
        }}
    }
}

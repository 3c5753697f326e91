//! The gate book (门岗登记): let a visitor or a vehicle in, see who is
//! inside (or tonight's list for the handover, or the whole week), and
//! record them out. Offline like every screen; the reads and writes are
//! `crate::gate`.
//!
//! Test ids: `gate` (with `data-people-inside`, `data-vehicles-inside`,
//! `data-entries`), `gate-view`, `gate-visitor-open`, `gate-visitor-form`,
//! `gate-visitor-name`, `gate-visitor-id`, `gate-visitor-unit`,
//! `gate-visitor-zone`, `gate-visitor-purpose`, `gate-visitor-people`,
//! `gate-visitor-confirm`, `gate-error`, `gate-vehicle-open`,
//! `gate-vehicle-form`, `gate-vehicle-plate`, `gate-vehicle-unit`,
//! `gate-vehicle-zone`, `gate-vehicle-resident`, `gate-vehicle-confirm`,
//! `gate-vehicle-error`, `gate-entry` (with `data-kind`, `data-inside`,
//! `data-label`), `gate-out`, `gate-out-error`.

use leptos::prelude::*;
use roundbook_shared::domain::ZoneRef;
use roundbook_shared::gate::{self, Entry, GateRefusal, Passage};

use super::field::Field;
use super::form::{save_action, submit_with, FormEnd, Write};
use super::{ticking_clock, WorkspaceRef};
use crate::calendar::short_time;
use crate::gate::{self as book, GateError, VehicleDraft, VisitorDraft};
use crate::i18n::{filled, I18n, Key};
use crate::sync::SyncStatus;

/// How often the screen looks at the clock (tonight's list moves at 18:00).
const TICK: std::time::Duration = std::time::Duration::from_secs(60);

fn error_key(error: &GateError) -> Key {
    match error {
        GateError::NameNeeded => Key::GateErrName,
        GateError::BadIdTail => Key::GateErrIdTail,
        GateError::UnitNeeded => Key::GateErrUnit,
        GateError::PurposeNeeded => Key::GateErrPurpose,
        GateError::BadPeople => Key::GateErrPeople,
        GateError::BadPlate => Key::GateErrPlate,
        GateError::TextTooLong => Key::GateErrText,
        GateError::Refused(GateRefusal::AlreadyInside { .. }) => Key::GateErrInside,
        GateError::Refused(GateRefusal::OutBeforeIn) => Key::GateErrOutBeforeIn,
        GateError::Refused(GateRefusal::AlreadyOut) => Key::GateErrAlreadyOut,
        GateError::NotFound => Key::GateErrNotFound,
        GateError::Busy => Key::GateErrBusy,
        GateError::NotSaved(_) => Key::GateErrNotSaved,
    }
}

/// Which entries the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum View {
    Inside,
    Tonight,
    Week,
}

#[component]
pub fn GateTab(workspace: WorkspaceRef) -> impl IntoView {
    let i18n = I18n::get();
    let status = expect_context::<SyncStatus>();
    let now = ticking_clock(TICK);
    let all = Memo::new(move |_| {
        status.revision.track();
        workspace.with_value(|ws| book::passages(&ws.library))
    });
    let view_name = RwSignal::new("inside".to_owned());
    let shown = Memo::new(move |_| {
        let view = match view_name.get().as_str() {
            "tonight" => View::Tonight,
            "week" => View::Week,
            _ => View::Inside,
        };
        all.with(|all| match view {
            View::Inside => all
                .iter()
                .filter(|passage| passage.inside())
                .cloned()
                .collect(),
            View::Tonight => gate::tonight(all, now.get()),
            View::Week => all.clone(),
        })
    });
    let counts = Memo::new(move |_| all.with(|all| gate::inside_counts(all)));
    let zones = workspace.with_value(|ws| ws.session.zones().to_vec());
    let form = RwSignal::new(None::<&'static str>);
    view! {
        <h1 class="page-title">{move || i18n.t(Key::GateTitle)}</h1>
        <section class="card" data-testid="gate"
            data-people-inside=move || counts.get().0.to_string()
            data-vehicles-inside=move || counts.get().1.to_string()
            data-entries=move || all.with(Vec::len).to_string()>
            <p>
                {move || filled(Key::GateInsideCount, i18n.lang(), &[
                    ("people", &counts.get().0.to_string()),
                    ("vehicles", &counts.get().1.to_string()),
                ])}
            </p>
            {move || match form.get() {
                Some("visitor") => view! { <VisitorForm workspace zones=zones.clone() on_done=move || form.set(None) /> }.into_any(),
                Some(_) => view! { <VehicleForm workspace zones=zones.clone() on_done=move || form.set(None) /> }.into_any(),
                None => view! {
                    <div class="actions">
                        <button class="button button-primary" data-testid="gate-visitor-open" on:click=move |_| form.set(Some("visitor"))>
                            {move || i18n.t(Key::GateVisitorIn)}
                        </button>
                        <button class="button button-primary" data-testid="gate-vehicle-open" on:click=move |_| form.set(Some("vehicle"))>
                            {move || i18n.t(Key::GateVehicleIn)}
                        </button>
                    </div>
                }
                .into_any(),
            }}
        </section>
        <section class="card">
            <Field label=Key::GateShow inline=true>
                <select data-testid="gate-view" bind:value=view_name>
                    <option value="inside">{move || i18n.t(Key::GateShowInside)}</option>
                    <option value="tonight">{move || i18n.t(Key::GateShowTonight)}</option>
                    <option value="week">{move || i18n.t(Key::GateShowWeek)}</option>
                </select>
            </Field>
            {move || shown.with(Vec::is_empty).then(|| view! { <p class="muted">{move || i18n.t(Key::GateNone)}</p> })}
            <ul class="plain-list">
                <For each=move || shown.get() key=|passage| (passage.entry.id().to_owned(), passage.inside()) let:passage>
                    <EntryRow workspace passage />
                </For>
            </ul>
        </section>
    }
}

/// A zone select: the user's zones, or none.
fn zone_select(
    testid: &'static str,
    zones: Vec<ZoneRef>,
    value: RwSignal<String>,
) -> impl IntoView {
    let i18n = I18n::get();
    let options = zones
        .into_iter()
        .map(|zone| view! { <option value=zone.code.clone()>{zone.name.clone()}</option> })
        .collect_view();
    view! {
        <select data-testid=testid bind:value=value>
            <option value="">{move || i18n.t(Key::GateZoneUnknown)}</option>
            {options}
        </select>
    }
}

#[component]
fn VisitorForm(
    workspace: WorkspaceRef,
    zones: Vec<ZoneRef>,
    on_done: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = I18n::get();
    let name = RwSignal::new(String::new());
    let id_tail = RwSignal::new(String::new());
    let unit = RwSignal::new(String::new());
    let zone = RwSignal::new(String::new());
    let purpose = RwSignal::new(String::new());
    let people = RwSignal::new("1".to_owned());
    let problem = RwSignal::new(None::<Key>);
    let save = save_action(
        workspace,
        problem,
        error_key,
        move |_| on_done(),
        |w: Write, draft: VisitorDraft| async move {
            book::let_visitor_in(&w.writer, &w.site, &draft, &w.who, w.now).await
        },
    );
    let saving = save.pending();
    let submit = submit_with(save, problem, move || VisitorDraft {
        name: name.get_untracked(),
        id_last4: id_tail.get_untracked(),
        unit_label: unit.get_untracked(),
        zone: zone.get_untracked(),
        purpose: purpose.get_untracked(),
        people: people.get_untracked(),
    });
    view! {
        <form class="action-form" data-testid="gate-visitor-form" on:submit=submit novalidate>
            <h3>{move || i18n.t(Key::GateVisitorIn)}</h3>
            <Field label=Key::GateVisitorName>
                <input data-testid="gate-visitor-name" maxlength="50" bind:value=name />
            </Field>
            <Field label=Key::GateVisitorIdTail>
                <input data-testid="gate-visitor-id" maxlength="4" autocomplete="off" bind:value=id_tail />
            </Field>
            <Field label=Key::GateUnit>
                <input data-testid="gate-visitor-unit" maxlength="50" bind:value=unit />
            </Field>
            <Field label=Key::GateZone>{zone_select("gate-visitor-zone", zones, zone)}</Field>
            <Field label=Key::GateVisitorPurpose>
                <input data-testid="gate-visitor-purpose" maxlength="200" bind:value=purpose />
            </Field>
            <Field label=Key::GateVisitorPeople>
                <input data-testid="gate-visitor-people" inputmode="numeric" maxlength="2" bind:value=people />
            </Field>
            <FormEnd problem error_id="gate-error" confirm_id="gate-visitor-confirm"
                confirm=Key::GateLetIn cancel=Key::WoCancel busy=saving on_cancel=on_done />
        </form>
    }
}

#[component]
fn VehicleForm(
    workspace: WorkspaceRef,
    zones: Vec<ZoneRef>,
    on_done: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = I18n::get();
    let plate = RwSignal::new(String::new());
    let unit = RwSignal::new(String::new());
    let zone = RwSignal::new(String::new());
    let resident = RwSignal::new(false);
    let problem = RwSignal::new(None::<Key>);
    let save = save_action(
        workspace,
        problem,
        error_key,
        move |_| on_done(),
        |w: Write, draft: VehicleDraft| async move {
            book::let_vehicle_in(&w.writer, &w.site, &draft, &w.who, w.now).await
        },
    );
    let saving = save.pending();
    let submit = submit_with(save, problem, move || VehicleDraft {
        plate: plate.get_untracked(),
        unit_label: unit.get_untracked(),
        zone: zone.get_untracked(),
        resident: resident.get_untracked(),
    });
    view! {
        <form class="action-form" data-testid="gate-vehicle-form" on:submit=submit novalidate>
            <h3>{move || i18n.t(Key::GateVehicleIn)}</h3>
            <Field label=Key::GatePlate>
                <input data-testid="gate-vehicle-plate" maxlength="12" autocomplete="off" placeholder="粤B12345" bind:value=plate />
            </Field>
            <Field label=Key::GateUnit>
                <input data-testid="gate-vehicle-unit" maxlength="50" bind:value=unit />
            </Field>
            <Field label=Key::GateZone>{zone_select("gate-vehicle-zone", zones, zone)}</Field>
            <label class="check">
                <input type="checkbox" data-testid="gate-vehicle-resident" bind:checked=resident />
                <span>{move || i18n.t(Key::GateResidentVehicle)}</span>
            </label>
            <FormEnd problem error_id="gate-vehicle-error" confirm_id="gate-vehicle-confirm"
                confirm=Key::GateLetIn cancel=Key::WoCancel busy=saving on_cancel=on_done />
        </form>
    }
}

/// One entry: who or what, for whom, since when, and its leaving or the
/// button that records it.
#[component]
fn EntryRow(workspace: WorkspaceRef, passage: Passage) -> impl IntoView {
    let i18n = I18n::get();
    let problem = RwSignal::new(None::<Key>);
    let entry_id = passage.entry.id().to_owned();
    let save = save_action(
        workspace,
        problem,
        error_key,
        |_| (),
        move |w: Write, ()| {
            let entry_id = entry_id.clone();
            async move { book::let_out(&w.writer, &w.site, &entry_id, &w.who, w.now).await }
        },
    );
    let saving = save.pending();
    let inside = passage.inside();
    let (kind, label, detail, by) = match &passage.entry {
        Entry::Visitor(visitor) => (
            "visitor",
            visitor.name.clone(),
            {
                let tail = if visitor.id_last4.is_empty() {
                    String::new()
                } else {
                    filled(
                        Key::GateIdTailShown,
                        i18n.lang(),
                        &[("tail", &visitor.id_last4)],
                    )
                };
                let people = filled(
                    Key::GatePeopleShown,
                    i18n.lang(),
                    &[("n", &visitor.people.to_string())],
                );
                format!(
                    "{} · {} · {people} {tail}",
                    visitor.unit_label, visitor.purpose
                )
            },
            visitor.by_name.clone(),
        ),
        Entry::Vehicle(vehicle) => (
            "vehicle",
            vehicle.plate.clone(),
            {
                let whose = if vehicle.resident {
                    Key::GateResidentVehicle
                } else {
                    Key::GateVisitorVehicle
                };
                format!("{} {}", i18n.t(whose), vehicle.unit_label)
            },
            vehicle.by_name.clone(),
        ),
    };
    let in_at = short_time(passage.entry.in_at());
    let exit = passage.exit.clone();
    let data_label = label.clone();
    view! {
        <li data-testid="gate-entry" data-kind=kind data-inside=inside.to_string() data-label=data_label>
            <div>
                <strong>{label}</strong> " "
                <span class="badge" class:badge-alert=inside>
                    {move || i18n.t(if inside { Key::GateInside } else { Key::GateLeft })}
                </span>
            </div>
            <div>{detail}</div>
            <div class="muted">
                {move || i18n.label(Key::GateInAt)} " " {in_at.clone()} " " {by.clone()}
                {exit.clone().map(|exit| view! {
                    " · " {move || i18n.label(Key::GateOutAt)} " " {short_time(exit.out_at)} " " {exit.by_name.clone()}
                })}
            </div>
            {inside.then(|| view! {
                <div class="actions">
                    <button class="button" data-testid="gate-out" disabled=move || saving.get()
                        on:click=move |_| { problem.set(None); save.dispatch_local(()); }>
                        {move || i18n.t(Key::GateLetOut)}
                    </button>
                    {move || problem.get().map(|key| view! {
                        <p class="message message-error" role="alert" data-testid="gate-out-error">{move || i18n.t(key)}</p>
                    })}
                </div>
            })}
        </li>
    }
}

//! The intake form: any staff member records a request from any channel.
//! Photos are downscaled and stored on the tablet as they are picked; the
//! request is saved only with photos that are already stored. Staff who hold
//! the zone's resident directory pick the unit and resident from it (typing
//! stays possible): a unit from the directory links the request to it, and a
//! resident's phone fills in when the phone is still empty.
//!
//! Test ids: `request-form`, `request-channel`, `request-kind`, `request-unit`,
//! `request-resident`, `request-phone`, `request-description`, `request-units`
//! and `request-residents` (the directory's suggestions),
//! `request-photo-input`, `request-photo-thumb`, `request-collective`,
//! `request-households`, `request-save`, `request-cancel`, `request-error`.

use leptos::prelude::*;
use roundbook_shared::reach;
use roundbook_shared::schema::request::{Channel, Request, RequestKind};
use roundbook_shared::schema::DocKind;

use super::error_key;
use crate::i18n::{I18n, Key};
use crate::requests::{self, MAX_TEXT_CHARS};
use crate::residents;
use crate::sync::SyncStatus;
use crate::ui::field::Field;
use crate::ui::form::{save_action, Write};
use crate::ui::photo_picker::{submit_with_photos, when_failed, PhotoPicker, PickedPhotos};
use crate::ui::select::WordSelect;
use crate::ui::WorkspaceRef;

#[component]
pub(super) fn IntakeForm(
    workspace: WorkspaceRef,
    zone: String,
    /// Called with the new request's id once saved, or `None` when cancelled.
    on_done: impl Fn(Option<String>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = I18n::get();
    let channel = RwSignal::new(Channel::Phone);
    let kind = RwSignal::new(RequestKind::RepairHome);
    let unit = RwSignal::new(String::new());
    let resident = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let collective = RwSignal::new(false);
    let households = RwSignal::new(String::new());
    let photos = PickedPhotos::new();
    // The photo picker's problems are told here too.
    let problem = RwSignal::new(None::<Key>);
    let save = save_action(
        workspace,
        problem,
        error_key,
        move |(_, request): (_, Request)| on_done(Some(request.id)),
        |w: Write, draft: Request| async move {
            requests::record_request(&w.writer, &w.site, &w.who, &draft, w.now).await
        },
    );
    let saving = save.pending();

    // The zone's resident directory, for users who hold it.
    let status = expect_context::<SyncStatus>();
    let holds_directory =
        workspace.with_value(|ws| reach::reads(ws.session.roles(), DocKind::ResidentDirectory));
    let directory_zone = zone.clone();
    let directory = Memo::new(move |_| {
        status.revision.track();
        if !holds_directory {
            return Default::default();
        }
        workspace.with_value(|ws| {
            residents::directory(&ws.library, ws.session.site_code(), &directory_zone)
        })
    });
    let unit_id = Memo::new(move |_| {
        directory.with(|(units, _)| {
            unit.with(|label| residents::unit_named(units, label).map(|u| u.id.clone()))
        })
    });
    let unit_options = move || {
        directory.with(|(units, _)| {
            units
                .iter()
                .filter(|unit| !unit.retired)
                .map(|unit| view! { <option value=unit.label()></option> })
                .collect_view()
        })
    };
    let resident_options = move || {
        let Some(unit_id) = unit_id.get() else {
            return Vec::new();
        };
        directory.with(|(_, people)| {
            residents::residents_of(people, &unit_id)
                .map(|person| view! { <option value=person.name.clone()></option> })
                .collect()
        })
    };
    // A resident picked from the directory brings their phone, unless one was typed.
    Effect::new(move |_| {
        let name = resident.get();
        let Some(unit_id) = unit_id.get() else { return };
        if !phone.get_untracked().trim().is_empty() {
            return;
        }
        let known = directory.with_untracked(|(_, people)| {
            residents::residents_of(people, &unit_id)
                .find(|person| person.name == name.trim())
                .map(|person| person.phone.clone())
        });
        if let Some(known) = known.filter(|p| !p.is_empty()) {
            phone.set(known);
        }
    });

    let draft_zone = zone.clone();
    let submit = submit_with_photos(photos, saving, move || {
        problem.set(None);
        let mut draft = Request::draft(&draft_zone, channel.get_untracked(), kind.get_untracked());
        draft.unit_label = unit.get_untracked();
        draft.unit_id = unit_id.get_untracked().unwrap_or_default();
        draft.resident_name = resident.get_untracked();
        draft.contact_phone = phone.get_untracked();
        draft.description = description.get_untracked();
        draft.photos = photos.hashes_untracked();
        draft.collective = collective.get_untracked();
        draft.households = households.get_untracked().trim().parse().unwrap_or(0);
        save.dispatch_local(draft);
    });

    view! {
        <form class="card request-form" data-testid="request-form" on:submit=submit novalidate>
            <h2>{move || i18n.t(Key::ReqNew)}</h2>
            <div class="field-row">
                <WordSelect label=Key::ReqChannel testid="request-channel" value=channel />
                <WordSelect label=Key::ReqKind testid="request-kind" value=kind />
            </div>
            <div class="field-row">
                <Field label=Key::ReqUnit>
                    <input data-testid="request-unit" maxlength="64" list="request-units" placeholder=move || i18n.t(Key::ReqUnitHint) bind:value=unit />
                    <datalist id="request-units" data-testid="request-units">{unit_options}</datalist>
                </Field>
                <Field label=Key::ReqResident>
                    <input data-testid="request-resident" maxlength="64" list="request-residents" bind:value=resident />
                    <datalist id="request-residents" data-testid="request-residents">{resident_options}</datalist>
                </Field>
                <Field label=Key::ReqPhone>
                    <input data-testid="request-phone" type="tel" maxlength="20" bind:value=phone />
                </Field>
            </div>
            <Field label=Key::ReqDescription>
                <textarea data-testid="request-description" rows="3" maxlength=MAX_TEXT_CHARS.to_string() bind:value=description></textarea>
            </Field>
            <Show when=move || kind.get() == RequestKind::Complaint>
                <div class="field-row">
                    <label class="check">
                        <input type="checkbox" data-testid="request-collective" bind:checked=collective />
                        <span>{move || i18n.t(Key::ReqCollective)}</span>
                    </label>
                    <Show when=move || collective.get()>
                        <Field label=Key::ReqHouseholds inline=true>
                            <input data-testid="request-households" type="number" min="2" max="999" bind:value=households />
                        </Field>
                    </Show>
                </div>
            </Show>
            <div class="field">
                <span>{move || i18n.t(Key::ReqPhotos)}</span>
                <PhotoPicker
                    workspace
                    zone=zone.clone()
                    photos
                    label=Key::ReqPhotos
                    testid="request-photo"
                    on_problem=when_failed(move || {
                        problem.try_set(Some(Key::ReqPhotoFailed));
                    })
                />
            </div>
            {move || problem.get().map(|key| view! {
                <p class="message message-error" role="alert" data-testid="request-error">{move || i18n.t(key)}</p>
            })}
            <div class="actions">
                <button class="button button-primary" type="submit" data-testid="request-save" disabled=move || { saving.get() || photos.processing() }>
                    {move || i18n.t(Key::ReqSave)}
                </button>
                <button class="button button-quiet" type="button" data-testid="request-cancel" on:click=move |_| on_done(None)>
                    {move || i18n.t(Key::ReqCancel)}
                </button>
            </div>
        </form>
    }
}

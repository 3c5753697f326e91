//! The checkpoint editor: the zone's checkpoints (active first, then
//! retired), a form to add or change one (code, name, location), and retire /
//! restore. Input only; [`crate::setup`] decides what is stored.

use leptos::prelude::*;
use roundbook_shared::schema::directory::Checkpoint;

use super::{ProblemMessage, ZoneSetup};
use crate::browser;
use crate::i18n::{I18n, Key};
use crate::setup::{self, CheckpointForm, Problem};

#[component]
pub(super) fn CheckpointEditor(setup: ZoneSetup) -> impl IntoView {
    let i18n = I18n::get();
    let editing = RwSignal::new(None::<CheckpointForm>);
    let error = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);
    let list = Memo::new(move |_| {
        let mut list: Vec<Checkpoint> = setup
            .directory
            .with(|d| d.as_ref().map(|d| d.checkpoints.clone()))
            .unwrap_or_default();
        list.sort_by_key(|checkpoint| checkpoint.retired);
        list
    });

    let set_retired = move |id: String, retired: bool| {
        let (library, site, zone) = setup.target();
        let change = async move {
            setup::set_checkpoint_retired(&library, &site, &zone, &id, retired, browser::now_ms())
                .await
        };
        setup.apply(busy, error, change, || {});
    };

    let row = move |checkpoint: Checkpoint| {
        let for_edit = checkpoint.clone();
        let id = checkpoint.id.clone();
        let retired = checkpoint.retired;
        view! {
            <li
                class="setup-row"
                class:retired=retired
                data-testid="checkpoint-row"
                data-code=checkpoint.code.clone()
                data-retired=retired.to_string()
            >
                <span class="setup-code">{checkpoint.code.clone()}</span>
                <span class="setup-main">
                    <strong>{checkpoint.name.clone()}</strong>
                    <span class="muted">{checkpoint.location.clone()}</span>
                </span>
                <span class="setup-actions">
                    {retired.then(|| view! { <span class="badge">{move || i18n.t(Key::Retired)}</span> })}
                    <button
                        class="button"
                        data-testid="checkpoint-edit"
                        on:click=move |_| {
                            error.set(None);
                            editing.set(Some(CheckpointForm::of(&for_edit)));
                        }
                    >
                        {move || i18n.t(Key::Edit)}
                    </button>
                    <button
                        class="button"
                        data-testid=if retired { "checkpoint-restore" } else { "checkpoint-retire" }
                        disabled=move || busy.get()
                        on:click=move |_| set_retired(id.clone(), !retired)
                    >
                        {move || i18n.t(if retired { Key::Restore } else { Key::Retire })}
                    </button>
                </span>
            </li>
        }
    };

    view! {
        <section class="card setup-section" data-testid="checkpoint-editor">
            <div class="section-head">
                <h2>{move || i18n.t(Key::SetupCheckpoints)}</h2>
                <button
                    class="button button-primary"
                    data-testid="checkpoint-new"
                    on:click=move |_| {
                        error.set(None);
                        editing.set(Some(CheckpointForm::default()));
                    }
                >
                    {move || i18n.t(Key::NewCheckpoint)}
                </button>
            </div>
            {move || editing.get().map(|form| view! { <Form setup form editing error busy /> })}
            <Show when=move || editing.with(Option::is_none)>
                <ProblemMessage error testid="checkpoint-error" />
            </Show>
            <Show
                when=move || list.with(|l| !l.is_empty())
                fallback=move || view! { <p class="muted">{move || i18n.t(Key::NoCheckpointsDefined)}</p> }
            >
                <ul class="setup-list">
                    <For each=move || list.get() key=|c| c.clone() children=row />
                </ul>
            </Show>
        </section>
    }
}

/// The add / change form.
#[component]
fn Form(
    setup: ZoneSetup,
    form: CheckpointForm,
    editing: RwSignal<Option<CheckpointForm>>,
    error: RwSignal<Option<Problem>>,
    busy: RwSignal<bool>,
) -> impl IntoView {
    let i18n = I18n::get();
    let id = form.id.clone();
    let code = RwSignal::new(form.code);
    let name = RwSignal::new(form.name);
    let location = RwSignal::new(form.location);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let form = CheckpointForm {
            id: id.clone(),
            code: code.get_untracked(),
            name: name.get_untracked(),
            location: location.get_untracked(),
        };
        let (library, site, zone) = setup.target();
        let change = async move {
            setup::save_checkpoint(&library, &site, &zone, &form, browser::now_ms()).await
        };
        setup.apply(busy, error, change, move || editing.set(None));
    };
    view! {
        <form class="setup-form" data-testid="checkpoint-form" on:submit=submit novalidate>
            <div class="form-grid">
                <label class="field">
                    <span>{move || i18n.t(Key::CheckpointCode)}</span>
                    <input
                        type="text"
                        class="input-code"
                        data-testid="checkpoint-code"
                        autocomplete="off"
                        autocapitalize="characters"
                        spellcheck="false"
                        placeholder=move || i18n.t(Key::CheckpointCodeHint)
                        bind:value=code
                    />
                </label>
                <label class="field">
                    <span>{move || i18n.t(Key::CheckpointName)}</span>
                    <input type="text" data-testid="checkpoint-name" bind:value=name />
                </label>
                <label class="field field-wide">
                    <span>{move || i18n.t(Key::CheckpointLocation)}</span>
                    <input type="text" data-testid="checkpoint-location" bind:value=location />
                </label>
            </div>
            <ProblemMessage error testid="checkpoint-error" />
            <div class="form-actions">
                <button type="submit" class="button button-primary" data-testid="checkpoint-save" disabled=move || busy.get()>
                    {move || i18n.t(if busy.get() { Key::Saving } else { Key::Save })}
                </button>
                <button type="button" class="button" data-testid="checkpoint-cancel" on:click=move |_| {
                    error.set(None);
                    editing.set(None);
                }>
                    {move || i18n.t(Key::Cancel)}
                </button>
            </div>
        </form>
    }
}

//! The checkpoint editor: the zone's checkpoints (active first, then
//! retired), a form to add or change one (code, name, location), and retire /
//! restore. Input only; [`crate::setup`] decides what is stored.

use leptos::prelude::*;
use roundbook_shared::schema::directory::Checkpoint;

use super::editor::{records, Editor, EditorForm, EditorRow, EditorSection};
use super::{Change, ZoneSetup};
use crate::i18n::{I18n, Key};
use crate::setup::CheckpointForm;

#[component]
pub(super) fn CheckpointEditor(setup: ZoneSetup) -> impl IntoView {
    let editor = Editor::new("checkpoint", setup);
    let list = records(setup, |d| &d.checkpoints, |checkpoint| checkpoint.retired);

    let row = move |checkpoint: Checkpoint| {
        let (id, code, form) = (
            checkpoint.id.clone(),
            checkpoint.code.clone(),
            CheckpointForm::of(&checkpoint),
        );
        let retired = checkpoint.retired;
        let set_retired = move |retired: bool| {
            editor.change(Change::CheckpointRetired(id.clone(), retired));
        };
        view! {
            <EditorRow
                editor
                retired
                form
                set_retired
                attr:data-code=code
            >
                <span class="setup-code">{checkpoint.code.clone()}</span>
                <span class="setup-main">
                    <strong>{checkpoint.name.clone()}</strong>
                    <span class="muted">{checkpoint.location.clone()}</span>
                </span>
            </EditorRow>
        }
    };

    view! {
        <EditorSection
            editor
            title=Key::SetupCheckpoints
            new_label=Key::NewCheckpoint
            empty=Key::NoCheckpointsDefined
            new_form=CheckpointForm::default
            form=move |form| view! { <Form form editor /> }
            list
            row
        />
    }
}

/// The add / change form.
#[component]
fn Form(form: CheckpointForm, editor: Editor<CheckpointForm>) -> impl IntoView {
    let i18n = I18n::get();
    let id = form.id.clone();
    let code = RwSignal::new(form.code);
    let name = RwSignal::new(form.name);
    let location = RwSignal::new(form.location);
    let save = move || {
        let form = CheckpointForm {
            id: id.clone(),
            code: code.get_untracked(),
            name: name.get_untracked(),
            location: location.get_untracked(),
        };
        editor.save(Change::Checkpoint(form));
    };
    view! {
        <EditorForm editor on_save=save>
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
        </EditorForm>
    }
}

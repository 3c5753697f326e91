//! The checkpoint editor: the zone's checkpoints (active first, then
//! retired), a form to add or change one (code, name, location), and retire /
//! restore. Input only; [`crate::setup`] decides what is stored.

use leptos::prelude::*;
use roundbook_shared::schema::directory::Checkpoint;

use super::editor::{records, Editor, EditorForm, EditorRow, EditorSection};
use super::{Change, ZoneSetup};
use crate::i18n::Key;
use crate::setup::CheckpointForm;
use crate::ui::field::{CodeField, TextField};

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
                <CodeField testid="checkpoint-code" value=code />
                <TextField label=Key::CheckpointName testid="checkpoint-name" value=name />
                <TextField label=Key::CheckpointLocation testid="checkpoint-location" value=location wide=true />
            </div>
        </EditorForm>
    }
}

//! Labelled form fields: [`Field`] puts a translated label above any input,
//! [`TextField`] is a plain one-line input in it, and [`CodeField`] is
//! a checkpoint code typed by hand (the setup form's, and a guard's when a
//! tag cannot be scanned).
//!
//! Display and input only: what a value means and whether it is valid is the
//! screen's and its feature's. Selects are [`super::select`]'s.

use leptos::html::Input;
use leptos::prelude::*;

use crate::i18n::{I18n, Key};

/// A form field: the translated `label`, then `children` (its input).
#[component]
pub fn Field(
    label: Key,
    /// Spans the whole row of a form grid.
    #[prop(optional)]
    wide: bool,
    /// Laid out inline in a row rather than as a field of a form.
    #[prop(optional)]
    inline: bool,
    children: Children,
) -> impl IntoView {
    let i18n = I18n::get();
    view! {
        <label class="field" class:field-wide=wide class:inline=inline>
            <span>{move || i18n.t(label)}</span>
            {children()}
        </label>
    }
}

/// A labelled one-line input bound to `value`.
#[component]
pub fn TextField(
    label: Key,
    testid: &'static str,
    value: RwSignal<String>,
    /// The input's `type`: `text` unless told (`time`, `tel`, ...).
    #[prop(default = "text")]
    input_type: &'static str,
    #[prop(optional)] wide: bool,
    /// The most characters the input takes (the server's own bound).
    #[prop(optional)]
    maxlength: Option<u32>,
) -> impl IntoView {
    view! {
        <Field label wide>
            <input type=input_type maxlength=maxlength data-testid=testid bind:value=value />
        </Field>
    }
}

/// A checkpoint code typed by hand: capitals, no autocorrect, the code hint.
/// One input for the setup form and the guard's scan form, so a code reads
/// the same where it is defined and where it is typed.
#[component]
pub fn CodeField(
    testid: &'static str,
    value: RwSignal<String>,
    /// For a form that puts the cursor back into the code.
    #[prop(optional)]
    node_ref: NodeRef<Input>,
    /// The on-screen keyboard's enter key (`done` where it submits).
    #[prop(optional)]
    enterkeyhint: Option<&'static str>,
) -> impl IntoView {
    let i18n = I18n::get();
    view! {
        <Field label=Key::CheckpointCode>
            <input
                type="text"
                class="input-code"
                data-testid=testid
                node_ref=node_ref
                autocomplete="off"
                autocapitalize="characters"
                spellcheck="false"
                enterkeyhint=enterkeyhint
                placeholder=move || i18n.t(Key::CheckpointCodeHint)
                bind:value=value
            />
        </Field>
    }
}

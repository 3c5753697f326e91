//! A labelled `<select>` bound to a string signal, and [`ZoneSelect`], the
//! choice of one of the user's zones built on it.
//!
//! Display and input only: what the choice means (which records a zone
//! shows, whether the user may see it) is the screen's. Selects whose value
//! is parsed into a domain type keep their own `<select>`.

use leptos::prelude::*;

use super::WorkspaceRef;
use crate::i18n::{I18n, Key};

/// A field with a translated label and a select of `children` (its
/// `<option>`s), showing and setting `value`.
#[component]
pub fn LabelledSelect(
    label: Key,
    testid: &'static str,
    value: RwSignal<String>,
    /// Laid out inline in a heading row rather than as a field of a form.
    #[prop(optional)]
    inline: bool,
    /// Called with the new value before `value` is set to it.
    #[prop(optional_no_strip)]
    on_pick: Option<Callback<String>>,
    children: Children,
) -> impl IntoView {
    let i18n = I18n::get();
    view! {
        <label class="field" class:inline=inline>
            <span>{move || i18n.t(label)}</span>
            <select
                data-testid=testid
                prop:value=move || value.get()
                on:change=move |event| {
                    let picked = event_target_value(&event);
                    if let Some(on_pick) = on_pick {
                        on_pick.run(picked.clone());
                    }
                    value.set(picked);
                }
            >
                {children()}
            </select>
        </label>
    }
}

/// The select of the signed-in user's zones, by code, showing their names.
#[component]
pub fn ZoneSelect(
    workspace: WorkspaceRef,
    zone: RwSignal<String>,
    testid: &'static str,
    label: Key,
    #[prop(optional)] inline: bool,
    /// Called with the new zone before `zone` is set to it.
    #[prop(optional, into)]
    on_pick: Option<Callback<String>>,
) -> impl IntoView {
    let options = workspace
        .with_value(|ws| ws.session.zones().to_vec())
        .into_iter()
        .map(|z| view! { <option value=z.code>{z.name}</option> })
        .collect_view();
    view! {
        <LabelledSelect label testid value=zone inline on_pick>
            {options}
        </LabelledSelect>
    }
}

/// Whether the user works in more than one zone, and so needs the choice.
pub fn several_zones(workspace: WorkspaceRef) -> bool {
    workspace.with_value(|ws| ws.session.zones().len() > 1)
}

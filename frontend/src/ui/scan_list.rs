//! A list of patrol scans, newest first: time, checkpoint code and name, guard.
//!
//! Display only: it gets the rows ready-made from [`crate::patrol::scans`].

use leptos::prelude::*;

use crate::i18n::{I18n, Key};
use crate::patrol::ScanRow;

#[component]
pub fn ScanList(
    #[prop(into)] rows: Signal<Vec<ScanRow>>,
    /// Show at most this many rows.
    #[prop(optional)]
    limit: Option<usize>,
) -> impl IntoView {
    let i18n = I18n::get();
    let shown = move || {
        let mut rows = rows.get();
        if let Some(limit) = limit {
            rows.truncate(limit);
        }
        rows
    };
    view! {
        <Show
            when=move || rows.with(|rows| !rows.is_empty())
            fallback=move || view! { <p class="muted" data-testid="scan-list-empty">{move || i18n.t(Key::NoScansYet)}</p> }
        >
            <ol class="scans" data-testid="scan-list">
                <li class="scan scan-head" aria-hidden="true">
                    <span>{move || i18n.t(Key::Time)}</span>
                    <span>{move || i18n.t(Key::Checkpoint)}</span>
                    <span>{move || i18n.t(Key::Guard)}</span>
                </li>
                <For each=shown key=|row| row.id.clone() let:row>
                    <li class="scan" data-testid="scan-item" data-scan-id=row.id.clone()>
                        <span class="scan-time" data-testid="scan-item-time">{row.time.clone()}</span>
                        <span class="scan-checkpoint">
                            <strong data-testid="scan-item-code">{row.checkpoint_code.clone()}</strong>
                            " "
                            <span data-testid="scan-item-name">{row.checkpoint_name.clone()}</span>
                        </span>
                        <span class="scan-guard" data-testid="scan-item-guard">{row.guard.clone()}</span>
                    </li>
                </For>
            </ol>
        </Show>
    }
}

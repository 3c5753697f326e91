//! One card per zone with today's patrol scans: the count and the list (or
//! the latest few). Used by every home; read-only: it must not offer edits.

use leptos::prelude::*;
use roundbook_shared::domain::ZoneRef;

use super::scan_list::ScanList;
use super::{every_zone, WorkspaceRef};
use crate::calendar::today;
use crate::i18n::{I18n, Key};
use crate::patrol::{self, ScanRow};

/// Today's scans of every zone of the session, recomputed when documents change.
pub fn todays_scans(workspace: WorkspaceRef) -> Memo<Vec<(ZoneRef, Vec<ScanRow>)>> {
    every_zone(workspace, |library, site, zone| {
        (
            zone.clone(),
            patrol::scans(library, site, &zone.code, today()),
        )
    })
}

#[component]
pub fn ZoneCards(
    workspace: WorkspaceRef,
    /// Show only the latest this many scans per zone.
    #[prop(optional)]
    limit: Option<usize>,
) -> impl IntoView {
    let i18n = I18n::get();
    let zones = todays_scans(workspace);
    let codes = move || {
        zones.with(|zones| {
            zones
                .iter()
                .map(|(z, _)| z.code.clone())
                .collect::<Vec<_>>()
        })
    };
    view! {
        <div class="zone-grid">
            <For each=codes key=|code| code.clone() let:code>
                {
                    let lookup = code.clone();
                    let entry = Memo::new(move |_| {
                        zones.with(|zones| zones.iter().find(|(z, _)| z.code == lookup).cloned())
                    });
                    let name = move || entry.with(|e| e.as_ref().map(|(z, _)| z.name.clone()).unwrap_or_default());
                    let count = move || entry.with(|e| e.as_ref().map_or(0, |(_, rows)| rows.len()));
                    let rows = Signal::derive(move || entry.with(|e| e.as_ref().map(|(_, rows)| rows.clone()).unwrap_or_default()));
                    view! {
                        <section class="card zone-card" data-testid="zone-card" data-zone=code.clone()>
                            <header class="zone-card-head">
                                <h2>{name}</h2>
                                <div class="zone-count">
                                    <span class="zone-count-number" data-testid="zone-count">{count}</span>
                                    <span class="zone-count-label">{move || i18n.t(Key::ScansToday)}</span>
                                </div>
                            </header>
                            <Show when=move || { limit.is_some() && count() > 0 }>
                                <h3 class="subtle">{move || i18n.t(Key::LatestScans)}</h3>
                            </Show>
                            <ScanList rows limit=limit.unwrap_or(usize::MAX) />
                        </section>
                    }
                }
            </For>
        </div>
    }
}

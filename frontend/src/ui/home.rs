//! The home screen for the signed-in user's roles (see
//! [`Session::home`](crate::session::Session::home)): guards get their patrol
//! with the scan button, the office head and supervisors the site overview,
//! zone and cleaning staff their zones' records. Only working features are
//! shown: no placeholder buttons. It chooses screens; it must not compute records.

use leptos::prelude::*;

use super::scan_screen::ScanScreen;
use super::zone_cards::ZoneCards;
use super::WorkspaceRef;
use crate::i18n::{I18n, Key};
use crate::session::Home as HomeKind;

/// How many latest scans the overview shows per zone.
const OVERVIEW_LATEST: usize = 5;

#[component]
pub fn Home(workspace: WorkspaceRef) -> impl IntoView {
    let i18n = I18n::get();
    let (kind, has_zones) =
        workspace.with_value(|ws| (ws.session.home(), !ws.session.zones().is_empty()));
    if !has_zones {
        return view! { <p class="banner banner-warn" data-testid="no-zones">{move || i18n.t(Key::NoZones)}</p> }
            .into_any();
    }
    match kind {
        HomeKind::Patrol => view! { <PatrolHome workspace /> }.into_any(),
        HomeKind::Overview => view! {
            <h1 class="page-title">{move || i18n.t(Key::ZoneOverview)}</h1>
            <ZoneCards workspace limit=OVERVIEW_LATEST />
        }
        .into_any(),
        HomeKind::ZoneRecords => view! {
            <h1 class="page-title">{move || i18n.t(Key::TodayPatrol)}</h1>
            <p class="muted">{move || i18n.t(Key::ReadOnlyNote)}</p>
            <ZoneCards workspace />
        }
        .into_any(),
    }
}

/// A guard's home: today's scans in their zones, and the way to scan.
#[component]
fn PatrolHome(workspace: WorkspaceRef) -> impl IntoView {
    let i18n = I18n::get();
    let scanning = RwSignal::new(false);
    view! {
        <Show
            when=move || scanning.get()
            fallback=move || view! {
                <div class="page-head">
                    <h1 class="page-title">{move || i18n.t(Key::TodayPatrol)}</h1>
                    <button
                        class="button button-primary button-large"
                        data-testid="start-scan"
                        on:click=move |_| scanning.set(true)
                    >
                        {move || i18n.t(Key::StartScan)}
                    </button>
                </div>
                <ZoneCards workspace />
            }
        >
            <ScanScreen workspace on_back=move || scanning.set(false) />
        </Show>
    }
}

//! The home screen for the signed-in user's roles (see
//! [`Session::home`](crate::session::Session::home)): guards get their patrol
//! with the scan button, the office head and supervisors the site overview,
//! zone and cleaning staff their zones' records. Only working features are
//! shown: no placeholder buttons. It chooses screens; it must not compute records.

use leptos::prelude::*;

use super::board::RoundsBoard;
use super::guard::GuardHome;
use super::setup::SetupTab;
use super::tags::TagSheet;
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
        HomeKind::Patrol => view! { <GuardHome workspace /> }.into_any(),
        HomeKind::Supervision => view! { <SupervisorHome workspace /> }.into_any(),
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

/// The tabs of the security supervisor's and the office head's home.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SupervisorTab {
    Board,
    Setup,
    Tags,
    Overview,
}

/// The security supervisor's (and office head's) home: today's rounds board,
/// patrol setup (security supervisor only), the tag sheet and the overview.
#[component]
fn SupervisorHome(workspace: WorkspaceRef) -> impl IntoView {
    let i18n = I18n::get();
    let can_setup = workspace.with_value(|ws| ws.session.can_edit_patrol_setup());
    let tab = RwSignal::new(SupervisorTab::Board);
    let tabs = [
        (SupervisorTab::Board, "tab-board", Key::TabBoard),
        (SupervisorTab::Setup, "tab-setup", Key::TabSetup),
        (SupervisorTab::Tags, "tab-tags", Key::TabTags),
        (SupervisorTab::Overview, "tab-overview", Key::TabOverview),
    ];
    let buttons = tabs
        .into_iter()
        .filter(|(which, _, _)| can_setup || *which != SupervisorTab::Setup)
        .map(|(which, testid, key)| {
            view! {
                <button
                    class="tab"
                    role="tab"
                    data-testid=testid
                    aria-selected=move || (tab.get() == which).to_string()
                    on:click=move |_| tab.set(which)
                >
                    {move || i18n.t(key)}
                </button>
            }
        })
        .collect_view();
    view! {
        <nav class="tabs no-print" role="tablist">{buttons}</nav>
        {move || match tab.get() {
            SupervisorTab::Board => view! { <RoundsBoard workspace /> }.into_any(),
            SupervisorTab::Setup => view! { <SetupTab workspace /> }.into_any(),
            SupervisorTab::Tags => view! { <TagSheet workspace /> }.into_any(),
            SupervisorTab::Overview => view! {
                <h1 class="page-title">{move || i18n.t(Key::ZoneOverview)}</h1>
                <ZoneCards workspace limit=OVERVIEW_LATEST />
            }
            .into_any(),
        }}
    }
}

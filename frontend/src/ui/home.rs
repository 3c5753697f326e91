//! The home screen: a tab bar with the screens of the signed-in user's roles
//! ([`Session::tabs`](crate::session::Session::tabs)) and the chosen screen
//! below it. Only working features are shown: no placeholder buttons. It
//! chooses screens; it must not compute records.

use leptos::prelude::*;

use super::admin::AdminTab;
use super::board::RoundsBoard;
use super::cleaning::{HistoryTab, InspectTab, RectificationsTab, SheetTab, TemplateTab};
use super::export::ExportTab;
use super::guard::GuardHome;
use super::requests::{is_office_head, CollectiveAlert, RequestsTab, ReviewTab};
use super::residents::{ResidentsTab, VisitsTab};
use super::select::ChoiceButton;
use super::setup::SetupTab;
use super::tags::TagSheet;
use super::zone_cards::ZoneCards;
use super::WorkspaceRef;
use crate::i18n::{I18n, Key};
use crate::session::Tab;

/// How many latest scans the overview shows per zone.
const OVERVIEW_LATEST: usize = 5;

#[component]
pub fn Home(workspace: WorkspaceRef) -> impl IntoView {
    let i18n = I18n::get();
    let (mut tabs, has_zones) =
        workspace.with_value(|ws| (ws.session.tabs(), !ws.session.zones().is_empty()));
    // Without zones there is nothing to record; the administration still
    // works (it is where a new site's first zones are made).
    let no_zones = (!has_zones).then(|| {
        view! { <p class="banner banner-warn" data-testid="no-zones">{move || i18n.t(Key::NoZones)}</p> }
    });
    if !has_zones {
        tabs.retain(|tab| *tab == Tab::Admin);
    }
    let Some(first) = tabs.first().copied() else {
        return no_zones.into_any();
    };
    let current = RwSignal::new(first);
    let bar = (tabs.len() > 1).then(|| {
        let buttons = tabs
            .into_iter()
            .map(|tab| {
                let (testid, key) = label(tab);
                view! { <ChoiceButton testid label=key current value=tab role="tab" /> }
            })
            .collect_view();
        view! { <nav class="tabs no-print" role="tablist">{buttons}</nav> }
    });
    // The office head hears of a collective complaint whatever screen is open.
    let alert = is_office_head(workspace).then(|| view! { <CollectiveAlert workspace /> });
    view! {
        {no_zones}
        {alert}
        {bar}
        {move || screen(current.get(), workspace)}
    }
    .into_any()
}

/// A tab's test id and its label.
fn label(tab: Tab) -> (String, Key) {
    let name: &'static str = tab.into();
    let key = Key::of_tab(name).expect("every tab has a label: see the session tests");
    (format!("tab-{}", name.replace('_', "-")), key)
}

/// The screen of a tab.
fn screen(tab: Tab, workspace: WorkspaceRef) -> AnyView {
    let i18n = I18n::get();
    match tab {
        Tab::Patrol => view! { <GuardHome workspace /> }.into_any(),
        Tab::Board => view! { <RoundsBoard workspace /> }.into_any(),
        Tab::Setup => view! { <SetupTab workspace /> }.into_any(),
        Tab::Tags => view! { <TagSheet workspace /> }.into_any(),
        Tab::Overview => view! {
            <h1 class="page-title">{move || i18n.t(Key::ZoneOverview)}</h1>
            <ZoneCards workspace limit=OVERVIEW_LATEST />
        }
        .into_any(),
        Tab::Requests => view! { <RequestsTab workspace /> }.into_any(),
        Tab::Review => view! { <ReviewTab workspace /> }.into_any(),
        Tab::Visits => view! { <VisitsTab workspace /> }.into_any(),
        Tab::Residents => view! { <ResidentsTab workspace /> }.into_any(),
        Tab::Inspect => view! { <InspectTab workspace /> }.into_any(),
        Tab::Rectifications => view! { <RectificationsTab workspace /> }.into_any(),
        Tab::Sheet => view! { <SheetTab workspace /> }.into_any(),
        Tab::History => view! { <HistoryTab workspace /> }.into_any(),
        Tab::Template => view! { <TemplateTab workspace /> }.into_any(),
        Tab::Export => view! { <ExportTab workspace /> }.into_any(),
        Tab::Admin => view! { <AdminTab workspace /> }.into_any(),
    }
}

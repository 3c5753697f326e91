//! The home screen: a tab bar with the screens of the signed-in user's roles
//! ([`Session::tabs`](crate::session::Session::tabs)) and the chosen screen
//! below it. Only working features are shown: no placeholder buttons. It
//! chooses screens; it must not compute records.

use leptos::prelude::*;

use super::admin::AdminTab;
use super::board::RoundsBoard;
use super::cleaning::{HistoryTab, InspectTab, RectificationsTab, SheetTab, TemplateTab};
use super::duty::DutyTab;
use super::export::ExportTab;
use super::gate::GateTab;
use super::guard::GuardHome;
use super::keys::{KeysTab, OverdueKeys};
use super::orders::OrdersTab;
use super::reports::{readable, DueReports, ReportToOpen, ReportsTab};
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
    let grouped = tabs.len() >= GROUPED_FROM;
    let areas = grouped.then(|| view! { <AreaBar tabs=tabs.clone() current /> });
    let bar = (tabs.len() > 1).then(|| {
        let buttons = tabs
            .into_iter()
            .map(|tab| {
                let (testid, key) = label(tab);
                // Every tab stays in the page (a draft kept across an update
                // reopens its tab by clicking it); only the area's are shown.
                view! {
                    <span class="tab-slot" hidden=move || grouped && area(current.get()) != area(tab)>
                        <ChoiceButton testid label=key current value=tab role="tab" />
                    </span>
                }
            })
            .collect_view();
        view! { <nav class="tabs no-print" class:tabs-sub=grouped role="tablist">{buttons}</nav> }
    });
    // The office head hears of a collective complaint whatever screen is open.
    let head = is_office_head(workspace);
    let alert = head.then(|| view! { <CollectiveAlert workspace /> });
    let owed = head.then(|| owed_reports(workspace, current, first));
    let keys = head.then(|| overdue_keys(workspace, current, first));
    view! {
        {no_zones}
        {alert}
        {areas}
        {bar}
        {owed}
        {keys}
        {move || screen(current.get(), workspace)}
    }
    .into_any()
}

/// The month-end reports the head owes, on their first screen: picking one
/// opens it on the reports screen.
fn owed_reports(workspace: WorkspaceRef, current: RwSignal<Tab>, home: Tab) -> impl IntoView {
    let to_open = RwSignal::new(None);
    provide_context(ReportToOpen(to_open));
    let open = Callback::new(move |picked| {
        to_open.set(Some(picked));
        current.set(Tab::Reports);
    });
    let kinds = readable(workspace);
    move || {
        (current.get() == home).then(|| view! { <DueReports workspace kinds=kinds.clone() open /> })
    }
}

/// The keys overdue, on the head's first screen: the button opens the key book.
fn overdue_keys(workspace: WorkspaceRef, current: RwSignal<Tab>, home: Tab) -> impl IntoView {
    let open = Callback::new(move |()| current.set(Tab::Keys));
    move || (current.get() == home).then(|| view! { <OverdueKeys workspace open /> })
}

/// From this many screens on (the office head's), the bar shows areas first
/// and the chosen area's screens under them, so it stays one row.
const GROUPED_FROM: usize = 8;

/// A group of screens that belong to one line of work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
enum Area {
    Patrol,
    Service,
    Cleaning,
    Office,
}

fn area(tab: Tab) -> Area {
    match tab {
        Tab::Patrol | Tab::Board | Tab::Setup | Tab::Tags | Tab::Overview | Tab::Gate => {
            Area::Patrol
        }
        Tab::Requests
        | Tab::Orders
        | Tab::Review
        | Tab::Visits
        | Tab::Residents
        | Tab::Keys
        | Tab::Duty => Area::Service,
        Tab::Inspect | Tab::Rectifications | Tab::Sheet | Tab::History | Tab::Template => {
            Area::Cleaning
        }
        Tab::Reports | Tab::Export | Tab::Admin => Area::Office,
    }
}

fn area_key(area: Area) -> Key {
    match area {
        Area::Patrol => Key::AreaPatrol,
        Area::Service => Key::AreaService,
        Area::Cleaning => Key::AreaCleaning,
        Area::Office => Key::AreaOffice,
    }
}

/// The areas of the user's screens, in the order of their first screen;
/// picking one opens its first screen. Test ids: `area-<name>`, each with
/// `data-area-tabs` (its screens' names, space-separated).
#[component]
fn AreaBar(tabs: Vec<Tab>, current: RwSignal<Tab>) -> impl IntoView {
    let i18n = I18n::get();
    let mut areas: Vec<Area> = Vec::new();
    for tab in &tabs {
        if !areas.contains(&area(*tab)) {
            areas.push(area(*tab));
        }
    }
    let buttons = areas
        .into_iter()
        .map(|which| {
            let members: Vec<Tab> = tabs
                .iter()
                .copied()
                .filter(|tab| area(*tab) == which)
                .collect();
            let first = members[0];
            let names = members
                .iter()
                .map(|tab| <&'static str>::from(*tab))
                .collect::<Vec<_>>()
                .join(" ");
            let name: &'static str = which.into();
            view! {
                <button
                    class="tab"
                    data-testid=format!("area-{name}")
                    data-area-tabs=names
                    aria-pressed=move || (area(current.get()) == which).to_string()
                    on:click=move |_| current.set(first)
                >
                    {move || i18n.t(area_key(which))}
                </button>
            }
        })
        .collect_view();
    view! { <nav class="tabs tabs-areas no-print">{buttons}</nav> }
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
        Tab::Orders => view! { <OrdersTab workspace /> }.into_any(),
        Tab::Review => view! { <ReviewTab workspace /> }.into_any(),
        Tab::Visits => view! { <VisitsTab workspace /> }.into_any(),
        Tab::Residents => view! { <ResidentsTab workspace /> }.into_any(),
        Tab::Keys => view! { <KeysTab workspace /> }.into_any(),
        Tab::Duty => view! { <DutyTab workspace /> }.into_any(),
        Tab::Gate => view! { <GateTab workspace /> }.into_any(),
        Tab::Inspect => view! { <InspectTab workspace /> }.into_any(),
        Tab::Rectifications => view! { <RectificationsTab workspace /> }.into_any(),
        Tab::Sheet => view! { <SheetTab workspace /> }.into_any(),
        Tab::History => view! { <HistoryTab workspace /> }.into_any(),
        Tab::Template => view! { <TemplateTab workspace /> }.into_any(),
        Tab::Reports => view! { <ReportsTab workspace /> }.into_any(),
        Tab::Export => view! { <ExportTab workspace /> }.into_any(),
        Tab::Admin => view! { <AdminTab workspace /> }.into_any(),
    }
}

#[cfg(test)]
mod tests {
    use roundbook_shared::domain::Role;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;
    use crate::ui::testing::{find, has, mount, pause};

    fn shown(host: &web_sys::Element, tab: &str) -> bool {
        let slot = find(host, &format!("[data-testid=tab-{tab}]"))
            .closest(".tab-slot")
            .unwrap()
            .unwrap();
        !slot.has_attribute("hidden")
    }

    /// The office head's thirteen screens fit one row: areas first, then the
    /// chosen area's screens; every screen stays in the page for the drafts.
    #[wasm_bindgen_test]
    async fn the_heads_screens_are_grouped_by_area() {
        let (host, handle) = mount(vec![Role::OfficeHead], |workspace| {
            view! { <Home workspace /> }.into_any()
        })
        .await;
        pause(0).await;
        for area in ["patrol", "service", "cleaning", "office"] {
            assert!(has(&host, &format!("[data-testid=area-{area}]")), "{area}");
        }
        assert!(shown(&host, "board"));
        assert!(!shown(&host, "requests"));
        assert!(!shown(&host, "admin"));
        find(&host, "[data-testid=area-service]").click();
        pause(0).await;
        assert!(shown(&host, "requests") && shown(&host, "visits"));
        assert!(!shown(&host, "board"));
        assert_eq!(
            find(&host, "[data-testid=tab-requests]")
                .get_attribute("aria-selected")
                .as_deref(),
            Some("true")
        );
        drop(handle);
        host.remove();
    }

    /// A zone's service staff have four screens: one row, no areas.
    #[wasm_bindgen_test]
    async fn a_few_screens_need_no_areas() {
        let (host, handle) = mount(vec![Role::ZoneService], |workspace| {
            view! { <Home workspace /> }.into_any()
        })
        .await;
        pause(0).await;
        assert!(!has(&host, "[data-area-tabs]"));
        assert!(shown(&host, "requests") && shown(&host, "residents"));
        drop(handle);
        host.remove();
    }
}

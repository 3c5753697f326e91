//! The collective-complaint alert (集体投诉) on the office head's tablet: as
//! soon as a collective complaint not yet reported to the head is on the
//! tablet (recorded here or arrived by sync), a banner shows it and, where the
//! head allowed it, a system notification. Acknowledging writes a report to
//! the head, which meets the 15-minute deadline on every tablet.
//!
//! Test ids: `collective-alert` (with `data-request-id`), `collective-ack`,
//! `collective-notify`.

use std::collections::HashSet;

use leptos::prelude::*;
use roundbook_shared::schema::request::{Action, ReportTarget};

use super::actor;
use crate::browser;
use crate::calendar::short_time;
use crate::i18n::{filled, I18n, Key};
use crate::requests::{self, EventDraft};
use crate::sync::SyncStatus;
use crate::ui::{writer_and_site, WorkspaceRef};

#[component]
pub fn CollectiveAlert(workspace: WorkspaceRef) -> impl IntoView {
    let i18n = I18n::get();
    let status = expect_context::<SyncStatus>();
    let unreported = Memo::new(move |_| {
        status.revision.track();
        let now = browser::now_ms();
        workspace.with_value(|ws| {
            let zones: Vec<String> = ws.session.zones().iter().map(|z| z.code.clone()).collect();
            requests::unreported_collective(&ws.library, ws.session.site_code(), &zones, now)
        })
    });
    // A system notification once per complaint and page load.
    let notified = StoredValue::new(HashSet::<String>::new());
    Effect::new(move |_| {
        for view in unreported.get() {
            let id = view.request.id.clone();
            if notified.with_value(|seen| seen.contains(&id)) {
                continue;
            }
            notified.update_value(|seen| {
                seen.insert(id.clone());
            });
            let title = i18n.t(Key::ReqAlertTitle);
            let body = format!("{} {}", view.request.unit_label, view.request.description);
            browser::notify(title, &body, &id);
        }
    });
    let asked = RwSignal::new(browser::notifications_allowed());
    view! {
        <For each=move || unreported.get() key=|view| view.request.id.clone() let:view>
            {
                let request = view.request.clone();
                let (zone, id) = (request.zone.clone(), request.id.clone());
                let households = request.households.to_string();
                // `Action` here is the workflow's; this is Leptos's.
                let acknowledge = leptos::prelude::Action::new_local(move |_: &()| {
                    let ((writer, site), who) = (writer_and_site(workspace), actor(workspace));
                    let (zone, id) = (zone.clone(), id.clone());
                    let mut draft = EventDraft::new(Action::Report);
                    draft.target = Some(ReportTarget::Head);
                    async move {
                        let now = browser::now_ms();
                        let result = requests::record_event(&writer, &site, &zone, &id, &who, &draft, now).await;
                        if let Err(error) = result {
                            web_sys::console::error_1(&format!("acknowledge: {error:?}").into());
                        }
                    }
                });
                view! {
                    <div class="banner banner-error collective-alert" role="alert" data-testid="collective-alert" data-request-id=request.id.clone()>
                        <strong>{move || i18n.t(Key::ReqAlertTitle)}</strong> " "
                        {request.zone.clone()} " · " {request.unit_label.clone()} " · "
                        {move || filled(Key::ReqHouseholdsCount, i18n.lang(), &[("n", &households)])} " · "
                        {short_time(request.received_at)} " · " {request.received_by_name.clone()}
                        <p>{request.description.clone()}</p>
                        <button class="button" data-testid="collective-ack" on:click=move |_| { acknowledge.dispatch_local(()); }>
                            {move || i18n.t(Key::ReqAlertAck)}
                        </button>
                        <Show when=move || !asked.get()>
                            <button
                                class="button button-quiet"
                                data-testid="collective-notify"
                                on:click=move |_| {
                                    browser::ask_notifications();
                                    asked.set(true);
                                }
                            >
                                {move || i18n.t(Key::ReqAlertNotify)}
                            </button>
                        </Show>
                    </div>
                }
            }
        </For>
    }
}

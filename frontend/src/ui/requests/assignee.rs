//! The assignee picker of the assign and transfer forms: the staff who may
//! take a request of the zone ([`crate::staff::candidates`]), by name and
//! role, from the directory kept on the tablet and refreshed when online.
//!
//! Test id: `request-action-assignee`, a `<select>` whose option values are
//! usernames. While the tablet has never fetched the directory (first use,
//! offline) it is a text input for the username instead, so a request can
//! still be assigned.

use leptos::prelude::*;
use leptos::task::spawn_local;
use roundbook_shared::api::StaffMember;

use crate::browser;
use crate::i18n::{role_key, I18n, Key};
use crate::staff;
use crate::ui::field::Field;
use crate::ui::{noticed, WorkspaceRef};

#[component]
pub(super) fn AssigneePicker(
    workspace: WorkspaceRef,
    zone: String,
    /// The chosen username.
    assignee: RwSignal<String>,
    /// The chosen person's name, recorded beside the username.
    assignee_name: RwSignal<String>,
) -> impl IntoView {
    let i18n = I18n::get();
    let (token, site) = workspace.with_value(|ws| {
        (
            ws.session.token().to_owned(),
            ws.session.site_code().to_owned(),
        )
    });
    let directory = RwSignal::new(staff::cached(&site));
    if browser::is_online() {
        spawn_local(async move {
            match staff::refresh(&token, &site).await {
                Ok(fresh) => {
                    directory.try_set(fresh);
                }
                Err(error) => noticed(&error),
            }
        });
    }
    let offered = Memo::new(move |_| directory.with(|list| staff::candidates(list, &zone)));
    let pick = move |username: String| {
        let name = offered.with_untracked(|list| {
            list.iter()
                .find(|member| member.username == username)
                .map(|member| member.name.clone())
        });
        assignee_name.set(name.unwrap_or_default());
        assignee.set(username);
    };
    let label = move |member: &StaffMember| {
        let roles = member
            .roles
            .iter()
            .filter(|role| staff::handles_requests(**role))
            .map(|role| i18n.t(role_key(*role)))
            .collect::<Vec<_>>()
            .join("、");
        format!("{} · {roles}", member.name)
    };
    view! {
        <Field label=Key::ReqAssignTo>
            {move || if directory.with(Vec::is_empty) {
                view! { <input data-testid="request-action-assignee" maxlength="64" bind:value=assignee /> }.into_any()
            } else {
                let options = offered
                    .get()
                    .into_iter()
                    .map(|member| view! { <option value=member.username.clone()>{label(&member)}</option> })
                    .collect_view();
                view! {
                    <select data-testid="request-action-assignee" prop:value=move || assignee.get()
                        on:change=move |event| pick(event_target_value(&event))>
                        <option value="">{move || i18n.t(Key::ReqAssigneeChoose)}</option>
                        {options}
                    </select>
                }.into_any()
            }}
        </Field>
    }
}

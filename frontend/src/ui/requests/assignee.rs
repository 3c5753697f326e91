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

#[cfg(test)]
mod tests {
    use roundbook_shared::domain::Role;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;
    use crate::ui::testing::{find, mount, pause};

    fn member(username: &str, name: &str, roles: &[Role], zones: &[&str]) -> StaffMember {
        StaffMember {
            username: username.into(),
            name: name.into(),
            roles: roles.to_vec(),
            zones: zones.iter().map(|z| (*z).to_owned()).collect(),
        }
    }

    /// With the directory on the tablet (the test server has no `/api/staff`,
    /// as when offline), the picker offers zone A's handlers by name and role
    /// and records the picked person's username and name.
    #[wasm_bindgen_test]
    async fn the_picker_offers_the_zones_handlers_and_records_the_name() {
        let directory = vec![
            member("service-a2", "周敏", &[Role::ZoneService], &["A"]),
            member("service-b", "郑洁", &[Role::ZoneService], &["B"]),
            member("guard-a", "王强", &[Role::Guard], &["A"]),
        ];
        browser::set_pref(
            "roundbook.staff.demo",
            &serde_json::to_string(&directory).unwrap(),
        );
        let (host, handle) = mount(vec![Role::ZoneService], |workspace| {
            let assignee = RwSignal::new(String::new());
            let assignee_name = RwSignal::new(String::new());
            view! {
                <AssigneePicker workspace zone="A".to_owned() assignee assignee_name />
                <p data-testid="picked">{move || format!("{}|{}", assignee.get(), assignee_name.get())}</p>
            }
            .into_any()
        })
        .await;
        pause(0).await;
        let select: web_sys::HtmlSelectElement =
            find(&host, "select[data-testid=request-action-assignee]").unchecked_into();
        let values: Vec<String> = (0..select.length())
            .filter_map(|i| select.item(i))
            .map(|option| {
                option
                    .unchecked_into::<web_sys::HtmlOptionElement>()
                    .value()
            })
            .collect();
        assert_eq!(values, ["", "service-a2"]);
        let option = find(&host, "option[value=service-a2]")
            .text_content()
            .unwrap();
        assert!(option.starts_with("周敏 · "), "{option}");
        select.set_value("service-a2");
        select
            .dispatch_event(&web_sys::Event::new("change").unwrap())
            .unwrap();
        pause(0).await;
        assert_eq!(
            find(&host, "[data-testid=picked]").text_content().unwrap(),
            "service-a2|周敏"
        );
        drop(handle);
        host.remove();
        browser::set_pref("roundbook.staff.demo", "[]");
    }
}

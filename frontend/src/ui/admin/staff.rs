//! Staff and their devices: the list (roles, zones, disabled, signed-in
//! devices with last seen and pending uploads), creating and editing a
//! member, disabling one (after a confirm step), resetting a password,
//! issuing a sign-in QR code, and signing out one device.
//!
//! A one-time password or sign-in code is shown once, where it was asked
//! for, and never kept: the server does not answer it again.
//!
//! Test ids: `admin-staff-new`, `admin-staff-refresh`, `admin-staff-error`;
//! the form `admin-staff-form` with `admin-staff-name`, `admin-staff-username`
//! (new members only), `admin-staff-phone`, `admin-role-<role>` and
//! `admin-zone-<code>` checkboxes, `admin-staff-save`, `admin-staff-cancel`,
//! `admin-staff-form-error`; `admin-one-time-password` (the password, once);
//! each member `admin-staff-row` (with `data-username`, `data-disabled`)
//! with `admin-staff-edit`, `admin-staff-reset`, `admin-staff-code`,
//! `admin-staff-disable`, then `admin-staff-disable-confirm` /
//! `admin-staff-disable-cancel`, `admin-staff-row-error`, the QR code
//! `admin-sign-in-qr` (with `data-payload`, the QR's text) and its
//! `admin-sign-in-expiry`; each device `admin-device` (with `data-device-id`)
//! with `admin-device-sign-out`.

use leptos::prelude::*;
use roundbook_shared::api::{
    DeviceEntry, NewStaff, OneTimePassword, SignInCode, StaffEntry, StaffPatch, ZoneEntry,
};
use roundbook_shared::domain::Role;

use super::{call, failure, token, Problem};
use crate::api::{self, ApiError};
use crate::calendar::date_time;
use crate::i18n::{filled, role_key, I18n, Key};
use crate::session::sign_in_payload;
use crate::ui::field::{Field, TextField};
use crate::ui::tags::qr_svg;
use crate::ui::WorkspaceRef;

#[component]
pub(super) fn StaffSection(workspace: WorkspaceRef) -> impl IntoView {
    let i18n = I18n::get();
    let staff = RwSignal::new(Vec::<StaffEntry>::new());
    let zones = RwSignal::new(Vec::<ZoneEntry>::new());
    let creating = RwSignal::new(false);
    let created = RwSignal::new(None::<(String, OneTimePassword)>);
    let load = Action::new_local(move |_: &()| {
        let token = token(workspace);
        async move {
            let (people, places) = call(async {
                Ok((
                    api::admin_staff(&token).await?,
                    api::admin_zones(&token).await?,
                ))
            })
            .await?;
            staff.try_set(people);
            zones.try_set(places);
            Ok::<_, ApiError>(())
        }
    });
    load.dispatch_local(());
    let on_created = Callback::new(move |(username, password): (String, OneTimePassword)| {
        creating.set(false);
        created.set(Some((username, password)));
        load.dispatch_local(());
    });

    view! {
        <section class="card">
            <div class="card-head">
                <h1 class="page-title">{move || i18n.t(Key::AdmStaff)}</h1>
                <div class="button-row">
                    <button class="button" data-testid="admin-staff-refresh" disabled=move || load.pending().get()
                        on:click=move |_| { load.dispatch_local(()); }>
                        {move || i18n.t(Key::AdmRefresh)}
                    </button>
                    <button class="button button-primary" data-testid="admin-staff-new"
                        on:click=move |_| { created.set(None); creating.update(|open| *open = !*open); }>
                        {move || i18n.t(Key::AdmStaffNew)}
                    </button>
                </div>
            </div>
            <Problem error=failure(load) testid="admin-staff-error" />
            {move || created.get().map(|(username, password)| view! {
                <OneTimeNotice username password />
            })}
            <Show when=move || creating.get()>
                <StaffForm workspace zones existing=None on_created on_close=Callback::new(move |_| creating.set(false)) />
            </Show>
        </section>
        <For each=move || staff.get() key=|entry| entry.username.clone() let:entry>
            <StaffRow workspace staff zones username=entry.username />
        </For>
    }
}

/// The one-time password of a new member or a reset, shown once.
#[component]
fn OneTimeNotice(username: String, password: OneTimePassword) -> impl IntoView {
    let i18n = I18n::get();
    password.one_time_password.map(|secret| {
        view! {
            <div class="banner banner-ok" role="status">
                <span>{move || filled(Key::AdmOneTimePassword, i18n.lang(), &[("username", &username)])}</span>
                " "
                <strong class="secret" data-testid="admin-one-time-password">{secret}</strong>
                <p class="muted">{move || i18n.t(Key::AdmOneTimePasswordHint)}</p>
            </div>
        }
    })
}

/// One member: facts, devices, and the head's actions on them.
#[component]
fn StaffRow(
    workspace: WorkspaceRef,
    staff: RwSignal<Vec<StaffEntry>>,
    zones: RwSignal<Vec<ZoneEntry>>,
    username: String,
) -> impl IntoView {
    let i18n = I18n::get();
    let name = username.clone();
    let entry = Memo::new(move |_| {
        staff.with(|list| list.iter().find(|entry| entry.username == name).cloned())
    });
    // The row's entry changed on the server: show the answer.
    let replace = move |changed: StaffEntry| {
        staff.update(|list| {
            if let Some(slot) = list.iter_mut().find(|e| e.username == changed.username) {
                *slot = changed;
            }
        });
    };
    let editing = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let password = RwSignal::new(None::<OneTimePassword>);
    let code = RwSignal::new(None::<SignInCode>);

    let who = username.clone();
    let disable = Action::new_local(move |_: &()| {
        let (token, who) = (token(workspace), who.clone());
        async move {
            let changed = call(api::disable_staff(&token, &who)).await?;
            replace(changed);
            confirming.try_set(false);
            Ok::<_, ApiError>(())
        }
    });
    let who = username.clone();
    let reset = Action::new_local(move |_: &()| {
        let (token, who) = (token(workspace), who.clone());
        async move {
            let answer = call(api::reset_password(&token, &who)).await?;
            staff.update(|list| {
                if let Some(slot) = list.iter_mut().find(|e| e.username == who) {
                    // A reset ends the member's sessions and asks for a new password.
                    slot.must_change_password = true;
                    slot.devices.clear();
                }
            });
            password.try_set(Some(answer));
            Ok::<_, ApiError>(())
        }
    });
    let who = username.clone();
    let issue = Action::new_local(move |_: &()| {
        let (token, who) = (token(workspace), who.clone());
        async move {
            code.try_set(Some(call(api::issue_sign_in_code(&token, &who)).await?));
            Ok::<_, ApiError>(())
        }
    });
    let who = username.clone();
    let sign_out = Action::new_local(move |device: &String| {
        let (token, who, device) = (token(workspace), who.clone(), device.clone());
        async move {
            call(api::sign_out_device(&token, &device)).await?;
            staff.update(|list| {
                if let Some(slot) = list.iter_mut().find(|e| e.username == who) {
                    slot.devices.retain(|d| d.id != device);
                }
            });
            Ok::<_, ApiError>(())
        }
    });
    let error = Signal::derive(move || {
        [
            failure(disable),
            failure(reset),
            failure(issue),
            failure(sign_out),
        ]
        .into_iter()
        .find_map(|error| error.get())
    });
    let busy = move || disable.pending().get() || reset.pending().get() || issue.pending().get();

    let shown_username = username.clone();
    move || {
        entry.get().map(|current| {
            let disabled = current.disabled;
            let roles = current
                .roles
                .iter()
                .map(|role| i18n.t(role_key(*role)))
                .collect::<Vec<_>>()
                .join(" · ");
            let zone_names = zone_list(&current.zones, &zones.get());
            let devices = current.devices.clone();
            let editing_entry = current.clone();
            let notice_username = shown_username.clone();
            view! {
                <article class="card staff-row" data-testid="admin-staff-row"
                    data-username=shown_username.clone() data-disabled=disabled.to_string()>
                    <div class="card-head">
                        <h2>{current.name.clone()} " " <span class="muted">{current.username.clone()}</span></h2>
                        <div>
                            {disabled.then(|| view! { <span class="badge badge-error">{move || i18n.t(Key::AdmDisabled)}</span> })}
                            {current.must_change_password.then(|| view! { " " <span class="badge">{move || i18n.t(Key::AdmMustChange)}</span> })}
                        </div>
                    </div>
                    <dl class="facts">
                        <dt>{move || i18n.t(Key::AdmRoles)}</dt><dd>{roles}</dd>
                        <dt>{move || i18n.t(Key::Zone)}</dt><dd>{zone_names}</dd>
                        {current.phone.clone().map(|phone| view! {
                            <dt>{move || i18n.t(Key::AdmPhone)}</dt><dd>{phone}</dd>
                        })}
                    </dl>
                    <Devices devices sign_out />
                    <Show when=move || !disabled>
                        <div class="button-row">
                            <button class="button" data-testid="admin-staff-edit" on:click=move |_| editing.update(|open| *open = !*open)>
                                {move || i18n.t(Key::AdmEdit)}
                            </button>
                            <button class="button" data-testid="admin-staff-reset" disabled=busy on:click=move |_| { reset.dispatch_local(()); }>
                                {move || i18n.t(Key::AdmResetPassword)}
                            </button>
                            <button class="button" data-testid="admin-staff-code" disabled=busy on:click=move |_| { issue.dispatch_local(()); }>
                                {move || i18n.t(Key::AdmSignInCode)}
                            </button>
                            <Show
                                when=move || confirming.get()
                                fallback=move || view! {
                                    <button class="button button-danger" data-testid="admin-staff-disable" on:click=move |_| confirming.set(true)>
                                        {move || i18n.t(Key::AdmDisable)}
                                    </button>
                                }
                            >
                                <span class="message message-error">{move || i18n.t(Key::AdmDisableConfirmText)}</span>
                                <button class="button button-danger" data-testid="admin-staff-disable-confirm" disabled=busy
                                    on:click=move |_| { disable.dispatch_local(()); }>
                                    {move || i18n.t(if disable.pending().get() { Key::AdmWorking } else { Key::AdmDisableConfirm })}
                                </button>
                                <button class="button button-quiet" data-testid="admin-staff-disable-cancel" on:click=move |_| confirming.set(false)>
                                    {move || i18n.t(Key::ReqCancel)}
                                </button>
                            </Show>
                        </div>
                    </Show>
                    <Problem error testid="admin-staff-row-error" />
                    {move || password.get().map(|secret| view! {
                        <OneTimeNotice username=notice_username.clone() password=secret />
                    })}
                    {move || code.get().map(|code| view! { <SignInQr code /> })}
                    <Show when=move || editing.get()>
                        <StaffForm
                            workspace
                            zones
                            existing=Some(editing_entry.clone())
                            on_created=Callback::new(|_| {})
                            on_close=Callback::new(move |changed: Option<StaffEntry>| {
                                if let Some(changed) = changed {
                                    replace(changed);
                                }
                                editing.set(false);
                            })
                        />
                    </Show>
                </article>
            }
        })
    }
}

/// A zone as people read it: its name, with the code in front unless the
/// name already starts with it ("A区 东苑", not "A A区 东苑").
fn zone_label(code: &str, name: &str) -> String {
    if name.starts_with(code) {
        name.to_owned()
    } else {
        format!("{code} {name}")
    }
}

/// Zone codes with their names where known.
fn zone_list(codes: &[String], zones: &[ZoneEntry]) -> String {
    codes
        .iter()
        .map(|code| match zones.iter().find(|zone| &zone.code == code) {
            Some(zone) => zone_label(&zone.code, &zone.name),
            None => code.clone(),
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// A member's signed-in devices, each with its sign-out.
#[component]
fn Devices(
    devices: Vec<DeviceEntry>,
    sign_out: Action<String, Result<(), ApiError>>,
) -> impl IntoView {
    let i18n = I18n::get();
    if devices.is_empty() {
        return view! { <p class="muted">{move || i18n.t(Key::AdmNoDevices)}</p> }.into_any();
    }
    let rows = devices
        .into_iter()
        .map(|device| {
            let id = device.id.clone();
            let pending = device
                .pending
                .map_or_else(|| "–".to_owned(), |n| n.to_string());
            view! {
                <tr data-testid="admin-device" data-device-id=device.id.clone()>
                    <td>{device.device.clone()}</td>
                    <td>{date_time(device.last_seen)}</td>
                    <td data-testid="admin-device-pending">{pending}</td>
                    <td>
                        <button class="button button-quiet" data-testid="admin-device-sign-out"
                            disabled=move || sign_out.pending().get()
                            on:click=move |_| { sign_out.dispatch_local(id.clone()); }>
                            {move || i18n.t(Key::AdmDeviceSignOut)}
                        </button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="clean-table">
            <thead><tr>
                <th>{move || i18n.t(Key::AdmDevice)}</th>
                <th>{move || i18n.t(Key::AdmLastSeen)}</th>
                <th>{move || i18n.t(Key::Pending)}</th>
                <th></th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

/// A sign-in code as a QR code, with when it stops working.
#[component]
fn SignInQr(code: SignInCode) -> impl IntoView {
    let i18n = I18n::get();
    let payload = sign_in_payload(&code.code);
    let svg = qr_svg(&payload).unwrap_or_default();
    let expiry = date_time(code.expires_at);
    view! {
        <div class="sign-in-qr">
            <div class="tag-qr" data-testid="admin-sign-in-qr" data-payload=payload inner_html=svg></div>
            <p data-testid="admin-sign-in-expiry">
                {move || filled(Key::AdmSignInCodeExpiry, i18n.lang(), &[("time", &expiry)])}
            </p>
            <p class="muted">{move || i18n.t(Key::AdmSignInCodeHint)}</p>
        </div>
    }
}

/// The create or edit form. `existing` is the member edited; without it a
/// new member is created and `on_created` gets the one-time password.
#[component]
fn StaffForm(
    workspace: WorkspaceRef,
    zones: RwSignal<Vec<ZoneEntry>>,
    existing: Option<StaffEntry>,
    on_created: Callback<(String, OneTimePassword)>,
    /// Closed: with the changed member after an edit.
    on_close: Callback<Option<StaffEntry>>,
) -> impl IntoView {
    let i18n = I18n::get();
    let is_new = existing.is_none();
    let base = existing.clone();
    let name = RwSignal::new(base.as_ref().map(|e| e.name.clone()).unwrap_or_default());
    let username = RwSignal::new(String::new());
    let phone = RwSignal::new(
        base.as_ref()
            .and_then(|e| e.phone.clone())
            .unwrap_or_default(),
    );
    let roles = RwSignal::new(base.as_ref().map(|e| e.roles.clone()).unwrap_or_default());
    let chosen_zones = RwSignal::new(base.as_ref().map(|e| e.zones.clone()).unwrap_or_default());
    let problem = RwSignal::new(None::<ApiError>);

    let save = Action::new_local(move |draft: &Draft| {
        let (token, draft, base) = (token(workspace), draft.clone(), base.clone());
        async move {
            let result = match &base {
                None => call(api::create_staff(&token, &draft.new_staff()))
                    .await
                    .map(|password| on_created.run((draft.username.clone(), password))),
                Some(base) => {
                    let patch = draft.patch(base);
                    call(api::change_staff(&token, &base.username, &patch))
                        .await
                        .map(|changed| on_close.run(Some(changed)))
                }
            };
            problem.try_set(result.err());
        }
    });
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let draft = Draft {
            username: username.get_untracked().trim().to_owned(),
            name: name.get_untracked().trim().to_owned(),
            phone: phone.get_untracked().trim().to_owned(),
            roles: roles.get_untracked(),
            zones: chosen_zones.get_untracked(),
        };
        if let Some(code) = draft.problem(is_new) {
            problem.set(Some(ApiError::Refused(code.into())));
            return;
        }
        problem.set(None);
        save.dispatch_local(draft);
    };
    let role_choices = Role::ALL
        .into_iter()
        .map(|role| {
            let testid = format!("admin-role-{}", role.as_str());
            view! {
                <label class="check">
                    <input type="checkbox" data-testid=testid
                        prop:checked=move || roles.with(|list| list.contains(&role))
                        on:change=move |event| {
                            let on = event_target_checked(&event);
                            roles.update(|list| toggle(list, role, on));
                        } />
                    <span>{move || i18n.t(role_key(role))}</span>
                </label>
            }
        })
        .collect_view();
    let zone_choices = move || {
        zones
            .get()
            .into_iter()
            .filter(|zone| {
                !zone.retired || chosen_zones.with_untracked(|list| list.contains(&zone.code))
            })
            .map(|zone| {
                let testid = format!("admin-zone-{}", zone.code);
                let code = zone.code.clone();
                let shown = code.clone();
                view! {
                    <label class="check">
                        <input type="checkbox" data-testid=testid
                            prop:checked=move || chosen_zones.with(|list| list.contains(&shown))
                            on:change=move |event| {
                                let on = event_target_checked(&event);
                                chosen_zones.update(|list| toggle(list, code.clone(), on));
                            } />
                        <span>{zone_label(&zone.code, &zone.name)}</span>
                    </label>
                }
            })
            .collect_view()
    };

    view! {
        <form class="card form-grid" data-testid="admin-staff-form" on:submit=submit novalidate>
            <h2>{move || i18n.t(if is_new { Key::AdmStaffNew } else { Key::AdmEdit })}</h2>
            <TextField label=Key::AdmName testid="admin-staff-name" value=name maxlength=50 />
            {is_new.then(|| view! {
                <Field label=Key::Username>
                    <input type="text" maxlength="32" autocapitalize="none" spellcheck="false"
                        data-testid="admin-staff-username" bind:value=username />
                </Field>
            })}
            <TextField label=Key::AdmPhone testid="admin-staff-phone" value=phone input_type="tel" maxlength=32 />
            <fieldset class="checks field-wide">
                <legend>{move || i18n.t(Key::AdmRoles)}</legend>
                {role_choices}
            </fieldset>
            <fieldset class="checks field-wide">
                <legend>{move || i18n.t(Key::Zone)}</legend>
                {zone_choices}
            </fieldset>
            <Problem error=problem testid="admin-staff-form-error" />
            <div class="button-row field-wide">
                <button type="submit" class="button button-primary" data-testid="admin-staff-save" disabled=move || save.pending().get()>
                    {move || i18n.t(if save.pending().get() { Key::AdmWorking } else { Key::AdmSave })}
                </button>
                <button type="button" class="button button-quiet" data-testid="admin-staff-cancel" on:click=move |_| on_close.run(None)>
                    {move || i18n.t(Key::ReqCancel)}
                </button>
            </div>
        </form>
    }
}

/// Adds `value` to or removes it from `list`, keeping it free of repeats.
fn toggle<T: PartialEq>(list: &mut Vec<T>, value: T, on: bool) {
    list.retain(|item| item != &value);
    if on {
        list.push(value);
    }
}

/// What the staff form holds when submitted.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Draft {
    username: String,
    name: String,
    phone: String,
    roles: Vec<Role>,
    zones: Vec<String>,
}

impl Draft {
    /// A refusal the server would give, found before asking it (its code,
    /// translated like the server's). The server checks again.
    fn problem(&self, is_new: bool) -> Option<&'static str> {
        let username_ok = (1..=32).contains(&self.username.len())
            && self
                .username
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
        if is_new && !username_ok {
            Some("invalid_username")
        } else if !(1..=50).contains(&self.name.chars().count()) {
            Some("invalid_name")
        } else if self.roles.is_empty() {
            Some("no_roles")
        } else {
            None
        }
    }

    fn new_staff(&self) -> NewStaff {
        NewStaff {
            username: self.username.clone(),
            name: self.name.clone(),
            phone: (!self.phone.is_empty()).then(|| self.phone.clone()),
            roles: self.roles.clone(),
            zones: self.zones.clone(),
            password: None,
        }
    }

    /// Only what changed; an emptied phone is sent as `""` (removed).
    fn patch(&self, base: &StaffEntry) -> StaffPatch {
        StaffPatch {
            name: (self.name != base.name).then(|| self.name.clone()),
            phone: (self.phone != base.phone.clone().unwrap_or_default())
                .then(|| self.phone.clone()),
            roles: changed_set(&self.roles, &base.roles),
            zones: changed_set(&self.zones, &base.zones),
        }
    }
}

/// `new`, sorted, if it holds other values than `old` (order aside).
fn changed_set<T: Ord + Clone>(new: &[T], old: &[T]) -> Option<Vec<T>> {
    let (mut new, mut old) = (new.to_vec(), old.to_vec());
    new.sort();
    old.sort();
    (new != old).then_some(new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn draft() -> Draft {
        Draft {
            username: "guard-c".into(),
            name: "陈刚".into(),
            phone: String::new(),
            roles: vec![Role::Guard],
            zones: vec!["A".into()],
        }
    }

    fn entry() -> StaffEntry {
        StaffEntry {
            username: "guard-c".into(),
            name: "陈刚".into(),
            phone: Some("13800000000".into()),
            roles: vec![Role::Guard],
            zones: vec!["B".into(), "A".into()],
            disabled: false,
            must_change_password: false,
            devices: Vec::new(),
        }
    }

    #[wasm_bindgen_test]
    fn the_form_catches_what_the_server_would_refuse() {
        assert_eq!(draft().problem(true), None);
        let bad = Draft {
            username: "Guard C".into(),
            ..draft()
        };
        assert_eq!(bad.problem(true), Some("invalid_username"));
        // An edit does not send a username.
        assert_eq!(bad.problem(false), None);
        let unnamed = Draft {
            name: String::new(),
            ..draft()
        };
        assert_eq!(unnamed.problem(true), Some("invalid_name"));
        let long = Draft {
            name: "名".repeat(51),
            ..draft()
        };
        assert_eq!(long.problem(true), Some("invalid_name"));
        let roleless = Draft {
            roles: Vec::new(),
            ..draft()
        };
        assert_eq!(roleless.problem(true), Some("no_roles"));
        assert_eq!(draft().new_staff().phone, None);
    }

    #[wasm_bindgen_test]
    fn an_edit_sends_only_what_changed() {
        // Same zones in another order, phone emptied: the phone is removed.
        let edited = Draft {
            zones: vec!["A".into(), "B".into()],
            ..draft()
        };
        assert_eq!(
            edited.patch(&entry()),
            StaffPatch {
                phone: Some(String::new()),
                ..StaffPatch::default()
            }
        );
        let moved = Draft {
            phone: "13800000000".into(),
            zones: vec!["C".into()],
            roles: vec![Role::Guard, Role::SquadLeader],
            ..draft()
        };
        let patch = moved.patch(&entry());
        assert_eq!(patch.zones, Some(vec!["C".to_owned()]));
        assert_eq!(patch.roles, Some(vec![Role::Guard, Role::SquadLeader]));
        assert_eq!((patch.name, patch.phone), (None, None));
    }
}

//! The site's zones (片区): the list with retired ones marked, creating a
//! zone (code and name), renaming one, retiring one and bringing it back.
//! A retired zone keeps its records and reports; the server refuses new
//! records in it.
//!
//! Test ids: `admin-zones-error`, the form `admin-zone-form` with
//! `admin-zone-code`, `admin-zone-name`, `admin-zone-create`,
//! `admin-zone-form-error`; each zone `admin-zone-row` (with `data-code`,
//! `data-retired`) with `admin-zone-rename-name`, `admin-zone-rename`,
//! `admin-zone-retire` (or `admin-zone-restore`), `admin-zone-row-error`.

use leptos::prelude::*;
use roundbook_shared::api::{NewZone, ZoneEntry, ZonePatch};

use super::{call, failure, token, Problem};
use crate::api::{self, ApiError};
use crate::i18n::{I18n, Key};
use crate::ui::field::{Field, TextField};
use crate::ui::WorkspaceRef;

/// Whether a zone code is one the server accepts: 1-16 of `A-Z a-z 0-9 _ -`.
fn valid_code(code: &str) -> bool {
    (1..=16).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Whether a zone name is one the server accepts: 1-50 characters.
fn valid_name(name: &str) -> bool {
    (1..=50).contains(&name.trim().chars().count())
}

#[component]
pub(super) fn ZonesSection(workspace: WorkspaceRef) -> impl IntoView {
    let i18n = I18n::get();
    let zones = RwSignal::new(Vec::<ZoneEntry>::new());
    let load = Action::new_local(move |_: &()| {
        let token = token(workspace);
        async move {
            zones.try_set(call(api::admin_zones(&token)).await?);
            Ok::<_, ApiError>(())
        }
    });
    load.dispatch_local(());
    let code = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<ApiError>);
    let create = Action::new_local(move |zone: &NewZone| {
        let (token, zone) = (token(workspace), zone.clone());
        async move {
            match call(api::create_zone(&token, &zone)).await {
                Ok(made) => {
                    zones.update(|list| list.push(made));
                    code.set(String::new());
                    name.set(String::new());
                }
                Err(error) => {
                    problem.try_set(Some(error));
                }
            }
        }
    });
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let zone = NewZone {
            code: code.get_untracked().trim().to_owned(),
            name: name.get_untracked().trim().to_owned(),
        };
        let refusal = if !valid_code(&zone.code) {
            Some("invalid_zone_code")
        } else if !valid_name(&zone.name) {
            Some("invalid_name")
        } else {
            None
        };
        problem.set(refusal.map(|code| ApiError::Refused(code.into())));
        if refusal.is_none() {
            create.dispatch_local(zone);
        }
    };

    view! {
        <section class="card">
            <h1 class="page-title">{move || i18n.t(Key::AdmZones)}</h1>
            <Problem error=failure(load) testid="admin-zones-error" />
            <form class="form-grid" data-testid="admin-zone-form" on:submit=submit novalidate>
                <Field label=Key::AdmZoneCode>
                    <input type="text" maxlength="16" autocapitalize="characters" spellcheck="false"
                        data-testid="admin-zone-code" bind:value=code />
                </Field>
                <TextField label=Key::AdmName testid="admin-zone-name" value=name maxlength=50 />
                <Problem error=problem testid="admin-zone-form-error" />
                <div class="button-row field-wide">
                    <button type="submit" class="button button-primary" data-testid="admin-zone-create"
                        disabled=move || create.pending().get()>
                        {move || i18n.t(if create.pending().get() { Key::AdmWorking } else { Key::AdmZoneCreate })}
                    </button>
                </div>
            </form>
        </section>
        <For each=move || zones.get() key=|zone| zone.code.clone() let:zone>
            <ZoneRow workspace zones code=zone.code />
        </For>
    }
}

/// One zone, its rename field and its retire or bring-back button.
#[component]
fn ZoneRow(
    workspace: WorkspaceRef,
    zones: RwSignal<Vec<ZoneEntry>>,
    code: String,
) -> impl IntoView {
    let i18n = I18n::get();
    let key = code.clone();
    let entry = Memo::new(move |_| zones.with(|list| list.iter().find(|z| z.code == key).cloned()));
    let name = RwSignal::new(entry.get_untracked().map(|z| z.name).unwrap_or_default());
    let target = code.clone();
    let change = Action::new_local(move |patch: &ZonePatch| {
        let (token, target, patch) = (token(workspace), target.clone(), patch.clone());
        async move {
            let changed = call(api::change_zone(&token, &target, &patch)).await?;
            name.try_set(changed.name.clone());
            zones.update(|list| {
                if let Some(slot) = list.iter_mut().find(|z| z.code == changed.code) {
                    *slot = changed;
                }
            });
            Ok::<_, ApiError>(())
        }
    });
    let rename = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let new_name = name.get_untracked().trim().to_owned();
        if valid_name(&new_name) {
            change.dispatch_local(ZonePatch {
                name: Some(new_name),
                retired: None,
            });
        }
    };
    let retire = move |retired: bool| {
        change.dispatch_local(ZonePatch {
            name: None,
            retired: Some(retired),
        });
    };
    let busy = move || change.pending().get();
    move || {
        entry.get().map(|zone| {
            let retired = zone.retired;
            let (toggle_testid, toggle_label, toggle_class) = if retired {
                ("admin-zone-restore", Key::AdmZoneRestore, "button")
            } else {
                ("admin-zone-retire", Key::AdmZoneRetire, "button button-danger")
            };
            view! {
                <form class="card zone-row" data-testid="admin-zone-row" data-code=zone.code.clone()
                    data-retired=retired.to_string() on:submit=rename novalidate>
                    <div class="card-head">
                        <h2>{zone.code.clone()} " " {zone.name.clone()}</h2>
                        {retired.then(|| view! { <span class="badge badge-error">{move || i18n.t(Key::AdmZoneRetired)}</span> })}
                    </div>
                    <div class="button-row">
                        <input type="text" maxlength="50" data-testid="admin-zone-rename-name" bind:value=name />
                        <button type="submit" class="button" data-testid="admin-zone-rename" disabled=busy>
                            {move || i18n.t(Key::AdmZoneRename)}
                        </button>
                        <button type="button" class=toggle_class data-testid=toggle_testid disabled=busy
                            on:click=move |_| retire(!retired)>
                            {move || i18n.t(toggle_label)}
                        </button>
                    </div>
                    <Problem error=failure(change) testid="admin-zone-row-error" />
                </form>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn zone_codes_and_names_are_checked_like_the_server_does() {
        for code in ["A", "east-1", "B_2", "ABCDEFGHIJKLMNOP"] {
            assert!(valid_code(code), "{code}");
        }
        for code in ["", "A区", "a b", "ABCDEFGHIJKLMNOPQ", "a/b"] {
            assert!(!valid_code(code), "{code}");
        }
        assert!(valid_name("东苑"));
        assert!(!valid_name("  "));
        assert!(valid_name(&"苑".repeat(50)));
        assert!(!valid_name(&"苑".repeat(51)));
    }
}

//! The audit trail: every administrative action, newest first, read-only
//! (the server never changes or removes an entry). Times are on the site's
//! clock; actions are translated, the detail is the server's English text.
//!
//! Test ids: `admin-audit-refresh`, `admin-audit-error`, `admin-audit-empty`,
//! each entry `admin-audit-entry` (with `data-action`).

use leptos::prelude::*;
use roundbook_shared::api::AuditEntry;

use super::{call, failure, token, Problem};
use crate::api::{self, ApiError};
use crate::calendar::date_time;
use crate::i18n::{I18n, Key};
use crate::ui::WorkspaceRef;

/// How many entries are asked for (the server's most).
const AUDIT_LIMIT: u32 = 500;

#[component]
pub(super) fn AuditSection(workspace: WorkspaceRef) -> impl IntoView {
    let i18n = I18n::get();
    let entries = RwSignal::new(None::<Vec<AuditEntry>>);
    let load = Action::new_local(move |_: &()| {
        let token = token(workspace);
        async move {
            entries.try_set(Some(call(api::audit(&token, AUDIT_LIMIT)).await?));
            Ok::<_, ApiError>(())
        }
    });
    load.dispatch_local(());
    let rows = move || {
        entries.get().map(|list| {
            if list.is_empty() {
                return view! { <p class="muted" data-testid="admin-audit-empty">{move || i18n.t(Key::AdmAuditEmpty)}</p> }.into_any();
            }
            let rows = list
                .into_iter()
                .map(|entry| {
                    let action = Key::of_audit_action(&entry.action);
                    let word = entry.action.clone();
                    view! {
                        <tr data-testid="admin-audit-entry" data-action=entry.action.clone()>
                            <td>{date_time(entry.at)}</td>
                            <td>{entry.actor}</td>
                            <td>{entry.device}</td>
                            <td>{move || action.map_or_else(|| word.clone(), |key| i18n.t(key).to_owned())}</td>
                            <td>{entry.target}</td>
                            <td>{entry.detail}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <table class="clean-table">
                    <thead><tr>
                        <th>{move || i18n.t(Key::AdmAuditTime)}</th>
                        <th>{move || i18n.t(Key::AdmAuditActor)}</th>
                        <th>{move || i18n.t(Key::AdmDevice)}</th>
                        <th>{move || i18n.t(Key::AdmAuditAction)}</th>
                        <th>{move || i18n.t(Key::AdmAuditTarget)}</th>
                        <th>{move || i18n.t(Key::AdmAuditDetail)}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            }
            .into_any()
        })
    };
    view! {
        <section class="card">
            <div class="card-head">
                <h1 class="page-title">{move || i18n.t(Key::AdmAudit)}</h1>
                <button class="button" data-testid="admin-audit-refresh" disabled=move || load.pending().get()
                    on:click=move |_| { load.dispatch_local(()); }>
                    {move || i18n.t(Key::AdmRefresh)}
                </button>
            </div>
            <Problem error=failure(load) testid="admin-audit-error" />
            {rows}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use crate::i18n::{Key, Lang};
    use wasm_bindgen_test::wasm_bindgen_test;

    /// Every action the contract names is translated in both languages.
    #[wasm_bindgen_test]
    fn every_audit_action_has_a_name() {
        for action in [
            "zone_created",
            "zone_changed",
            "staff_created",
            "staff_changed",
            "staff_disabled",
            "password_reset",
            "password_changed",
            "sign_in_code_issued",
            "device_signed_out",
        ] {
            let key = Key::of_audit_action(action).unwrap_or_else(|| panic!("{action}"));
            assert_ne!(key.text(Lang::ZhCn), key.text(Lang::En));
        }
    }
}

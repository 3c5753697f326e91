//! The patrol scan screen: pick the zone (if several), type the checkpoint
//! code, record. "Saved" appears only after the scan is in IndexedDB, and the
//! zone's list below updates at once. The checks and the write are
//! [`crate::patrol::record_scan`]'s; this component must not bypass them.

use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::scan_list::ScanList;
use super::zone_cards::todays_scans;
use super::WorkspaceRef;
use crate::browser;
use crate::i18n::{scan_saved, I18n, Key};
use crate::patrol::{self, ScanError, Scanner};
use crate::sync::SyncStatus;

/// The outcome shown under the form.
#[derive(Clone, PartialEq)]
enum Feedback {
    Saved { code: String, name: String },
    Refused(Key),
}

#[component]
pub fn ScanScreen(workspace: WorkspaceRef, on_back: impl Fn() + 'static) -> impl IntoView {
    let i18n = I18n::get();
    let status = expect_context::<SyncStatus>();
    let zones = workspace.with_value(|ws| ws.session.zones().to_vec());
    let several = zones.len() > 1;
    let zone = RwSignal::new(zones.first().map(|z| z.code.clone()).unwrap_or_default());
    let code = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let feedback = RwSignal::new(None::<Feedback>);
    let input = NodeRef::<Input>::new();

    let all = todays_scans(workspace);
    let rows = Signal::derive(move || {
        let selected = zone.get();
        all.with(|zones| {
            zones
                .iter()
                .find(|(z, _)| z.code == selected)
                .map(|(_, rows)| rows.clone())
                .unwrap_or_default()
        })
    });

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        feedback.set(None);
        let (library, scanner, sync) = workspace.with_value(|ws| {
            (
                ws.library.clone(),
                Scanner {
                    site: ws.session.site_code().to_owned(),
                    guard: ws.session.username().to_owned(),
                    guard_name: ws.session.display_name().to_owned(),
                    device: ws.device.clone(),
                },
                ws.sync.clone(),
            )
        });
        let (zone_code, typed) = (zone.get_untracked(), code.get_untracked());
        spawn_local(async move {
            let result =
                patrol::record_scan(&library, &scanner, &zone_code, &typed, browser::now_ms())
                    .await;
            busy.set(false);
            match result {
                Ok((id, checkpoint)) => {
                    // Stored: now it may be sent, shown in the list, and called saved.
                    sync.push(id);
                    status.revision.update(|n| *n += 1);
                    code.set(String::new());
                    feedback.set(Some(Feedback::Saved {
                        code: checkpoint.code,
                        name: checkpoint.name,
                    }));
                }
                Err(error) => {
                    let key = match error {
                        ScanError::EmptyCode => Key::EmptyCode,
                        ScanError::UnknownCheckpoint => Key::UnknownCheckpoint,
                        ScanError::NoCheckpoints => Key::NoCheckpointsYet,
                        ScanError::NotSaved(detail) => {
                            web_sys::console::error_1(&format!("scan: {detail}").into());
                            Key::SaveFailed
                        }
                    };
                    feedback.set(Some(Feedback::Refused(key)));
                }
            }
            if let Some(input) = input.get_untracked() {
                let _ = input.focus();
            }
        });
    };

    let message = move || {
        feedback.get().map(|feedback| {
            let (kind, text) = match feedback {
                Feedback::Saved { code, name } => ("ok", scan_saved(i18n.lang(), &code, &name)),
                Feedback::Refused(key) => ("error", i18n.t(key).to_owned()),
            };
            view! {
                <p
                    class=if kind == "ok" { "message message-ok" } else { "message message-error" }
                    role="status"
                    data-testid="scan-result"
                    data-kind=kind
                >
                    {text}
                </p>
            }
        })
    };

    view! {
        <div class="page-head">
            <button class="button button-quiet" data-testid="scan-back" on:click=move |_| on_back()>
                "← " {move || i18n.t(Key::Back)}
            </button>
            <h1 class="page-title">{move || i18n.t(Key::ScanTitle)}</h1>
        </div>
        <section class="card">
            <form class="scan-form" on:submit=submit novalidate>
                <Show when=move || several>
                    <label class="field">
                        <span>{move || i18n.t(Key::Zone)}</span>
                        <select
                            data-testid="scan-zone"
                            prop:value=move || zone.get()
                            on:change=move |event| {
                                zone.set(event_target_value(&event));
                                feedback.set(None);
                            }
                        >
                            {zones
                                .iter()
                                .map(|z| view! { <option value=z.code.clone()>{z.name.clone()}</option> })
                                .collect_view()}
                        </select>
                    </label>
                </Show>
                <label class="field">
                    <span>{move || i18n.t(Key::CheckpointCode)}</span>
                    <input
                        type="text"
                        class="input-code"
                        data-testid="scan-code"
                        node_ref=input
                        autocomplete="off"
                        autocapitalize="characters"
                        spellcheck="false"
                        enterkeyhint="done"
                        placeholder=move || i18n.t(Key::CheckpointCodeHint)
                        bind:value=code
                        autofocus
                    />
                </label>
                <button
                    type="submit"
                    class="button button-primary button-large button-wide"
                    data-testid="scan-submit"
                    disabled=move || busy.get()
                >
                    {move || i18n.t(if busy.get() { Key::Saving } else { Key::RecordScan })}
                </button>
                {message}
            </form>
        </section>
        <section class="card">
            <h2>{move || i18n.t(Key::TodayPatrol)}</h2>
            <ScanList rows />
        </section>
    }
}

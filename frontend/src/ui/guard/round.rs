//! The round screen: the round's checkpoints in walking order, scanned or
//! left, the camera scanner, the typed-code fallback, findings on the round,
//! and finishing it.
//!
//! A code read by the camera takes exactly the path of a typed code
//! ([`patrol::scan_round`]); the same tag seen again within
//! [`REPEAT_MS`] is ignored silently, so a tag held in front of the camera
//! counts once. Refusals (not on the round, scanned already, round ended)
//! are shown and record nothing.

use std::collections::HashMap;

use leptos::html::Input;
use leptos::prelude::*;
use roundbook_shared::schema::patrol::{ScanRefusal, METHOD_CAMERA, METHOD_TYPED};
use roundbook_shared::schema::round::Round;
use roundbook_shared::tag::{read_tag, TagRead};

use super::findings::Findings;
use super::{Duty, Feedback, Said, Screen};
use crate::browser;
use crate::calendar::clock_time;
use crate::i18n::{round_finish_confirm, I18n, Key};
use crate::patrol::{self, round_view, PatrolError};
use crate::ui::camera_scanner::CameraScanner;
use crate::ui::field::CodeField;

/// A tag seen again within this many milliseconds of its last sighting is
/// the same tag still in front of the camera.
const REPEAT_MS: f64 = 4_000.0;

fn scan_error_key(error: &PatrolError) -> Key {
    match error {
        PatrolError::EmptyCode => Key::EmptyCode,
        PatrolError::UnknownCheckpoint => Key::UnknownCheckpoint,
        PatrolError::NoCheckpoints => Key::NoCheckpointsYet,
        PatrolError::Refused(ScanRefusal::NotOnRound) => Key::RoundNotOnRound,
        PatrolError::Refused(ScanRefusal::AlreadyScanned) => Key::RoundAlreadyScanned,
        PatrolError::Refused(ScanRefusal::RoundEnded) => Key::RoundScanAfterEnd,
        PatrolError::UnknownRound => Key::RoundUnknown,
        // Not a scan's refusals, or the tablet's own trouble (for the log).
        PatrolError::RouteUnavailable
        | PatrolError::EmptyFinding
        | PatrolError::TooManyPhotos
        | PatrolError::NoteTooLong
        | PatrolError::ShiftEnded
        | PatrolError::OwnHandover
        | PatrolError::NotSaved(_) => {
            web_sys::console::error_1(&format!("scan: {error:?}").into());
            Key::SaveFailed
        }
    }
}

#[component]
pub(super) fn RoundScreen(duty: Duty, round_id: String) -> impl IntoView {
    let i18n = I18n::get();
    let view_of = {
        let round_id = round_id.clone();
        Memo::new(move |_| duty.records.with(|records| round_view(records, &round_id)))
    };
    let round =
        Signal::derive(move || view_of.with(|view| view.as_ref().map(|view| view.round.clone())));
    let left = move || view_of.with(|view| view.as_ref().map_or(0, |view| view.left()));
    let ended = move || {
        view_of.with(|view| {
            view.as_ref()
                .is_some_and(|view| view.round.ended_at.is_some())
        })
    };
    let complete = move || view_of.with(|view| view.as_ref().is_some_and(|view| view.left() == 0));
    let deadline = move || {
        view_of.with(|view| {
            let round = &view.as_ref()?.round;
            duty.records.with(|records| {
                records
                    .schedules
                    .iter()
                    .find(|schedule| schedule.id == round.schedule_id)
                    .map(|schedule| clock_time(schedule.round_deadline(round.started_at)))
            })
        })
    };
    let findings = {
        let round_id = round_id.clone();
        Signal::derive(move || {
            duty.records.with(|records| {
                records
                    .findings
                    .iter()
                    .filter(|finding| finding.round_id == round_id)
                    .cloned()
                    .collect::<Vec<_>>()
            })
        })
    };

    let code = RwSignal::new(String::new());
    // Camera sightings of other sites' tags are told here too.
    let message = RwSignal::new(None::<(bool, Said)>);
    let input = NodeRef::<Input>::new();

    let saving = Action::new_local(
        move |(round, typed, method): &(Round, String, &'static str)| {
            let (writer, who, zone) = (duty.writer(), duty.patroller(), duty.zone.get_untracked());
            let (round, typed, method) = (round.clone(), typed.clone(), *method);
            async move {
                let now = browser::now_ms();
                let result =
                    patrol::scan_round(&writer, &who, &zone, &round, &typed, method, now).await;
                match result {
                    Ok((_, checkpoint)) => {
                        duty.saved();
                        if method == METHOD_TYPED {
                            code.try_set(String::new());
                        }
                        message.try_set(Some((
                            true,
                            Said::ScanSaved {
                                code: checkpoint.code,
                                name: checkpoint.name,
                            },
                        )));
                    }
                    Err(error) => {
                        message.try_set(Some((false, Said::Key(scan_error_key(&error)))));
                    }
                }
                if method == METHOD_TYPED {
                    if let Some(input) = input.try_get_untracked().flatten() {
                        let _ = input.focus();
                    }
                }
            }
        },
    );
    let busy = saving.pending();

    // The one path for typed and camera codes. False if another scan is
    // still being saved (the caller may offer the code again).
    let scan = move |typed: String, method: &'static str| -> bool {
        if busy.get_untracked() {
            return false;
        }
        let Some(round) = round.get_untracked() else {
            message.set(Some((false, Said::Key(Key::RoundUnknown))));
            return true;
        };
        if method == METHOD_TYPED {
            // A typed code always gets a fresh answer, even a repeated one.
            message.set(None);
        }
        saving.dispatch_local((round, typed, method));
        true
    };

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        scan(code.get_untracked(), METHOD_TYPED);
    };

    let site = duty
        .workspace
        .with_value(|ws| ws.session.site_code().to_owned());
    let seen = StoredValue::new(HashMap::<String, f64>::new());
    let on_text = Callback::new(move |text: String| {
        let now = crate::camera::now_ms();
        let last = seen.with_value(|seen| seen.get(&text).copied());
        if last.is_some_and(|last| now - last < REPEAT_MS) {
            seen.update_value(|seen| {
                seen.insert(text, now);
            });
            return;
        }
        let taken = match read_tag(&text, &site) {
            TagRead::Checkpoint(code) => scan(code, METHOD_CAMERA),
            TagRead::OtherSite(_) => {
                message.set(Some((false, Said::Key(Key::TagOtherSite))));
                true
            }
            TagRead::Foreign => {
                message.set(Some((false, Said::Key(Key::TagForeign))));
                true
            }
        };
        // A code dropped while another was saving is taken at its next sighting.
        if taken {
            seen.update_value(|seen| {
                seen.insert(text, now);
            });
        }
    });

    let confirming = RwSignal::new(false);
    let finishing = Action::new_local(move |round: &Round| {
        let (writer, site, zone) = (
            duty.writer(),
            duty.patroller().site,
            duty.zone.get_untracked(),
        );
        let round = round.clone();
        async move {
            match patrol::finish_round(&writer, &site, &zone, &round, browser::now_ms()).await {
                Ok(_) => {
                    duty.saved();
                    duty.screen.try_set(Screen::Shift);
                }
                Err(error) => {
                    confirming.try_set(false);
                    message.try_set(Some((false, Said::Key(scan_error_key(&error)))));
                }
            }
        }
    });
    let ending = finishing.pending();
    let finish = move || {
        if ending.get_untracked() {
            return;
        }
        if let Some(round) = round.get_untracked() {
            finishing.dispatch_local(round);
        }
    };
    let ask_finish = move |_| {
        if ended() {
            duty.screen.set(Screen::Shift);
        } else if left() > 0 {
            confirming.set(true);
        } else {
            finish();
        }
    };

    let stops = move || {
        view_of.with(|view| {
            view.as_ref()
                .map(|view| view.stops.clone())
                .unwrap_or_default()
        })
    };
    let title = move || {
        view_of.with(|view| {
            view.as_ref()
                .map(|view| view.round.route_name.clone())
                .unwrap_or_default()
        })
    };

    view! {
        <section class="round-screen" data-testid="round-screen" data-round-id=round_id.clone()>
            <div class="page-head">
                <button class="button button-quiet" data-testid="round-back" on:click=move |_| duty.screen.set(Screen::Shift)>
                    "← " {move || i18n.t(Key::Back)}
                </button>
                <h1 class="page-title">{title}</h1>
                <div class="round-left">
                    <span class="round-left-number" data-testid="round-left-count">{left}</span>
                    " "
                    <span class="muted">{move || i18n.t(Key::RoundLeft)}</span>
                </div>
            </div>
            {move || deadline().map(|at| view! {
                <p class="muted">{move || i18n.t(Key::RoundFinishBy)} " " {at}</p>
            })}
            <Show when=move || view_of.with(Option::is_none)>
                <p class="message message-error">{move || i18n.t(Key::RoundUnknown)}</p>
            </Show>
            <Show when=move || complete()>
                <p class="message message-ok" data-testid="round-complete" role="status">{move || i18n.t(Key::RoundComplete)}</p>
            </Show>
            <Show when=move || ended() && !complete()>
                <p class="message message-warn" data-testid="round-ended" role="status">{move || i18n.t(Key::RoundEnded)}</p>
            </Show>
            <section class="card">
                <ol class="checkpoints">
                    <For each=stops key=|stop| (stop.checkpoint_id.clone(), stop.scanned_at) let:stop>
                        {
                            let scanned = stop.scanned_at.is_some();
                            view! {
                                <li
                                    class="checkpoint"
                                    class:checkpoint-scanned=scanned
                                    data-testid="round-checkpoint"
                                    data-code=stop.code.clone()
                                    data-state=if scanned { "scanned" } else { "left" }
                                >
                                    <span class="checkpoint-mark" aria-hidden="true">{if scanned { "✓" } else { "○" }}</span>
                                    <strong>{stop.code.clone()}</strong>
                                    " "
                                    <span>{stop.name.clone()}</span>
                                    <span class="checkpoint-state muted">
                                        {move || match stop.scanned_at {
                                            Some(at) => format!("{} {}", i18n.t(Key::RoundScanned), clock_time(at)),
                                            None => i18n.t(Key::RoundNotScanned).to_owned(),
                                        }}
                                    </span>
                                </li>
                            }
                        }
                    </For>
                </ol>
            </section>
            <section class="card">
                <CameraScanner enabled=Signal::derive(move || !ended() && !complete()) on_text />
                <form class="scan-form" on:submit=submit novalidate>
                    <CodeField testid="scan-code" value=code node_ref=input enterkeyhint="done" />
                    <button
                        type="submit"
                        class="button button-primary button-large"
                        data-testid="scan-submit"
                        disabled=move || busy.get()
                    >
                        {move || i18n.t(if busy.get() { Key::Saving } else { Key::RecordScan })}
                    </button>
                </form>
            </section>
            // Outside the card, so that it can stay at the bottom of the screen
            // while the guard aims the camera below the fold.
            <div class="scan-status">
                <Feedback testid="scan-result" message />
            </div>
            <Findings duty round list=findings />
            <section class="card round-finish">
                <Show
                    when=move || confirming.get()
                    fallback=move || view! {
                        <button
                            class="button button-large"
                            class:button-primary=complete
                            data-testid="round-finish"
                            disabled=move || ending.get()
                            on:click=ask_finish
                        >
                            {move || i18n.t(Key::RoundFinish)}
                        </button>
                    }
                >
                    <p class="message message-warn" data-testid="round-finish-warning">
                        {move || round_finish_confirm(i18n.lang(), left())}
                    </p>
                    <div class="button-row">
                        <button class="button" data-testid="round-finish-cancel" on:click=move |_| confirming.set(false)>
                            {move || i18n.t(Key::DutyCancel)}
                        </button>
                        <button
                            class="button button-primary"
                            data-testid="round-finish-confirm"
                            disabled=move || ending.get()
                            on:click=move |_| finish()
                        >
                            {move || i18n.t(Key::RoundFinishAnyway)}
                        </button>
                    </div>
                </Show>
            </section>
        </section>
    }
}

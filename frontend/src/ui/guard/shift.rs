//! The shift card (交接班): taking over a pending handover after reading what
//! the outgoing guard left open (another guard's: one's own waits for the
//! next guard), starting a shift when none is pending, and writing one's own
//! handover at the end.

use leptos::prelude::*;
use roundbook_shared::compliance::RoundOutcome;
use roundbook_shared::ids::DocumentId;
use roundbook_shared::schema::shift::Shift;

use super::findings::FindingItem;
use super::{refusal, Duty, Feedback, NoteField, Screen, SubmitRow};
use crate::browser;
use crate::calendar::{clock_time, short_time};
use crate::i18n::{I18n, Key};
use crate::patrol::{self, shift_summary, PatrolError};

/// The message for a failed shift write.
fn error_key(error: &PatrolError) -> Key {
    match error {
        PatrolError::ShiftEnded => Key::DutyShiftEnded,
        PatrolError::OwnHandover => Key::DutyOwnHandover,
        PatrolError::NoteTooLong => Key::FindingNoteTooLong,
        other => {
            web_sys::console::error_1(&format!("shift: {other:?}").into());
            Key::SaveFailed
        }
    }
}

/// Starting a shift, taking over the outgoing shift given (if any).
type StartShiftAction = Action<Option<Shift>, Result<(DocumentId, Shift), PatrolError>>;

fn start_shift(duty: Duty) -> StartShiftAction {
    Action::new_local(move |outgoing: &Option<Shift>| {
        let (writer, who, zone) = (duty.writer(), duty.patroller(), duty.zone.get_untracked());
        let outgoing = outgoing.clone();
        async move {
            let now = browser::now_ms();
            let result = patrol::start_shift(&writer, &who, &zone, outgoing.as_ref(), now).await;
            if result.is_ok() {
                duty.saved();
            }
            result
        }
    })
}

/// Starts the shift unless a start is already being saved.
fn dispatch_start(start: StartShiftAction, busy: Memo<bool>, outgoing: Option<Shift>) {
    if !busy.get_untracked() {
        start.dispatch_local(outgoing);
    }
}

/// No handover waits: the guard starts the shift.
#[component]
pub(super) fn StartShift(duty: Duty) -> impl IntoView {
    let i18n = I18n::get();
    view! {
        <section class="card shift-card" data-testid="shift-none">
            <p>{move || i18n.t(Key::DutyNoHandover)}</p>
            <StartButton duty primary=true />
        </section>
    }
}

/// The guard's own handover waits for the next guard: it is confirmed on
/// their tablet, not here. If the same guard is on the next shift too, they
/// start a new one.
#[component]
pub(super) fn HandedOver(duty: Duty, outgoing: Shift) -> impl IntoView {
    let i18n = I18n::get();
    let ended = outgoing.ended_at.map(short_time).unwrap_or_default();
    view! {
        <section class="card shift-card" data-testid="shift-handed-over" data-shift-id=outgoing.id.clone()>
            <h2>{move || i18n.t(Key::DutyHandedOver)}</h2>
            <dl class="facts">
                <dt>{move || i18n.t(Key::DutyHandoverTime)}</dt>
                <dd>{ended}</dd>
            </dl>
            <p class="muted">{move || i18n.t(Key::DutyWaitTakeover)}</p>
            <StartButton duty primary=false />
        </section>
    }
}

/// Starts a shift without taking one over, and says what became of it.
#[component]
fn StartButton(duty: Duty, primary: bool) -> impl IntoView {
    let i18n = I18n::get();
    let start = start_shift(duty);
    let busy = start.pending();
    let message = refusal(start, error_key);
    view! {
        <button
            class="button"
            class:button-primary=primary
            class:button-large=primary
            data-testid="shift-start"
            disabled=move || busy.get()
            on:click=move |_| dispatch_start(start, busy, None)
        >
            {move || i18n.t(Key::DutyStartShift)}
        </button>
        <Feedback testid="shift-result" message />
    }
}

/// The rounds a shift left open, as a list.
#[component]
fn OpenRounds(#[prop(into)] rounds: Signal<Vec<RoundOutcome>>) -> impl IntoView {
    let i18n = I18n::get();
    view! {
        <ul class="plain-list">
            <For
                each=move || rounds.get()
                key=|outcome| outcome.progress.as_ref().map(|p| p.round_id.clone()).unwrap_or_default()
                let:outcome
            >
                {
                    let progress = outcome.progress.clone().unwrap_or_else(|| unreachable!("open rounds were started"));
                    let left = progress.missing.len();
                    view! {
                        <li data-testid="handover-open-round" data-round-id=progress.round_id.clone()>
                            <strong>{outcome.route_name.clone()}</strong>
                            " · " {clock_time(progress.started_at)} " · "
                            {move || format!("{left} {}", i18n.t(Key::RoundLeft))}
                        </li>
                    }
                }
            </For>
        </ul>
    }
}

/// A pending handover: who handed over when, their note, what they left
/// open; the incoming guard confirms to take over.
#[component]
pub(super) fn TakeOver(duty: Duty, outgoing: Shift) -> impl IntoView {
    let i18n = I18n::get();
    let start = start_shift(duty);
    let busy = start.pending();
    let message = refusal(start, error_key);
    let summary = {
        let outgoing = outgoing.clone();
        Memo::new(move |_| {
            duty.records
                .with(|records| shift_summary(records, &outgoing, duty.now.get()))
        })
    };
    let findings = Signal::derive(move || summary.with(|s| s.findings.clone()));
    let open_rounds = Signal::derive(move || summary.with(|s| s.open_rounds.clone()));
    let nothing_open = move || summary.with(|s| s.findings.is_empty() && s.open_rounds.is_empty());
    let note = outgoing.handover_note.clone();
    let has_note = !note.trim().is_empty();
    let ended = outgoing.ended_at.map(short_time).unwrap_or_default();
    let (shift_id, guard_name) = (outgoing.id.clone(), outgoing.guard_name.clone());
    view! {
        <section class="card shift-card handover" data-testid="handover-pending" data-shift-id=shift_id>
            <h2>{move || i18n.t(Key::DutyHandoverPending)}</h2>
            <dl class="facts">
                <dt>{move || i18n.t(Key::DutyHandoverFrom)}</dt>
                <dd data-testid="handover-guard">{guard_name}</dd>
                <dt>{move || i18n.t(Key::DutyHandoverTime)}</dt>
                <dd data-testid="handover-time">{ended}</dd>
            </dl>
            <h3>{move || i18n.t(Key::DutyHandoverNote)}</h3>
            <p class="handover-note" data-testid="handover-note-text">
                {move || if has_note { note.clone() } else { i18n.t(Key::DutyNoNote).to_owned() }}
            </p>
            <Show
                when=move || !nothing_open()
                fallback=move || view! { <p class="muted">{move || i18n.t(Key::DutyNothingOpen)}</p> }
            >
                <Show when=move || findings.with(|f| !f.is_empty())>
                    <h3>{move || i18n.t(Key::DutyShiftFindings)}</h3>
                    <ul class="findings">
                        <For each=move || findings.get() key=|finding| finding.id.clone() let:finding>
                            <FindingItem workspace=duty.workspace zone=duty.zone.get_untracked() finding />
                        </For>
                    </ul>
                </Show>
                <Show when=move || open_rounds.with(|r| !r.is_empty())>
                    <h3>{move || i18n.t(Key::DutyOpenRounds)}</h3>
                    <OpenRounds rounds=open_rounds />
                </Show>
            </Show>
            <button
                class="button button-primary button-large"
                data-testid="handover-confirm"
                disabled=move || busy.get()
                on:click=move |_| dispatch_start(start, busy, Some(outgoing.clone()))
            >
                {move || i18n.t(Key::DutyConfirmTakeover)}
            </button>
            <Feedback testid="shift-result" message />
        </section>
    }
}

/// The end of the guard's own shift: a summary and the handover note.
#[component]
pub(super) fn HandoverForm(duty: Duty, shift: Shift) -> impl IntoView {
    let i18n = I18n::get();
    let note = RwSignal::new(String::new());
    let ending = shift.clone();
    let hand_over = Action::new_local(move |text: &String| {
        let (writer, site, zone) = (
            duty.writer(),
            duty.patroller().site,
            duty.zone.get_untracked(),
        );
        let (shift, text) = (ending.clone(), text.clone());
        async move {
            let now = browser::now_ms();
            let result = patrol::end_shift(&writer, &site, &zone, &shift, &text, now).await;
            if result.is_ok() {
                duty.saved();
                duty.screen.try_set(Screen::Shift);
            }
            result
        }
    });
    let busy = hand_over.pending();
    let message = refusal(hand_over, error_key);
    let summary = {
        let shift = shift.clone();
        Memo::new(move |_| {
            duty.records
                .with(|records| shift_summary(records, &shift, duty.now.get()))
        })
    };
    let open_rounds = Signal::derive(move || summary.with(|s| s.open_rounds.clone()));
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if !busy.get_untracked() {
            hand_over.dispatch_local(note.get_untracked());
        }
    };
    let count = move |pick: fn(&patrol::ShiftSummary) -> usize| move || summary.with(pick);
    view! {
        <section class="card shift-card" data-testid="handover-form">
            <h2>{move || i18n.t(Key::DutyEndTitle)}</h2>
            <h3>{move || i18n.t(Key::DutySummary)}</h3>
            <dl class="facts" data-testid="shift-summary">
                <dt>{move || i18n.t(Key::DutyRoundsDone)}</dt>
                <dd data-testid="summary-done">{count(|s| s.done_rounds)}</dd>
                <dt>{move || i18n.t(Key::DutyOpenRounds)}</dt>
                <dd data-testid="summary-open">{count(|s| s.open_rounds.len())}</dd>
                <dt>{move || i18n.t(Key::DutyRoundsMissed)}</dt>
                <dd data-testid="summary-missed">{count(|s| s.missed_rounds.len())}</dd>
                <dt>{move || i18n.t(Key::DutyFindings)}</dt>
                <dd data-testid="summary-findings">{count(|s| s.findings.len())}</dd>
            </dl>
            <OpenRounds rounds=open_rounds />
            <form on:submit=submit novalidate>
                <NoteField
                    label=Key::DutyHandoverNote
                    hint=Key::DutyHandoverHint
                    testid="handover-note"
                    rows="5"
                    value=note
                />
                <SubmitRow
                    cancel_testid="handover-cancel"
                    on_cancel=move || duty.screen.set(Screen::Shift)
                    submit_testid="handover-submit"
                    disabled=busy.into()
                >
                    {move || i18n.t(Key::DutySubmitHandover)}
                </SubmitRow>
                <Feedback testid="shift-result" message />
            </form>
        </section>
    }
}

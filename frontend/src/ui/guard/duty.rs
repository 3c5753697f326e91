//! On duty: the rounds due now (each with a start button) or, with none,
//! when the next is due; the rounds missed so far this shift; the guard's
//! rounds under way (a round whose every checkpoint is scanned is not); findings
//! outside a round, and the end of the shift.

use leptos::prelude::*;
use roundbook_shared::compliance::{due_now, next_due, RoundKind, RoundOutcome};
use roundbook_shared::schema::shift::Shift;

use super::findings::Findings;
use super::{refusal, Duty, Feedback, Screen};
use crate::browser;
use crate::calendar::{clock_time, short_time};
use crate::i18n::{I18n, Key};
use crate::patrol::{self, round_view, shift_summary, PatrolError};

/// The `data-due` of a due round: its fixed time in ms, or `unannounced`.
fn due_attr(outcome: &RoundOutcome) -> String {
    match (outcome.kind, outcome.due_at) {
        (RoundKind::Fixed, Some(due_at)) => due_at.to_string(),
        _ => "unannounced".to_owned(),
    }
}

/// The message for a round that could not be started.
fn start_error_key(error: &PatrolError) -> Key {
    match error {
        PatrolError::RouteUnavailable => Key::DutyRouteUnavailable,
        other => {
            web_sys::console::error_1(&format!("round: {other:?}").into());
            Key::SaveFailed
        }
    }
}

#[component]
pub(super) fn OnDuty(duty: Duty, shift: Shift) -> impl IntoView {
    let i18n = I18n::get();
    let me = shift.guard.clone();
    let since = shift.started_at;
    let due = Memo::new(move |_| {
        duty.records
            .with(|records| due_now(records.patrol_records(), duty.now.get()))
    });
    let open_rounds = {
        let me = me.clone();
        Memo::new(move |_| {
            duty.records.with(|records| {
                records
                    .rounds
                    .iter()
                    .filter(|round| {
                        round.guard == me && round.ended_at.is_none() && round.started_at >= since
                    })
                    .filter_map(|round| round_view(records, &round.id))
                    .filter(|view| view.left() > 0)
                    .collect::<Vec<_>>()
            })
        })
    };
    let next = Memo::new(move |_| {
        duty.records
            .with(|records| next_due(records.patrol_records(), duty.now.get()))
    });
    let missed = {
        let shift = shift.clone();
        Memo::new(move |_| {
            duty.records
                .with(|records| shift_summary(records, &shift, duty.now.get()).missed_rounds)
        })
    };
    let findings = Signal::derive(move || {
        duty.records.with(|records| {
            records
                .findings
                .iter()
                .filter(|finding| finding.guard == me && finding.found_at >= since)
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let starting = Action::new_local(move |outcome: &RoundOutcome| {
        let (writer, who, records) = (
            duty.writer(),
            duty.patroller(),
            duty.records.get_untracked(),
        );
        let outcome = outcome.clone();
        async move {
            let now = browser::now_ms();
            let result = patrol::start_round(&writer, &who, &records, &outcome, now).await;
            if let Ok((_, round)) = &result {
                duty.saved();
                duty.screen.try_set(Screen::Round(round.id.clone()));
            }
            result
        }
    });
    let busy = starting.pending();
    let start = move |outcome: RoundOutcome| {
        if !busy.get_untracked() {
            starting.dispatch_local(outcome);
        }
    };
    let message = refusal(starting, start_error_key);

    view! {
        <section class="card shift-card" data-testid="shift-on-duty" data-shift-id=shift.id.clone()>
            <div class="card-head">
                <p>
                    {move || i18n.t(Key::DutyOnDutySince)} " "
                    <strong>{short_time(since)}</strong>
                </p>
                <button class="button" data-testid="shift-end" on:click=move |_| duty.screen.set(Screen::Handover)>
                    {move || i18n.t(Key::DutyEndShift)}
                </button>
            </div>
        </section>
        <Show when=move || open_rounds.with(|rounds| !rounds.is_empty())>
            <section class="card">
                <h2>{move || i18n.t(Key::DutyMyOpenRounds)}</h2>
                <ul class="round-list">
                    <For each=move || open_rounds.get() key=|view| view.round.id.clone() let:view>
                        {
                            let id = view.round.id.clone();
                            let left = view.left();
                            view! {
                                <li class="round-row" data-testid="open-round" data-round-id=view.round.id.clone()>
                                    <span>
                                        <strong>{view.round.route_name.clone()}</strong>
                                        " · " {clock_time(view.round.started_at)} " · "
                                        {move || format!("{left} {}", i18n.t(Key::RoundLeft))}
                                    </span>
                                    <button
                                        class="button button-primary"
                                        data-testid="open-round-continue"
                                        on:click=move |_| duty.screen.set(Screen::Round(id.clone()))
                                    >
                                        {move || i18n.t(Key::DutyContinueRound)}
                                    </button>
                                </li>
                            }
                        }
                    </For>
                </ul>
            </section>
        </Show>
        <section class="card">
            <h2>{move || i18n.t(Key::DutyDueRounds)}</h2>
            <Show
                when=move || due.with(|due| !due.is_empty())
                fallback=move || view! {
                    <p class="muted" data-testid="no-due-rounds">{move || i18n.t(Key::DutyNoDueRounds)}</p>
                    {move || next.get().map(|outcome| view! {
                        <p data-testid="next-due-round" data-due=due_attr(&outcome)>
                            {move || i18n.t(Key::DutyNextDue)} " "
                            <strong>{outcome.route_name.clone()}</strong> " · " {due_when(&outcome)}
                        </p>
                    })}
                }
            >
                <ul class="round-list">
                    <For
                        each=move || due.get()
                        key=|outcome| (outcome.schedule_id.clone(), outcome.due_at, outcome.window)
                        let:outcome
                    >
                        {
                            let when = match outcome.due_at {
                                Some(_) => view! { {move || i18n.t(Key::DutyDueAt)} " " {due_when(&outcome)} }.into_any(),
                                None => due_when(&outcome).into_any(),
                            };
                            let picked = outcome.clone();
                            view! {
                                <li
                                    class="round-row"
                                    data-testid="due-round"
                                    data-schedule=outcome.schedule_id.clone()
                                    data-due=due_attr(&outcome)
                                >
                                    <span>
                                        <strong>{outcome.route_name.clone()}</strong>
                                        " · " {when}
                                    </span>
                                    <button
                                        class="button button-primary"
                                        data-testid="due-round-start"
                                        disabled=move || busy.get()
                                        on:click=move |_| start(picked.clone())
                                    >
                                        {move || i18n.t(Key::DutyStartRound)}
                                    </button>
                                </li>
                            }
                        }
                    </For>
                </ul>
            </Show>
            <Feedback testid="due-round-result" message />
        </section>
        <Show when=move || missed.with(|missed| !missed.is_empty())>
            <section class="card card-warn" data-testid="shift-missed">
                <h2>{move || i18n.t(Key::DutyMissedThisShift)}</h2>
                <p class="muted">{move || i18n.t(Key::DutyMissedHint)}</p>
                <ul class="round-list">
                    <For each=move || missed.get() key=|outcome| (outcome.schedule_id.clone(), outcome.due_at, outcome.window) let:outcome>
                        <li class="round-row" data-testid="missed-round" data-due=due_attr(&outcome)>
                            <span><strong>{outcome.route_name.clone()}</strong> " · " {due_when(&outcome)}</span>
                        </li>
                    </For>
                </ul>
            </section>
        </Show>
        <Findings duty round=Signal::derive(|| None) list=findings />
    }
}

/// When a round is due, as the guard reads it: its time, with its window.
fn due_when(outcome: &RoundOutcome) -> impl IntoView {
    let i18n = I18n::get();
    match outcome.due_at {
        Some(due_at) => format!(
            "{} ({}–{})",
            clock_time(due_at),
            clock_time(outcome.window.0),
            clock_time(outcome.window.1)
        )
        .into_any(),
        None => (move || i18n.t(Key::DutyUnannounced)).into_any(),
    }
}

//! One zone on the rounds board, folding to its name and missed and
//! incomplete counts: the day's summary by status, the guards'
//! summary, the rounds in time order and the findings outside rounds; or,
//! for a day the tablet does not hold, a note saying so. Display only.

use leptos::prelude::*;

use super::model::{GuardLine, ZoneBoard};
use super::round::{FindingItem, RoundRow};
use crate::i18n::{I18n, Key};
use crate::ui::WorkspaceRef;

#[component]
pub(super) fn ZoneSection(
    workspace: WorkspaceRef,
    board: Memo<Vec<ZoneBoard>>,
    code: String,
) -> impl IntoView {
    let i18n = I18n::get();
    let lookup = code.clone();
    let zone = Memo::new(move |_| {
        board.with(|zones| zones.iter().find(|z| z.zone.code == lookup).cloned())
    });
    let get = move |f: fn(&ZoneBoard) -> usize| move || zone.with(|z| z.as_ref().map_or(0, f));
    let held = move || zone.with(|z| z.as_ref().is_some_and(|z| z.held));
    let name = move || zone.with(|z| z.as_ref().map(|z| z.zone.name.clone()).unwrap_or_default());

    let summary = move || {
        let counts = [
            (Key::StatusDone, "done", get(|z| z.summary.done)),
            (
                Key::StatusInProgress,
                "in_progress",
                get(|z| z.summary.in_progress),
            ),
            (Key::StatusMissed, "missed", get(|z| z.summary.missed)),
            (
                Key::StatusIncomplete,
                "incomplete",
                get(|z| z.summary.incomplete),
            ),
            (Key::StatusDue, "due", get(|z| z.summary.due)),
            (Key::StatusUpcoming, "upcoming", get(|z| z.summary.upcoming)),
            (Key::BoardFindings, "findings", get(|z| z.findings)),
        ];
        view! {
            <dl
                class="board-summary"
                data-testid="board-summary"
                data-done=get(|z| z.summary.done)
                data-in-progress=get(|z| z.summary.in_progress)
                data-missed=get(|z| z.summary.missed)
                data-incomplete=get(|z| z.summary.incomplete)
                data-due=get(|z| z.summary.due)
                data-upcoming=get(|z| z.summary.upcoming)
                data-findings=get(|z| z.findings)
            >
                {counts
                    .into_iter()
                    .map(|(key, status, count)| view! {
                        <div class="board-count" data-status=status>
                            <dt>{move || i18n.t(key)}</dt>
                            <dd>{count}</dd>
                        </div>
                    })
                    .collect_view()}
            </dl>
        }
    };

    // What the folded zone still says: the rounds that need a look.
    let brief = move || {
        let (missed, incomplete) = (get(|z| z.summary.missed)(), get(|z| z.summary.incomplete)());
        format!(
            "{} {missed} · {} {incomplete}",
            i18n.t(Key::StatusMissed),
            i18n.t(Key::StatusIncomplete)
        )
    };
    let guards = move || zone.with(|z| z.as_ref().map(|z| z.guards.clone()).unwrap_or_default());
    let rounds = move || zone.with(|z| z.as_ref().map(|z| z.rounds.clone()).unwrap_or_default());
    let loose = move || {
        zone.with(|z| {
            z.as_ref()
                .map(|z| z.loose_findings.clone())
                .unwrap_or_default()
        })
    };
    let zone_code = StoredValue::new(code.clone());

    view! {
        <details class="card board-zone" data-testid="board-zone" data-zone=code.clone() open>
            <summary class="board-zone-head">
                <h2>{name}</h2>
                <span class="muted" data-testid="board-zone-brief">{brief}</span>
            </summary>
            <Show
                when=held
                fallback=move || view! {
                    <p class="banner banner-warn" data-testid="board-not-held">
                        {move || i18n.t(Key::BoardNotHeld)}
                    </p>
                }
            >
                {summary}
                <h3 class="subtle">{move || i18n.t(Key::BoardByGuard)}</h3>
                <Show
                    when=move || zone.with(|z| z.as_ref().is_some_and(|z| !z.guards.is_empty()))
                    fallback=move || view! { <p class="muted">{move || i18n.t(Key::BoardNoGuards)}</p> }
                >
                    <table class="board-guards">
                        <thead>
                            <tr>
                                <th>{move || i18n.t(Key::Guard)}</th>
                                <th>{move || i18n.t(Key::StatusDone)}</th>
                                <th>{move || i18n.t(Key::StatusIncomplete)}</th>
                                <th>{move || i18n.t(Key::BoardFindings)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            <For each=guards key=|line: &GuardLine| line.clone() let:line>
                                <tr
                                    data-testid="board-guard"
                                    data-guard=line.guard.clone()
                                    data-done=line.done
                                    data-incomplete=line.incomplete
                                    data-findings=line.findings
                                >
                                    <td>{line.name.clone()}</td>
                                    <td>{line.done}</td>
                                    <td>{line.incomplete}</td>
                                    <td>{line.findings}</td>
                                </tr>
                            </For>
                        </tbody>
                    </table>
                </Show>
                <h3 class="subtle">{move || i18n.t(Key::BoardRounds)}</h3>
                <Show
                    when=move || zone.with(|z| z.as_ref().is_some_and(|z| !z.rounds.is_empty()))
                    fallback=move || view! { <p class="muted" data-testid="board-no-rounds">{move || i18n.t(Key::BoardNoRounds)}</p> }
                >
                    <ol class="board-rounds">
                        // Keyed by content: a changed round is drawn again, the others stay.
                        <For each=rounds key=|line| format!("{}:{:?}", line.key, line) let:line>
                            <RoundRow workspace zone=zone_code.get_value() line />
                        </For>
                    </ol>
                </Show>
                <Show when=move || zone.with(|z| z.as_ref().is_some_and(|z| !z.loose_findings.is_empty()))>
                    <h3 class="subtle">{move || i18n.t(Key::BoardFindingsOutside)}</h3>
                    <ul class="board-findings">
                        <For each=loose key=|line| format!("{:?}", line) let:line>
                            <FindingItem workspace zone=zone_code.get_value() line />
                        </For>
                    </ul>
                </Show>
            </Show>
        </details>
    }
}

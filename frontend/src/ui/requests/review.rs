//! The 15:30 daily review (每日检讨): every overdue request of the user's
//! zones, then every other open one (today's and those left from earlier
//! days), printable with phones masked and with the site, date and time on
//! the page.
//!
//! Test ids: `review`, `review-heading` (site and time), `review-counts`,
//! `review-row` (with `data-request-id`, `data-overdue`), `review-empty`,
//! `review-print`.

use leptos::prelude::*;
use roundbook_shared::deadline::{is_overdue, next_deadline};
use roundbook_shared::domain::mask_phone;

use super::{kind_key, state_key, DeadlineBadge};
use crate::browser;
use crate::calendar::{date_time, short_time};
use crate::i18n::{filled, I18n, Key};
use crate::requests;
use crate::sync::SyncStatus;
use crate::ui::WorkspaceRef;

#[component]
pub fn ReviewTab(workspace: WorkspaceRef) -> impl IntoView {
    let i18n = I18n::get();
    let status = expect_context::<SyncStatus>();
    let site = workspace.with_value(|ws| ws.session.site_name().to_owned());
    let zone_name = move |code: &str| workspace.with_value(|ws| ws.session.zone_name(code));
    // The instant the list was drawn: what the printout says it shows.
    let drawn_at = Memo::new(move |_| {
        status.revision.track();
        browser::now_ms()
    });
    let rows = Memo::new(move |_| {
        let now = drawn_at.get();
        workspace.with_value(|ws| {
            requests::daily_review_list(
                &ws.library,
                ws.session.site_code(),
                ws.session.zones(),
                now,
            )
            .into_iter()
            .map(|view| {
                let overdue = is_overdue(&view, now);
                let next = next_deadline(&view, now);
                (view, overdue, next)
            })
            .collect::<Vec<_>>()
        })
    });
    view! {
        <section class="review" data-testid="review">
            <div class="card-head">
                <div>
                    <h1 class="page-title">{move || i18n.t(Key::ReqReviewTitle)}</h1>
                    <p class="review-heading" data-testid="review-heading">
                        {site.clone()} " · " {move || date_time(drawn_at.get())}
                    </p>
                </div>
                <button class="button no-print" data-testid="review-print" on:click=|_| browser::print()>
                    {move || i18n.t(Key::ReqPrint)}
                </button>
            </div>
            <p class="muted" data-testid="review-counts">
                {move || {
                    let (overdue, all) = rows.with(|rows| (rows.iter().filter(|(_, late, _)| *late).count(), rows.len()));
                    filled(Key::ReqReviewCounts, i18n.lang(), &[("overdue", &overdue.to_string()), ("open", &all.to_string())])
                }}
            </p>
            <Show
                when=move || rows.with(|rows| !rows.is_empty())
                fallback=move || view! { <p class="muted" data-testid="review-empty">{move || i18n.t(Key::ReqReviewEmpty)}</p> }
            >
                <table class="review-table">
                    <thead>
                        <tr>
                            <th>{move || i18n.t(Key::ReqZone)}</th>
                            <th>{move || i18n.t(Key::ReqUnit)}</th>
                            <th>{move || i18n.t(Key::ReqKind)}</th>
                            <th>{move || i18n.t(Key::ReqDescription)}</th>
                            <th>{move || i18n.t(Key::ReqPhone)}</th>
                            <th>{move || i18n.t(Key::ReqOwner)}</th>
                            <th>{move || i18n.t(Key::ReqReceived)}</th>
                            <th>{move || i18n.t(Key::ReqDeadlines)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || rows.get().into_iter().map(|(view, overdue, next)| {
                            let request = view.request.clone();
                            let (kind, state) = (request.kind(), view.state);
                            view! {
                                <tr
                                    class:overdue=overdue
                                    data-testid="review-row"
                                    data-request-id=request.id.clone()
                                    data-overdue=overdue.to_string()
                                >
                                    <td class="nowrap">{zone_name(&request.zone)}</td>
                                    <td class="nowrap">{request.unit_label.clone()}</td>
                                    <td>
                                        {move || i18n.t(kind_key(kind))} <br />
                                        <span class="badge">{move || i18n.t(state_key(state))}</span>
                                    </td>
                                    <td class="review-text">{request.description.clone()}</td>
                                    <td class="nowrap">{mask_phone(&request.contact_phone)}</td>
                                    <td>{request.received_by_name.clone()}</td>
                                    <td class="nowrap">{short_time(request.received_at)}</td>
                                    <td>{next.map(|deadline| view! { <DeadlineBadge deadline /> })}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </Show>
        </section>
    }
}

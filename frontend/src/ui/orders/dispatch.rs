//! The work-order section of a request's screen: the orders dispatched for
//! it (worker, state, what the worker recorded, conflicts), the dispatch
//! form (a repair worker from the staff directory, the time to arrive,
//! urgent), and, once a worker is done, the owner's confirmation that moves
//! the request to done for the callback (回访), which stays mandatory.
//!
//! Offered to those who hold other workers' logs (zone service staff, the
//! front desk, the service and engineering supervisors, the heads), for
//! repair requests that are not done yet.
//!
//! Test ids: `request-orders`, `request-order` (with `data-order-id`,
//! `data-state`, `data-worker`), `order-dispatch-open`, `order-dispatch-form`,
//! `order-dispatch-worker`, `order-dispatch-arrive-by`,
//! `order-dispatch-urgent`, `order-dispatch-confirm`, `order-dispatch-error`,
//! `order-confirm-done`.

use leptos::prelude::*;

use roundbook_shared::schema::work_order::OrderAction;
use roundbook_shared::schema::DocKind;
use roundbook_shared::work_orders::OrderState;
use roundbook_shared::workflow::{RequestView, State};

use super::detail::{Conflicts, Outcome};
use super::{directory_signal, error_key, state_key};
use crate::calendar::{short_time, site_instant};
use crate::i18n::{I18n, Key};
use crate::sync::SyncStatus;
use crate::ui::field::Field;
use crate::ui::form::{save_action, submit_with, FormEnd, Write};
use crate::ui::WorkspaceRef;
use crate::work_orders;

/// Whether the user dispatches work orders (holds other workers' logs).
pub fn dispatches(workspace: WorkspaceRef) -> bool {
    workspace.with_value(|ws| {
        roundbook_shared::reach::writes_every_worker(ws.session.roles(), DocKind::WorkOrderLog)
    })
}

#[component]
pub fn RequestOrders(workspace: WorkspaceRef, request: RequestView) -> impl IntoView {
    let i18n = I18n::get();
    let status = expect_context::<SyncStatus>();
    let request_id = request.request.id.clone();
    let orders = Memo::new(move |_| {
        status.revision.track();
        workspace.with_value(|ws| work_orders::orders_for_request(&ws.library, &request_id))
    });
    let may_dispatch = dispatches(workspace)
        && request.request.kind().is_repair()
        && matches!(
            request.state,
            State::Received
                | State::Assigned
                | State::Accepted
                | State::Returned
                | State::Transferred
        );
    let can_confirm = work_orders::can_confirm_done(&request);
    let open_form = RwSignal::new(false);
    let confirm_problem = RwSignal::new(None::<Key>);
    let stored_request = StoredValue::new(request.clone());
    let confirm = save_action(
        workspace,
        confirm_problem,
        crate::ui::requests::error_key,
        |_| (),
        move |w: Write, done: roundbook_shared::schema::work_order::WorkOrderEvent| {
            let request = stored_request.get_value();
            async move {
                work_orders::confirm_done(&w.writer, &w.site, &request, &done, &w.who, w.now).await
            }
        },
    );
    view! {
        <section class="card no-print" data-testid="request-orders">
            <h3>{move || i18n.t(Key::WoOrdersOfRequest)}</h3>
            <ul class="plain-list">
                {move || orders.get().into_iter().map(|(_, view)| {
                    let state = view.state;
                    let zone = view.order.zone.clone();
                    let done = view.outcome.clone().filter(|event| event.action() == Some(OrderAction::Done));
                    view! {
                        <li data-testid="request-order" data-order-id=view.order.id.clone() data-state=state.as_str() data-worker=view.order.worker.clone()>
                            <strong>{view.order.worker_name.clone()}</strong> " "
                            <span class="badge">{move || i18n.t(state_key(state))}</span> " "
                            <span class="muted">{move || i18n.label(Key::WoArriveBy)} " " {short_time(view.order.arrive_by)}</span>
                            <Conflicts view=view.clone() />
                            {view.outcome.clone().map(|outcome| view! { <Outcome workspace zone=zone.clone() done=outcome /> })}
                            {(can_confirm && state == OrderState::Done).then(|| done.map(|done| view! {
                                <button class="button button-primary" data-testid="order-confirm-done"
                                    disabled=move || confirm.pending().get()
                                    on:click=move |_| { confirm.dispatch_local(done.clone()); }>
                                    {move || i18n.t(Key::WoConfirmDone)}
                                </button>
                            }))}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {move || confirm_problem.get().map(|key| view! {
                <p class="message message-error" role="alert">{move || i18n.t(key)}</p>
            })}
            {may_dispatch.then(|| view! {
                <Show when=move || open_form.get() fallback=move || view! {
                    <button class="button" data-testid="order-dispatch-open" on:click=move |_| open_form.set(true)>
                        {move || i18n.t(Key::WoDispatch)}
                    </button>
                }>
                    <DispatchForm workspace request=stored_request.get_value() on_done=move || open_form.set(false) />
                </Show>
            })}
        </section>
    }
}

#[component]
fn DispatchForm(
    workspace: WorkspaceRef,
    request: RequestView,
    on_done: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = I18n::get();
    let directory = directory_signal(workspace);
    let worker = RwSignal::new(String::new());
    let arrive_by = RwSignal::new(String::new());
    let urgent = RwSignal::new(false);
    let problem = RwSignal::new(None::<Key>);
    let request = StoredValue::new(request);
    let offered = Memo::new(move |_| directory.with(|staff| work_orders::repair_workers(staff)));
    let save = save_action(
        workspace,
        problem,
        error_key,
        move |_| on_done(),
        move |w: Write, ()| {
            let (request, staff) = (request.get_value(), directory.get_untracked());
            let (picked, arrive, is_urgent) = (
                worker.get_untracked(),
                site_instant(&arrive_by.get_untracked()),
                urgent.get_untracked(),
            );
            async move {
                work_orders::dispatch(
                    &w.writer, &w.site, &request, &staff, &picked, arrive, is_urgent, &w.who, w.now,
                )
                .await
            }
        },
    );
    let saving = save.pending();
    let submit = submit_with(save, problem, move || ());
    view! {
        <form class="action-form" data-testid="order-dispatch-form" on:submit=submit novalidate>
            <h3>{move || i18n.t(Key::WoDispatch)}</h3>
            <Field label=Key::WoWorker>
                <select data-testid="order-dispatch-worker" on:change=move |ev| worker.set(event_target_value(&ev))>
                    <option value="">"—"</option>
                    {move || offered.get().into_iter().map(|member| {
                        let zones = member.zones.join(" ");
                        view! { <option value=member.username.clone()>{format!("{} {zones}", member.name)}</option> }
                    }).collect_view()}
                </select>
            </Field>
            <Field label=Key::WoArriveBy>
                <input data-testid="order-dispatch-arrive-by" type="datetime-local" bind:value=arrive_by />
            </Field>
            <label class="check">
                <input type="checkbox" data-testid="order-dispatch-urgent" bind:checked=urgent />
                <span>{move || i18n.t(Key::WoUrgent)}</span>
            </label>
            <FormEnd problem error_id="order-dispatch-error" confirm_id="order-dispatch-confirm"
                confirm=Key::WoConfirm cancel=Key::WoCancel busy=saving on_cancel=on_done />
        </form>
    }
}

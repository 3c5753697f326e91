//! The work-order screens (维修单): a repair worker's own open orders,
//! urgent and newest first, readable and recordable offline; the
//! engineering supervisor's (and the heads') view of every worker's
//! orders by state and by worker with each worker's open load; one order
//! ([`detail`]) with its forms and its printable A4 sheet; and the section
//! of a request's screen that dispatches orders and confirms their work
//! ([`dispatch`]).
//!
//! Reads and writes go through [`crate::work_orders`]; this module decides
//! nothing about access (the server does) and writes nothing itself.
//!
//! Test ids: `orders` (with `data-count`), `orders-load-row` (with
//! `data-worker`, `data-open`), `orders-filter-state`, `orders-filter-worker`,
//! `order-item` (with `data-order-id`, `data-state`, `data-urgent`).

mod detail;
pub mod dispatch;
mod signature;

use leptos::prelude::*;
use leptos::task::spawn_local;
use roundbook_shared::work_orders::{OrderState, OrderView};

use crate::browser;
use crate::calendar::short_time;
use crate::i18n::{I18n, Key};
use crate::staff;
use crate::sync::SyncStatus;
use crate::ui::{noticed, WorkspaceRef};
use crate::work_orders;

pub(crate) fn state_key(state: OrderState) -> Key {
    match state {
        OrderState::Open => Key::WoStateOpen,
        OrderState::Arrived => Key::WoStateArrived,
        OrderState::Done => Key::WoStateDone,
        OrderState::CannotFix => Key::WoStateCannotFix,
        OrderState::Reassigned => Key::WoStateReassigned,
        OrderState::Cancelled => Key::WoStateCancelled,
    }
}

pub(crate) fn error_key(error: &work_orders::OrderError) -> Key {
    use roundbook_shared::work_orders::OrderRefusal;
    use work_orders::OrderError::*;
    match error {
        WorkerUnavailable => Key::WoErrWorker,
        ArrivalNeeded => Key::WoErrArrival,
        NoteNeeded => Key::WoErrNote,
        BadCharge => Key::WoErrCharge,
        SignatureTooBig => Key::WoErrSignature,
        TooManyPhotos => Key::WoErrPhotos,
        TextTooLong => Key::WoErrText,
        Refused(OrderRefusal::NotTheWorker) => Key::WoErrNotWorker,
        Refused(OrderRefusal::NotADispatcher) => Key::WoErrNotDispatcher,
        Refused(OrderRefusal::SameWorker) => Key::WoErrSameWorker,
        Refused(OrderRefusal::NoteMissing) => Key::WoErrNote,
        Refused(_) => Key::WoErrNotNow,
        NotFound => Key::WoErrNotFound,
        Busy => Key::WoErrBusy,
        Invalid(_) | NotSaved(_) => Key::WoErrNotSaved,
    }
}

/// The staff directory as last fetched, refreshed once when online (the
/// worker pickers and the load table).
pub(crate) fn directory_signal(
    workspace: WorkspaceRef,
) -> RwSignal<Vec<roundbook_shared::api::StaffMember>> {
    let (token, site) = workspace.with_value(|ws| {
        (
            ws.session.token().to_owned(),
            ws.session.site_code().to_owned(),
        )
    });
    let directory = RwSignal::new(staff::cached(&site));
    if browser::is_online() {
        spawn_local(async move {
            match staff::refresh(&token, &site).await {
                Ok(fresh) => {
                    directory.try_set(fresh);
                }
                Err(error) => noticed(&error),
            }
        });
    }
    directory
}

#[component]
pub fn OrdersTab(workspace: WorkspaceRef) -> impl IntoView {
    let opened = RwSignal::new(None::<String>);
    view! {
        {move || match opened.get() {
            Some(order_id) => view! {
                <detail::OrderDetail workspace order_id on_back=move || opened.set(None) />
            }
            .into_any(),
            None => view! { <OrderList workspace opened /> }.into_any(),
        }}
    }
}

#[component]
fn OrderList(workspace: WorkspaceRef, opened: RwSignal<Option<String>>) -> impl IntoView {
    let i18n = I18n::get();
    let status = expect_context::<SyncStatus>();
    let username = workspace.with_value(|ws| ws.session.username().to_owned());
    // Repair staff see their own orders; whoever holds other workers' logs
    // (the engineering supervisor, the heads) sees everyone's.
    let sees_all = workspace.with_value(|ws| {
        roundbook_shared::reach::holds_every_worker(
            ws.session.roles(),
            roundbook_shared::schema::DocKind::WorkOrderLog,
        )
    });
    let directory = directory_signal(workspace);
    let state_filter = RwSignal::new(String::new());
    let worker_filter = RwSignal::new(String::new());
    let me = username.clone();
    let orders = Memo::new(move |_| {
        status.revision.track();
        workspace.with_value(|ws| {
            if sees_all {
                work_orders::all_orders(&ws.library)
            } else {
                work_orders::orders_of(&ws.library, &me)
            }
        })
    });
    let shown = Memo::new(move |_| {
        let (state, worker) = (state_filter.get(), worker_filter.get());
        orders.with(|list| {
            list.iter()
                .filter(|(_, view)| {
                    if sees_all {
                        state.is_empty() || view.state.as_str() == state
                    } else {
                        view.state.is_open()
                    }
                })
                .filter(|(_, view)| worker.is_empty() || view.order.worker == worker)
                .map(|(_, view)| view.clone())
                .collect::<Vec<OrderView>>()
        })
    });
    let load = Memo::new(move |_| {
        orders.with(|list| directory.with(|staff| work_orders::open_load(list, staff)))
    });
    view! {
        <section class="card orders">
            <h2>{move || i18n.t(if sees_all { Key::WoTitleAll } else { Key::WoTitleMine })}</h2>
            {sees_all.then(|| view! {
                <h3>{move || i18n.t(Key::WoLoad)}</h3>
                <table class="table">
                    <tbody>
                        {move || load.get().into_iter().map(|(worker, name, open)| view! {
                            <tr data-testid="orders-load-row" data-worker=worker.clone() data-open=open.to_string()>
                                <td>{name}</td>
                                <td>{move || i18n.t(Key::WoOpenCount)} " " <strong>{open}</strong></td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <div class="button-row">
                    <label>
                        {move || i18n.label(Key::WoFilterState)} " "
                        <select data-testid="orders-filter-state" on:change=move |ev| state_filter.set(event_target_value(&ev))>
                            <option value="">{move || i18n.t(Key::WoAll)}</option>
                            {OrderState::ALL.into_iter().map(|state| view! {
                                <option value=state.as_str()>{move || i18n.t(state_key(state))}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label>
                        {move || i18n.label(Key::WoFilterWorker)} " "
                        <select data-testid="orders-filter-worker" on:change=move |ev| worker_filter.set(event_target_value(&ev))>
                            <option value="">{move || i18n.t(Key::WoAll)}</option>
                            {move || load.get().into_iter().map(|(worker, name, _)| view! {
                                <option value=worker>{name}</option>
                            }).collect_view()}
                        </select>
                    </label>
                </div>
            })}
            <ul class="plain-list" data-testid="orders" data-count=move || shown.with(Vec::len).to_string()>
                {move || {
                    let list = shown.get();
                    if list.is_empty() {
                        return view! { <li class="muted">{move || i18n.t(Key::WoNone)}</li> }.into_any();
                    }
                    list.into_iter().map(|view| {
                        let id = view.order.id.clone();
                        let open_id = id.clone();
                        let state = view.state;
                        let urgent = view.order.urgent;
                        view! {
                            <li
                                data-testid="order-item"
                                data-order-id=id.clone()
                                data-state=state.as_str()
                                data-urgent=urgent.to_string()
                            >
                                <button class="button button-quiet" on:click=move |_| opened.set(Some(open_id.clone()))>
                                    <strong>{view.order.unit_label.clone()}</strong> " "
                                    {urgent.then(|| view! { <span class="badge badge-alert">{move || i18n.t(Key::WoUrgent)}</span> " " })}
                                    <span class="badge">{move || i18n.t(state_key(state))}</span> " "
                                    {view.order.fault.clone()} " "
                                    <span class="muted">
                                        {move || i18n.label(Key::WoArriveBy)} " " {short_time(view.order.arrive_by)}
                                        {sees_all.then(|| format!(" · {}", view.order.worker_name))}
                                    </span>
                                </button>
                            </li>
                        }
                    }).collect_view().into_any()
                }}
            </ul>
        </section>
    }
}

//! One work order: what it is for, where it stands, the conflict between
//! offline edits if any, its history, the forms of the actions allowed now
//! (the worker: arrived, done with materials, charge, photos and the
//! resident's signature, cannot fix; everyone else: reassign and cancel,
//! warned when a reassignment was overtaken by the first worker), and the
//! printable A4 sheet (`@media print`).
//!
//! Test ids: `order-detail` (with `data-state`), `order-back`,
//! `order-conflict`, `order-overtaken`, `order-history-entry` (with `data-action`,
//! `data-superseded`), `order-action-{action}`, `order-form` with
//! `order-note`, `order-materials`, `order-charge`, `order-photos-before`,
//! `order-photos-after` (photo pickers), `order-signature-*`
//! ([`super::signature`]), `order-reassign-to`, `order-confirm`,
//! `order-error`; `order-print`, `order-print-sheet`, `order-signature-image`
//! (with `data-bytes`).

use leptos::prelude::*;
use roundbook_shared::schema::work_order::OrderAction;
use roundbook_shared::work_orders::OrderView;

use super::signature::{SignaturePad, Signed};
use super::{directory_signal, error_key, state_key};
use crate::browser;
use crate::calendar::short_time;
use crate::i18n::{filled, I18n, Key};
use crate::sync::SyncStatus;
use crate::ui::field::Field;
use crate::ui::form::{save_action, FormEnd, Write};
use crate::ui::history::{details, history_line, HistoryLine};
use crate::ui::photo::Photo;
use crate::ui::photo_picker::{when_failed, PhotoPicker, PickedPhotos};
use crate::ui::WorkspaceRef;
use crate::work_orders::{self, WorkDraft};

fn action_key(action: OrderAction) -> Key {
    match action {
        OrderAction::Arrive => Key::WoActionArrive,
        OrderAction::Done => Key::WoActionDone,
        OrderAction::CannotFix => Key::WoActionCannotFix,
        OrderAction::Reassign => Key::WoActionReassign,
        OrderAction::Cancel => Key::WoActionCancel,
    }
}

#[component]
pub(super) fn OrderDetail(
    workspace: WorkspaceRef,
    order_id: String,
    on_back: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = I18n::get();
    let status = expect_context::<SyncStatus>();
    let read_id = order_id.clone();
    let view = Memo::new(move |_| {
        status.revision.track();
        workspace.with_value(|ws| work_orders::order(&ws.library, &read_id).map(|(_, view)| view))
    });
    let username = workspace.with_value(|ws| ws.session.username().to_owned());
    let chosen = RwSignal::new(None::<OrderAction>);
    view! {
        <div class="order-detail" data-testid="order-detail" data-state=move || view.with(|v| v.as_ref().map(|v| v.state.as_str()).unwrap_or(""))>
            <button class="button button-quiet no-print" data-testid="order-back" on:click=move |_| on_back()>
                {move || i18n.t(Key::WoBack)}
            </button>
            {move || match view.get() {
                None => view! { <p class="message message-error">{move || i18n.t(Key::WoErrNotFound)}</p> }.into_any(),
                Some(order) => {
                    let actions = order.actions_for(&username);
                    let order_id = order.order.id.clone();
                    view! {
                        <Facts workspace view=order.clone() />
                        <Conflicts view=order.clone() />
                        <Overtaken workspace view=order.clone() />
                        <section class="card no-print">
                            <div class="actions">
                                {actions.into_iter().map(|action| view! {
                                    <button
                                        class="button"
                                        class:button-primary=action == OrderAction::Done
                                        data-testid=format!("order-action-{}", action.as_str().replace('_', "-"))
                                        on:click=move |_| chosen.set(Some(action))
                                    >
                                        {move || i18n.t(action_key(action))}
                                    </button>
                                }).collect_view()}
                                <button class="button button-quiet" data-testid="order-print" on:click=move |_| browser::print()>
                                    {move || i18n.t(Key::WoPrint)}
                                </button>
                            </div>
                            {
                                let (zone, order_id) = (order.order.zone.clone(), order_id.clone());
                                move || chosen.get().map(|action| view! {
                                    <ActionForm workspace zone=zone.clone() order_id=order_id.clone() action on_done=move || chosen.set(None) />
                                })
                            }
                        </section>
                        <History view=order.clone() />
                        <PrintSheet workspace view=order />
                    }
                    .into_any()
                }
            }}
        </div>
    }
}

#[component]
fn Facts(workspace: WorkspaceRef, view: OrderView) -> impl IntoView {
    let i18n = I18n::get();
    let order = view.order.clone();
    let state = view.state;
    let zone = order.zone.clone();
    let outcome = view.outcome.clone();
    view! {
        <section class="card no-print">
            <h2>
                {order.unit_label.clone()} " "
                <span class="badge">{move || i18n.t(state_key(state))}</span>
                {order.urgent.then(|| view! { " " <span class="badge badge-alert">{move || i18n.t(Key::WoUrgent)}</span> })}
            </h2>
            <p>{order.fault.clone()}</p>
            <dl class="facts">
                <dt>{move || i18n.t(Key::WoResident)}</dt><dd>{order.resident_name.clone()}</dd>
                <dt>{move || i18n.t(Key::WoPhone)}</dt><dd data-testid="order-phone">{order.contact_phone.clone()}</dd>
                <dt>{move || i18n.t(Key::WoArriveBy)}</dt><dd>{short_time(order.arrive_by)}</dd>
                <dt>{move || i18n.t(Key::WoWorker)}</dt><dd data-testid="order-worker">{order.worker_name.clone()}</dd>
                <dt>{move || i18n.t(Key::WoDispatchedBy)}</dt><dd>{order.dispatched_by_name.clone()} " " {short_time(order.dispatched_at)}</dd>
                {view.arrived_at.map(|at| view! {
                    <dt>{move || i18n.t(Key::WoArrivedAt)}</dt><dd data-testid="order-arrived-at">{short_time(at)}</dd>
                })}
            </dl>
            <div class="thumbs">
                {order.photos.iter().map(|hash| view! {
                    <figure class="thumb"><Photo workspace zone=zone.clone() hash=hash.clone() /></figure>
                }).collect_view()}
            </div>
            {outcome.map(|done| view! { <Outcome workspace zone=zone.clone() done /> })}
        </section>
    }
}

/// What the worker recorded when finishing: the work (or the reason),
/// materials, charge, photos and the signature.
#[component]
pub(crate) fn Outcome(
    workspace: WorkspaceRef,
    zone: String,
    done: roundbook_shared::schema::work_order::WorkOrderEvent,
) -> impl IntoView {
    let i18n = I18n::get();
    let photos = |hashes: &[String], zone: &str| {
        hashes
            .iter()
            .map(|hash| view! { <figure class="thumb"><Photo workspace zone=zone.to_owned() hash=hash.clone() /></figure> })
            .collect_view()
    };
    let note_label = if done.action() == Some(OrderAction::Done) {
        Key::WoWorkDone
    } else {
        Key::WoReason
    };
    let signature = (!done.signature.is_empty()).then(|| {
        let (hash, bytes) = (done.signature.clone(), done.signature_bytes);
        view! {
            <dt>{move || i18n.t(Key::WoSignature)}</dt>
            <dd class="signature" data-testid="order-signature-image" data-bytes=bytes.to_string()>
                <Photo workspace zone=zone.clone() hash />
            </dd>
        }
    });
    view! {
        <dl class="facts" data-testid="order-outcome" data-action=done.action.clone()>
            <dt>{move || i18n.t(note_label)}</dt><dd data-testid="order-outcome-note">{done.note.clone()}</dd>
            {(!done.materials.is_empty()).then(|| view! {
                <dt>{move || i18n.t(Key::WoMaterials)}</dt><dd>{done.materials.clone()}</dd>
            })}
            {(done.charge_fen > 0).then(|| view! {
                <dt>{move || i18n.t(Key::WoCharge)}</dt><dd data-testid="order-outcome-charge">{work_orders::yuan(done.charge_fen)}</dd>
            })}
            {signature}
        </dl>
        <div class="thumbs" data-testid="order-outcome-photos">
            {photos(&done.photos_before, &zone)}
            {photos(&done.photos_after, &zone)}
        </div>
    }
}

#[component]
pub(crate) fn Conflicts(view: OrderView) -> impl IntoView {
    let i18n = I18n::get();
    view.conflicts
        .into_iter()
        .map(|conflict| {
            let who = conflict
                .stood
                .as_ref()
                .and_then(|id| conflict.events.iter().find(|event| &event.id == id))
                .map(|event| event.by_name.clone())
                .unwrap_or_default();
            view! {
                <p class="banner banner-warn no-print" role="status" data-testid="order-conflict">
                    {move || filled(Key::WoConflict, i18n.lang(), &[("who", &who)])}
                </p>
            }
        })
        .collect_view()
}

/// A new order whose reassignment did not stand: the first worker
/// finished the original order first (see `work_orders::overtaken_by`).
#[component]
fn Overtaken(workspace: WorkspaceRef, view: OrderView) -> impl IntoView {
    let i18n = I18n::get();
    let from = workspace.with_value(|ws| work_orders::overtaken_by(&ws.library, &view))?;
    let who = from.order.worker_name.clone();
    let state = from.state;
    Some(view! {
        <p class="banner banner-warn no-print" role="status" data-testid="order-overtaken">
            {move || filled(Key::WoOvertaken, i18n.lang(), &[("who", &who), ("state", state_key(state).text(i18n.lang()))])}
        </p>
    })
}

#[component]
fn History(view: OrderView) -> impl IntoView {
    let i18n = I18n::get();
    view! {
        <section class="card no-print">
            <h3>{move || i18n.t(Key::WoHistory)}</h3>
            <ol class="history">
                {view.history.into_iter().map(|entry| {
                    let event = entry.event;
                    let line = HistoryLine {
                        label: event.action().map(action_key),
                        detail: details([event.to_name.clone(), event.note.clone()]),
                        action: event.action,
                        at: event.at,
                        by_name: event.by_name,
                        superseded: entry.superseded.is_some(),
                        device: None,
                    };
                    history_line("order-history-entry", line, Key::WoSuperseded)
                }).collect_view()}
            </ol>
        </section>
    }
}

#[component]
fn ActionForm(
    workspace: WorkspaceRef,
    zone: String,
    order_id: String,
    action: OrderAction,
    on_done: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = I18n::get();
    let note = RwSignal::new(String::new());
    let materials = RwSignal::new(String::new());
    let charge = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let before = PickedPhotos::new();
    let after = PickedPhotos::new();
    let signed = Signed::new();
    let problem = RwSignal::new(None::<Key>);
    let directory = if action == OrderAction::Reassign {
        Some(directory_signal(workspace))
    } else {
        None
    };
    let site_zone = zone.clone();
    let save = save_action(
        workspace,
        problem,
        error_key,
        move |_| on_done(),
        move |w: Write, draft: WorkDraft| {
            let order_id = order_id.clone();
            let staff = directory
                .map(|list| list.get_untracked())
                .unwrap_or_default();
            async move {
                work_orders::record(&w.writer, &w.site, &order_id, &w.who, &draft, &staff, w.now)
                    .await
            }
        },
    );
    let saving = save.pending();
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if saving.get_untracked() || before.processing_untracked() || after.processing_untracked() {
            return;
        }
        problem.set(None);
        let mut draft = WorkDraft::new(action);
        draft.note = note.get_untracked();
        draft.materials = materials.get_untracked();
        draft.charge = charge.get_untracked();
        draft.photos_before = before.hashes_untracked();
        draft.photos_after = after.hashes_untracked();
        draft.to = to.get_untracked();
        if action == OrderAction::Done {
            // The charge is checked before the signature is stored.
            if let Err(error) = work_orders::charge_fen(&draft.charge) {
                problem.set(Some(error_key(&error)));
                return;
            }
            if draft.note.trim().is_empty() {
                problem.set(Some(Key::WoErrNote));
                return;
            }
            let (blobs, zone) = (
                workspace.with_value(|ws| ws.blobs.clone()),
                site_zone.clone(),
            );
            leptos::task::spawn_local(async move {
                match signed.store(&blobs, &zone).await {
                    Ok(signature) => {
                        draft.signature = signature;
                        save.dispatch_local(draft);
                    }
                    Err(key) => {
                        problem.try_set(Some(key));
                    }
                }
            });
            return;
        }
        save.dispatch_local(draft);
    };
    let on_problem = when_failed(move || problem.set(Some(Key::WoErrPhoto)));
    let photo_zone = Signal::stored(zone.clone());
    view! {
        <form class="action-form" data-testid="order-form" data-action=action.as_str() on:submit=submit novalidate>
            <h3>{move || i18n.t(action_key(action))}</h3>
            {(action == OrderAction::Reassign).then(|| {
                let offered = Memo::new(move |_| {
                    directory
                        .map(|list| list.with(|staff| work_orders::repair_workers(staff)))
                        .unwrap_or_default()
                });
                view! {
                    <Field label=Key::WoWorker>
                        <select data-testid="order-reassign-to" on:change=move |ev| to.set(event_target_value(&ev))>
                            <option value="">"—"</option>
                            {move || offered.get().into_iter().map(|member| view! {
                                <option value=member.username.clone()>{member.name.clone()}</option>
                            }).collect_view()}
                        </select>
                    </Field>
                }
            })}
            {(action == OrderAction::Done).then(|| view! {
                <Field label=Key::WoPhotosBefore>
                    <PhotoPicker workspace zone=photo_zone photos=before label=Key::WoAddBefore testid="order-photos-before" on_problem />
                </Field>
                <Field label=Key::WoPhotosAfter>
                    <PhotoPicker workspace zone=photo_zone photos=after label=Key::WoAddAfter testid="order-photos-after" on_problem />
                </Field>
                <Field label=Key::WoMaterials>
                    <input data-testid="order-materials" maxlength="1000" bind:value=materials />
                </Field>
                <Field label=Key::WoCharge>
                    <input data-testid="order-charge" inputmode="decimal" maxlength="12" bind:value=charge />
                </Field>
                <SignaturePad signed />
            })}
            {(action != OrderAction::Arrive).then(|| view! {
                <Field label=if action == OrderAction::Done { Key::WoWorkDone } else { Key::WoReason }>
                    <textarea data-testid="order-note" rows="2" maxlength="2000" bind:value=note></textarea>
                </Field>
            })}
            <FormEnd problem error_id="order-error" confirm_id="order-confirm"
                confirm=Key::WoConfirm cancel=Key::WoCancel on_cancel=on_done
                busy=Signal::derive(move || saving.get() || before.processing() || after.processing()) />
        </form>
    }
}

/// The A4 维修单, shown only when printing.
#[component]
fn PrintSheet(workspace: WorkspaceRef, view: OrderView) -> impl IntoView {
    let i18n = I18n::get();
    let order = view.order.clone();
    let done = view.outcome.clone();
    let zone = order.zone.clone();
    let field =
        |done: &Option<roundbook_shared::schema::work_order::WorkOrderEvent>,
         pick: fn(&roundbook_shared::schema::work_order::WorkOrderEvent) -> String| {
            done.as_ref().map(pick).unwrap_or_default()
        };
    let note = field(&done, |d| d.note.clone());
    let materials = field(&done, |d| d.materials.clone());
    let charge = field(&done, |d| {
        if d.charge_fen > 0 {
            work_orders::yuan(d.charge_fen)
        } else {
            String::new()
        }
    });
    let signature = done
        .as_ref()
        .filter(|d| !d.signature.is_empty())
        .map(|d| d.signature.clone());
    view! {
        <section class="print-only work-order-sheet" data-testid="order-print-sheet">
            <h1>{move || i18n.t(Key::WoPrintTitle)} " " <small>{order.id.clone()}</small></h1>
            <table class="sheet-table">
                <tbody>
                    <tr><th>{move || i18n.t(Key::WoUnit)}</th><td>{order.unit_label.clone()}</td>
                        <th>{move || i18n.t(Key::WoResident)}</th><td>{order.resident_name.clone()}</td></tr>
                    <tr><th>{move || i18n.t(Key::WoPhone)}</th><td>{roundbook_shared::domain::mask_phone(&order.contact_phone)}</td>
                        <th>{move || i18n.t(Key::WoWorker)}</th><td>{order.worker_name.clone()}</td></tr>
                    <tr><th>{move || i18n.t(Key::WoDispatchedAt)}</th><td>{short_time(order.dispatched_at)}</td>
                        <th>{move || i18n.t(Key::WoArrivedAt)}</th><td>{view.arrived_at.map(short_time).unwrap_or_default()}</td></tr>
                    <tr><th>{move || i18n.t(Key::WoFault)}</th><td colspan="3">{order.fault.clone()}</td></tr>
                    <tr><th>{move || i18n.t(Key::WoWorkDone)}</th><td colspan="3">{note}</td></tr>
                    <tr><th>{move || i18n.t(Key::WoMaterials)}</th><td colspan="3">{materials}</td></tr>
                    <tr><th>{move || i18n.t(Key::WoCharge)}</th><td colspan="3">{charge}</td></tr>
                </tbody>
            </table>
            <div class="print-signatures">
                <div class="print-signature">
                    {move || i18n.t(Key::WoSignature)}
                    {signature.map(|hash| view! { <Photo workspace zone=zone.clone() hash /> })}
                </div>
                <p class="print-signature">{move || i18n.t(Key::WoSignWorker)}</p>
            </div>
        </section>
    }
}

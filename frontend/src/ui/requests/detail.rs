//! One request: its intake, time limits, conflicts between offline edits,
//! full history, and the actions allowed now (only those are offered).
//!
//! Test ids: `request-detail` (with `data-state`), `request-back`,
//! `request-detail-phone`, `request-detail-finding` (a request born of a
//! patrol finding, with `data-finding-id`), `request-detail-checkpoint`,
//! `request-conflict` (with `data-field`),
//! `request-history-entry` (with `data-action`, `data-superseded`, `data-device`),
//! `request-next-step` (the expected step, its button with `data-next="true"`),
//! `request-action-{action}` (e.g. `request-action-assign`), the action form
//! `request-action-form` with `request-action-text` (the note), `request-action-assignee`
//! (a select of usernames: [`AssigneePicker`]),
//! `request-action-classification`, `request-action-reply-by`,
//! `request-action-handling`, `request-action-satisfaction`,
//! `request-action-target`, `request-action-on-the-spot`,
//! `request-action-confirm`, and `request-action-error`.

use chrono::NaiveDate;
use leptos::prelude::*;
use roundbook_shared::deadline::deadlines;
use roundbook_shared::domain::{end_of_day, local_date};
use roundbook_shared::schema::request::{
    Action, Classification, Handling, ReportTarget, RequestKind, Satisfaction,
};
use roundbook_shared::workflow::{Field, RequestView};

use super::assignee::AssigneePicker;
use super::{
    action_key, channel_key, classification_key, error_key, handling_key, kind_key,
    satisfaction_key, shown_phone, state_key, target_key, DeadlineBadge,
};
use crate::browser;
use crate::calendar::{short_time, site_instant};
use crate::i18n::{filled, I18n, Key};
use crate::requests::{self, EventDraft};
use crate::sync::SyncStatus;
use crate::ui::field::Field;
use crate::ui::form::{save_action, submit_with, FormEnd, Write};
use crate::ui::history::{details, history_line, HistoryLine};
use crate::ui::orders::dispatch::RequestOrders;
use crate::ui::photo::Photo;
use crate::ui::select::WordSelect;
use crate::ui::WorkspaceRef;

#[component]
pub(super) fn RequestDetail(
    workspace: WorkspaceRef,
    zone: String,
    request_id: String,
    on_back: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = I18n::get();
    let status = expect_context::<SyncStatus>();
    let (read_zone, read_id) = (zone.clone(), request_id.clone());
    let view = Memo::new(move |_| {
        status.revision.track();
        workspace.with_value(|ws| {
            requests::request(&ws.library, ws.session.site_code(), &read_zone, &read_id)
                .map(|(_, view)| view)
        })
    });
    let username = workspace.with_value(|ws| ws.session.username().to_owned());
    let username = StoredValue::new(username);
    let chosen = RwSignal::new(None::<Action>);
    view! {
        <div class="request-detail" data-testid="request-detail" data-state=move || view.with(|v| v.as_ref().map(|v| v.state.as_str()).unwrap_or(""))>
            <button class="button button-quiet no-print" data-testid="request-back" on:click=move |_| on_back()>
                {move || i18n.t(Key::ReqBack)}
            </button>
            {move || {
                let (zone, request_id) = (zone.clone(), request_id.clone());
                match view.get() {
                None => view! { <p class="message message-error">{move || i18n.t(Key::ReqErrNotFound)}</p> }.into_any(),
                Some(request) => {
                    let actions = request.actions_for(&username.get_value());
                    let next = request.next_step(&username.get_value());
                    view! {
                        <Intake workspace zone=zone.clone() view=request.clone() />
                        <Conflicts view=request.clone() />
                        <section class="card">
                            <h3>{move || i18n.t(Key::ReqDeadlines)}</h3>
                            <ul class="plain">
                                {deadlines(&request, browser::now_ms())
                                    .into_iter()
                                    .map(|deadline| view! { <li><DeadlineBadge deadline /></li> })
                                    .collect_view()}
                            </ul>
                        </section>
                        <RequestOrders workspace request=request.clone() />
                        <section class="card no-print">
                            <ActionButtons actions next chosen />
                            {
                                let kind = request.request.kind();
                                let (zone, request_id) = (zone.clone(), request_id.clone());
                                move || chosen.get().map(|action| view! {
                                <ActionForm
                                    workspace
                                    zone=zone.clone()
                                    request_id=request_id.clone()
                                    kind
                                    action
                                    on_done=move || chosen.set(None)
                                />
                            })}
                        </section>
                        <History view=request.clone() />
                    }
                    .into_any()
                }
            }}}
        </div>
    }
}

/// The actions allowed now: the step the request expects next first and
/// prominent, the others after it.
#[component]
fn ActionButtons(
    actions: Vec<Action>,
    next: Option<Action>,
    chosen: RwSignal<Option<Action>>,
) -> impl IntoView {
    let i18n = I18n::get();
    let others = actions
        .into_iter()
        .filter(move |action| Some(*action) != next);
    let button = move |action: Action, primary: bool| {
        view! {
            <button
                class="button"
                class:button-primary=primary
                data-testid=format!("request-action-{}", action.as_str().replace('_', "-"))
                data-next=primary.to_string()
                aria-pressed=move || (chosen.get() == Some(action)).to_string()
                on:click=move |_| chosen.set(Some(action))
            >
                {move || i18n.t(action_key(action))}
            </button>
        }
    };
    view! {
        {next.map(|action| view! {
            <div class="next-step" data-testid="request-next-step">
                <span class="muted">{move || i18n.label(Key::ReqNextStep)}</span>
                {button(action, true)}
            </div>
        })}
        <div class="actions">
            {others.map(|action| button(action, false)).collect_view()}
        </div>
    }
}

#[component]
fn Intake(workspace: WorkspaceRef, zone: String, view: RequestView) -> impl IntoView {
    let i18n = I18n::get();
    let request = view.request.clone();
    let phone = shown_phone(workspace, &request.contact_phone);
    let kind = request.kind();
    let channel = request.channel();
    let state = view.state;
    // A request born of a patrol finding: a badge, and where the guard found it.
    let finding_badge = (!request.finding_id.is_empty()).then(|| {
        let finding = request.finding_id.clone();
        view! {
            " " <span class="badge" data-testid="request-detail-finding" data-finding-id=finding>
                {move || i18n.t(Key::ReqFromFinding)}
            </span>
        }
    });
    let checkpoint = (!request.checkpoint_label.is_empty()).then(|| {
        let label = request.checkpoint_label.clone();
        view! {
            <dt>{move || i18n.t(Key::ReqCheckpoint)}</dt>
            <dd data-testid="request-detail-checkpoint">{label}</dd>
        }
    });
    let place = if request.unit_label.is_empty() {
        request.checkpoint_label.clone()
    } else {
        request.unit_label.clone()
    };
    view! {
        <section class="card">
            <h2>
                {place} " "
                <span class="badge">{move || i18n.t(kind_key(kind))}</span> " "
                <span class="badge">{move || i18n.t(state_key(state))}</span>
                {finding_badge}
                {request.collective.then(|| view! {
                    " " <span class="badge badge-alert">{move || i18n.t(Key::ReqCollective)}</span>
                })}
            </h2>
            <p>{request.description.clone()}</p>
            <dl class="facts">
                <dt>{move || i18n.t(Key::ReqChannel)}</dt><dd>{move || i18n.t(channel_key(channel))}</dd>
                {checkpoint}
                <dt>{move || i18n.t(Key::ReqResident)}</dt><dd>{request.resident_name.clone()}</dd>
                <dt>{move || i18n.t(Key::ReqPhone)}</dt><dd data-testid="request-detail-phone">{phone}</dd>
                <dt>{move || i18n.t(Key::ReqReceived)}</dt><dd>{short_time(request.received_at)}</dd>
                <dt>{move || i18n.t(Key::ReqOwner)}</dt><dd>{request.received_by_name.clone()}</dd>
                <dt>{move || i18n.t(Key::ReqAssignee)}</dt>
                <dd data-testid="request-detail-assignee">{view.assignee.clone().map(|(_, name)| name).unwrap_or_default()}</dd>
                {view.classification.map(|c| view! {
                    <dt>{move || i18n.t(Key::ReqClassification)}</dt><dd>{move || i18n.t(classification_key(c))}</dd>
                })}
                {view.handling.map(|h| view! {
                    <dt>{move || i18n.t(Key::ReqHandling)}</dt><dd>{move || i18n.t(handling_key(h))}</dd>
                })}
                {view.follow_up.clone().map(|follow_up| {
                    let reference = (!follow_up.reference.is_empty())
                        .then(|| format!(" · {}", follow_up.reference));
                    view! {
                        <dt>{move || i18n.t(Key::ReqFollowUp)}</dt>
                        <dd data-testid="request-detail-follow-up">
                            {follow_up.party} {reference} " · " {local_date(follow_up.due_at).to_string()}
                        </dd>
                    }
                })}
            </dl>
            <div class="thumbs">
                {request.photos.iter().map(|hash| view! {
                    <figure class="thumb"><Photo workspace zone=zone.clone() hash=hash.clone() /></figure>
                }).collect_view()}
            </div>
        </section>
    }
}

/// Fields two tablets set offline without seeing each other's edit.
#[component]
fn Conflicts(view: RequestView) -> impl IntoView {
    let i18n = I18n::get();
    view.conflicts
        .into_iter()
        .map(|conflict| {
            let field = match conflict.field {
                Field::State => Key::ReqFieldState,
                Field::Assignee => Key::ReqFieldAssignee,
                Field::Classification => Key::ReqFieldClassification,
                Field::Handling => Key::ReqFieldHandling,
            };
            let who = conflict
                .stood
                .as_ref()
                .and_then(|id| conflict.events.iter().find(|event| &event.id == id))
                .map(|event| event.by_name.clone())
                .unwrap_or_default();
            let field_word = match conflict.field {
                Field::State => "state",
                Field::Assignee => "assignee",
                Field::Classification => "classification",
                Field::Handling => "handling",
            };
            view! {
                <p class="banner banner-warn" role="status" data-testid="request-conflict" data-field=field_word>
                    {move || filled(Key::ReqConflict, i18n.lang(), &[("field", i18n.t(field)), ("who", &who)])}
                </p>
            }
        })
        .collect_view()
}

#[component]
fn History(view: RequestView) -> impl IntoView {
    let i18n = I18n::get();
    view! {
        <section class="card">
            <h3>{move || i18n.t(Key::ReqHistory)}</h3>
            <ol class="history">
                {view
                    .history
                    .into_iter()
                    .map(|entry| {
                        let event = entry.event;
                        let detail = details([
                            event.assignee_name.clone(),
                            Classification::parse(&event.classification).map(|c| i18n.t(classification_key(c)).to_owned()).unwrap_or_default(),
                            Handling::parse(&event.handling).map(|h| i18n.t(handling_key(h)).to_owned()).unwrap_or_default(),
                            Satisfaction::parse(&event.satisfaction).map(|s| i18n.t(satisfaction_key(s)).to_owned()).unwrap_or_default(),
                            ReportTarget::parse(&event.target).map(|t| i18n.t(target_key(t)).to_owned()).unwrap_or_default(),
                            event.note.clone(),
                        ]);
                        let line = HistoryLine {
                            label: event.action().map(action_key),
                            action: event.action,
                            at: event.at,
                            by_name: event.by_name,
                            detail,
                            superseded: entry.superseded.is_some(),
                            device: Some(event.device),
                        };
                        history_line("request-history-entry", line, Key::ReqSuperseded)
                    })
                    .collect_view()}
            </ol>
        </section>
    }
}

#[component]
fn ActionForm(
    workspace: WorkspaceRef,
    zone: String,
    request_id: String,
    kind: RequestKind,
    action: Action,
    on_done: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = I18n::get();
    let note = RwSignal::new(String::new());
    let assignee = RwSignal::new(String::new());
    let assignee_name = RwSignal::new(String::new());
    let picker_zone = zone.clone();
    let classification = RwSignal::new(Classification::Valid);
    let reply_by = RwSignal::new(String::new());
    let handling = RwSignal::new(Handling::Normal);
    let party = RwSignal::new(String::new());
    let reference = RwSignal::new(String::new());
    let follow_up_by = RwSignal::new(String::new());
    let satisfaction = RwSignal::new(Satisfaction::Satisfied);
    let target = RwSignal::new(ReportTarget::Head);
    let on_the_spot = RwSignal::new(false);
    let problem = RwSignal::new(None::<Key>);
    // `Action` here is the workflow's; this is Leptos's.
    let save = save_action(
        workspace,
        problem,
        error_key,
        move |_| on_done(),
        move |w: Write, draft: EventDraft| {
            let (zone, request_id) = (zone.clone(), request_id.clone());
            async move {
                requests::record_event(
                    &w.writer,
                    &w.site,
                    &zone,
                    &request_id,
                    &w.who,
                    &draft,
                    w.now,
                )
                .await
            }
        },
    );
    let saving = save.pending();

    let submit = submit_with(save, problem, move || {
        let mut draft = EventDraft::new(action);
        draft.note = note.get_untracked();
        draft.assignee = assignee.get_untracked();
        draft.assignee_name = assignee_name.get_untracked();
        draft.classification = Some(classification.get_untracked());
        draft.reply_by = site_instant(&reply_by.get_untracked());
        draft.handling = Some(handling.get_untracked());
        draft.party = party.get_untracked();
        draft.reference = reference.get_untracked();
        draft.follow_up_by = NaiveDate::parse_from_str(&follow_up_by.get_untracked(), "%Y-%m-%d")
            .ok()
            .map(end_of_day);
        draft.satisfaction = Some(satisfaction.get_untracked());
        draft.target = Some(target.get_untracked());
        draft.on_the_spot = on_the_spot.get_untracked();
        draft
    });

    let wants_note = !matches!(
        action,
        Action::Accept | Action::Start | Action::Close | Action::Mark
    );
    view! {
        <form class="action-form" data-testid="request-action-form" data-action=action.as_str() on:submit=submit novalidate>
            <h3>{move || i18n.t(action_key(action))}</h3>
            {matches!(action, Action::Assign | Action::Transfer).then(|| view! {
                <AssigneePicker workspace zone=picker_zone.clone() assignee assignee_name />
            })}
            {(action == Action::Classify).then(|| view! {
                <WordSelect label=Key::ReqClassification testid="request-action-classification" value=classification />
                <Show when=move || classification.get() == Classification::Valid>
                    <Field label=Key::ReqReplyBy>
                        <input data-testid="request-action-reply-by" type="datetime-local" bind:value=reply_by />
                    </Field>
                </Show>
            })}
            {(action == Action::Mark).then(|| view! {
                <WordSelect label=Key::ReqHandling testid="request-action-handling" value=handling />
                <Show when=move || handling.get().is_outside()>
                    <Field label=Key::ReqParty>
                        <input data-testid="request-action-party" maxlength="100" bind:value=party />
                    </Field>
                    <Show when=move || handling.get() == Handling::Q>
                        <Field label=Key::ReqReference>
                            <input data-testid="request-action-reference" maxlength="100" bind:value=reference />
                        </Field>
                    </Show>
                    <Field label=Key::ReqFollowUpBy>
                        <input data-testid="request-action-follow-up" type="date" bind:value=follow_up_by />
                    </Field>
                </Show>
            })}
            {(action == Action::Callback).then(|| view! {
                <WordSelect label=Key::ReqSatisfaction testid="request-action-satisfaction" value=satisfaction />
            })}
            {(action == Action::Report).then(|| view! {
                <WordSelect label=Key::ReqTarget testid="request-action-target" value=target />
            })}
            {(action == Action::Done && kind == RequestKind::Complaint).then(|| view! {
                <label class="check">
                    <input type="checkbox" data-testid="request-action-on-the-spot" bind:checked=on_the_spot />
                    <span>{move || i18n.t(Key::ReqOnTheSpot)}</span>
                </label>
            })}
            {wants_note.then(|| view! {
                <Field label=Key::ReqNote>
                    <textarea data-testid="request-action-text" rows="2" maxlength="2000" bind:value=note></textarea>
                </Field>
            })}
            <FormEnd problem error_id="request-action-error" confirm_id="request-action-confirm"
                confirm=Key::ReqConfirm cancel=Key::ReqCancel busy=saving on_cancel=on_done />
        </form>
    }
}

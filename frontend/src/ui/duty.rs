//! The duty log (值班记录): one day's lines (entries and the requests taken
//! that day), writing an entry, the supervisor's sign-off of the day and
//! the head's spot-checks with the month's check rate. Offline like every
//! screen; the reads and writes are `crate::duty_log`.
//!
//! Test ids: `duty` (with `data-day`, `data-lines`, `data-signed`,
//! `data-unseen`, `data-checked`, `data-month-lines`), `duty-day`,
//! `duty-rate`, `duty-sign`, `duty-signed`, `duty-sign-error`,
//! `duty-add-open`, `duty-form`, `duty-topic`, `duty-zone`, `duty-unit`,
//! `duty-caller`, `duty-phone`, `duty-what`, `duty-outcome`,
//! `duty-add-confirm`, `duty-error`, `duty-line` (with `data-source`,
//! `data-checked`), `duty-check-ok`, `duty-check-issue`, `duty-check-note`,
//! `duty-check-confirm`, `duty-check-error`.

use chrono::NaiveDate;
use leptos::prelude::*;
use roundbook_shared::duty_log::{
    CheckRefusal, DayState, Line, LineSource, SignoffRefusal, MIN_CHECK_PERCENT,
};
use roundbook_shared::schema::duty::Topic;
use roundbook_shared::schema::Container;

use super::field::Field;
use super::form::{save_action, submit_with, FormEnd, Write};
use super::requests::kind_key;
use super::WorkspaceRef;
use crate::calendar::{clock_time, today};
use crate::duty_log::{self, DutyError, EntryDraft};
use crate::i18n::{filled, I18n, Key};
use crate::sync::SyncStatus;

fn topic_key(topic: Topic) -> Key {
    match topic {
        Topic::Enquiry => Key::DutyTopicEnquiry,
        Topic::Notice => Key::DutyTopicNotice,
        Topic::Delivery => Key::DutyTopicDelivery,
        Topic::Other => Key::DutyTopicOther,
    }
}

fn error_key(error: &DutyError) -> Key {
    match error {
        DutyError::WhatNeeded => Key::DutyErrWhat,
        DutyError::BadPhone => Key::DutyErrPhone,
        DutyError::TextTooLong => Key::DutyErrText,
        DutyError::NoteNeeded => Key::DutyErrNote,
        DutyError::Signoff(SignoffRefusal::NotASigner) => Key::DutyErrNotASigner,
        DutyError::Signoff(SignoffRefusal::FutureDay) => Key::DutyErrFutureDay,
        DutyError::Signoff(SignoffRefusal::AlreadySigned) => Key::DutyErrSigned,
        DutyError::Check(CheckRefusal::NotAChecker) => Key::DutyErrNotAChecker,
        DutyError::Check(CheckRefusal::AlreadyChecked) => Key::DutyErrChecked,
        DutyError::NotFound => Key::DutyErrNotFound,
        DutyError::Busy => Key::DutyErrBusy,
        DutyError::NotSaved(_) => Key::DutyErrNotSaved,
    }
}

#[component]
pub fn DutyTab(workspace: WorkspaceRef) -> impl IntoView {
    let i18n = I18n::get();
    let status = expect_context::<SyncStatus>();
    let day_text = RwSignal::new(today().format("%Y-%m-%d").to_string());
    let day = Memo::new(move |_| {
        NaiveDate::parse_from_str(&day_text.get(), "%Y-%m-%d").unwrap_or_else(|_| today())
    });
    let month = Memo::new(move |_| {
        status.revision.track();
        let day = day.get();
        workspace.with_value(|ws| duty_log::month(&ws.library, day))
    });
    let lines = Memo::new(move |_| month.with(|month| month.day(day.get())));
    let state = Memo::new(move |_| month.with(|month| month.day_state(day.get())));
    let rate = Memo::new(move |_| month.with(|month| month.rate()));
    let roles = workspace.with_value(|ws| ws.session.roles().to_vec());
    let signs = Container::DaySignoffs.written_by(&roles);
    let checks = Container::SpotChecks.written_by(&roles);
    let adding = RwSignal::new(false);
    let signed = move || matches!(state.get(), DayState::Signed { .. });
    let unseen = move || match state.get() {
        DayState::Signed { unseen, .. } => unseen,
        DayState::Unsigned => 0,
    };
    view! {
        <h1 class="page-title">{move || i18n.t(Key::DutyTitle)}</h1>
        <section class="card" data-testid="duty"
            data-day=move || day.get().to_string()
            data-lines=move || lines.with(Vec::len).to_string()
            data-signed=move || signed().to_string()
            data-unseen=move || unseen().to_string()
            data-checked=move || rate.get().checked.to_string()
            data-month-lines=move || rate.get().lines.to_string()>
            <Field label=Key::DutyDay inline=true>
                <input type="date" data-testid="duty-day" max=today().to_string() bind:value=day_text />
            </Field>
            <p data-testid="duty-rate" class:message-error=move || !rate.get().meets()>
                {move || {
                    let rate = rate.get();
                    filled(Key::DutyRate, i18n.lang(), &[
                        ("checked", &rate.checked.to_string()),
                        ("lines", &rate.lines.to_string()),
                        ("percent", &rate.percent().to_string()),
                        ("min", &MIN_CHECK_PERCENT.to_string()),
                    ])
                }}
                {move || (!rate.get().meets()).then(|| {
                    let short = rate.get().short_by().to_string();
                    view! { " " <strong>{filled(Key::DutyRateShort, i18n.lang(), &[("n", &short)])}</strong> }
                })}
            </p>
            <DaySignoffLine workspace day state signs />
            <Show when=move || adding.get() fallback=move || view! {
                <button class="button button-primary" data-testid="duty-add-open" on:click=move |_| adding.set(true)>
                    {move || i18n.t(Key::DutyAdd)}
                </button>
            }>
                <EntryForm workspace on_done=move || adding.set(false) />
            </Show>
        </section>
        <section class="card">
            {move || lines.with(Vec::is_empty).then(|| view! { <p class="muted">{move || i18n.t(Key::DutyNone)}</p> })}
            <ul class="plain-list">
                <For each=move || lines.get() key=|line| (line.id().to_owned(), line.check.is_some()) let:line>
                    <LineRow workspace line day=day.get_untracked() checks />
                </For>
            </ul>
        </section>
    }
}

/// The day's sign-off: who signed it and what came after, or the
/// supervisor's button.
#[component]
fn DaySignoffLine(
    workspace: WorkspaceRef,
    day: Memo<NaiveDate>,
    state: Memo<DayState>,
    signs: bool,
) -> impl IntoView {
    let i18n = I18n::get();
    let problem = RwSignal::new(None::<Key>);
    let roles = workspace.with_value(|ws| ws.session.roles().to_vec());
    let save = save_action(
        workspace,
        problem,
        error_key,
        |_| (),
        move |w: Write, day: NaiveDate| {
            let roles = roles.clone();
            async move { duty_log::sign_day(&w.writer, &w.site, &roles, day, &w.who, w.now).await }
        },
    );
    let saving = save.pending();
    move || {
        match state.get() {
        DayState::Signed { signoff, unseen } => view! {
            <p class="banner banner-ok" data-testid="duty-signed">
                {filled(Key::DutySignedBy, i18n.lang(), &[("name", &signoff.by_name), ("time", &clock_time(signoff.signed_at))])}
                {(unseen > 0).then(|| view! { " " <strong>{filled(Key::DutyUnseen, i18n.lang(), &[("n", &unseen.to_string())])}</strong> })}
            </p>
        }
        .into_any(),
        DayState::Unsigned if signs => view! {
            <div class="actions">
                <button class="button" data-testid="duty-sign" disabled=move || saving.get()
                    on:click=move |_| { problem.set(None); save.dispatch_local(day.get_untracked()); }>
                    {move || i18n.t(Key::DutySign)}
                </button>
                {move || problem.get().map(|key| view! {
                    <p class="message message-error" role="alert" data-testid="duty-sign-error">{move || i18n.t(key)}</p>
                })}
            </div>
        }
        .into_any(),
        DayState::Unsigned => view! { <p class="muted">{move || i18n.t(Key::DutyUnsigned)}</p> }.into_any(),
    }
    }
}

#[component]
fn EntryForm(
    workspace: WorkspaceRef,
    on_done: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = I18n::get();
    let zones = workspace.with_value(|ws| ws.session.zones().to_vec());
    let topic = RwSignal::new(Topic::Enquiry.as_str().to_owned());
    let zone = RwSignal::new(String::new());
    let unit = RwSignal::new(String::new());
    let caller = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let what = RwSignal::new(String::new());
    let outcome = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<Key>);
    let save = save_action(
        workspace,
        problem,
        error_key,
        move |_| on_done(),
        |w: Write, draft: EntryDraft| async move {
            duty_log::add_entry(&w.writer, &w.site, &draft, &w.who, w.now).await
        },
    );
    let saving = save.pending();
    let submit = submit_with(save, problem, move || EntryDraft {
        topic: Topic::parse(&topic.get_untracked()).unwrap_or(Topic::Other),
        zone: zone.get_untracked(),
        unit_label: unit.get_untracked(),
        caller: caller.get_untracked(),
        phone: phone.get_untracked(),
        what: what.get_untracked(),
        outcome: outcome.get_untracked(),
    });
    let topics = Topic::ALL
        .iter()
        .map(|topic| view! { <option value=topic.as_str()>{move || i18n.t(topic_key(*topic))}</option> })
        .collect_view();
    let zone_options = zones
        .into_iter()
        .map(|zone| view! { <option value=zone.code.clone()>{zone.name.clone()}</option> })
        .collect_view();
    view! {
        <form class="action-form" data-testid="duty-form" on:submit=submit novalidate>
            <h3>{move || i18n.t(Key::DutyAdd)}</h3>
            <Field label=Key::DutyTopic>
                <select data-testid="duty-topic" bind:value=topic>{topics}</select>
            </Field>
            <Field label=Key::DutyZone>
                <select data-testid="duty-zone" bind:value=zone>
                    <option value="">{move || i18n.t(Key::DutyWholeSite)}</option>
                    {zone_options}
                </select>
            </Field>
            <Field label=Key::DutyUnit>
                <input data-testid="duty-unit" maxlength="50" bind:value=unit />
            </Field>
            <Field label=Key::DutyCaller>
                <input data-testid="duty-caller" maxlength="50" bind:value=caller />
            </Field>
            <Field label=Key::DutyPhone>
                <input data-testid="duty-phone" inputmode="tel" maxlength="20" bind:value=phone />
            </Field>
            <Field label=Key::DutyWhat wide=true>
                <textarea data-testid="duty-what" maxlength="500" bind:value=what></textarea>
            </Field>
            <Field label=Key::DutyOutcome wide=true>
                <textarea data-testid="duty-outcome" maxlength="500" bind:value=outcome></textarea>
            </Field>
            <FormEnd problem error_id="duty-error" confirm_id="duty-add-confirm"
                confirm=Key::DutyAddConfirm cancel=Key::WoCancel busy=saving on_cancel=on_done />
        </form>
    }
}

/// What a line says: an entry's topic and text, or a request's kind and description.
fn line_text(line: &Line) -> (Key, String, String, String) {
    match &line.source {
        LineSource::Entry(entry) => (
            Topic::parse(&entry.topic).map_or(Key::DutyTopicOther, topic_key),
            [
                entry.unit_label.as_str(),
                entry.caller.as_str(),
                entry.phone.as_str(),
            ]
            .iter()
            .filter(|part| !part.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" "),
            entry.what.clone(),
            entry.by_name.clone(),
        ),
        LineSource::Request(request) => (
            kind_key(request.kind()),
            [request.unit_label.as_str(), request.resident_name.as_str()]
                .iter()
                .filter(|part| !part.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" "),
            request.description.clone(),
            request.received_by_name.clone(),
        ),
    }
}

/// One line, with its check or, for a head, the buttons that make one.
#[component]
fn LineRow(workspace: WorkspaceRef, line: Line, day: NaiveDate, checks: bool) -> impl IntoView {
    let i18n = I18n::get();
    let (label, who, what, by) = line_text(&line);
    let source = match line.source {
        LineSource::Entry(_) => "entry",
        LineSource::Request(_) => "request",
    };
    let outcome = match &line.source {
        LineSource::Entry(entry) => entry.outcome.clone(),
        LineSource::Request(_) => String::new(),
    };
    let at = clock_time(line.at());
    let check = line.check.clone();
    let checked = check.is_some().to_string();
    view! {
        <li data-testid="duty-line" data-source=source data-checked=checked>
            <div>
                <span class="muted">{at}</span> " "
                <span class="badge">{move || i18n.t(label)}</span>
                {(source == "request").then(|| view! { " " <span class="badge">{move || i18n.t(Key::DutyRequest)}</span> })}
                " " {who}
            </div>
            <div>{what}</div>
            {(!outcome.is_empty()).then(|| view! { <div class="muted">{move || i18n.label(Key::DutyOutcome)} " " {outcome.clone()}</div> })}
            <div class="muted">{by}</div>
            {match check {
                Some(check) => view! {
                    <p class:message-error=!check.in_order>
                        {filled(if check.in_order { Key::DutyCheckedOk } else { Key::DutyCheckedIssue }, i18n.lang(),
                            &[("name", &check.by_name), ("note", &check.note)])}
                    </p>
                }
                .into_any(),
                None if checks => view! { <CheckForm workspace line_id=line.id().to_owned() day /> }.into_any(),
                None => ().into_any(),
            }}
        </li>
    }
}

/// The head's check of one line: in order at once, or found wanting with a note.
#[component]
fn CheckForm(workspace: WorkspaceRef, line_id: String, day: NaiveDate) -> impl IntoView {
    let i18n = I18n::get();
    let roles = workspace.with_value(|ws| ws.session.roles().to_vec());
    let wanting = RwSignal::new(false);
    let note = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<Key>);
    let save = save_action(
        workspace,
        problem,
        error_key,
        |_| (),
        move |w: Write, (in_order, note): (bool, String)| {
            let (roles, line_id) = (roles.clone(), line_id.clone());
            async move {
                duty_log::spot_check(
                    &w.writer,
                    &w.site,
                    &roles,
                    day,
                    &line_id,
                    (in_order, &note),
                    &w.who,
                    w.now,
                )
                .await
            }
        },
    );
    let saving = save.pending();
    view! {
        <div class="actions">
            <Show when=move || wanting.get() fallback=move || view! {
                <button class="button" data-testid="duty-check-ok" disabled=move || saving.get()
                    on:click=move |_| { problem.set(None); save.dispatch_local((true, String::new())); }>
                    {move || i18n.t(Key::DutyCheckOk)}
                </button>
                <button class="button button-quiet" data-testid="duty-check-issue" on:click=move |_| wanting.set(true)>
                    {move || i18n.t(Key::DutyCheckIssue)}
                </button>
            }>
                <input data-testid="duty-check-note" maxlength="200" placeholder=move || i18n.t(Key::DutyCheckNote) bind:value=note />
                <button class="button" data-testid="duty-check-confirm" disabled=move || saving.get()
                    on:click=move |_| { problem.set(None); save.dispatch_local((false, note.get_untracked())); }>
                    {move || i18n.t(Key::DutyCheckConfirm)}
                </button>
            </Show>
            {move || problem.get().map(|key| view! {
                <p class="message message-error" role="alert" data-testid="duty-check-error">{move || i18n.t(key)}</p>
            })}
        </div>
    }
}

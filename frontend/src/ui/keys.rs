//! The key book (钥匙借用): lend a key, see which keys are out (overdue
//! first), and record one back. Offline like every screen; the reads and
//! writes are `crate::key_loans`.
//!
//! Test ids: `keys` (with `data-out`, `data-overdue`), `keys-overdue` (the
//! head's first screen, with `data-count`) and `keys-overdue-open`, `key-lend-open`,
//! `key-form`, `key-label`, `key-borrower`, `key-borrower-phone`,
//! `key-purpose`, `key-due-back`, `key-lend-confirm`, `key-error`,
//! `key-loan` (with `data-key`, `data-state`), `key-return-open`,
//! `key-return-note`, `key-return-confirm`, `key-return-error`.

use leptos::prelude::*;
use roundbook_shared::key_loans::{LoanState, LoanView, ReturnRefusal};

use super::field::Field;
use super::form::{save_action, submit_with, FormEnd, Write};
use super::{ticking_clock, WorkspaceRef};
use crate::browser;
use crate::calendar::{date_time, site_input, site_instant};
use crate::i18n::{filled, I18n, Key};
use crate::key_loans::{self, KeyError, LoanDraft};
use crate::sync::SyncStatus;

/// How often the screen looks at the clock (a key becomes overdue).
const TICK: std::time::Duration = std::time::Duration::from_secs(30);
/// The due time the form offers: two hours from now.
const DEFAULT_LOAN_MS: i64 = 2 * 3_600_000;

fn state_key(state: LoanState) -> Key {
    match state {
        LoanState::Out => Key::LoanStateOut,
        LoanState::Overdue => Key::LoanStateOverdue,
        LoanState::Returned => Key::LoanStateReturned,
        LoanState::ReturnedLate => Key::LoanStateReturnedLate,
    }
}

fn error_key(error: &KeyError) -> Key {
    match error {
        KeyError::KeyNeeded => Key::LoanErrKeyLabel,
        KeyError::BorrowerNeeded => Key::LoanErrBorrower,
        KeyError::BadPhone => Key::LoanErrPhone,
        KeyError::BadDueTime => Key::LoanErrDue,
        KeyError::TextTooLong => Key::LoanErrText,
        KeyError::Refused(ReturnRefusal::AlreadyBack) => Key::LoanErrBack,
        KeyError::Refused(ReturnRefusal::BeforeLent) => Key::LoanErrBefore,
        KeyError::NotFound => Key::LoanErrNotFound,
        KeyError::Busy => Key::LoanErrBusy,
        KeyError::NotSaved(_) => Key::LoanErrNotSaved,
    }
}

#[component]
pub fn KeysTab(workspace: WorkspaceRef) -> impl IntoView {
    let i18n = I18n::get();
    let status = expect_context::<SyncStatus>();
    let now = ticking_clock(TICK);
    let loans = Memo::new(move |_| {
        status.revision.track();
        let now = now.get();
        workspace.with_value(|ws| key_loans::loans(&ws.library, now))
    });
    let out = move || loans.with(|all| all.iter().filter(|view| view.state.is_out()).count());
    let overdue = move || {
        loans.with(|all| {
            all.iter()
                .filter(|view| view.state == LoanState::Overdue)
                .count()
        })
    };
    let lending = RwSignal::new(false);
    view! {
        <h1 class="page-title">{move || i18n.t(Key::LoanTitle)}</h1>
        <section class="card" data-testid="keys" data-out=move || out().to_string() data-overdue=move || overdue().to_string()>
            <p>
                {move || filled(Key::LoanOutCount, i18n.lang(), &[("n", &out().to_string()), ("overdue", &overdue().to_string())])}
            </p>
            <Show when=move || lending.get() fallback=move || view! {
                <button class="button button-primary" data-testid="key-lend-open" on:click=move |_| lending.set(true)>
                    {move || i18n.t(Key::LoanLend)}
                </button>
            }>
                <LendForm workspace known=Signal::derive(move || loans.with(|all| key_loans::known_keys(all))) on_done=move || lending.set(false) />
            </Show>
        </section>
        <section class="card">
            {move || loans.with(|all| all.is_empty()).then(|| view! { <p class="muted">{move || i18n.t(Key::LoanNone)}</p> })}
            <ul class="plain-list">
                <For each=move || loans.get() key=|view| (view.loan.id.clone(), view.state) let:view>
                    <LoanRow workspace view />
                </For>
            </ul>
        </section>
    }
}

/// For the head's first screen: how many keys are overdue, if any, with a
/// button that opens the key book.
#[component]
pub fn OverdueKeys(workspace: WorkspaceRef, open: Callback<()>) -> impl IntoView {
    let i18n = I18n::get();
    let status = expect_context::<SyncStatus>();
    let now = ticking_clock(TICK);
    let overdue = Memo::new(move |_| {
        status.revision.track();
        let now = now.get();
        workspace.with_value(|ws| {
            key_loans::loans(&ws.library, now)
                .iter()
                .filter(|view| view.state == LoanState::Overdue)
                .count()
        })
    });
    move || {
        let count = overdue.get();
        (count > 0).then(|| view! {
            <p class="banner banner-warn" role="status" data-testid="keys-overdue" data-count=count.to_string()>
                <span>{move || filled(Key::LoanOverdueBanner, i18n.lang(), &[("n", &count.to_string())])}</span> " "
                <button class="button" data-testid="keys-overdue-open" on:click=move |_| open.run(())>
                    {move || i18n.t(Key::TabKeys)}
                </button>
            </p>
        })
    }
}

#[component]
fn LendForm(
    workspace: WorkspaceRef,
    known: Signal<Vec<String>>,
    on_done: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = I18n::get();
    let key_label = RwSignal::new(String::new());
    let borrower = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let purpose = RwSignal::new(String::new());
    let due_back = RwSignal::new(site_input(browser::now_ms() + DEFAULT_LOAN_MS));
    let problem = RwSignal::new(None::<Key>);
    let save = save_action(
        workspace,
        problem,
        error_key,
        move |_| on_done(),
        |w: Write, draft: LoanDraft| async move {
            key_loans::lend(&w.writer, &w.site, &draft, &w.who, w.now).await
        },
    );
    let saving = save.pending();
    let submit = submit_with(save, problem, move || LoanDraft {
        key_label: key_label.get_untracked(),
        borrower: borrower.get_untracked(),
        borrower_phone: phone.get_untracked(),
        purpose: purpose.get_untracked(),
        due_back: site_instant(&due_back.get_untracked()),
    });
    view! {
        <form class="action-form" data-testid="key-form" on:submit=submit novalidate>
            <h3>{move || i18n.t(Key::LoanLend)}</h3>
            <Field label=Key::LoanLabel>
                <input data-testid="key-label" maxlength="50" list="key-labels" bind:value=key_label />
                <datalist id="key-labels">
                    {move || known.get().into_iter().map(|label| view! { <option value=label /> }).collect_view()}
                </datalist>
            </Field>
            <Field label=Key::LoanBorrower>
                <input data-testid="key-borrower" maxlength="50" bind:value=borrower />
            </Field>
            <Field label=Key::LoanBorrowerPhone>
                <input data-testid="key-borrower-phone" inputmode="tel" maxlength="20" bind:value=phone />
            </Field>
            <Field label=Key::LoanPurpose>
                <input data-testid="key-purpose" maxlength="200" bind:value=purpose />
            </Field>
            <Field label=Key::LoanDueBack>
                <input data-testid="key-due-back" type="datetime-local" bind:value=due_back />
            </Field>
            <FormEnd problem error_id="key-error" confirm_id="key-lend-confirm"
                confirm=Key::LoanLendConfirm cancel=Key::WoCancel busy=saving on_cancel=on_done />
        </form>
    }
}

/// One loan: the key, who has it, since when and until when, and for a key
/// still out, its return.
#[component]
fn LoanRow(workspace: WorkspaceRef, view: LoanView) -> impl IntoView {
    let i18n = I18n::get();
    let state = view.state;
    let loan = view.loan.clone();
    let returning = RwSignal::new(false);
    let note = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<Key>);
    let loan_id = loan.id.clone();
    let save = save_action(
        workspace,
        problem,
        error_key,
        |_| (),
        move |w: Write, note: String| {
            let loan_id = loan_id.clone();
            async move {
                key_loans::record_return(&w.writer, &w.site, &loan_id, &note, &w.who, w.now).await
            }
        },
    );
    let saving = save.pending();
    let returned = view.returned.clone();
    view! {
        <li data-testid="key-loan" data-key=loan.key_label.clone() data-state=state.as_str()>
            <div>
                <strong>{loan.key_label.clone()}</strong> " "
                <span class="badge" class:badge-alert={state == LoanState::Overdue || state == LoanState::ReturnedLate}>
                    {move || i18n.t(state_key(state))}
                </span>
            </div>
            <div>{loan.borrower.clone()} " " <span class="muted">{loan.purpose.clone()}</span></div>
            <div class="muted">
                {move || i18n.label(Key::LoanLentAt)} " " {date_time(loan.lent_at)} " · "
                {move || i18n.label(Key::LoanDueBack)} " " {date_time(loan.due_back)}
                {returned.map(|back| view! {
                    " · " {move || i18n.label(Key::LoanReturnedAt)} " " {date_time(back.returned_at)} " " {back.received_by_name.clone()}
                })}
            </div>
            {state.is_out().then(|| view! {
                <Show when=move || returning.get() fallback=move || view! {
                    <button class="button" data-testid="key-return-open" on:click=move |_| returning.set(true)>
                        {move || i18n.t(Key::LoanReturn)}
                    </button>
                }>
                    <div class="action-form">
                        <Field label=Key::LoanReturnNote>
                            <input data-testid="key-return-note" maxlength="200" bind:value=note />
                        </Field>
                        {move || problem.get().map(|key| view! {
                            <p class="message message-error" role="alert" data-testid="key-return-error">{move || i18n.t(key)}</p>
                        })}
                        <div class="actions">
                            <button class="button button-primary" data-testid="key-return-confirm" disabled=move || saving.get()
                                on:click=move |_| { save.dispatch_local(note.get_untracked()); }>
                                {move || i18n.t(Key::LoanReturnConfirm)}
                            </button>
                            <button class="button button-quiet" on:click=move |_| returning.set(false)>
                                {move || i18n.t(Key::WoCancel)}
                            </button>
                        </div>
                    </div>
                </Show>
            })}
        </li>
    }
}

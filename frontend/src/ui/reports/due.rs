//! The month-end reports owed (月末报表): each with its month, due date and
//! state (in progress, ready, signed, late), newest last; picking one opens
//! it. And the office head's sign-off of an open report.
//!
//! Test ids: `due-reports`, `due-report` (`data-kind`, `data-month`,
//! `data-state`), `report-sign`, `report-signed`, `report-sign-outcome`.

use leptos::prelude::*;
use roundbook_shared::reports::due::DueState;
use roundbook_shared::reports::{Month, ReportKind};

use super::section::word;
use crate::browser;
use crate::i18n::{I18n, Key};
use crate::reports::{is_signed, owed, sign, SignError};
use crate::sync::SyncStatus;
use crate::ui::{actor, writer_and_site, WorkspaceRef};

fn state_key(state: DueState) -> (Key, &'static str, &'static str) {
    match state {
        DueState::InProgress => (Key::ReportsDueInProgress, "badge", "in_progress"),
        DueState::Ready => (Key::ReportsDueReady, "badge badge-warn", "ready"),
        DueState::Signed => (Key::ReportsDueSigned, "badge badge-ok", "signed"),
        DueState::Late => (Key::ReportsDueLate, "badge badge-error", "late"),
    }
}

/// The reports owed, of the kinds the user reads; `open` opens one.
#[component]
pub fn DueReports(
    workspace: WorkspaceRef,
    kinds: Vec<ReportKind>,
    open: Callback<(ReportKind, Month)>,
) -> impl IntoView {
    let i18n = I18n::get();
    let status = expect_context::<SyncStatus>();
    let owed = Memo::new(move |_| {
        status.revision.track();
        workspace.with_value(|ws| owed(&ws.library, ws.session.site_code(), browser::now_ms()))
    });
    let rows = move || {
        owed.get()
            .into_iter()
            .filter(|due| kinds.contains(&due.kind))
            .map(|due| {
                let (key, class, name) = state_key(due.state);
                let (kind, month) = (due.kind, due.month);
                view! {
                    <li class="round-row" data-testid="due-report" data-kind=kind.as_str()
                        data-month=month.to_string() data-state=name>
                        <button class="link-button" on:click=move |_| open.run((kind, month))>
                            {move || word(i18n.lang(), kind.title())} " · " {month.to_string()}
                        </button>
                        <span class="muted">
                            {move || i18n.label(Key::ReportsDueBy)} {due.due.to_string()}
                        </span>
                        <span class=class>{move || i18n.t(key)}</span>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <section class="card no-print" data-testid="due-reports">
            <h2 class="section-title">{move || i18n.t(Key::ReportsDueTitle)}</h2>
            <ul class="round-list">{rows}</ul>
        </section>
    }
}

/// The head's sign-off of the shown report: a button while it can be
/// signed, who signed it once it is.
#[component]
pub fn SignOff(workspace: WorkspaceRef, kind: ReportKind, month: Month) -> impl IntoView {
    let i18n = I18n::get();
    let status = expect_context::<SyncStatus>();
    let signed = Memo::new(move |_| {
        status.revision.track();
        workspace.with_value(|ws| is_signed(&ws.library, ws.session.site_code(), kind, month))
    });
    let signing = Action::new_local(move |(): &()| {
        let (writer, site) = writer_and_site(workspace);
        let actor = actor(workspace);
        async move { sign(&writer, &site, &actor, kind, month, browser::now_ms()).await }
    });
    let outcome = move || {
        signing.value().get().and_then(|result| {
            let key = match result {
                Ok(()) => return None,
                Err(SignError::NotYet) => Key::ReportsSignNotYet,
                Err(SignError::AlreadySigned) => Key::ReportsDueSigned,
                Err(SignError::NotSaved(_)) => Key::ReportsSignFailed,
            };
            Some(view! {
                <p class="banner banner-error" data-testid="report-sign-outcome" role="alert">
                    {move || i18n.t(key)}
                </p>
            })
        })
    };
    move || {
        if signed.get() {
            view! {
                <span class="badge badge-ok" data-testid="report-signed">{move || i18n.t(Key::ReportsDueSigned)}</span>
            }
            .into_any()
        } else {
            view! {
                <button
                    class="button"
                    data-testid="report-sign"
                    disabled=move || signing.pending().get()
                    on:click=move |_| {
                        signing.dispatch_local(());
                    }
                >
                    {move || i18n.t(Key::ReportsSign)}
                </button>
                {outcome}
            }
            .into_any()
        }
    }
}

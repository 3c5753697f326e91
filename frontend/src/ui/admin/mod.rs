//! The office's administration, for the office head and the IT
//! administrator ([`Role::administers`](roundbook_shared::domain::Role::administers)):
//! staff and their devices ([`staff`]), zones ([`zones`]) and the audit
//! trail ([`audit`]).
//!
//! Every answer comes from the server (`/api/admin/...`), which decides who
//! may do what; nothing here is kept on the tablet. Each write is a Leptos
//! [`Action`] whose `pending()` disables its button; a refusal is shown by
//! its code, translated ([`api_error_text`]).
//!
//! Test ids: `admin-section-staff`, `admin-section-zones`,
//! `admin-section-audit` (the section switch), and each section's own.

mod audit;
mod staff;
mod zones;

use std::future::Future;

use leptos::prelude::*;

use super::select::ChoiceButton;
use super::{api_error_text, noticed, WorkspaceRef};
use crate::api::ApiError;
use crate::browser;
use crate::i18n::{I18n, Key};

/// The part of the administration on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Staff,
    Zones,
    Audit,
}

#[component]
pub fn AdminTab(workspace: WorkspaceRef) -> impl IntoView {
    let current = RwSignal::new(Section::Staff);
    let buttons = [
        (Section::Staff, "admin-section-staff", Key::AdmStaff),
        (Section::Zones, "admin-section-zones", Key::AdmZones),
        (Section::Audit, "admin-section-audit", Key::AdmAudit),
    ]
    .into_iter()
    .map(|(value, testid, label)| {
        view! { <ChoiceButton testid=testid.to_owned() label current value /> }
    })
    .collect_view();
    view! {
        <nav class="tabs tabs-sub">{buttons}</nav>
        {move || match current.get() {
            Section::Staff => view! { <staff::StaffSection workspace /> }.into_any(),
            Section::Zones => view! { <zones::ZonesSection workspace /> }.into_any(),
            Section::Audit => view! { <audit::AuditSection workspace /> }.into_any(),
        }}
    }
}

/// The signed-in user's bearer token.
fn token(workspace: WorkspaceRef) -> String {
    workspace.with_value(|ws| ws.session.token().to_owned())
}

/// Runs one administration call: refused at once offline, and a remote
/// sign-out or a required password change is told to the app shell.
async fn call<T>(request: impl Future<Output = Result<T, ApiError>>) -> Result<T, ApiError> {
    if !browser::is_online() {
        return Err(ApiError::Offline);
    }
    let result = request.await;
    if let Err(error) = &result {
        noticed(error);
    }
    result
}

/// A failed call's message, translated; nothing while there is none.
#[component]
fn Problem(#[prop(into)] error: Signal<Option<ApiError>>, testid: &'static str) -> impl IntoView {
    let i18n = I18n::get();
    move || {
        error.get().map(|error| {
            view! {
                <p class="message message-error" role="alert" data-testid=testid>
                    {move || api_error_text(&error, i18n.lang())}
                </p>
            }
        })
    }
}

/// The error of an action's last run, if it failed.
fn failure<I, T>(action: Action<I, Result<T, ApiError>>) -> Signal<Option<ApiError>>
where
    I: 'static,
    T: Clone + 'static,
{
    Signal::derive(move || action.value().get().and_then(Result::err))
}

//! The bar on top of every screen: app and site name, the sync indicator,
//! the language switch, and (signed in) who is signed in with the
//! change-password (`password-open`, opening [`PasswordForm`]) and sign-out
//! buttons. Also the banner asking to sign in again when the server refused
//! the session. It must not hold state of its own beyond what it displays.

use leptos::prelude::*;

use super::password::PasswordForm;
use super::sync_indicator::SyncIndicator;
use super::WorkspaceRef;
use crate::i18n::{role_key, I18n, Key};
use crate::sync::SyncStatus;

#[component]
pub fn Header(workspace: Signal<Option<WorkspaceRef>>) -> impl IntoView {
    let i18n = I18n::get();
    let password_open = RwSignal::new(false);
    let site = move || {
        workspace
            .get()
            .map(|ws| ws.with_value(|ws| ws.session.site_name().to_owned()))
    };
    view! {
        <header class="topbar">
            <div class="brand">
                <img src="/icons/icon.svg" alt="" width="40" height="40" />
                <div>
                    <div class="brand-name">{move || i18n.t(Key::AppName)}</div>
                    <div class="brand-site">{site}</div>
                </div>
            </div>
            <div class="topbar-tools">
                <SyncIndicator />
                <LangSwitch />
                {move || workspace.get().map(|ws| view! { <UserMenu workspace=ws password_open /> })}
            </div>
        </header>
        {move || {
            let ws = workspace.get()?;
            password_open.get().then(|| view! {
                <PasswordForm workspace=ws on_done=Callback::new(move |_| password_open.set(false)) />
            })
        }}
        {move || workspace.get().map(|ws| view! { <ExpiredBanner workspace=ws /> })}
    }
}

/// One tap switches between 中文 and English.
#[component]
fn LangSwitch() -> impl IntoView {
    let i18n = I18n::get();
    view! {
        <button
            class="button button-quiet"
            data-testid="lang-switch"
            lang=move || i18n.lang().other().tag()
            on:click=move |_| i18n.set(i18n.lang().other())
        >
            {move || i18n.lang().other().native_name()}
        </button>
    }
}

/// Who is signed in, and the sign-out button.
#[component]
fn UserMenu(workspace: WorkspaceRef, password_open: RwSignal<bool>) -> impl IntoView {
    let i18n = I18n::get();
    let status = expect_context::<SyncStatus>();
    let (name, roles) = workspace.with_value(|ws| {
        (
            ws.session.display_name().to_owned(),
            ws.session.roles().to_vec(),
        )
    });
    let role_names = move || {
        roles
            .iter()
            .map(|role| role_key(*role).text(i18n.lang()))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    view! {
        <div class="user">
            <div class="user-name" data-testid="user-name">{name}</div>
            <div class="user-roles">{role_names}</div>
        </div>
        <Show when=move || !status.password_change.get()>
            <button
                class="button button-quiet"
                data-testid="password-open"
                on:click=move |_| password_open.update(|open| *open = !*open)
            >
                {move || i18n.t(Key::PasswordChange)}
            </button>
        </Show>
        <button
            class="button button-quiet"
            data-testid="signout"
            on:click=move |_| super::sign_out(workspace)
        >
            {move || i18n.t(Key::SignOut)}
        </button>
    }
}

/// Shown when the server no longer accepts the session.
#[component]
fn ExpiredBanner(workspace: WorkspaceRef) -> impl IntoView {
    let i18n = I18n::get();
    let status = expect_context::<SyncStatus>();
    view! {
        <Show when=move || status.expired.get()>
            <div class="banner banner-warn" data-testid="expired-banner" role="alert">
                <span>{move || i18n.t(Key::SessionExpired)}</span>
                <button class="button" on:click=move |_| super::sign_out(workspace)>
                    {move || i18n.t(Key::SignInAgain)}
                </button>
            </div>
        </Show>
    }
}

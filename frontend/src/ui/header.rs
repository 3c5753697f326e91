//! The bar on top of every screen: app and site name, the sync indicator,
//! the language switch, and (signed in) who is signed in with the
//! change-password (`password-open`, opening [`PasswordForm`]) and sign-out
//! (`signout`, opening the panel `signout-panel`, with `data-shared` once it
//! knows whether the tablet is shared, and `signout-pending`,
//! `signout-remove-data`, `signout-confirm` and `signout-stay`) buttons. Also the banner asking to sign in again when the server refused
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
    let signout_open = RwSignal::new(false);
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
                {move || workspace.get().map(|ws| view! { <UserMenu workspace=ws password_open signout_open /> })}
            </div>
        </header>
        {move || {
            let ws = workspace.get()?;
            password_open.get().then(|| view! {
                <PasswordForm workspace=ws on_done=Callback::new(move |_| password_open.set(false)) />
            })
        }}
        {move || {
            let ws = workspace.get()?;
            signout_open.get().then(|| view! { <SignOutPanel workspace=ws open=signout_open /> })
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
fn UserMenu(
    workspace: WorkspaceRef,
    password_open: RwSignal<bool>,
    signout_open: RwSignal<bool>,
) -> impl IntoView {
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
            on:click=move |_| signout_open.update(|open| *open = !*open)
        >
            {move || i18n.t(Key::SignOut)}
        </button>
    }
}

/// Signing out: what still waits for the server, and whether the user's
/// data leaves the tablet (ticked by default on a shared tablet).
#[component]
fn SignOutPanel(workspace: WorkspaceRef, open: RwSignal<bool>) -> impl IntoView {
    let i18n = I18n::get();
    let status = expect_context::<SyncStatus>();
    let remove = RwSignal::new(false);
    let shared = RwSignal::new(None::<bool>);
    let is_shared = super::tablet_is_shared(workspace.with_value(|ws| ws.session.clone()));
    leptos::task::spawn_local(async move {
        let answer = is_shared.await;
        remove.try_set(answer);
        shared.try_set(Some(answer));
    });
    view! {
        <section class="card signin" data-testid="signout-panel"
            data-shared=move || shared.get().map(|answer| answer.to_string())>
            {move || {
                let pending = status.pending.get();
                (pending > 0).then(|| view! {
                    <p class="banner banner-warn" data-testid="signout-pending">
                        {crate::i18n::pending_sign_out_warning(i18n.lang(), pending)}
                    </p>
                })
            }}
            <label class="check">
                <input type="checkbox" data-testid="signout-remove-data" bind:checked=remove />
                {move || i18n.t(Key::SignOutRemoveData)}
            </label>
            <p class="muted">{move || i18n.t(Key::SignOutRemoveHint)}</p>
            <div class="actions">
                <button class="button button-primary" data-testid="signout-confirm"
                    on:click=move |_| super::sign_out(workspace, remove.get_untracked())>
                    {move || i18n.t(Key::SignOut)}
                </button>
                <button class="button button-quiet" data-testid="signout-stay" on:click=move |_| open.set(false)>
                    {move || i18n.t(Key::SignOutStay)}
                </button>
            </div>
        </section>
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
                <button class="button" on:click=move |_| super::sign_out(workspace, false)>
                    {move || i18n.t(Key::SignInAgain)}
                </button>
            </div>
        </Show>
    }
}

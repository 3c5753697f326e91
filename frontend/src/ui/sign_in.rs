//! The sign-in form: username and password, a translated message for every
//! way sign-in can fail, and a clear one when the tablet is offline.
//!
//! It calls the API and hands a successful answer to its parent; it does not
//! store the session itself.

use leptos::prelude::*;
use leptos::task::spawn_local;
use roundbook_shared::api::LoginResponse;

use crate::api::{self, ApiError};
use crate::browser;
use crate::i18n::{too_many_attempts, I18n, Key};
use crate::ui::field::Field;

#[component]
pub fn SignIn(on_success: impl Fn(LoginResponse) + Clone + 'static) -> impl IntoView {
    let i18n = I18n::get();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);

    let message = move || {
        error.get().map(|error| match error {
            ApiError::Offline => i18n.t(Key::OfflineSignIn).to_owned(),
            ApiError::InvalidCredentials | ApiError::Unauthorized => {
                i18n.t(Key::InvalidCredentials).to_owned()
            }
            ApiError::TooManyAttempts(Some(secs)) => too_many_attempts(i18n.lang(), secs),
            ApiError::TooManyAttempts(None) => i18n.t(Key::TooManyAttemptsNoTime).to_owned(),
            ApiError::BadRequest => i18n.t(Key::BadRequest).to_owned(),
            ApiError::Server(_) => i18n.t(Key::ServerError).to_owned(),
        })
    };

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let (name, secret) = (username.get_untracked(), password.get_untracked());
        if name.trim().is_empty() || secret.is_empty() {
            error.set(Some(ApiError::BadRequest));
            return;
        }
        if !browser::is_online() {
            error.set(Some(ApiError::Offline));
            return;
        }
        busy.set(true);
        error.set(None);
        let on_success = on_success.clone();
        spawn_local(async move {
            let result = api::login(name.trim(), &secret).await;
            busy.set(false);
            match result {
                Ok(response) => {
                    password.set(String::new());
                    on_success(response);
                }
                Err(failure) => {
                    if let ApiError::Server(detail) = &failure {
                        web_sys::console::warn_1(&format!("sign-in: {detail}").into());
                    }
                    error.set(Some(failure));
                }
            }
        });
    };

    view! {
        <section class="card signin">
            <h1>{move || i18n.t(Key::SignInTitle)}</h1>
            <form on:submit=submit novalidate>
                <Field label=Key::Username>
                    <input
                        type="text"
                        name="username"
                        autocomplete="username"
                        autocapitalize="none"
                        spellcheck="false"
                        required
                        data-testid="signin-username"
                        bind:value=username
                    />
                </Field>
                <Field label=Key::Password>
                    <input
                        type="password"
                        name="password"
                        autocomplete="current-password"
                        required
                        data-testid="signin-password"
                        bind:value=password
                    />
                </Field>
                <Show when=move || error.with(Option::is_some)>
                    <p class="message message-error" role="alert" data-testid="signin-error">
                        {message}
                    </p>
                </Show>
                <button
                    type="submit"
                    class="button button-primary button-wide"
                    data-testid="signin-submit"
                    disabled=move || busy.get()
                >
                    {move || i18n.t(if busy.get() { Key::SigningIn } else { Key::SignIn })}
                </button>
            </form>
        </section>
    }
}

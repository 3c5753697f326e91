//! The sign-in form: username and password, or a sign-in QR code the office
//! issued read with the camera (`roundbook-sign-in:<code>`); a translated
//! message for every way sign-in can fail, and a clear one when the tablet
//! is offline. Either way the tablet names itself
//! ([`browser::device_name`]) for the office's device list.
//!
//! It calls the API and hands a successful answer to its parent; it does not
//! store the session itself.
//!
//! Test ids: `signin-username`, `signin-password`, `signin-submit`,
//! `signin-error`, `signin-notice` (why the tablet was signed out), and
//! `signin-scan` (opens the camera; then the scanner's `camera-view`,
//! `camera-stop`, `camera-problem`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use roundbook_shared::api::LoginResponse;

use crate::api::{self, ApiError};
use crate::browser;
use crate::i18n::{I18n, Key};
use crate::session::read_sign_in_code;
use crate::ui::api_error_text;
use crate::ui::camera_scanner::CameraScanner;
use crate::ui::field::Field;

/// How a sign-in is made.
#[derive(Debug, Clone)]
enum Credentials {
    Password { username: String, password: String },
    Code(String),
}

#[component]
pub fn SignIn(
    on_success: impl Fn(LoginResponse) + Clone + 'static,
    /// Why the tablet came back to sign-in, if it was not the user's choice.
    #[prop(optional, into)]
    notice: Signal<Option<Key>>,
) -> impl IntoView {
    let i18n = I18n::get();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let scanning = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);

    let message = move || {
        error.get().map(|error| match error {
            ApiError::Offline => i18n.t(Key::OfflineSignIn).to_owned(),
            ApiError::InvalidCredentials | ApiError::Unauthorized => {
                i18n.t(Key::InvalidCredentials).to_owned()
            }
            ApiError::BadRequest => i18n.t(Key::BadRequest).to_owned(),
            other => api_error_text(&other, i18n.lang()),
        })
    };

    let sign_in = move |credentials: Credentials| {
        if busy.get_untracked() {
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
            let device = browser::device_name();
            let result = match &credentials {
                Credentials::Password { username, password } => {
                    api::login(username, password, &device).await
                }
                Credentials::Code(code) => api::login_with_code(code, &device).await,
            };
            busy.set(false);
            match result {
                Ok(response) => {
                    password.set(String::new());
                    scanning.set(false);
                    on_success(response);
                }
                Err(failure) => {
                    if let ApiError::Server(detail) = &failure {
                        web_sys::console::warn_1(&format!("sign-in: {detail}").into());
                    }
                    // A refused code is single-use: stop reading it again.
                    scanning.set(false);
                    error.set(Some(failure));
                }
            }
        });
    };
    let sign_in = StoredValue::new_local(sign_in);

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
        sign_in.with_value(|sign_in| {
            sign_in(Credentials::Password {
                username: name.trim().to_owned(),
                password: secret,
            })
        });
    };
    // Any other QR code (a checkpoint tag) is not a sign-in: keep looking.
    let on_text = Callback::new(move |text: String| {
        if let Some(code) = read_sign_in_code(&text) {
            let code = code.to_owned();
            sign_in.with_value(|sign_in| sign_in(Credentials::Code(code)));
        }
    });

    view! {
        <section class="card signin">
            <h1>{move || i18n.t(Key::SignInTitle)}</h1>
            {move || notice.get().map(|key| view! {
                <p class="banner banner-warn" role="status" data-testid="signin-notice">{move || i18n.t(key)}</p>
            })}
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
            <Show
                when=move || scanning.get()
                fallback=move || view! {
                    <button
                        type="button"
                        class="button button-wide"
                        data-testid="signin-scan"
                        disabled=move || busy.get()
                        on:click=move |_| { error.set(None); scanning.set(true); }
                    >
                        {move || i18n.t(Key::SignInScan)}
                    </button>
                }
            >
                <p class="muted">{move || i18n.t(Key::SignInScanHint)}</p>
                <CameraScanner enabled=Signal::derive(move || scanning.get() && !busy.get()) on_text autostart=true />
            </Show>
        </section>
    }
}

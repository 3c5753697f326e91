//! Changing one's own password (`POST /api/password`): from the header's
//! menu whenever signed in, and as the only screen while the server wants a
//! new password first (after an office head's reset).
//!
//! The length and not-the-username checks here are a convenience; the
//! server checks again and its refusals are shown translated.
//!
//! Test ids: `password-form` (with `data-forced`), `password-old`,
//! `password-new`, `password-repeat`, `password-submit`, `password-cancel`
//! (not when forced), `password-error`, `password-done`.

use leptos::prelude::*;

use super::field::Field;
use super::{api_error_text, noticed, WorkspaceRef};
use crate::api::{self, ApiError};
use crate::browser;
use crate::i18n::{I18n, Key};

/// The server's shortest password, in characters.
const MIN_PASSWORD_CHARS: usize = 8;

/// Why a new password is refused before asking the server.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Problem {
    /// The two entries differ.
    Mismatch,
    Api(ApiError),
}

/// The refusal the server would give a new password, if any.
fn check(username: &str, new: &str, repeat: &str) -> Option<Problem> {
    let refused = |code: &str| Some(Problem::Api(ApiError::Refused(code.into())));
    if new.chars().count() < MIN_PASSWORD_CHARS {
        refused("password_too_short")
    } else if new == username {
        refused("password_is_username")
    } else if new != repeat {
        Some(Problem::Mismatch)
    } else {
        None
    }
}

#[component]
pub fn PasswordForm(
    workspace: WorkspaceRef,
    /// Shown instead of every other screen: no way to cancel.
    #[prop(optional)]
    forced: bool,
    /// Called after the server took the new password (or on cancel, with false).
    on_done: Callback<bool>,
) -> impl IntoView {
    let i18n = I18n::get();
    let old = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<Problem>);
    let (token, username) = workspace.with_value(|ws| {
        (
            ws.session.token().to_owned(),
            ws.session.username().to_owned(),
        )
    });
    let change = Action::new_local(move |(old, new): &(String, String)| {
        let (token, old, new) = (token.clone(), old.clone(), new.clone());
        async move {
            if !browser::is_online() {
                return Err(ApiError::Offline);
            }
            let result = api::change_password(&token, &old, &new).await;
            match &result {
                Ok(()) => on_done.run(true),
                // The required change is this very form: nothing to tell.
                Err(ApiError::PasswordChangeRequired) => {}
                Err(error) => noticed(error),
            }
            result
        }
    });
    Effect::new(move |_| {
        if let Some(Err(error)) = change.value().get() {
            problem.set(Some(Problem::Api(error)));
        }
    });
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let (secret, again) = (new.get_untracked(), repeat.get_untracked());
        problem.set(check(&username, &secret, &again));
        if problem.with_untracked(Option::is_none) {
            change.dispatch_local((old.get_untracked(), secret));
        }
    };
    let message = move || {
        problem.get().map(|problem| {
            let text = match problem {
                Problem::Mismatch => i18n.t(Key::PasswordMismatch).to_owned(),
                Problem::Api(error) => api_error_text(&error, i18n.lang()),
            };
            view! { <p class="message message-error" role="alert" data-testid="password-error">{text}</p> }
        })
    };

    view! {
        <section class="card signin">
            <h1>{move || i18n.t(Key::PasswordChangeTitle)}</h1>
            {forced.then(|| view! { <p class="banner banner-warn" role="status">{move || i18n.t(Key::PasswordForcedHint)}</p> })}
            <form data-testid="password-form" data-forced=forced.to_string() on:submit=submit novalidate>
                <Field label=Key::PasswordOld>
                    <input type="password" autocomplete="current-password" data-testid="password-old" bind:value=old />
                </Field>
                <Field label=Key::PasswordNew>
                    <input type="password" autocomplete="new-password" minlength="8" data-testid="password-new" bind:value=new />
                </Field>
                <Field label=Key::PasswordRepeat>
                    <input type="password" autocomplete="new-password" data-testid="password-repeat" bind:value=repeat />
                </Field>
                <p class="muted">{move || i18n.t(Key::PasswordRules)}</p>
                {message}
                <div class="button-row">
                    <button type="submit" class="button button-primary" data-testid="password-submit"
                        disabled=move || change.pending().get()>
                        {move || i18n.t(if change.pending().get() { Key::AdmWorking } else { Key::PasswordChange })}
                    </button>
                    {(!forced).then(|| view! {
                        <button type="button" class="button button-quiet" data-testid="password-cancel"
                            on:click=move |_| on_done.run(false)>
                            {move || i18n.t(Key::ReqCancel)}
                        </button>
                    })}
                </div>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn a_new_password_is_checked_before_it_is_sent() {
        let refused = |code: &str| Some(Problem::Api(ApiError::Refused(code.into())));
        assert_eq!(
            check("guard-a", "short", "short"),
            refused("password_too_short")
        );
        // Eight characters, counted as characters, not bytes.
        assert_eq!(
            check("guard-a", "八个字的新密码呀", "八个字的新密码呀"),
            None
        );
        assert_eq!(
            check("guard-a1", "guard-a1", "guard-a1"),
            refused("password_is_username")
        );
        assert_eq!(
            check("guard-a", "long enough", "long enougH"),
            Some(Problem::Mismatch)
        );
        assert_eq!(check("guard-a", "long enough", "long enough"), None);
    }
}

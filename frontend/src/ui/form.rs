//! A form's save: the write runs as a local `Action` (its pending state
//! keeps the form from being sent twice), given the writer, the site, the
//! author and the time; a success hands its result on, a failure shows its
//! translated message. The write itself (what is recorded, and its rules)
//! is the feature module's, not this one's.

use std::future::Future;

use leptos::prelude::*;

use super::{actor, writer_and_site, WorkspaceRef};
use crate::browser;
use crate::i18n::{I18n, Key};
use crate::session::Actor;
use crate::writer::Writer;

/// What a form's write is given.
pub(crate) struct Write {
    pub writer: Writer,
    pub site: String,
    pub who: Actor,
    /// When the form was sent (the tablet's clock).
    pub now: i64,
}

/// The save of a form sending `I`: `write` records it; `on_done` gets what
/// a success returned; a failure's `message` is set in `problem`.
pub(crate) fn save_action<I, R, E, Fut>(
    workspace: WorkspaceRef,
    problem: RwSignal<Option<Key>>,
    message: fn(&E) -> Key,
    on_done: impl Fn(R) + Copy + 'static,
    write: impl Fn(Write, I) -> Fut + 'static,
) -> Action<I, ()>
where
    I: Clone + 'static,
    R: 'static,
    E: 'static,
    Fut: Future<Output = Result<R, E>> + 'static,
{
    Action::new_local(move |input: &I| {
        let ((writer, site), who) = (writer_and_site(workspace), actor(workspace));
        let now = browser::now_ms();
        let attempt = write(
            Write {
                writer,
                site,
                who,
                now,
            },
            input.clone(),
        );
        async move {
            match attempt.await {
                Ok(done) => on_done(done),
                Err(error) => {
                    problem.try_set(Some(message(&error)));
                }
            }
        }
    })
}

/// A form's submit: sends what `draft` reads from the form through `save`
/// (clearing the last problem first), unless a save is under way.
pub(crate) fn submit_with<I: Clone + 'static>(
    save: Action<I, ()>,
    problem: RwSignal<Option<Key>>,
    draft: impl Fn() -> I + 'static,
) -> impl Fn(leptos::ev::SubmitEvent) + 'static {
    move |event| {
        event.prevent_default();
        if save.pending().get_untracked() {
            return;
        }
        problem.set(None);
        save.dispatch_local(draft());
    }
}

/// The end of a form: its error, if any (test id `error_id`), and its
/// confirm (a submit button, `confirm_id`, disabled while `busy`) and
/// cancel buttons.
#[component]
pub(crate) fn FormEnd(
    problem: RwSignal<Option<Key>>,
    error_id: &'static str,
    confirm_id: &'static str,
    confirm: Key,
    cancel: Key,
    #[prop(into)] busy: Signal<bool>,
    on_cancel: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = I18n::get();
    view! {
        {move || problem.get().map(|key| view! {
            <p class="message message-error" role="alert" data-testid=error_id>{move || i18n.t(key)}</p>
        })}
        <div class="actions">
            <button class="button button-primary" type="submit" data-testid=confirm_id disabled=move || busy.get()>
                {move || i18n.t(confirm)}
            </button>
            <button class="button button-quiet" type="button" on:click=move |_| on_cancel()>
                {move || i18n.t(cancel)}
            </button>
        </div>
    }
}

//! The frame the three setup editors (checkpoints, routes, schedules) share:
//! an editor's state ([`Editor`]) and records ([`records`]), its section
//! with the "new" button, the last refusal and the list ([`EditorSection`]),
//! a record's row with edit and retire / restore ([`EditorRow`]), and the
//! form with save / cancel ([`EditorForm`]).
//!
//! Test ids are the editor's kind followed by `-editor`, `-new`, `-row`
//! (`data-retired`), `-edit`, `-retire` / `-restore`, `-form`, `-save`,
//! `-cancel` and `-error`. Each editor keeps its own fields, rows and form;
//! this module knows no record kind and no rule, and stores through
//! [`ZoneSetup::store`] only.

use leptos::prelude::*;

use super::{problem_text, Change, ZoneSetup};
use crate::i18n::{I18n, Key};
use crate::setup::{Directory, Problem};

/// One editor's state: the open form `F` (if any), the refusal of the last
/// change, and the write that stores a change. Cheap to copy.
pub(super) struct Editor<F: Send + Sync + 'static> {
    /// The test ids' prefix: `checkpoint`, `route`, `schedule`.
    kind: &'static str,
    editing: RwSignal<Option<F>>,
    error: RwSignal<Option<Problem>>,
    /// Stores a change; `true` closes the form once it is stored.
    write: Action<(Change, bool), ()>,
    /// While a change is being stored.
    busy: Memo<bool>,
}

impl<F: Send + Sync + 'static> Clone for Editor<F> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<F: Send + Sync + 'static> Copy for Editor<F> {}

impl<F: Clone + Send + Sync + 'static> Editor<F> {
    pub(super) fn new(kind: &'static str, setup: ZoneSetup) -> Self {
        let editing = RwSignal::new(None);
        let error = RwSignal::new(None);
        let write = Action::new_local(move |(change, closes): &(Change, bool)| {
            let (change, closes) = (change.clone(), *closes);
            async move {
                match setup.store(change).await {
                    Ok(_) if closes => {
                        editing.try_set(None);
                    }
                    Ok(_) => {}
                    Err(problem) => {
                        if let Problem::NotSaved(detail) | Problem::Other(detail) = &problem {
                            web_sys::console::error_1(&format!("setup: {detail}").into());
                        }
                        error.try_set(Some(problem));
                    }
                }
            }
        });
        Editor {
            kind,
            editing,
            error,
            write,
            busy: write.pending(),
        }
    }

    fn testid(self, what: &str) -> String {
        format!("{}-{what}", self.kind)
    }

    /// Opens the form on `form`; the last refusal no longer applies.
    fn open(self, form: F) {
        self.error.set(None);
        self.editing.set(Some(form));
    }

    fn close(self) {
        self.error.set(None);
        self.editing.set(None);
    }

    /// Stores a change from the form, and closes the form once it is stored.
    pub(super) fn save(self, change: Change) {
        self.store(change, true);
    }

    /// Stores a change from the list (retire / restore); an open form stays.
    pub(super) fn change(self, change: Change) {
        self.store(change, false);
    }

    /// One change at a time; a new one clears the last refusal.
    fn store(self, change: Change, closes: bool) {
        if self.busy.get_untracked() {
            return;
        }
        self.error.set(None);
        self.write.dispatch_local((change, closes));
    }
}

/// An editor's records, active first, then retired; follows the directory.
pub(super) fn records<R>(
    setup: ZoneSetup,
    of: fn(&Directory) -> &Vec<R>,
    retired: fn(&R) -> bool,
) -> Memo<Vec<R>>
where
    R: Clone + PartialEq + Send + Sync + 'static,
{
    Memo::new(move |_| {
        let mut list: Vec<R> = setup
            .directory
            .with(|d| d.as_ref().map(|d| of(d).clone()))
            .unwrap_or_default();
        list.sort_by_key(retired);
        list
    })
}

/// The refusal of the last change in an editor, if any.
#[component]
fn ProblemMessage(error: RwSignal<Option<Problem>>, testid: String) -> impl IntoView {
    let i18n = I18n::get();
    move || {
        error.get().map(|problem| {
            view! {
                <p class="message message-error" role="alert" data-testid=testid.clone()>
                    {problem_text(i18n.lang(), &problem)}
                    // Busy and not-held refusals say what to do; the others
                    // also say that the change was not stored (the English
                    // text brings its own leading space, Chinese needs none).
                    {(!matches!(problem, Problem::Busy | Problem::NotHeld))
                        .then(|| i18n.t(Key::NothingSaved))}
                </p>
            }
        })
    }
}

/// An editor's card: the title and "new" button, the open form (`form`),
/// the last refusal while no form is open, and the records' rows (`row`), or
/// `empty` when there are none.
#[component]
pub(super) fn EditorSection<F, R, NewForm, Form, FormView, Row, RowView>(
    editor: Editor<F>,
    title: Key,
    new_label: Key,
    empty: Key,
    /// The form "new" opens.
    new_form: NewForm,
    form: Form,
    list: Memo<Vec<R>>,
    row: Row,
) -> impl IntoView
where
    F: Clone + Send + Sync + 'static,
    R: Clone + Eq + std::hash::Hash + Send + Sync + 'static,
    NewForm: Fn() -> F + 'static,
    Form: Fn(F) -> FormView + Send + Sync + 'static,
    FormView: IntoView + 'static,
    Row: Fn(R) -> RowView + Clone + Send + Sync + 'static,
    RowView: IntoView + 'static,
{
    let i18n = I18n::get();
    view! {
        <section class="card setup-section" data-testid=editor.testid("editor")>
            <div class="section-head">
                <h2>{move || i18n.t(title)}</h2>
                <button
                    class="button button-primary"
                    data-testid=editor.testid("new")
                    on:click=move |_| editor.open(new_form())
                >
                    {move || i18n.t(new_label)}
                </button>
            </div>
            {move || editor.editing.get().map(&form)}
            <Show when=move || editor.editing.with(Option::is_none)>
                <ProblemMessage error=editor.error testid=editor.testid("error") />
            </Show>
            <Show
                when=move || list.with(|l| !l.is_empty())
                fallback=move || view! { <p class="muted">{move || i18n.t(empty)}</p> }
            >
                <ul class="setup-list">
                    <For each=move || list.get() key=|r| r.clone() children=row.clone() />
                </ul>
            </Show>
        </section>
    }
}

/// A record's row: `children` (what the record is), then the retired badge,
/// "edit" (opens `form`) and retire / restore (`set_retired(!retired)`).
/// Record-specific `data-` attributes are passed with `attr:`.
#[component]
pub(super) fn EditorRow<F>(
    editor: Editor<F>,
    retired: bool,
    /// The form "edit" opens.
    form: F,
    set_retired: impl Fn(bool) + 'static,
    children: Children,
) -> impl IntoView
where
    F: Clone + Send + Sync + 'static,
{
    let i18n = I18n::get();
    view! {
        <li
            class="setup-row"
            class:retired=retired
            data-testid=editor.testid("row")
            data-retired=retired.to_string()
        >
            {children()}
            <span class="setup-actions">
                {retired.then(|| view! { <span class="badge">{move || i18n.t(Key::Retired)}</span> })}
                <button class="button" data-testid=editor.testid("edit") on:click=move |_| editor.open(form.clone())>
                    {move || i18n.t(Key::Edit)}
                </button>
                <button
                    class="button"
                    data-testid=editor.testid(if retired { "restore" } else { "retire" })
                    disabled=move || editor.busy.get()
                    on:click=move |_| set_retired(!retired)
                >
                    {move || i18n.t(if retired { Key::Restore } else { Key::Retire })}
                </button>
            </span>
        </li>
    }
}

/// The add / change form: `children` (the editor's fields), the refusal of
/// the last save, and save (calls `on_save`) / cancel.
#[component]
pub(super) fn EditorForm<F>(
    editor: Editor<F>,
    on_save: impl Fn() + 'static,
    children: Children,
) -> impl IntoView
where
    F: Clone + Send + Sync + 'static,
{
    let i18n = I18n::get();
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        on_save();
    };
    let busy = editor.busy;
    view! {
        <form class="setup-form" data-testid=editor.testid("form") on:submit=submit novalidate>
            {children()}
            <ProblemMessage error=editor.error testid=editor.testid("error") />
            <div class="form-actions">
                <button type="submit" class="button button-primary" data-testid=editor.testid("save") disabled=move || busy.get()>
                    {move || i18n.t(if busy.get() { Key::Saving } else { Key::Save })}
                </button>
                <button type="button" class="button" data-testid=editor.testid("cancel") on:click=move |_| editor.close()>
                    {move || i18n.t(Key::Cancel)}
                </button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use roundbook_shared::domain::Role;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::super::SetupTab;
    use super::*;
    use crate::i18n::Lang;
    use crate::ui::testing::{attr, find, has, mount, pause, type_into, until};

    /// The checkpoint editor in its frame: a refused save shows the
    /// translated problem in the open form; a saved checkpoint closes the
    /// form and shows as a row with its code; retire, edit and cancel work
    /// on that row.
    #[wasm_bindgen_test]
    async fn a_checkpoint_is_added_refused_retired_and_edited() {
        let (host, handle) = mount(vec![Role::SecuritySupervisor], |workspace| {
            view! { <SetupTab workspace /> }.into_any()
        })
        .await;
        let has = |selector: &str| has(&host, selector);
        assert!(has("[data-testid=checkpoint-editor]"));
        assert!(!has("[data-testid=checkpoint-form]"));

        find(&host, "[data-testid=checkpoint-new]").click();
        pause(20).await;
        find(&host, "[data-testid=checkpoint-save]").click();
        until(|| has("[data-testid=checkpoint-form] [data-testid=checkpoint-error]")).await;
        let error = find(&host, "[data-testid=checkpoint-error]")
            .text_content()
            .unwrap();
        assert!(
            error.starts_with(Key::ProblemCodeEmpty.text(Lang::ZhCn)),
            "{error}"
        );

        type_into(&host, "[data-testid=checkpoint-code]", "A-01");
        type_into(&host, "[data-testid=checkpoint-name]", "正门岗亭");
        find(&host, "[data-testid=checkpoint-save]").click();
        let row = "[data-testid=checkpoint-row][data-code=A-01]";
        until(|| has(row)).await;
        assert!(
            !has("[data-testid=checkpoint-form]"),
            "saving closes the form"
        );
        assert!(!has("[data-testid=checkpoint-error]"));
        assert_eq!(attr(&host, row, "data-retired").as_deref(), Some("false"));

        find(&find(&host, row), "[data-testid=checkpoint-retire]").click();
        until(|| attr(&host, row, "data-retired").as_deref() == Some("true")).await;
        assert!(find(&host, row).class_list().contains("retired"));
        assert!(has(&format!("{row} [data-testid=checkpoint-restore]")));

        find(&find(&host, row), "[data-testid=checkpoint-edit]").click();
        pause(20).await;
        let code: web_sys::HtmlInputElement =
            find(&host, "[data-testid=checkpoint-code]").unchecked_into();
        assert_eq!(code.value(), "A-01");
        find(&host, "[data-testid=checkpoint-cancel]").click();
        pause(20).await;
        assert!(!has("[data-testid=checkpoint-form]"));
        drop(handle);
        host.remove();
    }
}

//! Labelled `<select>` fields: [`LabelledSelect`] bound to a string signal,
//! [`ZoneSelect`] (one of the user's zones) built on it, and [`WordSelect`]
//! for a closed set of stored words (a request's channel, a finding's
//! severity) bound to its enum; and [`ChoiceButton`], one of a row of
//! buttons that pick a value (the home's tabs, the request filters).
//!
//! Display and input only: what the choice means (which records a zone
//! shows, whether the user may see it) is the screen's, and the words and
//! their names are the schema's and [`crate::i18n`]'s.

use leptos::prelude::*;

use super::field::Field;
use super::WorkspaceRef;
use crate::i18n::{I18n, Key};

/// A field with a translated label and a select of `children` (its
/// `<option>`s), showing and setting `value`.
#[component]
pub fn LabelledSelect(
    label: Key,
    testid: &'static str,
    value: RwSignal<String>,
    /// Laid out inline in a heading row rather than as a field of a form.
    #[prop(optional)]
    inline: bool,
    /// Called with the new value before `value` is set to it.
    #[prop(optional_no_strip)]
    on_pick: Option<Callback<String>>,
    children: Children,
) -> impl IntoView {
    let pick = move |picked: String| {
        if let Some(on_pick) = on_pick {
            on_pick.run(picked.clone());
        }
        value.set(picked);
    };
    select_field(label, testid, inline, move || value.get(), pick, children())
}

/// The field both selects are: label, then the select showing `shown` and
/// handing each change to `pick`.
fn select_field(
    label: Key,
    testid: &'static str,
    inline: bool,
    shown: impl Fn() -> String + Send + Sync + 'static,
    pick: impl Fn(String) + Send + Sync + 'static,
    options: impl IntoView + 'static,
) -> impl IntoView {
    view! {
        <Field label inline>
            <select
                data-testid=testid
                prop:value=shown
                on:change=move |event| pick(event_target_value(&event))
            >
                {options}
            </select>
        </Field>
    }
}

/// A closed set of words a record stores (see the schema's `words!`), each
/// with its translated name.
pub trait Word: Copy + Send + Sync + 'static {
    fn all() -> &'static [Self];
    fn word(self) -> &'static str;
    fn read(text: &str) -> Option<Self>;
    fn name(self) -> Key;
}

/// Implements [`Word`] for schema enums (`ALL`, `as_str`, `parse`) with the
/// function that names each value: `named_words!(Channel => channel_key)`.
macro_rules! named_words {
    ($($words:ty => $name:path),+ $(,)?) => {
        $(
            impl $crate::ui::select::Word for $words {
                fn all() -> &'static [Self] {
                    &<$words>::ALL
                }
                fn word(self) -> &'static str {
                    self.as_str()
                }
                fn read(text: &str) -> Option<Self> {
                    <$words>::parse(text)
                }
                fn name(self) -> $crate::i18n::Key {
                    $name(self)
                }
            }
        )+
    };
}
pub(crate) use named_words;

/// A field choosing one of `T`'s words, showing and setting `value`.
#[component]
pub fn WordSelect<T: Word>(label: Key, testid: &'static str, value: RwSignal<T>) -> impl IntoView {
    let i18n = I18n::get();
    let options = T::all()
        .iter()
        .map(|word| view! { <option value=word.word()>{move || i18n.t(word.name())}</option> })
        .collect_view();
    let pick = move |picked: String| {
        if let Some(picked) = T::read(&picked) {
            value.set(picked);
        }
    };
    select_field(
        label,
        testid,
        false,
        move || value.get().word().to_owned(),
        pick,
        options,
    )
}

/// The select of the signed-in user's zones, by code, showing their names.
#[component]
pub fn ZoneSelect(
    workspace: WorkspaceRef,
    zone: RwSignal<String>,
    testid: &'static str,
    label: Key,
    #[prop(optional)] inline: bool,
    /// Called with the new zone before `zone` is set to it.
    #[prop(optional, into)]
    on_pick: Option<Callback<String>>,
    /// Offers "all zones" first, as the empty code (whole-site views).
    #[prop(optional)]
    all_zones: bool,
) -> impl IntoView {
    let i18n = I18n::get();
    let all =
        all_zones.then(|| view! { <option value="">{move || i18n.t(Key::AllZones)}</option> });
    let options = workspace
        .with_value(|ws| ws.session.zones().to_vec())
        .into_iter()
        .map(|z| view! { <option value=z.code>{z.name}</option> })
        .collect_view();
    view! {
        <LabelledSelect label testid value=zone inline on_pick>
            {all}
            {options}
        </LabelledSelect>
    }
}

/// Whether the user works in more than one zone, and so needs the choice.
pub fn several_zones(workspace: WorkspaceRef) -> bool {
    workspace.with_value(|ws| ws.session.zones().len() > 1)
}

#[cfg(test)]
mod tests {
    use roundbook_shared::domain::Role;
    use roundbook_shared::schema::request::RequestKind;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;
    use crate::i18n::Lang;
    use crate::ui::testing::{find, mount, pause};

    fn choose(host: &web_sys::Element, selector: &str, value: &str) {
        let select: web_sys::HtmlSelectElement = find(host, selector).unchecked_into();
        select.set_value(value);
        select
            .dispatch_event(&web_sys::Event::new("change").unwrap())
            .unwrap();
    }

    fn shown(host: &web_sys::Element, selector: &str) -> String {
        find(host, selector)
            .unchecked_into::<web_sys::HtmlSelectElement>()
            .value()
    }

    /// The selects show their signal's value and set it on a change: the
    /// zone select (inline, telling `on_pick`) and a word select.
    #[wasm_bindgen_test]
    async fn selects_show_and_set_their_value() {
        let (host, handle) = mount(vec![Role::ZoneService], |workspace| {
            let zone = RwSignal::new("A".to_owned());
            let picked = RwSignal::new(String::new());
            let kind = RwSignal::new(RequestKind::RepairHome);
            view! {
                <ZoneSelect
                    workspace
                    zone
                    testid="test-zone"
                    label=Key::Zone
                    inline=true
                    on_pick=move |next: String| picked.set(format!("{} → {next}", zone.get_untracked()))
                />
                <WordSelect label=Key::ReqKind testid="test-kind" value=kind />
                <p data-testid="picked">{move || picked.get()}</p>
                <p data-testid="kind">{move || kind.get().as_str()}</p>
            }
            .into_any()
        })
        .await;
        pause(0).await;
        let label = find(&host, "[data-testid=test-zone]")
            .parent_element()
            .unwrap();
        assert_eq!(label.class_name(), "field inline");
        assert_eq!(shown(&host, "[data-testid=test-zone]"), "A");
        choose(&host, "[data-testid=test-zone]", "A");
        pause(0).await;
        let picked = find(&host, "[data-testid=picked]").text_content().unwrap();
        assert_eq!(picked, "A → A", "on_pick is told the picked zone");

        assert_eq!(shown(&host, "[data-testid=test-kind]"), "repair_home");
        let crime = find(&host, "[data-testid=test-kind] option[value=crime]");
        assert_eq!(
            crime.text_content().unwrap(),
            Key::ReqKCrime.text(Lang::ZhCn)
        );
        choose(&host, "[data-testid=test-kind]", "crime");
        pause(0).await;
        assert_eq!(
            find(&host, "[data-testid=kind]").text_content().unwrap(),
            "crime"
        );
        drop(handle);
        host.remove();
    }
}

/// One button of a row that picks a value: shown selected while `current`
/// holds `value`, and picking it on a tap.
#[component]
pub fn ChoiceButton<T>(
    testid: String,
    label: Key,
    current: RwSignal<T>,
    value: T,
    /// `tab` in a tab bar (which the drafts kept across an update reopen).
    #[prop(optional)]
    role: Option<&'static str>,
) -> impl IntoView
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    let i18n = I18n::get();
    view! {
        <button
            class="tab"
            role=role
            data-testid=testid
            aria-selected=move || (current.get() == value).to_string()
            on:click=move |_| current.set(value)
        >
            {move || i18n.t(label)}
        </button>
    }
}

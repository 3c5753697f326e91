//! Cleaning inspections, rectifications, the monthly score sheet with its
//! sign-off, the 12-month history and the template editor.
//!
//! Each submodule is one screen (a pub component taking `workspace`); this
//! module holds what they share: the acting user, error wording, names in the
//! chosen language. Records are read and written only through
//! [`crate::cleaning`].

mod history;
mod inspect;
mod rectifications;
mod sheet;
mod signature;
mod template;

pub use history::HistoryTab;
pub use inspect::InspectTab;
pub use rectifications::RectificationsTab;
pub use sheet::SheetTab;
pub use template::TemplateTab;

use leptos::prelude::*;
use roundbook_shared::schema::cleaning::{Area, Item, Template};

use crate::browser;
use crate::cleaning::{self, CleaningError, HistoryMonth};
use crate::i18n::{filled, I18n, Key, Lang};
use crate::sync::SyncStatus;
use crate::ui::actor;
use crate::ui::WorkspaceRef;

fn site(workspace: WorkspaceRef) -> String {
    workspace.with_value(|ws| ws.session.site_code().to_owned())
}

/// The site's last 12 months of score sheets, read again whenever the
/// documents change: what the sheet and the history screens show.
fn year_of_sheets(workspace: WorkspaceRef) -> Memo<Vec<HistoryMonth>> {
    let status = expect_context::<SyncStatus>();
    let site = site(workspace);
    Memo::new(move |_| {
        status.revision.track();
        let now = browser::now_ms();
        workspace.with_value(|ws| cleaning::history(&ws.library, &site, now, 12))
    })
}

/// The wording of a refusal.
fn error_key(error: &CleaningError) -> Key {
    match error {
        CleaningError::Locked => Key::CleanLocked,
        CleaningError::PointsInvalid => Key::CleanPointsInvalid,
        CleaningError::ReasonRequired => Key::CleanReasonRequired,
        CleaningError::DeadlineInvalid => Key::CleanDeadlineInvalid,
        CleaningError::NameRequired => Key::CleanNameRequired,
        CleaningError::NoSignature => Key::CleanDrawFirst,
        CleaningError::TooEarly => Key::CleanSignTooEarly,
        CleaningError::AlreadySigned => Key::CleanAlreadySigned,
        CleaningError::TemplateInvalid => Key::CleanTemplateInvalid,
        // The forms keep these from happening, or they are the tablet's own
        // trouble: the detail is for the log.
        CleaningError::TooManyPhotos
        | CleaningError::UnknownItem
        | CleaningError::NotFound
        | CleaningError::Busy
        | CleaningError::Invalid(_)
        | CleaningError::NotSaved(_) => {
            web_sys::console::error_1(&format!("cleaning: {error:?}").into());
            Key::CleanSaveFailed
        }
    }
}

/// "label：value" in Chinese, "label: value" in English.
fn labelled(lang: Lang, label: Key, value: &str) -> String {
    filled(
        Key::CleanLabelValue,
        lang,
        &[("label", label.text(lang)), ("value", value)],
    )
}

fn pick<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::ZhCn if !zh.is_empty() => zh,
        _ if !en.is_empty() => en,
        _ => zh,
    }
}

/// An area's name, after its building or place when it has one
/// ("3栋 · 大堂").
fn area_name(lang: Lang, area: &Area) -> String {
    let name = pick(lang, &area.name_zh, &area.name_en);
    match pick(lang, &area.place_zh, &area.place_en) {
        "" => name.to_owned(),
        place => format!("{place} · {name}"),
    }
}

/// The template's areas as `<option>`s (value: the area id), named in the
/// chosen language.
#[component]
fn AreaOptions(template: Memo<Template>) -> impl IntoView {
    let i18n = I18n::get();
    move || {
        let lang = i18n.lang();
        template.with(|template| {
            template
                .areas
                .iter()
                .map(|a| view! { <option value=a.id.clone()>{area_name(lang, a)}</option> })
                .collect_view()
        })
    }
}

fn item_name(lang: Lang, item: &Item) -> String {
    pick(lang, &item.name_zh, &item.name_en).to_owned()
}

fn item_standard(lang: Lang, item: &Item) -> String {
    pick(lang, &item.standard_zh, &item.standard_en).to_owned()
}

/// An area's name in `template`, or its id.
fn area_label(lang: Lang, template: &Template, area_id: &str) -> String {
    template
        .area(area_id)
        .map(|area| area_name(lang, area))
        .unwrap_or_else(|| area_id.to_owned())
}

/// An item's name in `template`, or its id.
fn item_label(lang: Lang, template: &Template, area_id: &str, item_id: &str) -> String {
    template
        .item(area_id, item_id)
        .map(|item| item_name(lang, item))
        .unwrap_or_else(|| item_id.to_owned())
}

/// A result line: ok (green) or refused (red), with a test id.
#[component]
fn Said(testid: &'static str, said: RwSignal<Option<(bool, Key)>>) -> impl IntoView {
    let i18n = I18n::get();
    move || {
        said.get().map(|(ok, key)| {
            view! {
                <p
                    class=if ok { "banner banner-ok" } else { "banner banner-error" }
                    data-testid=testid
                    data-ok=ok.to_string()
                    role="status"
                >
                    {move || i18n.t(key)}
                </p>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use roundbook_shared::domain::Role;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;
    use crate::ui::testing::{attr, find, has, mount, pause};

    /// Lets the browser run what leptos scheduled (property updates).
    async fn next_tick() {
        pause(0).await;
    }

    /// The sheet, history and template screens render on an empty tablet:
    /// no sheet yet, an open month, the chart with gaps, the default
    /// template adding to 100 (editable for the environment supervisor only).
    #[wasm_bindgen_test]
    async fn screens_render_on_an_empty_tablet() {
        let (host, handle) = mount(vec![Role::CleaningSupervisor], |workspace| {
            view! { <SheetTab workspace /> <HistoryTab workspace /> <TemplateTab workspace /> }
                .into_any()
        })
        .await;
        assert_eq!(
            attr(&host, "[data-testid=sheet-state]", "data-locked").as_deref(),
            Some("false")
        );
        assert!(host
            .query_selector("[data-testid=sheet-total]")
            .unwrap()
            .is_none());
        assert_eq!(
            host.query_selector_all("[data-testid=history-gap]")
                .unwrap()
                .length(),
            12
        );
        assert_eq!(
            host.query_selector_all("[data-testid=history-row]")
                .unwrap()
                .length(),
            12
        );
        assert_eq!(
            attr(&host, "[data-testid=template-sum]", "data-sum").as_deref(),
            Some("100")
        );
        assert!(host
            .query_selector("[data-testid=template-readonly]")
            .unwrap()
            .is_some());
        assert_eq!(
            attr(&host, "[data-testid=template-version]", "data-version").as_deref(),
            Some("0")
        );
        drop(handle);
        host.remove();

        let (host, handle) = mount(vec![Role::EnvironmentSupervisor], |workspace| {
            view! { <TemplateTab workspace /> }.into_any()
        })
        .await;
        assert!(host
            .query_selector("[data-testid=template-readonly]")
            .unwrap()
            .is_none());
        let publish: web_sys::HtmlButtonElement = host
            .query_selector("[data-testid=template-publish]")
            .unwrap()
            .unwrap()
            .unchecked_into();
        assert!(!publish.disabled(), "100 points: publishable");
        let threshold: web_sys::HtmlInputElement = host
            .query_selector("[data-testid=template-threshold]")
            .unwrap()
            .unwrap()
            .unchecked_into();
        next_tick().await;
        assert_eq!(threshold.value(), "90", "the default pass mark");
        threshold.set_value("0");
        threshold
            .dispatch_event(&web_sys::Event::new("input").unwrap())
            .unwrap();
        next_tick().await;
        assert!(publish.disabled(), "a pass mark of 0 cannot be published");
        assert!(host
            .query_selector("[data-testid=template-threshold-error]")
            .unwrap()
            .is_some());
        drop(handle);
        host.remove();
    }

    #[wasm_bindgen_test]
    fn an_area_of_a_building_is_named_after_it() {
        let mut lobby = roundbook_shared::schema::cleaning::default_template().areas[0].clone();
        assert_eq!(area_name(Lang::ZhCn, &lobby), "大堂");
        lobby.place_zh = "3栋".into();
        assert_eq!(area_name(Lang::ZhCn, &lobby), "3栋 · 大堂");
        assert_eq!(
            area_name(Lang::En, &lobby),
            "3栋 · Lobby",
            "no English place: the Chinese one"
        );
        lobby.place_en = "Building 3".into();
        assert_eq!(area_name(Lang::En, &lobby), "Building 3 · Lobby");
    }

    /// The template editor in Chinese: each area a folded group with its
    /// item count and points, each item one table row, and no English word
    /// or ASCII colon anywhere on the screen.
    #[wasm_bindgen_test]
    async fn the_template_editor_is_compact_and_all_chinese() {
        let (host, handle) = mount(vec![Role::EnvironmentSupervisor], |workspace| {
            view! { <TemplateTab workspace /> }.into_any()
        })
        .await;
        next_tick().await;
        let areas = host
            .query_selector_all("[data-testid=template-area]")
            .unwrap();
        assert_eq!(areas.length(), 7);
        for index in 0..areas.length() {
            let area: web_sys::Element = areas.item(index).unwrap().unchecked_into();
            assert_eq!(area.tag_name(), "DETAILS");
            let open = js_sys::Reflect::get(&area, &"open".into()).unwrap();
            assert_eq!(open.as_bool(), Some(false), "folded at first");
        }
        assert_eq!(
            find(&host, "[data-testid=template-area-summary]")
                .text_content()
                .as_deref(),
            Some("3 项 · 15 分")
        );
        let items = host
            .query_selector_all("[data-testid=template-item]")
            .unwrap();
        assert_eq!(items.length(), 16);
        for index in 0..items.length() {
            let item: web_sys::Element = items.item(index).unwrap().unchecked_into();
            assert_eq!(item.tag_name(), "TR", "one row per item");
        }
        let mut shown = host.text_content().unwrap();
        let inputs = host.query_selector_all("input").unwrap();
        for index in 0..inputs.length() {
            let input: web_sys::HtmlInputElement = inputs.item(index).unwrap().unchecked_into();
            shown.push_str(&input.value());
            shown.push_str(&input.get_attribute("aria-label").unwrap_or_default());
            shown.push_str(&input.placeholder());
        }
        assert!(
            !shown.chars().any(|c| c.is_ascii_alphabetic()),
            "English on the Chinese screen: {shown}"
        );
        assert!(!shown.contains(':'), "an ASCII colon: {shown}");
        drop(handle);
        host.remove();
    }

    /// Before the month's last day the signature pads take no ink, and a
    /// line says from when the month may be signed.
    #[wasm_bindgen_test]
    async fn the_pads_are_disabled_until_signing_opens() {
        let (host, handle) = mount(vec![Role::CleaningSupervisor], |workspace| {
            view! { <SheetTab workspace /> }.into_any()
        })
        .await;
        next_tick().await;
        let today = crate::calendar::today();
        // This month (until the 5th the sheet opens on last month's).
        let select = find(&host, "[data-testid=sheet-month]");
        let this_month = crate::cleaning::month_start(today).to_string();
        js_sys::Reflect::set(&select, &"value".into(), &this_month.into()).unwrap();
        select
            .dispatch_event(&web_sys::Event::new("change").unwrap())
            .unwrap();
        next_tick().await;
        let pad = find(&host, "[data-testid=sign-supervisor-pad]");
        let submit: web_sys::HtmlButtonElement =
            find(&host, "[data-testid=sign-supervisor-submit]").unchecked_into();
        if crate::cleaning::may_sign(today, crate::browser::now_ms()) {
            // The month's last day: open.
            assert!(!has(&host, "[data-testid=sign-opens]"));
            assert_eq!(pad.get_attribute("aria-disabled").as_deref(), Some("false"));
            return;
        }
        assert_eq!(
            attr(&host, "[data-testid=sign-opens]", "data-date"),
            Some(roundbook_shared::score::month_end(today).to_string())
        );
        assert_eq!(pad.get_attribute("aria-disabled").as_deref(), Some("true"));
        assert!(submit.disabled());
        pad.dispatch_event(&web_sys::Event::new("pointerdown").unwrap())
            .unwrap();
        next_tick().await;
        assert_eq!(
            pad.get_attribute("data-ink").as_deref(),
            Some("false"),
            "no ink"
        );
        drop(handle);
        host.remove();
    }
}

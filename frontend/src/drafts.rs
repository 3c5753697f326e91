//! Unsaved form input kept across the reload into a new build.
//!
//! Just before that reload, [`save`] writes down every field on screen that
//! has a test id (`data-testid`): its value, keyed by the test id and its
//! position among the fields with that id, and the tab that was open. They
//! go to `sessionStorage`: this browser tab only, gone when it closes, never
//! sent anywhere. After the reload, [`restore`] opens that tab again and puts
//! each value back as soon as its field is on screen — at once, or when the
//! user opens the form again — then forgets it. The screens need no code of
//! their own. Passwords and files are never written down.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

const STORAGE_KEY: &str = "roundbook.drafts";
const FIELDS: &str = "input[data-testid], textarea[data-testid], select[data-testid]";

#[derive(Debug, Default, Serialize, Deserialize)]
struct Drafts {
    /// `test-id#n` (the n-th field with that test id) → its text, or for a
    /// checkbox or radio button whether it is checked.
    fields: BTreeMap<String, serde_json::Value>,
    /// The test id of the tab that was open.
    tab: Option<String>,
}

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

fn prop(target: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(target, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

/// The fields on screen, each with its key.
fn fields(document: &web_sys::Document) -> Vec<(String, web_sys::Element)> {
    let Ok(list) = document.query_selector_all(FIELDS) else {
        return Vec::new();
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<web_sys::Element>().ok())
        .filter_map(|field| {
            let testid = field.get_attribute("data-testid")?;
            let n = seen.entry(testid.clone()).or_default();
            let key = format!("{testid}#{n}");
            *n += 1;
            Some((key, field))
        })
        .collect()
}

fn kind(field: &web_sys::Element) -> String {
    field
        .get_attribute("type")
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// Writes down the input of every field on screen (see the module doc).
pub fn save() {
    let (Some(document), Some(storage)) = (document(), session_storage()) else {
        return;
    };
    let mut drafts = Drafts::default();
    for (key, field) in fields(&document) {
        let value = match kind(&field).as_str() {
            "password" | "file" | "hidden" | "submit" | "button" | "reset" | "image" => continue,
            "checkbox" | "radio" => match prop(&field, "checked").as_bool() {
                Some(checked) if Some(checked) != prop(&field, "defaultChecked").as_bool() => {
                    serde_json::Value::Bool(checked)
                }
                _ => continue,
            },
            _ => match prop(&field, "value").as_string() {
                Some(text) if !text.is_empty() => serde_json::Value::String(text),
                _ => continue,
            },
        };
        drafts.fields.insert(key, value);
    }
    drafts.tab = document
        .query_selector("[role=tab][aria-selected=true]")
        .ok()
        .flatten()
        .and_then(|tab| tab.get_attribute("data-testid"));
    if drafts.fields.is_empty() && drafts.tab.is_none() {
        return;
    }
    if let Ok(text) = serde_json::to_string(&drafts) {
        let _ = storage.set_item(STORAGE_KEY, &text);
    }
}

fn fire(field: &web_sys::Element, name: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    if let Ok(event) = web_sys::Event::new_with_event_init_dict(name, &init) {
        let _ = field.dispatch_event(&event);
    }
}

/// Puts back what is on screen now; true once nothing is left to restore.
fn apply(drafts: &mut Drafts) -> bool {
    let Some(document) = document() else {
        return true;
    };
    if let Some(testid) = drafts.tab.clone() {
        let selector = format!("[role=tab][data-testid=\"{testid}\"]");
        if let Some(tab) = document.query_selector(&selector).ok().flatten() {
            if tab.get_attribute("aria-selected").as_deref() != Some("true") {
                if let Some(tab) = tab.dyn_ref::<web_sys::HtmlElement>() {
                    tab.click();
                }
            }
            drafts.tab = None;
        }
    }
    if !drafts.fields.is_empty() {
        for (key, field) in fields(&document) {
            let Some(value) = drafts.fields.remove(&key) else {
                continue;
            };
            let set = match &value {
                serde_json::Value::Bool(checked) => (*checked).into(),
                serde_json::Value::String(text) => JsValue::from_str(text),
                _ => continue,
            };
            let name = if value.is_boolean() {
                "checked"
            } else {
                "value"
            };
            let _ = js_sys::Reflect::set(&field, &name.into(), &set);
            // The screens read input through these events, as if typed.
            fire(&field, "input");
            fire(&field, "change");
        }
    }
    drafts.fields.is_empty() && drafts.tab.is_none()
}

fn store(drafts: &Drafts) {
    let Some(storage) = session_storage() else {
        return;
    };
    if drafts.fields.is_empty() && drafts.tab.is_none() {
        let _ = storage.remove_item(STORAGE_KEY);
    } else if let Ok(text) = serde_json::to_string(drafts) {
        let _ = storage.set_item(STORAGE_KEY, &text);
    }
}

/// After a reload: puts the written-down input back as its fields appear.
pub fn restore() {
    let Some(text) =
        session_storage().and_then(|storage| storage.get_item(STORAGE_KEY).ok().flatten())
    else {
        return;
    };
    let Ok(drafts) = serde_json::from_str::<Drafts>(&text) else {
        if let Some(storage) = session_storage() {
            let _ = storage.remove_item(STORAGE_KEY);
        }
        return;
    };
    let Some(body) = document().and_then(|document| document.body()) else {
        return;
    };
    let drafts = Rc::new(RefCell::new(drafts));
    let pending = drafts.clone();
    let callback = Closure::<dyn FnMut(js_sys::Array, web_sys::MutationObserver)>::new(
        move |_records: js_sys::Array, observer: web_sys::MutationObserver| {
            let mut drafts = pending.borrow_mut();
            let before = drafts.fields.len() + usize::from(drafts.tab.is_some());
            let done = apply(&mut drafts);
            if before != drafts.fields.len() + usize::from(drafts.tab.is_some()) {
                store(&drafts);
            }
            if done {
                observer.disconnect();
            }
        },
    );
    let Ok(observer) = web_sys::MutationObserver::new(callback.as_ref().unchecked_ref()) else {
        return;
    };
    // Lives until every draft is back (the observer then lets it go).
    callback.forget();
    let options = web_sys::MutationObserverInit::new();
    options.set_child_list(true);
    options.set_subtree(true);
    let _ = observer.observe_with_options(&body, &options);
    let mut drafts = drafts.borrow_mut();
    if apply(&mut drafts) {
        observer.disconnect();
    }
    store(&drafts);
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    const FORM: &str = r#"<textarea data-testid="draft-text"></textarea>
        <input data-testid="draft-code"><input data-testid="draft-code">
        <input type="password" data-testid="draft-secret">
        <input type="checkbox" data-testid="draft-box">"#;

    fn field(area: &web_sys::Element, selector: &str) -> web_sys::Element {
        area.query_selector(selector).unwrap().unwrap()
    }

    fn set(target: &web_sys::Element, name: &str, value: JsValue) {
        js_sys::Reflect::set(target, &name.into(), &value).unwrap();
    }

    #[wasm_bindgen_test]
    async fn typed_input_comes_back_when_its_field_appears_again() {
        let document = document().unwrap();
        let area = document.create_element("div").unwrap();
        document.body().unwrap().append_child(&area).unwrap();
        area.set_inner_html(FORM);
        set(&field(&area, "textarea"), "value", "未保存的说明".into());
        set(
            &area
                .query_selector_all("[data-testid=draft-code]")
                .unwrap()
                .item(1)
                .unwrap()
                .unchecked_into(),
            "value",
            "A-02".into(),
        );
        set(&field(&area, "[type=password]"), "value", "secret".into());
        set(&field(&area, "[type=checkbox]"), "checked", true.into());
        save();
        let stored = session_storage()
            .unwrap()
            .get_item(STORAGE_KEY)
            .unwrap()
            .unwrap();
        assert!(
            !stored.contains("secret"),
            "a password was written down: {stored}"
        );

        // The reload: the form is gone, then opened again.
        area.set_inner_html("");
        restore();
        let typed = std::rc::Rc::new(std::cell::Cell::new(0));
        let count = typed.clone();
        let listener = Closure::<dyn FnMut()>::new(move || count.set(count.get() + 1));
        area.add_event_listener_with_callback("input", listener.as_ref().unchecked_ref())
            .unwrap();
        area.set_inner_html(FORM);
        // The observer runs after the DOM changed.
        crate::ui::testing::pause(0).await;

        assert_eq!(
            prop(&field(&area, "textarea"), "value")
                .as_string()
                .as_deref(),
            Some("未保存的说明")
        );
        let codes = area.query_selector_all("[data-testid=draft-code]").unwrap();
        assert_eq!(
            prop(&codes.item(0).unwrap(), "value")
                .as_string()
                .as_deref(),
            Some("")
        );
        assert_eq!(
            prop(&codes.item(1).unwrap(), "value")
                .as_string()
                .as_deref(),
            Some("A-02")
        );
        assert_eq!(
            prop(&field(&area, "[type=password]"), "value")
                .as_string()
                .as_deref(),
            Some("")
        );
        assert_eq!(
            prop(&field(&area, "[type=checkbox]"), "checked").as_bool(),
            Some(true)
        );
        // The screens heard it as typing, and the note is forgotten.
        assert_eq!(typed.get(), 3);
        assert_eq!(
            session_storage().unwrap().get_item(STORAGE_KEY).unwrap(),
            None
        );
        area.remove();
    }
}

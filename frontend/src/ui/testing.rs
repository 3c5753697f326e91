//! Test helpers for the screens' browser tests: mount a screen for a user
//! with an empty tablet, find elements, type, and wait for IndexedDB.
//! Tests only; nothing here runs in the app.

use std::rc::Rc;

use leptos::prelude::*;
use roundbook_shared::domain::Role;
use wasm_bindgen::JsCast;

use super::{Workspace, WorkspaceRef};
use crate::blobs::{Blobs, PhotoStatus};
use crate::documents::Library;
use crate::i18n::I18n;
use crate::storage::Storage;
use crate::sync::{SyncClient, SyncStatus};
use crate::writer::Writer;

/// Mounts `screen` for a user of `roles` (zone `A` of site `demo`) with an
/// empty tablet. The screen stays mounted until the handle is dropped.
pub async fn mount(
    roles: Vec<Role>,
    screen: impl FnOnce(WorkspaceRef) -> AnyView + 'static,
) -> (web_sys::Element, impl Drop) {
    let name = format!("roundbook-test-ui-{}", uuid::Uuid::new_v4().simple());
    let storage = Storage::open_named(&name).await.unwrap();
    let session = crate::session::tests::session(roles);
    let library = Library::new(storage.clone(), "t1".into());
    let document = web_sys::window().unwrap().document().unwrap();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    let handle = mount_to(host.clone().unchecked_into(), move || {
        I18n::provide();
        let status = SyncStatus::new();
        provide_context(status);
        let photos = PhotoStatus::new();
        provide_context(photos);
        let library: Rc<Library> = library.clone();
        let sync = SyncClient::start(library.clone(), session.clone(), status);
        let workspace = StoredValue::new_local(Workspace {
            blobs: Blobs::start(storage.clone(), "token".into(), photos),
            writer: Writer::new(library.clone(), sync.clone()),
            sync,
            session: session.clone(),
            library,
            device: "tablet-test".into(),
        });
        screen(workspace)
    });
    (host, handle)
}

pub async fn pause(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Waits (up to 3 s) until `done` holds: IndexedDB writes take a while.
pub async fn until(done: impl Fn() -> bool) {
    for _ in 0..150 {
        if done() {
            return;
        }
        pause(20).await;
    }
}

pub fn has(host: &web_sys::Element, selector: &str) -> bool {
    host.query_selector(selector).unwrap().is_some()
}

pub fn find(host: &web_sys::Element, selector: &str) -> web_sys::HtmlElement {
    host.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("{selector}"))
        .unchecked_into()
}

pub fn attr(host: &web_sys::Element, selector: &str, name: &str) -> Option<String> {
    host.query_selector(selector).unwrap()?.get_attribute(name)
}

/// Sets an input's or text area's value and tells the page, as typing does.
pub fn type_into(host: &web_sys::Element, selector: &str, value: &str) {
    let element = find(host, selector);
    if let Some(input) = element.dyn_ref::<web_sys::HtmlInputElement>() {
        input.set_value(value);
    } else if let Some(area) = element.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        area.set_value(value);
    }
    element
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
}

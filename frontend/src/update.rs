//! A new build of the app, offered and applied without interrupting anyone.
//!
//! The service worker (`frontend/public/sw.js`) installs a new build in the
//! background, all its files in a cache of its own, and keeps it waiting
//! while this page runs the old one. [`watch`] calls back when a build waits
//! (or another tab has already let it in), and the page offers "new version,
//! reload"; nothing reloads by itself. Only the user's tap, [`apply`], keeps
//! the input of the forms on screen ([`crate::drafts`]), lets the waiting
//! build take over and reloads into it.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{ServiceWorkerContainer, ServiceWorkerRegistration, ServiceWorkerState};

thread_local! {
    /// Set once the user accepted: the next `controllerchange` reloads.
    static ACCEPTED: Cell<bool> = const { Cell::new(false) };
}

/// How long [`apply`] waits for the new build to take over before it
/// reloads anyway (the old build then serves the page again).
const TAKEOVER_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

fn container() -> Option<ServiceWorkerContainer> {
    let navigator = web_sys::window()?.navigator();
    // Absent in insecure contexts and some embedded browsers.
    js_sys::Reflect::has(&navigator, &"serviceWorker".into())
        .unwrap_or(false)
        .then(|| navigator.service_worker())
}

/// Listens for `event` on `target` for the life of the page.
fn listen(target: &web_sys::EventTarget, event: &str, callback: impl FnMut() + 'static) {
    let callback = Closure::<dyn FnMut()>::new(callback);
    let _ = target.add_event_listener_with_callback(event, callback.as_ref().unchecked_ref());
    callback.forget();
}

async fn registration(container: &ServiceWorkerContainer) -> Option<ServiceWorkerRegistration> {
    let registration = JsFuture::from(container.get_registration()).await.ok()?;
    registration.dyn_into().ok()
}

/// Calls `on_ready` when a new build is ready for this page: installed and
/// waiting, or already in charge because another tab accepted it. Not on
/// the very first install, which is not an update.
pub fn watch(on_ready: impl Fn() + 'static) {
    let Some(container) = container() else { return };
    let on_ready = Rc::new(on_ready);
    let controlled = Rc::new(Cell::new(container.controller().is_some()));
    {
        let on_ready = on_ready.clone();
        listen(&container, "controllerchange", move || {
            if ACCEPTED.get() {
                crate::browser::reload();
            } else if controlled.replace(true) {
                on_ready();
            }
        });
    }
    spawn_local(async move {
        // Once a worker is active (on a first visit, after it installed).
        let Ok(ready) = container.ready() else { return };
        let Ok(registration) = JsFuture::from(ready).await else {
            return;
        };
        let Ok(registration) = registration.dyn_into::<ServiceWorkerRegistration>() else {
            return;
        };
        if registration.waiting().is_some() && container.controller().is_some() {
            on_ready();
        }
        let found = registration.clone();
        listen(&registration, "updatefound", move || {
            let Some(worker) = found.installing() else {
                return;
            };
            let (on_ready, container, watched) =
                (on_ready.clone(), container.clone(), worker.clone());
            listen(&worker, "statechange", move || {
                if watched.state() == ServiceWorkerState::Installed
                    && container.controller().is_some()
                {
                    on_ready();
                }
            });
        });
    });
}

/// Asks the service worker registration to look for a new build now (the
/// tablet reached its server, which may run a newer release); the install
/// and the offer follow the usual path.
pub fn check() {
    let Some(container) = container() else { return };
    spawn_local(async move {
        if let Some(registration) = registration(&container).await {
            if let Ok(update) = registration.update() {
                // A failed check (offline, server busy) is tried again next time.
                let _ = JsFuture::from(update).await;
            }
        }
    });
}

/// The user accepted the new version: keep the forms' input, let the
/// waiting build take over, and reload into it.
pub fn apply() {
    crate::drafts::save();
    let Some(container) = container() else {
        return crate::browser::reload();
    };
    spawn_local(async move {
        let waiting = registration(&container)
            .await
            .and_then(|registration| registration.waiting());
        let Some(worker) = waiting else {
            // Already in charge (another tab accepted it): just reload.
            return crate::browser::reload();
        };
        ACCEPTED.set(true);
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&message, &"type".into(), &"skip-waiting".into());
        if worker.post_message(&message).is_err() {
            return crate::browser::reload();
        }
        leptos::prelude::set_timeout(crate::browser::reload, TAKEOVER_WAIT);
    });
}

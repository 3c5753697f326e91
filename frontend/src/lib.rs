//! Roundbook's tablet app: a Leptos (client-side rendered) WebAssembly app
//! that works offline first. Records are Automerge documents kept in
//! IndexedDB and synced with the server whenever there is a network.
//!
//! Layers, each in its own module, each knowing only the ones below it:
//! - `ui`: screens and components. Renders state and forwards user actions.
//! - `patrol`: patrol rules applied to the tablet's documents; `patrol_records`
//!   gathers a zone's patrol records for evaluation.
//! - `writer`: the one write path: a feature's edit is stored, then sync is
//!   told (screens never tell sync themselves).
//! - `sync`: the WebSocket connection and the sync status; `device_report`:
//!   what the tablet tells the office about itself (pending uploads).
//! - `documents`: which documents the tablet holds; loading and storing them.
//! - `session`: who is signed in and which home they get.
//! - `setup`: the security supervisor's checkpoints, routes and schedules.
//! - `staff`: the staff directory and whom a request may be assigned to.
//! - `blobs`: photo blobs and their upload queue; `photo`: downscaling a
//!   picked photo; `camera`: reading QR tags from the rear camera.
//! - `api`: the HTTP API. `storage`: IndexedDB. `browser`: small browser facilities.
//! - `update`: a new build of the app, offered and applied when the user
//!   agrees; `drafts`: forms' unsaved input kept across that reload.
//! - `calendar`: the site's day and clock.
//! - `wipe`: forgetting a user the office signed out remotely (whose data
//!   goes, whose stays).
//! - `i18n`: every user-visible string, in zh-CN and English.

mod api;
mod blobs;
mod browser;
mod calendar;
mod camera;
mod cleaning;
mod device_report;
mod documents;
mod drafts;
mod duty_log;
mod gate;
mod http;
mod i18n;
mod key_loans;
mod patrol;
mod patrol_records;
mod photo;
mod reports;
mod requests;
mod residents;
mod retention;
mod session;
mod setup;
mod staff;
mod storage;
mod sync;
mod ui;
mod update;
mod wipe;
mod work_orders;
mod writer;

#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// Entry point, called by the generated `roundbook.js` init. Not a start
/// function in test builds, where the test runner owns the page.
#[cfg_attr(not(test), wasm_bindgen::prelude::wasm_bindgen(start))]
pub fn start() {
    // The static "loading" text of index.html gives way to the app.
    if let Some(boot) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot"))
    {
        boot.remove();
    }
    // Which build runs, for support and tests: `<html data-app-build>`.
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-app-build", roundbook_shared::version::BUILD);
    }
    leptos::mount::mount_to_body(ui::App);
    drafts::restore();
}

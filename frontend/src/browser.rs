//! Thin, infallible wrappers over the few browser facilities the app uses
//! outside IndexedDB and the network: the clock, the online flag, small
//! preferences in `localStorage`, persistent-storage permission. (The
//! service worker's updates are in [`crate::update`].)
//!
//! Nothing here holds records: `localStorage` only keeps UI preferences that
//! may be lost without harm (language, the last-sync hint, the tablet's
//! name). Records live in [`crate::storage`].

/// The wall clock in Unix milliseconds (the tablet's clock).
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// Waits `ms` milliseconds without blocking the page.
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// The browser's idea of whether there is a network at all.
pub fn is_online() -> bool {
    window().is_none_or(|w| w.navigator().on_line())
}

/// Whether the page is a secure context (HTTPS, or localhost): without one
/// the browser gives the app no service worker (no offline use) and no camera.
pub fn is_secure_context() -> bool {
    window().is_none_or(|w| w.is_secure_context())
}

fn local_storage() -> Option<web_sys::Storage> {
    window()?.local_storage().ok().flatten()
}

/// A remembered UI preference.
pub fn pref(name: &str) -> Option<String> {
    local_storage()?.get_item(name).ok().flatten()
}

/// Remembers a UI preference; silently does nothing where storage is refused.
pub fn set_pref(name: &str, value: &str) {
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(name, value);
    }
}

const DEVICE_NAME_PREF: &str = "roundbook.device_name";

/// This tablet's name as the office head sees it beside a signed-in session
/// (sent with every sign-in): the platform the browser reports and a short
/// random suffix telling two tablets of the same kind apart, e.g.
/// `Android-3f9a`. Made once and kept in `localStorage` under
/// `roundbook.device_name`, so it is stable across sign-ins and may later be
/// edited there; lost, a new one is made (the head sees a new name).
pub fn device_name() -> String {
    if let Some(name) = pref(DEVICE_NAME_PREF).filter(|name| !name.trim().is_empty()) {
        return name;
    }
    let agent = window()
        .and_then(|w| w.navigator().user_agent().ok())
        .unwrap_or_default();
    let suffix = (js_sys::Math::random() * f64::from(0x1_0000)) as u32;
    let name = format!("{}-{suffix:04x}", platform_of(&agent));
    set_pref(DEVICE_NAME_PREF, &name);
    name
}

/// The kind of device a user agent string names, in words a head knows.
fn platform_of(user_agent: &str) -> &'static str {
    [
        ("iPad", "iPad"),
        ("iPhone", "iPhone"),
        ("Android", "Android"),
        ("CrOS", "ChromeOS"),
        ("Windows", "Windows"),
        ("Macintosh", "Mac"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(needle, _)| user_agent.contains(needle))
    .map_or("Browser", |(_, name)| name)
}

/// Sets `<html lang>` so the browser picks the right fonts and hyphenation.
pub fn set_document_lang(tag: &str) {
    if let Some(root) = window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", tag);
    }
}

/// `http(s)://host` → `ws(s)://host/sync?token=...`.
pub fn sync_url(token: &str) -> Option<String> {
    let location = window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    let host = location.host().ok()?;
    let token = String::from(js_sys::encode_uri_component(token));
    Some(format!("{scheme}://{host}/sync?token={token}"))
}

const PERSIST_ASKED: &str = "roundbook.persist_asked";

/// Asks once per device for persistent storage, so the browser does not evict
/// unsynced records under storage pressure. The answer is not needed.
pub fn ask_persistent_storage_once() {
    if pref(PERSIST_ASKED).is_some() {
        return;
    }
    let Some(window) = window() else { return };
    let storage = window.navigator().storage();
    if let Ok(promise) = storage.persist() {
        set_pref(PERSIST_ASKED, "1");
        wasm_bindgen_futures::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        });
    }
}

pub fn reload() {
    if let Some(window) = window() {
        let _ = window.location().reload();
    }
}

/// Opens the browser's print dialog (printable lists and sheets).
pub fn print() {
    if let Some(window) = web_sys::window() {
        let _ = window.print();
    }
}

/// Whether the user allowed system notifications.
pub fn notifications_allowed() -> bool {
    web_sys::Notification::permission() == web_sys::NotificationPermission::Granted
}

/// Asks for permission to show system notifications (call from a tap: browsers
/// ignore the request otherwise). The answer arrives later; nothing waits for it.
pub fn ask_notifications() {
    if let Ok(promise) = web_sys::Notification::request_permission() {
        wasm_bindgen_futures::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        });
    }
}

/// Shows a system notification if the user allowed them; otherwise does nothing.
pub fn notify(title: &str, body: &str, tag: &str) {
    if !notifications_allowed() {
        return;
    }
    let options = web_sys::NotificationOptions::new();
    options.set_body(body);
    options.set_tag(tag);
    let _ = web_sys::Notification::new_with_options(title, &options);
}

/// Offers `text` as a file download named `name` (an export).
pub fn download(name: &str, media_type: &str, bytes: &[u8]) {
    use wasm_bindgen::JsCast;
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(blob) = crate::photo::to_blob(bytes, media_type) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Some(link) = document
        .create_element("a")
        .ok()
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = link.set_attribute("href", &url);
        let _ = link.set_attribute("download", name);
        link.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn the_device_name_is_made_once_and_kept() {
        assert_eq!(
            platform_of("Mozilla/5.0 (Linux; Android 13; SM-X200) Chrome/120"),
            "Android"
        );
        assert_eq!(platform_of("Mozilla/5.0 (iPad; CPU OS 17_0)"), "iPad");
        assert_eq!(platform_of("curl/8"), "Browser");
        let first = device_name();
        assert_eq!(device_name(), first);
        let (platform, suffix) = first.rsplit_once('-').unwrap();
        assert!(!platform.is_empty());
        assert_eq!(suffix.len(), 4);
    }
}

//! The sync indicator on every screen: online / connecting / offline (or
//! "not syncing" after the server refused the session), the
//! last successful sync, how many local changes wait for the server, how
//! many photos wait for upload, and which documents' changes the server
//! refused and why.
//!
//! Test ids: `sync-indicator`, `sync-online` (`data-state`), `sync-last`,
//! `sync-pending`, `sync-photos-pending`, `sync-refused` (a `<details>`,
//! `data-count`), `sync-refused-doc` (`data-reason`, `data-kind`),
//! `photos-refused` (`data-count`), `photo-refused` (`data-code`),
//! `sync-release` (the server will not sync with this release).
//!
//! It only reads [`SyncStatus`] and [`PhotoStatus`]; it must not start or
//! stop syncing.

use leptos::prelude::*;

use chrono::Datelike;
use roundbook_shared::protocol::RefusalReason;
use roundbook_shared::schema::{DocKind, Period};
use roundbook_shared::version::Verdict;

use crate::blobs::PhotoStatus;
use crate::calendar::short_time;
use crate::i18n::{I18n, Key};
use crate::sync::{RefusedDoc, SyncStatus};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Link {
    Online,
    Connecting,
    Offline,
    /// The server refused the session: nothing syncs until the user signs in again.
    Expired,
}

impl Link {
    fn of(status: SyncStatus) -> Link {
        if !status.online.get() {
            Link::Offline
        } else if status.expired.get() {
            Link::Expired
        } else if status.connected.get() || !status.active.get() {
            Link::Online
        } else {
            Link::Connecting
        }
    }

    fn state(self) -> &'static str {
        match self {
            Link::Online => "online",
            Link::Connecting => "connecting",
            Link::Offline => "offline",
            Link::Expired => "expired",
        }
    }

    fn key(self) -> Key {
        match self {
            Link::Online => Key::Online,
            Link::Connecting => Key::Connecting,
            Link::Offline => Key::Offline,
            Link::Expired => Key::NotSyncing,
        }
    }
}

#[component]
pub fn SyncIndicator() -> impl IntoView {
    let i18n = I18n::get();
    let status = expect_context::<SyncStatus>();
    let link = Memo::new(move |_| Link::of(status));
    let last = move || match status.last_sync.get() {
        Some(at) => format!("{} {}", i18n.t(Key::LastSync), short_time(at)),
        None => i18n.t(Key::NeverSynced).to_owned(),
    };
    let pending = move || status.pending.get();
    let photos = use_context::<PhotoStatus>().unwrap_or_default();
    let photos_pending = move || photos.pending.get();
    view! {
        <div
            class="sync"
            data-testid="sync-indicator"
            data-state=move || link.get().state()
            role="status"
        >
            <span class="sync-link" data-testid="sync-online" data-state=move || link.get().state()>
                <span class="dot" aria-hidden="true"></span>
                {move || i18n.t(link.get().key())}
            </span>
            <Show when=move || status.active.get()>
                <span class="sync-last" data-testid="sync-last">{last}</span>
                <span
                    class="sync-pending"
                    class:has-pending=move || { pending() > 0 }
                    title=move || i18n.t(Key::Pending)
                >
                    <span class="sync-pending-label">{move || i18n.t(Key::Pending)}</span>
                    " "
                    <span data-testid="sync-pending">{pending}</span>
                </span>
                <span
                    class="sync-pending sync-photos"
                    class:has-pending=move || { photos_pending() > 0 }
                    title=move || i18n.t(Key::SyncPhotosPending)
                >
                    <span class="sync-pending-label">{move || i18n.t(Key::SyncPhotosPending)}</span>
                    " "
                    <span data-testid="sync-photos-pending">{photos_pending}</span>
                </span>
                <ReleaseMismatch />
                <RefusedChanges />
                <RefusedPhotos />
            </Show>
        </div>
    }
}

/// The server will not sync with this app's release: says which side must
/// update, and that every change stays on the tablet meanwhile.
#[component]
fn ReleaseMismatch() -> impl IntoView {
    let i18n = I18n::get();
    let status = expect_context::<SyncStatus>();
    move || {
        let key = match status.release.get()? {
            Verdict::TabletTooOld => Key::ReleaseUpdateApp,
            Verdict::TabletTooNew => Key::ReleaseServerOlder,
            Verdict::Compatible => return None,
        };
        Some(view! {
            <p class="sync-release" data-testid="sync-release" role="alert">
                {i18n.t(key)}
            </p>
        })
    }
}

/// The documents whose changes the server refused: what each is and why, in
/// the user's language. Shown only when there are some.
#[component]
fn RefusedChanges() -> impl IntoView {
    let i18n = I18n::get();
    let status = expect_context::<SyncStatus>();
    let count = move || status.refused.with(Vec::len);
    let items = move || {
        status
            .refused
            .get()
            .into_iter()
            .map(|doc| {
                let kind = doc.key.as_ref().map_or("", |key| key.kind.as_str());
                let reason = doc.reason;
                view! {
                    <li data-testid="sync-refused-doc" data-reason=reason.as_str() data-kind=kind>
                        <strong>{move || label(i18n, &doc)}</strong>
                        {move || i18n.t(Key::Colon)}
                        {move || i18n.t(reason_key(reason))}
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <RefusedPanel testid="sync-refused" tone="banner-error" title=Key::RefusedTitle kept=Key::RefusedKept count=Signal::derive(count)>
            {items}
        </RefusedPanel>
    }
}

/// A folded list of what the server refused: a title with the count, the
/// items, and what happens to them. Shown only when there are some.
#[component]
fn RefusedPanel(
    testid: &'static str,
    /// The banner class: how serious it is.
    tone: &'static str,
    title: Key,
    kept: Key,
    count: Signal<usize>,
    children: ChildrenFn,
) -> impl IntoView {
    let i18n = I18n::get();
    view! {
        <Show when=move || { count.get() > 0 }>
            <details class=format!("sync-refused banner {tone}") data-testid=testid data-count=count>
                <summary>{move || i18n.t(title)} " " {count}</summary>
                <ul>{children()}</ul>
                <p>{move || i18n.t(kept)}</p>
            </details>
        </Show>
    }
}

/// Queued photos the server refused, and why; they stay queued.
#[component]
fn RefusedPhotos() -> impl IntoView {
    let i18n = I18n::get();
    let photos = use_context::<PhotoStatus>().unwrap_or_default();
    let count = move || photos.refused.with(Vec::len);
    let items = move || {
        photos
            .refused
            .get()
            .into_iter()
            .map(|(hash, code)| {
                let key = photo_reason_key(&code);
                view! {
                    <li data-testid="photo-refused" data-code=code.clone()>
                        <code>{hash.chars().take(8).collect::<String>()}</code>
                        {move || i18n.t(Key::Colon)}
                        {move || i18n.t(key)}
                        {(key == Key::PhotoRefusedOther).then(|| format!(" ({code})"))}
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <RefusedPanel testid="photos-refused" tone="banner-warn" title=Key::PhotosRefusedTitle kept=Key::PhotosRefusedKept count=Signal::derive(count)>
            {items}
        </RefusedPanel>
    }
}

/// The server's upload error codes, as the user reads them.
fn photo_reason_key(code: &str) -> Key {
    match code {
        "photo_too_large" | "chunk_too_large" => Key::PhotoRefusedTooLarge,
        "not_an_image" => Key::PhotoRefusedNotImage,
        "hash_mismatch" | "corrupt" => Key::PhotoRefusedCorrupt,
        "zone_forbidden" => Key::PhotoRefusedZone,
        "site_photo_quota_exceeded" => Key::PhotoRefusedSiteFull,
        _ => Key::PhotoRefusedOther,
    }
}

/// What a refused document is: its kind, zone and period.
fn label(i18n: I18n, doc: &RefusedDoc) -> String {
    let Some(key) = &doc.key else {
        return doc.id.to_string();
    };
    let mut parts = vec![i18n.t(kind_key(key.kind)).to_owned()];
    if !key.zone.is_empty() {
        parts.push(key.zone.clone());
    }
    if let Some(date) = key.date {
        parts.push(match key.kind.period() {
            Period::Month => date.format("%Y-%m").to_string(),
            Period::Quarter => format!("{} Q{}", date.year(), date.month0() / 3 + 1),
            Period::Day | Period::None => date.to_string(),
        });
    }
    parts.join(" · ")
}

fn kind_key(kind: DocKind) -> Key {
    Key::of_doc_kind(kind.as_str()).expect("every kind has a name: see the i18n tests")
}

fn reason_key(reason: RefusalReason) -> Key {
    match reason {
        RefusalReason::ReadOnly => Key::RefusedReadOnly,
        RefusalReason::MonthLocked => Key::RefusedMonthLocked,
        RefusalReason::ReceiptForged => Key::RefusedReceiptForged,
        RefusalReason::BadShape => Key::RefusedBadShape,
        RefusalReason::TooLarge => Key::RefusedTooLarge,
        RefusalReason::NotTheAuthor => Key::RefusedNotTheAuthor,
        RefusalReason::SignedOut => Key::RefusedSignedOut,
        RefusalReason::Other => Key::RefusedOther,
    }
}

#[cfg(test)]
mod tests {
    use roundbook_shared::schema::DocKey;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    /// Refused documents and photos are listed with their reasons in the
    /// user's language (zh-CN by default).
    #[wasm_bindgen_test]
    fn refused_documents_and_photos_are_explained() {
        let document = web_sys::window().unwrap().document().unwrap();
        let host = document.create_element("div").unwrap();
        document.body().unwrap().append_child(&host).unwrap();
        let month = DocKey::cleaning_month("demo", "2026-11-01".parse().unwrap());
        let handle = mount_to(host.clone().unchecked_into(), move || {
            I18n::provide();
            let status = SyncStatus::new();
            status.active.set(true);
            status.refused.set(vec![RefusedDoc {
                id: month.document_id(),
                key: Some(month.clone()),
                reason: RefusalReason::MonthLocked,
            }]);
            provide_context(status);
            let photos = PhotoStatus::new();
            photos
                .refused
                .set(vec![("ab".repeat(32), "photo_too_large".into())]);
            provide_context(photos);
            view! { <SyncIndicator /> }
        });
        let doc = host
            .query_selector("[data-testid=sync-refused-doc]")
            .unwrap()
            .expect("the refused month is listed");
        assert_eq!(
            doc.get_attribute("data-reason").as_deref(),
            Some("month-locked")
        );
        assert_eq!(
            doc.get_attribute("data-kind").as_deref(),
            Some("cleaning_month")
        );
        let text = doc.text_content().unwrap();
        assert!(text.contains("清洁月度评分 · 2026-11"), "{text}");
        assert!(text.contains("锁定"), "{text}");
        let photo = host
            .query_selector("[data-testid=photo-refused]")
            .unwrap()
            .expect("the refused photo is listed");
        assert_eq!(
            photo.get_attribute("data-code").as_deref(),
            Some("photo_too_large")
        );
        assert!(photo.text_content().unwrap().contains("4 MB"));
        drop(handle);
        host.remove();
    }

    /// A server that will not sync with this release: the line says which
    /// side must update and that the records stay; a bad-shape refusal is
    /// named in the user's language too.
    #[wasm_bindgen_test]
    fn a_release_mismatch_and_a_bad_shape_are_explained() {
        let document = web_sys::window().unwrap().document().unwrap();
        let host = document.create_element("div").unwrap();
        document.body().unwrap().append_child(&host).unwrap();
        let day = DocKey::patrol_log("demo", "A", "2026-11-23".parse().unwrap());
        let handle = mount_to(host.clone().unchecked_into(), move || {
            I18n::provide();
            let status = SyncStatus::new();
            status.active.set(true);
            status.release.set(Some(Verdict::TabletTooOld));
            status.refused.set(vec![RefusedDoc {
                id: day.document_id(),
                key: Some(day.clone()),
                reason: RefusalReason::BadShape,
            }]);
            provide_context(status);
            provide_context(PhotoStatus::new());
            view! { <SyncIndicator /> }
        });
        let release = host
            .query_selector("[data-testid=sync-release]")
            .unwrap()
            .expect("the mismatch is shown");
        let text = release.text_content().unwrap();
        assert!(text.contains("版本过旧"), "{text}");
        assert!(text.contains("保存在本机"), "{text}");
        let doc = host
            .query_selector("[data-testid=sync-refused-doc]")
            .unwrap()
            .expect("the refused day is listed");
        assert_eq!(
            doc.get_attribute("data-reason").as_deref(),
            Some("bad-shape")
        );
        assert!(doc.text_content().unwrap().contains("格式"));
        drop(handle);
        host.remove();
    }
}

//! The sync indicator on every screen: online / connecting / offline (or
//! "not syncing" after the server refused the session), the
//! last successful sync, how many local changes wait for the server, and how
//! many photos wait for upload.
//!
//! It only reads [`SyncStatus`] and [`PhotoStatus`]; it must not start or
//! stop syncing.

use leptos::prelude::*;

use crate::blobs::PhotoStatus;
use crate::calendar::short_time;
use crate::i18n::{I18n, Key};
use crate::sync::SyncStatus;

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
            </Show>
        </div>
    }
}

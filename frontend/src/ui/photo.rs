//! One photo of a record, by hash: this tablet's copy if it has one, else
//! downloaded from the server (checked against its hash, then kept), shown
//! from an object URL that is released with the component.
//!
//! While the photo is not on the tablet and cannot be fetched (offline, not
//! uploaded yet) it shows as missing, and it tries again whenever documents
//! change or the network returns. Display only: loading and storing are
//! [`crate::blobs`]'s.

use leptos::prelude::*;
use leptos::task::spawn_local;
use roundbook_shared::blob::is_hash;

use super::WorkspaceRef;
use crate::i18n::{I18n, Key};
use crate::photo::to_blob;
use crate::sync::SyncStatus;

#[component]
pub fn Photo(workspace: WorkspaceRef, zone: String, hash: String) -> impl IntoView {
    let i18n = I18n::get();
    let status = expect_context::<SyncStatus>();
    let url = RwSignal::new(None::<String>);
    let loading = StoredValue::new(false);

    let effect_hash = hash.clone();
    Effect::new(move |_| {
        // Try again when records change (the photo may have been uploaded
        // by another tablet since) or the network returns.
        status.revision.track();
        status.online.track();
        if url.get_untracked().is_some() || loading.get_value() || !is_hash(&effect_hash) {
            return;
        }
        let Some(blobs) = workspace.try_with_value(|ws| ws.blobs.clone()) else {
            return;
        };
        loading.set_value(true);
        let (zone, hash) = (zone.clone(), effect_hash.clone());
        spawn_local(async move {
            let shown = match blobs.load(&zone, &hash).await {
                Ok(blob) => to_blob(&blob.bytes, &blob.media_type)
                    .and_then(|blob| web_sys::Url::create_object_url_with_blob(&blob))
                    .ok(),
                Err(_) => None,
            };
            loading.try_set_value(false);
            if let Some(shown) = shown {
                if url.try_set(Some(shown.clone())).is_some() {
                    // The component is gone: free the object URL now.
                    let _ = web_sys::Url::revoke_object_url(&shown);
                }
            }
        });
    });
    on_cleanup(move || {
        if let Some(Some(shown)) = url.try_get_untracked() {
            let _ = web_sys::Url::revoke_object_url(&shown);
        }
    });

    let state = move || {
        if url.get().is_some() {
            "loaded"
        } else {
            "missing"
        }
    };
    view! {
        <img
            class="photo"
            class:photo-missing=move || url.get().is_none()
            data-testid="photo"
            data-hash=hash
            data-state=state
            src=move || url.get()
            alt=move || i18n.t(Key::PhotoMissing)
            loading="lazy"
        />
    }
}

//! Photo blobs on the tablet: storing a photo under its hash, the upload
//! queue that sends stored photos to the server, and fetching a photo this
//! tablet does not hold.
//!
//! Uploads use the resumable API: `GET /api/uploads/{zone}/{hash}` tells how
//! many bytes the server holds, then `PUT ...?offset=N&total=T` sends the rest
//! in chunks of [`UPLOAD_CHUNK_BYTES`]. A blob counts as uploaded only when
//! the server answers `complete: true`; failures are retried with backoff
//! while the browser is online. Local bytes are never deleted: an uploaded
//! blob stays in IndexedDB as this tablet's copy.
//!
//! Bytes fetched from the server are checked against their hash and image
//! type before they are kept or shown. This module talks HTTP and IndexedDB;
//! it must not render anything or touch documents.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use roundbook_shared::api::UploadStatus;
use roundbook_shared::blob::{hash_of, image_type, MAX_PHOTO_BYTES, UPLOAD_CHUNK_BYTES};
use wasm_bindgen_futures::spawn_local;
use web_sys::Response;

use crate::http::{self, Body, Failure};

use crate::browser;
use crate::storage::{Storage, StorageError, StoredBlob};

const MAX_BACKOFF_MS: f64 = 60_000.0;
/// How often an offset mismatch may send us back to ask the server, per blob
/// and pass, before the pass gives up on that blob.
const MAX_RESYNCS: u32 = 3;

/// What the sync indicator shows about photos. Cheap to copy.
#[derive(Debug, Clone, Copy)]
pub struct PhotoStatus {
    /// Photos stored on this tablet that the server has not confirmed.
    pub pending: RwSignal<usize>,
    /// Queued photos the server refused on the last try: (hash, the server's
    /// error code, or "corrupt" when the stored bytes fail their own check).
    /// They stay queued and are tried again later.
    pub refused: RwSignal<Vec<(String, String)>>,
    /// The server refused the session: uploads stopped until the next sign-in.
    pub halted: RwSignal<bool>,
}

impl PhotoStatus {
    pub fn new() -> PhotoStatus {
        PhotoStatus {
            pending: RwSignal::new(0),
            refused: RwSignal::new(Vec::new()),
            halted: RwSignal::new(false),
        }
    }

    fn set_refused(&self, hash: &str, code: Option<&str>) {
        self.refused.update(|list| {
            list.retain(|(refused, _)| refused != hash);
            if let Some(code) = code {
                list.push((hash.to_owned(), code.to_owned()));
            }
        });
    }
}

impl Default for PhotoStatus {
    fn default() -> Self {
        Self::new()
    }
}

/// Why one blob could not be uploaded or fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobError {
    /// No answer: offline or the server unreachable. Retried.
    Offline,
    /// The session was refused: nothing is retried until the next sign-in.
    Unauthorized,
    /// The server refused this blob (`code`); other blobs go on.
    Refused(String),
    /// The server has no such blob (yet).
    NotFound,
    /// The bytes did not match their hash or are not an image.
    Corrupt,
    /// Anything else; retried.
    Server(String),
    Storage(String),
}

impl From<StorageError> for BlobError {
    fn from(error: StorageError) -> Self {
        BlobError::Storage(error.0)
    }
}

struct Inner {
    storage: Storage,
    token: String,
    status: PhotoStatus,
    /// An upload pass is running.
    running: Cell<bool>,
    /// Something was queued during the pass: run another.
    again: Cell<bool>,
    failures: Cell<u32>,
    stopped: Cell<bool>,
    retry: RefCell<Option<TimeoutHandle>>,
    listener: RefCell<Option<WindowListenerHandle>>,
}

/// The tablet's photos and their upload queue, for one signed-in session.
/// Cheap to clone.
#[derive(Clone)]
pub struct Blobs(Rc<Inner>);

impl Blobs {
    /// Starts uploading whatever is queued, now and whenever the browser
    /// comes back online, until [`stop`](Self::stop).
    pub fn start(storage: Storage, token: String, status: PhotoStatus) -> Blobs {
        status.halted.set(false);
        let blobs = Blobs(Rc::new(Inner {
            storage,
            token,
            status,
            running: Cell::new(false),
            again: Cell::new(false),
            failures: Cell::new(0),
            stopped: Cell::new(false),
            retry: RefCell::default(),
            listener: RefCell::default(),
        }));
        let weak = Rc::downgrade(&blobs.0);
        *blobs.0.listener.borrow_mut() = Some(window_event_listener_untyped("online", move |_| {
            if let Some(inner) = weak.upgrade() {
                inner.failures.set(0);
                Blobs(inner).kick();
            }
        }));
        blobs.kick();
        blobs
    }

    /// Stops uploading (sign-out). Stored blobs are untouched.
    pub fn stop(&self) {
        self.0.stopped.set(true);
        if let Some(retry) = self.0.retry.borrow_mut().take() {
            retry.clear();
        }
        if let Some(listener) = self.0.listener.borrow_mut().take() {
            listener.remove();
        }
    }

    /// Stores photo bytes for `zone` under their hash, durably, and queues
    /// them for upload. Returns the hash once the bytes are in IndexedDB.
    pub async fn store(&self, zone: &str, bytes: Vec<u8>, now: i64) -> Result<String, BlobError> {
        let media_type = image_type(&bytes).ok_or(BlobError::Corrupt)?;
        if bytes.len() as u64 > MAX_PHOTO_BYTES {
            return Err(BlobError::Refused("photo_too_large".into()));
        }
        let hash = hash_of(&bytes);
        let blob = StoredBlob {
            bytes,
            zone: zone.to_owned(),
            media_type: media_type.to_owned(),
            uploaded: false,
            created_at: now,
        };
        self.0.storage.put_blob(&hash, &blob).await?;
        self.kick();
        Ok(hash)
    }

    /// The photo `hash` of `zone`: this tablet's copy, or else downloaded
    /// from the server, checked, and kept here.
    pub async fn load(&self, zone: &str, hash: &str) -> Result<StoredBlob, BlobError> {
        if let Some(blob) = self.0.storage.blob(hash).await? {
            return Ok(blob);
        }
        let path = format!("/api/blobs/{}/{hash}", segment(zone));
        let response = call("GET", &path, &self.0.token, None).await?;
        let bytes = http::bytes(response).await.map_err(blob_error)?;
        let media_type = image_type(&bytes).ok_or(BlobError::Corrupt)?;
        if hash_of(&bytes) != hash {
            return Err(BlobError::Corrupt);
        }
        let blob = StoredBlob {
            bytes,
            zone: zone.to_owned(),
            media_type: media_type.to_owned(),
            // The server holds it: nothing to send back.
            uploaded: true,
            created_at: browser::now_ms(),
        };
        self.0.storage.put_blob(hash, &blob).await?;
        Ok(blob)
    }

    /// Runs an upload pass now (or right after the one running).
    pub fn kick(&self) {
        let inner = &self.0;
        if inner.stopped.get() {
            return;
        }
        if inner.running.replace(true) {
            inner.again.set(true);
            return;
        }
        if let Some(retry) = inner.retry.borrow_mut().take() {
            retry.clear();
        }
        let blobs = self.clone();
        spawn_local(async move {
            loop {
                blobs.0.again.set(false);
                let outcome = blobs.pass().await;
                blobs.count().await;
                match outcome {
                    Ok(()) => blobs.0.failures.set(0),
                    Err(BlobError::Unauthorized) => {
                        blobs.0.status.halted.set(true);
                        break;
                    }
                    Err(error) => {
                        web_sys::console::warn_1(&format!("photo upload: {error:?}").into());
                        blobs.schedule_retry();
                    }
                }
                if !blobs.0.again.get() || blobs.0.stopped.get() {
                    break;
                }
            }
            blobs.0.running.set(false);
        });
    }

    /// Refreshes the pending count from IndexedDB.
    async fn count(&self) {
        match self.0.storage.queued_blobs().await {
            Ok(queued) => self.0.status.pending.set(queued.len()),
            Err(error) => web_sys::console::error_1(&error.to_string().into()),
        }
    }

    /// Tries every queued blob once. A blob the server refuses is left in the
    /// queue (its bytes are kept) and the others go on; the first retryable
    /// failure ends the pass.
    async fn pass(&self) -> Result<(), BlobError> {
        let queued = self.0.storage.queued_blobs().await?;
        self.0.status.pending.set(queued.len());
        let mut refused = None;
        for (hash, zone) in queued {
            if self.0.stopped.get() {
                return Ok(());
            }
            if !browser::is_online() {
                return Err(BlobError::Offline);
            }
            let Some(blob) = self.0.storage.blob(&hash).await? else {
                continue;
            };
            match upload(&self.0.token, &zone, &hash, &blob.bytes).await {
                Ok(()) => {
                    self.0.storage.mark_blob_uploaded(&hash).await?;
                    self.0.status.set_refused(&hash, None);
                    self.count().await;
                }
                Err(error @ (BlobError::Refused(_) | BlobError::Corrupt)) => {
                    web_sys::console::error_1(&format!("photo {hash}: {error:?}").into());
                    let code = match &error {
                        BlobError::Refused(code) => code.as_str(),
                        _ => "corrupt",
                    };
                    self.0.status.set_refused(&hash, Some(code));
                    refused = Some(error);
                }
                Err(error) => return Err(error),
            }
        }
        // Refused blobs are tried again later, slowly: the refusal may have
        // been a server fault.
        refused.map_or(Ok(()), Err)
    }

    fn schedule_retry(&self) {
        let inner = &self.0;
        if inner.stopped.get() || inner.retry.borrow().is_some() || !browser::is_online() {
            // Offline: the `online` event starts the next pass.
            return;
        }
        let failures = inner.failures.get();
        inner.failures.set(failures.saturating_add(1));
        let base = (1000.0 * 2f64.powi(failures.min(10) as i32)).min(MAX_BACKOFF_MS);
        let delay = base * (0.5 + js_sys::Math::random() / 2.0);
        let weak = Rc::downgrade(&self.0);
        let handle = set_timeout_with_handle(
            move || {
                if let Some(inner) = weak.upgrade() {
                    inner.retry.borrow_mut().take();
                    Blobs(inner).kick();
                }
            },
            Duration::from_millis(delay as u64),
        );
        *inner.retry.borrow_mut() = handle.ok();
    }
}

/// Sends one blob from wherever the server's copy stops. Ok once the server
/// says the blob is complete.
async fn upload(token: &str, zone: &str, hash: &str, bytes: &[u8]) -> Result<(), BlobError> {
    let path = format!("/api/uploads/{}/{hash}", segment(zone));
    let total = bytes.len();
    let mut status = upload_status(call("GET", &path, token, None).await?).await?;
    let mut resyncs = 0;
    loop {
        if status.complete {
            return Ok(());
        }
        let offset = usize::try_from(status.received).unwrap_or(usize::MAX);
        if offset >= total {
            // The server holds every byte but did not complete: a fault of
            // its own. Try again later.
            return Err(BlobError::Server(format!(
                "server holds {offset} of {total} bytes without completing"
            )));
        }
        let end = (offset + UPLOAD_CHUNK_BYTES).min(total);
        let chunk_path = format!("{path}?offset={offset}&total={total}");
        match call("PUT", &chunk_path, token, Some(&bytes[offset..end])).await {
            Ok(response) => status = upload_status(response).await?,
            Err(BlobError::Refused(code)) if code == "upload_offset_mismatch" => {
                resyncs += 1;
                if resyncs > MAX_RESYNCS {
                    return Err(BlobError::Server(code));
                }
                status = upload_status(call("GET", &path, token, None).await?).await?;
            }
            Err(error) => return Err(error),
        }
    }
}

/// A path segment: zone codes are short words, but never trust them in a URL.
fn segment(text: &str) -> String {
    String::from(js_sys::encode_uri_component(text))
}

async fn upload_status(response: Response) -> Result<UploadStatus, BlobError> {
    let text = http::text(response).await.map_err(blob_error)?;
    serde_json::from_str(&text).map_err(|error| BlobError::Server(error.to_string()))
}

/// One request with the bearer token; any non-2xx answer becomes a [`BlobError`].
async fn call(
    method: &str,
    path: &str,
    token: &str,
    body: Option<&[u8]>,
) -> Result<Response, BlobError> {
    let body = body.map_or(Body::Empty, Body::Bytes);
    http::exchange(method, path, Some(token), body)
        .await
        .map_err(blob_error)
}

fn blob_error(failure: Failure) -> BlobError {
    let (status, code) = match failure {
        Failure::Offline => return BlobError::Offline,
        Failure::Browser(text) => return BlobError::Server(text),
        Failure::Refused { status, error } => (status, error.map(|error| error.code)),
    };
    match (status, code) {
        (401, _) => BlobError::Unauthorized,
        (404, _) => BlobError::NotFound,
        (502..=504, None) => BlobError::Offline,
        (400..=499, Some(code)) => BlobError::Refused(code),
        (_, code) => BlobError::Server(format!("HTTP {status} {}", code.unwrap_or_default())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// The smallest JPEG prefix `image_type` accepts, plus some bytes.
    fn jpeg(fill: u8) -> Vec<u8> {
        let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
        bytes.extend(std::iter::repeat_n(fill, 300_000));
        bytes
    }

    #[wasm_bindgen_test]
    async fn stores_photos_under_their_hash_and_refuses_others() {
        let name = format!("roundbook-test-blobs-{}", uuid::Uuid::new_v4().simple());
        let storage = Storage::open_named(&name).await.unwrap();
        let status = PhotoStatus::new();
        // A page with no server behind `/api`: uploads fail and are retried
        // later; the photo stays queued and readable.
        let blobs = Blobs::start(storage.clone(), "token".into(), status);
        let photo = jpeg(7);
        let hash = blobs.store("A", photo.clone(), 1).await.unwrap();
        assert_eq!(hash, hash_of(&photo));
        let kept = blobs.load("A", &hash).await.unwrap();
        assert_eq!(kept.bytes, photo);
        assert_eq!(kept.media_type, "image/jpeg");
        assert!(!kept.uploaded);
        assert_eq!(
            storage.queued_blobs().await.unwrap(),
            vec![(hash.clone(), "A".to_owned())]
        );
        assert_eq!(
            blobs.store("A", b"<svg/>".to_vec(), 1).await.unwrap_err(),
            BlobError::Corrupt
        );
        let mut huge = jpeg(1);
        huge.resize(MAX_PHOTO_BYTES as usize + 1, 0);
        assert!(matches!(
            blobs.store("A", huge, 1).await.unwrap_err(),
            BlobError::Refused(_)
        ));
        assert_eq!(storage.queued_blobs().await.unwrap().len(), 1);
        blobs.stop();
    }
}

//! Keeping the tablet's documents in sync with the server over the browser's
//! WebSocket (`/sync?token=...`), driving the shared crate's sans-IO
//! [`Replica`](roundbook_shared::sync::Replica).
//!
//! - Before each connection it asks `GET /api/docs` which documents to hold
//!   (which also tells an expired sign-in apart from a network fault).
//! - It reconnects with exponential backoff, at once when the browser says it
//!   is `online` again, and closes on `offline`.
//! - A remote change is written to IndexedDB first, then the screen is told
//!   (via [`SyncStatus::revision`]); acknowledged heads are stored so the
//!   pending count survives restarts.
//!
//! - Signed out remotely (401 `signed_out_remotely`, or the socket closed
//!   for it), [`SyncClient::drain`] keeps the same token for a last upload:
//!   it connects without the document list (which the server now refuses)
//!   until nothing is pending, the server refuses the connection, or time is
//!   up.
//!
//! This module owns the connection and the sync status signals. It must not
//! interpret document content (that is [`crate::patrol`]) nor decide what is
//! stored how (that is [`crate::documents`]).

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use roundbook_shared::ids::DocumentId;
use roundbook_shared::protocol::RefusalReason;
use roundbook_shared::schema::DocKey;
use roundbook_shared::version::Verdict;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

use crate::api::{self, ApiError};
use crate::browser;
use crate::calendar::today;
use crate::documents::{key_of_entry, keys_for_day, Library};
use crate::session::Session;

const LAST_SYNC_PREF: &str = "roundbook.last_sync";
const MAX_BACKOFF_MS: f64 = 30_000.0;
/// How often to check whether the site-local day has turned.
const DAY_CHECK: Duration = Duration::from_secs(60);

/// What the sync indicator and the screens watch. Cheap to copy.
#[derive(Debug, Clone, Copy)]
pub struct SyncStatus {
    /// The browser has a network.
    pub online: RwSignal<bool>,
    /// A signed-in session is syncing (or trying to).
    pub active: RwSignal<bool>,
    /// The handshake with the server is done and the connection is open.
    pub connected: RwSignal<bool>,
    /// When the server last had everything this tablet holds (Unix ms).
    pub last_sync: RwSignal<Option<i64>>,
    /// Local changes the server has not acknowledged.
    pub pending: RwSignal<usize>,
    /// The server refused the sign-in: sign in again to sync.
    pub expired: RwSignal<bool>,
    /// The office disabled the user or signed this tablet out (401
    /// `signed_out_remotely`, or the socket closed for it): the app shell
    /// uploads what it can, then forgets the user on this tablet.
    pub signed_out_remotely: RwSignal<bool>,
    /// The server wants a new password before anything else (403
    /// `password_change_required`).
    pub password_change: RwSignal<bool>,
    /// Bumped whenever document content changed (and was stored).
    pub revision: RwSignal<u64>,
    /// Documents whose changes the server refused (kept on the tablet, not
    /// offered again until the app restarts).
    pub refused: RwSignal<Vec<RefusedDoc>>,
    /// The server will not sync with this app's release (too old, or newer
    /// than the server): nothing is offered, every change stays pending.
    pub release: RwSignal<Option<Verdict>>,
}

/// A document the server refused changes to, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedDoc {
    pub id: DocumentId,
    /// What the document is, when the tablet knows.
    pub key: Option<DocKey>,
    pub reason: RefusalReason,
}

impl SyncStatus {
    pub fn new() -> SyncStatus {
        SyncStatus {
            online: RwSignal::new(browser::is_online()),
            active: RwSignal::new(false),
            connected: RwSignal::new(false),
            last_sync: RwSignal::new(browser::pref(LAST_SYNC_PREF).and_then(|v| v.parse().ok())),
            pending: RwSignal::new(0),
            expired: RwSignal::new(false),
            signed_out_remotely: RwSignal::new(false),
            password_change: RwSignal::new(false),
            revision: RwSignal::new(0),
            refused: RwSignal::new(Vec::new()),
            release: RwSignal::new(None),
        }
    }

    fn synced_now(self) {
        let now = browser::now_ms();
        browser::set_pref(LAST_SYNC_PREF, &now.to_string());
        self.last_sync.set(Some(now));
    }
}

impl Default for SyncStatus {
    fn default() -> Self {
        Self::new()
    }
}

/// An open WebSocket and the callbacks it needs kept alive.
struct Socket {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        self.ws.set_onerror(None);
        let _ = self.ws.close();
    }
}

struct Inner {
    library: Rc<Library>,
    session: Session,
    status: SyncStatus,
    socket: RefCell<Option<Socket>>,
    /// A connection attempt (document list or socket) is under way.
    connecting: Cell<bool>,
    failures: Cell<u32>,
    stopped: Cell<bool>,
    /// The last upload after a remote sign-out is under way.
    draining: Cell<bool>,
    /// The server closed a draining connection before its handshake: it
    /// takes nothing more from this session.
    drain_refused: Cell<bool>,
    retry: RefCell<Option<TimeoutHandle>>,
    day: Cell<chrono::NaiveDate>,
    timers: RefCell<Vec<IntervalHandle>>,
    listeners: RefCell<Vec<WindowListenerHandle>>,
}

/// How the last upload after a remote sign-out ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drained {
    /// Everything was uploaded.
    Uploaded,
    /// The server takes nothing more from this session (what is left was
    /// made after the end, or the window for it has passed).
    Refused,
    /// Time ran out with changes still held and not refused (the network
    /// failed): they must stay on the tablet for another try.
    Unfinished,
}

/// The sync connection for one signed-in session. Cheap to clone.
#[derive(Clone)]
pub struct SyncClient(Rc<Inner>);

impl SyncClient {
    /// Starts syncing `library` for `session`; it keeps trying until [`stop`](Self::stop).
    pub fn start(library: Rc<Library>, session: Session, status: SyncStatus) -> SyncClient {
        let client = SyncClient(Rc::new(Inner {
            library,
            session,
            status,
            socket: RefCell::default(),
            connecting: Cell::new(false),
            failures: Cell::new(0),
            stopped: Cell::new(false),
            draining: Cell::new(false),
            drain_refused: Cell::new(false),
            retry: RefCell::default(),
            day: Cell::new(today()),
            timers: RefCell::default(),
            listeners: RefCell::default(),
        }));
        client.update_pending();
        status.active.set(true);
        let online = client.downgrade();
        let offline = client.downgrade();
        client.0.listeners.borrow_mut().extend([
            window_event_listener_untyped("online", move |_| {
                if let Some(client) = online.upgrade() {
                    client.0.status.online.set(true);
                    client.0.failures.set(0);
                    client.connect();
                }
            }),
            window_event_listener_untyped("offline", move |_| {
                if let Some(client) = offline.upgrade() {
                    client.0.status.online.set(false);
                    client.drop_socket();
                }
            }),
        ]);
        let daily = client.downgrade();
        if let Ok(timer) = set_interval_with_handle(
            move || {
                if let Some(client) = daily.upgrade() {
                    client.check_day();
                }
            },
            DAY_CHECK,
        ) {
            client.0.timers.borrow_mut().push(timer);
        }
        client.connect();
        client
    }

    fn downgrade(&self) -> WeakClient {
        WeakClient(Rc::downgrade(&self.0))
    }

    /// Stops syncing for good (sign-out). Stored data is untouched.
    pub fn stop(&self) {
        self.0.stopped.set(true);
        self.0.status.active.set(false);
        if let Some(retry) = self.0.retry.borrow_mut().take() {
            retry.clear();
        }
        for timer in self.0.timers.borrow_mut().drain(..) {
            timer.clear();
        }
        for listener in self.0.listeners.borrow_mut().drain(..) {
            listener.remove();
        }
        self.drop_socket();
    }

    /// Tries to connect now rather than after the backoff (the server's
    /// reason to refuse, such as a required password change, is gone).
    pub fn retry_now(&self) {
        self.0.failures.set(0);
        if let Some(retry) = self.0.retry.borrow_mut().take() {
            retry.clear();
        }
        self.connect();
    }

    /// The last upload of a session the office signed out remotely: keeps
    /// connecting with the same token, without asking for the document list,
    /// until nothing is pending and `photos_done` holds, the server refuses
    /// the connection or a change (it takes nothing more: made after the
    /// end, say), or `within` has passed.
    pub async fn drain(&self, within: Duration, photos_done: impl Fn() -> bool) -> Drained {
        let inner = &self.0;
        inner.draining.set(true);
        inner.drain_refused.set(false);
        inner.status.expired.set(false);
        self.retry_now();
        let deadline = browser::now_ms() + within.as_millis() as i64;
        loop {
            if inner.library.pending() == 0 && photos_done() {
                return Drained::Uploaded;
            }
            // Every document still pending was refused: nothing more is taken.
            let refused = inner.library.read(|replica| {
                replica
                    .ids()
                    .filter(|id| replica.pending(id) > 0)
                    .all(|id| replica.refusal(id).is_some())
            });
            if inner.drain_refused.get() || refused {
                return Drained::Refused;
            }
            if inner.stopped.get() || browser::now_ms() >= deadline {
                return Drained::Unfinished;
            }
            browser::sleep(250).await;
        }
    }

    /// A local change to `id` is stored: send it if connected, and let the
    /// screens read it (through [`SyncStatus::revision`]). Called by
    /// [`crate::writer::Writer`] after every local edit.
    pub fn stored(&self, id: DocumentId) {
        self.push(id);
        self.0.status.revision.update(|n| *n += 1);
    }

    /// Sends what the server lacks of `id`, if connected.
    fn push(&self, id: DocumentId) {
        let frames = self.0.library.write(|replica| replica.sync_doc(&id));
        self.send(&frames);
        self.update_pending();
    }

    /// Documents were added: ask the server for them.
    pub fn request(&self, ids: &[DocumentId]) {
        for id in ids {
            self.push(*id);
        }
        if !ids.is_empty() {
            self.0.status.revision.update(|n| *n += 1);
        }
    }

    fn update_pending(&self) {
        self.0.status.pending.set(self.0.library.pending());
    }

    fn send(&self, frames: &[Vec<u8>]) {
        let socket = self.0.socket.borrow();
        let Some(socket) = socket.as_ref() else {
            return;
        };
        if socket.ws.ready_state() != WebSocket::OPEN {
            return;
        }
        for frame in frames {
            if let Err(error) = socket.ws.send_with_u8_array(frame) {
                web_sys::console::warn_2(&"sync: send failed".into(), &error);
            }
        }
    }

    /// Opens a connection unless one is open, under way, or pointless.
    fn connect(&self) {
        let inner = &self.0;
        if inner.stopped.get()
            || inner.connecting.get()
            || inner.socket.borrow().is_some()
            || inner.status.expired.get_untracked()
        {
            return;
        }
        if let Some(retry) = inner.retry.borrow_mut().take() {
            retry.clear();
        }
        if !browser::is_online() {
            inner.status.online.set(false);
            return;
        }
        inner.connecting.set(true);
        let client = self.clone();
        spawn_local(async move {
            // Draining, the list is refused: upload what is held.
            let go_on = if client.0.draining.get() {
                Ok(())
            } else {
                client.refresh_documents().await
            };
            client.0.connecting.set(false);
            if client.0.stopped.get() {
                return;
            }
            match go_on {
                Ok(()) => client.open_socket(),
                Err(ApiError::Unauthorized) => client.0.status.expired.set(true),
                // The app shell starts the last upload (`drain`).
                Err(ApiError::SignedOutRemotely) => client.0.status.signed_out_remotely.set(true),
                Err(ApiError::PasswordChangeRequired) => {
                    client.0.status.password_change.set(true);
                    client.schedule_retry();
                }
                Err(_) => client.schedule_retry(),
            }
        });
    }

    /// Adds the documents the server lists (and today's) to the library.
    async fn refresh_documents(&self) -> Result<(), ApiError> {
        let entries = api::documents(self.0.session.token()).await?;
        let site = self.0.session.site_code().to_owned();
        let mut added = Vec::new();
        for key in entries
            .iter()
            .filter_map(|entry| key_of_entry(&site, entry))
        {
            match self.0.library.add(key).await {
                Ok(Some(id)) => added.push(id),
                Ok(None) => {}
                Err(error) => web_sys::console::error_1(&error.to_string().into()),
            }
        }
        self.request(&added);
        Ok(())
    }

    fn open_socket(&self) {
        let Some(url) = browser::sync_url(self.0.session.token()) else {
            return;
        };
        let ws = match WebSocket::new(&url) {
            Ok(ws) => ws,
            Err(_) => return self.schedule_retry(),
        };
        ws.set_binary_type(BinaryType::Arraybuffer);

        let client = self.downgrade();
        let on_open = Closure::<dyn FnMut()>::new(move || {
            if let Some(client) = client.upgrade() {
                let join = client
                    .0
                    .library
                    .write(|replica| replica.connect(Some(crate::browser::now_ms())));
                client.send(&[join]);
            }
        });
        let client = self.downgrade();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if let (Some(client), Ok(buffer)) = (
                client.upgrade(),
                event.data().dyn_into::<js_sys::ArrayBuffer>(),
            ) {
                client.receive(&js_sys::Uint8Array::new(&buffer).to_vec());
            }
        });
        let client = self.downgrade();
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
            if let Some(client) = client.upgrade() {
                let was_connected = client.0.status.connected.get_untracked();
                client.drop_socket();
                if event.reason().contains("signed_out_remotely") {
                    client.0.status.signed_out_remotely.set(true);
                }
                if client.0.draining.get() && !was_connected {
                    client.0.drain_refused.set(true);
                    return;
                }
                client.schedule_retry();
            }
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        // An error is always followed by `close`, which does the work.
        *self.0.socket.borrow_mut() = Some(Socket {
            ws,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        });
    }

    /// Handles one frame from the server.
    fn receive(&self, frame: &[u8]) {
        let inner = &self.0;
        let outcome = match inner.library.write(|replica| replica.receive(frame)) {
            Ok(outcome) => outcome,
            Err(error) => {
                web_sys::console::error_1(&format!("sync: {error}").into());
                self.drop_socket();
                self.schedule_retry();
                return;
            }
        };
        let connected = inner.library.read(|replica| replica.is_connected());
        if connected && !inner.status.connected.get_untracked() {
            inner.failures.set(0);
            inner.status.connected.set(true);
            inner.status.release.set(None);
            // The server may run a newer release: look for its app build
            // (installed in the background; the user is offered the reload).
            crate::update::check();
        }
        if let Some(mismatch) = &outcome.mismatch {
            inner.status.release.set(Some(mismatch.verdict));
            // Retry slowly: the server may be updated meanwhile.
            inner.failures.set(inner.failures.get().max(8));
            if mismatch.verdict == Verdict::TabletTooOld {
                // The new build installs in the background; the "new
                // version" banner then offers the reload.
                crate::update::check();
            }
        }
        self.send(&outcome.frames);
        if let Some(message) = &outcome.server_error {
            web_sys::console::warn_1(&format!("sync: server said {message}").into());
        }
        if outcome.refused.is_some() {
            let refused = inner.library.read(|replica| replica.refusals());
            let refused = refused
                .into_iter()
                .map(|(id, reason)| RefusedDoc {
                    key: inner.library.key_of(&id),
                    id,
                    reason,
                })
                .collect();
            inner.status.refused.set(refused);
        }
        for id in &outcome.unavailable {
            web_sys::console::warn_1(&format!("sync: server refused {id}").into());
        }
        for id in outcome.changed {
            let client = self.clone();
            let stored = inner.library.persist(id);
            spawn_local(async move {
                if let Err(error) = stored.await {
                    web_sys::console::error_1(&error.to_string().into());
                }
                // Only now does the screen show it.
                client.0.status.revision.update(|n| *n += 1);
            });
        }
        for id in outcome.acked {
            let stored = inner.library.persist_acked(id);
            spawn_local(async move {
                if let Err(error) = stored.await {
                    web_sys::console::error_1(&error.to_string().into());
                }
            });
        }
        self.update_pending();
        if connected && inner.status.pending.get_untracked() == 0 {
            inner.status.synced_now();
        }
    }

    fn drop_socket(&self) {
        let socket = self.0.socket.borrow_mut().take();
        if let Some(socket) = socket {
            self.0.library.write(|replica| replica.disconnect());
            // Often called from one of the socket's own callbacks: free them after it returns.
            queue_microtask(move || drop(socket));
        }
        self.0.status.connected.set(false);
    }

    fn schedule_retry(&self) {
        let inner = &self.0;
        if inner.stopped.get() || inner.retry.borrow().is_some() {
            return;
        }
        let failures = inner.failures.get();
        inner.failures.set(failures.saturating_add(1));
        let base = (1000.0 * 2f64.powi(failures.min(10) as i32)).min(MAX_BACKOFF_MS);
        let delay = base * (0.5 + js_sys::Math::random() / 2.0);
        let client = self.downgrade();
        let handle = set_timeout_with_handle(
            move || {
                if let Some(client) = client.upgrade() {
                    client.0.retry.borrow_mut().take();
                    client.connect();
                }
            },
            Duration::from_millis(delay as u64),
        );
        *inner.retry.borrow_mut() = handle.ok();
    }

    /// At site-local midnight, start holding the new day's documents.
    fn check_day(&self) {
        let now = today();
        if now == self.0.day.replace(now) {
            return;
        }
        let client = self.clone();
        spawn_local(async move {
            let mut added = Vec::new();
            for key in keys_for_day(&client.0.session, now) {
                if let Ok(Some(id)) = client.0.library.add(key).await {
                    added.push(id);
                }
            }
            client.request(&added);
        });
    }
}

struct WeakClient(std::rc::Weak<Inner>);

impl WeakClient {
    fn upgrade(&self) -> Option<SyncClient> {
        self.0.upgrade().map(SyncClient)
    }
}

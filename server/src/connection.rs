//! One tablet's (or any automerge-repo peer's) WebSocket connection to `/sync`.
//!
//! Speaks automerge-repo protocol v1: `join` → `peer`, then `request` / `sync`
//! per document. Every document message is checked against the user's zones;
//! outside them the answer is `doc-unavailable` and nothing is applied.
//! Malformed frames get an `error` message and the connection is closed;
//! nothing they carried is stored.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use automerge::sync;
use axum::extract::ws::{Message as WsMessage, WebSocket};
use serde_bytes::ByteBuf;
use tokio::sync::{mpsc, Mutex};

use roundbook_shared::domain::local_date;
use roundbook_shared::ids::{DocumentId, PeerId};
use roundbook_shared::protocol::{Message, PeerMetadata, Refusal, PROTOCOL_VERSION};
use roundbook_shared::sync_guard::check_sync_message;
use roundbook_shared::version::{Accepts, Mismatch, Verdict, BUILD};

use crate::access::{within_final_upload, Access};
use crate::hub::{ApplyError, ConnectionId, Hub, LiveDoc, Sender};
use crate::state::AppState;
use crate::store::run_blocking;
use crate::syncs::Ticket;

static NEXT_CONNECTION: AtomicU64 = AtomicU64::new(1);

/// What the close reason of a session someone else ended starts with.
pub const SIGNED_OUT_REMOTELY: &str = "signed_out_remotely";

/// Ends the connection after telling the peer why.
struct Fatal {
    reason: String,
    /// Set when the reason is a refused document's changes.
    refusal: Option<Refusal>,
    /// Set when the reason is the tablet's release.
    mismatch: Option<Mismatch>,
}

impl Fatal {
    fn new(reason: impl Into<String>) -> Fatal {
        Fatal {
            reason: reason.into(),
            refusal: None,
            mismatch: None,
        }
    }
}

/// A document this connection syncs, with the sync state for this peer.
struct Synced {
    live: Arc<Mutex<LiveDoc>>,
    state: sync::State,
}

struct Connection {
    id: ConnectionId,
    app: AppState,
    access: Access,
    /// The client's peer id, once it has joined.
    peer: Option<PeerId>,
    /// Server clock minus the client's clock (`roundbookClock`) at join; `None`
    /// for clients that do not report it (e.g. automerge-repo in JavaScript).
    clock_skew_ms: Option<i64>,
    docs: HashMap<DocumentId, Synced>,
    notifier: mpsc::UnboundedSender<DocumentId>,
}

/// Serves one sync connection for the session whose token hashes to
/// `token_hash`, admitted as `ticket` (which ends it when the session is
/// signed out).
pub async fn serve(
    mut socket: WebSocket,
    app: AppState,
    access: Access,
    token_hash: Vec<u8>,
    ticket: Ticket,
) {
    let (notifier, mut changes) = mpsc::unbounded_channel();
    let mut connection = Connection {
        id: NEXT_CONNECTION.fetch_add(1, Ordering::Relaxed),
        app,
        access,
        peer: None,
        clock_skew_ms: None,
        docs: HashMap::new(),
        notifier,
    };
    tracing::info!(connection = connection.id, user = %connection.access.username, "sync connected");
    let metrics = connection.app.metrics.clone();
    let _open = metrics.sync_socket();
    let mut session_check = tokio::time::interval(connection.app.session_check);
    session_check.tick().await;
    let join_by = tokio::time::Instant::now() + connection.app.limits.join_timeout;
    let outcome = loop {
        let joined = connection.peer.is_some();
        let replies = tokio::select! {
            () = tokio::time::sleep_until(join_by), if !joined => {
                Err(Fatal::new("no join message in time"))
            }
            () = ticket.ended() => Err(connection.why_ended(&token_hash).await),
            frame = socket.recv() => match frame {
                Some(Ok(WsMessage::Binary(bytes))) => {
                    metrics.sync_received(bytes.len());
                    connection.receive(&bytes).await
                }
                Some(Ok(WsMessage::Text(_))) => Err(Fatal::new("frames must be binary CBOR")),
                Some(Ok(WsMessage::Close(_))) | None => break Ok(()),
                Some(Ok(_)) => Ok(Vec::new()),
                Some(Err(error)) => Err(Fatal::new(format!("bad frame: {error}"))),
            },
            Some(id) = changes.recv() => connection.push(id).await,
            _ = session_check.tick() => connection.check_session(&token_hash).await,
        };
        match replies {
            Ok(replies) => {
                for reply in replies {
                    let frame = reply.encode();
                    metrics.sync_sent(frame.len());
                    if socket.send(WsMessage::Binary(frame.into())).await.is_err() {
                        break;
                    }
                }
            }
            Err(fatal) => break Err(fatal),
        }
    };
    if let Err(Fatal {
        reason,
        refusal,
        mismatch,
    }) = outcome
    {
        tracing::info!(connection = connection.id, %reason, "closing sync connection");
        let error = Message::Error {
            message: reason,
            refusal,
            mismatch,
        };
        let _ = socket.send(WsMessage::Binary(error.encode().into())).await;
        let _ = socket.send(WsMessage::Close(None)).await;
    }
    // Drop this connection's handles first, so documents nobody else syncs
    // can leave memory.
    let ids: Vec<DocumentId> = connection.docs.drain().map(|(id, _)| id).collect();
    let hub = connection.app.hub.clone();
    hub.unsubscribe(connection.id, ids).await;
    tracing::info!(connection = connection.id, "sync disconnected");
}

impl Connection {
    async fn receive(&mut self, frame: &[u8]) -> Result<Vec<Message>, Fatal> {
        let message = Message::decode_with(frame, &self.app.limits.frame)
            .map_err(|error| Fatal::new(error.to_string()))?;
        if self.peer.is_none() {
            return self.join(message).map(|reply| vec![reply]);
        }
        match message {
            Message::Request {
                document_id, data, ..
            }
            | Message::Sync {
                document_id, data, ..
            } => self.sync(document_id, &data).await,
            Message::Join { .. } | Message::Peer { .. } => {
                Err(Fatal::new("handshake message after the handshake"))
            }
            Message::Leave { .. } | Message::Error { .. } => Err(Fatal::new("peer is leaving")),
            // Not relayed: Roundbook has no presence, and relaying would cross zones.
            Message::Ephemeral { .. }
            | Message::DocUnavailable { .. }
            | Message::RemoteSubscriptionChange
            | Message::RemoteHeadsChanged => Ok(Vec::new()),
        }
    }

    fn join(&mut self, message: Message) -> Result<Message, Fatal> {
        let Message::Join {
            sender_id,
            supported_protocol_versions,
            peer_metadata,
        } = message
        else {
            return Err(Fatal::new("the first message must be join"));
        };
        if !supported_protocol_versions
            .iter()
            .any(|version| version == PROTOCOL_VERSION)
        {
            return Err(Fatal::new(format!(
                "unsupported protocol versions {supported_protocol_versions:?}; this server speaks {PROTOCOL_VERSION}"
            )));
        }
        let metadata = peer_metadata.unwrap_or_default();
        let verdict = Accepts::THIS_BUILD.judge(metadata.rules);
        if verdict != Verdict::Compatible {
            tracing::info!(
                user = %self.access.username,
                build = metadata.build.as_deref().unwrap_or("?"),
                rules = ?metadata.rules,
                ?verdict,
                "a tablet of another release"
            );
            return Err(Fatal {
                reason: format!(
                    "this server ({BUILD}) syncs with document rules {}-{}; this app writes {}: {}",
                    Accepts::THIS_BUILD.oldest,
                    Accepts::THIS_BUILD.newest,
                    metadata.rules.unwrap_or_default(),
                    match verdict {
                        Verdict::TabletTooOld => "update the app",
                        _ => "the server must be updated",
                    }
                ),
                refusal: None,
                mismatch: Some(Mismatch {
                    verdict,
                    server_build: BUILD.into(),
                    accepts: Accepts::THIS_BUILD,
                }),
            });
        }
        self.peer = Some(sender_id.clone());
        self.clock_skew_ms = metadata
            .clock_ms
            .map(|clock| chrono::Utc::now().timestamp_millis().saturating_sub(clock));
        Ok(Message::Peer {
            sender_id: self.app.peer_id.clone(),
            target_id: sender_id,
            selected_protocol_version: PROTOCOL_VERSION.into(),
            peer_metadata: Some(PeerMetadata {
                build: Some(BUILD.into()),
                accepts: Some(Accepts::THIS_BUILD),
                ..PeerMetadata::default()
            }),
        })
    }

    async fn sync(&mut self, id: DocumentId, data: &[u8]) -> Result<Vec<Message>, Fatal> {
        // Checked before Automerge parses it: its decoder and its reply to a
        // `have` trust the counts a peer claims (docs/upstream-automerge-sync-bloom.md).
        check_sync_message(data, &self.app.limits.sync).map_err(|error| {
            Fatal::new(format!("invalid Automerge sync message for {id}: {error}"))
        })?;
        let message = sync::Message::decode(data)
            .map_err(|_| Fatal::new(format!("invalid Automerge sync message for {id}")))?;
        if !self.docs.contains_key(&id) && !self.start(id).await? {
            return Ok(vec![self.unavailable(id)]);
        }
        let synced = self.docs.get_mut(&id).expect("started above");
        let live_handle = synced.live.clone();
        let mut live = live_handle.lock().await;
        let hub: &Hub = &self.app.hub;
        let sender = Sender {
            connection: self.id,
            username: &self.access.username,
            final_upload_before: self.access.upload_only_before(&live.key),
            clock_skew_ms: self.clock_skew_ms,
            writes: self.access.writes_to(&live.key),
            roles: &self.access.roles,
        };
        match hub
            .apply(id, &mut live, sender, &mut synced.state, message)
            .await
        {
            Ok(()) => {}
            Err(ApplyError::BadChanges) => {
                return Err(Fatal::new(format!("invalid Automerge changes for {id}")))
            }
            Err(
                refused @ (ApplyError::Refused(_)
                | ApplyError::Shape(_)
                | ApplyError::Authorship(_)),
            ) => {
                tracing::info!(user = %self.access.username, %id, %refused, "refused changes");
                return Err(Fatal {
                    reason: format!("{refused} ({id}); nothing was stored"),
                    refusal: refused.refusal().map(|reason| Refusal {
                        document_id: id,
                        reason,
                    }),
                    mismatch: None,
                });
            }
            Err(ApplyError::Panicked(panicked)) => {
                tracing::warn!(user = %self.access.username, %id, %panicked, "a sync message broke Automerge");
                return Err(Fatal::new(format!(
                    "the server could not apply this sync message for {id}; nothing was stored"
                )));
            }
            Err(ApplyError::Receipt(error)) => {
                tracing::error!(%id, %error, "could not stamp a receipt");
                return Err(Fatal::new(
                    "the server could not store the change; retry later",
                ));
            }
            Err(ApplyError::Store(error)) => {
                tracing::error!(%id, %error, "could not store a change");
                return Err(Fatal::new(
                    "the server could not store the change; retry later",
                ));
            }
        }
        let final_upload = self.access.upload_only_before(&live.key).is_some();
        reply(
            &self.app,
            &self.peer,
            id,
            &live,
            &mut synced.state,
            final_upload,
        )
        .await
    }

    /// Ends the connection once its session is revoked, expired or ended
    /// remotely; otherwise notes that the session was seen and takes any
    /// change to the user's roles and zones ([`Connection::refresh_access`]).
    async fn check_session(&mut self, token_hash: &[u8]) -> Result<Vec<Message>, Fatal> {
        if let Some(ended_at) = self.access.final_upload_before {
            return if within_final_upload(ended_at, chrono::Utc::now().timestamp_millis()) {
                Ok(Vec::new())
            } else {
                Err(Fatal::new(format!(
                    "{SIGNED_OUT_REMOTELY}: the time for a final upload has passed"
                )))
            };
        }
        let store = self.app.store.clone();
        let hash = token_hash.to_vec();
        let now = chrono::Utc::now();
        let live = run_blocking(move || {
            let live = store.session_user(&hash, now.timestamp())?.is_some();
            if live {
                store.touch_session(&hash, now.timestamp_millis(), None)?;
            }
            Ok(live)
        })
        .await;
        match live {
            Ok(true) => {
                self.refresh_access().await;
                Ok(Vec::new())
            }
            Ok(false) => Err(self.why_ended(token_hash).await),
            // A passing storage fault is no reason to drop a working tablet.
            Err(error) => {
                tracing::warn!(%error, "could not check a session");
                Ok(Vec::new())
            }
        }
    }

    /// Why the session ended, for the peer: `signed_out_remotely` when
    /// someone else ended it (the tablet then uploads what it may and
    /// forgets the user), else a plain request to sign in again.
    async fn why_ended(&self, token_hash: &[u8]) -> Fatal {
        let store = self.app.store.clone();
        let hash = token_hash.to_vec();
        match run_blocking(move || store.ended_remotely(&hash)).await {
            Ok(Some(_)) => Fatal::new(format!(
                "{SIGNED_OUT_REMOTELY}: this device was signed out by the office; sign in again"
            )),
            Ok(None) => Fatal::new("the session has ended; sign in again"),
            Err(error) => {
                tracing::warn!(%error, "could not read why a session ended");
                Fatal::new("the session has ended; sign in again")
            }
        }
    }

    /// Reads the user's account again and, if their roles, zones or the
    /// site's retired zones changed, syncs by the new reach from now on:
    /// documents no longer reachable are dropped (no more pushes; a message
    /// about one is answered `doc-unavailable`). The one place an open
    /// connection learns of an office's staff edit.
    async fn refresh_access(&mut self) {
        let store = self.app.store.clone();
        let username = self.access.username.clone();
        let read = run_blocking(move || {
            let Some(account) = store.account(&username)? else {
                return Ok(None);
            };
            let zones = store.zone_list(&account.site)?;
            let now = chrono::Utc::now().timestamp_millis();
            let access = Access::for_account(&account, &zones)
                .with_former_zones(&*store, now)?
                .with_workers(&*store)?;
            Ok(Some(access))
        })
        .await;
        let access = match read {
            Ok(Some(access)) => access,
            Ok(None) => return,
            Err(error) => {
                tracing::warn!(%error, "could not read an account again");
                return;
            }
        };
        if (
            &access.roles,
            &access.zones,
            &access.retired,
            &access.former_zones,
        ) == (
            &self.access.roles,
            &self.access.zones,
            &self.access.retired,
            &self.access.former_zones,
        ) {
            return;
        }
        tracing::info!(user = %access.username, zones = ?access.zones, roles = ?access.roles, "reach changed");
        let mut dropped = Vec::new();
        for (id, synced) in &self.docs {
            if !access.reaches(&synced.live.lock().await.key) {
                dropped.push(*id);
            }
        }
        for id in &dropped {
            self.docs.remove(id);
        }
        self.access = access;
        if !dropped.is_empty() {
            self.app.hub.unsubscribe(self.id, dropped).await;
        }
    }

    /// Checks access and opens the document; false if the user may not sync it.
    async fn start(&mut self, id: DocumentId) -> Result<bool, Fatal> {
        let store = self.app.store.clone();
        let access = self.access.clone();
        let today = local_date(chrono::Utc::now().timestamp_millis());
        let key = run_blocking(move || access.resolve(store.as_ref(), &id, today))
            .await
            .map_err(|error| Fatal::new(format!("storage error: {error}")))?;
        let Some(key) = key else {
            tracing::info!(user = %self.access.username, %id, "refused a document outside the user's zones");
            return Ok(false);
        };
        let live = self
            .app
            .hub
            .open(id, &key)
            .await
            .map_err(|error| Fatal::new(format!("storage error: {error}")))?;
        Hub::subscribe(&mut *live.lock().await, self.id, self.notifier.clone());
        self.docs.insert(
            id,
            Synced {
                live,
                state: sync::State::new(),
            },
        );
        Ok(true)
    }

    /// Another connection changed a document this one syncs: send the news.
    async fn push(&mut self, id: DocumentId) -> Result<Vec<Message>, Fatal> {
        let Some(synced) = self.docs.get_mut(&id) else {
            return Ok(Vec::new());
        };
        let live = synced.live.lock().await;
        // A document the user may only upload to sends nothing new.
        if self.access.upload_only_before(&live.key).is_some() {
            return Ok(Vec::new());
        }
        reply(&self.app, &self.peer, id, &live, &mut synced.state, false).await
    }

    fn unavailable(&self, id: DocumentId) -> Message {
        Message::DocUnavailable {
            sender_id: self.app.peer_id.clone(),
            target_id: self.peer.clone().unwrap_or_default(),
            document_id: id,
        }
    }
}

/// The next sync message for the peer about a document, if there is news
/// (for a final upload, only what asks for and acknowledges its changes).
async fn reply(
    app: &AppState,
    peer: &Option<PeerId>,
    id: DocumentId,
    live: &LiveDoc,
    state: &mut sync::State,
    final_upload: bool,
) -> Result<Vec<Message>, Fatal> {
    let message = if final_upload {
        app.hub.upload_reply(live, state).await
    } else {
        app.hub.reply(live, state).await
    };
    let message = message.map_err(|panicked| {
        tracing::error!(%id, %panicked, "Automerge panicked generating a reply");
        Fatal::new(format!("the server could not sync {id}"))
    })?;
    Ok(message
        .map(|message| Message::Sync {
            sender_id: app.peer_id.clone(),
            target_id: peer.clone().unwrap_or_default(),
            document_id: id,
            data: ByteBuf::from(message.encode()),
        })
        .into_iter()
        .collect())
}

//! The tablet's side of sync, without I/O: a [`Replica`] holds the tablet's
//! documents and, fed the server's frames, says what to send back and what
//! changed. The frontend moves the frames over a WebSocket and stores the
//! documents; the server's tests and benchmarks use the same type as a client.
//!
//! Acknowledgement: the server stores a change durably before it answers with
//! heads that contain it, so the heads both sides share (`shared_heads` of the
//! Automerge sync state) are exactly the changes the server has acknowledged.
//! Everything after them is pending; nothing is ever dropped locally.

use std::collections::BTreeMap;

use automerge::sync::{self, SyncDoc};
use automerge::{Automerge, ChangeHash};
use serde_bytes::ByteBuf;

use crate::ids::{DocumentId, PeerId};
use crate::protocol::{
    DecodeError, Message, PeerMetadata, Refusal, RefusalReason, PROTOCOL_VERSION,
};
use crate::version::{self, Mismatch};

/// What one incoming frame led to.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Frames to send to the server, in order.
    pub frames: Vec<Vec<u8>>,
    /// Documents whose content changed (store them, refresh the screen).
    pub changed: Vec<DocumentId>,
    /// Documents whose acknowledged heads moved (store the new heads).
    pub acked: Vec<DocumentId>,
    /// Documents the server refused or does not have.
    pub unavailable: Vec<DocumentId>,
    /// An error the server reported before closing.
    pub server_error: Option<String>,
    /// A held document whose changes the server refused, with the reason.
    pub refused: Option<(DocumentId, RefusalReason)>,
    /// The server will not sync with this release (`version`): update the
    /// app (or wait for the server) before connecting again.
    pub mismatch: Option<Mismatch>,
}

/// Why a frame from the server could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error("invalid Automerge sync data for {0}")]
    BadSyncData(DocumentId),
    #[error("the server chose protocol version {0:?}")]
    WrongVersion(String),
    #[error("a {0} message before the handshake finished")]
    BeforeHandshake(&'static str),
}

struct Replicated {
    doc: Automerge,
    /// Sync state for the current connection; reset on every reconnect.
    state: sync::State,
    /// Heads the server has acknowledged (kept across connections by the caller).
    acked: Vec<ChangeHash>,
    /// Whether this connection already sent the opening `request`.
    requested: bool,
    unavailable: bool,
    /// Set once the server refused this document's changes (e.g. a
    /// signed-off month). Its local changes are not offered again until the
    /// app restarts, so one refused document cannot stop the others from
    /// syncing; they are kept and still count as pending.
    refused: Option<Refused>,
}

/// A refused document's reason, and the copy that syncs in its place.
struct Refused {
    reason: RefusalReason,
    /// The document as the server has it (forked at the acknowledged heads).
    /// It syncs in the document's place, so the tablet still receives the
    /// server's changes (such as the lock) without offering its own; what it
    /// receives is merged into the document.
    mirror: Automerge,
}

/// The tablet's documents and their sync with one server.
pub struct Replica {
    peer_id: PeerId,
    server: Option<PeerId>,
    docs: BTreeMap<DocumentId, Replicated>,
    /// The server would not sync with this release, at the last handshake.
    mismatch: Option<Mismatch>,
}

impl Replica {
    pub fn new(peer_id: PeerId) -> Self {
        Self {
            peer_id,
            server: None,
            docs: BTreeMap::new(),
            mismatch: None,
        }
    }

    /// Why the server would not sync with this release, if it would not at
    /// the last handshake (cleared by the next that succeeds).
    pub fn mismatch(&self) -> Option<&Mismatch> {
        self.mismatch.as_ref()
    }

    /// Adds a document with the heads the server is known to have. For a
    /// document just built from its genesis, pass its heads: every peer can
    /// build the genesis, so it is never pending.
    pub fn add(&mut self, id: DocumentId, doc: Automerge, mut acked: Vec<ChangeHash>) {
        // Heads stored before the changes they name (a crash between the two
        // writes) are dropped: at worst the pending count is too high until
        // the next sync, never too low.
        acked.retain(|hash| doc.get_change_meta_by_hash(hash).is_some());
        self.docs.insert(
            id,
            Replicated {
                doc,
                state: sync::State::new(),
                acked,
                requested: false,
                unavailable: false,
                refused: None,
            },
        );
    }

    pub fn contains(&self, id: &DocumentId) -> bool {
        self.docs.contains_key(id)
    }

    pub fn ids(&self) -> impl Iterator<Item = &DocumentId> {
        self.docs.keys()
    }

    pub fn doc(&self, id: &DocumentId) -> Option<&Automerge> {
        self.docs.get(id).map(|entry| &entry.doc)
    }

    /// For local edits. Store the document, then call [`Replica::sync_doc`].
    pub fn doc_mut(&mut self, id: &DocumentId) -> Option<&mut Automerge> {
        self.docs.get_mut(id).map(|entry| &mut entry.doc)
    }

    pub fn acked_heads(&self, id: &DocumentId) -> &[ChangeHash] {
        self.docs.get(id).map_or(&[], |entry| &entry.acked)
    }

    /// Why the server refused the document's changes, if it did.
    pub fn refusal(&self, id: &DocumentId) -> Option<RefusalReason> {
        self.docs
            .get(id)
            .and_then(|entry| entry.refused.as_ref())
            .map(|refused| refused.reason)
    }

    /// Every held document whose changes the server refused, with the reason.
    pub fn refusals(&self) -> Vec<(DocumentId, RefusalReason)> {
        self.docs
            .iter()
            .filter_map(|(id, entry)| Some((*id, entry.refused.as_ref()?.reason)))
            .collect()
    }

    pub fn is_unavailable(&self, id: &DocumentId) -> bool {
        self.docs.get(id).is_some_and(|entry| entry.unavailable)
    }

    /// Local changes of one document the server has not acknowledged.
    pub fn pending(&self, id: &DocumentId) -> usize {
        self.docs
            .get(id)
            .map_or(0, |entry| entry.doc.get_changes_meta(&entry.acked).len())
    }

    /// Local changes of all documents the server has not acknowledged.
    pub fn pending_total(&self) -> usize {
        self.docs.keys().map(|id| self.pending(id)).sum()
    }

    /// True once the handshake with the server is done.
    pub fn is_connected(&self) -> bool {
        self.server.is_some()
    }

    /// A new connection is open: returns the `join` frame to send first.
    pub fn connect(&mut self, clock_ms: Option<i64>) -> Vec<u8> {
        self.disconnect();
        Message::Join {
            sender_id: self.peer_id.clone(),
            supported_protocol_versions: vec![PROTOCOL_VERSION.into()],
            peer_metadata: Some(PeerMetadata {
                clock_ms,
                build: Some(version::BUILD.into()),
                rules: Some(version::RULES_VERSION),
                ..PeerMetadata::default()
            }),
        }
        .encode()
    }

    /// The connection is gone: forget per-connection state, keep everything else.
    pub fn disconnect(&mut self) {
        self.server = None;
        for entry in self.docs.values_mut() {
            entry.state = sync::State::new();
            entry.requested = false;
        }
    }

    /// Frames that bring the server up to date with one document (after a
    /// local change, or after adding it). Empty while disconnected.
    pub fn sync_doc(&mut self, id: &DocumentId) -> Vec<Vec<u8>> {
        let (Some(server), Some(entry)) = (self.server.as_ref(), self.docs.get_mut(id)) else {
            return Vec::new();
        };
        let synced = match entry.refused.as_mut() {
            Some(refused) => &mut refused.mirror,
            None => &mut entry.doc,
        };
        let Some(message) = synced.generate_sync_message(&mut entry.state) else {
            return Vec::new();
        };
        let (sender_id, target_id, document_id) = (self.peer_id.clone(), server.clone(), *id);
        let data = ByteBuf::from(message.encode());
        let frame = if entry.requested {
            Message::Sync {
                sender_id,
                target_id,
                document_id,
                data,
            }
        } else {
            entry.requested = true;
            Message::Request {
                sender_id,
                target_id,
                document_id,
                data,
            }
        };
        vec![frame.encode()]
    }

    /// Handles one frame from the server.
    pub fn receive(&mut self, frame: &[u8]) -> Result<Outcome, SyncError> {
        let mut outcome = Outcome::default();
        match Message::decode(frame)? {
            Message::Peer {
                sender_id,
                selected_protocol_version,
                ..
            } => {
                if selected_protocol_version != PROTOCOL_VERSION {
                    return Err(SyncError::WrongVersion(selected_protocol_version));
                }
                self.server = Some(sender_id);
                self.mismatch = None;
                let ids: Vec<_> = self.docs.keys().copied().collect();
                for id in ids {
                    outcome.frames.extend(self.sync_doc(&id));
                }
            }
            Message::Sync {
                document_id, data, ..
            }
            | Message::Request {
                document_id, data, ..
            } => {
                if self.server.is_none() {
                    return Err(SyncError::BeforeHandshake("sync"));
                }
                self.receive_sync(document_id, &data, &mut outcome)?;
            }
            Message::DocUnavailable { document_id, .. } => {
                if let Some(entry) = self.docs.get_mut(&document_id) {
                    entry.unavailable = true;
                    outcome.unavailable.push(document_id);
                }
            }
            Message::Error {
                message,
                refusal,
                mismatch,
            } => {
                if let Some(mismatch) = mismatch {
                    // Nothing is offered until a release that fits: the
                    // changes stay, pending, for the updated app.
                    self.mismatch = Some(mismatch.clone());
                    outcome.mismatch = Some(mismatch);
                }
                if let Some(Refusal {
                    document_id,
                    reason,
                }) = refusal
                {
                    if let Some(entry) = self.docs.get_mut(&document_id) {
                        // The acknowledged heads are always in the document
                        // (`add` keeps only those); be safe all the same.
                        let mirror = entry
                            .doc
                            .fork_at(&entry.acked)
                            .unwrap_or_else(|_| Automerge::new());
                        entry.refused = Some(Refused { reason, mirror });
                        outcome.refused = Some((document_id, reason));
                    }
                }
                outcome.server_error = Some(message);
            }
            // The server sends nothing else we act on.
            _ => {}
        }
        Ok(outcome)
    }

    fn receive_sync(
        &mut self,
        id: DocumentId,
        data: &[u8],
        outcome: &mut Outcome,
    ) -> Result<(), SyncError> {
        // A document we do not hold: the server only syncs what we asked for.
        let Some(entry) = self.docs.get_mut(&id) else {
            return Ok(());
        };
        let message = sync::Message::decode(data).map_err(|_| SyncError::BadSyncData(id))?;
        let heads_before = entry.doc.get_heads();
        match entry.refused.as_mut().map(|refused| &mut refused.mirror) {
            None => entry
                .doc
                .receive_sync_message(&mut entry.state, message)
                .map_err(|_| SyncError::BadSyncData(id))?,
            Some(mirror) => {
                mirror
                    .receive_sync_message(&mut entry.state, message)
                    .map_err(|_| SyncError::BadSyncData(id))?;
                entry
                    .doc
                    .merge(mirror)
                    .map_err(|_| SyncError::BadSyncData(id))?;
            }
        }
        entry.unavailable = false;
        if entry.doc.get_heads() != heads_before {
            outcome.changed.push(id);
        }
        if entry.state.shared_heads != entry.acked {
            entry.acked = entry.state.shared_heads.clone();
            outcome.acked.push(id);
        }
        outcome.frames.extend(self.sync_doc(&id));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::patrol::scan_ids;
    use crate::schema::patrol::{record_scan, Scan};
    use crate::schema::DocKey;

    fn key() -> DocKey {
        DocKey::patrol_log(
            "demo",
            "A",
            chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        )
    }

    fn scan(id: &str) -> Scan {
        Scan {
            round_id: "round-1".into(),
            checkpoint_id: "cp-a-01".into(),
            device: "tablet".into(),
            ..crate::fixtures::patrol::scan(id, 1_000)
        }
    }

    #[test]
    fn a_new_day_has_nothing_pending_until_a_scan() {
        let mut replica = Replica::new("tab".into());
        let doc = key().genesis();
        let heads = doc.get_heads();
        let id = key().document_id();
        replica.add(id, doc, heads);
        assert_eq!(replica.pending(&id), 0);
        record_scan(replica.doc_mut(&id).unwrap(), &scan("s1")).unwrap();
        assert_eq!(replica.pending_total(), 1);
    }

    #[test]
    fn acknowledged_heads_the_document_lacks_are_dropped() {
        let mut other = key().genesis();
        record_scan(&mut other, &scan("elsewhere")).unwrap();
        let mut replica = Replica::new("tab".into());
        let id = key().document_id();
        let mut doc = key().genesis();
        record_scan(&mut doc, &scan("local")).unwrap();
        replica.add(id, doc, other.get_heads());
        assert!(replica.acked_heads(&id).is_empty());
        assert_eq!(replica.pending(&id), 2, "genesis and the local scan");
    }

    /// Plays the server's side of one document: answers every sync frame of
    /// the tablet from `server` and returns the frames to hand back.
    fn serve(
        server: &mut Automerge,
        state: &mut sync::State,
        frames: Vec<Vec<u8>>,
    ) -> Vec<Vec<u8>> {
        let mut replies = Vec::new();
        for frame in frames {
            let (Message::Request {
                document_id, data, ..
            }
            | Message::Sync {
                document_id, data, ..
            }) = Message::decode(&frame).unwrap()
            else {
                continue;
            };
            let message = sync::Message::decode(&data).unwrap();
            server.receive_sync_message(state, message).unwrap();
            if let Some(reply) = server.generate_sync_message(state) {
                replies.push(
                    Message::Sync {
                        sender_id: "server".into(),
                        target_id: "tablet".into(),
                        document_id,
                        data: ByteBuf::from(reply.encode()),
                    }
                    .encode(),
                );
            }
        }
        replies
    }

    #[test]
    fn a_refused_document_still_receives_the_servers_changes_but_offers_none_of_its_own() {
        let mut replica = Replica::new("tablet".into());
        let id = key().document_id();
        let mut doc = key().genesis();
        let acked = doc.get_heads();
        record_scan(&mut doc, &scan("refused")).unwrap();
        replica.add(id, doc, acked);
        let peer = Message::Peer {
            sender_id: "server".into(),
            target_id: "tablet".into(),
            selected_protocol_version: PROTOCOL_VERSION.into(),
            peer_metadata: None,
        };
        replica.connect(None);
        assert!(!replica.receive(&peer.encode()).unwrap().frames.is_empty());
        let error = Message::Error {
            message: format!("the month is locked ({id}); nothing was stored"),
            refusal: Some(Refusal {
                document_id: id,
                reason: RefusalReason::MonthLocked,
            }),
            mismatch: None,
        };
        let outcome = replica.receive(&error.encode()).unwrap();
        assert_eq!(outcome.refused, Some((id, RefusalReason::MonthLocked)));
        assert_eq!(replica.refusal(&id), Some(RefusalReason::MonthLocked));
        assert_eq!(replica.refusals(), [(id, RefusalReason::MonthLocked)]);

        // Meanwhile the server took another tablet's change.
        let mut server = key().genesis();
        record_scan(&mut server, &scan("from-elsewhere")).unwrap();
        let mut state = sync::State::new();
        replica.connect(None);
        let mut frames = replica.receive(&peer.encode()).unwrap().frames;
        for _ in 0..10 {
            if frames.is_empty() {
                break;
            }
            frames = serve(&mut server, &mut state, frames)
                .iter()
                .flat_map(|reply| replica.receive(reply).unwrap().frames)
                .collect();
        }
        assert_eq!(
            scan_ids(replica.doc(&id).unwrap()),
            ["from-elsewhere", "refused"],
            "the server's change arrived; the refused one is kept"
        );
        assert_eq!(
            scan_ids(&server),
            ["from-elsewhere"],
            "nothing refused was offered"
        );
        assert_eq!(replica.pending(&id), 1, "the refused change stays pending");
    }

    #[test]
    fn nothing_is_sent_before_the_handshake() {
        let mut replica = Replica::new("tab".into());
        let id = key().document_id();
        replica.add(id, key().genesis(), Vec::new());
        assert!(replica.sync_doc(&id).is_empty());
        assert!(matches!(
            Message::decode(&replica.connect(None)).unwrap(),
            Message::Join { .. }
        ));
        let sync = Message::Sync {
            sender_id: "server".into(),
            target_id: "tab".into(),
            document_id: id,
            data: ByteBuf::from(vec![0x42]),
        };
        assert!(matches!(
            replica.receive(&sync.encode()),
            Err(SyncError::BeforeHandshake(_))
        ));
    }

    #[test]
    fn a_release_mismatch_keeps_every_change_and_is_remembered() {
        let id = key().document_id();
        let mut tablet = Replica::new("tablet".into());
        let doc = key().genesis();
        let heads = doc.get_heads();
        tablet.add(id, doc, heads);
        record_scan(tablet.doc_mut(&id).unwrap(), &scan("s1")).unwrap();
        let join = Message::decode(&tablet.connect(None)).unwrap();
        let Message::Join { peer_metadata, .. } = join else {
            panic!("join first")
        };
        let metadata = peer_metadata.unwrap();
        assert_eq!(metadata.rules, Some(version::RULES_VERSION));
        assert_eq!(metadata.build.as_deref(), Some(version::BUILD));

        let mismatch = Mismatch {
            verdict: version::Verdict::TabletTooOld,
            server_build: "next".into(),
            accepts: version::Accepts {
                oldest: version::RULES_VERSION + 1,
                newest: version::RULES_VERSION + 1,
            },
        };
        let error = Message::Error {
            message: "update the app".into(),
            refusal: None,
            mismatch: Some(mismatch.clone()),
        };
        let outcome = tablet.receive(&error.encode()).unwrap();
        assert_eq!(outcome.mismatch, Some(mismatch.clone()));
        assert_eq!(tablet.mismatch(), Some(&mismatch));
        assert_eq!(tablet.pending(&id), 1, "the scan stays pending");
    }
}

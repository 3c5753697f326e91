//! Live documents: the server's in-memory copy of each document being synced,
//! who is subscribed to it, and the one path by which a change gets in —
//! checked, applied, stamped with its receipt, stored durably, and only then
//! announced.
//!
//! Write rules enforced here, before anything is stored: a reader (a guard's
//! zone directory) sends only changes the server already holds, such as the
//! genesis; nobody but the server writes receipt fields. What each kind of
//! document allows comes from `shared`, beside the kinds: whether it is
//! closed (`DocKind::is_closed`), whether its records get receipts
//! (`DocKind::stamps_receipts`), and the shape every change must keep
//! (`schema::shape`).
//!
//! Several servers may share one database. Each live copy knows up to which
//! chunk sequence number it holds everything stored (`through`): news of a
//! write elsewhere ([`Hub::follow`]) makes it read the chunks after that and
//! tell its subscribers, exactly as a local change does, and compaction folds
//! only the chunks up to it. Nothing here knows which database is behind the
//! store.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use automerge::sync::{self, SyncDoc};
use automerge::{
    Automerge, AutomergeError, ChangeHash, LoadOptions, OnPartialLoad, PatchLog, ReadDoc,
};
use tokio::sync::mpsc;

use roundbook_shared::compaction::should_compact;
use roundbook_shared::domain::Role;
use roundbook_shared::ids::DocumentId;
use roundbook_shared::protocol::RefusalReason;
use roundbook_shared::schema::authorship::{self, AuthorshipError};
use roundbook_shared::schema::receipt::{
    stamp_new_records, Receipt, Seal, CLOCK_SKEW, RECEIVED_AT,
};
use roundbook_shared::schema::shape::{self, ShapeError, ShapeLimits, Touched};
use roundbook_shared::schema::{Container, DocKey, DocKind, SchemaError};

use crate::compute::{Compute, Panicked};
use crate::limits::Limits;
use crate::metrics::{Metrics, StoreWrite};

use crate::store::{
    run_blocking, ChunkSeq, ChunkSizes, Elsewhere, ElsewhereFeed, Store, StoreError, Written,
};

/// A connection's id, to tell subscribers apart.
pub type ConnectionId = u64;

/// Sends a connection the id of a document that changed under it.
pub type ChangeNotifier = mpsc::UnboundedSender<DocumentId>;

pub struct LiveDoc {
    /// What the document is (decides which write rules apply).
    pub key: DocKey,
    pub doc: Automerge,
    sizes: ChunkSizes,
    /// Every stored chunk of the document up to this sequence number is in
    /// `doc`: catching up reads after it, and compaction folds up to it.
    through: ChunkSeq,
    subscribers: HashMap<ConnectionId, ChangeNotifier>,
}

impl LiveDoc {
    /// A copy holding nothing stored yet, with no subscribers.
    fn new(key: DocKey, doc: Automerge) -> Self {
        Self {
            key,
            doc,
            sizes: ChunkSizes::default(),
            through: 0,
            subscribers: HashMap::new(),
        }
    }

    /// Takes note of a chunk this server wrote from `doc`. If nobody wrote
    /// since `through`, the copy now holds everything up to the new chunk;
    /// false if another server wrote in between and the copy must catch up.
    fn wrote(&mut self, written: &Written) -> bool {
        self.sizes = written.sizes;
        if written.after != self.through {
            return false;
        }
        self.through = written.seq;
        true
    }

    /// Tells every subscriber but `except` that the document changed.
    fn announce(&self, id: DocumentId, except: Option<ConnectionId>) {
        for (connection, notifier) in &self.subscribers {
            if Some(*connection) != except {
                let _ = notifier.send(id);
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("the sync message's changes are not valid Automerge data")]
    BadChanges,
    /// Changes refused on their merits: nothing of them is stored, and the
    /// peer is told why.
    #[error("{}", refusal_text(*.0))]
    Refused(RefusalReason),
    /// The changes break the document's shape: refused like `Refused`
    /// (`RefusalReason::BadShape`), with the details logged.
    #[error("{0}")]
    Shape(ShapeError),
    /// A record in another user's name: refused like `Refused`
    /// (`RefusalReason::NotTheAuthor`), with the details logged.
    #[error("{0}")]
    Authorship(AuthorshipError),
    #[error("could not stamp the receipt: {0}")]
    Receipt(Box<SchemaError>),
    #[error(transparent)]
    Panicked(#[from] Panicked),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ApplyError {
    /// The reason the peer is told, when the changes were refused on their
    /// merits (rather than failing).
    pub fn refusal(&self) -> Option<RefusalReason> {
        match self {
            ApplyError::Refused(reason) => Some(*reason),
            ApplyError::Shape(_) => Some(RefusalReason::BadShape),
            ApplyError::Authorship(AuthorshipError::AfterSignOut { .. }) => {
                Some(RefusalReason::SignedOut)
            }
            ApplyError::Authorship(_) => Some(RefusalReason::NotTheAuthor),
            _ => None,
        }
    }
}

/// What a refused peer is told (tablets show their own translated text).
fn refusal_text(reason: RefusalReason) -> &'static str {
    match reason {
        RefusalReason::ReadOnly => "this user may read but not change the document (a zone directory is changed only by a security supervisor or the office head, the cleaning template only by an environment supervisor or the office head)",
        RefusalReason::MonthLocked => "the cleaning month is signed off by both parties and locked",
        RefusalReason::ReceiptForged => "only the server writes a record's received_at and clock_skew_ms",
        RefusalReason::BadShape => "the changes break the document's shape",
        RefusalReason::TooLarge => "the document would grow past the server's size budget",
        RefusalReason::NotTheAuthor => "a new record must name the signed-in user as its author, and no record's author may change",
        RefusalReason::SignedOut => "the session was ended by the office, or the user left this zone: only their own records made before then are taken",
        RefusalReason::Other => "the changes were refused",
    }
}

/// Who sent a sync message, as far as applying it goes.
#[derive(Debug, Clone, Copy)]
pub struct Sender<'a> {
    pub connection: ConnectionId,
    /// The signed-in user: every new record must name them as its author
    /// (`schema::authorship`).
    pub username: &'a str,
    /// Set for a final upload after someone else ended the session at this
    /// instant (Unix ms): only the user's own records made before it pass
    /// (`authorship::check_final_upload`).
    pub final_upload_before: Option<i64>,
    /// Server clock minus the sender's clock when it joined; `None` when the
    /// client did not report its clock.
    pub clock_skew_ms: Option<i64>,
    /// Whether the sender may change documents of this kind (`Access::writes`);
    /// if not, only changes the server already holds pass.
    pub writes: bool,
    /// The sender's roles: some records only some of a kind's writers may
    /// write (`Container::writers`: a day of the duty log is signed by a
    /// supervisor).
    pub roles: &'a [Role],
}

pub struct Hub {
    store: Arc<dyn Store>,
    docs: Mutex<HashMap<DocumentId, Arc<tokio::sync::Mutex<LiveDoc>>>>,
    compute: Compute,
    limits: DocLimits,
    /// Counts refusals and times chunk writes.
    metrics: Arc<Metrics>,
    /// Seals this database's receipt stamps; read from the store once.
    seal: tokio::sync::OnceCell<Seal>,
}

/// What one document may hold.
#[derive(Debug, Clone, Copy)]
pub struct DocLimits {
    /// Bytes stored for one document, its snapshot and incremental chunks
    /// together.
    pub document_bytes: usize,
    /// Bounds on each record a change touches.
    pub shape: ShapeLimits,
}

impl Hub {
    /// A hub with the default limits (tests and tools).
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self::with_limits(store, &Limits::default(), Arc::new(Metrics::new()))
    }

    pub fn with_limits(store: Arc<dyn Store>, limits: &Limits, metrics: Arc<Metrics>) -> Self {
        Self {
            store,
            metrics,
            docs: Mutex::new(HashMap::new()),
            seal: tokio::sync::OnceCell::new(),
            compute: Compute::new(limits.automerge_jobs),
            limits: DocLimits {
                document_bytes: limits.document_bytes,
                shape: limits.shape,
            },
        }
    }

    /// Follows news of documents other servers change, for as long as the
    /// hub lives: each live copy concerned catches up and tells its
    /// subscribers. With a store that has no other writers the feed ends at
    /// once and so does this.
    pub fn follow(self: &Arc<Self>, mut feed: ElsewhereFeed) {
        let hub = Arc::downgrade(self);
        tokio::spawn(async move {
            while let Some(news) = feed.recv().await {
                let Some(hub) = hub.upgrade() else { break };
                match news {
                    Elsewhere::Changed { id, seq } => hub.catch_up(id, Some(seq)).await,
                    Elsewhere::Missed => {
                        let ids: Vec<DocumentId> =
                            hub.docs.lock().expect("hub lock").keys().copied().collect();
                        for id in ids {
                            hub.catch_up(id, None).await;
                        }
                    }
                }
            }
        });
    }

    /// The live copy of a document, loaded from storage (or born from its
    /// genesis and stored) on first use. The caller has checked access.
    pub async fn open(
        &self,
        id: DocumentId,
        key: &DocKey,
    ) -> Result<Arc<tokio::sync::Mutex<LiveDoc>>, StoreError> {
        if let Some(live) = self.docs.lock().expect("hub lock").get(&id) {
            return Ok(live.clone());
        }
        let loaded = load_or_create(self.store.clone(), id, key.clone()).await?;
        let live = Arc::new(tokio::sync::Mutex::new(loaded));
        // Another connection may have loaded it meanwhile: keep the first.
        let kept = self
            .docs
            .lock()
            .expect("hub lock")
            .entry(id)
            .or_insert(live.clone())
            .clone();
        if Arc::ptr_eq(&kept, &live) {
            // News of a write elsewhere that came while the copy was loading
            // found no live copy to update: read what was written meanwhile.
            self.catch_up(id, None).await;
        }
        Ok(kept)
    }

    /// Brings a live copy up to date with chunks other servers wrote, and
    /// tells its subscribers if that changed it. `seq` (the chunk the news is
    /// about) skips the read when the copy already holds it.
    async fn catch_up(&self, id: DocumentId, seq: Option<ChunkSeq>) {
        let live = self.docs.lock().expect("hub lock").get(&id).cloned();
        let Some(live) = live else { return };
        let mut guard = live.lock().await;
        if seq.is_none_or(|seq| seq > guard.through) {
            self.refresh(id, &mut guard).await;
        }
        self.evict_if_unused(id, &live, &guard);
    }

    /// Reads what other servers stored since the copy last read, and tells
    /// the subscribers if that changed it. A failure leaves the copy as it
    /// was; the next news or write tries again.
    async fn refresh(&self, id: DocumentId, live: &mut LiveDoc) {
        match self.read_newer(id, live).await {
            Ok(true) => live.announce(id, None),
            Ok(false) => {}
            Err(error) => tracing::warn!(%id, %error, "could not catch up with other servers"),
        }
    }

    /// Loads the chunks stored after the copy's `through` into it; true if
    /// that brought changes.
    async fn read_newer(&self, id: DocumentId, live: &mut LiveDoc) -> Result<bool, StoreError> {
        let store = self.store.clone();
        let after = live.through;
        let newer = run_blocking(move || store.chunks_after(&id, after)).await?;
        let before = live.doc.get_heads();
        if !newer.bytes.is_empty() {
            live.doc
                .load_incremental(&newer.bytes.concat())
                .map_err(|error| StoreError::Corrupt(error.to_string()))?;
        }
        live.through = live.through.max(newer.through);
        Ok(live.doc.get_heads() != before)
    }

    /// Applies a peer's sync message. Its changes must keep the document's
    /// shape (`schema::shape`) and size budget. New records of a kind with
    /// receipts are stamped (server time of arrival and the sender's clock
    /// skew) in a change stored together with them, so the receipt is durable
    /// exactly when the records are, and the reply's heads cover both. If it
    /// brought changes, they are stored durably before this returns, and
    /// every other subscriber is told. On any failure the live copy is
    /// reloaded from storage, so nothing unstored stays visible to anyone.
    /// The Automerge work runs through `compute`: off the async workers, a
    /// bounded number at once, a panic caught.
    pub async fn apply(
        &self,
        id: DocumentId,
        live: &mut LiveDoc,
        sender: Sender<'_>,
        state: &mut sync::State,
        message: sync::Message,
    ) -> Result<(), ApplyError> {
        let well_formed = self
            .compute
            .run(|| changes_are_well_formed(&message))
            .await?;
        if !well_formed {
            return Err(ApplyError::BadChanges);
        }
        // Judged, applied and stamped on what is stored, which another server
        // may have added to since this copy last read: changes the peer got
        // from it are not new, a month it signed off is locked, a record it
        // stamped keeps its receipt. So changes first make the copy catch up.
        if !message.changes.is_empty() {
            self.refresh(id, live).await;
        }
        let refused = self.compute.run(|| refusal(live, sender, &message)).await?;
        if let Some(refused) = refused {
            return Err(self.counted(refused));
        }
        let before = live.doc.get_heads();
        let seal = self.seal().await?;
        let limits = self.limits;
        let outcome = self
            .compute
            .run(|| receive(live, state, message, &before, sender, &limits, seal))
            .await;
        let chunk = match outcome {
            Ok(Ok(Some(chunk))) => chunk,
            Ok(Ok(None)) => return Ok(()),
            Ok(Err(error)) => {
                self.reset(id, live, state).await?;
                return Err(self.counted(error));
            }
            Err(panicked) => {
                tracing::error!(%id, %panicked, "Automerge panicked on a sync message");
                self.reset(id, live, state).await?;
                return Err(panicked.into());
            }
        };
        let (store, metrics) = (self.store.clone(), self.metrics.clone());
        let append = move || {
            metrics.time_store_write(StoreWrite::Change, || store.append_chunk(&id, &chunk))
        };
        match run_blocking(append).await {
            Ok(written) => {
                if !live.wrote(&written) {
                    // Another server wrote meanwhile; the reply and the
                    // announcement below carry its changes too.
                    if let Err(error) = self.read_newer(id, live).await {
                        tracing::warn!(%id, %error, "could not catch up with other servers");
                    }
                }
            }
            Err(error) => {
                self.reset(id, live, state).await?;
                return Err(error.into());
            }
        }
        self.compact_if_due(id, live).await;
        live.announce(id, Some(sender.connection));
        Ok(())
    }

    /// Counts a refusal (changes refused on their merits) by its reason.
    fn counted(&self, error: ApplyError) -> ApplyError {
        if let Some(reason) = error.refusal() {
            self.metrics.refused(reason);
        }
        error
    }

    /// The reply to a final upload: it asks for what the peer holds and the
    /// server lacks, and, once the server holds all of it, acknowledges it
    /// (a message as from the document at the peer's own heads), but never
    /// carries a change: a tablet whose session someone else ended receives
    /// nothing new.
    pub async fn upload_reply(
        &self,
        live: &LiveDoc,
        state: &mut sync::State,
    ) -> Result<Option<sync::Message>, Panicked> {
        self.compute
            .run(|| {
                let theirs = state.their_heads.clone().unwrap_or_default();
                let holds_theirs = theirs
                    .iter()
                    .all(|hash| live.doc.get_change_meta_by_hash(hash).is_some());
                let mut message = if holds_theirs {
                    let view = live.doc.fork_at(&theirs).ok()?;
                    view.generate_sync_message(&mut state.clone())?
                } else {
                    live.doc.generate_sync_message(state)?
                };
                message.changes = sync::ChunkList::from(Vec::<Vec<u8>>::new());
                Some(message)
            })
            .await
    }

    /// The next sync message for a peer about a document, if there is news.
    pub async fn reply(
        &self,
        live: &LiveDoc,
        state: &mut sync::State,
    ) -> Result<Option<sync::Message>, Panicked> {
        self.compute
            .run(|| live.doc.generate_sync_message(state))
            .await
    }

    pub fn subscribe(live: &mut LiveDoc, connection: ConnectionId, notifier: ChangeNotifier) {
        live.subscribers.insert(connection, notifier);
    }

    /// Whether the document is in memory (someone is syncing it).
    pub fn is_open(&self, id: &DocumentId) -> bool {
        self.docs.lock().expect("hub lock").contains_key(id)
    }

    /// Drops a connection's subscriptions; documents nobody syncs leave memory.
    /// The caller must have dropped its own handles to these documents.
    pub async fn unsubscribe(
        &self,
        connection: ConnectionId,
        ids: impl IntoIterator<Item = DocumentId>,
    ) {
        for id in ids {
            let live = self.docs.lock().expect("hub lock").get(&id).cloned();
            let Some(live) = live else { continue };
            let mut guard = live.lock().await;
            guard.subscribers.remove(&connection);
            self.evict_if_unused(id, &live, &guard);
        }
    }

    /// Drops a live copy nobody subscribes to. `live` is the caller's handle,
    /// `guard` its lock. Only if no one re-opened it meanwhile: a connection
    /// holding a handle is about to subscribe.
    fn evict_if_unused(
        &self,
        id: DocumentId,
        live: &Arc<tokio::sync::Mutex<LiveDoc>>,
        guard: &LiveDoc,
    ) {
        if !guard.subscribers.is_empty() {
            return;
        }
        let mut docs = self.docs.lock().expect("hub lock");
        // The map's handle and the caller's: nobody else's.
        if Arc::strong_count(live) <= 2 && docs.get(&id).is_some_and(|kept| Arc::ptr_eq(kept, live))
        {
            docs.remove(&id);
        }
    }

    /// The key this database's servers seal receipt stamps with.
    async fn seal(&self) -> Result<&Seal, StoreError> {
        self.seal
            .get_or_try_init(|| async {
                let store = self.store.clone();
                let key = run_blocking(move || store.secret(RECEIPT_SEAL)).await?;
                Ok(Seal::new(&key))
            })
            .await
    }

    /// Puts the live copy back to what storage holds and restarts the
    /// connection's sync state, after a change could not be applied or stored.
    async fn reset(
        &self,
        id: DocumentId,
        live: &mut LiveDoc,
        state: &mut sync::State,
    ) -> Result<(), StoreError> {
        *state = sync::State::new();
        let store = self.store.clone();
        let chunks = run_blocking(move || store.chunks_after(&id, 0)).await?;
        live.doc = load(&chunks.bytes)?;
        live.through = chunks.through;
        Ok(())
    }

    async fn compact_if_due(&self, id: DocumentId, live: &mut LiveDoc) {
        if !should_compact(live.sizes.snapshot_bytes, live.sizes.incremental_bytes) {
            return;
        }
        let snapshot = live.doc.save();
        let covers = live.through;
        let (store, metrics) = (self.store.clone(), self.metrics.clone());
        let compact = move || {
            metrics.time_store_write(StoreWrite::Compaction, || {
                store.replace_with_snapshot(&id, &snapshot, covers)
            })
        };
        match run_blocking(compact).await {
            // Chunks written after `covers` stay; if there are some, the
            // copy reads them with the next news or write.
            Ok(written) => {
                live.wrote(&written);
            }
            // The chunks are still there; compaction is retried after the next change.
            Err(error) => tracing::warn!(%id, %error, "compaction failed"),
        }
    }
}

/// The name of the receipt seal's key in the store.
pub(crate) const RECEIPT_SEAL: &str = "receipt-seal";

/// Applies a message to the live copy and judges what it did: the shape
/// kept, no receipt forged (a receipt written by a change this database's
/// seal did not make), the size budget kept; then stamps new records'
/// receipts. Returns the bytes to store (`None` if nothing changed). On `Err`
/// the copy holds the refused changes: the caller resets it.
fn receive(
    live: &mut LiveDoc,
    state: &mut sync::State,
    message: sync::Message,
    before: &[ChangeHash],
    sender: Sender<'_>,
    limits: &DocLimits,
    seal: &Seal,
) -> Result<Option<Vec<u8>>, ApplyError> {
    let mut patches = PatchLog::active();
    live.doc
        .receive_sync_message_log_patches(state, message, &mut patches)
        .map_err(|_| ApplyError::BadChanges)?;
    if live.doc.get_heads() == before {
        return Ok(None);
    }
    let kind = live.key.kind;
    if kind.stamps_receipts() && forges_receipts(&live.doc, kind, before, seal) {
        return Err(ApplyError::Refused(RefusalReason::ReceiptForged));
    }
    let patches = live.doc.make_patches(&mut patches);
    let touched = shape::check(&live.doc, kind, before, &patches, &limits.shape)
        .map_err(ApplyError::Shape)?;
    authorship::check(&live.doc, kind, before, &touched, sender.username)
        .map_err(ApplyError::Authorship)?;
    if !writes_all(kind, &touched, sender.roles) {
        return Err(ApplyError::Refused(RefusalReason::ReadOnly));
    }
    if let Some(ended_at) = sender.final_upload_before {
        authorship::check_final_upload(
            &live.doc,
            kind,
            &touched,
            sender.username,
            ended_at,
            sender.clock_skew_ms,
        )
        .map_err(ApplyError::Authorship)?;
    }
    let receipt = Receipt {
        received_at: chrono::Utc::now().timestamp_millis(),
        clock_skew_ms: sender.clock_skew_ms,
    };
    stamp_new_records(&mut live.doc, kind, before, receipt, seal)
        .map_err(|error| ApplyError::Receipt(Box::new(error)))?;
    let chunk = live.doc.save_after(before);
    let stored = live.sizes.snapshot_bytes + live.sizes.incremental_bytes;
    if stored + chunk.len() > limits.document_bytes {
        return Err(ApplyError::Refused(RefusalReason::TooLarge));
    }
    Ok(Some(chunk))
}

/// Whether someone with `roles` writes every record the changes touched:
/// a record of a container with writers of its own (`Container::writers`)
/// is refused to the kind's other writers.
fn writes_all(kind: DocKind, touched: &[Touched], roles: &[Role]) -> bool {
    touched.iter().all(|record| {
        Container::of_kind(kind, &record.container)
            .is_none_or(|container| container.written_by(roles))
    })
}

/// Why a message's changes are refused before they are applied, if they are:
/// a reader sending changes the document lacks, or any change to a month
/// signed off by both parties.
fn refusal(live: &LiveDoc, sender: Sender<'_>, message: &sync::Message) -> Option<ApplyError> {
    if !sender.writes && !brings_nothing_new(&live.doc, message) {
        return Some(ApplyError::Refused(RefusalReason::ReadOnly));
    }
    if live.key.kind.is_closed(&live.doc) && !brings_nothing_new(&live.doc, message) {
        return Some(ApplyError::Refused(RefusalReason::MonthLocked));
    }
    None
}

/// Automerge skips change bytes it cannot parse; a peer sending them deserves
/// an error rather than silence, so they are parsed strictly first. Changes
/// that only lack their dependencies are well formed: those arrive later.
fn changes_are_well_formed(message: &sync::Message) -> bool {
    if message.changes.is_empty() {
        return true;
    }
    let bytes: Vec<u8> = message.changes.iter().flatten().copied().collect();
    matches!(
        Automerge::load_with_options(
            &bytes,
            LoadOptions::new().on_partial_load(OnPartialLoad::Error),
        ),
        Ok(_) | Err(AutomergeError::MissingDeps)
    )
}

/// Whether every change a message carries is one the document already holds
/// (the genesis, which every device builds, or changes synced before). Tried
/// on a copy without queued changes, so a change waiting for its
/// dependencies counts as new rather than slipping in later.
fn brings_nothing_new(doc: &Automerge, message: &sync::Message) -> bool {
    if message.changes.is_empty() {
        return true;
    }
    let heads = doc.get_heads();
    let Ok(mut copy) = doc.fork_at(&heads) else {
        return false;
    };
    let bytes: Vec<u8> = message.changes.iter().flatten().copied().collect();
    copy.load_incremental(&bytes).is_ok()
        && copy.get_heads() == heads
        && copy.get_missing_deps(&[]).is_empty()
}

/// Whether a change applied since `before` writes (or deletes) a receipt
/// field of a record that takes receipts (`Container::receipted`) and is
/// not a stamp sealed by this database's key. Tablets never write receipts;
/// they only pass on the server's stamps (to a server restored from a backup
/// older than the stamp, say). A peer that writes one is forging its
/// receipt. (A request's own `received_at` is the tablet's: not a receipt.)
fn forges_receipts(doc: &Automerge, kind: DocKind, before: &[ChangeHash], seal: &Seal) -> bool {
    let mut receipted: Option<HashSet<String>> = None;
    doc.get_changes(before).iter().any(|change| {
        let writes_receipts = change.decode().operations.iter().any(|op| {
            let receipt_field = matches!(&op.key, automerge::legacy::Key::Map(key)
                if key.as_str() == RECEIVED_AT || key.as_str() == CLOCK_SKEW);
            receipt_field
                && receipted
                    .get_or_insert_with(|| receipted_records(doc, kind))
                    .contains(&op.obj.to_string())
        });
        writes_receipts && !seal.sealed(change)
    })
}

/// The object ids (as text) of every record in the containers of `kind`
/// that take receipts, conflicting copies included.
fn receipted_records(doc: &Automerge, kind: DocKind) -> HashSet<String> {
    let mut records = HashSet::new();
    for container in kind.containers().filter(|container| container.receipted()) {
        let Ok(Some((_, map))) = doc.get(automerge::ROOT, container.name()) else {
            continue;
        };
        for key in doc.keys(&map) {
            for (_, record) in doc.get_all(&map, key.as_str()).unwrap_or_default() {
                records.insert(record.to_string());
            }
        }
    }
    records
}

/// A document from its stored chunks: the one place stored bytes become a
/// document, for the live copies and the reports alike.
pub fn load(chunks: &[Vec<u8>]) -> Result<Automerge, StoreError> {
    Automerge::load(&chunks.concat()).map_err(|error| StoreError::Corrupt(error.to_string()))
}

/// A stored document, for readers of what the server holds (reports, the
/// export): `None` if nothing is stored under `key`, or if what is stored
/// does not load, which is logged and counted in `unreadable` (skipped, so
/// one bad document does not hide the rest).
pub fn load_stored(
    store: &dyn Store,
    key: &DocKey,
    unreadable: &mut usize,
) -> Result<Option<Automerge>, StoreError> {
    let chunks = store.load_chunks(&key.document_id())?;
    if chunks.is_empty() {
        return Ok(None);
    }
    match load(&chunks) {
        Ok(doc) => Ok(Some(doc)),
        Err(error) => {
            tracing::error!(id = %key.document_id(), %error, "a stored document does not load");
            *unreadable += 1;
            Ok(None)
        }
    }
}

/// A document's live copy as stored, or born from its genesis (stored as its
/// first snapshot) if nothing is.
async fn load_or_create(
    store: Arc<dyn Store>,
    id: DocumentId,
    key: DocKey,
) -> Result<LiveDoc, StoreError> {
    run_blocking(move || {
        let chunks = store.chunks_after(&id, 0)?;
        if chunks.bytes.is_empty() {
            let mut live = LiveDoc::new(key.clone(), key.genesis());
            let written = store.add_snapshot(&id, &live.doc.save())?;
            // If another server created it at the same moment, `through`
            // stays 0 and the copy catches up with its genesis.
            live.wrote(&written);
            return Ok(live);
        }
        let mut live = LiveDoc::new(key, load(&chunks.bytes)?);
        live.through = chunks.through;
        // The first chunk is a snapshot (or the only one); close enough for
        // the compaction rule until the next write returns the exact sizes.
        live.sizes = ChunkSizes {
            snapshot_bytes: chunks.bytes.first().map_or(0, Vec::len),
            incremental_bytes: chunks.bytes.iter().skip(1).map(Vec::len).sum(),
        };
        Ok(live)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::SqliteStore;
    use automerge::transaction::Transactable;
    use roundbook_shared::schema::DocKind;

    /// This server's hub and another server's store, on one SQLite file.
    fn two_servers() -> (tempfile::TempDir, Hub, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hub.sqlite3");
        let store = SqliteStore::open(&path).unwrap();
        store.migrate().unwrap();
        let other = SqliteStore::open(&path).unwrap();
        (dir, Hub::new(Arc::new(store)), other)
    }

    /// Three rounds of sync between `tablet` and the live copy, the
    /// tablet's messages applied as `sender`'s.
    async fn sync_tablet(
        hub: &Hub,
        id: DocumentId,
        live: &mut LiveDoc,
        sender: Sender<'_>,
        tablet: &mut Automerge,
    ) {
        let (mut server_state, mut tablet_state) = (sync::State::new(), sync::State::new());
        for _ in 0..3 {
            if let Some(message) = tablet.generate_sync_message(&mut tablet_state) {
                hub.apply(id, live, sender, &mut server_state, message)
                    .await
                    .unwrap();
            }
            if let Some(reply) = live.doc.generate_sync_message(&mut server_state) {
                tablet
                    .receive_sync_message(&mut tablet_state, reply)
                    .unwrap();
            }
        }
    }

    #[tokio::test]
    async fn documents_leave_memory_when_their_last_subscriber_goes() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("hub.sqlite3")).unwrap();
        store.migrate().unwrap();
        let hub = Hub::new(Arc::new(store));
        let key = DocKey::zone_directory("demo", "A");
        let id = key.document_id();
        let (notifier, _changes) = mpsc::unbounded_channel();

        let first = hub.open(id, &key).await.unwrap();
        Hub::subscribe(&mut *first.lock().await, 1, notifier.clone());
        let second = hub.open(id, &key).await.unwrap();
        Hub::subscribe(&mut *second.lock().await, 2, notifier);
        assert!(Arc::ptr_eq(&first, &second), "one live copy per document");

        drop(first);
        hub.unsubscribe(1, [id]).await;
        assert_eq!(
            hub.docs.lock().unwrap().len(),
            1,
            "still synced by connection 2"
        );
        drop(second);
        hub.unsubscribe(2, [id]).await;
        assert!(hub.docs.lock().unwrap().is_empty());
    }

    /// Server 2 (another store on the same database) stores a change after
    /// this server loaded the document, and this server compacts before it
    /// hears of it: the change survives, and catching up brings it into the
    /// live copy and tells the subscribers.
    #[tokio::test]
    async fn compaction_keeps_what_another_server_wrote_and_catching_up_brings_it() {
        let (_dir, hub, other) = two_servers();
        let key = DocKey::zone_directory("demo", "A");
        let id = key.document_id();
        let live = hub.open(id, &key).await.unwrap();
        let (notifier, mut changes) = mpsc::unbounded_channel();
        Hub::subscribe(&mut *live.lock().await, 1, notifier);

        let mut theirs = live.lock().await.doc.fork();
        let base = theirs.get_heads();
        theirs
            .transact::<_, _, AutomergeError>(|tx| {
                tx.put(automerge::ROOT, "written_by", "server 2")
            })
            .unwrap();
        other.append_chunk(&id, &theirs.save_after(&base)).unwrap();

        {
            let mut guard = live.lock().await;
            guard.sizes.incremental_bytes = guard.sizes.snapshot_bytes + 1;
            hub.compact_if_due(id, &mut guard).await;
        }
        let stored = other.load_chunks(&id).unwrap();
        assert_eq!(stored.len(), 2, "compacted, and server 2's chunk kept");
        assert_eq!(
            load(&stored).unwrap().get_heads(),
            theirs.get_heads(),
            "server 2's change survived the compaction"
        );

        hub.catch_up(id, None).await;
        assert_eq!(live.lock().await.doc.get_heads(), theirs.get_heads());
        assert_eq!(changes.try_recv().ok(), Some(id), "subscribers told");
    }

    /// Two servers that open a new document at once each store a genesis,
    /// and compactions on two servers can leave two snapshots: a document
    /// stored with several snapshots loads whole.
    #[tokio::test]
    async fn a_document_stored_with_two_snapshots_loads_whole() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("hub.sqlite3")).unwrap();
        store.migrate().unwrap();
        let key = DocKey::zone_directory("demo", "A");
        let id = key.document_id();
        let mut first = key.genesis();
        let mut second = first.fork();
        for (doc, server) in [(&mut first, "server 1"), (&mut second, "server 2")] {
            doc.transact::<_, _, AutomergeError>(|tx| tx.put(automerge::ROOT, server, true))
                .unwrap();
            store.add_snapshot(&id, &doc.save()).unwrap();
        }
        let hub = Hub::new(Arc::new(store));
        let live = hub.open(id, &key).await.unwrap();
        let mut heads = [first.get_heads(), second.get_heads()].concat();
        heads.sort();
        assert_eq!(live.lock().await.doc.get_heads(), heads);
    }

    /// A reader's tablet synced a directory change through another server
    /// and brings it here before this server heard of it: the change is not
    /// new to the database, so it is not refused.
    #[tokio::test]
    async fn a_reader_may_bring_changes_another_server_stored() {
        let (_dir, hub, other) = two_servers();
        let key = DocKey::zone_directory("demo", "A");
        let id = key.document_id();
        let live = hub.open(id, &key).await.unwrap();
        let mut guard = live.lock().await;

        let mut tablet = guard.doc.fork();
        let base = tablet.get_heads();
        tablet
            .transact::<_, _, AutomergeError>(|tx| {
                tx.put(automerge::ROOT, "edited_by", "supervisor")
            })
            .unwrap();
        other.append_chunk(&id, &tablet.save_after(&base)).unwrap();

        let reader = Sender {
            connection: 1,
            username: "guard-a",
            final_upload_before: None,
            clock_skew_ms: None,
            writes: false,
            roles: &[Role::Guard],
        };
        sync_tablet(&hub, id, &mut guard, reader, &mut tablet).await;
        assert_eq!(guard.doc.get_heads(), tablet.get_heads());
    }

    /// A tablet sends a scan to this server that another server already
    /// stored and stamped (the tablet did not hear the acknowledgement): the
    /// scan keeps that receipt, rather than getting a second one here.
    #[tokio::test]
    async fn a_scan_another_server_stamped_keeps_its_receipt() {
        use roundbook_shared::fixtures::patrol::scan;
        use roundbook_shared::schema::patrol::record_scan;

        let (_dir, hub, other) = two_servers();
        let key = DocKey::patrol_log(
            "demo",
            "A",
            chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        );
        let id = key.document_id();
        let live = hub.open(id, &key).await.unwrap();
        let mut guard = live.lock().await;

        let mut tablet = guard.doc.fork();
        record_scan(&mut tablet, &scan("scan-1", 1_000)).unwrap();
        let mut elsewhere = guard.doc.fork();
        let base = elsewhere.get_heads();
        elsewhere.merge(&mut tablet.clone()).unwrap();
        let receipt = Receipt {
            received_at: 2_000,
            clock_skew_ms: Some(0),
        };
        stamp_new_records(
            &mut elsewhere,
            DocKind::PatrolLog,
            &base,
            receipt,
            &roundbook_shared::fixtures::seal(),
        )
        .unwrap();
        other
            .append_chunk(&id, &elsewhere.save_after(&base))
            .unwrap();

        let writer = Sender {
            connection: 1,
            username: "guard-a",
            final_upload_before: None,
            clock_skew_ms: Some(0),
            writes: true,
            roles: &[Role::Guard],
        };
        sync_tablet(&hub, id, &mut guard, writer, &mut tablet).await;
        assert_eq!(
            guard.doc.get_heads(),
            elsewhere.get_heads(),
            "no second stamp"
        );
    }

    /// In a request log only workflow events take receipts: a tablet writes
    /// a request's own `received_at` (when the call came in) freely, but a
    /// `received_at` on an event is a forged receipt.
    #[test]
    fn only_receipted_records_can_have_their_receipts_forged() {
        use roundbook_shared::fixtures::requests::{event_on, intake};
        use roundbook_shared::fixtures::AT;
        use roundbook_shared::schema::request::{
            put_request, put_request_event, Action, RequestKind,
        };

        let seal = roundbook_shared::fixtures::seal();
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let mut log = DocKey::request_log("demo", "A", day).genesis();
        let before = log.get_heads();
        put_request(&mut log, &intake("req-1", RequestKind::Complaint)).unwrap();
        put_request_event(&mut log, &event_on("req-1", "ev-1", Action::Assign, AT)).unwrap();
        assert!(!forges_receipts(&log, DocKind::RequestLog, &before, &seal));

        let heads = log.get_heads();
        let (_, events) = log.get(automerge::ROOT, "request_events").unwrap().unwrap();
        let (_, event) = log.get(&events, "ev-1").unwrap().unwrap();
        let mut tx = log.transaction();
        tx.put(&event, RECEIVED_AT, 1_i64).unwrap();
        tx.commit();
        assert!(forges_receipts(&log, DocKind::RequestLog, &heads, &seal));
    }
}

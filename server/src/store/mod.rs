//! Durable storage behind one trait: accounts, sessions, the document catalog,
//! document chunks, and photo blobs with their partial uploads. SQLite is the
//! embedded default; PostgreSQL implements the same trait so that several
//! servers can share one database.
//!
//! Methods block: callers run them on tokio's blocking pool. A method returns
//! only after its write is committed durably, because the sync layer
//! acknowledges a change to a tablet as soon as `append_chunk` returns.
//! Nothing here checks permissions: that is `access`'s job; nothing here holds
//! documents in memory: that is `hub`'s.
//!
//! ## Chunks and their sequence numbers
//!
//! A document is stored as chunks (snapshots and incremental saves), each with
//! a sequence number ([`ChunkSeq`]) that grows with every write. Writes to one
//! document are serialized, so a document's chunks commit in the order of
//! their numbers, and "every chunk of the document up to N" is a precise
//! statement of what a reader holds. Two rules follow, and both backends keep
//! them:
//!
//! - a reader that holds everything up to N catches up by reading the chunks
//!   after N ([`Store::chunks_after`]);
//! - compaction replaces only the chunks up to the number the caller had read
//!   (`covers`), never a chunk written after it by this or another server.

mod columns;
pub mod migrations;
pub mod postgres;
pub mod sqlite;

use std::fmt;

use roundbook_shared::api::{AuditEntry, DeviceEntry, ZoneEntry};
use roundbook_shared::domain::{Role, SiteInfo, ZoneRef};
use roundbook_shared::ids::DocumentId;
use roundbook_shared::schema::{DocKey, DocKind};

#[derive(thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The database was migrated by a newer release: opening it would
    /// misread or damage what that release wrote.
    #[error(
        "the database is at schema version {found}, newer than this server knows \
         (it supports versions up to {supported}): a newer release has migrated it. \
         Nothing was changed; upgrade the server or restore the backup made before that \
         upgrade (see docs/upgrades.md)"
    )]
    TooNew {
        found: migrations::SchemaVersion,
        supported: migrations::SchemaVersion,
    },
}

/// As its message: `main` returns store errors, and Rust prints a failed
/// `main`'s error with `Debug`, which an operator must be able to read.
impl fmt::Debug for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A staff account as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Account {
    pub username: String,
    pub display_name: String,
    pub site: String,
    /// PHC string of an Argon2id hash.
    pub password_hash: String,
    pub roles: Vec<Role>,
    /// Zones assigned by name; supervisors' access is widened by `access`.
    pub zones: Vec<String>,
    /// Personal data: only `/api/admin` answers it.
    pub phone: Option<String>,
    /// Unix ms at which the office disabled the account; it signs in no more.
    pub disabled_at: Option<i64>,
    /// Set by a password reset: every call but changing it is refused.
    pub must_change_password: bool,
}

/// A new session: who signed in, from which device, until when.
#[derive(Debug, Clone, Copy)]
pub struct NewSession<'a> {
    /// SHA-256 of the bearer token (the token itself is never stored).
    pub token_hash: &'a [u8],
    pub username: &'a str,
    pub expires_unix: i64,
    /// What the tablet calls itself, for the office head's device list.
    pub device: &'a str,
    pub now_ms: i64,
}

/// A live session as its token finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSession {
    /// The opaque id the device list shows (not the token).
    pub id: String,
    pub username: String,
    pub device: String,
    /// Unix ms of the last request or sync check seen on it.
    pub last_seen: i64,
}

/// Why a session was ended by someone other than its holder. Such a
/// session is kept (not deleted), so its token can be told apart from an
/// expired or signed-out one (`signed_out_remotely`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// The account was disabled.
    Disabled,
    /// The office head signed the device out.
    SignedOut,
    /// The office head reset the password.
    PasswordReset,
    /// The user changed their password on another device.
    PasswordChanged,
}

impl SessionEnd {
    /// The text stored in `sessions.ended_reason`.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionEnd::Disabled => "disabled",
            SessionEnd::SignedOut => "signed_out",
            SessionEnd::PasswordReset => "password_reset",
            SessionEnd::PasswordChanged => "password_changed",
        }
    }
}

/// Sessions a password change ends: every one of the user's, for `reason`,
/// except `keep` (the session that changed it).
#[derive(Debug, Clone, Copy)]
pub struct EndSessions<'a> {
    pub reason: SessionEnd,
    pub keep: Option<&'a [u8]>,
}

/// A password to store for a user: its hash, whether it must be changed at
/// once (a one-time password), and which sessions the change ends.
#[derive(Debug, Clone, Copy)]
pub struct NewPassword<'a> {
    pub username: &'a str,
    pub password_hash: &'a str,
    pub must_change: bool,
    pub end: EndSessions<'a>,
}

impl<'a> NewPassword<'a> {
    /// A password the user chose (or that nobody knows): it ends their
    /// other sessions, all but `keep`.
    pub fn chosen(username: &'a str, password_hash: &'a str, keep: Option<&'a [u8]>) -> Self {
        let end = EndSessions {
            reason: SessionEnd::PasswordChanged,
            keep,
        };
        Self {
            username,
            password_hash,
            must_change: false,
            end,
        }
    }

    /// A one-time password the office head issued: to be changed at the
    /// next sign-in; it ends every session of the user.
    pub fn one_time(username: &'a str, password_hash: &'a str) -> Self {
        let end = EndSessions {
            reason: SessionEnd::PasswordReset,
            keep: None,
        };
        Self {
            username,
            password_hash,
            must_change: true,
            end,
        }
    }
}

/// One row of the audit trail, written in the same transaction as the
/// action it records. Rows are only ever added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audit {
    pub site: String,
    /// The acting user, the device of their session, and the server's
    /// clock (unix ms).
    pub actor: String,
    pub device: String,
    pub at: i64,
    pub action: String,
    pub target: String,
    pub detail: String,
}

/// Sizes of a document's stored chunks, for the compaction rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChunkSizes {
    pub snapshot_bytes: usize,
    pub incremental_bytes: usize,
}

/// A photo blob as seen from one zone: blobs are shared by content, but each
/// zone that uploaded one has its own registration, and only a zone's
/// registration makes the blob readable there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobRef {
    pub site: String,
    pub zone: String,
    /// Lowercase hex SHA-256 of the bytes (checked by the caller).
    pub hash: String,
}

/// Where an upload of a blob to a zone stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadState {
    /// Complete and registered for the zone; `size` bytes.
    Complete { size: u64 },
    /// `received` bytes held so far of a declared `total` (0 of 0: nothing yet).
    Partial { received: u64, total: u64 },
}

/// Who offers a part, and what their partial uploads are held to.
#[derive(Debug, Clone, Copy)]
pub struct Uploader<'a> {
    /// The signed-in user: an upload in progress is theirs alone.
    pub username: &'a str,
    /// The server's clock, unix seconds (passed in, so tests can move it).
    pub now_unix: i64,
    pub limits: UploadLimits,
}

/// Limits on uploads in progress, so no client can park unbounded bytes on
/// the server (see `blobs` for the defaults and why).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadLimits {
    /// Bytes one user's uploads in progress may hold, each counted by its
    /// declared total from its first part on (so an admitted upload can
    /// always finish).
    pub quota_bytes: u64,
    /// An upload untouched (no part stored) for longer than this is deleted
    /// when the next upload starts (a part at offset 0), by anyone.
    pub expire_after_secs: i64,
    /// Bytes of complete photos one site may hold; a new upload that would
    /// pass it is refused before any byte is stored.
    pub site_quota_bytes: u64,
}

impl Uploader<'_> {
    /// Uploads last touched before this are expired.
    pub(crate) fn expired_before(&self) -> i64 {
        self.now_unix.saturating_sub(self.limits.expire_after_secs)
    }
}

/// A part offered for an upload: `bytes` at `offset` of an upload that
/// declares `total` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part<'a> {
    pub offset: u64,
    pub total: u64,
    pub bytes: &'a [u8],
}

/// What happened to a part offered for an upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartOutcome {
    /// Stored durably; the upload now holds `received` bytes.
    Appended { received: u64 },
    /// The part does not start where the upload stands; nothing stored.
    OffsetMismatch { received: u64 },
    /// The part declares another total than the upload in progress: the
    /// partial upload was discarded, so the client starts again from 0.
    TotalChanged,
    /// The blob is already complete for this zone; nothing stored.
    AlreadyComplete { size: u64 },
    /// Another user is uploading this blob to the zone; nothing stored or
    /// discarded.
    NotYours,
    /// Starting this upload would take the user's uploads in progress past
    /// the quota: they hold `held` bytes (declared totals); nothing stored.
    OverQuota { held: u64, quota: u64 },
}

/// An upload in progress as a store holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HeldUpload {
    /// Who is uploading; `None` for an upload begun before uploads had
    /// owners (schema version 2): the next part's sender takes it on.
    pub owner: Option<String>,
    pub total: u64,
    pub received: u64,
}

/// A chunk's sequence number: increasing with every write to the database.
/// 0 stands before the first chunk.
pub type ChunkSeq = i64;

/// Chunk sequence numbers as a record copy's column keeps them.
pub(crate) fn seqs_text(seqs: &[ChunkSeq]) -> String {
    seqs.iter()
        .map(ChunkSeq::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// A document's chunks read after some sequence number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Chunks {
    /// Snapshots first, then incremental chunks, each in write order.
    pub bytes: Vec<Vec<u8>>,
    /// The highest sequence number the read saw (or the one it started
    /// after, if it saw nothing): a reader that held everything up to that
    /// start and loads `bytes` holds everything up to `through`.
    pub through: ChunkSeq,
}

/// What a chunk write did, so the writer can tell whether its live copy is
/// still complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// The new chunk's sequence number.
    pub seq: ChunkSeq,
    /// The document's highest sequence number just before the write (0 if it
    /// had no chunk). If the writer held everything up to it, it now holds
    /// everything up to `seq`; if not, another server wrote in between.
    pub after: ChunkSeq,
    /// The document's chunk sizes after the write, whoever wrote them.
    pub sizes: ChunkSizes,
}

/// What a chunk write stores (see [`Store::write_chunk`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkWrite {
    /// An incremental chunk.
    Incremental,
    /// A snapshot that brings content of its own and replaces nothing.
    Snapshot,
    /// A compaction snapshot: it folds every chunk up to `covers`, and
    /// replaces exactly those.
    Compaction { covers: ChunkSeq },
}

impl ChunkWrite {
    pub fn is_snapshot(self) -> bool {
        self != ChunkWrite::Incremental
    }

    /// The chunks the write deletes: those up to this number.
    pub fn covers(self) -> Option<ChunkSeq> {
        match self {
            ChunkWrite::Compaction { covers } => Some(covers),
            ChunkWrite::Incremental | ChunkWrite::Snapshot => None,
        }
    }
}

/// News from the database about documents another server changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Elsewhere {
    /// Another server wrote chunk `seq` of document `id`.
    Changed { id: DocumentId, seq: ChunkSeq },
    /// News may have been lost (the listening connection dropped and was
    /// made again): every live document must be read again.
    Missed,
}

/// Where [`Elsewhere`] news arrives. A backend without other writers ends
/// the feed at once.
pub type ElsewhereFeed = tokio::sync::mpsc::UnboundedReceiver<Elsewhere>;

impl UploadState {
    /// Where an upload stands, from what a store holds: complete if the blob
    /// is `registered` for the zone (with its size), else `held`'s bytes, or
    /// nothing.
    pub(crate) fn of(registered: Option<u64>, held: Option<HeldUpload>) -> UploadState {
        if let Some(size) = registered {
            return UploadState::Complete { size };
        }
        let (total, received) = held.map_or((0, 0), |held| (held.total, held.received));
        UploadState::Partial { received, total }
    }
}

/// What a store does with a part offered for an upload: the one rule both
/// backends apply inside their transaction, from what they hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PartStep {
    /// Store nothing and answer this.
    Answer(PartOutcome),
    /// Drop the partial upload (it declared another total) and answer
    /// [`PartOutcome::TotalChanged`].
    Discard,
    /// Store the part; the upload then holds `received` bytes.
    Append { received: u64 },
}

/// `registered`: the blob's size if it is complete for the zone; `held`: the
/// upload in progress, if there is one; `reserved`: the declared totals of
/// the uploader's other uploads in progress (read only for a new upload).
pub(crate) fn part_step(
    registered: Option<u64>,
    held: Option<&HeldUpload>,
    uploader: &Uploader<'_>,
    reserved: impl FnOnce() -> StoreResult<u64>,
    part: &Part<'_>,
) -> StoreResult<PartStep> {
    let Part {
        offset,
        total,
        bytes,
    } = *part;
    if let Some(size) = registered {
        return Ok(PartStep::Answer(PartOutcome::AlreadyComplete { size }));
    }
    if let Some(held) = held {
        // Before anything else: another user's part must change nothing,
        // not even discard the upload by declaring another total.
        if held
            .owner
            .as_deref()
            .is_some_and(|owner| owner != uploader.username)
        {
            return Ok(PartStep::Answer(PartOutcome::NotYours));
        }
        if held.total != total {
            return Ok(PartStep::Discard);
        }
    }
    let received = held.map_or(0, |held| held.received);
    if offset != received {
        return Ok(PartStep::Answer(PartOutcome::OffsetMismatch { received }));
    }
    if held.is_none() {
        let held = reserved()?;
        let quota = uploader.limits.quota_bytes;
        if held.saturating_add(total) > quota {
            return Ok(PartStep::Answer(PartOutcome::OverQuota { held, quota }));
        }
    }
    Ok(PartStep::Append {
        received: received + bytes.len() as u64,
    })
}

pub trait Store: Send + Sync + 'static {
    /// Brings the schema to this binary's version (`migrations`): creates
    /// the tables, or runs the steps an older database lacks. Safe to run at
    /// every start, by several servers at once. Refuses a database a newer
    /// release migrated ([`StoreError::TooNew`]), changing nothing.
    fn migrate(&self) -> StoreResult<migrations::Migrated>;

    /// Answers a trivial query, for `/healthz`: the database is reachable
    /// and this server's connection to it works. Reads and writes nothing.
    fn health_check(&self) -> StoreResult<()>;

    /// The secret called `name`: made (32 random bytes) by the first server
    /// that asks, then the same for every server on this database and in
    /// every backup of it.
    fn secret(&self, name: &str) -> StoreResult<Vec<u8>>;

    /// Until when (Unix ms) sign-ins against either key are locked; 0 if
    /// neither is.
    fn sign_in_locked_until(&self, keys: [&str; 2]) -> StoreResult<i64>;
    /// Counts a failed sign-in against `key` and returns its count: one more
    /// than before, or 1 if the last failure was more than `window_ms` ago.
    /// Rows untouched for a day and no longer locked are removed.
    fn count_sign_in_failure(&self, key: &str, now_ms: i64, window_ms: i64) -> StoreResult<u32>;
    /// Locks sign-ins against `key` until `until_ms`.
    fn lock_sign_in(&self, key: &str, until_ms: i64) -> StoreResult<()>;
    /// Forgets the failures against `key` (a successful sign-in).
    fn clear_sign_in_failures(&self, key: &str) -> StoreResult<()>;

    fn site(&self, code: &str) -> StoreResult<Option<SiteInfo>>;
    /// Every site's code.
    fn site_codes(&self) -> StoreResult<Vec<String>>;
    /// Every zone of the site, retired ones too (they keep their records
    /// and reports), by code.
    fn zone_list(&self, site: &str) -> StoreResult<Vec<ZoneEntry>>;
    /// [`Store::zone_list`] without the retired flag.
    fn zones(&self, site: &str) -> StoreResult<Vec<ZoneRef>> {
        Ok(self
            .zone_list(site)?
            .into_iter()
            .map(|zone| ZoneRef {
                code: zone.code,
                name: zone.name,
            })
            .collect())
    }
    /// Adds a zone and its audit row; false (nothing written) if the site
    /// has a zone of that code.
    fn create_zone(&self, site: &str, zone: &ZoneEntry, audit: &Audit) -> StoreResult<bool>;
    /// Stores a zone's name and retired flag and the audit row; false
    /// (nothing written) if the site has no such zone.
    fn change_zone(&self, site: &str, zone: &ZoneEntry, audit: &Audit) -> StoreResult<bool>;
    fn put_site(&self, site: &SiteInfo, zones: &[ZoneRef]) -> StoreResult<()>;
    /// Stores a site and its zones unless the site exists, in one
    /// transaction; false if it existed. Servers seeding one database at
    /// once agree on which of them seeds.
    fn create_site(&self, site: &SiteInfo, zones: &[ZoneRef]) -> StoreResult<bool>;

    fn account(&self, username: &str) -> StoreResult<Option<Account>>;
    /// Stores an account whole (the demo seed's and tests' way).
    fn put_account(&self, account: &Account) -> StoreResult<()>;
    /// Every account of the site, disabled ones too, by username.
    fn accounts(&self, site: &str) -> StoreResult<Vec<Account>>;
    /// Adds an account and its audit row; false (nothing written) if the
    /// username is taken, on any site.
    fn create_account(&self, account: &Account, audit: &Audit) -> StoreResult<bool>;
    /// Stores an account's name, phone, roles and zones (not its password
    /// or state), a departure for each of `lost_zones` (zones it no longer
    /// reaches), and the audit row.
    fn change_account(
        &self,
        account: &Account,
        lost_zones: &[String],
        audit: &Audit,
    ) -> StoreResult<()>;
    /// Disables an account and ends each of its live sessions remotely
    /// ([`SessionEnd::Disabled`]), with the audit row; returns the token
    /// hashes of the sessions it ended.
    fn disable_account(&self, username: &str, audit: &Audit) -> StoreResult<Vec<Vec<u8>>>;
    /// Stores a new password hash and whether it must be changed at once,
    /// ends the user's other live sessions as `end` says, and writes the
    /// audit row; returns the token hashes of the sessions it ended.
    fn set_password(&self, new: NewPassword<'_>, audit: &Audit) -> StoreResult<Vec<Vec<u8>>>;
    /// Zones the user stopped reaching since `since_ms`, with when (unix ms).
    fn former_zones(&self, username: &str, since_ms: i64) -> StoreResult<Vec<(String, i64)>>;

    /// Stores a session under the SHA-256 of its token.
    fn create_session(&self, session: &NewSession<'_>) -> StoreResult<()>;
    /// A live session: unexpired, not signed out, not ended remotely.
    fn live_session(&self, token_hash: &[u8], now_unix: i64) -> StoreResult<Option<LiveSession>>;
    /// The username of a live session.
    fn session_user(&self, token_hash: &[u8], now_unix: i64) -> StoreResult<Option<String>> {
        Ok(self
            .live_session(token_hash, now_unix)?
            .map(|session| session.username))
    }
    /// `(username, ended_remotely_at)` if the office ended the session so
    /// that its tablet must forget the user (disabled, or the device signed
    /// out); `None` for a live, expired, signed-out or unknown one, and for
    /// one a password reset or change ended (its user just signs in again).
    fn ended_remotely(&self, token_hash: &[u8]) -> StoreResult<Option<(String, i64)>>;
    /// Records that the session was seen at `now_ms`, and what its device
    /// reported as not yet uploaded, if it did.
    fn touch_session(
        &self,
        token_hash: &[u8],
        now_ms: i64,
        pending: Option<u64>,
    ) -> StoreResult<()>;
    /// Live sessions of the site's accounts, as `(username, device)`, newest
    /// first.
    fn site_sessions(&self, site: &str, now_unix: i64) -> StoreResult<Vec<(String, DeviceEntry)>>;
    /// Ends the live session `id` of the audit row's site remotely, at the
    /// row's time, writing the row; returns its token hash, or `None`
    /// (nothing written) if the site has no such live session.
    fn end_session(
        &self,
        id: &str,
        reason: SessionEnd,
        audit: &Audit,
    ) -> StoreResult<Option<Vec<u8>>>;
    fn revoke_session(&self, token_hash: &[u8]) -> StoreResult<()>;

    /// Stores a one-time sign-in code (its SHA-256) for the audit row's
    /// target user, valid until `expires_ms`, with the row.
    fn issue_sign_in_code(&self, hash: &[u8], expires_ms: i64, audit: &Audit) -> StoreResult<()>;
    /// Uses a sign-in code: the username it was issued for, if it is
    /// unused and unexpired; it is used from then on, whatever follows.
    fn redeem_sign_in_code(&self, code_hash: &[u8], now_ms: i64) -> StoreResult<Option<String>>;

    /// The site's audit trail, newest first, at most `limit` rows.
    fn audit(&self, site: &str, limit: usize) -> StoreResult<Vec<AuditEntry>>;
    /// Writes one audit row for an action that changes nothing else (a
    /// search of a resident's data, its export).
    fn record_audit(&self, audit: &Audit) -> StoreResult<()>;

    /// What a document is, if the catalog knows it.
    fn document_key(&self, id: &DocumentId) -> StoreResult<Option<DocKey>>;
    fn register_document(&self, id: &DocumentId, key: &DocKey) -> StoreResult<()>;
    /// Catalogued documents of a site's zones; day documents only from `since` on.
    fn documents(
        &self,
        site: &str,
        days_since: chrono::NaiveDate,
        periods_since: chrono::NaiveDate,
    ) -> StoreResult<Vec<DocKey>>;

    /// Catalogued documents of `kind`, every site's, whose period starts
    /// before `before`: what retention looks at (`crate::retention`).
    fn documents_before(
        &self,
        kind: DocKind,
        before: chrono::NaiveDate,
    ) -> StoreResult<Vec<DocKey>>;
    /// Deletes a document whole, in one transaction: its chunks, its record
    /// copy and its catalog entry. Nothing of it is left to serve.
    fn delete_document(&self, id: &DocumentId) -> StoreResult<()>;

    /// Every stored chunk of the document: snapshots first, then incremental
    /// chunks, in write order.
    fn load_chunks(&self, id: &DocumentId) -> StoreResult<Vec<Vec<u8>>> {
        Ok(self.chunks_after(id, 0)?.bytes)
    }
    /// The chunks a reader that holds everything up to `after` lacks: those
    /// written after it, less the snapshots that only fold chunks up to
    /// `after` (nothing in them is new to the reader).
    fn chunks_after(&self, id: &DocumentId, after: ChunkSeq) -> StoreResult<Chunks>;
    /// Writes one chunk of the document durably, in one transaction with
    /// the deletion of the chunks it replaces (if any). The three writes
    /// below are this.
    fn write_chunk(&self, id: &DocumentId, bytes: &[u8], write: ChunkWrite)
        -> StoreResult<Written>;
    /// Appends an incremental chunk durably.
    fn append_chunk(&self, id: &DocumentId, bytes: &[u8]) -> StoreResult<Written> {
        self.write_chunk(id, bytes, ChunkWrite::Incremental)
    }
    /// Stores a snapshot that brings content of its own (a genesis, a seeded
    /// document) and replaces nothing.
    fn add_snapshot(&self, id: &DocumentId, snapshot: &[u8]) -> StoreResult<Written> {
        self.write_chunk(id, snapshot, ChunkWrite::Snapshot)
    }
    /// Compaction: stores `snapshot`, which holds every chunk of the document
    /// up to `covers`, and deletes exactly those chunks, in one transaction.
    /// Chunks written after `covers`, by this server or another, stay.
    fn replace_with_snapshot(
        &self,
        id: &DocumentId,
        snapshot: &[u8],
        covers: ChunkSeq,
    ) -> StoreResult<Written> {
        self.write_chunk(id, snapshot, ChunkWrite::Compaction { covers })
    }
    /// The document's stored chunks, by sequence number in order: the
    /// version a kept copy of its records is named by (every write adds a
    /// chunk; compaction replaces some with a new one).
    fn chunk_seqs(&self, id: &DocumentId) -> StoreResult<Vec<ChunkSeq>>;
    /// The kept copy of the document's records, if it was made from
    /// exactly `made_from` (see [`chunk_seqs`](Store::chunk_seqs)).
    fn record_copy(&self, id: &DocumentId, made_from: &[ChunkSeq]) -> StoreResult<Option<Vec<u8>>>;
    /// Keeps a copy of the document's records made from `chunks`, in place
    /// of any older one.
    fn put_record_copy(
        &self,
        id: &DocumentId,
        chunks: &[ChunkSeq],
        bytes: &[u8],
    ) -> StoreResult<()>;

    /// Starts listening for documents other servers change; call once, before
    /// documents are loaded into memory, so no change falls between a load and
    /// the listening. Only news of other servers' writes arrives.
    fn changes_elsewhere(&self) -> StoreResult<ElsewhereFeed>;

    /// How far an upload of `blob` to its zone has come, whoever uploads it.
    fn upload_state(&self, blob: &BlobRef) -> StoreResult<UploadState>;
    /// Appends a part of an upload in one committed transaction, if its
    /// offset is where the upload stands
    /// and the upload is the uploader's (or new, within their quota). A new
    /// upload claims the blob for the uploader until it completes, is
    /// discarded or expires. A part at offset 0 first deletes every upload
    /// that has expired (`UploadLimits::expire_after_secs`).
    fn append_upload_part(
        &self,
        blob: &BlobRef,
        uploader: &Uploader<'_>,
        part: Part<'_>,
    ) -> StoreResult<PartOutcome>;
    /// The bytes received so far of an upload, in order.
    fn upload_bytes(&self, blob: &BlobRef) -> StoreResult<Vec<u8>>;
    /// Drops a partial upload of `username`'s (or one without an owner).
    /// False if it is another user's: it stays.
    fn discard_upload(&self, blob: &BlobRef, username: &str) -> StoreResult<bool>;
    /// Stores a checked blob, registers it for the zone and drops the
    /// partial upload, in one committed transaction.
    fn commit_blob(&self, blob: &BlobRef, content_type: &str, bytes: &[u8]) -> StoreResult<()>;
    /// A blob's media type and bytes, if it is registered for the zone.
    fn blob(&self, blob: &BlobRef) -> StoreResult<Option<(String, Vec<u8>)>>;
    /// Bytes of the complete photos of `site`, each counted once.
    fn site_photo_bytes(&self, site: &str) -> StoreResult<u64>;
}

/// Whether `--db` names a PostgreSQL database (`postgres://…` or
/// `postgresql://…`) rather than a SQLite file.
pub fn is_postgres_address(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// A new session's opaque id: 128 random bits as hex. Not the token, and
/// nothing can be derived from it but the session it names.
pub(crate) fn new_session_id() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// Runs blocking store work off the async threads.
pub async fn run_blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| StoreError::Database(format!("storage task failed: {error}")))?
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: UploadLimits = UploadLimits {
        quota_bytes: 250,
        expire_after_secs: 60,
        site_quota_bytes: u64::MAX,
    };

    /// 10 bytes at `offset` of a 100-byte upload.
    fn part(offset: u64) -> Part<'static> {
        Part {
            offset,
            total: 100,
            bytes: &[0; 10],
        }
    }

    fn held(owner: Option<&str>, total: u64, received: u64) -> HeldUpload {
        HeldUpload {
            owner: owner.map(str::to_owned),
            total,
            received,
        }
    }

    /// A part of 10 bytes of a 100-byte upload from `guard-a`, who reserved
    /// 100 bytes elsewhere.
    fn step(registered: Option<u64>, held: Option<&HeldUpload>, offset: u64) -> PartStep {
        let uploader = Uploader {
            username: "guard-a",
            now_unix: 1_000,
            limits: LIMITS,
        };
        part_step(registered, held, &uploader, || Ok(100), &part(offset)).unwrap()
    }

    #[test]
    fn a_part_is_appended_only_where_the_upload_stands() {
        let mine = |total, received| held(Some("guard-a"), total, received);
        assert_eq!(
            step(Some(100), None, 0),
            PartStep::Answer(PartOutcome::AlreadyComplete { size: 100 })
        );
        assert_eq!(step(None, None, 0), PartStep::Append { received: 10 });
        assert_eq!(
            step(None, Some(&mine(100, 30)), 30),
            PartStep::Append { received: 40 }
        );
        assert_eq!(
            step(None, Some(&mine(100, 30)), 20),
            PartStep::Answer(PartOutcome::OffsetMismatch { received: 30 })
        );
        assert_eq!(
            step(None, None, 10),
            PartStep::Answer(PartOutcome::OffsetMismatch { received: 0 })
        );
        assert_eq!(
            step(None, Some(&mine(90, 30)), 30),
            PartStep::Discard,
            "another total"
        );
    }

    #[test]
    fn another_users_upload_is_left_alone() {
        let theirs = held(Some("guard-a2"), 100, 30);
        for (total_held, offset) in [(100, 30), (100, 0), (90, 0)] {
            let theirs = HeldUpload {
                total: total_held,
                ..theirs.clone()
            };
            assert_eq!(
                step(None, Some(&theirs), offset),
                PartStep::Answer(PartOutcome::NotYours),
                "{total_held} {offset}"
            );
        }
        // Complete is complete, for anyone in the zone.
        assert_eq!(
            step(Some(100), Some(&theirs), 0),
            PartStep::Answer(PartOutcome::AlreadyComplete { size: 100 })
        );
        // An upload from before owners is taken on by whoever continues it.
        assert_eq!(
            step(None, Some(&held(None, 100, 30)), 30),
            PartStep::Append { received: 40 }
        );
    }

    #[test]
    fn only_a_new_upload_is_held_to_the_quota() {
        let uploader = |quota_bytes| Uploader {
            username: "guard-a",
            now_unix: 1_000,
            limits: UploadLimits {
                quota_bytes,
                ..LIMITS
            },
        };
        let new = |quota, reserved| {
            part_step(None, None, &uploader(quota), || Ok(reserved), &part(0)).unwrap()
        };
        assert_eq!(new(250, 150), PartStep::Append { received: 10 });
        assert_eq!(
            new(250, 151),
            PartStep::Answer(PartOutcome::OverQuota {
                held: 151,
                quota: 250
            })
        );
        let continued = part_step(
            None,
            Some(&held(Some("guard-a"), 100, 30)),
            &uploader(0),
            || panic!("not read for an upload already admitted"),
            &part(30),
        )
        .unwrap();
        assert_eq!(continued, PartStep::Append { received: 40 });
    }
}

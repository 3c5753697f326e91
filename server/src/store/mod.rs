//! Durable storage behind one trait: accounts, sessions, the document catalog,
//! document chunks, and photo blobs with their partial uploads. SQLite is the embedded default; PostgreSQL (for several
//! servers) implements the same trait.
//!
//! Methods block: callers run them on tokio's blocking pool. A method returns
//! only after its write is committed durably, because the sync layer
//! acknowledges a change to a tablet as soon as `append_chunk` returns.
//! Nothing here checks permissions: that is `access`'s job.

pub mod sqlite;

use roundbook_shared::domain::{Role, SiteInfo, ZoneRef};
use roundbook_shared::ids::DocumentId;
use roundbook_shared::schema::DocKey;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A staff account as stored.
#[derive(Debug, Clone)]
pub struct Account {
    pub username: String,
    pub display_name: String,
    pub site: String,
    /// PHC string of an Argon2id hash.
    pub password_hash: String,
    pub roles: Vec<Role>,
    /// Zones assigned by name; supervisors' access is widened by `access`.
    pub zones: Vec<String>,
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
}

pub trait Store: Send + Sync + 'static {
    /// Creates tables if needed.
    fn migrate(&self) -> StoreResult<()>;

    fn site(&self, code: &str) -> StoreResult<Option<SiteInfo>>;
    fn zones(&self, site: &str) -> StoreResult<Vec<ZoneRef>>;
    fn put_site(&self, site: &SiteInfo, zones: &[ZoneRef]) -> StoreResult<()>;

    fn account(&self, username: &str) -> StoreResult<Option<Account>>;
    fn put_account(&self, account: &Account) -> StoreResult<()>;

    /// Stores a session under the SHA-256 of its token.
    fn create_session(
        &self,
        token_hash: &[u8],
        username: &str,
        expires_unix: i64,
    ) -> StoreResult<()>;
    /// The username of a live (unexpired, unrevoked) session.
    fn session_user(&self, token_hash: &[u8], now_unix: i64) -> StoreResult<Option<String>>;
    fn revoke_session(&self, token_hash: &[u8]) -> StoreResult<()>;

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

    /// The snapshot (if any) followed by incremental chunks, in write order.
    fn load_chunks(&self, id: &DocumentId) -> StoreResult<Vec<Vec<u8>>>;
    /// Appends an incremental chunk durably; returns the sizes after it.
    fn append_chunk(&self, id: &DocumentId, bytes: &[u8]) -> StoreResult<ChunkSizes>;
    /// Replaces every chunk of the document with one snapshot, atomically.
    fn replace_with_snapshot(&self, id: &DocumentId, snapshot: &[u8]) -> StoreResult<()>;

    /// How far an upload of `blob` to its zone has come.
    fn upload_state(&self, blob: &BlobRef) -> StoreResult<UploadState>;
    /// Appends `bytes` at `offset` of an upload declaring `total` bytes, in
    /// one committed transaction, if the offset is where the upload stands.
    fn append_upload_part(
        &self,
        blob: &BlobRef,
        offset: u64,
        total: u64,
        bytes: &[u8],
    ) -> StoreResult<PartOutcome>;
    /// The bytes received so far of an upload, in order.
    fn upload_bytes(&self, blob: &BlobRef) -> StoreResult<Vec<u8>>;
    /// Drops a partial upload.
    fn discard_upload(&self, blob: &BlobRef) -> StoreResult<()>;
    /// Stores a checked blob, registers it for the zone and drops the
    /// partial upload, in one committed transaction.
    fn commit_blob(&self, blob: &BlobRef, content_type: &str, bytes: &[u8]) -> StoreResult<()>;
    /// A blob's media type and bytes, if it is registered for the zone.
    fn blob(&self, blob: &BlobRef) -> StoreResult<Option<(String, Vec<u8>)>>;
}

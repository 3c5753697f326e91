//! The tablet's durable storage: the IndexedDB database `roundbook`.
//!
//! Object stores (all keyed by text):
//! - `session`: `"current"` → the signed-in session as JSON.
//! - `device`: `"id"` → this tablet's device id, made once and kept;
//!   `"users"` → JSON list of the users who signed in on this tablet and
//!   have not been forgotten (see [`crate::wipe`]).
//! - `chunks`: `"<document id>/<seq>"` → bytes. Each document is at most one
//!   snapshot followed by incremental chunks, in `seq` order.
//! - `chunk_index`: `"<document id>"` → `[snapshot bytes, incremental bytes, next seq]`,
//!   so an append knows when to compact without reading the chunks.
//! - `sync_meta`: `"<document id>"` → the heads the server acknowledged
//!   (32-byte hashes, concatenated).
//! - `blobs` (since version 2): `"<sha-256 hex>"` → a photo:
//!   `{bytes: Uint8Array, zone, media_type, uploaded: bool, created_at: ms}`.
//! - `blob_queue` (since version 2): `"<sha-256 hex>"` → zone, for each blob
//!   not yet confirmed by the server, so the upload queue and its count never
//!   read photo bytes. Written in the same transaction as `blobs`.
//!
//! Every write awaits its transaction's completion before returning, so a
//! caller that says "saved" after it is telling the truth. This module stores
//! bytes and strings only: it does not know Automerge or decide what to keep,
//! and it never deletes a document's chunks except while replacing them with
//! a snapshot in the same transaction. Blob bytes are never deleted. The one
//! exception to both is [`Storage::delete_document`] and
//! [`Storage::delete_blob`], called only by [`crate::wipe`] when the office
//! signed a user out remotely, by its rule.

use indexed_db_futures::database::{Database, ObjectStoreName};
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{Transaction, TransactionMode};
use indexed_db_futures::KeyRange;
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

use roundbook_shared::compaction::should_compact;

/// The database's name. Fixed: renaming it would orphan every tablet's data.
pub const DB_NAME: &str = "roundbook";
/// 2 added `blobs` and `blob_queue`; the upgrade only creates missing stores.
const DB_VERSION: u32 = 2;

const SESSION: &str = "session";
const DEVICE: &str = "device";
const CHUNKS: &str = "chunks";
const CHUNK_INDEX: &str = "chunk_index";
const SYNC_META: &str = "sync_meta";
const BLOBS: &str = "blobs";
const BLOB_QUEUE: &str = "blob_queue";
const STORES: [&str; 7] = [
    SESSION,
    DEVICE,
    CHUNKS,
    CHUNK_INDEX,
    SYNC_META,
    BLOBS,
    BLOB_QUEUE,
];

const CURRENT: &str = "current";
const DEVICE_ID: &str = "id";
const TABLET_USERS: &str = "users";

/// Why storage failed. Shown to users only as "could not save".
#[derive(Debug, Clone)]
pub struct StorageError(pub String);

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "storage: {}", self.0)
    }
}

impl From<indexed_db_futures::error::Error> for StorageError {
    fn from(error: indexed_db_futures::error::Error) -> Self {
        StorageError(error.to_string())
    }
}

impl From<indexed_db_futures::error::OpenDbError> for StorageError {
    fn from(error: indexed_db_futures::error::OpenDbError) -> Self {
        StorageError(error.to_string())
    }
}

pub type Result<T> = std::result::Result<T, StorageError>;

/// Sizes kept per document to decide compaction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChunkSizes {
    pub snapshot: usize,
    pub incremental: usize,
    next_seq: u64,
}

impl ChunkSizes {
    /// True when the incremental chunks have outgrown the snapshot.
    pub fn should_compact(&self) -> bool {
        should_compact(self.snapshot, self.incremental)
    }

    fn to_js(self) -> JsValue {
        Array::of3(
            &(self.snapshot as f64).into(),
            &(self.incremental as f64).into(),
            &(self.next_seq as f64).into(),
        )
        .into()
    }

    fn from_js(value: Option<JsValue>) -> ChunkSizes {
        let Some(array) = value
            .filter(Array::is_array)
            .map(|value| Array::from(&value))
        else {
            return ChunkSizes::default();
        };
        let number = |i| array.get(i).as_f64().unwrap_or(0.0);
        ChunkSizes {
            snapshot: number(0) as usize,
            incremental: number(1) as usize,
            next_seq: number(2) as u64,
        }
    }
}

/// A photo kept on the tablet, named by the SHA-256 of `bytes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBlob {
    pub bytes: Vec<u8>,
    /// The zone whose records refer to it (uploads go to that zone).
    pub zone: String,
    pub media_type: String,
    /// The server confirmed it holds the whole blob.
    pub uploaded: bool,
    /// When this tablet stored it, Unix ms.
    pub created_at: i64,
}

impl StoredBlob {
    fn to_js(&self) -> JsValue {
        let object = Object::new();
        let set = |name: &str, value: JsValue| {
            // Setting a property on a fresh plain object cannot fail.
            let _ = Reflect::set(&object, &name.into(), &value);
        };
        set("bytes", Uint8Array::from(&self.bytes[..]).into());
        set("zone", self.zone.as_str().into());
        set("media_type", self.media_type.as_str().into());
        set("uploaded", self.uploaded.into());
        set("created_at", (self.created_at as f64).into());
        object.into()
    }

    fn from_js(value: &JsValue) -> Option<StoredBlob> {
        let field = |name: &str| Reflect::get(value, &name.into()).ok();
        let bytes = field("bytes").filter(|bytes| bytes.is_instance_of::<Uint8Array>())?;
        Some(StoredBlob {
            bytes: Uint8Array::new(&bytes).to_vec(),
            zone: field("zone")?.as_string()?,
            media_type: field("media_type")?.as_string()?,
            uploaded: field("uploaded")?.as_bool()?,
            created_at: field("created_at")?.as_f64()? as i64,
        })
    }
}

/// An open handle on the database. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Storage {
    db: Database,
}

impl Storage {
    /// Opens (and on first use creates) the database.
    pub async fn open() -> Result<Storage> {
        Self::open_named(DB_NAME).await
    }

    /// Opens a database of another name (tests use throwaway ones).
    pub async fn open_named(name: &str) -> Result<Storage> {
        let db = Database::open(name)
            .with_version(DB_VERSION)
            .with_on_upgrade_needed(|_event, db| {
                let existing: Vec<String> = db.object_store_names().collect();
                for store in STORES {
                    if !existing.iter().any(|name| name == store) {
                        db.create_object_store(store).build()?;
                    }
                }
                Ok(())
            })
            .await?;
        Ok(Storage { db })
    }

    /// Closes the connection (tests reopen to prove data survives).
    #[cfg(test)]
    pub fn close(self) {
        self.db.close();
    }

    /// A read-write transaction over `stores`; its writes land together on
    /// `commit`, or not at all.
    fn writing<S: ObjectStoreName>(&self, stores: S) -> Result<Transaction<'_>> {
        Ok(self
            .db
            .transaction(stores)
            .with_mode(TransactionMode::Readwrite)
            .build()?)
    }

    async fn get(&self, store: &str, key: &str) -> Result<Option<JsValue>> {
        let tx = self.db.transaction(store).build()?;
        let value: Option<JsValue> = tx.object_store(store)?.get(key).primitive()?.await?;
        Ok(value.filter(|value| !value.is_undefined()))
    }

    async fn put(&self, store: &str, key: &str, value: &JsValue) -> Result<()> {
        let tx = self.writing(store)?;
        tx.object_store(store)?
            .put(value)
            .with_key(key)
            .primitive()?;
        tx.commit().await?;
        Ok(())
    }

    async fn delete(&self, store: &str, key: &str) -> Result<()> {
        let tx = self.writing(store)?;
        tx.object_store(store)?.delete(key).primitive()?;
        tx.commit().await?;
        Ok(())
    }

    // ---- session ----

    /// The stored session (JSON), if someone is signed in on this tablet.
    pub async fn session(&self) -> Result<Option<String>> {
        Ok(self
            .get(SESSION, CURRENT)
            .await?
            .and_then(|v| v.as_string()))
    }

    pub async fn save_session(&self, json: &str) -> Result<()> {
        self.put(SESSION, CURRENT, &json.into()).await
    }

    /// Forgets the session only; documents and their sync state stay.
    pub async fn clear_session(&self) -> Result<()> {
        self.delete(SESSION, CURRENT).await
    }

    // ---- device ----

    /// This tablet's id, created with `make` on first use and kept forever.
    pub async fn device_id(&self, make: impl FnOnce() -> String) -> Result<String> {
        if let Some(id) = self
            .get(DEVICE, DEVICE_ID)
            .await?
            .and_then(|v| v.as_string())
        {
            return Ok(id);
        }
        let id = make();
        self.put(DEVICE, DEVICE_ID, &id.as_str().into()).await?;
        Ok(id)
    }

    /// The users remembered on this tablet (JSON), if any.
    pub async fn tablet_users(&self) -> Result<Option<String>> {
        Ok(self
            .get(DEVICE, TABLET_USERS)
            .await?
            .and_then(|v| v.as_string()))
    }

    pub async fn save_tablet_users(&self, json: &str) -> Result<()> {
        self.put(DEVICE, TABLET_USERS, &json.into()).await
    }

    // ---- document chunks ----

    /// The id of every document with chunks on this tablet.
    pub async fn stored_documents(&self) -> Result<Vec<String>> {
        let tx = self.db.transaction(CHUNK_INDEX).build()?;
        let keys: Vec<JsValue> = tx
            .object_store(CHUNK_INDEX)?
            .get_all_keys()
            .primitive()?
            .await?
            .collect::<std::result::Result<_, _>>()?;
        Ok(keys.into_iter().filter_map(|key| key.as_string()).collect())
    }

    /// Deletes a document's chunks, sizes and acknowledged heads, in one
    /// transaction. Only for [`crate::wipe`].
    pub async fn delete_document(&self, doc: &str) -> Result<()> {
        let tx = self.writing([CHUNKS, CHUNK_INDEX, SYNC_META])?;
        tx.object_store(CHUNKS)?
            .delete::<String, _>(chunk_range(doc))
            .primitive()?;
        tx.object_store(CHUNK_INDEX)?.delete(doc).primitive()?;
        tx.object_store(SYNC_META)?.delete(doc).primitive()?;
        tx.commit().await?;
        Ok(())
    }

    /// A document's chunks in order (a snapshot first, if any); empty if unknown.
    pub async fn load_chunks(&self, doc: &str) -> Result<Vec<Vec<u8>>> {
        let tx = self.db.transaction(CHUNKS).build()?;
        let values: Vec<JsValue> = tx
            .object_store(CHUNKS)?
            .get_all()
            .with_query::<String, _>(chunk_range(doc))
            .primitive()?
            .await?
            .collect::<std::result::Result<_, _>>()?;
        Ok(values
            .into_iter()
            .map(|value| Uint8Array::new(&value).to_vec())
            .collect())
    }

    /// Appends an incremental chunk and returns the document's sizes after it.
    pub async fn append_chunk(&self, doc: &str, bytes: &[u8]) -> Result<ChunkSizes> {
        let tx = self.writing([CHUNKS, CHUNK_INDEX])?;
        let index = tx.object_store(CHUNK_INDEX)?;
        let current: Option<JsValue> = index.get(doc).primitive()?.await?;
        let mut sizes = ChunkSizes::from_js(current);
        tx.object_store(CHUNKS)?
            .put(JsValue::from(Uint8Array::from(bytes)))
            .with_key(chunk_key(doc, sizes.next_seq))
            .primitive()?;
        sizes.incremental += bytes.len();
        sizes.next_seq += 1;
        index.put(sizes.to_js()).with_key(doc).primitive()?;
        tx.commit().await?;
        Ok(sizes)
    }

    /// Replaces every chunk of a document with one snapshot, in one
    /// transaction: either all old chunks are gone and the snapshot is there,
    /// or nothing changed.
    pub async fn replace_with_snapshot(&self, doc: &str, snapshot: &[u8]) -> Result<ChunkSizes> {
        let tx = self.writing([CHUNKS, CHUNK_INDEX])?;
        let index = tx.object_store(CHUNK_INDEX)?;
        let chunks = tx.object_store(CHUNKS)?;
        let current: Option<JsValue> = index.get(doc).primitive()?.await?;
        let old = ChunkSizes::from_js(current);
        chunks.delete::<String, _>(chunk_range(doc)).primitive()?;
        chunks
            .put(JsValue::from(Uint8Array::from(snapshot)))
            .with_key(chunk_key(doc, old.next_seq))
            .primitive()?;
        let sizes = ChunkSizes {
            snapshot: snapshot.len(),
            incremental: 0,
            next_seq: old.next_seq + 1,
        };
        index.put(sizes.to_js()).with_key(doc).primitive()?;
        tx.commit().await?;
        Ok(sizes)
    }

    /// The stored sizes of a document's chunks.
    #[cfg(test)]
    pub async fn chunk_sizes(&self, doc: &str) -> Result<ChunkSizes> {
        Ok(ChunkSizes::from_js(self.get(CHUNK_INDEX, doc).await?))
    }

    // ---- sync metadata ----

    /// The heads the server acknowledged for a document (raw 32-byte hashes).
    pub async fn acked_heads(&self, doc: &str) -> Result<Option<Vec<[u8; 32]>>> {
        Ok(self.get(SYNC_META, doc).await?.map(|value| {
            Uint8Array::new(&value)
                .to_vec()
                .chunks_exact(32)
                .map(|hash| hash.try_into().expect("chunks of 32"))
                .collect()
        }))
    }

    pub async fn save_acked_heads(&self, doc: &str, heads: &[[u8; 32]]) -> Result<()> {
        let bytes: Vec<u8> = heads.iter().flatten().copied().collect();
        self.put(SYNC_META, doc, &Uint8Array::from(&bytes[..]).into())
            .await
    }
}

impl Storage {
    // ---- photo blobs ----

    /// Stores a blob under its hash, durably. Storing one that is already
    /// there keeps the stored one (same hash, same bytes) and its upload state.
    pub async fn put_blob(&self, hash: &str, blob: &StoredBlob) -> Result<()> {
        let tx = self.writing([BLOBS, BLOB_QUEUE])?;
        let blobs = tx.object_store(BLOBS)?;
        let existing: Option<JsValue> = blobs.get(hash).primitive()?.await?;
        if existing.is_some_and(|value| !value.is_undefined()) {
            return Ok(());
        }
        blobs.put(blob.to_js()).with_key(hash).primitive()?;
        if !blob.uploaded {
            tx.object_store(BLOB_QUEUE)?
                .put(JsValue::from(blob.zone.as_str()))
                .with_key(hash)
                .primitive()?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A stored blob, if this tablet has it.
    pub async fn blob(&self, hash: &str) -> Result<Option<StoredBlob>> {
        Ok(self
            .get(BLOBS, hash)
            .await?
            .and_then(|value| StoredBlob::from_js(&value)))
    }

    /// The server confirmed the whole blob: it leaves the upload queue. The
    /// bytes stay.
    pub async fn mark_blob_uploaded(&self, hash: &str) -> Result<()> {
        let tx = self.writing([BLOBS, BLOB_QUEUE])?;
        let blobs = tx.object_store(BLOBS)?;
        let existing: Option<JsValue> = blobs.get(hash).primitive()?.await?;
        if let Some(mut blob) = existing.as_ref().and_then(StoredBlob::from_js) {
            blob.uploaded = true;
            blobs.put(blob.to_js()).with_key(hash).primitive()?;
        }
        tx.object_store(BLOB_QUEUE)?.delete(hash).primitive()?;
        tx.commit().await?;
        Ok(())
    }

    /// Every stored blob's hash and zone, reading one blob at a time.
    pub async fn blob_zones(&self) -> Result<Vec<(String, String)>> {
        let tx = self.db.transaction(BLOBS).build()?;
        let hashes: Vec<JsValue> = tx
            .object_store(BLOBS)?
            .get_all_keys()
            .primitive()?
            .await?
            .collect::<std::result::Result<_, _>>()?;
        drop(tx);
        let mut zones = Vec::new();
        for hash in hashes.into_iter().filter_map(|hash| hash.as_string()) {
            if let Some(blob) = self.blob(&hash).await? {
                zones.push((hash, blob.zone));
            }
        }
        Ok(zones)
    }

    /// Deletes a blob and its place in the upload queue. Only for [`crate::wipe`].
    pub async fn delete_blob(&self, hash: &str) -> Result<()> {
        let tx = self.writing([BLOBS, BLOB_QUEUE])?;
        tx.object_store(BLOBS)?.delete(hash).primitive()?;
        tx.object_store(BLOB_QUEUE)?.delete(hash).primitive()?;
        tx.commit().await?;
        Ok(())
    }

    /// Blobs waiting for upload: `(hash, zone)`, in hash order.
    pub async fn queued_blobs(&self) -> Result<Vec<(String, String)>> {
        let tx = self.db.transaction(BLOB_QUEUE).build()?;
        let store = tx.object_store(BLOB_QUEUE)?;
        let keys: Vec<JsValue> = store
            .get_all_keys()
            .primitive()?
            .await?
            .collect::<std::result::Result<_, _>>()?;
        let zones: Vec<JsValue> = store
            .get_all()
            .primitive()?
            .await?
            .collect::<std::result::Result<_, _>>()?;
        Ok(keys
            .into_iter()
            .zip(zones)
            .filter_map(|(hash, zone)| Some((hash.as_string()?, zone.as_string()?)))
            .collect())
    }
}

/// Chunk keys sort by sequence number: zero-padded so text order is numeric order.
fn chunk_key(doc: &str, seq: u64) -> String {
    format!("{doc}/{seq:016}")
}

/// Every chunk key of one document: `"<doc>/"` up to `"<doc>/~"` (`~` sorts after digits).
fn chunk_range(doc: &str) -> KeyRange<String> {
    KeyRange::Bound(format!("{doc}/"), false, format!("{doc}/~"), false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;
    use automerge::{Automerge, ReadDoc, ROOT};
    use wasm_bindgen_test::wasm_bindgen_test;

    /// A fresh database name per test, so runs and tests never share data.
    fn unique_name(test: &str) -> String {
        format!("roundbook-test-{test}-{}", uuid::Uuid::new_v4().simple())
    }

    fn load(chunks: &[Vec<u8>]) -> Automerge {
        let mut doc = Automerge::new();
        for chunk in chunks {
            doc.load_incremental(chunk).unwrap();
        }
        doc
    }

    fn edit(doc: &mut Automerge, key: &str, value: i64) {
        let mut tx = doc.transaction();
        tx.put(ROOT, key, value).unwrap();
        tx.commit();
    }

    #[wasm_bindgen_test]
    async fn chunks_round_trip_in_order() {
        let storage = Storage::open_named(&unique_name("chunks")).await.unwrap();
        let mut doc = Automerge::new();
        edit(&mut doc, "a", 1);
        let first = doc.save();
        let heads = doc.get_heads();
        edit(&mut doc, "b", 2);
        let second = doc.save_after(&heads);

        storage.replace_with_snapshot("doc1", &first).await.unwrap();
        let sizes = storage.append_chunk("doc1", &second).await.unwrap();
        assert_eq!(sizes.snapshot, first.len());
        assert_eq!(sizes.incremental, second.len());

        let chunks = storage.load_chunks("doc1").await.unwrap();
        assert_eq!(chunks, vec![first, second]);
        let loaded = load(&chunks);
        assert_eq!(loaded.get_heads(), doc.get_heads());
        assert!(loaded.get(ROOT, "b").unwrap().is_some());
        // Another document's chunks are separate.
        assert!(storage.load_chunks("doc").await.unwrap().is_empty());
        assert!(storage.load_chunks("doc10").await.unwrap().is_empty());
    }

    #[wasm_bindgen_test]
    async fn compaction_replaces_chunks_with_one_snapshot() {
        let storage = Storage::open_named(&unique_name("compact")).await.unwrap();
        let mut doc = Automerge::new();
        let mut saved = Vec::new();
        let mut sizes = ChunkSizes::default();
        for i in 0..12 {
            edit(&mut doc, &format!("k{i}"), i);
            let chunk = doc.save_after(&saved);
            saved = doc.get_heads();
            sizes = storage.append_chunk("doc", &chunk).await.unwrap();
        }
        assert_eq!(sizes.snapshot, 0);
        assert!(sizes.should_compact());
        assert_eq!(storage.load_chunks("doc").await.unwrap().len(), 12);

        let snapshot = doc.save();
        let sizes = storage
            .replace_with_snapshot("doc", &snapshot)
            .await
            .unwrap();
        assert_eq!((sizes.snapshot, sizes.incremental), (snapshot.len(), 0));
        assert!(!sizes.should_compact());
        let chunks = storage.load_chunks("doc").await.unwrap();
        assert_eq!(chunks, vec![snapshot]);
        assert_eq!(load(&chunks).get_heads(), doc.get_heads());

        // Appends after a compaction sort after the snapshot.
        edit(&mut doc, "late", 99);
        let late = doc.save_after(&saved);
        storage.append_chunk("doc", &late).await.unwrap();
        let chunks = storage.load_chunks("doc").await.unwrap();
        assert_eq!(chunks.len(), 2);
        assert_eq!(load(&chunks).get_heads(), doc.get_heads());
        assert_eq!(
            storage.chunk_sizes("doc").await.unwrap().incremental,
            late.len()
        );
    }

    #[wasm_bindgen_test]
    async fn data_survives_reopening_the_database() {
        let name = unique_name("reopen");
        let storage = Storage::open_named(&name).await.unwrap();
        storage.append_chunk("doc", &[1, 2, 3]).await.unwrap();
        let hash = [7u8; 32];
        storage
            .save_acked_heads("doc", &[hash, [9; 32]])
            .await
            .unwrap();
        let device = storage.device_id(|| "tablet-1".into()).await.unwrap();
        storage.close();

        let storage = Storage::open_named(&name).await.unwrap();
        assert_eq!(
            storage.load_chunks("doc").await.unwrap(),
            vec![vec![1, 2, 3]]
        );
        assert_eq!(
            storage.acked_heads("doc").await.unwrap(),
            Some(vec![hash, [9; 32]])
        );
        assert_eq!(storage.acked_heads("other").await.unwrap(), None);
        let again = storage
            .device_id(|| panic!("the device id must be kept"))
            .await
            .unwrap();
        assert_eq!(again, device);
    }

    fn photo(zone: &str, bytes: &[u8]) -> StoredBlob {
        StoredBlob {
            bytes: bytes.to_vec(),
            zone: zone.into(),
            media_type: "image/jpeg".into(),
            uploaded: false,
            created_at: 1_795_435_200_000,
        }
    }

    #[wasm_bindgen_test]
    async fn blobs_stay_after_upload_and_leave_the_queue() {
        let name = unique_name("blobs");
        let storage = Storage::open_named(&name).await.unwrap();
        assert_eq!(storage.blob("h1").await.unwrap(), None);
        storage
            .put_blob("h1", &photo("A", &[1, 2, 3]))
            .await
            .unwrap();
        storage.put_blob("h2", &photo("B", &[4])).await.unwrap();
        assert_eq!(
            storage.queued_blobs().await.unwrap(),
            vec![("h1".into(), "A".into()), ("h2".into(), "B".into())]
        );
        storage.mark_blob_uploaded("h1").await.unwrap();
        // Storing the same blob again does not put it back in the queue.
        storage
            .put_blob("h1", &photo("A", &[1, 2, 3]))
            .await
            .unwrap();
        storage.close();

        let storage = Storage::open_named(&name).await.unwrap();
        assert_eq!(
            storage.queued_blobs().await.unwrap(),
            vec![("h2".into(), "B".into())]
        );
        let kept = storage.blob("h1").await.unwrap().unwrap();
        assert_eq!(kept.bytes, vec![1, 2, 3]);
        assert!(kept.uploaded);
        assert_eq!(kept.zone, "A");
        assert!(!storage.blob("h2").await.unwrap().unwrap().uploaded);
    }

    #[wasm_bindgen_test]
    async fn session_round_trip_and_sign_out_keeps_documents() {
        let storage = Storage::open_named(&unique_name("session")).await.unwrap();
        assert_eq!(storage.session().await.unwrap(), None);
        storage.save_session("{\"token\":\"t\"}").await.unwrap();
        storage.append_chunk("doc", &[5]).await.unwrap();
        assert_eq!(
            storage.session().await.unwrap().as_deref(),
            Some("{\"token\":\"t\"}")
        );
        storage.clear_session().await.unwrap();
        assert_eq!(storage.session().await.unwrap(), None);
        assert_eq!(storage.load_chunks("doc").await.unwrap(), vec![vec![5]]);
    }
}

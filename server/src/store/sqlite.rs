//! The embedded SQLite store: one file, WAL journal, `synchronous = FULL` so a
//! committed transaction survives a crash or power cut.

use std::path::Path;
use std::sync::Mutex;

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};

use roundbook_shared::domain::{Role, SiteInfo, ZoneRef};
use roundbook_shared::ids::DocumentId;
use roundbook_shared::schema::{DocKey, DocKind};

use super::{
    Account, BlobRef, ChunkSizes, PartOutcome, Store, StoreError, StoreResult, UploadState,
};

pub struct SqliteStore {
    connection: Mutex<Connection>,
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        StoreError::Database(error.to_string())
    }
}

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS sites (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    timezone TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS zones (
    site TEXT NOT NULL REFERENCES sites(code),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (site, code)
);
CREATE TABLE IF NOT EXISTS accounts (
    username TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    site TEXT NOT NULL REFERENCES sites(code),
    password_hash TEXT NOT NULL,
    roles TEXT NOT NULL,
    zones TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash BLOB PRIMARY KEY,
    username TEXT NOT NULL REFERENCES accounts(username),
    expires_unix INTEGER NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS documents (
    id BLOB PRIMARY KEY,
    site TEXT NOT NULL,
    kind TEXT NOT NULL,
    zone TEXT NOT NULL,
    period TEXT
);
CREATE INDEX IF NOT EXISTS documents_by_zone ON documents (site, zone, kind, period);
CREATE TABLE IF NOT EXISTS chunks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id BLOB NOT NULL,
    is_snapshot INTEGER NOT NULL,
    bytes BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_by_doc ON chunks (doc_id, seq);
-- Photo blobs, complete and checked, stored once per content.
CREATE TABLE IF NOT EXISTS blobs (
    hash TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    stored_unix INTEGER NOT NULL
);
-- Which zones uploaded a blob: only these may read it.
CREATE TABLE IF NOT EXISTS blob_zones (
    site TEXT NOT NULL,
    zone TEXT NOT NULL,
    hash TEXT NOT NULL REFERENCES blobs(hash),
    registered_unix INTEGER NOT NULL,
    PRIMARY KEY (site, zone, hash)
);
-- Uploads in progress, and their parts in order of position.
CREATE TABLE IF NOT EXISTS uploads (
    site TEXT NOT NULL,
    zone TEXT NOT NULL,
    hash TEXT NOT NULL,
    total INTEGER NOT NULL,
    received INTEGER NOT NULL,
    updated_unix INTEGER NOT NULL,
    PRIMARY KEY (site, zone, hash)
);
CREATE TABLE IF NOT EXISTS upload_parts (
    site TEXT NOT NULL,
    zone TEXT NOT NULL,
    hash TEXT NOT NULL,
    start INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (site, zone, hash, start)
);
"#;

impl SqliteStore {
    pub fn open(path: &Path) -> StoreResult<Self> {
        let connection = Connection::open(path)?;
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.pragma_update(None, "foreign_keys", "ON")?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        Ok(Self {
            connection: Mutex::new(connection),
        })
    }

    fn with<T>(&self, work: impl FnOnce(&mut Connection) -> StoreResult<T>) -> StoreResult<T> {
        let mut connection = self
            .connection
            .lock()
            .map_err(|_| StoreError::Database("connection lock poisoned".into()))?;
        work(&mut connection)
    }
}

fn chunk_sizes(connection: &Connection, id: &DocumentId) -> StoreResult<ChunkSizes> {
    let (snapshot, incremental): (i64, i64) = connection.query_row(
        "SELECT COALESCE(SUM(CASE WHEN is_snapshot = 1 THEN length(bytes) END), 0),
                COALESCE(SUM(CASE WHEN is_snapshot = 0 THEN length(bytes) END), 0)
         FROM chunks WHERE doc_id = ?1",
        [id.as_bytes().as_slice()],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    Ok(ChunkSizes {
        snapshot_bytes: snapshot as usize,
        incremental_bytes: incremental as usize,
    })
}

/// The size of a blob registered for the zone, if it is.
fn registered_size(connection: &Connection, blob: &BlobRef) -> StoreResult<Option<u64>> {
    Ok(connection
        .query_row(
            "SELECT blobs.size FROM blob_zones JOIN blobs ON blobs.hash = blob_zones.hash
             WHERE blob_zones.site = ?1 AND blob_zones.zone = ?2 AND blob_zones.hash = ?3",
            params![blob.site, blob.zone, blob.hash],
            |row| row.get::<_, i64>(0),
        )
        .optional()?
        .map(|size| size as u64))
}

/// The declared total and received bytes of an upload in progress.
fn upload_row(connection: &Connection, blob: &BlobRef) -> StoreResult<Option<(u64, u64)>> {
    Ok(connection
        .query_row(
            "SELECT total, received FROM uploads WHERE site = ?1 AND zone = ?2 AND hash = ?3",
            params![blob.site, blob.zone, blob.hash],
            |row| Ok((row.get::<_, i64>(0)? as u64, row.get::<_, i64>(1)? as u64)),
        )
        .optional()?)
}

fn delete_upload(connection: &Connection, blob: &BlobRef) -> StoreResult<()> {
    for table in ["upload_parts", "uploads"] {
        connection.execute(
            &format!("DELETE FROM {table} WHERE site = ?1 AND zone = ?2 AND hash = ?3"),
            params![blob.site, blob.zone, blob.hash],
        )?;
    }
    Ok(())
}

fn doc_key(
    site: String,
    kind: String,
    zone: String,
    period: Option<String>,
) -> StoreResult<DocKey> {
    let kind = DocKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("kind {kind}")))?;
    let date = period
        .map(|text| {
            NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                .map_err(|_| StoreError::Corrupt(format!("period {text}")))
        })
        .transpose()?;
    Ok(DocKey {
        site,
        kind,
        zone,
        date,
    })
}

impl Store for SqliteStore {
    fn migrate(&self) -> StoreResult<()> {
        self.with(|connection| Ok(connection.execute_batch(SCHEMA)?))
    }

    fn site(&self, code: &str) -> StoreResult<Option<SiteInfo>> {
        self.with(|connection| {
            Ok(connection
                .query_row(
                    "SELECT code, name, timezone FROM sites WHERE code = ?1",
                    [code],
                    |row| {
                        Ok(SiteInfo {
                            code: row.get(0)?,
                            name: row.get(1)?,
                            timezone: row.get(2)?,
                        })
                    },
                )
                .optional()?)
        })
    }

    fn zones(&self, site: &str) -> StoreResult<Vec<ZoneRef>> {
        self.with(|connection| {
            let mut statement =
                connection.prepare("SELECT code, name FROM zones WHERE site = ?1 ORDER BY code")?;
            let rows = statement.query_map([site], |row| {
                Ok(ZoneRef {
                    code: row.get(0)?,
                    name: row.get(1)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    fn put_site(&self, site: &SiteInfo, zones: &[ZoneRef]) -> StoreResult<()> {
        self.with(|connection| {
            let tx = connection.transaction()?;
            tx.execute(
                "INSERT INTO sites (code, name, timezone) VALUES (?1, ?2, ?3)
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name, timezone = excluded.timezone",
                params![site.code, site.name, site.timezone],
            )?;
            for zone in zones {
                tx.execute(
                    "INSERT INTO zones (site, code, name) VALUES (?1, ?2, ?3)
                     ON CONFLICT (site, code) DO UPDATE SET name = excluded.name",
                    params![site.code, zone.code, zone.name],
                )?;
            }
            Ok(tx.commit()?)
        })
    }

    fn account(&self, username: &str) -> StoreResult<Option<Account>> {
        let row = self.with(|connection| {
            Ok(connection
                .query_row(
                    "SELECT username, display_name, site, password_hash, roles, zones
                     FROM accounts WHERE username = ?1",
                    [username],
                    |row| {
                        Ok((
                            row.get::<_, String>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, String>(2)?,
                            row.get::<_, String>(3)?,
                            row.get::<_, String>(4)?,
                            row.get::<_, String>(5)?,
                        ))
                    },
                )
                .optional()?)
        })?;
        let Some((username, display_name, site, password_hash, roles, zones)) = row else {
            return Ok(None);
        };
        let roles = roles
            .split(',')
            .filter(|text| !text.is_empty())
            .map(|text| {
                Role::parse(text).ok_or_else(|| StoreError::Corrupt(format!("role {text}")))
            })
            .collect::<StoreResult<_>>()?;
        let zones = zones
            .split(',')
            .filter(|text| !text.is_empty())
            .map(str::to_owned)
            .collect();
        Ok(Some(Account {
            username,
            display_name,
            site,
            password_hash,
            roles,
            zones,
        }))
    }

    fn put_account(&self, account: &Account) -> StoreResult<()> {
        let roles: Vec<_> = account.roles.iter().map(|role| role.as_str()).collect();
        self.with(|connection| {
            connection.execute(
                "INSERT INTO accounts (username, display_name, site, password_hash, roles, zones)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (username) DO UPDATE SET display_name = excluded.display_name,
                   site = excluded.site, password_hash = excluded.password_hash,
                   roles = excluded.roles, zones = excluded.zones",
                params![
                    account.username,
                    account.display_name,
                    account.site,
                    account.password_hash,
                    roles.join(","),
                    account.zones.join(","),
                ],
            )?;
            Ok(())
        })
    }

    fn create_session(
        &self,
        token_hash: &[u8],
        username: &str,
        expires_unix: i64,
    ) -> StoreResult<()> {
        self.with(|connection| {
            connection.execute(
                "INSERT INTO sessions (token_hash, username, expires_unix) VALUES (?1, ?2, ?3)",
                params![token_hash, username, expires_unix],
            )?;
            Ok(())
        })
    }

    fn session_user(&self, token_hash: &[u8], now_unix: i64) -> StoreResult<Option<String>> {
        self.with(|connection| {
            Ok(connection
                .query_row(
                    "SELECT username FROM sessions
                     WHERE token_hash = ?1 AND revoked = 0 AND expires_unix > ?2",
                    params![token_hash, now_unix],
                    |row| row.get(0),
                )
                .optional()?)
        })
    }

    fn revoke_session(&self, token_hash: &[u8]) -> StoreResult<()> {
        self.with(|connection| {
            connection.execute(
                "UPDATE sessions SET revoked = 1 WHERE token_hash = ?1",
                [token_hash],
            )?;
            Ok(())
        })
    }

    fn document_key(&self, id: &DocumentId) -> StoreResult<Option<DocKey>> {
        let row = self.with(|connection| {
            Ok(connection
                .query_row(
                    "SELECT site, kind, zone, period FROM documents WHERE id = ?1",
                    [id.as_bytes().as_slice()],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
                )
                .optional()?)
        })?;
        row.map(|(site, kind, zone, period)| doc_key(site, kind, zone, period))
            .transpose()
    }

    fn register_document(&self, id: &DocumentId, key: &DocKey) -> StoreResult<()> {
        self.with(|connection| {
            connection.execute(
                "INSERT INTO documents (id, site, kind, zone, period) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (id) DO NOTHING",
                params![
                    id.as_bytes().as_slice(),
                    key.site,
                    key.kind.as_str(),
                    key.zone,
                    key.period()
                ],
            )?;
            Ok(())
        })
    }

    fn documents(
        &self,
        site: &str,
        days_since: NaiveDate,
        periods_since: NaiveDate,
    ) -> StoreResult<Vec<DocKey>> {
        let days_since = days_since.format("%Y-%m-%d").to_string();
        let periods_since = periods_since.format("%Y-%m-%d").to_string();
        let rows: Vec<(String, String, String, Option<String>)> = self.with(|connection| {
            let mut statement = connection.prepare(
                "SELECT site, kind, zone, period FROM documents
                 WHERE site = ?1 AND (period IS NULL
                   OR (kind = 'patrol_log' AND period >= ?2)
                   OR (kind != 'patrol_log' AND period >= ?3))
                 ORDER BY zone, kind, period",
            )?;
            let rows = statement.query_map(params![site, days_since, periods_since], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })?;
        rows.into_iter()
            .map(|(site, kind, zone, period)| doc_key(site, kind, zone, period))
            .collect()
    }

    fn load_chunks(&self, id: &DocumentId) -> StoreResult<Vec<Vec<u8>>> {
        self.with(|connection| {
            let mut statement = connection.prepare(
                "SELECT bytes FROM chunks WHERE doc_id = ?1 ORDER BY is_snapshot DESC, seq",
            )?;
            let rows = statement.query_map([id.as_bytes().as_slice()], |row| row.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    fn append_chunk(&self, id: &DocumentId, bytes: &[u8]) -> StoreResult<ChunkSizes> {
        self.with(|connection| {
            let tx = connection.transaction()?;
            tx.execute(
                "INSERT INTO chunks (doc_id, is_snapshot, bytes) VALUES (?1, 0, ?2)",
                params![id.as_bytes().as_slice(), bytes],
            )?;
            let sizes = chunk_sizes(&tx, id)?;
            tx.commit()?;
            Ok(sizes)
        })
    }

    fn replace_with_snapshot(&self, id: &DocumentId, snapshot: &[u8]) -> StoreResult<()> {
        self.with(|connection| {
            let tx = connection.transaction()?;
            tx.execute(
                "DELETE FROM chunks WHERE doc_id = ?1",
                [id.as_bytes().as_slice()],
            )?;
            tx.execute(
                "INSERT INTO chunks (doc_id, is_snapshot, bytes) VALUES (?1, 1, ?2)",
                params![id.as_bytes().as_slice(), snapshot],
            )?;
            Ok(tx.commit()?)
        })
    }

    fn upload_state(&self, blob: &BlobRef) -> StoreResult<UploadState> {
        self.with(|connection| {
            if let Some(size) = registered_size(connection, blob)? {
                return Ok(UploadState::Complete { size });
            }
            let (total, received) = upload_row(connection, blob)?.unwrap_or((0, 0));
            Ok(UploadState::Partial { received, total })
        })
    }

    fn append_upload_part(
        &self,
        blob: &BlobRef,
        offset: u64,
        total: u64,
        bytes: &[u8],
    ) -> StoreResult<PartOutcome> {
        self.with(|connection| {
            let tx = connection.transaction()?;
            if let Some(size) = registered_size(&tx, blob)? {
                return Ok(PartOutcome::AlreadyComplete { size });
            }
            let row = upload_row(&tx, blob)?;
            if row.is_some_and(|(held_total, _)| held_total != total) {
                delete_upload(&tx, blob)?;
                tx.commit()?;
                return Ok(PartOutcome::TotalChanged);
            }
            let received = row.map_or(0, |(_, received)| received);
            if offset != received {
                return Ok(PartOutcome::OffsetMismatch { received });
            }
            let now = chrono::Utc::now().timestamp();
            let received = received + bytes.len() as u64;
            tx.execute(
                "INSERT INTO uploads (site, zone, hash, total, received, updated_unix)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (site, zone, hash) DO UPDATE
                 SET received = excluded.received, updated_unix = excluded.updated_unix",
                params![blob.site, blob.zone, blob.hash, total as i64, received as i64, now],
            )?;
            tx.execute(
                "INSERT INTO upload_parts (site, zone, hash, start, bytes) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![blob.site, blob.zone, blob.hash, offset as i64, bytes],
            )?;
            tx.commit()?;
            Ok(PartOutcome::Appended { received })
        })
    }

    fn upload_bytes(&self, blob: &BlobRef) -> StoreResult<Vec<u8>> {
        self.with(|connection| {
            let mut statement = connection.prepare(
                "SELECT bytes FROM upload_parts WHERE site = ?1 AND zone = ?2 AND hash = ?3
                 ORDER BY start",
            )?;
            let parts = statement.query_map(params![blob.site, blob.zone, blob.hash], |row| {
                row.get::<_, Vec<u8>>(0)
            })?;
            let mut bytes = Vec::new();
            for part in parts {
                bytes.extend(part?);
            }
            Ok(bytes)
        })
    }

    fn discard_upload(&self, blob: &BlobRef) -> StoreResult<()> {
        self.with(|connection| {
            let tx = connection.transaction()?;
            delete_upload(&tx, blob)?;
            Ok(tx.commit()?)
        })
    }

    fn commit_blob(&self, blob: &BlobRef, content_type: &str, bytes: &[u8]) -> StoreResult<()> {
        self.with(|connection| {
            let tx = connection.transaction()?;
            let now = chrono::Utc::now().timestamp();
            tx.execute(
                "INSERT INTO blobs (hash, content_type, size, bytes, stored_unix)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (hash) DO NOTHING",
                params![blob.hash, content_type, bytes.len() as i64, bytes, now],
            )?;
            tx.execute(
                "INSERT INTO blob_zones (site, zone, hash, registered_unix) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (site, zone, hash) DO NOTHING",
                params![blob.site, blob.zone, blob.hash, now],
            )?;
            delete_upload(&tx, blob)?;
            Ok(tx.commit()?)
        })
    }

    fn blob(&self, blob: &BlobRef) -> StoreResult<Option<(String, Vec<u8>)>> {
        self.with(|connection| {
            Ok(connection
                .query_row(
                    "SELECT blobs.content_type, blobs.bytes FROM blob_zones
                     JOIN blobs ON blobs.hash = blob_zones.hash
                     WHERE blob_zones.site = ?1 AND blob_zones.zone = ?2 AND blob_zones.hash = ?3",
                    params![blob.site, blob.zone, blob.hash],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("test.sqlite3")).unwrap();
        store.migrate().unwrap();
        (dir, store)
    }

    #[test]
    fn chunks_append_load_and_compact() {
        let (_dir, store) = store();
        let id = DocumentId::from_bytes([1; 16]);
        store.replace_with_snapshot(&id, b"snapshot").unwrap();
        let sizes = store.append_chunk(&id, b"one").unwrap();
        assert_eq!(
            sizes,
            ChunkSizes {
                snapshot_bytes: 8,
                incremental_bytes: 3
            }
        );
        store.append_chunk(&id, b"two").unwrap();
        assert_eq!(
            store.load_chunks(&id).unwrap(),
            [b"snapshot".to_vec(), b"one".to_vec(), b"two".to_vec()]
        );
        store.replace_with_snapshot(&id, b"all").unwrap();
        assert_eq!(store.load_chunks(&id).unwrap(), [b"all".to_vec()]);
        assert!(store
            .load_chunks(&DocumentId::from_bytes([2; 16]))
            .unwrap()
            .is_empty());
    }

    #[test]
    fn uploads_append_in_order_and_commit_once_per_zone() {
        let (_dir, store) = store();
        let blob = |zone: &str| BlobRef {
            site: "demo".into(),
            zone: zone.into(),
            hash: "ab".repeat(32),
        };
        let a = blob("A");
        assert_eq!(
            store.upload_state(&a).unwrap(),
            UploadState::Partial {
                received: 0,
                total: 0
            }
        );
        assert_eq!(
            store.append_upload_part(&a, 0, 6, b"abc").unwrap(),
            PartOutcome::Appended { received: 3 }
        );
        assert_eq!(
            store.append_upload_part(&a, 0, 6, b"abc").unwrap(),
            PartOutcome::OffsetMismatch { received: 3 }
        );
        assert_eq!(
            store.append_upload_part(&a, 3, 6, b"def").unwrap(),
            PartOutcome::Appended { received: 6 }
        );
        assert_eq!(store.upload_bytes(&a).unwrap(), b"abcdef");
        store.commit_blob(&a, "image/png", b"abcdef").unwrap();
        assert_eq!(
            store.upload_state(&a).unwrap(),
            UploadState::Complete { size: 6 }
        );
        assert_eq!(
            store.append_upload_part(&a, 0, 6, b"abc").unwrap(),
            PartOutcome::AlreadyComplete { size: 6 }
        );
        assert_eq!(
            store.blob(&a).unwrap(),
            Some(("image/png".to_string(), b"abcdef".to_vec()))
        );
        // Another zone does not see it until it uploads the bytes itself.
        let b = blob("B");
        assert_eq!(store.blob(&b).unwrap(), None);
        store.append_upload_part(&b, 0, 9, b"abc").unwrap();
        assert_eq!(
            store.append_upload_part(&b, 3, 6, b"def").unwrap(),
            PartOutcome::TotalChanged
        );
        assert_eq!(
            store.upload_state(&b).unwrap(),
            UploadState::Partial {
                received: 0,
                total: 0
            }
        );
    }

    #[test]
    fn sessions_expire_and_revoke() {
        let (_dir, store) = store();
        crate::demo::seed(&store).unwrap();
        store.create_session(b"hash", "guard-a", 100).unwrap();
        assert_eq!(
            store.session_user(b"hash", 99).unwrap().as_deref(),
            Some("guard-a")
        );
        assert_eq!(store.session_user(b"hash", 100).unwrap(), None);
        store.revoke_session(b"hash").unwrap();
        assert_eq!(store.session_user(b"hash", 0).unwrap(), None);
    }

    #[test]
    fn the_catalog_lists_recent_days_and_recent_periods() {
        let (_dir, store) = store();
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let keys = [
            DocKey::zone_directory("demo", "A"),
            DocKey::patrol_log("demo", "A", today),
            DocKey::patrol_log("demo", "B", today),
            DocKey::request_log("demo", "A", today - chrono::Duration::days(60)),
            DocKey::patrol_log("demo", "A", today - chrono::Duration::days(30)),
            DocKey::request_log("demo", "A", today - chrono::Duration::days(400)),
        ];
        for key in &keys {
            store.register_document(&key.document_id(), key).unwrap();
        }
        let month_ago = today - chrono::Duration::days(365);
        let listed = store
            .documents("demo", today - chrono::Duration::days(7), month_ago)
            .unwrap();
        assert_eq!(listed.len(), 4);
        assert!(keys[..4].iter().all(|key| listed.contains(key)));
        assert_eq!(
            store.document_key(&keys[3].document_id()).unwrap(),
            Some(keys[3].clone())
        );
        assert!(store.documents("other", today, today).unwrap().is_empty());
    }
}

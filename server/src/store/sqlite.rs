//! The embedded SQLite store: one file, WAL journal, `synchronous = FULL` so a
//! committed transaction survives a crash or power cut.
//!
//! One server per file: SQLite has no way to tell another process that a
//! document changed, so [`Store::changes_elsewhere`] never brings news.

use std::path::Path;
use std::sync::Mutex;

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};

use roundbook_shared::api::{AuditEntry, DeviceEntry, ZoneEntry};
use roundbook_shared::domain::{SiteInfo, ZoneRef};
use roundbook_shared::ids::DocumentId;
use roundbook_shared::schema::{DocKey, DocKind};

use super::columns::{
    account, date_column, day_kinds, doc_key, roles_column, zones_column, AccountRow,
    ACCOUNT_COLUMNS,
};
use super::migrations::{self, Migrated, Migrator, SchemaVersion, Step};
use super::{
    new_session_id, part_step, seqs_text, Account, Audit, BlobRef, ChunkSeq, ChunkSizes,
    ChunkWrite, Chunks, ElsewhereFeed, HeldUpload, LiveSession, NewPassword, NewSession, Part,
    PartOutcome, PartStep, SessionEnd, Store, StoreError, StoreResult, UploadState, Uploader,
    Written,
};

pub struct SqliteStore {
    connection: Mutex<Connection>,
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        StoreError::Database(error.to_string())
    }
}

/// A day in milliseconds: how long an unlocked sign-in failure is kept.
const DAY_MS: i64 = 24 * 3600 * 1000;

/// The migration steps, in order (see `migrations`). Never change a
/// released step: add one.
pub(crate) const STEPS: &[Step] = &[
    Step {
        version: 1,
        name: "initial",
        sql: INITIAL,
    },
    Step {
        version: 2,
        name: "upload_owners",
        sql: UPLOAD_OWNERS,
    },
    Step {
        version: 3,
        name: "server_secrets",
        sql: SERVER_SECRETS,
    },
    Step {
        version: 4,
        name: "sign_in_failures",
        sql: SIGN_IN_FAILURES,
    },
    Step {
        version: 5,
        name: "administration",
        sql: ADMINISTRATION,
    },
    Step {
        version: 6,
        name: "record_copies",
        sql: RECORD_COPIES,
    },
];

/// Version 1: the schema of the last release that recorded no version,
/// verbatim (it ran this at every start, hence `IF NOT EXISTS`).
const INITIAL: &str = r#"
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
-- A compaction snapshot's `covers` is the sequence number up to which it
-- folds the document's chunks; NULL for a snapshot with content of its own.
CREATE TABLE IF NOT EXISTS chunks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id BLOB NOT NULL,
    is_snapshot INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    covers INTEGER
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

/// Version 2: an upload in progress belongs to the user who started it. NULL
/// for uploads begun before: the next part's sender takes them on. The
/// indexes serve the quota (a user's uploads) and expiry (untouched ones).
const UPLOAD_OWNERS: &str = r#"
ALTER TABLE uploads ADD COLUMN username TEXT;
CREATE INDEX uploads_by_username ON uploads (username, updated_unix);
CREATE INDEX uploads_by_age ON uploads (updated_unix);
"#;

/// Version 3: keys the servers of one database share and a backup keeps,
/// by name (the receipt seal's: `schema::receipt::Seal`).
const SERVER_SECRETS: &str = r#"
CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    secret BLOB NOT NULL
);
"#;

/// Version 4: failed sign-ins by who they were against (`user:NAME`,
/// `address:IP`), so every server on the database throttles them alike and
/// a restart forgets nothing (`auth::SignInThrottle`).
const SIGN_IN_FAILURES: &str = r#"
CREATE TABLE sign_in_failures (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_ms INTEGER NOT NULL,
    locked_until_ms INTEGER NOT NULL
);
CREATE INDEX sign_in_failures_by_age ON sign_in_failures (last_ms);
"#;

/// Version 5: administration. Accounts gain a phone, a disabled time and
/// the must-change-password flag; zones can be retired. Sessions gain an
/// opaque id, the device, when they started and were last seen, what the
/// device reports pending, and when and why someone else ended them (such
/// sessions are kept, so the tablet learns it was signed out remotely).
/// The audit trail refuses updates and deletes. Sign-in codes are stored
/// hashed; zone departures say which zones an account stopped reaching.
const ADMINISTRATION: &str = r#"
ALTER TABLE accounts ADD COLUMN phone TEXT;
ALTER TABLE accounts ADD COLUMN disabled_at INTEGER;
ALTER TABLE accounts ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE zones ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN id TEXT;
UPDATE sessions SET id = lower(hex(randomblob(16)));
CREATE UNIQUE INDEX sessions_by_id ON sessions (id);
CREATE INDEX sessions_by_username ON sessions (username);
ALTER TABLE sessions ADD COLUMN device TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN signed_in_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN last_seen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN pending INTEGER;
ALTER TABLE sessions ADD COLUMN ended_remotely_at INTEGER;
ALTER TABLE sessions ADD COLUMN ended_reason TEXT;
CREATE TABLE audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    site TEXT NOT NULL,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    device TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_by_site ON audit (site, seq);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TABLE sign_in_codes (
    code_hash BLOB PRIMARY KEY,
    username TEXT NOT NULL REFERENCES accounts(username),
    expires_ms INTEGER NOT NULL,
    used_ms INTEGER
);
CREATE TABLE zone_departures (
    username TEXT NOT NULL,
    zone TEXT NOT NULL,
    left_at INTEGER NOT NULL
);
CREATE INDEX zone_departures_by_username ON zone_departures (username, left_at);
"#;

/// Version 6: copies of documents' records for readers that never write
/// (the reports), each named by the chunks it was made from. A cache:
/// losing one costs a reload, nothing else.
const RECORD_COPIES: &str = r#"
CREATE TABLE record_copies (
    doc_id BLOB PRIMARY KEY,
    chunks TEXT NOT NULL,
    bytes BLOB NOT NULL
);
"#;

impl SqliteStore {
    /// Opens (or creates) the file. Call [`Store::migrate`] before use.
    pub fn open(path: &Path) -> StoreResult<Self> {
        let connection = Connection::open(path)?;
        // First: switching to WAL waits for other connections too.
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.pragma_update(None, "foreign_keys", "ON")?;
        Ok(Self {
            connection: Mutex::new(connection),
        })
    }

    /// Migrates to `target`, at most the last of [`STEPS`]; for tests of
    /// single steps. [`Store::migrate`] goes to the last.
    pub fn migrate_to(&self, target: SchemaVersion) -> StoreResult<Migrated> {
        self.with(|connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let migrated = migrations::run(
                &mut SqliteMigrator(&tx),
                STEPS,
                target,
                chrono::Utc::now().timestamp(),
            )?;
            tx.commit()?;
            Ok(migrated)
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

/// Databases made before compaction recorded what it covers: their snapshots
/// get NULL, so a reader never skips them (each already folded everything
/// before it, so no reader is sent more than once what it holds).
fn add_chunk_covers(connection: &Connection) -> StoreResult<()> {
    if !has_chunk_covers(connection)? {
        connection.execute_batch("ALTER TABLE chunks ADD COLUMN covers INTEGER")?;
    }
    Ok(())
}

fn has_chunk_covers(connection: &Connection) -> StoreResult<bool> {
    Ok(connection.query_row(
        "SELECT COUNT(*) > 0 FROM pragma_table_info('chunks') WHERE name = 'covers'",
        [],
        |row| row.get(0),
    )?)
}

/// The highest schema version the database records; 0 if none, or if it
/// has no history table (made before versions were recorded, or not
/// Roundbook's). Reads only, so a backup can be checked read-only.
pub(crate) fn recorded_version(connection: &Connection) -> StoreResult<SchemaVersion> {
    if count_tables(connection, &["schema_migrations"])? == 0 {
        return Ok(0);
    }
    Ok(connection.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |row| row.get(0),
    )?)
}

/// How many of `tables` the database has.
pub(crate) fn count_tables(connection: &Connection, tables: &[&str]) -> StoreResult<usize> {
    let mut count = 0;
    for table in tables {
        let present: bool = connection.query_row(
            "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [table],
            |row| row.get(0),
        )?;
        count += usize::from(present);
    }
    Ok(count)
}

/// SQLite's side of a migration, in a transaction that holds the write lock
/// from its start (SQLite's migration lock).
struct SqliteMigrator<'a>(&'a Transaction<'a>);

impl Migrator for SqliteMigrator<'_> {
    fn create_history(&mut self) -> StoreResult<()> {
        Ok(self.0.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_unix INTEGER NOT NULL,
                adopted INTEGER NOT NULL
            )",
        )?)
    }

    fn recorded(&mut self) -> StoreResult<SchemaVersion> {
        recorded_version(self.0)
    }

    fn count_tables(&mut self, tables: &[&str]) -> StoreResult<usize> {
        count_tables(self.0, tables)
    }

    fn is_version_1(&mut self) -> StoreResult<bool> {
        let tables = &migrations::VERSION_1_TABLES;
        Ok(self.count_tables(tables)? == tables.len() && has_chunk_covers(self.0)?)
    }

    fn complete_version_1(&mut self, step_1: &Step) -> StoreResult<()> {
        self.0.execute_batch(step_1.sql)?;
        add_chunk_covers(self.0)
    }

    fn execute(&mut self, sql: &str) -> StoreResult<()> {
        Ok(self.0.execute_batch(sql)?)
    }

    fn record(&mut self, step: &Step, adopted: bool, now_unix: i64) -> StoreResult<()> {
        self.0.execute(
            "INSERT INTO schema_migrations (version, name, applied_unix, adopted)
             VALUES (?1, ?2, ?3, ?4)",
            params![step.version, step.name, now_unix, adopted],
        )?;
        Ok(())
    }
}

/// Writes one chunk in a transaction that holds the write lock from its start,
/// so the highest sequence number read before the insert is still the highest
/// when it commits.
fn write_chunk(
    connection: &mut Connection,
    id: &DocumentId,
    bytes: &[u8],
    write: ChunkWrite,
) -> StoreResult<Written> {
    let (is_snapshot, covers) = (write.is_snapshot(), write.covers());
    let doc_id = id.as_bytes().as_slice();
    let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let after: ChunkSeq = tx.query_row(
        "SELECT COALESCE(MAX(seq), 0) FROM chunks WHERE doc_id = ?1",
        [doc_id],
        |row| row.get(0),
    )?;
    if let Some(covers) = covers {
        tx.execute(
            "DELETE FROM chunks WHERE doc_id = ?1 AND seq <= ?2",
            params![doc_id, covers],
        )?;
    }
    tx.execute(
        "INSERT INTO chunks (doc_id, is_snapshot, bytes, covers) VALUES (?1, ?2, ?3, ?4)",
        params![doc_id, is_snapshot, bytes, covers],
    )?;
    let seq = tx.last_insert_rowid();
    let sizes = chunk_sizes(&tx, id)?;
    tx.commit()?;
    Ok(Written { seq, after, sizes })
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

/// The upload in progress, if there is one.
fn upload_row(connection: &Connection, blob: &BlobRef) -> StoreResult<Option<HeldUpload>> {
    Ok(connection
        .query_row(
            "SELECT username, total, received FROM uploads
             WHERE site = ?1 AND zone = ?2 AND hash = ?3",
            params![blob.site, blob.zone, blob.hash],
            |row| {
                Ok(HeldUpload {
                    owner: row.get(0)?,
                    total: row.get::<_, i64>(1)? as u64,
                    received: row.get::<_, i64>(2)? as u64,
                })
            },
        )
        .optional()?)
}

/// The declared totals of the uploader's unexpired uploads in progress.
fn reserved_bytes(connection: &Connection, uploader: &Uploader<'_>) -> StoreResult<u64> {
    let reserved: i64 = connection.query_row(
        "SELECT COALESCE(SUM(total), 0) FROM uploads WHERE username = ?1 AND updated_unix >= ?2",
        params![uploader.username, uploader.expired_before()],
        |row| row.get(0),
    )?;
    Ok(reserved as u64)
}

/// Deletes every upload untouched since before `cutoff`, with its parts.
fn delete_expired_uploads(connection: &Connection, cutoff: i64) -> StoreResult<()> {
    connection.execute(
        "DELETE FROM upload_parts WHERE (site, zone, hash) IN
           (SELECT site, zone, hash FROM uploads WHERE updated_unix < ?1)",
        [cutoff],
    )?;
    let expired = connection.execute("DELETE FROM uploads WHERE updated_unix < ?1", [cutoff])?;
    if expired > 0 {
        tracing::info!(expired, "deleted uploads left untouched too long");
    }
    Ok(())
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

fn insert_audit(connection: &Connection, audit: &Audit) -> StoreResult<()> {
    connection.execute(
        "INSERT INTO audit (site, at, actor, device, action, target, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            audit.site,
            audit.at,
            audit.actor,
            audit.device,
            audit.action,
            audit.target,
            audit.detail
        ],
    )?;
    Ok(())
}

/// Ends remotely, at `at` (unix ms) for `reason`, every live session of
/// `username` but `keep`; returns their token hashes.
fn end_user_sessions(
    connection: &Connection,
    username: &str,
    keep: Option<&[u8]>,
    at: i64,
    reason: SessionEnd,
) -> StoreResult<Vec<Vec<u8>>> {
    let mut statement = connection.prepare(
        "UPDATE sessions SET ended_remotely_at = ?3, ended_reason = ?4
         WHERE username = ?1 AND revoked = 0 AND ended_remotely_at IS NULL
           AND expires_unix > ?3 / 1000 AND token_hash IS NOT ?2
         RETURNING token_hash",
    )?;
    let ended = statement.query_map(params![username, keep, at, reason.as_str()], |row| {
        row.get(0)
    })?;
    Ok(ended.collect::<Result<_, _>>()?)
}

fn read_account(row: &rusqlite::Row<'_>) -> rusqlite::Result<AccountRow> {
    Ok(AccountRow {
        username: row.get(0)?,
        display_name: row.get(1)?,
        site: row.get(2)?,
        password_hash: row.get(3)?,
        roles: row.get(4)?,
        zones: row.get(5)?,
        phone: row.get(6)?,
        disabled_at: row.get(7)?,
        must_change_password: row.get(8)?,
    })
}

impl Store for SqliteStore {
    fn migrate(&self) -> StoreResult<Migrated> {
        self.migrate_to(migrations::latest(STEPS))
    }

    fn health_check(&self) -> StoreResult<()> {
        self.with(|connection| Ok(connection.query_row("SELECT 1", [], |_| Ok(()))?))
    }

    fn secret(&self, name: &str) -> StoreResult<Vec<u8>> {
        let made: [u8; 32] = rand::random();
        self.with(|connection| {
            connection.execute(
                "INSERT INTO server_secrets (name, secret) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
                params![name, made.as_slice()],
            )?;
            Ok(connection.query_row(
                "SELECT secret FROM server_secrets WHERE name = ?1",
                [name],
                |row| row.get(0),
            )?)
        })
    }

    fn sign_in_locked_until(&self, keys: [&str; 2]) -> StoreResult<i64> {
        self.with(|connection| {
            Ok(connection.query_row(
                "SELECT COALESCE(MAX(locked_until_ms), 0) FROM sign_in_failures WHERE key IN (?1, ?2)",
                params![keys[0], keys[1]],
                |row| row.get(0),
            )?)
        })
    }

    fn count_sign_in_failure(&self, key: &str, now_ms: i64, window_ms: i64) -> StoreResult<u32> {
        self.with(|connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "DELETE FROM sign_in_failures WHERE last_ms < ?1 AND locked_until_ms < ?2",
                params![now_ms - DAY_MS, now_ms],
            )?;
            let failures: u32 = tx.query_row(
                "INSERT INTO sign_in_failures (key, failures, last_ms, locked_until_ms)
                 VALUES (?1, 1, ?2, 0)
                 ON CONFLICT (key) DO UPDATE SET
                     failures = CASE WHEN sign_in_failures.last_ms < ?2 - ?3 THEN 1
                                     ELSE sign_in_failures.failures + 1 END,
                     last_ms = ?2
                 RETURNING failures",
                params![key, now_ms, window_ms],
                |row| row.get(0),
            )?;
            tx.commit()?;
            Ok(failures)
        })
    }

    fn lock_sign_in(&self, key: &str, until_ms: i64) -> StoreResult<()> {
        self.with(|connection| {
            connection.execute(
                "UPDATE sign_in_failures SET locked_until_ms = MAX(locked_until_ms, ?2) WHERE key = ?1",
                params![key, until_ms],
            )?;
            Ok(())
        })
    }

    fn clear_sign_in_failures(&self, key: &str) -> StoreResult<()> {
        self.with(|connection| {
            connection.execute("DELETE FROM sign_in_failures WHERE key = ?1", [key])?;
            Ok(())
        })
    }

    fn site_codes(&self) -> StoreResult<Vec<String>> {
        self.with(|connection| {
            let mut statement = connection.prepare("SELECT code FROM sites ORDER BY code")?;
            let codes = statement
                .query_map([], |row| row.get(0))?
                .collect::<Result<_, _>>()?;
            Ok(codes)
        })
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

    fn zone_list(&self, site: &str) -> StoreResult<Vec<ZoneEntry>> {
        self.with(|connection| {
            let mut statement = connection
                .prepare("SELECT code, name, retired FROM zones WHERE site = ?1 ORDER BY code")?;
            let rows = statement.query_map([site], |row| {
                Ok(ZoneEntry {
                    code: row.get(0)?,
                    name: row.get(1)?,
                    retired: row.get(2)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    fn create_zone(&self, site: &str, zone: &ZoneEntry, audit: &Audit) -> StoreResult<bool> {
        self.with(|connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let created = tx.execute(
                "INSERT INTO zones (site, code, name, retired) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (site, code) DO NOTHING",
                params![site, zone.code, zone.name, zone.retired],
            )? == 1;
            if created {
                insert_audit(&tx, audit)?;
                tx.commit()?;
            }
            Ok(created)
        })
    }

    fn change_zone(&self, site: &str, zone: &ZoneEntry, audit: &Audit) -> StoreResult<bool> {
        self.with(|connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let changed = tx.execute(
                "UPDATE zones SET name = ?3, retired = ?4 WHERE site = ?1 AND code = ?2",
                params![site, zone.code, zone.name, zone.retired],
            )? == 1;
            if changed {
                insert_audit(&tx, audit)?;
                tx.commit()?;
            }
            Ok(changed)
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

    fn create_site(&self, site: &SiteInfo, zones: &[ZoneRef]) -> StoreResult<bool> {
        self.with(|connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let created = tx.execute(
                "INSERT INTO sites (code, name, timezone) VALUES (?1, ?2, ?3)
                 ON CONFLICT (code) DO NOTHING",
                params![site.code, site.name, site.timezone],
            )? == 1;
            if !created {
                return Ok(false);
            }
            for zone in zones {
                tx.execute(
                    "INSERT INTO zones (site, code, name) VALUES (?1, ?2, ?3)",
                    params![site.code, zone.code, zone.name],
                )?;
            }
            tx.commit()?;
            Ok(true)
        })
    }

    fn account(&self, username: &str) -> StoreResult<Option<Account>> {
        let row = self.with(|connection| {
            Ok(connection
                .query_row(
                    &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE username = ?1"),
                    [username],
                    read_account,
                )
                .optional()?)
        })?;
        row.map(account).transpose()
    }

    fn put_account(&self, account: &Account) -> StoreResult<()> {
        self.with(|connection| {
            connection.execute(
                "INSERT INTO accounts (username, display_name, site, password_hash, roles, zones,
                   phone, disabled_at, must_change_password)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (username) DO UPDATE SET display_name = excluded.display_name,
                   site = excluded.site, password_hash = excluded.password_hash,
                   roles = excluded.roles, zones = excluded.zones, phone = excluded.phone,
                   disabled_at = excluded.disabled_at,
                   must_change_password = excluded.must_change_password",
                params![
                    account.username,
                    account.display_name,
                    account.site,
                    account.password_hash,
                    roles_column(&account.roles),
                    zones_column(&account.zones),
                    account.phone,
                    account.disabled_at,
                    account.must_change_password,
                ],
            )?;
            Ok(())
        })
    }

    fn accounts(&self, site: &str) -> StoreResult<Vec<Account>> {
        let rows: Vec<AccountRow> = self.with(|connection| {
            let mut statement = connection.prepare(&format!(
                "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE site = ?1 ORDER BY username"
            ))?;
            let rows = statement.query_map([site], read_account)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })?;
        rows.into_iter().map(account).collect()
    }

    fn create_account(&self, account: &Account, audit: &Audit) -> StoreResult<bool> {
        self.with(|connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let created = tx.execute(
                "INSERT INTO accounts (username, display_name, site, password_hash, roles, zones,
                   phone, disabled_at, must_change_password)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (username) DO NOTHING",
                params![
                    account.username,
                    account.display_name,
                    account.site,
                    account.password_hash,
                    roles_column(&account.roles),
                    zones_column(&account.zones),
                    account.phone,
                    account.disabled_at,
                    account.must_change_password,
                ],
            )? == 1;
            if created {
                insert_audit(&tx, audit)?;
                tx.commit()?;
            }
            Ok(created)
        })
    }

    fn change_account(
        &self,
        account: &Account,
        lost_zones: &[String],
        audit: &Audit,
    ) -> StoreResult<()> {
        self.with(|connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "UPDATE accounts SET display_name = ?2, phone = ?3, roles = ?4, zones = ?5
                 WHERE username = ?1",
                params![
                    account.username,
                    account.display_name,
                    account.phone,
                    roles_column(&account.roles),
                    zones_column(&account.zones),
                ],
            )?;
            for zone in lost_zones {
                tx.execute(
                    "INSERT INTO zone_departures (username, zone, left_at) VALUES (?1, ?2, ?3)",
                    params![account.username, zone, audit.at],
                )?;
            }
            insert_audit(&tx, audit)?;
            Ok(tx.commit()?)
        })
    }

    fn disable_account(&self, username: &str, audit: &Audit) -> StoreResult<Vec<Vec<u8>>> {
        self.with(|connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "UPDATE accounts SET disabled_at = COALESCE(disabled_at, ?2) WHERE username = ?1",
                params![username, audit.at],
            )?;
            let ended = end_user_sessions(&tx, username, None, audit.at, SessionEnd::Disabled)?;
            insert_audit(&tx, audit)?;
            tx.commit()?;
            Ok(ended)
        })
    }

    fn set_password(&self, new: NewPassword<'_>, audit: &Audit) -> StoreResult<Vec<Vec<u8>>> {
        let NewPassword {
            username,
            password_hash,
            must_change,
            end,
        } = new;
        self.with(|connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "UPDATE accounts SET password_hash = ?2, must_change_password = ?3
                 WHERE username = ?1",
                params![username, password_hash, must_change],
            )?;
            let ended = end_user_sessions(&tx, username, end.keep, audit.at, end.reason)?;
            insert_audit(&tx, audit)?;
            tx.commit()?;
            Ok(ended)
        })
    }

    fn former_zones(&self, username: &str, since_ms: i64) -> StoreResult<Vec<(String, i64)>> {
        self.with(|connection| {
            let mut statement = connection.prepare(
                "SELECT zone, left_at FROM zone_departures WHERE username = ?1 AND left_at >= ?2
                 ORDER BY left_at, zone",
            )?;
            let rows = statement.query_map(params![username, since_ms], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    fn create_session(&self, session: &NewSession<'_>) -> StoreResult<()> {
        self.with(|connection| {
            connection.execute(
                "INSERT INTO sessions (token_hash, username, expires_unix, id, device,
                   signed_in_at, last_seen)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                params![
                    session.token_hash,
                    session.username,
                    session.expires_unix,
                    new_session_id(),
                    session.device,
                    session.now_ms
                ],
            )?;
            Ok(())
        })
    }

    fn live_session(&self, token_hash: &[u8], now_unix: i64) -> StoreResult<Option<LiveSession>> {
        self.with(|connection| {
            Ok(connection
                .query_row(
                    "SELECT id, username, device, last_seen FROM sessions
                     WHERE token_hash = ?1 AND revoked = 0 AND ended_remotely_at IS NULL
                       AND expires_unix > ?2",
                    params![token_hash, now_unix],
                    |row| {
                        Ok(LiveSession {
                            id: row.get(0)?,
                            username: row.get(1)?,
                            device: row.get(2)?,
                            last_seen: row.get(3)?,
                        })
                    },
                )
                .optional()?)
        })
    }

    fn ended_remotely(&self, token_hash: &[u8]) -> StoreResult<Option<(String, i64)>> {
        self.with(|connection| {
            Ok(connection
                .query_row(
                    "SELECT username, ended_remotely_at FROM sessions
                     WHERE token_hash = ?1 AND ended_remotely_at IS NOT NULL
                       AND ended_reason IN ('disabled', 'signed_out')",
                    [token_hash],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?)
        })
    }

    fn touch_session(
        &self,
        token_hash: &[u8],
        now_ms: i64,
        pending: Option<u64>,
    ) -> StoreResult<()> {
        self.with(|connection| {
            connection.execute(
                "UPDATE sessions SET last_seen = MAX(last_seen, ?2), pending = COALESCE(?3, pending)
                 WHERE token_hash = ?1",
                params![token_hash, now_ms, pending.map(|n| n.min(i64::MAX as u64) as i64)],
            )?;
            Ok(())
        })
    }

    fn site_sessions(&self, site: &str, now_unix: i64) -> StoreResult<Vec<(String, DeviceEntry)>> {
        self.with(|connection| {
            let mut statement = connection.prepare(
                "SELECT sessions.username, sessions.id, sessions.device, sessions.signed_in_at,
                        sessions.last_seen, sessions.pending
                 FROM sessions JOIN accounts ON accounts.username = sessions.username
                 WHERE accounts.site = ?1 AND sessions.revoked = 0
                   AND sessions.ended_remotely_at IS NULL AND sessions.expires_unix > ?2
                 ORDER BY sessions.signed_in_at DESC, sessions.id",
            )?;
            let rows = statement.query_map(params![site, now_unix], |row| {
                Ok((
                    row.get(0)?,
                    DeviceEntry {
                        id: row.get(1)?,
                        device: row.get(2)?,
                        signed_in_at: row.get(3)?,
                        last_seen: row.get(4)?,
                        pending: row.get::<_, Option<i64>>(5)?.map(|n| n.max(0) as u64),
                    },
                ))
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    fn end_session(
        &self,
        id: &str,
        reason: SessionEnd,
        audit: &Audit,
    ) -> StoreResult<Option<Vec<u8>>> {
        let (site, now_unix) = (&audit.site, audit.at / 1000);
        self.with(|connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let ended: Option<Vec<u8>> = tx
                .query_row(
                    "UPDATE sessions SET ended_remotely_at = ?4, ended_reason = ?5
                     WHERE id = ?2 AND revoked = 0 AND ended_remotely_at IS NULL
                       AND expires_unix > ?3
                       AND username IN (SELECT username FROM accounts WHERE site = ?1)
                     RETURNING token_hash",
                    params![site, id, now_unix, audit.at, reason.as_str()],
                    |row| row.get(0),
                )
                .optional()?;
            if ended.is_some() {
                insert_audit(&tx, audit)?;
                tx.commit()?;
            }
            Ok(ended)
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

    fn issue_sign_in_code(&self, hash: &[u8], expires_ms: i64, audit: &Audit) -> StoreResult<()> {
        let (code_hash, username) = (hash, &audit.target);
        self.with(|connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "INSERT INTO sign_in_codes (code_hash, username, expires_ms) VALUES (?1, ?2, ?3)",
                params![code_hash, username, expires_ms],
            )?;
            insert_audit(&tx, audit)?;
            Ok(tx.commit()?)
        })
    }

    fn redeem_sign_in_code(&self, code_hash: &[u8], now_ms: i64) -> StoreResult<Option<String>> {
        self.with(|connection| {
            Ok(connection
                .query_row(
                    "UPDATE sign_in_codes SET used_ms = ?2
                     WHERE code_hash = ?1 AND used_ms IS NULL AND expires_ms > ?2
                     RETURNING username",
                    params![code_hash, now_ms],
                    |row| row.get(0),
                )
                .optional()?)
        })
    }

    fn audit(&self, site: &str, limit: usize) -> StoreResult<Vec<AuditEntry>> {
        self.with(|connection| {
            let mut statement = connection.prepare(
                "SELECT at, actor, device, action, target, detail FROM audit
                 WHERE site = ?1 ORDER BY seq DESC LIMIT ?2",
            )?;
            let rows = statement.query_map(params![site, limit as i64], |row| {
                Ok(AuditEntry {
                    at: row.get(0)?,
                    actor: row.get(1)?,
                    device: row.get(2)?,
                    action: row.get(3)?,
                    target: row.get(4)?,
                    detail: row.get(5)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
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
        let days_since = date_column(days_since);
        let periods_since = date_column(periods_since);
        let rows: Vec<(String, String, String, Option<String>)> = self.with(|connection| {
            let mut statement = connection.prepare(&format!(
                "SELECT site, kind, zone, period FROM documents
                 WHERE site = ?1 AND (period IS NULL
                   OR (kind IN ({DAY_KINDS}) AND period >= ?2)
                   OR (kind NOT IN ({DAY_KINDS}) AND period >= ?3))
                 ORDER BY zone, kind, period",
                DAY_KINDS = day_kinds(),
            ))?;
            let rows = statement.query_map(params![site, days_since, periods_since], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })?;
        rows.into_iter()
            .map(|(site, kind, zone, period)| doc_key(site, kind, zone, period))
            .collect()
    }

    fn chunks_after(&self, id: &DocumentId, after: ChunkSeq) -> StoreResult<Chunks> {
        self.with(|connection| {
            let mut statement = connection.prepare(
                "SELECT seq, CASE WHEN is_snapshot = 1 AND covers <= ?2 THEN NULL ELSE bytes END
                 FROM chunks WHERE doc_id = ?1 AND seq > ?2
                 ORDER BY is_snapshot DESC, seq",
            )?;
            let rows = statement.query_map(params![id.as_bytes().as_slice(), after], |row| {
                Ok((
                    row.get::<_, ChunkSeq>(0)?,
                    row.get::<_, Option<Vec<u8>>>(1)?,
                ))
            })?;
            let mut chunks = Chunks {
                bytes: Vec::new(),
                through: after,
            };
            for row in rows {
                let (seq, bytes) = row?;
                chunks.through = chunks.through.max(seq);
                chunks.bytes.extend(bytes);
            }
            Ok(chunks)
        })
    }

    fn write_chunk(
        &self,
        id: &DocumentId,
        bytes: &[u8],
        write: ChunkWrite,
    ) -> StoreResult<Written> {
        self.with(|connection| write_chunk(connection, id, bytes, write))
    }

    fn changes_elsewhere(&self) -> StoreResult<ElsewhereFeed> {
        let (_, feed) = tokio::sync::mpsc::unbounded_channel();
        Ok(feed)
    }

    fn upload_state(&self, blob: &BlobRef) -> StoreResult<UploadState> {
        self.with(|connection| {
            let registered = registered_size(connection, blob)?;
            Ok(UploadState::of(registered, upload_row(connection, blob)?))
        })
    }

    fn append_upload_part(
        &self,
        blob: &BlobRef,
        uploader: &Uploader<'_>,
        part: Part<'_>,
    ) -> StoreResult<PartOutcome> {
        let Part {
            offset,
            total,
            bytes,
        } = part;
        self.with(|connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            if offset == 0 {
                delete_expired_uploads(&tx, uploader.expired_before())?;
            }
            let step = part_step(
                registered_size(&tx, blob)?,
                upload_row(&tx, blob)?.as_ref(),
                uploader,
                || reserved_bytes(&tx, uploader),
                &part,
            )?;
            let received = match step {
                PartStep::Answer(outcome) => {
                    tx.commit()?;
                    return Ok(outcome);
                }
                PartStep::Discard => {
                    delete_upload(&tx, blob)?;
                    tx.commit()?;
                    return Ok(PartOutcome::TotalChanged);
                }
                PartStep::Append { received } => received,
            };
            tx.execute(
                "INSERT INTO uploads (site, zone, hash, total, received, updated_unix, username)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (site, zone, hash) DO UPDATE
                 SET received = excluded.received, updated_unix = excluded.updated_unix,
                     username = excluded.username",
                params![
                    blob.site,
                    blob.zone,
                    blob.hash,
                    total as i64,
                    received as i64,
                    uploader.now_unix,
                    uploader.username
                ],
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

    fn documents_before(&self, kind: DocKind, before: NaiveDate) -> StoreResult<Vec<DocKey>> {
        let rows: Vec<(String, String, String, Option<String>)> = self.with(|connection| {
            let mut statement = connection.prepare(
                "SELECT site, kind, zone, period FROM documents WHERE kind = ?1 AND period < ?2",
            )?;
            let rows = statement.query_map(params![kind.as_str(), date_column(before)], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })?;
        rows.into_iter()
            .map(|(site, kind, zone, period)| doc_key(site, kind, zone, period))
            .collect()
    }

    fn delete_document(&self, id: &DocumentId) -> StoreResult<()> {
        self.with(|connection| {
            let tx = connection.transaction()?;
            let id = id.as_bytes().as_slice();
            tx.execute("DELETE FROM chunks WHERE doc_id = ?1", [id])?;
            tx.execute("DELETE FROM record_copies WHERE doc_id = ?1", [id])?;
            tx.execute("DELETE FROM documents WHERE id = ?1", [id])?;
            Ok(tx.commit()?)
        })
    }

    fn record_audit(&self, audit: &Audit) -> StoreResult<()> {
        self.with(|connection| insert_audit(connection, audit))
    }

    fn discard_upload(&self, blob: &BlobRef, username: &str) -> StoreResult<bool> {
        self.with(|connection| {
            let tx = connection.transaction()?;
            let owner = upload_row(&tx, blob)?.and_then(|held| held.owner);
            if owner.is_some_and(|owner| owner != username) {
                return Ok(false);
            }
            delete_upload(&tx, blob)?;
            tx.commit()?;
            Ok(true)
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

    fn chunk_seqs(&self, id: &DocumentId) -> StoreResult<Vec<ChunkSeq>> {
        self.with(|connection| {
            let mut statement = connection
                .prepare_cached("SELECT seq FROM chunks WHERE doc_id = ?1 ORDER BY seq")?;
            let seqs = statement
                .query_map([id.as_bytes().as_slice()], |row| row.get(0))?
                .collect::<Result<_, _>>()?;
            Ok(seqs)
        })
    }

    fn record_copy(&self, id: &DocumentId, made_from: &[ChunkSeq]) -> StoreResult<Option<Vec<u8>>> {
        self.with(|connection| {
            Ok(connection
                .query_row(
                    "SELECT bytes FROM record_copies WHERE doc_id = ?1 AND chunks = ?2",
                    params![id.as_bytes().as_slice(), seqs_text(made_from)],
                    |row| row.get(0),
                )
                .optional()?)
        })
    }

    fn put_record_copy(
        &self,
        id: &DocumentId,
        chunks: &[ChunkSeq],
        bytes: &[u8],
    ) -> StoreResult<()> {
        self.with(|connection| {
            connection.execute(
                "INSERT INTO record_copies (doc_id, chunks, bytes) VALUES (?1, ?2, ?3)
                 ON CONFLICT (doc_id) DO UPDATE SET chunks = excluded.chunks, bytes = excluded.bytes",
                params![id.as_bytes().as_slice(), seqs_text(chunks), bytes],
            )?;
            Ok(())
        })
    }

    fn site_photo_bytes(&self, site: &str) -> StoreResult<u64> {
        self.with(|connection| {
            let bytes: i64 = connection.query_row(
                "SELECT COALESCE(SUM(size), 0) FROM blobs
                 WHERE hash IN (SELECT hash FROM blob_zones WHERE site = ?1)",
                [site],
                |row| row.get(0),
            )?;
            Ok(bytes.max(0) as u64)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file made before chunks recorded what a compaction covers gets the
    /// column, keeps its chunks, and compacts by the new rule.
    #[test]
    fn a_file_from_before_covers_is_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite3");
        let id = DocumentId::from_bytes([1; 16]);
        {
            let old = Connection::open(&path).unwrap();
            old.execute_batch(
                "CREATE TABLE chunks (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    doc_id BLOB NOT NULL,
                    is_snapshot INTEGER NOT NULL,
                    bytes BLOB NOT NULL
                );",
            )
            .unwrap();
            for (is_snapshot, bytes) in [(1, b"snap".as_slice()), (0, b"inc".as_slice())] {
                old.execute(
                    "INSERT INTO chunks (doc_id, is_snapshot, bytes) VALUES (?1, ?2, ?3)",
                    params![id.as_bytes().as_slice(), is_snapshot, bytes],
                )
                .unwrap();
            }
        }
        let store = SqliteStore::open(&path).unwrap();
        store.migrate().unwrap();
        store.migrate().unwrap();
        let held = store.chunks_after(&id, 0).unwrap();
        assert_eq!(held.bytes, [b"snap".to_vec(), b"inc".to_vec()]);
        let late = store.append_chunk(&id, b"late").unwrap();
        store
            .replace_with_snapshot(&id, b"folded", held.through)
            .unwrap();
        assert_eq!(
            store.load_chunks(&id).unwrap(),
            [b"folded".to_vec(), b"late".to_vec()]
        );
        assert_eq!(
            store.chunks_after(&id, late.seq).unwrap().bytes,
            Vec::<Vec<u8>>::new()
        );
    }
}

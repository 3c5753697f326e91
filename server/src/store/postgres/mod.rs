//! The PostgreSQL store, for several servers sharing one database.
//!
//! The blocking `postgres` client behind a small `r2d2` pool. Every write
//! commits with `synchronous_commit = on` before returning, whatever the
//! database's default. Writes to one document hold a transaction-scoped
//! advisory lock on it, so its chunks commit in the order of their sequence
//! numbers (the rule `store` builds on); writes to one upload likewise, so its
//! parts are checked against what is really there.
//!
//! Live push across servers: a write that brings content `NOTIFY`s
//! [`CHANNEL`] in its own transaction, so the news leaves exactly when the
//! chunk is committed. [`Store::changes_elsewhere`] starts the `listener`
//! thread, which passes other servers' news on and reports
//! [`Elsewhere::Missed`](crate::store::Elsewhere::Missed) after losing its
//! connection.
//!
//! Must not be called from an async task: `postgres::Client` blocks on a
//! runtime of its own, which panics on tokio's async threads. Callers use
//! `store::run_blocking`, like for SQLite.

use std::time::Duration;

use chrono::NaiveDate;
use postgres::types::ToSql;
use postgres::{Client, GenericClient, NoTls};
use r2d2_postgres::{r2d2, PostgresConnectionManager};
use tokio::sync::mpsc;

use roundbook_shared::api::{AuditEntry, DeviceEntry, ZoneEntry};
use roundbook_shared::domain::{SiteInfo, ZoneRef};
use roundbook_shared::ids::DocumentId;
use roundbook_shared::schema::{DocKey, DocKind};

use listener::Listener;

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

mod listener;

/// The notification channel of chunk writes. Payload: `origin id seq`.
pub const CHANNEL: &str = "roundbook_chunks";

/// The `application_name` of the listening connection, so an operator (or a
/// test) can tell it from the pool's.
pub const LISTENER_NAME: &str = "roundbook-listen";

/// Connections per server: requests beyond it wait for one to come free.
const POOL_SIZE: u32 = 8;

/// How long connecting, or waiting for a free pooled connection, may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Advisory lock key serializing schema migrations of servers starting at once.
const MIGRATION_LOCK: i64 = 0x526f_756e_6462_6f6f; // "Roundboo"

type Pool = r2d2::Pool<PostgresConnectionManager<NoTls>>;

pub struct PostgresStore {
    pool: Pool,
    config: postgres::Config,
    /// Random for each store: marks its notifications, so its own listener
    /// skips them without looking at the document.
    origin: String,
}

impl From<postgres::Error> for StoreError {
    fn from(error: postgres::Error) -> Self {
        StoreError::Database(describe(&error))
    }
}

/// An error with its causes: the client's own text is only its kind ("db
/// error", "error connecting to server"); the reason is in the sources.
fn describe(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// A day in milliseconds: how long an unlocked sign-in failure is kept.
const DAY_MS: i64 = 24 * 3600 * 1000;

/// The migration steps, in order, with the same versions and names as
/// SQLite's (see `migrations`). Never change a released step: add one.
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
-- Codes, kinds and periods compare byte by byte ("C"), as in SQLite, so
-- listings come in the same order and periods compare as dates.
CREATE TABLE IF NOT EXISTS zones (
    site TEXT NOT NULL REFERENCES sites(code),
    code TEXT COLLATE "C" NOT NULL,
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
    token_hash BYTEA PRIMARY KEY,
    username TEXT NOT NULL REFERENCES accounts(username),
    expires_unix BIGINT NOT NULL,
    revoked BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE TABLE IF NOT EXISTS documents (
    id BYTEA PRIMARY KEY,
    site TEXT NOT NULL,
    kind TEXT COLLATE "C" NOT NULL,
    zone TEXT COLLATE "C" NOT NULL,
    period TEXT COLLATE "C"
);
CREATE INDEX IF NOT EXISTS documents_by_zone ON documents (site, zone, kind, period);
-- A compaction snapshot's `covers` is the sequence number up to which it
-- folds the document's chunks; NULL for a snapshot with content of its own.
CREATE TABLE IF NOT EXISTS chunks (
    seq BIGSERIAL PRIMARY KEY,
    doc_id BYTEA NOT NULL,
    is_snapshot BOOLEAN NOT NULL,
    bytes BYTEA NOT NULL,
    covers BIGINT
);
CREATE INDEX IF NOT EXISTS chunks_by_doc ON chunks (doc_id, seq);
-- Photo blobs, complete and checked, stored once per content.
CREATE TABLE IF NOT EXISTS blobs (
    hash TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    bytes BYTEA NOT NULL,
    stored_unix BIGINT NOT NULL
);
-- Which zones uploaded a blob: only these may read it.
CREATE TABLE IF NOT EXISTS blob_zones (
    site TEXT NOT NULL,
    zone TEXT NOT NULL,
    hash TEXT NOT NULL REFERENCES blobs(hash),
    registered_unix BIGINT NOT NULL,
    PRIMARY KEY (site, zone, hash)
);
-- Uploads in progress, and their parts in order of position.
CREATE TABLE IF NOT EXISTS uploads (
    site TEXT NOT NULL,
    zone TEXT NOT NULL,
    hash TEXT NOT NULL,
    total BIGINT NOT NULL,
    received BIGINT NOT NULL,
    updated_unix BIGINT NOT NULL,
    PRIMARY KEY (site, zone, hash)
);
CREATE TABLE IF NOT EXISTS upload_parts (
    site TEXT NOT NULL,
    zone TEXT NOT NULL,
    hash TEXT NOT NULL,
    start BIGINT NOT NULL,
    bytes BYTEA NOT NULL,
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
    secret BYTEA NOT NULL
);
"#;

/// Version 4: failed sign-ins by who they were against (`user:NAME`,
/// `address:IP`), so every server on the database throttles them alike and
/// a restart forgets nothing (`auth::SignInThrottle`).
const SIGN_IN_FAILURES: &str = r#"
CREATE TABLE sign_in_failures (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_ms BIGINT NOT NULL,
    locked_until_ms BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_by_age ON sign_in_failures (last_ms);
"#;

/// Version 5: administration, as SQLite's step 5 (see there).
const ADMINISTRATION: &str = r#"
ALTER TABLE accounts ADD COLUMN phone TEXT;
ALTER TABLE accounts ADD COLUMN disabled_at BIGINT;
ALTER TABLE accounts ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE zones ADD COLUMN retired BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE sessions ADD COLUMN id TEXT;
UPDATE sessions SET id = md5(random()::text || clock_timestamp()::text);
CREATE UNIQUE INDEX sessions_by_id ON sessions (id);
CREATE INDEX sessions_by_username ON sessions (username);
ALTER TABLE sessions ADD COLUMN device TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN signed_in_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN last_seen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN pending BIGINT;
ALTER TABLE sessions ADD COLUMN ended_remotely_at BIGINT;
ALTER TABLE sessions ADD COLUMN ended_reason TEXT;
CREATE TABLE audit (
    seq BIGSERIAL PRIMARY KEY,
    site TEXT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    device TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_by_site ON audit (site, seq);
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END
$body$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TABLE sign_in_codes (
    code_hash BYTEA PRIMARY KEY,
    username TEXT NOT NULL REFERENCES accounts(username),
    expires_ms BIGINT NOT NULL,
    used_ms BIGINT
);
CREATE TABLE zone_departures (
    username TEXT NOT NULL,
    zone TEXT NOT NULL,
    left_at BIGINT NOT NULL
);
CREATE INDEX zone_departures_by_username ON zone_departures (username, left_at);
"#;

/// Version 6: copies of documents' records for readers that never write
/// (the reports), each named by the chunks it was made from. A cache:
/// losing one costs a reload, nothing else.
const RECORD_COPIES: &str = r#"
CREATE TABLE record_copies (
    doc_id BYTEA PRIMARY KEY,
    chunks TEXT NOT NULL,
    bytes BYTEA NOT NULL
);
"#;

/// The advisory lock of one upload, held by every write to it (`$1` site,
/// `$2` zone, `$3` hash).
const UPLOAD_LOCK: &str = "hashtextextended($1 || '/' || $2 || '/' || $3, 0)";

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://…` or
    /// `postgresql://…`, as libpq takes it; TLS is not supported). Fails if
    /// it cannot be reached within a few seconds.
    pub fn connect(url: &str) -> StoreResult<Self> {
        let mut config: postgres::Config = url
            .parse()
            .map_err(|error| StoreError::Database(format!("database address: {error}")))?;
        // Appended, so it wins over anything the address sets: a change is
        // acknowledged to a tablet once committed, so the commit must be durable.
        let options = format!(
            "{} -c synchronous_commit=on",
            config.get_options().unwrap_or_default()
        );
        config.options(options.trim_start());
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("roundbook-server");
        }
        // One connection on its own first: a wrong address or password is
        // reported at once and with its reason, not as the pool's timeout.
        config.connect(NoTls)?;
        let pool = r2d2::Pool::builder()
            .max_size(POOL_SIZE)
            .min_idle(Some(1))
            .connection_timeout(CONNECT_TIMEOUT)
            .build(PostgresConnectionManager::new(config.clone(), NoTls))
            .map_err(|error| StoreError::Database(format!("connecting: {error}")))?;
        Ok(Self {
            pool,
            config,
            origin: format!("{:016x}", rand::random::<u64>()),
        })
    }

    /// Migrates to `target`, at most the last of [`STEPS`]; for tests of
    /// single steps. [`Store::migrate`] goes to the last.
    pub fn migrate_to(&self, target: SchemaVersion) -> StoreResult<Migrated> {
        self.with(|client| {
            let mut tx = client.transaction()?;
            // Servers starting at once wait here; the first migrates, the
            // others then find the database current.
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
            // Not a notice per existing table or index.
            tx.batch_execute("SET LOCAL client_min_messages = warning")?;
            let migrated = migrations::run(
                &mut PostgresMigrator(&mut tx),
                STEPS,
                target,
                chrono::Utc::now().timestamp(),
            )?;
            tx.commit()?;
            Ok(migrated)
        })
    }

    fn with<T>(&self, work: impl FnOnce(&mut Client) -> StoreResult<T>) -> StoreResult<T> {
        let mut client = self
            .pool
            .get()
            .map_err(|error| StoreError::Database(format!("no connection: {error}")))?;
        work(&mut client)
    }

    /// Runs `work` in a transaction, committed if it succeeds.
    fn in_transaction<T>(
        &self,
        work: impl FnOnce(&mut postgres::Transaction<'_>) -> StoreResult<T>,
    ) -> StoreResult<T> {
        self.with(|client| {
            let mut tx = client.transaction()?;
            let result = work(&mut tx)?;
            tx.commit()?;
            Ok(result)
        })
    }

    /// Runs `work` in a transaction holding the upload's lock, so a part is
    /// checked against the upload as it really stands.
    fn with_upload<T>(
        &self,
        blob: &BlobRef,
        work: impl FnOnce(&mut postgres::Transaction<'_>) -> StoreResult<T>,
    ) -> StoreResult<T> {
        self.with(|client| {
            let mut tx = client.transaction()?;
            tx.execute(
                &format!("SELECT pg_advisory_xact_lock({UPLOAD_LOCK})"),
                &[&blob.site, &blob.zone, &blob.hash],
            )?;
            let result = work(&mut tx)?;
            tx.commit()?;
            Ok(result)
        })
    }
}

/// Deletes every upload untouched since before `cutoff`, with its parts, in
/// a transaction of its own. Each is deleted under its upload's lock, taken
/// without waiting: an upload someone is writing to now is not abandoned, and
/// no two sweeps or writers wait for each other.
fn delete_expired_uploads(client: &mut Client, cutoff: i64) -> StoreResult<()> {
    let mut tx = client.transaction()?;
    let expired = tx.query(
        "SELECT site, zone, hash FROM uploads WHERE updated_unix < $1",
        &[&cutoff],
    )?;
    let mut deleted = 0;
    for row in expired {
        let (site, zone, hash): (String, String, String) = (row.get(0), row.get(1), row.get(2));
        let locked: bool = tx
            .query_one(
                &format!("SELECT pg_try_advisory_xact_lock({UPLOAD_LOCK})"),
                &[&site, &zone, &hash],
            )?
            .get(0);
        // Read again under the lock: a part may have touched it meanwhile.
        if locked
            && tx.execute(
                "DELETE FROM uploads
                 WHERE site = $1 AND zone = $2 AND hash = $3 AND updated_unix < $4",
                &[&site, &zone, &hash, &cutoff],
            )? == 1
        {
            tx.execute(
                "DELETE FROM upload_parts WHERE site = $1 AND zone = $2 AND hash = $3",
                &[&site, &zone, &hash],
            )?;
            deleted += 1;
        }
    }
    tx.commit()?;
    if deleted > 0 {
        tracing::info!(expired = deleted, "deleted uploads left untouched too long");
    }
    Ok(())
}

/// PostgreSQL's side of a migration, in a transaction holding
/// [`MIGRATION_LOCK`].
struct PostgresMigrator<'a, 'b>(&'a mut postgres::Transaction<'b>);

impl Migrator for PostgresMigrator<'_, '_> {
    fn create_history(&mut self) -> StoreResult<()> {
        Ok(self.0.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_unix BIGINT NOT NULL,
                adopted BOOLEAN NOT NULL
            )",
        )?)
    }

    fn recorded(&mut self) -> StoreResult<SchemaVersion> {
        let version: i32 = self
            .0
            .query_one(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                &[],
            )?
            .get(0);
        Ok(version as SchemaVersion)
    }

    fn count_tables(&mut self, tables: &[&str]) -> StoreResult<usize> {
        let count: i64 = self
            .0
            .query_one(
                "SELECT COUNT(*) FROM information_schema.tables
                 WHERE table_schema = current_schema() AND table_name = ANY($1)",
                &[&tables],
            )?
            .get(0);
        Ok(count as usize)
    }

    fn is_version_1(&mut self) -> StoreResult<bool> {
        let tables = &migrations::VERSION_1_TABLES;
        let covers: bool = self
            .0
            .query_one(
                "SELECT COUNT(*) > 0 FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = 'chunks'
                   AND column_name = 'covers'",
                &[],
            )?
            .get(0);
        Ok(self.count_tables(tables)? == tables.len() && covers)
    }

    fn complete_version_1(&mut self, step_1: &Step) -> StoreResult<()> {
        // Every PostgreSQL release had `covers`: what is missing is tables.
        self.execute(step_1.sql)
    }

    fn execute(&mut self, sql: &str) -> StoreResult<()> {
        Ok(self.0.batch_execute(sql)?)
    }

    fn record(&mut self, step: &Step, adopted: bool, now_unix: i64) -> StoreResult<()> {
        self.0.execute(
            "INSERT INTO schema_migrations (version, name, applied_unix, adopted)
             VALUES ($1, $2, $3, $4)",
            &[&(step.version as i32), &step.name, &now_unix, &adopted],
        )?;
        Ok(())
    }
}

/// The advisory lock key of a document: its first eight bytes. Two documents
/// sharing one only wait for each other.
fn document_lock(id: &DocumentId) -> i64 {
    let bytes = id.as_bytes();
    i64::from_be_bytes(bytes[..8].try_into().expect("eight bytes"))
}

fn chunk_sizes(client: &mut impl GenericClient, doc_id: &[u8]) -> StoreResult<ChunkSizes> {
    let row = client.query_one(
        "SELECT COALESCE(SUM(octet_length(bytes)) FILTER (WHERE is_snapshot), 0)::BIGINT,
                COALESCE(SUM(octet_length(bytes)) FILTER (WHERE NOT is_snapshot), 0)::BIGINT
         FROM chunks WHERE doc_id = $1",
        &[&doc_id],
    )?;
    Ok(ChunkSizes {
        snapshot_bytes: row.get::<_, i64>(0) as usize,
        incremental_bytes: row.get::<_, i64>(1) as usize,
    })
}

/// The size of a blob registered for the zone, if it is.
fn registered_size(client: &mut impl GenericClient, blob: &BlobRef) -> StoreResult<Option<u64>> {
    Ok(client
        .query_opt(
            "SELECT blobs.size FROM blob_zones JOIN blobs ON blobs.hash = blob_zones.hash
             WHERE blob_zones.site = $1 AND blob_zones.zone = $2 AND blob_zones.hash = $3",
            &[&blob.site, &blob.zone, &blob.hash],
        )?
        .map(|row| row.get::<_, i64>(0) as u64))
}

/// The upload in progress, if there is one.
fn upload_row(client: &mut impl GenericClient, blob: &BlobRef) -> StoreResult<Option<HeldUpload>> {
    Ok(client
        .query_opt(
            "SELECT username, total, received FROM uploads
             WHERE site = $1 AND zone = $2 AND hash = $3",
            &[&blob.site, &blob.zone, &blob.hash],
        )?
        .map(|row| HeldUpload {
            owner: row.get(0),
            total: row.get::<_, i64>(1) as u64,
            received: row.get::<_, i64>(2) as u64,
        }))
}

/// The declared totals of the uploader's unexpired uploads in progress,
/// under a lock on the user: uploads they start at once on several servers
/// are counted one after the other.
fn reserved_bytes(client: &mut impl GenericClient, uploader: &Uploader<'_>) -> StoreResult<u64> {
    client.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended('uploads of ' || $1, 0))",
        &[&uploader.username],
    )?;
    let reserved: i64 = client
        .query_one(
            "SELECT COALESCE(SUM(total), 0)::BIGINT FROM uploads
             WHERE username = $1 AND updated_unix >= $2",
            &[&uploader.username, &uploader.expired_before()],
        )?
        .get(0);
    Ok(reserved as u64)
}

fn delete_upload(client: &mut impl GenericClient, blob: &BlobRef) -> StoreResult<()> {
    for table in ["upload_parts", "uploads"] {
        client.execute(
            &format!("DELETE FROM {table} WHERE site = $1 AND zone = $2 AND hash = $3"),
            &[&blob.site, &blob.zone, &blob.hash],
        )?;
    }
    Ok(())
}

fn insert_audit(client: &mut impl GenericClient, audit: &Audit) -> StoreResult<()> {
    client.execute(
        "INSERT INTO audit (site, at, actor, device, action, target, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &audit.site,
            &audit.at,
            &audit.actor,
            &audit.device,
            &audit.action,
            &audit.target,
            &audit.detail,
        ],
    )?;
    Ok(())
}

/// Ends remotely, at `at` (unix ms) for `reason`, every live session of
/// `username` but `keep`; returns their token hashes.
fn end_user_sessions(
    client: &mut impl GenericClient,
    username: &str,
    keep: Option<&[u8]>,
    at: i64,
    reason: SessionEnd,
) -> StoreResult<Vec<Vec<u8>>> {
    Ok(client
        .query(
            "UPDATE sessions SET ended_remotely_at = $3::BIGINT, ended_reason = $4
             WHERE username = $1 AND NOT revoked AND ended_remotely_at IS NULL
               AND expires_unix > $3::BIGINT / 1000 AND token_hash IS DISTINCT FROM $2::BYTEA
             RETURNING token_hash",
            &[&username, &keep, &at, &reason.as_str()],
        )?
        .iter()
        .map(|row| row.get(0))
        .collect())
}

/// An account's roles and zones as their columns store them.
struct AccountColumns {
    roles: String,
    zones: String,
}

impl AccountColumns {
    fn of(account: &Account) -> Self {
        Self {
            roles: roles_column(&account.roles),
            zones: zones_column(&account.zones),
        }
    }
}

/// An account's row, in the order the inserts name its columns.
fn account_values<'a>(
    account: &'a Account,
    columns: &'a AccountColumns,
) -> [&'a (dyn ToSql + Sync); 9] {
    [
        &account.username,
        &account.display_name,
        &account.site,
        &account.password_hash,
        &columns.roles,
        &columns.zones,
        &account.phone,
        &account.disabled_at,
        &account.must_change_password,
    ]
}

fn read_account(row: &postgres::Row) -> StoreResult<Account> {
    account(AccountRow {
        username: row.get(0),
        display_name: row.get(1),
        site: row.get(2),
        password_hash: row.get(3),
        roles: row.get(4),
        zones: row.get(5),
        phone: row.get(6),
        disabled_at: row.get(7),
        must_change_password: row.get(8),
    })
}

fn catalog_key(row: &postgres::Row) -> StoreResult<DocKey> {
    doc_key(row.get(0), row.get(1), row.get(2), row.get(3))
}

impl Store for PostgresStore {
    fn migrate(&self) -> StoreResult<Migrated> {
        self.migrate_to(migrations::latest(STEPS))
    }

    fn health_check(&self) -> StoreResult<()> {
        self.with(|client| Ok(client.batch_execute("SELECT 1")?))
    }

    fn secret(&self, name: &str) -> StoreResult<Vec<u8>> {
        let made: [u8; 32] = rand::random();
        self.with(|client| {
            client.execute(
                "INSERT INTO server_secrets (name, secret) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
                &[&name, &made.as_slice()],
            )?;
            Ok(client
                .query_one("SELECT secret FROM server_secrets WHERE name = $1", &[&name])?
                .get(0))
        })
    }

    fn sign_in_locked_until(&self, keys: [&str; 2]) -> StoreResult<i64> {
        self.with(|client| {
            Ok(client
                .query_one(
                    "SELECT COALESCE(MAX(locked_until_ms), 0) FROM sign_in_failures
                     WHERE key = $1 OR key = $2",
                    &[&keys[0], &keys[1]],
                )?
                .get(0))
        })
    }

    fn count_sign_in_failure(&self, key: &str, now_ms: i64, window_ms: i64) -> StoreResult<u32> {
        self.with(|client| {
            let mut tx = client.transaction()?;
            tx.execute(
                "DELETE FROM sign_in_failures WHERE last_ms < $1 AND locked_until_ms < $2",
                &[&(now_ms - DAY_MS), &now_ms],
            )?;
            let failures: i32 = tx
                .query_one(
                    "INSERT INTO sign_in_failures (key, failures, last_ms, locked_until_ms)
                     VALUES ($1, 1, $2, 0)
                     ON CONFLICT (key) DO UPDATE SET
                         failures = CASE WHEN sign_in_failures.last_ms < $2 - $3 THEN 1
                                         ELSE sign_in_failures.failures + 1 END,
                         last_ms = $2
                     RETURNING failures",
                    &[&key, &now_ms, &window_ms],
                )?
                .get(0);
            tx.commit()?;
            Ok(failures.max(0) as u32)
        })
    }

    fn lock_sign_in(&self, key: &str, until_ms: i64) -> StoreResult<()> {
        self.with(|client| {
            client.execute(
                "UPDATE sign_in_failures SET locked_until_ms = GREATEST(locked_until_ms, $2)
                 WHERE key = $1",
                &[&key, &until_ms],
            )?;
            Ok(())
        })
    }

    fn clear_sign_in_failures(&self, key: &str) -> StoreResult<()> {
        self.with(|client| {
            client.execute("DELETE FROM sign_in_failures WHERE key = $1", &[&key])?;
            Ok(())
        })
    }

    fn site_codes(&self) -> StoreResult<Vec<String>> {
        let rows =
            self.with(|client| Ok(client.query("SELECT code FROM sites ORDER BY code", &[])?))?;
        Ok(rows.iter().map(|row| row.get(0)).collect())
    }

    fn site(&self, code: &str) -> StoreResult<Option<SiteInfo>> {
        self.with(|client| {
            Ok(client
                .query_opt(
                    "SELECT code, name, timezone FROM sites WHERE code = $1",
                    &[&code],
                )?
                .map(|row| SiteInfo {
                    code: row.get(0),
                    name: row.get(1),
                    timezone: row.get(2),
                }))
        })
    }

    fn zone_list(&self, site: &str) -> StoreResult<Vec<ZoneEntry>> {
        self.with(|client| {
            Ok(client
                .query(
                    "SELECT code, name, retired FROM zones WHERE site = $1 ORDER BY code",
                    &[&site],
                )?
                .iter()
                .map(|row| ZoneEntry {
                    code: row.get(0),
                    name: row.get(1),
                    retired: row.get(2),
                })
                .collect())
        })
    }

    fn create_zone(&self, site: &str, zone: &ZoneEntry, audit: &Audit) -> StoreResult<bool> {
        self.in_transaction(|tx| {
            let created = tx.execute(
                "INSERT INTO zones (site, code, name, retired) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (site, code) DO NOTHING",
                &[&site, &zone.code, &zone.name, &zone.retired],
            )? == 1;
            if created {
                insert_audit(tx, audit)?;
            }
            Ok(created)
        })
    }

    fn change_zone(&self, site: &str, zone: &ZoneEntry, audit: &Audit) -> StoreResult<bool> {
        self.in_transaction(|tx| {
            let changed = tx.execute(
                "UPDATE zones SET name = $3, retired = $4 WHERE site = $1 AND code = $2",
                &[&site, &zone.code, &zone.name, &zone.retired],
            )? == 1;
            if changed {
                insert_audit(tx, audit)?;
            }
            Ok(changed)
        })
    }

    fn put_site(&self, site: &SiteInfo, zones: &[ZoneRef]) -> StoreResult<()> {
        self.with(|client| {
            let mut tx = client.transaction()?;
            tx.execute(
                "INSERT INTO sites (code, name, timezone) VALUES ($1, $2, $3)
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name, timezone = excluded.timezone",
                &[&site.code, &site.name, &site.timezone],
            )?;
            for zone in zones {
                tx.execute(
                    "INSERT INTO zones (site, code, name) VALUES ($1, $2, $3)
                     ON CONFLICT (site, code) DO UPDATE SET name = excluded.name",
                    &[&site.code, &zone.code, &zone.name],
                )?;
            }
            Ok(tx.commit()?)
        })
    }

    fn create_site(&self, site: &SiteInfo, zones: &[ZoneRef]) -> StoreResult<bool> {
        self.with(|client| {
            let mut tx = client.transaction()?;
            // A server creating the same site at once waits here for our commit.
            let created = tx.execute(
                "INSERT INTO sites (code, name, timezone) VALUES ($1, $2, $3)
                 ON CONFLICT (code) DO NOTHING",
                &[&site.code, &site.name, &site.timezone],
            )? == 1;
            if !created {
                return Ok(false);
            }
            for zone in zones {
                tx.execute(
                    "INSERT INTO zones (site, code, name) VALUES ($1, $2, $3)",
                    &[&site.code, &zone.code, &zone.name],
                )?;
            }
            tx.commit()?;
            Ok(true)
        })
    }

    fn account(&self, username: &str) -> StoreResult<Option<Account>> {
        let row = self.with(|client| {
            Ok(client.query_opt(
                &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE username = $1"),
                &[&username],
            )?)
        })?;
        row.as_ref().map(read_account).transpose()
    }

    fn put_account(&self, account: &Account) -> StoreResult<()> {
        let columns = AccountColumns::of(account);
        self.with(|client| {
            client.execute(
                "INSERT INTO accounts (username, display_name, site, password_hash, roles, zones,
                   phone, disabled_at, must_change_password)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (username) DO UPDATE SET display_name = excluded.display_name,
                   site = excluded.site, password_hash = excluded.password_hash,
                   roles = excluded.roles, zones = excluded.zones, phone = excluded.phone,
                   disabled_at = excluded.disabled_at,
                   must_change_password = excluded.must_change_password",
                &account_values(account, &columns),
            )?;
            Ok(())
        })
    }

    fn accounts(&self, site: &str) -> StoreResult<Vec<Account>> {
        let rows = self.with(|client| {
            Ok(client.query(
                &format!(
                    "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE site = $1
                     ORDER BY username COLLATE \"C\""
                ),
                &[&site],
            )?)
        })?;
        rows.iter().map(read_account).collect()
    }

    fn create_account(&self, account: &Account, audit: &Audit) -> StoreResult<bool> {
        let columns = AccountColumns::of(account);
        self.in_transaction(|tx| {
            let created = tx.execute(
                "INSERT INTO accounts (username, display_name, site, password_hash, roles, zones,
                   phone, disabled_at, must_change_password)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (username) DO NOTHING",
                &account_values(account, &columns),
            )? == 1;
            if created {
                insert_audit(tx, audit)?;
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
        self.in_transaction(|tx| {
            tx.execute(
                "UPDATE accounts SET display_name = $2, phone = $3, roles = $4, zones = $5
                 WHERE username = $1",
                &[
                    &account.username,
                    &account.display_name,
                    &account.phone,
                    &roles_column(&account.roles),
                    &zones_column(&account.zones),
                ],
            )?;
            for zone in lost_zones {
                tx.execute(
                    "INSERT INTO zone_departures (username, zone, left_at) VALUES ($1, $2, $3)",
                    &[&account.username, zone, &audit.at],
                )?;
            }
            insert_audit(tx, audit)
        })
    }

    fn disable_account(&self, username: &str, audit: &Audit) -> StoreResult<Vec<Vec<u8>>> {
        self.in_transaction(|tx| {
            tx.execute(
                "UPDATE accounts SET disabled_at = COALESCE(disabled_at, $2) WHERE username = $1",
                &[&username, &audit.at],
            )?;
            let ended = end_user_sessions(tx, username, None, audit.at, SessionEnd::Disabled)?;
            insert_audit(tx, audit)?;
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
        self.in_transaction(|tx| {
            tx.execute(
                "UPDATE accounts SET password_hash = $2, must_change_password = $3
                 WHERE username = $1",
                &[&username, &password_hash, &must_change],
            )?;
            let ended = end_user_sessions(tx, username, end.keep, audit.at, end.reason)?;
            insert_audit(tx, audit)?;
            Ok(ended)
        })
    }

    fn former_zones(&self, username: &str, since_ms: i64) -> StoreResult<Vec<(String, i64)>> {
        self.with(|client| {
            Ok(client
                .query(
                    "SELECT zone, left_at FROM zone_departures
                     WHERE username = $1 AND left_at >= $2 ORDER BY left_at, zone",
                    &[&username, &since_ms],
                )?
                .iter()
                .map(|row| (row.get(0), row.get(1)))
                .collect())
        })
    }

    fn create_session(&self, session: &NewSession<'_>) -> StoreResult<()> {
        self.with(|client| {
            client.execute(
                "INSERT INTO sessions (token_hash, username, expires_unix, id, device,
                   signed_in_at, last_seen)
                 VALUES ($1, $2, $3, $4, $5, $6, $6)",
                &[
                    &session.token_hash,
                    &session.username,
                    &session.expires_unix,
                    &new_session_id(),
                    &session.device,
                    &session.now_ms,
                ],
            )?;
            Ok(())
        })
    }

    fn live_session(&self, token_hash: &[u8], now_unix: i64) -> StoreResult<Option<LiveSession>> {
        self.with(|client| {
            Ok(client
                .query_opt(
                    "SELECT id, username, device, last_seen FROM sessions
                     WHERE token_hash = $1 AND NOT revoked AND ended_remotely_at IS NULL
                       AND expires_unix > $2",
                    &[&token_hash, &now_unix],
                )?
                .map(|row| LiveSession {
                    id: row.get(0),
                    username: row.get(1),
                    device: row.get(2),
                    last_seen: row.get(3),
                }))
        })
    }

    fn ended_remotely(&self, token_hash: &[u8]) -> StoreResult<Option<(String, i64)>> {
        self.with(|client| {
            Ok(client
                .query_opt(
                    "SELECT username, ended_remotely_at FROM sessions
                     WHERE token_hash = $1 AND ended_remotely_at IS NOT NULL
                       AND ended_reason IN ('disabled', 'signed_out')",
                    &[&token_hash],
                )?
                .map(|row| (row.get(0), row.get(1))))
        })
    }

    fn touch_session(
        &self,
        token_hash: &[u8],
        now_ms: i64,
        pending: Option<u64>,
    ) -> StoreResult<()> {
        let pending = pending.map(|n| n.min(i64::MAX as u64) as i64);
        self.with(|client| {
            client.execute(
                "UPDATE sessions SET last_seen = GREATEST(last_seen, $2),
                   pending = COALESCE($3, pending)
                 WHERE token_hash = $1",
                &[&token_hash, &now_ms, &pending],
            )?;
            Ok(())
        })
    }

    fn site_sessions(&self, site: &str, now_unix: i64) -> StoreResult<Vec<(String, DeviceEntry)>> {
        self.with(|client| {
            Ok(client
                .query(
                    "SELECT sessions.username, sessions.id, sessions.device, sessions.signed_in_at,
                            sessions.last_seen, sessions.pending
                     FROM sessions JOIN accounts ON accounts.username = sessions.username
                     WHERE accounts.site = $1 AND NOT sessions.revoked
                       AND sessions.ended_remotely_at IS NULL AND sessions.expires_unix > $2
                     ORDER BY sessions.signed_in_at DESC, sessions.id",
                    &[&site, &now_unix],
                )?
                .iter()
                .map(|row| {
                    (
                        row.get(0),
                        DeviceEntry {
                            id: row.get(1),
                            device: row.get(2),
                            signed_in_at: row.get(3),
                            last_seen: row.get(4),
                            pending: row.get::<_, Option<i64>>(5).map(|n| n.max(0) as u64),
                        },
                    )
                })
                .collect())
        })
    }

    fn end_session(
        &self,
        id: &str,
        reason: SessionEnd,
        audit: &Audit,
    ) -> StoreResult<Option<Vec<u8>>> {
        let (site, now_unix) = (&audit.site, audit.at / 1000);
        self.in_transaction(|tx| {
            let ended: Option<Vec<u8>> = tx
                .query_opt(
                    "UPDATE sessions SET ended_remotely_at = $4, ended_reason = $5
                     WHERE id = $2 AND NOT revoked AND ended_remotely_at IS NULL
                       AND expires_unix > $3
                       AND username IN (SELECT username FROM accounts WHERE site = $1)
                     RETURNING token_hash",
                    &[&site, &id, &now_unix, &audit.at, &reason.as_str()],
                )?
                .map(|row| row.get(0));
            if ended.is_some() {
                insert_audit(tx, audit)?;
            }
            Ok(ended)
        })
    }

    fn issue_sign_in_code(&self, hash: &[u8], expires_ms: i64, audit: &Audit) -> StoreResult<()> {
        let (code_hash, username) = (hash, &audit.target);
        self.in_transaction(|tx| {
            tx.execute(
                "INSERT INTO sign_in_codes (code_hash, username, expires_ms) VALUES ($1, $2, $3)",
                &[&code_hash, &username, &expires_ms],
            )?;
            insert_audit(tx, audit)
        })
    }

    fn redeem_sign_in_code(&self, code_hash: &[u8], now_ms: i64) -> StoreResult<Option<String>> {
        self.with(|client| {
            Ok(client
                .query_opt(
                    "UPDATE sign_in_codes SET used_ms = $2
                     WHERE code_hash = $1 AND used_ms IS NULL AND expires_ms > $2
                     RETURNING username",
                    &[&code_hash, &now_ms],
                )?
                .map(|row| row.get(0)))
        })
    }

    fn audit(&self, site: &str, limit: usize) -> StoreResult<Vec<AuditEntry>> {
        let limit = limit as i64;
        self.with(|client| {
            Ok(client
                .query(
                    "SELECT at, actor, device, action, target, detail FROM audit
                     WHERE site = $1 ORDER BY seq DESC LIMIT $2",
                    &[&site, &limit],
                )?
                .iter()
                .map(|row| AuditEntry {
                    at: row.get(0),
                    actor: row.get(1),
                    device: row.get(2),
                    action: row.get(3),
                    target: row.get(4),
                    detail: row.get(5),
                })
                .collect())
        })
    }

    fn revoke_session(&self, token_hash: &[u8]) -> StoreResult<()> {
        self.with(|client| {
            client.execute(
                "UPDATE sessions SET revoked = TRUE WHERE token_hash = $1",
                &[&token_hash],
            )?;
            Ok(())
        })
    }

    fn document_key(&self, id: &DocumentId) -> StoreResult<Option<DocKey>> {
        let row = self.with(|client| {
            Ok(client.query_opt(
                "SELECT site, kind, zone, period FROM documents WHERE id = $1",
                &[&id.as_bytes().as_slice()],
            )?)
        })?;
        row.as_ref().map(catalog_key).transpose()
    }

    fn register_document(&self, id: &DocumentId, key: &DocKey) -> StoreResult<()> {
        self.with(|client| {
            client.execute(
                "INSERT INTO documents (id, site, kind, zone, period) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (id) DO NOTHING",
                &[
                    &id.as_bytes().as_slice(),
                    &key.site,
                    &key.kind.as_str(),
                    &key.zone,
                    &key.period(),
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
        let rows = self.with(|client| {
            Ok(client.query(
                &format!(
                    "SELECT site, kind, zone, period FROM documents
                 WHERE site = $1 AND (period IS NULL
                   OR (kind IN ({DAY_KINDS}) AND period >= $2)
                   OR (kind NOT IN ({DAY_KINDS}) AND period >= $3))
                 ORDER BY zone, kind, period",
                    DAY_KINDS = day_kinds(),
                ),
                &[&site, &date_column(days_since), &date_column(periods_since)],
            )?)
        })?;
        rows.iter().map(catalog_key).collect()
    }

    fn documents_before(&self, kind: DocKind, before: NaiveDate) -> StoreResult<Vec<DocKey>> {
        let rows = self.with(|client| {
            Ok(client.query(
                "SELECT site, kind, zone, period FROM documents WHERE kind = $1 AND period < $2",
                &[&kind.as_str(), &date_column(before)],
            )?)
        })?;
        rows.iter().map(catalog_key).collect()
    }

    fn record_audit(&self, audit: &Audit) -> StoreResult<()> {
        self.in_transaction(|tx| insert_audit(tx, audit))
    }

    fn delete_document(&self, id: &DocumentId) -> StoreResult<()> {
        self.in_transaction(|tx| {
            let id = id.as_bytes().as_slice();
            tx.execute("DELETE FROM chunks WHERE doc_id = $1", &[&id])?;
            tx.execute("DELETE FROM record_copies WHERE doc_id = $1", &[&id])?;
            tx.execute("DELETE FROM documents WHERE id = $1", &[&id])?;
            Ok(())
        })
    }

    fn chunks_after(&self, id: &DocumentId, after: ChunkSeq) -> StoreResult<Chunks> {
        let rows = self.with(|client| {
            Ok(client.query(
                "SELECT seq, CASE WHEN is_snapshot AND covers <= $2 THEN NULL ELSE bytes END
                 FROM chunks WHERE doc_id = $1 AND seq > $2
                 ORDER BY is_snapshot DESC, seq",
                &[&id.as_bytes().as_slice(), &after],
            )?)
        })?;
        let mut chunks = Chunks {
            bytes: Vec::new(),
            through: after,
        };
        for row in rows {
            chunks.through = chunks.through.max(row.get(0));
            chunks.bytes.extend(row.get::<_, Option<Vec<u8>>>(1));
        }
        Ok(chunks)
    }

    /// Writes one chunk under the document's lock: the highest sequence
    /// number read first is still the highest when the chunk commits.
    /// A chunk with content of its own is announced to the other servers.
    fn write_chunk(
        &self,
        id: &DocumentId,
        bytes: &[u8],
        write: ChunkWrite,
    ) -> StoreResult<Written> {
        let (is_snapshot, covers) = (write.is_snapshot(), write.covers());
        let doc_id = id.as_bytes().as_slice();
        self.with(|client| {
            let mut tx = client.transaction()?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&document_lock(id)])?;
            // A statement of its own, after the lock: its snapshot sees every
            // chunk committed by the writer we waited for.
            let after: ChunkSeq = tx
                .query_one(
                    "SELECT COALESCE(MAX(seq), 0) FROM chunks WHERE doc_id = $1",
                    &[&doc_id],
                )?
                .get(0);
            if let Some(covers) = covers {
                tx.execute(
                    "DELETE FROM chunks WHERE doc_id = $1 AND seq <= $2",
                    &[&doc_id, &covers],
                )?;
            }
            let seq: ChunkSeq = tx
                .query_one(
                    "INSERT INTO chunks (doc_id, is_snapshot, bytes, covers)
                     VALUES ($1, $2, $3, $4) RETURNING seq",
                    &[&doc_id, &is_snapshot, &bytes, &covers],
                )?
                .get(0);
            if covers.is_none() {
                let news = listener::news(&self.origin, id, seq);
                tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &news])?;
            }
            let sizes = chunk_sizes(&mut tx, doc_id)?;
            tx.commit()?;
            Ok(Written { seq, after, sizes })
        })
    }

    fn changes_elsewhere(&self) -> StoreResult<ElsewhereFeed> {
        let (news, feed) = mpsc::unbounded_channel();
        let mut config = self.config.clone();
        config.application_name(LISTENER_NAME);
        let listener = Listener::new(config, self.origin.clone(), news);
        let client = listener.listen()?;
        std::thread::Builder::new()
            .name(LISTENER_NAME.into())
            .spawn(move || listener.run(client))
            .map_err(|error| StoreError::Database(format!("starting the listener: {error}")))?;
        Ok(feed)
    }

    fn upload_state(&self, blob: &BlobRef) -> StoreResult<UploadState> {
        self.with(|client| {
            let registered = registered_size(client, blob)?;
            Ok(UploadState::of(registered, upload_row(client, blob)?))
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
        if offset == 0 {
            self.with(|client| delete_expired_uploads(client, uploader.expired_before()))?;
        }
        self.with_upload(blob, |tx| {
            let registered = registered_size(tx, blob)?;
            let held = upload_row(tx, blob)?;
            let step = part_step(
                registered,
                held.as_ref(),
                uploader,
                || reserved_bytes(tx, uploader),
                &part,
            )?;
            let received = match step {
                PartStep::Answer(outcome) => return Ok(outcome),
                PartStep::Discard => {
                    delete_upload(tx, blob)?;
                    return Ok(PartOutcome::TotalChanged);
                }
                PartStep::Append { received } => received,
            };
            tx.execute(
                "INSERT INTO uploads (site, zone, hash, total, received, updated_unix, username)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (site, zone, hash) DO UPDATE
                 SET received = excluded.received, updated_unix = excluded.updated_unix,
                     username = excluded.username",
                &[
                    &blob.site,
                    &blob.zone,
                    &blob.hash,
                    &(total as i64),
                    &(received as i64),
                    &uploader.now_unix,
                    &uploader.username,
                ],
            )?;
            tx.execute(
                "INSERT INTO upload_parts (site, zone, hash, start, bytes)
                 VALUES ($1, $2, $3, $4, $5)",
                &[&blob.site, &blob.zone, &blob.hash, &(offset as i64), &bytes],
            )?;
            Ok(PartOutcome::Appended { received })
        })
    }

    fn upload_bytes(&self, blob: &BlobRef) -> StoreResult<Vec<u8>> {
        let parts = self.with(|client| {
            Ok(client.query(
                "SELECT bytes FROM upload_parts WHERE site = $1 AND zone = $2 AND hash = $3
                 ORDER BY start",
                &[&blob.site, &blob.zone, &blob.hash],
            )?)
        })?;
        Ok(parts
            .iter()
            .flat_map(|row| row.get::<_, Vec<u8>>(0))
            .collect())
    }

    fn discard_upload(&self, blob: &BlobRef, username: &str) -> StoreResult<bool> {
        self.with_upload(blob, |tx| {
            let owner = upload_row(tx, blob)?.and_then(|held| held.owner);
            if owner.is_some_and(|owner| owner != username) {
                return Ok(false);
            }
            delete_upload(tx, blob)?;
            Ok(true)
        })
    }

    fn commit_blob(&self, blob: &BlobRef, content_type: &str, bytes: &[u8]) -> StoreResult<()> {
        self.with_upload(blob, |tx| {
            let now = chrono::Utc::now().timestamp();
            tx.execute(
                "INSERT INTO blobs (hash, content_type, size, bytes, stored_unix)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (hash) DO NOTHING",
                &[
                    &blob.hash,
                    &content_type,
                    &(bytes.len() as i64),
                    &bytes,
                    &now,
                ],
            )?;
            tx.execute(
                "INSERT INTO blob_zones (site, zone, hash, registered_unix)
                 VALUES ($1, $2, $3, $4) ON CONFLICT (site, zone, hash) DO NOTHING",
                &[&blob.site, &blob.zone, &blob.hash, &now],
            )?;
            delete_upload(tx, blob)
        })
    }

    fn blob(&self, blob: &BlobRef) -> StoreResult<Option<(String, Vec<u8>)>> {
        self.with(|client| {
            Ok(client
                .query_opt(
                    "SELECT blobs.content_type, blobs.bytes FROM blob_zones
                     JOIN blobs ON blobs.hash = blob_zones.hash
                     WHERE blob_zones.site = $1 AND blob_zones.zone = $2
                       AND blob_zones.hash = $3",
                    &[&blob.site, &blob.zone, &blob.hash],
                )?
                .map(|row| (row.get(0), row.get(1))))
        })
    }

    fn chunk_seqs(&self, id: &DocumentId) -> StoreResult<Vec<ChunkSeq>> {
        let rows = self.with(|client| {
            Ok(client.query(
                "SELECT seq FROM chunks WHERE doc_id = $1 ORDER BY seq",
                &[&id.as_bytes().as_slice()],
            )?)
        })?;
        Ok(rows.iter().map(|row| row.get(0)).collect())
    }

    fn record_copy(&self, id: &DocumentId, made_from: &[ChunkSeq]) -> StoreResult<Option<Vec<u8>>> {
        let row = self.with(|client| {
            Ok(client.query_opt(
                "SELECT bytes FROM record_copies WHERE doc_id = $1 AND chunks = $2",
                &[&id.as_bytes().as_slice(), &seqs_text(made_from)],
            )?)
        })?;
        Ok(row.map(|row| row.get(0)))
    }

    fn put_record_copy(
        &self,
        id: &DocumentId,
        chunks: &[ChunkSeq],
        bytes: &[u8],
    ) -> StoreResult<()> {
        self.with(|client| {
            client.execute(
                "INSERT INTO record_copies (doc_id, chunks, bytes) VALUES ($1, $2, $3)
                 ON CONFLICT (doc_id) DO UPDATE SET chunks = EXCLUDED.chunks, bytes = EXCLUDED.bytes",
                &[&id.as_bytes().as_slice(), &seqs_text(chunks), &bytes],
            )?;
            Ok(())
        })
    }

    fn site_photo_bytes(&self, site: &str) -> StoreResult<u64> {
        self.with(|client| {
            let bytes: i64 = client
                .query_one(
                    "SELECT COALESCE(SUM(size), 0)::BIGINT FROM blobs
                     WHERE hash IN (SELECT hash FROM blob_zones WHERE site = $1)",
                    &[&site],
                )?
                .get(0);
            Ok(bytes.max(0) as u64)
        })
    }
}

//! `roundbook-server backup` and `restore` for a SQLite database: a
//! consistent copy taken while the server runs, and a new database made from
//! one, checked before anything is written.
//!
//! A backup is `VACUUM INTO` a new file: SQLite copies the database as one
//! read transaction sees it, so the copy holds every transaction committed
//! before the copy began (the sync layer acknowledges a change only once
//! committed) and none half. In WAL mode the read blocks no writer, so tablets
//! keep syncing meanwhile. Photos live in the database (`blobs`), so they are
//! in the copy. The file is flushed to disk, checked, and summed up.
//!
//! A restore checks that the backup opens, passes `PRAGMA integrity_check`,
//! and is a Roundbook database at a schema version this release can migrate;
//! then copies it to a new file (again `VACUUM INTO`) and migrates that.
//!
//! Must not: overwrite or delete a file it did not create (an existing `--out`
//! or `--db` is refused), change the database backed up or the backup
//! restored from, or run against PostgreSQL (its own `pg_dump` and
//! `pg_restore` do this; see docs/deploy.md).

use std::fmt;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

use crate::store::migrations::{self, Migrated, SchemaVersion};
use crate::store::sqlite::{count_tables, recorded_version, SqliteStore};
use crate::store::{is_postgres_address, Store, StoreError};

#[derive(thiserror::Error)]
pub enum BackupError {
    /// `--db` is a PostgreSQL address: its own tools do this.
    #[error(
        "{command} works on a SQLite database file; for PostgreSQL use its own tools \
         (see docs/deploy.md):\n  \
         backup:  pg_dump -Fc -f roundbook.dump 'postgres://user@host/roundbook'\n  \
         restore: createdb -T template0 roundbook_restored && \
         pg_restore --no-owner -d 'postgres://user@host/roundbook_restored' roundbook.dump && \
         roundbook-server migrate --db 'postgres://user@host/roundbook_restored'"
    )]
    Postgres { command: &'static str },
    #[error("{0} already exists: nothing was written (choose a new file name)")]
    Exists(PathBuf),
    #[error("no database file at {0}")]
    Missing(PathBuf),
    #[error("{path}: {problem}; nothing was restored")]
    Unusable { path: PathBuf, problem: String },
    #[error("{path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// As its message: `main` returns these, and Rust prints a failed `main`'s
/// error with `Debug`, which an operator must be able to read.
impl fmt::Debug for BackupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl From<rusqlite::Error> for BackupError {
    fn from(error: rusqlite::Error) -> Self {
        BackupError::Store(error.into())
    }
}

pub type BackupResult<T> = Result<T, BackupError>;

/// What a backup or restored database holds, as printed for the operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// The file's size.
    pub bytes: u64,
    /// The recorded schema version (0: from before versions were recorded).
    pub schema_version: SchemaVersion,
    /// Catalogued documents.
    pub documents: u64,
    /// Stored chunks of all documents.
    pub chunks: u64,
    /// Complete photos, and their bytes.
    pub blobs: u64,
    pub blob_bytes: u64,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} bytes ({:.1} MiB), schema version {}, {} documents ({} chunks), \
             {} photos ({} bytes)",
            self.bytes,
            self.bytes as f64 / (1024.0 * 1024.0),
            self.schema_version,
            self.documents,
            self.chunks,
            self.blobs,
            self.blob_bytes
        )
    }
}

/// What `backup` wrote.
#[derive(Debug, Clone)]
pub struct BackedUp {
    pub out: PathBuf,
    pub summary: Summary,
    pub took: Duration,
}

impl fmt::Display for BackedUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "wrote {}: {}, in {} ms",
            self.out.display(),
            self.summary,
            self.took.as_millis()
        )
    }
}

/// What `restore` made.
#[derive(Debug, Clone)]
pub struct Restored {
    pub db: PathBuf,
    pub summary: Summary,
    pub migrated: Migrated,
}

impl fmt::Display for Restored {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "restored {}: {}; {}",
            self.db.display(),
            self.summary,
            self.migrated
        )
    }
}

/// `backup --db DB --out FILE`: copies the SQLite database `db` to the new
/// file `out`, consistently, while servers may write to it.
pub fn backup(db: &str, out: &Path) -> BackupResult<BackedUp> {
    if is_postgres_address(db) {
        return Err(BackupError::Postgres { command: "backup" });
    }
    let source = Path::new(db);
    if !source.is_file() {
        return Err(BackupError::Missing(source.to_owned()));
    }
    let started = Instant::now();
    // Read-write without create: a mistyped path is no new empty database,
    // and a live server's WAL is read the way that server writes it.
    let connection = Connection::open_with_flags(
        source,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    connection.busy_timeout(Duration::from_secs(10))?;
    copy_into(&connection, out)?;
    let summary = check(out)?;
    Ok(BackedUp {
        out: out.to_owned(),
        summary,
        took: started.elapsed(),
    })
}

/// `restore --from FILE --db NEWDB`: checks the backup `from` and makes the
/// new SQLite database `db` from it, migrated to this release's schema.
pub fn restore(from: &Path, db: &str) -> BackupResult<Restored> {
    if is_postgres_address(db) {
        return Err(BackupError::Postgres { command: "restore" });
    }
    let target = Path::new(db);
    if target.exists() {
        return Err(BackupError::Exists(target.to_owned()));
    }
    if !from.is_file() {
        return Err(BackupError::Missing(from.to_owned()));
    }
    check(from)?;
    let backup = open_read_only(from)?;
    copy_into(&backup, target)?;
    drop(backup);
    let migrated = SqliteStore::open(target)
        .and_then(|store| store.migrate())
        .inspect_err(|_| remove_database(target))?;
    let summary = check(target)?;
    Ok(Restored {
        db: target.to_owned(),
        summary,
        migrated,
    })
}

/// Copies the database `connection` reads into `out`, a file this creates
/// (an existing one is refused), and flushes it to disk. `VACUUM INTO`
/// writes the file without syncing it; a backup must survive a power cut
/// right after it is reported written.
fn copy_into(connection: &Connection, out: &Path) -> BackupResult<()> {
    // Created empty first, exclusively: two backups to one name cannot both
    // write it, and `VACUUM INTO` accepts an empty file.
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(out)
        .map_err(|error| match error.kind() {
            std::io::ErrorKind::AlreadyExists => BackupError::Exists(out.to_owned()),
            _ => io(out, error),
        })?;
    let written = (|| {
        let name = out
            .to_str()
            .ok_or_else(|| io(out, std::io::Error::other("the file name is not UTF-8")))?;
        connection.execute("VACUUM INTO ?1", [name])?;
        File::open(out)
            .and_then(|file| file.sync_all())
            .map_err(|error| io(out, error))?;
        sync_directory(out)
    })();
    if written.is_err() {
        remove_database(out);
    }
    written
}

/// Makes a new file's name durable too.
fn sync_directory(file: &Path) -> BackupResult<()> {
    let directory = match file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    File::open(directory)
        .and_then(|directory| directory.sync_all())
        .map_err(|error| io(directory, error))
}

/// Removes a database file this module created, with SQLite's side files.
fn remove_database(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}

fn io(path: &Path, error: std::io::Error) -> BackupError {
    BackupError::Io {
        path: path.to_owned(),
        error,
    }
}

fn open_read_only(path: &Path) -> BackupResult<Connection> {
    Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|error| unusable(path, format!("does not open as a SQLite database: {error}")))
}

fn unusable(path: &Path, problem: impl Into<String>) -> BackupError {
    BackupError::Unusable {
        path: path.to_owned(),
        problem: problem.into(),
    }
}

/// Checks, read-only, that `path` is an undamaged Roundbook database this
/// release can migrate, and sums it up.
pub fn check(path: &Path) -> BackupResult<Summary> {
    let connection = open_read_only(path)?;
    let damaged = |error: rusqlite::Error| unusable(path, format!("is not readable: {error}"));
    let problems: Vec<String> = {
        let mut statement = connection
            .prepare("PRAGMA integrity_check")
            .map_err(damaged)?;
        let rows = statement.query_map([], |row| row.get(0)).map_err(damaged)?;
        rows.collect::<Result<_, _>>().map_err(damaged)?
    };
    if problems != ["ok"] {
        return Err(unusable(
            path,
            format!("fails SQLite's integrity check: {}", problems.join("; ")),
        ));
    }
    let schema_version = recorded_version(&connection)?;
    if schema_version > migrations::CURRENT {
        return Err(StoreError::TooNew {
            found: schema_version,
            supported: migrations::CURRENT,
        }
        .into());
    }
    // What `migrations` adopts as version 1 when nothing is recorded.
    if count_tables(&connection, &migrations::VERSION_1_TABLES)? == 0 {
        return Err(unusable(
            path,
            "is not a Roundbook database (none of its tables)",
        ));
    }
    let number = |sql: &str, table: &str| -> BackupResult<u64> {
        if count_tables(&connection, &[table])? == 0 {
            return Ok(0);
        }
        Ok(connection.query_row(sql, [], |row| row.get::<_, i64>(0))? as u64)
    };
    let bytes = std::fs::metadata(path)
        .map_err(|error| io(path, error))?
        .len();
    Ok(Summary {
        bytes,
        schema_version,
        documents: number("SELECT COUNT(*) FROM documents", "documents")?,
        chunks: number("SELECT COUNT(*) FROM chunks", "chunks")?,
        blobs: number("SELECT COUNT(*) FROM blobs", "blobs")?,
        blob_bytes: number("SELECT COALESCE(SUM(size), 0) FROM blobs", "blobs")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::BlobRef;
    use roundbook_shared::ids::DocumentId;

    /// A migrated database with one document chunk and one photo.
    fn database(dir: &Path) -> PathBuf {
        let path = dir.join("live.sqlite3");
        let store = SqliteStore::open(&path).unwrap();
        store.migrate().unwrap();
        store
            .append_chunk(&DocumentId::from_bytes([7; 16]), b"chunk")
            .unwrap();
        let blob = BlobRef {
            site: "demo".into(),
            zone: "A".into(),
            hash: "ab".repeat(32),
        };
        store.commit_blob(&blob, "image/png", &[1; 1000]).unwrap();
        path
    }

    fn text(path: &Path) -> String {
        path.to_str().unwrap().to_owned()
    }

    #[test]
    fn a_backup_holds_the_chunks_and_photos_and_restores() {
        let dir = tempfile::tempdir().unwrap();
        let live = database(dir.path());
        let out = dir.path().join("backup.sqlite3");
        let backed_up = backup(&text(&live), &out).unwrap();
        assert_eq!(backed_up.summary.chunks, 1);
        assert_eq!(
            (backed_up.summary.blobs, backed_up.summary.blob_bytes),
            (1, 1000)
        );
        assert_eq!(backed_up.summary.schema_version, migrations::CURRENT);
        assert_eq!(backed_up.summary.bytes, out.metadata().unwrap().len());

        let restored_path = dir.path().join("restored.sqlite3");
        let restored = restore(&out, &text(&restored_path)).unwrap();
        assert_eq!(
            (restored.summary.chunks, restored.summary.blobs),
            (1, 1),
            "{restored}"
        );
        let store = SqliteStore::open(&restored_path).unwrap();
        assert_eq!(
            store.load_chunks(&DocumentId::from_bytes([7; 16])).unwrap(),
            [b"chunk".to_vec()]
        );
    }

    #[test]
    fn an_existing_file_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let live = database(dir.path());
        let out = dir.path().join("taken");
        std::fs::write(&out, b"keep me").unwrap();
        assert!(matches!(
            backup(&text(&live), &out),
            Err(BackupError::Exists(_))
        ));
        assert!(matches!(
            restore(&live, &text(&out)),
            Err(BackupError::Exists(_))
        ));
        assert_eq!(std::fs::read(&out).unwrap(), b"keep me");
    }

    #[test]
    fn a_backup_that_is_not_a_roundbook_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("new.sqlite3");
        let garbage = dir.path().join("garbage");
        std::fs::write(&garbage, vec![0x5a; 8192]).unwrap();
        let other = dir.path().join("other.sqlite3");
        Connection::open(&other)
            .unwrap()
            .execute_batch("CREATE TABLE notes (text TEXT)")
            .unwrap();
        for from in [&garbage, &other] {
            let refused = restore(from, &text(&target)).unwrap_err();
            assert!(matches!(refused, BackupError::Unusable { .. }), "{refused}");
            assert!(!target.exists(), "nothing restored from {from:?}");
        }
    }

    #[test]
    fn a_damaged_backup_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let live = database(dir.path());
        let out = dir.path().join("backup.sqlite3");
        backup(&text(&live), &out).unwrap();
        // Scribble over every page but the first (the header and schema).
        let mut bytes = std::fs::read(&out).unwrap();
        let page = 4096;
        for byte in bytes.iter_mut().skip(page) {
            *byte ^= 0xa5;
        }
        std::fs::write(&out, bytes).unwrap();
        let target = dir.path().join("new.sqlite3");
        let refused = restore(&out, &text(&target)).unwrap_err();
        assert!(matches!(refused, BackupError::Unusable { .. }), "{refused}");
        assert!(!target.exists());
    }

    #[test]
    fn a_backup_from_a_newer_release_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let live = database(dir.path());
        Connection::open(&live)
            .unwrap()
            .execute(
                "INSERT INTO schema_migrations (version, name, applied_unix, adopted)
                 VALUES (?1, 'from_the_future', 0, 0)",
                [migrations::CURRENT + 1],
            )
            .unwrap();
        let target = dir.path().join("new.sqlite3");
        let refused = restore(&live, &text(&target)).unwrap_err();
        assert!(
            matches!(refused, BackupError::Store(StoreError::TooNew { .. })),
            "{refused}"
        );
        assert!(!target.exists());
    }

    #[test]
    fn postgres_is_pointed_at_its_own_tools() {
        let dir = tempfile::tempdir().unwrap();
        let address = "postgres://roundbook@localhost/roundbook";
        let message = backup(address, &dir.path().join("out"))
            .unwrap_err()
            .to_string();
        assert!(message.contains("pg_dump -Fc"), "{message}");
        let message = restore(&dir.path().join("dump"), address)
            .unwrap_err()
            .to_string();
        assert!(message.contains("pg_restore"), "{message}");
    }
}

//! Versioned schema migrations on both backends: each step, databases of the
//! previous release (recorded no version), databases newer than this binary,
//! servers migrating at once, and the `migrate` command.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use roundbook_server::store::migrations::{Migrated, SchemaVersion, CURRENT};
use roundbook_server::store::postgres::PostgresStore;
use roundbook_server::store::sqlite::SqliteStore;
use roundbook_server::store::{
    BlobRef, Part, PartOutcome, Store, StoreError, StoreResult, UploadLimits, Uploader,
};

/// A database for one test, as a SQLite file or a PostgreSQL database.
trait Backend: Sync {
    /// Migrates a store on the database to `target`, as `migrate_to` does.
    fn migrate_to(&self, target: SchemaVersion) -> StoreResult<Migrated>;
    /// A store on the database, not migrated.
    fn open(&self) -> Box<dyn Store>;
    /// Rows of a query, `|` between columns, one line each.
    fn query(&self, sql: &str) -> String;
    /// Runs statements.
    fn execute(&self, sql: &str);
    /// Every table, column, index and constraint, except migration history.
    fn schema(&self) -> String;
    /// What `--db` takes.
    fn db_arg(&self) -> String;
}

struct Sqlite {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Sqlite {
    fn new(from: Option<&Path>) -> Sqlite {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("test.sqlite3");
        if let Some(from) = from {
            std::fs::copy(from, &path).unwrap();
        }
        Sqlite { _dir: dir, path }
    }

    fn connection(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.path).unwrap()
    }
}

impl Backend for Sqlite {
    fn migrate_to(&self, target: SchemaVersion) -> StoreResult<Migrated> {
        SqliteStore::open(&self.path)?.migrate_to(target)
    }

    fn open(&self) -> Box<dyn Store> {
        Box::new(SqliteStore::open(&self.path).unwrap())
    }

    fn query(&self, sql: &str) -> String {
        let connection = self.connection();
        let mut statement = connection.prepare(sql).unwrap();
        let columns = statement.column_count();
        let rows = statement
            .query_map([], |row| {
                let values: Vec<String> = (0..columns)
                    .map(|n| match row.get_ref(n).unwrap() {
                        rusqlite::types::ValueRef::Null => String::new(),
                        rusqlite::types::ValueRef::Integer(value) => value.to_string(),
                        rusqlite::types::ValueRef::Real(value) => value.to_string(),
                        rusqlite::types::ValueRef::Text(text) => {
                            String::from_utf8_lossy(text).into_owned()
                        }
                        rusqlite::types::ValueRef::Blob(bytes) => format!("{} bytes", bytes.len()),
                    })
                    .collect();
                Ok(values.join("|"))
            })
            .unwrap();
        rows.collect::<Result<Vec<_>, _>>().unwrap().join("\n")
    }

    fn execute(&self, sql: &str) {
        self.connection().execute_batch(sql).unwrap();
    }

    fn schema(&self) -> String {
        self.query(
            "SELECT type, name, tbl_name, sql FROM sqlite_master
             WHERE name NOT LIKE '%schema_migrations%' ORDER BY type, name",
        )
    }

    fn db_arg(&self) -> String {
        self.path.display().to_string()
    }
}

struct Postgres(common::postgres::TestDatabase);

impl Backend for Postgres {
    fn migrate_to(&self, target: SchemaVersion) -> StoreResult<Migrated> {
        PostgresStore::connect(&self.0.url)?.migrate_to(target)
    }

    fn open(&self) -> Box<dyn Store> {
        Box::new(PostgresStore::connect(&self.0.url).unwrap())
    }

    fn query(&self, sql: &str) -> String {
        self.0.query(sql)
    }

    fn execute(&self, sql: &str) {
        self.0.query(sql);
    }

    fn schema(&self) -> String {
        [
            "SELECT table_name, column_name, data_type, is_nullable, column_default,
                    collation_name
             FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name <> 'schema_migrations'
             ORDER BY table_name, column_name",
            "SELECT indexname, indexdef FROM pg_indexes
             WHERE schemaname = 'public' AND tablename <> 'schema_migrations'
             ORDER BY indexname",
            "SELECT conrelid::regclass::text AS relation, conname, pg_get_constraintdef(oid)
             FROM pg_constraint
             WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> 'schema_migrations'
             ORDER BY relation, conname",
            "SELECT sequencename, data_type FROM pg_sequences
             WHERE schemaname = 'public' ORDER BY 1",
        ]
        .map(|sql| self.0.query(sql))
        .join("\n--\n")
    }

    fn db_arg(&self) -> String {
        self.0.url.clone()
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn empty_sqlite() -> Sqlite {
    Sqlite::new(None)
}

/// A copy of the file the previous release made.
fn previous_sqlite() -> Sqlite {
    Sqlite::new(Some(&fixture("previous_release.sqlite3")))
}

fn empty_postgres() -> Postgres {
    Postgres(common::postgres::database())
}

/// A database loaded from the dump of one the previous release made.
fn previous_postgres() -> Postgres {
    let database = common::postgres::database();
    database.load(&fixture("previous_release_postgres.sql"));
    Postgres(database)
}

/// Runs each named test once per backend, on an empty database and on one
/// the previous release made: `sqlite::name`, `postgres::name`.
macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $test() {
                super::$test(&super::empty_sqlite(), &super::previous_sqlite())
            } )*
        }
        mod postgres {
            $( #[test] fn $test() {
                super::$test(&super::empty_postgres(), &super::previous_postgres())
            } )*
        }
    };
}

on_both_backends!(
    step_1_creates_the_schema_of_the_previous_release,
    step_2_gives_uploads_in_progress_an_owner,
    the_previous_release_is_recognised_as_version_1_unchanged,
    an_empty_database_takes_every_step,
    a_database_newer_than_the_binary_is_refused_unchanged,
    servers_migrating_at_once_migrate_once,
    the_migrate_command_says_from_which_version_to_which,
);

fn history(backend: &dyn Backend) -> String {
    backend.query("SELECT version, name, adopted FROM schema_migrations ORDER BY version")
}

/// What the previous release's data looks like, table by table.
fn counts(backend: &dyn Backend) -> String {
    backend.query(
        "SELECT (SELECT COUNT(*) FROM sites), (SELECT COUNT(*) FROM accounts),
                (SELECT COUNT(*) FROM sessions), (SELECT COUNT(*) FROM documents),
                (SELECT COUNT(*) FROM chunks), (SELECT COUNT(*) FROM blobs),
                (SELECT COUNT(*) FROM uploads), (SELECT COUNT(*) FROM upload_parts)",
    )
}

fn step_1_creates_the_schema_of_the_previous_release(empty: &dyn Backend, previous: &dyn Backend) {
    assert_eq!(
        empty.migrate_to(1).unwrap(),
        Migrated {
            from: 0,
            to: 1,
            adopted: false
        }
    );
    assert_eq!(empty.schema(), previous.schema());
}

fn step_2_gives_uploads_in_progress_an_owner(_: &dyn Backend, previous: &dyn Backend) {
    previous.migrate_to(1).unwrap();
    let data = counts(previous);
    assert_eq!(
        previous.migrate_to(2).unwrap(),
        Migrated {
            from: 1,
            to: 2,
            adopted: false
        }
    );
    assert_eq!(counts(previous), data);
    for index in ["uploads_by_username", "uploads_by_age"] {
        assert!(previous.schema().contains(index), "{index}");
    }
    // The previous release's half-done upload has no owner yet ...
    let upload = "SELECT COALESCE(username, '-'), total, received FROM uploads";
    assert_eq!(previous.query(upload), "-|48000|16000");
    // ... so the next part's sender takes it on, and it is theirs alone.
    let blob = BlobRef {
        site: "demo".into(),
        zone: "A".into(),
        hash: previous.query("SELECT hash FROM uploads"),
    };
    let store = previous.open();
    let limits = UploadLimits {
        quota_bytes: 1 << 20,
        expire_after_secs: 3600,
        site_quota_bytes: u64::MAX,
    };
    let now_unix = chrono::Utc::now().timestamp();
    let part = |username| {
        let uploader = Uploader {
            username,
            now_unix,
            limits,
        };
        store
            .append_upload_part(
                &blob,
                &uploader,
                Part {
                    offset: 16_000,
                    total: 48_000,
                    bytes: &[0; 1_000],
                },
            )
            .unwrap()
    };
    assert_eq!(part("guard-a"), PartOutcome::Appended { received: 17_000 });
    assert_eq!(previous.query(upload), "guard-a|48000|17000");
    let refused = PartOutcome::NotYours;
    assert_eq!(part("guard-a2"), refused);
}

fn the_previous_release_is_recognised_as_version_1_unchanged(
    _: &dyn Backend,
    previous: &dyn Backend,
) {
    let (schema, data) = (previous.schema(), counts(previous));
    assert!(
        data.starts_with("1|12|1|6|"),
        "what the fixture holds: {data}"
    );
    assert_eq!(
        previous.migrate_to(1).unwrap(),
        Migrated {
            from: 1,
            to: 1,
            adopted: true
        }
    );
    assert_eq!(previous.schema(), schema, "nothing run");
    assert_eq!(counts(previous), data);
    let adopted = if previous.db_arg().starts_with("postgres") {
        "t"
    } else {
        "1"
    };
    assert_eq!(history(previous), format!("1|initial|{adopted}"));
    // From there on it is a versioned database like any other.
    let migrated = previous.open().migrate().unwrap();
    assert_eq!(
        migrated,
        Migrated {
            from: 1,
            to: CURRENT,
            adopted: false
        }
    );
    assert_eq!(counts(previous), data);
}

fn an_empty_database_takes_every_step(empty: &dyn Backend, _: &dyn Backend) {
    let store = empty.open();
    assert_eq!(
        store.migrate().unwrap(),
        Migrated {
            from: 0,
            to: CURRENT,
            adopted: false
        }
    );
    assert_eq!(
        history(empty).lines().count(),
        CURRENT as usize,
        "one record a step"
    );
    assert!(!history(empty).contains("|1") && !history(empty).contains("|t"));
    assert_eq!(
        store.migrate().unwrap(),
        Migrated {
            from: CURRENT,
            to: CURRENT,
            adopted: false
        }
    );
}

fn a_database_newer_than_the_binary_is_refused_unchanged(_: &dyn Backend, previous: &dyn Backend) {
    previous.open().migrate().unwrap();
    let newer = CURRENT + 1;
    previous.execute(&format!(
        "INSERT INTO schema_migrations (version, name, applied_unix, adopted)
         VALUES ({newer}, 'from a newer release', 0, FALSE)"
    ));
    let (schema, data, recorded) = (previous.schema(), counts(previous), history(previous));

    let refused = previous.open().migrate().unwrap_err();
    assert!(
        matches!(refused, StoreError::TooNew { found, supported } if found == newer && supported == CURRENT),
        "{refused}"
    );
    let message = refused.to_string();
    for part in [
        format!("schema version {newer}"),
        format!("versions up to {CURRENT}"),
        "upgrade the server or restore the backup".into(),
    ] {
        assert!(message.contains(&part), "{message}");
    }
    assert_eq!(
        (previous.schema(), counts(previous), history(previous)),
        (schema, data, recorded)
    );

    // The server refuses to start on it, saying why, and so does `migrate`.
    for args in [
        &["--listen", "127.0.0.1:0", "--db"][..],
        &["migrate", "--db"][..],
    ] {
        let output = server(args, &previous.db_arg());
        assert!(!output.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("upgrade the server or restore the backup"),
            "{stderr}"
        );
        assert!(!String::from_utf8_lossy(&output.stdout).contains("running"));
    }
}

fn servers_migrating_at_once_migrate_once(_: &dyn Backend, previous: &dyn Backend) {
    let migrated: Vec<Migrated> = std::thread::scope(|scope| {
        let servers: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| previous.open().migrate().unwrap()))
            .collect();
        servers
            .into_iter()
            .map(|server| server.join().unwrap())
            .collect()
    });
    assert_eq!(
        migrated.iter().filter(|m| m.adopted).count(),
        1,
        "{migrated:?}"
    );
    assert!(migrated.iter().all(|m| m.to == CURRENT));
    assert_eq!(history(previous).lines().count(), CURRENT as usize);
}

fn the_migrate_command_says_from_which_version_to_which(_: &dyn Backend, previous: &dyn Backend) {
    let first = server(&["migrate", "--db"], &previous.db_arg());
    assert!(first.status.success(), "{first:?}");
    let said = String::from_utf8_lossy(&first.stdout);
    assert!(said.contains("recognised as version 1"), "{said}");
    let expected = if CURRENT == 1 {
        "schema version 1: already current".to_string()
    } else {
        format!("schema version 1 -> {CURRENT}: migrated")
    };
    assert!(said.contains(&expected), "{said}");

    let again = server(&["migrate", "--db"], &previous.db_arg());
    assert!(again.status.success());
    assert_eq!(
        String::from_utf8_lossy(&again.stdout).trim(),
        format!("schema version {CURRENT}: already current")
    );
}

/// Runs the server binary with `args` and then the database, to its end;
/// kills it if it is still running after 30 s (a server that serves).
fn server(args: &[&str], db: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_roundbook-server"))
        .args(args)
        .arg(db)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn migrate_refuses_a_file_that_does_not_exist() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("typo.sqlite3");
    let output = server(&["migrate", "--db"], missing.to_str().unwrap());
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("nothing to migrate"));
    assert!(!missing.exists(), "no empty database made");
}

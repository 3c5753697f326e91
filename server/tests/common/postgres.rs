//! A throwaway PostgreSQL cluster for tests: `initdb` into a temporary
//! directory, `pg_ctl start` on a free 127.0.0.1 port with its socket in that
//! directory; `pg_ctl stop -m immediate` and the directory removed when
//! dropped. A test binary shares one cluster among the tests running at once
//! (each gets a fresh database); it stops when the last of them ends.
//!
//! The cluster runs with `fsync=off`: tests kill servers, never PostgreSQL,
//! so flushing to disk would prove nothing and cost seconds. Servers still
//! commit synchronously before acknowledging.
//!
//! initdb refuses to run as root: as root, the PostgreSQL programs run as the
//! `postgres` system user (the Debian package creates it), owning the
//! directory. Only client programs (`createdb`, `psql`) talk to the cluster,
//! so nothing here needs an async runtime or blocks one.

use std::net::TcpListener;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, Weak};

/// Connections a cluster takes: several servers (a pool and a listener
/// each) in several tests at once.
const MAX_CONNECTIONS: &str = "300";

pub struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    /// Running as root: the programs run as the `postgres` user.
    as_postgres: bool,
}

/// A fresh database of the binary's cluster, for one test.
pub struct TestDatabase {
    pub name: String,
    /// `postgres://` address for `--db` and `PostgresStore::connect`.
    pub url: String,
    cluster: Arc<Cluster>,
}

static SHARED: Mutex<Weak<Cluster>> = Mutex::new(Weak::new());
static NEXT_DATABASE: AtomicU32 = AtomicU32::new(1);

/// A new database, in the cluster of the tests running now (started if none).
pub fn database() -> TestDatabase {
    let cluster = shared_cluster();
    let name = format!(
        "roundbook_test_{}",
        NEXT_DATABASE.fetch_add(1, Ordering::Relaxed)
    );
    cluster.run_checked(cluster.client("createdb").arg(&name));
    TestDatabase {
        url: format!("postgres://postgres@127.0.0.1:{}/{name}", cluster.port),
        name,
        cluster,
    }
}

fn shared_cluster() -> Arc<Cluster> {
    let mut shared = SHARED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(cluster) = shared.upgrade() {
        return cluster;
    }
    let cluster = Arc::new(Cluster::start());
    *shared = Arc::downgrade(&cluster);
    cluster
}

impl TestDatabase {
    /// Runs SQL with `psql` and returns its unaligned output, trimmed.
    pub fn query(&self, sql: &str) -> String {
        let output = self.cluster.run_checked(
            self.cluster
                .client("psql")
                .args(["-XtAq", "-d", &self.name, "-c", sql]),
        );
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }

    /// Runs the SQL file `path` with `psql`, stopping at the first error
    /// (a fixture made by [`TestDatabase::dump`]).
    pub fn load(&self, path: &Path) {
        self.cluster.run_checked(
            self.cluster
                .client("psql")
                .args(["-Xq", "-v", "ON_ERROR_STOP=1", "-d", &self.name, "-f"])
                .arg(path),
        );
    }

    /// The database as SQL (`pg_dump`, without owners or privileges), for
    /// fixtures.
    pub fn dump(&self) -> String {
        let output = self
            .cluster
            .run_checked(self.cluster.client("pg_dump").args([
                "--no-owner",
                "--no-privileges",
                "-d",
                &self.name,
            ]));
        String::from_utf8(output.stdout).expect("a dump is text")
    }

    /// `pg_dump -Fc` of the database into `path`, off the async threads
    /// (servers keep writing meanwhile); returns the dump's size.
    pub async fn pg_dump_custom(&self, path: &Path) -> u64 {
        let mut command = self.cluster.client("pg_dump");
        command
            .args(["-Fc", "--no-owner", "-d", &self.name, "-f"])
            .arg(path);
        let cluster = self.cluster.clone();
        tokio::task::spawn_blocking(move || cluster.run_checked(&mut command))
            .await
            .expect("pg_dump");
        std::fs::metadata(path).expect("the dump").len()
    }

    /// `pg_restore` of a dump made by [`TestDatabase::pg_dump_custom`] into
    /// this (empty) database.
    pub async fn pg_restore(&self, path: &Path) {
        let mut command = self.cluster.client("pg_restore");
        command
            .args(["--no-owner", "--exit-on-error", "-d", &self.name])
            .arg(path);
        let cluster = self.cluster.clone();
        tokio::task::spawn_blocking(move || cluster.run_checked(&mut command))
            .await
            .expect("pg_restore");
    }

    /// Ends this database's connections that listen for other servers'
    /// changes, as a network fault would; returns how many it ended.
    pub fn drop_listeners(&self) -> usize {
        self.count(&format!(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE {}",
            self.listening()
        ))
    }

    /// Makes the database refuse new connections and ends those it has,
    /// as a database going down would (`true`); takes them again (`false`).
    /// Run from the cluster's `postgres` database, which stays reachable.
    pub fn refuse_connections(&self, refuse: bool) {
        let mut sql = format!(
            "ALTER DATABASE {} ALLOW_CONNECTIONS {};",
            self.name, !refuse
        );
        if refuse {
            sql.push_str(&format!(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
                 WHERE datname = '{}';",
                self.name
            ));
        }
        self.cluster.run_checked(
            self.cluster
                .client("psql")
                .args(["-XtAq", "-d", "postgres", "-c", &sql]),
        );
    }

    /// How many connections listen for other servers' changes now.
    pub fn listeners(&self) -> usize {
        self.count(&format!(
            "SELECT count(*) FROM pg_stat_activity WHERE {}",
            self.listening()
        ))
    }

    fn listening(&self) -> String {
        format!(
            "datname = '{}' AND application_name = '{}'",
            self.name,
            roundbook_server::store::postgres::LISTENER_NAME
        )
    }

    fn count(&self, sql: &str) -> usize {
        self.query(sql).parse().expect("a count")
    }
}

impl Cluster {
    fn start() -> Cluster {
        let bin = postgres_bin();
        let dir = tempfile::Builder::new()
            .prefix("roundbook-pg-")
            .tempdir()
            .expect("temp dir");
        let as_postgres = std::fs::metadata(dir.path()).expect("temp dir").uid() == 0;
        if as_postgres {
            let status = Command::new("chown")
                .arg("postgres:")
                .arg(dir.path())
                .status()
                .expect("chown");
            assert!(
                status.success(),
                "could not give the cluster directory to the postgres user \
                 (Debian's postgresql package creates it: run scripts/setup)"
            );
        }
        let mut cluster = Cluster {
            dir,
            bin,
            port: 0,
            as_postgres,
        };
        cluster.run_checked(cluster.server_tool("initdb").args([
            "-D",
            &cluster.data(),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",
            "--no-sync",
        ]));
        // Another process may take the free port before the cluster does.
        for _ in 0..3 {
            cluster.port = free_port();
            if cluster.try_start() {
                return cluster;
            }
        }
        panic!(
            "PostgreSQL did not start:\n{}",
            std::fs::read_to_string(cluster.dir.path().join("log")).unwrap_or_default()
        );
    }

    fn try_start(&self) -> bool {
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c max_connections={MAX_CONNECTIONS} -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("log");
        self.server_tool("pg_ctl")
            .args([
                "start",
                "-w",
                "-t",
                "20",
                "-D",
                &self.data(),
                "-o",
                &options,
                "-l",
            ])
            .arg(&log)
            .output()
            .expect("run pg_ctl")
            .status
            .success()
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    /// A server program (initdb, pg_ctl), as the `postgres` user if we are root.
    fn server_tool(&self, tool: &str) -> Command {
        let program = self.bin.join(tool);
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }

    /// A client program, connected to this cluster as its superuser.
    fn client(&self, tool: &str) -> Command {
        let mut command = Command::new(self.bin.join(tool));
        command.args([
            "-h",
            "127.0.0.1",
            "-p",
            &self.port.to_string(),
            "-U",
            "postgres",
        ]);
        command
    }

    fn run_checked(&self, command: &mut Command) -> Output {
        let output = command.output().expect("run a PostgreSQL program");
        assert!(
            output.status.success(),
            "{command:?} failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self
            .server_tool("pg_ctl")
            .args(["stop", "-m", "immediate", "-D", &self.data()])
            .output();
        // The temporary directory removes itself.
    }
}

/// The newest PostgreSQL's programs: `ROUNDBOOK_PG_BIN`, or the Debian
/// package's `/usr/lib/postgresql/<version>/bin`.
fn postgres_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("ROUNDBOOK_PG_BIN") {
        let bin = PathBuf::from(bin);
        assert!(
            has_server_programs(&bin),
            "ROUNDBOOK_PG_BIN={} lacks initdb, pg_ctl, createdb or psql",
            bin.display()
        );
        return bin;
    }
    let newest = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version: u32 = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            has_server_programs(&bin).then_some((version, bin))
        })
        .max();
    match newest {
        Some((_, bin)) => bin,
        None => panic!(
            "the PostgreSQL tests need the PostgreSQL server programs (initdb, pg_ctl) under \
             /usr/lib/postgresql/<version>/bin, and there are none: run scripts/setup \
             (or set ROUNDBOOK_PG_BIN to their directory)"
        ),
    }
}

fn has_server_programs(bin: &Path) -> bool {
    ["initdb", "pg_ctl", "createdb", "psql"]
        .iter()
        .all(|tool| bin.join(tool).is_file())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

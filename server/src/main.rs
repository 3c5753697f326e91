//! `roundbook-server`: serves the tablet app and syncs its documents.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use roundbook_server::app::router;
use roundbook_server::limits::{Limits, DEFAULT_UPLOAD_EXPIRY_SECS, DEFAULT_UPLOAD_QUOTA_BYTES};
use roundbook_server::state::AppState;
use roundbook_server::store::migrations::Migrated;
use roundbook_server::store::postgres::PostgresStore;
use roundbook_server::store::sqlite::SqliteStore;
use roundbook_server::store::{is_postgres_address, run_blocking};
use roundbook_server::store::{ElsewhereFeed, Store, StoreError, StoreResult, UploadLimits};
use roundbook_server::{backup, demo, serve};
use roundbook_shared::protocol::FrameLimits;

#[derive(Parser)]
#[command(version, about = "Roundbook sync server", args_override_self = true)]
struct Args {
    /// Without one, the server serves.
    #[command(subcommand)]
    command: Option<Command>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Database: a SQLite file (created if missing), or a PostgreSQL address
    /// (`postgres://user@host/dbname`) that several servers can share.
    #[arg(long, default_value = "roundbook.sqlite3")]
    db: String,
    /// Seed a demo site, accounts and checkpoints into an empty database.
    #[arg(long)]
    demo: bool,
    /// Directory of the built tablet app.
    #[arg(long, default_value = "dist")]
    web_root: PathBuf,
    /// Seconds between checks that an open sync connection's session is still
    /// live (a sign-out on this server ends its sockets at once; this catches
    /// sign-outs on other servers and expiries).
    #[arg(long, default_value_t = 60)]
    session_check_secs: u64,
    /// The largest WebSocket frame a tablet may send, in bytes.
    #[arg(long, default_value_t = Limits::default().frame.max_frame_bytes)]
    max_frame_bytes: usize,
    /// The most bytes one document may take in storage.
    #[arg(long, default_value_t = Limits::default().document_bytes)]
    max_document_bytes: usize,
    /// TCP connections open at once (lowered to fit the open-file limit).
    #[arg(long, default_value_t = Limits::default().max_connections)]
    max_connections: usize,
    /// TCP connections open at once from one address.
    #[arg(long, default_value_t = Limits::default().max_connections_per_address)]
    max_connections_per_address: usize,
    /// Sync sockets one user may hold open at once.
    #[arg(long, default_value_t = Limits::default().max_syncs_per_user)]
    max_syncs_per_user: usize,
    /// Seconds a connection may take to send a request head.
    #[arg(long, default_value_t = Limits::default().header_read_timeout.as_secs())]
    header_read_timeout_secs: u64,
    /// Seconds a new sync socket may take to send `join`.
    #[arg(long, default_value_t = Limits::default().join_timeout.as_secs())]
    join_timeout_secs: u64,
    /// Sign-in attempts per minute from one address.
    #[arg(long, default_value_t = Limits::default().sign_ins_per_minute_per_address)]
    sign_ins_per_minute_per_address: u32,
    /// MiB one user's unfinished photo uploads may hold.
    #[arg(long, default_value_t = DEFAULT_UPLOAD_QUOTA_BYTES >> 20)]
    upload_quota_mib: u64,
    /// Seconds an unfinished photo upload may go untouched before it is deleted.
    #[arg(long, default_value_t = DEFAULT_UPLOAD_EXPIRY_SECS as u64)]
    upload_expiry_secs: u64,
    /// Serve `GET /metrics` (Prometheus text format) to requests bearing
    /// this token (`Authorization: Bearer ...`). Without it, `/metrics` is
    /// not served. Prefer the environment variable: a command line is
    /// visible to every user of the machine.
    #[arg(long, env = "ROUNDBOOK_METRICS_TOKEN", hide_env_values = true)]
    metrics_token: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Brings the database's schema to this release's, prints the versions
    /// before and after, and exits. Back the database up first
    /// (docs/upgrades.md).
    Migrate {
        /// The database, as for serving: a SQLite file (which must exist) or
        /// a PostgreSQL address.
        #[arg(long)]
        db: String,
    },
    /// Copies a SQLite database, photos included, to a new file while the
    /// server runs and tablets sync; prints what the copy holds. For
    /// PostgreSQL it names `pg_dump` instead (docs/deploy.md).
    Backup {
        /// The SQLite database file to copy.
        #[arg(long)]
        db: String,
        /// The backup file to write; must not exist.
        #[arg(long)]
        out: PathBuf,
    },
    /// Makes a new SQLite database from a backup: checks that the backup is
    /// undamaged and a Roundbook database this release can migrate, copies
    /// it and migrates the copy. Start the server on the new file after.
    Restore {
        /// The backup file (from `backup`).
        #[arg(long)]
        from: PathBuf,
        /// The database file to create; must not exist.
        #[arg(long)]
        db: String,
    },
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    return_large_allocations_to_the_system();
    // automerge logs every strict parse of a change set that arrives before its
    // dependencies (see `hub::changes_are_well_formed`) as an error: silence it.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,tower_http=warn,automerge=off")),
        )
        .init();
    let args = Args::parse();
    match args.command {
        Some(Command::Migrate { db }) => {
            let migrated = run_blocking(move || migrate(&db)).await?;
            println!("{migrated}");
            return Ok(());
        }
        Some(Command::Backup { db, out }) => {
            println!("{}", backup::backup(&db, &out)?);
            return Ok(());
        }
        Some(Command::Restore { from, db }) => {
            println!("{}", backup::restore(&from, &db)?);
            return Ok(());
        }
        None => {}
    }

    let (db, seed_demo) = (args.db.clone(), args.demo);
    // On the blocking pool: the PostgreSQL client must not run on async threads.
    let (store, elsewhere) = run_blocking(move || open_store(&db, seed_demo)).await?;
    if !args.web_root.join("index.html").exists() {
        tracing::warn!(web_root = %args.web_root.display(), "no built app here; run scripts/build-web");
    }

    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    let address = listener.local_addr()?;
    println!("Roundbook is running at http://{address}");
    if args.demo {
        println!("Demo accounts (password \"{}\"):", demo::PASSWORD);
        for (username, name, role, zones) in demo::ACCOUNTS {
            let zones = if zones.is_empty() {
                "all zones".to_string()
            } else {
                zones.join(", ")
            };
            println!("  {username:<10} {name}  {}  ({zones})", role.as_str());
        }
    }

    let limits = Limits {
        frame: FrameLimits {
            max_frame_bytes: args.max_frame_bytes.max(64 * 1024),
            ..Limits::default().frame
        },
        document_bytes: args.max_document_bytes.max(1024 * 1024),
        max_connections: serve::raise_fd_limit(args.max_connections.max(16)),
        max_connections_per_address: args.max_connections_per_address.max(4),
        max_syncs_per_user: args.max_syncs_per_user.max(1),
        sign_ins_per_minute_per_address: args.sign_ins_per_minute_per_address.max(1),
        header_read_timeout: Duration::from_secs(args.header_read_timeout_secs.max(1)),
        join_timeout: Duration::from_secs(args.join_timeout_secs.max(1)),
        uploads: UploadLimits {
            quota_bytes: args.upload_quota_mib.saturating_mul(1 << 20),
            expire_after_secs: i64::try_from(args.upload_expiry_secs).unwrap_or(i64::MAX),
        },
        ..Limits::default()
    };
    let mut state = AppState::new(store, limits.clone());
    state.hub.follow(elsewhere);
    state.session_check = Duration::from_secs(args.session_check_secs.max(1));
    state.metrics_token = args
        .metrics_token
        .filter(|token| !token.trim().is_empty())
        .map(|token| token.trim().into());
    let app = router(state, args.web_root);
    serve::serve(listener, app, &limits, shutdown_signal()).await?;
    Ok(())
}

/// Opens (and migrates) the database `--db` names, seeds the demo if asked,
/// and starts listening for other servers' changes before any document is
/// loaded.
fn open_store(db: &str, seed_demo: bool) -> StoreResult<(Arc<dyn Store>, ElsewhereFeed)> {
    let store: Arc<dyn Store> = if is_postgres_address(db) {
        Arc::new(PostgresStore::connect(db)?)
    } else {
        Arc::new(SqliteStore::open(Path::new(db))?)
    };
    store.migrate()?;
    if seed_demo && demo::seed(store.as_ref())? {
        tracing::info!("seeded the demo site");
    }
    let elsewhere = store.changes_elsewhere()?;
    Ok((store, elsewhere))
}

/// `migrate`: opens the database `--db` names and migrates it.
fn migrate(db: &str) -> StoreResult<Migrated> {
    if is_postgres_address(db) {
        return PostgresStore::connect(db)?.migrate();
    }
    // Not a new, empty file for a mistyped path.
    if !Path::new(db).is_file() {
        return Err(StoreError::Database(format!(
            "no database file at {db}: nothing to migrate"
        )));
    }
    SqliteStore::open(Path::new(db))?.migrate()
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

/// glibc's malloc raises its mmap threshold after the first large block is
/// freed, and from then on keeps blocks like Argon2's 19 MiB in its pools:
/// a server that checked a few dozen passwords stayed at ~220 MiB. A fixed
/// threshold hands every block over 128 KiB back to the system when freed
/// (measured: ~30 MiB after the same sign-ins).
fn return_large_allocations_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; called once at
    // start, before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

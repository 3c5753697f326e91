//! `roundbook-server`: serves the tablet app and syncs its documents.

use std::io::BufWriter;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::{CommandFactory, Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use roundbook_server::access::Access;
use roundbook_server::app::router;
use roundbook_server::export::{write_zip, Range, Summary};
use roundbook_server::limits::{
    Limits, DEFAULT_SITE_PHOTO_QUOTA_BYTES, DEFAULT_UPLOAD_EXPIRY_SECS, DEFAULT_UPLOAD_QUOTA_BYTES,
};
use roundbook_server::reports::copies;
use roundbook_server::state::AppState;
use roundbook_server::store::migrations::Migrated;
use roundbook_server::store::postgres::PostgresStore;
use roundbook_server::store::sqlite::SqliteStore;
use roundbook_server::store::{is_postgres_address, run_blocking};
use roundbook_server::store::{ElsewhereFeed, Store, StoreError, StoreResult, UploadLimits};
use roundbook_server::tls::{HttpsSetup, Tls, TlsSource};
use roundbook_server::{backup, demo, init, install, serve};
use roundbook_shared::domain::Role;
use roundbook_shared::protocol::FrameLimits;

#[derive(Parser)]
#[command(version, about = "Roundbook sync server", args_override_self = true)]
#[command(group = clap::ArgGroup::new("https").args(["tls_cert", "tls_self_signed"]).multiple(false))]
struct Args {
    /// A config file (`roundbook.toml`) of these settings by name; the
    /// command line and the environment override it (docs/deploy.md).
    #[arg(long, env = "ROUNDBOOK_CONFIG")]
    config: Option<PathBuf>,
    /// Without one, the server serves.
    #[command(subcommand)]
    command: Option<Command>,
    /// Address to listen on.
    #[arg(long, env = "ROUNDBOOK_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Database: a SQLite file (created if missing), or a PostgreSQL address
    /// (`postgres://user@host/dbname`) that several servers can share.
    #[arg(long, env = "ROUNDBOOK_DB", default_value = "roundbook.sqlite3")]
    db: String,
    /// Seed a demo site, accounts and checkpoints into an empty database.
    #[arg(long, env = "ROUNDBOOK_DEMO")]
    demo: bool,
    /// With --demo: the instant (RFC 3339, e.g. 2026-12-01T00:00:00+08:00)
    /// from which the demo's patrol schedules apply, to rehearse with a past
    /// day or test with a tablet clock set back. Default: when it is seeded
    /// (rounds due before a schedule existed are never counted as missed).
    #[arg(long, env = "ROUNDBOOK_DEMO_SINCE", value_parser = unix_ms_of_rfc3339)]
    demo_since: Option<i64>,
    /// With --demo: also seed the three full months before this one (site
    /// time) for every demo zone — requests and their workflow, visits,
    /// every scheduled patrol round up to now, cleaning inspections and
    /// signed score sheets — so the monthly reports have a last month. The
    /// patrol schedules then apply from the history's start (unless
    /// --demo-since says otherwise).
    #[arg(long, env = "ROUNDBOOK_DEMO_HISTORY")]
    demo_history: bool,
    /// Directory of the built tablet app.
    #[arg(long, env = "ROUNDBOOK_WEB_ROOT", default_value = "dist")]
    web_root: PathBuf,
    /// Seconds between checks that an open sync connection's session is still
    /// live (a sign-out on this server ends its sockets at once; this catches
    /// sign-outs on other servers and expiries).
    #[arg(long, env = "ROUNDBOOK_SESSION_CHECK_SECS", default_value_t = 60)]
    session_check_secs: u64,
    /// The largest WebSocket frame a tablet may send, in bytes.
    #[arg(long, env = "ROUNDBOOK_MAX_FRAME_BYTES", default_value_t = Limits::default().frame.max_frame_bytes)]
    max_frame_bytes: usize,
    /// The most bytes one document may take in storage.
    #[arg(long, env = "ROUNDBOOK_MAX_DOCUMENT_BYTES", default_value_t = Limits::default().document_bytes)]
    max_document_bytes: usize,
    /// TCP connections open at once (lowered to fit the open-file limit).
    #[arg(long, env = "ROUNDBOOK_MAX_CONNECTIONS", default_value_t = Limits::default().max_connections)]
    max_connections: usize,
    /// TCP connections open at once from one address.
    #[arg(long, env = "ROUNDBOOK_MAX_CONNECTIONS_PER_ADDRESS", default_value_t = Limits::default().max_connections_per_address)]
    max_connections_per_address: usize,
    /// Sync sockets one user may hold open at once.
    #[arg(long, env = "ROUNDBOOK_MAX_SYNCS_PER_USER", default_value_t = Limits::default().max_syncs_per_user)]
    max_syncs_per_user: usize,
    /// Seconds a connection may take to send a request head.
    #[arg(long, env = "ROUNDBOOK_HEADER_READ_TIMEOUT_SECS", default_value_t = Limits::default().header_read_timeout.as_secs())]
    header_read_timeout_secs: u64,
    /// Seconds a new sync socket may take to send `join`.
    #[arg(long, env = "ROUNDBOOK_JOIN_TIMEOUT_SECS", default_value_t = Limits::default().join_timeout.as_secs())]
    join_timeout_secs: u64,
    /// Sign-in attempts per minute from one address.
    #[arg(long, env = "ROUNDBOOK_SIGN_INS_PER_MINUTE_PER_ADDRESS", default_value_t = Limits::default().sign_ins_per_minute_per_address)]
    sign_ins_per_minute_per_address: u32,
    /// Failed sign-ins in a row from one address (over every username)
    /// before it is locked for a while. Raise it behind a reverse proxy,
    /// where every tablet comes from one address.
    #[arg(long, env = "ROUNDBOOK_FAILED_SIGN_INS_PER_ADDRESS", default_value_t = Limits::default().failed_sign_ins_per_address)]
    failed_sign_ins_per_address: u32,
    /// MiB one user's unfinished photo uploads may hold.
    #[arg(long, env = "ROUNDBOOK_UPLOAD_QUOTA_MIB", default_value_t = DEFAULT_UPLOAD_QUOTA_BYTES >> 20)]
    upload_quota_mib: u64,
    /// Seconds an unfinished photo upload may go untouched before it is deleted.
    #[arg(long, env = "ROUNDBOOK_UPLOAD_EXPIRY_SECS", default_value_t = DEFAULT_UPLOAD_EXPIRY_SECS as u64)]
    upload_expiry_secs: u64,
    /// MiB of complete photos one site may hold; past it new photos are
    /// refused with a clear reason (and stay on the tablets).
    #[arg(long, env = "ROUNDBOOK_SITE_PHOTO_QUOTA_MIB", default_value_t = DEFAULT_SITE_PHOTO_QUOTA_BYTES >> 20)]
    site_photo_quota_mib: u64,
    /// Serve HTTPS with this certificate chain (PEM, leaf first); with
    /// `--tls-key`. Read again on SIGHUP.
    #[arg(long, env = "ROUNDBOOK_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key of `--tls-cert` (PEM).
    #[arg(long, env = "ROUNDBOOK_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Serve HTTPS with a certificate from the office's own authority, for
    /// these host names and IP addresses (comma-separated). The authority is
    /// made once and kept in `--tls-dir`; tablets trust it at `/install`.
    #[arg(long, env = "ROUNDBOOK_TLS_SELF_SIGNED", value_delimiter = ',')]
    tls_self_signed: Option<Vec<String>>,
    /// Where `--tls-self-signed` keeps its authority and certificate
    /// (default: beside the SQLite file, `<db>.tls`; `roundbook-tls` for
    /// PostgreSQL).
    #[arg(long, env = "ROUNDBOOK_TLS_DIR")]
    tls_dir: Option<PathBuf>,
    /// Also listen for plain HTTP on this port (same address) and redirect
    /// every request to HTTPS.
    #[arg(long, env = "ROUNDBOOK_HTTP_REDIRECT", requires = "https")]
    http_redirect: Option<u16>,
    /// Log lines as plain text or as JSON objects (for a log collector).
    #[arg(long, env = "ROUNDBOOK_LOG_FORMAT", value_enum, default_value_t = LogFormat::Plain)]
    log_format: LogFormat,
    /// Serve `GET /metrics` (Prometheus text format) to requests bearing
    /// this token (`Authorization: Bearer ...`). Without it, `/metrics` is
    /// not served. Prefer the environment variable: a command line is
    /// visible to every user of the machine.
    #[arg(long, env = "ROUNDBOOK_METRICS_TOKEN", hide_env_values = true)]
    metrics_token: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    Plain,
    Json,
}

impl Args {
    /// Where the certificate comes from, if the server speaks HTTPS.
    fn tls_source(&self) -> Option<TlsSource> {
        if let (Some(cert), Some(key)) = (&self.tls_cert, &self.tls_key) {
            return Some(TlsSource::Files {
                cert: cert.clone(),
                key: key.clone(),
            });
        }
        let names = self.tls_self_signed.clone()?;
        let dir = self.tls_dir.clone().unwrap_or_else(|| {
            if is_postgres_address(&self.db) {
                PathBuf::from("roundbook-tls")
            } else {
                PathBuf::from(format!("{}.tls", self.db))
            }
        });
        Some(TlsSource::SelfSigned { dir, names })
    }
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
    /// Writes the office head's export of a site (`GET /api/export`) to a
    /// zip file: every record of the date range, a CSV file per record
    /// type, with `--photos` the photos they refer to. Reads only; the
    /// server may run meanwhile.
    Export {
        /// The database, as for serving: a SQLite file (which must exist) or
        /// a PostgreSQL address.
        #[arg(long)]
        db: String,
        /// The site's code.
        #[arg(long)]
        site: String,
        /// The first day, YYYY-MM-DD.
        #[arg(long)]
        from: String,
        /// The last day, YYYY-MM-DD (at most a year after `--from`).
        #[arg(long)]
        to: String,
        /// The zip file to write; must not exist.
        #[arg(long)]
        out: PathBuf,
        /// Include the photos the records refer to.
        #[arg(long)]
        photos: bool,
    },
    /// Sets up a new office: its site and the office head's account, on a
    /// new database (or one without that site). Prints the head's one-time
    /// password, or uses `--password-file`'s. Run again, it changes nothing
    /// and says so. Then serve with `roundbook-server --db …` (no `--demo`).
    Init {
        /// The database: a SQLite file (created if missing) or a PostgreSQL
        /// address.
        #[arg(long, env = "ROUNDBOOK_DB")]
        db: String,
        /// The site's name, as staff know it ("翠湖花园").
        #[arg(long)]
        site: String,
        /// The site's code: short, a-z 0-9 . _ -; part of every record's
        /// document id, so it cannot change later.
        #[arg(long, default_value = "site")]
        site_code: String,
        /// The site's time zone (this release: Asia/Shanghai only).
        #[arg(long, default_value = init::TIMEZONE)]
        timezone: String,
        /// The office head's username (a-z 0-9 . _ -).
        #[arg(long)]
        head: String,
        /// The office head's name as shown in the app (default: the username).
        #[arg(long)]
        head_name: Option<String>,
        /// A file holding the head's password (one line, at least 8
        /// characters). Without it a one-time password is printed, to be
        /// changed at first sign-in.
        #[arg(long)]
        password_file: Option<PathBuf>,
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

fn main() -> Result<(), Box<dyn std::error::Error>> {
    return_large_allocations_to_the_system();
    // Before any thread: the config file's settings become environment
    // variables, which are read as the flags are parsed.
    apply_config_file()?;
    let args = Args::parse();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(args))
}

/// `--config FILE` (or `ROUNDBOOK_CONFIG`): sets each of the file's settings
/// whose variable is not set already (`config.rs`).
fn apply_config_file() -> Result<(), Box<dyn std::error::Error>> {
    let mut argv = std::env::args_os().skip(1);
    let mut path = std::env::var_os("ROUNDBOOK_CONFIG").map(PathBuf::from);
    while let Some(arg) = argv.next() {
        let arg = arg.to_string_lossy().into_owned();
        if arg == "--config" {
            path = argv.next().map(PathBuf::from);
        } else if let Some(value) = arg.strip_prefix("--config=") {
            path = Some(PathBuf::from(value));
        }
    }
    let Some(path) = path else { return Ok(()) };
    let text =
        std::fs::read_to_string(&path).map_err(|error| format!("{}: {error}", path.display()))?;
    let known: Vec<String> = Args::command()
        .get_arguments()
        .map(|arg| arg.get_id().to_string())
        .filter(|id| id != "config")
        .collect();
    let settings = roundbook_server::config::variables(&text, &known)
        .map_err(|error| format!("{}: {error}", path.display()))?;
    for (variable, value) in settings {
        if std::env::var_os(&variable).is_none() {
            // First thing in `main`, before any other thread exists, so
            // nothing reads the environment meanwhile.
            std::env::set_var(variable, value);
        }
    }
    Ok(())
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    // automerge logs every strict parse of a change set that arrives before its
    // dependencies (see `hub::changes_are_well_formed`) as an error: silence it.
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=warn,automerge=off"));
    let logs = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter);
    match args.log_format {
        LogFormat::Plain => logs.init(),
        LogFormat::Json => logs.json().init(),
    }
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
        Some(Command::Export {
            db,
            site,
            from,
            to,
            out,
            photos,
        }) => {
            let range = Range::parse(&from, &to)?;
            let summary =
                run_blocking(move || Ok(export(&db, &site, range, photos, &out))).await??;
            println!("{summary}");
            return Ok(());
        }
        Some(Command::Init {
            db,
            site,
            site_code,
            timezone,
            head,
            head_name,
            password_file,
        }) => {
            let password = password_file
                .map(|path| {
                    std::fs::read_to_string(&path)
                        .map(|text| text.trim_end_matches(['\r', '\n']).to_owned())
                        .map_err(|error| format!("{}: {error}", path.display()))
                })
                .transpose()?;
            let setup = init::Setup {
                site_code,
                site_name: site,
                timezone,
                head_name: head_name.unwrap_or_else(|| head.clone()),
                head,
                password,
            };
            let done = run_blocking(move || {
                let store = migrated_store(&db)?;
                Ok(init::init(store.as_ref(), &setup))
            })
            .await??;
            println!("{done}");
            return Ok(());
        }
        Some(Command::Restore { from, db }) => {
            println!("{}", backup::restore(&from, &db)?);
            return Ok(());
        }
        None => {}
    }

    let db = args.db.clone();
    let demo = args.demo.then_some(Demo {
        since: args.demo_since,
        history: args.demo_history,
    });
    // On the blocking pool: the PostgreSQL client must not run on async threads.
    let (store, elsewhere) = run_blocking(move || open_store(&db, demo)).await?;
    if !args.web_root.join("index.html").exists() {
        tracing::warn!(web_root = %args.web_root.display(), "no built app here; run scripts/build-web");
    }

    let tls = args.tls_source().map(Tls::load).transpose()?.map(Arc::new);
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    let address = listener.local_addr()?;
    match tls.as_ref().map(|tls| tls.setup()) {
        None => println!("Roundbook is running at http://{address}"),
        Some(HttpsSetup::LocalAuthority(authority)) => {
            for name in &authority.names {
                println!("Roundbook is running at https://{name}:{}", address.port());
            }
            println!(
                "Local certificate authority, SHA-256 {}",
                authority.fingerprint
            );
            println!("Tablets trust it once: open /install on the server");
        }
        Some(_) => println!("Roundbook is running at https://{address}"),
    }
    if args.demo {
        println!("Demo accounts (password \"{}\"):", demo::PASSWORD);
        for (username, name, role, zones) in demo::ACCOUNTS {
            let zones = if zones.is_empty() {
                "all zones".to_string()
            } else {
                zones.join(", ")
            };
            println!("  {username:<12} {name}  {}  ({zones})", role.as_str());
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
        failed_sign_ins_per_address: args.failed_sign_ins_per_address,
        header_read_timeout: Duration::from_secs(args.header_read_timeout_secs.max(1)),
        join_timeout: Duration::from_secs(args.join_timeout_secs.max(1)),
        uploads: UploadLimits {
            quota_bytes: args.upload_quota_mib.saturating_mul(1 << 20),
            expire_after_secs: i64::try_from(args.upload_expiry_secs).unwrap_or(i64::MAX),
            site_quota_bytes: args.site_photo_quota_mib.saturating_mul(1 << 20),
        },
        ..Limits::default()
    };
    let mut state = AppState::new(store, limits.clone());
    state.hub.follow(elsewhere);
    state.session_check = Duration::from_secs(args.session_check_secs.max(1));
    if let Some(tls) = &tls {
        state.https = Arc::new(tls.setup().clone());
        reload_on_hangup(tls.clone());
    }
    if let Some(port) = args.http_redirect {
        let plain = tokio::net::TcpListener::bind((address.ip(), port)).await?;
        println!("Plain HTTP on port {port} redirects to HTTPS");
        let redirect = install::redirect_router(address.port());
        let limits = limits.clone();
        tokio::spawn(async move {
            let served = serve::serve(plain, redirect, &limits, None, shutdown_signal()).await;
            if let Err(error) = served {
                tracing::error!(%error, "the HTTP redirect stopped");
            }
        });
    }
    state.metrics_token = args
        .metrics_token
        .filter(|token| !token.trim().is_empty())
        .map(|token| token.trim().into());
    // The reports' copies of documents' records, made in the background.
    copies::keep_up(state.clone(), copies::KEEP_UP_EVERY);
    // Documents past their keeping (visitors' names and plates) deleted.
    roundbook_server::retention::keep_purging(state.clone());
    let app = router(state, args.web_root);
    let acceptor = tls.as_ref().map(|tls| tls.acceptor());
    serve::serve(listener, app, &limits, acceptor, shutdown_signal()).await?;
    Ok(())
}

/// SIGHUP reads the certificate again: new connections get the new one, open
/// ones (syncs included) keep theirs. A certificate that does not load is
/// logged and the one in use stays.
fn reload_on_hangup(tls: Arc<Tls>) {
    #[cfg(unix)]
    tokio::spawn(async move {
        use tokio::signal::unix::{signal, SignalKind};
        let Ok(mut hangups) = signal(SignalKind::hangup()) else {
            tracing::warn!("cannot watch SIGHUP: the certificate is not reloaded");
            return;
        };
        while hangups.recv().await.is_some() {
            match tls.reload() {
                Ok(()) => tracing::info!("reloaded the TLS certificate"),
                Err(error) => tracing::error!(%error, "kept the TLS certificate in use"),
            }
        }
    });
    #[cfg(not(unix))]
    drop(tls);
}

/// An RFC 3339 instant as Unix milliseconds (`--demo-since`).
fn unix_ms_of_rfc3339(text: &str) -> Result<i64, String> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|instant| instant.timestamp_millis())
        .map_err(|error| format!("not an RFC 3339 instant ({error})"))
}

/// What `--demo` seeds: its schedules from `since` (`--demo-since`), and
/// the past months if `history` (`--demo-history`).
#[derive(Debug, Clone, Copy)]
struct Demo {
    since: Option<i64>,
    history: bool,
}

/// Opens (and migrates) the database `--db` names, seeds the demo if asked,
/// and starts listening for other servers' changes before any document is
/// loaded.
fn open_store(db: &str, demo: Option<Demo>) -> StoreResult<(Arc<dyn Store>, ElsewhereFeed)> {
    let store = migrated_store(db)?;
    if let Some(Demo { since, history }) = demo {
        let started = std::time::Instant::now();
        if demo::seed_with(store.as_ref(), since, history)? {
            tracing::info!(
                history,
                ms = started.elapsed().as_millis() as u64,
                "seeded the demo site"
            );
        }
    }
    let elsewhere = store.changes_elsewhere()?;
    Ok((store, elsewhere))
}

/// The database `--db` names (a SQLite file is made if missing), migrated.
fn migrated_store(db: &str) -> StoreResult<Arc<dyn Store>> {
    let store: Arc<dyn Store> = if is_postgres_address(db) {
        Arc::new(PostgresStore::connect(db)?)
    } else {
        Arc::new(SqliteStore::open(Path::new(db))?)
    };
    store.migrate()?;
    Ok(store)
}

/// `migrate`: opens the database `--db` names and migrates it.
fn migrate(db: &str) -> StoreResult<Migrated> {
    existing_store(db, "nothing to migrate")?.migrate()
}

/// The database `db` names, for a command that works on one that exists:
/// a mistyped SQLite path is refused (saying `why` that matters), not made
/// into a new, empty file.
fn existing_store(db: &str, why: &str) -> StoreResult<Box<dyn Store>> {
    if is_postgres_address(db) {
        return Ok(Box::new(PostgresStore::connect(db)?));
    }
    if !Path::new(db).is_file() {
        return Err(StoreError::Database(format!(
            "no database file at {db}: {why}"
        )));
    }
    Ok(Box::new(SqliteStore::open(Path::new(db))?))
}

/// `export`: the office head's zip of `site`, written to `out`, which must
/// not exist (a half-written file is removed).
fn export(db: &str, site: &str, range: Range, photos: bool, out: &Path) -> Result<Summary, String> {
    let store = existing_store(db, "nothing to export").map_err(|e| e.to_string())?;
    if store.site(site).map_err(|e| e.to_string())?.is_none() {
        return Err(format!("no site {site:?} in the database"));
    }
    // What the site's office head may export: every zone, every kind.
    let zones = store.zones(site).map_err(|e| e.to_string())?;
    let zones = zones.into_iter().map(|zone| zone.code).collect();
    let access = Access {
        username: "roundbook-server export".into(),
        site: site.into(),
        zones,
        roles: vec![Role::OfficeHead],
        retired: Vec::new(),
        final_upload_before: None,
        former_zones: Vec::new(),
        workers: Vec::new(),
    };
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(out)
        .map_err(|error| format!("{}: {error}", out.display()))?;
    let written = write_zip(store.as_ref(), &access, range, photos, BufWriter::new(file));
    written.map_err(|error| {
        let _ = std::fs::remove_file(out);
        error.to_string()
    })
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

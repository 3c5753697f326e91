//! Test harness: a real `roundbook-server` process on 127.0.0.1 with a real
//! SQLite file (or a PostgreSQL database of a throwaway cluster, `postgres`),
//! and a tablet-like sync client built on the shared `Replica`.

#![allow(dead_code)]

pub mod attacks;
pub mod postgres;

use std::io::{BufRead, BufReader};
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use roundbook_shared::api::{DocEntry, LoginResponse};
use roundbook_shared::fixtures::patrol::{scan, scan_ids};
use roundbook_shared::ids::{random_peer_id, DocumentId};
use roundbook_shared::schema::patrol::{record_scan, Scan};
use roundbook_shared::schema::DocKey;
use roundbook_shared::sync::{Outcome, Replica};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub const PASSWORD: &str = "roundbook";

/// A server process that is killed when dropped.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub db: PathBuf,
    /// Flags beyond the harness's own, kept for a restart.
    extra: Vec<String>,
    /// Whether the server seeds the demo (`--demo`).
    demo: bool,
    _dir: std::sync::Arc<tempfile::TempDir>,
}

impl Server {
    pub async fn start() -> Server {
        Self::start_with_flags(&[]).await
    }

    /// A server on a new SQLite file, with more flags (`--upload-quota-mib 1`).
    pub async fn start_with_flags(extra: &[&str]) -> Server {
        let dir = std::sync::Arc::new(tempfile::tempdir().expect("temp dir"));
        let db = dir.path().join("roundbook.sqlite3");
        let extra = extra.iter().map(|flag| flag.to_string()).collect();
        Self::start_on(dir, db, "127.0.0.1:0", extra, true).await
    }

    /// A server on a database set up some other way (`init`), without the demo.
    pub async fn start_without_demo(db: &str) -> Server {
        let dir = std::sync::Arc::new(tempfile::tempdir().expect("temp dir"));
        Self::start_on(dir, PathBuf::from(db), "127.0.0.1:0", Vec::new(), false).await
    }

    /// The same as [`Server::start_with_flags`].
    pub async fn start_with_args(args: &[&str]) -> Server {
        Self::start_with_flags(args).await
    }

    /// A server on another database: a PostgreSQL address, so several
    /// servers can share it.
    pub async fn start_with_db(db: &str) -> Server {
        let dir = std::sync::Arc::new(tempfile::tempdir().expect("temp dir"));
        Self::start_on(dir, PathBuf::from(db), "127.0.0.1:0", Vec::new(), true).await
    }

    async fn start_on(
        dir: std::sync::Arc<tempfile::TempDir>,
        db: PathBuf,
        listen: &str,
        extra: Vec<String>,
        demo: bool,
    ) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_roundbook-server"))
            .args(["--listen", listen, "--session-check-secs", "1"])
            .args(demo.then_some("--demo"))
            .arg("--web-root")
            .arg(dir.path())
            .arg("--db")
            .arg(&db)
            .args(&extra)
            .env(
                "RUST_LOG",
                std::env::var("ROUNDBOOK_TEST_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start roundbook-server");
        let stdout = child.stdout.take().expect("stdout");
        let base = tokio::task::spawn_blocking(move || {
            let mut lines = BufReader::new(stdout).lines();
            let line = lines
                .find_map(|line| {
                    let line = line.ok()?;
                    line.strip_prefix("Roundbook is running at ")
                        .map(str::to_owned)
                })
                .expect("server printed its address");
            // Keep draining so the server never blocks on a full pipe.
            std::thread::spawn(move || for _ in lines {});
            line
        })
        .await
        .unwrap();
        Server {
            child,
            base,
            db,
            extra,
            demo,
            _dir: dir,
        }
    }

    /// The directory the server serves the built app from (empty at start).
    pub fn web_root(&self) -> &std::path::Path {
        self._dir.path()
    }

    /// The server process's resident memory now and at its peak, in KiB.
    pub fn memory_kib(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the server process is running");
        let field = |name: &str| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|kib| kib.parse().ok())
                .unwrap_or(0)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }

    /// Signs in as `username` and lists their documents, as a tablet does
    /// first; returns how long that took.
    pub async fn sign_in_and_list(&self, username: &str) -> Duration {
        let started = Instant::now();
        let token = self.login(username).await.token;
        self.docs(&token).await;
        started.elapsed()
    }

    /// SIGKILL: no chance to flush anything.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// A new process on the same address and database.
    pub async fn restart(mut self) -> Server {
        self.kill();
        let listen = self.base.trim_start_matches("http://").to_owned();
        let dir = self._dir.clone();
        let db = self.db.clone();
        let extra = std::mem::take(&mut self.extra);
        let demo = self.demo;
        drop(self);
        // The port is free again once the old process is gone.
        Self::start_on(dir, db, &listen, extra, demo).await
    }

    pub fn ws_url(&self, token: &str) -> String {
        format!(
            "{}/sync?token={token}",
            self.base.replace("http://", "ws://")
        )
    }

    pub async fn login(&self, username: &str) -> LoginResponse {
        self.login_with(&reqwest::Client::new(), username).await
    }

    /// Signs in from another loopback address (`127.0.0.2`), so that the
    /// per-address sign-in limits count it apart from 127.0.0.1.
    pub async fn login_from(&self, username: &str, from: IpAddr) -> LoginResponse {
        self.login_with(&client_from(from), username).await
    }

    async fn login_with(&self, client: &reqwest::Client, username: &str) -> LoginResponse {
        let response = client
            .post(format!("{}/api/login", self.base))
            .header("content-type", "application/json")
            .body(format!(
                r#"{{"username":"{username}","password":"{PASSWORD}"}}"#
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "login {username}");
        response.json().await.unwrap()
    }

    /// `GET {path}` with the token, if any, as bearer.
    pub async fn get(&self, path: &str, token: Option<&str>) -> reqwest::Response {
        let mut request = reqwest::Client::new().get(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    /// `PUT /api/uploads/{zone}/{hash}?offset=..&total=..` with one part.
    pub async fn put_part(
        &self,
        token: Option<&str>,
        zone: &str,
        hash: &str,
        offset: u64,
        total: u64,
        part: &[u8],
    ) -> reqwest::Response {
        let mut request = reqwest::Client::new()
            .put(format!(
                "{}/api/uploads/{zone}/{hash}?offset={offset}&total={total}",
                self.base
            ))
            .body(part.to_vec());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    /// `GET /api/docs` as this build's tablet asks (naming every kind it knows).
    pub async fn docs(&self, token: &str) -> Vec<DocEntry> {
        let kinds = roundbook_shared::api::known_kinds_param();
        self.docs_at(token, &format!("/api/docs?kinds={kinds}"))
            .await
    }

    /// `GET {path}` (`/api/docs` and its query) with `token`.
    pub async fn docs_at(&self, token: &str, path: &str) -> Vec<DocEntry> {
        let response = reqwest::Client::new()
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// An HTTP client whose connections come from `from`, one per request.
pub fn client_from(from: IpAddr) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(from)
        .pool_max_idle_per_host(0)
        .build()
        .expect("an HTTP client")
}

/// Opens a WebSocket to `url`, from `from` if given (a loopback address).
pub async fn ws_connect(url: &str, from: Option<IpAddr>) -> Socket {
    let Some(from) = from else {
        return tokio_tungstenite::connect_async(url)
            .await
            .expect("connect")
            .0;
    };
    let address = url
        .trim_start_matches("ws://")
        .split('/')
        .next()
        .and_then(|host| host.parse().ok())
        .expect("a ws://ip:port/ url");
    let socket = match from {
        IpAddr::V4(_) => TcpSocket::new_v4(),
        IpAddr::V6(_) => TcpSocket::new_v6(),
    }
    .expect("a socket");
    socket
        .bind((from, 0).into())
        .expect("bind the local address");
    let stream = socket.connect(address).await.expect("connect");
    tokio_tungstenite::client_async(url, MaybeTlsStream::Plain(stream))
        .await
        .expect("WebSocket handshake")
        .0
}

/// A tablet: a replica of some documents and, while online, a socket.
pub struct Tablet {
    pub replica: Replica,
    pub socket: Option<Socket>,
    pub username: String,
    pub device: String,
    pub unavailable: Vec<DocumentId>,
    /// How far this tablet's clock is from the real time when it joins;
    /// `None` sends no clock, like the JavaScript automerge-repo client.
    pub clock_offset_ms: Option<i64>,
    /// The `error` message the server sent before closing, if any.
    pub server_error: Option<String>,
    /// WebSocket payload bytes sent and received, for the benchmarks.
    pub bytes_sent: usize,
    pub bytes_received: usize,
    /// The largest single frame sent, for the benchmarks.
    pub max_frame_sent: usize,
    /// The loopback address to connect from (`None`: the system's choice).
    pub local_address: Option<IpAddr>,
}

impl Tablet {
    pub fn new(username: &str) -> Tablet {
        Tablet {
            replica: Replica::new(random_peer_id("tablet")),
            socket: None,
            username: username.into(),
            device: random_peer_id("device"),
            unavailable: Vec::new(),
            clock_offset_ms: Some(0),
            server_error: None,
            bytes_sent: 0,
            bytes_received: 0,
            max_frame_sent: 0,
            local_address: None,
        }
    }

    /// Holds a document, building it from its genesis like a tablet offline.
    pub fn hold(&mut self, key: &DocKey) -> DocumentId {
        let id = key.document_id();
        if !self.replica.contains(&id) {
            let doc = key.genesis();
            let heads = doc.get_heads();
            self.replica.add(id, doc, heads);
        }
        id
    }

    pub fn scan(&mut self, id: &DocumentId, scan_id: &str) {
        self.scan_at(id, scan_id, chrono::Utc::now().timestamp_millis());
    }

    pub fn scan_at(&mut self, id: &DocumentId, scan_id: &str, scanned_at: i64) {
        let scan = Scan {
            round_id: "round-1".into(),
            checkpoint_id: "cp-a-01".into(),
            guard: self.username.clone(),
            guard_name: self.username.clone(),
            device: self.device.clone(),
            ..scan(scan_id, scanned_at)
        };
        record_scan(self.replica.doc_mut(id).unwrap(), &scan).unwrap();
    }

    pub fn scan_ids(&self, id: &DocumentId) -> Vec<String> {
        scan_ids(self.replica.doc(id).unwrap())
    }

    pub async fn connect(&mut self, url: &str) {
        let mut socket = ws_connect(url, self.local_address).await;
        socket
            .send(WsMessage::Binary(
                self.replica
                    .connect(
                        self.clock_offset_ms
                            .map(|offset| chrono::Utc::now().timestamp_millis() + offset),
                    )
                    .into(),
            ))
            .await
            .unwrap();
        self.socket = Some(socket);
        self.server_error = None;
    }

    /// Connects and waits for the handshake to finish.
    pub async fn join(&mut self, url: &str) {
        self.connect(url).await;
        self.sync_until(Duration::from_secs(20), |t| t.replica.is_connected())
            .await;
    }

    pub fn disconnect(&mut self) {
        self.socket = None;
        self.replica.disconnect();
    }

    /// Sends what a local change produced.
    pub async fn flush(&mut self, id: &DocumentId) {
        for frame in self.replica.sync_doc(id) {
            self.send(frame).await;
        }
    }

    async fn send(&mut self, frame: Vec<u8>) {
        self.bytes_sent += frame.len();
        self.max_frame_sent = self.max_frame_sent.max(frame.len());
        if let Some(socket) = self.socket.as_mut() {
            let _ = socket.send(WsMessage::Binary(frame.into())).await;
        }
    }

    /// Holds `key`, joins `url` and syncs until its document satisfies
    /// `done`; panics after `timeout`. How a fresh tablet reads what the
    /// server stored.
    pub async fn read_until(
        &mut self,
        url: &str,
        key: &DocKey,
        timeout: Duration,
        done: impl Fn(&automerge::Automerge) -> bool,
    ) -> DocumentId {
        let id = self.hold(key);
        self.join(url).await;
        self.sync_until(timeout, |t| t.replica.doc(&id).is_some_and(&done))
            .await;
        id
    }

    /// Holds `key`, joins `url` and syncs until the server says the
    /// document is unavailable to this user; panics after `timeout`.
    pub async fn refused_to_read(&mut self, url: &str, key: &DocKey, timeout: Duration) {
        let id = self.hold(key);
        self.join(url).await;
        self.sync_until(timeout, |t| t.unavailable.contains(&id))
            .await;
    }

    /// Exchanges frames until `done` holds; panics after `timeout`.
    pub async fn sync_until(&mut self, timeout: Duration, done: impl Fn(&Tablet) -> bool) {
        let deadline = Instant::now() + timeout;
        while !done(self) {
            let remaining = deadline
                .checked_duration_since(Instant::now())
                .unwrap_or_else(|| panic!("{} timed out syncing", self.username));
            let socket = self.socket.as_mut().expect("online");
            let frame = tokio::time::timeout(remaining, socket.next())
                .await
                .unwrap_or_else(|_| panic!("{} timed out syncing", self.username));
            match frame {
                Some(Ok(WsMessage::Binary(bytes))) => {
                    self.bytes_received += bytes.len();
                    let outcome: Outcome = self.replica.receive(&bytes).expect("valid frame");
                    self.unavailable.extend(outcome.unavailable);
                    if let Some(error) = outcome.server_error {
                        self.server_error = Some(error);
                    }
                    for frame in outcome.frames {
                        self.send(frame).await;
                    }
                }
                Some(Ok(_)) => {}
                other => panic!("{}: connection ended: {other:?}", self.username),
            }
        }
    }

    /// Exchanges frames until the server closes the connection; returns the
    /// error it gave. Panics if it does not close within `timeout`.
    pub async fn until_refused(&mut self, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        let mut socket = self.socket.take().expect("online");
        loop {
            let remaining = deadline
                .checked_duration_since(Instant::now())
                .unwrap_or_else(|| panic!("{} was not refused", self.username));
            let frame = tokio::time::timeout(remaining, socket.next())
                .await
                .unwrap_or_else(|_| panic!("{} was not refused", self.username));
            let Some(Ok(WsMessage::Binary(bytes))) = frame else {
                break;
            };
            let outcome = self.replica.receive(&bytes).expect("valid frame");
            if let Some(error) = outcome.server_error {
                self.server_error = Some(error);
            }
            for frame in outcome.frames {
                let _ = socket.send(WsMessage::Binary(frame.into())).await;
            }
        }
        self.replica.disconnect();
        self.server_error.clone().expect("the server said why")
    }

    /// Exchanges frames until every local change is acknowledged (`Ok`) or
    /// the server closes the connection (`Err` with the error it gave).
    /// Panics if neither happens within `timeout`.
    pub async fn deliver(&mut self, timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        while !(self.replica.is_connected() && self.replica.pending_total() == 0) {
            let remaining = deadline
                .checked_duration_since(Instant::now())
                .unwrap_or_else(|| panic!("{} timed out delivering", self.username));
            let socket = self.socket.as_mut().expect("online");
            let frame = tokio::time::timeout(remaining, socket.next())
                .await
                .unwrap_or_else(|_| panic!("{} timed out delivering", self.username));
            let Some(Ok(message)) = frame else {
                self.disconnect();
                return Err(self.server_error.clone().unwrap_or_default());
            };
            let WsMessage::Binary(bytes) = message else {
                continue;
            };
            self.bytes_received += bytes.len();
            let outcome = self.replica.receive(&bytes).expect("valid frame");
            self.unavailable.extend(outcome.unavailable);
            if let Some(error) = outcome.server_error {
                self.server_error = Some(error);
            }
            for frame in outcome.frames {
                self.send(frame).await;
            }
        }
        Ok(())
    }

    /// Until every local change is acknowledged by the server.
    pub async fn sync_all(&mut self) {
        self.sync_until(Duration::from_secs(20), |tablet| {
            tablet.replica.is_connected() && tablet.replica.pending_total() == 0
        })
        .await;
    }
}

/// Runs `work` while `tablet` answers the server on its socket, so that it
/// sends what the server asks it for (as a tablet's app does on its own);
/// returns the tablet and what `work` returned. Answering stops when `work`
/// is done, or after 30 s.
pub async fn answering<T>(
    tablet: Tablet,
    work: impl std::future::Future<Output = T>,
) -> (Tablet, T) {
    let done = Arc::new(AtomicBool::new(false));
    let answering = tokio::spawn(answer_until(tablet, done.clone()));
    let output = work.await;
    done.store(true, Ordering::Release);
    (answering.await.expect("the answering tablet"), output)
}

async fn answer_until(mut tablet: Tablet, done: Arc<AtomicBool>) -> Tablet {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done.load(Ordering::Acquire) && Instant::now() < deadline {
        let socket = tablet.socket.as_mut().expect("online");
        let Ok(frame) = tokio::time::timeout(Duration::from_millis(50), socket.next()).await else {
            continue;
        };
        let Some(Ok(WsMessage::Binary(bytes))) = frame else {
            continue;
        };
        let outcome = tablet.replica.receive(&bytes).expect("valid frame");
        for frame in outcome.frames {
            socket.send(WsMessage::Binary(frame.into())).await.unwrap();
        }
    }
    tablet
}

pub fn today() -> chrono::NaiveDate {
    roundbook_shared::domain::local_date(chrono::Utc::now().timestamp_millis())
}

pub fn patrol_key(zone: &str) -> DocKey {
    DocKey::patrol_log("demo", zone, today())
}

/// Streams scans to `server`, SIGKILLs it while changes are in flight, and
/// checks that a restarted server on the same database has everything that
/// was acknowledged, and takes the rest from the tablet. Run on each backend.
pub async fn acknowledged_scans_survive_sigkill_mid_sync(server: Server) {
    const WAIT: Duration = Duration::from_secs(20);
    let token = server.login("guard-a").await.token;
    let key = patrol_key("A");

    let mut tablet = Tablet::new("guard-a");
    let id = tablet.hold(&key);
    tablet.join(&server.ws_url(&token)).await;
    // Stream scans and kill the server while changes are in flight.
    for n in 0..40 {
        tablet.scan(&id, &format!("scan-{n:03}"));
        tablet.flush(&id).await;
        if n == 20 {
            tablet
                .sync_until(WAIT, |t| t.replica.pending_total() < 15)
                .await;
        }
    }
    let mut server = server;
    server.kill();
    let acked = tablet.replica.acked_heads(&id).to_vec();
    assert!(!acked.is_empty());
    tablet.disconnect();
    let server = server.restart().await;

    // Everything acknowledged before the kill is on the restarted server.
    let mut fresh = Tablet::new("guard-a");
    fresh.hold(&key);
    fresh.connect(&server.ws_url(&token)).await;
    fresh
        .sync_until(WAIT, |t| {
            acked.iter().all(|hash| {
                t.replica
                    .doc(&id)
                    .unwrap()
                    .get_change_meta_by_hash(hash)
                    .is_some()
            })
        })
        .await;

    // The tablet kept the rest and delivers it now.
    tablet.connect(&server.ws_url(&token)).await;
    tablet.sync_all().await;
    fresh
        .sync_until(WAIT, |t| t.scan_ids(&id).len() == 40)
        .await;
}

/// An error answer's status and code (`{"error": {"code"}}`).
pub async fn error_code(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.unwrap();
    (
        status,
        body["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

/// Writes `record`'s fields as a new record of `container`, without the
/// tablet's checks: what a hostile or buggy client could send.
pub fn write_record(
    doc: &mut automerge::Automerge,
    container: &str,
    record: &impl serde::Serialize,
) {
    use automerge::transaction::Transactable;
    let (_, map) = automerge::ReadDoc::get(doc, automerge::ROOT, container)
        .unwrap()
        .unwrap();
    let serde_json::Value::Object(fields) = serde_json::to_value(record).unwrap() else {
        panic!("a record is a map");
    };
    let id = fields["id"].as_str().unwrap().to_owned();
    let mut tx = doc.transaction();
    let at = tx
        .put_object(&map, id.as_str(), automerge::ObjType::Map)
        .unwrap();
    for (field, value) in fields {
        match value {
            serde_json::Value::String(text) => tx.put(&at, field.as_str(), text).unwrap(),
            serde_json::Value::Number(n) => {
                tx.put(&at, field.as_str(), n.as_i64().unwrap()).unwrap()
            }
            serde_json::Value::Bool(flag) => tx.put(&at, field.as_str(), flag).unwrap(),
            other => panic!("{field}: {other}"),
        }
    }
    tx.commit();
}

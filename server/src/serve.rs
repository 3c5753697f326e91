//! The accept loop: takes TCP connections and serves HTTP/1.1 (and the
//! WebSocket upgrades) on them with the router, within bounds that hold
//! against clients that open connections and say nothing.
//!
//! - At most `max_connections` open at once, and `max_connections_per_address`
//!   from one address; past them a new connection is closed at once.
//! - A request head must arrive within `header_read_timeout`, on a new
//!   connection and between requests on a kept-alive one, so silent and
//!   half-open connections are closed.
//! - With TLS, the handshake must finish within the same time, so a client
//!   that opens a connection and stalls the handshake holds nothing long.
//! - Each request carries the peer's address (`ConnectInfo`), for the
//!   per-address sign-in limit.
//!
//! What happens inside a request is the handlers' business, not this module's.

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::limits::Limits;

/// Serves `router` on `listener` (over TLS when `tls` is given) until
/// `shutdown` completes, then lets open requests finish (sync sockets are
/// told to close) for a few seconds.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: &Limits,
    tls: Option<TlsAcceptor>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let counts = Arc::new(Counts::default());
    // hyper's own HTTP/1 server: its header-read timer starts when the
    // connection does (hyper-util's auto builder first waits, untimed, for
    // bytes to tell HTTP/1 from HTTP/2).
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_headers(100);
    let (stopping, stop) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors or a connection reset before it was
                // accepted: keep serving the others.
                Err(error) => {
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(admitted) = counts.admit(peer.ip(), limits) else {
            tracing::debug!(%peer, "too many connections; closed at once");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = router.clone().map_request(
            move |mut request: hyper::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            },
        );
        let (builder, tls, stop) = (builder.clone(), tls.clone(), stop.clone());
        let handshake_timeout = limits.header_read_timeout;
        tokio::spawn(async move {
            let _admitted = admitted;
            let ended = match tls {
                None => run(&builder, stream, service, stop).await,
                Some(acceptor) => {
                    let handshake =
                        tokio::time::timeout(handshake_timeout, acceptor.accept(stream));
                    match handshake.await {
                        Ok(Ok(stream)) => run(&builder, stream, service, stop).await,
                        Ok(Err(error)) => {
                            tracing::debug!(%peer, %error, "TLS handshake failed");
                            return;
                        }
                        Err(_) => {
                            tracing::debug!(%peer, "TLS handshake took too long; closed");
                            return;
                        }
                    }
                }
            };
            if let Err(error) = ended {
                tracing::debug!(%peer, %error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    let _ = stopping.send(true);
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    while counts.open() > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    Ok(())
}

/// Serves HTTP/1.1 on one connection, plain or TLS, until it ends or the
/// server stops (then gracefully).
async fn run<I, S>(
    builder: &http1::Builder,
    io: I,
    service: S,
    mut stop: watch::Receiver<bool>,
) -> hyper::Result<()>
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    S: tower::Service<
            hyper::Request<hyper::body::Incoming>,
            Response = axum::response::Response,
            Error = std::convert::Infallible,
        > + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    let connection = builder
        .serve_connection(TokioIo::new(io), TowerToHyperService::new(service))
        .with_upgrades();
    tokio::pin!(connection);
    tokio::select! {
        ended = connection.as_mut() => ended,
        _ = async { stop.wait_for(|stop| *stop).await.is_ok() } => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    }
}

/// Open connections, overall and by address.
#[derive(Default)]
struct Counts {
    open: Mutex<Open>,
}

#[derive(Default)]
struct Open {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

/// One admitted connection; counted until dropped.
struct Admitted {
    counts: Arc<Counts>,
    address: IpAddr,
}

impl Counts {
    fn open(&self) -> usize {
        self.open.lock().expect("connection counts").total
    }

    fn admit(self: &Arc<Self>, address: IpAddr, limits: &Limits) -> Option<Admitted> {
        let mut open = self.open.lock().expect("connection counts");
        let here = open.by_address.get(&address).copied().unwrap_or(0);
        if open.total >= limits.max_connections || here >= limits.max_connections_per_address {
            return None;
        }
        open.total += 1;
        *open.by_address.entry(address).or_default() += 1;
        Some(Admitted {
            counts: self.clone(),
            address,
        })
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut open = self.counts.open.lock().expect("connection counts");
        open.total -= 1;
        if let Some(count) = open.by_address.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                open.by_address.remove(&self.address);
            }
        }
    }
}

/// Raises this process's open-file limit to its hard limit (each connection
/// is a file descriptor) and returns the connection cap that leaves room for
/// the database and the app's files.
pub fn raise_fd_limit(wanted: usize) -> usize {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => wanted.min((limit as usize).saturating_sub(128).max(64)),
        Err(error) => {
            tracing::warn!(%error, "could not read the open-file limit");
            wanted.min(896)
        }
    }
}

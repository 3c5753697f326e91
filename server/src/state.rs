//! The state every handler shares: the store, the live documents, the
//! sign-in throttle, this server's peer id and its metrics. It holds no handler and
//! imports none, so handlers and the router can both depend on it.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use roundbook_shared::ids::PeerId;

use crate::auth::{SignInGate, SignInThrottle};
use crate::hub::Hub;
use crate::limits::Limits;
use crate::metrics::Metrics;
use crate::store::Store;
use crate::syncs::OpenSyncs;
use crate::tls::HttpsSetup;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub hub: Arc<Hub>,
    /// Failed sign-ins by name and address, kept in the store.
    pub throttle: Arc<SignInThrottle>,
    /// Bounds on sign-in attempts, whoever makes them.
    pub sign_in: Arc<SignInGate>,
    /// The sync sockets open, by user and session.
    pub syncs: Arc<OpenSyncs>,
    /// What one client may cost the server.
    pub limits: Arc<Limits>,
    /// This server process's peer id in the sync protocol.
    pub peer_id: PeerId,
    /// How often an open sync connection checks that its session is still
    /// live, so a sign-out or an expiry also ends syncing already under way.
    pub session_check: Duration,
    /// What `/install` and `/ca.crt` say about this server's HTTPS.
    pub https: Arc<HttpsSetup>,
    /// What `/metrics` reports; the hub moves some of it too.
    pub metrics: Arc<Metrics>,
    /// The bearer token `/metrics` asks for (`--metrics-token`); without
    /// one the route answers 404.
    pub metrics_token: Option<Arc<str>>,
    /// Monthly reports computed at once: each reads up to a year of a
    /// site's documents, so a few run and the rest are answered "busy".
    pub reports: Arc<Semaphore>,
}

/// How many monthly reports are computed at once, over all users.
pub const REPORTS_AT_ONCE: usize = 2;

impl AppState {
    /// State over `store`. A server sharing its database with others also
    /// passes the store's `changes_elsewhere` to `hub.follow` (as `main`
    /// does), or its tablets would not see the others' changes live.
    pub fn new(store: Arc<dyn Store>, limits: Limits) -> Self {
        let metrics = Arc::new(Metrics::new());
        Self {
            hub: Arc::new(Hub::with_limits(store.clone(), &limits, metrics.clone())),
            throttle: Arc::new(SignInThrottle::new(store.clone(), &limits)),
            store,
            sign_in: Arc::new(SignInGate::new(&limits)),
            syncs: Arc::new(OpenSyncs::default()),
            limits: Arc::new(limits),
            peer_id: roundbook_shared::ids::random_peer_id("server"),
            session_check: Duration::from_secs(60),
            https: Arc::new(HttpsSetup::None),
            metrics,
            metrics_token: None,
            reports: Arc::new(Semaphore::new(REPORTS_AT_ONCE)),
        }
    }
}

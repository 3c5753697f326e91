//! How much one client may cost the server: sizes, counts, time and
//! concurrency, each bounded before the work starts. One place for every
//! number, with the real use it was set from, so an office can see (and a
//! command-line flag can change) what a hostile client is held to.
//!
//! This module only holds the numbers; `serve`, `signin`, `connection`,
//! `compute` and `hub` enforce them.

use std::time::Duration;

use roundbook_shared::blob::MAX_PHOTO_BYTES;
use roundbook_shared::protocol::FrameLimits;
use roundbook_shared::schema::shape::ShapeLimits;
use roundbook_shared::sync_guard::SyncLimits;

use crate::store::UploadLimits;

#[derive(Debug, Clone)]
pub struct Limits {
    /// What a tablet's frame may be: its size, then its CBOR structure
    /// (nesting, item counts, text lengths) and its ids, all checked before
    /// it is decoded. The size, measured (`cargo bench --bench
    /// hostile_figures`): 1,000 scans made offline over a day reach the
    /// server in frames of 12 KiB, or one of 325 KiB when they land in a day
    /// that already holds 2,000 (Automerge then sends the whole compressed
    /// document); a 2,000-household resident directory imported at once is
    /// one frame of 205 KiB. A week offline is seven day documents, so no
    /// frame grows with it. 4 MiB is ten times the largest. Server → tablet
    /// frames (a month's first sync) are not bound by this.
    pub frame: FrameLimits,
    /// What a sync message may claim (heads, haves, bloom filters, changes),
    /// checked before Automerge parses it (`sync_guard`).
    pub sync: SyncLimits,
    /// A new HTTP connection (or the next request on a kept-alive one) must
    /// send its request head within this time.
    pub header_read_timeout: Duration,
    /// A WebSocket must send `join` within this time of opening.
    pub join_timeout: Duration,
    /// TCP connections open at once, over all clients. Set from the process's
    /// file-descriptor limit at start (`serve::raise_fd_limit`).
    pub max_connections: usize,
    /// TCP connections open at once from one address. An office's tablets
    /// usually share one address behind the office router: 20 tablets, each
    /// with a sync socket and a few requests in flight, stay far below.
    pub max_connections_per_address: usize,
    /// Sync sockets open at once for one user: a person with two tablets and
    /// a few tabs open.
    pub max_syncs_per_user: usize,
    /// Sync sockets open at once, over all users.
    pub max_syncs: usize,
    /// Password checks running at once. Each Argon2id check holds ~19 MiB
    /// and one core for ~50 ms; more than the cores only queues.
    pub sign_in_concurrency: usize,
    /// How long a sign-in waits for a free password check before it is
    /// answered "busy, retry".
    pub sign_in_wait: Duration,
    /// Sign-in attempts per second over all clients (with a burst of twice that).
    pub sign_ins_per_second: u32,
    /// Sign-in attempts per minute from one address: a shift change of 20
    /// guards behind one office router, with a few typos each.
    pub sign_ins_per_minute_per_address: u32,
    /// Failed sign-ins in a row from one address (over every username it
    /// tries) before the address is locked for a while: enough for an office
    /// behind one router, few enough to stop guessing.
    pub failed_sign_ins_per_address: u32,
    /// Automerge jobs (applying a sync message, generating a reply) running at
    /// once, off the async workers.
    pub automerge_jobs: usize,
    /// Bytes stored for one document. Measured: a busy zone's month of 300
    /// requests with 5 events each stores 61 KiB (108 KiB before a
    /// compaction), a 2,000-household resident directory 205 KiB, a
    /// zone-day of 3,000 scans 51 KiB. 8 MiB is far above any of them; a
    /// document past it would take every tablet of its zone seconds to
    /// download.
    pub document_bytes: usize,
    /// Bounds on each record a change touches (depth, keys, list and text length).
    pub shape: ShapeLimits,
    /// What a user's unfinished photo uploads may hold, and for how long.
    pub uploads: UploadLimits,
}

/// Bytes one user's unfinished uploads may hold, each counted by its declared
/// total: 16 photos of the largest size (64 MiB; some 160 of the usual
/// 100–400 KB). A tablet sends its queued photos one at a time, so a user
/// normally has one upload in progress per tablet they use; more only
/// remain when a tablet stops mid-photo (reset, or signed in as someone else)
/// until they expire. A finding or request carries at most 6 photos, so this
/// is a few records' worth on each of a few tablets at once, while one
/// account, or a stolen token, can park no more than 64 MiB on the server.
pub const DEFAULT_UPLOAD_QUOTA_BYTES: u64 = 16 * MAX_PHOTO_BYTES;

/// How long an upload may go untouched before it is deleted: a week covers a
/// tablet offline over a guard's days off (after that it sends the photo
/// again from the start, usually a few hundred KB); older ones are abandoned.
pub const DEFAULT_UPLOAD_EXPIRY_SECS: i64 = 7 * 24 * 3600;

/// Bytes of complete photos one site may hold by default: 50 GiB, about
/// 100,000 photos of ~500 KB, years of an office's rounds and requests.
pub const DEFAULT_SITE_PHOTO_QUOTA_BYTES: u64 = 50 << 30;

impl Default for Limits {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Self {
            frame: FrameLimits {
                max_frame_bytes: 4 * 1024 * 1024,
                ..FrameLimits::default()
            },
            sync: SyncLimits::default(),
            header_read_timeout: Duration::from_secs(10),
            join_timeout: Duration::from_secs(10),
            max_connections: 4096,
            max_connections_per_address: 256,
            max_syncs_per_user: 16,
            max_syncs: 4000,
            sign_in_concurrency: cores.max(2),
            sign_in_wait: Duration::from_secs(5),
            sign_ins_per_second: 20,
            sign_ins_per_minute_per_address: 60,
            failed_sign_ins_per_address: 50,
            automerge_jobs: cores.max(2),
            document_bytes: 8 * 1024 * 1024,
            shape: ShapeLimits::default(),
            uploads: UploadLimits {
                quota_bytes: DEFAULT_UPLOAD_QUOTA_BYTES,
                expire_after_secs: DEFAULT_UPLOAD_EXPIRY_SECS,
                site_quota_bytes: DEFAULT_SITE_PHOTO_QUOTA_BYTES,
            },
        }
    }
}

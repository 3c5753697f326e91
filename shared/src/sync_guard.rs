//! A bounded check of a received Automerge sync message, run on its raw bytes
//! before `automerge::sync::Message::decode` sees them.
//!
//! automerge 0.12 trusts what a peer claims in a sync message: decoding
//! allocates one 64-byte entry per claimed `have` (16 M empty `have`s, two
//! bytes each, hold over 1 GiB), and answering visits every `have` for every
//! change and runs each bloom filter with the probe count the peer chose,
//! allocating a vector of that many probes per change tested (2^32-1 probes
//! is a 16 GiB allocation that aborts the process; a bloom with zero bits per
//! entry divides by zero and panics).
//! [`check_sync_message`] walks the same wire format, allocates nothing, and
//! refuses anything over [`SyncLimits`], so one signed-in client cannot take
//! the server down. The report for automerge's maintainers is
//! `docs/upstream-automerge-sync-bloom.md`.
//!
//! What it must not do: decide whether the changes are valid Automerge
//! changes (it reads only their chunk frames; the server parses them
//! strictly after this check), look at a document, or allocate in
//! proportion to anything the message claims.
//!
//! # Wire format (automerge 0.12, `sync.rs` and `sync/bloom.rs`)
//!
//! Numbers are unsigned LEB128, minimally encoded (automerge refuses overlong
//! ones); a hash is 32 bytes.
//!
//! ```text
//! message  = type:u8 (0x42 V1, 0x43 V2)
//!            count heads × hash
//!            count need × hash
//!            count have × (count last_sync × hash, len bloom-bytes)
//!            count changes × (len chunk+)
//!            [len flags-bytes]          -- present in every message automerge 0.12 sends
//! chunk    = 85 6f 4a 83, checksum[4], type:u8 (0 document, 1 change), len data
//! bloom    = empty                      -- no filter
//!          | num_entries num_bits_per_entry num_probes bits[ceil(entries × bits / 8)]
//! ```
//!
//! automerge ignores whatever follows the flags and whatever follows the
//! bloom's bits inside its length; this check refuses both, since automerge
//! never writes them. It also refuses hashes out of ascending order or
//! repeated (automerge sorts every list of hashes it sends, and a repeated
//! hash in `need` makes automerge 0.12 panic while answering; found by
//! fuzzing, see `docs/fuzzing.md`).
//!
//! # Worst-case work once a message passed
//!
//! With the default limits, for a document of `N` changes:
//! - decoding allocates at most 1,024 + 4,096 + 4 × 1,024 hashes (≈ 300 KB),
//!   4 bloom filters (their bits are at most 4 MB each and are present in the
//!   message), and the change chunks (at most 16 MiB, present in the message);
//! - receiving costs one hash lookup per head and need, plus loading the
//!   changes: linear in their bytes, except that a document chunk's
//!   compressed columns are inflated by automerge without a limit (about
//!   1,000:1 at worst; see the upstream report), which this check cannot
//!   bound without inflating them itself;
//! - answering (`generate_sync_message`) tests each of the `N` changes against
//!   at most 4 blooms of at most 32 probes: at most `128 N` probe computations
//!   and `4 N` allocations of at most 32 `u32`s. For a month's request log
//!   (20,000 changes) that is 2.6 M probes, a few milliseconds, against the
//!   unbounded 2^32 × `N` before. The rest of the answer (finding and
//!   serialising the changes to send) is what an honest first sync costs too.
//!
//! `worst_accepted_message_is_cheap_to_answer` below measures this against an
//! honest first sync of the same document.

use std::fmt;

/// Bytes in a change hash (SHA-256).
const HASH_BYTES: u64 = 32;
/// First byte of a V1 sync message.
const MESSAGE_TYPE_V1: u8 = 0x42;
/// First byte of a V2 sync message (changes sent as one compressed document).
const MESSAGE_TYPE_V2: u8 = 0x43;
/// Start of every automerge storage chunk (`storage::MAGIC_BYTES`).
const CHUNK_MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
/// A chunk's checksum, after the magic bytes; then its type and length.
const CHUNK_CHECKSUM_BYTES: u64 = 4;
/// Chunk types a sync message carries: a whole document (`save()`) and a
/// single uncompressed change (`Change::raw_bytes`). automerge also knows
/// compressed changes (2) and bundles (3, experimental); its sync never
/// sends them, and parsing a malformed bundle panics in automerge 0.12.
const CHUNK_DOCUMENT: u8 = 0;
const CHUNK_CHANGE: u8 = 1;

/// Bounds on what one received sync message may claim. Every default is far
/// above what a real tablet sends (sizes from `docs/architecture.md`: a
/// zone-day patrol log holds 1,000–2,000 changes, a zone's request log for a
/// month up to 10,000–20,000) and low enough that answering stays cheap (see
/// the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncLimits {
    /// Heads of the sender's document. A head per concurrent branch: tablets
    /// that edited offline and have not merged yet. Even every tablet of a
    /// site editing one document at once is tens, so 1,024.
    pub max_heads: u64,
    /// Hashes the sender asks for. automerge asks for the first missing
    /// change on each path back from our heads, so about as many as our
    /// heads, more only when its queue holds orphans: 4 × `max_heads`.
    pub max_need: u64,
    /// `have` entries. automerge 0.12 (and automerge-repo in JavaScript,
    /// which runs the same code as WebAssembly) sends zero or one; 4 leaves
    /// room for another implementation while bounding the bloom work at
    /// 4 blooms per change.
    pub max_haves: u64,
    /// Heads in one `have`'s `last_sync` (the heads both sides shared at the
    /// last sync): heads, so the same bound as `max_heads`.
    pub max_last_sync: u64,
    /// Entries in one bloom filter: the changes the sender holds since
    /// `last_sync`, so at most a whole document on a first sync. 1,000,000 is
    /// 50 × the largest month of requests.
    pub max_bloom_entries: u64,
    /// Bits per bloom entry. automerge writes 10 (a 1 % false-positive
    /// rate); zero divides by zero in automerge 0.12. 1..=32.
    pub max_bloom_bits_per_entry: u64,
    /// Probes per bloom lookup. automerge writes 7; the receiver allocates
    /// and computes this many per change tested. 1..=32.
    pub max_bloom_probes: u64,
    /// Change chunks (one per change in V1, one in all for V2). automerge
    /// sends single changes only while they are under a third of the
    /// document and a whole compressed document otherwise, so a month of
    /// requests is under 7,000; 100,000 lets even a peer without V2 send a
    /// whole large document change by change.
    pub max_changes: u64,
    /// Total bytes of all change chunks. A zone's month of patrol scans
    /// bootstraps as ~600 KiB and a month of requests is a few MB; 16 MiB.
    pub max_change_bytes: u64,
    /// Bytes of the trailing flags field. automerge 0.12 writes 2 (the old
    /// V2 marker and one bitfield byte), older versions 1; 16.
    pub max_flags_bytes: u64,
}

impl Default for SyncLimits {
    fn default() -> Self {
        Self {
            max_heads: 1_024,
            max_need: 4_096,
            max_haves: 4,
            max_last_sync: 1_024,
            max_bloom_entries: 1_000_000,
            max_bloom_bits_per_entry: 32,
            max_bloom_probes: 32,
            max_changes: 100_000,
            max_change_bytes: 16 * 1024 * 1024,
            max_flags_bytes: 16,
        }
    }
}

/// A part of a sync message, to name it in an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Heads,
    Need,
    Haves,
    LastSync,
    Bloom,
    BloomEntries,
    BloomBitsPerEntry,
    BloomProbes,
    Changes,
    Change,
    ChangeBytes,
    Flags,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Field::Heads => "heads",
            Field::Need => "needed hashes",
            Field::Haves => "`have` entries",
            Field::LastSync => "last-sync heads",
            Field::Bloom => "bloom filter",
            Field::BloomEntries => "bloom filter entries",
            Field::BloomBitsPerEntry => "bloom filter bits per entry",
            Field::BloomProbes => "bloom filter probes",
            Field::Changes => "changes",
            Field::Change => "change",
            Field::ChangeBytes => "bytes of changes",
            Field::Flags => "flags",
        })
    }
}

/// Why a sync message was refused. The message names the bound or the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncGuardError {
    #[error("sync message is empty")]
    Empty,
    #[error("not an Automerge sync message: first byte is {0:#04x}")]
    UnknownType(u8),
    #[error("sync message ends inside its {0}")]
    Truncated(Field),
    #[error("sync message's {0} is not a minimally encoded LEB128 number that fits 64 bits")]
    BadNumber(Field),
    #[error("sync message's {0} are not in strictly ascending order")]
    Unsorted(Field),
    #[error("sync message declares {found} {field}, over the limit of {limit}")]
    OverLimit {
        field: Field,
        found: u64,
        limit: u64,
    },
    #[error("sync message declares {declared} bytes of {field} but only {remaining} remain")]
    PastEnd {
        field: Field,
        declared: u64,
        remaining: u64,
    },
    #[error("sync message's {field} is {found}, outside {min}..={max}")]
    OutOfRange {
        field: Field,
        found: u64,
        min: u64,
        max: u64,
    },
    #[error("bloom filter of {entries} entries at {bits_per_entry} bits needs {expected} bytes of bits but has {found}")]
    BloomBitsMismatch {
        entries: u64,
        bits_per_entry: u64,
        expected: u64,
        found: u64,
    },
    #[error("{0} bytes follow the end of the sync message")]
    TrailingBytes(usize),
    #[error("sync message carries an empty change")]
    EmptyChange,
    #[error("sync message carries a change that is not an automerge chunk")]
    NotAChunk,
    #[error("sync message carries a chunk of type {0}; automerge sync sends changes (1) and documents (0) only")]
    ChunkType(u8),
}

/// Checks a received sync message against `limits` without allocating.
/// `Ok` means `automerge::sync::Message::decode` will accept its structure
/// and that answering it stays within the bounds in the module documentation;
/// the changes themselves are still unchecked.
pub fn check_sync_message(bytes: &[u8], limits: &SyncLimits) -> Result<(), SyncGuardError> {
    let mut input = Reader(bytes);
    let kind = input.byte().ok_or(SyncGuardError::Empty)?;
    if kind != MESSAGE_TYPE_V1 && kind != MESSAGE_TYPE_V2 {
        return Err(SyncGuardError::UnknownType(kind));
    }
    input.hashes(Field::Heads, limits.max_heads)?;
    input.hashes(Field::Need, limits.max_need)?;
    // Each `have` is at least two bytes: an empty last-sync and an empty bloom.
    let haves = input.count(Field::Haves, limits.max_haves, 2)?;
    for _ in 0..haves {
        input.hashes(Field::LastSync, limits.max_last_sync)?;
        let bloom = input.length_prefixed(Field::Bloom)?;
        check_bloom(bloom, limits)?;
    }
    // Each change is at least its one-byte length.
    let changes = input.count(Field::Changes, limits.max_changes, 1)?;
    let mut change_bytes: u64 = 0;
    for _ in 0..changes {
        let change = input.length_prefixed(Field::Change)?;
        change_bytes += change.len() as u64;
        if change_bytes > limits.max_change_bytes {
            return Err(SyncGuardError::OverLimit {
                field: Field::ChangeBytes,
                found: change_bytes,
                limit: limits.max_change_bytes,
            });
        }
        check_chunks(change)?;
    }
    if !input.0.is_empty() {
        let declared = input.number(Field::Flags)?;
        if declared > limits.max_flags_bytes {
            return Err(SyncGuardError::OverLimit {
                field: Field::Flags,
                found: declared,
                limit: limits.max_flags_bytes,
            });
        }
        input.take(Field::Flags, declared)?;
    }
    match input.0.len() {
        0 => Ok(()),
        trailing => Err(SyncGuardError::TrailingBytes(trailing)),
    }
}

/// One entry of `changes`: whole storage chunks of the two kinds a sync
/// message carries, a change (V1, and V2 built from changes) or a document
/// (V2 sending everything). Only their frames are read; automerge parses
/// what is inside.
fn check_chunks(entry: &[u8]) -> Result<(), SyncGuardError> {
    if entry.is_empty() {
        return Err(SyncGuardError::EmptyChange);
    }
    let mut input = Reader(entry);
    while !input.0.is_empty() {
        if input.take(Field::Change, CHUNK_MAGIC.len() as u64)? != CHUNK_MAGIC {
            return Err(SyncGuardError::NotAChunk);
        }
        input.take(Field::Change, CHUNK_CHECKSUM_BYTES)?;
        let kind = input
            .byte()
            .ok_or(SyncGuardError::Truncated(Field::Change))?;
        if kind != CHUNK_DOCUMENT && kind != CHUNK_CHANGE {
            return Err(SyncGuardError::ChunkType(kind));
        }
        let length = input.number(Field::Change)?;
        input.take(Field::Change, length)?;
    }
    Ok(())
}

/// A bloom filter's bytes: empty (no filter), or three numbers and exactly
/// the bits they call for.
fn check_bloom(bytes: &[u8], limits: &SyncLimits) -> Result<(), SyncGuardError> {
    if bytes.is_empty() {
        return Ok(());
    }
    let mut input = Reader(bytes);
    let entries = input.number(Field::BloomEntries)?;
    if entries > limits.max_bloom_entries {
        return Err(SyncGuardError::OverLimit {
            field: Field::BloomEntries,
            found: entries,
            limit: limits.max_bloom_entries,
        });
    }
    let bits_per_entry = input.number(Field::BloomBitsPerEntry)?;
    in_range(
        Field::BloomBitsPerEntry,
        bits_per_entry,
        limits.max_bloom_bits_per_entry,
    )?;
    let probes = input.number(Field::BloomProbes)?;
    in_range(Field::BloomProbes, probes, limits.max_bloom_probes)?;
    // Both factors are bounded above, so this cannot overflow for any
    // sensible limits; saturate rather than trust that.
    let expected = entries.saturating_mul(bits_per_entry).div_ceil(8);
    let found = input.0.len() as u64;
    if found != expected {
        return Err(SyncGuardError::BloomBitsMismatch {
            entries,
            bits_per_entry,
            expected,
            found,
        });
    }
    Ok(())
}

fn in_range(field: Field, found: u64, max: u64) -> Result<(), SyncGuardError> {
    if (1..=max).contains(&found) {
        Ok(())
    } else {
        Err(SyncGuardError::OutOfRange {
            field,
            found,
            min: 1,
            max,
        })
    }
}

/// The unread rest of the message.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let (&first, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(first)
    }

    /// An unsigned LEB128 number, refused exactly where automerge's
    /// `leb128_u64` refuses it (overlong, or over 64 bits).
    fn number(&mut self, field: Field) -> Result<u64, SyncGuardError> {
        let mut value: u64 = 0;
        for index in 0..10 {
            let byte = self.byte().ok_or(SyncGuardError::Truncated(field))?;
            // The tenth byte holds the 64th bit only.
            if index == 9 && byte > 1 {
                return Err(SyncGuardError::BadNumber(field));
            }
            value |= u64::from(byte & 0x7f) << (7 * index);
            if byte & 0x80 == 0 {
                if index > 0 && byte == 0 {
                    return Err(SyncGuardError::BadNumber(field));
                }
                return Ok(value);
            }
        }
        unreachable!("the tenth byte either ends the number or is refused above")
    }

    /// A count of items of at least `min_item_bytes` each, within `limit`
    /// and within what the bytes left could hold.
    fn count(
        &mut self,
        field: Field,
        limit: u64,
        min_item_bytes: u64,
    ) -> Result<u64, SyncGuardError> {
        let count = self.number(field)?;
        if count > limit {
            return Err(SyncGuardError::OverLimit {
                field,
                found: count,
                limit,
            });
        }
        let needed = count.saturating_mul(min_item_bytes);
        let remaining = self.0.len() as u64;
        if needed > remaining {
            return Err(SyncGuardError::PastEnd {
                field,
                declared: needed,
                remaining,
            });
        }
        Ok(count)
    }

    /// A count of hashes and the hashes.
    /// A count of hashes and the hashes, strictly ascending: automerge
    /// always sends them sorted without repeats, and a repeated hash in
    /// `need` makes automerge 0.12 panic while answering.
    fn hashes(&mut self, field: Field, limit: u64) -> Result<(), SyncGuardError> {
        let count = self.count(field, limit, HASH_BYTES)?;
        let hashes = self.take(field, count * HASH_BYTES)?;
        let mut previous: Option<&[u8]> = None;
        for hash in hashes.chunks_exact(HASH_BYTES as usize) {
            if previous.is_some_and(|previous| previous >= hash) {
                return Err(SyncGuardError::Unsorted(field));
            }
            previous = Some(hash);
        }
        Ok(())
    }

    /// A length and that many bytes.
    fn length_prefixed(&mut self, field: Field) -> Result<&'a [u8], SyncGuardError> {
        let length = self.number(field)?;
        self.take(field, length)
    }

    fn take(&mut self, field: Field, length: u64) -> Result<&'a [u8], SyncGuardError> {
        let remaining = self.0.len() as u64;
        if length > remaining {
            return Err(SyncGuardError::PastEnd {
                field,
                declared: length,
                remaining,
            });
        }
        let (taken, rest) = self.0.split_at(length as usize);
        self.0 = rest;
        Ok(taken)
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use automerge::sync::{self, SyncDoc};
    use automerge::transaction::Transactable;
    use automerge::{ActorId, Automerge, ROOT};

    use super::*;
    use crate::fixtures::sync::{add_bare_scans, hex, leb128, patrol_day};

    fn check(bytes: &[u8]) -> Result<(), SyncGuardError> {
        check_sync_message(bytes, &SyncLimits::default())
    }

    // ---- Real documents and real sync loops ----

    fn tablet(doc: &Automerge, actor: u8) -> Automerge {
        doc.fork().with_actor(ActorId::from([actor; 16]))
    }

    /// The shapes of the messages a sync loop sent, to show a test covered
    /// what it says it covers.
    #[derive(Debug, Default)]
    struct Seen {
        messages: usize,
        most_heads: usize,
        most_chunks: usize,
        most_last_sync: usize,
        most_bloom_bytes: usize,
        /// automerge's reset: heads, one `have` with no filter, no changes.
        resets: usize,
    }

    /// Syncs two peers to convergence, checking every message either sends.
    fn sync_checked(
        a: &mut Automerge,
        a_state: &mut sync::State,
        b: &mut Automerge,
        b_state: &mut sync::State,
    ) -> Seen {
        sync_with(a, a_state, b, b_state, false)
    }

    /// The same; if `b_is_old`, `b` speaks like an automerge without V2
    /// messages (no flags), so `a` sends it one chunk per change.
    fn sync_with(
        a: &mut Automerge,
        a_state: &mut sync::State,
        b: &mut Automerge,
        b_state: &mut sync::State,
        b_is_old: bool,
    ) -> Seen {
        let mut seen = Seen::default();
        for _ in 0..100 {
            let from_a = a.generate_sync_message(a_state);
            let mut from_b = b.generate_sync_message(b_state);
            if b_is_old {
                if let Some(message) = &mut from_b {
                    message.flags = None;
                    message.version = sync::MessageVersion::V1;
                }
            }
            if from_a.is_none() && from_b.is_none() {
                assert_eq!(a.get_heads(), b.get_heads(), "the peers converged");
                return seen;
            }
            for (message, to, state) in [
                (from_a, &mut *b, &mut *b_state),
                (from_b, &mut *a, &mut *a_state),
            ] {
                if let Some(message) = message {
                    let bytes = message.encode();
                    check(&bytes)
                        .unwrap_or_else(|error| panic!("automerge's own message refused: {error}"));
                    let decoded = sync::Message::decode(&bytes).unwrap();
                    seen.messages += 1;
                    seen.most_heads = seen.most_heads.max(decoded.heads.len());
                    seen.most_chunks = seen.most_chunks.max(decoded.changes.len());
                    for have in &decoded.have {
                        seen.most_last_sync = seen.most_last_sync.max(have.last_sync.len());
                        let bloom = have.bloom.to_bytes().len();
                        seen.most_bloom_bytes = seen.most_bloom_bytes.max(bloom);
                    }
                    if decoded.have.len() == 1
                        && decoded.have[0] == sync::Have::default()
                        && decoded.changes.is_empty()
                        && !decoded.heads.is_empty()
                    {
                        seen.resets += 1;
                    }
                    to.receive_sync_message(state, decoded).unwrap();
                }
            }
        }
        panic!("the peers did not converge in 100 rounds");
    }

    fn sync_fresh(a: &mut Automerge, b: &mut Automerge) -> Seen {
        sync_checked(a, &mut sync::State::new(), b, &mut sync::State::new())
    }

    #[test]
    fn a_first_sync_of_a_patrol_day_passes() {
        // A zone-day: ~1,000 scans, one change each.
        let mut tab = tablet(&patrol_day(), 1);
        add_bare_scans(&mut tab, "day", 1_000);
        let mut server = patrol_day();
        let seen = sync_fresh(&mut tab, &mut server);
        // The tablet's bloom holds all its changes: 1,000 × 10 bits.
        assert!(seen.most_bloom_bytes > 1_250, "{seen:?}");
        // And the other way: a fresh tablet downloading the day.
        let mut fresh = patrol_day();
        sync_fresh(&mut server, &mut fresh);
    }

    #[test]
    fn many_tablets_editing_offline_pass() {
        let base = patrol_day();
        let mut server = base.clone();
        let mut tablets: Vec<Automerge> = (1..=20).map(|n| tablet(&base, n)).collect();
        for (n, doc) in tablets.iter_mut().enumerate() {
            add_bare_scans(doc, &format!("t{n}"), 20);
        }
        // Each tablet comes back and syncs; the server's heads grow to 20.
        for doc in &mut tablets {
            sync_fresh(doc, &mut server);
        }
        assert_eq!(server.get_heads().len(), 20);
        // A new tablet then receives a document with 20 heads, and an old
        // tablet, holding its own branch only, catches up.
        let mut newcomer = patrol_day();
        let seen = sync_fresh(&mut server, &mut newcomer);
        assert_eq!(seen.most_heads, 20, "{seen:?}");
        sync_fresh(&mut tablets[0], &mut server);
    }

    #[test]
    fn a_week_offline_with_kept_sync_state_passes() {
        let mut server = patrol_day();
        let mut tab = tablet(&server, 7);
        add_bare_scans(&mut tab, "before", 600);
        let (mut tab_state, mut server_state) = (sync::State::new(), sync::State::new());
        sync_checked(&mut tab, &mut tab_state, &mut server, &mut server_state);

        // A week apart: both sides change, and the sync states are kept and
        // restored, so `have` carries `last_sync`.
        add_bare_scans(&mut tab, "offline", 150);
        let mut other = tablet(&server, 8);
        add_bare_scans(&mut other, "others", 100);
        sync_fresh(&mut other, &mut server);
        let mut tab_state = sync::State::decode(&tab_state.encode()).unwrap();
        let mut server_state = sync::State::decode(&server_state.encode()).unwrap();
        let seen = sync_checked(&mut tab, &mut tab_state, &mut server, &mut server_state);
        assert!(seen.most_last_sync >= 1, "{seen:?}");
        assert_eq!(seen.most_heads, 2, "{seen:?}");
    }

    #[test]
    fn an_old_peer_receiving_one_chunk_per_change_passes() {
        // A peer that never announces V2 messages is sent every change as a
        // chunk of its own, a whole document included.
        let mut server = patrol_day();
        let mut tab = tablet(&server, 10);
        add_bare_scans(&mut tab, "old", 500);
        sync_fresh(&mut tab, &mut server);
        let mut old = patrol_day();
        let (mut server_state, mut old_state) = (sync::State::new(), sync::State::new());
        let seen = sync_with(
            &mut server,
            &mut server_state,
            &mut old,
            &mut old_state,
            true,
        );
        assert_eq!(seen.most_chunks, 500, "{seen:?}");
    }

    #[test]
    fn a_reset_after_the_server_lost_changes_passes() {
        let mut server = patrol_day();
        let mut tab = tablet(&server, 9);
        add_bare_scans(&mut tab, "x", 50);
        let (mut tab_state, mut server_state) = (sync::State::new(), sync::State::new());
        sync_checked(&mut tab, &mut tab_state, &mut server, &mut server_state);
        // The server comes back from an older backup: the tablet's kept
        // `last_sync` names changes it no longer has, so it answers with
        // automerge's reset message.
        let mut restored = patrol_day();
        let mut tab_state = sync::State::decode(&tab_state.encode()).unwrap();
        let seen = sync_checked(
            &mut tab,
            &mut tab_state,
            &mut restored,
            &mut sync::State::new(),
        );
        assert!(seen.resets >= 1, "{seen:?}");
    }

    #[test]
    fn a_month_of_requests_passes() {
        // A large month: 12,000 changes to a server that has none of them.
        // The guard sees counts and lengths, not content, so each change
        // here is one small write (a scan per change costs ~2 ms in a debug
        // build; this keeps the test to seconds).
        let mut tab = tablet(&patrol_day(), 20);
        for n in 0..12_000_i64 {
            tab.transact::<_, _, automerge::AutomergeError>(|tx| {
                tx.put(ROOT, "request", n)?;
                Ok(())
            })
            .unwrap();
        }
        let mut server = patrol_day();
        let seen = sync_fresh(&mut tab, &mut server);
        // 12,000 entries at 10 bits each.
        assert!(seen.most_bloom_bytes >= 15_000, "{seen:?}");
        assert_eq!(server.get_changes(&[]).len(), 12_001);
    }

    // ---- Crafted messages ----

    fn bloom(entries: u64, bits_per_entry: u64, probes: u64, bits: usize) -> Vec<u8> {
        let mut out = Vec::new();
        leb128(entries, &mut out);
        leb128(bits_per_entry, &mut out);
        leb128(probes, &mut out);
        out.resize(out.len() + bits, 0);
        out
    }

    /// A sync message built field by field, to say anything a peer could.
    struct Raw {
        kind: u8,
        heads: Vec<[u8; 32]>,
        need: Vec<[u8; 32]>,
        haves: Vec<(Vec<[u8; 32]>, Vec<u8>)>,
        changes: Vec<Vec<u8>>,
        flags: Option<Vec<u8>>,
    }

    impl Default for Raw {
        fn default() -> Self {
            Raw {
                kind: MESSAGE_TYPE_V1,
                heads: Vec::new(),
                need: Vec::new(),
                haves: Vec::new(),
                changes: Vec::new(),
                flags: Some(vec![0x02, 0x84]),
            }
        }
    }

    impl Raw {
        fn with_bloom(bloom: Vec<u8>) -> Raw {
            Raw {
                haves: vec![(Vec::new(), bloom)],
                ..Raw::default()
            }
        }

        fn encode(&self) -> Vec<u8> {
            let mut out = vec![self.kind];
            for hashes in [&self.heads, &self.need] {
                leb128(hashes.len() as u64, &mut out);
                hashes.iter().for_each(|hash| out.extend(hash));
            }
            leb128(self.haves.len() as u64, &mut out);
            for (last_sync, bloom) in &self.haves {
                leb128(last_sync.len() as u64, &mut out);
                last_sync.iter().for_each(|hash| out.extend(hash));
                leb128(bloom.len() as u64, &mut out);
                out.extend(bloom);
            }
            leb128(self.changes.len() as u64, &mut out);
            for change in &self.changes {
                leb128(change.len() as u64, &mut out);
                out.extend(change);
            }
            if let Some(flags) = &self.flags {
                leb128(flags.len() as u64, &mut out);
                out.extend(flags);
            }
            out
        }
    }

    /// A chunk frame of `kind` around `length` zero bytes.
    fn chunk(kind: u8, length: usize) -> Vec<u8> {
        let mut out = CHUNK_MAGIC.to_vec();
        out.extend([0; 4]);
        out.push(kind);
        leb128(length as u64, &mut out);
        out.resize(out.len() + length, 0);
        out
    }

    /// Distinct hashes, ascending with `n` as automerge sends them.
    fn hash(n: u32) -> [u8; 32] {
        let mut hash = [0xab; 32];
        hash[..4].copy_from_slice(&n.to_be_bytes());
        hash
    }

    /// Runs a checked message through automerge on a copy of `doc`, as the
    /// server would, and returns how long receiving and answering took.
    fn answer(doc: &Automerge, bytes: &[u8]) -> Duration {
        let mut doc = doc.clone();
        let mut state = sync::State::new();
        let start = Instant::now();
        let message = sync::Message::decode(bytes).unwrap();
        doc.receive_sync_message(&mut state, message).unwrap();
        let reply = doc.generate_sync_message(&mut state);
        let took = start.elapsed();
        assert!(reply.is_some());
        took
    }

    #[test]
    fn what_automerge_accepts_at_the_edges_passes() {
        // An empty V1 message without flags (an old peer), the V2 type byte,
        // the old one-byte flags, and an explicit empty bloom.
        let cases = [
            Raw {
                flags: None,
                ..Raw::default()
            },
            Raw {
                kind: MESSAGE_TYPE_V2,
                ..Raw::default()
            },
            Raw {
                flags: Some(vec![0x02]),
                ..Raw::default()
            },
            Raw::with_bloom(Vec::new()),
            Raw::with_bloom(bloom(1, 10, 7, 2)),
            Raw::with_bloom(bloom(0, 10, 7, 0)),
        ];
        for raw in cases {
            let bytes = raw.encode();
            check(&bytes).unwrap();
            sync::Message::decode(&bytes).unwrap();
        }
    }

    #[test]
    fn refuses_huge_probe_counts() {
        // 2^32-1 probes would make automerge allocate 16 GiB per change tested.
        let bytes = Raw::with_bloom(bloom(1, 10, u64::from(u32::MAX), 2)).encode();
        assert_eq!(
            check(&bytes),
            Err(SyncGuardError::OutOfRange {
                field: Field::BloomProbes,
                found: u64::from(u32::MAX),
                min: 1,
                max: 32
            })
        );
        let bytes = Raw::with_bloom(bloom(1, 10, 1 << 24, 2)).encode();
        assert!(matches!(
            check(&bytes),
            Err(SyncGuardError::OutOfRange {
                field: Field::BloomProbes,
                ..
            })
        ));
        let bytes = Raw::with_bloom(bloom(1, 10, 0, 2)).encode();
        assert!(check(&bytes).is_err());
    }

    #[test]
    fn refuses_zero_bits_per_entry() {
        // automerge 0.12 divides by zero on this (no bits, one entry).
        let bytes = Raw::with_bloom(bloom(1, 0, 1, 0)).encode();
        assert_eq!(bytes, [0x42, 0, 0, 1, 0, 3, 1, 0, 1, 0, 2, 2, 0x84]);
        assert_eq!(
            check(&bytes),
            Err(SyncGuardError::OutOfRange {
                field: Field::BloomBitsPerEntry,
                found: 0,
                min: 1,
                max: 32
            })
        );
    }

    #[test]
    fn refuses_blooms_over_their_bounds_or_inconsistent() {
        let limits = SyncLimits::default();
        let too_many = limits.max_bloom_entries + 1;
        let bytes = Raw::with_bloom(bloom(too_many, 1, 1, too_many.div_ceil(8) as usize)).encode();
        assert!(matches!(
            check(&bytes),
            Err(SyncGuardError::OverLimit {
                field: Field::BloomEntries,
                ..
            })
        ));
        let bytes = Raw::with_bloom(bloom(1, 33, 7, 5)).encode();
        assert!(matches!(
            check(&bytes),
            Err(SyncGuardError::OutOfRange {
                field: Field::BloomBitsPerEntry,
                ..
            })
        ));
        // Bits too short (automerge: not enough input) and too long
        // (automerge ignores the extra bytes; nothing writes them).
        for bits in [1, 3] {
            let bytes = Raw::with_bloom(bloom(1, 10, 7, bits)).encode();
            assert_eq!(
                check(&bytes),
                Err(SyncGuardError::BloomBitsMismatch {
                    entries: 1,
                    bits_per_entry: 10,
                    expected: 2,
                    found: bits as u64
                })
            );
        }
        // A bloom cut off in its numbers.
        let bytes = Raw::with_bloom(vec![0x05, 0x0a]).encode();
        assert_eq!(
            check(&bytes),
            Err(SyncGuardError::Truncated(Field::BloomProbes))
        );
    }

    #[test]
    fn refuses_sixteen_million_haves_at_once() {
        // 16 M empty `have`s fill a 32 MiB frame; automerge allocates 1.1 GB
        // for them. The guard stops at the count.
        let mut bytes = vec![0x42, 0, 0];
        leb128(16 * 1024 * 1024, &mut bytes);
        bytes.resize(bytes.len() + 32 * 1024 * 1024, 0);
        bytes.push(0);
        let start = Instant::now();
        assert_eq!(
            check(&bytes),
            Err(SyncGuardError::OverLimit {
                field: Field::Haves,
                found: 16 * 1024 * 1024,
                limit: 4
            })
        );
        assert!(start.elapsed() < Duration::from_millis(100));
    }

    #[test]
    fn refuses_counts_over_their_bounds() {
        let limits = SyncLimits::default();
        let many = |n: u64| (0..n as u32).map(hash).collect::<Vec<_>>();
        let cases = [
            (
                Raw {
                    heads: many(limits.max_heads + 1),
                    ..Raw::default()
                },
                Field::Heads,
            ),
            (
                Raw {
                    need: many(limits.max_need + 1),
                    ..Raw::default()
                },
                Field::Need,
            ),
            (
                Raw {
                    haves: vec![(Vec::new(), Vec::new()); 5],
                    ..Raw::default()
                },
                Field::Haves,
            ),
            (
                Raw {
                    haves: vec![(many(limits.max_last_sync + 1), Vec::new())],
                    ..Raw::default()
                },
                Field::LastSync,
            ),
            (
                Raw {
                    changes: vec![vec![1]; limits.max_changes as usize + 1],
                    ..Raw::default()
                },
                Field::Changes,
            ),
            (
                Raw {
                    changes: vec![chunk(CHUNK_CHANGE, (1 << 20) - 13); 17],
                    ..Raw::default()
                },
                Field::ChangeBytes,
            ),
            (
                Raw {
                    flags: Some(vec![0x80; 17]),
                    ..Raw::default()
                },
                Field::Flags,
            ),
        ];
        for (raw, field) in cases {
            match check(&raw.encode()) {
                Err(SyncGuardError::OverLimit { field: found, .. }) => assert_eq!(found, field),
                other => panic!("{field}: {other:?}"),
            }
        }
        // At the bounds, all pass.
        let at_bounds = Raw {
            heads: many(limits.max_heads),
            need: many(limits.max_need),
            haves: vec![(many(limits.max_last_sync), bloom(100, 32, 32, 400)); 4],
            changes: vec![chunk(CHUNK_CHANGE, (1 << 20) - 13); 16],
            ..Raw::default()
        };
        check(&at_bounds.encode()).unwrap();
    }

    #[test]
    fn refuses_lengths_past_the_end() {
        // Counts that fit their bound but not the bytes that are left.
        let cases: [(&[u8], Field); 5] = [
            (&[0x42, 0x05], Field::Heads),
            (&[0x42, 0x00, 0x01, 0xaa], Field::Need),
            (&[0x42, 0x00, 0x00, 0x03, 0x00, 0x00], Field::Haves),
            (&[0x42, 0x00, 0x00, 0x01, 0x00, 0x09, 0x01], Field::Bloom),
            (
                &[0x42, 0x00, 0x00, 0x00, 0x01, 0xff, 0xff, 0x03, 0x00],
                Field::Change,
            ),
        ];
        for (bytes, field) in cases {
            match check(bytes) {
                Err(SyncGuardError::PastEnd { field: found, .. }) => assert_eq!(found, field),
                other => panic!("{field}: {other:?}"),
            }
            assert!(sync::Message::decode(bytes).is_err());
        }
        // A change length of 2^63: a number that fits, far past the end.
        let mut bytes = vec![0x42, 0, 0, 0, 1];
        leb128(1 << 63, &mut bytes);
        assert!(matches!(
            check(&bytes),
            Err(SyncGuardError::PastEnd {
                field: Field::Change,
                ..
            })
        ));
    }

    #[test]
    fn refuses_bad_numbers_types_and_trailing_bytes() {
        assert_eq!(check(&[]), Err(SyncGuardError::Empty));
        assert_eq!(
            check(&[0x41, 0, 0, 0, 0]),
            Err(SyncGuardError::UnknownType(0x41))
        );
        // Overlong (automerge refuses it too) and over 64 bits.
        assert_eq!(
            check(&[0x42, 0x80, 0x00]),
            Err(SyncGuardError::BadNumber(Field::Heads))
        );
        assert!(sync::Message::decode(&[0x42, 0x80, 0x00, 0, 0, 0]).is_err());
        let eleven = [
            0x42, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
        ];
        assert_eq!(check(&eleven), Err(SyncGuardError::BadNumber(Field::Heads)));
        // automerge ignores what follows the flags; nothing writes it.
        let mut bytes = Raw::default().encode();
        bytes.extend([1, 2, 3]);
        assert_eq!(check(&bytes), Err(SyncGuardError::TrailingBytes(3)));
    }

    #[test]
    fn refuses_repeated_or_unsorted_hashes() {
        for (heads, need, last_sync, field) in [
            (vec![hash(2), hash(1)], vec![], vec![], Field::Heads),
            (vec![hash(1), hash(1)], vec![], vec![], Field::Heads),
            (vec![], vec![hash(3), hash(3)], vec![], Field::Need),
            (vec![], vec![], vec![hash(9), hash(4)], Field::LastSync),
        ] {
            let raw = Raw {
                heads,
                need,
                haves: vec![(last_sync, Vec::new())],
                ..Raw::default()
            };
            assert_eq!(check(&raw.encode()), Err(SyncGuardError::Unsorted(field)));
        }
    }

    /// A document of three changes (by tablet `actor`), and a sync message
    /// whose `need` names one of them twice.
    fn repeated_need(actor: u8) -> (Automerge, Vec<u8>) {
        let mut doc = tablet(&patrol_day(), actor);
        add_bare_scans(&mut doc, "n", 3);
        let held = doc.get_heads()[0].0;
        let bytes = Raw {
            need: vec![held, held],
            haves: Vec::new(),
            flags: None,
            ..Raw::default()
        }
        .encode();
        (doc, bytes)
    }

    /// Found by fuzzing (docs/fuzzing.md): a `need` that names a change the
    /// receiver holds twice makes automerge 0.12 panic in
    /// `generate_sync_message` (`collector.rs`: `MissingOps`).
    #[test]
    fn a_repeated_need_is_refused() {
        let (_, bytes) = repeated_need(11);
        assert_eq!(check(&bytes), Err(SyncGuardError::Unsorted(Field::Need)));
    }

    #[test]
    fn refuses_changes_that_are_not_sync_chunks() {
        let with = |changes: Vec<Vec<u8>>| {
            Raw {
                changes,
                ..Raw::default()
            }
            .encode()
        };
        check(&with(vec![
            chunk(CHUNK_CHANGE, 5),
            chunk(CHUNK_DOCUMENT, 0),
        ]))
        .unwrap();
        check(&with(vec![[
            chunk(CHUNK_CHANGE, 5),
            chunk(CHUNK_CHANGE, 9),
        ]
        .concat()]))
        .unwrap();
        assert_eq!(
            check(&with(vec![Vec::new()])),
            Err(SyncGuardError::EmptyChange)
        );
        assert_eq!(
            check(&with(vec![vec![1; 20]])),
            Err(SyncGuardError::NotAChunk)
        );
        for kind in [2, 3, 4] {
            assert_eq!(
                check(&with(vec![chunk(kind, 5)])),
                Err(SyncGuardError::ChunkType(kind))
            );
        }
        // A chunk claiming more than its entry holds, and a cut-off second chunk.
        let mut long = chunk(CHUNK_CHANGE, 5);
        long.truncate(long.len() - 1);
        let cut = [chunk(CHUNK_CHANGE, 5), CHUNK_MAGIC.to_vec()].concat();
        for entry in [long, cut] {
            assert!(matches!(
                check(&with(vec![entry])),
                Err(SyncGuardError::PastEnd {
                    field: Field::Change,
                    ..
                })
            ));
        }
    }

    /// Found by fuzzing (docs/fuzzing.md): a 108-byte bundle chunk (type 3)
    /// whose columns are malformed makes automerge 0.12 panic while loading
    /// it (`hexane` unwraps a LEB128 error), in `receive_sync_message` and
    /// in the server's strict `load_with_options` alike.
    const MALFORMED_BUNDLE_MESSAGE: &str = "4201da3f4d4d42044a367d3d6b383d7493e05170907e5e675cf9595dcdd12457dea400010172d8d2660d6dedf25091d9a3ecfb1a1c0192658054b967e70b455e4192fc999308040a07985c754398046c856f4a8345bb29c703620125db8cf6ac50bbbbd9f1b281fa655d0caff747504b100303030303030303030303030303030304000200000401040204030323030303030303030303041300da77bd0b4eda996797768d8fcde07e00017f117e036f2d32066174027e00017e001402020000020784";

    #[test]
    fn a_malformed_bundle_chunk_is_refused() {
        let bytes = hex(MALFORMED_BUNDLE_MESSAGE);
        assert_eq!(check(&bytes), Err(SyncGuardError::ChunkType(3)));
    }

    #[test]
    fn every_cut_of_a_real_message_is_refused_or_decodes() {
        let mut tab = tablet(&patrol_day(), 3);
        add_bare_scans(&mut tab, "cut", 20);
        let server = patrol_day();
        let mut tab_state = sync::State::new();
        let mut server_state = sync::State::new();
        let hello = server.generate_sync_message(&mut server_state).unwrap();
        tab.receive_sync_message(&mut tab_state, hello).unwrap();
        let bytes = tab.generate_sync_message(&mut tab_state).unwrap().encode();
        for end in 0..bytes.len() {
            if check(&bytes[..end]).is_ok() {
                // Only a cut right after the changes (an old peer's message
                // without flags) is still a whole message.
                sync::Message::decode(&bytes[..end]).unwrap();
            }
        }
    }

    #[test]
    fn errors_name_the_bound() {
        let bytes = Raw::with_bloom(bloom(1, 10, 1 << 24, 2)).encode();
        assert_eq!(
            check(&bytes).unwrap_err().to_string(),
            "sync message's bloom filter probes is 16777216, outside 1..=32"
        );
        let bytes = Raw {
            haves: vec![(Vec::new(), Vec::new()); 5],
            ..Raw::default()
        }
        .encode();
        assert_eq!(
            check(&bytes).unwrap_err().to_string(),
            "sync message declares 5 `have` entries, over the limit of 4"
        );
    }

    /// The most work a message that passes can ask for (every count at its
    /// bound, unknown heads and needs, four blooms of 32 probes that match
    /// nothing, so every change is tested against all four) costs about what
    /// an honest first sync of the same document costs.
    #[test]
    fn worst_accepted_message_is_cheap_to_answer() {
        let limits = SyncLimits::default();
        let mut doc = tablet(&patrol_day(), 4);
        add_bare_scans(&mut doc, "w", 1_000);

        let honest = {
            let empty = patrol_day();
            let mut state = sync::State::new();
            empty.generate_sync_message(&mut state).unwrap().encode()
        };
        check(&honest).unwrap();

        let many = |n: u64, salt: u32| (0..n as u32).map(|n| hash(n ^ salt)).collect::<Vec<_>>();
        let entries = limits.max_bloom_entries;
        let bits_per_entry = limits.max_bloom_bits_per_entry;
        let worst = Raw {
            heads: many(limits.max_heads, 0x1000_0000),
            need: many(limits.max_need, 0x2000_0000),
            haves: vec![
                (
                    Vec::new(),
                    bloom(
                        entries,
                        bits_per_entry,
                        limits.max_bloom_probes,
                        (entries * bits_per_entry).div_ceil(8) as usize
                    )
                );
                limits.max_haves as usize
            ],
            ..Raw::default()
        }
        .encode();
        check(&worst).unwrap();

        // Best of three, to keep the machine's other load out of it.
        let best = |bytes: &[u8]| (0..3).map(|_| answer(&doc, bytes)).min().unwrap();
        let honest_took = best(&honest);
        let worst_took = best(&worst);
        eprintln!(
            "answering a {}-byte worst-case message took {worst_took:?}; an honest first sync {honest_took:?}",
            worst.len()
        );
        assert!(
            worst_took < honest_took * 10 + Duration::from_millis(500),
            "worst {worst_took:?} against honest {honest_took:?}"
        );
    }

    // ---- automerge 0.12's own behaviour, for the upstream report ----
    //
    // Run with `cargo test --release -p roundbook-shared -- --ignored upstream_`;
    // they show what the guard protects against and start failing once
    // automerge bounds these itself (then update
    // docs/upstream-automerge-sync-bloom.md).

    /// Whether automerge panics receiving `bytes` (which it decodes) as a
    /// sync message and answering it.
    fn automerge_panics_answering(mut doc: Automerge, bytes: &[u8]) -> bool {
        let message = sync::Message::decode(bytes).expect("automerge decodes it");
        std::panic::catch_unwind(move || {
            let mut state = sync::State::new();
            doc.receive_sync_message(&mut state, message).unwrap();
            doc.generate_sync_message(&mut state)
        })
        .is_err()
    }

    /// Reproduction 1: zero bits per entry divides by zero in automerge.
    #[test]
    #[ignore = "shows automerge's own behaviour; run by hand for the upstream report"]
    fn upstream_zero_bits_per_entry_panics_automerge() {
        let bytes = [0x42, 0, 0, 1, 0, 3, 1, 0, 1, 0];
        assert!(check(&bytes).is_err());
        let mut doc = tablet(&patrol_day(), 5);
        add_bare_scans(&mut doc, "z", 1);
        assert!(
            automerge_panics_answering(doc, &bytes),
            "automerge now refuses this itself"
        );
    }

    /// Reproduction 4: a `need` naming a held change twice panics
    /// automerge while answering.
    #[test]
    #[ignore = "shows automerge's own behaviour; run by hand for the upstream report"]
    fn upstream_repeated_need_panics_automerge() {
        let (doc, bytes) = repeated_need(12);
        assert!(
            automerge_panics_answering(doc, &bytes),
            "automerge now refuses this itself"
        );
    }

    /// Reproduction 5: a malformed bundle chunk panics automerge's loader.
    #[test]
    #[ignore = "shows automerge's own behaviour; run by hand for the upstream report"]
    fn upstream_malformed_bundle_panics_automerge_load() {
        let message = sync::Message::decode(&hex(MALFORMED_BUNDLE_MESSAGE)).unwrap();
        let chunk = message.changes.iter().next().unwrap().to_vec();
        assert_eq!(chunk.len(), 108);
        eprintln!(
            "chunk: {}",
            chunk.iter().map(|b| format!("{b:02x}")).collect::<String>()
        );
        let panicked = std::panic::catch_unwind(|| Automerge::load(&chunk));
        assert!(panicked.is_err(), "automerge now refuses this itself");
    }

    /// Reproduction 2: the receiver computes as many probes as the peer
    /// claims, for every change it tests; time grows with the claim.
    #[test]
    #[ignore = "shows automerge's own behaviour; run by hand for the upstream report"]
    fn upstream_probe_count_sets_the_answering_cost() {
        let mut doc = tablet(&patrol_day(), 6);
        add_bare_scans(&mut doc, "p", 100);
        for shift in [4_u32, 12, 16, 20] {
            let probes = 1_u64 << shift;
            // Without flags, as an old peer: with them and no heads,
            // automerge sends the whole document without testing blooms.
            let raw = Raw {
                flags: None,
                ..Raw::with_bloom(bloom(1, 10, probes, 2))
            };
            let took = answer(&doc, &raw.encode());
            eprintln!("{probes} probes, 101 changes: {took:?}");
        }
    }

    /// Reproduction 3: decoding allocates one `Have` per claimed entry;
    /// each empty one is two bytes on the wire.
    #[test]
    #[ignore = "shows automerge's own behaviour; run by hand for the upstream report"]
    fn upstream_empty_haves_cost_decoding() {
        for millions in [1_u64, 4] {
            let count = millions << 20;
            let mut bytes = vec![0x42, 0, 0];
            leb128(count, &mut bytes);
            bytes.resize(bytes.len() + 2 * count as usize, 0);
            bytes.push(0);
            let start = Instant::now();
            let message = sync::Message::decode(&bytes).unwrap();
            let took = start.elapsed();
            eprintln!(
                "{} bytes, {} haves: decoded in {took:?}, {} bytes of `Have`s",
                bytes.len(),
                message.have.len(),
                message.have.capacity() * std::mem::size_of::<sync::Have>()
            );
        }
    }
}

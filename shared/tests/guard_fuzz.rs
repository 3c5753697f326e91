//! Property tests for the input guards (`cbor_guard`, `protocol::Message::decode`,
//! `sync_guard`): arbitrary bytes, real frames and sync messages mutated, and
//! generated CBOR trees. Checked: nothing panics; what a guard accepts,
//! automerge and ciborium decode within the guard's bounds; answering an
//! accepted sync message on a small document stays cheap.
//!
//! A few seconds by default; `ROUNDBOOK_FUZZ_CASES=N` runs N cases per
//! property instead (see docs/fuzzing.md). The coverage-guided targets are in
//! `fuzz/`.

use std::sync::LazyLock;
use std::time::{Duration, Instant};

use automerge::sync::{self, SyncDoc};
use automerge::{ActorId, Automerge};
use ciborium::Value;
use proptest::prelude::*;
use proptest::sample::Index;
use roundbook_shared::cbor_guard::{check_cbor, CborLimits};
use roundbook_shared::fixtures::sync::{add_bare_scans, frames, leb128, patrol_day, sync_messages};
use roundbook_shared::protocol::Message;
use roundbook_shared::sync_guard::{check_sync_message, SyncLimits};

fn cases() -> u32 {
    std::env::var("ROUNDBOOK_FUZZ_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(1_000)
}

// ---- The corpus: real sync messages and real frames ----

/// The document answers are generated on: a few changes, so that blooms are
/// tested against them.
static SMALL_DOC: LazyLock<Automerge> = LazyLock::new(|| {
    let mut doc = patrol_day().with_actor(ActorId::from([1u8; 16]));
    add_bare_scans(&mut doc, "small", 8);
    doc
});

static SYNC_CORPUS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    let mut tablet = patrol_day().with_actor(ActorId::from([2u8; 16]));
    add_bare_scans(&mut tablet, "t", 12);
    let mut server = patrol_day();
    let mut corpus = sync_messages(&mut tablet, &mut server, false);
    let mut other = server.fork().with_actor(ActorId::from([3u8; 16]));
    add_bare_scans(&mut other, "o", 5);
    add_bare_scans(&mut tablet, "t2", 3);
    corpus.extend(sync_messages(&mut other, &mut tablet, true));
    corpus.extend(sync_messages(&mut server, &mut SMALL_DOC.clone(), false));
    corpus.push(Vec::new());
    corpus
});

static FRAME_CORPUS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| frames(&SYNC_CORPUS[0]));

// ---- Mutations ----

/// Numbers that sit on the guards' bounds or break naive arithmetic.
const INTERESTING: [u64; 14] = [
    0,
    1,
    2,
    4,
    5,
    7,
    32,
    33,
    1_024,
    1_025,
    1 << 24,
    u32::MAX as u64,
    1 << 63,
    u64::MAX,
];

#[derive(Debug, Clone)]
enum Mutation {
    Flip(Index, u8),
    Insert(Index, u8),
    Remove(Index, usize),
    Truncate(Index),
    /// Overwrite with a LEB128 number (sync messages) or a CBOR argument.
    Number(Index, u64),
    Duplicate(Index, Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), 1..=255u8).prop_map(|(at, bits)| Mutation::Flip(at, bits)),
        (any::<Index>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Insert(at, byte)),
        (any::<Index>(), 1..8usize).prop_map(|(at, len)| Mutation::Remove(at, len)),
        any::<Index>().prop_map(Mutation::Truncate),
        (any::<Index>(), prop::sample::select(&INTERESTING[..]))
            .prop_map(|(at, n)| Mutation::Number(at, n)),
        (any::<Index>(), any::<Index>()).prop_map(|(from, to)| Mutation::Duplicate(from, to)),
    ]
}

/// A CBOR head of the same major type as `initial` with `value` as its
/// argument (a length, for strings and containers), in 8 bytes.
fn cbor_head(initial: u8, value: u64) -> Vec<u8> {
    let mut out = vec![(initial & 0xe0) | 27];
    out.extend(value.to_be_bytes());
    out
}

fn mutate(mut bytes: Vec<u8>, mutations: &[Mutation], cbor: bool) -> Vec<u8> {
    for mutation in mutations {
        let len = bytes.len();
        match mutation {
            Mutation::Flip(at, bits) if len > 0 => bytes[at.index(len)] ^= bits,
            Mutation::Insert(at, byte) => bytes.insert(at.index(len + 1), *byte),
            Mutation::Remove(at, count) if len > 0 => {
                let start = at.index(len);
                bytes.drain(start..(start + count).min(len));
            }
            Mutation::Truncate(at) => bytes.truncate(at.index(len + 1)),
            Mutation::Number(at, n) => {
                let start = at.index(len + 1);
                let (number, replaced) = if cbor {
                    let initial = bytes.get(start).copied().unwrap_or(0x9b);
                    (cbor_head(initial, *n), 1)
                } else {
                    let mut number = Vec::new();
                    leb128(*n, &mut number);
                    let replaced = number.len();
                    (number, replaced)
                };
                let end = (start + replaced).min(len);
                bytes.splice(start..end, number);
            }
            Mutation::Duplicate(from, to) if len > 0 => {
                let start = from.index(len);
                let piece: Vec<u8> = bytes[start..(start + 40).min(len)].to_vec();
                let at = to.index(len + 1);
                bytes.splice(at..at, piece);
            }
            _ => {}
        }
    }
    bytes
}

// ---- Properties ----

/// The sync guard's promise: what it accepts, automerge decodes, and
/// answering it on a small document neither panics nor takes long.
fn sync_guard_holds(bytes: &[u8]) -> Result<(), TestCaseError> {
    let Ok(()) = check_sync_message(bytes, &SyncLimits::default()) else {
        return Ok(());
    };
    let message = match sync::Message::decode(bytes) {
        Ok(message) => message,
        Err(error) => {
            return Err(TestCaseError::fail(format!(
                "accepted but automerge refuses: {error}"
            )))
        }
    };
    let mut doc = SMALL_DOC.clone();
    let mut state = sync::State::new();
    let start = Instant::now();
    // Invalid changes are an error here, never a panic; the server parses
    // them strictly before this step.
    if doc.receive_sync_message(&mut state, message).is_ok() {
        doc.generate_sync_message(&mut state);
    }
    prop_assert!(
        start.elapsed() < Duration::from_secs(2),
        "answering took {:?}",
        start.elapsed()
    );
    Ok(())
}

/// The frame decoder's promise: no panic, and what decodes re-encodes to
/// the same message.
fn frame_decoder_holds(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(message) = Message::decode(bytes) {
        prop_assert_eq!(Message::decode(&message.encode()), Ok(message));
    }
    if check_cbor(bytes, &CborLimits::default()).is_ok() {
        if let Ok(value) = ciborium::from_reader::<Value, _>(bytes) {
            prop_assert!(within(&value, &CborLimits::default()));
        }
    }
    Ok(())
}

/// Items, container depth and longest text of a CBOR value, as the guard
/// counts them.
fn shape(value: &Value) -> (usize, usize, usize) {
    match value {
        Value::Text(text) => (1, 0, text.len()),
        Value::Array(items) => items.iter().map(shape).fold((1, 1, 0), |acc, item| {
            (acc.0 + item.0, acc.1.max(item.1 + 1), acc.2.max(item.2))
        }),
        Value::Map(entries) => entries
            .iter()
            .flat_map(|(key, value)| [shape(key), shape(value)])
            .fold((1, 1, 0), |acc, item| {
                (acc.0 + item.0, acc.1.max(item.1 + 1), acc.2.max(item.2))
            }),
        Value::Tag(_, inner) => {
            let (items, depth, text) = shape(inner);
            (items + 1, depth + 1, text)
        }
        _ => (1, 0, 0),
    }
}

fn within(value: &Value, limits: &CborLimits) -> bool {
    let (items, depth, text) = shape(value);
    items <= limits.max_items && depth <= limits.max_depth && text <= limits.max_text_bytes
}

fn cbor_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(|n| Value::Integer(n.into())),
        any::<u64>().prop_map(|n| Value::Integer(n.into())),
        prop::collection::vec(any::<u8>(), 0..12).prop_map(Value::Bytes),
        "[a-z]{0,12}".prop_map(Value::Text),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
        any::<f64>().prop_map(Value::Float),
    ];
    leaf.prop_recursive(6, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((inner.clone(), inner.clone()), 0..4).prop_map(Value::Map),
            (0..300u64, inner).prop_map(|(tag, value)| Value::Tag(tag, Box::new(value))),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn arbitrary_bytes_never_break_the_guards(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        sync_guard_holds(&bytes)?;
        frame_decoder_holds(&bytes)?;
    }

    #[test]
    fn mutated_sync_messages_hold_the_guards_promise(
        pick in any::<Index>(),
        mutations in prop::collection::vec(mutation(), 1..3),
    ) {
        let original = &SYNC_CORPUS[pick.index(SYNC_CORPUS.len())];
        sync_guard_holds(&mutate(original.clone(), &mutations, false))?;
    }

    #[test]
    fn mutated_frames_hold_the_decoders_promise(
        pick in any::<Index>(),
        mutations in prop::collection::vec(mutation(), 1..3),
    ) {
        let original = &FRAME_CORPUS[pick.index(FRAME_CORPUS.len())];
        frame_decoder_holds(&mutate(original.clone(), &mutations, true))?;
    }

    /// For well-formed CBOR the guard is exact: it accepts a value if and
    /// only if the value is within the limits (small limits, so both happen).
    #[test]
    fn the_cbor_guard_accepts_exactly_what_is_within_its_limits(value in cbor_value()) {
        let limits = CborLimits { max_depth: 3, max_items: 24, max_text_bytes: 8 };
        let mut frame = Vec::new();
        ciborium::into_writer(&value, &mut frame).unwrap();
        prop_assert_eq!(check_cbor(&frame, &limits).is_ok(), within(&value, &limits));
        prop_assert!(check_cbor(&frame, &CborLimits::default()).is_ok() || !within(&value, &CborLimits::default()));
    }
}

#[test]
fn every_message_in_the_corpus_passes() {
    for message in SYNC_CORPUS.iter().filter(|message| !message.is_empty()) {
        check_sync_message(message, &SyncLimits::default()).unwrap();
    }
    for frame in FRAME_CORPUS.iter() {
        Message::decode(frame).unwrap();
    }
    // The corpus covers the shapes worth mutating: several chunks (an old
    // peer), a `have` with a bloom, heads.
    let decoded: Vec<sync::Message> = SYNC_CORPUS
        .iter()
        .filter(|message| !message.is_empty())
        .map(|message| sync::Message::decode(message).unwrap())
        .collect();
    assert!(decoded.iter().any(|message| message.changes.len() > 1));
    assert!(decoded.iter().any(|message| message
        .have
        .iter()
        .any(|have| !have.bloom.to_bytes().is_empty())));
    assert!(decoded.iter().any(|message| !message.heads.is_empty()));
}

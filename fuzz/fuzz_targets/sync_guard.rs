//! Sync messages as a client sends them: what `check_sync_message` accepts,
//! automerge must decode, and receiving and answering it on a small document
//! must not panic (libFuzzer's `-timeout` catches an answer that is slow).
#![no_main]

use std::sync::LazyLock;

use automerge::sync::{self, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{ActorId, Automerge, ObjType, ROOT};
use libfuzzer_sys::fuzz_target;
use roundbook_shared::sync_guard::{check_sync_message, SyncLimits};

/// A few changes, so that blooms are tested against them.
static DOC: LazyLock<Automerge> = LazyLock::new(|| {
    let mut doc = Automerge::new().with_actor(ActorId::from([1u8; 16]));
    for n in 0..8_i64 {
        doc.transact::<_, _, automerge::AutomergeError>(|tx| {
            let scan = tx.put_object(ROOT, format!("scan-{n}"), ObjType::Map)?;
            tx.put(&scan, "at", n)?;
            Ok(())
        })
        .unwrap();
    }
    doc
});

fuzz_target!(|bytes: &[u8]| {
    if check_sync_message(bytes, &SyncLimits::default()).is_err() {
        return;
    }
    let message = sync::Message::decode(bytes).expect("the guard accepted it");
    let mut doc = DOC.clone();
    let mut state = sync::State::new();
    if doc.receive_sync_message(&mut state, message).is_ok() {
        doc.generate_sync_message(&mut state);
    }
});

//! Writes a starting corpus for both targets: every message of a few real
//! sync loops (first sync, an old peer sent one chunk per change, a reset),
//! and every protocol frame, plus what automerge-repo sends as cbor-x writes
//! it (`roundbook_shared::fixtures::sync`). Run from `fuzz/`: `cargo run --example seeds` (docs/fuzzing.md).

use std::fs;
use std::path::Path;

use automerge::sync::{self, SyncDoc};
use automerge::ActorId;
use roundbook_shared::fixtures::sync::{add_bare_scans, frames, patrol_day, sync_messages};

fn write(dir: &str, items: &[Vec<u8>]) {
    let dir = Path::new("corpus").join(dir);
    fs::create_dir_all(&dir).unwrap();
    for (n, bytes) in items.iter().enumerate() {
        fs::write(dir.join(format!("seed-{n:03}")), bytes).unwrap();
    }
    println!("{} seeds in {}", items.len(), dir.display());
}

fn main() {
    let mut tablet = patrol_day().with_actor(ActorId::from([2u8; 16]));
    add_bare_scans(&mut tablet, "t", 6);
    let mut server = patrol_day();
    let mut messages = sync_messages(&mut tablet, &mut server, false);
    let mut other = server.fork().with_actor(ActorId::from([3u8; 16]));
    add_bare_scans(&mut other, "o", 4);
    messages.extend(sync_messages(&mut other, &mut tablet, true));
    // A reset: the tablet's kept state names changes a restored server lacks.
    let mut state = sync::State::new();
    let mut restored = patrol_day();
    let mut fresh_state = sync::State::new();
    for _ in 0..4 {
        if let Some(message) = tablet.generate_sync_message(&mut state) {
            server
                .receive_sync_message(&mut fresh_state, message)
                .unwrap();
        }
        if let Some(message) = server.generate_sync_message(&mut fresh_state) {
            tablet.receive_sync_message(&mut state, message).unwrap();
        }
    }
    let mut state = sync::State::decode(&state.encode()).unwrap();
    let mut restored_state = sync::State::new();
    for _ in 0..4 {
        if let Some(message) = tablet.generate_sync_message(&mut state) {
            messages.push(message.clone().encode());
            restored
                .receive_sync_message(&mut restored_state, message)
                .unwrap();
        }
        if let Some(message) = restored.generate_sync_message(&mut restored_state) {
            messages.push(message.clone().encode());
            tablet.receive_sync_message(&mut state, message).unwrap();
        }
    }
    write("sync_guard", &messages);
    write("frame_decode", &frames(&messages[0]));
}

//! Writes a starting corpus for both targets: every message of a few real
//! sync loops (first sync, an old peer sent one chunk per change, a reset),
//! and every protocol frame, plus automerge-repo's join as cbor-x writes it.
//! Run from `fuzz/`: `cargo run --example seeds` (docs/fuzzing.md).

use std::fs;
use std::path::Path;

use automerge::sync::{self, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{ActorId, Automerge, ObjType, ROOT};
use roundbook_shared::ids::DocumentId;
use roundbook_shared::protocol::{Message, PeerMetadata, Refusal, RefusalReason};

fn scans(doc: &mut Automerge, tag: &str, count: i64) {
    for n in 0..count {
        doc.transact::<_, _, automerge::AutomergeError>(|tx| {
            let scan = tx.put_object(ROOT, format!("{tag}-{n}"), ObjType::Map)?;
            tx.put(&scan, "at", n)?;
            Ok(())
        })
        .unwrap();
    }
}

fn sync_messages(a: &mut Automerge, b: &mut Automerge, b_is_old: bool) -> Vec<Vec<u8>> {
    let (mut a_state, mut b_state) = (sync::State::new(), sync::State::new());
    let mut sent = Vec::new();
    for _ in 0..50 {
        let from_a = a.generate_sync_message(&mut a_state);
        let mut from_b = b.generate_sync_message(&mut b_state);
        if b_is_old {
            if let Some(message) = &mut from_b {
                message.flags = None;
                message.version = sync::MessageVersion::V1;
            }
        }
        if from_a.is_none() && from_b.is_none() {
            break;
        }
        if let Some(message) = from_a {
            sent.push(message.clone().encode());
            b.receive_sync_message(&mut b_state, message).unwrap();
        }
        if let Some(message) = from_b {
            sent.push(message.clone().encode());
            a.receive_sync_message(&mut a_state, message).unwrap();
        }
    }
    sent
}

fn write(dir: &str, items: &[Vec<u8>]) {
    let dir = Path::new("corpus").join(dir);
    fs::create_dir_all(&dir).unwrap();
    for (n, bytes) in items.iter().enumerate() {
        fs::write(dir.join(format!("seed-{n:03}")), bytes).unwrap();
    }
    println!("{} seeds in {}", items.len(), dir.display());
}

fn main() {
    let mut tablet = Automerge::new().with_actor(ActorId::from([2u8; 16]));
    scans(&mut tablet, "t", 6);
    let mut server = Automerge::new();
    let mut messages = sync_messages(&mut tablet, &mut server, false);
    let mut other = server.fork().with_actor(ActorId::from([3u8; 16]));
    scans(&mut other, "o", 4);
    messages.extend(sync_messages(&mut other, &mut tablet, true));
    // A reset: the tablet's kept state names changes a restored server lacks.
    let mut state = sync::State::new();
    let mut restored = Automerge::new();
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

    let id = DocumentId::from_bytes([3; 16]);
    let data = serde_bytes::ByteBuf::from(messages[0].clone());
    let frames: Vec<Vec<u8>> = [
        Message::Join {
            sender_id: "tab-0123456789abcdef".into(),
            supported_protocol_versions: vec!["1".into()],
            peer_metadata: Some(PeerMetadata {
                storage_id: Some("3f2c8a51-2b0e-4f3e-9d7a-6c1b2a3d4e5f".into()),
                is_ephemeral: false,
                clock_ms: Some(1_700_000_000_000),
                build: Some("0.1.0".into()),
                rules: Some(1),
                accepts: None,
            }),
        },
        Message::Peer {
            sender_id: "server".into(),
            target_id: "tab".into(),
            selected_protocol_version: "1".into(),
            peer_metadata: Some(PeerMetadata::default()),
        },
        Message::Request {
            sender_id: "tab".into(),
            target_id: "server".into(),
            document_id: id,
            data: data.clone(),
        },
        Message::Sync {
            sender_id: "tab".into(),
            target_id: "server".into(),
            document_id: id,
            data,
        },
        Message::DocUnavailable {
            sender_id: "server".into(),
            target_id: "tab".into(),
            document_id: id,
        },
        Message::Error {
            message: "locked".into(),
            refusal: Some(Refusal {
                document_id: id,
                reason: RefusalReason::MonthLocked,
            }),
        },
        Message::Leave {
            sender_id: "tab".into(),
        },
    ]
    .iter()
    .map(Message::encode)
    .chain([
        // automerge-repo's join and remote-heads-changed as cbor-x writes them.
        hex("b900046474797065646a6f696e6873656e64657249646b706565722d336b783971326c706565724d65746164617461b900026973746f726167654964f76b6973457068656d6572616cf47819737570706f7274656450726f746f636f6c56657273696f6e73816131"),
        hex("b9000564747970657472656d6f74652d68656164732d6368616e6765646873656e64657249646b706565722d336b78397132687461726765744964667365727665726a646f63756d656e744964781b335339684542363654715a3855626e637131467777776d6f4d5046686e65774865616473b90001683366326338613531b9000265686561647381636162636974696d657374616d70fb4278bcfe56800000"),
    ])
    .collect();
    write("frame_decode", &frames);
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&text[at..at + 2], 16).unwrap())
        .collect()
}

//! What hostile clients send, shared by the hostile-client tests
//! (`tests/hostile.rs`) and their figures (`benches/hostile_figures.rs`):
//! raw sync sockets, crafted Automerge sync messages and incompressible
//! padding. Each helper only builds or sends; what the server must do about
//! it is the caller's to check.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use automerge::transaction::Transactable;
use automerge::{ObjType, ReadDoc, ROOT};
use futures_util::{SinkExt, StreamExt};
use roundbook_shared::fixtures::sync::leb128;
use roundbook_shared::protocol::{Message, PeerMetadata, PROTOCOL_VERSION};
use roundbook_shared::schema::patrol::SCANS;
use roundbook_shared::schema::receipt::RECEIVED_AT;
use roundbook_shared::schema::DocKey;
use serde_bytes::ByteBuf;
use tokio_tungstenite::tungstenite::Message as WsMessage;

use super::{patrol_key, ws_connect, Server, Socket, Tablet};

/// Where attackers connect from, so the per-address limits that stop them do
/// not also stop the honest user on 127.0.0.1.
pub const ATTACKER: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));

/// How long to wait for the server to close a socket it refused.
const CLOSE_WAIT: Duration = Duration::from_secs(20);

/// A raw WebSocket (from `from`, if given) that has joined, with the peer id
/// the server gave.
pub async fn joined_socket(server: &Server, token: &str, from: Option<IpAddr>) -> (Socket, String) {
    let mut socket = ws_connect(&server.ws_url(token), from).await;
    let join = Message::Join {
        sender_id: "attacker".into(),
        supported_protocol_versions: vec![PROTOCOL_VERSION.into()],
        peer_metadata: Some(PeerMetadata::default()),
    };
    socket
        .send(WsMessage::Binary(join.encode().into()))
        .await
        .unwrap();
    let Some(Ok(WsMessage::Binary(frame))) = socket.next().await else {
        panic!("no peer message");
    };
    let Message::Peer { sender_id, .. } = Message::decode(&frame).unwrap() else {
        panic!("expected peer");
    };
    (socket, sender_id.to_string())
}

/// Reads frames until the server closes; returns its `error` message.
pub async fn closed_with_error(socket: &mut Socket) -> String {
    let deadline = Instant::now() + CLOSE_WAIT;
    let mut error = None;
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(remaining, socket.next()).await {
            Ok(Some(Ok(WsMessage::Binary(frame)))) => {
                if let Ok(Message::Error { message, .. }) = Message::decode(&frame) {
                    error = Some(message);
                }
            }
            Ok(Some(Ok(WsMessage::Close(_)))) | Ok(None) | Ok(Some(Err(_))) => break,
            Ok(Some(Ok(_))) => {}
            Err(_) => panic!("the server did not close the socket"),
        }
    }
    error.expect("the server said why before closing")
}

/// An Automerge sync message with one `have` whose bloom filter claims the
/// given parameters (and carries the bits they imply, capped).
pub fn sync_with_bloom(entries: u64, bits_per_entry: u64, probes: u64) -> Vec<u8> {
    let mut bloom = Vec::new();
    leb128(entries, &mut bloom);
    leb128(bits_per_entry, &mut bloom);
    leb128(probes, &mut bloom);
    let bits = (entries * bits_per_entry).div_ceil(8).min(1024);
    bloom.extend(std::iter::repeat_n(0xffu8, bits as usize));
    let mut message = vec![0x42];
    leb128(0, &mut message); // heads
    leb128(0, &mut message); // need
    leb128(1, &mut message); // one have
    leb128(0, &mut message); // its last_sync heads
    leb128(bloom.len() as u64, &mut message);
    message.extend(bloom);
    leb128(0, &mut message); // changes
    message
}

/// An Automerge sync message claiming 16 M empty haves in a few bytes.
pub fn sync_with_many_haves() -> Vec<u8> {
    let mut many = vec![0x42, 0, 0];
    leb128(16 << 20, &mut many);
    many.extend(std::iter::repeat_n(0u8, 64));
    many
}

/// Sends `data` as a sync message for zone `key_zone`'s patrol log of today.
pub async fn send_sync(socket: &mut Socket, server_peer: &str, key_zone: &str, data: Vec<u8>) {
    let frame = Message::Sync {
        sender_id: "attacker".into(),
        target_id: server_peer.into(),
        document_id: patrol_key(key_zone).document_id(),
        data: ByteBuf::from(data),
    };
    socket
        .send(WsMessage::Binary(frame.encode().into()))
        .await
        .unwrap();
}

/// Adds `count` records of 10,000 random letters each (random, so that
/// storage cannot compress them away), within every per-record bound, in
/// the name of `guard-a` (the server refuses records in another's name).
pub fn pad(doc: &mut automerge::Automerge, batch: usize, count: usize, seed: &mut u64) {
    let (_, scans) = doc.get(ROOT, SCANS).unwrap().unwrap();
    let mut tx = doc.transaction();
    for n in 0..count {
        let scan = tx
            .put_object(&scans, format!("pad-{batch}-{n}"), ObjType::Map)
            .unwrap();
        let noise: String = (0..10_000)
            .map(|_| {
                *seed ^= *seed << 13;
                *seed ^= *seed >> 7;
                *seed ^= *seed << 17;
                char::from(b'a' + (*seed % 26) as u8)
            })
            .collect();
        tx.put(&scan, "guard", "guard-a").unwrap();
        tx.put(&scan, "note", noise).unwrap();
    }
    tx.commit();
}

/// A writer's bend of the patrol log of [`stamped_patrol_log`]: its stamped
/// scan replaced with a new object that claims to be it, without a receipt.
pub fn replace_the_stamped_scan(doc: &mut automerge::Automerge) {
    let (_, scans) = doc.get(ROOT, SCANS).unwrap().unwrap();
    let mut tx = doc.transaction();
    let scan = tx.put_object(&scans, "stamped", ObjType::Map).unwrap();
    tx.put(&scan, "id", "stamped").unwrap();
    tx.put(&scan, "scanned_at", 1_600_000_000_000i64).unwrap();
    tx.commit();
}

/// The honest patrol log with a stamped scan (whose receipt has come back),
/// for the shape attacks; returns its heads.
pub async fn stamped_patrol_log(server: &Server, key: &DocKey) -> Vec<automerge::ChangeHash> {
    let token = server.login("guard-a").await.token;
    let mut honest = Tablet::new("guard-a");
    let id = honest.hold(key);
    honest.scan(&id, "stamped");
    honest.join(&server.ws_url(&token)).await;
    honest.sync_all().await;
    honest
        .sync_until(CLOSE_WAIT, |tablet| {
            let doc = tablet.replica.doc(&id).unwrap();
            let (_, scans) = doc.get(ROOT, SCANS).unwrap().unwrap();
            let (_, scan) = doc.get(&scans, "stamped").unwrap().unwrap();
            doc.get(&scan, RECEIVED_AT).unwrap().is_some()
        })
        .await;
    honest.replica.doc(&id).unwrap().get_heads()
}

/// A zone-A patrol log with 20 scans, so sync messages have changes to test
/// bloom filters against; returns its heads.
pub async fn seeded_patrol_log(server: &Server) -> Vec<automerge::ChangeHash> {
    let token = server.login("guard-a").await.token;
    let mut tablet = Tablet::new("guard-a");
    let id = tablet.hold(&patrol_key("A"));
    for n in 0..20 {
        tablet.scan(&id, &format!("scan-{n}"));
    }
    tablet.join(&server.ws_url(&token)).await;
    tablet.sync_all().await;
    tablet.replica.doc(&id).unwrap().get_heads()
}

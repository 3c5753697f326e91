//! Tablets of another release: the handshake names the app build and the
//! document rules, and the server answers with the rules it accepts. A
//! tablet outside them is told why (`roundbookMismatch`) before it can
//! offer anything; nothing it holds is stored.

mod common;

use std::time::Duration;

use common::{Server, Socket};
use futures_util::{SinkExt, StreamExt};
use roundbook_shared::protocol::{Message, PeerMetadata, PROTOCOL_VERSION};
use roundbook_shared::version::{Accepts, Verdict, BUILD, RULES_VERSION};
use tokio_tungstenite::tungstenite::Message as WsMessage;

/// Joins with `rules` (and a build name) and returns the server's answer.
async fn join(server: &Server, token: &str, rules: Option<u32>) -> (Socket, Message) {
    let (mut socket, _) = tokio_tungstenite::connect_async(server.ws_url(token))
        .await
        .unwrap();
    let join = Message::Join {
        sender_id: "tablet".into(),
        supported_protocol_versions: vec![PROTOCOL_VERSION.into()],
        peer_metadata: Some(PeerMetadata {
            build: rules.map(|rules| format!("build-with-rules-{rules}")),
            rules,
            ..PeerMetadata::default()
        }),
    };
    socket
        .send(WsMessage::Binary(join.encode().into()))
        .await
        .unwrap();
    let answer = tokio::time::timeout(Duration::from_secs(10), socket.next())
        .await
        .expect("an answer to join");
    let Some(Ok(WsMessage::Binary(frame))) = answer else {
        panic!("no answer: {answer:?}");
    };
    (socket, Message::decode(&frame).unwrap())
}

#[tokio::test]
async fn the_server_names_its_build_and_the_rules_it_accepts() {
    let server = Server::start().await;
    let token = server.login("guard-a").await.token;
    let (_socket, answer) = join(&server, &token, Some(RULES_VERSION)).await;
    let Message::Peer { peer_metadata, .. } = answer else {
        panic!("expected peer, got {answer:?}");
    };
    let metadata = peer_metadata.unwrap();
    assert_eq!(metadata.accepts, Some(Accepts::THIS_BUILD));
    assert_eq!(metadata.build.as_deref(), Some(BUILD));

    // automerge-repo in JavaScript names no rules: it is judged by the
    // shape rules alone.
    let (_socket, answer) = join(&server, &token, None).await;
    assert!(matches!(answer, Message::Peer { .. }), "{answer:?}");
}

#[tokio::test]
async fn a_tablet_of_another_release_is_told_at_the_handshake() {
    let server = Server::start().await;
    let token = server.login("guard-a").await.token;
    for (rules, verdict) in [
        (Accepts::THIS_BUILD.oldest - 1, Verdict::TabletTooOld),
        (Accepts::THIS_BUILD.newest + 1, Verdict::TabletTooNew),
    ] {
        let (mut socket, answer) = join(&server, &token, Some(rules)).await;
        let Message::Error {
            message, mismatch, ..
        } = answer
        else {
            panic!("expected an error, got {answer:?}");
        };
        let mismatch = mismatch.expect("the release mismatch is named");
        assert_eq!(mismatch.verdict, verdict, "{message}");
        assert_eq!(mismatch.accepts, Accepts::THIS_BUILD);
        assert_eq!(mismatch.server_build, BUILD);
        // And the socket closes.
        let closed = tokio::time::timeout(Duration::from_secs(10), async {
            while let Some(Ok(frame)) = socket.next().await {
                if matches!(frame, WsMessage::Close(_)) {
                    break;
                }
            }
        })
        .await;
        assert!(closed.is_ok());
    }
}
